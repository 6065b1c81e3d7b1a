"""TRUNCATE of a table another table's foreign key references is refused even
when both are empty (0A000), unless the other table is emptied in the same
statement or CASCADE says so. Each case is two migrations; check must report
`truncate_referenced` (an error, at its line) exactly when the server refuses
the second one, and nothing when it runs.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE owners (id int PRIMARY KEY);\n"
    "CREATE TABLE pets (id int, owner int CONSTRAINT pets_owner_fkey REFERENCES owners);\n"
    "CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree);\n"
)

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "a referenced table": ("TRUNCATE owners;\n", 1),
    "renamed, then truncated": (
        "ALTER TABLE owners RENAME TO people;\nTRUNCATE TABLE people;\n",
        2,
    ),
    "the referencing table renamed": (
        "ALTER TABLE pets RENAME TO animals;\nTRUNCATE owners;\n",
        2,
    ),
    # the forms that run
    "both in one statement": ("TRUNCATE owners, pets;\n", None),
    "both, the referencing one renamed": (
        "ALTER TABLE pets RENAME TO animals;\nTRUNCATE owners, animals;\n",
        None,
    ),
    "CASCADE": ("TRUNCATE owners CASCADE;\n", None),
    "the referencing table": ("TRUNCATE pets;\n", None),
    "a table referencing itself": ("TRUNCATE tree;\n", None),
    "the key dropped first": (
        "ALTER TABLE pets DROP CONSTRAINT pets_owner_fkey;\nTRUNCATE owners;\n",
        None,
    ),
    "the referencing table dropped first": ("DROP TABLE pets;\nTRUNCATE owners;\n", None),
}


@pytest.mark.parametrize("case", CASES)
def test_check_says_a_truncate_is_refused_exactly_when_the_server_refuses(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, line, "truncate_referenced", "0A000")
