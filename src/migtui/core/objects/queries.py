"""Queries and expressions: the relations, sequences and types they need.

One walk over any tree of a query (SELECT, INSERT, UPDATE, DELETE, MERGE,
VALUES, and the expressions inside DDL: defaults, checks, policies, view
bodies). CTE names hide tables of that name within their query; catalog
relations and temporary tables need nothing; ``nextval('s')``,
``'t'::regclass`` and ``set_config('search_path', …)`` are read for the names
inside their strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from migtui.core.builtins import builtin_arities, builtin_functions, takes_arguments
from migtui.core.facts import (
    EXTENSION_ONLY,
    INVALID_DEFINITION,
    MISSING_OUTPUT,
    MISSING_TYPE,
    NAME_ONLY_FUNCTION_CHECK,
    NAME_ONLY_TRIGGER_CHECK,
    PROVIDE,
    REQUIRE,
    SYNTAX_ERROR,
)
from migtui.core.model import COLUMN, CONSTRAINT, FUNCTION, SEQUENCE, TABLE, ObjectRef
from migtui.core.objects.grouping import grouped_columns
from migtui.core.objects.script import (
    Ctx,
    Script,
    const_string,
    index_key,
    node,
    outside_subqueries,
    range_var_names,
    strings,
    value_type,
)
from migtui.core.sqlnames import SYSTEM_COLUMNS, fold, is_builtin_type

_SEQUENCE_FUNCTIONS = frozenset({"nextval", "setval", "currval"})
#: Schemas of PostgreSQL's own functions.
_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
_REGCLASS = frozenset({"regclass"})
#: Keys of query nodes that name relations without reading them.
_SKIPPED_KEYS = frozenset({"lockingClause", "intoClause", "withClause"})
#: Nodes that hold no name a query could need: constants, parameters, ``*``, and
#: type names (a cast to ``regclass`` is read at its TypeCast).
_LEAVES = frozenset(
    {
        "A_Const",
        "String",
        "Integer",
        "Float",
        "Boolean",
        "BitString",
        "ParamRef",
        "A_Star",
        "TypeName",
    }
)
_SIGNATURE_NAMES = frozenset(
    {
        "pg_get_function_identity_arguments",
        "pg_get_function_arguments",
        "proargtypes",
        "proallargtypes",
        "regprocedure",
        "pronargs",
    }
)


def _given_values(fields: dict, count: int) -> tuple[bool, ...]:
    """For each listed column of an INSERT: whether some row gives it a value
    of its own (not DEFAULT), unless OVERRIDING SYSTEM VALUE lets it."""
    if fields.get("override") == "OVERRIDING_SYSTEM_VALUE":
        return (False,) * count
    select = (fields.get("selectStmt") or {}).get("SelectStmt", {})
    rows = select.get("valuesLists")
    if not rows:
        return (True,) * count  # INSERT … SELECT gives every column a value
    given = [False] * count
    for row in rows:
        items = row.get("List", {}).get("items", ())
        for i, item in enumerate(items[:count]):
            if "SetToDefault" not in item:
                given[i] = True
    return tuple(given)


def _value_types(fields: dict, count: int) -> tuple[str, ...]:
    """For each listed column of an INSERT … VALUES: the type of the constant
    every row gives it (see ``value_type``), or ""."""
    rows = ((fields.get("selectStmt") or {}).get("SelectStmt", {})).get("valuesLists") or ()
    found: list[set[str]] = [set() for _ in range(count)]
    for row in rows:
        items = row.get("List", {}).get("items", ())
        for i in range(count):
            found[i].add(value_type(items[i]) if i < len(items) else "")
    return tuple(next(iter(kinds)) if len(kinds) == 1 else "" for kinds in found)


def read(
    script: Script, tree, ctx: Ctx, hidden: frozenset[str] = frozenset(), runs: bool = False
) -> bool:
    """Record what a query or expression tree needs, in the order it is written.
    ``runs``: the tree is a statement run now, so the functions it calls run too.
    True when the tree holds a query within a query (a subquery, a WITH
    query, a set operation's branches): see ``scoped_columns``."""
    reader = _Reader(script, ctx, runs)
    reader.walk(tree, hidden)
    if reader.catalog:
        name_only_checks(script, reader.catalog, reader.words, ctx)
    return reader.queries > 1


def _width(select: dict) -> int | None:
    """How many columns a query gives (a set operation: its first branch's),
    None when a ``*`` makes it unknown."""
    while select.get("op", "SETOP_NONE") != "SETOP_NONE":
        select = select.get("larg") or {}
    values = select.get("valuesLists")
    if values:
        return len(values[0].get("List", {}).get("items", ()))
    targets = select.get("targetList") or ()
    for target in targets:
        val = target.get("ResTarget", {}).get("val") or {}
        parts = val.get("ColumnRef", {}).get("fields", ()) or val.get("A_Indirection", {}).get(
            "indirection", ()
        )
        if any("A_Star" in part for part in parts):
            return None  # t.* or (f()).*: as many as the row has
    return len(targets) or None


def join_conditions(script: Script, kind: str, fields: dict, ctx: Ctx) -> None:
    """A JOIN's ON sees the tables of that join only: not another item of the
    same FROM (``FROM a, b JOIN c ON c.id = a.id``), nor the table an UPDATE
    changes or a DELETE deletes from (``UPDATE a … FROM b JOIN c ON c.id =
    a.id``). PostgreSQL refuses such a name (42P01: invalid reference to
    FROM-clause entry). A FROM with a LATERAL item is left alone."""
    items = fields.get("usingClause" if kind == "DeleteStmt" else "fromClause") or ()
    if not any("JoinExpr" in item for item in items):
        return
    if any(_lateral(item) for item in items):
        return
    names = [_from_names(item) for item in items]
    target = fields.get("relation") if kind != "SelectStmt" else None
    changed = _from_names({"RangeVar": target}) if target else set()
    for i, item in enumerate(items):
        if "JoinExpr" not in item:
            continue
        others = set(changed).union(*(n for j, n in enumerate(names) if j != i))
        for join, inside in _joins(item["JoinExpr"]):
            for owner, column, location in _qualified_columns(join.get("quals")):
                if owner in others and owner not in inside:
                    what = (
                        "the table this statement changes"
                        if owner in changed
                        else "another item of this FROM list"
                    )
                    script.find(
                        INVALID_DEFINITION,
                        ctx.line(location),
                        f"{owner}.{column} in a JOIN's ON: {owner} is {what}, which the ON of a "
                        "JOIN cannot see: PostgreSQL refuses the invalid reference to a "
                        "FROM-clause entry (42P01)",
                        "move the condition to WHERE, which sees every table of the "
                        "statement (the ON of a JOIN names only the tables it joins)",
                        ctx,
                        sure=True,
                    )
                    return


def _lateral(item: dict) -> bool:
    for kind in ("RangeSubselect", "RangeFunction", "RangeTableFunc"):
        if item.get(kind, {}).get("lateral"):
            return True
    join = item.get("JoinExpr")
    return join is not None and (
        _lateral(join.get("larg") or {}) or _lateral(join.get("rarg") or {})
    )


def _from_names(item: dict) -> set[str]:
    """The names a FROM item's tables go by (alias, or the table's own name)."""
    if "JoinExpr" in item:
        join = item["JoinExpr"]
        alias = (join.get("alias") or {}).get("aliasname")
        if alias:
            return {alias}
        return _from_names(join.get("larg") or {}) | _from_names(join.get("rarg") or {})
    for kind, fields in item.items():
        if type(fields) is not dict:
            continue
        alias = (fields.get("alias") or {}).get("aliasname")
        if alias:
            return {alias}
        if kind == "RangeVar" and fields.get("relname"):
            return {fields["relname"]}
    return set()


def _joins(join: dict):
    """Each JOIN of a FROM item with the names its ON sees (its own tables)."""
    inside = _from_names(join.get("larg") or {}) | _from_names(join.get("rarg") or {})
    yield join, inside
    for side in (join.get("larg") or {}, join.get("rarg") or {}):
        if "JoinExpr" in side:
            yield from _joins(side["JoinExpr"])


def _qualified_columns(tree):
    """``owner.column`` names of an expression, outside its subqueries."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if type(item) is list:
            stack.extend(item)
        elif type(item) is dict:
            ref = item.get("ColumnRef")
            if type(ref) is dict:
                parts = ref.get("fields", ())
                if len(parts) == 2 and all("String" in p for p in parts):
                    yield (
                        parts[0]["String"]["sval"],
                        parts[1]["String"]["sval"],
                        ref.get("location"),
                    )
                continue
            stack.extend(v for k, v in item.items() if k != "SubLink")


def _counts(spans) -> str:
    """``((2, 2), (3, None))`` as "2, or 3 or more"."""
    said = []
    for low, high in sorted(spans, key=lambda s: s[0]):
        if high is None:
            said.append(f"{low} or more")
        elif low == high:
            said.append(str(low))
        else:
            said.append(f"{low} to {high}")
    return ", or ".join(dict.fromkeys(said))


class _Reader:
    def __init__(self, script: Script, ctx: Ctx, runs: bool = False) -> None:
        self.script = script
        self.ctx = ctx
        self.runs = runs
        #: catalog relations an existence test reads (pg_proc, pg_trigger), and
        #: the column and function names around them
        self.catalog: dict[str, int | None] = {}
        self.words: set[str] = set()
        #: queries seen (a set operation counts for two)
        self.queries = 0

    def walk(self, tree, hidden: frozenset[str]) -> None:
        stack = [(tree, hidden)]
        pop, push = stack.pop, stack.append
        while stack:
            item, hidden = pop()
            kind_of = type(item)
            if kind_of is list:
                for x in reversed(item):
                    if type(x) in _BRANCHES:
                        push((x, hidden))
                continue
            if kind_of is not dict:
                if kind_of is _Columns:
                    self.target_columns(item.kind, item.fields)
                elif kind_of is _Provide:
                    rel = item.rel
                    self.script.emit(
                        PROVIDE, self.script.range_var(rel), rel.get("location"), self.ctx
                    )
                continue
            if "relpersistence" in item:  # a RangeVar held directly by its parent
                hidden = self.visit("RangeVar", item, hidden, stack)
                continue
            if len(item) == 1:
                for kind, fields in item.items():
                    if kind in _LEAVES:
                        break
                    if type(fields) is dict and kind[:1].isupper():
                        hidden = self.visit(kind, fields, hidden, stack)
                        break
                    _push_children(push, item, hidden)
                continue
            _push_children(push, item, hidden)

    def visit(self, kind: str, fields: dict, hidden: frozenset[str], stack: list) -> frozenset:
        script, ctx = self.script, self.ctx
        if kind == "RangeVar":
            names = range_var_names(fields)
            if names[-1:] in (["pg_proc"], ["pg_trigger"]) and names[0] in (
                names[-1],
                "pg_catalog",
            ):
                self.catalog.setdefault(names[-1], fields.get("location"))
            if len(names) == 1 and names[0] in hidden:
                return hidden
            script.emit(REQUIRE, script.range_var(fields), fields.get("location"), ctx)
            return hidden
        later: list = []
        if kind in ("InsertStmt", "UpdateStmt"):
            stack.append((_Columns(kind, fields), hidden))  # after the table itself
        if kind in ("SelectStmt", "UpdateStmt", "DeleteStmt"):
            join_conditions(script, kind, fields, ctx)
        if kind in ("SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"):
            self.queries += 1 if fields.get("op", "SETOP_NONE") == "SETOP_NONE" else 2
            if fields.get("op", "SETOP_NONE") != "SETOP_NONE":
                self.set_widths(fields)
            elif kind == "SelectStmt" and fields.get("targetList"):
                grouped_columns(script, fields, ctx, partial(self.sources, fields, hidden))
            with_clause = fields.get("withClause")
            if with_clause:
                ctes = [c.get("CommonTableExpr", {}) for c in with_clause.get("ctes", ())]
                names = frozenset(c.get("ctename", "") for c in ctes)
                hidden = hidden | names
                # a CTE's body comes first: it runs before the query using it
                later.extend(c.get("ctequery") for c in ctes)
            if kind == "SelectStmt" and fields.get("op", "SETOP_NONE") != "SETOP_NONE":
                # the branches are queries of their own (each may have its WITH)
                rest = {k: v for k, v in fields.items() if k not in ("larg", "rarg")}
                branches = [{"SelectStmt": fields[k]} for k in ("larg", "rarg") if fields.get(k)]
                _push_children(stack.append, rest, hidden)
                stack.extend((x, hidden) for x in reversed(branches))
                stack.extend((x, hidden) for x in reversed(later))
                return hidden
            into = fields.get("intoClause")
            if into and not ctx.plpgsql:
                rel = into.get("rel", {})
                children = [v for k, v in fields.items() if k not in _SKIPPED_KEYS]
                stack.append((_Provide(rel), hidden))
                stack.extend((x, hidden) for x in reversed(children))
                stack.extend((x, hidden) for x in reversed(later))
                return hidden
        elif kind == "ColumnRef":
            self.words.update(strings(fields.get("fields", ())))
            return hidden
        elif kind == "FuncCall":
            self.words.update(strings(fields.get("funcname", ())))
            if self.function(fields):
                rest = {k: v for k, v in fields.items() if k != "args"}
                stack.append((fields["args"][1:], hidden))
                stack.append((rest, hidden))
                return hidden
        elif kind == "TypeCast" and self.cast(fields):
            return hidden
        elif kind == "CollateClause":
            script.need_collation(fields.get("collname"), fields.get("location"), ctx)
        _push_children(stack.append, fields, hidden)
        stack.extend((x, hidden) for x in reversed(later))
        return hidden

    def sources(self, fields: dict, hidden: frozenset[str]) -> tuple[dict, list]:
        """What the names of a query's FROM stand for (see ``from_items``);
        a WITH query's names are no table."""
        ctes = (fields.get("withClause") or {}).get("ctes", ())
        hidden = hidden | {c.get("CommonTableExpr", {}).get("ctename", "") for c in ctes}
        tables, _, others = from_items(self.script, fields.get("fromClause") or [], hidden)
        return tables, others

    def set_widths(self, fields: dict) -> None:
        """The branches of a UNION, INTERSECT or EXCEPT must give as many
        columns each: PostgreSQL refuses it otherwise (42601)."""
        left, right = _width(fields.get("larg") or {}), _width(fields.get("rarg") or {})
        if left is None or right is None or left == right:
            return
        operation = fields.get("op", "").removeprefix("SETOP_")
        targets = (fields.get("rarg") or {}).get("targetList") or ()
        location = targets[0].get("ResTarget", {}).get("location") if targets else None
        self.script.find(
            SYNTAX_ERROR,
            self.ctx.line(location),
            f"the branches of this {operation} give {left} and {right} columns: each must "
            f"give as many, and PostgreSQL refuses it (42601)",
            "give both branches the same columns (NULL::type stands for one a branch lacks)",
            self.ctx,
            sure=True,
        )

    def target_columns(self, kind: str, fields: dict) -> None:
        """INSERT INTO t (a, b) and UPDATE t SET a = …: t must have a and b."""
        rel = fields.get("relation") or {}
        if not rel.get("relname"):
            return
        table = self.script.range_var(rel)
        key = "cols" if kind == "InsertStmt" else "targetList"
        names = [t.get("ResTarget", {}).get("name") for t in fields.get(key) or ()]
        given = _given_values(fields, len(names)) if kind == "InsertStmt" else ()
        if kind == "InsertStmt":
            types = _value_types(fields, len(names))
        else:  # UPDATE … SET a = value: PostgreSQL types it when it reads the statement
            types = tuple(
                value_type(t.get("ResTarget", {}).get("val")) for t in fields.get(key) or ()
            )
        valued = (
            tuple(
                "SetToDefault" not in (t.get("ResTarget", {}).get("val") or {})
                for t in fields.get(key) or ()
            )
            if kind == "UpdateStmt"
            else ()
        )
        nulled = (
            tuple(
                bool(((t.get("ResTarget", {}).get("val") or {}).get("A_Const") or {}).get("isnull"))
                for t in fields.get(key) or ()
            )
            if kind == "UpdateStmt"
            else ()
        )
        self.script.need_columns(
            table,
            names,
            rel.get("location"),
            self.ctx,
            given,
            types,
            kind == "UpdateStmt",
            valued,
            nulled,
        )
        infer = (fields.get("onConflictClause") or {}).get("infer") or {}
        if kind == "InsertStmt" and table is not None and infer.get("conname"):
            # ON CONFLICT ON CONSTRAINT c: the table must have c (42704)
            named = ObjectRef(CONSTRAINT, table.schema, infer["conname"], table=table.qualified)
            self.script.emit(REQUIRE, named, infer.get("location"), self.ctx)
        elif kind == "InsertStmt" and table is not None and not infer.get("whereClause"):
            # ON CONFLICT (a, b): a unique index or key of exactly those columns
            # (or of exactly those expressions: ON CONFLICT (lower(email)))
            elements = [e.get("IndexElem", {}) for e in infer.get("indexElems") or ()]
            keys = tuple(dict.fromkeys(index_key(e) for e in elements))
            if elements and None not in keys:
                self.script.mark_need(table, self.ctx, arbiter=keys)
        if kind != "InsertStmt" or table is None or self.ctx.body or self.ctx.plpgsql:
            return
        select = fields.get("selectStmt")
        rows = ((select or {}).get("SelectStmt") or {}).get("valuesLists") or ()
        if rows and not names:
            # VALUES without a column list: the table's first columns, in order
            count = max(len(row.get("List", {}).get("items", ())) for row in rows)
            self.script.mark_need(
                table,
                self.ctx,
                positional=(count, _value_types(fields, count), _given_values(fields, count)),
            )
        if select is None or (select or {}).get("SelectStmt", {}).get("valuesLists"):
            # a row is written (or, ON CONFLICT, one is there): the table has rows
            self.script.filled.setdefault(table.key, self.ctx.line(rel.get("location")))
            upsert = bool(fields.get("onConflictClause"))
            self.script.mark_need(table, self.ctx, writes_row=True, upsert=upsert)
        if (names and (select or {}).get("SelectStmt", {}).get("valuesLists")) or select is None:
            # a row is sure to be written: its other columns get their defaults
            self.script.mark_insert(table, tuple(names), rel.get("location"), self.ctx)

    def function(self, fields: dict) -> bool:
        """A call needs its function (unless PostgreSQL has it); read names
        written in its strings. True when its first argument is done."""
        names = strings(fields.get("funcname", ()))
        name = names[-1] if names else ""
        args = fields.get("args", ())
        if names and (not self.ctx.body or self.ctx.resolved):
            # (a SQL body's calls are resolved when it is made, to run later)
            self.called(names, fields.get("location"), _arity(fields))
            self.argument_count(names, fields)
        if name == "pg_extension_config_dump" and self.runs and not self.ctx.body:
            self._extension_only(name, fields.get("location"))
        if name in _SEQUENCE_FUNCTIONS and args and late_bound(args[0]):
            return True  # nextval('s'::text): the name is looked up as it runs, held by nothing
        if name in _SEQUENCE_FUNCTIONS and args:
            text = const_string(args[0])
            if text is not None:
                self.named_in_string(text, SEQUENCE, fields.get("location"))
                return True
        elif name == "set_config" and len(args) >= 2 and const_string(args[0]) == "search_path":
            value = const_string(args[1])
            if value is not None:
                line = None if self.ctx.body else self.ctx.line(fields.get("location"))
                self.script.set_search_path(path_from_string(value), line)
        return False

    def _extension_only(self, name: str, location: int | None) -> None:
        """A call only an extension's script may make, run by a migration."""
        if self.ctx.guarded or self.ctx.handled:
            return
        self.script.find(
            EXTENSION_ONLY,
            self.ctx.line(location),
            f"{name}() marks an extension's table for pg_dump, and may only be called by "
            "the script CREATE EXTENSION runs: PostgreSQL refuses it here (0A000)",
            "drop the call: outside an extension's script the table is dumped anyway",
            self.ctx,
            sure=True,
        )

    def argument_count(self, names: list[str], fields: dict) -> None:
        """A call of one of pg_catalog's names with a number of arguments none
        of its functions takes (``decode('')``, ``lower('a', 'b')``): PostgreSQL
        finds no function (42883), unless one of the folder's or an
        extension's has that name (the walk judges that)."""
        if len(names) > 2 or (len(names) == 2 and names[0] != "pg_catalog"):
            return
        if fields.get("func_variadic") or self.ctx.handled or self.ctx.guarded:
            return
        if fields.get("funcformat", "COERCE_EXPLICIT_CALL") != "COERCE_EXPLICIT_CALL":
            return  # SQL's own syntax (EXTRACT, SUBSTRING … FROM, AT TIME ZONE)
        name = names[-1]
        count = len(fields.get("args", ()))
        if fields.get("agg_within_group"):
            count += len(fields.get("agg_order", ()))
        if takes_arguments(name, count) is not False:
            return
        if count == 1 and is_builtin_type(name):
            return  # jsonb(x), uuid(x): a cast written as a call
        spans = builtin_arities()[name]
        self.script.find(
            MISSING_TYPE,
            self.ctx.line(fields.get("location")),
            f"{name}() is called with {count} argument{'s' * (count != 1)}, and no function "
            f"{name} of pg_catalog takes that many ({_counts(spans)}): PostgreSQL finds "
            "none to call and refuses (42883)",
            f"give {name} the arguments it takes, as PostgreSQL's documentation lists them",
            self.ctx,
            refs=(ObjectRef(FUNCTION, "pg_catalog", name),),
            sure=True,
        )

    def called(self, names: list[str], location: int | None, arity: int | None = None) -> None:
        """The function a call names must exist (of any arguments), unless it
        is pg_catalog's; an extension's comes with the extension. ``arity``:
        how many arguments it is given, where they are counted."""
        if len(names) > 2 or (len(names) == 2 and names[0] in _SYSTEM_SCHEMAS):
            return
        if len(names) == 1 and names[0] in builtin_functions():
            return
        ref = self.script.schema_object(names, FUNCTION)
        making = self.script.making
        if making is not None and ref is not None and ref.key[:3] == making.key[:3]:
            return  # a call of itself (or of an overload of its name)
        if ref is not None:
            runs = self.runs and not self.ctx.body
            self.script.emit(
                REQUIRE, ref, location, self.ctx, runs=runs, routine_kind=True, arity=arity
            )

    def cast(self, fields: dict) -> bool:
        """Read ``'name'::regclass``; True when the cast's argument is done with."""
        type_names = strings(fields.get("typeName", {}).get("names", ()))
        if type_names and type_names[-1] in _REGCLASS:
            text = const_string(fields.get("arg"))
            if text is not None:
                self.named_in_string(text, TABLE, fields.get("location"))
                return True
        self.words.update(strings(fields.get("typeName", {}).get("names", ())))
        # a quoted constant cast to a type is read as the statement is (not in
        # PL/pgSQL, whose statements are read as they run): an enum refuses a
        # label it lacks
        read_now = not self.ctx.plpgsql and (not self.ctx.body or self.ctx.resolved)
        label = None
        if read_now and not fields.get("typeName", {}).get("arrayBounds"):
            label = const_string(fields.get("arg"))
        self.script.need_type(fields.get("typeName"), self.ctx, label)
        return False

    def named_in_string(self, text: str, kind: str, location: int | None) -> None:
        names = names_in_string(text)
        if names:
            ref = self.script.relation(names, kind)
            self.script.emit(REQUIRE, ref, location, self.ctx)


#: Where a statement of one table names that table's columns.
_COLUMN_PARTS = {
    "UpdateStmt": ("targetList", "whereClause", "returningClause"),
    "DeleteStmt": ("whereClause", "returningClause"),
    "SelectStmt": ("targetList", "whereClause"),
}


def statement_columns(script: Script, kind: str, fields: dict, ctx: Ctx) -> None:
    """The columns a data statement of one table names must be that table's:
    an UPDATE or DELETE with no FROM or USING, a SELECT (alone, or an
    INSERT's) of one table; no WITH, and nothing inside a subquery, whose names
    may be another table's. In PL/pgSQL a bare name may be a variable: only
    names written with the table's name or alias count there. In a SQL body
    checked at creation, a bare name may be a parameter's."""
    if ctx.body and not ctx.resolved:
        return
    if kind == "InsertStmt":
        if fields.get("withClause"):
            return
        kind, fields = node(fields.get("selectStmt") or {})
    parts = _COLUMN_PARTS.get(kind)
    if parts is None or fields.get("withClause"):
        return
    if kind == "SelectStmt":
        sources = fields.get("fromClause") or ()
        if fields.get("op", "SETOP_NONE") != "SETOP_NONE" or not sources:
            return
        if len(sources) > 1 or "RangeVar" not in sources[0]:
            for column, location in joined_columns(script, sources, fields, parts):
                script.emit(REQUIRE, column, location, ctx)
            _joined_typed_uses(script, sources, fields, parts, ctx)
            return
        rv = sources[0].get("RangeVar")
    elif fields.get("fromClause") or fields.get("usingClause"):
        target = {"RangeVar": fields.get("relation") or {}}
        sources = [target, *(fields.get("fromClause") or fields.get("usingClause"))]
        for column, location in joined_columns(script, sources, fields, parts):
            script.emit(REQUIRE, column, location, ctx)
        _joined_typed_uses(script, sources, fields, parts, ctx)
        return
    else:
        rv = fields.get("relation")
    if not rv or not rv.get("relname") or (rv.get("alias") or {}).get("colnames"):
        return  # (an alias's column list renames the columns)
    table = script.range_var(rv)
    if table is None:
        return
    # an alias hides the table's own name
    own = {(rv.get("alias") or {}).get("aliasname") or rv.get("relname", "")}
    items = {part: list(outside_subqueries(fields.get(part))) for part in parts}
    for part in reversed(parts):  # (in the order outside_subqueries gives them)
        for item in items[part]:
            ref = item.get("ColumnRef")
            if isinstance(ref, dict):
                _table_column(script, table, own, ref, ctx)
    if not ctx.plpgsql:  # (PL/pgSQL: read as it runs)
        compared_labels(script, table, fields.get("whereClause"), ctx, own)  # (and its uses)
        for part in parts:
            if part != "whereClause":
                typed_uses(script, table, items[part], ctx, own)


#: Comparisons whose constant takes the column's type
_COMPARISONS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">="})


