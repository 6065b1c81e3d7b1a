"""Cases found on real histories, each in its own layout: no false alarm where
the SQL is right, an error at the right line where it is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from migtui.core.graph import analyze_dir
from migtui.core.statements import split


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def found(root: Path, layout: str | None = None) -> list:
    """What check reports, leaving out the files without a down section."""
    return [p for p in analyze_dir(root, layout=layout).problems if p.kind != "missing_down"]


def problems(root: Path, layout: str | None = None) -> list[tuple[str, str, int | None, str]]:
    return [(p.kind, str(p.severity), p.line, p.section) for p in found(root, layout)]


def errors(root: Path, layout: str | None = None) -> list:
    return [p for p in analyze_dir(root, layout=layout).problems if str(p.severity) == "error"]


GOOSE_HEAD = "-- +goose Up\n-- +goose StatementBegin\n"
GOOSE_TAIL = "-- +goose StatementEnd\n"


def test_goose_block_of_several_statements_provides_each(tmp_path):
    write(
        tmp_path,
        {
            "001_two.sql": GOOSE_HEAD
            + "CREATE TABLE a(id int); CREATE TABLE b(id int);\n"
            + GOOSE_TAIL,
            "002_alter.sql": "-- +goose Up\nALTER TABLE b ADD COLUMN x int;\n",
        },
    )
    assert problems(tmp_path, "goose") == []


def test_goose_block_failure_points_at_its_own_statement(tmp_path):
    write(
        tmp_path,
        {
            "001_lock.sql": GOOSE_HEAD
            + "CREATE TABLE ok1(id int);\nLOCK TABLE nosuch IN ACCESS EXCLUSIVE MODE;\n"
            + GOOSE_TAIL,
        },
    )
    (error,) = errors(tmp_path, "goose")
    assert (error.kind, error.object, error.line) == (
        "missing_prerequisite",
        "table public.nosuch",
        4,
    )


def test_default_privileges_to_roles_need_no_objects(tmp_path):
    write(
        tmp_path,
        {
            "0001_app.sql": "CREATE SCHEMA app;\nALTER DEFAULT PRIVILEGES IN SCHEMA app "
            "GRANT ALL ON TABLES TO postgres, reader;\n"
        },
    )
    assert problems(tmp_path) == []


def test_extension_functions_exist_after_create_extension(tmp_path):
    write(
        tmp_path,
        {
            "0001_trgm.sql": "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
            "GRANT EXECUTE ON FUNCTION show_trgm(text) TO public;\n"
        },
    )
    assert problems(tmp_path) == []


def test_objects_of_an_unknown_extension_are_a_warning_naming_it(tmp_path):
    write(
        tmp_path,
        {
            "0001_ext.sql": "CREATE EXTENSION IF NOT EXISTS timescaledb;\n"
            "SELECT create_hypertable('m', 'ts') FROM only_from_ext;\n"
        },
    )
    warnings = found(tmp_path)
    assert sorted(w.object for w in warnings) == [
        "function public.create_hypertable(…)",  # the function it calls, and the table
        "table public.only_from_ext",
    ]
    for warning in warnings:
        assert (warning.kind, str(warning.severity)) == ("unknown_origin", "warning")
        assert "timescaledb" in warning.message


def test_the_warning_names_the_extension_likely_to_make_the_object(tmp_path):
    write(
        tmp_path,
        {
            "0001_ext.sql": "CREATE EXTENSION IF NOT EXISTS postgis;\n"
            "CREATE EXTENSION IF NOT EXISTS pg_cron;\nCREATE EXTENSION IF NOT EXISTS pgq;\n"
            "SELECT st_makepoint(1, 2), cron.schedule('x', '* * * * *', 'SELECT 1'), q();\n"
        },
    )
    named = {w.object: w.message.split("extension ")[1].split(" ")[0] for w in found(tmp_path)}
    assert named == {
        "function public.st_makepoint(…)": "postgis",  # PostGIS's names
        "function cron.schedule(…)": "pg_cron",  # in pg_cron's own schema
        "function public.q(…)": "pgq",  # else the latest made
    }


def test_the_schema_an_extension_makes_of_its_own_is_not_missing(tmp_path):
    # pg_cron makes schema cron wherever it is created; a schema no extension
    # is known to make is still missing
    write(
        tmp_path,
        {
            "0001_cron.sql": "CREATE EXTENSION IF NOT EXISTS pg_cron;\n"
            "GRANT USAGE ON SCHEMA cron TO postgres;\n"
            "GRANT USAGE ON SCHEMA jobs TO postgres;\n"
        },
    )
    [problem] = found(tmp_path)
    assert (problem.kind, problem.object) == ("missing_prerequisite", "schema jobs")


def test_a_missing_object_inside_a_catching_handler_is_a_warning(tmp_path):
    write(
        tmp_path,
        {
            "0001_owner.sql": "DO $$ BEGIN ALTER FUNCTION nosuch_fn OWNER TO postgres;\n"
            "EXCEPTION WHEN OTHERS THEN RAISE WARNING 'x'; END $$;\n"
        },
    )
    (warning,) = found(tmp_path)
    assert (warning.kind, str(warning.severity)) == ("guarded_requirement", "warning")


def test_a_handler_naming_the_sqlstate_of_a_missing_table_catches_it(tmp_path):
    write(
        tmp_path,
        {
            "0001_owner.sql": "DO $$ BEGIN ALTER TABLE nosuch ADD COLUMN c int;\n"
            "EXCEPTION WHEN SQLSTATE '42P01' THEN NULL; END $$;\n"
        },
    )
    (warning,) = found(tmp_path)
    assert (warning.kind, str(warning.severity)) == ("guarded_requirement", "warning")


def test_a_handler_for_another_error_does_not_hide_a_missing_object(tmp_path):
    write(
        tmp_path,
        {
            "0001_owner.sql": "DO $$ BEGIN ALTER TABLE nosuch ADD COLUMN c int;\n"
            "EXCEPTION WHEN unique_violation THEN NULL; END $$;\n"
        },
    )
    (error,) = errors(tmp_path)
    assert error.object == "table public.nosuch"


def test_golang_migrate_may_alter_its_own_ledger(tmp_path):
    write(
        tmp_path,
        {
            "1_init.up.sql": "CREATE TABLE t (id int);\n",
            "1_init.down.sql": "DROP TABLE t;\n",
            "2_x.up.sql": "ALTER TABLE schema_migrations ADD COLUMN data_version int;\n",
            "2_x.down.sql": "ALTER TABLE schema_migrations DROP COLUMN data_version;\n",
        },
    )
    assert problems(tmp_path, "golang-migrate") == []


def diesel(root: Path, up: str, down: str) -> Path:
    return write(
        root,
        {
            "2020-01-01-000000_versions/up.sql": "CREATE TABLE versions (id int);\n",
            "2020-01-01-000000_versions/down.sql": "DROP TABLE versions;\n",
            "2020-02-01-000000_uindex/up.sql": up,
            "2020-02-01-000000_uindex/down.sql": down,
        },
    )


def test_diesel_down_dropping_a_constraint_where_the_up_made_an_index(tmp_path):
    diesel(
        tmp_path,
        "CREATE UNIQUE INDEX versions_id_uindex ON versions(id);\n",
        "ALTER TABLE versions DROP CONSTRAINT versions_id_uindex;\n",
    )
    (error,) = errors(tmp_path, "diesel")
    assert (error.kind, error.section, error.line) == ("missing_prerequisite", "down", 1)
    assert error.object == "constraint versions_id_uindex on public.versions"
    assert "DROP INDEX public.versions_id_uindex" in error.hint
    # a down that fails stops a rollback, never an apply
    assert not error.blocks_apply


def test_diesel_down_missing_a_semicolon_is_a_syntax_error_at_the_second_line(tmp_path):
    diesel(
        tmp_path,
        "ALTER TABLE versions ADD COLUMN a int;\nALTER TABLE versions ADD COLUMN b int;\n",
        "ALTER TABLE versions DROP COLUMN a\nALTER TABLE versions DROP COLUMN b;\n",
    )
    (error,) = errors(tmp_path, "diesel")
    assert (error.kind, error.section, error.line) == ("syntax_error", "down", 2)
    assert 'syntax error at or near "ALTER"' in error.message


def test_a_down_dropping_what_its_up_never_made(tmp_path):
    write(
        tmp_path,
        {
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int);\n"
            "-- migrate:down\nDROP TABLE t;\nDROP INDEX t_ghost_idx;\n"
        },
    )
    (error,) = errors(tmp_path)
    assert (error.object, error.section, error.line) == ("index public.t_ghost_idx", "down", 5)


def test_a_down_undoing_its_up_exactly_is_clean(tmp_path):
    write(
        tmp_path,
        {
            "0001_t.sql": "-- migrate:up\nCREATE TABLE t (id int PRIMARY KEY, e text UNIQUE);\n"
            "CREATE INDEX ON t (e);\n"
            "-- migrate:down\nDROP INDEX t_e_idx;\nALTER TABLE t DROP CONSTRAINT t_e_key;\n"
            "DROP TABLE t;\n"
        },
    )
    assert problems(tmp_path) == []


def test_postgresql_18_syntax_parses():
    sql = (
        "ALTER TABLE t ADD CONSTRAINT c NOT NULL x;\n"
        "CREATE TABLE v (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);\n"
        "CREATE TABLE r (id int, valid daterange, PRIMARY KEY (id, valid WITHOUT OVERLAPS));\n"
    )
    statements = split(sql).statements
    assert [s.syntax_error for s in statements] == [None, None, None]
    assert [next(iter(s.tree)) for s in statements] == [
        "AlterTableStmt",
        "CreateStmt",
        "CreateStmt",
    ]


def test_existence_test_through_a_variable_guards_the_work(tmp_path):
    write(
        tmp_path,
        {
            "0001_legacy.sql": """DO $$
