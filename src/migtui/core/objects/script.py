"""The state one script's reading shares: where text came from, the names the
search_path resolves, and the effects and findings recorded so far.

Every family reader (tables, routines, …) receives the ``Script`` and a
``Ctx``; they never keep state of their own.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from migtui.core.builtins import catalog_relations
from migtui.core.casts import builtin
from migtui.core.facts import (
    DEFAULT_COLUMN,
    DROP,
    DUPLICATE_COLUMN,
    MISSING_TYPE,
    PROVIDE,
    RENAME,
    REQUIRE,
    SUBQUERY,
    Effect,
    Finding,
    Made,
    ScriptFacts,
)
from migtui.core.grammar import parse_tree, parser
from migtui.core.model import (
    COLLATION,
    COLUMN,
    CONSTRAINT,
    EXTENSION,
    FOREIGN_TABLE,
    INDEX,
    MATVIEW,
    RELATION_KINDS,
    SCHEMA,
    TABLE,
    TYPE,
    VIEW,
    ObjectRef,
)
from migtui.core.sqlnames import (
    BUILTIN_SCHEMAS,
    CATALOG_SCHEMAS,
    EXTENSION_TYPES,
    canonical_type,
    is_builtin_type,
    system_collation,
)

_ROW_TYPE_KINDS = frozenset({TABLE, VIEW, MATVIEW, FOREIGN_TABLE})


class Src:
    """A piece of SQL text a parse tree came from, placed in its file.

    ``base`` is the byte position, in the parsed text, where ``data`` starts:
    a node's ``location`` minus ``base`` is a byte offset into ``data``.
    """

    __slots__ = ("data", "first_line", "base", "_newlines", "_lower")

    def __init__(self, text: str | bytes, first_line: int, base: int = 0) -> None:
        self.data = text.encode("utf-8") if isinstance(text, str) else text
        self.first_line = first_line
        self.base = base
        self._newlines: list[int] | None = None
        self._lower: bytes | None = None

    def line(self, location: int | None) -> int:
        """The file line of a node's location (the first line when unknown)."""
        if location is None or location < 0:
            return self.first_line
        if self._newlines is None:
            data, found, at = self.data, [], self.data.find(b"\n")
            while at != -1:
                found.append(at)
                at = data.find(b"\n", at + 1)
            self._newlines = found
        return self.first_line + bisect_right(self._newlines, location - self.base - 1)

    def find(self, name: str, after: int | None = None) -> int | None:
        """The location of a name written in the text (for nodes that keep none)."""
        if self._lower is None:
            self._lower = self.data.lower()
        start = max(0, (after or self.base) - self.base)
        at = self._lower.find(name.lower().encode("utf-8"), start)
        return None if at == -1 else at + self.base


#: What PostgreSQL says when a name is not found, by the kind of object
_NOT_FOUND = {"table": "42P01", "sequence": "42P01", "function": "42883", "type": "42704"}


@dataclass(frozen=True)
class Ctx:
    """Where a tree came from and how its effects are to be recorded."""

    src: Src
    statement: int  # index of the statement in its section
    #: Inside an existence test (``IF EXISTS (… pg_tables …) THEN``).
    guarded: bool = False
    #: Inside a PL/pgSQL block whose exception handler catches a missing object.
    handled: bool = False
    #: Inside a PL/pgSQL block whose exception handler catches an object that
    #: already exists (``duplicate_object``, ``others`` …).
    tolerant: bool = False
    #: Inside PL/pgSQL: ``SELECT … INTO`` fills variables.
    plpgsql: bool = False
    #: Inside a routine body checked at creation: only requirements count.
    body: bool = False
    #: … a SQL-language body, whose names PostgreSQL resolves at creation:
    #: the columns it names must be there then, unless a parameter has the name.
    resolved: bool = False
    params: frozenset[str] = frozenset()

    def line(self, location: int | None) -> int:
        return self.src.line(location)


