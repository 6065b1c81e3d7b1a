"""The target's history: every apply, rollback, failure, resolve and baseline."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from migtui.tui import engine

_OUTCOME_STYLE = {"committed": "green", "applied": "green", "pending": "yellow"}


class HistoryRead(Message):
    def __init__(self, entries: list | None, error: str = "") -> None:
        super().__init__()
        self.entries = entries
        self.error = error


class HistoryScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, dsn: str, database: str) -> None:
        super().__init__()
        self.dsn = dsn
        self.database = database

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog history"):
            yield Label(f"History of {self.database}", classes="dialog-title")
            with VerticalScroll(id="history-box"):
                yield Static(Text("reading…", "dim"), id="history-text")
            with Vertical(classes="dialog-footer"), Horizontal(classes="dialog-buttons"):
                yield Button("Back", id="back", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()
        self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def _read(self) -> None:
        try:
            entries = engine.read_history(self.dsn)
        except Exception as exc:  # noqa: BLE001 - said in the dialog
            self.post_message(HistoryRead(None, " ".join(str(exc).split())))
            return
        self.post_message(HistoryRead(entries))

    def on_history_read(self, message: HistoryRead) -> None:
        box = self.query_one("#history-text", Static)
        if message.entries is None:
            box.update(Text(f"cannot read the history: {message.error}", "bold red"))
            return
        if not message.entries:
            box.update(Text("Nothing recorded yet: migtui has not run on this database.", "dim"))
            return
        lines = []
        for entry in message.entries:
            line = Text(f"{entry.at[:19].replace('T', ' ')}  ", style="dim")
            line.append(f"{entry.action:<9}", style="bold")
            line.append(f"{entry.version:<10}")
            line.append(f"{entry.outcome:<14}", style=_OUTCOME_STYLE.get(entry.outcome, "red"))
            if entry.duration_ms is not None:
                line.append(f"{entry.duration_ms:.0f} ms  ", style="dim")
            line.append(entry.by_user, style="dim")
            lines.append(line)
            if entry.message:
                first = entry.message.strip().splitlines()[0]
                lines.append(Text(f"    {first}", style="dim"))
        box.update(Group(*lines))
        self.query_one("#history-box", VerticalScroll).scroll_end(animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)
