"""Reading a long history on two cores: a forked child reads half the migrations.

Reading a migration (splitting its sections with PostgreSQL's grammar, reading
what each statement makes and needs) depends on nothing but the migration, so
the first reading of a long history is shared out: the child reads the end of
the list and sends its results back pickled (as the analysis cache keeps them,
without parse trees) while this process reads the beginning, handing each
result to its caller as it is made.

Only where forking is safe and worth it: Linux, two or more cores for this
process, no other thread running (the console reads in a worker thread, and a
fork copies only the forking thread), and enough migrations to repay the fork
and the pickling. A child that fails in any way costs only time: its half is
read here instead. ``MIGTUI_NO_PARALLEL`` turns it off.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Fewer migrations than this are read here: the fork and the pickling would
#: cost more than half the reading saves.
LEAST = 300


def can_fork() -> bool:
    if os.environ.get("MIGTUI_NO_PARALLEL") or not sys.platform.startswith("linux"):
        return False
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except OSError:
        return False


def map_halves(func: Callable[[T], R], items: Sequence[T], least: int = LEAST) -> list[R]:
    """``[func(x) for x in items]``, the second half read by a forked child."""
    return list(shared_map(func, items, least=least))


def shared_map(
    func: Callable[[T], R], items: Sequence[T], *, least: int = LEAST, mine: float = 0.5
) -> Iterator[R]:
    """``func(x)`` for each of ``items``, in order, as they are asked for: the
    first ``mine`` of them computed here one by one (so the caller can work on
    each while the child reads), the rest by a forked child, received when the
    first of them is asked for. Closing the iterator early stops the child."""
    if len(items) < least or not can_fork():
        yield from map(func, items)
        return
    split = max(1, min(len(items) - 1, round(len(items) * mine)))
    here, theirs = items[1:split], items[split:]
    # the first is read before the fork: what reading imports, both have then
    yield func(items[0])
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send, and leave without running any cleanup
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps([func(x) for x in theirs], pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    received = os.fdopen(read_end, "rb")
    finished = False
    try:
        for x in here:
            yield func(x)
        data = received.read()
        _, status = os.waitpid(pid, 0)
        finished = True
        results = None
        if status == 0 and data:
            try:
                results = pickle.loads(data)
            except Exception:  # noqa: BLE001 - a broken answer is read again here
                results = None
        del data
        if results is None or len(results) != len(theirs):
            results = map(func, theirs)
        yield from results
    finally:
        received.close()
        if not finished:  # stopped early, or failed here: the child's work is not wanted
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
