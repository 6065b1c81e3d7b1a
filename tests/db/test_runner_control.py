"""Controlling a run: step mode, cancel, the operator lock, lock_timeout, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from migtui.db import ledger
from migtui.db.lock import LOCK_KEY
from migtui.db.runner import Runner, RunOptions, StepControl
from migtui.events import (
    LockAcquired,
    LockWaiting,
    MigrationRolledBack,
    StatementFailed,
    StatementFinished,
    StatementStarted,
    StepPaused,
)

TESTS = Path(__file__).resolve().parent.parent

THREE_STATEMENTS = {
    "0001_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"
    "CREATE TABLE c (id int);\n-- migrate:down\nDROP TABLE c;\nDROP TABLE b;\nDROP TABLE a;\n",
    "0002_d.sql": "-- migrate:up\nCREATE TABLE d (id int);\n-- migrate:down\nDROP TABLE d;\n",
}

SLOW = {
    "0001_base.sql": "-- migrate:up\nCREATE TABLE base (id int);\n",
    "0002_slow.sql": "-- migrate:up\nCREATE TABLE half (id int);\nSELECT pg_sleep(30);\n"
    "CREATE TABLE after_sleep (id int);\n",
}


class Recorder(list):
    def __call__(self, event) -> None:
        self.append(event)

    def of(self, kind):
        return [e for e in self if isinstance(e, kind)]


def tables(dsn) -> set[str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r[0] for r in rows}


def states(dsn, analysis) -> dict[str, str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return {s.version: s.state for s in ledger.read_status(conn, analysis)}


def test_step_mode_pauses_before_each_statement_and_abort_rolls_back(
    pg_dsn, write_migrations, analysis_of
):
    analysis = analysis_of(write_migrations(THREE_STATEMENTS))
    control = StepControl()
    events = Recorder()

    def emit(event):
        events(event)
        if isinstance(event, StepPaused):
            # next, next, then abort before the third statement
            (control.next if len(events.of(StepPaused)) < 3 else control.abort)()

    runner = Runner(
        pg_dsn, analysis, options=RunOptions(step="statement"), emit=emit, control=control
    )
    result = runner.apply()
    assert result.outcome == "aborted"
    assert [p.index for p in events.of(StepPaused)] == [0, 1, 2]
    assert len(events.of(StatementFinished)) == 2
    assert events.of(MigrationRolledBack)[0].reason == "aborted"
    assert tables(pg_dsn) == set()


def test_step_mode_continue_runs_to_the_end_without_pausing(pg_dsn, write_migrations, analysis_of):
    analysis = analysis_of(write_migrations(THREE_STATEMENTS))
    control = StepControl()
    events = Recorder()

    def emit(event):
        events(event)
        if isinstance(event, StepPaused):
            control.resume()

    runner = Runner(
        pg_dsn, analysis, options=RunOptions(step="migration"), emit=emit, control=control
    )
    assert runner.apply().outcome == "done"
    assert len(events.of(StepPaused)) == 1
    assert tables(pg_dsn) == {"a", "b", "c", "d"}


def test_cancel_interrupts_the_running_statement_and_rolls_its_migration_back(
    pg_dsn, write_migrations, analysis_of
):
    analysis = analysis_of(write_migrations(SLOW))
    events = Recorder()
    sleeping = threading.Event()

    def emit(event):
        events(event)
        if isinstance(event, StatementStarted) and "pg_sleep" in event.sql:
            sleeping.set()

    runner = Runner(pg_dsn, analysis, emit=emit)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(result=runner.apply()))
    started = time.monotonic()
    worker.start()
    assert sleeping.wait(10)
    time.sleep(0.2)  # let the statement reach the server
    runner.cancel()
    worker.join(10)
    assert not worker.is_alive()
    assert time.monotonic() - started < 10
    result = outcome["result"]
    assert result.outcome == "cancelled"
    assert list(result.applied) == ["0001"]
    assert events.of(StatementFailed)[0].sqlstate == "57014"
    assert events.of(MigrationRolledBack)[0].reason == "cancelled"
    assert tables(pg_dsn) == {"base"}
    assert states(pg_dsn, analysis) == {"0001": "applied", "0002": "pending"}


def _hold_lock(dsn) -> psycopg.Connection:
    holder = psycopg.connect(dsn, autocommit=True, application_name="other operator")
    holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    return holder


def test_a_second_run_waits_then_gives_up_naming_the_holder(pg_dsn, write_migrations, analysis_of):
    analysis = analysis_of(write_migrations(THREE_STATEMENTS))
    with _hold_lock(pg_dsn) as holder:
        holder_pid = holder.info.backend_pid
        events = Recorder()
        started = time.monotonic()
        result = Runner(pg_dsn, analysis, options=RunOptions(lock_wait=0.5), emit=events).apply()
        waited = time.monotonic() - started
    assert result.outcome == "locked"
    assert waited >= 0.5
    [waiting] = events.of(LockWaiting)
    assert waiting.holder_pid == holder_pid
    assert waiting.holder_application == "other operator"
    assert f"pid {holder_pid}" in result.message and "other operator" in result.message
    assert tables(pg_dsn) == set()


def test_a_run_that_waits_gets_the_lock_when_it_is_released(pg_dsn, write_migrations, analysis_of):
    analysis = analysis_of(write_migrations(THREE_STATEMENTS))
    holder = _hold_lock(pg_dsn)
    threading.Timer(0.3, holder.close).start()
    events = Recorder()
    result = Runner(pg_dsn, analysis, options=RunOptions(lock_wait=10), emit=events).apply()
    assert result.outcome == "done"
    assert events.of(LockAcquired)[0].waited_seconds > 0.2


def test_lock_timeout_fails_clearly_naming_the_blocking_session(
    pg_dsn, write_migrations, analysis_of
):
    folder = write_migrations(
        {
            "0001_t.sql": "-- migrate:up\nCREATE TABLE busy (id int);\n",
            "0002_alter.sql": "-- migrate:up\nALTER TABLE busy ADD COLUMN note text;\n",
        }
    )
    analysis = analysis_of(folder)
    Runner(pg_dsn, analysis, emit=Recorder()).apply(to="0001")
    with psycopg.connect(pg_dsn, application_name="long report") as blocker:
        blocker.execute("SELECT count(*) FROM busy")  # holds ACCESS SHARE until it ends
        events = Recorder()
        result = Runner(
            pg_dsn, analysis, options=RunOptions(lock_timeout="1s"), emit=events
        ).apply()
        blocker_pid = blocker.info.backend_pid
    assert result.outcome == "failed"
    [failure] = events.of(StatementFailed)
    assert failure.sqlstate == "55P03"
    assert f"pid {blocker_pid}" in failure.detail
    assert "SELECT count(*) FROM busy" in failure.detail
    assert f"pid {blocker_pid}" in result.message


def _run_in_subprocess(dsn: str, folder: Path, lock_wait: float = 0.0) -> subprocess.Popen:
    script = f"""
