"""Tables, their columns and sequences: CREATE/ALTER TABLE, CREATE TABLE AS,
sequences, and the statements that only need a table (TRUNCATE, LOCK, COPY)."""

from __future__ import annotations

from migtui.core.casts import builtin
from migtui.core.facts import (
    ALTER,
    CONFLICTING,
    DROP,
    MISSING_TYPE,
    PROVIDE,
    RENAME,
    REQUIRE,
    REQUIRED_COLUMN,
)
from migtui.core.model import (
    COLUMN,
    CONSTRAINT,
    EXTENSION,
    FOREIGN_TABLE,
    INDEX,
    MATVIEW,
    PUBLICATION,
    PUBLISHED,
    SEQUENCE,
    TABLE,
    TRIGGER,
    TYPE,
    VIEW,
    ObjectRef,
)
from migtui.core.objects.constraints import (
    TableBuild,
    constraint,
    constraint_ref,
    merged_keys,
    not_null,
)
from migtui.core.objects.immutable import immutable_needs
from migtui.core.objects.queries import late_bound, names_in_string, read
from migtui.core.objects.script import (
    Ctx,
    Script,
    calls_in,
    const_string,
    node,
    nodes_of,
    strings,
    value_type,
)
from migtui.core.objects.types import alter_composite
from migtui.core.objects.views import (
    branch_types,
    column_ref,
    output_names,
    query_columns,
    reads_of,
    starred,
)
from migtui.core.sqlnames import SERIAL_TYPES, choose_name

#: ALTER TABLE's object type → the kind of relation it alters.
RELATION_OBJTYPES = {
    "OBJECT_TABLE": TABLE,
    "OBJECT_VIEW": VIEW,
    "OBJECT_MATVIEW": MATVIEW,
    "OBJECT_SEQUENCE": SEQUENCE,
    "OBJECT_INDEX": INDEX,
    "OBJECT_FOREIGN_TABLE": FOREIGN_TABLE,
}


# --- CREATE TABLE ------------------------------------------------------------------


def create_table(script: Script, fields: dict, ctx: Ctx, kind: str = TABLE) -> None:
    rel = fields.get("relation", {})
    ref = script.range_var(rel, kind)
    location = rel.get("location")
    if ref is None:  # temporary: what it reads is still needed
        for parent in fields.get("inhRelations", ()):
            script.emit(REQUIRE, script.range_var(parent.get("RangeVar", {})), location, ctx)
        return
    script.need_schema(ref, location, ctx)
    of_type = fields.get("ofTypename")
    if of_type:
        script.need_type(of_type, ctx)
    parents = []
    for parent in fields.get("inhRelations", ()):
        rv = parent.get("RangeVar", {})
        parents.append(script.range_var(rv))
        script.emit(REQUIRE, parents[-1], rv.get("location"), ctx)
    # a child holds its parents (a partition goes with its table instead)
    held = () if fields.get("partbound") else tuple(p for p in parents if p is not None)
    elements = fields.get("tableElts", ())
    for element in elements:  # a table cannot be made before its column types
        if "ColumnDef" in element:
            _column_type(script, element["ColumnDef"], ctx)
    complete = (
        kind == TABLE
        and not of_type
        and not fields.get("inhRelations")
        and not fields.get("partbound")
        and not any("TableLikeClause" in element for element in elements)
    )
    made_at = len(script.effects)
    spec = fields.get("partspec") or {}
    spec = spec.get("PartitionSpec", spec)
    parts = [p.get("PartitionElem", {}) for p in spec.get("partParams", ())]
    script.emit(
        PROVIDE,
        ref,
        location,
        ctx,
        strict=not fields.get("if_not_exists"),
        complete=complete,
        depends=held,
        bound=(parents[0].qualified, partition_bound(fields["partbound"]))
        if fields.get("partbound") and parents and parents[0] is not None
        else None,
        # the partition columns ("" for an expression) a later key must hold
        partitioned_by=tuple(p.get("name", "") for p in parts) if parts else None,
        # a partition, or a table made LIKE another: copies of the other's
        # indexes reach it
        joined=bool(fields.get("partbound"))
        or any("TableLikeClause" in element for element in elements),
    )
    if not fields.get("if_not_exists"):  # else an existing table is left as it is
        names = [e["ColumnDef"].get("colname") for e in elements if "ColumnDef" in e]
        script.unique_columns(names, "table", ref, location, ctx)
    written = frozenset(e["ColumnDef"].get("colname") for e in elements if "ColumnDef" in e)
    build = TableBuild(
        ref, location, written if complete else None, made=True, merged=merged_keys(elements)
    )
    for element in elements:
        if "TableLikeClause" in element:
            rv = element["TableLikeClause"].get("relation", {})
            script.emit(REQUIRE, script.range_var(rv), rv.get("location"), ctx)
    for element in elements:
        if "ColumnDef" in element:
            column(script, build, element["ColumnDef"], ctx, typed=True)
    for element in elements:
        if "Constraint" in element:
            constraint(script, build, element["Constraint"], ctx)
    for param in spec.get("partParams", ()):
        expr = param.get("PartitionElem", {}).get("expr")
        if expr:
            read(script, expr, ctx)
    if spec.get("partParams"):
        _keys_cover_partitioning(script, ref, elements, spec["partParams"], ctx)
    made = script.effects[made_at] if 0 <= made_at < len(script.effects) else None
    if made is not None and made.ref == ref and made.action == PROVIDE:
        script.effects[made_at] = made.changed(span=len(script.effects) - made_at - 1)