def _compared_columns(expr: dict, own: set[str], params=()):
    """Each column of one table (written bare, or with a name of ``own``) a
    comparison (``=``, ``<`` …, ``IN (…)``) sets against a value: the
    column's name, the value's tree, the column's location."""
    kind, op = expr.get("kind"), strings(expr.get("name", ()))
    left, right = expr.get("lexpr") or {}, expr.get("rexpr") or {}
    if kind == "AEXPR_OP" and op and op[-1] in _COMPARISONS:
        pairs = [(left, right), (right, left)]
    elif kind == "AEXPR_IN" and "List" in right:
        pairs = [(left, value) for value in right["List"].get("items", ())]
    else:
        return
    for column, value in pairs:
        words = strings((column.get("ColumnRef") or {}).get("fields", ()))
        if not words or len(words) > 2 or (len(words) == 2) != (words[0] in own):
            continue
        if len(words) == 1 and words[0] in params:
            continue
        yield words[-1], value, column["ColumnRef"].get("location")


def compared_labels(
    script: Script,
    table: ObjectRef,
    expr,
    ctx: Ctx,
    own: set[str] | None = None,
    only: str | bool = True,
) -> tuple[str, ...]:
    """The columns of ``table`` (written bare, or with a name of ``own``) an
    expression outside its subqueries compares with a quoted constant
    (``status = 'done'``, ``IN ('a', 'b')``): a WHERE of a statement or a view
    of that one table, a CHECK, an index's predicate. Each comparison is a need
    of the column with the constant, read as the column's type: a label its
    enum lacks is refused (22P02), and the constant keeps that type where
    PostgreSQL stores the expression. A column compared with a number
    (``status = 1``) is a need too, which a type no number compares with
    refuses (42883). ``only``: the one column judged (a column's own CHECK,
    which may name a column made after it)."""
    found = []
    names = own if own is not None else {table.name}
    items = list(outside_subqueries(expr))
    for item in items:
        if "A_Expr" not in item:
            continue
        # one reading of each comparison: a quoted constant is a label (and the
        # column is found), a number is said of the column's type
        for name, value, location in _compared_columns(item["A_Expr"], names, ctx.params):
            const = value.get("A_Const")
            label = const_string(value) if const is not None else None
            number = _number_type(const)
            if label is None and not number:
                continue
            if only is True or name == only:
                ref = ObjectRef(COLUMN, table.schema, name, table=table.qualified)
                if label is not None:
                    script.emit(REQUIRE, ref, location, ctx, cast_label=label)
                else:
                    script.emit(REQUIRE, ref, location, ctx, compared_number=number)
            if label is not None:
                found.append(name)
    typed_uses(script, table, items, ctx, names, only)
    return tuple(dict.fromkeys(found))


