"""Liquibase: changesets, each a migration, run in the order a changelog gives.

**The changelog.** migtui starts where Liquibase's ``--changelog-file`` does: the
``changeLogFile`` that ``liquibase.properties`` names, else the one changelog
(``.xml``, ``.yaml``/``.yml``, ``.json``) in the folder that no other includes.
It follows ``include`` (``file``, ``relativeToChangelogFile``) and ``includeAll``
(every changelog file under a folder, recursively, in path order) as Liquibase
does. A path that is not relative to the including file is looked for beside the
folder, then in the folders above the changelog (its classpath roots). Without
a changelog, every formatted SQL file under the folder is read in path order, as
an ``includeAll`` of the folder would. With several changelogs that nothing
includes (one per database), the same, with a warning naming them: point the
folder at one of them to check it alone.

**Formatted SQL** (a file starting ``--liquibase formatted sql``): ``--changeset
author:id attribute:value …`` starts a changeset; its SQL runs to the next one.
``--rollback`` lines (or a ``/* liquibase rollback … */`` block) are its down
section, ``--rollback changesetId:x changesetAuthor:y`` the SQL of that other
changeset; ``runInTransaction:false`` runs it outside a transaction; ``dbms``
leaves out changesets for other databases, ``ignore:true`` leaves it out, and
``context`` / ``labels`` take the runtime filter from ``liquibase.properties``
(without one, Liquibase runs every changeset, and so does migtui). Lines between
``--ignoreLines:start`` and ``--ignoreLines:end`` are not run. A changeset with
preconditions that may mark it ran instead of running it (``onFail:MARK_RAN``,
``CONTINUE``, ``WARN``) is kept; migtui does not evaluate the preconditions,
and what such a changeset needs or makes is warned of, not refused.
A ``.sql`` file without the header is one changeset (``raw``, author
``includeAll``), as Liquibase runs it.

**XML / YAML / JSON changesets**: ``sql``, ``sqlFile`` and ``createProcedure``
changes are read as SQL (their ``rollback`` too). Liquibase's own change types
(``createTable``, ``addColumn`` …) are read as the SQL they amount to
(``liquibase_changes``), with the rollback Liquibase derives; such a changeset
is checked, and left to Liquibase to run (``Migration.run_by``). A change type
migtui does not know runs in its place unseen, like a code migration.

**Placeholders**: ``${name}`` takes its value from ``parameter.name`` in
``liquibase.properties``, then from the environment (Liquibase reads it too),
then from the changelogs' ``property`` elements (the first value set wins, as in
Liquibase); in attributes as in SQL. Liquibase runs a placeholder without a
value as written, which PostgreSQL refuses: one error per changeset names it.

**The ledger**: ``databasechangelog``, a row per changeset run (``id``,
``author``, ``filename``, ``exectype``). migtui matches rows by id and author
and the file's path (the path a row records depends on how Liquibase was
started: one path ending with the other is the same file). It writes the rows
Liquibase would, with an empty ``md5sum``, which Liquibase fills in on its next
run.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from migtui.core.model import TABLE, Migration, ObjectRef, Problem, Section
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.liquibase_changes import Node, translate
from migtui.core.tools.reading import Read, Source, Where, outside, peek, read_source, relative
from migtui.core.versions import Version

#: The layout name migtui gives this tool's folders.
LAYOUT = "liquibase"
#: How its folders look, for messages.
SHAPE = "a changelog (changelog.xml, .yaml) or .sql files starting '--liquibase formatted sql'"
#: What to do about a migration without a down section.
DOWN_HINT = "write its undo in the changeset: --rollback lines, or a <rollback> element"

CHANGELOG_SUFFIXES = (".xml", ".yaml", ".yml", ".json", ".sql")
PROPERTIES = "liquibase.properties"

FORMATTED = re.compile(rb"^\s*--\s*liquibase\s+formatted\s+sql\b", re.IGNORECASE)
_CHANGESET = re.compile(
    r"^\s*--\s*changeset\s+(\"[^\"]*\"|[^:\s]+(?:\s[^:\s]+)*?):\s*(\"[^\"]*\"|\S+)(.*)$",
    re.IGNORECASE,
)
_ATTRIBUTE = re.compile(r"([\w-]+):(\"[^\"]*\"|\S+)")
_ROLLBACK = re.compile(r"^(\s*--\s*rollback)(\s|$)", re.IGNORECASE)
_ROLLBACK_BLOCK = re.compile(r"^\s*/\*\s*liquibase\s+rollback\b", re.IGNORECASE)
_PRECONDITIONS = re.compile(r"^\s*--\s*preconditions?\b(.*)$", re.IGNORECASE)
_IGNORE_LINES = re.compile(r"^\s*--\s*ignoreLines:(\w+)", re.IGNORECASE)
_PROPERTY = re.compile(r"^\s*--\s*property\s+(.*)$", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\$\{([\w.+\-]+)\}")
_COMMENTS = re.compile(r"/\*.*?\*/|--[^\n]*", re.DOTALL)
#: Changes that are SQL as written.
_SQL_CHANGES = frozenset({"sql", "sqlfile", "createprocedure"})
#: Rollback texts that say there is nothing to undo.
_NO_ROLLBACK = frozenset({"empty", "not required", "not_required", "none"})


@dataclass
class Change:
    """One changeset as Liquibase runs it."""

    id: str
    author: str
    path: Path
    #: The file's path as the ledger records it (relative to the folder, or
    #: the changeset's ``logicalFilePath``).
    logical: str
    line: int
    up: Section | None = None
    down: Section | None = None
    #: (id, author) of the changeset whose SQL is this one's rollback.
    down_ref: tuple[str, str] | None = None
    #: Liquibase change types migtui cannot read (``createTable`` …).
    unseen: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    #: Who alone runs it: "Liquibase" for changes in its own change types, which
    #: migtui reads as SQL to check but does not run.
    run_by: str = ""
    #: Why it may not run at all (its preconditions may mark it ran instead).
    guard: str = ""


class _Reader:
    """One changelog tree, read in Liquibase's order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.settings = _properties(root)
        #: parameter.name=value in liquibase.properties: over everything else
        self.parameters: dict[str, str] = {
            k[len("parameter.") :]: v
            for k, v in self.settings.items()
            if k.startswith("parameter.")
        }
        #: the changelogs' own properties (the first value set wins)
        self.values: dict[str, str] = {}
        #: the environment's variables looked up, and their values (None: unset)
        self.environment: dict[str, str | None] = {}
        self.contexts = _setting(self.settings, "contexts", "context-filter", "contextfilter")
        self.labels = _setting(self.settings, "labels", "label-filter", "labelfilter")
        self.changes: list[Change] = []
        self.problems: list[Problem] = []
        self.seen: set[Path] = set()

    # -- the files, in order ---------------------------------------------------------

    def read_root(self) -> None:
        named = _setting(self.settings, "changelogfile", "changelog-file", "changelog.file")
        if named:
            path = self._resolve(named, self.root, relative_to_file=False, anchor=self.root)
            if path is None:
                where = Where(self.root, self.root / PROPERTIES)
                self.problems.append(
                    where.problem(
                        "missing_file",
                        f"{PROPERTIES} names the changelog {named}, which is not in the folder",
                        "point changeLogFile at the changelog, relative to the folder",
                    )
                )
                return
            self.read_file(path, anchor=path)
            return
        masters = root_changelogs(self.root)
        if len(masters) == 1:
            self.read_file(masters[0], anchor=masters[0])
            return
        if masters:
            names = ", ".join(relative(p, self.root) for p in masters[:6])
            more = f" and {len(masters) - 6} more" if len(masters) > 6 else ""
            message = (
                f"{len(masters)} changelogs here are included by no other ({names}{more}): "
                "each starts a history of its own, usually for a database of its own; migtui "
                "read every formatted SQL file under the folder, in path order, as one history"
            )
            hint = (
                "point --dir at the folder one changelog includes to check it alone, or name "
                f"it in {PROPERTIES} (changeLogFile=…)"
            )
            self.problems.append(
                Where(self.root, masters[0]).problem("unrecognized_file", message, hint)
            )
        self.include_all(self.root, anchor=self.root, only_formatted=True)

    def read_file(self, path: Path, anchor: Path) -> None:
        resolved = path.resolve()
        if resolved in self.seen:
            return  # Liquibase skips a changelog it already included
        self.seen.add(resolved)
        where = Where(self.root, path)
        if path.is_symlink() and outside(path, self.root):
            source = read_source(where)  # says so
            if isinstance(source, Problem):
                self.problems.append(source)
            return
        suffix = path.suffix.lower()
        if suffix == ".sql":
            source = read_source(where)
            if isinstance(source, Problem):
                self.problems.append(source)
                return
            if FORMATTED.match(source.text[:200].encode("utf-8")):
                self._formatted(source, anchor)
            else:
                self._raw_sql(source)
        elif suffix == ".xml":
            self._xml(path, anchor)
        elif suffix in (".yaml", ".yml", ".json"):
            self._yaml(path, anchor)

    def include_all(self, folder: Path, anchor: Path, only_formatted: bool = False) -> None:
        for path in _changelog_files(folder):
            if only_formatted and not _is_formatted(path):
                continue
            self.read_file(path, anchor)

    def _resolve(
        self, name: str, including: Path, *, relative_to_file: bool, anchor: Path
    ) -> Path | None:
        """Where Liquibase finds an included path: beside the including file
        when told so; else in the folder, or one of the folders above the
        changelog it started from (its classpath roots)."""
        name = name.strip().removeprefix("classpath:").removeprefix("classpath*:")
        if os.path.isabs(name):
            found = Path(name)
            if found.exists():
                return found
            name = name.lstrip("/")  # a classpath path written from its root
        base = including if including.is_dir() else including.parent
        bases = [base] if relative_to_file else []
        bases.append(self.root)
        folder = anchor if anchor.is_dir() else anchor.parent
        for _ in range(8):
            bases.append(folder)
            if folder.parent == folder:
                break
            folder = folder.parent
        if not relative_to_file:
            bases.append(base)
        for candidate_base in bases:
            candidate = candidate_base / name
            if candidate.exists():
                return candidate
        return None

    # -- formatted SQL ----------------------------------------------------------------

    def _formatted(self, source: Source, anchor: Path) -> None:
        lines = source.lines
        starts = [i for i, line in enumerate(lines) if _CHANGESET.match(line)]
        for line in lines[: starts[0] if starts else len(lines)]:
            self._property_line(line)
        for n, first in enumerate(starts):
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            match = _CHANGESET.match(lines[first])
            assert match is not None
            author, ident = _unquote(match.group(1)), _unquote(match.group(2))
            attributes = {k.lower(): _unquote(v) for k, v in _ATTRIBUTE.findall(match.group(3))}
            change = Change(
                ident,
                author,
                source.path,
                attributes.get("logicalfilepath") or self._logical(source.path),
                first + 1,
                attributes=attributes,
            )
            self._formatted_body(change, source, first + 1, end)
            self._add(change)

    def _formatted_body(self, change: Change, source: Source, first: int, end: int) -> None:
        lines = source.lines
        up_lines: list[str] = []
        down: dict[int, str] = {}
        ignoring = 0  # lines left to ignore; -1: until --ignoreLines:end
        in_block = False
        for i in range(first, end):
            line = lines[i]
            # rollback lines are comments to PostgreSQL: the up section keeps them
            if in_block:
                close = line.find("*/")
                down[i] = line if close == -1 else line[:close]
                in_block = close == -1
                up_lines.append(line)
                continue
            if _ROLLBACK_BLOCK.match(line):
                rest = line[line.lower().index("rollback") + len("rollback") :]
                close = rest.find("*/")
                down[i] = rest if close == -1 else rest[:close]
                in_block = close == -1
                up_lines.append(line)
                continue
            rollback = _ROLLBACK.match(line)
            if rollback:
                down[i] = " " * len(rollback.group(1)) + line[rollback.end(1) :]
                up_lines.append(line)
                continue
            preconditions = _PRECONDITIONS.match(line)
            if preconditions and not line.lower().lstrip("- ").startswith("precondition-"):
                attributes = dict(_ATTRIBUTE.findall(preconditions.group(1)))
                change.guard = _guard(attributes.get("onFail", "HALT"))
            ignore = _IGNORE_LINES.match(line)
            if ignore:
                word = ignore.group(1).lower()
                ignoring = -1 if word == "start" else 0 if word == "end" else _int(word)
                up_lines.append(line)
                continue
            if ignoring:
                ignoring = ignoring - 1 if ignoring > 0 else -1
                up_lines.append("")
                continue
            self._property_line(line)
            up_lines.append(_delimiter_line(line, change.attributes.get("enddelimiter")))
        transactional = _transactional(change.attributes)
        if up_lines == list(lines[first:end]):  # the file's text as it is
            up = source.section("up", first, end, transactional=transactional)
        else:
            text = "\n".join(up_lines) + ("\n" if end < len(lines) else "")
            up = _section(source, "up", first, text, transactional)
        change.up = self._placeholders(change, up)
        if down:
            rollback_text = "\n".join(down.values()).strip()
            reference = _rollback_reference(rollback_text)
            if reference is not None:
                change.down_ref = reference
            elif rollback_text.lower().rstrip(";") in _NO_ROLLBACK:
                change.down = _section(source, "down", min(down), "", True)
            else:
                lo, hi = min(down), max(down)
                body = "\n".join(down.get(i, "") for i in range(lo, hi + 1)) + "\n"
                change.down = self._placeholders(change, _section(source, "down", lo, body, True))

    def _property_line(self, line: str) -> None:
        match = _PROPERTY.match(line)
        if match:
            attributes = {k.lower(): _unquote(v) for k, v in _ATTRIBUTE.findall(match.group(1))}
            self._set(attributes.get("name"), attributes.get("value"), attributes)

    def _set(self, name: str | None, value: str | None, attributes: dict[str, str]) -> None:
        if not name or value is None or name in self.values:
            return  # the first value set wins, as in Liquibase
        if not _dbms_matches(attributes.get("dbms", "")):
            return
        if not _filter_matches(attributes.get("context", ""), self.contexts):
            return
        self.values[name] = value

    def lookup(self, name: str) -> str | None:
        """A placeholder's value: liquibase.properties' parameter, then the
        environment (Liquibase reads it too), then the changelogs' property."""
        if name in self.parameters:
            return self.parameters[name]
        if name not in self.environment:
            self.environment[name] = os.environ.get(name)
        found = self.environment[name]
        return found if found is not None else self.values.get(name)

    def _raw_sql(self, source: Source) -> None:
        """A plain .sql file included: Liquibase runs it whole as one changeset."""
        change = Change("raw", "includeAll", source.path, self._logical(source.path), 1)
        change.up = self._placeholders(change, source.section("up", 0, None))
        self._add(change)

    # -- XML, YAML and JSON ------------------------------------------------------------

    def _source(self, path: Path) -> Source | None:
        """A changelog's text, or None (and why, among the problems)."""
        source = read_source(Where(self.root, path))
        if isinstance(source, Problem):
            self.problems.append(source)
            return None
        return source

    def _xml(self, path: Path, anchor: Path) -> None:
        where = Where(self.root, path)
        source = self._source(path)
        if source is None:
            return
        try:
            tree = _parse_xml(source.text)
        except _XmlError as exc:
            line = exc.position[0] if exc.position else None
            message = f"the changelog is not well-formed XML: {exc}"
            self.problems.append(where.problem("parse_error", message, "fix the XML", line))
            return
        logical = tree.get("logicalFilePath")
        for node in tree.children:
            if logical and node.tag == "changeset" and not node.get("logicalFilePath"):
                node.attrs["logicalfilepath"] = logical
            self._entry(node, source, anchor)

    def _yaml(self, path: Path, anchor: Path) -> None:
        where = Where(self.root, path)
        source = self._source(path)
        if source is None:
            return
        try:
            if path.suffix.lower() == ".json":
                import json

                data = json.loads(source.text)
            else:
                import yaml

                data = yaml.safe_load(source.text)
        except Exception as exc:  # noqa: BLE001 - any parser's refusal is reported alike
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            message = f"the changelog cannot be read: {first}"
            self.problems.append(where.problem("parse_error", message, "fix the file", line))
            return
        entries = data.get("databaseChangeLog") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            return
        ids = _yaml_id_lines(source)
        for entry in entries:
            if not isinstance(entry, dict) or len(entry) != 1:
                continue
            ((key, value),) = entry.items()
            node = Node.from_yaml(key, value)
            if node.tag == "changeset":
                found = ids.get(node.get("id"), [])
                node.line = found.pop(0) if found else None
            self._entry(node, source, anchor)

    def _entry(self, node: Node, source: Source, anchor: Path) -> None:
        """One top-level element of a changelog."""
        path = source.path
        relative_to_file = node.get("relativeToChangelogFile").lower() == "true"
        if node.tag == "property":
            if node.get("file"):
                found = self._resolve(
                    node.get("file"), path, relative_to_file=relative_to_file, anchor=anchor
                )
                for key, value in (_read_properties(found) if found else {}).items():
                    self._set(key, value, node.attrs)
            else:
                self._set(node.get("name"), node.attrs.get("value", node.text), node.attrs)
        elif node.tag == "include":
            self._include(node, path, anchor)
        elif node.tag == "includeall":
            self._include_all(node, path, anchor)
        elif node.tag == "changeset":
            self._structured_changeset(node, source, anchor)

    def _include(self, node: Node, including: Path, anchor: Path) -> None:
        name = node.get("file")
        if not name:
            return
        relative_to_file = node.get("relativeToChangelogFile").lower() == "true"
        found = self._resolve(name, including, relative_to_file=relative_to_file, anchor=anchor)
        if found is None or not found.is_file():
            self._missing(including, f"includes {name}, which is not there", node.line)
            return
        if not _is_inside(found, self.root):
            self._outside(including, name, node.line)
            return
        self.read_file(found, anchor)

    def _include_all(self, node: Node, including: Path, anchor: Path) -> None:
        name = node.get("path")
        if not name:
            return
        relative_to_file = node.get("relativeToChangelogFile").lower() == "true"
        found = self._resolve(name, including, relative_to_file=relative_to_file, anchor=anchor)
        if found is None or not found.is_dir():
            if node.get("errorIfMissingOrEmpty").lower() != "false":
                what = f"includes all of {name}, which is not there"
                self._missing(including, what, node.line)
            return
        if not _is_inside(found, self.root):
            self._outside(including, name, node.line)
            return
        self.include_all(found, anchor)

    def _missing(self, including: Path, what: str, line: int | None) -> None:
        where = Where(self.root, including)
        hint = 'fix the path (relativeToChangelogFile="true" makes it relative to this file)'
        self.problems.append(where.problem("missing_file", f"the changelog {what}", hint, line))

    def _outside(self, including: Path, name: str, line: int | None) -> None:
        where = Where(self.root, including)
        message = f"the changelog includes {name}, which is outside the migrations folder: not read"
        hint = "point --dir at a folder holding the changelog and everything it includes"
        self.problems.append(where.problem("missing_file", message, hint, line))

    def _substitute(self, node: Node) -> None:
        """Liquibase replaces placeholders in every attribute and text of a
        changeset (``autoIncrement="${autoIncrement}"``); the ones without a
        value stay, and are reported where they reach the SQL."""

        def value(match: re.Match) -> str:
            found = self.lookup(match.group(1))
            return match.group(0) if found is None else found

        for key, text in node.attrs.items():
            if "${" in text:
                node.attrs[key] = PLACEHOLDER.sub(value, text)
        if node.text and "${" in node.text and node.tag not in ("sql", "createprocedure"):
            node.text = PLACEHOLDER.sub(value, node.text)
        for child in node.children:
            self._substitute(child)

    def _structured_changeset(self, node: Node, source: Source, anchor: Path) -> None:
        self._substitute(node)
        change = Change(
            node.get("id"),
            node.get("author"),
            source.path,
            node.get("logicalFilePath") or self._logical(source.path),
            node.line or 1,
            attributes=dict(node.attrs),
        )
        ups: list[tuple[str, int, int]] = []
        unseen: list[str] = []
        derived: list[tuple[str, int]] | None = []  # the rollback Liquibase derives
        explicit: list[tuple[str, int, int]] | None = None
        for child in node.children:
            line = child.line or change.line
            if child.tag in ("preconditions", "precondition"):
                change.guard = _guard(child.get("onFail") or "HALT")
                continue
            if child.tag in ("comment", "validchecksum"):
                continue
            if child.tag == "rollback":
                explicit = explicit or []
                self._structured_rollback(change, child, source, anchor, explicit)
                continue
            sql = self._change_sql(child, source.path, anchor)
            if sql is not None:
                if sql:
                    ups.append((sql, line, child.offset if sql is child.text else -1))
                derived = None  # Liquibase cannot undo SQL by itself
                continue
            translated = translate(child)
            if translated is None:
                unseen.append(_CHANGE_NAMES.get(child.tag, child.tag))
                continue
            statements, undo = translated
            change.run_by = "Liquibase"
            ups.extend((statement, line, -1) for statement in statements)
            if derived is not None and undo is not None:
                derived[:0] = [(statement, line) for statement in undo]
            else:
                derived = None
        change.unseen = tuple(dict.fromkeys(unseen))
        transactional = _transactional(change.attributes)
        if ups and not unseen:
            change.up = self._placeholders(change, _joined(source, "up", ups, transactional))
        if explicit is not None:
            if explicit:
                change.down = self._placeholders(change, _joined(source, "down", explicit, True))
        elif derived and not unseen:
            parts = [(statement, line, -1) for statement, line in derived]
            change.down = self._placeholders(change, _joined(source, "down", parts, True))
        self._add(change)

    def _structured_rollback(
        self, change: Change, node: Node, source: Source, anchor: Path, downs: list
    ) -> None:
        ref = node.get("changeSetId")
        if ref:
            change.down_ref = (ref, node.get("changeSetAuthor") or change.author)
            return
        line = node.line or change.line
        text = (node.text or "").strip()
        if text and text.lower().rstrip(";") not in _NO_ROLLBACK:
            downs.append((node.text, line, node.offset))
        for child in node.children:
            sql = self._change_sql(child, source.path, anchor)
            if sql is None:
                translated = translate(child)
                if translated is not None:
                    downs.extend((s, child.line or line, -1) for s in translated[0])
            elif sql:
                downs.append((sql, child.line or line, child.offset if sql is child.text else -1))

    def _change_sql(self, node: Node, including: Path, anchor: Path) -> str | None:
        """The SQL a change runs as written, "" for none, None when it is not SQL."""
        if node.tag not in _SQL_CHANGES:
            return None
        if not _dbms_matches(node.get("dbms")):
            return ""
        if node.tag in ("sql", "createprocedure"):
            return node.text if node.text is not None else node.get("sql", "procedureText")
        name = node.get("path")
        relative_to_file = node.get("relativeToChangelogFile").lower() == "true"
        found = (
            self._resolve(name, including, relative_to_file=relative_to_file, anchor=anchor)
            if name
            else None
        )
        if found is None or not found.is_file() or not _is_inside(found, self.root):
            return None
        source = read_source(Where(self.root, found))
        return source.text if not isinstance(source, Problem) else None

    # -- bookkeeping --------------------------------------------------------------------

    def _logical(self, path: Path) -> str:
        return relative(path, self.root)

    def _placeholders(self, change: Change, section: Section | None) -> Section | None:
        """The section with its ``${name}`` replaced; one without a value is
        left as written (Liquibase runs it so) and reported once."""
        if section is None or "${" not in section.text:
            return section
        unknown: list[tuple[str, int]] = []

        def value(match: re.Match) -> str:
            found = self.lookup(match.group(1))
            if found is None:
                unknown.append((match.group(1), match.start()))
                return match.group(0)
            return found

        text = PLACEHOLDER.sub(value, section.text)
        code = _COMMENTS.sub(lambda m: " " * len(m.group(0)), section.text)
        unknown = [(name, at) for name, at in unknown if code.startswith("${", at)]
        if unknown:
            names = list(dict.fromkeys(f"${{{name}}}" for name, _ in unknown))
            line = section.start_line + section.text.count("\n", 0, unknown[0][1])
            which = f"{names[0]} has" if len(names) == 1 else f"{', '.join(names)} have"
            message = (
                f"changeset {change.author}:{change.id}: {which} no value here; Liquibase runs "
                "the SQL with the placeholder as written, which PostgreSQL refuses"
            )
            hint = (
                f"give it a value: export {unknown[0][0]}=… before running migtui (Liquibase "
                f"reads the environment too), parameter.{unknown[0][0]}=… in {PROPERTIES}, "
                "or a property in the changelog"
            )
            where = Where(self.root, section.path)
            change.problems.append(where.problem("parse_error", message, hint, line))
        return Section(
            section.kind,
            section.path,
            text,
            section.start_line,
            section.start_offset,
            section.transactional,
        )

    def _add(self, change: Change) -> None:
        a = change.attributes
        if _true(a, "ignore"):
            return
        if not _dbms_matches(a.get("dbms", "")):
            return
        if not _filter_matches(a.get("context", a.get("contextfilter", "")), self.contexts):
            return
        if not _filter_matches(a.get("labels", ""), self.labels):
            return
        self.changes.append(change)


