"""dbmate: ``schema_migrations(version varchar PRIMARY KEY)``, a row per
applied migration, nothing kept about failures or content.

dbmate reads only the leading digits of a file name as its version, so
``0013_x.sql`` and ``0013_5_y.sql`` are one version to it: the first such
file by name (``0013_5_x.sql`` sorts before ``0013_y.sql``) is the one its
row stands for.
"""

from __future__ import annotations

import re

from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState

_LEADING_DIGITS = re.compile(r"\d+")


class Dbmate(ToolLedger):
    tool = "dbmate"
    layout = "native"
    table = "schema_migrations"
    columns = frozenset({"version"})
    not_columns = frozenset({"dirty"})  # golang-migrate's table of the same name
    all_columns = frozenset({"version"})

    def key(self, info: MigrationInfo) -> str:
        found = _LEADING_DIGITS.match(info.migration.version.raw)
        return found.group(0) if found else info.migration.version.raw

    def select(self, table: str) -> str:
        return f"SELECT version::text FROM {table}"

    def states(self, rows, infos):
        recorded = {row[0] for row in rows}
        out: dict[str, ToolState] = {}
        # dbmate runs files in name order; of files sharing a number, the
        # first by name is the one its row stands for (the rest failed on it)
        for info in sorted(infos, key=lambda i: i.migration.path.name):
            key = self.key(info)
            if key in recorded:
                out[info.version] = ToolState(applied=True)
                recorded.discard(key)
        return out

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        sql = f"INSERT INTO {table} (version) VALUES (%s) ON CONFLICT DO NOTHING"
        return [(sql, (self.key(info),))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        key = self.key(info)
        if any(self.key(i) == key for i in run.applied if i.version != info.version):
            return []  # the row also stands for a file of the same number still applied
        return [(f"DELETE FROM {table} WHERE version = %s", (key,))]


def shared_versions(infos: tuple[MigrationInfo, ...]) -> list[list[str]]:
    """Groups of migrations dbmate takes for one version (same leading digits)."""
    groups: dict[str, list[str]] = {}
    for info in infos:
        groups.setdefault(Dbmate().key(info), []).append(info.version)
    return [g for g in groups.values() if len(g) > 1]