#: Built-in functions of strings whose first argument PostgreSQL takes as text
#: (or bytea, a range…): a number, a uuid, a boolean, a date or time, a json or
#: an enum has no implicit cast to any of them.
STRING_FUNCTIONS = frozenset(
    {
        "lower", "upper", "initcap", "replace", "btrim", "ltrim", "rtrim", "length",
        "char_length", "character_length", "split_part", "strpos", "substr", "left",
        "right", "reverse", "lpad", "rpad", "md5", "regexp_replace", "regexp_match",
        "regexp_matches", "regexp_split_to_array", "regexp_like", "starts_with",
        "translate", "repeat",
    }
)  # fmt: skip
#: Operators matching patterns, by their name in the tree (or the A_Expr kind).
_PATTERN_OPS = {"~~": "LIKE", "~~*": "ILIKE", "!~~": "LIKE", "!~~*": "ILIKE"}
_REGEX_OPS = frozenset({"~", "~*", "!~", "!~*"})


def typed_uses(
    script: Script,
    table: ObjectRef,
    items: Iterable[dict],
    ctx: Ctx,
    names: set[str],
    only: str | bool = True,
    qualified: bool = False,
) -> None:
    """The columns of ``table`` (written bare unless ``qualified``, or with a
    name of ``names``) that an expression, given as its nodes outside its
    subqueries (``items``), uses where only some types are taken:
    compared with ``TRUE`` or ``FALSE``, matched by LIKE, ILIKE or a regular
    expression, passed first to a built-in string function (``lower(id)``).
    Each is a need of the column with ``typed_use``, judged on its type."""
    for item in items:
        used = None
        if "A_Expr" in item:
            a = item["A_Expr"]
            op = strings(a.get("name", ()))
            kind = a.get("kind")
            left, right = a.get("lexpr") or {}, a.get("rexpr") or {}
            if kind in ("AEXPR_LIKE", "AEXPR_ILIKE") and op:
                used = [(left, _PATTERN_OPS.get(op[-1], "LIKE"))]
            elif kind == "AEXPR_OP" and op and op[-1] in _REGEX_OPS:
                used = [(left, "~")]
            elif kind == "AEXPR_OP" and op and op[-1] in _COMPARISONS:
                used = [
                    (column, "= boolean")
                    for column, value in ((left, right), (right, left))
                    if "boolval" in (value.get("A_Const") or {})
                ]
        elif "FuncCall" in item:
            call = item["FuncCall"]
            called = strings(call.get("funcname", ()))
            args = call.get("args") or ()
            plain = len(called) == 1 or (len(called) == 2 and called[0] == "pg_catalog")
            if called and plain and called[-1] in STRING_FUNCTIONS and args:
                used = [(args[0], f"{called[-1]}()")]
        for column, use in used or ():
            words = strings((column.get("ColumnRef") or {}).get("fields", ()))
            if not words or len(words) > 2 or (len(words) == 2) != (words[0] in names):
                continue
            if len(words) == 1 and (qualified or words[0] in ctx.params):
                continue
            if only is True or words[-1] == only:
                ref = ObjectRef(COLUMN, table.schema, words[-1], table=table.qualified)
                location = column["ColumnRef"].get("location")
                script.emit(REQUIRE, ref, location, ctx, typed_use=use)


