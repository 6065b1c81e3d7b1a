"""ADD COLUMN … NOT NULL without a default is refused (23502) when the table
has a row, and SET NOT NULL when a row holds a null there. A table the history itself wrote a row into (INSERT … VALUES, a
seed row of a lookup table, say), with no DELETE, TRUNCATE or DROP since, has
one wherever the history ran: check calls that an error, and a table it knows
nothing of a warning, as before. Each case runs on the server too."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE orgs (id int PRIMARY KEY, name text);\n"
    "INSERT INTO orgs VALUES (1, 'default') ON CONFLICT (id) DO NOTHING;\n"
    "CREATE TABLE plans (id int);\n"
    "CREATE TABLE tiers (id int, label text);\n"
    "INSERT INTO tiers (id) VALUES (1);\n"
)

#: (second migration, (line, severity) of check's required_column, the server's SQLSTATE)
CASES = {
    "a seeded table": (
        "ALTER TABLE orgs ADD COLUMN domain text NOT NULL;\n",
        (1, "error"),
        "23502",
    ),
    "a row inserted and the column added in one migration": (
        "INSERT INTO plans VALUES (1);\nALTER TABLE plans ADD COLUMN tier text NOT NULL;\n",
        (2, "error"),
        "23502",
    ),
    "a table with no row written": (
        "ALTER TABLE plans ADD COLUMN tier text NOT NULL;\n",
        (1, "warning"),
        None,
    ),
    "rows deleted since (some, maybe all)": (
        "DELETE FROM orgs WHERE id > 0;\nALTER TABLE orgs ADD COLUMN domain text NOT NULL;\n",
        (2, "warning"),
        None,
    ),
    "emptied since": (
        "TRUNCATE orgs;\nALTER TABLE orgs ADD COLUMN domain text NOT NULL;\n",
        None,
        None,
    ),
    "SET NOT NULL of a column a row was inserted without": (
        "ALTER TABLE tiers ALTER COLUMN label SET NOT NULL;\n",
        (1, "error"),
        "23502",
    ),
    "the column filled first": (
        "UPDATE tiers SET label = 'basic';\nALTER TABLE tiers ALTER COLUMN label SET NOT NULL;\n",
        None,
        None,
    ),
    "with a default": (
        "ALTER TABLE orgs ADD COLUMN domain text NOT NULL DEFAULT '';\n",
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_required_column_is_an_error_where_the_history_left_a_row(
    case, verdicts, analysis_of, write_migrations
):
    second, said, state = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert refused == state
    root = write_migrations({})  # the folder verdicts wrote
    found = [
        (p.line - 1, str(p.severity))
        for p in analysis_of(root).problems
        if p.kind == "required_column" and p.migration == "002"
    ]
    assert found == ([said] if said else [])
    assert [e.kind for e in errors] == (["required_column"] if said and said[1] == "error" else [])
