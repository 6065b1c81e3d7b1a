"""A statement that works on one kind of relation, given another: a policy,
row-level security or a new column on a view, an index on a view, REFRESH of
a plain view, ALTER VIEW of a table, a row trigger on a view, an INSTEAD OF
trigger on a table, COMMENT ON VIEW of a table, ALTER SEQUENCE of a table. PostgreSQL refuses each (42809); check must say so
exactly where the server refuses, and nothing of the forms it runs."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE t (x int);\n"
    "CREATE VIEW v AS SELECT * FROM t;\n"
    "CREATE MATERIALIZED VIEW mv AS SELECT * FROM t;\n"
    "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n"
)

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "a policy on a view": ("CREATE POLICY p ON v USING (true);\n", 1),
    "row-level security on a materialized view": (
        "ALTER TABLE mv ENABLE ROW LEVEL SECURITY;\n",
        1,
    ),
    "a column added to a view": ("SELECT 1;\nALTER TABLE v ADD COLUMN y int;\n", 2),
    "a constraint added to a view": ("ALTER TABLE v ADD CONSTRAINT c CHECK (x > 0);\n", 1),
    "an index on a view": ("CREATE INDEX i ON v (x);\n", 1),
    "REFRESH of a plain view": ("REFRESH MATERIALIZED VIEW v;\n", 1),
    "ALTER MATERIALIZED VIEW of a view": ("ALTER MATERIALIZED VIEW v RENAME TO w;\n", 1),
    "ALTER VIEW of a table": ("ALTER VIEW t ALTER COLUMN x SET DEFAULT 1;\n", 1),
    "a row trigger on a view": (
        "CREATE TRIGGER tr AFTER INSERT ON v FOR EACH ROW EXECUTE FUNCTION f();\n",
        1,
    ),
    "an INSTEAD OF trigger on a table": (
        "CREATE TRIGGER tr INSTEAD OF INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n",
        1,
    ),
    "a view made a table's name, then indexed": (
        "DROP VIEW v;\nALTER TABLE t RENAME TO v;\nCREATE INDEX i ON v (x);\n",
        None,
    ),
    "COMMENT ON VIEW of a table": ("COMMENT ON VIEW t IS 'rows';\n", 1),
    "COMMENT ON TABLE of a view, schema-qualified": (
        "SELECT 1;\nCOMMENT ON TABLE public.v IS 'x';\n",
        2,
    ),
    "COMMENT ON MATERIALIZED VIEW of a view": ("COMMENT ON MATERIALIZED VIEW v IS 'x';\n", 1),
    "ALTER SEQUENCE of a table": ("ALTER SEQUENCE t RESTART;\n", 1),
    "ALTER SEQUENCE … RENAME of a table": ("ALTER SEQUENCE t RENAME TO t2;\n", 1),
    "the comments and sequences that run": (
        "CREATE TABLE s (a int GENERATED ALWAYS AS IDENTITY, b serial PRIMARY KEY);\n"
        "CREATE TABLE p (a int) PARTITION BY LIST (a);\n"
        "CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);\n"
        "CREATE INDEX pi ON p (a);\n"
        "COMMENT ON TABLE t IS 'a';\nCOMMENT ON VIEW v IS 'b';\n"
        "COMMENT ON MATERIALIZED VIEW mv IS 'c';\nCOMMENT ON TABLE p IS 'd';\n"
        "COMMENT ON TABLE p1 IS 'e';\nCOMMENT ON INDEX pi IS 'f';\nCOMMENT ON INDEX s_pkey IS 'g';\n"
        "COMMENT ON SEQUENCE s_a_seq IS 'h';\nALTER SEQUENCE s_b_seq RESTART;\n"
        "ALTER SEQUENCE s_a_seq RESTART;\nALTER SEQUENCE IF EXISTS nosuch RESTART;\n"
        "ALTER SEQUENCE s_b_seq RENAME TO s_b;\nALTER TABLE s_b RENAME TO s_b2;\n",
        None,
    ),
    # the forms that run
    "what a view and a materialized view take": (
        "CREATE INDEX i ON mv (x);\n"
        "REFRESH MATERIALIZED VIEW mv;\n"
        "ALTER VIEW v RENAME TO u;\n"
        "ALTER TABLE u RENAME COLUMN x TO z;\n"
        "ALTER TABLE u ALTER COLUMN z SET DEFAULT 1;\n"
        "ALTER VIEW mv RENAME COLUMN x TO y;\n"
        "ALTER TABLE mv RENAME TO mv2;\n"
        "CREATE TRIGGER tr INSTEAD OF INSERT ON u FOR EACH ROW EXECUTE FUNCTION f();\n"
        "CREATE TRIGGER ts AFTER INSERT ON u FOR EACH STATEMENT EXECUTE FUNCTION f();\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_statement_on_a_relation_of_another_kind_is_refused(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42809") if line else None, "wrong_kind")


ROUTINES = (
    "CREATE TABLE t (x int);\n"
    "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';\n"
    "CREATE FUNCTION n() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
    "CREATE FUNCTION v() RETURNS void LANGUAGE plpgsql AS 'BEGIN END';\n"
)

#: (the second migration, the kind check says, the line and SQLSTATE, or None)
ROUTINE_CASES = {
    "a procedure replaced by a function": (
        "CREATE OR REPLACE FUNCTION p() RETURNS void LANGUAGE sql AS 'SELECT';\n",
        "wrong_kind",
        (1, "42809"),
    ),
    "a function replaced by a procedure": (
        "SELECT 1;\nCREATE OR REPLACE PROCEDURE n() LANGUAGE sql AS 'SELECT 1';\n",
        "wrong_kind",
        (2, "42809"),
    ),
    "a trigger running a function that returns an integer": (
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION n();\n",
        "trigger_function",
        (1, "42P17"),
    ),
    "a trigger running a function that returns void": (
        "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH STATEMENT EXECUTE PROCEDURE v();\n",
        "trigger_function",
        (1, "42P17"),
    ),
    # the forms that run
    "routines replaced in their kind, a trigger's function returning trigger": (
        "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql AS 'SELECT 2';\n"
        "CREATE OR REPLACE FUNCTION p(a int) RETURNS int LANGUAGE sql AS 'SELECT a';\n"
        "DROP FUNCTION n();\n"
        "CREATE FUNCTION n() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n"
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION n();\n",
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", ROUTINE_CASES)
def test_a_routine_of_the_wrong_kind_or_result_is_refused(case, verdicts):
    second, kind, expected = ROUTINE_CASES[case]
    errors, refused = verdicts(ROUTINES, second)

    assert_same_verdict(errors, refused, expected, kind or "")
