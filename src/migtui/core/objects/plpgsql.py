"""DO blocks, read with PostgreSQL's own PL/pgSQL parser.

A DO block runs at once, so every statement in it counts now. The walk keeps
what a block's control flow says about that work:

- under an existence test (``IF EXISTS (SELECT … FROM pg_tables …)``,
  ``to_regclass(…) IS NOT NULL``) the work is *guarded*: it may be skipped,
  and when nothing on the other branch fails loudly, that is a silent skip;
- inside a block whose ``EXCEPTION WHEN`` catches what a missing object raises
  (``others``, ``undefined_table``, SQLSTATE class 42 …), the work is
  *handled*: a missing object there is a warning, never an error;
- ``EXECUTE`` of a constant string is read as SQL; of anything else it is
  dynamic SQL, whose effects are unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from migtui.core.builtins import catalog_relations
from migtui.core.facts import DROP, DYNAMIC_SQL, GUARDED_SKIP, PROVIDE, REQUIRE, Made
from migtui.core.grammar import parse_plpgsql_tree, parser
from migtui.core.model import COLUMN, TYPE
from migtui.core.objects import dynamic
from migtui.core.objects.script import (
    Ctx,
    Script,
    Src,
    const_string,
    node,
    nodes_of,
    parse,
    strings,
)
from migtui.core.sqlnames import fold

#: Conditions whose handler catches the error a missing object raises, or one
#: the other refusals check foresees (a dependent object, an identity on a
#: column that may hold nulls, NOT NULL dropped from a key, a retype a view
#: holds).
_CATCHING = frozenset(
    {
        "others",
        "undefined_table",
        "undefined_object",
        "undefined_function",
        "undefined_column",
        "invalid_schema_name",
        "syntax_error_or_access_rule_violation",
        "wrong_object_type",
        "dependent_objects_still_exist",
        "object_not_in_prerequisite_state",
        "invalid_table_definition",
        "feature_not_supported",
    }
)
_CATCHING_CODES = ("42", "3F", "2B", "55", "0A")
#: Conditions whose handler catches the error a CREATE of an existing object raises.
_CATCHING_DUPLICATES = frozenset(
    {
        "others",
        "duplicate_object",
        "duplicate_table",
        "duplicate_column",
        "duplicate_schema",
        "duplicate_function",
        "syntax_error_or_access_rule_violation",
    }
)
#: A test of a role's existence (the server's roles are made outside migrations).
_ROLE_TEST = re.compile(r"\b(?:pg_roles|pg_authid|pg_user|to_regrole)\b", re.IGNORECASE)
#: A test of a column (its existence, its type): an idempotent column change,
#: whose skip when the column is already as wanted is the point.
_COLUMN_TEST = re.compile(r"\b(?:information_schema\s*\.\s*columns|pg_attribute)\b", re.IGNORECASE)
#: RAISE levels that do not stop the block (elog levels of the server).
_LOUD_LEVEL = 21  # ERROR, which RAISE EXCEPTION raises
#: Catalog relations and functions an existence test reads.
_EXISTENCE_RELATIONS = frozenset(
    {
        "pg_class",
        "pg_tables",
        "pg_views",
        "pg_matviews",
        "pg_indexes",
        "pg_type",
        "pg_proc",
        "pg_trigger",
        "pg_namespace",
        "pg_constraint",
        "pg_attribute",
        "pg_extension",
        "pg_sequences",
        "pg_policies",
        "pg_roles",
        "pg_enum",
        "pg_publication",
        "pg_publication_tables",
        "pg_publication_rel",
        "pg_policy",
        "pg_event_trigger",
        "pg_collation",
        "pg_rules",
        "pg_rewrite",
        "pg_index",
        "pg_inherits",
        "pg_language",
        "pg_cast",
        "pg_operator",
        "pg_opclass",
        "pg_foreign_server",
        "pg_user_mappings",
        "tables",
        "columns",
        "views",
        "routines",
        "schemata",
        "table_constraints",
        "sequences",
        "triggers",
        "domains",
        "key_column_usage",
        "check_constraints",
        "referential_constraints",
    }
)
_EXISTENCE_FUNCTIONS = frozenset(
    {
        "to_regclass",
        "to_regtype",
        "to_regproc",
        "to_regprocedure",
        "to_regnamespace",
        "to_regrole",
        "to_regtypemod",
    }
)


def do_block(script: Script, fields: dict, ctx: Ctx) -> None:
    language = "plpgsql"
    body = None
    location = None
    for arg in fields.get("args", ()):
        opt = arg.get("DefElem", {})
        if opt.get("defname") == "language":
            language = strings([opt.get("arg", {})])[0].lower()
        elif opt.get("defname") == "as":
            body = strings([opt.get("arg", {})])[0]
            location = opt.get("location")
    if body is None or language != "plpgsql":
        return
    first_line = ctx.line(location)
    tree = parse_plpgsql(body)
    if tree is None:
        # PostgreSQL compiles the block when it runs, and would refuse it then;
        # what it would have done is unknown, like dynamic SQL.
        script.dynamic_lines.append(first_line)
        script.dynamic_count += 1
        return
    declared_types(script, tree, ctx, lambda lineno: first_line + max(0, lineno - 1), body)
    walker = Walker(script, ctx, body, first_line)
    walker.block(tree.get("action", {}).get("PLpgSQL_stmt_block", {}))


def declared_types(script: Script, function: dict, ctx: Ctx, line_of, body: str = "") -> None:
    """What a PL/pgSQL block's DECLARE copies its types from: a table's rows
    (``r orders%ROWTYPE``) or a table's column (``v orders.total%TYPE``), or
    a type it names that PostgreSQL does not build in (``s status_t``, which
    the parser outside the server takes for a record). PostgreSQL looks them
    up as it compiles the block (a function when it is made, a DO block as it
    runs): the table, the column or the type must be there (42P01, 42703,
    42704). ``line_of`` turns a line of the body into the file's."""
    datums = function.get("datums", ())
    variables = {d.get("refname") for datum in datums for d in datum.values()}
    lines = body.split("\n") if body else []
    for datum in datums:
        rec = datum.get("PLpgSQL_rec")
        if rec is not None and lines and 0 < (rec.get("lineno") or 0) <= len(lines):
            names = _declared_type(rec.get("refname", ""), lines[rec["lineno"] - 1])
            where = replace(ctx, src=Src("", line_of(rec["lineno"])))
            if (
                names
                and names[-1] not in variables
                and not _found_nowhere(script, names, "type", where)
            ):
                script.emit(REQUIRE, script.schema_object(names, TYPE), None, where)
            continue
        var = datum.get("PLpgSQL_var") or {}
        typname = ((var.get("datatype") or {}).get("PLpgSQL_type") or {}).get("typname", "")
        base, sep, copied = typname.rpartition("%")
        if not sep or '"' in base or not base:
            continue
        names = [fold(part.strip(), False) for part in base.split(".")]
        where = replace(ctx, src=Src("", line_of(var.get("lineno") or 1)))
        if copied.lower() == "rowtype":
            # (a composite type's name serves too: r rrule_parts%ROWTYPE)
            if not _found_nowhere(script, names, "table", where):
                script.emit(REQUIRE, script.relation(names), None, where, composite_ok=True)
        elif copied.lower() == "type" and len(names) in (2, 3) and names[0] not in variables:
            if _found_nowhere(script, names[:-1], "table", where):
                continue
            table = script.relation(names[:-1])
            if table is not None:
                script.emit(REQUIRE, table.column(names[-1]), None, where)


