"""What a script needs to exist: real prerequisites found, look-alikes ignored."""

from __future__ import annotations

from migtui.core.facts import ALTER, PROVIDE, REQUIRE, ScriptFacts
from migtui.core.objects import analyze_script
from migtui.core.statements import split


def analyze(sql: str) -> ScriptFacts:
    return analyze_script(split(sql).statements)


def needs(sql: str) -> list[str]:
    """The objects needed, leaving out the columns (``column_needs``)."""
    return [
        str(e.ref) for e in analyze(sql).effects if e.action == REQUIRE and e.ref.kind != "column"
    ]


def column_needs(sql: str) -> list[str]:
    return [
        str(e.ref) for e in analyze(sql).effects if e.action == REQUIRE and e.ref.kind == "column"
    ]


def provides(sql: str) -> list[str]:
    """What is made, leaving out the row type each table and view brings."""
    return [
        str(e.ref)
        for e in analyze(sql).effects
        if e.action == PROVIDE and not (e.ref.kind == "type" and e.parent)
    ]


# --- no false alarms -----------------------------------------------------------------


def test_sql_in_comments_and_strings_is_not_read():
    sql = """-- CREATE TABLE ghost (id int); SELECT * FROM phantom;
/* DROP TABLE users; /* nested */ ALTER TABLE x ADD y int; */
INSERT INTO audit_log (msg) VALUES ('SELECT * FROM secrets; CREATE TABLE nope (id int)');
SELECT $q$ DELETE FROM everything $q$;"""
    facts = analyze(sql)
    assert [str(e.ref) for e in facts.effects] == [
        "table public.audit_log",
        "column public.audit_log.msg",
    ]


def test_cte_names_are_not_tables():
    sql = """WITH recent AS (SELECT * FROM events WHERE ts > now() - interval '1 day'),
     counted (n) AS MATERIALIZED (SELECT count(*) FROM recent)
SELECT * FROM recent JOIN counted ON true;"""
    assert needs(sql) == ["table public.events"]


def test_recursive_cte_referring_to_itself():
    sql = """WITH RECURSIVE tree AS (
  SELECT id, parent_id FROM nodes WHERE parent_id IS NULL
  UNION ALL
  SELECT n.id, n.parent_id FROM nodes n JOIN tree t ON n.parent_id = t.id
) SELECT * FROM tree;"""
    assert needs(sql) == ["table public.nodes", "table public.nodes"]


def test_aliases_subqueries_and_column_names_are_not_tables():
    sql = """SELECT u.id, o.total, s.n
FROM users AS u
LEFT JOIN orders o ON o.user_id = u.id
CROSS JOIN (SELECT count(*) AS n FROM sessions) s
WHERE u.email IS DISTINCT FROM o.email;"""
    assert needs(sql) == ["table public.users", "table public.orders", "table public.sessions"]


def test_builtin_functions_in_from_and_expressions_are_not_tables():
    sql = """SELECT g, extract(epoch FROM now()), substring('abc' FROM 2), trim(both ' ' FROM x.v)
FROM generate_series(1, 10) AS g,
     unnest(ARRAY[1, 2]) WITH ORDINALITY AS x(v, i),
     LATERAL jsonb_array_elements('[]'::jsonb) AS e,
     ROWS FROM (generate_series(1, 2)) AS r;"""
    assert needs(sql) == []


def test_values_lists_are_not_tables():
    sql = "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name);"
    assert needs(sql) == []


def test_catalog_reads_need_nothing():
    sql = """SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace;
SELECT table_name FROM information_schema.tables WHERE table_schema = 'public';
SELECT * FROM pg_tables;"""
    assert needs(sql) == []


def test_upsert_excluded_and_returning_are_not_tables():
    sql = """INSERT INTO counters AS c (k, v) VALUES ('a', 1)
ON CONFLICT (k) DO UPDATE SET v = c.v + EXCLUDED.v
RETURNING c.k, c.v;"""
    assert needs(sql) == ["table public.counters"]


def test_locking_clause_and_window_names_are_not_tables():
    sql = """SELECT id, rank() OVER w FROM jobs
WINDOW w AS (PARTITION BY queue ORDER BY created_at)
FOR UPDATE OF jobs SKIP LOCKED;"""
    assert needs(sql) == ["table public.jobs"]


