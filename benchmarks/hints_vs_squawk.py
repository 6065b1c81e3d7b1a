"""migtui's lock hints beside squawk's findings on the same files, and what a
rehearsal costs beside a plain apply of the same plan.

    python benchmarks/hints_vs_squawk.py [--count 300] [--dir sql/migrations] [--repeat 3]

Both tools read the up sections only (squawk's findings in down sections are left
out), and a finding is matched by file and line. Without ``--dir`` the history
is generated (``generate.py``).
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from _common import MIGTUI, embedded_server, fresh_database, run_whatever_it_says, timed
from generate import generate

from migtui.core.graph import analyze_dir

#: squawk's rules that speak of what a migtui rule speaks of.
SAME_SUBJECT = {
    "require-concurrent-index-creation": "index-not-concurrent",
    "adding-field-with-default": "rewrite",
    "changing-column-type": "rewrite",
    "constraint-missing-not-valid": "validating-constraint",
    "adding-foreign-key-constraint": "validating-constraint",
    "adding-not-nullable-field": "validating-constraint",
    "require-lock-timeout": "no-lock-timeout",
    "ban-concurrent-index-creation-in-transaction": "concurrently-in-transaction",
}


def up_statements(folder: Path) -> dict[str, list[tuple[int, int]]]:
    """Each file's up statements, as (first line, last line)."""
    analysis = analyze_dir(folder)
    return {
        info.migration.section("up").path.name: [
            (st.start_line, st.end_line) for st in info.statements("up")
        ]
        for info in analysis.migrations
        if info.migration.section("up") is not None
    }


def statement_at(spans: list[tuple[int, int]], line: int) -> int | None:
    """The first line of the up statement holding ``line`` (None: not in an up section)."""
    return next((first for first, last in spans if first <= line <= last), None)


def compare(folder: Path) -> None:
    done = subprocess.run(
        [*MIGTUI, "check", "--dir", str(folder), "--format", "json"], capture_output=True, text=True
    )
    report = json.loads(done.stdout)
    # a tool_transaction warning is said among the problems, by its lock rule
    hints = report["hints"] + [p for p in report["problems"] if p.get("rule")]
    ours = {(Path(h["file"]).name, h["line"], h["rule"]) for h in hints}
    files = sorted(str(f) for f in folder.glob("*.sql"))
    found = json.loads(
        subprocess.run(
            ["squawk", "--reporter", "json", *files], capture_output=True, text=True
        ).stdout
        or "[]"
    )
    ups = up_statements(folder)
    theirs = collections.Counter()
    matched = collections.Counter()
    unmatched = collections.Counter()
    ours_matched = set()
    for finding in found:
        name = Path(finding["file"]).name
        # squawk counts lines from 0, and points into a statement; migtui at its start
        line = statement_at(ups.get(name, []), finding["line"] + 1)
        if line is None:
            continue  # a down section
        rule = finding["rule_name"]
        theirs[rule] += 1
        subject = SAME_SUBJECT.get(rule)
        hit = next((o for o in ours if o[0] == name and o[1] == line and o[2] == subject), None)
        if hit:
            matched[subject] += 1
            ours_matched.add(hit)
        elif subject:
            unmatched[rule] += 1
    only_ours = collections.Counter(o[2] for o in ours - ours_matched)
    print(f"\n{folder}: migtui {len(ours)} hints, squawk {sum(theirs.values())} findings (up)")
    print(f"  same statement, same subject: {dict(matched)}")
    print(f"  migtui only: {dict(only_ours)}")
    print(f"  squawk only, on a subject migtui has a rule for: {dict(unmatched)}")
    others = {r: n for r, n in theirs.items() if r not in SAME_SUBJECT}
    print(f"  squawk's other rules: {dict(sorted(others.items(), key=lambda kv: -kv[1]))}")


def rehearsal_cost(folder: Path, repeat: int) -> None:
    server, _ = embedded_server()
    admin = server.get_uri("postgres")
    apply, rehearse = [], []
    try:
        for _ in range(repeat):
            dsn = fresh_database(admin)
            apply.append(
                timed(
                    run_whatever_it_says,
                    *MIGTUI,
                    "apply",
                    "--dsn",
                    dsn,
                    "--dir",
                    str(folder),
                    "--yes",
                )
            )
            rehearse.append(
                timed(
                    run_whatever_it_says,
                    *MIGTUI,
                    "rehearse",
                    "--empty",
                    "--on",
                    admin,
                    "--dir",
                    str(folder),
                )
            )
    finally:
        server.cleanup()
    a, r = statistics.median(apply), statistics.median(rehearse)
    print(f"  apply {a:.2f} s; rehearse (up, traced; down; up again) {r:.2f} s: {r / a:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("squawk") is None:
        raise SystemExit("squawk is needed: pip install squawk-cli")
    work = Path(tempfile.mkdtemp(prefix="migtui-bench-hints-"))
    try:
        folder = args.dir or generate(work / "history", args.count)
        compare(folder)
        rehearsal_cost(folder, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
