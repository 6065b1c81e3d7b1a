"""Analysing a migrations folder, the way every command asks for it.

An unchanged folder's analysis comes straight from the cache (``core.cache``)
without importing the readers, the parser or the walk; only a folder that
changed is read and analysed (``core.layouts``, ``core.graph``). The errors a
folder or its settings can raise live here too, so a caller can catch them
without importing the machinery that raises them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from migtui.core.catalog import CatalogSnapshot
from migtui.core.project import Analysis

if TYPE_CHECKING:
    from migtui.core.layouts import LoadResult

#: The layouts migtui reads, in the order it lists them (``core.layouts.LAYOUTS``).
LAYOUT_NAMES = (
    "native",
    "golang-migrate",
    "goose",
    "diesel",
    "flyway",
    "sqitch",
    "prisma",
    "sqlx",
    "sql-migrate",
    "atlas",
    "liquibase",
    "supabase",
    "tern",
    "drizzle",
    "pop",
    "node-pg-migrate",
    "migratus",
    "shmig",
    "graphile-migrate",
    "yoyo",
    "db-migrate",
    "postgrator",
    "refinery",
)
#: Other names operators know a layout by: the native layout is dbmate's format.
LAYOUT_ALIASES = {"dbmate": "native"}


class LayoutError(ValueError):
    """The folder cannot be read as migrations at all (missing, or no layout fits)."""


class AssumeError(ValueError):
    """An ``assume`` entry is not an object name."""


def cached_analysis(
    root: Path, *, layout: str | None = None, assume: Iterable[str] = ()
) -> Analysis | None:
    """The kept analysis of an unchanged folder, or None: nothing is read or
    analysed (a stat of each file and one small read)."""
    from migtui.core.cache import ProjectCache

    return ProjectCache(root, layout, tuple(assume)).load()


def analyze_folder(
    root: Path,
    *,
    layout: str | None = None,
    assume: Iterable[str] = (),
    catalog: CatalogSnapshot | None = None,
    cache: bool = False,
    listed: Callable[[LoadResult], None] | None = None,
) -> Analysis:
    """Analyse a migrations folder; ``cache`` keeps the reading between runs:
    an unchanged folder is not read again at all. ``listed`` gets the folder's
    migrations once read, before their analysis."""
    from migtui.core.cache import ProjectCache

    assume = tuple(assume)
    project = ProjectCache(root, layout, assume) if cache and catalog is None else None
    if project is not None and (kept := project.load()) is not None:
        return kept
    from migtui.core.graph import analyze
    from migtui.core.layouts import load
    from migtui.core.memory import collector_paused

    with collector_paused():
        loaded = load(root, layout)
        if listed is not None:
            listed(loaded)
        analysis = analyze(loaded, assume=assume, catalog=catalog, cache=cache)
        if project is not None:
            project.save(analysis)
    return analysis
