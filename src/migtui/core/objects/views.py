"""Views and materialized views: what their queries read, then the view."""

from __future__ import annotations

from migtui.core.casts import builtin
from migtui.core.facts import PROVIDE, REQUIRE
from migtui.core.model import MATVIEW, VIEW, ObjectRef
from migtui.core.objects.queries import (
    compared_labels,
    figured,
    joined_columns,
    named_sources,
    read,
    scoped_columns,
)
from migtui.core.objects.script import (
    Ctx,
    Script,
    calls_in,
    node,
    nodes_of,
    outside_subqueries,
    strings,
)
from migtui.core.sqlnames import SYSTEM_COLUMNS


def column_ref(table: ObjectRef, name: str) -> ObjectRef:
    return table.column(name)


def create_view(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("view", {})
    depends, inner_bare = reads_of(script, fields.get("query"), ctx)
    if not ctx.body:  # a routine's body is the server's to resolve when it runs
        query_columns(script, fields.get("query"), rv.get("location"), ctx)
    ref = script.range_var(rv, VIEW)
    if ref is None:
        return
    script.need_schema(ref, rv.get("location"), ctx)
    outputs = output_names(fields)
    script.unique_columns(outputs, "view", ref, rv.get("location"), ctx)
    script.emit(
        PROVIDE,
        ref,
        rv.get("location"),
        ctx,
        depends=depends,
        bare=tuple(b for q in branches(fields.get("query")) for b in bare_joined(script, q))
        + inner_bare,
        strict=not fields.get("replace"),
        outputs=outputs,
        starred=starred(script, fields) if outputs is None else None,
        output_types=output_types(script, fields.get("query")) if outputs else None,
        branch_types=branch_types(script, fields.get("query")),
        uses=calls_in(fields.get("query")),
    )


def query_columns(script: Script, query, location: int | None, ctx: Ctx) -> None:
    """The columns a view's (or a materialized view's, or CREATE TABLE AS's)
    query names must be there, and the enum labels it compares them with its
    enum's: PostgreSQL resolves the query when the relation is made."""
    for branch in branches(query):
        for column in _columns_named(script, branch):
            script.emit(REQUIRE, column, location, ctx)
        for column, where in _joined(script, branch):
            script.emit(REQUIRE, column, where, ctx)
        kind, fields = node(branch)
        one = _one_table(script, fields) if kind == "SelectStmt" else None
        if one is not None:  # ``WHERE status = 'done'``: a label of its enum
            compared_labels(script, one[0], fields.get("whereClause"), ctx, one[1])


def output_names(fields: dict) -> tuple[str, ...] | None:
    """The names of a view's columns, in order, as PostgreSQL names them; None
    when one of them cannot be told for sure (``*``, an unnamed expression of
    a kind not judged here). ``CREATE OR REPLACE VIEW`` must keep them."""
    kind, query = node(fields.get("query") or {})
    while kind == "SelectStmt" and query.get("op", "SETOP_NONE") != "SETOP_NONE":
        kind, query = "SelectStmt", query.get("larg") or {}  # named by the first branch
    targets = query.get("targetList") if kind == "SelectStmt" else None
    if not targets:
        return None
    names = []
    for target in targets:
        fields_ = target.get("ResTarget", {})
        name = fields_.get("name") or figured(fields_.get("val"))
        if name is None:
            return None
        names.append(name)
    aliases = strings(fields.get("aliases", ()))
    if len(aliases) > len(names):
        return None
    return tuple(aliases) + tuple(names[len(aliases) :])


def starred(script: Script, fields: dict) -> tuple | None:
    """A select list with ``*`` over tables, for the walk to spell out (see
    ``Effect.starred``): PostgreSQL refuses a view or a table made of a query
    whose ``*`` gives a name twice (42701), as ``SELECT * FROM a JOIN b ON …``
    does when both have an ``id``. None when a name it gives cannot be told,
    or a ``*`` reaches what is not a table (a subquery, a function, a
    ``NATURAL`` join)."""
    kind, query = node(fields.get("query") or {})
    while kind == "SelectStmt" and query.get("op", "SETOP_NONE") != "SETOP_NONE":
        query = query.get("larg") or {}  # named by the first branch
    if kind != "SelectStmt" or query.get("withClause") or fields.get("aliases"):
        return None
    sources = query.get("fromClause") or ()
    items: list[tuple[str, str, tuple[str, ...]]] = []
    for target in query.get("targetList") or ():
        item = target.get("ResTarget", {})
        value_kind, value = node(item.get("val") or {})
        names = value.get("fields", ()) if value_kind == "ColumnRef" else ()
        if not any("A_Star" in n for n in names):
            name = item.get("name") or figured(item.get("val"))
            if name is None:
                return None
            items.append(("", name, ()))
        elif len(names) == 1:
            spread = _spread(script, sources)
            if spread is None:
                return None
            items += spread
        elif len(names) == 2:
            table = named_sources(script, sources)[0].get(strings(names[:1])[0])
            if table is None:
                return None
            items.append((table.qualified, "*", ()))
        else:
            return None
    return tuple(items) if any(name == "*" for _, name, _ in items) else None


def _spread(script: Script, sources) -> list | None:
    """What a bare ``*`` over a FROM list gives: the names ``JOIN … USING``
    merges, once each, then each table's columns less those; None when it
    reaches what is not a table."""
    tables: list[tuple[str, str, tuple[str, ...]]] = []
    merged: dict[str, None] = {}

    def visit(item: dict, left_out: tuple[str, ...]) -> bool:
        if "JoinExpr" in item:
            join = item["JoinExpr"]
            if join.get("isNatural") or (join.get("alias") or {}).get("aliasname"):
                return False
            using = tuple(strings(join.get("usingClause", ())))
            merged.update(dict.fromkeys(using))
            return visit(join.get("larg") or {}, left_out + using) and visit(
                join.get("rarg") or {}, left_out + using
            )
        rv = item.get("RangeVar")
        if rv is None or (rv.get("alias") or {}).get("colnames"):
            return False
        table = script.range_var(rv)
        if table is None:
            return False
        tables.append((table.qualified, "*", left_out))
        return True

    if not sources or not all(visit(item, ()) for item in sources):
        return None
    return [("", name, ()) for name in merged] + tables


def output_types(script: Script, query) -> tuple[str, ...] | None:
    """The types of a view's columns where they can be told (see
    ``Effect.output_types``): ``CREATE OR REPLACE VIEW`` must keep them."""
    kind, fields = node(query or {})
    if kind != "SelectStmt" or fields.get("op", "SETOP_NONE") != "SETOP_NONE":
        return None  # a set operation's columns take the types of all its branches
    table = _one_table(script, fields)
    return tuple(
        _output_type(t.get("ResTarget", {}).get("val"), table)
        for t in fields.get("targetList") or ()
    )


def branch_types(script: Script, query) -> tuple[tuple[str, ...], ...] | None:
    """The types of each branch's columns of a set operation (``UNION``,
    ``INTERSECT``, ``EXCEPT``) where they can be told (see ``output_types``),
    a quoted constant or NULL left untold (it takes the other branches'
    type); None for a plain query. PostgreSQL resolves each column to one
    type (see ``Effect.branch_types``)."""
    kind, fields = node(query or {})
    if kind != "SelectStmt" or fields.get("op", "SETOP_NONE") == "SETOP_NONE":
        return None
    found = []
    for branch in branches(query):
        _, plain = node(branch)
        if plain.get("valuesLists"):
            return None
        table = _one_table(script, plain)
        found.append(
            tuple(
                _output_type(t.get("ResTarget", {}).get("val"), table, literals=False)
                for t in plain.get("targetList") or ()
            )
        )
    return tuple(found) if len(found) > 1 else None


def _one_table(script: Script, fields: dict) -> tuple[ObjectRef, set[str]] | None:
    """The query's one table, and the names it goes by there; None for a join,
    a subquery or a WITH, where a column's name does not say whose it is."""
    sources = fields.get("fromClause", ())
    if fields.get("withClause") or len(sources) != 1 or "RangeVar" not in sources[0]:
        return None
    rv = sources[0]["RangeVar"]
    table = script.range_var(rv)
    if table is None or (rv.get("alias") or {}).get("colnames"):
        return None
    return table, {rv.get("relname", ""), (rv.get("alias") or {}).get("aliasname", "")} - {""}


def _output_type(
    value: dict | None, table: tuple[ObjectRef, set[str]] | None, literals: bool = True
) -> str:
    """``literals``: a quoted constant is text (as a view's column alone),
    else untold (a set operation's branch: it takes the others' type)."""
    kind, fields = node(value or {})
    if kind == "TypeCast":
        type_name = fields.get("typeName") or {}
        if type_name.get("arrayBounds"):
            return ""
        return builtin(strings(type_name.get("names", ())))
    if kind == "A_Const":
        if "ival" in fields:
            return "int4"
        if "boolval" in fields:
            return "bool"
        if "sval" in fields and literals:
            return "text"  # an untyped string in a view's select list is text
        return ""
    if kind == "ColumnRef" and table is not None:
        words = strings(fields.get("fields", ()))
        ref, own = table
        if len(words) == 1 or (len(words) == 2 and words[0] in own):
            return f"column:{ref.qualified}:{words[-1]}"
    return ""


def reads_of(script: Script, query, ctx: Ctx) -> tuple[tuple, tuple]:
    """Read a query; the relations it needs, which a view on it depends on, the
    columns of them it names when that is sure (see ``_columns_read``) and the
    types it names (its casts);
    and the bare names of its inner queries of one table (see ``Effect.bare``)."""
    before = len(script.effects)
    held: list = []  # what its subqueries and WITH queries read (see scoped_columns)
    if read(script, query, ctx):  # (a plain query's columns are judged by the view)
        scoped_columns(script, query, ctx, held)
    relations = script.needed_since(before)
    columns: dict[ObjectRef, None] = dict.fromkeys(h for h in held if isinstance(h, ObjectRef))
    for branch in branches(query):
        columns.update(dict.fromkeys(_columns_read(script, branch)))
        columns.update(dict.fromkeys(column for column, _ in _joined(script, branch)))
        columns.update(dict.fromkeys(_starred(script, branch)))
    bare = tuple(dict.fromkeys(h for h in held if not isinstance(h, ObjectRef)))
    return relations + tuple(columns) + script.needed_since(before, "type"), bare


def branches(query) -> list[dict]:
    """The plain queries a query is made of: the query itself, or each
    branch of a set operation (``UNION``, ``INTERSECT``, ``EXCEPT``), whose
    columns a view keeps as it keeps a plain query's. None under a ``WITH``
    on the set operation, whose names a branch may read as tables."""
    kind, fields = node(query or {})
    if kind != "SelectStmt":
        return []
    if fields.get("op", "SETOP_NONE") == "SETOP_NONE":
        return [query]
    if fields.get("withClause"):
        return []
    found = []
    stack = [fields.get("rarg") or {}, fields.get("larg") or {}]
    while stack:
        part = stack.pop()
        if part.get("op", "SETOP_NONE") == "SETOP_NONE":
            found.append({"SelectStmt": part})
        elif not part.get("withClause"):
            stack += [part.get("rarg") or {}, part.get("larg") or {}]
    return found


def _joined(script: Script, query) -> list:
    """The columns a query of several tables names with a table's name or
    alias (see ``queries.joined_columns``), and where: the view keeps them."""
    kind, fields = node(query or {})
    if kind != "SelectStmt" or fields.get("op", "SETOP_NONE") != "SETOP_NONE":
        return []
    sources = fields.get("fromClause") or ()
    if fields.get("withClause") or not sources or (len(sources) == 1 and "RangeVar" in sources[0]):
        return []  # one table: see _columns_read
    parts = ("targetList", "whereClause", "groupClause", "havingClause", "distinctClause")
    return joined_columns(script, sources, fields, parts)


def _join_parts(script: Script, query) -> tuple[dict, list, dict] | None:
    """A plain query of several tables, joined or listed: what each name of
    its FROM stands for, its joins' conditions, and the query's fields."""
    kind, fields = node(query or {})
    if kind != "SelectStmt" or fields.get("op", "SETOP_NONE") != "SETOP_NONE":
        return None
    sources = fields.get("fromClause") or ()
    if fields.get("withClause") or not sources or (len(sources) == 1 and "RangeVar" in sources[0]):
        return None
    tables, conditions = named_sources(script, sources)
    return tables, conditions, fields


def bare_joined(script: Script, query) -> tuple:
    """The columns a view of several tables names without saying whose
    (``SELECT x, y FROM a JOIN b …``), each with the tables it may be of; see
    ``Effect.bare``. None when a name of the FROM is a subquery or a function,
    whose columns a bare name may be."""
    parts = _join_parts(script, query)
    if parts is None:
        return ()
    tables, conditions, fields = parts
    if any(t is None for t in tables.values()):
        return ()
    candidates = tuple(dict.fromkeys(tables.values()))
    named: dict[str, None] = {}
    for item in outside_subqueries(
        fields.get("targetList"), fields.get("whereClause"), *conditions
    ):
        ref = item.get("ColumnRef")
        if isinstance(ref, dict) and len(ref.get("fields", ())) == 1:
            words = strings(ref["fields"])
            if words and words[0] not in SYSTEM_COLUMNS and words[0] not in tables:
                named[words[0]] = None
    return tuple((name, candidates) for name in named)


def _starred(script: Script, query) -> tuple:
    """``a.*`` in a view of several tables: every column ``a`` has then."""
    parts = _join_parts(script, query)
    if parts is None:
        return ()
    tables, _, fields = parts
    found = []
    for item in outside_subqueries(fields.get("targetList")):
        ref = item.get("ColumnRef")
        if isinstance(ref, dict):
            names = ref.get("fields", ())
            words = strings(names)
            if len(names) == 2 and "A_Star" in names[1] and tables.get(words[0]) is not None:
                found.append(column_ref(tables[words[0]], "*"))
            elif len(names) == 1 and "A_Star" in names[0]:  # every table's, of all
                found += [column_ref(t, "*") for t in tables.values() if t is not None]
    return tuple(found)


def _columns_named(script: Script, query) -> tuple:
    """The columns of its one table a view's query must find in its select
    list and WHERE (``_columns_read`` there), less ``*``, the table's own name
    (a whole row) and the system columns every table has."""
    read = _columns_read(script, query, parts=("targetList", "whereClause"))
    if not read:
        return ()
    rv = node(query)[1]["fromClause"][0]["RangeVar"]
    own = {rv.get("relname", ""), (rv.get("alias") or {}).get("aliasname", ""), "*"}
    return tuple(c for c in read if c.name not in own and c.name not in SYSTEM_COLUMNS)


def _columns_read(
    script: Script,
    query,
    parts: tuple[str, ...] = (
        "targetList",
        "whereClause",
        "groupClause",
        "havingClause",
        "distinctClause",
    ),
) -> tuple:
    """The columns a query of one table names (and ``*``, all it has then): a
    view keeps them, and PostgreSQL refuses to drop one or change its type
    while the view stands. Only for a plain query of one table, where every
    column name is that table's: a join, a subquery, a WITH or a set operation
    leaves the columns unsaid (the view still depends on its tables)."""
    kind, fields = node(query or {})
    if kind != "SelectStmt" or fields.get("op", "SETOP_NONE") != "SETOP_NONE":
        return ()
    sources = fields.get("fromClause", ())
    if fields.get("withClause") or len(sources) != 1 or "RangeVar" not in sources[0]:
        return ()
    if any("SubLink" in item or "RangeSubselect" in item for item in nodes_of(fields)):
        return ()
    rv = sources[0]["RangeVar"]
    if (rv.get("alias") or {}).get("colnames"):
        return ()  # an alias's column list renames the columns
    table = script.range_var(rv)
    if table is None:
        return ()
    own_names = {rv.get("relname", ""), (rv.get("alias") or {}).get("aliasname", "")} - {""}
    columns: dict[str, None] = {}
    for part in parts:
        for item in nodes_of(fields.get(part)):
            ref = item.get("ColumnRef")
            if not isinstance(ref, dict):
                continue
            names = ref.get("fields", ())
            if any("A_Star" in n for n in names):
                columns["*"] = None
                continue
            words = strings(names)
            if len(words) == 1 or (len(words) == 2 and words[0] in own_names):
                columns[words[-1]] = None
    return tuple(column_ref(table, name) for name in columns)


def refresh(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("relation", {})
    filled = not fields.get("skipData")  # (WITH NO DATA empties it)
    how = "concurrently" if fields.get("concurrent") else "data" if filled else "no data"
    matview = script.range_var(rv, MATVIEW)
    if ctx.body:  # a SQL body: refreshes when called
        filled, how = False, ""
    script.emit(REQUIRE, matview, rv.get("location"), ctx, filled=filled, refresh=how)
