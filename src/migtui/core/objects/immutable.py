"""What an index's expressions and predicate, or a generated column's
expression, ask to be IMMUTABLE: PostgreSQL refuses a function or a cast that
is not (42P17), since the value must never change for the same input.

The reader notes the built-in functions such an expression calls and the
casts of its table's columns; the walk judges them, knowing the columns'
types and the functions the folder makes itself. The built-in functions whose
every form is STABLE or VOLATILE (``now``, ``concat``, ``to_char`` …) are
PostgreSQL 18's own list, kept in ``data/not_immutable_functions.txt``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from migtui.core.casts import REG_TYPES, builtin
from migtui.core.objects.script import nodes_of, strings

#: The SQL keywords that read the clock or the session (``CURRENT_DATE``,
#: ``CURRENT_USER`` …): none is IMMUTABLE.
SQL_VALUES = frozenset(
    [
        "current_date",
        "current_time",
        "current_timestamp",
        "localtime",
        "localtimestamp",
        "current_role",
        "current_user",
        "user",
        "session_user",
        "system_user",
        "current_catalog",
        "current_schema",
    ]
)


@cache
def not_immutable_functions() -> frozenset[str]:
    """The built-in functions none of whose forms is IMMUTABLE, and the SQL
    keywords of the same kind."""
    text = resources.files("migtui.core").joinpath("data/not_immutable_functions.txt").read_text()
    return frozenset(text.split()) | SQL_VALUES


#: Built-in functions with IMMUTABLE forms and others, told apart by how many
#: arguments a call gives: these (name, count) are not IMMUTABLE
#: (``to_tsvector(body)`` reads default_text_search_config; ``to_tsvector
#: ('english', body)`` is IMMUTABLE).
NOT_IMMUTABLE_ARITY = frozenset(
    {
        ("to_tsvector", 1),
        ("to_tsquery", 1),
        ("plainto_tsquery", 1),
        ("phraseto_tsquery", 1),
        ("websearch_to_tsquery", 1),
        ("json_to_tsvector", 2),
        ("jsonb_to_tsvector", 2),
        ("age", 1),
        ("to_timestamp", 2),
        ("timezone", 1),
    }
)
#: The name a column's ``+`` or ``-`` of an interval is kept under.
INTERVAL_ARITHMETIC = "+ interval"
#: … or by the type of one argument: (name, count) -> (the argument's place,
#: the types that make the call not IMMUTABLE: a timestamptz depends on the
#: TimeZone setting).
NOT_IMMUTABLE_ON = {
    ("date_trunc", 2): (1, frozenset({"timestamptz"})),
    ("date", 1): (0, frozenset({"timestamptz"})),
    ("date_part", 2): (1, frozenset({"timestamptz"})),
    ("extract", 2): (1, frozenset({"timestamptz"})),
    ("date_add", 2): (0, frozenset({"timestamptz"})),
    ("date_subtract", 2): (0, frozenset({"timestamptz"})),
    # ts + interval '1 day', ts - interval …: a day or a month is as long as
    # the time zone says
    (INTERVAL_ARITHMETIC, 2): (0, frozenset({"timestamptz"})),
}


def immutable_needs(
    *exprs,
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[tuple[str, int, str], ...]]:
    """(the functions called, by name: built-in ones or unqualified; the
    ``column::type`` casts of a column, to a built-in type; the calls whose
    form decides (``NOT_IMMUTABLE_ARITY``, ``NOT_IMMUTABLE_ON``): (name,
    argument count, the argument that decides: a column's name, ``::type`` for
    a cast to a built-in type, "" when the count decides or it is not known))
    in ``exprs``. ``CURRENT_DATE`` and its kin count as calls, by their keyword."""
    calls: dict[str, None] = {}
    casts: dict[tuple[str, str], None] = {}
    forms: dict[tuple[str, int, str], None] = {}
    for item in nodes_of(list(exprs)):
        if "FuncCall" in item:
            names = strings(item["FuncCall"].get("funcname", ()))
            if len(names) == 1 or (len(names) == 2 and names[0] == "pg_catalog"):
                calls[names[-1]] = None
                form = _form(names[-1], item["FuncCall"].get("args") or ())
                if form is not None:
                    forms[form] = None
            elif len(names) == 2:
                calls[".".join(names)] = None  # a function of another schema: app.f
        elif "SQLValueFunction" in item:
            op = item["SQLValueFunction"].get("op", "")
            calls[op.removeprefix("SVFOP_").removesuffix("_N").lower()] = None
        elif "A_Expr" in item:
            arithmetic = _interval_arithmetic(item["A_Expr"])
            if arithmetic:
                forms[(INTERVAL_ARITHMETIC, 2, arithmetic)] = None
        elif "TypeCast" in item:
            cast = item["TypeCast"]
            source = _cast_source(cast.get("arg") or {})
            type_name = cast.get("typeName") or {}
            if source and not type_name.get("arrayBounds"):
                target = _cast_target(strings(type_name.get("names", ())))
                if target:
                    casts[(source, target)] = None
    return tuple(calls), tuple(casts), tuple(forms)


def _cast_target(names: list[str]) -> str:
    """A cast's type as the walk judges it: a built-in type, an object
    identifier type, or ``@schema.name`` (``@name``) of another, which may be
    one of the folder's enums."""
    if not names:
        return ""
    found = builtin(names)
    if found:
        return found
    if names[-1] in REG_TYPES and (len(names) == 1 or names[0] == "pg_catalog"):
        return names[-1]
    return "@" + ".".join(names[-2:])


