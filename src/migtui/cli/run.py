"""``plan``, ``apply``, ``rollback``, ``status``, ``resolve`` and ``history``.

Each command connects, builds the analysis with the target's catalog, and hands
the work to the runner; what the runner says (its events) is printed as it
happens: for people with rich, or one JSON object per line with ``--format json``.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
import psycopg

from migtui.cli.common import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    config_or_fail,
    dir_option,
    dsn_option,
    embedded_option,
    fail,
    format_option,
    layout_option,
    load_analysis,
    read_target_catalog,
    target_dsn,
)
from migtui.config import check_duration, redact_dsn
from migtui.core.plan import Plan
from migtui.core.project import Analysis
from migtui.events import (
    Event,
    LockAcquired,
    LockWaiting,
    MigrationCommitted,
    MigrationRolledBack,
    MigrationStarted,
    Notice,
    PlanFinished,
    PlanStarted,
    StatementFailed,
    StatementFinished,
    StatementStarted,
    StepPaused,
    VerifyFailed,
    VerifyPassed,
)

#: One encoder for every event (``json.dumps`` with options builds one per call).
_EVENT_JSON = json.JSONEncoder(default=str)

#: Events after which the run may wait (for the operator, a lock, or nothing
#: more to come): their NDJSON line is flushed at once.
_FLUSH_AT_ONCE = (StepPaused, LockWaiting, PlanFinished)

if TYPE_CHECKING:
    from rich.console import Console

    from migtui.core.model import Problem

_STATE_STYLE = {
    "pending": "yellow",
    "applied": "green",
    "drifted": "bold magenta",
    "missing": "bold red",
    "dirty": "bold red",
    "out_of_order": "bold yellow",
    "unrecorded": "dark_orange",
    "failed": "bold red",
    "ledger_mismatch": "bold red",
}


def _console() -> Console:
    # rich is imported by the text faces only: the NDJSON path never loads it
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """``text`` safe inside rich markup."""
    from rich.markup import escape as markup_escape

    return markup_escape(text)


def _heading(console: Console, *lines: str) -> None:
    """Lines above a table; on a terminal each fits its width (a long DSN is
    cut in the middle, keeping host and database), never folded mid-word."""
    from migtui.report import cut_middle

    for line in lines:
        shown = cut_middle(line, console.width) if console.is_terminal else line
        console.print(shown, markup=False, style="italic")


# -- the events, for people ----------------------------------------------------------------


class TextPrinter:
    """Prints each event as it arrives: statement, tag, rows, time, notices indented,
    failures with the SQL around the failing line."""

    def __init__(self, console: Console, root: Path) -> None:
        self.console = console
        self.root = root
        #: Into a pipe or a file the lines carry no colour: written as they are,
        #: without rich laying each one out (a migration of 10,000 statements
        #: prints 20,000 lines).
        self.plain = not console.is_terminal and console.color_system is None

    def __call__(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            handler(event)

    def _print(self, text: str) -> None:
        self.console.print(text)

    def _line(self, text) -> None:
        """A line that may come by the thousand (statements, their tags, notices)."""
        if self.plain:
            self.console.file.write(text.plain + "\n")
            self.console.file.flush()
        else:
            self.console.print(text)

    def _on_plan_started(self, e: PlanStarted) -> None:
        verb = "Applying" if e.direction == "apply" else "Rolling back"
        dry = (
            " [bold yellow](dry run: everything is rolled back at the end)[/]" if e.dry_run else ""
        )
        count = f"{len(e.steps)} migration{'s' if len(e.steps) != 1 else ''}"
        self._print(f"[bold]{verb} {count}[/] on {escape(e.target)}{dry}")

    def _on_lock_waiting(self, e: LockWaiting) -> None:
        self._print(
            f"[yellow]waiting up to {e.wait_seconds:g}s for the migtui lock, held by "
            f"pid {e.holder_pid} ({escape(str(e.holder_user))}, {escape(str(e.holder_host))}, "
            f"since {e.holder_since}, {escape(repr(e.holder_application))})[/]"
        )

    def _on_lock_acquired(self, e: LockAcquired) -> None:
        if e.waited_seconds:
            self._print(f"[dim]lock acquired after {e.waited_seconds:.1f}s[/]")

    def _on_migration_started(self, e: MigrationStarted) -> None:
        arrow = "▲" if e.direction == "up" else "▼"
        mode = (
            ""
            if e.transactional
            else " [bold yellow](in the transactions the file marks)[/]"
            if e.own_transactions
            else " [bold yellow](outside a transaction)[/]"
        )
        self._print(
            f"\n[bold cyan]{arrow} {e.version} {escape(e.name)}[/] [dim]{escape(e.file)}[/]{mode}"
        )

    def _on_statement_started(self, e: StatementStarted) -> None:
        from rich.text import Text

        sql = e.sql.strip()
        lines = sql.splitlines() or [""]
        first, more = lines[0], " …" if len(lines) > 1 else ""
        text = Text("  ")
        if e.section not in ("up", "down"):
            text.append(e.section, style="magenta").append(" ")
        text.append(f"{e.line:>4}", style="dim").append(f"  {first}{more}")
        self._line(text)

    def _on_notice(self, e: Notice) -> None:
        from rich.text import Text

        text = Text("        ").append(f"{e.severity}:", style="blue").append(f" {e.message}")
        self._line(text)

    def _on_statement_finished(self, e: StatementFinished) -> None:
        from rich.text import Text

        rows = f" · {e.rows} row{'s' if e.rows != 1 else ''}" if e.rows is not None else ""
        text = Text("        ").append(f"✓ {e.command_tag}", style="green")
        self._line(text.append(f"{rows} · {e.duration_ms:.1f} ms"))

    def _on_statement_failed(self, e: StatementFailed) -> None:
        self._print(f"        [bold red]✗ {e.sqlstate or 'error'}: {escape(e.message)}[/]")
        for label, value in (("detail", e.detail), ("hint", e.hint), ("context", e.context)):
            if value:
                self._print(f"          [red]{label}:[/] {escape(value)}")
        self._print(f"          [red]at {escape(e.file)}:{e.line}[/]")
        self._print_source(e.file, e.line)

    def _print_source(self, file: str, line: int, around: int = 2) -> None:
        path = self.root / file
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return
        for number in range(max(1, line - around), min(len(lines), line + around) + 1):
            mark = "[bold red]→[/]" if number == line else " "
            style = "bold" if number == line else "dim"
            text = escape(lines[number - 1])
            self._print(f"          {mark} [{style}]{number:>4} │ {text}[/]")

    def _on_verify_passed(self, e: VerifyPassed) -> None:
        self._print(
            f"  [green]verify passed[/] ({e.statements} statements, {e.duration_ms:.1f} ms)"
        )

    def _on_verify_failed(self, e: VerifyFailed) -> None:
        self._print(f"  [bold red]verify failed[/] at {escape(e.file)}:{e.line}")

    def _on_migration_committed(self, e: MigrationCommitted) -> None:
        word = "would commit (dry run)" if e.dry_run else "committed"
        self._print(f"  [bold green]{e.version} {word}[/] in {_timing(e)}")

    def _on_migration_rolled_back(self, e: MigrationRolledBack) -> None:
        if e.reason == "not_run":
            self._print(
                f"  [yellow]{e.version} not run: a dry run skips work outside transactions[/]"
            )
            return
        self._print(f"  [bold red]{e.version} rolled back ({e.reason})[/]")

    def _on_step_paused(self, e: StepPaused) -> None:
        where = f"{e.version} line {e.line}" if e.line else f"before {e.version}"
        self._print(f"  [bold yellow]paused[/] {where}, before:")
        lines = e.sql.strip().splitlines()
        for number, text in enumerate(lines[:12], start=e.line or 1):
            self._print(f"    [dim]{number:>5} │[/] {escape(text)}")
        if len(lines) > 12:
            self._print(f"    [dim]      … {len(lines) - 12} more lines[/]")

    def _on_plan_finished(self, e: PlanFinished) -> None:
        style = "bold green" if e.outcome in ("done", "nothing_to_do") else "bold red"
        if e.outcome == "nothing_to_do":
            self._print("[green]Nothing to do: the target is up to date.[/]")
            return
        summary = {
            "done": f"done: {len(e.applied)} migration(s) in {e.duration_ms / 1000:.2f}s",
            "refused": "refused; nothing was run:",
            "locked": "not run:",
        }.get(e.outcome, f"{e.outcome}; kept: {', '.join(e.applied) or 'none'}")
        if e.dry_run and e.outcome == "done":
            summary += " (dry run: all rolled back)"
        self._print(f"\n[{style}]{escape(summary)}[/]")
        if e.message:
            for line in e.message.splitlines():
                self._print(f"  {escape(line)}")


def json_printer(event: Event) -> None:
    """One JSON object per event per line."""
    sys.stdout.write(json.dumps(event.to_json(), default=str) + "\n")
    sys.stdout.flush()


class NdjsonStream:
    """A run's events as NDJSON on stdout, flushed by the batch: a reader sees
    each line within ``EVERY`` seconds, and a run of 10,000 statements does not
    make 20,000 writes to the pipe. A pause for the operator and the end of the
    plan are flushed at once."""

    EVERY = 0.05

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = False
        self._last = 0.0
        self._wake = threading.Event()
        self._flusher: threading.Thread | None = None

    def __call__(self, event: Event) -> None:
        line = _EVENT_JSON.encode(event.to_json()) + "\n"
        with self._lock:
            sys.stdout.write(line)
            now = time.monotonic()
            if now - self._last >= self.EVERY or isinstance(event, _FLUSH_AT_ONCE):
                sys.stdout.flush()
                self._last, self._pending = now, False
                return
            self._pending = True
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._flush_later, daemon=True)
                self._flusher.start()
        self._wake.set()

    def _flush_later(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            time.sleep(self.EVERY)
            with self._lock:
                if self._pending:
                    sys.stdout.flush()
                    self._last, self._pending = time.monotonic(), False


def exit_code(result: PlanFinished) -> int:
    if result.outcome in ("done", "nothing_to_do"):
        return EXIT_OK
    if result.outcome == "locked":
        return EXIT_LOCKED
    return EXIT_FAILED


# -- shared plumbing -----------------------------------------------------------------------


class _Target:
    """What every run command needs: the DSN, the live-aware analysis, the config."""

    def __init__(self, directory, layout, dsn, embedded) -> None:
        self.config = config_or_fail()
        self.dsn = target_dsn(dsn, embedded, self.config)
        catalog = read_target_catalog(self.dsn)
        self.analysis: Analysis = load_analysis(
            directory, layout, catalog=catalog, config=self.config
        )

    @property
    def hints(self) -> tuple[Problem, ...]:
        """The lock hints the config does not turn off."""
        return self.analysis.without_rules(self.config.lint_off).hints


def run_options(func):
    func = dir_option(func)
    func = layout_option(func)
    func = dsn_option(func)
    func = embedded_option(func)
    func = format_option(func)
    return func


def _runner(target: _Target, printer, **options):
    from migtui.db.runner import Runner, RunOptions, StepControl

    control = StepControl()
    options = dict(options)  # the caller reuses its dict for later runners
    options.setdefault("ledger_table", target.config.ledger_table)
    lock_timeout = options.pop("lock_timeout", None)
    statement_timeout = options.pop("statement_timeout", None)
    try:
        if lock_timeout is not None:
            check_duration(lock_timeout, "--lock-timeout")
        if statement_timeout is not None:
            check_duration(statement_timeout, "--statement-timeout")
    except ValueError as exc:
        fail(str(exc))
    run_options_ = RunOptions(
        lock_timeout=lock_timeout or target.config.lock_timeout,
        statement_timeout=statement_timeout or target.config.statement_timeout,
        **options,
    )
    return Runner(target.dsn, target.analysis, options=run_options_, emit=printer, control=control)


def _run_in_thread(work: Callable[[], PlanFinished], cancel: Callable[[], None]) -> PlanFinished:
    """Run ``work`` in a thread so Ctrl-C cancels the running statement cleanly."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed back to the main thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="migtui-runner", daemon=True)
    interrupts = {"count": 0}

    def on_interrupt(signum, frame) -> None:
        # A handler, not KeyboardInterrupt: a second Ctrl-C can land anywhere,
        # and must never stop migtui before the rollback is recorded.
        interrupts["count"] += 1
        if interrupts["count"] == 1:
            click.echo("cancelling: the running migration rolls back…", err=True)
            cancel()
        else:
            click.echo("still cancelling; wait for the rollback to finish…", err=True)

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if in_main else None
    try:
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
    if "error" in outcome:
        raise outcome["error"]
    if "result" not in outcome:
        fail("the run ended without saying how; check `migtui status`", EXIT_FAILED)
    return outcome["result"]


