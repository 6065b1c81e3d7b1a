"""migtui's own record in the target: schema ``migtui``.

``migtui.applied`` has one row per applied migration; ``migtui.history`` is an
append-only log of every apply, rollback, failure and resolve. The schema
creates and upgrades itself (``ensure_ledger``); reading a database that has
never seen migtui changes nothing (``read_status``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import socket
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import psycopg

from migtui import __version__
from migtui.config import scrub_secrets
from migtui.core.plan import (
    APPLIED,
    DIRTY,
    DRIFTED,
    FAILED,
    LEDGER_MISMATCH,
    MISSING,
    OUT_OF_ORDER,
    PENDING,
    UNRECORDED,
    MigrationStatus,
)
from migtui.core.project import LEDGER_SCHEMA, Analysis, MigrationInfo
from migtui.core.tools import ToolState
from migtui.core.tools.dbmate import shared_versions
from migtui.core.versions import Version, version_for
from migtui.db.tools import FoundLedger, find_tool_ledger, read_tool_states

__all__ = [
    "LEDGER_SCHEMA",
    "HistoryEntry",
    "MigrationStatus",
    "checksum",
    "ensure_ledger",
    "ledger_exists",
    "read_history",
    "read_status",
]


_APPLIED_TABLE = """
CREATE TABLE migtui.applied (
    version        text PRIMARY KEY,
    name           text NOT NULL,
    checksum       text NOT NULL,
    applied_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    applied_by     text NOT NULL DEFAULT current_user,
    host           text,
    migtui_version text,
    duration_ms    double precision,
    dirty          boolean NOT NULL DEFAULT false
)"""

#: The history as the first ledger made it (later upgrades add to it).
_HISTORY_TABLE = """
CREATE TABLE migtui.history (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    action         text NOT NULL,
    version        text NOT NULL,
    name           text,
    checksum       text,
    outcome        text NOT NULL,
    by_user        text NOT NULL DEFAULT current_user,
    host           text,
    migtui_version text,
    duration_ms    double precision,
    message        text,
    statements     jsonb NOT NULL DEFAULT '[]'
)"""

_HISTORY_APPEND_ONLY = (
    """
CREATE OR REPLACE FUNCTION migtui.history_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'migtui.history is append-only';
END $$""",
    """
CREATE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON migtui.history
    FOR EACH ROW EXECUTE FUNCTION migtui.history_is_append_only()""",
)

#: The time from start to commit, pauses included, beside the statements' own.
_HISTORY_WALL_MS = "ALTER TABLE migtui.history ADD COLUMN wall_ms double precision"

#: Each upgrade brings the ledger from version i to i + 1; never change what a
#: shipped one does.
_UPGRADES: tuple[str, ...] = (
    ";\n".join((_APPLIED_TABLE, _HISTORY_TABLE, *_HISTORY_APPEND_ONLY)),
    _HISTORY_WALL_MS,
)

#: A dropped ledger table made again as every upgrade so far leaves it.
_REPAIRS = {
    "applied": (_APPLIED_TABLE,),
    "history": (_HISTORY_TABLE, _HISTORY_WALL_MS, *_HISTORY_APPEND_ONLY),
}


def checksum(info: MigrationInfo) -> str:
    """SHA-256 of the up section's text, line endings normalized."""
    up = info.migration.up
    return _sha256(up.text if up else "")


@functools.lru_cache(maxsize=65536)
def _sha256(text: str) -> str:
    # kept: every read of the ledger compares every migration's file with its row
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def ledger_exists(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regclass('migtui.applied') IS NOT NULL").fetchone()
    return bool(row and row[0])


def ensure_ledger(conn: psycopg.Connection) -> int:
    """Create or upgrade the ledger; the schema version it is at afterwards.

    Call it holding the migtui lock, so two runs never upgrade at once.
    """
    with conn.transaction():
        conn.execute("CREATE SCHEMA IF NOT EXISTS migtui")
        conn.execute("CREATE TABLE IF NOT EXISTS migtui.ledger_version (version integer NOT NULL)")
        row = conn.execute("SELECT max(version) FROM migtui.ledger_version").fetchone()
        current = row[0] or 0
        missing = [t for t in ("applied", "history") if current and not _table_exists(conn, t)]
        if missing:
            # Someone dropped a ledger table but kept the schema: make the table
            # again as the upgrades left it. (The states were read before, with
            # the table gone, so what exists without a record was already found.)
            for table in missing:
                for statement in _REPAIRS[table]:
                    conn.execute(statement)
        for number, upgrade in enumerate(_UPGRADES[current:], start=current + 1):
            conn.execute(upgrade)
            conn.execute("INSERT INTO migtui.ledger_version VALUES (%s)", (number,))
        if missing:
            record_history(
                conn,
                action="repair",
                version="-",
                outcome="repaired",
                message=f"migtui.{' and migtui.'.join(missing)} had been dropped: made again, empty",
            )
    return len(_UPGRADES)


def history_exists(conn: psycopg.Connection) -> bool:
    return _table_exists(conn, "history")


def _table_exists(conn: psycopg.Connection, table: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"migtui.{table}",)).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class LedgerRow:
    version: str
    name: str
    checksum: str
    applied_at: datetime
    applied_by: str
    host: str | None
    migtui_version: str | None
    duration_ms: float | None
    dirty: bool


