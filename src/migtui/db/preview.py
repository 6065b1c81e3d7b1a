"""What a rollback would destroy, read before it runs.

For each step of a rollback plan: the objects its down statements drop, and
the data at risk, table by table, counted on the target:

- rows deleted: every row of a table dropped or truncated; the rows a
  ``DELETE`` matches, counted with the statement's own ``WHERE`` (and
  ``USING``, and ``WITH``); the rows ``ON DELETE CASCADE`` takes with them in
  the tables that reference those;
- values lost: the values of dropped columns in the rows that stay, and of
  the columns an ``UPDATE`` overwrites, in the rows it matches.

A row is counted once however many statements touch it: the deletes of one
table are counted together, by row, and a table that goes whole counts its
rows once. Tables estimated to hold more than ``EXACT_LIMIT`` rows are not
counted but estimated (``EXPLAIN``, or the planner's statistics), and say so.
Counting never changes anything: every count is a ``SELECT`` in a read-only
transaction with a statement timeout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import psycopg
from psycopg import sql

from migtui.core.facts import DROP, PROVIDE, RENAME
from migtui.core.model import COLUMN, TABLE, Statement
from migtui.core.objects import analyze_script
from migtui.core.plan import Plan, PlanStep
from migtui.core.project import Analysis
from migtui.core.statements import split

#: Tables estimated above this many rows are estimated, not counted.
EXACT_LIMIT = 1_000_000
#: How long one count may take before it gives up.
_COUNT_TIMEOUT = "10s"
#: How deep ON DELETE CASCADE is followed.
_CASCADE_DEPTH = 4


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class TableRisk:
    """The data one table loses in one step."""

    table: str  # schema.table
    rows: int | None  # rows it holds now; None when the table is absent
    #: rows deleted, and how: "table dropped", "truncated", "DELETE at line 12",
    #: "ON DELETE CASCADE from public.users"
    deleted: int = 0
    deleted_by: tuple[str, ...] = ()
    #: dropped columns: their values go in every row that stays
    columns: tuple[str, ...] = ()
    #: rows an UPDATE changes, and the columns it sets
    updated: int = 0
    updated_columns: tuple[str, ...] = ()
    updated_by: tuple[str, ...] = ()
    #: counts are the planner's estimate, not a count
    estimated: bool = False
    #: why a count could not be made
    unknown: str = ""

    @property
    def values_lost(self) -> int:
        """Rows that stay but lose values in dropped columns."""
        if self.rows is None or not self.columns:
            return 0
        return max(self.rows - self.deleted, 0)

    @property
    def at_risk(self) -> bool:
        return bool(self.deleted or self.values_lost or self.updated)

    def lines(self) -> list[str]:
        """What is at risk, in the words both the CLI and the console use."""
        if self.rows is None:
            return [f"{self.table}: table absent"]
        about = "~" if self.estimated else ""
        out = []
        if self.deleted_by and not self.rows:
            out.append(f"{self.table}: no rows ({'; '.join(self.deleted_by)})")
        elif self.deleted_by:
            whole = self.deleted >= self.rows
            count = (
                f"all {about}{_plural(self.rows, 'row')}"
                if whole
                else f"{about}{self.deleted:,} of {_plural(self.rows, 'row')}"
            )
            out.append(f"{self.table}: {count} deleted ({'; '.join(self.deleted_by)})")
        if self.columns and self.values_lost:
            names = ", ".join(self.columns)
            out.append(
                f"{self.table}: values in {_plural(len(self.columns), 'column')} ({names}) "
                f"of {about}{_plural(self.values_lost, 'row')} lost"
            )
        elif self.columns and not self.deleted_by:
            out.append(f"{self.table}: loses {', '.join(self.columns)} (no rows: nothing lost)")
        if self.updated_by:
            names = ", ".join(self.updated_columns)
            out.append(
                f"{self.table}: values in {_plural(len(self.updated_columns), 'column')} "
                f"({names}) of {about}{_plural(self.updated, 'row')} overwritten "
                f"({'; '.join(self.updated_by)})"
            )
        if self.unknown:
            out.append(f"{self.table}: {self.unknown}")
        if self.estimated:
            out[-1] += " — estimated by the planner"
        return out

    def to_json(self) -> dict:
        return {
            "table": self.table,
            "rows": self.rows,
            "deleted": self.deleted,
            "deleted_by": list(self.deleted_by),
            "columns": list(self.columns),
            "values_lost_in_rows": self.values_lost,
            "updated": self.updated,
            "updated_columns": list(self.updated_columns),
            "updated_by": list(self.updated_by),
            "estimated": self.estimated,
            "unknown": self.unknown or None,
        }


@dataclass(frozen=True)
class StepRisk:
    version: str
    name: str
    drops: tuple[str, ...]  # objects, in the one spelling
    tables: tuple[TableRisk, ...] = ()
    #: (object, file line) the step drops without IF EXISTS though the target
    #: does not have it (and no earlier step makes it): the step would fail there
    absent_drops: tuple[tuple[str, int], ...] = ()
    file: str = ""

    @property
    def rows_deleted(self) -> int:
        return sum(t.deleted for t in self.tables)

    @property
    def at_risk(self) -> bool:
        return any(t.at_risk for t in self.tables)

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "name": self.name,
            "drops": list(self.drops),
            "tables": [t.to_json() for t in self.tables],
            "absent_drops": [{"object": o, "line": n} for o, n in self.absent_drops],
        }


def summary(risks: Sequence[StepRisk]) -> str:
    """One line for the whole rollback: rows deleted and values lost."""
    deleted = sum(r.rows_deleted for r in risks)
    values = sum(t.values_lost for r in risks for t in r.tables)
    updated = sum(t.updated for r in risks for t in r.tables)
    estimated = any(t.estimated for r in risks for t in r.tables)
    parts = []
    if deleted:
        parts.append(f"{_plural(deleted, 'row')} deleted")
    if values:
        parts.append(f"values lost in {_plural(values, 'row')}")
    if updated:
        parts.append(f"values overwritten in {_plural(updated, 'row')}")
    if not parts:
        return "No data at risk."
    return ("About " if estimated else "") + ", ".join(parts) + "."


def preview_plan(conn: psycopg.Connection, analysis: Analysis, plan: Plan) -> list[StepRisk]:
    """Per step of ``plan`` (apply or rollback): what its statements drop, the
    data at risk, and drops of objects the target does not have."""
    from migtui.db.catalog import KINDS_READ, read_catalog

    catalog = read_catalog(conn)
    made: set = set()  # keys earlier steps (or earlier statements) make
    gone: set = set()  # keys earlier steps drop
    risks = []
    for step in plan.steps:
        if _destroys_nothing(step):
            # what it makes is known from the analysis: no need to parse it again
            for ref in step.info.provides:
                made.add(ref.key)
                gone.discard(ref.key)
            for old, new in step.info.renames:
                made.add(new.key)
                gone.discard(new.key)
                made.discard(old.key)
                gone.add(old.key)
            risks.append(StepRisk(step.version, step.name, drops=(), file=step.file))
            continue
        statements = _with_trees(step.statements)
        effects = _effects(statements)
        risk = _step_risk(conn, step, statements, effects)
        absent = []
        for effect in effects or ():
            key = effect.ref.key
            if effect.action == PROVIDE:
                made.add(key)
                gone.discard(key)
            elif effect.action == RENAME and effect.new is not None:
                made.add(effect.new.key)
                gone.discard(effect.new.key)
                made.discard(key)
                gone.add(key)
            elif effect.action == DROP:
                unsure = effect.if_exists or effect.guarded or effect.handled
                checkable = effect.ref.kind in KINDS_READ  # a drop of one it lacks fails
                known = key in made or key in gone
                if not unsure and checkable and not known and not catalog.has(effect.ref):
                    absent.append((str(effect.ref), effect.line))
                made.discard(key)
                gone.add(key)
        risks.append(replace(risk, absent_drops=tuple(absent), file=step.file))
    return risks


def _effects(statements: Sequence[Statement]) -> list | None:
    """The statements' effects, in order (None when the SQL cannot be analysed)."""
    try:
        return list(analyze_script(statements).effects)
    except Exception:  # noqa: BLE001 - the preview never stops on odd SQL
        return None