def partition_bound(bound: dict) -> tuple | None:
    """A partition's bounds as the walk compares them: ``("default",)``,
    ``("range", lower, upper)``, ``("list", values)`` or ``("hash", modulus,
    remainder)``; each value ``("n", int)``, ``("s", text)``, ``("min",)``,
    ``("max",)``, ``("null",)`` or None (an expression, not compared). None
    when not told."""
    if bound.get("is_default"):
        return ("default",)
    strategy = bound.get("strategy")
    if strategy == "r":
        lower = tuple(_datum(d) for d in bound.get("lowerdatums", ()))
        upper = tuple(_datum(d) for d in bound.get("upperdatums", ()))
        return ("range", lower, upper) if lower and len(lower) == len(upper) else None
    if strategy == "l":
        return ("list", tuple(_datum(d) for d in bound.get("listdatums", ())))
    if strategy == "h":
        return ("hash", bound.get("modulus", 0), bound.get("remainder", 0))
    return None


#: Types a bound's constant may be cast to and still be compared as written.
_BOUND_CASTS = frozenset(
    {"date", "timestamp", "timestamptz", "text", "varchar", "int2", "int4", "int8", "int",
     "integer", "bigint", "smallint"}
)  # fmt: skip


def _datum(item: dict) -> tuple | None:
    kind, fields = node(item)
    if kind == "ColumnRef":
        words = strings(fields.get("fields", ()))
        return {"minvalue": ("min",), "maxvalue": ("max",)}.get(words[0]) if words else None
    if kind == "TypeCast":
        names = strings((fields.get("typeName") or {}).get("names", ()))
        return _datum(fields.get("arg") or {}) if names and names[-1] in _BOUND_CASTS else None
    if kind != "A_Const":
        return None
    if fields.get("isnull"):
        return ("null",)
    if "ival" in fields:
        return ("n", fields["ival"].get("ival", 0))
    if "sval" in fields:
        return ("s", fields["sval"].get("sval", ""))
    return None


def _keys_cover_partitioning(script: Script, table: ObjectRef, elements, params, ctx: Ctx) -> None:
    """A primary key or unique constraint of a partitioned table must hold
    every partition column (and the partitioning no expression): PostgreSQL
    refuses it otherwise (0A000)."""
    parts = [p.get("PartitionElem", {}) for p in params]
    partitioned_by = [p["name"] for p in parts if p.get("name")]
    by_expression = len(partitioned_by) < len(parts)
    keys: list[tuple[str, list[str], int | None]] = []
    for element in elements:
        if "Constraint" in element:
            con = element["Constraint"]
            if con.get("contype") in ("CONSTR_PRIMARY", "CONSTR_UNIQUE"):
                keys.append((con["contype"], strings(con.get("keys", ())), con.get("location")))
        for con in element.get("ColumnDef", {}).get("constraints", ()):
            con = con.get("Constraint", {})
            if con.get("contype") in ("CONSTR_PRIMARY", "CONSTR_UNIQUE"):
                keys.append(
                    (con["contype"], [element["ColumnDef"].get("colname", "")], con.get("location"))
                )
    for contype, columns, location in keys:
        missing = [c for c in partitioned_by if c not in columns]
        if not (missing or by_expression):
            continue
        what = "PRIMARY KEY" if contype == "CONSTR_PRIMARY" else "UNIQUE"
        why = (
            "partitioned by an expression, which no key can hold"
            if by_expression
            else f"partitioned by {', '.join(partitioned_by)}, which the key lacks"
        )
        script.find(
            CONFLICTING,
            ctx.line(location),
            f"makes {what} ({', '.join(columns)}) on {table}, {why}: a key of a partitioned "
            "table must include every partition column, and PostgreSQL refuses (0A000)",
            f"add {', '.join(missing)} to the key" if missing else "partition by columns",
            ctx,
        )
        return


#: Two of a column's ways of getting a value, which PostgreSQL refuses together.
_BOTH = {
    frozenset({"default", "identity"}): "has both a default and an identity",
    frozenset({"default", "generated"}): "has both a default and a generation expression",
    frozenset({"generated", "identity"}): "is both an identity and generated",
}


def _identity_sequence_name(script: Script, constraints: list[dict]) -> ObjectRef | None:
    """The sequence an identity names itself (``SEQUENCE NAME s``), if it does."""
    for con in constraints:
        for option in con.get("options") or ():
            elem = option.get("DefElem", {})
            if elem.get("defname") == "sequence_name":
                names = strings((elem.get("arg") or {}).get("List", {}).get("items", ()))
                return script.relation(names, SEQUENCE) if names else None
    return None


