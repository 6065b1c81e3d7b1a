"""SET NOT NULL (or a primary key) on a column ADD COLUMN gave no value: every
row the table had then holds a null, and PostgreSQL refuses (23502) unless
something set the column first. The table has a row here, as a staging table
does; check must warn (``required_column``) exactly when the server refuses.
"""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE t (id int);\nINSERT INTO t (id) VALUES (1);\n"

#: (the second migration, the third, the line of the warning in the migration
#: it names — 2 or 3 — or None when the server runs both)
CASES = {
    "added, then NOT NULL": (
        "ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        "",
        (2, 2),
    ),
    "added, NOT NULL a migration later": (
        "ALTER TABLE t ADD COLUMN c int;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        (3, 1),
    ),
    "a default set, which fills no row": (
        "ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ALTER COLUMN c SET DEFAULT 0;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        (3, 1),
    ),
    "renamed on the way": (
        "ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t RENAME COLUMN c TO d;\n",
        "ALTER TABLE t ADD PRIMARY KEY (d);\n",
        (3, 1),
    ),
    "set to NULL by an UPDATE, which fills nothing": (
        "ALTER TABLE t ADD COLUMN c int, ADD COLUMN d int;\nUPDATE t SET c = NULL, d = 1;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        (3, 1),
    ),
    # the ones that run
    "the other column of that UPDATE": (
        "ALTER TABLE t ADD COLUMN c int, ADD COLUMN d int;\nUPDATE t SET c = NULL, d = 1;\n",
        "ALTER TABLE t ALTER COLUMN d SET NOT NULL;\n",
        None,
    ),
    "filled by an UPDATE": (
        "ALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = id WHERE c IS NULL;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        None,
    ),
    "filled in a DO block": (
        "ALTER TABLE t ADD COLUMN c int;\nDO $$ BEGIN UPDATE t SET c = 0; END $$;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        None,
    ),
    "the table emptied first": (
        "ALTER TABLE t ADD COLUMN c int;\nTRUNCATE t;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        None,
    ),
    "the rows with no value deleted": (
        "ALTER TABLE t ADD COLUMN c int;\nDELETE FROM t WHERE c IS NULL;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        None,
    ),
    "filled by MERGE": (
        "ALTER TABLE t ADD COLUMN c int;\n"
        "MERGE INTO t USING (SELECT 1) s ON true WHEN MATCHED THEN UPDATE SET c = 0;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        None,
    ),
    "dropped, and another renamed to its name": (
        "ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t DROP COLUMN c;\n"
        "ALTER TABLE t ADD COLUMN d int DEFAULT 0;\nALTER TABLE t RENAME COLUMN d TO c;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        None,
    ),
    "added with a default": (
        "ALTER TABLE t ADD COLUMN c int DEFAULT 0;\n",
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n",
        None,
    ),
    "a column of a table made in the migration": (
        "CREATE TABLE u (id int);\nALTER TABLE u ADD COLUMN c int;\n"
        "ALTER TABLE u ALTER COLUMN c SET NOT NULL;\n",
        "",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_not_null_on_a_column_never_filled_is_warned_of(
    case, write_migrations, analysis_of, pg_dsn
):
    second, third, expected = CASES[case]

    def native(sql: str) -> str:
        return f"-- migrate:up\n{sql}-- migrate:down\nSELECT 1;\n"

    root = write_migrations(
        {
            "001_a.sql": native(FIRST),
            "002_b.sql": native(second),
            "003_c.sql": native(third or "SELECT 1;\n"),
        }
    )
    warned = [
        (int(p.migration), p.line - 1)
        for p in analysis_of(root).problems
        if p.kind == "required_column"
    ]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        refused = None
        try:
            with conn.transaction():
                for sql in (FIRST, second, third):
                    if sql:
                        conn.execute(sql)
        except psycopg.Error as exc:
            refused = exc.sqlstate

    assert refused == ("23502" if expected else None)
    assert warned == ([expected] if expected else [])
