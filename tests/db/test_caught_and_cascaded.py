"""What PostgreSQL runs although a reading of the statement alone says it
fails: an error an exception handler of the DO block catches, a CASCADE that
takes only a composite type's attribute, a function found through the
search_path, an array type named with its underscore. Check must not call
any of them an error; each runs on the server too. Where the handler hides a
real refusal, check still says so, as a warning."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db


def caught(statement: str, condition: str) -> str:
    return f"DO $$ BEGIN {statement} EXCEPTION WHEN {condition} THEN NULL; END $$;\n"


#: (first migration, second, the kind of the warning check gives, or None)
CAUGHT = {
    "a missing column, undefined_column": (
        "CREATE TABLE a (id int);\n",
        caught("UPDATE a SET z = 1;", "undefined_column"),
        "missing_prerequisite",
    ),
    "a missing column through a join, SQLSTATE": (
        "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
        caught("UPDATE a SET id = b.z FROM b;", "SQLSTATE '42703'"),
        "missing_prerequisite",
    ),
    "a type a column holds, dependent_objects_still_exist": (
        "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE t (m mood);\n",
        caught("DROP TYPE mood;", "dependent_objects_still_exist"),
        "dependent_objects",
    ),
    "a column a view reads, SQLSTATE 2BP01": (
        "CREATE TABLE t (x int);\nCREATE VIEW v AS SELECT x FROM t;\n",
        caught("ALTER TABLE t DROP COLUMN x;", "SQLSTATE '2BP01'"),
        "dependent_objects",
    ),
    "an identity on a column that may hold nulls, object_not_in_prerequisite_state": (
        "CREATE TABLE t (id int);\n",
        caught(
            "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;",
            "object_not_in_prerequisite_state",
        ),
        "conflicting_constraint",
    ),
    "NOT NULL dropped from a key, invalid_table_definition": (
        "CREATE TABLE t (id int PRIMARY KEY);\n",
        caught("ALTER TABLE t ALTER COLUMN id DROP NOT NULL;", "invalid_table_definition"),
        "conflicting_constraint",
    ),
}


@pytest.mark.parametrize("case", CAUGHT)
def test_an_error_the_handler_catches_is_a_warning(case, verdicts, write_migrations, analysis_of):
    first, second, kind = CAUGHT[case]
    errors, refused = verdicts(first, second)

    assert_same_verdict(errors, refused, None, kind)
    native = {
        "001_first.sql": f"-- migrate:up\n{first}-- migrate:down\nSELECT 1;\n",
        "002_second.sql": f"-- migrate:up\n{second}-- migrate:down\nSELECT 1;\n",
    }
    warned = [p for p in analysis_of(write_migrations(native)).problems if p.kind == kind]
    assert [str(p.severity) for p in warned] == ["warning"]


#: (first migration, second, the line check names or None when the server runs
#: it, and the SQLSTATE)
RUNS = {
    "CASCADE takes a composite type's attribute, not the type": (
        "CREATE TYPE mood AS ENUM ('ok');\n"
        "CREATE TYPE pair AS (m mood, n int);\n"
        "CREATE TABLE z (p pair);\n",
        "DROP TYPE mood CASCADE;\nSELECT p FROM z;\nDROP TABLE z;\nDROP TYPE pair;\n",
        None,
    ),
    "a domain's CASCADE, the same": (
        "CREATE DOMAIN pos AS int CHECK (VALUE > 0);\nCREATE TYPE pr AS (a pos, b int);\n",
        "DROP DOMAIN pos CASCADE;\nCREATE TABLE z (p pr);\n",
        None,
    ),
    "without CASCADE the attribute holds the type": (
        "CREATE TYPE mood AS ENUM ('ok');\nCREATE TYPE pair AS (m mood, n int);\n",
        "DROP TYPE mood;\n",
        (1, "2BP01"),
    ),
    "an unqualified function found further along the search_path": (
        "CREATE SCHEMA s;\n"
        "CREATE TYPE s.mood AS ENUM ('ok');\n"
        "CREATE FUNCTION h(m s.mood) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "SET search_path = s, public;\nDROP FUNCTION h(mood);\nDROP TYPE mood;\n",
        None,
    ),
    "array types named with an underscore": (
        "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE a (id int);\n",
        "CREATE TABLE x (m _mood, n _a);\n"
        "ALTER TYPE mood RENAME TO feeling;\n"
        "CREATE TABLE y (f _feeling);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", RUNS)
def test_what_postgresql_runs_is_not_an_error(case, verdicts):
    first, second, expected = RUNS[case]
    errors, refused = verdicts(first, second)

    assert_same_verdict(errors, refused, expected, "dependent_objects")
