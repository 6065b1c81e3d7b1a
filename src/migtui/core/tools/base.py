"""What every tool's ledger module provides, and the helpers they share.

A tool's ledger is a table (or, for sqitch, a schema) its own program keeps
in the target. Each module in this package describes one: the columns that
identify it, the SQL that reads it, how its rows become each migration's
state as that tool decides it, and the SQL that records an apply or a
rollback the way the tool itself would. The database layer (``db.tools``)
runs that SQL; nothing here touches a connection.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from migtui.core.project import MigrationInfo
from migtui.core.versions import Version

#: One SQL statement with its parameters (``%s`` placeholders).
Sql = tuple[str, tuple]


@dataclass(frozen=True)
class ToolState:
    """One migration as the tool's ledger records it."""

    applied: bool
    #: The tool says the migration failed or stopped half way (dirty).
    failed: bool = False
    #: The ledger's checksum, and whether it still matches the file (None when
    #: the tool keeps none, or this row has none).
    checksum: str | None = None
    matches: bool | None = None
    applied_at: str | None = None


@dataclass(frozen=True)
class ToolRun:
    """What the tool's row of an apply needs beyond the migration itself."""

    duration_ms: float | None = None
    #: The migrations still applied once this step is done, oldest first
    #: (golang-migrate records only the newest; dbmate's row may stand for
    #: another file of the same number).
    applied: tuple[MigrationInfo, ...] = ()
    #: The migrations folder (flyway records each script's path in it).
    root: Path | None = None


class ToolLedger:
    """One tool's ledger. Subclasses set the class attributes and override
    what differs; every SQL text takes the ledger's quoted table name."""

    #: The tool's name as operators know it.
    tool: ClassVar[str]
    #: The layout whose folders this tool reads.
    layout: ClassVar[str]
    #: The table the tool makes when not told otherwise (found through the
    #: search path, as the tool finds it).
    table: ClassVar[str]
    #: Columns a table must have to be this tool's ledger.
    columns: ClassVar[frozenset[str]]
    #: Columns it must not have (two tools may share a table name).
    not_columns: ClassVar[frozenset[str]] = frozenset()
    #: Every column of the tool's table: a table of another name with exactly
    #: these is taken for a renamed ledger (empty: never looked for).
    all_columns: ClassVar[frozenset[str]] = frozenset()
    #: Whether migtui can write this ledger's rows as the tool would.
    writes: ClassVar[bool] = True
    #: The SQL that makes the ledger as the tool does before its first
    #: migration (``{table}`` is its quoted name); empty: migtui does not.
    ledger_ddl: ClassVar[tuple[str, ...]] = ()

    def key(self, info: MigrationInfo) -> str:
        """The migration's version as the tool writes it in its ledger."""
        return info.migration.version.raw

    def select(self, table: str) -> str:
        raise NotImplementedError

    def states(
        self, rows: list[tuple], infos: tuple[MigrationInfo, ...], root: Path | None = None
    ) -> dict[str, ToolState]:
        """Each migration's state (by migtui version) from the ledger's rows;
        migrations the ledger does not mention are pending. ``root`` is the
        migrations folder, for tools whose ids come from a file in it."""
        raise NotImplementedError

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        """The SQL that marks ``info`` applied, as the tool would."""
        raise NotImplementedError

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        """The SQL that marks ``info`` rolled back, as the tool would."""
        raise NotImplementedError

    def lock_key(self, database: str, schema: str, table: str) -> int | None:
        """The advisory lock the tool takes while it migrates, if any."""
        return None


def up_bytes(info: MigrationInfo) -> bytes:
    """The bytes of the file holding the migration's up section, as the tools
    hash them (empty when it cannot be read)."""
    up = info.migration.up
    try:
        return up.path.read_bytes() if up is not None else b""
    except OSError:
        return b""


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(table)}"


def split_table(name: str) -> tuple[str | None, str]:
    """``schema.table`` or ``table`` (double quotes allowed around either)."""
    parts: list[str] = []
    current, quoted, i = "", False, 0
    while i < len(name):
        ch = name[i]
        if ch == '"':
            if quoted and name[i + 1 : i + 2] == '"':
                current += '"'
                i += 1
            else:
                quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch if quoted else ch.lower()
        i += 1
    parts.append(current)
    if len(parts) == 1 and parts[0]:
        return None, parts[0]
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    raise ValueError(f"{name!r} is not a table name (write table or schema.table)")


def java_string_hash(text: str) -> int:
    """Java's ``String.hashCode``: a signed 32-bit number over UTF-16 units."""
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def signed32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def crc32(data: bytes, start: int = 0) -> int:
    return zlib.crc32(data, start)


def rows_by_version(
    rows: list[tuple], is_baseline: Callable[[tuple], bool]
) -> tuple[dict[tuple[int, ...], tuple], Version | None]:
    """A ledger's rows by the version in their first column (a later row of a
    version wins), and the newest version a baseline row stands for: the
    tool counts every version up to it as applied."""
    found: dict[tuple[int, ...], tuple] = {}
    baseline: Version | None = None
    for row in rows:
        try:
            version = Version(row[0])
        except ValueError:
            continue
        if is_baseline(row) and (baseline is None or version > baseline):
            baseline = version
        found[version.parts] = row
    return found, baseline
