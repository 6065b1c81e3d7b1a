"""What each SQL script provides, requires, drops, alters and renames.

``analyze_script`` reads the parse trees PostgreSQL's own grammar gave each
statement (``core.statements``) and lists their effects on the schema in the
order the script has them, so the project analysis can tell a migration that
creates a table and then alters it (needs nothing) from one that alters it
first (needs the table).

One statement family lives in one module, and a table below sends each node
type to its reader:

=================  ==========================================================
``tables``         CREATE/ALTER TABLE, columns, CREATE TABLE AS, sequences,
                   TRUNCATE, LOCK, COPY
``constraints``    indexes and constraints, with PostgreSQL's implicit names
``routines``       functions and procedures, their signatures and bodies
``plpgsql``        DO blocks, read with the PL/pgSQL parser
``types``          composite, enum, range and base types, domains
``views``          views and materialized views
``triggers``       triggers, rules, policies, event triggers
``privileges``     GRANT/REVOKE, default privileges
``roles``          the roles statements name, CREATE/DROP ROLE
``schemas``        schemas, extensions, search_path and other settings
``generic``        DROP, RENAME, SET SCHEMA, COMMENT ON, OWNER TO
``queries``        what queries and expressions read
=================  ==========================================================

The reading follows PostgreSQL's timing: a ``DO`` block runs at once, a
PL/pgSQL function body only when called, SQL-language and ``BEGIN ATOMIC``
bodies are checked at creation. Nothing here raises on odd SQL: a statement
the grammar refused, or one a reader cannot follow, adds no effects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from migtui.core.facts import (
    DROP,
    INVALID_DEFINITION,
    NEW_ENUM_VALUE,
    PROVIDE,
    RENAME,
    REQUIRE,
    ScriptFacts,
    positional_column,
)
from migtui.core.model import TYPE, ObjectRef, Statement
from migtui.core.objects import (
    constraints,
    generic,
    plpgsql,
    privileges,
    queries,
    roles,
    routines,
    schemas,
    storage,
    tables,
    triggers,
    types,
    views,
)
from migtui.core.objects.kinds import kind_needed
from migtui.core.objects.script import (
    Ctx,
    Script,
    Src,
    node,
    nodes_of,
    outside_subqueries,
    strings,
)

_SKIPPED_CATEGORIES = frozenset({"transaction", "psql", "copy_data"})

Reader = Callable[[Script, dict, Ctx], None]


def _read_query(script: Script, fields: dict, ctx: Ctx, kind: str) -> None:
    nested = queries.read(script, {kind: fields}, ctx, runs=True)
    queries.statement_columns(script, kind, fields, ctx)
    if nested:  # (statement_columns has judged a query of no other query)
        queries.scoped_columns(script, {kind: fields}, ctx)
    if kind in ("DeleteStmt", "MergeStmt") and fields.get("relation"):
        # its rows change or go (an unfilled column may be filled, or empty)
        rv = fields["relation"]
        script.emit(REQUIRE, script.range_var(rv), rv.get("location"), ctx, assigned=True)


def _query(kind: str) -> Reader:
    return lambda script, fields, ctx: _read_query(script, fields, ctx, kind)


def _explain(script: Script, fields: dict, ctx: Ctx) -> None:
    statement_tree(script, fields.get("query", {}), ctx)


def _create_foreign_table(script: Script, fields: dict, ctx: Ctx) -> None:
    tables.create_table(script, fields.get("base", {}), ctx, kind="foreign table")


def _drop(script: Script, fields: dict, ctx: Ctx) -> None:
    if fields.get("removeType") == "OBJECT_LANGUAGE":
        schemas.drop_language(script, fields, ctx)
    else:
        generic.drop(script, fields, ctx)


#: Node type → reader. A node type missing here has no effects migtui follows.
READERS: dict[str, Reader] = {
    # tables and columns
    "CreateStmt": tables.create_table,
    "CreateForeignTableStmt": _create_foreign_table,
    "AlterTableStmt": tables.alter_table,
    "CreateTableAsStmt": tables.create_table_as,
    "CreateSeqStmt": tables.create_sequence,
    "AlterSeqStmt": tables.alter_sequence,
    "TruncateStmt": tables.relations_needed,
    "LockStmt": tables.relations_needed,
    "CopyStmt": tables.copy,
    "CreatePublicationStmt": tables.publication,
    "AlterPublicationStmt": tables.publication,
    # indexes and constraints
    "IndexStmt": constraints.create_index,
    # routines
    "CreateFunctionStmt": routines.create_routine,
    "AlterFunctionStmt": routines.alter_routine,
    "CallStmt": routines.call,
    "DoStmt": plpgsql.do_block,
    # types and domains
    "CompositeTypeStmt": types.composite,
    "CreateEnumStmt": types.enum,
    "CreateRangeStmt": types.range_type,
    "CreateCastStmt": types.create_cast,
    "DefineStmt": types.define,
    "CreateDomainStmt": types.domain,
    "AlterEnumStmt": types.alter_enum,
    "AlterDomainStmt": types.alter_domain,
    "AlterTypeStmt": types.alter_type,
    # views
    "ViewStmt": views.create_view,
    "RefreshMatViewStmt": views.refresh,
    # triggers, rules, policies
    "CreateTrigStmt": triggers.create_trigger,
    "RuleStmt": triggers.create_rule,
    "CreatePolicyStmt": triggers.create_policy,
    "AlterPolicyStmt": triggers.alter_policy,
    "CreateEventTrigStmt": triggers.create_event_trigger,
    "AlterEventTrigStmt": triggers.alter_event_trigger,
    # privileges and ownership
    "GrantStmt": privileges.grant,
    "AlterDefaultPrivilegesStmt": privileges.default_privileges,
    "AlterOwnerStmt": generic.owner,
    "CreateRoleStmt": roles.create_role,
    "DropRoleStmt": roles.drop_role,
    # schemas, extensions, settings
    "CreateSchemaStmt": schemas.create_schema,
    "CreateExtensionStmt": schemas.create_extension,
    "AlterExtensionStmt": schemas.alter_extension,
    "AlterExtensionContentsStmt": schemas.alter_extension,
    "VariableSetStmt": schemas.set_variable,
    # any kind of object
    "DropStmt": _drop,
    "CreatePLangStmt": schemas.create_language,
    "RenameStmt": generic.rename,
    "AlterObjectSchemaStmt": generic.set_schema,
    "CommentStmt": generic.comment,
    # queries
    "SelectStmt": _query("SelectStmt"),
    "InsertStmt": _query("InsertStmt"),
    "UpdateStmt": _query("UpdateStmt"),
    "DeleteStmt": _query("DeleteStmt"),
    "MergeStmt": _query("MergeStmt"),
    "ExplainStmt": _explain,
}


def analyze_script(
    statements: Sequence[Statement], *, search_path: tuple[str, ...] = ("public",)
) -> ScriptFacts:
    """The effects of a script's statements, in script order, with review findings."""
    script = Script(list(search_path) or ["public"], reader=statement_tree)
    repeats = _Repeats()
    for statement in statements:
        if script.new_enum_values:
            _new_enum_value_used(script, statement)
        if statement.category in _SKIPPED_CATEGORIES or not statement.tree:
            continue
        if repeats.replay(script, statement):
            continue
        src = Src(statement.text, statement.start_line, statement.tree_base)
        ctx = Ctx(src=src, statement=statement.index)
        before = len(script.effects)
        try:
            _note_emptied(script, statement.tree)
            if _PARAMETER.search(statement.text):
                _parameters(script, statement.tree, ctx)
            if script.empty_path_line is not None:
                schemas.under_empty_path(script, statement.tree, ctx)
            statement_tree(script, statement.tree, ctx)
        except (IndexError, ValueError, KeyError, AttributeError, TypeError, RecursionError):
            # A shape of tree no reader expected: keep what was understood.
            continue
        if script.new_enum_values:
            _forget_new_values(script, script.effects[before:])
        _mark_kind_needed(script, statement.tree, before)
        repeats.remember(script, statement, before)
    return script.facts()


