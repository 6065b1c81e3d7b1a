"""A column a statement names that its table does not have: check's verdict
against the server's.

A table made by a plain CREATE TABLE in the folder has the columns it names,
plus those added, less those dropped, renamed as renamed. Each case is two
migrations: check must report the missing column (an error, at its line)
exactly when PostgreSQL refuses the second one with 42703, and nothing when
the second runs.
"""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, name text);\n"
    "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n"
    "ALTER TABLE users ADD COLUMN born date;\n"
    "ALTER TABLE users RENAME COLUMN name TO full_name;\n"
)

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "a materialized view's WHERE naming a column never made": (
        "CREATE MATERIALIZED VIEW m AS SELECT id FROM users WHERE state = 'x';\n",
        1,
    ),
    "CREATE TABLE AS selecting a column never made": (
        "CREATE TABLE copied AS SELECT id, nickname FROM users;\n",
        1,
    ),
    "a materialized view of columns there, WITH NO DATA": (
        "CREATE MATERIALIZED VIEW m AS SELECT id, full_name FROM users WITH NO DATA;\n",
        None,
    ),
    "ADD COLUMN … CHECK naming a column never made": (
        "ALTER TABLE users ADD COLUMN z text CHECK (nothere IS NULL);\n",
        1,
    ),
    "ADD COLUMN … CHECK naming a column added beside it": (
        "ALTER TABLE users ADD COLUMN lo int CHECK (lo < hi), ADD COLUMN hi int;\n",
        None,
    ),
    "a column's CHECK in CREATE TABLE naming a column never made": (
        "CREATE TABLE k (id int, z text CHECK (nothere IS NULL));\n",
        1,
    ),
    "a column's CHECK in CREATE TABLE naming a column written after it": (
        "CREATE TABLE k (lo int CHECK (lo < hi), hi int);\n",
        None,
    ),
    "ALTER COLUMN of a column never made": (
        "SELECT 1;\nALTER TABLE users ALTER COLUMN nickname SET NOT NULL;\n",
        2,
    ),
    "RENAME of a column never made": ("ALTER TABLE users RENAME COLUMN nick TO handle;\n", 1),
    "an index on a column never made": ("CREATE INDEX ON users (nickname);\n", 1),
    "a policy naming a column never made": (
        "CREATE POLICY own ON orders USING (owner_id = 1);\n",
        1,
    ),
    "the old name after a rename": ("ALTER TABLE users ALTER COLUMN name DROP NOT NULL;\n", 1),
    "a column of a renamed table": (
        "ALTER TABLE users RENAME TO people;\nCREATE INDEX ON people (nickname);\n",
        2,
    ),
    "an INSERT naming a column never made": (
        "INSERT INTO users (id, email, nickname) VALUES (1, 'a', 'b');\n",
        1,
    ),
    "an UPDATE setting a column never made": ("UPDATE users SET nickname = 'x';\n", 1),
    "a column of CREATE TABLE IF NOT EXISTS of a table that stands": (
        "CREATE TABLE IF NOT EXISTS users (id int, nickname text);\n"
        "ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;\n",
        2,
    ),
    "the keys of CREATE TABLE IF NOT EXISTS of a table that stands": (
        "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, note_id int REFERENCES notes);\n"
        "ALTER TABLE orders ADD CONSTRAINT orders_pkey2 UNIQUE (id);\n",
        None,
    ),
    "a column never made, before SQL built at run time": (
        "ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;\n"
        "DO $$ BEGIN EXECUTE 'SELECT 1'; END $$;\n",
        1,
    ),
    "a column SQL built at run time adds earlier in the migration": (
        "DO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN nickname text', 'users'); END $$;\n"
        "CREATE INDEX ON users (nickname);\n",
        None,
    ),
    "a column a routine the migration calls adds": (
        "CREATE FUNCTION add_nickname() RETURNS void LANGUAGE plpgsql AS\n"
        "  $$ BEGIN ALTER TABLE users ADD COLUMN nickname text; END $$;\n"
        "SELECT add_nickname();\nCREATE INDEX ON users (nickname);\n",
        None,
    ),
    "an UPDATE's WHERE naming the old name of a renamed column": (
        "UPDATE users SET full_name = '' WHERE name IS NULL;\n",
        1,
    ),
    "an UPDATE's value naming a column never made": ("UPDATE users SET email = nick || 'x';\n", 1),
    "a DELETE's WHERE naming a column never made": (
        "DELETE FROM users WHERE users.nickname IS NULL;\n",
        1,
    ),
    "an INSERT's SELECT of a column never made": (
        "INSERT INTO orders (id, user_id) SELECT id, nickname FROM users;\n",
        1,
    ),
    "a CHECK on a column never made": (
        "ALTER TABLE users ADD CONSTRAINT handle_set CHECK (handle <> '');\n",
        1,
    ),
    "a DO block's UPDATE naming a column never made with the table's name": (
        "DO $$ BEGIN UPDATE users SET email = 'x' WHERE users.nick = 'y'; END $$;\n",
        1,
    ),
    "data statements that name only the table's columns": (
        "UPDATE users u SET email = lower(u.email), born = DEFAULT WHERE full_name IS NOT NULL\n"
        "  AND u IS NOT NULL AND ctid IS NOT NULL RETURNING id;\n"
        "DELETE FROM users WHERE EXISTS (SELECT 1 FROM orders WHERE user_id = users.id AND id = 0);\n"
        "INSERT INTO orders (id, user_id) SELECT id AS x, id FROM users ORDER BY x;\n"
        "INSERT INTO orders SELECT * FROM orders WHERE false;\n",
        None,
    ),
    "names another table or a PL/pgSQL variable may own": (
        "UPDATE orders SET user_id = users.id FROM users WHERE users.email = 'x';\n"
        "DO $$ DECLARE nickname int := 1; BEGIN UPDATE orders SET user_id = nickname; END $$;\n",
        None,
    ),
    "the name of a table its alias hides": (
        "UPDATE users u SET email = 'x' WHERE users IS NULL;\n",
        1,
    ),
    "a CHECK on a column the same ALTER TABLE adds after it": (
        "ALTER TABLE users ADD CONSTRAINT handle_set CHECK (handle <> ''), ADD COLUMN handle text;\n",
        None,
    ),
    "a COMMENT on a column never made": ("COMMENT ON COLUMN users.nickname IS 'x';\n", 1),
    "a COMMENT on a column under its old name": (
        "COMMENT ON COLUMN public.users.name IS 'x';\n",
        1,
    ),
    "a COMMENT on a column added, and on one renamed": (
        "COMMENT ON COLUMN users.born IS 'x';\nCOMMENT ON COLUMN users.full_name IS 'y';\n",
        None,
    ),
    "a foreign key to a column never made": (
        "CREATE TABLE notes (id int, author text REFERENCES users (handle));\n",
        1,
    ),
    "a foreign key from a column never made": (
        "ALTER TABLE orders ADD FOREIGN KEY (buyer_id) REFERENCES users;\n",
        1,
    ),
    "a unique key on a column never made": (
        "ALTER TABLE users ADD CONSTRAINT users_handle_key UNIQUE (handle);\n",
        1,
    ),
    "an expression index on a column never made": (
        "CREATE INDEX ON users (lower(handle));\n",
        1,
    ),
    "a partial index filtering on a column never made": (
        "CREATE INDEX ON users (email) WHERE deleted_at IS NULL;\n",
        1,
    ),
    # the forms that run
    "data statements naming the table's columns": (
        "INSERT INTO users (id, email, full_name, born) VALUES (1, 'a', 'b', '2000-01-01');\n"
        "UPDATE users SET full_name = upper(full_name) WHERE born IS NOT NULL;\n"
        "DO $$ BEGIN INSERT INTO orders (id, user_id) VALUES (1, 1); END $$;\n"
        "CREATE TABLE notes (id int, author int REFERENCES users (id));\n"
        "CREATE INDEX ON users (lower(email)) WHERE born IS NOT NULL;\n",
        None,
    ),
    "columns made, added and renamed": (
        "ALTER TABLE users ALTER COLUMN born SET NOT NULL;\n"
        "CREATE INDEX ON users (full_name, email);\n"
        "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);\n"
        "CREATE POLICY own ON orders USING (user_id = 1 AND orders.id > 0);\n",
        None,
    ),
    "a subquery's own columns in a policy": (
        "CREATE POLICY mine ON orders USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_id"
        " AND email <> ''));\n",
        None,
    ),
    "a table made LIKE another": (
        "CREATE TABLE users_copy (LIKE users);\nCREATE INDEX ON users_copy (born);\n",
        None,
    ),
    "a child table inherits its columns": (
        "CREATE TABLE admins (level int) INHERITS (users);\nCREATE INDEX ON admins (email);\n",
        None,
    ),
    "a column added by SQL built at run time": (
        "DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD COLUMN nickname text'; END $$;\n"
        "CREATE INDEX ON users (nickname);\n",
        None,
    ),
    "a rename under a column test": (
        "DO $$ BEGIN\n  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE"
        " table_name = 'users' AND column_name = 'nick') AND NOT EXISTS (SELECT 1 FROM"
        " information_schema.columns WHERE table_name = 'users' AND column_name = 'handle')"
        " THEN\n    ALTER TABLE users RENAME COLUMN nick TO handle;\n  END IF;\nEND $$;\n",
        None,
    ),
    "an expression index": ("CREATE INDEX ON users (lower(email));\n", None),
    "a view selecting a column its table lacks": (
        "CREATE VIEW named AS SELECT u.id, u.name FROM users u;\n",
        1,
    ),
    "a view filtering on a column its table lacks": (
        "SELECT 1;\nCREATE VIEW recent AS SELECT id FROM users WHERE created_at > now();\n",
        2,
    ),
    "a column read in a WITH query of a materialized view": (
        "CREATE MATERIALIZED VIEW by_country AS\n"
        "  WITH u AS (SELECT u.id, u.country FROM users u) SELECT count(*) FROM u;\n",
        2,
    ),
    "a column read in a subquery in FROM": (
        "CREATE VIEW v AS SELECT * FROM (SELECT x.id, x.banned FROM users x) s;\n",
        1,
    ),
    "a column of the outer query, read in a correlated subquery": (
        "DELETE FROM orders o\n  WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = o.owner_id);\n",
        2,
    ),
    "a column read in a scalar subquery of an UPDATE": (
        "UPDATE users SET born = (SELECT max(o.placed) FROM orders o WHERE o.user_id = users.id);\n",
        1,
    ),
    "a column of a subquery under INSERT … SELECT": (
        "INSERT INTO orders (id, user_id)\n  SELECT 1, u.id FROM users u WHERE u.id IN (SELECT b.user_id FROM orders b WHERE b.gone);\n",
        2,
    ),
    "a function taking the table's rows, called as a column (t.full_name)": (
        "CREATE FUNCTION display(users) RETURNS text LANGUAGE sql AS 'SELECT $1.email';\n"
        "CREATE VIEW shown AS SELECT u.display FROM users u\n"
        "  WHERE u.id IN (SELECT o.user_id FROM orders o JOIN users w ON w.display = 'x');\n",
        None,
    ),
    "names in subqueries that stand for other things": (
        "WITH u AS (SELECT id AS country FROM users)\n"
        "SELECT u.country, s.total, f.n FROM u, (SELECT 1 AS total) s, generate_series(1, 2) AS f(n)\n"
        "  WHERE EXISTS (SELECT 1 FROM users x WHERE x.full_name = u.country::text)\n"
        "  AND 1 IN (SELECT o.id FROM orders o JOIN users w ON w.id = o.user_id);\n"
        "INSERT INTO users (id, email) SELECT o.id, 'x' FROM orders o\n"
        "  ON CONFLICT (id) DO UPDATE SET email = excluded.email;\n",
        None,
    ),
    "a column a subquery in FROM does not give": (
        "CREATE VIEW totals AS SELECT p.userid, p.n\n"
        "  FROM (SELECT user_id, count(*) AS n FROM orders GROUP BY user_id) p;\n",
        1,
    ),
    "a column a subquery in an UPDATE's FROM does not give": (
        "UPDATE users SET email = s.mail FROM (SELECT id, email FROM users) s\n"
        "  WHERE s.id = users.id;\n",
        1,
    ),
    "a column of a subquery renamed by its alias": (
        "SELECT 1;\nSELECT s.id FROM (SELECT id, email FROM users) AS s(uid, mail);\n",
        2,
    ),
    "a column a WITH query does not give": (
        "CREATE VIEW totals AS WITH p AS (SELECT user_id, count(*) AS n FROM orders\n"
        "  GROUP BY user_id) SELECT p.n, p.userid FROM p;\n",
        2,
    ),
    "a column of a WITH query renamed by its column list": (
        "WITH p(uid) AS (SELECT id FROM users) SELECT q.id FROM p AS q;\n",
        1,
    ),
    "the names WITH queries give": (
        "CREATE VIEW totals AS WITH p(a, b) AS (SELECT user_id, count(*) FROM orders\n"
        "  GROUP BY user_id), s AS (SELECT u.*, 1 AS one FROM users u)\n"
        "  SELECT p.a, q.b, s.email, s.one FROM p JOIN p q ON q.a = p.a, s;\n"
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM t WHERE t.n < 3)\n"
        "  SELECT t.n FROM t;\n",
        None,
    ),
    "the names a subquery in FROM gives": (
        "CREATE VIEW totals AS SELECT p.user_id, p.n, p.count, p.lower, p.coalesce, p.born,\n"
        "  s.a, l.m FROM (SELECT o.user_id, count(*) AS n, count(o.id), lower('X'),\n"
        "  coalesce(o.id, 0), u.born::text FROM orders o JOIN users u ON u.id = o.user_id\n"
        "  GROUP BY o.user_id, o.id, u.born) p\n"
        "  JOIN (SELECT 1, 2 UNION SELECT 3, 4) AS s(a, b) ON s.a = p.user_id\n"
        "  CROSS JOIN LATERAL (SELECT p.n + 1 AS m) l;\n",
        None,
    ),
    "a view of whole rows, system columns and aliases": (
        "CREATE VIEW rows AS SELECT users, ctid, xmin, tableoid, lower(email) AS email_lower,\n"
        "  full_name AS name FROM users WHERE born IS NOT NULL;\n"
        "CREATE VIEW counts AS SELECT lower(email) AS e, count(*) FROM users GROUP BY e;\n",
        None,
    ),
}


