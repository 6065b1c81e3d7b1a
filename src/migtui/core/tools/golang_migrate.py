"""golang-migrate: ``schema_migrations(version bigint, dirty boolean)`` with
one row, the newest version applied; every older version counts as applied.
``dirty`` means that version stopped half way.
"""

from __future__ import annotations

from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState, crc32

#: golang-migrate's salt for its advisory lock number.
_LOCK_SALT = 1486364155


class GolangMigrate(ToolLedger):
    tool = "golang-migrate"
    layout = "golang-migrate"
    table = "schema_migrations"
    columns = frozenset({"version", "dirty"})
    all_columns = columns

    def select(self, table: str) -> str:
        return f"SELECT version, dirty FROM {table}"

    def states(self, rows, infos):
        if not rows:
            return {}
        newest, dirty = max((int(r[0]), bool(r[1])) for r in rows)
        out: dict[str, ToolState] = {}
        for info in infos:
            number = int(info.migration.version.parts[0])
            if number < newest or (number == newest and not dirty):
                out[info.version] = ToolState(applied=True)
            elif number == newest:
                out[info.version] = ToolState(applied=True, failed=True)
        return out

    def _set(self, table: str, version: int | None) -> list[Sql]:
        sql: list[Sql] = [(f"DELETE FROM {table}", ())]
        if version is not None:
            sql.append((f"INSERT INTO {table} (version, dirty) VALUES (%s, false)", (version,)))
        return sql

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        # Only the newest version is kept: an older migration applied late
        # must not make the newer ones look unapplied.
        sql = (
            f"WITH old AS (DELETE FROM {table} RETURNING version)"
            f" INSERT INTO {table} (version, dirty)"
            " SELECT greatest(%s, coalesce(max(version), %s)), false FROM old"
        )
        number = info.migration.version.parts[0]
        return [(sql, (number, number))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        older = [i.migration.version.parts[0] for i in run.applied if i.version != info.version]
        return self._set(table, max(older, default=None))

    def lock_key(self, database: str, schema: str, table: str) -> int | None:
        # golang-migrate's postgres driver: CRC-32 of schema, table and database
        # joined by NUL, times its salt, as a 32-bit unsigned number.
        joined = "\0".join((schema, table, database)).encode()
        return (crc32(joined) * _LOCK_SALT) & 0xFFFFFFFF
