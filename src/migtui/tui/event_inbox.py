"""Hand-over of the runner's events from its thread to the UI, in batches.

The runner's thread puts each event here; only the first event after a drain
asks the UI to come and fetch (one message), so a burst of thousands of lines
becomes one screen update instead of thousands.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from migtui.events import Event


class EventInbox:
    def __init__(self, wake_ui: Callable[[], None]) -> None:
        self._wake_ui = wake_ui
        self._lock = threading.Lock()
        self._events: list[Event] = []
        self._ui_woken = False

    def put(self, event: Event) -> None:
        """Called on the runner's thread for every event."""
        with self._lock:
            self._events.append(event)
            wake = not self._ui_woken
            self._ui_woken = True
        if wake:
            self._wake_ui()

    def drain(self) -> list[Event]:
        """Called on the UI thread: everything that arrived since the last drain."""
        with self._lock:
            events, self._events = self._events, []
            self._ui_woken = False
        return events
