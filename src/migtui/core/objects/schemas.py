"""Schemas, extensions and session settings (search_path,
check_function_bodies) that change how the rest of the script is read."""

from __future__ import annotations

from migtui.core.facts import ALTER, DEPENDENT_OBJECTS, INVALID_DEFINITION, PROVIDE
from migtui.core.model import EXTENSION, SCHEMA, ObjectRef
from migtui.core.objects.queries import late_bound, path_from_string
from migtui.core.objects.script import (
    Ctx,
    Script,
    const_string,
    names_without_schema,
    node,
    nodes_of,
    strings,
)
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


def _true(fields: dict) -> bool:
    """``SET x = true`` written as a keyword, or ``= 1``."""
    for arg in fields.get("args", ()):
        value = arg.get("A_Const", {})
        if value.get("boolval", {}).get("boolval") or value.get("ival", {}).get("ival") == 1:
            return True
    return False


def create_language(script: Script, fields: dict, ctx: Ctx) -> None:
    """``CREATE LANGUAGE … HANDLER …``, the form from before extensions (the
    grammar reads a bare ``CREATE LANGUAGE x`` as ``CREATE EXTENSION x``). Of
    plpgsql, which every database has as an extension, it fails (42710)."""
    name = fields.get("plname", "")
    if name == "plpgsql" and not fields.get("replace"):
        ref = ObjectRef(EXTENSION, None, name)
        script.emit(PROVIDE, ref, ctx.src.find(name), ctx, strict=True)