def _sequences_in(script: Script, exprs: list) -> tuple[ObjectRef, ...]:
    """The sequences ``nextval('s')`` names in column defaults."""
    found = []
    for item in nodes_of(exprs):
        kind, call = node(item)
        if kind != "FuncCall" or strings(call.get("funcname", ()))[-1:] != ["nextval"]:
            continue
        arg = (call.get("args") or [{}])[0]
        if late_bound(arg):
            continue  # nextval('s'::text): the name is looked up each call, held by nothing
        if "TypeCast" in arg:  # nextval('s'::regclass)
            cast = arg["TypeCast"]
            if strings(cast.get("typeName", {}).get("names", ()))[-1:] != ["regclass"]:
                continue
            arg = cast.get("arg", {})
        text = const_string(arg)
        names = names_in_string(text) if text is not None else []
        ref = script.relation(names, SEQUENCE) if names else None
        if ref is not None:
            found.append(ref)
    return tuple(dict.fromkeys(found))


def _declared_twice(
    script: Script,
    build: TableBuild,
    name: str,
    constraints: list[dict],
    serial: bool,
    location: int | None,
    ctx: Ctx,
) -> None:
    """A column declared two ways that cannot both hold: NULL and NOT NULL (a
    primary key or an identity is NOT NULL, a serial too), two defaults, or
    two of a default (a serial's), an identity and a generated expression.
    PostgreSQL refuses the statement (42601)."""
    if ctx.body:
        return
    not_null: bool | None = True if serial else None
    seen: set[str] = {"default"} if serial else set()
    why = None
    for con in constraints:
        contype = con.get("contype", "")
        if contype == "CONSTR_NULL":
            if not_null:
                why = "is declared both NULL and NOT NULL"
            not_null = False
        elif contype in ("CONSTR_NOTNULL", "CONSTR_PRIMARY", "CONSTR_IDENTITY"):
            if not_null is False:
                why = "is declared both NULL and NOT NULL"
            not_null = True
        if contype == "CONSTR_DEFAULT" and "default" in seen:
            why = "has two defaults" + (" (a serial's is one)" if serial else "")
        kind = {
            "CONSTR_DEFAULT": "default",
            "CONSTR_IDENTITY": "identity",
            "CONSTR_GENERATED": "generated",
        }.get(contype)
        if kind:
            seen.add(kind)
        if why:
            break
    if why is None and len(seen) > 1:
        why = _BOTH[frozenset(sorted(seen)[:2])]
        if serial and "default" in seen:
            why += " (a serial's default is one)"
    if why is None:
        return
    script.find(
        CONFLICTING,
        ctx.line(location),
        f"column {name} of {build.ref.qualified} {why}: PostgreSQL refuses (42601)",
        "keep one of the two declarations",
        ctx,
    )


def _is_serial(type_name: dict | None) -> bool:
    if not type_name:
        return False
    names = strings(type_name.get("names", ()))
    return len(names) == 1 and names[0] in SERIAL_TYPES and not type_name.get("arrayBounds")


def data_type(script: Script, type_name: dict | None) -> str:
    """The type a column is given: a built-in one as ``core.casts`` names it
    (``int4``, ``text`` …), a type of the folder's as ``@schema.name`` (the
    walk knows which are enums) and an array of one as ``@schema.name[]`` (it
    holds the type too, but is not judged as it), or "" for any other array, a
    ``%TYPE`` or any other."""
    if not type_name or type_name.get("pct_type"):
        return ""
    array = "[]" if type_name.get("arrayBounds") else ""
    found = builtin(strings(type_name.get("names", ())))
    if found:
        return "" if array else found
    _, needed = script.type_name(type_name)
    return f"@{needed.qualified}{array}" if needed is not None and needed.kind == TYPE else ""


#: pgvector's types, whose hnsw and ivfflat indexes need the dimensions
_VECTOR_TYPES = frozenset({"vector", "halfvec", "sparsevec"})


def type_mods(type_name: dict | None) -> tuple[int, ...] | None:
    """The length or precision a type is written with (``varchar(40)``: 40;
    ``numeric(10, 2)``: 10, 2; none: ()), None when one is not a number or
    the type is an array."""
    if not type_name or type_name.get("arrayBounds"):
        return None
    found = []
    for mod in type_name.get("typmods", ()):
        const = mod.get("A_Const")
        if const is None or "ival" not in const:
            return None
        found.append(const["ival"].get("ival", 0))
    return tuple(found)


def dimensionless(type_name: dict | None) -> bool:
    """A column of pgvector's ``vector`` written without its dimensions
    (``embedding vector``, not ``vector(1536)``)."""
    if not type_name or type_name.get("arrayBounds") or type_name.get("typmods"):
        return False
    names = strings(type_name.get("names", ()))
    return bool(names) and names[-1] in _VECTOR_TYPES


def default_type(script: Script, tree: dict | None) -> str:
    """The type of a default as ``value_type`` gives it, or of a constant
    cast to a type of the folder's, ``@schema.name`` (``'ok'::mood``: the
    walk knows which are enums)."""
    found = value_type(tree)
    if found or not tree or "A_Const" not in (tree.get("TypeCast", {}).get("arg") or {}):
        return found
    typed = data_type(script, tree["TypeCast"].get("typeName"))
    return typed if typed.startswith("@") and not typed.endswith("[]") else ""


def type_extension(script: Script, type_name: dict | None) -> tuple[ObjectRef, ...]:
    """The extension whose type a column is of (citext, hstore …): the column
    holds it, as a column of a type of the folder's holds that type."""
    if not type_name:
        return ()
    needed = script.type_name(type_name)[1]
    return (needed,) if needed is not None and needed.kind == EXTENSION else ()


