"""Lock hints from parse trees: each rule fires on the statement that earns it,
names the file line, and stays quiet where the lock cannot hurt (a table the
migration itself creates, NOT VALID constraints, CONCURRENTLY)."""

from __future__ import annotations

from pathlib import Path

from migtui.core.graph import analyze_dir
from migtui.core.locks import lint, predict
from migtui.core.statements import split


def linted(sql: str, *, held: bool = True, wraps: bool = False, tool: str = "dbmate"):
    return lint(
        split(sql).statements,
        migration="0001",
        file="0001_x.sql",
        runs_in_transaction=wraps,
        held_in_transaction=held,
        tool=tool,
    )


def hints(sql: str, *, held: bool = True, wraps: bool = False, tool: str = "dbmate"):
    return [(p.rule, p.line) for p in linted(sql, held=held, wraps=wraps, tool=tool)]


def modes(sql: str) -> list[str]:
    [statement] = split(sql).statements
    return [str(lock) for lock in predict(statement.tree)]


def test_predicted_modes_follow_the_documented_lock_levels():
    assert modes("CREATE INDEX i ON t (a)") == ["SHARE on t"]
    assert modes("CREATE INDEX CONCURRENTLY i ON s.t (a)") == ["SHARE UPDATE EXCLUSIVE on s.t"]
    assert modes("ALTER TABLE t ADD COLUMN c int") == ["ACCESS EXCLUSIVE on t"]
    assert modes("ALTER TABLE t VALIDATE CONSTRAINT c") == ["SHARE UPDATE EXCLUSIVE on t"]
    assert modes("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)") == [
        "SHARE ROW EXCLUSIVE on t",
        "SHARE ROW EXCLUSIVE on u",
    ]
    assert modes("ALTER TABLE t DISABLE TRIGGER ALL") == ["SHARE ROW EXCLUSIVE on t"]
    assert modes("CREATE TABLE c (id int REFERENCES p (id))") == ["SHARE ROW EXCLUSIVE on p"]
    assert modes("LOCK TABLE t IN SHARE MODE") == ["SHARE on t"]
    assert modes("TRUNCATE a, b") == ["ACCESS EXCLUSIVE on a", "ACCESS EXCLUSIVE on b"]
    assert modes("UPDATE t SET a = 1") == ["ROW EXCLUSIVE on t"]
    assert modes("DROP INDEX CONCURRENTLY i") == ["SHARE UPDATE EXCLUSIVE on the table of index i"]
    assert modes("DROP VIEW v") == ["ACCESS EXCLUSIVE on v"]
    assert modes("VACUUM FULL t") == ["ACCESS EXCLUSIVE on t"]
    # (run outside a transaction, so not held to pg_locks by the DB test)
    assert modes("ALTER TABLE p DETACH PARTITION c CONCURRENTLY") == ["SHARE UPDATE EXCLUSIVE on p"]
    assert modes("ALTER TABLE p DETACH PARTITION c") == ["ACCESS EXCLUSIVE on p"]
    assert modes("SELECT 1") == []


def test_an_index_on_an_existing_table_but_not_on_a_new_one():
    sql = (
        "SET lock_timeout = '2s';\n"
        "CREATE TABLE fresh (id int);\n"
        "CREATE INDEX ON fresh (id);\n"
        "CREATE INDEX ON busy (id);\n"
        "CREATE INDEX CONCURRENTLY ON busy (id);\n"
    )
    assert hints(sql) == [("index-not-concurrent", 4)]


def test_rewrites_volatile_defaults_and_type_changes():
    sql = (
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE busy ADD COLUMN a int DEFAULT 0;\n"
        "ALTER TABLE busy ADD COLUMN b timestamptz DEFAULT now();\n"
        "ALTER TABLE busy ADD COLUMN c uuid DEFAULT gen_random_uuid();\n"
        "ALTER TABLE busy ADD COLUMN d bigserial;\n"
        "ALTER TABLE busy ALTER COLUMN a TYPE bigint;\n"
    )
    assert hints(sql, held=False) == [("rewrite", 4), ("rewrite", 5), ("rewrite", 6)]


def test_validation_under_lock_and_the_not_valid_way():
    sql = (
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE busy ADD CONSTRAINT c CHECK (a > 0);\n"
        "ALTER TABLE busy ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES o (id);\n"
        "ALTER TABLE busy ALTER COLUMN a SET NOT NULL;\n"
        "ALTER TABLE busy ADD CONSTRAINT c2 CHECK (a > 0) NOT VALID;\n"
        "ALTER TABLE busy ADD CONSTRAINT f2 FOREIGN KEY (a) REFERENCES o (id) NOT VALID;\n"
        "ALTER TABLE busy VALIDATE CONSTRAINT c2;\n"
    )
    assert hints(sql, held=False) == [
        ("validating-constraint", 2),
        ("validating-constraint", 3),
        ("validating-constraint", 4),
    ]


