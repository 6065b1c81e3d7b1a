"""Grouped queries: a column a grouped query's select list names outside an
aggregate must be grouped, or its table's primary key must be (PostgreSQL
refuses it otherwise: 42803). A query is grouped by its ``GROUP BY``, or by
an aggregate in its select list (``SELECT name, count(*) FROM t``).

Read cautiously: a select list is only looked into through expressions whose
meaning is plain (operators, casts, ``CASE``, ``COALESCE``, calls of
pg_catalog's functions that are no aggregate); a call of any other function
(the folder's, an extension's: it may be an aggregate), a window function or
a subquery is left alone. ``GROUPING SETS``, ``ROLLUP`` and ``CUBE``, and a
``*`` in the select list, leave the query unjudged. Whether the table's
primary key is grouped is the walk's to say (see ``Effect.grouped``)."""

from __future__ import annotations

from collections.abc import Callable

from migtui.core.builtins import builtin_functions
from migtui.core.facts import REQUIRE
from migtui.core.model import COLUMN, ObjectRef
from migtui.core.objects.script import Ctx, Script, strings

#: pg_catalog's aggregates (PostgreSQL 18)
AGGREGATES = frozenset(
    [
        "any_value",
        "array_agg",
        "avg",
        "bit_and",
        "bit_or",
        "bit_xor",
        "bool_and",
        "bool_or",
        "corr",
        "count",
        "covar_pop",
        "covar_samp",
        "cume_dist",
        "dense_rank",
        "every",
        "json_agg",
        "json_agg_strict",
        "json_object_agg",
        "json_object_agg_strict",
        "json_object_agg_unique",
        "json_object_agg_unique_strict",
        "jsonb_agg",
        "jsonb_agg_strict",
        "jsonb_object_agg",
        "jsonb_object_agg_strict",
        "jsonb_object_agg_unique",
        "jsonb_object_agg_unique_strict",
        "max",
        "min",
        "mode",
        "percent_rank",
        "percentile_cont",
        "percentile_disc",
        "range_agg",
        "range_intersect_agg",
        "rank",
        "regr_avgx",
        "regr_avgy",
        "regr_count",
        "regr_intercept",
        "regr_r2",
        "regr_slope",
        "regr_sxx",
        "regr_sxy",
        "regr_syy",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "string_agg",
        "sum",
        "var_pop",
        "var_samp",
        "variance",
        "xmlagg",
    ]
)

#: Expressions looked into for the columns they name
_PLAIN = frozenset(
    {
        "A_Expr",
        "TypeCast",
        "BoolExpr",
        "NullTest",
        "BooleanTest",
        "CoalesceExpr",
        "MinMaxExpr",
        "CaseExpr",
        "CaseWhen",
        "A_ArrayExpr",
        "RowExpr",
        "List",
    }
)


def _canon(tree):
    """A tree as a value to compare, its locations left out."""
    if isinstance(tree, dict):
        return tuple(sorted((k, _canon(v)) for k, v in tree.items() if k != "location"))
    if isinstance(tree, list):
        return tuple(_canon(x) for x in tree)
    return tree


def _function(fields: dict) -> str | None:
    """The name of a call of pg_catalog's (``lower``, ``pg_catalog.lower``)."""
    names = strings(fields.get("funcname", ()))
    if len(names) == 2 and names[0] == "pg_catalog":
        names = names[1:]
    return names[0] if len(names) == 1 else None


def _aggregated(fields: dict) -> bool:
    """A call of one of pg_catalog's aggregates (not as a window function)."""
    if fields.get("over"):
        return False
    return _function(fields) in AGGREGATES or bool(fields.get("agg_star"))


#: Aggregates defined for some built-in types only (see ``Effect.aggregate``)
TYPED_AGGREGATES = frozenset({"min", "max", "sum", "avg"})


def _calls(trees) -> tuple[bool, list[dict]]:
    """Whether ``trees`` (a select list, a HAVING) hold a call of one of
    pg_catalog's aggregates outside subqueries, and the calls there of
    ``TYPED_AGGREGATES`` (as window functions too) of one column."""
    aggregated, typed = False, []
    stack = list(trees)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for kind, fields in item.items():
                if kind in ("SubLink", "RangeSubselect"):
                    continue
                if kind == "FuncCall" and isinstance(fields, dict):
                    aggregated = aggregated or _aggregated(fields)
                    args = fields.get("args") or ()
                    one = len(args) == 1 and "ColumnRef" in args[0]
                    if one and _function(fields) in TYPED_AGGREGATES:
                        typed.append(fields)
                if isinstance(fields, (dict, list)):
                    stack.append(fields)
    return aggregated, typed


