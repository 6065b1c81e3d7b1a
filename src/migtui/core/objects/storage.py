"""Storage parameters: ``WITH (fillfactor = 70)`` of a table, an index, a view
or a materialized view, and ``ALTER … SET (…)``. PostgreSQL
refuses a name the relation does not take, a value out of its bounds, or a
word that is no boolean (22023), whatever the database holds.

Judged only where the parameters are PostgreSQL's own: a table of the heap
access method, not partitioned; an index of a built-in access method. A
parameter with a namespace other than ``toast`` is an extension's to accept
(TimescaleDB's ``timescaledb.compress``), and is left alone.
"""

from __future__ import annotations

import re

from migtui.core.facts import INVALID_DEFINITION
from migtui.core.objects.script import Ctx, Script

_BOOL, _INT, _REAL, _ENUM = "boolean", "integer", "real", "enum"

#: A table's own parameters (the heap's), and their kinds.
_AUTOVACUUM = {
    "autovacuum_enabled": _BOOL,
    "autovacuum_vacuum_threshold": _INT,
    "autovacuum_vacuum_max_threshold": _INT,
    "autovacuum_vacuum_scale_factor": _REAL,
    "autovacuum_vacuum_insert_threshold": _INT,
    "autovacuum_vacuum_insert_scale_factor": _REAL,
    "autovacuum_vacuum_cost_delay": _REAL,
    "autovacuum_vacuum_cost_limit": _INT,
    "autovacuum_freeze_min_age": _INT,
    "autovacuum_freeze_max_age": _INT,
    "autovacuum_freeze_table_age": _INT,
    "autovacuum_multixact_freeze_min_age": _INT,
    "autovacuum_multixact_freeze_max_age": _INT,
    "autovacuum_multixact_freeze_table_age": _INT,
    "log_autovacuum_min_duration": _INT,
    "vacuum_index_cleanup": _ENUM,
    "vacuum_truncate": _BOOL,
    "vacuum_max_eager_freeze_failure_rate": _REAL,
}
TABLE = {
    **_AUTOVACUUM,
    "fillfactor": _INT,
    "toast_tuple_target": _INT,
    "parallel_workers": _INT,
    "autovacuum_analyze_threshold": _INT,
    "autovacuum_analyze_scale_factor": _REAL,
    "user_catalog_table": _BOOL,
}
#: What ``toast.`` names on a table.
TOAST = dict(_AUTOVACUUM)
VIEW = {"check_option": _ENUM, "security_barrier": _BOOL, "security_invoker": _BOOL}
#: Each built-in index access method's parameters.
INDEX = {
    "btree": {"fillfactor": _INT, "deduplicate_items": _BOOL},
    "hash": {"fillfactor": _INT},
    "gist": {"fillfactor": _INT, "buffering": _ENUM},
    "spgist": {"fillfactor": _INT},
    "gin": {"fastupdate": _BOOL, "gin_pending_list_limit": _INT},
    "brin": {"pages_per_range": _INT, "autosummarize": _BOOL},
}
_ANY_INDEX = {name: kind for options in INDEX.values() for name, kind in options.items()}
#: The words an enum parameter takes.
_WORDS = {
    "check_option": ("local", "cascaded"),
    "buffering": ("on", "off", "auto"),
    "vacuum_index_cleanup": ("auto", "on", "off", "true", "false", "yes", "no", "1", "0"),
}
#: fillfactor's bounds, the same for a table and every index that has one.
_FILLFACTOR = (10, 100)
#: What PostgreSQL reads as a boolean: a prefix of true, false, yes or no, on,
#: off (or of), 1 and 0.
_BOOLEAN = re.compile(r"t(r(ue?)?)?|f(a(l(se?)?)?)?|y(es?)?|no?|on|off?|1|0", re.IGNORECASE)
_FALSE = re.compile(r"f(a(l(se?)?)?)?|no?|off?|0", re.IGNORECASE)

#: The nodes that carry parameters, and where.
STATEMENTS = frozenset(
    {"CreateStmt", "IndexStmt", "ViewStmt", "CreateTableAsStmt", "AlterTableStmt"}
)


def parameters(script: Script, kind: str, fields: dict, ctx: Ctx) -> None:
    """Judge the storage parameters a statement gives."""
    if ctx.body:
        return  # a routine's body: judged when it runs
    if kind == "CreateStmt":
        if fields.get("partspec"):
            options = _without_oids(script, fields.get("options"), fields.get("relation"), ctx)
            if options:
                partitioned_refused(script, options, fields.get("relation"), ctx)
            return
        if (fields.get("accessMethod") or "heap") != "heap":
            return
        options = _without_oids(script, fields.get("options"), fields.get("relation"), ctx)
        _judge(script, options, TABLE, "table", fields.get("relation"), ctx)
    elif kind == "CreateTableAsStmt":
        into = fields.get("into") or {}
        if (into.get("accessMethod") or "heap") != "heap":
            return
        what = "materialized view" if fields.get("objtype") == "OBJECT_MATVIEW" else "table"
        options = _without_oids(script, into.get("options"), into.get("rel"), ctx)
        _judge(script, options, TABLE, what, into.get("rel"), ctx)
    elif kind == "ViewStmt":
        _judge(script, fields.get("options"), VIEW, "view", fields.get("view"), ctx)
    elif kind == "IndexStmt":
        method = (fields.get("accessMethod") or "btree").lower()
        if method in INDEX:
            what = f"{method} index"
            _judge(script, fields.get("options"), INDEX[method], what, fields.get("relation"), ctx)
    elif kind == "AlterTableStmt":
        objtype = fields.get("objtype")
        if objtype == "OBJECT_INDEX":
            known, what = _ANY_INDEX, "index"
        elif objtype == "OBJECT_VIEW":
            known, what = VIEW, "view"
        elif objtype == "OBJECT_MATVIEW":
            known, what = TABLE, "materialized view"
        elif objtype == "OBJECT_TABLE":
            # ALTER TABLE also sets a view's parameters, and a partitioned table's
            known, what = {**TABLE, **VIEW}, "table"
        else:
            return
        for cmd in fields.get("cmds") or ():
            at = cmd.get("AlterTableCmd") or {}
            # (RESET of a name no relation takes is let through)
            if at.get("subtype") == "AT_SetRelOptions":
                options = (at.get("def") or {}).get("List", {}).get("items")
                _judge(script, options, known, what, fields.get("relation"), ctx)


