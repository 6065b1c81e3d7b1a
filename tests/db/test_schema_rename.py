"""ALTER SCHEMA … RENAME TO moves everything in the schema under the new name:
its tables (with their columns and indexes), views, types and routines. What
names the new schema finds them; what names the old one fails. Each case runs
on the server too.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE SCHEMA app;\nCREATE TABLE app.p (id int PRIMARY KEY);\n"
    "CREATE TYPE app.mood AS ENUM ('a');\n"
    "CREATE FUNCTION app.f(m app.mood) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
    "CREATE VIEW app.v AS SELECT id FROM app.p;\n"
)
RENAME = "ALTER SCHEMA app RENAME TO app2;\n"

#: (the second migration, the line check names in it, or None when it runs)
CASES = {
    "its objects under the new name": (
        RENAME + "ALTER TABLE app2.p ADD COLUMN x int;\nCREATE INDEX ON app2.p (x);\n"
        "SELECT * FROM app2.v;\nALTER TYPE app2.mood ADD VALUE 'b';\n"
        "DROP FUNCTION app2.f(app2.mood);\nDROP VIEW app2.v;\n",
        None,
    ),
    "a column its table lacks, under the new name": (
        RENAME + "ALTER TABLE app2.p DROP COLUMN nosuch;\n",
        2,
    ),
    "a table under the old name": (RENAME + "ALTER TABLE app.p ADD COLUMN y int;\n", 2),
}


@pytest.mark.parametrize("case", CASES)
def test_a_renamed_schema_takes_its_objects_along(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    if line is None:
        assert refused is None
        assert errors == []
    else:
        assert refused is not None
        assert [e.line for e in errors] == [line + 1]  # after the file's marker line
