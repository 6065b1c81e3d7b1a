"""The plain values every other part of migtui passes around.

Nothing here talks to a database or a screen: migrations, their sections and
statements, the objects they touch, and the problems the analysis finds are all
frozen dataclasses, so they can be cached, compared, printed and sent between
threads freely.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from migtui.core.versions import Version

# Object kinds, in the one spelling shown everywhere.
TABLE = "table"
VIEW = "view"
MATVIEW = "materialized view"
SEQUENCE = "sequence"
INDEX = "index"
FOREIGN_TABLE = "foreign table"
TYPE = "type"
DOMAIN = "domain"
SCHEMA = "schema"
FUNCTION = "function"
PROCEDURE = "procedure"
TRIGGER = "trigger"
EXTENSION = "extension"
COLUMN = "column"
CONSTRAINT = "constraint"
POLICY = "policy"
RULE = "rule"
ROLE = "role"  # the server's, not one database's: see core.objects.roles
PUBLICATION = "publication"
EVENT_TRIGGER = "event trigger"
COLLATION = "collation"
#: a table's place in a publication (``name`` is the publication's)
PUBLISHED = "published table"

#: Kinds that share PostgreSQL's relation namespace (pg_class): a table and a
#: view cannot have the same name in one schema, and a query reading ``x`` is
#: satisfied by whichever of them exists.
RELATION_KINDS = frozenset({TABLE, VIEW, MATVIEW, SEQUENCE, INDEX, FOREIGN_TABLE})
#: Kinds that share pg_type's namespace.
TYPE_KINDS = frozenset({TYPE, DOMAIN})
#: Kinds that share pg_proc's namespace.
ROUTINE_KINDS = frozenset({FUNCTION, PROCEDURE})
#: Kinds named without a schema.
UNQUALIFIED_KINDS = frozenset({SCHEMA, EXTENSION, ROLE, PUBLICATION, EVENT_TRIGGER})
#: Kinds that live on a table rather than in a schema.
#: Kinds named by schema and name alone, in a catalog namespace of their own.
OTHER_KINDS = frozenset({COLLATION})

TABLE_SCOPED_KINDS = frozenset({TRIGGER, COLUMN, CONSTRAINT, POLICY, RULE, PUBLISHED})


T = TypeVar("T")


class computed(Generic[T]):  # noqa: N801 - used as a decorator, like property
    """A value computed from a frozen object's fields on first use, then kept in
    its ``__dict__``: ``functools.cached_property`` without its lock, which
    costs more than the values read on every step of a walk."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


_SCHEMA_PREFIX = re.compile(r'(?:"(?:[^"]|"")*"|[^\W\d][\w$]*)\.')
#: An argument whose type is not spelled where the routine is (``t.a%TYPE``).
UNKNOWN_TYPE = "?"


def unqualified(types: str) -> str:
    """Type names as written with their schemas left out."""
    return _SCHEMA_PREFIX.sub("", types)


def same_type(a: str, b: str) -> bool:
    """Whether two spellings may name one type: the same, one of them not
    spelled here (``%TYPE``), or one written without the schema the other
    names (``s.mood`` and ``mood``, found along the search_path)."""
    if a == b or UNKNOWN_TYPE in (a, b):
        return True
    if ("." in a) == ("." in b):
        return False  # both qualified and different, or both bare and different
    return unqualified(a) == unqualified(b)


def same_arguments(a: str, b: str) -> bool:
    """Two routines' argument lists as spelled (see ``same_type``). A
    procedure's OUT arguments (spelled ``OUT integer``) may be named without
    ``OUT``, or left out, as PostgreSQL allows."""
    left, right = a.split(", ") if a else [], b.split(", ") if b else []
    if _same_types(left, right):
        return True
    if not any(x.startswith("OUT ") for x in left + right):
        return False
    written = [x.removeprefix("OUT ") for x in left], [x.removeprefix("OUT ") for x in right]
    inputs = (
        [x for x in left if not x.startswith("OUT ")],
        [x for x in right if not x.startswith("OUT ")],
    )
    return _same_types(*written) or _same_types(*inputs)


def _same_types(left: list[str], right: list[str]) -> bool:
    return len(left) == len(right) and all(map(same_type, left, right))


