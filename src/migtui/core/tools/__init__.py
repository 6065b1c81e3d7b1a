"""The migration tools migtui works beside, one module each.

Each module says how its tool records migrations in the target (its
ledger): what identifies the table, how its rows become each migration's
state, and how an apply or a rollback is written so that the tool, run next,
agrees with what migtui did. ``for_layout`` gives the tool whose folder
layout is being read.
"""

from __future__ import annotations

from migtui.core.tools.base import ToolLedger, ToolRun, ToolState
from migtui.core.tools.dbmate import Dbmate
from migtui.core.tools.diesel import Diesel
from migtui.core.tools.flyway import Flyway
from migtui.core.tools.golang_migrate import GolangMigrate
from migtui.core.tools.goose import Goose
from migtui.core.tools.prisma import Prisma
from migtui.core.tools.sqitch import Sqitch
from migtui.core.tools.sqlx import Sqlx

__all__ = ["TOOLS", "ToolLedger", "ToolRun", "ToolState", "for_layout"]

TOOLS: tuple[ToolLedger, ...] = (
    Dbmate(),
    GolangMigrate(),
    Goose(),
    Flyway(),
    Diesel(),
    Sqitch(),
    Prisma(),
    Sqlx(),
)

#: Tools whose folders look like another layout's: sqlx's files are named like
#: golang-migrate's pairs or dbmate's single files, so a folder read as one of
#: those may belong to a database sqlx keeps.
_LOOKALIKES = {"golang-migrate": ("sqlx",), "native": ("sqlx",)}


def for_layout(layout: str) -> tuple[ToolLedger, ...]:
    """The tools whose ledger a database migrated from a ``layout`` folder may
    keep, the layout's own tool first."""
    names = (layout, *_LOOKALIKES.get(layout, ()))
    return tuple(t for name in names for t in TOOLS if t.layout == name)
