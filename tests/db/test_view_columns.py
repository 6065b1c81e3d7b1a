"""A view keeps the columns it reads: PostgreSQL refuses to drop one (2BP01) or
to change its type (0A000) while the view stands. Each case is two
migrations; check must report `dependent_objects` (an error, at its line)
exactly when the server refuses the second one, and nothing when it runs.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE orders (id int PRIMARY KEY, total int, note text, placed date);\n"
    "CREATE TABLE people (id int PRIMARY KEY, name text);\n"
    "CREATE TABLE lines (qty int, price int, cost int GENERATED ALWAYS AS (qty * price) STORED);\n"
    "CREATE VIEW big_orders AS SELECT o.id, total FROM orders o WHERE total > 100;\n"
    "CREATE VIEW everyone AS SELECT * FROM people;\n"
    "ALTER TABLE people ADD COLUMN born date;\n"
    "CREATE VIEW joined AS SELECT o.id, p.name FROM orders o JOIN people p ON p.id = o.id;\n"
    "CREATE TABLE archived (id int, total int, kept date);\n"
    "CREATE TABLE shipped (id int, total int, note text);\n"
    "CREATE VIEW every_order AS SELECT id, total FROM shipped\n"
    "  UNION ALL SELECT a.id, a.total FROM archived a JOIN people p ON p.id = a.id\n"
    "  UNION SELECT 0, 0;\n"
    "CREATE TABLE left_side (id int, l int);\nCREATE TABLE right_side (id int, r int);\n"
    "CREATE VIEW sides AS SELECT * FROM left_side JOIN right_side USING (id);\n"
    "CREATE TABLE owners (id int, region int, note text);\nCREATE TABLE pets (owner_id int, age int);\n"
    "CREATE VIEW old_owners AS SELECT id, (SELECT max(age) FROM pets p WHERE p.owner_id = o.id) AS oldest\n"
    "  FROM owners o WHERE id IN (WITH w AS (SELECT owner_id FROM pets) SELECT owner_id FROM w);\n"
    "ALTER TABLE right_side ADD COLUMN later int;\n"
)

#: (the second migration, (SQLSTATE, the line check names) or None when it runs)
CASES = {
    "dropping a column a view reads": ("ALTER TABLE orders DROP COLUMN total;\n", ("2BP01", 1)),
    "dropping a column a view filters on, after other work": (
        "SELECT 1;\nALTER TABLE orders DROP COLUMN total CASCADE;\n"
        "ALTER TABLE people DROP COLUMN name;\n",
        ("2BP01", 3),
    ),
    "changing the type of a column a view reads": (
        "ALTER TABLE orders ALTER COLUMN total TYPE bigint;\n",
        ("0A000", 1),
    ),
    "dropping a column a SELECT * view took": (
        "ALTER TABLE people DROP COLUMN name;\n",
        ("2BP01", 1),
    ),
    "dropping a renamed column a view reads": (
        "ALTER TABLE orders RENAME COLUMN total TO amount;\nALTER TABLE orders DROP COLUMN amount;\n",
        ("2BP01", 2),
    ),
    "dropping a column a generated column is computed from": (
        "ALTER TABLE lines DROP COLUMN price;\n",
        ("2BP01", 1),
    ),
    "changing the type of a column a generated column is computed from": (
        "ALTER TABLE lines ALTER COLUMN qty TYPE bigint;\n",
        ("0A000", 1),
    ),
    "dropping a column a view reads, its table renamed first": (
        "ALTER TABLE orders RENAME TO purchases;\nALTER TABLE purchases DROP COLUMN total;\n",
        ("2BP01", 2),
    ),
    "dropping a column a UNION's second branch reads": (
        "ALTER TABLE archived DROP COLUMN total;\n",
        ("2BP01", 1),
    ),
    "changing the type of a column a UNION's first branch reads": (
        "SELECT 1;\nALTER TABLE shipped ALTER COLUMN note TYPE varchar;\n"
        "ALTER TABLE shipped ALTER COLUMN total TYPE numeric;\n",
        ("0A000", 3),
    ),
    "dropping a column a * over a join took": (
        "ALTER TABLE right_side DROP COLUMN r;\n",
        ("2BP01", 1),
    ),
    "dropping a column a scalar subquery of a view reads": (
        "ALTER TABLE pets DROP COLUMN age;\n",
        ("2BP01", 1),
    ),
    "changing the type of a column a WITH query in a view's subquery reads": (
        "ALTER TABLE pets ALTER COLUMN owner_id TYPE bigint;\n",
        ("0A000", 1),
    ),
    # the forms that run
    "dropping a column no subquery of the view reads": (
        "ALTER TABLE owners DROP COLUMN note;\nALTER TABLE owners DROP COLUMN region;\n",
        None,
    ),
    "dropping a column added after a * over a join": (
        "ALTER TABLE right_side DROP COLUMN later;\n",
        None,
    ),
    "dropping a column no branch of a UNION reads": (
        "ALTER TABLE archived DROP COLUMN kept;\n",
        None,
    ),
    "dropping the generated column, then what it read": (
        "ALTER TABLE lines DROP COLUMN cost;\nALTER TABLE lines DROP COLUMN price;\n",
        None,
    ),
    "dropping a column no view reads": (
        "ALTER TABLE orders DROP COLUMN note;\nALTER TABLE orders ALTER COLUMN placed TYPE timestamp;\n",
        None,
    ),
    "a column added after the SELECT * view": ("ALTER TABLE people DROP COLUMN born;\n", None),
    "the view dropped first": (
        "DROP VIEW big_orders;\nALTER TABLE orders DROP COLUMN total;\n",
        None,
    ),
    "the view made again without the column": (
        "DROP VIEW big_orders;\nCREATE VIEW big_orders AS SELECT id FROM orders;\n"
        "ALTER TABLE orders ALTER COLUMN total TYPE bigint;\n",
        None,
    ),
    "the old name of a renamed column, made again": (
        "ALTER TABLE orders RENAME COLUMN total TO amount;\n"
        "ALTER TABLE orders ADD COLUMN total int;\nALTER TABLE orders DROP COLUMN total;\n",
        None,
    ),
    "a new table of a renamed table's name": (
        "ALTER TABLE orders RENAME TO old_orders;\n"
        "CREATE TABLE orders (id int, total int);\nALTER TABLE orders DROP COLUMN total;\n",
        None,
    ),
    "the view made again after the rename, without the column": (
        "ALTER TABLE orders RENAME TO purchases;\n"
        "CREATE OR REPLACE VIEW big_orders AS SELECT o.id, o.id AS total FROM purchases o;\n"
        "ALTER TABLE purchases DROP COLUMN total;\n",
        None,
    ),
    "CASCADE takes the view with it": ("ALTER TABLE orders DROP COLUMN total CASCADE;\n", None),
}


@pytest.mark.parametrize("case", CASES)
def test_check_says_a_view_holds_a_column_exactly_when_the_server_refuses(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    if expected is None:
        assert refused is None
        assert errors == []
    else:
        state, line = expected
        assert refused == state
        [error] = errors
        assert error.kind == "dependent_objects" and error.object.startswith("column ")
        assert error.line == line + 1  # after the file's marker line
        assert f"({state})" in error.message


def test_a_table_a_foreign_key_references_keeps_it_through_a_rename(verdicts):
    first = "CREATE TABLE owners (id int PRIMARY KEY);\nCREATE TABLE pets (owner int REFERENCES owners);\n"
    errors, refused = verdicts(first, "ALTER TABLE owners RENAME TO people;\nDROP TABLE people;\n")

    assert refused == "2BP01"
    [error] = errors
    assert error.kind == "dependent_objects" and error.object == "table public.people"
    assert error.line == 3


@pytest.mark.parametrize(
    ("second", "refused_expected"),
    [
        ("ALTER TABLE owners DROP COLUMN id;\n", True),
        ("ALTER TABLE owners DROP COLUMN code;\n", True),
        ("ALTER TABLE pets DROP COLUMN owner;\nALTER TABLE owners DROP COLUMN id;\n", False),
        ("ALTER TABLE owners DROP COLUMN id CASCADE;\n", False),
    ],
)
def test_a_column_a_foreign_key_references_is_held(second, refused_expected, verdicts):
    first = (
        "CREATE TABLE owners (id int PRIMARY KEY, code text UNIQUE);\n"
        "CREATE TABLE pets (owner int REFERENCES owners, tag text REFERENCES owners (code));\n"
    )
    errors, refused = verdicts(first, second)

    assert refused == ("2BP01" if refused_expected else None)
    assert [e.kind for e in errors] == (["dependent_objects"] if refused_expected else [])


RENAMED_DEPENDENT = (
    "CREATE TABLE owners (id int PRIMARY KEY);\n"
    "CREATE TABLE pets (owner int REFERENCES owners);\n"
    "CREATE VIEW owner_ids AS SELECT id FROM owners;\n"
    "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
    "CREATE TRIGGER stamped BEFORE INSERT ON pets FOR EACH ROW EXECUTE FUNCTION stamp();\n"
)


@pytest.mark.parametrize(
    ("second", "line"),
    [
        ("ALTER TABLE pets RENAME TO animals;\nDROP VIEW owner_ids;\nDROP TABLE owners;\n", 3),
        ("ALTER VIEW owner_ids RENAME TO ids;\nDROP TABLE owners CASCADE;\n", None),
        ("ALTER VIEW owner_ids RENAME TO ids;\nALTER TABLE pets DROP COLUMN owner;\n"
         "DROP TABLE owners;\n", 3),
        ("ALTER TABLE pets RENAME TO animals;\nDROP FUNCTION stamp();\n", 2),
        ("ALTER TABLE pets RENAME TO animals;\nDROP TABLE animals;\nDROP FUNCTION stamp();\n"
         "DROP VIEW owner_ids;\nDROP TABLE owners;\n", None),
    ],
)  # fmt: skip
def test_what_depends_on_an_object_holds_it_under_its_own_new_name(second, line, verdicts):
    errors, refused = verdicts(RENAMED_DEPENDENT, second)

    assert refused == ("2BP01" if line else None)
    assert [(e.kind, e.line) for e in errors] == ([("dependent_objects", line + 1)] if line else [])


@pytest.mark.parametrize(
    ("second", "line"),
    [
        ("DROP INDEX owners_pkey;\n", 1),
        ("SELECT 1;\nDROP INDEX owners_code_key CASCADE;\n", 2),
        ("ALTER TABLE owners DROP CONSTRAINT owners_code_key;\nDROP INDEX IF EXISTS owners_code_key;\n", None),
        ("DROP INDEX owners_name;\n", None),
        ("ALTER TABLE owners RENAME CONSTRAINT owners_code_key TO k;\nDROP INDEX k;\n", 2),
    ],
)  # fmt: skip
def test_the_index_a_key_is_made_of_is_dropped_only_with_the_key(second, line, verdicts):
    first = (
        "CREATE TABLE owners (id int PRIMARY KEY, code text UNIQUE, name text);\n"
        "CREATE INDEX owners_name ON owners (name);\n"
    )
    errors, refused = verdicts(first, second)

    assert refused == ("2BP01" if line else None)
    assert [(e.kind, e.line) for e in errors] == ([("dependent_objects", line + 1)] if line else [])


CALLED = (
    "CREATE TABLE t (id int, n int);\n"
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';\n"
    "CREATE FUNCTION counted() RETURNS int BEGIN ATOMIC SELECT count(*)::int FROM t; END;\n"
    "CREATE VIEW v AS SELECT f() AS x;\n"
    "CREATE TABLE d (id int DEFAULT f());\n"
    "CREATE FUNCTION h(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';\n"
    "CREATE INDEX t_h ON t (h(n));\n"
    "CREATE FUNCTION k(int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 > 0';\n"
    "ALTER TABLE t ADD CONSTRAINT positive CHECK (k(n));\n"
    "CREATE FUNCTION loose() RETURNS int LANGUAGE sql AS 'SELECT count(*)::int FROM t';\n"
)


@pytest.mark.parametrize(
    ("second", "line"),
    [
        ("DROP TABLE t;\n", 1),  # the function whose body is in SQL's own syntax
        ("SELECT 1;\nDROP FUNCTION f();\n", 2),  # a view and a default call it
        ("DROP FUNCTION h(int);\n", 1),  # an index
        ("DROP FUNCTION k(int);\n", 1),  # a CHECK
        # the forms that run
        ("DROP FUNCTION counted();\nDROP TABLE t;\n", None),  # a body in a string keeps nothing
        ("DROP VIEW v;\nDROP TABLE d;\nDROP FUNCTION f();\n", None),
        ("DROP INDEX t_h;\nDROP FUNCTION h(int);\n", None),
        ("ALTER TABLE t DROP CONSTRAINT positive;\nDROP FUNCTION k(int);\n", None),
        ("DROP FUNCTION f() CASCADE;\n", None),
    ],
)  # fmt: skip
def test_what_calls_a_function_holds_it_as_the_server_does(second, line, verdicts):
    errors, refused = verdicts(CALLED, second)

    assert refused == ("2BP01" if line else None)
    assert [(e.kind, e.line) for e in errors] == ([("dependent_objects", line + 1)] if line else [])


#: (the second migration, the line check names a missing column at, or None)
VIEW_COLUMNS = {
    "a view of a view naming a column it lacks": (
        "CREATE VIEW v2 AS SELECT b.id, b.note FROM big_orders b;\n",
        1,
    ),
    "a view's column under its old name": (
        "ALTER VIEW big_orders RENAME COLUMN total TO amount;\n"
        "CREATE VIEW v2 AS SELECT total FROM big_orders;\n",
        2,
    ),
    "an index on a materialized view's column it lacks": (
        "CREATE MATERIALIZED VIEW per_day AS SELECT placed, count(*) AS n FROM orders GROUP BY placed;\n"
        "CREATE INDEX ON per_day (total);\n",
        2,
    ),
    "a column of a table made from a query, under the name it does not have": (
        "CREATE TABLE totals AS SELECT id, total AS amount FROM orders;\n"
        "ALTER TABLE totals ALTER COLUMN total SET NOT NULL;\n",
        2,
    ),
    # the forms that run
    "the names PostgreSQL gives a view's columns": (
        "CREATE VIEW v2 AS SELECT id, total * 2, lower(note), note::varchar, (total) FROM orders;\n"
        'CREATE VIEW v3 AS SELECT id, "?column?", lower, note, total FROM v2;\n',
        None,
    ),
    "a column list, a rename, a replacement that adds": (
        "CREATE VIEW v2 (k, t) AS SELECT id, total FROM orders;\n"
        "ALTER VIEW v2 RENAME COLUMN t TO amount;\n"
        "CREATE OR REPLACE VIEW v2 AS SELECT id AS k, total AS amount, note FROM orders;\n"
        "CREATE VIEW v3 AS SELECT k, amount, note FROM v2;\n",
        None,
    ),
    "a table made from a query, altered": (
        "CREATE TABLE totals (k, amount) AS SELECT id, total FROM orders;\n"
        "ALTER TABLE totals ADD PRIMARY KEY (k);\nCREATE INDEX ON totals (amount);\n",
        None,
    ),
    "a view of *": ("CREATE VIEW v2 AS SELECT name, id FROM everyone;\n", None),
}


@pytest.mark.parametrize("case", VIEW_COLUMNS)
def test_a_views_columns_are_those_its_query_names(case, verdicts):
    second, line = VIEW_COLUMNS[case]
    errors, refused = verdicts(FIRST, second)

    assert refused == ("42703" if line else None)
    assert [(e.kind, e.line) for e in errors] == (
        [("missing_prerequisite", line + 1)] if line else []
    )
