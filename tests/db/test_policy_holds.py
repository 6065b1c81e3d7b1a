"""A row-level security policy holds the columns of its table its USING and
WITH CHECK expressions read: PostgreSQL refuses to drop one (2BP01) until the
policy is dropped or given other expressions. (``ALTER POLICY … USING``
lets go of what its WITH CHECK reads too: only a miss, never a false alarm.)
Each case runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE notes (id int, owner int, org int, body text);\n"
    "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY own ON notes USING (owner = 1) WITH CHECK (org > 0);\n"
)

#: (the second migration, the line check names or None when the server runs it)
CASES = {
    "a column USING reads": ("ALTER TABLE notes DROP COLUMN owner;\n", 1),
    "a column WITH CHECK reads": ("SELECT 1;\nALTER TABLE notes DROP COLUMN org;\n", 2),
    "a column the policy reads, after the policy is renamed": (
        "ALTER POLICY own ON notes RENAME TO mine;\nALTER TABLE notes DROP COLUMN owner;\n",
        2,
    ),
    # the ones that run
    "a column the policy does not read": ("ALTER TABLE notes DROP COLUMN body;\n", None),
    "after the policy is dropped": (
        "DROP POLICY own ON notes;\nALTER TABLE notes DROP COLUMN owner;\n",
        None,
    ),
    "after the policy reads another column": (
        "ALTER POLICY own ON notes USING (body <> '');\nALTER TABLE notes DROP COLUMN owner;\n",
        None,
    ),
    "with CASCADE, which drops the policy": (
        "ALTER TABLE notes DROP COLUMN owner CASCADE;\nDROP POLICY IF EXISTS own ON notes;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_policy_holds_the_columns_it_reads(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "2BP01") if line else None, "dependent_objects")


#: (the second migration, the line and SQLSTATE check names, or None when the
#: server runs it): a policy named must be there, and made once
NAMED = {
    "a policy dropped by a name it never had": ("DROP POLICY owns ON notes;\n", (1, "42704")),
    "a policy made twice": ("SELECT 1;\nCREATE POLICY own ON notes USING (true);\n", (2, "42710")),
    "a policy by its name before a rename": (
        "ALTER POLICY own ON notes RENAME TO mine;\nDROP POLICY own ON notes;\n",
        (2, "42704"),
    ),
    # the ones that run
    "IF EXISTS": ("DROP POLICY IF EXISTS owns ON notes;\n", None),
    "dropped, then made anew": (
        "DROP POLICY own ON notes;\nCREATE POLICY own ON notes USING (true);\n",
        None,
    ),
    "renamed, then altered by the new name": (
        "ALTER POLICY own ON notes RENAME TO mine;\n"
        "COMMENT ON POLICY mine ON notes IS 'x';\n"
        "ALTER POLICY mine ON notes USING (true);\n",
        None,
    ),
    "made under a test that none stands": (
        "DO $$ BEGIN\n"
        "  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'own') THEN\n"
        "    CREATE POLICY own ON notes USING (true);\n"
        "  END IF;\n"
        "END $$;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", NAMED)
def test_a_policy_named_is_there_and_made_once(case, verdicts):
    second, expected = NAMED[case]
    errors, refused = verdicts(FIRST, second)

    if expected is None:
        assert_same_verdict(errors, refused, None, "missing_prerequisite")
        return
    line, state = expected
    kind = "missing_prerequisite" if state == "42704" else "already_exists"
    assert_same_verdict(errors, refused, expected, kind)


SUBQUERY = (
    "CREATE TABLE members (tid int);\n"
    "CREATE TABLE docs (tid int);\n"
    "CREATE POLICY mine ON docs USING (tid IN (SELECT tid FROM members));\n"
)


@pytest.mark.parametrize(
    ("second", "line"),
    [
        ("DROP TABLE members;\n", 1),
        ("SELECT 1;\nALTER TABLE members DROP COLUMN tid;\n", 2),
        ("DROP TABLE members CASCADE;\nCREATE POLICY mine ON docs USING (tid > 0);\n", None),
        ("ALTER TABLE members ADD COLUMN x int;\nALTER TABLE members DROP COLUMN x;\n", None),
        (
            "ALTER POLICY mine ON docs USING (tid > 0);\n"
            "ALTER POLICY mine ON docs USING (EXISTS (SELECT FROM members m WHERE m.tid = 1));\n"
            "ALTER TABLE members DROP COLUMN tid;\n",
            3,
        ),
        ("ALTER POLICY mine ON docs USING (tid > 0);\nDROP TABLE members;\n", None),
    ],
    ids=[
        "dropped alone",
        "its column a subquery names bare",
        "dropped with CASCADE, the policy made anew",
        "a column no subquery names",
        "its column a subquery of ALTER POLICY names",
        "after ALTER POLICY gives it an expression without subquery",
    ],
)
def test_a_policy_holds_the_tables_its_subqueries_read(second, line, verdicts):
    errors, refused = verdicts(SUBQUERY, second)

    assert_same_verdict(errors, refused, (line, "2BP01") if line else None, "dependent_objects")


CALLING = (
    "CREATE SCHEMA auth;\n"
    "CREATE FUNCTION auth.uid() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';\n"
    "CREATE FUNCTION is_admin() RETURNS bool LANGUAGE sql STABLE AS 'SELECT false';\n"
    "CREATE TABLE notes (id int, owner int);\n"
    "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY own ON notes USING (owner = auth.uid()) WITH CHECK (is_admin());\n"
)

#: (the second migration, the line check names or None when the server runs it)
FUNCTIONS = {
    "a function USING calls": ("DROP FUNCTION auth.uid();\n", 1),
    "a function WITH CHECK calls": ("SELECT 1;\nDROP FUNCTION is_admin();\n", 2),
    "a function the policy's new expressions call": (
        "ALTER POLICY own ON notes USING (owner = 1) WITH CHECK (auth.uid() > 0);\n"
        "DROP FUNCTION auth.uid();\n",
        2,
    ),
    # the ones that run
    "after the policy is dropped": ("DROP POLICY own ON notes;\nDROP FUNCTION auth.uid();\n", None),
    "after the policy is given expressions calling neither": (
        "ALTER POLICY own ON notes USING (true) WITH CHECK (true);\n"
        "DROP FUNCTION auth.uid();\nDROP FUNCTION is_admin();\n",
        None,
    ),
    "with CASCADE, which drops the policy": ("DROP FUNCTION is_admin() CASCADE;\n", None),
    "after the table is dropped": ("DROP TABLE notes;\nDROP FUNCTION auth.uid();\n", None),
}


@pytest.mark.parametrize("case", FUNCTIONS)
def test_a_policy_holds_the_functions_it_calls(case, verdicts):
    second, line = FUNCTIONS[case]
    errors, refused = verdicts(CALLING, second)

    assert_same_verdict(errors, refused, (line, "2BP01") if line else None, "dependent_objects")