def _using(script: Script, column: str, col: dict) -> str:
    """How ``ALTER COLUMN … TYPE`` converts (see ``Effect.using``)."""
    given = col.get("raw_default")
    if not given:
        return ""
    cast = given.get("TypeCast", {})
    arg = cast.get("arg", {}).get("ColumnRef", {})
    if strings(arg.get("fields", ())) == [column] and data_type(
        script, cast.get("typeName")
    ) == data_type(script, col.get("typeName")):
        return "cast"
    return "expression"


def _null(expr: dict | None) -> bool:
    """``NULL`` (or ``NULL::type``): a default PostgreSQL does not keep."""
    if expr and "TypeCast" in expr:
        expr = expr["TypeCast"].get("arg")
    return bool(expr) and bool(expr.get("A_Const", {}).get("isnull"))


def _expression_columns(table: ObjectRef, expressions: list) -> tuple[ObjectRef, ...]:
    """The columns of ``table`` a generated column's expression reads."""
    return tuple(
        dict.fromkeys(
            column_ref(table, words[-1])
            for item in nodes_of(expressions)
            if isinstance(item.get("ColumnRef"), dict)
            and (words := strings(item["ColumnRef"].get("fields", ())))
        )
    )


def _column_type(script: Script, col: dict, ctx: Ctx) -> None:
    type_name = col.get("typeName")
    if type_name and not _is_serial(type_name):
        script.need_type(type_name, ctx)
    script.need_collate_clause(col.get("collClause"), ctx)


def column(
    script: Script,
    build: TableBuild,
    col: dict,
    ctx: Ctx,
    typed: bool = False,
    strict: bool = False,
) -> None:
    """One column of a new or altered table: its type (unless ``typed``: already
    required), sequence and constraints. ``strict``: an ADD COLUMN that fails
    when the table has the column."""
    name = col.get("colname", "")
    location = col.get("location", build.location)
    serial = _is_serial(col.get("typeName"))
    if not typed:
        _column_type(script, col, ctx)
    constraints = [c.get("Constraint", {}) for c in col.get("constraints", ())]
    _declared_twice(script, build, name, constraints, serial, location, ctx)
    # a generated column keeps the columns its expression reads: PostgreSQL
    # refuses to drop one of them, or to change its type, while it stands
    generated = [c.get("raw_expr") for c in constraints if c.get("contype") == "CONSTR_GENERATED"]
    reads = _expression_columns(build.ref, generated)
    always = any(
        c.get("contype") in ("CONSTR_GENERATED", "CONSTR_IDENTITY")
        and c.get("generated_when") == "a"
        for c in constraints
    )
    identity = any(c.get("contype") == "CONSTR_IDENTITY" for c in constraints)
    virtual = any(
        c.get("contype") == "CONSTR_GENERATED" and c.get("generated_kind") == "v"
        for c in constraints
    )
    calls, casts, forms = immutable_needs(*generated)
    defaulted = serial or any(
        c.get("contype") == "CONSTR_DEFAULT" and not _null(c.get("raw_expr")) for c in constraints
    )
    seq_ref = invented = None
    if serial or identity:
        seq_ref = _identity_sequence_name(script, constraints)  # … (SEQUENCE NAME s)
        if seq_ref is None:
            invented = (build.ref.name, name, "seq")
            seq = choose_name(*invented, script.relation_names_in(build.ref))
            seq_ref = ObjectRef(SEQUENCE, build.ref.schema, seq)
    # its default holds the sequences it takes values from: a serial's own,
    # and nextval('s')'s (an identity's sequence is the column's own part)
    defaults = [c.get("raw_expr") for c in constraints if c.get("contype") == "CONSTR_DEFAULT"]
    sequences = _sequences_in(script, defaults)
    if serial and seq_ref is not None:
        sequences = (seq_ref, *sequences)
    script.emit(
        PROVIDE,
        column_ref(build.ref, name),
        location,
        ctx,
        strict=strict,
        depends=reads + sequences + type_extension(script, col.get("typeName")),
        always=always,
        data_type=data_type(script, col.get("typeName")),
        default=True if defaulted else None,
        identity=True if identity else None,
        calls=calls,
        casts=casts,
        forms=forms,
        virtual=virtual,
        dimensionless=dimensionless(col.get("typeName")),
        type_mods=type_mods(col.get("typeName")),
        uses=calls_in(
            *generated,
            *(c.get("raw_expr") for c in constraints if c.get("contype") == "CONSTR_DEFAULT"),
        ),
        value_type="int8"  # a serial's default: nextval()
        if serial
        else next(
            (
                default_type(script, c.get("raw_expr"))
                for c in constraints
                if c.get("contype") == "CONSTR_DEFAULT"
            ),
            "",
        ),
    )
    if seq_ref is not None:
        # the column owns it: dropping the column (or the table) drops it; a
        # name a relation has by then is numbered (t_id_seq1), as PostgreSQL does
        script.emit(
            PROVIDE,
            seq_ref,
            location,
            ctx,
            parent=build.qualified,
            columns=(name,),
            invented=invented,
        )
    if col.get("raw_default"):
        read(script, col["raw_default"], ctx)
    for con in constraints:
        constraint(script, build, con, ctx, column=name)
    named = [c.get("conname") for c in constraints if c.get("contype") == "CONSTR_NOTNULL"]
    primary = any(c.get("contype") == "CONSTR_PRIMARY" for c in constraints)
    if named or primary or identity or serial:  # a serial is NOT NULL too
        not_null(script, build, name, next((n for n in named if n), None), location, ctx)


