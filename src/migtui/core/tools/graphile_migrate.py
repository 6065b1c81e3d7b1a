"""Graphile Migrate: ``migrations/committed/000001.sql`` (or
``000001-message.sql``), each starting with the lines ``--! Previous: <hash>``
and ``--! Hash: <hash>`` (and maybe ``--! Message: …``), a blank line, then
the SQL. A body whose first line is ``--! no-transaction`` runs outside a
transaction. There are no down migrations.

Before running a body, Graphile Migrate replaces its placeholders: the
``placeholders`` of the ``.gmrc`` beside the migrations folder (``"!ENV"``
takes the value from the environment variable of the name without its colon),
``:DATABASE_NAME`` and ``:DATABASE_OWNER``. migtui does the same; a
placeholder whose value it cannot find is an error at its line.

Graphile Migrate keeps a row per applied migration in
``graphile_migrate.migrations(hash, previous_hash, filename, date)`` and runs
the files whose name sorts after the newest row's.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

from migtui.core.model import SCHEMA, TABLE, Migration, ObjectRef, Problem
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    named_files,
    objects_made_by,
    peek,
    read_source,
)
from migtui.core.versions import Version


class GraphileMigrate(ToolLedger):
    tool = "Graphile Migrate"
    layout = "graphile-migrate"
    table = "graphile_migrate.migrations"
    ledger_ddl = (
        "CREATE SCHEMA IF NOT EXISTS graphile_migrate",
        "CREATE TABLE IF NOT EXISTS {table} (hash text PRIMARY KEY, previous_hash text "
        "REFERENCES {table}, filename text NOT NULL, date timestamptz NOT NULL DEFAULT now())",
    )
    columns = frozenset({"hash", "previous_hash", "filename"})
    all_columns = frozenset({"hash", "previous_hash", "filename", "date"})

    def select(self, table: str) -> str:
        return f"SELECT filename, date::text FROM {table}"

    def states(self, rows, infos, root=None):
        if not rows:
            return {}
        applied = {str(r[0]): r[1] for r in rows}
        newest = max(applied)
        # it runs only the files named after its newest row's
        return {
            info.version: ToolState(applied=True, applied_at=applied.get(info.migration.path.name))
            for info in infos
            if info.migration.path.name <= newest
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        previous, hash_ = headers(info.migration.path)
        return [
            (
                f"INSERT INTO {table} (hash, previous_hash, filename) VALUES (%s, %s, %s)",
                (hash_, previous, info.migration.path.name),
            )
        ]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE filename = %s", (info.migration.path.name,))]


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "graphile-migrate"
#: How its folders look, for messages.
SHAPE = "committed/000001.sql files starting with --! Previous: and --! Hash: lines"
#: What to do about a migration without a down section.
DOWN_HINT = "Graphile Migrate has no down migrations: undo it in a new migration"

GRAPHILE_NAME = re.compile(r"^(\d{6,})(?:-([-_a-zA-Z0-9]*))?\.sql$")
_PREVIOUS = "--! Previous: "
_HASH = "--! Hash: "
_NO_TRANSACTION = re.compile(r"^--!\s*no-transaction\b")
#: What Graphile Migrate replaces whatever the settings say.
_BUILT_IN = (":DATABASE_NAME", ":DATABASE_OWNER")


def looks_like_graphile_migrate(paths: list[Path]) -> bool:
    """Whether most of the numbered files start with the ``--! Previous:`` line."""
    named = [p for p in paths if GRAPHILE_NAME.match(p.name)]
    marked = sum((peek(p) or b"").startswith(_PREVIOUS.encode()) for p in named)
    return marked > 0 and marked * 2 > len(paths)


def headers(path: Path) -> tuple[str | None, str | None]:
    """A committed file's previous hash (None for the first) and its own."""
    try:
        first, second = path.read_text(encoding="utf-8").split("\n", 2)[:2]
    except (OSError, UnicodeDecodeError, ValueError):
        return None, None
    previous = first[len(_PREVIOUS) :].strip() if first.startswith(_PREVIOUS) else None
    own = second[len(_HASH) :].strip() if second.startswith(_HASH) else None
    return (None if previous in (None, "", "-") else previous), own


def read(root: Path) -> Read:
    read = Read()
    settings = _gmrc(root)
    values = placeholders(settings)
    pattern = _placeholder_pattern(values)
    hint = "commit migrations with graphile-migrate commit: committed/000001.sql"
    for path, match in named_files(root, GRAPHILE_NAME, read, hint, LAYOUT):
        read.migrations.append(
            _committed(path, root, match.group(1), match.group(2), values, pattern)
        )
    read.assumed = after_reset(root, settings, values, pattern)
    return read


def after_reset(
    root: Path, settings: dict, values: dict[str, str | None], pattern: re.Pattern[str]
) -> tuple[ObjectRef, ...]:
    """What the ``.gmrc``'s ``afterReset`` SQL files make (roles, extensions,
    schemas, grants' targets): Graphile Migrate runs them on a new database
    before its first migration, so the migrations find those objects there.
    Their paths are the migrations folder's (the one above ``committed``)."""
    actions = settings.get("afterReset") or []
    if isinstance(actions, str | dict):
        actions = [actions]
    migrations = root.parent if root.name == "committed" else root
    made: list[ObjectRef] = []
    for action in actions if isinstance(actions, list) else ():
        if isinstance(action, dict) and action.get("_") == "sql":
            action = action.get("file")
        if not isinstance(action, str) or not action.endswith(".sql"):
            continue  # a command Graphile Migrate runs: not read here
        try:
            text = (migrations / action).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        made.extend(objects_made_by(_substituted(text, values, pattern)[0]))
    return tuple(made)


