"""node-pg-migrate, its SQL migrations: ``1700000000000_create-users.sql`` with
the up SQL after a ``-- Up Migration`` line and the down SQL after a
``-- Down Migration`` line, as ``node-pg-migrate create --migration-file-language
sql`` writes them. A line is a marker when it starts with ``--``, then dashes or
blanks, then ``up migration`` or ``down migration`` (any case): node-pg-migrate's
own rule. A file without an up marker runs whole on the way up, a down marker
and the SQL after it included; migtui reads it so and says so. ``-- no
transaction`` among the comment lines a file starts with runs it outside a
transaction. Migrations written in JavaScript or TypeScript (``.js``, ``.ts``…)
run in their place, unseen.

node-pg-migrate keeps ``pgmigrations(id, name, run_on)``: a row per migration
applied, named by its file name without the extension; it holds the advisory
lock 7241865325823964 while it migrates.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from migtui.core.model import TABLE, Migration, ObjectRef, Problem
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.dbmate import MIGRATE_BYTES
from migtui.core.tools.reading import (
    Read,
    Where,
    declared_requires,
    files_in,
    is_stray_sql,
    peek,
    read_source,
    unrecognized,
)
from migtui.core.versions import Version

#: The layout name migtui gives this tool's folders.
LAYOUT = "node-pg-migrate"
#: How its folders look, for messages.
SHAPE = "files like 1700000000000_name.sql with -- Up Migration / -- Down Migration lines"
#: What to do about a migration without a down section.
DOWN_HINT = "write the SQL that undoes it after a -- Down Migration line"

NAME = re.compile(r"^(\d+)[_-](.+)\.sql$")
_CODE = re.compile(r"^(\d+)[_-](.+)\.(?:js|cjs|mjs|ts|cts|mts)$")
#: node-pg-migrate's markers: ``^\s*--[\s-]*up\s+migration``, per line, any case.
_UP = re.compile(r"^\s*--[\s-]*up\s+migration", re.IGNORECASE | re.MULTILINE)
_DOWN = re.compile(r"^\s*--[\s-]*down\s+migration", re.IGNORECASE | re.MULTILINE)
_MARKER_BYTES = re.compile(rb"(?im)^[ \t]*--[ \t-]*(?:up|down)[ \t]+migration")
_NO_TRANSACTION = re.compile(r"^--[ \t]*no[ \t]*transaction[ \t]*$", re.IGNORECASE)
#: The advisory lock every node-pg-migrate takes while it migrates.
LOCK_ID = 7241865325823964


def looks_like_node_pg_migrate(paths: list[Path]) -> bool:
    """Whether most of the files carry node-pg-migrate's markers (and not
    dbmate's, whose files may well say "down migration" in a comment)."""
    marked = 0
    for path in paths:
        data = peek(path) or b""
        marked += bool(_MARKER_BYTES.search(data)) and not MIGRATE_BYTES.search(data)
    return marked * 2 > len(paths)


def read(root: Path) -> Read:
    read = Read()
    for path in files_in(root):
        if path.name.startswith("."):
            continue  # node-pg-migrate leaves out dot files
        match = NAME.match(path.name)
        if match is not None:
            read.migrations.append(_migration(root, path, match.group(1), match.group(2)))
            continue
        code = _CODE.match(path.name)
        if code is not None:
            read.code.append((code.group(1), path))
        elif is_stray_sql(path):
            hint = "name migrations TIMESTAMP_name.sql (node-pg-migrate create)"
            read.problems.append(unrecognized(path, root, hint, LAYOUT))
    read.migrations = _sharing_numbers_apart(read.migrations)
    return read


