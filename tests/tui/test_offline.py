"""The console without a database: the analysis, SQL and problems are all there."""

from __future__ import annotations

from migtui.tui.screens.graph_screen import GraphScreen
from migtui.tui.widgets.dependency_panel import DependencyPanel
from migtui.tui.widgets.problem_list import ProblemList
from migtui.tui.widgets.sql_preview import SqlPreview
from tui.helpers import (
    console_app,
    drive,
    loaded,
    output_text,
    scenario_dir,
    select,
    state_of,
    static_text,
)


def _dependency_text(app) -> str:
    return static_text(app.console_screen.query_one(DependencyPanel))


def test_offline_console_shows_0014_blocked_and_names_the_missing_table():
    app = console_app("missing-prerequisite")

    async def script(pilot):
        await loaded(pilot, live=False)
        assert state_of(app, "0014") == "blocked"
        assert state_of(app, "0013") == "unknown"
        # The cursor starts on the blocked migration, and the panes follow it.
        assert app.console_screen.selected_version == "0014"
        needs = _dependency_text(app)
        assert "table public.proposal_moves" in needs
        assert "nothing creates it" in needs
        preview = app.console_screen.query_one(SqlPreview)
        assert preview.version == "0014"
        assert "ALTER TABLE proposal_moves" in preview.query_one("#sql-text-up").text

    drive(app, script)


def test_sql_tabs_follow_the_cursor_and_keep_the_tab():
    app = console_app("fixed")

    async def script(pilot):
        await loaded(pilot, live=False)
        preview = app.console_screen.query_one(SqlPreview)
        await select(pilot, "0013_5")
        await pilot.press("2")
        await pilot.pause()
        assert preview.section == "down"
        down = preview.query_one("#sql-text-down").text
        assert "DROP TABLE" in down and "proposal_moves" in down
        # The next migration opens on the tab the operator is on, with its own SQL.
        await select(pilot, "0014")
        await pilot.pause()
        assert preview.section == "down"
        assert "DROP COLUMN" in preview.query_one("#sql-text-down").text
        await pilot.press("1")
        await pilot.pause()
        assert "ALTER TABLE proposal_moves" in preview.query_one("#sql-text-up").text

    drive(app, script)


def test_offline_apply_says_a_database_is_needed():
    app = console_app("fixed")

    async def script(pilot):
        await loaded(pilot, live=False)
        await select(pilot, "0014")
        await pilot.press("a")
        await pilot.pause()
        assert not app.run_in_progress
        messages = [n.message for n in app._notifications]
        assert any("needs a database" in m for m in messages), messages

    drive(app, script)


def test_choosing_a_problem_shows_its_migration_and_line():
    app = console_app("missing-prerequisite")

    async def script(pilot):
        await loaded(pilot, live=False)
        await select(pilot, "0001")
        await pilot.press("p")
        problems = app.console_screen.query_one(ProblemList)
        assert problems.has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert app.console_screen.selected_version == "0014"
        area = app.console_screen.query_one("#sql-text-up")
        selected = area.selected_text
        assert "proposal_moves" in selected

    drive(app, script)


def test_lock_hints_follow_the_problems_and_lead_to_their_line():
    """The fixed chain has no problem; its lock hints are listed after that, the
    SQL pane says how many the selected migration has, and choosing one shows it."""
    app = console_app("fixed")

    async def script(pilot):
        await loaded(pilot, live=False)
        await select(pilot, "0014")
        await pilot.pause()
        preview = app.console_screen.query_one(SqlPreview)
        assert "lock hints: line" in str(preview.border_subtitle)
        await select(pilot, "0001")
        await pilot.pause()
        assert not preview.border_subtitle  # 0001 locks no existing table
        await pilot.press("p")
        problems = app.console_screen.query_one(ProblemList)
        first = str(problems.get_option_at_index(0).prompt)
        hint = str(problems.get_option_at_index(problems.highlighted).prompt)
        assert first == "No problems found." and "◆ lock" in hint
        await pilot.press("enter")
        await pilot.pause()
        chosen = app.console_screen.project.analysis.hints[0]
        assert app.console_screen.selected_version == chosen.migration
        area = app.console_screen.query_one("#sql-text-up")
        assert area.selection.end[0] == chosen.line - area.line_number_start
        # the line under the editor says the hint of the statement the cursor is on
        await pilot.pause()
        note = static_text(app.console_screen.query_one("#sql-note"))
        assert chosen.rule in note and "safer:" in note

    drive(app, script)


