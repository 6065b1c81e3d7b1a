"""Reading a migration folder in any of eight layouts into ``Migration`` values.

Each layout has its own small reader; what they share lives here too: decoding
files (UTF-8, BOM stripped, the first bad byte named), placing every section in
its file (line and byte offset), and the checks every layout gets (duplicate
versions, empty up, missing down). A broken file becomes a ``Problem``; it
never stops the rest of the folder being read.

Naming rules:

* ``native`` (dbmate-compatible): ``0001_users.sql``, ``0013_5_base_tables.sql``,
  ``20240101120000_add_x.sql``, ``20240101120000-add-x.sql``. The version is the
  leading run of digit groups joined by ``_``: every all-digit group right after
  the first number belongs to the version, so ``0013_5_base_tables`` is version
  ``0013_5``, name ``base_tables`` (and ``0001_2024_cleanup`` is version
  ``0001_2024``). A ``-`` after the version starts the name, as dbmate allows.
  Sections: ``-- migrate:up [transaction:false]``, ``-- migrate:down``,
  ``-- migrate:verify``; a file without markers is all up.
* ``golang-migrate``: ``1_users.up.sql`` and ``1_users.down.sql``.
* ``goose``: ``00001_users.sql`` with ``-- +goose Up`` / ``-- +goose Down``;
  ``00002_x.go`` Go migrations run between them (reported, and listed in
  ``LoadResult.code_migrations``).
* ``diesel``: folders ``2024-01-01-120000_users/`` (or ``20170309122510_users/``)
  holding ``up.sql``, ``down.sql`` and maybe ``metadata.toml``. The version is
  the folder name before the first ``_`` with dashes removed, as diesel records it,
  and versions order as text, as diesel orders them.
* ``flyway``: ``V1__x.sql``, ``V1.1__x.sql``, ``V1_1__x.sql`` (``_`` in a version
  is ``.``), ``U1__x.sql`` undoes V1, ``R__x.sql`` are repeatables. A repeatable's
  version text is ``R__<description>``; it sorts after every numbered version.
  Subfolders are read too, as flyway does. Java migrations (``V3__x.java``,
  ``V3__x.class``) run between the scripts (reported, and listed in
  ``LoadResult.code_migrations``).
* ``sqitch``: ``sqitch.plan`` with ``deploy/``, ``revert/``, ``verify/`` scripts.
  The version is the change's position in the plan (``1``, ``2``, …).
* ``prisma``: folders ``20240101120000_name/`` holding ``migration.sql`` (and,
  written by hand, ``down.sql``). The version is the folder's whole name, as
  Prisma knows it, ordered as text.
* ``sqlx``: ``20240101120000_name.sql``, or ``.up.sql``/``.down.sql`` pairs, in a
  crate that depends on sqlx; ``-- no-transaction`` as the first line runs a
  file outside a transaction.

A Liquibase project is recognised and refused with a message saying so.

Every layout but sqitch also reads ``-- requires: 0008 0013_5`` comment lines
(in the header or the up section) as declared prerequisites.

Each layout's tool creates its own ledger before the first migration runs (and
diesel some helpers too): those objects are ``LoadResult.assumed``.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path

from migtui.core.model import (
    FUNCTION,
    SCHEMA,
    TABLE,
    Migration,
    ObjectRef,
    Problem,
    Section,
    Severity,
)
from migtui.core.statements import SplitError, mask
from migtui.core.versions import Version, version_for

LAYOUTS = ("native", "golang-migrate", "goose", "diesel", "flyway", "sqitch", "prisma", "sqlx")

#: What diesel's setup migration and CLI create, so nothing that calls them is
#: reported as needing a missing object.
DIESEL_ASSUMED = (
    ObjectRef(FUNCTION, "public", "diesel_manage_updated_at", args="regclass"),
    ObjectRef(FUNCTION, "public", "diesel_set_updated_at", args=""),
    ObjectRef(TABLE, "public", "__diesel_schema_migrations"),
)

#: The registry sqitch creates in the target before deploying anything.
_SQITCH_REGISTRY = (
    ObjectRef(SCHEMA, None, "sqitch"),
    *(
        ObjectRef(TABLE, "sqitch", name)
        for name in ("releases", "projects", "changes", "tags", "dependencies", "events")
    ),
)

#: What each layout's own tool creates before the first migration runs: its
#: ledger table (and diesel's helpers), so a migration that reads or alters it
#: needs nothing.
TOOL_OBJECTS: dict[str, tuple[ObjectRef, ...]] = {
    "native": (ObjectRef(TABLE, "public", "schema_migrations"),),  # dbmate's
    "golang-migrate": (ObjectRef(TABLE, "public", "schema_migrations"),),
    "goose": (ObjectRef(TABLE, "public", "goose_db_version"),),
    "diesel": DIESEL_ASSUMED,
    "flyway": (ObjectRef(TABLE, "public", "flyway_schema_history"),),
    "sqitch": _SQITCH_REGISTRY,
    "prisma": (ObjectRef(TABLE, "public", "_prisma_migrations"),),
    "sqlx": (ObjectRef(TABLE, "public", "_sqlx_migrations"),),
}

_SEVERITY = {
    "duplicate_version": Severity.ERROR,
    "unreadable_file": Severity.ERROR,
    "missing_file": Severity.ERROR,
    "parse_error": Severity.ERROR,
    "empty_migration": Severity.WARNING,
    "missing_down": Severity.WARNING,
    "unrecognized_file": Severity.WARNING,
    "code_migration": Severity.WARNING,
}

#: Files that sit next to migrations and are not migrations: never reported.
_KNOWN_NON_MIGRATIONS = frozenset({"schema.sql", "structure.sql", "seed.sql", "seeds.sql"})

_NATIVE_NAME = re.compile(r"^(\d+(?:_\d+)*)(?:_(.*))?\.sql$")
#: dbmate also takes ``20240101120000-create-t.sql``: a dash may end the version.
_DBMATE_NAME = re.compile(r"^(\d+(?:_\d+)*)(?:[_-](.*))?\.sql$")
_GOOSE_GO_NAME = re.compile(r"^(\d+)_.*\.go$")
#: Flyway's Java migrations, as source or compiled classes (not inner classes).
_FLYWAY_CODE = re.compile(r"^(?:V(\d+(?:[._]\d+)*)|R)__([^$]+)\.(java|kt|class)$")
_GOLANG_NAME = re.compile(r"^(\d+)_(.*)\.(up|down)\.sql$")
_FLYWAY_NAME = re.compile(r"^([VU])(\d+(?:[._]\d+)*)__(.*)\.sql$")
_FLYWAY_REPEATABLE = re.compile(r"^R__(.*)\.sql$")
_DIESEL_FOLDER = re.compile(r"^(\d[\d-]*)_(.*)$")
_PRISMA_FOLDER = re.compile(r"^(\d+)_(.*)$")
#: sqlx: ``<version>_<description>.sql``, or ``.up.sql`` / ``.down.sql`` pairs.
_SQLX_NAME = re.compile(r"^(\d+)_(.*?)(?:\.(up|down))?\.sql$")
_LEADING_VERSION = re.compile(r"^\d+(?:[._]\d+)*")

_MIGRATE_MARKER = re.compile(r"^\s*--\s*migrate:(\S*)(.*)$")
_GOOSE_MARKER = re.compile(r"^\s*--\s*\+goose\b(.*)$", re.IGNORECASE)
_REQUIRES = re.compile(r"^\s*--\s*requires:(.*)$", re.IGNORECASE)
_GOOSE_UP_BYTES = re.compile(rb"(?im)^[ \t]*--[ \t]*\+goose[ \t]+up\b")
_MIGRATE_BYTES = re.compile(rb"(?m)^[ \t]*--[ \t]*migrate:")

_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class LoadResult:
    """A migration folder as read from disk."""

    layout: str
    root: Path
    #: In run order: natural version order (sqitch: plan order).
    migrations: tuple[Migration, ...]
    #: Flyway's R__ migrations, which run after the numbered ones whenever they change.
    repeatables: tuple[Migration, ...]
    problems: tuple[Problem, ...]
    #: Objects the layout's own tool creates before the first migration runs: its
    #: ledger table (and diesel's helpers).
    assumed: tuple[ObjectRef, ...] = ()
    #: Migrations written in code (goose ``.go``, flyway Java), in version order, as
    #: (version as text, file relative to root). They run in version order between
    #: the SQL migrations, and migtui cannot see what they create.
    code_migrations: tuple[tuple[str, str], ...] = ()


class LayoutError(ValueError):
    """The folder cannot be read as migrations at all (missing, or no layout fits)."""


# --------------------------------------------------------------------------- public


def detect_layout(root: Path) -> str:
    """The layout of the migrations in ``root``.

    Raises LayoutError naming the folder when it is missing or nothing in it
    looks like migrations.
    """
    root = Path(root)
    _check_folder(root)
    liquibase = _liquibase_sql(root)
    found = _detect(root) if liquibase is None else None
    if found is None:
        liquibase = liquibase or _liquibase_sign(root)
        if liquibase is not None:
            raise LayoutError(
                f"{root}: this is a Liquibase project ({liquibase}); migtui does not read "
                "Liquibase changelogs: point it at a folder of dbmate, golang-migrate, goose, "
                "diesel, flyway, sqitch, Prisma or sqlx migrations"
            )
        nested = _nested_migration_folder(root)
        suggestion = f"; did you mean {nested}?" if nested is not None else ""
        raise LayoutError(
            f"{root}: no migrations found; expected files like 0001_name.sql (native/dbmate), "
            "1_name.up.sql (golang-migrate), V1__name.sql (flyway), "
            f"2024-01-01-120000_name/up.sql (diesel) or a sqitch.plan{suggestion}"
        )
    return found


def load(root: Path, layout: str | None = None) -> LoadResult:
    """Read every migration in ``root``, detecting the layout unless one is given."""
    root = Path(root)
    _check_folder(root)
    token = _PREREAD.set({})
    try:
        if layout is None:
            layout = detect_layout(root)
        elif layout not in LAYOUTS:
            raise LayoutError(
                f"{root}: unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}"
            )
        read = _READERS[layout](root)
    finally:
        _PREREAD.reset(token)
    if not read.migrations and not read.repeatables:
        _refuse_forced_mismatch(root, layout)
    return _finish(root, layout, read)


# ------------------------------------------------------------------ detection

_LAYOUT_SHAPES = {
    "native": "files like 0001_name.sql",
    "golang-migrate": "files like 1_name.up.sql and 1_name.down.sql",
    "goose": "files like 00001_name.sql with -- +goose Up",
    "diesel": "folders like 2024-01-01-120000_name/up.sql",
    "flyway": "files like V1__name.sql",
    "sqitch": "a sqitch.plan file",
    "prisma": "folders like 20240101120000_name/migration.sql",
    "sqlx": "files like 20240101120000_name.sql or .up.sql/.down.sql (a Rust project using sqlx)",
}


def _check_folder(root: Path) -> None:
    if not root.exists():
        raise LayoutError(f"{root}: migration folder does not exist")
    if not root.is_dir():
        raise LayoutError(f"{root}: is a file, not a migration folder")
    try:
        next(root.iterdir(), None)
    except OSError as exc:
        raise LayoutError(f"{root}: migration folder cannot be read ({exc.strerror})") from exc


def _detect(root: Path) -> str | None:
    if (root / "sqitch.plan").is_file():
        return "sqitch"
    if (root / "migration_lock.toml").is_file() or any(
        _PRISMA_FOLDER.match(p.name) and (p / "migration.sql").is_file() for p in _subfolders(root)
    ):
        return "prisma"
    if any(_DIESEL_FOLDER.match(p.name) and (p / "up.sql").is_file() for p in _subfolders(root)):
        return "diesel"
    files = _files(root)
    names = [p.name for p in files]
    if any(_FLYWAY_NAME.match(n) or _FLYWAY_REPEATABLE.match(n) for n in names):
        return "flyway"
    if _uses_sqlx(root) and any(_SQLX_NAME.match(n) for n in names):
        return "sqlx"
    if any(_GOLANG_NAME.match(n) for n in names):
        return "golang-migrate"
    versioned = [p for p in files if _DBMATE_NAME.match(p.name)]
    if not versioned:
        return None
    return "goose" if _looks_like_goose(versioned) else "native"


_NOT_MIGRATION_FOLDERS = frozenset({"node_modules", "venv", "target", "build", "dist"})


def _nested_migration_folder(root: Path, depth: int = 2) -> Path | None:
    """A folder a level or two down that holds migrations (``db/migrations``),
    for a better message when the project root was given instead."""
    if depth == 0:
        return None
    try:
        children = [p for p in _subfolders(root) if p.name not in _NOT_MIGRATION_FOLDERS]
    except OSError:
        return None
    for child in children:
        try:
            if _detect(child) is not None:
                return child
        except OSError:
            continue
    for child in children:
        if (found := _nested_migration_folder(child, depth - 1)) is not None:
            return found
    return None


#: Files detection has read already, for the reader to take instead of reading
#: them again (only while ``load`` runs).
_PREREAD: ContextVar[dict[Path, bytes] | None] = ContextVar("preread", default=None)


def _liquibase_sql(root: Path) -> str | None:
    """Liquibase's formatted SQL directly in ``root`` (named like migrations of
    another tool, but run by Liquibase, with its own ${placeholders})."""
    for path in [p for p in _files(root) if p.suffix == ".sql"][:20]:
        try:
            with path.open("rb") as f:
                if f.read(200).lower().lstrip().startswith(b"--liquibase formatted sql"):
                    return f"formatted SQL in {path.name}"
        except OSError:
            continue
    return None


def _liquibase_sign(root: Path) -> str | None:
    """What shows a folder is Liquibase's: its properties file, a changelog,
    or SQL written as Liquibase's formatted SQL (within two levels)."""
    if (root / "liquibase.properties").is_file():
        return "liquibase.properties"
    for depth, pattern in ((0, "*"), (1, "*/*"), (2, "*/*/*")):
        for path in sorted(root.glob(pattern))[:500]:
            name = path.name.lower()
            if "changelog" in name and path.suffix in (".xml", ".yaml", ".yml", ".json"):
                return f"changelog {path.relative_to(root)}"
            if path.suffix == ".sql" and depth < 2:
                try:
                    with path.open("rb") as f:
                        head = f.read(200).lower()
                except OSError:
                    continue
                if b"--liquibase formatted sql" in head:
                    return f"formatted SQL in {path.relative_to(root)}"
    return None


