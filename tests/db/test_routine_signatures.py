"""A routine is named by its argument types, which a later statement may spell
another way: ``int`` or ``integer``, ``varchar(20)`` or ``character varying``,
a type with or without its schema, by name or through ``%TYPE``. check must
find the routine exactly when PostgreSQL does: ALTER, DROP, GRANT and COMMENT
of a routine it lacks fail (42883), the others run.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

#: (first migration, second, the line of the second check names or None)
CASES = {
    "integer types spelled apart": (
        "CREATE FUNCTION f(a int4, b float8, c timestamp) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "DROP FUNCTION f(integer, double precision, timestamp without time zone);\n",
        None,
    ),
    "a length left out": (
        "CREATE FUNCTION f(a varchar(20), b numeric(10, 2)) RETURNS int\n"
        "  LANGUAGE sql AS 'SELECT 1';\n",
        "DROP FUNCTION f(character varying, numeric);\n",
        None,
    ),
    "arrays and OUT parameters": (
        "CREATE FUNCTION f(a int[], OUT b text) LANGUAGE sql AS 'SELECT ''x''';\n",
        "ALTER FUNCTION f(integer[], OUT text) OWNER TO CURRENT_USER;\n",
        None,
    ),
    "a type qualified, then found on the search_path": (
        "CREATE SCHEMA s;\nCREATE TYPE s.m AS ENUM ('a');\n"
        "CREATE FUNCTION f(x s.m) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "SET search_path = s, public;\nDROP FUNCTION public.f(m);\n",
        None,
    ),
    "a type found on the search_path, then qualified": (
        "CREATE SCHEMA s;\nCREATE TYPE s.m AS ENUM ('a');\nSET search_path = s, public;\n"
        "CREATE FUNCTION public.f(x m) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "GRANT EXECUTE ON FUNCTION f(s.m) TO PUBLIC;\n",
        None,
    ),
    "an argument of a column's %TYPE": (
        "CREATE TABLE t (a int);\n"
        "CREATE FUNCTION f(x t.a%TYPE) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "COMMENT ON FUNCTION f(integer) IS 'x';\n",
        None,
    ),
    # the ones PostgreSQL does not find
    "another type": (
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "DROP FUNCTION f(bigint);\n",
        1,
    ),
    "one argument too many": (
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "SELECT 1;\nALTER FUNCTION f(int, int) OWNER TO CURRENT_USER;\n",
        2,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_routine_is_found_by_its_types_however_spelled(case, verdicts):
    first, second, line = CASES[case]
    errors, refused = verdicts(first, second)

    assert refused == ("42883" if line else None)
    assert [(e.kind, e.line) for e in errors] == (
        [("missing_prerequisite", line + 1)] if line else []
    )
