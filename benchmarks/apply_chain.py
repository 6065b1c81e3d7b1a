"""A chain of migrations applied by migtui, by psql once per file (how a shell
script or a Makefile applies a folder) and by dbmate, each to a fresh database
on one embedded PostgreSQL 18.

    python benchmarks/apply_chain.py [--count 300] [--repeat 5]
    python benchmarks/apply_chain.py --dir sql/migrations

Without ``--dir`` the chain is generated (``generate.py``: tables with foreign
keys, columns, indexes, views, trigger functions, data fixes, renames), in the
layout dbmate reads too. With ``--dir`` it is that folder, and dbmate is left
out unless the folder is in its layout.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from _common import (
    MIGTUI,
    apply_all,
    dbmate_url,
    embedded_server,
    fresh_database,
    print_table,
    run,
    timed,
)
from generate import generate

from migtui.core.graph import analyze
from migtui.core.layouts import load
from migtui.db.runner import Runner


def up_scripts(analysis, into: Path) -> list[Path]:
    """Each migration's up statements as a file of its own, as psql would be given them."""
    into.mkdir(parents=True, exist_ok=True)
    scripts = []
    for info in analysis.migrations:
        path = into / f"{info.version}.sql"
        texts = [s.text.rstrip().rstrip(";") + ";" for s in info.statements("up")]
        path.write_text("\n".join(texts) + "\n", encoding="utf-8")
        scripts.append(path)
    return scripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="migtui-bench-chain-"))
    folder = args.dir or generate(work / "migrations", args.count)
    loaded = load(folder)
    analysis = analyze(loaded)
    scripts = up_scripts(analysis, work / "psql")
    # the generated files are in dbmate's format (a number, `-- migrate:up`/`down`)
    dbmate = shutil.which("dbmate") if args.dir is None or loaded.layout == "dbmate" else None

    server, bin_dir = embedded_server()
    admin = server.get_uri("postgres")
    timings: dict[str, list[float]] = {"psql per file": [], "migtui apply": [], "migtui runner": []}
    if dbmate:
        timings["dbmate up"] = []

    def psql_each(dsn: str) -> None:
        for script in scripts:
            run(str(bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f",
                str(script), "-d", dsn)  # fmt: skip

    try:
        for _ in range(args.repeat):
            dsn = fresh_database(admin)
            timings["psql per file"].append(timed(psql_each, dsn))
            dsn = fresh_database(admin)
            apply = [*MIGTUI, "apply", "--dsn", dsn, "--dir", str(folder), "--yes"]
            timings["migtui apply"].append(timed(run, *apply, "--format", "json"))
            runner = Runner(fresh_database(admin), analysis, emit=lambda event: None)
            timings["migtui runner"].append(timed(apply_all, runner))
            if dbmate:
                url = dbmate_url(fresh_database(admin))
                up = [dbmate, "--url", url, "--migrations-dir", str(folder), "--no-dump-schema"]
                timings["dbmate up"].append(timed(run, *up, "up"))
    finally:
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)

    statements = sum(len(i.statements("up")) for i in analysis.migrations)
    print(
        f"{len(analysis.migrations)} migrations ({loaded.layout} layout), {statements} up "
        f"statements, {args.repeat} runs, fresh database each"
    )
    print_table(timings, "psql per file")


if __name__ == "__main__":
    main()