def test_lock_timeout_is_asked_for_once_and_not_after_it_is_set():
    assert hints("ALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\n",
                 held=False) == [("no-lock-timeout", 1)]  # fmt: skip
    assert hints("SET LOCAL lock_timeout TO 1000;\nALTER TABLE a ADD COLUMN x int;\n") == []


def test_a_lock_held_while_slow_statements_run():
    sql = (
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE busy ADD COLUMN note text;\n"
        "INSERT INTO busy (note) VALUES ('x');\n"
        "UPDATE busy SET note = 'y';\n"
    )
    assert hints(sql) == [("lock-held", 2)]
    assert hints(sql, held=False) == []  # statement by statement, each commits


def test_work_on_a_table_made_empty_in_the_migration_holds_no_lock_long():
    # Prisma's shape: an existing table altered, then a new table and its indexes
    made = (
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE busy ADD COLUMN app_id int;\n"
        "CREATE TABLE app (id int, slug text);\n"
        "CREATE UNIQUE INDEX app_slug ON app (slug);\n"
        "UPDATE app SET slug = lower(slug);\n"
    )
    assert hints(made) == []
    # filled from a query first, the new table is no longer empty
    filled = made.replace(
        "CREATE UNIQUE INDEX", "INSERT INTO app SELECT id, note FROM busy;\nCREATE UNIQUE INDEX"
    )
    assert hints(filled) == [("lock-held", 2)]


def test_relations_made_by_the_same_migration_lock_nobody_out():
    # pg_dump's order: each relation is made, then altered (owner, defaults,
    # constraints), and indexes and data come after: nobody waits on any of it
    sql = (
        "CREATE SEQUENCE app.t_id_seq START WITH 1;\n"
        "ALTER SEQUENCE app.t_id_seq OWNER TO app;\n"
        "CREATE VIEW app.v AS SELECT 1 AS one;\n"
        "ALTER VIEW app.v OWNER TO app;\n"
        "CREATE MATERIALIZED VIEW app.mv AS SELECT 1 AS one;\n"
        "ALTER MATERIALIZED VIEW app.mv OWNER TO app;\n"
        "CREATE INDEX mv_one ON app.mv (one);\n"
        "UPDATE app.busy SET x = 1;\n"
    )
    assert hints(sql) == []
    # the same alterations of relations made before this migration do lock
    existing = sql.replace("CREATE SEQUENCE app.t_id_seq START WITH 1;\n", "")
    assert hints(existing) == [("no-lock-timeout", 1), ("lock-held", 1)]


def test_a_table_made_by_select_into_or_renamed_here_is_still_new():
    sql = (
        "SELECT 1 AS id INTO staging;\n"
        "ALTER TABLE staging ADD COLUMN note text;\n"
        "CREATE TABLE fresh (id int);\n"
        "ALTER TABLE fresh RENAME TO kept;\n"
        "ALTER TABLE kept ADD COLUMN note text;\n"
        "CREATE INDEX kept_id ON kept (id);\n"
    )
    assert hints(sql) == []
    # a table that was there before, renamed: the rename and what follows lock it
    assert hints("ALTER TABLE old RENAME TO kept;\nALTER TABLE kept ADD COLUMN c int;\n") == [
        ("no-lock-timeout", 1)
    ]


def test_concurrently_where_the_tool_wraps_a_transaction():
    sql = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY ON busy (id);\n"
    found = linted(sql, held=False, wraps=True)
    assert [(p.rule, p.line) for p in found] == [("concurrently-in-transaction", 2)]
    assert "dbmate runs this migration in a transaction" in found[0].message
    assert "25001" in found[0].message


def test_hints_are_warnings_of_the_folder_with_file_and_line(tmp_path: Path):
    folder = tmp_path / "db"
    folder.mkdir()
    (folder / "0001_users.sql").write_text(
        "-- migrate:up\nCREATE TABLE users (id int, email text);\n"
        "-- migrate:down\nDROP TABLE users;\n"
    )
    (folder / "0002_index.sql").write_text(
        "-- migrate:up\nCREATE INDEX ON users (email);\n-- migrate:down\nSELECT 1;\n"
    )
    (folder / "0003_dbmate_concurrently.sql").write_text(
        "-- migrate:up\nSET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY ON users (id);\n"
        "-- migrate:down\nSELECT 1;\n"
    )
    analysis = analyze_dir(folder)  # native: dbmate's format
    lint_problems = list(analysis.hints)
    assert [(p.migration, p.rule, p.file, p.line) for p in lint_problems] == [
        ("0002", "index-not-concurrent", "0002_index.sql", 2),
    ]
    assert all(str(p.severity) == "warning" and not p.blocks_apply for p in lint_problems)
    assert lint_problems[0].to_json()["rule"] == "index-not-concurrent"
    assert not analysis.errors  # hints are counted apart …
    # … but a statement dbmate would run where the server refuses it is a warning
    [refused] = analysis.warnings
    assert (refused.kind, refused.migration, refused.file, refused.line) == (
        "tool_transaction",
        "0003",
        "0003_dbmate_concurrently.sql",
        3,
    )
    assert "transaction:false" in refused.hint and not refused.blocks_apply
    assert analysis.get("0003").problems == (refused,)
    # the config's lint_off still turns it off, there and in the migration's own
    quiet = analysis.without_rules(["concurrently-in-transaction"])
    assert quiet.warnings == () and quiet.get("0003").problems == ()