#: ``$1`` outside quotes and comments, maybe: the tree says for sure.
_PARAMETER = re.compile(r"\$\d")
#: Statements whose ``$1`` is one of their own parameters.
_WITH_PARAMETERS = frozenset({"PrepareStmt", "CreateFunctionStmt"})


def _parameters(script: Script, tree: dict, ctx: Ctx) -> None:
    """``$1`` in a statement a migration runs (not in a routine's body or a
    PREPARE): a tool that binds parameters filled it in; run as a script,
    PostgreSQL has none to give it (42P02)."""
    if next(iter(tree), None) in _WITH_PARAMETERS:
        return
    for item in nodes_of(tree):
        ref = item.get("ParamRef")
        if type(ref) is dict:
            number = ref.get("number", 0)
            script.find(
                INVALID_DEFINITION,
                ctx.line(ref.get("location")),
                f"${number} is a parameter, and a migration runs its statements without any: "
                f"PostgreSQL has no parameter ${number} and refuses it (42P02)",
                "write the value itself where the parameter stands (the tool that ran this "
                "script may have bound it)",
                ctx,
                sure=True,
            )
            return


def _mark_kind_needed(script: Script, tree: dict, before: int) -> None:
    """The statement's need of its relation says which kinds of relation it
    works on (``kinds.kind_needed``), for the walk to judge."""
    [(name, fields)] = tree.items()
    needed = kind_needed(name, fields) if isinstance(fields, dict) else None
    if needed is None:
        return
    rv, kinds, words = needed
    ref = script.range_var(rv) if rv.get("relname") else None
    if ref is None:
        return
    for i in range(before, len(script.effects)):
        eff = script.effects[i]
        if eff.action != PROVIDE and eff.ref is not None and eff.ref.key == ref.key:
            script.effects[i] = eff.changed(kind_needed=(kinds, words))
            return


