"""The bar shown while a step-by-step run waits: what runs next and the keys to go on."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from migtui.events import StepPaused


class StepBar(Static):
    """Hidden unless the runner is paused before a statement."""

    def pause(self, event: StepPaused) -> None:
        sql = " ".join(event.sql.split())
        text = Text()
        text.append(" ‖ paused ", style="bold black on magenta")
        text.append(f"  next: {event.version} {event.section} #{event.index + 1}", style="bold")
        text.append(f" line {event.line}  ", style="dim")
        text.append(sql[:200])
        self.update(text)
        self.add_class("-paused")

    def resume(self) -> None:
        self.remove_class("-paused")
        self.update("")
