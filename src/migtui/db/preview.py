"""What a rollback would destroy, read before it runs.

For each step of a rollback plan: the objects its down statements drop, and
the data at risk — the rows of every table it drops or truncates, and of every
table that loses a column — counted on the target.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from migtui.core.model import COLUMN, TABLE, ObjectRef, Statement
from migtui.core.plan import Plan, PlanStep
from migtui.core.project import Analysis
from migtui.core.statements import mask


@dataclass(frozen=True)
class TableRows:
    table: str  # schema.table
    rows: int | None  # None when the table does not exist on the target
    why: str  # "dropped", "truncated", "loses column metadata"

    def count_text(self, absent: str = "absent") -> str:
        """``1 row``, ``12 rows``, or ``absent`` when the table is not there."""
        if self.rows is None:
            return absent
        return f"{self.rows} row{'' if self.rows == 1 else 's'}"


@dataclass(frozen=True)
class StepRisk:
    version: str
    name: str
    drops: tuple[str, ...]  # objects, in the one spelling
    rows_at_risk: tuple[TableRows, ...] = ()

    @property
    def total_rows(self) -> int:
        return sum(t.rows or 0 for t in self.rows_at_risk)

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "name": self.name,
            "drops": list(self.drops),
            "rows_at_risk": [
                {"table": t.table, "rows": t.rows, "why": t.why} for t in self.rows_at_risk
            ],
        }


def rollback_preview(conn: psycopg.Connection, analysis: Analysis, plan: Plan) -> list[StepRisk]:
    """Per step of ``plan``: what its down statements drop and the rows at risk."""
    risks = []
    for step in plan.steps:
        drops, at_risk = _destructive_effects(step)
        counts = _count_rows(conn, [table for table, _ in at_risk])
        risks.append(
            StepRisk(
                version=step.version,
                name=step.name,
                drops=tuple(str(ref) for ref in drops),
                rows_at_risk=tuple(TableRows(t, counts.get(t), why) for t, why in at_risk),
            )
        )
    return risks


def _destructive_effects(step: PlanStep) -> tuple[list[ObjectRef], list[tuple[str, str]]]:
    drops = _drops_from_analysis(step.statements)
    if drops is None:
        drops = _drops_from_text(step.statements)
    at_risk: list[tuple[str, str]] = []
    for ref in drops:
        if ref.kind == TABLE:
            at_risk.append((ref.qualified, "dropped"))
        elif ref.kind == COLUMN and ref.table:
            at_risk.append((ref.table, f"loses column {ref.name}"))
    for table in _truncated(step.statements):
        at_risk.append((table, "truncated"))
    return _unique(drops), _unique(at_risk)


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))


def _drops_from_analysis(statements: Sequence[Statement]) -> list[ObjectRef] | None:
    """The object analysis' drop effects; None when it is not available."""
    try:
        from migtui.core.facts import DROP
        from migtui.core.objects import analyze_script
        from migtui.core.statements import split
    except ImportError:
        return None
    try:
        # the project analysis keeps statements without their parse trees
        parsed = [
            s
            for st in statements
            for s in (
                split(st.text, start_line=st.start_line).statements if st.tree is None else [st]
            )
        ]
        facts = analyze_script(tuple(parsed))
    except Exception:  # noqa: BLE001 - an analysis failure must not hide the preview
        return None
    return [e.ref for e in facts.effects if e.action == DROP]


