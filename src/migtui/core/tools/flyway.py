"""flyway: ``flyway_schema_history``, a row per apply with a rank, a CRC-32 of
the script and ``success``. The newest row of a version decides; a
``BASELINE`` row stands for every version up to its own; a failed row
(``success = false``) is a migration stopped half way.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from migtui.core import flyway_config
from migtui.core.model import (
    SCHEMA,
    TABLE,
    Migration,
    ObjectRef,
    Problem,
    Section,
)
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import (
    Sql,
    ToolLedger,
    ToolRun,
    ToolState,
    crc32,
    java_string_hash,
    rows_by_version,
    signed32,
)
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    is_stray_sql,
    objects_made_by,
    unrecognized,
    whole_file,
)
from migtui.core.versions import Version

#: flyway's base for its advisory lock number ("Flyway" in ASCII).
_LOCK_BASE = 77431708279161
#: The callbacks flyway runs before the migrations (once, or before each).
_BEFORE_CALLBACK = re.compile(r"(?:beforeMigrate|beforeEachMigrate)(?:__[^.]*)?\.sql$")
_LINE_END = re.compile(r"\r\n|\r|\n")


#: SQL callbacks flyway runs at points of its work when they sit among the
#: migrations (``beforeMigrate.sql``, ``afterEachMigrate__grants.sql`` …).
_FLYWAY_CALLBACK = re.compile(
    r"(?:beforeMigrate|beforeRepeatables|beforeEachMigrate|beforeEachMigrateStatement"
    r"|afterEachMigrateStatement|afterEachMigrateStatementError|afterEachMigrate"
    r"|afterEachMigrateError|afterMigrate|afterMigrateApplied|afterVersioned|afterMigrateError"
    r"|beforeUndo|beforeEachUndo|beforeEachUndoStatement|afterEachUndoStatement"
    r"|afterEachUndoStatementError|afterEachUndo|afterEachUndoError|afterUndo|afterUndoError"
    r"|beforeClean|afterClean|afterCleanError|beforeInfo|afterInfo|afterInfoError"
    r"|beforeValidate|afterValidate|afterValidateError|beforeBaseline|afterBaseline"
    r"|afterBaselineError|beforeRepair|afterRepair|afterRepairError|createSchema"
    r"|beforeConnect|afterConnect)(?:__[^/]*)?\.sql$"
)


def checksum(data: bytes) -> int:
    """flyway's checksum of a script: CRC-32 over its lines without their line
    ends (a leading BOM dropped), as a signed 32-bit number."""
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the line end after the last line starts no new line
    value = 0
    for line in lines:
        value = crc32(line.encode("utf-8"), value)
    return signed32(value)


class Flyway(ToolLedger):
    tool = "flyway"
    layout = "flyway"
    table = "flyway_schema_history"
    ledger_ddl = (
        (
            "CREATE TABLE IF NOT EXISTS {table} (installed_rank integer NOT NULL "
            "PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, "
            "type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum "
            "integer, installed_by varchar(100) NOT NULL, installed_on timestamp "
            "NOT NULL DEFAULT now(), execution_time integer NOT NULL, success "
            "boolean NOT NULL)"
        ),
    )
    columns = frozenset({"installed_rank", "version", "script", "checksum", "success"})
    all_columns = frozenset(
        {
            "installed_rank",
            "version",
            "description",
            "type",
            "script",
            "checksum",
            "installed_by",
            "installed_on",
            "execution_time",
            "success",
        }
    )

    def key(self, info: MigrationInfo) -> str:
        return info.migration.version.raw

    def select(self, table: str) -> str:
        return (
            f"SELECT version, type, checksum, success, installed_on::text FROM {table}"
            " WHERE version IS NOT NULL ORDER BY installed_rank"
        )

    def states(self, rows, infos, root=None):
        newest, baseline = rows_by_version(rows, lambda row: row[1] == "BASELINE" and row[3])
        out: dict[str, ToolState] = {}
        for info in infos:
            version = info.migration.version
            row = newest.get(version.parts)
            if row is None:
                if baseline is not None and version <= baseline:
                    out[info.version] = ToolState(applied=True)
                continue
            _, kind, stored, success, at = row
            if str(kind).startswith("UNDO") and success:
                continue  # undone by flyway's own undo
            if kind == "BASELINE":
                out[info.version] = ToolState(applied=True, applied_at=at)
                continue
            matches = None
            if stored is not None and info.migration.up is not None:
                matches = stored == checksum(_file_bytes(info))
            out[info.version] = ToolState(
                applied=True,
                failed=not success,
                checksum=None if stored is None else str(stored),
                matches=matches,
                applied_at=at,
            )
        return out

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        m = info.migration
        script = m.path.name if run.root is None else m.path.relative_to(run.root).as_posix()
        sql = (
            f"INSERT INTO {table} (installed_rank, version, description, type, script,"
            " checksum, installed_by, execution_time, success)"
            f" SELECT coalesce(max(installed_rank), 0) + 1, %s, %s, %s, %s, %s,"
            f" current_user, %s, true FROM {table}"
        )
        description = m.name.replace("_", " ")
        duration = int(run.duration_ms or 0)
        kind = "SQL_BASELINE" if NAMING.baseline.match(m.path.name) else "SQL"
        values = (self.key(info), description, kind, script, checksum(_file_bytes(info)), duration)
        return [(sql, values)]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        sql = f"DELETE FROM {table} WHERE version = %s AND type <> 'BASELINE'"
        return [(sql, (self.key(info),))]

    def lock_key(self, database: str, schema: str, table: str) -> int | None:
        # flyway: its base number plus Java's hash of the quoted table name
        return _LOCK_BASE + java_string_hash(f'"{schema}"."{table}"')


def _file_bytes(info: MigrationInfo) -> bytes:
    try:
        return info.migration.path.read_bytes()
    except OSError:
        return b""


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "flyway"
#: How its folders look, for messages.
SHAPE = "files like V1__name.sql"
#: What to do about a migration without a down section.
DOWN_HINT = "add an undo script U<version>__name.sql"


# -- reading its folders

#: Flyway's Java migrations, as source or compiled classes (not inner classes).
_FLYWAY_CODE = re.compile(r"^(?:V(\d+(?:[._]\d+)*)|R)__([^$]+)\.(java|kt|class)$")
#: How flyway names its scripts unless configured otherwise (``V1__a.sql``,
#: ``U1__a.sql``, ``R__a.sql``, ``B5__base.sql``)
NAMING = flyway_config.Naming({})


def repeatable_version(description: str) -> Version:
    """``R__<description>``, unique per description and ordered after every
    numbered version. Built directly because ``Version()`` needs a number."""
    version = Version.__new__(Version)
    version.raw = f"R__{description}"
    version.parts = (sys.maxsize, *description.encode("utf-8"))
    version.order = version.parts
    version.as_text = False
    return version


def read(root: Path) -> Read:
    read = Read()
    config = flyway_config.FlywayConfig(root)
    values = config.placeholders
    naming = config.naming
    if config.default_schema is not None:
        # flyway makes its schemas, keeps its history in the default one, and
        # puts that one first on the search path while it migrates
        read.search_path = (config.default_schema, "public")
        read.assumed = (
            ObjectRef(SCHEMA, None, config.default_schema),
            ObjectRef(TABLE, config.default_schema, "flyway_schema_history"),
        )
    versioned: list[tuple[str, str, Path]] = []  # (raw version, description, V file)
    baselines: list[tuple[str, str, Path]] = []  # … of each B file
    undo: dict[tuple[int, ...], list[Path]] = defaultdict(list)
    code: dict[str, Path] = {}  # version text -> the class's source (or compiled) file
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if java := _FLYWAY_CODE.match(path.name):
            version = java.group(1).replace("_", ".") if java.group(1) else f"R__{java.group(2)}"
            if version not in code or java.group(3) != "class":
                code[version] = path
        elif baseline := naming.baseline.match(path.name):
            baselines.append((baseline.group(1).replace("_", "."), baseline.group(2), path))
        elif repeatable := naming.repeatable.match(path.name):
            read.repeatables.append(_flyway_repeatable(path, root, repeatable.group(1), values))
        elif match := naming.undo.match(path.name):
            undo[Version(match.group(1).replace("_", ".")).parts].append(path)
        elif match := naming.versioned.match(path.name):
            versioned.append((match.group(1).replace("_", "."), match.group(2), path))
        elif _FLYWAY_CALLBACK.match(path.name):
            # a callback: flyway runs it around migrations; what one run before
            # them makes (beforeMigrate.sql, beforeEachMigrate.sql) is there
            if _BEFORE_CALLBACK.match(path.name):
                read.assumed += _made_before(path, values)
        elif is_stray_sql(path):
            hint = (
                "name migrations V1__name.sql, undo scripts U1__name.sql, repeatables R__name.sql"
            )
            read.problems.append(unrecognized(path, root, hint, "flyway"))
    versioned += _baselines(root, baselines, versioned, read)
    for raw_version, description, path in versioned:
        undo_path = next(iter(undo.pop(Version(raw_version).parts, [])), None)
        read.migrations.append(
            _flyway_migration(path, root, raw_version, description, undo_path, values)
        )
    for paths in undo.values():
        for path in paths:
            hint = "an undo script U<n>__name.sql needs its V<n>__name.sql"
            read.problems.append(unrecognized(path, root, hint, "flyway"))
    read.code.extend(code.items())
    return read


def _baselines(
    root: Path,
    baselines: list[tuple[str, str, Path]],
    versioned: list[tuple[str, str, Path]],
    read: Read,
) -> list[tuple[str, str, Path]]:
    """Flyway's baseline migrations (``B5__base.sql``): on an empty database
    flyway runs the latest one in place of the versions up to it, and then the
    later ones; on a database that has a history it runs none. Where the
    folder keeps no versioned script up to the latest baseline (the history was
    folded into it), that baseline is the migration a new database starts
    with, and it is returned to be read as one. Every other baseline is said:
    migtui reads the versioned scripts in its place."""
    if not baselines:
        return []
    latest = max(baselines, key=lambda b: Version(b[0]).parts)
    top = Version(latest[0]).parts
    folded = not any(Version(raw).parts <= top for raw, _, _ in versioned)
    for raw, _, path in baselines:
        if folded and (raw, path) == (latest[0], latest[2]):
            continue
        message = (
            f"{path.name} is a flyway baseline migration: flyway runs it on an empty database "
            f"in place of the versioned scripts up to {raw}, and on one with a history never; "
            f"migtui checks and runs those versioned scripts instead"
        )
        if folded:
            message = (
                f"{path.name} is an older flyway baseline migration: flyway starts an empty "
                f"database from {latest[2].name}, and never runs this one"
            )
        hint = (
            "keep it building what the versioned scripts up to it build"
            if not folded
            else "delete it if nothing runs it"
        )
        read.problems.append(Where(root, path).problem("baseline_migration", message, hint))
    return [latest] if folded else []


def _flyway_migration(
    path: Path,
    root: Path,
    raw_version: str,
    description: str,
    undo_path: Path | None,
    values: flyway_config.Placeholders | None,
) -> Migration:
    where = Where(root, path, raw_version)
    problems: list[Problem] = []
    up, source = whole_file("up", where, problems, _flyway_transactional(path))
    up = _replaced(up, where, values, problems)
    down = None
    if undo_path is not None:
        down, _ = whole_file(
            "down", where.at(undo_path), problems, _flyway_transactional(undo_path)
        )
        down = _replaced(down, where.at(undo_path), values, problems)
    requires = declared_requires(all_lines(source), where, problems)
    return Migration(
        Version(raw_version),
        description,
        path,
        "flyway",
        up=up,
        down=down,
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def _flyway_repeatable(
    path: Path, root: Path, description: str, values: flyway_config.Placeholders | None
) -> Migration:
    version = repeatable_version(description)
    problems: list[Problem] = []
    where = Where(root, path, version.raw)
    up, _ = whole_file("up", where, problems, _flyway_transactional(path))
    up = _replaced(up, where, values, problems)
    return Migration(
        version, description, path, "flyway", up=up, repeatable=True, read_problems=tuple(problems)
    )


def _made_before(path: Path, values: flyway_config.Placeholders | None) -> tuple:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ()
    if values is not None:
        text = values.replace(text, path.name)[0]
    return objects_made_by(text)


def _replaced(
    section: Section | None,
    where: Where,
    values: flyway_config.Placeholders | None,
    problems: list[Problem],
) -> Section | None:
    """The section as flyway runs it: its ``${name}`` placeholders replaced.
    One without a value is an error at its first line: flyway refuses such a
    script ("No value provided for placeholder"), and so does migtui."""
    if section is None or values is None:
        return section
    text, unknown = values.replace(section.text, section.path.name)
    if unknown:
        names = list(dict.fromkeys(f"${{{name}}}" for name, _ in unknown))
        first = unknown[0][0]
        line = section.start_line + section.text.count("\n", 0, unknown[0][1])
        which = (
            f"placeholder {names[0]} has"
            if len(names) == 1
            else (f"placeholders {', '.join(names)} have")
        )
        message = (
            f"flyway {which} no value here: flyway refuses to run "
            'the script ("No value provided for placeholder"), and migtui cannot read or '
            "run the statements that use it"
        )
        hint = (
            f"give it a value: flyway.placeholders.{first}=… in a flyway.conf beside the "
            f"migrations (or placeholders.{first} under [flyway] in flyway.toml), or "
            f"{flyway_config.ENV_PREFIX}{first.upper()}=… in the environment"
        )
        problems.append(where.problem("parse_error", message, hint, line))
    return replace(section, text=text) if text != section.text else section


def _flyway_transactional(path: Path) -> bool:
    """Flyway reads a script's own settings from ``<script>.conf`` beside it."""
    conf = path.with_name(path.name + ".conf")
    try:
        text = conf.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "executeInTransaction" and value.strip().lower() == "false":
            return False
    return True


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "flyway_schema_history"),)