def _sharing_numbers_apart(migrations: list[Migration]) -> list[Migration]:
    """node-pg-migrate knows a migration by its file name, and runs files that
    share a number in the order of their names (compared as text, numbers in
    them as numbers, punctuation ignored): such files are versioned by their
    whole name, in that order, and are not duplicates."""
    groups: dict[tuple[int, ...], list[Migration]] = {}
    for migration in migrations:
        groups.setdefault(migration.version.parts, []).append(migration)
    if all(len(group) == 1 for group in groups.values()):
        return migrations
    out = []
    for parts, group in groups.items():
        if len(group) == 1:
            out.extend(group)
            continue
        group.sort(key=lambda m: _name_order(m.path.name))
        for rank, migration in enumerate(group):
            version = Version(migration.path.stem, parts=(*parts, rank))
            out.append(replace(migration, version=version, name=""))
    return out


def _name_order(name: str) -> tuple[list[tuple[int, int | str]], list[bool]]:
    """Close to JavaScript's ``localeCompare`` of two file names with numeric
    collation and punctuation ignored: character by character, case aside,
    a run of digits by its value and before any letter; then lower case first."""
    primary: list[tuple[int, int | str]] = []
    upper: list[bool] = []
    for run in re.findall(r"\d+|[^\W\d_]", name):
        if run.isdigit():
            primary.append((0, int(run)))
        else:
            primary.append((1, run.casefold()))
            upper.append(run.isupper())
    return primary, upper


def _line_of(text: str, match: re.Match[str]) -> int:
    """0-based line of the marker's ``--`` (the match may start on a blank line above)."""
    return text.count("\n", 0, match.start() + match.group(0).index("--"))


def _no_transaction(lines: tuple[str, ...]) -> bool:
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            return False
        if _NO_TRANSACTION.match(stripped):
            return True
    return False


def _migration(root: Path, path: Path, raw: str, name: str) -> Migration:
    where = Where(root, path, raw)
    source = read_source(where)
    if isinstance(source, Problem):
        return Migration(Version(raw), name, path, LAYOUT, read_problems=(source,))
    problems: list[Problem] = []
    text = source.text
    up_at, down_at = _UP.search(text), _DOWN.search(text)
    up_line = _line_of(text, up_at) if up_at else None
    down_line = _line_of(text, down_at) if down_at else None
    transactional = not _no_transaction(source.lines)
    if up_line is None:
        # node-pg-migrate runs the whole file on the way up
        up = source.section("up", 0, None, transactional=transactional)
        if down_line is not None:
            message = (
                "the file has a -- Down Migration line but no -- Up Migration line: "
                "node-pg-migrate runs the whole file on the way up, the down SQL with it"
            )
            hint = "write -- Up Migration above the up SQL"
            problems.append(where.problem("parse_error", message, hint, down_line + 1))
    else:
        end = down_line if down_line is not None and down_line > up_line else None
        up = source.section("up", up_line, end, transactional=transactional)
    down = None
    if down_line is not None:
        end = up_line if up_line is not None and up_line > down_line else None
        down = source.section("down", down_line, end, transactional=transactional)
    start = up_line or 0
    stop = down_line if down_line is not None and down_line > start else None
    requires = declared_requires(list(enumerate(source.lines[start:stop], start)), where, problems)
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


#: What node-pg-migrate makes before the first migration.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "pgmigrations"),)


class NodePgMigrate(ToolLedger):
    tool = "node-pg-migrate"
    layout = LAYOUT
    table = "pgmigrations"
    columns = frozenset({"id", "name", "run_on"})
    all_columns = columns
    ledger_ddl = (
        "CREATE TABLE IF NOT EXISTS {table} (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL,"
        " run_on timestamp NOT NULL)",
    )

    def key(self, info: MigrationInfo) -> str:
        return info.migration.path.stem

    def select(self, table: str) -> str:
        return f"SELECT name, run_on FROM {table}"

    def states(self, rows, infos, root=None):
        recorded = {str(name): run_on for name, run_on in rows}
        return {
            info.version: ToolState(applied=True, applied_at=str(recorded[self.key(info)]))
            for info in infos
            if self.key(info) in recorded
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"INSERT INTO {table} (name, run_on) VALUES (%s, now())", (self.key(info),))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE name = %s", (self.key(info),))]

    def lock_key(self, database: str, schema: str, table: str) -> int | None:
        return LOCK_ID