def _native(sql: str) -> str:
    return f"-- migrate:up\n{sql}-- migrate:down\nSELECT 1;\n"


@pytest.mark.parametrize("case", CASES)
def test_check_says_a_column_is_missing_exactly_when_the_server_refuses(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    if expected is None:
        assert refused is None
        assert errors == []
    else:
        assert refused == "42703"
        [error] = errors
        assert error.kind == "missing_prerequisite"
        assert (error.object or "column ").startswith("column ")
        assert error.line == expected + 1  # after the file's marker line


def test_a_down_dropping_a_column_from_the_wrong_table(write_migrations, analysis_of, pg_dsn):
    """Seen in a tern history: the up adds a column to one table, the down drops
    it from another, which never had it; the rollback fails with 42703."""
    first = "CREATE TABLE user_config (id int);\nCREATE TABLE server_levels (id int);\n"
    up = "ALTER TABLE user_config ADD COLUMN todo_channel bigint;\n"
    down = "ALTER TABLE server_levels DROP COLUMN todo_channel;\n"
    root = write_migrations(
        {
            "001_first.sql": _native(first),
            "002_todo.sql": f"-- migrate:up\n{up}-- migrate:down\n{down}",
        }
    )
    [error] = [p for p in analysis_of(root).problems if str(p.severity) == "error"]
    assert (error.section, error.line) == ("down", 4)
    assert error.object == "column public.server_levels.todo_channel"

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(first)
        conn.execute(up)
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute(down)
        conn.execute("ALTER TABLE user_config DROP COLUMN todo_channel")  # the right table
