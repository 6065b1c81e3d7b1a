"""``ALTER COLUMN … SET EXPRESSION AS (…)`` (PostgreSQL 17): the column must
be a generated one (55000), the new expression must be immutable (42P17) and
name columns the table has (42703), and it holds the columns it reads as an
expression made with the column does (a DROP COLUMN of one: 2BP01), while the
old expression's are free. Each case is two migrations; check must report the
refusal, of that kind and at its line, exactly when the server refuses the
second one.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE t (v int, w int, note jsonb,\n"
    "  g int GENERATED ALWAYS AS (v) STORED, plain int);\n"
)

#: (the second migration, (line, SQLSTATE, kind) check names, or None when it runs)
CASES = {
    "an expression that is not immutable": (
        "ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (random()::int);\n",
        (1, "42P17", "not_immutable"),
    ),
    "a cast that depends on a setting": (
        "SELECT 1;\nALTER TABLE t ALTER COLUMN g SET EXPRESSION AS\n"
        "  (extract(epoch FROM (note->>'at')::timestamptz)::int);\n",
        (2, "42P17", "not_immutable"),
    ),
    "a column that is not generated": (
        "ALTER TABLE t ALTER COLUMN plain SET EXPRESSION AS (v + 1);\n",
        (1, "55000", "conflicting_constraint"),
    ),
    "a column the table lacks": (
        "ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (nosuch + 1);\n",
        (1, "42703", "missing_prerequisite"),
    ),
    "dropping a column the new expression reads": (
        "ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (w + 1);\nALTER TABLE t DROP COLUMN w;\n",
        (2, "2BP01", "dependent_objects"),
    ),
    # the forms that run
    "a new immutable expression, and the old one's column dropped": (
        "ALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (w * 2);\nALTER TABLE t DROP COLUMN v;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_judges_set_expression_as_the_server_does(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    line, state, kind = expected or (None, None, "")
    assert_same_verdict(errors, refused, line, kind, state, says_state=state != "42703")
