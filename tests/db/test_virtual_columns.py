"""PostgreSQL 18 makes a generated column VIRTUAL unless it says STORED, and
refuses, of a virtual column, an index or a key using it, a type that is not
built in, and an expression calling a function that is not (the folder's, an
extension's: 0A000). Check
says so where the server refuses, and nothing of what it runs."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TYPE mood AS ENUM ('a');\n"
    "CREATE FUNCTION grams(integer) RETURNS numeric IMMUTABLE LANGUAGE sql AS 'SELECT $1 / 1000.0';\n"
    "CREATE TABLE parcels (id int, w integer, twice int GENERATED ALWAYS AS (w * 2));\n"
)

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "an index on a virtual column (no STORED: virtual)": (
        "CREATE INDEX parcels_twice ON parcels (twice);\n",
        1,
    ),
    "a virtual column in an index's predicate": (
        "SELECT 1;\nCREATE INDEX parcels_w ON parcels (w) WHERE twice > 0;\n",
        2,
    ),
    "a unique virtual column": (
        "CREATE TABLE s (w integer, kg int GENERATED ALWAYS AS (w * 2) UNIQUE);\n",
        1,
    ),
    "a virtual column calling the folder's function": (
        "ALTER TABLE parcels ADD COLUMN kg numeric GENERATED ALWAYS AS (grams(w)) VIRTUAL;\n",
        1,
    ),
    "a virtual column calling an extension's function (ltree's nlevel)": (
        "CREATE EXTENSION IF NOT EXISTS ltree;\nCREATE TABLE cats (path ltree);\n"
        "ALTER TABLE cats ADD COLUMN depth int GENERATED ALWAYS AS (nlevel(path)) VIRTUAL;\n",
        3,
    ),
    "a virtual column of an enum": (
        "ALTER TABLE parcels ADD COLUMN m mood GENERATED ALWAYS AS ('a'::mood);\n",
        1,
    ),
    # the ones that run
    "stored columns indexed, virtual ones of built-in types and functions": (
        "ALTER TABLE parcels ADD COLUMN kg numeric GENERATED ALWAYS AS (grams(w)) STORED;\n"
        "ALTER TABLE parcels ADD COLUMN t int GENERATED ALWAYS AS (w * 3) STORED;\n"
        "ALTER TABLE parcels ADD COLUMN label text GENERATED ALWAYS AS ('#' || id::text);\n"
        "CREATE INDEX parcels_t ON parcels (t, kg);\nCREATE INDEX parcels_w ON parcels (w);\n"
        "CREATE EXTENSION IF NOT EXISTS ltree;\nCREATE TABLE cats (path ltree);\n"
        "ALTER TABLE cats ADD COLUMN depth int GENERATED ALWAYS AS (nlevel(path)) STORED;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_virtual_generated_column_is_refused_where_the_server_refuses(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "0A000") if line else None, "virtual_column")