DECLARE found_it boolean;
BEGIN
  SELECT EXISTS (SELECT FROM information_schema.tables WHERE table_name = 'legacy')
    INTO found_it;
  IF found_it THEN
    ALTER TABLE legacy ADD COLUMN note text;
  ELSE
    RAISE EXCEPTION 'legacy is missing';
  END IF;
END $$;
"""
        },
    )
    (warning,) = found(tmp_path)
    assert (warning.kind, str(warning.severity)) == ("guarded_requirement", "warning")


def test_a_drop_under_an_existence_test_is_a_conditional_drop(tmp_path):
    write(
        tmp_path,
        {
            "0001_cleanup.sql": """DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_tables WHERE tablename = 'scratch') THEN
    DROP TABLE scratch;
  END IF;
END $$;
"""
        },
    )
    assert found(tmp_path) == []


FLYWAY_VIEW = {
    "V1__t.sql": "CREATE TABLE t (id int);\n",
    "R__v.sql": "CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n",
}


def test_flyway_guarded_use_of_a_repeatables_view_is_not_a_problem(tmp_path):
    write(
        tmp_path,
        FLYWAY_VIEW
        | {
            "V2__guarded.sql": """DO $$
BEGIN
  IF EXISTS (SELECT FROM information_schema.views WHERE table_name = 'v') THEN
    DROP VIEW v;
  ELSE
    RAISE NOTICE 'no view yet';
  END IF;
