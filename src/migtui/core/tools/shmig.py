"""shmig (a migration tool in bash): files ``1639160000-add_events.sql``, named
by a Unix timestamp and a dash, whose up SQL follows a ``-- ====  UP  ====``
line and whose down SQL follows a ``-- ==== DOWN ====`` line.

shmig pipes a section, without its comment lines, into psql, followed by the
row it keeps: nothing wraps the section in a transaction but the section's own
``BEGIN`` … ``COMMIT``, which its template writes. It keeps a row per applied
version in ``shmig_version(version int)`` and runs only the files newer than
the newest row: an older one added late never runs.
"""

from __future__ import annotations

import re
from pathlib import Path

from migtui.core.model import TABLE, Migration, ObjectRef, Problem
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    named_files,
    peek,
    read_source,
)
from migtui.core.versions import Version


class Shmig(ToolLedger):
    tool = "shmig"
    layout = "shmig"
    table = "shmig_version"
    ledger_ddl = ("CREATE TABLE IF NOT EXISTS {table} (version int NOT NULL PRIMARY KEY)",)
    columns = frozenset({"version"})
    all_columns = frozenset({"version", "migrated_at"})

    def select(self, table: str) -> str:
        return f"SELECT version FROM {table}"

    def states(self, rows, infos, root=None):
        if not rows:
            return {}
        applied = {int(r[0]) for r in rows}
        newest = max(applied)
        # shmig runs only what is newer than its newest row: an older version
        # without a row is as done, to it, as one with
        return {
            info.version: ToolState(applied=True)
            for info in infos
            if int(info.migration.version.raw) in applied
            or int(info.migration.version.raw) < newest
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"INSERT INTO {table} (version) VALUES (%s)", (int(info.migration.version.raw),))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version = %s", (int(info.migration.version.raw),))]


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "shmig"
#: How its folders look, for messages.
SHAPE = "files like 1639160000-name.sql with -- ====  UP  ==== and -- ==== DOWN ==== lines"
#: What to do about a migration without a down section.
DOWN_HINT = "write the SQL that undoes it after a -- ==== DOWN ==== line"

SHMIG_NAME = re.compile(r"^(\d+)-(.+)\.sql$")
_MARKER = re.compile(r"^--\s*====\s*(UP|DOWN)\s*====\s*$", re.IGNORECASE)
_MARKER_BYTES = re.compile(rb"(?im)^--[ \t]*====[ \t]*UP[ \t]*====[ \t]*$")


def looks_like_shmig(paths: list[Path]) -> bool:
    """Whether most of the dash-named files carry shmig's UP marker."""
    named = [p for p in paths if SHMIG_NAME.match(p.name)]
    marked = sum(bool(_MARKER_BYTES.search(peek(p) or b"")) for p in named)
    return marked > 0 and marked * 2 > len(paths)


def read(root: Path) -> Read:
    read = Read()
    hint = "name migrations TIMESTAMP-name.sql (shmig create name)"
    for path, match in named_files(root, SHMIG_NAME, read, hint, LAYOUT):
        read.migrations.append(_shmig_migration(path, root, match.group(1), match.group(2)))
    return read


def _shmig_migration(path: Path, root: Path, raw: str, name: str) -> Migration:
    where = Where(root, path, raw)
    source = read_source(where)
    if isinstance(source, Problem):
        return Migration(Version(raw), name, path, LAYOUT, read_problems=(source,))
    problems: list[Problem] = []
    marks = [
        (i, m.group(1).lower()) for i, line in enumerate(source.lines) if (m := _MARKER.match(line))
    ]
    sections = {}
    for n, (index, kind) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else None
        if kind not in sections:
            sections[kind] = source.section(kind, index + 1, end)
    if "up" not in sections:
        message = (
            f"{path.name} has no -- ====  UP  ==== line: shmig refuses to run it "
            '("contains no section UP")'
        )
        hint = "put the up SQL after a -- ====  UP  ==== line"
        problems.append(where.problem("parse_error", message, hint, 1))
    requires = declared_requires(all_lines(source), where, problems)
    return Migration(
        Version(raw),
        name,
        path,
        LAYOUT,
        up=sections.get("up"),
        down=sections.get("down"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "shmig_version"),)
