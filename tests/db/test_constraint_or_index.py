"""``DROP CONSTRAINT IF EXISTS`` of a name only a unique *index* has drops
nothing: the index stays, so dropping it later runs and making it again is
refused; a unique *constraint* dropped takes its index with it. Each case runs
on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE t (a int, b int);\nCREATE UNIQUE INDEX t_a ON t (a);\n"
    "CREATE TABLE u (a int, b int, CONSTRAINT u_a UNIQUE (a));\n"
)

CASES = {
    "the index dropped after": (
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS t_a;\nDROP INDEX t_a;\n",
        None,
    ),
    "the index made again": (
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS t_a;\nCREATE UNIQUE INDEX t_a ON t (b);\n",
        ("already_exists", (2, "42P07")),
    ),
    "a unique constraint takes its index": (
        "ALTER TABLE u DROP CONSTRAINT IF EXISTS u_a;\nCREATE UNIQUE INDEX u_a ON u (b);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_dropping_a_constraint_leaves_an_index_of_its_name(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_kind_verdict(errors, refused, expected)
