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

from migtui.core.casts import builtin
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


def immutable_needs(*exprs) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(the functions called, by name: built-in ones or unqualified; the
    ``column::type`` casts of a column, to a built-in type) in ``exprs``.
    ``CURRENT_DATE`` and its kin count as calls, by their keyword."""
    calls: dict[str, None] = {}
    casts: dict[tuple[str, str], None] = {}
    for item in nodes_of(list(exprs)):
        if "FuncCall" in item:
            names = strings(item["FuncCall"].get("funcname", ()))
            if len(names) == 1 or (len(names) == 2 and names[0] == "pg_catalog"):
                calls[names[-1]] = None
        elif "SQLValueFunction" in item:
            op = item["SQLValueFunction"].get("op", "")
            calls[op.removeprefix("SVFOP_").removesuffix("_N").lower()] = None
        elif "TypeCast" in item:
            cast = item["TypeCast"]
            column = (cast.get("arg") or {}).get("ColumnRef", {}).get("fields", ())
            type_name = cast.get("typeName") or {}
            target = (
                "" if type_name.get("arrayBounds") else builtin(strings(type_name.get("names", ())))
            )
            if len(column) == 1 and "String" in column[0] and target:
                casts[(column[0]["String"].get("sval", ""), target)] = None
    return tuple(calls), tuple(casts)
