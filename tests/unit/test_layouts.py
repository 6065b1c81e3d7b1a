"""Reading migration folders in every layout, including broken ones.

The fixture folders under tests/fixtures/layouts/ are small hand-written
projects, one per layout; broken cases are built in tmp_path so the fixtures
stay clean.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from migtui.core.graph import analyze, analyze_dir
from migtui.core.layouts import LAYOUTS, LayoutError, LoadResult, detect_layout, load
from migtui.core.model import Migration, Section, Severity
from migtui.core.plan import (
    APPLIED,
    OUT_OF_ORDER,
    PENDING,
    MigrationStatus,
    build_apply_plan,
    build_rollback_plan,
)
from migtui.core.versions import named
from migtui.db.ledger import LedgerRow, checksum, status_from_rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"


def write(root: Path, name: str, text: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def by_version(result: LoadResult) -> dict[str, Migration]:
    return {str(m.version): m for m in result.migrations + result.repeatables}


def versions(result: LoadResult) -> list[str]:
    return [str(m.version) for m in result.migrations]


def kinds(result: LoadResult) -> list[str]:
    return [p.kind for p in result.problems]


def line_after(path: Path, marker: str) -> int:
    """1-based line number of the line following the first line equal to ``marker``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines.index(marker) + 2


def fixture(layout: str) -> Path:
    """The layout's fixture folder (Supabase's sits where its CLI keeps it)."""
    path = FIXTURES / layout
    return path / "supabase" / "migrations" if layout == "supabase" else path


def sections(migration: Migration) -> list[Section]:
    return [s for s in (migration.up, migration.down, migration.verify) if s is not None]


# ------------------------------------------------------------ every layout


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fixture_folder_is_detected_as_its_layout(layout: str) -> None:
    assert detect_layout(fixture(layout)) == layout


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fixture_folder_loads_cleanly(layout: str) -> None:
    result = load(fixture(layout))
    assert result.layout == layout
    assert len(result.migrations) >= 3
    assert result.problems == ()
    for migration in result.migrations:
        assert migration.layout == layout
        assert migration.up is not None and migration.up.text.strip()
        no_downs = ("atlas", "supabase", "drizzle", "graphile-migrate", "refinery")
        if layout not in no_downs:
            assert migration.down is not None and migration.down.text.strip()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_section_points_at_its_text_in_the_file(layout: str) -> None:
    """Errors point at file:line, so each section must sit exactly where its
    start_line and start_offset say."""
    for migration in load(fixture(layout)).migrations:
        for section in sections(migration):
            data = section.path.read_bytes()
            assert data.count(b"\n", 0, section.start_offset) + 1 == section.start_line
            if layout == "liquibase" and section.kind == "down":
                # taken out of --rollback comments: each line in its place
                lines = data.decode("utf-8").split("\n")[section.start_line - 1 :]
                for line, text in zip(lines, section.text.split("\n"), strict=False):
                    assert text.strip() in line
                continue
            assert data[section.start_offset :].decode("utf-8").startswith(section.text)


def test_forcing_the_detected_layout_reads_the_same() -> None:
    assert load(FIXTURES / "goose", layout="goose") == load(FIXTURES / "goose")


# ------------------------------------------------------------------ native


def test_native_versions_run_in_natural_order() -> None:
    result = load(FIXTURES / "native")
    assert versions(result) == ["0001", "0008", "0013", "0013_5", "0014", "0100"]


def test_native_digit_groups_after_the_version_belong_to_it() -> None:
    migration = by_version(load(FIXTURES / "native"))["0013_5"]
    assert migration.name == "rebalancing_base_tables"
    assert migration.label == "0013_5_rebalancing_base_tables"


def test_native_sections_start_on_the_line_after_their_marker() -> None:
    migration = by_version(load(FIXTURES / "native"))["0014"]
    path = migration.path
    assert migration.up.start_line == line_after(path, "-- migrate:up")
    assert migration.down.start_line == line_after(path, "-- migrate:down")
    assert migration.verify.start_line == line_after(path, "-- migrate:verify")
    assert "CREATE TRIGGER" in migration.up.text
    assert "DROP TRIGGER" not in migration.up.text
    assert "DROP TRIGGER" in migration.down.text
    assert "pg_trigger" in migration.verify.text
    assert "pg_trigger" not in migration.down.text


def test_native_transaction_false_marks_the_section_non_transactional() -> None:
    result = by_version(load(FIXTURES / "native"))
    assert result["0100"].up.transactional is False
    assert result["0100"].down.transactional is False
    assert result["0100"].transactional is False
    assert result["0014"].transactional is True


def test_native_requires_header_declares_prerequisites() -> None:
    result = by_version(load(FIXTURES / "native"))
    assert result["0013_5"].declared_requires == ("0001", "0008")  # comma-separated, in header
    assert result["0014"].declared_requires == ("0013_5",)  # inside the up section
    assert result["0001"].declared_requires == ()


def test_native_requires_in_the_down_section_is_not_a_prerequisite(tmp_path: Path) -> None:
    write(
        tmp_path,
        "0002_b.sql",
        "-- migrate:up\nSELECT 1;\n-- migrate:down\n-- requires: 0001\nSELECT 2;\n",
    )
    assert load(tmp_path).migrations[0].declared_requires == ()


def test_native_requires_with_a_non_version_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "0002_b.sql", "-- requires: users 0001\n-- migrate:up\nSELECT 1;\n")
    result = load(tmp_path)
    assert result.migrations[0].declared_requires == ("0001",)
    problem = next(p for p in result.problems if p.kind == "parse_error")
    assert (problem.file, problem.line, problem.severity) == ("0002_b.sql", 1, Severity.ERROR)
    assert "users" in problem.message


def test_native_file_without_markers_is_all_up(tmp_path: Path) -> None:
    write(tmp_path, "0001_users.sql", "CREATE TABLE users (id int);\n")
    result = load(tmp_path)
    migration = result.migrations[0]
    assert migration.up.text == "CREATE TABLE users (id int);\n"
    assert (migration.up.start_line, migration.up.start_offset) == (1, 0)
    assert migration.down is None
    # a folder with no down section anywhere writes none by design: not said per file
    assert kinds(result) == []
    write(tmp_path, "0002_posts.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n")
    assert kinds(load(tmp_path)) == ["missing_down"]


def test_native_timestamps_are_versions(tmp_path: Path) -> None:
    for name in ("20240101120000_b.sql", "20231231235959_a.sql", "20240315000000_c.sql"):
        write(tmp_path, name, "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n")
    result = load(tmp_path)
    assert result.layout == "native"
    assert versions(result) == ["20231231235959", "20240101120000", "20240315000000"]
    assert [m.name for m in result.migrations] == ["a", "b", "c"]


def test_native_bom_is_stripped_and_offsets_count_its_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "0001_a.sql", b"\xef\xbb\xbf-- migrate:up\nSELECT 1;\n")
    migration = load(tmp_path).migrations[0]
    assert migration.up.text == "SELECT 1;\n"
    assert migration.up.start_line == 2
    data = path.read_bytes()
    assert data[migration.up.start_offset :].startswith(b"SELECT 1;")


def test_native_offsets_count_bytes_not_characters(tmp_path: Path) -> None:
    text = "-- migrate:up\n-- Prüfung der Überträge ✓\nSELECT 1;\n-- migrate:down\nSELECT 2;\n"
    path = write(tmp_path, "0001_umlauts.sql", text)
    migration = load(tmp_path).migrations[0]
    assert path.read_bytes()[migration.down.start_offset :] == b"SELECT 2;\n"
    assert migration.down.start_line == 5


def test_native_unknown_marker_is_a_parse_error_and_its_lines_never_run() -> None:
    result = load(FIXTURES / "broken-native")
    migration = by_version(result)["0015"]
    problem = next(p for p in result.problems if p.kind == "parse_error")
    assert problem.file == "0015_widget_sizes.sql"
    assert problem.line == line_after(migration.path, "-- migrate:rollback") - 1
    assert problem.severity is Severity.ERROR
    assert "migrate:rollback" in problem.message
    assert "DROP TABLE" not in migration.up.text


def test_native_unknown_marker_option_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "-- migrate:up transaction:maybe\nSELECT 1;\n")
    result = load(tmp_path)
    problem = next(p for p in result.problems if p.kind == "parse_error")
    assert problem.line == 1
    assert "transaction:maybe" in problem.message


def test_native_indented_marker_is_an_error_read_as_meant(tmp_path: Path) -> None:
    """dbmate reads a marker only at the start of its line: to it an indented
    one is a comment, and what follows stays in the section before it. That is
    an error at the marker; the rest is read as the author meant, so nothing
    else is said that fixing the marker would undo."""
    text = "-- migrate:up\nALTER TABLE a ADD COLUMN b int\n    -- migrate:down\nALTER TABLE a DROP COLUMN b;\n"
    write(tmp_path, "0001_a.sql", text)
    result = load(tmp_path)
    migration = result.migrations[0]
    problem = next(p for p in result.problems if p.kind == "parse_error")
    assert (problem.line, problem.severity) == (3, Severity.ERROR)
    assert "indented" in problem.message
    assert "DROP COLUMN b" in migration.down.text
    assert "DROP COLUMN b" not in migration.up.text


def test_native_repeated_marker_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n")
    result = load(tmp_path)
    problem = next(p for p in result.problems if p.kind == "parse_error")
    assert problem.line == 3
    assert result.migrations[0].up.text == "SELECT 1;\n"


def test_native_sql_before_the_up_marker_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "-- a comment is fine\nSELECT 0;\n-- migrate:up\nSELECT 1;\n")
    result = load(tmp_path)
    problem = next(p for p in result.problems if p.kind == "parse_error")
    assert problem.line == 2
    assert "never run" in problem.message


def test_native_stray_sql_file_is_reported_and_other_files_are_quiet() -> None:
    result = load(FIXTURES / "broken-native")
    stray = [p for p in result.problems if p.kind == "unrecognized_file"]
    assert [p.file for p in stray] == ["add_widget_index.sql"]
    assert stray[0].severity is Severity.WARNING
    assert "0015_add_index.sql" in stray[0].hint
    # README.md, schema.sql and .keep sit in the clean native fixture, unreported
    assert load(FIXTURES / "native").problems == ()


# ---------------------------------------------------------- broken files


def test_duplicate_versions_are_an_error_naming_both_files() -> None:
    result = load(FIXTURES / "broken-native")
    duplicates = [p for p in result.problems if p.kind == "duplicate_version"]
    assert len(duplicates) == 1
    assert duplicates[0].severity is Severity.ERROR
    assert "0014_widget_owner.sql" in duplicates[0].message
    assert "14_widget_color.sql" in duplicates[0].message
    assert {"0014", "14"} <= set(versions(result))


def test_non_utf8_file_names_the_offset_of_its_first_bad_byte() -> None:
    result = load(FIXTURES / "broken-native")
    path = FIXTURES / "broken-native" / "0002_widget_prefix.sql"
    bad = path.read_bytes().index(b"\xe9")
    problem = next(p for p in result.problems if p.kind == "unreadable_file")
    assert problem.file == "0002_widget_prefix.sql"
    assert problem.migration == "0002"
    assert f"byte offset {bad}" in problem.message
    assert problem.line == 2
    assert problem.severity is Severity.ERROR
    # the unreadable migration is listed without SQL; its neighbours load
    assert by_version(result)["0002"].up is None
    assert "CREATE TABLE widgets" in by_version(result)["0001"].up.text


def test_binary_file_is_unreadable_and_the_rest_still_load(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "native", tmp_path / "m")
    write(tmp_path / "m", "0050_blob.sql", b"-- migrate:up\n\x00\x01\x02SELECT 1;")
    result = load(tmp_path / "m")
    problem = next(p for p in result.problems if p.kind == "unreadable_file")
    assert "byte offset 14" in problem.message
    assert kinds(result) == ["unreadable_file"]
    assert len(result.migrations) == 7


def test_empty_migration_is_a_warning() -> None:
    result = load(FIXTURES / "broken-native")
    problem = next(p for p in result.problems if p.kind == "empty_migration")
    assert (problem.migration, problem.severity) == ("0003", Severity.WARNING)
    assert problem.line == 2


def test_empty_file_is_an_empty_migration(tmp_path: Path) -> None:
    write(tmp_path, "0001_nothing.sql", "")
    assert kinds(load(tmp_path)) == ["empty_migration"]


def test_missing_or_empty_down_is_a_warning() -> None:
    result = load(FIXTURES / "broken-native")
    missing = {p.migration: p for p in result.problems if p.kind == "missing_down"}
    assert set(missing) == {"0003"}
    assert all(p.severity is Severity.WARNING for p in missing.values())
    assert "empty down section" in missing["0003"].message
    # 0015's down is under a marker dbmate does not know: that error says it all
    [unknown] = [p for p in result.problems if p.migration == "0015"]
    assert unknown.kind == "parse_error" and "migrate:down" in unknown.hint


def test_dbmate_dash_after_the_version_is_a_migration(tmp_path: Path) -> None:
    write(tmp_path, "20240101000000-create-t.sql", NATIVE_T)
    write(tmp_path, "20240102000000_use_t.sql", NATIVE_USE_T)
    result = load(tmp_path)

    assert result.layout == "native"
    assert [(str(m.version), m.name) for m in result.migrations] == [
        ("20240101000000", "create-t"),
        ("20240102000000", "use_t"),
    ]
    assert result.problems == ()
    assert analyze(result).problems == ()


def test_dbmate_dash_names_are_detected_as_native(tmp_path: Path) -> None:
    write(tmp_path, "20240101000000-create-t.sql", NATIVE_T)
    assert detect_layout(tmp_path) == "native"


NATIVE_T = "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n"
NATIVE_USE_T = "-- migrate:up\nINSERT INTO t VALUES (1);\n-- migrate:down\nDELETE FROM t;\n"


# ---------------------------------------------------------- golang-migrate


def test_golang_migrate_pairs_up_and_down_files() -> None:
    result = load(FIXTURES / "golang-migrate")
    assert versions(result) == ["1", "2", "10"]
    migration = by_version(result)["2"]
    assert migration.name == "create_orders"
    assert migration.up.path.name == "2_create_orders.up.sql"
    assert migration.down.path.name == "2_create_orders.down.sql"
    assert migration.declared_requires == ("1",)


