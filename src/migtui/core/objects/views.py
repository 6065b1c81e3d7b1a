"""Views and materialized views: what their queries read, then the view."""

from __future__ import annotations

from migtui.core.facts import PROVIDE, REQUIRE
from migtui.core.model import MATVIEW, VIEW
from migtui.core.objects.queries import read
from migtui.core.objects.script import Ctx, Script


def create_view(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("view", {})
    depends = reads_of(script, fields.get("query"), ctx)
    ref = script.range_var(rv, VIEW)
    if ref is None:
        return
    script.need_schema(ref, rv.get("location"), ctx)
    script.emit(
        PROVIDE, ref, rv.get("location"), ctx, depends=depends, strict=not fields.get("replace")
    )


def reads_of(script: Script, query, ctx: Ctx) -> tuple:
    """Read a query; the relations it needs, which a view on it depends on."""
    before = len(script.effects)
    read(script, query, ctx)
    return tuple(
        dict.fromkeys(
            e.ref
            for e in script.effects[before:]
            if e.action == REQUIRE and e.ref.namespace == "relation"
        )
    )


def refresh(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("relation", {})
    script.emit(REQUIRE, script.range_var(rv, MATVIEW), rv.get("location"), ctx)
