"""Statements that name any kind of object: DROP, RENAME, SET SCHEMA, COMMENT
ON, OWNER TO. One table maps the grammar's object types to migtui's kinds,
and one reader turns an object node into an ``ObjectRef``."""

from __future__ import annotations

from dataclasses import replace

from migtui.core.facts import ALTER, DROP, RENAME, REQUIRE
from migtui.core.model import (
    COLLATION,
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
    RULE,
    SCHEMA,
    SEQUENCE,
    TABLE,
    TABLE_SCOPED_KINDS,
    TRIGGER,
    TYPE,
    VIEW,
    ObjectRef,
)
from migtui.core.objects.routines import signature_of
from migtui.core.objects.script import Ctx, Script, node, strings
from migtui.core.objects.tables import RELATION_OBJTYPES, rename_in_table

#: The grammar's object types that name a routine's kind, which PostgreSQL
#: holds the routine to (``ROUTINE`` and ``AGGREGATE`` do not)
NAMED_ROUTINE_KINDS = frozenset({"OBJECT_FUNCTION", "OBJECT_PROCEDURE"})

#: The grammar's object types that migtui follows, as object kinds.
KINDS = {
    **RELATION_OBJTYPES,
    "OBJECT_TYPE": TYPE,
    "OBJECT_DOMAIN": DOMAIN,
    "OBJECT_SCHEMA": SCHEMA,
    "OBJECT_EXTENSION": EXTENSION,
    "OBJECT_PUBLICATION": PUBLICATION,
    "OBJECT_EVENT_TRIGGER": EVENT_TRIGGER,
    "OBJECT_COLLATION": COLLATION,
    "OBJECT_FUNCTION": FUNCTION,
    "OBJECT_PROCEDURE": PROCEDURE,
    "OBJECT_ROUTINE": FUNCTION,
    "OBJECT_AGGREGATE": FUNCTION,  # made as a function of any arguments (see types.define)
    "OBJECT_TRIGGER": TRIGGER,
    "OBJECT_POLICY": POLICY,
    "OBJECT_RULE": RULE,
    "OBJECT_COLUMN": COLUMN,
    "OBJECT_TABCONSTRAINT": CONSTRAINT,
}


def object_ref(script: Script, kind: str, obj: dict, ctx: Ctx) -> ObjectRef | None:
    """The object an object node of the given kind names; None if not followed."""
    node_type, fields = node(obj)
    if kind in (SCHEMA, EXTENSION, PUBLICATION, EVENT_TRIGGER):
        names = strings([obj]) if node_type == "String" else []
        return ObjectRef(kind, None, names[0]) if names else None
    if kind in (FUNCTION, PROCEDURE):
        if node_type != "ObjectWithArgs":
            return None
        return signature_of(script, fields, kind, ctx)
    if node_type == "TypeName":
        names = strings(fields.get("names", ()))
    elif node_type == "List":
        names = strings(fields.get("items", ()))
    elif node_type == "String":
        names = strings([obj])
    else:
        return None
    if not names:
        return None
    if kind in TABLE_SCOPED_KINDS:
        table = script.relation(names[:-1]) if len(names) > 1 else None
        if table is None:
            return None
        return ObjectRef(kind, table.schema, names[-1], table=table.qualified)
    if kind in (TABLE, VIEW, MATVIEW, SEQUENCE, INDEX, FOREIGN_TABLE):
        return script.relation(names, kind)
    return script.schema_object(names, kind)


def _location(ctx: Ctx, ref: ObjectRef | None) -> int | None:
    return ctx.src.find(ref.name) if ref is not None else None


def _named(
    script: Script, fields: dict, kind: str, ctx: Ctx
) -> tuple[ObjectRef | None, int | None]:
    """The object a RENAME or SET SCHEMA names (a relation, or any other object)."""
    if fields.get("relation"):
        rv = fields["relation"]
        return script.range_var(rv, kind), rv.get("location")
    ref = object_ref(script, kind, fields.get("object", {}), ctx)
    return ref, _location(ctx, ref)


