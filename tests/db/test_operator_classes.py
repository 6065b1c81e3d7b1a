"""An index on a column needs an operator class for its access method: the
type's default, or one named. `core.casts.default_opclass` is tried on the
server for every built-in type it judges and every access method, then check
is held to the server on whole migrations (`operator_class`, 42704)."""

from __future__ import annotations

import pytest

from migtui.core.casts import FAMILIES, default_opclass, enum
from server_verdicts import assert_same_verdict, runs

pytestmark = pytest.mark.db

METHODS = ("btree", "hash", "brin", "gin", "gist", "spgist")


def test_an_index_finds_an_operator_class_exactly_when_casts_says(pg_conn):
    pg_conn.execute("CREATE TYPE mood AS ENUM ('ok')")
    types = {name: name for name in FAMILIES} | {enum("public.mood"): "mood"}
    for sql in types.values():
        pg_conn.execute(f"CREATE TABLE of_{sql} (c {sql})")
    wrong = [
        f"USING {method} on {sql}: casts says {default_opclass(method, judged)}"
        for method in METHODS
        for judged, sql in types.items()
        if runs(pg_conn, f"CREATE INDEX ON of_{sql} USING {method} (c)")
        != default_opclass(method, judged)
    ]

    assert wrong == []


FIRST = "CREATE TABLE docs (id int, title text, body jsonb, raw json, tags text[]);\n"

#: (second migration, the line check names, or None when the server runs it)
CASES = {
    "gin on text": ("CREATE INDEX docs_title ON docs USING gin (title);\n", 1),
    "btree on json, after other work": (
        "CREATE INDEX docs_id ON docs (id);\nCREATE INDEX docs_raw ON docs (raw);\n",
        2,
    ),
    "gist on an integer": ("CREATE INDEX docs_id_gist ON docs USING gist (id);\n", 1),
    "an exclusion constraint comparing an integer with = under gist": (
        "ALTER TABLE docs ADD COLUMN during tstzrange;\n"
        "ALTER TABLE docs ADD CONSTRAINT one_at_a_time\n"
        "  EXCLUDE USING gist (id WITH =, during WITH &&);\n",
        2,
    ),
    "a primary key of a json column": ("ALTER TABLE docs ADD PRIMARY KEY (raw);\n", 1),
    # the ones that run
    "an exclusion constraint once btree_gist is there": (
        "CREATE EXTENSION IF NOT EXISTS btree_gist;\n"
        "ALTER TABLE docs ADD COLUMN during tstzrange;\n"
        "ALTER TABLE docs ADD CONSTRAINT one_at_a_time\n"
        "  EXCLUDE USING gist (id WITH =, during WITH &&);\n",
        None,
    ),
    "gin on jsonb, and on an array": (
        "CREATE INDEX docs_body ON docs USING gin (body);\n"
        "CREATE INDEX docs_tags ON docs USING gin (tags);\n",
        None,
    ),
    "gin on text with pg_trgm's operator class": (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
        "CREATE INDEX docs_title ON docs USING gin (title gin_trgm_ops);\n",
        None,
    ),
    "gist on an integer once btree_gist is there": (
        "CREATE EXTENSION IF NOT EXISTS btree_gist;\n"
        "CREATE INDEX docs_id_gist ON docs USING gist (id);\n",
        None,
    ),
    "an expression on json": ("CREATE INDEX docs_raw_id ON docs ((raw ->> 'id'));\n", None),
}


@pytest.mark.parametrize("case", CASES)
def test_check_says_an_index_has_no_operator_class_exactly_when_the_server_refuses(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "42704") if line else None, "operator_class")


VECTORS = (
    "CREATE EXTENSION IF NOT EXISTS vector;\n"
    "CREATE TABLE docs (id int, embedding vector NOT NULL, sized vector(3));\n"
)

#: (the second migration, the line check names, or None when it runs)
VECTOR_CASES = {
    "hnsw on a vector made without its dimensions": (
        "CREATE INDEX docs_e ON docs USING hnsw (embedding vector_cosine_ops);\n",
        1,
    ),
    "ivfflat on it": (
        "SELECT 1;\nCREATE INDEX docs_e ON docs USING ivfflat (embedding vector_l2_ops);\n",
        2,
    ),
    # the forms that run
    "on a vector with its dimensions, given them first, or by btree": (
        "CREATE INDEX docs_s ON docs USING hnsw (sized vector_cosine_ops);\n"
        "ALTER TABLE docs ALTER COLUMN embedding TYPE vector(3);\n"
        "CREATE INDEX docs_e ON docs USING ivfflat (embedding vector_l2_ops);\n",
        None,
    ),
}


@pytest.mark.parametrize("case", VECTOR_CASES)
def test_a_vector_index_needs_the_columns_dimensions(case, verdicts):
    second, line = VECTOR_CASES[case]
    errors, refused = verdicts(VECTORS, second)

    if line is None:
        assert_same_verdict(errors, refused, None, "operator_class")
        return
    assert refused is not None  # pgvector: "column does not have dimensions"
    [error] = errors
    assert (error.kind, error.line) == ("operator_class", line + 1)