def test_the_configs_lint_off_holds_in_the_console_too():
    app = console_app("fixed", lint_off=("index-not-concurrent", "no-lock-timeout"))

    async def script(pilot):
        await loaded(pilot, live=False)
        rules = {h.rule for h in app.console_screen.project.analysis.hints}
        assert rules == {"validating-constraint", "lock-held"}

    drive(app, script)


def test_graph_view_lists_every_migration_and_returns_to_the_chosen_one():
    app = console_app("fixed")

    async def script(pilot):
        await loaded(pilot, live=False)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GraphScreen)
        tree = app.screen.query_one("#graph-tree")
        versions = [node.data for node in tree.root.children]
        assert "0013_5" in versions and "0014" in versions
        node_0014 = next(n for n in tree.root.children if n.data == "0014")
        needs = [str(child.label) for child in node_0014.children]
        assert any("0013_5" in label for label in needs), needs
        tree.move_cursor(node_0014)
        await pilot.press("enter")
        await pilot.pause()
        assert app.console_screen.selected_version == "0014"
        on_disk = len(list(scenario_dir("fixed").glob("*.sql")))
        assert f"read {on_disk} migrations" in output_text(app)

    drive(app, script)


def test_a_key_that_cannot_act_now_says_why():
    app = console_app("fixed")

    async def script(pilot):
        await loaded(pilot, live=False)
        for key, words in (
            ("n", "pause in step mode"),
            ("x", "nothing runs now"),
            ("e", "none is dirty"),
        ):
            await pilot.press(key)
            await pilot.pause()
            assert any(words in n.message for n in app._notifications), key
        # and after a dialog the keys go to the migrations again
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is app.console_screen.query_one("#migrations")

    drive(app, script)


def test_at_80_columns_the_names_get_the_state_columns_room():
    from migtui.tui.widgets.migration_table import MigrationTable

    app = console_app("missing-prerequisite")

    async def script(pilot):
        await loaded(pilot, live=False)
        table = app.console_screen.query_one(MigrationTable)
        assert table.narrow
        assert [c.label.plain for c in table.ordered_columns] == [" ", "version", "name"]
        row = table.get_row("0014")
        assert row[1].plain == "0014" and "red" in str(row[1].style)  # blocked, in its colour
        shown = [table.render_line(y).text for y in range(table.size.height)]
        line = next(text for text in shown if "0014" in text)
        assert "rebalancing_conc" in line, shown  # not "rebalanc"
        assert app.console_screen.selected_version == "0014"

    drive(app, script, size=(80, 24))


def test_a_wide_console_shows_the_state_in_words():
    from migtui.tui.widgets.migration_table import MigrationTable

    app = console_app("missing-prerequisite")

    async def script(pilot):
        await loaded(pilot, live=False)
        table = app.console_screen.query_one(MigrationTable)
        assert not table.narrow
        assert [c.label.plain for c in table.ordered_columns] == [" ", "version", "state", "name"]
        assert table.get_row("0014")[2].plain == "blocked"

    drive(app, script, size=(160, 48))


def test_a_folder_opened_before_shows_its_rows_in_the_first_frame(tmp_path, monkeypatch):
    import shutil

    from migtui.core import cache
    from migtui.core.folder import analyze_folder
    from migtui.tui import engine
    from migtui.tui.app import MigtuiApp
    from migtui.tui.source import ConsoleSource
    from migtui.tui.widgets.migration_table import MigrationTable

    # files this new are never trusted to the cache: pretend they are older
    monkeypatch.setattr(cache, "_RACY_NS", 0)
    reads = []
    read_offline = engine.read_offline
    monkeypatch.setattr(engine, "read_offline", lambda *a: reads.append(a) or read_offline(*a))

    folder = tmp_path / "migrations"
    shutil.copytree(scenario_dir("missing-prerequisite"), folder)
    analyze_folder(folder, cache=True)  # what `migtui check` leaves behind
    app = MigtuiApp(ConsoleSource(root=folder))

    async def script(pilot):
        # The rows, states and the summary come with the first frame: the
        # folder is not read again in the background.
        await pilot.pause()
        table = app.console_screen.query_one(MigrationTable)
        assert table.row_count == len(app.console_screen.project.rows()) > 10
        assert table.selected_version == "0014"
        assert state_of(app, "0014") == "blocked"
        assert app.console_screen.loads_completed == 1
        assert not reads  # the folder was not read again in the background
        assert "read 1" in output_text(app)

    drive(app, script)


