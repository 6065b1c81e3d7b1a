"""An enum's labels, followed through ADD VALUE and RENAME VALUE: a default or a
value that is not one of them is refused (22P02, even in an UPDATE of no row),
and so are a label added twice and a rename of a label the enum lacks or to
one it has. Each case is two migrations; check must report its error, at its
line, exactly when the server refuses the second one with that SQLSTATE.
"""

from __future__ import annotations

import psycopg
import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TYPE status AS ENUM ('active', 'inactive');\n"
    "CREATE TABLE users (id int PRIMARY KEY, s status);\n"
)

#: (the second migration, (the line, the SQLSTATE, check's kind), or None when it runs)
CASES = {
    "a default that is no label": (
        "ALTER TABLE users ALTER COLUMN s SET DEFAULT 'ACTIVE';\n",
        (1, "22P02", "value_type"),
    ),
    "a new column's default": (
        "SELECT 1;\nALTER TABLE users ADD COLUMN t status NOT NULL DEFAULT 'new';\n",
        (2, "22P02", "value_type"),
    ),
    "a value it lacks": (
        "INSERT INTO users (id, s) VALUES (1, 'pending');\n",
        (1, "22P02", "value_type"),
    ),
    "the empty string, in an update of no row": (
        "UPDATE users SET s = '' WHERE false;\n",
        (1, "22P02", "value_type"),
    ),
    "a label added again": (
        "ALTER TYPE status ADD VALUE 'active';\n",
        (1, "42710", "already_exists"),
    ),
    "a label it lacks renamed": (
        "ALTER TYPE status RENAME VALUE 'gone' TO 'x';\n",
        (1, "22023", "missing_prerequisite"),
    ),
    "a label renamed to one it has": (
        "ALTER TYPE status RENAME VALUE 'inactive' TO 'active';\n",
        (1, "42710", "already_exists"),
    ),
    "the old name of a renamed label": (
        "ALTER TYPE status RENAME VALUE 'inactive' TO 'off';\n"
        "INSERT INTO users (id, s) VALUES (1, 'inactive');\n",
        (2, "22P02", "value_type"),
    ),
    "a label it lacks cast to it, in a CHECK": (
        "ALTER TABLE users ADD CONSTRAINT not_api CHECK (s <> 'api'::status);\n",
        (1, "22P02", "value_type"),
    ),
    "a label it lacks cast to it, in a view": (
        "SELECT 1;\nCREATE VIEW pending AS SELECT id FROM users WHERE s = 'pending'::status;\n",
        (2, "22P02", "value_type"),
    ),
    "a label it lacks cast to it, in a SQL function's body": (
        "CREATE FUNCTION gone() RETURNS status LANGUAGE sql AS $$ SELECT 'gone'::status $$;\n",
        (1, "22P02", "value_type"),
    ),
    "a label cast to the enum under its new name, after a rename": (
        "ALTER TYPE status RENAME TO state;\nCREATE VIEW v AS SELECT 'paused'::state AS s;\n",
        (2, "22P02", "value_type"),
    ),
    "a data fix comparing with a label it lacks, matching no row": (
        "UPDATE users SET s = 'active' WHERE s = 'pending';\n",
        (1, "22P02", "value_type"),
    ),
    "a DELETE of labels one of which it lacks": (
        "SELECT 1;\nDELETE FROM users u WHERE u.s IN ('inactive', 'banned');\n",
        (2, "22P02", "value_type"),
    ),
    "the old name of a renamed label in a WHERE": (
        "ALTER TYPE status RENAME VALUE 'inactive' TO 'off';\n"
        "UPDATE users SET s = 'active' WHERE s <> 'inactive';\n",
        (2, "22P02", "value_type"),
    ),
    # the forms that run
    "labels compared, the column cast to text, and in a branch never taken": (
        "UPDATE users SET s = 'active' WHERE s = 'inactive' OR s IN ('active');\n"
        "DELETE FROM users WHERE s::text = 'banned';\n"
        "DO $$ BEGIN IF false THEN DELETE FROM users WHERE s = 'banned'; END IF; END $$;\n",
        None,
    ),
    "labels cast to it, and in a branch of a DO block never taken": (
        "CREATE VIEW actives AS SELECT id FROM users WHERE s = 'active'::status;\n"
        "DO $$ BEGIN IF false THEN UPDATE users SET s = 'gone'::status; END IF; END $$;\n"
        "CREATE FUNCTION later() RETURNS status LANGUAGE plpgsql\n"
        "  AS $$ BEGIN RETURN 'gone'::status; END $$;\n",
        None,
    ),
    "labels it has": (
        "ALTER TABLE users ALTER COLUMN s SET DEFAULT 'active';\n"
        "INSERT INTO users (id, s) VALUES (1, 'inactive'), (2, 'active');\n"
        "UPDATE users SET s = 'active' WHERE id = 1;\n",
        None,
    ),
    "a label renamed, then used": (
        "ALTER TYPE status RENAME VALUE 'inactive' TO 'off';\n"
        "INSERT INTO users (id, s) VALUES (1, 'off');\n",
        None,
    ),
    "added with IF NOT EXISTS": ("ALTER TYPE status ADD VALUE IF NOT EXISTS 'active';\n", None),
}


@pytest.mark.parametrize("case", CASES)
def test_check_knows_an_enums_labels_exactly_as_the_server_does(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    line, state, kind = expected or (None, None, "")
    assert_same_verdict(errors, refused, line, kind, state)


def test_each_label_added_again_is_said(write_migrations, analysis_of, pg_conn):
    # every such line is refused on its own: fixing the first meets the second
    root = write_migrations(
        {
            "001_first.sql": f"-- migrate:up\n{FIRST}-- migrate:down\nSELECT 1;\n",
            "002_second.sql": "-- migrate:up\nALTER TYPE status ADD VALUE 'active';\n"
            "ALTER TYPE status ADD VALUE 'inactive';\n-- migrate:down\nSELECT 1;\n",
        }
    )
    errors = [p for p in analysis_of(root).problems if str(p.severity) == "error"]
    assert [(p.kind, p.line) for p in errors] == [("already_exists", 2), ("already_exists", 3)]
    pg_conn.execute(FIRST)
    for label in ("active", "inactive"):
        with pytest.raises(psycopg.errors.DuplicateObject):
            pg_conn.execute(f"ALTER TYPE status ADD VALUE '{label}'")
