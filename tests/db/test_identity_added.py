"""``ALTER COLUMN … ADD GENERATED … AS IDENTITY`` needs a column that is NOT
NULL, has no default (a serial's is one) and is not an identity already;
PostgreSQL refuses otherwise (55000). Each case runs on the server too; check
must report the refusal at its line exactly when the server refuses.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE a (id int, n int NOT NULL, d int NOT NULL DEFAULT 1, s serial,\n"
    "  k int PRIMARY KEY, i int GENERATED ALWAYS AS IDENTITY);\n"
)


def add(column: str) -> str:
    return f"ALTER TABLE a ALTER COLUMN {column} ADD GENERATED ALWAYS AS IDENTITY;\n"


#: (the second migration, the line check names or None when the server runs it)
CASES = {
    "a nullable column": (add("id"), 1),
    "a column with a default": ("SELECT 1;\n" + add("d"), 2),
    "a serial": (add("s"), 1),
    "an identity already": (add("i"), 1),
    "a nullable column of a table made alongside": (
        "CREATE TABLE b (x int);\nALTER TABLE b ALTER COLUMN x ADD GENERATED ALWAYS AS IDENTITY;\n",
        2,
    ),
    # the ones that run
    "a NOT NULL column": (add("n"), None),
    "the primary key": (add("k"), None),
    "a serial, its default dropped first": (
        "ALTER TABLE a ALTER COLUMN s DROP DEFAULT;\n" + add("s"),
        None,
    ),
    "made NOT NULL first": ("ALTER TABLE a ALTER COLUMN id SET NOT NULL;\n" + add("id"), None),
    "an identity dropped, then added again": (
        "ALTER TABLE a ALTER COLUMN i DROP IDENTITY;\n" + add("i"),
        None,
    ),
    "made NOT NULL in the same ALTER TABLE, after": (
        "ALTER TABLE a ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY,\n"
        "  ALTER COLUMN id SET NOT NULL;\n",
        None,
    ),
    "a primary key in the same ALTER TABLE, after": (
        "ALTER TABLE a DROP CONSTRAINT a_pkey;\n"
        "ALTER TABLE a ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY, ADD PRIMARY KEY (id);\n",
        None,
    ),
    "a named not-null constraint in the same ALTER TABLE, before": (
        "ALTER TABLE a ADD CONSTRAINT n NOT NULL id,\n"
        "  ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;\n",
        None,
    ),
    "a primary key made USING INDEX": (
        "ALTER TABLE a DROP CONSTRAINT a_pkey;\nCREATE UNIQUE INDEX a_id ON a (id);\n"
        "ALTER TABLE a ADD CONSTRAINT a_pk PRIMARY KEY USING INDEX a_id;\n" + add("id"),
        None,
    ),
    "a column renamed, then made an identity": (
        "ALTER TABLE a RENAME COLUMN n TO m;\n" + add("m"),
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_an_identity_added_to_a_column_that_cannot_take_one(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(
        errors, refused, (line, "55000") if line else None, "conflicting_constraint"
    )


#: PostgreSQL 18 keeps one not-null constraint per column, and a serial has one.
SERIALS = {
    "another not-null constraint on a serial": (
        "ALTER TABLE a ADD CONSTRAINT other NOT NULL s;\n",
        1,
    ),
    "the serial's own not-null constraint by name": (
        "ALTER TABLE a ADD CONSTRAINT a_s_not_null NOT NULL s;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", SERIALS)
def test_a_serial_has_its_not_null_constraint(case, verdicts):
    second, line = SERIALS[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(
        errors, refused, (line, "55000") if line else None, "conflicting_constraint"
    )