def read_rows(conn: psycopg.Connection) -> list[LedgerRow]:
    if not ledger_exists(conn):
        return []
    rows = conn.execute(
        "SELECT version, name, checksum, applied_at, applied_by, host, migtui_version,"
        " duration_ms, dirty FROM migtui.applied"
    ).fetchall()
    return [LedgerRow(*row) for row in rows]


@dataclass(frozen=True)
class LedgerState:
    """Every migration's state, and whose record it comes from."""

    statuses: list[MigrationStatus]
    #: The layout tool's ledger found in the target, if any.
    tool: FoundLedger | None = None
    #: Things to say about the ledgers as a whole (one line each).
    notes: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """Whose record the states follow, for a header."""
        if self.tool is None:
            return "migtui's ledger (migtui.applied)"
        return f"{self.tool.describe()}, with migtui's ledger beside it"


def read_state(
    conn: psycopg.Connection, analysis: Analysis, ledger_table: str | None = None
) -> LedgerState:
    """Every migration's state from the files, migtui's ledger and the layout
    tool's ledger when the target has one (its word decides what is applied,
    as the tool itself decides it)."""
    rows = read_rows(conn)
    found = find_tool_ledger(conn, analysis.layout, ledger_table)
    if found is None:
        statuses = status_from_rows(rows, analysis)
        if not ledger_exists(conn):
            return _without_any_ledger(conn, analysis, statuses)
        return LedgerState(_with_failures(conn, statuses))
    states = read_tool_states(conn, found, analysis)
    notes: list[str] = []
    if found.how == "renamed":
        notes.append(
            f"{found.tool.tool}'s ledger was found under another name: "
            f"{found.schema}.{found.table} (set [tool.migtui] ledger_table to say so)"
        )
    if found.tool.tool == "dbmate":
        for group in shared_versions(analysis.migrations):
            first = min(group, key=lambda v: analysis.get(v).migration.path.name)
            others = ", ".join(v for v in group if v != first)
            notes.append(
                f"dbmate reads only the leading digits of a file name: {', '.join(group)} are "
                f"one version to it. Its ledger's row stands for {first} (first by name); "
                f"dbmate itself stops at {others} with a duplicate key, so give them numbers "
                "of their own before dbmate runs this folder again"
            )
    merged = _merge(rows, states, found, analysis)
    if ledger_exists(conn):
        merged = _with_failures(conn, merged)
    return LedgerState(merged, found, tuple(notes))


def _with_failures(
    conn: psycopg.Connection, statuses: list[MigrationStatus]
) -> list[MigrationStatus]:
    """What the history adds to a migration the ledger does not record: its last
    apply failed (``failed``, with the error, until a run of it succeeds), or it
    committed though no row says so (``ledger_mismatch``, with the fix)."""
    if not _table_exists(conn, "history"):
        return statuses
    last = {
        version: (action, outcome, message, at)
        for version, action, outcome, message, at in conn.execute(
            "SELECT DISTINCT ON (version) version, action, outcome, message, at::text"
            " FROM migtui.history WHERE action IN ('apply', 'rollback', 'resolve')"
            " ORDER BY version, id DESC"
        ).fetchall()
    }
    out = []
    for status in statuses:
        action, outcome, message, at = last.get(status.version, (None, None, None, None))
        if status.state in (PENDING, OUT_OF_ORDER) and action == "apply":
            if outcome in ("failed", "verify_failed"):
                first = (message or "").strip().splitlines()
                note = status.note or (first[0] if first else None)
                status = replace(status, state=FAILED, note=note)
            elif outcome == "committed":
                note = (
                    f"the history says it was applied ({(at or '')[:19]}) but the ledger has no "
                    f"row: `migtui resolve {status.version} --applied` if its objects are "
                    "there, `--pending` if it was undone"
                )
                status = replace(status, state=LEDGER_MISMATCH, note=note)
        out.append(status)
    return out


