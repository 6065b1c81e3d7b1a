"""How long ``migtui check`` takes, and how much memory it needs.

    python benchmarks/check_speed.py [COUNT ...]

Measures the bundled chain and generated histories (default 2,000
migrations): reading the folder, splitting, the object analysis and the walk,
in-process, best of three, with tracemalloc's peak for one run.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from migtui.core.graph import analyze_dir  # noqa: E402
from migtui.resources import bundled_chain  # noqa: E402


def measure(root: Path, runs: int = 3) -> tuple[float, float, int, int, int]:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        analysis = analyze_dir(root)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    analyze_dir(root)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = sum(p.stat().st_size for p in root.rglob("*.sql"))
    return best, peak / 2**20, len(analysis.migrations), size, len(analysis.errors)


def main(counts: list[int]) -> None:
    rows = [("bundled chain", *measure(bundled_chain()))]
    with tempfile.TemporaryDirectory() as tmp:
        for count in counts:
            folder = generate(Path(tmp) / f"gen{count}", count)
            rows.append((f"generated {count}", *measure(folder, runs=1 if count > 500 else 3)))
    print(
        f"{'input':<18} {'migrations':>10} {'SQL KiB':>8} {'seconds':>8} {'peak MiB':>9} {'errors':>6}"
    )
    for label, seconds, peak, n, size, errors in rows:
        print(f"{label:<18} {n:>10} {size / 1024:>8.0f} {seconds:>8.3f} {peak:>9.1f} {errors:>6}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2000])