def test_a_folder_changed_since_it_was_opened_is_read_again(tmp_path, monkeypatch):
    import shutil

    from migtui.core import cache
    from migtui.core.folder import analyze_folder

    monkeypatch.setattr(cache, "_RACY_NS", 0)  # trust even brand-new files
    from migtui.tui.app import MigtuiApp
    from migtui.tui.source import ConsoleSource

    folder = tmp_path / "migrations"
    shutil.copytree(scenario_dir("missing-prerequisite"), folder)
    analyze_folder(folder, cache=True)
    fix = folder / "0013_6_proposal_moves.sql"
    fix.write_text(
        "-- migrate:up\nCREATE TABLE proposal_moves (id bigint PRIMARY KEY);\n"
        "-- migrate:down\nDROP TABLE proposal_moves;\n"
    )
    app = MigtuiApp(ConsoleSource(root=folder))

    async def script(pilot):
        await loaded(pilot, live=False)
        assert state_of(app, "0013_6") == "unknown"  # the new file is a migration

    drive(app, script)


def test_at_80_columns_the_footer_shows_every_key_whole():
    app = console_app("missing-prerequisite")

    async def script(pilot):
        await loaded(pilot, live=False)
        await pilot.pause()
        footer = app.console_screen.query_one("Footer")
        bottom = footer.region.y
        line = "".join(
            strip.text for strip in app.screen._compositor.render_strips()[bottom : bottom + 1]
        )
        for label in ("a Apply", "r Rollback", "? Help", "q Quit", "m Step migrations"):
            assert label in line, line

    drive(app, script, size=(80, 24))


def test_versions_too_long_for_the_state_column_take_its_colour_instead(tmp_path):
    # Prisma's and sql-migrate's versions are whole names: at 160 columns the
    # state would be cut to "unkno"
    from migtui.tui.app import MigtuiApp
    from migtui.tui.source import ConsoleSource
    from migtui.tui.widgets.migration_table import MigrationTable

    for name in ("20180805174141-tournaments-and-leaderboard-ranks", "20200116134800-facebook"):
        (tmp_path / f"{name}.sql").write_text("-- +migrate Up\nSELECT 1;\n-- +migrate Down\n")
    app = MigtuiApp(ConsoleSource(root=tmp_path))

    async def script(pilot):
        await loaded(pilot, live=False)
        table = app.console_screen.query_one(MigrationTable)
        assert table.narrow
        assert [c.label.plain for c in table.ordered_columns] == [" ", "version", "name"]
        shown = [table.render_line(y).text for y in range(table.size.height)]
        assert any("20180805174141-tournaments-and-leaderboard-ranks" in line for line in shown)

    drive(app, script, size=(160, 48))


def test_a_blocked_migration_whose_needs_are_met_says_what_will_fail(tmp_path, monkeypatch):
    from migtui.tui.app import MigtuiApp
    from migtui.tui.source import ConsoleSource

    folder = _folder(
        tmp_path,
        monkeypatch,
        {
            "0001_events.sql": "-- migrate:up\nCREATE TABLE events (id int PRIMARY KEY, code text);\n"
            "-- migrate:down\n",
            "0002_retype.sql": "-- migrate:up\nSELECT 1;\n"
            "ALTER TABLE events ALTER COLUMN code TYPE bigint;\n-- migrate:down\n",
        },
    )
    app = MigtuiApp(ConsoleSource(root=folder))

    async def script(pilot):
        await loaded(pilot, live=False)
        assert state_of(app, "0002") == "blocked"
        await select(pilot, "0002")
        panel = " ".join(_dependency_text(app).split())
        assert "✓ table public.events" in panel
        assert "Will fail" in panel and "✗ line 3:" in panel and "(42804)" in panel
        assert "USING code::bigint" in panel

    drive(app, script, size=(160, 48))


def _folder(tmp_path, monkeypatch, files: dict[str, str]):
    """A migrations folder of ``files``, with a cache of its own."""
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _failing_down_folder(tmp_path, monkeypatch):
    return _folder(
        tmp_path,
        monkeypatch,
        {
            "0001_versions.sql": "-- migrate:up\nCREATE TABLE versions (id int);\n"
            "-- migrate:down\nDROP TABLE versions;\n",
            "0002_uindex.sql": "-- migrate:up\nCREATE UNIQUE INDEX versions_id_uindex ON versions (id);\n"
            "-- migrate:down\nALTER TABLE versions DROP CONSTRAINT versions_id_uindex;\n",
        },
    )


