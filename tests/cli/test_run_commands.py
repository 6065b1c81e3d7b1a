"""The headless commands against a real PostgreSQL: what an operator types and sees."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import psycopg
from click.testing import CliRunner

from migtui.cli import main

SLOW = {
    "0001_base.sql": "-- migrate:up\nCREATE TABLE base (id int);\n-- migrate:down\nDROP TABLE base;\n",
    "0002_slow.sql": "-- migrate:up\nCREATE TABLE half (id int);\nSELECT pg_sleep(30);\n"
    "-- migrate:down\nDROP TABLE half;\n",
}

NON_TRANSACTIONAL = {
    # made LIKE another, t's columns are the server's to know: 0002 fails at run time
    "0001_t.sql": "-- migrate:up\nCREATE TABLE t0 (id int, email text);\nCREATE TABLE t (LIKE t0);\n",
    "0002_idx.sql": "-- migrate:up\nCREATE INDEX CONCURRENTLY idx_t_id ON t (id);\n"
    "CREATE INDEX CONCURRENTLY idx_t_email ON t (nope);\n",
}


def migtui(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def ndjson(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def status(dsn: str, folder) -> dict[str, str]:
    result = migtui("status", "--dsn", dsn, "--dir", str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    return {m["version"]: m["state"] for m in json.loads(result.output)["migrations"]}


def test_status_json_lists_every_migration_with_its_state(pg_dsn, bundled_dir):
    result = migtui("status", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["ledger"] == "migtui's ledger (migtui.applied)" and document["notes"] == []
    migrations = document["migrations"]
    assert migrations[0] == {
        "version": "0001",
        "name": "extensions",
        "state": "pending",
        "applied_at": None,
        "checksum": migrations[0]["checksum"],
        "note": None,
    }
    assert len(migrations[0]["checksum"]) == 64
    versions = [m["version"] for m in migrations]
    assert versions.index("0013") + 1 == versions.index("0013_5")


def test_apply_json_streams_one_event_per_line_and_exits_0(pg_dsn, bundled_dir):
    result = migtui(
        "apply", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--yes", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    events = ndjson(result.output)
    assert all("ts" in e and "type" in e for e in events)
    assert events[-1]["type"] == "plan_finished" and events[-1]["outcome"] == "done"
    finished = [e for e in events if e["type"] == "statement_finished"]
    assert {"command_tag", "rows", "duration_ms"} <= set(finished[0])
    assert set(status(pg_dsn, bundled_dir).values()) == {"applied"}


def test_apply_without_yes_and_without_a_terminal_refuses(pg_dsn, bundled_dir):
    result = migtui("apply", "--dsn", pg_dsn, "--dir", str(bundled_dir))
    assert result.exit_code == 1
    assert "--yes" in result.output
    assert set(status(pg_dsn, bundled_dir).values()) == {"pending"}


def test_plan_of_the_chain_as_submitted_is_refused_naming_object_and_hint(pg_dsn, scenarios_dir):
    folder = scenarios_dir / "missing-prerequisite"
    result = migtui("plan", "--dsn", pg_dsn, "--dir", str(folder))
    assert result.exit_code == 1
    assert "table public.proposal_moves" in result.output
    assert "0013_5" in result.output  # the hint
    applied = migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes")
    assert applied.exit_code == 1
    assert "refused" in applied.output
    assert set(status(pg_dsn, folder).values()) == {"pending"}


def test_plan_lists_steps_with_their_statements(pg_dsn, bundled_dir):
    result = migtui("plan", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--to", "0002")
    assert result.exit_code == 0
    assert "0001" in result.output and "0002" in result.output and "0003" not in result.output
    assert "CREATE TABLE users" in result.output


def test_plan_and_the_apply_gate_carry_the_lock_hints(pg_dsn, bundled_dir):
    """Before anything runs, the operator sees which statements would lock a
    table in use: beside each statement in `plan`, per step at apply's gate."""
    plan = migtui("plan", "--dsn", pg_dsn, "--dir", str(bundled_dir))
    line_27 = next(line for line in plan.output.splitlines() if line.strip().startswith("27 "))
    assert "idx_proposal_moves_source" in line_27 and "◆ index-not-concurrent" in line_27
    gate = CliRunner().invoke(
        main, ["apply", "--dsn", pg_dsn, "--dir", str(bundled_dir)], input="n\n"
    )
    said = "◆ lock hints: no-lock-timeout (line 16), lock-held (line 16), index-not-concurrent"
    assert said in gate.output and "and 3 more" in gate.output
    assert set(status(pg_dsn, bundled_dir).values()) == {"pending"}  # the gate said no


