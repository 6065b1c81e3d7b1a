"""The gates' dialogs over a real database, held as snapshots at 80×24 and 160×48.

What changes from run to run is pinned: the database is always called
``migtui_snapshots``, the folder label is fixed, the header shows a fixed DSN
and server version (the test server's port and version vary), and every
migration ran before the console opened, so no timing is on screen.

After an intended change of the look: review with ``pytest tests/tui/test_dialog_snapshots.py``
(the report shows the differences), then ``--snapshot-update``.
"""

from __future__ import annotations

import os
from dataclasses import replace

import psycopg
import pytest
from psycopg import sql

from migtui.core.graph import analyze_dir
from migtui.db.runner import Runner
from migtui.tui.app import MigtuiApp
from migtui.tui.source import ConsoleSource
from migtui.tui.widgets.target_header import TargetHeader
from tui.helpers import loaded, scenario_dir, select, wait_for

pytestmark = pytest.mark.db

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
NAME = "migtui_snapshots"


@pytest.fixture
def snapshot_dsn(pg_admin_dsn: str):
    """A database with the same name in every run (its name is on screen)."""
    from psycopg.conninfo import make_conninfo

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(NAME))
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(NAME)))
    try:
        yield make_conninfo(pg_admin_dsn, dbname=NAME)
    finally:
        with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
            conn.execute(drop)


def pin_times(dsn: str) -> None:
    """The ledger's times are on screen: make them the same in every run."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("UPDATE migtui.applied SET applied_at = '2025-03-03 09:00Z'")


def app_on(folder, dsn: str, label: str) -> MigtuiApp:
    return MigtuiApp(ConsoleSource(root=folder, dsn=dsn, root_label=label))


async def opened(pilot) -> None:
    """Wait for the live read, then pin what differs between test servers."""
    await loaded(pilot, live=True)
    header = pilot.app.console_screen.query_one(TargetHeader)
    header.target = replace(
        header.target, dsn_shown=f"postgresql://postgres@localhost/{NAME}", server_version="18"
    )
    await pilot.pause()


def preview_text(dialog) -> str:
    from rich.console import Console
    from textual.widgets import Static

    console = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(dialog.query_one("#rollback-preview", Static).content)
    return console.export_text().strip()


@pytest.mark.parametrize("size", SIZES)
def test_rollback_dialog_with_values_at_risk(snap_compare, snapshot_dsn, size):
    folder = scenario_dir("fixed")
    assert Runner(snapshot_dsn, analyze_dir(folder), emit=lambda e: None).apply().outcome == "done"
    pin_times(snapshot_dsn)

    async def open_rollback(pilot):
        from migtui.tui.screens.rollback_screen import RollbackScreen

        await opened(pilot)
        await select(pilot, "0014")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RollbackScreen))
        dialog = pilot.app.screen
        # 0018 back to 0014: five steps, whose preview names what they drop
        dialog.query_one("#rollback-targets").highlighted = [
            r.version for r in dialog.applied
        ].index("0014")
        await wait_for(
            pilot,
            lambda: dialog.request is not None and dialog.request.to == "0013_6",
            why=lambda: f"the preview showed: {preview_text(dialog)}",
        )
        await pilot.pause()

    app = app_on(scenario_dir("fixed"), snapshot_dsn, "sql/scenarios/fixed")
    assert snap_compare(app, terminal_size=size, run_before=open_rollback)


@pytest.mark.parametrize("size", SIZES)
def test_apply_dialog_asking_for_the_name(snap_compare, snapshot_dsn, write_migrations, size):
    folder = write_migrations(
        {
            "0001_events.sql": "-- migrate:up\nCREATE TABLE events (id int PRIMARY KEY, body text);\n"
            "-- migrate:down\nDROP TABLE events;\n",
            "0002_retire_events.sql": "-- migrate:up\nDROP TABLE events;\n"
            "-- migrate:down\nCREATE TABLE events (id int PRIMARY KEY, body text);\n",
        }
    )
    Runner(snapshot_dsn, analyze_dir(folder), emit=lambda e: None).apply(to="0001")
    with psycopg.connect(snapshot_dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO events VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    pin_times(snapshot_dsn)

    async def open_apply(pilot):
        from migtui.tui.screens.apply_screen import ApplyScreen

        await opened(pilot)
        await select(pilot, "0002")
        await pilot.press("a")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, ApplyScreen) and pilot.app.screen.ready
        )
        await pilot.pause()

    app = app_on(folder, snapshot_dsn, "migrations")
    assert snap_compare(app, terminal_size=size, run_before=open_apply)


@pytest.mark.parametrize("size", SIZES)
def test_dirty_dialog_with_the_evidence(snap_compare, snapshot_dsn, write_migrations, size):
    folder = write_migrations(
        {
            # made LIKE another: the server finds t has no column b, at run time
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t0 (id int);\nCREATE TABLE t (LIKE t0);\n",
            "0002_indexes.sql": "-- migrate:up transaction:false\n"
            "CREATE INDEX CONCURRENTLY idx_t_id ON t (id);\n"
            "CREATE INDEX CONCURRENTLY idx_t_b ON t (b);\n",
        }
    )
    assert (
        Runner(snapshot_dsn, analyze_dir(folder), emit=lambda e: None).apply().outcome == "failed"
    )
    pin_times(snapshot_dsn)

    async def open_dirty(pilot):
        from migtui.tui.screens.dirty_screen import DirtyScreen

        await opened(pilot)
        await select(pilot, "0002")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DirtyScreen))
        await wait_for(pilot, lambda: pilot.app.screen.evidence is not None)
        await pilot.pause()

    app = app_on(folder, snapshot_dsn, "migrations")
    assert snap_compare(app, terminal_size=size, run_before=open_dirty)