@dataclass
class Script:
    search_path: list[str]
    effects: list[Effect] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    dynamic_lines: list[int] = field(default_factory=list)
    #: (first line, last line, condition) of each IF whose condition reads rows
    conditional: list[tuple[int, int, str]] = field(default_factory=list)
    dynamic_makes: set[str] = field(default_factory=set)
    runtime_makes: list[tuple[int, Made]] = field(default_factory=list)
    temp_names: set[str] = field(default_factory=set)
    #: the line of a ``SET search_path = ''`` (or ``set_config``) in force: names
    #: without a schema are looked for in pg_catalog alone, and nothing can be
    #: created without one (None: the path has a schema to create in)
    empty_path_line: int | None = None
    #: enum values this script added (ALTER TYPE … ADD VALUE), with the type and
    #: whether IF NOT EXISTS was written, since its last COMMIT: using one before
    #: a COMMIT fails
    new_enum_values: list[tuple[str, ObjectRef, bool]] = field(default_factory=list)
    #: tables this script empties whole (DELETE without WHERE, TRUNCATE): a
    #: required column added to one after that meets no row
    emptied: set[str] = field(default_factory=set)
    #: tables this script has surely written a row into since it made or last
    #: emptied them (INSERT … VALUES), with the line: a required column added
    #: to one after that meets a row
    filled: dict[tuple, int] = field(default_factory=dict)
    relation_names: dict[str, set[str]] = field(default_factory=dict)
    constraint_names: dict[str, set[str]] = field(default_factory=dict)
    #: qualified table -> the indexes and constraints this script made on it:
    #: (kind, name) -> (columns, whether a not-null constraint), so that the
    #: names a drop, rename or move frees are free again for invented names
    made_on: dict[str, dict[tuple[str, str], tuple[tuple[str, ...], bool]]] = field(
        default_factory=dict
    )
    check_function_bodies: bool = True
    #: the routine whose SQL body written as a string is being read: a call of
    #: its own name in it finds it (it is in the catalog before such a body
    #: is checked; a BEGIN ATOMIC body is read before)
    making: ObjectRef | None = None
    #: CREATE CAST between built-in types: (source, target, context)
    casts: list[tuple[str, str, str]] = field(default_factory=list)
    #: Work recorded so far (effects and dynamic statements), for guard tracking.
    dynamic_count: int = 0
    #: Reads one statement's tree (the dispatch on node types), for statements
    #: nested in others: DO blocks, rule actions, schema elements, SQL bodies.
    reader: Callable[[Script, dict, Ctx], None] | None = field(default=None, repr=False)

    def nested(self, tree: dict, ctx: Ctx) -> None:
        if self.reader is not None:
            self.reader(self, tree, ctx)

    def mark_need(self, ref: ObjectRef, ctx: Ctx, **extra: object) -> bool:
        """Give the statement's last need of ``ref`` more to say (``extra``);
        False when the statement has none."""
        for i in range(len(self.effects) - 1, -1, -1):
            eff = self.effects[i]
            if eff.statement != ctx.statement:
                return False
            if eff.action == REQUIRE and eff.ref == ref:
                self.effects[i] = eff.changed(**extra)
                return True
        return False

    def facts(self) -> ScriptFacts:
        return ScriptFacts(
            effects=tuple(self.effects),
            findings=tuple(self.findings),
            dynamic_lines=tuple(sorted(set(self.dynamic_lines))),
            conditional=tuple(self.conditional),
            dynamic_makes=frozenset(self.dynamic_makes),
            runtime_makes=tuple(dict.fromkeys(self.runtime_makes)),
            search_path=tuple(self.search_path),
            casts=tuple(self.casts),
        )

    @property
    def work_done(self) -> int:
        return len(self.effects) + self.dynamic_count

    # --- recording -------------------------------------------------------------

    def emit(
        self,
        action: str,
        ref: ObjectRef | None,
        location: int | None,
        ctx: Ctx,
        **extra: object,
    ) -> None:
        if ref is None:
            return
        if ctx.body and action != REQUIRE:
            return
        if extra.get("strict") and (ctx.guarded or ctx.handled or ctx.tolerant):
            extra["strict"] = False  # an existing object is skipped or caught
        if action != PROVIDE and "alternatives" not in extra:
            extra["alternatives"] = self.other_path_schemas(ref)
        self.effects.append(
            Effect(
                action=action,
                ref=ref,
                line=ctx.line(location),
                statement=ctx.statement,
                guarded=ctx.guarded,
                handled=ctx.handled,
                tolerant=ctx.tolerant,
                **extra,  # type: ignore[arg-type]
            )
        )
        self._names(action, ref, extra)
        if action == PROVIDE and ref.kind in _ROW_TYPE_KINDS:
            # Every table and view also gets a composite type of its name,
            # which routines may take or return (RETURNS SETOF orders).
            row_type = ObjectRef(TYPE, ref.schema, ref.name)
            self.emit(PROVIDE, row_type, location, ctx, parent=ref.qualified)

    def _names(self, action: str, ref: ObjectRef, extra: dict) -> None:
        """Keep the names taken in the script as the server keeps them: a
        drop, a rename or a move to another schema frees a name, and a table's
        indexes and constraints go with it."""
        owner = ref.table if ref.kind in (CONSTRAINT, COLUMN) else extra.get("parent")
        if action == PROVIDE:
            self.take_name(ref)
            if ref.kind in (CONSTRAINT, INDEX) and isinstance(owner, str):
                columns = extra.get("columns") or ()
                held = (tuple(columns), bool(extra.get("not_null")))  # type: ignore[arg-type]
                self.made_on.setdefault(owner, {})[(ref.kind, ref.name)] = held
        elif action == DROP:
            if ref.kind == COLUMN or extra.get("not_null") == "drop":
                column = ref.name if ref.kind == COLUMN else extra["columns"][0]  # type: ignore[index]
                only_not_null = ref.kind != COLUMN
                made = self.made_on.get(str(owner), {})
                for (kind, name), (columns, not_null) in list(made.items()):
                    if column in columns and (not_null or not only_not_null):
                        self._forget(ref.schema, str(owner), kind, name)
            elif ref.kind in (CONSTRAINT, INDEX):
                self._forget(ref.schema, owner, ref.kind, ref.name)
            elif ref.kind in RELATION_KINDS:
                self.free_name(ref)
                for kind, name in self.made_on.pop(ref.qualified, {}):
                    self._drop_name(ref.schema, kind, name)
        elif action == RENAME and isinstance(extra.get("new"), ObjectRef):
            new: ObjectRef = extra["new"]  # type: ignore[assignment]
            if ref.kind in (CONSTRAINT, INDEX):
                owner, gone = self._forget(ref.schema, owner, ref.kind, ref.name)
                for kind, _ in gone or {(ref.kind, ref.name): None}:
                    self.take_name(replace(new, kind=kind))
                for (kind, _), held in (gone or {}).items():
                    self.made_on.setdefault(str(owner), {})[(kind, new.name)] = held
                return
            if ref.kind in RELATION_KINDS:
                self.free_name(ref)
            self.take_name(new)
            made = self.made_on.pop(ref.qualified, None) if ref.kind in RELATION_KINDS else None
            if made is not None:
                if new.schema != ref.schema:  # its indexes and constraints move with it
                    for kind, name in made:
                        self._drop_name(ref.schema, kind, name)
                        self.take_name(ObjectRef(kind, new.schema, name))
                self.made_on[new.qualified] = made

    def _forget(self, schema: str | None, owner: object, kind: str, name: str) -> tuple:
        """Free the name of an index or constraint; a key's index and its
        constraint share it and go together. The table and what the script
        had made under the name (empty when it made nothing of it)."""
        if not (isinstance(owner, str) and (kind, name) in self.made_on.get(owner, {})):
            # an index names no table: find the one that has it
            owner = next((t for t, m in self.made_on.items() if (kind, name) in m), owner)
        made = self.made_on.get(owner, {}) if isinstance(owner, str) else {}
        gone = {}
        for key in ((kind, name), (INDEX if kind == CONSTRAINT else CONSTRAINT, name)):
            if key in made:
                gone[key] = made.pop(key)
                self._drop_name(schema, *key)
        self._drop_name(schema, kind, name)
        return owner, gone

    def _drop_name(self, schema: str | None, kind: str, name: str) -> None:
        if schema is None:
            return
        names = self.relation_names if kind in RELATION_KINDS else self.constraint_names
        names.get(schema, set()).discard(name)

    def needed_since(self, before: int, namespace: str = "relation") -> tuple[ObjectRef, ...]:
        """What the effects recorded after the first ``before`` need of a
        namespace, in order, each once: the relations a view or a policy
        reading them holds, or (``"type"``) the enums, domains and composites
        a view or a CHECK casting to them holds (PostgreSQL refuses to drop
        one while it stands: 2BP01)."""
        return tuple(
            dict.fromkeys(
                e.ref
                for e in self.effects[before:]
                if e.action == REQUIRE and e.ref.namespace == namespace
            )
        )

    def mark_insert(
        self, table: ObjectRef, columns: tuple[str, ...], location: int | None, ctx: Ctx
    ) -> None:
        """The statement's need of ``table`` is an INSERT's that writes a row
        giving ``columns`` (see ``Effect.inserts``)."""
        if not self.mark_need(table, ctx, inserts=columns):
            self.emit(REQUIRE, table, location, ctx, inserts=columns)

    def no_subquery(self, expr, where: str, ctx: Ctx) -> None:
        """``expr`` is evaluated where PostgreSQL allows no subquery (``where``:
        "a CHECK constraint", "an index predicate" …): one is refused (0A000)."""
        if not expr or ctx.body or ctx.guarded or ctx.handled:
            return
        for item in nodes_of(expr):
            if "SubLink" in item:
                self.find(
                    SUBQUERY,
                    ctx.line(item["SubLink"].get("location")),
                    f"a subquery in {where}: PostgreSQL allows none there, and refuses (0A000)",
                    "compute the value in a trigger or an UPDATE instead (or in a function "
                    "the expression calls, knowing PostgreSQL then cannot see what it reads)",
                    ctx,
                )
                return

    def no_column_in_default(self, expr, ctx: Ctx) -> None:
        """A default is computed with no row at hand: a column it names is
        refused (0A000); the value of another column is a generated column's
        or a trigger's to compute."""
        if not expr or ctx.body or ctx.guarded or ctx.handled:
            return
        for item in outside_subqueries(expr):
            ref = item.get("ColumnRef")
            if isinstance(ref, dict):
                name = ".".join(strings(ref.get("fields", ())))
                self.find(
                    DEFAULT_COLUMN,
                    ctx.line(ref.get("location")),
                    f"a column default reads the column {name}: PostgreSQL computes a default "
                    "with no row at hand, and refuses (0A000)",
                    "make it a generated column (GENERATED ALWAYS AS (…) STORED), or set it "
                    "in a trigger",
                    ctx,
                )
                return

    def unique_columns(
        self, names, what: str, ref: ObjectRef, location: int | None, ctx: Ctx
    ) -> None:
        """PostgreSQL refuses a relation whose columns, as one statement names
        them, repeat a name (42701)."""
        if ctx.body:
            return
        seen: set[str] = set()
        for name in names or ():
            if name in seen:
                self.find(
                    DUPLICATE_COLUMN,
                    ctx.line(location),
                    f'{what} {ref.qualified} names column "{name}" twice; '
                    "PostgreSQL refuses it (42701)",
                    "give one of them another name (AS …)"
                    if what != "table"
                    else "drop one of the two, or rename it",
                    ctx,
                )
                return
            seen.add(name)

    def find(
        self,
        kind: str,
        line: int,
        message: str,
        hint: str,
        ctx: Ctx,
        refs: tuple[ObjectRef, ...] = (),
        sure: bool = False,
        maybe_value: str = "",
    ) -> None:
        if any(f.kind == kind and f.line == line for f in self.findings):
            return
        self.findings.append(
            Finding(kind, line, message, hint, ctx.statement, refs, sure, maybe_value)
        )

    def found_nowhere(
        self, who: str, kind: str, name: str, line: int, ctx: Ctx, session: bool | None = None
    ) -> None:
        """``name`` (a table, function or type) written without a schema where
        the search_path is pg_catalog alone (a routine's ``SET search_path =
        ''``, or the session's), which lacks it: PostgreSQL finds it nowhere,
        and refuses ``who`` (the body of a routine, a DECLARE, a statement)."""
        if session is None:
            session = self.empty_path_line is not None
        if session:
            whose = f"the empty search_path set at line {self.empty_path_line}"
            hint = f"write its schema (public.{name}), or set a search_path that holds it first"
        else:
            whose = "the routine's empty search_path (SET search_path = '')"
            hint = (
                f"write its schema (public.{name}), or give the routine a search_path that holds it"
            )
        self.find(
            MISSING_TYPE,
            line,
            f"{who} names the {kind} {name} without a schema, under {whose}, where only "
            f"pg_catalog is looked in: PostgreSQL does not find it, and refuses "
            f"({_NOT_FOUND[kind]})",
            hint,
            ctx,
            sure=True,
        )

    def take_name(self, ref: ObjectRef) -> None:
        if ref.schema is None:
            return
        if ref.kind in RELATION_KINDS:
            self.relation_names.setdefault(ref.schema, set()).add(ref.name)
        elif ref.kind == CONSTRAINT:
            self.constraint_names.setdefault(ref.schema, set()).add(ref.name)

    def relation_names_in(self, ref: ObjectRef) -> set[str]:
        """Relation names taken so far in the schema of ``ref``."""
        return self.relation_names.get(ref.schema or "", set())

    def free_name(self, ref: ObjectRef) -> None:
        if ref.schema is not None and ref.kind in RELATION_KINDS:
            self.relation_names.get(ref.schema, set()).discard(ref.name)

    # --- names -----------------------------------------------------------------

    def other_path_schemas(self, ref: ObjectRef) -> tuple[str, ...]:
        """The rest of the search_path, for a name that landed in its first schema."""
        if ref.schema is None or ref.schema != self.creation_schema():
            return ()
        return tuple(s for s in self.search_path if s != ref.schema and not s.startswith("pg_temp"))

    def creation_schema(self) -> str:
        for schema in self.search_path:
            if not schema.startswith("pg_temp") and schema != "pg_catalog":
                return schema
        return "public"

    def set_search_path(self, schemas: list[str], line: int | None = None) -> None:
        """The path a statement at ``line`` sets for the rest of the script
        (``line`` None: a routine's body being read, whose path is its own)."""
        kept = [s for s in schemas if s and s != "$user"]
        if line is not None:
            self.empty_path_line = None
            if not kept and "$user" not in schemas:
                # SET search_path = '': pg_catalog alone is looked in, and an
                # object written without a schema has nowhere to go (3F000)
                self.search_path = ["pg_catalog"]
                self.empty_path_line = line
                return
        self.search_path = kept or ["public"]

    def resolve(self, names: list[str]) -> tuple[str, str] | None:
        """(schema, name) for a possibly qualified name; None for temporary objects."""
        if not names:
            return None
        if len(names) == 1:
            if names[0] in self.temp_names:
                return None
            return self.creation_schema(), names[0]
        schema, name = names[-2], names[-1]
        if schema.startswith("pg_temp"):
            return None
        return schema, name

    def relation(self, names: list[str], kind: str = TABLE) -> ObjectRef | None:
        """A relation reference, or None for temporary and catalog relations."""
        resolved = self.resolve(names)
        if resolved is None:
            return None
        schema, name = resolved
        if schema in CATALOG_SCHEMAS or (len(names) == 1 and name.startswith("pg_")):
            return None
        return ObjectRef(kind, schema, name)

    def range_var(self, rv: dict, kind: str = TABLE) -> ObjectRef | None:
        """The relation a RangeVar node names; None when temporary or a catalog."""
        if rv.get("relpersistence") == "t":
            self.temp_names.add(rv.get("relname", ""))
            return None
        return self.relation(range_var_names(rv), kind)

    def schema_object(self, names: list[str], kind: str) -> ObjectRef | None:
        resolved = self.resolve(names)
        if resolved is None or resolved[0] in CATALOG_SCHEMAS:
            return None
        return ObjectRef(kind, resolved[0], resolved[1])

    def need_schema(self, ref: ObjectRef | None, location: int | None, ctx: Ctx) -> None:
        if ref is None or ref.schema is None:
            return
        self.need_schema_named(ref.schema, location, ctx)

    def need_schema_named(self, schema: str, location: int | None, ctx: Ctx) -> None:
        if schema in BUILTIN_SCHEMAS or schema.startswith("pg_temp"):
            return
        self.emit(REQUIRE, ObjectRef(SCHEMA, None, schema), location, ctx)

    def need_columns(
        self,
        table: ObjectRef | None,
        names,
        location: int | None,
        ctx: Ctx,
        given=(),
        types=(),
        assigned: bool = False,
        valued: tuple[bool, ...] = (),
        nulled: tuple[bool, ...] = (),
    ) -> None:
        """Columns of ``table`` a statement names (not in a routine's body,
        whose names PostgreSQL resolves when it runs). ``given``: for an
        INSERT, whether each gets a value of its own; ``types``: the type of
        the constants it gets (see ``value_type``), "" when not one type;
        ``valued``: for an UPDATE, whether each is set to a value (not DEFAULT);
        ``nulled``: whether it is set to NULL (which fills nothing)."""
        if table is None or (ctx.body and not ctx.resolved):
            return
        if ctx.body:  # only that the columns are there: the body runs later
            given, types, assigned, valued = (), (), False, ()
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name and name not in seen:
                seen.add(name)
                column = ObjectRef(COLUMN, table.schema, name, table=table.qualified)
                inserted = i < len(given) and given[i]
                typed = types[i] if i < len(types) else ""
                self.emit(
                    REQUIRE,
                    column,
                    location,
                    ctx,
                    inserted=inserted,
                    value_type=typed,
                    assigned=assigned and not (i < len(nulled) and nulled[i]),
                    set_value=i < len(valued) and valued[i],
                )

    # --- types -----------------------------------------------------------------

    def type_name(self, tn: dict) -> tuple[str, ObjectRef | None]:
        """(format_type spelling, the object it needs) of a TypeName node.

        Builtin types need nothing; a type an extension brings needs the
        extension; any other needs the type itself.
        """
        names = strings(tn.get("names", ()))
        array = "[]" if tn.get("arrayBounds") else ""
        if not names:
            return "", None
        if tn.get("pct_type"):
            return "", None  # table.column%TYPE: the column's type, whatever it is
        name = names[-1]
        qualified = len(names) > 1
        if name.startswith("_") and is_builtin_type(name[1:]) and not array:
            name, array = name[1:], "[]"  # _text: the array type of text
        if qualified and names[0] in CATALOG_SCHEMAS:
            return canonical_type([name]) + array, None
        if not qualified and (is_builtin_type(name) or name in ("char", "trigger")):
            spelled = '"char"' if name == "char" else canonical_type([name])
            return spelled + array, None
        if not qualified and name in EXTENSION_TYPES:
            return name + array, ObjectRef(EXTENSION, None, EXTENSION_TYPES[name])
        if not qualified and name in catalog_relations():
            return name + array, None  # a pg_catalog table's or view's rows: pg_roles
        ref = self.schema_object(names, TYPE)
        if ref is None:
            return name + array, None
        shown = ref.name if ref.schema in self.search_path else ref.qualified
        return shown + array, ref

    def need_collation(self, names: list | None, location: int | None, ctx: Ctx) -> None:
        """A collation a column, an index or an expression names must exist
        (42704), unless it may be the server's own (``C``, ``en_US``,
        ``und-x-icu``: see ``system_collation``)."""
        spelled = strings(names or ())
        if not spelled or (len(spelled) == 1 and system_collation(spelled[0])):
            return
        needed = self.schema_object(spelled, COLLATION)
        if needed is not None:
            self.emit(REQUIRE, needed, location, ctx)

    def need_collate_clause(self, clause: dict | None, ctx: Ctx) -> None:
        """A column's or a domain's ``COLLATE`` (a CollateClause, bare or not)."""
        if clause:
            clause = clause.get("CollateClause", clause)
            self.need_collation(clause.get("collname"), clause.get("location"), ctx)

    def need_type(self, tn: dict | None, ctx: Ctx, label: str | None = None) -> str:
        """The type a TypeName names, which must exist; ``label``: a quoted
        constant cast to it (see ``Effect.cast_label``)."""
        if not tn:
            return ""
        spelled, needed = self.type_name(tn)
        if needed is not None:
            self.emit(REQUIRE, needed, tn.get("location"), ctx, cast_label=label)
        return spelled


