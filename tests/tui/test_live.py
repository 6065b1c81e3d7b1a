"""The console against a real PostgreSQL: the demo's story, failures, rollback, quitting."""

from __future__ import annotations

import psycopg
import pytest

from migtui.db.catalog import read_catalog
from migtui.tui.app import MigtuiApp
from migtui.tui.screens.confirm_screen import ConfirmScreen
from migtui.tui.screens.rollback_screen import RollbackScreen
from migtui.tui.screens.scenario_picker import ScenarioPicker
from migtui.tui.source import ConsoleSource
from migtui.tui.widgets.live_output import LiveOutput
from migtui.tui.widgets.sql_preview import SqlPreview
from tui.helpers import (
    confirm_apply,
    console_app,
    drive,
    loaded,
    output_text,
    run_finished,
    run_with,
    scenario_dir,
    select,
    state_of,
    static_text,
    wait_for,
)

pytestmark = pytest.mark.db


def _schema(dsn: str) -> frozenset:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return read_catalog(conn).objects


def test_demo_opens_blocked_then_steps_the_fixed_chain_through_0013_5_and_0014(demo_data_dir):
    app = MigtuiApp(
        ConsoleSource(
            root=scenario_dir("missing-prerequisite"), demo=True, scenario="missing-prerequisite"
        )
    )

    async def script(pilot):
        await loaded(pilot, live=True)
        console = app.console_screen
        assert console.project.target.database == "migtui_demo_missing_prerequisite"
        assert state_of(app, "0014") == "blocked"
        # A blocked plan is never offered: the action says why and names the table.
        await select(pilot, "0014")
        await pilot.press("a")
        await pilot.pause()
        assert not app.run_in_progress
        assert any("proposal_moves" in n.message for n in app._notifications)

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ScenarioPicker))
        picker = app.screen.query_one("#scenario-list")
        picker.highlighted = picker.get_option_index("fixed")
        await pilot.press("enter")
        await loaded(pilot, live=True)
        assert app.console_screen.project.target.database == "migtui_demo_fixed"
        assert state_of(app, "0014") == "pending"

        await select(pilot, "0013")
        await run_with(pilot, "a")
        assert state_of(app, "0013") == "applied"

        await select(pilot, "0014")
        reads = app.console_screen.loads_completed
        await pilot.press("s")
        await confirm_apply(pilot)
        statements_run = 0
        while True:
            await wait_for(pilot, lambda: app.paused is not None or not app.run_in_progress)
            if not app.run_in_progress:
                break
            waiting_at = app.paused
            await pilot.press("n")
            statements_run += 1
            await wait_for(
                pilot,
                lambda waiting_at=waiting_at: (
                    app.paused is not waiting_at or not app.run_in_progress
                ),
                timeout=10,
            )
        await run_finished(pilot, reads)
        assert state_of(app, "0013_5") == "applied"
        assert state_of(app, "0014") == "applied"
        text = output_text(app)
        assert "CREATE TABLE" in text and "ALTER TABLE" in text
        assert text.count("✓ verify passed") >= 2
        # One pause per statement of both migrations, verify sections included.
        assert statements_run == text.count("‖ next:")
        assert statements_run >= 8

    drive(app, script, size=(160, 48))


def test_failing_migration_shows_sqlstate_and_the_failing_line(pg_dsn):
    app = console_app("failing", dsn=pg_dsn)
    failing_line = next(
        number
        for number, line in enumerate(
            (scenario_dir("failing") / "0003_weekly_load.sql").read_text().splitlines(), 1
        )
        if line.startswith("UPDATE weekly_load")
    )

    async def script(pilot):
        await loaded(pilot, live=True)
        await select(pilot, "0004")
        await run_with(pilot, "a")
        text = output_text(app)
        assert "ERROR 22012 division by zero" in text
        assert f"0003_weekly_load.sql:{failing_line}" in text
        preview = app.console_screen.query_one(SqlPreview)
        assert preview.version == "0003"
        assert f"line {failing_line}" in static_text(preview.query_one("#sql-note"))
        assert "UPDATE weekly_load" in preview.query_one("#sql-text-up").selected_text
        assert state_of(app, "0002") == "applied"
        assert state_of(app, "0003") == "failed"  # until a run of it succeeds

    drive(app, script)


def test_guided_rollback_asks_for_the_database_name_and_restores_the_schema(pg_dsn):
    app = console_app("fixed", dsn=pg_dsn)

    async def script(pilot):
        await loaded(pilot, live=True)
        await select(pilot, "0017")
        await run_with(pilot, "a")
        before = _schema(pg_dsn)

        await select(pilot, "0018")
        await run_with(pilot, "a")
        assert _schema(pg_dsn) != before

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackScreen))
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.request is not None)
        preview = static_text(dialog.query_one("#rollback-preview"))
        assert "0018" in preview and "table public.churn_settings" in preview
        assert dialog.at_risk >= 1
        go = dialog.query_one("#go")
        assert go.disabled
        database = app.console_screen.project.target.database
        dialog.query_one("#rollback-confirm").focus()
        await pilot.press(*"wrong")
        assert go.disabled
        dialog.query_one("#rollback-confirm").value = ""
        await pilot.press(*database)
        await pilot.pause()
        assert not go.disabled
        await run_with(pilot, "enter")
        assert state_of(app, "0018") == "pending"
        assert state_of(app, "0017") == "applied"
        assert _schema(pg_dsn) == before

    drive(app, script, size=(160, 48))


