"""A CHECK or an index's predicate comparing a column with a quoted constant
(``status <> 'done'``) stores the constant as the column's type. PostgreSQL
refuses a label the column's enum lacks as it reads the CHECK (22P02), and
when the column later gets another type (the enum rebuilt under its old name,
or the column made text), the stored constant keeps the old type: rebuilding
the CHECK or the index finds no operator between the two (42883)."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TYPE mood AS ENUM ('ok', 'bad');\n"
    "CREATE TABLE t (id int, m mood, note text);\n"
    "CREATE TABLE plain (id int, m mood);\n"
)
REBUILD = (
    "ALTER TYPE mood RENAME TO mood_old;\n"
    "CREATE TYPE mood AS ENUM ('ok', 'bad', 'meh');\n"
    "ALTER TABLE t ALTER COLUMN m TYPE mood USING m::text::mood;\n"
)

#: (the second migration, the kind check says, the line and the server's SQLSTATE, or None)
CASES = {
    "a CHECK comparing the enum column, the enum rebuilt": (
        "ALTER TABLE t ADD CONSTRAINT calm CHECK (m <> 'bad');\n" + REBUILD,
        ("type_cast", (4, "42883")),
    ),
    "a partial index on the enum column, the enum rebuilt": (
        "CREATE INDEX t_ok ON t (id) WHERE m = 'ok';\n" + REBUILD,
        ("type_cast", (4, "42883")),
    ),
    "an IN list in a column's own CHECK, the column made text": (
        "ALTER TABLE t ADD COLUMN n mood CHECK (n IN ('ok', 'bad'));\n"
        "ALTER TABLE t ALTER COLUMN n TYPE text;\n",
        ("type_cast", (2, "42883")),
    ),
    "a text column compared in a CHECK, made an enum": (
        "ALTER TABLE t ADD CONSTRAINT noted CHECK (note <> 'x');\n"
        "ALTER TABLE t ALTER COLUMN note TYPE mood USING note::mood;\n",
        ("type_cast", (2, "42883")),
    ),
    "a CHECK with a label the enum lacks": (
        "ALTER TABLE t ADD CONSTRAINT calm CHECK (m <> 'meh');\n",
        ("value_type", (1, "22P02")),
    ),
    "an added column's CHECK comparing another column with a label it lacks": (
        "ALTER TABLE t ADD COLUMN title text\n"
        "  CHECK (CASE WHEN m = 'meh' THEN title IS NOT NULL ELSE true END);\n",
        ("value_type", (2, "22P02")),
    ),
    "a partial index with a label the enum lacks": (
        "CREATE INDEX t_ok ON t (id) WHERE m IN ('ok', 'great');\n",
        ("value_type", (1, "22P02")),
    ),
    "a table's CHECK with a label the enum lacks": (
        "CREATE TABLE u (id int, m mood, CHECK (m = 'ok' OR m = 'fine'));\n",
        ("value_type", (1, "22P02")),
    ),
    "a view's WHERE with a label the enum lacks, in a UNION's branch": (
        "CREATE VIEW calm AS SELECT id FROM t WHERE m = 'ok'\n"
        "UNION SELECT id FROM t x WHERE x.m IN ('bad', 'meh');\n",
        ("value_type", (2, "22P02")),
    ),
    "a policy's USING with a label the enum lacks": (
        "CREATE POLICY calm ON t USING (m = 'meh');\n",
        ("value_type", (1, "22P02")),
    ),
    "a policy altered to check a label the enum lacks": (
        "CREATE POLICY calm ON t FOR INSERT WITH CHECK (t.m <> 'bad');\n"
        "ALTER POLICY calm ON t WITH CHECK (m IN ('ok', 'fine'));\n",
        ("value_type", (2, "22P02")),
    ),
    # the forms that run
    "a policy comparing a label the enum has, and another table's in a subquery": (
        "CREATE POLICY calm ON t USING (m = 'ok' AND id IN (SELECT id FROM plain p"
        " WHERE p.m = 'bad'));\n",
        None,
    ),
    "the CHECK dropped before the rebuild and made again": (
        "ALTER TABLE t ADD CONSTRAINT calm CHECK (m <> 'bad');\n"
        "ALTER TABLE t DROP CONSTRAINT calm;\n"
        + REBUILD
        + "ALTER TABLE t ADD CONSTRAINT calm CHECK (m <> 'bad');\n",
        None,
    ),
    "the partial index dropped in the same migration": (
        "CREATE INDEX t_ok ON t (id) WHERE m = 'ok';\nDROP INDEX t_ok;\n" + REBUILD,
        None,
    ),
    "a CHECK comparing the column as text": (
        "ALTER TABLE t ADD CONSTRAINT calm CHECK (m::text <> 'bad');\n" + REBUILD,
        None,
    ),
    "a CHECK on another table's column of the same name": (
        "ALTER TABLE plain ADD CONSTRAINT calm CHECK (m <> 'bad');\n" + REBUILD,
        None,
    ),
    "a text column compared, made varchar": (
        "ALTER TABLE t ADD CONSTRAINT noted CHECK (note <> 'x');\n"
        "ALTER TABLE t ALTER COLUMN note TYPE varchar(20);\n",
        None,
    ),
    "a column's own CHECK naming a column made after it": (
        "CREATE TABLE u (a int CHECK (b <> 'bad'), b mood);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_compared_constant_keeps_the_columns_type(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_kind_verdict(errors, refused, expected)