# --- tree helpers ----------------------------------------------------------------


def nodes_of(tree):
    """Every node dict in a tree, depth first (without recursion: trees can be deep)."""
    stack = [tree]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        kind = type(item)
        if kind is list:
            stack.extend(item)
        elif kind is dict:
            yield item
            for value in item.values():
                if type(value) in _BRANCHES:
                    push(value)


#: What a tree's walk descends into (its leaves are strings, numbers and booleans).
_BRANCHES = frozenset({dict, list})


def outside_subqueries(*trees):
    """Every node dict of ``trees`` but those inside a subquery (a SubLink, or
    one in FROM), whose names are its own tables' first."""
    stack = list(trees)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict) and "SubLink" not in item and "RangeSubselect" not in item:
            yield item
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))


def strings(nodes) -> list[str]:
    """The text of a list of String nodes."""
    out = []
    for n in nodes or ():
        if "String" in n:
            out.append(n["String"].get("sval", ""))
        elif "A_Star" in n:
            out.append("*")
    return out


def range_var_names(rv: dict) -> list[str]:
    return [n for n in (rv.get("catalogname"), rv.get("schemaname"), rv.get("relname")) if n][-2:]


def node(tree: dict) -> tuple[str, dict]:
    """(type, fields) of a one-key node dict."""
    for key, value in tree.items():
        return key, value
    return "", {}


