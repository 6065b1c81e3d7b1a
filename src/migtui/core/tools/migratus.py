"""Migratus (Clojure): files ``20240101120000-add-users.up.sql`` and
``20240101120000-add-users.down.sql``, a dash between the id and the name.
Statements may be separated by ``--;;`` lines (Migratus sends each piece on its
own; to PostgreSQL the line is a comment). ``-- :disable-transaction`` as a
file's first line runs it outside a transaction. ``.edn`` migrations name
Clojure functions that run in their place, unseen.

Migratus keeps one row per applied migration in
``schema_migrations(id bigint UNIQUE NOT NULL, applied timestamp, description
varchar(1024))``, and runs every migration whose id has no row, whatever its
place: an older file added late still runs. The row with id ``-1`` is its lock
while a run is under way, never a migration.
"""

from __future__ import annotations

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
    peek,
    unrecognized,
)

#: The id of the row Migratus holds as its lock while it runs.
_RESERVED_ID = -1


class Migratus(ToolLedger):
    tool = "Migratus"
    layout = "migratus"
    table = "schema_migrations"
    ledger_ddl = (
        (
            "CREATE TABLE IF NOT EXISTS {table} (id bigint UNIQUE NOT NULL, "
            "applied timestamp, description varchar(1024))"
        ),
    )
    columns = frozenset({"id", "applied", "description"})
    all_columns = columns

    def select(self, table: str) -> str:
        return f"SELECT id, applied::text FROM {table} WHERE id <> {_RESERVED_ID}"

    def states(self, rows, infos, root=None):
        applied = {int(r[0]): r[1] for r in rows}
        return {
            info.version: ToolState(applied=True, applied_at=applied[number])
            for info in infos
            if (number := int(info.migration.version.raw)) in applied
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        # as Migratus writes it: the moment (a timestamp without time zone, in
        # the session's), and the name from the file, dashes and all
        sql = f"INSERT INTO {table} (id, applied, description) VALUES (%s, localtimestamp, %s)"
        return [(sql, (int(info.migration.version.raw), info.migration.name))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE id = %s", (int(info.migration.version.raw),))]


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "migratus"
#: How its folders look, for messages.
SHAPE = "files like 20240101120000-name.up.sql and 20240101120000-name.down.sql"
#: What to do about a migration without a down section.
DOWN_HINT = "add ID-name.down.sql that undoes the up file"

#: Migratus's own rule for a migration's file name: id, dash, name without a
#: dot, then the extensions.
MIGRATUS_NAME = re.compile(r"^(\d+)-([^.]+)\.(up\.sql|down\.sql|edn)$")
_DISABLE_TX = re.compile(rb"^\s*--\s*:disable-transaction\b")
#: Migratus's default initialisation script: run by its ``init``, not a migration.
INIT_SCRIPT = "init.sql"


def looks_like_migratus(paths: list[Path]) -> bool:
    """Whether the folder's .sql files are mostly Migratus's up and down files."""
    sql = [p for p in paths if p.suffix.lower() == ".sql"]
    named = sum(1 for p in sql if MIGRATUS_NAME.match(p.name))
    return named > 0 and named * 2 > len(sql)


def read(root: Path) -> Read:
    read = Read()
    found: dict[str, list[tuple[str, str, Path]]] = defaultdict(list)
    for path in files_in(root):
        match = MIGRATUS_NAME.match(path.name)
        if match is not None:
            raw, name, ext = match.groups()
            if ext == "edn":
                read.code.append((raw, path))
            else:
                found[raw].append((ext.split(".")[0], name, path))
        elif is_stray_sql(path) and path.name != INIT_SCRIPT:
            hint = "name migrations ID-name.up.sql and ID-name.down.sql"
            read.problems.append(unrecognized(path, root, hint, LAYOUT))
    for raw, files in found.items():
        # Migratus keys a migration by id and then by name: two names under
        # one id are two migrations (the version is then said to be used twice)
        by_name: dict[str, dict[str, Path]] = defaultdict(dict)
        for direction, name, path in files:
            by_name[name][direction] = path
        for name, paths in by_name.items():
            read.migrations.append(paired_migration(root, raw, name, paths, LAYOUT, _transactional))
    return read


def _transactional(path: Path) -> bool:
    return not _DISABLE_TX.match(peek(path) or b"")


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "schema_migrations"),)
