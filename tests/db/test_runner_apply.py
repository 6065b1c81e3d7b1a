"""Applying and rolling back on a real PostgreSQL: whole migrations or nothing."""

from __future__ import annotations

import psycopg
import pytest

from migtui.db import ledger
from migtui.db.catalog import read_catalog
from migtui.db.runner import Runner, RunOptions
from migtui.events import (
    MigrationCommitted,
    MigrationRolledBack,
    Notice,
    PlanFinished,
    StatementFailed,
    StatementFinished,
    StatementStarted,
    VerifyFailed,
    VerifyPassed,
)


class Recorder(list):
    def __call__(self, event) -> None:
        self.append(event)

    def of(self, kind):
        return [e for e in self if isinstance(e, kind)]


def run(dsn, analysis, action="apply", options=None, **kwargs):
    events = Recorder()
    runner = Runner(dsn, analysis, options=options or RunOptions(), emit=events)
    result = runner.apply(**kwargs) if action == "apply" else runner.rollback(**kwargs)
    return result, events


def catalog(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        return read_catalog(conn).objects


def states(dsn, analysis):
    with psycopg.connect(dsn, autocommit=True) as conn:
        return {s.version: s.state for s in ledger.read_status(conn, analysis)}


FAILING = {
    "0001_users.sql": """-- migrate:up
CREATE TABLE users (id int PRIMARY KEY);
-- migrate:down
DROP TABLE users;
""",
    "0002_events.sql": """-- migrate:up
CREATE TABLE events (id int PRIMARY KEY, user_id int REFERENCES users);
-- migrate:down
DROP TABLE events;
""",
    "0003_broken.sql": """-- migrate:up
CREATE TABLE scores (id int PRIMARY KEY, value int);
INSERT INTO scores VALUES (1, 10);
UPDATE scores
   SET value = value
             / 0
 WHERE id = 1;
CREATE TABLE never_made (id int);
-- migrate:down
DROP TABLE scores;
""",
}


def test_bundled_chain_applies_rolls_back_to_the_same_schema_and_applies_again(
    pg_dsn, bundled_dir, analysis_of
):
    analysis = analysis_of(bundled_dir)
    before = catalog(pg_dsn)

    result, events = run(pg_dsn, analysis)
    assert result.outcome == "done", result.message
    assert list(result.applied) == [i.version for i in analysis.migrations]
    assert set(states(pg_dsn, analysis).values()) == {"applied"}
    assert len(events.of(MigrationCommitted)) == len(analysis.migrations)

    result, _ = run(pg_dsn, analysis, "rollback", all=True)
    assert result.outcome == "done", result.message
    assert catalog(pg_dsn) == before
    assert set(states(pg_dsn, analysis).values()) == {"pending"}

    result, _ = run(pg_dsn, analysis)
    assert result.outcome == "done", result.message
    assert set(states(pg_dsn, analysis).values()) == {"applied"}


def test_0014_trigger_refuses_a_move_and_allows_a_rename(pg_dsn, bundled_dir, analysis_of):
    result, events = run(pg_dsn, analysis_of(bundled_dir))
    assert result.outcome == "done", result.message
    assert any(e.version == "0014" for e in events.of(VerifyPassed))
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        user = conn.execute(
            "INSERT INTO users (email) VALUES ('a@example.invalid') RETURNING id"
        ).fetchone()[0]
        event = conn.execute(
            "INSERT INTO calendar_events_new (user_id, title, event_type, start_at, end_at,"
            " is_movable) VALUES (%s, 'Exam', 'class', '2025-01-01 09:00Z', '2025-01-01 10:00Z',"
            " false) RETURNING id",
            (user,),
        ).fetchone()[0]
        with pytest.raises(psycopg.errors.CheckViolation) as refused:
            conn.execute(
                "UPDATE calendar_events_new SET start_at = start_at + interval '1 hour',"
                " end_at = end_at + interval '1 hour' WHERE id = %s",
                (event,),
            )
        assert refused.value.sqlstate == "23514"
        renamed = conn.execute(
            "UPDATE calendar_events_new SET title = 'Final exam' WHERE id = %s", (event,)
        )
        assert renamed.rowcount == 1


def test_applying_0014_twice_by_hand_changes_nothing(pg_dsn, bundled_dir, analysis_of):
    analysis = analysis_of(bundled_dir)
    result, _ = run(pg_dsn, analysis)
    assert result.outcome == "done", result.message
    before = catalog(pg_dsn)
    with psycopg.connect(pg_dsn) as conn, conn.transaction():
        for statement in analysis.get("0014").statements("up"):
            conn.execute(statement.text)
    assert catalog(pg_dsn) == before


def test_a_failure_names_sqlstate_and_line_rolls_back_that_migration_only(
    pg_dsn, write_migrations, analysis_of
):
    analysis = analysis_of(write_migrations(FAILING))
    result, events = run(pg_dsn, analysis)

    assert result.outcome == "failed"
    assert result.failed == "0003"
    assert list(result.applied) == ["0001", "0002"]
    [failure] = events.of(StatementFailed)
    assert failure.sqlstate == "22012"
    assert failure.file == "0003_broken.sql"
    assert failure.line == 4  # the UPDATE's first line: division by zero has no position
    assert failure.index == 2
    assert events.of(MigrationRolledBack)[0].reason == "failed"
    assert states(pg_dsn, analysis) == {"0001": "applied", "0002": "applied", "0003": "failed"}
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        failed = {s.version: s for s in ledger.read_status(conn, analysis)}["0003"]
    assert "22012" in (failed.note or "")  # the error the history kept
    tables = {o.name for o in catalog(pg_dsn) if o.kind == "table"}
    assert tables == {"users", "events"}  # scores and its row went with 0003


def test_the_error_position_points_at_the_file_line(pg_dsn, write_migrations, analysis_of):
    folder = write_migrations(
        {
            "0001_typo.sql": "-- migrate:up\nCREATE TABLE a (id int);\n\nSELECT id\n  FROM a\n"
            " WHERE id = 'not a number';\n"
        }
    )
    result, events = run(pg_dsn, analysis_of(folder))
    [failure] = events.of(StatementFailed)
    assert failure.sqlstate == "22P02"
    assert failure.line == 6
    assert "not a number" in failure.message


def test_a_psql_script_with_its_settings_applies_and_fails_at_its_own_line(
    pg_dsn, write_migrations, analysis_of
):
    # the psql lines are passed over, not sent; the server sees only the SQL
    folder = write_migrations(
        {
            "0001_psql.sql": "-- migrate:up\n\\set ON_ERROR_STOP 1\n\\echo making a\n"
            "CREATE TABLE a (id int);\n\\timing on\nINSERT INTO a VALUES (1);\n",
            "0002_psql.sql": "-- migrate:up\n\\set ON_ERROR_STOP on\n"
            "INSERT INTO a SELECT 1 / (count(*) - 1) FROM a;\n",
        }
    )
    result, events = run(pg_dsn, analysis_of(folder))
    assert [e.version for e in events.of(MigrationCommitted)] == ["0001"]
    assert [e.line for e in events.of(StatementFinished) if e.version == "0001"] == [4, 6]
    [failure] = events.of(StatementFailed)
    assert (failure.version, failure.line, failure.sqlstate) == ("0002", 3, "22012")


def test_an_error_inside_a_do_block_points_at_its_line(pg_dsn, write_migrations, analysis_of):
    folder = write_migrations(
        {
            "0001_do.sql": "-- migrate:up\nDO $$\nBEGIN\n  PERFORM 1;\n"
            "  RAISE EXCEPTION 'stop here';\nEND\n$$;\n"
        }
    )
    result, events = run(pg_dsn, analysis_of(folder))
    [failure] = events.of(StatementFailed)
    assert failure.message == "stop here"
    assert failure.line == 5


def test_history_records_commits_and_failures_with_statement_outcomes(
    pg_dsn, write_migrations, analysis_of
):
    analysis = analysis_of(write_migrations(FAILING))
    run(pg_dsn, analysis)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        entries = ledger.read_history(conn)
        applied_by = conn.execute("SELECT applied_by FROM migtui.applied LIMIT 1").fetchone()[0]
        user = conn.execute("SELECT current_user").fetchone()[0]
    assert [(e.version, e.outcome) for e in entries] == [
        ("0001", "committed"),
        ("0002", "committed"),
        ("0003", "failed"),
    ]
    failed = entries[-1].statements
    assert [s.get("sqlstate") for s in failed] == [None, None, "22012"]
    assert applied_by == user


def test_notices_arrive_while_the_statement_still_runs(pg_dsn, write_migrations, analysis_of):
    folder = write_migrations(
        {
            "0001_slow.sql": "-- migrate:up\nDO $$\nBEGIN\n  RAISE NOTICE 'started';\n"
            "  PERFORM pg_sleep(0.8);\n  RAISE NOTICE 'finished';\nEND\n$$;\n"
        }
    )
    result, events = run(pg_dsn, analysis_of(folder))
    assert result.outcome == "done"
    first, last = events.of(Notice)
    [finished] = events.of(StatementFinished)
    assert (first.message, last.message) == ("started", "finished")
    assert first.index == 0 and first.version == "0001"
    # the first notice was seen well before the statement ended
    assert finished.ts - first.ts > 0.5
    order = [type(e).__name__ for e in events]
    assert order.index("Notice") < order.index("StatementFinished")


def test_a_failing_verify_rolls_the_migration_back_and_says_why(
    pg_dsn, write_migrations, analysis_of
):
    folder = write_migrations(
        {
            "0001_positive.sql": "-- migrate:up\nCREATE TABLE t (n int);\n"
            "-- migrate:verify\nDO $$ BEGIN\n  INSERT INTO t VALUES (-1);\n"
            "  RAISE EXCEPTION 'negative numbers are accepted';\nEND $$;\n"
        }
    )
    analysis = analysis_of(folder)
    result, events = run(pg_dsn, analysis)
    assert result.outcome == "failed"
    [verify] = events.of(VerifyFailed)
    assert "negative numbers are accepted" in verify.message
    assert events.of(MigrationRolledBack)[0].reason == "verify_failed"
    assert states(pg_dsn, analysis) == {"0001": "failed"}
    assert not [o for o in catalog(pg_dsn) if o.kind == "table"]


def test_a_passing_verify_leaves_no_trace(pg_dsn, write_migrations, analysis_of):
    folder = write_migrations(
        {
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t (n int CHECK (n > 0));\n"
            "-- migrate:verify\nINSERT INTO t VALUES (1);\n"
        }
    )
    result, events = run(pg_dsn, analysis_of(folder))
    assert result.outcome == "done"
    assert events.of(VerifyPassed)
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_dry_run_runs_everything_then_leaves_the_database_untouched(
    pg_dsn, bundled_dir, analysis_of
):
    analysis = analysis_of(bundled_dir)
    before = catalog(pg_dsn)
    result, events = run(pg_dsn, analysis, options=RunOptions(dry_run=True))
    assert result.outcome == "done" and result.dry_run
    committed = events.of(MigrationCommitted)
    assert len(committed) == len(analysis.migrations)
    assert all(e.dry_run for e in committed)
    assert catalog(pg_dsn) == before
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert not ledger.ledger_exists(conn)


def test_dry_run_reports_the_failure_it_would_have(pg_dsn, write_migrations, analysis_of):
    analysis = analysis_of(write_migrations(FAILING))
    result, events = run(pg_dsn, analysis, options=RunOptions(dry_run=True))
    assert result.outcome == "failed" and result.failed == "0003"
    assert events.of(StatementFailed)[0].sqlstate == "22012"
    assert not [o for o in catalog(pg_dsn) if o.kind == "table"]


def test_apply_to_a_version_stops_there(pg_dsn, write_migrations, analysis_of):
    analysis = analysis_of(write_migrations(FAILING))
    result, _ = run(pg_dsn, analysis, to="2")
    assert result.outcome == "done"
    assert list(result.applied) == ["0001", "0002"]
    result, _ = run(pg_dsn, analysis, to="0002")
    assert result.outcome == "nothing_to_do"


def test_rollback_steps_runs_down_sections_newest_first(pg_dsn, write_migrations, analysis_of):
    files = dict(FAILING)
    del files["0003_broken.sql"]
    analysis = analysis_of(write_migrations(files))
    run(pg_dsn, analysis)
    result, events = run(pg_dsn, analysis, "rollback", steps=1)
    assert result.outcome == "done"
    assert list(result.applied) == ["0002"]
    assert states(pg_dsn, analysis) == {"0001": "applied", "0002": "pending"}
    result, events = run(pg_dsn, analysis, "rollback", to="0001")
    assert result.outcome == "nothing_to_do"


def test_a_step_without_down_stops_the_rollback_before_it_starts(
    pg_dsn, write_migrations, analysis_of
):
    folder = write_migrations(
        {
            "0001_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n",
            "0002_b.sql": "-- migrate:up\nCREATE TABLE b (id int);\n",
            "0003_c.sql": "-- migrate:up\nCREATE TABLE c (id int);\n-- migrate:down\nDROP TABLE c;\n",
        }
    )
    analysis = analysis_of(folder)
    run(pg_dsn, analysis)
    result, events = run(pg_dsn, analysis, "rollback", all=True)
    assert result.outcome == "refused"
    assert "0002" in result.message and "no down section" in result.message
    assert "--force" in result.message
    assert not events.of(StatementStarted)
    assert set(states(pg_dsn, analysis).values()) == {"applied"}


def test_a_forced_rollback_passes_a_step_without_down_marking_it_pending(
    pg_dsn, write_migrations, analysis_of
):
    # what golang-migrate and goose do with a migration that has no down: nothing
    # runs for it, its row goes, and what it made stays
    folder = write_migrations(
        {
            "0001_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n",
            "0002_b.sql": "-- migrate:up\nCREATE TABLE b (id int);\n",
            "0003_c.sql": "-- migrate:up\nCREATE TABLE c (id int);\n-- migrate:down\nDROP TABLE c;\n",
        }
    )
    analysis = analysis_of(folder)
    run(pg_dsn, analysis)
    result, events = run(
        pg_dsn, analysis, "rollback", all=True, options=RunOptions(force_down=True)
    )
    assert result.outcome == "done"
    assert [e.version for e in events.of(MigrationCommitted)] == ["0003", "0002", "0001"]
    assert {e.version for e in events.of(StatementStarted)} == {"0003", "0001"}
    assert set(states(pg_dsn, analysis).values()) == {"pending"}
    assert {o.name for o in catalog(pg_dsn) if o.kind == "table"} == {"b"}


def test_the_ledger_row_is_written_inside_the_migration_transaction(
    pg_dsn, write_migrations, analysis_of
):
    """A migration that fails at its last statement leaves neither objects nor a row."""
    folder = write_migrations(
        {"0001_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\nSELECT 1/0;\n"}
    )
    analysis = analysis_of(folder)
    result, _ = run(pg_dsn, analysis)
    assert result.outcome == "failed"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert ledger.read_rows(conn) == []


def test_plan_finished_is_the_last_event(pg_dsn, write_migrations, analysis_of):
    analysis = analysis_of(write_migrations(FAILING))
    result, events = run(pg_dsn, analysis)
    assert isinstance(events[-1], PlanFinished)
    assert events[-1] == result


def test_the_chain_as_submitted_is_refused_and_the_database_is_unchanged(
    pg_dsn, scenarios_dir, analysis_of
):
    analysis = analysis_of(scenarios_dir / "missing-prerequisite")
    before = catalog(pg_dsn)
    result, events = run(pg_dsn, analysis)
    assert result.outcome == "refused"
    assert "table public.proposal_moves" in result.message
    assert "0014" in result.message
    assert not events.of(StatementStarted)
    assert catalog(pg_dsn) == before
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert ledger.read_rows(conn) == []


def test_a_prerequisite_the_database_already_has_is_met(pg_dsn, scenarios_dir, analysis_of):
    """With the target's catalog in the analysis, 0014 runs where the tables exist."""
    from migtui.core.graph import analyze
    from migtui.core.layouts import load

    folder = scenarios_dir / "missing-prerequisite"
    # what 0013_5 of the fixed chain creates, made by hand before migtui came along
    base = analysis_of(scenarios_dir / "fixed").get("0013_5")
    result, _ = run(pg_dsn, analysis_of(folder), to="0013")
    assert result.outcome == "done", result.message
    with psycopg.connect(pg_dsn) as conn, conn.transaction():
        for statement in base.statements("up"):
            conn.execute(statement.text)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        live = analyze(load(folder), catalog=read_catalog(conn))
    assert not live.get("0014").blocked
    result, _ = run(pg_dsn, live)
    assert result.outcome == "done", result.message
    assert list(result.applied) == ["0014"]


def test_failed_lasts_until_a_run_of_it_succeeds(pg_dsn, write_migrations, analysis_of):
    broken = {"0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int);\nSELECT 1 / 0;\n"}
    folder = write_migrations(broken)
    assert run(pg_dsn, analysis_of(folder))[0].outcome == "failed"
    assert states(pg_dsn, analysis_of(folder)) == {"0001": "failed"}
    (folder / "0001_t.sql").write_text("-- migrate:up\nCREATE TABLE t (id int);\n")
    assert run(pg_dsn, analysis_of(folder))[0].outcome == "done"
    assert states(pg_dsn, analysis_of(folder)) == {"0001": "applied"}


def test_a_deferred_constraint_fails_the_migration_in_a_run_and_in_a_dry_run(
    pg_dsn, write_migrations, analysis_of
):
    folder = write_migrations(
        {
            "0001_fk.sql": "-- migrate:up\nCREATE TABLE p (id int PRIMARY KEY);\n"
            "CREATE TABLE c (p_id int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
            "INSERT INTO c VALUES (1);\n",
        }
    )
    analysis = analysis_of(folder)
    dry, dry_events = run(pg_dsn, analysis, options=RunOptions(dry_run=True))
    assert dry.outcome == "failed" and "23503" in (dry.message or "")
    result, events = run(pg_dsn, analysis)
    assert result.outcome == "failed"
    assert "23503" in result.message and "deferred constraint" in result.message
    [failure] = events.of(StatementFailed)
    assert failure.sqlstate == "23503" and "c_p_id_fkey" in failure.message
    assert events.of(MigrationRolledBack)[0].reason == "failed"
    assert states(pg_dsn, analysis) == {"0001": "failed"}
    assert "c" not in {r.name for r in catalog(pg_dsn)}


SESSION_SETTERS = {
    # a pg_dump baseline's header: an empty search_path and quiet notices
    "0001_baseline.sql": """-- migrate:up
SET client_min_messages = warning;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.accounts (id int PRIMARY KEY);
-- migrate:down
DROP TABLE public.accounts;
""",
    "0002_unqualified.sql": """-- migrate:up
CREATE TABLE ledgers (id int PRIMARY KEY, account_id int REFERENCES accounts);
DO $$ BEGIN RAISE NOTICE 'ledgers made'; END $$;
-- migrate:down
DROP TABLE ledgers;
""",
}


@pytest.mark.parametrize("dry_run", [False, True])
def test_each_migration_starts_with_the_sessions_own_settings(
    pg_dsn, write_migrations, analysis_of, dry_run
):
    # Run alone (psql per file, or one apply per migration), 0002 finds its
    # tables on the default search_path; in one run it must too, as check reads it.
    analysis = analysis_of(write_migrations(SESSION_SETTERS))
    assert not [p for p in analysis.problems if str(p.severity) == "error"]
    result, events = run(pg_dsn, analysis, options=RunOptions(dry_run=dry_run))
    assert result.outcome == "done", result.message
    assert [n.message for n in events.of(Notice)] == ["ledgers made"]


def test_a_run_whose_listener_fails_ends_and_leaves_the_database_as_it_was(
    pg_dsn, write_migrations, analysis_of
):
    """The output going away (a closed pipe) while statements are sent ahead
    must end the run: the transaction rolled back, the lock released, not a
    connection left waiting in pipeline mode."""
    import threading

    folder = write_migrations(
        {"0001_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"}
    )
    analysis = analysis_of(folder)

    def emit(event):
        if isinstance(event, StatementStarted):
            raise BrokenPipeError("the reader went away")

    outcome: list[object] = []

    def target():
        try:
            outcome.append(Runner(pg_dsn, analysis, options=RunOptions(), emit=emit).apply())
        except BaseException as exc:  # noqa: BLE001 - what the run ended with
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the run hung after its listener failed"
    assert outcome
    assert states(pg_dsn, analysis) == {"0001": "pending"}
    assert not {"a", "b"} & {o.name for o in catalog(pg_dsn)}
    # the lock went with the run: another apply goes through
    run(pg_dsn, analysis)
    assert states(pg_dsn, analysis) == {"0001": "applied"}


def test_copy_from_stdin_sends_the_rows_written_after_it(pg_dsn, write_migrations, analysis_of):
    """A dump's COPY … FROM stdin with its rows (tab-separated, \\N for null) and
    a CSV one: the runner sends the rows as psql does, counts them, and the
    statements after them run at their own lines."""
    folder = write_migrations(
        {
            "0001_seed.sql": "-- migrate:up\n"
            "CREATE TABLE colors (id int PRIMARY KEY, name text);\n"
            "COPY colors (id, name) FROM stdin;\n1\tred\n2\t\\N\n\\.\n"
            'COPY colors FROM stdin WITH (FORMAT csv);\n3,"blue, dark"\n\\.\n'
            "UPDATE colors SET name = 'none' WHERE name IS NULL;\n"
            "-- migrate:down\nDROP TABLE colors;\n",
        }
    )
    analysis = analysis_of(folder)
    assert analysis.errors == ()
    result, events = run(pg_dsn, analysis)
    assert result.outcome == "done"
    finished = [(e.line, e.command_tag, e.rows) for e in events.of(StatementFinished)]
    assert finished == [
        (2, "CREATE TABLE", None),
        (3, "COPY 2", 2),
        (7, "COPY 1", 1),
        (10, "UPDATE 1", 1),
    ]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT id, name FROM colors ORDER BY id").fetchall()
    assert rows == [(1, "red"), (2, "none"), (3, "blue, dark")]


def test_bad_rows_fail_the_copy_and_roll_the_migration_back(pg_dsn, write_migrations, analysis_of):
    folder = write_migrations(
        {
            "0001_seed.sql": "-- migrate:up\nCREATE TABLE nums (n int);\n"
            "COPY nums FROM stdin;\n1\nseven\n\\.\n",
        }
    )
    result, events = run(pg_dsn, analysis_of(folder))
    assert result.outcome == "failed"
    [failure] = events.of(StatementFailed)
    assert (failure.line, failure.sqlstate) == (3, "22P02")
    assert not any(
        (r.kind, r.schema, r.name) == ("table", "public", "nums") for r in catalog(pg_dsn)
    )