def test_builtin_and_catalog_types_are_not_requirements():
    sql = """CREATE TABLE t (
  a int, b int4, c bigint, d numeric(10, 2), e double precision, f varchar(20),
  g character varying, h timestamptz, i timestamp (3) with time zone, j time without time zone,
  k interval day to second, l uuid, m jsonb, n text[], o bytea, p inet, q tsvector,
  r bit varying(3), s "char", t pg_catalog.int4, u money, v int4range, w boolean ARRAY,
  x xml, y daterange, z point
);"""
    assert needs(sql) == []


def test_temporary_tables_provide_nothing_and_their_use_needs_nothing():
    sql = """CREATE TEMP TABLE scratch AS SELECT * FROM big;
INSERT INTO scratch SELECT 1;
SELECT * FROM scratch;
DROP TABLE scratch;
CREATE TABLE pg_temp.other (id int);"""
    facts = analyze(sql)
    assert [str(e.ref) for e in facts.effects] == ["table public.big"]


def test_plpgsql_body_may_read_tables_created_later():
    sql = """CREATE FUNCTION log_it() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_count int;
BEGIN
  SELECT count(*) INTO v_count FROM audit_entries WHERE id = NEW.id;
  INSERT INTO audit_entries (id) VALUES (NEW.id);
  RETURN NEW;
END $$;"""
    assert needs(sql) == []
    assert provides(sql) == ["function public.log_it()"]


def test_do_block_variables_and_select_into_are_not_tables():
    sql = """DO $$
DECLARE
  v_total bigint;
  r record;
BEGIN
  SELECT sum(amount) INTO STRICT v_total FROM payments;
  FOR r IN SELECT id FROM invoices LOOP
    PERFORM 1 FROM invoice_lines WHERE invoice_id = r.id;
  END LOOP;
  v_total := (SELECT count(*) FROM refunds);
END $$;"""
    assert needs(sql) == [
        "table public.payments",
        "table public.invoices",
        "table public.invoice_lines",
        "table public.refunds",
    ]


def test_odd_sql_gives_no_effects_and_never_raises():
    for sql in [
        "CREATE",
        "ALTER TABLE;",
        "DROP FUNCTION f(;",
        "SELECT * FROM (((;",
        "CREATE TABLE t (id int REFERENCES);",
        "DO $$ BEGIN IF THEN END $$;",
        "CREATE INDEX ON;",
        "VACUUM ANALYZE;",
        "SELECT 1 FROM",
        "CREATE TRIGGER t BEFORE INSERT ON",
        "COMMENT ON COLUMN x IS 'y';",
    ]:
        analyze(sql)


# --- true prerequisites ---------------------------------------------------------------


def test_view_needs_the_tables_it_reads():
    sql = """CREATE VIEW v_totals AS
WITH x AS (SELECT * FROM people)
SELECT x.id, (SELECT count(*) FROM orders o WHERE o.pid = x.id) AS n FROM x;
CREATE MATERIALIZED VIEW mv AS SELECT * FROM v_totals WITH NO DATA;"""
    assert needs(sql) == ["table public.people", "table public.orders", "table public.v_totals"]
    assert provides(sql) == ["view public.v_totals", "materialized view public.mv"]


def test_trigger_needs_its_table_and_function():
    sql = (
        "CREATE TRIGGER trg AFTER INSERT OR UPDATE OF id ON app.people\n"
        "FOR EACH ROW WHEN (NEW.id > 0) EXECUTE PROCEDURE audit.f_trig('x');"
    )
    assert needs(sql) == ["table app.people", "function audit.f_trig()"]
    assert provides(sql) == ["trigger trg on app.people"]


def test_writes_need_their_targets_and_sources():
    sql = """INSERT INTO archive (id) SELECT id FROM orders;
UPDATE orders o SET total = t.sum FROM totals t WHERE t.id = o.id;
DELETE FROM sessions s USING users u WHERE u.id = s.uid;
MERGE INTO stock s USING deliveries d ON s.item = d.item WHEN MATCHED THEN UPDATE SET n = s.n + d.n;
TRUNCATE TABLE ONLY logs, events RESTART IDENTITY;"""
    assert needs(sql) == [
        "table public.archive",
        "table public.orders",
        "table public.orders",
        "table public.totals",
        "table public.sessions",
        "table public.users",
        "table public.sessions",  # again: its rows change (what fills a column)
        "table public.stock",
        "table public.deliveries",
        "table public.stock",
        "table public.logs",
        "table public.events",
    ]