def _step_prompter(printer, control_ref: list) -> Callable[[Event], None]:
    """In --step mode, ask at each pause: next, continue or abort."""

    def emit(event: Event) -> None:
        printer(event)
        if isinstance(event, StepPaused):
            answer = click.prompt(
                "  [n]ext, [c]ontinue, [a]bort",
                type=click.Choice(["n", "c", "a"]),
                default="n",
                show_choices=False,
                err=True,
            )
            control = control_ref[0]
            {"n": control.next, "c": control.resume, "a": control.abort}[answer]()

    return emit


def _execute(target: _Target, fmt: str, work, **options) -> None:
    from migtui.db.connect import ConnectError

    printer = NdjsonStream() if fmt == "json" else TextPrinter(_console(), target.analysis.root)
    control_ref: list = []
    emit = _step_prompter(printer, control_ref) if options.get("step") else printer
    runner = _runner(target, emit, **options)
    control_ref.append(runner.control)
    try:
        result = _run_in_thread(lambda: work(runner), runner.cancel)
    except ConnectError as exc:
        fail(str(exc))
    except psycopg.Error as exc:
        fail(_refused_by_server(exc, target.dsn), EXIT_FAILED)
    sys.exit(exit_code(result))


def _refused_by_server(exc: Exception, dsn: str) -> str:
    """A server error outside any migration statement (a role without the
    rights migtui's ledger needs, say), in one line without a password."""
    from migtui.db.connect import privilege_hint, without_password

    sqlstate = getattr(exc, "sqlstate", None)
    message = " ".join(str(exc).split()) or type(exc).__name__
    hint = privilege_hint(message) if sqlstate == "42501" else ""
    said = f"{redact_dsn(dsn)} refused: {sqlstate + ': ' if sqlstate else ''}{message}{hint}"
    return without_password(said, dsn)


