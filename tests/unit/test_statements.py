"""Splitting scripts into statements: every statement must point at its real lines."""

from __future__ import annotations

import pytest

from migtui.core.statements import SplitError, split


def texts(sql: str, **kw) -> list[str]:
    return [s.text for s in split(sql, **kw).statements]


def test_plain_statements_with_their_file_lines():
    sql = "CREATE TABLE a (id int);\n\nCREATE TABLE b (\n  id int\n);\n"
    stmts = split(sql, start_line=10).statements
    assert [s.text for s in stmts] == ["CREATE TABLE a (id int);", "CREATE TABLE b (\n  id int\n);"]
    assert [(s.start_line, s.end_line) for s in stmts] == [(10, 10), (12, 14)]


def test_comments_before_a_statement_are_not_part_of_it():
    stmts = split("-- add users\n/* and more */\nSELECT 1;").statements
    assert stmts[0].text == "SELECT 1;"
    assert stmts[0].start_line == 3


def test_semicolons_in_comments_and_strings_do_not_split():
    sql = (
        "-- first; not a statement\n"
        "SELECT 'a;b', E'it\\'s; here', \"odd;name\" FROM t; /* c; /* nested; */ still; */\n"
        "SELECT 2;"
    )
    assert texts(sql) == [
        "SELECT 'a;b', E'it\\'s; here', \"odd;name\" FROM t;",
        "SELECT 2;",
    ]


def test_standard_strings_keep_backslashes_literal():
    # In a standard string a backslash is just a character: 'C:\' is closed.
    assert texts("SELECT 'C:\\'; SELECT 2;") == ["SELECT 'C:\\';", "SELECT 2;"]


def test_dollar_quotes_nested_with_different_tags():
    sql = (
        "DO $$\nBEGIN\n  EXECUTE $q$ CREATE TABLE x (a int); $q$;\n"
        "  CREATE FUNCTION f() RETURNS int AS $f$ SELECT 1; $f$ LANGUAGE sql;\nEND\n$$;\n"
        "SELECT 3;"
    )
    stmts = split(sql).statements
    assert len(stmts) == 2
    assert stmts[0].text.startswith("DO $$") and stmts[0].text.endswith("$$;")
    assert (stmts[1].start_line, stmts[1].text) == (7, "SELECT 3;")


def test_begin_atomic_bodies_stay_whole():
    sql = (
        "CREATE FUNCTION add_one(a int) RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n  SELECT a + 1;\nEND;\n"
        "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;\n"
    )
    stmts = split(sql).statements
    assert len(stmts) == 2
    assert all(s.category == "sql" for s in stmts)


def test_outer_begin_commit_is_the_migrations_own_transaction():
    sql = "BEGIN;\nALTER TABLE a ADD COLUMN b int;\nCREATE INDEX ON a (b);\nCOMMIT;\n"
    result = split(sql)
    assert result.wrapped
    assert result.wrapper_lines == (1, 4)
    assert [s.index for s in result.statements] == [0, 1]
    assert result.statements[0].start_line == 2


def test_transaction_control_inside_is_kept_and_marked():
    result = split("SELECT 1;\nCOMMIT;\nSELECT 2;\nSAVEPOINT s;\n")
    assert not result.wrapped
    # a savepoint ends no transaction: it is a statement like the others
    assert [s.category for s in result.statements] == ["sql", "transaction", "sql", "sql"]


def test_psql_meta_commands_are_their_own_statements():
    result = split("\\set ON_ERROR_STOP off\nSELECT 1;\n\\i other.sql\n")
    assert [(s.category, s.start_line) for s in result.statements] == [
        ("psql", 1),
        ("sql", 2),
        ("psql", 3),
    ]


def test_psql_settings_that_change_nothing_under_migtui_are_passed_over():
    # migtui stops at the first error anyway; the rest only print or format, or
    # set a variable the SQL never substitutes
    script = (
        "\\set ON_ERROR_STOP 1\n"
        "\\set ON_ERROR_STOP\n"
        "\\set QUIET on\n"
        "\\echo Upgrading to 4.2\n"
        "\\timing on\n"
        "\\pset pager off\n"
        "\\encoding UTF8\n"
        "\\set check_function_bodies false\n"
        "SELECT 1;\n"
        "\\dt\n"
        "\\unset ON_ERROR_ROLLBACK\n"
    )
    assert [(s.category, s.start_line) for s in split(script).statements] == [("sql", 9)]


@pytest.mark.parametrize(
    "command",
    [
        "\\unset ON_ERROR_STOP",  # psql goes on past a failing statement
        "\\set ON_ERROR_STOP off",
        "\\set ON_ERROR_ROLLBACK on",
        "\\set AUTOCOMMIT off",
        "\\set n 5",  # substituted below
        "\\encoding LATIN1",
        "\\c other_db",
        "\\q",
    ],
)
def test_psql_commands_that_change_what_runs_stay_statements(command):
    statements = split(f"{command}\nSELECT :n;\n").statements
    assert statements[0].category == "psql"
    assert statements[0].first_line_text == command


