"""DO blocks and routine bodies, read with PostgreSQL's timing: a DO block runs
now, a PL/pgSQL body runs when called."""

from __future__ import annotations

from migtui.core.facts import DYNAMIC_SQL, GUARDED_SKIP, PROVIDE, REQUIRE, Effect, ScriptFacts
from migtui.core.objects import analyze_script
from migtui.core.statements import split


def analyze(sql: str) -> ScriptFacts:
    return analyze_script(split(sql).statements)


def summary(sql: str) -> list[tuple[str, str]]:
    return [(e.action, str(e.ref)) for e in analyze(sql).effects if not is_implicit_detail(e)]


def is_implicit_detail(e: Effect) -> bool:
    """Columns and the row type every table has: listed separately below."""
    return e.ref.kind == "column" or (e.ref.kind == "type" and e.parent is not None)


def line_of(sql: str, fragment: str) -> int:
    return sql[: sql.index(fragment)].count("\n") + 1


def test_do_block_ddl_counts_like_top_level_ddl():
    sql = """DO $$
BEGIN
  CREATE TABLE made_in_do (id int);
  ALTER TABLE existing ADD COLUMN c int;
END $$;"""
    assert summary(sql) == [
        (PROVIDE, "table public.made_in_do"),
        ("alter", "table public.existing"),
    ]
    assert analyze(sql).effects[0].line == 3


def test_do_block_with_any_tag_language_first_and_nested_tags():
    sql = """DO LANGUAGE plpgsql $body$
BEGIN
  CREATE FUNCTION count_orders() RETURNS bigint LANGUAGE sql AS $f$ SELECT count(*) FROM orders $f$;
  CREATE FUNCTION later() RETURNS int LANGUAGE plpgsql AS $g$ BEGIN RETURN (SELECT 1 FROM nowhere); END $g$;
END
$body$;"""
    assert summary(sql) == [
        (REQUIRE, "table public.orders"),
        (PROVIDE, "function public.count_orders()"),
        (PROVIDE, "function public.later()"),
    ]


def test_do_block_in_a_quoted_string_with_doubled_quotes():
    sql = "DO 'BEGIN CREATE TABLE quoted_body (v text DEFAULT ''x''); END';"
    assert summary(sql) == [(PROVIDE, "table public.quoted_body")]


def test_do_block_in_another_language_is_not_read():
    sql = "DO LANGUAGE plpython3u $$ plpy.execute('CREATE TABLE py (id int)') $$;"
    assert analyze(sql).effects == ()


def test_labels_exception_handlers_and_case_statements():
    sql = """DO $$
<<outer>>
BEGIN
  BEGIN
    CREATE TABLE inner_t (id int);
  EXCEPTION WHEN duplicate_table THEN
    NULL;
  END;
  CASE WHEN 1 = 1 THEN CREATE TABLE case_t (id int); ELSE NULL; END CASE;
END outer $$;"""
    assert summary(sql) == [
        (PROVIDE, "table public.inner_t"),
        (PROVIDE, "table public.case_t"),
    ]


def test_plpgsql_body_ddl_does_not_run_at_creation():
    sql = """CREATE FUNCTION make_things() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TABLE made_later (id int);
  DROP TABLE old_stuff;
END $$;"""
    assert summary(sql) == [(PROVIDE, "function public.make_things()")]


def test_dynamic_sql_is_recorded_with_its_line():
    sql = """DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('ALTER TABLE %I OWNER TO app', t);
  END LOOP;
  EXECUTE 'DROP TABLE ' || quote_ident(t);
  EXECUTE 'GRANT SELECT ON ' || quote_ident(t) || ' TO app';
END $$;"""
    facts = analyze(sql)
    # (a grant changes no object: what it runs needs no recording)
    expected = [line_of(sql, "EXECUTE format"), line_of(sql, "EXECUTE 'DROP")]
    assert list(facts.dynamic_lines) == expected
    assert [f.line for f in facts.findings if f.kind == DYNAMIC_SQL] == expected
    assert facts.effects == ()


def test_execute_of_a_constant_string_is_read_as_sql():
    sql = """DO $$
BEGIN
  EXECUTE 'CREATE TABLE made_by_execute (id int)';
  EXECUTE 'INSERT INTO x VALUES (''a'')';
END $$;"""
    facts = analyze(sql)
    assert summary(sql) == [
        (PROVIDE, "table public.made_by_execute"),
        (REQUIRE, "table public.x"),
    ]
    assert facts.dynamic_lines == ()


def test_guard_on_pg_class_marks_nested_work():
    sql = """DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_class WHERE relname = 'legacy') THEN
    IF true THEN
      DROP TABLE legacy;
    END IF;
  ELSE
    RAISE EXCEPTION 'legacy is missing';
  END IF;
  CREATE TABLE after_guard (id int);
END $$;"""
    facts = analyze(sql)
    assert [(str(e.ref), e.guarded) for e in facts.effects if e.ref.kind == "table"] == [
        ("table public.legacy", True),
        ("table public.after_guard", False),
    ]
    assert not any(f.kind == GUARDED_SKIP for f in facts.findings)