def _number_type(const: dict | None) -> str:
    """A number written as one: ``int4`` or ``numeric``; "" for anything else."""
    if const is None:
        return ""
    return "int4" if "ival" in const else "numeric" if "fval" in const else ""


def _joined_typed_uses(script: Script, sources: list, fields: dict, parts, ctx: Ctx) -> None:
    """``typed_uses`` of a statement of several tables: each column written
    with its table's name or alias."""
    if ctx.plpgsql:
        return  # (PL/pgSQL: read as it runs)
    tables, conditions = named_sources(script, sources)
    items = list(outside_subqueries(*(fields.get(p) for p in parts), *conditions))
    for alias, table in tables.items():
        if table is not None:
            typed_uses(script, table, items, ctx, {alias}, qualified=True)


def joined_columns(
    script: Script, sources: list, fields: dict, parts: tuple[str, ...]
) -> list[tuple[ObjectRef, int | None]]:
    """The columns a statement of several tables (a join, UPDATE … FROM,
    DELETE … USING) names with a table's name or alias, in ``parts`` and its
    joins' ON conditions: each must be that table's. A bare name may be any
    of the tables', and a name inside a subquery its own tables': those are
    left alone."""
    tables, conditions = named_sources(script, sources)
    found = []
    for item in outside_subqueries(*(fields.get(part) for part in parts), *conditions):
        ref = item.get("ColumnRef")
        if isinstance(ref, dict):
            names = ref.get("fields", ())
            words = strings(names)
            if len(words) == 2 == len(names) and words[1] != "*":
                table = tables.get(words[0])
                if table is not None and words[1] not in SYSTEM_COLUMNS:
                    found.append((table.column(words[1]), ref.get("location")))
    return found


