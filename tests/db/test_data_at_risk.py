"""What a rollback would destroy, counted exactly on a real PostgreSQL: rows a
down section deletes (with its own WHERE, and what ON DELETE CASCADE takes
along), values in dropped columns, values an UPDATE overwrites — each row
counted once, in the same words on both faces."""

from __future__ import annotations

import psycopg

from migtui.core.graph import analyze_dir
from migtui.core.plan import build_apply_plan, build_rollback_plan
from migtui.db import ledger
from migtui.db.preview import preview_plan, rollback_preview, summary
from migtui.db.runner import Runner, RunOptions


def preview(dsn, folder, to):
    analysis = analyze_dir(folder)
    with psycopg.connect(dsn, autocommit=True) as conn:
        plan = build_rollback_plan(analysis, ledger.read_status(conn, analysis), to=to)
        assert not plan.blockers, plan.blockers
        return {r.version: r for r in rollback_preview(conn, analysis, plan)}


def applied(dsn, folder):
    analysis = analyze_dir(folder)
    assert (
        Runner(dsn, analysis, options=RunOptions(), emit=lambda e: None).apply().outcome == "done"
    )


def test_dropped_columns_lose_values_not_rows(pg_dsn, scenarios_dir):
    """The demo's 0014 drops columns from tables holding rows: values are lost,
    no row is, and no row is counted twice."""
    folder = scenarios_dir / "fixed"
    applied(pg_dsn, folder)
    risks = preview(pg_dsn, folder, "0013_6")
    risk = risks["0014"]
    moves = [t for t in risk.tables if t.table == "public.proposal_moves"]
    assert len(moves) == 1
    [moves] = moves
    assert moves.deleted == 0 and moves.rows == moves.values_lost > 0
    assert len(moves.columns) >= 2  # one entry for the table, every column named in it
    assert risk.rows_deleted == 0
    line = " ".join(moves.lines())
    assert f"of {moves.rows} row" in line and "columns" in line and "lost" in line
    assert "deleted" not in summary([risk])


def test_a_downs_delete_is_counted_with_its_where_and_its_cascades(pg_dsn, scenarios_dir):
    """0013_6's down deletes the demo's proposal and user; their moves, events,
    calendars… go with them by ON DELETE CASCADE."""
    folder = scenarios_dir / "fixed"
    applied(pg_dsn, folder)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # a user the down does not touch
        conn.execute("INSERT INTO users (email) VALUES ('stays@example.invalid')")
        users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        moves = conn.execute("SELECT count(*) FROM proposal_moves").fetchone()[0]
    risk = preview(pg_dsn, folder, "0013_5")["0013_6"]
    by_table = {t.table: t for t in risk.tables}
    assert by_table["public.users"].deleted == 1 and by_table["public.users"].rows == users
    assert "DELETE at line" in by_table["public.users"].deleted_by[0]
    assert by_table["public.rebalancing_proposals"].deleted == 1
    cascaded = by_table["public.proposal_moves"]
    assert cascaded.deleted == moves > 0
    assert "ON DELETE CASCADE" in cascaded.deleted_by[0]
    text = " ".join(line for t in risk.tables for line in t.lines())
    assert f"1 of {users} rows deleted" in text
    assert "deleted" in summary([risk])