def create_table_as(script: Script, fields: dict, ctx: Ctx) -> None:
    into = fields.get("into", {})
    rel = into.get("rel", {})
    kind = MATVIEW if fields.get("objtype") == "OBJECT_MATVIEW" else TABLE
    depends, inner_bare = reads_of(script, fields.get("query"), ctx)
    if not ctx.body and not fields.get("if_not_exists"):  # (IF NOT EXISTS may read nothing)
        query_columns(script, fields.get("query"), rel.get("location"), ctx)
    ref = script.range_var(rel, kind)
    if ref is None:
        return
    script.need_schema(ref, rel.get("location"), ctx)
    named = {"query": fields.get("query"), "aliases": into.get("colNames", ())}
    what = "materialized view" if kind == MATVIEW else "table"
    # IF NOT EXISTS may find the relation there, and then reads nothing of the query
    outputs = None if fields.get("if_not_exists") else output_names(named)
    script.unique_columns(outputs, what, ref, rel.get("location"), ctx)
    # a materialized view depends on what it reads; a table made AS a query does not
    script.emit(
        PROVIDE,
        ref,
        rel.get("location"),
        ctx,
        depends=depends if kind == MATVIEW else (),
        bare=inner_bare if kind == MATVIEW else (),
        strict=not fields.get("if_not_exists"),
        outputs=outputs,
        starred=None if fields.get("if_not_exists") or outputs else starred(script, named),
        filled=kind == MATVIEW and not into.get("skipData"),
        uses=calls_in(fields.get("query")) if kind == MATVIEW else (),
        branch_types=branch_types(script, fields.get("query")),
    )


# --- ALTER TABLE -------------------------------------------------------------------

#: What fills a new column's rows when it is added: a default, an identity, or a
#: generated value.
_FILLED = frozenset({"CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"})


def _required_column(script: Script, build: TableBuild, col: dict, ctx: Ctx) -> None:
    """ADD COLUMN … NOT NULL with nothing to fill the rows the table has: fails
    (23502) unless the table is empty, which a table made in this same script
    is, and one on staging seldom is."""
    kinds = {c.get("Constraint", {}).get("contype") for c in col.get("constraints", ())}
    if "CONSTR_NOTNULL" not in kinds and not col.get("is_not_null"):
        return
    if kinds & _FILLED or col.get("raw_default") or _is_serial(col.get("typeName")):
        return
    table = build.ref
    name = col.get("colname", "")
    line = ctx.line(col.get("location", build.location))
    hint = (
        "give the column a DEFAULT; or add it nullable, fill it, and SET NOT NULL in a later "
        "migration"
    )
    if table.key in script.filled:
        script.find(
            REQUIRED_COLUMN,
            line,
            f"adds {name} NOT NULL without a default to {table}, which has the row line "
            f"{script.filled[table.key]} inserted: PostgreSQL refuses (23502)",
            hint,
            ctx,
            sure=not (ctx.guarded or ctx.handled),
        )
        return
    if table.key in script.emptied or any(
        e.action == PROVIDE and e.ref.key == table.key for e in script.effects
    ):
        return  # made, or emptied, in this script: it has no rows now
    script.find(
        REQUIRED_COLUMN,
        line,
        f"adds {name} NOT NULL without a default to {table}, which is there before this "
        "migration: PostgreSQL refuses it (23502) if the table has any row",
        hint,
        ctx,
        refs=(table,),
    )


def alter_table(script: Script, fields: dict, ctx: Ctx) -> None:
    rel = fields.get("relation", {})
    kind = RELATION_OBJTYPES.get(fields.get("objtype", ""), TABLE)
    if fields.get("objtype") == "OBJECT_TYPE":
        alter_composite(script, fields, ctx)
        return
    ref = script.range_var(rel, kind)
    location = rel.get("location")
    if ref is None:
        return
    # PostgreSQL runs an ALTER TABLE's subcommands in passes, whatever their order
    cmds = [cmd.get("AlterTableCmd", {}) for cmd in fields.get("cmds", ())]
    script.emit(
        ALTER,
        ref,
        location,
        ctx,
        if_exists=bool(fields.get("missing_ok")),
        # SET (…) of a table: a partitioned one takes none (42809)
        sets_storage=fields.get("objtype") == "OBJECT_TABLE"
        and any(c.get("subtype") == "AT_SetRelOptions" for c in cmds),
    )
    added = frozenset(
        c.get("def", {}).get("ColumnDef", {}).get("colname", "")
        for c in cmds
        if c.get("subtype") == "AT_AddColumn"
    )
    # the keys of the columns it adds are merged as CREATE TABLE's are
    merged = merged_keys(
        [c["def"] for c in cmds if c.get("subtype") == "AT_AddColumn" and c.get("def")]
    )
    build = TableBuild(ref, location, added=added, merged=merged)
    cmds.sort(key=_alter_pass)
    for cmd in cmds:
        _alter_command(script, build, cmd, ctx)


