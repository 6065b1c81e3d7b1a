"""A partition's bounds: PostgreSQL refuses an empty range, bounds that
overlap another partition's of the same table, a value two list partitions
share, a second default partition and a hash remainder taken (42P17). Check
must say so at the line exactly when the server refuses the second migration,
following partitions through drops, detaches, attaches and renames."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE events (id int, at timestamptz) PARTITION BY RANGE (at);\n"
    "CREATE TABLE events_2024_01 PARTITION OF events\n"
    "  FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');\n"
    "CREATE TABLE readings (sensor int, taken int) PARTITION BY RANGE (sensor, taken);\n"
    "CREATE TABLE readings_low PARTITION OF readings FOR VALUES FROM (0, MINVALUE) TO (10, 0);\n"
    "CREATE TABLE regions (code text) PARTITION BY LIST (code);\n"
    "CREATE TABLE regions_eu PARTITION OF regions FOR VALUES IN ('de', 'fr');\n"
    "CREATE TABLE regions_rest PARTITION OF regions DEFAULT;\n"
    "CREATE TABLE buckets (id int) PARTITION BY HASH (id);\n"
    "CREATE TABLE buckets_0 PARTITION OF buckets FOR VALUES WITH (MODULUS 4, REMAINDER 0);\n"
)

#: (the second migration, the line check names, or None when the server runs it)
CASES = {
    "a month overlapping the one before": (
        "CREATE TABLE events_2024_02 PARTITION OF events\n"
        "  FOR VALUES FROM ('2024-01-31') TO ('2024-03-01');\n",
        1,
    ),
    "an empty range, its ends swapped": (
        "SELECT 1;\nCREATE TABLE events_x PARTITION OF events\n"
        "  FOR VALUES FROM ('2024-03-01') TO ('2024-02-01');\n",
        2,
    ),
    "MINVALUE reaching into a partition": (
        "CREATE TABLE events_old PARTITION OF events FOR VALUES FROM (MINVALUE) TO ('2024-01-02');\n",
        1,
    ),
    "two columns' bounds overlapping": (
        "CREATE TABLE readings_mid PARTITION OF readings FOR VALUES FROM (9, 5) TO (20, 0);\n",
        1,
    ),
    "a list value taken": (
        "CREATE TABLE regions_fr PARTITION OF regions FOR VALUES IN ('fr', 'it');\n",
        1,
    ),
    "a second default": ("CREATE TABLE regions_other PARTITION OF regions DEFAULT;\n", 1),
    "a hash remainder taken": (
        "CREATE TABLE buckets_0b PARTITION OF buckets FOR VALUES WITH (MODULUS 4, REMAINDER 0);\n",
        1,
    ),
    "a table attached over a partition": (
        "CREATE TABLE events_dec (id int, at timestamptz);\n"
        "ALTER TABLE events ATTACH PARTITION events_dec\n"
        "  FOR VALUES FROM ('2023-12-01') TO ('2024-01-01 00:00:01');\n",
        2,
    ),
    "a partition of the renamed table": (
        "ALTER TABLE events RENAME TO happenings;\n"
        "ALTER TABLE events_2024_01 RENAME TO happenings_2024_01;\n"
        "CREATE TABLE happenings_x PARTITION OF happenings\n"
        "  FOR VALUES FROM ('2024-01-15 12:00') TO ('2024-02-15');\n",
        3,
    ),
    # the forms that run
    "the next month, TO being exclusive": (
        "CREATE TABLE events_2024_02 PARTITION OF events\n"
        "  FOR VALUES FROM ('2024-02-01 00:00') TO ('2024-03-01');\n",
        None,
    ),
    "the month again after its partition is dropped": (
        "DROP TABLE events_2024_01;\n"
        "CREATE TABLE events_jan PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');\n",
        None,
    ),
    "the month again after a detach, the old one attached elsewhere": (
        "ALTER TABLE events DETACH PARTITION events_2024_01;\n"
        "CREATE TABLE events_jan PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');\n"
        "ALTER TABLE events ATTACH PARTITION events_2024_01\n"
        "  FOR VALUES FROM ('2023-01-01') TO ('2023-02-01');\n",
        None,
    ),
    "another list value, another remainder, bounds beside the others": (
        "CREATE TABLE regions_it PARTITION OF regions FOR VALUES IN ('it');\n"
        "CREATE TABLE buckets_1 PARTITION OF buckets FOR VALUES WITH (MODULUS 4, REMAINDER 1);\n"
        "CREATE TABLE readings_high PARTITION OF readings FOR VALUES FROM (10, 0) TO (MAXVALUE, MAXVALUE);\n",
        None,
    ),
    "a partitioned table dropped takes its partitions, and theirs": (
        "CREATE TABLE events_2024_02 PARTITION OF events FOR VALUES FROM ('2024-02-01') TO ('2024-03-01')\n"
        "  PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_feb_1 PARTITION OF events_2024_02\n"
        "  FOR VALUES FROM ('2024-02-01') TO ('2024-02-15');\n"
        "DROP TABLE events;\nCREATE TABLE events_2024_01 (id int);\nCREATE TABLE events_feb_1 (id int);\n",
        None,
    ),
    "partitions made by SQL built at run time, then one by hand": (
        "DO $$ BEGIN EXECUTE format('DROP TABLE %I', 'events_2024_01'); END $$;\n"
        "CREATE TABLE events_jan PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_partition_bounds_are_refused_exactly_when_the_server_refuses(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42P17") if line else None, "partition_bounds")
