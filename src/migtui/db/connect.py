"""Connections to a target: from a DSN (or libpq's environment) to a psycopg connection.

Every message shown about a target names it by its redacted DSN only.
"""

from __future__ import annotations

import contextlib

import psycopg

from migtui import __version__
from migtui.config import Config, dsn_passwords, redact_dsn, resolve_dsn

APPLICATION_NAME = f"migtui {__version__}"


class ConnectError(RuntimeError):
    """The target cannot be reached or was not given; the message is one line."""


def resolve_target(
    cli_dsn: str | None, *, embedded: bool = False, config: Config | None = None
) -> str:
    """The DSN to use: the embedded server with ``embedded``, else ``--dsn``,
    ``MIGTUI_DSN``, ``DATABASE_URL``, the config, then libpq's environment ("")."""
    if embedded:
        from migtui.db.embedded import EmbeddedError, ensure_server

        try:
            return ensure_server()
        except EmbeddedError as exc:
            raise ConnectError(str(exc)) from None
    dsn = resolve_dsn(cli_dsn, config)
    if dsn is None:
        raise ConnectError(
            "no database given: pass --dsn, set MIGTUI_DSN or DATABASE_URL, "
            "set PGHOST/PGDATABASE, or use --embedded"
        )
    return dsn


def connect(
    dsn: str, *, autocommit: bool = True, connect_timeout: int | None = None
) -> psycopg.Connection:
    """Open a connection; ConnectError (with the redacted DSN) when that fails.

    The wait for the server is the DSN's own ``connect_timeout`` (or
    PGCONNECT_TIMEOUT) when it says one, else ``connect_timeout``, else 10 s."""
    settings: dict = {"autocommit": autocommit, "application_name": APPLICATION_NAME}
    if connect_timeout is not None or not _says_connect_timeout(dsn):
        settings["connect_timeout"] = connect_timeout if connect_timeout is not None else 10
    try:
        conn = psycopg.connect(dsn, **settings)
    except psycopg.Error as exc:
        reason = without_password(" ".join(str(exc).split()) or type(exc).__name__, dsn)
        raise ConnectError(f"cannot connect to {redact_dsn(dsn)}: {reason}") from None
    return conn


def server_version(conn: psycopg.Connection) -> str:
    return conn.execute("SHOW server_version").fetchone()[0]


def _says_connect_timeout(dsn: str) -> bool:
    import os

    if os.environ.get("PGCONNECT_TIMEOUT"):
        return True
    try:
        return "connect_timeout" in psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error:
        return False


def without_password(text: str, dsn: str) -> str:
    """libpq quotes a malformed conninfo string back in its message: hide the password."""
    password = None
    with contextlib.suppress(psycopg.Error):
        password = psycopg.conninfo.conninfo_to_dict(dsn).get("password")
    if dsn:
        text = text.replace(dsn, redact_dsn(dsn))
    secrets = dsn_passwords(dsn)
    if password and (len(str(password)) >= 3 or not any(str(password) in s for s in secrets)):
        # libpq's reading of a mistyped DSN may be a short piece of the real
        # password: that piece is hidden by the longer ones, not in every word
        secrets.append(str(password))
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def privilege_hint(message: str) -> str:
    """What a permission-denied (42501) message means for migtui: which of its
    steps needs which privilege."""
    lowered = message.lower()
    if "schema migtui" in lowered or "for database" in lowered:
        return (
            "; migtui keeps its ledger in schema migtui: creating it needs CREATE on the "
            "database (or an owner creating the schema for this role, with USAGE and CREATE)"
        )
    if "migtui." in lowered or "table applied" in lowered or "table history" in lowered:
        return "; writing migtui's ledger needs INSERT, UPDATE and DELETE on migtui's tables"
    return (
        "; the role lacks a privilege the migrations or migtui's ledger need: run as the "
        "role that owns the schema, or grant what the message names"
    )