END $$;
"""
        },
    )
    assert [p for p in found(tmp_path, "flyway") if p.kind != "guarded_skip"] == []


def test_flyway_plain_use_of_a_repeatables_view_names_the_repeatable(tmp_path):
    write(tmp_path, FLYWAY_VIEW | {"V2__uses.sql": "SELECT * FROM v;\n"})
    (error,) = errors(tmp_path, "flyway")
    assert (error.kind, error.object) == ("out_of_order", "table public.v")
    assert "R__v" in error.message


def native(root: Path, up: str, down: str = "") -> Path:
    text = f"-- migrate:up\n{up}" + (f"-- migrate:down\n{down}" if down else "")
    return write(root, {"0001_a.sql": text})


def test_dropping_a_column_drops_the_indexes_using_it(tmp_path):
    native(
        tmp_path,
        "CREATE TABLE s (id int, sub text);\nCREATE UNIQUE INDEX s_id_sub_idx ON s (id, sub);\n",
        "ALTER TABLE s DROP COLUMN sub;\nDROP INDEX s_id_sub_idx;\nDROP TABLE s;\n",
    )
    (error,) = errors(tmp_path)
    assert (error.object, error.section, error.line) == ("index public.s_id_sub_idx", "down", 6)


def test_dropping_what_a_view_or_foreign_key_needs_is_refused(tmp_path):
    native(
        tmp_path,
        "CREATE TABLE u (id int PRIMARY KEY);\n"
        "CREATE TABLE p (id int, owner int REFERENCES u (id));\n"
        "CREATE MATERIALIZED VIEW mv AS SELECT id FROM u;\n",
        "DROP TABLE u;\nDROP MATERIALIZED VIEW mv;\nDROP TABLE p;\n",
    )
    (error,) = errors(tmp_path)
    assert (error.kind, error.section, error.line) == ("dependent_objects", "down", 6)
    assert "materialized view public.mv" in error.message
    assert "constraint p_owner_fkey on public.p" in error.message


def test_dependents_dropped_first_or_with_cascade_are_fine(tmp_path):
    native(
        tmp_path,
        "CREATE TABLE u (id int PRIMARY KEY);\nCREATE VIEW v AS SELECT id FROM u;\n"
        "CREATE TABLE p (id int, owner int REFERENCES u (id));\n",
        "DROP TABLE p;\nDROP VIEW v;\nDROP TABLE u CASCADE;\n",
    )
    assert errors(tmp_path) == []


def test_an_up_dropping_a_table_a_view_reads_is_refused(tmp_path):
    write(
        tmp_path,
        {
            "0001_t.sql": "CREATE TABLE t (id int);\nCREATE VIEW v AS SELECT id FROM t;\n",
            "0002_drop.sql": "DROP TABLE t;\n",
        },
    )
    (error,) = errors(tmp_path)
    assert (error.kind, error.migration, error.section) == ("dependent_objects", "0002", "up")
    assert "view public.v" in error.message


def test_a_trigger_holds_its_function(tmp_path):
    write(
        tmp_path,
        {
            "0001_t.sql": "CREATE TABLE t (id int);\n"
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
            "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n",
            "0002_drop.sql": "DROP FUNCTION f();\n",
            "0003_ok.sql": "DROP TRIGGER trg ON t;\nDROP FUNCTION IF EXISTS f();\n",
        },
    )
    (error,) = errors(tmp_path)
    assert (error.kind, error.migration) == ("dependent_objects", "0002")


def test_copy_from_stdin_is_reported_at_the_copy_not_at_its_data(tmp_path):
    """Its rows follow it: migtui sends them as psql does, dbmate does not (a
    warning); with no rows after it, nothing can send any (an error)."""
    native(tmp_path, "CREATE TABLE t (a int);\nCOPY t (a) FROM stdin;\n1\n2\n\\.\nSELECT 1;\n")
    assert errors(tmp_path) == []
    [said] = [p for p in analyze_dir(tmp_path).problems if p.kind == "unsupported_statement"]
    assert (str(said.severity), said.line) == ("warning", 3)
    assert "dbmate" in said.message and "COPY … FROM stdin" in said.message
    native(tmp_path, "CREATE TABLE t (a int);\nSELECT 1;\nCOPY t (a) FROM stdin;\n")
    (error,) = errors(tmp_path)
    assert (error.kind, error.line) == ("unsupported_statement", 4)
    assert "no rows follow it" in error.message


def test_copy_from_stdin_with_its_rows_is_what_psql_and_flyway_run(tmp_path):
    (tmp_path / "V1__t.sql").write_text(
        "CREATE TABLE t (a int);\nCOPY t (a) FROM stdin;\n1\n2\n\\.\n"
    )
    assert [p.kind for p in analyze_dir(tmp_path).problems] == []


def test_a_plpgsql_body_its_parser_refuses_fails_at_create_function(tmp_path):
    native(
        tmp_path,
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
        "BEGIN\n  IF true THEN RETURN 1;\nEND $$;\n",
    )
    (error,) = errors(tmp_path)
    assert (error.kind, error.line, error.section) == ("syntax_error", 2, "up")
    assert "syntax error at end of input" in error.message


def test_with_check_function_bodies_off_the_body_is_not_checked(tmp_path):
    native(
        tmp_path,
        "SET check_function_bodies = off;\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
        "BEGIN\n  IF true THEN RETURN 1;\nEND $$;\n",
    )
    assert errors(tmp_path) == []


def test_a_view_replaced_to_read_elsewhere_no_longer_holds_its_old_table(tmp_path):
    write(
        tmp_path,
        {
            "0001_t.sql": "CREATE TABLE t (id int);\nCREATE TABLE u (id int);\n"
            "CREATE VIEW v AS SELECT id FROM t;\n",
            "0002_v.sql": "CREATE OR REPLACE VIEW v AS SELECT id FROM u;\n",
            "0003_drop.sql": "DROP TABLE t;\n",
        },
    )
    assert errors(tmp_path) == []


def test_rolling_back_everything_sees_what_a_later_down_leaves_behind(tmp_path):
    write(
        tmp_path,
        {
            "0001_s.sql": "-- migrate:up\nCREATE SCHEMA app;\n-- migrate:down\nDROP SCHEMA app;\n",
            "0002_t.sql": "-- migrate:up\nCREATE TYPE app.k AS ENUM ('a');\n"
            "CREATE TABLE app.t (k app.k);\n-- migrate:down\nDROP TABLE app.t;\n",
        },
    )
    (error,) = errors(tmp_path)
    assert (error.kind, error.migration, error.section, error.line) == (
        "dependent_objects",
        "0001",
        "down",
        4,
    )
    assert "type app.k" in error.message


def test_a_schema_emptied_of_what_goes_with_its_owners_drops_cleanly(tmp_path):
    write(
        tmp_path,
        {
            "0001_s.sql": "-- migrate:up\nCREATE SCHEMA app;\n-- migrate:down\nDROP SCHEMA app;\n",
            "0002_t.sql": "-- migrate:up\nCREATE TABLE app.t (id int);\n"
            "CREATE SEQUENCE app.t_seq OWNED BY app.t.id;\n"
            "CREATE TYPE app.span AS RANGE (subtype = int4);\n"
            "-- migrate:down\nDROP TYPE app.span;\nDROP TABLE app.t;\n",
        },
    )
    assert errors(tmp_path) == []


def test_a_migration_making_its_tools_ledger_fails_where_the_tool_made_it(tmp_path):
    # golang-migrate makes schema_migrations before the first migration runs
    write(
        tmp_path,
        {
            "1_ledger.up.sql": "SELECT 1;\nCREATE TABLE schema_migrations (version bigint);\n",
            "1_ledger.down.sql": "SELECT 1;\n",
            "2_ok.up.sql": "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint);\n",
            "2_ok.down.sql": "SELECT 1;\n",
        },
    )
    (error,) = errors(tmp_path, "golang-migrate")
    assert (error.kind, error.object, error.line) == (
        "already_exists",
        "table public.schema_migrations",
        2,
    )
    assert "golang-migrate makes it before running the first migration" in error.message


def test_a_dump_making_migtuis_own_schema_is_refused(tmp_path):
    # a pg_dump of a database migtui has migrated holds its ledger's schema
    write(tmp_path, {"001_baseline.sql": "-- migrate:up\nCREATE SCHEMA migtui;\n"})
    (error,) = errors(tmp_path)
    assert (error.kind, error.object, error.line) == ("already_exists", "schema migtui", 2)


def test_sql_built_at_run_time_in_between_makes_it_a_warning(tmp_path):
    write(
        tmp_path,
        {
            "001_a.sql": "-- migrate:up\nCREATE TABLE jobs (id int);\n",
            "002_dyn.sql": "-- migrate:up\n"
            "DO $$ DECLARE t text := 'jobs'; BEGIN EXECUTE 'DROP TABLE ' || t; END $$;\n",
            "003_b.sql": "-- migrate:up\nCREATE TABLE jobs (id int);\n",
        },
    )
    [exists] = [p for p in found(tmp_path) if p.kind == "already_exists"]
    assert (str(exists.severity), exists.line) == ("warning", 2)
    assert "unless SQL built at run time dropped it" in exists.message


def test_a_pg_dump_baseline_names_its_restrict_lines(tmp_path):
    # pg_dump 17.6 and later wrap a dump in \restrict KEY … \unrestrict KEY
    dump = (
        "-- migrate:up\n--\n-- PostgreSQL database dump\n--\n\n\\restrict Kq3x\n\n"
        "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n"
        "CREATE TABLE public.t (id integer NOT NULL);\n"
        "CREATE SEQUENCE public.t_id_seq START WITH 1;\n"
        "ALTER SEQUENCE public.t_id_seq OWNER TO app;\n"
        "ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;\n"
        "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n"
        "\n\\unrestrict Kq3x\n"
    )
    write(tmp_path, {"001_baseline.sql": dump})
    assert [(e.kind, e.line) for e in errors(tmp_path)] == [
        ("unsupported_statement", 6),
        ("unsupported_statement", 16),
    ]
    assert "delete the \\restrict line" in errors(tmp_path)[0].hint
    # without them, the dump is a clean baseline (and locks nobody out)
    (tmp_path / "001_baseline.sql").write_text(dump.replace("\\restrict Kq3x", "").replace(
        "\\unrestrict Kq3x", ""))  # fmt: skip
    assert errors(tmp_path) == []
    assert [h.rule for h in analyze_dir(tmp_path).hints] == []


def test_two_files_of_one_version_with_different_sections_are_read_not_crashed_on(tmp_path):
    # dbmate names (0002-c) beside migtui's (0002_b): one version, two files
    write(
        tmp_path,
        {
            "0001_a.sql": "-- migrate:up\nSELECT 1;\n",
            "0002-c.sql": "-- migrate:up\nSELECT 1;\n",
            "0002_b.sql": "-- migrate:up\nSELECT 2;\n-- migrate:down\nDROP TABLE gone;\n",
        },
    )
    assert "duplicate_version" in [p.kind for p in errors(tmp_path)]


def test_two_files_of_one_version_are_each_walked_with_their_own_sql(tmp_path):
    # the second file's objects were said to exist already, made by itself
    write(
        tmp_path,
        {
            "0001_a.sql": "CREATE TABLE t (id int);\n",
            "0002_b.sql": "CREATE TABLE u (id int);\n",
            "0002_c.sql": "CREATE TABLE v (id int);\nCREATE INDEX v_idx ON v (id);\n",
            "0003_d.sql": "INSERT INTO u SELECT id FROM v;\n",
        },
    )
    assert [(p.kind, p.file) for p in errors(tmp_path)] == [("duplicate_version", "0002_c.sql")]


def test_a_plpgsql_function_with_a_variadic_array_is_valid(tmp_path):
    # libpg_query's PL/pgSQL parser knows no types and refused any VARIADIC
    body = "RETURNS boolean AS $$ BEGIN RETURN array_length(names, 1) > 0; END $$ LANGUAGE plpgsql;"
    write(
        tmp_path,
        {
            "V1__fn.sql": f"CREATE FUNCTION has_meta(a int, VARIADIC names text[]) {body}\n",
            "V2__scalar.sql": f"CREATE FUNCTION bad(VARIADIC names text) {body}\n",
        },
    )
    assert [(e.kind, e.file) for e in errors(tmp_path, "flyway")] == [
        ("syntax_error", "V2__scalar.sql")
    ]


def test_a_plpgsql_variable_of_an_array_of_a_made_type_is_valid(tmp_path):
    # seen in a Liquibase history: the parser outside the server takes a type it
    # does not know for record, and refused "type_access_role[]" as record[]
    body = "RETURNS int LANGUAGE plpgsql AS $$ DECLARE {decl}; BEGIN RETURN 1; END $$;"
    write(
        tmp_path,
        {
            "V1__type.sql": "CREATE TYPE access_role AS (name text);\n"
            "CREATE FUNCTION f() " + body.format(decl="roles access_role[]") + "\n",
            "V2__bad.sql": "CREATE FUNCTION g() " + body.format(decl="rows record[]") + "\n",
        },
    )
    assert [(e.kind, e.file) for e in errors(tmp_path, "flyway")] == [
        ("syntax_error", "V2__bad.sql")
    ]


ROLES_USED = {
    "0001_roles.sql": "-- migrate:up\nCREATE TABLE secrets (id int);\n"
    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader') THEN\n"
    "  CREATE ROLE reader; END IF; END $$;\n"
    "GRANT SELECT ON secrets TO reader, PUBLIC, CURRENT_USER;\n",
    "0002_isolation.sql": "-- migrate:up\nALTER TABLE secrets OWNER TO application;\n"
    "CREATE POLICY p ON secrets TO application USING (true);\n"
    "ALTER DEFAULT PRIVILEGES FOR ROLE application GRANT SELECT ON TABLES TO reader;\n",
    # the usual ways of granting to a role that may not be there: no warning, no finding
    "0003_optional_roles.sql": "-- migrate:up\nDO $$ BEGIN\n"
    "  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analyst') THEN\n"
    "    GRANT SELECT ON secrets TO analyst;\n  END IF;\nEND $$;\n"
    "DO $$ BEGIN GRANT SELECT ON secrets TO auditor;\n"
    "EXCEPTION WHEN undefined_object THEN RAISE NOTICE 'no auditor'; END $$;\n",
}


def test_roles_are_the_servers_and_only_its_catalog_says_one_is_missing(tmp_path):
    from migtui.core.catalog import CatalogSnapshot
    from migtui.core.model import ObjectRef

    write(tmp_path, ROLES_USED)
    assert found(tmp_path) == []  # without the server's roles nothing is concluded
    server = frozenset({ObjectRef("role", None, "postgres")})
    with_roles = analyze_dir(tmp_path, catalog=CatalogSnapshot(server, roles_read=True))
    [missing] = [p for p in with_roles.problems if p.kind != "missing_down"]
    assert (missing.kind, str(missing.severity), missing.object, missing.line) == (
        "missing_prerequisite",
        "warning",
        "role application",
        2,
    )
    assert "also needed at lines 3, 4" in missing.message
    known = server | {ObjectRef("role", None, "application")}
    quiet = analyze_dir(tmp_path, catalog=CatalogSnapshot(known, roles_read=True))
    assert [p for p in quiet.problems if p.kind != "missing_down"] == []


def test_a_plpgsql_function_returning_rows_of_a_table_outside_public_is_valid(tmp_path):
    # libpg_query stops at a type in another schema ("Not implemented"): not the body's fault
    write(
        tmp_path,
        {
            "00001_app.sql": "-- +goose Up\nCREATE SCHEMA app;\nCREATE TABLE app.files (id int);\n"
            "-- +goose StatementBegin\n"
            "CREATE FUNCTION app.all_files() RETURNS SETOF app.files AS $$\n"
            "BEGIN RETURN QUERY SELECT * FROM app.files; END $$ LANGUAGE plpgsql;\n"
            "-- +goose StatementEnd\n"
        },
    )
    assert errors(tmp_path, "goose") == []


def test_required_column_on_a_table_made_earlier_is_said(tmp_path):
    (tmp_path / "0001_a.sql").write_text(
        "-- migrate:up\nCREATE TABLE issue (id int);\nCREATE TABLE log (id int);\n"
    )
    (tmp_path / "0002_b.sql").write_text(
        "-- migrate:up\n"
        "ALTER TABLE issue ADD COLUMN labels text[] NOT NULL;\n"  # said
        "ALTER TABLE issue ADD COLUMN state text NOT NULL DEFAULT 'open';\n"
        "ALTER TABLE issue ADD COLUMN no bigint GENERATED ALWAYS AS IDENTITY NOT NULL;\n"
        "ALTER TABLE issue ADD COLUMN seq serial NOT NULL;\n"
        "ALTER TABLE issue ADD COLUMN note text;\n"
        "CREATE TABLE fresh (id int);\n"
        "ALTER TABLE fresh ADD COLUMN label text NOT NULL;\n"  # new and empty: fine
        "DELETE FROM log;\n"
        "ALTER TABLE log ADD COLUMN level int NOT NULL;\n"  # emptied just before: fine
        "-- atlas:nolint MF103\n"
        "ALTER TABLE issue ADD COLUMN owner text NOT NULL;\n"  # the team said it knows
    )
    from migtui.core.graph import analyze_dir

    said = [
        (p.migration, p.line) for p in analyze_dir(tmp_path).problems if p.kind == "required_column"
    ]
    assert said == [("0002", 2)]


def test_an_enum_value_used_in_the_transaction_that_added_it_is_said(tmp_path):
    (tmp_path / "0001_a.sql").write_text(
        "-- migrate:up\nCREATE TYPE status AS ENUM ('new');\nCREATE TYPE other AS ENUM ('x');\n"
        "CREATE TABLE t (s status);\n"
    )
    (tmp_path / "0002_b.sql").write_text(
        "-- migrate:up\n"
        "ALTER TYPE status ADD VALUE 'paid';\n"
        "ALTER TYPE other ADD VALUE 'paid';\n"  # names it, does not use it
        "CREATE FUNCTION f() RETURNS status LANGUAGE plpgsql AS $$ BEGIN RETURN 'paid'; END $$;\n"
        "UPDATE t SET s = 'paid';\n"  # said: 55P04
    )
    (tmp_path / "0003_c.sql").write_text(
        "-- migrate:up transaction:false\n"
        "ALTER TYPE status ADD VALUE 'void';\nUPDATE t SET s = 'void';\n"
    )
    from migtui.core.graph import analyze_dir

    said = [
        (p.migration, p.line) for p in analyze_dir(tmp_path).problems if p.kind == "new_enum_value"
    ]
    assert said == [("0002", 5)]


#: Medusa's tax module: an upgrade path for databases an older release made,
#: then the table made for new ones
_UPGRADE_THEN_MAKE = """DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns
             WHERE table_name = 'tax_rate' AND column_name = 'region_id') THEN
    ALTER TABLE "tax_rate" ALTER COLUMN "region_id" DROP NOT NULL;
  END IF;
