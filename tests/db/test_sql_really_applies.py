"""The bundled SQL really runs on PostgreSQL.

These tests apply the bundled chain, the scenarios and the long histories with
plain psycopg, independently of migtui's own runner, so that a mistake in the
SQL is never mistaken for a mistake in the tool (or hidden by one).

Sections are split on the ``-- migrate:up`` / ``down`` / ``verify`` markers
(goose files on ``-- +goose Up`` / ``Down``). A section that wraps itself in
``BEGIN; … COMMIT;`` has that wrapper removed, as migtui does, and runs as one
script in one transaction; a ``transaction:false`` section runs statement by
statement in autocommit.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlparse

pytestmark = pytest.mark.db

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = REPO / "sql" / "migrations"
SCENARIOS = REPO / "sql" / "scenarios"
HISTORIES = REPO / "tests" / "fixtures" / "histories"

#: Scenarios built to stop part-way; each has its own test below.
SCENARIOS_THAT_STOP = {"missing-prerequisite", "out-of-order", "failing", "verify-fails"}

_NATIVE_MARKER = re.compile(r"^--\s*migrate:(up|down|verify)\b(.*)$", re.IGNORECASE)
_GOOSE_MARKER = re.compile(r"^--\s*\+goose\s+(Up|Down)\b(.*)$", re.IGNORECASE)
_GOOSE_NO_TRANSACTION = re.compile(r"^--\s*\+goose\s+NO\s+TRANSACTION\b", re.IGNORECASE)
_GOOSE_STATEMENT_FENCE = re.compile(r"^--\s*\+goose\s+Statement(Begin|End)\b", re.IGNORECASE)
_WRAPPER_LINE = re.compile(r"^(BEGIN|COMMIT)\s*;\s*$", re.IGNORECASE)
_VERSION = re.compile(r"^(\d+(?:_\d+)*)_")


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class Script:
    text: str
    transactional: bool = True


@dataclass(frozen=True)
class MigrationFile:
    path: Path
    up: Script
    down: Script | None
    verify: Script | None

    @property
    def version(self) -> tuple[int, ...]:
        match = _VERSION.match(self.path.name)
        assert match, f"{self.path.name}: no version prefix"
        return tuple(int(part) for part in match.group(1).split("_"))


def _without_wrapper(text: str) -> str:
    """Drop a section's own top-level BEGIN; / COMMIT; lines (the test's
    transaction replaces them, as migtui's does)."""
    return "\n".join(line for line in text.splitlines() if not _WRAPPER_LINE.match(line))


def parse_native(path: Path) -> MigrationFile:
    sections: dict[str, Script] = {}
    kind: str | None = None
    options = ""
    lines: list[str] = []

    def close() -> None:
        if kind is not None:
            sections[kind] = Script(
                _without_wrapper("\n".join(lines)),
                transactional="transaction:false" not in options.replace(" ", ""),
            )

    for line in path.read_text().splitlines():
        marker = _NATIVE_MARKER.match(line.strip())
        if marker:
            close()
            kind, options, lines = marker.group(1).lower(), marker.group(2), []
        elif kind is not None:
            lines.append(line)
    close()
    assert "up" in sections, f"{path}: no -- migrate:up section"
    return MigrationFile(path, sections["up"], sections.get("down"), sections.get("verify"))


def parse_goose(path: Path) -> MigrationFile:
    text = path.read_text()
    transactional = not any(_GOOSE_NO_TRANSACTION.match(line.strip()) for line in text.splitlines())
    sections: dict[str, list[str]] = {}
    kind: str | None = None
    for line in text.splitlines():
        marker = _GOOSE_MARKER.match(line.strip())
        if marker:
            kind = marker.group(1).lower()
            sections[kind] = []
        elif kind is not None and not _GOOSE_STATEMENT_FENCE.match(line.strip()):
            sections[kind].append(line)
    assert "up" in sections, f"{path}: no -- +goose Up section"
    up = Script(_without_wrapper("\n".join(sections["up"])), transactional)
    down = Script("\n".join(sections["down"]), transactional) if "down" in sections else None
    return MigrationFile(path, up, down, None)