def _guarded(call, *args, **kwargs):
    """Call into the database; a connection error ends the command with exit 2."""
    from migtui.db.connect import ConnectError
    from migtui.db.tools import ToolLedgerError

    try:
        return call(*args, **kwargs)
    except ConnectError as exc:
        fail(str(exc))
    except psycopg.Error as exc:
        target = getattr(getattr(call, "__self__", None), "dsn", "") or ""
        fail(_refused_by_server(exc, target), EXIT_FAILED)
    except ToolLedgerError as exc:
        source = config_or_fail().source
        fail(f"{source}: {exc}" if source else str(exc))


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        fail("no terminal to ask for confirmation: pass --yes to run without asking", EXIT_FAILED)
    if not click.confirm(question, default=False, err=True):
        fail("cancelled; nothing was run", EXIT_FAILED)


def _print_plan(
    console: Console,
    plan: Plan,
    *,
    statements: bool,
    database: str | None = None,
    hints: Sequence[Problem] = (),
) -> None:
    """The plan's steps; with ``hints``, the lock hints of each (by statement)."""
    verb = "apply" if plan.direction == "apply" else "roll back"
    if plan.refused:
        console.print("[bold red]The plan is refused; nothing will run:[/]")
        for blocker in plan.blockers:
            console.print(f"  [red]✗[/] {escape(str(blocker))}")
        return
    if not plan.steps:
        console.print("[green]Nothing to do: the target is up to date.[/]")
        return
    on = f" on {escape(database)}" if database else ""
    console.print(f"[bold]Would {verb} {len(plan.steps)} migration(s){on}:[/]")
    for step in plan.steps:
        mode = (
            ""
            if step.transactional
            else " [yellow](in the transactions the file marks)[/]"
            if step.own_transactions
            else " [yellow](outside a transaction)[/]"
        )
        n = len(step.statements)
        console.print(
            f"  [cyan]{step.version}[/] {escape(step.name)} [dim]{escape(step.file)}, "
            f"{n} statement{'s' * (n != 1)}[/]{mode}"
        )
        mine = [h for h in hints if h.migration == step.version] if step.direction == "up" else []
        mine.sort(key=lambda h: h.line or 0)
        if statements:
            for st in step.statements:
                rules = " ".join(f"◆ {h.rule}" for h in mine if h.line == st.start_line)
                marks = f"  [magenta]{escape(rules)}[/]" if rules else ""
                console.print(
                    f"      [dim]{st.start_line:>4}[/]  {escape(st.first_line_text)}{marks}"
                )
        elif mine:
            said = ", ".join(f"{h.rule} (line {h.line})" for h in mine[:3])
            more = f" and {len(mine) - 3} more" if len(mine) > 3 else ""
            console.print(f"      [magenta]◆ lock hints:[/] {escape(said)}{more}")
    for warning in plan.warnings:
        console.print(f"  [yellow]![/] {escape(warning)}")


