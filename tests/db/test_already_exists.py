"""A CREATE of an object that exists by then: check's verdict against the server's.

Each case is two migrations. check must report ``already_exists`` (an error, at
the right line) exactly when PostgreSQL refuses the second migration with the
SQLSTATE the message names, and nothing when the second one runs.
"""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE users (id int PRIMARY KEY, email text);\n"
    "CREATE INDEX users_email_idx ON users (email);\n"
    "CREATE TYPE mood AS ENUM ('calm');\n"
    "CREATE VIEW active_users AS SELECT id FROM users;\n"
    "CREATE SCHEMA reporting;\n"
    "CREATE TABLE codes (id serial, code text, CONSTRAINT codes_code_key UNIQUE (code));\n"
    "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);\n"
    "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
)

#: (the second migration, the line check names and the SQLSTATE, or None when it runs)
CASES = {
    "a column added twice": ("SELECT 1;\nALTER TABLE users ADD COLUMN email text;\n", (2, "42701")),
    "a named index again": ("CREATE INDEX users_email_idx ON users (id);\n", (1, "42P07")),
    "a CHECK named as the table's unique constraint (LedgerSMB)": (
        "ALTER TABLE codes ADD CONSTRAINT codes_code_key CHECK (code <> '');\n",
        (1, "42710"),
    ),
    "a named CHECK added twice": (
        "ALTER TABLE users ADD CONSTRAINT email_set CHECK (email <> '');\n"
        "ALTER TABLE users ADD CONSTRAINT email_set CHECK (email IS NOT NULL);\n",
        (2, "42710"),
    ),
    "a foreign key named as the primary key": (
        "ALTER TABLE codes ADD CONSTRAINT users_pkey FOREIGN KEY (id) REFERENCES users;\n"
        "ALTER TABLE users ADD CONSTRAINT users_pkey FOREIGN KEY (id) REFERENCES users;\n",
        (2, "42710"),
    ),
    "a named CHECK dropped and added again, or under a handler of duplicates": (
        "ALTER TABLE users ADD CONSTRAINT email_set CHECK (email <> '');\n"
        "ALTER TABLE users DROP CONSTRAINT email_set;\n"
        "ALTER TABLE users ADD CONSTRAINT email_set CHECK (email IS NOT NULL);\n"
        "DO $$ BEGIN ALTER TABLE users ADD CONSTRAINT email_set CHECK (true);\n"
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n",
        None,
    ),
    "an index named as the table": ("CREATE INDEX users ON users (id);\n", (1, "42P07")),
    "a table again": ("CREATE TABLE users (id int);\n", (1, "42P07")),
    "a type named as a table's row type": ("CREATE TYPE users AS (x int);\n", (1, "42710")),
    "an enum again": ("CREATE TYPE mood AS ENUM ('sad');\n", (1, "42710")),
    "a view again": ("CREATE VIEW active_users AS SELECT 1 AS id;\n", (1, "42P07")),
    "a schema again": ("CREATE SCHEMA reporting;\n", (1, "42P06")),
    # what every new database has (an old dump's header, a pre-9.0 history)
    "the public schema": ("SELECT 1;\nCREATE SCHEMA public;\n", (2, "42P06")),
    "PL/pgSQL as a language": ("CREATE LANGUAGE plpgsql;\n", (1, "42710")),
    "PL/pgSQL as an extension": ("CREATE EXTENSION plpgsql;\n", (1, "42710")),
    "PL/pgSQL by its handler, as before extensions": (
        "CREATE TRUSTED LANGUAGE plpgsql HANDLER plpgsql_call_handler;\n",
        (1, "42710"),
    ),
    "what every database has, made only where missing": (
        "CREATE SCHEMA IF NOT EXISTS public;\nCREATE EXTENSION IF NOT EXISTS plpgsql;\n"
        "CREATE OR REPLACE LANGUAGE plpgsql;\n"
        "CREATE OR REPLACE LANGUAGE plpgsql HANDLER plpgsql_call_handler;\n",
        None,
    ),
    "the public schema dropped, then made again": (
        "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n",
        None,
    ),
    "made twice in one migration": (
        "CREATE TABLE notes (id int);\nCREATE TABLE notes (id int);\n",
        (2, "42P07"),
    ),
    "a column renamed to one it has": (
        "ALTER TABLE users ADD COLUMN mail text;\nALTER TABLE users RENAME COLUMN mail TO email;\n",
        (2, "42701"),
    ),
    "a table renamed to a view's name": (
        "ALTER TABLE codes RENAME TO active_users;\n",
        (1, "42P07"),
    ),
    "an index renamed to a table's name": (
        "ALTER INDEX users_email_idx RENAME TO codes;\n",
        (1, "42P07"),
    ),
    "a constraint renamed to another's name": (
        "ALTER TABLE codes ADD CONSTRAINT positive CHECK (id > 0);\n"
        "ALTER TABLE codes RENAME CONSTRAINT positive TO codes_code_key;\n",
        (2, "42710"),
    ),
    "an enum renamed to a table's row type": ("ALTER TYPE mood RENAME TO users;\n", (1, "42710")),
    "a key named as an index": (
        "ALTER TABLE codes ADD CONSTRAINT users_email_idx UNIQUE (id);\n",
        (1, "42P07"),
    ),
    "a table made again under its old name, its key named as the old one's": (
        "ALTER TABLE users RENAME TO users_old;\n"
        "CREATE TABLE users (id int, CONSTRAINT users_pkey PRIMARY KEY (id));\n",
        (2, "42P07"),
    ),
    "a key renamed away, then its name given to another table's key": (
        "ALTER TABLE codes RENAME CONSTRAINT codes_code_key TO codes_unique;\n"
        "CREATE TABLE other (id int, CONSTRAINT codes_code_key PRIMARY KEY (id));\n",
        None,
    ),
    "a table made again under its old name, its key's name left to the server": (
        "ALTER TABLE users RENAME TO users_old;\nCREATE TABLE users (id int PRIMARY KEY);\n",
        None,
    ),
    # the forms that run
    "a key renamed, and its index with it": (
        "ALTER TABLE codes RENAME CONSTRAINT codes_code_key TO codes_unique;\n"
        "CREATE INDEX codes_code_key ON codes (id);\n"
        "ALTER TABLE codes DROP CONSTRAINT codes_unique;\n",
        None,
    ),
    "an index renamed, and its key with it": (
        "ALTER INDEX codes_code_key RENAME TO codes_unique;\n"
        "ALTER TABLE codes DROP CONSTRAINT codes_unique;\n"
        "CREATE INDEX codes_code_key ON codes (id);\n",
        None,
    ),
    "names swapped through a third": (
        "ALTER TABLE users RENAME COLUMN email TO old_email;\n"
        "ALTER TABLE users ADD COLUMN email text;\n"
        "ALTER TABLE users RENAME COLUMN old_email TO email_before;\n",
        None,
    ),
    "IF NOT EXISTS": (
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;\n"
        "CREATE TABLE IF NOT EXISTS users (id int);\n"
        "CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);\n"
        "CREATE SCHEMA IF NOT EXISTS reporting;\n",
        None,
    ),
    "OR REPLACE": ("CREATE OR REPLACE VIEW active_users AS SELECT id FROM users;\n", None),
    "an unnamed index gets a free name": ("CREATE INDEX ON users (email);\n", None),
    "caught by the block's handler": (
        "DO $$ BEGIN\n  CREATE TYPE mood AS ENUM ('sad');\n"
        "EXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;\n",
        None,
    ),
    "caught by SQLSTATE": (
        "DO $$ BEGIN\n  CREATE TABLE users (id int);\n"
        "EXCEPTION WHEN SQLSTATE '42P07' THEN NULL;\nEND $$;\n",
        None,
    ),
    "under an existence test": (
        "DO $$ BEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n"
        "    CREATE TYPE mood AS ENUM ('sad');\n  END IF;\nEND $$;\n",
        None,
    ),
    "after a drop": (
        "DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT 1 AS id;\n",
        None,
    ),
    "after a rename": (
        "ALTER TABLE users RENAME TO people;\nCREATE TABLE users (id int);\n"
        "CREATE TYPE mood2 AS ENUM ('x');\nALTER TABLE people RENAME COLUMN email TO mail;\n"
        "ALTER TABLE people ADD COLUMN email text;\n",
        None,
    ),
    "a key's index goes with its constraint": (
        "ALTER TABLE codes DROP CONSTRAINT codes_code_key;\n"
        "CREATE UNIQUE INDEX codes_code_key ON codes (code);\n",
        None,
    ),
    "a serial's sequence goes with its column": (
        "ALTER TABLE codes DROP COLUMN id;\nCREATE SEQUENCE codes_id_seq;\n",
        None,
    ),
    "an enum replaced the way Prisma does it": (
        "ALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('calm', 'sad');\n"
        "DROP TYPE mood_old;\n",
        None,
    ),
    "moved to another schema, renamed index, partition again": (
        "ALTER TABLE users SET SCHEMA reporting;\nCREATE TABLE users (id int);\n"
        "ALTER INDEX reporting.users_email_idx RENAME TO users_email_old;\n"
        "CREATE INDEX users_email_idx ON users (id);\n"
        "ALTER TABLE events DETACH PARTITION events_2024;\nDROP TABLE events_2024;\n"
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') "
        "TO ('2025-01-01');\n",
        None,
    ),
    "an index goes with its column, renamed before": (
        "ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users DROP COLUMN mail;\n"
        "CREATE INDEX users_email_idx ON users (id);\n",
        None,
    ),
    "the row type goes with its renamed table": (
        "ALTER TABLE users RENAME TO people;\nCREATE TYPE users AS (x int);\n",
        None,
    ),
}


def _native(sql: str) -> str:
    return f"-- migrate:up\n{sql}-- migrate:down\nSELECT 1;\n"


@pytest.mark.parametrize("case", CASES)
def test_check_says_already_exists_exactly_when_the_server_refuses(
    case, write_migrations, analysis_of, pg_dsn
):
    second, expected = CASES[case]
    root = write_migrations({"001_first.sql": _native(FIRST), "002_second.sql": _native(second)})
    found = [(p.line, p.message) for p in analysis_of(root).problems if p.kind == "already_exists"]
    errors = [p for p in analysis_of(root).problems if str(p.severity) == "error"]

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(FIRST)
        try:
            with conn.transaction():
                conn.execute(second)
            refused = None
        except psycopg.Error as exc:
            refused = exc.sqlstate

    if expected is None:
        assert refused is None
        assert found == [] and errors == []
    else:
        line, sqlstate = expected
        assert refused == sqlstate
        [(at, message)] = found
        assert at == line + 1  # after the file's marker line
        assert f"({sqlstate})" in message
        assert [p.kind for p in errors] == ["already_exists"]
