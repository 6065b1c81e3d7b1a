"""Which migrations a run would execute, in which order, and what refuses it.

Pure: the analysis (files) and the ledger's statuses (plain values) in, a Plan
out. A plan with blockers is refused as a whole, before any statement runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migtui.core.model import Severity, Statement
from migtui.core.project import Analysis, MigrationInfo
from migtui.core.statements import (
    control_of,
    controls_transactions,
    copy_rows,
    is_copy_from_stdin,
    rows_of_a_copy,
    split,
)
from migtui.core.versions import Version, named, version_for

# Migration states, in the one spelling used by the CLI, the console and JSON.
PENDING = "pending"
APPLIED = "applied"
DRIFTED = "drifted"
MISSING = "missing"
DIRTY = "dirty"
OUT_OF_ORDER = "out_of_order"
#: Its objects exist in the target, but no ledger records it: baseline first.
UNRECORDED = "unrecorded"
#: Not applied, and its last run failed (the history says how); it may run again.
FAILED = "failed"
#: The history says it was applied, but the ledger has no row for it.
LEDGER_MISMATCH = "ledger_mismatch"
STATES = (
    PENDING,
    APPLIED,
    DRIFTED,
    MISSING,
    DIRTY,
    OUT_OF_ORDER,
    UNRECORDED,
    FAILED,
    LEDGER_MISMATCH,
)

#: Transaction control a migration may not issue itself: the runner owns the transaction.
_SAVEPOINT_KINDS = frozenset(
    {"TRANS_STMT_SAVEPOINT", "TRANS_STMT_RELEASE", "TRANS_STMT_ROLLBACK_TO"}
)


@dataclass(frozen=True)
class MigrationStatus:
    """One migration as the files and the ledger see it together."""

    version: str
    name: str
    state: str
    applied_at: str | None = None  # ISO 8601, from the ledger
    checksum: str | None = None  # ledger's checksum when applied, else the file's
    file_checksum: str | None = None
    applied_by: str | None = None
    host: str | None = None
    duration_ms: float | None = None
    migtui_version: str | None = None
    #: Where migtui's own ledger and the layout tool's disagree, and the fix.
    note: str | None = None

    @property
    def is_applied(self) -> bool:
        return self.state in (APPLIED, DRIFTED, MISSING, DIRTY)

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "name": self.name,
            "state": self.state,
            "applied_at": self.applied_at,
            "checksum": self.checksum,
            "note": self.note,
        }


@dataclass(frozen=True)
class PlanStep:
    version: str
    name: str
    direction: str  # "up" | "down"
    file: str
    transactional: bool
    statements: tuple[Statement, ...]
    verify: tuple[Statement, ...] = ()
    verify_file: str = ""
    info: MigrationInfo | None = field(default=None, compare=False, repr=False)

    @property
    def own_transactions(self) -> bool:
        """Run outside a transaction of the runner's, the file's own BEGIN and
        COMMIT followed (``statements.controls_transactions``)."""
        return not self.transactional and controls_transactions(self.statements)


@dataclass(frozen=True)
class Blocker:
    """Why a plan is refused: what, on which migration and object, and what to do."""

    version: str | None
    kind: str
    message: str
    hint: str = ""
    object: str | None = None
    file: str | None = None
    line: int | None = None
    #: The operator may run the step anyway (a down section check expects to fail).
    overridable: bool = False

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        mentioned = self.version and self.version in self.message.split()
        head = f"{self.version}: " if self.version and not mentioned else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{head}{self.message}{hint}"

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "kind": self.kind,
            "object": self.object,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Plan:
    direction: str  # "apply" | "rollback"
    steps: tuple[PlanStep, ...] = ()
    blockers: tuple[Blocker, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.blockers)

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(s.version for s in self.steps)


def _version(analysis: Analysis, text: str) -> Version:
    """A ledger's version text, ordered as the project's layout orders versions."""
    return version_for(text, analysis.layout)


def _by_version(
    analysis: Analysis, statuses: list[MigrationStatus]
) -> dict[Version, MigrationStatus]:
    """The statuses by version, as the layout compares versions: ``14`` finds
    ``0014``; Prisma's ``…_traces_view`` and ``…_traces_view_improvement``
    stay two though they share their numbers. The first of two equal wins."""
    index: dict[Version, MigrationStatus] = {}
    for status in statuses:
        try:
            index.setdefault(_version(analysis, status.version), status)
        except ValueError:
            continue
    return index


def _target(analysis: Analysis, statuses: list[MigrationStatus], to: str) -> Version | None:
    known = [i.migration.version for i in analysis.migrations]
    known += [_version(analysis, s.version) for s in statuses]
    return named(to, known, lambda version: version)


def build_apply_plan(
    analysis: Analysis,
    statuses: list[MigrationStatus],
    to: str | None = None,
    *,
    allow_drift: bool = False,
) -> Plan:
    """The pending migrations up to ``to`` (inclusive), oldest first."""
    # A migration the folder holds but the layout never runs stops every apply:
    # running the others would skip it in silence.
    blockers: list[Blocker] = [
        Blocker(None, p.kind, p.message, p.hint, file=p.file)
        for p in analysis.problems
        if p.kind == "mixed_layout" and p.severity is Severity.ERROR
    ]
    warnings: list[str] = []
    target = None
    if to is not None:
        target = _target(analysis, statuses, to)
        if target is None:
            return Plan("apply", blockers=(Blocker(None, "unknown_version", f"no migration {to}"),))
    blockers += _ledger_blockers(statuses, allow_drift)
    steps: list[PlanStep] = []
    by_version = _by_version(analysis, statuses)
    for info in sorted(analysis.migrations, key=lambda i: i.migration.version):
        if target is not None and info.migration.version > target:
            continue
        status = by_version.get(info.migration.version)
        state = status.state if status else PENDING
        if state not in (PENDING, OUT_OF_ORDER, FAILED):
            continue
        if state == OUT_OF_ORDER:
            warnings.append(
                f"{info.version} is older than a migration already applied; it runs now"
            )
        steps.append(_step(info, "up"))
        blockers += _step_blockers(analysis, info, "up")
    warnings += _skipped_code(analysis, statuses, steps)
    return Plan("apply", tuple(steps), tuple(blockers), tuple(warnings))


def _skipped_code(
    analysis: Analysis, statuses: list[MigrationStatus], steps: list[PlanStep]
) -> list[str]:
    """Migrations written in code (goose Go, flyway Java, a Liquibase change
    migtui cannot read) that run between the steps of this plan, unless the
    tool ran them already: migtui cannot run them, nor see in its own states
    whether they ran, so the gate says so before anyone confirms."""
    if not steps:
        return []
    ran = [s for s in statuses if s.state not in (PENDING, FAILED, OUT_OF_ORDER)]
    newest_ran = max(_by_version(analysis, ran), default=None)
    last_step = max(_version(analysis, s.version) for s in steps)
    out = []
    for problem in analysis.problems:
        if problem.kind != "code_migration" or problem.migration is None:
            continue
        try:
            version = _version(analysis, problem.migration)
        except ValueError:
            continue
        if version < last_step and (newest_ran is None or version > newest_ran):
            out.append(
                f"{problem.migration} ({problem.file}) is a migration migtui cannot run, "
                f"between the steps of this plan: unless the project's tool has run it, run "
                f"it with that tool first (or apply --to a version before it)"
            )
    return out


def build_rollback_plan(
    analysis: Analysis,
    statuses: list[MigrationStatus],
    *,
    to: str | None = None,
    steps: int | None = None,
    all: bool = False,  # noqa: A002 - the CLI's word
    allow_drift: bool = False,
    force: bool = False,
) -> Plan:
    """Applied migrations to undo, newest first: down to (not including) ``to``,
    the ``steps`` newest, or ``all``. With none of them, the newest one."""
    applied = sorted(
        (s for s in statuses if s.is_applied),
        key=lambda s: _version(analysis, s.version),
        reverse=True,
    )
    if to is not None:
        target = _target(analysis, statuses, to)
        if target is None:
            return Plan(
                "rollback", blockers=(Blocker(None, "unknown_version", f"no migration {to}"),)
            )
        chosen = [s for s in applied if _version(analysis, s.version) > target]
    elif all:
        chosen = applied
    else:
        chosen = applied[: 1 if steps is None else max(0, steps)]
    blockers: list[Blocker] = []
    plan_steps: list[PlanStep] = []
    for status in chosen:
        info = analysis.get(status.version)
        if status.state == MISSING or info is None:
            blockers.append(
                Blocker(
                    status.version,
                    "missing",
                    f"{status.version} is applied but its file is gone: its down SQL is unknown",
                    "restore the file, or remove the ledger row by hand after checking",
                )
            )
            continue
        if status.state == DIRTY:
            blockers.append(_dirty_blocker(status))
        elif status.state == DRIFTED and not allow_drift:
            blockers.append(_drift_blocker(status))
        if info.migration.down is None and not force:
            blockers.append(
                Blocker(
                    info.version,
                    "no_down",
                    f"{info.migration.label} has no down section: it cannot be rolled back",
                    (
                        "Prisma writes no down migrations: add down.sql to its folder by hand, "
                        "or roll back to a later version"
                        if info.migration.layout == "prisma"
                        else "add a down section, or roll back to a later version"
                    )
                    + "; --force marks it pending without undoing anything",
                    file=str(info.migration.path),
                    overridable=True,
                )
            )
            continue
        plan_steps.append(_step(info, "down"))
        blockers += _step_blockers(analysis, info, "down", force)
    return Plan("rollback", tuple(plan_steps), tuple(blockers))


def step_for(info: MigrationInfo, direction: str) -> PlanStep:
    """The step that runs ``info``'s up or down section."""
    return _step(info, direction)


