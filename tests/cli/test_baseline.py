"""A database that has the schema but no ledger (restored from a dump, or
migrated by hand): status says so, apply refuses, and a baseline records the
migrations as applied only once their objects are found."""

from __future__ import annotations

import json

import psycopg
from click.testing import CliRunner

from migtui.cli import main


def migtui(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def restored(dsn: str, folder) -> None:
    """The chain's schema without any ledger: applied, then the ledger dropped,
    as a schema-only restore or a hand-run history leaves a database."""
    result = migtui("apply", "--dsn", dsn, "--dir", str(folder), "--yes")
    assert result.exit_code == 0, result.output
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA migtui CASCADE")


def states(dsn: str, folder) -> tuple[dict[str, str], list[str]]:
    result = migtui("status", "--dsn", dsn, "--dir", str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    return {m["version"]: m["state"] for m in document["migrations"]}, document["notes"]


def test_status_says_unrecorded_apply_refuses_baseline_records(pg_dsn, bundled_dir):
    restored(pg_dsn, bundled_dir)
    before, notes = states(pg_dsn, bundled_dir)
    assert set(before.values()) == {"unrecorded"}
    assert any("0001…0018 exist but no ledger records them" in n for n in notes)

    refused = migtui("apply", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--yes")
    assert refused.exit_code == 1
    assert "migtui baseline --to 0018" in refused.output

    done = migtui("baseline", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--to", "0018")
    assert done.exit_code == 0, done.output
    assert "18 migrations (0001…0018) recorded as applied" in done.output
    after, _ = states(pg_dsn, bundled_dir)
    assert set(after.values()) == {"applied"}
    again = migtui("apply", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--yes")
    assert again.exit_code == 0 and "up to date" in again.output


def test_a_missing_object_refuses_the_baseline_naming_it_unless_forced(pg_dsn, bundled_dir):
    restored(pg_dsn, bundled_dir)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP INDEX churn_settings_one_default")
    refused = migtui("baseline", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--to", "0018")
    assert refused.exit_code == 1
    assert (
        "index public.churn_settings_one_default" in refused.output
        and "made by 0018" in refused.output
    )
    states_now, _ = states(pg_dsn, bundled_dir)
    assert "applied" not in states_now.values()  # nothing was recorded

    forced = migtui(
        "baseline",
        "--dsn",
        pg_dsn,
        "--dir",
        str(bundled_dir),
        "--to",
        "0018",
        "--force",
        "--reason",
        "settings moved to the warehouse",
    )
    assert forced.exit_code == 0, forced.output
    assert "missing, recorded anyway" in forced.output
    history = migtui("history", "--dsn", pg_dsn, "--format", "json")
    entries = json.loads(history.output)["history"]
    [entry] = [e for e in entries if e["action"] == "baseline"]
    assert "index public.churn_settings_one_default" in entry["message"]
    assert "warehouse" in entry["message"]


def test_a_baseline_to_an_earlier_version_leaves_the_rest_pending(pg_dsn, bundled_dir):
    restored(pg_dsn, bundled_dir)
    done = migtui("baseline", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--to", "0012")
    assert done.exit_code == 0, done.output
    after, _ = states(pg_dsn, bundled_dir)
    assert after["0012"] == "applied" and after["0013"] == "pending"


def test_a_database_with_a_ledger_needs_no_baseline(pg_dsn, bundled_dir):
    result = migtui("apply", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--yes", "--to", "0003")
    assert result.exit_code == 0, result.output
    refused = migtui("baseline", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--to", "0003")
    assert refused.exit_code == 1 and "already records migrations" in refused.output
