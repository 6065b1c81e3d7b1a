"""Prisma Migrate: ``_prisma_migrations``, a row per attempt at a migration
(named by its folder), with the SHA-256 of its ``migration.sql``. A row with
``finished_at`` set and no ``rolled_back_at`` is applied; one with neither is
a migration that failed half way (its ``logs`` say why), which Prisma
refuses to go past until it is resolved.
"""

from __future__ import annotations

import hashlib

from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState

#: The advisory lock ``prisma migrate`` holds while it migrates.
_LOCK = 72707369


def checksum(info: MigrationInfo) -> str:
    up = info.migration.up
    try:
        data = up.path.read_bytes() if up is not None else b""
    except OSError:
        data = b""
    return hashlib.sha256(data).hexdigest()


class Prisma(ToolLedger):
    tool = "Prisma"
    layout = "prisma"
    table = "_prisma_migrations"
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

    def states(self, rows, infos):
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
