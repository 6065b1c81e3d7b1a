"""What SQL built at run time may do, read from the template it is built from.

``EXECUTE format('CREATE TABLE IF NOT EXISTS %I.documents (…)', schema)`` runs
a statement whose shape is written down and whose names are not. The template
is parsed with each part computed at run time (a placeholder, or a
concatenation's non-constant piece) standing as a name of its own, and read as
any statement is. When everything it makes, alters or drops lives in a schema
named at run time, or is a new object of a name built at run time, it cannot
touch what the folder made by name: the walk keeps its knowledge and only
learns that objects of those names may exist. Anything else (an ALTER of a
table named at run time, a clause spliced in with ``%s``, a call) stays SQL of
unknown effect.
"""

from __future__ import annotations

import re
from dataclasses import replace

from migtui.core.facts import PROVIDE, REQUIRE, Made
from migtui.core.model import TABLE_SCOPED_KINDS
from migtui.core.objects.script import Ctx, Script, Src, const_string, node, parse, strings

#: What a part computed at run time is spelled as in a read template.
RUNTIME = "migtui_runtime_"

#: A format() placeholder: ``%I``, ``%s``, ``%L``, ``%1$I``, ``%-10s``, ``%%``.
_PLACEHOLDER = re.compile(r"%(?:\d+\$)?-?(?:\d+|\*(?:\d+\$)?)?([sIL%])")

