"""yoyo-migrations (Python): every ``.sql`` file of the folder is a migration,
identified by its name without ``.sql`` (``20240101_01_aBcDe-create-users``,
as ``yoyo new`` names it, or ``0001_users``), run in the order of the names
and of the ``-- depends: <id> …`` lines among a file's leading comments. The
file ``<id>.rollback.sql`` beside it undoes it. ``-- transactional: false``
there runs it outside a transaction. ``.py`` migrations run in their place,
unseen; ``post-apply`` files run after every apply, and are no migrations.

yoyo keeps a row per applied migration in
``_yoyo_migration(migration_hash, migration_id, applied_at_utc)`` (the hash:
SHA-256 of the id), logs each step in ``_yoyo_log``, and says which shape its
tables have in ``_yoyo_version``.
"""

from __future__ import annotations

import hashlib
import re
import socket
from pathlib import Path

from migtui.core.model import TABLE, Migration, ObjectRef, Problem
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    Where,
    files_in,
    peek,
    read_source,
    whole_file,
)
from migtui.core.versions import version_for


def migration_hash(migration_id: str) -> str:
    """The key yoyo gives a migration in its ledger."""
    return hashlib.sha256(migration_id.encode("utf-8")).hexdigest()


def _sibling(table: str, name: str) -> str:
    """Another of yoyo's tables, in the schema its ledger is in."""
    schema, dot, _ = table.rpartition(".")
    return f"{schema}{dot}{name}"


class Yoyo(ToolLedger):
    tool = "yoyo"
    layout = "yoyo"
    table = "_yoyo_migration"
    ledger_ddl = (
        "CREATE TABLE IF NOT EXISTS {table} (migration_hash varchar(64), "
        "migration_id varchar(255), applied_at_utc timestamp, PRIMARY KEY (migration_hash))",
        "CREATE TABLE IF NOT EXISTS _yoyo_log (id varchar(36), migration_hash varchar(64), "
        "migration_id varchar(255), operation varchar(10), username varchar(255), "
        "hostname varchar(255), comment varchar(255), created_at_utc timestamp, "
        "PRIMARY KEY (id))",
        "CREATE TABLE IF NOT EXISTS _yoyo_version (version int NOT NULL PRIMARY KEY, "
        "installed_at_utc timestamp)",
        # the shape of its tables yoyo 6 and later make: without this row yoyo
        # would take them for an older shape and try to convert them
        "INSERT INTO _yoyo_version VALUES (2, now() AT TIME ZONE 'utc') ON CONFLICT DO NOTHING",
    )
    columns = frozenset({"migration_hash", "migration_id", "applied_at_utc"})
    all_columns = columns

    def select(self, table: str) -> str:
        return f"SELECT migration_hash, applied_at_utc::text FROM {table}"

    def states(self, rows, infos, root=None):
        applied = {str(r[0]): r[1] for r in rows}
        return {
            info.version: ToolState(applied=True, applied_at=applied[key])
            for info in infos
            if (key := migration_hash(info.migration.version.raw)) in applied
        }

    def _logged(self, table: str, info: MigrationInfo, operation: str) -> Sql:
        # as yoyo logs each step (its id a UUID, the time in UTC)
        sql = (
            f"INSERT INTO {_sibling(table, '_yoyo_log')} (id, migration_hash, migration_id, "
            "operation, username, hostname, comment, created_at_utc) VALUES "
            "(gen_random_uuid()::text, %s, %s, %s, current_user, %s, 'migtui', "
            "now() AT TIME ZONE 'utc')"
        )
        raw = info.migration.version.raw
        return (sql, (migration_hash(raw), raw, operation, socket.getfqdn()[:255]))

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        raw = info.migration.version.raw
        sql = (
            f"INSERT INTO {table} (migration_hash, migration_id, applied_at_utc) "
            "VALUES (%s, %s, now() AT TIME ZONE 'utc')"
        )
        return [(sql, (migration_hash(raw), raw)), self._logged(table, info, "apply")]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        raw = info.migration.version.raw
        return [
            (f"DELETE FROM {table} WHERE migration_hash = %s", (migration_hash(raw),)),
            self._logged(table, info, "rollback"),
        ]


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "yoyo"
#: How its folders look, for messages.
SHAPE = "files like 0001_name.sql with -- depends: lines, and 0001_name.rollback.sql"
#: What to do about a migration without a down section.
DOWN_HINT = "add a file named as the migration, ending .rollback.sql, that undoes it"

