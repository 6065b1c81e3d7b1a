"""Atlas (versioned migrations): a folder of plain SQL files beside an
``atlas.sum``, and ``atlas_schema_revisions``, a row per version with how many
of its statements ran (``applied`` of ``total``) and the error that stopped it.

Files are ``<version>[_<name>].sql``, all up: Atlas has no down files. A
``-- atlas:txmode none`` directive runs a file outside a transaction. The
revisions table lives in the ``atlas_schema_revisions`` schema (or, when Atlas
is bound to one schema, in that schema); migtui reads it but does not write it,
so a database Atlas keeps is migrated by Atlas.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from migtui.core.model import SCHEMA, TABLE, Migration, ObjectRef, Problem
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState, rows_by_version
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    named_files,
    whole_file,
)
from migtui.core.versions import Version

#: The layout name migtui gives this tool's folders.
LAYOUT = "atlas"
#: How its folders look, for messages.
SHAPE = "files like 20240101120000_name.sql beside an atlas.sum"
#: What to do about a migration without a down section.
DOWN_HINT = "Atlas has no down files: undo it in a new migration (atlas migrate diff)"

SUM_FILE = "atlas.sum"
_ATLAS_NAME = re.compile(r"^(\d+)(?:_(.*))?\.sql$")
_TXMODE = re.compile(r"^\s*--\s*atlas:txmode\s+(\w+)", re.IGNORECASE | re.MULTILINE)
#: Atlas's revision types (a bit mask): a baseline row stands for every version up to it.
_BASELINE = 1


def read(root: Path) -> Read:
    read = Read()
    hint = "name migrations VERSION_name.sql, e.g. 20240101120000_add_index.sql"
    for path, match in named_files(root, _ATLAS_NAME, read, hint, LAYOUT):
        read.migrations.append(_atlas_migration(path, root, match.group(1), match.group(2)))
    return read


def _atlas_migration(path: Path, root: Path, raw_version: str, name: str | None) -> Migration:
    where = Where(root, path, raw_version)
    problems: list[Problem] = []
    up, source = whole_file("up", where, problems)
    if up is not None and (mode := _TXMODE.search(up.text)) is not None:
        # "none": outside a transaction; "file" (the default) and "all" wrap it
        up = replace(up, transactional=mode.group(1).lower() != "none")
    requires = declared_requires(all_lines(source), where, problems) if source else ()
    return Migration(
        Version(raw_version),
        name or "",
        path,
        LAYOUT,
        up=up,
        declared_requires=requires,
        read_problems=tuple(problems),
    )


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (
    ObjectRef(SCHEMA, None, "atlas_schema_revisions"),
    ObjectRef(TABLE, "atlas_schema_revisions", "atlas_schema_revisions"),
)


class Atlas(ToolLedger):
    tool = "Atlas"
    layout = LAYOUT
    table = "atlas_schema_revisions.atlas_schema_revisions"
    columns = frozenset({"version", "applied", "total", "error", "hash", "operator_version"})
    all_columns = frozenset(
        {
            "version",
            "description",
            "type",
            "applied",
            "total",
            "executed_at",
            "execution_time",
            "error",
            "error_stmt",
            "hash",
            "partial_hashes",
            "operator_version",
        }
    )
    #: Atlas's rows carry its own hashes of the folder (atlas.sum's): migtui
    #: reads them and leaves the writing to Atlas.
    writes = False

    def select(self, table: str) -> str:
        return (
            f"SELECT version, type, applied, total, error, executed_at::text FROM {table}"
            " WHERE version NOT LIKE '.%'"  # Atlas's own bookkeeping rows
        )

    def states(self, rows, infos, root=None):
        by_version, baseline = rows_by_version(rows, lambda row: bool(int(row[1] or 0) & _BASELINE))
        out: dict[str, ToolState] = {}
        for info in infos:
            version = info.migration.version
            row = by_version.get(version.parts)
            if row is None:
                if baseline is not None and version <= baseline:
                    out[info.version] = ToolState(applied=True)
                continue
            _, kind, applied, total, error, at = row
            if int(kind or 0) & _BASELINE:
                out[info.version] = ToolState(applied=True, applied_at=at)
                continue
            stopped = bool(error) or (applied or 0) < (total or 0)
            out[info.version] = ToolState(applied=True, failed=stopped, applied_at=at)
        return out

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        raise NotImplementedError("Atlas's revisions are written by Atlas")

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        raise NotImplementedError("Atlas's revisions are written by Atlas")
