"""diesel: ``__diesel_schema_migrations(version varchar(50) PRIMARY KEY,
run_on timestamp)``, a row per applied migration. The version is the folder
name's leading part without its dashes (``2024-01-01-120000_x`` →
``20240101120000``), compared as text.
"""

from __future__ import annotations

from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState


class Diesel(ToolLedger):
    tool = "diesel"
    layout = "diesel"
    table = "__diesel_schema_migrations"
    columns = frozenset({"version", "run_on"})
    all_columns = columns

    def select(self, table: str) -> str:
        return f"SELECT version, run_on::text FROM {table}"

    def states(self, rows, infos):
        recorded = {r[0]: r[1] for r in rows}
        return {
            info.version: ToolState(applied=True, applied_at=recorded[self.key(info)])
            for info in infos
            if self.key(info) in recorded
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"INSERT INTO {table} (version) VALUES (%s)", (self.key(info),))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version = %s", (self.key(info),))]
