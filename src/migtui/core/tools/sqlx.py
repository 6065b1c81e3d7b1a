"""sqlx: ``_sqlx_migrations``, a row per applied version with the SHA-384 of
its SQL and ``success``; a row with ``success = false`` is a migration that
stopped half way, and sqlx refuses to go on until it is fixed.
"""

from __future__ import annotations

import hashlib

from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState, crc32

#: sqlx's factor for its advisory lock number (times the CRC-32 of the database name).
_LOCK_FACTOR = 0x3D32AD9E


def checksum(info: MigrationInfo) -> bytes:
    up = info.migration.up
    try:
        data = up.path.read_bytes() if up is not None else b""
    except OSError:
        data = b""
    return hashlib.sha384(data).digest()


class Sqlx(ToolLedger):
    tool = "sqlx"
    layout = "sqlx"
    table = "_sqlx_migrations"
    columns = frozenset({"version", "description", "success", "checksum"})
    all_columns = frozenset(
        {"version", "description", "installed_on", "success", "checksum", "execution_time"}
    )

    def key(self, info: MigrationInfo) -> str:
        return str(info.migration.version.parts[0])

    def select(self, table: str) -> str:
        return f"SELECT version, success, checksum, installed_on::text FROM {table}"

    def states(self, rows, infos):
        recorded = {str(r[0]): r for r in rows}
        out: dict[str, ToolState] = {}
        for info in infos:
            row = recorded.get(self.key(info))
            if row is None:
                continue
            _, success, stored, at = row
            stored = bytes(stored) if stored is not None else None
            out[info.version] = ToolState(
                applied=True,
                failed=not success,
                checksum=stored.hex() if stored else None,
                matches=stored == checksum(info) if stored else None,
                applied_at=at,
            )
        return out

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        sql = (
            f"INSERT INTO {table} (version, description, success, checksum, execution_time)"
            " VALUES (%s, %s, true, %s, %s) ON CONFLICT (version) DO UPDATE SET success = true,"
            " checksum = EXCLUDED.checksum, execution_time = EXCLUDED.execution_time"
        )
        description = info.migration.name.replace("_", " ")
        nanoseconds = int((run.duration_ms or 0) * 1_000_000)
        return [(sql, (int(self.key(info)), description, checksum(info), nanoseconds))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version = %s", (int(self.key(info)),))]

    def lock_key(self, database: str, schema: str, table: str) -> int | None:
        return _LOCK_FACTOR * crc32(database.encode())
