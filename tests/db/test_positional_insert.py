"""``INSERT INTO t VALUES (…)`` without a column list, as seed data is often
written: the values go to the table's first columns in their order, which
migtui follows through ``ADD COLUMN``, renames and drops. Each case runs on
the server too, and check must say exactly what it refuses."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE roles (id int PRIMARY KEY, name text NOT NULL, active boolean);\n"
    "CREATE TYPE mood AS ENUM ('happy');\n"
)

#: (the second migration, the kind of error, and its line and SQLSTATE, or
#: None when it runs)
CASES = {
    "more values than columns": (
        "INSERT INTO roles VALUES (1, 'admin', true, 4);\n",
        "insert_columns",
        (1, "42601"),
    ),
    "a NOT NULL column past the values": (
        "INSERT INTO roles VALUES (1);\n",
        "not_null_insert",
        (1, "23502"),
    ),
    "a value its column cannot take": (
        "INSERT INTO roles VALUES (1, 'admin', 5);\n",
        "value_type",
        (1, "42804"),
    ),
    "a generated column given a value": (
        "ALTER TABLE roles ADD COLUMN slug text GENERATED ALWAYS AS (lower(name)) STORED;\n"
        "INSERT INTO roles VALUES (1, 'admin', true, 'admin');\n",
        "generated_column",
        (2, "428C9"),
    ),
    "a column added later goes last": (
        "ALTER TABLE roles ADD COLUMN level int NOT NULL DEFAULT 0;\n"
        "INSERT INTO roles VALUES (1, 'admin', true, true);\n",
        "value_type",
        (2, "42804"),
    ),
    "a dropped column's place is gone": (
        "ALTER TABLE roles DROP COLUMN active;\nINSERT INTO roles VALUES (1, 'admin', true);\n",
        "insert_columns",
        (2, "42601"),
    ),
    # the forms that run
    "every column, in order": (
        "INSERT INTO roles VALUES (1, 'admin', true), (2, 'reader', DEFAULT);\n",
        None,
        None,
    ),
    "the first columns only": ("INSERT INTO roles VALUES (1, 'admin');\n", None, None),
    "a renamed column keeps its place": (
        "ALTER TABLE roles RENAME COLUMN active TO enabled;\n"
        "ALTER TABLE roles RENAME TO groups;\n"
        "INSERT INTO groups VALUES (1, 'admin', true);\n",
        None,
        None,
    ),
    "a column dropped and added again goes last": (
        "ALTER TABLE roles DROP COLUMN name, ADD COLUMN name text;\n"
        "INSERT INTO roles VALUES (1, true, 'admin');\n",
        None,
        None,
    ),
    "a table made like another": (
        "CREATE TABLE copy (LIKE roles, note int NOT NULL);\n"
        "INSERT INTO copy VALUES (1, 'admin', true, 7);\n",
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_judges_a_row_without_a_column_list_as_the_server_does(case, verdicts):
    second, kind, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, expected, kind or "")