def named_sources(script: Script, sources: list) -> tuple[dict[str, ObjectRef | None], list]:
    """What each name of a FROM list (with its joins) stands for: a table, by
    its alias or else its own name, or None (a subquery, a function, a table
    whose columns an alias renames, a name given twice); and the joins' ON
    conditions."""
    tables, conditions, _ = from_items(script, sources)
    return tables, conditions


def from_items(
    script: Script, sources: list, hidden: frozenset[str] = frozenset()
) -> tuple[dict[str, ObjectRef | None], list, list[tuple[str, dict]]]:
    """``named_sources``, with ``hidden`` the names of WITH queries (a bare
    name of one is no table), and the items that are no table or join (a
    subquery, a function), as (node type, fields)."""
    tables: dict[str, ObjectRef | None] = {}
    conditions = []
    others: list[tuple[str, dict]] = []

    def name(called: str, table: ObjectRef | None) -> None:
        tables[called] = None if called in tables else table  # twice: PostgreSQL refuses

    stack = list(sources)
    while stack:
        item = stack.pop()
        if "JoinExpr" in item:
            join = item["JoinExpr"]
            stack += [join.get("larg") or {}, join.get("rarg") or {}]
            conditions.append(join.get("quals"))
            if (join.get("alias") or {}).get("aliasname"):
                name(join["alias"]["aliasname"], None)
        elif "RangeVar" in item:
            rv = item["RangeVar"]
            alias = rv.get("alias") or {}
            hides = rv.get("relname") in hidden and not rv.get("schemaname")
            table = None if alias.get("colnames") or hides else script.range_var(rv)
            name(alias.get("aliasname") or rv.get("relname", ""), table)
        else:
            for what, fields in item.items():
                alias = (fields or {}).get("alias") or {}
                if alias.get("aliasname"):
                    name(alias["aliasname"], None)
                if type(fields) is dict:
                    others.append((what, fields))
    return tables, conditions, others


