"""pop (gobuffalo/pop, and Ory's popx, which Kratos, Hydra and Keto migrate
with): ``20191100000001000000_identities.postgres.up.sql`` and its
``.down.sql``. The part between the name and ``up``/``down`` says which
database the file is for (``postgres``, ``cockroach``, ``mysql``,
``sqlite3``…); a file without one is for every database. For a version,
PostgreSQL runs its ``postgres`` file when there is one, else the file for
every database; the files for other databases never run. An empty file for
PostgreSQL is a placeholder: nothing runs there for that version. ``.fizz``
files are pop's own migration language, turned into SQL by pop: migtui
cannot read them.

pop keeps ``schema_migration(version)`` (popx adds ``version_self``): a row
per version applied. popx also counts a version of more than fourteen digits
applied when a row holds its first fourteen (pop's older, shorter versions).
Each migration runs in a transaction of its own. Versions order as text, as pop
sorts them: ``20191100000002000001`` runs before ``20200810161022``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from migtui.core.model import TABLE, Migration, ObjectRef, Problem
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    files_in,
    is_stray_sql,
    unrecognized,
    whole_file,
)
from migtui.core.versions import version_for

#: The layout name migtui gives this tool's folders.
LAYOUT = "pop"
#: How its folders look, for messages.
SHAPE = "files like 20240101120000_name.postgres.up.sql (pop, popx)"
#: What to do about a migration without a down section.
DOWN_HINT = "add VERSION_name.postgres.down.sql (or .down.sql) that undoes the up file"

#: pop's own pattern: version, name, an optional database, direction, kind.
POP_NAME = re.compile(r"^(\d+)_([^.]+)(\.[a-z0-9]+)?\.(up|down)\.(sql|fizz)$")
#: The names pop gives PostgreSQL.
_POSTGRES = frozenset({"postgres", "postgresql", "pg"})
#: Databases pop knows: a file for one of them is one of pop's.
_DIALECTS = _POSTGRES | {
    "cockroach",
    "cockroachdb",
    "crdb",
    "mysql",
    "mariadb",
    "sqlite3",
    "sqlite",
}
_DIALECT_FILE = re.compile(
    r"^\d+_[^.]+\.(" + "|".join(sorted(_DIALECTS)) + r")\.(up|down)\.(sql|fizz)$"
)


def looks_like_pop(files: list[Path]) -> bool:
    """Files for one database among others, or pop's fizz files."""
    return any(_DIALECT_FILE.match(p.name) or p.name.endswith(".up.fizz") for p in files)


def read(root: Path) -> Read:
    read = Read()
    # version -> direction -> (for PostgreSQL only?, path, kind, name)
    found: dict[str, dict[str, list[tuple[bool, Path, str, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in files_in(root):
        match = POP_NAME.match(path.name)
        if match is None:
            if is_stray_sql(path):
                hint = "name migrations VERSION_name.postgres.up.sql or VERSION_name.up.sql"
                read.problems.append(unrecognized(path, root, hint, LAYOUT))
            continue
        raw, name, dialect, direction, kind = match.groups()
        dialect = dialect[1:] if dialect else None
        if dialect is not None and dialect not in _POSTGRES:
            continue  # another database's: pop never runs it on PostgreSQL
        found[raw][direction].append((dialect is not None, path, kind, name))
    for raw, directions in found.items():
        up = _chosen(directions.get("up", []))
        down = _chosen(directions.get("down", []))
        if up is None:
            continue  # only a down file: nothing runs on the way up
        path, kind, name = up
        if kind == "fizz":
            read.code.append((raw, path))
            continue
        read.migrations.append(_migration(root, raw, name, path, down))
    return read


def _chosen(files: list[tuple[bool, Path, str, str]]) -> tuple[Path, str, str] | None:
    """PostgreSQL's own file when there is one, else the file for every database
    (as pop picks, by version alone)."""
    if not files:
        return None
    _own, path, kind, name = max(files, key=lambda f: (f[0], f[1].name))
    return path, kind, name


def _migration(
    root: Path, raw: str, name: str, up_path: Path, down: tuple[Path, str, str] | None
) -> Migration:
    where = Where(root, up_path, raw)
    problems: list[Problem] = []
    up, source = whole_file("up", where, problems)
    requires = declared_requires(all_lines(source), where, problems) if source else ()
    down_section = None
    if down is not None and down[1] == "sql":
        down_section, _ = whole_file("down", Where(root, down[0], raw), problems)
    return Migration(
        version_for(raw, LAYOUT),
        name,
        up_path,
        LAYOUT,
        up=up,
        down=down_section,
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def is_placeholder(migration: Migration) -> bool:
    """An empty file written for PostgreSQL alone: nothing is meant to run there."""
    match = POP_NAME.match(migration.path.name)
    return migration.layout == LAYOUT and match is not None and match.group(3) is not None


#: What pop makes before the first migration.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "schema_migration"),)


class Pop(ToolLedger):
    tool = "pop"
    layout = LAYOUT
    table = "schema_migration"
    columns = frozenset({"version"})
    all_columns = frozenset({"version", "version_self"})
    ledger_ddl = (
        "CREATE TABLE IF NOT EXISTS {table} (version VARCHAR (48) NOT NULL,"
        " version_self INT NOT NULL DEFAULT 0)",
        "CREATE UNIQUE INDEX IF NOT EXISTS schema_migration_version_idx ON {table} (version)",
    )

    def select(self, table: str) -> str:
        return f"SELECT version FROM {table}"

    def states(self, rows, infos, root=None):
        recorded = {str(r[0]) for r in rows}
        out: dict[str, ToolState] = {}
        for info in infos:
            raw = info.migration.version.raw
            if raw in recorded or (len(raw) > 14 and raw[:14] in recorded):
                out[info.version] = ToolState(applied=True)
        return out

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"INSERT INTO {table} (version) VALUES (%s)", (info.migration.version.raw,))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version = %s", (info.migration.version.raw,))]
