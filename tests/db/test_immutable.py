"""An index's expressions and predicate, and a generated column's expression,
must be IMMUTABLE: PostgreSQL refuses a function or a cast that is not (42P17).
What check knows of it is held to the server: the built-in functions none of
whose forms is IMMUTABLE, every cast between the built-in types it judges, and
whole migrations, where `not_immutable` (an error, at its line) must come
exactly when the server refuses the second one.
"""

from __future__ import annotations

import psycopg
import pytest

from migtui.core.casts import FAMILIES, REG_TYPES, cast_exists, cast_immutable
from migtui.core.objects.immutable import (
    INTERVAL_ARITHMETIC,
    NOT_IMMUTABLE_ARITY,
    NOT_IMMUTABLE_ON,
    SQL_VALUES,
    not_immutable_functions,
)
from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db


def test_the_functions_kept_as_not_immutable_are_the_servers_own(pg_conn):
    found = {
        name
        for (name,) in pg_conn.execute(
            "SELECT proname FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace "
            "AND prokind = 'f' GROUP BY proname HAVING bool_and(provolatile <> 'i')"
        )
    }
    assert not_immutable_functions() - SQL_VALUES == found - SQL_VALUES
    assert {"now", "concat", "to_char", "random", "gen_random_uuid"} <= found


def test_the_forms_kept_as_not_immutable_are_the_servers_own(pg_conn):
    """Functions with IMMUTABLE forms and others: by the number of arguments
    (to_tsvector(body) against to_tsvector('english', body)), or by the type of
    one of them (date_trunc of a timestamptz, of a timestamp)."""
    rows = pg_conn.execute(
        "SELECT proname, pronargs, proargtypes::regtype[]::text[], provolatile FROM pg_proc "
        "WHERE pronamespace = 'pg_catalog'::regnamespace AND prokind = 'f'"
    ).fetchall()
    for name, count in NOT_IMMUTABLE_ARITY:
        forms = [volatile for n, c, _, volatile in rows if (n, c) == (name, count)]
        assert forms and "i" not in forms, (name, count)
    spelled = {"timestamptz": "timestamp with time zone"}
    for (name, count), (place, types) in NOT_IMMUTABLE_ON.items():
        if name == INTERVAL_ARITHMETIC:
            continue  # an operator: below
        forms = {args[place]: volatile for n, c, args, volatile in rows if (n, c) == (name, count)}
        assert {a for a, v in forms.items() if v != "i"} == {spelled[t] for t in types}, name
    # enums and object identifiers are read from the catalog, both ways
    inputs = {
        name: volatile
        for name, volatile in pg_conn.execute(
            "SELECT proname, provolatile FROM pg_proc WHERE proname = ANY(%s)",
            [
                [
                    "enum_in",
                    "enum_out",
                    *(f"{t}in" for t in REG_TYPES),
                    *(f"{t}out" for t in REG_TYPES),
                ]
            ],
        )
    }
    assert len(inputs) == 2 + 2 * len(REG_TYPES) and set(inputs.values()) == {"s"}
    operators = dict(
        pg_conn.execute(
            "SELECT o.oprname || ' ' || o.oprleft::regtype || ' ' || o.oprright::regtype, "
            "p.provolatile FROM pg_operator o JOIN pg_proc p ON p.oid = o.oprcode "
            "WHERE o.oprname IN ('+', '-') AND 'interval'::regtype IN (o.oprleft, o.oprright) "
            "AND 'timestamp with time zone'::regtype IN (o.oprleft, o.oprright, o.oprresult)"
        ).fetchall()
    )
    assert operators == {
        "+ timestamp with time zone interval": "s",
        "- timestamp with time zone interval": "s",
        "+ interval timestamp with time zone": "s",
    }


def test_an_index_casts_a_column_exactly_when_casts_says_the_cast_is_immutable(pg_conn):
    # json has no btree operator class: no index of it at all
    types = [t for t in sorted(FAMILIES) if t not in ("xml", "json")]
    wrong = []
    for source in types:
        pg_conn.execute(f"CREATE TABLE from_{source} (c {source})")
        for target in types:
            if source == target or not cast_exists(source, target):
                continue
            try:
                with pg_conn.transaction():
                    pg_conn.execute(f"CREATE INDEX ON from_{source} ((c::{target}))")
                    raise _Undo
            except _Undo:
                runs = True
            except psycopg.Error as exc:
                assert exc.sqlstate == "42P17", f"{source} to {target}: {exc}"
                runs = False
            if runs != cast_immutable(source, target):
                wrong.append(f"{source} to {target}")
    assert wrong == []


