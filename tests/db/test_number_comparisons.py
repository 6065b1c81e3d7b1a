"""A column compared with a number (``WHERE status = 1``) whose type no number
compares with (text, varchar, char, uuid, boolean, a date or time, an
interval, an enum) makes PostgreSQL find no operator as it reads the
statement (42883); numbers compare with number columns, and a quoted constant
with anything. Each case runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TYPE mood AS ENUM ('ok');\n"
    "CREATE TABLE t (id int, s text, v varchar(5), c char(2), u uuid, b boolean, d date,"
    " ts timestamptz, tm time, i interval, m mood, n numeric, f float8, big bigint,"
    " sm smallint, j jsonb, mo money, ip inet);\n"
)

REFUSED = ("missing_prerequisite", (1, "42883"))

CASES = {
    **{
        f"{column} = 1": (f"SELECT id FROM t WHERE {column} = 1;\n", REFUSED)
        for column in ("s", "v", "c", "u", "b", "d", "ts", "tm", "i", "m")
    },
    "a decimal number": ("UPDATE t SET id = 0 WHERE s > 1.5;\n", REFUSED),
    "IN a list of numbers": ("DELETE FROM t WHERE s IN (1, 2);\n", REFUSED),
    "a CHECK": ("ALTER TABLE t ADD CONSTRAINT k CHECK (v <> 2);\n", REFUSED),
    "an index's predicate": ("CREATE INDEX t_id ON t (id) WHERE b = 1;\n", REFUSED),
    "a view of one table": ("CREATE VIEW w AS SELECT id FROM t WHERE d > 0;\n", REFUSED),
    # the forms that run
    "numbers with number columns": (
        "SELECT id FROM t WHERE id = 1 AND n = 1.5 AND f < 2 AND big = 10000000000"
        " AND sm IN (1, 2) AND mo > 0::money;\n",
        None,
    ),
    "quoted constants with anything": (
        "SELECT id FROM t WHERE s = '1' AND b = 't' AND d > '2024-01-01' AND m = 'ok';\n",
        None,
    ),
    "a cast": ("SELECT id FROM t WHERE s::int = 1 AND b::int = 1;\n", None),
    "in a PL/pgSQL body, resolved when it runs": (
        "CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $$\n"
        "BEGIN DELETE FROM t WHERE s = 1; END $$;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_number_comparison_is_judged_as_the_server_judges_it(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_kind_verdict(errors, refused, expected)
