"""The analysis never raises, whatever text it is given.

``split`` may refuse a script only with ``SplitError`` (an unterminated quote,
comment or goose block); ``analyze_script`` reads whatever ``split`` returned
without raising; ``analyze_dir`` turns anything odd in a folder into problems.
Three property tests hold them to it: the bundled migrations cut and glued at
random character positions, SQL built from a small grammar of awkward
fragments, and native-layout folders of such SQL.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from migtui.core.graph import analyze_dir
from migtui.core.model import Severity
from migtui.core.objects import analyze_script
from migtui.core.statements import SplitError, split

SQL_ROOT = Path(__file__).resolve().parents[2] / "sql"

#: Every bundled migration: sql/migrations/*.sql and sql/scenarios/*/*.sql.
CORPUS: tuple[str, ...] = tuple(
    path.read_text(encoding="utf-8")
    for path in sorted(SQL_ROOT.glob("migrations/*.sql"))
    + sorted(SQL_ROOT.glob("scenarios/*/*.sql"))
)
assert CORPUS, f"no bundled migrations under {SQL_ROOT}"

# The autouse fixture in tests/conftest.py only isolates the environment: reusing it
# across the examples of one test is harmless.
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


#: Found by these tests before the analysis caught RecursionError: deep nesting made
#: ``json.loads`` of pglast's parse tree (or a reader following it) exceed Python's
#: recursion limit. At the default limit of 1000, 492 terms of ``1+1+…`` were enough,
#: 197 nested CASEs, 326 nested IFs in a DO block; these are sized to fail also
#: under Hypothesis, which raises the limit to about 2000 free frames.
DEEP_CHAIN = "SELECT " + "1+" * 1499 + "1;"  # split: _parse_whole
DEEP_CASE = "SELECT " + "CASE WHEN true THEN " * 600 + "1" + " END" * 600 + ";"
DEEP_SQL_BODY = (  # analyze_script: the SQL function body, parsed on its own
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT " + "1+" * 1499 + "1 $$;"
)
DEEP_DO = "DO $$ BEGIN PERFORM " + "1+" * 1499 + "1; END $$;"  # analyze_script: PL/pgSQL
DEEP_IF = "DO $$ BEGIN " + "IF true THEN " * 700 + "NULL;" + " END IF;" * 700 + " END $$;"
DEEP_TOLERANT = "\\set x 1\n" + DEEP_CHAIN  # split: _parse_tolerant, piece by piece


def check_split_and_analyze(text: str, start_line: int = 1, goose: bool = False) -> None:
    """split refuses only with SplitError; what it returns is sane and analysable."""
    try:
        result = split(text, start_line=start_line, goose=goose)
    except SplitError:
        return
    last_line = text.count("\n") + 1 + start_line - 1
    size = len(text.encode("utf-8"))
    for statement in result.statements:
        assert start_line <= statement.start_line <= statement.end_line <= last_line, (
            statement.start_line,
            statement.end_line,
            statement.text,
        )
        assert 0 <= statement.start_offset <= statement.end_offset <= size, statement
    analyze_script(result.statements)


# -- 1. the bundled migrations, cut and glued --------------------------------------------

_SEPARATORS = st.sampled_from(["", "\n", ";\n", "\n\n", " "])


@st.composite
def corpus_mashups(draw) -> str:
    """1–3 bundled files glued together, then cut at random character positions."""
    parts = draw(st.lists(st.sampled_from(CORPUS), min_size=1, max_size=3))
    text = draw(_SEPARATORS).join(parts)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    # up to three cuts, each keeping a prefix, a suffix or dropping a middle slice
    for _ in range(draw(st.integers(0, 3))):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, len(text)))
        text = draw(st.sampled_from([text[:a], text[b:], text[a:b], text[:a] + text[b:]]))
    return text


@settings(max_examples=300, **_SETTINGS)
@given(text=corpus_mashups(), start_line=st.integers(1, 40), goose=st.booleans())
def test_bundled_migrations_cut_anywhere_never_break_the_analysis(text, start_line, goose):
    check_split_and_analyze(text, start_line, goose)


# -- 2. SQL from a grammar of awkward fragments ------------------------------------------

_NAMES = st.sampled_from(
    ["t", "users", "public.events", '"Odd;Name"', "s.t2", "café", '"ünï ✓"', "v", "f"]
)
_COLUMNS = st.sampled_from(["id", "c", "user_id", '"weird col"', "naïve"])
_TYPES = st.sampled_from(["int", "text", "uuid", "jsonb", "timestamptz", "numeric(10, 2)"])
_VALUES = st.sampled_from(
    ["1", "'a;b'", "E'it\\'s; here'", "$$x;y$$", "$q$ $$ ; $q$", "'ñ✓'", "NULL", "now()"]
)

_TEMPLATES = [
    # tables, indexes, views
    "CREATE TABLE {n} (id {ty} PRIMARY KEY, {c} {ty} DEFAULT {v});",
    "CREATE TABLE IF NOT EXISTS {n} (LIKE {n2} INCLUDING ALL);",
    "CREATE TABLE {n} AS SELECT {c} FROM {n2};",
    "CREATE INDEX ix_{i} ON {n} ({c});",
    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_{i} ON {n} USING btree ({c}) WHERE {c} IS NOT NULL;",
    "CREATE VIEW {n} AS SELECT {c}, count(*) FROM {n2} GROUP BY 1;",
    "CREATE OR REPLACE VIEW {n} AS SELECT * FROM {n2} JOIN {n} USING ({c});",
    "CREATE MATERIALIZED VIEW {n} AS WITH x AS (SELECT {v} AS {c}) SELECT * FROM x;",
    # functions
    "CREATE FUNCTION {n}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
    "    NEW.{c} := {v};\n    RETURN NEW;\nEND;\n$$;",
    "CREATE OR REPLACE FUNCTION {n}(a {ty}) RETURNS {ty} LANGUAGE sql AS $fn$ SELECT a FROM {n2} $fn$;",
    "CREATE FUNCTION {n}(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; END;",
    "CREATE FUNCTION {n}() RETURNS void AS 'SELECT 1' LANGUAGE sql;",
    "CREATE PROCEDURE {n}() LANGUAGE plpgsql AS $body$\nDECLARE r record;\nBEGIN\n"
    "    FOR r IN SELECT * FROM {n2} LOOP\n        PERFORM {v};\n    END LOOP;\n"
    "    UPDATE {n2} SET {c} = {v};\nEND $body$;",
    "CREATE FUNCTION {n}() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT count(*) "
    "FROM {n2}); END $$;",
    # DO blocks
    "DO $$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = '{i}') THEN\n"
    "        EXECUTE 'CREATE TABLE {i} (id int)';\n    END IF;\nEND\n$$;",
    "DO $do$\nBEGIN\n    CREATE TYPE {n} AS ENUM ('a', 'b;c');\nEXCEPTION\n"
    "    WHEN duplicate_object THEN NULL;\nEND\n$do$;",
    "DO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN %I {ty}', '{i}', 'x'); END $$;",
    "DO LANGUAGE plpgsql $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM {n}; "
    "RAISE NOTICE 'n=%', n; END $$;",
    "DO $$ BEGIN ALTER TABLE {n} RENAME TO {i}; EXCEPTION WHEN OTHERS THEN RAISE; END $$;",
    # alter, drop, rename
    "ALTER TABLE {n} ADD COLUMN IF NOT EXISTS {c} {ty} NOT NULL DEFAULT {v};",
    "ALTER TABLE {n} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty};",
    "ALTER TABLE ONLY {n} ADD CONSTRAINT {i}_fk FOREIGN KEY ({c}) REFERENCES {n2} (id) "
    "ON DELETE CASCADE;",
    "ALTER TABLE {n} RENAME TO {i};",
    "ALTER TABLE {n} RENAME COLUMN {c} TO {c2};",
    "ALTER INDEX IF EXISTS ix_{i} RENAME TO ix_{i}_old;",
    "ALTER FUNCTION {n}(int) RENAME TO {i};",
    "ALTER TABLE {n} SET SCHEMA archive;",
    "DROP TABLE IF EXISTS {n}, {n2} CASCADE;",
    "DROP INDEX CONCURRENTLY ix_{i};",
    "DROP FUNCTION IF EXISTS {n}(int, text);",
    "DROP VIEW {n};",
    "DROP TYPE {n};",
    # other objects
    "CREATE SCHEMA IF NOT EXISTS {i};",
    'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";',
    "CREATE EXTENSION pgcrypto WITH SCHEMA {i};",
    "CREATE TYPE {n} AS (a {ty}, b {ty});",
    "CREATE DOMAIN {n} AS {ty} CHECK (VALUE IS NOT NULL);",
    "CREATE TRIGGER tr_{i} BEFORE UPDATE ON {n} FOR EACH ROW EXECUTE FUNCTION {n2}();",
    "CREATE POLICY p_{i} ON {n} USING ({c} = current_user);",
    "COMMENT ON TABLE {n} IS {v};",
    "COMMENT ON COLUMN {n}.{c} IS 'x';",
    "GRANT SELECT, INSERT ON {n} TO PUBLIC;",
    "GRANT USAGE ON SCHEMA {i} TO app;",
    "REVOKE ALL ON FUNCTION {n}() FROM PUBLIC;",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA {i} GRANT SELECT ON TABLES TO app;",
    "SET search_path = {i}, public;",
    "SET LOCAL statement_timeout = '5s';",
    "INSERT INTO {n} ({c}) VALUES ({v}) ON CONFLICT DO NOTHING;",
    "UPDATE {n} SET {c} = {v} WHERE id IN (SELECT id FROM {n2});",
    "DELETE FROM {n} USING {n2} WHERE {n}.id = {n2}.id;",
    "SELECT {v}, {c} FROM {n} WHERE {c} > {v};",
    "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT * FROM r;",
    "VACUUM ANALYZE {n};",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY {n};",
    "CALL {n}();",
    "LOCK TABLE {n} IN ACCESS EXCLUSIVE MODE;",
    "TRUNCATE {n} RESTART IDENTITY;",
    "BEGIN;",
    "COMMIT;",
    "ROLLBACK;",
    "START TRANSACTION ISOLATION LEVEL SERIALIZABLE;",
    # comments, quotes, stray punctuation
    "-- a comment; with a semicolon and ünïcode ✓",
    "/* block; comment */",
    "/* nested /* comment; */ still */",
    "SELECT E'\\\\', E'\\'', 'it''s', U&'\\0041', B'101', X'1F';",
    'SELECT "quoted "" ident";',
    "SELECT $tag$ dollar $ quoted; $$ $tag$;",
    ";",
    ";;",
    "(",
    ")",
    "'",
    "$$",
    "/*",
    "*/",
    "--",
    "E'",
    '"',
    "SELEC * FORM {n};",
    "CREATE TABLE {n} (",
    "END;",
    "$1",
    # psql meta-commands and COPY data
    "\\set x 1",
    "\\echo hello; world",
    "\\i other.sql",
    "\\connect db",
    "\\gset",
    "COPY {n} ({c}, {c2}) FROM stdin;\n1\tfoo\n2\tbar;baz\n3\t'unterminated\n\\.",
    'COPY {n} FROM STDIN WITH (FORMAT csv);\na,"b;c"\n\\.',
    "COPY {n} TO stdout;",
    "\\copy {n} from 'data.csv' csv",
    # goose markers
    "-- +goose StatementBegin",
    "-- +goose StatementEnd",
    "-- +goose Up",
    "-- +goose Down",
]


#: Characters that open and close things in SQL, for short runs of noise.
_NOISE = st.text(alphabet="();'\"$\\/*-+|E \n\tabc1é", max_size=8)


@st.composite
def deep_fragment(draw) -> str:
    """Deeply nested SQL: long operator chains, nested CASE, IF and subqueries.

    Hypothesis runs a test with about 2000 free stack frames, twice Python's default
    recursion limit, so the depths reach about twice what fails outside it.
    """
    n = draw(st.integers(1, 3000))
    shape = draw(st.sampled_from(["parens", "chain", "union", "case", "if", "subquery"]))
    if shape == "parens":
        return "SELECT " + "(" * n + "1" + ")" * n + ";"
    if shape == "chain":
        chain = draw(st.sampled_from(["1", "'a'", "a"])) + draw(st.sampled_from(["+", " || "]))
        expression = chain * (n - 1) + "1"
        return draw(
            st.sampled_from(
                [
                    f"SELECT {expression};",
                    f"CREATE VIEW v AS SELECT {expression} AS x FROM t;",
                    f"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT {expression} $$;",
                    f"DO $$ BEGIN PERFORM {expression}; END $$;",
                ]
            )
        )
    if shape == "union":
        return "INSERT INTO t (a) " + " UNION ALL ".join(["SELECT 1"] * (n + 1)) + ";"
    n = min(n, 800)
    if shape == "case":
        return "SELECT " + "CASE WHEN true THEN " * n + "1" + " END" * n + ";"
    if shape == "if":
        return "DO $$ BEGIN " + "IF true THEN " * n + "NULL;" + " END IF;" * n + " END $$;"
    return "SELECT * FROM " + "(SELECT * FROM " * n + "t" + ") x" * n + ";"


@st.composite
def fragment(draw) -> str:
    template = draw(st.sampled_from(_TEMPLATES))
    return template.format(
        n=draw(_NAMES),
        n2=draw(_NAMES),
        i=draw(st.sampled_from(["x", "y_1", "t"])),
        c=draw(_COLUMNS),
        c2=draw(_COLUMNS),
        ty=draw(_TYPES),
        v=draw(_VALUES),
    )


_JOINERS = st.sampled_from(["\n", "\n\n", " ", "", "\r\n", "\t", ";\n"])


@st.composite
def generated_sql(draw, max_fragments: int = 12) -> str:
    """Fragments joined at random, then cut at random character positions."""
    fragments = draw(
        st.lists(
            st.one_of(fragment(), fragment(), fragment(), deep_fragment(), _NOISE),
            min_size=0,
            max_size=max_fragments,
        )
    )
    text = ""
    for piece in fragments:
        text += piece + draw(_JOINERS)
    for _ in range(draw(st.integers(0, 2))):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, len(text)))
        text = draw(st.sampled_from([text[:a], text[b:], text[:a] + text[b:], text]))
    return text


@settings(max_examples=300, **_SETTINGS)
@given(text=generated_sql(), start_line=st.integers(1, 40), goose=st.booleans())
@example(text=DEEP_CHAIN, start_line=1, goose=False)
@example(text=DEEP_CASE, start_line=1, goose=False)
@example(text=DEEP_SQL_BODY, start_line=1, goose=False)
@example(text=DEEP_DO, start_line=1, goose=False)
@example(text=DEEP_IF, start_line=1, goose=False)
@example(text=DEEP_TOLERANT, start_line=1, goose=False)
@example(
    text="-- +goose StatementBegin\nSELECT (\n-- éééé\n-- +goose StatementEnd\n",
    start_line=1,
    goose=True,
)
def test_generated_sql_never_breaks_the_analysis(text, start_line, goose):
    check_split_and_analyze(text, start_line, goose)


# -- 3. whole native-layout folders -------------------------------------------------------

_UP_MARKERS = st.sampled_from(
    ["-- migrate:up", "-- migrate:up transaction:false", "--migrate:up", "-- migrate:up bogus"]
)
_DOWN_MARKERS = st.sampled_from(["-- migrate:down", "-- migrate:down transaction:false", ""])


@st.composite
def native_file(draw) -> str:
    up, down = draw(generated_sql(max_fragments=8)), draw(generated_sql(max_fragments=4))
    layout = draw(st.sampled_from(["up-down", "down-up", "up-only", "none", "up-twice"]))
    up_marker, down_marker = draw(_UP_MARKERS), draw(_DOWN_MARKERS)
    if layout == "up-down":
        return f"{up_marker}\n{up}\n{down_marker}\n{down}\n"
    if layout == "down-up":
        return f"{down_marker}\n{down}\n{up_marker}\n{up}\n"
    if layout == "up-only":
        return f"{up_marker}\n{up}"
    if layout == "up-twice":
        return f"{up_marker}\n{up}\n{up_marker}\n{down}\n"
    return up


#: How a file is saved: mostly UTF-8, sometimes with a BOM, rarely not UTF-8 at all.
_ENCODINGS = st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "latin-1"])


@settings(max_examples=50, **_SETTINGS)
@given(
    files=st.lists(st.tuples(native_file(), _ENCODINGS), min_size=1, max_size=5),
    layout=st.sampled_from([None, "native"]),
)
@example(files=[(f"-- migrate:up\n\n-- migrate:down\n{DEEP_CHAIN}\n", "utf-8")], layout=None)
@example(files=[(f"-- migrate:up\n{DEEP_SQL_BODY}\n", "utf-8")], layout=None)
def test_native_folders_never_break_the_analysis(files, layout):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for number, (content, encoding) in enumerate(files, start=1):
            data = content.encode(encoding, errors="replace")
            (root / f"{number:04d}_x.sql").write_bytes(data)
        analysis = analyze_dir(root, layout=layout)
    for problem in analysis.problems:
        assert isinstance(problem.kind, str) and problem.kind, problem
        assert isinstance(problem.severity, Severity), problem
        assert problem.line is None or problem.line >= 1, problem
