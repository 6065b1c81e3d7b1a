"""What one script does to the schema, in the order it does it.

The object analysis (``objects``) turns statements into an ordered list of
effects; the project analysis (``graph.py``) walks the effects of every
migration in version order to decide what each one provides and needs.
Keeping the order matters: a migration that creates a table and then alters it
needs nothing, one that alters it first does.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from migtui.core.model import ObjectRef

PROVIDE = "provide"  # creates the object (CREATE, implicit index/sequence names, rename target)
REQUIRE = "require"  # needs the object to exist now
DROP = "drop"  # removes it
ALTER = "alter"  # changes it in place (it is also required)
RENAME = "rename"  # ``ref`` is renamed to ``new``

#: Finding kinds: review points about the SQL itself.
DYNAMIC_SQL = "dynamic_sql"
NAME_ONLY_FUNCTION_CHECK = "name_only_function_check"
NAME_ONLY_TRIGGER_CHECK = "name_only_trigger_check"
GUARDED_SKIP = "guarded_skip"
#: ADD COLUMN … NOT NULL without a default, on a table made before the migration.
REQUIRED_COLUMN = "required_column"
#: An enum value added and used in one transaction (PostgreSQL refuses: 55P04).
NEW_ENUM_VALUE = "new_enum_value"
#: A body PostgreSQL's PL/pgSQL parser refuses: an error, not a review point.
SYNTAX_ERROR = "syntax_error"
#: A subquery where PostgreSQL allows none (a CHECK, a default, an index's
#: expression …): an error (0A000).
SUBQUERY = "subquery_not_allowed"
#: A function only an extension's script may call (``pg_extension_config_dump``),
#: called by a migration: PostgreSQL refuses (0A000).
EXTENSION_ONLY = "extension_script_only"
#: A definition PostgreSQL refuses whatever the database holds: a trigger's
#: WHEN reading OLD on INSERT (42P17), a BEGIN ATOMIC body of polymorphic
#: arguments (42P13) … an error.
INVALID_DEFINITION = "invalid_definition"
#: A column default that reads a column (PostgreSQL refuses: 0A000).
DEFAULT_COLUMN = "default_reads_column"
#: One statement names a column twice (CREATE TABLE, a view's or a table's
#: query): an error (42701), reported as ``already_exists``.
DUPLICATE_COLUMN = "already_exists"
#: A column declared two ways that cannot both hold (NULL and NOT NULL, a
#: default and an identity …): an error (42601).
CONFLICTING = "conflicting_constraint"
#: An object another one needs, dropped alone (``DROP LANGUAGE plpgsql``, the
#: plpgsql extension's): an error (2BP01).
DEPENDENT_OBJECTS = "dependent_objects"
#: A policy's clause its command cannot take: USING on an INSERT policy, WITH
#: CHECK on a SELECT or DELETE one (42601).
POLICY_CLAUSE = "policy_clause"
#: A type no schema has, whatever the folder makes (``ALTER COLUMN … TYPE
#: serial``): an error (42704), reported as ``missing_prerequisite``.
MISSING_TYPE = "missing_prerequisite"
#: A column a subquery in FROM does not give (``p.orderid`` of ``(SELECT
#: order_id …) p``): an error (42703), reported as ``missing_prerequisite``.
MISSING_OUTPUT = "missing_prerequisite"


@dataclass(frozen=True)
class Effect:
    action: str
    ref: ObjectRef
    line: int  # file line of the word that names the object (else the statement's first line)
    statement: int  # statement index in its section
    #: Inside an existence test (``IF EXISTS (SELECT … FROM pg_tables …) THEN``):
    #: the migration may silently skip this instead of failing.
    guarded: bool = False
    #: For RENAME: the new name.
    new: ObjectRef | None = None
    #: For DROP: CASCADE was written (dependents go too).
    cascade: bool = False
    #: For DROP/ALTER/REQUIRE: ``IF EXISTS`` was written, so nothing is needed.
    if_exists: bool = False
    #: For an index or a table-scoped object: the qualified table it belongs to.
    parent: str | None = None
    #: Inside a PL/pgSQL block whose exception handler catches the error a
    #: missing object raises: the block may silently do nothing.
    handled: bool = False
    #: Under a test that the object is not there yet (``IF NOT EXISTS (…) THEN``):
    #: what it makes is skipped when something of its kind stands.
    tolerant: bool = False
    #: For a PROVIDE of an extension: the schema its objects go to.
    into: str | None = None
    #: For a PROVIDE of an index or constraint: the columns of its table it uses
    #: (dropping one of them drops it too).
    columns: tuple[str, ...] = ()
    #: For a constraint: PostgreSQL 18's not-null constraint on ``columns[0]``,
    #: "named" (written ``CONSTRAINT x NOT NULL c``) or "implicit" (NOT NULL,
    #: PRIMARY KEY, identity, SET NOT NULL: ``<table>_<column>_not_null``); for a
    #: DROP, "drop" (DROP NOT NULL: whatever not-null constraint the column has).
    not_null: str = ""
    #: For a PROVIDE: the objects it depends on, which PostgreSQL then refuses
    #: to drop without CASCADE (a view's tables, a foreign key's target, a
    #: trigger's function, a column's type).
    depends: tuple[ObjectRef, ...] = ()
    #: For a view's PROVIDE: the columns its query of several tables names
    #: bare, each with the tables it may be of; the walk gives each to the one
    #: table that has it then, and the view depends on that column.
    bare: tuple[tuple[str, tuple[ObjectRef, ...]], ...] = ()
    #: For a PROVIDE of a partition (``PARTITION OF``), or a REQUIRE of one by
    #: ``ATTACH PARTITION`` or ``DETACH PARTITION``: its table, qualified, and
    #: its bounds (see ``objects.tables.partition_bound``; None to detach).
    bound: tuple[str, tuple | None] | None = None
    #: For a PROVIDE of a function whose body is SQL written as a string, with
    #: no search_path of its own: the tables, functions and types the body
    #: names without a schema that pg_catalog lacks ("table t", "function g").
    #: PostgreSQL 17 and later build an index and run a materialized view's
    #: query with ``search_path = pg_catalog, pg_temp``, which cannot find
    #: them. ``planned``: the body is read when a query calling it is planned
    #: (to inline it), so even an index on an empty table fails.
    bare_reads: tuple[str, ...] = ()
    planned: bool = False
    #: For a PROVIDE of a materialized view, or a REQUIRE of one by REFRESH:
    #: its query runs now (not WITH NO DATA).
    filled: bool = False
    #: For a REQUIRE of a materialized view by REFRESH: "data", "no data" or
    #: "concurrently" (which needs it populated, with a unique index of columns).
    refresh: str = ""
    #: For a REQUIRE of a table by ``ALTER TABLE child INHERIT`` (or ``NO
    #: INHERIT``) it: the child, qualified, and True for INHERIT. A table
    #: with children is not dropped without CASCADE.
    inherited_by: tuple[str, bool] | None = None
    #: For a PROVIDE: a CREATE that PostgreSQL refuses when the object already
    #: exists (an explicit name; no IF NOT EXISTS, OR REPLACE, existence test
    #: or exception handler catching it).
    strict: bool = False
    #: For a PROVIDE of a key's (or exclusion's) index and constraint given no
    #: name: what PostgreSQL made the name of (table, columns, label). The walk
    #: numbers it (``t_pkey1``) when a relation of the schema has it by then.
    invented: tuple[str, str | None, str] | None = None
    #: Other schemas of the search_path an unqualified name may resolve to, in
    #: order, when it is not found in ``ref.schema`` (PostgreSQL looks in each).
    alternatives: tuple[str, ...] = ()
    #: For a PROVIDE of a table: the statement names every column it has (a
    #: plain CREATE TABLE: no LIKE, INHERITS, OF or PARTITION OF).
    complete: bool = False
    #: For an ALTER of a column: its type changes (ALTER COLUMN … TYPE), which
    #: PostgreSQL refuses while a view uses the column.
    retype: bool = False
    #: For a PROVIDE or ALTER of a column: whether its value is always the
    #: server's now (GENERATED ALWAYS AS (…), or an identity GENERATED ALWAYS);
    #: None when the statement does not change that.
    always: bool | None = None
    #: For a REQUIRE of a column: an INSERT gives it a value of its own (not
    #: DEFAULT, without OVERRIDING SYSTEM VALUE).
    inserted: bool = False
    #: For a REQUIRE of a column: an UPDATE sets it (the rows it matches get a
    #: value); of a table: a DELETE or MERGE changes its rows.
    assigned: bool = False
    #: For a PROVIDE of a primary key, a unique constraint or a unique index a
    #: foreign key may reference: its columns (("?",) when they are not known).
    key: tuple[str, ...] | None = None
    #: For a PROVIDE of a partitioned table: its partition columns, "" for an
    #: expression (a primary key or unique constraint must hold them all).
    partitioned_by: tuple[str, ...] | None = None
    #: … and whether it is the table's primary key.
    primary: bool = False
    #: For a PROVIDE of a foreign key: the table it references, and the columns
    #: it names there (() for the table's primary key).
    target: str | None = None
    references: tuple[str, ...] = ()
    #: For a PROVIDE of an index: its access method and the columns it indexes
    #: as they are, with no operator class named (each needs its type's default).
    opclass_for: tuple[str, tuple[str, ...]] | None = None
    #: For a REQUIRE of a table: an INSERT … VALUES (or DEFAULT VALUES) leaves
    #: it a row, surely.
    writes_row: bool = False
    #: … ON CONFLICT: the row may be one that was there, with its own values.
    upsert: bool = False
    #: For a REQUIRE of a table an INSERT … ON CONFLICT (a, b) writes: the
    #: columns it names, which a unique index or key must have exactly.
    arbiter: tuple[str, ...] | None = None
    #: For a PROVIDE of a column, or an ALTER of its type: its built-in type
    #: ("int4", "text" …: see ``core.casts``), "@schema.name" for a type that
    #: is not built in, "" for any other; for a PROVIDE of a type, "enum" for
    #: an enum.
    data_type: str = ""
    #: For an ALTER of a column's type: how its values convert. "" without
    #: ``USING`` (an assignment); "cast" for ``USING column::new_type``;
    #: "expression" for any other ``USING``.
    using: str = ""
    #: For a PROVIDE of a column: True when it has a default (``DEFAULT``, or a
    #: serial's ``nextval``); for an ALTER: True for ``SET DEFAULT``, False
    #: for ``DROP DEFAULT``; None when the statement does not say.
    default: bool | None = None
    #: For a PROVIDE of a view: the names of its columns, in order (None when
    #: they cannot all be told).
    outputs: tuple[str, ...] | None = None
    #: … and when ``*`` leaves them untold, its select list over tables as
    #: (table, name, names left out): (``""``, a name, ()) for a column it
    #: names, (a qualified table, ``"*"``, the names a ``JOIN … USING`` merges)
    #: for all a table's columns. The walk spells it out with the columns
    #: each table has then.
    starred: tuple[tuple[str, str, tuple[str, ...]], ...] | None = None
    #: … and their types where told: a built-in type as ``core.casts`` names
    #: it (a cast's, a constant's), ``column:<table>:<column>`` for a column of
    #: the view's one table (the walk knows its type), "" for any other.
    output_types: tuple[str, ...] | None = None
    #: For a PROVIDE of a function: its result as written (``integer``,
    #: ``setof text``, ``record(a integer, b text)`` for output parameters; ""
    #: when not told), its input parameters' names ("" for an unnamed one),
    #: and how many parameters have defaults.
    #: For a REQUIRE of a table an INSERT … VALUES (or DEFAULT VALUES) writes a
    #: row to: the columns it lists (the others get their defaults).
    inserts: tuple[str, ...] | None = None
    #: For a REQUIRE of a table an INSERT … VALUES without a column list writes
    #: to: how many values each row gives, the type of each (see
    #: ``value_type``, "" when not one type) and whether some row gives it a
    #: value of its own (not DEFAULT). They go to the first columns, in order.
    positional: tuple[int, tuple[str, ...], tuple[bool, ...]] | None = None
    #: For the relation a statement works on, where its kind matters: the
    #: kinds it may be, and what the statement does to it in words (see
    #: ``objects.kinds``).
    kind_needed: tuple[frozenset[str], str] | None = None
    #: For a REQUIRE of a routine: a trigger runs it, so it must return trigger.
    trigger_function: bool = False
    #: For a PROVIDE of an enum: its labels; for an ALTER of one, ``(label,)``
    #: for ADD VALUE (``strict`` unless IF NOT EXISTS), ``(old, new)`` for
    #: RENAME VALUE.
    labels: tuple[str, ...] | None = None
    #: For a REQUIRE of a type: the quoted constant a statement casts to it
    #: (``'api'::channel``), which must be one of an enum's labels (22P02).
    cast_label: str | None = None
    #: For a REQUIRE of a column compared with a number (``status = 1``): the
    #: number's type, ``int4`` or ``numeric``; only number types compare with it.
    compared_number: str = ""
    #: For a REQUIRE of a column used where only some types are taken: compared
    #: with a boolean constant (``"= boolean"``), matched by ``"LIKE"``,
    #: ``"ILIKE"`` or a regular expression (``"~"``), or the first argument of a
    #: built-in string function (``"lower()"``); PostgreSQL finds no operator
    #: or function for the others (42883).
    typed_use: str = ""
    #: For an ALTER of a composite type: the attribute ``ALTER ATTRIBUTE … TYPE``
    #: gives another type, which no table's column of the type allows (0A000).
    retyped_attribute: str = ""
    #: For an index made: CREATE INDEX CONCURRENTLY
    concurrently: bool = False
    #: For a REQUIRE of a column UPDATE sets: to a value, not DEFAULT (a
    #: GENERATED ALWAYS column takes DEFAULT only: 428C9)
    set_value: bool = False
    #: For a PROVIDE of a SQL function whose body PostgreSQL reads at
    #: creation: the built-in type it returns (see ``core.casts``), and the
    #: types of its last query's columns as ``output_types`` tells them;
    #: PostgreSQL wants one column that converts on assignment (42P13).
    returns_type: str = ""
    result_types: tuple[str, ...] | None = None
    #: For a REQUIRE of a column a grouped query names outside its
    #: aggregates: the columns of its table the query is grouped by (see
    #: ``objects.grouping``): the column must be one, or the table's primary
    #: key must be among them (42803).
    grouped: tuple[str, ...] | None = None
    #: For a PROVIDE of a publication: made ``FOR ALL TABLES``, whose tables
    #: no ALTER PUBLICATION may add, set or take out (55000).
    all_tables: bool = False
    #: For a routine a statement names as a FUNCTION or a PROCEDURE (a call,
    #: ``CALL``, ``DROP``/``COMMENT ON``/``ALTER``/``GRANT … ON FUNCTION``, not
    #: ``ROUTINE``): PostgreSQL holds it to that kind (42809).
    routine_kind: bool = False
    #: For a REQUIRE of a column a query gives to ``min``, ``max``, ``sum``
    #: or ``avg``: that aggregate, which PostgreSQL has for some types only
    #: (``min(uuid)``, ``max(boolean)``, ``sum(text)``: 42883).
    aggregate: str = ""
    #: For a PROVIDE of a view, a materialized view or a table made AS a
    #: query of a set operation: the types of each branch's columns (see
    #: ``objects.views.branch_types``); PostgreSQL finds one type for each
    #: column, or refuses (42804).
    branch_types: tuple[tuple[str, ...], ...] | None = None
    #: For a PROVIDE of a CHECK constraint or an index: the columns of its
    #: table its expression (its predicate) compares with a quoted constant
    #: (``status <> 'done'``), stored as a constant of the column's type then:
    #: a change of the column's type to another type than an enum's own
    #: leaves no operator to compare them with (42883).
    compares: tuple[str, ...] = ()
    #: For ADD VALUE … BEFORE or AFTER a label: that label, which the enum
    #: must have (22023), and "<" before it, ">" after it (``"<review"``).
    neighbor: str = ""
    #: For a PROVIDE of a column, or an ALTER setting its default: the type of
    #: the default when it is a typed constant (``0`` is ``int4``, ``true``
    #: ``bool``: see ``objects.script.value_type``); for a REQUIRE of a column
    #: an INSERT … VALUES fills: the type of the constants every row gives it.
    value_type: str = ""
    #: For a REQUIRE of a table a TRUNCATE without CASCADE empties: every table
    #: it empties (the qualified names).
    truncated: tuple[str, ...] | None = None
    #: For a PROVIDE of a column: True for an identity; for an ALTER: True for
    #: ADD … AS IDENTITY, False for DROP IDENTITY; None when not said.
    identity: bool | None = None
    #: For an ALTER of a column: what the column must be for PostgreSQL to run
    #: it — "identity" (SET GENERATED, RESTART, DROP IDENTITY) or "generated"
    #: (DROP EXPRESSION); refused otherwise (55000).
    must_be: str = ""
    #: For a REQUIRE of a relation by COMMENT ON COLUMN: a composite type of
    #: the name will do (its attributes take comments too).
    composite_ok: bool = False
    #: For an ALTER: its expressions are written anew (ALTER POLICY … USING):
    #: it depends on ``depends`` alone from then on; of a sequence, its owner
    #: (OWNED BY t.c, with ``parent`` and ``columns``, or NONE).
    renewed: bool = False
    #: For a PROVIDE of an index or a generated column: the functions its
    #: expressions (and predicate) call, and the casts of its table's columns
    #: there ((column, built-in type)); PostgreSQL wants them IMMUTABLE.
    calls: tuple[str, ...] = ()
    casts: tuple[tuple[str, str], ...] = ()
    #: … and the calls whose form decides (``objects.immutable.immutable_needs``)
    forms: tuple[tuple[str, int, str], ...] = ()
    #: For a PROVIDE of a view, a column (its default or generation), an index
    #: or a CHECK constraint: the functions its definition calls ((schema or
    #: None, name)): PostgreSQL refuses to drop one while it stands.
    uses: tuple[tuple[str | None, str], ...] = ()
    returns: str = ""
    inputs: tuple[str, ...] | None = None
    defaults: int = 0
    #: … and whether it takes VARIADIC arguments (any number from there on)
    variadic: bool = False
    #: For an ALTER of a table: it sets storage parameters (``SET (…)``)
    sets_storage: bool = False
    #: For a REQUIRE of a function a call names: how many arguments it is
    #: given (None when not counted: VARIADIC, named, SQL's own syntax)
    arity: int | None = None
    #: For a PROVIDE of a table by CREATE TABLE: how many effects after it are
    #: that statement's own (its columns, keys, indexes and what they need),
    #: none of which happens when the table is there and the CREATE is skipped.
    span: int = 0
    #: For a REQUIRE of a table: it becomes a partition or a child of another
    #: (ATTACH PARTITION, INHERIT), and gets the columns added to that one.
    joined: bool = False
    #: For a PROVIDE of a routine: its body may create, alter or drop objects
    #: when it runs (DDL, or SQL built at run time).
    acts: bool = False
    #: … or its body only makes or drops triggers (``EXECUTE format('CREATE
    #: TRIGGER … ON %s …', tbl)``, as diesel's and sqlx's updated_at helpers do).
    makes_triggers: bool = False
    #: … or only makes or drops indexes (``EXECUTE 'create index ' || …``).
    makes_indexes: bool = False
    #: … or it builds SQL at run time that makes only new objects (see
    #: ``ScriptFacts.runtime_makes``): what it may make.
    runtime_makes: tuple[Made, ...] = ()
    #: For a policy made: the command it is for ("all", "select", "insert",
    #: "update", "delete"); for one altered, the clauses given ("using",
    #: "check"), which its command must take.
    #: For a column made: a virtual generated column (PostgreSQL 18)
    virtual: bool = False
    #: For a column made or given a type: pgvector's ``vector`` (``halfvec``,
    #: ``sparsevec``) with no dimensions, which an hnsw or ivfflat index refuses
    dimensionless: bool = False
    #: For a column made or given a type: its length or precision as written
    #: (``varchar(40)``: ``(40,)``; none: ``()``), None when not a plain one
    type_mods: tuple[int, ...] | None = None
    #: For an index: its access method and the columns it indexes as they are
    indexed: tuple[str, tuple[str, ...]] | None = None
    command: str = ""
    clauses: tuple[str, ...] = ()
    #: For a routine made: PL/pgSQL not declared IMMUTABLE (volatile unless said
    #: otherwise, and never inlined): no index or generated column may call it.
    mutable: bool = False
    #: For a REQUIRE of a routine: the call runs as its statement does (a
    #: query, CALL, a DO block's expression), not kept in a definition.
    runs: bool = False

    def __init__(self, action: str, ref: ObjectRef, line: int, statement: int, **given) -> None:
        # Only what is given is kept on the effect: every other field reads its
        # default from the class, as an unpickled effect's always has. Most
        # effects set a few of the many fields, and setting each of them one by
        # one, as a frozen dataclass does, was a tenth of a long history's reading.
        if not given.keys() <= _EFFECT_DEFAULTS.keys():
            unknown = ", ".join(sorted(given.keys() - _EFFECT_DEFAULTS.keys()))
            raise TypeError(f"Effect has no field {unknown}")
        kept = self.__dict__
        kept["action"] = action
        kept["ref"] = ref
        kept["line"] = line
        kept["statement"] = statement
        kept.update(given)

    def changed(self, **changes) -> Effect:
        """The effect with ``changes``: ``dataclasses.replace`` without building
        every field again."""
        if not changes.keys() <= _EFFECT_DEFAULTS.keys():
            unknown = ", ".join(sorted(changes.keys() - _EFFECT_DEFAULTS.keys()))
            raise TypeError(f"Effect has no field {unknown}")
        new = object.__new__(Effect)
        kept = new.__dict__
        kept.update(self.__dict__)
        kept.update(changes)
        return new

    def __getstate__(self) -> dict:
        """Pickled without the fields left at their defaults, which the class
        holds: most effects set a few of their many fields, and a long history's
        effects cross between processes and into the cache."""
        return {k: v for k, v in self.__dict__.items() if _EFFECT_DEFAULTS.get(k, _NONE) != v}


_NONE = object()
#: What an effect's fields are when nothing sets them.
_EFFECT_DEFAULTS = {f.name: f.default for f in fields(Effect)}


@dataclass(frozen=True)
class Finding:
    """A review point about a script that is not about one object's existence."""

    kind: str
    line: int
    message: str
    hint: str
    statement: int = 0
    #: The objects it is about, when the walk judges it further (a new enum
    #: value: its type, then the columns the value meets)
    refs: tuple[ObjectRef, ...] = ()
    #: Sure to fail as written (an error); otherwise the walk decides
    sure: bool = False
    #: For a new enum value added with IF NOT EXISTS: the value, which the walk
    #: knows new, or not, by the type's labels then.
    maybe_value: str = ""


