"""Drops, renames, alters and IF EXISTS forms: what a later migration can rely on."""

from __future__ import annotations

from migtui.core.facts import ALTER, DROP, PROVIDE, RENAME, REQUIRE, Effect, ScriptFacts
from migtui.core.objects import analyze_script
from migtui.core.statements import split


def analyze(sql: str) -> ScriptFacts:
    return analyze_script(split(sql).statements)


def effects(sql: str) -> list[Effect]:
    return list(analyze(sql).effects)


def summary(sql: str) -> list[tuple[str, str]]:
    return [(e.action, str(e.ref)) for e in analyze(sql).effects if not is_implicit_detail(e)]


def is_implicit_detail(e: Effect) -> bool:
    """Columns and the row type every table has: listed separately below."""
    return e.ref.kind == "column" or (e.ref.kind == "type" and e.parent is not None)


def test_create_then_alter_in_order():
    sql = "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN note text;"
    assert [(e.action, str(e.ref), e.line) for e in effects(sql)] == [
        (PROVIDE, "table public.t", 1),
        (PROVIDE, "type public.t", 1),
        (PROVIDE, "column public.t.id", 1),
        (ALTER, "table public.t", 2),
        (PROVIDE, "column public.t.note", 2),
    ]


def test_drop_lists_every_name_with_cascade_and_if_exists():
    found = effects("DROP TABLE IF EXISTS a, b.c CASCADE;")
    assert [(e.action, str(e.ref), e.cascade, e.if_exists) for e in found] == [
        (DROP, "table public.a", True, True),
        (DROP, "table b.c", True, True),
    ]


def test_plain_drop_has_neither_flag():
    (drop,) = effects("DROP VIEW v;")
    assert (drop.action, str(drop.ref), drop.cascade, drop.if_exists) == (
        DROP,
        "view public.v",
        False,
        False,
    )


def test_drop_of_each_kind():
    sql = """DROP MATERIALIZED VIEW mv;
DROP INDEX CONCURRENTLY IF EXISTS people_id_idx;
DROP SEQUENCE s;
DROP TYPE mood;
DROP DOMAIN email;
DROP SCHEMA app CASCADE;
DROP EXTENSION citext;
DROP FOREIGN TABLE remote;
DROP PROCEDURE p(int);"""
    assert summary(sql) == [
        (DROP, "materialized view public.mv"),
        (DROP, "index public.people_id_idx"),
        (DROP, "sequence public.s"),
        (DROP, "type public.mood"),
        (DROP, "domain public.email"),
        (DROP, "schema app"),
        (DROP, "extension citext"),
        (DROP, "foreign table public.remote"),
        (DROP, "procedure public.p(integer)"),
    ]


def test_drop_function_with_and_without_signature():
    found = effects("DROP FUNCTION IF EXISTS f_pl(int, text), f_sql;")
    assert [e.ref.args for e in found] == ["integer, text", None]
    assert str(found[0].ref) == "function public.f_pl(integer, text)"


def test_drop_trigger_names_its_table():
    table, drop = effects(
        "DROP TRIGGER IF EXISTS trg_prevent_move_immovable ON calendar_events_new;"
    )
    assert (table.action, str(table.ref), table.if_exists) == (
        "require",
        "table public.calendar_events_new",
        True,
    )
    assert str(drop.ref) == "trigger trg_prevent_move_immovable on public.calendar_events_new"
    assert drop.if_exists


def test_drop_column_and_constraint_on_a_table_that_may_be_missing():
    found = effects(
        "ALTER TABLE IF EXISTS ghosts DROP COLUMN IF EXISTS x CASCADE, DROP CONSTRAINT c1;"
    )
    assert [(e.action, str(e.ref), e.if_exists, e.cascade) for e in found] == [
        (ALTER, "table public.ghosts", True, False),
        (DROP, "column public.ghosts.x", True, True),
        (DROP, "constraint c1 on public.ghosts", False, False),
    ]


def test_add_column_if_not_exists_still_provides():
    found = effects("ALTER TABLE t ADD COLUMN IF NOT EXISTS c int;")
    assert (found[1].action, str(found[1].ref)) == (PROVIDE, "column public.t.c")


def test_create_if_not_exists_still_provides():
    assert summary("CREATE TABLE IF NOT EXISTS t (id int);") == [(PROVIDE, "table public.t")]


def test_rename_table_gives_old_and_new_name():
    (rename,) = effects("ALTER TABLE people RENAME TO persons;")
    assert rename.action == RENAME
    assert (str(rename.ref), str(rename.new)) == ("table public.people", "table public.persons")


