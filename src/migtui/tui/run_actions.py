"""Running plans from the console: the runner in a worker, its events back on screen.

The runner does all the work and decides everything (what runs, in which
transaction, what a step is); this side sends it commands (apply, rollback,
next, continue, abort, cancel) and shows the events it emits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work

from migtui import events as E
from migtui.tui import states
from migtui.tui.event_inbox import EventInbox
from migtui.tui.messages import EngineEventsWaiting, RunEnded
from migtui.tui.widgets.live_output import DRAWN_PER_BATCH, LiveOutput
from migtui.tui.widgets.migration_table import MigrationTable
from migtui.tui.widgets.sql_preview import SqlPreview
from migtui.tui.widgets.step_bar import StepBar
from migtui.tui.widgets.target_header import TargetHeader

if TYPE_CHECKING:
    from migtui.tui.screens.console_screen import ConsoleScreen

#: Events are drawn at most this often; the ones in between arrive in one batch.
BATCH_SECONDS = 0.03
#: ... or this often while batches are small (a migration reporting its progress
#: a hundred times a second): each notice is on screen within a few tens of ms.
#: A flood of events (batches bigger than the output draws of one) keeps the
#: longer interval: drawing more often would slow the run, and nobody reads ten
#: thousand lines a second.
QUICK_BATCH_SECONDS = 0.02


@dataclass(frozen=True)
class RunRequest:
    """One command for the runner: what to do, and how."""

    direction: str  # "apply" | "rollback"
    to: str | None = None
    dry_run: bool = False
    step: str | None = None  # None | "statement" | "migration"
    rollback_all: bool = False
    #: Roll back through down sections check expects to fail (the operator said so).
    force_down: bool = False
    #: Finish the dirty migration ``to``: run the statements that did not run.
    finish: bool = False

    @property
    def mode(self) -> str:
        if self.step:
            return "step"
        return "dry run" if self.dry_run else "running"


class RunActions:
    """Mixed into the App: the run state and the actions that drive the runner."""

    def init_runs(self) -> None:
        self.inbox = EventInbox(lambda: self.post_message(EngineEventsWaiting()))
        self.runner: Any = None
        self.step_control: Any = None
        self.paused: E.StepPaused | None = None
        self.current_run: RunRequest | None = None
        self.quit_after_run = False
        self._last_drain = 0.0
        self._last_batch = 0
        self._drain_timer: Any = None

    @property
    def run_in_progress(self) -> bool:
        return self.current_run is not None

    @property
    def console_screen(self) -> ConsoleScreen:
        from migtui.tui.screens.console_screen import ConsoleScreen

        for screen in self.screen_stack:
            if isinstance(screen, ConsoleScreen):
                return screen
        raise LookupError("the console screen is not open")

    # -- starting runs -----------------------------------------------------------------------

    def why_not_live(self) -> str | None:
        """Why a database action cannot start now, or None when it can."""
        console = self.console_screen
        if self.run_in_progress:
            return "a run is in progress: wait for it, or cancel it with x"
        if console.project is None:
            return "the migrations are still being read"
        if not console.project.live or console.dsn is None:
            return (
                "this needs a database: open the console with --dsn, --embedded, "
                "or try `migtui demo`"
            )
        return None

    def refused_unless_live(self) -> bool:
        """Say why a database action cannot start now (True), or say nothing (False)."""
        refusal = self.why_not_live()
        if refusal:
            self.notify(refusal, severity="warning")
        return refusal is not None

    def start_apply(self, *, dry_run: bool = False, step: str | None = None) -> None:
        if self.refused_unless_live():
            return
        console = self.console_screen
        target = console.selected_version
        plan = self._apply_plan(target)
        if plan.blockers:
            self._explain_refusal(plan)
            return
        if not plan.steps:
            self.notify(f"Nothing to apply up to {target}: it is already applied.")
            return
        request = RunRequest("apply", to=target, dry_run=dry_run, step=step)
        if dry_run:  # nothing is kept: no need to ask
            self.start_run(request)
            return
        from migtui.tui.screens.apply_screen import ApplyScreen

        self.push_screen(
            ApplyScreen(console.project, console.dsn, plan, request), self._apply_chosen
        )

    def _apply_chosen(self, request: RunRequest | None) -> None:
        if request is not None:
            self.start_run(request)
        self.console_screen.query_one(MigrationTable).focus()

    def _apply_plan(self, target: str | None):
        from migtui.core.plan import build_apply_plan

        project = self.console_screen.project
        return build_apply_plan(project.analysis, list(project.statuses.values()), to=target)

    def _explain_refusal(self, plan) -> None:
        """A blocked plan is never run: say why, and show the first blocker's line."""
        first = plan.blockers[0]
        more = f" (and {len(plan.blockers) - 1} more)" if len(plan.blockers) > 1 else ""
        text = first.message + more
        if first.hint:
            text += f"\nhint: {first.hint}"
        self.notify(text, title=f"Cannot {plan.direction}", severity="error", timeout=8)
        output = self.console_screen.query_one(LiveOutput)
        for blocker in plan.blockers:
            output.say(f"refused: {blocker}", style="red")
        self.console_screen.select(first.version, first.line)

    def start_run(self, request: RunRequest) -> None:
        from migtui.db.runner import StepControl

        self.current_run = request
        self.step_control = StepControl() if request.step else None
        self.paused = None
        console = self.console_screen
        console.query_one(TargetHeader).mode = request.mode
        console.query_one("#bottom").active = "output"
        self._run(request, console.dsn, console.project.analysis, console.source)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, exit_on_error=False, group="runner")
    def _run(self, request: RunRequest, dsn: str, analysis, source) -> None:
        from migtui.db.runner import Runner, RunOptions

        options = RunOptions(
            dry_run=request.dry_run,
            step=request.step,
            lock_timeout=source.lock_timeout,
            statement_timeout=source.statement_timeout,
            force_down=request.force_down,
            ledger_table=source.ledger_table,
        )
        try:
            self.runner = Runner(
                dsn, analysis, options=options, emit=self.inbox.put, control=self.step_control
            )
            if request.direction == "rollback":
                finished = self.runner.rollback(to=request.to, all=request.rollback_all)
            elif request.finish:
                finished = self.runner.finish(request.to)
            else:
                finished = self.runner.apply(to=request.to)
        except Exception as exc:  # the runner failed outside any statement (connection lost…)
            self.post_message(RunEnded(error=" ".join(str(exc).split()) or type(exc).__name__))
            return
        self.post_message(RunEnded(finished=finished))

    # -- while a run goes ----------------------------------------------------------------------

    # Handlers are found by name (on_<message>): this mixin is not a Textual class, so
    # @on decorators on it would not be collected.
    def on_engine_events_waiting(self, message: EngineEventsWaiting) -> None:
        every = BATCH_SECONDS if self._last_batch > DRAWN_PER_BATCH else QUICK_BATCH_SECONDS
        wait = every - (time.monotonic() - self._last_drain)
        if wait > 0:
            if self._drain_timer is None:
                self._drain_timer = self.set_timer(wait, self.drain_events)
            return
        self.drain_events()

    def drain_events(self) -> None:
        self._drain_timer = None
        self._last_drain = time.monotonic()
        events = self.inbox.drain()
        self._last_batch = len(events)
        if not events:
            return
        console = self.console_screen
        panes = (
            console.query_one(TargetHeader),
            console.query_one(MigrationTable),
            console.query_one(SqlPreview),
        )
        for event in events:
            if type(event) is not E.Notice:  # notices only go to the output
                self._show_event(console, event, *panes)
        console.query_one(LiveOutput).add_events(events)

    def _show_event(
        self,
        console: ConsoleScreen,
        event: E.Event,
        header: TargetHeader,
        table: MigrationTable,
        sql: SqlPreview,
    ) -> None:
        if isinstance(event, E.LockWaiting):
            who = f"pid {event.holder_pid}" if event.holder_pid else "another session"
            header.lock_state = f"waiting for {who}"
        elif isinstance(event, E.LockAcquired):
            header.lock_state = "held by this console"
        elif isinstance(event, E.MigrationStarted):
            table.mark(event.version, states.RUNNING)
            console.select(event.version)
            sql.note("")
        elif isinstance(event, E.StatementStarted):
            self._resume_bar(console)
            if sql.version == event.version:
                sql.select_lines(event.section, event.line, event.end_line)
        elif isinstance(event, E.StepPaused):
            self.paused = event
            console.query_one(StepBar).pause(event)
            if sql.version == event.version:
                sql.select_lines(event.section, event.line)
            self.refresh_bindings()
        elif isinstance(event, E.StatementFailed):
            table.mark(event.version, states.FAILED)
            if sql.version == event.version:
                sql.select_lines(event.section, event.line)
                state = f"{event.sqlstate} " if event.sqlstate else ""
                sql.note(f"✗ line {event.line}: ERROR {state}{event.message}", error=True)
        elif isinstance(event, E.VerifyFailed):
            table.mark(event.version, states.FAILED)
            if sql.version == event.version and event.line:
                sql.select_lines("verify", event.line)
                sql.note(f"✗ verify, line {event.line}: {event.message}", error=True)
        elif isinstance(event, E.VerifyPassed):
            sql.note(f"✓ {event.version} verify passed")
        elif isinstance(event, E.MigrationCommitted):
            done = event.direction in ("up", "apply") and not event.dry_run
            table.mark(event.version, states.APPLIED if done else states.PENDING)
        elif isinstance(event, E.MigrationRolledBack):
            failed = event.reason in ("failed", "verify_failed")
            table.mark(event.version, states.FAILED if failed else None)
        elif isinstance(event, E.PlanFinished):
            header.lock_state = ""
            self._resume_bar(console)

    def _resume_bar(self, console: ConsoleScreen) -> None:
        if self.paused is not None:
            self.paused = None
            console.query_one(StepBar).resume()
            self.refresh_bindings()

    def on_run_ended(self, message: RunEnded) -> None:
        self.drain_events()
        console = self.console_screen
        output = console.query_one(LiveOutput)
        if message.error:
            output.say(f"the run stopped: {message.error}", style="bold red")
            self.notify(message.error, title="Run stopped", severity="error")
        elif message.finished is not None:
            self._notify_outcome(message.finished)
        self._save_output(console)
        self.current_run = None
        self.runner = None
        self.step_control = None
        self._resume_bar(console)
        console.query_one(TargetHeader).mode = "live"
        self.refresh_bindings()
        if self.quit_after_run:
            self.exit()
            return
        if getattr(self.screen, "about_run", False):
            self.screen.reword(
                "The run has ended.",
                "Nothing is running any more: quitting now cancels nothing.",
                yes="Quit",
                no="Stay",
            )
        console.load()

    def _notify_outcome(self, finished: E.PlanFinished) -> None:
        if finished.outcome == "done":
            what = "ran and rolled back (dry run)" if finished.dry_run else "done"
            self.notify(f"{finished.direction} {what}: {', '.join(finished.applied) or '-'}")
        elif finished.outcome != "nothing_to_do":
            self.notify(
                finished.message or f"{finished.direction} {finished.outcome}",
                title=f"{finished.direction.capitalize()} {finished.outcome}",
                severity="error",
            )

    def _save_output(self, console: ConsoleScreen) -> None:
        """Keep the run's output with the history of that database."""
        from migtui.tui import engine

        project = console.project
        database = project.target.database if project and project.target else ""
        stem = datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            path = console.query_one(LiveOutput).save(engine.history_folder(database), stem)
        except OSError as exc:
            self.notify(f"the output could not be saved: {exc}", severity="warning")
            return
        self.last_output_file = path

    # -- commands during a run ---------------------------------------------------------------

    def step_command(self, command: str) -> None:
        """next / resume / abort: the runner is waiting on its StepControl."""
        control = self.step_control
        if control is None or self.paused is None:
            self.notify("Nothing is waiting for a step.", severity="warning")
            return
        self._resume_bar(self.console_screen)
        getattr(control, command)()

    def cancel_run(self) -> None:
        if self.runner is None:
            self.notify("Nothing is running.", severity="warning")
            return
        if self.paused is not None and self.step_control is not None:
            self.step_command("abort")
            return
        self.console_screen.query_one(LiveOutput).say("cancelling the running statement…", "yellow")
        self._cancel_statement(self.runner)

    @work(thread=True, exit_on_error=False, group="cancel")
    def _cancel_statement(self, runner) -> None:
        # Its own group: never queued behind the run it stops.
        runner.cancel()
