"""goose: ``goose_db_version(id, version_id, is_applied, tstamp)``, a row per
apply (and, in older goose, per rollback with ``is_applied = false``); the
newest row of a version decides. A version 0 row marks the table's creation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
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
from migtui.core.tools.dbmate import MIGRATE_BYTES, NATIVE_NAME
from migtui.core.tools.reading import (
    Read,
    Source,
    Where,
    declared_requires,
    files_in,
    is_stray_sql,
    peek,
    read_source,
    sql_before,
    unrecognized,
)
from migtui.core.versions import Version


class Goose(ToolLedger):
    tool = "goose"
    layout = "goose"
    table = "goose_db_version"
    ledger_ddl = (
        (
            "CREATE TABLE IF NOT EXISTS {table} (id serial PRIMARY KEY, version_id "
            "bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT "
            "now())"
        ),
        ("INSERT INTO {table} (version_id, is_applied) VALUES (0, true)"),
    )
    columns = frozenset({"id", "version_id", "is_applied"})
    all_columns = frozenset({"id", "version_id", "is_applied", "tstamp"})

    def key(self, info: MigrationInfo) -> str:
        return str(info.migration.version.parts[0])

    def select(self, table: str) -> str:
        return (
            f"SELECT DISTINCT ON (version_id) version_id, is_applied, tstamp::text FROM {table}"
            " ORDER BY version_id, id DESC"
        )

    def states(self, rows, infos, root=None):
        applied = {str(r[0]): r[2] for r in rows if r[1] and int(r[0]) != 0}
        return {
            info.version: ToolState(applied=True, applied_at=applied[self.key(info)])
            for info in infos
            if self.key(info) in applied
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        sql = f"INSERT INTO {table} (version_id, is_applied) VALUES (%s, true)"
        return [(sql, (int(self.key(info)),))]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version_id = %s", (int(self.key(info)),))]


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "goose"
#: How its folders look, for messages.
SHAPE = "files like 00001_name.sql with -- +goose Up"
#: What to do about a migration without a down section.
DOWN_HINT = "add a -- +goose Down section that undoes the up section"


# -- reading its folders

_GOOSE_GO_NAME = re.compile(r"^(\d+)_.*\.go$")
_GOOSE_UP_BYTES = re.compile(rb"(?im)^[ \t]*--[ \t]*\+goose[ \t]+up\b")


def looks_like_goose(paths: Iterable[Path]) -> bool:
    """Goose and native files are named alike; their markers tell them apart."""
    goose = native = 0
    for path in paths:
        data = peek(path)
        if data is None:
            continue
        goose += bool(_GOOSE_UP_BYTES.search(data))
        native += bool(MIGRATE_BYTES.search(data))
    return goose > native


@dataclass(frozen=True)
class Annotations:
    """How a tool marks sections in SQL comments: goose's ``-- +goose Up``, and
    sql-migrate's ``-- +migrate Up`` (read the same way)."""

    #: The word after ``-- +``.
    word: str
    #: The layout whose migrations these are.
    layout: str
    #: Every annotation the tool knows, normalized (upper case, one space).
    known: tuple[str, ...]
    #: The annotation (or Up's option) that runs the migration outside a transaction.
    no_transaction: str
    #: The annotations as the tool's documentation writes them, for hints.
    spelled: str

    @cached_property
    def marker(self) -> re.Pattern[str]:
        return re.compile(rf"^\s*--\s*\+{self.word}\b(.*)$", re.IGNORECASE)

    def written(self, word: str) -> str:
        return f"-- +{self.word} {word}"


_GOOSE_KNOWN = ("UP", "DOWN", "STATEMENTBEGIN", "STATEMENTEND", "NO TRANSACTION")
_GOOSE_KNOWN += ("ENVSUB ON", "ENVSUB OFF")
GOOSE = Annotations(
    "goose",
    "goose",
    _GOOSE_KNOWN,
    "NO TRANSACTION",
    "Up, Down, StatementBegin, StatementEnd, NO TRANSACTION, ENVSUB",
)


def read(root: Path) -> Read:
    read = Read()
    for path in files_in(root):
        match = NATIVE_NAME.match(path.name)
        if match is not None:
            read.migrations.append(annotated_migration(path, root, match.group(1), match.group(2)))
        elif (go := _GOOSE_GO_NAME.match(path.name)) and not path.name.endswith("_test.go"):
            read.code.append((go.group(1), path))
        elif is_stray_sql(path):
            hint = "name migrations NNNNN_name.sql, e.g. 00015_add_index.sql"
            read.problems.append(unrecognized(path, root, hint, "goose"))
    return read