def test_rename_column_and_constraint():
    found = [e for e in effects("ALTER TABLE t RENAME COLUMN vc TO name;") if e.action == RENAME]
    assert [(str(e.ref), str(e.new)) for e in found] == [
        ("column public.t.vc", "column public.t.name")
    ]
    found = [e for e in effects("ALTER TABLE t RENAME CONSTRAINT a TO b;") if e.action == RENAME]
    assert [(str(e.ref), str(e.new)) for e in found] == [
        ("constraint a on public.t", "constraint b on public.t")
    ]


def test_set_schema_is_a_rename_that_needs_the_schema():
    found = effects("ALTER TABLE persons SET SCHEMA archive;")
    assert [(e.action, str(e.ref)) for e in found] == [
        (REQUIRE, "schema archive"),
        (RENAME, "table public.persons"),
    ]
    assert str(found[1].new) == "table archive.persons"


def test_renames_of_other_kinds():
    sql = """ALTER VIEW v RENAME TO v2;
ALTER SEQUENCE s RENAME TO s2;
ALTER INDEX i RENAME TO i2;
ALTER TYPE mood RENAME TO feeling;
ALTER FUNCTION f_sql(integer) RENAME TO f_sql2;
ALTER SCHEMA app RENAME TO application;
ALTER TRIGGER trg ON t RENAME TO trg2;"""
    found = [e for e in effects(sql) if e.action == RENAME]
    assert [(str(e.ref), str(e.new)) for e in found] == [
        ("view public.v", "view public.v2"),
        ("sequence public.s", "sequence public.s2"),
        ("index public.i", "index public.i2"),
        ("type public.mood", "type public.feeling"),
        ("function public.f_sql(integer)", "function public.f_sql2(integer)"),
        ("schema app", "schema application"),
        ("trigger trg on public.t", "trigger trg2 on public.t"),
    ]


def test_a_dropped_index_frees_its_name_for_the_next_unnamed_one():
    sql = "CREATE INDEX ON t (a);\nDROP INDEX t_a_idx;\nCREATE INDEX ON t (a);"
    provided = [ref for action, ref in summary(sql) if action == PROVIDE]
    assert provided == ["index public.t_a_idx", "index public.t_a_idx"]


def test_alters_of_other_kinds_are_alters():
    sql = """ALTER TYPE mood ADD VALUE 'meh';
ALTER SEQUENCE orders_id_seq RESTART WITH 100;
ALTER FUNCTION f(int) OWNER TO app;
ALTER VIEW IF EXISTS v OWNER TO app;
ALTER EXTENSION citext UPDATE;
ALTER MATERIALIZED VIEW mv SET TABLESPACE fast;"""
    found = effects(sql)
    assert [(e.action, str(e.ref), e.if_exists) for e in found] == [
        (ALTER, "type public.mood", False),
        (ALTER, "sequence public.orders_id_seq", False),
        (ALTER, "function public.f(integer)", False),
        (REQUIRE, "role app", False),  # the new owner
        (ALTER, "view public.v", True),
        (REQUIRE, "role app", False),
        (ALTER, "extension citext", False),
        (ALTER, "materialized view public.mv", False),
    ]


def test_alter_column_type_to_a_user_type_needs_the_type():
    sql = "ALTER TABLE t ALTER COLUMN status TYPE order_status USING status::order_status;"
    assert (REQUIRE, "type public.order_status") in summary(sql)


def test_alter_table_enable_trigger_needs_the_trigger():
    sql = "ALTER TABLE t ENABLE TRIGGER trg;\nALTER TABLE t DISABLE TRIGGER ALL;"
    assert [s for s in summary(sql) if s[0] == REQUIRE] == [(REQUIRE, "trigger trg on public.t")]


def test_primary_key_using_index_renames_the_index():
    found = effects("ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_id_idx;")
    rename = next(e for e in found if e.action == RENAME)
    assert (str(rename.ref), str(rename.new)) == ("index public.t_id_idx", "index public.t_pk")
    assert (PROVIDE, "constraint t_pk on public.t") in [(e.action, str(e.ref)) for e in found]


def test_sequence_owned_by_needs_the_table():
    assert summary("CREATE SEQUENCE s1 OWNED BY orders.id;") == [
        (PROVIDE, "sequence public.s1"),
        (REQUIRE, "table public.orders"),
    ]


def test_each_effect_carries_its_statement_index():
    sql = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);"
    assert [e.statement for e in effects(sql) if e.ref.kind == "table"] == [0, 1]


def test_transaction_control_and_psql_lines_are_skipped():
    sql = "\\set ON_ERROR_STOP on\nBEGIN;\nCREATE TABLE a (id int);\nSAVEPOINT s;\nCOMMIT;"
    assert summary(sql) == [(PROVIDE, "table public.a")]