def _plan_json(plan: Plan) -> dict:
    return {
        "direction": plan.direction,
        "refused": plan.refused,
        "blockers": [b.to_json() for b in plan.blockers],
        "warnings": list(plan.warnings),
        "steps": [
            {
                "version": s.version,
                "name": s.name,
                "direction": s.direction,
                "file": s.file,
                "transactional": s.transactional,
                "statements": [
                    {
                        "index": st.index,
                        "line": st.start_line,
                        "end_line": st.end_line,
                        "sql": st.text,
                    }
                    for st in s.statements
                ],
            }
            for s in plan.steps
        ],
    }


# -- commands ------------------------------------------------------------------------------


@click.command("plan")
@run_options
@click.option("--to", "to", metavar="VERSION", help="Stop after this version.")
@click.option("--allow-drift", is_flag=True, help="Plan over drifted or missing migrations.")
def plan_command(directory, layout, dsn, embedded, fmt, to, allow_drift) -> None:
    """Show the steps `apply` would run, in order, with their statements."""
    target = _Target(directory, layout, dsn, embedded)
    plan = _guarded(_runner(target, json_printer, allow_drift=allow_drift).plan_apply, to)
    if fmt == "json":
        click.echo(json.dumps(_plan_json(plan), indent=2))
    else:
        _print_plan(_console(), plan, statements=True, hints=target.hints)
    sys.exit(EXIT_FAILED if plan.refused else EXIT_OK)


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A timeout option is a duration, checked before anything connects."""
    if value is None:
        return None
    what = f"--{param.name.replace('_', '-')}"
    try:
        return check_duration(value, what)
    except ValueError as exc:
        raise click.BadParameter(str(exc).removeprefix(f"{what} ")) from None


def run_control_options(func):
    """How a run goes: step mode, dry run, confirmation, lock and timeouts."""
    for option in reversed(
        [
            click.option("--step", is_flag=True, help="Pause before each statement."),
            click.option("--dry-run", is_flag=True, help="Run everything, then roll it all back."),
            click.option(
                "--yes",
                "-y",
                is_flag=True,
                help="Do not ask for confirmation (when no data is at risk).",
            ),
            click.option(
                "--confirm",
                metavar="DBNAME",
                help="The target database's name: required to run without a terminal "
                "when data is at risk.",
            ),
            click.option(
                "--lock-wait", type=float, default=0.0, show_default=True, metavar="SECONDS"
            ),
            click.option(
                "--lock-timeout",
                callback=_duration,
                metavar="DURATION",
                help="How long a statement may wait for a table lock "
                "(e.g. 5s; default from config: 5s).",
            ),
            click.option(
                "--statement-timeout",
                callback=_duration,
                metavar="DURATION",
                help="Longest a statement may run (e.g. 10min).",
            ),
            click.option("--allow-drift", is_flag=True, help="Run even if applied files changed."),
        ]
    ):
        func = option(func)
    return func


def _run_settings(
    *, step, dry_run, lock_wait, lock_timeout, statement_timeout, allow_drift
) -> dict:
    """The runner options the run control flags ask for."""
    return dict(
        dry_run=dry_run,
        step="statement" if step else None,
        lock_wait=lock_wait,
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
        allow_drift=allow_drift,
    )


@click.command("apply")
@run_options
@click.option("--to", "to", metavar="VERSION", help="Stop after this version.")
@run_control_options
def apply_command(directory, layout, dsn, embedded, fmt, to, yes, confirm, **control) -> None:
    """Apply pending migrations, each in its own transaction.

    When the migrations drop or delete data that exists, the target's name must
    be typed (or given with --confirm DBNAME), --yes or not.

    Exit status: 0 done, 1 failed or refused, 2 usage or connection error, 3 lock held.
    """
    target = _Target(directory, layout, dsn, embedded)
    options = _run_settings(**control)
    dry_run = options["dry_run"]
    if not dry_run:
        plan = _guarded(_runner(target, json_printer, **options).plan_apply, to)
        if plan.steps and not plan.refused:
            risks, database = _risks(target, plan)
            at_risk = any(r.at_risk for r in risks)
            if fmt == "json":
                versions = {step.version for step in plan.steps}
                json_printer_line(
                    {
                        "type": "apply_preview",
                        "ts": time.time(),
                        "steps": [r.to_json() for r in risks],
                        "hints": [h.to_json() for h in target.hints if h.migration in versions],
                    }
                )
            if fmt == "text" and (not yes or at_risk):
                _print_plan(
                    _console(), plan, statements=False, database=database, hints=target.hints
                )
                if at_risk:
                    _print_risks(risks, heading=False)
            _gate(f"Apply to {database}?", yes, confirm, database, at_risk)
    _execute(target, fmt, lambda runner: runner.apply(to), **options)


@click.command("rollback")
@run_options
@click.option("--to", "to", metavar="VERSION", help="Roll back everything after this version.")
@click.option("--steps", type=click.IntRange(min=1), metavar="N", help="Roll back the N newest.")
@click.option("--all", "all_", is_flag=True, help="Roll back every applied migration.")
@click.option(
    "--force",
    "force_down",
    is_flag=True,
    help="Roll back even through a down section check reports will fail.",
)
@run_control_options
def rollback_command(
    directory, layout, dsn, embedded, fmt, to, steps, all_, force_down, yes, confirm, **control
):
    """Run down sections, newest first, each in its own transaction.

    Before anything runs, shows what each step drops and the rows at risk.
    """
    if sum(x is not None and x is not False for x in (to, steps, all_ or None)) != 1:
        fail("say how far to roll back: exactly one of --to VERSION, --steps N, --all")
    target = _Target(directory, layout, dsn, embedded)
    options = _run_settings(**control) | {"force_down": force_down}
    dry_run = options["dry_run"]
    runner = _runner(target, json_printer, **options)
    plan = _guarded(runner.plan_rollback, to=to, steps=steps, all=all_)
    if plan.refused and all(b.overridable for b in plan.blockers) and fmt != "json":
        if any(b.kind != "no_down" for b in plan.blockers):
            _console().print(
                "[red]check expects these down statements to fail; roll back anyway with --force[/]"
            )
        else:
            _console().print(
                "[red]nothing would undo these migrations; roll back anyway with --force, "
                "which marks them pending and leaves their objects in place[/]"
            )
    if plan.steps and not plan.refused:
        risks, database = _risks(target, plan)
        if fmt == "json":
            json_printer_line(
                {
                    "type": "rollback_preview",
                    "ts": time.time(),
                    "steps": [r.to_json() for r in risks],
                }
            )
        else:
            _console().print(
                f"[bold]Would roll back {len(plan.steps)} migration(s) on {escape(database)}:[/]"
            )
            _print_risks(risks)
        absent = [(r, obj, line) for r in risks for obj, line in r.absent_drops]
        if absent and not force_down:
            for risk, obj, line in absent:
                fail_line = f"{risk.file}:{line}" if risk.file else risk.version
                _console().print(
                    f"[red]✗ {escape(risk.version)}[/] {escape(fail_line)}: drops "
                    f"{escape(obj)}, which {escape(database)} does not have: the rollback "
                    "would fail there"
                )
            fail(
                "refused: a down section drops what the database lacks; fix the database or "
                "the down section, or roll back anyway with --force",
                EXIT_FAILED,
            )
        if not dry_run:
            at_risk = any(r.at_risk for r in risks)
            _gate(f"Roll back on {database}?", yes, confirm, database, at_risk)
    _execute(target, fmt, lambda runner: runner.rollback(to=to, steps=steps, all=all_), **options)


def _risks(target: _Target, plan: Plan) -> tuple[list, str]:
    """What each step of ``plan`` destroys, counted on the target, and its name."""
    from migtui.db.connect import connect
    from migtui.db.preview import preview_plan

    def read():
        with connect(target.dsn) as conn:
            return preview_plan(conn, target.analysis, plan), conn.info.dbname

    return _guarded(read)


def _print_risks(risks: list, heading: bool = True) -> None:
    """Each step's drops and data at risk, in the words the console uses."""
    from migtui.db.preview import summary

    console = _console()
    for risk in risks:
        if not heading and not (risk.drops or risk.at_risk):
            continue  # after a plan that lists every step: only the destructive ones
        console.print(f"  [cyan]{risk.version}[/] {escape(risk.name)}")
        for dropped in risk.drops:
            console.print(f"      [red]drops[/] {escape(dropped)}")
        for table in risk.tables:
            style = "bold red" if table.at_risk else "dim"
            for line in table.lines():
                console.print(f"      [{style}]data at risk:[/] {escape(line)}")
    at_risk = any(r.at_risk for r in risks)
    console.print(f"[bold red]{summary(risks)}[/]" if at_risk else f"[green]{summary(risks)}[/]")


