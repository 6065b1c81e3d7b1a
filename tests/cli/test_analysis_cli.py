"""``migtui check``, ``graph`` and ``show``: what an operator types and reads, and the
exit codes scripts rely on (0 clean, 1 problems found, 2 usage or connection error).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result

from migtui.cli import main

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "sql" / "migrations"
MISSING = REPO / "sql" / "scenarios" / "missing-prerequisite"
OUT_OF_ORDER = REPO / "sql" / "scenarios" / "out-of-order"
MIGTUI = Path(sys.executable).with_name("migtui")
FILE_0014 = "0014_rebalancing_concurrency_linkage.sql"


def migtui(*args: str | Path) -> Result:
    """Run a command in process, with a terminal wide enough that no line wraps."""
    runner = CliRunner(env={"COLUMNS": "200"})
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def migtui_process(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed command as a script would: real exit code, real stderr."""
    return subprocess.run(
        [str(MIGTUI), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd or REPO), "COLUMNS": "80"},
    )


def check_json(*args: str | Path) -> tuple[int, dict]:
    result = migtui("check", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def first_line_with(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


# -- check: exit codes and what it says ----------------------------------------------------


def test_check_bundled_chain_exits_0() -> None:
    result = migtui("check", "--dir", BUNDLED)
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output
    assert "18 migrations" in result.output


def test_check_missing_prerequisite_exits_1_naming_object_file_line_and_hint() -> None:
    result = migtui("check", "--dir", MISSING)
    line = first_line_with(MISSING / FILE_0014, "ALTER TABLE proposal_moves")

    assert result.exit_code == 1
    assert "table public.proposal_moves" in result.output
    assert "table public.rebalancing_proposals" in result.output
    assert f"{FILE_0014}:{line}" in result.output
    assert "hint:" in result.output and "0013_5" in result.output
    assert "2 errors" in result.output


def test_check_out_of_order_exits_1() -> None:
    result = migtui("check", "--dir", OUT_OF_ORDER)
    assert result.exit_code == 1
    assert "out_of_order" in result.output
    assert "0015" in result.output


def test_check_missing_folder_exits_2_with_one_line(tmp_path: Path) -> None:
    proc = migtui_process("check", "--dir", "nope", cwd=tmp_path)

    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    message = proc.stderr.replace("\n", "")  # the one-line rule is tested below
    assert f"{tmp_path / 'nope'} is not a folder" in message


def test_check_missing_folder_with_a_long_path_is_still_one_line(tmp_path: Path) -> None:
    missing = tmp_path / ("deeply-nested-project-folder-" * 3) / "sql" / "migrations"
    proc = migtui_process("check", "--dir", missing, cwd=tmp_path)

    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1
    assert str(missing) in proc.stderr


def test_check_with_no_folder_anywhere_says_what_to_pass(tmp_path: Path) -> None:
    proc = migtui_process("check", cwd=tmp_path)

    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--dir" in proc.stderr and "MIGTUI_DIR" in proc.stderr


# -- check --format json ---------------------------------------------------------------------


def test_check_counts_one_migration_in_the_singular(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("-- migrate:up\nCREATE TABLE t(id int);\n")
    result = migtui("check", "--dir", tmp_path)
    assert "native layout, 1 migration\n" in result.output
    assert "0 errors, 0 warnings in 1 migration " in result.output
    assert result.exit_code == 0


def test_check_json_shape() -> None:
    code, data = check_json("--dir", MISSING)

    assert code == 1
    first = data["migrations"][0]
    for key in ("version", "name", "path", "provides", "requires", "depends_on"):
        assert key in first
    assert all(isinstance(m["version"], str) for m in data["migrations"])
    versions = [m["version"] for m in data["migrations"]]
    assert versions[0] == "0001" and versions[-1] == "0014"

    m0014 = next(m for m in data["migrations"] if m["version"] == "0014")
    assert m0014["path"] == FILE_0014
    assert "0008" in m0014["depends_on"]
    unmet = {r["object"] for r in m0014["requires"] if r["source"] is None}
    assert unmet == {"table public.proposal_moves", "table public.rebalancing_proposals"}

    problem_keys = {"kind", "severity", "migration", "object", "file", "line", "message", "hint"}
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert all(problem_keys <= set(p) for p in data["problems"])
    assert sorted(p["object"] for p in errors) == [
        "table public.proposal_moves",
        "table public.rebalancing_proposals",
    ]
    moves = next(p for p in errors if p["object"] == "table public.proposal_moves")
    assert moves["kind"] == "missing_prerequisite"
    assert moves["migration"] == "0014"
    assert moves["file"] == FILE_0014
    assert moves["line"] == first_line_with(MISSING / FILE_0014, "ALTER TABLE proposal_moves")
    assert "0013_5" in moves["hint"]


def test_check_json_of_the_fixed_chain_shows_the_edge_source() -> None:
    code, data = check_json("--dir", BUNDLED)

    assert code == 0
    assert [p for p in data["problems"] if p["severity"] == "error"] == []
    m0014 = next(m for m in data["migrations"] if m["version"] == "0014")
    assert m0014["depends_on"] == ["0008", "0013_5"]
    moves = [r for r in m0014["requires"] if r["object"] == "table public.proposal_moves"]
    assert moves and all(r["met_by"] == "0013_5" for r in moves)
    assert all(r["source"] == "migration" for r in moves)


# -- where the folder comes from --------------------------------------------------------------


def test_migtui_dir_environment_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MIGTUI_DIR", str(MISSING))

    code, data = check_json()
    assert code == 1
    assert Path(data["root"]) == MISSING


def test_dir_option_wins_over_migtui_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MIGTUI_DIR", str(MISSING))

    code, data = check_json("--dir", BUNDLED)
    assert code == 0
    assert Path(data["root"]) == BUNDLED


def test_pyproject_dir_is_relative_to_the_project(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shutil.copytree(MISSING, tmp_path / "db" / "chain")
    (tmp_path / "pyproject.toml").write_text('[tool.migtui]\ndir = "db/chain"\n')
    monkeypatch.chdir(tmp_path)

    code, data = check_json()
    assert code == 1
    assert Path(data["root"]) == tmp_path / "db" / "chain"


def test_dbmate_is_a_name_of_the_native_layout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "0001_a.sql").write_text("-- migrate:up\nCREATE TABLE t(id int);\n")
    result = migtui("check", "--dir", tmp_path, "--layout", "dbmate")
    assert "native layout, 1 migration" in result.output and result.exit_code == 0

    (tmp_path / "pyproject.toml").write_text('[tool.migtui]\ndir = "."\nlayout = "dbmate"\n')
    monkeypatch.chdir(tmp_path)
    code, data = check_json()
    assert (code, data["layout"]) == (0, "native")


def test_default_folder_is_sql_migrations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shutil.copytree(BUNDLED, tmp_path / "sql" / "migrations")
    monkeypatch.chdir(tmp_path)

    code, data = check_json()
    assert code == 0
    assert Path(data["root"]) == tmp_path / "sql" / "migrations"
    assert len(data["migrations"]) == 18


@pytest.mark.parametrize("folder", ["supabase/migrations", "prisma/migrations"])
def test_a_tools_own_folder_is_found_from_the_project_root(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, folder: str
) -> None:
    (tmp_path / "supabase").mkdir()
    (tmp_path / "supabase" / "config.toml").write_text('project_id = "x"\n')
    if folder.startswith("prisma"):
        (tmp_path / folder / "20240101000000_init").mkdir(parents=True)
        (tmp_path / folder / "20240101000000_init" / "migration.sql").write_text(
            "CREATE TABLE t (id int);\n"
        )
    else:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "20240101000000_init.sql").write_text("CREATE TABLE t (id int);\n")
    monkeypatch.chdir(tmp_path)

    code, data = check_json()
    assert code == 0
    assert Path(data["root"]) == tmp_path / folder
    assert data["layout"] == folder.split("/")[0]


def test_assume_in_pyproject_silences_a_missing_prerequisite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.migtui]\n"
        f'dir = "{MISSING.as_posix()}"\n'
        'assume = ["table public.proposal_moves", "table public.rebalancing_proposals"]\n'
    )
    monkeypatch.chdir(tmp_path)

    code, data = check_json()
    assert code == 0
    m0014 = next(m for m in data["migrations"] if m["version"] == "0014")
    sources = {r["object"]: r["source"] for r in m0014["requires"]}
    assert sources["table public.proposal_moves"] == "assume"
    assert sources["table public.rebalancing_proposals"] == "assume"