class _Undo(Exception):
    """Rolls a tried statement back once it ran."""


FIRST = (
    "CREATE TABLE events (id int PRIMARY KEY, at timestamptz, day date, name text,\n"
    "  tags text[], starts timestamp);\n"
)

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "a timestamptz cast to date": ("CREATE INDEX events_day ON events ((at::date));\n", 1),
    "now() in a partial index": (
        "SELECT 1;\nCREATE INDEX events_recent ON events (id) WHERE at > now() - interval '1 day';\n",
        2,
    ),
    "CURRENT_DATE in a predicate": (
        "CREATE INDEX events_today ON events (id) WHERE day = CURRENT_DATE;\n",
        1,
    ),
    "concat of two columns": (
        "CREATE UNIQUE INDEX events_key ON events ((concat(name, '-', id)));\n",
        1,
    ),
    "to_char of a timestamp": (
        "CREATE INDEX events_month ON events ((to_char(starts, 'YYYY-MM')));\n",
        1,
    ),
    "a generated column of the clock": (
        "ALTER TABLE events ADD COLUMN seen timestamptz GENERATED ALWAYS AS (now()) STORED;\n",
        1,
    ),
    "a generated column casting a timestamptz": (
        "ALTER TABLE events ADD COLUMN at_text text GENERATED ALWAYS AS (at::text) STORED;\n",
        1,
    ),
    "text cast to date, after a rename": (
        "ALTER TABLE events RENAME COLUMN name TO label;\n"
        "CREATE INDEX events_label ON events ((label::date));\n",
        2,
    ),
    # the forms that run
    "an immutable form of the day": (
        "CREATE INDEX events_day ON events (((at AT TIME ZONE 'UTC')::date));\n",
        None,
    ),
    "lower, coalesce, a timestamp's date": (
        "CREATE INDEX events_name ON events ((lower(coalesce(name, ''))), (starts::date));\n",
        None,
    ),
    "a constant in the predicate": (
        "CREATE INDEX events_new ON events (id) WHERE day > '2024-01-01'::date;\n",
        None,
    ),
    "the folder's own function of the name": (
        "CREATE FUNCTION public.concat(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE\n"
        "  AS 'SELECT a || b';\n"
        "CREATE INDEX events_key ON events ((public.concat(name, 'x')));\n",
        None,
    ),
    "a column made another type first": (
        "ALTER TABLE events ALTER COLUMN at TYPE timestamp;\n"
        "CREATE INDEX events_day ON events ((at::date));\n",
        None,
    ),
    "to_tsvector without a text search configuration": (
        "CREATE INDEX events_text ON events USING gin (to_tsvector(name));\n",
        1,
    ),
    "date_trunc of a timestamptz": (
        "CREATE INDEX events_day ON events (date_trunc('day', at));\n",
        1,
    ),
    "date() of a timestamptz, in a generated column": (
        "ALTER TABLE events ADD COLUMN d date GENERATED ALWAYS AS (date(at)) STORED;\n",
        1,
    ),
    "EXTRACT from a timestamptz": (
        "SELECT 1;\nCREATE INDEX events_year ON events ((extract(year FROM at)));\n",
        2,
    ),
    "a timestamptz plus an interval, in a generated column (seen twice in real files)": (
        "ALTER TABLE events ADD COLUMN expires timestamptz\n"
        "  GENERATED ALWAYS AS (at + INTERVAL '72 hours') STORED;\n",
        1,
    ),
    "a timestamptz minus an interval, made a date": (
        "CREATE INDEX events_day ON events (((at - interval '1 day')::date));\n",
        1,
    ),
    "a timestamp AT TIME ZONE, made a date": (
        "CREATE INDEX events_day ON events (((starts AT TIME ZONE 'UTC')::date));\n",
        1,
    ),
    "a text from ->> made a date": (
        "ALTER TABLE events ADD COLUMN doc jsonb;\n"
        "CREATE INDEX events_due ON events (((doc->>'due')::date));\n",
        2,
    ),
    "intervals on a timestamp, a timestamptz AT TIME ZONE, ->> made a number": (
        "ALTER TABLE events ADD COLUMN doc jsonb;\n"
        "CREATE INDEX events_later ON events ((starts + interval '1 day'),\n"
        "  ((at AT TIME ZONE 'UTC')::date), ((doc->>'n')::int), (at - at));\n",
        None,
    ),
    "an enum made text": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ADD COLUMN status state;\n"
        "CREATE INDEX events_status ON events ((status::text));\n",
        3,
    ),
    "a text column made a text search configuration": (
        "ALTER TABLE events ADD COLUMN lang text;\n"
        "CREATE INDEX events_text ON events USING gin (to_tsvector(lang::regconfig, name));\n",
        2,
    ),
    "an enum compared, a configuration written": (
        "CREATE TYPE state AS ENUM ('new', 'done');\n"
        "ALTER TABLE events ADD COLUMN status state;\n"
        "CREATE INDEX events_status ON events (status, ((status = 'new')));\n"
        "CREATE INDEX events_text ON events USING gin (to_tsvector('english'::regconfig, name));\n",
        None,
    ),
    "the same on a timestamp, in a time zone, with a configuration": (
        "CREATE INDEX events_day ON events (date_trunc('day', starts), (date(starts)),\n"
        "  (extract(year FROM starts)), date_trunc('day', at, 'UTC'), (age(starts, starts)));\n"
        "CREATE INDEX events_text ON events USING gin (to_tsvector('english', name));\n",
        None,
    ),
    "an index on a PL/pgSQL function, volatile by default": (
        "CREATE FUNCTION norm(t text) RETURNS text LANGUAGE plpgsql\n"
        "  AS $$ BEGIN RETURN lower(t); END $$;\n"
        "CREATE INDEX events_norm ON events (norm(name));\n",
        3,
    ),
    "a generated column of a PL/pgSQL function declared STABLE": (
        "CREATE FUNCTION norm(t text) RETURNS text LANGUAGE plpgsql STABLE\n"
        "  AS $$ BEGIN RETURN lower(t); END $$;\n"
        "ALTER TABLE events ADD COLUMN n text GENERATED ALWAYS AS (norm(name)) STORED;\n",
        3,
    ),
    "an IMMUTABLE function replaced by one that is not": (
        "CREATE FUNCTION norm(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE\n"
        "  AS $$ BEGIN RETURN lower(t); END $$;\n"
        "CREATE OR REPLACE FUNCTION norm(t text) RETURNS text LANGUAGE plpgsql\n"
        "  AS $$ BEGIN RETURN upper(t); END $$;\n"
        "CREATE INDEX events_norm ON events (norm(name));\n",
        5,
    ),
    "a SQL function PostgreSQL cannot inline, STABLE, called by its schema": (
        "CREATE SCHEMA app;\n"
        "CREATE FUNCTION app.last_at(bigint) RETURNS text LANGUAGE sql STABLE\n"
        "  AS 'SELECT max(at)::text FROM public.events WHERE id = $1';\n"
        "CREATE INDEX events_last ON events (app.last_at(id));\n",
        4,
    ),
    "SQL functions PostgreSQL inlines, or declared IMMUTABLE": (
        "CREATE FUNCTION plus(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT $1 + 1';\n"
        "CREATE FUNCTION twice(a bigint) RETURNS bigint LANGUAGE sql RETURN a * 2;\n"
        "CREATE FUNCTION named(bigint) RETURNS text LANGUAGE sql IMMUTABLE\n"
        "  AS 'SELECT name FROM public.events WHERE id = $1';\n"
        "CREATE INDEX events_f ON events (plus(id), twice(id), named(id));\n",
        None,
    ),
    "PL/pgSQL declared IMMUTABLE, by ALTER FUNCTION; a SQL function inlined": (
        "CREATE FUNCTION norm(t text) RETURNS text LANGUAGE plpgsql\n"
        "  AS $$ BEGIN RETURN lower(t); END $$;\n"
        "ALTER FUNCTION norm(text) IMMUTABLE;\n"
        "CREATE FUNCTION low(t text) RETURNS text LANGUAGE sql AS 'SELECT lower(t)';\n"
        "CREATE INDEX events_norm ON events (norm(name), low(name));\n",
        None,
    ),
    "a generated column of other columns": (
        "ALTER TABLE events ADD COLUMN upper_name text GENERATED ALWAYS AS (upper(name)) STORED;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_says_an_expression_is_not_immutable_exactly_when_the_server_refuses(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, line, "not_immutable", "42P17")
