"""CREATE OR REPLACE keeps what others may rely on: a view replaced keeps its
columns (names and places; more may follow), and PostgreSQL refuses anything
else (42P16). Each case is two migrations; check must report
`replace_refused` (an error, at its line) exactly when the server refuses the
second one, and nothing when it runs. The names check gives a view's columns
are held to the server's own, form by form.
"""

from __future__ import annotations

import orjson
import pytest
from pglast import parser

from migtui.core.objects.views import output_names
from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

#: select-list items whose column name check tells, and some it leaves unsaid
ITEMS = [
    "id", "t.id", "public.t.id", "a AS x", "lower(a)", "pg_catalog.lower(a)", "1", "'x'",
    "'x'::text", "id::text", "a || b", "(id + 1)::bigint", "NULL", "true", "id IS NULL",
    "id > 1 AND id < 3", "CASE WHEN id > 1 THEN a ELSE b END", "CASE WHEN id > 1 THEN a END",
    "CASE WHEN id > 1 THEN 'x' ELSE 'y' END::text", "COALESCE(a, b)", "NULLIF(a, b)",
    "ARRAY[a, b]", "count(*)", "a::varchar(3)", "(a)", "-id", "b::character varying",
    "CURRENT_DATE", "EXISTS (SELECT 1)", "GREATEST(id, 2)", "a COLLATE \"C\"", "*",
]  # fmt: skip


def test_a_views_column_names_are_the_servers_wherever_check_names_them(pg_conn):
    pg_conn.execute("CREATE TABLE t (id int, a text, b text)")
    named = 0
    for item in ITEMS:
        sql = f"CREATE VIEW v AS SELECT {item}, 2 AS two FROM t"
        pg_conn.execute("DROP VIEW IF EXISTS v")
        pg_conn.execute(sql)
        server = tuple(
            row[0]
            for row in pg_conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'v'::regclass "
                "AND attnum > 0 ORDER BY attnum"
            )
        )
        tree = orjson.loads(parser.parse_sql_json(sql))["stmts"][0]["stmt"]["ViewStmt"]
        mine = output_names(tree)
        assert mine in (None, server), item
        named += mine is not None
    assert named >= len(ITEMS) - 6  # the unsaid ones are few


FIRST = (
    "CREATE TABLE t (id int PRIMARY KEY, a text, b text);\nCREATE VIEW v AS SELECT id, a FROM t;\n"
)

