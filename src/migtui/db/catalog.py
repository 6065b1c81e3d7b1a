"""Read what a live database already has into a CatalogSnapshot.

One query per object kind (never one per object), each returning ObjectRefs in
the one spelling. System schemas and migtui's own schema are left out: they
are not the user's objects.
"""

from __future__ import annotations

import psycopg

from migtui.core.catalog import CatalogSnapshot
from migtui.core.model import (
    COLLATION,
    COLUMN,
    CONSTRAINT,
    DOMAIN,
    EVENT_TRIGGER,
    EXTENSION,
    FOREIGN_TABLE,
    FUNCTION,
    INDEX,
    MATVIEW,
    POLICY,
    PROCEDURE,
    PUBLICATION,
    PUBLISHED,
    ROLE,
    SCHEMA,
    SEQUENCE,
    TABLE,
    TRIGGER,
    TYPE,
    VIEW,
    ObjectRef,
)

#: A SQL condition on ``n.nspname`` keeping only the user's schemas.
_USER_SCHEMA = (
    "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND n.nspname <> 'migtui'"
)

#: The kinds of object the catalog reader sees: one it does not find is absent.
KINDS_READ = frozenset(
    {
        "table",
        "view",
        "materialized view",
        "sequence",
        "index",
        "foreign table",
        "type",
        "domain",
        "schema",
        "function",
        "procedure",
        "trigger",
        "extension",
        "collation",
        "column",
        "constraint",
    }
)

_RELKINDS = {
    "r": TABLE,
    "p": TABLE,
    "v": VIEW,
    "m": MATVIEW,
    "S": SEQUENCE,
    "i": INDEX,
    "I": INDEX,
    "f": FOREIGN_TABLE,
}

_RELATIONS = f"""
SELECT c.relkind::text, n.nspname, c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I', 'f') AND {_USER_SCHEMA}
"""

# Enums, domains, ranges, base types and standalone composite types; not the
# array types nor the row types every table has.
_TYPES = f"""
SELECT t.typtype::text, n.nspname, t.typname
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_class c ON c.oid = t.typrelid
 WHERE {_USER_SCHEMA}
   AND NOT (t.typcategory = 'A' AND t.typelem <> 0)
   AND (t.typrelid = 0 OR c.relkind = 'c')
"""

_SCHEMAS = f"""
SELECT n.nspname FROM pg_namespace n WHERE {_USER_SCHEMA}
"""

# Argument types in their canonical names (format_type: integer, timestamp with
# time zone), without argument names: the identity PostgreSQL resolves by (a
# procedure's OUT arguments marked, as the analysis spells them).
_ROUTINES = f"""
SELECT p.prokind::text, n.nspname, p.proname,
       coalesce((SELECT string_agg(CASE WHEN p.prokind = 'p' AND p.proargmodes[a.i] = 'o'
                                        THEN 'OUT ' ELSE '' END
                                   || format_type(a.t, NULL), ', ' ORDER BY a.i)
                   FROM unnest(CASE WHEN p.prokind = 'p' AND p.proallargtypes IS NOT NULL
                                    THEN p.proallargtypes
                                    ELSE p.proargtypes::oid[] END) WITH ORDINALITY AS a(t, i)), '')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prokind IN ('f', 'p') AND {_USER_SCHEMA}
"""

_TRIGGERS = f"""
SELECT n.nspname, t.tgname, c.relname
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal AND {_USER_SCHEMA}
"""

_COLLATIONS = f"""
SELECT n.nspname, c.collname
  FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
 WHERE {_USER_SCHEMA}
"""

_EXTENSIONS = "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'"
_PUBLICATIONS = "SELECT pubname FROM pg_publication"
_EVENT_TRIGGERS = "SELECT evtname FROM pg_event_trigger"
#: the tables listed in publications (not those of FOR ALL TABLES or TABLES IN SCHEMA)
_PUBLISHED = """
SELECT n.nspname, c.relname, p.pubname
  FROM pg_publication_rel r
  JOIN pg_publication p ON p.oid = r.prpubid
  JOIN pg_class c ON c.oid = r.prrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
"""

_COLUMNS = f"""
SELECT n.nspname, c.relname, a.attname
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_USER_SCHEMA}
"""

_CONSTRAINTS = f"""
SELECT n.nspname, c.relname, k.conname
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE {_USER_SCHEMA}
"""

_POLICIES = f"""
SELECT n.nspname, c.relname, p.polname
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE {_USER_SCHEMA}
"""