def test_truncate_update_and_no_double_counting(pg_dsn, write_migrations):
    folder = write_migrations(
        {
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int PRIMARY KEY, note text);\n"
            "INSERT INTO t SELECT g, 'x' FROM generate_series(1, 10) g;\n"
            "-- migrate:down\nDROP TABLE t;\n",
            "0002_u.sql": "-- migrate:up\nCREATE TABLE u (id int, kind text);\n"
            "INSERT INTO u SELECT g, CASE WHEN g <= 4 THEN 'a' ELSE 'b' END"
            " FROM generate_series(1, 6) g;\n"
            "-- migrate:down\n"
            "DELETE FROM t WHERE id <= 5;\n"
            "DELETE FROM t WHERE id BETWEEN 4 AND 7;\n"
            "UPDATE t SET note = NULL WHERE id > 8;\n"
            "TRUNCATE u;\n"
            "DROP TABLE u;\n",
        }
    )
    applied(pg_dsn, folder)
    risk = preview(pg_dsn, folder, "0001")["0002"]
    by_table = {t.table: t for t in risk.tables}
    t = by_table["public.t"]
    assert (t.rows, t.deleted) == (10, 7)  # ids 1–7, the overlap counted once
    assert (t.updated, t.updated_columns) == (2, ("note",))
    u = by_table["public.u"]
    assert (u.rows, u.deleted) == (6, 6) and "truncated" in u.deleted_by
    assert risk.rows_deleted == 13
    assert summary([risk]) == "13 rows deleted, values overwritten in 2 rows."


def test_counting_changes_nothing(pg_dsn, write_migrations):
    folder = write_migrations(
        {
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (2);\n"
            "-- migrate:down\nDELETE FROM t WHERE id = 1;\nDROP TABLE t;\n",
        }
    )
    applied(pg_dsn, folder)
    analysis = analyze_dir(folder)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        plan = build_rollback_plan(analysis, ledger.read_status(conn, analysis), all=True)
        rollback_preview(conn, analysis, plan)
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 2


def test_an_apply_preview_knows_what_earlier_steps_make(pg_dsn, write_migrations):
    """Steps that only make things are not parsed again, yet what they make still
    counts: a later drop of it is no failure; a drop of what nothing made is."""
    folder = write_migrations(
        {
            "0001_make.sql": "-- migrate:up\nCREATE TABLE kept (id int);\n"
            "CREATE TABLE renamed_from (id int);\n"
            "ALTER TABLE renamed_from RENAME TO renamed_to;\n"
            "-- migrate:down\nDROP TABLE renamed_to;\nDROP TABLE kept;\n",
            "0002_drop.sql": "-- migrate:up\nDROP TABLE kept;\nDROP TABLE renamed_to;\n"
            "DROP TABLE never_made;\n"
            "-- migrate:down\nSELECT 1;\n",
        }
    )
    analysis = analyze_dir(folder)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        plan = build_apply_plan(analysis, ledger.read_status(conn, analysis))
        risks = {r.version: r for r in preview_plan(conn, analysis, plan)}
    assert risks["0001"].drops == () and risks["0001"].absent_drops == ()
    absent = [obj for obj, _line in risks["0002"].absent_drops]
    assert absent == ["table public.never_made"]  # the fresh database has none of the three


def test_on_delete_set_null_overwrites_values_rows_stay(pg_dsn, write_migrations):
    """A down deleting parents whose children reference them ON DELETE SET NULL:
    the children stay, their reference is overwritten; said as such, not as lost rows."""
    folder = write_migrations(
        {
            "0001_p.sql": "-- migrate:up\nCREATE TABLE p (id int PRIMARY KEY);\n"
            "INSERT INTO p VALUES (1), (2), (3);\n"
            "CREATE TABLE c (id int PRIMARY KEY,"
            " p_id int REFERENCES p (id) ON DELETE SET NULL);\n"
            "INSERT INTO c VALUES (10, 1), (11, 1), (12, 2), (13, NULL);\n"
            "-- migrate:down\nDROP TABLE c;\nDROP TABLE p;\n",
            "0002_seed.sql": "-- migrate:up\nSELECT 1;\n"
            "-- migrate:down\nDELETE FROM p WHERE id = 1;\n",
        }
    )
    applied(pg_dsn, folder)
    risk = preview(pg_dsn, folder, "0001")["0002"]
    by_table = {t.table: t for t in risk.tables}
    assert by_table["public.p"].deleted == 1
    child = by_table["public.c"]
    assert (child.deleted, child.updated, child.updated_columns) == (0, 2, ("p_id",))
    assert child.updated_by == ("ON DELETE SET NULL from public.p",)
    assert summary([risk]) == "1 row deleted, values overwritten in 2 rows."