#: A string or a number: what two data statements of one shape differ by.
_LITERAL = re.compile(r"'(?:[^']|'')*'|(?<![\w$.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w$])")


def _shape(text: str) -> str | None:
    """The statement with its literals blanked, when that is safe to compare:
    no dollar quotes, escapes or comments, which a plain quote can misread."""
    if "$" in text or "\\" in text or "--" in text or "/*" in text:
        return None
    return _LITERAL.sub("?", text)


def _note_emptied(script: Script, tree: dict) -> None:
    kind, fields = node(tree)
    if kind == "DeleteStmt":
        relations = [fields.get("relation", {})]
    elif kind == "TruncateStmt":
        relations = [r.get("RangeVar", {}) for r in fields.get("relations", ())]
    else:
        return
    whole = kind == "TruncateStmt" or not fields.get("whereClause")
    for rv in relations:
        ref = script.range_var(rv)
        if ref is not None:
            script.filled.pop(ref.key, None)  # its rows may be gone
            if whole:
                script.emptied.add(ref.key)


_COMMIT = re.compile(r"^\s*(?:COMMIT|END)\b", re.IGNORECASE)
#: Statements whose literals are read when they run: their data, defaults,
#: checks, predicates and policies.
_USES_VALUES_NOW = frozenset(
    {
        "InsertStmt",
        "UpdateStmt",
        "DeleteStmt",
        "SelectStmt",
        "MergeStmt",
        "AlterTableStmt",
        "CreateStmt",
        "IndexStmt",
        "ViewStmt",
        "CreateTableAsStmt",
        "CreatePolicyStmt",
    }
)


def _new_enum_value_used(script: Script, statement: Statement) -> None:
    """A value added to an enum cannot be used before the transaction that added
    it commits (55P04): a later statement naming it as a literal is said. Sure
    where the literal is cast to the type or is a default of a column of it;
    else the columns it meets go with the finding, for the walk to judge."""
    if statement.category == "transaction":
        if _COMMIT.match(statement.text):
            script.new_enum_values.clear()
        return
    if not statement.tree or node(statement.tree)[0] not in _USES_VALUES_NOW:
        return  # a function body runs later; another ADD VALUE only names it
    for value, type_ref, _ in script.new_enum_values:
        literal = "'" + value.replace("'", "''") + "'"
        if value not in statement.text or not _has_string(statement.tree, value):
            continue  # written as a constant: '…', $$…$$, E'…'
        sure, columns = _EnumUse(script, value, type_ref).of(statement.tree)
        # IF NOT EXISTS: the type may have had it, and then it is sound; the walk
        # knows whether it did
        script.find(
            NEW_ENUM_VALUE,
            statement.start_line,
            f"uses {literal}, which this migration adds to {type_ref} earlier: "
            "PostgreSQL refuses a new enum value until the transaction that added it "
            "commits (55P04)",
            "use the value in a later migration, or run this one outside a transaction",
            Ctx(
                src=Src(statement.text, statement.start_line, statement.tree_base),
                statement=statement.index,
            ),
            refs=(type_ref, *columns),
            sure=sure,
            maybe_value=value,
        )
        return