def read_chain(folder: Path) -> list[MigrationFile]:
    files = sorted(folder.glob("*.sql"))
    assert files, f"{folder}: no migrations"
    is_goose = any("+goose" in f.read_text() for f in files)
    chain = [parse_goose(f) if is_goose else parse_native(f) for f in files]
    return sorted(chain, key=lambda m: m.version)


# --------------------------------------------------------------------------- running


def run_script(dsn: str, script: Script) -> None:
    """Run one section: one transaction, or statement by statement when it
    cannot run inside one."""
    if script.transactional:
        with psycopg.connect(dsn) as conn, conn.transaction():
            conn.execute(script.text)
        return
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in sqlparse.split(script.text):
            if sqlparse.format(statement, strip_comments=True).strip():
                conn.execute(statement)


def run_verify(dsn: str, script: Script) -> None:
    """Run a verify section inside a savepoint that is always rolled back."""
    with psycopg.connect(dsn) as conn, conn.transaction(), conn.transaction(force_rollback=True):
        conn.execute(script.text)


def apply_all(dsn: str, chain: list[MigrationFile], *, verify: bool = True) -> None:
    for migration in chain:
        try:
            run_script(dsn, migration.up)
            if verify and migration.verify:
                run_verify(dsn, migration.verify)
        except psycopg.Error as exc:
            pytest.fail(f"{migration.path.relative_to(REPO)}: {exc.sqlstate}: {exc}")


def roll_back_all(dsn: str, chain: list[MigrationFile]) -> None:
    for migration in reversed(chain):
        assert migration.down is not None, f"{migration.path.name}: no down section"
        try:
            run_script(dsn, migration.down)
        except psycopg.Error as exc:
            pytest.fail(f"{migration.path.relative_to(REPO)} (down): {exc.sqlstate}: {exc}")


_CATALOG_QUERIES = {
    "relations": """
        SELECT c.relkind::text || ' ' || n.nspname || '.' || c.relname
        FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind <> 'i'""",
    "columns": """
        SELECT concat_ws(' ', table_schema, table_name, column_name, data_type, is_nullable,
                         column_default)
        FROM information_schema.columns
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema')""",
    "indexes": """
        SELECT indexdef FROM pg_indexes
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema')""",
    "constraints": """
        SELECT n.nspname || '.' || conname || ' ' || pg_get_constraintdef(c.oid)
        FROM pg_constraint AS c JOIN pg_namespace AS n ON n.oid = c.connamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')""",
    "functions": """
        SELECT n.nspname || '.' || p.proname || '('
               || pg_get_function_identity_arguments(p.oid) || ')'
        FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')""",
    "triggers": """
        SELECT t.tgname || ' on ' || c.relname
        FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND NOT t.tgisinternal""",
    "types": """
        SELECT n.nspname || '.' || t.typname || ' ' || t.typtype::text
        FROM pg_type AS t JOIN pg_namespace AS n ON n.oid = t.typnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')""",
    "extensions": "SELECT extname FROM pg_extension",
    "schemas": "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'",
}


def catalog(dsn: str) -> dict[str, list[str]]:
    with psycopg.connect(dsn) as conn:
        return {
            name: sorted(row[0] for row in conn.execute(query))
            for name, query in _CATALOG_QUERIES.items()
        }


def applied_up_to(dsn: str, chain: list[MigrationFile], last: str) -> list[MigrationFile]:
    """Apply the chain up to and including the file whose name starts with ``last``."""
    names = [m.path.name for m in chain]
    stop = next(i for i, name in enumerate(names) if name.startswith(last + "_"))
    apply_all(dsn, chain[: stop + 1])
    return chain[: stop + 1]


def by_prefix(chain: list[MigrationFile], prefix: str) -> MigrationFile:
    return next(m for m in chain if m.path.name.startswith(prefix + "_"))


# --------------------------------------------------------------------------- server


@pytest.fixture
def dsn(pg_dsn: str) -> str:
    """A fresh, empty database for one test (the session's shared server)."""
    return pg_dsn


# --------------------------------------------------------------------------- the chain


def test_chain_applies_rolls_back_to_an_empty_schema_and_applies_again(dsn: str) -> None:
    chain = read_chain(MIGRATIONS)
    empty = catalog(dsn)

    apply_all(dsn, chain)
    applied = catalog(dsn)
    assert "r public.proposal_moves" in applied["relations"]
    assert "trg_prevent_move_immovable on calendar_events_new" in applied["triggers"]

    roll_back_all(dsn, chain)
    assert catalog(dsn) == empty

    apply_all(dsn, chain)
    assert catalog(dsn) == applied


