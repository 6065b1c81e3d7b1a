"""The rehearsal: the pending plan run on a throwaway copy, each statement with
the locks PostgreSQL really took (beside the ones predicted from its SQL), and
each step's down checked to undo its up."""

from __future__ import annotations

import re

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from migtui.core.locks import table_key
from migtui.core.project import Analysis

#: A lock's badge: the modes that stop reads in red, those that stop writes in yellow.
BADGES = {
    "ACCESS EXCLUSIVE": "bold white on red",
    "EXCLUSIVE": "bold white on dark_red",
    "SHARE ROW EXCLUSIVE": "black on yellow",
    "SHARE": "black on yellow",
    "SHARE UPDATE EXCLUSIVE": "black on cyan",
}


class RehearsalProgress(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RehearsalDone(Message):
    def __init__(self, rehearsal, error: str = "") -> None:
        super().__init__()
        self.rehearsal = rehearsal
        self.error = error


class RehearsalScreen(ModalScreen):
    """Dismissed with the rehearsal (None if it did not finish)."""

    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(
        self, analysis: Analysis, target: str | None, label: str, start_at: str | None = None
    ) -> None:
        super().__init__()
        self.analysis = analysis
        self.target = target
        self.label = label
        #: The migration whose step is shown first (the console's selected row).
        self.start_at = start_at
        self.rehearsal = None
        self._plain = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog rehearsal"):
            yield Label(f"Rehearsal on a copy of {self.label}", classes="dialog-title")
            with VerticalScroll(id="rehearsal-box"):
                yield Static(Text("making the copy on the embedded PostgreSQL…", "dim"),
                             id="rehearsal-text")  # fmt: skip
            with Vertical(classes="dialog-footer"), Horizontal(classes="dialog-buttons"):
                yield Button("Back", id="back", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()
        self._rehearse()

    @work(thread=True, exclusive=True, exit_on_error=False, group="rehearsal")
    def _rehearse(self) -> None:
        from migtui.db.rehearse import drop_copy, make_copy, rehearse

        try:
            copy, rehearsal = make_copy(self.target)
        except Exception as exc:  # noqa: BLE001 - said in the dialog
            self.post_message(RehearsalDone(None, " ".join(str(exc).split())))
            return
        try:
            rehearse(
                self.analysis,
                copy,
                rehearsal,
                progress=lambda text: self.post_message(RehearsalProgress(f"rehearsing {text}…")),
            )
        except Exception as exc:  # noqa: BLE001
            self.post_message(RehearsalDone(None, " ".join(str(exc).split())))
            return
        finally:
            drop_copy(copy)
        self.post_message(RehearsalDone(rehearsal))

    def on_rehearsal_progress(self, message: RehearsalProgress) -> None:
        self.query_one("#rehearsal-text", Static).update(Text(message.text, "dim"))

    async def on_rehearsal_done(self, message: RehearsalDone) -> None:
        status = self.query_one("#rehearsal-text", Static)
        if message.rehearsal is None:
            status.update(Text(f"the rehearsal could not run: {message.error}", "bold red"))
            return
        self.rehearsal = message.rehearsal
        status.display = False
        box = self.query_one("#rehearsal-box", VerticalScroll)
        parts = report_parts(self.rehearsal, self.analysis)
        self._plain = "\n".join(line.plain for _, lines in parts for line in lines)
        await box.mount_all(
            Static(Group(*lines), id=_step_id(version) if version else None, classes="step")
            for version, lines in parts
        )
        if self.start_at is not None:
            self.call_after_refresh(self.show_step, self.start_at)

    def show_step(self, version: str, tries: int = 10) -> None:
        """Scroll the step of ``version`` to the top, when it was rehearsed."""
        found = self.query(f"#{_step_id(version)}")
        if not found:
            return
        step = found.first()
        box = self.query_one("#rehearsal-box", VerticalScroll)
        box.scroll_to_widget(step, top=True, animate=False)
        # Steps just mounted may not be laid out yet (the box cannot scroll
        # that far): try again after the next refresh, a few times at most.
        if tries and abs(step.region.y - box.content_region.y) > 1:
            self.call_after_refresh(self.show_step, version, tries - 1)

    def text(self) -> str:
        """The report the dialog shows, as plain text ("" until it is done)."""
        return self._plain

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_back()

    def action_back(self) -> None:
        self.dismiss(self.rehearsal)


def report_parts(rehearsal, analysis: Analysis) -> list[tuple[str | None, list[Text]]]:
    """The rehearsal in parts: what could not be copied, then a part per step
    (its version, a line for it and one per statement that took a lock), then
    the summary."""
    parts: list[tuple[str | None, list[Text]]] = []
    opening = [Text(f"not copied: {line}", "yellow") for line in rehearsal.not_copied]
    if not rehearsal.steps:
        opening.append(Text("Nothing is pending on the copy: nothing to rehearse.", "dim"))
    if opening:
        parts.append((None, opening))
    for step in rehearsal.steps:
        parts.append((step.version, _step_lines(step, analysis)))
    planned = rehearsal.planned or len(rehearsal.steps)
    summary = f"{sum(s.outcome == 'done' for s in rehearsal.steps)} of {planned}"
    summary += " step(s) applied on the copy"
    if rehearsal.irreversible:
        summary += (
            f"; not undone by their down: {', '.join(s.version for s in rehearsal.irreversible)}"
        )
    closing = [Text(summary, "green" if rehearsal.ok else "bold red")]
    if rehearsal.stopped:
        closing.insert(0, Text(rehearsal.stopped, "yellow"))
    parts.append((None, closing))
    return parts


def _step_lines(step, analysis: Analysis) -> list[Text]:
    head = Text(f"{step.version} ", style="bold")
    head.append(step.name)
    if step.outcome != "done":
        head.append(f"  ✗ {step.outcome}", "bold red")
    elif step.reversible is None:
        head.append("  ✓ applied", "green")
    elif step.reversible:
        head.append("  ✓ applied · ✓ down undoes it", "green")
    else:
        head.append("  ✓ applied · ", "green")
        head.append("✗ down does not undo it", "bold red")
    lines = [head]
    if step.outcome != "done":
        where = f"{step.failed_at}: " if step.failed_at else ""
        lines.append(Text(f"    {where}{step.message}", "red"))
    predicted = _predicted(analysis, step.version)
    quiet = 0
    for trace in step.statements:
        if trace.quiet:
            quiet += 1
            continue
        lines.append(_statement_line(trace, predicted.get(trace.index, {})))
    if quiet:
        words = f"{quiet} statement(s) took no lock on a table that existed before"
        lines.append(Text(f"         {words}", "dim"))
    if step.reverse_message:
        lines.append(Text(f"    {step.reverse_message}", "red"))
    for entry in step.left_behind:
        lines.append(Text(f"    left behind by the down: {entry}", "red"))
    for entry in step.lost:
        lines.append(Text(f"    removed by the down, there before: {entry}", "red"))
    return lines


def _statement_line(trace, predicted: dict[str, str]) -> Text:
    line = Text(f"  {trace.line:>5}  ", style="dim")
    line.append(f"{trace.sql[:40]:<40}")
    line.append(f" {trace.duration_ms:>6.1f} ms ", style="dim")
    by_mode: dict[str, list[str]] = {}
    for relation, mode in trace.blocking_locks:  # strongest first
        by_mode.setdefault(mode, []).append(relation)
    for mode, relations in by_mode.items():
        line.append(" ")
        line.append(f" {mode} ", style=BADGES.get(mode, "reverse"))
        line.append(" " + ", ".join(_short(r) for r in sorted(relations)))  # not the server's order
        for relation in relations:
            guess = predicted.get(table_key(relation))
            if guess and guess != mode:
                line.append(f" ({_short(relation)}: predicted {guess})", style="yellow")
    if trace.rewrote:
        line.append(f"  rewrote {', '.join(map(_short, trace.rewrote))}", style="magenta")
    scanned = [r for r in trace.scanned if r not in trace.rewrote]
    if scanned:
        line.append(f"  read whole {', '.join(map(_short, scanned))}", style="dim")
    return line


def _short(relation: str) -> str:
    """A relation as an operator reads it: without ``public.``."""
    return relation.removeprefix("public.")


def _predicted(analysis: Analysis, version: str) -> dict[int, dict[str, str]]:
    """The locks each up statement of ``version`` is predicted to take, by index."""
    from migtui.core.locks import predict
    from migtui.core.statements import split

    info = analysis.get(version)
    if info is None:
        return {}
    out = {}
    for statement in info.statements("up"):
        tree = statement.tree
        if tree is None:
            parsed = split(statement.text).statements
            tree = parsed[0].tree if parsed else None
        out[statement.index] = {table_key(lock.relation): lock.mode for lock in predict(tree)}
    return out


def _step_id(version: str) -> str:
    return "step-" + re.sub(r"[^A-Za-z0-9_-]", "_", version)
