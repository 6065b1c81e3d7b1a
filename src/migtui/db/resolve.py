"""Settling a dirty migration: the operator looked, and says whether it ran."""

from __future__ import annotations

from dataclasses import dataclass

from migtui.core.plan import DIRTY
from migtui.core.project import Analysis
from migtui.core.tools import ToolRun
from migtui.core.versions import Version
from migtui.db import ledger, tools
from migtui.db.connect import connect
from migtui.db.lock import acquire, unlock

APPLIED = "applied"
PENDING = "pending"


class NotDirty(ValueError):
    """The migration is not dirty: there is nothing to resolve."""


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
            status = next(
                (s for s in state.statuses if Version(s.version).same_number(version)),
                None,
            )
            own = {r.version for r in ledger.read_rows(conn)}
            # migtui's ledger records it, the layout tool's does not: settled the same way
            disagrees = status is not None and status.version in own and not status.is_applied
            if status is None or (status.state != DIRTY and not disagrees):
                shown = status.state if status else "unknown"
                raise NotDirty(f"{version} is {shown}, not dirty: there is nothing to resolve")
            info = analysis.get(status.version)
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
                    conn, action="resolve", version=status.version, name=status.name, outcome=settle
                )
        finally:
            unlock(conn)
    return Resolved(status.version, status.name, settle)
