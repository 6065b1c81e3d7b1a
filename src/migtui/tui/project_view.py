"""The project as the console shows it: the analysis, the ledger's word on each
migration, and the target it was read from. A plain value, made in a worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from migtui.core.project import Analysis, MigrationInfo
from migtui.core.versions import version_for
from migtui.tui import states


@dataclass(frozen=True)
class TargetInfo:
    """The database the console talks to, in words safe to show."""

    dsn_shown: str
    database: str = ""
    server_version: str = ""
    #: Who holds the migration lock when it was read; "" when nobody did.
    lock_holder: str = ""
    #: Whose ledger the states come from (migtui's, or the layout tool's).
    ledger: str = ""
    #: What to say about the ledgers as a whole.
    ledger_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """One line of the migrations table."""

    version: str
    name: str
    state: str
    info: MigrationInfo | None
    #: The ledger's record (MigrationStatus), when there is a database.
    status: Any = None

    @property
    def blocked(self) -> bool:
        return self.state == states.BLOCKED


@dataclass(frozen=True)
class ProjectView:
    analysis: Analysis
    target: TargetInfo | None = None
    #: version -> the ledger's MigrationStatus; empty when offline.
    statuses: dict[str, Any] = field(default_factory=dict)
    #: A note for the header when the database could not be read (offline fallback).
    note: str = ""
    #: Only the files were read: no analysis yet, so no state is known.
    listed_only: bool = False

    @property
    def live(self) -> bool:
        return self.target is not None

    def rows(self) -> list[Row]:
        """Every migration the files or the ledger know, in version order."""
        return list(self._rows)

    @cached_property
    def _rows(self) -> tuple[Row, ...]:
        # made once: the view is a frozen value, and the console asks often
        rows: dict[str, Row] = {}
        for info in self.analysis.migrations + self.analysis.repeatables:
            status = self.statuses.get(info.version)
            rows[info.version] = Row(
                info.version, info.name, self._state(info, status), info, status
            )
        for version, status in self.statuses.items():
            if version not in rows:
                rows[version] = Row(
                    version,
                    getattr(status, "name", ""),
                    states.word_for_ledger(getattr(status, "state", "missing")),
                    None,
                    status,
                )
        # a migration's own version orders it (node-pg-migrate's files sharing a
        # number are ordered by name, which the written version alone does not say)
        return tuple(
            sorted(
                rows.values(),
                key=lambda r: (
                    (0, r.info.migration.version)
                    if r.info is not None
                    else _order(r.version, self.analysis.layout)
                ),
            )
        )

    @cached_property
    def _by_version(self) -> dict[str, Row]:
        return {row.version: row for row in self._rows}

    def _state(self, info: MigrationInfo, status: Any) -> str:
        ledger = states.word_for_ledger(status.state) if status is not None else None
        if ledger in (states.APPLIED, states.DRIFTED, states.DIRTY, states.OUT_OF_ORDER):
            return ledger
        if info.blocked:
            return states.BLOCKED
        if ledger:
            return ledger
        return states.PENDING if self.live else states.NOT_CHECKED

    def row(self, version: str) -> Row | None:
        return self._by_version.get(version)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self._rows:
            out[row.state] = out.get(row.state, 0) + 1
        return out


def _order(version: str, layout: str) -> tuple:
    try:
        return (0, version_for(version, layout))
    except ValueError:
        return (1, version)
