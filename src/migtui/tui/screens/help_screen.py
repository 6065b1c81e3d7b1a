"""The keys, in the words an operator uses."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from migtui.tui import states

KEYS = (
    (
        "Moving around",
        (
            ("↑ ↓  j k", "choose a migration: its needs and SQL follow the cursor"),
            ("tab", "move between the panes"),
            ("1 2 3", "show the up, down or verify SQL"),
            ("p  o", "show the problems, or the live output"),
            ("enter", "on a problem: jump to its migration and line"),
            ("g", "the dependency graph of the whole project"),
        ),
    ),
    (
        "Running",
        (
            ("a", "apply pending migrations up to the selected one"),
            ("s", "the same, one statement at a time"),
            ("m", "the same, one migration at a time"),
            ("n  c  b", "step mode: next statement, continue without pausing, abort"),
            ("x", "cancel the statement running on the server"),
            ("d", "dry run: run the plan for real, then roll everything back"),
            ("h", "rehearse on a throwaway copy: real locks per statement, downs undone"),
            ("r", "guided rollback: pick a target, see what is dropped, confirm"),
            ("e", "resolve a dirty migration (interrupted outside a transaction)"),
        ),
    ),
    (
        "The rest",
        (
            ("t", "demo: switch scenario, each on a fresh database"),
            ("f5", "read the folder, the catalog and the ledger again"),
            ("y", "copy the live output"),
            ("ctrl+p", "command palette: every action by name"),
            ("q", "quit (asks first while a migration runs)"),
        ),
    ),
)


#: What the marks beside a migration in the table say (states.MARKERS).
MARKS = (
    ("✓", "applied"),
    ("✗", "blocked: check expects it to fail (or it failed)"),
    ("!", "dirty: interrupted outside a transaction"),
    ("~", "drifted: its file changed since it was applied"),
    ("?", "missing: applied, but its file is not in the folder"),
    ("↯", "out of order: pending, older than one applied"),
    ("≈", "unrecorded: its objects exist, but no ledger records it (baseline)"),
    (states.DOWN_FAILS, "its down section is known to fail: a rollback stops there"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Label("migtui keys", classes="dialog-title")
            for title, rows in KEYS:
                table = Table(box=None, show_header=False, pad_edge=False, expand=True)
                table.add_column(style="bold cyan", no_wrap=True, width=10)
                table.add_column(ratio=1)
                for key, words in rows:
                    table.add_row(key, words)
                yield Label(title, classes="help-heading")
                yield Static(table)
            marks = Table(box=None, show_header=False, pad_edge=False, expand=True)
            marks.add_column(no_wrap=True, width=10)
            marks.add_column(ratio=1)
            for mark, words in MARKS:
                marks.add_row(Text(mark, style="bold red" if "✗" in mark else "bold"), words)
            yield Label("Marks in the migrations table", classes="help-heading")
            yield Static(marks)
