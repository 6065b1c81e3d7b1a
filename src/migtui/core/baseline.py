"""Baselining a database that has the schema but no ledger.

A database restored from a dump, or migrated by hand, holds the objects its
migrations make without any ledger saying which ran. Marking ``0001…V``
applied is safe only if the objects those migrations leave behind are really
there: ``objects_left_by`` replays their effects (what each provides, drops
and renames) to that list, and ``check_baseline`` compares it with the
target's catalog. ``unrecorded_prefix`` finds, for ``status``, the newest
version whose objects all exist though no ledger records it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from migtui.core.catalog import CatalogSnapshot
from migtui.core.model import (
    COLUMN,
    CONSTRAINT,
    DOMAIN,
    EXTENSION,
    FOREIGN_TABLE,
    FUNCTION,
    INDEX,
    MATVIEW,
    PROCEDURE,
    SCHEMA,
    SEQUENCE,
    TABLE,
    TABLE_SCOPED_KINDS,
    TRIGGER,
    TYPE,
    VIEW,
    ObjectRef,
)
from migtui.core.project import Analysis

#: Kinds the catalog reader sees, so their absence means something.
CHECKED_KINDS = frozenset(
    {
        TABLE,
        VIEW,
        MATVIEW,
        SEQUENCE,
        INDEX,
        FOREIGN_TABLE,
        TYPE,
        DOMAIN,
        SCHEMA,
        FUNCTION,
        PROCEDURE,
        TRIGGER,
        EXTENSION,
        COLUMN,
        CONSTRAINT,
    }
)


@dataclass(frozen=True)
class BaselineCheck:
    to: str
    #: The versions a baseline to ``to`` marks applied, oldest first.
    versions: tuple[str, ...]
    #: The objects those migrations leave behind (that the catalog can show).
    expected: tuple[ObjectRef, ...]
    #: Those the target lacks.
    missing: tuple[ObjectRef, ...]

    @property
    def proven(self) -> bool:
        return not self.missing


class _Replay:
    """The objects the migrations leave behind, one migration at a time; with
    a catalog, also which of them it lacks."""

    def __init__(self, catalog: CatalogSnapshot | None = None) -> None:
        self.live: dict = {}
        self.catalog = catalog
        self.missing: set = set()
        #: keys of the row types tables and views bring (shown with them, not apart)
        self.row_types: set = set()

    def _put(self, ref: ObjectRef) -> None:
        if ref.namespace == "relation":  # its row type is the relation itself
            self.row_types.add(("type", ref.schema, ref.name, None))
            self._take(("type", ref.schema, ref.name, None))
        if ref.key in self.row_types:
            return
        self.live[ref.key] = ref
        if self.catalog is not None and _checked(ref) and not self.catalog.has(ref):
            self.missing.add(ref.key)
        else:
            self.missing.discard(ref.key)

    def _take(self, key) -> ObjectRef | None:
        self.missing.discard(key)
        return self.live.pop(key, None)

    def step(self, info) -> None:
        for old, new in info.renames:
            self._take(old.key)
            self._put(new)
            if old.namespace == "relation" and old.qualified != new.qualified:
                for key in [k for k, r in self.live.items() if r.table == old.qualified]:
                    child = self._take(key)
                    moved = replace(child, table=new.qualified)
                    if child.kind in TABLE_SCOPED_KINDS:
                        moved = replace(moved, schema=new.schema)
                    self._put(moved)
        for ref in info.provides:
            self._put(ref)
        for ref in info.drops:
            self._take(ref.key)
            if ref.namespace == "relation" and ref.kind != INDEX:
                for key in [k for k, r in self.live.items() if r.table == ref.qualified]:
                    self._take(key)

    def expected(self) -> tuple[ObjectRef, ...]:
        return tuple(r for r in self.live.values() if _checked(r))


def _checked(ref: ObjectRef) -> bool:
    """Whether the catalog shows objects of this kind (so absence means something)."""
    return ref.kind in CHECKED_KINDS


def objects_left_by(analysis: Analysis, to: str) -> tuple[tuple[str, ...], tuple[ObjectRef, ...]]:
    """(versions up to ``to``, the objects they leave behind)."""
    replay = _Replay()
    versions: list[str] = []
    for info in analysis.migrations:
        versions.append(info.version)
        replay.step(info)
        if info.version == to or info.migration.version == to:
            return tuple(versions), replay.expected()
    raise ValueError(f"no migration {to!r} in this folder")


def check_baseline(analysis: Analysis, to: str, catalog: CatalogSnapshot) -> BaselineCheck:
    versions, expected = objects_left_by(analysis, to)
    missing = tuple(ref for ref in expected if not catalog.has(ref))
    return BaselineCheck(versions[-1], versions, expected, missing)


def unrecorded_prefix(analysis: Analysis, catalog: CatalogSnapshot) -> str | None:
    """The newest version whose migrations' objects all exist in ``catalog``
    (counting migrations that make something the catalog can show); None when
    not even the first one's are there."""
    replay = _Replay(catalog)
    found = None
    for info in analysis.migrations:
        replay.step(info)
        makes = any(_checked(r) and r.key not in replay.row_types for r in info.provides)
        if makes and not replay.missing:
            found = info.version
    return found
