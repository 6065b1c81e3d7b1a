"""A routine whose body only makes triggers by SQL built at run time (diesel's
and sqlx's ``*_manage_updated_at``) leaves, when called, triggers the walk
cannot name, and nothing else unsure: a later migration's refusal is still an
error, and a DROP TRIGGER of what it made is not called missing. Each case
runs on the server too."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db

FIRST = (
    "CREATE FUNCTION manage_updated_at(_tbl regclass) RETURNS void AS $$\n"
    "BEGIN\n"
    "    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s '\n"
    "                   'FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()',\n"
    "                   _tbl);\n"
    "END;\n"
    "$$ LANGUAGE plpgsql;\n"
    "CREATE TYPE state AS ENUM ('new');\n"
    "CREATE TABLE posts (id int, updated_at timestamp);\n"
    "SELECT manage_updated_at('posts');\n"
)


def test_after_a_trigger_helper_a_refusal_is_still_an_error(verdicts):
    errors, refused = verdicts(FIRST, "CREATE TYPE state AS ENUM ('new');\n")

    assert refused == "42710"
    [error] = errors
    assert (error.kind, error.line) == ("already_exists", 2)


def test_a_trigger_the_helper_made_is_not_called_missing(verdicts):
    errors, refused = verdicts(FIRST, "DROP TRIGGER set_updated_at ON posts;\n")

    assert (refused, errors) == (None, [])


#: A helper that makes an index from its arguments, as some histories call
#: for each index they want
INDEX_HELPER = (
    "CREATE FUNCTION create_index(t text, i text, c text) RETURNS void AS $$\n"
    "BEGIN\n"
    "    EXECUTE 'CREATE INDEX IF NOT EXISTS ' || i || ' ON ' || t || ' (' || c || ')';\n"
    "END;\n"
    "$$ LANGUAGE plpgsql;\n"
    "CREATE TABLE items (id int, status text);\n"
    "SELECT create_index('items', 'idx_items_status', 'status');\n"
)


def test_after_an_index_helper_a_missing_table_is_still_an_error(verdicts):
    errors, refused = verdicts(INDEX_HELPER, "ALTER TABLE nosuch ADD COLUMN x int;\n")

    assert refused == "42P01"
    [error] = errors
    assert (error.kind, error.line) == ("missing_prerequisite", 2)


def test_an_index_the_helper_made_is_not_called_missing(verdicts):
    errors, refused = verdicts(
        INDEX_HELPER, "ALTER INDEX idx_items_status RENAME TO items_by_status;\n"
    )

    assert (refused, errors) == (None, [])
