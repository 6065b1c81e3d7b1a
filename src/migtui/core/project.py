"""The analysed project: every migration with what it provides and needs,
the dependency edges between them, and the problems found.

``analyze()`` is the entry point used by the CLI, the runner's planner and the
console. It is pure: files and (optionally) a catalog snapshot in, values out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from migtui.core.model import Migration, ObjectRef, Problem, Severity, Statement
from migtui.core.versions import named

#: Where a met requirement comes from.
FROM_MIGRATION = "migration"
FROM_DATABASE = "database"
FROM_ASSUME = "assume"
#: The schema of migtui's own ledger in the target (``db.ledger``): made before a
#: migration runs.
LEDGER_SCHEMA = "migtui"

FROM_LAYOUT = "layout"  # created by the migration tool itself (diesel's helpers)
FROM_SELF = "self"  # an earlier statement of the same migration


@dataclass(frozen=True)
class Requirement:
    ref: ObjectRef
    file: str
    line: int
    #: Version of the migration that provides it, when one does.
    met_by: str | None = None
    #: FROM_* constant, or None when nothing meets it.
    source: str | None = None
    #: Needed only inside an existence test: the migration may silently skip.
    guarded: bool = False

    @property
    def met(self) -> bool:
        return self.source is not None


@dataclass(frozen=True)
class ParsedSection:
    kind: str
    file: str
    statements: tuple[Statement, ...]
    #: The section's own BEGIN … COMMIT was absorbed (runner's transaction replaces it).
    wrapped: bool = False


@dataclass(frozen=True)
class MigrationInfo:
    migration: Migration
    sections: dict[str, ParsedSection] = field(default_factory=dict, compare=False)
    provides: tuple[ObjectRef, ...] = ()
    requires: tuple[Requirement, ...] = ()
    drops: tuple[ObjectRef, ...] = ()
    alters: tuple[ObjectRef, ...] = ()
    #: Versions this migration depends on (inferred and declared).
    depends_on: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: Lines with dynamic SQL whose objects cannot be known.
    dynamic_lines: tuple[int, ...] = ()
    #: (old, new) of every object the up section renames, in order.
    renames: tuple[tuple[ObjectRef, ObjectRef], ...] = ()

    @property
    def version(self) -> str:
        return str(self.migration.version)

    @property
    def name(self) -> str:
        return self.migration.name

    @property
    def blocked(self) -> bool:
        """True when an error problem means it cannot succeed as written."""
        return any(p.blocks_apply for p in self.problems)

    @property
    def down_failures(self) -> tuple[Problem, ...]:
        """The errors of its down section: what would fail its rollback."""
        return tuple(
            p for p in self.problems if p.section == "down" and p.severity is Severity.ERROR
        )

    @property
    def transactional(self) -> bool:
        up = self.sections.get("up")
        return self.migration.transactional and not (
            up and any(s.no_transaction for s in up.statements) or self.own_transactions
        )

    @property
    def own_transactions(self) -> bool:
        """Its up section commits in the middle: it runs as written, outside a
        transaction of migtui's (``statements.controls_transactions``)."""
        up = self.sections.get("up")
        if up is None or not any(s.category == "transaction" for s in up.statements):
            return False
        from migtui.core.statements import controls_transactions

        return controls_transactions(up.statements)

    def statements(self, kind: str = "up") -> tuple[Statement, ...]:
        section = self.sections.get(kind)
        return section.statements if section else ()


@dataclass(frozen=True)
class Edge:
    """``target`` depends on ``source`` (an earlier migration)."""

    source: str
    target: str
    objects: tuple[str, ...] = ()
    declared: bool = False


@dataclass(frozen=True)
class Analysis:
    root: Path
    layout: str
    migrations: tuple[MigrationInfo, ...] = ()
    repeatables: tuple[MigrationInfo, ...] = ()
    edges: tuple[Edge, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: Whether a live catalog was part of the analysis.
    live: bool = False
    #: Lock hints of the up sections (kind "lint", with a rule), in run order:
    #: advice about locks on busy tables, not problems (they count in no total).
    hints: tuple[Problem, ...] = ()
    #: The search_path each migration starts with, as the layout's tool runs it
    #: (flyway puts its default schema first); the runner sets it the same way.
    search_path: tuple[str, ...] = ("public",)
    #: The environment's variables the folder's reading looked up, and their
    #: values (Liquibase's placeholders): a kept analysis holds while they do.
    environment: tuple[tuple[str, str | None], ...] = ()

    def without_rules(self, off: Iterable[str]) -> Analysis:
        """The analysis without what the rules in ``off`` (the config's
        ``lint_off``) say: their hints, and the warnings a rule gives among
        the problems (``tool_transaction``)."""
        off = set(off)
        if not off:
            return self

        def kept(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
            return tuple(p for p in problems if p.rule not in off)

        return replace(
            self,
            hints=kept(self.hints),
            problems=kept(self.problems),
            migrations=tuple(replace(i, problems=kept(i.problems)) for i in self.migrations),
            repeatables=tuple(replace(i, problems=kept(i.problems)) for i in self.repeatables),
        )

    def get(self, version: str) -> MigrationInfo | None:
        """The migration named ``version``: as written first, then by its numbers
        (``14`` finds ``0014``; Prisma's twins in numbers stay apart)."""
        return named(version, self.migrations + self.repeatables, lambda i: i.migration.version)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    def dependents(self, version: str) -> tuple[str, ...]:
        return tuple(e.target for e in self._edges_from.get(version, ()))

    def dependencies(self, version: str) -> tuple[Edge, ...]:
        return tuple(self._edges_to.get(version, ()))

    # Edges grouped by either end, in ``edges`` order, made once: asking every
    # migration of a long history for its dependencies stays linear.

    @cached_property
    def _edges_from(self) -> dict[str, list[Edge]]:
        grouped: dict[str, list[Edge]] = defaultdict(list)
        for e in self.edges:
            grouped[e.source].append(e)
        return grouped

    @cached_property
    def _edges_to(self) -> dict[str, list[Edge]]:
        grouped: dict[str, list[Edge]] = defaultdict(list)
        for e in self.edges:
            grouped[e.target].append(e)
        return grouped