def _table_column(script: Script, table: ObjectRef, own: set[str], ref: dict, ctx: Ctx) -> None:
    names = ref.get("fields", ())
    words = strings(names)
    if len(words) != len(names) or "*" in words:
        return  # * and t.*: whatever the table has
    if len(words) == 1 and not ctx.plpgsql:
        name = words[0]
        if name in ctx.params:
            return
    elif len(words) == 2 and words[0] in own:
        name = words[1]
    else:
        return
    if name in own or name in SYSTEM_COLUMNS or (len(words) == 1 and name in ("old", "new")):
        return  # the whole row (RETURNING old, new: the row before and after)
    column = ObjectRef(COLUMN, table.schema, name, table=table.qualified)
    script.emit(REQUIRE, column, ref.get("location"), ctx)


#: What the walk descends into: a node's fields hold strings and numbers too.
_BRANCHES = (dict, list)


def _push_children(push: Callable, fields: dict, hidden: frozenset[str]) -> None:
    """Put a node's branches on the walk's stack, to come off in written order."""
    for key, value in reversed(fields.items()):
        if type(value) in _BRANCHES and key not in _SKIPPED_KEYS:
            push((value, hidden))


class _Columns(dict):
    """A marker on the walk's stack: the columns an INSERT or UPDATE names,
    needed once its target table is."""

    def __init__(self, kind: str, fields: dict) -> None:
        super().__init__(_Columns={})
        self.kind = kind
        self.fields = fields


class _Provide(dict):
    """A marker on the walk's stack: the relation a SELECT … INTO makes."""

    def __init__(self, rel: dict) -> None:
        super().__init__(_Provide={})
        self.rel = rel


def names_in_string(text: str) -> list[str]:
    """A possibly qualified, possibly quoted name written in a string: 'app."Events"'."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            buf = []
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            out.append("".join(buf))
            i = j + 1
        elif c == "." or c.isspace():
            i += 1
        else:
            j = i
            while j < n and text[j] not in '."' and not text[j].isspace():
                j += 1
            out.append(fold(text[i:j], False))
            i = j
    return out[-2:]


def _arity(fields: dict) -> int | None:
    """How many arguments a call gives, when that alone tells which functions
    may take it: not a VARIADIC call, named arguments, an aggregate's ORDER BY,
    or SQL's own syntax (EXTRACT, SUBSTRING … FROM)."""
    if fields.get("func_variadic") or fields.get("agg_within_group") or fields.get("agg_star"):
        return None
    if fields.get("funcformat", "COERCE_EXPLICIT_CALL") != "COERCE_EXPLICIT_CALL":
        return None
    args = fields.get("args") or ()
    if any("NamedArgExpr" in a for a in args):
        return None
    return len(args)


#: The string types a sequence's name may be cast to before its lookup
_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "name"})