def _uses_sqlx(root: Path) -> bool:
    """Whether the folder belongs to a Rust crate that depends on sqlx: its
    file names alone look like golang-migrate's or dbmate's."""
    for folder in [root.resolve(), *list(root.resolve().parents)[:4]]:
        cargo = folder / "Cargo.toml"
        if cargo.is_file():
            try:
                return re.search(r"(?m)^\s*sqlx\b", cargo.read_text("utf-8", "replace")) is not None
            except OSError:
                return False
    return False


def _looks_like_goose(paths: Iterable[Path]) -> bool:
    """Goose and native files are named alike; their markers tell them apart."""
    goose = native = 0
    kept = _PREREAD.get()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if kept is not None:
            kept[path] = data
        goose += bool(_GOOSE_UP_BYTES.search(data))
        native += bool(_MIGRATE_BYTES.search(data))
    return goose > native


def _refuse_forced_mismatch(root: Path, layout: str) -> None:
    """A forced layout that finds nothing where another layout fits is a mistake;
    an empty folder is a new project, and fine."""
    found = _detect(root)
    if found is not None and found != layout:
        raise LayoutError(
            f"{root}: no {layout} migrations here ({_LAYOUT_SHAPES[layout]}); "
            f"the folder looks like {found}"
        )


# ----------------------------------------------------------- shared reading