def test_foreign_key_targets_are_needed_but_a_self_reference_is_not():
    sql = (
        "CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree,"
        " org int REFERENCES orgs (id) ON DELETE CASCADE ON UPDATE CASCADE);"
    )
    assert needs(sql) == ["table public.orgs"]


def test_sequences_named_in_nextval_setval_and_regclass():
    sql = """CREATE TABLE t (id int DEFAULT nextval('t_id_seq'::regclass));
SELECT setval('public.orders_id_seq', (SELECT max(id) FROM public.orders));
SELECT 'app."Events"'::regclass;"""
    assert needs(sql) == [
        "sequence public.t_id_seq",
        "sequence public.orders_id_seq",
        "table public.orders",
        "table app.Events",
    ]


def test_user_types_and_extension_types_in_columns():
    sql = """CREATE TABLE people (
  m mood, ms app.mood[], email citext, tags hstore, pos geometry(Point, 4326), emb vector(3)
);"""
    assert needs(sql) == [
        "type public.mood",
        "type app.mood",
        "extension citext",
        "extension hstore",
        "extension postgis",
        "extension vector",
    ]


def test_enum_created_first_then_used_in_an_array_column():
    sql = "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE TABLE p (moods mood[]);"
    facts = analyze(sql)
    order = [(e.action, str(e.ref)) for e in facts.effects]
    assert order[:2] == [("provide", "type public.mood"), ("require", "type public.mood")]


def test_index_operator_class_from_an_extension():
    assert needs("CREATE INDEX ON people USING gin (name gin_trgm_ops);") == [
        "table public.people",
        "extension pg_trgm",
    ]


def test_sql_language_body_is_checked_at_creation():
    sql = """CREATE FUNCTION order_count(p_id int) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM orders WHERE user_id = p_id
$$;"""
    assert needs(sql) == ["table public.orders"]


def test_sql_body_with_ddl_is_not_checked_and_check_function_bodies_off_skips_it():
    ddl_body = "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ CREATE TABLE x (id int); INSERT INTO x VALUES (1) $$;"
    assert needs(ddl_body) == []
    off = "SET check_function_bodies = false;\nCREATE FUNCTION g() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM t';"
    assert needs(off) == []


def test_begin_atomic_and_return_bodies_are_checked_even_so():
    sql = """SET check_function_bodies = off;
CREATE FUNCTION a() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM invoices; END;
CREATE FUNCTION b() RETURNS int LANGUAGE sql RETURN (SELECT 1 FROM ledger);"""
    assert needs(sql) == ["table public.invoices", "table public.ledger"]


def test_partition_inheritance_and_like_need_their_source():
    sql = """CREATE TABLE m_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE kid (extra int) INHERITS (parent_t);
CREATE TABLE copycat (LIKE people INCLUDING ALL);
ALTER TABLE measurements ATTACH PARTITION m_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');"""
    assert needs(sql) == [
        "table public.measurements",
        "table public.parent_t",
        "table public.people",
        "table public.m_2023",
    ]
    assert "table public.m_2024" in provides(sql)


def test_create_table_as_and_select_into_read_their_source():
    sql = """CREATE TABLE snapshot AS SELECT * FROM orders WITH DATA;
SELECT * INTO backup_orders FROM orders;"""
    assert needs(sql) == ["table public.orders", "table public.orders"]
    assert provides(sql) == ["table public.snapshot", "table public.backup_orders"]


def test_policy_and_rule_expressions_are_read():
    sql = """CREATE POLICY member_read ON docs FOR SELECT USING (
  EXISTS (SELECT 1 FROM memberships m WHERE m.doc = docs.id));
CREATE RULE log_del AS ON DELETE TO docs DO ALSO INSERT INTO doc_log VALUES (OLD.id);"""
    assert needs(sql) == [
        "table public.docs",
        "table public.memberships",
        "table public.docs",
        "table public.doc_log",
    ]
    assert provides(sql) == ["policy member_read on public.docs", "rule log_del on public.docs"]