END $$;
ALTER TABLE IF EXISTS "tax_rate" ADD COLUMN IF NOT EXISTS "tax_region_id" text not null;
CREATE TABLE IF NOT EXISTS "tax_rate" ("id" text primary key, "tax_region_id" text not null);
"""


def test_an_upgrade_path_before_the_table_is_made_says_nothing(tmp_path):
    """Under an existence test, or ALTER TABLE IF EXISTS, a table the migration
    makes below is skipped on every database this folder built: no warning that
    the step may do nothing, nor that the table has rows."""
    write(tmp_path, {"0001_tax.sql": "-- migrate:up\n" + _UPGRADE_THEN_MAKE})
    assert problems(tmp_path) == []


def test_the_same_steps_on_a_table_made_before_are_still_judged(tmp_path):
    write(
        tmp_path,
        {
            "0001_old.sql": "-- migrate:up\nCREATE TABLE tax_rate (id text, region_id text NOT NULL);\n",
            "0002_tax.sql": "-- migrate:up\n" + _UPGRADE_THEN_MAKE,
        },
    )
    assert problems(tmp_path) == [("required_column", "warning", 8, "up")]


def test_a_guarded_step_on_a_table_nothing_makes_is_still_a_warning(tmp_path):
    write(tmp_path, {"0001_tax.sql": "-- migrate:up\n" + _UPGRADE_THEN_MAKE.rsplit("CREATE", 1)[0]})
    assert ("guarded_requirement", "warning", 5, "up") in problems(tmp_path)


def test_supabase_finds_extensions_in_their_schema_without_naming_it(tmp_path):
    """Supabase runs migrations with the search path "$user", public, extensions:
    an extension made WITH SCHEMA extensions is called unqualified (seen on a
    Supabase history using pg_trgm's similarity()), and a table still goes to public."""
    root = write(
        tmp_path,
        {
            "supabase/config.toml": "",
            "supabase/migrations/20240101000001_a.sql": (
                "create extension if not exists pg_trgm with schema extensions;\n"
                "create table names (name text);\n"
            ),
            "supabase/migrations/20240101000002_b.sql": (
                "select similarity('a', 'b');\n"
                "create index on public.names using gin (name gin_trgm_ops);\n"
                "select show_trgm(name) from public.names;\n"
            ),
        },
    )
    assert problems(root / "supabase" / "migrations") == []


def test_supabase_realtime_is_the_platforms_and_is_made_again_once_dropped(tmp_path):
    """Supabase makes the ``supabase_realtime`` publication: its migrations add
    tables to it, or drop it (IF EXISTS) and make it again, as Supabase's
    guides once wrote. Making it without dropping it first fails (42710), and
    so does adding a table twice."""
    migrations = tmp_path / "supabase" / "migrations"
    write(
        tmp_path,
        {
            "supabase/config.toml": "",
            "supabase/migrations/20240101000001_a.sql": (
                "create table public.messages (id int primary key);\n"
                "alter publication supabase_realtime add table public.messages;\n"
            ),
            "supabase/migrations/20240101000002_b.sql": (
                "drop publication if exists supabase_realtime;\n"
                "create publication supabase_realtime;\n"
                "alter publication supabase_realtime add table messages;\n"
            ),
        },
    )
    assert problems(migrations) == []

    (migrations / "20240101000002_b.sql").write_text(
        "create publication supabase_realtime;\n"
        "alter publication supabase_realtime add table messages;\n"
    )
    assert [(p.kind, p.line) for p in errors(migrations)] == [
        ("already_exists", 1),
        ("already_exists", 2),
    ]


def test_what_a_statement_the_grammar_refuses_would_make_is_missing_as_a_warning(tmp_path):
    """One typo in the migration making users (life-metrics' `TIMESTAMP NOT NULL
    WITH TIME ZONE`) is the error to fix; what later needs users, up or down,
    points at it instead of asking for users to be made."""
    write(
        tmp_path,
        {
            "20240101000000_users.sql": "-- +goose Up\n"
            "CREATE TABLE IF NOT EXISTS users (\n"
            "  id serial PRIMARY KEY,\n"
            "  created_at TIMESTAMP NOT NULL WITH TIME ZONE\n);\n"
            "-- +goose Down\nDROP TABLE users;\n",
            "20240102000000_prefs.sql": "-- +goose Up\n"
            "CREATE TABLE prefs (user_id int REFERENCES users (id));\n"
            "-- +goose Down\nDROP TABLE prefs;\n",
            "20240103000000_name.sql": "-- +goose Up\n"
            "SELECT 1;\n"
            "-- +goose Down\nALTER TABLE users DROP COLUMN name;\n",
        },
    )
    found_here = found(tmp_path)
    assert [(p.kind, p.migration, p.line) for p in found_here if str(p.severity) == "error"] == [
        ("syntax_error", "20240101000000", 4)
    ]
    knock_on = [p for p in found_here if p.kind == "missing_prerequisite"]
    assert [(p.migration, p.section, str(p.severity)) for p in knock_on] == [
        ("20240101000000", "down", "warning"),
        ("20240102000000", "up", "warning"),
        ("20240103000000", "down", "warning"),
    ]
    assert all(
        "20240101000000" in p.message and "line 2" in p.message and "grammar refuses" in p.message
        for p in knock_on
    )


def test_what_is_made_on_a_table_not_there_yet_is_not_there_after(tmp_path):
    """life-metrics: a trigger (and here an index and a policy) made on a table
    a later migration makes. The statement fails, so the later migration making
    them again on the new table is no `already_exists`."""
    made_on_b = (
        "CREATE TRIGGER set_ts BEFORE UPDATE ON b FOR EACH ROW EXECUTE FUNCTION f();\n"
        "CREATE INDEX b_id ON b (id);\nCREATE POLICY p ON b USING (true);\n"
    )
    write(
        tmp_path,
        {
            "0001_a.sql": "-- migrate:up\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql\n"
            "  AS $$BEGIN RETURN NEW; END$$;\n" + made_on_b,
            "0002_b.sql": "-- migrate:up\nCREATE TABLE b (id int);\n" + made_on_b,
        },
    )
    assert [(p.kind, p.migration, p.line) for p in errors(tmp_path)] == [
        ("out_of_order", "0001", 4)
    ]


def test_sql_built_at_run_time_is_read_by_its_template(tmp_path):
    """EXECUTE format('COMMENT ON TABLE %I …') changes no object: the tables'
    columns stay known. EXECUTE format('CREATE TRIGGER %I …') makes triggers
    of names not known: dropping one is not judged, the rest still is."""
    write(
        tmp_path,
        {
            "0001_a.sql": "-- migrate:up\n"
            "CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz);\n"
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NEW; END $f$;\n"
            "DO $$ DECLARE t text; BEGIN\n"
            "  EXECUTE format('COMMENT ON TABLE %I IS %L', 'orders', 'x');\n"
            "  FOREACH t IN ARRAY ARRAY['orders'] LOOP\n"
            "    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW '\n"
            "      'EXECUTE FUNCTION f()', t || '_audit', t);\n"
            "  END LOOP;\nEND $$;\n",
            "0002_b.sql": "-- migrate:up\nDROP TRIGGER orders_audit ON orders;\n"
            "SELECT created_at FROM orders;\n",
        },
    )
    assert problems(tmp_path) == [("missing_prerequisite", "error", 3, "up")]


def test_sql_built_at_run_time_before_what_a_drop_refuses_keeps_it_an_error(tmp_path):
    """What was made after the last SQL built at run time cannot have been
    removed by it: a DROP that what depends on it refuses is an error."""
    write(
        tmp_path,
        {
            "0001_a.sql": "-- migrate:up\nCREATE TABLE other (id int);\n"
            "DO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN x int', 'other'); END $$;\n",
            "0002_b.sql": "-- migrate:up\nCREATE TABLE r (id int);\n"
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NEW; END $f$;\n"
            "CREATE TRIGGER r_t AFTER INSERT ON r FOR EACH ROW EXECUTE FUNCTION f();\n"
            "DROP FUNCTION f();\n",
        },
    )
    assert ("dependent_objects", "error", 5, "up") in problems(tmp_path)


def test_golang_migrate_sends_a_file_of_several_statements_as_one_transaction(tmp_path):
    """golang-migrate sends each file as one query, which PostgreSQL runs as one
    transaction when it holds several statements: CONCURRENTLY fails there
    (25001), alone in its file it runs."""
    write(
        tmp_path,
        {
            "1_a.up.sql": "CREATE TABLE a (id int);\n",
            "1_a.down.sql": "DROP TABLE a;\n",
            "2_two.up.sql": "CREATE INDEX CONCURRENTLY a_i ON a (id);\n"
            "CREATE INDEX CONCURRENTLY a_j ON a (id);\n",
            "2_two.down.sql": "DROP INDEX a_i, a_j;\n",
            "3_one.up.sql": "CREATE INDEX CONCURRENTLY a_k ON a (id);\n",
            "3_one.down.sql": "DROP INDEX a_k;\n",
        },
    )
    assert [(p.kind, p.migration, p.line) for p in found(tmp_path)] == [
        ("tool_transaction", "2", 1),
        ("tool_transaction", "2", 2),
    ]


def test_pgcryptos_own_gen_random_uuid_is_found_by_its_schema(tmp_path):
    """pgcrypto still makes gen_random_uuid() in its schema (pgpm's jobs
    tables call public.gen_random_uuid())."""
    write(
        tmp_path,
        {
            "0001_a.sql": "-- migrate:up\nCREATE EXTENSION IF NOT EXISTS pgcrypto;\n",
            "0002_b.sql": "-- migrate:up\n"
            "CREATE TABLE jobs (id text DEFAULT public.gen_random_uuid()::text);\n",
        },
    )
    assert problems(tmp_path) == []


def test_a_helper_whose_sql_built_at_run_time_only_writes_data_changes_no_object(tmp_path):
    """GNUmed's helpers EXECUTE an INSERT: calling one leaves the tables'
    constraints and columns known; one that EXECUTEs DDL does not."""
    write(
        tmp_path,
        {
            "0001_a.sql": "-- migrate:up\nCREATE TABLE s (rank int CHECK (rank > 0));\n"
            "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql\n"
            "  AS $$ BEGIN EXECUTE 'insert into s values (1)'; END $$;\n"
            "CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql\n"
            "  AS $$ BEGIN EXECUTE 'create table t2 (a int)'; END $$;\n"
            "SELECT f();\n",
            "0002_b.sql": "-- migrate:up\nALTER TABLE s DROP CONSTRAINT s_rank;\n",
            "0003_c.sql": "-- migrate:up\nSELECT g();\n",
            "0004_d.sql": "-- migrate:up\nSELECT a FROM t2;\n",
        },
    )
    assert problems(tmp_path) == [
        ("missing_prerequisite", "error", 2, "up"),
        ("unknown_origin", "warning", 2, "up"),
    ]


@pytest.mark.parametrize("tool", ["goose", "migrate"])
def test_a_body_the_tool_would_cut_at_a_semicolon_is_a_warning(tmp_path, tool):
    # goose and sql-migrate end a statement at any line ending with ";" outside
    # a StatementBegin/End block, inside a dollar-quoted body or not
    write(
        tmp_path,
        {
            "00001_a.sql": f"-- +{tool} Up\n"
            "CREATE TABLE t (id int, at timestamptz);\n"
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n  NEW.at = now();\n  RETURN NEW;\nEND;\n$$;\n"
            f"-- +{tool} StatementBegin\n"
            "CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n  RETURN NEW;\nEND;\n$$;\n"
            f"-- +{tool} StatementEnd\n"
            "INSERT INTO t VALUES (1,\n  now()); -- a last line's semicolon ends it\n"
            f"-- +{tool} Down\nDROP TABLE t;\n"
        },
    )
    assert problems(tmp_path) == [("tool_split", "warning", 5, "up")]