def _has_string(tree: dict, value: str) -> bool:
    """Whether the statement holds the string constant ``value``."""
    for item in nodes_of(tree):
        const = item.get("A_Const")
        if const is not None and const.get("sval", {}).get("sval") == value:
            return True
    return False


#: Statements whose own WHERE may compare a column of their one table with the value.
_COMPARING = frozenset({"UpdateStmt", "DeleteStmt", "SelectStmt"})


def _forget_new_values(script: Script, effects: Sequence) -> None:
    """A type whose new values are tracked, renamed, moved, dropped or given a
    value's new name: its name may stand for another type now, and the values
    are not followed further."""
    for eff in effects:
        gone = eff.action in (DROP, RENAME) or (eff.labels is not None and len(eff.labels) == 2)
        if gone and eff.ref is not None and eff.ref.namespace == "type":
            script.new_enum_values[:] = [
                entry for entry in script.new_enum_values if entry[1].key != eff.ref.key
            ]


class _EnumUse:
    """Where one statement reads a literal as a value of an enum: cast to it or
    a default of a column of it (sure), or stored in or compared with a column
    (the walk knows the column's type)."""

    def __init__(self, script: Script, value: str, type_ref: ObjectRef) -> None:
        self.script = script
        self.value = value
        self.type_ref = type_ref
        self.sure = False
        self.columns: list[ObjectRef] = []

    def of(self, tree: dict) -> tuple[bool, tuple[ObjectRef, ...]]:
        kind, fields = node(tree)
        table, names, alone = self._table(kind, fields)
        for item in nodes_of(tree):
            if "TypeCast" in item:
                cast = item["TypeCast"]
                if self._is_value(cast.get("arg")) and self._is_type(cast.get("typeName")):
                    self.sure = True
            elif "ColumnDef" in item:
                column = item["ColumnDef"]
                if self._is_type(column.get("typeName")) and any(
                    self._is_value(c.get("Constraint", {}).get("raw_expr"))
                    for c in column.get("constraints", ())
                ):
                    self.sure = True
        if kind in _COMPARING:
            # each arm of a UNION compares within its own FROM
            for arm in _arms(fields) if kind == "SelectStmt" else (fields,):
                self._compared(kind, arm)
        elif kind == "ViewStmt":  # the view's query reads the value now
            query = (fields.get("query") or {}).get("SelectStmt")
            for arm in _arms(query) if query else ():
                self._compared("SelectStmt", arm)
        else:
            self._defined(kind, fields)
        if table is not None:
            for name in self._assigned(kind, fields):
                self._column([name], table, names, True)
        return self.sure, tuple(dict.fromkeys(self.columns))

    def _compared(self, kind: str, fields: dict) -> None:
        """Columns of the statement's one table its own WHERE compares with the value."""
        table, names, alone = self._table(kind, fields)
        for expr in self._own_comparisons(fields):
            left, right = expr.get("lexpr") or {}, expr.get("rexpr") or {}
            for one, other in ((left, right), (right, left)):
                if "ColumnRef" in one and self._meets(other):
                    words = strings(one["ColumnRef"].get("fields", ()))
                    self._column(words, table, names, alone)

    def _defined(self, kind: str, fields: dict) -> None:
        """A CHECK added to a table, an index's predicate or a policy's
        expressions comparing a column of its one table with the value: each
        is read, and the value with it, when the statement runs."""
        if kind == "AlterTableStmt":
            rv = fields.get("relation") or {}
            exprs = [
                (cmd.get("AlterTableCmd", {}).get("def") or {})
                .get("Constraint", {})
                .get("raw_expr")
                for cmd in fields.get("cmds", ())
            ]
        elif kind == "IndexStmt":
            rv, exprs = fields.get("relation") or {}, [fields.get("whereClause")]
        elif kind == "CreatePolicyStmt":
            rv = fields.get("table") or {}
            exprs = [fields.get("qual"), fields.get("with_check")]
        else:
            return
        table = self.script.range_var(rv) if rv.get("relname") else None
        names = {rv.get("relname", "")}
        for item in outside_subqueries(*exprs):
            expr = item.get("A_Expr")
            if expr is None:
                continue
            left, right = expr.get("lexpr") or {}, expr.get("rexpr") or {}
            for one, other in ((left, right), (right, left)):
                if "ColumnRef" in one and self._meets(other):
                    self._column(strings(one["ColumnRef"].get("fields", ())), table, names, True)

    @staticmethod
    def _own_comparisons(fields: dict) -> list[dict]:
        """The comparisons of a statement's own WHERE (and select list), not
        those of a subquery, whose bare names are its own tables' first."""
        parts = (fields.get(part) for part in ("whereClause", "targetList", "returningClause"))
        return [item["A_Expr"] for item in outside_subqueries(*parts) if "A_Expr" in item]

    def _table(self, kind: str, fields: dict) -> tuple[ObjectRef | None, set[str], bool]:
        """The statement's table, the names it goes by, and whether a bare column
        name can only be its own."""
        if kind in ("UpdateStmt", "DeleteStmt", "InsertStmt", "AlterTableStmt", "MergeStmt"):
            rv = fields.get("relation") or {}
            others = fields.get("fromClause") or fields.get("usingClause")
            others = others or fields.get("sourceRelation")
            alone = not others and not fields.get("withClause")
        elif kind == "SelectStmt":
            sources = fields.get("fromClause") or ()
            if len(sources) != 1 or "RangeVar" not in sources[0]:
                return None, set(), False
            rv = sources[0]["RangeVar"]
            alone = not fields.get("withClause")
        else:
            return None, set(), False
        table = self.script.range_var(rv) if rv.get("relname") else None
        alias = (rv.get("alias") or {}).get("aliasname")
        return table, {alias} if alias else {rv.get("relname", "")}, alone

    def _assigned(self, kind: str, fields: dict) -> list[str]:
        """Columns of the table the literal is stored in or made the default of."""
        found = []
        if kind == "UpdateStmt":
            found += self._set(fields.get("targetList", ()))
        elif kind == "InsertStmt":
            cols = [c.get("ResTarget", {}).get("name") for c in fields.get("cols", ())]
            select = (fields.get("selectStmt") or {}).get("SelectStmt", {})
            rows = [row.get("List", {}).get("items", ()) for row in select.get("valuesLists", ())]
            if not rows and select.get("op", "SETOP_NONE") == "SETOP_NONE":
                # INSERT … SELECT: the select list in the columns' order
                rows = [[t.get("ResTarget", {}).get("val") for t in select.get("targetList", ())]]
            found += self._stored(cols, rows)
            # ON CONFLICT … DO UPDATE SET
            found += self._set((fields.get("onConflictClause") or {}).get("targetList", ()))
        elif kind == "MergeStmt":
            for clause in fields.get("mergeWhenClauses", ()):
                when = clause.get("MergeWhenClause", {})
                targets = when.get("targetList", ())
                if when.get("commandType") == "CMD_UPDATE":
                    found += self._set(targets)
                elif when.get("commandType") == "CMD_INSERT":
                    cols = [t.get("ResTarget", {}).get("name") for t in targets]
                    found += self._stored(cols, [when.get("values", ())])
        elif kind == "AlterTableStmt":
            for cmd in fields.get("cmds", ()):
                at = cmd.get("AlterTableCmd", {})
                if at.get("subtype") == "AT_ColumnDefault" and self._is_value(at.get("def")):
                    found.append(at.get("name", ""))
        return found

    def _set(self, targets: Sequence[dict]) -> list[str]:
        """The columns a SET list gives the value."""
        found = []
        for target in targets:
            res = target.get("ResTarget", {})
            if res.get("name") and self._yields(res.get("val")):
                found.append(res["name"])
        return found

    def _stored(self, cols: list[str | None], rows: Sequence[Sequence[dict]]) -> list[str]:
        """The named columns rows of values give the value; without a column
        list, the place of each (``positional_column``: the walk knows the
        table's columns in their order)."""
        if not cols:
            return [
                positional_column(i)
                for row in rows
                for i, item in enumerate(row)
                if self._yields(item)
            ]
        return [
            name
            for row in rows
            for name, item in zip(cols, row, strict=False)
            if name and self._yields(item)
        ]

    def _yields(self, tree: dict | None) -> bool:
        """The value, or ``coalesce(column, value)``: stored in a column of the
        type, either is refused (an enum column takes no text either)."""
        if self._is_value(tree):
            return True
        args = ((tree or {}).get("CoalesceExpr") or {}).get("args", ())
        return any(self._is_value(a) for a in args) and any("ColumnRef" in a for a in args)

    def _column(
        self, words: list[str], table: ObjectRef | None, names: set[str], alone: bool
    ) -> None:
        if table is None or not words:
            return
        if len(words) == 1 and alone or len(words) == 2 and words[0] in names:
            self.columns.append(table.column(words[-1]))

    def _meets(self, tree: dict) -> bool:
        """The literal, or a list holding it (``IN ('ok', 'sad')``)."""
        if "List" in tree:
            return any(self._is_value(x) for x in tree["List"].get("items", ()))
        return self._is_value(tree)

    def _is_value(self, tree: dict | None) -> bool:
        const = (tree or {}).get("A_Const")
        return const is not None and (const.get("sval") or {}).get("sval") == self.value

    def _is_type(self, type_name: dict | None) -> bool:
        names = strings((type_name or {}).get("names", ()))
        if not names or names[-1] != self.type_ref.name or (type_name or {}).get("arrayBounds"):
            return False
        found = self.script.schema_object(names, TYPE)  # along the search_path
        return found is not None and found.key == self.type_ref.key


