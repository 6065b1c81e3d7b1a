"""A call of one of pg_catalog's names with a number of arguments none of its
functions takes finds no function (42883), unless the folder makes one of that
name. Each case runs on the server too; the numbers kept are the server's own."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE t (id int, a text, b bytea);\n"

REFUSED = ("missing_prerequisite", (1, "42883"))

#: (the second migration, the kind check says with the line and SQLSTATE, or None)
CASES = {
    "too few": ("UPDATE t SET b = decode('');\n", REFUSED),
    "too many": ("SELECT lower(a, 'x') FROM t;\n", REFUSED),
    "none to a variadic one that needs one": ("SELECT concat();\n", REFUSED),
    "in a view": ("CREATE VIEW v AS SELECT to_char(id) FROM t;\n", REFUSED),
    "in a DO block": ("DO $$ BEGIN PERFORM length(); END $$;\n", REFUSED),
    "in a SQL function's body": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT length()';\n",
        REFUSED,
    ),
    "written with pg_catalog": ("SELECT pg_catalog.upper('a', 'b');\n", REFUSED),
    # the forms that run
    "what each overload takes": (
        "SELECT decode('00', 'hex'), lower(a), to_char(id, '999'), count(*), count(id),"
        " format('x'), format('%s %s', 1, 2), concat('a', 'b', 'c'), json_build_object(),"
        " date_trunc('day', now()), date_trunc('day', now(), 'UTC'), make_interval(),"
        " make_interval(days => 1) FROM t GROUP BY a, id;\n",
        None,
    ),
    "SQL's own forms": (
        "SELECT extract(year FROM now()), substring(a FROM 1 FOR 2), position('x' IN a),"
        " trim(both 'x' FROM a), overlay(a PLACING 'x' FROM 1), now() AT TIME ZONE 'UTC'"
        " FROM t;\n",
        None,
    ),
    "an ordered-set aggregate": (
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM t;\n",
        None,
    ),
    "a cast written as a call": (
        "SELECT uuid('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), jsonb('{}'), int8(id) FROM t;\n",
        None,
    ),
    "VARIADIC with an array": ("SELECT concat(VARIADIC ARRAY['a', 'b']);\n", None),
    "the folder's own overload": (
        "CREATE FUNCTION lower(x text, y text) RETURNS text LANGUAGE sql AS 'SELECT x';\n"
        "SELECT lower(a, 'x') FROM t;\n",
        None,
    ),
    "in a PL/pgSQL body, resolved when it runs": (
        "CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN length(); END $$;\n",
        None,
    ),
}


FOLDER_FIRST = (
    "CREATE TABLE t (id int, a text);\n"
    "CREATE FUNCTION cents(amount numeric, rate numeric, places int DEFAULT 2) RETURNS numeric\n"
    "  LANGUAGE sql IMMUTABLE AS 'SELECT round(amount * rate, places)';\n"
    "CREATE FUNCTION tag(a text, VARIADIC more text[]) RETURNS text\n"
    "  LANGUAGE sql AS 'SELECT a';\n"
    "CREATE FUNCTION two(a int) RETURNS int LANGUAGE sql AS 'SELECT a';\n"
    "CREATE FUNCTION two(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';\n"
)

#: a call of the folder's functions: (the second migration, the kind check says, or None)
FOLDER_CASES = {
    "too few for the folder's function": ("SELECT cents(1);\n", REFUSED),
    "too many, in a view": (
        "SELECT 1;\nCREATE VIEW v AS SELECT cents(id, 1, 2, 3) FROM t;\n",
        ("missing_prerequisite", (2, "42883")),
    ),
    "none of its overloads takes three": ("SELECT two(1, 2, 3);\n", REFUSED),
    "in a SQL function's body": (
        "CREATE FUNCTION total() RETURNS numeric LANGUAGE sql AS 'SELECT cents(1)';\n",
        REFUSED,
    ),
    # the forms that run
    "with and without its default, named, each overload, VARIADIC": (
        "SELECT cents(1, 2), cents(1, 2, 3), cents(amount => 1, rate => 2),"
        " two(1), two(1, 2), tag('a', 'b', 'c'), tag('a', VARIADIC ARRAY['b']);\n",
        None,
    ),
    "in a PL/pgSQL body, resolved when it runs": (
        "CREATE FUNCTION later() RETURNS numeric LANGUAGE plpgsql AS\n"
        "  $$ BEGIN RETURN cents(1); END $$;\n",
        None,
    ),
    "made again with another parameter first": (
        "DROP FUNCTION cents(numeric, numeric, int);\n"
        "CREATE FUNCTION cents(amount numeric) RETURNS numeric LANGUAGE sql AS 'SELECT amount';\n"
        "SELECT cents(1);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", FOLDER_CASES)
def test_a_call_of_the_folders_function_is_counted_as_the_server_counts_it(case, verdicts):
    second, expected = FOLDER_CASES[case]
    errors, refused = verdicts(FOLDER_FIRST, second)

    assert_kind_verdict(errors, refused, expected)


@pytest.mark.parametrize("case", CASES)
def test_an_argument_count_is_judged_as_the_server_judges_it(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_kind_verdict(errors, refused, expected)


def test_the_argument_counts_kept_are_the_servers_own(pg_conn):
    from migtui.core.builtins import builtin_arities

    found: dict[str, set] = {}
    for name, low, high in pg_conn.execute(
        "SELECT proname, pronargs - pronargdefaults,"
        " CASE WHEN provariadic <> 0 THEN NULL ELSE pronargs END"
        " FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace"
    ):
        found.setdefault(name, set()).add((low, high))
    assert {name: set(spans) for name, spans in builtin_arities().items()} == found
