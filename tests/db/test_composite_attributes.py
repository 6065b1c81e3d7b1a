"""``ALTER TYPE … ALTER ATTRIBUTE … TYPE`` of a composite type a table's column
is of (or an array of it) is refused (0A000); adding, dropping or renaming an
attribute, or changing one of a type only a function takes, is not. Each case
runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TYPE spec AS (a int, b int);\nCREATE TABLE jobs (s spec);\n"
    "CREATE TYPE item AS (a int);\nCREATE TABLE carts (items item[]);\n"
    "CREATE TYPE arg AS (a int);\n"
    "CREATE FUNCTION f(x arg) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
)

CASES = {
    "a table's column is of it": (
        "ALTER TYPE spec ALTER ATTRIBUTE a TYPE bigint;\n",
        ("dependent_objects", (1, "0A000")),
    ),
    "a table's column is an array of it": (
        "ALTER TYPE item ALTER ATTRIBUTE a TYPE bigint;\n",
        ("dependent_objects", (1, "0A000")),
    ),
    "after the column is dropped": (
        "ALTER TABLE jobs DROP COLUMN s;\nALTER TYPE spec ALTER ATTRIBUTE a TYPE bigint;\n",
        None,
    ),
    "only a function takes it": ("ALTER TYPE arg ALTER ATTRIBUTE a TYPE bigint;\n", None),
    "attributes added, renamed, dropped": (
        "ALTER TYPE spec ADD ATTRIBUTE z int;\nALTER TYPE spec RENAME ATTRIBUTE a TO aa;\n"
        "ALTER TYPE spec DROP ATTRIBUTE b;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_an_attribute_change_is_judged_as_the_server_judges_it(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_kind_verdict(errors, refused, expected)