# -- reading the folder ---------------------------------------------------------------


def read(root: Path) -> Read:
    reader = _Reader(root)
    reader.read_root()
    out = Read(
        problems=list(reader.problems), environment=tuple(sorted(reader.environment.items()))
    )
    by_key = {(c.id, c.author): c for c in reader.changes}
    for position, change in enumerate(reader.changes, start=1):
        raw = str(position)
        where = Where(root, change.path, raw)
        problems = [_with_migration(p, raw) for p in change.problems]
        if change.unseen:
            out.code.append((raw, change.path))
            kinds = ", ".join(change.unseen)
            message = (
                f"changeset {change.author}:{change.id} is written in Liquibase's own changes "
                f"({kinds}), not SQL: Liquibase runs it in its place, and migtui cannot see "
                "what it does"
            )
            hint = (
                "if a later changeset needs what it creates, add those objects to assume; or "
                "write it as a <sql> change or formatted SQL"
            )
            out.problems.append(where.problem("code_migration", message, hint, change.line))
            continue
        down = change.down
        if change.down_ref is not None:
            target = by_key.get(change.down_ref)
            if target is not None and target.up is not None:
                down = Section(
                    "down",
                    target.up.path,
                    target.up.text,
                    target.up.start_line,
                    target.up.start_offset,
                    True,
                )
            else:
                ref_id, ref_author = change.down_ref
                message = (
                    f"changeset {change.author}:{change.id} rolls back with changeset "
                    f"{ref_author}:{ref_id}, which is not in the changelog"
                )
                problems.append(
                    where.problem(
                        "parse_error", message, "name a changeset of the changelog", change.line
                    )
                )
        if down is None and change.up is not None:
            message = (
                f"changeset {change.author}:{change.id} has no rollback, so it cannot be "
                "rolled back"
            )
            problems.append(where.problem("missing_down", message, DOWN_HINT, change.line))
        out.migrations.append(
            Migration(
                Version(raw),
                change.id,
                change.path,
                LAYOUT,
                up=change.up,
                down=down,
                run_by=change.run_by,
                guard=change.guard,
                read_problems=tuple(problems),
            )
        )
    return out