import json, sys
sys.path.insert(0, {str(TESTS)!r})
from pathlib import Path
from conftest import analyze_folder
from migtui.db.runner import Runner, RunOptions

def emit(event):
    print(json.dumps(event.to_json(), default=str), flush=True)

Runner({dsn!r}, analyze_folder(Path({str(folder)!r})),
       options=RunOptions(lock_wait={lock_wait}), emit=emit).apply()
"""
    return subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )


def _read_until(process: subprocess.Popen, predicate, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        event = json.loads(line)
        if predicate(event):
            return event
    raise AssertionError("the event never came")


def test_kill_9_mid_migration_leaves_nothing_half_applied(pg_dsn, write_migrations, analysis_of):
    folder = write_migrations(SLOW)
    analysis = analysis_of(folder)
    process = _run_in_subprocess(pg_dsn, folder)
    try:
        _read_until(
            process,
            lambda e: e["type"] == "statement_started" and "pg_sleep" in e["sql"],
        )
        time.sleep(0.2)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        process.kill()
        process.stdout.close()

    # The status is true at once: 0002 never committed.
    assert states(pg_dsn, analysis) == {"0001": "applied", "0002": "pending"}
    assert "half" not in tables(pg_dsn)

    # The server notices the vanished client within about a second and frees the lock.
    fast = dict(SLOW)
    fast["0002_slow.sql"] = SLOW["0002_slow.sql"].replace("pg_sleep(30)", "pg_sleep(0)")
    analysis = analysis_of(write_migrations(fast, folder="fixed"))
    result = Runner(pg_dsn, analysis, options=RunOptions(lock_wait=15), emit=Recorder()).apply()
    assert result.outcome == "done", result.message
    assert tables(pg_dsn) == {"base", "half", "after_sleep"}
    assert set(states(pg_dsn, analysis).values()) == {"applied"}


def test_two_concurrent_runs_the_second_is_refused_with_the_holder(
    pg_dsn, write_migrations, analysis_of
):
    folder = write_migrations(SLOW)
    first = _run_in_subprocess(pg_dsn, folder)
    try:
        _read_until(first, lambda e: e["type"] == "statement_started" and "pg_sleep" in e["sql"])
        events = Recorder()
        result = Runner(pg_dsn, analysis_of(folder), emit=events).apply()
        assert result.outcome == "locked"
        [waiting] = events.of(LockWaiting)
        assert waiting.holder_pid is not None
        assert waiting.holder_application.startswith("migtui")
    finally:
        first.kill()
        first.wait(10)
        first.stdout.close()


def test_a_paused_steps_time_is_its_statements_not_the_operators_thinking(
    pg_dsn, write_migrations, analysis_of
):
    from migtui.events import MigrationCommitted

    analysis = analysis_of(write_migrations(THREE_STATEMENTS))
    control = StepControl()
    events = Recorder()

    def emit(event):
        events(event)
        if isinstance(event, StepPaused):
            # the operator reads each statement for a while before running it
            threading.Timer(0.6, control.next).start()

    runner = Runner(
        pg_dsn, analysis, options=RunOptions(step="statement"), emit=emit, control=control
    )
    assert runner.apply().outcome == "done"
    first = events.of(MigrationCommitted)[0]
    assert first.wall_ms > 1500  # three pauses of 0.6 s
    assert first.duration_ms < 500  # three CREATE TABLEs
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        [entry] = [e for e in ledger.read_history(conn) if e.version == "0001"]
    assert entry.duration_ms == first.duration_ms and entry.wall_ms == first.wall_ms


def test_a_blocking_sessions_password_is_never_quoted(pg_dsn, write_migrations, analysis_of):
    folder = write_migrations(
        {
            "0001_t.sql": "-- migrate:up\nCREATE TABLE busy (id int);\n",
            "0002_alter.sql": "-- migrate:up\nALTER TABLE busy ADD COLUMN note text;\n",
        }
    )
    analysis = analysis_of(folder)
    Runner(pg_dsn, analysis, emit=Recorder()).apply(to="0001")
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS migtui_rotated")
        admin.execute("CREATE ROLE migtui_rotated")
    try:
        with psycopg.connect(pg_dsn) as blocker:
            # one query string: pg_stat_activity shows it whole, password and all
            blocker.execute(
                "ALTER ROLE migtui_rotated PASSWORD 'hunter2-rotated';"
                " SELECT count(*) FROM busy WHERE 'token-abc' <> ''"
            )
            events = Recorder()
            result = Runner(
                pg_dsn, analysis, options=RunOptions(lock_timeout="1s"), emit=events
            ).apply()
        assert result.outcome == "failed"
        [failure] = events.of(StatementFailed)
        assert "blocked by pid" in failure.detail
        for shown in (failure.detail, result.message):
            assert "hunter2" not in shown and "token-abc" not in shown
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            kept = " ".join(e.message or "" for e in ledger.read_history(conn))
        assert "hunter2" not in kept and "token-abc" not in kept
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            admin.execute("DROP ROLE IF EXISTS migtui_rotated")