@dataclass(frozen=True, order=True)
class ObjectRef:
    """A database object, named the way PostgreSQL resolves it.

    ``schema`` is None only for schemas and extensions. ``table`` is the
    qualified parent (``public.calendar_events_new``) for triggers, columns,
    constraints, policies and rules. ``args`` is the normalized argument type
    list of a function (``"uuid, integer"``), or None when the SQL did not
    say (``DROP FUNCTION f``), in which case it matches any signature.
    """

    kind: str
    schema: str | None
    name: str
    args: str | None = None
    table: str | None = None

    @property
    def qualified(self) -> str:
        return self.name if self.schema is None else f"{self.schema}.{self.name}"

    @computed
    def namespace(self) -> str:
        """The catalog namespace the name lives in; objects match within it."""
        if self.kind in RELATION_KINDS:
            return "relation"
        if self.kind in TYPE_KINDS:
            return "type"
        if self.kind in ROUTINE_KINDS:
            return "routine"
        return self.kind

    @computed
    def key(self) -> tuple[str, str | None, str, str | None]:
        """What two references must share to name the same object (args aside)."""
        return (self.namespace, self.schema, self.name, self.table)

    def __getstate__(self) -> dict:
        """Pickled by its fields alone (``key`` and ``namespace`` are remade)."""
        return {name: self.__dict__[name] for name in _REF_FIELDS}

    @property
    def unspelled(self) -> bool:
        """A routine with an argument whose type is not spelled here (``%TYPE``)."""
        return UNKNOWN_TYPE in (self.args or "").split(", ")

    def column(self, name: str) -> ObjectRef:
        """The column ``name`` of this table (or view)."""
        return ObjectRef(COLUMN, self.schema, name, table=self.qualified)

    def matches(self, other: ObjectRef) -> bool:
        if self.key != other.key:
            return False
        if self.namespace == "routine" and self.args is not None and other.args is not None:
            return self.args == other.args or same_arguments(self.args, other.args)
        return True

    def __str__(self) -> str:
        if self.kind in ROUTINE_KINDS:
            return f"{self.kind} {self.qualified}({self.args if self.args is not None else '…'})"
        if self.kind == COLUMN:
            return f"column {self.table}.{self.name}"
        if self.kind == PUBLISHED:
            return f"table {self.table} in publication {self.name}"
        if self.kind in TABLE_SCOPED_KINDS:
            return f"{self.kind} {self.name} on {self.table}"
        return f"{self.kind} {self.qualified}"

    @classmethod
    def parse(cls, text: str) -> ObjectRef:
        """Read the one spelling back: ``table public.x``, ``function public.f(uuid)``,
        ``trigger t on public.x``, ``column public.x.c``, ``extension pgcrypto``.

        Raises ValueError with a readable message when the text is not such a name.
        """
        text = text.strip()
        kinds = sorted(
            RELATION_KINDS
            | TYPE_KINDS
            | ROUTINE_KINDS
            | UNQUALIFIED_KINDS
            | TABLE_SCOPED_KINDS
            | OTHER_KINDS,
            key=len,
            reverse=True,
        )
        for kind in kinds:
            if text.lower().startswith(kind + " "):
                rest = text[len(kind) + 1 :].strip()
                break
        else:
            raise ValueError(
                f"{text!r} does not start with an object kind (table, view, function, …)"
            )
        if kind in UNQUALIFIED_KINDS:
            return cls(kind, None, rest)
        if kind in ROUTINE_KINDS:
            args = None
            if rest.endswith(")") and "(" in rest:
                rest, _, arglist = rest.partition("(")
                arglist = arglist[:-1].strip()
                args = None if arglist == "…" else arglist
            schema, name = _split_qualified(rest)
            return cls(kind, schema, name, args=args)
        if kind == COLUMN:
            parts = rest.split(".")
            if len(parts) == 2:
                parts.insert(0, "public")
            if len(parts) != 3:
                raise ValueError(f"{text!r}: a column is written column schema.table.column")
            return cls(kind, parts[0], parts[2], table=f"{parts[0]}.{parts[1]}")
        if kind in TABLE_SCOPED_KINDS:
            name, sep, table = rest.partition(" on ")
            if not sep:
                raise ValueError(f"{text!r}: a {kind} is written {kind} NAME on schema.table")
            schema, tname = _split_qualified(table.strip())
            return cls(kind, schema, name.strip(), table=f"{schema}.{tname}")
        schema, name = _split_qualified(rest)
        return cls(kind, schema, name)


def _split_qualified(text: str) -> tuple[str, str]:
    schema, dot, name = text.partition(".")
    if not dot:
        return "public", schema
    return schema, name