#: (the second migration, the line check names, or None when it runs)
VIEWS = {
    "a column left out": ("CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n", 1),
    "a column renamed by an alias": ("CREATE OR REPLACE VIEW v AS SELECT id, a AS b FROM t;\n", 1),
    "two columns swapped": ("CREATE OR REPLACE VIEW v AS SELECT a, id FROM t;\n", 1),
    "a column renamed, then the old name": (
        "ALTER VIEW v RENAME COLUMN a TO x;\nCREATE OR REPLACE VIEW v AS SELECT id, a FROM t;\n",
        2,
    ),
    "a view renamed, then replaced short": (
        "SELECT 1;\nALTER VIEW v RENAME TO w;\nCREATE OR REPLACE VIEW w AS SELECT id FROM t;\n",
        3,
    ),
    "a column cast to another type": (
        "CREATE OR REPLACE VIEW v AS SELECT id::bigint AS id, a FROM t;\n",
        1,
    ),
    "a column of another type under its name": (
        "SELECT 1;\nCREATE OR REPLACE VIEW v AS SELECT id, id AS a FROM t;\n",
        2,
    ),
    "a constant of another type": (
        "CREATE VIEW k AS SELECT 1 AS n, 'x' AS s;\n"
        "CREATE OR REPLACE VIEW k AS SELECT 1 AS n, 'x'::varchar AS s;\n",
        2,
    ),
    # the forms that run
    # a view of *: its columns are the table's as they were when it was made
    "a view of * replaced by fewer columns": (
        "CREATE VIEW s AS SELECT t.*, 1 AS one FROM t;\n"
        "CREATE OR REPLACE VIEW s AS SELECT id, a FROM t;\n",
        2,
    ),
    "a view of * replaced by *, after a column was added": (
        "CREATE VIEW s AS SELECT * FROM t;\nALTER TABLE t ADD COLUMN c int;\n"
        "CREATE OR REPLACE VIEW s AS SELECT * FROM t;\n"
        "CREATE OR REPLACE VIEW s AS SELECT id, a, b, c, 1 AS one FROM t;\n",
        None,
    ),
    "a view of * over a join replaced without a column": (
        "CREATE TABLE u (id int, z int);\n"
        "CREATE VIEW s AS SELECT * FROM t JOIN u USING (id);\n"
        "CREATE OR REPLACE VIEW s AS SELECT id, a, b FROM t JOIN u USING (id);\n",
        3,
    ),
    "a column added at the end": ("CREATE OR REPLACE VIEW v AS SELECT id, a, b FROM t;\n", None),
    "the same types spelled otherwise": (
        "CREATE OR REPLACE VIEW v AS SELECT id::integer AS id, a::text AS a FROM t;\n",
        None,
    ),
    "the same names from other expressions": (
        "CREATE OR REPLACE VIEW v AS SELECT t.id, lower(b) AS a FROM t;\n",
        None,
    ),
    "the names given in a column list": (
        "CREATE OR REPLACE VIEW v (id, a, extra) AS SELECT id, b, a FROM t;\n",
        None,
    ),
    "a column renamed, then the new name": (
        "ALTER VIEW v RENAME COLUMN a TO x;\nCREATE OR REPLACE VIEW v AS SELECT id, a AS x FROM t;\n",
        None,
    ),
    "dropped first": ("DROP VIEW v;\nCREATE OR REPLACE VIEW v AS SELECT b FROM t;\n", None),
    "gone with its table": (
        "DROP TABLE t CASCADE;\nCREATE TABLE t (z int);\nCREATE OR REPLACE VIEW v AS SELECT z FROM t;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", VIEWS)
def test_check_says_a_view_replaced_loses_a_column_exactly_when_the_server_refuses(case, verdicts):
    second, line = VIEWS[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, line, "replace_refused", "42P16")
    assert all(e.object.startswith("view public.") for e in errors)


FUNCTIONS_FIRST = (
    "CREATE TABLE task (id int);\n"
    "CREATE FUNCTION tasks() RETURNS SETOF task LANGUAGE sql AS 'SELECT * FROM task';\n"
    "CREATE FUNCTION total(x int, y int DEFAULT 0) RETURNS int LANGUAGE sql AS 'SELECT x + y';\n"
    "CREATE FUNCTION pairs() RETURNS TABLE (a int, b text) LANGUAGE sql AS $$ SELECT 1, 'x' $$;\n"
    "CREATE FUNCTION twice(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 2';\n"
)

#: (the second migration, the line check names, or None when it runs)
FUNCTIONS = {
    "rows of a table renamed away, replaced by a new table of the name": (
        "ALTER TABLE task RENAME TO archive_task;\nCREATE TABLE task (id int, prio int);\n"
        "CREATE OR REPLACE FUNCTION tasks() RETURNS SETOF task LANGUAGE sql\n"
        "  AS 'SELECT * FROM task';\n",
        3,
    ),
    "rows of a table renamed, under its new name": (
        "ALTER TABLE task RENAME TO archive_task;\n"
        "CREATE OR REPLACE FUNCTION tasks() RETURNS SETOF archive_task LANGUAGE sql\n"
        "  AS 'SELECT * FROM archive_task';\n",
        None,
    ),
    "the result changed": (
        "CREATE OR REPLACE FUNCTION total(x int, y int DEFAULT 0) RETURNS bigint\n"
        "  LANGUAGE sql AS 'SELECT (x + y)::bigint';\n",
        1,
    ),
    "a parameter renamed": (
        "SELECT 1;\nCREATE OR REPLACE FUNCTION total(a int, y int DEFAULT 0) RETURNS int\n"
        "  LANGUAGE sql AS 'SELECT a + y';\n",
        2,
    ),
    "a default dropped": (
        "CREATE OR REPLACE FUNCTION total(x int, y int) RETURNS int LANGUAGE sql AS 'SELECT x';\n",
        1,
    ),
    "a table result retyped": (
        "CREATE OR REPLACE FUNCTION pairs() RETURNS TABLE (a int, b int)\n"
        "  LANGUAGE sql AS $$ SELECT 1, 2 $$;\n",
        1,
    ),
    "a set where one value was": (
        "CREATE OR REPLACE FUNCTION twice(int) RETURNS SETOF int LANGUAGE sql AS 'SELECT $1';\n",
        1,
    ),
    "a table result's columns renamed": (
        "CREATE OR REPLACE FUNCTION pairs() RETURNS TABLE (c int, d text)\n"
        "  LANGUAGE sql AS $$ SELECT 1, 'y' $$;\n",
        1,
    ),
    # the forms that run
    "one output parameter renamed": (
        "CREATE FUNCTION one(OUT n int) LANGUAGE sql AS 'SELECT 1';\n"
        "CREATE OR REPLACE FUNCTION one(OUT m int) LANGUAGE sql AS 'SELECT 2';\n",
        None,
    ),
    "another body, the same shape": (
        "CREATE OR REPLACE FUNCTION total(x integer, y integer = 0) RETURNS integer\n"
        "  LANGUAGE plpgsql AS $$ BEGIN RETURN y + x; END $$;\n",
        None,
    ),
    "another overload": (
        "CREATE OR REPLACE FUNCTION total(x bigint) RETURNS bigint LANGUAGE sql AS 'SELECT x';\n",
        None,
    ),
    "dropped first": (
        "DROP FUNCTION total(int, int);\n"
        "CREATE OR REPLACE FUNCTION total(a int, b int) RETURNS bigint LANGUAGE sql AS 'SELECT 1';\n",
        None,
    ),
    "a result type spelled with its schema, then without": (
        "CREATE SCHEMA s;\nCREATE TYPE s.m AS ENUM ('a');\n"
        "CREATE FUNCTION mood() RETURNS s.m LANGUAGE sql AS $$ SELECT 'a'::s.m $$;\n"
        "SET search_path = s, public;\n"
        "CREATE OR REPLACE FUNCTION public.mood() RETURNS m LANGUAGE sql AS $$ SELECT 'a'::m $$;\n",
        None,
    ),
    "a name for an unnamed parameter, a default added": (
        "CREATE OR REPLACE FUNCTION twice(n int DEFAULT 1) RETURNS int LANGUAGE sql AS 'SELECT n';\n",
        None,
    ),
}


@pytest.mark.parametrize("case", FUNCTIONS)
def test_check_says_a_function_replaced_changes_shape_exactly_when_the_server_refuses(
    case, verdicts
):
    second, line = FUNCTIONS[case]
    errors, refused = verdicts(FUNCTIONS_FIRST, second)

    assert_same_verdict(errors, refused, line, "replace_refused", "42P13")
    assert all(e.object.startswith("function public.") for e in errors)


def test_a_function_made_again_without_or_replace_is_refused(verdicts):
    second = "CREATE FUNCTION twice(integer) RETURNS int LANGUAGE sql AS 'SELECT 2';\n"
    errors, refused = verdicts(FUNCTIONS_FIRST, second)

    assert refused == "42723"
    [error] = errors
    assert error.kind == "already_exists" and "(42723)" in error.message
    assert error.line == 2
