"""Statements sent ahead in pipeline mode: the same events, in the same order,
as one statement at a time; errors at their own line; output as it happens."""

from __future__ import annotations

import threading

import psycopg

from migtui.db import pipeline
from migtui.db.runner import Runner
from migtui.events import (
    Notice,
    StatementFailed,
    StatementFinished,
    StatementStarted,
)

NOISY = (
    "-- migrate:up\n"
    "CREATE TABLE IF NOT EXISTS t (id int);\n"  # index 0: no notice
    "CREATE TABLE IF NOT EXISTS t (id int);\n"  # 1: already exists, skipping
    "INSERT INTO t VALUES (1), (2);\n"  # 2
    "DO $$ BEGIN RAISE NOTICE 'first'; RAISE NOTICE 'second'; END $$;\n"  # 3
    "DROP TABLE IF EXISTS nosuch;\n"  # 4: does not exist, skipping
    "UPDATE t SET id = id + 1;\n"  # 5
)


def test_every_notice_belongs_to_the_statement_that_raised_it(
    pg_dsn, write_migrations, analysis_of
):
    events: list = []
    analysis = analysis_of(write_migrations({"0001_noisy.sql": NOISY}))
    assert Runner(pg_dsn, analysis, emit=events.append).apply().outcome == "done"
    run = [e for e in events if isinstance(e, StatementStarted | Notice | StatementFinished)]
    said = [(e.index, e.message) for e in run if isinstance(e, Notice)]
    assert said == [
        (1, 'relation "t" already exists, skipping'),
        (3, "first"),
        (3, "second"),
        (4, 'table "nosuch" does not exist, skipping'),
    ]
    # each statement: its start, its notices, its end, before the next one starts
    expected = []
    for index in range(6):
        expected.append(("start", index))
        expected += [("notice", i) for i, _ in said if i == index]
        expected.append(("end", index))
    kinds = {StatementStarted: "start", Notice: "notice", StatementFinished: "end"}
    assert [(kinds[type(e)], e.index) for e in run] == expected
    finished = {e.index: e for e in run if isinstance(e, StatementFinished)}
    assert (finished[2].command_tag, finished[2].rows) == ("INSERT 0 2", 2)
    assert (finished[5].command_tag, finished[5].rows) == ("UPDATE 2", 2)


def test_a_notice_keeps_its_severity_code_detail_and_hint(pg_dsn, write_migrations, analysis_of):
    events: list = []
    sql = (
        "-- migrate:up\n"
        "DO $$ BEGIN RAISE WARNING 'clé à ajouter: %', 'été' USING ERRCODE = '01000',"
        " DETAIL = 'déjà 3 lignes', HINT = 'voir la note'; END $$;\n"
        "DO $$ BEGIN RAISE INFO 'plain'; END $$;\n"
    )
    analysis = analysis_of(write_migrations({"0001_said.sql": sql}))
    assert Runner(pg_dsn, analysis, emit=events.append).apply().outcome == "done"
    warning, info = [e for e in events if isinstance(e, Notice)]
    assert (warning.severity, warning.message, warning.sqlstate) == (
        "WARNING",
        "clé à ajouter: été",
        "01000",
    )
    assert (warning.detail, warning.hint, warning.index) == ("déjà 3 lignes", "voir la note", 0)
    assert (info.severity, info.message, info.detail, info.hint, info.index) == (
        "INFO",
        "plain",
        None,
        None,
        1,
    )
    assert warning.to_json()["type"] == "notice" and warning.ts > 0


def test_a_failure_past_the_first_chunk_is_at_its_own_line_and_undoes_the_rest(
    pg_dsn, write_migrations, analysis_of
):
    count = pipeline.CHUNK * 2 + 50
    failing = pipeline.CHUNK + 30  # in the second chunk
    lines = ["-- migrate:up", "CREATE TABLE rows (id int PRIMARY KEY);"]
    lines += [f"INSERT INTO rows VALUES ({1 if i == failing else i + 2});" for i in range(count)]
    lines[2 + 0] = "INSERT INTO rows VALUES (1);"  # the row the failing one repeats
    events: list = []
    analysis = analysis_of(write_migrations({"0001_rows.sql": "\n".join(lines) + "\n"}))
    result = Runner(pg_dsn, analysis, emit=events.append).apply()
    assert result.outcome == "failed"
    failed = [e for e in events if isinstance(e, StatementFailed)]
    assert len(failed) == 1
    assert failed[0].sqlstate == "23505"
    assert failed[0].line == 3 + failing  # file line of that INSERT
    started = [e.index for e in events if isinstance(e, StatementStarted)]
    assert started == list(range(failing + 2))  # nothing after the failure is said to run
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('public.rows')").fetchone()[0]
    assert exists is None  # the whole migration rolled back


def test_a_statement_is_finished_on_screen_while_the_next_one_still_runs(
    pg_dsn, write_migrations, analysis_of
):
    """The server keeps a pipeline's replies to the end unless asked: the first
    statement's end must be seen while the second is still sleeping."""
    folder = write_migrations(
        {"0001_slow.sql": "-- migrate:up\nCREATE TABLE quick (id int);\nSELECT pg_sleep(3);\n"}
    )
    seen = threading.Event()
    events: list = []

    def emit(event) -> None:
        events.append(event)
        if isinstance(event, StatementFinished) and event.index == 0:
            seen.set()

    runner = Runner(pg_dsn, analysis_of(folder), emit=emit)
    worker = threading.Thread(target=runner.apply)
    worker.start()
    try:
        assert seen.wait(2.5)  # well before the sleep ends
        assert not any(isinstance(e, StatementFinished) and e.index == 1 for e in events)
    finally:
        worker.join(30)