def _alter_command(script: Script, build: TableBuild, cmd: dict, ctx: Ctx) -> None:
    sub = cmd.get("subtype", "")
    name = cmd.get("name")
    definition = cmd.get("def") or {}
    table = build.ref
    location = build.location
    missing_ok = bool(cmd.get("missing_ok"))
    cascade = cmd.get("behavior") == "DROP_CASCADE"
    if sub in _ON_A_COLUMN and name:
        script.emit(REQUIRE, column_ref(table, name), location, ctx)
    if sub == "AT_AddColumn" and "ColumnDef" in definition:
        column(script, build, definition["ColumnDef"], ctx, strict=not missing_ok)
        _required_column(script, build, definition["ColumnDef"], ctx)
    elif sub == "AT_DropColumn" and name:
        script.emit(
            DROP, column_ref(table, name), location, ctx, if_exists=missing_ok, cascade=cascade
        )
    elif sub == "AT_AlterColumnType" and "ColumnDef" in definition:
        col = definition["ColumnDef"]
        if _is_serial(col.get("typeName")) and not (ctx.guarded or ctx.handled):
            spelled = strings(col["typeName"].get("names", ()))[-1]
            script.find(
                MISSING_TYPE,
                ctx.line(location),
                f"changes column {name} of {table} to {spelled}, which is no type: "
                f"{spelled} only makes a column (CREATE TABLE, ADD COLUMN), and PostgreSQL "
                f'refuses (42704: type "{spelled}" does not exist)',
                "change it to the integer type (bigint), then give it a sequence: "
                "ALTER COLUMN … ADD GENERATED BY DEFAULT AS IDENTITY, or SET DEFAULT nextval(…)",
                ctx,
                sure=True,
            )
        if name:
            script.emit(
                ALTER,
                column_ref(table, name),
                location,
                ctx,
                retype=True,
                data_type=data_type(script, col.get("typeName")),
                dimensionless=dimensionless(col.get("typeName")),
                type_mods=type_mods(col.get("typeName")),
                using=_using(script, name, col),
                depends=type_extension(script, col.get("typeName")),
            )
        _column_type(script, col, ctx)
        if col.get("raw_default"):
            read(script, col["raw_default"], ctx)
            script.no_subquery(col["raw_default"], "ALTER COLUMN … TYPE … USING", ctx)
    elif sub in ("AT_AddConstraint", "AT_AddIndexConstraint") and "Constraint" in definition:
        constraint(script, build, definition["Constraint"], ctx)
    elif sub == "AT_DropConstraint" and name:
        script.emit(
            DROP, constraint_ref(table, name), location, ctx, if_exists=missing_ok, cascade=cascade
        )
    elif sub == "AT_ValidateConstraint" and name:
        script.emit(REQUIRE, constraint_ref(table, name), location, ctx)
    elif sub in _TRIGGER_COMMANDS and name:
        trigger = ObjectRef(TRIGGER, table.schema, name, table=table.qualified)
        script.emit(REQUIRE, trigger, location, ctx)
    elif sub in ("AT_AttachPartition", "AT_DetachPartition", "AT_DetachPartitionFinalize"):
        command = definition.get("PartitionCmd", {})
        rv = command.get("name", {})
        joined = sub == "AT_AttachPartition"
        bounds = partition_bound(command.get("bound") or {}) if joined else None
        script.emit(
            REQUIRE,
            script.range_var(rv),
            rv.get("location"),
            ctx,
            joined=joined,
            bound=(table.qualified, bounds) if sub != "AT_DetachPartitionFinalize" else None,
        )
    elif sub in ("AT_AddInherit", "AT_DropInherit") and "RangeVar" in definition:
        rv = definition["RangeVar"]
        inherits = (table.qualified, sub == "AT_AddInherit")
        script.emit(REQUIRE, script.range_var(rv), rv.get("location"), ctx, inherited_by=inherits)
        if sub == "AT_AddInherit":
            script.emit(REQUIRE, table, location, ctx, joined=True)
    elif sub == "AT_SetNotNull" and name:
        not_null(script, build, name, None, location, ctx)
    elif sub == "AT_DropNotNull" and name:
        implicit = choose_name(table.name, name, "not_null", ())
        script.emit(
            DROP,
            constraint_ref(table, implicit),
            location,
            ctx,
            if_exists=True,
            columns=(name,),
            not_null="drop",
        )
    elif sub == "AT_ColumnDefault" and name:
        defaulted = bool(definition) and not _null(definition)
        typed = default_type(script, definition) if defaulted else ""
        script.emit(
            ALTER,
            column_ref(table, name),
            location,
            ctx,
            default=defaulted,
            value_type=typed,
            # the new default holds the sequences and functions it calls
            depends=_sequences_in(script, [definition]) if defaulted else (),
            uses=calls_in(definition) if defaulted else (),
        )
        if definition:
            read(script, definition, ctx)
            script.no_subquery(definition, "a column default", ctx)
            script.no_column_in_default(definition, ctx)
    elif sub in ("AT_DropIdentity", "AT_DropExpression") and name:
        identity = sub == "AT_DropIdentity"
        # without IF EXISTS, the column must be an identity (a generated one)
        must_be = "" if missing_ok else ("identity" if identity else "generated")
        changes = {"identity": False} if identity else {"renewed": True}
        # (a plain column after DROP EXPRESSION: what its expression read is free)
        script.emit(
            ALTER, column_ref(table, name), location, ctx, always=False, must_be=must_be, **changes
        )
    elif sub == "AT_SetExpression" and name:
        # (PostgreSQL 17) the column must be a generated one; the new
        # expression is held to the rules of one, and holds what it reads
        read(script, definition, ctx)
        reads = _expression_columns(table, [definition])
        for column_read in reads:
            script.emit(REQUIRE, column_read, location, ctx)
        calls, casts, forms = immutable_needs(definition)
        script.emit(
            ALTER,
            column_ref(table, name),
            location,
            ctx,
            renewed=True,
            must_be="generated",
            depends=reads,
            calls=calls,
            casts=casts,
            forms=forms,
            uses=calls_in(definition),
        )
    elif sub == "AT_SetIdentity" and name:
        always = None
        for item in (definition.get("List") or {}).get("items", ()):
            option = item.get("DefElem", {})
            if option.get("defname") == "generated":
                value = option.get("arg", {}).get("Integer", {}).get("ival")
                always = value == ord("a")
        script.emit(
            ALTER, column_ref(table, name), location, ctx, always=always, must_be="identity"
        )
    elif sub == "AT_AddIdentity" and name:
        identity = (definition or {}).get("Constraint", {})
        always = identity.get("generated_when") == "a"
        script.emit(ALTER, column_ref(table, name), location, ctx, always=always, identity=True)
        seq = choose_name(table.name, name, "seq", script.relation_names_in(table))
        script.emit(
            PROVIDE, ObjectRef(SEQUENCE, table.schema, seq), location, ctx, parent=build.qualified
        )