def _found_nowhere(script: Script, names: list[str], kind: str, ctx: Ctx) -> bool:
    """A name written without a schema, looked up along a search_path of
    pg_catalog alone (the function's own ``SET search_path = ''``), that
    pg_catalog lacks: PostgreSQL finds it nowhere. True when said."""
    from migtui.core.builtins import builtin_functions

    if len(names) != 1 or script.search_path != ["pg_catalog"] or ctx.guarded or ctx.handled:
        return False
    name = names[0]
    if name in catalog_relations() or (kind == "type" and name in builtin_functions()):
        return False
    script.found_nowhere("a DECLARE", kind, name, ctx.line(None), ctx)
    return True


def _declared_type(name: str, line: str) -> list[str] | None:
    """The type a DECLARE line gives ``name`` when the parser read it as a
    record: a name of the folder's (``s status_t;``), not ``record`` itself
    nor a cursor, an alias or a loop's record."""
    if not name or not line:
        return None
    found = re.search(
        rf"(?:^|;|\bDECLARE\b)\s*\"?{re.escape(name)}\"?\s+(?:CONSTANT\s+)?"
        r"([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)\s*(?:;|:=|=|\bDEFAULT\b|\bNOT\b|\bCOLLATE\b)",
        line,
        re.IGNORECASE,
    )
    if found is None:
        return None
    names = [fold(part, False) for part in found.group(1).split(".")]
    if names[-1] in ("record", "refcursor", "cursor", "alias", "constant"):
        return None
    if len(names) == 1 and names[0] in catalog_relations():
        return None  # r pg_roles: the rows of pg_catalog's own view
    return names


