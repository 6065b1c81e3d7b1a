"""Settling a dirty migration: what the history and the catalog show of it, then
the operator's word — it ran (mark applied), it did not (mark pending), or
finish it (run the statements that did not run)."""

from __future__ import annotations

from dataclasses import dataclass

from migtui.core.plan import DIRTY
from migtui.core.project import Analysis
from migtui.core.tools import ToolRun
from migtui.core.versions import Version, named
from migtui.db import ledger, tools
from migtui.db.connect import connect
from migtui.db.lock import acquire, unlock

APPLIED = "applied"
PENDING = "pending"


class NotDirty(ValueError):
    """The migration is not dirty: there is nothing to resolve."""


class NotProven(ValueError):
    """Marking it applied while objects it makes are missing needs the database's
    name and a reason."""


@dataclass(frozen=True)
class Evidence:
    """What is known of a dirty migration's half run."""

    version: str
    name: str
    #: the statements the history says ran, in order: {"index", "line", "tag"}
    ran: tuple[dict, ...]
    #: the statements after those, which did not run (or did not finish)
    remaining: tuple
    #: the objects the migration makes, found in the target or not
    present: tuple
    absent: tuple
    #: the last error the history kept for it
    message: str | None

    def lines(self) -> list[str]:
        """The evidence in words, for the CLI and the console alike."""
        out = []
        if self.ran:
            done = ", ".join(f"#{r['index'] + 1} (line {r['line']})" for r in self.ran)
            out.append(f"ran: {done}")
        else:
            out.append("ran: no statement finished, as far as the history knows")
        if self.remaining:
            rest = ", ".join(f"#{s.index + 1} (line {s.start_line})" for s in self.remaining)
            out.append(f"did not run: {rest}")
        if self.message:
            out.append(f"stopped with: {self.message.strip().splitlines()[0]}")
        for ref in self.present:
            out.append(f"exists: {ref}")
        for ref in self.absent:
            out.append(f"missing: {ref}")
        return out


def evidence(dsn: str, analysis: Analysis, version: str) -> Evidence:
    """What the history and the catalog say of a migration's last run."""
    from migtui.db.catalog import KINDS_READ, read_catalog

    info = analysis.get(version)
    if info is None:
        raise NotDirty(f"no migration {version} in this folder")
    up = info.sections.get("up")
    statements = up.statements if up else ()
    with connect(dsn) as conn:
        rows = []
        if ledger.history_exists(conn):
            rows = conn.execute(
                "SELECT action, outcome, statements, message FROM migtui.history"
                " WHERE version = %s ORDER BY id DESC",
                (info.version,),
            ).fetchall()
        catalog = read_catalog(conn)
    # The half run may have been taken up again (finish): every apply since the
    # last time the migration was whole, or settled, adds what it ran.
    ran_by_index: dict[int, dict] = {}
    message = rows[0][3] if rows else None
    for action, outcome, logged, _ in rows:
        if action != "apply" or outcome == "committed":
            break
        for s in logged or ():
            if s.get("section") == "up" and "sqlstate" not in s:  # a failed one did not run
                ran_by_index.setdefault(s["index"], s)
    ran = tuple(ran_by_index[i] for i in sorted(ran_by_index))
    done = set(ran_by_index)
    remaining = tuple(s for s in statements if s.index not in done)
    relations = {(r.schema, r.name) for r in info.provides if r.namespace == "relation"}
    made = [
        r
        for r in info.provides
        if r.kind in KINDS_READ  # a missing one is evidence
        # a table's row type is the table itself, not listed apart
        and not (r.kind == "type" and (r.schema, r.name) in relations)
    ]
    present = tuple(r for r in made if catalog.has(r))
    absent = tuple(r for r in made if not catalog.has(r))
    return Evidence(info.version, info.name, ran, remaining, present, absent, message)


@dataclass(frozen=True)
class Resolved:
    version: str
    name: str
    state: str  # APPLIED or PENDING


def resolve(
    dsn: str,
    analysis: Analysis,
    version: str,
    *,
    applied: bool,
    lock_wait: float = 0.0,
    ledger_table: str | None = None,
    confirm: str | None = None,
    reason: str | None = None,
) -> Resolved:
    """Mark a dirty migration applied (it ran to the end) or pending (it did not:
    run it again later), under the operator lock, with a history entry.

    Raises ConnectError, LockHeld, or NotDirty with a message for the operator.
    """
    settle = APPLIED if applied else PENDING
    with connect(dsn) as conn:
        acquire(conn, lock_wait)
        try:
            ledger.ensure_ledger(conn)
            state = ledger.read_state(conn, analysis, ledger_table)
            status = named(version, state.statuses, lambda s: Version(s.version, as_text=True))
            own = {r.version for r in ledger.read_rows(conn)}
            # migtui's ledger records it, the layout tool's does not: settled the same way
            disagrees = status is not None and status.version in own and not status.is_applied
            mismatch = status is not None and status.state == "ledger_mismatch"
            if status is None or (status.state != DIRTY and not disagrees and not mismatch):
                shown = status.state if status else "unknown"
                raise NotDirty(f"{version} is {shown}, not dirty: there is nothing to resolve")
            info = analysis.get(status.version)
            message = None
            if applied and status.state == DIRTY and info is not None:
                proof = evidence(dsn, analysis, status.version)
                if proof.absent:
                    names = ", ".join(str(r) for r in proof.absent)
                    if confirm != conn.info.dbname or not reason:
                        raise NotProven(
                            f"{status.version} makes objects the database does not have "
                            f"({names}): it did not finish. Finish it, mark it pending, or "
                            f"mark it applied with the database's name ({conn.info.dbname}) "
                            "and a reason"
                        )
                    message = f"marked applied though missing {names}; reason: {reason}"
            still = tuple(
                i
                for i in analysis.migrations
                if i.version != status.version
                and any(s.version == i.version and s.is_applied for s in state.statuses)
            )
            run = ToolRun(applied=still, root=analysis.root)
            with conn.transaction():
                if applied:
                    if status.version in own:
                        ledger.mark_dirty(conn, status.version, False)
                    elif info is not None:
                        ledger.record_applied(conn, info, duration_ms=None)
                else:
                    ledger.remove_applied(conn, status.version)
                # the layout tool's own record says the same (its dirty or failed mark goes)
                if state.tool is not None and state.tool.tool.writes and info is not None:
                    if applied:
                        tools.record(conn, state.tool, info, run)
                    else:
                        tools.forget(conn, state.tool, info, run)
                ledger.record_history(
                    conn,
                    action="resolve",
                    version=status.version,
                    name=status.name,
                    outcome=settle,
                    message=message,
                )
        finally:
            unlock(conn)
    return Resolved(status.version, status.name, settle)
