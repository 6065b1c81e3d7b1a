"""Drizzle (drizzle-kit and drizzle-orm's ``migrate()``): ``0000_name.sql`` files
listed, in their run order, by the folder's ``meta/_journal.json``; each
entry names a file (``tag``) and the moment it was generated (``when``, in
milliseconds). Only the migrations the journal lists run; a file it does not
list never does. ``--> statement-breakpoint`` lines separate the statements
(a comment to PostgreSQL). There are no down migrations.

drizzle-orm keeps ``drizzle.__drizzle_migrations(id, hash, created_at)``: a row
per migration it ran, with the SHA-256 of its file (line ends made LF) and the
journal's ``when``. It runs a migration when its ``when`` is newer than the
newest row's ``created_at``; so a migration merged later with an older
``when`` is silently never run. migtui counts a migration applied when a row
has its ``when``: such a migration shows as pending behind applied ones, which
is what it is.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from migtui.core.folder import LayoutError
from migtui.core.model import SCHEMA, TABLE, Migration, ObjectRef, Problem
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState, up_bytes
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    files_in,
    is_stray_sql,
    whole_file,
)
from migtui.core.versions import Version

#: The layout name migtui gives this tool's folders.
LAYOUT = "drizzle"
#: How its folders look, for messages.
SHAPE = "0000_name.sql files listed in meta/_journal.json (drizzle-kit generate)"
#: What to do about a migration without a down section.
DOWN_HINT = "Drizzle has no down migrations: undo it in a new migration"

JOURNAL = Path("meta") / "_journal.json"
_TAG = re.compile(r"^(\d+)_(.+)$")
#: The journal's dialects that are PostgreSQL (drizzle-kit wrote "pg" before "postgresql").
_POSTGRES = frozenset({"postgresql", "pg", "postgres"})


def looks_like_drizzle(root: Path) -> bool:
    return (root / JOURNAL).is_file()


@dataclass(frozen=True)
class Entry:
    """One migration as the journal lists it."""

    index: int
    tag: str
    when: int | None
    #: The journal's line naming it.
    line: int


def journal(root: Path) -> tuple[list[Entry], str | None, Problem | None]:
    """The journal's entries in their run order, its dialect, and what is wrong
    with it (then no entry)."""
    path = root / JOURNAL
    where = Where(root, path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        message = f"drizzle's journal cannot be read ({exc}), so no migration is known"
        hint = "restore meta/_journal.json (drizzle-kit writes it with each migration)"
        return [], None, where.problem("unreadable_file", message, hint)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"drizzle's journal is not valid JSON: {exc.msg}"
        hint = "mend meta/_journal.json; drizzle-orm refuses to migrate with it as it is"
        return [], None, where.problem("parse_error", message, hint, exc.lineno)
    raw = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        message = "drizzle's journal has no list of entries, so no migration is known"
        hint = 'meta/_journal.json holds {"entries": [{"idx": 0, "tag": …, "when": …}, …]}'
        return [], None, where.problem("parse_error", message, hint, 1)
    entries: list[Entry] = []
    searched = 0
    for position, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("tag"), str):
            message = f"entry {position} of drizzle's journal names no file (its tag)"
            hint = 'each entry is {"idx": …, "tag": "0000_name", "when": …}'
            return [], None, where.problem("parse_error", message, hint, 1)
        tag = item["tag"]
        found = text.find(json.dumps(tag), searched)
        line = text.count("\n", 0, found) + 1 if found >= 0 else 1
        searched = max(searched, found)
        when = item.get("when")
        entries.append(
            Entry(
                index=item["idx"] if isinstance(item.get("idx"), int) else position,
                tag=tag,
                when=when if isinstance(when, int) and not isinstance(when, bool) else None,
                line=line,
            )
        )
    dialect = data.get("dialect")
    return entries, dialect.lower() if isinstance(dialect, str) else None, None


def read(root: Path) -> Read:
    read = Read()
    entries, dialect, broken = journal(root)
    if dialect is not None and dialect not in _POSTGRES:
        raise LayoutError(
            f"{root}: drizzle's journal says these migrations are for {dialect!r}; migtui "
            "reads PostgreSQL migrations only (dialect postgresql)"
        )
    if broken is not None:
        read.problems.append(broken)
    listed = {f"{entry.tag}.sql" for entry in entries}
    for entry in entries:
        read.migrations.append(_migration(root, entry))
    hint = "drizzle runs only the files meta/_journal.json lists (drizzle-kit generate adds them)"
    for path in files_in(root):
        if path.name not in listed and is_stray_sql(path):
            message = f"{path.name} is not in drizzle's journal, so drizzle never runs it"
            read.problems.append(Where(root, path).problem("unrecognized_file", message, hint))
    return read


def version_of(entry: Entry) -> tuple[str, str]:
    """The version and name migtui gives a journal entry: the tag's leading
    number (``0007_tidy_ogre`` is 0007), or its place in the journal when the
    tags carry none (drizzle-kit's ``prefix: "none"``)."""
    match = _TAG.match(entry.tag)
    if match is not None:
        return match.group(1), match.group(2)
    return f"{entry.index:04d}", entry.tag


def _migration(root: Path, entry: Entry) -> Migration:
    raw, name = version_of(entry)
    path = root / f"{entry.tag}.sql"
    where = Where(root, path, raw)
    journal_at = Where(root, root / JOURNAL, raw)
    problems: list[Problem] = []
    if not path.is_file():
        message = (
            f"drizzle's journal lists {entry.tag} but {path.name} is not in the folder: "
            "drizzle-orm stops with an error before migrating anything"
        )
        hint = "restore the file, or remove its entry from meta/_journal.json"
        problems.append(journal_at.problem("missing_file", message, hint, entry.line))
        return Migration(Version(raw), name, path, LAYOUT, read_problems=tuple(problems))
    if entry.when is None:
        message = (
            f"drizzle's journal gives {entry.tag} no 'when' (the moment it was generated): "
            "drizzle-orm cannot tell whether it ran, and migtui cannot record it as it would"
        )
        hint = 'restore the entry\'s "when" (milliseconds since 1970) in meta/_journal.json'
        problems.append(journal_at.problem("parse_error", message, hint, entry.line))
    up, source = whole_file("up", where, problems)
    requires = declared_requires(all_lines(source), where, problems) if source else ()
    return Migration(
        Version(raw),
        name,
        path,
        LAYOUT,
        up=up,
        declared_requires=requires,
        read_problems=tuple(problems),
    )


#: What drizzle-orm makes before the first migration.
ASSUMED: tuple[ObjectRef, ...] = (
    ObjectRef(SCHEMA, None, "drizzle"),
    ObjectRef(TABLE, "drizzle", "__drizzle_migrations"),
)


def file_hash(info: MigrationInfo) -> str:
    """The hash drizzle-orm records: SHA-256 of the file with CRLF made LF."""
    return hashlib.sha256(up_bytes(info).replace(b"\r\n", b"\n")).hexdigest()


def _when_by_file(root: Path | None) -> dict[str, int]:
    """Each listed file's ``when``, read once per state of the journal (an apply
    asks for every migration it records)."""
    if root is None:
        return {}
    try:
        stat = (root / JOURNAL).stat()
    except OSError:
        return {}
    return _whens(str(root), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _whens(root: str, _mtime_ns: int, _size: int) -> dict[str, int]:
    entries, _dialect, _broken = journal(Path(root))
    return {f"{e.tag}.sql": e.when for e in entries if e.when is not None}


class Drizzle(ToolLedger):
    tool = "drizzle"
    layout = LAYOUT
    table = "drizzle.__drizzle_migrations"
    columns = frozenset({"id", "hash", "created_at"})
    all_columns = columns
    ledger_ddl = (
        "CREATE SCHEMA IF NOT EXISTS drizzle",
        "CREATE TABLE IF NOT EXISTS {table} (id SERIAL PRIMARY KEY, hash text NOT NULL,"
        " created_at bigint)",
    )

    def select(self, table: str) -> str:
        return f"SELECT created_at, hash FROM {table}"

    def states(self, rows, infos, root=None):
        recorded: dict[int, str] = {}
        for created_at, digest in rows:
            if created_at is not None:
                recorded[int(created_at)] = digest
        when_by_file = _when_by_file(root)
        found: dict[str, ToolState] = {}
        for info in infos:
            up = info.migration.up
            when = when_by_file.get(info.migration.path.name)
            if up is None or when is None or when not in recorded:
                continue
            digest = recorded[when]
            found[info.version] = ToolState(
                applied=True, checksum=digest, matches=digest == file_hash(info)
            )
        return found

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        when = _when_by_file(run.root or info.migration.path.parent).get(info.migration.path.name)
        if when is None:
            raise ValueError(
                f"{info.migration.path.name} has no 'when' in drizzle's journal: drizzle could "
                "not tell it is applied"
            )
        return [
            (
                f"INSERT INTO {table} (hash, created_at) VALUES (%s, %s)",
                (file_hash(info), when),
            )
        ]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        when = _when_by_file(run.root or info.migration.path.parent).get(info.migration.path.name)
        return [(f"DELETE FROM {table} WHERE created_at = %s", (when,))]
