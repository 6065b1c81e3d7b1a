"""One operator at a time: a session advisory lock keyed on migtui's ledger.

The lock belongs to the connection that runs the plan, so it goes away with
that session, however the migtui process ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

#: The advisory lock's key, fixed so every migtui version agrees on it. Advisory
#: locks are per database: one lock per target, like the ledger.
LOCK_KEY = 0x6D6967747569  # "migtui" in ASCII


@dataclass(frozen=True)
class LockHolder:
    pid: int
    user: str | None
    host: str | None
    since: str | None  # when the holder's session started, ISO 8601
    application: str | None

    def describe(self) -> str:
        parts = [f"pid {self.pid}"]
        if self.user:
            parts.append(f"user {self.user}")
        if self.host:
            parts.append(f"host {self.host}")
        if self.since:
            parts.append(f"since {self.since}")
        if self.application:
            parts.append(f"application {self.application!r}")
        return ", ".join(parts)


class LockHeld(RuntimeError):
    """Another session holds the migtui lock."""

    def __init__(self, holder: LockHolder | None, waited: float) -> None:
        who = holder.describe() if holder else "another session (it just let go)"
        super().__init__(f"another migtui run holds the lock: {who}; waited {waited:.1f}s")
        self.holder = holder
        self.waited = waited


def try_lock(conn: psycopg.Connection) -> bool:
    return bool(conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0])


def unlock(conn: psycopg.Connection) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


def find_holder(conn: psycopg.Connection) -> LockHolder | None:
    row = conn.execute(
        """
        SELECT a.pid, a.usename,
               coalesce(a.client_hostname, host(a.client_addr), 'local socket'),
               to_char(a.backend_start, 'YYYY-MM-DD"T"HH24:MI:SSOF'), a.application_name
          FROM pg_locks l
          JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid = (%s::bigint >> 32)::oid
           AND l.objid = (%s::bigint & 4294967295)::oid
           AND l.objsubid = 1
         LIMIT 1
        """,
        (LOCK_KEY, LOCK_KEY),
    ).fetchone()
    return LockHolder(*row) if row else None


def acquire(
    conn: psycopg.Connection,
    wait_seconds: float = 0.0,
    *,
    on_wait: Callable[[LockHolder | None], None] | None = None,
    poll_seconds: float = 0.1,
) -> float:
    """Take the lock, waiting up to ``wait_seconds``; the seconds waited.

    ``on_wait`` is called once, with the holder, when the lock is busy.
    Raises LockHeld when it is still busy after the wait.
    """
    start = time.monotonic()
    if try_lock(conn):
        return 0.0
    holder = find_holder(conn)
    if on_wait is not None:
        on_wait(holder)
    deadline = start + max(0.0, wait_seconds)
    while time.monotonic() < deadline:
        time.sleep(min(poll_seconds, max(0.0, deadline - time.monotonic())))
        if try_lock(conn):
            return time.monotonic() - start
    raise LockHeld(find_holder(conn) or holder, time.monotonic() - start)