def annotated_migration(
    path: Path,
    root: Path,
    raw_version: str,
    name: str | None,
    dialect: Annotations = GOOSE,
    version: Version | None = None,
) -> Migration:
    version = version if version is not None else Version(raw_version)
    migration = Migration(version, name or "", path, dialect.layout)
    where = Where(root, path, raw_version)
    source = read_source(where)
    if isinstance(source, Problem):
        return replace(migration, read_problems=(source,))

    problems: list[Problem] = []
    annotations = _goose_annotations(source, where, problems, dialect)
    outside: set[str] = set()  # sections run outside a transaction
    markers: dict[str, int] = {}
    for index, word in annotations:
        if word == dialect.no_transaction:  # goose: the whole file
            outside |= {"up", "down"}
        elif word.endswith(f" {dialect.no_transaction}"):  # sql-migrate: Up notransaction
            word = word.split()[0]
            outside.add(word.lower())
        if word not in ("UP", "DOWN"):
            continue
        if word.lower() in markers:
            message = f"{dialect.written(word.title())} appears twice"
            problems.append(
                where.problem("parse_error", message, "keep one marker per section", index + 1)
            )
        else:
            markers[word.lower()] = index
    if "up" not in markers:
        message = f"no {dialect.written('Up')} annotation, so nothing would run"
        hint = f"start the migration with {dialect.written('Up')}"
        problems.append(where.problem("parse_error", message, hint, 1))

    sections: dict[str, Section] = {}
    ordered = sorted(markers.items(), key=lambda item: item[1])
    ends = [index for _, index in ordered[1:]] + [None] if ordered else []
    for (kind, index), end in zip(ordered, ends, strict=True):
        sections[kind] = source.section(kind, index + 1, end, transactional=kind not in outside)
    if ordered:
        problems.extend(sql_before(source, ordered[0][1], where, dialect.written("Up")))
    down_at = markers.get("down", len(source.line_starts))
    requires_end = down_at if down_at > markers.get("up", -1) else len(source.line_starts)
    requires = declared_requires(list(enumerate(source.lines[:requires_end])), where, problems)
    return replace(
        migration,
        up=sections.get("up"),
        down=sections.get("down"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def _goose_annotations(
    source: Source, where: Where, problems: list[Problem], dialect: Annotations = GOOSE
) -> list[tuple[int, str]]:
    """Every ``-- +goose`` annotation as (line index, normalized word); reports
    unknown annotations and StatementBegin/End that do not pair up."""
    found: list[tuple[int, str]] = []
    open_block: int | None = None

    def report(message: str, hint: str, index: int) -> None:
        problems.append(where.problem("parse_error", message, hint, index + 1))

    for index, line in enumerate(source.lines):
        match = dialect.marker.match(line)
        if match is None:
            continue
        word = " ".join(match.group(1).split()).upper()
        if word not in dialect.known:
            message = f"unknown annotation {dialect.written(match.group(1).strip())}"
            hint = f"{dialect.layout} knows {dialect.spelled}"
            report(message, hint, index)
            continue
        found.append((index, word))
        ends_block = word in ("UP", "DOWN", "STATEMENTBEGIN")
        if ends_block and open_block is not None:
            hint = f"add {dialect.written('StatementEnd')} after the statement"
            report(f"{dialect.written('StatementBegin')} has no StatementEnd", hint, open_block)
            open_block = None
        if word == "STATEMENTBEGIN":
            open_block = index
        elif word == "STATEMENTEND":
            if open_block is None:
                hint = f"add {dialect.written('StatementBegin')} before the statement"
                report(f"{dialect.written('StatementEnd')} without StatementBegin", hint, index)
            open_block = None
    if open_block is not None:
        hint = f"add {dialect.written('StatementEnd')} after the statement"
        report(f"{dialect.written('StatementBegin')} has no StatementEnd", hint, open_block)
    return found


_BLOCK_MARK = re.compile(r"^--\s*\+(?:goose|migrate)\s+Statement(Begin|End)\b", re.IGNORECASE)


def cut_lines(text: str, start_line: int, statements: Iterable) -> list[tuple[int, int]]:
    """Where goose (and sql-migrate) would cut a statement short: outside a
    ``StatementBegin`` … ``StatementEnd`` block each line whose last word
    (before a ``--`` comment) ends with a semicolon ends a statement, quotes
    and dollar-quoted bodies or not. For each statement that has such a line
    before its own last one (a function's body): (its index, the file line)."""
    inside: set[int] = set()  # file lines within a block
    open_block = False
    for number, line in enumerate(text.split("\n"), start=start_line):
        mark = _BLOCK_MARK.match(line.strip())
        if mark:
            open_block = mark.group(1).lower() == "begin"
        elif open_block:
            inside.add(number)
    found = []
    for index, statement in enumerate(statements):
        if statement.start_line == statement.end_line or statement.category != "sql":
            continue
        for offset, line in enumerate(statement.text.split("\n")[:-1]):
            number = statement.start_line + offset
            if number not in inside and _ends_statement(line):
                found.append((index, number))
                break
    return found


def _ends_statement(line: str) -> bool:
    """goose's test: the last word before a ``--`` word ends with ``;``."""
    last = ""
    for word in line.split():
        if word.startswith("--"):
            break
        last = word
    return last.endswith(";")


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (ObjectRef(TABLE, "public", "goose_db_version"),)
