"""A constraint a migration names (DROP, VALIDATE, RENAME, ALTER or COMMENT ON
CONSTRAINT) must be one its table has. On a table made in the folder, whose
every constraint the walk knows — the ones given names and the ones PostgreSQL
invents (``t_pkey``, ``t_a_key``, ``t_a_check``, ``t_a_fkey``, ``t_a_not_null``
…) — check says when it is not there (42704). Each case runs on the server
too: check must report the refusal at its line exactly when the server
refuses, and say nothing of every form the server runs.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE);\n"
    "CREATE TABLE child (\n"
    "  id int GENERATED ALWAYS AS IDENTITY,\n"
    "  parent_id int NOT NULL REFERENCES parent,\n"
    "  a int CHECK (a > 0),\n"
    "  b int,\n"
    "  c int,\n"
    '  "Mixed" int UNIQUE,\n'
    "  PRIMARY KEY (id),\n"
    "  UNIQUE (b, c),\n"
    "  CHECK (b < c),\n"
    "  CONSTRAINT named_check CHECK (c <> 0),\n"
    "  FOREIGN KEY (b) REFERENCES parent (id)\n"
    ");\n"
    "CREATE UNIQUE INDEX child_c_idx ON child (c);\n"
)


def drop(name: str, table: str = "child") -> str:
    return f"ALTER TABLE {table} DROP CONSTRAINT {name};\n"


#: (the second migration, the line check names or None when the server runs it)
CASES = {
    "a name it never had": (drop("child_nosuch"), 1),
    "a unique index dropped as a constraint": ("SELECT 1;\n" + drop("child_c_idx"), 2),
    "a guessed name for a unique pair": (drop("child_b_c_unique"), 1),
    "the old name after a rename": (
        "ALTER TABLE child RENAME CONSTRAINT named_check TO c_nonzero;\n" + drop("named_check"),
        2,
    ),
    "dropped twice": (drop("named_check") + drop("named_check"), 2),
    "validated, never made": ("ALTER TABLE child VALIDATE CONSTRAINT child_a_fkey;\n", 1),
    "commented on, never made": ("COMMENT ON CONSTRAINT nope ON child IS 'x';\n", 1),
    "an upsert on a key by its old name": (
        "ALTER TABLE parent RENAME CONSTRAINT parent_pkey TO parent_pk;\n"
        "INSERT INTO parent VALUES (1) ON CONFLICT ON CONSTRAINT parent_pkey DO NOTHING;\n",
        2,
    ),
    "an upsert on a unique index, not a constraint": (
        "INSERT INTO child (parent_id, c) VALUES (1, 1)\n"
        "  ON CONFLICT ON CONSTRAINT child_c_idx DO NOTHING;\n",
        2,
    ),
    "gone with its column": ("ALTER TABLE child DROP COLUMN c;\n" + drop("child_b_c_key"), 2),
    "a rebuilt table's key by the old key's name": (
        "ALTER TABLE parent RENAME TO parent_old;\n"
        "CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE);\n"
        "DROP TABLE parent_old CASCADE;\n" + drop("parent_code_key", "parent"),
        4,
    ),
    # the names PostgreSQL gives, which run
    "the primary key": (drop("child_pkey"), None),
    "a column's foreign key": (drop("child_parent_id_fkey"), None),
    "a table's foreign key": (drop("child_b_fkey"), None),
    "a column's check": (drop("child_a_check"), None),
    "a table's check of two columns": (drop("child_check"), None),
    "a unique pair": (drop("child_b_c_key"), None),
    "a quoted column's key": (drop('"child_Mixed_key"'), None),
    "a named check": (drop("named_check"), None),
    "a not-null constraint (PostgreSQL 18)": (drop("child_parent_id_not_null"), None),
    "a primary key's not-null constraint, once the key is gone": (
        drop("parent_pkey CASCADE", "parent") + drop("parent_id_not_null", "parent"),
        None,
    ),
    "the referenced key, with CASCADE": (drop("parent_pkey CASCADE", "parent"), None),
    "a unique column's key": (drop("parent_code_key", "parent"), None),
    "renamed, then dropped by the new name": (
        "ALTER TABLE child RENAME CONSTRAINT named_check TO c_nonzero;\n" + drop("c_nonzero"),
        None,
    ),
    "a key's index renamed, then the key by the index's name": (
        "ALTER INDEX child_b_c_key RENAME TO child_pair;\n" + drop("child_pair"),
        None,
    ),
    "the table renamed, its constraints keep their names": (
        "ALTER TABLE child RENAME TO kid;\n" + drop("child_a_check", "kid"),
        None,
    ),
    "a column renamed, its constraints keep their names": (
        "ALTER TABLE child RENAME COLUMN a TO aa;\n" + drop("child_a_check"),
        None,
    ),
    "added, then validated": (
        "ALTER TABLE child ADD CONSTRAINT c_pos CHECK (c > 0) NOT VALID;\n"
        "ALTER TABLE child VALIDATE CONSTRAINT c_pos;\n",
        None,
    ),
    "an added column's implicit names": (
        "ALTER TABLE child ADD COLUMN d int UNIQUE CHECK (d > 1) REFERENCES parent;\n"
        + drop("child_d_key")
        + drop("child_d_check")
        + drop("child_d_fkey"),
        None,
    ),
    "a second check on a column, numbered": (
        "ALTER TABLE child ADD CHECK (a < 100);\n" + drop("child_a_check1"),
        None,
    ),
    "a not-null constraint added by SET NOT NULL": (
        "ALTER TABLE child ALTER COLUMN b SET NOT NULL;\n" + drop("child_b_not_null"),
        None,
    ),
    "IF EXISTS": (drop("IF EXISTS child_nosuch"), None),
    "an upsert on a key by its name": (
        "INSERT INTO parent VALUES (1) ON CONFLICT ON CONSTRAINT parent_pkey DO NOTHING;\n",
        None,
    ),
    "a constraint trigger, a constraint of its name": (
        "CREATE CONSTRAINT TRIGGER audit AFTER INSERT ON child FOR EACH ROW\n"
        "  EXECUTE FUNCTION suppress_redundant_updates_trigger();\n"
        "COMMENT ON CONSTRAINT audit ON child IS 'kept';\n",
        None,
    ),
    "a table moved to another schema keeps its constraints": (
        "CREATE SCHEMA archive;\nALTER TABLE child SET SCHEMA archive;\n"
        + drop("child_a_check", "archive.child"),
        None,
    ),
    "a table rebuilt beside the old one: its key is numbered": (
        "ALTER TABLE parent RENAME TO parent_old;\n"
        "CREATE TABLE parent (id int PRIMARY KEY);\n" + drop("parent_pkey1", "parent"),
        None,
    ),
    "a rebuilt table's numbered names, the old table gone": (
        "ALTER TABLE parent RENAME TO parent_old;\n"
        "CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE);\n"
        "DROP TABLE parent_old CASCADE;\n"
        + drop("parent_code_key1", "parent")
        + drop("parent_pkey1", "parent"),
        None,
    ),
    "a key added where an index has its name": (
        "ALTER TABLE child DROP CONSTRAINT child_pkey;\n"
        "CREATE INDEX child_pkey ON child (b);\n"
        "ALTER TABLE child ADD PRIMARY KEY (id);\n"
        + drop("child_pkey1")
        + "DROP INDEX child_pkey;\n",
        None,
    ),
    "under an exception handler": (
        "DO $$ BEGIN ALTER TABLE child DROP CONSTRAINT nosuch;\n"
        "EXCEPTION WHEN undefined_object THEN NULL; END $$;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_constraint_named_must_be_there(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42704") if line else None, "missing_prerequisite")


#: (a first migration, the second, the line check names or None when the
#: server runs both): the names PostgreSQL invents for each way of writing a
#: constraint, and names a migration frees and uses again
NAMED_AS_WRITTEN = {
    "a column's check reading another column": (
        "CREATE TABLE t (a int CHECK (b > 0), b int);",
        drop("t_b_check", "t"),
        None,
    ),
    "a column's check named after its column is not there": (
        "CREATE TABLE t (a int CHECK (a < b), b int);",
        drop("t_a_check", "t"),
        1,
    ),
    "a column's check reading two columns": (
        "CREATE TABLE t (lo int, hi int CHECK (hi >= lo));",
        drop("t_check", "t"),
        None,
    ),
    "a column's check reading none": (
        "CREATE TABLE t (a int CHECK (true));",
        drop("t_check", "t"),
        None,
    ),
    "an added column's check reading another column": (
        "CREATE TABLE t (c int);\nALTER TABLE t ADD COLUMN d int CHECK (c > 0);",
        drop("t_c_check", "t"),
        None,
    ),
    "a check of the whole row": (
        "CREATE TABLE t (a int, b int, CHECK (t IS NOT NULL), CHECK (num_nonnulls(t.*) > 0));",
        drop("t_check", "t") + drop("t_check1", "t"),
        None,
    ),
    "a check of a column named as its table": (
        "CREATE TABLE tag (tag text CHECK (tag <> ''));",
        drop("tag_tag_check", "tag"),
        None,
    ),
    "a key's INCLUDE columns name it": (
        "CREATE TABLE t (a int, b int, UNIQUE (a) INCLUDE (b), EXCLUDE (a WITH =) INCLUDE (b));",
        drop("t_a_b_key", "t") + drop("t_a_b_excl", "t"),
        None,
    ),
    "an exclusion on nullif and on a CASE": (
        "CREATE TABLE t (a int, b int, EXCLUDE ((nullif(a, 0)) WITH =),\n"
        "  EXCLUDE ((CASE WHEN a > 0 THEN a ELSE b END) WITH =));",
        drop("t_nullif_excl", "t") + drop("t_b_excl", "t"),
        None,
    ),
    # CREATE TABLE folds alike keys into one index, the primary key first
    "a unique key alike the primary key is not made": (
        "CREATE TABLE t (id int PRIMARY KEY UNIQUE);",
        drop("t_id_key", "t"),
        1,
    ),
    "a unique column and a unique key alike are one": (
        "CREATE TABLE t (a int UNIQUE, b int, UNIQUE (a));",
        drop("t_a_key", "t") + drop("t_a_key1", "t"),
        2,
    ),
    "keys alike but deferrable, NULLS NOT DISTINCT or with INCLUDE are their own": (
        "CREATE TABLE t (a int UNIQUE, b int, UNIQUE (a) DEFERRABLE,\n"
        "  UNIQUE NULLS NOT DISTINCT (a), UNIQUE (a) INCLUDE (b));",
        drop("t_a_key", "t")
        + drop("t_a_key1", "t")
        + drop("t_a_key2", "t")
        + drop("t_a_b_key", "t"),
        None,
    ),
    "the primary key takes the name of a named unique key alike": (
        "CREATE TABLE t (id int PRIMARY KEY, CONSTRAINT uq UNIQUE (id));",
        "COMMENT ON CONSTRAINT uq ON t IS 'x';\n" + drop("t_pkey", "t"),
        2,
    ),
    "the second of two named keys alike is not made": (
        "CREATE TABLE t (a int, CONSTRAINT one UNIQUE (a), CONSTRAINT two UNIQUE (a));",
        drop("one", "t") + drop("two", "t"),
        2,
    ),
    "a column's DEFERRABLE key is not alike the primary key": (
        "CREATE TABLE t (id int UNIQUE DEFERRABLE INITIALLY DEFERRED, PRIMARY KEY (id));",
        drop("t_id_key", "t"),
        None,
    ),
    "two deferrable keys alike, one a column's": (
        "CREATE TABLE t (id int PRIMARY KEY DEFERRABLE, UNIQUE (id) DEFERRABLE);",
        drop("t_id_key", "t"),
        1,
    ),
    "ALTER TABLE folds the keys of a column it adds": (
        "CREATE TABLE t (x int);\nALTER TABLE t ADD COLUMN id int PRIMARY KEY UNIQUE;",
        drop("t_id_key", "t"),
        1,
    ),
    "ALTER TABLE folds nothing else": (
        "CREATE TABLE t (a int);\nALTER TABLE t ADD UNIQUE (a), ADD PRIMARY KEY (a);\n"
        "ALTER TABLE t ADD COLUMN b int UNIQUE, ADD UNIQUE (b);",
        drop("t_a_key", "t") + drop("t_pkey", "t") + drop("t_b_key", "t") + drop("t_b_key1", "t"),
        None,
    ),
    "a check dropped and added again": (
        "CREATE TABLE t (a int CHECK (a > 0));\n"
        "ALTER TABLE t DROP CONSTRAINT t_a_check, ADD CHECK (a > 1);",
        drop("t_a_check", "t"),
        None,
    ),
    "a key renamed away, then added again": (
        "CREATE TABLE t (a int UNIQUE);\n"
        "ALTER INDEX t_a_key RENAME TO k;\n"
        "ALTER TABLE t ADD UNIQUE (a);",
        drop("t_a_key", "t") + drop("k", "t"),
        None,
    ),
    "a primary key dropped and added again": (
        "CREATE TABLE t (id int PRIMARY KEY);\n"
        "ALTER TABLE t DROP CONSTRAINT t_pkey;\n"
        "ALTER TABLE t ADD PRIMARY KEY (id);",
        drop("t_pkey", "t"),
        None,
    ),
    "a column dropped and added again": (
        "CREATE TABLE t (a int CHECK (a > 0), b int);\n"
        "ALTER TABLE t DROP COLUMN a;\n"
        "ALTER TABLE t ADD COLUMN a int CHECK (a > 0);",
        drop("t_a_check", "t"),
        None,
    ),
    "NOT NULL dropped and set again": (
        "CREATE TABLE t (a int NOT NULL);\n"
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;\n"
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        drop("t_a_not_null", "t"),
        None,
    ),
    "a table dropped and made again": (
        "CREATE TABLE t (id int PRIMARY KEY, a int CHECK (a > 0));\n"
        "DROP TABLE t;\n"
        "CREATE TABLE t (id int PRIMARY KEY, a int CHECK (a > 0));",
        drop("t_pkey", "t") + drop("t_a_check", "t") + drop("t_id_not_null", "t"),
        None,
    ),
    "a table moved away and made again": (
        "CREATE SCHEMA s;\n"
        "CREATE TABLE t (id int PRIMARY KEY);\n"
        "ALTER TABLE t SET SCHEMA s;\n"
        "CREATE TABLE t (id int PRIMARY KEY);",
        drop("t_pkey", "t") + drop("t_pkey", "s.t"),
        None,
    ),
    "a table rebuilt after its key is renamed": (
        "CREATE TABLE t (id int PRIMARY KEY);\n"
        "ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_old_pkey;\n"
        "ALTER TABLE t RENAME TO t_old;\n"
        "CREATE TABLE t (id int PRIMARY KEY);",
        drop("t_pkey", "t") + drop("t_old_pkey", "t_old"),
        None,
    ),
    "a primary key made from an index gives its columns not-null constraints": (
        "CREATE TABLE t (a int);\n"
        "CREATE UNIQUE INDEX t_a_idx ON t (a);\n"
        "ALTER TABLE t ADD PRIMARY KEY USING INDEX t_a_idx;",
        "COMMENT ON CONSTRAINT t_a_not_null ON t IS 'x';\n" + drop("t_a_idx", "t"),
        None,
    ),
}


@pytest.mark.parametrize("case", NAMED_AS_WRITTEN)
def test_a_constraint_has_the_name_postgresql_gives_it(case, verdicts):
    first, second, line = NAMED_AS_WRITTEN[case]
    errors, refused = verdicts(first + "\n", second)

    assert_same_verdict(errors, refused, (line, "42704") if line else None, "missing_prerequisite")


def test_a_table_made_by_sql_built_at_run_time_is_not_judged(verdicts):
    """EXECUTE may add any constraint: what it names is not known."""
    errors, refused = verdicts(
        FIRST,
        "DO $$ BEGIN EXECUTE 'ALTER TABLE child ADD CONSTRAINT ' || 'dyn' || ' CHECK (b > 0)';"
        " END $$;\n" + drop("dyn"),
    )

    assert refused is None
    assert errors == []


def test_the_hint_names_the_constraints_the_table_has(write_migrations, analysis_of):
    root = write_migrations(
        {
            "001_a.sql": "-- migrate:up\nCREATE TABLE t (id int PRIMARY KEY, e text UNIQUE);\n",
            "002_b.sql": "-- migrate:up\nALTER TABLE t DROP CONSTRAINT t_e_unique;\n",
        }
    )
    [problem] = [p for p in analysis_of(root).problems if p.kind == "missing_prerequisite"]

    assert "t_e_unique" in problem.message and "001" in problem.message
    assert "t_e_key" in problem.hint and "t_pkey" in problem.hint


#: (the second migration, the line check names, or None when it runs)
RULES = {
    "a rule the table never had": ("DROP RULE nope ON child;\n", 1),
    "a rule dropped twice": (
        "CREATE RULE quiet AS ON DELETE TO child DO INSTEAD NOTHING;\n"
        "DROP RULE quiet ON child;\nDROP RULE quiet ON child;\n",
        3,
    ),
    "rules renamed, moved with their table, or dropped IF EXISTS": (
        "CREATE RULE quiet AS ON DELETE TO child DO INSTEAD NOTHING;\n"
        "ALTER RULE quiet ON child RENAME TO hushed;\n"
        "ALTER TABLE child RENAME TO kid;\nDROP RULE hushed ON kid;\n"
        "DROP RULE IF EXISTS nope ON kid;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", RULES)
def test_a_rule_named_must_be_there(case, verdicts):
    second, line = RULES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42704") if line else None, "missing_prerequisite")
