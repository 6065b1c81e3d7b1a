"""A PL/pgSQL IF whose condition reads a table's rows runs its branch or not
as the data has it: on the target, what the branch would refuse may never run.
Check says it as a warning naming the condition; the server refuses only when
the rows are there."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE background_updates (update_name text);\n"
    "CREATE TABLE events (id int PRIMARY KEY);\n"
)
SECOND = (
    "DO $$\nBEGIN\n"
    "  IF EXISTS (SELECT 1 FROM background_updates WHERE update_name = 'swap') THEN\n"
    "    ALTER TABLE events ADD COLUMN n int REFERENCES events (nosuch);\n"
    "  END IF;\n"
    "  IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'events') THEN\n"
    "    ALTER TABLE events ADD COLUMN m int;\n"
    "  END IF;\n"
    "END $$;\n"
    "ALTER TABLE gone ADD COLUMN x int;\n"
)


def test_a_branch_on_rows_is_a_warning_and_the_rest_still_errors(
    write_migrations, analysis_of, pg_dsn
):
    def native(sql: str) -> str:
        return f"-- migrate:up\n{sql}-- migrate:down\nSELECT 1;\n"

    root = write_migrations({"001_a.sql": native(FIRST), "002_b.sql": native(SECOND)})
    found = [(str(p.severity), p.kind, p.line) for p in analysis_of(root).problems]
    assert ("warning", "missing_prerequisite", 5) in found  # only if the rows are there
    assert ("error", "missing_prerequisite", 11) in found  # always
    warned = next(p for p in analysis_of(root).problems if p.line == 5)
    assert "only if the IF at line 4 finds its rows" in warned.message
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(FIRST)
        do_block = SECOND.rsplit("ALTER TABLE gone", 1)[0]
        with conn.transaction(force_rollback=True):
            conn.execute(do_block)  # no rows: the branch does not run
        conn.execute("INSERT INTO background_updates VALUES ('swap')")
        with pytest.raises(psycopg.errors.UndefinedColumn), conn.transaction():
            conn.execute(do_block)


#: opentdf's shape: a count read INTO a variable, then a branch on it that
#: names a WITH query of the earlier statement (out of its scope: 42P01).
COUNTED = (
    "DO $$\nDECLARE n int; x text;\nBEGIN\n"
    "  WITH bad AS (SELECT name FROM actions WHERE name LIKE '% %')\n"
    "  SELECT count(*) INTO n FROM bad;\n"
    "  IF n > 0 THEN\n"
    "    SELECT name INTO x FROM bad LIMIT 1;\n"
    "  END IF;\n"
    "END $$;\n"
)


def test_a_branch_on_a_variable_read_from_rows_is_a_warning(write_migrations, analysis_of, pg_dsn):
    def native(sql: str) -> str:
        return f"-- migrate:up\n{sql}-- migrate:down\nSELECT 1;\n"

    made = "CREATE TABLE actions (name text);\n"
    root = write_migrations({"001_a.sql": native(made), "002_b.sql": native(COUNTED)})
    [warned] = [p for p in analysis_of(root).problems if p.kind == "missing_prerequisite"]
    assert (str(warned.severity), warned.line) == ("warning", 8)
    assert "only if the IF at line 7" in warned.message
    with psycopg.connect(pg_dsn, autocommit=True) as conn, conn.transaction(force_rollback=True):
        conn.execute(made)
        conn.execute(COUNTED)  # no such rows: the branch does not run
        conn.execute("INSERT INTO actions VALUES ('two words')")
        with pytest.raises(psycopg.errors.UndefinedTable), conn.transaction():
            conn.execute(COUNTED)
