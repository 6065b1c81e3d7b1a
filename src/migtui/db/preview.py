"""What a rollback would destroy, read before it runs.

For each step of a rollback plan: the objects its down statements drop, and
the data at risk — the rows of every table it drops or truncates, and of every
table that loses a column — counted on the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from migtui.core.facts import DROP
from migtui.core.model import COLUMN, TABLE, ObjectRef, Statement
from migtui.core.objects import analyze_script
from migtui.core.plan import Plan, PlanStep
from migtui.core.project import Analysis
from migtui.core.statements import split


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
    statements = _with_trees(step.statements)
    try:
        facts = analyze_script(statements)
    except Exception:  # noqa: BLE001 - an analysis failure must not hide the rest
        facts = None
    drops = [e.ref for e in facts.effects if e.action == DROP] if facts else []
    at_risk: list[tuple[str, str]] = []
    for ref in drops:
        if ref.kind == TABLE:
            at_risk.append((ref.qualified, "dropped"))
        elif ref.kind == COLUMN and ref.table:
            at_risk.append((ref.table, f"loses column {ref.name}"))
    for table in _truncated(statements):
        at_risk.append((table, "truncated"))
    return _unique(drops), _unique(at_risk)


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))


def _with_trees(statements: Sequence[Statement]) -> tuple[Statement, ...]:
    """The statements with their parse trees (the project analysis, and its
    cache, keep statements without them)."""
    return tuple(
        s
        for st in statements
        for s in (split(st.text, start_line=st.start_line).statements if st.tree is None else [st])
    )


def _truncated(statements: Sequence[Statement]) -> list[str]:
    """Tables a TRUNCATE empties, from its parse tree."""
    tables = []
    for statement in statements:
        truncate = (statement.tree or {}).get("TruncateStmt")
        if not truncate:
            continue
        for item in truncate.get("relations", ()):
            rv = item.get("RangeVar", {})
            tables.append(f"{rv.get('schemaname') or 'public'}.{rv.get('relname', '')}")
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
