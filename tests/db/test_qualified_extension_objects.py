"""An extension's type named in a schema that does not exist: no extension
can have put it there, whatever it makes, so PostgreSQL refuses (3F000) and
check says so as an error, not as a type an extension may provide. Each case
runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE EXTENSION citext;\n"

#: (the second migration, the line check names or None when the server runs it)
CASES = {
    "a schema nothing made": ("CREATE TABLE t (a geo.citext);\n", 1),
    # the ones that run
    "the schema it was made in": ("CREATE TABLE t (a public.citext, b citext);\n", None),
    "an extension made in a schema of the folder": (
        "CREATE SCHEMA ext;\nCREATE EXTENSION hstore SCHEMA ext;\nCREATE TABLE t (a ext.hstore);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_an_extensions_type_in_a_schema_nothing_made(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    expected = (line, "3F000") if line else None
    assert_same_verdict(errors, refused, expected, "missing_prerequisite")
