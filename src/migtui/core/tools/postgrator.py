"""Postgrator (Node): files ``001.do.create-users.sql`` and
``001.undo.create-users.sql`` (the name may be left out: ``001.do.sql``); a
``.do.js`` migration runs code of its own, unseen. Postgrator sends a file to
PostgreSQL as one query, which runs as one transaction.

Postgrator keeps one row per applied migration in
``schemaversion(version bigint PRIMARY KEY, name text, md5 text, run_at
timestamptz)``, the MD5 of the file it ran in ``md5`` (checked before each
run), and takes the newest row's version as the database's: every migration
up to it counts as applied.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from pathlib import Path

from migtui.core.model import TABLE, ObjectRef
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    files_in,
    is_stray_sql,
    paired_migration,
    unrecognized,
)


class Postgrator(ToolLedger):
    tool = "Postgrator"
    layout = "postgrator"
    table = "schemaversion"
    ledger_ddl = (
        "CREATE TABLE IF NOT EXISTS {table} (version BIGINT PRIMARY KEY, name TEXT DEFAULT '', "
        "md5 TEXT DEFAULT '', run_at TIMESTAMP WITH TIME ZONE DEFAULT now())",
    )
    columns = frozenset({"version", "name", "md5"})
    all_columns = frozenset({"version", "name", "md5", "run_at"})

    def select(self, table: str) -> str:
        return f"SELECT version, run_at::text FROM {table}"

    def states(self, rows, infos, root=None):
        if not rows:
            return {}
        applied = {int(r[0]): r[1] for r in rows}
        newest = max(applied)
        return {
            info.version: ToolState(applied=True, applied_at=applied.get(number))
            for info in infos
            if (number := int(info.migration.version.raw)) <= newest
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        m = info.migration
        digest = hashlib.md5(m.path.read_bytes(), usedforsecurity=False).hexdigest()
        sql = f"INSERT INTO {table} (version, name, md5) VALUES (%s, %s, %s)"
        return [(sql, (int(m.version.raw), m.name, digest))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version = %s", (int(info.migration.version.raw),))]


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "postgrator"
#: How its folders look, for messages.
SHAPE = "files like 001.do.name.sql and 001.undo.name.sql"
#: What to do about a migration without a down section.
DOWN_HINT = "add VERSION.undo.name.sql that undoes the do file"

#: A migration's file: version, do or undo, an optional name, the extension.
POSTGRATOR_NAME = re.compile(r"^(\d+)\.(do|undo)(?:\.(.+))?\.(sql|js|cjs|mjs)$")


def looks_like_postgrator(paths: list[Path]) -> bool:
    """Whether most of the folder's .sql files are Postgrator's do and undo files."""
    sql = [p for p in paths if p.suffix.lower() == ".sql"]
    named = sum(1 for p in sql if POSTGRATOR_NAME.match(p.name))
    return named > 0 and named * 2 > len(sql)


def read(root: Path) -> Read:
    read = Read()
    found: dict[str, dict[str, Path]] = defaultdict(dict)
    names: dict[str, str] = {}
    for path in files_in(root):
        match = POSTGRATOR_NAME.match(path.name)
        if match is not None:
            raw, action, name, ext = match.groups()
            if ext != "sql":
                if action == "do":
                    read.code.append((raw, path))
                continue
            found[raw]["up" if action == "do" else "down"] = path
            if action == "do" or raw not in names:
                names[raw] = name or ""
        elif is_stray_sql(path):
            hint = "name migrations VERSION.do.name.sql and VERSION.undo.name.sql"
            read.problems.append(unrecognized(path, root, hint, LAYOUT))
    for raw, paths in found.items():
        read.migrations.append(paired_migration(root, raw, names[raw], paths, LAYOUT))
    return read


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "schemaversion"),)
