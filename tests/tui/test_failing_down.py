"""The guided rollback through a down section check knows will fail: the
dialog says so before anyone confirms, and running it anyway takes the
database's name — then the server fails where check said, and nothing is lost."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from migtui.cli import main
from migtui.tui.app import MigtuiApp
from migtui.tui.screens.rollback_screen import RollbackScreen
from migtui.tui.source import ConsoleSource
from tui.helpers import drive, loaded, output_text, run_with, state_of, static_text, wait_for

pytestmark = pytest.mark.db

WRONG_DOWN = {
    "0001_versions.sql": "-- migrate:up\nCREATE TABLE versions (id int);\n"
    "-- migrate:down\nDROP TABLE versions;\n",
    "0002_uindex.sql": "-- migrate:up\nCREATE UNIQUE INDEX versions_id_uindex ON versions (id);\n"
    "-- migrate:down\nALTER TABLE versions DROP CONSTRAINT versions_id_uindex;\n",
}


def test_dialog_names_the_failing_down_and_asks_before_running_it(pg_dsn, write_migrations):
    folder = write_migrations(WRONG_DOWN)
    applied = CliRunner().invoke(main, ["apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes"])
    assert applied.exit_code == 0, applied.output
    app = MigtuiApp(ConsoleSource(root=folder, dsn=pg_dsn))

    async def script(pilot):
        await loaded(pilot, live=True)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackScreen))
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.request is not None)
        preview = static_text(dialog.query_one("#rollback-preview"))
        assert "versions_id_uindex" in preview and "expects these down statements" in preview
        go = dialog.query_one("#go")
        assert go.disabled and "anyway" in str(go.label)
        dialog.query_one("#rollback-confirm").focus()
        await pilot.press(*app.console_screen.project.target.database)
        await pilot.pause()
        assert not go.disabled
        await run_with(pilot, "enter")
        assert "42704" in output_text(app)
        assert state_of(app, "0002") == "applied"

    drive(app, script, size=(160, 48))
