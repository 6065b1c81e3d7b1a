"""Types and domains: composite, enum, range (with its multirange), base types,
domains, and the ALTERs that change them."""

from __future__ import annotations

from migtui.core.casts import builtin
from migtui.core.facts import ALTER, PROVIDE, REQUIRE
from migtui.core.model import COLLATION, DOMAIN, FUNCTION, TYPE, ObjectRef
from migtui.core.objects.queries import read
from migtui.core.objects.script import Ctx, Script, strings
from migtui.core.sqlnames import multirange_name


def _provide_type(
    script: Script,
    names: list[str],
    ctx: Ctx,
    kind: str = TYPE,
    parent: str | None = None,
    strict: bool = True,
    data_type: str = "",
    labels: tuple[str, ...] | None = None,
    depends: tuple[ObjectRef, ...] = (),
) -> ObjectRef | None:
    ref = script.schema_object(names, kind)
    if ref is None:
        return None
    location = ctx.src.find(names[-1]) if names else None
    script.need_schema(ref, location, ctx)
    script.emit(
        PROVIDE,
        ref,
        location,
        ctx,
        parent=parent,
        strict=strict,
        data_type=data_type,
        depends=depends,
        labels=labels,
    )
    return ref


def composite(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("typevar", {})
    held = []
    for col in fields.get("coldeflist", ()):
        type_name = col.get("ColumnDef", {}).get("typeName")
        script.need_type(type_name, ctx)
        script.need_collate_clause(col.get("ColumnDef", {}).get("collClause"), ctx)
        held.append(_folder_type(script, type_name))
    ref = script.range_var(rv, TYPE)
    if ref is not None:
        script.need_schema(ref, rv.get("location"), ctx)
        # its attributes' types of the folder hold it (as a column's do)
        depends = tuple(dict.fromkeys(t for t in held if t is not None))
        script.emit(
            PROVIDE,
            ref,
            rv.get("location"),
            ctx,
            strict=True,
            depends=depends,
            data_type="composite",
        )


def _folder_type(script: Script, type_name: dict | None) -> ObjectRef | None:
    """The type of the folder a type name names, if it is not a built-in one."""
    if not type_name:
        return None
    needed = script.type_name(type_name)[1]
    return needed if needed is not None and needed.namespace == "type" else None


def enum(script: Script, fields: dict, ctx: Ctx) -> None:
    labels = tuple(strings(fields.get("vals", ())))
    _provide_type(script, strings(fields.get("typeName", ())), ctx, data_type="enum", labels=labels)


def range_type(script: Script, fields: dict, ctx: Ctx) -> None:
    names = strings(fields.get("typeName", ()))
    multirange = None
    for param in fields.get("params", ()):
        opt = param.get("DefElem", {})
        if opt.get("defname") == "subtype":
            script.need_type(opt.get("arg", {}).get("TypeName"), ctx)
        elif opt.get("defname") == "multirange_type_name":
            multirange = strings(opt.get("arg", {}).get("TypeName", {}).get("names", ()))
    ref = _provide_type(script, names, ctx)
    if ref is None:
        return
    multi = multirange or [ref.schema or "public", multirange_name(ref.name)]
    names = multi if len(multi) > 1 else [ref.schema or "public", multi[0]]
    # the multirange lives and dies with its range type
    multi_ref = _provide_type(script, names, ctx, parent=ref.qualified, strict=False)
    # so do their constructor functions, named as the types are now: they keep
    # that name and schema when the types are renamed or moved
    location = ctx.src.find(ref.name)
    for made in (ref, multi_ref):
        if made is not None:
            function = ObjectRef(FUNCTION, made.schema, made.name)
            script.emit(PROVIDE, function, location, ctx, parent=ref.qualified, strict=False)


def define(script: Script, fields: dict, ctx: Ctx) -> None:
    """CREATE TYPE name (INPUT = …) and its shell form ``CREATE TYPE name``;
    CREATE AGGREGATE, a function calls may name."""
    names = strings(fields.get("defnames", ()))
    if fields.get("kind") == "OBJECT_COLLATION":
        _collation(script, names, fields, ctx)
    elif fields.get("kind") == "OBJECT_TYPE":
        # the shell form comes first, then the full one: the second finds it
        _provide_type(script, names, ctx, strict=False)
    elif fields.get("kind") == "OBJECT_AGGREGATE" and names:
        ref = script.schema_object(names, FUNCTION)
        if ref is not None:
            args = _aggregate_args(script, fields)
            if args is not None:  # (DROP AGGREGATE agg(int) drops that one)
                ref = ObjectRef(FUNCTION, ref.schema, ref.name, args=args)
            _aggregate_functions(script, fields, ctx)
            script.emit(PROVIDE, ref, ctx.src.find(names[-1]), ctx)


def _collation(script: Script, names: list[str], fields: dict, ctx: Ctx) -> None:
    """CREATE COLLATION name (provider = icu, locale = …) or FROM another."""
    for option in fields.get("definition", ()):
        elem = option.get("DefElem", {})
        if elem.get("defname") == "from":
            source = elem.get("arg") or {}
            script.need_collation(source.get("List", {}).get("items"), elem.get("location"), ctx)
    ref = script.schema_object(names, COLLATION)
    if ref is not None:
        location = ctx.src.find(names[-1])
        script.need_schema(ref, location, ctx)
        script.emit(PROVIDE, ref, location, ctx, strict=not fields.get("if_not_exists"))


#: The options of CREATE AGGREGATE that name a function it calls
_AGGREGATE_FUNCTIONS = frozenset(
    {
        "sfunc",
        "finalfunc",
        "combinefunc",
        "serialfunc",
        "deserialfunc",
        "msfunc",
        "minvfunc",
        "mfinalfunc",
    }
)


def _aggregate_functions(script: Script, fields: dict, ctx: Ctx) -> None:
    """The functions an aggregate is made of must be there (42883)."""
    from migtui.core.builtins import builtin_functions

    for option in fields.get("definition", ()):
        elem = option.get("DefElem", {})
        if elem.get("defname") not in _AGGREGATE_FUNCTIONS:
            continue
        named = strings((elem.get("arg") or {}).get("TypeName", {}).get("names", ()))
        if not named or (len(named) == 1 and named[0] in builtin_functions()):
            continue
        if len(named) == 2 and named[0] == "pg_catalog":
            continue
        needed = script.schema_object(named, FUNCTION)
        script.emit(REQUIRE, needed, ctx.src.find(named[-1]), ctx)


def _aggregate_args(script: Script, fields: dict) -> str | None:
    """An aggregate's argument types as a routine's signature spells them
    (``integer, text``; ``(*)`` takes none), or None where not told (the old
    BASETYPE form, an ordered-set aggregate's direct arguments)."""
    given = fields.get("args") or ()
    if fields.get("oldstyle") or len(given) != 2:
        return None
    if given[1].get("Integer", {}).get("ival", -1) != -1:
        return None  # an ordered-set aggregate: DROP names it by its two lists
    params = given[0].get("List", {}).get("items", ()) if given[0] else ()
    spelled = [
        script.type_name(p.get("FunctionParameter", {}).get("argType", {}))[0] for p in params
    ]
    if not all(spelled):
        return None
    return ", ".join(spelled)


def domain(script: Script, fields: dict, ctx: Ctx) -> None:
    script.need_type(fields.get("typeName"), ctx)
    script.need_collate_clause(fields.get("collClause"), ctx)
    for con in fields.get("constraints", ()):
        read(script, con.get("Constraint", {}).get("raw_expr"), ctx)
    base = _folder_type(script, fields.get("typeName"))
    names = strings(fields.get("domainname", ()))
    _provide_type(script, names, ctx, DOMAIN, depends=(base,) if base is not None else ())


def alter_enum(script: Script, fields: dict, ctx: Ctx) -> None:
    names = strings(fields.get("typeName", ()))
    location = ctx.src.find(names[-1]) if names else None
    ref = script.schema_object(names, TYPE)
    old, new = fields.get("oldVal"), fields.get("newVal")
    # ADD VALUE: (the label,), strict unless IF NOT EXISTS; RENAME VALUE: (old, new)
    labels = (old, new) if old and new else (new,) if new else None
    strict = bool(new) and not old and not fields.get("skipIfNewValExists")
    neighbor = fields.get("newValNeighbor") if new and not old else None
    side = ">" if fields.get("newValIsAfter") else "<"
    script.emit(
        ALTER,
        ref,
        location,
        ctx,
        labels=labels,
        strict=strict,
        neighbor=side + neighbor if neighbor else "",
    )
    made_here = ref is not None and any(
        e.action == PROVIDE and e.ref is not None and e.ref.key == ref.key for e in script.effects
    )  # a type made in the same transaction may use its new values at once
    if new and not old and not ctx.plpgsql and ref is not None and not made_here:
        # IF NOT EXISTS of a value the type has: nothing is added, its use is sound
        script.new_enum_values.append((new, ref, bool(fields.get("skipIfNewValExists"))))


def alter_domain(script: Script, fields: dict, ctx: Ctx) -> None:
    names = strings(fields.get("typeName", ()))
    location = ctx.src.find(names[-1]) if names else None
    script.emit(ALTER, script.schema_object(names, DOMAIN), location, ctx)
    definition = fields.get("def") or {}
    if "Constraint" in definition:
        read(script, definition["Constraint"].get("raw_expr"), ctx)


def alter_type(script: Script, fields: dict, ctx: Ctx) -> None:
    names = strings(fields.get("typeName", ()))
    location = ctx.src.find(names[-1]) if names else None
    script.emit(ALTER, script.schema_object(names, TYPE), location, ctx)


def alter_composite(script: Script, fields: dict, ctx: Ctx) -> None:
    """ALTER TYPE t ADD ATTRIBUTE … (an ALTER TABLE statement in the grammar)."""
    rv = fields.get("relation", {})
    retyped = next(
        (
            c["AlterTableCmd"].get("name", "")
            for c in fields.get("cmds", ())
            if c.get("AlterTableCmd", {}).get("subtype") == "AT_AlterColumnType"
        ),
        "",
    )
    script.emit(
        ALTER, script.range_var(rv, TYPE), rv.get("location"), ctx, retyped_attribute=retyped
    )
    for cmd in fields.get("cmds", ()):
        definition = cmd.get("AlterTableCmd", {}).get("def") or {}
        script.need_type(definition.get("ColumnDef", {}).get("typeName"), ctx)


#: CREATE CAST's context, as the walk keeps it.
_CAST_CONTEXTS = {"COERCION_IMPLICIT": "i", "COERCION_ASSIGNMENT": "a"}


def create_cast(script: Script, fields: dict, ctx: Ctx) -> None:
    """A cast between two built-in types: the walk judges conversions between
    them by the server's own casts, which this one adds to."""
    source = builtin(strings(fields.get("sourcetype", {}).get("names", ())))
    target = builtin(strings(fields.get("targettype", {}).get("names", ())))
    if source and target:
        script.casts.append((source, target, _CAST_CONTEXTS.get(fields.get("context", ""), "e")))