def calls_in(*trees) -> tuple[tuple[str | None, str], ...]:
    """The functions called in ``trees``: (schema or None, name), once each,
    leaving out pg_catalog's."""
    found: dict[tuple[str | None, str], None] = {}
    for item in nodes_of(list(trees)):
        if "FuncCall" in item:
            names = strings(item["FuncCall"].get("funcname", ()))
            if len(names) == 1:
                found[(None, names[0])] = None
            elif len(names) == 2 and names[0] != "pg_catalog":
                found[(names[0], names[1])] = None
    return tuple(found)


#: The types of CURRENT_TIMESTAMP and its kin (their SQLValueFunction ``op``).
_VALUE_FUNCTIONS = {
    "SVFOP_CURRENT_DATE": "date",
    "SVFOP_CURRENT_TIME": "timetz",
    "SVFOP_CURRENT_TIME_N": "timetz",
    "SVFOP_CURRENT_TIMESTAMP": "timestamptz",
    "SVFOP_CURRENT_TIMESTAMP_N": "timestamptz",
    "SVFOP_LOCALTIME": "time",
    "SVFOP_LOCALTIME_N": "time",
    "SVFOP_LOCALTIMESTAMP": "timestamp",
    "SVFOP_LOCALTIMESTAMP_N": "timestamp",
}

