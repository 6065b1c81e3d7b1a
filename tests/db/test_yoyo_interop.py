"""yoyo-migrations itself, run before and after migtui on the same database:
migtui continues where yoyo stopped, writes yoyo's rows as yoyo does, and
yoyo, run next, agrees with what migtui applied and rolled back."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from migtui.core.graph import analyze_dir
from migtui.db import ledger
from migtui.db.runner import Runner, RunOptions
from tool_urls import url_parts

yoyo = pytest.importorskip("yoyo", reason="yoyo-migrations (PyPI) is not installed")

STEPS = {
    "0001_users": ("-- users\n-- depends:\nCREATE TABLE users (id int PRIMARY KEY);\n", "users"),
    "0002_posts": (
        "-- posts\n-- depends: 0001_users\n"
        "CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);\n",
        "posts",
    ),
    "0003_tags": (
        "-- tags\n-- depends: 0002_posts\nCREATE TABLE tags (id int PRIMARY KEY,"
        " post_id int REFERENCES posts);\n",
        "tags",
    ),
}


def yoyo_uri(dsn: str) -> str:
    """The DSN as yoyo's URI for psycopg 3 (a socket folder goes in ``host``)."""
    auth, host, port, database = url_parts(dsn)
    if host.startswith("/"):
        return f"postgresql+psycopg://{auth}@/{database}?host={quote(host, safe='')}&port={port}"
    return f"postgresql+psycopg://{auth}@{host}:{port}/{database}"


def folder(root: Path) -> Path:
    root.mkdir(parents=True)
    for migration_id, (up, table) in STEPS.items():
        (root / f"{migration_id}.sql").write_text(up)
        (root / f"{migration_id}.rollback.sql").write_text(f"DROP TABLE {table};\n")
    return root


def yoyo_pending(dsn: str, root: Path) -> list[str]:
    from yoyo import get_backend, read_migrations

    backend = get_backend(yoyo_uri(dsn))
    try:
        return [m.id for m in backend.to_apply(read_migrations(str(root)))]
    finally:
        backend.connection.close()


def _run(dsn, analysis, action="apply", **kwargs):
    runner = Runner(dsn, analysis, options=RunOptions(), emit=lambda e: None)
    return runner.apply(**kwargs) if action == "apply" else runner.rollback(**kwargs)


def test_migtui_continues_after_yoyo_and_yoyo_agrees_afterwards(pg_dsn, tmp_path):
    from yoyo import get_backend, read_migrations

    root = folder(tmp_path / "migrations")
    backend = get_backend(yoyo_uri(pg_dsn))
    try:
        with backend.lock():
            backend.apply_migrations(backend.to_apply(read_migrations(str(root)))[:1])
    finally:
        backend.connection.close()

    analysis = analyze_dir(root)
    assert analysis.layout == "yoyo" and analysis.problems == ()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        state = ledger.read_state(conn, analysis, None)
    assert state.tool is not None and state.tool.tool.tool == "yoyo"
    assert [s.state for s in state.statuses] == ["applied", "pending", "pending"]

    result = _run(pg_dsn, analysis)
    assert result.outcome == "done" and len(result.applied) == 2
    assert yoyo_pending(pg_dsn, root) == []  # yoyo sees all three applied

    result = _run(pg_dsn, analysis, "rollback", steps=1)
    assert result.outcome == "done"
    assert yoyo_pending(pg_dsn, root) == ["0003_tags"]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        logged = conn.execute(
            "SELECT migration_id, operation FROM _yoyo_log WHERE comment = 'migtui'"
            " ORDER BY created_at_utc, operation"
        ).fetchall()
    assert sorted(logged) == [
        ("0002_posts", "apply"),
        ("0003_tags", "apply"),
        ("0003_tags", "rollback"),
    ]

    # and yoyo, run again, applies what migtui rolled back
    backend = get_backend(yoyo_uri(pg_dsn))
    try:
        with backend.lock():
            backend.apply_migrations(backend.to_apply(read_migrations(str(root))))
    finally:
        backend.connection.close()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM tags").fetchone() == (0,)


def test_migtui_makes_yoyos_tables_as_yoyo_would_when_a_migration_uses_them(pg_dsn, tmp_path):
    root = folder(tmp_path / "migrations")
    (root / "0004_grant.sql").write_text(
        "-- depends: 0003_tags\nGRANT SELECT ON _yoyo_migration TO PUBLIC;\n"
    )
    (root / "0004_grant.rollback.sql").write_text("REVOKE SELECT ON _yoyo_migration FROM PUBLIC;\n")
    analysis = analyze_dir(root)
    assert analysis.problems == ()

    result = _run(pg_dsn, analysis)
    assert result.outcome == "done" and len(result.applied) == 4
    # yoyo, run next, finds its tables in the shape it makes them, and nothing to do
    assert yoyo_pending(pg_dsn, root) == []
