"""``rehearse``: the plan run on a copy, with the locks each statement really
took, the tables it rewrote or read whole, and whether each down undoes its up;
the target itself is only read."""

from __future__ import annotations

import json

import psycopg
from click.testing import CliRunner

from migtui.cli import main
from migtui.config import redact_dsn
from migtui.core.graph import analyze_dir
from migtui.db.rehearse import drop_copy, fingerprint, make_copy, rehearse
from migtui.db.runner import Runner, RunOptions

MIGRATIONS = {
    "0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int PRIMARY KEY, v int);\n"
    "INSERT INTO t SELECT g, g FROM generate_series(1, 50) g;\n"
    "-- migrate:down\nDROP TABLE t;\n",
    "0002_locks.sql": "-- migrate:up\n"
    "ALTER TABLE t ADD CONSTRAINT v_positive CHECK (v > 0);\n"
    "ALTER TABLE t ALTER COLUMN v TYPE bigint;\n"
    "CREATE TABLE fresh (id int);\n"
    "CREATE INDEX ON fresh (id);\n"
    "-- migrate:down\nDROP TABLE fresh;\n"
    "ALTER TABLE t ALTER COLUMN v TYPE int;\n"
    "ALTER TABLE t DROP CONSTRAINT v_positive;\n",
    "0003_forgets.sql": "-- migrate:up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"
    "-- migrate:down\nDROP TABLE a;\n",
}


def rehearsed_from_empty(folder, server: str):
    """The folder's plan rehearsed on an empty copy on ``server``, dropped after."""
    copy, rehearsal = make_copy(None, server=server)
    try:
        return rehearse(analyze_dir(folder), copy, rehearsal)
    finally:
        drop_copy(copy)


def test_locks_rewrites_scans_and_a_down_that_forgets(pg_admin_dsn, write_migrations):
    folder = write_migrations(MIGRATIONS)
    rehearsal = rehearsed_from_empty(folder, pg_admin_dsn)
    steps = {s.version: s for s in rehearsal.steps}
    assert [s.outcome for s in rehearsal.steps] == ["done", "done", "done"]

    check, retype, *rest = steps["0002"].statements
    assert check.line == 2 and ("public.t", "ACCESS EXCLUSIVE") in check.locks
    assert "public.t" in check.scanned and not check.rewrote  # validated, not rewritten
    assert retype.rewrote == ["public.t"]
    assert not retype.locks  # the lock was already held from line 2
    assert all(not s.locks and not s.scanned for s in rest)  # a new table waits on nobody
    assert steps["0002"].reversible is True

    forgets = steps["0003"]
    assert forgets.reversible is False
    assert any("relation public.b" in entry for entry in forgets.left_behind)
    assert not rehearsal.ok and [s.version for s in rehearsal.irreversible] == ["0003"]


def test_a_failure_on_the_copy_is_said_with_the_step_and_stops_there(
    pg_admin_dsn, write_migrations
):
    folder = write_migrations(
        {
            "0001_t.sql": MIGRATIONS["0001_t.sql"],
            "0002_bad.sql": "-- migrate:up\nALTER TABLE t ADD COLUMN w int;\n"
            "UPDATE t SET w = 1 / (v - v);\n-- migrate:down\nALTER TABLE t DROP COLUMN w;\n",
            "0003_after.sql": "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n",
        }
    )
    rehearsal = rehearsed_from_empty(folder, pg_admin_dsn)
    assert [(s.version, s.outcome) for s in rehearsal.steps] == [
        ("0001", "done"),
        ("0002", "failed"),
    ]
    assert "division by zero" in rehearsal.steps[1].message
    assert rehearsal.failed.version == "0002" and not rehearsal.ok
    assert rehearsal.planned == 3 and "stopped at 0002" in rehearsal.stopped


def test_a_copy_of_the_target_runs_only_what_is_pending_and_leaves_the_target_alone(
    pg_dsn, pg_admin_dsn, write_migrations
):
    folder = write_migrations(MIGRATIONS)
    analysis = analyze_dir(folder)
    done = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None).apply(to="0001")
    assert done.outcome == "done"
    before = fingerprint(pg_dsn)

    result = CliRunner().invoke(
        main,
        [
            "rehearse",
            "--dir",
            str(folder),
            "--dsn",
            pg_dsn,
            "--on",
            pg_admin_dsn,
            "--format",
            "json",
        ],
    )
    data = json.loads(result.output)
    assert [s["version"] for s in data["steps"]] == ["0002", "0003"]  # 0001 is applied there
    assert data["summary"]["irreversible"] == ["0003"] and result.exit_code == 1
    locks = data["steps"][0]["statements"][0]["locks"]
    assert {"relation": "public.t", "mode": "ACCESS EXCLUSIVE"} in locks
    assert fingerprint(pg_dsn) == before  # the target was only read
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM migtui.applied").fetchone()[0] == 1
    with psycopg.connect(pg_admin_dsn) as conn:  # the copy is gone
        left = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'migtui_rehearsal_%'"
        ).fetchone()[0]
    assert left == 0

    text = CliRunner(env={"COLUMNS": "200"}).invoke(
        main, ["rehearse", "--dir", str(folder), "--dsn", pg_dsn, "--on", pg_admin_dsn]
    )
    assert "ACCESS EXCLUSIVE public.t" in text.output and "rewrote public.t" in text.output
    assert "left behind by the down: relation public.b" in text.output
    # the header names the server the copy was made on, not the embedded one
    assert "embedded PostgreSQL" not in text.output
    assert redact_dsn(pg_admin_dsn) in text.output
    assert text.exit_code == 1


