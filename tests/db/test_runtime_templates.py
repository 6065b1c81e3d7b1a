"""SQL built at run time from a written template (``EXECUTE format('CREATE
TABLE %I.documents …', schema)``) is read with its computed names standing as
names of their own. When it only makes new objects (schemas, or objects in a
schema or of a name computed at run time), the walk keeps what it knows of
everything else: later mistakes are still errors, and only a need of
something such a template may have made is a warning. A template that may
touch a table the folder made by name (``ALTER TABLE %I``, a clause spliced in
with ``%s``) stays SQL of unknown effect. Each case runs on the server too:
check reports an error exactly when the server refuses the second migration.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

TENANTS = (
    "CREATE TABLE tenants (slug text PRIMARY KEY);\n"
    "INSERT INTO tenants VALUES ('acme');\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total bigint);\n"
    "CREATE TABLE customers (id bigint PRIMARY KEY, name text);\n"
)
#: a loop that makes a schema and a table in it per tenant
IN_A_LOOP = (
    "DO $$\nDECLARE r record;\nBEGIN\n"
    "  FOR r IN SELECT slug FROM tenants LOOP\n"
    "    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', 'tenant_' || r.slug);\n"
    "    EXECUTE format('CREATE TABLE IF NOT EXISTS %I.documents (\n"
    "        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text)',\n"
    "      'tenant_' || r.slug);\n"
    "    EXECUTE 'CREATE INDEX ON ' || quote_ident('tenant_' || r.slug) || '.documents (title)';\n"
    "  END LOOP;\nEND $$;\n"
)
#: the same, by a function a DO block calls
BY_A_FUNCTION = (
    "CREATE FUNCTION provision(slug text) RETURNS void LANGUAGE plpgsql AS $$\n"
    "DECLARE s text := 'tenant_' || slug;\nBEGIN\n"
    "  EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', s);\n"
    "  EXECUTE format('CREATE TABLE IF NOT EXISTS %I.documents (id int, title text)', s);\n"
    "  EXECUTE format('ALTER TABLE %I.documents ADD COLUMN IF NOT EXISTS v int', s);\n"
    "  EXECUTE format('GRANT USAGE ON SCHEMA %I TO public', s);\n"
    "END $$;\n"
    "DO $$ DECLARE r record; BEGIN\n"
    "  FOR r IN SELECT slug FROM tenants LOOP PERFORM provision(r.slug); END LOOP;\n"
    "END $$;\n"
)
#: monthly partitions of a known table, by names built at run time
PARTITIONS = (
    "CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);\n"
    "DO $$ DECLARE d date; BEGIN\n"
    "  FOR d IN SELECT generate_series('2025-01-01'::date, '2025-03-01', '1 month') LOOP\n"
    "    EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',\n"
    "      'events_' || to_char(d, 'YYYY_MM'), d, d + interval '1 month');\n"
    "  END LOOP;\nEND $$;\n"
)

#: (the first migration, the second, the line of the second check names as an
#: error, or None when the server runs both)
CASES = {
    # mistakes after a template that only makes new objects: still errors
    "a typo'd column, after tenant schemas made in a loop": (
        TENANTS + IN_A_LOOP,
        "CREATE VIEW big AS SELECT o.id, o.totl FROM orders o;\n",
        1,
    ),
    "a typo'd column, after a function making tenant schemas is called": (
        TENANTS + BY_A_FUNCTION,
        "CREATE VIEW big AS SELECT o.id, o.totl FROM orders o;\n",
        1,
    ),
    "SELECT * over a join giving id twice, after the templates": (
        TENANTS + IN_A_LOOP,
        "CREATE VIEW both_ids AS SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id;\n",
        1,
    ),
    "a gist exclusion on bigint without btree_gist, after the templates": (
        TENANTS + BY_A_FUNCTION,
        "ALTER TABLE orders ADD CONSTRAINT one_total EXCLUDE USING gist (total WITH =);\n",
        1,
    ),
    "a column renamed away, after partitions made in a loop": (
        TENANTS + "ALTER TABLE customers RENAME COLUMN name TO full_name;\n" + PARTITIONS,
        "CREATE VIEW names AS SELECT c.name FROM customers c;\n",
        1,
    ),
    # what the templates made, used by name: a warning at most
    "a tenant's table made in a loop": (
        TENANTS + IN_A_LOOP,
        "ALTER TABLE tenant_acme.documents ADD COLUMN body text;\n",
        None,
    ),
    "a tenant's table made by the called function": (
        TENANTS + BY_A_FUNCTION,
        "CREATE VIEW docs AS SELECT id, title, v FROM tenant_acme.documents;\n",
        None,
    ),
    "a partition made in a loop": (
        TENANTS + PARTITIONS,
        "CREATE INDEX ON events_2025_02 (kind);\n",
        None,
    ),
    # templates that may touch the folder's tables: their effect stays unknown
    "a table named at run time, altered": (
        TENANTS + "DO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN totl int', "
        "'orders'); END $$;\n",
        "CREATE VIEW big AS SELECT o.id, o.totl FROM orders o;\n",
        None,
    ),
    "a table of a name the folder has, altered in a schema named at run time": (
        TENANTS + "DO $$ BEGIN EXECUTE format('ALTER TABLE %I.orders ADD COLUMN totl int', "
        "'public'); END $$;\n",
        "CREATE VIEW big AS SELECT o.id, o.totl FROM orders o;\n",
        None,
    ),
    "a table of a name the folder does not have, altered in a schema named at run time": (
        TENANTS + IN_A_LOOP + "DO $$ BEGIN EXECUTE format('ALTER TABLE %I.documents ADD COLUMN "
        "body text', 'tenant_acme'); END $$;\n",
        "CREATE VIEW big AS SELECT o.id, o.totl FROM orders o;\n",
        1,
    ),
    "a view of a name the folder has, replaced in a schema named at run time": (
        TENANTS + "CREATE VIEW totals AS SELECT id FROM orders;\n"
        "DO $$ BEGIN EXECUTE format('CREATE OR REPLACE VIEW %I.totals AS\n"
        "  SELECT id, total AS totl FROM public.orders', 'public'); END $$;\n",
        "CREATE VIEW big AS SELECT t.id, t.totl FROM totals t;\n",
        None,
    ),
    # what SQL of unknown effect may have changed is not judged as if it had not
    "a foreign key dropped by a name found at run time, then its table truncated": (
        TENANTS + "CREATE TABLE lines (order_id bigint REFERENCES orders);\n"
        "DO $$ DECLARE r record; BEGIN\n"
        "  FOR r IN SELECT conname FROM pg_constraint\n"
        "    WHERE conrelid = 'lines'::regclass AND contype = 'f' LOOP\n"
        "    EXECUTE format('ALTER TABLE lines DROP CONSTRAINT %I', r.conname);\n"
        "  END LOOP;\nEND $$;\n",
        "TRUNCATE orders;\n",
        None,
    ),
    "enum labels added by values built at run time": (
        TENANTS + "CREATE TYPE state AS ENUM ('new');\n"
        "DO $$ DECLARE v text; BEGIN FOREACH v IN ARRAY ARRAY['paid', 'sent'] LOOP\n"
        "  EXECUTE format('ALTER TYPE state ADD VALUE IF NOT EXISTS %L', v);\n"
        "END LOOP; END $$;\n",
        "CREATE TABLE shipments (s state DEFAULT 'sent');\n",
        None,
    ),
    "a unique index made by a name built at run time, referenced": (
        TENANTS + "ALTER TABLE customers ADD COLUMN email text;\n"
        "DO $$ BEGIN EXECUTE format('CREATE UNIQUE INDEX %I ON customers (email)',\n"
        "  'customers_email_key'); END $$;\n",
        "CREATE TABLE invites (email text REFERENCES customers (email));\n",
        None,
    ),
    "a unique index made on a table named at run time, an upsert's arbiter": (
        TENANTS + "ALTER TABLE customers ADD COLUMN email text;\n"
        "DO $$ DECLARE t text := 'customers'; BEGIN\n"
        "  EXECUTE format('CREATE UNIQUE INDEX %I ON %I (email)', t || '_email_key', t);\n"
        "END $$;\n",
        "INSERT INTO customers (id, email) VALUES (1, 'a') ON CONFLICT (email) DO NOTHING;\n",
        None,
    ),
    "format() of constants only: the SQL is known, and reads a table nothing made": (
        TENANTS,
        "SELECT 1;\nDO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN x int', 'ordrs'); END $$;\n",
        2,
    ),
    "a concatenation of constants, and what it made used after": (
        TENANTS,
        "DO $$ BEGIN\n  EXECUTE format('ALTER TABLE %I ADD COLUMN %I int', 'orders', 'Note');\n"
        "  EXECUTE 'ALTER TABLE orders ' || 'ADD COLUMN y int';\nEND $$;\n"
        'ALTER TABLE orders DROP COLUMN "Note", DROP COLUMN y;\n',
        None,
    ),
    "a clause spliced in with %s": (
        TENANTS + "DO $$ BEGIN EXECUTE format('ALTER TABLE orders %s', "
        "'ADD COLUMN totl int'); END $$;\n",
        "CREATE VIEW big AS SELECT o.id, o.totl FROM orders o;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_what_a_template_makes(case, verdicts):
    first, second, line = CASES[case]
    errors, refused = verdicts(first, second)

    assert (refused is not None) == (line is not None)
    assert [(e.migration, e.line) for e in errors] == ([("002", line + 1)] if line else [])


def test_the_warning_names_the_template(write_migrations, analysis_of):
    root = write_migrations(
        {
            "001_first.sql": f"-- migrate:up\n{TENANTS}{IN_A_LOOP}-- migrate:down\nSELECT 1;\n",
            "002_second.sql": "-- migrate:up\n"
            "ALTER TABLE tenant_acme.documents ADD COLUMN body text;\n"
            "-- migrate:down\nSELECT 1;\n",
        }
    )
    problems = analysis_of(root).problems
    [warning] = [p for p in problems if p.migration == "002" and p.kind == "unknown_origin"]

    assert warning.line == 2
    assert "001 builds SQL at run time (line 11)" in warning.message
    assert "tables named documents in schemas named at run time" in warning.message
    assert not [p for p in problems if p.kind == "dynamic_sql"]


def test_after_sql_of_unknown_effect_a_missing_column_is_a_warning(
    verdicts, write_migrations, analysis_of
):
    """A template that may alter a table the folder made (its name computed)
    leaves the columns unsure: a column the migrations never gave is still
    said, as a warning naming that SQL, since it may have added it."""
    first = TENANTS + (
        "DO $$ DECLARE t text := 'orders';\n"
        "BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN note text', t); END $$;\n"
    )
    second = "CREATE VIEW noted AS SELECT o.id, o.note, o.totl FROM orders o;\n"
    errors, refused = verdicts(first, second)
    assert refused == "42703" and errors == []  # o.totl: the server refuses; check is unsure

    root = write_migrations(
        {
            "001_first.sql": f"-- migrate:up\n{first}-- migrate:down\nSELECT 1;\n",
            "002_second.sql": f"-- migrate:up\n{second}-- migrate:down\nSELECT 1;\n",
        }
    )
    warned = [
        p for p in analysis_of(root).problems if p.kind == "unknown_origin" and p.migration == "002"
    ]
    assert sorted(p.object for p in warned) == [
        "column public.orders.note",
        "column public.orders.totl",
    ]
    assert all("001 builds SQL at run time that may have added it" in p.message for p in warned)


def test_replacing_by_a_name_built_at_run_time_is_of_unknown_effect(write_migrations, analysis_of):
    """CREATE OR REPLACE FUNCTION %I may replace any of the folder's functions:
    the migration's SQL built at run time stays of unknown effect, while a
    plain CREATE of a new name is known to make only that."""
    root = write_migrations(
        {
            "001_first.sql": "-- migrate:up\n"
            "CREATE FUNCTION total_of(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';\n"
            "DO $$ DECLARE f text := 'total_of'; BEGIN\n"
            "  EXECUTE format('CREATE OR REPLACE FUNCTION %I(bigint) RETURNS bigint\n"
            "  LANGUAGE sql AS ''SELECT 2::bigint''', f); END $$;\n"
            "DO $$ BEGIN EXECUTE format('CREATE FUNCTION %I(int) RETURNS int LANGUAGE sql\n"
            "  AS ''SELECT 3''', 'other_' || 'fn'); END $$;\n"
            "-- migrate:down\nSELECT 1;\n",
        }
    )
    [first] = analysis_of(root).migrations
    assert first.dynamic_lines == (4,)  # the replace; the new function is known new


def test_a_template_touching_one_table_name_leaves_the_other_tables_known(
    verdicts, write_migrations, analysis_of
):
    """``ALTER TABLE %I.orders`` in every schema may give the folder's orders
    other columns: only tables named orders are unsure after it, and a column
    missing from customers is still an error."""
    first = TENANTS + (
        "DO $$ DECLARE s text;\nBEGIN FOR s IN SELECT nspname FROM pg_namespace"
        " WHERE nspname = 'public' LOOP\n"
        "  EXECUTE format('ALTER TABLE %I.orders ADD COLUMN IF NOT EXISTS note text', s);\n"
        "END LOOP; END $$;\n"
    )
    second = "SELECT c.nme FROM customers c;\n"
    errors, refused = verdicts(first, second)
    assert refused == "42703"
    assert [(e.kind, e.line) for e in errors] == [("missing_prerequisite", 2)]

    root = write_migrations(
        {
            "001_first.sql": f"-- migrate:up\n{first}-- migrate:down\nSELECT 1;\n",
            "002_second.sql": "-- migrate:up\nSELECT o.note, o.nte FROM orders o;\n"
            "-- migrate:down\nSELECT 1;\n",
        }
    )
    problems = [p for p in analysis_of(root).problems if p.migration == "002"]
    assert sorted((p.kind, p.object) for p in problems) == [
        ("unknown_origin", "column public.orders.note"),
        ("unknown_origin", "column public.orders.nte"),
    ]
