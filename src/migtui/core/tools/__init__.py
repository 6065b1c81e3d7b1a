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
from migtui.core.tools.sqitch import Sqitch

__all__ = ["TOOLS", "ToolLedger", "ToolRun", "ToolState", "for_layout"]

TOOLS: tuple[ToolLedger, ...] = (Dbmate(), GolangMigrate(), Goose(), Flyway(), Diesel(), Sqitch())


def for_layout(layout: str) -> ToolLedger | None:
    """The tool whose ledger a database migrated from a ``layout`` folder keeps."""
    return next((t for t in TOOLS if t.layout == layout), None)
