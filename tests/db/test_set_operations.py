"""The branches of a UNION, INTERSECT or EXCEPT must give as many columns
each: PostgreSQL refuses the statement otherwise (42601), where it reads the
query (a view, a SQL function's body at creation, a DO block as it runs, a
data fix). Each case runs on the server too.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE a (id int, x text);\nCREATE TABLE b (id int, y text, z int);\n"

#: (the second migration, the line check names, or None when the server runs it)
CASES = {
    "a branch with a WITH query of its own, in parentheses": (
        "CREATE VIEW v AS (SELECT id FROM a)\n"
        "  UNION (WITH k AS (SELECT id FROM b) SELECT id FROM k);\n",
        None,
    ),
    "a view": ("CREATE VIEW v AS SELECT id, x FROM a UNION ALL SELECT id FROM b;\n", 1),
    "a third branch": (
        "CREATE VIEW v AS SELECT id FROM a\n  UNION SELECT id FROM b\n  EXCEPT SELECT id, y FROM b;\n",
        3,
    ),
    "a SQL function's body": (
        "SELECT 1;\nCREATE FUNCTION f() RETURNS SETOF int LANGUAGE sql AS\n"
        "  $$ SELECT id, x FROM a INTERSECT SELECT id FROM b $$;\n",
        2,
    ),
    "a DO block": (
        "DO $$ BEGIN\n  IF EXISTS (SELECT id, x FROM a UNION SELECT id FROM b) THEN\n"
        "    RAISE NOTICE 'rows';\n  END IF;\nEND $$;\n",
        2,
    ),
    "a data fix": ("INSERT INTO a SELECT id, y FROM b UNION SELECT 1, 'x', 2;\n", 1),
    "VALUES": ("INSERT INTO a SELECT 1, 'x' UNION VALUES (2);\n", 1),
    # the ones that run
    "as many columns": (
        "CREATE VIEW v AS SELECT id, x FROM a UNION ALL SELECT id, y FROM b\n"
        "  UNION SELECT 1, NULL UNION VALUES (2, 'two');\n",
        None,
    ),
    "a * branch": ("CREATE VIEW v AS SELECT * FROM a UNION SELECT id, y FROM b;\n", None),
    "a (row).* branch": (
        "CREATE VIEW v AS SELECT 1, (jsonb_each('{\"k\": 1}')).* UNION ALL SELECT 2, 'k', '1';\n",
        None,
    ),
    "a PL/pgSQL body, read when it runs": (
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS\n"
        "  $$ BEGIN PERFORM id, x FROM a UNION SELECT id FROM b; END $$;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_set_operation_branches_give_as_many_columns(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert refused == ("42601" if line else None)
    assert [(e.kind, e.line) for e in errors] == ([("syntax_error", line + 1)] if line else [])


#: (the second migration, the line check names, or None when the server runs it)
TYPES = {
    "an integer and a text": (
        "CREATE VIEW v AS SELECT id FROM a UNION SELECT y FROM b;\n",
        1,
    ),
    "a text and an integer in a later column, a third branch": (
        "SELECT 1;\nCREATE MATERIALIZED VIEW v AS SELECT id, x FROM a\n"
        "  UNION SELECT id, y FROM b UNION ALL SELECT z, z FROM b;\n",
        2,
    ),
    "a uuid and a text": (
        "CREATE TABLE c AS SELECT NULL::uuid AS u UNION SELECT x FROM a;\n",
        1,
    ),
    # the ones that run
    "an integer, a bigint and a numeric": (
        "CREATE VIEW v AS SELECT id FROM a UNION SELECT z::bigint FROM b UNION SELECT 1.5;\n",
        None,
    ),
    "quoted constants and NULL beside any type": (
        "CREATE VIEW v AS SELECT id, now() AS at FROM a\n"
        "  UNION ALL SELECT NULL, '2024-01-01' UNION ALL SELECT '7', NULL;\n",
        None,
    ),
    "a date and a timestamptz": (
        "CREATE VIEW v AS SELECT current_date AS d UNION SELECT now();\n",
        None,
    ),
    "a column of a join, not told": (
        "CREATE VIEW v AS SELECT a.x FROM a JOIN b USING (id) UNION SELECT y FROM b;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", TYPES)
def test_set_operation_branches_give_types_that_match(case, verdicts):
    second, line = TYPES[case]
    errors, refused = verdicts(FIRST, second)

    assert refused == ("42804" if line else None)
    assert [(e.kind, e.line) for e in errors] == (
        [("invalid_definition", line + 1)] if line else []
    )