@dataclass
class _Read:
    """What a layout reader found, before the shared checks."""

    migrations: list[Migration] = field(default_factory=list)
    repeatables: list[Migration] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: (version as text, path) of migrations written in code
    code: list[tuple[str, Path]] = field(default_factory=list)


@dataclass(frozen=True)
class _Where:
    """The file (and migration) that problems found while reading it belong to."""

    root: Path
    path: Path
    migration: str | None = None

    def problem(self, kind: str, message: str, hint: str, line: int | None = None) -> Problem:
        return Problem(
            kind=kind,
            severity=_SEVERITY[kind],
            message=message,
            hint=hint,
            migration=self.migration,
            file=_relative(self.path, self.root),
            line=line,
        )

    def at(self, path: Path) -> _Where:
        return replace(self, path=path)


@dataclass(frozen=True)
class _Source:
    """A decoded file, with where each line starts, for cutting sections out of it."""

    path: Path
    text: str
    bom: int
    line_starts: tuple[int, ...]
    #: The lines without their line ends, split once: readers look at them often.
    lines: tuple[str, ...]

    @classmethod
    def of(cls, path: Path, text: str, bom: int) -> _Source:
        starts = (0, *(m.end() for m in re.finditer("\n", text)))
        lines = tuple(line.rstrip("\r") for line in text.split("\n"))
        return cls(path, text, bom, starts, lines)

    def _char_at_line(self, index: int | None) -> int:
        if index is None or index >= len(self.line_starts):
            return len(self.text)
        return self.line_starts[index]

    def section(self, kind: str, first: int, end: int | None = None, **flags: bool) -> Section:
        """The section made of lines ``first`` (0-based) up to ``end`` (exclusive)."""
        a, b = self._char_at_line(first), self._char_at_line(end)
        return Section(
            kind=kind,
            path=self.path,
            text=self.text[a:b],
            start_line=first + 1,
            start_offset=self.bom + len(self.text[:a].encode("utf-8")),
            **flags,
        )


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _read_source(where: _Where) -> _Source | Problem:
    """Decode a file as UTF-8 (BOM stripped), or say why it cannot be read."""
    hint = "save the file as UTF-8 text (no binary content)"
    kept = _PREREAD.get()
    try:
        data = kept.pop(where.path) if kept and where.path in kept else where.path.read_bytes()
    except OSError as exc:
        return where.problem("unreadable_file", f"cannot be read: {exc.strerror or exc}", hint)
    bom = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    nul = data.find(b"\x00", bom)
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        message = f"binary content: NUL byte at byte offset {nul}"
        return where.problem("unreadable_file", message, hint, line)
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line = data.count(b"\n", 0, offset) + 1
        message = f"not UTF-8: byte 0x{data[offset]:02x} at byte offset {offset}"
        return where.problem("unreadable_file", message, hint, line)
    return _Source.of(where.path, text, bom)