#: Built-in functions of no arguments, common in defaults, and the type of
#: what they return (pg_catalog comes first on any search_path).
_CALL_TYPES = {
    "now": "timestamptz",
    "clock_timestamp": "timestamptz",
    "statement_timestamp": "timestamptz",
    "transaction_timestamp": "timestamptz",
    "gen_random_uuid": "uuid",
    "random": "float8",
}


def value_type(tree: dict | None) -> str:
    """The type of a constant as PostgreSQL types it before assigning it:
    ``int4``, ``int8``, ``numeric``, ``bool``, or a cast's built-in type
    (``'1'::bigint``); a quoted literal, quotes and all (``'active'``: it is
    read as the column's type); the type of ``CURRENT_TIMESTAMP`` and its kin
    and of a few built-in calls (``now()``, ``gen_random_uuid()``); "" for
    NULL or any other expression."""
    if not tree:
        return ""
    if "SQLValueFunction" in tree:
        return _VALUE_FUNCTIONS.get(tree["SQLValueFunction"].get("op", ""), "")
    if "FuncCall" in tree:
        call = tree["FuncCall"]
        names = strings(call.get("funcname", ()))
        if call.get("over") or call.get("agg_star"):
            return ""
        if not (len(names) == 1 or (len(names) == 2 and names[0] == "pg_catalog")):
            return ""
        if names[-1] == "nextval" and len(call.get("args") or ()) == 1:
            return "int8"  # a sequence's next value, whichever sequence
        return "" if call.get("args") else _CALL_TYPES.get(names[-1], "")
    if "TypeCast" in tree:
        cast = tree["TypeCast"]
        type_name = cast.get("typeName") or {}
        if "A_Const" not in (cast.get("arg") or {}) or type_name.get("arrayBounds"):
            return ""
        return builtin(strings(type_name.get("names", ())))
    const = tree.get("A_Const")
    if const is None or const.get("isnull"):
        return ""
    if "ival" in const:
        return "int4"
    if "boolval" in const:
        return "bool"
    if "sval" in const:
        return "'" + (const["sval"] or {}).get("sval", "") + "'"
    if "fval" in const:
        text = (const["fval"] or {}).get("fval", "")
        if text.lstrip("-").isdigit():
            return "int8" if -(2**63) <= int(text) < 2**63 else "numeric"
        return "numeric"
    return ""