def _arms(fields: dict) -> list[dict]:
    """The plain SELECTs a UNION, INTERSECT or EXCEPT is made of (or the one)."""
    if fields.get("op", "SETOP_NONE") == "SETOP_NONE":
        return [fields]
    return _arms(fields.get("larg") or {}) + _arms(fields.get("rarg") or {})


class _Repeats:
    """Data statements in a row that differ only by their values have the same
    effects, at their own line: those of a big file share one parse tree
    (``INSERT INTO t … VALUES`` with only their head parsed), the others have
    one shape (their text with the literals blanked). The first few are
    recorded — enough for every message to name lines — and the rest add
    nothing new."""

    KEEP = 20

    def __init__(self) -> None:
        self.tree_id: int | None = None
        self.shape: str | None = None
        self.path: tuple[str, ...] = ()
        self.effects: list = []
        self.first_line = 0
        self.count = 0

    def _same(self, statement: Statement) -> bool:
        if id(statement.tree) == self.tree_id:
            return True
        if self.shape is None or node(statement.tree)[0] != "InsertStmt":
            return False
        return _shape(statement.text) == self.shape

    def replay(self, script: Script, statement: Statement) -> bool:
        if self.tree_id is None or tuple(script.search_path) != self.path:
            return False
        if not self._same(statement):
            return False
        self.count += 1
        if self.count <= self.KEEP:
            shift = statement.start_line - self.first_line
            script.effects.extend(
                e.changed(line=e.line + shift, statement=statement.index) for e in self.effects
            )
        return True

    def remember(self, script: Script, statement: Statement, before: int) -> None:
        kind, _ = node(statement.tree)
        if kind != "InsertStmt":
            self.tree_id = None
            return
        self.tree_id = id(statement.tree)
        self.shape = _shape(statement.text)
        self.path = tuple(script.search_path)
        self.effects = script.effects[before:]
        self.first_line = statement.start_line
        self.count = 1


def statement_tree(script: Script, tree: dict, ctx: Ctx) -> None:
    """Read one statement's tree (also used for statements nested in others)."""
    kind, fields = node(tree)
    reader = READERS.get(kind)
    if reader is not None:
        reader(script, fields, ctx)
    if kind in storage.STATEMENTS:
        storage.parameters(script, kind, fields, ctx)
    if kind in roles.NAMING:
        roles.named(script, kind, fields, ctx)
