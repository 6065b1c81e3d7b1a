"""The ON of a JOIN sees the tables of that join only: not another item of the
same FROM list, nor the table an UPDATE changes or a DELETE deletes from.
PostgreSQL refuses such a name whatever the database holds (42P01: invalid
reference to FROM-clause entry). Each case runs on the server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE a (id int PRIMARY KEY, b_id int);\n"
    "CREATE TABLE b (id int PRIMARY KEY, a_ref int);\n"
    "CREATE TABLE c (id int PRIMARY KEY);\n"
)

REFUSED = ("invalid_definition", (1, "42P01"))

#: (the second migration, the kind check says with the line and SQLSTATE, or None)
CASES = {
    "UPDATE … FROM a join naming the updated table": (
        "UPDATE a SET b_id = b.id FROM b JOIN c ON c.id = a.id WHERE b.a_ref = a.id;\n",
        REFUSED,
    ),
    "UPDATE with an alias, the alias named in the ON": (
        "UPDATE a AS x SET b_id = 1 FROM b JOIN c ON c.id = x.id;\n",
        REFUSED,
    ),
    "DELETE … USING a join naming the deleted table": (
        "DELETE FROM a USING b JOIN c ON c.id = a.id;\n",
        REFUSED,
    ),
    "a comma before a JOIN whose ON names the item before": (
        "SELECT 1 FROM a, b JOIN c ON c.id = a.id;\n",
        REFUSED,
    ),
    "in a view": ("CREATE VIEW v AS SELECT a.id FROM a, b JOIN c ON c.id = a.b_id;\n", REFUSED),
    "in a SQL function's body, read at creation": (
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$\n"
        "UPDATE a SET b_id = 1 FROM b JOIN c ON c.id = a.id $$;\n",
        ("invalid_definition", (2, "42P01")),
    ),
    # the forms that run
    "joins chained, each ON naming tables joined before it": (
        "SELECT 1 FROM a JOIN b ON b.a_ref = a.id JOIN c ON c.id = a.id AND c.id = b.id;\n"
        "UPDATE a SET b_id = b.id FROM b JOIN c ON c.id = b.id WHERE b.a_ref = a.id;\n"
        "DELETE FROM a USING b JOIN c ON c.id = b.id WHERE b.a_ref = a.id;\n",
        None,
    ),
    "an outer query's table, from a subquery": (
        "SELECT 1 FROM a WHERE EXISTS (SELECT 1 FROM b JOIN c ON c.id = a.id);\n",
        None,
    ),
    "a LATERAL item beside": (
        "SELECT 1 FROM a, LATERAL (SELECT a.id AS x) s JOIN c ON c.id = s.x;\n",
        None,
    ),
    "in a PL/pgSQL body, resolved when it runs": (
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN\n"
        "UPDATE a SET b_id = 1 FROM b JOIN c ON c.id = a.id; END $$;\n",
        None,
    ),
    "a join's own alias": (
        "SELECT 1 FROM a, (b JOIN c ON c.id = b.id) AS j WHERE j.a_ref = a.id;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_join_condition_is_judged_as_the_server_judges_it(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_kind_verdict(errors, refused, expected)