def parse_plpgsql(body: str) -> dict | None:
    tag = "$migtui$"
    while tag in body:
        tag = tag[:-1] + "x$"
    wrapper = f"CREATE FUNCTION migtui_do() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"
    for _ in range(RETRIES):
        try:
            parsed = parse_plpgsql_tree(wrapper)
            break
        except parser.ParseError as exc:
            wrapper = field_of_copied_type(exc.args[0] if exc.args else "", wrapper) or ""
            if not wrapper:
                return None
        except (ValueError, RecursionError):
            return None
    else:
        return None
    if not parsed:
        return None
    return parsed[0].get("PLpgSQL_function")


#: How many variables of a copied type one body is read again for.
RETRIES = 8
_UNKNOWN_FIELD = re.compile(r'"([^".]+)\.[^"]+" is not a known variable')


def field_of_copied_type(message: str, text: str) -> str | None:
    """The parser outside the server cannot look up a type copied with
    ``%ROWTYPE`` or ``%TYPE``, and refuses an assignment to a field of such a
    variable (``r.total := 0``) that the server takes. The body with that
    variable declared of the type's plain name instead (which the parser
    reads as a row), to be read again; None for another refusal."""
    found = _UNKNOWN_FIELD.match(message)
    if found is None:
        return None
    name = re.escape(found.group(1))
    declared = re.compile(rf'(?i)(\b{name}\s+(?:constant\s+)?[\w."$]+)%(?:row)?type\b')
    retyped, count = declared.subn(r"\1", text, count=1)
    return retyped if count else None


@dataclass
class _If:
    line: int
    polarity: int  # +1: then-branch runs only if it exists; -1: only if missing; 0: no test
    start: int
    else_start: int | None = None
    else_is_loud: bool = False
    #: effects recorded before the then-branch, and before the else-branch
    effects_start: int = 0
    effects_else: int = 0
    #: the test asks whether a role exists: skipping the grants to a missing
    #: role is the point, not a silent failure
    of_role: bool = False
    #: the test asks about a column: skipping a change already made is the point
    of_column: bool = False