def test_else_branch_of_an_existence_guard_is_not_guarded():
    sql = """DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_tables WHERE tablename = 'accounts') THEN
    ALTER TABLE accounts ADD COLUMN note text;
  ELSE
    CREATE TABLE accounts (id int, note text);
  END IF;
END $$;"""
    facts = analyze(sql)
    assert [(e.action, e.guarded) for e in facts.effects if e.ref.kind == "table"] == [
        ("alter", True),
        (PROVIDE, False),
    ]
    assert facts.findings == ()


def test_guard_that_does_nothing_anyway_is_not_a_skip():
    sql = """DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'x') THEN
    RAISE NOTICE 'x exists';
  END IF;
END $$;"""
    assert analyze(sql).findings == ()


def test_counts_of_catalog_rows_and_found_are_existence_tests_too():
    """What Mattermost's migrations do: a count of information_schema's rows
    into a variable, then IF on it; or PERFORM … FROM pg_tables, then IF FOUND."""
    sql = """DO $$
DECLARE
  col_exist boolean := false;
  n integer;
BEGIN
  SELECT count(*) != 0 INTO col_exist FROM information_schema.columns
   WHERE table_name = 'users' AND column_name = 'acceptedtermsofserviceid';
  IF col_exist THEN
    INSERT INTO terms SELECT id FROM users;
  END IF;
  SELECT count(*) INTO n FROM pg_tables WHERE tablename = 'audits';
  IF n > 0 THEN
    DELETE FROM audits;
  END IF;
  PERFORM 1 FROM pg_tables WHERE tablename = 'sessions';
  IF FOUND THEN
    UPDATE sessions SET expired = true;
  END IF;
  SELECT count(*) INTO n FROM pg_tables WHERE tablename = 'plain';
  SELECT 1 INTO n FROM settings;
  IF FOUND THEN
    DELETE FROM plain;
  END IF;
  SELECT count(*) INTO n FROM pg_tables WHERE tablename = 'counted';
  IF FOUND THEN
    DELETE FROM counted;
  END IF;
END $$;"""
    facts = analyze(sql)
    guarded = {str(e.ref): e.guarded for e in facts.effects if e.ref.kind == "table"}
    assert guarded["table public.users"] and guarded["table public.audits"]
    assert guarded["table public.sessions"]
    # FOUND answers the last SELECT, which read no catalog
    assert not guarded["table public.plain"] and not guarded["table public.settings"]
    # a count returns a row whatever it counts: FOUND after it tests nothing
    assert not guarded["table public.counted"]
    # a skip of a column change already made is the point: not said; the others are
    skips = [f.line for f in facts.findings if f.kind == GUARDED_SKIP]
    assert line_of(sql, "IF col_exist") not in skips
    assert line_of(sql, "IF n > 0") in skips


def test_reads_in_a_do_block_condition_are_needed_now():
    sql = """DO $$
BEGIN
  IF (SELECT count(*) FROM settings) = 0 THEN
    INSERT INTO settings (k) VALUES ('a');
  END IF;
END $$;"""
    assert summary(sql) == [
        (REQUIRE, "table public.settings"),
        (REQUIRE, "table public.settings"),
    ]
    assert analyze(sql).findings == ()


def test_search_path_set_inside_a_do_block_applies_after_it():
    sql = """DO $$ BEGIN SET search_path TO app; END $$;
CREATE TABLE t (id int);"""
    assert (PROVIDE, "table app.t") in summary(sql)


def test_begin_atomic_body_is_one_statement_and_needs_its_tables():
    sql = """CREATE FUNCTION total() RETURNS bigint LANGUAGE sql
BEGIN ATOMIC
  SELECT count(*) FROM invoices;
END;
SELECT 1;"""
    assert summary(sql) == [
        (REQUIRE, "table public.invoices"),
        (PROVIDE, "function public.total()"),
    ]


def test_a_do_block_assigning_a_field_of_a_rowtype_variable_is_still_read():
    sql = "DO $$ DECLARE r totals%ROWTYPE; BEGIN r.sum := 0; CREATE TABLE kept (id int); END $$;\n"
    facts = analyze(sql)

    assert (PROVIDE, "table public.kept") in summary(sql)
    assert not [f for f in facts.findings if f.kind == DYNAMIC_SQL]


def test_a_lookup_of_pg_proc_in_a_function_body_is_no_guard():
    """A SQL function that looks a function up by name is a lookup of its own,
    not an existence test guarding the migration's work."""
    sql = (
        "CREATE FUNCTION has_fn(name) RETURNS bool LANGUAGE sql AS\n"
        "  'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE proname = $1)';\n"
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'f') THEN\n"
        "  DROP FUNCTION f(); END IF; END $$;\n"
    )
    facts = analyze_script(split(sql).statements)
    assert [(f.kind, f.line) for f in facts.findings] == [("name_only_function_check", 3)]
