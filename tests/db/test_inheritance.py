"""A table other tables inherit from (``INHERITS``, ``ALTER TABLE … INHERIT``)
is not dropped while a child stands: PostgreSQL refuses (2BP01) unless
CASCADE, which takes the children too. A partition goes with its table
instead. Check must say so at the DROP's line exactly when the server
refuses it."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE events (id int, at timestamptz);\n"
    "CREATE TABLE clicks (target text) INHERITS (events);\n"
    "CREATE TABLE views (id int, at timestamptz, page text);\n"
    "CREATE TABLE measured (id int) PARTITION BY RANGE (id);\n"
    "CREATE TABLE measured_low PARTITION OF measured FOR VALUES FROM (0) TO (100);\n"
)

#: (the second migration, the line check names, None when the server runs it)
CASES = {
    "the parent of a child": ("DROP TABLE events;\n", 1),
    "the parent, renamed": (
        "SELECT 1;\nALTER TABLE events RENAME TO happenings;\nDROP TABLE happenings;\n",
        3,
    ),
    "a parent by ALTER TABLE … INHERIT": (
        "ALTER TABLE views INHERIT events;\nDROP TABLE clicks;\nDROP TABLE events;\n",
        3,
    ),
    # the forms that run
    "the child first": ("DROP TABLE clicks;\nDROP TABLE events;\n", None),
    "CASCADE, then the child's name again": (
        "DROP TABLE events CASCADE;\nCREATE TABLE clicks (id int);\n",
        None,
    ),
    "after NO INHERIT": ("ALTER TABLE clicks NO INHERIT events;\nDROP TABLE events;\n", None),
    "a partitioned table with its partitions": ("DROP TABLE measured;\n", None),
    "a column of the parent": ("ALTER TABLE events DROP COLUMN at;\n", None),
}


@pytest.mark.parametrize("case", CASES)
def test_a_parent_table_is_held_by_its_children(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "2BP01") if line else None, "dependent_objects")
