"""The layout tool's ledger in the target: found, read, and kept in step.

``core.tools`` says what each tool's ledger looks like and what its rows
mean; this module finds the table in a database (by its default name, the
configured ``ledger_table``, or — renamed — as the one table of exactly its
shape), reads it, writes the rows of what migtui runs, and takes the tool's
own advisory lock while migtui migrates.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from migtui.core.project import Analysis, MigrationInfo
from migtui.core.tools import ToolLedger, ToolRun, ToolState, for_layout
from migtui.core.tools.base import qualified, split_table


class ToolLedgerError(RuntimeError):
    """The configured ledger table is missing or is not the tool's."""


@dataclass(frozen=True)
class FoundLedger:
    tool: ToolLedger
    schema: str
    table: str
    #: How it was found: "default", "configured", "renamed", or "made" by migtui.
    how: str = "default"

    @property
    def name(self) -> str:
        """The table as SQL names it."""
        return qualified(self.schema, self.table)

    def describe(self) -> str:
        shown = f"{self.schema}.{self.table}"
        if self.tool.tool == "sqitch":
            shown = f"registry {self.schema}"
        return f"{self.tool.tool}'s {shown}"


_COLUMNS_OF = """
SELECT n.nspname, c.relname, array_agg(a.attname::text ORDER BY a.attnum)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p') AND {where}
 GROUP BY n.nspname, c.relname
"""


def _shape_fits(tool: ToolLedger, columns: set[str]) -> bool:
    return tool.columns <= columns and not (tool.not_columns & columns)


def find_tool_ledger(
    conn: psycopg.Connection, layout: str, configured: str | None = None
) -> FoundLedger | None:
    """The ledger the layout's tool keeps in this database, or None.

    Raises ToolLedgerError when ``configured`` names a table that is missing
    or is not the tool's."""
    candidates = for_layout(layout)
    if not candidates:
        return None
    if configured:
        return _configured(conn, candidates, configured)
    for tool in candidates:
        found = _default(conn, tool)
        if found is not None:
            return found
    for tool in candidates:
        found = _renamed(conn, tool)
        if found is not None:
            return found
    return None


def _configured(
    conn: psycopg.Connection, candidates: tuple[ToolLedger, ...], configured: str
) -> FoundLedger:
    try:
        schema, table = split_table(configured)
    except ValueError as exc:
        raise ToolLedgerError(f"ledger_table: {exc}") from None
    found = _table(conn, schema, table)
    tool = candidates[0]
    if found is None:
        raise ToolLedgerError(
            f"ledger_table {configured!r}: no such table in the database "
            f"(the {tool.tool} ledger migtui was told to use)"
        )
    for candidate in candidates:
        if _shape_fits(candidate, set(found[2])):
            return FoundLedger(candidate, found[0], found[1], "configured")
    raise ToolLedgerError(
        f"ledger_table {configured!r} is not a {tool.tool} ledger: it needs the "
        f"columns {', '.join(sorted(tool.columns))}"
    )


def _default(conn: psycopg.Connection, tool: ToolLedger) -> FoundLedger | None:
    schema, table = split_table(tool.table)
    found = _table(conn, schema, table)
    if found is not None and _shape_fits(tool, set(found[2])):
        return FoundLedger(tool, found[0], found[1])
    return None


def _renamed(conn: psycopg.Connection, tool: ToolLedger) -> FoundLedger | None:
    if not tool.all_columns:
        return None
    shaped = [
        row
        for row in conn.execute(
            _COLUMNS_OF.format(
                where="n.nspname NOT IN ('pg_catalog', 'information_schema', 'migtui')"
                " AND n.nspname NOT LIKE 'pg\\_%'"
            )
        ).fetchall()
        if set(row[2]) == tool.all_columns
    ]
    if len(shaped) == 1:
        return FoundLedger(tool, shaped[0][0], shaped[0][1], "renamed")
    return None


def _table(conn: psycopg.Connection, schema: str | None, table: str) -> tuple | None:
    """(schema, table, columns) of the table the name finds (through the
    search path when unqualified), or None."""
    name = qualified(schema, table) if schema else qualified("", table)[3:]
    row = conn.execute("SELECT to_regclass(%s)::oid", (name,)).fetchone()
    if row is None or row[0] is None:
        return None
    found = conn.execute(_COLUMNS_OF.format(where="c.oid = %s"), (row[0],)).fetchone()
    return (found[0], found[1], list(found[2])) if found else None


def read_tool_states(
    conn: psycopg.Connection, found: FoundLedger, analysis: Analysis
) -> dict[str, ToolState]:
    rows = conn.execute(found.tool.select(found.name)).fetchall()
    return found.tool.states(rows, analysis.migrations, root=analysis.root)


def record(conn: psycopg.Connection, found: FoundLedger, info: MigrationInfo, run: ToolRun) -> None:
    for sql, params in found.tool.record(found.name, info, run):
        conn.execute(sql, params)


def forget(conn: psycopg.Connection, found: FoundLedger, info: MigrationInfo, run: ToolRun) -> None:
    for sql, params in found.tool.forget(found.name, info, run):
        conn.execute(sql, params)


def try_tool_lock(conn: psycopg.Connection, found: FoundLedger) -> tuple[bool, int | None]:
    """Take the tool's own advisory lock (session level) if it has one.
    (taken, key): taken is False when another session holds it."""
    database = conn.info.dbname
    key = found.tool.lock_key(database, found.schema, found.table)
    if key is None:
        return True, None
    row = conn.execute("SELECT pg_try_advisory_lock(%s::bigint)", (key,)).fetchone()
    return bool(row and row[0]), key


def release_tool_lock(conn: psycopg.Connection, key: int | None) -> None:
    if key is not None:
        conn.execute("SELECT pg_advisory_unlock(%s::bigint)", (key,))


def lock_holder(conn: psycopg.Connection, key: int) -> int | None:
    """The backend pid holding advisory lock ``key``, if it can be seen."""
    row = conn.execute(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND ((classid::bigint << 32) | objid::bigint) = %s::bigint AND pid <> pg_backend_pid()",
        (key,),
    ).fetchone()
    return row[0] if row else None
