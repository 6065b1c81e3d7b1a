"""``rollback --all`` runs every down newest first, each against what the later
ones left. A later down that makes a table again without a column an older
down needs, or a later up that dropped a relation its down does not make
again, fails the older down. Each history runs on the server too: every up in
order, then every down newest first."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.db

#: (up, down) of three migrations, and the migration and down line check names
#: (or None when the whole rollback runs)
CASES = {
    "a table made again without a column": (
        [
            ("CREATE TABLE t (a int);", "DROP TABLE t;"),
            ("ALTER TABLE t ADD COLUMN b int;", "ALTER TABLE t DROP COLUMN b;"),
            ("DROP TABLE t;", "CREATE TABLE t (a int);"),
        ],
        ("002", 1),
    ),
    "a table a later up dropped, not made again": (
        [
            ("CREATE TABLE t (a int);\nCREATE TABLE u (a int);", "DROP TABLE t;"),
            ("ALTER TABLE u ADD COLUMN b int;", "ALTER TABLE u DROP COLUMN b;\nDROP TABLE u;"),
            ("DROP TABLE u;", "SELECT 1;"),
        ],
        ("002", 1),
    ),
    "each down undoing its up": (
        [
            ("CREATE TABLE t (a int);", "DROP TABLE t;"),
            ("ALTER TABLE t ADD COLUMN b int;", "ALTER TABLE t DROP COLUMN b;"),
            ("DROP TABLE t;", "CREATE TABLE t (a int, b int);"),
        ],
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_rollback_all_fails_where_the_server_fails(case, write_migrations, analysis_of, pg_dsn):
    steps, expected = CASES[case]
    root = write_migrations(
        {
            f"00{i}_step.sql": f"-- migrate:up\n{up}\n-- migrate:down\n{down}\n"
            for i, (up, down) in enumerate(steps, start=1)
        }
    )
    errors = [
        (p.migration, p.line)
        for p in analysis_of(root).problems
        if str(p.severity) == "error" and p.section == "down"
    ]
    failed = None
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        for up, _ in steps:
            conn.execute(up)
        for i, (_, down) in reversed(list(enumerate(steps, start=1))):
            try:
                with conn.transaction():
                    conn.execute(down)
            except psycopg.Error:
                failed = f"00{i}"
                break

    if expected is None:
        assert (failed, errors) == (None, [])
        return
    migration, line = expected
    assert failed == migration
    ups = steps[int(migration) - 1][0].count("\n") + 1
    # the first error is where the server stops (the lines after it fail too)
    assert errors[0] == (migration, ups + 2 + line)  # after the up and the two markers
    assert {m for m, _ in errors} == {migration}
