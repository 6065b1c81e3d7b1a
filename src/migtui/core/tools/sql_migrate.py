"""sql-migrate (rubenv/sql-migrate): ``gorp_migrations(id, applied_at)``, a row
per applied migration, its id the file's name.

Its files are named like dbmate's and goose's (``1_init.sql``,
``20240101120000_add_x.sql``) and marked like goose's, with ``-- +migrate Up``
and ``-- +migrate Down`` (``-- +migrate Up notransaction`` runs it outside a
transaction; ``StatementBegin``/``StatementEnd`` wrap a statement holding
semicolons). Read as a marker-less native file, its down section would run as
part of the up: the markers tell the layouts apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from migtui.core.model import TABLE, ObjectRef
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.dbmate import NATIVE_NAME
from migtui.core.tools.goose import Annotations, _goose_migration
from migtui.core.tools.reading import PREREAD, Read, files_in, is_stray_sql, outside, unrecognized

#: The layout name migtui gives this tool's folders.
LAYOUT = "sql-migrate"
#: How its folders look, for messages.
SHAPE = "files like 1_name.sql with -- +migrate Up"
#: What to do about a migration without a down section.
DOWN_HINT = "add a -- +migrate Down section that undoes the up section"

SQL_MIGRATE = Annotations(
    "migrate",
    LAYOUT,
    ("UP", "DOWN", "STATEMENTBEGIN", "STATEMENTEND", "UP NOTRANSACTION", "DOWN NOTRANSACTION"),
    "NOTRANSACTION",
    "Up, Down, StatementBegin, StatementEnd, and notransaction after Up or Down",
)
_UP_BYTES = re.compile(rb"(?im)^[ \t]*--[ \t]*\+migrate[ \t]+up\b")


def looks_like_sql_migrate(paths: Iterable[Path]) -> bool:
    """Whether most of the files carry ``-- +migrate Up``."""
    paths = list(paths)
    kept = PREREAD.get()
    marked = 0
    for path in paths:
        if path.is_symlink() and outside(path, path.parent):
            continue
        data = kept.get(path) if kept is not None else None
        if data is None:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if kept is not None:
                kept[path] = data
        marked += bool(_UP_BYTES.search(data))
    return marked * 2 > len(paths)


def read(root: Path) -> Read:
    read = Read()
    for path in files_in(root):
        match = NATIVE_NAME.match(path.name)
        if match is not None:
            migration = _goose_migration(path, root, match.group(1), match.group(2), SQL_MIGRATE)
            read.migrations.append(migration)
        elif is_stray_sql(path):
            hint = "name migrations N_name.sql, e.g. 15_add_index.sql"
            read.problems.append(unrecognized(path, root, hint, LAYOUT))
    return read


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "gorp_migrations"),)


class SqlMigrate(ToolLedger):
    tool = "sql-migrate"
    layout = LAYOUT
    table = "gorp_migrations"
    ledger_ddl = (
        "CREATE TABLE IF NOT EXISTS {table} (id text PRIMARY KEY NOT NULL, applied_at timestamptz)",
    )
    columns = frozenset({"id", "applied_at"})
    all_columns = frozenset({"id", "applied_at"})

    def key(self, info: MigrationInfo) -> str:
        return info.migration.path.name  # the file's name is its id

    def select(self, table: str) -> str:
        return f"SELECT id, applied_at::text FROM {table}"

    def states(self, rows, infos, root=None):
        applied = {row[0]: row[1] for row in rows}
        return {
            info.version: ToolState(applied=True, applied_at=applied[self.key(info)])
            for info in infos
            if self.key(info) in applied
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        sql = f"INSERT INTO {table} (id, applied_at) VALUES (%s, now())"
        return [(sql, (self.key(info),))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE id = %s", (self.key(info),))]