def _step(info: MigrationInfo, direction: str) -> PlanStep:
    section = info.sections.get(direction)
    statements = section.statements if section else ()
    verify = info.sections.get("verify") if direction == "up" else None
    # a file that commits in the middle runs as written, the runner following its
    # own BEGIN and COMMIT (``controls_transactions``)
    transactional = (
        info.migration.transactional
        and not any(s.no_transaction for s in statements)
        and not controls_transactions(statements)
    )
    return PlanStep(
        version=info.version,
        name=info.name,
        direction=direction,
        file=section.file if section else str(info.migration.path),
        transactional=transactional,
        statements=tuple(statements),
        verify=verify.statements if verify else (),
        verify_file=verify.file if verify else "",
        info=info,
    )


def _ledger_blockers(statuses: list[MigrationStatus], allow_drift: bool) -> list[Blocker]:
    blockers: list[Blocker] = []
    for status in statuses:
        if status.state == DIRTY:
            blockers.append(_dirty_blocker(status))
        elif status.state in (DRIFTED, MISSING) and not allow_drift:
            blockers.append(_drift_blocker(status))
    for status in statuses:
        if status.state == LEDGER_MISMATCH:
            blockers.append(
                Blocker(
                    status.version,
                    LEDGER_MISMATCH,
                    f"the ledger and the history disagree about {status.version}: the history "
                    "says it was applied, the ledger has no row",
                    f"`migtui resolve {status.version} --applied` if its objects are there, "
                    "`--pending` if it was undone",
                )
            )
    unrecorded = [s.version for s in statuses if s.state == UNRECORDED]
    if unrecorded:
        last = unrecorded[-1]
        blockers.append(
            Blocker(
                last,
                UNRECORDED,
                f"the objects of {unrecorded[0]}…{last} already exist, but no ledger records "
                "those migrations: running them again would fail or do their work twice",
                f"check, then `migtui baseline --to {last}` to record them as applied",
            )
        )
    return blockers


