"""Reading the live catalog, and what a rollback would destroy."""

from __future__ import annotations

import psycopg

from migtui.core.model import ObjectRef
from migtui.core.plan import build_rollback_plan
from migtui.db import ledger
from migtui.db.catalog import read_catalog
from migtui.db.preview import rollback_preview
from migtui.db.runner import Runner


def test_the_catalog_names_objects_in_the_one_spelling(pg_conn):
    pg_conn.execute(
        """
        CREATE SCHEMA billing;
        CREATE TYPE billing.state AS ENUM ('open', 'paid');
        CREATE DOMAIN positive AS int CHECK (VALUE > 0);
        CREATE TABLE billing.invoice (id int PRIMARY KEY, due timestamptz, state billing.state);
        CREATE INDEX invoice_due ON billing.invoice (due);
        CREATE VIEW open_invoices AS SELECT id FROM billing.invoice;
        CREATE MATERIALIZED VIEW totals AS SELECT 1 AS n;
        CREATE SEQUENCE numbers;
        CREATE FUNCTION billing.late(p_id integer, p_at timestamp with time zone)
            RETURNS boolean LANGUAGE sql AS 'SELECT true';
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER invoice_touch BEFORE UPDATE ON billing.invoice
            FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE EXTENSION citext;
        CREATE PUBLICATION invoices FOR TABLE billing.invoice;
        CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
        CREATE EVENT TRIGGER watch_ddl ON ddl_command_end EXECUTE FUNCTION on_ddl();
        """
    )
    ledger.ensure_ledger(pg_conn)  # migtui's own schema is not the user's
    objects = {str(o) for o in read_catalog(pg_conn).objects}
    expected = {
        "schema billing",
        "type billing.state",
        "domain public.positive",
        "table billing.invoice",
        "index billing.invoice_due",
        "index billing.invoice_pkey",
        "view public.open_invoices",
        "materialized view public.totals",
        "sequence public.numbers",
        "function billing.late(integer, timestamp with time zone)",
        "function public.touch()",
        "trigger invoice_touch on billing.invoice",
        "extension citext",
        "column billing.invoice.due",
        "publication invoices",
        "table billing.invoice in publication invoices",
        "event trigger watch_ddl",
    }
    assert expected <= objects
    assert not [o for o in objects if "migtui" in o or "pg_catalog" in o]


def test_a_catalog_ref_matches_what_the_analysis_would_name(pg_conn):
    pg_conn.execute("CREATE TABLE proposal_moves (id int)")
    snapshot = read_catalog(pg_conn)
    assert snapshot.has(ObjectRef.parse("table public.proposal_moves"))
    assert not snapshot.has(ObjectRef.parse("table public.rebalancing_proposals"))


def test_rollback_preview_lists_drops_and_counts_rows_at_risk(pg_dsn, bundled_dir, analysis_of):
    analysis = analysis_of(bundled_dir)
    assert Runner(pg_dsn, analysis, emit=lambda e: None).apply().outcome == "done"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        user = conn.execute("INSERT INTO users (email) VALUES ('p@x.invalid') RETURNING id")
        user_id = user.fetchone()[0]
        proposal = conn.execute(
            "INSERT INTO rebalancing_proposals (user_id, window_start, window_end)"
            " VALUES (%s, now(), now() + interval '1 day') RETURNING id",
            (user_id,),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO proposal_moves (proposal_id, user_id, move_type)"
            " SELECT %s, %s, 'insert' FROM generate_series(1, 3)",
            (proposal, user_id),
        )
        statuses = ledger.read_status(conn, analysis)
        plan = build_rollback_plan(analysis, statuses, to="0013_5")
        risks = {r.version: r for r in rollback_preview(conn, analysis, plan)}
    risk = risks["0014"]
    assert "trigger trg_prevent_move_immovable on public.calendar_events_new" in risk.drops
    assert any(d.startswith("function public.prevent_move_immovable(") for d in risk.drops)
    assert "index public.idx_moves_assignment" in risk.drops
    assert "column public.proposal_moves.metadata" in risk.drops
    moves = next(t for t in risk.tables if t.table == "public.proposal_moves")
    assert "metadata" in moves.columns and moves.values_lost == 3 and moves.deleted == 0


def test_a_role_the_server_lacks_is_found_before_the_apply_fails_on_it(
    pg_dsn, pg_conn, write_migrations
):
    from migtui.core.graph import analyze_dir
    from migtui.db.runner import RunOptions

    root = write_migrations(
        {
            "0001_secrets.sql": "-- migrate:up\nCREATE TABLE secrets (id int);\n"
            "GRANT SELECT ON secrets TO postgres;\n",
            "0002_grant.sql": "-- migrate:up\nGRANT SELECT ON secrets TO no_such_role_here;\n",
        }
    )
    snapshot = read_catalog(pg_conn)
    assert snapshot.roles_read and snapshot.has(ObjectRef("role", None, "postgres"))
    analysis = analyze_dir(root, catalog=snapshot)
    [warning] = [p for p in analysis.problems if p.kind == "missing_prerequisite"]
    assert (warning.migration, warning.object, str(warning.severity)) == (
        "0002",
        "role no_such_role_here",
        "warning",
    )
    result = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda e: None).apply()
    assert (result.outcome, result.failed) == ("failed", "0002")
    assert "42704" in result.message
