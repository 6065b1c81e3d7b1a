"""Statements sent ahead: libpq's pipeline mode, one result at a time.

A migration of 10,000 short statements spends most of its time waiting for
one round trip after another. In pipeline mode the statements of a chunk go
to the server together and their results come back in order; the runner
still reads them one by one, so its events keep their order: a statement's
start, its notices, its tag and rows.

Why a notice is still the right statement's: every statement is sent with
the extended protocol, so its replies begin with ParseComplete. libpq
handles a notice the moment it parses one, but stops parsing at a result the
caller has not collected yet, and the next statement's ParseComplete comes
before any notice its execution raises. A notice therefore reaches the
handler only while the runner is collecting its own statement's result. (A
notice the parser itself raises, such as an identifier being truncated,
comes before ParseComplete, and is told with the statement before it.)

Each statement is followed by a flush request, so its result leaves the
server when the statement ends, not when the chunk does: the output is as
live as one statement at a time.

Time per statement, in this mode, is the time between one result and the
next as the client sees them: the server works ahead, so short statements
show less than their own time and the sum is the chunk's.
"""

from __future__ import annotations

import select
from types import TracebackType

import psycopg
from psycopg import pq

#: Statements sent in one go: a cancel or a failure waits for no more than these.
CHUNK = 200

_EXEC = pq.ExecStatus


class StatementPipe:
    """Statements of one transaction sent ahead on ``conn``; ``result()`` gives
    each one's tag and rows, in order, or raises its error."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._pg = conn.pgconn
        self._encoding = conn.info.encoding

    def __enter__(self) -> StatementPipe:
        self._pg.enter_pipeline_mode()
        self._synced = False
        return self

    def send(self, texts: list[str]) -> None:
        for text in texts:
            self._pg.send_query_params(text.encode(self._encoding), None)
            # The server keeps a pipeline's replies until a sync unless asked:
            # a flush request after each statement sends its result (and so
            # the next statement's start) as soon as it is done.
            self._pg.send_flush_request()
        self._pg.pipeline_sync()
        self._synced = True
        # Read while writing: a server whose replies nobody reads stops reading.
        while self._pg.flush() != 0:
            readable, _, _ = select.select([self._pg.socket], [self._pg.socket], [])
            if readable:
                self._pg.consume_input()

    def result(self) -> tuple[str, int | None]:
        """The next statement's command tag and row count; its error, raised."""
        res = self._next()
        while self._next() is not None:  # one statement, one result, then a marker
            pass
        if res is None:
            raise psycopg.OperationalError("the server sent no result for a statement")
        if res.status == _EXEC.FATAL_ERROR:
            raise psycopg.errors.error_from_result(res, encoding=self._encoding)
        if res.status == _EXEC.PIPELINE_ABORTED:
            raise psycopg.errors.PipelineAborted("an earlier statement failed")
        status = res.command_status
        tag = status.decode(self._encoding, "replace") if status else ""
        return tag, res.command_tuples

    def _next(self) -> pq.PGresult | None:
        while self._pg.is_busy():
            select.select([self._pg.socket], [], [])
            self._pg.consume_input()
        return self._pg.get_result()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # Whatever was not read (after a failure: every statement aborted) is
        # read up to the sync point, and the connection leaves pipeline mode.
        try:
            if not self._synced:  # stopped before or while sending: end what went
                self._pg.pipeline_sync()
                while self._pg.flush() != 0:
                    select.select([], [self._pg.socket], [])
            for _ in range(2 * CHUNK + 4):  # a result and its marker per statement
                res = self._next()
                if res is not None and res.status == _EXEC.PIPELINE_SYNC:
                    break
            else:
                raise psycopg.OperationalError("the pipeline never reached its sync point")
            self._pg.exit_pipeline_mode()
        except psycopg.Error:
            if kind is None:
                raise
