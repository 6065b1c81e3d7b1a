"""``INSERT … ON CONFLICT (columns)`` needs a unique index or key of exactly
those columns (or expressions), or PostgreSQL refuses the statement (42P10). Check says so
exactly when the server refuses; each case runs on both."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE usage (user_id int NOT NULL, day date, n bigint);\n"
    "CREATE INDEX usage_user_id_index ON usage (user_id);\n"
    "CREATE TABLE pairs (a int, b int, PRIMARY KEY (b, a));\n"
)

#: (second migration, the line check names, or None when the server runs it)
CASES = {
    "a plain index is no arbiter": (
        "INSERT INTO usage (user_id, n) VALUES (1, 2)\n"
        "  ON CONFLICT (user_id) DO UPDATE SET n = EXCLUDED.n;\n",
        1,
    ),
    "a part of a key is no arbiter": (
        "SELECT 1;\nINSERT INTO pairs VALUES (1, 2) ON CONFLICT (a) DO NOTHING;\n",
        2,
    ),
    "a unique index only partial": (
        "CREATE UNIQUE INDEX usage_day ON usage (user_id, day) WHERE day IS NOT NULL;\n"
        "INSERT INTO usage (user_id, day) VALUES (1, now()) ON CONFLICT (user_id, day) DO NOTHING;\n",
        2,
    ),
    "an expression index, another expression named": (
        "CREATE TABLE people (email text, n int);\n"
        "CREATE UNIQUE INDEX people_email ON people (lower(email));\n"
        "INSERT INTO people VALUES ('a') ON CONFLICT (upper(email)) DO NOTHING;\n",
        3,
    ),
    "an expression index, its column named bare": (
        "CREATE TABLE people (email text);\n"
        "CREATE UNIQUE INDEX people_email ON people (lower(email));\n"
        "INSERT INTO people VALUES ('a') ON CONFLICT (email) DO NOTHING;\n",
        3,
    ),
    # the ones that run
    "an expression index, its expressions named, in any order and spelling": (
        "CREATE TABLE people (email text, n int, k int);\n"
        "CREATE UNIQUE INDEX people_email ON people (lower(email));\n"
        "CREATE UNIQUE INDEX people_pair ON people ((n::text), coalesce(email, ''), (k + 1));\n"
        "INSERT INTO people VALUES ('a') ON CONFLICT ((LOWER(email))) DO NOTHING;\n"
        "INSERT INTO people VALUES ('b') ON CONFLICT (coalesce(email, ''), ((k + 1)),\n"
        "  CAST(n AS text)) DO NOTHING;\n",
        None,
    ),
    "an expression index, its column renamed": (
        "CREATE TABLE people (email text);\n"
        "CREATE UNIQUE INDEX people_email ON people (lower(email));\n"
        "ALTER TABLE people RENAME COLUMN email TO mail;\n"
        "INSERT INTO people VALUES ('a') ON CONFLICT (lower(mail)) DO NOTHING;\n",
        None,
    ),
    "a key of the same columns, in another order": (
        "INSERT INTO pairs VALUES (1, 2) ON CONFLICT (a, b) DO NOTHING;\n",
        None,
    ),
    "a unique index made first": (
        "CREATE UNIQUE INDEX usage_user ON usage (user_id);\n"
        "INSERT INTO usage (user_id, n) VALUES (1, 2)\n"
        "  ON CONFLICT (user_id) DO UPDATE SET n = usage.n + EXCLUDED.n;\n",
        None,
    ),
    "a unique constraint, its column renamed": (
        "ALTER TABLE usage ADD CONSTRAINT usage_one_day UNIQUE (user_id, day);\n"
        "ALTER TABLE usage RENAME COLUMN day TO on_day;\n"
        "INSERT INTO usage (user_id, on_day) VALUES (1, now()) ON CONFLICT (on_day, user_id)\n"
        "  DO NOTHING;\n",
        None,
    ),
    "a partial index inferred by its WHERE": (
        "CREATE UNIQUE INDEX usage_day ON usage (user_id, day) WHERE day IS NOT NULL;\n"
        "INSERT INTO usage (user_id, day) VALUES (1, now())\n"
        "  ON CONFLICT (user_id, day) WHERE day IS NOT NULL DO NOTHING;\n",
        None,
    ),
    "no arbiter named": ("INSERT INTO usage (user_id) VALUES (1) ON CONFLICT DO NOTHING;\n", None),
}


@pytest.mark.parametrize("case", CASES)
def test_check_says_on_conflict_has_no_arbiter_exactly_when_the_server_refuses(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42P10") if line else None, "conflict_target")
