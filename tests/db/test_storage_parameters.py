"""Storage parameters (``WITH (fillfactor = 70)``, ``ALTER TABLE … SET (…)``):
a name the relation does not take, fillfactor out of its bounds, a word that is
no boolean or none of an option's words, and ``WITH (oids = true)`` are refused
whatever the database holds; an extension's namespace is that extension's to
judge. Each case runs on the server too, and the names check knows are the
server's own."""

from __future__ import annotations

import pytest

from migtui.core.objects import storage
from server_verdicts import assert_kind_verdict, runs

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE c (id int, a int[], v text, p point);\nCREATE VIEW cv AS SELECT id FROM c;\n"
    "CREATE TABLE e (id int, at date) PARTITION BY RANGE (at);\n"
    "CREATE TABLE e_2024 PARTITION OF e FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
)

#: (the second migration, the kind check says with the line and SQLSTATE, or None)
CASES = {
    "a name a table does not take": (
        "ALTER TABLE c SET (nonexistent_opt = 1);\n",
        ("invalid_definition", (1, "22023")),
    ),
    "fillfactor out of its bounds on an index": (
        "CREATE INDEX c_id ON c (id) WITH (fillfactor = 200);\n",
        ("invalid_definition", (1, "22023")),
    ),
    "fillfactor out of its bounds on a new table": (
        "CREATE TABLE d (id int) WITH (fillfactor = 5);\n",
        ("invalid_definition", (1, "22023")),
    ),
    "a word that is no boolean": (
        "ALTER TABLE c SET (autovacuum_enabled = maybe);\n",
        ("invalid_definition", (1, "22023")),
    ),
    "a word none of the option's": (
        "CREATE VIEW w WITH (check_option = everywhere) AS SELECT id FROM c;\n",
        ("invalid_definition", (1, "22023")),
    ),
    "a parameter of another access method": (
        "CREATE INDEX c_a ON c USING gin (a) WITH (fillfactor = 50);\n",
        ("invalid_definition", (1, "22023")),
    ),
    "a toast parameter a toast table does not take": (
        "ALTER TABLE c SET (toast.fillfactor = 70);\n",
        ("invalid_definition", (1, "22023")),
    ),
    "a table declared WITH OIDS": (
        "CREATE TABLE d (id int) WITH (oids = true);\n",
        ("invalid_definition", (1, "0A000")),
    ),
    # the forms that run
    "a name reset that no table takes (the server lets RESET through)": (
        "ALTER TABLE c RESET (bogus);\n",
        None,
    ),
    "old scripts' OIDS=FALSE, and parameters given without a value": (
        "CREATE TABLE d (id int) WITH (OIDS=FALSE, fillfactor=70, autovacuum_enabled);\n",
        None,
    ),
    "booleans spelled every way, toast's own, an enum option": (
        "ALTER TABLE c SET (autovacuum_enabled = 'yes', toast.autovacuum_enabled = off,"
        " vacuum_index_cleanup = auto, vacuum_truncate = 0, user_catalog_table = f);\n",
        None,
    ),
    "a view's parameters, set by CREATE VIEW and by ALTER TABLE": (
        "CREATE VIEW w WITH (security_invoker = true, check_option = local) AS SELECT id FROM c;\n"
        "ALTER TABLE w SET (security_barrier);\n",
        None,
    ),
    "each built-in access method's own": (
        "CREATE INDEX c_b ON c (id) WITH (fillfactor = 90, deduplicate_items = off);\n"
        "CREATE INDEX c_g ON c USING gin (a) WITH (fastupdate = off, gin_pending_list_limit = 128);\n"
        "CREATE INDEX c_r ON c USING brin (id) WITH (pages_per_range = 32, autosummarize = on);\n"
        "CREATE INDEX c_h ON c USING hash (v) WITH (fillfactor = 75);\n"
        "ALTER INDEX c_b SET (fillfactor = 80);\n",
        None,
    ),
    "a partitioned table's, set later": (
        "SELECT 1;\nALTER TABLE e SET (autovacuum_vacuum_scale_factor = 0.01);\n",
        ("invalid_definition", (2, "42809")),
    ),
    "a partitioned table's, given as it is made": (
        "CREATE TABLE f (id int) PARTITION BY RANGE (id) WITH (fillfactor = 70);\n",
        ("invalid_definition", (1, "42809")),
    ),
    "a partition's, a partitioned table's reset, and OIDS=false": (
        "ALTER TABLE e_2024 SET (fillfactor = 70);\nALTER TABLE e RESET (fillfactor);\n"
        "CREATE TABLE g (id int) PARTITION BY RANGE (id) WITH (oids = false);\n",
        None,
    ),
    "a materialized view's": (
        "CREATE MATERIALIZED VIEW mv WITH (fillfactor = 50) AS SELECT id FROM c;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_storage_parameter_is_judged_as_the_server_judges_it(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_kind_verdict(errors, refused, expected)


def test_every_parameter_check_knows_is_one_the_server_takes(pg_dsn):
    """The names check lets through are the server's own: each is set on a
    relation of its kind, with a value of its kind."""
    import psycopg

    value = {"boolean": "true", "integer": "10", "real": "0.5", "enum": None}
    words = {"check_option": "local", "buffering": "auto", "vacuum_index_cleanup": "auto"}
    refused = []
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(FIRST)
        conn.execute("CREATE INDEX c_id ON c (id)")

        def tried(statement: str) -> None:
            if not runs(conn, statement):
                refused.append(statement)

        for name, kind in storage.TABLE.items():
            given = words.get(name) or value[kind]
            if name == "toast_tuple_target" or name.endswith("freeze_max_age"):
                given = "200000" if name.endswith("freeze_max_age") else "2048"
            tried(f"ALTER TABLE c SET ({name} = {given})")
        for name, kind in storage.TOAST.items():
            given = "200000" if name.endswith("freeze_max_age") else words.get(name) or value[kind]
            tried(f"ALTER TABLE c SET (toast.{name} = {given})")
        for name, kind in storage.VIEW.items():
            tried(f"ALTER VIEW cv SET ({name} = {words.get(name) or value[kind]})")
        for method, options in storage.INDEX.items():
            column = {"gin": "a", "gist": "p", "spgist": "p", "hash": "v"}.get(method, "id")
            for name, kind in options.items():
                given = words.get(name) or value[kind]
                if name == "gin_pending_list_limit":
                    given = "128"
                tried(f"CREATE INDEX ON c USING {method} ({column}) WITH ({name} = {given})")
    assert refused == []
