"""Triggers, rules, policies and event triggers: each lives on a table (or the
database) and needs what it runs."""

from __future__ import annotations

from migtui.core.builtins import builtin_functions
from migtui.core.facts import ALTER, INVALID_DEFINITION, POLICY_CLAUSE, PROVIDE, REQUIRE
from migtui.core.model import (
    COLUMN,
    CONSTRAINT,
    EVENT_TRIGGER,
    FUNCTION,
    POLICY,
    RULE,
    TRIGGER,
    ObjectRef,
)
from migtui.core.objects.queries import compared_labels, read, scoped_columns
from migtui.core.objects.routines import routine_ref
from migtui.core.objects.script import Ctx, Script, calls_in, nodes_of, strings


def _on_table(kind: str, table: ObjectRef, name: str) -> ObjectRef:
    return ObjectRef(kind, table.schema, name, table=table.qualified)


def create_trigger(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("relation", {})
    table = script.range_var(rv)
    script.emit(REQUIRE, table, rv.get("location"), ctx)
    names = strings(fields.get("funcname", ()))
    # pg_catalog's trigger functions (suppress_redundant_updates_trigger …) are found first
    builtin = len(names) == 1 and names[0] in builtin_functions()
    func = None if builtin else routine_ref(script, names, FUNCTION, "")
    location = ctx.src.find(func.name) if func else None
    script.emit(REQUIRE, func, location, ctx, trigger_function=True)
    if fields.get("constrrel"):
        other = fields["constrrel"]
        script.emit(REQUIRE, script.range_var(other), other.get("location"), ctx)
    if fields.get("whenClause"):
        read(script, fields["whenClause"], ctx)
        _when_refused(script, fields, ctx)
    if fields.get("transitionRels"):
        _transition_refused(script, fields, ctx)
    if table is not None:
        name = fields.get("trigname", "")
        trigger = _on_table(TRIGGER, table, name)
        # UPDATE OF a and WHEN (OLD.b …) hold those columns, which must be there
        columns = tuple(
            ObjectRef(COLUMN, table.schema, column, table=table.qualified)
            for column in _trigger_columns(fields)
        )
        for column in columns:
            script.emit(REQUIRE, column, rv.get("location"), ctx)
        depends = ((func,) if func is not None else ()) + columns
        strict = not fields.get("replace")
        script.emit(PROVIDE, trigger, ctx.src.find(name), ctx, depends=depends, strict=strict)
        if fields.get("isconstraint"):  # a constraint trigger is a constraint of its name too
            script.emit(PROVIDE, _on_table(CONSTRAINT, table, name), ctx.src.find(name), ctx)


#: A trigger's events and timing (pg_trigger.tgtype's bits)
_INSERT, _DELETE, _UPDATE, _TRUNCATE = 1 << 2, 1 << 3, 1 << 4, 1 << 5
_BEFORE, _INSTEAD = 1 << 1, 1 << 6


def _transition_refused(script: Script, fields: dict, ctx: Ctx) -> None:
    """``REFERENCING OLD TABLE / NEW TABLE`` where PostgreSQL allows none: a
    trigger not AFTER, of several events or a column list, an OLD TABLE of
    INSERT or a NEW TABLE of DELETE (42P17, 0A000)."""
    if ctx.guarded or ctx.handled:
        return
    events, timing = fields.get("events") or 0, fields.get("timing") or 0
    kinds = {
        "new" if t.get("TriggerTransition", {}).get("isNew") else "old"
        for t in fields["transitionRels"]
    }
    if timing & (_BEFORE | _INSTEAD):
        why, state = "a transition table belongs only to an AFTER trigger", "42P17"
    elif bin(events & (_INSERT | _DELETE | _UPDATE | _TRUNCATE)).count("1") > 1:
        why, state = "a trigger of more than one event takes no transition table", "0A000"
    elif fields.get("columns"):
        why, state = "a trigger of a column list (UPDATE OF) takes no transition table", "0A000"
    elif "old" in kinds and not events & (_DELETE | _UPDATE):
        why, state = "OLD TABLE belongs only to a DELETE or UPDATE trigger", "42P17"
    elif "new" in kinds and not events & (_INSERT | _UPDATE):
        why, state = "NEW TABLE belongs only to an INSERT or UPDATE trigger", "42P17"
    else:
        return
    script.find(
        INVALID_DEFINITION,
        ctx.line(fields.get("relation", {}).get("location")),
        f"trigger {fields.get('trigname', '')} names a transition table (REFERENCING), but "
        f"{why}: PostgreSQL refuses it ({state})",
        "make one AFTER trigger for each event, each with its own transition table",
        ctx,
        sure=True,
    )


def _when_refused(script: Script, fields: dict, ctx: Ctx) -> None:
    """A trigger's WHEN reading a row its events do not have: OLD on INSERT,
    NEW on DELETE, either in a statement trigger (42P17)."""
    rows = {
        words[0]: item["ColumnRef"].get("location")
        for item in nodes_of(fields.get("whenClause"))
        if isinstance(item.get("ColumnRef"), dict)
        and (words := strings(item["ColumnRef"].get("fields", ())))
        and words[0] in ("old", "new")
    }
    events = fields.get("events") or 0
    if not rows or ctx.guarded or ctx.handled:
        return
    if not fields.get("row"):
        why, at = "a statement trigger's WHEN cannot read the row (OLD or NEW): it has none", None
    elif events & _INSERT and "old" in rows:
        why, at = "an INSERT trigger's WHEN cannot read OLD: an inserted row has none", "old"
    elif events & _DELETE and "new" in rows:
        why, at = "a DELETE trigger's WHEN cannot read NEW: a deleted row has none", "new"
    else:
        return
    script.find(
        INVALID_DEFINITION,
        ctx.line(rows[at] if at else next(iter(rows.values()))),
        f"trigger {fields.get('trigname', '')}: {why}, and PostgreSQL refuses it (42P17)",
        "make it FOR EACH ROW"
        if at is None
        else "make a trigger for each event, each WHEN reading the row that event has "
        "(or test TG_OP in the function)",
        ctx,
        sure=True,
    )


def _trigger_columns(fields: dict) -> list[str]:
    """The columns ``UPDATE OF`` names and ``WHEN`` reads (``OLD.b``, ``NEW.b``)."""
    found = dict.fromkeys(strings(fields.get("columns", ())))
    for item in nodes_of(fields.get("whenClause")):
        ref = item.get("ColumnRef")
        if isinstance(ref, dict):
            words = strings(ref.get("fields", ()))
            if len(words) == 2 and words[0] in ("old", "new") and words[1] != "*":
                found[words[1]] = None
    return list(found)


def create_rule(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("relation", {})
    table = script.range_var(rv)
    script.emit(REQUIRE, table, rv.get("location"), ctx)
    if fields.get("whereClause"):
        read(script, fields["whereClause"], ctx)

    for action in fields.get("actions", ()):
        script.nested(action, ctx)
    if table is not None:
        name = fields.get("rulename", "")
        script.emit(PROVIDE, _on_table(RULE, table, name), rv.get("location"), ctx)


def create_policy(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("table", {})
    table = script.range_var(rv)
    script.emit(REQUIRE, table, rv.get("location"), ctx)
    _policy_clauses(script, fields, ctx)
    held, bare = _policy_holds(script, table, fields, ctx)
    if table is not None:
        name = fields.get("policy_name", "")
        policy = _on_table(POLICY, table, name)
        # CREATE POLICY has no OR REPLACE: one of the name on the table is refused
        command = (fields.get("cmd_name") or "all").lower()
        script.emit(
            PROVIDE,
            policy,
            rv.get("location"),
            ctx,
            depends=held,
            bare=bare,
            strict=True,
            command=command,
            # … and the functions it calls: PostgreSQL refuses to drop one (2BP01)
            uses=calls_in(fields.get("qual"), fields.get("with_check")),
        )


def _policy_holds(
    script: Script, table: ObjectRef | None, fields: dict, ctx: Ctx
) -> tuple[tuple, tuple]:
    """Read a policy's expressions (CREATE POLICY's, or those ALTER POLICY
    gives it): what it holds — the columns of its table it reads, the tables
    its subqueries read and the columns they name — which PostgreSQL refuses
    to drop (2BP01) or retype (0A000), and CASCADE takes the policy; and what
    its subqueries of one table name bare (the table's, when it has it)."""
    before = len(script.effects)
    inner: list = []  # what its subqueries name (a.n, or bare of a query of one table)
    # (its subqueries see the policy's table by its name: d.org_id)
    outer = {table.name: table} if table is not None else None
    for part in (fields.get("qual"), fields.get("with_check")):
        read(script, part, ctx)
        if part:  # (an expression: any query in it is a subquery)
            scoped_columns(script, part, ctx, inner, outer)
    if table is None:
        return (), ()
    others = tuple(r for r in script.needed_since(before) if r != table)
    named = tuple(c for c in inner if isinstance(c, ObjectRef))
    own = _policy_columns(script, table, fields, ctx)
    held = tuple(dict.fromkeys(own + named)) + others
    if not ctx.body:  # ``status = 'archived'``: a label the column's enum must have (22P02)
        for part in (fields.get("qual"), fields.get("with_check")):
            compared_labels(script, table, part, ctx)
    return held, tuple(dict.fromkeys(c for c in inner if not isinstance(c, ObjectRef)))


def _policy_clauses(script: Script, fields: dict, ctx: Ctx) -> None:
    """An INSERT policy checks new rows only (WITH CHECK); a SELECT or DELETE
    policy filters existing rows only (USING): PostgreSQL refuses the other
    clause (42601)."""
    command = (fields.get("cmd_name") or "all").lower()
    if ctx.body:
        return
    if command == "insert" and fields.get("qual"):
        clause, allowed = "USING", "WITH CHECK"
    elif command in ("select", "delete") and fields.get("with_check"):
        clause, allowed = "WITH CHECK", "USING"
    else:
        return
    rv = fields.get("table") or {}
    script.find(
        POLICY_CLAUSE,
        ctx.line(rv.get("location")),
        f"policy {fields.get('policy_name', '')} FOR {command.upper()} has a {clause} "
        f"clause, which {'an' if command == 'insert' else 'a'} {command.upper()} policy "
        "cannot take: PostgreSQL refuses (42601)",
        f"write the condition as {allowed} ({'new rows' if allowed == 'WITH CHECK' else 'rows'} "
        f"it {'lets in' if allowed == 'WITH CHECK' else 'shows'})",
        ctx,
        sure=not (ctx.guarded or ctx.handled),
    )


def _policy_columns(
    script: Script, table: ObjectRef, fields: dict, ctx: Ctx
) -> tuple[ObjectRef, ...]:
    """The columns a policy's expressions name, which must be there: its
    table's, outside any subquery (where a name may belong to the subquery's
    own tables)."""
    found: list[ObjectRef] = []
    stack = [fields.get("qual"), fields.get("with_check")]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict) or "SubLink" in item:
            continue
        ref = item.get("ColumnRef")
        if isinstance(ref, dict):
            names = strings(ref.get("fields", ()))
            # f(t), f(t.*): the row, not a column
            whole_row = names == [table.name] or names[-1:] == ["*"]
            if (
                len(ref.get("fields", ())) == len(names)
                and not whole_row
                and (len(names) == 1 or (len(names) == 2 and names[0] == table.name))
            ):
                column = ObjectRef(COLUMN, table.schema, names[-1], table=table.qualified)
                script.emit(REQUIRE, column, ref.get("location"), ctx)
                found.append(column)
            continue
        stack.extend(item.values())
    return tuple(dict.fromkeys(found))


def alter_policy(script: Script, fields: dict, ctx: Ctx) -> None:
    rv = fields.get("table", {})
    table = script.range_var(rv)
    renewed = bool(fields.get("qual") or fields.get("with_check"))
    # new expressions: what the old ones held is free (what an expression
    # not rewritten holds is not known here, and is let go too)
    held, bare = _policy_holds(script, table, fields, ctx)
    if table is not None:
        name = fields.get("policy_name", "")
        policy = _on_table(POLICY, table, name)
        clauses = ("using",) * bool(fields.get("qual")) + ("check",) * bool(
            fields.get("with_check")
        )
        script.emit(
            ALTER,
            policy,
            rv.get("location"),
            ctx,
            depends=held if renewed else (),
            bare=bare if renewed else (),
            renewed=renewed,
            clauses=clauses,
            uses=calls_in(fields.get("qual"), fields.get("with_check")) if renewed else (),
        )


def create_event_trigger(script: Script, fields: dict, ctx: Ctx) -> None:
    names = strings(fields.get("funcname", ()))
    # pg_catalog's trigger functions (suppress_redundant_updates_trigger …) are found first
    builtin = len(names) == 1 and names[0] in builtin_functions()
    func = None if builtin else routine_ref(script, names, FUNCTION, "")
    script.emit(REQUIRE, func, ctx.src.find(func.name) if func else None, ctx)
    name = fields.get("trigname", "")
    trigger = ObjectRef(EVENT_TRIGGER, None, name)
    # (it holds its function: PostgreSQL refuses to drop that, 2BP01)
    held = (func,) if func is not None else ()
    script.emit(PROVIDE, trigger, ctx.src.find(name), ctx, strict=True, depends=held)


def alter_event_trigger(script: Script, fields: dict, ctx: Ctx) -> None:
    """ALTER EVENT TRIGGER e ENABLE / DISABLE: e must be there."""
    name = fields.get("trigname", "")
    script.emit(ALTER, ObjectRef(EVENT_TRIGGER, None, name), ctx.src.find(name), ctx)
