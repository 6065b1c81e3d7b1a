"""``REFRESH MATERIALIZED VIEW … CONCURRENTLY`` needs the view populated (not
made ``WITH NO DATA``, or refreshed since) and a unique index on it of plain
columns with no ``WHERE``: PostgreSQL refuses it otherwise (0A000, 55000). Each case
runs on the server too.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE sales (id int, region text, amount int);\n"
    "INSERT INTO sales VALUES (1, 'north', 10);\n"
    "CREATE MATERIALIZED VIEW totals AS SELECT region, sum(amount) AS amount\n"
    "  FROM sales GROUP BY region;\n"
    "CREATE MATERIALIZED VIEW later AS SELECT region FROM sales WITH NO DATA;\n"
    "CREATE UNIQUE INDEX later_region ON later (region);\n"
)

#: (the second migration, the line check names, or None when the server runs it)
CASES = {
    "no unique index": ("REFRESH MATERIALIZED VIEW CONCURRENTLY totals;\n", 1),
    "a unique index with WHERE": (
        "CREATE UNIQUE INDEX ON totals (region) WHERE amount > 0;\n"
        "REFRESH MATERIALIZED VIEW CONCURRENTLY totals;\n",
        2,
    ),
    "a unique index of an expression": (
        "CREATE UNIQUE INDEX ON totals (lower(region));\n"
        "REFRESH MATERIALIZED VIEW CONCURRENTLY totals;\n",
        2,
    ),
    "its unique index dropped": (
        "CREATE UNIQUE INDEX totals_region ON totals (region);\nDROP INDEX totals_region;\n"
        "REFRESH MATERIALIZED VIEW CONCURRENTLY totals;\n",
        3,
    ),
    "never populated": ("SELECT 1;\nREFRESH MATERIALIZED VIEW CONCURRENTLY later;\n", 2),
    "emptied by WITH NO DATA": (
        "REFRESH MATERIALIZED VIEW later;\nREFRESH MATERIALIZED VIEW later WITH NO DATA;\n"
        "REFRESH MATERIALIZED VIEW CONCURRENTLY later;\n",
        3,
    ),
    # the ones that run
    "populated, with a unique index": (
        "CREATE UNIQUE INDEX totals_region ON totals (region);\n"
        "REFRESH MATERIALIZED VIEW CONCURRENTLY totals;\n",
        None,
    ),
    "a unique index of a column in parentheses": (
        "CREATE UNIQUE INDEX ON totals ((region));\n"
        "REFRESH MATERIALIZED VIEW CONCURRENTLY totals;\n",
        None,
    ),
    "its unique index renamed": (
        "CREATE UNIQUE INDEX totals_region ON totals (region);\n"
        "ALTER INDEX totals_region RENAME TO totals_by_region;\n"
        "ALTER MATERIALIZED VIEW totals RENAME TO region_totals;\n"
        "REFRESH MATERIALIZED VIEW CONCURRENTLY region_totals;\n",
        None,
    ),
    "populated by a plain refresh first": (
        "REFRESH MATERIALIZED VIEW later;\nREFRESH MATERIALIZED VIEW CONCURRENTLY later;\n",
        None,
    ),
    "in a SQL function's body, which runs when called": (
        "CREATE FUNCTION refresh_totals() RETURNS void LANGUAGE sql AS\n"
        "  'REFRESH MATERIALIZED VIEW CONCURRENTLY totals';\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_refresh_concurrently_needs_rows_and_a_unique_index(case, verdicts):
    second, line = CASES[case]
    if isinstance(line, int):
        line = (line, "0A000" if "later" in second else "55000")
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, line if line else None, "refresh_concurrently")
