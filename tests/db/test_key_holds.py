"""A foreign key holds the primary key, unique constraint or unique index it
references: PostgreSQL refuses to drop that key while the foreign key stands
(2BP01), and CASCADE takes the foreign key. Each case runs on the server too;
check must report the refusal at its line exactly when the server refuses.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE, k int);\n"
    "CREATE UNIQUE INDEX p_k ON p (k);\n"
    "CREATE TABLE c (pid int REFERENCES p, code text REFERENCES p (code), k int REFERENCES p (k));\n"
)

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "the primary key": ("ALTER TABLE p DROP CONSTRAINT p_pkey;\n", 1),
    "a unique constraint": ("SELECT 1;\nALTER TABLE p DROP CONSTRAINT p_code_key;\n", 2),
    "a unique index": ("DROP INDEX p_k;\n", 1),
    "the key renamed first": (
        "ALTER TABLE p RENAME CONSTRAINT p_pkey TO p_pk;\nALTER TABLE p DROP CONSTRAINT p_pk;\n",
        2,
    ),
    "replaced in one ALTER TABLE": (
        "ALTER TABLE p DROP CONSTRAINT p_pkey, ADD PRIMARY KEY (id);\n",
        1,
    ),
    "the referenced table renamed first": (
        "ALTER TABLE p RENAME TO q;\nALTER TABLE q DROP CONSTRAINT p_pkey;\n",
        2,
    ),
    "the referencing table renamed first": (
        "ALTER TABLE c RENAME TO d;\nDROP INDEX p_k;\n",
        2,
    ),
    # the drops that run
    "both tables dropped by one statement, the referenced first": ("DROP TABLE p, c;\n", None),
    "both dropped by one statement after a rename": (
        "ALTER TABLE p RENAME TO q;\nDROP TABLE q, c;\n",
        None,
    ),
    "the referenced table renamed, its name taken by another": (
        "ALTER TABLE p RENAME TO q;\nCREATE TABLE p (id int PRIMARY KEY);\n"
        "ALTER TABLE p DROP CONSTRAINT p_pkey1;\n",
        None,
    ),
    "with CASCADE": (
        "ALTER TABLE p DROP CONSTRAINT p_pkey CASCADE;\nDROP INDEX p_k CASCADE;\n",
        None,
    ),
    "the foreign key dropped first": (
        "ALTER TABLE c DROP CONSTRAINT c_pid_fkey;\nALTER TABLE p DROP CONSTRAINT p_pkey;\n",
        None,
    ),
    "the referencing table dropped first": (
        "DROP TABLE c;\nALTER TABLE p DROP CONSTRAINT p_code_key;\n",
        None,
    ),
    "a key no foreign key uses": (
        "ALTER TABLE c DROP CONSTRAINT c_code_fkey;\nALTER TABLE p DROP CONSTRAINT p_code_key;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_key_a_foreign_key_uses_is_refused_its_drop(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "2BP01") if line else None, "dependent_objects")


#: (first migration, second, the line of the second check names or None)
NOT_NULL = {
    "a primary key's column": (
        "CREATE TABLE a (x int PRIMARY KEY);\n",
        "ALTER TABLE a ALTER COLUMN x DROP NOT NULL;\n",
        1,
    ),
    "one of a primary key's columns, renamed": (
        "CREATE TABLE a (x int, y int, PRIMARY KEY (x, y));\n",
        "ALTER TABLE a RENAME COLUMN y TO z;\nALTER TABLE a ALTER COLUMN z DROP NOT NULL;\n",
        2,
    ),
    "an identity": (
        "CREATE TABLE a (x int GENERATED ALWAYS AS IDENTITY);\n",
        "ALTER TABLE a ALTER COLUMN x DROP NOT NULL;\n",
        (1, "42601"),
    ),
    "a key column's not-null constraint dropped by its name": (
        "CREATE TABLE a (x int NOT NULL);\nALTER TABLE a ADD PRIMARY KEY (x);\n",
        "SELECT 1;\nALTER TABLE a DROP CONSTRAINT a_x_not_null;\n",
        2,
    ),
    "an identity's not-null constraint dropped by its name": (
        "CREATE TABLE a (x int GENERATED ALWAYS AS IDENTITY);\n",
        "ALTER TABLE a DROP CONSTRAINT a_x_not_null;\n",
        (1, "55000"),
    ),
    "before the key is dropped, in the same ALTER TABLE": (
        "CREATE TABLE a (x int PRIMARY KEY);\n",
        "ALTER TABLE a ALTER COLUMN x DROP NOT NULL, DROP CONSTRAINT a_pkey;\n",
        1,
    ),
    "a primary key made from a unique index": (
        "CREATE TABLE a (x int NOT NULL);\n"
        "CREATE UNIQUE INDEX a_x ON a (x);\n"
        "ALTER TABLE a ADD PRIMARY KEY USING INDEX a_x;\n",
        "ALTER TABLE a ALTER COLUMN x DROP NOT NULL;\n",
        1,
    ),
    # the ones that run
    "after the key is dropped, in the same ALTER TABLE": (
        "CREATE TABLE a (x int PRIMARY KEY);\n",
        "ALTER TABLE a DROP CONSTRAINT a_pkey, ALTER COLUMN x DROP NOT NULL;\n",
        None,
    ),
    "a unique column, a serial": (
        "CREATE TABLE a (x int NOT NULL UNIQUE, s serial);\n",
        "ALTER TABLE a ALTER COLUMN x DROP NOT NULL;\nALTER TABLE a ALTER COLUMN s DROP NOT NULL;\n",
        None,
    ),
    "a not-null constraint of a column in no key, dropped by its name": (
        "CREATE TABLE a (x int NOT NULL, y int PRIMARY KEY);\n",
        "ALTER TABLE a DROP CONSTRAINT a_x_not_null;\n",
        None,
    ),
    "after the identity is dropped": (
        "CREATE TABLE a (x int GENERATED ALWAYS AS IDENTITY);\n",
        "ALTER TABLE a ALTER COLUMN x DROP IDENTITY;\nALTER TABLE a ALTER COLUMN x DROP NOT NULL;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", NOT_NULL)
def test_a_key_or_identity_column_keeps_not_null(case, verdicts):
    first, second, expected = NOT_NULL[case]
    errors, refused = verdicts(first, second)

    if isinstance(expected, int):
        expected = (expected, "42P16")
    assert_same_verdict(errors, refused, expected, "conflicting_constraint")


def test_a_down_dropping_both_tables_in_one_statement_runs(write_migrations, analysis_of, pg_dsn):
    """``DROP TABLE parent, child`` drops them together: the foreign key holds
    nothing then, in whichever order they are named."""
    import psycopg

    up = "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (pid int REFERENCES p);\n"
    down = "DROP TABLE p, c;\n"
    root = write_migrations({"001_pc.sql": f"-- migrate:up\n{up}-- migrate:down\n{down}"})
    errors = [p for p in analysis_of(root).problems if str(p.severity) == "error"]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(up)
        conn.execute(down)  # runs
    assert errors == []