def _placeholder_pattern(values: dict[str, str | None]) -> re.Pattern[str]:
    names = sorted(values, key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(n) for n in names) + r")\b")


def _substituted(
    text: str, values: dict[str, str | None], pattern: re.Pattern[str]
) -> tuple[str, list[tuple[str, int]]]:
    """``text`` with each placeholder replaced by its value, one whose value
    is not known here by its bare name; and those (name, position)."""
    unknown: list[tuple[str, int]] = []

    def value(match: re.Match[str]) -> str:
        known = values.get(match.group(0))
        if known is None:
            unknown.append((match.group(0), match.start()))
            return match.group(0)[1:].lower()
        return known

    return pattern.sub(value, text), unknown


def _committed(
    path: Path,
    root: Path,
    raw: str,
    name: str | None,
    values: dict[str, str | None],
    pattern: re.Pattern[str],
) -> Migration:
    where = Where(root, path, raw)
    source = read_source(where)
    if isinstance(source, Problem):
        return Migration(Version(raw), name or "", path, LAYOUT, read_problems=(source,))
    problems: list[Problem] = []
    lines = source.lines
    if len(lines) < 3 or not lines[0].startswith(_PREVIOUS) or not lines[1].startswith(_HASH):
        message = (
            f"{path.name} does not start with --! Previous: and --! Hash: lines: Graphile "
            'Migrate refuses the folder ("Invalid committed migration")'
        )
        hint = "commit migrations with graphile-migrate commit, which writes them"
        problems.append(where.problem("parse_error", message, hint, 1))
        body = 0
    else:
        # the headers end at the first blank line; the body follows it
        body = next((i + 1 for i, line in enumerate(lines) if not line.strip()), len(lines))
    first = lines[body] if body < len(lines) else ""
    up = source.section("up", body, None, transactional=not _NO_TRANSACTION.match(first))
    up = _replaced(up, where, values, pattern, problems)
    requires = declared_requires(all_lines(source), where, problems)
    return Migration(
        Version(raw),
        name or "",
        path,
        LAYOUT,
        up=up,
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def _gmrc(root: Path) -> dict:
    """The settings of the ``.gmrc`` beside the migrations folder, above
    ``committed`` (empty when there is none)."""
    for folder in (root.parent.parent, root.parent, root):
        settings = _settings(folder / ".gmrc")
        if settings is not None:
            return settings
    return {}


def placeholders(settings: dict) -> dict[str, str | None]:
    """The placeholders Graphile Migrate replaces, with their values (None:
    not known here)."""
    found: dict[str, str | None] = {name: None for name in _BUILT_IN}
    for key, value in (settings.get("placeholders") or {}).items():
        if not isinstance(key, str) or not key.startswith(":"):
            continue
        if value == "!ENV":
            value = os.environ.get(key[1:])
        found[key] = value if isinstance(value, str) else None
    if isinstance(settings.get("databaseOwner"), str):
        found[":DATABASE_OWNER"] = settings["databaseOwner"]
    return found


def _settings(path: Path) -> dict | None:
    """``.gmrc``: JSON5 as people write it (comments, trailing commas)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    text = re.sub(r'^((?:[^"\n]|"(?:[^"\\\n]|\\.)*")*?)//.*$', r"\1", text, flags=re.MULTILINE)
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    try:
        settings = json.loads(text)
    except ValueError:
        return None
    return settings if isinstance(settings, dict) else None


def _replaced(
    section,
    where: Where,
    values: dict[str, str | None],
    pattern: re.Pattern[str],
    problems: list[Problem],
):
    """The body as Graphile Migrate runs it: each placeholder replaced by its
    value. One whose value is not known here is an error at its first line, and
    stands in the text as its bare name so the rest can be read."""
    text, unknown = _substituted(section.text, values, pattern)
    if unknown:
        shown = list(dict.fromkeys(name for name, _ in unknown))
        line = section.start_line + section.text.count("\n", 0, unknown[0][1])
        which = (
            f"placeholder {shown[0]} has"
            if len(shown) == 1
            else (f"placeholders {', '.join(shown)} have")
        )
        message = (
            f"Graphile Migrate's {which} no value migtui can find: it would run the "
            "statements that use it with a value of its own, which migtui cannot check or run"
        )
        hint = (
            f'give it one in .gmrc\'s "placeholders" (or "!ENV" and {shown[0][1:]}=… in the '
            "environment)"
        )
        problems.append(where.problem("parse_error", message, hint, line))
    return replace(section, text=text) if text != section.text else section


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (
    ObjectRef(SCHEMA, None, "graphile_migrate"),
    ObjectRef(TABLE, "graphile_migrate", "migrations"),
    ObjectRef(TABLE, "graphile_migrate", "current"),
)
