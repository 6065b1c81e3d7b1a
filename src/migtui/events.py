"""The runner's events: the only thing the faces (CLI, console) see of a run.

Each event is a frozen dataclass with a ``type`` (its name in NDJSON) and a
``ts`` (seconds since the epoch, set when it is made). ``to_json()`` gives the
fields as JSON-ready values, the same names the text output uses.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field, fields
from typing import ClassVar


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str] = "event"
    ts: float = field(default_factory=time.time)

    def to_json(self) -> dict:
        # Every field is a plain value (or a tuple of strings): read them by
        # name, without asdict's deep copy, for a stream of thousands.
        out: dict = {"type": self.type}
        for name in _field_names(type(self)):
            out[name] = getattr(self, name)
        return out


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _event(name: str):
    def wrap(cls):
        cls.type = name  # class attribute, seen by to_json and by type checks
        return cls

    return wrap


@_event("plan_started")
@dataclass(frozen=True, kw_only=True)
class PlanStarted(Event):
    direction: str  # "apply" | "rollback"
    steps: tuple[str, ...]  # versions, in the order they will run
    dry_run: bool = False
    step_mode: bool = False
    target: str = ""  # redacted DSN


@_event("lock_waiting")
@dataclass(frozen=True, kw_only=True)
class LockWaiting(Event):
    holder_pid: int | None = None
    holder_user: str | None = None
    holder_host: str | None = None
    holder_since: str | None = None
    holder_application: str | None = None
    wait_seconds: float = 0.0


@_event("lock_acquired")
@dataclass(frozen=True, kw_only=True)
class LockAcquired(Event):
    waited_seconds: float = 0.0


@_event("migration_started")
@dataclass(frozen=True, kw_only=True)
class MigrationStarted(Event):
    version: str
    name: str
    direction: str  # "up" | "down"
    file: str
    transactional: bool = True
    #: Outside a transaction of migtui's, the file's own BEGIN and COMMIT followed.
    own_transactions: bool = False
    statements: int = 0


@_event("statement_started")
@dataclass(frozen=True, kw_only=True)
class StatementStarted(Event):
    version: str
    section: str  # "up" | "down" | "verify"
    index: int
    file: str
    line: int
    end_line: int
    sql: str


@_event("notice")
@dataclass(frozen=True, kw_only=True)
class Notice(Event):
    version: str
    severity: str  # NOTICE, WARNING, INFO, …
    message: str
    sqlstate: str | None = None
    detail: str | None = None
    hint: str | None = None
    index: int | None = None  # statement running when it arrived

    @classmethod
    def quick(
        cls,
        version: str,
        severity: str,
        message: str,
        sqlstate: str | None,
        detail: str | None,
        hint: str | None,
        index: int | None,
    ) -> Notice:
        """The same event as the constructor makes, in a third of its time: a
        DO block can raise notices faster than a frozen dataclass is built."""
        notice = object.__new__(cls)
        notice.__dict__.update(
            ts=time.time(),
            version=version,
            severity=severity,
            message=message,
            sqlstate=sqlstate,
            detail=detail,
            hint=hint,
            index=index,
        )
        return notice


@_event("statement_finished")
@dataclass(frozen=True, kw_only=True)
class StatementFinished(Event):
    version: str
    section: str
    index: int
    command_tag: str
    rows: int | None
    duration_ms: float
    line: int = 0


@_event("statement_failed")
@dataclass(frozen=True, kw_only=True)
class StatementFailed(Event):
    version: str
    section: str
    index: int
    sqlstate: str | None
    message: str
    detail: str | None = None
    hint: str | None = None
    file: str = ""
    line: int = 0  # file line PostgreSQL's error position points at, else the statement's first
    duration_ms: float = 0.0
    context: str | None = None  # PL/pgSQL context, when the server gives one


@_event("verify_passed")
@dataclass(frozen=True, kw_only=True)
class VerifyPassed(Event):
    version: str
    statements: int = 0
    duration_ms: float = 0.0


@_event("verify_failed")
@dataclass(frozen=True, kw_only=True)
class VerifyFailed(Event):
    version: str
    message: str
    sqlstate: str | None = None
    file: str = ""
    line: int = 0


@_event("migration_committed")
@dataclass(frozen=True, kw_only=True)
class MigrationCommitted(Event):
    version: str
    direction: str
    #: The statements' own time (the server's work and its round trips).
    duration_ms: float
    #: From start to commit, pauses in step mode included.
    wall_ms: float | None = None
    dry_run: bool = False


@_event("migration_rolled_back")
@dataclass(frozen=True, kw_only=True)
class MigrationRolledBack(Event):
    version: str
    direction: str
    reason: str  # "failed" | "cancelled" | "verify_failed" | "dry_run" | "aborted"
    duration_ms: float = 0.0


@_event("plan_finished")
@dataclass(frozen=True, kw_only=True)
class PlanFinished(Event):
    direction: str
    outcome: str  # "done" | "failed" | "cancelled" | "aborted" | "refused" | "nothing_to_do"
    applied: tuple[str, ...] = ()
    failed: str | None = None
    duration_ms: float = 0.0
    dry_run: bool = False
    message: str = ""


@_event("step_paused")
@dataclass(frozen=True, kw_only=True)
class StepPaused(Event):
    """Step mode: the runner waits for next / continue / abort before this statement."""

    version: str
    section: str
    index: int
    line: int
    sql: str
