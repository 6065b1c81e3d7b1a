"""``migtui check`` as an operator runs it — a whole process — against
``sqlparse.split`` of the same files in a process of its own.

    python benchmarks/check_process.py [--count 2000] [--big-mb 50] [--repeat 3]

Measures, median of ``--repeat`` runs each, with the peak resident memory:

- ``sqlparse.split`` over every file of a generated history (the reference);
- ``migtui check`` on it with an empty analysis cache (first run);
- ``migtui check`` again, with the cache the first run left;
- ``squawk`` (PyPI ``squawk-cli``, the linter many teams run in CI) over the same
  files, when it is installed: what a peer's one-file-at-a-time reading costs;
- ``migtui check`` on one migration of ``--big-mb`` MB of INSERTs, uncached.
"""

from __future__ import annotations

import argparse
import fcntl
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
from generate import generate  # noqa: E402


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = 0  # reaped above
    settled(env)
    return seconds, usage.ru_maxrss / 1024


def settled(env: dict[str, str]) -> None:
    """Wait for the child migtui leaves writing its caches, so it does not
    slow down whatever is measured next."""
    folder = env.get("MIGTUI_CACHE_DIR")
    lock = Path(folder) / ".writing" if folder else None
    if lock is None or not lock.exists():
        return
    with lock.open("rb") as f:
        fcntl.flock(f, fcntl.LOCK_SH)


def median_of(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def big_file(folder: Path, megabytes: int) -> Path:
    folder.mkdir(parents=True)
    lines = [
        "-- migrate:up",
        "CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload jsonb, at timestamptz);",
    ]
    size, i = 0, 0
    while size < megabytes * 1_000_000:
        row = (
            f"INSERT INTO events (id, kind, payload, at) VALUES ({i}, 'kind_{i % 17}', "
            f"'{{\"n\": {i}}}', '2024-01-01T00:00:00Z');"
        )
        lines.append(row)
        size += len(row) + 1
        i += 1
    lines += ["-- migrate:down", "DROP TABLE events;", ""]
    (folder / "0001_big.sql").write_text("\n".join(lines))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--big-mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    migtui = [sys.executable, "-c", "from migtui.cli import program; program()"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        history = generate(tmp_path / "history", args.count)
        env = dict(os.environ, MIGTUI_CACHE_DIR=str(tmp_path / "cache"))
        split = median_of(
            [timed([sys.executable, "-c", SPLIT, str(history)], env) for _ in range(args.repeat)]
        )
        first_runs = []
        for n in range(args.repeat):
            env_n = dict(env, MIGTUI_CACHE_DIR=str(tmp_path / f"cache-{n}"))
            first_runs.append(timed([*migtui, "check", "--dir", str(history)], env_n))
        first = median_of(first_runs)
        cached_env = dict(env, MIGTUI_CACHE_DIR=str(tmp_path / "cache-0"))
        cached = median_of(
            [
                timed([*migtui, "check", "--dir", str(history)], cached_env)
                for _ in range(args.repeat)
            ]
        )
        rows = [
            (f"sqlparse.split, {args.count} files", *split, 1.0),
            ("migtui check, first run", *first, first[0] / split[0]),
            ("migtui check, cached", *cached, cached[0] / split[0]),
        ]
        squawk = shutil.which("squawk")
        if squawk:
            files = [str(f) for f in sorted(history.glob("*.sql"))]
            lint = median_of([timed([squawk, *files], env) for _ in range(args.repeat)])
            rows.append((f"squawk, {args.count} files", *lint, lint[0] / split[0]))
        if args.big_mb:
            big = big_file(tmp_path / "big", args.big_mb)
            no_cache = dict(env, MIGTUI_NO_CACHE="1")
            rows.append(
                (
                    f"migtui check, one {args.big_mb} MB file",
                    *timed([*migtui, "check", "--dir", str(big)], no_cache),
                    None,
                )
            )
    print(f"{'what':<34} {'seconds':>8} {'peak MiB':>9} {'× split':>8}")
    for label, seconds, peak, ratio in rows:
        shown = f"{ratio:.2f}" if ratio is not None else ""
        print(f"{label:<34} {seconds:>8.2f} {peak:>9.0f} {shown:>8}")


if __name__ == "__main__":
    main()