rollback_preview = preview_plan


# -- what a down section does to data -------------------------------------------------


@dataclass
class _TableWork:
    """What one step's statements do to one table."""

    whole: list[str] = field(default_factory=list)  # dropped / truncated
    deletes: list[tuple[str, str]] = field(default_factory=list)  # (ctid subquery, how)
    updates: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def _step_risk(
    conn: psycopg.Connection,
    step: PlanStep,
    statements: Sequence[Statement],
    effects: list | None,
) -> StepRisk:
    drops = _unique([e.ref for e in effects if e.action == DROP] if effects else [])
    work: dict[str, _TableWork] = {}

    def of(table: str) -> _TableWork:
        return work.setdefault(table, _TableWork())

    for ref in drops:
        if ref.kind == TABLE:
            of(ref.qualified).whole.append("table dropped")
        elif ref.kind == COLUMN and ref.table:
            of(ref.table).columns.append(ref.name)
    for statement in statements:
        _read_dml(statement, of)
    tables = [_measure(conn, table, w) for table, w in work.items()]
    tables += _cascades(conn, work)
    return StepRisk(
        version=step.version,
        name=step.name,
        drops=tuple(str(ref) for ref in drops),
        tables=tuple(tables),
    )


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))


#: Words without which a statement can neither drop an object nor delete rows.
_MAY_DESTROY = re.compile(r"\b(?:drop|delete|update|truncate)\b", re.IGNORECASE)


