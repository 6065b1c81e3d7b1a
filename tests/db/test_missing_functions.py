"""A call of a function nothing makes: PostgreSQL resolves it when it reads the
statement (a view, a default, an index, a CHECK, a data fix), and refuses one
it cannot find (42883). Each case is two migrations; check must report the
missing function (an error, at its line) exactly when the server refuses the
second one, and nothing when it runs. pg_catalog's functions, the folder's own,
an extension's, and calls in PL/pgSQL bodies (resolved only when they run)
need nothing; a SQL function's body is resolved when it is made.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE t (id int, n int);\n"
    "CREATE FUNCTION double_it(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';\n"
)

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "a view": ("CREATE VIEW v AS SELECT triple_it(n) FROM t;\n", 1),
    "a default": ("SELECT 1;\nALTER TABLE t ALTER COLUMN n SET DEFAULT next_number();\n", 2),
    "an index": ("CREATE INDEX t_x ON t (triple_it(n));\n", 1),
    "a CHECK": ("ALTER TABLE t ADD CONSTRAINT ok CHECK (is_ok(n));\n", 1),
    "a data fix, even of no row": ("UPDATE t SET n = triple_it(n) WHERE false;\n", 1),
    "a function made later in the migration": (
        "CREATE VIEW v AS SELECT triple_it(n) FROM t;\n"
        "CREATE FUNCTION triple_it(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 3';\n",
        1,
    ),
    "an aggregate's state function": (
        "CREATE AGGREGATE total_of(int) (SFUNC = add_up, STYPE = int);\n",
        1,
    ),
    "a SQL function's body": (
        "CREATE FUNCTION g(x int) RETURNS bool LANGUAGE sql\n"
        "  AS $$ SELECT public.is_staff(x) $$;\n",
        2,
    ),
    "a BEGIN ATOMIC body": (
        "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC SELECT triple_it(x); END;\n",
        2,
    ),
    "a SQL body calling a function made after it": (
        "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql AS $$ SELECT triple_it(x) $$;\n"
        "CREATE FUNCTION triple_it(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 3';\n",
        1,
    ),
    "a BEGIN ATOMIC body calling itself (read before the function is made)": (
        "CREATE FUNCTION countdown(x int) RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN countdown(x - 1) ELSE 0 END; END;\n",
        2,
    ),
    # the forms that run
    "a SQL body calling itself": (
        "CREATE FUNCTION countdown(x int) RETURNS int LANGUAGE sql\n"
        "  AS $$ SELECT CASE WHEN x > 0 THEN countdown(x - 1) ELSE 0 END $$;\n",
        None,
    ),
    "a SQL body of polymorphic arguments, only parsed when made": (
        "CREATE FUNCTION g(x anyelement) RETURNS int LANGUAGE sql\n"
        "  AS $$ SELECT count(*)::int FROM nosuch WHERE triple_it(x) > 0 $$;\n",
        None,
    ),
    "a SQL body calling the folder's function, and pg_catalog's": (
        "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql\n"
        "  AS $$ SELECT double_it(x) + length(now()::text) $$;\n",
        None,
    ),
    "a SQL body with check_function_bodies off": (
        "SET check_function_bodies = false;\n"
        "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql AS $$ SELECT triple_it(x) $$;\n",
        None,
    ),
    "a SQL body along its own search_path": (
        "CREATE SCHEMA util;\n"
        "CREATE FUNCTION util.triple_it(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 3';\n"
        "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql SET search_path = util\n"
        "  AS $$ SELECT triple_it(x) $$;\n",
        None,
    ),
    "the folder's function": ("CREATE VIEW v AS SELECT double_it(n) FROM t;\n", None),
    "pg_catalog's": (
        "CREATE VIEW v AS SELECT lower('A'), now(), pg_catalog.upper('a'), count(*) FROM t;\n",
        None,
    ),
    "made first": (
        "CREATE FUNCTION triple_it(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 3';\n"
        "CREATE VIEW v AS SELECT triple_it(n) FROM t;\n",
        None,
    ),
    "in a PL/pgSQL body": (
        "CREATE FUNCTION later() RETURNS int LANGUAGE plpgsql AS\n"
        "  $$ BEGIN RETURN triple_it(1); END $$;\n",
        None,
    ),
    "the folder's aggregate, information_schema's function": (
        "CREATE AGGREGATE total_of(int) (sfunc = int4pl, stype = int);\n"
        "CREATE VIEW v AS SELECT total_of(n), information_schema._pg_truetypid(NULL, NULL) FROM t;\n",
        None,
    ),
    "casts written as calls, to a built-in type and the folder's own": (
        "CREATE TYPE mood AS ENUM ('ok');\n"
        "CREATE VIEW v AS SELECT jsonb('{}'), uuid('00000000-0000-0000-0000-000000000001'),\n"
        "  mood('ok') FROM t;\n",
        None,
    ),
    "an extension's": (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE VIEW v AS SELECT similarity('a', 'b');\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_says_a_function_is_missing_exactly_when_the_server_refuses(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert refused == ("42883" if line else None)
    assert [(e.kind, e.line) for e in errors] == (
        [("missing_prerequisite", line + 1)] if line else []
    )
    assert all(e.object.startswith("function public.") for e in errors)


def test_the_builtin_functions_kept_are_the_servers_own(pg_conn):
    from migtui.core.builtins import builtin_functions

    found = {
        name
        for (name,) in pg_conn.execute(
            "SELECT proname FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace "
            "UNION SELECT typname FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace "
            "AND typname NOT LIKE '\\_%'"
        )
    }
    assert builtin_functions() == found


def test_the_catalog_relations_kept_are_the_servers_own(pg_conn):
    """pg_catalog's tables and views, whose rows are a type a routine may
    return or take (``RETURNS SETOF pg_roles``)."""
    from migtui.core.builtins import catalog_relations

    found = {
        name
        for (name,) in pg_conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace "
            "AND relkind IN ('r', 'v', 'm', 'p', 'f')"
        )
    }
    assert catalog_relations() == found
