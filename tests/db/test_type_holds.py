"""A column of a type the folder makes (an enum, a domain, a composite) holds
the type: PostgreSQL refuses to drop it while the column stands (2BP01), and
DROP … CASCADE takes the column and what reads the column. A column given
another type first, dropped, or dropped with its table, holds it no more. Each
case runs on the server too; check must report the refusal at its line exactly
when the server refuses.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict, refused_after

pytestmark = pytest.mark.db

ENUM = "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"

#: (first migration, second, the line of the second check names or None)
CITEXT = "CREATE EXTENSION IF NOT EXISTS citext;\n"

CASES = {
    "a column of the enum": (ENUM + "CREATE TABLE a (x mood, y int);\n", "DROP TYPE mood;\n", 1),
    "a column of an extension's type, renamed": (
        CITEXT + "CREATE TABLE a (x citext);\n",
        "ALTER TABLE a RENAME COLUMN x TO email;\nDROP EXTENSION citext;\n",
        2,
    ),
    "a column given an extension's type": (
        CITEXT + "CREATE TABLE a (x text);\n",
        "ALTER TABLE a ALTER x TYPE citext;\nDROP EXTENSION IF EXISTS citext;\n",
        2,
    ),
    "an index using an extension's operator class": (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE TABLE a (name text);\n"
        "CREATE INDEX a_name ON a USING gin (name gin_trgm_ops);\n",
        "DROP EXTENSION IF EXISTS pg_trgm;\n",
        1,
    ),
    "a view calling an extension's function": (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE TABLE a (name text);\n"
        "CREATE VIEW close_names AS SELECT name FROM a WHERE similarity(name, 'x') > 0.3;\n",
        "SELECT 1;\nDROP EXTENSION pg_trgm;\n",
        2,
    ),
    "the index dropped first": (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE TABLE a (name text);\n"
        "CREATE INDEX a_name ON a USING gin (name gin_trgm_ops);\n",
        "DROP INDEX a_name;\nDROP EXTENSION pg_trgm;\n",
        None,
    ),
    "an extension's type given up first": (
        CITEXT + "CREATE TABLE a (x citext, y citext);\n",
        "ALTER TABLE a ALTER x TYPE text;\nALTER TABLE a DROP COLUMN y;\nDROP EXTENSION citext;\n",
        None,
    ),
    "a column of an array of the enum": (
        ENUM + "CREATE TABLE a (x mood[], y int);\n",
        "DROP TYPE mood;\n",
        1,
    ),
    "an array column dropped first": (
        ENUM + "CREATE TABLE a (x mood[], y int);\n",
        "ALTER TABLE a DROP COLUMN x;\nDROP TYPE mood;\n",
        None,
    ),
    "a function taking the enum": (
        ENUM + "CREATE FUNCTION h(m mood) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "DROP TYPE mood;\n",
        1,
    ),
    "a function returning the enum": (
        ENUM + "CREATE FUNCTION h() RETURNS mood LANGUAGE sql AS $$SELECT 'ok'::mood$$;\n",
        "SELECT 1;\nDROP TYPE mood;\n",
        2,
    ),
    "a function returning a table's rows": (
        "CREATE TABLE a (y int);\n"
        "CREATE FUNCTION g() RETURNS SETOF a LANGUAGE plpgsql AS $$BEGIN END$$;\n",
        "DROP TABLE a;\n",
        1,
    ),
    "a function returning a table's rows, dropped first": (
        "CREATE TABLE a (y int);\n"
        "CREATE FUNCTION g() RETURNS SETOF a LANGUAGE plpgsql AS $$BEGIN END$$;\n",
        "DROP FUNCTION g();\nDROP TABLE a;\n",
        None,
    ),
    "a function returning a table's rows, the table dropped with CASCADE": (
        "CREATE TABLE a (y int);\n"
        "CREATE FUNCTION g() RETURNS SETOF a LANGUAGE plpgsql AS $$BEGIN END$$;\n",
        "DROP TABLE a CASCADE;\n",
        None,
    ),
    "a function returning a table's rows, the table renamed and its name taken": (
        "CREATE TABLE a (y int);\n"
        "CREATE FUNCTION g() RETURNS SETOF a LANGUAGE plpgsql AS $$BEGIN END$$;\n"
        "ALTER TABLE a RENAME TO b;\nCREATE TABLE a (z int);\n",
        "DROP TABLE a;\n",
        None,
    ),
    "a function returning a table's rows, the table renamed": (
        "CREATE TABLE a (y int);\n"
        "CREATE FUNCTION g() RETURNS SETOF a LANGUAGE plpgsql AS $$BEGIN END$$;\n"
        "ALTER TABLE a RENAME TO b;\n",
        "DROP TABLE b;\n",
        1,
    ),
    "a function taking a table's rows, the table renamed, both dropped": (
        "CREATE TABLE t (id int);\n"
        "CREATE FUNCTION f(r t) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "ALTER TABLE t RENAME TO u;\nDROP FUNCTION f(u);\nDROP TABLE u;\n",
        None,
    ),
    "a function taking a table's rows, the table renamed and dropped": (
        "CREATE TABLE t (id int);\n"
        "CREATE FUNCTION f(r t) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "ALTER TABLE t RENAME TO u;\nDROP TABLE u;\n",
        2,
    ),
    "a function taking the enum, the enum renamed, both dropped": (
        ENUM + "CREATE FUNCTION f(m mood) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "ALTER TYPE mood RENAME TO feeling;\nDROP FUNCTION f(feeling);\nDROP TYPE feeling;\n",
        None,
    ),
    "a function replaced under the renamed table's name": (
        "CREATE TABLE t (id int);\n"
        "CREATE FUNCTION f(r t) RETURNS SETOF t LANGUAGE sql AS 'SELECT r';\n",
        "ALTER TABLE t RENAME TO u;\n"
        "CREATE OR REPLACE FUNCTION f(r u) RETURNS SETOF u LANGUAGE sql AS 'SELECT r';\n"
        "DROP FUNCTION f(u);\nDROP TABLE u;\n",
        None,
    ),
    "a composite type's attribute of the enum": (
        ENUM + "CREATE TYPE pair AS (m mood, n int);\n",
        "DROP TYPE mood;\n",
        1,
    ),
    "a domain over the enum": (ENUM + "CREATE DOMAIN dm AS mood;\n", "DROP TYPE mood;\n", 1),
    "a composite type dropped first": (
        ENUM + "CREATE TYPE pair AS (m mood, n int);\n",
        "DROP TYPE pair;\nDROP TYPE mood;\n",
        None,
    ),
    "a column added later": (
        ENUM + "CREATE TABLE a (y int);\nALTER TABLE a ADD COLUMN x mood;\n",
        "SELECT 1;\nDROP TYPE mood;\n",
        2,
    ),
    "a column retyped onto it": (
        ENUM + "CREATE TABLE a (x text);\nALTER TABLE a ALTER COLUMN x TYPE mood USING x::mood;\n",
        "DROP TYPE mood;\n",
        1,
    ),
    "a domain": (
        "CREATE DOMAIN pos AS int CHECK (VALUE > 0);\nCREATE TABLE a (x pos);\n",
        "DROP DOMAIN pos;\n",
        1,
    ),
    "a composite type, its column and table renamed": (
        "CREATE TYPE pt AS (x int, y int);\nCREATE TABLE a (p pt);\n",
        "ALTER TABLE a RENAME TO b;\nALTER TABLE b RENAME COLUMN p TO q;\nDROP TYPE pt;\n",
        3,
    ),
    "the type renamed": (
        ENUM + "CREATE TABLE a (x mood);\n",
        "ALTER TYPE mood RENAME TO feeling;\nDROP TYPE feeling;\n",
        2,
    ),
    "an enum rewritten as Prisma does, then the new one dropped": (
        ENUM + "CREATE TABLE a (x mood NOT NULL DEFAULT 'ok');\n",
        "ALTER TABLE a ALTER COLUMN x DROP DEFAULT;\n"
        "CREATE TYPE mood_new AS ENUM ('ok', 'glad');\n"
        "ALTER TABLE a ALTER COLUMN x TYPE mood_new USING (x::text::mood_new);\n"
        "ALTER TYPE mood RENAME TO mood_old;\nALTER TYPE mood_new RENAME TO mood;\n"
        "DROP TYPE mood_old;\nDROP TYPE mood;\n",
        7,
    ),
    "a function a view calls, renamed": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
        "CREATE VIEW v AS SELECT f() AS x;\n",
        "ALTER FUNCTION f() RENAME TO g;\nDROP FUNCTION g();\n",
        2,
    ),
    "the type's schema": (
        "CREATE SCHEMA s;\nCREATE TYPE s.mood AS ENUM ('ok');\nCREATE TABLE a (x s.mood);\n",
        "DROP TYPE s.mood;\n",
        1,
    ),
    "the default of a column given another type": (
        ENUM + "CREATE TABLE a (x mood DEFAULT 'ok');\n",
        "ALTER TABLE a ALTER COLUMN x TYPE text;\nDROP TYPE mood;\n",
        2,
    ),
    "a typed default of a column renamed, its table too, then given another type": (
        ENUM + "CREATE TABLE a (x mood NOT NULL DEFAULT 'ok'::mood);\n",
        "ALTER TABLE a RENAME COLUMN x TO feeling;\nALTER TABLE a RENAME TO b;\n"
        "ALTER TABLE b ALTER COLUMN feeling TYPE varchar(10);\nDROP TYPE mood;\n",
        4,
    ),
    "the default of a column given another type, the enum renamed": (
        ENUM + "CREATE TABLE a (x mood DEFAULT 'ok');\n",
        "ALTER TABLE a ALTER COLUMN x TYPE text;\nALTER TYPE mood RENAME TO mood_old;\n"
        "DROP TYPE mood_old;\n",
        3,
    ),
    "a CHECK casting to the enum": (
        ENUM + "CREATE TABLE a (x text CHECK (x::mood IS NOT NULL));\n",
        "DROP TYPE mood;\n",
        1,
    ),
    "a view casting to the enum": (
        ENUM + "CREATE VIEW happy AS SELECT 'ok'::mood AS feeling;\n",
        "SELECT 1;\nDROP TYPE mood;\n",
        2,
    ),
    "a view casting to a domain": (
        "CREATE DOMAIN positive AS int CHECK (VALUE > 0);\n"
        "CREATE VIEW one AS SELECT 1::positive AS n;\n",
        "DROP DOMAIN positive;\n",
        1,
    ),
    # the drops that run
    "the view and the CHECK casting to it dropped first": (
        ENUM + "CREATE TABLE a (x text CONSTRAINT x_mood CHECK (x::mood IS NOT NULL));\n"
        "CREATE VIEW happy AS SELECT 'ok'::mood AS feeling;\n",
        "DROP VIEW happy;\nALTER TABLE a DROP CONSTRAINT x_mood;\nDROP TYPE mood;\n",
        None,
    ),
    "CASCADE takes the view and the CHECK casting to it": (
        ENUM + "CREATE TABLE a (x text CONSTRAINT x_mood CHECK (x::mood IS NOT NULL));\n"
        "CREATE VIEW happy AS SELECT 'ok'::mood AS feeling;\n",
        "DROP TYPE mood CASCADE;\nCREATE VIEW happy AS SELECT 1 AS feeling;\n"
        "ALTER TABLE a ADD CONSTRAINT x_mood CHECK (x <> '');\n",
        None,
    ),
    "the default dropped after the column is given another type": (
        ENUM + "CREATE TABLE a (x mood DEFAULT 'ok');\n",
        "ALTER TABLE a ALTER COLUMN x TYPE text;\nALTER TABLE a ALTER COLUMN x DROP DEFAULT;\n"
        "DROP TYPE mood;\n",
        None,
    ),
    "the default set again with the new type": (
        ENUM + "CREATE TABLE a (x mood DEFAULT 'ok');\n",
        "ALTER TABLE a ALTER COLUMN x TYPE text, ALTER COLUMN x SET DEFAULT 'ok';\n"
        "DROP TYPE mood;\n",
        None,
    ),
    "CASCADE takes the default of a retyped column, not the column": (
        ENUM + "CREATE TABLE a (x mood DEFAULT 'ok');\n",
        "ALTER TABLE a ALTER COLUMN x TYPE text;\nDROP TYPE mood CASCADE;\n"
        "ALTER TABLE a ALTER COLUMN x SET NOT NULL;\nCREATE TYPE mood AS ENUM ('x');\n"
        "DROP TYPE mood;\n",
        None,
    ),
    "a domain's default, its conversion stripped with the type change": (
        "CREATE DOMAIN positive AS int CHECK (VALUE > 0);\nCREATE TABLE a (x positive DEFAULT 1);\n",
        "ALTER TABLE a ALTER COLUMN x TYPE bigint;\nDROP DOMAIN positive;\n",
        None,
    ),
    "the old name of a renamed type, made again": (
        ENUM + "CREATE TABLE a (x mood);\n",
        "ALTER TYPE mood RENAME TO feeling;\nCREATE TYPE mood AS ENUM ('x');\nDROP TYPE mood;\n",
        None,
    ),
    "after its table": (
        ENUM + "CREATE TABLE a (x mood);\n",
        "DROP TABLE a;\nDROP TYPE mood;\n",
        None,
    ),
    "after its column": (
        ENUM + "CREATE TABLE a (x mood, y int);\n",
        "ALTER TABLE a DROP COLUMN x;\nDROP TYPE mood;\n",
        None,
    ),
    "after the column is retyped": (
        ENUM + "CREATE TABLE a (x mood);\n",
        "ALTER TABLE a ALTER COLUMN x TYPE text;\nDROP TYPE mood;\n",
        None,
    ),
    "CASCADE, and the view reading the column": (
        ENUM + "CREATE TABLE a (x mood, y int);\nCREATE VIEW v AS SELECT x FROM a;\n",
        "DROP TYPE mood CASCADE;\nCREATE VIEW v AS SELECT y FROM a;\nALTER TABLE a ADD COLUMN x int;\n",
        None,
    ),
    "an enum rewritten under its old name": (
        ENUM + "CREATE TABLE a (x mood);\n",
        "ALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('ok', 'sad', 'glad');\n"
        "ALTER TABLE a ALTER COLUMN x TYPE mood USING x::text::mood;\nDROP TYPE mood_old;\n",
        None,
    ),
    "a schema dropped with CASCADE, and the view on its table": (
        "CREATE SCHEMA s;\nCREATE TABLE s.a (x int);\nCREATE VIEW va AS SELECT x FROM s.a;\n",
        "DROP SCHEMA s CASCADE;\nCREATE TABLE va (x int);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_type_held_by_a_column_is_refused_its_drop(case, verdicts):
    first, second, line = CASES[case]
    errors, refused = verdicts(first, second)

    assert_same_verdict(errors, refused, (line, "2BP01") if line else None, "dependent_objects")


#: (down section, the line check names in it or None): the up made the enum,
#: retyped a column onto it and added one of it with a default
DOWNS = {
    "retyped back, then dropped": (
        "ALTER TABLE builds DROP COLUMN kind;\n"
        "ALTER TABLE builds ALTER COLUMN state TYPE bool USING state = 'ok';\nDROP TYPE mood;\n",
        None,
    ),
    "dropped first": (
        "ALTER TABLE builds DROP COLUMN kind;\n"
        "DROP TYPE mood;\nALTER TABLE builds ALTER COLUMN state TYPE bool USING state = 'ok';\n",
        2,
    ),
    "retyped back, its default kept": (
        "ALTER TABLE builds ALTER COLUMN kind TYPE text;\n"
        "ALTER TABLE builds ALTER COLUMN state TYPE bool USING state = 'ok';\nDROP TYPE mood;\n",
        3,
    ),
    "retyped back, its default dropped": (
        "ALTER TABLE builds ALTER COLUMN kind DROP DEFAULT;\n"
        "ALTER TABLE builds ALTER COLUMN kind TYPE text;\n"
        "ALTER TABLE builds ALTER COLUMN state TYPE bool USING state = 'ok';\nDROP TYPE mood;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", DOWNS)
def test_a_down_section_that_retypes_first_may_drop_the_type(
    case, write_migrations, analysis_of, pg_dsn
):
    up = (
        "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"
        "ALTER TABLE builds ALTER COLUMN state TYPE mood\n"
        "  USING CASE WHEN state THEN 'ok'::mood ELSE 'sad'::mood END;\n"
        "ALTER TABLE builds ADD COLUMN kind mood DEFAULT 'ok';\n"
    )
    down, line = DOWNS[case]
    root = write_migrations(
        {
            "001_builds.sql": "-- migrate:up\nCREATE TABLE builds (state bool);\n"
            "-- migrate:down\nDROP TABLE builds;\n",
            "002_mood.sql": f"-- migrate:up\n{up}-- migrate:down\n{down}",
        }
    )
    errors = [
        p for p in analysis_of(root).problems if str(p.severity) == "error" and p.section == "down"
    ]
    refused = refused_after(pg_dsn, "CREATE TABLE builds (state bool)", up, down)

    assert refused == ("2BP01" if line else None)
    down_at = 7  # the down section's first line in 002_mood.sql
    assert [(e.kind, e.line) for e in errors] == (
        [("dependent_objects", down_at + line - 1)] if line else []
    )