def _whole_file(
    kind: str, where: _Where, problems: list[Problem], transactional: bool = True
) -> tuple[Section | None, _Source | None]:
    """A file that is one section (golang-migrate, diesel, flyway, sqitch)."""
    source = _read_source(where)
    if isinstance(source, Problem):
        problems.append(source)
        return None, None
    return source.section(kind, 0, None, transactional=transactional), source


_SQL_LINE = re.compile(r"^[ \t]*(?!--|\\|[;\s]*$)\S", re.MULTILINE)


def _has_sql(text: str) -> bool:
    """True when the text holds anything but comments, blanks and semicolons."""
    if "/*" not in text:
        # Without block comments a line starting with anything but "--" is SQL
        # (or continues SQL begun above): no need for the slower full scan.
        return _SQL_LINE.search(text) is not None
    try:
        masked, _ = mask(text)
    except SplitError:
        return True  # an unterminated quote is still content; the splitter reports it
    return bool(masked.strip(" \t\r\n;"))


def _first_sql_line(source: _Source, end: int) -> int | None:
    """0-based index of the first line before ``end`` holding SQL (not comments)."""
    header = source.section("header", 0, end).text
    try:
        masked, _ = mask(header)
    except SplitError:
        masked = header
    for index, line in enumerate(masked.split("\n")):
        if line.strip(" \t\r;"):
            return index
    return None


def _entries(root: Path, want_dirs: bool) -> list[Path]:
    """The visible files (or folders) of ``root``, sorted by name. One
    ``scandir`` pass: most entries need no ``stat`` of their own."""
    with os.scandir(root) as found:
        names = sorted(
            e.name
            for e in found
            if not e.name.startswith(".") and (e.is_dir() if want_dirs else e.is_file())
        )
    return [root / name for name in names]


def _files(root: Path) -> list[Path]:
    return _entries(root, want_dirs=False)


def _subfolders(root: Path) -> list[Path]:
    return _entries(root, want_dirs=True)


def _unrecognized(path: Path, root: Path, hint: str) -> Problem:
    message = f"{path.name} is not named like a migration, so it is never run"
    return _Where(root, path).problem("unrecognized_file", message, hint)


def _is_stray_sql(path: Path) -> bool:
    return path.suffix.lower() == ".sql" and path.name.lower() not in _KNOWN_NON_MIGRATIONS


def _declared_requires(
    lines: Iterable[tuple[int, str]], where: _Where, problems: list[Problem]
) -> tuple[str, ...]:
    """Versions named by ``-- requires:`` among (0-based index, text) lines."""
    found: list[str] = []
    for index, line in lines:
        match = _REQUIRES.match(line)
        if not match:
            continue
        for token in filter(None, re.split(r"[,\s]+", match.group(1))):
            leading = _LEADING_VERSION.match(token)
            if leading is None:
                message = f"-- requires: {token!r} is not a migration version"
                hint = "list versions, e.g. -- requires: 0008 0013_5"
                problems.append(where.problem("parse_error", message, hint, index + 1))
            elif leading.group(0) not in found:
                found.append(leading.group(0))
    return tuple(found)


def _all_lines(source: _Source | None) -> list[tuple[int, str]]:
    return list(enumerate(source.lines)) if source is not None else []


# ----------------------------------------------------------------- native


def _read_native(root: Path) -> _Read:
    read = _Read()
    for path in _files(root):
        match = _DBMATE_NAME.match(path.name)
        if match is not None:
            read.migrations.append(_native_migration(path, root, match.group(1), match.group(2)))
        elif _is_stray_sql(path):
            hint = "name migrations VERSION_name.sql, e.g. 0015_add_index.sql or 20240101120000_add_index.sql"
            read.problems.append(_unrecognized(path, root, hint))
    return read