def test_assume_of_only_one_table_leaves_the_other(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "migtui.toml").write_text(
        f'dir = "{MISSING.as_posix()}"\nassume = ["table public.proposal_moves"]\n'
    )
    monkeypatch.chdir(tmp_path)

    code, data = check_json()
    assert code == 1
    errors = [p["object"] for p in data["problems"] if p["severity"] == "error"]
    assert errors == ["table public.rebalancing_proposals"]


def test_bad_assume_entry_exits_2_naming_the_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.migtui]\ndir = "{MISSING.as_posix()}"\nassume = ["proposal_moves"]\n'
    )
    proc = migtui_process("check", cwd=tmp_path)

    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "pyproject.toml" in proc.stderr
    assert "proposal_moves" in proc.stderr


# -- graph ---------------------------------------------------------------------------------


def test_graph_dot_labels_edges_and_draws_missing_nodes() -> None:
    result = migtui("graph", "--dir", MISSING, "--format", "dot")

    assert result.exit_code == 0
    dot = result.output
    assert dot.startswith("digraph")
    assert '"0008" -> "0014" [label="table public.calendar_events_new"' in dot
    assert 'label="missing: table public.proposal_moves"' in dot
    assert 'label="missing: table public.rebalancing_proposals"' in dot
    assert '-> "0014" [color=red' in dot


