"""A policy's command decides its clauses, made or altered: an INSERT policy checks the rows
it lets in (WITH CHECK) and a SELECT or DELETE policy filters the rows there
(USING). PostgreSQL refuses the other clause (42601); check must say so where
the server refuses, and nothing of the forms it runs."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE t (id int, owner text);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "USING on an INSERT policy (seen on a Supabase history)": (
        "CREATE POLICY p ON t FOR INSERT TO public\n  USING (owner = current_user);\n",
        1,
    ),
    "WITH CHECK on a SELECT policy": (
        "SELECT 1;\nCREATE POLICY p ON t FOR SELECT WITH CHECK (true);\n",
        2,
    ),
    "WITH CHECK beside USING on a DELETE policy": (
        "CREATE POLICY p ON t FOR DELETE USING (true) WITH CHECK (true);\n",
        1,
    ),
    "under a test that the policy is not there yet": (
        "DO $$ BEGIN\n"
        "  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'p') THEN\n"
        "    CREATE POLICY p ON t FOR INSERT USING (true);\n"
        "  END IF;\nEND $$;\n",
        3,
    ),
    "ALTER POLICY giving an INSERT policy USING": (
        "CREATE POLICY p ON t FOR INSERT WITH CHECK (true);\nALTER POLICY p ON t USING (true);\n",
        2,
    ),
    "ALTER POLICY giving a SELECT policy WITH CHECK": (
        "CREATE POLICY p ON t FOR SELECT USING (true);\nALTER POLICY p ON t WITH CHECK (true);\n",
        2,
    ),
    # the forms that run
    "ALTER POLICY with the clauses each command takes": (
        "CREATE POLICY a ON t FOR INSERT WITH CHECK (true);\n"
        "CREATE POLICY b ON t FOR SELECT USING (true);\n"
        "ALTER POLICY a ON t WITH CHECK (owner = current_user);\n"
        "ALTER POLICY b ON t USING (owner = current_user);\nALTER POLICY b ON t TO public;\n"
        "DROP POLICY b ON t;\nCREATE POLICY b ON t FOR UPDATE USING (true);\n"
        "ALTER POLICY b ON t WITH CHECK (true);\n",
        None,
    ),
    "each command with the clauses it takes": (
        "CREATE POLICY a ON t FOR INSERT WITH CHECK (owner = current_user);\n"
        "CREATE POLICY b ON t FOR SELECT USING (true);\n"
        "CREATE POLICY c ON t FOR DELETE USING (owner = current_user);\n"
        "CREATE POLICY d ON t FOR UPDATE USING (true) WITH CHECK (true);\n"
        "CREATE POLICY e ON t USING (true) WITH CHECK (true);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_clause_the_policy_command_cannot_take_is_refused(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42601") if line else None, "policy_clause")