def late_bound(arg: dict) -> bool:
    """``nextval('s'::text)`` or ``nextval(('public.s'::text)::regclass)``,
    old pg_dump's form: the name is text, turned into the sequence each time
    the call runs (a default records no dependency on it)."""
    while "TypeCast" in arg:
        cast = arg["TypeCast"]
        names = strings((cast.get("typeName") or {}).get("names", ()))
        if names and names[-1] in _TEXT_TYPES:
            return const_string(cast.get("arg")) is not None
        arg = cast.get("arg") or {}
    return False


def path_from_string(text: str) -> list[str]:
    return [
        p.strip().strip('"') if p.strip().startswith('"') else fold(p.strip(), False)
        for p in text.split(",")
        if p.strip()
    ]


def name_only_checks(
    script: Script, catalog: dict[str, int | None], words: set[str], ctx: Ctx
) -> None:
    """An existence test on pg_proc by name only, or pg_trigger without its table
    (not in a routine's body: a lookup there is the routine's, not a guard of
    the migration's work)."""
    if ctx.body:
        return
    if "pg_proc" in catalog and "proname" in words and not words & _SIGNATURE_NAMES:
        script.find(
            NAME_ONLY_FUNCTION_CHECK,
            ctx.line(catalog["pg_proc"]),
            "pg_proc is checked by name only: a function of that name with other "
            "arguments, or in another schema, passes the test",
            "also compare pg_get_function_identity_arguments(p.oid) and p.pronamespace",
            ctx,
        )
    if "pg_trigger" in catalog and "tgname" in words and "tgrelid" not in words:
        script.find(
            NAME_ONLY_TRIGGER_CHECK,
            ctx.line(catalog["pg_trigger"]),
            "pg_trigger is checked by name only: a trigger of that name on another "
            "table passes the test",
            "add AND tgrelid = 'the_table'::regclass",
            ctx,
        )


#: Where each data statement lists what its names may stand for: the
#: relation it works on, then its FROM (or USING).
_SOURCES = {
    "SelectStmt": ("fromClause",),
    "UpdateStmt": ("relation", "fromClause"),
    "DeleteStmt": ("relation", "usingClause"),
    "InsertStmt": ("relation",),
    "MergeStmt": ("relation", "sourceRelation"),
}
#: A query's parts that are not its expressions.
_NOT_EXPRESSIONS = frozenset(
    {"withClause", "fromClause", "usingClause", "relation", "sourceRelation", "larg", "rarg"}
    | {"intoClause", "lockingClause", "cols", "selectStmt"}
)
_QUERIES = frozenset(_SOURCES)


def scoped_columns(
    script: Script, tree: dict, ctx: Ctx, held: list | None = None, outer: dict | None = None
) -> None:
    """Names written with a table's name or alias (``u.country``) anywhere in
    a query: in its subqueries, its WITH queries, each branch of a set
    operation. Each must be a column of the table the name stands for in the
    nearest query that has it in FROM (an outer query's, for a correlated
    subquery): PostgreSQL refuses it otherwise (42703). A name standing for a
    subquery, a function, a WITH query, or a table whose columns an alias
    renames is left alone, and so is one no FROM has (a PL/pgSQL record's,
    ``NEW``, ``excluded``). What ``statement_columns`` reads again is said
    once. ``held`` gathers what a view on the query keeps: each such column,
    and each bare name of a query of one table, with that table, as
    (name, (table,)): the table's column when it has one of the name (else
    the name is an outer query's). ``outer``: the names the tree sees from
    outside it (a policy's table, by its name)."""
    if ctx.body and not ctx.resolved and held is None:
        return  # a PL/pgSQL body: resolved when it runs
    _CTE_OUTPUTS.clear()
    scopes: tuple[dict[str, ObjectRef | None], ...] = (outer,) if outer else ()
    stack: list = [(tree, scopes, frozenset())]
    while stack:
        item, scopes, hidden = stack.pop()
        if type(item) is list:
            stack.extend((x, scopes, hidden) for x in item if type(x) in _BRANCHES)
            continue
        if type(item) is not dict:
            continue
        if len(item) == 1:
            kind, fields = next(iter(item.items()))
            if kind in _LEAVES:
                continue
            if kind == "ColumnRef":
                _scoped_column(script, fields, scopes, ctx, held)
                continue
            if kind in _QUERIES and type(fields) is dict:
                _scoped_query(script, kind, fields, scopes, hidden, stack)
                continue
        stack.extend((v, scopes, hidden) for k, v in item.items() if type(v) in _BRANCHES)


def _scoped_query(
    script: Script, kind: str, fields: dict, outer: tuple, hidden: frozenset[str], stack: list
) -> None:
    """Put a query's parts on ``scoped_columns``'s stack, each with the names
    it sees."""
    with_clause = fields.get("withClause")
    if with_clause:
        ctes = [c.get("CommonTableExpr", {}) for c in with_clause.get("ctes", ())]
        hidden = hidden | frozenset(c.get("ctename", "") for c in ctes)
        stack.extend((c.get("ctequery"), outer, hidden) for c in ctes)
        for cte in ctes:  # what each gives, by name (a name given twice: not known)
            name, given = cte.get("ctename", ""), _cte_outputs(cte)
            known = _CTE_OUTPUTS.get(name, given)
            _CTE_OUTPUTS[name] = given if known == given else None
    if kind == "SelectStmt" and fields.get("op", "SETOP_NONE") != "SETOP_NONE":
        for side in ("larg", "rarg"):
            stack.append(({"SelectStmt": fields.get(side) or {}}, outer, hidden))
        return
    sources = []
    for part in _SOURCES[kind]:
        value = fields.get(part)
        sources += value if type(value) is list else [{"RangeVar": value}] if value else []
    scope, inner, others = from_items(script, sources, hidden)
    for called, cte in _ctes_read(sources, hidden):
        outputs = _CTE_OUTPUTS.get(cte)
        if outputs is not None and scope.get(called, 0) is None:
            scope[called] = outputs
    for what, value in others:
        if what == "RangeSubselect":
            alias = (value.get("alias") or {}).get("aliasname")
            outputs = _outputs(value)
            if alias and outputs is not None and scope.get(alias, 0) is None:
                scope[alias] = outputs
            seen = (*outer, scope) if value.get("lateral") else outer
            stack.append((value.get("subquery"), seen, hidden))
        else:
            stack.append((value, outer, hidden))
    scopes = (*outer, scope)
    if kind == "InsertStmt" and fields.get("selectStmt"):
        stack.append((fields["selectStmt"], outer, hidden))  # its target is not its FROM
    stack.extend((x, scopes, hidden) for x in inner if x)
    stack.extend(
        (v, scopes, hidden)
        for k, v in fields.items()
        if k not in _NOT_EXPRESSIONS and type(v) in _BRANCHES
    )


