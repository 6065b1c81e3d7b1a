"""The console: wiring of screens, actions, the command palette and the quit guard."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from migtui.tui.messages import RunEnded
from migtui.tui.project_view import ProjectView
from migtui.tui.run_actions import RunActions, RunRequest
from migtui.tui.source import ConsoleSource

#: (action, title, help) for the command palette, in the order shown.
PALETTE = (
    ("apply", "Apply", "Apply pending migrations up to the selected one"),
    ("step", "Step through statements", "Apply up to the selected one, one statement at a time"),
    (
        "step_migrations",
        "Step through migrations",
        "Apply up to the selected one, pausing between migrations",
    ),
    ("dry_run", "Dry run", "Run the plan for real, then roll it all back"),
    (
        "rehearse",
        "Rehearse on a copy",
        "The plan on a throwaway copy: the locks each statement takes, each down undone",
    ),
    ("rollback", "Guided rollback", "Pick a target, see what is dropped, confirm"),
    ("step_next", "Next statement", "Step mode: run the statement shown"),
    ("step_continue", "Continue", "Step mode: run the rest without pausing"),
    ("step_abort", "Abort", "Step mode: stop here and roll back the migration"),
    ("cancel", "Cancel statement", "Cancel the statement running on the server"),
    (
        "resolve_dirty",
        "Resolve dirty migration",
        "Record what happened to an interrupted migration",
    ),
    ("refresh", "Refresh", "Read the folder, the catalog and the ledger again"),
    ("scenarios", "Switch scenario", "Open a bundled scenario on a fresh database (demo)"),
    ("graph", "Dependency graph", "Show the whole project's graph"),
    ("verify", "Verify", "Run the selected migration's verify section (always rolled back)"),
    ("history", "History", "Every apply, rollback, failure and resolve on this database"),
    ("problems", "Problems", "Show the problems check found"),
    ("copy_output", "Copy output", "Copy the live output to the clipboard"),
    ("help", "Help", "Keys and what they do"),
)

#: Actions that only make sense while a run waits or goes.
_RUN_ONLY = {"step_next", "step_continue", "step_abort", "cancel"}
_STEP_ONLY = {"step_next", "step_continue", "step_abort"}
#: Actions refused (shown dimmed) while a run goes.
_IDLE_ONLY = {
    "apply",
    "step",
    "step_migrations",
    "dry_run",
    "rollback",
    "resolve_dirty",
    "refresh",
    "scenarios",
    "verify",
    "rehearse",
}


def _collect_less_often() -> tuple[int, ...]:
    """Keep the cycle collector from pausing the console for tens of milliseconds;
    return the thresholds it had.

    Everything imported and built so far lives as long as the console: frozen,
    the collector no longer walks it. And a run streams events by the ten
    thousand; collecting young objects every 700 allocations (Python's default)
    spent a fifth of such a run in the collector, in pauses up to 80 ms that the
    output pane showed as stalls.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    return before


def _collect_as_before(thresholds: tuple[int, ...]) -> None:
    """The console is closing: what it froze may be collected again."""
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class MigtuiApp(RunActions, App):
    """The migtui console."""

    TITLE = "migtui"
    CSS_PATH = "migtui.tcss"

    def __init__(self, source: ConsoleSource) -> None:
        super().__init__()
        self.source = source
        self.init_runs()
        self.last_output_file: Path | None = None
        self._gc_thresholds = gc.get_threshold()

    def get_default_screen(self) -> Screen:
        # The console is the app's first screen, not one pushed over an empty
        # default: its first frame is laid out and painted once.
        from migtui.tui.screens.console_screen import ConsoleScreen

        return ConsoleScreen(self.source)

    def on_mount(self) -> None:
        self._gc_thresholds = _collect_less_often()

    def on_unmount(self) -> None:
        # However the console closes, a runner left waiting (step mode) or running must
        # stop, or its thread would keep the process alive with a migration open.
        if self.runner is not None:
            self.runner.cancel()
        _collect_as_before(self._gc_thresholds)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's unexpected failure ends here, as one line on screen."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        reason = " ".join(str(error).split()) or type(error).__name__
        self.notify(reason, title=f"{event.worker.group} failed", severity="error")
        if event.worker.group == "runner":
            self.post_message(RunEnded(error=reason))

    def project_changed(self, project: ProjectView) -> None:
        self.refresh_bindings()

    # -- which actions are offered now -----------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _STEP_ONLY:
            return self.paused is not None
        if action in _RUN_ONLY:
            return self.run_in_progress
        if action in _IDLE_ONLY and self.run_in_progress:
            return False  # hidden while a run goes, leaving the footer to next/continue/abort
        if action == "scenarios":
            return self.source.demo
        if action == "resolve_dirty":
            return self._has_dirty()
        return True

    def _has_dirty(self) -> bool:
        try:
            project = self.console_screen.project
        except LookupError:
            return False
        return project is not None and any(r.state == "dirty" for r in project.rows())

    def why_key_does_nothing(self, key: str) -> str | None:
        """What to say when a key's action cannot run now (its binding is off)."""
        if key in ("n", "c", "b") and self.paused is None:
            return "n, c and b answer a pause in step mode: start one with s (or m)"
        if key == "x" and not self.run_in_progress:
            return "x cancels the statement running on the server: nothing runs now"
        if key in ("a", "s", "m", "d", "r", "e", "t", "h", "f5") and self.run_in_progress:
            return "a run is in progress: wait for it, or cancel the statement with x"
        if key == "e" and not self._has_dirty():
            return "e resolves a dirty migration: none is dirty"
        if key == "t" and not self.source.demo:
            return "Scenarios are part of the demo: run `migtui demo`."
        return None

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from migtui.tui.screens.console_screen import ConsoleScreen

        if isinstance(screen, ConsoleScreen):
            for action, title, help_text in PALETTE:
                if self.check_action(action, ()):
                    yield SystemCommand(title, help_text, getattr(self, f"action_{action}"))
        yield from super().get_system_commands(screen)

    # -- actions ---------------------------------------------------------------------------

    def action_apply(self) -> None:
        self.start_apply()

    def action_step(self) -> None:
        self.start_apply(step="statement")

    def action_step_migrations(self) -> None:
        self.start_apply(step="migration")

    def action_dry_run(self) -> None:
        self.start_apply(dry_run=True)

    def action_step_next(self) -> None:
        self.step_command("next")

    def action_step_continue(self) -> None:
        self.step_command("resume")

    def action_step_abort(self) -> None:
        self.step_command("abort")

    def action_cancel(self) -> None:
        self.cancel_run()

    def action_rollback(self) -> None:
        from migtui.tui.screens.rollback_screen import RollbackScreen

        if self.refused_unless_live():
            return
        console = self.console_screen
        self.push_screen(
            RollbackScreen(console.project, console.dsn, console.selected_version),
            self._rollback_chosen,
        )

    def _rollback_chosen(self, request) -> None:
        if request is not None:
            self.start_run(request)
        self._focus_table()

    def _focus_table(self) -> None:
        """After a dialog or a scenario switch, the keys go to the migrations again."""
        from migtui.tui.widgets.migration_table import MigrationTable

        self.console_screen.query_one(MigrationTable).focus()

    def action_resolve_dirty(self) -> None:
        from migtui.tui.screens.dirty_screen import DirtyScreen

        if self.refused_unless_live():
            return
        console = self.console_screen
        row = console.project.row(console.selected_version or "")
        if row is None or row.state != "dirty":
            dirty = [r.version for r in console.project.rows() if r.state == "dirty"]
            if not dirty:
                self.notify("No migration is dirty: nothing to resolve.")
                return
            console.select(dirty[0])
            row = console.project.row(dirty[0])
        self.push_screen(
            DirtyScreen(row, console.dsn, console.project, console.source.ledger_table),
            self._dirty_settled,
        )

    def _dirty_settled(self, outcome) -> None:
        """The dirty dialog's answer: settled (read the ledger again), or a run
        that finishes the migration."""
        if isinstance(outcome, RunRequest):
            self.start_run(outcome)
        elif outcome:
            self.console_screen.load()
        self._focus_table()

    def action_refresh(self) -> None:
        if self.run_in_progress:
            return
        self.console_screen.load()

    def action_scenarios(self) -> None:
        from migtui.tui.screens.scenario_picker import ScenarioPicker

        if not self.source.demo:
            self.notify("Scenarios are part of the demo: run `migtui demo`.")
            return
        self.push_screen(ScenarioPicker(self.console_screen.source.scenario), self._scenario_chosen)

    def _scenario_chosen(self, choice) -> None:
        if choice is not None:
            name, folder = choice
            source = self.console_screen.source.with_root(folder, name)
            self.console_screen.load(source)
        self._focus_table()

    def action_graph(self) -> None:
        from migtui.tui.screens.graph_screen import GraphScreen

        project = self.console_screen.project
        if project is None:
            self.notify("The migrations are still being read.")
            return
        self.push_screen(
            GraphScreen(project, self.console_screen.selected_version), self._graph_closed
        )

    def _graph_closed(self, version: str | None) -> None:
        if version:
            self.console_screen.select(version)

    def action_copy_output(self) -> None:
        from migtui.tui.widgets.live_output import LiveOutput

        text = self.console_screen.query_one(LiveOutput).plain_text
        self.copy_to_clipboard(text)
        self.notify(f"Copied {text.count(chr(10)) + 1 if text else 0} lines of output.")

    def action_verify(self) -> None:
        if self.refused_unless_live():
            return
        console = self.console_screen
        row = console.project.row(console.selected_version or "")
        if row is None or row.info is None or "verify" not in row.info.sections:
            self.notify("the selected migration has no verify section", severity="warning")
            return
        if row.state != "applied":
            self.notify(f"{row.version} is {row.state}: verify checks an applied migration")
            return
        self._verify(console.dsn, console.project.analysis, row.version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="verify")
    def _verify(self, dsn: str, analysis, version: str) -> None:
        from migtui.db.runner import Runner

        try:
            passed = Runner(dsn, analysis, emit=self.inbox.put).verify(version)
        except Exception as exc:  # noqa: BLE001 - said, never a crash
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        words = "verify passed" if passed else "verify failed (rolled back)"
        self.call_from_thread(
            self.notify, f"{version}: {words}", severity="information" if passed else "error"
        )

    def action_rehearse(self) -> None:
        from migtui.config import redact_dsn
        from migtui.tui.screens.rehearsal_screen import RehearsalScreen

        console = self.console_screen
        project = console.project
        if project is None or project.listed_only:
            self.notify("the migrations are still being read", severity="warning")
            return
        target = console.dsn if project.live else None
        label = "an empty database"
        if target is not None:
            label = project.target.database if project.target else redact_dsn(target)
        self.push_screen(
            RehearsalScreen(project.analysis, target, label, start_at=console.selected_version),
            self._rehearsed,
        )

    def _rehearsed(self, rehearsal) -> None:
        console = self.console_screen
        if rehearsal is not None:
            console.rehearsal = rehearsal
            console.refresh_selected()
        self._focus_table()

    def action_history(self) -> None:
        from migtui.tui.screens.history_screen import HistoryScreen

        if self.refused_unless_live():
            return
        console = self.console_screen
        database = console.project.target.database if console.project.target else ""
        self.push_screen(HistoryScreen(console.dsn, database), lambda _: self._focus_table())

    def action_problems(self) -> None:
        self.console_screen.action_bottom_tab("problems")

    def action_help(self) -> None:
        from migtui.tui.screens.help_screen import HelpScreen

        self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        """Quit; while a run goes, ask first, and stop it cleanly before leaving."""
        from migtui.tui.screens.confirm_screen import ConfirmScreen

        if not self.run_in_progress:
            self.exit()
            return
        asking = ConfirmScreen(
            "A migration is running.",
            "Quitting now cancels it: the running migration is rolled back "
            "(a non-transactional one is marked dirty), then the console closes.",
            yes="Cancel it and quit",
            no="Keep running",
        )
        asking.about_run = True  # reworded if the run ends while it asks
        self.push_screen(asking, self._quit_confirmed)

    def _quit_confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        self.quit_after_run = True
        if self.run_in_progress:
            self.cancel_run()
        else:
            self.exit()