#: The changesets last read from a folder, under the folder's signature: the
#: ledger asks for them at every state read and every row it writes.
_READ: dict[Path, tuple[str, dict[str, Change]]] = {}


def changes(root: Path) -> dict[str, Change]:
    """Each migration's changeset (by migtui's version), for the ledger; read
    again only when the folder changed."""
    from migtui.core.cache import folder_signature

    signature = folder_signature(root)
    kept = _READ.get(root)
    if signature is not None and kept is not None and kept[0] == signature:
        return kept[1]
    reader = _Reader(root)
    reader.read_root()
    found = {str(i): c for i, c in enumerate(reader.changes, start=1)}
    if signature is not None:
        _READ[root] = (signature, found)
    return found


def _with_migration(problem: Problem, raw: str) -> Problem:
    return replace(problem, migration=raw)


def root_changelogs(root: Path) -> list[Path]:
    """The XML, YAML and JSON changelogs under ``root`` that no other includes
    (within three levels; formatted SQL files are never roots here)."""
    found: list[Path] = []
    for depth in range(3):
        pattern = "/".join(["*"] * (depth + 1))
        for path in sorted(root.glob(pattern)):
            suffix = path.suffix.lower()
            if (
                suffix in (".xml", ".yaml", ".yml", ".json")
                and path.is_file()
                and _is_changelog(path)
            ):
                found.append(path)
        if found:
            break
    if len(found) <= 1:
        return found
    included: set[Path] = set()
    for path in found:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for name in re.findall(r"""(?:file|path)\s*[=:]\s*["']?([^"'\s>]+)""", text):
            for other in found:
                if other != path and other.as_posix().endswith(
                    name.strip("/").removeprefix("classpath:")
                ):
                    included.add(other)
    return [p for p in found if p not in included]


