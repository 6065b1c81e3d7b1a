"""Definitions PostgreSQL refuses whatever the database holds, found in
histories written by hand: a trigger's WHEN reading a row its events do not
have (42P17), a transition table where PostgreSQL allows none (42P17, 0A000), a body in SQL's own syntax taking a polymorphic argument
(42P13) or refreshing a materialized view (0A000) — ``invalid_definition`` —
and, of the same kind of slip, ``ADD VALUE … BEFORE`` a label the enum lacks
(22023), ``SET EXPRESSION`` reading another generated column (42P17) and a
policy's subquery naming a column its table lacks (42703). Each case is two
migrations; check must say so, of that kind and at that line, exactly when
the server refuses the second.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE m (id int, active boolean, account_id int);\n"
    "CREATE TABLE members (account_id int, user_id int);\n"
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n"
    "CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM m;\n"
    "CREATE TYPE state AS ENUM ('draft', 'published');\n"
    "CREATE TABLE g (a int, twice int GENERATED ALWAYS AS (a * 2) STORED,\n"
    "  thrice int GENERATED ALWAYS AS (a * 3) STORED);\n"
)

#: (the second migration, (line, SQLSTATE, kind) check names, or None when it runs)
CASES = {
    "table OIDs asked for (an old dump's header)": (
        "SET default_with_oids = false;\nSET default_with_oids = true;\n",
        (2, "0A000", "invalid_definition"),
    ),
    "PL/pgSQL's language dropped alone": (
        "DROP LANGUAGE IF EXISTS plpgsql CASCADE;\n",
        (1, "2BP01", "dependent_objects"),
    ),
    "a parameter a tool would have bound": (
        "INSERT INTO m (id, account_id) VALUES (1, $1);\n",
        (1, "42P02", "invalid_definition"),
    ),
    "parameters of its own: a PREPARE, a body in SQL's syntax, quoted ones": (
        "PREPARE p(int) AS SELECT $1;\nSELECT '$1', $q$ $2 $q$;\n"
        "CREATE FUNCTION plus(int) RETURNS int LANGUAGE sql BEGIN ATOMIC; SELECT $1 + 1; END;\n"
        "CREATE FUNCTION minus(int) RETURNS int LANGUAGE sql AS 'SELECT $1 - 1';\n",
        None,
    ),
    "an INSERT trigger's WHEN reading OLD": (
        "CREATE TRIGGER m_seat BEFORE INSERT OR UPDATE ON m FOR EACH ROW\n"
        "  WHEN (NOT OLD.active) EXECUTE FUNCTION touch();\n",
        (2, "42P17", "invalid_definition"),
    ),
    "a DELETE trigger's WHEN reading NEW": (
        "CREATE TRIGGER m_gone AFTER DELETE ON m FOR EACH ROW WHEN (NEW.active)\n"
        "  EXECUTE FUNCTION touch();\n",
        (1, "42P17", "invalid_definition"),
    ),
    "a statement trigger's WHEN reading the row": (
        "CREATE TRIGGER m_all AFTER UPDATE ON m FOR EACH STATEMENT WHEN (NEW.active)\n"
        "  EXECUTE FUNCTION touch();\n",
        (1, "42P17", "invalid_definition"),
    ),
    "a transition table on a trigger of two events": (
        "CREATE TRIGGER m_log AFTER INSERT OR UPDATE ON m REFERENCING NEW TABLE AS fresh\n"
        "  FOR EACH STATEMENT EXECUTE FUNCTION touch();\n",
        (1, "0A000", "invalid_definition"),
    ),
    "a transition table on a BEFORE trigger": (
        "CREATE TRIGGER m_log BEFORE INSERT ON m REFERENCING NEW TABLE AS fresh\n"
        "  FOR EACH ROW EXECUTE FUNCTION touch();\n",
        (1, "42P17", "invalid_definition"),
    ),
    "OLD TABLE on an INSERT trigger": (
        "CREATE TRIGGER m_log AFTER INSERT ON m REFERENCING OLD TABLE AS gone\n"
        "  FOR EACH STATEMENT EXECUTE FUNCTION touch();\n",
        (1, "42P17", "invalid_definition"),
    ),
    "a RETURN body of a polymorphic argument": (
        "CREATE FUNCTION same(a anyelement) RETURNS anyelement LANGUAGE sql RETURN a;\n",
        (1, "42P13", "invalid_definition"),
    ),
    "a BEGIN ATOMIC body refreshing a materialized view": (
        "SELECT 1;\nCREATE PROCEDURE refresh_totals() LANGUAGE sql\n"
        "BEGIN ATOMIC REFRESH MATERIALIZED VIEW totals; END;\n",
        (2, "0A000", "invalid_definition"),
    ),
    "a label added before one the enum lacks": (
        "ALTER TYPE state ADD VALUE 'in_review' BEFORE 'review';\n",
        (1, "22023", "missing_prerequisite"),
    ),
    "a generated column given an expression of another": (
        "ALTER TABLE g ALTER COLUMN thrice SET EXPRESSION AS (twice + a);\n",
        (1, "42P17", "generated_column"),
    ),
    "a policy's subquery naming a column its table lacks": (
        "CREATE POLICY mine ON m USING (EXISTS (SELECT 1 FROM members\n"
        "  WHERE members.account_id = m.org_id));\n",
        (2, "42703", "missing_prerequisite"),
    ),
    # the forms that run
    "WHEN reading the rows its events have, a quoted polymorphic body, known labels": (
        "CREATE TRIGGER m_seat BEFORE UPDATE OR DELETE ON m FOR EACH ROW WHEN (OLD.active)\n"
        "  EXECUTE FUNCTION touch();\n"
        "CREATE TRIGGER m_new BEFORE INSERT OR UPDATE ON m FOR EACH ROW WHEN (NEW.active)\n"
        "  EXECUTE FUNCTION touch();\n"
        "CREATE TRIGGER m_log AFTER UPDATE ON m REFERENCING OLD TABLE AS was NEW TABLE AS now\n"
        "  FOR EACH STATEMENT EXECUTE FUNCTION touch();\n"
        "CREATE FUNCTION same(a anyelement) RETURNS anyelement LANGUAGE sql AS 'SELECT a';\n"
        "CREATE PROCEDURE refresh_totals() LANGUAGE sql AS 'REFRESH MATERIALIZED VIEW totals';\n"
        "ALTER TYPE state ADD VALUE 'in_review' AFTER 'draft';\n"
        "ALTER TABLE g ALTER COLUMN thrice SET EXPRESSION AS (a * 4);\n"
        "CREATE POLICY mine ON m USING (EXISTS (SELECT 1 FROM members\n"
        "  WHERE members.account_id = m.account_id AND user_id = 1));\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_refuses_a_definition_exactly_when_the_server_does(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    line, state, kind = expected or (None, None, "")
    assert_same_verdict(errors, refused, line, kind, state, says_state=state != "42703")
