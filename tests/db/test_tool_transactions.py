"""What ``tool_transaction`` says, against the server: a statement that refuses
a transaction block fails inside one, whether the tool opened it (goose runs a
down section in one, as it runs the up) or the file's own BEGIN did."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.db


def test_concurrently_fails_in_a_down_run_in_a_transaction_and_after_the_files_begin(pg_dsn):
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS tt_t")
        conn.execute("CREATE TABLE tt_t (id int)")
        conn.execute("CREATE INDEX tt_t_id ON tt_t (id)")
        # goose's down: its transaction, then the section's statement
        with pytest.raises(psycopg.errors.ActiveSqlTransaction), conn.transaction():
            conn.execute("DROP INDEX CONCURRENTLY tt_t_id")
        # dbmate's transaction:false sends the file as written: its BEGIN first
        with pytest.raises(psycopg.errors.ActiveSqlTransaction):
            conn.execute("BEGIN; CREATE INDEX CONCURRENTLY tt_t_x ON tt_t (id); COMMIT;")
        conn.execute("ROLLBACK")
        conn.execute("DROP TABLE tt_t")