def drop_language(script: Script, fields: dict, ctx: Ctx) -> None:
    """``DROP LANGUAGE plpgsql``: the language is the plpgsql extension's, and
    PostgreSQL refuses to drop it alone, ``IF EXISTS`` or not (2BP01)."""
    names = [strings([obj])[0] for obj in fields.get("objects", ()) if "String" in obj]
    if "plpgsql" in names and not (ctx.guarded or ctx.handled):
        script.find(
            DEPENDENT_OBJECTS,
            ctx.line(ctx.src.find("plpgsql")),
            "DROP LANGUAGE plpgsql: the language belongs to the extension plpgsql, and "
            "PostgreSQL refuses to drop it alone (2BP01)",
            "drop the line (DROP EXTENSION plpgsql would drop it, and with CASCADE every "
            "PL/pgSQL function)",
            ctx,
            sure=True,
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
            script.set_search_path(path, None if ctx.body else ctx.line(None))
        elif kind in ("VAR_RESET", "VAR_SET_DEFAULT"):
            script.set_search_path(["public"], None if ctx.body else ctx.line(None))
    elif name == "default_with_oids" and kind == "VAR_SET_VALUE":
        values = [const_string(a) or "" for a in fields.get("args", ())]
        if values and values[0].lower() in ("on", "true", "1", "yes") or _true(fields):
            script.find(
                INVALID_DEFINITION,
                ctx.line(None),
                "SET default_with_oids = true: PostgreSQL 12 and later have no table OIDs, "
                "and refuse it (0A000)",
                "drop the line (an old dump's header sets it to false, which runs)",
                ctx,
                sure=True,
            )
    elif name == "check_function_bodies":
        values = [const_string(a) for a in fields.get("args", ())]
        if kind == "VAR_SET_VALUE" and values and values[0] is not None:
            script.check_function_bodies = values[0].lower() not in ("off", "false", "0", "no")
        elif kind in ("VAR_RESET", "VAR_SET_DEFAULT"):
            script.check_function_bodies = True


#: Where each statement that makes an object in a schema keeps its name: a
#: relation's (field, kind), or a list of names' (field, kind)
_MADE_RELATION = {
    "CreateStmt": ("relation", "table"),
    "ViewStmt": ("view", "view"),
    "CreateSeqStmt": ("sequence", "sequence"),
    "CompositeTypeStmt": ("typevar", "type"),
}
_MADE_NAMES = {
    "CreateFunctionStmt": ("funcname", "function"),
    "CreateEnumStmt": ("typeName", "type"),
    "CreateRangeStmt": ("typeName", "type"),
    "CreateDomainStmt": ("domainname", "domain"),
}
_DEFINED = {"OBJECT_AGGREGATE": "aggregate", "OBJECT_TYPE": "type", "OBJECT_COLLATION": "collation"}


def _made_without_schema(kind: str, fields: dict) -> tuple[str, str] | None:
    """(kind, name) of the object a statement makes when its name has no
    schema (a temporary relation, which goes to pg_temp, aside)."""
    if kind in _MADE_RELATION or kind == "CreateTableAsStmt":
        if kind == "CreateTableAsStmt":
            rv = (fields.get("into") or {}).get("rel") or {}
            what = "materialized view" if fields.get("objtype") == "OBJECT_MATVIEW" else "table"
        else:
            key, what = _MADE_RELATION[kind]
            rv = fields.get(key) or {}
        if rv.get("schemaname") or rv.get("relpersistence") == "t" or not rv.get("relname"):
            return None
        return what, rv["relname"]
    if kind in _MADE_NAMES:
        key, what = _MADE_NAMES[kind]
        if kind == "CreateFunctionStmt" and fields.get("is_procedure"):
            what = "procedure"
    elif kind == "DefineStmt" and fields.get("kind") in _DEFINED:
        key, what = "defnames", _DEFINED[fields["kind"]]
    else:
        return None
    names = strings(fields.get(key, ()))
    return (what, names[0]) if len(names) == 1 else None


def under_empty_path(script: Script, tree: dict, ctx: Ctx) -> None:
    """A statement run after ``SET search_path = ''`` (pg_dump's
    ``set_config('search_path', '', false)``): an object made without a
    schema has none to go to (3F000), and a table, function or type named
    without one is looked for in pg_catalog alone, where it is not (42P01,
    42883, 42704). What pg_catalog has, and temporary tables, are found."""
    kind, fields = node(tree)
    if not isinstance(fields, dict) or kind == "VariableSetStmt":
        return
    since = script.empty_path_line
    made = _made_without_schema(kind, fields)
    if made is not None:
        what, name = made
        script.find(
            INVALID_DEFINITION,
            ctx.line(ctx.src.find(name)),
            f"the {what} {name} is made without a schema, under the empty search_path set "
            f"at line {since}: PostgreSQL has no schema to create it in, and refuses it "
            f"(3F000)",
            f"write its schema (public.{name}), or set a search_path that names one first",
            ctx,
            sure=True,
        )
    reads = [(read, None) for read in names_without_schema([tree])]
    for read, location in reads + _named_in_strings(kind, fields):
        what, _, name = read.partition(" ")
        if made is not None and name == made[1] or name in script.temp_names:
            continue
        at = ctx.src.find(name) if location is None else location
        script.found_nowhere("the statement", what, name, ctx.line(at), ctx)


#: Calls that look a sequence up by the name a string gives
_SEQUENCE_CALLS = frozenset({"nextval", "setval", "currval"})


def _named_in_strings(kind: str, fields: dict) -> list[tuple[str, int | None]]:
    """Names without a schema that a statement looks up as it runs or is
    made, beyond its tables, calls and types: a trigger's function, the
    sequence ``nextval('s')`` names, a relation ``'t'::regclass`` names
    (("function f", its location) …)."""
    from migtui.core.builtins import builtin_functions, catalog_relations

    found: dict[str, int | None] = {}
    if kind == "CreateTrigStmt":
        names = strings(fields.get("funcname", ()))
        if len(names) == 1 and names[0] not in builtin_functions():
            found[f"function {names[0]}"] = None
    for item in nodes_of(fields):
        call = item.get("FuncCall")
        if call is not None:
            names = strings(call.get("funcname", ()))
            args = call.get("args") or ()
            if names[-1:] and names[-1] in _SEQUENCE_CALLS and args and not late_bound(args[0]):
                text = const_string(args[0])
                if text and "." not in text and not text.startswith('"'):
                    found.setdefault(f"sequence {text}", call.get("location"))
        cast = item.get("TypeCast")
        if cast is not None:
            names = strings((cast.get("typeName") or {}).get("names", ()))
            text = const_string(cast.get("arg")) if names[-1:] == ["regclass"] else None
            bare = text and "." not in text and not text.startswith('"')
            if bare and text not in catalog_relations():
                found.setdefault(f"table {text}", cast.get("location"))
    return list(found.items())
