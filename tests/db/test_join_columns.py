"""A statement of several tables (a join, UPDATE … FROM, DELETE … USING, a view
of a join) that names a column with a table's name or alias must name a column
that table has: PostgreSQL refuses otherwise (42703), typically after a rename
in an earlier migration. A bare name may be either table's, and a subquery's
names are its own: those are left alone. Each case runs on the server too; check
must report the missing column at its line exactly when the server refuses.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE a (id int, x int);\nCREATE TABLE b (id int, y int);\n"

#: (the second migration, the line check names in it, or None when it runs)
CASES = {
    "UPDATE … FROM naming the other table's column": (
        "UPDATE a SET x = b.z FROM b WHERE a.id = b.id;\n",
        1,
    ),
    "DELETE … USING": ("SELECT 1;\nDELETE FROM a USING b WHERE b.z = a.id;\n", 2),
    "a join's ON condition": ("SELECT 1 FROM a JOIN b ON b.z = a.id;\n", 1),
    "a join's select list": ("SELECT a.x, b.q FROM a JOIN b ON a.id = b.id;\n", 1),
    "aliases": ("SELECT p.x, q.nope FROM a p, b q;\n", 1),
    "an alias hiding a table's name": ("SELECT a.x FROM b AS a, a AS c;\n", 1),
    "a column renamed earlier in the migration": (
        "ALTER TABLE b RENAME COLUMN y TO w;\nUPDATE a SET x = b.y FROM b WHERE a.id = b.id;\n",
        2,
    ),
    "an INSERT … SELECT of a join": (
        "INSERT INTO a (id) SELECT b.nope FROM b JOIN a ON a.id = b.id;\n",
        1,
    ),
    "a view of a join naming a column its table lacks": (
        "CREATE VIEW v AS SELECT a.id, b.gone FROM a JOIN b USING (id);\n",
        1,
    ),
    # the ones that run
    "UPDATE … FROM as written": ("UPDATE a SET x = b.y FROM b WHERE a.id = b.id;\n", None),
    "a join with USING": ("SELECT b.y FROM a LEFT JOIN b USING (id);\n", None),
    "a subquery in FROM": ("SELECT s.y, a.x FROM a JOIN (SELECT 1 AS y) s ON true;\n", None),
    "a subquery's own names": (
        "SELECT a.x FROM a JOIN b ON a.id = b.id WHERE b.y IN (SELECT c.x FROM a c);\n",
        None,
    ),
    "a table joined to itself": ("SELECT p.x, q.x FROM a p JOIN a q ON p.id = q.id;\n", None),
    "a function in FROM": ("SELECT g.v, a.x FROM a, generate_series(1, 2) AS g(v);\n", None),
    "an alias renaming the columns": ("SELECT q.c FROM a, b AS q(c, d);\n", None),
    "a column added earlier in the migration": (
        "ALTER TABLE b ADD COLUMN z int;\nUPDATE a SET x = b.z FROM b WHERE a.id = b.id;\n",
        None,
    ),
    "a whole row and system columns": (
        "SELECT b, b.ctid, a.xmin FROM a JOIN b ON a.id = b.id;\n",
        None,
    ),
    "a view of a join": (
        "CREATE VIEW w AS SELECT a.id, b.y FROM a JOIN b ON a.id = b.id;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_joined_tables_column_must_be_there(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    if expected is None:
        assert refused is None
        assert errors == []
    else:
        assert refused == "42703"
        [error] = errors
        assert error.kind == "missing_prerequisite" and error.object.startswith("column ")
        assert error.line == expected + 1  # after the file's marker line


VIEW = FIRST + "CREATE VIEW w AS SELECT a.id, b.y AS why FROM a JOIN b ON a.id = b.id;\n"

#: (the second migration, the line check names, or None when it runs): the
#: view keeps the columns it names with their table's name
HELD = {
    "a column the view names dropped": ("ALTER TABLE b DROP COLUMN y;\n", 1),
    "a column the view does not name dropped": ("ALTER TABLE a DROP COLUMN x;\n", None),
    "the view dropped first": ("DROP VIEW w;\nALTER TABLE b DROP COLUMN y;\n", None),
}

BARE = FIRST + (
    "ALTER TABLE a ADD COLUMN z int;\n"
    "CREATE VIEW bare AS SELECT x, y FROM a JOIN b USING (id) WHERE y > 0;\n"
    "CREATE VIEW starred AS SELECT a.*, b.y FROM a JOIN b ON a.id = b.id;\n"
)

#: the same, for columns a view of a join names bare, or with ``a.*``
HELD_BARE = {
    "a bare column dropped": ("DROP VIEW starred;\nALTER TABLE b DROP COLUMN y;\n", 2),
    "a column a.* took dropped": ("DROP VIEW bare;\nALTER TABLE a DROP COLUMN z;\n", 2),
    "a column a.* took, once that view is gone": (
        "DROP VIEW starred;\nALTER TABLE a DROP COLUMN z;\n",
        None,
    ),
    "both views dropped first": (
        "DROP VIEW bare, starred;\nALTER TABLE b DROP COLUMN y;\nALTER TABLE a DROP COLUMN x;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", HELD_BARE)
def test_a_view_of_a_join_holds_the_columns_it_names_bare(case, verdicts):
    second, line = HELD_BARE[case]
    errors, refused = verdicts(BARE, second)

    assert_same_verdict(errors, refused, (line, "2BP01") if line else None, "dependent_objects")


@pytest.mark.parametrize("case", HELD)
def test_a_view_of_a_join_holds_the_columns_it_names(case, verdicts):
    second, line = HELD[case]
    errors, refused = verdicts(VIEW, second)

    assert_same_verdict(errors, refused, (line, "2BP01") if line else None, "dependent_objects")
