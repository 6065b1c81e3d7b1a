"""The project analysis: walk every migration's effects in run order.

Each migration's up section is split into statements and turned into ordered
effects (``objects.analyze_script``). Walking them in version order, keeping
the set of objects that exist at each point, decides for every requirement
where it is met: an earlier statement of the same migration, an earlier
migration, an ``assume`` entry, the live database, or nothing — and then
which problem that is and what the operator should do about it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache, partial
from pathlib import Path
from typing import NamedTuple

from migtui.core import facts as F
from migtui.core.casts import (
    FAMILIES,
    REG_TYPES,
    aggregates,
    assigns,
    cast_exists,
    cast_immutable,
    default_opclass,
    empty_refused,
    enum,
    key_equality,
    rewrites,
    spelled,
    unite,
)
from migtui.core.catalog import CatalogSnapshot
from migtui.core.flyway_config import PLACEHOLDER
from migtui.core.folder import AssumeError, analyze_folder
from migtui.core.layouts import LoadResult
from migtui.core.literals import refused as literal_refused
from migtui.core.memory import collector_paused
from migtui.core.model import (
    COLUMN,
    CONSTRAINT,
    DOMAIN,
    EVENT_TRIGGER,
    EXTENSION,
    FOREIGN_TABLE,
    FUNCTION,
    INDEX,
    MATVIEW,
    POLICY,
    PROCEDURE,
    PUBLICATION,
    PUBLISHED,
    ROLE,
    RULE,
    SCHEMA,
    SEQUENCE,
    TABLE,
    TABLE_SCOPED_KINDS,
    TRIGGER,
    TYPE,
    TYPE_KINDS,
    VIEW,
    Migration,
    ObjectRef,
    Problem,
    Severity,
    Statement,
    same_type,
)
from migtui.core.objects import analyze_script
from migtui.core.objects.immutable import (
    INTERVAL_ARITHMETIC,
    NOT_IMMUTABLE_ARITY,
    NOT_IMMUTABLE_ON,
    not_immutable_functions,
)
from migtui.core.parallel import shared_map
from migtui.core.project import (
    FROM_ASSUME,
    FROM_DATABASE,
    FROM_LAYOUT,
    FROM_MIGRATION,
    LEDGER_SCHEMA,
    Analysis,
    Edge,
    MigrationInfo,
    ParsedSection,
    Requirement,
)
from migtui.core.sqlnames import (
    EXTENSION_FUNCTIONS,
    EXTENSION_SCHEMAS,
    EXTENSIONS_NAMED_IN_FULL,
    SYSTEM_COLUMNS,
    choose_name,
)
from migtui.core.statements import (
    DEFAULT_PATH,
    SplitError,
    control_of,
    copy_rows,
    is_copy_from_stdin,
    split,
)

ERROR, WARNING = Severity.ERROR, Severity.WARNING


class _Traits(NamedTuple):
    """What the walk knows of a column beyond its name."""

    always: bool = False  # GENERATED ALWAYS (as an expression, or an identity)
    data_type: str = ""  # its built-in type (see core.casts), "" when not judged
    default: bool = False  # it has a default
    identity: bool = False  # an identity (GENERATED … AS IDENTITY)
    #: the type of its default as PostgreSQL converts it when the column's type
    #: changes (it strips the conversion to the column's type the default was
    #: stored with): a quoted literal's is the column's, a typed constant's or
    #: a known call's its own; "" when not known
    default_type: str = ""
    #: a virtual generated column (PostgreSQL 18's default for GENERATED ALWAYS
    #: AS without STORED): no index or key may use it
    virtual: bool = False
    #: the keys of the enums the column had before a change of its type that
    #: kept its default: the default is still a constant of each, so it holds
    #: them until it is dropped or set again (DROP TYPE: 2BP01)
    default_casts: frozenset = frozenset()
    #: pgvector's vector without dimensions: no hnsw or ivfflat index may use it
    dimensionless: bool = False
    #: its length or precision as written (see ``Effect.type_mods``)
    type_mods: tuple[int, ...] | None = None


def _default_type(eff: F.Effect, column_type: str) -> str:
    """The type of the default ``eff`` gives a column of ``column_type``."""
    given = eff.value_type or ""
    return column_type if given.startswith("'") else given


_NO_TRAITS = _Traits()

#: A name PostgreSQL may have invented and numbered, because the plain one
#: was taken when it was made.
_NUMBERED = re.compile(r"^(.+_(?:pkey|key|excl|check|fkey|not_null|idx))\d+$")

#: The labels PostgreSQL ends an index's or a sequence's invented name with.
_COPY_LABEL = re.compile(r"_(?:pkey|key|excl|idx|seq)\d*$")

#: The types an identity column may have.
_IDENTITY_TYPES = frozenset({"int2", "int4", "int8"})

#: Schemas every database has.
BUILTIN_SCHEMAS = frozenset({"public", "pg_catalog", "information_schema", "pg_toast"})


class _Taken:
    """Names taken, as a predicate answers (for ``choose_name``)."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        self.test = test

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.test(name)


@dataclass
class _Live:
    """The objects that exist at one point of the walk, by catalog key."""

    by_key: dict = field(default_factory=lambda: defaultdict(list))
    #: key -> (ref, version, line) of the latest drop, for "used after drop".
    dropped: dict = field(default_factory=dict)
    #: qualified table -> keys of the objects that live on it (triggers, columns,
    #: indexes…), so dropping or renaming a table never scans everything.
    children: dict = field(default_factory=lambda: defaultdict(set))
    #: key of an index or constraint -> the columns of its table it uses
    columns: dict = field(default_factory=dict)
    #: key of a CHECK or an index -> the columns it compares with a quoted
    #: constant (see ``Effect.compares``)
    compared: dict = field(default_factory=dict)
    #: keys of PostgreSQL 18's not-null constraints
    not_null: set = field(default_factory=set)
    #: qualified table -> its columns' names in their order (what an INSERT
    #: without a column list fills); of use for a complete table only
    order: dict = field(default_factory=dict)

    def not_null_on(self, table: str, column: str) -> ObjectRef | None:
        """The not-null constraint ``column`` of ``table`` has, if any."""
        for key in self.children.get(table, ()):
            if key in self.not_null and column in self.columns.get(key, ()):
                for entry in self.by_key.get(key, ()):
                    return entry[0]
        return None

    def add(
        self, ref: ObjectRef, origin: str, parent: str | None = None, columns: tuple = ()
    ) -> None:
        # a routine whose argument types are not all known replaces only itself
        same = ref.__eq__ if ref.unspelled else ref.matches
        self.by_key[ref.key] = [e for e in self.by_key[ref.key] if not same(e[0])]
        self.by_key[ref.key].append((ref, origin, parent))
        self.dropped.pop(ref.key, None)
        if ref.kind == COLUMN and ref.table:
            names = self.order.setdefault(ref.table, [])
            if ref.name not in names:
                names.append(ref.name)  # a column added goes last
        if columns:
            self.columns[ref.key] = frozenset(columns)
        for table in {ref.table, parent} - {None}:
            self.children[table].add(ref.key)

    def owned_by(self, ref: ObjectRef, parent: str | None, columns: tuple) -> None:
        """``ref`` (a sequence) goes with ``parent``'s column from now on, or
        with nothing (``OWNED BY NONE``)."""
        entry = self.find(ref)
        if entry is None:
            return
        found, origin, old = entry
        if old is not None:
            self.children.get(old, set()).discard(ref.key)
        self.columns.pop(ref.key, None)
        self.by_key[ref.key] = [e for e in self.by_key[ref.key] if e is not entry]
        self.add(found, origin, parent, columns)

    def on_column(self, table: str, column: str) -> list[ObjectRef]:
        """The indexes and constraints of ``table`` that use ``column``: dropping
        the column drops them."""
        found = []
        for key in self.children.get(table, ()):
            if column in self.columns.get(key, ()):
                found += [e[0] for e in self.by_key.get(key, ()) if e[0].kind != COLUMN]
        return found

    def find(self, ref: ObjectRef) -> tuple[ObjectRef, str, str | None] | None:
        for entry in self.by_key.get(ref.key, ()):
            if ref.matches(entry[0]):
                return entry
        return None

    def take_children(self, table: str) -> list[tuple[ObjectRef, str, str | None]]:
        """Remove and return every object living on ``table``."""
        taken = []
        for key in self.children.pop(table, ()):
            kept = []
            for entry in self.by_key.get(key, ()):
                child, _, parent = entry
                (taken if table in (child.table, parent) else kept).append(entry)
            self.by_key[key] = kept
        return taken

    def remove(self, ref: ObjectRef, version: str, line: int) -> list[ObjectRef]:
        """Remove ``ref`` and what lives on it; return what went."""

        entries = self.by_key.get(ref.key, [])
        going = [e for e in entries if ref.matches(e[0])]
        if len(going) > 1 and ref.args is not None:
            # f(text) is the one spelled so, not one whose types are not known here
            sure = [e for e in going if not e[0].unspelled]
            going = sure or going
        gone = [e[0] for e in going]
        if ref.key in self.by_key:
            self.by_key[ref.key] = [e for e in entries if not any(e is g for g in going)]
        self.dropped[ref.key] = (ref, version, line)
        if ref.kind == COLUMN and ref.table and gone:
            names = self.order.get(ref.table)
            if names is not None and ref.name in names:
                names.remove(ref.name)
        if (
            (ref.namespace == "relation" and ref.kind != INDEX)
            or ref.namespace == "type"
            or ref.kind == PUBLICATION  # and its tables' places in it
        ):
            self.order.pop(ref.qualified, None)
            for child, _, _ in self.take_children(ref.qualified):
                gone.append(child)
                self.dropped[child.key] = (child, version, line)
        elif ref.kind == COLUMN and ref.table:
            for child in self.on_column(ref.table, ref.name):
                gone += self.remove(child, version, line)
        return gone

    def rename(self, old: ObjectRef, new: ObjectRef, version: str) -> None:
        """``old`` is now ``new``; the name is ``version``'s work from now on."""
        entry = self.find(old)
        parent = entry[2] if entry else None
        if entry is not None and entry[0].kind != new.kind:
            new = replace(new, kind=entry[0].kind)  # ALTER TABLE v RENAME: still a view
        self.by_key[old.key] = [e for e in self.by_key.get(old.key, ()) if not old.matches(e[0])]
        if old.kind == COLUMN and old.table and old.table in self.order:
            # a renamed column keeps its place
            names = self.order[old.table]
            self.order[old.table] = [new.name if n == old.name else n for n in names]
        elif old.namespace == "relation" and old.qualified in self.order:
            self.order[new.qualified] = self.order.pop(old.qualified)
        moved = self.columns.pop(old.key, ()) if old.key != new.key else ()
        self.add(new, version, parent, tuple(moved))  # an index keeps its columns
        if old.key != new.key and old.key in self.compared:
            self.compared[new.key] = self.compared.pop(old.key)
        if old.key != new.key and old.key in self.not_null:
            self.not_null.discard(old.key)
            self.not_null.add(new.key)
        if old.kind == COLUMN and old.table:
            # the indexes and constraints using it name it anew
            for key in self.children.get(old.table, ()):
                if old.name in self.columns.get(key, ()):
                    self.columns[key] = (self.columns[key] - {old.name}) | {new.name}
                if old.name in self.compared.get(key, ()):
                    self.compared[key] = (self.compared[key] - {old.name}) | {new.name}
        if old.kind == PUBLICATION and old.name != new.name:
            for child, child_origin, _ in self.take_children(old.name):
                self.add(replace(child, name=new.name), child_origin, new.name)
        if old.namespace != "relation" or old.qualified == new.qualified:
            return
        for child, child_origin, child_parent in self.take_children(old.qualified):
            old_key = child.key
            kind, schema, name, table = child.kind, child.schema, child.name, child.table
            if table == old.qualified:
                table = new.qualified
                if kind in TABLE_SCOPED_KINDS:
                    schema = new.schema
            if child_parent == old.qualified:
                child_parent = new.qualified
                if kind == TYPE and name == old.name and schema == old.schema:
                    schema, name = new.schema, new.name  # its row type
                elif child.namespace == "relation":
                    schema = new.schema  # SET SCHEMA takes its indexes
            if (schema, name, table) != (child.schema, child.name, child.table):
                child = ObjectRef(kind, schema, name, child.args, table)
            self.add(child, child_origin, child_parent, self.columns.pop(old_key, ()))
            if old_key in self.not_null:
                self.not_null.discard(old_key)
                self.not_null.add(child.key)


def _tool_cuts(
    m: Migration, kind: str, file: str, section, statements: tuple[Statement, ...]
) -> list[Problem]:
    """A statement goose (or sql-migrate) would cut at a line ending with a
    semicolon inside it (a function's body outside StatementBegin/End)."""
    from migtui.core.tools.goose import cut_lines

    tool = "goose" if m.layout == "goose" else "sql-migrate"
    marker = "+goose" if tool == "goose" else "+migrate"
    return [
        Problem(
            "tool_split",
            WARNING,
            f"{tool} ends a statement at each line ending with a semicolon, quotes and "
            f"dollar-quoted bodies or not: it would send the statement at line "
            f"{statements[index].start_line} cut at line {line}, and PostgreSQL would refuse "
            "the piece (an unterminated dollar-quoted string); migtui runs it whole",
            f"put the statement between -- {marker} StatementBegin and -- {marker} StatementEnd",
            migration=m.id,
            file=file,
            line=line,
            section=kind,
        )
        for index, line in cut_lines(section.text, section.start_line, statements)
    ]


def _default_keeps_enum(traits: _Traits, target: ObjectRef) -> bool:
    """Whether a column of ``traits`` has a default that stays of the type
    ``target`` when the column's type changes: PostgreSQL strips the implicit
    conversion the default was stored with (to a domain, between integers)
    and converts what is left to the new type, so a constant of the enum
    (``'a'``, ``'a'::mood``) stays one, and holds the enum (``'a'::mood::text``)."""
    if not traits.default or traits.always or traits.identity or target.namespace != "type":
        return False
    return traits.default_type == enum(target.qualified)


def _default_freed(casts: frozenset, target: ObjectRef) -> bool:
    """What a column's old default held and a new one (or none) no longer
    does: sequences, functions, and the enums it was a constant of."""
    return target.kind == SEQUENCE or target.namespace == "routine" or target.key in casts


def _labels_shown(labels: tuple[str, ...]) -> str:
    """An enum's first labels, as a message lists them."""
    shown = ", ".join(f"'{label}'" for label in labels[:6])
    return (shown + (" …" if len(labels) > 6 else "")) or "none"


def _listed(objects: list) -> str:
    """The first three of ``objects``, and how many more."""
    more = f" and {len(objects) - 3} more" if len(objects) > 3 else ""
    return ", ".join(str(o) for o in objects[:3]) + more


#: Layouts whose tool rolls back a migration without a down section by doing
#: nothing (migtui does so only when forced): a rollback goes on past it.
_PASSES_MISSING_DOWN = frozenset({"goose", "golang-migrate"})

#: What a section does to an object it names, for messages.
_VERBS = {F.DROP: "drops", F.ALTER: "alters", F.RENAME: "renames"}


def _section_error(
    kind: str,
    m: Migration,
    section: str,
    file: str,
    eff: F.Effect,
    message: str,
    hint: str,
    obj: str | None = None,
) -> Problem:
    """An error of a down or verify section, at ``eff``'s line."""
    return Problem(
        kind, ERROR, message, hint, m.id, obj or str(eff.ref), file, eff.line, section=section
    )


#: How to replace a view PostgreSQL refuses to replace.
_VIEW_REPLACE_HINT = (
    "keep the old columns first, in their order and names, and add new ones after them; or "
    "DROP VIEW and CREATE VIEW (and make again what uses it)"
)


def _view_replace_refused(
    who: str,
    eff: F.Effect,
    old: tuple[str, ...] | None,
    old_types: tuple[str, ...] | None,
    new_types: tuple[str, ...] | None,
) -> str | None:
    """Why PostgreSQL refuses ``CREATE OR REPLACE VIEW`` (42P16) of a view whose
    columns were ``old``, with ``eff``'s columns: one dropped, renamed, moved or
    given another type. None when it runs, or when either is not known."""
    ref, new = eff.ref, eff.outputs
    if old is None or new is None:
        return None
    if len(new) < len(old):
        gone = old[len(new) :]
        return (
            f"{who} {ref} at line {eff.line} without its column{'s' * (len(gone) > 1)} "
            f"{', '.join(gone)}: a view replaced keeps every column it had, and PostgreSQL "
            "refuses (42P16)"
        )
    renamed = [(i, a, b) for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b]
    if renamed:
        i, was, now = renamed[0]
        return (
            f"{who} {ref} at line {eff.line} with column {i + 1} named {now}, where it was "
            f"{was}: a view replaced keeps its columns' names and places, and PostgreSQL "
            "refuses (42P16)"
        )
    retyped = [
        (i, a, b)
        for i, (a, b) in enumerate(zip(old_types or (), new_types or (), strict=False))
        if a and b and a != b
    ]
    if retyped:
        i, was, now = retyped[0]
        return (
            f"{who} {ref} at line {eff.line} with column {new[i]} of type {spelled(now)}, "
            f"where it was {spelled(was)}: a view replaced keeps its columns' types, and "
            "PostgreSQL refuses (42P16)"
        )
    return None


class _Overlay:
    """Changes made on top of the walk's state without touching it: a down or
    verify section walked against the state its up leaves, or every down in
    turn. Kept by catalog key, so thousands of steps stay linear."""

    def __init__(self, live: _Live, hidden: Iterable[ObjectRef] = ()) -> None:
        self.live = live
        self.made: dict = defaultdict(list)  # key -> [(object, the table it lives on)]
        self.made_on: dict = defaultdict(set)  # a table -> the keys made here living on it
        self.gone: dict = defaultdict(list)  # key -> [object]
        self.gone_tables: set[str] = set()
        #: columns whose type changed here: they no longer hold the type they had
        self.retyped: set = set()
        #: columns whose default or generated expression changed here: they no
        #: longer hold the sequences and functions the old one used
        self.redefined: set = set()
        #: objects the state holds that do not count (made by repeatables)
        self.hidden: dict = defaultdict(list)
        for ref in hidden:
            self.hidden[ref.key].append(ref)
        #: a name given here by a rename -> the object as the state knows it,
        #: and a table's qualified name given here -> the state's
        self.origin: dict = {}
        self.table_origin: dict[str, str] = {}
        #: a type's name given here (or a relation's, whose rows are a type) ->
        #: the state's, as a routine's arguments name it
        self.type_origin: dict[str, str] = {}
        #: the kind of each relation a CREATE here made (a need names its
        #: relation as a table, whatever it is)
        self.kinds: dict = {}
        #: (table, column) -> what was made here using that column (an index,
        #: a key): dropping the column drops them
        self.on_column: dict = defaultdict(list)
        #: keys of objects made here again, or replaced: what their old
        #: definition used, they no longer hold; what the new one uses, they
        #: hold (target key -> [dependent])
        self.remade: set = set()
        self.new_dependents: dict = defaultdict(list)
        self.uses: dict = {}  # key -> what its definition made here depends on
        #: a partition attached (its table) or detached (None) here
        self.bound: dict[str, str | None] = {}

    def held_anew(self, ref: ObjectRef) -> list[ObjectRef]:
        """What was made here again, or replaced, and depends on ``ref`` by
        its new definition, and stands."""
        found = [
            d
            for target, d in self.new_dependents.get(ref.key, ())
            if (ref.matches(target) or target.matches(ref))
            and d.key != ref.key
            and not (ref.qualified and d.table == ref.qualified)  # goes with it
            and self.alive(d)
        ]
        return list(dict.fromkeys(found))

    def holds(self, ref: ObjectRef) -> bool:
        """Whether ``ref`` exists now and still holds what the state says it
        depends on (not made again here with another definition)."""
        return ref.key not in self.remade and self.stands(ref)

    def stands(self, ref: ObjectRef) -> bool:
        """``alive``, and, for a view, of its kind still: a table renamed to a
        view's old name is not the view."""
        if ref.kind in (VIEW, MATVIEW) and self.kind_of(ref) not in (None, ref.kind):
            return False
        return self.alive(ref)

    def rename(self, old: ObjectRef, new: ObjectRef) -> None:
        """``old`` is called ``new`` from here on: what lives on it stays."""
        first = self.as_known(old)
        self.origin.pop(old.key, None)
        if old.key in self.kinds:
            self.kinds[new.key] = self.kinds.pop(old.key)
        self._unmake(old)
        self.make(new)
        self.origin[new.key] = first
        if old.namespace == "relation":
            self.table_origin[new.qualified] = self.table_origin.pop(old.qualified, old.qualified)
        if old.namespace == "type" or old.kind in _ROW_TYPED:
            self.type_origin[new.qualified] = self.type_origin.pop(old.qualified, old.qualified)
            if new.schema == old.schema:
                self.type_origin[new.name] = self.type_origin.pop(old.name, old.name)

    def kind_of(self, ref: ObjectRef) -> str | None:
        """The kind of relation ``ref`` names now: made here, or the state's."""
        if ref.key in self.kinds:
            return self.kinds[ref.key]
        entry = self.live.find(self.as_known(ref))
        return entry[0].kind if entry is not None else None

    def as_known(self, ref: ObjectRef) -> ObjectRef:
        """``ref`` under the name the state knows it by (before renames here)."""
        if ref.key in self.origin:
            return self.origin[ref.key]
        if ref.table is not None and ref.table in self.table_origin:
            return ObjectRef(ref.kind, ref.schema, ref.name, ref.args, self.table_origin[ref.table])
        if ref.namespace == "routine" and ref.args and self.type_origin:
            # a routine taking a type renamed here: the state names it by the old name
            args = ", ".join(self._arg_known(token) for token in ref.args.split(", "))
            if args != ref.args:
                return ObjectRef(ref.kind, ref.schema, ref.name, args, ref.table)
        return ref

    def _arg_known(self, token: str) -> str:
        base, array = (token[:-2], "[]") if token.endswith("[]") else (token, "")
        return self.type_origin.get(base, base) + array

    def make(self, ref: ObjectRef, parent: str | None = None) -> None:
        self.made[ref.key].append((ref, parent))
        for table in {parent, ref.table} - {None}:
            self.made_on[table].add(ref.key)
        self.gone[ref.key] = [r for r in self.gone.get(ref.key, ()) if not ref.matches(r)]
        if ref.namespace in ("relation", "type"):
            self.gone_tables.discard(ref.qualified)

    def _unmake(self, ref: ObjectRef) -> None:
        """``ref`` is no more under its name."""
        self.gone[ref.key].append(ref)
        self.made[ref.key] = [(o, p) for o, p in self.made.get(ref.key, ()) if not ref.matches(o)]

    def drop(self, ref: ObjectRef) -> None:
        self._unmake(ref)
        self.kinds.pop(ref.key, None)
        known = self.as_known(ref)
        # a rename here first, and a new object made under the old name since
        # (a table or an enum rebuilt: RENAME TO t_old, CREATE t, DROP t_old):
        # the name is the new object's, and stays
        remade = known is not ref and any(known.matches(o) for o, _ in self.made[known.key])
        if known is not ref and not remade:  # gone under the name the state knows it by too
            self.gone[known.key].append(known)
        if ref.namespace in ("relation", "type"):
            self.gone_tables.add(ref.qualified)  # and what lives on it, or is part of it
            if ref.qualified in self.table_origin and not remade:
                self.gone_tables.add(self.table_origin[ref.qualified])
            # … for good: a relation made again under the name has none of it
            self._children_gone(ref.qualified)
            if known.qualified != ref.qualified:
                self._children_gone(known.qualified, made_here=not remade)

    def _children_gone(self, table: str, made_here: bool = True) -> None:
        """What lives on ``table`` (its indexes, triggers, constraints…) is gone
        with it. Not its columns: one made again with columns a query does
        not name keeps, to the walk, the columns it had. ``made_here``: what
        was made here on a table of that name too (not on one made again)."""
        for key in self.live.children.get(table, ()):
            for child, _, parent in self.live.by_key.get(key, ()):
                if table in (child.table, parent) and child.kind != COLUMN:
                    self.gone[key].append(child)
        for key in self.made_on.pop(table, ()) if made_here else ():
            entries = self.made.get(key, ())
            going = [o for o, p in entries if table in (p, o.table) and o.kind != COLUMN]
            if going:
                self.gone[key].extend(going)
                self.made[key] = [(o, p) for o, p in entries if not any(o is g for g in going)]

    def known(self, ref: ObjectRef) -> bool | None:
        """True when made here, False when dropped here, None when untouched."""
        if any(ref.matches(o) for o, _ in self.made.get(ref.key, ())):
            return True
        if any(ref.matches(r) for r in self.gone.get(ref.key, ())):
            return False
        return None

    def alive(self, ref: ObjectRef) -> bool:
        """Whether ``ref`` exists now: made here, or in the state and not gone
        with a dropped table."""
        if any(ref.matches(r) for r in self.gone.get(ref.key, ())):
            return False
        if ref.table in self.gone_tables:
            return False  # its table went, and it with it
        for obj, parent in self.made.get(ref.key, ()):
            if ref.matches(obj):
                return parent not in self.gone_tables
        if any(ref.matches(r) for r in self.hidden.get(ref.key, ())):
            return False
        known = self.as_known(ref)
        if known is not ref and known.table in self.gone_tables:
            return False
        entry = self.live.find(known)
        return entry is not None and entry[2] not in self.gone_tables


def analyze_dir(
    root: Path,
    *,
    layout: str | None = None,
    assume: Iterable[str] = (),
    catalog: CatalogSnapshot | None = None,
    cache: bool = False,
    listed: Callable[[LoadResult], None] | None = None,
) -> Analysis:
    """Analyse a migrations folder (see ``core.folder.analyze_folder``)."""
    return analyze_folder(
        root, layout=layout, assume=assume, catalog=catalog, cache=cache, listed=listed
    )


def parse_assume(entries: Iterable[str]) -> tuple[ObjectRef, ...]:
    refs = []
    for entry in entries:
        try:
            refs.append(ObjectRef.parse(entry))
        except ValueError as exc:
            raise AssumeError(f"assume: {exc}") from None
    return tuple(refs)


def analyze(
    loaded: LoadResult,
    *,
    assume: Iterable[str] = (),
    catalog: CatalogSnapshot | None = None,
    cache: bool = False,
) -> Analysis:
    """Analyse a loaded project; ``catalog`` adds what the target database has."""
    from migtui.core.cache import AnalysisCache

    store = AnalysisCache(loaded.root) if cache else None
    walker = _Walker(loaded, parse_assume(assume), catalog, store)
    with collector_paused():
        return walker.run()


#: The names in a routine's argument list or result (``setof public.t``, ``mood[]``).
_WORDS = re.compile(r"[\w$]+")

#: Relations with a row type of their name, which a function may take or return.
_ROW_TYPED = frozenset({TABLE, VIEW, MATVIEW, FOREIGN_TABLE})

#: The share of a long history's first reading done in this process: less than
#: half, as this process also walks what it has read while the child reads.
_READ_HERE = 0.45

#: The psql meta-commands pg_dump writes around a dump (17.6, 16.10 … and later).
_DUMP_GUARD = re.compile(r"\\(un)?restrict\b")
#: Why a psql meta-command that changes what runs is refused, and what to do, by
#: the first pattern its line matches (the ones that change nothing are passed
#: over when the section is split: ``statements.psql_inert``).
_PSQL_REFUSALS = (
    (  # psql told to go on after a failing statement
        re.compile(r"\\(unset\s+ON_ERROR_STOP\b|set\s+ON_ERROR_(STOP\s+\S|ROLLBACK\b))"),
        "psql goes on past a failing statement after it, migtui stops at the first",
        "remove it, and write the statements that may fail so they cannot "
        "(IF EXISTS, IF NOT EXISTS, or a DO block with an EXCEPTION handler)",
    ),
    (  # a variable of the script's own, which the SQL substitutes
        re.compile(r"\\set\s+(?!(ON_ERROR_|AUTOCOMMIT|SINGLE))\w"),
        "the SQL after it substitutes the psql variable, which only the psql program does",
        "write the value into the SQL that uses it",
    ),
    (
        re.compile(""),
        "only the psql program understands it",
        "write the SQL it stands for into the migration instead",
    ),
)

#: Where migtui keeps its ledger: made before a migration runs.
_LEDGER_SCHEMA = ObjectRef(SCHEMA, None, LEDGER_SCHEMA)
#: Layouts whose tool sends the rows written after ``COPY … FROM stdin`` (psql
#: runs sqitch's and shmig's scripts; flyway reads them itself)
_SENDS_COPY_ROWS = frozenset({"sqitch", "shmig", "flyway"})
#: What refuses a change of the type of a column it uses (0A000)
_TYPE_USERS = frozenset({VIEW, MATVIEW, COLUMN, TRIGGER, POLICY, FUNCTION, PROCEDURE})
#: What a database has before its first migration: a CREATE of it without IF
#: NOT EXISTS fails (``CREATE LANGUAGE plpgsql`` makes the extension)
_EVERY_DATABASE = frozenset(
    {ObjectRef(SCHEMA, None, "public"), ObjectRef(EXTENSION, None, "plpgsql")}
)

#: The SQLSTATE PostgreSQL raises when a CREATE finds its object there already.
_EXISTS_CODES = {
    TABLE: "42P07",
    VIEW: "42P07",
    MATVIEW: "42P07",
    SEQUENCE: "42P07",
    INDEX: "42P07",
    FOREIGN_TABLE: "42P07",
    COLUMN: "42701",
    SCHEMA: "42P06",
    FUNCTION: "42723",
    PROCEDURE: "42723",
}

#: How to write a value of a type, for a hint.
_EXAMPLES = {"bool": "true or false", "int4": "0", "int8": "0", "text": "'…'", "jsonb": "'{}'"}

#: The SQLSTATE of making what exists, where it is not 42P07 (a relation's).
_EXISTS_STATE = {COLUMN: "42701", CONSTRAINT: "42710", TYPE: "42710"}
#: Objects besides relations and columns a CREATE (without OR REPLACE or IF NOT
#: EXISTS) refuses to make again, and the state it refuses with.
_MADE_ONCE = {
    TRIGGER: "42710",
    POLICY: "42710",
    CONSTRAINT: "42710",
    TYPE: "42710",
    DOMAIN: "42710",
    SCHEMA: "42P06",
}

#: The lock rule whose findings are warnings among the problems instead.
TOOL_TRANSACTION_RULE = "concurrently-in-transaction"

#: Layouts whose tool runs each migration in a transaction unless the file says
#: not to, by the tool's name. The native layout is dbmate's format, and dbmate
#: wraps a file in a transaction.
_WRAPPING_TOOLS = {
    "native": "dbmate",
    "goose": "goose",
    "sqlx": "sqlx",
    "diesel": "diesel",
    "flyway": "flyway",
    "sql-migrate": "sql-migrate",
    "atlas": "Atlas",
    "tern": "tern",
    "drizzle": "drizzle",
    "node-pg-migrate": "node-pg-migrate",
    "pop": "pop",
    "migratus": "Migratus",
    "graphile-migrate": "Graphile Migrate",
    "yoyo": "yoyo",
    "db-migrate": "db-migrate",
    "postgrator": "Postgrator",
    "refinery": "refinery",
}


#: Layouts whose tool sends a file as it is, so a balanced BEGIN … COMMIT
#: inside one is the file's own (Prisma's generated enum changes, a
#: golang-migrate file making part of its work atomic, shmig's template): the runner's one
#: transaction takes its place, as it does a whole-file one's.
_OWN_TRANSACTION_BLOCKS = frozenset({"prisma", "golang-migrate", "shmig", "postgrator"})

#: A team's word that it knows: Atlas's ``-- atlas:nolint MF103`` (or every
#: check) and squawk's ``-- squawk-ignore adding-required-field`` above the statement.
_REQUIRED_COLUMN_ACKNOWLEDGED = re.compile(
    r"--\s*(?:atlas:nolint(?:\s*$|.*\bMF103\b)|squawk-ignore(?:\s*$|.*adding-required-field))",
    re.IGNORECASE,
)


def _acknowledged(m: Migration, sections: dict, finding: F.Finding, kind: str = "up") -> bool:
    """Whether the comment lines right above the finding's statement wave it through."""
    parsed, section = sections.get(kind), m.section(kind)
    if section is None or parsed is None or finding.statement >= len(parsed.statements):
        return False
    lines = section.text.split("\n")
    index = parsed.statements[finding.statement].start_line - section.start_line - 1
    while 0 <= index < len(lines) and lines[index].strip().startswith("--"):
        if _REQUIRED_COLUMN_ACKNOWLEDGED.search(lines[index]):
            return True
        index -= 1
    return False


