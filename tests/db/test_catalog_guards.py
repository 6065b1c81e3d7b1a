"""Work guarded by a test of the catalog (``IF NOT EXISTS (SELECT … FROM
pg_publication_tables …) THEN``) runs only when the test says so: what it
would refuse were the object there already is not said when the guard keeps
it from running. Check must say an error exactly when the server refuses."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE events (id int PRIMARY KEY);\n"
    "CREATE PUBLICATION live;\n"
    "ALTER PUBLICATION live ADD TABLE events;\n"
    "CREATE POLICY own ON events USING (true);\n"
)

GUARDED = (
    "DO $$ BEGIN\n"
    "  IF NOT EXISTS (SELECT 1 FROM {catalog} WHERE {test}) THEN\n"
    "    {work}\n"
    "  END IF;\n"
    "END $$;\n"
)

CASES = {
    "a table published already, by pg_publication_tables": (
        GUARDED.format(
            catalog="pg_publication_tables",
            test="pubname = 'live' AND tablename = 'events'",
            work="ALTER PUBLICATION live ADD TABLE events;",
        ),
        None,
    ),
    "a policy there already, by pg_policy": (
        GUARDED.format(
            catalog="pg_policy",
            test="polname = 'own'",
            work="CREATE POLICY own ON events USING (true);",
        ),
        None,
    ),
    "the same, unguarded": (
        "ALTER PUBLICATION live ADD TABLE events;\n",
        ("already_exists", (1, "42710")),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_agrees_with_the_server(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)
    assert_kind_verdict(errors, refused, expected, says_state=False)
