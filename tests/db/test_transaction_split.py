"""``COMMIT; … BEGIN;`` in the middle of a migration: the idiom of tools that wrap
each migration in their own transaction (sql-migrate, goose) for work that must
not share it. check accepts it; apply runs such a migration outside a
transaction, statement by statement, as the tool's split intends."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from migtui.core.graph import analyze_dir
from migtui.core.plan import step_for
from migtui.db.runner import Runner, RunOptions

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


def test_check_accepts_the_split_and_plans_it_outside_a_transaction(tmp_path):
    analysis = analyze_dir(folder(tmp_path))
    assert analysis.layout == "sql-migrate"
    assert [p.kind for p in analysis.problems] == []
    assert [h.rule for h in analysis.hints if h.migration == "3_index"] == []
    step = step_for(analysis.get("2_sad"), "up")
    assert step.transactional is False
    assert [s.text.split()[0] for s in step.statements] == ["ALTER", "UPDATE"]


def test_commit_without_a_begin_after_it_is_still_refused(tmp_path):
    (tmp_path / "1_a.sql").write_text("-- +migrate Up\nCREATE TABLE a (id int);\nCOMMIT;\n"
                                      "CREATE TABLE b (id int);\n")  # fmt: skip
    [problem] = [p for p in analyze_dir(tmp_path).problems if p.kind != "missing_down"]
    assert (problem.kind, problem.line) == ("unsupported_statement", 3)


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
