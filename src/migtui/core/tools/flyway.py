"""flyway: ``flyway_schema_history``, a row per apply with a rank, a CRC-32 of
the script and ``success``. The newest row of a version decides; a
``BASELINE`` row stands for every version up to its own; a failed row
(``success = false``) is a migration stopped half way.
"""

from __future__ import annotations

import re

from migtui.core.project import MigrationInfo
from migtui.core.tools.base import (
    Sql,
    ToolLedger,
    ToolRun,
    ToolState,
    crc32,
    java_string_hash,
    signed32,
)
from migtui.core.versions import Version

#: flyway's base for its advisory lock number ("Flyway" in ASCII).
_LOCK_BASE = 77431708279161
_LINE_END = re.compile(r"\r\n|\r|\n")


def checksum(data: bytes) -> int:
    """flyway's checksum of a script: CRC-32 over its lines without their line
    ends (a leading BOM dropped), as a signed 32-bit number."""
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the line end after the last line starts no new line
    value = 0
    for line in lines:
        value = crc32(line.encode("utf-8"), value)
    return signed32(value)


class Flyway(ToolLedger):
    tool = "flyway"
    layout = "flyway"
    table = "flyway_schema_history"
    columns = frozenset({"installed_rank", "version", "script", "checksum", "success"})
    all_columns = frozenset(
        {
            "installed_rank",
            "version",
            "description",
            "type",
            "script",
            "checksum",
            "installed_by",
            "installed_on",
            "execution_time",
            "success",
        }
    )

    def key(self, info: MigrationInfo) -> str:
        return info.migration.version.raw

    def select(self, table: str) -> str:
        return (
            f"SELECT version, type, checksum, success, installed_on::text FROM {table}"
            " WHERE version IS NOT NULL ORDER BY installed_rank"
        )

    def states(self, rows, infos):
        newest: dict[tuple[int, ...], tuple] = {}
        baseline: Version | None = None
        for row in rows:
            try:
                version = Version(row[0])
            except ValueError:
                continue
            if row[1] == "BASELINE" and row[3]:
                baseline = version
            newest[version.parts] = row
        out: dict[str, ToolState] = {}
        for info in infos:
            version = info.migration.version
            row = newest.get(version.parts)
            if row is None:
                if baseline is not None and version <= baseline:
                    out[info.version] = ToolState(applied=True)
                continue
            _, kind, stored, success, at = row
            if str(kind).startswith("UNDO") and success:
                continue  # undone by flyway's own undo
            if kind == "BASELINE":
                out[info.version] = ToolState(applied=True, applied_at=at)
                continue
            matches = None
            if stored is not None and info.migration.up is not None:
                matches = stored == checksum(_file_bytes(info))
            out[info.version] = ToolState(
                applied=True,
                failed=not success,
                checksum=None if stored is None else str(stored),
                matches=matches,
                applied_at=at,
            )
        return out

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        m = info.migration
        script = m.path.name if run.root is None else m.path.relative_to(run.root).as_posix()
        sql = (
            f"INSERT INTO {table} (installed_rank, version, description, type, script,"
            " checksum, installed_by, execution_time, success)"
            f" SELECT coalesce(max(installed_rank), 0) + 1, %s, %s, 'SQL', %s, %s,"
            f" current_user, %s, true FROM {table}"
        )
        description = m.name.replace("_", " ")
        duration = int(run.duration_ms or 0)
        return [(sql, (self.key(info), description, script, checksum(_file_bytes(info)), duration))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        sql = f"DELETE FROM {table} WHERE version = %s AND type <> 'BASELINE'"
        return [(sql, (self.key(info),))]

    def lock_key(self, database: str, schema: str, table: str) -> int | None:
        # flyway: its base number plus Java's hash of the quoted table name
        return _LOCK_BASE + java_string_hash(f'"{schema}"."{table}"')


def _file_bytes(info: MigrationInfo) -> bytes:
    try:
        return info.migration.path.read_bytes()
    except OSError:
        return b""
