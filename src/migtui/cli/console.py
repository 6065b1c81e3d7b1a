"""Commands of this group are registered on the main group by ``register``."""

from __future__ import annotations

import click


@click.command("console")
def console_command() -> None:
    """Open the console."""
    raise click.ClickException("the console is not available yet")


def register(group: click.Group) -> None:
    """Add this module's commands to ``group``."""
    group.add_command(console_command)
