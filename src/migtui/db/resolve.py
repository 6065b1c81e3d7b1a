"""Settling a dirty migration: the operator looked, and says whether it ran."""

from __future__ import annotations

from dataclasses import dataclass

from migtui.core.plan import DIRTY
from migtui.core.project import Analysis
from migtui.core.versions import Version
from migtui.db import ledger
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
    dsn: str, analysis: Analysis, version: str, *, applied: bool, lock_wait: float = 0.0
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
            status = next(
                (
                    s
                    for s in ledger.read_status(conn, analysis)
                    if Version(s.version).same_number(version)
                ),
                None,
            )
            if status is None or status.state != DIRTY:
                state = status.state if status else "unknown"
                raise NotDirty(f"{version} is {state}, not dirty: there is nothing to resolve")
            with conn.transaction():
                if applied:
                    ledger.mark_dirty(conn, status.version, False)
                else:
                    ledger.remove_applied(conn, status.version)
                ledger.record_history(
                    conn, action="resolve", version=status.version, name=status.name, outcome=settle
                )
        finally:
            unlock(conn)
    return Resolved(status.version, status.name, settle)
