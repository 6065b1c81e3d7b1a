"""A SQL function's body, read at creation, must end in a query giving one
column of a type that converts to the type the function returns on
assignment: PostgreSQL refuses the function otherwise (42P13). Each case
runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE t (id int, name text, at timestamptz, n bigint);\n"


def sql_function(returns: str, body: str) -> str:
    return f"CREATE FUNCTION f() RETURNS {returns} LANGUAGE sql AS $$ {body} $$;\n"


#: (the second migration, the line check names or None when the server makes it)
CASES = {
    "a text column for an integer": (sql_function("integer", "SELECT name FROM t"), 1),
    "a quoted constant for an integer": (sql_function("int", "SELECT '1'"), 1),
    "an integer for a boolean": (sql_function("boolean", "SELECT 1"), 1),
    "a text for a uuid": (sql_function("uuid", "SELECT name FROM t LIMIT 1"), 1),
    "two columns for an integer": (sql_function("int", "SELECT id, n FROM t"), 1),
    "two columns for a set of integers": (
        "SELECT 1;\n" + sql_function("SETOF int", "SELECT id, n FROM t"),
        2,
    ),
    "the last of two queries": (
        sql_function("int", "SELECT id FROM t; SELECT name FROM t"),
        1,
    ),
    # the ones PostgreSQL makes
    "a bigint for an integer": (sql_function("integer", "SELECT count(*) FROM t"), None),
    "an integer for a text": (sql_function("text", "SELECT id FROM t"), None),
    "a timestamptz for a date": (sql_function("date", "SELECT at FROM t"), None),
    "a cast to the type": (sql_function("int", "SELECT name::int FROM t"), None),
    "a row of the table": (sql_function("SETOF t", "SELECT * FROM t"), None),
    "output parameters": (
        "CREATE FUNCTION f(OUT a int, OUT b text) LANGUAGE sql AS $$ SELECT id, name FROM t $$;\n",
        None,
    ),
    "void": (sql_function("void", "SELECT name FROM t"), None),
    "a body not checked at creation": (
        "SET check_function_bodies = off;\n" + sql_function("int", "SELECT name FROM t"),
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_sql_function_returns_what_it_says(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42P13") if line else None, "invalid_definition")