def _without_oids(script: Script, options, relation: dict | None, ctx: Ctx) -> list:
    """A CREATE's parameters but ``oids``, which old scripts give as false and
    PostgreSQL still takes so; true it refuses (0A000)."""
    kept = []
    for item in options or ():
        option = item.get("DefElem") or {}
        if option.get("defname") != "oids" or option.get("defnamespace") is not None:
            kept.append(item)
            continue
        text = _text(option.get("arg")) if option.get("arg") is not None else "true"
        if text is not None and not _FALSE.fullmatch(text):
            _refused(
                script,
                ctx.line(option.get("location") or (relation or {}).get("location")),
                "WITH (oids = true): PostgreSQL no longer makes tables with OIDs, and refuses "
                "it (0A000)",
                "leave the oids parameter out (or give it false)",
                ctx,
            )
    return kept


def _judge(
    script: Script,
    options,
    known: dict[str, str],
    what: str,
    relation: dict | None,
    ctx: Ctx,
) -> None:
    for item in options or ():
        option = item.get("DefElem")
        if not option:
            continue
        name = option.get("defname", "")
        space = option.get("defnamespace")
        where = ctx.line(option.get("location") or (relation or {}).get("location"))
        if space is not None:
            if space != "toast" or what != "table":
                continue  # an extension's namespace, or toast where it is no table's
            kinds, shown = TOAST, f"toast.{name}"
        else:
            kinds, shown = known, name
        kind = kinds.get(name)
        if kind is None:
            _refused(
                script,
                where,
                f"storage parameter {shown} is none a {what} takes (an unrecognized "
                "parameter): PostgreSQL refuses it (22023)",
                f"a {what} takes: {', '.join(sorted(kinds))}",
                ctx,
            )
            continue
        why = _bad_value(name, kind, option.get("arg"))
        if why is not None:
            _refused(
                script,
                where,
                f"storage parameter {shown} = {why}: PostgreSQL refuses it (22023)",
                _hint(name, kind),
                ctx,
            )


def _bad_value(name: str, kind: str, arg) -> str | None:
    """What is wrong with ``arg`` as the value of ``name``, or None."""
    if arg is None:  # WITH (autovacuum_enabled): true
        return None
    text = _text(arg)
    if text is None:
        return None
    if kind == _BOOL:
        return None if _BOOLEAN.fullmatch(text) else f"{text!r} is no boolean"
    if kind == _ENUM:
        words = _WORDS.get(name, ())
        if text.lower() not in words:
            return f"{text!r} is none of {', '.join(words)}"
        return None
    if name == "fillfactor":
        try:
            value = int(text)
        except ValueError:
            return None
        low, high = _FILLFACTOR
        if not low <= value <= high:
            return f"{value} is out of its bounds ({low} to {high})"
    return None


def _text(arg) -> str | None:
    """A DefElem's value as written: a number, a word or a string."""
    if not isinstance(arg, dict) or len(arg) != 1:
        return None
    [(node, value)] = arg.items()
    if node == "Integer":
        return str(value.get("ival", 0))
    if node == "Float":
        return value.get("fval")
    if node == "String":
        return value.get("sval", "")
    if node == "Boolean":
        return "true" if value.get("boolval") else "false"
    if node == "TypeName":  # a bare word: maybe, off
        names = [n.get("String", {}).get("sval", "") for n in value.get("names", ())]
        return names[0] if len(names) == 1 and not value.get("typmods") else None
    return None


def _hint(name: str, kind: str) -> str:
    if kind == _BOOL:
        return f"give {name} true or false"
    if kind == _ENUM:
        return f"give {name} one of {', '.join(_WORDS.get(name, ()))}"
    low, high = _FILLFACTOR
    return f"give {name} a value from {low} to {high}"


def partitioned_refused(script: Script, options: list, relation: dict | None, ctx: Ctx) -> None:
    """Storage parameters given to a partitioned table: it stores no rows of
    its own, and PostgreSQL refuses them (42809)."""
    first = (options[0].get("DefElem") or {}) if options else {}
    name = (relation or {}).get("relname", "")
    _refused(
        script,
        ctx.line(first.get("location") or (relation or {}).get("location")),
        f"storage parameters given to the partitioned table {name}: it stores no rows of its "
        "own, and PostgreSQL refuses them (42809)",
        "give them to its partitions instead",
        ctx,
    )


def _refused(script: Script, line: int, message: str, hint: str, ctx: Ctx) -> None:
    script.find(
        INVALID_DEFINITION,
        line,
        message,
        hint,
        ctx,
        sure=not (ctx.guarded or ctx.handled),
    )