def test_json_runs_open_with_what_they_destroy_and_their_lock_hints(pg_dsn, bundled_dir):
    """A script reads the gate's facts as the first NDJSON line: per step what it
    drops and the data at risk (rollback), and the lock hints (apply)."""
    applied = migtui(
        "apply", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--yes", "--format", "json"
    )
    first = ndjson(applied.output)[0]
    assert first["type"] == "apply_preview" and len(first["steps"]) == 18
    rules = {(h["migration"], h["line"], h["rule"]) for h in first["hints"]}
    assert ("0014", 27, "index-not-concurrent") in rules
    back = migtui("rollback", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--to", "0013_5",
                  "--yes", "--format", "json")  # fmt: skip
    preview = ndjson(back.output)[0]
    assert preview["type"] == "rollback_preview"
    step_0014 = next(step for step in preview["steps"] if step["version"] == "0014")
    assert "column public.proposal_moves.metadata" in step_0014["drops"]


def test_a_failing_migration_shows_sqlstate_file_line_and_the_sql_around_it(pg_dsn, scenarios_dir):
    folder = scenarios_dir / "failing"
    result = migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes")
    assert result.exit_code == 1
    assert "22012" in result.output and "division by zero" in result.output
    assert "0003_weekly_load.sql:23" in result.output
    assert "→   23 │ UPDATE weekly_load" in result.output
    states = status(pg_dsn, folder)
    # not applied, and its last run failed: "failed" until a run of it succeeds
    assert (states["0001"], states["0002"], states["0003"]) == ("applied", "applied", "failed")


