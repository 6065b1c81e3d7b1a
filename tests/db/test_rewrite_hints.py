"""Lock hints against what the server does. ``rewrite`` on ``ALTER COLUMN …
TYPE``: a change that keeps the rows as they are (a longer varchar, varchar to
text, a wider numeric of the same scale) only edits the catalog, and the table
keeps its file; any other gets a new file, written under ACCESS EXCLUSIVE.
``validating-constraint`` on ``SET NOT NULL``: a column that is NOT NULL
already (declared so, a serial, a primary key's) is not scanned. Each hint is
given exactly when the server does that work."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.db

#: (the column as made, its new type, whether the server rewrites the table)
CASES = [
    ("varchar(10)", "varchar(20)", False),
    ("varchar(10)", "varchar", False),
    ("varchar(10)", "text", False),
    ("varchar", "text", False),
    ("text", "varchar", False),
    ("numeric(10,2)", "numeric(12,2)", False),
    ("numeric(10,2)", "numeric", False),
    ("timestamp(3)", "timestamp(6)", False),
    ("varchar(20)", "varchar(10)", True),
    ("text", "varchar(50)", True),
    ("numeric(10,2)", "numeric(12,3)", True),
    ("numeric", "numeric(12,2)", True),
    ("int", "bigint", True),
    ("char(5)", "text", True),
    ("timestamp", "timestamptz", None),  # depends on the session's TimeZone: not judged
    # USING the column cast to its new type is the column itself to PostgreSQL
    ("varchar(255)", "varchar(4000) USING v::varchar(4000)", False),
    ("varchar(10)", "text USING CAST(v AS text)", False),
    ("varchar(10)", "varchar(20) USING upper(v)", True),
    ("int", "bigint USING v::bigint", True),
]


def _server_rewrites(dsn: str, made: str, new: str) -> bool:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS busy")
        conn.execute(f"CREATE TABLE busy (id int PRIMARY KEY, v {made})")
        conn.execute("CREATE INDEX busy_v ON busy (v)")
        conn.execute("INSERT INTO busy VALUES (1, NULL)")
        files = "SELECT pg_relation_filenode('busy'), pg_relation_filenode('busy_v')"
        before = conn.execute(files).fetchone()
        conn.execute(f"ALTER TABLE busy ALTER COLUMN v TYPE {new}")
        after = conn.execute(files).fetchone()
        assert (before[0] == after[0]) == (before[1] == after[1]), "table and index agree"
        return before != after


@pytest.mark.parametrize(("made", "new", "rewritten"), CASES, ids=lambda c: str(c))
def test_the_hint_is_given_when_the_server_rewrites(
    pg_dsn, write_migrations, analysis_of, made, new, rewritten
):
    if rewritten is not None:
        assert _server_rewrites(pg_dsn, made, new) is rewritten, "the table's expectation"
    folder = write_migrations(
        {
            "0001_make.sql": f"-- migrate:up\nCREATE TABLE busy (id int PRIMARY KEY, v {made});\n",
            "0002_change.sql": f"-- migrate:up\nALTER TABLE busy ALTER COLUMN v TYPE {new};\n",
        }
    )
    hints = [h for h in analysis_of(folder).hints if h.rule == "rewrite"]
    assert bool(hints) is (rewritten is not False)
    if hints:
        assert hints[0].object == "column public.busy.v" and hints[0].line == 2


def test_a_widening_with_using_or_twice_in_one_migration_keeps_the_hint(
    write_migrations, analysis_of
):
    folder = write_migrations(
        {
            "0001_make.sql": "-- migrate:up\nCREATE TABLE busy (id int, v varchar(10), w int);\n",
            "0002_change.sql": (
                "-- migrate:up\nALTER TABLE busy ALTER v TYPE varchar(20) USING upper(v);\n"
            ),
            "0003_twice.sql": (
                "-- migrate:up\nALTER TABLE busy ALTER v TYPE text;\n"
                "ALTER TABLE busy ALTER v TYPE int USING length(v);\n"
            ),
        }
    )
    hints = [(h.migration, h.line) for h in analysis_of(folder).hints if h.rule == "rewrite"]
    assert hints == [("0002", 2), ("0003", 2), ("0003", 3)]


#: (the table as made, the column SET NOT NULL is given to, whether the server reads the rows)
NOT_NULL_CASES = [
    ("id int PRIMARY KEY, a int", "a", True),
    ("id int PRIMARY KEY, a int NOT NULL", "a", False),
    ("id int PRIMARY KEY, a bigserial NOT NULL", "a", False),
    ("id int PRIMARY KEY, a serial", "a", False),  # a serial is NOT NULL by itself
    ("id int PRIMARY KEY, a int", "id", False),  # a primary key's column is
    ("id int, a int CONSTRAINT a_nn NOT NULL", "a", False),
]


def _server_scans(dsn: str, made: str, column: str) -> bool:
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS busy")
        conn.execute(f"CREATE TABLE busy ({made})")
        conn.commit()
        scans = "SELECT coalesce(seq_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = 'busy'"
        with conn.transaction(force_rollback=True):
            before = (conn.execute(scans).fetchone() or (0,))[0]
            conn.execute(f"ALTER TABLE busy ALTER COLUMN {column} SET NOT NULL")
            after = (conn.execute(scans).fetchone() or (0,))[0]
        return after > before


@pytest.mark.parametrize(("made", "column", "scanned"), NOT_NULL_CASES, ids=lambda c: str(c))
def test_set_not_null_is_hinted_at_when_the_server_reads_the_rows(
    pg_dsn, write_migrations, analysis_of, made, column, scanned
):
    assert _server_scans(pg_dsn, made, column) is scanned, "the table's expectation"
    folder = write_migrations(
        {
            "0001_make.sql": f"-- migrate:up\nCREATE TABLE busy ({made});\n",
            "0002_set.sql": f"-- migrate:up\nALTER TABLE busy ALTER COLUMN {column} SET NOT NULL;\n",
        }
    )
    hints = [h for h in analysis_of(folder).hints if h.rule == "validating-constraint"]
    assert bool(hints) is scanned


#: (a column ADD COLUMN adds, whether the server rewrites the table)
ADDED_CASES = [
    ("g int GENERATED ALWAYS AS (id + 1) STORED", True),
    ("g int GENERATED ALWAYS AS (id + 1)", False),  # PostgreSQL 18: VIRTUAL
    ("g int GENERATED ALWAYS AS (id + 1) VIRTUAL", False),
    ("g uuid DEFAULT gen_random_uuid()", True),
    ("g int DEFAULT 0", False),
    ("g bigserial", True),
]


@pytest.mark.parametrize(("column", "rewritten"), ADDED_CASES, ids=lambda c: str(c))
def test_a_column_added_is_hinted_at_when_the_server_rewrites(
    pg_dsn, write_migrations, analysis_of, column, rewritten
):
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS busy")
        conn.execute("CREATE TABLE busy (id int PRIMARY KEY)")
        conn.execute("INSERT INTO busy VALUES (1)")
        before = conn.execute("SELECT pg_relation_filenode('busy')").fetchone()
        conn.execute(f"ALTER TABLE busy ADD COLUMN {column}")
        after = conn.execute("SELECT pg_relation_filenode('busy')").fetchone()
    assert (before != after) is rewritten, "the table's expectation"
    folder = write_migrations(
        {
            "0001_make.sql": "-- migrate:up\nCREATE TABLE busy (id int PRIMARY KEY);\n",
            "0002_add.sql": f"-- migrate:up\nALTER TABLE busy ADD COLUMN {column};\n",
        }
    )
    hints = [h for h in analysis_of(folder).hints if h.rule == "rewrite"]
    assert bool(hints) is rewritten


def test_set_unlogged_is_a_rewrite_and_a_composite_types_attribute_is_no_table(
    pg_dsn, write_migrations, analysis_of
):
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS busy")
        conn.execute("CREATE TABLE busy (id int PRIMARY KEY)")
        before = conn.execute("SELECT pg_relation_filenode('busy')").fetchone()
        conn.execute("ALTER TABLE busy SET UNLOGGED")
        after = conn.execute("SELECT pg_relation_filenode('busy')").fetchone()
    assert before != after
    folder = write_migrations(
        {
            "0001_make.sql": "-- migrate:up\nCREATE TABLE busy (id int PRIMARY KEY);\n"
            "CREATE TYPE spec AS (name text, priority int);\n",
            "0002_change.sql": "-- migrate:up\nSET lock_timeout = '5s';\n"
            "ALTER TABLE busy SET UNLOGGED;\n"
            "ALTER TYPE spec ALTER ATTRIBUTE priority TYPE smallint;\n",
        }
    )
    hints = [(h.rule, h.line) for h in analysis_of(folder).hints]
    assert hints == [("rewrite", 3)]