class _Outputs(tuple):
    """The columns a subquery in FROM (or a WITH query) gives, by name, in order."""

    what = "subquery"


#: WITH query name -> the columns it gives (None: not known), for the tree
#: ``scoped_columns`` walks; emptied as each walk starts.
_CTE_OUTPUTS: dict[str, _Outputs | None] = {}


def _cte_outputs(cte: dict) -> _Outputs | None:
    """The names of the columns a WITH query gives: its column list, else
    its query's (a data-modifying one's RETURNING is not followed)."""
    if "SelectStmt" not in (cte.get("ctequery") or {}):
        return None
    given = _outputs({"subquery": cte["ctequery"], "alias": {}})
    renamed = strings(cte.get("aliascolnames") or ())
    if given is None:
        return None  # (a column list names its first columns; * gives more)
    names = list(given)
    names[: len(renamed)] = renamed
    found = _Outputs(names)
    found.what = "WITH query"
    return found


def _ctes_read(sources: list, hidden: frozenset[str]) -> list[tuple[str, str]]:
    """(the name it goes by, the WITH query) of each WITH query a FROM reads."""
    found = []
    stack = list(sources)
    while stack:
        item = stack.pop()
        if "JoinExpr" in item:
            stack += [item["JoinExpr"].get("larg") or {}, item["JoinExpr"].get("rarg") or {}]
        elif "RangeVar" in item:
            rv = item["RangeVar"]
            if rv.get("relname") in hidden and not rv.get("schemaname"):
                alias = rv.get("alias") or {}
                if not alias.get("colnames"):
                    found.append((alias.get("aliasname") or rv["relname"], rv["relname"]))
    return found


def _outputs(subselect: dict) -> _Outputs | None:
    """The names of the columns a subquery in FROM gives (its alias's column
    list first), None where one is not sure (``*``, an expression PostgreSQL
    names by rules of its own)."""
    query = (subselect.get("subquery") or {}).get("SelectStmt")
    if query is None:
        return None
    while query.get("op", "SETOP_NONE") != "SETOP_NONE":
        query = query.get("larg") or {}  # named by the first branch
    if query.get("valuesLists"):
        return None
    names = []
    for target in query.get("targetList") or ():
        named = _output_name(target.get("ResTarget", {}))
        if named is None:
            return None
        names.append(named)
    renamed = strings((subselect.get("alias") or {}).get("colnames") or ())
    names[: len(renamed)] = renamed
    return _Outputs(names) if names else None


def _output_name(target: dict) -> str | None:
    """The name PostgreSQL gives a select list's column where one of its
    strong rules gives it (``AS``, a column's or a function's name, …; see
    ``_figure``): None for a name of a weaker rule (a cast constant's type,
    ``?column?``), which a subquery's columns are not judged by."""
    if target.get("name"):
        return target["name"]
    found = _figure(target.get("val"))
    return found[0] if found is not None and found[1] == 2 else None


#: Unnamed expressions PostgreSQL names after their kind.
_NAMED_BY_KIND = {"CoalesceExpr": "coalesce", "A_ArrayExpr": "array", "RowExpr": "row"}
#: … and those it leaves as ``?column?``.
_UNNAMED = frozenset({"A_Const", "A_Expr", "BoolExpr", "NullTest", "BooleanTest", "ParamRef"})


def figured(value: dict | None) -> str | None:
    """The name PostgreSQL gives an unnamed select-list item (its
    FigureColname), for the forms judged here; None for the others."""
    found = _figure(value)
    return found[0] if found is not None else None


def _figure(value: dict | None) -> tuple[str, int] | None:
    """(name, how strongly it names the item: 2 by a column, a function or
    the item's kind, 1 by a type or CASE, 0 not at all), or None when not
    judged."""
    kind, fields = node(value or {})
    if kind == "ColumnRef":
        last = (fields.get("fields") or [{}])[-1]
        return (last["String"].get("sval", ""), 2) if "String" in last else None  # not *
    if kind == "FuncCall":
        names = strings(fields.get("funcname", ()))
        return (names[-1], 2) if names else None
    if kind == "TypeCast":
        inner = _figure(fields.get("arg"))
        if inner is None or inner[1] > 1:
            return inner
        names = strings((fields.get("typeName") or {}).get("names", ()))
        return (names[-1], 1) if names else None
    if kind == "CaseExpr":
        otherwise = _figure(fields.get("defresult")) if fields.get("defresult") else ("", 0)
        if otherwise is None or otherwise[1] > 1:
            return otherwise
        return "case", 1
    if kind == "A_Expr" and fields.get("kind") == "AEXPR_NULLIF":
        return "nullif", 2
    if kind in _UNNAMED:
        return "?column?", 0
    if kind in _NAMED_BY_KIND:
        return _NAMED_BY_KIND[kind], 2
    return None


def _scoped_column(
    script: Script, fields: dict, scopes: tuple, ctx: Ctx, held: list | None
) -> None:
    names = fields.get("fields", ())
    if not names or any("String" not in n for n in names):
        return
    if len(names) == 1:
        name = names[0]["String"].get("sval", "")
        if held is not None and scopes and len(scopes[-1]) == 1 and name not in SYSTEM_COLUMNS:
            [table] = scopes[-1].values()
            if type(table) is ObjectRef:
                held.append((name, (table,)))
        return
    if len(names) != 2:
        return
    owner, column = names[0]["String"].get("sval", ""), names[1]["String"].get("sval", "")
    for scope in reversed(scopes):
        if owner in scope:
            table = scope[owner]
            if type(table) is _Outputs:
                if column not in table and not (ctx.body and not ctx.resolved):
                    script.find(
                        MISSING_OUTPUT,
                        ctx.line(fields.get("location")),
                        f"{owner}.{column}: the {table.what} {owner} gives no column {column} "
                        f"(it gives {', '.join(table)}): PostgreSQL refuses it (42703)",
                        "name one of the subquery's columns, or add the column to its select list",
                        ctx,
                        sure=True,
                    )
                return
            if table is not None and column not in SYSTEM_COLUMNS:
                if not (ctx.body and not ctx.resolved):
                    script.emit(REQUIRE, table.column(column), fields.get("location"), ctx)
                if held is not None:
                    held.append(table.column(column))
            return
