"""With ``--dsn``, migrations start on the search_path a session on the target
takes: its database's (or role's) own setting, as the team's tool meets it.
A database set to look in ``tenant`` first finds ``people`` there."""

from __future__ import annotations

import psycopg
import pytest
from click.testing import CliRunner

from migtui.cli import main
from migtui.db.catalog import session_path

pytestmark = pytest.mark.db


def test_a_database_of_its_own_search_path_is_checked_along_it(pg_dsn, write_migrations):
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(f'ALTER DATABASE "{name}" SET search_path = tenant, public')
        conn.execute("CREATE SCHEMA tenant; CREATE TABLE tenant.people (id int)")
    folder = write_migrations(
        {
            "0001_a.sql": "-- migrate:up\nCREATE INDEX people_id ON people (id);\n"
            "CREATE TABLE visits (person int);\n-- migrate:down\nDROP TABLE visits;\n"
            "DROP INDEX people_id;\n"
        }
    )
    offline = CliRunner().invoke(main, ["check", "--dir", str(folder)])
    live = CliRunner().invoke(main, ["check", "--dir", str(folder), "--dsn", pg_dsn])
    assert "needs table public.people" in offline.output
    assert live.exit_code == 0, live.output
    # the server agrees: applied as a session there runs it, visits lands in tenant
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE INDEX people_id ON people (id); CREATE TABLE visits (person int)")
        assert conn.execute("SELECT to_regclass('tenant.visits')").fetchone()[0] is not None


def test_the_setting_is_read_as_the_schemas_names_are_found_in():
    assert session_path('"$user", public', "app", {"app", "public"}) == ("app", "public")
    assert session_path('"$user", public', "app", {"public"}) == ("public",)
    assert session_path('tenant, "Odd ""One""", pg_catalog', "x", set()) == (
        "tenant",
        'Odd "One"',
    )
