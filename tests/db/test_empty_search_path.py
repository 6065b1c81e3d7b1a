"""After ``SET search_path = ''`` (or pg_dump's ``set_config('search_path',
'', false)``) a migration's session looks names without a schema up in
pg_catalog alone, and has no schema to create such a name in. A file written
by hand after a dump's header is refused at the first name it leaves bare;
check must say so at that line, and leave alone everything the server runs:
names with their schema, pg_catalog's own, temporary tables, and anything
after the path is set again."""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE TABLE people (id int PRIMARY KEY, name text);\n"
    "CREATE FUNCTION shout(text) RETURNS text LANGUAGE sql AS 'SELECT upper($1)';\n"
    "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"
    "CREATE SEQUENCE tickets;\n"
    "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n"
)
EMPTY = "SELECT pg_catalog.set_config('search_path', '', false);\n"

#: (the second migration, (the line check names, SQLSTATE), or None when it runs)
CASES = {
    "a table made without a schema": (
        "SET search_path = '';\nCREATE TABLE teams (id int);\n",
        (2, "3F000"),
    ),
    "a function made without a schema": (
        EMPTY + "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        (2, "3F000"),
    ),
    "an enum made without a schema": (
        EMPTY + "SELECT 1;\nCREATE TYPE size AS ENUM ('s', 'm');\n",
        (3, "3F000"),
    ),
    "a view made without a schema": (
        EMPTY + "CREATE VIEW names AS SELECT name FROM public.people;\n",
        (2, "3F000"),
    ),
    "an insert into a table named bare": (
        EMPTY + "INSERT INTO people VALUES (1, 'Ada');\n",
        (2, "42P01"),
    ),
    "an index on a table named bare": (
        EMPTY + "CREATE INDEX people_name ON people (name);\n",
        (2, "42P01"),
    ),
    "a call of the folder's function named bare": (
        EMPTY + "SELECT shout(name) FROM public.people;\n",
        (2, "42883"),
    ),
    "a column of the folder's type named bare": (
        EMPTY + "ALTER TABLE public.people ADD COLUMN feeling mood;\n",
        (2, "42704"),
    ),
    "a SQL function whose body names a table bare": (
        EMPTY + "CREATE FUNCTION public.headcount() RETURNS bigint LANGUAGE sql\n"
        "  AS 'SELECT count(*) FROM people';\n",
        (3, "42P01"),
    ),
    "a trigger's function named bare": (
        EMPTY + "CREATE TRIGGER stamped BEFORE INSERT ON public.people\n"
        "  FOR EACH ROW EXECUTE FUNCTION stamp();\n",
        (2, "42883"),
    ),
    "a default's sequence named bare in a string": (
        EMPTY + "ALTER TABLE public.people\n  ADD COLUMN ticket int DEFAULT nextval('tickets');\n",
        (3, "42P01"),
    ),
    "a relation named bare in a regclass string": (
        EMPTY + "SELECT 'pg_class'::regclass,\n  'people'::regclass;\n",
        (3, "42P01"),
    ),
    # the forms that run
    "a trigger, a sequence and a regclass with their schema": (
        EMPTY + "CREATE TRIGGER stamped BEFORE INSERT ON public.people\n"
        "  FOR EACH ROW EXECUTE FUNCTION public.stamp();\n"
        "ALTER TABLE public.people ADD COLUMN ticket int DEFAULT nextval('public.tickets');\n"
        "SELECT 'public.people'::regclass, nextval('public.tickets');\n",
        None,
    ),
    "what a dump writes: every name with its schema": (
        EMPTY + "CREATE TABLE public.teams (id serial PRIMARY KEY, title text, at date,\n"
        "  key uuid DEFAULT gen_random_uuid(), feeling public.mood);\n"
        "INSERT INTO public.teams (title, at) SELECT lower(name), now() FROM public.people;\n"
        "CREATE INDEX teams_title ON public.teams (lower(title));\n"
        "CREATE VIEW public.titles AS SELECT public.shout(title) FROM public.teams;\n",
        None,
    ),
    "pg_catalog's own tables and functions": (
        EMPTY + "SELECT count(*), max(relname) FROM pg_class JOIN pg_namespace ON true;\n",
        None,
    ),
    "a temporary table, made and used bare": (
        EMPTY + "CREATE TEMP TABLE scratch (id int);\nINSERT INTO scratch VALUES (1);\n",
        None,
    ),
    "a body left unchecked": (
        EMPTY + "SET check_function_bodies = false;\n"
        "CREATE FUNCTION public.headcount() RETURNS bigint LANGUAGE sql\n"
        "  AS 'SELECT count(*) FROM people';\n",
        None,
    ),
    "the path set again before the bare names": (
        EMPTY + "SET search_path = public;\nINSERT INTO people VALUES (1, 'Ada');\n"
        "CREATE TABLE teams (id int);\n",
        None,
    ),
    "the path reset": (
        "SET search_path = '';\nRESET search_path;\nCREATE TABLE teams (id int);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bare_names_under_an_empty_search_path(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    kind = "invalid_definition" if expected and expected[1] == "3F000" else "missing_prerequisite"
    assert_same_verdict(errors, refused, expected, kind)
