"""Helpers for driving the console with Textual's Pilot against a real PostgreSQL."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from migtui.resources import bundled_sql_dir
from migtui.tui.app import MigtuiApp
from migtui.tui.source import ConsoleSource
from migtui.tui.widgets.live_output import LiveOutput
from migtui.tui.widgets.migration_table import MigrationTable


def scenario_dir(name: str) -> Path:
    return bundled_sql_dir() / "scenarios" / name


def console_app(scenario: str, dsn: str | None = None, **kwargs) -> MigtuiApp:
    return MigtuiApp(ConsoleSource(root=scenario_dir(scenario), dsn=dsn, **kwargs))


async def wait_for(
    pilot,
    condition: Callable[[], bool],
    timeout: float = 30.0,
    why: Callable[[], str] | None = None,
) -> None:
    """Let the app run until ``condition`` holds; fail the test after ``timeout``,
    saying what ``why`` tells of the app then (what the console showed)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            seen = f"; {why()}" if why is not None else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {condition}{seen}")
        await pilot.pause(0.05)


def console_state(app: MigtuiApp, version: str | None = None) -> str:
    """What the console shows, for a failed wait's message: the project's
    state, the selected row, the notifications and the output's last lines."""
    project = app.console_screen.project
    parts = [f"project live={project.live} note={project.note!r}" if project else "no project"]
    if project is not None and version is not None:
        row = project.row(version)
        parts.append(f"{version} is {row.state if row else 'not listed'}")
    parts.append(f"running={app.run_in_progress}")
    parts.append(f"notifications={[n.message for n in app._notifications]!r}")
    parts.append(f"output ends {output_text(app)[-600:]!r}")
    log = Path(os.environ.get("MIGTUI_DATA_DIR", "")) / "postgres" / "log"
    if os.environ.get("MIGTUI_DATA_DIR") and log.is_file():  # the demo's server, if any
        parts.append(f"its server's log ends {log.read_text(errors='replace')[-1500:]!r}")
    return "; ".join(parts)


async def loaded(pilot, *, live: bool, timeout: float = 30.0) -> None:
    """Wait until the project has been read (with the database, when ``live``)."""

    def ready() -> bool:
        try:
            project = pilot.app.console_screen.project
        except LookupError:
            return False
        return project is not None and project.live == live and not project.note

    await wait_for(pilot, ready, timeout, why=lambda: console_state(pilot.app))
    await pilot.pause()


async def run_finished(pilot, since: int, timeout: float = 60.0) -> None:
    """Wait until the run has ended and the project was read again after read ``since``."""
    console = pilot.app.console_screen
    await wait_for(pilot, lambda: not pilot.app.run_in_progress, timeout)
    await wait_for(pilot, lambda: console.loads_completed > since)
    await pilot.pause()


async def confirm_apply(pilot, database: str | None = None) -> None:
    """Answer the apply dialog the way an operator does: wait for what the plan
    destroys, type the database's name if it asks, and press the button."""
    from migtui.tui.screens.apply_screen import ApplyScreen

    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ApplyScreen))
    dialog = pilot.app.screen
    await wait_for(pilot, lambda: dialog.ready)
    if dialog.at_risk:
        dialog.query_one("#apply-confirm").value = database or dialog.database
        await pilot.pause()
    await pilot.click("#go")
    await pilot.pause()


async def run_with(pilot, *keys: str, timeout: float = 60.0) -> None:
    """Press ``keys`` (which start a run), answer the apply dialog when one asks,
    and wait until the run is over and read back."""
    from migtui.tui.screens.apply_screen import ApplyScreen

    since = pilot.app.console_screen.loads_completed
    await pilot.press(*keys)
    await pilot.pause()
    if isinstance(pilot.app.screen, ApplyScreen):
        await confirm_apply(pilot)
    await run_finished(pilot, since, timeout)


def output_text(app: MigtuiApp) -> str:
    return app.console_screen.query_one(LiveOutput).plain_text


def state_of(app: MigtuiApp, version: str) -> str:
    row = app.console_screen.project.row(version)
    assert row is not None, f"no row for {version}"
    return row.state


async def select(pilot, version: str) -> None:
    pilot.app.console_screen.select(version)
    pilot.app.console_screen.query_one(MigrationTable).focus()
    await pilot.pause()


def drive(app: MigtuiApp, script, size: tuple[int, int] = (120, 40)) -> None:
    """Run ``script(pilot)`` against the app in a headless terminal of ``size``."""
    import asyncio

    async def session() -> None:
        async with app.run_test(size=size) as pilot:
            await script(pilot)

    asyncio.run(session())


def plain(renderable) -> str:
    """What a rich renderable says, as plain text (wide, so nothing wraps)."""
    import io

    from rich.console import Console

    console = Console(width=240, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text()


def static_text(widget) -> str:
    from textual.widgets import Static

    static = widget if isinstance(widget, Static) else widget.query_one(Static)
    return plain(static.content)
