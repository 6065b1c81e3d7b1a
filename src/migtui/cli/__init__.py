"""The ``migtui`` command line: thin commands that call the engine and render."""

from __future__ import annotations

import click

from migtui import __version__
from migtui.cli import analysis, console, dbcmd, run


@click.group(
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
        ctx.invoke(console.console_command)


for module in (analysis, run, dbcmd, console):
    module.register(main)
