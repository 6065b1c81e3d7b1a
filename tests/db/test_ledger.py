"""The ledger: states from files and rows, drift, and the dirty flow."""

from __future__ import annotations

import psycopg

from migtui.db import ledger
from migtui.db.runner import Runner, RunOptions
from migtui.events import MigrationCommitted, MigrationRolledBack, StatementFailed

TWO = {
    "0001_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n",
    "0002_b.sql": "-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n",
}

CONCURRENT_INDEX = {
    "0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int, email text);\n",
    "0002_idx.sql": "-- migrate:up\n"
    "CREATE INDEX CONCURRENTLY idx_t_id ON t (id);\n"
    "CREATE INDEX CONCURRENTLY idx_t_email ON t (email);\n"
    "-- migrate:down\nDROP INDEX CONCURRENTLY idx_t_email;\nDROP INDEX CONCURRENTLY idx_t_id;\n",
}


class Recorder(list):
    def __call__(self, event) -> None:
        self.append(event)

    def of(self, kind):
        return [e for e in self if isinstance(e, kind)]


def apply(dsn, analysis, **options):
    events = Recorder()
    result = Runner(dsn, analysis, options=RunOptions(**options), emit=events).apply()
    return result, events


def statuses(dsn, analysis):
    with psycopg.connect(dsn, autocommit=True) as conn:
        return {s.version: s for s in ledger.read_status(conn, analysis)}


def test_a_new_database_is_all_pending_and_reading_it_creates_nothing(
    pg_dsn, write_migrations, analysis_of
):
    analysis = analysis_of(write_migrations(TWO))
    assert {v: s.state for v, s in statuses(pg_dsn, analysis).items()} == {
        "0001": "pending",
        "0002": "pending",
    }
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert not ledger.ledger_exists(conn)
        assert conn.execute("SELECT to_regnamespace('migtui')").fetchone()[0] is None


def test_the_ledger_creates_itself_once_and_upgrading_again_is_harmless(pg_conn):
    first = ledger.ensure_ledger(pg_conn)
    second = ledger.ensure_ledger(pg_conn)
    assert first == second >= 1
    versions = pg_conn.execute("SELECT version FROM migtui.ledger_version").fetchall()
    assert [v for (v,) in versions] == list(range(1, first + 1))


def test_applied_rows_say_who_when_and_with_what_checksum(pg_dsn, write_migrations, analysis_of):
    analysis = analysis_of(write_migrations(TWO))
    apply(pg_dsn, analysis)
    status = statuses(pg_dsn, analysis)["0001"]
    assert status.state == "applied"
    assert status.applied_at and status.applied_by
    assert status.checksum == ledger.checksum(analysis.get("0001"))
    assert status.migtui_version and status.host


def test_the_history_is_append_only(pg_dsn, write_migrations, analysis_of):
    analysis = analysis_of(write_migrations(TWO))
    apply(pg_dsn, analysis)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        try:
            conn.execute("DELETE FROM migtui.history")
        except psycopg.errors.RaiseException as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError("the history accepted a delete")
        assert len(ledger.read_history(conn)) == 2


def test_a_changed_file_is_drifted_and_refused_unless_allowed(
    pg_dsn, write_migrations, analysis_of
):
    folder = write_migrations(TWO)
    apply(pg_dsn, analysis_of(folder))
    write_migrations(
        {
            "0001_a.sql": TWO["0001_a.sql"].replace("(id int)", "(id bigint)"),
            "0003_c.sql": ("-- migrate:up\nCREATE TABLE c (id int);\n"),
        }
    )
    analysis = analysis_of(folder)
    assert statuses(pg_dsn, analysis)["0001"].state == "drifted"

    result, events = apply(pg_dsn, analysis)
    assert result.outcome == "refused"
    assert "0001 changed since it was applied" in result.message
    assert "--allow-drift" in result.message
    assert statuses(pg_dsn, analysis)["0003"].state == "pending"

    result, _ = apply(pg_dsn, analysis, allow_drift=True)
    assert result.outcome == "done"
    assert list(result.applied) == ["0003"]


def test_a_deleted_file_is_missing_and_refused(pg_dsn, write_migrations, analysis_of):
    folder = write_migrations(TWO)
    apply(pg_dsn, analysis_of(folder))
    (folder / "0002_b.sql").unlink()
    analysis = analysis_of(folder)
    assert statuses(pg_dsn, analysis)["0002"].state == "missing"
    result, _ = apply(pg_dsn, analysis)
    assert result.outcome == "refused" and "0002" in result.message


def test_a_pending_migration_older_than_an_applied_one_is_out_of_order(
    pg_dsn, write_migrations, analysis_of
):
    folder = write_migrations({"0002_b.sql": TWO["0002_b.sql"]})
    apply(pg_dsn, analysis_of(folder))
    write_migrations({"0001_a.sql": TWO["0001_a.sql"]})
    analysis = analysis_of(folder)
    assert statuses(pg_dsn, analysis)["0001"].state == "out_of_order"