def _gate(question: str, yes: bool, confirm: str | None, database: str, at_risk: bool) -> None:
    """One gate on both faces: with data at risk, the database's name is typed
    (or given with --confirm); otherwise a yes is enough."""
    if confirm is not None and confirm != database:
        fail(
            f"--confirm {confirm!r} is not the target database ({database}); nothing was run",
            EXIT_FAILED,
        )
    if not at_risk:
        _confirm(question, yes or confirm is not None)
        return
    if confirm is not None:
        return
    if not sys.stdin.isatty():
        fail(
            f"data is at risk and there is no terminal to type the database name: "
            f"pass --confirm {database} to run anyway",
            EXIT_FAILED,
        )
    typed = click.prompt(
        f"Data is at risk. Type the database name ({database}) to go on",
        default="",
        show_default=False,
        err=True,
    )
    if typed.strip() != database:
        fail("that is not the database's name; nothing was run", EXIT_FAILED)


def _timing(e: MigrationCommitted) -> str:
    """The statements' own time; the wall time too when pauses made it longer."""
    text = f"{e.duration_ms:.1f} ms"
    if e.wall_ms is not None and e.wall_ms - e.duration_ms > 1000:
        text += f" ({e.wall_ms / 1000:.1f} s with the pauses)"
    return text


