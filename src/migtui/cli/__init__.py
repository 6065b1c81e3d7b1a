"""The ``migtui`` command line: thin commands that call the engine and render.

Each command's module is imported only when that command runs, so ``migtui
check`` does not pay for the runner, the console or the embedded server's code,
and ``migtui --help`` lists every command from the table below without
importing any (a test holds the table to the commands' own help).
"""

from __future__ import annotations

import importlib
import sys

import click

from migtui import __version__

#: command name -> (module under migtui.cli, the command's attribute there)
_COMMANDS = {
    "check": ("analysis", "check_command"),
    "graph": ("analysis", "graph_command"),
    "show": ("analysis", "show_command"),
    "plan": ("run", "plan_command"),
    "apply": ("run", "apply_command"),
    "rollback": ("run", "rollback_command"),
    "status": ("run", "status_command"),
    "resolve": ("run", "resolve_command"),
    "baseline": ("run", "baseline_command"),
    "history": ("run", "history_command"),
    "rehearse": ("rehearse", "rehearse_command"),
    "db": ("dbcmd", "db_group"),
    "console": ("console", "console_command"),
    "demo": ("console", "demo_command"),
}

#: What ``migtui --help`` says of each command: the first sentence of its own help.
SUMMARIES = {
    "apply": "Apply pending migrations, each in its own transaction.",
    "baseline": "Record migrations up to VERSION as applied in a database that has their "
    "objects but no ledger (restored from a dump, migrated by hand).",
    "check": "Analyse the migrations: what each provides and needs, and every problem.",
    "console": "Open the console on the migrations folder.",
    "db": "Manage migtui's embedded PostgreSQL (kept in the user data folder).",
    "demo": "Walk the bundled story on an embedded PostgreSQL, nothing else needed.",
    "graph": "The dependency graph: each edge labelled with the objects that make it.",
    "history": "Every apply, rollback, failure, resolve and baseline recorded on the "
    "target, oldest first.",
    "plan": "Show the steps `apply` would run, in order, with their statements.",
    "rehearse": "Run the pending plan on a copy, first: the locks each statement takes, "
    "the tables it rewrites or reads whole, and whether each down undoes its up.",
    "resolve": "Settle a dirty migration.",
    "rollback": "Run down sections, newest first, each in its own transaction.",
    "show": "One migration: its sections and statements with line numbers, what it "
    "provides and requires, its problems.",
    "status": "Each migration's state: pending, applied, drifted, missing, dirty, out_of_order.",
}


class _Commands(click.Group):
    """A group whose commands live in modules imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUMMARIES[name]) for name in self.list_commands(ctx)])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = _COMMANDS.get(cmd_name)
        if found is None:
            return None
        module = importlib.import_module(f"migtui.cli.{found[0]}")
        return getattr(module, found[1])


@click.group(
    cls=_Commands,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="migtui")
@click.pass_context
def main(ctx: click.Context) -> None:
    """migtui: see, check, apply and roll back PostgreSQL migrations.

    Without a command, opens the console on the migrations folder
    (same options as `migtui console`).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(_Commands().get_command(ctx, "console"))


def program() -> None:
    """The ``migtui`` program: ``main``, with the caches written after the
    command has answered, by a child that outlives it (see ``core.cache``)."""
    from migtui.core import cache

    cache.defer_writes()
    try:
        main()
    except SystemExit as done:
        cache.write_deferred()
        _leave(done.code)
        raise
    finally:
        cache.write_deferred()


def _leave(code: object) -> None:
    """Exit now, as ``SystemExit(code)`` would, without freeing what the
    command built one object at a time (an analysis of thousands of migrations
    is hundreds of thousands of them). The exit handlers still run; with
    another thread still going, the normal exit waits for it instead."""
    import atexit
    import os
    import threading

    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_handlers is None or threading.active_count() != 1:
        return
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 1  # the output could not be written: say so
    os._exit(status & 0xFF)