def _destroys_nothing(step: PlanStep) -> bool:
    """An apply step the analysis finds dropping nothing, with no statement that
    could delete rows: nothing is at risk in it."""
    info = step.info
    return (
        step.direction == "up"
        and info is not None
        and not info.drops
        and not info.dynamic_lines
        and not any(_MAY_DESTROY.search(s.text) for s in step.statements)
    )


def _with_trees(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements that may make, rename or destroy something, with their
    parse trees (the project analysis, and its cache, keep statements without
    them). A plain INSERT does none of that and is left out: a migration of
    10,000 data rows is not parsed again to learn it."""
    return tuple(
        s
        for st in statements
        if not _plain_insert(st.text)
        for s in (split(st.text, start_line=st.start_line).statements if st.tree is None else [st])
    )


_INSERT_HEAD = re.compile(r"\s*(?:--[^\n]*\n\s*)*insert\b", re.IGNORECASE)
#: What makes an INSERT more than rows in: a data-modifying CTE, an upsert.
_NOT_PLAIN = re.compile(r"\b(?:delete|update|truncate|drop|alter|create)\b", re.IGNORECASE)


def _plain_insert(text: str) -> bool:
    return _INSERT_HEAD.match(text) is not None and _NOT_PLAIN.search(text) is None


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema or 'public'}.{name}"


def _read_dml(statement: Statement, of) -> None:
    """TRUNCATE, DELETE and UPDATE: which table, and the rows they match as a
    subquery of ``ctid``s built from the statement's own clauses."""
    tree = statement.tree or {}
    where = f"line {statement.start_line}"
    if "TruncateStmt" in tree:
        for item in tree["TruncateStmt"].get("relations", ()):
            rv = item.get("RangeVar", {})
            how = "truncated" + (
                " with CASCADE" if tree["TruncateStmt"].get("behavior") == "DROP_CASCADE" else ""
            )
            of(_qualified(rv.get("schemaname"), rv.get("relname", ""))).whole.append(how)
        return
    if "DeleteStmt" not in tree and "UpdateStmt" not in tree:
        return
    try:
        from pglast import parse_sql
        from pglast.stream import RawStream

        parsed = parse_sql(statement.text)[0].stmt
    except Exception:  # noqa: BLE001 - the count is then unknown, never a crash
        return
    relation = parsed.relation
    table = _qualified(relation.schemaname, relation.relname)
    name = relation.alias.aliasname if relation.alias else relation.relname

    def render(node) -> str:
        return RawStream()(node)  # a stream keeps what it printed: one per node

    source = render(relation)
    sources = parsed.usingClause if "DeleteStmt" in tree else parsed.fromClause
    condition = render(parsed.whereClause) if parsed.whereClause is not None else "true"
    if sources:
        condition = (
            f"EXISTS (SELECT 1 FROM {', '.join(render(s) for s in sources)} WHERE {condition})"
        )
    with_clause = ""
    if parsed.withClause is not None:
        recursive = "RECURSIVE " if parsed.withClause.recursive else ""
        with_clause = f"WITH {recursive}{render(parsed.withClause)} "
    subquery = f"{with_clause}SELECT {name}.ctid FROM {source} WHERE {condition}"
    if "DeleteStmt" in tree:
        of(table).deletes.append((subquery, f"DELETE at {where}"))
    else:
        columns = tuple(dict.fromkeys(t.name for t in parsed.targetList or ()))
        of(table).updates.append((subquery, f"UPDATE at {where}", columns))


# -- counting on the target ---------------------------------------------------------------


def _ident(table: str) -> sql.Composable:
    return sql.Identifier(*table.split(".", 1))


def _read_only(conn: psycopg.Connection, query, params=()) -> tuple | None:
    """One row of a query run read-only, with a timeout; None when it fails."""
    try:
        with conn.transaction():
            conn.execute("SET LOCAL transaction_read_only = on")
            conn.execute(f"SET LOCAL statement_timeout = '{_COUNT_TIMEOUT}'")
            return conn.execute(query, params).fetchone()
    except psycopg.Error:
        return None


def _size(conn: psycopg.Connection, table: str) -> tuple[int | None, bool]:
    """(rows, estimated): a count, or the planner's estimate for a big table;
    (None, False) when the table does not exist."""
    found = _read_only(
        conn,
        "SELECT c.reltuples::bigint FROM pg_class c WHERE c.oid = to_regclass(%s)",
        (sql.Identifier(*table.split(".", 1)).as_string(conn),),
    )
    if found is None:
        return None, False
    if found[0] is not None and found[0] > EXACT_LIMIT:
        return int(found[0]), True
    counted = _read_only(conn, sql.SQL("SELECT count(*) FROM {}").format(_ident(table)))
    return (int(counted[0]), False) if counted else (None, False)


def _matching(conn: psycopg.Connection, table: str, subqueries: list[str], estimate: bool):
    """Rows of ``table`` any of ``subqueries`` matches (each a ctid subquery),
    counted once; or estimated by EXPLAIN on a big table. None if it fails."""
    alias = "__migtui_rows"
    condition = " OR ".join(f"{alias}.ctid IN ({q})" for q in subqueries)
    base = sql.SQL("FROM {} AS {} WHERE ").format(_ident(table), sql.Identifier(alias))
    query = base + sql.SQL(condition)
    if estimate:
        plan = _read_only(conn, sql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 ") + query)
        return int(plan[0][0]["Plan"]["Plan Rows"]) if plan else None
    counted = _read_only(conn, sql.SQL("SELECT count(*) ") + query)
    return int(counted[0]) if counted else None


def _measure(conn: psycopg.Connection, table: str, work: _TableWork) -> TableRisk:
    rows, estimated = _size(conn, table)
    if rows is None:
        return TableRisk(table, None, deleted_by=tuple(work.whole))
    if work.whole:
        return TableRisk(table, rows, rows, tuple(work.whole), estimated=estimated)
    unknown = ""
    deleted = 0
    if work.deletes:
        counted = _matching(conn, table, [q for q, _ in work.deletes], estimated)
        if counted is None:
            unknown = "the rows the DELETE matches could not be counted"
        deleted = min(counted or 0, rows)
    updated = 0
    if work.updates:
        counted = _matching(conn, table, [q for q, _, _ in work.updates], estimated)
        if counted is None:
            unknown = "the rows the UPDATE matches could not be counted"
        updated = min(counted or 0, rows)
    return TableRisk(
        table,
        rows,
        deleted,
        tuple(how for _, how in work.deletes),
        tuple(work.columns),
        updated,
        tuple(dict.fromkeys(c for _, _, cols in work.updates for c in cols)),
        tuple(how for _, how, _ in work.updates),
        estimated=estimated,
        unknown=unknown,
    )


_REFERENCING = """
SELECT child_ns.nspname || '.' || child.relname,
       array_agg(child_col.attname ORDER BY k.n),
       array_agg(parent_col.attname ORDER BY k.n),
       c.confdeltype
  FROM pg_constraint c
  JOIN pg_class child ON child.oid = c.conrelid
  JOIN pg_namespace child_ns ON child_ns.oid = child.relnamespace
  CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(child_att, parent_att, n)
  JOIN pg_attribute child_col ON child_col.attrelid = c.conrelid AND child_col.attnum = k.child_att
  JOIN pg_attribute parent_col ON parent_col.attrelid = c.confrelid
   AND parent_col.attnum = k.parent_att
 WHERE c.contype = 'f' AND c.confrelid = to_regclass(%s) AND c.confdeltype IN ('c', 'n', 'd')
 GROUP BY 1, c.oid, c.confdeltype
"""


def _cascades(conn: psycopg.Connection, work: dict[str, _TableWork]) -> list[TableRisk]:
    """Rows ON DELETE CASCADE deletes in the tables referencing deleted rows, and
    values ON DELETE SET NULL / SET DEFAULT overwrites there (a table dropped or
    truncated whole deletes nothing elsewhere this way, except TRUNCATE …
    CASCADE, which empties the referencing tables)."""
    found: dict[str, list[tuple[str, str]]] = {}  # child -> [(ctid subquery, how)]
    emptied: dict[str, str] = {}  # child -> how (TRUNCATE CASCADE)
    #: child -> [(ctid subquery, how, the referencing columns set)]
    overwritten: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}

    def follow(parent: str, subquery: str | None, depth: int) -> None:
        if depth > _CASCADE_DEPTH:
            return
        rows = _read_only_all(
            conn, _REFERENCING, (sql.Identifier(*parent.split(".", 1)).as_string(conn),)
        )
        for child, child_cols, parent_cols, action in rows:
            if child in work:
                continue  # its own statements already account for it
            if subquery is None:
                emptied.setdefault(child, f"TRUNCATE … CASCADE from {parent}")
                follow(child, None, depth + 1)
                continue
            how = f"ON DELETE {_ACTIONS[action]} from {parent}"
            alias = f"__migtui_c{depth}"
            keys = ", ".join(f"{alias}.{sql.Identifier(c).as_string(conn)}" for c in child_cols)
            refs = ", ".join(f"__p.{sql.Identifier(c).as_string(conn)}" for c in parent_cols)
            inner = (
                f"SELECT {alias}.ctid FROM {_ident(child).as_string(conn)} AS {alias}"
                f" WHERE ({keys}) IN (SELECT {refs} FROM {_ident(parent).as_string(conn)} AS __p"
                f" WHERE __p.ctid IN ({subquery}))"
            )
            if action != "c":  # the rows stay, their reference is overwritten
                overwritten.setdefault(child, []).append((inner, how, tuple(child_cols)))
                continue
            found.setdefault(child, []).append((inner, how))
            follow(child, inner, depth + 1)

    for table, w in work.items():
        if any(h.startswith("truncated with CASCADE") for h in w.whole):
            follow(table, None, 1)
        elif w.deletes and not w.whole:
            follow(table, " UNION ALL ".join(q for q, _ in w.deletes), 1)
    out = []
    for child, how in emptied.items():
        rows, estimated = _size(conn, child)
        out.append(TableRisk(child, rows, rows or 0, (how,), estimated=estimated))
    for child, parts in found.items():
        if child in emptied:
            continue
        rows, estimated = _size(conn, child)
        if rows is None:
            continue
        counted = _matching(conn, child, [q for q, _ in parts], estimated)
        if counted:
            hows = tuple(dict.fromkeys(h for _, h in parts))
            out.append(TableRisk(child, rows, min(counted, rows), hows, estimated=estimated))
    for child, parts in overwritten.items():
        if child in emptied or child in found:
            continue  # its rows are counted as deleted already
        rows, estimated = _size(conn, child)
        if rows is None:
            continue
        counted = _matching(conn, child, [q for q, _, _ in parts], estimated)
        if counted:
            columns = tuple(dict.fromkeys(c for _, _, cols in parts for c in cols))
            hows = tuple(dict.fromkeys(h for _, h, _ in parts))
            risk = TableRisk(
                child,
                rows,
                updated=min(counted, rows),
                updated_columns=columns,
                updated_by=hows,
                estimated=estimated,
            )
            out.append(risk)
    return out


#: pg_constraint.confdeltype, in the words of CREATE TABLE.
_ACTIONS = {"c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def _read_only_all(conn: psycopg.Connection, query, params=()) -> list[tuple]:
    try:
        with conn.transaction():
            conn.execute("SET LOCAL transaction_read_only = on")
            return conn.execute(query, params).fetchall()
    except psycopg.Error:
        return []
