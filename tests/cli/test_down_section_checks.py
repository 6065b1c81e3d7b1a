"""A down section that check knows will fail: apply is not stopped by it, a
rollback through it is, unless the operator forces it — and then the server
fails exactly where check said."""

from __future__ import annotations

import json

from click.testing import CliRunner

from migtui.cli import main

WRONG_DOWN = {
    "0001_versions.sql": "-- migrate:up\nCREATE TABLE versions (id int);\n"
    "-- migrate:down\nDROP TABLE versions;\n",
    "0002_uindex.sql": "-- migrate:up\nCREATE UNIQUE INDEX versions_id_uindex ON versions (id);\n"
    "-- migrate:down\nALTER TABLE versions DROP CONSTRAINT versions_id_uindex;\n",
}


def migtui(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_reports_the_down_section_error_with_its_section(write_migrations):
    folder = write_migrations(WRONG_DOWN)
    result = migtui("check", "--dir", str(folder), "--format", "json")
    assert result.exit_code == 1
    (error,) = [p for p in json.loads(result.output)["problems"] if p["severity"] == "error"]
    assert (error["section"], error["file"], error["line"]) == ("down", "0002_uindex.sql", 4)
    assert error["object"] == "constraint versions_id_uindex on public.versions"


def test_apply_runs_a_rollback_through_it_is_refused_then_forced(pg_dsn, write_migrations):
    folder = write_migrations(WRONG_DOWN)
    applied = migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes")
    assert applied.exit_code == 0, applied.output

    refused = migtui("rollback", "--dsn", pg_dsn, "--dir", str(folder), "--steps", "1", "--yes")
    assert refused.exit_code == 1
    assert "versions_id_uindex" in refused.output and "--force" in refused.output

    forced = migtui(
        "rollback",
        "--dsn",
        pg_dsn,
        "--dir",
        str(folder),
        "--steps",
        "1",
        "--yes",
        "--force",
        "--format",
        "json",
    )
    assert forced.exit_code == 1
    failed = [
        json.loads(line) for line in forced.output.splitlines() if '"statement_failed"' in line
    ]
    assert failed and failed[0]["sqlstate"] == "42704"
    assert failed[0]["line"] == 4


def test_an_empty_down_file_rolls_back_as_nothing_to_undo(pg_dsn, write_migrations):
    # golang-migrate runs an empty down file as a step that undoes nothing
    folder = write_migrations(
        {"1_data.up.sql": "CREATE TABLE t (id int);\n", "1_data.down.sql": ""}
    )
    assert migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes").exit_code == 0
    result = migtui("rollback", "--dsn", pg_dsn, "--dir", str(folder), "--steps", "1", "--yes")
    assert result.exit_code == 0, result.output
    status = migtui("status", "--dsn", pg_dsn, "--dir", str(folder), "--format", "json")
    assert [m["state"] for m in json.loads(status.output)["migrations"]] == ["pending"]


def test_a_missing_down_file_is_still_refused(pg_dsn, write_migrations):
    folder = write_migrations({"1_data.up.sql": "CREATE TABLE t (id int);\n"})
    assert migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes").exit_code == 0
    result = migtui("rollback", "--dsn", pg_dsn, "--dir", str(folder), "--steps", "1", "--yes")
    assert result.exit_code == 1
    assert "no down section" in result.output
