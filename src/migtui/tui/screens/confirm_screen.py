"""A yes/no question, asked before something that cannot be taken back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "answer(False)", "Back")]

    def __init__(self, title: str, explanation: str, *, yes: str, no: str) -> None:
        super().__init__()
        self._title, self._explanation, self._yes, self._no = title, explanation, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title")
            yield Static(self._explanation, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._no, id="no", variant="primary")
                yield Button(self._yes, id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def reword(self, title: str, explanation: str, *, yes: str, no: str) -> None:
        """Ask something else in place: what it asked about has changed."""
        self.query_one(".dialog-title", Label).update(title)
        self.query_one(".dialog-text", Static).update(explanation)
        self.query_one("#yes", Button).label = yes
        self.query_one("#no", Button).label = no

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