def test_golang_migrate_down_without_up_and_up_without_down(tmp_path: Path) -> None:
    write(tmp_path, "1_a.up.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "2_b.down.sql", "DROP TABLE b;\n")
    result = load(tmp_path)
    assert result.layout == "golang-migrate"
    problems = {(p.migration, p.kind) for p in result.problems}
    # a down file alone would be recorded as applied with nothing run: an error
    assert problems == {("1", "missing_down"), ("2", "missing_up")}


def test_golang_migrate_pairs_files_by_version_whatever_their_names(tmp_path: Path) -> None:
    # golang-migrate keys files by version and direction only
    write(tmp_path, "1_create_t.up.sql", "CREATE TABLE t (id int);\n")
    write(tmp_path, "1_create_t.down.sql", "DROP TABLE t;\n")
    write(tmp_path, "2_add_m.up.sql", "ALTER TABLE t ADD COLUMN m jsonb;\n")
    write(tmp_path, "2_drop_m.down.sql", "ALTER TABLE t DROP COLUMN m;\n")
    result = load(tmp_path)
    assert versions(result) == ["1", "2"]
    second = by_version(result)["2"]
    assert (second.name, second.down.path.name) == ("add_m", "2_drop_m.down.sql")
    assert result.problems == ()
    # two up files of one version are still two migrations, and said to be
    write(tmp_path, "2_add_n.up.sql", "ALTER TABLE t ADD COLUMN n int;\n")
    kinds = [p.kind for p in load(tmp_path).problems]
    assert "duplicate_version" in kinds


def test_golang_migrate_file_may_keep_a_block_atomic_of_its_own(tmp_path: Path) -> None:
    write(tmp_path, "1_t.up.sql", "CREATE TABLE t (id int);\n")
    write(tmp_path, "1_t.down.sql", "DROP TABLE t;\n")
    write(
        tmp_path,
        "2_m.up.sql",
        "ALTER TABLE t ADD COLUMN m int;\nBEGIN;\nALTER TABLE t ADD COLUMN n int;\nCOMMIT;\n",
    )
    write(tmp_path, "2_m.down.sql", "ALTER TABLE t DROP COLUMN m, DROP COLUMN n;\n")
    analysis = analyze(load(tmp_path))
    assert [p for p in analysis.problems if p.severity == Severity.ERROR] == []
    # dbmate wraps a file in its own transaction: a COMMIT that ends the file
    # ends it with all the file's work, and the runner's transaction takes
    # the pair's place; work after the COMMIT would run outside any
    write(
        tmp_path / "native",
        "0001_t.sql",
        "-- migrate:up\nCREATE TABLE t (id int);\n"
        "BEGIN;\nALTER TABLE t ADD COLUMN n int;\nCOMMIT;\n-- migrate:down\nDROP TABLE t;\n",
    )
    assert analyze(load(tmp_path / "native")).problems == ()
    write(
        tmp_path / "native",
        "0001_t.sql",
        "-- migrate:up\nCREATE TABLE t (id int);\n"
        "BEGIN;\nALTER TABLE t ADD COLUMN n int;\nCOMMIT;\nALTER TABLE t ADD COLUMN o int;\n"
        "-- migrate:down\nDROP TABLE t;\n",
    )
    # work after the COMMIT: the file controls its own transactions, and runs so
    analysis = analyze(load(tmp_path / "native"))
    assert analysis.problems == ()
    [info] = analysis.migrations
    assert info.transactional is False


# ------------------------------------------------------------------ goose


def test_goose_is_told_apart_from_native_by_its_markers(tmp_path: Path) -> None:
    write(tmp_path, "00001_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n")
    assert detect_layout(tmp_path) == "goose"
    write(tmp_path, "00001_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n")
    assert detect_layout(tmp_path) == "native"


def test_goose_sections_keep_statement_blocks_and_line_numbers() -> None:
    migration = by_version(load(FIXTURES / "goose"))["00002"]
    assert migration.up.start_line == line_after(migration.path, "-- +goose Up")
    assert migration.down.start_line == line_after(migration.path, "-- +goose Down")
    assert "-- +goose StatementBegin" in migration.up.text
    assert "-- +goose StatementEnd" in migration.up.text
    assert "DROP FUNCTION" not in migration.up.text


def test_goose_no_transaction_applies_to_both_sections() -> None:
    result = by_version(load(FIXTURES / "goose"))
    assert result["00003"].up.transactional is False
    assert result["00003"].down.transactional is False
    assert result["00001"].up.transactional is True


def test_goose_orders_sequential_before_timestamped() -> None:
    assert versions(load(FIXTURES / "goose"))[-1] == "20240315093000"


def test_goose_statement_begin_without_end_is_reported(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "goose", tmp_path / "m")
    text = (
        "-- +goose Up\n"
        "-- +goose StatementBegin\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
        "-- +goose Down\n"
        "DROP FUNCTION f();\n"
    )
    write(tmp_path / "m", "00004_broken_block.sql", text)
    result = load(tmp_path / "m")
    problem = next(p for p in result.problems if p.kind == "parse_error")
    assert (problem.file, problem.line, problem.migration) == ("00004_broken_block.sql", 2, "00004")
    assert "StatementEnd" in problem.message
    assert len(result.migrations) == 5
    assert kinds(result) == ["parse_error"]


def test_goose_statement_end_without_begin_and_unknown_annotation(tmp_path: Path) -> None:
    text = "-- +goose Up\nSELECT 1;\n-- +goose StatementEnd\n-- +goose Sideways\n"
    write(tmp_path, "00001_a.sql", text)
    result = load(tmp_path, layout="goose")
    lines = sorted(p.line for p in result.problems if p.kind == "parse_error")
    assert lines == [3, 4]


def test_goose_file_without_up_annotation_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "00001_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n")
    write(tmp_path, "00002_b.sql", "-- +goose Down\nDROP TABLE b;\n")
    result = load(tmp_path)
    problem = next(p for p in result.problems if p.kind == "parse_error")
    assert problem.migration == "00002"
    assert by_version(result)["00002"].up is None


def test_goose_go_migration_is_reported_and_kept_in_version_order(tmp_path: Path) -> None:
    write(tmp_path, "00001_users.sql", GOOSE_USERS)
    write(tmp_path, "00002_backfill_users.go", "package migrations\n")
    write(tmp_path, "00002_backfill_users_test.go", "package migrations\n")
    write(tmp_path, "00003_use_users.sql", GOOSE_USE_USERS)
    write(tmp_path, "main.go", "package migrations\n")
    result = load(tmp_path)

    assert result.layout == "goose"
    assert result.code_migrations == (("00002", "00002_backfill_users.go"),)
    [problem] = result.problems
    assert (problem.kind, problem.severity) == ("code_migration", Severity.WARNING)
    assert (problem.file, problem.migration) == ("00002_backfill_users.go", "00002")
    assert "Go migration" in problem.message
    assert "cannot see what it does" in problem.message
    assert versions(result) == ["00001", "00003"]


GOOSE_USERS = "-- +goose Up\nCREATE TABLE users (id int);\n-- +goose Down\nDROP TABLE users;\n"
GOOSE_USE_USERS = (
    "-- +goose Up\nINSERT INTO users VALUES (1);\n-- +goose Down\nDELETE FROM users;\n"
)


# ----------------------------------------------------------------- diesel


def test_diesel_old_and_new_folder_names_interleave_by_time() -> None:
    result = load(FIXTURES / "diesel")
    assert [m.name for m in result.migrations] == [
        "diesel_initial_setup",
        "create_posts",  # 2016-12-01-093000_
        "create_comments",  # 20170309122510_
        "index_comment_post",  # 2018-05-01-101010_
    ]
    assert str(result.migrations[1].version) == "20161201093000"


def test_diesel_orders_versions_as_text_as_diesel_does(tmp_path: Path) -> None:
    """diesel's version is the folder name up to the first ``_``, dashes removed,
    and diesel sorts versions as strings: ``202511190914440000`` (with the
    ``-0000`` suffix) comes before ``20260120162913``, though it is a larger number."""
    for folder in (
        "2026-01-20-162913_a",
        "2025-11-19-091444-0000_b",
        "2025-06-01-000000_c",
        "00000000000000_diesel_initial_setup",
        "2026-02-01-000000-0000_d",
    ):
        write(tmp_path, f"{folder}/up.sql", "SELECT 1;\n")
        write(tmp_path, f"{folder}/down.sql", "SELECT 1;\n")
    result = load(tmp_path)

    assert [(str(m.version), m.name) for m in result.migrations] == [
        ("00000000000000", "diesel_initial_setup"),
        ("20250601000000", "c"),
        ("202511190914440000", "b"),
        ("20260120162913", "a"),
        ("202602010000000000", "d"),
    ]
    expected = versions(result)

    # apply and rollback run in that order too, from the files and from the ledger
    analysis = analyze(result)
    assert build_apply_plan(analysis, []).versions == tuple(expected)
    applied = [MigrationStatus(v, "", APPLIED) for v in reversed(expected)]
    rollback = build_rollback_plan(analysis, applied, to="20250601000000")
    assert rollback.versions == tuple(reversed(expected[2:]))

    # with only 20260120162913 applied, the -0000 migration before it is out of order
    info = analysis.get("20260120162913")
    row = LedgerRow(
        info.version, info.name, checksum(info), datetime.now(), "me", None, None, None, False
    )
    states = {s.version: s.state for s in status_from_rows([row], analysis)}
    assert states["202511190914440000"] == OUT_OF_ORDER
    assert states["202602010000000000"] == PENDING


def test_diesel_sections_come_from_up_and_down_files() -> None:
    migration = by_version(load(FIXTURES / "diesel"))["20170309122510"]
    assert migration.path.is_dir()
    assert migration.up.path == migration.path / "up.sql"
    assert migration.down.path == migration.path / "down.sql"


def test_diesel_run_in_transaction_false_is_honoured() -> None:
    result = by_version(load(FIXTURES / "diesel"))
    assert result["20180501101010"].up.transactional is False
    assert result["20170309122510"].up.transactional is True


def test_diesel_assumes_its_ledger_and_reads_its_helpers_from_the_setup_migration(
    tmp_path: Path,
) -> None:
    result = load(FIXTURES / "diesel")
    assert [str(ref) for ref in result.assumed] == ["table public.__diesel_schema_migrations"]
    assert "00000000000000" in versions(result)
    assert [p for p in analyze(result).problems if p.severity == Severity.ERROR] == []
    # without the setup migration, nothing makes diesel_manage_updated_at
    write(
        tmp_path, "2020-01-01-000000_a/up.sql", "CREATE TABLE t (id int, updated_at timestamp);\n"
    )
    write(tmp_path, "2020-01-01-000000_a/down.sql", "DROP TABLE t;\n")
    write(tmp_path, "2020-01-02-000000_b/up.sql", "SELECT diesel_manage_updated_at('t');\n")
    write(tmp_path, "2020-01-02-000000_b/down.sql", "SELECT 1;\n")
    [error] = [p for p in analyze(load(tmp_path)).problems if p.severity == Severity.ERROR]
    assert (error.kind, error.object) == (
        "missing_prerequisite",
        "function public.diesel_manage_updated_at(…)",
    )


