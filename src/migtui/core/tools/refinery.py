"""refinery (Rust): files ``V1__create_users.sql`` (versioned) and
``U2__add_index.sql`` (unversioned: refinery runs one whose version is below the
newest applied instead of refusing it as missing), in a crate that depends on
refinery. Versions are whole numbers, one migration each, in number order; each
file runs whole, in a transaction of its own. There are no down migrations.
``V3__name.rs`` migrations return their SQL from Rust code, unseen.

refinery keeps ``refinery_schema_history(version int4 PRIMARY KEY, name
varchar(255), applied_on varchar(255), checksum varchar(255))``: a row per
applied migration, its checksum a SipHash-1-3 of the name, the version and the
file's text (checked before each run: a file changed since it ran stops
refinery).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from migtui.core.model import TABLE, ObjectRef
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    cargo_depends_on,
    files_in,
    is_stray_sql,
    paired_migration,
    unrecognized,
)

#: The layout name migtui gives this tool's folders.
LAYOUT = "refinery"
#: How its folders look, for messages.
SHAPE = "files like V1__name.sql (and U2__name.sql) in a crate that depends on refinery"
#: What to do about a migration without a down section.
DOWN_HINT = "refinery has no down migrations: undo it with a new migration"

#: refinery's own rule for a migration's file name: prefix, version, name.
REFINERY_NAME = re.compile(r"^([UV])(\d+)__(\w+)\.(sql|rs)$")


def uses_refinery(root: Path) -> bool:
    """Whether the folder belongs to a Rust crate that depends on refinery: its
    file names alone look like flyway's."""
    return cargo_depends_on(root, "refinery")


def read(root: Path) -> Read:
    read = Read()
    for path in files_in(root):
        match = REFINERY_NAME.match(path.name)
        if match is None:
            if is_stray_sql(path):
                hint = "name migrations V<number>__name.sql (letters, digits and _ in the name)"
                read.problems.append(unrecognized(path, root, hint, LAYOUT))
            continue
        _, raw, name, ext = match.groups()
        if ext == "rs":
            read.code.append((raw, path))
            continue
        read.migrations.append(paired_migration(root, raw, name, {"up": path}, LAYOUT))
    return read


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "refinery_schema_history"),)


class Refinery(ToolLedger):
    tool = "refinery"
    layout = LAYOUT
    table = "refinery_schema_history"
    ledger_ddl = (
        "CREATE TABLE IF NOT EXISTS {table} (version int4 PRIMARY KEY, name VARCHAR(255), "
        "applied_on VARCHAR(255), checksum VARCHAR(255))",
    )
    columns = frozenset({"version", "name", "applied_on", "checksum"})
    all_columns = columns

    def select(self, table: str) -> str:
        return f"SELECT version, checksum, applied_on FROM {table}"

    def states(self, rows, infos, root=None):
        applied = {int(version): (stored, at) for version, stored, at in rows}
        found = {}
        for info in infos:
            row = applied.get(int(info.migration.version.raw))
            if row is None:
                continue
            stored, at = row
            matches = None if stored is None else str(stored) == str(checksum(info))
            found[info.version] = ToolState(
                applied=True, checksum=stored, matches=matches, applied_at=at
            )
        return found

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        m = info.migration
        # refinery writes the time as RFC 3339, in UTC
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        sql = f"INSERT INTO {table} (version, name, applied_on, checksum) VALUES (%s, %s, %s, %s)"
        return [(sql, (int(m.version.raw), m.name, now, str(checksum(info))))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version = %s", (int(info.migration.version.raw),))]


def checksum(info: MigrationInfo) -> int:
    """refinery's checksum of a migration: Rust's ``Hash`` of its name, its
    version (an ``i32``) and its file's text, fed to SipHash-1-3 with a zero key.
    A string hashes as its bytes and a 0xff; a number as its little-endian bytes."""
    m = info.migration
    text = m.path.read_bytes().decode("utf-8", errors="replace").encode("utf-8")
    version = int(m.version.raw) & 0xFFFFFFFF
    data = m.name.encode("utf-8") + b"\xff" + version.to_bytes(4, "little") + text + b"\xff"
    return siphash(data, rounds=1, final_rounds=3)


_MASK = 0xFFFFFFFFFFFFFFFF


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _MASK


def siphash(data: bytes, k0: int = 0, k1: int = 0, rounds: int = 2, final_rounds: int = 4) -> int:
    """SipHash-c-d of ``data`` (c compression, d finalisation rounds), as a 64-bit number."""
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573

    def sip_round() -> None:
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & _MASK
        v1 = _rotl(v1, 13) ^ v0
        v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & _MASK
        v3 = _rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & _MASK
        v3 = _rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & _MASK
        v1 = _rotl(v1, 17) ^ v2
        v2 = _rotl(v2, 32)

    whole = len(data) - len(data) % 8
    for at in range(0, whole, 8):
        m = int.from_bytes(data[at : at + 8], "little")
        v3 ^= m
        for _ in range(rounds):
            sip_round()
        v0 ^= m
    last = int.from_bytes(data[whole:], "little") | ((len(data) & 0xFF) << 56)
    v3 ^= last
    for _ in range(rounds):
        sip_round()
    v0 ^= last
    v2 ^= 0xFF
    for _ in range(final_rounds):
        sip_round()
    return v0 ^ v1 ^ v2 ^ v3