def _is_changelog(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return b"databaseChangeLog" in head


def _is_formatted(path: Path) -> bool:
    if path.suffix.lower() != ".sql":
        return False
    try:
        with path.open("rb") as f:
            return bool(FORMATTED.match(f.read(200).lstrip(b"\xef\xbb\xbf")))
    except OSError:
        return False


def looks_like_liquibase(root: Path, files: list[Path]) -> str | None:
    """What shows ``root`` (holding ``files``) is a Liquibase folder, or None:
    its properties file, a changelog, or formatted SQL among its first .sql files."""
    if (root / PROPERTIES).is_file():
        return PROPERTIES
    for path in files:
        if path.suffix.lower() in (".xml", ".yaml", ".yml", ".json") and _is_changelog(path):
            return f"changelog {path.name}"
    for path in [p for p in files if p.suffix.lower() == ".sql"][:20]:
        head = peek(path)
        if head is not None and FORMATTED.match(head[:200].lstrip(b"\xef\xbb\xbf")):
            return f"formatted SQL in {path.name}"
    return None


def _changelog_files(folder: Path) -> list[Path]:
    """Every changelog file under ``folder``, recursively, in path order (includeAll's)."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.lower().endswith(CHANGELOG_SUFFIXES) and not name.startswith("."):
                out.append(Path(dirpath) / name)
    return sorted(out, key=lambda p: p.relative_to(folder).as_posix())


def _is_inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


# -- small readers --------------------------------------------------------------------


def _properties(root: Path) -> dict[str, str]:
    """``liquibase.properties`` in the folder or above it (up to the repository's root)."""
    folder = root.resolve()
    for _ in range(8):
        path = folder / PROPERTIES
        if path.is_file():
            return _read_properties(path)
        if (folder / ".git").exists() or folder.parent == folder:
            break
        folder = folder.parent
    return {}


def _read_properties(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        key, sep, value = _prop(line)
        if sep:
            out[key] = value
    return out


def _prop(line: str) -> tuple[str, str, str]:
    match = re.match(r"([^=:\s]+)\s*([=:])\s*(.*)$", line)
    if match is None:
        return line, "", ""
    key = match.group(1)
    # liquibase.command.changelogFile, liquibase.changelogFile → changelogfile
    lowered = key.lower()
    for prefix in ("liquibase.command.", "liquibase."):
        if lowered.startswith(prefix) and not lowered.startswith("liquibase.parameter."):
            lowered = lowered[len(prefix) :]
    if key.startswith(("parameter.", "liquibase.parameter.")):
        return "parameter." + key.split("parameter.", 1)[1], match.group(2), match.group(3).strip()
    return lowered, match.group(2), match.group(3).strip()


def _setting(settings: dict[str, str], *names: str) -> str:
    for name in names:
        if settings.get(name):
            return settings[name]
    return ""


def _unquote(value: str) -> str:
    value = value.strip()
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _int(word: str) -> int:
    try:
        return max(0, int(word))
    except ValueError:
        return 0


def _true(attributes: dict, name: str) -> bool:
    return _attribute(attributes, name).lower() == "true"


def _attribute(attributes: dict, *names: str) -> str:
    lowered = {str(k).lower(): v for k, v in attributes.items()}
    for name in names:
        value = lowered.get(name)
        if value is not None and not isinstance(value, (list, dict)):
            return str(value)
    return ""


def _guard(on_fail: str) -> str:
    """What preconditions failing do to the changeset, when it is not to stop."""
    on_fail = on_fail.strip().upper()
    if on_fail in ("MARK_RAN", "CONTINUE", "WARN"):
        return f"its preconditions decide whether it runs (onFail {on_fail})"
    return ""


def _transactional(attributes: dict[str, str]) -> bool:
    return _attribute(attributes, "runintransaction").lower() != "false"


def _delimiter_line(line: str, delimiter: str | None) -> str:
    """A line that is only the changeset's own end delimiter (``GO``, ``/``)
    ends a statement; to PostgreSQL's grammar it is a ``;``."""
    if delimiter and delimiter.strip() not in ("", ";") and line.strip() == delimiter.strip():
        return ";"
    return line


def _rollback_reference(text: str) -> tuple[str, str] | None:
    match = re.match(r"^changesetid:\s*(\S+)(?:\s+changesetauthor:\s*(\S+))?", text, re.I)
    if match is None:
        return None
    return _unquote(match.group(1)), _unquote(match.group(2) or "")


def _dbms_matches(dbms: str) -> bool:
    names = [n.strip().lower() for n in dbms.split(",") if n.strip()]
    if not names or "all" in names:
        return True
    if "none" in names:
        return False
    wanted = [n for n in names if not n.startswith("!")]
    refused = {n[1:] for n in names if n.startswith("!")}
    if "postgresql" in refused:
        return False
    return "postgresql" in wanted or not wanted


def _filter_matches(expression: str, given: str) -> bool:
    """A changeset's context or labels expression against the runtime's: with
    none given, every changeset runs (Liquibase's rule)."""
    expression = expression.strip()
    runtime = {n.strip().lower() for n in given.split(",") if n.strip()}
    if not runtime or not expression:
        return True
    for alternative in re.split(r",|\s+or\s+", expression.lower()):
        terms = [t.strip().strip("()") for t in re.split(r"\s+and\s+", alternative) if t.strip()]
        if all(
            (t[1:].strip() not in runtime)
            if t.startswith("!")
            else (t[4:].strip() not in runtime)
            if t.startswith("not ")
            else (t in runtime)
            for t in terms
        ):
            return True
    return False


def _section(source: Source, kind: str, first: int, text: str, transactional: bool) -> Section:
    """A section whose text starts at line ``first`` (0-based) of ``source``."""
    start = source.line_starts[first] if first < len(source.line_starts) else len(source.text)
    return Section(
        kind,
        source.path,
        text,
        start_line=first + 1,
        start_offset=source.bom + len(source.text[:start].encode("utf-8")),
        transactional=transactional,
    )


def _joined(
    source: Source, kind: str, parts: list[tuple[str, int, int]], transactional: bool
) -> Section:
    """SQL from several changes of one changeset, each at its own line; one
    change's text where it stands in the file, when it is known."""
    if len(parts) == 1 and parts[0][2] >= 0:
        sql, _, offset = parts[0]
        raw = source.text.encode("utf-8")
        if raw[offset : offset + len(sql.encode("utf-8"))].decode("utf-8", "replace") == sql:
            return Section(
                kind,
                source.path,
                sql,
                start_line=raw.count(b"\n", 0, offset) + 1,
                start_offset=source.bom + offset,
                transactional=transactional,
            )
    first = parts[0][1]
    text = ""
    line = first
    for sql, at, _ in parts:
        if at > line:
            text += "\n" * (at - line)
            line = at
        elif text:
            text += " "  # another statement of the same change: on its line
        body = sql.strip()
        if body and not body.endswith(";"):
            body += ";"
        text += body
        line += body.count("\n")
    return _section(source, kind, first - 1, text + "\n", transactional)


_CHANGE_NAMES = {
    name.lower(): name
    for name in (
        "createTable",
        "addColumn",
        "dropColumn",
        "dropTable",
        "renameTable",
        "renameColumn",
        "createIndex",
        "dropIndex",
        "addForeignKeyConstraint",
        "dropForeignKeyConstraint",
        "addPrimaryKey",
        "addUniqueConstraint",
        "addNotNullConstraint",
        "dropNotNullConstraint",
        "addDefaultValue",
        "dropDefaultValue",
        "createSequence",
        "dropSequence",
        "createView",
        "dropView",
        "insert",
        "update",
        "delete",
        "loadData",
        "loadUpdateData",
        "modifyDataType",
        "addAutoIncrement",
        "customChange",
        "executeCommand",
        "mergeColumns",
        "renameView",
        "addLookupTable",
        "dropAllForeignKeyConstraints",
        "renameSequence",
        "alterSequence",
        "dropPrimaryKey",
        "dropUniqueConstraint",
        "setColumnRemarks",
        "setTableRemarks",
        "createFunction",
        "dropProcedure",
        "empty",
        "stop",
    )
}


class _XmlError(ValueError):
    """A changelog that is not well-formed XML, with the (line, column) where."""

    def __init__(self, message: str, position: tuple[int, int] | None) -> None:
        super().__init__(message)
        self.position = position


def _parse_xml(text: str) -> Node:
    """A changelog's elements as nodes, each with its line, and where its text
    starts in the file."""
    from xml.parsers import expat

    raw = text.encode("utf-8")
    parser = expat.ParserCreate()
    stack: list[Node] = [Node("document")]
    texts: list[list[str]] = [[]]

    def start(tag: str, attributes: dict[str, str]) -> None:
        at = parser.CurrentByteIndex
        node = Node(
            tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower(),
            {k.lower(): v for k, v in attributes.items()},
            line=parser.CurrentLineNumber,
            offset=raw.find(b">", at) + 1 if at >= 0 else -1,
        )
        stack[-1].children.append(node)
        stack.append(node)
        texts.append([])

    def end(tag: str) -> None:
        node = stack.pop()
        node.text = "".join(texts.pop()) or None

    def data(chunk: str) -> None:
        texts[-1].append(chunk)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise _XmlError(expat.ErrorString(exc.code), (exc.lineno, exc.offset)) from None
    document = stack[0]
    if not document.children:
        raise _XmlError("no element", None)
    return document.children[0]


def _yaml_id_lines(source: Source) -> dict[str, list[int]]:
    """The lines of ``id:`` keys in a YAML or JSON changelog, by id, in order:
    a changeset's line, for its messages."""
    ids: dict[str, list[int]] = {}
    for i, line in enumerate(source.lines):
        match = re.match(r"""^\s*-?\s*"?id"?\s*:\s*["']?([^"',]+?)["']?\s*,?\s*$""", line)
        if match:
            ids.setdefault(match.group(1).strip(), []).append(i + 1)
    return ids


# -- the ledger -----------------------------------------------------------------------

#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = (
    ObjectRef(TABLE, "public", "databasechangelog"),
    ObjectRef(TABLE, "public", "databasechangeloglock"),
)

_RAN = frozenset({"EXECUTED", "MARK_RAN", "RERAN"})


class Liquibase(ToolLedger):
    tool = "Liquibase"
    layout = LAYOUT
    table = "databasechangelog"
    columns = frozenset({"id", "author", "filename", "dateexecuted", "orderexecuted", "exectype"})
    all_columns = frozenset(
        {
            "id",
            "author",
            "filename",
            "dateexecuted",
            "orderexecuted",
            "exectype",
            "md5sum",
            "description",
            "comments",
            "tag",
            "liquibase",
            "contexts",
            "labels",
            "deployment_id",
        }
    )

    def key(self, info: MigrationInfo) -> str:
        return info.migration.name

    def select(self, table: str) -> str:
        return (
            f"SELECT id, author, filename, exectype, dateexecuted::text, md5sum FROM {table}"
            " ORDER BY orderexecuted"
        )

    def states(self, rows, infos, root=None):
        found = changes(root) if root is not None else {}
        by_key: dict[tuple[str, str], list[tuple]] = {}
        for row in rows:
            by_key.setdefault((row[0], row[1]), []).append(row)
        out: dict[str, ToolState] = {}
        for info in infos:
            change = found.get(info.version)
            if change is None:
                continue
            row = _row_for(by_key.get((change.id, change.author), []), change.logical)
            if row is None or str(row[3]).upper() not in _RAN:
                continue
            out[info.version] = ToolState(applied=True, checksum=row[5], applied_at=row[4])
        return out

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        change = _change_for(run.root, info)
        comments = change.attributes.get("comment", "")[:255]
        deployment = str(int(time.time() * 1000))[-10:]
        known = list(changes(run.root).values()) if run.root is not None else [change]
        # Liquibase knows a changeset by its file's path as Liquibase was given it
        # (src/main/resources/db/…, classpath:db/…): the prefix its own rows put
        # before the path migtui reads is put before this one too
        prefix = (
            f"(SELECT left(r.filename, length(r.filename) - length(c.logical)) FROM {table} r"
            " JOIN unnest(%s::text[], %s::text[], %s::text[]) AS c(id, author, logical)"
            " ON r.id = c.id AND r.author = c.author AND r.filename LIKE '%%' || c.logical"
            " WHERE r.liquibase IS DISTINCT FROM 'migtui' AND (r.filename = c.logical OR"
            " substr(r.filename, length(r.filename) - length(c.logical), 1) IN ('/', ':'))"
            " ORDER BY r.orderexecuted DESC LIMIT 1)"
        )
        arrays = (
            [c.id for c in known],
            [c.author for c in known],
            [c.logical for c in known],
        )
        return [
            *self.forget(table, info, run),
            (
                f"INSERT INTO {table} (id, author, filename, dateexecuted, orderexecuted,"
                " exectype, md5sum, description, comments, liquibase, contexts, labels,"
                " deployment_id)"
                f" SELECT %s, %s, COALESCE({prefix}, '') || %s, now(),"
                " COALESCE(MAX(orderexecuted), 0) + 1, 'EXECUTED',"
                f" NULL, 'sql', %s, 'migtui', %s, %s, %s FROM {table}",
                (
                    change.id,
                    change.author,
                    *arrays,
                    change.logical,
                    comments,
                    change.attributes.get("context") or None,
                    change.attributes.get("labels") or None,
                    deployment,
                ),
            ),
        ]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        change = _change_for(run.root, info)
        return [
            (
                f"DELETE FROM {table} WHERE id = %s AND author = %s AND (filename = %s"
                " OR filename LIKE '%%/' || %s OR %s LIKE '%%/' || filename)",
                (change.id, change.author, change.logical, change.logical, change.logical),
            )
        ]


def _change_for(root: Path | None, info: MigrationInfo) -> Change:
    change = changes(root).get(info.version) if root is not None else None
    if change is None:
        raise ValueError(f"changeset {info.version} is no longer in the changelog")
    return change


def _same_file(recorded: str, logical: str) -> bool:
    a = recorded.replace("\\", "/").removeprefix("classpath:").lstrip("/")
    b = logical.replace("\\", "/").lstrip("/")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def _row_for(rows: list[tuple], logical: str) -> tuple | None:
    matching = [r for r in rows if _same_file(str(r[2] or ""), logical)]
    if matching:
        return matching[-1]
    return rows[-1] if len(rows) == 1 else None
