"""goose: ``goose_db_version(id, version_id, is_applied, tstamp)``, a row per
apply (and, in older goose, per rollback with ``is_applied = false``); the
newest row of a version decides. A version 0 row marks the table's creation.
"""

from __future__ import annotations

from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState


class Goose(ToolLedger):
    tool = "goose"
    layout = "goose"
    table = "goose_db_version"
    columns = frozenset({"id", "version_id", "is_applied"})
    all_columns = frozenset({"id", "version_id", "is_applied", "tstamp"})

    def key(self, info: MigrationInfo) -> str:
        return str(info.migration.version.parts[0])

    def select(self, table: str) -> str:
        return (
            f"SELECT DISTINCT ON (version_id) version_id, is_applied, tstamp::text FROM {table}"
            " ORDER BY version_id, id DESC"
        )

    def states(self, rows, infos):
        applied = {str(r[0]): r[2] for r in rows if r[1] and int(r[0]) != 0}
        return {
            info.version: ToolState(applied=True, applied_at=applied[self.key(info)])
            for info in infos
            if self.key(info) in applied
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        sql = f"INSERT INTO {table} (version_id, is_applied) VALUES (%s, true)"
        return [(sql, (int(self.key(info)),))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version_id = %s", (int(self.key(info)),))]
