"""The console's rehearsal: the plan on a copy of the demo's database, each
statement with the locks PostgreSQL took, each down checked; the database the
console is on is left as it was."""

from __future__ import annotations

import pytest

from migtui.tui.app import MigtuiApp
from migtui.tui.screens.rehearsal_screen import RehearsalScreen
from migtui.tui.source import ConsoleSource
from migtui.tui.widgets.migration_table import MigrationTable
from tui.helpers import drive, loaded, scenario_dir, static_text, wait_for

pytestmark = pytest.mark.db


def test_h_rehearses_the_plan_on_a_copy_and_shows_the_locks(demo_data_dir):
    app = MigtuiApp(ConsoleSource(root=scenario_dir("fixed"), demo=True, scenario="fixed"))

    async def script(pilot):
        # the demo's server may be starting: on a busy machine that takes a while
        await loaded(pilot, live=True, timeout=90)
        pending = app.console_screen.project.counts().get("pending")
        await pilot.press("h")  # with 0001 selected: the dialog opens at the top
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen))
        screen = app.screen
        # a rehearsal starts pg_dump, psql and three runs of each step: minutes on a busy machine
        await wait_for(pilot, lambda: screen.rehearsal is not None, timeout=240)
        rehearsal = screen.rehearsal
        assert rehearsal.ok and len(rehearsal.steps) == pending
        step = next(s for s in rehearsal.steps if s.version == "0014")
        alter = next(t for t in step.statements if t.sql.startswith("ALTER TABLE proposal_moves"))
        assert alter.locks == [("public.proposal_moves", "ACCESS EXCLUSIVE")]
        shown = screen.text()
        assert " ACCESS EXCLUSIVE  proposal_moves" in shown
        assert "predicted" not in shown  # every traced lock is the one predicted
        assert "down undoes it" in shown and "applied on the copy" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.console_screen.query_one(MigrationTable).has_focus
        # back in the console, the SQL pane says what the statement took on the copy
        app.console_screen.select("0014", alter.line)
        await pilot.pause()
        note = static_text(app.console_screen.query_one("#sql-note"))
        assert "rehearsed: ACCESS EXCLUSIVE on public.proposal_moves" in note
        # pressed on 0014, the dialog opens at 0014's step
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen))
        again = app.screen
        await wait_for(pilot, lambda: again.rehearsal is not None, timeout=240)
        box = again.query_one("#rehearsal-box")
        step = again.query_one("#step-0014")
        await wait_for(pilot, lambda: abs(step.region.y - box.content_region.y) <= 1, 10)
        assert box.scroll_y > 0
        await pilot.press("escape")
        # the demo's own database was only read
        assert app.console_screen.project.counts().get("pending") == pending

    drive(app, script)
