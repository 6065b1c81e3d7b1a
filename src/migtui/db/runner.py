"""The one place that executes migrations against a target.

A Runner takes an analysis and a DSN, builds the plan from the ledger while
holding migtui's lock, and runs it, telling the faces (CLI, console) what
happens through typed events only. Each migration runs in one transaction with
its ledger row written inside it, so it lands whole or not at all; what
PostgreSQL cannot run in a transaction runs statement by statement, with the
ledger marked ``dirty`` around it.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import psycopg

from migtui.config import masked_query, redact_dsn
from migtui.core.model import Statement
from migtui.core.plan import (
    MigrationStatus,
    Plan,
    PlanStep,
    build_apply_plan,
    build_rollback_plan,
)
from migtui.core.project import FROM_LAYOUT, Analysis
from migtui.core.statements import (
    DEFAULT_PATH,
    control_of,
    copy_rows,
    is_set_transaction,
    rows_of_a_copy,
)
from migtui.core.tools import ToolRun
from migtui.core.tools.base import quote_ident, split_table
from migtui.db import ledger, pipeline, tools
from migtui.db.connect import connect, privilege_hint, without_password
from migtui.db.lock import LockHeld, LockHolder, acquire, unlock
from migtui.db.watch import StatementWatch
from migtui.events import (
    Event,
    LockAcquired,
    LockWaiting,
    MigrationCommitted,
    MigrationRolledBack,
    MigrationStarted,
    Notice,
    PlanFinished,
    PlanStarted,
    StatementFailed,
    StatementFinished,
    StatementStarted,
    StepPaused,
    VerifyFailed,
    VerifyPassed,
)

#: PlanFinished.outcome when another run holds the lock (the CLI exits 3).
OUTCOME_LOCKED = "locked"

_LOCK_NOT_AVAILABLE = "55P03"
_QUERY_CANCELED = "57014"
_DO_BLOCK_LINE = re.compile(r"inline_code_block line (\d+)")
_DOLLAR_QUOTE = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h)?\s*$")


_SEVERITY = psycopg.pq.DiagnosticField.SEVERITY_NONLOCALIZED
_SEVERITY_LOCALIZED = psycopg.pq.DiagnosticField.SEVERITY
_MESSAGE = psycopg.pq.DiagnosticField.MESSAGE_PRIMARY
_SQLSTATE = psycopg.pq.DiagnosticField.SQLSTATE
_DETAIL = psycopg.pq.DiagnosticField.MESSAGE_DETAIL
_HINT = psycopg.pq.DiagnosticField.MESSAGE_HINT

#: The runner's own session settings: the server notices a vanished client
#: mid-statement and rolls it back.
#: A statement giving a role or a database its own search_path.
#: The search_path a new session of this role, on this database, would take
#: (the role's on this database first, then the role's, then the database's).
_TAKE_DEFAULT_PATH = """
SELECT set_config('search_path', substr(setting, 13), false)
  FROM pg_db_role_setting, unnest(setconfig) AS setting
 WHERE setting LIKE 'search_path=%'
   AND setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
   AND setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = current_user))
 ORDER BY (setrole <> 0) DESC, (setdatabase <> 0) DESC
 LIMIT 1
"""
_SESSION_SETTINGS = "SELECT set_config('client_connection_check_interval', '1s', false)"


@dataclass(frozen=True)
class RunOptions:
    dry_run: bool = False
    step: str | None = None  # None | "statement" | "migration"
    lock_wait: float = 0.0  # seconds to wait for the advisory lock
    lock_timeout: str = "5s"
    statement_timeout: str | None = None
    allow_drift: bool = False
    #: Roll back through a step whose down section is known to fail.
    force_down: bool = False
    #: The layout tool's ledger table, when not its default name (config).
    ledger_table: str | None = None
    #: Told of each statement before and after it runs, on the run's connection
    #: inside its transaction (``rehearse`` reads the locks it took); with one,
    #: statements run one at a time.
    tracer: StatementTracer | None = None


class StatementTracer:
    """What a rehearsal watches; the runner calls it around each statement that succeeds."""

    def before(self, conn: psycopg.Connection) -> None:
        """Just before ``statement`` runs."""

    def after(
        self,
        conn: psycopg.Connection,
        version: str,
        section: str,
        statement: Statement,
        duration_ms: float,
    ) -> None:
        """Just after it ran, still inside its transaction."""

    def migration_started(self, version: str) -> None:
        """A migration's transaction begins: no lock is held yet."""


