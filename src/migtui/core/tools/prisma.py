"""Prisma Migrate: ``_prisma_migrations``, a row per attempt at a migration
(named by its folder), with the SHA-256 of its ``migration.sql``. A row with
``finished_at`` set and no ``rolled_back_at`` is applied; one with neither is
a migration that failed half way (its ``logs`` say why), which Prisma
refuses to go past until it is resolved.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from migtui.core.folder import LayoutError
from migtui.core.model import (
    TABLE,
    Migration,
    ObjectRef,
    Problem,
)
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState, up_bytes
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    files_in,
    folders_in,
    is_stray_sql,
    unrecognized,
    whole_file,
)
from migtui.core.versions import version_for

#: The advisory lock ``prisma migrate`` holds while it migrates.
_LOCK = 72707369


def checksum(info: MigrationInfo) -> str:
    return hashlib.sha256(up_bytes(info)).hexdigest()


class Prisma(ToolLedger):
    tool = "Prisma"
    layout = "prisma"
    table = "_prisma_migrations"
    ledger_ddl = (
        (
            "CREATE TABLE IF NOT EXISTS {table} (id varchar(36) PRIMARY KEY NOT "
            "NULL, checksum varchar(64) NOT NULL, finished_at timestamptz, "
            "migration_name varchar(255) NOT NULL, logs text, rolled_back_at "
            "timestamptz, started_at timestamptz NOT NULL DEFAULT now(), "
            "applied_steps_count integer NOT NULL DEFAULT 0)"
        ),
    )
    columns = frozenset({"id", "checksum", "finished_at", "migration_name", "rolled_back_at"})
    all_columns = frozenset(
        {
            "id",
            "checksum",
            "finished_at",
            "migration_name",
            "logs",
            "rolled_back_at",
            "started_at",
            "applied_steps_count",
        }
    )

    def key(self, info: MigrationInfo) -> str:
        return info.migration.path.name  # the folder: 20240101120000_name

    def select(self, table: str) -> str:
        return (
            f"SELECT migration_name, checksum, finished_at::text, rolled_back_at IS NOT NULL"
            f" FROM {table} ORDER BY started_at"
        )

    def states(self, rows, infos, root=None):
        applied: dict[str, tuple] = {}
        failed: set[str] = set()
        for name, stored, finished, rolled_back in rows:
            if rolled_back:
                continue
            if finished is not None:
                applied[name] = (stored, finished)
            else:
                failed.add(name)
        out: dict[str, ToolState] = {}
        for info in infos:
            key = self.key(info)
            if key in applied:
                stored, finished = applied[key]
                out[info.version] = ToolState(
                    applied=True,
                    checksum=stored,
                    matches=stored == checksum(info) if stored else None,
                    applied_at=finished,
                )
            elif key in failed:
                out[info.version] = ToolState(applied=True, failed=True)
        return out

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        sql = (
            f"INSERT INTO {table} (id, checksum, finished_at, migration_name, started_at,"
            " applied_steps_count) VALUES (gen_random_uuid()::text, %s, clock_timestamp(), %s,"
            " clock_timestamp(), 1)"
        )
        return [(sql, (checksum(info), self.key(info)))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        # what `prisma migrate resolve --rolled-back` writes: the next deploy runs it again
        sql = (
            f"UPDATE {table} SET rolled_back_at = clock_timestamp()"
            " WHERE migration_name = %s AND rolled_back_at IS NULL"
        )
        return [(sql, (self.key(info),))]

    def lock_key(self, database: str, schema: str, table: str) -> int | None:
        return _LOCK


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "prisma"
#: How its folders look, for messages.
SHAPE = "folders like 20240101120000_name/migration.sql"
#: What to do about a migration without a down section.
DOWN_HINT = (
    "Prisma writes no down migrations; add down.sql to the folder by hand if it must roll back"
)


# -- reading its folders

PRISMA_FOLDER = re.compile(r"^(\d+)_(.*)$")


#: Prisma's providers whose migrations are PostgreSQL's SQL.
_POSTGRES_PROVIDERS = frozenset({"postgresql", "postgres", "cockroachdb"})
_PROVIDER = re.compile(r'^\s*provider\s*=\s*"([^"]*)"', re.MULTILINE)


def provider(root: Path) -> str | None:
    """The database ``migration_lock.toml`` says the migrations are for."""
    try:
        text = (root / "migration_lock.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = _PROVIDER.search(text)
    return found.group(1).strip().lower() if found else None


def read(root: Path) -> Read:
    named = provider(root)
    if named is not None and named not in _POSTGRES_PROVIDERS:
        raise LayoutError(
            f"{root}: migration_lock.toml says these migrations are for {named!r}; migtui "
            'reads PostgreSQL migrations only (provider = "postgresql")'
        )
    read = Read()
    for folder in folders_in(root):
        # Prisma runs every folder that has a migration.sql, whatever its name,
        # in the order of the names (``init`` after the timestamps)
        if not (folder / "migration.sql").is_file():
            if PRISMA_FOLDER.match(folder.name) is None:
                continue
            message = f"{folder.name}/ has no migration.sql, so it is not a migration"
            hint = "Prisma keeps each migration in <timestamp>_<name>/migration.sql"
            read.problems.append(Where(root, folder).problem("missing_file", message, hint))
            continue
        where = Where(root, folder, folder.name)
        problems: list[Problem] = []
        up, source = whole_file("up", where.at(folder / "migration.sql"), problems)
        down = None
        if (folder / "down.sql").is_file():  # written by hand (prisma migrate diff)
            down, _ = whole_file("down", where.at(folder / "down.sql"), problems)
        requires = declared_requires(
            all_lines(source), where.at(folder / "migration.sql"), problems
        )
        # Prisma knows a migration by its folder's whole name: two may share a
        # timestamp. The name is the version, and nothing is repeated after it.
        read.migrations.append(
            Migration(
                version_for(folder.name, "prisma"),
                "",
                folder,
                "prisma",
                up=up,
                down=down,
                declared_requires=requires,
                read_problems=tuple(problems),
            )
        )
    for path in files_in(root):
        if is_stray_sql(path):
            hint = "Prisma keeps each migration in <timestamp>_<name>/migration.sql"
            read.problems.append(unrecognized(path, root, hint, "prisma"))
    return read


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "_prisma_migrations"),)
