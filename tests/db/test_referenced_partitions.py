"""A foreign key referencing a partitioned table holds each of its
partitions: dropping one is refused (2BP01) until it is detached, the key
dropped, or CASCADE written. In an up section, and in a down run right after
its up. Each case runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict, refused_after

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);\n"
    "CREATE TABLE events_2024 PARTITION OF events\n"
    "  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    "CREATE TABLE links (event_id int, at date, FOREIGN KEY (event_id, at) REFERENCES events);\n"
)

#: (the second migration, the line check names or None when the server runs it)
CASES = {
    "a partition dropped": ("SELECT 1;\nDROP TABLE events_2024;\n", 2),
    # the ones that run
    "detached first": (
        "ALTER TABLE events DETACH PARTITION events_2024;\nDROP TABLE events_2024;\n",
        None,
    ),
    "the key's table dropped first": ("DROP TABLE links;\nDROP TABLE events_2024;\n", None),
    "with CASCADE": ("DROP TABLE events_2024 CASCADE;\n", None),
}


@pytest.mark.parametrize("case", CASES)
def test_a_referenced_partition_is_held(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    expected = (line, "2BP01") if line else None
    assert_same_verdict(errors, refused, expected, "dependent_objects")


@pytest.mark.parametrize("detach", [False, True], ids=["dropped", "detached, then dropped"])
def test_a_down_dropping_a_referenced_partition(detach, write_migrations, analysis_of, pg_dsn):
    down = "DROP TABLE events_2024;\n"
    if detach:
        down = "ALTER TABLE events DETACH PARTITION events_2024;\n" + down
    up = "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    first = FIRST.split("CREATE TABLE events_2024")[0] + FIRST.split("'2025-01-01');\n")[1]
    root = write_migrations(
        {
            "001_events.sql": f"-- migrate:up\n{first}-- migrate:down\nSELECT 1;\n",
            "002_partition.sql": f"-- migrate:up\n{up}-- migrate:down\n{down}",
        }
    )
    said = [p for p in analysis_of(root).problems if p.section == "down"]
    refused = refused_after(pg_dsn, first, up, down)
    assert refused == (None if detach else "2BP01")
    assert [(p.kind, p.migration) for p in said] == (
        [] if detach else [("dependent_objects", "002")]
    )
