"""DROP or ALTER FUNCTION naming no arguments, where several functions (or
procedures) have that name: PostgreSQL cannot tell which is meant (42725),
even with IF EXISTS. A CREATE OR REPLACE with other arguments makes a second
one, which is how a history usually gets there. check must report it exactly
when the server refuses.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

TWO = (
    "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
    "CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT 2';\n"
)
ONE = "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"

#: (first migration, second, the line of the second check names or None)
CASES = {
    "two of the name": (TWO, "DROP FUNCTION f;\n", 1),
    "two, with IF EXISTS": (TWO, "SELECT 1;\nDROP FUNCTION IF EXISTS f;\n", 2),
    "two, altered": (TWO, "ALTER FUNCTION f OWNER TO CURRENT_USER;\n", 1),
    "a second made by OR REPLACE with more arguments": (
        ONE,
        "CREATE OR REPLACE FUNCTION f(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
        "DROP FUNCTION f;\n",
        2,
    ),
    "two, commented on": (TWO, "COMMENT ON FUNCTION f IS 'x';\n", 1),
    "two, granted": (TWO, "GRANT EXECUTE ON FUNCTION f TO PUBLIC;\n", 1),
    "two, revoked": (TWO, "REVOKE EXECUTE ON FUNCTION f FROM PUBLIC;\n", 1),
    # the ones that run
    "one of the name": (ONE, "DROP FUNCTION f;\n", None),
    "one, commented on and granted": (
        ONE,
        "COMMENT ON FUNCTION f IS 'x';\nGRANT EXECUTE ON FUNCTION f TO PUBLIC;\n",
        None,
    ),
    "two, granted with arguments": (TWO, "GRANT EXECUTE ON FUNCTION f(int) TO PUBLIC;\n", None),
    "one dropped first": (TWO, "DROP FUNCTION f(int);\nDROP FUNCTION f;\n", None),
    "named with its arguments": (TWO, "DROP FUNCTION f(text);\n", None),
    "a procedure of the name": (
        ONE + "CREATE PROCEDURE f(text) LANGUAGE sql AS 'SELECT 1';\n",
        "DROP FUNCTION f;\n",
        None,
    ),
    "one in another schema": (
        ONE
        + "CREATE SCHEMA s;\nCREATE FUNCTION s.f(text) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "DROP FUNCTION f;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_routine_named_without_arguments_must_be_the_only_one(case, verdicts):
    first, second, line = CASES[case]
    errors, refused = verdicts(first, second)

    assert refused == ("42725" if line else None)
    assert [(e.kind, e.line) for e in errors] == ([("ambiguous_routine", line + 1)] if line else [])
