"""A value ``ALTER TYPE … ADD VALUE`` adds cannot be used before the
transaction that added it commits: PostgreSQL refuses (55P04) wherever the
literal is read as a value of that type — cast to it, stored in or compared
with a column of it, a default of it. The same literal stored in a text column
is no use of the type, and runs. Check must say an error exactly when the
server refuses, and where it cannot tell what the literal is read as, at most
a warning.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TYPE mood AS ENUM ('ok');\n"
    "CREATE TABLE t (id int, m mood, note text);\n"
    "INSERT INTO t VALUES (1, 'ok', 'x');\n"
)
ADD = "ALTER TYPE mood ADD VALUE 'sad';\n"

#: (what follows the ADD VALUE in the second migration, the line check names
#: in it — the ADD VALUE is line 1 — or None when the server runs it)
CASES = {
    "stored by UPDATE": ("UPDATE t SET m = 'sad';\n", 2),
    "compared by an added CHECK": ("ALTER TABLE t ADD CONSTRAINT c CHECK (m <> 'sad');\n", 2),
    "compared by an index's predicate": ("CREATE INDEX t_sad ON t (id) WHERE m = 'sad';\n", 2),
    "compared by a view's WHERE": (
        "CREATE VIEW v AS SELECT * FROM t WHERE m IN ('ok', 'sad');\n",
        2,
    ),
    "compared by a policy": ("CREATE POLICY p ON t USING (m = 'sad');\n", 2),
    "stored by UPDATE through an alias": ("UPDATE t AS x SET m = 'sad' WHERE x.id = 1;\n", 2),
    "stored by INSERT": ("INSERT INTO t (id, m) VALUES (2, 'sad');\n", 2),
    "compared in a WHERE": ("UPDATE t SET note = 'y' WHERE m = 'sad';\n", 2),
    "one of an IN list": ("DELETE FROM t WHERE m IN ('ok', 'sad');\n", 2),
    "cast": ("SELECT 'sad'::mood;\n", 2),
    "cast with CAST": ("SELECT 1;\nSELECT CAST('sad' AS public.mood);\n", 3),
    "a column's new default": ("ALTER TABLE t ALTER COLUMN m SET DEFAULT 'sad';\n", 2),
    "a new column's default": ("ALTER TABLE t ADD COLUMN m2 mood DEFAULT 'sad';\n", 2),
    "a new table's default": ("CREATE TABLE u (m mood NOT NULL DEFAULT 'sad');\n", 2),
    "stored by INSERT … SELECT": ("INSERT INTO t (id, m) SELECT 2, 'sad';\n", 2),
    "stored by INSERT without a column list": ("INSERT INTO t VALUES (2, 'sad', 'x');\n", 2),
    "selected without a column list": ("INSERT INTO t SELECT 2, 'sad';\n", 2),
    "set by ON CONFLICT … DO UPDATE": (
        "CREATE UNIQUE INDEX ON t (id);\n"
        "INSERT INTO t (id, m) VALUES (1, 'ok') ON CONFLICT (id) DO UPDATE SET m = 'sad';\n",
        3,
    ),
    "set by MERGE": (
        "MERGE INTO t USING (SELECT 1 AS id) s ON t.id = s.id\n"
        "WHEN MATCHED THEN UPDATE SET m = 'sad';\n",
        2,
    ),
    "inserted by MERGE": (
        "MERGE INTO t USING (SELECT 9 AS id) s ON t.id = s.id\n"
        "WHEN NOT MATCHED THEN INSERT (id, m) VALUES (s.id, 'sad');\n",
        2,
    ),
    "stored through coalesce with the column": ("UPDATE t SET m = coalesce(m, 'sad');\n", 2),
    "compared in one arm of a UNION": (
        "SELECT id FROM t WHERE note = 'x' UNION SELECT id FROM t WHERE m = 'sad';\n",
        2,
    ),
    "added IF NOT EXISTS, new to the type as the folder made it": (
        "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'glad';\nUPDATE t SET m = 'glad';\n",
        3,
    ),
    # the ones that run
    "stored in a text column": ("UPDATE t SET note = 'sad';\n", None),
    "inserted into a text column": ("INSERT INTO t (id, note) VALUES (2, 'sad');\n", None),
    "compared with a text column": ("DELETE FROM t WHERE note = 'sad';\n", None),
    "selected into a text column": ("INSERT INTO t (id, note) SELECT 2, 'sad';\n", None),
    "in a text column's place without a column list": (
        "INSERT INTO t VALUES (2, 'ok', 'sad');\n",
        None,
    ),
    "set in a text column by ON CONFLICT": (
        "CREATE UNIQUE INDEX ON t (id);\n"
        "INSERT INTO t (id, note) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET note = 'sad';\n",
        None,
    ),
    "compared with a text column in a UNION": (
        "SELECT id FROM t WHERE m = 'ok' UNION SELECT id FROM t WHERE note = 'sad';\n",
        None,
    ),
    "added IF NOT EXISTS, and there before": (
        "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';\nUPDATE t SET m = 'ok';\n",
        None,
    ),
    "in a function body": (
        "CREATE FUNCTION f() RETURNS mood LANGUAGE plpgsql AS $$ BEGIN RETURN 'sad'; END $$;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_new_enum_value_used_before_its_commit_is_an_error(case, verdicts):
    use, line = CASES[case]
    errors, refused = verdicts(FIRST, ADD + use)

    assert_same_verdict(errors, refused, (line, "55P04") if line else None, "new_enum_value")


def test_a_literal_check_cannot_place_is_at_most_a_warning(write_migrations, analysis_of):
    """A bare column name in an UPDATE that joins another table may be either
    table's: check cannot tell what the literal is read as, and warns. Named
    with its table, the column is sure, and so is the error."""
    root = write_migrations(
        {
            "001_a.sql": f"-- migrate:up\n{FIRST}",
            "002_b.sql": "-- migrate:up\n"
            + ADD
            + "UPDATE t SET note = u.x FROM (SELECT 1 AS id, 'z' AS x) u WHERE m = 'sad';\n",
            "003_c.sql": "-- migrate:up\n"
            + "ALTER TYPE mood ADD VALUE 'glad';\n"
            + "UPDATE t SET note = u.x FROM (SELECT 1 AS id, 'z' AS x) u WHERE t.m = 'glad';\n",
        }
    )
    said = [
        (p.migration, str(p.severity), p.line)
        for p in analysis_of(root).problems
        if p.kind == "new_enum_value"
    ]
    assert said == [("002", "warning", 3), ("003", "error", 3)]


ENUM = "CREATE TYPE mood AS ENUM ('a', 'b');\n"
NEW = "ALTER TYPE mood ADD VALUE 'x';\n"

#: (first migration, second) that the server runs: no error may be said
RUNS = {
    "the type made in the same transaction": (
        "CREATE TABLE z (id int);\n",
        "CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE t (m mood);\n"
        + NEW
        + "INSERT INTO t (m) VALUES ('x');\nSELECT 'x'::mood;\n",
    ),
    "the type renamed, its name taken by another": (
        ENUM,
        NEW + "ALTER TYPE mood RENAME TO old_mood;\nCREATE TYPE mood AS ENUM ('x');\n"
        "SELECT 'x'::mood;\n",
    ),
    "the type dropped and made again": (
        ENUM,
        NEW + "DROP TYPE mood;\nCREATE TYPE mood AS ENUM ('x');\nSELECT 'x'::mood;\n",
    ),
    "the type moved to another schema": (
        "CREATE SCHEMA app;\n" + ENUM,
        NEW + "ALTER TYPE mood SET SCHEMA app;\nCREATE TYPE mood AS ENUM ('x');\n"
        "SELECT 'x'::mood;\n",
    ),
    "a value of another schema's type of that name": (
        "CREATE SCHEMA app;\nCREATE TYPE app.mood AS ENUM ('a');\n"
        "CREATE TYPE mood AS ENUM ('a', 'x');\n",
        "ALTER TYPE app.mood ADD VALUE 'x';\nSELECT 'x'::mood;\n",
    ),
    "the new value renamed, an old one given its name": (
        ENUM,
        NEW + "ALTER TYPE mood RENAME VALUE 'x' TO 'y';\n"
        "ALTER TYPE mood RENAME VALUE 'a' TO 'x';\nSELECT 'x'::mood;\n",
    ),
    "a subquery's own column of that name": (
        ENUM + "CREATE TABLE t (id int, m mood, s text);\nCREATE TABLE u (id int, m text);\n",
        NEW
        + "SELECT 1 FROM t WHERE EXISTS (SELECT 1 FROM u WHERE m = 'x');\n"
        + "UPDATE t SET m = 'a' WHERE id IN (SELECT id FROM u WHERE m = 'x');\n"
        + "DELETE FROM t WHERE s IN (SELECT m FROM u WHERE m = 'x');\n"
        + "SELECT (SELECT 1 FROM u WHERE m = 'x') FROM t;\n"
        + "INSERT INTO t (m) SELECT 'a' FROM u WHERE m = 'x';\n",
    ),
}


@pytest.mark.parametrize("case", RUNS)
def test_what_the_server_runs_is_no_error(case, verdicts):
    first, second = RUNS[case]
    errors, refused = verdicts(first, second)

    assert refused is None
    assert [e for e in errors if e.kind == "new_enum_value"] == []


def test_a_label_the_type_had_is_no_new_value(verdicts):
    # ADD VALUE of a label there already is refused itself (42710); the label's
    # use after it is no use of a new value
    errors, refused = verdicts(
        "CREATE TYPE state AS ENUM ('on', 'override');\n",
        "ALTER TYPE state ADD VALUE 'override';\n"
        "CREATE TABLE s (x state NOT NULL DEFAULT 'override');\n",
    )
    assert refused == "42710"
    assert [(e.kind, e.line) for e in errors] == [("already_exists", 2)]