#: The subcommands PostgreSQL's ALTER TABLE runs in its first pass, in the order written
#: (with DROP DEFAULT).
_DROPS_FIRST = frozenset({"AT_DropColumn", "AT_DropConstraint", "AT_DropNotNull"})


def _alter_pass(cmd: dict) -> int:
    """The pass of its ALTER TABLE in which PostgreSQL runs a subcommand
    (tablecmds.c's AlterTablePass, coarsely): drops first (ADD PRIMARY KEY (b),
    DROP CONSTRAINT t_pkey replaces the key), then type changes, then new
    columns, then the rest (SET NOT NULL of a column added after it in the
    statement), then new defaults (SET DEFAULT gen_random_uuid() written before
    the SET DATA TYPE text it needs), then constraints."""
    if _drops(cmd):
        return 0
    sub = cmd.get("subtype")
    if sub == "AT_AlterColumnType":
        return 1
    if sub == "AT_AddColumn":
        return 2
    if sub == "AT_ColumnDefault":
        return 4
    if sub == "AT_AddConstraint":
        return 5
    return 3


def _drops(cmd: dict) -> bool:
    sub = cmd.get("subtype")
    return sub in _DROPS_FIRST or (sub == "AT_ColumnDefault" and not cmd.get("def"))


#: ALTER TABLE … ALTER COLUMN x …: the column must be there.
_ON_A_COLUMN = frozenset(
    {
        "AT_AlterColumnType",
        "AT_SetNotNull",
        "AT_DropNotNull",
        "AT_ColumnDefault",
        "AT_SetStatistics",
        "AT_SetStorage",
        "AT_SetCompression",
        "AT_SetOptions",
        "AT_ResetOptions",
        "AT_AddIdentity",
        "AT_SetIdentity",
        "AT_DropIdentity",
        "AT_SetExpression",
        "AT_DropExpression",
    }
)

_TRIGGER_COMMANDS = frozenset(
    {"AT_EnableTrig", "AT_EnableAlwaysTrig", "AT_EnableReplicaTrig", "AT_DisableTrig"}
)


def rename_in_table(script: Script, fields: dict, ctx: Ctx, kind: str) -> None:
    """RENAME COLUMN / CONSTRAINT / TRIGGER / POLICY / RULE … ON t."""
    rel = fields.get("relation", {})
    table = script.range_var(rel)
    if table is None:
        return
    location = rel.get("location")
    old, new = fields.get("subname", ""), fields.get("newname", "")
    missing_ok = bool(fields.get("missing_ok"))
    if kind == COLUMN:
        make = column_ref
    elif kind == CONSTRAINT:
        make = constraint_ref
    else:  # a trigger, policy or rule: one of the table's

        def make(t: ObjectRef, n: str) -> ObjectRef:
            return ObjectRef(kind, t.schema, n, table=t.qualified)

    if kind in (COLUMN, CONSTRAINT):
        script.emit(ALTER, table, location, ctx, if_exists=missing_ok)
    else:
        script.emit(REQUIRE, table, location, ctx)
    script.emit(RENAME, make(table, old), location, ctx, new=make(table, new))


# --- sequences ---------------------------------------------------------------------


def create_sequence(script: Script, fields: dict, ctx: Ctx) -> None:
    rel = fields.get("sequence", {})
    ref = script.range_var(rel, SEQUENCE)
    owner, column = _owned_by(script, fields)
    if ref is not None:
        script.need_schema(ref, rel.get("location"), ctx)
        # a sequence OWNED BY a column goes when its column or table goes
        script.emit(
            PROVIDE,
            ref,
            rel.get("location"),
            ctx,
            parent=owner.qualified if owner else None,
            columns=(column,) if owner and column else (),
            strict=not fields.get("if_not_exists"),
        )
    _sequence_options(script, fields, ctx)


