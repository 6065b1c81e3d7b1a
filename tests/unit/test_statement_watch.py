"""The statement watch: one thread for a run, a call only for a statement that runs long."""

from __future__ import annotations

import threading
import time

from migtui.db.watch import StatementWatch


def _watch(delay: float):
    slow: list[int] = []
    called = threading.Event()

    def on_slow(pid: int) -> None:
        slow.append(pid)
        called.set()

    return StatementWatch(delay, on_slow), slow, called


def test_statements_that_end_in_time_are_never_looked_at():
    watch, slow, _ = _watch(0.2)
    for pid in range(1000):
        watch.begin(pid)
        watch.end()
    time.sleep(0.4)
    watch.close()
    assert slow == []


def test_a_statement_running_past_the_delay_is_looked_at_once():
    watch, slow, called = _watch(0.05)
    for pid in range(100):  # short ones first: they must not count
        watch.begin(pid)
        watch.end()
    watch.begin(4242)
    assert called.wait(5)
    time.sleep(0.2)  # still running: not looked at again
    watch.end()
    watch.close()
    assert slow == [4242]


def test_each_long_statement_is_looked_at_and_one_thread_does_it():
    watch, slow, called = _watch(0.05)
    before = threading.active_count()
    for pid in (1, 2, 3):
        called.clear()
        watch.begin(pid)
        assert called.wait(5)
        watch.end()
    assert threading.active_count() <= before + 1
    watch.close()
    assert slow == [1, 2, 3]
