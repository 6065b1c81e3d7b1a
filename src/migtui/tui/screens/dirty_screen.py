"""Resolving a dirty migration: one that stopped part-way outside a transaction.

The dialog first shows the evidence — which statements the history says ran,
which did not, which of the objects the migration makes exist — then offers
what fits it: finish it (run what did not run), mark it pending (naming what
stays behind), or mark it applied, which, when objects it makes are missing,
needs the database's name and a reason kept in the history.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from migtui.tui import engine
from migtui.tui.messages import ActionRefused
from migtui.tui.project_view import ProjectView, Row
from migtui.tui.run_actions import RunRequest


class EvidenceRead(Message):
    def __init__(self, evidence, error: str = "") -> None:
        super().__init__()
        self.evidence = evidence
        self.error = error


class DirtyScreen(ModalScreen[bool | RunRequest]):
    BINDINGS = [Binding("escape", "dismiss(False)", "Back")]

    def __init__(
        self, row: Row, dsn: str, project: ProjectView, ledger_table: str | None = None
    ) -> None:
        super().__init__()
        self.row = row
        self.dsn = dsn
        self.project = project
        self.analysis = project.analysis
        self.database = project.target.database if project.target else ""
        self.ledger_table = ledger_table
        self.evidence = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dirty"):
            yield Label(f"{self.row.version} {self.row.name} is dirty", classes="dialog-title")
            with VerticalScroll(id="dirty-box"):
                yield Static(
                    f"{self.row.version} ran outside a transaction and stopped part-way. "
                    "Reading what ran and what exists…",
                    id="dirty-evidence",
                )
            with Vertical(classes="dialog-footer"):
                # side by side: at 80×24 the evidence above needs the lines
                with Horizontal(id="dirty-inputs"):
                    yield Input(placeholder=f"type {self.database}", id="dirty-name")
                    yield Input(placeholder="why, for the history", id="dirty-reason")
                yield Static("", id="dirty-result")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Back", id="cancel", variant="primary")
                    yield Button("Finish it", id="finish", variant="warning", disabled=True)
                    yield Button("Mark pending", id="pending", variant="warning", disabled=True)
                    yield Button("Mark applied", id="applied", variant="warning", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#dirty-inputs").display = False
        self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dirty-evidence")
    def _read(self) -> None:
        try:
            found = engine.dirty_evidence(self.dsn, self.analysis, self.row.version)
        except Exception as exc:  # noqa: BLE001 - said in the dialog
            self.post_message(EvidenceRead(None, " ".join(str(exc).split())))
            return
        self.post_message(EvidenceRead(found))

    @on(EvidenceRead)
    def _show(self, message: EvidenceRead) -> None:
        box = self.query_one("#dirty-evidence", Static)
        if message.evidence is None:
            box.update(Text(f"cannot read the evidence: {message.error}", "bold red"))
            return
        found = self.evidence = message.evidence
        parts = [
            Text(
                f"{self.row.version} ran outside a transaction and stopped part-way. "
                "What the history and the database say:",
                style="dim",
            )
        ]
        for line in found.lines():
            style = "red" if line.startswith(("missing", "did not")) else ""
            parts.append(Text(f"  {line}", style=style))
        parts.append(Text(""))
        if found.remaining:
            parts.append(Text("• Finish it: run the statements that did not run."))
        parts.append(
            Text(
                "• Mark pending: it runs again from the start next time"
                + (
                    "; what it made stays: " + ", ".join(str(r) for r in found.present)
                    if found.present
                    else "."
                )
            )
        )
        if found.absent:
            parts.append(
                Text(
                    "• Mark applied: objects it makes are missing, so it did not finish. "
                    "If you know better, type the database's name and why.",
                    style="dark_orange",
                )
            )
            self.query_one("#dirty-inputs").display = True
        else:
            parts.append(Text("• Mark applied: everything it makes exists."))
        box.update(Group(*parts))
        self.query_one("#finish", Button).disabled = not found.remaining
        self.query_one("#pending", Button).disabled = False
        self._update_applied()

    @on(Input.Changed)
    def _typed(self) -> None:
        self._update_applied()

    def _update_applied(self) -> None:
        found = self.evidence
        if found is None:
            return
        if found.absent:
            name = self.query_one("#dirty-name", Input).value.strip()
            reason = self.query_one("#dirty-reason", Input).value.strip()
            ok = name == self.database and bool(reason)
        else:
            ok = True
        self.query_one("#applied", Button).disabled = not ok

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(False)
        elif event.button.id == "finish":
            self.dismiss(RunRequest("apply", to=self.row.version, finish=True))
        else:
            self._resolve(event.button.id == "applied")

    @work(thread=True, exclusive=True, exit_on_error=False, group="resolve")
    def _resolve(self, applied: bool) -> None:
        name = self.query_one("#dirty-name", Input).value.strip()
        reason = self.query_one("#dirty-reason", Input).value.strip()
        try:
            engine.resolve_dirty(
                self.dsn,
                self.analysis,
                self.row,
                applied=applied,
                ledger_table=self.ledger_table,
                confirm=name or None,
                reason=reason or None,
            )
        except Exception as exc:  # noqa: BLE001 - said in the dialog
            self.post_message(ActionRefused(" ".join(str(exc).split())))
            return
        self.app.call_from_thread(self.dismiss, True)

    def on_action_refused(self, message: ActionRefused) -> None:
        self.query_one("#dirty-result", Static).update(Text(message.message, style="bold red"))
