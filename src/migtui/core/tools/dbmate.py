"""dbmate: ``schema_migrations(version varchar PRIMARY KEY)``, a row per
applied migration, nothing kept about failures or content.

dbmate reads only the leading digits of a file name as its version, so
``0013_x.sql`` and ``0013_5_y.sql`` are one version to it: the first such
file by name (``0013_5_x.sql`` sorts before ``0013_y.sql``) is the one its
row stands for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from migtui.core.model import (
    TABLE,
    Migration,
    ObjectRef,
    Problem,
    Section,
)
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    files_in,
    is_stray_sql,
    peek,
    read_source,
    sql_before,
    unrecognized,
    whole_file,
)
from migtui.core.versions import Version

_LEADING_DIGITS = re.compile(r"\d+")


class Dbmate(ToolLedger):
    tool = "dbmate"
    layout = "native"
    table = "schema_migrations"
    ledger_ddl = (("CREATE TABLE IF NOT EXISTS {table} (version varchar(128) PRIMARY KEY)"),)
    columns = frozenset({"version"})
    not_columns = frozenset({"dirty"})  # golang-migrate's table of the same name
    all_columns = frozenset({"version"})

    def key(self, info: MigrationInfo) -> str:
        found = _LEADING_DIGITS.match(info.migration.version.raw)
        return found.group(0) if found else info.migration.version.raw

    def select(self, table: str) -> str:
        return f"SELECT version::text FROM {table}"

    def states(self, rows, infos, root=None):
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


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "native"
#: How its folders look, for messages.
SHAPE = "files like 0001_name.sql"
#: What to do about a migration without a down section.
DOWN_HINT = "add a -- migrate:down section that undoes the up section"


# -- reading its folders

NATIVE_NAME = re.compile(r"^(\d+(?:_\d+)*)(?:_(.*))?\.sql$")
#: dbmate also takes ``20240101120000-create-t.sql``: a dash may end the version.
DBMATE_NAME = re.compile(r"^(\d+(?:_\d+)*)(?:[_-](.*))?\.sql$")

_MIGRATE_MARKER = re.compile(r"^\s*--\s*migrate:(\S*)(.*)$")
#: Where other tools' files start their down section.
_FOREIGN_DOWN = re.compile(
    r"^\s*(?:--\s*\+(goose|migrate)\s+down\b|(----)\s*create above\s*/\s*drop below"
    # node-pg-migrate's down marker, as its template writes it (a line of its own:
    # a comment that merely says "down migration …" in a sentence is left alone)
    r"|--[\s-]*(down)\s+migration[\s:=-]*$"
    # shmig's
    r"|--\s*(====)\s*down\s*====\s*$)",
    re.IGNORECASE,
)
#: The tool each of them belongs to, and its layout in migtui.
_FOREIGN_TOOLS = {
    "goose": ("goose", "goose"),
    "migrate": ("sql-migrate", "sql-migrate"),
    "----": ("tern", "tern"),
    "down": ("node-pg-migrate", "node-pg-migrate"),
    "====": ("shmig", "shmig"),
}
MIGRATE_BYTES = re.compile(rb"(?m)^[ \t]*--[ \t]*migrate:")


def has_markers(paths: Iterable[Path]) -> bool:
    """Whether any of the files carries a ``-- migrate:`` marker."""
    return any(MIGRATE_BYTES.search(peek(path) or b"") for path in paths)


#: A file that undoes the migration beside it, by a convention many teams and
#: some tools (yoyo) share: ``0001_users.rollback.sql`` beside ``0001_users.sql``.
_UNDOING = re.compile(r"^(.+)\.(?:rollback|down)\.sql$", re.IGNORECASE)


def read(root: Path) -> Read:
    read = Read()
    files = files_in(root)
    names = {path.name for path in files}
    undoes = {
        f"{match.group(1)}.sql": path
        for path in files
        if (match := _UNDOING.match(path.name)) and f"{match.group(1)}.sql" in names
    }
    undoing = set(undoes.values())
    for path in files:
        if path in undoing:
            continue  # read as the down section of the migration it undoes
        match = DBMATE_NAME.match(path.name)
        if match is not None:
            read.migrations.append(
                _native_migration(path, root, match.group(1), match.group(2), undoes.get(path.name))
            )
        elif is_stray_sql(path):
            hint = "name migrations VERSION_name.sql, e.g. 0015_add_index.sql or 20240101120000_add_index.sql"
            read.problems.append(unrecognized(path, root, hint, "native"))
    return read


def _native_migration(
    path: Path, root: Path, raw_version: str, name: str | None, undoing: Path | None = None
) -> Migration:
    """The migration in ``path``; ``undoing``, a file of its own that undoes it,
    is its down section when the file has none."""
    where = Where(root, path, raw_version)
    problems: list[Problem] = []

    def migration(**sections) -> Migration:
        if undoing is not None:
            unread: list[Problem] = []
            if sections.get("down") is None:
                sections["down"], _ = whole_file("down", where.at(undoing), unread)
            else:
                message = (
                    f"{undoing.name} looks like the undoing of {path.name}, which has a "
                    "-- migrate:down section of its own: that section is its down, and this "
                    "file is never run"
                )
                hint = f"move its SQL under -- migrate:down in {path.name}, or delete it"
                unread.append(where.at(undoing).problem("unrecognized_file", message, hint))
            sections["read_problems"] = (*sections.get("read_problems", ()), *unread)
        return Migration(Version(raw_version), name or "", path, "native", **sections)

    source = read_source(where)
    if isinstance(source, Problem):
        return migration(read_problems=(source,))

    # Every marker line ends the section before it, even a malformed one, so the
    # lines after a typo such as "-- migrate:rollback" can never run as part of up.
    markers: list[tuple[int, str | None, bool]] = []  # (line index, kind, transactional)
    for index, line in enumerate(source.lines if "migrate:" in source.text else ()):
        if "migrate:" in line and (match := _MIGRATE_MARKER.match(line)):
            if not line.startswith("--"):
                # dbmate reads a marker only at the start of its line: it refuses the
                # file or runs the lines after it in the section before. Read as the
                # author meant, so nothing else is said that the fix would undo.
                message = (
                    f"{line.strip()!r} is indented: dbmate reads a marker only at the start of "
                    "a line, so to it this one is a comment and the lines after it belong to "
                    "the section before it"
                )
                hint = "start the marker at the beginning of its line"
                problems.append(where.problem("parse_error", message, hint, index + 1))
            seen = {kind for _, kind, _ in markers}
            markers.append((index, *_native_marker(match, seen, where, index + 1, problems)))

    if not markers:
        # Another tool's down section would run as part of the up: say so, and
        # run nothing after its marker.
        for index, line in enumerate(source.lines):
            if (foreign := _FOREIGN_DOWN.match(line)) is not None:
                tool, layout = _FOREIGN_TOOLS[
                    (
                        foreign.group(1) or foreign.group(2) or foreign.group(3) or foreign.group(4)
                    ).lower()
                ]
                message = (
                    f"{line.strip()!r} marks {tool}'s down section, but this folder is read as "
                    "native, where a file without -- migrate: markers is all up: the lines "
                    "after it are not run"
                )
                hint = f"read the folder as {tool}'s (--layout {layout})"
                problems.append(where.problem("parse_error", message, hint, index + 1))
                up = source.section("up", 0, index)
                requires = declared_requires(list(enumerate(source.lines[:index])), where, problems)
                return migration(up=up, declared_requires=requires, read_problems=tuple(problems))
        up = source.section("up", 0, None)
        requires = declared_requires(all_lines(source), where, problems)
        return migration(up=up, declared_requires=requires, read_problems=tuple(problems))

    sections: dict[str, Section] = {}
    requires_lines = list(enumerate(source.lines[: markers[0][0]]))
    ends = [index for index, _, _ in markers[1:]] + [None]
    for (index, kind, transactional), end in zip(markers, ends, strict=True):
        if kind is None:
            continue
        sections[kind] = source.section(kind, index + 1, end, transactional=transactional)
        if kind == "up":
            stop = end if end is not None else len(source.line_starts)
            requires_lines += [(i, source.lines[i]) for i in range(index + 1, stop)]
    problems.extend(sql_before(source, markers[0][0], where, "-- migrate:up"))
    requires = declared_requires(requires_lines, where, problems)
    return migration(
        up=sections.get("up"),
        down=sections.get("down"),
        verify=sections.get("verify"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def _native_marker(
    match: re.Match[str], seen: set[str | None], where: Where, line: int, problems: list[Problem]
) -> tuple[str | None, bool]:
    """The section kind a marker opens (None when malformed) and its transaction flag."""
    kind, options = match.group(1), match.group(2).split()
    if kind not in ("up", "down", "verify"):
        message = f"unknown marker -- migrate:{kind}; the lines after it are not run"
        hint = "use -- migrate:up, -- migrate:down or -- migrate:verify"
        problems.append(where.problem("parse_error", message, hint, line))
        return None, True
    if kind in seen:
        message = f"-- migrate:{kind} appears twice; the second section is not run"
        problems.append(where.problem("parse_error", message, "keep one marker per section", line))
        return None, True
    transactional = True
    for option in options:
        if option.lower() not in ("transaction:false", "transaction:true"):
            message = f"unknown option {option!r} on -- migrate:{kind}"
            hint = "the only option is transaction:false"
            problems.append(where.problem("parse_error", message, hint, line))
            continue
        transactional = option.lower() == "transaction:true"
    return kind, transactional


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "schema_migrations"),)