class Walker:
    def __init__(self, script: Script, ctx: Ctx, body: str, first_line: int) -> None:
        self.script = script
        self.ctx = replace(ctx, plpgsql=True)
        self.body = body
        self.first_line = first_line
        self.lines = body.split("\n")
        #: variables holding the answer of an existence test, with its polarity
        self.tests: dict[str, int] = {}
        #: those of the variables whose test asks about a column
        self.column_tests: set[str] = set()
        #: variables (and FOUND) holding what a query read from a table's rows:
        #: an IF on them runs its branches as the data has it
        self.row_vars: set[str] = set()
        self._line_starts = [0]
        for text in self.lines[:-1]:
            self._line_starts.append(self._line_starts[-1] + len(text) + 1)

    # --- where text is ------------------------------------------------------------

    def src_for(self, query: str, lineno: int | None) -> tuple[Src, int]:
        """A Src for SQL text found in the body at or after ``lineno``."""
        line_index = max(0, (lineno or 1) - 1)
        start = self._line_starts[min(line_index, len(self._line_starts) - 1)]
        probe = query.strip()[:24]
        at = self.body.find(probe, start) if probe else -1
        line = self.first_line + (self.body.count("\n", 0, at) if at != -1 else line_index)
        return Src(query, line), line

    # --- statements -------------------------------------------------------------

    def block(self, block: dict, ctx: Ctx | None = None) -> None:
        ctx = ctx or self.ctx
        exceptions = block.get("exceptions", {}).get("PLpgSQL_exception_block", {})
        handlers = [e.get("PLpgSQL_exception", {}) for e in exceptions.get("exc_list", ())]
        inner = ctx
        if any(_catches(h) for h in handlers):
            inner = replace(inner, handled=True)
        if any(_catches(h, _CATCHING_DUPLICATES) for h in handlers):
            inner = replace(inner, tolerant=True)
        self.statements(block.get("body", ()), inner)
        for handler in handlers:
            self.statements(handler.get("action", ()), inner)

    def statements(self, stmts, ctx: Ctx, frame: _If | None = None) -> None:
        for stmt in stmts or ():
            self.statement(stmt, ctx, frame)

    def statement(self, stmt: dict, ctx: Ctx, frame: _If | None) -> None:
        kind, fields = node(stmt)
        lineno = fields.get("lineno")
        if kind == "PLpgSQL_stmt_block":
            self.block(fields, ctx)
        elif kind == "PLpgSQL_stmt_execsql":
            self.sql(fields.get("sqlstmt"), lineno, ctx)
            if fields.get("into"):
                self.remember_test(fields, fields.get("sqlstmt"))
        elif kind in ("PLpgSQL_stmt_perform", "PLpgSQL_stmt_assert"):
            self.expr(fields.get("expr") or fields.get("cond"), lineno, ctx)
            if kind == "PLpgSQL_stmt_perform":  # PERFORM … FROM pg_tables …; IF FOUND
                self.remember_test({}, fields.get("expr"))
        elif kind == "PLpgSQL_stmt_assign":
            polarity = self.expr(fields.get("expr"), lineno, ctx, test=True)
            query = fields.get("expr", {}).get("PLpgSQL_expr", {}).get("query", "")
            target = query.partition(":=")[0].strip().lower() if ":=" in query else ""
            if target:
                self.tests[target] = polarity
        elif kind == "PLpgSQL_stmt_if":
            self.if_(fields, ctx)
        elif kind == "PLpgSQL_stmt_case":
            self.expr(fields.get("t_expr"), lineno, ctx)
            branch_ctx = ctx
            for when in fields.get("case_when_list", ()):
                w = when.get("PLpgSQL_case_when", {})
                self.expr(w.get("expr"), w.get("lineno", lineno), ctx)
                self.statements(w.get("stmts"), branch_ctx, frame)
                # another branch runs instead: what it makes may be what this made
                branch_ctx = replace(ctx, tolerant=True)
            self.statements(fields.get("else_stmts"), branch_ctx, frame)
        elif kind in ("PLpgSQL_stmt_loop", "PLpgSQL_stmt_while"):
            self.expr(fields.get("cond"), lineno, ctx)
            self.statements(fields.get("body"), ctx, frame)
        elif kind == "PLpgSQL_stmt_fori":
            self.expr(fields.get("lower"), lineno, ctx)
            self.expr(fields.get("upper"), lineno, ctx)
            self.statements(fields.get("body"), ctx, frame)
        elif kind in ("PLpgSQL_stmt_fors", "PLpgSQL_stmt_forc", "PLpgSQL_stmt_foreach_a"):
            self.expr(fields.get("query") or fields.get("expr"), lineno, ctx)
            self.statements(fields.get("body"), ctx, frame)
        elif kind == "PLpgSQL_stmt_dynfors":
            self.dynamic(fields.get("query"), lineno, ctx)
            self.statements(fields.get("body"), ctx, frame)
        elif kind == "PLpgSQL_stmt_dynexecute":
            self.dynamic(fields.get("query"), lineno, ctx)
        elif kind == "PLpgSQL_stmt_return_query":
            if fields.get("dynquery"):
                self.dynamic(fields.get("dynquery"), lineno, ctx)
            else:
                self.expr(fields.get("query"), lineno, ctx)
        elif kind in ("PLpgSQL_stmt_return", "PLpgSQL_stmt_return_next", "PLpgSQL_stmt_exit"):
            self.expr(fields.get("expr") or fields.get("cond"), lineno, ctx)
        elif kind == "PLpgSQL_stmt_call":
            self.sql(fields.get("expr"), lineno, ctx)
        elif kind == "PLpgSQL_stmt_raise":
            for param in fields.get("params", ()):
                self.expr(param, lineno, ctx)
            loud = fields.get("elog_level", _LOUD_LEVEL) >= _LOUD_LEVEL
            if frame is not None and frame.else_start is not None and loud:
                frame.else_is_loud = True
        elif kind == "PLpgSQL_stmt_open":
            self.expr(fields.get("query"), lineno, ctx)

    def remember_test(self, fields: dict, sqlstmt: dict | None) -> None:
        """``SELECT EXISTS (… pg_tables …) INTO found``: ``IF found`` is a test too,
        as are ``SELECT count(*) > 0 INTO found FROM information_schema.columns
        WHERE …`` and PL/pgSQL's own ``FOUND`` after a SELECT from a catalog."""
        target = fields.get("target", {})
        row = target.get("PLpgSQL_row", {}).get("fields", ())
        names = [f.get("name", "") for f in row] or [target.get("PLpgSQL_var", {}).get("refname")]
        query = (sqlstmt or {}).get("PLpgSQL_expr", {}).get("query", "")
        stmts = parse(query) if query else None
        select = stmts[0]["stmt"].get("SelectStmt", {}) if stmts else {}
        targets = select.get("targetList", ())
        from_catalog = _reads_catalog(select.get("fromClause"))
        from_rows = bool(stmts) and _reads_table(stmts[0]["stmt"])
        for name in ("found", *(n.lower() for n in names if n)):
            (self.row_vars.add if from_rows else self.row_vars.discard)(name)
        # FOUND says whether a row came back: an aggregate (count(*)) always
        # returns one, so FOUND after it tests nothing
        self.tests["found"] = 1 if from_catalog and not _aggregates(targets) else 0
        of_column = _COLUMN_TEST.search(query) is not None
        for name in ("found", *(n.lower() for n in names if n)):
            (self.column_tests.add if of_column else self.column_tests.discard)(name)
        if len(names) == 1 and names[0] and len(targets) == 1:
            value = targets[0].get("ResTarget", {}).get("val", {})
            polarity = _polarity(value)
            if not polarity and from_catalog:
                polarity = _count_polarity(value)
            self.tests[names[0].lower()] = polarity

    def if_(self, fields: dict, ctx: Ctx) -> None:
        lineno = fields.get("lineno")
        cond = fields.get("cond", {}).get("PLpgSQL_expr", {})
        polarity = self.expr(fields.get("cond"), lineno, ctx, test=True)
        frame = _If(self.src_for(cond.get("query", ""), lineno)[1], polarity, 0)
        frame.of_role = _ROLE_TEST.search(cond.get("query", "")) is not None
        frame.of_column = _COLUMN_TEST.search(cond.get("query", "")) is not None or any(
            name in self.column_tests for name in re.findall(r"\w+", cond.get("query", "").lower())
        )
        if polarity:  # a CREATE under an existence test does not meet its object
            ctx = replace(ctx, tolerant=True)
        elif _reads_rows(cond.get("query", "")) or self.row_vars.intersection(
            re.findall(r"\w+", cond.get("query", "").lower())
        ):
            self.conditioned(fields, lineno)
        then_ctx = replace(ctx, guarded=True) if polarity > 0 else ctx
        else_ctx = replace(ctx, guarded=True) if polarity < 0 else ctx
        frame.start = self.script.work_done
        frame.effects_start = len(self.script.effects)
        self.statements(fields.get("then_body"), then_ctx, frame)
        frame.else_start = self.script.work_done
        frame.effects_else = len(self.script.effects)
        # the ELSIF and ELSE branches run instead of THEN: what they make may be
        # what it made (a function written one way or another by server version)
        else_ctx = replace(else_ctx, tolerant=True)
        for elsif in fields.get("elsif_list", ()):
            e = elsif.get("PLpgSQL_if_elsif", {})
            self.expr(e.get("cond"), e.get("lineno", lineno), else_ctx)
            self.statements(e.get("stmts"), else_ctx, frame)
        self.statements(fields.get("else_body"), else_ctx, frame)
        self.close_if(frame)

    def conditioned(self, fields: dict, lineno: int | None) -> None:
        """An IF whose condition reads a table's rows: its branches run or not
        as the data has it. The file lines from the IF to its END IF, and the
        condition, are kept (``Script.conditional``)."""
        starts = [
            f.get("lineno")
            for item in nodes_of(
                [fields.get("then_body"), fields.get("elsif_list"), fields.get("else_body")]
            )
            for f in item.values()
            if isinstance(f, dict) and isinstance(f.get("lineno"), int)
        ]
        first = max(1, lineno or 1)
        last = max([first, *starts])
        end = next(
            (i + 1 for i in range(last - 1, len(self.lines)) if _END_IF.search(self.lines[i])),
            last,
        )
        condition = " ".join(self.lines[first - 1].split())
        if len(condition) > 80:
            condition = condition[:79] + "…"
        self.script.conditional.append(
            (self.first_line + first - 1, self.first_line + end - 1, condition)
        )

    def close_if(self, frame: _If) -> None:
        if frame.polarity <= 0 or frame.of_role or frame.of_column:
            return
        end = self.script.work_done
        else_start = frame.else_start if frame.else_start is not None else end
        then_work = else_start - frame.start
        else_work = end - else_start
        then_effects = self.script.effects[frame.effects_start : frame.effects_else]
        only_drops = then_work == len(then_effects)  # no dynamic SQL among them
        if then_work and only_drops and all(e.action == DROP for e in then_effects):
            return  # dropping what exists, and nothing when it does not: the point
        if then_work > 0 and else_work == 0 and not frame.else_is_loud:
            # what the work needs: when the walk knows all of it is there, the
            # test passes on this history and nothing is skipped
            needs = tuple(
                dict.fromkeys(
                    e.ref for e in then_effects if e.action != PROVIDE and e.ref.kind != COLUMN
                )
            )
            self.script.find(
                GUARDED_SKIP,
                frame.line,
                "the work under this existence test is skipped without an error when the "
                "object is missing: the migration then succeeds having done nothing",
                "fail loudly (RAISE EXCEPTION in the ELSE branch) or create the object in "
                "an earlier migration",
                self.ctx,
                refs=needs if only_drops else (),
            )

    # --- SQL inside ---------------------------------------------------------------

    def sql(self, expr: dict | None, lineno: int | None, ctx: Ctx) -> None:
        """A whole SQL statement of the block (its INTO, if any, already removed)."""
        query = (expr or {}).get("PLpgSQL_expr", {}).get("query")
        if not query:
            return

        src, _ = self.src_for(query, lineno)
        stmts = parse(query)
        if stmts is None:
            return
        inner = replace(ctx, src=src)
        for s in stmts:
            self.script.nested(s["stmt"], inner)

    def expr(self, expr: dict | None, lineno: int | None, ctx: Ctx, test: bool = False) -> int:
        """An expression of the block (a condition, a PERFORM, an assignment).

        Returns, for ``test``, the polarity of an existence test: +1 when the
        condition holds only if the object exists, -1 only if it is missing.
        """
        e = (expr or {}).get("PLpgSQL_expr", {})
        query = e.get("query")
        if not query:
            return 0
        mode = e.get("parseMode", 0)
        text = query
        if mode == 3:  # an assignment: target := expression
            for sep in (":=", "="):
                at = query.find(sep)
                if at != -1:
                    text = " " * (at + len(sep)) + query[at + len(sep) :]
                    break
        prefix = "" if mode == 0 else "SELECT "
        src, _ = self.src_for(query, lineno)
        stmts = parse(prefix + text)
        if not stmts:
            return 0
        tree = stmts[0]["stmt"]

        self.script.nested(tree, replace(ctx, src=Src(prefix + text, src.first_line)))
        if not test or mode not in (2, 3):
            return 0
        targets = tree.get("SelectStmt", {}).get("targetList", ())
        if len(targets) != 1:
            return 0
        return _polarity(targets[0].get("ResTarget", {}).get("val", {}), self.tests)

    def dynamic(self, expr: dict | None, lineno: int | None, ctx: Ctx) -> None:
        e = (expr or {}).get("PLpgSQL_expr", {})
        query = e.get("query", "")
        stmts = parse("SELECT " + query) if query else None
        constant = template = built = None
        if stmts:
            targets = stmts[0]["stmt"].get("SelectStmt", {}).get("targetList", ())
            if len(targets) == 1:
                built = targets[0].get("ResTarget", {}).get("val")
                # (written whole, or format() of constants: the SQL is known)
                constant = const_string(built) or dynamic.constant_sql(built)
                template = _template(built)
        src, line = self.src_for(query, lineno)
        if constant is not None:
            inner_stmts = parse(constant)
            if inner_stmts is not None:
                inner = replace(ctx, src=Src(constant, line), plpgsql=False)
                for s in inner_stmts:
                    self.script.nested(s["stmt"], inner)
                return
        if template is not None and _DYNAMIC_HARMLESS.match(template):
            return  # a comment, a grant, statistics: no object made, dropped or changed
        if template is not None and _DYNAMIC_TRIGGER.match(template):
            self.script.dynamic_makes.add("trigger")
            return
        if template is not None and _DYNAMIC_INDEX.match(template):
            self.script.dynamic_makes.add("index")
            return
        line = self.first_line + max(0, (lineno or 1) - 1)
        read = dynamic.template(built)
        made = dynamic.scope(self.script, read, ctx, line) if read is not None else None
        if made is not None:  # only new objects, by names built at run time
            self.script.runtime_makes.extend((line, m) for m in made)
            return
        self.script.dynamic_count += 1
        self.script.dynamic_lines.append(line)
        self.script.find(
            DYNAMIC_SQL,
            line,
            "EXECUTE runs SQL built at run time: what it creates or needs is not checked",
            "prefer static SQL, or check by hand what this statement touches",
            ctx,
        )


