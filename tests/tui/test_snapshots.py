"""The main screens, held as snapshots at 80×24 and 160×48.

After an intended change of the look: review with ``pytest tests/tui/test_snapshots.py``
(the report shows the differences), then ``--snapshot-update``.
"""

from __future__ import annotations

import pytest

from tui.helpers import select
from tui.snapshot_app import snapshot_app, step_events, wait_until_read

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_with_0014_blocked(snap_compare, size):
    assert snap_compare(
        snapshot_app("missing-prerequisite"), terminal_size=size, run_before=wait_until_read
    )


@pytest.mark.parametrize("size", SIZES)
def test_graph_of_the_fixed_chain(snap_compare, size):
    async def open_graph(pilot):
        await wait_until_read(pilot)
        await select(pilot, "0014")
        await pilot.press("g")
        await pilot.pause()

    assert snap_compare(snapshot_app("fixed"), terminal_size=size, run_before=open_graph)


@pytest.mark.parametrize("size", SIZES)
def test_problems_list(snap_compare, size):
    async def open_problems(pilot):
        await wait_until_read(pilot)
        await pilot.press("p")
        await pilot.pause()

    assert snap_compare(
        snapshot_app("missing-prerequisite"), terminal_size=size, run_before=open_problems
    )


def test_help(snap_compare):
    async def open_help(pilot):
        await wait_until_read(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(snapshot_app("fixed"), terminal_size=(80, 24), run_before=open_help)


@pytest.mark.parametrize("size", SIZES)
def test_step_mode_paused_with_output(snap_compare, size):
    """The runner's events as the console draws them: paused before 0014's second statement."""

    async def feed_events(pilot):
        await wait_until_read(pilot)
        await select(pilot, "0014")
        for event in step_events():
            pilot.app.inbox.put(event)
        await pilot.pause(0.2)
        pilot.app.drain_events()
        await pilot.pause()

    assert snap_compare(snapshot_app("fixed"), terminal_size=size, run_before=feed_events)
