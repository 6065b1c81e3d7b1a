"""CREATE PUBLICATION … FOR TABLE and ALTER PUBLICATION … ADD TABLE name
tables (and columns, and schemas) that must exist: PostgreSQL refuses a
missing one. Supabase migrations add their tables to ``supabase_realtime``
this way."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE t (a int, b text);\nCREATE SCHEMA s;\nCREATE PUBLICATION pub;\n"

#: (the second migration, the line check names and the server's SQLSTATE, or None)
CASES = {
    "a table no migration made": ("ALTER PUBLICATION pub ADD TABLE nosuch;\n", (1, "42P01")),
    "a missing table among others": (
        "SELECT 1;\nCREATE PUBLICATION p2 FOR TABLE t, missing;\n",
        (2, "42P01"),
    ),
    "a column list naming a column the table lacks": (
        "ALTER PUBLICATION pub ADD TABLE t (a, c);\n",
        (1, "42703"),
    ),
    "a schema no migration made": (
        "ALTER PUBLICATION pub ADD TABLES IN SCHEMA nosuch;\n",
        (1, "3F000"),
    ),
    # the forms that run
    "tables, columns, rows and schemas that are there": (
        "CREATE PUBLICATION p2 FOR TABLE t (a, b) WHERE (a > 0);\n"
        "CREATE PUBLICATION p3 FOR TABLES IN SCHEMA s, public;\n"
        "ALTER PUBLICATION pub ADD TABLE t;\n"
        "ALTER PUBLICATION pub DROP TABLE t;\n"
        "ALTER PUBLICATION pub SET TABLE ONLY t;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_publication_needs_what_it_publishes(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, expected, "missing_prerequisite", says_state=False)
