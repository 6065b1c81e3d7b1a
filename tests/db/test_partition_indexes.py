"""A partition gets its own copy of each of its parent's indexes and keys,
named after the partition (``m_2024_d_idx``, ``m_2024_pkey``), whether it is
made with PARTITION OF or attached later, and keeps them once detached. No
migration makes those copies by name, so check must not call them missing;
an index name no parent explains is still judged. Each case runs on the
server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

PARENT = "CREATE TABLE m (id int, d date{key}) PARTITION BY RANGE (d);\n"
PARTITION = "CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
LOOSE = "CREATE TABLE m_2024 (id int, d date);\n"
ATTACH = "ALTER TABLE m ATTACH PARTITION m_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
INDEX = "CREATE INDEX m_d_idx ON m (d);\n"

#: (first migration, second, the line check names or None when the server runs it)
CASES = {
    "a parent's index, copied to a partition": (
        PARENT.format(key="") + PARTITION + INDEX,
        "ALTER INDEX m_2024_d_idx RENAME TO m_2024_d_index;\n",
        None,
    ),
    "a parent's primary key, copied to a partition made after it": (
        PARENT.format(key=", PRIMARY KEY (id, d)") + PARTITION,
        "ALTER INDEX m_2024_pkey SET (fillfactor = 90);\nSELECT 'm_2024_pkey'::regclass;\n",
        None,
    ),
    "a parent's unique key": (
        PARENT.format(key=", UNIQUE (id, d)") + PARTITION,
        "ALTER INDEX m_2024_id_d_key RENAME TO m_2024_uq;\n",
        None,
    ),
    "an attached table gets the parent's index": (
        PARENT.format(key="") + INDEX + LOOSE + ATTACH,
        "ALTER INDEX m_2024_d_idx RENAME TO m_2024_d_index;\n",
        None,
    ),
    "a detached partition keeps its copy": (
        PARENT.format(key="") + PARTITION + INDEX,
        "ALTER TABLE m DETACH PARTITION m_2024;\nDROP INDEX m_2024_d_idx;\n",
        None,
    ),
    "a name no parent explains": (
        PARENT.format(key="") + PARTITION,
        "SELECT 1;\nALTER INDEX m_2024_nosuch RENAME TO x;\n",
        2,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_partitions_copy_of_its_parents_index_is_there(case, verdicts):
    first, second, line = CASES[case]
    errors, refused = verdicts(first, second)

    if line is None:
        assert_same_verdict(errors, refused, None, "missing_prerequisite")
        return
    assert refused == "42P01"
    [error] = errors
    assert error.kind == "missing_prerequisite" and "m_2024_nosuch" in error.message
    assert error.line == line + 1  # after the file's marker line
