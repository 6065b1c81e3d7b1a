"""Two things PostgreSQL does that a reading in written order gets wrong.

An ALTER TABLE runs its subcommands in passes, not in the order written:
drops, then type changes, then new columns, then column attributes, then
defaults. A new default written before the type change it needs, or SET NOT
NULL written before the ADD COLUMN that makes its column, runs.

ALTER … IF EXISTS … RENAME TO of something that is not there is skipped with
a notice: the new name may well be taken, and stays as it was.

Check must say an error exactly when the server refuses."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE doc (id serial PRIMARY KEY, flag int);\n"
    "CREATE UNIQUE INDEX doc_flag_key ON doc (flag);\n"
    "CREATE SEQUENCE counter;\n"
)

#: the second migration, and None when the server runs it, else (kind, (line, state))
CASES = {
    "a default written before the type it needs": (
        "ALTER TABLE doc ALTER COLUMN id DROP DEFAULT;\n"
        "ALTER TABLE doc ALTER COLUMN id SET DEFAULT gen_random_uuid(),\n"
        "  ALTER COLUMN id SET DATA TYPE text;\n",
        None,
    ),
    "the same default with no type change": (
        "ALTER TABLE doc ALTER COLUMN id DROP DEFAULT;\n"
        "ALTER TABLE doc ALTER COLUMN id SET DEFAULT gen_random_uuid();\n",
        ("value_type", (2, "42804")),
    ),
    "SET NOT NULL written before the ADD COLUMN": (
        "ALTER TABLE doc ALTER COLUMN seen SET NOT NULL, ADD COLUMN seen boolean DEFAULT false;\n",
        None,
    ),
    "a type change written before the ADD COLUMN": (
        "ALTER TABLE doc ALTER COLUMN seen TYPE int, ADD COLUMN seen boolean;\n",
        ("missing_prerequisite", (1, "42703")),
    ),
    "an index renamed IF EXISTS onto a taken name": (
        "ALTER INDEX IF EXISTS old_flag_unique RENAME TO doc_flag_key;\n",
        None,
    ),
    "a table renamed IF EXISTS onto a taken name": (
        "ALTER TABLE IF EXISTS old_doc RENAME TO doc;\n",
        None,
    ),
    "a sequence renamed IF EXISTS onto a taken name": (
        "ALTER SEQUENCE IF EXISTS old_counter RENAME TO counter;\n",
        None,
    ),
    "a table that is not there renamed onto a taken name: the old name is missing": (
        "ALTER TABLE old_doc RENAME TO doc;\n",
        ("missing_prerequisite", (1, "42P01")),
    ),
    "an index that is there renamed onto a taken name": (
        "CREATE INDEX doc_id ON doc (id);\nALTER INDEX IF EXISTS doc_id RENAME TO doc_flag_key;\n",
        ("already_exists", (2, "42P07")),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_agrees_with_the_server(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)
    assert_kind_verdict(errors, refused, expected, says_state=False)


def test_a_skipped_rename_leaves_the_old_name_free(write_migrations, analysis_of):
    # the skipped rename made nothing: the index keeps its name, and can be dropped
    root = write_migrations(
        {
            "001_first.sql": f"-- migrate:up\n{FIRST}-- migrate:down\nSELECT 1;\n",
            "002_second.sql": "-- migrate:up\n"
            "ALTER INDEX IF EXISTS old_flag_unique RENAME TO doc_flag_key;\n"
            "DROP INDEX doc_flag_key;\nCREATE INDEX old_flag_unique ON doc (flag);\n"
            "-- migrate:down\nSELECT 1;\n",
        }
    )
    assert [p for p in analysis_of(root).problems if str(p.severity) == "error"] == []