def drop(script: Script, fields: dict, ctx: Ctx) -> None:
    kind = KINDS.get(fields.get("removeType", ""))
    if kind is None:
        return
    cascade = fields.get("behavior") == "DROP_CASCADE"
    if_exists = bool(fields.get("missing_ok"))
    for obj in fields.get("objects", ()):
        ref = object_ref(script, kind, obj, ctx)
        if ref is None:
            continue
        if kind in (TRIGGER, POLICY, RULE):
            # ``DROP POLICY p ON t`` needs t even where p may be missing
            table = script.relation(strings(obj.get("List", {}).get("items", ()))[:-1])
            script.emit(REQUIRE, table, _location(ctx, table), ctx, if_exists=if_exists)
        script.emit(
            DROP,
            ref,
            _location(ctx, ref),
            ctx,
            cascade=cascade,
            if_exists=if_exists,
            routine_kind=fields.get("removeType") in NAMED_ROUTINE_KINDS,
        )


def rename(script: Script, fields: dict, ctx: Ctx) -> None:
    rtype = fields.get("renameType", "")
    kind = KINDS.get(rtype)
    new_name = fields.get("newname", "")
    if kind in (COLUMN, CONSTRAINT, TRIGGER, POLICY, RULE) or rtype == "OBJECT_TABCONSTRAINT":
        rename_in_table(script, fields, ctx, kind or CONSTRAINT)
        return
    if kind is None:
        return
    if kind == SCHEMA:
        old = ObjectRef(SCHEMA, None, fields.get("subname", ""))
        script.emit(RENAME, old, ctx.src.find(old.name), ctx, new=ObjectRef(SCHEMA, None, new_name))
        return
    if kind in (PUBLICATION, EVENT_TRIGGER):
        old = object_ref(script, kind, fields.get("object", {}), ctx)
        if old is not None:
            new = ObjectRef(kind, None, new_name)
            script.emit(RENAME, old, ctx.src.find(old.name), ctx, new=new)
        return
    old, location = _named(script, fields, kind, ctx)
    if old is None:
        return
    new = replace(old, name=new_name)
    script.emit(RENAME, old, location, ctx, new=new, if_exists=bool(fields.get("missing_ok")))


def set_schema(script: Script, fields: dict, ctx: Ctx) -> None:
    kind = KINDS.get(fields.get("objectType", ""))
    if kind is None or kind in (SCHEMA, EXTENSION, PUBLICATION, EVENT_TRIGGER):
        return
    old, location = _named(script, fields, kind, ctx)
    if old is None:
        return
    schema = fields.get("newschema", "")
    script.need_schema_named(schema, location, ctx)
    script.emit(RENAME, old, location, ctx, new=replace(old, schema=schema))


def comment(script: Script, fields: dict, ctx: Ctx) -> None:
    kind = KINDS.get(fields.get("objtype", ""))
    if kind is None:
        return
    if kind in (COLUMN, CONSTRAINT):
        names = strings(fields.get("object", {}).get("List", {}).get("items", ()))
        table = script.relation(names[:-1]) if len(names) > 1 else None
        composite_ok = kind == COLUMN  # COMMENT ON COLUMN of a composite type's attribute
        script.emit(REQUIRE, table, _location(ctx, table), ctx, composite_ok=composite_ok)
        if table is not None:
            named = ObjectRef(kind, table.schema, names[-1], table=table.qualified)
            script.emit(REQUIRE, named, _location(ctx, table), ctx)
        return
    ref = object_ref(script, kind, fields.get("object", {}), ctx)
    # a routine named without arguments must be the only one of its name
    action = ALTER if ref is not None and ref.namespace == "routine" else REQUIRE
    named = fields.get("objtype") in NAMED_ROUTINE_KINDS
    script.emit(action, ref, _location(ctx, ref), ctx, routine_kind=named)


def owner(script: Script, fields: dict, ctx: Ctx) -> None:
    """ALTER … OWNER TO role: the object changes; the role is not an object."""
    kind = KINDS.get(fields.get("objectType", ""))
    if kind is None:
        return
    ref = object_ref(script, kind, fields.get("object", {}), ctx)
    script.emit(ALTER, ref, _location(ctx, ref), ctx)
