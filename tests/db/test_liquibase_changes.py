"""The SQL Liquibase's change types are read as is SQL PostgreSQL runs: the
analysis of an XML changelog reasons about statements the server accepts, and
the rollback Liquibase derives undoes them."""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg

from migtui.core.layouts import load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_liquibase import JHIPSTER_LIKE, MASTER  # noqa: E402


def test_translated_changes_run_and_their_derived_rollbacks_undo_them(pg_dsn, tmp_path):
    (tmp_path / "master.xml").write_text(MASTER.format(body=JHIPSTER_LIKE))
    first, second, _broken = load(tmp_path).migrations
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        tables = "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'jhi_%'"
        conn.execute(first.up.text)
        conn.execute(second.up.text)
        assert conn.execute(tables).fetchone()[0] == 3
        login = conn.execute(
            "SELECT is_nullable FROM information_schema.columns"
            " WHERE table_name = 'jhi_user' AND column_name = 'email'"
        ).fetchone()
        assert login == ("NO",)
        conn.execute("DROP VIEW admins; ALTER TABLE jhi_user DROP COLUMN email;")
        conn.execute("ALTER TABLE jhi_user DROP COLUMN language")
        conn.execute(first.down.text)
        assert conn.execute(tables).fetchone()[0] == 0