def test_each_down_undoes_exactly_its_own_up(dsn: str) -> None:
    chain = read_chain(MIGRATIONS)
    for migration in chain:
        before = catalog(dsn)
        run_script(dsn, migration.up)
        assert migration.down is not None, f"{migration.path.name}: no down section"
        run_script(dsn, migration.down)
        assert catalog(dsn) == before, f"{migration.path.name}: down does not undo up"
        run_script(dsn, migration.up)


def test_0014_applied_twice_changes_nothing(dsn: str) -> None:
    chain = read_chain(MIGRATIONS)
    applied_up_to(dsn, chain, "0014")
    once = catalog(dsn)
    run_script(dsn, by_prefix(chain, "0014").up)
    assert catalog(dsn) == once


def test_0014_creates_the_function_even_when_an_overload_exists(dsn: str) -> None:
    # A name-only existence check would see this overload and skip the function
    # the trigger needs.
    chain = read_chain(MIGRATIONS)
    applied_up_to(dsn, chain, "0013_5")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION prevent_move_immovable(reason text) RETURNS text"
            " LANGUAGE sql AS $$ SELECT reason $$"
        )
    run_script(dsn, by_prefix(chain, "0014").up)
    assert "public.prevent_move_immovable()" in catalog(dsn)["functions"]
    assert "trg_prevent_move_immovable on calendar_events_new" in catalog(dsn)["triggers"]


def _user_with_immovable_event(conn: psycopg.Connection) -> uuid.UUID:
    user_id = conn.execute(
        "INSERT INTO users (email, timezone) VALUES ('lena@example.org', 'Europe/Berlin')"
        " RETURNING id"
    ).fetchone()[0]
    return conn.execute(
        "INSERT INTO calendar_events_new (user_id, title, event_type, start_at, end_at, is_movable)"
        " VALUES (%s, 'Organic Chemistry', 'class',"
        " '2025-03-04 08:00+01', '2025-03-04 09:30+01', false) RETURNING id",
        [user_id],
    ).fetchone()[0]


def test_0014_trigger_refuses_a_move_and_allows_a_rename(dsn: str) -> None:
    applied_up_to(dsn, read_chain(MIGRATIONS), "0014")
    with psycopg.connect(dsn, autocommit=True) as conn:
        event_id = _user_with_immovable_event(conn)
        with pytest.raises(psycopg.errors.CheckViolation) as refused:
            conn.execute(
                "UPDATE calendar_events_new SET start_at = start_at + interval '1 hour',"
                " end_at = end_at + interval '1 hour' WHERE id = %s",
                [event_id],
            )
        assert refused.value.sqlstate == "23514"
        assert str(event_id) in str(refused.value)

        conn.execute(
            "UPDATE calendar_events_new SET title = 'Organic Chemistry (lab)' WHERE id = %s",
            [event_id],
        )
        row = conn.execute(
            "SELECT title, start_at FROM calendar_events_new WHERE id = %s", [event_id]
        ).fetchone()
    assert row[0] == "Organic Chemistry (lab)"
    assert row[1].isoformat() == "2025-03-04T07:00:00+00:00"


def test_0014_verify_fails_when_the_trigger_is_missing(dsn: str) -> None:
    chain = read_chain(MIGRATIONS)
    applied_up_to(dsn, chain, "0014")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TRIGGER trg_prevent_move_immovable ON calendar_events_new")
    with pytest.raises(psycopg.errors.RaiseException, match="did not fire"):
        run_verify(dsn, by_prefix(chain, "0014").verify)


# --------------------------------------------------------------------------- scenarios


def _scenario_names() -> list[str]:
    return sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir())


def test_every_scenario_has_a_one_line_description() -> None:
    for name in _scenario_names():
        description = SCENARIOS / name / "DESCRIPTION"
        lines = description.read_text().strip().splitlines()
        assert len(lines) == 1 and lines[0].strip(), f"{name}: DESCRIPTION must be one line"


@pytest.mark.parametrize("name", [n for n in _scenario_names() if n not in SCENARIOS_THAT_STOP])
def test_scenario_applies_fully(dsn: str, name: str) -> None:
    chain = read_chain(SCENARIOS / name)
    apply_all(dsn, chain)
    roll_back_all(dsn, chain)
    assert catalog(dsn)["relations"] == []