def test_graph_dot_of_the_fixed_chain_has_the_0013_5_edge() -> None:
    dot = migtui("graph", "--dir", BUNDLED, "--format", "dot").output

    edge = next(line for line in dot.splitlines() if '"0013_5" -> "0014"' in line)
    assert "table public.proposal_moves" in edge
    assert "missing" not in dot


def test_graph_mermaid() -> None:
    result = migtui("graph", "--dir", MISSING, "--format", "mermaid")

    assert result.exit_code == 0
    text = result.output
    assert text.startswith("flowchart")
    assert 'm_0008 -->|"table public.calendar_events_new"| m_0014' in text
    assert '(["missing: table public.proposal_moves"]) -.-> m_0014' in text
    assert "class m_0014 blocked" in text


def test_graph_json() -> None:
    result = migtui("graph", "--dir", BUNDLED, "--format", "json")

    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [n["version"] for n in data["nodes"]][:3] == ["0001", "0002", "0003"]
    edge = next(e for e in data["edges"] if (e["from"], e["to"]) == ("0013_5", "0014"))
    assert "table public.proposal_moves" in edge["objects"]
    assert edge["declared"] is False
    assert data["unmet"] == []


def test_graph_json_lists_unmet_requirements() -> None:
    data = json.loads(migtui("graph", "--dir", MISSING, "--format", "json").output)

    assert {(u["migration"], u["object"]) for u in data["unmet"]} == {
        ("0014", "table public.proposal_moves"),
        ("0014", "table public.rebalancing_proposals"),
    }
    assert next(n for n in data["nodes"] if n["version"] == "0014")["blocked"] is True


