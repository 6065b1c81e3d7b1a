"""sqitch itself, before and after migtui on the same database: migtui writes
its registry (change ids, dependencies, tags, events) as sqitch does, so
sqitch's status, verify, deploy and revert agree with what migtui ran."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from migtui.core.graph import analyze_dir
from migtui.db import ledger
from migtui.db.runner import Runner, RunOptions

SQITCH = shutil.which("sqitch")
pytestmark = pytest.mark.skipif(SQITCH is None, reason="sqitch (Debian package sqitch) is absent")

PLAN = """%syntax-version=1.0.0
%project=blog

users 2024-01-01T10:00:00Z Ada Lovelace <ada@example.com> # the users
posts [users] 2024-01-02T10:00:00Z Ada Lovelace <ada@example.com> # posts by users
@v1 2024-01-03T10:00:00Z Ada Lovelace <ada@example.com> # first release
tags [posts users] 2024-01-04T10:00:00Z Grace Hopper <grace@example.com> # tags
"""

SCRIPTS = {
    "users": ("CREATE TABLE users (id int PRIMARY KEY);", "DROP TABLE users;"),
    "posts": (
        "CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);",
        "DROP TABLE posts;",
    ),
    "tags": ("CREATE TABLE tags (post_id int REFERENCES posts, tag text);", "DROP TABLE tags;"),
}


def project(root: Path) -> Path:
    root.mkdir()
    (root / "sqitch.plan").write_text(PLAN)
    (root / "sqitch.conf").write_text("[core]\n\tengine = pg\n")
    for name, (deploy, revert) in SCRIPTS.items():
        for folder, text in (("deploy", deploy), ("revert", revert), ("verify", "SELECT 1;")):
            (root / folder).mkdir(exist_ok=True)
            (root / folder / f"{name}.sql").write_text(f"BEGIN;\n{text}\nCOMMIT;\n")
    return root


def target(dsn: str) -> str:
    info = conninfo_to_dict(dsn)
    auth = quote(info.get("user", "postgres"), safe="")
    if info.get("password"):
        auth += ":" + quote(info["password"], safe="")
    host = info.get("host", "localhost")
    port = f":{info['port']}" if info.get("port") else ""
    if host.startswith("/"):
        return f"db:pg://{auth}@{port}/{info['dbname']}?host={quote(host)}"
    return f"db:pg://{auth}@{host}{port}/{info['dbname']}"


def sqitch(root: Path, dsn: str, *args: str) -> str:
    env = dict(os.environ, SQITCH_FULLNAME="CI Runner", SQITCH_EMAIL="ci@example.com")
    done = subprocess.run(
        [SQITCH, *args[:1], target(dsn), *args[1:]],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run(dsn, analysis, action="apply", **kwargs):
    runner = Runner(dsn, analysis, options=RunOptions(), emit=lambda e: None)
    return runner.apply(**kwargs) if action == "apply" else runner.rollback(**kwargs)


def test_migtui_deploys_and_reverts_as_sqitch_would(pg_dsn, tmp_path):
    root = project(tmp_path / "blog")
    sqitch(root, pg_dsn, "deploy", "--to", "users")

    analysis = analyze_dir(root)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        state = ledger.read_state(conn, analysis)
    assert "sqitch" in state.source
    assert [s.state for s in state.statuses] == ["applied", "pending", "pending"]

    assert run(pg_dsn, analysis).outcome == "done"
    assert "Nothing to deploy (up-to-date)" in sqitch(root, pg_dsn, "status")
    assert "Verify successful" in sqitch(root, pg_dsn, "verify")
    log = sqitch(root, pg_dsn, "log")
    assert log.count("Deploy ") == 3

    assert run(pg_dsn, analysis, "rollback", steps=2).outcome == "done"
    status = sqitch(root, pg_dsn, "status")
    assert "Undeployed changes" in status and "posts" in status and "tags" in status
    # sqitch takes over where migtui stopped, and back
    sqitch(root, pg_dsn, "deploy")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert [s.state for s in ledger.read_state(conn, analysis).statuses] == ["applied"] * 3
    sqitch(root, pg_dsn, "revert", "-y", "--to", "@v1")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        states = [s.state for s in ledger.read_state(conn, analysis).statuses]
    assert states == ["applied", "applied", "pending"]
