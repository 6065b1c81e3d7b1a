"""Forms PostgreSQL 18 runs, found on real histories and in review to have
been false alarms: check must say nothing of them (no error), and the server
must run them, so the case stays honest."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

#: (first migration, second)
CASES = {
    "an aggregate's overloads dropped one by one (hll)": (
        "CREATE FUNCTION add3(int, int, int) RETURNS int LANGUAGE sql AS 'SELECT $1 + $2 + $3';"
        " CREATE AGGREGATE total (int) (SFUNC = int4pl, STYPE = int);"
        " CREATE AGGREGATE total (int, int) (SFUNC = add3, STYPE = int);",
        "SELECT total(1), total(1, 2); DROP AGGREGATE total (int);"
        " DROP AGGREGATE total (int, int);",
    ),
    "one function made one way or another in a DO block's IF and ELSE (powa)": (
        "SELECT 1;",
        "DO $a$ BEGIN IF current_setting('server_version_num')::int < 90600 THEN"
        " CREATE FUNCTION g(x text) RETURNS text LANGUAGE sql AS $$ SELECT x $$;"
        " CREATE TABLE kept (a int);"
        " ELSE CREATE FUNCTION g(x text) RETURNS text LANGUAGE sql AS $$ SELECT x || '' $$;"
        " CREATE TABLE kept (a int, b int); END IF; END $a$;",
    ),
    "a routine returning, and one taking, pg_catalog's rows (LedgerSMB's admin.sql)": (
        "SELECT 1;",
        "CREATE FUNCTION f() RETURNS SETOF pg_roles LANGUAGE sql AS $$ SELECT * FROM pg_roles $$;"
        " CREATE FUNCTION g(r pg_class) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
    ),
    "a trigger on pg_catalog's suppress_redundant_updates_trigger, unqualified": (
        "CREATE TABLE t (a int);",
        "CREATE TRIGGER t_same BEFORE UPDATE ON t FOR EACH ROW"
        " EXECUTE FUNCTION suppress_redundant_updates_trigger();",
    ),
    "a primary key added under a test that the table has none (kestra)": (
        'CREATE TABLE queues ("offset" serial PRIMARY KEY, key text);',
        "DO $$ BEGIN IF NOT exists (SELECT constraint_name FROM information_schema.table_constraints"
        " WHERE table_name = 'queues' AND constraint_type = 'PRIMARY KEY') THEN"
        ' ALTER TABLE queues ADD PRIMARY KEY ("offset"); END IF; END $$;',
    ),
    "two tables dropped by one statement, the referenced one first": (
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p);",
        "DROP TABLE p, c;",
    ),
    "a schema renamed, its table altered under the new name": (
        "CREATE SCHEMA app; CREATE TABLE app.p (id int);",
        "ALTER SCHEMA app RENAME TO app2; ALTER TABLE app2.p ADD COLUMN x int;",
    ),
    "functions whose argument types differ only by schema": (
        "CREATE SCHEMA a; CREATE SCHEMA b; CREATE TYPE a.mood AS ENUM('x'); CREATE TYPE b.mood AS ENUM('y'); CREATE FUNCTION f(a.mood) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE FUNCTION f(b.mood) RETURNS int LANGUAGE sql AS 'SELECT 2'; DROP FUNCTION f(a.mood); DROP FUNCTION f(b.mood);",
    ),
    "DROP ROUTINE of a procedure, made again": (
        "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';",
        "DROP ROUTINE p; CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';",
    ),
    "one overload of several renamed and dropped": (
        "CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE VIEW v AS SELECT f('x') AS n;",
        "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 2'; ALTER FUNCTION f(int) RENAME TO g; DROP FUNCTION g(int);",
    ),
    "a function of a %TYPE argument beside another overload": (
        "CREATE TABLE t (a int); CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE FUNCTION f(x t.a%TYPE) RETURNS int LANGUAGE sql AS 'SELECT 1'; DROP FUNCTION f(text); DROP FUNCTION f(int);",
    ),
    "DROP FUNCTION of a %TYPE argument among overloads": (
        "CREATE TABLE t (a int); CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "DROP FUNCTION f(t.a%TYPE);",
    ),
    "a key's column taken by DROP TYPE … CASCADE, then made again": (
        "CREATE TYPE mood AS ENUM('a'); CREATE TABLE a(id int, x mood PRIMARY KEY);",
        "DROP TYPE mood CASCADE; ALTER TABLE a ADD COLUMN x int NOT NULL; ALTER TABLE a ALTER COLUMN x DROP NOT NULL;",
    ),
    "an INSERT whose WITH names a table's name": (
        "CREATE TABLE src(a int); CREATE TABLE x(b int); CREATE TABLE t(a int);",
        "WITH x AS (SELECT a FROM src) INSERT INTO t SELECT a FROM x;",
    ),
    "CREATE MATERIALIZED VIEW IF NOT EXISTS of one that stands": (
        "CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m AS SELECT a FROM t;",
        "CREATE MATERIALIZED VIEW IF NOT EXISTS m AS SELECT a, a FROM t;",
    ),
    "CREATE TABLE IF NOT EXISTS … AS of a table that stands": (
        "CREATE TABLE src (a int, b int); CREATE TABLE t (LIKE src);",
        "CREATE TABLE IF NOT EXISTS t AS SELECT a FROM src; UPDATE t SET b = 1;",
    ),
    "a table's alias with a column list": (
        "CREATE TABLE t(a int);",
        "SELECT x FROM t AS z(x); CREATE VIEW v AS SELECT x FROM t z(x);",
    ),
    "a column added to a partitioned table, read on its partition": (
        "CREATE TABLE p(a int) PARTITION BY LIST(a); CREATE TABLE p1(a int); ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1);",
        "ALTER TABLE p ADD COLUMN q int; SELECT q FROM p1;",
    ),
    "an upgrade path skipped on a new database, then the table made (Medusa's tax module)": (
        "CREATE TABLE other (id int);",
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'tax_rate'"
        " AND column_name = 'region_id') THEN ALTER TABLE tax_rate ALTER COLUMN region_id DROP NOT NULL;"
        " END IF; END $$; ALTER TABLE IF EXISTS tax_rate ADD COLUMN IF NOT EXISTS tax_region_id text"
        " NOT NULL; CREATE TABLE IF NOT EXISTS tax_rate (id text PRIMARY KEY, tax_region_id text);",
    ),
    "River's rename under an existence test, then its own table made again": (
        "CREATE TABLE t(id int);",
        "DO $$ BEGIN IF to_regclass('river_migration') IS NOT NULL THEN "
        "ALTER TABLE river_migration RENAME TO river_migration_old; "
        "CREATE TABLE river_migration(version bigint); END IF; END; $$;",
    ),
    "an existence test written as a subquery": (
        "CREATE TABLE t(id int);",
        "DO $$ BEGIN IF (SELECT to_regclass('m') IS NOT NULL) THEN "
        "ALTER TABLE m RENAME TO m_old; END IF; END; $$;",
    ),
    "a column added to a parent, read on its child": (
        "CREATE TABLE p(a int); CREATE TABLE c(a int); ALTER TABLE c INHERIT p;",
        "ALTER TABLE p ADD COLUMN q int; SELECT q FROM c;",
    ),
    "DROP FUNCTION … CASCADE of a column's default function": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$SELECT 1$$; CREATE TABLE t(id int, a int DEFAULT f());",
        "DROP FUNCTION f() CASCADE; SELECT a FROM t;",
    ),
    "DROP EXTENSION … CASCADE takes an index using its operator class": (
        "CREATE EXTENSION pg_trgm; CREATE TABLE t(s text); CREATE INDEX ts ON t USING gin (s gin_trgm_ops);",
        "DROP EXTENSION pg_trgm CASCADE; CREATE INDEX ts ON t(s);",
    ),
    "a SQL function with its own SET search_path": (
        "CREATE SCHEMA app; CREATE TABLE app.t(a int);",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = app AS $$ SELECT a FROM t $$;",
    ),
    "RETURNING old and new": (
        "CREATE TABLE t(a int);",
        "UPDATE t SET a = 1 RETURNING old, new, old.a, a;",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_says_nothing_of_what_the_server_runs(case, verdicts):
    first, second = CASES[case]
    errors, refused = verdicts(first + "\n", second + "\n")

    assert refused is None
    assert [(e.kind, e.line, e.message) for e in errors] == []
