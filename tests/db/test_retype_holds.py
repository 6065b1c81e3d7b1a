"""A column a trigger names (``UPDATE OF a``, ``WHEN (OLD.b …)``) or a
row-level security policy reads keeps its type: PostgreSQL refuses ``ALTER
COLUMN … TYPE`` of it (0A000) until the trigger or policy is dropped. A column
the policy's subquery names is held too; one it does not name is not. Each case runs
on the server too.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE members (id int, user_id int, note text);\n"
    "CREATE TABLE docs (id int, a int, b int, c int, owner int);\n"
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
    "CREATE TRIGGER on_a BEFORE UPDATE OF a ON docs FOR EACH ROW EXECUTE FUNCTION touch();\n"
    "CREATE TRIGGER on_b BEFORE UPDATE ON docs FOR EACH ROW\n"
    "  WHEN (OLD.b IS DISTINCT FROM NEW.b) EXECUTE FUNCTION touch();\n"
    "ALTER TABLE docs ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY mine ON docs USING (owner > 0 AND EXISTS (SELECT 1 FROM members m\n"
    "  WHERE m.id = 1));\n"
)

#: (the second migration, the line check names, or None when the server runs it)
CASES = {
    "a column UPDATE OF names": ("ALTER TABLE docs ALTER COLUMN a TYPE bigint;\n", 1),
    "a column WHEN reads": ("SELECT 1;\nALTER TABLE docs ALTER COLUMN b TYPE bigint;\n", 2),
    "a column a policy reads": ("ALTER TABLE docs ALTER COLUMN owner TYPE bigint;\n", 1),
    "a column the policy's subquery names, of another table": (
        "ALTER TABLE members ALTER COLUMN id TYPE bigint;\n",
        1,
    ),
    # the ones that run
    "a column no trigger or policy names": ("ALTER TABLE docs ALTER COLUMN c TYPE bigint;\n", None),
    "after the trigger is dropped": (
        "DROP TRIGGER on_a ON docs;\nALTER TABLE docs ALTER COLUMN a TYPE bigint;\n",
        None,
    ),
    "a column of the policy's subquery's table it does not name": (
        "ALTER TABLE members ALTER COLUMN user_id TYPE bigint;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_trigger_or_policy_holds_the_type_of_its_columns(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "0A000") if line else None, "dependent_objects")


ATOMIC = (
    "CREATE TABLE people (id int, name text, other int);\n"
    "CREATE FUNCTION names() RETURNS SETOF text LANGUAGE sql BEGIN ATOMIC SELECT name FROM people; END;\n"
    "CREATE FUNCTION others() RETURNS SETOF int LANGUAGE sql AS 'SELECT other FROM people';\n"
)

#: (the second migration, (line, SQLSTATE) check names, or None when it runs)
BODIES = {
    "a column a BEGIN ATOMIC body reads, retyped": (
        "ALTER TABLE people ALTER COLUMN name TYPE varchar(200);\n",
        (1, "0A000"),
    ),
    "a column a BEGIN ATOMIC body reads, dropped": (
        "SELECT 1;\nALTER TABLE people DROP COLUMN name;\n",
        (2, "2BP01"),
    ),
    # the ones that run: a body written as a string keeps no column
    "a column only a quoted body reads, and one no body reads": (
        "ALTER TABLE people ALTER COLUMN other TYPE bigint;\nALTER TABLE people DROP COLUMN id;\n",
        None,
    ),
    "after the function is dropped": (
        "DROP FUNCTION names();\nALTER TABLE people DROP COLUMN name;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", BODIES)
def test_a_begin_atomic_body_holds_the_columns_it_reads(case, verdicts):
    second, expected = BODIES[case]
    errors, refused = verdicts(ATOMIC, second)

    assert_same_verdict(errors, refused, expected, "dependent_objects")