def alter_sequence(script: Script, fields: dict, ctx: Ctx) -> None:
    rel = fields.get("sequence", {})
    ref = script.range_var(rel, SEQUENCE)
    owned = any(
        o.get("DefElem", {}).get("defname") == "owned_by" for o in fields.get("options", ())
    )
    owner, column = _owned_by(script, fields)
    script.emit(
        ALTER,
        ref,
        rel.get("location"),
        ctx,
        if_exists=bool(fields.get("missing_ok")),
        # OWNED BY t.c or NONE: it goes with that column from now on, or with none
        renewed=owned,
        parent=owner.qualified if owner else None,
        columns=(column,) if owner and column else (),
    )
    _sequence_options(script, fields, ctx)


def _owned_by(script: Script, fields: dict) -> tuple[ObjectRef | None, str | None]:
    """The table and column an ``OWNED BY`` option names, or (None, None)."""
    for option in fields.get("options", ()):
        opt = option.get("DefElem", {})
        if opt.get("defname") == "owned_by":
            names = strings(opt.get("arg", {}).get("List", {}).get("items", ()))
            if len(names) >= 2 and names != ["none"]:
                return script.relation(names[:-1]), names[-1]
    return None, None


def _sequence_options(script: Script, fields: dict, ctx: Ctx) -> None:
    for option in fields.get("options", ()):
        opt = option.get("DefElem", {})
        if opt.get("defname") == "owned_by":
            names = strings(opt.get("arg", {}).get("List", {}).get("items", ()))
            if len(names) >= 2 and names != ["none"]:
                ref = script.relation(names[:-1])
                script.emit(REQUIRE, ref, opt.get("location"), ctx)
        elif opt.get("defname") == "as":
            script.need_type(opt.get("arg", {}).get("TypeName"), ctx)


# --- statements that only need their tables ------------------------------------------


def relations_needed(script: Script, fields: dict, ctx: Ctx) -> None:
    """TRUNCATE, LOCK: every relation listed must exist. A TRUNCATE without
    CASCADE says which tables it empties together (a foreign key from one of
    them to another does not stop it)."""
    listed = [item.get("RangeVar", {}) for item in fields.get("relations", ())]
    refs = [script.range_var(rv) for rv in listed]
    together = None
    if "behavior" in fields and fields.get("behavior") != "DROP_CASCADE":  # TRUNCATE
        together = tuple(ref.qualified for ref in refs if ref is not None)
    for rv, ref in zip(listed, refs, strict=True):
        script.emit(REQUIRE, ref, rv.get("location"), ctx, truncated=together)


def publication(script: Script, fields: dict, ctx: Ctx) -> None:
    """CREATE PUBLICATION … FOR TABLE, ALTER PUBLICATION … ADD/SET/DROP TABLE:
    the publication (made, or there to alter), every table listed with the
    columns its list names, and every schema of TABLES IN SCHEMA. A table is
    in a publication once: adding it again fails (42710), and so does taking
    out one that is not in it (42704)."""
    name = fields.get("pubname", "")
    pub = ObjectRef(PUBLICATION, None, name)
    action = fields.get("action")
    if action is None:  # CREATE PUBLICATION
        every = bool(fields.get("for_all_tables"))
        script.emit(PROVIDE, pub, ctx.src.find(name), ctx, strict=True, all_tables=every)
    else:  # (SET TABLE: the tables it lists replace those it had)
        renewed = action == "AP_SetObjects" and bool(fields.get("pubobjects"))
        script.emit(ALTER, pub, ctx.src.find(name), ctx, renewed=renewed)
    for item in fields.get("pubobjects") or ():
        spec = item.get("PublicationObjSpec") or {}
        kind = spec.get("pubobjtype")
        if kind == "PUBLICATIONOBJ_TABLE":
            published = spec.get("pubtable") or {}
            rv = published.get("relation") or {}
            ref = script.range_var(rv)
            script.emit(REQUIRE, ref, rv.get("location"), ctx)
            columns = strings(published.get("columns") or ())
            if columns and action != "AP_DropObjects":
                script.need_columns(ref, columns, rv.get("location"), ctx)
            if published.get("whereClause"):
                read(script, published["whereClause"], ctx)
            if ref is None:
                continue
            member = ObjectRef(PUBLISHED, ref.schema, name, table=ref.qualified)
            if action == "AP_DropObjects":
                script.emit(DROP, member, rv.get("location"), ctx)
            else:
                strict = action != "AP_SetObjects"
                script.emit(PROVIDE, member, rv.get("location"), ctx, strict=strict, parent=name)
        elif kind == "PUBLICATIONOBJ_TABLES_IN_SCHEMA" and spec.get("name"):
            script.need_schema_named(spec["name"], spec.get("location"), ctx)


def copy(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("relation")
    if rv:
        script.emit(REQUIRE, script.range_var(rv), rv.get("location"), ctx)
    if fields.get("query"):
        read(script, fields["query"], ctx)
