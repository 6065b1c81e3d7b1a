"""A migration whose file ends, and may open, transactions of its own in the
middle: ``COMMIT; … BEGIN;`` around work that must not share the tool's
transaction (sql-migrate, goose), a lone ``COMMIT`` between two statements
(golang-migrate sends the file as one string), a ``BEGIN … COMMIT`` block after
other work (kinto's own runner). check accepts them; apply runs the file as
written, outside a transaction of migtui's, as PostgreSQL runs such a file sent
whole: the statements outside the file's blocks share an implicit transaction
that its next COMMIT, or the end, closes."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from migtui.core.graph import analyze_dir
from migtui.core.plan import step_for
from migtui.db.runner import Runner, RunOptions
from migtui.events import MigrationStarted, StatementFailed

ENUM_FIRST = (
    "-- +migrate Up\nCREATE TYPE mood AS ENUM ('calm');\n"
    "CREATE TABLE people (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'calm');\n"
    "INSERT INTO people VALUES (1);\n-- +migrate Down\nDROP TABLE people;\nDROP TYPE mood;\n"
)
# a new enum value cannot be used in the transaction that adds it (55P04)
ENUM_SPLIT = (
    "-- +migrate Up\nALTER TYPE mood ADD VALUE 'sad';\nCOMMIT;\nBEGIN;\n"
    "UPDATE people SET m = 'sad';\n-- +migrate Down\nUPDATE people SET m = 'calm';\n"
)
INDEX_SPLIT = (
    "-- +migrate Up\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\n\nCOMMIT;\n"
    "-- Concurrent index creation cannot be done inside a transaction.\n"
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS people_id_idx ON people (id);\nBEGIN;\n\n"
    "-- +migrate Down\nDROP INDEX IF EXISTS people_id_idx;\n"
)


def folder(root: Path) -> Path:
    for name, text in {
        "1_people.sql": ENUM_FIRST,
        "2_sad.sql": ENUM_SPLIT,
        "3_index.sql": INDEX_SPLIT,
    }.items():
        (root / name).write_text(text)
    return root


def run(dsn: str, root: Path, *, down: int = 0):
    events: list = []
    analysis = analyze_dir(root)
    runner = Runner(dsn, analysis, options=RunOptions(), emit=events.append)
    result = runner.rollback(steps=down) if down else runner.apply()
    return result, events


def ledger(dsn: str) -> list[tuple[str, bool]]:
    with psycopg.connect(dsn) as conn:
        if conn.execute("SELECT to_regclass('migtui.applied')").fetchone()[0] is None:
            return []
        return conn.execute("SELECT version, dirty FROM migtui.applied ORDER BY 1").fetchall()


def test_check_accepts_the_split_and_plans_it_as_written(tmp_path):
    analysis = analyze_dir(folder(tmp_path))
    assert analysis.layout == "sql-migrate"
    assert [p.kind for p in analysis.problems] == []
    assert [h.rule for h in analysis.hints if h.migration == "3_index"] == []
    step = step_for(analysis.get("2_sad"), "up")
    assert step.transactional is False
    assert [s.text.split()[0] for s in step.statements] == ["ALTER", "COMMIT;", "BEGIN;", "UPDATE"]


def test_a_commit_with_no_begin_after_it_is_accepted(tmp_path):
    (tmp_path / "1_a.sql").write_text("-- +migrate Up\nCREATE TABLE a (id int);\nCOMMIT;\n"
                                      "CREATE TABLE b (id int);\n")  # fmt: skip
    analysis = analyze_dir(tmp_path)
    assert [p.kind for p in analysis.problems if p.kind != "missing_down"] == []
    assert step_for(analysis.get("1_a"), "up").transactional is False


@pytest.mark.db
def test_apply_runs_the_split_migrations_as_their_tool_would(tmp_path, pg_dsn):
    analysis = analyze_dir(folder(tmp_path))
    result = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None).apply()
    assert result.outcome == "done", result.message
    assert result.applied == ("1_people", "2_sad", "3_index")
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT m::text FROM people").fetchall() == [("sad",)]
        assert conn.execute("SELECT to_regclass('people_id_idx')").fetchone()[0] is not None
        assert conn.execute("SELECT count(*) FROM migtui.applied WHERE NOT dirty").fetchone() == (
            3,
        )


def test_savepoints_work_inside_the_migrations_own_transaction(tmp_path, pg_dsn):
    # knex and other tools send them for nested transactions: they end none
    (tmp_path / "0001_rows.sql").write_text(
        "-- migrate:up\nCREATE TABLE rows (n int);\nSAVEPOINT before_two;\n"
        "INSERT INTO rows VALUES (2);\nROLLBACK TO SAVEPOINT before_two;\n"
        "INSERT INTO rows VALUES (1);\nRELEASE SAVEPOINT before_two;\n"
        "-- migrate:down\nDROP TABLE rows;\n"
    )
    analysis = analyze_dir(tmp_path)
    assert analysis.problems == ()
    assert analysis.get("0001").transactional
    result = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None).apply()
    assert result.outcome == "done", result.message
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT n FROM rows").fetchall() == [(1,)]


@pytest.mark.db
def test_a_begin_after_other_work_ending_in_commit_runs_as_one_transaction(tmp_path, pg_dsn):
    # a file temboard's runner (or dbmate) runs whole: the work before BEGIN
    # shares the transaction, and so does a failure after it
    (tmp_path / "0001_a.sql").write_text(
        "-- migrate:up\nCREATE SCHEMA s;\nBEGIN;\nCREATE TABLE s.t (id int);\nCOMMIT;\n"
        "-- migrate:down\nDROP SCHEMA s CASCADE;\n"
    )
    (tmp_path / "0002_b.sql").write_text(
        "-- migrate:up\nCREATE TABLE u (id int);\nBEGIN;\nINSERT INTO u SELECT 1 / count(*) FROM s.t;\n"
        "COMMIT;\n-- migrate:down\nDROP TABLE u;\n"
    )
    analysis = analyze_dir(tmp_path)
    assert analysis.problems == ()
    result = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None).apply()
    assert result.outcome == "failed" and result.applied == ("0001",)
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('s.t') IS NOT NULL").fetchone() == (True,)
        assert conn.execute("SELECT to_regclass('u')").fetchone() == (None,)
        assert conn.execute("SELECT count(*) FROM migtui.applied").fetchone() == (1,)


@pytest.mark.db
def test_a_search_path_given_to_the_database_holds_for_the_next_migrations(tmp_path, pg_dsn):
    # a new session takes it, as the layout's tool runs the next migrations;
    # check reads them along it, and apply runs them so
    database = psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"]
    (tmp_path / "0001_app.sql").write_text(
        "-- migrate:up\nCREATE SCHEMA app;\nSET search_path TO app;\nCREATE TABLE t (a int);\n"
        f'ALTER DATABASE "{database}" SET search_path TO app;\n'
        "-- migrate:down\nDROP SCHEMA app CASCADE;\n"
    )
    (tmp_path / "0002_more.sql").write_text(
        "-- migrate:up\nALTER TABLE t ADD COLUMN b int;\nCREATE VIEW v AS SELECT a, b FROM t;\n"
        "-- migrate:down\nDROP VIEW v;\nALTER TABLE t DROP COLUMN b;\n"
    )
    analysis = analyze_dir(tmp_path)
    assert analysis.errors == ()
    result = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None).apply()
    assert result.outcome == "done", result.message
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('app.v') IS NOT NULL").fetchone() == (True,)


@pytest.mark.db
@pytest.mark.parametrize("tool", ["goose", "migrate"])
def test_a_block_without_a_semicolon_is_its_own_statement(tmp_path, pg_dsn, tool):
    # goose and sql-migrate end a statement at StatementEnd, semicolon or not
    (tmp_path / "00001_people.sql").write_text(
        f"-- +{tool} Up\n-- +{tool} StatementBegin\nCREATE TYPE mood AS ENUM ('calm')\n"
        f"-- +{tool} StatementEnd\n"
        "CREATE TABLE people (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'calm');\n"
        f"-- +{tool} Down\n-- +{tool} StatementBegin\nDROP TABLE people\n"
        f"-- +{tool} StatementEnd\nDROP TYPE mood;\n"
    )
    analysis = analyze_dir(tmp_path)
    assert analysis.layout == ("goose" if tool == "goose" else "sql-migrate")
    assert [p.kind for p in analysis.problems] == []
    runner = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None)
    assert runner.apply().outcome == "done"
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('people')").fetchone()[0] is not None
    rollback = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None)
    assert rollback.rollback(steps=1).outcome == "done"
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regtype('mood')").fetchone()[0] is None


@pytest.mark.db
def test_a_block_after_other_work_and_work_after_its_commit_run_as_written(tmp_path, pg_dsn):
    # kinto's shape: the LOCKs need a transaction (25P01 in autocommit), the
    # work before BEGIN shares it, the INSERT after COMMIT runs after it
    (tmp_path / "0001_t.sql").write_text(
        "-- migrate:up\nCREATE TABLE records (id int PRIMARY KEY);\n"
        "CREATE TABLE gone (id int PRIMARY KEY);\nINSERT INTO gone VALUES (1), (2);\n"
        "-- migrate:down\nDROP TABLE records, gone;\n"
    )
    (tmp_path / "0002_merge.sql").write_text(
        "-- migrate:up\nALTER TABLE records ADD COLUMN deleted boolean;\n"
        "UPDATE records SET deleted = false;\n"
        "BEGIN WORK;\nLOCK TABLE records IN ACCESS EXCLUSIVE MODE;\n"
        "LOCK TABLE gone IN ACCESS EXCLUSIVE MODE;\n"
        "INSERT INTO records SELECT id, true FROM gone;\nCOMMIT WORK;\n"
        "CREATE TABLE meta (v int);\nINSERT INTO meta VALUES (18);\n"
        "-- migrate:down\nDROP TABLE meta;\nDELETE FROM records WHERE deleted;\n"
        "COMMIT;\nALTER TABLE records DROP COLUMN deleted;\n"
    )
    result, events = run(pg_dsn, tmp_path)
    assert result.outcome == "done", result.message
    started = [e for e in events if isinstance(e, MigrationStarted) and e.version == "0002"]
    assert [(e.transactional, e.own_transactions) for e in started] == [(False, True)]
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM records WHERE deleted").fetchone() == (2,)
        assert conn.execute("SELECT v FROM meta").fetchone() == (18,)
    assert ledger(pg_dsn) == [("0001", False), ("0002", False)]
    # its down controls its transactions too
    result, _ = run(pg_dsn, tmp_path, down=1)
    assert result.outcome == "done", result.message
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('meta')").fetchone() == (None,)
        columns = conn.execute(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'records'::regclass "
            "AND attname = 'deleted'"
        ).fetchone()
        assert columns == (0,)
    assert ledger(pg_dsn) == [("0001", False)]


@pytest.mark.db
def test_a_lone_commit_lets_a_new_enum_value_be_used_after_it(tmp_path, pg_dsn):
    # a golang-migrate file sent as one string: the COMMIT ends the implicit
    # transaction, and the value is usable after it
    (tmp_path / "1_mood.up.sql").write_text(
        "CREATE TYPE mood AS ENUM ('calm');\nCREATE TABLE people (m mood);\n"
    )
    (tmp_path / "1_mood.down.sql").write_text("DROP TABLE people;\nDROP TYPE mood;\n")
    (tmp_path / "2_sad.up.sql").write_text(
        "ALTER TYPE mood ADD VALUE 'sad';\nCOMMIT;\nINSERT INTO people VALUES ('sad');\n"
    )
    (tmp_path / "2_sad.down.sql").write_text("DELETE FROM people;\n")
    analysis = analyze_dir(tmp_path)
    assert analysis.layout == "golang-migrate"
    assert analysis.errors == ()
    result, _ = run(pg_dsn, tmp_path)
    assert result.outcome == "done", result.message
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT m::text FROM people").fetchall() == [("sad",)]


@pytest.mark.db
def test_a_failure_after_the_files_commit_leaves_the_migration_dirty(tmp_path, pg_dsn):
    (tmp_path / "0001_a.sql").write_text(
        "-- migrate:up\nCREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n"
        "INSERT INTO b VALUES (1 / 0);\n-- migrate:down\nDROP TABLE IF EXISTS b;\n"
        "DROP TABLE a;\n"
    )
    result, events = run(pg_dsn, tmp_path)
    assert result.outcome == "failed"
    [failed] = [e for e in events if isinstance(e, StatementFailed)]
    assert (failed.sqlstate, failed.line) == ("22012", 5)
    assert "dirty" in result.message
    with psycopg.connect(pg_dsn) as conn:
        # what ran before the COMMIT stays; what came after it rolled back
        assert conn.execute("SELECT to_regclass('a') IS NOT NULL").fetchone() == (True,)
        assert conn.execute("SELECT to_regclass('b')").fetchone() == (None,)
    assert ledger(pg_dsn) == [("0001", True)]


@pytest.mark.db
def test_a_failure_before_anything_committed_leaves_nothing_behind(tmp_path, pg_dsn):
    (tmp_path / "0001_a.sql").write_text(
        "-- migrate:up\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1 / 0);\nCOMMIT;\n"
        "CREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\nDROP TABLE a;\n"
    )
    result, events = run(pg_dsn, tmp_path)
    assert result.outcome == "failed"
    assert "dirty" not in result.message
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('a')").fetchone() == (None,)
        history = conn.execute("SELECT outcome FROM migtui.history").fetchall()
    # the ledger is as before: no row, so the fixed file simply runs next time
    assert ledger(pg_dsn) == []
    assert history == [("failed",)]
    (tmp_path / "0001_a.sql").write_text(
        "-- migrate:up\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nCOMMIT;\n"
        "CREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\nDROP TABLE a;\n"
    )
    result, _ = run(pg_dsn, tmp_path)
    assert result.outcome == "done", result.message
    assert ledger(pg_dsn) == [("0001", False)]