def test_diesel_broken_metadata_and_missing_files(tmp_path: Path) -> None:
    write(tmp_path, "2024-01-01-000000_a/up.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "2024-01-01-000000_a/metadata.toml", "run_in_transaction = \n")
    write(tmp_path, "2024-01-02-000000_b/down.sql", "DROP TABLE b;\n")
    result = load(tmp_path)
    found = {(p.kind, p.file) for p in result.problems}
    assert ("parse_error", "2024-01-01-000000_a/metadata.toml") in found
    assert ("missing_down", "2024-01-01-000000_a") in found
    assert ("missing_file", "2024-01-02-000000_b") in found
    assert versions(result) == ["20240101000000"]


# ----------------------------------------------------------------- flyway


def test_flyway_versions_use_dots_and_order_naturally() -> None:
    result = load(FIXTURES / "flyway")
    assert versions(result) == ["1", "1.1", "1.10", "2"]
    assert by_version(result)["1.10"].path.name == "V1_10__index_customer_email.sql"


def test_flyway_undo_script_is_the_down_section() -> None:
    migration = by_version(load(FIXTURES / "flyway"))["1.1"]
    assert migration.down.path.name == "U1.1__add_customer_email.sql"
    assert "DROP COLUMN email" in migration.down.text


def test_flyway_repeatables_are_listed_apart() -> None:
    result = load(FIXTURES / "flyway")
    names = [m.name for m in result.repeatables]
    assert names == ["country_names", "customer_totals_view"]
    assert all(m.repeatable for m in result.repeatables)
    assert not any(m.repeatable for m in result.migrations)
    assert [str(m.version) for m in result.repeatables] == [
        "R__country_names",
        "R__customer_totals_view",
    ]
    assert all(r.version > m.version for r in result.repeatables for m in result.migrations)


def test_flyway_script_conf_can_turn_the_transaction_off() -> None:
    result = by_version(load(FIXTURES / "flyway"))
    assert result["1.10"].up.transactional is False
    assert result["1.1"].up.transactional is True


def test_flyway_folder_without_undo_scripts_is_not_told_each_time(tmp_path: Path) -> None:
    write(tmp_path, "V1__a.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "V2__b.sql", "CREATE TABLE b (id int);\n")
    assert load(tmp_path).problems == ()
    # a folder that undoes some migrations is told of the others
    write(tmp_path, "U2__b.sql", "DROP TABLE b;\n")
    assert [(p.kind, p.migration) for p in load(tmp_path).problems] == [("missing_down", "1")]


def test_flyway_callbacks_are_not_stray_files(tmp_path: Path) -> None:
    """flyway runs SQL callbacks that sit among the migrations (beforeMigrate,
    afterMigrate__grants …): they are not files that never run."""
    write(tmp_path, "V1__a.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "beforeMigrate.sql", "SET lock_timeout = '5s';\n")
    write(tmp_path, "afterMigrate__grants.sql", "GRANT SELECT ON a TO PUBLIC;\n")
    write(tmp_path, "afterMigrateNow.sql", "SELECT 1;\n")
    result = load(tmp_path)
    assert [(p.kind, p.file) for p in result.problems] == [
        ("unrecognized_file", "afterMigrateNow.sql")
    ]


def test_flyway_counts_what_its_before_callbacks_make(tmp_path: Path) -> None:
    """beforeMigrate.sql runs before the migrations: what it makes is there
    for them; afterMigrate's is not (it runs after them)."""
    write(tmp_path, "beforeMigrate.sql", "CREATE SCHEMA IF NOT EXISTS ${area};\n")
    write(
        tmp_path,
        "beforeEachMigrate__fn.sql",
        "CREATE OR REPLACE FUNCTION audit() RETURNS int\nLANGUAGE sql AS 'SELECT 1';\n",
    )
    write(tmp_path, "afterMigrate.sql", "CREATE TABLE IF NOT EXISTS late (id int);\n")
    write(tmp_path, "flyway.conf", "flyway.placeholders.area=reports\n")
    write(
        tmp_path,
        "V1__a.sql",
        "CREATE TABLE reports.a (id int DEFAULT audit());\nINSERT INTO late VALUES (1);\n",
    )
    errors = [p for p in analyze_dir(tmp_path).problems if p.severity == "error"]
    assert [(p.kind, p.object) for p in errors] == [("missing_prerequisite", "table public.late")]


def test_flyway_undo_without_its_migration_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "V1__a.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "U1__a.sql", "DROP TABLE a;\n")
    write(tmp_path, "U7__gone.sql", "DROP TABLE gone;\n")
    result = load(tmp_path)
    assert [(p.kind, p.file) for p in result.problems] == [("unrecognized_file", "U7__gone.sql")]


def test_flyway_baseline_beside_its_versions_is_said_and_not_run(tmp_path: Path) -> None:
    """A baseline (B2) beside the versions it folds (V1, V2): a new database
    starts from it under flyway, one with a history never runs it; migtui reads
    the versioned scripts, and says so, where it used to call it a file that
    never runs."""
    write(tmp_path, "V1__a.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "V2__b.sql", "ALTER TABLE a ADD COLUMN b int;\n")
    write(tmp_path, "B2__base.sql", "CREATE TABLE a (id int, b int);\n")
    write(tmp_path, "V3__c.sql", "ALTER TABLE a ADD COLUMN c int;\n")
    result = load(tmp_path)

    assert versions(result) == ["1", "2", "3"]
    [said] = result.problems
    assert (said.kind, said.file, said.severity) == (
        "baseline_migration",
        "B2__base.sql",
        Severity.WARNING,
    )
    assert "in place of the versioned scripts up to 2" in said.message


def test_flyway_history_folded_into_a_baseline_starts_from_it(tmp_path: Path) -> None:
    """V1 and V2 deleted once B2 held them: B2 is what a new database runs, and
    what V3 builds on (an older baseline is never run)."""
    write(tmp_path, "B1__old.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "B2__base.sql", "CREATE TABLE a (id int, b int);\n")
    write(tmp_path, "V3__c.sql", "CREATE INDEX a_b ON a (b);\n")
    analysis = analyze_dir(tmp_path)

    assert [i.migration.version.raw for i in analysis.migrations] == ["2", "3"]
    assert not analysis.errors
    assert [(p.kind, p.file) for p in analysis.problems if p.kind != "missing_down"] == [
        ("baseline_migration", "B1__old.sql")
    ]


def test_flyway_scripts_named_as_spring_configures_them(tmp_path: Path) -> None:
    """OpenLMIS's shape: ``spring.flyway.sql-migration-prefix=`` (empty) names
    the scripts ``20170101000000__a.sql``, in the schema Spring gives flyway.
    Read as native, the schema was lost and every qualified name was missing."""
    write(
        tmp_path,
        "src/main/resources/application.properties",
        "spring.flyway.schemas=app\nspring.flyway.sql-migration-prefix=\n",
    )
    folder = tmp_path / "src/main/resources/db/migration"
    write(folder, "20170101000000__a.sql", "CREATE TABLE t (id int);\n")
    write(folder, "20170102000000__b.sql", "INSERT INTO app.t VALUES (1);\n")
    write(folder, "U20170102000000__b.sql", "DELETE FROM app.t;\n")
    assert detect_layout(folder) == "flyway"
    analysis = analyze_dir(folder)
    assert [i.migration.version.raw for i in analysis.migrations] == [
        "20170101000000",
        "20170102000000",
    ]
    assert not analysis.errors
    assert analysis.migrations[1].migration.down is not None


def test_flyway_spring_values_and_placeholder_marks(tmp_path: Path, monkeypatch) -> None:
    """OHDSI WebAPI's ``${DATASOURCE_OHDSI_SCHEMA:webapi}``: Spring takes the
    environment's value, else the default; OpenLMIS's ``placeholder-prefix=#[``
    and ``placeholder-suffix=]``: ``#[name]`` is replaced and ``${x}`` is text."""
    write(
        tmp_path,
        "application.properties",
        "spring.flyway.schemas=${DATASOURCE_OHDSI_SCHEMA:webapi}\n"
        "spring.flyway.placeholders.ohdsiSchema=${DATASOURCE_OHDSI_SCHEMA:webapi}\n"
        "spring.flyway.placeholder-prefix=#[\nspring.flyway.placeholder-suffix=]\n"
        "spring.flyway.placeholders.tbl=notes\n",
    )
    write(tmp_path, "V1__a.sql", "CREATE TABLE #[ohdsiSchema].results (id int, msg text);\n")
    write(
        tmp_path,
        "V2__b.sql",
        "CREATE INDEX results_id ON results (id);\nCREATE TABLE #[tbl] (id int);\n"
        "INSERT INTO notes VALUES (1);\nINSERT INTO results VALUES (1, 'Hi ${user.name}');\n",
    )
    monkeypatch.delenv("DATASOURCE_OHDSI_SCHEMA", raising=False)
    assert not analyze_dir(tmp_path).errors
    monkeypatch.setenv("DATASOURCE_OHDSI_SCHEMA", "ohdsi")
    analysis = analyze_dir(tmp_path)
    assert not analysis.errors
    [first] = [i for i in analysis.migrations if i.migration.version.raw == "1"]
    assert "CREATE TABLE ohdsi.results" in first.migration.up.text


def test_flyway_java_migrations_are_reported_in_version_order(tmp_path: Path) -> None:
    write(tmp_path, "V1__customers.sql", "CREATE TABLE customers (id int);\n")
    write(tmp_path, "V2__Backfill_customers.java", "class V2__Backfill_customers {}\n")
    write(tmp_path, "V2__Backfill_customers.class", b"\xca\xfe\xba\xbe")
    write(tmp_path, "V2__Backfill_customers$1.class", b"\xca\xfe\xba\xbe")
    write(tmp_path, "db/V1_5__Fix_names.class", b"\xca\xfe\xba\xbe")
    write(tmp_path, "V3__orders.sql", "CREATE TABLE orders (id int);\n")
    result = load(tmp_path)

    assert result.code_migrations == (
        ("1.5", "db/V1_5__Fix_names.class"),
        ("2", "V2__Backfill_customers.java"),
    )
    code = [p for p in result.problems if p.kind == "code_migration"]
    assert [(p.migration, p.file, p.severity) for p in code] == [
        ("1.5", "db/V1_5__Fix_names.class", Severity.WARNING),
        ("2", "V2__Backfill_customers.java", Severity.WARNING),
    ]
    assert all("Java migration" in p.message and "cannot see" in p.message for p in code)
    assert versions(result) == ["1", "3"]


def test_flyway_repeatable_reading_a_versioned_table_depends_on_it(tmp_path: Path) -> None:
    write(tmp_path, "V1__customers.sql", "CREATE TABLE customers (id int);\n")
    write(tmp_path, "U1__customers.sql", "DROP TABLE customers;\n")
    write(
        tmp_path, "R__customer_view.sql", "CREATE OR REPLACE VIEW v AS SELECT id FROM customers;\n"
    )
    analysis = analyze_dir(tmp_path)

    assert analysis.problems == ()
    assert [info.version for info in analysis.repeatables] == ["R__customer_view"]
    assert analysis.repeatables[0].depends_on == ("1",)


def test_flyway_repeatable_reading_another_repeatables_view(tmp_path: Path) -> None:
    # marquez: R__Runs_view reads the jobs_view R__Jobs_view_and_rewrite_function makes,
    # which once stopped the analysis with KeyError: 'R__Jobs_view_and_rewrite_function'
    write(tmp_path, "V1__jobs.sql", "CREATE TABLE jobs (id int);\n")
    write(tmp_path, "U1__jobs.sql", "DROP TABLE jobs;\n")
    write(
        tmp_path, "R__Jobs_view.sql", "CREATE OR REPLACE VIEW jobs_view AS SELECT id FROM jobs;\n"
    )
    write(
        tmp_path,
        "R__Runs_view.sql",
        "CREATE OR REPLACE VIEW runs_view AS SELECT id FROM jobs_view;\n",
    )
    analysis = analyze_dir(tmp_path)

    assert analysis.problems == ()
    runs = analysis.get("R__Runs_view")
    assert runs is not None and runs.depends_on == ("R__Jobs_view",)


# ------------------------------------------------------ the tools' own objects

_TOOL_LEDGER_FOLDERS = {
    "native": {
        "0001_a.sql": "-- migrate:up\nALTER TABLE schema_migrations ADD COLUMN data_version int;\n"
        "-- migrate:down\nALTER TABLE schema_migrations DROP COLUMN data_version;\n",
    },
    "golang-migrate": {
        "1_a.up.sql": "CREATE TABLE a (id int);\n",
        "1_a.down.sql": "DROP TABLE a;\n",
        "2_x.up.sql": "ALTER TABLE schema_migrations ADD COLUMN data_version int;\n",
        "2_x.down.sql": "ALTER TABLE schema_migrations DROP COLUMN data_version;\n",
    },
    "goose": {
        "00001_a.sql": "-- +goose Up\nALTER TABLE goose_db_version ADD COLUMN note text;\n"
        "-- +goose Down\nALTER TABLE goose_db_version DROP COLUMN note;\n",
    },
    "diesel": {
        "2024-01-01-000000_a/up.sql": "ALTER TABLE __diesel_schema_migrations ADD note text;\n",
        "2024-01-01-000000_a/down.sql": "ALTER TABLE __diesel_schema_migrations DROP note;\n",
    },
    "flyway": {
        "V1__a.sql": "CREATE INDEX history_type ON flyway_schema_history (type);\n",
        "U1__a.sql": "DROP INDEX history_type;\n",
    },
    "sqitch": {
        "sqitch.plan": "%syntax-version=1.0.0\n%project=demo\n\n"
        "deployed 2024-01-01T00:00:00Z Ada <ada@example.com> # what is deployed\n",
        "deploy/deployed.sql": "CREATE VIEW deployed AS SELECT change FROM sqitch.changes;\n",
        "revert/deployed.sql": "DROP VIEW deployed;\n",
    },
    "prisma": {
        "migration_lock.toml": 'provider = "postgresql"\n',
        "20240101000000_a/migration.sql": 'CREATE VIEW "Applied" AS SELECT migration_name'
        " FROM _prisma_migrations;\n",
    },
    "sqlx": {
        "Cargo.toml": '[dependencies]\nsqlx = "0.8"\n',
        "20240101000000_a.up.sql": "CREATE VIEW applied AS SELECT version FROM _sqlx_migrations;\n",
        "20240101000000_a.down.sql": "DROP VIEW applied;\n",
    },
    "sql-migrate": {
        "1_a.sql": "-- +migrate Up\nCREATE VIEW applied AS SELECT id FROM gorp_migrations;\n"
        "-- +migrate Down\nDROP VIEW applied;\n",
    },
    "tern": {
        "001_a.sql": "CREATE VIEW at_version AS SELECT version FROM schema_version;\n"
        "---- create above / drop below ----\nDROP VIEW at_version;\n",
    },
    "supabase": {
        "supabase/config.toml": 'project_id = "demo"\n',
        "supabase/migrations/20240101000000_a.sql": "CREATE VIEW applied AS SELECT version"
        " FROM supabase_migrations.schema_migrations;\n",
    },
    "liquibase": {
        "changelog.sql": "--liquibase formatted sql\n--changeset ada:1\n"
        "CREATE VIEW applied AS SELECT id, author FROM databasechangelog;\n"
        "--rollback DROP VIEW applied;\n",
    },
    "node-pg-migrate": {
        "1700000000000_a.sql": "-- Up Migration\nCREATE VIEW applied AS SELECT name"
        " FROM pgmigrations;\n-- Down Migration\nDROP VIEW applied;\n",
    },
    "pop": {
        "20240101000000_a.postgres.up.sql": "CREATE VIEW applied AS SELECT version"
        " FROM schema_migration;\n",
        "20240101000000_a.postgres.down.sql": "DROP VIEW applied;\n",
    },
    "drizzle": {
        "0000_a.sql": "CREATE VIEW applied AS SELECT hash FROM drizzle.__drizzle_migrations;\n",
        "meta/_journal.json": '{"dialect": "postgresql", "entries": '
        '[{"idx": 0, "when": 1717000000000, "tag": "0000_a", "breakpoints": true}]}',
    },
    "yoyo": {
        "0001_a.sql": "-- depends:\nCREATE VIEW applied AS SELECT migration_id"
        " FROM _yoyo_migration;\n",
        "0001_a.rollback.sql": "DROP VIEW applied;\n",
    },
    "graphile-migrate": {
        "000001.sql": "--! Previous: -\n--! Hash: sha1:aa\n\nCREATE VIEW applied AS SELECT"
        " filename FROM graphile_migrate.migrations;\n",
    },
    "shmig": {
        "1700000000-a.sql": "-- ====  UP  ====\nCREATE VIEW applied AS SELECT version"
        " FROM shmig_version;\n-- ==== DOWN ====\nDROP VIEW applied;\n",
    },
    "migratus": {
        "20240101000000-a.up.sql": "CREATE VIEW applied AS SELECT id, applied, description"
        " FROM schema_migrations;\n",
        "20240101000000-a.down.sql": "DROP VIEW applied;\n",
    },
    "postgrator": {
        "001.do.a.sql": "CREATE VIEW applied AS SELECT version, md5 FROM schemaversion;\n",
        "001.undo.a.sql": "DROP VIEW applied;\n",
    },
    "db-migrate": {
        "sqls/20240101000000-a-up.sql": "CREATE VIEW applied AS SELECT name, run_on"
        " FROM migrations;\n",
        "sqls/20240101000000-a-down.sql": "DROP VIEW applied;\n",
        "20240101000000-a.js": "exports.up = function (db) { /* runs sqls/… */ };\n",
    },
    "refinery": {
        "Cargo.toml": '[dependencies]\nrefinery = "0.8"\n',
        "V1__a.sql": "CREATE VIEW applied AS SELECT version, checksum"
        " FROM refinery_schema_history;\n",
    },
    "atlas": {
        "atlas.sum": "h1:x=\n20240101000000_a.sql h1:y=\n",
        "20240101000000_a.sql": "CREATE VIEW applied AS SELECT version"
        " FROM atlas_schema_revisions.atlas_schema_revisions;\n",
    },
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_layouts_own_ledger_exists_before_the_first_migration(
    tmp_path: Path, layout: str
) -> None:
    for name, text in _TOOL_LEDGER_FOLDERS[layout].items():
        write(tmp_path, name, text)
    analysis = analyze_dir(tmp_path / "supabase/migrations" if layout == "supabase" else tmp_path)

    assert analysis.layout == layout
    assert analysis.problems == ()
    [requirement] = [r for info in analysis.migrations for r in info.requires]
    assert requirement.source == "layout"


def test_each_layout_names_its_ledger_as_assumed() -> None:
    ledgers = {layout: {str(ref) for ref in load(fixture(layout)).assumed} for layout in LAYOUTS}
    assert "table public.schema_migrations" in ledgers["native"]
    assert "table public.schema_migrations" in ledgers["golang-migrate"]
    assert "table public.goose_db_version" in ledgers["goose"]
    assert "table public.__diesel_schema_migrations" in ledgers["diesel"]
    assert "table public.flyway_schema_history" in ledgers["flyway"]
    assert {"schema sqitch", "table sqitch.changes"} <= ledgers["sqitch"]
    assert "table public._prisma_migrations" in ledgers["prisma"]
    assert "table public._sqlx_migrations" in ledgers["sqlx"]
    assert "table public.gorp_migrations" in ledgers["sql-migrate"]
    assert "table atlas_schema_revisions.atlas_schema_revisions" in ledgers["atlas"]
    assert "table public.databasechangelog" in ledgers["liquibase"]
    assert "table supabase_migrations.schema_migrations" in ledgers["supabase"]
    assert "table public.schema_version" in ledgers["tern"]
    assert {"schema drizzle", "table drizzle.__drizzle_migrations"} <= ledgers["drizzle"]
    assert "table public.schema_migration" in ledgers["pop"]
    assert "table public.pgmigrations" in ledgers["node-pg-migrate"]
    assert "table public.schema_migrations" in ledgers["migratus"]
    assert "table public.shmig_version" in ledgers["shmig"]
    assert "table graphile_migrate.migrations" in ledgers["graphile-migrate"]
    assert "table public.refinery_schema_history" in ledgers["refinery"]
    assert "table public._yoyo_migration" in ledgers["yoyo"]
    assert "table public.migrations" in ledgers["db-migrate"]
    assert "table public.schemaversion" in ledgers["postgrator"]
    assert {"table auth.users", "table storage.objects", "role anon"} <= ledgers["supabase"]


# ----------------------------------------------------------------- atlas


def test_atlas_files_are_all_up_and_txmode_none_runs_outside_a_transaction() -> None:
    result = load(FIXTURES / "atlas")
    assert result.layout == "atlas"
    assert [(str(m.version), m.name) for m in result.migrations] == [
        ("20240101120000", "create_authors"),
        ("20240102120000", "create_books"),
        ("20240103120000", "index_titles"),
    ]
    assert all(m.down is None for m in result.migrations)
    assert [m.up.transactional for m in result.migrations] == [True, True, False]


# ----------------------------------------------------------------- sql-migrate


def test_sql_migrate_sections_order_and_transactions() -> None:
    result = load(FIXTURES / "sql-migrate")
    assert result.layout == "sql-migrate"
    # the file's name is the version (sql-migrate's id); its leading number orders it
    assert [str(m.version) for m in result.migrations] == [
        "1_create_authors",
        "2_touch_updated_at",
        "3_index_author_names",
        "10_create_books",
    ]
    [first, second, third, _] = result.migrations
    # the down section is its own, never part of the up
    assert "DROP TABLE" not in first.up.text and "DROP TABLE authors" in first.down.text
    assert third.up.transactional is False and third.down.transactional is False
    assert second.up.transactional is True


def test_sql_migrate_ids_any_name_starting_with_a_number(tmp_path: Path) -> None:
    # names as real projects write them: dashes, dates with dots, a shared number
    for name in (
        "2024-02-20.0-alter-tenants.sql",
        "2023-10-16.0.add-tenants-table.sql",
        "20230222172540-uid-2.sql",
        "20230222172540-uid-1.sql",
    ):
        write(tmp_path, name, "-- +migrate Up\nSELECT 1;\n-- +migrate Down\nSELECT 1;\n")
    result = load(tmp_path)
    assert result.layout == "sql-migrate" and result.problems == ()
    assert [str(m.version) for m in result.migrations] == [
        "2023-10-16.0.add-tenants-table",
        "2024-02-20.0-alter-tenants",
        "20230222172540-uid-1",
        "20230222172540-uid-2",
    ]


def test_sql_migrate_reports_its_own_annotations(tmp_path: Path) -> None:
    write(tmp_path, "1_a.sql", "-- +migrate Up\nCREATE TABLE a (id int);\n-- +migrate Sideways\n")
    write(tmp_path, "2_b.sql", "-- +migrate Up\nCREATE TABLE b (id int);\n")
    [problem] = [p for p in load(tmp_path).problems if p.kind == "parse_error"]
    assert (problem.file, problem.line) == ("1_a.sql", 3)
    assert "unknown annotation -- +migrate Sideways" in problem.message
    assert problem.hint.startswith("sql-migrate knows Up, Down")


# ----------------------------------------------------------------- sqitch


def test_sqitch_runs_in_plan_order_with_positions_as_versions() -> None:
    result = load(FIXTURES / "sqitch")
    assert [(str(m.version), m.name) for m in result.migrations] == [
        ("1", "appschema"),
        ("2", "users"),
        ("3", "insert_user"),
        ("4", "flips"),
        ("5", "insert_user"),
    ]


def test_sqitch_dependencies_become_versions() -> None:
    result = by_version(load(FIXTURES / "sqitch"))
    assert result["2"].declared_requires == ("1",)
    assert result["3"].declared_requires == ("2", "1")
    assert result["4"].declared_requires == ("1", "2")
    # insert_user@v1.0 is the first insert_user; !legacy_insert is a conflict
    assert result["5"].declared_requires == ("3",)


def test_sqitch_reworked_change_reads_its_tagged_scripts() -> None:
    result = by_version(load(FIXTURES / "sqitch"))
    assert result["3"].up.path.name == "insert_user@v1.0.sql"
    assert "md5" in result["3"].up.text
    assert result["5"].up.path.name == "insert_user.sql"
    assert "crypt(" in result["5"].up.text


def test_sqitch_scripts_keep_their_own_transaction_and_verify() -> None:
    migration = by_version(load(FIXTURES / "sqitch"))["2"]
    assert "BEGIN;" in migration.up.text and "COMMIT;" in migration.up.text
    assert migration.down.path.parent.name == "revert"
    assert migration.verify.path.parent.name == "verify"


def test_a_pgpm_plan_is_read_as_sqitch_s(tmp_path: Path) -> None:
    """pgpm keeps sqitch's plan format under its own name (pgpm.plan)."""
    shutil.copytree(FIXTURES / "sqitch", tmp_path / "m")
    (tmp_path / "m" / "sqitch.plan").rename(tmp_path / "m" / "pgpm.plan")
    result = load(tmp_path / "m")
    assert detect_layout(tmp_path / "m") == "sqitch"
    assert [m.name for m in result.migrations] == [
        m.name for m in load(FIXTURES / "sqitch").migrations
    ]
    assert result.problems == load(FIXTURES / "sqitch").problems


def test_sqitch_bad_plan_lines_are_reported_and_the_rest_loads(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "sqitch", tmp_path / "m")
    plan = tmp_path / "m" / "sqitch.plan"
    lines = plan.read_text(encoding="utf-8").splitlines()
    lines.insert(5, "this is not a change")
    lines.append("widgets [nothere] 2024-02-01T00:00:00Z Ada <ada@example.com> # needs nothere")
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load(tmp_path / "m")
    parse_errors = [p for p in result.problems if p.kind == "parse_error"]
    assert [(p.file, p.line) for p in parse_errors] == [
        ("sqitch.plan", 6),
        ("sqitch.plan", len(lines)),
    ]
    assert "nothere" in parse_errors[1].message
    assert [m.name for m in result.migrations][-1] == "widgets"
    missing = [p for p in result.problems if p.kind == "missing_file"]
    assert missing[0].file == "deploy/widgets.sql"


# -------------------------------------------------- detection and errors


def test_missing_folder_is_a_layout_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "no-such-dir"
    with pytest.raises(LayoutError, match="no-such-dir"):
        load(folder)


def test_file_instead_of_folder_is_a_layout_error(tmp_path: Path) -> None:
    path = write(tmp_path, "0001_a.sql", "SELECT 1;")
    with pytest.raises(LayoutError, match="not a migration folder"):
        detect_layout(path)


def test_folder_without_migrations_says_what_was_expected(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# nothing here\n")
    with pytest.raises(LayoutError) as caught:
        detect_layout(tmp_path)
    message = str(caught.value)
    assert str(tmp_path) in message
    assert "0001_name.sql" in message and "sqitch.plan" in message


def test_project_root_given_instead_of_its_migration_folder_is_pointed_out(
    tmp_path: Path,
) -> None:
    shutil.copytree(FIXTURES / "native", tmp_path / "db" / "migrations")
    with pytest.raises(LayoutError, match=r"did you mean .*db/migrations"):
        load(tmp_path)
    # a layout forced on the project's root finds nothing there, and says where to look
    with pytest.raises(
        LayoutError, match=r"no goose migrations here .*did you mean .*db/migrations"
    ):
        load(tmp_path, layout="goose")
    (tmp_path / "new").mkdir()
    assert load(tmp_path / "new", layout="goose").migrations == ()  # a new project: fine


def test_forced_layout_that_does_not_match_names_what_the_folder_looks_like() -> None:
    with pytest.raises(LayoutError) as caught:
        load(FIXTURES / "flyway", layout="diesel")
    message = str(caught.value)
    assert "flyway" in message and "diesel" in message and str(FIXTURES / "flyway") in message


def test_unknown_layout_name_lists_the_known_ones() -> None:
    with pytest.raises(LayoutError, match="golang-migrate"):
        load(FIXTURES / "native", layout="knex")


def test_forced_layout_on_an_empty_folder_is_an_empty_project(tmp_path: Path) -> None:
    result = load(tmp_path, layout="native")
    assert (result.migrations, result.problems) == ((), ())


def test_forced_layout_among_sql_files_of_other_names_is_refused(tmp_path: Path) -> None:
    # names no layout reads: forcing one must not pass silently
    write(tmp_path, "users.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "users_undo.sql", "DROP TABLE a;\n")
    with pytest.raises(LayoutError, match=r"no native migrations here .*2 \.sql files"):
        load(tmp_path, layout="native")


def test_forcing_native_on_goose_files_reads_them_as_native() -> None:
    result = load(FIXTURES / "goose", layout="native")
    assert result.layout == "native"
    assert all(m.layout == "native" for m in result.migrations)
    # goose's down section is never run as part of the up: it is reported instead
    assert "-- +goose Down" not in result.migrations[0].up.text
    assert "--layout goose" in [p for p in result.problems if p.kind == "parse_error"][0].hint


def test_windows_line_ends_are_read_and_kept(tmp_path: Path) -> None:
    text = "-- migrate:up transaction:false\r\nSELECT 1;\r\n-- migrate:down\r\nSELECT 2;\r\n"
    path = write(tmp_path, "0001_crlf.sql", text.encode("utf-8"))
    migration = load(tmp_path).migrations[0]
    assert migration.up.text == "SELECT 1;\r\n"
    assert migration.up.transactional is False
    assert (migration.down.start_line, migration.down.text) == (4, "SELECT 2;\r\n")
    assert path.read_bytes()[migration.down.start_offset :] == b"SELECT 2;\r\n"


# ------------------------------------------------------------- prisma and sqlx


def test_an_empty_goose_file_is_a_problem_at_its_name_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "")
    write(tmp_path, "0002_b.sql", "-- +goose Up\n")
    result = load(tmp_path, "goose")
    [empty] = [m for m in result.migrations if m.name == "a"]
    assert empty.up is None
    assert [p.kind for p in empty.read_problems][0] == "parse_error"  # no -- +goose Up


def test_prisma_knows_a_migration_by_its_folder_name_in_string_order(tmp_path: Path) -> None:
    write(tmp_path, "migration_lock.toml", 'provider = "postgresql"\n')
    for folder in ("20240528214728_add_index_02", "20240528214728_add_index_01", "20230101_x"):
        write(tmp_path, f"{folder}/migration.sql", "SELECT 1;\n")
    result = load(tmp_path)
    assert result.layout == "prisma" and result.problems == ()
    assert [str(m.version) for m in result.migrations] == [
        "20230101_x",
        "20240528214728_add_index_01",
        "20240528214728_add_index_02",
    ]
    assert all(m.down is None for m in result.migrations)


def test_prisma_runs_a_folder_of_any_name_in_name_order(tmp_path: Path) -> None:
    """Prisma runs every folder holding a migration.sql: a shell expansion that
    never happened (``$(date …)_fix``) sorts first, ``init`` last."""
    write(tmp_path, "migration_lock.toml", 'provider = "postgresql"\n')
    write(tmp_path, "$(date +%Y%m%d%H%M%S)_fix/migration.sql", "ALTER TABLE t ADD COLUMN b int;\n")
    write(tmp_path, "20240101000000_init/migration.sql", "CREATE TABLE t (a int);\n")
    write(tmp_path, "manual_fix/migration.sql", "ALTER TABLE t ADD COLUMN c int;\n")
    write(tmp_path, "notes/README.md", "not a migration\n")
    analysis = analyze_dir(tmp_path)

    assert analysis.layout == "prisma"
    assert [str(m.version) for m in analysis.migrations] == [
        "$(date +%Y%m%d%H%M%S)_fix",
        "20240101000000_init",
        "manual_fix",
    ]
    [error] = analysis.errors
    assert error.migration == "$(date +%Y%m%d%H%M%S)_fix" and error.object == "table public.t"
    plan = build_apply_plan(analysis, [], to="manual_fix")
    assert [s.version for s in plan.steps][-1] == "manual_fix"


def test_apply_to_a_prisma_migration_is_that_one_not_its_twin_in_numbers(tmp_path: Path) -> None:
    """Two folders share their numbers; `--to` names one by its whole name."""
    write(tmp_path, "migration_lock.toml", 'provider = "postgresql"\n')
    for folder in ("20240304123642_traces_view", "20240304123642_traces_view_improvement"):
        write(tmp_path, f"{folder}/migration.sql", "SELECT 1;\n")
    analysis = analyze_dir(tmp_path)
    plan = build_apply_plan(analysis, [], to="20240304123642_traces_view_improvement")
    assert [s.version for s in plan.steps] == [
        "20240304123642_traces_view",
        "20240304123642_traces_view_improvement",
    ]
    first = build_apply_plan(analysis, [], to="20240304123642_traces_view")
    assert [s.version for s in first.steps] == ["20240304123642_traces_view"]
    # once the first is applied, the second is still pending: never skipped in silence
    applied = [MigrationStatus("20240304123642_traces_view", "traces_view", APPLIED, "now")]
    rest = build_apply_plan(analysis, applied)
    assert [s.version for s in rest.steps] == ["20240304123642_traces_view_improvement"]
    twin = "20240304123642_traces_view_improvement"
    assert analysis.get(twin).version == twin


def test_prisma_enum_blocks_run_inside_the_migrations_one_transaction() -> None:
    analysis = analyze_dir(FIXTURES / "prisma")
    up = analysis.get("20240302090000_add_post_status").sections["up"]
    assert up.wrapped
    assert not any(s.category == "transaction" for s in up.statements)
    assert analysis.problems == ()


def test_plain_files_beside_a_few_pairs_are_sqlx_without_its_crate(tmp_path: Path) -> None:
    # sqlx runs simple files and reversible pairs side by side; golang-migrate
    # would never run the plain ones
    write(tmp_path, "20210527_initial.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "20210601_tokens.sql", "CREATE TABLE b (id int);\n")
    write(tmp_path, "20220913_signups.up.sql", "CREATE TABLE c (id int);\n")
    write(tmp_path, "20220913_signups.down.sql", "DROP TABLE c;\n")
    assert detect_layout(tmp_path) == "sqlx"
    # a stray plain file among golang-migrate's pairs is still said to be one
    for n in (1, 2):
        write(tmp_path, f"2023010{n}_more.up.sql", "SELECT 1;\n")
        write(tmp_path, f"2023010{n}_more.down.sql", "SELECT 1;\n")
    (tmp_path / "20210601_tokens.sql").unlink()
    assert detect_layout(tmp_path) == "golang-migrate"


def test_supabase_migrations_without_the_cli_config_are_still_supabase(tmp_path: Path) -> None:
    folder = tmp_path / "supabase" / "migrations"
    write(
        folder,
        "20230101000000_init.sql",
        "create table profiles (id uuid references auth.users primary key);\n"
        "create policy own on profiles for select to authenticated using (auth.uid() = id);\n",
    )
    write(folder, "20230102000000_grant.sql", "grant select on profiles to anon;\n")
    assert detect_layout(folder) == "supabase"
    analysis = analyze_dir(folder)
    assert analysis.layout == "supabase"
    assert analysis.problems == ()  # auth.users, auth.uid(), the roles: the platform's
    # a dbmate folder that happens to live there keeps its markers' meaning
    write(folder, "20230103000000_c.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n")
    assert detect_layout(folder) == "native"
    # the same files kept elsewhere are still Supabase's: they use its auth
    # objects and API roles, which none of them makes
    (folder / "20230103000000_c.sql").unlink()
    copy = tmp_path / "db" / "migrations"
    shutil.copytree(folder, copy)
    assert detect_layout(copy) == "supabase"
    assert analyze_dir(copy).problems == ()
    # … unless they make the auth schema themselves: then they are a plain project's
    write(
        copy,
        "20221231000000_auth.sql",
        "create schema auth;\ncreate table auth.users (id uuid primary key);\n",
    )
    assert detect_layout(copy) == "native"


def test_a_supabase_object_missing_outside_supabase_says_where_it_comes_from(
    tmp_path: Path,
) -> None:
    # numbered, not timestamped: not taken for Supabase's, but the error says what would fix it
    write(tmp_path, "0001_profiles.sql", "create table p (id uuid references auth.users);\n")
    [missing] = analyze_dir(tmp_path).errors
    assert missing.kind == "missing_prerequisite" and "Supabase's platform" in missing.message
    assert "--layout supabase" in missing.hint
    assert analyze_dir(tmp_path, layout="supabase").errors == ()


def test_supabase_runs_its_files_in_the_order_of_their_names(tmp_path: Path) -> None:
    folder = tmp_path / "supabase" / "migrations"
    write(tmp_path, "supabase/config.toml", 'project_id = "x"\n')
    write(folder, "20240101120000_a.sql", "CREATE TABLE t (id int PRIMARY KEY);\n")
    write(folder, "20240101_b.sql", "CREATE TABLE u (id int REFERENCES t (id));\n")
    analysis = analyze_dir(folder)
    assert [m.version for m in analysis.migrations] == ["20240101120000", "20240101"]
    assert analysis.problems == ()


def test_sqlx_simple_migrations_are_not_told_of_each_missing_down(tmp_path: Path) -> None:
    write(tmp_path, "1_a.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "2_b.sql", "CREATE TABLE b (id int);\n")
    assert load(tmp_path, "sqlx").problems == ()
    # a folder with reversible ones is told of the others
    write(tmp_path, "3_c.up.sql", "CREATE TABLE c (id int);\n")
    write(tmp_path, "3_c.down.sql", "DROP TABLE c;\n")
    assert {p.migration for p in load(tmp_path, "sqlx").problems if p.kind == "missing_down"} == {
        "1",
        "2",
    }


def test_sqlx_is_told_from_golang_migrate_by_its_crate(tmp_path: Path) -> None:
    write(tmp_path, "migrations/1_a.up.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "migrations/1_a.down.sql", "DROP TABLE a;\n")
    write(
        tmp_path, "migrations/2_b.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY ON a (id);\n"
    )
    assert detect_layout(tmp_path / "migrations") == "golang-migrate"
    write(tmp_path, "Cargo.toml", '[dependencies]\nsqlx = { version = "0.8" }\n')
    result = load(tmp_path / "migrations")
    assert result.layout == "sqlx"
    assert [(str(m.version), m.down is not None, m.transactional) for m in result.migrations] == [
        ("1", True, True),
        ("2", False, False),
    ]


@pytest.mark.parametrize(
    "cargo",
    [
        '[dependencies.sqlx]\nversion = "0.8"\nfeatures = ["postgres"]\n',
        '[workspace.dependencies.sqlx]\nversion = "0.8"\n',
        "[target.'cfg(unix)'.dependencies.sqlx]\nversion = \"0.8\"\n",
        "[dependencies]\nsqlx.workspace = true\n",
    ],
)
def test_sqlx_is_found_in_any_way_cargo_writes_a_dependency(tmp_path: Path, cargo: str) -> None:
    write(tmp_path, "migrations/20240101000000_a.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "migrations/20240102000000_b.sql", "ALTER TABLE a ADD COLUMN b int;\n")
    assert detect_layout(tmp_path / "migrations") == "native"
    write(tmp_path, "Cargo.toml", cargo)
    assert detect_layout(tmp_path / "migrations") == "sqlx"


def test_liquibase_sql_named_like_another_layouts_is_read_as_liquibase(tmp_path: Path) -> None:
    write(tmp_path, "0001_tables.sql", "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n")
    result = load(tmp_path)
    assert result.layout == "liquibase"
    assert [(m.version.raw, m.name) for m in result.migrations] == [("1", "1")]


def test_a_liquibase_changelog_further_down_is_pointed_at(tmp_path: Path) -> None:
    write(tmp_path, "src/main/resources/db/changelog/db.changelog-master.yaml", "x: 1\n")
    with pytest.raises(LayoutError, match="db/changelog"):
        load(tmp_path)


def test_dbmate_shared_versions_are_warned_of_where_dbmate_keeps_the_database() -> None:
    from migtui.core.catalog import CatalogSnapshot
    from migtui.core.graph import analyze
    from migtui.core.model import TABLE, ObjectRef

    loaded = load(FIXTURES / "native")
    offline = analyze(loaded)
    assert not [p for p in offline.problems if p.kind == "dbmate_shared_version"]
    dbmate = CatalogSnapshot(frozenset({ObjectRef(TABLE, "public", "schema_migrations")}))
    live = analyze(loaded, catalog=dbmate)
    shared = [p for p in live.problems if p.kind == "dbmate_shared_version"]
    # 0013_5_… sorts before 0013_… by name: dbmate runs it and fails on 0013
    assert [p.migration for p in shared] == ["0013"]
    assert "0013_5" in shared[0].message and shared[0].severity == "warning"


def test_the_layout_names_the_command_line_offers_are_the_readers() -> None:
    from migtui.core.folder import LAYOUT_NAMES

    assert LAYOUT_NAMES == LAYOUTS


def test_no_migration_is_skipped_in_silence(tmp_path: Path) -> None:
    from migtui.core.plan import build_apply_plan

    # two layouts in one folder: the native file would never run as golang-migrate
    write(tmp_path / "mixed", "0001_a.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path / "mixed", "2_b.up.sql", "CREATE TABLE b (id int);\n")
    mixed = analyze_dir(tmp_path / "mixed")
    assert mixed.layout == "golang-migrate"
    [problem] = [p for p in mixed.errors if p.kind == "mixed_layout"]
    assert problem.file == "0001_a.sql"
    assert "named like a goose, native or sqlx migration" in problem.message
    assert "read as golang-migrate, whose tool skips it" in problem.message
    assert build_apply_plan(mixed, []).refused

    # a link to nothing is an error, not a missing row
    (tmp_path / "links").mkdir()
    write(tmp_path / "links", "0001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n")
    (tmp_path / "links" / "0002_b.sql").symlink_to(tmp_path / "nowhere.sql")
    linked = analyze_dir(tmp_path / "links")
    assert [(p.kind, p.file) for p in linked.errors] == [("unreadable_file", "0002_b.sql")]

    # a down section and no up: it would be recorded applied with nothing run
    write(tmp_path / "downonly", "0001_a.sql", "-- migrate:down\nDROP TABLE a;\n")
    down_only = analyze_dir(tmp_path / "downonly")
    assert "missing_up" in [p.kind for p in down_only.errors]
    assert build_apply_plan(down_only, []).refused


def test_a_sqitch_plan_never_leads_outside_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "evil.sql", "DROP TABLE users;\n")
    project = tmp_path / "project"
    write(
        project,
        "sqitch.plan",
        "%project=p\n\n../../outside/evil 2024-01-01T00:00:00Z A <a@x> # x\n",
    )
    write(project, "deploy/ok.sql", "SELECT 1;\n")
    result = load(project)
    assert result.migrations == ()
    [problem] = result.problems
    assert problem.kind == "parse_error" and "outside the project" in problem.message


def test_the_dsns_own_connect_timeout_is_kept(monkeypatch) -> None:
    from migtui.db.connect import _says_connect_timeout

    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    assert _says_connect_timeout("postgresql://u@h/db?connect_timeout=2")
    assert _says_connect_timeout("host=h connect_timeout=2")
    assert not _says_connect_timeout("postgresql://u@h/db")
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "3")
    assert _says_connect_timeout("postgresql://u@h/db")


def test_a_link_out_of_the_folder_is_never_read(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere", "secret.sql", "-- migrate:up\nDROP TABLE users;\n")
    folder = tmp_path / "migrations"
    write(folder, "0001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n")
    (folder / "0002_b.sql").symlink_to(tmp_path / "elsewhere" / "secret.sql")
    write(folder, "0003_c.sql", "-- migrate:up\nCREATE TABLE c (id int);\n")
    (folder / "0004_d.sql").symlink_to(folder / "0003_c.sql")  # a link inside is fine
    result = load(folder)
    errors = [(p.kind, p.file) for p in result.problems if p.severity == "error"]
    assert errors == [("unreadable_file", "0002_b.sql")]
    assert any("outside the migrations folder" in p.message for p in result.problems)
    b = next(m for m in result.migrations if str(m.version) == "0002")
    assert b.up is None


@pytest.mark.parametrize(
    ("marker", "hint"),
    [
        ("-- +migrate Down", "--layout sql-migrate"),
        ("---- create above / drop below ----", "--layout tern"),
    ],
)
def test_another_tools_down_marker_never_runs_as_part_of_a_native_up(
    tmp_path: Path, marker: str, hint: str
) -> None:
    # most files are plain (read as native): the marked one must not drop what it made
    write(tmp_path, "001_a.sql", f"CREATE TABLE a (id int);\n\n{marker}\nDROP TABLE a;\n")
    write(tmp_path, "002_b.sql", "CREATE TABLE b (id int);\n")
    write(tmp_path, "003_c.sql", "CREATE TABLE c (id int);\n")
    result = load(tmp_path)
    assert result.layout == "native"
    [problem] = [p for p in result.problems if p.kind == "parse_error"]
    assert (problem.file, problem.line) == ("001_a.sql", 3)
    assert hint in problem.hint
    up = by_version(result)["001"].up.text
    assert "CREATE TABLE a" in up and "DROP TABLE" not in up


@pytest.mark.parametrize(
    ("files", "layout"),
    [
        ({"1_a.up.sql": "SELECT 1;\n", "1_a.down.sql": "SELECT 1;\n"}, "golang-migrate"),
        ({"20240101000000_a.sql": "-- migrate:up\nSELECT 1;\n"}, "native"),
        ({"20240101000000_a.sql": "-- +goose Up\nSELECT 1;\n"}, "goose"),
        ({"20240101000000_a.sql": "SELECT 1;\n"}, "atlas"),
    ],
)
def test_atlas_sum_beside_another_tools_format_keeps_that_format(
    tmp_path: Path, files: dict[str, str], layout: str
) -> None:
    # Atlas writes its atlas.sum beside every directory format it supports
    write(tmp_path, "atlas.sum", "h1:x=\n")
    for name, text in files.items():
        write(tmp_path, name, text)
    assert load(tmp_path).layout == layout


def test_a_prisma_folder_for_another_database_is_refused_whole(tmp_path: Path) -> None:
    write(tmp_path, "migration_lock.toml", 'provider = "mysql"\n')
    write(tmp_path, "20240101000000_init/migration.sql", "CREATE TABLE `User` (`id` INTEGER);\n")
    with pytest.raises(LayoutError, match="for 'mysql'; migtui reads PostgreSQL migrations only"):
        load(tmp_path)


@pytest.mark.parametrize(
    "texts",
    [
        [
            "CREATE TABLE `users` (`id` INT NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`));\n",
            "ALTER TABLE `users` ADD COLUMN `email` VARCHAR(255);\n",
            "CREATE TABLE `posts` (`id` INT) ENGINE=InnoDB;\n",
        ],
        [
            "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT);\n",
            "PRAGMA foreign_keys = ON;\nCREATE TABLE b (id INTEGER);\n",
        ],
    ],
)
def test_a_folder_of_another_databases_migrations_is_refused_whole(
    tmp_path: Path, texts: list[str]
) -> None:
    for n, text in enumerate(texts, 1):
        write(tmp_path, f"000{n}_m.sql", f"-- migrate:up\n{text}")
    with pytest.raises(LayoutError, match="written for another database"):
        load(tmp_path)


def test_one_word_of_another_dialect_in_a_postgresql_folder_is_not_enough(tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "-- migrate:up\nCREATE TABLE a (id serial);\n")
    write(tmp_path, "0002_b.sql", "-- migrate:up\nCOMMENT ON TABLE a IS 'was AUTO_INCREMENT';\n")
    write(tmp_path, "0003_c.sql", "-- migrate:up\nCREATE TABLE c (id int);\n")
    assert load(tmp_path).layout == "native"


@pytest.mark.parametrize(
    "layout, files",
    [
        (
            "goose",
            {
                "00001_a.sql": "-- +goose Up\nCREATE TABLE a (id int);\n",
                "00002_fill.go": "package migrations\n",
                "00003_b.sql": "-- +goose Up\nCREATE TABLE b (id int);\n",
            },
        ),
        (
            "liquibase",
            {
                "changelog.xml": '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/'
                'dbchangelog">\n<changeSet id="1" author="a"><sql>CREATE TABLE a (id int)</sql>'
                '</changeSet>\n<changeSet id="2" author="a">\n<customChange class="a.Fill"/>'
                '</changeSet>\n<changeSet id="3"'
                ' author="a"><sql>CREATE TABLE b (id int)</sql></changeSet>\n'
                "</databaseChangeLog>\n",
            },
        ),
    ],
)
def test_an_apply_past_a_code_migration_says_so_at_the_gate(
    tmp_path: Path, layout: str, files: dict[str, str]
) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    analysis = analyze_dir(tmp_path)
    assert analysis.layout == layout
    first, last = (i.version for i in analysis.migrations)
    code = next(p for p in analysis.problems if p.kind == "code_migration").migration
    # from nothing, the steps run around the code migration: the gate names it
    [warning] = build_apply_plan(analysis, []).warnings
    assert warning.startswith(f"{code} (") and "cannot run" in warning
    # up to just before it, or once a migration after it ran: nothing to say
    assert build_apply_plan(analysis, [], to=first).warnings == ()
    ran = [MigrationStatus(first, "a", APPLIED, "now"), MigrationStatus(last, "b", APPLIED, "now")]
    assert build_apply_plan(analysis, ran).warnings == ()
    pending = [ran[0], MigrationStatus(last, "b", "pending")]
    assert len(build_apply_plan(analysis, pending).warnings) == 1


def test_tern_files_keep_their_down_below_the_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "001_t.sql",
        "CREATE TABLE t (id int);\n---- create above / drop below ----\nDROP TABLE t;\n",
    )
    write(
        tmp_path,
        "002_u.sql",
        'CREATE TABLE u (id int);\n{{ template "shared.sql" . }}\n'
        "---- create above / drop below ----\nDROP TABLE u;\n",
    )
    result = load(tmp_path)
    first, second = result.migrations
    assert result.layout == "tern"
    assert "DROP" not in first.up.text and first.down.text.strip() == "DROP TABLE t;"
    assert first.down.start_line == 3
    # tern's Go templates are expanded by tern alone: said at their line
    [template] = [p for p in second.read_problems if p.kind == "parse_error"]
    assert template.line == 2 and "template" in template.message


def test_tern_expands_its_data_and_included_templates_as_tern_does(tmp_path: Path) -> None:
    write(tmp_path, "tern.conf", "[database]\nhost = db\n\n[data]\napp_user = 'reader'\n")
    migrations = tmp_path / "migrations"
    write(
        migrations,
        "func/touch.sql",
        "create function touch() returns trigger language plpgsql as $$\n"
        "begin new.at := now(); return new; end $$;\n",
    )
    write(
        migrations,
        "001_t.sql",
        "create table t (id int, at timestamptz);\n"
        "grant select on t to {{.app_user}};\n"
        '{{ template "func/touch.sql" . }}\n'
        "{{- /* the trigger uses it */ -}}\n"
        "create trigger t_touch before update on t for each row execute function touch();\n"
        "select nosuch from t;\n"
        "---- create above / drop below ----\n"
        "drop function touch();\ndrop table t;\nrevoke select on t to {{.app_user}};\n",
    )
    analysis = analyze_dir(migrations)

    [info] = analysis.migrations
    up = info.migration.up
    assert "to reader;" in up.text and "create function touch()" in up.text
    lines = {st.text.split()[1]: st.start_line for st in info.statements()}
    # an included file's lines are the line that includes it; the rest keep theirs
    assert lines == {"table": 1, "select": 2, "function": 3, "trigger": 5, "nosuch": 6}
    errors = sorted((p.kind, p.line) for p in analysis.problems if p.severity == "error")
    # the column is missing (at its own line); the down drops the function the
    # trigger uses (2BP01), and its REVOKE … TO is no statement at all
    assert errors == [("dependent_objects", 8), ("missing_prerequisite", 6), ("syntax_error", 10)]


def test_tern_leaves_what_it_cannot_expand_to_tern_and_says_so(tmp_path: Path) -> None:
    below = "---- create above / drop below ----\n"
    write(
        tmp_path,
        "001_a.sql",
        "create table a (id int);\n{{ range .x }}select 1;{{ end }}\n" + below,
    )
    write(tmp_path, "002_b.sql", "create table b;\ngrant select on b to {{.nobody}};\n" + below)
    write(tmp_path, "003_c.sql", below + "drop table b;\n")
    result = load(tmp_path)
    first, second, _ = result.migrations
    [unexpanded] = first.read_problems
    assert unexpanded.line == 2 and "{{ range .x }}" in unexpanded.message
    assert "{{ range .x }}" in first.up.text  # read as written
    [unknown] = second.read_problems
    assert unknown.line == 2 and "no value for {{.nobody}}" in unknown.message


def test_tern_takes_the_branches_its_data_chooses(tmp_path: Path) -> None:
    write(tmp_path, "tern.conf", "[data]\nsample = true\nplan = free\n")
    migrations = tmp_path / "migrations"
    below = "---- create above / drop below ----\n"
    write(
        migrations,
        "001_a.sql",
        "create table a (id int);\n"
        '{{ if eq .sample "true" }}\ninsert into a values (1);\n{{ end }}\n'
        '{{ if ne .plan "free" }}\nselect nosuch from a;\n'
        "{{ else }}\ninsert into a values (2);\n{{ end }}\n"
        "{{ if .loadSampleData }}\nselect alsonosuch from a;\n{{ end }}\n"
        "select id from a;\n" + below,
    )
    analysis = analyze_dir(migrations)

    [info] = analysis.migrations
    kept = [st.text.strip() for st in info.statements()]
    assert kept == [
        "create table a (id int);",
        "insert into a values (1);",
        "insert into a values (2);",
        "select id from a;",
    ]
    # each kept statement at its own line in the file
    assert [st.start_line for st in info.statements()] == [1, 3, 8, 13]
    # a value tern.conf does not give: the block is read as not taken, and said
    [skipped] = [p for p in analysis.problems if p.kind == "template_condition"]
    assert (skipped.severity, skipped.line) == ("warning", 10)
    assert "loadSampleData" in skipped.message
    assert analysis.errors == ()


# ------------------------------------------------- files that undo their neighbour


def test_a_rollback_file_beside_a_migration_is_its_down_section(tmp_path: Path) -> None:
    # yoyo's convention, and many a team's own: 0001_users.rollback.sql undoes 0001_users.sql
    write(tmp_path, "0001_users.sql", "-- depends:\nCREATE TABLE users (id int PRIMARY KEY);\n")
    write(tmp_path, "0001_users.rollback.sql", "DROP TABLE users;\n")
    write(tmp_path, "0002_name.sql", "ALTER TABLE users ADD COLUMN name text;\n")
    write(tmp_path, "0002_name.down.sql", "ALTER TABLE users DROP COLUMN name;\n")
    analysis = analyze_dir(tmp_path)

    assert analysis.layout == "native"
    assert [i.version for i in analysis.migrations] == ["0001", "0002"]
    # no duplicate versions, and the DROP is no step forward that 0002 would trip over
    assert analysis.problems == ()
    first, second = (i.migration for i in analysis.migrations)
    assert first.down.path.name == "0001_users.rollback.sql" and first.down.start_line == 1
    assert second.down.text.strip() == "ALTER TABLE users DROP COLUMN name;"


def test_a_migration_without_the_rollback_file_its_neighbours_have_is_told_to_get_one(
    tmp_path: Path,
) -> None:
    write(tmp_path, "0001_users.sql", "CREATE TABLE users (id int PRIMARY KEY);\n")
    write(tmp_path, "0001_users.rollback.sql", "DROP TABLE users;\n")
    write(tmp_path, "0002_orders.sql", "CREATE TABLE orders (id int PRIMARY KEY);\n")
    [missing] = analyze_dir(tmp_path).problems

    assert missing.kind == "missing_down" and missing.migration == "0002"
    assert missing.hint == "add 0002_orders.rollback.sql beside it, undoing it"


def test_a_rollback_file_beside_a_migration_with_its_own_down_is_said_unread(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "0001_users.sql",
        "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n",
    )
    write(tmp_path, "0001_users.rollback.sql", "DROP TABLE users CASCADE;\n")
    analysis = analyze_dir(tmp_path)

    [only] = analysis.migrations
    assert only.migration.down.text.strip() == "DROP TABLE users;"
    [unread] = analysis.problems
    assert unread.kind == "unrecognized_file" and unread.file == "0001_users.rollback.sql"
    assert "never run" in unread.message


# -------------------------------------------------------------------- yoyo


def test_yoyo_orders_by_name_and_reads_its_directives_and_rollback_files(tmp_path: Path) -> None:
    write(tmp_path, "yoyo.ini", "[DEFAULT]\nsources = migrations\n")
    folder = tmp_path / "migrations"
    write(folder, "20240101_01_aBcD-users.sql", "-- users\nCREATE TABLE users (id int);\n")
    write(folder, "20240101_01_aBcD-users.rollback.sql", "DROP TABLE users;\n")
    write(
        folder,
        "20240101_02_xYz-index.sql",
        "-- depends: 20240101_01_aBcD-users\n-- transactional: false\n"
        "CREATE INDEX CONCURRENTLY users_id ON users (id);\n",
    )
    write(folder, "20240101_02_xYz-index.rollback.sql", "DROP INDEX CONCURRENTLY users_id;\n")
    write(folder, "20240102_01_code.py", "from yoyo import step\nsteps = []\n")
    write(folder, "post-apply.sql", "ANALYZE;\n")
    result = load(folder)

    assert result.layout == "yoyo"
    first, second = result.migrations
    assert (first.version.raw, second.version.raw) == (
        "20240101_01_aBcD-users",
        "20240101_02_xYz-index",
    )
    assert first.down.text == "DROP TABLE users;\n" and first.transactional
    assert not second.transactional
    assert second.declared_requires == ("20240101_01_aBcD-users",)
    # the Python migration runs in its place, unseen; post-apply is no migration
    assert result.code_migrations == (("20240102_01_code", "20240102_01_code.py"),)
    assert [p.kind for p in result.problems] == ["code_migration"]


def test_yoyo_refuses_a_dependency_on_no_migration(tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "-- depends:\nCREATE TABLE a (id int);\n")
    write(tmp_path, "0002_b.sql", "-- depends: 0001_a 0000_gone\nCREATE TABLE b (id int);\n")
    analysis = analyze_dir(tmp_path)

    assert analysis.layout == "yoyo"
    [refused] = analysis.errors
    assert refused.kind == "parse_error" and refused.line == 1 and "0000_gone" in refused.message


# ------------------------------------------------------- graphile-migrate


def _committed(previous: str, own: str, body: str, message: str = "") -> str:
    said = f"--! Message: {message}\n" if message else ""
    return f"--! Previous: {previous}\n--! Hash: {own}\n{said}\n{body}"


def test_graphile_migrate_reads_the_body_after_its_headers_with_placeholders_replaced(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("DATABASE_VISITOR", "app_visitor")
    monkeypatch.delenv("DATABASE_AUTHENTICATOR", raising=False)
    write(
        tmp_path,
        ".gmrc",
        '{\n  // the placeholders\n  "placeholders": {\n    ":DATABASE_VISITOR": "!ENV",\n'
        '    ":DATABASE_AUTHENTICATOR": "!ENV",\n  },\n  "databaseOwner": "app_owner",\n}\n',
    )
    committed = tmp_path / "migrations" / "committed"
    write(
        committed,
        "000001.sql",
        _committed(
            "-",
            "sha1:a1",
            "CREATE SCHEMA app;\nGRANT USAGE ON SCHEMA app TO :DATABASE_VISITOR;\n"
            "ALTER SCHEMA app OWNER TO :DATABASE_OWNER;\n",
        ),
    )
    write(
        committed,
        "000002-index.sql",
        _committed(
            "sha1:a1",
            "sha1:b2",
            "--! no-transaction\nCREATE TABLE app.t (id int);\n"
            "GRANT SELECT ON app.t TO :DATABASE_AUTHENTICATOR;\n",
            message="index",
        ),
    )
    analysis = analyze_dir(committed)

    assert analysis.layout == "graphile-migrate"
    first, second = (i.migration for i in analysis.migrations)
    assert first.up.start_line == 4 and "TO app_visitor;" in first.up.text
    assert "OWNER TO app_owner;" in first.up.text
    assert first.transactional and not second.transactional and second.name == "index"
    # no down migrations by design: none asked for
    [unknown] = analysis.problems
    assert unknown.kind == "parse_error" and unknown.migration == "000002"
    assert ":DATABASE_AUTHENTICATOR" in unknown.message and unknown.line == 7


def test_graphile_migrate_refuses_a_committed_file_without_its_headers(tmp_path: Path) -> None:
    write(tmp_path, "000001.sql", _committed("-", "sha1:a1", "CREATE TABLE a (id int);\n"))
    write(tmp_path, "000002.sql", _committed("sha1:a1", "sha1:b2", "CREATE TABLE b (id int);\n"))
    write(tmp_path, "000003.sql", "CREATE TABLE c (id int);\n")
    result = load(tmp_path)

    assert result.layout == "graphile-migrate"
    [refused] = [p for p in result.problems if p.kind == "parse_error"]
    assert refused.migration == "000003" and "--! Previous:" in refused.message


def test_graphile_migrate_counts_what_its_after_reset_sql_makes(tmp_path: Path) -> None:
    # afterReset runs on a new database before the first migration: the
    # extension, schema and function it makes are there; a command is not read
    write(
        tmp_path,
        ".gmrc",
        '{ "placeholders": { ":APP_SCHEMA": "app" },\n'
        '  "afterReset": ["afterReset.sql", { "_": "command", "command": "true" }] }\n',
    )
    write(
        tmp_path / "migrations",
        "afterReset.sql",
        "CREATE EXTENSION IF NOT EXISTS citext;\nCREATE SCHEMA :APP_SCHEMA;\n"
        "CREATE FUNCTION :APP_SCHEMA.now_utc() RETURNS timestamp LANGUAGE sql\n"
        "  AS $$ SELECT now() AT TIME ZONE 'utc' $$;\nCREATE SCHEMA scratch;\nDROP SCHEMA scratch;\n",
    )
    committed = tmp_path / "migrations" / "committed"
    write(
        committed,
        "000001.sql",
        _committed(
            "-",
            "sha1:a1",
            "CREATE TABLE app.users (email citext, seen timestamp DEFAULT app.now_utc());\n"
            "CREATE TABLE scratch.t (id int);\n",
        ),
    )
    analysis = analyze_dir(committed)

    errors = [p for p in analysis.problems if p.severity == "error"]
    assert [(p.kind, p.object) for p in errors] == [("missing_prerequisite", "schema scratch")]
    assert "afterReset" in errors[0].hint


# ----------------------------------------------------------------- postgrator


def test_postgrator_reads_do_and_undo_files_and_reports_its_code_migrations(
    tmp_path: Path,
) -> None:
    write(tmp_path, "001.do.users.sql", "CREATE TABLE users (id int);\n")
    write(tmp_path, "001.undo.users.sql", "DROP TABLE users;\n")
    write(tmp_path, "002.do.js", "module.exports.generateSql = () => 'SELECT 1';\n")
    write(tmp_path, "003.do.sql", "CREATE INDEX CONCURRENTLY users_id ON users (id);\n")
    write(tmp_path, "004.do.two.sql", "CREATE INDEX CONCURRENTLY u2 ON users (id);\nSELECT 1;\n")
    analysis = analyze_dir(tmp_path)

    assert analysis.layout == "postgrator"
    assert [(i.version, i.migration.name) for i in analysis.migrations] == [
        ("001", "users"),
        ("003", ""),
        ("004", "two"),
    ]
    kinds = sorted((p.kind, p.migration) for p in analysis.problems)
    # a file of one statement is sent alone; of several, as one query: one transaction
    assert kinds == [
        ("code_migration", "002"),
        ("missing_down", "003"),
        ("missing_down", "004"),
        ("tool_transaction", "004"),
    ]


# ----------------------------------------------------------------- refinery


def test_refinery_is_told_apart_from_flyway_by_its_crate(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    write(folder, "V1__users.sql", "CREATE TABLE users (id int);\n")
    write(folder, "V2__names.sql", "ALTER TABLE users ADD COLUMN name text;\n")
    # refinery's unversioned kind: its own version, not flyway's undo of V2
    write(folder, "U3__index.sql", "CREATE INDEX users_name ON users (name);\n")
    assert detect_layout(folder) == "flyway"
    write(tmp_path, "Cargo.toml", '[dependencies]\nrefinery = { version = "0.8" }\n')
    assert detect_layout(folder) == "refinery"
    write(folder, "V4__seed.rs", "pub fn migration() -> String { String::new() }\n")
    write(folder, "V5__bad-name.sql", "SELECT 1;\n")  # refinery's names are \\w+
    analysis = analyze_dir(folder)

    assert [(i.version, i.migration.name) for i in analysis.migrations] == [
        ("1", "users"),
        ("2", "names"),
        ("3", "index"),
    ]
    assert analysis.errors == ()
    # no down migrations, by design: not a warning for each
    kinds = sorted((p.kind, p.migration or p.file) for p in analysis.problems)
    assert kinds == [("code_migration", "4"), ("unrecognized_file", "V5__bad-name.sql")]


def test_refinery_checksum_is_siphash_1_3_of_rusts_hashing(tmp_path: Path) -> None:
    from migtui.core.tools import refinery

    # SipHash-2-4's reference vector (key 00..0f, message 00..0e)
    key = bytes(range(16))
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:], "little")
    assert refinery.siphash(bytes(range(15)), k0, k1) == 0xA129CA6149BE45E5
    folder = tmp_path / "migrations"
    write(tmp_path, "Cargo.toml", '[dependencies]\nrefinery = "0.8"\n')
    write(folder, "V7__users.sql", "CREATE TABLE users (id int);\n")
    [info] = analyze_dir(folder).migrations
    data = b"users\xff" + (7).to_bytes(4, "little") + b"CREATE TABLE users (id int);\n\xff"
    # the same message by hand, SipHash-1-3 with a zero key
    assert refinery.checksum(info) == refinery.siphash(data, rounds=1, final_rounds=3)
    assert refinery.checksum(info) != refinery.siphash(data)


# ----------------------------------------------------------------- db-migrate


def test_db_migrate_reads_the_sql_its_javascript_runs_and_reports_code_of_its_own(
    tmp_path: Path,
) -> None:
    write(tmp_path, "20240101000000-users.js", "exports.up = function (db) {};\n")
    write(tmp_path, "sqls/20240101000000-users-up.sql", "CREATE TABLE users (id int);\n")
    write(tmp_path, "sqls/20240101000000-users-down.sql", "DROP TABLE users;\n")
    write(tmp_path, "20240102000000-seed.js", "exports.up = (db) => db.insert('users');\n")
    write(tmp_path, "20240103000000-names.js", "exports.up = function (db) {};\n")
    write(tmp_path, "sqls/20240103000000-names-up.sql", "ALTER TABLE users ADD COLUMN name text;\n")
    write(tmp_path, "sqls/notes.sql", "SELECT 1;\n")
    analysis = analyze_dir(tmp_path)

    assert analysis.layout == "db-migrate"
    assert [(i.version, i.migration.name) for i in analysis.migrations] == [
        ("20240101000000", "users"),
        ("20240103000000", "names"),
    ]
    kinds = sorted((p.kind, p.migration, p.file) for p in analysis.problems)
    assert kinds == [
        ("code_migration", "20240102000000", "20240102000000-seed.js"),
        ("missing_down", "20240103000000", "sqls/20240103000000-names-up.sql"),
        ("unrecognized_file", None, "sqls/notes.sql"),
    ]
    # pointed at the sqls folder itself, the same migrations
    assert [i.version for i in analyze_dir(tmp_path / "sqls").migrations] == [
        "20240101000000",
        "20240103000000",
    ]


# ----------------------------------------------------------------- shmig


def test_shmig_files_keep_their_down_below_the_line_and_their_own_transactions(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "1639160000-add_events.sql",
        "-- Migration: add events\n-- ====  UP  ====\nBEGIN;\nCREATE TABLE events (id int);\n"
        "COMMIT;\n-- ==== DOWN ====\nBEGIN;\nDROP TABLE events;\nCOMMIT;\n",
    )
    write(
        tmp_path,
        "1639170000-remote.sql",
        "-- ====  UP  ====\nALTER TABLE events ADD COLUMN remote text;\n"
        "-- ==== DOWN ====\nALTER TABLE events DROP COLUMN remote;\n",
    )
    write(tmp_path, "1639180000-nothing.sql", "-- just a note\nSELECT 1;\n")
    analysis = analyze_dir(tmp_path)

    assert analysis.layout == "shmig"
    first, second, third = (i.migration for i in analysis.migrations)
    assert first.name == "add_events" and first.up.start_line == 3
    assert "DROP" not in first.up.text and first.down.text.startswith("BEGIN;\nDROP TABLE")
    # the file's own BEGIN … COMMIT is its transaction: no problem said of it
    assert [p.kind for p in analysis.problems if p.migration != "1639180000"] == []
    # shmig refuses a file without an UP section
    [refused] = [p for p in analysis.problems if p.migration == "1639180000"]
    assert refused.kind == "parse_error" and "UP" in refused.message
    assert third.up is None
    # shmig runs only what is newer than its newest row: an older file without
    # a row is as done, to it, as one with
    from migtui.core.tools.shmig import Shmig

    states = Shmig().states([(1639170000,)], analysis.migrations)
    assert sorted(states) == ["1639160000", "1639170000"]


# ----------------------------------------------------------------- migratus


def test_migratus_pairs_each_up_file_with_its_down_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "20180306151149-job-state.up.sql",
        "CREATE TABLE job (id int PRIMARY KEY);\n"
        "CREATE TYPE job_state AS ENUM ('running', 'lost');\n"
        "ALTER TABLE job ADD COLUMN state job_state;\n",
    )
    write(
        tmp_path,
        "20180306151149-job-state.down.sql",
        "UPDATE job SET state = NULL WHERE state = 'lost'::job_state;\n"
        "DROP TABLE job;\nDROP TYPE job_state;\n",
    )
    write(tmp_path, "20180514135600-job-index.up.sql", "CREATE INDEX job_state ON job (state);\n")
    write(tmp_path, "20180514135600-job-index.down.sql", "DROP INDEX job_state;\n")
    analysis = analyze_dir(tmp_path)

    assert analysis.layout == "migratus"
    assert [(i.version, i.name) for i in analysis.migrations] == [
        ("20180306151149", "job-state"),
        ("20180514135600", "job-index"),
    ]
    # the down files undo their up files: none of them is a migration of its own
    assert [p.kind for p in analysis.problems] == []
    assert all(i.migration.down is not None for i in analysis.migrations)


def test_migratus_statements_between_separators_keep_their_own_lines(tmp_path: Path) -> None:
    write(
        tmp_path,
        "20240101000000-first.up.sql",
        "CREATE TABLE a (id int);\n--;;\nCREATE TABLE b (id int);\n--;;\n"
        "ALTER TABLE nosuch ADD COLUMN x int;\n",
    )
    write(tmp_path, "20240101000000-first.down.sql", "DROP TABLE b;\n--;;\nDROP TABLE a;\n")
    analysis = analyze_dir(tmp_path)

    [missing] = analysis.errors
    assert missing.kind == "missing_prerequisite" and missing.line == 5
    assert missing.file == "20240101000000-first.up.sql"


def test_migratus_runs_edn_migrations_and_its_init_script_unseen(tmp_path: Path) -> None:
    write(tmp_path, "init.sql", "CREATE SCHEMA IF NOT EXISTS app;\n")
    write(tmp_path, "20240101000000-a.up.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "20240101000000-a.down.sql", "DROP TABLE a;\n")
    write(tmp_path, "20240102000000-backfill.edn", "{:ns app.migrations :up-fn up}\n")
    write(tmp_path, "20240103000000-b.up.sql", "CREATE TABLE b (id int);\n")
    write(tmp_path, "20240103000000-b.down.sql", "DROP TABLE b;\n")
    result = load(tmp_path)

    assert result.layout == "migratus"
    assert [m.version.raw for m in result.migrations] == ["20240101000000", "20240103000000"]
    assert result.code_migrations == (("20240102000000", "20240102000000-backfill.edn"),)
    # the .edn migration is said to run unseen; init.sql is Migratus's init script, no stray
    [code] = result.problems
    assert code.kind == "code_migration" and "version 20240102000000" in code.message


def test_migratus_disable_transaction_runs_a_file_outside_one(tmp_path: Path) -> None:
    write(tmp_path, "20240101000000-t.up.sql", "CREATE TABLE t (id int, v text);\n")
    write(tmp_path, "20240101000000-t.down.sql", "DROP TABLE t;\n")
    write(
        tmp_path,
        "20240102000000-ix.up.sql",
        "-- :disable-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n",
    )
    write(tmp_path, "20240102000000-ix.down.sql", "DROP INDEX t_id;\n")
    write(tmp_path, "20240103000000-iv.up.sql", "CREATE INDEX CONCURRENTLY t_v ON t (v);\n")
    write(tmp_path, "20240103000000-iv.down.sql", "DROP INDEX t_v;\n")
    analysis = analyze_dir(tmp_path)

    first, outside, inside = analysis.migrations
    assert first.migration.transactional and inside.migration.transactional
    assert not outside.migration.transactional
    # only the one Migratus wraps in a transaction is refused, and the hint says how out
    [refused] = [p for p in analysis.problems if p.migration != "20240101000000"]
    assert refused.migration == "20240103000000"
    assert "-- :disable-transaction" in refused.hint


def test_names_with_an_underscore_or_without_up_stay_their_own_layouts(tmp_path: Path) -> None:
    write(tmp_path / "gm", "1_a.up.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path / "gm", "1_a.down.sql", "DROP TABLE a;\n")
    write(tmp_path / "dbmate", "20240101000000-create-a.sql", "-- migrate:up\nSELECT 1;\n")
    assert detect_layout(tmp_path / "gm") == "golang-migrate"
    assert detect_layout(tmp_path / "dbmate") == "native"


# ----------------------------------------------------------------- drizzle


def _journal(*entries: tuple[str, int], dialect: str = "postgresql") -> str:
    import json

    listed = [
        {"idx": i, "version": "7", "when": when, "tag": tag, "breakpoints": True}
        for i, (tag, when) in enumerate(entries)
    ]
    return json.dumps({"version": "7", "dialect": dialect, "entries": listed}, indent=2)


def test_drizzle_runs_what_its_journal_lists_in_the_journals_order(tmp_path: Path) -> None:
    write(tmp_path, "0000_first.sql", 'CREATE TABLE "a" ("id" serial PRIMARY KEY NOT NULL);\n')
    write(
        tmp_path,
        "0001_second.sql",
        'ALTER TABLE "a" ADD COLUMN "b" text;--> statement-breakpoint\n'
        'CREATE INDEX "a_b_idx" ON "a" USING btree ("b");\n',
    )
    write(tmp_path, "0002_forgotten.sql", "ALTER TABLE a ADD COLUMN c int;\n")
    write(tmp_path, "meta/0000_snapshot.json", "{}")
    write(
        tmp_path,
        "meta/_journal.json",
        _journal(("0001_second", 1717100000000), ("0000_first", 1717000000000)),
    )
    result = load(tmp_path)
    assert result.layout == "drizzle"
    # the journal's order, not the names' (a branch merged late is listed last)
    assert versions(result) == ["0001", "0000"]
    assert [m.name for m in result.migrations] == ["second", "first"]
    assert all(m.down is None for m in result.migrations)
    [stray] = [p for p in result.problems if p.kind == "unrecognized_file"]
    assert stray.file == "0002_forgotten.sql" and stray.severity == Severity.WARNING
    assert "never runs it" in stray.message
    # no down migrations by design: not a warning per file
    assert "missing_down" not in kinds(result)
    second = analyze_dir(tmp_path).get("0001")
    assert [s.start_line for s in second.statements("up")] == [1, 2]


def test_drizzle_a_listed_file_that_is_missing_is_an_error_at_the_journal(tmp_path: Path) -> None:
    write(tmp_path, "0000_first.sql", "CREATE TABLE a (id int);\n")
    write(
        tmp_path,
        "meta/_journal.json",
        _journal(("0000_first", 1717000000000), ("0001_gone", 1717100000000)),
    )
    result = load(tmp_path)
    [missing] = [p for p in result.problems if p.kind == "missing_file"]
    assert missing.severity == Severity.ERROR
    assert missing.file == "meta/_journal.json" and missing.line == 16
    assert "0001_gone" in missing.message


def test_drizzle_entry_without_its_when_is_said(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "CREATE TABLE a (id int);\n")
    write(
        tmp_path,
        "meta/_journal.json",
        '{"dialect": "postgresql", "entries": [\n{"idx": 0, "tag": "0000_a"}\n]}',
    )
    [said] = [p for p in load(tmp_path).problems if p.kind == "parse_error"]
    assert (said.file, said.line, said.migration) == ("meta/_journal.json", 2, "0000")
    assert "no 'when'" in said.message


def test_drizzle_tags_without_a_number_take_their_place_in_the_journal(tmp_path: Path) -> None:
    write(tmp_path, "wise_ironman.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "tidy_ogre.sql", "ALTER TABLE a ADD COLUMN b int;\n")
    write(
        tmp_path,
        "meta/_journal.json",
        _journal(("wise_ironman", 1717000000000), ("tidy_ogre", 1717100000000)),
    )
    result = load(tmp_path)
    assert versions(result) == ["0000", "0001"]
    assert [m.name for m in result.migrations] == ["wise_ironman", "tidy_ogre"]
    assert result.problems == ()


def test_drizzle_journal_for_another_database_or_broken_is_said(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "meta/_journal.json", _journal(("0000_a", 1), dialect="sqlite"))
    with pytest.raises(LayoutError, match="'sqlite'.*PostgreSQL migrations only"):
        load(tmp_path)
    write(tmp_path, "meta/_journal.json", '{"dialect": "postgresql",\n "entries": [}')
    result = load(tmp_path)
    [broken] = [p for p in result.problems if p.kind == "parse_error"]
    assert broken.file == "meta/_journal.json" and broken.line == 2
    assert broken.severity == Severity.ERROR


def test_drizzle_project_root_points_at_its_migrations_folder(tmp_path: Path) -> None:
    write(tmp_path, "drizzle.config.ts", "export default {}\n")
    write(tmp_path, "drizzle/0000_a.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "drizzle/meta/_journal.json", _journal(("0000_a", 1717000000000)))
    with pytest.raises(LayoutError, match="did you mean .*drizzle"):
        detect_layout(tmp_path)


def test_drizzle_concurrently_is_said_since_drizzle_runs_it_in_a_transaction(
    tmp_path: Path,
) -> None:
    write(tmp_path, "0000_a.sql", 'CREATE TABLE "a" ("id" int);\n')
    write(tmp_path, "0001_b.sql", 'CREATE INDEX CONCURRENTLY "a_idx" ON "a" ("id");\n')
    write(tmp_path, "meta/_journal.json", _journal(("0000_a", 1), ("0001_b", 2)))
    analysis = analyze_dir(tmp_path)
    [hint] = [p for p in analysis.warnings if p.kind == "tool_transaction"]
    assert (hint.migration, hint.line) == ("0001", 1)
    assert "drizzle runs this migration in a transaction" in hint.message
    assert "one transaction" in hint.hint


def test_after_a_migration_whose_file_is_missing_columns_are_not_known(tmp_path: Path) -> None:
    write(tmp_path, "0000_a.sql", 'CREATE TABLE "a" ("id" int);\n')
    write(tmp_path, "0002_c.sql", 'ALTER TABLE "a" ALTER COLUMN "b" SET DEFAULT 1;\n')
    write(
        tmp_path,
        "meta/_journal.json",
        _journal(("0000_a", 1), ("0001_gone", 2), ("0002_c", 3)),
    )
    analysis = analyze_dir(tmp_path)
    # the missing file is the error; what it may have added is not another one
    assert [p.kind for p in analysis.errors] == ["missing_file"]


# --------------------------------------------------------------------- pop


def test_pop_runs_postgres_files_first_then_those_for_every_database(tmp_path: Path) -> None:
    write(tmp_path, "20240101000001_a.postgres.up.sql", "CREATE TABLE a (id uuid);\n")
    write(tmp_path, "20240101000001_a.mysql.up.sql", "CREATE TABLE `a` (`id` char(36));\n")
    write(tmp_path, "20240101000001_a.sqlite3.up.sql", 'CREATE TABLE "a" ("id" TEXT);\n')
    write(tmp_path, "20240101000001_a.down.sql", "DROP TABLE a;\n")
    # one file for every database, and PostgreSQL's own: PostgreSQL runs its own
    write(tmp_path, "20240101000002_b.up.sql", "ALTER TABLE a ADD COLUMN b text;\n")
    write(tmp_path, "20240101000002_b.postgres.up.sql", "ALTER TABLE a ADD COLUMN b jsonb;\n")
    write(tmp_path, "20240101000002_b.down.sql", "ALTER TABLE a DROP COLUMN b;\n")
    # an empty file for PostgreSQL: nothing runs there (a change for MySQL alone)
    write(tmp_path, "20240101000003_c.postgres.up.sql", "")
    write(tmp_path, "20240101000003_c.mysql.up.sql", "ALTER TABLE `a` ENGINE=InnoDB;\n")
    write(tmp_path, "20240101000003_c.postgres.down.sql", "")
    # only another database has this version
    write(tmp_path, "20240101000004_d.mysql.up.sql", "ALTER TABLE `a` ADD `x` int;\n")
    write(tmp_path, "20240101000005_e.up.fizz", 'add_column("a", "e", "string", {})\n')
    result = load(tmp_path)
    assert result.layout == "pop"
    assert versions(result) == ["20240101000001", "20240101000002", "20240101000003"]
    mig = by_version(result)
    assert mig["20240101000001"].up.text == "CREATE TABLE a (id uuid);\n"
    assert mig["20240101000001"].down.text == "DROP TABLE a;\n"
    assert "jsonb" in mig["20240101000002"].up.text
    assert kinds(result).count("empty_migration") == 0  # the placeholder is not a mistake
    [fizz] = [p for p in result.problems if p.kind == "code_migration"]
    assert "fizz" in fizz.message and fizz.migration == "20240101000005"
    analysis = analyze_dir(tmp_path)
    assert analysis.errors == ()


def test_pop_picks_postgres_file_by_version_whatever_its_name(tmp_path: Path) -> None:
    write(tmp_path, "20240101000001_a.up.sql", "CREATE TABLE a (id text);\n")
    write(tmp_path, "20240101000001_a_pg.postgres.up.sql", "CREATE TABLE a (id uuid);\n")
    [only] = load(tmp_path).migrations
    assert (only.name, only.up.text) == ("a_pg", "CREATE TABLE a (id uuid);\n")


def test_pop_orders_versions_as_text_as_pop_does(tmp_path: Path) -> None:
    # pop's older fourteen-digit versions beside its twenty-digit ones
    write(tmp_path, "20200810161022_rename.postgres.up.sql", "ALTER TABLE a RENAME TO b;\n")
    write(tmp_path, "20191100000002000001_a.postgres.up.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "20200810161022000001_c.postgres.up.sql", "ALTER TABLE b ADD c int;\n")
    assert versions(load(tmp_path)) == [
        "20191100000002000001",
        "20200810161022",
        "20200810161022000001",
    ]
    assert analyze_dir(tmp_path).errors == ()


def test_pop_files_without_a_database_alone_read_as_golang_migrate(tmp_path: Path) -> None:
    write(tmp_path, "20240101000001_a.up.sql", "CREATE TABLE a (id int);\n")
    write(tmp_path, "20240101000001_a.down.sql", "DROP TABLE a;\n")
    assert detect_layout(tmp_path) == "golang-migrate"
    assert load(tmp_path, layout="pop").migrations[0].name == "a"


def test_a_flyway_location_with_its_scripts_in_subfolders_is_flyway(tmp_path: Path) -> None:
    # flyway reads a location's subfolders too: db/migration/0.0.1/V0.0.1.1__init.sql
    location = tmp_path / "db" / "migration"
    write(location / "0.0.1", "V0.0.1.1__init.sql", "CREATE TABLE a (id int);\n")
    write(location / "0.0.2", "V0.0.2.1__more.sql", "ALTER TABLE a ADD COLUMN b int;\n")
    assert detect_layout(location) == "flyway"
    assert [m.id for m in load(location).migrations] == ["0.0.1.1", "0.0.2.1"]
    # a folder of another name, or one holding other scripts too, is not taken for one
    with pytest.raises(LayoutError, match="did you mean"):
        detect_layout(tmp_path / "db")
    write(location / "misc", "seed.sql", "SELECT 1;\n")
    with pytest.raises(LayoutError):
        detect_layout(location)


# --------------------------------------------------------- node-pg-migrate


def test_node_pg_migrate_sections_follow_its_markers(tmp_path: Path) -> None:
    write(
        tmp_path,
        "1700000000000_create-users.sql",
        "-- Up Migration\nCREATE TABLE users (id int);\n\n-- Down Migration\nDROP TABLE users;\n",
    )
    # down first: each section runs to the other's marker, or to the end
    write(
        tmp_path,
        "1700000000001_add-email.sql",
        "--- down migration\nALTER TABLE users DROP COLUMN email;\n"
        "-- UP MIGRATION\nALTER TABLE users ADD COLUMN email text;\n",
    )
    write(
        tmp_path,
        "1700000000002_index.sql",
        "-- Index for the email lookups.\n-- no transaction\n-- Up Migration\n"
        "CREATE INDEX CONCURRENTLY users_email ON users (email);\n"
        "-- Down Migration\nDROP INDEX CONCURRENTLY users_email;\n",
    )
    write(tmp_path, "1700000000003_seed.js", "exports.up = (pgm) => {};\n")
    result = load(tmp_path)
    assert result.layout == "node-pg-migrate"
    first, second, third = result.migrations
    assert "DROP" not in first.up.text and first.down.text.startswith("-- Down Migration")
    assert first.down.start_line == 4
    assert "ADD COLUMN" in second.up.text and "DROP COLUMN" not in second.up.text
    assert (second.up.start_line, second.down.start_line) == (3, 1)
    assert first.up.transactional and not third.up.transactional
    [code] = [p for p in result.problems if p.kind == "code_migration"]
    assert "JavaScript" in code.message and code.migration == "1700000000003"
    assert analyze_dir(tmp_path).errors == ()


def test_node_pg_migrate_files_sharing_a_number_run_in_its_order(tmp_path: Path) -> None:
    """node-pg-migrate knows a migration by its file name: files that share a
    number are not duplicates. It runs them in the order of their names,
    compared as its localeCompare does (numbers by value, punctuation ignored,
    the extension included): the order below is the one node-pg-migrate 9 ran."""
    for stem in ("1_b-x", "1_a", "1_B2", "1_a10", "1_a9", "2_c"):
        write(tmp_path, f"{stem}.sql", f'-- Up Migration\nCREATE TABLE "t_{stem}" (id int);\n')
    result = load(tmp_path)
    assert [m.id for m in result.migrations] == ["1_a9", "1_a10", "1_a", "1_B2", "1_b-x", "2"]
    analysis = analyze_dir(tmp_path)
    assert analysis.errors == ()
    # the console lists them in that order too
    from migtui.tui.project_view import ProjectView

    rows = [r.version for r in ProjectView(analysis).rows()]
    assert rows == ["1_a9", "1_a10", "1_a", "1_B2", "1_b-x", "2"]
    # each is named by its file name, as in node-pg-migrate's pgmigrations
    assert named("1_a", result.migrations, lambda m: m.version).path.name == "1_a.sql"


def test_node_pg_migrate_file_without_an_up_marker_runs_whole(tmp_path: Path) -> None:
    """node-pg-migrate runs such a file whole on the way up, its down SQL with it:
    migtui reads it the same way, and says so at the down marker."""
    write(tmp_path, "1700000000000_a.sql", "-- Up Migration\nCREATE TABLE a (id int);\n")
    write(
        tmp_path,
        "1700000000001_b.sql",
        "CREATE TABLE b (id int);\n-- Down Migration\nDROP TABLE b;\n",
    )
    result = load(tmp_path)
    second = by_version(result)["1700000000001"]
    assert "DROP TABLE b" in second.up.text
    [said] = [p for p in result.problems if p.kind == "parse_error"]
    assert (said.line, said.severity) == (2, Severity.ERROR)
    assert "runs the whole file" in said.message


def test_dbmate_files_saying_down_migration_in_a_comment_stay_native(tmp_path: Path) -> None:
    for n in range(3):
        write(
            tmp_path,
            f"000{n}_t{n}.sql",
            f"-- migrate:up\nCREATE TABLE t{n} (id int);\n"
            f"-- migrate:down\n-- down migration: drops the table\nDROP TABLE t{n};\n",
        )
    assert detect_layout(tmp_path) == "native"


def test_native_folder_with_a_node_pg_migrate_down_marker_runs_nothing_after_it(
    tmp_path: Path,
) -> None:
    write(tmp_path, "0001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n")
    write(tmp_path, "0002_b.sql", "-- migrate:up\nCREATE TABLE b (id int);\n")
    write(tmp_path, "0003_c.sql", "CREATE TABLE c (id int);\n-- Down Migration\nDROP TABLE c;\n")
    write(
        tmp_path,
        "0004_d.sql",
        "-- Down migration not needed: d is new.\nCREATE TABLE d (id int);\n",
    )
    result = load(tmp_path)
    assert "CREATE TABLE d" in by_version(result)["0004"].up.text
    assert result.layout == "native"
    third = by_version(result)["0003"]
    assert "DROP" not in third.up.text
    [said] = [p for p in result.problems if p.kind == "parse_error"]
    assert "node-pg-migrate" in said.hint and said.line == 2
