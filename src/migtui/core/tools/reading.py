"""What every layout's reader shares: decoding a file (UTF-8, BOM stripped,
the first bad byte named), placing each section in its file (line and byte
offset), listing a folder, reading ``-- requires:`` lines, and the problems
found while reading. Each tool's module reads its own folders with these.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from itertools import accumulate
from pathlib import Path

from migtui.core.model import (
    Migration,
    ObjectRef,
    Problem,
    Section,
    Severity,
)
from migtui.core.statements import SplitError, mask

SEVERITY = {
    "duplicate_version": Severity.ERROR,
    "unreadable_file": Severity.ERROR,
    "missing_file": Severity.ERROR,
    "parse_error": Severity.ERROR,
    "empty_migration": Severity.WARNING,
    "missing_down": Severity.WARNING,
    "unrecognized_file": Severity.WARNING,
    "mixed_layout": Severity.ERROR,
    "missing_up": Severity.ERROR,
    "code_migration": Severity.WARNING,
    "template_condition": Severity.WARNING,
    "baseline_migration": Severity.WARNING,
}

#: Files that sit next to migrations and are not migrations: never reported.
KNOWN_NON_MIGRATIONS = frozenset({"schema.sql", "structure.sql", "seed.sql", "seeds.sql"})
LEADING_VERSION = re.compile(r"^\d+(?:[._]\d+)*")
REQUIRES = re.compile(r"^\s*--\s*requires:(.*)$", re.IGNORECASE)

UTF8_BOM = b"\xef\xbb\xbf"


#: Files detection has read already, for the reader to take instead of reading
#: them again (only while ``load`` runs).
PREREAD: ContextVar[dict[Path, bytes] | None] = ContextVar("preread", default=None)


@dataclass
class Read:
    """What a layout reader found, before the shared checks."""

    migrations: list[Migration] = field(default_factory=list)
    repeatables: list[Migration] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: (version as text, path) of migrations written in code
    code: list[tuple[str, Path]] = field(default_factory=list)
    #: The search_path each migration starts with, as its tool runs it.
    search_path: tuple[str, ...] = ("public",)
    #: Objects the tool makes before the first migration, beyond its usual ledger
    #: (flyway's configured schemas).
    assumed: tuple[ObjectRef, ...] = ()
    #: The environment's variables the reading looked up, with their values
    #: (None: unset): Liquibase's placeholders take values from there.
    environment: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Where:
    """The file (and migration) that problems found while reading it belong to."""

    root: Path
    path: Path
    migration: str | None = None

    def problem(self, kind: str, message: str, hint: str, line: int | None = None) -> Problem:
        return Problem(
            kind=kind,
            severity=SEVERITY[kind],
            message=message,
            hint=hint,
            migration=self.migration,
            file=relative(self.path, self.root),
            line=line,
        )

    def at(self, path: Path) -> Where:
        return replace(self, path=path)


@dataclass(frozen=True)
class Source:
    """A decoded file, with where each line starts, for cutting sections out of it."""

    path: Path
    text: str
    bom: int
    line_starts: tuple[int, ...]
    #: The lines without their line ends, split once: readers look at them often.
    lines: tuple[str, ...]

    @classmethod
    def of(cls, path: Path, text: str, bom: int) -> Source:
        raw = text.split("\n")
        starts = (0, *accumulate(len(line) + 1 for line in raw[:-1]))
        lines = tuple(line.rstrip("\r") for line in raw) if "\r" in text else tuple(raw)
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
            start_offset=self.bom + (a if self.text.isascii() else len(self.text[:a].encode())),
            **flags,
        )


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_source(where: Where) -> Source | Problem:
    """Decode a file as UTF-8 (BOM stripped), or say why it cannot be read."""
    hint = "save the file as UTF-8 text (no binary content)"
    if where.path.is_symlink() and outside(where.path, where.root):
        message = "is a link to a file outside the migrations folder: it is not read"
        hint = "copy the migration into the folder (a link may not lead out of it)"
        return where.problem("unreadable_file", message, hint)
    kept = PREREAD.get()
    try:
        data = kept.pop(where.path) if kept and where.path in kept else where.path.read_bytes()
    except OSError as exc:
        if isinstance(exc, PermissionError):
            hint = "let the user migtui runs as read the file (its permissions or owner)"
        elif isinstance(exc, FileNotFoundError):
            hint = "point the link at the migration's file, or remove the link"
        else:
            hint = "check the file and the disk it is on"
        return where.problem("unreadable_file", f"cannot be read: {exc.strerror or exc}", hint)
    bom = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
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
    return Source.of(where.path, text, bom)


def whole_file(
    kind: str, where: Where, problems: list[Problem], transactional: bool = True
) -> tuple[Section | None, Source | None]:
    """A file that is one section (golang-migrate, diesel, flyway, sqitch)."""
    source = read_source(where)
    if isinstance(source, Problem):
        problems.append(source)
        return None, None
    return source.section(kind, 0, None, transactional=transactional), source


_SQL_LINE = re.compile(r"^[ \t]*(?!--|\\|[;\s]*$)\S", re.MULTILINE)


def has_sql(text: str) -> bool:
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


def first_sql_line(source: Source, end: int) -> int | None:
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
            if not e.name.startswith(".")
            and (e.is_dir() if want_dirs else e.is_file() or _dangling(e))
        )
    return [root / name for name in names]


def peek(path: Path) -> bytes | None:
    """A file's bytes, to tell layouts apart by their markers: read once per
    load and kept in PREREAD for its reader. None for a link leading out of
    the folder (never read, not even to look) or a file that cannot be read."""
    kept = PREREAD.get()
    if kept is not None and path in kept:
        return kept[path]
    if path.is_symlink() and outside(path, path.parent):
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if kept is not None:
        kept[path] = data
    return data


def outside(path: Path, root: Path) -> bool:
    """Whether ``path`` (a link, say) resolves outside the migrations folder."""
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return True


def _dangling(entry: os.DirEntry) -> bool:
    """A link to nothing: listed with the files, so reading it says so (a
    migration that silently never runs is worse than an error)."""
    return entry.is_symlink() and not os.path.exists(entry.path)


def files_in(root: Path) -> list[Path]:
    return _entries(root, want_dirs=False)


def folders_in(root: Path) -> list[Path]:
    return _entries(root, want_dirs=True)


#: Names other layouts give migrations (and the layouts whose own they are):
#: found in a folder read as another layout, such a file is a migration that
#: would silently never run.
_OTHER_LAYOUTS = (
    (re.compile(r"^\d+[_-].+\.sql$"), frozenset({"native", "goose", "sqlx"})),
    (re.compile(r"^[VUR]\d*(?:[._]\d+)*__.+\.sql$", re.I), frozenset({"flyway", "refinery"})),
)


def _another_layouts(name: str, layout: str) -> frozenset[str]:
    """The layouts whose migrations are named as ``name`` is, when ``layout`` is
    not one of them."""
    for shape, own in _OTHER_LAYOUTS:
        if shape.match(name) and layout not in own:
            return own
    return frozenset()


def unrecognized(path: Path, root: Path, hint: str, layout: str = "") -> Problem:
    others = _another_layouts(path.name, layout)
    if others:
        *rest, last = sorted(others)
        named = f"{', '.join(rest)} or {last}" if rest else last
        message = (
            f"{path.name} is named like a {named} migration, but this folder is read as "
            f"{layout or 'another layout'}, whose tool skips it: it would never run"
        )
        hint = f"{hint}; or move it to a folder of its own layout"
        return Where(root, path).problem("mixed_layout", message, hint)
    message = f"{path.name} is not named like a migration, so it is never run"
    return Where(root, path).problem("unrecognized_file", message, hint)


def named_files(root: Path, pattern: re.Pattern[str], read: Read, hint: str, layout: str):
    """(path, match) of each file of ``root`` named as ``pattern`` says; a
    stray .sql file is reported in ``read`` with ``hint`` (how to name one)."""
    for path in files_in(root):
        match = pattern.match(path.name)
        if match is not None:
            yield path, match
        elif is_stray_sql(path):
            read.problems.append(unrecognized(path, root, hint, layout))


def is_stray_sql(path: Path) -> bool:
    return path.suffix.lower() == ".sql" and path.name.lower() not in KNOWN_NON_MIGRATIONS


def declared_requires(
    lines: Iterable[tuple[int, str]], where: Where, problems: list[Problem]
) -> tuple[str, ...]:
    """Versions named by ``-- requires:`` among (0-based index, text) lines."""
    found: list[str] = []
    for index, line in lines:
        match = REQUIRES.match(line) if "--" in line else None
        if not match:
            continue
        for token in filter(None, re.split(r"[,\s]+", match.group(1))):
            leading = LEADING_VERSION.match(token)
            if leading is None:
                message = f"-- requires: {token!r} is not a migration version"
                hint = "list versions, e.g. -- requires: 0008 0013_5"
                problems.append(where.problem("parse_error", message, hint, index + 1))
            elif leading.group(0) not in found:
                found.append(leading.group(0))
    return tuple(found)


def all_lines(source: Source | None) -> list[tuple[int, str]]:
    return list(enumerate(source.lines)) if source is not None else []


def sql_before(source: Source, end: int, where: Where, marker: str) -> list[Problem]:
    index = first_sql_line(source, end)
    if index is None:
        return []
    message = f"SQL before {marker} is never run"
    return [where.problem("parse_error", message, f"move it below {marker}", index + 1)]


def paired_migration(
    root: Path,
    raw_version: str,
    name: str,
    files: dict[str, Path],
    layout: str,
    transactional: Callable[[Path], bool] = lambda path: True,
) -> Migration:
    """A migration whose up and down are files of their own (golang-migrate's
    ``1_x.up.sql`` and ``1_x.down.sql``, Migratus's), ``files`` by direction;
    ``transactional`` says of each file whether its tool runs it in a
    transaction."""
    from migtui.core.versions import Version

    path = files.get("up") or files["down"]
    where = Where(root, path, raw_version)
    problems: list[Problem] = []
    sections: dict[str, Section | None] = {"up": None, "down": None}
    requires: tuple[str, ...] = ()
    for direction in ("up", "down"):
        if direction in files:
            found = files[direction]
            sections[direction], source = whole_file(
                direction, where.at(found), problems, transactional=transactional(found)
            )
            if direction == "up":
                requires = declared_requires(all_lines(source), where, problems)
    return Migration(
        Version(raw_version),
        name,
        path,
        layout,
        up=sections["up"],
        down=sections["down"],
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def objects_made_by(text: str) -> tuple[ObjectRef, ...]:
    """What a SQL script a tool runs before the migrations makes and leaves
    (Graphile Migrate's ``afterReset``, flyway's ``beforeMigrate.sql``): for
    the migrations, those objects are there before the first of them. A
    script the grammar refuses in part still gives what the rest makes."""
    from migtui.core.facts import DROP, PROVIDE, RENAME
    from migtui.core.objects import analyze_script
    from migtui.core.statements import split

    try:
        statements = split(text).statements
    except SplitError:
        return ()
    made: dict[tuple, ObjectRef] = {}
    for eff in analyze_script(statements).effects:
        if eff.ref is None:
            continue
        if eff.action == PROVIDE:
            made[eff.ref.key] = eff.ref
        elif eff.action == DROP:
            made.pop(eff.ref.key, None)
        elif eff.action == RENAME and eff.ref.key in made and eff.new is not None:
            del made[eff.ref.key]
            made[eff.new.key] = eff.new
    return tuple(made.values())


def cargo_depends_on(root: Path, crate: str) -> bool:
    """Whether ``root`` belongs to a Rust crate (or workspace) whose Cargo.toml,
    the nearest in the folder or up to four levels above, depends on ``crate``:
    ``crate = "0.8"``, ``crate.workspace = true`` or a ``[dependencies.crate]``
    table, among any kind of dependencies."""
    written = re.compile(
        rf"(?m)^\s*(?:{crate}\b|\[(?:[^\]]*\.)?(?:dev-|build-)?dependencies\.{crate}\s*\])"
    )
    for folder in [root.resolve(), *list(root.resolve().parents)[:4]]:
        cargo = folder / "Cargo.toml"
        if cargo.is_file():
            try:
                return written.search(cargo.read_text("utf-8", "replace")) is not None
            except OSError:
                return False
    return False