#: What SQL built at run time from a written template does, read from the
#: template's first words: nothing to the schema (a comment, a grant,
#: statistics, a refresh), or only triggers, or only indexes.
_DYNAMIC_HARMLESS = re.compile(
    r"\s*(?:COMMENT\s+ON|GRANT|REVOKE|ANALY[SZ]E|VACUUM|REFRESH\s+MATERIALIZED|NOTIFY|"
    r"CLUSTER|REINDEX)\b",
    re.IGNORECASE,
)
_DYNAMIC_TRIGGER = re.compile(
    r"\s*(?:CREATE(?:\s+OR\s+REPLACE)?(?:\s+CONSTRAINT)?|DROP)\s+TRIGGER\b", re.IGNORECASE
)
_DYNAMIC_INDEX = re.compile(
    r"\s*(?:CREATE(?:\s+UNIQUE)?|DROP)\s+INDEX\b(?!\s+CONCURRENTLY)", re.IGNORECASE
)


#: PL/pgSQL statements that run SQL built at run time, and where its text is.
_RUNS_BUILT = {
    "PLpgSQL_stmt_dynexecute": "query",
    "PLpgSQL_stmt_dynfors": "query",
    "PLpgSQL_stmt_return_query": "dynquery",
}


def body_runtime_makes(script: Script, functions: list, ctx: Ctx) -> tuple[Made, ...] | None:
    """What a routine's body may make with the SQL it builds at run time, when
    every such statement's template is read and makes only new objects (or
    is harmless, or only makes triggers or indexes, which the body's words
    tell); None when one may touch what the folder made by name."""
    made: list[Made] = []
    for item in nodes_of(functions):
        kind, fields = node(item)
        where = _RUNS_BUILT.get(kind)
        if where is None or not isinstance(fields, dict) or not fields.get(where):
            continue
        query = fields[where].get("PLpgSQL_expr", {}).get("query", "")
        stmts = parse("SELECT " + query) if query else None
        targets = stmts[0]["stmt"].get("SelectStmt", {}).get("targetList", ()) if stmts else ()
        if len(targets) != 1:
            return None
        built = targets[0].get("ResTarget", {}).get("val")
        written = _template(built)
        if written is not None and any(
            r.match(written) for r in (_DYNAMIC_HARMLESS, _DYNAMIC_TRIGGER, _DYNAMIC_INDEX)
        ):
            continue
        read = dynamic.template(built)
        found = dynamic.scope(script, read, ctx, ctx.line(None)) if read is not None else None
        if found is None:
            return None
        made.extend(found)
    return tuple(dict.fromkeys(made))


