"""``rollback --all`` runs every down newest first, each against what the later
ones left. A later down that drops or renames what an older down needs, or
makes a table again without a column it needs, or a later up that dropped or
renamed an object its down does not make again or name back, fails the older
down. Each history runs on the server too: every up in
order, then every down newest first."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.db

#: (up, down) of three migrations, and the migration and down line check names
#: (or None when the whole rollback runs)
CASES = {
    "a partition detached by an up and attached again by its down": (
        [
            ("CREATE SCHEMA es;", "DROP SCHEMA es;"),
            (
                "CREATE TABLE es.events (id int, at date) PARTITION BY RANGE (at);\n"
                "CREATE TABLE es.events_2025 PARTITION OF es.events\n"
                "  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
                "DROP TABLE es.events;",
            ),
            (
                "ALTER TABLE es.events DETACH PARTITION es.events_2025;",
                "ALTER TABLE es.events ATTACH PARTITION es.events_2025\n"
                "  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
            ),
        ],
        None,
    ),
    "a partition detached by an up, left so by its down": (
        [
            ("CREATE SCHEMA es;", "DROP SCHEMA es;"),
            (
                "CREATE TABLE es.events (id int, at date) PARTITION BY RANGE (at);\n"
                "CREATE TABLE es.events_2025 PARTITION OF es.events\n"
                "  FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
                "DROP TABLE es.events;",
            ),
            ("ALTER TABLE es.events DETACH PARTITION es.events_2025;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "two tables dropped together, the referencing one renamed and named back": (
        [
            (
                "CREATE TABLE a (id int PRIMARY KEY);\n"
                "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));",
                "DROP TABLE a, b;",
            ),
            ("ALTER TABLE b RENAME TO b2;", "ALTER TABLE b2 RENAME TO b;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        None,
    ),
    "a table whose rows a function takes, renamed and named back": (
        [
            (
                "CREATE TABLE r (a int);\n"
                "CREATE FUNCTION f(x r) RETURNS int LANGUAGE sql AS 'SELECT 1';",
                "DROP FUNCTION f(r);\nDROP TABLE r;",
            ),
            ("ALTER TABLE r RENAME TO m;", "ALTER TABLE m RENAME TO r;"),
            ("CREATE TYPE mood AS ENUM ('ok');", "DROP TYPE mood;"),
        ],
        None,
    ),
    "an enum a function takes, renamed and named back": (
        [
            (
                "CREATE TYPE mood AS ENUM ('ok');\n"
                "CREATE FUNCTION g(m mood) RETURNS int LANGUAGE sql AS 'SELECT 1';",
                "DROP FUNCTION g(mood);\nDROP TYPE mood;",
            ),
            ("ALTER TYPE mood RENAME TO feeling;", "ALTER TYPE feeling RENAME TO mood;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        None,
    ),
    "a table renamed, a view made under its old name, all undone (a shop's compat view)": (
        [
            (
                "CREATE TABLE products (id int, updated_at timestamptz);",
                "ALTER TABLE products DROP COLUMN updated_at;\nDROP TABLE products;",
            ),
            (
                "ALTER TABLE products RENAME TO catalog_items;",
                "ALTER TABLE catalog_items RENAME TO products;",
            ),
            ("CREATE VIEW products AS SELECT id FROM catalog_items;", "DROP VIEW products;"),
        ],
        None,
    ),
    "a table made again without a column": (
        [
            ("CREATE TABLE t (a int);", "DROP TABLE t;"),
            ("ALTER TABLE t ADD COLUMN b int;", "ALTER TABLE t DROP COLUMN b;"),
            ("DROP TABLE t;", "CREATE TABLE t (a int);"),
        ],
        ("002", 1),
    ),
    "a table a later up dropped, not made again": (
        [
            ("CREATE TABLE t (a int);\nCREATE TABLE u (a int);", "DROP TABLE t;"),
            ("ALTER TABLE u ADD COLUMN b int;", "ALTER TABLE u DROP COLUMN b;\nDROP TABLE u;"),
            ("DROP TABLE u;", "SELECT 1;"),
        ],
        ("002", 1),
    ),
    "a table a later down dropped too": (
        [
            ("CREATE TABLE t (a int);", "DROP TABLE t;"),
            ("ALTER TABLE t ADD b int;", "DROP TABLE t;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "an index a later down dropped": (
        [
            ("CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);", "DROP INDEX i;\nDROP TABLE t;"),
            ("SELECT 1;", "DROP INDEX i;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "a column a later down dropped": (
        [
            (
                "CREATE TABLE users (id int);\nALTER TABLE users ADD password text;",
                "ALTER TABLE users DROP COLUMN password;\nDROP TABLE users;",
            ),
            (
                "ALTER TABLE users ADD COLUMN phone text;",
                "ALTER TABLE users DROP COLUMN phone, DROP COLUMN password;",
            ),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "a table a later down renamed": (
        [
            ("CREATE TABLE t (a int);", "DROP TABLE t;"),
            ("SELECT 1;", "ALTER TABLE t RENAME TO t_old;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "a type a later down renamed": (
        [
            ("CREATE TYPE e AS ENUM ('a');", "DROP TYPE e;"),
            ("SELECT 1;", "ALTER TYPE e RENAME TO e_old;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "a function a later down renamed": (
        [
            ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';", "DROP FUNCTION f();"),
            ("SELECT 1;", "ALTER FUNCTION f() RENAME TO f_old;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "a column a later up dropped, not added again": (
        [
            ("CREATE TABLE t (a int, b int);", "ALTER TABLE t DROP COLUMN b;\nDROP TABLE t;"),
            ("ALTER TABLE t DROP COLUMN b;", "SELECT 1;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "a column a later up renamed": (
        [
            ("CREATE TABLE e (id int, parent text);", "ALTER TABLE e DROP COLUMN parent;"),
            ("ALTER TABLE e RENAME COLUMN parent TO parent_id;", "SELECT 1;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "an index and a type a later up renamed": (
        [
            (
                "CREATE TABLE e (id int);\nCREATE INDEX e_i ON e (id);\nCREATE TYPE t AS ENUM ('a');",
                "DROP INDEX e_i;\nDROP TYPE t;\nDROP TABLE e;",
            ),
            ("ALTER INDEX e_i RENAME TO e_j;\nALTER TYPE t RENAME TO t2;", "SELECT 1;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "a table a later up moved to another schema": (
        [
            ("CREATE SCHEMA s;\nCREATE TABLE e (id int);", "DROP TABLE e;\nDROP SCHEMA s;"),
            ("ALTER TABLE e SET SCHEMA s;", "SELECT 1;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "a foreign key a later up's CASCADE took": (
        [
            (
                "CREATE TABLE a (id int PRIMARY KEY);\n"
                "CREATE TABLE b (id int, aid int CONSTRAINT b_fk REFERENCES a);",
                "ALTER TABLE b DROP CONSTRAINT b_fk;\nDROP TABLE b;\nDROP TABLE IF EXISTS a;",
            ),
            ("DROP TABLE a CASCADE;", "SELECT 1;"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("001", 1),
    ),
    "a later up renaming, its down naming it back": (
        [
            ("CREATE TABLE e (id int, parent text);", "ALTER TABLE e DROP COLUMN parent;"),
            (
                "ALTER TABLE e RENAME COLUMN parent TO parent_id;",
                "ALTER TABLE e RENAME COLUMN parent_id TO parent;",
            ),
            ("SELECT 1;", "SELECT 1;"),
        ],
        None,
    ),
    "a foreign key a later down made, gone with its column": (
        [
            (
                "CREATE TABLE docs (id int);\nCREATE TABLE cur (id int PRIMARY KEY);\n"
                "ALTER TABLE docs ADD COLUMN cur_id int REFERENCES cur (id);",
                "ALTER TABLE docs DROP COLUMN IF EXISTS cur_id;\nDROP TABLE IF EXISTS cur;",
            ),
            (
                "ALTER TABLE docs DROP COLUMN IF EXISTS cur_id;\nDROP TABLE IF EXISTS cur;",
                "CREATE TABLE IF NOT EXISTS cur (id int PRIMARY KEY);\n"
                "ALTER TABLE docs ADD COLUMN IF NOT EXISTS cur_id int REFERENCES cur (id);",
            ),
            ("SELECT 1;", "SELECT 1;"),
        ],
        None,
    ),
    "a primary key dropped and added again in a down": (
        [
            ("CREATE TABLE ci (a text PRIMARY KEY, b text);", "DROP TABLE ci;"),
            (
                "SELECT 1;",
                "ALTER TABLE ci DROP CONSTRAINT ci_pkey;\n"
                "ALTER TABLE ci ADD CONSTRAINT ci_pkey PRIMARY KEY (a);",
            ),
            ("SELECT 1;", "SELECT 1;"),
        ],
        None,
    ),
    "a view rebuilt without the column a down then drops": (
        [
            ("CREATE TABLE t (a int, c int);", "DROP VIEW IF EXISTS v;\nDROP TABLE t;"),
            (
                "CREATE VIEW v AS SELECT a, c FROM t;",
                "DROP VIEW v;\nCREATE VIEW v AS SELECT a FROM t;\nALTER TABLE t DROP COLUMN c;",
            ),
            ("SELECT 1;", "SELECT 1;"),
        ],
        None,
    ),
    "a view rebuilt with the column a down then drops": (
        [
            ("CREATE TABLE t (a int, c int);", "DROP VIEW IF EXISTS v;\nDROP TABLE t;"),
            (
                "CREATE VIEW v AS SELECT a, c FROM t;",
                "CREATE OR REPLACE VIEW v AS SELECT a, c, 1 AS d FROM t;\n"
                "ALTER TABLE t DROP COLUMN c;",
            ),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("002", 2),
    ),
    "a foreign key made again on a new table": (
        [
            (
                "CREATE TABLE p (id int PRIMARY KEY);\n"
                "CREATE TABLE c (pid int, CONSTRAINT c_fk FOREIGN KEY (pid) REFERENCES p (id));",
                "DROP TABLE c;\nDROP TABLE p;",
            ),
            (
                "SELECT 1;",
                "ALTER TABLE c DROP CONSTRAINT c_fk;\nALTER TABLE c RENAME TO tmp_c;\n"
                "ALTER TABLE p RENAME TO tmp_p;\nCREATE TABLE p (id int PRIMARY KEY);\n"
                "CREATE TABLE c (pid int, CONSTRAINT c_fk FOREIGN KEY (pid) REFERENCES p (id));\n"
                "DROP TABLE tmp_p;\nDROP TABLE tmp_c;",
            ),
            ("SELECT 1;", "SELECT 1;"),
        ],
        None,
    ),
    "a foreign key a down adds, holding the table it then drops": (
        [
            ("CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (pid int);", "DROP TABLE c;"),
            (
                "SELECT 1;",
                "ALTER TABLE c ADD CONSTRAINT c_fk FOREIGN KEY (pid) REFERENCES p (id);\n"
                "DROP TABLE p;",
            ),
            ("SELECT 1;", "SELECT 1;"),
        ],
        ("002", 2),
    ),
    "an index a down made again on another column": (
        [
            (
                "CREATE TABLE t (a int);\nCREATE INDEX ix ON t (a);\nALTER TABLE t ADD COLUMN c int;",
                "ALTER TABLE t DROP COLUMN c;\nDROP INDEX ix;\nDROP TABLE t;",
            ),
            ("DROP INDEX ix;", "CREATE INDEX ix ON t (a);"),
            ("CREATE INDEX ix ON t (c);", "DROP INDEX ix;"),
        ],
        None,
    ),
    "two downs adding the same column back": (
        [
            ("CREATE TABLE m (id int);", "DROP TABLE m;"),
            ("SELECT 1;", "ALTER TABLE m ADD COLUMN x int;"),
            ("SELECT 1;", "ALTER TABLE m ADD COLUMN x int;"),
        ],
        ("002", 1),
    ),
    "a later down dropping and making again": (
        [
            ("CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);", "DROP INDEX i;\nDROP TABLE t;"),
            ("SELECT 1;", "DROP TABLE t;\nCREATE TABLE t (a int);\nCREATE INDEX i ON t (a);"),
            ("SELECT 1;", "SELECT 1;"),
        ],
        None,
    ),
    "older downs that say IF EXISTS": (
        [
            ("CREATE TABLE t (a int, b int);", "DROP TABLE IF EXISTS t;"),
            ("SELECT 1;", "ALTER TABLE t DROP COLUMN IF EXISTS b;\nDROP TABLE t;"),
            ("SELECT 1;", "ALTER TABLE t DROP COLUMN b;"),
        ],
        None,
    ),
    "an index a later down's DROP TABLE took": (
        [
            ("CREATE TABLE t (a int);", "DROP TABLE IF EXISTS t;"),
            ("CREATE INDEX t_a ON t (a);", "DROP INDEX t_a;"),
            ("SELECT 1;", "DROP TABLE IF EXISTS t CASCADE;"),
        ],
        ("002", 1),
    ),
    "an index a later down's DROP COLUMN took": (
        [
            ("CREATE TABLE t (a int, b int);", "DROP TABLE t;"),
            ("CREATE INDEX t_a ON t (a);", "DROP INDEX t_a;"),
            ("SELECT 1;", "ALTER TABLE t DROP COLUMN a;"),
        ],
        ("002", 1),
    ),
    "a view a later down's DROP TABLE … CASCADE took": (
        [
            ("CREATE TABLE t (a int);", "SELECT 1;"),
            ("CREATE VIEW v AS SELECT a FROM t;", "DROP VIEW v;"),
            ("SELECT 1;", "DROP TABLE t CASCADE;"),
        ],
        ("002", 1),
    ),
    "each down undoing its up": (
        [
            ("CREATE TABLE t (a int);", "DROP TABLE t;"),
            ("ALTER TABLE t ADD COLUMN b int;", "ALTER TABLE t DROP COLUMN b;"),
            ("DROP TABLE t;", "CREATE TABLE t (a int, b int);"),
        ],
        None,
    ),
}


def _native(steps: list[tuple[str, str]]) -> dict[str, str]:
    """Native migrations 001, 002 … of (up, down) pairs."""
    return {
        f"00{i}_step.sql": f"-- migrate:up\n{up}\n-- migrate:down\n{down}\n"
        for i, (up, down) in enumerate(steps, start=1)
    }


def _first_down_refused(dsn: str, steps: list[tuple[str, str]]) -> str | None:
    """Every up in order, then every down newest first on the server: the
    version whose down it refuses first (None when the rollback runs)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for up, _ in steps:
            conn.execute(up)
        for i, (_, down) in reversed(list(enumerate(steps, start=1))):
            try:
                with conn.transaction():
                    conn.execute(down)
            except psycopg.Error:
                return f"00{i}"
    return None


