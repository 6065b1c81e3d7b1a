"""A migration that calls a routine of the folder runs its body then: what a
PL/pgSQL or SQL body creates (by name or through EXECUTE) exists afterwards.
check cannot tell what such a body makes, so a later need of anything after
such a call is a warning naming the call, never an error; a call kept in a
definition (a view) runs nothing now, and a body that only reads makes
nothing. Each case is run on the server too: check reports an error exactly
when the server refuses the second migration.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

#: (the first migration, the second, the line of the second check names, or
#: None when the server runs both)
CASES = {
    "a PL/pgSQL body's CREATE TABLE, called by SELECT": (
        "CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS\n"
        "  $$ BEGIN CREATE TABLE made (id int); END $$;\n"
        "SELECT mk();\n",
        "ALTER TABLE made ADD COLUMN x int;\n",
        None,
    ),
    "EXECUTE in the body, called by PERFORM in a DO block": (
        "CREATE FUNCTION mk(name text) RETURNS void LANGUAGE plpgsql AS\n"
        "  $$ BEGIN EXECUTE format('CREATE TABLE %I (id int)', name); END $$;\n"
        "DO $$ BEGIN PERFORM mk('made'); END $$;\n",
        "CREATE INDEX made_id ON made (id);\n",
        None,
    ),
    "a procedure CALLed": (
        "CREATE PROCEDURE mk() LANGUAGE plpgsql AS\n"
        "  $$ BEGIN EXECUTE 'CREATE TABLE made (id int)'; END $$;\n"
        "CALL mk();\n",
        "INSERT INTO made (id) VALUES (1);\n",
        None,
    ),
    "a SQL body's DDL": (
        "CREATE FUNCTION mk() RETURNS void LANGUAGE sql AS 'CREATE TABLE made (id int)';\n"
        "SELECT mk();\n",
        "ALTER TABLE made ADD COLUMN x int;\n",
        None,
    ),
    # the calls that make nothing
    "a body that only reads": (
        "CREATE FUNCTION mk() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\n"
        "SELECT mk();\n",
        "ALTER TABLE made ADD COLUMN x int;\n",
        1,
    ),
    "an acting body never called": (
        "CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS\n"
        "  $$ BEGIN CREATE TABLE made (id int); END $$;\n",
        "ALTER TABLE made ADD COLUMN x int;\n",
        1,
    ),
    "an acting body called by a view's definition": (
        "CREATE FUNCTION mk() RETURNS int LANGUAGE plpgsql AS\n"
        "  $$ BEGIN CREATE TABLE made (id int); RETURN 1; END $$;\n"
        "CREATE VIEW v AS SELECT mk() AS one;\n",
        "ALTER TABLE made ADD COLUMN x int;\n",
        1,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_what_a_called_body_makes_is_no_error(case, verdicts):
    first, second, line = CASES[case]
    errors, refused = verdicts(first, second)

    assert refused == ("42P01" if line else None)
    assert [(e.kind, e.line) for e in errors] == (
        [("missing_prerequisite", line + 1)] if line else []
    )


def test_the_warning_names_the_call(write_migrations, analysis_of):
    root = write_migrations(
        {
            "001_first.sql": "-- migrate:up\n"
            "CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS\n"
            "  $$ BEGIN CREATE TABLE made (id int); END $$;\n"
            "SELECT 1;\nSELECT mk();\n-- migrate:down\nSELECT 1;\n",
            "002_second.sql": "-- migrate:up\nALTER TABLE made ADD COLUMN x int;\n"
            "-- migrate:down\nSELECT 1;\n",
        }
    )
    [warning] = [p for p in analysis_of(root).problems if p.kind == "unknown_origin"]

    assert warning.migration == "002" and warning.line == 2
    assert "001 calls function public.mk(…) (line 5)" in warning.message
