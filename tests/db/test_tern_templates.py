"""A tern folder whose migrations use tern.conf's [data] and shared templates
runs as tern runs it: the expanded SQL, and its rollback the expanded down."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.db


def test_a_tern_migration_runs_expanded(tmp_path, pg_dsn, analysis_of):
    from migtui.db.runner import Runner

    (tmp_path / "tern.conf").write_text("[data]\nprefix = app_\n")
    folder = tmp_path / "migrations"
    (folder / "shared").mkdir(parents=True)
    (folder / "shared" / "count.sql").write_text(
        "create function {{.prefix}}count() returns bigint language sql\n"
        "as 'select count(*) from {{.prefix}}items';\n"
    )
    (folder / "001_items.sql").write_text(
        "create table {{.prefix}}items (id int);\n"
        '{{ template "shared/count.sql" . }}\n'
        "---- create above / drop below ----\n"
        "drop function {{.prefix}}count();\ndrop table {{.prefix}}items;\n"
    )
    analysis = analysis_of(folder)
    assert analysis.layout == "tern" and analysis.problems == ()

    assert Runner(pg_dsn, analysis, emit=lambda e: None).apply().outcome == "done"
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT app_count()").fetchone() == (0,)
    assert Runner(pg_dsn, analysis, emit=lambda e: None).rollback().outcome == "done"
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('app_items')").fetchone() == (None,)