def _template(tree: dict | None) -> str | None:
    """The written start of SQL built at run time: format()'s first argument,
    or the string a concatenation starts with."""
    if not tree:
        return None
    if "FuncCall" in tree:
        call = tree["FuncCall"]
        names = strings(call.get("funcname", ()))
        args = call.get("args") or ()
        if names and names[-1] == "format" and args:
            return const_string(args[0])
        return None
    if "A_Expr" in tree and strings(tree["A_Expr"].get("name", ())) == ["||"]:
        return _template(tree["A_Expr"].get("lexpr")) or const_string(tree["A_Expr"].get("lexpr"))
    return const_string(tree)


def _catches(handler: dict, names: frozenset[str] = _CATCHING) -> bool:
    """Whether ``handler`` catches an error of one of the conditions ``names``
    (or, written as ``SQLSTATE '42P01'``, of their classes)."""
    for cond in handler.get("conditions", ()):
        c = cond.get("PLpgSQL_condition", {})
        name = (c.get("condname") or "").lower()
        if name in names:
            return True
        # WHEN SQLSTATE '42P01' names the code itself
        if len(name) == 5 and name[:2].upper() in _CATCHING_CODES:
            return True
    return False


def _polarity(expr: dict, tests: dict[str, int] | None = None) -> int:
    """+1 when ``expr`` holds only if an object exists, -1 only if it is missing,
    0 when it is not an existence test. ``tests``: variables holding one."""
    kind, fields = node(expr)
    if kind == "BoolExpr" and fields.get("boolop") == "NOT_EXPR":
        args = fields.get("args", ())
        return -_polarity(args[0], tests) if len(args) == 1 else 0
    if kind == "BoolExpr":
        signs = {_polarity(a, tests) for a in fields.get("args", ())} - {0}
        if len(signs) > 1 and fields.get("boolop") == "AND_EXPR":
            # EXISTS (a) AND NOT EXISTS (b): the branch runs only when a exists
            return 1
        return signs.pop() if len(signs) == 1 else 0
    if kind == "ColumnRef" and tests:
        names = strings(fields.get("fields", ()))
        return tests.get(names[-1].lower(), 0) if len(names) == 1 else 0
    if kind == "A_Expr" and tests and node(fields.get("lexpr", {}))[0] == "ColumnRef":
        # IF n > 0, with n a count of catalog rows
        names = strings(node(fields.get("lexpr"))[1].get("fields", ()))
        held = tests.get(names[-1].lower(), 0) if len(names) == 1 else 0
        if held:
            op = strings(fields.get("name", ()))
            rhs = fields.get("rexpr", {})
            if op in (["="], ["<="]) and _is_zero(rhs):
                return -held
            if op in ([">"], ["<>"], ["!="]) and _is_zero(rhs):
                return held
    if kind == "SubLink" and fields.get("subLinkType") == "EXISTS_SUBLINK":
        return 1 if _reads_catalog(fields.get("subselect")) else 0
    if kind == "SubLink" and fields.get("subLinkType") == "EXPR_SUBLINK":
        # (SELECT to_regclass('t') IS NOT NULL): the test its one value is
        select = (fields.get("subselect") or {}).get("SelectStmt", {})
        targets = select.get("targetList", ())
        if len(targets) == 1 and not select.get("fromClause"):
            return _polarity(targets[0].get("ResTarget", {}).get("val", {}), tests)
        return 0
    if kind == "NullTest":
        if not _reads_catalog(fields.get("arg")):
            return 0
        return 1 if fields.get("nulltesttype") == "IS_NOT_NULL" else -1
    if kind == "A_Expr":
        lhs, rhs = fields.get("lexpr"), fields.get("rexpr")
        if not (_reads_catalog(lhs) or _reads_catalog(rhs)):
            return 0
        op = strings(fields.get("name", ()))
        zero = _is_zero(rhs) or _is_zero(lhs)
        if op in (["="], ["<="]) and zero:
            return -1
        return 1
    return 0


