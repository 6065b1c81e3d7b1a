"""Indexes and constraints, with the names PostgreSQL invents for them.

An unnamed primary key is ``<table>_pkey``, a unique column ``<table>_<col>_key``,
a check on one column ``<table>_<col>_check``, a foreign key
``<table>_<cols>_fkey``, an unnamed index ``<table>_<cols>_idx`` — cut to 63
bytes the way the server cuts them and numbered when the name is taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migtui.core.facts import PROVIDE, RENAME, REQUIRE
from migtui.core.model import CONSTRAINT, EXTENSION, INDEX, ObjectRef
from migtui.core.objects.immutable import immutable_needs
from migtui.core.objects.queries import compared_labels, read
from migtui.core.objects.script import (
    Ctx,
    Script,
    calls_in,
    index_key,
    node,
    nodes_of,
    strings,
)
from migtui.core.sqlnames import (
    EXTENSION_OPCLASSES,
    choose_name,
    index_column_names,
    index_name_addition,
)


@dataclass
class TableBuild:
    """The table a CREATE or ALTER TABLE works on."""

    ref: ObjectRef
    location: int | None
    #: the columns a CREATE TABLE gives it, when they are all written there
    columns: frozenset[str] | None = None
    #: made by this statement (CREATE TABLE): its constraints' names are new
    #: unless the table is not (which is the error to say)
    made: bool = False
    #: the columns an ALTER TABLE adds: there before any of its constraints is
    #: checked (PostgreSQL adds columns in a pass before constraints)
    added: frozenset[str] = frozenset()
    #: CREATE TABLE's keys PostgreSQL merges (see ``merged_keys``)
    merged: dict[int, str | None] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return self.ref.qualified


_KEYS = ("CONSTR_PRIMARY", "CONSTR_UNIQUE")


def merged_keys(elements: list[dict]) -> dict[int, str | None]:
    """A CREATE TABLE's keys that PostgreSQL folds into one index: alike keys
    (the same columns and INCLUDE, NULLS NOT DISTINCT and deferral), the
    primary key kept first, then each in the order written (the columns'
    own, then the table's). ``id INT PRIMARY KEY UNIQUE`` makes ``t_pkey``
    alone. By ``id()`` of each key's node: None for one left out, or, for a
    kept unnamed one, the name it takes from a named one alike
    (``id int PRIMARY KEY, CONSTRAINT uq UNIQUE (id)``: the key is ``uq``).
    ALTER TABLE merges the keys of the columns it adds, and no others."""
    keys: list[tuple[dict, str | None]] = []
    #: a column's key's DEFERRABLE and INITIALLY DEFERRED, written as nodes
    #: of their own after it
    deferral: dict[int, tuple[bool, bool]] = {}
    for element in elements:
        if "ColumnDef" in element:
            definition = element["ColumnDef"]
            last = None
            for item in definition.get("constraints", ()):
                con = item.get("Constraint", {})
                contype = con.get("contype", "")
                if contype in _KEYS:
                    keys.append((con, definition.get("colname")))
                    last = con
                elif contype.startswith("CONSTR_ATTR_") and last is not None:
                    deferrable, deferred = deferral.get(id(last), (False, False))
                    if contype == "CONSTR_ATTR_DEFERRABLE":
                        deferrable = True
                    elif contype == "CONSTR_ATTR_DEFERRED":
                        deferrable = deferred = True
                    elif contype == "CONSTR_ATTR_NOT_DEFERRABLE":
                        deferrable = False
                    elif contype == "CONSTR_ATTR_IMMEDIATE":
                        deferred = False
                    deferral[id(last)] = (deferrable, deferred)
                else:
                    last = None
    for element in elements:
        con = element.get("Constraint", {})
        if con.get("contype") in _KEYS:
            keys.append((con, None))
    if len(keys) < 2:
        return {}

    def alike(key: tuple[dict, str | None]) -> tuple:
        con, column = key
        deferrable, deferred = deferral.get(
            id(con), (bool(con.get("deferrable")), bool(con.get("initdeferred")))
        )
        return (
            tuple(strings(con.get("keys", ()))) or (column,),
            tuple(strings(con.get("including", ()))),
            bool(con.get("nulls_not_distinct")),
            deferrable,
            deferred,
        )

    primary = [k for k in keys if k[0].get("contype") == "CONSTR_PRIMARY"][:1]
    kept = list(primary)
    merged: dict[int, str | None] = {}
    for key in keys:
        if key in primary:
            continue
        prior = next((k for k in kept if alike(k) == alike(key)), None)
        if prior is None:
            kept.append(key)
            continue
        merged[id(key[0])] = None
        name = key[0].get("conname")
        if name and not prior[0].get("conname") and not merged.get(id(prior[0])):
            merged[id(prior[0])] = name
    return merged


def constraint_ref(table: ObjectRef, name: str) -> ObjectRef:
    return ObjectRef(CONSTRAINT, table.schema, name, table=table.qualified)


def constraint(
    script: Script,
    build: TableBuild,
    con: dict,
    ctx: Ctx,
    column: str | None = None,
) -> None:
    """One constraint, written on a column (``column``) or on the table."""
    contype = con.get("contype", "")
    location = con.get("location", build.location)
    table = build.ref
    name = con.get("conname")
    if id(con) in build.merged:
        name = build.merged[id(con)]
        if name is None:
            return  # one index with a key alike (see ``merged_keys``)
        con = {**con, "conname": name}
    # a constraint named must be the only one of its name on the table (42710)
    named = name is not None and not build.made
    if contype in ("CONSTR_PRIMARY", "CONSTR_UNIQUE", "CONSTR_EXCLUSION"):
        index_name = con.get("indexname")
        if index_name:  # … USING INDEX existing_index: the index takes the name
            old = ObjectRef(INDEX, table.schema, index_name)
            new_name = name or index_name
            if new_name != index_name:
                new = ObjectRef(INDEX, table.schema, new_name)
                script.emit(RENAME, old, location, ctx, new=new, parent=build.qualified)
            else:
                script.emit(REQUIRE, old, location, ctx)
            unknown = ("?",) if contype != "CONSTR_EXCLUSION" else None
            script.emit(
                PROVIDE,
                constraint_ref(table, new_name),
                location,
                ctx,
                key=unknown,
                primary=contype == "CONSTR_PRIMARY",
            )
            return
        keys = strings(con.get("keys", ())) or ([column] if column else [])
        invented = None
        if name is None:
            if contype == "CONSTR_PRIMARY":
                invented = (table.name, None, "pkey")
                name = choose_name(table.name, None, "pkey", script.relation_names_in(table))
            else:
                named_by = keys
                if contype == "CONSTR_EXCLUSION":
                    named_by = [
                        _element_name(pair["List"]["items"][0])
                        for pair in con.get("exclusions", ())
                        if "List" in pair
                    ]
                named_by = named_by + strings(con.get("including", ()))  # INCLUDE names it too
                label = "excl" if contype == "CONSTR_EXCLUSION" else "key"
                addition = index_name_addition(index_column_names(named_by))
                invented = (table.name, addition, label)
                name = choose_name(table.name, addition, label, script.relation_names_in(table))
        columns = tuple(keys) + tuple(strings(con.get("including", ())))
        script.need_columns(table, columns, location, ctx)
        if contype == "CONSTR_EXCLUSION":
            method = (con.get("access_method") or "btree").lower()
            elements = [
                pair["List"]["items"][0].get("IndexElem", {})
                for pair in con.get("exclusions", ())
                if "List" in pair
            ]
            bare = tuple(e["name"] for e in elements if e.get("name") and not e.get("opclass"))
        else:
            method, bare = "btree", tuple(keys)  # a key's index is a btree
        script.emit(
            PROVIDE,
            ObjectRef(INDEX, table.schema, name),
            location,
            ctx,
            parent=build.qualified,
            columns=columns,
            opclass_for=(method, bare) if bare else None,
            # a name given is refused when a relation of the schema has it (an
            # invented one is numbered instead)
            strict=con.get("conname") is not None,
            invented=invented,
        )
        # a key a foreign key may reference (PostgreSQL takes no deferrable one)
        usable = contype != "CONSTR_EXCLUSION" and not con.get("deferrable")
        script.emit(
            PROVIDE,
            constraint_ref(table, name),
            location,
            ctx,
            columns=columns,
            key=tuple(keys) if usable else None,
            primary=contype == "CONSTR_PRIMARY",
            invented=invented,
            strict=named,
        )
        if contype == "CONSTR_PRIMARY" and column is None:
            for key in keys:  # PostgreSQL 18 gives each key column a not-null constraint
                not_null(script, build, key, None, location, ctx)
        if contype == "CONSTR_EXCLUSION" and con.get("where_clause"):
            read(script, con["where_clause"], ctx)
    elif contype == "CONSTR_FOREIGN":
        target = con.get("pktable", {})
        target_ref = script.range_var(target)
        if name is None:
            cols = strings(con.get("fk_attrs", ())) or ([column] if column else [])
            name = choose_name(
                table.name,
                index_name_addition(cols),
                "fkey",
                script.constraint_names.get(table.schema or "", set()),
            )
        depends = ()
        if target_ref is not None and target_ref.qualified != table.qualified:
            script.emit(REQUIRE, target_ref, target.get("location"), ctx)
            depends = (target_ref,)
        cols = tuple(strings(con.get("fk_attrs", ())) or ([column] if column else []))
        script.need_columns(table, cols, location, ctx)
        script.need_columns(
            target_ref, strings(con.get("pk_attrs", ())), target.get("location"), ctx
        )
        script.emit(
            PROVIDE,
            constraint_ref(table, name),
            location,
            ctx,
            columns=cols,
            depends=depends,
            target=target_ref.qualified if target_ref is not None else None,
            references=tuple(strings(con.get("pk_attrs", ()))),
            strict=named,
        )
    elif contype == "CONSTR_CHECK":
        expr = con.get("raw_expr")
        reads, whole_row = _check_reads(expr, build)
        if name is None:  # named after the one column it reads, on a column or not
            label_col = reads[0] if len(reads) == 1 and not whole_row else None
            name = choose_name(
                table.name,
                label_col,
                "check",
                script.constraint_names.get(table.schema or "", set()),
            )
        before = len(script.effects)
        read(script, expr, ctx)
        script.no_subquery(expr, "a CHECK constraint", ctx)
        if column is None:
            # (a name that is the table's may be its whole row, when its columns
            # are not all written here)
            needed = [c for c in reads if build.columns is not None or c != table.name]
            script.need_columns(table, needed, location, ctx)
        elif build.made and build.columns is not None:
            # a column's own CHECK may name a column written after it, not one
            # the table never has
            needed = [c for c in reads if c not in build.columns]
            script.need_columns(table, needed, location, ctx)
        elif not build.made:  # ADD COLUMN … CHECK: the table's columns, or those added
            needed = [c for c in reads if c != column and c not in build.added]
            script.need_columns(table, needed, location, ctx)
        # a column's own CHECK in CREATE TABLE may compare a column written after
        # it; ADD COLUMN's, the table's columns (but those added with it)
        settled = column is None or (not build.made and not (set(reads) & build.added - {column}))
        compares = compared_labels(script, table, expr, ctx, only=settled or column)
        script.emit(
            PROVIDE,
            constraint_ref(table, name),
            location,
            ctx,
            columns=tuple(reads),
            uses=calls_in(expr),
            depends=script.needed_since(before, "type"),  # the types it casts to
            strict=named,
            compares=compares,
        )
    elif contype == "CONSTR_NOTNULL" and column is None:
        for key in strings(con.get("keys", ())):
            not_null(script, build, key, name, location, ctx)
    elif contype in ("CONSTR_DEFAULT", "CONSTR_GENERATED"):
        read(script, con.get("raw_expr"), ctx)
        where = "a column default" if contype == "CONSTR_DEFAULT" else "a generated column"
        script.no_subquery(con.get("raw_expr"), where, ctx)
        if contype == "CONSTR_DEFAULT":
            script.no_column_in_default(con.get("raw_expr"), ctx)


def not_null(
    script: Script,
    build: TableBuild,
    column: str,
    name: str | None,
    location: int | None,
    ctx: Ctx,
) -> None:
    """PostgreSQL 18's not-null constraint on ``column``: ``name``, or the one
    the server chooses (``<table>_<column>_not_null``)."""
    table = build.ref
    chosen = name or choose_name(
        table.name, column, "not_null", script.constraint_names.get(table.schema or "", set())
    )
    script.emit(
        PROVIDE,
        constraint_ref(table, chosen),
        location,
        ctx,
        columns=(column,),
        not_null="named" if name else "implicit",
    )


def _columns_in(expr) -> set[str]:
    found: set[str] = set()
    for item in nodes_of(expr):
        ref = item.get("ColumnRef")
        if isinstance(ref, dict):
            names = strings(ref.get("fields", ()))
            if names and names[-1] != "*":
                found.add(names[-1])
    return found


def _check_reads(expr, build: TableBuild) -> tuple[list[str], bool]:
    """The columns a CHECK reads, and whether it reads the whole row too
    (``t.*``, or ``t`` where the table has no column ``t``)."""
    found: set[str] = set()
    whole_row = False
    for item in nodes_of(expr):
        ref = item.get("ColumnRef")
        if not isinstance(ref, dict):
            continue
        fields = ref.get("fields", ())
        names = strings(fields)
        if not names:
            continue
        if "A_Star" in fields[-1] or (
            len(fields) == 1
            and names[0] == build.ref.name
            and build.columns is not None
            and names[0] not in build.columns
        ):
            whole_row = True
        else:
            found.add(names[-1])
    return sorted(found), whole_row


def _plain_columns(expr) -> list[str]:
    """The columns an index expression names by their bare names."""
    found = []
    for item in nodes_of(expr):
        ref = item.get("ColumnRef")
        if isinstance(ref, dict):
            fields = ref.get("fields", ())
            names = strings(fields)
            if len(fields) == 1 and len(names) == 1:
                found.append(names[0])
    return sorted(set(found))


def whole_row_free(names, table: ObjectRef | None) -> list[str]:
    """``names`` less the table's own name, which an expression on the table
    may use for its whole row (``to_jsonb(t)``, ``f(t)``)."""
    return [n for n in names if table is None or n != table.name]


# --- CREATE INDEX ------------------------------------------------------------------


def create_index(script: Script, fields: dict, ctx: Ctx) -> None:
    rel = fields.get("relation", {})
    table = script.range_var(rel)
    location = rel.get("location")
    if table is not None:
        script.emit(REQUIRE, table, location, ctx)
    elements = [e.get("IndexElem", {}) for e in fields.get("indexParams", ())]
    including = [e.get("IndexElem", {}) for e in fields.get("indexIncludingParams", ())]
    extensions: list[ObjectRef] = []  # whose operator classes it uses: it holds them
    for element in elements:
        if element.get("collation"):
            script.need_collation(element["collation"], location, ctx)
        for opclass in strings(element.get("opclass", ())):
            if opclass in EXTENSION_OPCLASSES:
                ext = ObjectRef(EXTENSION, None, EXTENSION_OPCLASSES[opclass])
                script.emit(REQUIRE, ext, location, ctx)
                extensions.append(ext)
        if element.get("expr"):
            read(script, element["expr"], ctx)
            script.no_subquery(element["expr"], "an index expression", ctx)
            named = whole_row_free(_plain_columns(element["expr"]), table)
            script.need_columns(table, named, location, ctx)
        else:
            script.need_columns(table, [element.get("name")], location, ctx)
    script.need_columns(table, [e.get("name") for e in including if e.get("name")], location, ctx)
    compares: tuple[str, ...] = ()
    if fields.get("whereClause"):
        read(script, fields["whereClause"], ctx)
        script.no_subquery(fields["whereClause"], "an index predicate", ctx)
        named = whole_row_free(_plain_columns(fields["whereClause"]), table)
        script.need_columns(table, named, location, ctx)
        if table is not None:
            compares = compared_labels(script, table, fields["whereClause"], ctx)
    if table is None:
        return
    name = fields.get("idxname")
    # an unnamed index gets a name no relation has; a named one fails if taken
    strict = name is not None and not fields.get("if_not_exists")
    invented = None
    if name is None:
        columns = index_column_names(_element_name(e) for e in elements + including)
        label = "pkey" if fields.get("primary") else "idx"
        invented = (table.name, index_name_addition(columns), label)
        name = choose_name(*invented, script.relation_names_in(table))
        name_location = location
    else:
        found = ctx.src.find(name)
        name_location = location if found is None else found
    used = [e.get("name") for e in elements + including if e.get("name")]
    for e in elements:
        if e.get("expr"):
            used += sorted(_columns_in(e["expr"]))
    if fields.get("whereClause"):
        used += sorted(_columns_in(fields["whereClause"]))
    # its elements as ON CONFLICT names them (an expression not followed: no key)
    key = tuple(index_key(e) for e in elements)
    if not fields.get("unique") or fields.get("whereClause") or None in key:
        key = None
    calls, casts, forms = immutable_needs(
        *(e.get("expr") for e in elements), fields.get("whereClause")
    )
    # the columns indexed as they are, whose types must have a default operator class
    bare = tuple(e["name"] for e in elements if e.get("name") and not e.get("opclass"))
    method = (fields.get("accessMethod") or "btree").lower()
    script.emit(
        PROVIDE,
        ObjectRef(INDEX, table.schema, name),
        name_location,
        ctx,
        parent=table.qualified,
        columns=tuple(dict.fromkeys(used)),
        strict=strict,
        key=key,
        calls=calls,
        casts=casts,
        forms=forms,
        uses=calls_in(*(e.get("expr") for e in elements), fields.get("whereClause")),
        opclass_for=(method, bare) if bare else None,
        indexed=(method, tuple(e["name"] for e in elements if e.get("name"))),
        depends=tuple(dict.fromkeys(extensions)),
        invented=invented,  # numbered by the walk where a relation has the name
        compares=compares,
        concurrently=bool(fields.get("concurrent")),
    )


def _element_name(element: dict) -> str:
    """PostgreSQL's name for an index column: the column, or one figured from
    the expression (FigureIndexColname)."""
    if "IndexElem" in element:
        element = element["IndexElem"]
    if element.get("name"):
        return element["name"]
    if "ColumnRef" in element:  # an exclusion element is a bare expression
        return _figure(element)[0] or "expr"
    return _figure(element.get("expr", {}))[0] or "expr"


def _figure(expr: dict) -> tuple[str | None, int]:
    """FigureColnameInternal: a name and its strength (2 column, 1 type/function)."""
    kind, fields = node(expr)
    if kind == "ColumnRef":
        names = strings(fields.get("fields", ()))
        if names and names[-1] != "*":
            return names[-1], 2
    elif kind == "A_Indirection":
        for ind in reversed(fields.get("indirection", ())):
            if "String" in ind:
                return ind["String"]["sval"], 2
        return _figure(fields.get("arg", {}))
    elif kind == "FuncCall":
        names = strings(fields.get("funcname", ()))
        return (names[-1], 2) if names else (None, 0)
    elif kind == "TypeCast":
        name, strength = _figure(fields.get("arg", {}))
        if strength <= 1:
            names = strings(fields.get("typeName", {}).get("names", ()))
            if names:
                return names[-1], 1
        return name, strength
    elif kind == "CoalesceExpr":
        return "coalesce", 2
    elif kind == "MinMaxExpr":
        return ("greatest" if fields.get("op") == "IS_GREATEST" else "least"), 2
    elif kind == "CaseExpr":  # named after its ELSE when that is a column
        name, strength = _figure(fields.get("defresult") or {})
        return (name, strength) if strength > 1 else ("case", 1)
    elif kind == "NullIfExpr" or (kind == "A_Expr" and fields.get("kind") == "AEXPR_NULLIF"):
        return "nullif", 2
    elif kind == "A_ArrayExpr":
        return "array", 2
    elif kind == "RowExpr":
        return "row", 2
    elif kind == "SQLValueFunction":
        return _SQL_VALUE_NAMES.get(fields.get("op", "")), 2
    elif kind == "CollateClause":
        return _figure(fields.get("arg", {}))
    return None, 0


_SQL_VALUE_NAMES = {
    "SVFOP_CURRENT_DATE": "current_date",
    "SVFOP_CURRENT_TIME": "current_time",
    "SVFOP_CURRENT_TIMESTAMP": "current_timestamp",
    "SVFOP_LOCALTIME": "localtime",
    "SVFOP_LOCALTIMESTAMP": "localtimestamp",
    "SVFOP_CURRENT_USER": "current_user",
    "SVFOP_SESSION_USER": "session_user",
    "SVFOP_USER": "user",
}
