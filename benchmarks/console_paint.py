"""How long the console takes to show a big history's migrations, in a real
terminal (tmux), from the command to the rows on screen.

    python benchmarks/console_paint.py [--count 2000] [--repeat 5] [--cold] [--chain]

The history is generated (``generate.py``) and analysed once first, so the
runs measure an operator opening a folder they have opened before; the first
run after an edit reads the changed files again. With ``--cold`` each run
starts without the analysis cache: a folder opened for the first time. With
``--chain`` each migration needs the one before it (``generate_chain``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import SPLIT  # noqa: E402
from generate import generate, generate_chain  # noqa: E402


def shown(session: str, text: str) -> bool:
    screen = subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    ).stdout
    return text in screen


def open_once(folder: Path, needle: str, env: dict[str, str]) -> float:
    session = f"migtui-bench-{os.getpid()}"
    command = (
        f"{sys.executable} -c 'from migtui.cli import program; program()' console --dir {folder}"
        "; sleep 30"  # keeps the pane (and a crash's message) until it is killed
    )
    started = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", command], env=env
    )
    try:
        while not shown(session, needle):
            if time.perf_counter() - started > 30:
                screen = subprocess.run(
                    ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
                )
                raise TimeoutError(f"the console never showed the rows:\n{screen.stdout}")
            time.sleep(0.01)
        return time.perf_counter() - started
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--cold", action="store_true", help="a folder never opened before: no analysis cache"
    )
    parser.add_argument("--chain", action="store_true", help="each migration needs the last")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed to measure a real terminal")
    with tempfile.TemporaryDirectory() as tmp:
        history = (generate_chain if args.chain else generate)(Path(tmp) / "history", args.count)
        then = time.time() - 60  # a folder between edits: its files are not brand new
        for path in [history, *history.rglob("*")]:
            os.utime(path, (then, then))
        # Files changed in the last two seconds (their ctime too, which utime
        # sets to now) are never trusted to the cache: wait until these are not.
        time.sleep(2.1)
        env = dict(os.environ, MIGTUI_CACHE_DIR=str(Path(tmp) / "cache"))
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from migtui.cli import program; program()",
                "check",
                "--dir",
                str(history),
            ],
            env=env,
            capture_output=True,
        )
        needle = "00001"  # the first row's version
        runs = []
        for _ in range(args.repeat):
            if args.cold:
                shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
            runs.append(open_once(history, needle, env))
        splits = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", SPLIT, str(history)], check=True)
            splits.append(time.perf_counter() - started)
    print(
        f"console, {args.count} migrations{' each needing the last' if args.chain else ''}"
        f"{', never opened before' if args.cold else ''}, "
        f"rows on screen: median {statistics.median(runs):.2f} s"
        f" (min {min(runs):.2f}, max {max(runs):.2f});"
        f" sqlparse.split of the same files {statistics.median(splits):.2f} s:"
        f" {statistics.median(runs) / statistics.median(splits):.2f}×"
    )


if __name__ == "__main__":
    main()
