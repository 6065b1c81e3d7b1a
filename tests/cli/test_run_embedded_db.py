"""``migtui db``: the user's embedded server, in a private data folder."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from migtui.cli import main


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch):
    # Not under pytest's own temp root: a concurrent pytest run may prune that.
    folder = Path(tempfile.mkdtemp(prefix="migtui-data-"))
    monkeypatch.setenv("MIGTUI_DATA_DIR", str(folder))
    yield folder
    CliRunner().invoke(main, ["db", "stop"])
    shutil.rmtree(folder, ignore_errors=True)


def test_db_start_url_status_stop(data_dir):
    runner = CliRunner()
    started = runner.invoke(main, ["db", "start"])
    assert started.exit_code == 0, started.output
    url = runner.invoke(main, ["db", "url"]).output.strip()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone()[0] == "migtui"
    status = json.loads(runner.invoke(main, ["db", "status", "--format", "json"]).output)
    assert status["running"] and status["pgdata"].startswith(str(data_dir))

    stopped = runner.invoke(main, ["db", "stop"])
    assert stopped.exit_code == 0 and "stopped" in stopped.output
    status = json.loads(runner.invoke(main, ["db", "status", "--format", "json"]).output)
    assert not status["running"]


def test_embedded_option_applies_to_the_users_server(data_dir, bundled_dir):
    runner = CliRunner()
    result = runner.invoke(
        main, ["apply", "--embedded", "--dir", str(bundled_dir), "--to", "0002", "--yes"]
    )
    assert result.exit_code == 0, result.output
    url = runner.invoke(main, ["db", "url"]).output.strip()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM migtui.applied").fetchone()[0] == 2
