"""A migration that uses its tool's ledger (a GRANT on dbmate's schema_migrations,
a column added to golang-migrate's) runs on a fresh database: migtui makes the
ledger first, as the tool would, and keeps its rows in step."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from migtui.core.graph import analyze_dir
from migtui.db.runner import Runner, RunOptions
from migtui.events import Notice

pytestmark = pytest.mark.db


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def apply(dsn: str, root: Path, layout: str):
    analysis = analyze_dir(root, layout=layout)
    assert not [p for p in analysis.problems if str(p.severity) == "error"]
    events: list = []
    result = Runner(dsn, analysis, options=RunOptions(), emit=events.append).apply()
    return result, [e for e in events if isinstance(e, Notice)]


def test_golang_migrate_migration_altering_its_ledger(pg_dsn, tmp_path):
    root = write(
        tmp_path,
        {
            "1_users.up.sql": "CREATE TABLE users (id int);\n",
            "2_data_version.up.sql": "ALTER TABLE schema_migrations ADD COLUMN data_version int;\n",
        },
    )
    result, notices = apply(pg_dsn, root, "golang-migrate")
    assert result.outcome == "done", result.message
    assert "made golang-migrate's ledger public.schema_migrations" in notices[0].message
    with psycopg.connect(pg_dsn) as conn:
        rows = conn.execute("SELECT version, dirty, data_version FROM schema_migrations")
        assert rows.fetchall() == [(2, False, None)]


def test_dbmate_migration_granting_on_its_ledger(pg_dsn, tmp_path):
    root = write(
        tmp_path,
        {
            "20220410155201_initial.sql": "-- migrate:up\nCREATE TABLE secrets (id int);\n"
            "-- Needed so we can do backups.\nGRANT SELECT ON schema_migrations TO PUBLIC;\n",
            "20220411000000_more.sql": "-- migrate:up\nCREATE TABLE audit (id int);\n",
        },
    )
    result, _ = apply(pg_dsn, root, "native")
    assert result.outcome == "done", result.message
    with psycopg.connect(pg_dsn) as conn:
        versions = conn.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    assert versions == [("20220410155201",), ("20220411000000",)]


def test_no_ledger_is_made_when_no_migration_uses_it(pg_dsn, tmp_path):
    root = write(tmp_path, {"0001_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\n"})
    result, notices = apply(pg_dsn, root, "native")
    assert result.outcome == "done" and notices == []
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('schema_migrations')").fetchone() == (None,)


def test_drizzle_ledger_is_made_in_drizzles_own_schema(pg_dsn, tmp_path):
    (tmp_path / "meta").mkdir()
    root = write(
        tmp_path,
        {
            "0000_users.sql": 'CREATE TABLE "users" ("id" serial PRIMARY KEY NOT NULL);\n',
            "0001_audit.sql": "CREATE VIEW migrations_run AS\n"
            "  SELECT hash, created_at FROM drizzle.__drizzle_migrations;\n",
            "meta/_journal.json": '{"dialect": "postgresql", "entries": ['
            '{"idx": 0, "when": 1717000000000, "tag": "0000_users", "breakpoints": true},'
            '{"idx": 1, "when": 1717100000000, "tag": "0001_audit", "breakpoints": true}]}',
        },
    )
    result, notices = apply(pg_dsn, root, "drizzle")
    assert result.outcome == "done", result.message
    assert "made drizzle's ledger drizzle.__drizzle_migrations" in notices[0].message
    with psycopg.connect(pg_dsn) as conn:
        rows = conn.execute("SELECT created_at FROM migrations_run ORDER BY created_at").fetchall()
    # both rows as drizzle-orm writes them: migrate() run next finds nothing to do
    assert rows == [(1717000000000,), (1717100000000,)]