#: Statements that change rows, not objects.
_DATA = frozenset({"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "TruncateStmt"})


def template(tree: dict | None) -> str | None:
    """The SQL an expression builds, each part computed at run time spelled as
    a name of its own; None when the expression is not format() of a written
    template or a concatenation holding written text."""
    if not tree:
        return None
    kind, fields = node(tree)
    if kind == "FuncCall":
        names = strings(fields.get("funcname", ()))
        args = fields.get("args") or ()
        if not names or names[-1] != "format" or not args:
            return None
        written = const_string(args[0])
        if written is None:
            return None
        count = iter(range(1, 10_000))

        def spell(match: re.Match) -> str:
            letter = match.group(1)
            if letter == "%":
                return "%"
            if letter == "L":
                return f"'{RUNTIME}'"
            return f"{RUNTIME}{next(count)}"

        return _PLACEHOLDER.sub(spell, written)
    parts = _concatenated(tree)
    if parts is None or all(p is None for p in parts):
        return None
    out = []
    for i, part in enumerate(parts):
        out.append(part if part is not None else f"{RUNTIME}{i + 1}")
    return "".join(out)


_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*")


def _constant(tree: dict) -> str | None:
    """A constant argument of format() as text (a string, or a number)."""
    written = const_string(tree)
    if written is not None:
        return written
    value = (tree or {}).get("A_Const") or {}
    number = value.get("ival") or value.get("fval")
    if isinstance(number, dict):
        found = number.get("ival", number.get("fval"))
        return None if found is None else str(found)
    return "0" if value and not value.get("isnull") and "ival" in value else None


def constant_sql(tree: dict | None) -> str | None:
    """The SQL an expression builds when every part of it is written:
    format() of constants (``format('ALTER TABLE %I …', 'orders')``, its
    names quoted as ``quote_ident`` and ``quote_literal`` would), or a
    concatenation of constants; None otherwise."""
    kind, fields = node(tree or {})
    if kind == "A_Expr":
        parts = _concatenated(tree or {})
        if parts is None or any(p is None for p in parts):
            return None
        return "".join(p for p in parts if p is not None)
    if kind != "FuncCall" or strings(fields.get("funcname", ()))[-1:] != ["format"]:
        return None
    args = fields.get("args") or ()
    written = const_string(args[0]) if args else None
    values = [_constant(a) for a in args[1:]]
    if written is None or any(v is None for v in values):
        return None
    count = iter(range(len(values) + 1))
    failed = False

    def spell(match: re.Match) -> str:
        nonlocal failed
        letter, whole = match.group(1), match.group(0)
        if letter == "%":
            return "%"
        position = re.match(r"%(\d+)\$", whole)
        index = int(position.group(1)) - 1 if position else next(count)
        if "*" in whole or not 0 <= index < len(values):
            failed = True
            return ""
        value = values[index] or ""
        if letter == "I":
            return value if _PLAIN_NAME.fullmatch(value) else '"' + value.replace('"', '""') + '"'
        if letter == "L":
            return "'" + value.replace("'", "''") + "'"
        return value

    built = _PLACEHOLDER.sub(spell, written)
    return None if failed else built


def _concatenated(tree: dict) -> list[str | None] | None:
    kind, fields = node(tree)
    if kind == "A_Expr" and strings(fields.get("name", ())) == ["||"]:
        left = _concatenated(fields.get("lexpr") or {})
        right = _concatenated(fields.get("rexpr") or {})
        return None if left is None or right is None else left + right
    constant = const_string(tree)
    return [constant]


def scope(script: Script, text: str, ctx: Ctx, line: int) -> tuple[Made, ...] | None:
    """What the SQL ``text`` (a read template) may make, when it cannot touch
    any object named in the folder; None when it may."""
    statements = parse(text)
    if not statements:
        return None
    effects, findings = len(script.effects), len(script.findings)
    path, work = list(script.search_path), script.dynamic_count
    dynamic, temp = len(script.dynamic_lines), set(script.temp_names)
    inner = replace(ctx, src=Src(text, line), plpgsql=False)
    made: list[Made] = []
    try:
        for statement in statements:
            kind, _ = node(statement["stmt"])
            if kind in _DATA:
                made.append(Made("rows", None, None))
            script.nested(statement["stmt"], inner)
        read = script.effects[effects:]
        if script.search_path != path or len(script.dynamic_lines) != dynamic:
            return None  # it moves the search_path, or builds SQL itself
        for eff in read:
            found = _made(eff)
            if found is False:
                return None
            if found is not True:
                made.append(found)
    finally:
        del script.effects[effects:]
        del script.findings[findings:]
        del script.dynamic_lines[dynamic:]
        script.search_path[:] = path
        script.dynamic_count = work
        script.temp_names = temp
    return tuple(dict.fromkeys(made))


def _made(eff) -> Made | bool:
    """What one effect of a template makes (a ``Made``), True when it touches
    nothing the folder names, False when it may."""
    ref = eff.ref
    if eff.action == REQUIRE:
        return not eff.runs  # a need is the server's to check then; a call may do anything
    table_schema, _, table = (ref.table or "").partition(".")
    schema = table_schema if ref.kind in TABLE_SCOPED_KINDS else ref.schema
    if schema is not None and RUNTIME in schema:
        if eff.action == PROVIDE and ref.kind not in TABLE_SCOPED_KINDS:
            if RUNTIME in ref.name:
                return False if _replaces(eff) else Made(ref.namespace, None, None)
            # CREATE OR REPLACE may replace the folder's view or function of the name
            return Made(ref.namespace, None, ref.name, touches=_replaces(eff))
        # changed or dropped in a schema named at run time, which may be one of
        # the folder's: the object of that name may be the folder's
        if ref.kind in TABLE_SCOPED_KINDS:
            if eff.action == PROVIDE and ref.kind == "column" and RUNTIME in table:
                return True  # a column of a table made at run time
            return False if RUNTIME in table else Made("relation", None, table, touches=True)
        if RUNTIME in ref.name:
            return False  # any object of any schema
        return Made(ref.namespace, None, ref.name, touches=True)
    if ref.kind in TABLE_SCOPED_KINDS:
        # a column or key of a table made at run time, or one of the folder's
        return RUNTIME in (ref.table or "").partition(".")[2] and eff.action == PROVIDE
    if eff.action == PROVIDE and RUNTIME in ref.name and not _replaces(eff):
        return Made(ref.namespace, ref.schema, None)
    return False  # (CREATE OR REPLACE of a name built at run time: any of the folder's)


def _replaces(eff) -> bool:
    """CREATE OR REPLACE of a view or a routine: it may replace one that stands."""
    return not eff.strict and (eff.ref.kind == "view" or eff.ref.namespace == "routine")