class StepControl:
    """How the operator drives step mode; every method is safe from any thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._permits = 0
        self._resumed = False
        self._aborted = False

    def next(self) -> None:
        """Run the next statement (or migration), then pause again."""
        with self._cond:
            self._permits += 1
            self._cond.notify_all()

    def resume(self) -> None:
        """Go on to the end without pausing."""
        with self._cond:
            self._resumed = True
            self._cond.notify_all()

    def abort(self) -> None:
        """Stop at the pause; the running migration rolls back."""
        with self._cond:
            self._aborted = True
            self._cond.notify_all()

    @property
    def resumed(self) -> bool:
        return self._resumed

    @property
    def aborted(self) -> bool:
        return self._aborted

    def wait(self, stop: threading.Event | None = None) -> bool:
        """Block until next / resume (True) or abort / ``stop`` (False)."""
        with self._cond:
            while True:
                if self._aborted or (stop is not None and stop.is_set()):
                    return False
                if self._resumed:
                    return True
                if self._permits:
                    self._permits -= 1
                    return True
                self._cond.wait(0.1)


class _StepFailed(Exception):
    """A migration stopped; ``reason`` is MigrationRolledBack's reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class Runner:
    def __init__(
        self,
        dsn: str,
        analysis: Analysis,
        *,
        options: RunOptions = RunOptions(),  # noqa: B008 - frozen, shared safely
        emit: Callable[[Event], None],
        control: StepControl | None = None,
    ) -> None:
        self.dsn = dsn
        self.analysis = analysis
        self.options = options
        self._emit = emit
        self._control = control if control is not None else StepControl()
        self._conn: psycopg.Connection | None = None
        self._cancelled = threading.Event()
        self._in_statement = False
        self._watch: StatementWatch | None = None
        self._cursor: psycopg.Cursor | None = None
        self._current: tuple[str, int] | None = None  # (version, index) notices belong to
        self._blockers: str | None = None
        self._step_ms = 0.0
        self._kept = True  # whether a failed step outside a transaction left work behind
        #: The layout tool's ledger this run keeps in step, and what is applied.
        self._tool: tools.FoundLedger | None = None
        self._applied: list[str] = []

    @property
    def control(self) -> StepControl:
        return self._control

    # -- what would run ------------------------------------------------------------------

    def statuses(self) -> list[MigrationStatus]:
        """Every migration's state; reads the target, changes nothing."""
        return self.ledger_state().statuses

    def ledger_state(self) -> ledger.LedgerState:
        """The states, and whose ledger they come from; changes nothing."""
        with connect(self.dsn) as conn:
            return ledger.read_state(conn, self.analysis, self.options.ledger_table)

    def plan_apply(self, to: str | None = None) -> Plan:
        return build_apply_plan(
            self.analysis, self.statuses(), to, allow_drift=self.options.allow_drift
        )

    def plan_rollback(
        self,
        *,
        to: str | None = None,
        steps: int | None = None,
        all: bool = False,  # noqa: A002
    ) -> Plan:
        return build_rollback_plan(
            self.analysis,
            self.statuses(),
            to=to,
            steps=steps,
            all=all,
            allow_drift=self.options.allow_drift,
            force=self.options.force_down,
        )

    # -- running -------------------------------------------------------------------------

    def apply(self, to: str | None = None) -> PlanFinished:
        return self._run(
            "apply",
            lambda statuses: build_apply_plan(
                self.analysis, statuses, to, allow_drift=self.options.allow_drift
            ),
        )

    def rollback(
        self,
        *,
        to: str | None = None,
        steps: int | None = None,
        all: bool = False,  # noqa: A002
    ) -> PlanFinished:
        return self._run(
            "rollback",
            lambda statuses: build_rollback_plan(
                self.analysis,
                statuses,
                to=to,
                steps=steps,
                all=all,
                allow_drift=self.options.allow_drift,
                force=self.options.force_down,
            ),
        )

    def finish(self, version: str) -> PlanFinished:
        """Run the statements of a dirty migration that did not run (the
        history says which did), outside a transaction as it ran, then record
        it applied."""
        from migtui.core.plan import DIRTY, Blocker, step_for
        from migtui.db.resolve import evidence

        def make_plan(statuses: list) -> Plan:
            status = next((s for s in statuses if s.version == version), None)
            info = self.analysis.get(version)
            if status is None or info is None or status.state != DIRTY:
                shown = status.state if status else "unknown"
                message = f"{version} is {shown}, not dirty: there is nothing to finish"
                return Plan("apply", blockers=(Blocker(version, "not_dirty", message),))
            remaining = evidence(self.dsn, self.analysis, info.version).remaining
            step = replace(step_for(info, "up"), statements=remaining, transactional=False)
            return Plan("apply", (step,))

        return self._run("apply", make_plan)

    def verify(self, version: str) -> bool:
        """Run one applied migration's verify section against the target, in a
        transaction that is always rolled back. True when it passes."""
        from migtui.core.plan import step_for

        info = self.analysis.get(version)
        if info is None or "verify" not in info.sections:
            raise ValueError(f"{version} has no verify section")
        step = step_for(info, "up")
        conn = self._connect()
        try:
            with conn.transaction(force_rollback=True):
                self._set_timeouts(conn, local=True)
                self._verify(conn, step, [])
            return True
        except _StepFailed:
            return False
        finally:
            self._stop_watching()
            self._conn = None
            conn.close()

    def _connect(self) -> psycopg.Connection:
        conn = connect(self.dsn)
        # A migration's statements run once each: psycopg need not count them
        # to prepare the ones it sees five times.
        conn.prepare_threshold = None
        self._conn = conn
        # Notices are read straight off libpq's result: psycopg's own handler
        # builds a Diagnostic whose every field costs a lookup, and a DO block
        # can raise a hundred thousand of them.
        self._notice_codec = conn.info.encoding
        conn.pgconn.notice_handler = self._on_notice
        return conn

    def _cursor_for(self, conn: psycopg.Connection) -> psycopg.Cursor:
        """One cursor for all of a run's statements (making one each costs more
        than a short statement)."""
        if self._cursor is None or self._cursor.connection is not conn:
            self._cursor = conn.cursor()
        return self._cursor

    def cancel(self) -> None:
        """Interrupt the running statement; its migration rolls back. Any thread."""
        self._cancelled.set()
        self._control.abort()
        conn = self._conn
        if conn is not None and self._in_statement:
            with contextlib.suppress(psycopg.Error):
                conn.cancel_safe(timeout=10)

    def _run(self, direction: str, make_plan: Callable[[list], Plan]) -> PlanFinished:
        started = time.perf_counter()
        conn = self._connect()
        try:
            self._session_settings(conn)
            try:
                waited = acquire(conn, self.options.lock_wait, on_wait=self._lock_waiting)
            except LockHeld as exc:
                return self._finish(direction, OUTCOME_LOCKED, started, message=str(exc))
            self._emit(LockAcquired(waited_seconds=waited))
            try:
                return self._run_locked(conn, direction, make_plan, started)
            except psycopg.Error as exc:
                # Outside any migration (the ledger, a privilege, the server going
                # away): the plan still ends, and says why.
                reason = " ".join(str(exc).split()) or type(exc).__name__
                sqlstate = getattr(exc, "sqlstate", None)
                hint = privilege_hint(reason) if sqlstate == "42501" else ""
                state = f"{sqlstate}: " if sqlstate else ""
                said = without_password(f"{state}{reason}{hint}", self.dsn)
                return self._finish(direction, "failed", started, message=said)
            finally:
                with contextlib.suppress(psycopg.Error):
                    unlock(conn)
        finally:
            self._stop_watching()
            self._conn = None
            conn.close()

    def _run_locked(
        self,
        conn: psycopg.Connection,
        direction: str,
        make_plan: Callable[[list], Plan],
        started: float,
    ) -> PlanFinished:
        with contextlib.ExitStack() as stack:
            if self.options.dry_run:
                # Everything, the ledger's own creation included, is undone at the end.
                stack.enter_context(conn.transaction(force_rollback=True))
            # Read before the ledger is made: a database no ledger has recorded is
            # told apart from one migtui is about to start recording.
            state = ledger.read_state(conn, self.analysis, self.options.ledger_table)
            ledger.ensure_ledger(conn)
            plan = make_plan(state.statuses)
            if plan.refused:
                message = "\n".join(str(b) for b in plan.blockers)
                return self._finish(direction, "refused", started, message=message)
            if not plan.steps:
                return self._finish(direction, "nothing_to_do", started)
            for schema in self.analysis.search_path[:-1]:  # flyway makes its schema
                if not conn.execute(
                    "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
                ).fetchone():
                    conn.execute(f"CREATE SCHEMA {quote_ident(schema)}")
            made = self._make_tool_ledger(conn, state, plan)
            if made is not None:
                state = replace(state, tool=made[0])
            refusal = self._keep_in_step(conn, state, stack)
            if refusal is not None:
                return self._finish(direction, "refused", started, message=refusal)
            self._emit(
                PlanStarted(
                    direction=direction,
                    steps=plan.versions,
                    dry_run=self.options.dry_run,
                    step_mode=self.options.step is not None,
                    target=redact_dsn(self.dsn),
                )
            )
            if made is not None:
                self._emit(Notice(version=made[1], severity="INFO", message=made[2]))
            return self._run_steps(conn, plan, started)
        raise AssertionError("unreachable")  # pragma: no cover - ExitStack never swallows

    def _make_tool_ledger(
        self, conn: psycopg.Connection, state: ledger.LedgerState, plan: Plan
    ) -> tuple[tools.FoundLedger, str, str] | None:
        """On a database nothing has migrated yet, make the layout tool's ledger
        when a migration uses it (a GRANT on dbmate's schema_migrations, a column
        added to golang-migrate's): the tool makes it before its first migration,
        and check counts on that. Its rows are then kept in step. Returns the
        ledger, the first version using it, and what to tell the operator."""
        if state.tool is not None or self.options.ledger_table or plan.direction != "apply":
            return None
        if any(s.is_applied for s in state.statuses):
            return None
        tool = next(iter(tools.for_layout(self.analysis.layout)), None)
        if tool is None or not tool.ledger_ddl:
            return None
        # in public, unless the tool keeps it in a schema of its own (drizzle, Supabase)
        schema, table = split_table(tool.table)
        schema = schema or "public"
        name = f"{schema}.{table}"
        user = next(
            (
                step.version
                for step in plan.steps
                for r in (step.info.requires if step.info is not None else ())
                if r.source == FROM_LAYOUT and r.ref.qualified == name
            ),
            None,
        )
        if user is None:
            return None
        found = tools.FoundLedger(tool, schema, table, "made")
        with conn.transaction():
            for sql in tool.ledger_ddl:
                conn.execute(sql.format(table=found.name))
        told = (
            f"made {tool.tool}'s ledger {name}, as {tool.tool} does before its first "
            f"migration: {user} uses it. migtui writes its rows as {tool.tool} would."
        )
        return found, user, told

    def _keep_in_step(
        self, conn: psycopg.Connection, state: ledger.LedgerState, stack: contextlib.ExitStack
    ) -> str | None:
        """Get ready to write the layout tool's rows beside migtui's own, holding
        the tool's lock; or say why this run must not go on."""
        self._tool = state.tool
        self._applied = [s.version for s in state.statuses if s.is_applied]
        found = state.tool
        if found is None:
            return None
        if not found.tool.writes:
            return (
                f"this database's migrations are recorded in {found.describe()}, which migtui "
                f"reads but does not write: run them with {found.tool.tool}, so its record "
                "stays whole"
            )
        taken, key = tools.try_tool_lock(conn, found)
        if not taken:
            holder = tools.lock_holder(conn, key) if key is not None else None
            by = f" (backend pid {holder})" if holder else ""
            return (
                f"{found.tool.tool} holds its migration lock on this database{by}: "
                f"another {found.tool.tool} run is migrating it; try again when it is done"
            )
        if key is not None:

            def release() -> None:
                with contextlib.suppress(psycopg.Error):
                    tools.release_tool_lock(conn, key)

            stack.callback(release)
        return None

    def _tool_run(self, step: PlanStep, duration: float | None) -> ToolRun:
        still = set(self._applied) - {step.version}
        applied = tuple(i for i in self.analysis.migrations if i.version in still)
        return ToolRun(duration_ms=duration, applied=applied, root=self.analysis.root)

    def _run_steps(self, conn: psycopg.Connection, plan: Plan, started: float) -> PlanFinished:
        done: list[str] = []
        for step in plan.steps:
            if self.options.step == "migration" and not self._pause(step, "", None):
                return self._finish(plan.direction, "aborted", started, done)
            try:
                if step.transactional:
                    self._run_in_transaction(conn, step)
                elif self.options.dry_run:
                    self._list_without_running(step)
                    continue
                else:
                    self._run_outside_transaction(conn, step)
            except _StepFailed as exc:
                outcome = {"cancelled": "cancelled", "aborted": "aborted"}.get(exc.reason, "failed")
                return self._finish(
                    plan.direction, outcome, started, done, failed=step.version, message=exc.message
                )
            done.append(step.version)
            self._fresh_session(conn, any(DEFAULT_PATH.search(st.text) for st in step.statements))
        return self._finish(plan.direction, "done", started, done)

    def _finish(
        self,
        direction: str,
        outcome: str,
        started: float,
        done: Sequence[str] = (),
        *,
        failed: str | None = None,
        message: str = "",
    ) -> PlanFinished:
        event = PlanFinished(
            direction=direction,
            outcome=outcome,
            applied=tuple(done),
            failed=failed,
            duration_ms=(time.perf_counter() - started) * 1000,
            dry_run=self.options.dry_run,
            message=message,
        )
        self._emit(event)
        return event

    def _lock_waiting(self, holder: LockHolder | None) -> None:
        self._emit(
            LockWaiting(
                holder_pid=holder.pid if holder else None,
                holder_user=holder.user if holder else None,
                holder_host=holder.host if holder else None,
                holder_since=holder.since if holder else None,
                holder_application=holder.application if holder else None,
                wait_seconds=self.options.lock_wait,
            )
        )

    # -- one migration -------------------------------------------------------------------

    def _migration_started(self, step: PlanStep) -> None:
        self._step_ms = 0.0  # the statements' own time, without pauses between them
        if self.options.tracer is not None:
            self.options.tracer.migration_started(step.version)
        self._emit(
            MigrationStarted(
                version=step.version,
                name=step.name,
                direction=step.direction,
                file=step.file,
                transactional=step.transactional,
                own_transactions=step.own_transactions,
                statements=len(step.statements),
            )
        )

    def _run_in_transaction(self, conn: psycopg.Connection, step: PlanStep) -> None:
        self._migration_started(step)
        started = time.perf_counter()
        log: list[dict] = []
        try:
            with conn.transaction():
                # SET TRANSACTION (an isolation level) must be the transaction's first
                # query: it runs before the runner's own settings.
                first = 0
                while first < len(step.statements) and is_set_transaction(step.statements[first]):
                    first += 1
                leading, rest = step.statements[:first], step.statements[first:]
                self._execute_all(conn, step, step.direction, leading, step.file, log)
                self._set_timeouts(conn, local=True)
                one_by_one = self.options.step == "statement" or self.options.tracer is not None
                # (COPY … FROM stdin sends its rows in its own exchange, outside a pipeline)
                if one_by_one or any(s.category == "copy_data" for s in rest):
                    self._execute_all(conn, step, step.direction, rest, step.file, log)
                else:
                    self._execute_pipelined(
                        conn, step.version, step.direction, rest, step.file, log
                    )
                if step.verify:
                    self._verify(conn, step, log)
                self._check_deferred(conn, step)
                wall = (time.perf_counter() - started) * 1000
                self._record_success(conn, step, self._step_ms, log, wall)
        except psycopg.Error as exc:  # the COMMIT itself refused (a deferred check)
            self._deferred_failed(step, exc)
            failed = _StepFailed("failed", self._deferred_message(step, exc))
            self._emit(
                MigrationRolledBack(
                    version=step.version,
                    direction=step.direction,
                    reason="failed",
                    duration_ms=self._step_ms,
                )
            )
            self._record_failure(conn, step, failed, self._step_ms, log)
            raise failed from None
        except _StepFailed as exc:
            self._rolled_back(conn, step, exc, log, (time.perf_counter() - started) * 1000)
            raise
        self._emit(
            MigrationCommitted(
                version=step.version,
                direction=step.direction,
                duration_ms=self._step_ms,
                wall_ms=wall,
                dry_run=self.options.dry_run,
            )
        )

    def _run_outside_transaction(self, conn: psycopg.Connection, step: PlanStep) -> None:
        """Statement by statement in autocommit, the ledger row dirty until the end;
        a file that controls its own transactions as it is written."""
        info = step.info
        self._migration_started(step)
        started = time.perf_counter()
        log: list[dict] = []
        with conn.transaction():
            if step.direction == "up":
                ledger.record_applied(conn, info, duration_ms=None, dirty=True)
            else:
                ledger.mark_dirty(conn, step.version, True)
        self._set_timeouts(conn, local=False)
        following = step.own_transactions
        self._kept = not following  # in autocommit every statement that runs stays
        try:
            if following:
                self._execute_following(conn, step, log)
            else:
                self._execute_all(conn, step, step.direction, step.statements, step.file, log)
            if step.verify:
                with conn.transaction(force_rollback=True):
                    self._verify(conn, step, log)
        except _StepFailed as exc:
            wall = (time.perf_counter() - started) * 1000
            if following and self._end_open_transaction(conn) and not self._kept:
                self._undo_dirty_mark(conn, step)
                self._rolled_back(conn, step, exc, log, wall)
                raise
            exc.message = (
                f"{exc.message}\n{step.version} ran outside a transaction and is now dirty: "
                f"check the database, then `migtui resolve {step.version} --applied` "
                "or `--pending`"
            )
            self._record_failure(conn, step, exc, self._step_ms, log, outcome="dirty", wall_ms=wall)
            raise
        finally:
            self._reset_timeouts(conn)
        wall = (time.perf_counter() - started) * 1000
        with conn.transaction():
            self._record_success(conn, step, self._step_ms, log, wall)
        self._emit(
            MigrationCommitted(
                version=step.version,
                direction=step.direction,
                duration_ms=self._step_ms,
                wall_ms=wall,
            )
        )

    def _rolled_back(
        self,
        conn: psycopg.Connection,
        step: PlanStep,
        exc: _StepFailed,
        log: list[dict],
        wall: float,
    ) -> None:
        """Say a step rolled back, and keep its failure in the history."""
        self._emit(
            MigrationRolledBack(
                version=step.version,
                direction=step.direction,
                reason=exc.reason,
                duration_ms=self._step_ms,
            )
        )
        self._record_failure(conn, step, exc, self._step_ms, log, wall_ms=wall)

    def _execute_following(self, conn: psycopg.Connection, step: PlanStep, log: list[dict]) -> None:
        """A section that controls its own transactions (``controls_transactions``),
        run as PostgreSQL runs such a file sent as one string: the statements
        outside the file's own blocks share an implicit transaction that its next
        COMMIT, or the end, closes (a BEGIN then takes them into its block); a
        statement refused in a transaction block (``CONCURRENTLY``) runs alone.
        ``self._kept`` turns true once anything has committed."""
        cursor = self._cursor_for(conn)
        for index, statement in enumerate(step.statements):
            if rows_of_a_copy(step.statements, index):
                continue  # sent with the COPY before it
            if self._cancelled.is_set():
                raise _StepFailed("cancelled", "cancelled before the next statement")
            if self.options.step == "statement" and not self._pause(
                step, step.direction, statement
            ):
                raise _StepFailed("aborted", "aborted by the operator")
            role = control_of(statement)
            idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            if idle and not role:
                if statement.no_transaction:
                    self._kept = True  # runs alone: stays even if it fails (an invalid index)
                else:
                    cursor.execute("BEGIN")
            rows = copy_rows(step.statements, index)
            self._execute_one(conn, step.version, step.direction, statement, step.file, log, rows)
            if role == "commit":
                self._kept = True
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self._check_deferred(conn, step)
            try:
                cursor.execute("COMMIT")
            except psycopg.Error as exc:
                self._deferred_failed(step, exc)
                raise _StepFailed("failed", self._deferred_message(step, exc)) from None

    def _end_open_transaction(self, conn: psycopg.Connection) -> bool:
        """Roll back what a failed statement left open. False: the connection is gone."""
        try:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.execute("ROLLBACK")
        except psycopg.Error:
            return False
        return not conn.closed

    def _undo_dirty_mark(self, conn: psycopg.Connection, step: PlanStep) -> None:
        """Nothing of the step committed: the ledger says what it said before."""
        if self.options.dry_run:
            return
        with contextlib.suppress(psycopg.Error), conn.transaction():
            if step.direction == "up":
                ledger.remove_applied(conn, step.version)
            else:
                ledger.mark_dirty(conn, step.version, False)

    def _check_deferred(self, conn: psycopg.Connection, step: PlanStep) -> None:
        """Deferred constraints are checked when the migration ends, not at the
        COMMIT: a dry run (which never commits) then sees them fail too, and a
        failure is the migration's, with its message."""
        try:
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        except psycopg.Error as exc:
            self._deferred_failed(step, exc)
            raise _StepFailed("failed", self._deferred_message(step, exc)) from None

    def _deferred_failed(self, step: PlanStep, exc: psycopg.Error) -> None:
        """A deferred check failing is the step's failure at its last statement:
        said as a statement_failed, with the SQLSTATE and the constraint."""
        diag = getattr(exc, "diag", None)
        last = step.statements[-1] if step.statements else None
        self._emit(
            StatementFailed(
                version=step.version,
                section=step.direction,
                index=last.index if last else 0,
                sqlstate=getattr(exc, "sqlstate", None),
                message=(diag.message_primary if diag else None) or " ".join(str(exc).split()),
                detail=diag.message_detail if diag else None,
                hint="a deferred constraint, checked as the migration ends",
                file=step.file,
                line=last.start_line if last else 0,
            )
        )

    def _deferred_message(self, step: PlanStep, exc: psycopg.Error) -> str:
        diag = getattr(exc, "diag", None)
        primary = (diag.message_primary if diag else None) or " ".join(str(exc).split())
        state = f"{exc.sqlstate}: " if getattr(exc, "sqlstate", None) else ""
        detail = f" ({diag.message_detail})" if diag and diag.message_detail else ""
        return (
            f"{step.file}: {state}{primary}{detail} — a deferred constraint, checked as "
            f"{step.version} ends"
        )

    def _list_without_running(self, step: PlanStep) -> None:
        self._migration_started(step)
        self._emit(
            MigrationRolledBack(version=step.version, direction=step.direction, reason="not_run")
        )

    def _record_success(
        self,
        conn: psycopg.Connection,
        step: PlanStep,
        duration: float,
        log: list[dict],
        wall_ms: float | None = None,
    ) -> None:
        if step.direction == "up":
            ledger.record_applied(conn, step.info, duration_ms=duration)
            if self._tool is not None:
                tools.record(conn, self._tool, step.info, self._tool_run(step, duration))
            self._applied.append(step.version)
        else:
            ledger.remove_applied(conn, step.version)
            if self._tool is not None:
                tools.forget(conn, self._tool, step.info, self._tool_run(step, duration))
            if step.version in self._applied:
                self._applied.remove(step.version)
        ledger.record_history(
            conn,
            action="apply" if step.direction == "up" else "rollback",
            version=step.version,
            name=step.name,
            checksum_=ledger.checksum(step.info),
            outcome="committed",
            duration_ms=duration,
            wall_ms=wall_ms,
            message=self._forced(step),
            statements=log,
        )

    def _forced(self, step: PlanStep, message: str | None = None) -> str | None:
        """The history says when an operator forced a rollback past a refusal."""
        if not (self.options.force_down and step.direction == "down"):
            return message
        said = "forced (--force): run though check or the preview expected this down to fail"
        return f"{said}\n{message}" if message else said

    def _record_failure(
        self,
        conn: psycopg.Connection,
        step: PlanStep,
        exc: _StepFailed,
        duration: float,
        log: list[dict],
        outcome: str | None = None,
        wall_ms: float | None = None,
    ) -> None:
        if self.options.dry_run:
            return  # nothing of a dry run is kept, its history included
        # The connection may be gone (server restart, terminated backend): the
        # events already told the operator; the history then misses this one line.
        with contextlib.suppress(psycopg.Error), conn.transaction():
            ledger.record_history(
                conn,
                action="apply" if step.direction == "up" else "rollback",
                version=step.version,
                name=step.name,
                checksum_=ledger.checksum(step.info),
                outcome=outcome or exc.reason,
                duration_ms=duration,
                wall_ms=wall_ms,
                message=self._forced(step, exc.message),
                statements=log,
            )

    def _verify(self, conn: psycopg.Connection, step: PlanStep, log: list[dict]) -> None:
        """Run the verify section in a savepoint that is always rolled back."""
        started = time.perf_counter()
        try:
            with conn.transaction(force_rollback=True):
                self._execute_all(conn, step, "verify", step.verify, step.verify_file, log)
        except _StepFailed as exc:
            if exc.reason != "failed":
                raise
            failure = next((e for e in reversed(log) if "sqlstate" in e), {})
            self._emit(
                VerifyFailed(
                    version=step.version,
                    message=exc.message,
                    sqlstate=failure.get("sqlstate"),
                    file=step.verify_file,
                    line=failure.get("line", 0),
                )
            )
            raise _StepFailed("verify_failed", f"verify failed: {exc.message}") from None
        self._emit(
            VerifyPassed(
                version=step.version,
                statements=len(step.verify),
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        )

    # -- statements ----------------------------------------------------------------------

    def _execute_all(
        self,
        conn: psycopg.Connection,
        step: PlanStep,
        section: str,
        statements: Sequence[Statement],
        file: str,
        log: list[dict],
    ) -> None:
        for index, statement in enumerate(statements):
            if rows_of_a_copy(statements, index):
                continue  # sent with the COPY before it
            if self._cancelled.is_set():
                raise _StepFailed("cancelled", "cancelled before the next statement")
            if self.options.step == "statement" and not self._pause(step, section, statement):
                raise _StepFailed("aborted", "aborted by the operator")
            rows = copy_rows(statements, index)
            self._execute_one(conn, step.version, section, statement, file, log, rows)

    def _execute_pipelined(
        self,
        conn: psycopg.Connection,
        version: str,
        section: str,
        statements: Sequence[Statement],
        file: str,
        log: list[dict],
    ) -> None:
        """A transaction's statements sent ahead in chunks (``db.pipeline``);
        their events are the same, in the same order, as one at a time."""
        for start in range(0, len(statements), pipeline.CHUNK):
            chunk = statements[start : start + pipeline.CHUNK]
            self._in_statement = True  # cancel() reaches whatever the server runs
            try:
                if self._cancelled.is_set():
                    raise _StepFailed("cancelled", "cancelled before the next statement")
                with pipeline.StatementPipe(conn) as pipe:
                    self._statement_started(version, section, chunk[0], file)
                    mark = time.perf_counter()
                    try:
                        pipe.send([statement.text for statement in chunk])
                    except psycopg.Error as exc:  # the connection went away
                        self._statement_failed(exc, version, section, chunk[0], file, 0.0, log)
                    for number, statement in enumerate(chunk):
                        if number:
                            self._statement_started(version, section, statement, file)
                        self._watch_statement(conn)
                        try:
                            tag, rows = pipe.result()
                        except psycopg.Error as exc:
                            duration = (time.perf_counter() - mark) * 1000
                            self._step_ms += duration
                            self._statement_failed(
                                exc, version, section, statement, file, duration, log
                            )
                        finally:
                            self._watch.end()
                            self._current = None
                        now = time.perf_counter()
                        duration, mark = (now - mark) * 1000, now
                        self._statement_finished(
                            version, section, statement, tag, rows, duration, log
                        )
            finally:
                self._in_statement = False

    def _watch_statement(self, conn: psycopg.Connection) -> None:
        if self._watch is None:
            delay = min(0.5, _seconds(self.options.lock_timeout) / 2 or 0.5)
            self._watch = StatementWatch(delay, self._note_blockers)
        self._watch.begin(conn.info.backend_pid)

    def _pause(self, step: PlanStep, section: str, statement: Statement | None) -> bool:
        """Step mode: say where we are and wait for the operator. False: abort."""
        if self._control.resumed:
            return not self._control.aborted
        self._emit(
            StepPaused(
                version=step.version,
                section=section,
                index=statement.index if statement else -1,
                line=statement.start_line if statement else 0,
                sql=statement.text if statement else "",
            )
        )
        return self._control.wait(self._cancelled)

    def _execute_one(
        self,
        conn: psycopg.Connection,
        version: str,
        section: str,
        statement: Statement,
        file: str,
        log: list[dict],
        rows: str | None = None,
    ) -> None:
        """One statement; ``rows``: the data a ``COPY … FROM stdin`` sends."""
        self._statement_started(version, section, statement, file)
        tracer = self.options.tracer
        if is_set_transaction(statement):
            tracer = None  # SET TRANSACTION must be the transaction's first query
        if tracer is not None:
            tracer.before(conn)
        started = time.perf_counter()
        try:
            with self._watching_for_blockers(conn):
                cursor = self._cursor_for(conn)
                if rows is None:
                    cursor.execute(statement.text)
                else:
                    with cursor.copy(statement.text) as copy:
                        copy.write(rows)
        except psycopg.Error as exc:
            duration = (time.perf_counter() - started) * 1000
            self._step_ms += duration
            self._statement_failed(exc, version, section, statement, file, duration, log)
        finally:
            self._current = None
        duration = (time.perf_counter() - started) * 1000
        rows = cursor.rowcount if cursor.rowcount >= 0 else None
        tag = cursor.statusmessage or ""
        if tracer is not None:
            tracer.after(conn, version, section, statement, duration)
        self._statement_finished(version, section, statement, tag, rows, duration, log)

    def _statement_started(
        self, version: str, section: str, statement: Statement, file: str
    ) -> None:
        self._emit(
            StatementStarted(
                version=version,
                section=section,
                index=statement.index,
                file=file,
                line=statement.start_line,
                end_line=statement.end_line,
                sql=statement.text,
            )
        )
        # notices from here on are this statement's
        self._current = (version, statement.index)
        self._blockers = None

    def _statement_finished(
        self,
        version: str,
        section: str,
        statement: Statement,
        tag: str,
        rows: int | None,
        duration: float,
        log: list[dict],
    ) -> None:
        self._step_ms += duration
        log.append(
            {
                "section": section,
                "index": statement.index,
                "line": statement.start_line,
                "tag": tag,
                "rows": rows,
                "ms": round(duration, 3),
            }
        )
        self._emit(
            StatementFinished(
                version=version,
                section=section,
                index=statement.index,
                command_tag=tag,
                rows=rows,
                duration_ms=duration,
                line=statement.start_line,
            )
        )

    def _statement_failed(
        self,
        exc: psycopg.Error,
        version: str,
        section: str,
        statement: Statement,
        file: str,
        duration: float,
        log: list[dict],
    ) -> None:
        diag = exc.diag
        sqlstate = diag.sqlstate or getattr(exc, "sqlstate", None)
        message = diag.message_primary or str(exc).strip().splitlines()[0]
        detail = diag.message_detail
        if sqlstate == _LOCK_NOT_AVAILABLE and self._blockers:
            detail = f"{detail}\n{self._blockers}" if detail else self._blockers
        line = error_line(statement, diag.statement_position, diag.context)
        log.append(
            {
                "section": section,
                "index": statement.index,
                "line": line,
                "sqlstate": sqlstate,
                "message": message,
                "ms": round(duration, 3),
            }
        )
        self._emit(
            StatementFailed(
                version=version,
                section=section,
                index=statement.index,
                sqlstate=sqlstate,
                message=message,
                detail=detail,
                hint=diag.message_hint,
                file=file,
                line=line,
                duration_ms=duration,
                context=diag.context,
            )
        )
        cancelled = sqlstate == _QUERY_CANCELED and self._cancelled.is_set()
        reason = "cancelled" if cancelled else "failed"
        where = f"{file}:{line}" if file else f"line {line}"
        text = f"{where}: {sqlstate or 'error'}: {message}"
        if detail:
            text += f" ({detail})"
        raise _StepFailed(reason, text) from None

    @contextlib.contextmanager
    def _watching_for_blockers(self, conn: psycopg.Connection) -> Iterator[None]:
        """While a statement runs, let cancel() reach it, and if it runs long enough
        to be waiting on a lock, note who blocks it (for a lock_timeout message)."""
        if self._watch is None:
            delay = min(0.5, _seconds(self.options.lock_timeout) / 2 or 0.5)
            self._watch = StatementWatch(delay, self._note_blockers)
        self._in_statement = True
        # cancel() sets its flag, then looks at _in_statement; here the other way
        # round: a cancel that came just before the statement is never lost.
        if self._cancelled.is_set():
            self._in_statement = False
            raise _StepFailed("cancelled", "cancelled before the statement started")
        self._watch.begin(conn.info.backend_pid)
        try:
            yield
        finally:
            self._in_statement = False
            self._watch.end()

    def _stop_watching(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None

    def _note_blockers(self, pid: int) -> None:
        try:
            with connect(self.dsn, connect_timeout=3) as watcher:
                rows = watcher.execute(
                    "SELECT pid, usename, application_name, left(query, 2000)"
                    "  FROM pg_stat_activity WHERE pid = ANY(pg_blocking_pids(%s))",
                    (pid,),
                ).fetchall()
        except Exception:  # noqa: BLE001 - best effort: only enriches a message
            return
        if rows:
            # another session's query may set a password: never quote one
            self._blockers = "; ".join(
                f"blocked by pid {p} (user {u}, application {a!r}): {masked_query(q)}"
                for p, u, a, q in rows
            )

    def _on_notice(self, result: psycopg.pq.abc.PGresult) -> None:
        current = self._current
        if current is None:
            return  # the ledger's own housekeeping
        field = result.error_field
        codec = self._notice_codec
        severity = field(_SEVERITY) or field(_SEVERITY_LOCALIZED)
        message = field(_MESSAGE)
        sqlstate = field(_SQLSTATE)
        detail = field(_DETAIL)
        hint = field(_HINT)
        self._emit(
            Notice.quick(
                current[0],
                severity.decode(codec, "replace") if severity else "NOTICE",
                message.decode(codec, "replace") if message else "",
                sqlstate.decode("ascii", "replace") if sqlstate else None,
                detail.decode(codec, "replace") if detail else None,
                hint.decode(codec, "replace") if hint else None,
                current[1],
            )
        )

    # -- settings ------------------------------------------------------------------------

    def _session_settings(self, conn: psycopg.Connection) -> None:
        conn.execute(_SESSION_SETTINGS)

    def _fresh_session(self, conn: psycopg.Connection, new_defaults: bool = False) -> None:
        """Undo what a migration set for the whole session (a pg_dump header's
        empty search_path, SET ROLE, client_min_messages …): the next one
        starts as it would run alone, and as check reads it. ``new_defaults``:
        the migration gave the role or the database a search_path of its own
        (``ALTER ROLE … SET search_path``), which a new session would take, as
        the next one does then."""
        conn.execute(f"RESET ROLE; RESET ALL; {_SESSION_SETTINGS}")
        if new_defaults:
            conn.execute(_TAKE_DEFAULT_PATH)

    def _set_timeouts(self, conn: psycopg.Connection, *, local: bool) -> None:
        conn.execute(
            "SELECT set_config('lock_timeout', %s, %s)", (self.options.lock_timeout, local)
        )
        first = self.analysis.search_path[:-1]
        if first:
            # as the layout's tool runs it (flyway: its default schema first),
            # and as check read it
            conn.execute(
                "SELECT set_config('search_path', %s || ', ' || current_setting('search_path'),"
                " %s)",
                (", ".join(quote_ident(s) for s in first), local),
            )
        if self.options.statement_timeout:
            conn.execute(
                "SELECT set_config('statement_timeout', %s, %s)",
                (self.options.statement_timeout, local),
            )

    def _reset_timeouts(self, conn: psycopg.Connection) -> None:
        with contextlib.suppress(psycopg.Error):
            conn.execute("RESET lock_timeout")
            conn.execute("RESET statement_timeout")


def error_line(statement: Statement, position: str | None, context: str | None) -> int:
    """The file line an error points at: PostgreSQL's error position in the
    statement, else the line inside a DO block its context names, else the
    statement's first line."""
    if position and position.isdigit():
        return statement.line_of(int(position))
    if context:
        found = _DO_BLOCK_LINE.findall(context)
        opener = _DOLLAR_QUOTE.search(statement.text)
        if found and opener and statement.text.lstrip().upper().startswith("DO"):
            # PL/pgSQL counts lines from the one holding the body's opening quote.
            opener_line = statement.start_line + statement.text.count("\n", 0, opener.start())
            return min(opener_line + int(found[-1]) - 1, statement.end_line)
    return statement.start_line


def _seconds(setting: str) -> float:
    """A PostgreSQL duration setting ('5s', '500ms', '2min', '0') in seconds."""
    match = _DURATION.match(setting or "")
    if not match:
        return 0.0
    value = float(match.group(1))
    unit = match.group(2) or "ms"
    return value * {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}[unit]
