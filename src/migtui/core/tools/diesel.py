"""diesel: ``__diesel_schema_migrations(version varchar(50) PRIMARY KEY,
run_on timestamp)``, a row per applied migration. The version is the folder
name's leading part without its dashes (``2024-01-01-120000_x`` →
``20240101120000``), compared as text.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from migtui.core.model import (
    TABLE,
    Migration,
    ObjectRef,
    Problem,
)
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    folders_in,
    whole_file,
)
from migtui.core.versions import version_for


class Diesel(ToolLedger):
    tool = "diesel"
    layout = "diesel"
    table = "__diesel_schema_migrations"
    ledger_ddl = (
        (
            "CREATE TABLE IF NOT EXISTS {table} (version varchar(50) PRIMARY KEY "
            "NOT NULL, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        ),
    )
    columns = frozenset({"version", "run_on"})
    all_columns = columns

    def select(self, table: str) -> str:
        return f"SELECT version, run_on::text FROM {table}"

    def states(self, rows, infos, root=None):
        recorded = {r[0]: r[1] for r in rows}
        return {
            info.version: ToolState(applied=True, applied_at=recorded[self.key(info)])
            for info in infos
            if self.key(info) in recorded
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"INSERT INTO {table} (version) VALUES (%s)", (self.key(info),))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version = %s", (self.key(info),))]


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "diesel"
#: How its folders look, for messages.
SHAPE = "folders like 2024-01-01-120000_name/up.sql"
#: What to do about a migration without a down section.
DOWN_HINT = "write down.sql so that it undoes up.sql"


# -- reading its folders

#: What diesel's CLI creates before the first migration: its ledger. (Its
#: updated_at helpers come from the setup migration it writes into the folder,
#: 00000000000000_diesel_initial_setup: a folder without one lacks them.)
DIESEL_ASSUMED = (ObjectRef(TABLE, "public", "__diesel_schema_migrations"),)
DIESEL_FOLDER = re.compile(r"^(\d[\d-]*)_(.*)$")


def read(root: Path) -> Read:
    read = Read()
    for folder in folders_in(root):
        match = DIESEL_FOLDER.match(folder.name)
        if match is None:
            continue
        if not (folder / "up.sql").is_file():
            message = f"{folder.name}/ has no up.sql, so it is not a migration"
            hint = "add up.sql (and down.sql) to the folder, or remove the folder"
            read.problems.append(Where(root, folder).problem("missing_file", message, hint))
            continue
        read.migrations.append(_diesel_migration(folder, root, match.group(1), match.group(2)))
    return read


def _diesel_migration(folder: Path, root: Path, stamp: str, name: str) -> Migration:
    raw_version = stamp.replace("-", "")
    where = Where(root, folder, raw_version)
    problems: list[Problem] = []
    transactional = _diesel_transactional(where.at(folder / "metadata.toml"), problems)
    up, source = whole_file("up", where.at(folder / "up.sql"), problems, transactional)
    down = None
    if (folder / "down.sql").is_file():
        down, _ = whole_file("down", where.at(folder / "down.sql"), problems, transactional)
    requires = declared_requires(all_lines(source), where.at(folder / "up.sql"), problems)
    return Migration(
        version_for(raw_version, "diesel"),
        name,
        folder,
        "diesel",
        up=up,
        down=down,
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def _diesel_transactional(where: Where, problems: list[Problem]) -> bool:
    """``run_in_transaction = false`` in metadata.toml, as diesel honours it."""
    if not where.path.is_file():
        return True
    try:
        metadata = tomllib.loads(where.path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        message = f"metadata.toml cannot be read: {exc}"
        hint = "fix the TOML; the setting read from it is run_in_transaction = false"
        problems.append(
            where.problem("parse_error", message, hint, int(line.group(1)) if line else None)
        )
        return True
    return metadata.get("run_in_transaction", True) is not False


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = DIESEL_ASSUMED
