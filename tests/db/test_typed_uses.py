"""A column used where only some types are taken: compared with TRUE or
FALSE, matched by LIKE, ILIKE or a regular expression, passed first to a
built-in string function. PostgreSQL has no operator or function for most
types there (``uuid LIKE``, ``lower(integer)``, ``varchar = boolean``), and no
implicit cast to text to find one: it refuses as it reads the statement
(42883). Check must say an error exactly when the server refuses."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TYPE mood AS ENUM ('calm');\n"
    "CREATE TABLE msg (id uuid, n int, sent timestamptz, ok boolean, m mood, body jsonb,\n"
    "  state varchar(64), note text, code char(3), raw bytea, span int4range);\n"
)

#: the second migration, and the line check names (None: the server runs it)
CASES = {
    "lower() of an integer": ("SELECT lower(n) FROM msg;\n", 1),
    "replace() of a uuid": ("UPDATE msg SET note = replace(id, '-', '');\n", 1),
    "length() of a uuid in a WHERE": ("DELETE FROM msg WHERE length(id) > 3;\n", 1),
    "upper() of an enum": ("SELECT upper(m) FROM msg;\n", 1),
    "left() of a timestamp": ("SELECT left(sent, 4) FROM msg;\n", 1),
    "a uuid LIKE": ("UPDATE msg SET note = 'x' WHERE id LIKE 'ab%';\n", 1),
    "a timestamp NOT LIKE": ("DELETE FROM msg WHERE sent NOT LIKE '2020%';\n", 1),
    "an integer matched by a regular expression": ("SELECT n FROM msg WHERE n ~ '^1';\n", 1),
    "bytea ILIKE": ("SELECT 1 FROM msg WHERE raw ILIKE 'a%';\n", 1),
    "varchar compared with TRUE": ("UPDATE msg SET ok = false WHERE state = true;\n", 1),
    "jsonb compared with FALSE in a view": (
        "CREATE VIEW quiet AS SELECT id FROM msg WHERE body = false;\n",
        1,
    ),
    "length() of an integer in a CHECK": (
        "ALTER TABLE msg ADD CONSTRAINT n_short CHECK (length(n) < 5);\n",
        1,
    ),
    "replace() of a joined table's uuid": (
        "CREATE TABLE v (id text);\n"
        "SELECT replace(m.id, '-', '') FROM msg m JOIN v ON v.id = m.id::text;\n",
        2,
    ),
    "lower() of an UPDATE's other table's integer": (
        "CREATE TABLE v (id text, h text);\nUPDATE v SET h = lower(msg.n) FROM msg;\n",
        2,
    ),
    # what the server runs
    "lower() of varchar, char and text": (
        "SELECT lower(state), upper(code), initcap(note) FROM msg;\n",
        None,
    ),
    "lower() of a range: its lower bound": ("SELECT lower(span) FROM msg;\n", None),
    "length() of bytea": ("SELECT length(raw) FROM msg;\n", None),
    "bytea LIKE": ("SELECT 1 FROM msg WHERE raw LIKE 'a%';\n", None),
    "a cast to text first": ("SELECT lower(n::text) FROM msg WHERE id::text LIKE 'a%';\n", None),
    "a boolean compared with TRUE": ("DELETE FROM msg WHERE ok = true;\n", None),
    "a joined table's text": (
        "CREATE TABLE v (id text);\nSELECT lower(v.id) FROM msg JOIN v ON v.id = msg.note;\n",
        None,
    ),
    "a quoted 'true' read as the column's type": (
        "DELETE FROM msg WHERE state = 'true';\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_agrees_with_the_server(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)
    expected = None if line is None else (line, "42883")
    assert_same_verdict(errors, refused, expected, "missing_prerequisite")