_REF_FIELDS = ("kind", "schema", "name", "args", "table")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Problem:
    """Something an operator should know before running the migrations."""

    kind: str
    severity: Severity
    message: str
    hint: str
    migration: str | None = None  # version, as text
    object: str | None = None  # ObjectRef in its one spelling
    file: str | None = None
    line: int | None = None
    #: The section it is about: "up", "down" or "verify" (None: the whole migration).
    section: str | None = None
    #: A lock hint's rule (kind "lint"), which ``lint_off`` in the config turns off.
    rule: str | None = None

    @property
    def blocks_apply(self) -> bool:
        """An error in a down section fails only a rollback, never an apply."""
        return self.severity is Severity.ERROR and self.section != "down"

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "severity": str(self.severity),
            "migration": self.migration,
            "object": self.object,
            "file": self.file,
            "line": self.line,
            "section": self.section,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Statement:
    """One SQL statement of a section, with where it came from.

    ``text`` is the statement as written (comments before it excluded, trailing
    semicolon kept). Lines are 1-based lines of the *file*; offsets are byte
    offsets into the file, end exclusive.
    """

    text: str
    start_line: int
    end_line: int
    start_offset: int
    end_offset: int
    index: int
    #: "sql", "transaction" (BEGIN/COMMIT/ROLLBACK/SAVEPOINT…), "psql" (a meta-command),
    #: "copy_data" (the rows after ``COPY … FROM stdin``, up to ``\.``)
    category: str = "sql"
    #: True when PostgreSQL refuses to run it inside a transaction block.
    no_transaction: bool = False
    #: PostgreSQL's parse tree of the statement (``{"CreateStmt": {...}}``), or
    #: None for psql meta-commands and statements the grammar refused.
    tree: dict | None = field(default=None, compare=False, repr=False)
    #: The byte position, in the text the tree was parsed from, where ``text``
    #: starts: a node's ``location`` minus this is a byte offset into ``text``.
    tree_base: int = field(default=0, compare=False, repr=False)
    #: The grammar's refusal, for a statement it could not parse: PostgreSQL's
    #: message and the 1-based character position in ``text`` it points at.
    syntax_error: tuple[str, int] | None = field(default=None, compare=False)

    def __reduce__(self):
        """Pickled (for the analysis cache) without the parse tree: nothing
        after the analysis needs it, and it is most of a statement's size."""
        return (
            Statement,
            (
                self.text,
                self.start_line,
                self.end_line,
                self.start_offset,
                self.end_offset,
                self.index,
                self.category,
                self.no_transaction,
                None,
                0,
                self.syntax_error,
            ),
        )

    def line_of(self, position: int) -> int:
        """The file line of a 1-based character position in ``text`` (PostgreSQL's
        error position)."""
        position = max(1, min(position, len(self.text) + 1))
        return self.start_line + self.text.count("\n", 0, position - 1)

    @property
    def first_line_text(self) -> str:
        return self.text.strip().splitlines()[0] if self.text.strip() else ""


@dataclass(frozen=True)
class Section:
    """One script of a migration: its up, down or verify SQL."""

    kind: str  # "up" | "down" | "verify"
    path: Path
    text: str
    start_line: int = 1  # file line of the section's first line of text
    start_offset: int = 0  # byte offset of the section's text in the file
    #: False when declared so (transaction:false, goose NO TRANSACTION, diesel
    #: run_in_transaction = false).
    transactional: bool = True
    #: For a text the tool renders before running it (tern's templates): the
    #: file line of each of its lines, in order (empty: line i is start_line + i).
    line_map: tuple[int, ...] = ()

    def file_line(self, line: int) -> int:
        """The file line of ``line`` as counted in ``text`` from ``start_line``."""
        if not self.line_map:
            return line
        index = min(max(line - self.start_line, 0), len(self.line_map) - 1)
        return self.line_map[index]


@dataclass(frozen=True)
class Migration:
    """A migration as read from disk, before any analysis."""

    version: Version
    name: str
    path: Path  # the file (or folder, for diesel) that identifies it
    layout: str
    up: Section | None = None
    down: Section | None = None
    verify: Section | None = None
    #: Versions (as text) declared as prerequisites (``-- requires:``, sqitch [deps]).
    declared_requires: tuple[str, ...] = ()
    #: Flyway's R__ migrations: they have no version and re-run when changed.
    repeatable: bool = False
    #: The tool that alone runs it ("Liquibase" for changesets in its own change
    #: types, which migtui reads to check but does not run); empty: migtui runs it.
    run_by: str = ""
    #: Why the tool may not run it at all (Liquibase's preconditions may mark it
    #: ran instead): what it needs or makes can then only be warned of.
    guard: str = ""
    #: Problems found while reading (unreadable file, unknown marker, …).
    read_problems: tuple[Problem, ...] = field(default=(), compare=False)

    @computed
    def id(self) -> str:
        return str(self.version)

    @property
    def label(self) -> str:
        return f"{self.version}_{self.name}" if self.name else str(self.version)

    @property
    def transactional(self) -> bool:
        return self.up is None or self.up.transactional

    def section(self, kind: str) -> Section | None:
        return {"up": self.up, "down": self.down, "verify": self.verify}.get(kind)