def test_graph_draws_each_missing_object_once() -> None:
    data = json.loads(migtui("graph", "--dir", MISSING, "--format", "json").output)
    pairs = [(u["migration"], u["object"]) for u in data["unmet"]]
    assert len(pairs) == len(set(pairs))

    dot = migtui("graph", "--dir", MISSING, "--format", "dot").output
    assert dot.count('label="missing: table public.proposal_moves"') == 1


def test_graph_text() -> None:
    result = migtui("graph", "--dir", MISSING)

    assert result.exit_code == 0
    lines = result.output.splitlines()
    start = lines.index("0014_rebalancing_concurrency_linkage")
    block = "\n".join(lines[start + 1 :])
    assert "0008 table public.calendar_events_new" in block
    assert "missing: table public.proposal_moves" in block


def test_graph_missing_folder_exits_2(tmp_path: Path) -> None:
    result = migtui("graph", "--dir", tmp_path / "nope", "--format", "dot")
    assert result.exit_code == 2
    assert result.stdout == ""


# -- show ----------------------------------------------------------------------------------


def test_show_0014_lists_provides_requires_and_numbered_sql() -> None:
    result = migtui("show", "0014", "--dir", BUNDLED)
    path = BUNDLED / FILE_0014
    alter_line = first_line_with(path, "ALTER TABLE proposal_moves")

    assert result.exit_code == 0
    out = result.output
    assert out.splitlines()[0].startswith("0014_rebalancing_concurrency_linkage")
    assert "provides" in out and "requires" in out
    assert "trigger trg_prevent_move_immovable on public.calendar_events_new" in out
    assert "table public.proposal_moves  from 0013_5" in out
    assert f"── up {FILE_0014}" in out
    assert "── down" in out
    assert f"{alter_line} ALTER TABLE proposal_moves" in out


def test_show_json_gives_statement_lines_of_the_file() -> None:
    result = migtui("show", "0014", "--dir", BUNDLED, "--format", "json")
    data = json.loads(result.output)
    path = BUNDLED / FILE_0014

    assert data["version"] == "0014"
    first = data["sections"]["up"][0]
    assert first["line"] == first_line_with(path, "ALTER TABLE proposal_moves")
    assert first["sql"].startswith("ALTER TABLE proposal_moves")
    assert "table public.proposal_moves" not in data["provides"]
    assert data["problems"] == []


def test_show_of_a_blocked_migration_lists_its_problems() -> None:
    result = migtui("show", "0014", "--dir", MISSING)

    assert result.exit_code == 0
    assert "table public.proposal_moves  missing" in result.output
    assert "hint:" in result.output


def test_show_unknown_version_exits_2_naming_it() -> None:
    result = migtui("show", "9999", "--dir", BUNDLED)

    assert result.exit_code == 2
    assert "no migration 9999" in result.stderr
    assert result.stdout == ""


# -- check against a real database ----------------------------------------------------------