def _native_migration(path: Path, root: Path, raw_version: str, name: str | None) -> Migration:
    migration = Migration(Version(raw_version), name or "", path, "native")
    where = _Where(root, path, raw_version)
    source = _read_source(where)
    if isinstance(source, Problem):
        return replace(migration, read_problems=(source,))

    problems: list[Problem] = []
    # Every marker line ends the section before it, even a malformed one, so the
    # lines after a typo such as "-- migrate:rollback" can never run as part of up.
    markers: list[tuple[int, str | None, bool]] = []  # (line index, kind, transactional)
    for index, line in enumerate(source.lines):
        if match := _MIGRATE_MARKER.match(line):
            seen = {kind for _, kind, _ in markers}
            markers.append((index, *_native_marker(match, seen, where, index + 1, problems)))

    if not markers:
        up = source.section("up", 0, None)
        requires = _declared_requires(_all_lines(source), where, problems)
        return replace(migration, up=up, declared_requires=requires, read_problems=tuple(problems))

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
    problems.extend(_sql_before(source, markers[0][0], where, "-- migrate:up"))
    requires = _declared_requires(requires_lines, where, problems)
    return replace(
        migration,
        up=sections.get("up"),
        down=sections.get("down"),
        verify=sections.get("verify"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def _native_marker(
    match: re.Match[str], seen: set[str | None], where: _Where, line: int, problems: list[Problem]
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


def _sql_before(source: _Source, end: int, where: _Where, marker: str) -> list[Problem]:
    index = _first_sql_line(source, end)
    if index is None:
        return []
    message = f"SQL before {marker} is never run"
    return [where.problem("parse_error", message, f"move it below {marker}", index + 1)]


# ----------------------------------------------------------- golang-migrate


def _read_golang(root: Path) -> _Read:
    read = _Read()
    pairs: dict[tuple[str, str], dict[str, Path]] = defaultdict(dict)
    for path in _files(root):
        match = _GOLANG_NAME.match(path.name)
        if match is not None:
            pairs[(match.group(1), match.group(2))][match.group(3)] = path
        elif _is_stray_sql(path):
            hint = "name migrations N_name.up.sql and N_name.down.sql"
            read.problems.append(_unrecognized(path, root, hint))
    for (raw_version, name), files in pairs.items():
        read.migrations.append(_golang_migration(root, raw_version, name, files))
    return read


def _golang_migration(root: Path, raw_version: str, name: str, files: dict[str, Path]) -> Migration:
    path = files.get("up") or files["down"]
    where = _Where(root, path, raw_version)
    problems: list[Problem] = []
    up = down = None
    requires: tuple[str, ...] = ()
    if "up" in files:
        up, source = _whole_file("up", where.at(files["up"]), problems)
        requires = _declared_requires(_all_lines(source), where, problems)
    if "down" in files:
        down, _ = _whole_file("down", where.at(files["down"]), problems)
    return Migration(
        Version(raw_version),
        name,
        path,
        "golang-migrate",
        up=up,
        down=down,
        declared_requires=requires,
        read_problems=tuple(problems),
    )


# ------------------------------------------------------------------ goose


_GOOSE_KNOWN = ("UP", "DOWN", "STATEMENTBEGIN", "STATEMENTEND", "NO TRANSACTION")
_GOOSE_KNOWN += ("ENVSUB ON", "ENVSUB OFF")


def _read_goose(root: Path) -> _Read:
    read = _Read()
    for path in _files(root):
        match = _NATIVE_NAME.match(path.name)
        if match is not None:
            read.migrations.append(_goose_migration(path, root, match.group(1), match.group(2)))
        elif (go := _GOOSE_GO_NAME.match(path.name)) and not path.name.endswith("_test.go"):
            read.code.append((go.group(1), path))
        elif _is_stray_sql(path):
            hint = "name migrations NNNNN_name.sql, e.g. 00015_add_index.sql"
            read.problems.append(_unrecognized(path, root, hint))
    return read


def _goose_migration(path: Path, root: Path, raw_version: str, name: str | None) -> Migration:
    migration = Migration(Version(raw_version), name or "", path, "goose")
    where = _Where(root, path, raw_version)
    source = _read_source(where)
    if isinstance(source, Problem):
        return replace(migration, read_problems=(source,))

    problems: list[Problem] = []
    annotations = _goose_annotations(source, where, problems)
    transactional = "NO TRANSACTION" not in {word for _, word in annotations}
    markers: dict[str, int] = {}
    for index, word in annotations:
        if word not in ("UP", "DOWN"):
            continue
        if word.lower() in markers:
            message = f"-- +goose {word.title()} appears twice"
            problems.append(
                where.problem("parse_error", message, "keep one marker per section", index + 1)
            )
        else:
            markers[word.lower()] = index
    if "up" not in markers:
        message = "no -- +goose Up annotation, so nothing would run"
        hint = "start the migration with -- +goose Up"
        problems.append(where.problem("parse_error", message, hint, 1))

    sections: dict[str, Section] = {}
    ordered = sorted(markers.items(), key=lambda item: item[1])
    ends = [index for _, index in ordered[1:]] + [None]
    for (kind, index), end in zip(ordered, ends, strict=True):
        sections[kind] = source.section(kind, index + 1, end, transactional=transactional)
    if ordered:
        problems.extend(_sql_before(source, ordered[0][1], where, "-- +goose Up"))
    down_at = markers.get("down", len(source.line_starts))
    requires_end = down_at if down_at > markers.get("up", -1) else len(source.line_starts)
    requires = _declared_requires(list(enumerate(source.lines[:requires_end])), where, problems)
    return replace(
        migration,
        up=sections.get("up"),
        down=sections.get("down"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def _goose_annotations(
    source: _Source, where: _Where, problems: list[Problem]
) -> list[tuple[int, str]]:
    """Every ``-- +goose`` annotation as (line index, normalized word); reports
    unknown annotations and StatementBegin/End that do not pair up."""
    found: list[tuple[int, str]] = []
    open_block: int | None = None

    def report(message: str, hint: str, index: int) -> None:
        problems.append(where.problem("parse_error", message, hint, index + 1))

    for index, line in enumerate(source.lines):
        match = _GOOSE_MARKER.match(line)
        if match is None:
            continue
        word = " ".join(match.group(1).split()).upper()
        if word not in _GOOSE_KNOWN:
            message = f"unknown annotation -- +goose {match.group(1).strip()}"
            hint = "goose knows Up, Down, StatementBegin, StatementEnd, NO TRANSACTION, ENVSUB"
            report(message, hint, index)
            continue
        found.append((index, word))
        ends_block = word in ("UP", "DOWN", "STATEMENTBEGIN")
        if ends_block and open_block is not None:
            hint = "add -- +goose StatementEnd after the statement"
            report("-- +goose StatementBegin has no StatementEnd", hint, open_block)
            open_block = None
        if word == "STATEMENTBEGIN":
            open_block = index
        elif word == "STATEMENTEND":
            if open_block is None:
                hint = "add -- +goose StatementBegin before the statement"
                report("-- +goose StatementEnd without StatementBegin", hint, index)
            open_block = None
    if open_block is not None:
        hint = "add -- +goose StatementEnd after the statement"
        report("-- +goose StatementBegin has no StatementEnd", hint, open_block)
    return found


# ----------------------------------------------------------------- diesel


def _read_diesel(root: Path) -> _Read:
    read = _Read()
    for folder in _subfolders(root):
        match = _DIESEL_FOLDER.match(folder.name)
        if match is None:
            continue
        if not (folder / "up.sql").is_file():
            message = f"{folder.name}/ has no up.sql, so it is not a migration"
            hint = "add up.sql (and down.sql) to the folder, or remove the folder"
            read.problems.append(_Where(root, folder).problem("missing_file", message, hint))
            continue
        read.migrations.append(_diesel_migration(folder, root, match.group(1), match.group(2)))
    return read


def _diesel_migration(folder: Path, root: Path, stamp: str, name: str) -> Migration:
    raw_version = stamp.replace("-", "")
    where = _Where(root, folder, raw_version)
    problems: list[Problem] = []
    transactional = _diesel_transactional(where.at(folder / "metadata.toml"), problems)
    up, source = _whole_file("up", where.at(folder / "up.sql"), problems, transactional)
    down = None
    if (folder / "down.sql").is_file():
        down, _ = _whole_file("down", where.at(folder / "down.sql"), problems, transactional)
    requires = _declared_requires(_all_lines(source), where.at(folder / "up.sql"), problems)
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


def _diesel_transactional(where: _Where, problems: list[Problem]) -> bool:
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


# ----------------------------------------------------------------- flyway


def _repeatable_version(description: str) -> Version:
    """``R__<description>``, unique per description and ordered after every
    numbered version. Built directly because ``Version()`` needs a number."""
    version = Version.__new__(Version)
    version.raw = f"R__{description}"
    version.parts = (sys.maxsize, *description.encode("utf-8"))
    version.order = version.parts
    version.as_text = False
    return version


def _read_flyway(root: Path) -> _Read:
    read = _Read()
    versioned: list[tuple[str, str, Path]] = []  # (raw version, description, V file)
    undo: dict[tuple[int, ...], list[Path]] = defaultdict(list)
    code: dict[str, Path] = {}  # version text -> the class's source (or compiled) file
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if java := _FLYWAY_CODE.match(path.name):
            version = java.group(1).replace("_", ".") if java.group(1) else f"R__{java.group(2)}"
            if version not in code or java.group(3) != "class":
                code[version] = path
        elif repeatable := _FLYWAY_REPEATABLE.match(path.name):
            read.repeatables.append(_flyway_repeatable(path, root, repeatable.group(1)))
        elif match := _FLYWAY_NAME.match(path.name):
            raw_version = match.group(2).replace("_", ".")
            if match.group(1) == "V":
                versioned.append((raw_version, match.group(3), path))
            else:
                undo[Version(raw_version).parts].append(path)
        elif _is_stray_sql(path):
            hint = (
                "name migrations V1__name.sql, undo scripts U1__name.sql, repeatables R__name.sql"
            )
            read.problems.append(_unrecognized(path, root, hint))
    for raw_version, description, path in versioned:
        undo_path = next(iter(undo.pop(Version(raw_version).parts, [])), None)
        read.migrations.append(_flyway_migration(path, root, raw_version, description, undo_path))
    for paths in undo.values():
        for path in paths:
            hint = "an undo script U<n>__name.sql needs its V<n>__name.sql"
            read.problems.append(_unrecognized(path, root, hint))
    read.code.extend(code.items())
    return read


def _flyway_migration(
    path: Path, root: Path, raw_version: str, description: str, undo_path: Path | None
) -> Migration:
    where = _Where(root, path, raw_version)
    problems: list[Problem] = []
    up, source = _whole_file("up", where, problems, _flyway_transactional(path))
    down = None
    if undo_path is not None:
        down, _ = _whole_file(
            "down", where.at(undo_path), problems, _flyway_transactional(undo_path)
        )
    requires = _declared_requires(_all_lines(source), where, problems)
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


def _flyway_repeatable(path: Path, root: Path, description: str) -> Migration:
    version = _repeatable_version(description)
    problems: list[Problem] = []
    where = _Where(root, path, version.raw)
    up, _ = _whole_file("up", where, problems, _flyway_transactional(path))
    return Migration(
        version, description, path, "flyway", up=up, repeatable=True, read_problems=tuple(problems)
    )


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


# ----------------------------------------------------------------- sqitch

_SQITCH_DATE = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
_SQITCH_CHANGE = re.compile(
    r"^(?P<op>[+-]?)(?P<name>[^\s\[\]@#:%+-][^\s\[\]@#:%]*)\s*"
    r"(?:\[(?P<deps>[^\]]*)\]\s*)?"
    rf"(?P<date>{_SQITCH_DATE})\s+[^<]*<[^>]*>\s*(?:#.*)?$"
)
_SQITCH_TAG = re.compile(rf"^@(?P<name>[^\s@#:%]+)\s+{_SQITCH_DATE}\s+[^<]*<[^>]*>\s*(?:#.*)?$")


@dataclass(frozen=True)
class _PlanChange:
    name: str
    deps: tuple[str, ...]
    line: int
    position: int  # 1-based among changes: the version


@dataclass(frozen=True)
class _PlanTag:
    name: str
    line: int
    after: int  # how many changes come before the tag


@dataclass(frozen=True)
class _Plan:
    project: str | None
    changes: tuple[_PlanChange, ...]
    tags: tuple[_PlanTag, ...]


def _read_sqitch(root: Path) -> _Read:
    read = _Read()
    where = _Where(root, root / "sqitch.plan")
    source = _read_source(where)
    if isinstance(source, Problem):
        read.problems.append(source)
        return read
    plan = _parse_plan(source, where, read.problems)
    latest: dict[str, str] = {}  # change name -> version of its newest occurrence so far
    at_tag: dict[str, dict[str, str]] = {}  # tag -> that mapping as it was at the tag
    for change in plan.changes:
        for tag in plan.tags:
            if tag.after == change.position - 1:
                at_tag[tag.name] = dict(latest)
        script = _sqitch_script_name(change, plan, where, read.problems)
        requires = _sqitch_requires(change, plan.project, latest, at_tag, where, read.problems)
        read.migrations.append(_sqitch_migration(root, change, script, requires))
        latest[change.name] = str(change.position)
    return read


def _parse_plan(source: _Source, where: _Where, problems: list[Problem]) -> _Plan:
    project: str | None = None
    changes: list[_PlanChange] = []
    tags: list[_PlanTag] = []
    for index, raw in enumerate(source.lines):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("%"):
            key, _, value = line[1:].partition("=")
            project = value.strip() if key.strip() == "project" else project
        elif tag := _SQITCH_TAG.match(line):
            tags.append(_PlanTag(tag.group("name"), index + 1, len(changes)))
        elif (change := _SQITCH_CHANGE.match(line)) and change.group("op") != "-":
            deps = tuple((change.group("deps") or "").split())
            changes.append(_PlanChange(change.group("name"), deps, index + 1, len(changes) + 1))
        else:
            message = f"not a change or tag line: {line[:60]}"
            hint = "write changes as: name [deps] 2024-01-01T00:00:00Z Your Name <you@example.com> # note"
            problems.append(where.problem("parse_error", message, hint, index + 1))
    return _Plan(project, tuple(changes), tuple(tags))


def _sqitch_script_name(
    change: _PlanChange, plan: _Plan, where: _Where, problems: list[Problem]
) -> str:
    """A reworked change's older scripts are named ``name@tag.sql`` after the
    first tag that follows it; the newest keeps ``name.sql``."""
    later = next(
        (c for c in plan.changes if c.name == change.name and c.position > change.position), None
    )
    if later is None:
        return change.name
    following = next((t for t in plan.tags if t.after >= change.position), None)
    if following is None or following.after >= later.position:
        message = f"change {change.name} appears again on line {later.line} with no tag between"
        hint = "tag the plan before reworking a change (sqitch tag, then sqitch rework)"
        problems.append(
            replace(where, migration=str(later.position)).problem(
                "parse_error", message, hint, later.line
            )
        )
        return change.name
    return f"{change.name}@{following.name}"


def _sqitch_requires(
    change: _PlanChange,
    project: str | None,
    latest: dict[str, str],
    at_tag: dict[str, dict[str, str]],
    where: _Where,
    problems: list[Problem],
) -> tuple[str, ...]:
    """Versions of the changes named in ``[deps]``; conflicts (``!x``) and other
    projects' changes are not prerequisites found in this folder."""
    requires: list[str] = []
    for dep in change.deps:
        if dep.startswith("!"):
            continue
        other_project, sep, name = dep.rpartition(":")
        if sep and other_project != project:
            continue
        name, _, tag = name.partition("@")
        known = at_tag.get(tag, {}) if tag else latest
        if name in known:
            requires.append(known[name])
            continue
        message = f"change {change.name} requires {dep}, which is not earlier in the plan"
        hint = "list only changes (or change@tag) planned before this one"
        problems.append(
            replace(where, migration=str(change.position)).problem(
                "parse_error", message, hint, change.line
            )
        )
    return tuple(requires)


def _sqitch_migration(
    root: Path, change: _PlanChange, script: str, requires: tuple[str, ...]
) -> Migration:
    version = str(change.position)
    deploy = root / "deploy" / f"{script}.sql"
    where = _Where(root, deploy, version)
    problems: list[Problem] = []
    sections: dict[str, Section | None] = {}
    for kind, folder in (("up", "deploy"), ("down", "revert"), ("verify", "verify")):
        path = root / folder / f"{script}.sql"
        if path.is_file():
            sections[kind], _ = _whole_file(kind, where.at(path), problems)
        elif kind == "up":
            message = f"deploy/{script}.sql is missing for change {change.name}"
            hint = f"add deploy/{script}.sql (sqitch add {change.name} creates it)"
            problems.append(where.problem("missing_file", message, hint))
    return Migration(
        Version(version),
        change.name,
        deploy,
        "sqitch",
        up=sections.get("up"),
        down=sections.get("down"),
        verify=sections.get("verify"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


# --------------------------------------------------------- shared checks

# ----------------------------------------------------------------- prisma


def _read_prisma(root: Path) -> _Read:
    read = _Read()
    for folder in _subfolders(root):
        match = _PRISMA_FOLDER.match(folder.name)
        if match is None:
            continue
        if not (folder / "migration.sql").is_file():
            message = f"{folder.name}/ has no migration.sql, so it is not a migration"
            hint = "Prisma keeps each migration in <timestamp>_<name>/migration.sql"
            read.problems.append(_Where(root, folder).problem("missing_file", message, hint))
            continue
        where = _Where(root, folder, folder.name)
        problems: list[Problem] = []
        up, source = _whole_file("up", where.at(folder / "migration.sql"), problems)
        down = None
        if (folder / "down.sql").is_file():  # written by hand (prisma migrate diff)
            down, _ = _whole_file("down", where.at(folder / "down.sql"), problems)
        requires = _declared_requires(
            _all_lines(source), where.at(folder / "migration.sql"), problems
        )
        # Prisma knows a migration by its folder's whole name: two may share a
        # timestamp. The name is the version, and nothing is repeated after it.
        read.migrations.append(
            Migration(
                version_for(folder.name, "prisma"),
                "",
                folder,
                "prisma",
                up=up,
                down=down,
                declared_requires=requires,
                read_problems=tuple(problems),
            )
        )
    for path in _files(root):
        if _is_stray_sql(path):
            hint = "Prisma keeps each migration in <timestamp>_<name>/migration.sql"
            read.problems.append(_unrecognized(path, root, hint))
    return read


# ------------------------------------------------------------------- sqlx


def _read_sqlx(root: Path) -> _Read:
    read = _Read()
    found: dict[tuple[str, str], dict[str, Path]] = defaultdict(dict)
    for path in _files(root):
        match = _SQLX_NAME.match(path.name)
        if match is not None:
            found[(match.group(1), match.group(2))][match.group(3) or "simple"] = path
        elif _is_stray_sql(path):
            hint = "name migrations VERSION_description.sql, or .up.sql and .down.sql pairs"
            read.problems.append(_unrecognized(path, root, hint))
    for (raw_version, name), files in found.items():
        path = files.get("up") or files.get("simple") or files["down"]
        where = _Where(root, path, raw_version)
        problems: list[Problem] = []
        up = down = None
        requires: tuple[str, ...] = ()
        up_path = files.get("up") or files.get("simple")
        if up_path is not None:
            up, source = _whole_file("up", where.at(up_path), problems)
            if up is not None and source is not None:
                up = replace(up, transactional=not _sqlx_no_transaction(source))
            requires = _declared_requires(_all_lines(source), where, problems)
        if "down" in files:
            down, source = _whole_file("down", where.at(files["down"]), problems)
            if down is not None and source is not None:
                down = replace(down, transactional=not _sqlx_no_transaction(source))
        read.migrations.append(
            Migration(
                Version(raw_version),
                name,
                path,
                "sqlx",
                up=up,
                down=down,
                declared_requires=requires,
                read_problems=tuple(problems),
            )
        )
    return read


def _sqlx_no_transaction(source: _Source) -> bool:
    """sqlx runs a migration outside a transaction when its first line is
    ``-- no-transaction``."""
    return bool(source.lines) and source.lines[0].strip() == "-- no-transaction"


_READERS = {
    "native": _read_native,
    "golang-migrate": _read_golang,
    "goose": _read_goose,
    "diesel": _read_diesel,
    "flyway": _read_flyway,
    "sqitch": _read_sqitch,
    "prisma": _read_prisma,
    "sqlx": _read_sqlx,
}

_DOWN_HINTS = {
    "native": "add a -- migrate:down section that undoes the up section",
    "golang-migrate": "add N_name.down.sql that undoes the up file",
    "goose": "add a -- +goose Down section that undoes the up section",
    "diesel": "write down.sql so that it undoes up.sql",
    "flyway": "add an undo script U<version>__name.sql",
    "sqitch": "add a revert/ script for the change",
    "prisma": "Prisma writes no down migrations; add down.sql to the folder by hand if it must roll back",
    "sqlx": "add VERSION_name.down.sql (and rename the up file VERSION_name.up.sql)",
}


def _finish(root: Path, layout: str, read: _Read) -> LoadResult:
    if layout == "sqitch":
        ordered = list(read.migrations)  # plan order is the run order
    else:
        ordered = sorted(read.migrations, key=lambda m: (m.version.order, m.version.raw, m.name))
    migrations = tuple(_with_content_checks(m, root) for m in ordered)
    repeatables = tuple(
        _with_content_checks(m, root) for m in sorted(read.repeatables, key=lambda m: m.version)
    )
    problems = [p for m in migrations + repeatables for p in m.read_problems]
    problems.extend(_duplicate_versions(migrations, root))
    problems.extend(read.problems)
    code = sorted(read.code, key=lambda c: (_code_version(c[0], layout), c[1]))
    problems.extend(_code_migration(root, layout, raw, path) for raw, path in code)
    return LoadResult(
        layout=layout,
        root=root,
        migrations=migrations,
        repeatables=repeatables,
        problems=tuple(problems),
        assumed=TOOL_OBJECTS[layout],
        code_migrations=tuple((raw, _relative(path, root)) for raw, path in code),
    )


def _code_version(raw: str, layout: str) -> Version:
    return _repeatable_version(raw[3:]) if raw.startswith("R__") else version_for(raw, layout)


_CODE_LANGUAGE = {".go": "Go", ".java": "Java", ".kt": "Kotlin", ".class": "Java"}


def _code_migration(root: Path, layout: str, raw: str, path: Path) -> Problem:
    """A migration written in code runs in its place among the SQL ones, unseen."""
    language = _CODE_LANGUAGE.get(path.suffix, "code")
    when = (
        "after the versioned migrations, whenever it changes"
        if raw.startswith("R__")
        else f"as version {raw}, in its place between the SQL migrations"
    )
    message = (
        f"{path.name} is a {language} migration: {layout} runs it {when}, "
        "and migtui cannot see what it does"
    )
    hint = (
        "if a later migration needs what it creates, add those objects to assume; "
        "or write the migration in SQL"
    )
    return _Where(root, path, raw).problem("code_migration", message, hint)


def _with_content_checks(migration: Migration, root: Path) -> Migration:
    """Add empty-up and missing-down warnings, unless a file could not be read
    (then the error already says all there is to say)."""
    if any(p.kind in ("unreadable_file", "missing_file") for p in migration.read_problems):
        return migration
    where = _Where(root, migration.path, str(migration.version))
    found: list[Problem] = []
    up = migration.up
    if up is None or not _has_sql(up.text):
        message = f"{migration.label} has no SQL to run in its up section"
        hint = "write the change, or delete the migration if it is not needed"
        line = up.start_line if up is not None else None
        found.append(
            where.at(up.path if up else migration.path).problem(
                "empty_migration", message, hint, line
            )
        )
    down = migration.down
    # Prisma writes no down migrations at all: saying so for each would be noise
    # (a rollback says it when asked).
    no_downs_by_design = migration.layout == "prisma" and down is None
    if (
        not migration.repeatable
        and not no_downs_by_design
        and (down is None or not _has_sql(down.text))
    ):
        if down is None:
            message = f"{migration.label} has no down SQL, so it cannot be rolled back"
            hint = _DOWN_HINTS[migration.layout]
        else:
            message = (
                f"{migration.label} has an empty down section: rolling it back only marks "
                "it pending and undoes nothing"
            )
            hint = "write the SQL that undoes the up section, if it made anything"
        line = down.start_line if down is not None else None
        found.append(
            where.at(down.path if down else migration.path).problem(
                "missing_down", message, hint, line
            )
        )
    return replace(migration, read_problems=migration.read_problems + tuple(found))


def _duplicate_versions(migrations: tuple[Migration, ...], root: Path) -> list[Problem]:
    groups: dict[Version, list[Migration]] = defaultdict(list)
    for migration in migrations:
        groups[migration.version].append(migration)
    problems = []
    for group in (g for g in groups.values() if len(g) > 1):
        files = ", ".join(_relative(m.path, root) for m in group)
        message = f"version {group[0].version} is used by {len(group)} migrations: {files}"
        hint = "give each migration its own version (renumber all but one)"
        where = _Where(root, group[1].path, str(group[0].version))
        problems.append(where.problem("duplicate_version", message, hint))
    return problems
