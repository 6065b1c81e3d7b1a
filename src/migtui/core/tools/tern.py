"""tern (jackc/tern): files ``001_create_people.sql`` whose up SQL is above the
line ``---- create above / drop below ----`` and whose down SQL is below it;
``---- tern: disable-tx ----`` as a file's first line runs it outside a
transaction. tern keeps one number, the version the database is at, in
``public.schema_version(version int4)``: every migration up to it counts as
applied.

tern expands each file as a Go template first. migtui does the same for
what migration templates hold in practice: ``{{.app_user}}`` (a value of the
``[data]`` section of ``tern.conf``, beside the migrations or above them, where
``{{env "NAME"}}`` takes one from the environment), ``{{ template
"shared/x.sql" . }}`` (a file under the migrations folder, itself expanded),
comments and the ``{{-``/``-}}`` trims. Lines of an included file count as the
line that includes it. Any other action (``if``, ``range``, a function) is
tern's alone: migtui says so for the file, and reads it unexpanded.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import replace
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
#: One action: its left trim, its body, its right trim.
_ACTION = re.compile(r"\{\{(-\s)?\s*(.*?)\s*(\s-)?\}\}", re.DOTALL)
_VALUE = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")
_INCLUDE = re.compile(r'template\s+"([^"]+)"(?:\s+\.)?')
_ENV = re.compile(r'\{\{-?\s*env\s+"([^"]+)"\s*-?\}\}')
#: How deep included templates may include others (a loop is tern's error too).
_MAX_DEPTH = 10
#: ``{{ if … }}``, ``{{ else if … }}``, ``{{ else }}``, ``{{ end }}``
_BRANCH = re.compile(r"(if|else if|else|end)\b\s*(.*)", re.DOTALL)
_WORDS = re.compile(r'"[^"]*"|\S+')


def looks_like_tern(paths: list[Path]) -> bool:
    """Whether most of the files carry tern's separator line."""
    marked = sum(bool(_SEPARATOR_BYTES.search(peek(path) or b"")) for path in paths)
    return marked * 2 > len(paths)


def read(root: Path) -> Read:
    read = Read()
    hint = "name migrations NNN_name.sql, e.g. 004_add_index.sql"
    data = _data(root)
    for path, match in named_files(root, TERN_NAME, read, hint, LAYOUT):
        read.migrations.append(_tern_migration(path, root, match.group(1), match.group(2), data))
    return read


def _data(root: Path) -> dict[str, str]:
    """The ``[data]`` of the ``tern.conf`` in the migrations folder or above it."""
    for folder in (root, root.parent, root.parent.parent):
        conf = folder / "tern.conf"
        if not conf.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        try:
            parser.read_string(conf.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, configparser.Error):
            return {}
        if not parser.has_section("data"):
            return {}
        return {key: _conf_value(value) for key, value in parser.items("data")}
    return {}


def _conf_value(value: str) -> str:
    value = value.strip()
    if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return _ENV.sub(lambda m: os.environ.get(m.group(1), ""), value)


class _Unsupported(Exception):
    """An action migtui does not expand: the file is read as written."""