def test_set_transaction_first_is_left_first(pg_admin_dsn, write_migrations):
    """A migration that sets its isolation level first (its statements see one
    snapshot) runs on the copy too: the rehearsal reads nothing before it."""
    folder = write_migrations(
        {
            "0001_t.sql": MIGRATIONS["0001_t.sql"],
            "0002_backfill.sql": "-- migrate:up\nBEGIN;\n"
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n"
            "UPDATE t SET v = v + 1;\nCOMMIT;\n-- migrate:down\nUPDATE t SET v = v - 1;\n",
        }
    )
    rehearsal = rehearsed_from_empty(folder, pg_admin_dsn)
    assert [s.outcome for s in rehearsal.steps] == ["done", "done"], rehearsal.steps[-1].message
    [update] = rehearsal.steps[1].statements
    assert update.locks == [("public.t", "ROW EXCLUSIVE")]


def test_adding_a_column_rewrites_only_with_a_volatile_default(pg_admin_dsn, write_migrations):
    """What PostgreSQL 18 really does: a default of now() is kept in the catalog
    (no rewrite); gen_random_uuid() differs per row, so every row is written."""
    folder = write_migrations(
        {
            "0001_t.sql": MIGRATIONS["0001_t.sql"],
            "0002_add.sql": "-- migrate:up\n"
            "ALTER TABLE t ADD COLUMN seen timestamptz DEFAULT now();\n"
            "ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            "-- migrate:down\nALTER TABLE t DROP COLUMN token, DROP COLUMN seen;\n",
        }
    )
    rehearsal = rehearsed_from_empty(folder, pg_admin_dsn)
    stable, volatile = rehearsal.steps[1].statements
    assert stable.rewrote == [] and stable.locks == [("public.t", "ACCESS EXCLUSIVE")]
    assert volatile.rewrote == ["public.t"]
    assert rehearsal.steps[1].reversible is True  # dropping both columns undoes it


def test_a_copy_of_a_dbmate_database_and_a_failure_at_its_line(
    pg_dsn, pg_admin_dsn, write_migrations
):
    """The target's ledger is dbmate's schema_migrations: the copy has it, so only
    what dbmate has not run is rehearsed; the failure is said at its file and line
    and the target is untouched."""
    folder = write_migrations(
        {
            "0001_t.sql": MIGRATIONS["0001_t.sql"],
            "0002_bad.sql": "-- migrate:up\nALTER TABLE t ADD COLUMN w int;\n"
            # an expression only the server evaluates (the copy holds no rows)
            "CREATE INDEX ON t ((1 / 0));\n-- migrate:down\nALTER TABLE t DROP COLUMN w;\n",
        }
    )
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as dbmate leaves it after 0001
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, v int)")
        conn.execute("INSERT INTO t SELECT g, g FROM generate_series(1, 50) g")
        conn.execute("CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)")
        conn.execute("INSERT INTO schema_migrations VALUES ('0001')")
    before = fingerprint(pg_dsn)

    result = CliRunner().invoke(
        main, ["rehearse", "--dir", str(folder), "--dsn", pg_dsn, "--on", pg_admin_dsn,
               "--format", "json"],
    )  # fmt: skip
    data = json.loads(result.output)
    [step] = data["steps"]
    assert (step["version"], step["outcome"]) == ("0002", "failed")
    assert step["failed_at"] == "0002_bad.sql:3" and step["sqlstate"] == "22012"
    assert data["summary"]["failed"] == "0002" and result.exit_code == 1
    assert fingerprint(pg_dsn) == before
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == 1


def test_a_copy_on_another_server_brings_the_roles_without_their_passwords(
    pg_dsn, pg_admin_dsn, write_migrations, demo_data_dir
):
    """The copy goes to the embedded server (another server than the target's):
    the roles a GRANT names come along, their passwords do not."""
    import uuid

    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    role = f"rehearsal_reader_{uuid.uuid4().hex[:6]}"
    folder = write_migrations(MIGRATIONS)
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'never-copied'").format(sql.Identifier(role))
        )
    try:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE reports (id int)")
            conn.execute(sql.SQL("GRANT SELECT ON reports TO {}").format(sql.Identifier(role)))
        copy, rehearsal = make_copy(pg_dsn)
        try:
            assert rehearsal.not_copied == [] and rehearsal.copy_seconds > 0
            with psycopg.connect(copy, autocommit=True) as conn:
                granted = conn.execute(
                    "SELECT has_table_privilege(%s, 'public.reports', 'SELECT')", (role,)
                ).fetchone()[0]
                password = conn.execute(
                    "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)
                ).fetchone()[0]
                server = conn.execute("SHOW data_directory").fetchone()[0]
            assert granted and password is None
            assert server.startswith(str(demo_data_dir))  # not the target's server
            rehearse(analyze_dir(folder), copy, rehearsal)
            assert [s.version for s in rehearsal.steps] == ["0001", "0002", "0003"]
        finally:
            drop_copy(copy)
            embedded = make_conninfo(copy, dbname="postgres")
            with psycopg.connect(embedded, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS reports")
        with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