@dataclass(frozen=True)
class Made:
    """Objects SQL built at run time may have made: of ``namespace``, in
    ``schema`` (None: a schema named at run time), named ``name`` (None: a
    name built at run time). ``namespace`` "rows" means rows were changed.
    ``touches``: it alters, drops or renames the object of that name in a
    schema named at run time, which may be one of the folder's: if the folder
    has an object of the name, the SQL's effect is not known."""

    namespace: str
    schema: str | None
    name: str | None
    touches: bool = False

    def covers(self, ref: ObjectRef) -> bool:
        if self.touches:
            return False
        if ref.namespace == "schema" or ref.kind == "schema":
            return self.namespace == "schema" or self.schema is None
        if self.namespace != ref.namespace:
            return False
        if self.schema is not None and self.schema != ref.schema:
            return False
        return self.name is None or self.name == ref.name

    def __str__(self) -> str:
        if self.namespace == "schema":
            return "schemas"
        what = {"relation": "tables", "routine": "functions", "type": "types"}.get(
            self.namespace, self.namespace + "s"
        )
        if self.name is not None:
            what += f" named {self.name}"
        return what + (
            " in schemas named at run time" if self.schema is None else f" in {self.schema}"
        )


@dataclass(frozen=True)
class ScriptFacts:
    effects: tuple[Effect, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: Lines that build SQL at run time (EXECUTE format(…)): what they touch is unknown.
    dynamic_lines: tuple[int, ...] = ()
    #: PL/pgSQL IFs whose condition reads a table's rows: (first line, last
    #: line, the condition's line). What their branches do runs as the data has it.
    conditional: tuple[tuple[int, int, str], ...] = ()
    #: SQL built at run time that only makes or drops triggers, or indexes
    #: (``EXECUTE format('CREATE TRIGGER %I …', …)``): their names are unknown.
    dynamic_makes: frozenset[str] = frozenset()
    #: SQL built at run time read from its template, that makes only new
    #: objects (in schemas named at run time, or by names built then): the
    #: line, and what it may have made.
    runtime_makes: tuple[tuple[int, Made], ...] = ()
    #: The search_path in force at the end of the script.
    search_path: tuple[str, ...] = ("public",)
    #: Casts between built-in types the script makes (CREATE CAST): (source,
    #: target, context), the context "i" (implicit), "a" (on assignment) or "e".
    casts: tuple[tuple[str, str, str], ...] = ()


#: How a column is named by its place when a statement names none (an INSERT
#: without a column list): no column of PostgreSQL's can hold this character.
_PLACE = "\x00"


def positional_column(index: int) -> str:
    """The name standing for a table's ``index``-th column (from 0)."""
    return f"{_PLACE}{index}"


def position_of(name: str) -> int | None:
    """The place ``positional_column`` gave, or None for a real name."""
    return int(name[1:]) if name.startswith(_PLACE) else None