def _render(
    text: str, start_line: int, data: dict[str, str], root: Path, depth: int = 0
) -> tuple[str, list[int], list[tuple[str, int]]]:
    """``text`` expanded as tern would: the text, the file line of each of its
    lines, and what could not be expanded (a message, the line)."""
    out: list[str] = []
    lines = [start_line]
    missing: list[tuple[str, int]] = []
    line, pos = start_line, 0

    def put(piece: str, at: int, fixed: bool) -> None:
        if not piece:
            return
        if not fixed and (not out or out[-1].endswith("\n")):
            lines[-1] = at  # a line starts with this file's text: it is this line
        out.append(piece)
        lines.extend(at if fixed else at + i for i in range(1, piece.count("\n") + 1))

    #: the {{ if }} blocks open: [the block's text runs, this branch runs, a branch ran]
    blocks: list[list[bool]] = []
    for match in _ACTION.finditer(text):
        literal = text[pos : match.start()]
        running = all(block[1] for block in blocks)
        if running:
            put(literal.rstrip() if match.group(1) else literal, line, False)
        line += literal.count("\n")
        body, here = match.group(2), line
        line += match.group(0).count("\n")
        pos = match.end()
        if match.group(3):
            rest = text[pos:]
            skipped = len(rest) - len(rest.lstrip())
            line += rest[:skipped].count("\n")
            pos += skipped
        if body.startswith("/*") and body.endswith("*/"):
            continue
        branch = _BRANCH.fullmatch(body)
        if branch is not None:
            word, condition = branch.group(1), branch.group(2)
            if word == "end":
                if not blocks:
                    raise _Unsupported(match.group(0))
                blocks.pop()
                continue
            if word != "if" and not blocks:
                raise _Unsupported(match.group(0))
            holds = True
            if condition:
                holds = _holds(condition, data, match.group(0))
                if holds is None:
                    key = _VALUE.search(condition).group(1)  # type: ignore[union-attr]
                    skipped_at = (
                        f"tern.conf gives no value for {{{{.{key}}}}}: the block of "
                        f"{{{{ {body} }}}} is read as not taken, its SQL unchecked"
                    )
                    missing.append((skipped_at, here))
                    holds = False
            if word == "if":
                blocks.append([running, running and holds, running and holds])
            else:  # else, else if: runs when no branch before it did
                block = blocks[-1]
                block[1] = block[0] and not block[2] and holds
                block[2] = block[2] or block[1]
            continue
        if not running:
            continue
        if value := _VALUE.fullmatch(body):
            if value.group(1) in data:
                put(data[value.group(1)], here, True)
            else:
                missing.append((f"tern.conf gives no value for {{{{.{value.group(1)}}}}}", here))
                put(value.group(1), here, True)
            continue
        include = _INCLUDE.fullmatch(body)
        if include is None:
            raise _Unsupported(match.group(0))
        name = include.group(1)
        try:
            included = (root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            missing.append(
                (
                    f'tern includes the template "{name}", which is no file under the '
                    "migrations folder",
                    here,
                )
            )
            continue
        if depth >= _MAX_DEPTH:
            raise _Unsupported(match.group(0))
        expanded, _, inner = _render(included, 1, data, root, depth + 1)
        put(expanded, here, True)
        missing.extend((message, here) for message, _ in inner)
    if blocks:
        raise _Unsupported("{{ if }}")  # never ended: tern refuses the template
    if all(block[1] for block in blocks):
        put(text[pos:], line, False)
    return "".join(out), lines, missing


def _holds(condition: str, data: dict[str, str], action: str) -> bool | None:
    """Whether an ``{{ if }}``'s condition holds with tern.conf's [data] (its
    values are strings: any but "" is true); None when a value it names is not
    given. Conditions other than ``.key``, ``not .key``, ``eq``/``ne .key
    "text"`` are not expanded."""
    words = _WORDS.findall(condition)
    if not words:
        raise _Unsupported(action)

    def value(word: str) -> str | None:
        if word.startswith('"'):
            return word[1:-1]
        key = _VALUE.fullmatch(word)
        if key is None:
            raise _Unsupported(action)
        return data.get(key.group(1))

    if len(words) == 1 or (len(words) == 2 and words[0] == "not"):
        found = value(words[-1])
        return None if found is None else bool(found) != (words[0] == "not")
    if len(words) == 3 and words[0] in ("eq", "ne"):
        left, right = value(words[1]), value(words[2])
        if left is None or right is None:
            return None
        return (left == right) == (words[0] == "eq")
    raise _Unsupported(action)


def _expanded(section, data: dict[str, str], root: Path, where: Where, problems: list[Problem]):
    """A section with tern's templates expanded (None: left as written)."""
    if section is None or "{{" not in section.text:
        return section
    try:
        text, lines, missing = _render(section.text, section.start_line, data, root)
    except _Unsupported as action:
        line = section.start_line + section.text.count("\n", 0, section.text.find(str(action)))
        message = (
            f"tern expands {str(action)[:40]!r} as a Go template before running the file; "
            "migtui expands values of tern.conf's [data] and included templates only, so the "
            "statements around it are not checked"
        )
        hint = "write the SQL out in the file if it is to be checked and run by migtui"
        problems.append(where.problem("parse_error", message, hint, line))
        return section
    for message, line in missing:
        hint = "give it a value under [data] in tern.conf, or include a file that exists"
        # a block left out leaves the SQL around it whole: said, not refused
        kind = "template_condition" if "is read as not taken" in message else "parse_error"
        problems.append(where.problem(kind, message, hint, line))
    return replace(section, text=text, line_map=tuple(lines))


def _tern_migration(
    path: Path, root: Path, raw: str, name: str, data: dict[str, str] | None = None
) -> Migration:
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
    up = _expanded(up, data or {}, root, where, problems)
    down = _expanded(down, data or {}, root, where, problems)
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