def test_create_index_concurrently_runs_outside_a_transaction_and_ends_clean(
    pg_dsn, write_migrations, analysis_of
):
    analysis = analysis_of(write_migrations(CONCURRENT_INDEX))
    assert not analysis.get("0002").transactional
    result, events = apply(pg_dsn, analysis)
    assert result.outcome == "done", result.message
    assert statuses(pg_dsn, analysis)["0002"].state == "applied"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes")}
    assert {"idx_t_id", "idx_t_email"} <= indexes

    rolled = Runner(pg_dsn, analysis, emit=Recorder()).rollback(steps=1)
    assert rolled.outcome == "done", rolled.message
    assert statuses(pg_dsn, analysis)["0002"].state == "pending"


def test_an_interrupted_non_transactional_migration_is_dirty_until_resolved(
    pg_dsn, write_migrations, analysis_of
):
    broken = dict(CONCURRENT_INDEX)
    # made LIKE another, t's columns are the server's to know: the failure comes at run time
    broken["0001_t.sql"] = (
        "-- migrate:up\nCREATE TABLE t0 (id int, email text);\nCREATE TABLE t (LIKE t0);\n"
    )
    broken["0002_idx.sql"] = broken["0002_idx.sql"].replace("ON t (email)", "ON t (nope)")
    analysis = analysis_of(write_migrations(broken))
    result, events = apply(pg_dsn, analysis)
    assert result.outcome == "failed"
    assert events.of(StatementFailed)[0].sqlstate == "42703"
    assert not events.of(MigrationCommitted)[1:]  # only 0001 committed
    assert not events.of(MigrationRolledBack)  # nothing to roll back outside a transaction
    assert "dirty" in result.message and "migtui resolve 0002" in result.message
    assert statuses(pg_dsn, analysis)["0002"].state == "dirty"

    # the first index stays: the operator sees what happened before resolving
    result, _ = apply(pg_dsn, analysis)
    assert result.outcome == "refused" and "resolve" in result.message

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        history = ledger.read_history(conn)
    assert history[-1].version == "0002" and history[-1].outcome == "dirty"


def test_dry_run_lists_non_transactional_steps_without_running_them(
    pg_dsn, write_migrations, analysis_of
):
    analysis = analysis_of(write_migrations(CONCURRENT_INDEX))
    result, events = apply(pg_dsn, analysis, dry_run=True)
    assert [e.reason for e in events.of(MigrationRolledBack)] == ["not_run"]
    assert events.of(MigrationRolledBack)[0].version == "0002"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert not ledger.ledger_exists(conn)


def test_a_ledger_an_older_migtui_made_is_read_then_upgraded(pg_dsn, bundled_dir, analysis_of):
    """Reading never upgrades (it changes nothing); the next run does."""
    import psycopg

    from migtui.db import ledger as ledger_module
    from migtui.db.runner import Runner

    analysis = analysis_of(bundled_dir)
    assert Runner(pg_dsn, analysis, emit=lambda e: None).apply(to="0002").outcome == "done"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the first ledger version left it
        conn.execute("ALTER TABLE migtui.history DROP COLUMN wall_ms")
        conn.execute("DELETE FROM migtui.ledger_version WHERE version > 1")
        history = ledger_module.read_history(conn)
        assert [e.version for e in history][-1] == "0002" and history[-1].wall_ms is None
    assert Runner(pg_dsn, analysis, emit=lambda e: None).apply(to="0003").outcome == "done"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert ledger_module.read_history(conn)[-1].wall_ms is not None


def test_a_dropped_ledger_table_is_said_then_made_again(pg_dsn, bundled_dir, analysis_of):
    """The schema kept, migtui.applied dropped: status says the applied ones are
    unrecorded (no traceback), apply refuses to run them again, and a baseline
    records them in a ledger table made anew."""
    import psycopg
    from click.testing import CliRunner

    from migtui.cli import main
    from migtui.db.runner import Runner

    analysis = analysis_of(bundled_dir)
    assert Runner(pg_dsn, analysis, emit=lambda e: None).apply(to="0003").outcome == "done"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE migtui.applied")
    base = ("--dsn", pg_dsn, "--dir", str(bundled_dir))
    status = CliRunner().invoke(main, ["status", *base, "--format", "json"])
    assert status.exit_code == 0, status.output
    assert "Traceback" not in status.output
    assert "unrecorded" in status.output
    refused = CliRunner().invoke(main, ["apply", *base, "--yes"])
    assert refused.exit_code == 1 and "baseline" in refused.output
    history = CliRunner().invoke(main, ["history", "--dsn", pg_dsn])
    assert history.exit_code == 0, history.output
    done = CliRunner().invoke(main, ["baseline", *base, "--to", "0003"])
    assert done.exit_code == 0, done.output
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        actions = [e.action for e in ledger.read_history(conn)]
    assert "repair" in actions and actions[-1] == "baseline"
