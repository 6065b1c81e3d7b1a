"""``console`` and ``demo``: the interactive console (``migtui`` with no command)."""

from __future__ import annotations

import click

from migtui.config import ConfigError, load_config, resolve_dir, resolve_dsn


def _fail(message: str) -> None:
    raise click.UsageError(message)


@click.command("console")
@click.option(
    "--dir",
    "directory",
    metavar="DIR",
    help="Migrations folder (default: MIGTUI_DIR, config, ./sql/migrations, "
    "./migrations, ./db/migrations, then a tool's own: ./supabase/migrations, "
    "./prisma/migrations, ./drizzle, ./db/migration, ./src/main/resources/db/migration).",
)
@click.option("--layout", metavar="LAYOUT", help="Folder layout (detected when omitted).")
@click.option(
    "--dsn", metavar="DSN", help="Target database (default: MIGTUI_DSN, DATABASE_URL, config)."
)
@click.option("--embedded", is_flag=True, help="Use migtui's embedded PostgreSQL as the target.")
def console_command(
    directory: str | None = None,
    layout: str | None = None,
    dsn: str | None = None,
    embedded: bool = False,
) -> None:
    """Open the console on the migrations folder.

    Without a database it opens offline: the analysis, the graph and the SQL are
    all there, and actions that need a server say so.
    """
    from migtui.tui.app import MigtuiApp
    from migtui.tui.source import ConsoleSource

    try:
        config = load_config()
        root = resolve_dir(directory, config)
    except ConfigError as exc:
        _fail(str(exc))
    target = None if embedded else resolve_dsn(dsn, config)
    source = ConsoleSource(
        root=root,
        dsn=target,
        layout=layout or config.layout,
        assume=config.assume,
        embedded=embedded,
        output_lines=config.output_lines,
        ledger_table=config.ledger_table,
        lint_off=config.lint_off,
        lock_timeout=config.lock_timeout,
        statement_timeout=config.statement_timeout,
    )
    MigtuiApp(source).run()


@click.command("demo")
@click.option(
    "--scenario",
    default="missing-prerequisite",
    show_default=True,
    metavar="NAME",
    help="Bundled scenario to open first (switch inside with t).",
)
def demo_command(scenario: str) -> None:
    """Walk the bundled story on an embedded PostgreSQL, nothing else needed.

    Starts (or reuses) the embedded server, creates a fresh database and opens
    the console on the chain as submitted for review: 0014 is blocked because
    nothing creates proposal_moves. Press t to switch scenario.
    """
    from migtui.tui.app import MigtuiApp
    from migtui.tui.screens.scenario_picker import scenario_choices
    from migtui.tui.source import ConsoleSource

    choices = {name: folder for name, folder, _ in scenario_choices()}
    if scenario not in choices:
        _fail(f"no scenario {scenario!r}; choose one of {', '.join(choices)}")
    source = ConsoleSource(root=choices[scenario], demo=True, scenario=scenario)
    MigtuiApp(source).run()
    _say_the_server_runs()


def _say_the_server_runs() -> None:
    """The demo leaves the embedded server running for the next time: say so."""
    from migtui.db import embedded

    try:
        running = embedded.server_status().running
    except Exception:  # noqa: BLE001 - only a courtesy line
        return
    if running:
        click.echo(
            "The embedded PostgreSQL is still running (its demo databases stay for the next "
            "`migtui demo`); `migtui db stop` stops it."
        )