def const_string(tree: dict | None) -> str | None:
    """The value of a string constant node (``'x'`` or ``$$x$$``), else None."""
    if not tree:
        return None
    if "A_Const" in tree:
        sval = tree["A_Const"].get("sval")
        if sval is not None:
            return sval.get("sval", "")
    if "TypeCast" in tree:
        return const_string(tree["TypeCast"].get("arg"))
    return None


def index_key(element: dict) -> str | None:
    """One element of a unique index or of an ``ON CONFLICT`` target, as the
    server matches them: the column's name, or the expression written out in
    parentheses (``(lower(email))``). None for an expression of a shape not
    followed."""
    if element.get("name"):
        return element["name"]
    expr = element.get("expr") or {}
    words = strings(expr.get("ColumnRef", {}).get("fields", ())) if "ColumnRef" in expr else []
    if len(words) == 1 and words[0] != "*":
        return words[0]  # ((id)): the server keeps a column written in parentheses as one
    text = _expression_text(element.get("expr"))
    return None if text is None else f"({text})"


def _expression_text(tree: dict | None) -> str | None:
    """A plain rendering of the common expressions an index is made on: column
    references, calls, casts, constants and operators. Two trees render alike
    only when they are alike."""
    kind, fields = node(tree or {})
    if kind == "ColumnRef":
        names = strings(fields.get("fields", ()))
        return ".".join(names) if names and "*" not in names else None
    if kind == "FuncCall":
        if fields.get("agg_star") or fields.get("agg_distinct") or fields.get("over"):
            return None
        args = [_expression_text(a) for a in fields.get("args", ())]
        if None in args:
            return None
        return f"{'.'.join(strings(fields.get('funcname', ())))}({', '.join(args)})"
    if kind == "TypeCast":
        arg = _expression_text(fields.get("arg"))
        names = strings((fields.get("typeName") or {}).get("names", ()))
        mods = (fields.get("typeName") or {}).get("typmods") or (fields.get("typeName") or {}).get(
            "arrayBounds"
        )
        return None if arg is None or not names or mods else f"{arg}::{'.'.join(names)}"
    if kind == "A_Const":
        # (a zero, an empty string or false is left out of the tree: its default)
        for key, default in (("sval", ""), ("ival", 0), ("fval", "0"), ("boolval", False)):
            if key in fields:
                value = fields[key]
                value = value.get(key, default) if isinstance(value, dict) else value
                return repr(value) if key == "sval" else str(value).lower()
        return "NULL" if fields.get("isnull") else None
    if kind == "A_Expr" and fields.get("kind") == "AEXPR_OP":
        left, right = _expression_text(fields.get("lexpr")), _expression_text(fields.get("rexpr"))
        operator = ".".join(strings(fields.get("name", ())))
        if right is None or (fields.get("lexpr") and left is None):
            return None
        return f"({left} {operator} {right})" if left is not None else f"({operator} {right})"
    if kind == "CoalesceExpr":
        args = [_expression_text(a) for a in fields.get("args", ())]
        return None if None in args else f"coalesce({', '.join(args)})"
    return None