def test_a_migration_whose_down_will_fail_is_marked_and_says_why(tmp_path, monkeypatch):
    from migtui.tui.app import MigtuiApp
    from migtui.tui.source import ConsoleSource
    from migtui.tui.widgets.migration_table import MigrationTable

    app = MigtuiApp(ConsoleSource(root=_failing_down_folder(tmp_path, monkeypatch)))

    async def script(pilot):
        await loaded(pilot, live=False)
        table = app.console_screen.query_one(MigrationTable)
        # the up sections are fine: nothing is blocked, but 0002's rollback would fail
        assert state_of(app, "0002") == "unknown"
        assert table.get_row("0002")[2].plain == "unknown ↶✗"
        assert table.get_row("0001")[2].plain == "unknown"
        await select(pilot, "0002")
        panel = " ".join(_dependency_text(app).split())
        assert "Rollback will fail" in panel and "✗ line 4:" in panel
        assert "not a constraint" in panel and "DROP INDEX public.versions_id_uindex" in panel
        await select(pilot, "0001")
        assert "Rollback will fail" not in _dependency_text(app)

    drive(app, script, size=(160, 48))


def test_at_80_columns_a_failing_down_is_marked_before_the_name(tmp_path, monkeypatch):
    from migtui.tui.app import MigtuiApp
    from migtui.tui.source import ConsoleSource
    from migtui.tui.widgets.migration_table import MigrationTable

    app = MigtuiApp(ConsoleSource(root=_failing_down_folder(tmp_path, monkeypatch)))

    async def script(pilot):
        await loaded(pilot, live=False)
        table = app.console_screen.query_one(MigrationTable)
        if not table.narrow:  # two short versions leave room for the state at 80
            table._fit(40)
        assert table.narrow
        assert table.get_row("0002")[2].plain == "↶✗ uindex"
        assert table.get_row("0001")[2].plain == "versions"

    drive(app, script, size=(80, 24))


def test_help_explains_the_marks_in_the_table():
    from migtui.tui.screens.help_screen import HelpScreen

    app = console_app("missing-prerequisite")

    async def script(pilot):
        await loaded(pilot, live=False)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        words = " ".join(static_text(s) for s in app.screen.query("Static"))
        assert "↶✗" in words and "a rollback stops there" in words
        assert "blocked" in words

    drive(app, script, size=(120, 40))


def test_a_need_sql_built_at_run_time_may_meet_is_a_warning_not_a_cross(tmp_path, monkeypatch):
    from migtui.tui.app import MigtuiApp
    from migtui.tui.source import ConsoleSource

    folder = _folder(
        tmp_path,
        monkeypatch,
        {
            "0001_tenants.sql": "-- migrate:up\nDO $$ BEGIN\n"
            "  EXECUTE format('CREATE SCHEMA %I', 'tenant_' || 'acme');\n"
            "  EXECUTE format('CREATE TABLE %I.documents (id int)', 'tenant_' || 'acme');\n"
            "END $$;\n-- migrate:down\n",
            "0002_use.sql": "-- migrate:up\nALTER TABLE tenant_acme.documents ADD COLUMN body text;\n"
            "-- migrate:down\n",
        },
    )
    app = MigtuiApp(ConsoleSource(root=folder))

    async def script(pilot):
        await loaded(pilot, live=False)
        await select(pilot, "0002")
        panel = " ".join(_dependency_text(app).split())
        assert "! table tenant_acme.documents" in panel
        assert "0001 builds SQL at run time (line 4)" in panel
        assert "✗ table tenant_acme.documents" not in panel

    drive(app, script, size=(160, 48))


def test_a_tern_section_expanded_from_its_templates_is_shown_as_written(tmp_path):
    from migtui.tui.app import MigtuiApp
    from migtui.tui.source import ConsoleSource

    (tmp_path / "tern.conf").write_text("[data]\nreader = app_reader\n")
    (tmp_path / "func").mkdir()
    (tmp_path / "func" / "touch.sql").write_text(
        "create function touch() returns trigger language plpgsql as $$\n"
        "begin return new; end $$;\n"
    )
    (tmp_path / "001_t.sql").write_text(
        "create table t (id int);\n"
        '{{ template "func/touch.sql" . }}\n'
        "grant select on t to {{.reader}};\n"
        "select nosuch from t;\n"
        "---- create above / drop below ----\ndrop table t;\n"
    )
    app = MigtuiApp(ConsoleSource(root=tmp_path))

    async def script(pilot):
        await loaded(pilot, live=False)
        area = app.console_screen.query_one("#sql-text-up")
        lines = area.text.splitlines()
        # the file's lines, numbered as the problem is (line 4)
        assert lines[1] == '{{ template "func/touch.sql" . }}' and "{{.reader}}" in lines[2]
        [problem] = app.console_screen.project.analysis.errors
        assert problem.line == 4 and "nosuch" in lines[problem.line - area.line_number_start]
        assert len(lines) == 4  # the section's own lines, not the line below it

    drive(app, script)
