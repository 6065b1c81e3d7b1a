"""``DROP POLICY p ON t``, ``DROP RULE r ON t`` and ``DROP TRIGGER x ON t`` need
the table t even with IF EXISTS left out: PostgreSQL refuses a missing table
(42P01) before it looks for the object, and says so once. With IF EXISTS,
PostgreSQL 18 skips both. Each case runs on the server too.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE t (id int);\n"
    "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY p ON t USING (true);\n"
    "CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING;\n"
    "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
    "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n"
)

#: the second migration -> (the SQLSTATE the server refuses it with, or None;
#: the line of the second check names as an error)
CASES = {
    "DROP POLICY on a missing table": ("SELECT 1;\nDROP POLICY p ON nosuch;\n", "42P01", 2),
    "DROP RULE on a missing table": ("DROP RULE r ON nosuch;\n", "42P01", 1),
    "DROP TRIGGER on a missing table": ("DROP TRIGGER x ON nosuch;\n", "42P01", 1),
    "DROP POLICY on a table dropped before": ("DROP TABLE t;\nDROP POLICY p ON t;\n", "42P01", 2),
    # the forms that run
    "DROP POLICY IF EXISTS on a missing table": (
        "DROP POLICY IF EXISTS p ON nosuch;\n",
        None,
        None,
    ),
    "DROP TRIGGER IF EXISTS on a missing table": (
        "DROP TRIGGER IF EXISTS x ON nosuch;\n",
        None,
        None,
    ),
    "DROP RULE IF EXISTS on a missing table": ("DROP RULE IF EXISTS r ON nosuch;\n", None, None),
    "the three, on their table": (
        "DROP POLICY p ON t;\nDROP RULE r ON t;\nDROP TRIGGER x ON t;\n",
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_drop_on_a_table_needs_the_table(case, verdicts):
    second, sqlstate, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert refused == sqlstate
    assert [e.line for e in errors] == ([line + 1] if line else [])
    assert {e.kind for e in errors} <= {"missing_prerequisite", "dropped"}
