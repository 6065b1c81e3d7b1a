"""The ``migtui`` command line: thin commands that call the engine and render.

Each command's module is imported only when that command runs (or when help
lists them all), so ``migtui check`` does not pay for the runner, the console
or the embedded server's code.
"""

from __future__ import annotations

import importlib

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
    "db": ("dbcmd", "db_group"),
    "console": ("console", "console_command"),
    "demo": ("console", "demo_command"),
}


class _Commands(click.Group):
    """A group whose commands live in modules imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

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
