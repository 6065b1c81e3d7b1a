"""PostgreSQL holds a routine named as a FUNCTION or a PROCEDURE to that
kind: a procedure called in a query, dropped, commented on or granted as a
function, or a function run by CALL, is refused (42809). ROUTINE names
either. Each case runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE PROCEDURE archive(days int) LANGUAGE sql AS $$ SELECT 1 $$;\n"
    "CREATE FUNCTION total(n int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
)

#: (the second migration, the line check names or None when the server runs it)
CASES = {
    "a procedure called in a query": ("SELECT archive(30);\n", 1),
    "a procedure dropped as a function": ("SELECT 1;\nDROP FUNCTION archive(integer);\n", 2),
    "a procedure commented on as a function": (
        "COMMENT ON FUNCTION archive(integer) IS 'old rows';\n",
        1,
    ),
    "a procedure's privileges as a function's": (
        "REVOKE ALL ON FUNCTION archive(integer) FROM PUBLIC;\n",
        1,
    ),
    "a function run by CALL": ("CALL total(1);\n", 1),
    # the ones that run
    "each by its kind, or as a routine": (
        "CALL archive(30);\nSELECT total(1);\nCOMMENT ON ROUTINE archive(integer) IS 'x';\n"
        "GRANT EXECUTE ON ROUTINE total(integer) TO PUBLIC;\n"
        "ALTER PROCEDURE archive(integer) RENAME TO archive_rows;\n"
        "DROP ROUTINE archive_rows(integer);\nDROP FUNCTION total;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_routine_is_named_by_its_kind(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    expected = (line, "42809") if line else None
    assert_same_verdict(errors, refused, expected, "wrong_kind")
