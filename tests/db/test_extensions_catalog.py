"""The extension index agrees with what PostgreSQL really creates.

Each extension the index knows is installed into a fresh database (into schema
``ext``, and into ``public``), and the routines, types and relations the server
records as its members are compared with ``extension_objects``. Two
conventions of the index are applied to the server's side first, both from
``core.objects``: types it knows by name (``hstore``, ``citext`` …) are written
bare in signatures, and the array types and row types PostgreSQL creates
alongside a type or a relation are not listed (migrations name them as
``t[]`` or through the relation).
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from migtui.core.extensions import extension_objects, known_extensions
from migtui.core.sqlnames import EXTENSION_TYPES

pytestmark = pytest.mark.db

_MEMBERS = """
WITH member AS (
    SELECT d.classid, d.objid
    FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = %s
)
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname, p.proname,
       coalesce((SELECT string_agg(format_type(t, NULL), ', ' ORDER BY o)
                 FROM unnest(CASE WHEN p.prokind = 'p' AND p.proallargtypes IS NOT NULL
                                  THEN p.proallargtypes ELSE p.proargtypes::oid[] END)
                      WITH ORDINALITY AS u(t, o)), '')
FROM member m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
JOIN pg_namespace n ON n.oid = p.pronamespace
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, n.nspname, t.typname, NULL
FROM member m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
JOIN pg_namespace n ON n.oid = t.typnamespace
UNION ALL
SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table'
                      ELSE 'relkind ' || c.relkind::text END,
       n.nspname, c.relname, NULL
FROM member m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
JOIN pg_namespace n ON n.oid = c.relnamespace
"""


def _as_core_objects_writes(args: str | None, schema: str) -> str | None:
    if args is None:
        return None
    out = []
    for arg in args.split(", "):
        qualified, _, rest = arg.partition(".")
        if rest and (rest.removesuffix("[]") in EXTENSION_TYPES or qualified == "public"):
            arg = rest
        out.append(arg)
    return ", ".join(out)


def _members(conn: psycopg.Connection, name: str, schema: str) -> set[tuple]:
    rows = conn.execute(_MEMBERS, (name,)).fetchall()
    found = {(k, s, n, _as_core_objects_writes(a, schema)) for k, s, n, a in rows}
    types = {n for k, _, n, _ in found if k in ("type", "domain")}
    relations = {n for k, _, n, _ in found if k in ("table", "view", "materialized view")}
    return {
        o
        for o in found
        if not (
            o[0] == "type"
            and (o[2] in relations or (o[2].startswith("_") and o[2][1:] in types | relations))
        )
    }


@pytest.mark.parametrize("schema", ["ext", "public"])
def test_the_index_matches_what_the_server_creates(pg_conn, schema: str) -> None:
    pg_conn.execute("SET search_path = public")
    if schema != "public":
        pg_conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    differences = {}
    for name in sorted(known_extensions()):
        try:
            pg_conn.execute(
                sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA {} CASCADE").format(
                    sql.Identifier(name), sql.Identifier(schema)
                )
            )
        except psycopg.errors.InvalidParameterValue:  # its control file fixes its schema
            pg_conn.execute(
                sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(name))
            )
        live = _members(pg_conn, name, schema)
        ours = {(r.kind, r.schema, r.name, r.args) for r in extension_objects(name, schema)}
        if live != ours:
            differences[name] = {
                "server only": sorted(live - ours, key=str),
                "index only": sorted(ours - live, key=str),
            }
    assert differences == {}
