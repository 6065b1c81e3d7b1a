"""A down section walked against what its up section leaves: what a table takes
with it when the down drops it (its serial's sequence, its indexes, its row
type, its triggers) is gone for the rest of the down; what a default set by
ALTER … SET DEFAULT calls holds; a DROP of the wrong kind or of a key's index,
a column added twice, an older view put back without the up's columns, a
type changed under a view or without the USING its up's type needs, an object
the up made made again, and what no state lets through are refused; the names a down gives back by
renames are the objects the up renamed. Each case runs on the server too: the
earlier migration, the up, then the down, and check says of the down section
exactly what the server refuses."""

from __future__ import annotations

import pytest

from server_verdicts import refused_after

pytestmark = pytest.mark.db

EARLIER = "CREATE TABLE t (a int, b int);\n"

#: (up, down, the down's line check names and the server's SQLSTATE, or None)
CASES = {
    "a view made again without a column, then the column's type put back": (
        "CREATE VIEW tv AS SELECT a FROM t;\nALTER TABLE t ALTER COLUMN b TYPE text;\n"
        "DROP VIEW tv;\nCREATE VIEW tv AS SELECT a, b FROM t;\n",
        "DROP VIEW tv;\nCREATE VIEW tv AS SELECT a FROM t;\n"
        "ALTER TABLE t ALTER COLUMN b TYPE int USING b::int;\n",
        None,
    ),
    "a view made again with the column, then its type put back": (
        "CREATE VIEW tv AS SELECT a FROM t;\nALTER TABLE t ALTER COLUMN b TYPE text;\n",
        "DROP VIEW tv;\nCREATE VIEW tv AS SELECT a, b FROM t;\n"
        "ALTER TABLE t ALTER COLUMN b TYPE int USING b::int;\n",
        (3, "0A000"),
    ),
    "a column read, then renamed away by the up, added back by the down": (
        "SELECT b FROM t;\nALTER TABLE t RENAME COLUMN b TO b2;\n",
        "ALTER TABLE t DROP COLUMN b2;\nALTER TABLE t ADD COLUMN b int;\n",
        None,
    ),
    "a serial's sequence, gone with its table": (
        "CREATE TABLE w (id serial PRIMARY KEY);\n",
        "DROP TABLE w;\nDROP SEQUENCE w_id_seq;\n",
        (2, "42P01"),
    ),
    "a key, gone with a column of it (the reason said)": (
        "ALTER TABLE t ADD COLUMN k int;\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (a, k);\n",
        "ALTER TABLE t DROP COLUMN k;\nALTER TABLE t DROP CONSTRAINT t_pkey;\n",
        (2, "42704"),
    ),
    "an index, gone with its table (the reason said)": (
        "CREATE TABLE w (id int, x int);\nCREATE INDEX w_x ON w (x);\n",
        "DROP TABLE w;\nDROP INDEX w_x;\n",
        (2, "42704"),
    ),
    "a rename onto the name of a table the up made": (
        "CREATE TABLE w (id int);\n",
        "ALTER TABLE t RENAME TO w;\n",
        (1, "42P07"),
    ),
    "a column renamed onto the name of a column the up added": (
        "ALTER TABLE t ADD COLUMN c int;\n",
        "ALTER TABLE t RENAME COLUMN a TO c;\n",
        (1, "42701"),
    ),
    "a table named back after the one made in its place is dropped": (
        "ALTER TABLE t RENAME TO t2;\nCREATE TABLE t (x int);\n",
        "DROP TABLE t;\nALTER TABLE t2 RENAME TO t;\n",
        None,
    ),
    "an index, gone with its table": (
        "CREATE TABLE w (id int);\nCREATE INDEX w_id ON w (id);\n",
        "DROP TABLE w;\nDROP INDEX w_id;\n",
        (2, "42704"),
    ),
    "a table's row type, gone with it": (
        "CREATE TABLE w (id int);\n",
        "DROP TABLE w;\nDROP TYPE w;\n",
        (2, "42704"),
    ),
    "a sequence OWNED BY a column, gone with its table": (
        "CREATE TABLE w (id int);\nCREATE SEQUENCE w_seq OWNED BY w.id;\n",
        "DROP TABLE w;\nDROP SEQUENCE w_seq;\n",
        (2, "42P01"),
    ),
    "a function a default set by ALTER calls": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT f();\n",
        "DROP FUNCTION f();\nALTER TABLE t ALTER COLUMN a DROP DEFAULT;\n",
        (1, "2BP01"),
    ),
    "DROP VIEW of a materialized view": (
        "CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;\n",
        "SELECT 1;\nDROP VIEW IF EXISTS mv;\n",
        (2, "42809"),
    ),
    "a table renamed by the up, dropped as a table after renaming it back": (
        "CREATE VIEW v AS SELECT a FROM t;\nALTER VIEW v RENAME TO v2;\n",
        "ALTER VIEW v2 RENAME TO v;\nDROP TABLE v;\n",
        (2, "42809"),
    ),
    "the index a key is made of": (
        "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);\n",
        "DROP INDEX t_a_key;\n",
        (1, "2BP01"),
    ),
    "a column added back that the up did not drop": (
        "ALTER TABLE t ADD COLUMN c int;\n",
        "ALTER TABLE t ADD COLUMN a int;\nALTER TABLE t DROP COLUMN c;\n",
        (1, "42701"),
    ),
    "an older view put back without the up's column": (
        "CREATE VIEW v AS SELECT a FROM t;\nCREATE OR REPLACE VIEW v AS SELECT a, b FROM t;\n",
        "CREATE OR REPLACE VIEW v AS SELECT a FROM t;\n",
        (1, "42P16"),
    ),
    "a column a view reads, given back its type": (
        "ALTER TABLE t ALTER COLUMN a TYPE bigint;\nCREATE VIEW v AS SELECT a FROM t;\n",
        "ALTER TABLE t ALTER COLUMN a TYPE int;\nDROP VIEW v;\n",
        (1, "0A000"),
    ),
    "DROP TABLE of a view another view read": (
        "CREATE VIEW v1 AS SELECT a FROM t;\nCREATE VIEW v2 AS SELECT * FROM v1;\n",
        "DROP VIEW v2;\nDROP TABLE v1;\n",
        (2, "42809"),
    ),
    "DROP NOT NULL of a key's column, renamed back": (
        "ALTER TABLE t ADD PRIMARY KEY (a);\nALTER TABLE t RENAME COLUMN a TO id;\n",
        "ALTER TABLE t RENAME COLUMN id TO a;\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;\n",
        (2, "42P16"),
    ),
    # the downs that run
    "DROP NOT NULL once the key is gone": (
        "ALTER TABLE t ADD PRIMARY KEY (a);\n",
        "ALTER TABLE t DROP CONSTRAINT t_pkey;\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;\n",
        None,
    ),
    "a materialized view made again with its indexes, then dropped": (
        "CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;\nCREATE INDEX mv_a ON mv (a);\n",
        "DROP MATERIALIZED VIEW mv;\nCREATE MATERIALIZED VIEW mv AS SELECT a, b FROM t;\n"
        "CREATE INDEX mv_a ON mv (a);\nDROP INDEX mv_a;\nDROP MATERIALIZED VIEW mv;\n",
        None,
    ),
    "views on views dropped in order": (
        "CREATE VIEW v1 AS SELECT a FROM t;\nCREATE VIEW v2 AS SELECT * FROM v1;\n"
        "CREATE MATERIALIZED VIEW m3 AS SELECT * FROM v2;\n",
        "DROP MATERIALIZED VIEW m3;\nDROP VIEW v2, v1;\n",
        None,
    ),
    "a view dropped, then put back as it was": (
        "CREATE VIEW v AS SELECT a FROM t;\nCREATE OR REPLACE VIEW v AS SELECT a, b FROM t;\n",
        "DROP VIEW v;\nCREATE VIEW v AS SELECT a FROM t;\n",
        None,
    ),
    "renames undone, then what they named dropped": (
        "CREATE TABLE u (id int PRIMARY KEY);\n"
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id);\n"
        "ALTER TABLE t RENAME COLUMN a TO a2;\nALTER TABLE t RENAME TO t2;\n"
        "CREATE INDEX t2_b ON t2 (b);\n",
        "ALTER TABLE t2 RENAME TO t;\nALTER TABLE t RENAME COLUMN a2 TO a;\n"
        "DROP INDEX t2_b;\nALTER TABLE t DROP COLUMN a;\nDROP TABLE u;\n",
        None,
    ),
    "a type change back without USING (pandemia's device id)": (
        "ALTER TABLE t ALTER COLUMN a TYPE varchar(50);\n",
        "ALTER TABLE t ALTER COLUMN a TYPE bigint;\n",
        (1, "42804"),
    ),
    "a trigger the up made, made again": (
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';\n"
        "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n",
        "SELECT 1;\nCREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n",
        (2, "42710"),
    ),
    "a schema the up made, made again": (
        "CREATE SCHEMA s2;\n",
        "CREATE SCHEMA s2;\n",
        (1, "42P06"),
    ),
    "a type the up made, made again": (
        "CREATE TYPE mood AS ENUM ('a');\n",
        "CREATE TYPE mood AS ENUM ('a');\n",
        (1, "42710"),
    ),
    "a subquery in a CHECK, which no state lets through": (
        "SELECT 1;\n",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > (SELECT 1));\n",
        (1, "0A000"),
    ),
    "an enum value added by the down, and stored by it": (
        "CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE w (m mood);\n",
        "ALTER TYPE mood ADD VALUE 'z';\nINSERT INTO w VALUES ('z');\nDROP TABLE w;\nDROP TYPE mood;\n",
        (2, "55P04"),
    ),
    "a type change back while the up's default stands": (
        "ALTER TABLE t ALTER COLUMN a TYPE bool USING a <> 0;\n"
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT false;\n",
        "ALTER TABLE t ALTER COLUMN a TYPE int USING CASE WHEN a THEN 1 ELSE 0 END;\n",
        (1, "42804"),
    ),
    "the default dropped before the type change back (Unleash)": (
        "ALTER TABLE t ALTER COLUMN a TYPE bool USING a <> 0;\n"
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT false;\n",
        "ALTER TABLE t ALTER COLUMN a DROP DEFAULT;\n"
        "ALTER TABLE t ALTER COLUMN a TYPE int USING CASE WHEN a THEN 1 ELSE 0 END;\n"
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT 0;\n",
        None,
    ),
    "a type change back with USING, a trigger dropped and made again": (
        "ALTER TABLE t ALTER COLUMN a TYPE varchar(50);\n"
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';\n"
        "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n",
        "ALTER TABLE t ALTER COLUMN a TYPE int USING a::int;\n"
        "DROP TRIGGER tr ON t;\n"
        "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n",
        None,
    ),
    "an identity dropped, its sequence's name made again (a serial put back)": (
        "CREATE TABLE c (id serial PRIMARY KEY);\n"
        "ALTER TABLE c ALTER COLUMN id DROP DEFAULT;\nDROP SEQUENCE c_id_seq;\n"
        "ALTER TABLE c ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;\n",
        "ALTER TABLE c ALTER COLUMN id DROP IDENTITY;\n"
        "CREATE SEQUENCE c_id_seq OWNED BY c.id;\n"
        "ALTER TABLE c ALTER COLUMN id SET DEFAULT nextval('c_id_seq');\nDROP TABLE c;\n",
        None,
    ),
    "the view dropped before its column changes type": (
        "ALTER TABLE t ALTER COLUMN a TYPE bigint;\nCREATE VIEW v AS SELECT a FROM t;\n",
        "DROP VIEW v;\nALTER TABLE t ALTER COLUMN a TYPE int;\n",
        None,
    ),
    "IF EXISTS, written for what went with the table": (
        "CREATE TABLE w (id serial PRIMARY KEY);\nCREATE INDEX w_id ON w (id);\n",
        "DROP TABLE w;\nDROP SEQUENCE IF EXISTS w_id_seq;\nDROP INDEX IF EXISTS w_id;\n",
        None,
    ),
    "the sequence and index first, then the table": (
        "CREATE TABLE w (id int);\nCREATE SEQUENCE w_seq;\nCREATE INDEX w_id ON w (id);\n",
        "DROP INDEX w_id;\nDROP SEQUENCE w_seq;\nDROP TABLE w;\n",
        None,
    ),
    "a TRUNCATE of a table a foreign key references": (
        "CREATE TABLE k (id int PRIMARY KEY);\nCREATE TABLE r (k_id int REFERENCES k);\n",
        "SELECT 1;\nTRUNCATE TABLE k;\nDROP TABLE r, k;\n",
        (2, "0A000"),
    ),
    "the referencing table dropped, then a TRUNCATE": (
        "CREATE TABLE k (id int PRIMARY KEY);\nCREATE TABLE r (k_id int REFERENCES k);\n",
        "DROP TABLE r;\nTRUNCATE k;\nTRUNCATE k, t;\nDROP TABLE k;\n",
        None,
    ),
    "the default dropped, then its function": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT f();\n",
        "ALTER TABLE t ALTER COLUMN a DROP DEFAULT;\nDROP FUNCTION f();\n",
        None,
    ),
    "a table rebuilt under its name, the old one dropped": (
        "CREATE INDEX t_b ON t (b);\n",
        "ALTER TABLE t RENAME TO t_was;\nCREATE TABLE t (a int, b int);\n"
        "CREATE INDEX t_a ON t (a);\nINSERT INTO t SELECT a, b FROM t_was;\nDROP TABLE t_was;\n"
        "CREATE INDEX t_b ON t (b);\nALTER TABLE t ADD COLUMN z int;\nDROP INDEX t_a;\n",
        None,
    ),
    "an enum rebuilt under its name, the old one dropped": (
        "CREATE TYPE st AS ENUM ('a', 'b', 'c');\n",
        "ALTER TYPE st RENAME TO st_was;\nCREATE TYPE st AS ENUM ('a', 'b');\n"
        "DROP TYPE st_was;\nSELECT 'a'::st;\nDROP TYPE st;\n",
        None,
    ),
    "a generated column given its old expression back, then the new one's column dropped": (
        "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED;\n"
        "ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (a * 2 - b);\n",
        "ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (a * 2);\nALTER TABLE t DROP COLUMN b;\n",
        None,
    ),
    "an enum renamed and made again, the column with a default moved to it": (
        "CREATE TYPE r AS ENUM ('a', 'b');\nALTER TABLE t ADD COLUMN x r DEFAULT 'b';\n",
        "ALTER TYPE r RENAME TO r_old;\nCREATE TYPE r AS ENUM ('a', 'b', 'c');\n"
        "ALTER TABLE t ALTER COLUMN x TYPE r USING x::text::r;\n",
        (3, "42804"),
    ),
    "an enum renamed and made again, the default dropped before the move": (
        "CREATE TYPE r AS ENUM ('a', 'b');\nALTER TABLE t ADD COLUMN x r DEFAULT 'b';\n",
        "ALTER TABLE t ALTER COLUMN x DROP DEFAULT;\nALTER TYPE r RENAME TO r_old;\n"
        "CREATE TYPE r AS ENUM ('a', 'b', 'c');\n"
        "ALTER TABLE t ALTER COLUMN x TYPE r USING x::text::r;\n"
        "ALTER TABLE t ALTER COLUMN x SET DEFAULT 'b';\nDROP TYPE r_old;\n",
        None,
    ),
    "an index of the table rebuilt, dropped with the old one": (
        "CREATE INDEX t_b ON t (b);\n",
        "ALTER TABLE t RENAME TO t_was;\nCREATE TABLE t (a int, b int);\nDROP TABLE t_was;\n"
        "DROP INDEX t_b;\n",
        (4, "42704"),
    ),
    "a table made again LIKE another, its columns named": (
        "CREATE TABLE w (LIKE t);\n",
        "DROP TABLE w;\nCREATE TABLE w (LIKE t);\nCREATE INDEX w_a ON w (a);\nDROP TABLE w;\n",
        None,
    ),
    "a table made again from a query of *, its columns named": (
        "CREATE TABLE w (LIKE t);\n",
        "DROP TABLE w;\nCREATE TABLE w AS SELECT s.* FROM (SELECT * FROM t) s WITH NO DATA;\n"
        "CREATE INDEX w_b ON w (b);\nDROP TABLE w;\n",
        None,
    ),
    "a table made again with its columns written, one it lacks named": (
        "CREATE TABLE w (LIKE t);\n",
        "DROP TABLE w;\nCREATE TABLE w (a int);\nCREATE INDEX w_b ON w (b);\n",
        (3, "42703"),
    ),
    "a call of a built-in name with an argument count none of its functions takes": (
        "SELECT 1;\n",
        "SELECT 1;\nSELECT decode('');\n",
        (2, "42883"),
    ),
    "the same, where the up made an overload of that count": (
        "CREATE FUNCTION decode(x text) RETURNS text LANGUAGE sql AS 'SELECT x';\n",
        "SELECT decode('');\nDROP FUNCTION decode(text);\n",
        None,
    ),
    "system columns read by a down's data fix": (
        "SELECT 1;\n",
        "DELETE FROM t WHERE ctid NOT IN (SELECT min(ctid) FROM t GROUP BY a);\n"
        "SELECT xmin, tableoid FROM t;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_down_section_is_refused_exactly_where_the_server_refuses_it(
    case, write_migrations, analysis_of, pg_dsn
):
    up, down, expected = CASES[case]
    root = write_migrations(
        {
            "001_t.sql": f"-- migrate:up\n{EARLIER}-- migrate:down\nDROP TABLE t;\n",
            "002_up.sql": f"-- migrate:up\n{up}-- migrate:down\n{down}",
        }
    )
    errors = [
        p
        for p in analysis_of(root).problems
        if str(p.severity) == "error" and p.section == "down" and p.migration == "002"
    ]
    refused = refused_after(pg_dsn, EARLIER, up, down)

    if expected is None:
        assert (refused, errors) == (None, [])
        return
    line, state = expected
    assert refused == state
    [error] = errors
    down_at = up.count("\n") + 3  # the down section's first line in 002_up.sql
    assert (error.migration, error.line) == ("002", down_at + line - 1)
    if "reason said" in case:
        assert "already dropped" in error.message and "DROP INDEX" not in error.hint
        dropped = "table" if "with its table" in case else "a column"
        assert f"dropping {dropped}" in error.message


