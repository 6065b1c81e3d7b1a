"""sqlx: ``_sqlx_migrations``, a row per applied version with the SHA-384 of
its SQL and ``success``; a row with ``success = false`` is a migration that
stopped half way, and sqlx refuses to go on until it is fixed.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from migtui.core.model import (
    TABLE,
    Migration,
    ObjectRef,
    Problem,
)
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState, crc32, up_bytes
from migtui.core.tools.reading import (
    Read,
    Source,
    Where,
    all_lines,
    cargo_depends_on,
    declared_requires,
    files_in,
    is_stray_sql,
    unrecognized,
    whole_file,
)
from migtui.core.versions import Version

#: sqlx's factor for its advisory lock number (times the CRC-32 of the database name).
_LOCK_FACTOR = 0x3D32AD9E


def checksum(info: MigrationInfo) -> bytes:
    return hashlib.sha384(up_bytes(info)).digest()


class Sqlx(ToolLedger):
    tool = "sqlx"
    layout = "sqlx"
    table = "_sqlx_migrations"
    ledger_ddl = (
        (
            "CREATE TABLE IF NOT EXISTS {table} (version bigint PRIMARY KEY, "
            "description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT "
            "now(), success boolean NOT NULL, checksum bytea NOT NULL, "
            "execution_time bigint NOT NULL)"
        ),
    )
    columns = frozenset({"version", "description", "success", "checksum"})
    all_columns = frozenset(
        {"version", "description", "installed_on", "success", "checksum", "execution_time"}
    )

    def key(self, info: MigrationInfo) -> str:
        return str(info.migration.version.parts[0])

    def select(self, table: str) -> str:
        return f"SELECT version, success, checksum, installed_on::text FROM {table}"

    def states(self, rows, infos, root=None):
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


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "sqlx"
#: How its folders look, for messages.
SHAPE = "files like 20240101120000_name.sql or .up.sql/.down.sql (a Rust project using sqlx)"
#: What to do about a migration without a down section.
DOWN_HINT = "add VERSION_name.down.sql (and rename the up file VERSION_name.up.sql)"


# -- reading its folders

#: sqlx: ``<version>_<description>.sql``, or ``.up.sql`` / ``.down.sql`` pairs.
SQLX_NAME = re.compile(r"^(\d+)_(.*?)(?:\.(up|down))?\.sql$")


def uses_sqlx(root: Path) -> bool:
    """Whether the folder belongs to a Rust crate that depends on sqlx: its
    file names alone look like golang-migrate's or dbmate's."""
    return cargo_depends_on(root, "sqlx")


def read(root: Path) -> Read:
    read = Read()
    found: dict[tuple[str, str], dict[str, Path]] = defaultdict(dict)
    for path in files_in(root):
        match = SQLX_NAME.match(path.name)
        if match is not None:
            found[(match.group(1), match.group(2))][match.group(3) or "simple"] = path
        elif is_stray_sql(path):
            hint = "name migrations VERSION_description.sql, or .up.sql and .down.sql pairs"
            read.problems.append(unrecognized(path, root, hint, "sqlx"))
    for (raw_version, name), files in found.items():
        path = files.get("up") or files.get("simple") or files["down"]
        where = Where(root, path, raw_version)
        problems: list[Problem] = []
        up = down = None
        requires: tuple[str, ...] = ()
        up_path = files.get("up") or files.get("simple")
        if up_path is not None:
            up, source = whole_file("up", where.at(up_path), problems)
            if up is not None and source is not None:
                up = replace(up, transactional=not _sqlx_no_transaction(source))
            requires = declared_requires(all_lines(source), where, problems)
        if "down" in files:
            down, source = whole_file("down", where.at(files["down"]), problems)
            if down is not None and source is not None:
                down = replace(down, transactional=not _sqlx_no_transaction(source))
        read.migrations.append(
            Migration(
                Version(raw_version),
                name,
                path,
                "sqlx",
                up=up,
                down=down,
                declared_requires=requires,
                read_problems=tuple(problems),
            )
        )
    return read


def _sqlx_no_transaction(source: Source) -> bool:
    """sqlx runs a migration outside a transaction when its first line is
    ``-- no-transaction``."""
    return bool(source.lines) and source.lines[0].strip() == "-- no-transaction"


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "_sqlx_migrations"),)
