"""The runner's events as they come, bounded, copyable and saved with each run."""

from __future__ import annotations

import contextlib
import json
import os
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual.widgets import RichLog

from migtui.events import Event
from migtui.tui.event_lines import lines_for

#: Lines drawn from one batch of events at most (about a screenful). A server raising notices by
#: the ten thousand outruns any reader and any terminal: the newest lines are
#: drawn at once, the events before them are kept (the newest ``max_lines``,
#: for copying and the saved log) and counted on one line instead of drawn.
DRAWN_PER_BATCH = 60


class LiveOutput(RichLog):
    """The output pane: one write per batch of events, the oldest lines dropping first."""

    def __init__(self, max_lines: int = 5000, **kwargs) -> None:
        super().__init__(
            max_lines=max_lines, wrap=True, min_width=20, markup=False, highlight=False, **kwargs
        )
        #: What the output holds, newest last: events, and lines said between them.
        self._entries: deque[Event | Text] = deque(maxlen=max_lines)
        #: The events alone, for the saved NDJSON.
        self._events: deque[Event] = deque(maxlen=max_lines)
        #: The view is at the newest line (and stays there through a resize).
        self._following = True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._following = new_value >= self.max_scroll_y - 1

    def on_resize(self) -> None:
        # Wrapped again at the new width, the lines move: keep the tail in view
        # if it was (an operator reading back up keeps their place).
        if self._following:
            self.call_after_refresh(self.scroll_end, animate=False)

    def add_events(self, events: Iterable[Event]) -> None:
        events = list(events)
        self._events.extend(events)
        self._entries.extend(events)
        # Only the newest lines are drawn; the text of the others is made only
        # if someone copies or saves the output.
        groups: list[list[Text]] = []
        count = 0
        for event in reversed(events):
            if count >= DRAWN_PER_BATCH:
                break
            groups.append(lines_for(event))
            count += len(groups[-1])
        lines = [line for group in reversed(groups) for line in group]
        skipped = len(events) - len(groups)
        if skipped:
            lines.insert(
                0,
                Text(
                    f"… {skipped:,} events not drawn: they came faster than a screen can "
                    "show them (y copies the output, the newest first to go)",
                    style="dim",
                ),
            )
        self._draw(lines)

    def add_lines(self, lines: list[Text]) -> None:
        self._entries.extend(lines)
        self._draw(lines)

    def _draw(self, lines: list[Text]) -> None:
        if lines:
            # One write per batch: a single refresh however many lines came in.
            self.write(Text("\n").join(lines), scroll_end=True)

    def say(self, message: str, style: str = "dim") -> None:
        self.add_lines([Text(message, style=style)])

    @property
    def plain_text(self) -> str:
        lines: list[str] = []
        for entry in self._entries:
            if isinstance(entry, Text):
                lines.append(entry.plain)
            else:
                lines.extend(line.plain for line in lines_for(entry))
        return "\n".join(lines)

    def save(self, folder: Path, stem: str) -> Path:
        """Write the output (text) and its events (NDJSON) beside each other; return the text."""
        # The output holds whole SQL and server messages: only its owner reads it.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for made in (folder, folder.parent):  # <database>/ and history/
            with contextlib.suppress(OSError):
                made.chmod(0o700)
        text_path = folder / f"{stem}.log"
        with _private(text_path) as out:
            out.write(self.plain_text + "\n")
        with _private(folder / f"{stem}.ndjson") as out:
            for event in self._events:
                out.write(json.dumps(event.to_json(), default=str) + "\n")
        return text_path


def _private(path: Path):
    """A new file only its owner may read or write (0600 from its creation)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8")
