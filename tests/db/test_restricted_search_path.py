"""PostgreSQL 17 and later build an index, and run a materialized view's
query, with ``search_path = pg_catalog, pg_temp``. A SQL function of the
folder called there, whose body (written as a string) names a table, a
function or a type without its schema that pg_catalog lacks, is read as the
call is planned (to inline it) and fails even on an empty table: the
classic ``unaccent`` wrapper. Check must refuse it exactly when the server
does, and leave alone the forms that run."""

from __future__ import annotations

import pytest

from migtui.core.catalog import CatalogSnapshot
from migtui.core.graph import analyze_dir
from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE people (name text, team int);\n"
    "CREATE TABLE teams (id int, title text);\n"
    "CREATE FUNCTION fold(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower($1)';\n"
    "CREATE FUNCTION folded(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT fold($1)';\n"
    "CREATE FUNCTION team_count() RETURNS bigint LANGUAGE sql STABLE\n"
    "  AS 'SELECT count(*) FROM teams';\n"
    "CREATE FUNCTION safe_folded(text) RETURNS text LANGUAGE sql IMMUTABLE\n"
    "  SET search_path = public AS 'SELECT fold($1)';\n"
    "CREATE FUNCTION qualified(text) RETURNS text LANGUAGE sql IMMUTABLE\n"
    "  AS 'SELECT public.fold($1)';\n"
    "CREATE FUNCTION counted() RETURNS bigint LANGUAGE sql STABLE\n"
    "  AS 'WITH t AS (SELECT 1) SELECT count(*) FROM t, pg_class';\n"
    "CREATE FUNCTION plain(text) RETURNS text LANGUAGE plpgsql IMMUTABLE\n"
    "  AS 'BEGIN RETURN fold($1); END';\n"
    "CREATE TABLE filled (name text);\nINSERT INTO filled VALUES ('Ada');\n"
)

#: (the second migration, (the line check names, SQLSTATE), or None when it runs)
CASES = {
    "an index on a wrapper calling the folder's function bare": (
        "CREATE INDEX people_name ON people (folded(name));\n",
        (1, "42883"),
    ),
    "a materialized view calling a function reading a table bare": (
        "SELECT 1;\nCREATE MATERIALIZED VIEW sizes AS SELECT team_count() AS n;\n",
        (2, "42P01"),
    ),
    "a materialized view made empty, renamed, then refreshed": (
        "CREATE MATERIALIZED VIEW sizes AS SELECT team_count() AS n WITH NO DATA;\n"
        "ALTER MATERIALIZED VIEW sizes RENAME TO team_sizes;\n"
        "REFRESH MATERIALIZED VIEW team_sizes;\n",
        (3, "42P01"),
    ),
    "an index on rows, calling a PL/pgSQL function that calls the folder's bare": (
        "CREATE INDEX filled_name ON filled (plain(name));\n",
        (1, "42883"),
    ),
    # the forms that run
    "the same index on an empty table (a warning: a server with rows refuses it)": (
        "CREATE INDEX people_plain ON people (plain(name));\n",
        None,
    ),
    "a function with its own search_path": (
        "CREATE INDEX people_name ON people (safe_folded(name));\n",
        None,
    ),
    "a body that writes the schema": (
        "CREATE INDEX people_name ON people (qualified(name));\n",
        None,
    ),
    "a body reading pg_catalog's and a WITH query's names": (
        "CREATE MATERIALIZED VIEW sizes AS SELECT counted() AS n;\n",
        None,
    ),
    "a materialized view WITH NO DATA": (
        "CREATE MATERIALIZED VIEW sizes AS SELECT team_count() AS n WITH NO DATA;\n",
        None,
    ),
    "a plain view": ("CREATE VIEW sizes AS SELECT team_count() AS n;\n", None),
    "a refresh WITH NO DATA": (
        "CREATE MATERIALIZED VIEW sizes AS SELECT team_count() AS n WITH NO DATA;\n"
        "REFRESH MATERIALIZED VIEW sizes WITH NO DATA;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bare_name_a_maintenance_run_cannot_find_is_refused(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, expected, "restricted_search_path")


def test_a_target_before_postgresql_17_builds_with_its_own_path(write_migrations):
    root = write_migrations(
        {
            "001_first.sql": f"-- migrate:up\n{FIRST}",
            "002_second.sql": "-- migrate:up\nCREATE INDEX people_name ON people (folded(name));\n",
        }
    )
    sixteen = CatalogSnapshot(frozenset(), server_version="16.4")
    eighteen = CatalogSnapshot(frozenset(), server_version="18.1")

    assert [p.kind for p in analyze_dir(root, catalog=sixteen).errors] == []
    assert [p.kind for p in analyze_dir(root, catalog=eighteen).errors] == [
        "restricted_search_path"
    ]
