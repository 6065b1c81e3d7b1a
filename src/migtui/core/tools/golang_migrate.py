"""golang-migrate: ``schema_migrations(version bigint, dirty boolean)`` with
one row, the newest version applied; every older version counts as applied.
``dirty`` means that version stopped half way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from migtui.core.model import (
    TABLE,
    ObjectRef,
)
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState, crc32
from migtui.core.tools.reading import (
    Read,
    files_in,
    is_stray_sql,
    paired_migration,
    unrecognized,
)

#: golang-migrate's salt for its advisory lock number.
_LOCK_SALT = 1486364155


class GolangMigrate(ToolLedger):
    tool = "golang-migrate"
    layout = "golang-migrate"
    table = "schema_migrations"
    ledger_ddl = (
        (
            "CREATE TABLE IF NOT EXISTS {table} (version bigint NOT NULL PRIMARY "
            "KEY, dirty boolean NOT NULL)"
        ),
    )
    columns = frozenset({"version", "dirty"})
    all_columns = columns

    def select(self, table: str) -> str:
        return f"SELECT version, dirty FROM {table}"

    def states(self, rows, infos, root=None):
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


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "golang-migrate"
#: How its folders look, for messages.
SHAPE = "files like 1_name.up.sql and 1_name.down.sql"
#: What to do about a migration without a down section.
DOWN_HINT = "add N_name.down.sql that undoes the up file"


# -- reading its folders

GOLANG_NAME = re.compile(r"^(\d+)_(.*)\.(up|down)\.sql$")


def read(root: Path) -> Read:
    read = Read()
    # golang-migrate pairs an up file with the down file of its version,
    # whatever each is named (1_add_m.up.sql and 1_drop_m.down.sql)
    by_version: dict[str, list[tuple[str, str, Path]]] = defaultdict(list)
    for path in files_in(root):
        match = GOLANG_NAME.match(path.name)
        if match is not None:
            by_version[match.group(1)].append((match.group(3), match.group(2), path))
        elif is_stray_sql(path):
            hint = "name migrations N_name.up.sql and N_name.down.sql"
            read.problems.append(unrecognized(path, root, hint, "golang-migrate"))
    for raw_version, found in by_version.items():
        directions = [direction for direction, _, _ in found]
        if len(set(directions)) == len(directions):
            name = next(n for d, n, _ in sorted(found, key=lambda f: f[0] != "up"))
            files = {direction: path for direction, _, path in found}
            read.migrations.append(paired_migration(root, raw_version, name, files, LAYOUT))
            continue
        # two files of one direction: each name its own migration (the version
        # is then said to be used twice)
        pairs: dict[str, dict[str, Path]] = defaultdict(dict)
        for direction, name, path in found:
            pairs[name][direction] = path
        for name, files in pairs.items():
            read.migrations.append(paired_migration(root, raw_version, name, files, LAYOUT))
    return read


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "schema_migrations"),)
