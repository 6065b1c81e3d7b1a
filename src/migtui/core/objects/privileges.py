"""Privileges: GRANT/REVOKE and default privileges. The objects granted on
must exist; the grantees are roles, never objects a migration provides."""

from __future__ import annotations

from migtui.core.facts import ALTER, REQUIRE
from migtui.core.objects.generic import KINDS, NAMED_ROUTINE_KINDS, object_ref
from migtui.core.objects.script import Ctx, Script, strings


def grant(script: Script, fields: dict, ctx: Ctx) -> None:
    kind = KINDS.get(fields.get("objtype", ""))
    if fields.get("targtype") == "ACL_TARGET_ALL_IN_SCHEMA":
        for schema in strings(fields.get("objects", ())):
            script.need_schema_named(schema, ctx.src.find(schema), ctx)
        return
    if kind is None:
        return
    for obj in fields.get("objects", ()):
        if "RangeVar" in obj:
            rv = obj["RangeVar"]
            script.emit(REQUIRE, script.range_var(rv, kind), rv.get("location"), ctx)
            continue
        ref = object_ref(script, kind, obj, ctx)
        if ref is not None and ref.schema is None and ref.kind == "schema":
            script.need_schema_named(ref.name, ctx.src.find(ref.name), ctx)
            continue
        # a routine named without arguments must be the only one of its name
        action = ALTER if ref is not None and ref.namespace == "routine" else REQUIRE
        named = fields.get("objtype") in NAMED_ROUTINE_KINDS
        script.emit(action, ref, ctx.src.find(ref.name) if ref else None, ctx, routine_kind=named)


def default_privileges(script: Script, fields: dict, ctx: Ctx) -> None:
    for option in fields.get("options", ()):
        opt = option.get("DefElem", {})
        if opt.get("defname") == "schemas":
            for schema in strings(opt.get("arg", {}).get("List", {}).get("items", ())):
                script.need_schema_named(schema, opt.get("location"), ctx)
