"""The lock each statement is predicted to take, against the locks PostgreSQL
really holds for it (pg_locks, inside the statement's transaction): a
prediction the server contradicts would mislead an operator at the gate."""

from __future__ import annotations

import psycopg
import pytest

from migtui.core.locks import MODES, PG_LOCKS_MODES, predict
from migtui.core.statements import split

SETUP = """
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE busy (id int PRIMARY KEY, a int, note text);
CREATE MATERIALIZED VIEW summary AS SELECT count(*) AS n FROM busy;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE VIEW recent AS SELECT * FROM busy;
CREATE INDEX busy_note ON busy (note);
CREATE INDEX busy_ids ON busy USING brin (id);
"""

STATEMENTS = [
    "CREATE INDEX busy_a ON busy (a)",
    "ALTER TABLE busy ADD COLUMN b int",
    "ALTER TABLE busy ADD CONSTRAINT a_fk FOREIGN KEY (a) REFERENCES parent (id)",
    "ALTER TABLE busy ADD CONSTRAINT a_ck CHECK (a > 0) NOT VALID",
    "ALTER TABLE busy ALTER COLUMN a SET STATISTICS 500",
    "ALTER TABLE busy DISABLE TRIGGER ALL",
    # storage parameters: most take less than ACCESS EXCLUSIVE
    "ALTER TABLE busy SET (autovacuum_vacuum_scale_factor = 0.1, fillfactor = 70)",
    "ALTER TABLE busy SET (toast.autovacuum_enabled = false)",
    "ALTER TABLE busy RESET (fillfactor)",
    "ALTER TABLE busy SET (fillfactor = 70, user_catalog_table = true)",
    "ALTER TABLE busy SET (fillfactor = 70), ADD COLUMN c int",
    "ALTER MATERIALIZED VIEW summary SET (autovacuum_enabled = false)",
    "ALTER VIEW recent SET (security_barrier = true)",
    "ALTER INDEX busy_note SET (fillfactor = 80)",
    "ALTER INDEX busy_ids SET (pages_per_range = 64)",
    "ALTER INDEX busy_note RENAME TO busy_note_idx",
    "ALTER TABLE busy RENAME TO busier",
    "CREATE TRIGGER t BEFORE INSERT ON busy FOR EACH ROW EXECUTE FUNCTION touch()",
    "CREATE TABLE child (id int REFERENCES parent (id))",
    "TRUNCATE busy",
    "UPDATE busy SET note = 'x'",
    "LOCK TABLE busy IN SHARE ROW EXCLUSIVE MODE",
    "REFRESH MATERIALIZED VIEW summary",
    "DROP TABLE busy CASCADE",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_the_server_takes_the_predicted_lock(pg_dsn, statement):
    [parsed] = split(statement).statements
    predicted = predict(parsed.tree)
    assert predicted, "every statement here locks a table"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(SETUP)
        # by oid: a dropped table has no pg_class row left to join
        names = dict(conn.execute("SELECT oid, relname FROM pg_class"))
        with conn.transaction(force_rollback=True):
            conn.execute(statement)
            # (a relation renamed keeps the name the statement wrote)
            for oid, name in conn.execute("SELECT oid, relname FROM pg_class"):
                names.setdefault(oid, name)
            held: dict[str, str] = {}
            for oid, mode in conn.execute(
                "SELECT relation, mode FROM pg_locks"
                " WHERE pid = pg_backend_pid() AND locktype = 'relation'"
            ):
                relation, name = names.get(oid), PG_LOCKS_MODES[mode]
                if relation not in held or MODES.index(name) > MODES.index(held[relation]):
                    held[relation] = name
    for lock in predicted:
        assert held.get(lock.relation) == lock.mode, (statement, held)


def test_drop_if_exists_of_nothing_takes_no_lock(pg_dsn):
    # what graph's walk relies on to drop such a statement's lock hints
    with (
        psycopg.connect(pg_dsn, autocommit=True) as conn,
        conn.transaction(force_rollback=True),
    ):
        conn.execute("DROP TABLE IF EXISTS never_made")
        conn.execute("DROP INDEX IF EXISTS never_made_idx")
        held = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()"
            " AND locktype = 'relation' AND mode = 'AccessExclusiveLock'"
        ).fetchone()
    assert held == (0,)


def test_the_way_told_for_an_index_on_a_partitioned_table_is_the_one_that_works(pg_dsn):
    # what graph tells of index-not-concurrent on a partitioned table
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE views (id int, day date) PARTITION BY RANGE (day)")
        conn.execute(
            "CREATE TABLE views_2024 PARTITION OF views FOR VALUES FROM ('2024-01-01') "
            "TO ('2025-01-01')"
        )
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            conn.execute("CREATE INDEX CONCURRENTLY views_id ON views (id)")
        conn.execute("CREATE INDEX views_id ON ONLY views (id)")
        conn.execute("CREATE INDEX CONCURRENTLY views_2024_id ON views_2024 (id)")
        conn.execute("ALTER INDEX views_id ATTACH PARTITION views_2024_id")
        valid = conn.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'views_id'::regclass"
        ).fetchone()
    assert valid == (True,)