def test_flyway_runs_a_script_of_only_concurrent_statements_outside_a_transaction(tmp_path):
    """Flyway finds CONCURRENTLY itself: alone in a script it is fine; mixed with
    other statements flyway refuses the script."""
    folder = tmp_path / "db"
    folder.mkdir()
    (folder / "V1__events.sql").write_text("CREATE TABLE events (id int, at timestamptz);\n")
    (folder / "V2__alone.sql").write_text("CREATE INDEX CONCURRENTLY e_at ON events (at);\n")
    (folder / "V3__mixed.sql").write_text(
        "SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY e_id ON events (id);\n"
    )
    warnings = analyze_dir(folder, layout="flyway").warnings
    found = [(p.migration, p.rule) for p in warnings if p.kind == "tool_transaction"]
    assert found == [("3", "concurrently-in-transaction")]


def test_down_sections_and_a_files_own_begin_are_held_to_the_same_rule(tmp_path):
    """goose runs a down section in a transaction as it runs the up: DROP INDEX
    CONCURRENTLY there fails under goose (25001, checked in
    test_tool_transactions). A file's own BEGIN … COMMIT around CONCURRENTLY
    fails under any tool that runs it as written, transaction:false or not."""
    goose = tmp_path / "goose"
    goose.mkdir()
    (goose / "00001_t.sql").write_text(
        "-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n"
    )
    (goose / "00002_idx.sql").write_text(
        "-- +goose Up\nCREATE INDEX t_id ON t (id);\n"
        "-- +goose Down\nDROP INDEX CONCURRENTLY t_id;\n"
    )
    [refused] = [p for p in analyze_dir(goose).warnings if p.kind == "tool_transaction"]
    assert (refused.migration, refused.section, refused.line) == ("00002", "down", 4)
    assert "goose runs this migration in a transaction" in refused.message
    assert "NO TRANSACTION" in refused.hint

    dbmate = tmp_path / "dbmate"
    dbmate.mkdir()
    (dbmate / "0001_t.sql").write_text("-- migrate:up\nCREATE TABLE t (x int);\n")
    (dbmate / "0002_idx.sql").write_text(
        "-- migrate:up transaction:false\nBEGIN;\nCREATE INDEX CONCURRENTLY i ON t (x);\n"
        "COMMIT;\n-- migrate:down\nDROP INDEX i;\n"
    )
    [refused] = [p for p in analyze_dir(dbmate).warnings if p.kind == "tool_transaction"]
    assert (refused.migration, refused.section, refused.line) == ("0002", "up", 3)
    assert "the file's own BEGIN" in refused.message
    assert "remove the BEGIN and COMMIT" in refused.hint


def test_a_dropped_index_is_named_as_an_index_whose_table_is_locked():
    [hint] = linted("DROP INDEX IF EXISTS metrics_flow_id;\n", held=False)
    assert hint.rule == "no-lock-timeout" and hint.object == "index metrics_flow_id"
    assert "on the table of index metrics_flow_id" in hint.message


def test_an_index_of_a_table_made_in_the_migration_locks_nothing_in_use():
    # kinto's first migration: a table made, indexed, and an index dropped again
    sql = (
        "CREATE TABLE records (id text, parent_id text);\n"
        "CREATE INDEX idx_records_parent ON records (parent_id);\n"
        "DROP INDEX IF EXISTS idx_records_parent;\n"
        "CREATE TABLE app.items (id int);\nCREATE INDEX items_id ON app.items (id);\n"
        "DROP INDEX app.items_id;\n"
    )
    assert hints(sql) == []
    # an index of a table that was there before still locks it
    assert hints("DROP INDEX IF EXISTS older_idx;\n") == [("no-lock-timeout", 1)]