def _dirty_blocker(status: MigrationStatus) -> Blocker:
    return Blocker(
        status.version,
        DIRTY,
        f"{status.version} was interrupted while running outside a transaction",
        f"check the database, then run `migtui resolve {status.version} --applied` or `--pending`",
    )


def _drift_blocker(status: MigrationStatus) -> Blocker:
    if status.state == MISSING:
        message = f"{status.version} is applied but its file is gone"
    else:
        message = f"{status.version} changed since it was applied (checksum differs)"
    return Blocker(status.version, status.state, message, "pass --allow-drift to run anyway")


def _step_blockers(
    analysis: Analysis, info: MigrationInfo, direction: str, force: bool = False
) -> list[Blocker]:
    """Problems that make this step fail as written, and SQL the runner cannot run.

    An apply is stopped by errors in the up and verify sections; a rollback by
    errors in the down section, unless ``force`` (the operator knows better).
    """
    blockers: list[Blocker] = []
    tool = info.migration.run_by
    if tool:
        command = "update-count" if direction == "up" else "rollback-count"
        blockers.append(
            Blocker(
                info.version,
                "run_by_tool",
                f"{info.version} ({info.name}) is written in {tool}'s own change types: "
                f"migtui reads them to check the history, but only {tool} runs them",
                f"run it with {tool} ({tool.lower()} {command}), or stop the plan before it "
                "(--to / --steps)",
                file=info.migration.path.name,
            )
        )
    if direction == "up" or not force:
        seen: set[tuple] = set()
        problems = list(info.problems) + [
            p for p in analysis.problems if p.migration == info.version
        ]
        for problem in problems:
            # One blocker per missing object, at its first line: enough to act on.
            key = (problem.kind, problem.object) if problem.object else (problem.kind, problem.line)
            if problem.severity is not Severity.ERROR or key in seen:
                continue
            if (problem.section == "down") != (direction == "down"):
                continue
            seen.add(key)
            blockers.append(
                Blocker(
                    info.version,
                    problem.kind,
                    problem.message,
                    problem.hint,
                    object=problem.object,
                    file=problem.file,
                    line=problem.line,
                    overridable=direction == "down",
                )
            )
    section = info.sections.get(direction)
    already = {(b.file, b.line) for b in blockers}
    statements = section.statements if section else ()
    followed = controls_transactions(statements)  # its BEGIN and COMMIT run as written
    for index, statement in enumerate(statements):
        if followed and control_of(statement) in ("begin", "commit", "rollback"):
            continue
        if copy_rows(statements, index) is not None or rows_of_a_copy(statements, index):
            continue  # COPY … FROM stdin and its rows: the runner sends them as psql does
        reason = _unrunnable(statement)
        if reason and (section.file, statement.start_line) not in already:
            blockers.append(
                Blocker(
                    info.version,
                    "unrunnable_statement",
                    reason,
                    "remove it: migtui runs each migration in its own transaction",
                    file=section.file,
                    line=statement.start_line,
                )
            )
    return blockers


def _unrunnable(statement: Statement) -> str | None:
    if is_copy_from_stdin(statement):
        return "COPY … FROM stdin reads its rows from the client, and no rows follow it"
    if statement.category == "psql":
        return f"psql meta-command {statement.first_line_text!r} cannot be sent to the server"
    if statement.category == "transaction":
        head = statement.text.split(None, 1)[0].upper().rstrip(";") if statement.text else ""
        tree = statement.tree
        if tree is None:  # kept without its tree (the analysis cache): read it again
            found = split(statement.text).statements
            tree = found[0].tree if found else None
        kind = (tree or {}).get("TransactionStmt", {}).get("kind")
        # savepoints work inside the runner's transaction; the rest end or replace it
        if kind is None or kind not in _SAVEPOINT_KINDS:
            return f"{head} controls the transaction in the middle of the migration"
    return None
