"""A column default is computed with no row at hand: PostgreSQL refuses one
that names a column (0A000), in CREATE TABLE, ADD COLUMN or SET DEFAULT.
Check says so where the server refuses, and nothing of the defaults it takes."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE t (id int, e text);\nCREATE SEQUENCE s;\n"

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "a new table's default reading another column": (
        "CREATE TABLE u (a int,\n  b int DEFAULT a + 1);\n",
        2,
    ),
    "a column added with another column as its default": (
        "ALTER TABLE t ADD COLUMN f text DEFAULT e;\n",
        1,
    ),
    "SET DEFAULT of an expression of the column": (
        "SELECT 1;\nALTER TABLE t ALTER COLUMN e SET DEFAULT upper(e);\n",
        2,
    ),
    # the defaults PostgreSQL takes
    "constants, calls, sequences and session values": (
        "CREATE TABLE u (a int DEFAULT 1, b text DEFAULT current_user,\n"
        "  c timestamptz DEFAULT now(), d int DEFAULT nextval('s'), f bool DEFAULT true,\n"
        "  g text DEFAULT 'e' || 'x', h int GENERATED ALWAYS AS (a * 2) STORED);\n"
        "ALTER TABLE t ALTER COLUMN e SET DEFAULT md5(random()::text);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_default_naming_a_column_is_refused(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "0A000") if line else None, "default_reads_column")
