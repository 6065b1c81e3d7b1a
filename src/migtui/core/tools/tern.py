"""tern (jackc/tern): files ``001_create_people.sql`` whose up SQL is above the
line ``---- create above / drop below ----`` and whose down SQL is below it;
``---- tern: disable-tx ----`` as a file's first line runs it outside a
transaction. tern keeps one number, the version the database is at, in
``public.schema_version(version int4)``: every migration up to it counts as
applied.

tern expands each file as a Go template first (``{{ template "x.sql" . }}``,
``{{.app_user}}``): migtui cannot, and says so for each file that has one.
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

#: The layout name migtui gives this tool's folders.
LAYOUT = "tern"
#: How its folders look, for messages.
SHAPE = "files like 001_name.sql with a ---- create above / drop below ---- line"
#: What to do about a migration without a down section.
DOWN_HINT = "write the SQL that undoes it below a ---- create above / drop below ---- line"

TERN_NAME = re.compile(r"^(\d+)_(.*)\.sql$")
SEPARATOR = re.compile(r"^\s*----\s*create above\s*/\s*drop below\s*----\s*$", re.IGNORECASE)
_SEPARATOR_BYTES = re.compile(rb"(?im)^[ \t]*----[ \t]*create above[ \t]*/[ \t]*drop below")
_DISABLE_TX = re.compile(r"^\s*----\s*tern:\s*disable-tx\s*----\s*$", re.IGNORECASE)
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def looks_like_tern(paths: list[Path]) -> bool:
    """Whether most of the files carry tern's separator line."""
    marked = sum(bool(_SEPARATOR_BYTES.search(peek(path) or b"")) for path in paths)
    return marked * 2 > len(paths)


def read(root: Path) -> Read:
    read = Read()
    hint = "name migrations NNN_name.sql, e.g. 004_add_index.sql"
    for path, match in named_files(root, TERN_NAME, read, hint, LAYOUT):
        read.migrations.append(_tern_migration(path, root, match.group(1), match.group(2)))
    return read


def _tern_migration(path: Path, root: Path, raw: str, name: str) -> Migration:
    where = Where(root, path, raw)
    problems: list[Problem] = []
    source = read_source(where)
    if isinstance(source, Problem):
        return Migration(Version(raw), name, path, LAYOUT, read_problems=(source,))
    lines = source.lines
    split = next((i for i, line in enumerate(lines) if SEPARATOR.match(line)), None)
    transactional = not (lines and _DISABLE_TX.match(lines[0]))
    up = source.section("up", 0, split, transactional=transactional)
    down = source.section("down", split + 1, None) if split is not None else None
    template = _TEMPLATE.search(source.text)
    if template is not None:
        line = source.text.count("\n", 0, template.start()) + 1
        message = (
            f"tern expands {template.group(0)[:40]!r} as a Go template before running the "
            "file; migtui cannot, so the statements around it are not checked"
        )
        hint = "write the SQL out in the file if it is to be checked and run by migtui"
        problems.append(where.problem("parse_error", message, hint, line))
    requires = declared_requires(all_lines(source), where, problems)
    return Migration(
        Version(raw),
        name,
        path,
        LAYOUT,
        up=up,
        down=down,
        declared_requires=requires,
        read_problems=tuple(problems),
    )


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "schema_version"),)


class Tern(ToolLedger):
    tool = "tern"
    layout = LAYOUT
    table = "public.schema_version"
    ledger_ddl = (
        "CREATE TABLE IF NOT EXISTS {table} (version int4 NOT NULL)",
        "INSERT INTO {table} (version) SELECT 0 WHERE NOT EXISTS (SELECT FROM {table})",
    )
    columns = frozenset({"version"})
    all_columns = columns

    def select(self, table: str) -> str:
        return f"SELECT version FROM {table}"

    def states(self, rows, infos, root=None):
        at = max((int(r[0]) for r in rows), default=0)
        return {
            info.version: ToolState(applied=True)
            for info in infos
            if info.migration.version.parts[0] <= at
        }

    def _set(self, table: str, version: int) -> list[Sql]:
        return [
            (f"DELETE FROM {table}", ()),
            (f"INSERT INTO {table} (version) VALUES (%s)", (version,)),
        ]

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        # one number: a migration applied late must not lower it
        newest = max(i.migration.version.parts[0] for i in (*run.applied, info))
        return self._set(table, newest)

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        older = [i.migration.version.parts[0] for i in run.applied if i.version != info.version]
        return self._set(table, max(older, default=0))
