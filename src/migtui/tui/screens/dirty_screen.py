"""Resolving a dirty migration: one that stopped part-way outside a transaction."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from migtui.tui import engine
from migtui.tui.messages import ActionRefused
from migtui.tui.project_view import Row

EXPLANATION = (
    "{version} ran outside a transaction and stopped part-way, so some of its statements "
    "may have taken effect and others not. migtui cannot tell which: look at the database "
    "first (the output and the history show the last statement that ran).\n\n"
    "• Mark applied: you finished it by hand; the ledger records it as applied and "
    "later migrations may run.\n"
    "• Mark not applied: you undid what it did (or nothing ran); it is pending again and "
    "runs from the start next time.\n\n"
    "Either choice only changes migtui's ledger, never your schema, and is kept in the history."
)


class DirtyScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "dismiss(False)", "Back")]

    def __init__(self, row: Row, dsn: str, analysis, ledger_table: str | None = None) -> None:
        super().__init__()
        self.row = row
        self.dsn = dsn
        self.analysis = analysis
        self.ledger_table = ledger_table

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.row.version} {self.row.name} is dirty", classes="dialog-title")
            yield Static(EXPLANATION.format(version=self.row.version), classes="dialog-text")
            yield Static("", id="dirty-result")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Back", id="cancel", variant="primary")
                yield Button("Mark applied", id="applied", variant="warning")
                yield Button("Mark not applied", id="pending", variant="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(False)
            return
        self._resolve(event.button.id == "applied")

    @work(thread=True, exclusive=True, exit_on_error=False, group="resolve")
    def _resolve(self, applied: bool) -> None:
        try:
            engine.resolve_dirty(
                self.dsn, self.analysis, self.row, applied=applied, ledger_table=self.ledger_table
            )
        except Exception as exc:
            self.post_message(ActionRefused(" ".join(str(exc).split())))
            return
        self.app.call_from_thread(self.dismiss, True)

    def on_action_refused(self, message: ActionRefused) -> None:
        self.query_one("#dirty-result", Static).update(Text(message.message, style="bold red"))
