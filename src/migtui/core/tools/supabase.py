"""Supabase: ``supabase/migrations/<timestamp>_<name>.sql`` beside the CLI's
``supabase/config.toml``; ``supabase db push`` runs each file whole and records
it in ``supabase_migrations.schema_migrations`` (the version, the name, and the
statements it ran).

The migrations run on Supabase's platform, which made its own schemas, tables
and roles before the first of them: ``auth.users``, ``storage.buckets``,
``storage.objects``, the ``anon`` and ``authenticated`` roles… A migration may
use them as it uses its own, so they are what this layout's tool provides
first (``ASSUMED``). Supabase has no down migrations: none is asked for.
"""

from __future__ import annotations

import re
from pathlib import Path

from migtui.core.model import (
    EVENT_TRIGGER,
    EXTENSION,
    FUNCTION,
    PUBLICATION,
    ROLE,
    SCHEMA,
    TABLE,
    VIEW,
    Migration,
    ObjectRef,
)
from migtui.core.project import MigrationInfo
from migtui.core.sqlnames import EXTENSION_FUNCTIONS
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    Where,
    all_lines,
    declared_requires,
    named_files,
    peek,
    whole_file,
)
from migtui.core.versions import version_for

#: The layout name migtui gives this tool's folders.
LAYOUT = "supabase"
#: How its folders look, for messages.
SHAPE = "supabase/migrations/20240101120000_name.sql beside supabase/config.toml"
#: What to do about a migration without a down section.
DOWN_HINT = "Supabase has no down migrations: undo it in a new migration"

_NAME = re.compile(r"^(\d+)_(.*)\.sql$")
#: A file named by a date or a timestamp (``supabase migration new`` writes a
#: UTC timestamp to the second; some projects name theirs by the day).
_TIMESTAMPED = re.compile(r"^\d{8,}_.*\.sql$")


def looks_like_supabase(root: Path) -> bool:
    """The CLI's own folder: ``migrations`` in a ``supabase`` folder holding its ``config.toml``."""
    return (
        root.name == "migrations"
        and root.parent.name == "supabase"
        and (root.parent / "config.toml").is_file()
    )


def looks_like_supabase_without_config(root: Path, versioned: list[Path]) -> bool:
    """``supabase/migrations`` without the CLI's ``config.toml`` (a project that
    keeps only the migrations, or a copy of them): still Supabase's when its
    files are all timestamped and carry no other tool's markers."""
    from migtui.core.tools import dbmate

    return (
        root.name == "migrations"
        and root.parent.name == "supabase"
        and bool(versioned)
        and all(_TIMESTAMPED.match(p.name) for p in versioned)
        and not dbmate.has_markers(versioned)
    )


#: What only a project on Supabase's platform uses without making it: its auth and
#: storage schemas' objects, and the roles its API runs queries as.
_PLATFORM_USE = re.compile(
    rb"\bauth\s*\.\s*(?:users|uid|jwt|role|email)\b|\bstorage\s*\.\s*(?:objects|buckets)\b"
    rb"|\bTO\s+(?:anon|authenticated|service_role)\b",
    re.IGNORECASE,
)
#: … and what a project that makes those objects itself writes.
_MAKES_AUTH = re.compile(rb"\bCREATE\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?auth\b", re.I)


def looks_like_supabase_by_content(versioned: list[Path]) -> bool:
    """A copy of a Supabase project's migrations kept under another name
    (``db/migrations``): timestamped files without another tool's markers that
    use the platform's auth or storage objects or its API roles, which none of
    them makes."""
    from migtui.core.tools import dbmate

    if not versioned or not all(_TIMESTAMPED.match(p.name) for p in versioned):
        return False
    if dbmate.has_markers(versioned):
        return False
    texts = [peek(p) or b"" for p in versioned]
    return any(_PLATFORM_USE.search(t) for t in texts) and not any(
        _MAKES_AUTH.search(t) for t in texts
    )


def read(root: Path) -> Read:
    read = Read()
    # the platform's postgres role runs migrations with "$user", public,
    # extensions: the extensions' objects are found without their schema
    read.search_path = ("public", "extensions")
    hint = "name migrations TIMESTAMP_name.sql (supabase migration new name)"
    for path, match in named_files(root, _NAME, read, hint, LAYOUT):
        where = Where(root, path, match.group(1))
        problems: list = []
        up, source = whole_file("up", where, problems)
        requires = declared_requires(all_lines(source), where, problems) if source else ()
        read.migrations.append(
            Migration(
                version_for(match.group(1), LAYOUT),
                match.group(2),
                path,
                LAYOUT,
                up=up,
                declared_requires=requires,
                read_problems=tuple(problems),
            )
        )
    return read