def _count_polarity(expr: dict) -> int:
    """``count(*)`` of rows read from a catalog, as the value of an existence
    test: ``count(*) > 0`` (``<> 0``, ``!= 0``, ``>= 1``) holds only if the
    object exists, ``count(*) = 0`` only if it is missing; ``count(*)`` itself
    is kept as a test a later ``IF n > 0`` reads."""
    kind, fields = node(expr)
    if kind == "FuncCall":
        return 1 if strings(fields.get("funcname", ()))[-1:] == ["count"] else 0
    if kind != "A_Expr":
        return 0
    lhs, rhs = fields.get("lexpr", {}), fields.get("rexpr", {})
    if node(lhs)[0] != "FuncCall" or _count_polarity(lhs) == 0:
        return 0
    op = strings(fields.get("name", ()))
    if op in (["="], ["<="]) and _is_zero(rhs):
        return -1
    if op in ([">"], ["<>"], ["!="]) and _is_zero(rhs):
        return 1
    if op == [">="] and rhs.get("A_Const", {}).get("ival", {}).get("ival") == 1:
        return 1
    return 0


_AGGREGATES = frozenset({"count", "max", "min", "sum", "avg", "bool_or", "bool_and", "every"})


def _aggregates(targets) -> bool:
    for item in nodes_of(targets):
        call = item.get("FuncCall")
        if isinstance(call, dict) and strings(call.get("funcname", ()))[-1:] in (
            [name] for name in _AGGREGATES
        ):
            return True
        link = item.get("SubLink")
        if isinstance(link, dict) and link.get("subLinkType") == "EXISTS_SUBLINK":
            return True
    return False


