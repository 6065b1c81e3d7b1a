"""The migration tools migtui reads and works beside, one module each.

Each module says everything migtui knows about its tool: how it names and
orders migrations (``read``, its folder reader, with ``LAYOUT``, ``SHAPE``,
``DOWN_HINT`` and what the tool creates first, ``ASSUMED``), and how it
records them in the target (its ledger class: what identifies the table, how
its rows become each migration's state, and how an apply or a rollback is
written so that the tool, run next, agrees). ``reading`` holds what the
readers share. Adding a tool is one module here, listed in ``MODULES``, and
its detection rule in ``core.layouts``. A tool run on a platform of its own
(Supabase) also names what that platform makes (``PLATFORM``): objects a
target that is not that platform lacks.
"""

from __future__ import annotations

from migtui.core.tools import (
    atlas,
    db_migrate,
    dbmate,
    diesel,
    drizzle,
    flyway,
    golang_migrate,
    goose,
    graphile_migrate,
    liquibase,
    migratus,
    node_pg_migrate,
    pop,
    postgrator,
    prisma,
    refinery,
    shmig,
    sqitch,
    sql_migrate,
    sqlx,
    supabase,
    tern,
    yoyo,
)
from migtui.core.tools.atlas import Atlas
from migtui.core.tools.base import ToolLedger, ToolRun, ToolState
from migtui.core.tools.db_migrate import DbMigrate
from migtui.core.tools.dbmate import Dbmate
from migtui.core.tools.diesel import Diesel
from migtui.core.tools.drizzle import Drizzle
from migtui.core.tools.flyway import Flyway
from migtui.core.tools.golang_migrate import GolangMigrate
from migtui.core.tools.goose import Goose
from migtui.core.tools.graphile_migrate import GraphileMigrate
from migtui.core.tools.liquibase import Liquibase
from migtui.core.tools.migratus import Migratus
from migtui.core.tools.node_pg_migrate import NodePgMigrate
from migtui.core.tools.pop import Pop
from migtui.core.tools.postgrator import Postgrator
from migtui.core.tools.prisma import Prisma
from migtui.core.tools.refinery import Refinery
from migtui.core.tools.shmig import Shmig
from migtui.core.tools.sqitch import Sqitch
from migtui.core.tools.sql_migrate import SqlMigrate
from migtui.core.tools.sqlx import Sqlx
from migtui.core.tools.supabase import Supabase
from migtui.core.tools.tern import Tern
from migtui.core.tools.yoyo import Yoyo

__all__ = ["MODULES", "TOOLS", "ToolLedger", "ToolRun", "ToolState", "for_layout"]

#: Each tool's module, in the order migtui lists their layouts.
MODULES = (
    dbmate,
    golang_migrate,
    goose,
    diesel,
    flyway,
    sqitch,
    prisma,
    sqlx,
    sql_migrate,
    atlas,
    liquibase,
    supabase,
    tern,
    drizzle,
    pop,
    node_pg_migrate,
    migratus,
    shmig,
    graphile_migrate,
    yoyo,
    db_migrate,
    postgrator,
    refinery,
)

TOOLS: tuple[ToolLedger, ...] = (
    Dbmate(),
    GolangMigrate(),
    Goose(),
    Flyway(),
    Diesel(),
    Sqitch(),
    Prisma(),
    Sqlx(),
    SqlMigrate(),
    Atlas(),
    Liquibase(),
    Supabase(),
    Tern(),
    Drizzle(),
    Pop(),
    NodePgMigrate(),
    Migratus(),
    Shmig(),
    GraphileMigrate(),
    Yoyo(),
    DbMigrate(),
    Postgrator(),
    Refinery(),
)

#: Tools whose folders look like another layout's: sqlx's files are named like
#: golang-migrate's pairs or dbmate's single files, so a folder read as one of
#: those may belong to a database sqlx keeps.
_LOOKALIKES = {"golang-migrate": ("sqlx", "pop"), "native": ("sqlx",)}


def for_layout(layout: str) -> tuple[ToolLedger, ...]:
    """The tools whose ledger a database migrated from a ``layout`` folder may
    keep, the layout's own tool first."""
    names = (layout, *_LOOKALIKES.get(layout, ()))
    return tuple(t for name in names for t in TOOLS if t.layout == name)
