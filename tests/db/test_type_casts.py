"""Which built-in types convert to which: `core.casts` against the server itself.

`ALTER COLUMN … TYPE` without USING, and a foreign key between two types, are
tried on the server for every pair of the types migtui judges, and must run
exactly when `core.casts` says they do. Then `check` is held to the server's
verdict on whole migrations: `type_cast` (an error, at its line) exactly when
PostgreSQL refuses the second one with 42804.
"""

from __future__ import annotations

import pytest

from migtui.core.casts import (
    FAMILIES,
    assigns,
    cast_exists,
    empty_refused,
    enum,
    key_equality,
)
from server_verdicts import assert_same_verdict, refusal, runs

pytestmark = pytest.mark.db

#: Two enums, as the folder would make them, beside the built-in types
ENUMS = {enum("public.mood"): ("mood", "happy"), enum("public.weather"): ("weather", "sunny")}
TYPES = sorted(FAMILIES) + list(ENUMS)


def _sql(name: str) -> str:
    """How SQL writes a type the tests judge."""
    return ENUMS[name][0] if name in ENUMS else name


def _make_enums(conn) -> None:
    for name, value in ENUMS.values():
        conn.execute(f"CREATE TYPE {name} AS ENUM ('{value}')")


def _disagreements(conn, judge, statement, sources, targets) -> list[str]:
    """The pairs where the server and ``judge`` disagree on ``statement``."""
    return [
        f"{_sql(source)} to {_sql(target)}: casts says {judge(source, target)}"
        for source in sources
        for target in targets
        if runs(conn, statement(source, target)) != judge(source, target)
    ]


def _one_table_per_type(conn) -> None:
    _make_enums(conn)
    for source in TYPES:
        conn.execute(f"CREATE TABLE from_{_sql(source)} (c {_sql(source)})")


def test_a_column_changes_type_without_using_exactly_when_casts_says(pg_conn):
    _one_table_per_type(pg_conn)

    def alter(source: str, target: str) -> str:
        return f"ALTER TABLE from_{_sql(source)} ALTER COLUMN c TYPE {_sql(target)}"

    assert _disagreements(pg_conn, assigns, alter, TYPES, TYPES) == []


def test_a_column_changes_type_using_a_cast_exactly_when_casts_says(pg_conn):
    _one_table_per_type(pg_conn)

    def alter(source: str, target: str) -> str:
        target = _sql(target)
        return f"ALTER TABLE from_{_sql(source)} ALTER COLUMN c TYPE {target} USING c::{target}"

    assert _disagreements(pg_conn, cast_exists, alter, TYPES, TYPES) == []


#: A value of each type, written as its literal
VALUES = {
    "uuid": "00000000-0000-0000-0000-000000000001",
    "bool": "true",
    "date": "2024-01-01",
    "timestamp": "2024-01-01 12:00",
    "timestamptz": "2024-01-01 12:00+00",
    "time": "12:00",
    "timetz": "12:00+00",
    "interval": "1 day",
    "jsonb": "{}",
    "json": "{}",
    "bytea": "\\x00",
    "inet": "10.0.0.1",
    "cidr": "10.0.0.0/8",
    "macaddr": "08:00:2b:01:02:03",
}
#: An xml value needs a server built with libxml: xml keeps no default here.
WITH_DEFAULTS = [t for t in TYPES if t != "xml"]


def test_a_column_with_a_default_changes_type_exactly_when_its_default_assigns(pg_conn):
    # USING converts the values; PostgreSQL converts the default as an assignment
    _make_enums(pg_conn)
    for source in WITH_DEFAULTS:
        value = ENUMS[source][1] if source in ENUMS else VALUES.get(source, "1")
        pg_conn.execute(f"CREATE TABLE from_{_sql(source)} (c {_sql(source)} DEFAULT '{value}')")

    def alter(source: str, target: str) -> str:
        return f"ALTER TABLE from_{_sql(source)} ALTER COLUMN c TYPE {_sql(target)} USING NULL"

    assert _disagreements(pg_conn, assigns, alter, WITH_DEFAULTS, TYPES) == []