#: A leading comment line yoyo reads as a directive.
_DIRECTIVE = re.compile(r"^\s*--\s*(transactional|depends)\s*:\s*(.*)$")
_DEPENDS_BYTES = re.compile(rb"(?m)^[ \t]*--[ \t]*depends[ \t]*:")
_COMMENT_OR_BLANK = re.compile(r"^(\s*|\s*--.*)$")
_ROLLBACK = ".rollback.sql"
#: yoyo's settings file, in the project (the folder above the migrations, or it).
SETTINGS = "yoyo.ini"


def looks_like_yoyo(root: Path, paths: list[Path]) -> bool:
    """A ``yoyo.ini`` beside the migrations or above them, or SQL files whose
    leading comments carry yoyo's ``-- depends:`` lines."""
    if (root / SETTINGS).is_file() or (root.parent / SETTINGS).is_file():
        return True
    plain = [p for p in paths if p.suffix == ".sql" and not p.name.endswith(_ROLLBACK)]
    marked = sum(bool(_DEPENDS_BYTES.search(peek(p) or b"")) for p in plain)
    return marked > 0 and marked * 2 >= len(plain)


def read(root: Path) -> Read:
    read = Read()
    files = files_in(root)
    names = {p.name for p in files}
    ids = {p.name[: -len(".sql")] for p in files if _is_migration(p)}
    for path in files:
        if path.suffix == ".py" and not path.name.startswith("post-apply"):
            if not path.name.startswith(("_", ".")):
                read.code.append((path.stem, path))
            continue
        if not _is_migration(path):
            continue
        migration_id = path.name[: -len(".sql")]
        rollback = f"{migration_id}{_ROLLBACK}"
        read.migrations.append(
            _yoyo_migration(
                root, path, migration_id, root / rollback if rollback in names else None, ids
            )
        )
    return read


def _is_migration(path: Path) -> bool:
    return (
        path.suffix == ".sql"
        and not path.name.endswith(_ROLLBACK)
        and not path.name.startswith(("post-apply", "_yoyo", "."))
    )


def _yoyo_migration(
    root: Path, path: Path, migration_id: str, rollback: Path | None, ids: set[str]
) -> Migration:
    version = version_for(migration_id, LAYOUT)
    where = Where(root, path, migration_id)
    source = read_source(where)
    if isinstance(source, Problem):
        return Migration(version, "", path, LAYOUT, read_problems=(source,))
    problems: list[Problem] = []
    transactional, depends = True, []
    for index, line in enumerate(source.lines):
        directive = _DIRECTIVE.match(line)
        if directive is None:
            if _COMMENT_OR_BLANK.match(line):
                continue
            break  # the leading comments end at the first SQL
        key, value = directive.group(1), directive.group(2).strip()
        if key == "transactional":
            transactional = value.lower() != "false"
        else:
            for name in value.split():
                if name not in ids:
                    message = (
                        f"{migration_id} depends on {name}, which is no migration in this "
                        'folder: yoyo refuses it ("Could not resolve dependencies")'
                    )
                    hint = "name the migration it needs by its file name without .sql"
                    problems.append(where.problem("parse_error", message, hint, index + 1))
                elif name not in depends:
                    depends.append(name)
    up = source.section("up", 0, None, transactional=transactional)
    down = None
    if rollback is not None:
        down, _ = whole_file("down", where.at(rollback), problems, transactional=transactional)
    return Migration(
        version,
        "",
        path,
        LAYOUT,
        up=up,
        down=down,
        declared_requires=tuple(depends),
        read_problems=tuple(problems),
    )


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (
    ObjectRef(TABLE, "public", "_yoyo_migration"),
    ObjectRef(TABLE, "public", "_yoyo_log"),
    ObjectRef(TABLE, "public", "_yoyo_version"),
    ObjectRef(TABLE, "public", "yoyo_lock"),
)
