"""A SQL-language function's body is analysed when the function is made (with
check_function_bodies on, as it is by default; a body written BEGIN ATOMIC
always): a column it names must be there then, PostgreSQL refuses otherwise
(42703). A bare name may be one of the function's parameters. PL/pgSQL bodies
resolve names only when they run, and are not judged so."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE t (a int, n text);\n"

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "a column the table lacks, in a quoted body": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT b FROM t';\n",
        1,
    ),
    "a column the table lacks, in a BEGIN ATOMIC body": (
        "SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
        "  BEGIN ATOMIC SELECT c FROM t; END;\n",
        3,
    ),
    "an UPDATE's column the table lacks": (
        "CREATE FUNCTION f(x text) RETURNS void LANGUAGE sql AS 'UPDATE t SET m = x';\n",
        1,
    ),
    # the ones that run
    "parameters named bare, columns that are there": (
        "CREATE FUNCTION f(b int) RETURNS int LANGUAGE sql AS 'SELECT a FROM t WHERE a = b';\n"
        "CREATE FUNCTION g(x text) RETURNS void LANGUAGE sql\n"
        "  AS 'UPDATE t SET n = x WHERE a = 1; INSERT INTO t (a, n) VALUES (1, x)';\n"
        "CREATE FUNCTION h() RETURNS bigint LANGUAGE sql\n"
        "  BEGIN ATOMIC SELECT count(*) FROM t WHERE n IS NOT NULL; END;\n",
        None,
    ),
    "PL/pgSQL, and a SQL body with check_function_bodies off": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql\n"
        "  AS $$ BEGIN RETURN (SELECT b FROM t); END $$;\n"
        "SET check_function_bodies = off;\n"
        "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT b FROM t';\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_sql_body_names_columns_that_are_there(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(
        errors, refused, expected, "missing_prerequisite", "42703", says_state=False
    )


#: (the second migration, (the line of the name in the body, SQLSTATE) or None
#: when it runs)
OWN_PATH = {
    "a table its own search_path lacks": (
        "CREATE SCHEMA app;\nCREATE FUNCTION f() RETURNS bigint LANGUAGE sql\n"
        "  SET search_path = app AS 'SELECT count(*) FROM t';\n",
        (3, "42P01"),
    ),
    "a column the table on its own search_path lacks": (
        "CREATE SCHEMA app;\nCREATE TABLE app.t (z int);\n"
        "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql SET work_mem = '1MB'\n"
        "  SET search_path = app AS 'SELECT count(a) FROM t';\n",
        (4, "42703"),
    ),
    "a qualified table missing, under an empty search_path of its own": (
        "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql\n"
        "  SET search_path = '' AS $$ SELECT count(*) FROM public.members $$;\n",
        (2, "42P01"),
    ),
    "a qualified column missing, under an empty search_path of its own": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path TO ''\n"
        "  AS 'SELECT b FROM public.t';\n",
        (2, "42703"),
    ),
    "a table written without a schema, under an empty search_path of its own": (
        "CREATE FUNCTION f(x int) RETURNS text LANGUAGE sql SET search_path = ''\n"
        "  AS $$\n SELECT n FROM t WHERE a = x $$;\n",
        (3, "42P01"),
    ),
    "a function written without a schema, under an empty search_path of its own": (
        "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = ''\n"
        "  AS $$ SELECT g() + 1 $$;\n",
        (3, "42883"),
    ),
    "a table missing, under the search_path it keeps FROM CURRENT": (
        "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql\n"
        "  SET search_path FROM CURRENT AS 'SELECT count(*) FROM nosuch';\n",
        (2, "42P01"),
    ),
    # the forms that run
    "a table written without a schema, under the search_path it keeps FROM CURRENT": (
        "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql\n"
        "  SET search_path FROM CURRENT AS $$ SELECT count(a) FROM t $$;\n",
        None,
    ),
    "qualified names and pg_catalog's, under an empty search_path of its own": (
        "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql SET search_path = ''\n"
        "  AS $$ SELECT count(*) FROM public.t WHERE now() > '2020-01-01' $$;\n",
        None,
    ),
    "a table found along its own search_path": (
        "CREATE SCHEMA app;\nCREATE TABLE app.u (z int);\n"
        "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql\n"
        "  SET search_path = app, public AS 'SELECT count(*) FROM u, t';\n",
        None,
    ),
}


@pytest.mark.parametrize("case", OWN_PATH)
def test_a_sql_body_is_read_along_the_functions_own_search_path(case, verdicts):
    second, expected = OWN_PATH[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, expected, "missing_prerequisite", says_state=False)


#: (the second migration, (the line check names, SQLSTATE) or None when it runs)
DECLARED = {
    "a function's variable of a table's rows, the table missing": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
        "DECLARE r orders%ROWTYPE; BEGIN RETURN 1; END $$;\n",
        (1, "42P01"),
    ),
    "a DO block's variable of a column the table lacks": (
        "SELECT 1;\nDO $$\nDECLARE v t.total%TYPE;\nBEGIN NULL; END $$;\n",
        (3, "42703"),
    ),
    "a function's variable of a type nothing made": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
        "DECLARE n int; s status_t := NULL; BEGIN RETURN 1; END $$;\n",
        (1, "42704"),
    ),
    "a DO block's variable of a type nothing made": (
        "DO $$\nDECLARE\n  s public.status_t;\nBEGIN NULL; END $$;\n",
        (3, "42704"),
    ),
    "a variable of a table's rows written without a schema, under an empty search_path": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql SET search_path = '' AS $$\n"
        "DECLARE r t%ROWTYPE; BEGIN RETURN 1; END $$;\n",
        (1, "42P01"),
    ),
    "a variable of a table's row type written without a schema, under an empty search_path": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql SET search_path = '' AS $$\n"
        "DECLARE\n  r t;\nBEGIN RETURN 1; END $$;\n",
        (1, "42704"),
    ),
    # the forms that run
    "qualified variables and pg_catalog's rows, under an empty search_path": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql SET search_path = '' AS $$\n"
        "DECLARE r public.t%ROWTYPE; c pg_class%ROWTYPE; v public.t.n%TYPE; n text;\n"
        "BEGIN RETURN 1; END $$;\n",
        None,
    ),
    "variables of the folder's types, records, cursors and a table's rows": (
        "CREATE TYPE mood AS ENUM ('ok');\n"
        "CREATE SCHEMA s;\nCREATE TYPE s.level AS ENUM ('low');\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql SET search_path = s, public AS $$\n"
        "DECLARE m mood := 'ok'; l level; row t; r record; c CURSOR FOR SELECT 1;\n"
        "BEGIN FOR x IN c LOOP NULL; END LOOP; RETURN 1; END $$;\n",
        None,
    ),
    "a variable of a composite type's rows": (
        "CREATE TYPE parts AS (freq text, count int);\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
        "DECLARE r parts%ROWTYPE; BEGIN RETURN r.count; END $$;\n",
        None,
    ),
    "variables of a table's rows, its column, another variable's type": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
        "DECLARE r T%ROWTYPE; v t.A%TYPE; w v%TYPE; BEGIN RETURN 1; END $$;\n"
        "DO $$ DECLARE r public.t%rowtype; BEGIN NULL; END $$;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", DECLARED)
def test_a_plpgsql_declare_copies_types_from_what_is_there(case, verdicts):
    second, expected = DECLARED[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, expected, "missing_prerequisite", says_state=False)


def test_a_declare_of_pg_catalogs_rows_needs_nothing(verdicts):
    second = (
        "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $$\n"
        "DECLARE r pg_roles; BEGIN SELECT * INTO r FROM pg_roles LIMIT 1; RETURN r.rolname; END $$;\n"
    )
    errors, refused = verdicts(FIRST, second)
    assert (errors, refused) == ([], None)
