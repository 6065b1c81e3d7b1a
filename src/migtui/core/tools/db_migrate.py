"""db-migrate (Node): each migration is a JavaScript file
``migrations/20240101120000-add-users.js``; made with ``--sql-file``, it runs
the SQL of ``migrations/sqls/20240101120000-add-users-up.sql`` (and
``…-down.sql`` to roll back), which is what migtui reads and runs. A
JavaScript migration without such files runs code of its own, unseen. Point
``--dir`` at ``migrations`` or at its ``sqls`` folder.

db-migrate runs each migration in a transaction, and keeps one row per
applied migration in ``migrations(id serial, name varchar(255), run_on
timestamp)``, its name written with a leading slash
(``/20240101120000-add-users``); it runs every migration whose name has no
row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from migtui.core.model import TABLE, ObjectRef
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    files_in,
    is_stray_sql,
    paired_migration,
    unrecognized,
)


class DbMigrate(ToolLedger):
    tool = "db-migrate"
    layout = "db-migrate"
    table = "migrations"
    ledger_ddl = (
        "CREATE TABLE IF NOT EXISTS {table} (id SERIAL PRIMARY KEY, "
        "name varchar(255) NOT NULL, run_on timestamp NOT NULL)",
    )
    columns = frozenset({"name", "run_on"})
    all_columns = frozenset({"id", "name", "run_on"})

    def select(self, table: str) -> str:
        return f"SELECT name, run_on::text FROM {table}"

    def states(self, rows, infos, root=None):
        applied = {str(r[0]).lstrip("/"): r[1] for r in rows}
        return {
            info.version: ToolState(applied=True, applied_at=applied[stem])
            for info in infos
            if (stem := _stem(info)) in applied
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        sql = f"INSERT INTO {table} (name, run_on) VALUES (%s, localtimestamp)"
        return [(sql, (f"/{_stem(info)}",))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE name IN (%s, %s)", (f"/{_stem(info)}", _stem(info)))]


def _stem(info: MigrationInfo) -> str:
    """The migration's name as db-migrate knows it: its file's, without extension."""
    m = info.migration
    return f"{m.version.raw}-{m.name}" if m.name else m.version.raw


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "db-migrate"
#: How its folders look, for messages.
SHAPE = "files like 20240101120000-name.js with sqls/20240101120000-name-up.sql and -down.sql"
#: What to do about a migration without a down section.
DOWN_HINT = "add sqls/ID-name-down.sql, which the migration's down function runs"

#: A migration's SQL file: id, dash, name, dash, direction.
SQL_NAME = re.compile(r"^(\d{14})-(.+)-(up|down)\.sql$")
#: A migration's JavaScript file.
JS_NAME = re.compile(r"^(\d{14})-(.+)\.js$")


def looks_like_db_migrate(root: Path, paths: list[Path]) -> bool:
    """The ``sqls`` folder (most .sql files named ID-name-up.sql or -down.sql),
    or the migrations folder holding JavaScript migrations and a ``sqls`` folder."""
    sql = [p for p in paths if p.suffix.lower() == ".sql"]
    named = sum(1 for p in sql if SQL_NAME.match(p.name))
    if named > 0 and named * 2 > len(sql):
        return True
    return (root / "sqls").is_dir() and any(JS_NAME.match(p.name) for p in paths)


def read(root: Path) -> Read:
    read = Read()
    sqls = root / "sqls" if (root / "sqls").is_dir() else root
    found: dict[tuple[str, str], dict[str, Path]] = defaultdict(dict)
    for path in files_in(sqls):
        match = SQL_NAME.match(path.name)
        if match is not None:
            raw, name, direction = match.groups()
            found[raw, name][direction] = path
        elif is_stray_sql(path):
            hint = "name its SQL files ID-name-up.sql and ID-name-down.sql"
            read.problems.append(unrecognized(path, root, hint, LAYOUT))
    if sqls is not root:
        for path in files_in(root):
            match = JS_NAME.match(path.name)
            if match is not None and match.groups() not in found:
                read.code.append((match.group(1), path))  # JavaScript of its own
    for (raw, name), paths in found.items():
        if "up" not in paths:
            paths = {"down": paths["down"]}
        read.migrations.append(paired_migration(root, raw, name, paths, LAYOUT))
    return read


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "migrations"),)