def test_check_dsn_meets_prerequisites_the_database_has(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE rebalancing_proposals (id uuid PRIMARY KEY)")
        conn.execute(
            "CREATE TABLE proposal_moves (id uuid PRIMARY KEY, "
            "proposal_id uuid REFERENCES rebalancing_proposals (id), source_event_id uuid)"
        )

    code, data = check_json("--dir", MISSING, "--dsn", pg_dsn)

    assert code == 0, data["problems"]
    assert data["live"] is True
    m0014 = next(m for m in data["migrations"] if m["version"] == "0014")
    sources = {r["object"]: r["source"] for r in m0014["requires"]}
    assert sources["table public.proposal_moves"] == "database"
    assert sources["table public.rebalancing_proposals"] == "database"


def test_check_dsn_of_an_empty_database_still_fails(pg_dsn: str) -> None:
    code, data = check_json("--dir", MISSING, "--dsn", pg_dsn)

    assert code == 1
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert {p["object"] for p in errors} == {
        "table public.proposal_moves",
        "table public.rebalancing_proposals",
    }
    assert all("database" in p["message"] for p in errors)


def test_check_bad_dsn_exits_2_without_the_password() -> None:
    dsn = "postgresql://alice:s3cretpw@127.0.0.1:1/app?connect_timeout=2"
    proc = migtui_process("check", "--dir", MISSING, "--dsn", dsn)

    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "s3cretpw" not in proc.stderr + proc.stdout
    assert "alice" in proc.stderr and "127.0.0.1" in proc.stderr


def test_check_bad_keyword_dsn_exits_2_without_the_password() -> None:
    dsn = "host=127.0.0.1 port=1 user=alice password=s3cretpw dbname=app connect_timeout=2"
    proc = migtui_process("check", "--dir", MISSING, "--dsn", dsn)

    assert proc.returncode == 2
    assert "s3cretpw" not in proc.stderr + proc.stdout


def test_check_malformed_dsn_never_prints_the_password() -> None:
    dsn = "postgresql://alice:s3c%zzretpw@127.0.0.1:1/app"
    proc = migtui_process("check", "--dir", MISSING, "--dsn", dsn)

    assert proc.returncode == 2
    assert "zzretpw" not in proc.stderr + proc.stdout


def test_check_unterminated_quoted_password_is_not_shown() -> None:
    dsn = "host=127.0.0.1 port=1 password='s3cr etpw"
    proc = migtui_process("check", "--dir", MISSING, "--dsn", dsn)

    assert proc.returncode == 2
    assert "etpw" not in proc.stderr + proc.stdout


def test_show_finds_a_version_written_without_its_zeros() -> None:
    result = migtui("show", "14", "--dir", BUNDLED, "--format", "json")

    assert result.exit_code == 0
    assert json.loads(result.output)["version"] == "0014"


def test_check_dsn_knows_which_extensions_the_server_can_install(pg_dsn: str, tmp_path) -> None:
    (tmp_path / "0001_ext.sql").write_text(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
        "CREATE EXTENSION IF NOT EXISTS no_such_extension_here;\n"
    )

    code, data = check_json("--dir", str(tmp_path), "--dsn", pg_dsn)

    assert code == 1
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert [(p["object"], p["line"]) for p in errors] == [("extension no_such_extension_here", 2)]
    assert "pg_available_extensions" in errors[0]["message"]


@pytest.mark.parametrize(
    ("file", "text", "words"),
    [
        ("pyproject.toml", "[tool.migtui]\ndir = 5\n", "dir must be text"),
        ("pyproject.toml", "[tool.migtui]\ndsn = 5\n", "dsn must be text"),
        ("pyproject.toml", '[tool]\nmigtui = "x"\n', "must be a table of settings"),
        ("migtui.toml", "migtui = 5\n", "must be a table of settings"),
        (
            "pyproject.toml",
            '[tool.migtui]\nlock_timeout = ["a"]\n',
            "lock_timeout must be a duration",
        ),
        ("pyproject.toml", '[tool.migtui]\nlock_timeout = "banana"\n', "is not a duration"),
        ("migtui.toml", 'lint_off = ["no-such-rule"]\n', "lint_off must list lock hint rules"),
    ],
)
def test_a_setting_of_the_wrong_type_is_one_line_naming_the_file(
    tmp_path, monkeypatch, file, text, words
):
    from click.testing import CliRunner

    from migtui.cli import main

    (tmp_path / file).write_text(text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2
    assert words in result.output and file in result.output
    assert "Traceback" not in result.output


def test_a_bad_timeout_on_the_command_line_stops_before_anything_runs(tmp_path):
    from click.testing import CliRunner

    from migtui.cli import main

    for option, value in (("--lock-timeout", "banana"), ("--statement-timeout", "-5")):
        result = CliRunner().invoke(
            main,
            [
                "apply",
                "--dsn",
                "postgresql://u@127.0.0.1:1/x",
                "--dir",
                str(tmp_path),
                option,
                value,
            ],
        )
        assert result.exit_code == 2
        assert "is not a duration" in result.output


def test_show_and_check_say_things_plainly(tmp_path):
    import os

    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_a.sql").write_text("-- migrate:up\n\\i other.sql\nCREATE TABLE a (id int);\n")
    (folder / "0002_b.sql").write_text("-- migrate:up\nCREATE TABLE b (id int);\n")
    shown = CliRunner().invoke(main, ["show", "0001", "--dir", str(folder)])
    assert "line None" not in shown.output
    assert "'\\i other.sql'" in shown.output and "\\\\i" not in shown.output
    if os.geteuid() != 0:  # root reads any file: the case cannot happen as root
        (folder / "0002_b.sql").chmod(0)
        checked = CliRunner().invoke(main, ["check", "--dir", str(folder)])
        assert "UTF-8" not in checked.output and "permissions" in checked.output


def test_check_lists_lock_hints_apart_and_lint_off_silences_a_rule(monkeypatch, tmp_path):
    """The demo's 0014 builds three indexes on proposal_moves, which an earlier
    migration made: hints with file and line, in no error or warning total."""
    shutil.copytree(BUNDLED, tmp_path / "sql" / "migrations")
    monkeypatch.chdir(tmp_path)
    code, data = check_json()
    assert code == 0 and data["summary"]["warnings"] == 0
    rules = [(h["migration"], h["rule"]) for h in data["hints"]]
    assert rules.count(("0014", "index-not-concurrent")) == 4
    assert data["summary"]["hints"] == len(data["hints"])
    text = migtui("check").output
    assert "Lock hints" in text and "◆ index-not-concurrent  4" in text
    assert "0014:27  0014:30  0014:33  0014:80" in text and "CONCURRENTLY" in text

    (tmp_path / "migtui.toml").write_text('lint_off = ["index-not-concurrent"]\n')
    code, data = check_json()
    assert "index-not-concurrent" not in {h["rule"] for h in data["hints"]}
    assert "index-not-concurrent" not in migtui("check").output  # the kept report too


def test_a_statement_hinted_at_for_several_columns_is_one_place(tmp_path):
    (tmp_path / "0001_t.sql").write_text(
        "-- migrate:up\nCREATE TABLE t (a int, b int);\n-- migrate:down\nDROP TABLE t;\n"
    )
    (tmp_path / "0002_types.sql").write_text(
        "-- migrate:up\nALTER TABLE t ALTER a TYPE bigint, ALTER b TYPE bigint;\n"
        "-- migrate:down\nSELECT 1;\n"
    )
    code, data = check_json("--dir", tmp_path)
    rewrites = [h for h in data["hints"] if h["rule"] == "rewrite"]
    assert len(rewrites) == 2  # one per column, each with its own message
    text = migtui("check", "--dir", tmp_path).output
    assert "0002:2" in text and "0002:2  0002:2" not in text


def test_whole_name_versions_fit_the_line_without_an_empty_name_column(tmp_path) -> None:
    # Prisma's versions are its folders' names: no name to show beside them
    long = "20240301000000_" + "a_very_long_description_of_what_this_migration_does" * 2
    for name in ("20240101000000_init", long):
        (tmp_path / name).mkdir()
        (tmp_path / name / "migration.sql").write_text("SELECT 1;\n")
    (tmp_path / "migration_lock.toml").write_text('provider = "postgresql"\n')
    result = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["check", "--dir", str(tmp_path)])
    table = result.output.splitlines()[1:4]
    assert table[0].split() == ["version", "needs", "state"]
    assert table[1].startswith("20240101000000_init ") and "✓ ok" in table[1]
    assert all(len(line) <= 80 for line in table), table
    assert table[2].startswith("20240301000000_a_very_long") and "…" in table[2]
