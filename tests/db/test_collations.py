"""Collations are objects: a column's, a domain's, an index's or an
expression's ``COLLATE`` must name one that exists by then (42704), made by
the folder (``CREATE COLLATION``, renamed, dropped) or the server's own. A
locale's name (``en_US``, ``de-DE-x-icu``) is left alone: which of them a
server has depends on the machine it runs on."""

from __future__ import annotations

import pytest

from migtui.core.sqlnames import system_collation
from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE COLLATION nocase (provider = libc, locale = 'C');\nCREATE TABLE c (id int, v text);\n"
)

MISSING = ("missing_prerequisite", (1, "42704"))

#: (the second migration, the kind check says with the line and SQLSTATE, or None)
CASES = {
    "a column of a collation nobody made": (
        "CREATE TABLE d (v text COLLATE case_insensitive);\n",
        MISSING,
    ),
    "an added column": ("ALTER TABLE c ADD COLUMN w text COLLATE natural_sort;\n", MISSING),
    "a type change": ("ALTER TABLE c ALTER v TYPE varchar(9) COLLATE natural_sort;\n", MISSING),
    "an index column": ("CREATE INDEX c_v ON c (v COLLATE case_insensitive);\n", MISSING),
    "an expression": ("SELECT v FROM c ORDER BY v COLLATE case_insensitive;\n", MISSING),
    "a domain": ("CREATE DOMAIN ci_text AS text COLLATE case_insensitive;\n", MISSING),
    "a composite type's attribute": (
        "CREATE TYPE pair AS (a text COLLATE case_insensitive);\n",
        MISSING,
    ),
    "a copy of one nobody made": ("CREATE COLLATION c2 FROM case_insensitive;\n", MISSING),
    "a collation dropped before": (
        "DROP COLLATION nocase;\nCREATE TABLE d (v text COLLATE nocase);\n",
        ("dropped", (2, "42704")),
    ),
    "a collation renamed before": (
        "ALTER COLLATION nocase RENAME TO ci;\nCREATE TABLE d (v text COLLATE nocase);\n",
        ("dropped", (2, "42704")),
    ),
    "one made twice": (
        "CREATE COLLATION nocase (provider = libc, locale = 'C');\n",
        ("already_exists", (1, "42710")),
    ),
    "dropping one nobody made": ("DROP COLLATION case_insensitive;\n", MISSING),
    # the forms that run
    "the folder's own, everywhere": (
        "CREATE TABLE d (v text COLLATE nocase);\n"
        "CREATE INDEX d_v ON d (v COLLATE nocase);\n"
        "CREATE DOMAIN ci_text AS text COLLATE nocase;\n"
        "ALTER TABLE c ALTER v TYPE text COLLATE public.nocase;\n"
        "SELECT v FROM c WHERE v = 'A' COLLATE nocase;\n"
        "CREATE COLLATION IF NOT EXISTS nocase (provider = libc, locale = 'POSIX');\n"
        "DROP COLLATION IF EXISTS nosuch;\n",
        None,
    ),
    "the server's built-in ones": (
        'CREATE TABLE d (a text COLLATE "C", b text COLLATE "POSIX", c text COLLATE ucs_basic,'
        ' e text COLLATE unicode, f text COLLATE pg_catalog."default", g text COLLATE pg_c_utf8);\n',
        None,
    ),
    "one renamed, under its new name": (
        "ALTER COLLATION nocase RENAME TO ci;\nCREATE TABLE d (v text COLLATE ci);\n",
        None,
    ),
    "a copy of the folder's": (
        "CREATE COLLATION ci FROM nocase;\nCREATE TABLE d (v text COLLATE ci);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_collation_is_judged_as_the_server_judges_it(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_kind_verdict(errors, refused, expected, says_state=False)


def test_a_locale_name_is_not_judged(write_migrations, analysis_of):
    # en_US exists on most servers, not on every one (this embedded server has
    # only C's): a locale's name is the server's to know
    folder = write_migrations(
        {
            "0001_t.sql": "-- migrate:up\n"
            'CREATE TABLE t (a text COLLATE "en_US", b text COLLATE "de-DE-x-icu",'
            ' c text COLLATE "en_US.utf8", d text COLLATE "C.UTF-8");\n'
        }
    )
    assert [p for p in analysis_of(folder).problems if p.severity == "error"] == []


def test_every_collation_the_server_has_is_taken_as_possibly_there(pg_dsn):
    import psycopg

    with psycopg.connect(pg_dsn) as conn:
        names = [n for (n,) in conn.execute("SELECT collname FROM pg_collation")]
    assert names and all(system_collation(n) for n in names), names


def test_with_the_database_a_collation_it_has_is_there(pg_dsn, write_migrations):
    import psycopg
    from click.testing import CliRunner

    from migtui.cli import main

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute('CREATE COLLATION IF NOT EXISTS case_insensitive FROM "C"')
    folder = write_migrations(
        {"0001_t.sql": "-- migrate:up\nCREATE TABLE t (v text COLLATE case_insensitive);\n"}
    )
    offline = CliRunner().invoke(main, ["check", "--dir", str(folder)])
    live = CliRunner().invoke(main, ["check", "--dir", str(folder), "--dsn", pg_dsn])
    assert "needs collation public.case_insensitive" in offline.output
    assert live.exit_code == 0, live.output
