"""The main view: the migrations, the selected one's needs and SQL, problems and live output."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, TabbedContent, TabPane

from migtui.tui import engine
from migtui.tui.messages import JumpToProblem, LoadProgress, ProjectFailed, ProjectLoaded
from migtui.tui.project_view import ProjectView
from migtui.tui.source import ConsoleSource
from migtui.tui.widgets.dependency_panel import DependencyPanel
from migtui.tui.widgets.live_output import LiveOutput
from migtui.tui.widgets.migration_table import MigrationTable
from migtui.tui.widgets.problem_list import ProblemList
from migtui.tui.widgets.sql_preview import SqlPreview
from migtui.tui.widgets.step_bar import StepBar
from migtui.tui.widgets.target_header import TargetHeader

#: Below this width the footer is compact and leaves out the palette's hint.
NARROW_FOOTER = 100


class ConsoleScreen(Screen):
    """Everything about the project at once; the run controls live in ``RunController``."""

    BINDINGS = [
        Binding(
            "a", "app.apply", "Apply", tooltip="Apply pending migrations up to the selected one"
        ),
        Binding("s", "app.step", "Step", tooltip="Apply one statement at a time"),
        Binding("d", "app.dry_run", "Dry run"),
        Binding("r", "app.rollback", "Rollback"),
        Binding("n", "app.step_next", "Next"),
        Binding("c", "app.step_continue", "Continue"),
        Binding("b", "app.step_abort", "Abort"),
        Binding("x", "app.cancel", "Cancel stmt"),
        Binding("e", "app.resolve_dirty", "Resolve dirty"),
        Binding("g", "app.graph", "Graph"),
        Binding("h", "app.rehearse", "Rehearse", show=False),
        Binding("t", "app.scenarios", "Scenario"),
        Binding("f5,ctrl+r", "app.refresh", "Refresh", show=False),
        Binding("y", "app.copy_output", "Copy output", show=False),
        Binding("1", "sql_section('up')", "SQL up", show=False),
        Binding("2", "sql_section('down')", "SQL down", show=False),
        Binding("3", "sql_section('verify')", "SQL verify", show=False),
        Binding("o", "bottom_tab('output')", "Output", show=False),
        Binding("p", "bottom_tab('problems')", "Problems", show=False),
        Binding("question_mark,f1", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
        # last: the footer's least needed key (at 80 columns it fits only
        # compact and without the palette's hint, see on_resize)
        Binding("m", "app.step_migrations", "Step migrations"),
    ]

    def __init__(self, source: ConsoleSource) -> None:
        super().__init__()
        self.source = source
        self.project: ProjectView | None = None
        self.dsn: str | None = None
        #: How many times the project has been read to the end (tests wait on it).
        self.loads_completed = 0
        #: The last rehearsal on a copy: the SQL pane says what each statement took.
        self.rehearsal = None

    def compose(self) -> ComposeResult:
        yield TargetHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield MigrationTable(id="migrations")
                yield DependencyPanel(id="dependencies")
            with Vertical(id="right"):
                yield SqlPreview(id="sql")
                with TabbedContent(id="bottom", initial="output"):
                    with TabPane("Output", id="output"):
                        yield LiveOutput(max_lines=self.source.output_lines, id="live-output")
                    with TabPane("Problems", id="problems"):
                        yield ProblemList(id="problem-list")
        yield StepBar(id="step-bar")
        yield Footer()

    def on_mount(self) -> None:
        header = self.query_one(TargetHeader)
        header.folder = self.source.folder_label
        header.scenario = self.source.scenario or ""
        self.query_one(MigrationTable).border_title = "Migrations"
        self.query_one(DependencyPanel).border_title = "Needs"
        self.query_one(SqlPreview).border_title = "SQL"
        self.query_one(MigrationTable).focus()
        # A folder opened before shows its rows in the first frame: its kept
        # analysis is read here, before anything is painted, rather than after
        # a first frame of an empty table that must then be laid out again.
        kept = engine.read_cached(self.source)
        if kept is None:
            self.query_one(MigrationTable).loading = True
            self.load()
        elif not self.source.wants_database:
            self._show_project(ProjectLoaded(kept))
        else:
            self._show_project(ProjectLoaded(_still_loading(kept)))
            self.load(analysed=kept)

    # -- loading ---------------------------------------------------------------------------

    def load(
        self, source: ConsoleSource | None = None, *, analysed: ProjectView | None = None
    ) -> None:
        """Read the folder (and the database) again; with ``source``, switch to it first.
        ``analysed``: the folder's analysis, on screen already: the folder is not read
        again, only the database's view is awaited."""
        if source is not None:
            self.source = source
            self.project = None
            self.dsn = None
            header = self.query_one(TargetHeader)
            header.folder = source.folder_label
            header.scenario = source.scenario or ""
            header.target = None
            self.query_one(MigrationTable).clear()
            self.query_one(MigrationTable).loading = True
            # the output keeps what came before: mark where the new project begins
            opened = f"scenario {source.scenario}" if source.scenario else source.folder_label
            self.query_one(LiveOutput).say(f"──── {opened} ────", style="bold cyan")
        self.query_one(TargetHeader).mode = "loading"
        first_read = analysed is None and (self.project is None or not self.project.live)
        self._read_project(self.source, self.dsn, first_read, analysed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _read_project(
        self,
        source: ConsoleSource,
        dsn: str | None,
        first_read: bool,
        analysed: ProjectView | None = None,
    ) -> None:
        def progress(text: str) -> None:
            self.post_message(LoadProgress(text))

        progress("analysing the migrations")

        def listed(unread: ProjectView) -> None:
            if self.project is None:  # rows first, on a first read of a folder
                self.post_message(ProjectLoaded(_still_loading(unread)))

        try:
            offline = analysed if analysed is not None else engine.read_offline(source, listed)
        except Exception as exc:  # a folder the reader refuses: one line, no traceback
            self.post_message(ProjectFailed(str(exc)))
            return
        if not source.wants_database:
            self.post_message(ProjectLoaded(offline))
            return
        if first_read:
            # Paint the analysis at once; the live view replaces it when the server answers.
            self.post_message(ProjectLoaded(_still_loading(offline)))
        try:
            dsn = dsn or engine.open_target(source, progress)
            self.dsn = dsn
            live = engine.read_live(source, dsn, progress)
        except Exception as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            self.post_message(ProjectLoaded(_offline_because(offline, reason)))
            return
        self.post_message(ProjectLoaded(live))

    @on(LoadProgress)
    def _show_progress(self, message: LoadProgress) -> None:
        self.query_one(TargetHeader).progress = message.text

    @on(ProjectFailed)
    def _show_failure(self, message: ProjectFailed) -> None:
        header = self.query_one(TargetHeader)
        header.progress = ""
        header.mode = "offline"
        header.note = message.message
        self.query_one(MigrationTable).loading = False
        self.query_one(LiveOutput).say(message.message, style="bold red")
        self.notify(message.message, title="Cannot read the migrations", severity="error")

    @on(ProjectLoaded)
    def _show_project(self, message: ProjectLoaded) -> None:
        project = message.project
        self.project = project
        header = self.query_one(TargetHeader)
        still_loading = project.note == _LOADING
        header.progress = "" if not still_loading else header.progress
        header.target = project.target
        header.note = "" if still_loading else project.note
        header.lock_state = project.target.lock_holder if project.target else ""
        if not self.app.run_in_progress:
            header.mode = "loading" if still_loading else ("live" if project.live else "offline")
        table = self.query_one(MigrationTable)
        table.loading = False
        table.show(project)
        self.query_one(ProblemList).show(project.analysis.problems, project.analysis.hints)
        self._show_selected()
        if not still_loading:
            self._summarize(project)
            self.loads_completed += 1
        self.app.project_changed(project)
        self.app.refresh_bindings()  # the footer shows what applies now (resolve, …)

    def _summarize(self, project: ProjectView) -> None:
        """One line in the output each time the project is read: what is where."""
        output = self.query_one(LiveOutput)
        analysis = project.analysis
        errors, warnings = len(analysis.errors), len(analysis.warnings)
        count = len(analysis.migrations)
        line = (
            f"read {count} migration{'s' * (count != 1)} ({analysis.layout} layout): "
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        )
        if project.live:
            counts = project.counts()
            line += "; " + ", ".join(f"{n} {state}" for state, n in counts.items())
        output.say(line, style="bold red" if errors else "dim")
        if project.target is not None and project.target.ledger:
            output.say(f"states from {project.target.ledger}, with migtui's ledger beside it")
            for note in project.target.ledger_notes:
                output.say(f"! {note}", style="yellow")
        if project.note:
            output.say(f"offline: {project.note}", style="yellow")
        elif not project.live:
            output.say("offline: open with --dsn or --embedded to apply and roll back", "dim")

    # -- selection -------------------------------------------------------------------------

    @property
    def selected_version(self) -> str | None:
        return self.query_one(MigrationTable).selected_version

    @on(DataTable.RowHighlighted, "#migrations")
    def _row_changed(self) -> None:
        self._show_selected()

    def on_resize(self, event) -> None:
        # Narrower than a hundred columns the footer drops its spacing and the
        # ^p hint (ctrl+p still opens the palette; help lists it), so every
        # key it shows keeps its whole label.
        footer = self.query_one(Footer)
        narrow = event.size.width < NARROW_FOOTER
        footer.compact = narrow
        footer.show_command_palette = not narrow

    def on_key(self, event) -> None:
        """A key whose action cannot run now says why instead of doing nothing."""
        why = self.app.why_key_does_nothing(event.key)
        if why and not isinstance(self.focused, Input):
            self.notify(why, severity="warning", timeout=4)
            event.stop()

    def refresh_selected(self) -> None:
        """Show the selected migration again (after a rehearsal added what it saw)."""
        self._show_selected()

    def _show_selected(self) -> None:
        version = self.selected_version
        self.query_one(DependencyPanel).show(self.project, version)
        row = self.project.row(version) if self.project and version else None
        self.query_one(SqlPreview).show(row.info if row else None)
        label = f"{row.version} {row.name}" if row else ""
        self.query_one(SqlPreview).border_title = f"SQL · {label}" if row else "SQL"
        hints = (
            [h for h in self.project.analysis.hints if h.migration == row.version] if row else []
        )
        rehearsed = self.rehearsal.steps if self.rehearsal is not None and row else []
        traces = next((s.statements for s in rehearsed if s.version == row.version), [])
        self.query_one(SqlPreview).show_hints(hints, traces)
        self.query_one(SqlPreview).border_subtitle = (
            f"◆ {len(hints)} lock hint{'s' * (len(hints) != 1)}: line "
            + ", ".join(str(h.line) for h in hints[:4])
            + (" …" if len(hints) > 4 else "")
            + " · p lists them"
            if hints
            else ""
        )
        self.query_one(DependencyPanel).border_title = (
            f"{row.version} · {row.state}" if row else "Needs"
        )

    def select(self, version: str | None, line: int | None = None, section: str = "up") -> None:
        """Put the cursor on a migration and, with ``line``, show that line of its SQL."""
        if version is None:
            return
        self.query_one(MigrationTable).select(version)
        self._show_selected()
        if line:
            self.query_one(SqlPreview).select_lines(section, line)

    @on(JumpToProblem)
    def _jump(self, message: JumpToProblem) -> None:
        self.select(message.version, message.line, message.section)
        self.query_one(MigrationTable).focus()

    def action_sql_section(self, kind: str) -> None:
        self.query_one(SqlPreview).show_section(kind)

    def action_bottom_tab(self, tab: str) -> None:
        self.query_one("#bottom", TabbedContent).active = tab
        if tab == "problems":
            self.query_one(ProblemList).focus()


_LOADING = "\0loading"


def _still_loading(project: ProjectView) -> ProjectView:
    from dataclasses import replace

    return replace(project, note=_LOADING)


def _offline_because(project: ProjectView, reason: str) -> ProjectView:
    from dataclasses import replace

    return replace(project, note=f"the database could not be read: {reason}")