@pytest.mark.parametrize("rows", [True, False], ids=["the table has rows", "it has none"])
def test_a_down_adding_a_not_null_column_without_a_default_is_a_warning(
    rows, write_migrations, analysis_of, pg_dsn
):
    # the up dropped the column; the down puts it back NOT NULL: refused at
    # rollback exactly when the table has rows then, which check cannot know
    up, down = "ALTER TABLE t DROP COLUMN b;\n", "ALTER TABLE t ADD COLUMN b int NOT NULL;\n"
    root = write_migrations(
        {
            "001_t.sql": f"-- migrate:up\n{EARLIER}-- migrate:down\nDROP TABLE t;\n",
            "002_up.sql": f"-- migrate:up\n{up}-- migrate:down\n{down}",
            "003_ok.sql": "-- migrate:up\n-- squawk-ignore adding-required-field\n"
            "ALTER TABLE t ADD COLUMN c int NOT NULL;\n"
            "-- migrate:down\n-- squawk-ignore adding-required-field\n"
            "ALTER TABLE t ADD COLUMN d int NOT NULL;\n",
        }
    )
    found = [p for p in analysis_of(root).problems if p.kind == "required_column"]
    filled = EARLIER + ("INSERT INTO t VALUES (1, 2);\n" if rows else "")
    refused = refused_after(pg_dsn, filled, up, down)

    assert refused == ("23502" if rows else None)
    assert [(p.migration, p.section, str(p.severity), p.line) for p in found] == [
        ("002", "down", "warning", 4)
    ]
    assert "at rollback" in found[0].message