def test_a_connection_error_is_one_line_with_the_password_hidden(bundled_dir):
    result = CliRunner().invoke(
        main,
        ["status", "--dsn", "postgresql://ops:s3cret@127.0.0.1:1/x", "--dir", str(bundled_dir)],
    )
    assert result.exit_code == 2
    assert "s3cret" not in result.output
    assert "postgresql://ops:***@127.0.0.1:1/x" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_rollback_needs_to_be_told_how_far(pg_dsn, bundled_dir):
    result = migtui("rollback", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--yes")
    assert result.exit_code == 2
    assert "--steps" in result.output


def test_rollback_shows_what_it_drops_and_the_rows_at_risk(pg_dsn, bundled_dir):
    assert migtui("apply", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--to", "0002", "--yes")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('a@x.invalid'), ('b@x.invalid')")
    database = psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"]
    args = ("rollback", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--steps", "1")
    refused = migtui(*args, "--yes")  # --yes is not enough when data is at risk
    assert refused.exit_code == 1 and f"--confirm {database}" in refused.output
    wrong = migtui(*args, "--confirm", "production")
    assert wrong.exit_code == 1 and "is not the target database" in wrong.output
    assert status(pg_dsn, bundled_dir)["0002"] == "applied"
    result = migtui(*args, "--confirm", database)
    assert result.exit_code == 0, result.output
    assert "drops table public.users" in result.output
    assert "public.users: all 2 rows deleted (table dropped)" in result.output
    assert "2 rows deleted." in result.output
    assert status(pg_dsn, bundled_dir)["0002"] == "pending"


def test_rollback_all_leaves_nothing_applied(pg_dsn, bundled_dir):
    migtui("apply", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--yes")
    database = psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"]
    result = migtui(
        "rollback", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--all", "--confirm", database
    )
    assert result.exit_code == 0, result.output
    assert set(status(pg_dsn, bundled_dir).values()) == {"pending"}


def test_dirty_then_resolve_then_history(pg_dsn, write_migrations):
    folder = write_migrations(NON_TRANSACTIONAL)
    result = migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes")
    assert result.exit_code == 1
    assert status(pg_dsn, folder)["0002"] == "dirty"

    refused = migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes")
    assert refused.exit_code == 1 and "resolve" in refused.output

    resolved = migtui("resolve", "0002", "--pending", "--dsn", pg_dsn, "--dir", str(folder))
    assert resolved.exit_code == 0, resolved.output
    assert status(pg_dsn, folder)["0002"] == "pending"
    again = migtui("resolve", "0002", "--applied", "--dsn", pg_dsn, "--dir", str(folder))
    assert again.exit_code == 1 and "not dirty" in again.output

    history = migtui("history", "--dsn", pg_dsn, "--format", "json")
    entries = json.loads(history.output)["history"]
    assert [(e["version"], e["action"], e["outcome"]) for e in entries][-2:] == [
        ("0002", "apply", "dirty"),
        ("0002", "resolve", "pending"),
    ]


def test_a_second_apply_while_one_runs_exits_3_naming_the_holder(pg_dsn, write_migrations):
    folder = write_migrations(SLOW)
    first = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from migtui.cli import main; main()",
            "apply",
            "--dsn",
            pg_dsn,
            "--dir",
            str(folder),
            "--yes",
            "--format",
            "json",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in first.stdout:
            if '"statement_started"' in line and "pg_sleep" in line:
                break
        started = time.monotonic()
        second = migtui(
            "apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes", "--lock-wait", "0.5"
        )
        assert time.monotonic() - started >= 0.5
        assert second.exit_code == 3
        assert "pid " in second.output and "migtui" in second.output
    finally:
        first.kill()
        first.wait(10)
        first.stdout.close()


def test_resolve_shows_what_ran_and_marks_applied_only_with_evidence(pg_dsn, write_migrations):
    folder = write_migrations(NON_TRANSACTIONAL)
    assert migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes").exit_code == 1
    base = ("resolve", "0002", "--dsn", pg_dsn, "--dir", str(folder))

    shown = migtui(*base)
    assert shown.exit_code == 0, shown.output
    assert "ran: #1 (line 2)" in shown.output and "did not run: #2 (line 3)" in shown.output
    assert "exists: index public.idx_t_id" in shown.output
    assert "missing: index public.idx_t_email" in shown.output

    refused = migtui(*base, "--applied")
    assert refused.exit_code == 1 and "did not finish" in refused.output
    assert status(pg_dsn, folder)["0002"] == "dirty"
    database = psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"]
    forced = migtui(*base, "--applied", "--confirm", database, "--reason", "email index not needed")
    assert forced.exit_code == 0, forced.output
    assert status(pg_dsn, folder)["0002"] == "applied"
    history = json.loads(migtui("history", "--dsn", pg_dsn, "--format", "json").output)["history"]
    assert "email index not needed" in history[-1]["message"]


def test_resolve_finish_runs_only_what_did_not_run(pg_dsn, write_migrations):
    folder = write_migrations(
        {
            # made LIKE another: the server finds t has no column b, at run time
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t0 (id int);\nCREATE TABLE t (LIKE t0);\n",
            "0002_idx.sql": "-- migrate:up transaction:false\n"
            "CREATE INDEX CONCURRENTLY idx_t_id ON t (id);\n"
            "CREATE INDEX CONCURRENTLY idx_t_b ON t (b);\n",
        }
    )
    assert migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes").exit_code == 1
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE t ADD COLUMN b int")  # what the second statement lacked
    finished = migtui("resolve", "0002", "--finish", "--dsn", pg_dsn, "--dir", str(folder))
    assert finished.exit_code == 0, finished.output
    assert status(pg_dsn, folder)["0002"] == "applied"
    assert "idx_t_id" not in finished.output.split("0002")[-1] or "CREATE INDEX" in finished.output
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        indexes = {
            r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 't'")
        }
    assert indexes == {"idx_t_id", "idx_t_b"}


def test_rollback_refuses_a_down_that_drops_what_the_database_lacks(pg_dsn, write_migrations):
    folder = write_migrations(
        {
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);\n"
            "-- migrate:down\nDROP INDEX t_id;\nDROP TABLE t;\n",
        }
    )
    assert migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes").exit_code == 0
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP INDEX t_id")  # someone tidied up by hand
    database = psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"]
    args = ("rollback", "--dsn", pg_dsn, "--dir", str(folder), "--steps", "1", "--yes")
    refused = migtui(*args, "--confirm", database)
    assert refused.exit_code == 1
    assert "0001_t.sql:5: drops index public.t_id" in refused.output
    assert "--force" in refused.output
    assert status(pg_dsn, folder)["0001"] == "applied"


def test_a_forced_rollback_is_recorded_as_forced(pg_dsn, write_migrations):
    folder = write_migrations(
        {
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);\n"
            "-- migrate:down\nDROP INDEX IF EXISTS t_id;\nDROP TABLE t;\nDROP INDEX t_gone;\n",
        }
    )
    assert migtui("apply", "--dsn", pg_dsn, "--dir", str(folder), "--yes").exit_code == 0
    args = ("rollback", "--dsn", pg_dsn, "--dir", str(folder), "--steps", "1", "--yes")
    assert migtui(*args).exit_code == 1  # the down drops an index nothing made
    forced = migtui(*args, "--force")
    assert forced.exit_code == 1  # and it does fail there, rolled back whole
    history = json.loads(migtui("history", "--dsn", pg_dsn, "--format", "json").output)["history"]
    assert history[-1]["action"] == "rollback" and "forced (--force)" in history[-1]["message"]
    assert status(pg_dsn, folder)["0001"] == "applied"


def test_ctrl_c_cancels_the_running_statement_and_records_it(pg_dsn, write_migrations):
    import signal

    folder = write_migrations(SLOW)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from migtui.cli import main; main()",
            "apply",
            "--dsn",
            pg_dsn,
            "--dir",
            str(folder),
            "--yes",
            "--format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in child.stdout:  # wait until the slow statement runs
        if '"statement_started"' in line and "pg_sleep" in line:
            break
    time.sleep(0.3)
    child.send_signal(signal.SIGINT)
    child.send_signal(signal.SIGINT)  # an impatient second one changes nothing
    started = time.monotonic()
    _, err = child.communicate(timeout=30)
    assert time.monotonic() - started < 15
    assert child.returncode == 1
    assert "Traceback" not in err and "cancelling" in err
    assert status(pg_dsn, folder) == {"0001": "applied", "0002": "pending"}
    history = json.loads(migtui("history", "--dsn", pg_dsn, "--format", "json").output)["history"]
    assert (history[-1]["version"], history[-1]["outcome"]) == ("0002", "cancelled")


def test_a_role_without_rights_gets_one_line_never_a_traceback(pg_dsn, bundled_dir):
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS migtui_visitor")
        conn.execute("CREATE ROLE migtui_visitor LOGIN")
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    visitor = make_conninfo(pg_dsn, user="migtui_visitor")
    try:
        base = ("--dsn", visitor, "--dir", str(bundled_dir))
        for args in (
            ("apply", *base, "--yes"),
            ("apply", *base, "--dry-run"),
            ("status", *base),
            ("history", "--dsn", visitor),
            ("rollback", *base, "--all", "--yes"),
        ):
            result = migtui(*args)
            assert "Traceback" not in result.output, (args, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), args
            if args[0] == "apply" and "--dry-run" not in args:
                assert result.exit_code == 1 and "42501" in result.output
                assert "CREATE on the database" in result.output
        assert conninfo_to_dict(visitor)["user"] == "migtui_visitor"
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute("DROP OWNED BY migtui_visitor")
            conn.execute("DROP ROLE migtui_visitor")


def test_a_deleted_ledger_row_is_a_mismatch_with_its_fix(pg_dsn, bundled_dir):
    assert migtui("apply", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--to", "0003", "--yes")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM migtui.applied WHERE version = '0003'")
    assert status(pg_dsn, bundled_dir)["0003"] == "ledger_mismatch"
    refused = migtui("apply", "--dsn", pg_dsn, "--dir", str(bundled_dir), "--yes")
    assert refused.exit_code == 1 and "migtui resolve 0003 --applied" in refused.output
    fixed = migtui("resolve", "0003", "--applied", "--dsn", pg_dsn, "--dir", str(bundled_dir))
    assert fixed.exit_code == 0, fixed.output
    assert status(pg_dsn, bundled_dir)["0003"] == "applied"


def test_ndjson_lines_reach_a_reader_while_the_statement_still_runs(pg_dsn, write_migrations):
    folder = write_migrations(
        {
            "0001_slow.sql": "-- migrate:up\n"
            "DO $$ BEGIN RAISE NOTICE 'early news'; PERFORM pg_sleep(3); END $$;\n"
        }
    )
    child = subprocess.Popen(
        [sys.executable, "-c", "from migtui.cli import main; main()", "apply"]
        + ["--dsn", pg_dsn, "--dir", str(folder), "--yes", "--format", "json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in child.stdout:
            if '"notice"' in line:
                break
        assert "early news" in line
        assert child.poll() is None  # the server is still sleeping: the line came at once
        rest = [json.loads(line) for line in child.stdout]
        assert rest[-1]["type"] == "plan_finished" and rest[-1]["outcome"] == "done"
    finally:
        child.kill()
        child.wait(10)
        child.stdout.close()


def test_the_ndjson_path_loads_no_rich(pg_dsn, write_migrations):
    folder = write_migrations({"0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int);\n"})
    code = (
        "import sys\n"
        "from migtui.cli import main\n"
        f"sys.argv = ['migtui', 'apply', '--dsn', {pg_dsn!r}, '--dir', {str(folder)!r},"
        " '--yes', '--format', 'json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('loaded:', sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'pygments'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    lines = result.stdout.strip().splitlines()
    assert json.loads(lines[-2])["outcome"] == "done", result.stdout + result.stderr
    assert lines[-1] == "loaded: []"
