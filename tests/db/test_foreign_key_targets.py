"""A foreign key must reference a primary key, or a unique constraint (or
unique index) of exactly its columns: PostgreSQL refuses it otherwise
(42704 when it names no columns and the table has no primary key, 42830 otherwise).
Each case is two migrations; check must report `foreign_key_target`
(an error, at its line) exactly when the server refuses the second one, and
nothing when it runs.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE plain (id int, code text, region text);\n"
    "CREATE TABLE keyed (id int PRIMARY KEY, code text UNIQUE, region text,\n"
    "  UNIQUE (region, code));\n"
    "CREATE TABLE indexed (id int, slug text);\n"
    "CREATE UNIQUE INDEX indexed_slug ON indexed (slug);\n"
    "CREATE UNIQUE INDEX indexed_lower ON indexed (lower(slug));\n"
    "CREATE UNIQUE INDEX indexed_some ON indexed (id) WHERE id > 0;\n"
)

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "a table with no primary key": ("CREATE TABLE r (p int REFERENCES plain);\n", 1),
    "a column with no unique constraint": (
        "SELECT 1;\nCREATE TABLE r (c text REFERENCES plain (code));\n",
        2,
    ),
    "part of a two-column key": ("CREATE TABLE r (c text REFERENCES keyed (region));\n", 1),
    "a partial unique index": ("CREATE TABLE r (i int REFERENCES indexed (id));\n", 1),
    "the primary key dropped first": (
        "ALTER TABLE keyed DROP CONSTRAINT keyed_pkey;\nCREATE TABLE r (k int REFERENCES keyed);\n",
        2,
    ),
    "a foreign key added by ALTER TABLE": (
        "ALTER TABLE plain ADD COLUMN parent int;\n"
        "ALTER TABLE plain ADD FOREIGN KEY (parent) REFERENCES plain (id);\n",
        2,
    ),
    # the forms that run
    "primary keys, unique constraints and unique indexes": (
        "CREATE TABLE r (k int REFERENCES keyed, c text REFERENCES keyed (code),\n"
        "  reg text, cc text, s text REFERENCES indexed (slug),\n"
        "  FOREIGN KEY (cc, reg) REFERENCES keyed (code, region));\n",
        None,
    ),
    "a primary key added first": (
        "ALTER TABLE plain ADD PRIMARY KEY (id);\nCREATE TABLE r (p int REFERENCES plain);\n",
        None,
    ),
    "a table referencing its own key, written after the column": (
        "CREATE TABLE tree (id int, parent int REFERENCES tree (id), PRIMARY KEY (id));\n",
        None,
    ),
    "a renamed key column": (
        "ALTER TABLE keyed RENAME COLUMN code TO sku;\n"
        "CREATE TABLE r (s text REFERENCES keyed (sku));\n",
        None,
    ),
    "a renamed table": (
        "ALTER TABLE keyed RENAME TO products;\nCREATE TABLE r (p int REFERENCES products);\n",
        None,
    ),
}


SECOND_KEYS = {
    "a second primary key": ("ALTER TABLE keyed ADD PRIMARY KEY (code);\n", "42P16"),
    "a primary key after the first is dropped": (
        "ALTER TABLE keyed DROP CONSTRAINT keyed_pkey;\nALTER TABLE keyed ADD PRIMARY KEY (code);\n",
        None,
    ),
    "the key replaced in one ALTER TABLE": (
        "ALTER TABLE keyed ADD PRIMARY KEY (code), DROP CONSTRAINT keyed_pkey;\n",
        None,
    ),
    "the key's column dropped, then a new key": (
        "ALTER TABLE keyed DROP COLUMN id;\nALTER TABLE keyed ADD PRIMARY KEY (code);\n",
        None,
    ),
    "a first primary key": ("ALTER TABLE plain ADD CONSTRAINT plain_pk PRIMARY KEY (id);\n", None),
}


@pytest.mark.parametrize("case", SECOND_KEYS)
def test_check_says_a_second_primary_key_exactly_when_the_server_refuses(case, verdicts):
    second, expected = SECOND_KEYS[case]
    errors, refused = verdicts(FIRST, second)
    assert refused == expected
    if expected is None:
        assert errors == []
    else:
        [error] = errors
        assert error.kind == "conflicting_constraint" and "(42P16)" in error.message


@pytest.mark.parametrize("case", CASES)
def test_check_says_a_foreign_key_has_no_key_to_reference_exactly_when_the_server_refuses(
    case, verdicts
):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    if expected is None:
        assert refused is None
        assert errors == []
    else:
        assert refused in ("42830", "42704")
        [error] = errors
        assert f"({refused})" in error.message
        assert error.kind == "foreign_key_target" and error.object.startswith("constraint ")
        assert error.line == expected + 1  # after the file's marker line


TYPED = (
    "CREATE TABLE accounts (id uuid PRIMARY KEY, handle text UNIQUE);\n"
    "CREATE TABLE teams (id bigint PRIMARY KEY, code varchar(20) UNIQUE);\n"
)

#: (the second migration, whether the server refuses it with 42804)
TYPE_CASES = {
    "text to uuid": ("CREATE TABLE r (a text REFERENCES accounts);\n", True),
    "integer to text": ("CREATE TABLE r (h int REFERENCES accounts (handle));\n", True),
    "uuid to text": ("CREATE TABLE r (h uuid REFERENCES accounts (handle));\n", True),
    "integer to bigint, varchar to text, text to varchar": (
        "CREATE TABLE r (t int REFERENCES teams, h varchar(30) REFERENCES accounts (handle),\n"
        "  c text REFERENCES teams (code));\n",
        False,
    ),
    "numeric to bigint": ("CREATE TABLE r (n numeric REFERENCES teams);\n", True),
    "timestamp to uuid": ("CREATE TABLE r (at timestamp REFERENCES accounts);\n", True),
    "smallint to bigint, char to varchar": (
        "CREATE TABLE r (t smallint REFERENCES teams, c char(5) REFERENCES teams (code));\n",
        False,
    ),
    "a referencing column retyped to text": (
        "CREATE TABLE r (t bigint REFERENCES teams);\nALTER TABLE r ALTER COLUMN t TYPE text;\n",
        True,
    ),
    "a referenced key retyped, its referencing table renamed first": (
        "CREATE TABLE r (a uuid REFERENCES accounts);\nALTER TABLE r RENAME TO members;\n"
        "ALTER TABLE accounts ALTER COLUMN id TYPE text;\n",
        True,
    ),
    "a renamed referencing column retyped": (
        "CREATE TABLE r (t bigint REFERENCES teams);\nALTER TABLE r RENAME COLUMN t TO team;\n"
        "ALTER TABLE r ALTER COLUMN team TYPE text;\n",
        True,
    ),
    "a referencing column retyped to a type that still joins": (
        "CREATE TABLE r (t bigint REFERENCES teams, h text REFERENCES accounts (handle));\n"
        "ALTER TABLE r ALTER COLUMN t TYPE int, ALTER COLUMN h TYPE varchar(50);\n",
        False,
    ),
    "the foreign key dropped before the retype": (
        "CREATE TABLE r (t bigint CONSTRAINT r_team REFERENCES teams);\n"
        "ALTER TABLE r DROP CONSTRAINT r_team;\nALTER TABLE r ALTER COLUMN t TYPE text;\n",
        False,
    ),
    "a column given the right type first": (
        "CREATE TABLE r (a text);\nALTER TABLE r ALTER COLUMN a TYPE uuid USING a::uuid;\n"
        "ALTER TABLE r ADD FOREIGN KEY (a) REFERENCES accounts;\n",
        False,
    ),
    "a renamed column keeps its type": (
        "CREATE TABLE r (a text);\nALTER TABLE r RENAME COLUMN a TO account;\n"
        "ALTER TABLE r ADD FOREIGN KEY (account) REFERENCES accounts;\n",
        True,
    ),
}


@pytest.mark.parametrize("case", TYPE_CASES)
def test_check_says_a_foreign_key_joins_types_without_equality_exactly_when_refused(case, verdicts):
    second, refused_expected = TYPE_CASES[case]
    errors, refused = verdicts(TYPED, second)
    assert refused == ("42804" if refused_expected else None)
    assert [e.kind for e in errors] == (["foreign_key_types"] if refused_expected else [])