def parse(text: str) -> list[dict] | None:
    """The raw statements of ``text`` (each ``{"stmt": …, "stmt_location": …}``),
    or None when the grammar refuses it."""
    try:
        return parse_tree(text).get("stmts", [])
    except (parser.ParseError, RecursionError):
        return None


#: The column types that are shorthands for an integer and a sequence
_SERIALS = frozenset({"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"})


def names_without_schema(statements: list[dict]) -> tuple[str, ...]:
    """The tables, functions and types a SQL body written as a string names
    without a schema, where pg_catalog has none of the name: PostgreSQL 17
    and later build indexes and run a materialized view's query with
    ``search_path = pg_catalog, pg_temp``, and there such a name is not
    found; so is one outside any routine after ``SET search_path = ''``.
    ("table t", "function unaccent" …; ``serial`` is a column's shorthand,
    not a type the path is searched for)"""
    from migtui.core.builtins import builtin_functions, catalog_relations

    core, catalog = builtin_functions(), catalog_relations()
    named = {
        item["CommonTableExpr"].get("ctename")
        for item in nodes_of(statements)
        if "CommonTableExpr" in item
    }
    found: dict[str, None] = {}
    for item in nodes_of(statements):
        rv = item.get("RangeVar") or (item if "relpersistence" in item else None)
        if rv is not None:
            name = rv.get("relname", "")
            if (
                not rv.get("schemaname")
                and name not in named
                and name not in catalog
                and rv.get("relpersistence") != "t"  # (made in pg_temp, found there)
            ):
                found[f"table {name}"] = None
        elif "FuncCall" in item:
            names = strings(item["FuncCall"].get("funcname", ()))
            if len(names) == 1 and names[0] not in core:
                found[f"function {names[0]}"] = None
        elif "typemod" in item and "names" in item:  # a TypeName (kept unwrapped)
            names = strings(item["names"])
            if (
                len(names) == 1
                and names[0] not in core
                and names[0] not in catalog
                and names[0] not in _SERIALS
            ):
                found[f"type {names[0]}"] = None
    return tuple(found)