def test_a_foreign_key_joins_two_types_exactly_when_casts_says(pg_conn):
    _make_enums(pg_conn)
    keyed = [t for t in TYPES if FAMILIES.get(t, "enum")]  # json and xml have no btree: no key
    for target in keyed:
        pg_conn.execute(f"CREATE TABLE to_{_sql(target)} (k {_sql(target)} PRIMARY KEY)")

    def reference(source: str, target: str) -> str:
        return f"CREATE TABLE referencing (c {_sql(source)} REFERENCES to_{_sql(target)})"

    assert _disagreements(pg_conn, key_equality, reference, TYPES, keyed) == []


FIRST = (
    "CREATE TABLE events (id bigserial PRIMARY KEY, code text, amount numeric(10, 2),\n"
    "  seen boolean, at timestamptz, ref uuid);\n"
)

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "text to bigint": ("ALTER TABLE events ALTER COLUMN code TYPE bigint;\n", 1),
    "boolean to integer, after other work": (
        "ALTER TABLE events ADD COLUMN note text;\n"
        "ALTER TABLE events ALTER COLUMN seen SET DATA TYPE integer;\n",
        2,
    ),
    "a renamed column keeps its type": (
        "ALTER TABLE events RENAME COLUMN ref TO external_id;\n"
        "ALTER TABLE events ALTER COLUMN external_id TYPE bigint;\n",
        2,
    ),
    "a column of a renamed table": (
        "ALTER TABLE events RENAME TO happenings;\n"
        "ALTER TABLE happenings ALTER COLUMN at TYPE int8;\n",
        2,
    ),
    "text to uuid, after text to varchar": (
        "ALTER TABLE events ALTER COLUMN code TYPE varchar(40);\n"
        "ALTER TABLE events ALTER COLUMN code TYPE uuid;\n",
        2,
    ),
    "USING a cast that does not exist": (
        "ALTER TABLE events ALTER COLUMN ref TYPE bigint USING ref::bigint;\n",
        1,
    ),
    "USING converts the values, not the default": (
        "ALTER TABLE events ADD COLUMN status text DEFAULT 'new';\n"
        "ALTER TABLE events ALTER COLUMN status TYPE integer USING 0;\n",
        2,
    ),
    "a bigserial's default, to uuid": (
        "ALTER TABLE events ALTER COLUMN id TYPE uuid USING gen_random_uuid();\n",
        1,
    ),
    "SET DEFAULT in the same statement comes too late": (
        "ALTER TABLE events ADD COLUMN flag int DEFAULT 0;\n"
        "ALTER TABLE events ALTER COLUMN flag TYPE boolean USING flag <> 0,\n"
        "  ALTER COLUMN flag SET DEFAULT false;\n",
        2,
    ),
    "a renamed column keeps its default": (
        "ALTER TABLE events ADD COLUMN status text DEFAULT 'new';\n"
        "ALTER TABLE events RENAME COLUMN status TO state;\n"
        "ALTER TABLE events ALTER COLUMN state TYPE integer USING 0;\n",
        3,
    ),
    "text to an enum, whose default stays text": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ADD COLUMN status text NOT NULL DEFAULT 'new';\n"
        "ALTER TABLE events ALTER COLUMN status TYPE state USING status::state;\n",
        3,
    ),
    "text to an enum without USING": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ALTER COLUMN code TYPE state;\n",
        2,
    ),
    "an integer default, through text, to boolean": (
        "ALTER TABLE events ADD COLUMN flag int DEFAULT 0;\n"
        "ALTER TABLE events ALTER COLUMN flag TYPE text;\n"
        "ALTER TABLE events ALTER COLUMN flag TYPE boolean USING flag::boolean;\n",
        3,
    ),
    "an enum rebuilt under its old name, the default kept": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ADD COLUMN status state NOT NULL DEFAULT 'new';\n"
        "ALTER TYPE state RENAME TO state_old;\n"
        "CREATE TYPE state AS ENUM ('new', 'done', 'gone');\n"
        "ALTER TABLE events ALTER COLUMN status TYPE state USING status::text::state;\n",
        5,
    ),
    # the forms that run
    "an enum rebuilt under its old name, the default dropped first": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ADD COLUMN status state NOT NULL DEFAULT 'new';\n"
        "ALTER TYPE state RENAME TO state_old;\n"
        "CREATE TYPE state AS ENUM ('new', 'done', 'gone');\n"
        "ALTER TABLE events ALTER COLUMN status DROP DEFAULT;\n"
        "ALTER TABLE events ALTER COLUMN status TYPE state USING status::text::state;\n"
        "ALTER TABLE events ALTER COLUMN status SET DEFAULT 'new';\n"
        "DROP TYPE state_old;\n",
        None,
    ),
    "an enum's default, through text, back to the enum": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ADD COLUMN status state NOT NULL DEFAULT 'new';\n"
        "ALTER TABLE events ALTER COLUMN status TYPE text;\n"
        "ALTER TABLE events ALTER COLUMN status TYPE state USING status::state;\n",
        None,
    ),
    "text to an enum, the default dropped and set again": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ADD COLUMN status text NOT NULL DEFAULT 'new';\n"
        "ALTER TABLE events ALTER COLUMN status DROP DEFAULT,\n"
        "  ALTER COLUMN status TYPE state USING status::state,\n"
        "  ALTER COLUMN status SET DEFAULT 'new';\n",
        None,
    ),
    "text to an enum, its default set as an enum value first": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ADD COLUMN status text DEFAULT 'new';\n"
        "ALTER TABLE events ALTER COLUMN status SET DEFAULT 'new'::state;\n"
        "ALTER TABLE events ALTER COLUMN status SET DATA TYPE state USING status::state;\n",
        None,
    ),
    "text defaulting to now(), to timestamptz": (
        "ALTER TABLE events ADD COLUMN stamp text DEFAULT now();\n"
        "ALTER TABLE events ALTER COLUMN stamp TYPE timestamptz USING stamp::timestamptz;\n",
        None,
    ),
    "an enum to text": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ADD COLUMN status state DEFAULT 'new';\n"
        "ALTER TABLE events ALTER COLUMN status TYPE text;\n",
        None,
    ),
    "DROP DEFAULT in the same statement, written after": (
        "ALTER TABLE events ADD COLUMN flag int DEFAULT 0;\n"
        "ALTER TABLE events ALTER COLUMN flag TYPE boolean USING flag <> 0,\n"
        "  ALTER COLUMN flag DROP DEFAULT;\n",
        None,
    ),
    "the default dropped before": (
        "ALTER TABLE events ADD COLUMN status text DEFAULT 'new';\n"
        "ALTER TABLE events ALTER COLUMN status DROP DEFAULT;\n"
        "ALTER TABLE events ALTER COLUMN status TYPE integer USING 0;\n",
        None,
    ),
    "DEFAULT NULL keeps no default": (
        "ALTER TABLE events ADD COLUMN flag int DEFAULT NULL;\n"
        "ALTER TABLE events ALTER COLUMN flag TYPE boolean USING flag <> 0;\n",
        None,
    ),
    "a default that converts": (
        "ALTER TABLE events ADD COLUMN n int DEFAULT 0;\n"
        "ALTER TABLE events ALTER COLUMN n TYPE bigint USING n + 1;\n",
        None,
    ),
    "USING says how": (
        "ALTER TABLE events ALTER COLUMN code TYPE bigint USING code::bigint;\n",
        None,
    ),
    "numeric to integer, integer to bigint, anything to text": (
        "ALTER TABLE events ALTER COLUMN amount TYPE integer;\n"
        "ALTER TABLE events ALTER COLUMN amount TYPE bigint;\n"
        "ALTER TABLE events ALTER COLUMN ref TYPE text, ALTER COLUMN seen TYPE varchar(5);\n",
        None,
    ),
    "timestamptz to date, and back": (
        "ALTER TABLE events ALTER COLUMN at TYPE date;\n"
        "ALTER TABLE events ALTER COLUMN at TYPE timestamptz;\n",
        None,
    ),
    "a column made anew with another type": (
        "ALTER TABLE events DROP COLUMN code;\nALTER TABLE events ADD COLUMN code int;\n"
        "ALTER TABLE events ALTER COLUMN code TYPE bigint;\n",
        None,
    ),
    "a cast the folder makes on assignment": (
        "CREATE FUNCTION code_number(text) RETURNS bigint LANGUAGE sql IMMUTABLE\n"
        "  AS $$SELECT length($1)$$;\n"
        "CREATE CAST (text AS bigint) WITH FUNCTION code_number(text) AS ASSIGNMENT;\n"
        "ALTER TABLE events ALTER COLUMN code TYPE bigint;\n",
        None,
    ),
    "a cast the folder makes, explicit only": (
        "CREATE FUNCTION code_number(text) RETURNS bigint LANGUAGE sql IMMUTABLE\n"
        "  AS $$SELECT length($1)$$;\n"
        "CREATE CAST (text AS bigint) WITH FUNCTION code_number(text);\n"
        "ALTER TABLE events ALTER COLUMN code TYPE bigint;\n",
        4,
    ),
    "a cast the folder makes for USING": (
        "CREATE CAST (uuid AS bigint) WITH INOUT;\n"
        "ALTER TABLE events ALTER COLUMN ref TYPE bigint USING ref::bigint;\n",
        None,
    ),
    "a domain is not judged": (
        "CREATE DOMAIN positive AS int CHECK (VALUE > 0);\n"
        "ALTER TABLE events ADD COLUMN n positive;\n"
        "ALTER TABLE events ALTER COLUMN n TYPE bigint;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_says_a_type_change_needs_using_exactly_when_the_server_refuses(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    if expected is None:
        assert refused is None
        assert errors == []
    else:
        assert refused in ("42804", "42846")
        [error] = errors
        assert error.kind == "type_cast" and error.object.startswith("column ")
        assert f"({refused})" in error.message
        assert error.line == expected + 1  # after the file's marker line


#: A constant of each type PostgreSQL gives one without being told
CONSTANTS = {"int4": "7", "int8": "3000000000", "numeric": "1.5", "bool": "true"}


def test_a_typed_constant_is_a_columns_default_exactly_when_it_assigns(pg_conn):
    _make_enums(pg_conn)

    def default(kind: str, target: str) -> str:
        return f"CREATE TABLE defaulted (c {_sql(target)} DEFAULT {CONSTANTS[kind]})"

    def judge(kind: str, target: str) -> bool:
        return assigns(kind, target) is not False

    assert _disagreements(pg_conn, judge, default, list(CONSTANTS), TYPES) == []


#: Expressions common in defaults whose type check knows
CALLS = (
    "CURRENT_TIMESTAMP",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "LOCALTIME",
    "LOCALTIMESTAMP(3)",
    "now()",
    "pg_catalog.now()",
    "clock_timestamp()",
    "gen_random_uuid()",
    "random()",
)


def test_a_call_is_a_columns_default_exactly_when_its_type_assigns(pg_conn):
    from migtui.core.grammar import parse_tree
    from migtui.core.objects.script import value_type

    _make_enums(pg_conn)

    def typed(call: str) -> str:
        tree = parse_tree(f"SELECT {call}")["stmts"][0]["stmt"]["SelectStmt"]
        return value_type(tree["targetList"][0]["ResTarget"]["val"])

    assert all(typed(call) for call in CALLS)  # each is known

    def default(call: str, target: str) -> str:
        return f"CREATE TABLE defaulted (c {_sql(target)} DEFAULT {call})"

    def judge(call: str, target: str) -> bool:
        return assigns(typed(call), target) is not False

    assert _disagreements(pg_conn, judge, default, list(CALLS), TYPES) == []


#: (the second migration, the line check names, or None when it runs)
VALUES_GIVEN = {
    "an integer defaulting to CURRENT_TIMESTAMP": (
        'CREATE TABLE c ("id" serial PRIMARY KEY,\n'
        '  "created_at" integer DEFAULT CURRENT_TIMESTAMP NOT NULL);\n',
        (2, "42804"),  # the column's own line
    ),
    "an integer set to default to now()": (
        "ALTER TABLE events ADD COLUMN n int;\nALTER TABLE events ALTER COLUMN n SET DEFAULT now();\n",
        (2, "42804"),
    ),
    "a uuid inserted into a boolean": (
        "INSERT INTO events (id, seen) VALUES (1, gen_random_uuid());\n",
        (1, "42804"),
    ),
    "calls that assign": (
        "ALTER TABLE events ADD COLUMN d date DEFAULT now(), ADD COLUMN t text DEFAULT CURRENT_DATE;\n"
        "INSERT INTO events (id, at, ref, code) VALUES (1, LOCALTIMESTAMP, gen_random_uuid(), now());\n",
        None,
    ),
    "a boolean defaulting to 0": (
        "ALTER TABLE events ADD COLUMN active boolean DEFAULT 0;\n",
        (1, "42804"),
    ),
    "a numeric defaulting to true": (
        "SELECT 1;\nALTER TABLE events ALTER COLUMN amount SET DEFAULT true;\n",
        (2, "42804"),
    ),
    "1 inserted into a boolean": ("INSERT INTO events (id, seen) VALUES (1, 1);\n", (1, "42804")),
    "a boolean set to 1, even in no row": (
        "UPDATE events SET seen = 1 WHERE false;\n",
        (1, "42804"),
    ),
    "an integer defaulting to ''": (
        "ALTER TABLE events ADD COLUMN n int NOT NULL DEFAULT '';\n",
        (1, "22P02"),
    ),
    "'' for a timestamptz, even in no row": (
        "UPDATE events SET at = '' WHERE false;\n",
        (1, "22007"),
    ),
    "'NULL' for an integer": (
        "ALTER TABLE events ADD COLUMN n int DEFAULT 'NULL';\n",
        (1, "22P02"),
    ),
    "a function's name quoted as a uuid's default": (
        "ALTER TABLE events ALTER COLUMN ref SET DEFAULT 'gen_random_uuid()';\n",
        (1, "22P02"),
    ),
    "a smallint past its range, even in no row": (
        "ALTER TABLE events ADD COLUMN s smallint;\nUPDATE events SET s = '40000' WHERE false;\n",
        (2, "22003"),
    ),
    # the forms that run
    "literals each type reads": (
        "ALTER TABLE events ADD COLUMN n int DEFAULT ' 1_000 ', ADD COLUMN b boolean DEFAULT 'N',\n"
        "  ADD COLUMN u uuid DEFAULT '{00000000000000000000000000000001}';\n",
        None,
    ),
    "constants that assign": (
        "ALTER TABLE events ADD COLUMN active boolean DEFAULT false;\n"
        "ALTER TABLE events ALTER COLUMN amount SET DEFAULT 7;\n"
        "INSERT INTO events (id, seen, code, amount) VALUES (1, true, 7, 2.5), (2, false, 8, 3);\n",
        None,
    ),
    "quoted literals are the column's type": (
        "INSERT INTO events (id, seen, code) VALUES (1, '1', '');\n",
        None,
    ),
}


@pytest.mark.parametrize("case", VALUES_GIVEN)
def test_check_says_a_constant_does_not_fit_its_column_exactly_when_the_server_refuses(
    case, verdicts
):
    second, expected = VALUES_GIVEN[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, expected, "value_type")


def test_the_empty_string_is_a_default_exactly_when_casts_says(pg_conn):
    _make_enums(pg_conn)
    wrong = []
    for target in WITH_DEFAULTS:
        state = refusal(pg_conn, f"CREATE TABLE defaulted (c {_sql(target)} DEFAULT '')") or ""
        if state != empty_refused(target):
            wrong.append(f"{_sql(target)}: the server says {state!r}")
    assert wrong == []


def test_serial_is_no_type_to_change_a_column_to(verdicts):
    errors, refused = verdicts(
        "CREATE TABLE logs (id int PRIMARY KEY);\n", "ALTER TABLE logs ALTER id TYPE serial;\n"
    )

    assert refused == "42704"
    [error] = errors
    assert (error.kind, error.line) == ("missing_prerequisite", 2)
    assert "(42704" in error.message