@pytest.mark.parametrize("case", CASES)
def test_rollback_all_fails_where_the_server_fails(case, write_migrations, analysis_of, pg_dsn):
    steps, expected = CASES[case]
    root = write_migrations(_native(steps))
    errors = [
        (p.migration, p.line)
        for p in analysis_of(root).problems
        if str(p.severity) == "error" and p.section == "down"
    ]
    failed = _first_down_refused(pg_dsn, steps)

    if expected is None:
        assert (failed, errors) == (None, [])
        return
    migration, line = expected
    assert failed == migration
    ups = steps[int(migration) - 1][0].count("\n") + 1
    # the first error is where the server stops (the lines after it fail too)
    assert errors[0] == (migration, ups + 2 + line)  # after the up and the two markers
    assert {m for m, _ in errors} == {migration}


def test_a_drop_past_a_down_of_sql_built_at_run_time_is_still_said(
    write_migrations, analysis_of, pg_dsn
):
    # the rollback goes on through a down that runs EXECUTE: a drop what
    # depends on it refuses is a warning then (the SQL might have removed it)
    steps = [
        ("CREATE TABLE users (id int PRIMARY KEY);", "DROP TABLE users;"),
        (
            "CREATE TABLE runs (user_id int REFERENCES users);",
            "DO $$ DECLARE s text := 'public';"
            " BEGIN EXECUTE format('DROP TABLE IF EXISTS %I.other', s); END $$;",
        ),
    ]
    root = write_migrations(_native(steps))
    [problem] = [p for p in analysis_of(root).problems if p.section == "down"]
    assert (problem.kind, str(problem.severity), problem.migration) == (
        "dependent_objects",
        "warning",
        "001",
    )
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        for up, _ in steps:
            conn.execute(up)
        conn.execute(steps[1][1])
        with pytest.raises(psycopg.errors.DependentObjectsStillExist):
            conn.execute(steps[0][1])


