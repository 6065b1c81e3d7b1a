"""``migtui db start|stop|status|url``: the user's embedded PostgreSQL."""

from __future__ import annotations

import json

import click

from migtui.cli.common import EXIT_FAILED, fail
from migtui.config import redact_dsn


@click.group("db")
def db_group() -> None:
    """Manage migtui's embedded PostgreSQL (kept in the user data folder)."""


@db_group.command("start")
def start_command() -> None:
    """Start the embedded server (creating it the first time); print its DSN."""
    from migtui.db.embedded import EmbeddedError, ensure_server

    try:
        dsn = ensure_server()
    except EmbeddedError as exc:
        fail(str(exc), EXIT_FAILED)
    click.echo(f"embedded PostgreSQL is running: {redact_dsn(dsn)}")


@db_group.command("stop")
def stop_command() -> None:
    """Stop the embedded server; its data stays for the next start."""
    from migtui.db.embedded import EmbeddedError, stop_server

    try:
        stopped = stop_server()
    except EmbeddedError as exc:
        fail(str(exc), EXIT_FAILED)
    if stopped:
        click.echo("embedded PostgreSQL stopped")
    else:
        click.echo("embedded PostgreSQL was not running")


@db_group.command("status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def status_command(fmt: str) -> None:
    """Whether the embedded server runs, where its data is, and its DSN."""
    from migtui.db.embedded import server_status

    status = server_status()
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "running": status.running,
                    "pgdata": str(status.pgdata),
                    "pid": status.pid,
                    "dsn": redact_dsn(status.dsn) if status.dsn else None,
                }
            )
        )
        return
    if status.running:
        click.echo(f"running (pid {status.pid}), data in {status.pgdata}")
        click.echo(f"dsn: {redact_dsn(status.dsn)}")
    else:
        click.echo(f"not running; data folder: {status.pgdata}")


@db_group.command("url")
def url_command() -> None:
    """Print the embedded server's DSN (starting it if needed), for --dsn or psql."""
    from migtui.db.embedded import EmbeddedError, ensure_server

    try:
        click.echo(redact_dsn(ensure_server()))
    except EmbeddedError as exc:
        fail(str(exc), EXIT_FAILED)