def _column_name(tree: dict) -> str:
    """The name of a bare one-word column reference, else ""."""
    fields = (tree.get("ColumnRef") or {}).get("fields", ())
    if len(fields) == 1 and "String" in fields[0]:
        return fields[0]["String"].get("sval", "")
    return ""


def _cast_source(arg: dict) -> str:
    """What a cast converts, as the walk judges it: a column's name; ``::text``
    for the text ``->>`` and ``#>>`` give; ``@tz:column`` for ``column AT TIME
    ZONE …``, whose type is the other of timestamp and timestamptz; "" else."""
    if "A_Expr" in arg:
        names = strings(arg["A_Expr"].get("name", ()))
        return "::text" if names in (["->>"], ["#>>"]) else ""
    if "FuncCall" in arg:
        call = arg["FuncCall"]
        names = strings(call.get("funcname", ()))
        args = call.get("args") or ()
        if names and names[-1] == "timezone" and len(args) == 2:
            column = _column_name(args[1])
            return f"@tz:{column}" if column else ""
        return ""
    return _column_name(arg)


def _interval_arithmetic(expr: dict) -> str:
    """The column of ``column + interval '…'`` (or ``-``, or the interval
    first), else ""."""
    if expr.get("kind") != "AEXPR_OP" or strings(expr.get("name", ())) not in (["+"], ["-"]):
        return ""
    left, right = expr.get("lexpr") or {}, expr.get("rexpr") or {}
    for column, other in ((left, right), (right, left)):
        name = _column_name(column)
        cast = other.get("TypeCast") or {}
        if name and strings((cast.get("typeName") or {}).get("names", ()))[-1:] == ["interval"]:
            return name
    return ""


def _form(name: str, args: list) -> tuple[str, int, str] | None:
    count = len(args)
    if (name, count) in NOT_IMMUTABLE_ARITY:
        return name, count, ""
    rule = NOT_IMMUTABLE_ON.get((name, count))
    if rule is None:
        return None
    arg = args[rule[0]]
    if "ColumnRef" in arg:
        fields = arg["ColumnRef"].get("fields", ())
        if len(fields) == 1 and "String" in fields[0]:
            return name, count, fields[0]["String"].get("sval", "")
    elif "TypeCast" in arg:
        type_name = arg["TypeCast"].get("typeName") or {}
        target = (
            "" if type_name.get("arrayBounds") else builtin(strings(type_name.get("names", ())))
        )
        if target:
            return name, count, f"::{target}"
    return None