def test_past_a_down_refused_for_what_it_meets_the_older_downs_are_still_judged(
    write_migrations, analysis_of, pg_dsn
):
    # 004's down is refused (a column still has the type); once it is fixed, 002's
    # down fails too, on the table 003's up dropped: both are said at once
    steps = [
        ("CREATE TABLE t (a int);", "DROP TABLE IF EXISTS t;"),
        ("ALTER TABLE t ADD COLUMN b int;", "ALTER TABLE t DROP COLUMN IF EXISTS b;"),
        ("DROP TABLE IF EXISTS t;", "DROP TABLE IF EXISTS t;"),
        ("CREATE TYPE e AS ENUM ('a');\nCREATE TABLE u (x e);", "DROP TYPE e;"),
    ]
    root = write_migrations(_native(steps))
    errors = sorted(
        (p.migration, p.kind)
        for p in analysis_of(root).problems
        if str(p.severity) == "error" and p.section == "down"
    )
    assert errors == [("002", "missing_prerequisite"), ("004", "dependent_objects")]
    fixed = [(up, down.replace("DROP TYPE e;", "DROP TYPE e CASCADE;")) for up, down in steps]
    assert _first_down_refused(pg_dsn, fixed) == "002"  # 004's fixed: where check said


def test_an_up_refused_for_what_it_meets_hides_no_rollback_failure(
    write_migrations, analysis_of, pg_dsn
):
    """rfcbot's shape: a later down makes a table again without two columns an
    older down drops. An unrelated up refused (a table the folder never made)
    is fixed first, and then the rollback still fails there: both are said."""
    steps = [
        ("CREATE TABLE build (id serial PRIMARY KEY, builder_name text);", "DROP TABLE build;"),
        (
            "ALTER TABLE build RENAME COLUMN builder_name TO builder_env;\n"
            "ALTER TABLE build ADD COLUMN builder_name text, ADD COLUMN builder_os text;",
            "ALTER TABLE build DROP COLUMN builder_name, DROP COLUMN builder_os;\n"
            "ALTER TABLE build RENAME COLUMN builder_env TO builder_name;",
        ),
        (
            "DROP TABLE build;",
            "CREATE TABLE build (id serial PRIMARY KEY, builder_name text, os text);",
        ),
        ("ALTER TABLE nosuch ADD COLUMN x int;", "SELECT 1;"),
    ]
    root = write_migrations(_native(steps))
    errors = {(p.migration, p.section) for p in analysis_of(root).errors}
    assert errors == {("004", "up"), ("002", "down")}
    fixed = [*steps[:3], ("CREATE TABLE nosuch (id int);", "DROP TABLE nosuch;")]
    assert _first_down_refused(pg_dsn, fixed) == "002"


