"""Make the screenshots in ``screenshots/`` from the real console, walking the demo.

    python -m migtui.tui.screenshots [--out screenshots] [--size 120x36]

It starts (or reuses) the embedded PostgreSQL like ``migtui demo``, drives the
console headless through the demo's story, and saves one SVG per step, and a
PNG beside each (by ``rsvg-convert`` from librsvg when installed, which draws
the terminal's cells as a terminal does; else by ``cairosvg``).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from migtui.tui.app import MigtuiApp
from migtui.tui.screens.apply_screen import ApplyScreen
from migtui.tui.screens.rehearsal_screen import RehearsalScreen
from migtui.tui.screens.rollback_screen import RollbackScreen
from migtui.tui.screens.scenario_picker import ScenarioPicker, scenario_choices
from migtui.tui.source import ConsoleSource


class Camera:
    """Drives one app and saves what it shows."""

    def __init__(self, pilot, out: Path, png: bool) -> None:
        self.pilot = pilot
        self.app: MigtuiApp = pilot.app
        self.out = out
        self.png = png
        self.saved: list[Path] = []

    async def until(self, condition: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the console did not get there in time")
            await self.pilot.pause(0.05)

    async def loaded(self) -> None:
        def ready() -> bool:
            try:
                project = self.app.console_screen.project
            except LookupError:
                return False
            return project is not None and project.live and not project.note

        await self.until(ready)
        await self.pilot.pause(0.3)

    async def run(self, *keys: str, shoot_dialog: str | None = None) -> None:
        console = self.app.console_screen
        since = console.loads_completed
        await self.pilot.press(*keys)
        await self.confirm_apply(shoot_dialog)
        await self.until(lambda: not self.app.run_in_progress)
        await self.until(lambda: console.loads_completed > since)
        await self.pilot.pause(0.3)

    async def confirm_apply(self, shoot: str | None = None) -> None:
        """Answer the apply dialog as an operator would (its picture first)."""
        await self.until(lambda: isinstance(self.app.screen, ApplyScreen))
        dialog = self.app.screen
        await self.until(lambda: dialog.ready)
        if shoot:
            await self.shoot(shoot)
        if dialog.at_risk:
            dialog.query_one("#apply-confirm").value = dialog.database
        await self.pilot.pause()
        await self.pilot.click("#go")
        await self.pilot.pause()

    async def select(self, version: str) -> None:
        self.app.console_screen.select(version)
        await self.pilot.pause(0.2)

    async def shoot(self, name: str) -> None:
        await self.pilot.pause(0.3)
        self.app.screen.refresh()
        await self.pilot.pause()
        svg = self.out / f"{name}.svg"
        self.app.save_screenshot(svg.name, str(self.out))
        self.saved.append(svg)
        if self.png:
            _to_png(svg)


def _to_png(svg: Path) -> None:
    """A PNG beside the SVG: by librsvg's ``rsvg-convert`` when installed (it
    lays monospace text out as a terminal does), else by ``cairosvg``."""
    import shutil
    import subprocess

    png = svg.with_suffix(".png")
    rsvg = shutil.which("rsvg-convert")
    if rsvg is not None:
        subprocess.run([rsvg, str(svg), "-o", str(png)], check=True)
        return
    try:
        import cairosvg
    except ImportError:
        return
    cairosvg.svg2png(url=str(svg), write_to=str(png))


async def walk_the_demo(out: Path, size: tuple[int, int], png: bool) -> list[Path]:
    """The demo of docs/demo.md, one picture per step."""
    folders = {name: folder for name, folder, _ in scenario_choices()}
    source = ConsoleSource(
        root=folders["missing-prerequisite"], demo=True, scenario="missing-prerequisite"
    )
    app = MigtuiApp(source)
    async with app.run_test(size=size) as pilot:
        cam = Camera(pilot, out, png)
        await cam.loaded()
        await cam.shoot("01-demo-0014-blocked")

        await pilot.press("a")
        await cam.shoot("02-apply-refused")

        await pilot.press("t")
        await cam.until(lambda: isinstance(app.screen, ScenarioPicker))
        await cam.shoot("03-scenario-picker")
        picker = app.screen.query_one("#scenario-list")
        picker.highlighted = picker.get_option_index("fixed")
        await pilot.press("enter")
        await cam.loaded()
        await cam.select("0014")
        await cam.shoot("04-fixed-chain")

        await pilot.press("h")
        await cam.until(lambda: isinstance(app.screen, RehearsalScreen))
        rehearsal = app.screen
        await cam.until(lambda: rehearsal.rehearsal is not None, timeout=120)
        # it opens at the selected migration's step, 0014
        await cam.shoot("04b-rehearsal")
        await pilot.press("escape")

        await pilot.press("g")
        await cam.shoot("05-graph")
        await pilot.press("escape")

        await cam.select("0013")
        await cam.run("a", shoot_dialog="05b-apply-asks-once")
        await cam.select("0014")
        await pilot.press("s")
        await cam.confirm_apply()
        await cam.until(lambda: app.paused is not None)
        while not (app.paused.version == "0014" and app.paused.index >= 2):
            waiting = app.paused
            await pilot.press("n")
            await cam.until(lambda w=waiting: app.paused is not None and app.paused is not w)
        await cam.shoot("06-step-paused-in-0014")
        console = app.console_screen
        since = console.loads_completed
        await pilot.press("c")
        await cam.until(lambda: not app.run_in_progress and console.loads_completed > since)
        await cam.shoot("07-verify-passed")

        await cam.select("0014")
        await pilot.press("r")
        await cam.until(lambda: isinstance(app.screen, RollbackScreen))
        await cam.until(lambda: app.screen.request is not None)
        await cam.shoot("08-guided-rollback")
        await pilot.press("escape")

        await pilot.press("t")
        await cam.until(lambda: isinstance(app.screen, ScenarioPicker))
        picker = app.screen.query_one("#scenario-list")
        picker.highlighted = picker.get_option_index("failing")
        await pilot.press("enter")
        await cam.loaded()
        await cam.select("0004")
        await cam.run("a")
        await cam.shoot("09-failing-statement")
        return cam.saved


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots", help="folder for the pictures")
    parser.add_argument("--size", default="120x36", help="terminal size, COLUMNSxLINES")
    parser.add_argument("--no-png", action="store_true", help="SVG only, even with cairosvg")
    args = parser.parse_args(argv)
    columns, lines = (int(n) for n in args.size.lower().split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    saved = asyncio.run(walk_the_demo(out, (columns, lines), png=not args.no_png))
    for path in saved:
        print(path)


if __name__ == "__main__":
    main()