_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z_0-9$]*)'
_QUALIFIED = rf"{_IDENT}(?:\s*\.\s*{_IDENT})?"
_DROP_KINDS = {
    "TABLE": "table",
    "VIEW": "view",
    "MATERIALIZED VIEW": "materialized view",
    "INDEX": "index",
    "SEQUENCE": "sequence",
    "TYPE": "type",
    "DOMAIN": "domain",
    "FUNCTION": "function",
    "PROCEDURE": "procedure",
    "SCHEMA": "schema",
    "EXTENSION": "extension",
}
_DROP = re.compile(
    r"^\s*DROP\s+(?P<kind>MATERIALIZED\s+VIEW|TABLE|VIEW|INDEX|SEQUENCE|TYPE|DOMAIN|FUNCTION"
    r"|PROCEDURE|SCHEMA|EXTENSION|TRIGGER)\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ALTER_TABLE = re.compile(
    rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>{_QUALIFIED})(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_DROP_COLUMN = re.compile(
    rf"\bDROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?(?P<column>{_IDENT})", re.IGNORECASE
)
_TRUNCATE = re.compile(r"^\s*TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(?P<rest>.*)$", re.I | re.S)
_TRIGGER_ON = re.compile(rf"^(?P<name>{_IDENT})\s+ON\s+(?P<table>{_QUALIFIED})", re.I)
#: Words after DROP in ALTER TABLE that do not name a column.
_NOT_COLUMNS = {"CONSTRAINT", "DEFAULT", "NOT", "IDENTITY", "EXPRESSION"}


def _unquote(name: str) -> str:
    name = name.strip()
    if name.startswith('"') and name.endswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()


def _split_name(text: str) -> tuple[str, str]:
    parts = [_unquote(p) for p in re.findall(_IDENT, text)]
    if len(parts) >= 2:
        return parts[0], parts[1]
    return "public", parts[0]


def _names(rest: str) -> list[str]:
    """Comma-separated names up to CASCADE / RESTRICT, parentheses kept whole."""
    rest = re.sub(r"\b(CASCADE|RESTRICT)\b.*$", "", rest, flags=re.I | re.S).strip().rstrip(";")
    names, depth, current = [], 0, ""
    for ch in rest:
        if ch == "," and depth == 0:
            names.append(current.strip())
            current = ""
            continue
        depth += (ch == "(") - (ch == ")")
        current += ch
    if current.strip():
        names.append(current.strip())
    return names


def _plain(statement: Statement) -> str:
    """The statement with comments blanked, quoted names kept."""
    masked, _ = mask(statement.text)
    return "".join(
        o if m != " " or o.isspace() else " " for o, m in zip(statement.text, masked, strict=True)
    )


def _drops_from_text(statements: Sequence[Statement]) -> list[ObjectRef]:
    refs: list[ObjectRef] = []
    for statement in statements:
        text = _plain(statement)
        drop = _DROP.match(text)
        if drop:
            refs += _dropped_objects(" ".join(drop["kind"].upper().split()), drop["rest"])
            continue
        alter = _ALTER_TABLE.match(text)
        if alter:
            schema, table = _split_name(alter["table"])
            for found in _DROP_COLUMN.finditer(alter["rest"]):
                column = found["column"]
                if column.upper() in _NOT_COLUMNS:
                    continue
                refs.append(ObjectRef(COLUMN, schema, _unquote(column), table=f"{schema}.{table}"))
    return refs


def _dropped_objects(kind: str, rest: str) -> list[ObjectRef]:
    refs = []
    for name in _names(rest):
        if kind == "TRIGGER":
            found = _TRIGGER_ON.match(name)
            if found:
                schema, table = _split_name(found["table"])
                trigger = _unquote(found["name"])
                refs.append(ObjectRef("trigger", schema, trigger, table=f"{schema}.{table}"))
            continue
        if kind in ("SCHEMA", "EXTENSION"):
            refs.append(ObjectRef(_DROP_KINDS[kind], None, _unquote(name)))
            continue
        args = None
        if kind in ("FUNCTION", "PROCEDURE") and "(" in name:
            name, _, arglist = name.partition("(")
            args = " ".join(arglist.rstrip(")").split()) or ""
        schema, object_name = _split_name(name)
        refs.append(ObjectRef(_DROP_KINDS[kind], schema, object_name, args=args))
    return refs


def _truncated(statements: Sequence[Statement]) -> list[str]:
    tables = []
    for statement in statements:
        found = _TRUNCATE.match(_plain(statement))
        if found:
            for name in _names(
                re.sub(r"\b(RESTART|CONTINUE)\s+IDENTITY\b", "", found["rest"], flags=re.I)
            ):
                schema, table = _split_name(name)
                tables.append(f"{schema}.{table}")
    return tables


def _count_rows(conn: psycopg.Connection, tables: Sequence[str]) -> dict[str, int]:
    """Exact row counts of the tables that exist, in one query."""
    tables = list(dict.fromkeys(tables))
    if not tables:
        return {}
    existing = conn.execute(
        "SELECT t, to_regclass(quote_ident(split_part(t, '.', 1)) || '.' ||"
        " quote_ident(split_part(t, '.', 2))) IS NOT NULL FROM unnest(%s::text[]) AS t",
        (tables,),
    ).fetchall()
    present = [t for t, exists in existing if exists]
    if not present:
        return {}
    parts = [
        sql.SQL("SELECT {}, count(*) FROM {}").format(
            sql.Literal(t), sql.Identifier(*t.split(".", 1))
        )
        for t in present
    ]
    rows = conn.execute(sql.SQL(" UNION ALL ").join(parts)).fetchall()
    return {t: int(n) for t, n in rows}