_SCHEMAS = (
    "auth",
    "storage",
    "extensions",
    "graphql",
    "graphql_public",
    "realtime",
    "vault",
    "pgbouncer",
    "supabase_migrations",
)
_TABLES = {
    "auth": (
        "users",
        "identities",
        "sessions",
        "refresh_tokens",
        "audit_log_entries",
        "instances",
        "mfa_factors",
        "mfa_challenges",
        "mfa_amr_claims",
        "flow_state",
        "saml_providers",
        "saml_relay_states",
        "sso_providers",
        "sso_domains",
        "one_time_tokens",
        "schema_migrations",
    ),
    "storage": (
        "buckets",
        "objects",
        "migrations",
        "s3_multipart_uploads",
        "s3_multipart_uploads_parts",
    ),
    "realtime": ("messages", "subscription", "schema_migrations"),
    "vault": ("secrets",),
    "supabase_migrations": ("schema_migrations",),
}
#: The platform's functions migrations call (in policies, defaults, triggers).
_FUNCTIONS = {
    "auth": ("uid", "role", "jwt", "email"),
    "storage": ("foldername", "filename", "extension", "search", "get_size_by_bucket"),
    "realtime": ("send", "broadcast_changes", "topic"),
    "vault": ("create_secret", "update_secret"),
}
#: The extensions every Supabase database has, in the ``extensions`` schema.
_EXTENSIONS = (
    "uuid-ossp",
    "pgcrypto",
    "pgjwt",
    "pg_stat_statements",
    "pg_graphql",
    "supabase_vault",
)
_ROLES = (
    "anon",
    "authenticated",
    "service_role",
    "authenticator",
    "supabase_admin",
    "supabase_auth_admin",
    "supabase_storage_admin",
    "supabase_realtime_admin",
    "dashboard_user",
    "pgbouncer",
)

#: What Supabase's platform makes before the first migration: there on a
#: Supabase database, missing from any other.
PLATFORM: tuple[ObjectRef, ...] = (
    *(ObjectRef(SCHEMA, None, name) for name in _SCHEMAS if name != "supabase_migrations"),
    *(
        ObjectRef(TABLE, schema, name)
        for schema, names in _TABLES.items()
        if schema != "supabase_migrations"
        for name in names
    ),
    ObjectRef(VIEW, "vault", "decrypted_secrets"),
    *(ObjectRef(FUNCTION, schema, name) for schema, names in _FUNCTIONS.items() for name in names),
    # the extensions' functions, in their schema and found through the search path
    *(
        ObjectRef(FUNCTION, schema, name)
        for name, owner in EXTENSION_FUNCTIONS.items()
        if owner in _EXTENSIONS
        for schema in ("extensions", "public")
    ),
    *(ObjectRef(EXTENSION, None, name) for name in _EXTENSIONS),
    *(ObjectRef(ROLE, None, name) for name in _ROLES),
    # what the Realtime service streams: tables join it by ALTER PUBLICATION
    ObjectRef(PUBLICATION, None, "supabase_realtime"),
    # … and the event triggers that keep its API and extensions in step
    *(
        ObjectRef(EVENT_TRIGGER, None, name)
        for name in (
            "issue_graphql_placeholder",
            "issue_pg_cron_access",
            "issue_pg_graphql_access",
            "issue_pg_net_access",
            "pgrst_ddl_watch",
            "pgrst_drop_watch",
        )
    ),
)
#: What is there before the first migration runs: the CLI's ledger, and the platform.
ASSUMED: tuple[ObjectRef, ...] = (
    ObjectRef(SCHEMA, None, "supabase_migrations"),
    ObjectRef(TABLE, "supabase_migrations", "schema_migrations"),
    *PLATFORM,
)


class Supabase(ToolLedger):
    tool = "Supabase CLI"
    layout = LAYOUT
    table = "supabase_migrations.schema_migrations"
    columns = frozenset({"version", "statements", "name"})
    ledger_ddl = (
        "CREATE SCHEMA IF NOT EXISTS supabase_migrations",
        "CREATE TABLE IF NOT EXISTS {table} (version text NOT NULL PRIMARY KEY,"
        " statements text[], name text)",
    )

    def select(self, table: str) -> str:
        return f"SELECT version FROM {table}"

    def states(self, rows, infos, root=None):
        recorded = {str(r[0]) for r in rows}
        return {
            info.version: ToolState(applied=True)
            for info in infos
            if info.migration.version.raw in recorded
        }

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        up = info.sections.get("up")
        statements = [s.text for s in up.statements] if up is not None else []
        return [
            (
                f"INSERT INTO {table} (version, name, statements) VALUES (%s, %s, %s)"
                " ON CONFLICT (version) DO NOTHING",
                (info.migration.version.raw, info.migration.name, statements),
            )
        ]

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        return [(f"DELETE FROM {table} WHERE version = %s", (info.migration.version.raw,))]
