"""Notices from the server to the operator: latency, and the console's throughput.

One migration raises ``--count`` notices from a DO block, each carrying the
server's clock when it was raised. On one embedded PostgreSQL:

* latency, server → event: the runner's event time minus the server's clock;
* latency, server → console output: the moment the console's output pane takes
  the notice's line, minus the server's clock (the console runs headless, so
  the terminal's own paint is not in it);
* throughput: the console's run from start to the last notice in its output,
  against ``migtui apply --format json`` of the same migration as a process;
* peak RSS of the process running the console.

    python benchmarks/notices.py [--count 100000] [--every MS]

``--every`` spaces the notices (``pg_sleep``), as a migration that reports its
progress does, instead of raising them as fast as the server can.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import embedded_server, fresh_database

MIGRATION = """-- migrate:up
DO $$
BEGIN
    FOR i IN 1..{count} LOOP
        RAISE NOTICE '% %', i, extract(epoch FROM clock_timestamp());
        {pause}
    END LOOP;
END
$$;
-- migrate:down
SELECT 1;
"""


def _raised_at(message: str) -> float:
    return float(message.split()[1])


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p50 = statistics.median(values)
    p95 = values[int(len(values) * 0.95) - 1]
    return f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {values[-1] * 1000:.1f} ms"


def runner_latency(dsn: str, folder: Path) -> list[float]:
    from migtui.core.folder import analyze_folder
    from migtui.db.runner import Runner
    from migtui.events import Notice

    late: list[float] = []

    def emit(event) -> None:
        if isinstance(event, Notice):
            late.append(event.ts - _raised_at(event.message))

    Runner(dsn, analyze_folder(folder), emit=emit).apply()
    return late


def cli_seconds(dsn: str, folder: Path) -> float:
    command = [sys.executable, "-c", "from migtui.cli import program; program()"]
    command += ["apply", "--dir", str(folder), "--dsn", dsn, "--yes", "--format", "json"]
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def console_run(dsn: str, folder: Path, count: int) -> tuple[float, list[float]]:
    from migtui.events import Notice
    from migtui.tui.app import MigtuiApp
    from migtui.tui.screens.apply_screen import ApplyScreen
    from migtui.tui.source import ConsoleSource
    from migtui.tui.widgets.live_output import LiveOutput

    late: list[float] = []
    seen = [0]
    add_events = LiveOutput.add_events

    def timed_add(self, events):
        events = list(events)
        add_events(self, events)
        now = time.time()
        for event in events:
            if isinstance(event, Notice):
                late.append(now - _raised_at(event.message))
                seen[0] += 1

    LiveOutput.add_events = timed_add
    app = MigtuiApp(ConsoleSource(root=folder, dsn=dsn))
    took = [0.0]

    async def until(pilot, condition, limit: float = 600) -> None:
        deadline = time.monotonic() + limit
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the console did not get there")
            await pilot.pause(0.01)

    async def session() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await until(pilot, lambda: app.console_screen.loads_completed >= 1)
            await pilot.press("a")
            await until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.ready)
            started = time.perf_counter()
            await pilot.click("#go")
            await until(pilot, lambda: seen[0] >= count)
            took[0] = time.perf_counter() - started

    asyncio.run(session())
    LiveOutput.add_events = add_events
    return took[0], late


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--every", type=float, default=0, metavar="MS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "migrations"
        folder.mkdir()
        (folder / "0001_notices.sql").write_text(
            MIGRATION.format(
                count=args.count,
                pause=f"PERFORM pg_sleep({args.every / 1000});" if args.every else "",
            )
        )
        os.environ.setdefault("MIGTUI_DATA_DIR", str(Path(tmp) / "data"))
        os.environ.setdefault("MIGTUI_CACHE_DIR", str(Path(tmp) / "cache"))
        server, _bin = embedded_server()
        try:
            admin = server.get_uri("postgres")
            late = runner_latency(fresh_database(admin), folder)
            print(f"{len(late)} notices, server → event: {percentiles(late)}")
            cli = cli_seconds(fresh_database(admin), folder)
            print(f"`migtui apply --format json`, whole process: {cli:.2f} s")
            seconds, shown = console_run(fresh_database(admin), folder, args.count)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"console (headless), run to the last notice in its output: {seconds:.2f} s "
                f"({seconds / cli:.1f}× the CLI), peak RSS {rss:.0f} MiB"
            )
            print(f"server → console output: {percentiles(shown)}")
        finally:
            server.cleanup()


if __name__ == "__main__":
    main()
