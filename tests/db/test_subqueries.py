"""Expressions PostgreSQL evaluates row by row, with no query of their own:
a CHECK, a default, a generated column, an index's expressions and predicate,
ALTER COLUMN … TYPE … USING. A subquery in one is refused (0A000). Each case is
two migrations; check must report `subquery_not_allowed` (an error, at its
line) exactly when the server refuses the second one.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE items (id int PRIMARY KEY, n int, kind text);\n"

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "a CHECK": ("ALTER TABLE items ADD CONSTRAINT positive CHECK (n > (SELECT 0));\n", 1),
    "a column's CHECK": (
        "SELECT 1;\nALTER TABLE items ADD COLUMN m int CHECK (m IN (SELECT 1));\n",
        2,
    ),
    "a default": ("ALTER TABLE items ALTER COLUMN n SET DEFAULT (SELECT max(n) FROM items);\n", 1),
    "a new column's default": (
        "ALTER TABLE items ADD COLUMN made int DEFAULT (SELECT 1);\n",
        1,
    ),
    "a generated column": (
        "ALTER TABLE items ADD COLUMN g int GENERATED ALWAYS AS ((SELECT 1)) STORED;\n",
        1,
    ),
    "an index expression": ("CREATE INDEX items_x ON items (((SELECT 1)));\n", 1),
    "an index predicate, at the subquery's line": (
        "CREATE INDEX items_some ON items (id)\n  WHERE kind IN (SELECT 'a');\n",
        2,
    ),
    "a type change's USING": (
        "ALTER TABLE items ALTER COLUMN n TYPE bigint USING (SELECT 1);\n",
        1,
    ),
    # the forms that run
    "the same without subqueries": (
        "ALTER TABLE items ADD CONSTRAINT positive CHECK (n > 0);\n"
        "ALTER TABLE items ALTER COLUMN n SET DEFAULT 1;\n"
        "CREATE INDEX items_some ON items (id) WHERE kind IN ('a', 'b');\n"
        "ALTER TABLE items ALTER COLUMN n TYPE bigint USING n + 1;\n",
        None,
    ),
    "a subquery in a data fix": (
        "UPDATE items SET n = (SELECT count(*) FROM items);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_says_a_subquery_is_refused_exactly_when_the_server_refuses(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, line, "subquery_not_allowed", "0A000")
