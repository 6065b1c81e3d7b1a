"""Applying from the console asks once, with the plan and the target on screen,
and asks for the database's name when the migrations destroy data."""

from __future__ import annotations

import psycopg
import pytest

from migtui.tui.app import MigtuiApp
from migtui.tui.screens.apply_screen import ApplyScreen
from migtui.tui.source import ConsoleSource
from tui.helpers import drive, loaded, run_finished, select, state_of, static_text, wait_for

pytestmark = pytest.mark.db

FILES = {
    "0001_events.sql": "-- migrate:up\nCREATE TABLE events (id int PRIMARY KEY, body text);\n"
    "-- migrate:down\nDROP TABLE events;\n",
    "0002_retire.sql": "-- migrate:up\nDROP TABLE events;\n"
    "-- migrate:down\nCREATE TABLE events (id int PRIMARY KEY, body text);\n",
}


def app_for(folder, dsn) -> MigtuiApp:
    return MigtuiApp(ConsoleSource(root=folder, dsn=dsn))


def test_apply_shows_the_plan_and_back_runs_nothing(pg_dsn, write_migrations):
    app = app_for(write_migrations(FILES), pg_dsn)

    async def script(pilot):
        await loaded(pilot, live=True)
        await select(pilot, "0001")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen))
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.ready)
        database = app.console_screen.project.target.database
        assert database in str(dialog.query_one(".dialog-title").render())
        assert "0001 events" in static_text(dialog.query_one("#apply-plan"))
        assert "No data at risk" in static_text(dialog.query_one("#apply-summary"))
        await pilot.press("escape")
        await pilot.pause()
        assert not app.run_in_progress and state_of(app, "0001") == "pending"

        since = app.console_screen.loads_completed
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.ready)
        await pilot.press("enter")  # the button has the focus when nothing is at risk
        await run_finished(pilot, since)
        assert state_of(app, "0001") == "applied"

    drive(app, script)


def test_destroying_data_asks_for_the_database_name(pg_dsn, write_migrations):
    folder = write_migrations(FILES)
    app = app_for(folder, pg_dsn)
    from migtui.core.graph import analyze_dir
    from migtui.db import ledger

    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # 0001 ran, and events has rows
        conn.execute("CREATE TABLE events (id int PRIMARY KEY, body text)")
        conn.execute("INSERT INTO events VALUES (1, 'a'), (2, 'b')")
        ledger.ensure_ledger(conn)
        ledger.record_applied(conn, analyze_dir(folder).get("0001"), duration_ms=1.0)

    async def script(pilot):
        await loaded(pilot, live=True)
        await select(pilot, "0002")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.ready)
        dialog = app.screen
        risk = static_text(dialog.query_one("#apply-risk"))
        assert "drops table public.events" in risk
        assert "all 2 rows deleted (table dropped)" in risk
        go = dialog.query_one("#go")
        assert dialog.at_risk and go.disabled
        dialog.query_one("#apply-confirm").value = "production"
        await pilot.pause()
        assert go.disabled  # the wrong name opens nothing
        since = app.console_screen.loads_completed
        dialog.query_one("#apply-confirm").value = dialog.database
        await pilot.pause()
        assert not go.disabled
        await pilot.click("#go")
        await run_finished(pilot, since)
        assert state_of(app, "0002") == "applied"

    drive(app, script)


def test_a_half_run_step_is_finished_not_marked_applied_on_faith(pg_dsn, write_migrations):
    from migtui.core.graph import analyze_dir
    from migtui.db.runner import Runner
    from migtui.tui.screens.dirty_screen import DirtyScreen

    folder = write_migrations(
        {
            # made LIKE another: the server finds t has no column b, at run time
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t0 (id int);\nCREATE TABLE t (LIKE t0);\n",
            "0002_idx.sql": "-- migrate:up transaction:false\n"
            "CREATE INDEX CONCURRENTLY idx_t_id ON t (id);\n"
            "CREATE INDEX CONCURRENTLY idx_t_b ON t (b);\n",
        }
    )
    assert Runner(pg_dsn, analyze_dir(folder), emit=lambda e: None).apply().outcome == "failed"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE t ADD COLUMN b int")  # what the second statement lacked
    app = app_for(folder, pg_dsn)

    async def script(pilot):
        await loaded(pilot, live=True)
        assert state_of(app, "0002") == "dirty"
        await select(pilot, "0002")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DirtyScreen))
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.evidence is not None)
        text = static_text(dialog.query_one("#dirty-evidence"))
        assert "ran: #1 (line 2)" in text and "did not run: #2 (line 3)" in text
        assert "missing: index public.idx_t_b" in text
        applied = dialog.query_one("#applied")
        assert applied.disabled  # it did not finish: not without the name and a reason
        dialog.query_one("#dirty-name").value = dialog.database
        await pilot.pause()
        assert applied.disabled  # and a reason
        since = app.console_screen.loads_completed
        await pilot.click("#finish")
        await run_finished(pilot, since)
        assert state_of(app, "0002") == "applied"

    drive(app, script)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        indexes = {
            r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 't'")
        }
    assert indexes == {"idx_t_id", "idx_t_b"}


def test_at_80x24_the_rollback_dialog_keeps_the_risk_beside_the_name_to_type(pg_dsn):
    from migtui.tui.screens.rollback_screen import RollbackScreen
    from tui.helpers import console_app, run_with

    app = console_app("fixed", dsn=pg_dsn)

    async def script(pilot):
        await loaded(pilot, live=True)
        await select(pilot, "0014")
        await run_with(pilot, "a")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackScreen))
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.request is not None)
        for selector in ("#rollback-summary", "#rollback-confirm", "#go", "#rollback-targets"):
            region = dialog.query_one(selector).region
            assert region.height > 0 and region.bottom <= 24, (selector, region)
        assert "values lost" in static_text(dialog.query_one("#rollback-summary"))
        assert dialog.query_one("#rollback-preview-box").region.height >= 2

    drive(app, script, size=(80, 24))


def test_verify_and_history_from_the_console(pg_dsn):
    from migtui.tui.screens.history_screen import HistoryScreen
    from tui.helpers import console_app, console_state, output_text, run_with

    app = console_app("fixed", dsn=pg_dsn)

    async def script(pilot):
        await loaded(pilot, live=True)
        titles = {c.title for c in app.get_system_commands(app.console_screen)}
        assert {"Verify", "History", "Problems", "Dependency graph"} <= titles
        await select(pilot, "0014")
        await run_with(pilot, "a")
        before = output_text(app).count("✓ verify passed")
        app.action_verify()
        await wait_for(
            pilot,
            lambda: output_text(app).count("✓ verify passed") > before,
            why=lambda: console_state(app, "0014"),
        )
        app.action_history()
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, HistoryScreen) and app.screen.query("#history-text"),
        )
        box = app.screen.query_one("#history-text")
        await wait_for(pilot, lambda: "reading" not in static_text(box))
        text = static_text(box)
        assert "apply" in text and "0014" in text and "committed" in text

    drive(app, script)
