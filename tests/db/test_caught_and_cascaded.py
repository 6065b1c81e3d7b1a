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


TRIGGER = (
    "CREATE TABLE a (x int, y int);\n"
    "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n"
    "CREATE TRIGGER trg BEFORE UPDATE OF x ON a FOR EACH ROW\n"
    "  WHEN (OLD.y IS DISTINCT FROM NEW.y) EXECUTE FUNCTION f();\n"
)

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
    "a whole row read by a check, an index and policies": (
        "CREATE TABLE t (a int, b int);\n"
        "CREATE FUNCTION ok(t) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT true';\n",
        "ALTER TABLE t ADD CHECK (ok(t));\n"
        "CREATE INDEX t_ok ON t ((ok(t)));\n"
        "CREATE POLICY p ON t USING (ok(t));\n"
        "CREATE POLICY q ON t USING (to_jsonb(t.*) IS NOT NULL);\n",
        None,
    ),
    "plpgsql, which every database has": (
        "SELECT 1;\n",
        "COMMENT ON EXTENSION plpgsql IS 'procedures';\nCREATE EXTENSION IF NOT EXISTS plpgsql;\n",
        None,
    ),
    "a function a default no longer calls": (
        "CREATE FUNCTION code() RETURNS text LANGUAGE sql AS $$SELECT 'x'$$;\n"
        "CREATE FUNCTION cents(numeric) RETURNS int LANGUAGE sql IMMUTABLE AS $$SELECT 1$$;\n"
        "CREATE TABLE c (code text DEFAULT code(), p numeric,\n"
        "  pc int GENERATED ALWAYS AS (cents(p)) STORED);\n",
        "ALTER TABLE c ALTER code SET DEFAULT 'y';\n"
        "DROP FUNCTION code();\n"
        "ALTER TABLE c ALTER pc SET EXPRESSION AS (p::int);\n"
        "DROP FUNCTION cents(numeric);\n"
        "ALTER TABLE c ALTER pc DROP EXPRESSION;\n"
        "ALTER TABLE c DROP COLUMN p;\n",
        None,
    ),
    "a serial's sequence numbered where the name is taken": (
        "CREATE TABLE t (id serial);\n",
        "ALTER TABLE t RENAME TO t_old;\n"
        "CREATE TABLE t (id serial);\n"
        "SELECT setval('t_id_seq1', 5);\n"
        "DROP TABLE t_old;\n"
        "ALTER SEQUENCE t_id_seq1 RENAME TO t_id_seq;\n",
        None,
    ),
    "an identity's sequence named by the identity": (
        "CREATE TABLE o (id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME order_numbers));\n",
        "ALTER SEQUENCE order_numbers RESTART WITH 100;\n",
        None,
    ),
    "a sequence owned by nothing outlives its table": (
        "CREATE TABLE tickets (id serial);\n",
        "ALTER SEQUENCE tickets_id_seq OWNED BY NONE;\n"
        "ALTER TABLE tickets ALTER id DROP DEFAULT;\n"
        "DROP TABLE tickets;\n"
        "SELECT nextval('tickets_id_seq');\n",
        None,
    ),
    "a table made LIKE another gets copies of its indexes and identity": (
        "CREATE TABLE p (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text UNIQUE);\n"
        "CREATE INDEX p_lower ON p (lower(email));\n",
        "CREATE TABLE d (LIKE p INCLUDING ALL);\n"
        "ALTER INDEX d_email_key RENAME TO d_e;\n"
        "ALTER INDEX d_pkey SET (fillfactor = 80);\n"
        "ALTER INDEX d_lower_idx RENAME TO d_l;\n"
        "SELECT nextval('d_id_seq');\n",
        None,
    ),
    "an array type written with its underscore": (
        "CREATE FUNCTION f(a text[]) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
        "CREATE TABLE x (tags _text);\n",
        "DROP FUNCTION f(_text);\nALTER TABLE x ALTER tags TYPE text[];\n",
        None,
    ),
    "a serial made an identity once CASCADE took its default": (
        "CREATE TABLE t (id serial);\n",
        "DROP SEQUENCE t_id_seq CASCADE;\n"
        "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;\n",
        None,
    ),
    "a procedure named without its OUT argument, or without OUT": (
        "CREATE PROCEDURE p(a int, OUT b int) LANGUAGE plpgsql AS $$ BEGIN b := a; END $$;\n",
        "COMMENT ON PROCEDURE p(int) IS 'x';\n"
        "ALTER PROCEDURE p(int, int) RENAME TO q;\n"
        "DROP PROCEDURE q(int, OUT int);\n",
        None,
    ),
    "an unnamed index numbered where the name is taken": (
        "CREATE TABLE t (a int);\nCREATE INDEX ON t (a);\n",
        "CREATE INDEX ON t (a);\nDROP INDEX t_a_idx1;\nDROP INDEX t_a_idx;\n",
        None,
    ),
    "DROP IDENTITY takes its sequence": (
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);\n",
        "ALTER TABLE t ALTER COLUMN id DROP IDENTITY;\nCREATE SEQUENCE t_id_seq;\n",
        None,
    ),
    "a trigger's columns, once the trigger is gone": (
        TRIGGER,
        "DROP TRIGGER trg ON a;\nALTER TABLE a DROP COLUMN x;\nALTER TABLE a DROP COLUMN y;\n",
        None,
    ),
    "a trigger's column dropped with CASCADE, the trigger made anew": (
        TRIGGER,
        "ALTER TABLE a DROP COLUMN x CASCADE;\n"
        "CREATE TRIGGER trg BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION f();\n",
        None,
    ),
    "a comment on a composite type's attribute": (
        "CREATE TYPE address AS (zip text);\n",
        "COMMENT ON COLUMN address.zip IS 'postal code';\n",
        None,
    ),
    "a range's constructors keep their name when the type is renamed or moved": (
        "CREATE SCHEMA s;\nCREATE TYPE fr AS RANGE (subtype = float8);\n",
        "ALTER TYPE fr RENAME TO fr2;\nALTER TYPE fr2 SET SCHEMA s;\n"
        "SELECT fr(1, 2), fr_multirange();\n",
        None,
    ),
    "a PL/pgSQL routine taking and returning arrays of the folder's types": (
        "CREATE TYPE job AS (id int, name text);\nCREATE TYPE mood AS ENUM ('ok');\n",
        "CREATE FUNCTION defer_jobs(jobs job[]) RETURNS mood[] LANGUAGE plpgsql\n"
        "  AS $$ BEGIN RETURN ARRAY['ok'::mood]; END $$;\n",
        None,
    ),
    "a variable of the folder's enum among others in one INTO": (
        "CREATE TYPE mood AS ENUM ('ok');\nCREATE DOMAIN score AS int;\n",
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\n"
        "DECLARE m mood; s score; n int;\n"
        "BEGIN SELECT 'ok'::mood, 1, 2 INTO m, s, n; END $$;\n",
        None,
    ),
    "a field of a %ROWTYPE variable assigned, in a function and in a DO block": (
        "CREATE TABLE totals (id int, sum numeric);\n",
        "CREATE FUNCTION zero() RETURNS totals LANGUAGE plpgsql AS $$\n"
        "DECLARE r totals%ROWTYPE; n totals.id%TYPE;\n"
        "BEGIN r.sum := 0; r.id := 1; RETURN r; END $$;\n"
        "DO $$ DECLARE r public.totals%rowtype; BEGIN r.id := 2; INSERT INTO totals SELECT r.*; END $$;\n"
        "ALTER TABLE totals ADD COLUMN note text;\n",
        None,
    ),
    "an aggregate dropped, then its function and schema": (
        "CREATE SCHEMA app;\n"
        "CREATE FUNCTION app.merge(jsonb, jsonb) RETURNS jsonb LANGUAGE sql AS 'SELECT $1 || $2';\n"
        "CREATE AGGREGATE app.merged(jsonb) (sfunc = app.merge, stype = jsonb);\n",
        "DROP AGGREGATE app.merged(jsonb);\nDROP FUNCTION app.merge(jsonb, jsonb);\nDROP SCHEMA app;\n",
        None,
    ),
    "a column UPDATE OF names": (TRIGGER, "ALTER TABLE a DROP COLUMN x;\n", (1, "2BP01")),
    "a column WHEN reads": (TRIGGER, "SELECT 1;\nALTER TABLE a DROP COLUMN y;\n", (2, "2BP01")),
}


@pytest.mark.parametrize("case", RUNS)
def test_check_refuses_exactly_what_the_server_refuses(case, verdicts):
    first, second, expected = RUNS[case]
    errors, refused = verdicts(first, second)

    assert_same_verdict(errors, refused, expected, "dependent_objects")


def test_a_range_type_dropped_takes_its_constructors(verdicts):
    errors, refused = verdicts(
        "CREATE TYPE fr AS RANGE (subtype = float8);\n",
        "DROP TYPE fr;\nSELECT fr(1, 2);\n",
    )

    assert refused == "42883"
    [error] = errors
    assert (error.kind, error.line, error.object) == ("dropped", 3, "function public.fr(…)")


def test_a_body_read_past_a_rowtype_field_still_shows_its_own_mistake(verdicts):
    errors, refused = verdicts(
        "CREATE TABLE totals (id int, sum numeric);\n",
        "CREATE FUNCTION zero() RETURNS totals LANGUAGE plpgsql AS $$\n"
        "DECLARE r totals%ROWTYPE;\nBEGIN r.sum := 0; undeclared := 1; RETURN r; END $$;\n",
    )

    assert refused == "42601"
    [error] = errors
    assert error.kind == "syntax_error" and '"undeclared" is not a known variable' in error.message
