"""Python's cycle collector, held off while a long history is read.

Reading a history makes hundreds of thousands of small objects that live until
the command ends and form no cycles worth collecting; with the collector on,
every few hundred allocations it walks the young ones again, and now and then
all of them. ``collector_paused`` holds it off for a block and restores it as
it was (blocks nest).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
