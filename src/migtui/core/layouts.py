"""Reading a migration folder in any of six layouts into ``Migration`` values.

Each layout is read by its own small reader; what they share is here too:
decoding files (UTF-8, BOM stripped, the first bad byte named), placing each
section in its file (line and byte offset), and the checks every layout gets
(duplicate versions, empty up, missing down). A broken file becomes a
``Problem``; it never stops the rest of the folder being read.

Layouts and their naming rules:

* ``native`` (dbmate-compatible): ``0001_users.sql``, ``0013_5_base_tables.sql``,
  ``20240101120000_add_x.sql``. The version is the leading run of digit groups
  joined by ``_``: every all-digit group right after the version belongs to it,
  so ``0013_5_base_tables`` is version ``0013_5``, name ``base_tables``.
  Sections: ``-- migrate:up [transaction:false]``, ``-- migrate:down``,
  ``-- migrate:verify``; a file without markers is all up.
  ``-- requires: 0008 0013_5`` declares prerequisites.
* ``golang-migrate``: ``1_users.up.sql`` and ``1_users.down.sql``.
* ``goose``: ``00001_users.sql`` with ``-- +goose Up`` / ``-- +goose Down``.
* ``diesel``: folders ``2024-01-01-120000_users/`` (or ``20170309122510_users/``)
  holding ``up.sql``, ``down.sql`` and maybe ``metadata.toml``. The version is
  the folder name before the first ``_`` with dashes removed, as diesel records it.
* ``flyway``: ``V1__x.sql``, ``V1.1__x.sql``, ``V1_1__x.sql`` (``_`` in a version
  is ``.``), ``U1__x.sql`` undoes V1, ``R__x.sql`` are repeatables. A repeatable's
  version text is ``R__<description>``; it sorts after every numbered version.
* ``sqitch``: ``sqitch.plan`` with ``deploy/``, ``revert/``, ``verify/`` scripts.
  The version is the change's position in the plan (``1``, ``2``, …).
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from migtui.core.model import FUNCTION, TABLE, Migration, ObjectRef, Problem, Section, Severity
from migtui.core.statements import SplitError, mask
from migtui.core.versions import Version

LAYOUTS = ("native", "golang-migrate", "goose", "diesel", "flyway", "sqitch")

#: Files that sit next to migrations and are not migrations: never reported.
_KNOWN_NON_MIGRATIONS = frozenset({"schema.sql", "structure.sql", "seed.sql", "seeds.sql"})

_NATIVE_NAME = re.compile(r"^(\d+(?:_\d+)*)(?:_(.*))?\.sql$")
_GOLANG_NAME = re.compile(r"^(\d+)_(.*)\.(up|down)\.sql$")
_FLYWAY_NAME = re.compile(r"^([VU])(\d+(?:[._]\d+)*)__(.*)\.sql$")
_FLYWAY_REPEATABLE = re.compile(r"^R__(.*)\.sql$")
_DIESEL_FOLDER = re.compile(r"^(\d[\d-]*)_(.*)$")
_LEADING_VERSION = re.compile(r"^\d+(?:[._]\d+)*")

_MIGRATE_MARKER = re.compile(r"^\s*--\s*migrate:(\S*)(.*)$")
_GOOSE_MARKER = re.compile(r"^\s*--\s*\+goose\b(.*)$", re.IGNORECASE)
_REQUIRES = re.compile(r"^\s*--\s*requires:(.*)$", re.IGNORECASE)
_GOOSE_UP_BYTES = re.compile(rb"(?im)^[ \t]*--[ \t]*\+goose[ \t]+up\b")
_MIGRATE_BYTES = re.compile(rb"(?m)^[ \t]*--[ \t]*migrate:")

_UTF8_BOM = b"\xef\xbb\xbf"

#: What diesel's own setup migration and CLI create, so nothing is reported
#: missing when a migration calls them.
DIESEL_ASSUMED = (
    ObjectRef(FUNCTION, "public", "diesel_manage_updated_at", args="regclass"),
    ObjectRef(FUNCTION, "public", "diesel_set_updated_at", args=""),
    ObjectRef(TABLE, "public", "__diesel_schema_migrations"),
)


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
    #: Objects the layout's own tool creates (diesel's helpers and ledger table).
    assumed: tuple[ObjectRef, ...] = ()


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
    found = _detect(root)
    if found is None:
        raise LayoutError(
            f"{root}: no migrations found; expected files like 0001_name.sql (native/dbmate), "
            "1_name.up.sql (golang-migrate), V1__name.sql (flyway), "
            "2024-01-01-120000_name/up.sql (diesel) or a sqitch.plan"
        )
    return found


def load(root: Path, layout: str | None = None) -> LoadResult:
    """Read every migration in ``root``, detecting the layout unless one is given."""
    root = Path(root)
    _check_folder(root)
    if layout is None:
        layout = detect_layout(root)
    elif layout not in LAYOUTS:
        raise LayoutError(f"{root}: unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    read = _READERS[layout](root)
    if not read.migrations and not read.repeatables:
        _refuse_forced_mismatch(root, layout)
    return _finish(root, layout, read)


# ------------------------------------------------------------------ detection


def _check_folder(root: Path) -> None:
    if not root.exists():
        raise LayoutError(f"{root}: migration folder does not exist")
    if not root.is_dir():
        raise LayoutError(f"{root}: is a file, not a migration folder")


def _detect(root: Path) -> str | None:
    if (root / "sqitch.plan").is_file():
        return "sqitch"
    if any(_diesel_folder(p) for p in _subfolders(root)):
        return "diesel"
    files = _files(root)
    names = [p.name for p in files]
    if any(_FLYWAY_NAME.match(n) or _FLYWAY_REPEATABLE.match(n) for n in names):
        return "flyway"
    if any(_GOLANG_NAME.match(n) for n in names):
        return "golang-migrate"
    versioned = [p for p in files if _NATIVE_NAME.match(p.name)]
    if not versioned:
        return None
    return "goose" if _looks_like_goose(versioned) else "native"


def _looks_like_goose(paths: Iterable[Path]) -> bool:
    """Goose and native files are named alike; their markers tell them apart."""
    goose = native = 0
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        goose += bool(_GOOSE_UP_BYTES.search(data))
        native += bool(_MIGRATE_BYTES.search(data))
    return goose > native


def _refuse_forced_mismatch(root: Path, layout: str) -> None:
    """A forced layout that finds nothing while another layout fits is a mistake;
    an empty folder is a new project and fine."""
    found = _detect(root)
    if found is not None and found != layout:
        raise LayoutError(
            f"{root}: no {layout} migrations here ({_LAYOUT_SHAPES[layout]}); "
            f"the folder looks like {found}"
        )


_LAYOUT_SHAPES = {
    "native": "files like 0001_name.sql",
    "golang-migrate": "files like 1_name.up.sql and 1_name.down.sql",
    "goose": "files like 00001_name.sql with -- +goose Up",
    "diesel": "folders like 2024-01-01-120000_name/up.sql",
    "flyway": "files like V1__name.sql",
    "sqitch": "a sqitch.plan file",
}


# ----------------------------------------------------------- shared reading


@dataclass
class _Read:
    """What a layout reader found, before the shared checks."""

    migrations: list[Migration] = field(default_factory=list)
    repeatables: list[Migration] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    assumed: tuple[ObjectRef, ...] = ()


@dataclass(frozen=True)
class _Source:
    """A decoded file, with where each line starts (characters) for slicing sections."""

    path: Path
    text: str
    bom: int
    line_starts: tuple[int, ...]

    @classmethod
    def of(cls, path: Path, text: str, bom: int) -> _Source:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
        return cls(path, text, bom, tuple(starts))

    @property
    def lines(self) -> list[str]:
        return [line.rstrip("\r") for line in self.text.split("\n")]

    def _char_at_line(self, index: int) -> int:
        return self.line_starts[index] if index < len(self.line_starts) else len(self.text)

    def section(self, kind: str, first: int, end: int | None = None, **flags: bool) -> Section:
        """Section made of lines ``first`` (0-based) up to ``end`` (exclusive)."""
        a = self._char_at_line(first)
        b = len(self.text) if end is None else self._char_at_line(end)
        return Section(
            kind=kind,
            path=self.path,
            text=self.text[a:b],
            start_line=first + 1,
            start_offset=self.bom + len(self.text[:a].encode("utf-8")),
            **flags,
        )

    def whole(self, kind: str, **flags: bool) -> Section:
        return self.section(kind, 0, None, **flags)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _problem(
    kind: str,
    severity: Severity,
    message: str,
    hint: str,
    *,
    root: Path,
    path: Path | None = None,
    migration: str | None = None,
    line: int | None = None,
) -> Problem:
    return Problem(
        kind=kind,
        severity=severity,
        message=message,
        hint=hint,
        migration=migration,
        file=_relative(path, root) if path is not None else None,
        line=line,
    )


def _read_source(path: Path, root: Path, migration: str | None) -> _Source | Problem:
    """Decode a file as UTF-8 (BOM stripped), or say why it cannot be read."""
    rel = _relative(path, root)

    def unreadable(message: str) -> Problem:
        return _problem(
            "unreadable_file",
            Severity.ERROR,
            message,
            "save the file as UTF-8 text (no binary content)",
            root=root,
            path=path,
            migration=migration,
        )

    try:
        data = path.read_bytes()
    except OSError as exc:
        return unreadable(f"{rel}: cannot be read ({exc.strerror or exc})")
    bom = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    nul = data.find(b"\x00", bom)
    if nul != -1:
        return unreadable(f"{rel}: binary content (NUL byte at byte offset {nul})")
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        return unreadable(f"{rel}: not UTF-8 (byte 0x{data[offset]:02x} at byte offset {offset})")
    return _Source.of(path, text, bom)


def _has_sql(text: str) -> bool:
    """True when the text holds anything but comments, blanks and semicolons."""
    try:
        masked, _ = mask(text)
    except SplitError:
        return True  # an unterminated quote is still content; the splitter reports it
    return bool(masked.strip(" \t\r\n;"))


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("."))


def _subfolders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _unrecognized(path: Path, root: Path, hint: str) -> Problem:
    return _problem(
        "unrecognized_file",
        Severity.WARNING,
        f"{_relative(path, root)}: not named like a migration, so it is never run",
        hint,
        root=root,
        path=path,
    )


def _is_stray_sql(path: Path) -> bool:
    return path.suffix.lower() == ".sql" and path.name.lower() not in _KNOWN_NON_MIGRATIONS


def _declared_requires(
    source: _Source, first: int, end: int, root: Path, version: str
) -> tuple[tuple[str, ...], list[Problem]]:
    """Versions named by ``-- requires:`` lines among lines [first, end)."""
    found: list[str] = []
    problems: list[Problem] = []
    for index, line in enumerate(source.lines[first:end], start=first):
        match = _REQUIRES.match(line)
        if not match:
            continue
        for token in filter(None, re.split(r"[,\s]+", match.group(1))):
            leading = _LEADING_VERSION.match(token)
            if leading is None:
                problems.append(
                    _problem(
                        "parse_error",
                        Severity.ERROR,
                        f"-- requires: {token!r} is not a migration version",
                        "list versions, e.g. -- requires: 0008 0013_5",
                        root=root,
                        path=source.path,
                        migration=version,
                        line=index + 1,
                    )
                )
            elif leading.group(0) not in found:
                found.append(leading.group(0))
    return tuple(found), problems


# ----------------------------------------------------------------- native


def _read_native(root: Path) -> _Read:
    read = _Read()
    for path in _files(root):
        match = _NATIVE_NAME.match(path.name)
        if match is None:
            if _is_stray_sql(path):
                read.problems.append(
                    _unrecognized(
                        path,
                        root,
                        "name migrations VERSION_name.sql, e.g. 0015_add_index.sql "
                        "or 20240101120000_add_index.sql",
                    )
                )
            continue
        read.migrations.append(_native_migration(path, root, match.group(1), match.group(2)))
    return read


def _native_migration(path: Path, root: Path, raw_version: str, name: str | None) -> Migration:
    migration = Migration(Version(raw_version), name or "", path, "native")
    source = _read_source(path, root, raw_version)
    if isinstance(source, Problem):
        return replace(migration, read_problems=(source,))

    problems: list[Problem] = []
    markers: list[tuple[int, str, bool]] = []  # (line index, kind, transactional)
    for index, line in enumerate(source.lines):
        match = _MIGRATE_MARKER.match(line)
        if match is None:
            continue
        marker = _native_marker(match, source, index, root, raw_version)
        if isinstance(marker, Problem):
            problems.append(marker)
        elif any(kind == marker[0] for _, kind, _ in markers):
            problems.append(
                _marker_problem(
                    f"-- migrate:{marker[0]} appears twice",
                    "keep one marker per section",
                    source,
                    index,
                    root,
                    raw_version,
                )
            )
        else:
            markers.append((index, *marker))

    sections: dict[str, Section] = {}
    if not markers:
        sections["up"] = source.whole("up")
        header_end = 0
    else:
        header_end = markers[0][0]
        problems.extend(_sql_before_markers(source, header_end, root, raw_version, "migrate:up"))
        bounds = [index for index, _, _ in markers] + [None]
        for (index, kind, transactional), end in zip(markers, bounds[1:], strict=True):
            sections[kind] = source.section(kind, index + 1, end, transactional=transactional)

    requires_end = _requires_region_end(markers, len(source.line_starts))
    requires, requires_problems = _declared_requires(source, 0, requires_end, root, raw_version)
    problems.extend(requires_problems)
    return replace(
        migration,
        up=sections.get("up"),
        down=sections.get("down"),
        verify=sections.get("verify"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def _requires_region_end(markers: list[tuple[int, str, bool]], line_count: int) -> int:
    """``-- requires:`` is read in the header and the up section, nowhere else."""
    for position, (_, kind, _) in enumerate(markers):
        if kind == "up":
            return markers[position + 1][0] if position + 1 < len(markers) else line_count
    return markers[0][0] if markers else line_count


def _native_marker(
    match: re.Match[str], source: _Source, index: int, root: Path, version: str
) -> tuple[str, bool] | Problem:
    kind, options = match.group(1), match.group(2).split()
    if kind not in ("up", "down", "verify"):
        return _marker_problem(
            f"unknown marker -- migrate:{kind}",
            "use -- migrate:up, -- migrate:down or -- migrate:verify",
            source,
            index,
            root,
            version,
        )
    transactional = True
    for option in options:
        if option.lower() in ("transaction:false", "transaction:true"):
            transactional = option.lower() == "transaction:true"
        else:
            return _marker_problem(
                f"unknown option {option!r} on -- migrate:{kind}",
                "the only option is transaction:false",
                source,
                index,
                root,
                version,
            )
    return kind, transactional


def _marker_problem(
    message: str, hint: str, source: _Source, index: int, root: Path, version: str
) -> Problem:
    return _problem(
        "parse_error",
        Severity.ERROR,
        message,
        hint,
        root=root,
        path=source.path,
        migration=version,
        line=index + 1,
    )


def _sql_before_markers(
    source: _Source, header_end: int, root: Path, version: str, first_marker: str
) -> list[Problem]:
    header = source.section("header", 0, header_end).text
    try:
        masked, _ = mask(header)
    except SplitError:
        masked = header
    for index, line in enumerate(masked.split("\n")):
        if line.strip(" \t\r;"):
            message = f"SQL before -- {first_marker} is never run"
            hint = f"move it below -- {first_marker}"
            return [_marker_problem(message, hint, source, index, root, version)]
    return []


# ----------------------------------------------------------- golang-migrate


def _read_golang(root: Path) -> _Read:
    read = _Read()
    pairs: dict[tuple[str, str], dict[str, Path]] = defaultdict(dict)
    for path in _files(root):
        match = _GOLANG_NAME.match(path.name)
        if match is None:
            if _is_stray_sql(path):
                read.problems.append(
                    _unrecognized(path, root, "name migrations N_name.up.sql and N_name.down.sql")
                )
            continue
        pairs[(match.group(1), match.group(2))][match.group(3)] = path
    for (raw_version, name), files in pairs.items():
        read.migrations.append(_golang_migration(root, raw_version, name, files))
    return read


def _golang_migration(root: Path, raw_version: str, name: str, files: dict[str, Path]) -> Migration:
    path = files.get("up") or files["down"]
    migration = Migration(Version(raw_version), name, path, "golang-migrate")
    problems: list[Problem] = []
    sections: dict[str, Section] = {}
    requires: tuple[str, ...] = ()
    for kind, file in files.items():
        source = _read_source(file, root, raw_version)
        if isinstance(source, Problem):
            problems.append(source)
            continue
        sections[kind] = source.whole(kind)
        if kind == "up":
            requires, found = _declared_requires(
                source, 0, len(source.line_starts), root, raw_version
            )
            problems.extend(found)
    return replace(
        migration,
        up=sections.get("up"),
        down=sections.get("down"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


# ------------------------------------------------------------------ goose


def _read_goose(root: Path) -> _Read:
    read = _Read()
    for path in _files(root):
        match = _NATIVE_NAME.match(path.name)
        if match is None:
            if path.suffix == ".go" and re.match(r"^\d+_", path.name):
                read.problems.append(
                    _unrecognized(path, root, "Go migrations cannot be run here; port it to SQL")
                )
            elif _is_stray_sql(path):
                read.problems.append(
                    _unrecognized(path, root, "name migrations NNNNN_name.sql, e.g. 00015_x.sql")
                )
            continue
        read.migrations.append(_goose_migration(path, root, match.group(1), match.group(2)))
    return read


def _goose_migration(path: Path, root: Path, raw_version: str, name: str | None) -> Migration:
    migration = Migration(Version(raw_version), name or "", path, "goose")
    source = _read_source(path, root, raw_version)
    if isinstance(source, Problem):
        return replace(migration, read_problems=(source,))

    problems: list[Problem] = []
    markers: dict[str, int] = {}
    transactional = True
    open_block: int | None = None
    for index, line in enumerate(source.lines):
        match = _GOOSE_MARKER.match(line)
        if match is None:
            continue
        word = " ".join(match.group(1).split()).upper()

        def fail(message: str, hint: str, at: int = index) -> None:
            problems.append(_marker_problem(message, hint, source, at, root, raw_version))

        if word in ("UP", "DOWN"):
            if open_block is not None:
                fail(
                    "-- +goose StatementBegin has no StatementEnd",
                    "add -- +goose StatementEnd",
                    open_block,
                )
                open_block = None
            if word.lower() in markers:
                fail(f"-- +goose {word.title()} appears twice", "keep one marker per section")
            else:
                markers[word.lower()] = index
        elif word == "STATEMENTBEGIN":
            if open_block is not None:
                fail(
                    "-- +goose StatementBegin inside another block",
                    "close the first block with -- +goose StatementEnd",
                )
            open_block = index
        elif word == "STATEMENTEND":
            if open_block is None:
                fail(
                    "-- +goose StatementEnd without StatementBegin",
                    "add -- +goose StatementBegin before the statement",
                )
            open_block = None
        elif word == "NO TRANSACTION":
            transactional = False
        elif word not in ("ENVSUB ON", "ENVSUB OFF"):
            fail(
                f"unknown annotation -- +goose {match.group(1).strip()}",
                "goose knows Up, Down, StatementBegin, StatementEnd, NO TRANSACTION, ENVSUB ON/OFF",
            )
    if open_block is not None:
        problems.append(
            _marker_problem(
                "-- +goose StatementBegin has no StatementEnd",
                "add -- +goose StatementEnd after the statement",
                source,
                open_block,
                root,
                raw_version,
            )
        )

    sections: dict[str, Section] = {}
    if "up" not in markers:
        problems.append(
            _marker_problem(
                "no -- +goose Up annotation, so nothing would run",
                "start the migration with -- +goose Up",
                source,
                0,
                root,
                raw_version,
            )
        )
    ordered = sorted(markers.items(), key=lambda item: item[1])
    if ordered:
        problems.extend(_sql_before_markers(source, ordered[0][1], root, raw_version, "+goose Up"))
    ends = [index for _, index in ordered[1:]] + [None]
    for (kind, index), end in zip(ordered, ends, strict=True):
        sections[kind] = source.section(kind, index + 1, end, transactional=transactional)

    up_end = markers["down"] if markers.get("down", -1) > markers.get("up", 0) else None
    requires, found = _declared_requires(
        source, 0, up_end if up_end is not None else len(source.line_starts), root, raw_version
    )
    problems.extend(found)
    return replace(
        migration,
        up=sections.get("up"),
        down=sections.get("down"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


# ----------------------------------------------------------------- diesel


def _diesel_folder(path: Path) -> re.Match[str] | None:
    match = _DIESEL_FOLDER.match(path.name)
    return match if match and (path / "up.sql").is_file() else None


def _read_diesel(root: Path) -> _Read:
    read = _Read(assumed=DIESEL_ASSUMED)
    for folder in _subfolders(root):
        match = _DIESEL_FOLDER.match(folder.name)
        if match is None:
            continue
        if not (folder / "up.sql").is_file():
            read.problems.append(
                _problem(
                    "missing_file",
                    Severity.ERROR,
                    f"{folder.name}/ has no up.sql, so it is not a migration",
                    "add up.sql (and down.sql) to the folder, or remove it",
                    root=root,
                    path=folder,
                )
            )
            continue
        read.migrations.append(_diesel_migration(folder, root, match.group(1), match.group(2)))
    return read


def _diesel_migration(folder: Path, root: Path, stamp: str, name: str) -> Migration:
    raw_version = stamp.replace("-", "")
    migration = Migration(Version(raw_version), name, folder, "diesel")
    problems: list[Problem] = []
    transactional = _diesel_transactional(folder, root, raw_version, problems)
    sections: dict[str, Section] = {}
    requires: tuple[str, ...] = ()
    for kind in ("up", "down"):
        path = folder / f"{kind}.sql"
        if not path.is_file():
            continue
        source = _read_source(path, root, raw_version)
        if isinstance(source, Problem):
            problems.append(source)
            continue
        sections[kind] = source.whole(kind, transactional=transactional)
        if kind == "up":
            requires, found = _declared_requires(
                source, 0, len(source.line_starts), root, raw_version
            )
            problems.extend(found)
    return replace(
        migration,
        up=sections.get("up"),
        down=sections.get("down"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


def _diesel_transactional(folder: Path, root: Path, version: str, problems: list[Problem]) -> bool:
    path = folder / "metadata.toml"
    if not path.is_file():
        return True
    try:
        metadata = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        problems.append(
            _problem(
                "parse_error",
                Severity.ERROR,
                f"metadata.toml cannot be read: {exc}",
                "fix the TOML; the only setting read is run_in_transaction = false",
                root=root,
                path=path,
                migration=version,
                line=int(line.group(1)) if line else None,
            )
        )
        return True
    return metadata.get("run_in_transaction", True) is not False


# ----------------------------------------------------------------- flyway


def _repeatable_version(description: str) -> Version:
    """``R__<description>``: unique per description and ordered after every
    numbered version (Version() itself needs a number, which R__ files lack)."""
    version = Version.__new__(Version)
    version.raw = f"R__{description}"
    version.parts = (sys.maxsize, *description.encode("utf-8"))
    return version


def _read_flyway(root: Path) -> _Read:
    read = _Read()
    versioned: dict[tuple[str, str], Path] = {}  # (raw version, description) -> V file
    undo: dict[tuple[int, ...], list[Path]] = defaultdict(list)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if repeatable := _FLYWAY_REPEATABLE.match(path.name):
            read.repeatables.append(_flyway_repeatable(path, root, repeatable.group(1)))
        elif match := _FLYWAY_NAME.match(path.name):
            raw_version = match.group(2).replace("_", ".")
            if match.group(1) == "V":
                versioned[(raw_version, match.group(3))] = path
            else:
                undo[Version(raw_version).parts].append(path)
        elif _is_stray_sql(path):
            read.problems.append(
                _unrecognized(
                    path, root, "name migrations V1__name.sql, U1__name.sql or R__name.sql"
                )
            )
    for (raw_version, description), path in versioned.items():
        undo_paths = undo.pop(Version(raw_version).parts, [])
        read.migrations.append(_flyway_migration(path, root, raw_version, description, undo_paths))
    for paths in undo.values():
        for path in paths:
            read.problems.append(
                _unrecognized(
                    path, root, "an undo script U<n>__x.sql needs a V<n>__x.sql beside it"
                )
            )
    return read


def _flyway_migration(
    path: Path, root: Path, raw_version: str, description: str, undo_paths: list[Path]
) -> Migration:
    migration = Migration(Version(raw_version), description, path, "flyway")
    problems: list[Problem] = []
    up = _flyway_section("up", path, root, raw_version, problems)
    down = (
        _flyway_section("down", undo_paths[0], root, raw_version, problems) if undo_paths else None
    )
    requires: tuple[str, ...] = ()
    if up is not None:
        source = _Source.of(path, up.text, up.start_offset)
        requires, found = _declared_requires(source, 0, len(source.line_starts), root, raw_version)
        problems.extend(found)
    return replace(
        migration, up=up, down=down, declared_requires=requires, read_problems=tuple(problems)
    )


def _flyway_repeatable(path: Path, root: Path, description: str) -> Migration:
    version = _repeatable_version(description)
    problems: list[Problem] = []
    up = _flyway_section("up", path, root, version.raw, problems)
    return Migration(
        version, description, path, "flyway", up=up, repeatable=True, read_problems=tuple(problems)
    )


def _flyway_section(
    kind: str, path: Path, root: Path, version: str, problems: list[Problem]
) -> Section | None:
    source = _read_source(path, root, version)
    if isinstance(source, Problem):
        problems.append(source)
        return None
    return source.whole(kind, transactional=_flyway_transactional(path))


def _flyway_transactional(path: Path) -> bool:
    """Flyway reads per-script settings from ``<script>.conf`` beside it."""
    conf = path.with_name(path.name + ".conf")
    if not conf.is_file():
        return True
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
    rf"(?P<date>{_SQITCH_DATE})\s+(?P<planner>[^<]*?)\s*<(?P<email>[^>]*)>\s*"
    r"(?:#(?P<note>.*))?$"
)
_SQITCH_TAG = re.compile(
    rf"^@(?P<name>[^\s@#:%]+)\s+(?P<date>{_SQITCH_DATE})\s+[^<]*<[^>]*>\s*(?:#.*)?$"
)


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
    after: int  # number of changes before the tag


def _read_sqitch(root: Path) -> _Read:
    read = _Read()
    plan_path = root / "sqitch.plan"
    plan = _read_source(plan_path, root, None)
    if isinstance(plan, Problem):
        read.problems.append(plan)
        return read
    project, entries = _parse_plan(plan, root, read.problems)
    changes = [e for e in entries if isinstance(e, _PlanChange)]
    tags = [e for e in entries if isinstance(e, _PlanTag)]
    latest: dict[str, str] = {}  # change name -> version of its newest occurrence so far
    at_tag: dict[str, dict[str, str]] = {}
    tag_iter = iter(tags)
    next_tag = next(tag_iter, None)
    for change in changes:
        while next_tag is not None and next_tag.after < change.position:
            at_tag[next_tag.name] = dict(latest)
            next_tag = next(tag_iter, None)
        script = _sqitch_script_name(change, changes, tags, root, read.problems)
        requires = _sqitch_requires(change, project, latest, at_tag, root, read.problems)
        read.migrations.append(_sqitch_migration(root, change, script, requires))
        latest[change.name] = str(change.position)
    return read


def _parse_plan(
    plan: _Source, root: Path, problems: list[Problem]
) -> tuple[str | None, list[_PlanChange | _PlanTag]]:
    project: str | None = None
    entries: list[_PlanChange | _PlanTag] = []
    position = 0
    for index, raw in enumerate(plan.lines):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("%"):
            key, _, value = line[1:].partition("=")
            if key.strip() == "project":
                project = value.strip()
            continue
        if tag := _SQITCH_TAG.match(line):
            entries.append(_PlanTag(tag.group("name"), index + 1, position))
            continue
        change = _SQITCH_CHANGE.match(line)
        if change is None or change.group("op") == "-":
            problems.append(
                _problem(
                    "parse_error",
                    Severity.ERROR,
                    f"sqitch.plan line {index + 1} is not a change or tag: {line[:60]}",
                    "write changes as: name [deps] 2024-01-01T00:00:00Z Your Name <you@example.com> # note",
                    root=root,
                    path=plan.path,
                    line=index + 1,
                )
            )
            continue
        position += 1
        deps = tuple((change.group("deps") or "").split())
        entries.append(_PlanChange(change.group("name"), deps, index + 1, position))
    return project, entries


def _sqitch_script_name(
    change: _PlanChange,
    changes: list[_PlanChange],
    tags: list[_PlanTag],
    root: Path,
    problems: list[Problem],
) -> str:
    """A reworked change's older scripts are named ``name@tag.sql``, after the
    first tag that follows it; the newest keeps ``name.sql``."""
    reworked_later = any(c.name == change.name and c.position > change.position for c in changes)
    if not reworked_later:
        return change.name
    following = next((t for t in tags if t.after >= change.position), None)
    later = next(c for c in changes if c.name == change.name and c.position > change.position)
    if following is None or following.after >= later.position:
        problems.append(
            _problem(
                "parse_error",
                Severity.ERROR,
                f"change {change.name} appears again on line {later.line} with no tag in between",
                "tag the plan before reworking a change (sqitch tag, then sqitch rework)",
                root=root,
                path=root / "sqitch.plan",
                migration=str(later.position),
                line=later.line,
            )
        )
        return change.name
    return f"{change.name}@{following.name}"


def _sqitch_requires(
    change: _PlanChange,
    project: str | None,
    latest: dict[str, str],
    at_tag: dict[str, dict[str, str]],
    root: Path,
    problems: list[Problem],
) -> tuple[str, ...]:
    requires: list[str] = []
    for dep in change.deps:
        if dep.startswith("!"):
            continue  # a conflict, not a prerequisite
        other_project, sep, name = dep.rpartition(":")
        if sep and other_project != project:
            continue  # another project's change: not in this folder
        name, _, tag = name.partition("@")
        known = at_tag.get(tag, {}) if tag else latest
        if name in known:
            requires.append(known[name])
            continue
        problems.append(
            _problem(
                "parse_error",
                Severity.ERROR,
                f"change {change.name} requires {dep}, which is not earlier in the plan",
                "list only changes (or name@tag) planned before this one",
                root=root,
                path=root / "sqitch.plan",
                migration=str(change.position),
                line=change.line,
            )
        )
    return tuple(requires)


def _sqitch_migration(
    root: Path, change: _PlanChange, script: str, requires: tuple[str, ...]
) -> Migration:
    version = str(change.position)
    deploy = root / "deploy" / f"{script}.sql"
    problems: list[Problem] = []
    sections: dict[str, Section] = {}
    for kind, folder in (("up", "deploy"), ("down", "revert"), ("verify", "verify")):
        path = root / folder / f"{script}.sql"
        if not path.is_file():
            if kind == "up":
                problems.append(
                    _problem(
                        "missing_file",
                        Severity.ERROR,
                        f"deploy/{script}.sql is missing for change {change.name}",
                        f"add deploy/{script}.sql (sqitch add {change.name} creates it)",
                        root=root,
                        path=path,
                        migration=version,
                    )
                )
            continue
        source = _read_source(path, root, version)
        if isinstance(source, Problem):
            problems.append(source)
            continue
        sections[kind] = source.whole(kind)
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


_READERS = {
    "native": _read_native,
    "golang-migrate": _read_golang,
    "goose": _read_goose,
    "diesel": _read_diesel,
    "flyway": _read_flyway,
    "sqitch": _read_sqitch,
}


def _finish(root: Path, layout: str, read: _Read) -> LoadResult:
    if layout == "sqitch":
        ordered = list(read.migrations)  # plan order is the run order
    else:
        ordered = sorted(read.migrations, key=lambda m: (m.version.parts, m.version.raw, m.name))
    migrations = tuple(_with_content_checks(m, root) for m in ordered)
    repeatables = tuple(
        _with_content_checks(m, root)
        for m in sorted(read.repeatables, key=lambda m: m.version.parts)
    )
    problems = [p for m in migrations + repeatables for p in m.read_problems]
    problems.extend(_duplicate_versions(migrations, root))
    problems.extend(read.problems)
    return LoadResult(
        layout=layout,
        root=root,
        migrations=migrations,
        repeatables=repeatables,
        problems=tuple(problems),
        assumed=read.assumed,
    )


def _with_content_checks(migration: Migration, root: Path) -> Migration:
    """Add empty-up and missing-down warnings, unless a file could not be read."""
    if any(
        p.severity is Severity.ERROR and p.kind != "parse_error" for p in migration.read_problems
    ):
        return migration
    version = str(migration.version)
    found: list[Problem] = []
    up = migration.up
    if up is None or not _has_sql(up.text):
        where = up.path if up is not None else migration.path
        found.append(
            _problem(
                "empty_migration",
                Severity.WARNING,
                f"{migration.label} has no SQL to run in its up section",
                "write the change, or delete the migration if it is not needed",
                root=root,
                path=where,
                migration=version,
                line=up.start_line if up is not None else None,
            )
        )
    if not migration.repeatable:
        down = migration.down
        if down is None or not _has_sql(down.text):
            found.append(
                _problem(
                    "missing_down",
                    Severity.WARNING,
                    f"{migration.label} has no down SQL, so it cannot be rolled back"
                    if down is None
                    else f"{migration.label} has an empty down section, so rolling back undoes nothing",
                    _DOWN_HINTS[migration.layout],
                    root=root,
                    path=down.path if down is not None else migration.path,
                    migration=version,
                    line=down.start_line if down is not None else None,
                )
            )
    if not found:
        return migration
    return replace(migration, read_problems=migration.read_problems + tuple(found))


_DOWN_HINTS = {
    "native": "add a -- migrate:down section that undoes the up section",
    "golang-migrate": "add a N_name.down.sql that undoes the up file",
    "goose": "add a -- +goose Down section that undoes the up section",
    "diesel": "write down.sql so that it undoes up.sql",
    "flyway": "add an undo script U<version>__name.sql",
    "sqitch": "add a revert/ script for the change",
}


def _duplicate_versions(migrations: tuple[Migration, ...], root: Path) -> list[Problem]:
    groups: dict[tuple[int, ...], list[Migration]] = defaultdict(list)
    for migration in migrations:
        groups[migration.version.parts].append(migration)
    problems = []
    for group in groups.values():
        if len(group) < 2:
            continue
        files = ", ".join(_relative(m.path, root) for m in group)
        problems.append(
            _problem(
                "duplicate_version",
                Severity.ERROR,
                f"version {group[0].version} is used by {len(group)} migrations: {files}",
                "give each migration its own version (renumber all but one)",
                root=root,
                path=group[1].path,
                migration=str(group[0].version),
            )
        )
    return problems
