"""Recording migrations as applied in a database that has their objects but
no ledger, after checking that those objects are really there."""

from __future__ import annotations

from dataclasses import dataclass

from migtui.core.baseline import BaselineCheck, check_baseline
from migtui.core.project import Analysis
from migtui.core.tools import ToolRun
from migtui.db import ledger, tools
from migtui.db.catalog import read_catalog
from migtui.db.connect import connect
from migtui.db.lock import acquire, unlock


class BaselineRefused(ValueError):
    """The baseline would record something the database does not show."""

    def __init__(self, message: str, check: BaselineCheck | None = None) -> None:
        super().__init__(message)
        self.check = check


@dataclass(frozen=True)
class BaselineDone:
    check: BaselineCheck
    forced: bool
    #: The layout tool's ledger written beside migtui's, if any.
    tool_ledger: str | None = None


def baseline(
    dsn: str,
    analysis: Analysis,
    to: str,
    *,
    force: bool = False,
    reason: str | None = None,
    lock_wait: float = 0.0,
    ledger_table: str | None = None,
) -> BaselineDone:
    """Mark every migration up to ``to`` applied, under the operator lock, in
    one transaction with a history entry. Refused (BaselineRefused) when a
    ledger already records migrations, or — unless ``force`` — when objects
    those migrations leave behind are missing."""
    with connect(dsn) as conn:
        acquire(conn, lock_wait)
        try:
            if ledger.read_rows(conn):
                raise BaselineRefused(
                    "migtui's ledger already records migrations in this database: a baseline "
                    "is for a database no ledger records (see `migtui status`)"
                )
            found = tools.find_tool_ledger(conn, analysis.layout, ledger_table)
            if found is not None and any(
                s.applied for s in tools.read_tool_states(conn, found, analysis).values()
            ):
                raise BaselineRefused(
                    f"{found.describe()} already records migrations in this database: its "
                    "states are used as they are, no baseline is needed (see `migtui status`)"
                )
            try:
                check = check_baseline(analysis, to, read_catalog(conn))
            except ValueError as exc:
                raise BaselineRefused(str(exc)) from None
            if check.missing and not force:
                raise BaselineRefused(
                    f"{len(check.missing)} of the {len(check.expected)} objects that "
                    f"{check.versions[0]}…{check.to} leave behind are missing",
                    check,
                )
            ledger.ensure_ledger(conn)
            with conn.transaction():
                recorded: list = []
                for version in check.versions:
                    info = analysis.get(version)
                    ledger.record_applied(conn, info, duration_ms=None)
                    if found is not None and found.tool.writes:
                        tools.record(
                            conn, found, info, ToolRun(applied=tuple(recorded), root=analysis.root)
                        )
                    recorded.append(info)
                message = f"baseline: {len(check.versions)} migrations recorded as applied"
                if check.missing:
                    gone = ", ".join(str(r) for r in check.missing)
                    message += f"; forced though missing: {gone}"
                if reason:
                    message += f"; reason: {reason}"
                ledger.record_history(
                    conn,
                    action="baseline",
                    version=check.to,
                    name=analysis.get(check.to).name,
                    outcome="applied",
                    message=message,
                )
        finally:
            unlock(conn)
    return BaselineDone(check, bool(check.missing), found.describe() if found else None)
