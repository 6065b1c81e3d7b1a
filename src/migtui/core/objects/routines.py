"""Functions and procedures: their signatures as format_type spells them, the
types they need, and their bodies read with PostgreSQL's timing.

A SQL-language body is checked at creation (unless ``check_function_bodies``
is off, or it holds DDL, which the server cannot check ahead); ``BEGIN ATOMIC``
and ``RETURN`` bodies always are. A PL/pgSQL body runs only when called, so
what it touches is not needed by the migration creating it.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from migtui.core.casts import builtin
from migtui.core.facts import (
    ALTER,
    INVALID_DEFINITION,
    PROVIDE,
    REQUIRE,
    SYNTAX_ERROR,
)
from migtui.core.grammar import parser
from migtui.core.model import COLUMN, FUNCTION, PROCEDURE, UNKNOWN_TYPE, ObjectRef
from migtui.core.objects.plpgsql import (
    RETRIES,
    body_runtime_makes,
    declared_types,
    field_of_copied_type,
)
from migtui.core.objects.queries import read
from migtui.core.objects.script import (
    Ctx,
    Script,
    Src,
    const_string,
    names_without_schema,
    node,
    nodes_of,
    parse,
    strings,
)
from migtui.core.objects.views import output_types

_INPUT_MODES = frozenset(
    {"FUNC_PARAM_IN", "FUNC_PARAM_INOUT", "FUNC_PARAM_VARIADIC", "FUNC_PARAM_DEFAULT"}
)
#: Statements a SQL body may hold that the server cannot check before running.
_QUERY_NODES = frozenset(
    {"SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "CallStmt"}
)

_EXECUTE = re.compile(r"EXECUTE\b", re.IGNORECASE)
_VARIADIC = re.compile(r"\bVARIADIC\b", re.IGNORECASE)
#: Words of a body that may change the schema when it runs: DDL, or SQL built
#: at run time (EXECUTE), outside its strings and comments.
_ACTING = re.compile(r"\b(?:CREATE|ALTER|DROP|EXECUTE)\b", re.IGNORECASE)
#: What may follow such a word in a body that only makes or drops triggers:
#: the trigger's own DDL, its EXECUTE FUNCTION, or an EXECUTE of a string
#: (or a format() of one) that starts with it.
_TRIGGER_ONLY = re.compile(
    r"""(?:CREATE(?:\s+OR\s+REPLACE)?(?:\s+CONSTRAINT)?|DROP)\s+TRIGGER\b
      | EXECUTE\s+(?:PROCEDURE|FUNCTION)\b
      | EXECUTE\s+(?:format\s*\(\s*)?(?:E?'\s*)
        (?:CREATE(?:\s+OR\s+REPLACE)?(?:\s+CONSTRAINT)?|DROP)\s+TRIGGER\b""",
    re.IGNORECASE | re.VERBOSE,
)
#: … and in a body that only makes or drops indexes (``EXECUTE 'create index '
#: || name || …``, a helper some histories call for each index).
_INDEX_ONLY = re.compile(
    r"""(?:CREATE(?:\s+UNIQUE)?|DROP)\s+INDEX\b
      | EXECUTE\s+(?:format\s*\(\s*)?(?:E?'\s*)(?:CREATE(?:\s+UNIQUE)?|DROP)\s+INDEX\b""",
    re.IGNORECASE | re.VERBOSE,
)


#: … but not an EXECUTE of a string (or a format() of one; its quotes doubled
#: in a body written as a string) that starts with a statement changing no
#: object: data, a comment, a grant, statistics.
_EXECUTE_DATA = re.compile(
    r"""EXECUTE\s+(?:format\s*\(\s*)?E?'{1,2}\s*
        (?:INSERT|UPDATE|DELETE|MERGE|COMMENT\s+ON|GRANT|REVOKE|ANALY[SZ]E|VACUUM
          |REFRESH\s+MATERIALIZED|NOTIFY|TRUNCATE|SET\s|RESET\s|LOCK\s)""",
    re.IGNORECASE | re.VERBOSE,
)


#: What a body's words are read outside of: string constants and comments
#: (``RAISE NOTICE 'cannot create …'`` makes nothing).
_NOT_CODE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)


def _acting(body: str, executes_read: bool = False) -> tuple[bool, bool, bool]:
    """(may change the schema, only by making or dropping triggers or
    indexes: whether triggers, whether indexes). ``executes_read``: every
    EXECUTE's template is read, and makes only new objects by names built
    at run time (or triggers or indexes, said here)."""
    # the same body with its strings and comments blanked, at the same places
    code = _NOT_CODE.sub(lambda m: " " * len(m.group()), body)
    found = [m.start() for m in _ACTING.finditer(code) if not _EXECUTE_DATA.match(body, m.start())]
    if executes_read:
        found = [
            at
            for at in found
            if not _EXECUTE.match(code, at)
            or _TRIGGER_ONLY.match(body, at)
            or _INDEX_ONLY.match(body, at)
        ]
    if not found:
        return False, False, False
    triggers = [at for at in found if _TRIGGER_ONLY.match(body, at)]
    indexes = [at for at in found if _INDEX_ONLY.match(body, at)]
    if len(set(triggers) | set(indexes)) < len(found):
        return True, False, False
    return False, bool(triggers), bool(indexes)


def routine_ref(script: Script, names: list[str], kind: str, args: str | None) -> ObjectRef | None:
    ref = script.schema_object(names, kind)
    if ref is None:
        return None
    return ObjectRef(kind, ref.schema, ref.name, args=args)


def signature_of(script: Script, owa: dict, kind: str, ctx: Ctx) -> ObjectRef | None:
    """The routine an ObjectWithArgs node names (``f(int, text)``, or ``f``)."""
    names = strings(owa.get("objname", ()))
    args = None
    if not owa.get("args_unspecified"):
        spelled = []
        for arg in owa.get("objfuncargs") or ():
            param = arg.get("FunctionParameter", {})
            if param.get("mode") == "FUNC_PARAM_OUT" and kind != PROCEDURE:
                continue
            out = "OUT " if param.get("mode") == "FUNC_PARAM_OUT" else ""
            spelled.append(out + script.type_name(param.get("argType", {}))[0])
        if not owa.get("objfuncargs"):
            spelled = [script.type_name(a.get("TypeName", {}))[0] for a in owa.get("objargs", ())]
        args = ", ".join(s or UNKNOWN_TYPE for s in spelled)
    return routine_ref(script, names, kind, args)


def create_routine(script: Script, fields: dict, ctx: Ctx) -> None:
    kind = PROCEDURE if fields.get("is_procedure") else FUNCTION
    names = strings(fields.get("funcname", ()))
    args = []
    for param in fields.get("parameters", ()):
        p = param.get("FunctionParameter", {})
        mode = p.get("mode", "FUNC_PARAM_DEFAULT")
        spelled = script.need_type(p.get("argType"), ctx)
        if mode in _INPUT_MODES:
            args.append(spelled)
        elif kind == PROCEDURE and mode == "FUNC_PARAM_OUT":  # part of its identity
            args.append(f"OUT {spelled}")
        if p.get("defexpr"):
            read(script, p["defexpr"], ctx)
    script.need_type(fields.get("returnType"), ctx)
    # the folder's types it takes or returns (an enum, a table's rows) hold it
    typed = tuple(
        dict.fromkeys(
            needed
            for tn in (
                fields.get("returnType"),
                *(
                    p.get("FunctionParameter", {}).get("argType")
                    for p in fields.get("parameters", ())
                ),
            )
            if tn and (needed := script.type_name(tn)[1]) is not None
        )
    )
    # an argument of a type not spelled here (``t.a%TYPE``) matches any type
    ref = routine_ref(script, names, kind, ", ".join(a or UNKNOWN_TYPE for a in args))
    if ref is None:
        return
    location = ctx.src.find(names[-1]) if names else None
    script.need_schema(ref, location, ctx)
    options = {
        o.get("DefElem", {}).get("defname"): o.get("DefElem", {}) for o in fields.get("options", ())
    }
    language = strings([options["language"].get("arg", {})])[0] if "language" in options else "sql"
    plpgsql_tree = None  # the PL/pgSQL body as its parser reads it
    if language == "plpgsql" and script.check_function_bodies and not (ctx.body or ctx.plpgsql):
        plpgsql_tree = _check_plpgsql(script, ref, location, ctx, _array_variadic(fields))
        written = (
            strings(options["as"].get("arg", {}).get("List", {}).get("items", ()))[:1]
            if "as" in options
            else []
        )
        written = written[0] if written else ""
        if plpgsql_tree:  # its DECLARE's types are looked up now
            for function in json.loads(plpgsql_tree):
                found = function.get("PLpgSQL_function") or {}
                declared = _own_search_path(fields, script.search_path)
                if declared == []:
                    declared = ["pg_catalog"]  # (as for a SQL body, below)
                path = script.search_path
                script.search_path = declared or path  # the validator runs with its SET
                try:
                    declared_types(script, found, ctx, lambda _: ctx.line(location), written)
                finally:
                    script.search_path = path
    reads: tuple[ObjectRef, ...] = ()
    result: tuple[str, tuple[str, ...] | None] = ("", None)  # see Effect.returns_type
    acts = makes_triggers = makes_indexes = False
    runtime_makes: tuple | None = None
    statements: list[dict] | None = None  # a SQL body written as a string, parsed
    if fields.get("sql_body"):
        _unquoted_refused(script, ref, fields, ctx)
        before = len(script.effects)
        # (read before the routine is in the catalog: a call of itself fails)
        _read_parsed_body(script, fields["sql_body"], ctx, _parameter_names(fields))
        # a body in SQL's own syntax keeps what it reads (its tables, their
        # columns, the routines it calls): PostgreSQL refuses to drop one, or
        # to change a column's type
        reads = tuple(
            dict.fromkeys(
                e.ref
                for e in script.effects[before:]
                if e.action == REQUIRE
                and (e.ref.namespace in ("relation", "routine") or e.ref.kind == COLUMN)
            )
        )
    elif "as" in options and language in ("sql", "plpgsql"):
        body = strings(options["as"].get("arg", {}).get("List", {}).get("items", ()))
        if body and plpgsql_tree and _EXECUTE.search(body[0]):
            runtime_makes = body_runtime_makes(script, json.loads(plpgsql_tree), ctx)
        acts, makes_triggers, makes_indexes = (
            _acting(body[0], runtime_makes is not None) if body else (False,) * 3
        )
        if body and language == "sql":
            statements = parse(body[0])  # (None: the grammar refuses it)
        # a SET search_path of its own: the body is resolved along that path
        # (an empty one finds bare names in pg_catalog alone: those of pg_catalog
        # need nothing, and any other is found nowhere; qualified ones count)
        own_path = _own_search_path(fields, script.search_path)
        if own_path is not None and not own_path:
            own_path = ["pg_catalog"]
        if (
            body
            and language == "sql"
            and script.check_function_bodies
            and statements
            and not _polymorphic(fields)
        ):
            if (own_path or script.search_path) == ["pg_catalog"] and _checked_at_creation(
                statements
            ):
                session = own_path is None  # (the session's empty search_path)
                _found_nowhere(script, ref, statements, body[0], options["as"], ctx, session)
            path = script.search_path
            script.search_path = own_path or path
            script.making = ref
            try:
                _read_sql_body(
                    script,
                    statements,
                    body[0],
                    options["as"].get("location"),
                    ctx,
                    _parameter_names(fields),
                )
                if _checked_at_creation(statements):
                    result = _result(script, fields, statements[-1]["stmt"])
            finally:
                script.search_path = path
                script.making = None
    returns, inputs, defaults = _shape(script, fields) if kind == FUNCTION else ("", None, 0)
    # what a body in a string reads by bare names pg_catalog lacks, unless the
    # routine sets its own search_path (see ``Effect.bare_reads``)
    bare_reads: tuple[str, ...] = ()
    if _own_search_path(fields, script.search_path) is None:
        if statements and language == "sql":
            bare_reads = names_without_schema(statements)
        elif plpgsql_tree and returns not in ("trigger", "event_trigger"):
            bare_reads = names_without_schema(_plpgsql_queries(plpgsql_tree))
    script.emit(
        PROVIDE,
        ref,
        location,
        ctx,
        strict=not fields.get("replace"),
        depends=reads + typed,
        returns=returns,
        inputs=inputs,
        defaults=defaults,
        variadic=any(
            p.get("FunctionParameter", {}).get("mode") == "FUNC_PARAM_VARIADIC"
            for p in fields.get("parameters", ())
        ),
        acts=acts,
        makes_triggers=makes_triggers,
        makes_indexes=makes_indexes,
        runtime_makes=runtime_makes or (),
        mutable=_volatility(options) != "immutable"
        and (language != "sql" or not _inlined(fields, options, statements)),
        bare_reads=bare_reads,
        returns_type=result[0],
        result_types=result[1],
        # PostgreSQL reads such a body as it plans a call, to inline it
        planned=bool(bare_reads) and language == "sql" and _read_to_inline(fields, options),
    )


def _result(script: Script, fields: dict, last: dict) -> tuple[str, tuple[str, ...] | None]:
    """The built-in type a SQL function returns, and the types of the columns
    its last statement gives (a SELECT's; see ``Effect.returns_type``)."""
    returned = fields.get("returnType") or {}
    params = [p.get("FunctionParameter", {}) for p in fields.get("parameters", ())]
    if returned.get("arrayBounds") or any(p.get("mode") in _OUTPUT_MODES for p in params):
        return "", None
    declared = builtin(strings(returned.get("names", ())))
    if not declared or "SelectStmt" not in last:
        return "", None
    return declared, output_types(script, last)


def _own_search_path(fields: dict, current: list[str]) -> list[str] | None:
    """The schemas a routine's ``SET search_path`` names (``$user`` and empty
    names left out; ``FROM CURRENT``: ``current``, the session's as it is
    made), or None when it sets none."""
    for option in fields.get("options", ()):
        elem = option.get("DefElem", {})
        value = (elem.get("arg") or {}).get("VariableSetStmt", {})
        if elem.get("defname") == "set" and value.get("name") == "search_path":
            if value.get("kind") == "VAR_SET_CURRENT":
                return list(current)
            names = [const_string(a) for a in value.get("args", ())]
            return [n for n in names if n and n != "$user"]
    return None


def _unquoted_refused(script: Script, ref: ObjectRef | None, fields: dict, ctx: Ctx) -> None:
    """A body in SQL's own syntax (``BEGIN ATOMIC``, ``RETURN``) is analysed
    before the routine exists, with its argument types: PostgreSQL refuses
    one taking a polymorphic argument (42P13), or holding a REFRESH
    MATERIALIZED VIEW (0A000)."""
    if ref is None or ctx.guarded or ctx.handled:
        return
    if _polymorphic(fields):
        why, state = "takes a polymorphic argument (anyelement …), whose type is not known", "42P13"
        hint = "write the body as a string (AS $$ … $$), which is checked when called"
    elif any("RefreshMatViewStmt" in item for item in nodes_of(fields["sql_body"])):
        why, state = "runs REFRESH MATERIALIZED VIEW, which such a body cannot hold", "0A000"
        hint = "write the body as a string (AS $$ … $$), or in PL/pgSQL"
    else:
        return
    script.find(
        INVALID_DEFINITION,
        ctx.line(None),
        f"{ref}, whose body is written in SQL's own syntax (BEGIN ATOMIC or RETURN), {why}: "
        f"PostgreSQL refuses it ({state})",
        hint,
        ctx,
        sure=True,
    )


def _found_nowhere(
    script: Script,
    ref: ObjectRef | None,
    statements: list[dict],
    text: str,
    body: dict,
    ctx: Ctx,
    session: bool = False,
) -> None:
    """A SQL body under ``SET search_path = ''``: a name written without a
    schema is looked for in pg_catalog alone, and one pg_catalog lacks is
    found nowhere. PostgreSQL refuses the routine at creation."""
    if ctx.guarded or ctx.handled or ref is None:
        return
    inner = Src(text, ctx.line(body.get("location")))
    for what in names_without_schema(statements):
        kind, _, name = what.partition(" ")
        line = inner.line(inner.find(name))
        script.found_nowhere(f"the body of {ref}", kind, name, line, ctx, session)


def _checked_at_creation(statements: list[dict]) -> bool:
    """A SQL body PostgreSQL analyses when the routine is made: queries only."""
    return all(node(s.get("stmt", {}))[0] in _QUERY_NODES for s in statements)


def _plpgsql_queries(tree: str) -> list[dict]:
    """The SQL a PL/pgSQL body runs (its statements and expressions), parsed."""
    found: list[dict] = []
    for query in _QUERY.findall(tree):
        text = json.loads(f'"{query}"')
        parsed = parse(text) or parse(f"SELECT {text}")
        found += parsed or ()
    return found


#: A PL/pgSQL expression's text in the body's tree (JSON).
_QUERY = re.compile(r'"query":\s*"((?:[^"\\]|\\.)*)"')


def _read_to_inline(fields: dict, options: dict) -> bool:
    """Whether PostgreSQL reads a SQL function's body to try to inline it
    where a query calls it (before it looks at what the body holds): not
    SECURITY DEFINER, no SET, not returning a set or a record."""
    security = ((options.get("security") or {}).get("arg") or {}).get("Boolean") or {}
    returned = fields.get("returnType") or {}
    if security.get("boolval") or "set" in options or returned.get("setof"):
        return False
    return strings(returned.get("names", ()))[-1:] != ["record"]


#: What a SELECT PostgreSQL inlines into the query calling it may not have.
_NOT_INLINED = (
    "fromClause",
    "whereClause",
    "groupClause",
    "havingClause",
    "sortClause",
    "limitCount",
    "limitOffset",
    "distinctClause",
    "windowClause",
    "withClause",
    "valuesLists",
)


def _inlined(fields: dict, options: dict, parsed: list[dict] | None) -> bool:
    """Whether PostgreSQL may inline a SQL function where it is called (one
    ``SELECT expression`` and nothing more, not SECURITY DEFINER, no SET, not
    a set): then its declared volatility does not decide, the expression does.
    ``parsed``: a body written as a string, parsed. True when it cannot be told."""
    security = ((options.get("security") or {}).get("arg") or {}).get("Boolean") or {}
    if security.get("boolval") or "set" in options:
        return False
    if (fields.get("returnType") or {}).get("setof"):
        return False
    body = fields.get("sql_body")
    if body is not None:
        if "ReturnStmt" in body:
            return True
        statements = [
            item
            for group in (body.get("List") or {}).get("items", ())
            for item in (group.get("List") or {}).get("items", ())
        ]
    elif parsed is None:
        return True
    else:
        statements = [s.get("stmt", {}) for s in parsed]
    if len(statements) != 1 or "SelectStmt" not in statements[0]:
        return False
    select = statements[0]["SelectStmt"]
    return len(select.get("targetList") or ()) == 1 and not any(
        select.get(part) for part in _NOT_INLINED
    )


def _volatility(options: dict) -> str:
    """IMMUTABLE, STABLE or VOLATILE (the default), as the routine declares."""
    arg = (options.get("volatility") or {}).get("arg") or {}
    return (strings([arg]) or ["volatile"])[0].lower()


#: Parameters that make a function's result (a row of them, or the one's type).
_OUTPUT_MODES = frozenset({"FUNC_PARAM_OUT", "FUNC_PARAM_INOUT", "FUNC_PARAM_TABLE"})


def _shape(script: Script, fields: dict) -> tuple[str, tuple[str, ...], int]:
    """What ``CREATE OR REPLACE FUNCTION`` may not change: the result (its type,
    ``setof``, or the row its output parameters make; "" when it cannot be
    told), the input parameters' names ("" for an unnamed one), and how many
    of them have defaults."""
    params = [p.get("FunctionParameter", {}) for p in fields.get("parameters", ())]
    inputs = tuple(
        p.get("name", "") for p in params if p.get("mode", "FUNC_PARAM_DEFAULT") in _INPUT_MODES
    )
    defaults = sum(1 for p in params if p.get("defexpr"))
    returned = fields.get("returnType") or {}
    outputs = [
        (p.get("name", ""), script.type_name(p.get("argType", {}))[0])
        for p in params
        if p.get("mode") in _OUTPUT_MODES
    ]
    if len(outputs) > 1:  # a row: its columns' names count too
        result = f"record({', '.join(f'{name} {spelled}' for name, spelled in outputs)})"
    elif outputs:
        result = outputs[0][1]
    else:
        result = script.type_name(returned)[0] if returned else ""
    if not result or any(not spelled for _, spelled in outputs):
        return "", inputs, defaults
    return ("setof " if returned.get("setof") else "") + result, inputs, defaults


def _parameter_names(fields: dict) -> frozenset[str]:
    return frozenset(
        p.get("FunctionParameter", {}).get("name") or "" for p in fields.get("parameters", ())
    ) - {""}


#: PostgreSQL's polymorphic pseudo-types
_POLYMORPHIC = frozenset(
    {
        "anyelement",
        "anyarray",
        "anynonarray",
        "anyenum",
        "anyrange",
        "anymultirange",
        "anycompatible",
        "anycompatiblearray",
        "anycompatiblenonarray",
        "anycompatiblerange",
        "anycompatiblemultirange",
    }
)


def _polymorphic(fields: dict) -> bool:
    """Whether the routine takes an argument of a polymorphic type: PostgreSQL
    then only parses a SQL body when it is made (the types of its expressions
    are not known before a call), and resolves its names when it runs."""
    for p in fields.get("parameters", ()):
        param = p.get("FunctionParameter", {})
        if param.get("mode") in ("FUNC_PARAM_OUT", "FUNC_PARAM_TABLE"):
            continue
        names = strings(param.get("argType", {}).get("names", ()))
        if names and names[-1] in _POLYMORPHIC and (len(names) == 1 or names[0] == "pg_catalog"):
            return True
    return False


def _array_variadic(fields: dict) -> bool:
    """Whether the routine has a VARIADIC parameter, and each is an array."""
    variadic = [
        p.get("FunctionParameter", {})
        for p in fields.get("parameters", ())
        if p.get("FunctionParameter", {}).get("mode") == "FUNC_PARAM_VARIADIC"
    ]
    return bool(variadic) and all(p.get("argType", {}).get("arrayBounds") for p in variadic)


def _check_plpgsql(
    script: Script, ref: ObjectRef, location: int | None, ctx: Ctx, array_variadic: bool = False
) -> str | None:
    """CREATE FUNCTION compiles a PL/pgSQL body (check_function_bodies is on by
    default): a body PL/pgSQL's parser refuses makes the statement fail. The
    body's tree (JSON) when the parser reads it."""
    text = ctx.src.data.decode("utf-8", errors="replace")
    if array_variadic:
        # The parser outside the server knows no types: it takes every
        # parameter for a scalar and refuses VARIADIC even on an array. The
        # body reads the same without the word.
        text = _VARIADIC.sub(" ", text)
    written = text
    for _ in range(RETRIES):
        try:
            return parser.parse_plpgsql_json(text)
        except parser.ParseError as exc:
            message = exc.args[0] if exc.args else str(exc)
            retyped = field_of_copied_type(message, text)
            if retyped is not None:
                text = retyped
                continue
        except (ValueError, RecursionError):
            return None
        if message.startswith("Not implemented"):
            # the parser outside the server stops where it would need the
            # catalog (a %TYPE of a table outside public): not the body's fault
            return None
        if _unknown_type_array(message, written):
            return None
        script.find(
            SYNTAX_ERROR,
            ctx.line(location),
            f"PostgreSQL's PL/pgSQL parser refuses the body of {ref}: {message}; "
            "CREATE FUNCTION checks the body, so the statement fails",
            "fix the body; SET check_function_bodies = off only delays the error to the first call",
            ctx,
        )
        return None
    return None


_PSEUDO = re.compile(r'variable "([^"]+)" has pseudo-type _record')


_RECORD_ARRAY = (
    "PL/pgSQL functions cannot accept type _record",
    "PL/pgSQL functions cannot return type _record",
)
_RECORD_IN_INTO = "record variable cannot be part of multiple-item INTO list"


def _unknown_type_array(message: str, text: str) -> bool:
    """The parser outside the server knows no types: it reads any type it
    does not know (an enum, a domain, a composite type of the folder's) as
    ``record``, and refuses what the server would not: a variable, parameter
    or result of an array of one (``mood[]``), or such a variable among others
    in one ``INTO``. Only ``record`` written so is wrong."""
    found = _PSEUDO.match(message)
    if found is not None:
        name = re.escape(found.group(1))
        written = re.search(rf"(?i)\b{name}\s+(?:constant\s+)?record\s*\[", text)
        return written is None
    if message in _RECORD_ARRAY:
        return re.search(r"(?i)\brecord\s*\[|\b_record\b", text) is None
    if message.startswith(_RECORD_IN_INTO):
        return re.search(r"(?i)\brecord\s*(?:;|:=)|%rowtype", text) is None
    return False


def _read_parsed_body(script: Script, body, ctx: Ctx, params: frozenset[str]) -> None:
    """BEGIN ATOMIC … END and RETURN expr, parsed with the statement itself."""
    stack = [body]
    inner_ctx = _body_ctx(ctx, params=params)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
            continue
        if not isinstance(item, dict):
            continue
        kind, _ = node(item)
        if kind == "List":
            stack.extend(reversed(item["List"].get("items", ())))
        elif kind in _QUERY_NODES:
            script.nested(item, inner_ctx)
        else:
            read(script, item, inner_ctx)


def _read_sql_body(
    script: Script,
    stmts: list[dict],
    text: str,
    location: int | None,
    ctx: Ctx,
    params: frozenset[str],
) -> None:
    """A SQL body written as a string (``text``, parsed: ``stmts``)."""
    if not _checked_at_creation(stmts):
        return  # DDL inside: PostgreSQL does not check such a body at creation
    inner = Src(text, ctx.line(location))
    inner_ctx = _body_ctx(ctx, inner, params)
    for s in stmts:
        script.nested(s["stmt"], inner_ctx)


def _body_ctx(ctx: Ctx, src: Src | None = None, params: frozenset[str] | None = None) -> Ctx:
    """The context of a routine's body; a SQL body's names (``params``: its
    parameters') are resolved at creation."""
    if params is None:
        return replace(ctx, body=True, src=src or ctx.src)
    return replace(ctx, body=True, src=src or ctx.src, resolved=True, params=params)


#: The grammar's object types that name a routine's kind (not ROUTINE)
_NAMED_KINDS = frozenset({"OBJECT_FUNCTION", "OBJECT_PROCEDURE"})


def alter_routine(script: Script, fields: dict, ctx: Ctx) -> None:
    kind = PROCEDURE if fields.get("objtype") == "OBJECT_PROCEDURE" else FUNCTION
    ref = signature_of(script, fields.get("func", {}), kind, ctx)
    location = ctx.src.find(ref.name) if ref else None
    named = fields.get("objtype") in _NAMED_KINDS  # (ALTER ROUTINE: either)
    script.emit(ALTER, ref, location, ctx, routine_kind=named)


def call(script: Script, fields: dict, ctx: Ctx) -> None:
    call_node = fields.get("funccall", {})
    names = strings(call_node.get("funcname", ()))
    ref = routine_ref(script, names, PROCEDURE, None)
    script.emit(REQUIRE, ref, call_node.get("location"), ctx, runs=True, routine_kind=True)

    read(script, call_node.get("args"), ctx, runs=True)
