"""One data migration of N single-row INSERTs, applied by migtui and by the tools
operators use today, each to a fresh database on one embedded PostgreSQL 18:

* migtui apply: `migtui apply --yes --format json`, a whole process;
* migtui runner: the Runner alone, in this process, on an already built analysis;
* psql -1 -f: the same statements in one file, one transaction (psql sends one
  statement at a time and waits for each);
* dbmate up: the same file, read by dbmate (it sends the section as one string);
* pipeline floor: psycopg sending every statement in pipeline mode inside one
  transaction, with nothing else done: what no tool that reports per statement
  can beat;
* python one string: a Python process that imports psycopg, connects and sends
  the file as one string in one transaction, as dbmate does: the least any
  Python tool can take, as a whole process, learning nothing per statement.

    python benchmarks/apply_bulk.py [--inserts 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import psycopg
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

from migtui.core.graph import analyze
from migtui.core.layouts import load
from migtui.db.runner import Runner


def inserts_folder(count: int) -> Path:
    """A dbmate-style folder (migtui reads it too) with one migration of ``count`` INSERTs."""
    folder = Path(tempfile.mkdtemp(prefix="migtui-bench-inserts-"))
    lines = ["-- migrate:up", "CREATE TABLE t (id int PRIMARY KEY, v text);"]
    lines += [f"INSERT INTO t VALUES ({i}, 'value {i}');" for i in range(count)]
    lines += ["-- migrate:down", "DROP TABLE t;", ""]
    (folder / "0001_inserts.sql").write_text("\n".join(lines), encoding="utf-8")
    return folder


def pipeline_floor(dsn: str, statements: list[str]) -> None:
    with psycopg.connect(dsn) as conn, conn.transaction(), conn.pipeline():
        cursor = conn.cursor()
        for text in statements:
            cursor.execute(text, prepare=False)


ONE_STRING = (
    "import sys, psycopg\n"
    "with psycopg.connect(sys.argv[1]) as conn:\n"
    "    conn.execute(open(sys.argv[2], encoding='utf-8').read())\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inserts", type=int, default=10_000, metavar="N")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    folder = inserts_folder(args.inserts)
    analysis = analyze(load(folder))
    statements = [s.text for s in analysis.migrations[0].statements("up")]
    script = folder.parent / f"{folder.name}.up.sql"
    script.write_text(";\n".join(s.rstrip().rstrip(";") for s in statements) + ";\n")
    dbmate = shutil.which("dbmate")

    server, bin_dir = embedded_server()
    admin = server.get_uri("postgres")
    timings: dict[str, list[float]] = {
        "psql -1 -f": [],
        "migtui apply": [],
        "migtui runner": [],
        "pipeline floor": [],
        "python one string": [],
    }
    if dbmate:
        timings["dbmate up"] = []

    try:
        for _ in range(args.repeat):
            dsn = fresh_database(admin)
            psql = [str(bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1"]
            timings["psql -1 -f"].append(timed(run, *psql, "-f", str(script), "-d", dsn))
            dsn = fresh_database(admin)
            apply = [*MIGTUI, "apply", "--dsn", dsn, "--dir", str(folder), "--yes"]
            timings["migtui apply"].append(timed(run, *apply, "--format", "json"))
            runner = Runner(fresh_database(admin), analysis, emit=lambda event: None)
            timings["migtui runner"].append(timed(apply_all, runner))
            dsn = fresh_database(admin)
            timings["pipeline floor"].append(timed(pipeline_floor, dsn, statements))
            dsn = fresh_database(admin)
            one = [sys.executable, "-c", ONE_STRING, dsn, str(script)]
            timings["python one string"].append(timed(run, *one))
            if dbmate:
                url = dbmate_url(fresh_database(admin))
                up = [dbmate, "--url", url, "--migrations-dir", str(folder), "--no-dump-schema"]
                timings["dbmate up"].append(timed(run, *up, "up"))
    finally:
        server.cleanup()

    print(f"one migration of {args.inserts} INSERTs, {args.repeat} runs, fresh database each")
    print_table(timings, "psql -1 -f")


if __name__ == "__main__":
    main()
