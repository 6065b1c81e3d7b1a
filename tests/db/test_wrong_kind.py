"""A DROP must name its object's kind: DROP TABLE of a view, DROP VIEW of a
table or of a materialized view, DROP INDEX or DROP SEQUENCE of a table are
refused, with IF EXISTS too (42809). A relation keeps its kind through ALTER
TABLE … RENAME or SET SCHEMA. Each case runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE SCHEMA s;\n"
    "CREATE TABLE t (id serial);\n"
    "CREATE VIEW v AS SELECT 1 AS x;\n"
    "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;\n"
)

#: (the second migration, the line check names or None when the server runs it)
CASES = {
    "DROP TABLE of a view": ("DROP TABLE v;\n", 1),
    "DROP TABLE IF EXISTS of a view": ("SELECT 1;\nDROP TABLE IF EXISTS v;\n", 2),
    "DROP VIEW of a table": ("DROP VIEW t;\n", 1),
    "DROP VIEW of a materialized view": ("DROP VIEW mv;\n", 1),
    "DROP INDEX of a table": ("DROP INDEX t;\n", 1),
    "DROP TABLE of a serial's sequence": ("DROP TABLE t_id_seq;\n", 1),
    # the ones that run
    "each by its kind": ("DROP VIEW v;\nDROP MATERIALIZED VIEW mv;\nDROP TABLE t;\n", None),
    "a view renamed by ALTER TABLE is a view": ("ALTER TABLE v RENAME TO w;\nDROP VIEW w;\n", None),
    "a view moved by ALTER TABLE is a view": (
        "ALTER TABLE v SET SCHEMA s;\nDROP VIEW s.v;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_drop_names_its_objects_kind(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42809") if line else None, "missing_prerequisite")