def test_goose_passes_a_migration_without_down_and_the_older_downs_are_judged(
    write_migrations, analysis_of, pg_dsn
):
    """goose rolls back a migration with no Down by doing nothing (migtui does
    when forced): the chain goes on past it. Here the newest down makes the
    table again with the foreign key's default name, and the oldest-but-one
    down drops the name its up gave: refused on the server (42704)."""
    steps = [
        (
            "CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (pid int REFERENCES p (id));",
            "DROP TABLE c;\nDROP TABLE p;",
        ),
        (
            "ALTER TABLE c DROP CONSTRAINT c_pid_fkey;\n"
            "ALTER TABLE c ADD CONSTRAINT c_pid_fkey_cascades FOREIGN KEY (pid) REFERENCES p (id);",
            "ALTER TABLE c DROP CONSTRAINT c_pid_fkey_cascades;\n"
            "ALTER TABLE c ADD CONSTRAINT c_pid_fkey FOREIGN KEY (pid) REFERENCES p (id);",
        ),
        ("CREATE INDEX p_idx ON p (id);", None),
        ("DROP TABLE c;", "CREATE TABLE c (pid int REFERENCES p (id) ON DELETE CASCADE);"),
    ]
    files = {}
    for i, (up, down) in enumerate(steps, start=1):
        text = f"-- +goose Up\n{up}\n"
        files[f"0000{i}_step.sql"] = text + (f"-- +goose Down\n{down}\n" if down else "")
    root = write_migrations(files)
    analysis = analysis_of(root)
    assert analysis.layout == "goose"
    errors = [
        (p.migration, p.line)
        for p in analysis.problems
        if str(p.severity) == "error" and p.section == "down"
    ]
    assert errors[0] == ("00002", 5)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS c; DROP TABLE IF EXISTS p")
        for up, _ in steps:
            conn.execute(up)
        for _, down in reversed(steps):
            if down is None:
                continue  # goose: nothing to run
            if "DROP CONSTRAINT c_pid_fkey_cascades" in down:
                with pytest.raises(psycopg.errors.UndefinedObject), conn.transaction():
                    conn.execute(down)
                break
            conn.execute(down)
        conn.execute("DROP TABLE IF EXISTS c; DROP TABLE IF EXISTS p")
