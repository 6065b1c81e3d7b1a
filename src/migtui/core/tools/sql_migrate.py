"""sql-migrate (rubenv/sql-migrate): ``gorp_migrations(id, applied_at)``, a row
per applied migration, its id the file's name.

Every ``.sql`` file of the folder is a migration, its id the file's name
(``1_init.sql``, ``20180805174141-tournaments.sql``, ``2023-10-16.0.add-x.sql``):
sql-migrate runs them by the number their name starts with, then by name. They
are marked like goose's, with ``-- +migrate Up``
and ``-- +migrate Down`` (``-- +migrate Up notransaction`` runs it outside a
transaction; ``StatementBegin``/``StatementEnd`` wrap a statement holding
semicolons). Read as a marker-less native file, its down section would run as
part of the up: the markers tell the layouts apart.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

from migtui.core.model import TABLE, ObjectRef
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.goose import Annotations, annotated_migration
from migtui.core.tools.reading import (
    Read,
    files_in,
    is_stray_sql,
    peek,
    unrecognized,
)
from migtui.core.versions import Version

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
    marked = sum(bool(_UP_BYTES.search(peek(path) or b"")) for path in paths)
    return marked * 2 > len(paths)


_LEADING_NUMBER = re.compile(r"^(\d+)[-_.]?(.*)$")


def version_of(stem: str) -> Version:
    """A file's version as sql-migrate orders it: by the number its name starts
    with, then by the name (two files may share the number). The whole name is
    the version's text. Raises ValueError when the name holds no number."""
    version = Version(stem, as_text=True)
    leading = _LEADING_NUMBER.match(stem)
    first = int(leading.group(1)) if leading else sys.maxsize
    version.order = (first, *map(ord, stem))
    return version


def read(root: Path) -> Read:
    read = Read()
    for path in files_in(root):
        if path.suffix.lower() != ".sql":
            continue
        stem = path.name[: -len(".sql")]
        try:
            version = version_of(stem)
        except ValueError:
            if is_stray_sql(path):
                hint = "start the file's name with a number, e.g. 15_add_index.sql"
                read.problems.append(unrecognized(path, root, hint, LAYOUT))
            continue
        # the file's name is the version, and nothing is repeated after it (as Prisma's)
        migration = annotated_migration(path, root, stem, "", SQL_MIGRATE, version)
        read.migrations.append(migration)
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