def test_comments_grants_and_extension_schema():
    sql = """COMMENT ON COLUMN persons.name IS 'x';
COMMENT ON FUNCTION f(int) IS 'y';
GRANT SELECT, UPDATE (name) ON persons, orders TO app_user;
GRANT USAGE ON SCHEMA reporting TO app_user;
GRANT SELECT ON ALL TABLES IN SCHEMA public, reporting TO app_user;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;"""
    assert needs(sql) == [
        "table public.persons",
        "table public.persons",
        "table public.orders",
        "role app_user",  # grantees are roles, never schemas or tables
        "schema reporting",
        "role app_user",
        "schema reporting",
        "role app_user",
        "schema extensions",
    ]
    assert provides(sql) == ["extension uuid-ossp"]
    # a comment on a routine alters it: named without arguments, it must be the only one
    assert [str(e.ref) for e in analyze(sql).effects if e.action == ALTER] == [
        "function public.f(integer)"
    ]


def test_a_table_brings_its_row_type_for_routines_returning_it():
    sql = """CREATE TABLE churn_settings (user_id uuid, weekly_budget int);
CREATE FUNCTION effective_churn_settings(p_user_id uuid) RETURNS churn_settings
LANGUAGE sql STABLE AS $$
    SELECT * FROM churn_settings WHERE user_id = p_user_id OR user_id IS NULL LIMIT 1
$$;"""
    facts = analyze(sql)
    order = [(e.action, str(e.ref)) for e in facts.effects]
    row_type = order.index((PROVIDE, "type public.churn_settings"))
    assert row_type < order.index((REQUIRE, "type public.churn_settings"))
    assert facts.effects[row_type].parent == "public.churn_settings"


def test_the_columns_a_statement_names_are_needed_on_their_tables():
    sql = """INSERT INTO archive (id, note) SELECT id, 'x' FROM orders;
UPDATE orders SET total = 1, state = 'done' WHERE id = 2;
CREATE INDEX ON events (lower(title), at) WHERE NOT archived;
ALTER TABLE events ADD CONSTRAINT events_key UNIQUE (code) INCLUDE (at);
ALTER TABLE events ADD FOREIGN KEY (owner) REFERENCES people (person_id);"""
    assert column_needs(sql) == [
        "column public.archive.id",
        "column public.archive.note",
        "column public.orders.id",  # the INSERT's SELECT of one table
        "column public.orders.total",
        "column public.orders.state",
        "column public.orders.id",  # the UPDATE's WHERE
        "column public.orders.id",  # … compared with a number, which its type must take
        "column public.events.title",
        "column public.events.at",
        "column public.events.archived",
        "column public.events.code",
        "column public.events.at",
        "column public.events.owner",
        "column public.people.person_id",
    ]


def test_columns_in_a_sql_body_are_needed_and_in_plpgsql_left_to_the_server():
    """A SQL body is analysed at creation; PL/pgSQL resolves names as it runs."""
    sql = """CREATE FUNCTION f(note text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO archive (id) VALUES (1);
  UPDATE archive SET id = 2 WHERE note = note
$$;
CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $$
BEGIN INSERT INTO archive (kept) VALUES (1); END $$;"""
    # (note may be the parameter: a column the table lacks is not asked for)
    assert column_needs(sql) == ["column public.archive.id", "column public.archive.id"]


def test_data_statements_of_one_shape_are_read_once_and_a_different_one_again():
    """Thousands of INSERTs that differ only by their values have one reading;
    the first one of another shape (a cast, a function, other columns) has
    its own, wherever it sits in the run."""
    rows = "".join(f"INSERT INTO t VALUES ({i}, 'it''s row {i}');\n" for i in range(40))
    sql = (
        "CREATE TABLE t (id int, v text);\n"
        + rows
        + "INSERT INTO t VALUES (41, 'x'::mood);\n"
        + "INSERT INTO t VALUES (42, lower('Y'));\n"
        + "INSERT INTO t (id, w) VALUES (43, 'z');\n"
    )
    facts = analyze(sql)
    needed = [(str(e.ref), e.line) for e in facts.effects if e.action == REQUIRE]
    assert ("type public.mood", 42) in needed
    assert ("column public.t.w", 44) in needed
    # each of the forty is on record at its own line, up to the first twenty
    lines = {line for ref, line in needed if ref == "table public.t"}
    assert {2, 3, 21} <= lines and 22 not in lines and {42, 43, 44} <= lines


def test_a_schema_made_for_a_role_is_named_after_it() -> None:
    sql = "CREATE SCHEMA AUTHORIZATION tenant1;\nCREATE TABLE tenant1.t (id int);"
    assert provides(sql)[:2] == ["schema tenant1", "table tenant1.t"]
    assert "schema tenant1" in needs(sql)