def _relations(conn: psycopg.Connection) -> list[ObjectRef]:
    return [ObjectRef(_RELKINDS[k], s, name) for k, s, name in conn.execute(_RELATIONS)]


def _types(conn: psycopg.Connection) -> list[ObjectRef]:
    return [ObjectRef(DOMAIN if k == "d" else TYPE, s, name) for k, s, name in conn.execute(_TYPES)]


def _schemas(conn: psycopg.Connection) -> list[ObjectRef]:
    return [ObjectRef(SCHEMA, None, name) for (name,) in conn.execute(_SCHEMAS)]


def _routines(conn: psycopg.Connection) -> list[ObjectRef]:
    return [
        ObjectRef(PROCEDURE if k == "p" else FUNCTION, s, name, args=args)
        for k, s, name, args in conn.execute(_ROUTINES)
    ]


def _table_scoped(conn: psycopg.Connection, query: str, kind: str) -> list[ObjectRef]:
    return [
        ObjectRef(kind, s, name, table=f"{s}.{table}") for s, table, name in conn.execute(query)
    ]


def _triggers(conn: psycopg.Connection) -> list[ObjectRef]:
    return [
        ObjectRef(TRIGGER, s, name, table=f"{s}.{table}")
        for s, name, table in conn.execute(_TRIGGERS)
    ]


def _roles(conn: psycopg.Connection) -> list[ObjectRef]:
    """The server's roles (every database's: roles belong to the server)."""
    return [ObjectRef(ROLE, None, name) for (name,) in conn.execute("SELECT rolname FROM pg_roles")]


def _collations(conn: psycopg.Connection) -> list[ObjectRef]:
    return [ObjectRef(COLLATION, s, name) for s, name in conn.execute(_COLLATIONS)]


def _extensions(conn: psycopg.Connection) -> list[ObjectRef]:
    return [ObjectRef(EXTENSION, None, name) for (name,) in conn.execute(_EXTENSIONS)]


def _publications(conn: psycopg.Connection) -> list[ObjectRef]:
    return [ObjectRef(PUBLICATION, None, name) for (name,) in conn.execute(_PUBLICATIONS)] + [
        ObjectRef(PUBLISHED, s, pub, table=f"{s}.{table}")
        for s, table, pub in conn.execute(_PUBLISHED)
    ]


def _event_triggers(conn: psycopg.Connection) -> list[ObjectRef]:
    return [ObjectRef(EVENT_TRIGGER, None, name) for (name,) in conn.execute(_EVENT_TRIGGERS)]


def read_catalog(conn: psycopg.Connection) -> CatalogSnapshot:
    """Every user object of the connected database, read in one query per kind."""
    objects: list[ObjectRef] = []
    # One snapshot of the catalog for all the queries, whatever the connection's mode.
    idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    with conn.transaction():
        if idle:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        objects += _relations(conn)
        objects += _types(conn)
        objects += _schemas(conn)
        objects += _routines(conn)
        objects += _triggers(conn)
        objects += _extensions(conn)
        objects += _collations(conn)
        objects += _publications(conn)
        objects += _event_triggers(conn)
        objects += _table_scoped(conn, _COLUMNS, COLUMN)
        objects += _table_scoped(conn, _CONSTRAINTS, CONSTRAINT)
        objects += _table_scoped(conn, _POLICIES, POLICY)
        objects += _roles(conn)
        version, database, path, user = conn.execute(
            "SELECT current_setting('server_version'), current_database(),"
            " current_setting('search_path'), current_user"
        ).fetchone()
        available = frozenset(
            name for (name,) in conn.execute("SELECT name FROM pg_available_extensions")
        )
    return CatalogSnapshot(
        frozenset(objects),
        server_version=version,
        database=database,
        available_extensions=available,
        roles_read=True,
        search_path=session_path(path, user, {r.name for r in objects if r.kind == SCHEMA}),
    )


def session_path(setting: str, user: str, schemas: set[str]) -> tuple[str, ...]:
    """A search_path setting as the schemas a migration's statements find
    names in: ``$user`` is the role's schema when there is one, and pg_catalog
    and pg_temp, always looked in, are left out."""
    found = []
    for item in setting.split(","):
        name = item.strip()
        if name.startswith('"') and name.endswith('"') and len(name) > 1:
            name = name[1:-1].replace('""', '"')
        if name == "$user":
            if user in schemas:
                found.append(user)
        elif name and name not in ("pg_catalog", "pg_temp"):
            found.append(name)
    return tuple(found)
