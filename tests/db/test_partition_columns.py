"""A partition's columns are its partitioned table's: PostgreSQL refuses to add
a column to a partition (42809), or to drop, rename or retype one of its
columns (42P16); the change is made on the partitioned table, and reaches
every partition. A partition detached is a table of its own again. Each case
runs on the server too.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE events (id bigint, at date NOT NULL, kind text) PARTITION BY RANGE (at);\n"
    "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    "CREATE TABLE events_2025 PARTITION OF events (kind DEFAULT 'x')\n"
    "  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
    "CREATE TABLE old_events (id bigint, at date NOT NULL, kind text);\n"
    "ALTER TABLE events ATTACH PARTITION old_events FOR VALUES FROM ('2000-01-01') TO ('2024-01-01');\n"
)

#: (the second migration, (the line check names, SQLSTATE) or None when it runs)
CASES = {
    "a column added to a partition": ("ALTER TABLE events_2024 ADD COLUMN z int;\n", (1, "42809")),
    "a partition's column dropped": (
        "SELECT 1;\nALTER TABLE events_2025 DROP COLUMN kind;\n",
        (2, "42P16"),
    ),
    "a partition's column renamed": (
        "ALTER TABLE events_2024 RENAME COLUMN kind TO k;\n",
        (1, "42P16"),
    ),
    "a partition's column retyped": (
        "ALTER TABLE events_2024 ALTER COLUMN kind TYPE varchar(20);\n",
        (1, "42P16"),
    ),
    "an attached table's column dropped": (
        "ALTER TABLE old_events DROP COLUMN kind;\n",
        (1, "42P16"),
    ),
    "the partition key's column dropped": ("ALTER TABLE events DROP COLUMN at;\n", (1, "42P16")),
    "the partition key's column retyped": (
        "ALTER TABLE events ALTER COLUMN at TYPE timestamptz;\n",
        (1, "42P16"),
    ),
    # the ones that run
    "the partition key's column renamed, another dropped": (
        "ALTER TABLE events RENAME COLUMN at TO day;\nALTER TABLE events DROP COLUMN kind;\n",
        None,
    ),
    "the partitioned table changed, a partition's default set": (
        "ALTER TABLE events ADD COLUMN z int;\nALTER TABLE events RENAME COLUMN kind TO k;\n"
        "ALTER TABLE events_2024 ALTER COLUMN k SET DEFAULT 'y';\n",
        None,
    ),
    "a partition detached first": (
        "ALTER TABLE events DETACH PARTITION events_2024;\n"
        "ALTER TABLE events_2024 DROP COLUMN kind;\nALTER TABLE events_2024 ADD COLUMN z int;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_partitions_columns_are_its_tables(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, expected, "partition_column")


INHERITING = (
    "CREATE TABLE base (id int, v text);\n"
    "CREATE TABLE child (w int) INHERITS (base);\n"
    "CREATE TABLE copied AS SELECT id, v FROM base;\n"
    "CREATE TABLE alike (LIKE base);\n"
)

#: (the second migration, the line check names or None when it runs)
CHILDREN = {
    "an inherited column dropped on the child": ("ALTER TABLE child DROP COLUMN v;\n", 1),
    "an inherited column renamed on the child": (
        "SELECT 1;\nALTER TABLE child RENAME COLUMN id TO key;\n",
        2,
    ),
    "an inherited column retyped on the child": (
        "ALTER TABLE child ALTER COLUMN v TYPE varchar(5);\n",
        1,
    ),
    # the ones that run
    "the child's own column, a new one, the parent's, a copy's": (
        "ALTER TABLE child DROP COLUMN w;\nALTER TABLE child ADD COLUMN z int;\n"
        "ALTER TABLE base RENAME COLUMN v TO v2;\nALTER TABLE copied DROP COLUMN v;\n"
        "ALTER TABLE alike DROP COLUMN v;\n",
        None,
    ),
    "after NO INHERIT": (
        "ALTER TABLE child NO INHERIT base;\nALTER TABLE child DROP COLUMN v;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CHILDREN)
def test_a_childs_inherited_columns_are_its_parents(case, verdicts):
    second, line = CHILDREN[case]
    errors, refused = verdicts(INHERITING, second)

    assert_same_verdict(errors, refused, (line, "42P16") if line else None, "partition_column")


def test_an_index_on_a_partitioned_table_is_not_built_concurrently(
    write_migrations, analysis_of, pg_dsn
):
    import psycopg

    second = (
        "CREATE INDEX CONCURRENTLY events_2024_id ON events_2024 (id);\n"
        "CREATE INDEX CONCURRENTLY events_kind ON events (kind);\n"
    )
    root = write_migrations(
        {
            "001_first.sql": f"-- migrate:up\n{FIRST}-- migrate:down\nSELECT 1;\n",
            "002_second.sql": f"-- migrate:up transaction:false\n{second}-- migrate:down\n"
            "SELECT 1;\n",
        }
    )
    errors = [(p.kind, p.line) for p in analysis_of(root).problems if str(p.severity) == "error"]
    assert errors == [("partition_column", 3)]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(FIRST)
        first, last = second.splitlines()
        conn.execute(first)  # a partition: a table of its own to index
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            conn.execute(last)