def _without_any_ledger(
    conn: psycopg.Connection, analysis: Analysis, statuses: list[MigrationStatus]
) -> LedgerState:
    """A database no ledger has ever recorded: if the objects of the first
    migrations are there (restored from a dump, migrated by hand), say so
    rather than call them pending."""
    from migtui.core.baseline import unrecorded_prefix
    from migtui.db.catalog import read_catalog

    newest = unrecorded_prefix(analysis, read_catalog(conn))
    if newest is None:
        return LedgerState(statuses)
    order = [i.version for i in analysis.migrations]
    covered = set(order[: order.index(newest) + 1])
    marked = [replace(s, state=UNRECORDED) if s.version in covered else s for s in statuses]
    note = (
        f"the objects of {order[0]}…{newest} exist but no ledger records them: check, then "
        f"`migtui baseline --to {newest}` records them as applied"
    )
    return LedgerState(marked, notes=(note,))


def read_status(
    conn: psycopg.Connection, analysis: Analysis, ledger_table: str | None = None
) -> list[MigrationStatus]:
    """Every migration's state from the files and the ledgers, oldest first."""
    return read_state(conn, analysis, ledger_table).statuses


def _merge(
    rows: Sequence[LedgerRow],
    states: dict[str, ToolState],
    found: FoundLedger,
    analysis: Analysis,
) -> list[MigrationStatus]:
    """States as the tool's ledger decides them; migtui's own rows add who
    ran what, and where the two disagree a note says so and how to settle it."""
    own = {version_for(r.version, analysis.layout): r for r in rows}
    tool = found.tool.tool
    applied = [
        i.migration.version for i in analysis.migrations if states.get(i.version, _NOT).applied
    ]
    newest_applied = max(applied, default=None)
    statuses: list[MigrationStatus] = []
    for info in analysis.migrations:
        version = info.migration.version
        file_sum = checksum(info)
        row = own.get(version)
        state = states.get(info.version, _NOT)
        note = None
        if row is not None and row.dirty:
            statuses.append(_from_row(row, DIRTY, info.name, file_sum))
            continue
        if state.applied:
            if state.failed:
                kind = DIRTY
            elif state.matches is False or (row is not None and row.checksum != file_sum):
                kind = DRIFTED
            else:
                kind = APPLIED
            if row is None:
                statuses.append(
                    MigrationStatus(
                        info.version,
                        info.name,
                        kind,
                        state.applied_at,
                        state.checksum or file_sum,
                        file_sum,
                        applied_by=tool,
                    )
                )
            else:
                statuses.append(_from_row(row, kind, info.name, file_sum))
            continue
        if row is not None:
            note = (
                f"migtui's ledger says applied, {tool}'s says not ({tool} rolled it back?): "
                f"`migtui resolve {info.version} --pending` settles migtui's record"
            )
        elif state.failed:
            note = f"{tool}'s last run of it failed and was undone"
        kind = OUT_OF_ORDER if newest_applied is not None and version < newest_applied else PENDING
        statuses.append(
            MigrationStatus(info.version, info.name, kind, None, file_sum, file_sum, note=note)
        )
    return statuses


_NOT = ToolState(applied=False)


def status_from_rows(rows: Sequence[LedgerRow], analysis: Analysis) -> list[MigrationStatus]:
    by_version = {version_for(r.version, analysis.layout): r for r in rows}
    newest_applied = max(by_version, default=None)
    statuses: list[MigrationStatus] = []
    seen: set[Version] = set()
    for info in analysis.migrations:
        version = info.migration.version
        seen.add(version)
        file_sum = checksum(info)
        row = by_version.get(version)
        if row is None:
            state = (
                OUT_OF_ORDER if newest_applied is not None and version < newest_applied else PENDING
            )
            statuses.append(
                MigrationStatus(info.version, info.name, state, None, file_sum, file_sum)
            )
            continue
        if row.dirty:
            state = DIRTY
        elif row.checksum != file_sum:
            state = DRIFTED
        else:
            state = APPLIED
        statuses.append(_from_row(row, state, info.name, file_sum))
    for version, row in by_version.items():
        if version not in seen:
            statuses.append(_from_row(row, DIRTY if row.dirty else MISSING, row.name, None))
    statuses.sort(key=lambda s: version_for(s.version, analysis.layout))
    return statuses