def test_cancel_stops_the_running_statement_after_its_notices_streamed_in(pg_dsn):
    app = console_app("slow-notices", dsn=pg_dsn)

    async def script(pilot):
        await loaded(pilot, live=True)
        await select(pilot, "0001")
        await run_with(pilot, "a")
        await select(pilot, "0002")
        since = app.console_screen.loads_completed
        await pilot.press("a")
        await confirm_apply(pilot)
        await wait_for(pilot, lambda: "NOTICE: batch 1/6" in output_text(app))
        # The notice is on screen while the statement that raised it still runs.
        assert app.run_in_progress
        await pilot.press("x")
        await run_finished(pilot, since)
        text = output_text(app)
        assert "ERROR 57014" in text
        assert "0002 rolled back: cancelled" in text
        assert "backfill done" not in text
        assert state_of(app, "0002") == "pending"

    drive(app, script)


def test_quitting_while_a_migration_runs_asks_first_and_leaves_nothing_half_done(pg_dsn):
    app = console_app("slow-notices", dsn=pg_dsn)
    output: list[LiveOutput] = []

    async def script(pilot):
        await loaded(pilot, live=True)
        output.append(app.console_screen.query_one(LiveOutput))
        await select(pilot, "0001")
        await run_with(pilot, "a")
        await select(pilot, "0002")
        # Step mode holds the run open between statements, whatever the machine's speed.
        await pilot.press("s")
        await confirm_apply(pilot)
        await wait_for(pilot, lambda: app.paused is not None)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.paused is not None and app.paused.index == 1)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await pilot.pause()
        assert app.run_in_progress and app.is_running
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await wait_for(pilot, lambda: not app.is_running, timeout=20)

    drive(app, script)
    text = output[0].plain_text
    assert "✓ ALTER TABLE" in text
    assert "0002 rolled back: aborted" in text
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        applied = [r[0] for r in conn.execute("SELECT version FROM migtui.applied")]
        column = conn.execute(
            "SELECT 1 FROM information_schema.columns"
            " WHERE table_name = 'calendar_events_new' AND column_name = 'priority'"
        ).fetchone()
    # The ALTER TABLE that ran before quitting was rolled back with its migration.
    assert applied == ["0001"]
    assert column is None


def test_resolving_a_dirty_migration_from_the_console(pg_dsn):
    from migtui.core.graph import analyze_dir
    from migtui.db import ledger
    from migtui.db.runner import Runner
    from migtui.tui.screens.dirty_screen import DirtyScreen

    folder = scenario_dir("non-transactional")
    Runner(pg_dsn, analyze_dir(folder), emit=lambda event: None).apply()
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        ledger.mark_dirty(conn, "0002", True)  # as if the index build was interrupted
    app = console_app("non-transactional", dsn=pg_dsn)

    async def script(pilot):
        await loaded(pilot, live=True)
        assert state_of(app, "0002") == "dirty"
        await select(pilot, "0002")
        since = app.console_screen.loads_completed
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DirtyScreen))
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.evidence is not None)
        # everything it makes exists: marking it applied needs nothing more
        text = static_text(dialog.query_one("#dirty-evidence"))
        assert "exists: index" in text and "missing" not in text
        assert not dialog.query_one("#applied").disabled
        await pilot.click("#applied")
        await wait_for(pilot, lambda: app.console_screen.loads_completed > since)
        assert state_of(app, "0002") == "applied"

    drive(app, script)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        actions = [e.action for e in ledger.read_history(conn)]
    assert actions[-1] == "resolve"


def test_a_flood_of_notices_draws_the_newest_and_keeps_the_rest_for_copying(
    pg_dsn, write_migrations
):
    """20,000 notices from one DO block: the output draws the newest at once and says
    how many it did not draw; the copied text still holds the newest max_lines."""
    folder = write_migrations(
        {
            "0001_noisy.sql": "-- migrate:up\n"
            "DO $$ BEGIN FOR i IN 1..20000 LOOP RAISE NOTICE 'tick %', i; END LOOP; END $$;\n"
        }
    )
    app = MigtuiApp(ConsoleSource(root=folder, dsn=pg_dsn))

    async def script(pilot):
        await loaded(pilot, live=True)
        await run_with(pilot, "a")
        output = app.console_screen.query_one(LiveOutput)
        text = output.plain_text
        assert "tick 20000" in text  # the last one arrived and is kept
        assert "tick 1\n" not in text  # the oldest went first (max_lines = 5000)
        # what is drawn is a fraction of what came: the newest of each batch,
        # after a line saying how many were not
        drawn = [strip.text for strip in output.lines]
        assert len(drawn) < 20000 / 2
        assert any("events not drawn" in line for line in drawn)
        assert "tick 20000" in "\n".join(drawn)

    drive(app, script)