def grouped_columns(
    script: Script, fields: dict, ctx: Ctx, sources: Callable[[], tuple[dict, list]]
) -> None:
    """The columns a grouped query (a SelectStmt's ``fields``) names outside
    its aggregates, each a need of the column with what its table is grouped
    by (``Effect.grouped``); and the columns its ``min``, ``max``, ``sum`` and
    ``avg`` take (``Effect.aggregate``). ``sources()``: what each name of its
    FROM stands for, and the items there that are no table (see
    ``queries.from_items``)."""
    if ctx.body and not ctx.resolved:
        return  # a routine's body: read as it runs
    targets = [t.get("ResTarget", {}) for t in fields.get("targetList") or ()]
    group = []
    for item in fields.get("groupClause") or ():
        row = item.get("RowExpr")
        if row is not None and row.get("row_format") == "COERCE_IMPLICIT_CAST":
            group += row.get("args") or ()  # GROUP BY (a, b): a list, not one row
        else:
            group.append(item)
    aggregated, typed = _calls([t.get("val") for t in targets])
    typed += _calls([fields.get("havingClause")])[1]
    if not targets or not (group or aggregated or typed):
        return
    tables, others = sources()
    one = next(iter(tables.values())) if len(tables) == 1 and not others else None

    def column_of(ref: dict) -> tuple[ObjectRef, str] | None:
        words = strings(ref.get("fields", ()))
        if len(words) == 2 and words[0] in tables and tables[words[0]] is not None:
            return tables[words[0]], words[1]
        if len(words) == 1 and one is not None and not ctx.plpgsql and words[0] not in ctx.params:
            return one, words[0]
        return None

    for call in typed:
        ref = call["args"][0]["ColumnRef"]
        found = column_of(ref)
        if found is not None:
            table, name = found
            column = ObjectRef(COLUMN, table.schema, name, table=table.qualified)
            where = ref.get("location")
            script.emit(REQUIRE, column, where, ctx, aggregate=_function(call) or "")
    if not (group or aggregated) or fields.get("groupDistinct"):
        return
    if any("GroupingSet" in g for g in group):
        return
    if any(
        any("A_Star" in f for f in (t.get("val") or {}).get("ColumnRef", {}).get("fields", ()))
        for t in targets
    ):
        return
    exprs: set = set()
    by_table: dict[str, set[str]] = {}
    loose: set[str] = set()  # names grouped bare where they may be any table's

    def grouping(item: dict) -> None:
        exprs.add(_canon(item))
        found = column_of(item["ColumnRef"]) if "ColumnRef" in item else None
        if found is not None:
            by_table.setdefault(found[0].qualified, set()).add(found[1])
        elif "ColumnRef" in item:
            loose.update(strings(item["ColumnRef"].get("fields", ()))[-1:])

    outputs = {t.get("name"): t.get("val") or {} for t in targets if t.get("name")}
    for item in group:
        value = (item.get("A_Const") or {}).get("ival")
        if value is not None:
            position = value.get("ival", 0)
            if 1 <= position <= len(targets):  # GROUP BY 1: the first output
                grouping(targets[position - 1].get("val") or {})
            continue
        words = strings((item.get("ColumnRef") or {}).get("fields", ()))
        if len(words) == 1 and words[0] in outputs:
            grouping(outputs[words[0]])  # (a name of the FROM list's columns comes first)
        grouping(item)

    functions = builtin_functions()
    kinds = {expr[0][0] for expr in exprs if expr}  # (of the node types grouped)
    for target in targets:
        stack = [target.get("val") or {}]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
                continue
            if not isinstance(item, dict):
                continue
            kind, inner = next(iter(item.items()), (None, None))
            if kind in kinds and _canon(item) in exprs:
                continue
            if kind == "ColumnRef":
                found = column_of(inner)
                if found is not None and found[1] not in loose:
                    table, name = found
                    script.emit(
                        REQUIRE,
                        ObjectRef(COLUMN, table.schema, name, table=table.qualified),
                        inner.get("location"),
                        ctx,
                        grouped=tuple(sorted(by_table.get(table.qualified, ()))),
                    )
            elif kind == "FuncCall":
                name = _function(inner)
                plain = name in functions and name not in AGGREGATES
                if plain and not (inner.get("over") or inner.get("agg_star")):
                    stack.append(inner.get("args") or [])
            elif kind in _PLAIN and isinstance(inner, dict):
                stack.extend(v for v in inner.values() if isinstance(v, (dict, list)))
            elif kind in _PLAIN:
                stack.append(inner)
