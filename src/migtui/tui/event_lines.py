"""The runner's events as the lines of the console's live output."""

from __future__ import annotations

from rich.text import Text

from migtui import events as E


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def _first_line(sql: str, width: int = 60) -> str:
    lines = [ln.strip() for ln in sql.strip().splitlines() if ln.strip()]
    head = lines[0] if lines else ""
    more = len(lines) > 1
    if len(head) > width:
        head, more = head[: width - 1], True
    return head + (" …" if more else "")


def lines_for(event: E.Event) -> list[Text]:
    """One event as one or more styled lines (without a trailing newline)."""
    render = _RENDERERS.get(type(event))
    return render(event) if render else [Text(f"{event.type}", style="dim")]


def _plan_started(e: E.PlanStarted) -> list[Text]:
    steps = " → ".join(e.steps) if e.steps else "nothing"
    text = Text("━━ ", style="bold")
    text.append(f"{e.direction} ", style="bold")
    text.append(steps, style="bold cyan")
    if e.dry_run:
        text.append("  dry run: everything is rolled back at the end", style="dark_orange")
    if e.step_mode:
        text.append("  step by step", style="magenta")
    return [text]


def _lock_waiting(e: E.LockWaiting) -> list[Text]:
    who = f"pid {e.holder_pid}" if e.holder_pid else "another session"
    if e.holder_user:
        who += f" ({e.holder_user}@{e.holder_host or 'local'}"
        who += f", {e.holder_application})" if e.holder_application else ")"
    since = f" since {e.holder_since}" if e.holder_since else ""
    return [Text(f"… waiting for the migration lock, held by {who}{since}", style="yellow")]


def _lock_acquired(e: E.LockAcquired) -> list[Text]:
    waited = f" after {e.waited_seconds:.1f} s" if e.waited_seconds >= 0.1 else ""
    return [Text(f"migration lock taken{waited}", style="dim")]


def _migration_started(e: E.MigrationStarted) -> list[Text]:
    text = Text("▶ ", style="bold cyan")
    text.append(f"{e.version} {e.name}", style="bold")
    text.append(f"  {e.direction}, {e.statements} statement{'s' * (e.statements != 1)}")
    if e.own_transactions:
        text.append("  in the transactions the file marks", style="dark_orange")
    elif not e.transactional:
        text.append("  outside a transaction", style="dark_orange")
    text.append(f"  {e.file}", style="dim")
    return [text]


def _statement_started(e: E.StatementStarted) -> list[Text]:
    text = Text(f"  {e.section} #{e.index + 1} ", style="cyan")
    text.append(f"line {e.line}  ", style="dim")
    text.append(_first_line(e.sql))
    return [text]


def _statement_finished(e: E.StatementFinished) -> list[Text]:
    text = Text("    ✓ ", style="green")
    text.append(e.command_tag or "OK", style="green")
    if e.rows is not None:
        text.append(f"  {e.rows} row{'s' * (e.rows != 1)}")
    text.append(f"  {_ms(e.duration_ms)}", style="dim")
    return [text]


def _notice(e: E.Notice) -> list[Text]:
    style = "yellow" if e.severity.upper() == "WARNING" else "blue"
    out = [Text.assemble(("    ", ""), (f"{e.severity}: ", f"bold {style}"), (e.message, style))]
    if e.detail:
        out.append(Text(f"      detail: {e.detail}", style="dim"))
    if e.hint:
        out.append(Text(f"      hint: {e.hint}", style="cyan"))
    return out


def _statement_failed(e: E.StatementFailed) -> list[Text]:
    head = Text("    ✗ ERROR ", style="bold red")
    if e.sqlstate:
        head.append(f"{e.sqlstate} ", style="bold red")
    head.append(e.message, style="red")
    where = f"{e.file}:{e.line}" if e.file else f"line {e.line}"
    out = [head, Text(f"      at {where}", style="red")]
    if e.detail:
        out.append(Text(f"      detail: {e.detail}", style="red"))
    if e.hint:
        out.append(Text(f"      hint: {e.hint}", style="cyan"))
    if e.context:
        out.extend(Text(f"      context: {ln}", style="dim") for ln in e.context.splitlines())
    return out


def _verify_passed(e: E.VerifyPassed) -> list[Text]:
    return [
        Text(
            f"  ✓ verify passed: {e.statements} check{'s' * (e.statements != 1)} "
            f"in {_ms(e.duration_ms)}",
            style="bold green",
        )
    ]


def _verify_failed(e: E.VerifyFailed) -> list[Text]:
    where = f" at {e.file}:{e.line}" if e.file else ""
    state = f" {e.sqlstate}" if e.sqlstate else ""
    return [Text(f"  ✗ verify failed{state}: {e.message}{where}", style="bold red")]


def _committed(e: E.MigrationCommitted) -> list[Text]:
    if e.dry_run:
        return [Text(f"  ↺ {e.version} ran and was rolled back (dry run)", style="dark_orange")]
    verb = "applied" if e.direction in ("up", "apply") else "rolled back"
    took = _ms(e.duration_ms)
    if e.wall_ms is not None and e.wall_ms - e.duration_ms > 1000:
        took += f" ({e.wall_ms / 1000:.1f} s with the pauses)"
    return [Text(f"  ✓ {e.version} {verb} and committed in {took}", style="green")]


def _rolled_back(e: E.MigrationRolledBack) -> list[Text]:
    words = {
        "failed": "a statement failed",
        "cancelled": "cancelled",
        "verify_failed": "its verify failed",
        "dry_run": "dry run",
        "aborted": "aborted",
    }
    reason = words.get(e.reason, e.reason)
    style = "dark_orange" if e.reason == "dry_run" else "bold red"
    return [Text(f"  ↺ {e.version} rolled back: {reason}; nothing of it stays", style=style)]


def _plan_finished(e: E.PlanFinished) -> list[Text]:
    done = ", ".join(e.applied) if e.applied else "none"
    words = {
        "done": ("done", "bold green"),
        "failed": (f"failed at {e.failed}", "bold red"),
        "cancelled": ("cancelled", "bold red"),
        "aborted": ("aborted", "bold red"),
        "refused": ("refused", "bold red"),
        "nothing_to_do": ("nothing to do", "bold"),
    }
    word, style = words.get(e.outcome, (e.outcome, "bold"))
    text = Text(f"━━ {e.direction} {word}", style=style)
    verb = "rolled back" if e.direction == "rollback" else "applied"
    if e.dry_run:
        verb = "ran (dry run)"
    text.append(f"  {verb}: {done}  {_ms(e.duration_ms)}", style="dim")
    out = [text]
    if e.message:
        out.append(Text(f"   {e.message}", style=style))
    return out


def _step_paused(e: E.StepPaused) -> list[Text]:
    text = Text(f"  ‖ next: {e.version} {e.section} #{e.index + 1} line {e.line}", style="magenta")
    text.append("   n next · c continue · b abort", style="dim")
    return [text]


_RENDERERS = {
    E.PlanStarted: _plan_started,
    E.LockWaiting: _lock_waiting,
    E.LockAcquired: _lock_acquired,
    E.MigrationStarted: _migration_started,
    E.StatementStarted: _statement_started,
    E.StatementFinished: _statement_finished,
    E.Notice: _notice,
    E.StatementFailed: _statement_failed,
    E.VerifyPassed: _verify_passed,
    E.VerifyFailed: _verify_failed,
    E.MigrationCommitted: _committed,
    E.MigrationRolledBack: _rolled_back,
    E.PlanFinished: _plan_finished,
    E.StepPaused: _step_paused,
}
