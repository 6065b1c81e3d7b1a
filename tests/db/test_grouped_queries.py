"""A grouped query (GROUP BY, or an aggregate in its select list) may name a
column outside an aggregate only when it is grouped, or its table's primary
key is: PostgreSQL refuses the query otherwise (42803), as it reads it. Each
case runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE t (id int PRIMARY KEY, name text, at timestamptz);\n"
    "CREATE TABLE u (tid int, x int);\n"
)

#: (the second migration, the line check names or None when the server runs it)
CASES = {
    "a parenthesised GROUP BY list, each column grouped": (
        "CREATE VIEW v AS SELECT tid, x, count(*) FROM u GROUP BY (tid, x);\n",
        None,
    ),
    "a parenthesised GROUP BY list without the column": (
        "CREATE VIEW v AS SELECT tid, x, count(*) FROM u GROUP BY (tid, tid);\n",
        1,
    ),
    "a column grouped by another, no key": (
        "CREATE VIEW v AS SELECT x, count(*) FROM u GROUP BY tid;\n",
        1,
    ),
    "a column beside an aggregate, no GROUP BY": (
        "SELECT 1;\nCREATE VIEW v AS SELECT name, count(*) FROM t;\n",
        2,
    ),
    "a column grouped by another, the primary key not among them": (
        "CREATE VIEW v AS SELECT name, at, count(*) FROM t GROUP BY name;\n",
        1,
    ),
    "the other table's column of a join": (
        "CREATE VIEW v AS SELECT t.id, u.x, count(*)\nFROM t JOIN u ON u.tid = t.id GROUP BY t.id;\n",
        1,
    ),
    "inside an expression": (
        "CREATE TABLE s AS SELECT tid, coalesce(x, 0) + 1 AS y, sum(x) FROM u GROUP BY tid;\n",
        1,
    ),
    "in an INSERT's query": (
        "CREATE TABLE w (a int, b int);\nINSERT INTO w SELECT tid, x FROM u GROUP BY tid;\n",
        2,
    ),
    # the ones that run
    "the primary key grouped": (
        "CREATE VIEW v AS SELECT t.id, t.name, t.at, count(u.x)\n"
        "FROM t LEFT JOIN u ON u.tid = t.id GROUP BY t.id;\n",
        None,
    ),
    "the primary key grouped under its new name": (
        "ALTER TABLE t RENAME COLUMN id TO tid;\n"
        "CREATE VIEW v AS SELECT tid, name, count(*) FROM t GROUP BY tid;\n",
        None,
    ),
    "an expression grouped as written": (
        "CREATE VIEW v AS SELECT date_trunc('day', at)::date AS day, lower(name), count(*)\n"
        "FROM t GROUP BY date_trunc('day', at), lower(name);\n",
        None,
    ),
    "by position and by output name": (
        "CREATE VIEW v AS SELECT x AS n, tid, count(*) FROM u GROUP BY 1, tid;\n"
        "CREATE VIEW w AS SELECT upper(name) AS big, count(*) FROM t GROUP BY big;\n",
        None,
    ),
    "a column of a join grouped by its bare name": (
        "CREATE VIEW v AS SELECT t.name, u.x, count(*)\n"
        "FROM t JOIN u ON u.tid = t.id GROUP BY name, x;\n",
        None,
    ),
    "a function of a grouped column": (
        "CREATE VIEW v AS SELECT coalesce(x, 0), count(*) FROM u GROUP BY x;\n",
        None,
    ),
    "a window function, no aggregate": (
        "CREATE VIEW v AS SELECT name, count(*) OVER () FROM t;\n",
        None,
    ),
    "an outer column in a subquery": (
        "CREATE VIEW v AS SELECT id, (SELECT count(*) FROM u WHERE u.tid = t.id) FROM t;\n",
        None,
    ),
    "a grouped column and HAVING": (
        "CREATE VIEW v AS SELECT name FROM t GROUP BY name HAVING count(*) > 1;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_grouped_query_names_grouped_columns(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42803") if line else None, "invalid_definition")


TYPED = (
    "CREATE TABLE k (id uuid PRIMARY KEY, name varchar(20), done bool, n int2, at timestamptz);\n"
)

#: (the second migration, the line check names or None when the server runs it)
AGGREGATED = {
    "min of a uuid, keeping one row of each": (
        "DELETE FROM k WHERE id NOT IN (SELECT min(id) FROM k GROUP BY name);\n",
        1,
    ),
    "max of a boolean": ("SELECT 1;\nCREATE VIEW v AS SELECT max(done) AS done FROM k;\n", 2),
    "sum of a varchar": ("CREATE VIEW v AS SELECT sum(k.name) FROM k AS k;\n", 1),
    "max of a uuid as a window function": (
        "CREATE VIEW v AS SELECT name, max(id) OVER () FROM k;\n",
        1,
    ),
    # the ones that run
    "of the types each takes": (
        "CREATE VIEW v AS SELECT min(name) AS a, max(at) AS b, sum(n) AS c, avg(n) AS d,\n"
        "  min(id::text) AS e, bool_or(done) AS f FROM k;\n",
        None,
    ),
    "an aggregate the folder makes for the type": (
        "CREATE FUNCTION uuid_least(uuid, uuid) RETURNS uuid LANGUAGE sql IMMUTABLE\n"
        "  AS 'SELECT LEAST($1, $2)';\n"
        "CREATE AGGREGATE min(uuid) (SFUNC = uuid_least, STYPE = uuid);\n"
        "CREATE VIEW v AS SELECT min(id) FROM k;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", AGGREGATED)
def test_an_aggregate_takes_the_type_it_is_given(case, verdicts):
    second, line = AGGREGATED[case]
    errors, refused = verdicts(TYPED, second)

    expected = (line, "42883") if line else None
    assert_same_verdict(errors, refused, expected, "missing_prerequisite")
