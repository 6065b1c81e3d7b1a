"""One statement naming a column twice: a table's columns, a view's, a
materialized view's or a table's made from a query, with the names PostgreSQL
gives unnamed items (``?column?``, a function's name, a column's). The server
refuses it (42701); check must say so at its line, and say nothing of the
forms the server runs.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE t (a text, b int);\n"
    "CREATE TABLE orders (id int, placed date, customer int, created_at timestamptz);\n"
    "CREATE TABLE customers (id int, name text, created_at timestamptz);\n"
    "ALTER TABLE customers DROP COLUMN created_at;\n"
    "CREATE VIEW names AS SELECT id, name FROM customers;\n"
)

#: (the second migration, its line check names and None when the server runs it)
CASES = {
    "a table's two columns": ("SELECT 1;\nCREATE TABLE u (x int, y int, x text);\n", 2),
    "two constants in a view": ("CREATE VIEW v AS SELECT 1, 2;\n", 1),
    "a function called twice": ("CREATE VIEW v AS SELECT lower(a), lower(b::text) FROM t;\n", 1),
    "a column of two tables": ("CREATE VIEW v AS SELECT t.a, u.a FROM t, t u;\n", 1),
    "an alias onto a column's name": ("CREATE VIEW v AS SELECT a, b AS a FROM t;\n", 1),
    "the column list": ("CREATE VIEW v (x, x) AS SELECT a, b FROM t;\n", 1),
    "the column list onto the rest": ("CREATE VIEW v (b) AS SELECT a, b FROM t;\n", 1),
    "a table made from a query": ("CREATE TABLE u AS SELECT a, a FROM t;\n", 1),
    "a materialized view": (
        "CREATE MATERIALIZED VIEW m AS SELECT 1 AS x, 2 AS x WITH NO DATA;\n",
        1,
    ),
    "* over a join of two tables with an id": (
        "CREATE VIEW v AS\n  SELECT * FROM orders o JOIN customers c ON c.id = o.customer;\n",
        1,
    ),
    "* over a list of tables": ("CREATE TABLE u AS SELECT * FROM t, t AS again;\n", 1),
    "t.* of both sides of USING": (
        "CREATE MATERIALIZED VIEW m AS SELECT o.*, c.* FROM orders o JOIN customers c USING (id);\n",
        1,
    ),
    "* and a name it has": ("CREATE VIEW v AS SELECT *, 1 AS placed FROM orders;\n", 1),
    "* over a view and a table": (
        "CREATE VIEW v AS SELECT * FROM names n JOIN orders o ON o.customer = n.id;\n",
        1,
    ),
    "USING merges one name, not another": (
        "CREATE VIEW v AS SELECT * FROM orders JOIN customers USING (id) JOIN t ON true\n"
        "  JOIN names ON names.id = orders.id;\n",
        1,
    ),
    # the forms that run
    "* over a join USING the one shared name": (
        "CREATE VIEW v AS SELECT * FROM orders JOIN customers USING (id);\n",
        None,
    ),
    "* over a join of tables sharing no name": (
        "CREATE VIEW v AS SELECT * FROM t JOIN names ON true;\n",
        None,
    ),
    "a column dropped before the *": (
        "CREATE VIEW v AS SELECT o.created_at, c.* FROM orders o, customers c;\n",
        None,
    ),
    "a union's branches": ("CREATE VIEW v AS SELECT a FROM t UNION SELECT a FROM t;\n", None),
    "renamed apart": ("CREATE VIEW v AS SELECT t.a, u.a AS a2 FROM t, t u;\n", None),
    "a column list that renames": ("CREATE VIEW v (x, y) AS SELECT a, a FROM t;\n", None),
    "a star": ("CREATE VIEW v AS SELECT * FROM t;\n", None),
    "a table that exists, IF NOT EXISTS": ("CREATE TABLE IF NOT EXISTS t (a int, a int);\n", None),
}


@pytest.mark.parametrize("case", CASES)
def test_a_column_named_twice_is_refused(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42701") if line else None, "already_exists")