class _Walker:
    def __init__(
        self,
        loaded: LoadResult,
        assumed: tuple[ObjectRef, ...],
        catalog: CatalogSnapshot | None,
        cache=None,
    ) -> None:
        self.loaded = loaded
        self.cache = cache
        self.catalog = catalog
        self.assumed = CatalogSnapshot(frozenset(assumed))
        self.tool_objects = CatalogSnapshot(frozenset(loaded.assumed))
        self.platform = CatalogSnapshot(frozenset(loaded.platform))
        self.live = _Live()
        self.problems: list[Problem] = []
        #: Lock hints (kind "lint"), apart from the problems: advice, never a failure.
        self.hints: list[Problem] = []
        #: (migration, lock hint rule, column) of each statement a hint is given
        #: for: True while every one of them is known to do no such work (a type
        #: change of the catalog alone, SET NOT NULL of a column that has it)
        self.moot: dict[tuple[str, str, str], bool] = {}
        #: (migration, line, name) of a DROP … IF EXISTS that finds nothing to drop.
        self.locks_nothing: set[tuple[str, int, str]] = set()
        #: (migration, line) of down renames refused for a name taken: they rename nothing
        self.renames_refused: set[tuple[str, int]] = set()
        self.edges: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.declared_edges: set[tuple[str, str]] = set()
        #: versions, in order, whose SQL builds statements at run time
        self.dynamic_before: list[str] = []
        #: … and how, for one that does it by calling a routine of the folder
        #: whose body may change the schema ("calls public.mk(…), whose body")
        self.dynamic_how: dict[str, str] = {}
        #: names of the folder's routines whose bodies may change the schema
        self.acting: set[str] = set()
        #: … whose bodies only make or drop triggers, and whether one has been
        #: called: the triggers are then not known by name
        self.trigger_acting: set[str] = set()
        self.triggers_unknown = False
        #: … and the same of indexes
        self.index_acting: set[str] = set()
        self.indexes_unknown = False
        #: … whose bodies build SQL at run time that makes only new objects,
        #: of names built then: what they may make
        self.runtime_acting: dict[str, tuple[F.Made, ...]] = {}
        #: what SQL built at run time may have made so far: (version, line,
        #: what, how) — an object missing by name may be one of them
        self.runtime_made: list[tuple[str, int, F.Made, str]] = []
        #: partition (qualified) -> (version, statement) that made or attached it
        self.bound_by: dict[str, tuple[str, int]] = {}
        #: materialized views the folder made -> whether they hold rows now
        self.matview_filled: dict[tuple, bool] = {}
        #: relation (qualified) -> its unique indexes of plain columns, with
        #: no WHERE: what REFRESH … CONCURRENTLY needs of a materialized view
        self.column_unique: dict[str, set[ObjectRef]] = defaultdict(set)
        self.extensions_seen = False
        self.parsed: dict[str, dict[str, ParsedSection]] = {}
        #: the search_path a migration starts with, where not the layout's
        self.start_paths: dict[str, tuple[str, ...]] = {}
        self.base_path: tuple[str, ...] = loaded.search_path
        self.facts: dict[str, F.ScriptFacts] = {}
        #: (version, "down" | "verify") -> the effects of that section
        self.section_facts: dict[tuple[str, str], F.ScriptFacts] = {}
        #: extensions created so far that migtui has no index of, by version
        self.unknown_extensions: list[tuple[str, str]] = []
        #: the schema each of them was made in (WITH SCHEMA, or public)
        self.unknown_extension_schemas: dict[str, str] = {}
        #: key of an object -> (the object as named, what depends on it): a view
        #: on its tables, a foreign key on its target, a trigger on its function
        self.dependents: dict = defaultdict(list)
        #: column -> (its value is always the server's: GENERATED ALWAYS; its
        #: built-in type, for casts and foreign keys: see ``core.casts``)
        self.column_traits: dict = {}
        #: table (qualified) -> keys of its columns in ``dependents`` or
        #: ``column_traits`` (a superset), so a table's drop or rename visits its own
        self.column_keys: dict[str, set] = defaultdict(set)
        #: columns ADD COLUMN gave no value (no default) on a table made before
        #: the migration, and nothing has set since: (version,
        #: line, statement index), by qualified table and column name
        self.unfilled: dict[str, dict[str, tuple[str, int, int, bool]]] = defaultdict(dict)
        #: table -> {key constraint or unique index: (its columns, primary?)}
        self.keys: dict[str, dict] = defaultdict(dict)
        #: partitioned table -> its partition columns ("" for an expression)
        self.partitioned: dict[str, tuple[str, ...]] = {}
        #: a partitioned table made in the folder -> its partitions' bounds
        #: (partition -> (bounds, the migration that gave them)), while every
        #: partition it has is known
        self.bounds: dict[str, dict[str, tuple]] = {}
        #: each partition the folder makes or attaches -> its table: it goes
        #: when its table is dropped
        self.bound_to: dict[str, str] = {}
        #: foreign keys made in the folder: the effect that made each one
        self.foreign_keys: list[F.Effect] = []
        #: the enums the folder has made, by qualified name (a renamed one under
        #: its new name, and so its columns' types: _type_renamed), and their labels
        #: (None once SQL the walk cannot follow has changed them)
        self.enums: dict[str, tuple[str, ...] | None] = {}
        #: the folder's publications made FOR ALL TABLES
        self.all_tables: set[str] = set()
        #: keys of the composite types made in the folder: dropping the type
        #: of one of their attributes with CASCADE drops the attribute only
        self.composites: set = set()
        #: view key -> the names of its columns, in order, when they are known
        self.view_columns: dict[tuple, tuple[str, ...]] = {}
        #: … and their types where told ("" where not; see _view_types)
        self.view_types: dict[tuple, tuple[str, ...]] = {}
        #: the names of every routine the folder has made (any schema, ever)
        self.routine_names: set[str] = set()
        self.added_labels: set[tuple[str, str]] = set()
        #: a policy's key -> the command it is for, as made by the folder
        self.policy_commands: dict[tuple, str] = {}
        #: (namespace, name) -> (migration, line) of a statement the grammar
        #: refuses that was written to make it (``CREATE TABLE users (… typo``)
        self.broken_makes: dict[tuple[str, str], tuple[str, int]] = {}
        #: a routine's name -> the keys of its overloads PL/pgSQL not declared
        #: IMMUTABLE, and of its others (whose volatility is not known so)
        self.mutable_routines: dict[str, set] = defaultdict(set)
        #: a routine's name -> its overloads' bodies' bare names pg_catalog
        #: lacks, and whether the body is read when a call is planned
        self.bare_reads: dict[str, dict] = defaultdict(dict)
        #: a materialized view's key -> the functions its query calls
        self.matview_calls: dict = {}
        self.other_routines: dict[str, set] = defaultdict(set)
        #: table -> the migration whose INSERT … VALUES surely left a row in it
        #: (until a DELETE, TRUNCATE or DROP)
        self.has_rows: dict[str, str] = {}
        #: (source, target) -> the context of a cast the folder made between
        #: built-in types ("i", "a" or "e", as CREATE CAST's AS IMPLICIT …)
        self.casts_made: dict[tuple[str, str], str] = {}
        #: a type's name -> keys of the routines whose arguments name it
        self.signature_types: dict[str, set] = defaultdict(set)
        #: (function key, its arguments) -> (result, input names, defaults), as made
        self.function_shapes: dict[tuple, tuple[str, tuple[str, ...], int]] = {}
        #: (key, args) of those of them that take VARIADIC arguments
        self.variadic_functions: set[tuple] = set()
        #: table -> the positions in ``foreign_keys`` of the keys on it or to it
        self.foreign_keys_at: defaultdict[str, set[int]] = defaultdict(set)
        #: key of an object -> what it depends on, to forget when it is made anew
        self.depends_on: dict = {}
        #: extension name -> the objects it made (they go when it is dropped)
        self.extension_members: dict[str, tuple[ObjectRef, ...]] = {}
        #: old key -> (new ref, version, line) of renames, to explain a stale name
        self.renamed: dict = {}
        #: (version, kind, object) -> further lines of a problem already reported
        self.repeats: dict[tuple[str, str, str], list[int]] = {}
        #: Tables (qualified) whose every column the walk knows: made by a plain
        #: CREATE TABLE in the folder, with no SQL built at run time or code
        #: migration since. A column they lack is missing.
        self.complete: set[str] = set()
        #: tables whose every column the walk knew until SQL built at run time
        #: (or a routine it called, or an unreadable file) may have changed any
        #: table, and the version that did: a column missing from one is a
        #: warning, not nothing
        self.doubted: set[str] = set()
        self.doubted_by = ""
        self.doubted_said: set[tuple] = set()
        #: (schema, name) of the tables that are or were partitions, or were made
        #: LIKE another: PostgreSQL gives each its own copy of the other's
        #: indexes (and identity sequences), named after it
        self.copies: set[tuple[str | None, str]] = set()
        #: the readings being kept, in order (see ``run``)
        self._storing: Iterator[str] = iter(())
        #: each file's reading, in order, when two files share a version (their
        #: id): each is walked with its own
        self._readings: list[tuple] | None = None
        self._later: dict | None = None
        self._later_repeatable: dict = {}

    # -- preparation -----------------------------------------------------------------

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.loaded.root))
        except ValueError:
            return str(path)

    def _parse(self, m: Migration) -> tuple[dict[str, ParsedSection], list[Problem]]:
        sections: dict[str, ParsedSection] = {}
        problems: list[Problem] = []
        goose = m.layout in ("goose", "sql-migrate")  # (blocks end their statements)
        for kind in ("up", "down", "verify"):
            section = m.section(kind)
            if section is None:
                continue
            file = self._rel(section.path)
            try:
                result = split(
                    section.text,
                    start_line=section.start_line,
                    start_offset=section.start_offset,
                    goose=goose,
                    inner_blocks=m.layout in _OWN_TRANSACTION_BLOCKS,
                )
            except SplitError as exc:
                problems.append(
                    Problem(
                        "parse_error",
                        ERROR,
                        f"{kind} section cannot be split into statements: {exc}",
                        "close the quote or comment that starts on this line",
                        migration=m.id,
                        file=file,
                        line=section.file_line(exc.line) if exc.line else exc.line,
                        section=kind,
                    )
                )
                continue
            statements = result.statements
            if section.line_map:  # rendered text: its lines are mapped back to the file's
                statements = tuple(
                    replace(
                        st,
                        start_line=section.file_line(st.start_line),
                        end_line=section.file_line(st.end_line),
                    )
                    for st in statements
                )
                result = replace(result, statements=statements)
            sections[kind] = ParsedSection(kind, file, result.statements, result.wrapped)
            problems.extend(self._unsupported(m, kind, file, result.statements))
            problems.extend(_syntax_errors(m, kind, file, result.statements))
            if goose:
                problems.extend(_tool_cuts(m, kind, file, section, result.statements))
        return sections, problems

    def _path_of(self, m: Migration) -> tuple[str, ...]:
        """The search_path ``m`` starts with: the layout's, or the one an
        earlier migration gave the role or the database (``ALTER ROLE … SET
        search_path``), which a new session takes."""
        return self.start_paths.get(m.id, self.base_path)

    def _cache_key(self, m: Migration) -> str:
        parts = [m.id, m.layout, *self._path_of(m)]
        for kind in ("up", "down", "verify"):
            section = m.section(kind)
            if section is not None:
                parts += [kind, str(section.path), str(section.start_line)]
                parts += [str(section.start_offset), section.text]
        return self.cache.key(*parts) if self.cache is not None else ""

    def _read(self, m: Migration) -> tuple:
        """Split and analyse every section of ``m``: what the cache keeps
        (statements are kept there without their parse trees)."""
        sections, problems = self._parse(m)
        facts: dict[str, F.ScriptFacts] = {}
        for kind in ("verify", "down"):
            section = sections.get(kind)
            if section is not None:
                facts[kind] = _analyze_quietly(section.statements, self._path_of(m))
        up = sections.get("up")
        try:
            up_facts = analyze_script(up.statements if up else (), search_path=self._path_of(m))
        except Exception as exc:  # the analyser must never stop the others being read
            up_facts = F.ScriptFacts()
            problems.append(
                Problem(
                    "parse_error",
                    ERROR,
                    f"the SQL could not be analysed ({type(exc).__name__}: {exc})",
                    "check the statement's syntax with psql; report the file if it is valid",
                    migration=m.id,
                    file=self._rel(m.path),
                    line=up.statements[0].start_line if up and up.statements else 1,
                    section="up",
                )
            )
        hints = self._lock_hints(m, up) if up is not None else []
        # a statement the layout's tool would run in a transaction, where the
        # server refuses it: more than a lock hint (migtui runs it apart itself)
        refused = [h for h in hints if h.rule == TOOL_TRANSACTION_RULE]
        if refused:
            hints = [h for h in hints if h.rule != TOOL_TRANSACTION_RULE]
            problems = [*problems, *(replace(h, kind="tool_transaction") for h in refused)]
        down = sections.get("down")
        if down is not None:
            problems = [*problems, *self._refused_in_down(m, down)]
        return sections, problems, up_facts, facts, hints

    def _lock_hints(self, m: Migration, up: ParsedSection) -> list[Problem]:
        from migtui.core.locks import lint

        concurrent = any(s.no_transaction for s in up.statements)
        tool = _wrapping_tool(m, up)
        return lint(
            up.statements,
            migration=m.id,
            file=up.file,
            runs_in_transaction=tool is not None and concurrent,
            held_in_transaction=m.transactional and not concurrent,
            tool=tool or _WRAPPING_TOOLS.get(m.layout, m.layout),
        )

    def _refused_in_down(self, m: Migration, down: ParsedSection) -> list[Problem]:
        """A down section's statements its tool would run in a transaction that
        PostgreSQL refuses there (``DROP INDEX CONCURRENTLY`` under goose):
        ``tool_transaction``, as in an up section."""
        from migtui.core.locks import refused_in_transaction

        tool = _wrapping_tool(m, down)
        if tool is None:
            return []
        out = []
        for st in down.statements:
            if st.no_transaction:
                why, safer = refused_in_transaction(tool)
                out.append(
                    Problem(
                        "tool_transaction",
                        WARNING,
                        f"in the down section, {why}",
                        safer,
                        migration=m.id,
                        file=down.file,
                        line=st.start_line,
                        section="down",
                        rule=TOOL_TRANSACTION_RULE,
                    )
                )
        return out

    def _unsupported(
        self, m: Migration, kind: str, file: str, statements: tuple[Statement, ...]
    ) -> list[Problem]:
        out = []
        for index, st in enumerate(statements):
            severity = ERROR
            if st.tree is not None and is_copy_from_stdin(st):
                if copy_rows(statements, index) is None:
                    message = (
                        f"COPY … FROM stdin in the {kind} section reads its rows from the "
                        "client, and no rows follow it (up to a \\. line)"
                    )
                elif m.layout in _SENDS_COPY_ROWS:
                    continue  # its tool sends the rows after it, as psql does, and so does migtui
                else:
                    severity = WARNING
                    message = (
                        f"COPY … FROM stdin in the {kind} section, with its rows after it: "
                        f"psql sends them, and so does migtui, but {_WRAPPING_TOOLS.get(m.layout, m.layout)} "
                        "sends the "
                        "file as SQL, where the rows are no statement: run by it, the "
                        "migration fails"
                    )
                hint = "load the rows with INSERT … VALUES, or COPY FROM a file the server reads"
            elif st.category == "psql" and _DUMP_GUARD.match(st.first_line_text):
                message = (
                    f"pg_dump's '{st.first_line_text.split()[0]}' line in the {kind} section: "
                    "only psql understands it (pg_dump 17.6 and later write a pair of them "
                    "around a dump)"
                )
                hint = (
                    "delete the \\restrict line and the \\unrestrict line at the end; the SQL "
                    "between them runs as it is"
                )
            elif st.category == "psql":
                why, hint = next(
                    (why, hint)
                    for pattern, why, hint in _PSQL_REFUSALS
                    if pattern.match(st.first_line_text)
                )
                message = f"psql meta-command '{st.first_line_text}' in the {kind} section: {why}"
            elif (
                st.category == "transaction" and m.layout != "sqitch" and control_of(st) == "other"
            ):
                message = (
                    f"transaction control '{st.first_line_text}' inside the {kind} section: "
                    "a migration's own BEGIN, COMMIT and ROLLBACK are followed, but not a "
                    "two-phase commit or a chained transaction"
                )
                hint = "end the transaction with a plain COMMIT, or remove the statement"
            else:
                continue
            out.append(
                Problem(
                    "unsupported_statement",
                    severity,
                    message,
                    hint,
                    migration=m.id,
                    file=file,
                    line=st.start_line,
                    section=kind,
                )
            )
        return out

    # -- the walk -----------------------------------------------------------------------

    def run(self) -> Analysis:
        loaded = self.loaded
        migrations = list(loaded.migrations)
        self.problems.extend(loaded.problems)
        everything = migrations + list(loaded.repeatables)
        self.position = {m.id: i for i, m in enumerate(everything)}
        # the layout's own search_path (flyway's schemas), or the one a session on
        # the target takes (ALTER DATABASE … SET search_path), or public
        self.base_path = loaded.search_path
        if (
            self.catalog is not None
            and self.catalog.search_path
            and loaded.search_path == ("public",)
        ):
            self.base_path = self.catalog.search_path
        self.start_paths = _start_paths(migrations, self.base_path)
        keys = [self._cache_key(m) for m in everything]
        kept = [self.cache.get(key) if self.cache is not None else None for key in keys]
        # what no cache holds is read now, the end of a long history by a second
        # process; each migration is walked as soon as it is read, so the walk of
        # the first part goes on while the second process reads the rest
        unread = [m for m, read in zip(everything, kept, strict=True) if read is None]
        fresh = shared_map(self._read, unread, mine=_READ_HERE)
        shared_ids = len(self.position) != len(everything)
        if shared_ids:
            self._readings = []
        self._storing = self._store(everything, keys, kept, fresh)
        if shared_ids:
            self._finish_reading()  # two files of one version: each walked with its own reading
        infos = []
        for index, m in enumerate(migrations):
            self._stored_until(m.id)
            if self._readings is not None:
                self._keep_reading(m, self._readings[index])
            infos.append(self._walk(m))
        self._finish_reading()
        repeatables = []
        for index, m in enumerate(loaded.repeatables, start=len(migrations)):
            if self._readings is not None:
                self._keep_reading(m, self._readings[index])
            repeatables.append(self._walk(m))
        if self.cache is not None:
            self.cache.save()
        self.repeatable_made = [ref for info in repeatables for ref in info.provides]
        self._declared(migrations)
        self._dbmate_versions(migrations)
        self._cycles(migrations)
        self._rollback_chain(migrations)

        self._guarded(migrations)
        self._fold_repeats()
        per_migration: dict[str, list[Problem]] = defaultdict(list)
        for p in self.problems:
            if p.migration:
                per_migration[p.migration].append(p)
        edges = tuple(
            Edge(src, dst, tuple(dict.fromkeys(objs)), (src, dst) in self.declared_edges)
            for (src, dst), objs in self.edges.items()
        )
        deps: dict[str, list[str]] = defaultdict(list)
        for e in edges:
            deps[e.target].append(e.source)
        order = self.position
        finished = [
            replace(
                info,
                depends_on=tuple(sorted(set(deps.get(info.version, ())), key=order.__getitem__)),
                problems=tuple(per_migration.get(info.version, ())),
            )
            for info in infos + repeatables
        ]
        n = len(infos)
        return Analysis(
            root=loaded.root,
            layout=loaded.layout,
            migrations=tuple(finished[:n]),
            repeatables=tuple(finished[n:]),
            edges=tuple(
                sorted(edges, key=lambda e: (order.get(e.target, 0), order.get(e.source, 0)))
            ),
            problems=tuple(_sorted_problems(self.problems, order)),
            hints=self._kept_hints(),
            live=self.catalog is not None,
            search_path=loaded.search_path,
            environment=loaded.environment,
        )

    def _store(
        self, everything: list[Migration], keys: list[str], kept: list, fresh: Iterator[tuple]
    ) -> Iterator[str]:
        """Keep each migration's reading, in order (from the cache, or read
        now), yielding its id once kept."""
        for m, key, read in zip(everything, keys, kept, strict=True):
            if read is None:
                read = next(fresh)
                if self.cache is not None:
                    self.cache.put(key, read)
            self.hints.extend(read[4])
            self.problems.extend(read[1])
            if self._readings is not None:
                self._readings.append(read)
            self._keep_reading(m, read)
            yield m.id

    def _keep_reading(self, m: Migration, read: tuple) -> None:
        """``m``'s sections and facts, for the walk. Two files of one version
        (a duplicate_version) share an id: each is put in place before its walk,
        and the last file's stays for the passes after it."""
        sections, _, up_facts, section_facts, _ = read
        self.parsed[m.id] = sections
        self.facts[m.id] = up_facts
        for kind in ("down", "verify"):
            self.section_facts.pop((m.id, kind), None)
        for kind, facts in section_facts.items():
            self.section_facts[(m.id, kind)] = facts

    def _stored_until(self, version: str) -> None:
        """Read on until ``version``'s reading is kept."""
        while version not in self.facts:
            if next(self._storing, None) is None:
                return

    def _finish_reading(self) -> None:
        for _ in self._storing:
            pass

    @property
    def providers(self) -> dict:
        """Catalog key -> [(position, ref, version)] of the migrations that
        provide it: known once every migration is read."""
        if self._later is None:
            self._finish_reading()
            self._later = self._providers(list(self.loaded.migrations))
            self._later_repeatable = self._providers(list(self.loaded.repeatables))
        return self._later

    @property
    def repeatable_providers(self) -> dict:
        self.providers  # noqa: B018 - known together
        return self._later_repeatable

    def _guarded(self, migrations: list[Migration]) -> None:
        """Up-section errors of statements that may never run are warnings,
        saying why: in a migration its tool may skip (Liquibase's preconditions
        with ``onFail`` MARK_RAN, which the tool decides then), or in a branch of
        a PL/pgSQL IF conditioned on a table's rows (which the data decides)."""
        guards = {m.id: m.guard for m in migrations if m.guard}
        ranges = {
            m.id: facts.conditional
            for m in migrations
            if (facts := self.facts.get(m.id)) is not None and facts.conditional
        }
        if not guards and not ranges:
            return

        def why(p: Problem) -> str | None:
            guard = guards.get(p.migration or "")
            if guard:
                return f"({guard})"
            for first, last, condition in ranges.get(p.migration or "", ()):
                if p.line is not None and first < p.line <= last:
                    return f"— only if the IF at line {first} finds its rows ({condition})"
            return None

        kept = []
        for p in self.problems:
            if p.severity is ERROR and p.section in (None, "up") and p.kind in _GUARDABLE:
                reason = why(p)
                if reason is not None:
                    p = replace(p, severity=WARNING, message=f"{p.message} {reason}")
            kept.append(p)
        self.problems = kept

    def _fold_repeats(self) -> None:
        """One problem per object and migration, naming every line that needs it."""
        folded = []
        for p in self.problems:
            lines = set(self.repeats.get((p.migration or "", p.kind, p.object or ""), ()))
            lines.discard(p.line)  # needed twice by one line: said once
            if lines:
                also = ", ".join(str(n) for n in sorted(lines))
                verb = " needed" if p.kind in ("missing_prerequisite", "dropped") else ""
                plural = "s" * (len(lines) > 1)
                p = replace(p, message=f"{p.message} (also{verb} at line{plural} {also})")
            folded.append(p)
        self.problems = folded

    def _providers(self, migrations: list[Migration]) -> dict:
        """Catalog key -> [(position, ref, version)] of every migration providing it."""
        found: dict = defaultdict(list)
        for position, m in enumerate(migrations):
            for eff in self.facts[m.id].effects:
                if eff.action == F.PROVIDE:
                    found[eff.ref.key].append((position, eff.ref, m.id))
                elif eff.action == F.RENAME and eff.new is not None:
                    found[eff.new.key].append((position, eff.new, m.id))
        return found

    def _walk(self, m: Migration) -> MigrationInfo:
        if any(p.kind in ("missing_file", "unreadable_file") for p in m.read_problems):
            # its SQL is not known: any table may have other columns after it
            self._doubt_columns(m.id)
        facts = self.facts[m.id]
        sections = self.parsed[m.id]
        up = sections.get("up")
        file = up.file if up else self._rel(m.path)
        for statement in up.statements if up else ():
            if statement.syntax_error is not None:
                meant = _meant_to_make(statement.text)
                if meant is not None:
                    self.broken_makes.setdefault(meant, (m.id, statement.start_line))
        own: dict = defaultdict(list)  # provided earlier in this migration
        provides: list[ObjectRef] = []
        requires: list[Requirement] = []
        drops: list[ObjectRef] = []
        renames: list[tuple[ObjectRef, ObjectRef]] = []
        alters: list[ObjectRef] = []
        dynamic_here = bool(facts.dynamic_lines)
        dynamic_from: int | None = None
        self.added_labels.clear()  # (enum, label) this migration adds, new to the type
        if "trigger" in facts.dynamic_makes:
            self.triggers_unknown = True  # made by SQL built at run time, by names not known
        if "index" in facts.dynamic_makes:
            self.indexes_unknown = True
        for source, target, context in facts.casts:
            self.casts_made[source, target] = context
        how = "builds SQL at run time"
        if self._made_at_run_time(m.id, facts.runtime_makes, how, facts.effects):
            dynamic_here = True  # it may change one of the folder's objects
            dynamic_from = min(line for line, made in facts.runtime_makes if made.touches)
        # SQL built at run time read from its templates alone changes the objects
        # of the names it touches, not any table's columns
        touched = (
            None
            if facts.dynamic_lines
            else frozenset(made.name for _, made in facts.runtime_makes if made.touches)
        )
        if touched is not None and None in touched:
            touched = None

        def own_has(ref: ObjectRef) -> bool:
            return any(ref.matches(r) for r in own.get(ref.key, ()))

        def need(eff: F.Effect, ref: ObjectRef) -> None:
            if ref.kind == ROLE and not (eff.if_exists or eff.guarded or eff.handled):
                self._role_made_later(m, file, eff, ref)
            if eff.if_exists or self._builtin(ref):
                return
            if self._made_by_helpers(ref):
                return  # a routine called before made triggers of names the walk cannot know
            if ref.kind == FUNCTION and ref.args is None and self._type_named(ref):
                return  # mood('ok') is a cast to the folder's type mood
            if eff.action == F.DROP and eff.guarded:
                return  # a drop under an existence test is DROP IF EXISTS written long
            req = self._resolve(m, file, eff, ref, own_has(ref), dynamic_here)
            if req is not None:
                requires.append(req)

        foreign_keys: list[F.Effect] = []  # checked once their statement is done
        numbered: dict = {}  # (statement, name) -> a key's name the server numbered
        emptied_here: set[str] = set()  # tables this migration truncated and left empty
        skipped = 0  # effects of a CREATE TABLE … IF NOT EXISTS that does nothing
        # (relation, statement) of ALTER … IF EXISTS that finds nothing to alter
        skipped_alters: set[tuple] = set()
        # from the first SQL built at run time on, any table may have other columns
        starts = [*facts.dynamic_lines, *([dynamic_from] if dynamic_from is not None else [])]
        dynamic_from = min(starts, default=None)
        dynamic_start = dynamic_from
        for eff in facts.effects:
            if skipped:
                skipped -= 1
                continue
            if dynamic_from is not None and eff.line >= dynamic_from:
                self._doubt_columns(m.id, touched)
                dynamic_from = None
            if eff.invented is not None:
                eff = self._numbered(eff, numbered)
            ref = eff.ref
            if eff.span and self._skipped_create(eff, dynamic_here):
                skipped = eff.span
                continue
            if foreign_keys and eff.statement != foreign_keys[0].statement:
                self._foreign_key_targets(m, file, foreign_keys)
            if eff.not_null in ("implicit", "named") and eff.action == F.PROVIDE:
                self._unfilled_not_null(m, file, eff, dynamic_here)
            if eff.not_null and self._not_null(m, file, eff, dynamic_here):
                continue
            if eff.kind_needed is not None and self._kind_refused(m, file, eff, dynamic_here):
                continue
            if ref.kind == COLUMN and not dynamic_here and eff.action != F.REQUIRE:
                self._partition_column(m, file, eff)
            if eff.concurrently and eff.parent in self.partitioned and not dynamic_here:
                self._refuse(
                    "partition_column",
                    m,
                    file,
                    eff,
                    f"{m.id} builds index {ref.name} CONCURRENTLY on {eff.parent} at line "
                    f"{eff.line}, a partitioned table: PostgreSQL refuses (0A000)",
                    "build it CONCURRENTLY on each partition, then CREATE INDEX … ON ONLY the "
                    "table and ATTACH PARTITION each partition's index to it",
                )
            if ref.kind == PUBLISHED and self._every_table(m, file, eff, dynamic_here):
                continue
            if ref.kind == PUBLICATION and eff.action == F.PROVIDE:
                (self.all_tables.add if eff.all_tables else self.all_tables.discard)(ref.name)
            elif ref.kind == PUBLICATION and eff.new is not None and ref.name in self.all_tables:
                self.all_tables.discard(ref.name)  # (renamed)
                self.all_tables.add(eff.new.name)
            if eff.action == F.PROVIDE:
                if eff.strict and not m.repeatable:
                    self._already_there(m, file, eff, dynamic_here)
                if ref.kind in (FUNCTION, PROCEDURE) and not eff.strict:
                    self._routine_kind_changed(m, file, eff, dynamic_here)
                if eff.branch_types:
                    self._branches_differ(m, file, eff, dynamic_here)
                if ref.kind == VIEW:
                    self._replaced_view(m, file, eff, dynamic_here)
                elif ref.kind == FUNCTION:
                    self._replaced_function(m, file, eff, dynamic_here)
                    if eff.returns_type:
                        self._result_refused(m, file, eff, dynamic_here)
                if ref.kind == POLICY:
                    self.policy_commands[ref.key] = eff.command
                if ref.namespace == "routine":
                    self.routine_names.add(ref.name)
                    self._routine_volatility(ref, eff.mutable)
                    if eff.bare_reads:
                        self.bare_reads[ref.name][ref.key] = (eff.bare_reads, eff.planned)
                    else:
                        self.bare_reads.get(ref.name, {}).pop(ref.key, None)
                    for word in _WORDS.findall(f"{ref.args or ''} {eff.returns}"):
                        self.signature_types[word.rpartition(".")[2]].add(ref.key)
                    if eff.acts:
                        self.acting.add(ref.name)
                    if eff.makes_triggers:
                        self.trigger_acting.add(ref.name)
                    if eff.makes_indexes:
                        self.index_acting.add(ref.name)
                    if eff.runtime_makes:
                        self.runtime_acting[ref.name] = eff.runtime_makes
                if eff.calls or eff.casts or eff.forms:
                    self._not_immutable(m, file, eff, dynamic_here)
                if ref.kind == MATVIEW:
                    self.matview_calls[ref.key] = eff.uses
                    self.matview_filled[ref.key] = eff.filled
                    self.column_unique.pop(ref.qualified, None)
                elif (
                    ref.kind == INDEX
                    and eff.key
                    and eff.parent
                    and all(_PLAIN_NAME.fullmatch(k) for k in eff.key)
                ):
                    self.column_unique[eff.parent].add(ref)
                if ref.kind == INDEX or (ref.kind == MATVIEW and eff.filled):
                    self._restricted_path(m, file, eff, dynamic_here)
                if eff.opclass_for is not None:
                    self._no_default_opclass(m, file, eff, dynamic_here)
                if eff.indexed is not None and eff.indexed[0] in ("hnsw", "ivfflat"):
                    self._dimensionless_index(m, file, eff, dynamic_here)
                if ref.kind == INDEX or (eff.key is not None and eff.key != ("?",)):
                    self._on_virtual(m, file, eff, dynamic_here)
                if ref.kind == EXTENSION:
                    self.extensions_seen = True
                    self._extension_objects(m, ref, eff.into)
                    self._extension_available(m, file, eff)
                own[ref.key].append(ref)
                provides.append(ref)
                was_there = self._alive(ref)
                if ref.kind in (TABLE, VIEW, MATVIEW, FOREIGN_TABLE) and not was_there:
                    # a new relation has nothing on it: a trigger or index said made
                    # on it while it was missing (an error then) is not there
                    self.live.take_children(ref.qualified)
                self.live.add(ref, m.id, eff.parent, eff.columns)
                if eff.compares:
                    self.live.compared[ref.key] = frozenset(eff.compares)
                if eff.joined:
                    self.copies.add((ref.schema, ref.name))
                if eff.starred and not dynamic_here:
                    self._star_twice(m, file, eff)
                if ref.kind in (TABLE, VIEW, MATVIEW):
                    # a view's (or a query's table's) columns are its query's outputs
                    named = eff.outputs if not eff.complete else None
                    for name in named or ():
                        self.live.add(ref.column(name), m.id)
                    # (made before the migration's first SQL built at run time:
                    # known, and doubted from that line on)
                    unsure = dynamic_here and not (dynamic_start and eff.line < dynamic_start)
                    knows = (eff.complete or named is not None) and not (
                        eff.guarded or eff.handled or unsure
                    )
                    if knows and not self.loaded.code_migrations:
                        self.complete.add(ref.qualified)
                    else:
                        self.complete.discard(ref.qualified)
                    self.doubted.discard(ref.qualified)
                    if eff.partitioned_by and not (eff.guarded or eff.handled):
                        self.partitioned[ref.qualified] = eff.partitioned_by
                    else:
                        self.partitioned.pop(ref.qualified, None)
                    if eff.strict or not was_there:  # (IF NOT EXISTS, and there: kept)
                        self._unbind(ref.qualified)
                        self.bounds.pop(ref.qualified, None)
                        if eff.partitioned_by and knows:
                            self.bounds[ref.qualified] = {}
                        if eff.bound is not None:
                            self._bind(m, file, eff, ref, dynamic_here)
                if eff.not_null:
                    self.live.not_null.add(ref.key)
                if eff.primary and eff.key == ("?",):
                    self._key_not_nulls(m, ref)
                self.renamed.pop(ref.key, None)
                depends = self._all_columns(eff.depends) + self._referenced(eff)
                depends += self._bare(eff)
                depends += self._type_held(eff)
                self._depend(ref, depends + self._called(ref, eff.uses))
                if ref.kind == COLUMN:
                    table = _table_of(ref)
                    empty = own_has(table) or ref.table in emptied_here
                    if eff.default or eff.identity or eff.always or empty:
                        self.unfilled[ref.table or ""].pop(ref.name, None)
                    else:
                        self.unfilled[ref.table or ""][ref.name] = (
                            m.id,
                            eff.line,
                            eff.statement,
                            False,  # null in the rows the table had, if it had any
                        )
                    written = self._judged_type(eff.data_type)
                    traits = _Traits(
                        bool(eff.always),
                        written,
                        bool(eff.default),
                        bool(eff.identity),
                        self._judged_type(_default_type(eff, written)) if eff.default else "",
                        eff.virtual,
                    )
                    traits = traits._replace(
                        dimensionless=eff.dimensionless, type_mods=eff.type_mods
                    )
                    if eff.always and not eff.identity:
                        self._generation_reads_generated(m, file, eff, dynamic_here)
                    if eff.virtual:
                        self._virtual_refused(m, file, eff, dynamic_here)
                    self._traits(ref.key, traits)
                    if eff.identity:
                        self._identity_type_refused(m, file, eff, written)
                    if eff.value_type:
                        self._value_refused(m, file, eff, written, dynamic_here)
                elif ref.namespace == "type":
                    if eff.data_type == "enum":
                        self.enums[ref.qualified] = eff.labels or ()
                    else:
                        self.enums.pop(ref.qualified, None)
                    if eff.data_type == "composite":
                        self.composites.add(ref.key)
                    else:
                        self.composites.discard(ref.key)
                if eff.key is not None:
                    owner = ref.table or eff.parent
                    if owner:
                        made_with_it = any(
                            e.statement == eff.statement
                            and e.action == F.PROVIDE
                            and e.ref.kind == TABLE
                            and e.ref.qualified == owner
                            for e in facts.effects
                        )  # CREATE TABLE [IF NOT EXISTS]: a new table, or nothing done
                        if eff.primary and not made_with_it:
                            self._second_primary_key(m, file, eff, owner)
                        if not made_with_it and owner in self.partitioned:
                            self._key_of_partitioned(m, file, eff, owner)
                        key = eff.key
                        if key == ("?",):  # made USING INDEX: the index's columns
                            key = tuple(self._index_columns(ref)) or key
                        self.keys[owner][ref.key] = (frozenset(key), eff.primary)
                if eff.target is not None:
                    foreign_keys.append(eff)
                    self._keep_foreign_key(eff)
            elif eff.action in (F.REQUIRE, F.ALTER):
                if eff.clauses and ref.kind == POLICY:
                    self._policy_clauses_altered(m, file, eff, dynamic_here)
                if eff.action == F.ALTER and ref.namespace == "routine":
                    self._routine_volatility(ref, False)  # ALTER … IMMUTABLE, perhaps
                if (
                    eff.action == F.ALTER
                    and eff.if_exists
                    and not dynamic_here
                    and self._surely_absent(ref)
                ):
                    skipped_alters.add((ref.key, eff.statement))
                if eff.action == F.ALTER and ref.namespace == "routine" and ref.args is None:
                    self._unnamed_overload(m, file, eff, dynamic_here)
                need(eff, ref)
                if eff.routine_kind:
                    self._routine_kind_named(m, file, eff, dynamic_here)
                if eff.cast_label is not None:
                    self._label_refused(m, file, eff, dynamic_here)
                if eff.compared_number:
                    self._number_refused(m, file, eff, dynamic_here)
                if eff.typed_use:
                    self._typed_use_refused(m, file, eff, dynamic_here)
                if eff.retyped_attribute:
                    self._composite_in_use(m, file, eff, dynamic_here)
                if eff.grouped is not None:
                    self._ungrouped(m, file, eff, dynamic_here)
                if eff.aggregate:
                    self._aggregate_refused(m, file, eff, dynamic_here)
                if eff.trigger_function:
                    self._trigger_returns(m, file, eff, dynamic_here)
                if eff.arbiter is not None:
                    self._conflict_target(m, file, eff, dynamic_here)
                if eff.arity is not None and ref.kind == FUNCTION:
                    self._call_arity(m, file, eff, dynamic_here)
                if eff.sets_storage and ref.qualified in self.partitioned and not dynamic_here:
                    self._refuse(
                        "invalid_definition",
                        m,
                        file,
                        eff,
                        f"{m.id} sets storage parameters of {ref} at line {eff.line}, a table "
                        "partitioned by then: it stores no rows of its own, and PostgreSQL "
                        "refuses them (42809)",
                        "set them on its partitions instead",
                    )
                if eff.joined:
                    self.complete.discard(ref.qualified)  # the parent's columns reach it
                    self.doubted.discard(ref.qualified)
                    self.copies.add((ref.schema, ref.name))
                if eff.bound is not None:
                    self._bind(m, file, eff, ref, dynamic_here)
                if eff.refresh:
                    self._refreshed(m, file, eff, dynamic_here)
                if eff.filled and ref.key in self.matview_calls:  # REFRESH MATERIALIZED VIEW
                    uses = self.matview_calls[ref.key]
                    self._restricted_path(m, file, eff.changed(uses=uses), dynamic_here)
                if eff.inherited_by is not None:
                    schema, _, name = eff.inherited_by[0].rpartition(".")
                    child = ObjectRef(TABLE, schema or None, name)
                    if eff.inherited_by[1]:
                        self._hold(child, ref)
                    else:
                        self._release(child, ref.matches)
                if ref.namespace == "relation":
                    if eff.assigned or eff.truncated is not None:
                        self.has_rows.pop(ref.qualified, None)
                    elif eff.writes_row and not (eff.guarded or eff.handled):
                        self.has_rows[ref.qualified] = m.id
                    if eff.truncated is not None and not (eff.guarded or eff.handled):
                        emptied_here.add(ref.qualified)
                    elif eff.writes_row:
                        emptied_here.discard(ref.qualified)
                if (eff.assigned or eff.truncated is not None) and ref.namespace == "relation":
                    self.unfilled.pop(ref.qualified, None)  # its rows are changed or gone
                elif eff.assigned or eff.using == "expression":
                    self.unfilled[ref.table or ""].pop(ref.name, None)
                elif eff.runs:
                    self.unfilled.clear()  # what the routine's body sets is not known
                if eff.runs and ref.name in self.trigger_acting:
                    self.triggers_unknown = True  # it makes triggers the walk cannot name
                if eff.runs and ref.name in self.index_acting:
                    self.indexes_unknown = True  # … or indexes
                touches = eff.runs and ref.name in self.runtime_acting
                if touches:
                    touches = self._made_at_run_time(
                        m.id,
                        [(eff.line, made) for made in self.runtime_acting[ref.name]],
                        f"calls {ref}, whose body builds SQL at run time",
                    )
                if (touches or (eff.runs and ref.name in self.acting)) and not dynamic_here:
                    # what the body makes, alters or drops is not known by name
                    dynamic_here = True
                    self.dynamic_how[m.id] = f"calls {ref} (line {eff.line}), whose body"
                    self._doubt_columns(m.id)
                traits = self.column_traits.get(ref.key, _NO_TRAITS)
                if ref.kind == COLUMN and eff.action == F.ALTER:
                    self._identity_kept(m, file, eff, traits, dynamic_here)
                if eff.renewed and ref.kind == COLUMN:
                    # a generated expression dropped or replaced: what it read is
                    # free, and what a new one reads is held
                    self._release(
                        ref, lambda t: t.kind in (COLUMN, SEQUENCE) or t.namespace == "routine"
                    )
                    for target in eff.depends + self._called(ref, eff.uses):
                        self._hold(ref, target)
                    if eff.calls or eff.casts or eff.forms:
                        self._not_immutable(m, file, eff, dynamic_here)
                    if eff.depends:  # SET EXPRESSION
                        self._generation_reads_generated(m, file, eff, dynamic_here)
                elif eff.renewed and ref.kind == SEQUENCE:
                    self.live.owned_by(ref, eff.parent, eff.columns)
                elif eff.renewed and ref.kind == PUBLICATION:
                    # SET TABLE: the tables it lists, and no other
                    for gone, _, _ in self.live.take_children(ref.name):
                        own[gone.key] = [r for r in own.get(gone.key, ()) if r != gone]
                elif eff.renewed:  # (a policy's new expressions: the functions they call too)
                    self._depend(ref, eff.depends + self._bare(eff) + self._called(ref, eff.uses))
                if eff.retype:
                    held = self.depends_on.get(ref.key, ())
                    kept = tuple(t for t in held if t.namespace != "type" and t.kind != EXTENSION)
                    new_type = self._type_held(eff)
                    casts = {t for t in held if _default_keeps_enum(traits, t)} - set(new_type)
                    if ref.kind == COLUMN and casts:
                        # the default stays a constant of the old type, and holds it
                        kept += tuple(casts)
                        keys = traits.default_casts | {t.key for t in casts}
                        traits = traits._replace(default_casts=keys - {t.key for t in new_type})
                    self._depend(ref, tuple(dict.fromkeys(kept + new_type + eff.depends)))
                    if not self._cast_refused(m, file, eff, traits, dynamic_here):
                        self._retyped(m, file, eff, dynamic_here)
                        self._retyped_key(m, file, eff, dynamic_here)
                        self._compared_retyped(m, file, eff, traits, dynamic_here)
                    retyped = self._judged_type(eff.data_type)
                    if ref.kind == COLUMN:
                        self._rewrite_judged(m, eff, traits, retyped)
                    # the default is converted with the column (or the change refused)
                    # by an implicit coercion, which the next change strips again:
                    # that one converts the default as it was set
                    traits = traits._replace(
                        data_type=retyped, dimensionless=eff.dimensionless, type_mods=eff.type_mods
                    )
                if eff.identity and eff.action == F.ALTER and ref.kind == COLUMN:
                    self._identity_refused(m, file, eff, traits, dynamic_here)
                if eff.always is not None:
                    traits = traits._replace(always=eff.always)
                if eff.default is not None:
                    traits = traits._replace(
                        default=eff.default,
                        default_type=(
                            self._judged_type(_default_type(eff, traits.data_type))
                            if eff.default
                            else ""
                        ),
                    )
                    if ref.kind == COLUMN and not (traits.always and not traits.identity):
                        # the old default's sequences, functions and casts are free
                        self._release(ref, partial(_default_freed, traits.default_casts))
                        traits = traits._replace(default_casts=frozenset())
                        if eff.action == F.ALTER:  # … and the new one's are held
                            for target in eff.depends + self._called(ref, eff.uses):
                                self._hold(ref, target)
                if eff.identity is not None:
                    if eff.identity is False and traits.identity:
                        # DROP IDENTITY: its sequence goes with it
                        for seq in self.live.on_column(ref.table or "", ref.name):
                            if seq.kind == SEQUENCE:
                                self.live.remove(seq, m.id, eff.line)
                    traits = traits._replace(identity=eff.identity)
                changed = (eff.always, eff.default, eff.identity) != (None, None, None)
                if eff.retype or changed:
                    self._traits(ref.key, traits)
                if eff.value_type:
                    self._value_refused(m, file, eff, traits.data_type, dynamic_here)
                if eff.labels is not None and ref.namespace == "type":
                    self._enum_labels_changed(m, file, eff, dynamic_here)
                if eff.positional is not None:
                    self._positional_insert(m, file, eff, dynamic_here)
                if eff.inserts is not None:
                    self._unfilled(m, file, eff, dynamic_here)
                if eff.truncated is not None:
                    self._truncate_refused(m, file, eff, dynamic_here)
                if (eff.inserted or eff.set_value) and traits.always:
                    self._generated_insert(m, file, eff)
                if eff.action == F.ALTER and ref.kind not in (COLUMN, CONSTRAINT):
                    alters.append(ref)
            elif eff.action == F.DROP:
                if ref.namespace == "routine" and ref.args is None:
                    self._unnamed_overload(m, file, eff, dynamic_here)
                if eff.routine_kind and self._routine_kind_named(m, file, eff, dynamic_here):
                    continue  # refused: nothing is dropped
                found = self._found_on_path(eff, ref)
                if self._wrong_kind(m, file, eff, found, dynamic_here):
                    continue  # refused: nothing is dropped, nothing of this kind is needed
                need(eff, ref)
                ref = found
                drops.append(ref)
                if ref.kind == INDEX:
                    self._constraint_index(m, file, eff, dynamic_here)
                elif ref.kind == TABLE and not eff.cascade:
                    self._referenced_partition(m, file, eff, ref, dynamic_here)
                gone = eff.if_exists and ref.key in self.live.dropped and not self._alive(ref)
                if ref.namespace == "relation" and not own_has(ref):  # (without IF EXISTS it fails)
                    self._drops_nothing(m, eff, ref, gone, dynamic_here)
                holding = (
                    []  # IF EXISTS of what is gone already: nothing is dropped
                    if gone
                    else _not_dropped_with(self._holding(ref, self._alive), eff, facts)
                )
                if holding and not eff.cascade:
                    defaults = self._defaults_held(ref, holding)
                    self._refused_drop(m, file, "up", eff, holding, dynamic_here, defaults)
                for dependent in (
                    self._cascaded(holding, self._alive, drop=ref) if eff.cascade else ()
                ):
                    self.live.remove(dependent, m.id, eff.line)
                    self._forget(dependent)
                if eff.cascade and ref.namespace == "type":
                    for column in self._defaults_held(ref, holding):
                        # CASCADE drops the default that casts to it, not the column
                        was = self.column_traits[column.key]
                        self._traits(
                            column.key, was._replace(default=False, default_casts=frozenset())
                        )
                        self._release(column, partial(_default_freed, was.default_casts))
                if ref.kind == EXTENSION:
                    for member in self.extension_members.get(ref.name, ()):
                        self.live.remove(member, m.id, eff.line)
                    # gone, it explains nothing a later migration needs
                    self.unknown_extensions = [
                        e for e in self.unknown_extensions if e[1] != ref.name
                    ]
                    if eff.cascade:  # what uses its types and operator classes goes too
                        dynamic_here = True
                        self.dynamic_how[m.id] = (
                            f"drops extension {ref.name} with CASCADE (line {eff.line}), whose "
                            "reach"
                        )
                        self._doubt_columns(m.id)
                partitions = self.partitions_of(ref.qualified) if ref.kind == TABLE else []
                # DROP CONSTRAINT IF EXISTS of a name only an index of a table whose
                # making the walk follows has: nothing is dropped, the index stays
                skips_index = (
                    ref.kind == CONSTRAINT
                    and eff.if_exists
                    and self.live.find(ref) is None
                    and ref.table in self.complete
                )
                if (
                    ref.kind == CONSTRAINT
                    and ref.key in self.live.not_null
                    and not (dynamic_here or self.dynamic_before)
                    and self.live.find(ref) is not None
                ):
                    # a not-null constraint dropped by name: DROP NOT NULL
                    for column in self.live.columns.get(ref.key, ()):
                        self._keeps_not_null(m, file, eff, ref.table or "", column, named=True)
                gone_too = self.live.remove(ref, m.id, eff.line)
                self._forget(ref)
                for partition in partitions:  # they go with their table
                    gone_too += self.live.remove(partition, m.id, eff.line)
                    self._forget(partition)
                if ref.kind == CONSTRAINT and not skips_index:  # a key's index goes with it
                    backing = ObjectRef(INDEX, ref.schema, ref.name)
                    entry = self.live.find(backing)
                    if entry is not None and entry[2] == ref.table:
                        gone_too += self.live.remove(backing, m.id, eff.line)
                for gone in gone_too:
                    own[gone.key] = [r for r in own.get(gone.key, ()) if not gone.matches(r)]
                own[ref.key] = [r for r in own.get(ref.key, ()) if not ref.matches(r)]
            elif eff.action == F.RENAME and eff.new is not None:
                absent = not dynamic_here and self._surely_absent(ref)
                if eff.if_exists and absent:
                    continue  # ALTER … IF EXISTS of nothing: skipped, the new name untouched
                need(eff, ref)
                if not absent:  # (the server says the old name is missing first: 42P01)
                    self._rename_taken(m, file, eff, dynamic_here)
                if ref.namespace != "type":  # (an enum's labels go with its name: _move)
                    self._forget_made(ref)
                own[ref.key] = [r for r in own.get(ref.key, ()) if not ref.matches(r)]
                own[eff.new.key].append(eff.new)
                provides.append(eff.new)
                renames.append((ref, eff.new))
                pairs = [(ref, eff.new), *self._key_partner(ref, eff.new)]
                if ref.kind == SCHEMA:  # its objects, then its routines (named by its types)
                    pairs += self._schema_contents(ref.name, eff.new.name, routines=False)
                for old_ref, new_ref in pairs:
                    self._move(m, eff, old_ref, new_ref)
                if ref.kind == SCHEMA:
                    for old_ref, new_ref in self._schema_contents(ref.name, eff.new.name):
                        self._move(m, eff, old_ref, new_ref)
                self._rename_view_column(ref, eff.new)
                for known in (self.complete, self.doubted):
                    if ref.namespace == "relation" and ref.qualified in known:
                        known.discard(ref.qualified)
                        known.add(eff.new.qualified)
        self._foreign_key_targets(m, file, foreign_keys)
        for finding in facts.findings:
            if finding.refs and (finding.refs[0].key, finding.statement) in skipped_alters:
                continue  # said of a statement that skips itself on this history
            self._finding(m, file, finding)
        if dynamic_here:
            self.unfilled.clear()
            self.dynamic_before.append(m.id)
            # SQL built at run time may have added columns anywhere (or to the
            # tables of the names its templates touch)
            self._doubt_columns(m.id, touched)
        for kind in ("verify", "down"):
            if (m.id, kind) in self.section_facts:
                self._after_up(m, kind, own_has)

        return MigrationInfo(
            migration=m,
            sections=sections,
            provides=tuple(dict.fromkeys(provides)),
            requires=tuple(requires),
            drops=tuple(dict.fromkeys(drops)),
            alters=tuple(dict.fromkeys(alters)),
            dynamic_lines=facts.dynamic_lines,
            renames=tuple(renames),
        )

    def _skipped_create(self, eff: F.Effect, dynamic_here: bool) -> bool:
        """CREATE TABLE IF NOT EXISTS (or under an existence test) of a table the
        walk knows stands: PostgreSQL skips the statement, columns, keys and
        all, and the table keeps the columns it has."""
        if eff.action != F.PROVIDE or eff.strict or dynamic_here:
            return False
        found = self.live.find(eff.ref)
        return found is not None and found[0].kind == TABLE

    def _builtin(self, ref: ObjectRef) -> bool:
        if ref.kind == SCHEMA:
            return ref.name in BUILTIN_SCHEMAS
        if ref.kind == EXTENSION:
            return ref.name == "plpgsql"  # every database has it
        if ref.kind == ROLE:
            # the server's roles are made outside the migrations: only its
            # catalog can say one is missing
            return self.catalog is None or not self.catalog.roles_read
        return ref.schema in ("pg_catalog", "information_schema")

    def _resolve(
        self,
        m: Migration,
        file: str,
        eff: F.Effect,
        ref: ObjectRef,
        in_own: bool,
        dynamic_here: bool,
    ) -> Requirement | None:
        if in_own:
            return None  # created earlier in the same migration: nothing to show
        if ref.kind == COLUMN:
            return self._column(m, file, eff, ref)
        # An unqualified name is looked up along the search_path, schema by schema.
        for candidate in [ref] + [_in_schema(ref, s) for s in eff.alternatives]:
            found = self.live.find(candidate)
            if found is not None:
                provider = found[1]
                if provider and provider != m.id:
                    self.edges[(provider, m.id)].append(str(candidate))
                if provider == m.id:
                    return None
                return Requirement(candidate, file, eff.line, provider, FROM_MIGRATION, eff.guarded)
            source = self._outside_source(candidate)
            if source is not None:
                return Requirement(candidate, file, eff.line, None, source, eff.guarded)
        if ref.kind in (CONSTRAINT, POLICY, RULE) and self._named_on_table_missing(
            m, file, eff, ref, dynamic_here
        ):
            return Requirement(ref, file, eff.line, None, None, eff.guarded)
        if ref.kind == PUBLISHED and self._unpublished(m, file, eff, ref, dynamic_here):
            return Requirement(ref, file, eff.line, None, None, eff.guarded)
        if ref.kind in TABLE_SCOPED_KINDS and ref.kind != "trigger":
            # Columns and constraints are not tracked across migrations: tables made by
            # CREATE TABLE AS, LIKE or dynamic SQL have columns no statement names.
            return None
        if ref.kind == TRIGGER and eff.action == F.DROP:
            table = _table_of(ref)
            if self.live.find(table) is None and self._outside_source(table) is None:
                return None  # its table is missing, and said so
        if ref.namespace == "relation" and self._copied(ref):
            return None
        if eff.composite_ok:
            row = self._found_on_path(eff, ObjectRef(TYPE, ref.schema, ref.name))
            if row.key in self.composites and self.live.find(row) is not None:
                return None  # COMMENT ON COLUMN of a composite type's attribute
        if ref.namespace == "type" and ref.name.startswith("_") and len(ref.name) > 1:
            # _mood: the array type PostgreSQL makes with every type, table and view
            element = self._found_on_path(eff, replace(ref, name=ref.name[1:]))
            if self.live.find(element) is not None:
                return None
        unmet = Requirement(ref, file, eff.line, None, None, eff.guarded)
        if ref.kind == ROLE:
            self._role_missing(m, file, eff)
            return unmet
        self._report_unmet(m, file, eff, ref, dynamic_here)
        return unmet

    def _column(self, m: Migration, file: str, eff: F.Effect, ref: ObjectRef) -> Requirement | None:
        """A column a statement names: shown only when it is missing (what needs
        it needs its table, and says so), or when a migration other than the
        table's added it (an edge of its own)."""
        found = self.live.find(ref)
        table = self.live.find(_table_of(ref))
        if found is not None:
            provider = found[1]
            if provider and provider != m.id and (table is None or table[1] != provider):
                self.edges[(provider, m.id)].append(str(ref))
            return None
        if ref.table not in self.complete or eff.guarded or ref.name in SYSTEM_COLUMNS:
            if ref.table in self.doubted and not eff.guarded and ref.name not in SYSTEM_COLUMNS:
                self._doubted_column(m, file, eff, ref)
            return None  # the walk does not know every column of that table
        if eff.action == F.REQUIRE and ref.name in self.routine_names:
            return None  # t.full_name may call full_name(t), a function taking its rows
        if self._catalog_has(ref):
            return None  # added to the target outside the migrations
        self._missing_column(m, file, eff, ref)
        return Requirement(ref, file, eff.line, None, None, eff.guarded)

    def _doubt_columns(self, version: str, names: frozenset | None = None) -> None:
        """From here on any table may have other columns than the walk knows,
        and any enum other labels; or only those of ``names`` (in any schema)."""
        doubted = (
            set(self.complete)
            if names is None
            else {t for t in self.complete if t.rpartition(".")[2] in names}
        )
        self.doubted |= doubted
        self.complete -= doubted
        self.doubted_by = version
        for name in self.enums:
            if names is None or name.rpartition(".")[2] in names:
                self.enums[name] = None  # its labels are not followed any further

    def _doubted_column(self, m: Migration, file: str, eff: F.Effect, ref: ObjectRef) -> None:
        """A column missing from a table whose columns the walk knew before SQL
        built at run time: a warning, which that SQL may explain."""
        if eff.action == F.REQUIRE and ref.name in self.routine_names:
            return  # t.full_name may call full_name(t)
        if self._catalog_has(ref) or ref.key in self.doubted_said:
            return  # said once: each later use would only repeat it
        if not self._first_time(m, "unknown_origin", str(ref), eff.line):
            return
        self.doubted_said.add(ref.key)
        by = self.doubted_by
        how = self.dynamic_how.get(by, "builds SQL at run time that")
        if by == m.id:
            by = f"{m.id} itself"
        self.problems.append(
            Problem(
                "unknown_origin",
                WARNING,
                f"{m.id} needs column {ref.name} of {ref.table} at line {eff.line}, which the "
                f"migrations do not give it; {by} {how} may have added it",
                f"fix the name if it is wrong; if {self.doubted_by} adds it, declare it with "
                f'assume = ["{ref}"]',
                m.id,
                str(ref),
                file,
                eff.line,
                section="up",
            )
        )

    def _wrong_kind(
        self, m: Migration, file: str, eff: F.Effect, ref: ObjectRef, dynamic: bool
    ) -> bool:
        """DROP TABLE of a view, DROP VIEW of a table, DROP INDEX of a sequence…:
        PostgreSQL refuses, IF EXISTS or not (42809). True when said."""
        if ref.namespace != "relation" or dynamic or self.dynamic_before:
            return False
        entry = self.live.find(ref)
        if entry is None or entry[0].kind == ref.kind or not entry[1]:
            return False
        have = entry[0].kind
        if self._first_time(m, "missing_prerequisite", str(ref), eff.line):
            article = "an" if have[0] in "aeiou" else "a"
            message = (
                f"{m.id} drops {ref} at line {eff.line}, but {ref.qualified} is {article} "
                f"{have} (made by {entry[1]}): PostgreSQL refuses (42809)"
            )
            hint = f"write DROP {have.upper()} {ref.qualified}"
            self._refuse("missing_prerequisite", m, file, eff, message, hint)
        return True

    def _kind_refused(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> bool:
        """A statement whose relation is of a kind it does not work on (a
        policy on a view, an index on a view, REFRESH of a plain view, ALTER
        VIEW of a table…): PostgreSQL refuses (42809). True when said."""
        if dynamic or self.dynamic_before or eff.kind_needed is None:
            return False
        kinds, words = eff.kind_needed
        entry = self.live.find(self._found_on_path(eff, eff.ref))
        if entry is None or not entry[1] or entry[0].kind in kinds:
            return False
        have = entry[0].kind
        if self._first_time(m, "wrong_kind", entry[0].qualified, eff.line):
            article = "an" if have[0] in "aeiou" else "a"
            allowed = " or ".join(sorted(kinds))
            self._refuse(
                "wrong_kind",
                m,
                file,
                eff,
                f"{m.id} {words} {entry[0].qualified} at line {eff.line}, which is {article} "
                f"{have} (made by {entry[1]}), not a {allowed}: PostgreSQL refuses (42809)",
                f"make it on a {allowed}, or make {entry[0].qualified} one",
            )
        return True

    def _found_on_path(self, eff: F.Effect, ref: ObjectRef) -> ObjectRef:
        """The object an unqualified name finds: the first schema of the
        search_path that has it (``ref`` itself when none does)."""
        if not eff.alternatives or self.live.find(ref) is not None:
            return ref
        for schema in eff.alternatives:
            candidate = _in_schema(ref, schema)
            if self.live.find(candidate) is not None:
                return candidate
        return ref

    def _copied(self, ref: ObjectRef) -> bool:
        """A name PostgreSQL may have given the copy of an index, key or
        identity sequence that a partition, or a table made LIKE another, gets
        (``m_2024_d_idx``, ``m_2024_pkey``, ``d_id_seq``): not judged, since
        the walk does not make those copies."""
        if not _COPY_LABEL.search(ref.name):
            return False
        return any(
            ref.name.startswith(name + "_")
            for schema, name in self.copies
            if schema == ref.schema or ref.schema is None
        )

    def _first_time(self, m: Migration, kind: str, name: str, line: int) -> bool:
        """True the first time a problem of ``kind`` about ``name`` comes up in
        ``m``; later lines are kept, for the one problem to name them."""
        key = (m.id, kind, name)
        if key in self.repeats:
            self.repeats[key].append(line)
            return False
        self.repeats[key] = []
        return True

    def _index_columns(self, ref: ObjectRef) -> frozenset:
        """The columns of the index a key made ``USING INDEX`` took its name from."""
        return self.live.columns.get(ObjectRef(INDEX, ref.schema, ref.name).key, frozenset())

    def _key_not_nulls(self, m: Migration, ref: ObjectRef) -> None:
        """ADD PRIMARY KEY USING INDEX: PostgreSQL 18 gives each of the index's
        columns a not-null constraint, as ADD PRIMARY KEY (a) does."""
        columns = self._index_columns(ref)
        table = (ref.table or "").partition(".")[2]
        for column in sorted(columns):
            name = choose_name(table, column, "not_null", ())
            made = ObjectRef(CONSTRAINT, ref.schema, name, table=ref.table)
            if self.live.find(made) is None:
                self.live.add(made, m.id, columns=(column,))
                self.live.not_null.add(made.key)

    def _numbered(self, eff: F.Effect, numbered: dict) -> F.Effect:
        """A key given no name, or a serial's or identity's sequence, whose
        invented name a relation of the schema has by then (an index, or the
        key of a table rebuilt beside this one): PostgreSQL numbers it
        (``t_pkey1``, ``t_id_seq1``), and so does the walk — a key's index
        first, then its constraint, which takes the index's name."""
        ref = eff.ref
        mark = (eff.statement, ref.schema, ref.name)
        if ref.kind == CONSTRAINT:
            name = numbered.pop(mark, None)
            return eff if name is None else eff.changed(ref=replace(ref, name=name))
        if ref.kind not in (INDEX, SEQUENCE) or self.live.find(ref) is None:
            return eff

        def taken(name: str) -> bool:
            return self.live.find(ObjectRef(INDEX, ref.schema, name)) is not None

        name1, name2, label = eff.invented
        name = choose_name(name1, name2, label, _Taken(taken))
        numbered[mark] = name
        new = replace(ref, name=name)
        if ref.kind == SEQUENCE and eff.parent and eff.columns:
            # a serial's column holds the sequence by the name it really has
            column = ObjectRef(COLUMN, ref.schema, eff.columns[0], table=eff.parent)
            held = self.depends_on.get(column.key, ())
            if any(t.key == ref.key for t in held):
                self._depend(column, tuple(new if t.key == ref.key else t for t in held))
        return eff.changed(ref=new)

    def _names_known(self, ref: ObjectRef) -> bool:
        """Whether the walk knows every constraint (or policy) of ``ref``'s
        table: a table of the folder whose whole making it follows, and not a
        name the server may have numbered (``t_pkey1``)."""
        if ref.kind not in (CONSTRAINT, POLICY, RULE) or ref.table not in self.complete:
            return False
        table = self.live.find(_table_of(ref))
        if table is None or table[0].kind != TABLE or self._catalog_has(ref):
            return False
        return _NUMBERED.match(ref.name) is None

    def _named_on_table_missing(
        self, m: Migration, file: str, eff: F.Effect, ref: ObjectRef, dynamic: bool
    ) -> bool:
        """A constraint a statement names (DROP, VALIDATE, RENAME, ALTER or
        COMMENT ON CONSTRAINT), a policy (DROP, ALTER, COMMENT ON POLICY) or a
        rule (DROP RULE, COMMENT ON RULE), on
        a table made in the folder whose every constraint and policy the walk
        knows: absent, PostgreSQL refuses (42704). True when said. A name the
        server may have numbered (``t_pkey1``, where ``t_pkey`` was taken when
        it was made) is not judged."""
        table = self.live.find(_table_of(ref))
        if table is None or table[0].kind != TABLE or ref.table not in self.complete:
            return False
        if dynamic or eff.guarded or eff.handled or self._catalog_has(ref):
            return False
        has = sorted(
            entry[0].name
            for key in self.live.children.get(ref.table or "", ())
            if key[0] == ref.namespace
            for entry in self.live.by_key.get(key, ())
            if entry[0].table == ref.table
        )
        word = ref.kind  # constraint, policy, rule
        plural = "policies" if ref.kind == POLICY else f"{word}s"
        base = _NUMBERED.match(ref.name)
        if base is not None and base.group(1) in has:
            return False
        if not self._first_time(m, "missing_prerequisite", str(ref), eff.line):
            return True
        shown = ", ".join(has[:6]) + (f" and {len(has) - 6} more" if len(has) > 6 else "")
        index = self.live.find(ObjectRef(INDEX, ref.schema, ref.name))
        if ref.kind != CONSTRAINT:
            index = None
        if index is not None and eff.action == F.DROP:
            hint = f"{ref.name} is an index: write DROP INDEX {index[0].qualified}"
        elif index is not None:
            hint = (
                f"{ref.name} is an index, not a constraint: name its columns instead "
                "(ON CONFLICT (a, b)), or make it a constraint (ADD CONSTRAINT … USING INDEX)"
            )
        elif has:
            hint = f"use one of the names it has ({shown}), or add the {word} first"
        else:
            hint = f"it has no {plural}: add the {word} first, or fix the name"
        self.problems.append(
            Problem(
                "missing_prerequisite",
                ERROR,
                f"{m.id} needs {word} {ref.name} of {ref.table}, which has no such "
                f"{word} at this point (made by {table[1]}); PostgreSQL refuses (42704)",
                hint,
                migration=m.id,
                object=str(ref),
                file=file,
                line=eff.line,
                section="up",
            )
        )
        return True

    def _schema_missing(self, ref: ObjectRef) -> bool:
        """``ref``'s schema, named, is nowhere: no migration made it, nor an
        extension, the target, assume or the layout's tool."""
        if ref.schema is None or ref.schema in BUILTIN_SCHEMAS or ref.schema == "public":
            return False
        schema = ObjectRef(SCHEMA, None, ref.schema)
        if self.live.find(schema) is not None or self._outside_source(schema) is not None:
            return False
        return not (self.unknown_extensions or self.loaded.code_migrations)

    def _every_table(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> bool:
        """ALTER PUBLICATION … ADD, SET or DROP TABLE of a publication made
        FOR ALL TABLES: PostgreSQL refuses (55000). True when said."""
        name = eff.ref.name
        if dynamic or name not in self.all_tables:
            return False
        if self.live.find(ObjectRef(PUBLICATION, None, name)) is None:
            return False
        if self._first_time(m, "invalid_definition", f"publication {name}", eff.line):
            self._refuse(
                "invalid_definition",
                m,
                file,
                eff,
                f"{m.id} adds or takes out {eff.ref.table} of publication {name} at line "
                f"{eff.line}, which was made FOR ALL TABLES: it publishes every table, and "
                "PostgreSQL refuses (55000)",
                f"drop the line (every table is in {name}), or make {name} again FOR TABLE …",
            )
        return True

    def _unpublished(
        self, m: Migration, file: str, eff: F.Effect, ref: ObjectRef, dynamic: bool
    ) -> bool:
        """``ALTER PUBLICATION p DROP TABLE t`` of a table not in p, a
        publication the folder made (whose every table the walk knows):
        PostgreSQL refuses (42704). True when said."""
        pub = self.live.find(ObjectRef(PUBLICATION, None, ref.name))
        if pub is None or not pub[1] or dynamic or eff.guarded or eff.handled:
            return False
        if self._catalog_has(ref) or self.live.find(_table_of(ref)) is None:
            return False  # (a missing table is said as such)
        if self._first_time(m, "missing_prerequisite", str(ref), eff.line):
            self._refuse(
                "missing_prerequisite",
                m,
                file,
                eff,
                f"{m.id} takes {ref.table} out of publication {ref.name}, which it is "
                f"not in at this point (made by {pub[1]}); PostgreSQL refuses (42704)",
                f"drop the line, or add the table first (ALTER PUBLICATION {ref.name} ADD TABLE …)",
            )
        return True

    def _missing_column(self, m: Migration, file: str, eff: F.Effect, ref: ObjectRef) -> None:
        table = _table_of(ref)
        found = self.live.find(table)
        made_by = f" (made by {found[1]})" if found is not None and found[1] else ""
        dropped = self.live.dropped.get(ref.key)
        renamed = self.renamed.get(ref.key)
        if renamed is not None:  # the column's own story says more than its table's
            new, by, at = renamed
            made_by = f" ({by} renamed it to {new.name} at line {at})"
        elif dropped is not None and dropped[1]:
            made_by = f" ({dropped[1]} dropped it at line {dropped[2]})"
        if not self._first_time(m, "missing_prerequisite", str(ref), eff.line):
            return
        self.problems.append(
            Problem(
                "missing_prerequisite",
                WARNING if eff.handled else ERROR,  # an exception handler may catch it
                f"{m.id} needs column {ref.name} of {ref.table}, which has no such column "
                f"at this point{made_by}",
                "add the column first (ALTER TABLE … ADD COLUMN), or fix the name",
                migration=m.id,
                object=str(ref),
                file=file,
                line=eff.line,
                section="up",
            )
        )

    def _outside_source(self, ref: ObjectRef) -> str | None:
        """Where an object no migration made comes from: assume, the layout's
        own tool, or the target database; None when from nowhere."""
        if self.assumed.has(ref):
            return FROM_ASSUME
        if self.tool_objects.has(ref) and not self._platform_missing(ref):
            return FROM_LAYOUT
        if self._catalog_has(ref):
            return FROM_DATABASE
        return None

    def _platform_missing(self, ref: ObjectRef) -> bool:
        """A platform's objects (Supabase's ``auth.users``…) are there before
        the first migration on that platform; a target that is not it lacks them."""
        return self.catalog is not None and self.platform.has(ref) and not self._catalog_has(ref)

    def _report_unmet(
        self,
        m: Migration,
        file: str,
        eff: F.Effect,
        ref: ObjectRef,
        dynamic_here: bool,
    ) -> None:
        name = str(ref)
        own_later = self._provided_later_in_same(m, ref, eff)
        dropped = self.live.dropped.get(ref.key)
        if dropped is not None and not (ref.matches(dropped[0]) or dropped[0].matches(ref)):
            dropped = None  # another overload of the name: f() dropped is not f(text)
        here = self.position.get(m.id, len(self.position))
        later_by = [
            v for pos, r, v in self.providers.get(ref.key, ()) if pos > here and ref.matches(r)
        ]
        dynamic = self.dynamic_before + ([m.id] if dynamic_here else [])
        repeatable = next(
            (v for _, r, v in self.repeatable_providers.get(ref.key, ()) if ref.matches(r)), None
        )
        if m.repeatable:
            repeatable = None  # a repeatable needing another: order among them is by name

        def problem(kind: str, severity: Severity, message: str, hint: str) -> None:
            if not self._first_time(m, kind, name, eff.line):
                return
            self.problems.append(
                Problem(kind, severity, message, hint, m.id, name, file, eff.line, section="up")
            )

        # under an existence test or an exception handler, a missing object
        # skips the work instead of failing it: said below, as a warning
        sure = not (eff.guarded or eff.handled)
        if own_later is not None and eff.guarded:
            return  # skipped where it is missing, and made below: an upgrade path
        if own_later is not None and sure:
            if eff.action == F.DROP:  # dropped before it is made: the drop is what is wrong
                hint = (
                    f"remove the DROP at line {eff.line} (nothing by that name is there yet), "
                    "or write it with IF EXISTS"
                )
            elif own_later != eff.line:
                hint = f"move the statement at line {own_later} above line {eff.line}"
            else:
                hint = "move the statement that creates it first"
            verb = "drops" if eff.action == F.DROP else "uses"
            problem(
                "missing_prerequisite",
                ERROR,
                f"{m.id} {verb} {name} at line {eff.line}, before its own line {own_later} "
                "creates it"
                if own_later != eff.line
                else f"{m.id} {verb} {name} at line {eff.line}, before a later statement of that "
                "line creates it",
                hint,
            )
        elif ref.key in self.renamed and self.renamed[ref.key][1] != m.id and sure:
            new, by, at = self.renamed[ref.key]
            problem(
                "dropped",
                ERROR,
                f"{m.id} needs {name}, which {by} renamed to {new.qualified} (line {at})",
                f"use the new name {new.qualified}",
            )
        elif ref.key in self.renamed and sure:
            new, _, at = self.renamed[ref.key]
            problem(
                "dropped",
                ERROR,
                f"{m.id} needs {name} at line {eff.line}, after renaming it to "
                f"{new.qualified} at line {at}",
                f"use the new name {new.qualified}",
            )
        elif dropped is not None and dropped[1] != m.id and sure:
            problem(
                "dropped",
                ERROR,
                f"{m.id} needs {name}, which {dropped[1]} dropped (line {dropped[2]})",
                f"recreate it after {dropped[1]}, or stop {dropped[1]} dropping it",
            )
        elif dropped is not None and sure:
            problem(
                "dropped",
                ERROR,
                f"{m.id} needs {name} after dropping it at line {dropped[2]}",
                "recreate it before this line, or drop it later",
            )
        elif repeatable is not None and (eff.guarded or eff.handled):
            return  # made by a repeatable on every later run; skipped on a first one, as written
        elif repeatable is not None:
            problem(
                "out_of_order",
                ERROR,
                f"{m.id} needs {name}, which only the repeatable {repeatable} creates, and "
                "repeatables run after every versioned migration",
                f"create {name} in a versioned migration before {m.id}, or guard the statement",
            )
        elif eff.handled:
            problem(
                "guarded_requirement",
                WARNING,
                f"{m.id} needs {name} inside a block whose exception handler catches the "
                "error when it is missing: the block may silently do nothing",
                f"create {name} in a migration before {m.id}, or let the error through",
            )
        elif eff.guarded and later_by:
            problem(
                "guarded_requirement",
                WARNING,
                f"{m.id} touches {name} only when it exists, and only the later migration "
                f"{later_by[0]} creates it: on a first run the step is skipped",
                f"if it should run, move it after {later_by[0]}, or renumber {later_by[0]} "
                f"to run before {m.id}",
            )
        elif eff.guarded:
            problem(
                "guarded_requirement",
                WARNING,
                f"{m.id} touches {name} only when it exists, and nothing creates it: "
                "the migration may silently do nothing",
                f"create {name} in a migration before {m.id}, or make the migration fail "
                "loudly when it is missing",
            )
        elif later_by:
            problem(
                "out_of_order",
                ERROR,
                f"{m.id} needs {name}, which only the later migration {later_by[0]} creates",
                f"renumber {later_by[0]} to run before {m.id} (e.g. {_before(self.loaded, m)}), "
                f"or declare the order with -- requires: {later_by[0]}",
            )
        elif self._unexplained_by_code(m) is not None:
            code_version, code_file = self._unexplained_by_code(m)
            problem(
                "unknown_origin",
                WARNING,
                f"{m.id} needs {name}; no SQL migration creates it, but the code migration "
                f"{code_version} ({code_file}) runs before it and may",
                f'if it does, declare it with assume = ["{name}"] to silence this',
            )
        elif (
            self.unknown_extensions
            and ref.kind not in (EXTENSION, SCHEMA)
            and self._known_owner(ref) is None
            and self._unknown_extension_may_make(ref)
        ):
            ext_version, ext_name = self._likely_extension(ref)
            problem(
                "unknown_origin",
                WARNING,
                f"{m.id} needs {name}; no migration creates it, but extension {ext_name} "
                f"(created by {ext_version}) may: migtui does not know its objects",
                f'if {ext_name} provides it, declare it with assume = ["{name}"]',
            )
        elif (maker := self._maybe_made_at_run_time(ref)) is not None:
            version, line, made, how = maker
            problem(
                "unknown_origin",
                WARNING,
                f"{m.id} needs {name}; no migration creates it by name, but {version} "
                f"{how} (line {line}) that makes {made}: it may be one of them",
                f'if {version} creates it, declare it with assume = ["{name}"] to silence this',
            )
        elif dynamic:
            how = self.dynamic_how.get(dynamic[-1], "builds SQL at run time that")
            problem(
                "unknown_origin",
                WARNING,
                f"{m.id} needs {name}; no migration creates it by name, but {dynamic[-1]} "
                f"{how} may create it",
                f'if {dynamic[-1]} creates it, declare it with assume = ["{name}"] to silence this',
            )
        elif (broken := self._broken_maker(ref)) is not None:
            version, line = broken
            maker = "its own line" if version == m.id else f"{version} at line"
            problem(
                "missing_prerequisite",
                WARNING,
                f"{m.id} needs {name}, which {maker} {line} would make, in a "
                "statement PostgreSQL's grammar refuses: that error comes first",
                f"fix the syntax error in {version} at line {line}",
            )
        elif ref.kind in TYPE_KINDS and self._schema_missing(ref):
            problem(
                "missing_prerequisite",
                ERROR,
                f"{m.id} uses {name}, in schema {ref.schema}, which no earlier migration "
                "creates: no extension can have put it there (3F000)",
                f"create schema {ref.schema} (and the type in it) before {m.id}, or name the "
                "type in the schema that has it",
            )
        elif ref.kind in TYPE_KINDS and (self.extensions_seen or self._catalog_has_extensions()):
            problem(
                "unknown_type",
                WARNING,
                f"{m.id} uses {name}; no migration creates it (an extension may provide it)",
                f'if an extension provides it, add assume = ["{name}"] to the config',
            )
        elif self.loaded.layout != "supabase" and ref.key in _supabase_platform():
            problem(
                "missing_prerequisite",
                ERROR,
                f"{m.id} needs {name}; no earlier migration creates it"
                + ("" if self.catalog is None else ", and the database does not have it")
                + ": it is one of the objects Supabase's platform makes",
                "if this project runs on Supabase, read the folder as its migrations "
                "(--layout supabase); otherwise create it before "
                f"{m.id}, e.g. in {_before(self.loaded, m)}",
            )
        elif (owner := self._known_owner(ref)) is not None:
            problem(
                "missing_prerequisite",
                ERROR,
                f"{m.id} needs {name}; no earlier migration creates it"
                + ("" if self.catalog is None else ", and the database does not have it")
                + f": extension {owner} makes it, and no migration creates the extension",
                f'CREATE EXTENSION IF NOT EXISTS "{owner}" in a migration before {m.id}, '
                f"e.g. {_before(self.loaded, m)}",
            )
        else:
            problem(
                "missing_prerequisite",
                ERROR,
                f"{m.id} needs {name}; no earlier migration creates it"
                + ("" if self.catalog is None else ", and the database does not have it"),
                f"create it in a migration before {m.id}, e.g. {_before(self.loaded, m)}"
                + (
                    ""
                    if self.catalog is not None
                    else "; if the database already has it, check with --dsn or add it to assume"
                ),
            )

    def _catalog_has(self, ref: ObjectRef) -> bool:
        if self.catalog is None:
            return False
        if self.catalog.has(ref):
            return True
        # every table and view has a row type of its name, which a catalog
        # snapshot lists as the relation
        return ref.kind in TYPE_KINDS and self.catalog.has(ObjectRef("table", ref.schema, ref.name))

    def _catalog_has_extensions(self) -> bool:
        return self.catalog is not None and any(r.kind == EXTENSION for r in self.catalog.objects)

    def _unnamed_overload(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """DROP, ALTER, COMMENT ON or GRANT … ON FUNCTION naming no arguments,
        where several routines have that name: PostgreSQL cannot tell which is
        meant (42725)."""
        ref = eff.ref
        entries = [e for e in self.live.by_key.get(ref.key, ()) if e[0].kind == ref.kind]
        found = [e[0] for e in entries]
        signatures = {r.args for r in found}
        if len(found) < 2 or None in signatures or len(signatures) < len(found):
            return
        since = min(self.position.get(e[1], -1) for e in entries)
        if dynamic or self._dynamic_since(since):
            return  # SQL built at run time since may have dropped one
        shown = "; ".join(f"{ref.qualified}({r.args})" for r in found[:3])
        what = "drops" if eff.action == F.DROP else "alters"
        message = (
            f"{m.id} {what} {ref} at line {eff.line} without its arguments, but {len(found)} "
            f"routines have that name ({shown}): PostgreSQL refuses (42725)"
        )
        first = f"{ref.qualified}({found[0].args})"
        hint = f"name the one meant with its argument types, as in {ref.kind.upper()} {first}"
        if self._first_time(m, "ambiguous_routine", str(ref), eff.line):
            self._refuse("ambiguous_routine", m, file, eff, message, hint)

    def _rename_unfilled(self, old: ObjectRef, new: ObjectRef) -> None:
        if old.kind == COLUMN and old.name in self.unfilled.get(old.table or "", {}):
            self.unfilled[new.table or ""][new.name] = self.unfilled[old.table or ""].pop(old.name)
        elif old.namespace == "relation" and old.qualified in self.unfilled:
            self.unfilled[new.qualified] = self.unfilled.pop(old.qualified)
        if old.namespace == "relation" and old.qualified in self.has_rows:
            self.has_rows[new.qualified] = self.has_rows.pop(old.qualified)

    def _unfilled_not_null(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """SET NOT NULL (or a primary key) on a column ADD COLUMN gave no value,
        with nothing setting it since: every row the table had then holds a
        null, and PostgreSQL refuses (23502) unless the table was empty."""
        column = eff.columns[0] if eff.columns else ""
        added = self.unfilled.get(eff.ref.table or "", {}).pop(column, None)
        if added is None or dynamic or eff.guarded or eff.handled:
            return
        if self.loaded.code_migrations:
            return  # a code migration may have filled it
        by, line, statement, sure = added
        if by == m.id and statement == eff.statement:
            return  # ADD COLUMN … NOT NULL: said of the ADD COLUMN (required_column)
        where = f"line {line}" if by == m.id else f"{by} (line {line})"
        if sure:
            why = (
                f"but the row {where} inserted has no value for it and no migration sets it "
                "since: PostgreSQL refuses (23502)"
            )
        else:
            why = (
                f"but {where} added it without a default and no migration sets it since: "
                "every row the table had then holds a null, and PostgreSQL refuses (23502) "
                "unless the table was empty"
            )
        self.problems.append(
            Problem(
                "required_column",
                ERROR if sure else WARNING,
                f"{m.id} makes column {column} of {eff.ref.table} NOT NULL at line {eff.line}, "
                + why,
                f"fill it first (UPDATE {eff.ref.table} SET {column} = … WHERE {column} IS "
                "NULL), or give it a DEFAULT when adding it",
                m.id,
                f"column {eff.ref.table}.{column}",
                file,
                eff.line,
                section="up",
            )
        )

    def _keeps_not_null(
        self, m: Migration, file: str, eff: F.Effect, table: str, column: str, named: bool = False
    ) -> None:
        """DROP NOT NULL of a column of the primary key (42P16), or of an
        identity (42601; 55000 when its constraint is dropped by name, as
        ``named`` says): PostgreSQL refuses."""
        in_key = any(
            primary and column in cols for cols, primary in self.keys.get(table, {}).values()
        )
        ref = ObjectRef(COLUMN, eff.ref.schema, column, table=table)
        identity = self.column_traits.get(ref.key, _NO_TRAITS).identity
        if not (in_key or identity) or self.live.find(ref) is None:
            return
        why, state = (
            ("is in the primary key", "42P16")
            if in_key
            else ("is an identity", "55000" if named else "42601")
        )
        message = (
            f"{m.id} drops NOT NULL of column {column} of {table} at line {eff.line}, which "
            f"{why}: PostgreSQL refuses ({state})"
        )
        hint = (
            "drop the primary key first (or leave the column NOT NULL)"
            if in_key
            else "drop the identity first (ALTER COLUMN … DROP IDENTITY), or leave it NOT NULL"
        )
        if self._first_time(m, "conflicting_constraint", f"{table}.{column}", eff.line):
            self._refuse("conflicting_constraint", m, file, eff, message, hint)

    def _identity_refused(
        self, m: Migration, file: str, eff: F.Effect, traits: _Traits, dynamic: bool
    ) -> None:
        """ADD GENERATED … AS IDENTITY on a column that is an identity already,
        has a default (a serial's too) or may hold nulls: PostgreSQL refuses
        (55000). Judged on a table whose every column the walk knows."""
        ref, table = eff.ref, eff.ref.table or ""
        if self._identity_type_refused(m, file, eff, traits.data_type):
            return
        if dynamic or table not in self.complete or ref.key not in self.column_traits:
            return
        if traits.identity:
            why, hint = "is an identity already", "drop the line"
        elif traits.default:
            why = "has a default (a serial's is one)"
            hint = (
                f"drop the default first: ALTER TABLE {table} ALTER COLUMN {ref.name} DROP DEFAULT"
            )
        elif (
            self.live.not_null_on(table, ref.name) is None
            and not any(
                (primary and ref.name in cols) or "?" in cols
                for cols, primary in self.keys.get(table, {}).values()
            )  # (a key made USING INDEX: its columns are not known here)
            and not any(  # ALTER TABLE runs its NOT NULL and keys before an identity
                e.statement == eff.statement and (e.not_null or e.primary or e.key)
                for e in self.facts[m.id].effects
            )
        ):
            why = "may hold nulls"
            hint = (
                f"make it NOT NULL first: ALTER TABLE {table} ALTER COLUMN {ref.name} SET NOT NULL"
            )
        else:
            return
        message = (
            f"{m.id} makes column {ref.name} of {table} an identity at line {eff.line}, but it "
            f"{why}: PostgreSQL refuses (55000)"
        )
        if self._first_time(m, "conflicting_constraint", f"{table}.{ref.name}", eff.line):
            self._refuse("conflicting_constraint", m, file, eff, message, hint)

    def _identity_kept(
        self, m: Migration, file: str, eff: F.Effect, traits: _Traits, dynamic: bool
    ) -> None:
        """What only an identity (or a generated column) takes, on a column that
        is not one (55000); a default set or dropped on an identity (42601).
        Judged on a table whose every column the walk knows."""
        ref, table = eff.ref, eff.ref.table or ""
        if dynamic or table not in self.complete or ref.key not in self.column_traits:
            return
        if eff.must_be == "identity" and not traits.identity:
            why, state = "is not an identity", "55000"
            hint = "make it one first (ADD GENERATED … AS IDENTITY), or drop the line"
        elif eff.must_be == "generated" and not (traits.always and not traits.identity):
            why, state = "is not a generated column", "55000"
            hint = "drop the line: the column already holds its values"
            if eff.always is None:  # SET EXPRESSION, not DROP EXPRESSION
                hint = (
                    "a plain column takes no expression: drop it and add it again as "
                    "GENERATED ALWAYS AS (…) STORED, or fill it with an UPDATE"
                )
        elif eff.default is not None and traits.identity and not eff.must_be:
            if any(  # the same ALTER TABLE drops the identity first
                e.statement == eff.statement and e.ref == ref and e.identity is False
                for e in self.facts[m.id].effects
            ):
                return
            why, state = "is an identity: it takes no default", "42601"
            hint = (
                f"drop the identity first: ALTER TABLE {table} ALTER COLUMN {ref.name} "
                "DROP IDENTITY"
            )
        else:
            return
        message = (
            f"{m.id} alters column {ref.name} of {table} at line {eff.line}, which {why}: "
            f"PostgreSQL refuses ({state})"
        )
        if self._first_time(m, "conflicting_constraint", f"{table}.{ref.name}", eff.line):
            self._refuse("conflicting_constraint", m, file, eff, message, hint)

    def _identity_type_refused(
        self, m: Migration, file: str, eff: F.Effect, data_type: str
    ) -> bool:
        """An identity of a type that is not smallint, integer or bigint (a
        domain over one neither): PostgreSQL refuses (22023). True when said."""
        if not data_type or data_type in _IDENTITY_TYPES:
            return False
        shown = data_type.partition(":")[2] if ":" in data_type else data_type
        table = eff.ref.table or ""
        message = (
            f"{m.id} makes column {eff.ref.name} of {table} an identity at line {eff.line}, but "
            f"it is of type {shown}: an identity must be smallint, integer or bigint, and "
            "PostgreSQL refuses (22023)"
        )
        hint = "give the column type integer or bigint, or use a default instead of an identity"
        if self._first_time(m, "conflicting_constraint", f"{table}.{eff.ref.name}", eff.line):
            self._refuse("conflicting_constraint", m, file, eff, message, hint)
        return True

    def _not_null(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> bool:
        """PostgreSQL 18 keeps one not-null constraint per column. True when the
        effect is settled here (nothing else to do with it)."""
        table, column = eff.ref.table or "", eff.columns[0] if eff.columns else ""
        existing = self.live.not_null_on(table, column)
        if eff.action == F.PROVIDE and eff.not_null == "implicit":
            # SET NOT NULL of a column that has it reads no row
            self._hint_moot(m, "validating-constraint", f"column {table}.{column}", bool(existing))
        if eff.action == F.DROP and eff.not_null == "drop":
            if not (dynamic or self.dynamic_before):
                self._keeps_not_null(m, file, eff, table, column)
            if existing is not None:
                self.live.remove(existing, m.id, eff.line)
            return True
        if eff.action != F.PROVIDE or existing is None:
            return False
        if eff.not_null == "named" and existing.name != eff.ref.name:
            self.problems.append(
                Problem(
                    "conflicting_constraint",
                    ERROR,
                    f"{m.id} adds the not-null constraint {eff.ref.name} on column {column} of "
                    f"{table}, which already has {existing.name}: PostgreSQL 18 keeps one per "
                    "column and refuses (55000)",
                    f"drop the line, or rename the existing one: ALTER TABLE {table} RENAME "
                    f"CONSTRAINT {existing.name} TO {eff.ref.name}",
                    m.id,
                    str(eff.ref),
                    file,
                    eff.line,
                    section="up",
                )
            )
        return True  # SET NOT NULL on a column that has one changes nothing

    def _judged_type(self, written: str) -> str:
        """A column's type as ``core.casts`` judges it: a type of the folder's
        (``@public.mood``) only when it is an enum the walk has seen made."""
        if written.startswith("@"):
            return enum(written[1:]) if written[1:] in self.enums else ""
        return written

    def _traits(self, key: tuple, traits: _Traits) -> None:
        self.column_traits[key] = traits
        self.column_keys[key[3]].add(key)

    def _depend(self, ref: ObjectRef, targets: tuple[ObjectRef, ...]) -> None:
        """``ref`` (made anew) depends on ``targets`` and nothing it used to
        (CREATE OR REPLACE VIEW reading other tables)."""
        for old in self.depends_on.pop(ref.key, ()):
            self.dependents[old.key] = [
                (t, d) for t, d in self.dependents.get(old.key, ()) if not ref.matches(d)
            ]
        for target in targets:
            self.dependents[target.key].append((target, ref))
            if target.table:
                self.column_keys[target.table].add(target.key)
        if targets:
            self.depends_on[ref.key] = targets

    def _release(self, ref: ObjectRef, free: Callable[[ObjectRef], bool]) -> None:
        """``ref`` no longer depends on the targets ``free`` picks."""
        held = self.depends_on.get(ref.key, ())
        kept = tuple(t for t in held if not free(t))
        if len(kept) != len(held):
            self._depend(ref, kept)

    def _hold(self, ref: ObjectRef, target: ObjectRef) -> None:
        """``ref`` depends on ``target`` too, besides what it was made with."""
        self.dependents[target.key].append((target, ref))
        self.depends_on[ref.key] = (*self.depends_on.get(ref.key, ()), target)

    def _of_type(self, columns: tuple[ObjectRef, ...], type_ref: ObjectRef) -> bool:
        """Whether one of ``columns`` is of the folder's type ``type_ref`` now
        (a column named by its place is the complete table's column there)."""
        held = [d for _, d in self.dependents.get(type_ref.key, ()) if d.kind == COLUMN]
        named = []
        for column in columns:
            place = F.position_of(column.name)
            if place is None:
                named.append(column)
                continue
            order = self.live.order.get(column.table or "", ())
            if column.table in self.complete and place < len(order):
                named.append(replace(column, name=order[place]))
        return any(c.matches(d) for c in named for d in held)

    def _assigns(self, source: str, target: str) -> bool | None:
        """Whether ``source`` converts to ``target`` on assignment: by the
        server's casts, or one the folder made (None when not judged)."""
        if self.casts_made.get((source, target)) in ("i", "a"):
            return True
        return assigns(source, target)

    def _cast_exists(self, source: str, target: str) -> bool | None:
        if (source, target) in self.casts_made:
            return True
        return cast_exists(source, target)

    def _type_named(self, ref: ObjectRef) -> bool:
        """A type of the folder's with the name a call names."""
        return any(self.live.by_key.get(("type", ref.schema, ref.name, None), ()))

    def _called(
        self, ref: ObjectRef, uses: tuple[tuple[str | None, str], ...]
    ) -> tuple[ObjectRef, ...]:
        """The folder's functions a definition calls, where the name is sure
        (one function of it, in the schema written or in the object's own or
        public): it holds them, and dropping one is refused."""
        found = []
        for schema, name in uses:
            for where in (schema,) if schema else dict.fromkeys((ref.schema or "public", "public")):
                entries = self.live.by_key.get(("routine", where, name, None), ())
                if entries:
                    if len(entries) == 1:
                        found.append(entries[0][0])
                    break
        return tuple(found)

    @staticmethod
    def _type_held(eff: F.Effect) -> tuple[ObjectRef, ...]:
        """A column of a type of the folder's holds it: PostgreSQL refuses to
        drop the type while the column stands (2BP01), and CASCADE drops the
        column."""
        if eff.ref.kind != COLUMN or not eff.data_type.startswith("@"):
            return ()
        schema, _, name = eff.data_type[1:].removesuffix("[]").partition(".")
        return (ObjectRef(TYPE, schema, name),)

    def _referenced(self, eff: F.Effect) -> tuple[ObjectRef, ...]:
        """The columns a foreign key references: it holds them, and dropping
        one is refused."""
        if eff.target is None:
            return ()
        schema = eff.target.rpartition(".")[0] or None
        return tuple(
            ObjectRef(COLUMN, schema, c, table=eff.target)
            for c in self._referenced_names(eff)
            if c != "?"
        )

    def _referenced_names(self, eff: F.Effect) -> tuple[str, ...]:
        """The columns a foreign key names, or else its target's one primary
        key's (in no order, when it has several)."""
        if eff.references:
            return eff.references
        primary = [
            c for c, is_primary in self.keys.get(eff.target or "", {}).values() if is_primary
        ]
        return tuple(primary[0]) if len(primary) == 1 else ()

    def _all_columns(self, depends: tuple[ObjectRef, ...]) -> tuple[ObjectRef, ...]:
        """A view's ``SELECT *`` is the columns its table has when it is made."""
        if not any(d.kind == COLUMN and d.name == "*" for d in depends):
            return depends
        out: list[ObjectRef] = []
        for dep in depends:
            if dep.kind == COLUMN and dep.name == "*":
                out.extend(
                    obj
                    for key in sorted(self.live.children.get(dep.table or "", ()), key=str)
                    for obj, _, _ in self.live.by_key.get(key, ())
                    if obj.kind == COLUMN and obj.table == dep.table
                )
            else:
                out.append(dep)
        return tuple(dict.fromkeys(out))

    def _unbind(self, table: str) -> None:
        """``table`` is made anew, or detached: it is no partition any more."""
        parent = self.bound_to.pop(table, None)
        if parent is not None:
            self.bounds.get(parent, {}).pop(table, None)

    def partitions_of(self, table: str, bound: dict | None = None) -> list[ObjectRef]:
        """The partitions of ``table`` the folder made or attached, and theirs:
        PostgreSQL drops them with it. ``bound``: partitions attached (to a
        table) or detached (None) since, in a section walked on an overlay."""
        bound_to = {**self.bound_to, **bound} if bound else self.bound_to
        found: list[str] = [table]
        for parent in found:  # grows as it goes
            found += [p for p, of in bound_to.items() if of == parent and p not in found]
        return [
            ObjectRef(TABLE, schema or None, name)
            for schema, _, name in (p.rpartition(".") for p in found[1:])
        ]

    def _bind(self, m: Migration, file: str, eff: F.Effect, ref: ObjectRef, dynamic: bool) -> None:
        """A partition made (``PARTITION OF``), attached or detached: its
        bounds must not be empty, nor overlap another partition's of its table
        (or be a second default): PostgreSQL refuses (42P17). Judged while the
        walk knows every partition of the table."""
        table, bounds = eff.bound or ("", None)
        if eff.action == F.REQUIRE and not eff.joined:  # DETACH PARTITION
            self._unbind(ref.qualified)
            return
        parts = self.bounds.get(table)
        unsure = dynamic or eff.guarded or eff.handled or bounds is None
        if parts is None or unsure or table not in self.complete:
            self.bounds.pop(table, None)  # its partitions are not all known from here on
            if not (eff.guarded or eff.handled):
                self.bound_to[ref.qualified] = table
                self.bound_by[ref.qualified] = (m.id, eff.statement)
            return
        clash = _bound_clash(bounds, parts)
        if clash is not None:
            other, why = clash
            made_by = parts[other][1] if other else ""
            message = (
                f"{m.id} makes {ref.qualified} a partition of {table} at line {eff.line} for "
                f"values {_bound_text(bounds)}, {why}"
                + (f" {other} (made by {made_by})" if other else "")
                + ": PostgreSQL refuses (42P17)"
            )
            hint = (
                "give the partition bounds no other partition covers (FROM is inclusive, "
                "TO exclusive)"
                if other
                else "write the bounds in order: FROM the lower, TO the higher"
            )
            self._refuse("partition_bounds", m, file, eff, message, hint)
            return  # refused: not a partition
        parts[ref.qualified] = (bounds, m.id)
        self.bound_to[ref.qualified] = table
        self.bound_by[ref.qualified] = (m.id, eff.statement)

    def _inherited_column(self, m: Migration, file: str, eff: F.Effect) -> None:
        """A column a child table (``INHERITS``) has from a parent: PostgreSQL
        refuses to drop, rename or retype it on the child (42P16)."""
        ref, what = eff.ref, _column_change(eff)
        if what is None:
            return
        schema, _, name = (ref.table or "").rpartition(".")
        child = ObjectRef(TABLE, schema or None, name)
        entry = self.live.find(child)
        if entry is None or entry[0].kind != TABLE:
            return  # a view's or a materialized view's tables are no parents
        parents = [
            p for p in self.depends_on.get(child.key, ()) if p.kind == TABLE and p.key != child.key
        ]
        parent = next((p for p in parents if self.live.find(p.column(ref.name)) is not None), None)
        if parent is None or not self._first_time(m, "partition_column", str(ref), eff.line):
            return
        self._refuse(
            "partition_column",
            m,
            file,
            eff,
            f"{m.id} {what} column {ref.name} of {ref.table} at line {eff.line}, which it "
            f"inherits from {parent.qualified}: PostgreSQL refuses (42P16)",
            f"make the change on {parent.qualified}: it reaches its children",
        )

    def _partition_column(self, m: Migration, file: str, eff: F.Effect) -> None:
        """A partition's columns are its table's: PostgreSQL refuses to add one
        to it (42809), or to drop, rename or retype one (42P16), but through
        the partitioned table."""
        ref = eff.ref
        change = _column_change(eff)
        if change in ("drops", "changes the type of") and ref.name in self.partitioned.get(
            ref.table or "", ()
        ):
            if self._first_time(m, "partition_column", str(ref), eff.line):
                self._refuse(
                    "partition_column",
                    m,
                    file,
                    eff,
                    f"{m.id} {change} column {ref.name} of {ref.table} at line {eff.line}, "
                    "which is part of the table's partition key: PostgreSQL refuses (42P16)",
                    "make a new partitioned table with the key wanted and move the rows to it",
                )
            return
        table = self.bound_to.get(ref.table or "")
        if table is None:
            self._inherited_column(m, file, eff)
            return
        if eff.action == F.PROVIDE:
            if self.bound_by.get(ref.table or "") == (m.id, eff.statement):
                return  # given where the partition is made (PARTITION OF … (x DEFAULT 0))
            what, state = "adds column", "42809"
        elif (change := _column_change(eff)) is not None:
            what, state = f"{change} inherited column", "42P16"
        else:
            return
        if self._first_time(m, "partition_column", str(ref), eff.line):
            self._refuse(
                "partition_column",
                m,
                file,
                eff,
                f"{m.id} {what} {ref.name} of {ref.table} at line {eff.line}, a partition of "
                f"{table}, whose columns are its table's: PostgreSQL refuses ({state})",
                f"alter {table} instead: the change reaches every partition",
            )

    def _spelled_out(self, starred: tuple) -> tuple[str, ...] | None:
        """A view's columns from its select list with ``*`` (``Effect.starred``),
        spelled out with the columns its tables have now, as PostgreSQL
        spells them when it makes the view; None unless every table's whole
        making is known."""
        names: list[str] = []
        for table, name, left_out in starred:
            if name != "*":
                names.append(name)
            elif table in self.complete and self.live.order.get(table) is not None:
                names += [c for c in self.live.order[table] if c not in left_out]
            else:
                return None
        return tuple(names)

    def _star_twice(self, m: Migration, file: str, eff: F.Effect) -> None:
        """A view or a table made of a query whose ``*`` gives a column name
        twice, spelled out with the columns its tables have then (each a
        table whose whole making the walk follows): PostgreSQL refuses it
        (42701). ``SELECT * FROM a JOIN b ON …`` where both have ``id``."""
        seen: dict[str, str] = {}
        for table, name, left_out in eff.starred or ():
            if name != "*":
                names, whose = [name], "its select list"
            elif table in self.complete and self.live.order.get(table) is not None:
                names = [c for c in self.live.order[table] if c not in left_out]
                whose = table
            else:
                return
            for each in names:
                if each in seen:
                    what = "view" if eff.ref.kind in (VIEW, MATVIEW) else "table"
                    if eff.ref.kind == MATVIEW:
                        what = "materialized view"
                    message = (
                        f"{m.id} makes {what} {eff.ref.qualified} at line {eff.line} of a query "
                        f'whose * gives column "{each}" twice (from {seen[each]} and {whose}): '
                        "PostgreSQL refuses it (42701)"
                    )
                    hint = (
                        "name the columns instead of *, giving one of the two another name (AS …)"
                    )
                    self._refuse(F.DUPLICATE_COLUMN, m, file, eff, message, hint)
                    return
                seen[each] = whose

    def _bare(self, eff: F.Effect) -> tuple[ObjectRef, ...]:
        """The columns a view of several tables names bare: each is the one
        table's that has a column of the name (else PostgreSQL would have
        refused the view as ambiguous, or it is not a table's)."""
        found = []
        for name, tables in eff.bare:
            having = [t.column(name) for t in tables if self.live.find(t.column(name))]
            if len(having) == 1:
                found.append(having[0])
        return tuple(found)

    def _refreshed(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """REFRESH MATERIALIZED VIEW … CONCURRENTLY of one of the folder's needs
        it populated, and a unique index of plain columns with no WHERE on
        it: PostgreSQL refuses it otherwise (55000). Any REFRESH fills it
        (or, WITH NO DATA, empties it)."""
        entry = self.live.find(eff.ref)
        if entry is None or entry[0].kind != MATVIEW or entry[0].key not in self.matview_filled:
            return
        view = entry[0]
        if eff.refresh == "concurrently" and not (dynamic or self.dynamic_before):
            unique = [
                index
                for index in self.column_unique.get(view.qualified, ())
                if (found := self.live.find(index)) is not None and found[2] == view.qualified
            ]
            if not self.matview_filled[view.key]:
                why, code = "it is not populated (made WITH NO DATA, or emptied since)", "0A000"
                hint = f"REFRESH MATERIALIZED VIEW {view.qualified} once without CONCURRENTLY first"
            elif not unique and not self.indexes_unknown:
                why, code = "it has no unique index of plain columns without WHERE", "55000"
                hint = f"CREATE UNIQUE INDEX ON {view.qualified} (…) first"
            else:
                why = code = ""
            if why and self._first_time(m, "refresh_concurrently", str(view), eff.line):
                self._refuse(
                    "refresh_concurrently",
                    m,
                    file,
                    eff,
                    f"{m.id} refreshes {view} CONCURRENTLY at line {eff.line}, but {why}: "
                    f"PostgreSQL refuses ({code})",
                    hint,
                )
        self.matview_filled[view.key] = eff.refresh != "no data"

    def _made_at_run_time(
        self, version: str, makes: Iterable, how: str, own: Iterable[F.Effect] = ()
    ) -> bool:
        """Keep what SQL built at run time may have made (``makes``: line, what).
        True when it may change one of the folder's objects (one of a name it
        alters or drops in a schema named at run time, made before or by the
        migration's ``own`` effects)."""
        touched = False
        for line, made in makes:
            if made.namespace == "rows":
                self.unfilled.clear()  # rows written where the walk cannot say
            elif made.touches:
                touched = (
                    touched
                    or any(k[0] == made.namespace and k[2] == made.name for k in self.live.by_key)
                    or any(
                        e.action == F.PROVIDE
                        and e.ref.namespace == made.namespace
                        and e.ref.name == made.name
                        for e in own
                    )
                )
            else:
                self.runtime_made.append((version, line, made, how))
        return touched

    def _maybe_made_at_run_time(self, ref: ObjectRef) -> tuple[str, int, F.Made, str] | None:
        """The latest SQL built at run time that may have made ``ref`` (one
        that makes its kind of object first)."""
        covering = [entry for entry in reversed(self.runtime_made) if entry[2].covers(ref)]
        same = [entry for entry in covering if entry[2].namespace == ref.namespace]
        return (same or covering or [None])[0]

    def _made_by_helpers(self, ref: ObjectRef) -> bool:
        """A trigger or an index, after a call of a routine that makes such
        objects by names built at run time: it may be one of them."""
        return (ref.kind == TRIGGER and self.triggers_unknown) or (
            ref.kind == INDEX and self.indexes_unknown
        )

    def _key_of_partitioned(self, m: Migration, file: str, eff: F.Effect, table: str) -> None:
        """A primary key, unique constraint or unique index added later to a
        partitioned table must hold every partition column, and the table be
        partitioned by no expression: PostgreSQL refuses it otherwise (0A000).
        (One made with the table is judged where the table is read.)"""
        by, key = self.partitioned[table], eff.key or ()
        if key == ("?",):
            return  # made from an index: its columns are judged with the index
        missing = [c for c in by if c and c not in key]
        if not missing and "" not in by:
            return
        what = "a primary key" if eff.primary else f"{eff.ref}"
        why = (
            "partitioned by an expression, which no key can hold"
            if "" in by
            else f"partitioned by {', '.join(by)}, which the key lacks"
        )
        self._refuse(
            "conflicting_constraint",
            m,
            file,
            eff,
            f"{m.id} adds {what} ({', '.join(key)}) to {table} at line {eff.line}, {why}: a "
            "key of a partitioned table must include every partition column, and PostgreSQL "
            "refuses (0A000)",
            f"add {', '.join(missing)} to the key" if missing else "partition by columns",
        )

    def _refuse(
        self,
        kind: str,
        m: Migration,
        file: str,
        eff: F.Effect,
        message: str,
        hint: str,
        sure: bool = True,
    ) -> None:
        """A statement of an up section PostgreSQL refuses: an error, or a warning
        where an existence test or an exception handler may skip it (or the
        refusal depends on what the tables hold: not ``sure``)."""
        self.problems.append(
            Problem(
                kind,
                WARNING if eff.guarded or eff.handled or not sure else ERROR,
                message,
                hint,
                m.id,
                str(eff.ref),
                file,
                eff.line,
                section="up",
            )
        )

    def _replaced_view(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """``CREATE OR REPLACE VIEW`` of a view that stands must keep its
        columns, in their places, under their names (more may follow):
        PostgreSQL refuses anything else (42P16)."""
        ref, new = eff.ref, eff.outputs
        if new is None and eff.starred:
            new = self._spelled_out(eff.starred)
            eff = eff.changed(outputs=new) if new is not None else eff
        stands = self.live.find(ref) is not None
        old = self.view_columns.pop(ref.key, None) if stands else None
        old_types = self.view_types.pop(ref.key, None) if stands else None
        new_types = self._view_types(eff.output_types)
        if new is not None:
            self.view_columns[ref.key] = new
            if new_types is not None:
                self.view_types[ref.key] = new_types
        if eff.strict or dynamic or m.repeatable:
            return
        message = _view_replace_refused(f"{m.id} replaces", eff, old, old_types, new_types)
        if message is not None and self._first_time(m, "replace_refused", str(ref), eff.line):
            self._refuse("replace_refused", m, file, eff, message, _VIEW_REPLACE_HINT)

    def _view_types(self, written: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """A view's column types as the walk knows them now: a column of its
        table has the type the table gives it, when the walk knows that."""
        if written is None:
            return None
        out = []
        for t in written:
            if t.startswith("column:"):
                table, _, name = t[len("column:") :].rpartition(":")
                schema = table.partition(".")[0]
                key = ObjectRef(COLUMN, schema, name, table=table).key
                t = self.column_traits[key].data_type if key in self.column_traits else ""
                if t.startswith("enum:") or t not in FAMILIES:
                    t = ""  # judged only among built-in types
            out.append(t)
        return tuple(out)

    def _branches_differ(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A set operation (``UNION``, ``INTERSECT``, ``EXCEPT``) whose
        branches give a column types neither converts to implicitly (an
        integer and a text): PostgreSQL refuses the query (42804)."""
        if dynamic:
            return
        branches = [self._view_types(types) or () for types in eff.branch_types or ()]
        for position in range(min(map(len, branches), default=0)):
            told = [types[position] for types in branches if types[position]]
            for a, b in zip(told, told[1:], strict=False):
                if unite(a, b) is not False:
                    continue
                if self._first_time(m, "invalid_definition", f"branches {eff.ref}", eff.line):
                    self._refuse(
                        "invalid_definition",
                        m,
                        file,
                        eff,
                        f"{m.id} makes {eff.ref} at line {eff.line} of a query whose "
                        f"UNION (INTERSECT, EXCEPT) branches give its column {position + 1} "
                        f"as {spelled(a)} and as {spelled(b)}, which PostgreSQL cannot "
                        "match: it refuses the query (42804)",
                        f"cast one branch's column to the other's type (…::{spelled(b)})",
                    )
                return

    def _result_refused(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A SQL function whose last query gives more than one column, or a
        column of a type that does not convert to the type it returns on
        assignment (``RETURNS integer AS 'SELECT name …'``): PostgreSQL
        refuses it as it reads the body at creation (42P13)."""
        declared, given = eff.returns_type, self._view_types(eff.result_types)
        if dynamic or given is None:
            return
        if len(given) > 1:
            why = f"its last query gives {len(given)} columns, not one"
        elif given and given[0] and self._assigns(given[0], declared) is False:
            why = f"its last query gives a {spelled(given[0])}"
        else:
            return
        if not self._first_time(m, "invalid_definition", str(eff.ref), eff.line):
            return
        self._refuse(
            "invalid_definition",
            m,
            file,
            eff,
            f"{m.id} makes {eff.ref} at line {eff.line}, which returns {spelled(declared)}, "
            f"but {why}: PostgreSQL refuses it (42P13)",
            f"make the last query give one {spelled(declared)} (a cast: …::{spelled(declared)}), "
            "or declare the type it gives",
        )

    def _routine_kind_changed(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """CREATE OR REPLACE FUNCTION of a procedure of those arguments (or
        PROCEDURE of a function): PostgreSQL refuses (42809)."""
        if dynamic or self.dynamic_before or m.repeatable or eff.ref.args is None:
            return
        entry = self.live.find(eff.ref)
        if entry is None or entry[0].kind == eff.ref.kind or not entry[1]:
            return
        if entry[0].kind not in (FUNCTION, PROCEDURE) or entry[0].args != eff.ref.args:
            return
        if self._first_time(m, "wrong_kind", str(eff.ref), eff.line):
            self._refuse(
                "wrong_kind",
                m,
                file,
                eff,
                f"{m.id} replaces {entry[0]} (made by {entry[1]}) with a {eff.ref.kind} at "
                f"line {eff.line}: PostgreSQL cannot change a routine's kind, and refuses "
                "(42809)",
                f"DROP {entry[0].kind.upper()} {entry[0].qualified}({entry[0].args}) first",
            )

    def _trigger_returns(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A trigger's function must return ``trigger``: PostgreSQL refuses
        one of the folder's that returns anything else (42P17)."""
        if dynamic or self.dynamic_before:
            return
        ref = self._found_on_path(eff, eff.ref)
        entry = self.live.find(ref)
        shape = self.function_shapes.get((ref.key, ""))
        if entry is None or entry[0].kind != FUNCTION or shape is None:
            return
        returns = shape[0]
        if not returns or returns.lower() in ("trigger", "opaque"):
            return
        if self._first_time(m, "trigger_function", str(ref), eff.line):
            self._refuse(
                "trigger_function",
                m,
                file,
                eff,
                f"{m.id} makes a trigger at line {eff.line} run {ref}, which returns "
                f"{returns} (made by {entry[1]}): a trigger's function must return trigger, "
                "and PostgreSQL refuses (42P17)",
                f"make {ref.name} RETURNS trigger (and RETURN NEW, OLD or NULL)",
            )

    def _replaced_function(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """``CREATE OR REPLACE FUNCTION`` of a function that stands may not change
        its result, rename an input parameter or drop a default: PostgreSQL
        refuses (42P13), since callers and views rely on them."""
        ref = eff.ref
        key = (ref.key, ref.args)
        old = self.function_shapes.pop(key, None)
        if self.live.find(ref) is None:
            old = None
        if eff.inputs is not None:
            self.function_shapes[key] = (eff.returns, eff.inputs, eff.defaults)
        if eff.variadic:
            self.variadic_functions.add(key)
        else:
            self.variadic_functions.discard(key)
        if old is None or eff.inputs is None or eff.strict or dynamic or m.repeatable:
            return
        returned, inputs, defaults = old
        pairs = zip(inputs, eff.inputs, strict=False)
        renamed = [(i, a, b) for i, (a, b) in enumerate(pairs) if a and a != b]
        if returned and eff.returns and not same_type(returned, eff.returns):
            change = f"returning {eff.returns}, where it returned {returned}"
        elif renamed:
            i, was, now = renamed[0]
            change = f"naming its parameter {i + 1} {now or '(no name)'}, where it was {was}"
        elif eff.defaults < defaults:
            change = f"with {eff.defaults} parameter defaults, where it had {defaults}"
        else:
            return
        if self._first_time(m, "replace_refused", str(ref), eff.line):
            message = (
                f"{m.id} replaces {ref} at line {eff.line} {change}: a function replaced "
                "keeps its result, its parameters' names and defaults, and PostgreSQL "
                "refuses (42P13)"
            )
            hint = (
                f"DROP FUNCTION {ref.qualified}({ref.args or ''}) first (and make again what "
                "uses it), or keep what it was"
            )
            self._refuse("replace_refused", m, file, eff, message, hint)

    def _forget_made(self, ref: ObjectRef) -> None:
        """An enum dropped, or a function dropped or renamed: what the walk
        kept of how it was made no longer counts."""
        if ref.namespace == "type":
            self.enums.pop(ref.qualified, None)
        elif ref.namespace == "routine":
            self._forget_routine(ref)

    def _forget_routine(self, ref: ObjectRef) -> None:
        """A routine dropped or renamed: what it was made as no longer counts
        (every one of the name when the arguments were not said)."""
        for key in [k for k in self.function_shapes if k[0] == ref.key]:
            if ref.args is None or key[1] == ref.args:
                del self.function_shapes[key]
        for known in (self.mutable_routines, self.other_routines):
            if ref.args is None:
                known.pop(ref.name, None)
            else:
                known.get(ref.name, set()).discard(ref.key)
        if ref.args is None:
            self.bare_reads.pop(ref.name, None)
        else:
            self.bare_reads.get(ref.name, {}).pop(ref.key, None)

    def _positional_insert(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """``INSERT INTO t VALUES (…)`` without a column list fills the table's
        first columns in their order: more values than columns is refused
        (42601); each value must suit its column (42804), a generated column
        takes none (428C9), and a NOT NULL column past the values needs a
        default (23502). Only of a table whose whole making the folder shows."""
        table = eff.ref.qualified
        if dynamic or table not in self.complete or eff.positional is None:
            return
        names = self.live.order.get(table)
        entry = self.live.find(eff.ref)
        if not names or entry is None or entry[0].kind != TABLE:
            return  # a view's columns are its query's: not followed here
        count, types, given = eff.positional
        if count > len(names):
            if self._first_time(m, "insert_columns", table, eff.line):
                message = (
                    f"{m.id} inserts {count} values a row into {table} at line {eff.line}, "
                    f"which has {len(names)} columns ({', '.join(names)}) then: PostgreSQL "
                    "refuses (42601)"
                )
                hint = "name the columns the values are for: INSERT INTO t (a, b) VALUES …"
                self._refuse("insert_columns", m, file, eff, message, hint)
            return
        schema = eff.ref.schema
        for name, typed, own in zip(names, types, given, strict=False):
            column = ObjectRef(COLUMN, schema, name, table=table)
            traits = self.column_traits.get(column.key)
            if traits is None:
                continue
            value = eff.changed(ref=column, value_type=typed, inserted=own)
            if typed and traits.data_type:
                self._value_refused(m, file, value, traits.data_type, dynamic)
            if own and traits.always:
                self._generated_insert(m, file, value)
        self._unfilled(m, file, eff.changed(inserts=tuple(names[:count])), dynamic)

    def _unfilled(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """An INSERT that writes a row without a value for a NOT NULL column
        that has no default: PostgreSQL refuses (23502), whatever the data.
        Only of a table whose whole making the folder shows, with no trigger
        or rule that might fill the value in, and columns of known types (a
        domain may have a default of its own)."""
        table = eff.ref.qualified
        if dynamic or table not in self.complete:
            return
        children = self.live.children.get(table, ())
        if any(key[0] in (TRIGGER, RULE) for key in children):
            return
        if eff.writes_row and not (eff.upsert or eff.guarded or eff.handled):
            # the row holds a null in each column it gives no value and no default
            for key in children:
                traits = self.column_traits.get(key)
                if key[0] != COLUMN or key[2] in eff.inserts or traits is None:
                    continue
                if traits.data_type and not (traits.default or traits.always or traits.identity):
                    held = self.unfilled[table].get(key[2])
                    if held is None or not held[3]:
                        self.unfilled[table][key[2]] = (m.id, eff.line, eff.statement, True)
        for key in sorted(children, key=lambda k: (k[0], k[2])):
            if key[0] != COLUMN or key[2] in eff.inserts:
                continue
            traits = self.column_traits.get(key)
            if traits is None or not traits.data_type:
                continue
            if traits.default or traits.always or traits.identity:
                continue
            if self.live.not_null_on(table, key[2]) is None:
                continue
            if self._first_time(m, "not_null_insert", f"{table}.{key[2]}", eff.line):
                message = (
                    f"{m.id} inserts a row into {table} at line {eff.line} with no value for "
                    f"{key[2]}, which is NOT NULL and has no default: PostgreSQL refuses (23502)"
                )
                hint = (
                    f"give {key[2]} a value in the INSERT, or the column a default "
                    f"(ALTER TABLE … ALTER COLUMN {key[2]} SET DEFAULT …) before it"
                )
                self._refuse("not_null_insert", m, file, eff, message, hint)
            return

    def _dimensionless_index(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """An hnsw or ivfflat index (pgvector) on a ``vector`` column made
        without its dimensions: PostgreSQL refuses (column does not have
        dimensions)."""
        method, columns = eff.indexed or ("", ())
        table = eff.parent or ""
        if dynamic or self.dynamic_before:
            return
        schema = table.partition(".")[0] or None
        for column in columns:
            key = ObjectRef(COLUMN, schema, column, table=table).key
            if not self.column_traits.get(key, _NO_TRAITS).dimensionless:
                continue
            if self._first_time(m, "operator_class", str(eff.ref), eff.line):
                self._refuse(
                    "operator_class",
                    m,
                    file,
                    eff,
                    f"{m.id} makes {eff.ref} at line {eff.line} USING {method} on {column}, a "
                    "vector made without its dimensions: pgvector refuses (column does not "
                    "have dimensions)",
                    f"give {column} its dimensions (ALTER COLUMN {column} TYPE vector(1536), "
                    "the size of the embeddings) before indexing it",
                )
            return

    def _no_default_opclass(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """An index on a column whose type has no default operator class for the
        index's access method (``USING gin`` on text, btree on json): PostgreSQL
        refuses (42704) unless the operator class is named. Judged for the
        built-in types of a table whose whole making the folder shows; not
        against a live database, nor for gin or gist once btree_gin or
        btree_gist (which give plain types theirs) is made."""
        method, columns = eff.opclass_for or ("", ())
        table = eff.parent or ""
        if dynamic or self.dynamic_before or self.catalog is not None or table not in self.complete:
            return
        if method in ("gin", "gist") and any(
            self.live.find(ObjectRef(EXTENSION, None, name)) is not None
            for name in ("btree_gin", "btree_gist")
        ):
            return
        schema = table.partition(".")[0] or None
        for column in columns:
            key = ObjectRef(COLUMN, schema, column, table=table).key
            type_name = self.column_traits.get(key, _NO_TRAITS).data_type
            if default_opclass(method, type_name) is not False:
                continue
            if not self._first_time(m, "operator_class", str(eff.ref), eff.line):
                return
            if method == "gin" and type_name in ("text", "varchar"):
                how = "gin_trgm_ops (CREATE EXTENSION pg_trgm first) for LIKE and similarity"
            elif method in ("gin", "gist"):
                how = f"one from btree_{method} (CREATE EXTENSION btree_{method} first)"
            else:
                how = ""
            hint = (
                f"name the operator class after the column, e.g. {how}; or index it USING btree"
                if how
                else f"give {column} a type {method} can compare (jsonb rather than json), or "
                "index it with an access method its type has (gist for a geometric type)"
            )
            self._refuse(
                "operator_class",
                m,
                file,
                eff,
                f"{m.id} makes {eff.ref} at line {eff.line} USING {method} on {column} "
                f"({spelled(type_name)}), which has no default operator class for {method}: "
                "PostgreSQL refuses (42704)",
                hint,
            )
            return

    def _not_immutable(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """An index, or a generated column, whose expression calls a built-in
        function none of whose forms is IMMUTABLE (``now``, ``concat``), or
        casts a column in a way that depends on a setting (a timestamptz to
        date or text): PostgreSQL refuses (42P17)."""
        if dynamic:
            return
        ref = eff.ref
        table = ref.table if ref.kind == COLUMN else eff.parent
        what = f"generated column {ref.name}" if ref.kind == COLUMN else f"index {ref.qualified}"
        found = mine = ""
        for name in eff.calls:
            if name in not_immutable_functions() and name not in self.routine_names:
                found = f"calls {name}(), which is not IMMUTABLE"
                break
            bare = self._folder_function(name)
            if (
                bare
                and self.mutable_routines.get(bare)
                and not self.other_routines.get(bare)
                and not self.dynamic_before
            ):
                found = (
                    f"calls {name}(), a function of the folder's not declared IMMUTABLE "
                    "(functions are VOLATILE unless they say otherwise; PostgreSQL inlines "
                    "only a SQL function that is one SELECT of an expression)"
                )
                mine = bare
                break
        for name, count, arg in () if found else eff.forms:
            if name in self.routine_names:
                continue
            if (name, count) in NOT_IMMUTABLE_ARITY:
                found = (
                    f"calls {name}() with {count} argument{'s' * (count != 1)}, a form that is "
                    "not IMMUTABLE (it reads a setting, or the clock)"
                )
                break
            types = NOT_IMMUTABLE_ON[(name, count)][1]
            if arg.startswith("::"):
                given, described = arg[2:], f"a {spelled(arg[2:])}"
            else:
                key = ObjectRef(COLUMN, ref.schema, arg, table=table).key
                given = self.column_traits.get(key, _NO_TRAITS).data_type
                described = f"{arg} ({spelled(given)})"
            if given in types:
                doing = (
                    f"adds an interval to {described}, or takes one from it,"
                    if name == INTERVAL_ARITHMETIC
                    else f"calls {name}() on {described},"
                )
                found = f"{doing} a form that depends on the TimeZone setting and is not IMMUTABLE"
                break
        for column, target in () if found else eff.casts:
            source = self._cast_source_type(column, ref.schema, table)
            if target.startswith("@"):  # one of the folder's enums, or not judged
                target = self._judged_type(target if "." in target else f"@public.{target[1:]}")
            if column.startswith("::"):
                described = f"a {spelled(source)} value"
            elif column.startswith("@tz:"):
                described = f"{column[4:]} AT TIME ZONE … ({spelled(source)})"
            else:
                described = f"{column} ({spelled(source)})"
            if (source, target) not in self.casts_made and cast_immutable(source, target) is False:
                catalog = any(t.startswith("enum:") or t in REG_TYPES for t in (source, target))
                reads = "the catalog" if catalog else "a setting"
                found = (
                    f"casts {described} to {spelled(target)}, which depends on {reads} and "
                    "is not IMMUTABLE"
                )
                break
        if not found or not self._first_time(m, "not_immutable", str(ref), eff.line):
            return
        message = (
            f"{m.id} makes {what} at line {eff.line} on an expression that {found}: its value "
            "must never change, and PostgreSQL refuses (42P17)"
        )
        hint = (
            "use an IMMUTABLE form (for a timestamptz, (col AT TIME ZONE 'UTC')::date or "
            "date_trunc('day', col, 'UTC'); for text search, to_tsvector('english', col)); or "
            "wrap the expression in a function of your own declared IMMUTABLE, if it truly is"
        )
        if mine:
            hint = (
                f"declare {mine} IMMUTABLE (in its CREATE FUNCTION, or ALTER FUNCTION … "
                "IMMUTABLE), if its result depends on its arguments alone"
            )
        self._refuse("not_immutable", m, file, eff, message, hint)

    def _virtual_refused(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A virtual generated column (PostgreSQL 18) of a type that is not
        built in (an enum, a domain, an extension's), or whose expression calls
        a function that is not (the folder's, an extension's): PostgreSQL
        refuses it (0A000)."""
        if dynamic or self.dynamic_before:
            return
        ref = eff.ref
        why = ""
        if eff.data_type.startswith("@") or any(d.kind == EXTENSION for d in eff.depends):
            why = "of a type that is not built in"
        else:
            mine = next((name for name in eff.calls if self._folder_function(name)), None)
            theirs = next(
                (name for name in eff.calls if not _builtin_function(name.rpartition(".")[2])),
                None,
            )
            if mine:
                why = f"whose expression calls {mine}(), a function of the folder's"
            elif theirs:  # an extension's (ltree's nlevel): not built in either
                why = f"whose expression calls {theirs}(), which is not one of PostgreSQL's own"
        if not why or not self._first_time(m, "virtual_column", str(ref), eff.line):
            return
        self._refuse(
            "virtual_column",
            m,
            file,
            eff,
            f"{m.id} makes the virtual generated column {ref.name} at line {eff.line} {why}: "
            "PostgreSQL 18 computes a virtual column as it reads it, and refuses (0A000)",
            "write STORED after the expression, to store the value instead",
        )

    def _on_virtual(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """An index, or a key, using a virtual generated column: PostgreSQL 18
        refuses (0A000)."""
        table = eff.parent or eff.ref.table
        if dynamic or self.dynamic_before or not table:
            return
        schema = table.partition(".")[0] or None
        used = set(eff.columns) | set(eff.key or ())
        for name in sorted(used):
            traits = self.column_traits.get(ObjectRef(COLUMN, schema, name, table=table).key)
            if traits is None or not traits.virtual:
                continue
            if self._first_time(m, "virtual_column", f"{table}.{name}", eff.line):
                self._refuse(
                    "virtual_column",
                    m,
                    file,
                    eff,
                    f"{m.id} makes {eff.ref} at line {eff.line} on {name}, a virtual generated "
                    "column: PostgreSQL 18 indexes no virtual column, and refuses (0A000)",
                    f"make {name} STORED (GENERATED ALWAYS AS (…) STORED), or index its "
                    "expression itself",
                )
            return

    def _generation_reads_generated(
        self, m: Migration, file: str, eff: F.Effect, dynamic: bool
    ) -> None:
        """A generated column whose expression reads another generated column:
        PostgreSQL refuses (42P17); an identity it may read."""
        if dynamic or self.dynamic_before:
            return
        for used in eff.depends:
            if used.kind != COLUMN or used.table != eff.ref.table or used.key == eff.ref.key:
                continue
            traits = self.column_traits.get(used.key)
            if traits is None or not traits.always or traits.identity:
                continue
            if self.live.find(used) is None:
                continue
            if self._first_time(m, "generated_column", str(eff.ref), eff.line):
                self._refuse(
                    "generated_column",
                    m,
                    file,
                    eff,
                    f"{m.id} {'makes' if eff.action == F.PROVIDE else 'gives'} generated "
                    f"column {eff.ref.name} at line {eff.line} "
                    f"{'of' if eff.action == F.PROVIDE else 'an expression of'} the "
                    f"generated column {used.name}: a generation expression may not read "
                    "another's, and PostgreSQL refuses (42P17)",
                    f"write {eff.ref.name}'s expression from the columns {used.name} is "
                    "computed from",
                )
            return

    def _broken_maker(self, ref: ObjectRef) -> tuple[str, int] | None:
        """The migration and line of a statement the grammar refuses that was
        written to make ``ref``, if one came before."""
        found = self.broken_makes.get((ref.namespace, ref.name))
        if found is None and ref.namespace == "type":  # a table's row type
            found = self.broken_makes.get(("relation", ref.name))
        return found

    def _cast_source_type(self, source: str, schema: str | None, table: str | None) -> str:
        """The type a cast of an index or generated column converts
        (``immutable_needs``): a column's, a type written, or, for ``column AT
        TIME ZONE …``, the other of timestamp and timestamptz."""
        if source.startswith("::"):
            return source[2:]
        flip = source.startswith("@tz:")
        column = ObjectRef(COLUMN, schema, source.removeprefix("@tz:"), table=table)
        found = self.column_traits.get(column.key, _NO_TRAITS).data_type
        if flip:
            return {"timestamp": "timestamptz", "timestamptz": "timestamp"}.get(found, "")
        return found

    def _policy_clauses_altered(
        self, m: Migration, file: str, eff: F.Effect, dynamic: bool
    ) -> None:
        """ALTER POLICY … USING of an INSERT policy, or WITH CHECK of a SELECT
        or DELETE one: its command cannot take the clause (42601)."""
        command = self.policy_commands.get(eff.ref.key, "")
        if dynamic or self.dynamic_before or self.live.find(eff.ref) is None:
            return
        if command == "insert" and "using" in eff.clauses:
            clause, allowed = "USING", "WITH CHECK"
        elif command in ("select", "delete") and "check" in eff.clauses:
            clause, allowed = "WITH CHECK", "USING"
        else:
            return
        article = "an" if command == "insert" else "a"
        self._refuse(
            "policy_clause",
            m,
            file,
            eff,
            f"{m.id} gives {eff.ref} a {clause} clause at line {eff.line}, which {article} "
            f"{command.upper()} policy cannot take: PostgreSQL refuses (42601)",
            f"write the condition as {allowed}",
        )

    def _restricted_path(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """An index, or a materialized view whose query runs now, calling a
        function of the folder whose body (SQL in a string) names a table, a
        function or a type without its schema that pg_catalog lacks.
        PostgreSQL 17 and later build indexes and run such queries with
        ``search_path = pg_catalog, pg_temp``: the name is not found. Refused
        for sure when the body is read as the call is planned (to inline it);
        else when the function runs, as it does on every row a build reads."""
        if dynamic or self.dynamic_before or not self._at_least(17):
            return
        calls = (
            eff.calls
            if eff.ref.kind == INDEX
            else tuple(f"{s}.{n}" if s else n for s, n in eff.uses)
        )
        for called in calls:
            bare = self._folder_function(called)
            overloads = self.bare_reads.get(bare) if bare else None
            if not overloads or len(overloads) != len(self._overloads(bare)):
                continue  # an overload of the name reads nothing so
            reads = tuple(dict.fromkeys(r for found, _ in overloads.values() for r in found))
            planned = all(planned for _, planned in overloads.values())
            # an index build runs the function on each row the table has
            rows = eff.ref.kind == INDEX and (eff.parent or "") in self.has_rows
            sure = planned or rows
            what = "index" if eff.ref.kind == INDEX else "materialized view"
            building = "build the index" if eff.ref.kind == INDEX else "run its query"
            doing = "refreshes" if eff.action == F.REQUIRE else "makes"
            state = {"table": "42P01", "function": "42883", "type": "42704"}[reads[0].split()[0]]
            message = (
                f"{m.id} {doing} {what} {eff.ref.qualified} at line {eff.line} calling {called}(), "
                f"whose body names {_listed(list(reads))} without a schema; PostgreSQL 17 and "
                f"later {building} with search_path = pg_catalog, pg_temp, where "
                f"{'it is' if len(reads) == 1 else 'they are'} not found: refused ({state})"
                + (
                    " as the call is planned, to inline the function"
                    if planned
                    else f" on the rows {self.has_rows[eff.parent or '']} put in the table"
                    if rows
                    else ", as soon as the function runs (on a table with rows)"
                )
            )
            hint = (
                f"write the schema in {called}()'s body (public.{reads[0].split()[1]}), or give "
                f"it one: ALTER FUNCTION {called} SET search_path = public"
            )
            self._refuse("restricted_search_path", m, file, eff, message, hint, sure)
            return

    def _at_least(self, major: int) -> bool:
        """Whether the target runs PostgreSQL ``major`` or later: the target's
        catalog says, else the embedded server's (18) is assumed."""
        written = self.catalog.server_version if self.catalog is not None else ""
        found = re.match(r"(\d+)", written or "")
        return found is None or int(found.group(1)) >= major

    def _overloads(self, name: str) -> set:
        """The keys of the folder's routines of a name that stand."""
        return self.mutable_routines.get(name, set()) | self.other_routines.get(name, set())

    def _folder_function(self, called: str) -> str:
        """The name of the folder's function a call (``f`` or ``app.f``) finds,
        "" when it finds pg_catalog's first or none of the folder's."""
        bare = called.rpartition(".")[2]
        if bare not in self.routine_names or (bare == called and _builtin_function(bare)):
            return ""
        return bare

    def _routine_volatility(self, ref: ObjectRef, mutable: bool) -> None:
        """Keep whether the overload ``ref`` is surely not IMMUTABLE."""
        (self.mutable_routines if mutable else self.other_routines)[ref.name].add(ref.key)
        (self.other_routines if mutable else self.mutable_routines)[ref.name].discard(ref.key)

    def _routine_kind_named(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> bool:
        """A statement naming a procedure as a function (a call in a query,
        ``DROP``/``COMMENT ON``/``ALTER``/``GRANT … ON FUNCTION``) or a function
        as a procedure (``CALL``): every routine of the folder it may mean is
        of the other kind, and PostgreSQL refuses it (42809). True when said."""
        ref = eff.ref
        if dynamic or ref.namespace != "routine" or ref.unspelled:
            return False
        found = [e for e in self.live.by_key.get(ref.key, ()) if ref.matches(e[0])]
        if not found or any(e[0].kind == ref.kind or not e[1] for e in found):
            return False
        other = found[0][0]
        if not self._first_time(m, "wrong_kind", f"{ref.kind} {other}", eff.line):
            return True
        self._refuse(
            "wrong_kind",
            m,
            file,
            eff,
            f"{m.id} names {other} as a {ref.kind} at line {eff.line}: it is a {other.kind} "
            f"(made by {found[0][1]}), and PostgreSQL refuses (42809)",
            f"write {other.kind.upper()} {other.name}"
            + (
                f" (a procedure runs by CALL {other.name}(…))"
                if other.kind == PROCEDURE
                else f" (a function runs in a query: SELECT {other.name}(…))"
            ),
        )
        return True

    def _referenced_partition(
        self,
        m: Migration,
        file: str,
        eff: F.Effect,
        ref: ObjectRef,
        dynamic: bool,
        section: str = "up",
        alive: Callable[[ObjectRef], bool] | None = None,
    ) -> None:
        """DROP TABLE of a partition of a table a foreign key of another
        table references: the key's constraint on the partition depends on
        it, and PostgreSQL refuses (2BP01) unless CASCADE. (DETACH first.)
        ``alive``: whether an object stands (a down section's state)."""
        if dynamic:
            return
        if alive is None:
            alive = self._alive
        tree = {ref.qualified}
        parent = self.bound_to.get(ref.qualified)
        while parent is not None and parent not in tree:
            tree.add(parent)
            for key in self._foreign_keys_at(parent):
                if key.target != parent or key.ref.table in tree:
                    continue
                if not alive(key.ref) or not alive(_table_of(key.ref)):
                    continue
                who = m.id if section == "up" else f"the {section} section of {m.id}"
                message = (
                    f"{who} drops {ref} at line {eff.line}, a partition of {parent}, "
                    f"which {key.ref} references: the key holds each partition, and "
                    "PostgreSQL refuses (2BP01)"
                )
                hint = (
                    f"detach it first (ALTER TABLE {parent} DETACH PARTITION "
                    f"{ref.qualified}), then drop it"
                )
                if section != "up":
                    self.problems.append(
                        _section_error("dependent_objects", m, section, file, eff, message, hint)
                    )
                elif self._first_time(m, "dependent_objects", str(ref), eff.line):
                    self._refuse("dependent_objects", m, file, eff, message, hint)
                return
            parent = self.bound_to.get(parent)

    def _constraint_index(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """DROP INDEX of the index a primary key or unique constraint is made
        of: PostgreSQL refuses, CASCADE or not (2BP01)."""
        entry = self.live.find(eff.ref)
        if dynamic or entry is None or entry[2] is None:
            return
        table = entry[2]
        constraint = ObjectRef(CONSTRAINT, eff.ref.schema, eff.ref.name, table=table)
        if constraint.key not in self.keys.get(table, {}) or self.live.find(constraint) is None:
            return
        if self._first_time(m, "dependent_objects", str(eff.ref), eff.line):
            message = (
                f"{m.id} drops {eff.ref} at line {eff.line}, which {constraint} is made of: "
                "PostgreSQL refuses, with or without CASCADE (2BP01)"
            )
            hint = (
                f"drop the constraint instead (ALTER TABLE {table} DROP CONSTRAINT {eff.ref.name})"
            )
            self._refuse("dependent_objects", m, file, eff, message, hint)

    def _key_partner(self, old: ObjectRef, new: ObjectRef) -> list[tuple[ObjectRef, ObjectRef]]:
        """A primary key or unique constraint and the index it is made of share
        their name: PostgreSQL renames the one with the other. The other one's
        (old, new) names, if ``old`` is such a pair's."""
        if old.kind == CONSTRAINT and old.table is not None:
            table = old.table
            other = ObjectRef(INDEX, old.schema, old.name)
            renamed = ObjectRef(INDEX, old.schema, new.name)
        elif old.kind == INDEX and (entry := self.live.find(old)) is not None and entry[2]:
            table = entry[2]
            other = ObjectRef(CONSTRAINT, old.schema, old.name, table=table)
            renamed = ObjectRef(CONSTRAINT, old.schema, new.name, table=table)
        else:
            return []
        constraint = other if other.kind == CONSTRAINT else old
        found = self.live.find(other)
        if constraint.key not in self.keys.get(table, {}) or found is None:
            return []
        if other.kind == INDEX and found[2] != table:
            return []
        return [(other, renamed)]

    def _rename_taken(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A rename to a name something else has by then: PostgreSQL refuses
        (42701 for a column, 42P07 for a relation, 42710 for the others)."""
        new = eff.new
        found = self.live.find(new) if new is not None else None
        if dynamic or found is None or found[0].matches(eff.ref):
            return
        existing, origin, _ = found
        if self._first_time(m, "already_exists", str(new), eff.line):
            made = (
                f"line {self._first_line_of(m, existing)} of {m.id}" if origin == m.id else origin
            )
            code = _EXISTS_CODES.get(existing.kind, "42710")
            message = (
                f"{m.id} renames {eff.ref} to {new.name} at line {eff.line}, but {existing} "
                f"has that name ({made} made it): PostgreSQL refuses ({code})"
            )
            hint = "drop or rename the other first, or choose another name"
            self._refuse("already_exists", m, file, eff, message, hint)

    def _value_refused(
        self, m: Migration, file: str, eff: F.Effect, column_type: str, dynamic: bool
    ) -> None:
        """A constant of a type that does not convert to its column's on
        assignment, as a default or in an INSERT … VALUES (``0`` for a
        boolean, ``true`` for an integer): PostgreSQL refuses (42804)."""
        ref, given = eff.ref, self._judged_type(eff.value_type)
        if dynamic or ref.table not in self.complete or not given:
            return
        what = "a value" if eff.action == F.REQUIRE else "a default"
        labels = self.enums.get(column_type.removeprefix("enum:"))
        hint = ""
        if given.startswith("'") and column_type.startswith("enum:") and labels is not None:
            if given[1:-1] in labels:
                return
            message = (
                f"{m.id} gives {ref} ({spelled(column_type)}) {what} of {given} at line "
                f"{eff.line}, which is not one of its labels ({_labels_shown(labels)}): "
                "PostgreSQL refuses (22P02)"
            )
            hint = (
                "use one of its labels, or add this one first (ALTER TYPE … ADD VALUE, in an "
                "earlier migration: a label added is not usable in its own transaction)"
            )
        elif given.startswith("'"):
            text = given[1:-1]
            state = empty_refused(column_type) if not text else literal_refused(column_type, text)
            if not state:
                return
            shown = "the empty string" if not text else given
            if text.upper() == "NULL":
                hint = "write NULL without quotes for no value"
            elif text.endswith(")"):
                hint = f"call the function without quotes: {text}"
            why = "is out of its range" if state == "22003" else f"is no {spelled(column_type)}"
            message = (
                f"{m.id} gives {ref} ({spelled(column_type)}) {shown} as {what} at line "
                f"{eff.line}: {given} {why}, and PostgreSQL refuses ({state})"
            )
        elif self._assigns(given, column_type) is False:
            message = (
                f"{m.id} gives {ref} ({spelled(column_type)}) {what} of type {spelled(given)} "
                f"at line {eff.line}: PostgreSQL does not convert {spelled(given)} to "
                f"{spelled(column_type)} by itself, and refuses (42804)"
            )
        else:
            return
        if not self._first_time(m, "value_type", f"{ref} {what}", eff.line):
            return
        if not hint:
            example = _EXAMPLES.get(column_type)
            written = f" (such as {example})" if example else ""
            hint = f"write a value of type {spelled(column_type)}{written}, or cast it"
        self._refuse("value_type", m, file, eff, message, hint)

    def _enum_labels_changed(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """ALTER TYPE … ADD VALUE of a label the enum has (42710, without IF NOT
        EXISTS), RENAME VALUE of one it lacks (22023) or to one it has (42710)."""
        name, labels = eff.ref.qualified, eff.labels or ()
        known = self.enums.get(name)
        if known is None or dynamic:
            if name in self.enums:
                self.enums[name] = None  # its labels are not followed any further
            return
        problem = None
        neighbor = eff.neighbor[1:]
        if len(labels) == 1:
            if labels[0] in known:
                if eff.strict:
                    problem = ("already_exists", f"adds the label '{labels[0]}'", "42710")
            elif neighbor and neighbor not in known:
                where = "after" if eff.neighbor.startswith(">") else "before"
                what = f"adds the label '{labels[0]}' {where} '{neighbor}'"
                problem = ("missing_prerequisite", what, "22023")
            else:
                self.enums[name] = (*known, labels[0])
                self.added_labels.add((name, labels[0]))
        elif len(labels) == 2:
            old, new = labels
            if old not in known:
                problem = ("missing_prerequisite", f"renames the label '{old}'", "22023")
            elif new in known:
                problem = ("already_exists", f"renames the label '{old}' to '{new}'", "42710")
            else:
                self.enums[name] = tuple(new if label == old else label for label in known)
        if problem is None:
            return
        kind, what, state = problem
        # each label on its own: every such line is refused (in a transaction,
        # the first stops the rest, and the next run meets the next)
        if self._first_time(m, kind, f"{eff.ref} label {what}", eff.line):
            has = "has it already" if state == "42710" else "has no such label"
            if neighbor and state == "22023":
                has = f"has no label '{neighbor}'"
            listed = ", ".join(f"'{label}'" for label in known) or "no labels"
            message = (
                f"{m.id} {what} of {eff.ref} at line {eff.line}, but it {has} ({listed}): "
                f"PostgreSQL refuses ({state})"
            )
            hint = (
                "write ADD VALUE IF NOT EXISTS, or drop the line"
                if state == "42710" and len(labels) == 1
                else "name a label the enum has, and a new one it has not"
            )
            self._refuse(kind, m, file, eff, message, hint)

    def _label_refused(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A quoted constant read as one of the folder's enums that is none of
        its labels: cast to it (``'api'::channel``, in a view, a CHECK, a data
        fix …), or compared with a column of it (``WHERE status = 'completed'``,
        judged on a table whose whole making the folder shows). PostgreSQL
        refuses it as it reads the statement, whatever the rows (22P02)."""
        ref, label = eff.ref, eff.cast_label
        if ref.kind == COLUMN:
            typed = self.column_traits.get(ref.key, _NO_TRAITS).data_type
            enum_name = typed.removeprefix("enum:") if ref.table in self.complete else ""
            how = f"compares {ref} ({spelled(typed)}) with '{label}'"
        else:
            found = self.live.find(ref)
            enum_name = found[0].qualified if found is not None else ""
            how = f"casts '{label}' to {ref}"
        labels = self.enums.get(enum_name)
        if dynamic or labels is None or label in labels:
            return
        if not self._first_time(m, "value_type", f"{ref} '{label}'", eff.line):
            return
        self._refuse(
            "value_type",
            m,
            file,
            eff,
            f"{m.id} {how} at line {eff.line}, which is not one of its labels "
            f"({_labels_shown(labels)}): PostgreSQL refuses (22P02)",
            "use one of its labels (a label renamed since goes by its new name), or add this "
            "one first (ALTER TYPE … ADD VALUE, in an earlier migration)",
        )

    def _composite_in_use(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """``ALTER TYPE t ALTER ATTRIBUTE a TYPE …`` while a table's column is of
        the composite type t (or an array of it): PostgreSQL refuses (0A000)."""
        found = self.live.find(eff.ref)
        if found is None:
            return
        columns = []
        for held in self._holding(found[0], self._alive):
            table = self.live.find(_table_of(held)) if held.kind == COLUMN else None
            if table is not None and table[0].kind == TABLE:
                columns.append(held)
        if not columns or not self._first_time(m, "dependent_objects", str(eff.ref), eff.line):
            return
        unsure = dynamic or self._maybe_removed(columns, m)
        self.problems.append(
            Problem(
                "dependent_objects",
                WARNING if unsure or eff.handled else ERROR,
                f"{m.id} changes the type of attribute {eff.retyped_attribute} of {eff.ref} "
                f"at line {eff.line}, but {_listed(columns)} "
                f"{'is' if len(columns) == 1 else 'are'} of that type: PostgreSQL refuses "
                "(0A000)",
                "add a new type with the attribute's new type, move the columns to it, and "
                "drop the old one",
                m.id,
                str(eff.ref),
                file,
                eff.line,
                section="up",
            )
        )

    def _number_refused(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A column compared with a number (``WHERE status = 1``) whose type no
        number compares with (text, varchar, uuid, boolean, a date or time, an
        enum): PostgreSQL finds no operator as it reads the statement (42883).
        Judged on a table whose whole making the folder shows."""
        ref = eff.ref
        if dynamic or ref.table not in self.complete or self.live.find(ref) is None:
            return
        typed = self.column_traits.get(ref.key, _NO_TRAITS).data_type
        family = "enum" if typed.startswith("enum:") else FAMILIES.get(typed)
        if family not in _NO_NUMBER_FAMILIES:
            return
        if not self._first_time(
            m, "missing_prerequisite", f"{ref} {eff.compared_number}", eff.line
        ):
            return
        number = "integer" if eff.compared_number == "int4" else "numeric"
        self._refuse(
            "missing_prerequisite",
            m,
            file,
            eff,
            f"{m.id} compares {ref} ({spelled(typed)}) with a number at line {eff.line}: "
            f"PostgreSQL has no operator for {spelled(typed)} and {number}, and refuses "
            "(42883)",
            f"compare it with a {spelled(typed)} (a quoted constant: {ref.name} = '1'), or "
            "cast one side",
        )

    def _typed_use_refused(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A column compared with ``TRUE``, matched by LIKE or a regular
        expression, or passed to a built-in string function, whose type has no
        such operator or function (``id LIKE 'x%'`` of a uuid, ``lower(n)`` of
        an integer): PostgreSQL refuses as it reads the statement (42883).
        Judged on a table whose whole making the folder shows."""
        ref, use = eff.ref, eff.typed_use
        if dynamic or ref.table not in self.complete or self.live.find(ref) is None:
            return
        typed = self.column_traits.get(ref.key, _NO_TRAITS).data_type
        family = "enum" if typed.startswith("enum:") else FAMILIES.get(typed)
        if use == "= boolean":
            refused = family is not None and family not in ("bool", "")
        elif use == "LIKE":
            refused = family in _NOT_TEXT_FAMILIES
        elif use in ("ILIKE", "~"):
            refused = family in _NOT_TEXT_FAMILIES or family == "bytea"
        else:
            refused = family in _NOT_TEXT_FAMILIES
        if not refused or not self._first_time(m, "missing_prerequisite", f"{ref} {use}", eff.line):
            return
        shown = spelled(typed)
        if use == "= boolean":
            what = f"compares {ref} ({shown}) with a boolean"
            why = f"PostgreSQL has no operator for {shown} and boolean"
            hint = f"compare it with a {shown}, or use a boolean column"
        elif use.endswith("()"):
            what = f"calls {use[:-2]}() of {ref} ({shown})"
            why = f"PostgreSQL has no {use[:-2]}({shown}), nor casts {shown} to text by itself"
            hint = f"cast the column to text: {use[:-2]}({ref.name}::text)"
        else:
            what = f"matches {ref} ({shown}) with {use}"
            why = f"PostgreSQL has no {use} operator for {shown}"
            hint = f"cast the column to text ({ref.name}::text {use} …), or compare it as a {shown}"
        self._refuse(
            "missing_prerequisite",
            m,
            file,
            eff,
            f"{m.id} {what} at line {eff.line}: {why}, and refuses (42883)",
            hint,
        )

    def _aggregate_refused(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """``min``, ``max``, ``sum`` or ``avg`` of a column of a type it is
        not defined for (``min(uuid)``, ``max(boolean)``, ``sum(text)``), on
        a table whose whole making the folder shows: PostgreSQL finds no such
        function as it reads the query (42883)."""
        ref = eff.ref
        if dynamic or ref.table not in self.complete or self.live.find(ref) is None:
            return
        typed = self.column_traits.get(ref.key, _NO_TRAITS).data_type
        if not typed or aggregates(eff.aggregate, typed) is not False:
            return
        if any(key[0] == "routine" and key[2] == eff.aggregate for key in self.live.by_key):
            return  # the folder made one (CREATE AGGREGATE min(uuid) …)
        if not self._first_time(m, "missing_prerequisite", f"{eff.aggregate} {ref}", eff.line):
            return
        self._refuse(
            "missing_prerequisite",
            m,
            file,
            eff,
            f"{m.id} calls {eff.aggregate}() of {ref} ({spelled(typed)}) at line {eff.line}: "
            f"PostgreSQL has no {eff.aggregate}({spelled(typed)}) and refuses the query (42883)",
            f"cast the column to a type {eff.aggregate}() takes"
            + (
                f" ({ref.name}::text), or pick the row another way"
                if eff.aggregate in ("min", "max")
                else ""
            ),
        )

    def _ungrouped(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A column a grouped query names outside its aggregates that is not
        grouped, on a table whose primary key is not grouped either (a table
        whose whole making the folder shows): PostgreSQL refuses the query
        (42803)."""
        ref, grouped = eff.ref, eff.grouped or ()
        if dynamic or ref.name in grouped or ref.table not in self.complete:
            return
        if self.live.find(ref) is None or self.live.find(_table_of(ref)) is None:
            return  # (another kind of relation, or a name said missing)
        keys = self.keys.get(ref.table or "", {}).values()
        if any(primary and columns <= set(grouped) for columns, primary in keys):
            return  # the rest of its row depends on its primary key
        if not self._first_time(m, "invalid_definition", f"grouped {ref}", eff.line):
            return
        shown = f" (of its columns, {', '.join(grouped)})" if grouped else ""
        self._refuse(
            "invalid_definition",
            m,
            file,
            eff,
            f"{m.id} names {ref} at line {eff.line} outside an aggregate in a grouped query, "
            f"which groups neither it nor {ref.table}'s primary key{shown}: PostgreSQL "
            "refuses the query (42803)",
            f"add {ref.name} to GROUP BY, or aggregate it (max({ref.name}), …)",
        )

    def _truncate_refused(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """TRUNCATE of a table a foreign key of another table references,
        without that table in the same TRUNCATE or CASCADE: PostgreSQL
        refuses, even when both are empty (0A000)."""
        table = eff.ref.qualified
        if dynamic or eff.truncated is None:
            return
        for key in self._foreign_keys_at(table):
            if key.target != table or key.ref.table in eff.truncated:
                continue
            if key.guarded or key.handled or self.live.find(key.ref) is None:
                continue
            if self._first_time(m, "truncate_referenced", str(eff.ref), eff.line):
                message = (
                    f"{m.id} truncates {table} at line {eff.line}, which {key.ref} references: "
                    "PostgreSQL refuses to truncate a table another table's foreign key "
                    "references, even an empty one (0A000)"
                )
                if self.dynamic_before:
                    message += (
                        f", unless the SQL {self.dynamic_before[-1]} builds at run time dropped it"
                    )
                hint = (
                    f"truncate {key.ref.table} in the same statement "
                    f"(TRUNCATE {table}, {key.ref.table}), or write TRUNCATE … CASCADE, "
                    "knowing it empties every referencing table"
                )
                sure = not self.dynamic_before
                self._refuse("truncate_referenced", m, file, eff, message, hint, sure=sure)
            return

    def _rename_view_column(self, old: ObjectRef, new: ObjectRef) -> None:
        """A view renamed, or one of its columns: its known columns follow."""
        if old.namespace == "relation" and old.key in self.view_columns:
            self.view_columns[new.key] = self.view_columns.pop(old.key)
            if old.key in self.view_types:
                self.view_types[new.key] = self.view_types.pop(old.key)
        elif old.kind == COLUMN and old.table is not None:
            view = ObjectRef(VIEW, old.schema, old.table.rpartition(".")[2]).key
            if view in self.view_columns:
                self.view_columns[view] = tuple(
                    new.name if c == old.name else c for c in self.view_columns[view]
                )

    def _rewrite_judged(self, m: Migration, eff: F.Effect, traits: _Traits, new: str) -> None:
        """Whether this change of a column's type leaves the rows as they are
        (a longer varchar, varchar to text, with or without ``USING col::new_type``,
        which PostgreSQL reduces to the column itself): then the lock hint that it
        rewrites the table is dropped (see ``_in_place``)."""
        in_place = (
            eff.using != "expression"  # ``USING col::new_type`` converts as no USING does
            and rewrites(traits.data_type, traits.type_mods, new, eff.type_mods) is False
        )
        self._hint_moot(m, "rewrite", str(eff.ref), in_place)

    def _hint_moot(self, m: Migration, rule: str, obj: str, moot: bool) -> None:
        key = (m.id, rule, obj)
        self.moot[key] = self.moot.get(key, True) and moot

    def _moot(self, hint: Problem) -> bool:
        """A lock hint about work the walk knows the statement does not do."""
        key = (hint.migration or "", hint.rule or "", hint.object or "")
        if self.moot.get(key, False):
            return True
        named = (hint.object or "").rpartition(" ")[2].rpartition(".")[2]
        return (hint.migration, hint.line, named) in self.locks_nothing

    def _kept_hints(self) -> tuple[Problem, ...]:
        """The lock hints not moot; ``no-lock-timeout`` once per migration, at the
        first statement left (lint says it at each DROP … IF EXISTS before one)."""
        kept, timed = [], set()
        for hint in self.hints:
            if self._moot(hint):
                continue
            if hint.rule == "no-lock-timeout":
                if hint.migration in timed:
                    continue
                timed.add(hint.migration)
            if hint.rule == "index-not-concurrent" and self._partitioned_hint(hint):
                hint = replace(
                    hint,
                    hint="PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table: "
                    "CREATE INDEX … ON ONLY the table (quick, invalid until complete), then "
                    "CREATE INDEX CONCURRENTLY on each partition, outside a transaction, and "
                    "ALTER INDEX … ATTACH PARTITION each",
                )
            kept.append(hint)
        return tuple(kept)

    def _partitioned_hint(self, hint: Problem) -> bool:
        """A lock hint about a table the walk knows is partitioned."""
        named = (hint.object or "").removeprefix("table ")
        return (named if "." in named else f"public.{named}") in self.partitioned

    def _drops_nothing(
        self, m: Migration, eff: F.Effect, found: ObjectRef, gone: bool, dynamic_here: bool
    ) -> None:
        """``DROP … IF EXISTS`` of a relation the walk knows is not there, at
        this point of a history it can see whole: the statement locks nothing,
        and its lock hints are moot."""
        if not gone:
            if dynamic_here or self._copied(found):
                return
            candidates = [found] + [_in_schema(found, s) for s in eff.alternatives]
            if not all(self._surely_absent(c) for c in candidates):
                return
        up = self.parsed[m.id].get("up")
        statements = up.statements if up is not None else ()
        if eff.statement < len(statements) and statements[eff.statement].index == eff.statement:
            self.locks_nothing.add((m.id, statements[eff.statement].start_line, found.name))

    def _cast_refused(
        self,
        m: Migration,
        file: str,
        eff: F.Effect,
        traits: _Traits,
        dynamic: bool,
        section: str = "up",
    ) -> bool:
        """ALTER COLUMN … TYPE without USING, from a type PostgreSQL does not
        convert to the new one on assignment (text to bigint: 42804); USING
        ``col::new`` where no cast exists at all (uuid to bigint: 42846); or,
        whatever the USING, of a column whose default does not convert on
        assignment (PostgreSQL converts the default that way: 42804). Only
        said of a table whose whole making the folder shows."""
        ref, old, new = eff.ref, traits.data_type, self._judged_type(eff.data_type)
        if dynamic or ref.table not in self.complete:
            return False
        if eff.using == "cast" and self._cast_exists(old, new) is False:
            state, how = (
                "42846",
                f"USING a cast that does not exist ({spelled(old)} to {spelled(new)})",
            )
            hint = f"write USING with an expression that makes a {spelled(new)} of each value"
        elif not eff.using and self._assigns(old, new) is False:
            state = "42804"
            how = f"without USING, and {spelled(old)} does not convert to {spelled(new)} by itself"
            hint = (
                f"say how: ALTER COLUMN {ref.name} TYPE {spelled(new)} USING "
                f"{ref.name}::{spelled(new)} (or an expression that converts every value)"
            )
        elif (
            traits.default
            and traits.default_type
            and self._assigns(traits.default_type, new) is False
        ):
            state = "42804"
            how = (
                f"while it has a default: USING converts its values, not the default, and a "
                f"{spelled(traits.default_type)} default does not convert to {spelled(new)} "
                "by itself"
            )
            hint = (
                f"drop the default first (ALTER COLUMN {ref.name} DROP DEFAULT, in the same "
                "ALTER TABLE or before it), then SET DEFAULT again in the new type"
            )
        else:
            return False
        if not self._first_time(m, "type_cast", str(ref), eff.line):
            return True
        who = m.id if section == "up" else f"the {section} section of {m.id}"
        message = (
            f"{who} changes {ref} from {spelled(old)} to {spelled(new)} at line "
            f"{eff.line} {how}: PostgreSQL refuses ({state})"
        )
        if section == "up":
            self._refuse("type_cast", m, file, eff, message, hint)
        else:
            self.problems.append(_section_error("type_cast", m, section, file, eff, message, hint))
        return True

    def _compared_retyped(
        self, m: Migration, file: str, eff: F.Effect, traits: _Traits, dynamic: bool
    ) -> None:
        """A column a CHECK or an index's predicate compares with a quoted
        constant (``status <> 'done'``), given another type where the old or
        the new one is an enum: the constant was stored as the old type, and
        PostgreSQL, rebuilding the CHECK (the index), finds no operator
        between the two (42883) — the enum rebuilt under its old name
        (``RENAME TO mood_old``, a new ``mood``, the column moved to it) runs
        into it."""
        ref, old, new = eff.ref, traits.data_type, self._judged_type(eff.data_type)
        if dynamic or not old or not new or old == new or not ref.table:
            return
        if not (old.startswith("enum:") or new.startswith("enum:")):
            return
        for holder in self.live.on_column(ref.table, ref.name):
            if ref.name not in self.live.compared.get(holder.key, ()):
                continue
            what = (
                f"index {holder.name}'s predicate"
                if holder.kind == INDEX
                else (f"CHECK {holder.name}")
            )
            undo = (
                f"DROP INDEX {holder.qualified}"
                if holder.kind == INDEX
                else f"ALTER TABLE … DROP CONSTRAINT {holder.name}"
            )
            if not self._first_time(m, "type_cast", f"{ref} {holder}", eff.line):
                continue
            self._refuse(
                "type_cast",
                m,
                file,
                eff,
                f"{m.id} changes {ref} from {spelled(old)} to {spelled(new)} at line "
                f"{eff.line}, and {what} compares it with a quoted constant, stored as a "
                f"{spelled(old)}: PostgreSQL rebuilds it and finds no operator between "
                f"{spelled(new)} and {spelled(old)} (42883)",
                f"drop it before the change ({undo}) and make it again after",
            )
            return

    def _retyped_key(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A column a foreign key joins, given a type the other side's no longer
        compares with (an integer key's column made text): PostgreSQL rebuilds
        the key, and refuses (42804)."""
        ref, new = eff.ref, self._judged_type(eff.data_type)
        if dynamic or ref.table not in self.complete:
            return
        for key in self._foreign_keys_at(ref.table):
            if self.live.find(key.ref) is None or key.target is None:
                continue
            referenced = self._referenced_names(key)
            if len(referenced) != len(key.columns) or (not key.references and len(referenced) != 1):
                continue
            target_schema = key.target.rpartition(".")[0] or None
            for mine, theirs in zip(key.columns, referenced, strict=True):
                if key.ref.table == ref.table and mine == ref.name:
                    other = ObjectRef(COLUMN, target_schema, theirs, table=key.target)
                elif key.target == ref.table and theirs == ref.name:
                    other = ObjectRef(COLUMN, key.ref.schema, mine, table=key.ref.table)
                else:
                    continue
                other_type = self.column_traits.get(other.key, _NO_TRAITS).data_type
                referencing = other.table == key.target  # the retyped column references
                pair = (new, other_type) if referencing else (other_type, new)
                if key_equality(*pair) is not False:
                    continue
                if self._first_time(m, "foreign_key_types", str(ref), eff.line):
                    self._refuse(
                        "foreign_key_types",
                        m,
                        file,
                        eff,
                        f"{m.id} changes {ref} to {spelled(new)} at line {eff.line}, and "
                        f"{key.ref} joins it to {other} ({spelled(other_type)}): no equality "
                        "joins those types, and PostgreSQL refuses (42804)",
                        f"drop {key.ref.name} first, change both columns' types, then add it "
                        "again (while it stands, neither side can change first)",
                    )
                return

    def _foreign_key_types(self, m: Migration, file: str, eff: F.Effect) -> None:
        """A foreign key between columns of types with no equality between them
        (integer and text, text and uuid, numeric to integer …): PostgreSQL
        refuses (42804)."""
        referenced = self._referenced_names(eff)
        if not eff.references and len(referenced) != 1:
            return  # the primary key's columns, in no order: only one is sure
        if len(referenced) != len(eff.columns) or eff.ref.table is None:
            return
        schema, target = eff.ref.schema, eff.target or ""
        target_schema = target.rpartition(".")[0] or None
        for mine, theirs in zip(eff.columns, referenced, strict=True):
            a = self.column_traits.get(
                ObjectRef(COLUMN, schema, mine, table=eff.ref.table).key, _NO_TRAITS
            ).data_type
            b = self.column_traits.get(
                ObjectRef(COLUMN, target_schema, theirs, table=target).key, _NO_TRAITS
            ).data_type
            if key_equality(a, b) is not False:
                continue
            if not self._first_time(m, "foreign_key_types", str(eff.ref), eff.line):
                return
            self._refuse(
                "foreign_key_types",
                m,
                file,
                eff,
                f"{m.id} adds {eff.ref} at line {eff.line} from {mine} ({spelled(a)}) to "
                f"{theirs} ({spelled(b)}) of {target}: no equality joins those types, and "
                "PostgreSQL refuses (42804)",
                f"give {mine} the type of {target}.{theirs}",
            )
            return

    def _second_primary_key(self, m: Migration, file: str, eff: F.Effect, table: str) -> None:
        """A table has one primary key: adding another fails (42P16)."""
        if table not in self.complete or eff.guarded or eff.handled or eff.tolerant:
            return
        held = [k for k, (_, primary) in self.keys.get(table, {}).items() if primary]
        if not held:
            return
        self.problems.append(
            Problem(
                "conflicting_constraint",
                ERROR,
                f"{m.id} adds the primary key {eff.ref.name} to {table} at line {eff.line}, "
                f"which already has one ({held[0][2]}): a table has a single primary key, "
                "and PostgreSQL refuses (42P16)",
                f"drop {held[0][2]} first (ALTER TABLE {table} DROP CONSTRAINT {held[0][2]}), "
                "or make the new key UNIQUE",
                m.id,
                str(eff.ref),
                file,
                eff.line,
                section="up",
            )
        )

    def _conflict_target(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """``INSERT … ON CONFLICT (a, b)`` needs a unique index, unique
        constraint or primary key of exactly those columns (a partial or
        expression index does not count without a WHERE to infer it): else
        PostgreSQL refuses the statement (42P10). Only said of a table whose
        whole making the folder shows."""
        table, columns = eff.ref.qualified, eff.arbiter or ()
        if dynamic or self.dynamic_before or table not in self.complete or self.indexes_unknown:
            return  # (a unique index made by a name built at run time may serve)
        if (eff.ref.schema, eff.ref.name) in self.copies:
            return  # a partition or a copy: its indexes may come from another table
        entry = self.live.find(eff.ref)
        if entry is None or entry[0].kind != TABLE:
            return  # a view's inserts go to its table, by its indexes
        keys = [cols for cols, _ in self.keys.get(table, {}).values()]
        if any("?" in cols for cols in keys) or frozenset(columns) in keys:
            return
        if any(
            self.live.find(eff.ref.column(name)) is None
            for name in columns
            if not name.startswith("(")
        ):
            return  # a column it names is missing: that is the error to say
        if not self._first_time(m, "conflict_target", f"{eff.ref} {columns}", eff.line):
            return
        listed = ", ".join(columns)
        those = "columns" if all(c[0] != "(" for c in columns) else "columns and expressions"
        self._refuse(
            "conflict_target",
            m,
            file,
            eff,
            f"{m.id} inserts into {eff.ref} at line {eff.line} ON CONFLICT ({listed}), but no "
            f"unique index or key of {table} has exactly those {those}: PostgreSQL refuses "
            "(42P10)",
            f"add a unique index on {table} ({listed}) first, or name the columns of one it has",
        )

    def _foreign_key_targets(self, m: Migration, file: str, pending: list[F.Effect]) -> None:
        """Each foreign key of the statement just read must reference a primary
        key or a unique constraint of exactly its columns (42830). Only said of a
        table whose whole making the folder shows (as for its columns)."""
        for eff in pending:
            target = eff.target
            if target not in self.complete:
                continue
            keys = list(self.keys.get(target, {}).values())
            if any("?" in cols for cols, _ in keys):
                continue  # a key made from an index: its columns are not known here
            schema = target.rpartition(".")[0] or None
            if any(
                self.live.find(ObjectRef(COLUMN, schema, name, table=target)) is None
                for name in eff.references
            ):
                continue  # a column it names is missing: that is the error to say
            held = self.keys.get(target, {})
            if eff.references:
                used = [k for k, (cols, _) in held.items() if cols == frozenset(eff.references)]
                wanted = f"({', '.join(eff.references)})"
            else:
                used = [k for k, (_, primary) in held.items() if primary]
                wanted = "its primary key"
            if used:
                self._foreign_key_types(m, file, eff)
                if len(used) == 1:  # the key it uses: PostgreSQL refuses to drop it
                    self._hold(eff.ref, _key_ref(used[0]))
                continue
            if self.indexes_unknown:
                continue  # a unique index made by a name built at run time may serve
            if not self._first_time(m, "foreign_key_target", str(eff.ref), eff.line):
                continue
            self._refuse(
                "foreign_key_target",
                m,
                file,
                eff,
                f"{m.id} adds {eff.ref} at line {eff.line}, referencing {wanted} of "
                f"{target}, which has no "
                + (
                    "primary key"
                    if not eff.references
                    else "primary key or unique constraint on exactly those columns"
                )
                + f" then: PostgreSQL refuses ({'42830' if eff.references else '42704'})",
                "reference the columns of a primary key or unique constraint of the "
                "table, or add one first",
            )
        pending.clear()

    def _generated_insert(self, m: Migration, file: str, eff: F.Effect) -> None:
        """An INSERT or UPDATE giving a GENERATED ALWAYS column a value:
        PostgreSQL refuses (428C9)."""
        if not self._first_time(m, "generated_column", str(eff.ref), eff.line):
            return
        if eff.set_value:
            self.problems.append(
                Problem(
                    "generated_column",
                    WARNING if eff.handled else ERROR,
                    f"{m.id} sets {eff.ref} at line {eff.line} to a value, whose value is "
                    "always the server's (GENERATED ALWAYS): it can only be updated to DEFAULT, "
                    "and PostgreSQL refuses (428C9)",
                    "leave the column out of the SET, or set it to DEFAULT",
                    m.id,
                    str(eff.ref),
                    file,
                    eff.line,
                    section="up",
                )
            )
            return
        self.problems.append(
            Problem(
                "generated_column",
                WARNING if eff.handled else ERROR,
                f"{m.id} inserts a value into {eff.ref} at line {eff.line}, whose value is "
                "always the server's (GENERATED ALWAYS): PostgreSQL refuses (428C9)",
                "leave the column out of the INSERT (or write DEFAULT); for an identity "
                "column whose value must be kept, write OVERRIDING SYSTEM VALUE",
                m.id,
                str(eff.ref),
                file,
                eff.line,
                section="up",
            )
        )

    def _rename_dependencies(self, old: ObjectRef, new: ObjectRef) -> None:
        """What depends on a renamed object, or on a renamed table's columns,
        depends on it under its new name (PostgreSQL follows the object, not
        the name); a new object of the old name is another one."""
        self._rename_foreign_keys(old, new)
        self._rename_dependent(old.key, new)
        if old.namespace == "relation" and old.qualified != new.qualified:
            # what lives on the table (its foreign keys, triggers, columns) is
            # renamed with it, and still depends on what it did
            for key in self.live.children.get(new.qualified, ()):
                if key[3] == new.qualified:
                    for child, _, _ in self.live.by_key.get(key, ()):
                        was = (key[0], old.schema, key[2], old.qualified)
                        self._rename_dependent(was, child)
                        if child.kind != COLUMN:  # (columns follow below, with their traits)
                            # what holds it (a foreign key its key) holds it still
                            self._move_dependents(was, child)
        if old.kind == COLUMN:
            self._move_dependents(old.key, new)
            if old.key in self.column_traits:
                self._traits(new.key, self.column_traits.pop(old.key))
        elif old.namespace in ("type", "routine", CONSTRAINT) and old.key != new.key:
            if not (old.namespace == "routine" and self.live.by_key.get(old.key)):
                # (one overload of several renamed: which of them a dependent
                # calls is not known, so it is left where it was)
                self._move_dependents(old.key, new)
        elif old.namespace == "relation" and old.key != new.key:
            self._move_dependents(old.key, new)
            if old.kind in _ROW_TYPED:  # … and on its row type (a function returning its rows)
                row = ObjectRef(TYPE, old.schema, old.name)
                self._move_dependents(row.key, ObjectRef(TYPE, new.schema, new.name))
            for key in self.column_keys.pop(old.qualified, ()):
                column = ObjectRef(COLUMN, new.schema, key[2], table=new.qualified)
                self._move_dependents(key, column)
                if key in self.column_traits:
                    self._traits(column.key, self.column_traits.pop(key))
            if old.qualified in self.keys and old.qualified != new.qualified:
                # the keys go with the table; their own names are looked up again
                self.keys[new.qualified] = {
                    (k[0], new.schema, k[2], new.qualified if k[3] == old.qualified else k[3]): v
                    for k, v in self.keys.pop(old.qualified).items()
                }
        if old.kind == COLUMN and old.table in self.keys:
            # (an expression's columns are not followed: its key is no longer known)
            self.keys[old.table] = {
                k: (
                    frozenset(
                        new.name if c == old.name else "?" if c.startswith("(") else c for c in cols
                    ),
                    primary,
                )
                for k, (cols, primary) in self.keys[old.table].items()
            }
        elif old.kind in (CONSTRAINT, INDEX):
            for held in self.keys.values():
                if old.key in held:
                    held[new.key] = held.pop(old.key)

    def _move(self, m: Migration, eff: F.Effect, old: ObjectRef, new: ObjectRef) -> None:
        """``old`` is ``new`` from now on (a rename, or a schema's)."""
        self.live.rename(old, new, m.id)
        self._rename_dependencies(old, new)
        self.renamed[old.key] = (new, m.id, eff.line)
        self._rename_unfilled(old, new)
        if old.namespace == "relation" and old.qualified in self.partitioned:
            self.partitioned[new.qualified] = self.partitioned.pop(old.qualified)
        if old.key in self.matview_calls:
            self.matview_calls[new.key] = self.matview_calls.pop(old.key)
        if old.key in self.matview_filled:
            self.matview_filled[new.key] = self.matview_filled.pop(old.key)
        if old.namespace == "relation" and old.qualified in self.column_unique:
            self.column_unique[new.qualified] = self.column_unique.pop(old.qualified)
        if old.kind == INDEX:
            for indexes in self.column_unique.values():
                if old in indexes:
                    indexes.discard(old)
                    indexes.add(new)
        if old.namespace == "relation" and old.qualified in self.bounds:
            self.bounds[new.qualified] = self.bounds.pop(old.qualified)
            for part in self.bounds[new.qualified]:
                self.bound_to[part] = new.qualified
        if old.namespace == "relation" and old.qualified in self.bound_to:
            table = self.bound_to.pop(old.qualified)
            self.bound_to[new.qualified] = table
            parts = self.bounds.get(table, {})
            if old.qualified in parts:
                parts[new.qualified] = parts.pop(old.qualified)
        for known in (self.complete, self.doubted) if old is not eff.ref else ():
            if old.qualified in known:
                known.discard(old.qualified)
                known.add(new.qualified)
        if old.qualified in self.enums:
            self.enums[new.qualified] = self.enums.pop(old.qualified)
        if old.namespace == "type":
            self._type_renamed(old, new)
        if old.namespace == "type" or old.kind in _ROW_TYPED:
            self._rename_in_signatures(old, new)
        elif old.namespace == "routine" and old.key != new.key:
            for word in _WORDS.findall(old.args or ""):
                self.signature_types[word].add(new.key)

    def _type_renamed(self, old: ObjectRef, new: ObjectRef) -> None:
        """The columns of a renamed enum are of the new name's type, and so
        are their defaults: a new enum made under the old name is another
        type (``ALTER TYPE mood RENAME TO mood_old; CREATE TYPE mood …``)."""
        was, now = enum(old.qualified), enum(new.qualified)
        judged = new.qualified in self.enums  # (its labels moved to the new name just now)
        for key, traits in list(self.column_traits.items()):
            changed = traits
            if judged and traits.data_type == was:
                changed = changed._replace(data_type=now)
            if judged and traits.default_type == was:
                changed = changed._replace(default_type=now)
            if old.key in traits.default_casts:
                changed = changed._replace(
                    default_casts=traits.default_casts - {old.key} | {new.key}
                )
            if changed is not traits:
                self.column_traits[key] = changed

    def _schema_contents(
        self, old: str, new: str, routines: bool = True
    ) -> list[tuple[ObjectRef, ObjectRef]]:
        """A schema renamed: each object in it (its routines, or the others),
        and its name in the new one (what lives on a table moves with it)."""
        return [
            (obj, ObjectRef(obj.kind, new, obj.name, obj.args))
            for entries in list(self.live.by_key.values())
            for obj, _, parent in entries
            if obj.schema == old
            and obj.table is None
            and parent is None
            and obj.kind != SCHEMA
            and (obj.namespace == "routine") == routines
        ]

    def _rename_in_signatures(self, old: ObjectRef, new: ObjectRef) -> None:
        """A type renamed (or a table, whose rows are a type): the routines
        taking it are named with its new name now, as PostgreSQL shows them."""
        path = self.loaded.search_path

        def spelled(token: str) -> str:
            base, array = (token[:-2], "[]") if token.endswith("[]") else (token, "")
            if base == old.qualified:
                return new.qualified + array
            if base == old.name and old.schema in path and new.schema == old.schema:
                return new.name + array
            return token

        moved: dict[ObjectRef, ObjectRef] = {}
        for key in self.signature_types.get(old.name, ()):
            entries = self.live.by_key.get(key, [])
            for i, (routine, origin, parent) in enumerate(entries):
                shape = self.function_shapes.get((key, routine.args))
                if shape is not None and old.name in _WORDS.findall(shape[0]):
                    # its result is named anew too (SETOF task is SETOF archive_task
                    # now); moved to another schema, it is not judged any more
                    result = ""
                    if old.schema == new.schema:
                        word = re.compile(rf"(?<![\w$]){re.escape(old.name)}(?![\w$])")
                        result = word.sub(new.name, shape[0])
                    self.function_shapes[(key, routine.args)] = (result, *shape[1:])
                if not routine.args:
                    continue
                args = ", ".join(spelled(t) for t in routine.args.split(", "))
                if args != routine.args:
                    now = ObjectRef(routine.kind, routine.schema, routine.name, args)
                    entries[i] = (now, origin, parent)
                    moved[routine] = now
                    self.signature_types[new.name].add(key)
                    shape = self.function_shapes.pop((key, routine.args), None)
                    if shape is not None:
                        self.function_shapes[(key, args)] = shape
        if moved:  # what holds what, under the routines' new names
            for key, held in self.dependents.items():
                if any(d in moved or t in moved for t, d in held):
                    self.dependents[key] = [(moved.get(t, t), moved.get(d, d)) for t, d in held]

    def _rename_dependent(self, key: tuple, now: ObjectRef) -> None:
        """The object of ``key``, which depends on others, is ``now``: each of
        them lists it under that name."""
        targets = self.depends_on.pop(key, None)
        if not targets:
            return
        self.depends_on[now.key] = targets
        for target in {t.key for t in targets}:
            self.dependents[target] = [
                (t, now if d.key == key else d) for t, d in self.dependents.get(target, ())
            ]

    def _keep_foreign_key(self, key: F.Effect) -> None:
        self.foreign_keys.append(key)
        position = len(self.foreign_keys) - 1
        for table in (key.ref.table, key.target):
            if table is not None:
                self.foreign_keys_at[table].add(position)

    def _foreign_keys_at(self, table: str | None) -> list[F.Effect]:
        """The folder's foreign keys on ``table`` or to it (every one when the
        table is not known)."""
        if table is None:
            return list(self.foreign_keys)
        return [self.foreign_keys[i] for i in sorted(self.foreign_keys_at.get(table, ()))]

    def _rename_foreign_keys(self, old: ObjectRef, new: ObjectRef) -> None:
        """The foreign keys made in the folder, under the names their tables,
        columns and selves have now."""

        def renamed(names: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new.name if n == old.name else n for n in names)

        relation = old.namespace == "relation" and old.qualified != new.qualified
        if relation:
            positions = self.foreign_keys_at.pop(old.qualified, set())
            if positions:
                self.foreign_keys_at[new.qualified] |= positions
        elif old.kind in (COLUMN, CONSTRAINT) and old.table is not None:
            positions = self.foreign_keys_at.get(old.table, set())
        elif old.kind == CONSTRAINT:
            positions = set(range(len(self.foreign_keys)))
        else:
            return
        for i in positions:
            key = self.foreign_keys[i]
            if old.kind == COLUMN:
                if key.ref.table == old.table:
                    key = key.changed(columns=renamed(key.columns))
                if key.target == old.table:
                    key = key.changed(references=renamed(key.references))
            elif relation:
                if key.ref.table == old.qualified:
                    key = key.changed(ref=replace(key.ref, schema=new.schema, table=new.qualified))
                if key.target == old.qualified:
                    key = key.changed(target=new.qualified)
            elif key.ref.matches(old):
                key = key.changed(ref=new)
            self.foreign_keys[i] = key

    def _move_dependents(self, key: tuple, target: ObjectRef) -> None:
        """The dependents of the object of ``key`` now depend on ``target``,
        and each one's list of what it depends on says so."""
        moved = self.dependents.pop(key, None)
        if not moved:
            return
        self.dependents[target.key].extend((target, d) for _, d in moved)
        if target.table:
            self.column_keys[target.table].add(target.key)
        for _, dependent in moved:
            held = self.depends_on.get(dependent.key)
            if held:
                self.depends_on[dependent.key] = tuple(target if t.key == key else t for t in held)

    def _retyped(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """ALTER COLUMN … TYPE of a column a view or a generated column uses:
        PostgreSQL refuses (0A000)."""
        views = self._type_users(eff.ref, self._alive)
        if not views:
            return
        unsure = dynamic or self._maybe_removed(views, m)
        what = _listed(views)
        self.problems.append(
            Problem(
                "dependent_objects",
                WARNING if unsure or eff.handled else ERROR,
                f"{m.id} changes the type of {eff.ref} at line {eff.line}, but {what} "
                f"use{'s' * (len(views) == 1)} it: PostgreSQL refuses (0A000)"
                + (", unless SQL built at run time dropped them" if unsure else ""),
                f"drop {views[0]} before the change and create it again after",
                m.id,
                str(eff.ref),
                file,
                eff.line,
                section="up",
            )
        )

    def _type_users(self, ref: ObjectRef, alive, retyped: Iterable = ()) -> list[ObjectRef]:
        """What refuses a change of column ``ref``'s type (0A000): the views
        reading it, the generated columns computed from it, and the triggers
        (``UPDATE OF``, ``WHEN``) and policies naming it."""
        return [d for d in self._holding(ref, alive, retyped) if d.kind in _TYPE_USERS]

    def _holding(
        self, ref: ObjectRef, alive, retyped: Iterable = (), redefined: Iterable = ()
    ) -> list[ObjectRef]:
        """What still depends on ``ref`` and would make PostgreSQL refuse to drop
        it without CASCADE (2BP01). ``alive`` says whether an object exists now;
        ``retyped`` are the keys of columns since given another type, and
        ``redefined`` of those since given another default or expression."""
        found = []
        held = list(self.dependents.get(ref.key, ()))
        if ref.kind == EXTENSION:
            # what calls its functions (a view, a default, an index) holds it
            # too; not a name pg_catalog has, which a call finds first
            from migtui.core.builtins import builtin_functions

            members = self.extension_members.get(ref.name, ())
            keys = {member.key for member in members}
            core = builtin_functions()
            held += [
                (ref, dependent)
                for member in members
                if not (member.namespace == "routine" and member.name in core)
                for target, dependent in self.dependents.get(member.key, ())
                if target.matches(member) and dependent.key not in keys
            ]
        if ref.kind in _ROW_TYPED:
            # its row type goes with it: a function taking or returning its rows holds it
            row = ObjectRef(TYPE, ref.schema, ref.name)
            held += [(ref, d) for t, d in self.dependents.get(row.key, ()) if t.matches(row)]
        for target, dependent in held:
            if not (ref.matches(target) or target.matches(ref)):
                continue
            if (
                (ref.namespace == "type" or ref.kind == EXTENSION)
                and dependent.key in retyped
                and not self._default_cast(target, dependent, retyped, redefined)
            ):
                continue
            if dependent.key in redefined and (
                ref.kind in (SEQUENCE, COLUMN) or ref.namespace == "routine"
            ):
                continue  # (its default or generation expression was set anew since)
            if dependent.key == ref.key or (ref.qualified and dependent.table == ref.qualified):
                continue  # it lives on the dropped object and goes with it
            if alive(dependent) and dependent not in found:
                found.append(dependent)
        if ref.kind == SCHEMA:
            for entries in list(self.live.by_key.values()):
                for obj, _, parent in entries:
                    inside = obj.schema == ref.name and obj.kind not in TABLE_SCOPED_KINDS
                    # a table's row type, a range's multirange and constructors go with it
                    goes_with = parent is not None and parent.partition(".")[0] == ref.name
                    if inside and not goes_with and alive(obj) and obj not in found:
                        found.append(obj)
        return found

    def _default_cast(
        self, target: ObjectRef, column: ObjectRef, retyped: Iterable = (), redefined: Iterable = ()
    ) -> bool:
        """Whether ``column`` holds the enum ``target`` only by its default: its
        type was changed since, and its default kept (``_default_keeps_enum``; a
        DROP of the enum is refused, 2BP01; with CASCADE the default goes, not
        the column). ``retyped`` and ``redefined`` are the keys of the columns a
        section walked so far has given another type and another default."""
        if column.kind != COLUMN or column.key in redefined:
            return False
        traits = self.column_traits.get(column.key)
        if traits is None:
            return False
        if target.key in traits.default_casts:
            return True
        return column.key in retyped and _default_keeps_enum(traits, target)

    def _defaults_held(
        self, drop: ObjectRef, holding: list[ObjectRef], retyped: Iterable = (), redefined=()
    ) -> list[ObjectRef]:
        """The columns of ``holding`` that hold the enum ``drop`` only by
        their defaults (``_default_cast``)."""
        return [
            d
            for d in holding
            if any(
                self._default_cast(t, d, retyped, redefined)
                for t, held in self.dependents.get(drop.key, ())
                if held == d
            )
        ]

    def _forget(self, ref: ObjectRef) -> None:
        """What the walk keeps of an object dropped (by name or by CASCADE)."""
        if ref.namespace == "relation":  # (a column or a policy may share a table's name)
            self.complete.discard(ref.qualified)
            self.doubted.discard(ref.qualified)
        if ref.kind == TABLE:
            self.bounds.pop(ref.qualified, None)
            self._unbind(ref.qualified)
        self.view_columns.pop(ref.key, None)
        self.view_types.pop(ref.key, None)
        self._forget_made(ref)
        if ref.kind == COLUMN:
            self.column_traits.pop(ref.key, None)
            self.unfilled.get(ref.table or "", {}).pop(ref.name, None)
            # its keys go with it, as PostgreSQL drops them
            held = self.keys.get(ref.table or "", {})
            for key in [k for k, (cols, _) in held.items() if ref.name in cols]:
                del held[key]
        elif ref.namespace == "relation":
            for key in self.column_keys.get(ref.qualified, ()):
                self.column_traits.pop(key, None)
            self.keys.pop(ref.qualified, None)
            self.unfilled.pop(ref.qualified, None)
            self.has_rows.pop(ref.qualified, None)
        if ref.kind in (CONSTRAINT, INDEX):
            for held in self.keys.values():
                held.pop(ref.key, None)

    def _dynamic_since(self, position: int) -> bool:
        """Whether a migration at or after ``position`` built SQL at run time."""
        return (
            bool(self.dynamic_before) and self.position.get(self.dynamic_before[-1], -1) >= position
        )

    def _alive(self, ref: ObjectRef) -> bool:
        return self.live.find(ref) is not None

    def _maybe_removed(self, objects: Iterable[ObjectRef], m: Migration) -> bool:
        """Whether SQL built at run time ran since one of ``objects`` was made,
        and so may have removed it (one made by ``m``'s down: since ``m``)."""
        if not self.dynamic_before:
            return False
        here = self.position.get(m.id, len(self.position))
        for ref in objects:
            entry = self.live.find(ref)
            made_at = here if entry is None else self.position.get(entry[1], -1)
            if self._dynamic_since(made_at):
                return True
        return False

    def _surely_absent(self, ref: ObjectRef) -> bool:
        """Nothing the walk knows of makes ``ref`` before this point: no migration,
        no SQL built at run time or code migration, no platform, no outside source."""
        return not (
            self._alive(ref)
            or self.dynamic_before
            or self.loaded.code_migrations
            or self.platform.has(ref)
            or self._outside_source(ref) is not None
        )

    def _cascaded(
        self,
        holding: list[ObjectRef],
        alive,
        retyped: Iterable = (),
        drop: ObjectRef | None = None,
    ) -> list[ObjectRef]:
        """What DROP … CASCADE takes besides the object: what holds it, what
        holds those, and so on (a schema's table and the view reading it). A
        column that calls a dropped function in its default loses the default
        only; one generated from it goes."""
        if drop is not None and (drop.namespace == "routine" or drop.kind == SEQUENCE):
            kept = []
            for d in holding:
                traits = self.column_traits.get(d.key, _NO_TRAITS)
                if d.kind == COLUMN and not traits.always:
                    if d.key in self.column_traits:
                        self.column_traits[d.key] = traits._replace(default=False)
                else:
                    kept.append(d)
            holding = kept
        if drop is not None and drop.namespace == "type":
            # a composite type loses the attribute of the type, and stays; a
            # column whose default is a constant of it loses the default
            lost = self._defaults_held(drop, holding)
            holding = [d for d in holding if d.key not in self.composites and d not in lost]
        found = list(holding)
        seen = set(found)
        for dependent in found:  # grows as it goes
            for more in self._holding(dependent, alive, retyped):
                if more not in seen:
                    seen.add(more)
                    found.append(more)
        return found

    def _role_made_later(self, m: Migration, file: str, eff: F.Effect, ref: ObjectRef) -> None:
        """A role used before the folder's own plain ``CREATE ROLE`` of it (later
        in the migration, or in a later one): that CREATE would fail were the
        role there before, so it is not, and the use fails (42704)."""
        if self.live.find(ref) is not None or self.dynamic_before:
            return
        here = self.position.get(m.id, len(self.position))

        def plain(version: str, line: int | None = None) -> bool:
            return any(
                e.action == F.PROVIDE
                and ref.matches(e.ref)
                and (line is None or e.line == line)
                and not (e.guarded or e.handled or e.tolerant)
                for e in self.facts[version].effects
            )

        own_later = self._provided_later_in_same(m, ref, eff)
        if own_later is None and not any(
            pos > here and ref.matches(r) for pos, r, _ in self.providers.get(ref.key, ())
        ):
            return
        if any(
            e.action == F.DROP and ref.matches(e.ref)
            for facts in self.facts.values()
            for e in facts.effects
        ):
            return  # dropped somewhere first: it may be the server's, made again
        if own_later is not None and plain(m.id, own_later):
            where = f"line {own_later} creates it"
        else:
            later = [
                v
                for pos, r, v in self.providers.get(ref.key, ())
                if pos > here and ref.matches(r) and plain(v)
            ]
            if not later:
                return
            where = f"{later[0]} creates it"
        if not self._first_time(m, "missing_prerequisite", str(ref), eff.line):
            return
        self.problems.append(
            Problem(
                "missing_prerequisite",
                ERROR,
                f"{m.id} names {ref} at line {eff.line}, but {where} later with CREATE ROLE, "
                "which fails if the role is there before: here it is not, and PostgreSQL "
                "refuses (42704)",
                "create the role before the statement that names it",
                m.id,
                str(ref),
                file,
                eff.line,
                section="up",
            )
        )

    def _role_missing(self, m: Migration, file: str, eff: F.Effect) -> None:
        """A role the target server lacks (its catalog was read) and no earlier
        migration makes: a warning, since roles are often made just before a
        deploy, by whoever provisions the server. Not for a statement under a
        test of the role's existence, or whose block catches the error."""
        if eff.guarded or eff.handled:
            return
        name = str(eff.ref)
        if not self._first_time(m, "missing_prerequisite", name, eff.line):
            return
        self.problems.append(
            Problem(
                "missing_prerequisite",
                WARNING,
                f"{m.id} names {name} at line {eff.line}, which the target server does not "
                "have and no earlier migration creates: the statement fails (42704) unless "
                "the role is made first",
                f"create the role on the server (CREATE ROLE {eff.ref.name}) before "
                f"applying {m.id}, or in a migration before it",
                m.id,
                name,
                file,
                eff.line,
                section="up",
            )
        )

    def _already_there(self, m: Migration, file: str, eff: F.Effect, dynamic_here: bool) -> None:
        """A CREATE of an object that exists by then fails (42P07, 42710, 42701, 42P06)."""
        if eff.ref.unspelled:
            return  # its arguments' types are known only to the server
        ref = eff.ref
        found = self.live.find(ref)
        parent = None
        if found is not None:
            existing, origin, parent = found
            if origin == m.id:
                made = f"line {self._first_line_of(m, existing)} of {m.id} made it"
            else:
                made = f"{origin} made it"
        elif (
            m.layout != "native" and self.tool_objects.has(ref) and ref.key not in self.live.dropped
        ):
            existing, origin = ref, None
            made = f"{m.layout} makes it before running the first migration"
        elif ref == _LEDGER_SCHEMA:
            existing, origin = ref, None
            made = "migtui keeps its ledger there and makes it before running a migration"
        elif ref in _EVERY_DATABASE and self.catalog is None and ref.key not in self.live.dropped:
            existing, origin = ref, None
            made = "every new database has it (PostgreSQL copies it from template1)"
        else:
            return
        since = self.position.get(origin, -1) if origin else -1
        unsure = dynamic_here or self._dynamic_since(since)
        if unsure and ref.kind == CONSTRAINT:
            return  # dropped by a name found in pg_constraint, then added again: common
        if existing.kind in TYPE_KINDS and parent is not None and existing.name == ref.name:
            holder = f"the row type of {parent} has that name"
        elif existing.kind != ref.kind:
            holder = f"{existing} has that name"
        else:
            holder = "it already exists"
        name = str(ref)
        key = (m.id, "already_exists", name)
        # a key's index and the key itself clash under one name: said once
        said = (m.id, "already_exists", eff.line, ref.name)
        if key in self.repeats or said in self.repeats:
            return
        self.repeats[key] = self.repeats[said] = []
        does = f"creates {ref}"
        hint = (
            "drop the line if the object is already as wanted, write IF NOT EXISTS "
            "(or OR REPLACE), or give the new object another name"
        )
        if ref.kind == PUBLISHED:
            does, holder = f"adds {ref.table} to publication {ref.name}", "it is in it already"
            hint = "drop the line: the table is published already"
        elif ref.kind in (PUBLICATION, EVENT_TRIGGER):
            hint = (
                f"drop the line if the {ref.kind} is already as wanted (CREATE "
                f"{ref.kind.upper()} has no IF NOT EXISTS: DROP {ref.kind.upper()} IF EXISTS "
                "before it), or give the new one another name"
            )
        self.problems.append(
            Problem(
                "already_exists",
                WARNING if unsure else ERROR,
                f"{m.id} {does} at line {eff.line}, but {holder}: {made}"
                + (", unless SQL built at run time dropped it" if unsure else "")
                + f"; PostgreSQL refuses ({_EXISTS_CODES.get(existing.kind, '42710')})",
                hint,
                m.id,
                name,
                file,
                eff.line,
                section="up",
            )
        )

    def _first_line_of(self, m: Migration, ref: ObjectRef) -> int:
        """The line of ``m`` that first made ``ref`` (the line of m when unknown)."""
        for eff in self.facts[m.id].effects:
            if eff.action == F.PROVIDE and eff.ref.matches(ref):
                return eff.line
        return 1

    def _refused_drop(
        self,
        m: Migration,
        file: str,
        kind: str,
        eff: F.Effect,
        holding: list,
        dynamic: bool,
        defaults: list = (),
        chain: bool = False,
    ) -> None:
        """``chain``: found along ``rollback --all``, where what holds it is
        what the later downs left standing. ``defaults``: the columns of
        ``holding`` that hold it by their defaults only."""
        what = _listed([f"the default of {d}" if d in defaults else d for d in holding])
        unsure = dynamic or self._maybe_removed(holding, m)
        where = "" if kind == "up" else f"the {kind} section of "
        if chain:
            where = "rolled back newest first (rollback --all), " + where
        hint = f"drop {holding[0]} first, or write DROP … CASCADE if it should go too"
        if holding[0] in defaults:
            first = holding[0]
            hint = (
                f"drop the default first (ALTER TABLE {first.table} ALTER COLUMN {first.name} "
                "DROP DEFAULT) and set it again after, or write DROP … CASCADE, which drops "
                "the default"
            )
        if chain:
            hint = (
                f"make the down section of the migration that made {holding[0]} drop it "
                "(or fix the down that fails before it), or drop it here first"
            )
        self.problems.append(
            Problem(
                "dependent_objects",
                WARNING if unsure or eff.guarded or eff.handled else ERROR,
                f"{where}{m.id} drops {eff.ref} at line {eff.line}, but {what} still "
                f"depend{'s' * (len(holding) == 1)} on it: PostgreSQL refuses (2BP01)"
                + (", unless SQL built at run time removed them" if unsure else ""),
                hint,
                m.id,
                str(eff.ref),
                file,
                eff.line,
                section=kind,
            )
        )

    def _extension_available(self, m: Migration, file: str, eff: F.Effect) -> None:
        """With a live catalog: the server must be able to install the extension."""
        available = self.catalog.available_extensions if self.catalog is not None else None
        if available is None or eff.ref.name in available or self._catalog_has(eff.ref):
            return
        self._refuse(
            "missing_prerequisite",
            m,
            file,
            eff,
            f"{m.id} creates {eff.ref}, which the target server cannot install: it is not "
            "among its available extensions (pg_available_extensions)",
            f"install the {eff.ref.name} package on the server, or remove the extension "
            "from the migration",
        )

    def _extension_objects(self, m: Migration, ext: ObjectRef, schema: str | None) -> None:
        """``CREATE EXTENSION x`` makes x's functions, types and tables exist."""
        from migtui.core.extensions import extension_objects

        found = extension_objects(ext.name, schema or "public")
        if found is None:
            if ext.name not in EXTENSIONS_NAMED_IN_FULL:
                self.unknown_extensions.append((m.id, ext.name))
                self.unknown_extension_schemas[ext.name] = schema or "public"
            # its functions migtui knows by name (uuid-ossp's, pgcrypto's), of any arguments
            named = tuple(
                ObjectRef(FUNCTION, schema or "public", name)
                for name, owner in EXTENSION_FUNCTIONS.items()
                if owner == ext.name
            )
            # … and the schemas it makes of its own (pg_cron's cron)
            named += tuple(ObjectRef(SCHEMA, None, s) for s in EXTENSION_SCHEMAS.get(ext.name, ()))
            self.extension_members[ext.name] = named
            for obj in named:
                self.live.add(obj, m.id)
            return
        self.extension_members[ext.name] = found
        for obj in found:
            self.live.add(obj, m.id)

    def _call_arity(self, m: Migration, file: str, eff: F.Effect, dynamic: bool) -> None:
        """A call of one of the folder's functions with a number of arguments
        none of its functions of that name takes (counting parameters with
        defaults, and VARIADIC ones): PostgreSQL finds no function and refuses
        (42883). Judged only where every function of the name is the folder's,
        made by a CREATE FUNCTION whose parameters the walk read."""
        ref, count = eff.ref, eff.arity or 0
        if dynamic or self.dynamic_before or eff.guarded or eff.handled or ref.schema is None:
            return
        if self.unknown_extensions or self.loaded.code_migrations or self.catalog is not None:
            return
        if any(r.name == ref.name for refs in self.extension_members.values() for r in refs):
            return
        overloads = [o for o, _, _ in self.live.by_key.get(ref.key, ()) if o.kind == FUNCTION]
        if not overloads:
            return  # missing: said as such
        spans = []
        for routine in overloads:
            shape = self.function_shapes.get((routine.key, routine.args))
            if shape is None or (routine.key, routine.args) in self.variadic_functions:
                return  # its parameters are not all known, or it takes any number
            inputs, defaults = len(shape[1]), shape[2]
            if inputs - defaults <= count <= inputs:
                return
            spans.append((inputs - defaults, inputs))
        if any(
            k[0] == "routine" and k[2] == ref.name and k != ref.key and v
            for k, v in self.live.by_key.items()
        ):
            return  # one of the name in another schema may be the one the path finds
        if not self._first_time(m, "missing_prerequisite", f"{ref} ({count})", eff.line):
            return
        takes = " or ".join(
            str(hi) if lo == hi else f"{lo} to {hi}" for lo, hi in sorted(set(spans))
        )
        self._refuse(
            "missing_prerequisite",
            m,
            file,
            eff,
            f"{m.id} calls {ref.qualified}() at line {eff.line} with {count} argument"
            f"{'s' * (count != 1)}, but the folder's {ref.qualified} takes {takes}: "
            "PostgreSQL finds no function to call and refuses (42883)",
            f"give {ref.qualified} the arguments it takes, or make the function take {count} first",
        )

    def _overload_may_exist(self, name: str) -> bool:
        """Whether a function named ``name`` other than pg_catalog's may be
        there: one of the folder's (any schema), an extension's the folder made,
        one made by an extension migtui has no index of, SQL built at run time
        since, or, with ``--dsn``, the database's."""
        if self.unknown_extensions or self.dynamic_before or self.loaded.code_migrations:
            return True
        if any(k[0] == "routine" and k[2] == name and v for k, v in self.live.by_key.items()):
            return True
        if any(r.name == name for refs in self.extension_members.values() for r in refs):
            return True
        objects = self.catalog.objects if self.catalog is not None else ()
        return any(r.namespace == "routine" and r.name == name for r in objects)

    def _known_owner(self, ref: ObjectRef) -> str | None:
        """The extension migtui knows makes ``ref`` (uuid-ossp's
        ``uuid_generate_v4``), when it is none this folder creates: an
        extension it knows nothing of is then not where ``ref`` comes from."""
        from migtui.core.extensions import owning_extension

        owner = owning_extension(ref)
        if owner is None or owner in self.extension_members:
            return None
        if any(owner == name for _, name in self.unknown_extensions):
            return None
        return owner

    def _unknown_extension_may_make(self, ref: ObjectRef) -> bool:
        """Whether one of the extensions migtui has no index of may make ``ref``:
        one whose own schemas are known makes its objects there or in the
        schema it was made in, not in a schema of another name."""
        for _, name in self.unknown_extensions:
            own = EXTENSION_SCHEMAS.get(name)
            if own is None or ref.schema is None:
                return True
            if ref.schema in own or ref.schema == self.unknown_extension_schemas.get(name):
                return True
        return False

    def _likely_extension(self, ref: ObjectRef) -> tuple[str, str]:
        """Which of the extensions migtui has no index of most likely makes
        ``ref`` (version, name): the one whose own schema it is in, PostGIS for
        an ``st_`` name, else the latest made."""
        for version, name in reversed(self.unknown_extensions):
            if ref.schema in EXTENSION_SCHEMAS.get(name, ()) or (
                name.startswith("postgis") and ref.name.startswith("st_")
            ):
                return version, name
        return self.unknown_extensions[-1]

    def _unexplained_by_code(self, m: Migration) -> tuple[str, str] | None:
        """The latest code migration (goose .go, flyway Java) that runs before ``m``."""
        from migtui.core.versions import version_for

        latest = None
        for raw, file in self.loaded.code_migrations:
            try:
                version = version_for(raw, self.loaded.layout)
            except ValueError:
                continue
            if version < m.version:
                latest = (raw, file)
        return latest

    def _after_up(self, m: Migration, kind: str, own_has) -> None:
        """Walk a verify or down section against the state its up section leaves.

        What it drops, alters, renames or reads must exist then, under that
        kind and name: a down that drops a *constraint* where the up made an
        *index* of that name fails at rollback with 42704.
        """
        facts = self.section_facts[(m.id, kind)]
        section = self.parsed[m.id][kind]
        state = _Overlay(self.live)
        # what the up section needed exists after it, or the up failed first
        # (and that is reported against the up section already); unless the
        # up dropped it after using it
        for e in self.facts[m.id].effects:
            if e.if_exists or e.guarded or e.handled:
                continue  # the up may have done without it
            if e.action in (F.REQUIRE, F.ALTER):
                gone = self.live.dropped.get(e.ref.key)
                if gone is not None and gone[1] == m.id and self.live.find(e.ref) is None:
                    continue
                moved = self.renamed.get(e.ref.key)  # … or renamed it away
                if moved is not None and moved[1] == m.id and self.live.find(e.ref) is None:
                    continue
                state.make(e.ref)
        dynamic = _unknown_effect(facts)
        reported: set[str] = set()
        reported_drops: set[tuple[str, int]] = set()

        def exists(ref: ObjectRef, eff: F.Effect) -> bool:
            known = state.known(ref)
            if known is not None:
                return known and state.alive(ref)  # made here; its table may have gone since
            return any(
                state.alive(c) or (state.known(c) is None and self._outside_source(c) is not None)
                for c in [ref] + [_in_schema(ref, s) for s in eff.alternatives]
            )

        for finding in facts.findings:
            # what the server refuses whatever stands (a subquery in a CHECK,
            # a default naming a column …) fails the section as it fails an up;
            # so does a new enum value used in its transaction, on the up's columns
            sure = finding.sure and finding.kind in _SECTION_SURE
            if _builtin_arity(finding) and self._overload_may_exist(finding.refs[0].name):
                continue
            if finding.kind == F.NEW_ENUM_VALUE and m.transactional and finding.refs:
                sure = finding.sure or self._of_type(finding.refs[1:], finding.refs[0])
            # a NOT NULL column added without a default: refused at rollback if the
            # table has rows then, as it usually has (a warning, as in an up)
            maybe = finding.kind == F.REQUIRED_COLUMN and kind == "down"
            if maybe and _acknowledged(m, self.parsed[m.id], finding, kind):
                continue
            message = finding.message
            if maybe:
                message = message.replace("there before this migration", "there at rollback")
            if finding.kind in _ERROR_FINDINGS or sure or maybe:
                self.problems.append(
                    Problem(
                        finding.kind,
                        ERROR if finding.kind in _ERROR_FINDINGS or sure else WARNING,
                        f"the {kind} section of {m.id}: {message}",
                        finding.hint,
                        m.id,
                        None,
                        section.file,
                        finding.line,
                        section=kind,
                    )
                )
        made_here: set[str] = set()  # columns, and tables, this section makes
        columns_unsure: set[str] = set()  # relations it makes of columns not all known
        traits_here: dict = {}  # a column's traits as this section changed them
        detached: set[str] = set()  # partitions this section detaches
        for eff in facts.effects:
            if eff.bound is not None and eff.action == F.REQUIRE and not eff.joined:
                detached.add(eff.ref.qualified)
            ref = eff.ref
            if eff.action == F.PROVIDE:
                made_here.add(ref.table if ref.kind == COLUMN else ref.qualified)
                if ref.kind in (TABLE, VIEW, MATVIEW):
                    # made with columns the walk does not know all of (LIKE,
                    # INHERITS, a query's *): what is named of them is not judged
                    unsure = not eff.complete and not eff.outputs
                    (columns_unsure.add if unsure else columns_unsure.discard)(ref.qualified)
                if eff.strict and not dynamic and not self.dynamic_before:
                    self._made_again(m, kind, section.file, eff, state, reported)
                elif ref.kind == VIEW and not dynamic and not self.dynamic_before:
                    self._view_replaced_in_section(m, kind, section.file, eff, state)
                self._made(state, eff)
                continue
            holding: list[ObjectRef] = []
            if eff.action == F.DROP and eff.not_null == "drop" and not dynamic:
                self._key_not_null_in_section(m, kind, section.file, eff, state)
                continue
            if eff.action == F.DROP and not dynamic:
                refusal = self._refused_in_section(m, kind, section.file, eff, state)
                if refusal is not None:
                    if (m.id, eff.line) not in reported_drops:
                        reported_drops.add((m.id, eff.line))
                        self.problems.append(refusal)
                    continue  # refused: nothing is dropped
            if eff.action == F.DROP and not (eff.guarded or eff.handled):
                partition = ref.kind == TABLE and ref.qualified not in detached
                if partition and not eff.cascade and exists(ref, eff):
                    self._referenced_partition(
                        m, section.file, eff, state.as_known(ref), dynamic, kind, state.alive
                    )
                holding = self._holding(
                    state.as_known(ref), state.holds, state.retyped, state.redefined
                )
                holding += [d for d in state.held_anew(ref) if d not in holding]
                holding = _not_dropped_with(holding, eff, facts, state.as_known)
                if holding and not eff.cascade and exists(ref, eff):
                    defaults = self._defaults_held(
                        state.as_known(ref), holding, state.retyped, state.redefined
                    )
                    self._refused_drop(m, section.file, kind, eff, holding, dynamic, defaults)
            if eff.truncated is not None and not (dynamic or eff.guarded or eff.handled):
                self._truncate_in_section(m, kind, section.file, eff, state)
            skip = eff.if_exists or self._builtin(ref) or eff.guarded or eff.handled
            skip = skip or ref.kind == ROLE  # the server's: no section makes them all
            skip = skip or (ref.kind == COLUMN and ref.name in SYSTEM_COLUMNS)  # ctid, xmin …
            skip = skip or (ref.kind == COLUMN and ref.table in columns_unsure)
            skip = skip or self._made_by_helpers(ref)
            if ref.kind == TRIGGER and eff.action == F.DROP and ref.table:
                # DROP TRIGGER … ON a missing table: the table's need says it
                schema, _, name = ref.table.rpartition(".")
                skip = skip or str(ObjectRef(TABLE, schema or None, name)) in reported
            if not skip and str(ref) not in reported and not exists(ref, eff):
                problem = self._section_problem(m, kind, section.file, eff, dynamic, own_has, state)
                if problem is not None:
                    reported.add(str(ref))
                    self.problems.append(problem)
            if eff.action == F.DROP:
                self._dropped(state, eff, holding)
            elif eff.action == F.RENAME and eff.new is not None:
                if not dynamic:
                    self._renamed_onto(m, kind, section.file, eff, state, reported)
                state.rename(ref, eff.new)
            elif eff.retype:
                if ref.kind == COLUMN and not (dynamic or eff.guarded or eff.handled):
                    self._retyped_in_section(m, kind, section.file, eff, state)
                    self._cast_in_section(m, kind, section.file, eff, state, made_here, traits_here)
                state.retyped.add(ref.key)
            if eff.action == F.ALTER and (eff.default is not None or eff.renewed):
                state.redefined.add(ref.key)
            if eff.action == F.ALTER and ref.kind == COLUMN:
                _section_traits(traits_here, state.as_known(ref).key, eff, self.column_traits)
                if eff.identity is False:  # DROP IDENTITY: its sequence goes with it
                    known = state.as_known(ref)
                    for seq in self.live.on_column(known.table or "", known.name):
                        if seq.kind == SEQUENCE:
                            state.drop(seq)

    def _rollback_chain(self, migrations: list[Migration]) -> None:
        """``rollback --all``: every down section in turn, newest first, each
        against what the later ones left behind. A down that leaves an object in a
        schema an older down drops makes that DROP fail (2BP01) — which walking
        each down against its own up alone cannot see. Repeatable migrations are
        left out: migtui's own apply does not run them."""
        state = _Overlay(self.live, hidden=self.repeatable_made)
        reported = {(p.migration, p.line) for p in self.problems if p.section == "down"}
        #: table key -> the later migration whose down made it again, every column known
        remade: dict[tuple, str] = {}
        # past a down the grammar refuses in part, what it does is not known well
        # enough to call an object missing; one refused for what it meets (a
        # drop held, an object missing) is taken as done, as it will be once fixed
        failing = {
            p.migration
            for p in self.problems
            if p.section == "down"
            and p.severity == ERROR
            and p.kind in ("syntax_error", "parse_error")
        }
        #: what a later down dropped or renamed away, by key: [(object, how)];
        #: and the tables it dropped, by qualified name (what lived on them went too)
        gone_by: dict = defaultdict(list)
        tables_gone_by: dict[str, str] = {}
        #: what a later down made, by key: (its version, the line)
        made_by: dict = {}
        # an up section the grammar refuses, or one run before what it needs
        # (fixed by a new order, which changes the rollback too): what a whole
        # rollback would miss is not to be said (what a drop would leave
        # holding still is). An up refused for what it meets is taken as
        # done, as it will be once fixed.
        failed = any(
            p.blocks_apply and p.kind in ("syntax_error", "parse_error", "out_of_order")
            for p in self.problems
        )
        unknown = False
        for m in reversed(migrations):
            facts = self.section_facts.get((m.id, "down"))
            if facts is None:
                if m.layout in _PASSES_MISSING_DOWN:
                    # what it made stays, for the older downs to meet
                    continue
                return  # the rollback stops here
            # past SQL built at run time, what is gone is not known: a drop
            # that what depends on it would refuse is still said, as a warning
            unknown = unknown or _unknown_effect(facts)
            section = self.parsed[m.id]["down"]
            for eff in facts.effects:
                ref = eff.ref
                if eff.bound is not None and ref is not None and not (eff.guarded or eff.handled):
                    # attached (or made PARTITION OF), or detached: a drop of its table takes it or not
                    detached = eff.action == F.REQUIRE and not eff.joined
                    state.bound[ref.qualified] = None if detached else eff.bound[0]
                if (m.id, eff.line) not in reported and not (
                    self.dynamic_before or failed or unknown
                ):
                    gone = self._gone_in_rollback(m, eff, state, remade, gone_by, tables_gone_by)
                    if gone is not None:
                        reported.add((m.id, eff.line))
                        self.problems.append(
                            _section_error(
                                "missing_prerequisite",
                                m,
                                "down",
                                section.file,
                                eff,
                                f"rolled back newest first (rollback --all), the down section of "
                                f"{m.id} needs {ref} at line {eff.line}, which {gone}",
                                "undo in each down exactly what its up did, so the older downs "
                                "find what their ups made",
                            )
                        )
                if eff.action == F.PROVIDE:
                    earlier = made_by.get(ref.key)
                    if (
                        earlier is not None
                        and eff.strict
                        and not (eff.guarded or eff.handled or failed or self.dynamic_before)
                        and not unknown
                        and ref.kind in (COLUMN, CONSTRAINT, INDEX, TABLE, VIEW, TYPE)
                        and state.known(ref) is True
                        and state.alive(ref)
                        and (m.id, eff.line) not in reported
                    ):
                        reported.add((m.id, eff.line))
                        self.problems.append(
                            _section_error(
                                "already_exists",
                                m,
                                "down",
                                section.file,
                                eff,
                                f"rolled back newest first (rollback --all), the down section of "
                                f"{m.id} makes {ref} at line {eff.line}, which the down section "
                                f"of {earlier[0]} made already (line {earlier[1]}): PostgreSQL "
                                f"refuses ({_EXISTS_STATE.get(ref.kind, '42P07')})",
                                "undo in each down exactly what its up did, and no more",
                            )
                        )
                    self._made(state, eff)
                    if not (eff.guarded or eff.handled):
                        made_by[ref.key] = (m.id, eff.line)
                    tables_gone_by.pop(ref.qualified, None)
                    if ref.kind == TABLE and eff.complete:
                        remade[ref.key] = m.id
                elif eff.action == F.RENAME and eff.new is not None:
                    if (m.id, eff.line) in self.renames_refused:
                        continue  # onto a name taken: it renames nothing, fixed or not
                    state.rename(ref, eff.new)
                    # what the renamed table carries stands under the name again,
                    # and what a down made on it went with it
                    tables_gone_by.pop(eff.new.qualified, None)
                    if ref.namespace == "relation":
                        for key in [k for k in made_by if k[3] == ref.qualified]:
                            del made_by[key]
                    if not (eff.guarded or eff.handled):
                        how = f"the down section of {m.id} renamed it to {eff.new.name} (line {eff.line})"
                        gone_by[ref.key].append((ref, how))
                elif eff.retype:
                    state.retyped.add(ref.key)
                elif eff.action == F.ALTER and (eff.default is not None or eff.renewed):
                    state.redefined.add(ref.key)
                elif eff.action == F.DROP:
                    holding = self._holding(
                        state.as_known(ref), state.holds, state.retyped, state.redefined
                    )
                    holding += [d for d in state.held_anew(ref) if d not in holding]
                    holding = _not_dropped_with(holding, eff, facts, state.as_known)
                    quiet = eff.cascade or eff.guarded or eff.handled
                    if holding and not quiet and (m.id, eff.line) not in reported:
                        reported.add((m.id, eff.line))
                        defaults = self._defaults_held(
                            state.as_known(ref), holding, state.retyped, state.redefined
                        )
                        self._refused_drop(
                            m, section.file, "down", eff, holding, unknown, defaults, chain=True
                        )
                    also = self._dropped(state, eff, holding)
                    if not (eff.guarded or eff.handled):
                        how = f"the down section of {m.id} dropped it (line {eff.line})"
                        gone_by[ref.key].append((ref, how))
                        went = f"went with {ref}, which the down section of {m.id} dropped"
                        for other in also:
                            gone_by[other.key].append((other, f"it {went} (line {eff.line})"))
                        if ref.namespace == "relation" and ref.kind != INDEX:
                            tables_gone_by[ref.qualified] = (
                                f"went with {ref}, which the down section of {m.id} dropped "
                                f"(line {eff.line})"
                            )
            failed = failed or m.id in failing

    def _gone_in_rollback(
        self,
        m: Migration,
        eff: F.Effect,
        state: _Overlay,
        remade: dict,
        gone_by: dict,
        tables_gone_by: dict[str, str],
    ) -> str | None:
        """Why what ``m``'s down needs is not there when every later down has
        run first, or None when it is (or that is not known): a later down
        dropped it, renamed it or its table, or made its table again without
        the column; or a later up dropped or renamed it and its down does not
        make it again or give it its name back."""
        ref = eff.ref
        if eff.action == F.PROVIDE or eff.if_exists or eff.guarded or eff.handled:
            return None
        if state.known(ref) is False:
            for gone, how in gone_by.get(ref.key, ()):
                if ref.matches(gone):
                    return f"is not there: {how}"
            # what lived on a table a later down dropped (an index, a trigger)
            entry = self.live.find(state.as_known(ref))
            if entry is not None and entry[2] in tables_gone_by:
                return f"is not there: it {tables_gone_by[entry[2]]}"
        if ref.table and ref.table in tables_gone_by and state.known(ref) is not True:
            return f"is not there: it {tables_gone_by[ref.table]}"
        if state.known(ref) is not None:
            return None
        later = self._later_up(m, ref)
        if later is not None:
            return later
        dropped = self.live.dropped.get(ref.key)
        if ref.kind == COLUMN and ref.table:
            table = ObjectRef(TABLE, ref.schema, ref.table.partition(".")[2]).key
            by = remade.get(table)
            if by is not None and not state.alive(ref):
                return f"is not there: the down section of {by} made its table again without it"
            if (
                dropped is None
                or by is not None
                or ref.table not in self.complete
                or not state.alive(ObjectRef(TABLE, ref.schema, ref.table.partition(".")[2]))
                or self.live.find(ref) is not None
            ):
                return None
            return (
                f"is not there: {dropped[1]}'s up dropped it (line {dropped[2]}), and its "
                "down does not add it again"
            )
        if ref.namespace != "relation":
            return None
        if dropped is None or self.live.find(ref) is not None:
            return None
        return (
            f"is not there: {dropped[1]}'s up dropped it (line {dropped[2]}), and its down "
            "does not make it again"
        )

    #: Kinds whose drop by a later up the rollback chain judges (a relation's
    #: and a column's are judged with more care above; a routine's overloads
    #: are not told apart by key).
    _LATER_DROPPED = frozenset({CONSTRAINT, INDEX, TYPE, TRIGGER, POLICY})

    def _later_up(self, m: Migration, ref: ObjectRef) -> str | None:
        """A later migration's up renamed ``ref`` away, or dropped it (what a
        ``CASCADE`` took too), and nothing in the state has its name: why an
        older down needing it fails, or None."""
        if self.live.find(ref) is not None:
            return None
        mine = self.position.get(m.id, -1)
        renamed = self.renamed.get(ref.key)
        if renamed is not None and self.position.get(renamed[1], -1) > mine:
            new, by, line = renamed
            if new.schema != ref.schema and new.name == ref.name:
                how, back = f"moved it to schema {new.schema}", "move it back"
            else:
                how, back = f"renamed it to {new.name}", "give it its name back"
            return f"is not there: {by}'s up {how} (line {line}), and its down does not {back}"
        dropped = self.live.dropped.get(ref.key)
        if (
            ref.kind in self._LATER_DROPPED
            and dropped is not None
            and ref.matches(dropped[0])
            and self.position.get(dropped[1], -1) > mine
        ):
            return (
                f"is not there: {dropped[1]}'s up dropped it (line {dropped[2]}), and its "
                "down does not make it again"
            )
        return None

    @staticmethod
    def _made(state: _Overlay, eff: F.Effect) -> None:
        """A CREATE in a section walked on an overlay: the object, and the
        columns of a view (or a query's table) as its query names them. A
        column made anew holds no type the one of its name held."""
        ref = eff.ref
        if state.known(ref) is False or (
            ref.kind in (VIEW, MATVIEW, CONSTRAINT) and state.alive(ref)
        ):
            state.remade.add(ref.key)  # dropped and made again, or replaced
        # what it depends on by this definition, it holds (and no longer
        # what an earlier definition made here used)
        for target in state.uses.pop(ref.key, ()):
            held = state.new_dependents.get(target.key, [])
            held[:] = [(t, d) for t, d in held if d.key != ref.key]
        targets = list(eff.depends)
        if eff.target:  # a foreign key holds the table it references
            schema, _, name = eff.target.rpartition(".")
            targets.append(ObjectRef(TABLE, schema or None, name))
        for target in targets:
            state.new_dependents[target.key].append((target, ref))
        state.uses[ref.key] = targets
        state.make(ref, eff.parent)
        owner = ref.table or eff.parent
        for column in eff.columns if owner else ():
            state.on_column[owner, column].append(ref)
        if ref.namespace == "relation":
            state.kinds[ref.key] = ref.kind
        if ref.kind == COLUMN:  # (a column made again: not the one the walk knew)
            state.retyped.add(ref.key)
            state.redefined.add(ref.key)
        if ref.kind in (TABLE, VIEW, MATVIEW) and not eff.complete:
            for name in eff.outputs or ():
                state.make(ref.column(name), ref.qualified)

    def _dropped(self, state: _Overlay, eff: F.Effect, holding: list[ObjectRef]) -> list[ObjectRef]:
        """A DROP in a section walked on an overlay: the object, and what goes
        with it (returned, but what lives on a dropped table: see ``drop``)."""
        ref = eff.ref
        state.drop(ref)
        also: list[ObjectRef] = []
        drop = also.append
        if ref.kind == TABLE:  # its partitions go with it (as attached or detached here)
            for partition in self.partitions_of(state.as_known(ref).qualified, state.bound):
                drop(partition)
        if ref.kind == COLUMN:
            state.retyped.add(ref.key)
        if eff.cascade and ref.namespace == "type":
            # a column whose default only casts to it loses the default, and stays
            lost = self._defaults_held(state.as_known(ref), holding, state.retyped, state.redefined)
            holding = [d for d in holding if d not in lost]
            state.redefined.update(d.key for d in lost)
        for other in self._cascaded(holding, state.alive, state.retyped) if eff.cascade else ():
            drop(other)
        known = state.as_known(ref)
        if ref.kind == COLUMN and known.table:
            for other in self.live.on_column(known.table, known.name):
                if state.known(other) is not True:  # (one made here again has its own columns)
                    drop(other)
        if ref.kind == COLUMN and ref.table:
            for other in state.on_column.pop((ref.table, ref.name), ()):
                drop(other)
        if ref.kind == CONSTRAINT and known.schema is not None:
            # a key's or exclusion's index goes with it
            backing = ObjectRef(INDEX, known.schema, known.name)
            entry = self.live.find(backing)
            if entry is not None and entry[2] == known.table or state.known(backing):
                drop(backing)
        if ref.kind == EXTENSION:
            for other in self.extension_members.get(ref.name, ()):
                drop(other)
        for other in also:
            state.drop(other)
        return also

    def _key_not_null_in_section(
        self, m: Migration, kind: str, file: str, eff: F.Effect, state: _Overlay
    ) -> None:
        """DROP NOT NULL in a down or verify section, of a column of a primary
        key that stands then: PostgreSQL refuses (42P16)."""
        if self.dynamic_before or not eff.columns:
            return
        named = ObjectRef(COLUMN, eff.ref.schema, eff.columns[0], table=eff.ref.table)
        column = state.as_known(named)  # as the walk's keys know it
        table = column.table or ""
        for (_, schema, name, _), (cols, primary) in self.keys.get(table, {}).items():
            key = ObjectRef(CONSTRAINT, schema, name, table=table)
            if primary and column.name in cols and state.alive(key) and state.alive(named):
                self.problems.append(
                    _section_error(
                        "conflicting_constraint",
                        m,
                        kind,
                        file,
                        eff,
                        f"the {kind} section of {m.id} drops NOT NULL of column "
                        f"{eff.columns[0]} of {eff.ref.table} at line {eff.line}, which is in "
                        "the primary key then: PostgreSQL refuses (42P16)",
                        "drop the primary key first (or leave the column NOT NULL)",
                        obj=f"column {eff.ref.table}.{eff.columns[0]}",
                    )
                )
                return

    def _cast_in_section(
        self,
        m: Migration,
        kind: str,
        file: str,
        eff: F.Effect,
        state: _Overlay,
        made: set,
        traits_here: dict,
    ) -> None:
        """ALTER COLUMN … TYPE in a down or verify section, judged as in an up
        (``_cast_refused``) from the type the up section leaves the column."""
        known = state.as_known(eff.ref)
        if self.dynamic_before or eff.ref.table in made or not state.alive(eff.ref):
            return
        if known.key in state.retyped or eff.ref.key in state.retyped:
            return  # changed already in this section: the walk keeps no type for it
        traits = traits_here.get(known.key) or self.column_traits.get(known.key)
        if traits is not None and traits.data_type:
            # a type this section renamed is the column's (and its default's)
            # under its new name: ALTER TYPE r RENAME TO r_old, a new r, then
            # the column made an r converts from r_old
            now = {was: name for name, was in state.type_origin.items()}

            def renamed(judged: str) -> str:
                how, colon, name = judged.rpartition(":")  # (enum:public.r)
                return f"{how}{colon}{now.get(name, name)}"

            if now:
                traits = traits._replace(
                    data_type=renamed(traits.data_type),
                    default_type=renamed(traits.default_type),
                )
            self._cast_refused(m, file, eff, traits, False, section=kind)

    def _retyped_in_section(
        self, m: Migration, kind: str, file: str, eff: F.Effect, state: _Overlay
    ) -> None:
        """ALTER COLUMN … TYPE in a down or verify section, of a column a view
        or a generated column still uses then: PostgreSQL refuses (0A000)."""
        if self.dynamic_before or not state.alive(eff.ref):
            return
        # what this section made again holds the column by its new definition
        using = self._type_users(state.as_known(eff.ref), state.holds, state.retyped)
        using += [d for d in state.held_anew(eff.ref) if d not in using and d.kind in _TYPE_USERS]
        if not using:
            return
        self.problems.append(
            _section_error(
                "dependent_objects",
                m,
                kind,
                file,
                eff,
                f"the {kind} section of {m.id} changes the type of {eff.ref} at line "
                f"{eff.line}, but {_listed(using)} use{'s' * (len(using) == 1)} it: PostgreSQL "
                "refuses (0A000)",
                f"drop {using[0]} before the change and create it again after",
            )
        )

    def _truncate_in_section(
        self, m: Migration, kind: str, file: str, eff: F.Effect, state: _Overlay
    ) -> None:
        """TRUNCATE in a down or verify section of a table a foreign key of a
        table still standing then references, that table not truncated with
        it: PostgreSQL refuses, as in an up (0A000)."""
        table = eff.ref.qualified
        if self.dynamic_before or not state.alive(eff.ref) or state.as_known(eff.ref) != eff.ref:
            return  # renamed in the section: not followed
        for key in self._foreign_keys_at(table):
            if key.target != table or key.ref.table in (eff.truncated or ()):
                continue
            if key.guarded or key.handled or not state.alive(key.ref):
                continue
            self.problems.append(
                _section_error(
                    "truncate_referenced",
                    m,
                    kind,
                    file,
                    eff,
                    f"the {kind} section of {m.id} truncates {table} at line {eff.line}, which "
                    f"{key.ref} references: PostgreSQL refuses to truncate a table another "
                    "table's foreign key references, even an empty one (0A000)",
                    f"truncate {key.ref.table} in the same statement, drop it first, or write "
                    "TRUNCATE … CASCADE, knowing it empties every referencing table",
                )
            )
            return

    def _view_replaced_in_section(
        self, m: Migration, kind: str, file: str, eff: F.Effect, state: _Overlay
    ) -> None:
        """``CREATE OR REPLACE VIEW`` in a down or verify section, of a view the
        up section leaves standing: it must keep that view's columns (42P16),
        as a down putting back an older definition often does not."""
        ref = eff.ref
        if state.known(ref) is not None or not state.alive(ref):
            return  # made or dropped in this section already: judged no further
        known = state.as_known(ref).key
        old, old_types = self.view_columns.get(known), self.view_types.get(known)
        # a column retyped in this section first may give the view other types
        new_types = None if state.retyped else self._view_types(eff.output_types)
        who = f"the {kind} section of {m.id} replaces"
        message = _view_replace_refused(who, eff, old, old_types, new_types)
        if message is not None:
            self.problems.append(
                _section_error("replace_refused", m, kind, file, eff, message, _VIEW_REPLACE_HINT)
            )

    def _made_again(
        self, m: Migration, kind: str, file: str, eff: F.Effect, state: _Overlay, reported: set
    ) -> None:
        """A CREATE (or ADD COLUMN) in a down or verify section of a table, view,
        sequence, index or column that stands then: PostgreSQL refuses."""
        ref = eff.ref
        named = ref.kind in _MADE_ONCE
        if ref.kind != COLUMN and ref.namespace != "relation" and not named:
            return
        if eff.guarded or eff.handled or not state.alive(ref) or str(ref) in reported:
            return
        if named:
            if ref.table:
                schema, _, table = ref.table.partition(".")
                if ObjectRef(TABLE, schema, table).key in state.kinds:
                    return  # on a table this section made: only what it made here is on it
            entry = self.live.find(state.as_known(ref))
            if entry is None or not entry[1]:
                return  # not made by a migration: it may be the server's, or gone
        elif ref.kind != COLUMN and state.kind_of(ref) is None:
            return  # only needed by the up (it may be the server's, or gone)
        if ref.kind == COLUMN and ref.table not in self.complete:
            return  # the walk may not know the table's columns
        reported.add(str(ref))
        state_code = _MADE_ONCE.get(ref.kind) or ("42701" if ref.kind == COLUMN else "42P07")
        message = (
            f"the {kind} section of {m.id} creates {ref} at line {eff.line}, but it exists "
            f"{'at rollback' if kind == 'down' else 'after the up section'}: PostgreSQL "
            f"refuses ({state_code})"
        )
        hint = "drop the line if the object is already as wanted, or write IF NOT EXISTS"
        self.problems.append(_section_error("already_exists", m, kind, file, eff, message, hint))

    def _renamed_onto(
        self, m: Migration, kind: str, file: str, eff: F.Effect, state: _Overlay, reported: set
    ) -> None:
        """A RENAME in a down or verify section to the name of a relation or
        column that stands then (the up made a table under the name the down
        gives back): PostgreSQL refuses (42P07, 42701)."""
        ref, new = eff.ref, eff.new
        if new is None or eff.guarded or eff.handled or str(new) in reported:
            return
        if ref.kind != COLUMN and ref.namespace != "relation":
            return
        if not state.alive(ref) or not state.alive(new) or new.matches(ref):
            return
        if ref.kind == COLUMN:
            if ref.table not in self.complete:
                return  # the walk may not know the table's columns
        elif state.kind_of(new) is None:
            entry = self.live.find(state.as_known(new))
            if entry is None or not entry[1]:
                return  # not made by a migration: it may be the server's, or gone
        reported.add(str(new))
        if kind == "down":
            self.renames_refused.add((m.id, eff.line))
        code = "42701" if ref.kind == COLUMN else "42P07"
        message = (
            f"the {kind} section of {m.id} renames {ref} to {new.name} at line {eff.line}, but "
            f"{new} exists {'at rollback' if kind == 'down' else 'after the up section'}: "
            f"PostgreSQL refuses ({code})"
        )
        hint = "drop the other first (the up made it), or undo the up's changes in reverse order"
        self.problems.append(
            _section_error("already_exists", m, kind, file, eff, message, hint, obj=str(new))
        )

    def _refused_in_section(
        self, m: Migration, kind: str, file: str, eff: F.Effect, state: _Overlay
    ) -> Problem | None:
        """A DROP of a down or verify section that PostgreSQL refuses whatever
        else stands: of another kind than the object's (DROP VIEW of a
        materialized view, 42809, IF EXISTS or not), or of the index a primary
        key or unique constraint is made of (2BP01, CASCADE or not)."""
        ref = eff.ref
        if ref.namespace != "relation" or self.dynamic_before or not state.alive(ref):
            return None
        have = state.kind_of(ref)
        entry = None if ref.key in state.kinds else self.live.find(state.as_known(ref))
        if have is None:
            return None
        where = f"the {kind} section of {m.id}"
        if have != ref.kind:
            article = "an" if have[0] in "aeiou" else "a"
            message = (
                f"{where} drops {ref} at line {eff.line}, but {ref.qualified} is {article} "
                f"{have} then: PostgreSQL refuses (42809)"
            )
            hint = f"write DROP {have.upper()} {ref.qualified}"
            kind_of = "missing_prerequisite"
        elif ref.kind == INDEX and entry is not None and entry[2] is not None:
            table = entry[2]
            constraint = ObjectRef(CONSTRAINT, ref.schema, ref.name, table=table)
            if constraint.key not in self.keys.get(table, {}) or not state.alive(constraint):
                return None
            message = (
                f"{where} drops {ref} at line {eff.line}, which {constraint} is made of: "
                "PostgreSQL refuses, with or without CASCADE (2BP01)"
            )
            hint = f"drop the constraint instead (ALTER TABLE {table} DROP CONSTRAINT {ref.name})"
            kind_of = "dependent_objects"
        else:
            return None
        return _section_error(kind_of, m, kind, file, eff, message, hint)

    def _section_problem(
        self,
        m: Migration,
        kind: str,
        file: str,
        eff: F.Effect,
        dynamic: bool,
        own_has,
        state: _Overlay | None = None,
    ) -> Problem | None:
        ref = eff.ref
        name = str(ref)
        when = "at rollback" if kind == "down" else "after the up section"
        if state is not None and state.known(ref) is False and ref.kind != COLUMN:
            # gone earlier in this section: with a column of its key, or its table
            entry = self.live.find(ref)
            table = ref.table or (entry[2] if entry is not None else None)
            if table is not None and table in state.gone_tables:
                why = f"dropping table {table} dropped its indexes, constraints and triggers"
                hint = "remove this statement, or drop it before its table"
            else:
                why = "dropping a column drops the keys, constraints and indexes that use it"
                hint = "drop it before the column it uses, or remove this statement"
            return _section_error(
                "missing_prerequisite",
                m,
                kind,
                file,
                eff,
                f"the {kind} section of {m.id} {_VERBS.get(eff.action, 'needs')} {name} at "
                f"line {eff.line}, which an earlier statement of the section already dropped "
                f"({why}): PostgreSQL refuses (42704)",
                hint,
            )
        other = None
        if ref.kind == CONSTRAINT and ref.schema is not None:
            other = self.live.find(ObjectRef(INDEX, ref.schema, ref.name))
            other = other[0] if other is not None else None
        if ref.kind in TABLE_SCOPED_KINDS and ref.kind != "trigger" and other is None:
            table = _table_of(ref)
            known = ref.kind == COLUMN and ref.table in self.complete
            known = known or self._names_known(ref)
            if not own_has(table) and not known:
                return None  # columns and constraints of older tables are not tracked
        verb = _VERBS.get(eff.action, "needs")
        message = f"the {kind} section of {m.id} {verb} {name}, which does not exist {when}"
        if other is not None:
            message += f": {m.id} made {other}, not a constraint"
            hint = f"write DROP INDEX {other.qualified} instead"
        elif dynamic or self.dynamic_before:
            return Problem(
                "unknown_origin",
                WARNING,
                message + ", unless SQL built at run time made it",
                "check by hand what the dynamic SQL creates",
                m.id,
                name,
                file,
                eff.line,
                section=kind,
            )
        elif (maker := self._maybe_made_at_run_time(ref)) is not None:
            version, line, made, how = maker
            return Problem(
                "unknown_origin",
                WARNING,
                f"{message}, unless {version} made it: it {how} (line {line}) that makes {made}",
                f'if {version} creates it, declare it with assume = ["{name}"] to silence this',
                m.id,
                name,
                file,
                eff.line,
                section=kind,
            )
        elif (
            self.unknown_extensions
            and ref.kind not in (EXTENSION, SCHEMA)
            and self._unknown_extension_may_make(ref)
        ):
            ext_version, ext_name = self._likely_extension(ref)
            return Problem(
                "unknown_origin",
                WARNING,
                f"{message}, unless extension {ext_name} (created by {ext_version}) made it: "
                "migtui does not know its objects",
                f'if {ext_name} provides it, declare it with assume = ["{name}"]',
                m.id,
                name,
                file,
                eff.line,
                section=kind,
            )
        elif (broken := self._broken_maker(ref)) is not None:
            version, line = broken
            return Problem(
                "missing_prerequisite",
                WARNING,
                f"{message}: {version} would make it at line {line}, in a statement "
                "PostgreSQL's grammar refuses, and that error comes first",
                f"fix the syntax error in {version} at line {line}",
                m.id,
                name,
                file,
                eff.line,
                section=kind,
            )
        elif kind == "down":
            hint = f"undo exactly what the up section of {m.id} made, under the same kind and name"
        else:
            hint = "create it in the up section, or fix the name in the verify section"
        return Problem(
            "missing_prerequisite", ERROR, message, hint, m.id, name, file, eff.line, section=kind
        )

    def _provided_later_in_same(self, m: Migration, ref: ObjectRef, eff: F.Effect) -> int | None:
        seen = False
        for other in self.facts[m.id].effects:
            if other is eff:
                seen = True
                continue
            if seen and other.action == F.PROVIDE and ref.matches(other.ref):
                return other.line
        return None

    def _dbmate_versions(self, migrations: list[Migration]) -> None:
        """dbmate takes files that share leading digits for one version: where
        the target has dbmate's ledger, say which it would run and which not."""
        if self.loaded.layout != "native" or self.catalog is None:
            return
        if not self.catalog.has(ObjectRef(TABLE, "public", "schema_migrations")):
            return
        groups: dict[str, list[Migration]] = defaultdict(list)
        for m in migrations:
            groups[re.match(r"\d+", m.version.raw).group(0)].append(m)
        for number, group in groups.items():
            if len(group) < 2:
                continue
            first = min(group, key=lambda m: m.path.name)
            for m in group:
                if m is first:
                    continue
                self.problems.append(
                    Problem(
                        "dbmate_shared_version",
                        WARNING,
                        f"dbmate reads only the leading digits of a file name: to it {m.id} is "
                        f"version {number}, the same as {first.id} (which it runs, first by "
                        f"name), so dbmate fails on {m.path.name} with a duplicate key in "
                        "schema_migrations",
                        f"give {m.id} a number of its own if dbmate still runs this folder",
                        migration=m.id,
                        file=self._rel(m.path),
                        section="up",
                    )
                )

    def _rows_left_by(self, table: ObjectRef, m: Migration) -> str | None:
        """The earlier migration whose INSERT … VALUES surely left ``table`` a
        row that is still there: no DELETE, TRUNCATE or DROP of it since, no
        SQL built at run time and no code migration in between."""
        by = self.has_rows.get(table.qualified)
        if by is None or by == m.id or self.loaded.code_migrations:
            return None
        if self._dynamic_since(self.position.get(by, -1)):
            return None
        return by

    def _finding(self, m: Migration, file: str, finding: F.Finding) -> None:
        if finding.kind == F.DYNAMIC_SQL:
            return  # reported only through what it leaves unexplained
        if finding.kind == F.NEW_ENUM_VALUE and not m.transactional:
            return  # each statement commits on its own: the value is there
        if (
            finding.kind == F.GUARDED_SKIP
            and finding.refs
            and all(
                self.live.find(r) is not None or self._outside_source(r) is not None
                for r in finding.refs
            )
        ):
            return  # all the guarded work needs is there: the test passes, nothing is skipped
        if finding.kind == F.REQUIRED_COLUMN and _acknowledged(m, self.parsed[m.id], finding):
            return
        if _builtin_arity(finding) and self._overload_may_exist(finding.refs[0].name):
            return
        sure = finding.kind in _ERROR_FINDINGS or finding.sure
        message = finding.message
        if finding.maybe_value and finding.refs:
            # IF NOT EXISTS: sound if the type had the value; new if the walk saw it added
            typed = finding.refs[0].qualified
            if (typed, finding.maybe_value) not in self.added_labels:
                if finding.maybe_value in (self.enums.get(typed) or ()):
                    return  # the type had it: nothing was added
                sure = False
            elif not sure:
                sure = self._of_type(finding.refs[1:], finding.refs[0])
        elif finding.kind == F.NEW_ENUM_VALUE and not sure and finding.refs:
            sure = self._of_type(finding.refs[1:], finding.refs[0])
        if finding.kind == F.REQUIRED_COLUMN and not sure and finding.refs:
            by = self._rows_left_by(finding.refs[0], m)
            if by is not None:
                sure = True
                message = (
                    f"{message}, and it has one: {by} inserted it, and no migration since "
                    "deletes rows"
                )
        self.problems.append(
            Problem(
                finding.kind,
                ERROR if sure else WARNING,
                message,
                finding.hint,
                migration=m.id,
                file=file,
                line=finding.line,
                section="up",
            )
        )

    # -- declared dependencies and cycles -----------------------------------------------

    def _declared(self, migrations: list[Migration]) -> None:
        index = {m.id: i for i, m in enumerate(migrations)}
        for i, m in enumerate(migrations):
            for raw in m.declared_requires:
                target = next(
                    (o for o in migrations if o.version.same_number(raw) or o.id == raw), None
                )
                file = self._rel(m.path)
                if target is None:
                    self.problems.append(
                        Problem(
                            "missing_prerequisite",
                            ERROR,
                            f"{m.id} declares it requires {raw}, and there is no such migration",
                            f"fix the -- requires: line, or add migration {raw}",
                            migration=m.id,
                            object=f"migration {raw}",
                            file=file,
                            line=_requires_line(m),
                        )
                    )
                    continue
                self.declared_edges.add((target.id, m.id))
                self.edges.setdefault((target.id, m.id), [])  # an edge, even with no objects
                if index[target.id] > i:
                    self.problems.append(
                        Problem(
                            "out_of_order",
                            ERROR,
                            f"{m.id} declares it requires {target.id}, which runs after it",
                            f"renumber {target.id} to run before {m.id}, or drop the declaration",
                            migration=m.id,
                            object=f"migration {target.id}",
                            file=file,
                            line=_requires_line(m),
                        )
                    )

    def _cycles(self, migrations: list[Migration]) -> None:
        """Report each dependency cycle once, as the path around it.

        A depth-first walk with its own stack rather than Python's: a history of
        thousands of migrations, each needing the one before, is one long path.
        """
        graph: dict[str, set[str]] = defaultdict(set)
        for src, dst in self.edges:
            graph[src].add(dst)
        done: set[str] = set()
        path: list[str] = []  # the nodes being walked, from the start node on
        on_path: dict[str, int] = {}  # node -> its index in path
        pending: list = []  # for each node of path, an iterator of its successors still to see
        reported: set[frozenset] = set()

        def enter(node: str) -> None:
            on_path[node] = len(path)
            path.append(node)
            pending.append(iter(sorted(graph.get(node, ()))))

        for m in migrations:
            if m.id in done:
                continue
            enter(m.id)
            while pending:
                nxt = next(pending[-1], None)
                if nxt is None:
                    pending.pop()
                    node = path.pop()
                    del on_path[node]
                    done.add(node)
                elif nxt in on_path:
                    cycle = path[on_path[nxt] :] + [nxt]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        self.problems.append(
                            Problem(
                                "cycle",
                                ERROR,
                                f"dependency cycle: {' → '.join(cycle)}",
                                "break the cycle: one of these migrations must not need the next",
                                migration=cycle[0],
                            )
                        )
                elif nxt not in done:
                    enter(nxt)


def _wrapping_tool(m: Migration, section: ParsedSection) -> str | None:
    """Who runs ``section`` in a transaction though it holds a statement that
    refuses one: its own ``BEGIN`` … ``COMMIT``, or the layout's tool, which
    wraps it unless the file says otherwise (migtui runs such a statement apart
    by itself). None when nobody does."""
    from migtui.core.locks import OWN_BEGIN

    if not any(s.no_transaction for s in section.statements):
        return None
    if section.wrapped:
        return OWN_BEGIN
    tool = _WRAPPING_TOOLS.get(m.layout, m.layout)
    source = m.section(section.kind)
    transactional = source.transactional if source is not None else m.transactional
    if m.layout == "flyway":
        # flyway runs a script of only such statements outside a transaction by
        # itself, and refuses one that mixes them with others
        wraps = transactional and not all(s.no_transaction for s in section.statements)
    elif m.layout in ("golang-migrate", "postgrator"):
        # it sends the file as one query: PostgreSQL runs several statements
        # sent so as one transaction
        wraps = sum(1 for s in section.statements if s.category == "sql") > 1
    else:
        wraps = m.layout in _WRAPPING_TOOLS and transactional
    return tool if wraps else None


def _analyze_quietly(statements, search_path: tuple[str, ...] = ("public",)) -> F.ScriptFacts:
    try:
        return analyze_script(statements, search_path=search_path)
    except Exception:  # a down section that cannot be read must not stop the rest
        return F.ScriptFacts()


def _syntax_errors(
    m: Migration, kind: str, file: str, statements: tuple[Statement, ...]
) -> list[Problem]:
    """Statements PostgreSQL's grammar refuses, at the line and column it names."""
    out = []
    for st in statements:
        if st.syntax_error is None:
            continue
        if m.layout in ("flyway", "liquibase") and "${" in st.text and PLACEHOLDER.search(st.text):
            continue  # a placeholder without a value: said once, at the file
        if m.layout == "tern" and "{{" in st.text:
            continue  # a Go template tern expands: said once, at the file
        message, position = st.syntax_error
        line = st.line_of(position)
        before = st.text[: max(0, position - 1)]
        # counted from the statement's start on its first line
        column = len(before) - (before.rfind("\n") + 1) + 1
        out.append(
            Problem(
                "syntax_error",
                ERROR,
                f"PostgreSQL refuses this statement of the {kind} section: {message} "
                f"(line {line}, column {column})",
                "fix the statement; a missing semicolon between two statements reads as one",
                migration=m.id,
                file=file,
                line=line,
                section=kind,
            )
        )
    return out


def _table_of(ref: ObjectRef) -> ObjectRef:
    """The table a column, constraint, trigger… lives on."""
    return ObjectRef(TABLE, ref.schema, (ref.table or "").partition(".")[2])


def _in_schema(ref: ObjectRef, schema: str) -> ObjectRef:
    return replace(ref, schema=schema)


def _requires_line(m: Migration) -> int | None:
    section = m.up
    if section is None:
        return None
    try:
        text = section.path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for n, line in enumerate(text.splitlines(), start=1):
        if "requires:" in line.lower() and line.lstrip().startswith("--"):
            return n
    return None


#: Errors a precondition can spare: what the changeset needs or makes.
_GUARDABLE = frozenset(
    {"missing_prerequisite", "already_exists", "out_of_order", "dependent_objects"}
)


def _column_change(eff: F.Effect) -> str | None:
    """What an effect does to a column that a table inherits may not undergo:
    "drops", "renames", "changes the type of"; None for anything else."""
    if eff.action == F.DROP:
        return "drops"
    if eff.action == F.RENAME:
        return "renames"
    if eff.action == F.ALTER and eff.retype:
        return "changes the type of"
    return None


def _unknown_effect(facts: F.ScriptFacts) -> bool:
    """A down or verify section builds SQL at run time whose effect is not
    known: of unknown shape, or changing an object of a name in a schema
    named at run time (which may be the folder's)."""
    return bool(facts.dynamic_lines) or any(made.touches for _, made in facts.runtime_makes)


#: An index key that is a column's name, not an expression.
_PLAIN_NAME = re.compile(r"[^\s()]+")


@cache
def _supabase_platform() -> frozenset:
    """The keys of what Supabase's platform makes before a project's first
    migration, and no plain server has: its own schemas' objects and its roles
    (the extensions it installs are any server's to install)."""
    from migtui.core.tools.supabase import PLATFORM

    return frozenset(
        ref.key
        for ref in PLATFORM
        if ref.kind not in (EXTENSION, SCHEMA)
        and ref.schema not in ("public", "extensions")
        or ref.kind == SCHEMA
        and ref.name != "extensions"
    )


def _before(loaded: LoadResult, m: Migration) -> str:
    """A version that would run just before ``m``, as its layout's tool orders
    versions: 0013_5 between 0013 and 0014, a timestamp one second before
    20240101120000. Never one the tool would put elsewhere: dbmate reads
    20240101120000_5 as version 20240101120000, goose and golang-migrate have
    no 13_5 at all."""
    from migtui.core.versions import version_for

    if loaded.layout == "sqitch":
        return f"a change planned before {m.name or m.id}"
    if loaded.layout == "liquibase":
        return f"a changeset the changelog runs before {m.name or m.id} ({m.path.name})"
    if loaded.layout == "graphile-migrate":
        # committed migrations are chained by their hashes: none goes between
        return "in the SQL of the .gmrc's afterReset, which runs before the first migration"
    previous = None
    for other in loaded.migrations:
        if other.id == m.id:
            break
        previous = other
    for candidate, shown in _versions_before(loaded.layout, previous, m):
        try:
            version = version_for(candidate, loaded.layout)
        except ValueError:
            continue
        if (previous is None or previous.version < version) and version < m.version:
            return shown
    if previous is not None:
        return f"a version between {previous.id} and {m.id}"
    return f"a version before {m.id}"


#: Findings that are the server's refusals, not review points.
#: Findings sure to fail a down or verify section too, when sure: they need no
#: state the section's walk does not keep.
_SECTION_SURE = frozenset({F.POLICY_CLAUSE, F.NEW_ENUM_VALUE, F.MISSING_TYPE})


#: A statement giving a role or a database its own search_path (at a line's
#: start: not one in a comment).
def _start_paths(migrations: list[Migration], layout_path: tuple[str, ...]) -> dict:
    """The search_path each migration starts with where an earlier one gave
    the role or the database its own (``ALTER ROLE app SET search_path TO
    app``; ``RESET`` or ``SET … TO DEFAULT`` gives the layout's back): the
    layout's tool runs each migration (or each run) in a new session, which
    takes it. Found in the up sections' text first, read by the grammar."""
    from migtui.core.grammar import parse_tree, parser

    found: dict[str, tuple[str, ...]] = {}
    path = layout_path
    for m in migrations:
        if path != layout_path:
            found[m.id] = path
        up = m.section("up")
        for match in DEFAULT_PATH.finditer(up.text if up is not None else ""):
            try:
                [statement] = parse_tree(match.group(0).strip())["stmts"]
            except (parser.ParseError, ValueError):
                continue
            fields = next(iter(statement["stmt"].values()))
            setting = fields.get("setstmt") or {} if isinstance(fields, dict) else {}
            if setting.get("name") != "search_path":
                continue
            schemas = [
                (a.get("A_Const", {}).get("sval") or {}).get("sval", "")
                for a in setting.get("args", ())
            ]
            kept = tuple(x for x in schemas if x and x != "$user")
            path = kept if setting.get("kind") == "VAR_SET_VALUE" and kept else layout_path
    return found


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?$")


def _bound_key(value: tuple | None) -> tuple | None:
    """A bound's value as Python orders it like PostgreSQL, or None: whole
    numbers, and days and times written the ISO way (``2024-01-01``,
    ``2024-01-01 00:00``); ``MINVALUE`` below and ``MAXVALUE`` above all."""
    if value is None:
        return None
    if value[0] == "min":
        return (0,)
    if value[0] == "max":
        return (3,)
    if value[0] == "n":
        return (1, "n", value[1])
    if value[0] == "s":
        if _ISO_DAY.match(value[1]):
            return (1, "t", value[1] + " 00:00:00")
        found = _ISO_TIME.match(value[1])
        if found is not None:
            return (1, "t", f"{found.group(1)} {found.group(2)}{found.group(3) or ':00'}")
    return None


def _range_keys(values: tuple) -> tuple | None:
    keys = tuple(_bound_key(v) for v in values)
    return None if None in keys else keys


def _bound_clash(bounds: tuple, parts: dict) -> tuple[str, str] | None:
    """Why ``bounds`` cannot be a new partition's beside ``parts`` (the
    partition it overlaps, "" for empty bounds, and the words), or None."""
    if bounds[0] == "range":
        lower, upper = _range_keys(bounds[1]), _range_keys(bounds[2])
        if lower is not None and upper is not None:
            kinds = [k[1] for k in lower + upper if len(k) > 1]
            if len(set(kinds)) <= 1 and lower >= upper:
                return "", "an empty range"
    for other, (theirs, _) in sorted(parts.items()):
        if bounds[0] == "default" and theirs[0] == "default":
            return other, "but the table has a default partition already:"
        if bounds[0] != theirs[0]:
            continue
        if bounds[0] == "list":
            ours = {v for v in bounds[1] if v is not None}
            if ours & {v for v in theirs[1] if v is not None}:
                return other, "which share a value with partition"
        elif bounds[0] == "hash":
            if bounds[1:] == theirs[1:]:
                return other, "the same as those of partition"
        elif bounds[0] == "range":
            keys = [_range_keys(b) for b in (bounds[1], bounds[2], theirs[1], theirs[2])]
            if None in keys or len({len(k) for k in keys if k is not None}) != 1:
                continue
            kinds = {k[1] for key in keys if key is not None for k in key if len(k) > 1}
            if len(kinds) > 1:
                continue  # numbers beside times: not compared
            low, high, their_low, their_high = keys
            if low < their_high and their_low < high:
                return other, "which overlap those of partition"
    return None


def _bound_text(bounds: tuple) -> str:
    """Bounds as written in SQL (values not compared shown as …)."""

    def value(v: tuple | None) -> str:
        if v is None:
            return "…"
        if v[0] in ("min", "max"):
            return {"min": "MINVALUE", "max": "MAXVALUE"}[v[0]]
        if v[0] == "null":
            return "NULL"
        return str(v[1]) if v[0] == "n" else "'" + v[1].replace("'", "''") + "'"

    if bounds[0] == "default":
        return "DEFAULT"
    if bounds[0] == "hash":
        return f"WITH (MODULUS {bounds[1]}, REMAINDER {bounds[2]})"
    if bounds[0] == "list":
        return "IN (" + ", ".join(value(v) for v in bounds[1]) + ")"
    return (
        "FROM ("
        + ", ".join(value(v) for v in bounds[1])
        + ") TO ("
        + ", ".join(value(v) for v in bounds[2])
        + ")"
    )


_ERROR_FINDINGS = frozenset(
    {
        F.SYNTAX_ERROR,
        F.SUBQUERY,
        F.DEFAULT_COLUMN,
        F.DUPLICATE_COLUMN,
        F.CONFLICTING,
        F.EXTENSION_ONLY,
        F.INVALID_DEFINITION,
    }
)


def _section_traits(here: dict, key: tuple, eff: F.Effect, walked: dict) -> None:
    """A down or verify section's ALTER COLUMN … SET/DROP DEFAULT, or its
    generated or identity change, on the traits the up section left."""
    if eff.default is None and eff.always is None and eff.identity is None:
        return
    traits = here.get(key) or walked.get(key)
    if traits is None:
        return
    if eff.always is not None:
        traits = traits._replace(always=eff.always)
    if eff.identity is not None:
        traits = traits._replace(identity=eff.identity)
    if eff.default is not None:
        traits = traits._replace(
            default=eff.default,
            default_type=_default_type(eff, traits.data_type) if eff.default else "",
        )
    here[key] = traits


#: The head of a CREATE statement: the kind of object and its name.
_CREATE_HEAD = re.compile(
    r"create\s+(?:or\s+replace\s+)?(?:(?:temp|temporary|unlogged|global|local)\s+)*"
    r"(table|view|materialized\s+view|type|domain|function|procedure|sequence|schema|"
    r"(?:unique\s+)?index(?:\s+concurrently)?)\s+(?:if\s+not\s+exists\s+)?"
    r'((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)',
    re.IGNORECASE,
)
_NAMESPACE_OF = {
    "table": "relation",
    "view": "relation",
    "materialized view": "relation",
    "sequence": "relation",
    "index": "relation",
    "type": "type",
    "domain": "type",
    "function": "routine",
    "procedure": "routine",
    "schema": "schema",
}


def _meant_to_make(text: str) -> tuple[str, str] | None:
    """(namespace, name) of what a CREATE statement the grammar refuses was
    written to make, read from its head; None for any other statement."""
    found = _CREATE_HEAD.match(text.lstrip())
    if found is None:
        return None
    kind = " ".join(found.group(1).lower().split())
    kind = "index" if "index" in kind else kind
    name = found.group(2).rpartition(".")[2].strip()
    name = name[1:-1] if name.startswith('"') else name.lower()
    namespace = _NAMESPACE_OF[kind]
    return namespace, name


def _builtin_function(name: str) -> bool:
    from migtui.core.builtins import builtin_functions

    return name in builtin_functions()


def _key_ref(key: tuple) -> ObjectRef:
    """The constraint or unique index a key of ``_Walker.keys`` is."""
    namespace, schema, name, table = key
    if namespace == "relation":
        return ObjectRef(INDEX, schema, name)
    return ObjectRef(CONSTRAINT, schema, name, table=table)


#: The operator families of types no number compares with, nor converts to
#: implicitly (checked against PostgreSQL 18 by a DB test).
#: Families of types that have no implicit cast to text (nor LIKE of their own).
_NOT_TEXT_FAMILIES = frozenset(
    {
        "integer", "numeric", "float", "uuid", "bool", "datetime", "time", "timetz",
        "interval", "enum", "jsonb", "network", "money",
    }
)  # fmt: skip

_NO_NUMBER_FAMILIES = frozenset(
    {"text", "bpchar", "uuid", "bool", "datetime", "time", "timetz", "interval", "enum"}
)


def _builtin_arity(finding: F.Finding) -> bool:
    """A call of pg_catalog's name with no overload of its argument count."""
    return bool(finding.refs) and (
        finding.refs[0].kind == FUNCTION and finding.refs[0].schema == "pg_catalog"
    )


def _not_dropped_with(
    holding: list[ObjectRef], eff: F.Effect, facts: F.ScriptFacts, known=None
) -> list:
    """What holds the object of a ``DROP a, b`` less what the same statement
    drops too (and what lives on it): PostgreSQL drops them together.
    ``known``: the name the walk knows an object by, where a later down renamed
    it back (``holding`` is named so)."""
    if not holding or eff.ref.kind in (COLUMN, CONSTRAINT):
        return holding  # ALTER TABLE's drops are each judged on their own
    together = [
        e.ref
        for e in facts.effects
        if e.statement == eff.statement
        and e.action == F.DROP
        and e is not eff
        and e.ref.kind not in (COLUMN, CONSTRAINT)
    ]
    if not together:
        return holding
    if known is not None:
        together += [known(o) for o in together]
    return [
        d
        for d in holding
        if not any(
            o.matches(d) or (d.table is not None and d.table == o.qualified) for o in together
        )
    ]


def _sorted_problems(problems: list[Problem], order: dict[str, int]) -> list[Problem]:
    return sorted(
        problems,
        key=lambda p: (
            order.get(p.migration or "", -1),
            0 if p.severity is ERROR else 1,
            p.line or 0,
            p.kind,
        ),
    )


def _versions_before(
    layout: str, previous: Migration | None, m: Migration
) -> Iterable[tuple[str, str]]:
    """Versions that may fit just before ``m``, best first, as (version, as written
    in a file or folder name); ``_before`` keeps the first that really does."""
    from datetime import datetime, timedelta

    digits = m.id.isdigit()
    if digits and len(m.id) >= 14:
        try:
            stamp = datetime.strptime(m.id[:14], "%Y%m%d%H%M%S")
        except ValueError:
            pass
        else:
            earlier = stamp - timedelta(seconds=1)
            dashed = layout == "diesel" and "-" in m.path.name.partition("_")[0]
            shown = earlier.strftime("%Y-%m-%d-%H%M%S" if dashed else "%Y%m%d%H%M%S")
            yield earlier.strftime("%Y%m%d%H%M%S"), shown
    if previous is not None and layout == "native" and len(str(m.version.parts[0])) < 10:
        yield f"{previous.id}_5", f"{previous.id}_5"
    if previous is not None and layout == "flyway" and not previous.repeatable:
        yield f"{previous.id}.1", f"{previous.id}.1"
    if digits and int(m.id) > 0:
        lower = str(int(m.id) - 1).zfill(len(m.id))
        yield lower, lower