def test_missing_prerequisite_0014_fails_with_undefined_table(dsn: str) -> None:
    chain = read_chain(SCENARIOS / "missing-prerequisite")
    applied_up_to(dsn, chain, "0013")
    with pytest.raises(psycopg.errors.UndefinedTable) as failed:
        run_script(dsn, by_prefix(chain, "0014").up)
    assert failed.value.sqlstate == "42P01"
    assert 'relation "proposal_moves" does not exist' in str(failed.value)
    # The failed migration left nothing behind.
    assert "baseline_version" not in " ".join(catalog(dsn)["columns"])


def test_out_of_order_applies_only_when_the_later_file_goes_first(dsn: str) -> None:
    chain = read_chain(SCENARIOS / "out-of-order")
    early, late = chain[-2], chain[-1]
    apply_all(dsn, chain[:-2])
    with pytest.raises(psycopg.errors.UndefinedTable):
        run_script(dsn, early.up)
    run_script(dsn, late.up)
    run_script(dsn, early.up)
    assert "trg_prevent_move_immovable on calendar_events_new" in catalog(dsn)["triggers"]


def test_failing_scenario_stops_at_its_known_line_and_rolls_the_migration_back(
    dsn: str,
) -> None:
    chain = read_chain(SCENARIOS / "failing")
    failing = next(m for m in chain if "division by zero" in m.path.read_text())
    before_failing = chain[: chain.index(failing)]
    apply_all(dsn, before_failing)
    kept = catalog(dsn)

    with pytest.raises(psycopg.errors.DivisionByZero) as failed:
        run_script(dsn, failing.up)
    assert failed.value.sqlstate == "22012"
    # The failing statement sits on the line the file's comment points to.
    lines = failing.path.read_text().splitlines()
    pointer = next(i for i, line in enumerate(lines) if "division by zero" in line)
    assert "/ free_minutes" in lines[pointer + 1]
    assert catalog(dsn) == kept


def test_verify_fails_scenario_applies_but_its_verify_catches_the_bug(dsn: str) -> None:
    chain = read_chain(SCENARIOS / "verify-fails")
    *rest, last = chain
    apply_all(dsn, rest)
    run_script(dsn, last.up)
    with pytest.raises(psycopg.errors.RaiseException, match="resized"):
        run_verify(dsn, last.verify)


def test_slow_notices_arrive_while_the_statement_runs(dsn: str) -> None:
    chain = read_chain(SCENARIOS / "slow-notices")
    apply_all(dsn, chain[:-1])
    arrivals: list[float] = []
    with psycopg.connect(dsn) as conn:
        conn.add_notice_handler(lambda _notice: arrivals.append(time.monotonic()))
        started = time.monotonic()
        with conn.transaction():
            conn.execute(chain[-1].up.text)
        finished = time.monotonic()
    assert len(arrivals) >= 5
    # The first notice came well before the statement ended: they stream.
    assert arrivals[0] - started < (finished - started) / 2


def test_non_transactional_scenario_really_needs_autocommit(dsn: str) -> None:
    chain = read_chain(SCENARIOS / "non-transactional")
    concurrent = [m for m in chain if not m.up.transactional]
    assert concurrent, "the scenario has no transaction:false migration"
    apply_all(dsn, chain[: chain.index(concurrent[0])])
    with pytest.raises(psycopg.errors.ActiveSqlTransaction):
        run_script(dsn, Script(concurrent[0].up.text, transactional=True))


# --------------------------------------------------------------------------- histories


def _history_names() -> list[str]:
    return sorted(p.name for p in HISTORIES.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", _history_names())
def test_history_applies_in_order(dsn: str, name: str) -> None:
    chain = read_chain(HISTORIES / name)
    apply_all(dsn, chain)
    assert len(catalog(dsn)["relations"]) > 5


@pytest.mark.parametrize("name", _history_names())
def test_history_rolls_back_to_an_empty_schema(dsn: str, name: str) -> None:
    chain = read_chain(HISTORIES / name)
    empty = catalog(dsn)
    apply_all(dsn, chain)
    roll_back_all(dsn, chain)
    assert catalog(dsn) == empty
