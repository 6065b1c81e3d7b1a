"""The top bar: which folder, which database, the lock, and the mode."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from migtui.report import cut_middle
from migtui.tui.project_view import TargetInfo

_MODE_STYLES = {
    "offline": "bold black on grey70",
    "live": "bold black on green",
    "running": "bold black on cyan",
    "dry run": "bold black on dark_orange",
    "step": "bold black on magenta",
    "loading": "bold black on yellow",
}


class TargetHeader(Static):
    """Folder, target (DSN redacted), server version, database, lock state and mode."""

    folder: reactive[str] = reactive("")
    scenario: reactive[str] = reactive("")
    target: reactive[TargetInfo | None] = reactive(None)
    lock_state: reactive[str] = reactive("")
    mode: reactive[str] = reactive("loading")
    progress: reactive[str] = reactive("")
    note: reactive[str] = reactive("")

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {self.mode} ", style=_MODE_STYLES.get(self.mode, "reverse"))
        line.append("  ")
        room = self.size.width - len(self.mode) - 5
        if self.scenario:
            room -= len(self.scenario) + 11
        line.append(_shorten(self.folder, room), style="bold")
        if self.scenario:
            line.append("  scenario ", style="dim")
            line.append(self.scenario, style="bold cyan")
        second = Text(no_wrap=True, overflow="ellipsis")
        second.append(" ")
        if self.target is None:
            second.append(self.note or "no database: analysis only", style="dim")
        else:
            second.append(self.target.database or "?", style="bold")
            if self.target.server_version:
                second.append(f"  PostgreSQL {self.target.server_version}", style="dim")
            second.append("  lock ", style="dim")
            second.append(self.lock_state or "free", style="yellow" if self.lock_state else "green")
            ledger = f"  ledger {self.target.ledger}" if self.target.ledger else ""
            room = self.size.width - second.cell_len - len(ledger) - 3
            second.append("  ")
            second.append(cut_middle(self.target.dsn_shown, room), style="dim")
            if ledger:
                second.append("  ledger ", style="dim")
                second.append(self.target.ledger, style="cyan")
        if self.progress:
            second.append("  ⟳ ", style="yellow")
            second.append(self.progress, style="yellow")
        line.append("\n")
        line.append_text(second)
        return line


def _shorten(folder: str, room: int) -> str:
    """The folder's path, cut from the left to fit ``room`` columns: the end of a
    path is the part that tells folders apart."""
    if room <= 0 or len(folder) <= room:
        return folder
    if room < 4:
        return "…"
    return "…" + folder[-(room - 1) :]