def _is_zero(expr) -> bool:
    return isinstance(expr, dict) and expr.get("A_Const", {}).get("ival", {"ival": 1}) == {}


_END_IF = re.compile(r"\bEND\s+IF\b", re.IGNORECASE)


def _reads_rows(query: str) -> bool:
    """A condition that reads rows of a table that is not the catalog's
    (``EXISTS (SELECT 1 FROM background_updates WHERE …)``, a count of them)."""
    if "select" not in query.lower():
        return False
    stmts = parse("SELECT " + query)
    return bool(stmts) and _reads_table(stmts[0]["stmt"])


def _reads_table(tree: dict) -> bool:
    """Whether a parsed query reads a table that is not the catalog's."""
    catalog = catalog_relations()
    for item in nodes_of(tree):
        rv = item.get("RangeVar")
        if isinstance(rv, dict) and rv.get("relname"):
            schema = rv.get("schemaname")
            if schema in ("pg_catalog", "information_schema"):
                continue
            if rv["relname"] in catalog or rv["relname"] in _EXISTENCE_RELATIONS:
                continue
            return True
    return False


def _reads_catalog(tree) -> bool:
    for item in nodes_of(tree):
        rv = item.get("RangeVar")
        if isinstance(rv, dict) and rv.get("relname") in _EXISTENCE_RELATIONS:
            return True
        call = item.get("FuncCall")
        if isinstance(call, dict):
            names = strings(call.get("funcname", ()))
            if names and names[-1] in _EXISTENCE_FUNCTIONS:
                return True
    return False
