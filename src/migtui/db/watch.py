"""One thread per run that notices a statement running long.

A statement that runs past ``delay`` may be waiting on a lock; the runner then
wants to know who holds it, while it waits, so a lock-timeout message can name
the blocker. Starting a timer thread for every statement costs more than most
statements (a migration of 10,000 INSERTs spent half its time starting and
cancelling timers); here one thread sleeps until the running statement is due,
and a statement that ends before then costs two lock round trips.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class StatementWatch:
    """Calls ``on_slow(pid)`` once for each statement still running ``delay``
    seconds after ``begin``. ``close`` ends the thread; the watch is then spent."""

    def __init__(self, delay: float, on_slow: Callable[[int], None]) -> None:
        self._delay = delay
        self._on_slow = on_slow
        self._cond = threading.Condition()
        self._serial = 0
        #: (serial, backend pid, when it is due) of the statement running now
        self._running: tuple[int, int, float] | None = None
        self._idle = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def begin(self, pid: int) -> None:
        with self._cond:
            self._serial += 1
            self._running = (self._serial, pid, time.monotonic() + self._delay)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="migtui-statement-watch", daemon=True
                )
                self._thread.start()
            elif self._idle:
                self._cond.notify()

    def end(self) -> None:
        with self._cond:
            self._running = None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._running = None
            self._cond.notify()

    def _watch(self) -> None:
        noted = 0
        with self._cond:
            while not self._closed:
                running = self._running
                if running is None or running[0] == noted:
                    # nothing to watch until the next statement begins
                    self._idle = True
                    self._cond.wait()
                    self._idle = False
                    continue
                serial, pid, due = running
                left = due - time.monotonic()
                if left > 0:
                    # statements that begin and end meanwhile do not wake us: at
                    # the due time, whatever runs then is looked at afresh
                    self._cond.wait(left)
                    continue
                noted = serial
                self._cond.release()
                try:
                    self._on_slow(pid)
                finally:
                    self._cond.acquire()