def test_statements_that_cannot_run_in_a_transaction_are_marked():
    sql = (
        "CREATE INDEX CONCURRENTLY i ON t (a);\n"
        "create unique index concurrently j on t (b);\n"
        "DROP INDEX CONCURRENTLY IF EXISTS k;\n"
        "CREATE INDEX l ON t (c);\n"
        "VACUUM t;\n"
        "ANALYZE t;\n"
        "VACUUM (ANALYZE) t;\n"
    )
    assert [s.no_transaction for s in split(sql).statements] == [
        True,
        True,
        True,
        False,
        True,
        False,  # ANALYZE alone runs in a transaction block
        True,
    ]


def test_byte_offsets_count_bytes_not_characters():
    sql = "SELECT 'é';\nSELECT 2;"
    first, second = split(sql, start_offset=100).statements
    assert (first.start_offset, first.end_offset) == (100, 100 + len("SELECT 'é';".encode()))
    raw = sql.encode()
    assert raw[second.start_offset - 100 : second.end_offset - 100] == b"SELECT 2;"


def test_error_position_maps_to_file_line():
    stmt = split("\n\nUPDATE t\n   SET a = 1/0\n WHERE id = 1;", start_line=20).statements[0]
    position = stmt.text.index("1/0") + 1  # PostgreSQL's 1-based position
    assert stmt.line_of(position) == 23


def test_goose_blocks_hold_statements_each_with_its_own_line():
    sql = (
        "-- +goose StatementBegin\n"
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
        "SELECT f();\n"
        "-- +goose StatementEnd\n"
        "SELECT 3; SELECT 4;\n"
    )
    stmts = split(sql, goose=True).statements
    assert [s.start_line for s in stmts] == [2, 3, 5, 5]
    assert stmts[0].text.endswith("LANGUAGE sql;")
    assert stmts[1].text == "SELECT f();"


@pytest.mark.parametrize("tool", ["goose", "migrate"])
def test_a_block_ends_its_statement_without_a_semicolon(tool):
    # goose and sql-migrate end the statement at StatementEnd, semicolon or not
    sql = (
        f"-- +{tool} StatementBegin\n"
        "CREATE TYPE s AS ENUM ('a', 'é')\n"
        f"-- +{tool} StatementEnd\n"
        "CREATE TABLE t (st s DEFAULT 'a');\n"
    )
    stmts = split(sql, goose=True, start_offset=10).statements
    assert [(s.start_line, s.text) for s in stmts] == [
        (2, "CREATE TYPE s AS ENUM ('a', 'é')"),
        (4, "CREATE TABLE t (st s DEFAULT 'a');"),
    ]
    raw = sql.encode()
    assert raw[stmts[1].start_offset - 10 : stmts[1].end_offset - 10] == stmts[1].text.encode()


def test_a_block_left_unfinished_is_refused_at_its_end_as_the_server_says():
    sql = (
        "-- ещё одна таблица\n-- +goose StatementBegin\nSELECT 'ä';\n-- +goose StatementEnd\n"
        "-- +goose StatementBegin\nCREATE TABLE metrics\n-- +goose StatementEnd\n"
    )
    [_, stmt] = split(sql, goose=True, start_line=6).statements
    message, position = stmt.syntax_error
    assert message == "syntax error at end of input"
    assert stmt.line_of(position) == 11


def test_goose_block_without_end_is_reported_with_its_line():
    with pytest.raises(SplitError) as err:
        split("SELECT 1;\n-- +goose StatementBegin\nSELECT 2;\n", goose=True, start_line=5)
    assert err.value.line == 6


@pytest.mark.parametrize(
    ("sql", "line", "what"),
    [
        ("SELECT 1;\nSELECT 'oops;\n", 2, "string"),
        ("SELECT 1;\n\n/* never closed\n", 3, "comment"),
        ("DO $body$ BEGIN END;\n", 1, "dollar"),
        ('SELECT "x;\n', 1, "identifier"),
    ],
)
def test_unterminated_quotes_name_their_line(sql, line, what):
    with pytest.raises(SplitError) as err:
        split(sql)
    assert err.value.line == line
    assert what in str(err.value)


def test_empty_and_comment_only_scripts_have_no_statements():
    assert split("").statements == ()
    assert split("-- nothing here\n/* at all */\n;\n").statements == ()


def test_each_statement_carries_its_parse_tree():
    first, second = split("CREATE TABLE a (id int);\nSELECT 1;").statements
    assert list(first.tree) == ["CreateStmt"]
    assert list(second.tree) == ["SelectStmt"]
    assert first.syntax_error is None


def test_a_statement_the_grammar_refuses_keeps_its_message_and_the_rest_is_parsed():
    sql = (
        "ALTER TABLE a ADD COLUMN x int\nALTER TABLE b ADD COLUMN y int;\nCREATE TABLE c (id int);"
    )
    stmts = split(sql, start_line=10).statements
    bad, good = stmts
    assert bad.tree is None
    message, position = bad.syntax_error
    assert 'syntax error at or near "ALTER"' in message
    assert bad.line_of(position) == 11
    assert list(good.tree) == ["CreateStmt"] and good.start_line == 12


def test_copy_from_stdin_data_is_not_read_as_sql():
    sql = "CREATE TABLE t (a int);\nCOPY t (a) FROM stdin;\n1\n2\n\\.\nSELECT 1;\n"
    stmts = split(sql).statements
    assert [(s.category, s.start_line) for s in stmts] == [
        ("sql", 1),
        ("sql", 2),
        ("copy_data", 3),
        ("sql", 6),
    ]
    assert all(s.syntax_error is None for s in stmts)