def _from_row(row: LedgerRow, state: str, name: str, file_sum: str | None) -> MigrationStatus:
    return MigrationStatus(
        version=row.version,
        name=name,
        state=state,
        applied_at=row.applied_at.isoformat(),
        checksum=row.checksum,
        file_checksum=file_sum,
        applied_by=row.applied_by,
        host=row.host,
        duration_ms=row.duration_ms,
        migtui_version=row.migtui_version,
    )


# Writes. Each runs in whatever transaction the caller has open, so a migration's
# ledger row lands (or not) together with the migration itself.


def record_applied(
    conn: psycopg.Connection,
    info: MigrationInfo,
    *,
    duration_ms: float | None,
    dirty: bool = False,
) -> None:
    conn.execute(
        "INSERT INTO migtui.applied (version, name, checksum, host, migtui_version,"
        " duration_ms, dirty) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name,"
        " checksum = EXCLUDED.checksum, applied_at = clock_timestamp(),"
        " applied_by = current_user, host = EXCLUDED.host,"
        " migtui_version = EXCLUDED.migtui_version, duration_ms = EXCLUDED.duration_ms,"
        " dirty = EXCLUDED.dirty",
        (
            info.version,
            info.name,
            checksum(info),
            socket.gethostname(),
            __version__,
            duration_ms,
            dirty,
        ),
    )


def mark_dirty(conn: psycopg.Connection, version: str, dirty: bool) -> None:
    conn.execute("UPDATE migtui.applied SET dirty = %s WHERE version = %s", (dirty, version))


def remove_applied(conn: psycopg.Connection, version: str) -> int:
    cur = conn.execute("DELETE FROM migtui.applied WHERE version = %s", (version,))
    return cur.rowcount


def record_history(
    conn: psycopg.Connection,
    *,
    action: str,
    version: str,
    outcome: str,
    name: str | None = None,
    checksum_: str | None = None,
    duration_ms: float | None = None,
    message: str | None = None,
    statements: Sequence[dict] = (),
    wall_ms: float | None = None,
) -> None:
    conn.execute(
        "INSERT INTO migtui.history (action, version, name, checksum, outcome, host,"
        " migtui_version, duration_ms, message, statements, wall_ms)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s)",
        (
            action,
            version,
            name,
            checksum_,
            outcome,
            socket.gethostname(),
            __version__,
            duration_ms,
            scrub_secrets(message),
            json.dumps(list(statements)),
            wall_ms,
        ),
    )


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: str
    action: str  # apply | rollback | resolve
    version: str
    name: str | None
    outcome: str  # committed | failed | cancelled | verify_failed | dirty | applied | pending
    by_user: str
    host: str | None
    duration_ms: float | None
    message: str | None
    statements: tuple[dict, ...]
    wall_ms: float | None = None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "at": self.at,
            "action": self.action,
            "version": self.version,
            "name": self.name,
            "outcome": self.outcome,
            "by": self.by_user,
            "host": self.host,
            "duration_ms": self.duration_ms,
            "wall_ms": self.wall_ms,
            "message": self.message,
            "statements": list(self.statements),
        }


def read_history(conn: psycopg.Connection, limit: int | None = None) -> list[HistoryEntry]:
    """The history, oldest first (the newest ``limit`` entries when given)."""
    if not _table_exists(conn, "history"):
        return []
    # A ledger an older migtui made (not upgraded until the next run writes) has
    # no wall_ms column yet.
    wall = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'migtui.history'::regclass"
        " AND attname = 'wall_ms' AND NOT attisdropped)"
    ).fetchone()[0]
    rows = conn.execute(
        "SELECT id, at, action, version, name, outcome, by_user, host, duration_ms, message,"
        f" statements, {'wall_ms' if wall else 'NULL'} FROM migtui.history"
        " ORDER BY id DESC LIMIT %s",
        (limit,),
    ).fetchall()
    return [
        HistoryEntry(
            id=r[0],
            at=r[1].isoformat(),
            action=r[2],
            version=r[3],
            name=r[4],
            outcome=r[5],
            by_user=r[6],
            host=r[7],
            duration_ms=r[8],
            message=r[9],
            statements=tuple(r[10] or ()),
            wall_ms=r[11],
        )
        for r in reversed(rows)
    ]