def test_drop_if_exists_of_what_is_not_there_locks_nothing(tmp_path: Path):
    folder = tmp_path / "db"
    folder.mkdir()
    (folder / "0001_t.sql").write_text(
        "-- migrate:up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"
        "CREATE TABLE old (id int);\n-- migrate:down\nDROP TABLE a, b;\n"
    )
    (folder / "0002_gone.sql").write_text(
        "-- migrate:up\nDROP TABLE old;\n-- migrate:down\nCREATE TABLE old (id int);\n"
    )
    (folder / "0003_nothing.sql").write_text(
        # never made, dropped already: neither DROP locks anything, and the UPDATE
        # after them holds no lock of theirs
        "-- migrate:up\nDROP TABLE IF EXISTS never_made;\nDROP TABLE IF EXISTS old;\n"
        "DROP INDEX IF EXISTS never_made_idx;\nUPDATE a SET id = 1;\n-- migrate:down\nSELECT 1;\n"
    )
    (folder / "0004_then_a_lock.sql").write_text(
        # the lock timeout is asked for at the first statement that does lock
        "-- migrate:up\nDROP TABLE IF EXISTS never_made;\nALTER TABLE a ADD COLUMN n int;\n"
        "UPDATE a SET n = 1;\n-- migrate:down\nALTER TABLE a DROP COLUMN n;\n"
    )
    (folder / "0005_there.sql").write_text(
        "-- migrate:up\nDROP TABLE IF EXISTS b;\nALTER TABLE a ADD COLUMN m int;\n"
        "-- migrate:down\nCREATE TABLE b (id int);\nALTER TABLE a DROP COLUMN m;\n"
    )
    analysis = analyze_dir(folder)
    assert analysis.errors == ()
    found = [(h.migration, h.rule, h.line) for h in analysis.hints]
    assert [f for f in found if f[0] == "0003"] == []
    assert [f for f in found if f[0] == "0004"] == [
        ("0004", "no-lock-timeout", 3),
        ("0004", "lock-held", 3),
    ]
    # a table that is there: its DROP takes the lock, and is said once
    assert [f for f in found if f[0] == "0005"] == [("0005", "no-lock-timeout", 2)]


def test_a_table_truncated_in_the_migration_is_empty_after_it():
    sql = (
        "SET lock_timeout = '2s';\n"
        "TRUNCATE sessions;\n"
        "ALTER TABLE sessions ADD COLUMN token text NOT NULL;\n"
        "CREATE UNIQUE INDEX sessions_token ON sessions (token);\n"
        "ALTER TABLE sessions ADD CONSTRAINT token_long CHECK (length(token) > 8);\n"
    )
    assert hints(sql) == []
    # without the TRUNCATE the same work reads and indexes every row
    assert [rule for rule, _ in hints(sql.replace("TRUNCATE sessions;\n", ""))] == [
        "index-not-concurrent",
        "validating-constraint",
        "lock-held",
    ]


def test_a_key_or_unique_constraint_builds_its_index_under_the_lock():
    sql = (
        "SET lock_timeout = '2s';\n"
        "ALTER TABLE busy ADD PRIMARY KEY (id);\n"
        "ALTER TABLE busy ADD CONSTRAINT busy_email UNIQUE (email);\n"
        "ALTER TABLE busy ADD CONSTRAINT busy_code UNIQUE USING INDEX busy_code_idx;\n"
    )
    found = linted(sql)
    assert [(p.rule, p.line) for p in found] == [
        ("index-not-concurrent", 2),
        ("index-not-concurrent", 3),
    ]
    assert "USING INDEX" in found[0].hint and "CONCURRENTLY" in found[0].hint


def test_a_column_added_unique_builds_an_index_under_the_lock():
    sql = "SET lock_timeout = '2s';\nALTER TABLE busy ADD COLUMN mongo_id text UNIQUE;\n"
    [found] = linted(sql)
    assert (found.rule, found.line) == ("index-not-concurrent", 2)
    assert "UNIQUE USING INDEX" in found.hint


def test_an_index_on_a_partitioned_table_is_told_the_way_that_works(tmp_path: Path):
    folder = tmp_path / "db"
    folder.mkdir()
    (folder / "0001_views.sql").write_text(
        "-- migrate:up\nCREATE TABLE views (id int, day date) PARTITION BY RANGE (day);\n"
        "CREATE TABLE plain (id int);\n-- migrate:down\nDROP TABLE views, plain;\n"
    )
    (folder / "0002_index.sql").write_text(
        "-- migrate:up\nCREATE INDEX views_id ON views (id);\nCREATE INDEX plain_id ON plain (id);\n"
        "-- migrate:down\nDROP INDEX views_id, plain_id;\n"
    )
    partitioned, plain = analyze_dir(folder).hints
    # PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table
    assert "ON ONLY" in partitioned.hint and "ATTACH PARTITION" in partitioned.hint
    assert "ON ONLY" not in plain.hint
