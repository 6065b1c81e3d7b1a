"""CREATE PUBLICATION … FOR TABLE and ALTER PUBLICATION … ADD TABLE name
tables (and columns, and schemas) that must exist: PostgreSQL refuses a
missing one. Supabase migrations add their tables to ``supabase_realtime``
this way."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict, assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE t (a int, b text);\nCREATE SCHEMA s;\nCREATE PUBLICATION pub;\n"

#: (the second migration, the line check names and the server's SQLSTATE, or None)
CASES = {
    "a table no migration made": ("ALTER PUBLICATION pub ADD TABLE nosuch;\n", (1, "42P01")),
    "a missing table among others": (
        "SELECT 1;\nCREATE PUBLICATION p2 FOR TABLE t, missing;\n",
        (2, "42P01"),
    ),
    "a column list naming a column the table lacks": (
        "ALTER PUBLICATION pub ADD TABLE t (a, c);\n",
        (1, "42703"),
    ),
    "a schema no migration made": (
        "ALTER PUBLICATION pub ADD TABLES IN SCHEMA nosuch;\n",
        (1, "3F000"),
    ),
    # the forms that run
    "tables, columns, rows and schemas that are there": (
        "CREATE PUBLICATION p2 FOR TABLE t (a, b) WHERE (a > 0);\n"
        "CREATE PUBLICATION p3 FOR TABLES IN SCHEMA s, public;\n"
        "ALTER PUBLICATION pub ADD TABLE t;\n"
        "ALTER PUBLICATION pub DROP TABLE t;\n"
        "ALTER PUBLICATION pub SET TABLE ONLY t;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_publication_needs_what_it_publishes(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, expected, "missing_prerequisite", says_state=False)


#: A publication is an object of its own, and a table is in it once.
#: (the second migration, the kind check says, the line and the server's SQLSTATE, or None)
OBJECT_CASES = {
    "altering a publication no migration made": (
        "ALTER PUBLICATION nosuch ADD TABLE t;\n",
        ("missing_prerequisite", (1, "42704")),
    ),
    "dropping a publication no migration made": (
        "SELECT 1;\nDROP PUBLICATION nosuch;\n",
        ("missing_prerequisite", (2, "42704")),
    ),
    "a publication made twice": (
        "CREATE PUBLICATION pub;\n",
        ("already_exists", (1, "42710")),
    ),
    "a table added to a publication it is in": (
        "ALTER PUBLICATION pub ADD TABLE t;\nALTER PUBLICATION pub ADD TABLE public.t;\n",
        ("already_exists", (2, "42710")),
    ),
    "a table taken out of a publication it is not in": (
        "ALTER PUBLICATION pub DROP TABLE t;\n",
        ("missing_prerequisite", (1, "42704")),
    ),
    "a table renamed is still in the publication": (
        "ALTER PUBLICATION pub ADD TABLE t;\nALTER TABLE t RENAME TO t2;\n"
        "ALTER PUBLICATION pub ADD TABLE t2;\n",
        ("already_exists", (3, "42710")),
    ),
    "a table added to a publication of all tables": (
        "CREATE PUBLICATION everything FOR ALL TABLES;\nALTER PUBLICATION everything ADD TABLE t;\n",
        ("invalid_definition", (2, "55000")),
    ),
    "a table taken out of a renamed publication of all tables": (
        "CREATE PUBLICATION everything FOR ALL TABLES;\n"
        "ALTER PUBLICATION everything RENAME TO every;\nALTER PUBLICATION every DROP TABLE t;\n",
        ("invalid_definition", (3, "55000")),
    ),
    # the forms that run
    "a publication of all tables made again for one": (
        "CREATE PUBLICATION everything FOR ALL TABLES;\nDROP PUBLICATION everything;\n"
        "CREATE PUBLICATION everything;\nALTER PUBLICATION everything ADD TABLE t;\n",
        None,
    ),
    "a publication dropped and made again starts empty": (
        "ALTER PUBLICATION pub ADD TABLE t;\nDROP PUBLICATION pub;\nCREATE PUBLICATION pub;\n"
        "ALTER PUBLICATION pub ADD TABLE t;\n",
        None,
    ),
    "a table dropped and made again is in no publication": (
        "ALTER PUBLICATION pub ADD TABLE t;\nDROP TABLE t;\nCREATE TABLE t (a int);\n"
        "ALTER PUBLICATION pub ADD TABLE t;\n",
        None,
    ),
    "a publication renamed, commented, owned and dropped": (
        "ALTER PUBLICATION pub ADD TABLE t;\nALTER PUBLICATION pub RENAME TO pub2;\n"
        "COMMENT ON PUBLICATION pub2 IS 'changes';\nALTER PUBLICATION pub2 OWNER TO CURRENT_USER;\n"
        "ALTER PUBLICATION pub2 DROP TABLE t;\nDROP PUBLICATION pub2;\n"
        "DROP PUBLICATION IF EXISTS pub2;\n",
        None,
    ),
    "a table SET TABLE left out, taken out": (
        "CREATE TABLE u (a int);\nALTER PUBLICATION pub ADD TABLE t;\n"
        "ALTER PUBLICATION pub SET TABLE u;\nALTER PUBLICATION pub DROP TABLE t;\n",
        ("missing_prerequisite", (4, "42704")),
    ),
    "a table SET TABLE left out, added again": (
        "CREATE TABLE u (a int);\nALTER PUBLICATION pub ADD TABLE t;\n"
        "ALTER PUBLICATION pub SET TABLE u;\nALTER PUBLICATION pub ADD TABLE t;\n",
        None,
    ),
    "a table taken out and added again": (
        "ALTER PUBLICATION pub ADD TABLE t;\nALTER PUBLICATION pub DROP TABLE t;\n"
        "ALTER PUBLICATION pub ADD TABLE t;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", OBJECT_CASES)
def test_a_publication_and_its_tables_are_followed(case, verdicts):
    second, expected = OBJECT_CASES[case]
    errors, refused = verdicts(FIRST, second)

    says = expected is not None and expected[0] == "already_exists"
    assert_kind_verdict(errors, refused, expected, says_state=says)