def json_printer_line(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


@click.command("status")
@run_options
def status_command(directory, layout, dsn, embedded, fmt) -> None:
    """Each migration's state: pending, applied, drifted, missing, dirty, out_of_order."""
    target = _Target(directory, layout, dsn, embedded)
    state = _guarded(_runner(target, json_printer).ledger_state)
    statuses = state.statuses
    if fmt == "json":
        document = {
            "ledger": state.source,
            "notes": list(state.notes),
            "migrations": [s.to_json() for s in statuses],
        }
        click.echo(json.dumps(document, indent=2))
        return
    console = _console()
    _heading(console, f"migrations on {redact_dsn(target.dsn)}", f"states from {state.source}")
    from rich.table import Table

    table = Table()
    for column in ("version", "name", "state", "applied at", "by"):
        table.add_column(column)
    notes = any(s.note for s in statuses)
    if notes:
        table.add_column("note")
    for s in statuses:
        style = _STATE_STYLE.get(s.state, "")
        row = [
            s.version,
            s.name,
            f"[{style}]{s.state}[/]",
            (s.applied_at or "")[:19].replace("T", " "),
            s.applied_by or "",
        ]
        table.add_row(*row, *([escape(s.note or "")] if notes else []))
    console.print(table)
    for note in state.notes:
        console.print(f"[yellow]![/] {escape(note)}")


@click.command("resolve")
@run_options
@click.argument("version")
@click.option("--applied", "settle", flag_value="applied", help="It did run to the end.")
@click.option("--pending", "settle", flag_value="pending", help="It did not: run it again later.")
@click.option(
    "--finish", "settle", flag_value="finish", help="Run the statements that did not run."
)
@click.option(
    "--confirm",
    metavar="DBNAME",
    help="With --applied while objects it makes are missing: the database's name.",
)
@click.option("--reason", metavar="TEXT", help="Why, kept in the history (with --confirm).")
@click.option("--lock-wait", type=float, default=0.0, show_default=True, metavar="SECONDS")
def resolve_command(
    directory, layout, dsn, embedded, fmt, version, settle, confirm, reason, lock_wait
) -> None:
    """Settle a dirty migration. Without a choice, shows what the history and
    the database say of it: which statements ran, which objects exist."""
    from migtui.db.connect import ConnectError
    from migtui.db.lock import LockHeld
    from migtui.db.resolve import NotDirty, NotProven, evidence, resolve

    target = _Target(directory, layout, dsn, embedded)
    try:
        proof = evidence(target.dsn, target.analysis, version)
    except ConnectError as exc:
        fail(str(exc))
    except psycopg.Error as exc:
        fail(_refused_by_server(exc, target.dsn), EXIT_FAILED)
    except NotDirty as exc:
        fail(str(exc), EXIT_FAILED)
    if settle is None:
        if fmt == "json":
            click.echo(json.dumps({"version": proof.version, "evidence": proof.lines()}))
            return
        console = _console()
        console.print(f"[bold]{escape(proof.version)} {escape(proof.name)}[/]")
        for line in proof.lines():
            style = "red" if line.startswith(("missing", "did not")) else ""
            console.print(f"  [{style}]{escape(line)}[/]" if style else f"  {escape(line)}")
        console.print(
            "[cyan]choose:[/] --finish (run what did not run), --pending (it is undone), "
            "--applied (it all exists)"
        )
        return
    if settle == "finish":
        _execute(target, fmt, lambda runner: runner.finish(proof.version), **_finish_options())
        return
    try:
        done = resolve(
            target.dsn,
            target.analysis,
            version,
            applied=settle == "applied",
            lock_wait=lock_wait,
            ledger_table=target.config.ledger_table,
            confirm=confirm,
            reason=reason,
        )
    except ConnectError as exc:
        fail(str(exc))
    except LockHeld as exc:
        fail(str(exc), EXIT_LOCKED)
    except (NotDirty, NotProven) as exc:
        fail(str(exc), EXIT_FAILED)
    except psycopg.Error as exc:
        fail(_refused_by_server(exc, target.dsn), EXIT_FAILED)
    if fmt == "json":
        click.echo(json.dumps({"version": done.version, "state": done.state}))
        return
    console = _console()
    console.print(f"[green]{done.version} is now {done.state}[/]")
    if done.state == "pending" and proof.present:
        console.print("  left in the database (its next run must cope with them):")
        for ref in proof.present:
            console.print(f"    {escape(str(ref))}")


def _finish_options() -> dict:
    return dict(
        dry_run=False,
        step=None,
        lock_wait=0.0,
        lock_timeout=None,
        statement_timeout=None,
        allow_drift=False,
    )


@click.command("baseline")
@run_options
@click.option(
    "--to",
    "to",
    required=True,
    metavar="VERSION",
    help="The newest migration the database already has.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Record them even if objects they make are missing (kept in the history).",
)
@click.option("--reason", metavar="TEXT", help="Why, for the history (with --force).")
@click.option("--lock-wait", type=float, default=0.0, show_default=True, metavar="SECONDS")
def baseline_command(directory, layout, dsn, embedded, fmt, to, force, reason, lock_wait) -> None:
    """Record migrations up to VERSION as applied in a database that has their
    objects but no ledger (restored from a dump, migrated by hand).

    The objects those migrations leave behind are checked in the database first;
    any that is missing refuses the baseline (exit 1) unless --force.
    """
    from migtui.db.baseline import BaselineRefused, baseline
    from migtui.db.connect import ConnectError
    from migtui.db.lock import LockHeld

    target = _Target(directory, layout, dsn, embedded)
    try:
        done = baseline(
            target.dsn,
            target.analysis,
            to,
            force=force,
            reason=reason,
            lock_wait=lock_wait,
            ledger_table=target.config.ledger_table,
        )
    except ConnectError as exc:
        fail(str(exc))
    except LockHeld as exc:
        fail(str(exc), EXIT_LOCKED)
    except psycopg.Error as exc:
        fail(_refused_by_server(exc, target.dsn), EXIT_FAILED)
    except BaselineRefused as exc:
        if fmt == "json":
            missing = [str(r) for r in exc.check.missing] if exc.check else []
            click.echo(json.dumps({"refused": str(exc), "missing": missing}))
            sys.exit(EXIT_FAILED)
        console = _console()
        console.print(f"[bold red]Baseline refused:[/] {escape(str(exc))}")
        if exc.check is not None:
            for ref in exc.check.missing:
                made_by = _made_by(target.analysis, ref, exc.check.to)
                console.print(f"  [red]✗[/] {escape(str(ref))}  [dim]{escape(made_by)}[/]")
            console.print(
                "[cyan]hint:[/] apply what is missing by hand, baseline to an earlier version, "
                "or pass --force (recorded in the history) if you know better"
            )
        sys.exit(EXIT_FAILED)
    check = done.check
    if fmt == "json":
        document = {
            "to": check.to,
            "recorded": list(check.versions),
            "checked": len(check.expected),
            "missing": [str(r) for r in check.missing],
            "forced": done.forced,
            "tool_ledger": done.tool_ledger,
        }
        click.echo(json.dumps(document, indent=2))
        return
    console = _console()
    found = len(check.expected) - len(check.missing)
    console.print(
        f"[green]{len(check.versions)} migrations ({check.versions[0]}…{check.to}) recorded as "
        f"applied[/]; {found} of {len(check.expected)} objects they leave behind were found"
    )
    if done.tool_ledger:
        console.print(f"  written to {escape(done.tool_ledger)} too")
    for ref in check.missing:
        console.print(f"  [yellow]! missing, recorded anyway:[/] {escape(str(ref))}")


def _made_by(analysis: Analysis, ref, to: str) -> str:
    """Which migration (up to ``to``) last makes ``ref``."""
    made = ""
    for info in analysis.migrations:
        if any(p.key == ref.key for p in info.provides):
            made = f"made by {info.version}"
        if info.version == to:
            break
    return made


@click.command("history")
@dsn_option
@embedded_option
@format_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def history_command(dsn, embedded, fmt, limit) -> None:
    """Every apply, rollback, failure, resolve and baseline recorded on the target, oldest first."""
    from migtui.db import ledger
    from migtui.db.connect import ConnectError, connect

    config = config_or_fail()
    target = target_dsn(dsn, embedded, config)
    try:
        with connect(target) as conn:
            entries = ledger.read_history(conn, limit)
    except ConnectError as exc:
        fail(str(exc))
    except psycopg.Error as exc:
        fail(_refused_by_server(exc, target), EXIT_FAILED)
    if fmt == "json":
        click.echo(json.dumps({"history": [e.to_json() for e in entries]}, indent=2))
        return
    console = _console()
    _heading(console, f"history of {redact_dsn(target)}")
    from rich.table import Table

    table = Table()
    for column in ("at", "action", "version", "outcome", "by", "ms", "message"):
        table.add_column(column)
    for e in entries:
        style = "green" if e.outcome in ("committed", "applied", "pending") else "red"
        table.add_row(
            e.at[:19].replace("T", " "),
            e.action,
            e.version,
            f"[{style}]{e.outcome}[/]",
            e.by_user,
            f"{e.duration_ms:.0f}" if e.duration_ms is not None else "",
            escape((e.message or "").splitlines()[0] if e.message else ""),
        )
    console.print(table)
