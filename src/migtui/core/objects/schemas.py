"""Schemas, extensions and session settings (search_path,
check_function_bodies) that change how the rest of the script is read."""

from __future__ import annotations

from migtui.core.facts import ALTER, PROVIDE
from migtui.core.model import EXTENSION, SCHEMA, ObjectRef
from migtui.core.objects.queries import path_from_string
from migtui.core.objects.script import Ctx, Script, const_string, strings
from migtui.core.sqlnames import EXTENSION_SCHEMAS


def create_schema(script: Script, fields: dict, ctx: Ctx) -> None:
    name = fields.get("schemaname")
    role = fields.get("authrole") or {}
    if not name and role.get("roletype") == "ROLESPEC_CSTRING":
        name = role.get("rolename")  # CREATE SCHEMA AUTHORIZATION r: the schema r
    if not name:
        return
    strict = not fields.get("if_not_exists")
    script.emit(PROVIDE, ObjectRef(SCHEMA, None, name), ctx.src.find(name), ctx, strict=strict)
    elements = fields.get("schemaElts", ())
    if not elements:
        return

    saved = script.search_path
    script.search_path = [name, *saved]
    try:
        for element in elements:
            script.nested(element, ctx)
    finally:
        script.search_path = saved


def create_extension(script: Script, fields: dict, ctx: Ctx) -> None:
    name = fields.get("extname", "")
    schema = None
    for option in fields.get("options", ()):
        opt = option.get("DefElem", {})
        if opt.get("defname") == "schema":
            schema = strings([opt.get("arg", {})])[0]
            # a schema of the extension's own (pgmq's pgmq): its control file names
            # it, and CREATE EXTENSION makes it when it is missing
            if schema not in EXTENSION_SCHEMAS.get(name, ()):
                script.need_schema_named(schema, opt.get("location"), ctx)
    ref = ObjectRef(EXTENSION, None, name)
    script.emit(
        PROVIDE,
        ref,
        ctx.src.find(name),
        ctx,
        into=schema or script.creation_schema(),
        strict=not fields.get("if_not_exists"),
    )


def alter_extension(script: Script, fields: dict, ctx: Ctx) -> None:
    name = fields.get("extname", "")
    script.emit(ALTER, ObjectRef(EXTENSION, None, name), ctx.src.find(name), ctx)


def set_variable(script: Script, fields: dict, ctx: Ctx) -> None:
    name = fields.get("name", "")
    kind = fields.get("kind", "")
    if name == "search_path":
        if kind == "VAR_SET_VALUE":
            values = [const_string(a) for a in fields.get("args", ())]
            path: list[str] = []
            for value in values:
                if value is not None:
                    path.extend(path_from_string(value) if "," in value else [value])
            script.set_search_path(path)
        elif kind in ("VAR_RESET", "VAR_SET_DEFAULT"):
            script.set_search_path(["public"])
    elif name == "check_function_bodies":
        values = [const_string(a) for a in fields.get("args", ())]
        if kind == "VAR_SET_VALUE" and values and values[0] is not None:
            script.check_function_bodies = values[0].lower() not in ("off", "false", "0", "no")
        elif kind in ("VAR_RESET", "VAR_SET_DEFAULT"):
            script.check_function_bodies = True
