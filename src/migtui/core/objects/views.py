"""Views and materialized views: what their queries read, then the view."""

from __future__ import annotations

from migtui.core.facts import PROVIDE, REQUIRE
from migtui.core.model import MATVIEW, VIEW
from migtui.core.objects.queries import read
from migtui.core.objects.script import Ctx, Script


def create_view(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("view", {})
    read(script, fields.get("query"), ctx)
    ref = script.range_var(rv, VIEW)
    if ref is None:
        return
    script.need_schema(ref, rv.get("location"), ctx)
    script.emit(PROVIDE, ref, rv.get("location"), ctx)


def refresh(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("relation", {})
    script.emit(REQUIRE, script.range_var(rv, MATVIEW), rv.get("location"), ctx)
