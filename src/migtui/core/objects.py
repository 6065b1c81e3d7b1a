"""What each SQL script provides, requires, drops, alters and renames.

``analyze_script`` reads the statements of one script and lists its effects on
the schema in the order the script has them, so the project analysis can tell
a migration that creates a table and then alters it (needs nothing) from one
that alters it first (needs the table).

The reading follows PostgreSQL's own timing. A ``DO`` block runs at once, so
what it touches is needed now. A PL/pgSQL function body is only checked when
the function is called, so the tables it uses are not prerequisites of the
migration creating it; SQL-language and ``BEGIN ATOMIC`` bodies are checked at
creation, so theirs are. Names fold as the server folds them and unqualified
names land in the first schema of the ``search_path`` the script set.

Nothing here raises on odd SQL: a statement it cannot follow adds no effects.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from migtui.core.facts import (
    ALTER,
    DROP,
    DYNAMIC_SQL,
    GUARDED_SKIP,
    NAME_ONLY_FUNCTION_CHECK,
    NAME_ONLY_TRIGGER_CHECK,
    PROVIDE,
    RENAME,
    REQUIRE,
    Effect,
    Finding,
    ScriptFacts,
)
from migtui.core.model import (
    COLUMN,
    CONSTRAINT,
    DOMAIN,
    EXTENSION,
    FOREIGN_TABLE,
    FUNCTION,
    INDEX,
    MATVIEW,
    POLICY,
    PROCEDURE,
    RELATION_KINDS,
    RULE,
    SCHEMA,
    SEQUENCE,
    TABLE,
    TRIGGER,
    TYPE,
    VIEW,
    ObjectRef,
    Statement,
)
from migtui.core.sqlnames import (
    BUILTIN_SCHEMAS,
    CATALOG_SCHEMAS,
    DOLLAR,
    EXTENSION_OPCLASSES,
    EXTENSION_TYPES,
    OP,
    PUNCT,
    QIDENT,
    SERIAL_TYPES,
    STRING,
    TYPE_CONTINUATIONS,
    WORD,
    Token,
    canonical_type,
    choose_name,
    fold,
    index_column_names,
    index_name_addition,
    is_builtin_type,
    matching_paren,
    multirange_name,
    split_at,
    tokenize,
)

_SKIPPED_CATEGORIES = frozenset({"transaction", "psql"})
_ROW_TYPE_KINDS = frozenset({TABLE, VIEW, MATVIEW, FOREIGN_TABLE})


def analyze_script(
    statements: Sequence[Statement], *, search_path: tuple[str, ...] = ("public",)
) -> ScriptFacts:
    """The effects of a script's statements, in script order, with review findings."""
    script = _Script(list(search_path) or ["public"])
    for statement in statements:
        if statement.category in _SKIPPED_CATEGORIES:
            continue
        script.statement(statement)
    return script.facts()


# --- context -----------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    """Where a token list came from and how its effects are to be recorded."""

    statement: Statement
    newlines: tuple[int, ...]
    #: Inside an existence test: the work may be skipped silently.
    guarded: bool = False
    #: Inside PL/pgSQL: ``SELECT … INTO`` fills variables, not a new table.
    plpgsql: bool = False
    #: Inside a routine body checked at creation: only requirements count.
    body: bool = False

    def line(self, pos: int) -> int:
        return self.statement.start_line + bisect_right(self.newlines, pos - 1)


def _ctx_for(statement: Statement) -> _Ctx:
    newlines = tuple(i for i, ch in enumerate(statement.text) if ch == "\n")
    return _Ctx(statement, newlines)


@dataclass
class _IfFrame:
    """An IF in a PL/pgSQL block, tracked to mark guarded work and silent skips."""

    line: int
    #: +1: the THEN branch runs only when a catalog object exists; -1: only when
    #: it is missing; 0: not an existence test.
    polarity: int
    work_at_start: int
    in_else: bool = False
    work_at_else: int | None = None
    else_is_loud: bool = False

    def guards_current_branch(self) -> bool:
        return (self.polarity > 0 and not self.in_else) or (self.polarity < 0 and self.in_else)


@dataclass
class _Frame:
    kind: str  # "block", "loop", "case", "if"
    if_frame: _IfFrame | None = None


# --- the script walker ---------------------------------------------------------


@dataclass
class _Script:
    search_path: list[str]
    effects: list[Effect] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    dynamic_lines: list[int] = field(default_factory=list)
    temp_names: set[str] = field(default_factory=set)
    relation_names: dict[str, set[str]] = field(default_factory=dict)
    constraint_names: dict[str, set[str]] = field(default_factory=dict)
    check_function_bodies: bool = True
    #: Dynamic statements seen, counted as work for guard tracking.
    dynamic_count: int = 0

    def facts(self) -> ScriptFacts:
        return ScriptFacts(
            effects=tuple(self.effects),
            findings=tuple(self.findings),
            dynamic_lines=tuple(sorted(set(self.dynamic_lines))),
            search_path=tuple(self.search_path),
        )

    def statement(self, statement: Statement) -> None:
        tokens = tokenize(statement.text)
        try:
            self.run(tokens, _ctx_for(statement))
        except (IndexError, ValueError, KeyError, AttributeError, TypeError, RecursionError):
            # Malformed or unusual SQL: keep whatever was understood before it.
            return

    # --- recording -------------------------------------------------------------

    def emit(
        self,
        action: str,
        ref: ObjectRef | None,
        pos: int,
        ctx: _Ctx,
        **extra: object,
    ) -> None:
        if ref is None:
            return
        if ctx.body and action != REQUIRE:
            return
        if action != PROVIDE and "alternatives" not in extra:
            extra["alternatives"] = self.other_path_schemas(ref)
        self.effects.append(
            Effect(
                action=action,
                ref=ref,
                line=ctx.line(pos),
                statement=ctx.statement.index,
                guarded=ctx.guarded,
                **extra,  # type: ignore[arg-type]
            )
        )
        if action == PROVIDE:
            self._take_name(ref)
            if ref.kind in _ROW_TYPE_KINDS:
                # Every table and view also gets a composite type of its name,
                # which routines may take or return (RETURNS SETOF orders).
                row_type = ObjectRef(TYPE, ref.schema, ref.name)
                self.emit(PROVIDE, row_type, pos, ctx, parent=ref.qualified)
        elif action == RENAME and isinstance(extra.get("new"), ObjectRef):
            self._take_name(extra["new"])  # type: ignore[arg-type]

    def find(self, kind: str, line: int, message: str, hint: str, ctx: _Ctx) -> None:
        if any(f.kind == kind and f.line == line for f in self.findings):
            return
        self.findings.append(Finding(kind, line, message, hint, ctx.statement.index))

    def _take_name(self, ref: ObjectRef) -> None:
        if ref.schema is None:
            return
        if ref.kind in RELATION_KINDS:
            self.relation_names.setdefault(ref.schema, set()).add(ref.name)
        elif ref.kind == CONSTRAINT:
            self.constraint_names.setdefault(ref.schema, set()).add(ref.name)

    # --- names -----------------------------------------------------------------

    def other_path_schemas(self, ref: ObjectRef) -> tuple[str, ...]:
        """The rest of the search_path, for a name that landed in its first schema."""
        if ref.schema is None or ref.schema != self.creation_schema():
            return ()
        return tuple(s for s in self.search_path if s != ref.schema and not s.startswith("pg_temp"))

    def creation_schema(self) -> str:
        for schema in self.search_path:
            if not schema.startswith("pg_temp") and schema != "pg_catalog":
                return schema
        return "public"

    def resolve(self, names: list[str]) -> tuple[str, str] | None:
        """(schema, name) for a possibly qualified name; None for temporary objects."""
        if not names:
            return None
        if len(names) == 1:
            if names[0] in self.temp_names:
                return None
            return self.creation_schema(), names[0]
        schema, name = names[-2], names[-1]
        if schema.startswith("pg_temp"):
            return None
        return schema, name

    def relation(self, names: list[str], kind: str = TABLE) -> ObjectRef | None:
        """A relation reference, or None for temporary and catalog relations."""
        resolved = self.resolve(names)
        if resolved is None:
            return None
        schema, name = resolved
        if schema in CATALOG_SCHEMAS or (len(names) == 1 and name.startswith("pg_")):
            return None
        return ObjectRef(kind, schema, name)

    def schema_object(self, names: list[str], kind: str) -> ObjectRef | None:
        resolved = self.resolve(names)
        if resolved is None or resolved[0] in CATALOG_SCHEMAS:
            return None
        return ObjectRef(kind, resolved[0], resolved[1])

    def need_schema(self, ref: ObjectRef | None, pos: int, ctx: _Ctx) -> None:
        if ref is None or ref.schema is None:
            return
        if ref.schema in BUILTIN_SCHEMAS or ref.schema.startswith("pg_temp"):
            return
        self.emit(REQUIRE, ObjectRef(SCHEMA, None, ref.schema), pos, ctx)

    # --- dispatch --------------------------------------------------------------

    def run(self, tokens: list[Token], ctx: _Ctx) -> None:
        while tokens and tokens[-1].is_punct(";"):
            tokens = tokens[:-1]
        if not tokens or tokens[0].kind != WORD:
            if tokens and tokens[0].is_punct("("):
                self.query(tokens, ctx)
            return
        head = tokens[0].upper
        handler = _HANDLERS.get(head)
        if handler is not None:
            handler(self, tokens, ctx)

    # --- queries and expressions -----------------------------------------------

    def query(self, tokens: list[Token], ctx: _Ctx, extra_hidden: frozenset[str] = frozenset()):
        """Tables a query reads or writes (FROM, JOIN, INSERT INTO, UPDATE, …),
        sequences it uses, and review findings about catalog checks."""
        hidden = _cte_names(tokens) | extra_hidden
        self.expression_refs(tokens, ctx)
        self.name_only_checks(tokens, ctx)
        self._set_config(tokens, ctx)
        owners: list[str] = []
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if tok.kind == PUNCT:
                if tok.text == "(":
                    prev = tokens[i - 1] if i else None
                    owners.append(prev.upper if prev is not None else "")
                elif tok.text == ")" and owners:
                    owners.pop()
                continue
            if tok.kind != WORD:
                continue
            word = tok.upper
            if word == "FROM" and not _from_is_syntax(tokens, i, owners):
                self._from_list(tokens, i + 1, hidden, ctx)
            elif word == "JOIN":
                self._from_item(tokens, i + 1, hidden, ctx)
            elif word == "USING" and i + 1 < n and tokens[i + 1].is_ident:
                self._from_list(tokens, i + 1, hidden, ctx)
            elif word == "INTO":
                self._into(tokens, i, hidden, ctx)
            elif (
                word == "UPDATE"
                and _is_update_target(tokens, i)
                or word == "TABLE"
                and i + 1 < n
                and _starts_query(tokens, i)
            ):
                self._from_item(tokens, i + 1, hidden, ctx)

    def _from_list(self, tokens: list[Token], i: int, hidden: frozenset[str], ctx: _Ctx) -> None:
        while i < len(tokens):
            i = self._from_item(tokens, i, hidden, ctx)
            if i < len(tokens) and tokens[i].is_punct(","):
                i += 1
                continue
            return

    def _from_item(
        self,
        tokens: list[Token],
        i: int,
        hidden: frozenset[str],
        ctx: _Ctx,
        *,
        target: bool = False,
    ) -> int:
        """Record the relation at ``i`` (if it is one); return the index after its alias.
        A ``target`` (INSERT INTO t (cols)) is never a function call."""
        n = len(tokens)
        while i < n and tokens[i].is_word("ONLY", "LATERAL"):
            i += 1
        if i >= n:
            return i
        if tokens[i].is_punct("("):
            return _skip_alias(tokens, matching_paren(tokens, i) + 1)
        if not tokens[i].is_ident or tokens[i].upper in _NOT_RELATIONS:
            return i
        names, j = read_name(tokens, i)
        if not target and j < n and tokens[j].is_punct("("):  # generate_series(…), unnest(…)
            j = matching_paren(tokens, j) + 1
            while j < n and tokens[j].is_word("WITH", "ORDINALITY"):
                j += 1
            return _skip_alias(tokens, j)
        if not (len(names) == 1 and names[0] in hidden):
            self.emit(REQUIRE, self.relation(names), tokens[i].pos, ctx)
        if j < n and tokens[j].kind == OP and tokens[j].text == "*":
            j += 1
        return _skip_alias(tokens, j)

    def _into(self, tokens: list[Token], i: int, hidden: frozenset[str], ctx: _Ctx) -> None:
        prev = tokens[i - 1].upper if i else ""
        if prev in ("INSERT", "MERGE"):
            self._from_item(tokens, i + 1, hidden, ctx, target=True)
            return
        if ctx.plpgsql or ctx.body or not tokens[0].is_word("SELECT", "WITH"):
            return
        j = i + 1
        temp = False
        while j < len(tokens) and tokens[j].is_word("TEMP", "TEMPORARY", "UNLOGGED", "TABLE"):
            temp = temp or tokens[j].is_word("TEMP", "TEMPORARY")
            j += 1
        if j >= len(tokens) or not tokens[j].is_ident:
            return
        names, _ = read_name(tokens, j)
        if temp:
            self.temp_names.add(names[-1])
            return
        ref = self.relation(names)
        self.need_schema(ref, tokens[j].pos, ctx)
        self.emit(PROVIDE, ref, tokens[j].pos, ctx)

    def expression_refs(self, tokens: list[Token], ctx: _Ctx) -> None:
        """Sequences and relations named in strings: ``nextval('s')``, ``'t'::regclass``."""
        used: set[int] = set()
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if (
                tok.kind == WORD
                and tok.upper in ("NEXTVAL", "CURRVAL", "SETVAL")
                and i + 2 < n
                and tokens[i + 1].is_punct("(")
                and tokens[i + 2].kind == STRING
            ):
                used.add(i + 2)
                names = _names_in_string(tokens[i + 2].text)
                ref = self.relation(names, SEQUENCE) if names else None
                self.emit(REQUIRE, ref, tokens[i + 2].pos, ctx)
            elif (
                tok.kind == OP
                and tok.text == "::"
                and i + 1 < n
                and tokens[i + 1].is_word("REGCLASS")
                and i > 0
                and tokens[i - 1].kind == STRING
                and (i - 1) not in used
            ):
                names = _names_in_string(tokens[i - 1].text)
                ref = self.relation(names) if names else None
                self.emit(REQUIRE, ref, tokens[i - 1].pos, ctx)

    def _set_config(self, tokens: list[Token], ctx: _Ctx) -> None:
        for i, tok in enumerate(tokens):
            if (
                tok.is_word("SET_CONFIG")
                and i + 4 < len(tokens)
                and tokens[i + 2].kind == STRING
                and tokens[i + 2].text.lower() == "search_path"
                and tokens[i + 4].kind == STRING
            ):
                self.set_search_path(_path_from_string(tokens[i + 4].text))

    def set_search_path(self, schemas: list[str]) -> None:
        kept = [s for s in schemas if s and s != "$user"]
        self.search_path = kept or ["public"]

    # --- review findings about catalog checks -------------------------------------

    def name_only_checks(self, tokens: list[Token], ctx: _Ctx) -> None:
        words = {t.text.lower() for t in tokens if t.kind in (WORD, QIDENT)}
        if "pg_proc" in words and "proname" in words and not words & _SIGNATURE_WORDS:
            pos = next(t.pos for t in tokens if t.text.lower() == "pg_proc")
            self.find(
                NAME_ONLY_FUNCTION_CHECK,
                ctx.line(pos),
                "pg_proc is checked by name only: a function of that name with other "
                "arguments, or in another schema, passes the test",
                "also compare pg_get_function_identity_arguments(p.oid) and p.pronamespace",
                ctx,
            )
        if "pg_trigger" in words and "tgname" in words and "tgrelid" not in words:
            pos = next(t.pos for t in tokens if t.text.lower() == "pg_trigger")
            self.find(
                NAME_ONLY_TRIGGER_CHECK,
                ctx.line(pos),
                "pg_trigger is checked by name only: a trigger of that name on another "
                "table passes the test",
                "add AND tgrelid = 'the_table'::regclass",
                ctx,
            )

    # --- types -----------------------------------------------------------------

    def type_of(self, tokens: list[Token], ctx: _Ctx, *, require: bool = True) -> _TypeInfo:
        """Read a type written as ``tokens``; require it when it is not builtin."""
        info = _read_type(tokens, self)
        if require and info.requires is not None and tokens:
            self.emit(REQUIRE, info.requires, info.pos, ctx)
        if require and info.percent_type is not None:
            self.emit(REQUIRE, self.relation(info.percent_type[0]), info.pos, ctx)
        return info


# --- PostgreSQL types -----------------------------------------------------------


@dataclass(frozen=True)
class _TypeInfo:
    #: The spelling format_type() would give, for routine signatures; None if unknown.
    display: str | None
    #: What must exist for the type to be usable.
    requires: ObjectRef | None
    serial: bool
    pos: int
    #: ``t.c%TYPE``: the relation names and column.
    percent_type: tuple[list[str], str] | None = None


def _read_type(tokens: list[Token], script: _Script) -> _TypeInfo:
    pos = tokens[0].pos if tokens else 0
    if not tokens:
        return _TypeInfo(None, None, False, pos)
    toks = list(tokens)
    if toks[0].is_word("SETOF"):
        toks = toks[1:]
    if any(t.kind == OP and t.text in ("%",) for t in toks):
        names, _ = read_name(toks, 0)
        if len(names) >= 2:
            return _TypeInfo(None, None, False, pos, (names[:-1], names[-1]))
        return _TypeInfo(None, None, False, pos)
    array = False
    words: list[str] = []
    qualified: list[str] = []
    quoted_char = False
    float_precision: int | None = None
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.is_punct("("):
            close = matching_paren(toks, i)
            if words == ["float"] and i + 1 < close and toks[i + 1].kind == "number":
                float_precision = int(float(toks[i + 1].text))
            i = close + 1
            continue
        if tok.is_punct("[") or tok.is_word("ARRAY"):
            array = True
            i = matching_paren(toks, i) + 1 if tok.is_punct("[") else i + 1
            if i < len(toks) and toks[i].is_punct("["):
                i = matching_paren(toks, i) + 1
            continue
        if tok.is_punct("."):
            qualified = words[:]
            words = []
            i += 1
            continue
        if tok.kind == QIDENT:
            quoted_char = tok.text == "char" and not words
            words.append(tok.text)
        elif tok.kind == WORD:
            words.append(tok.name)
        i += 1
    suffix = "[]" if array else ""
    if not words:
        return _TypeInfo(None, None, False, pos)
    if quoted_char:
        return _TypeInfo('"char"' + suffix, None, False, pos)
    schema = qualified[-1] if qualified else None
    first = words[0]
    if schema in CATALOG_SCHEMAS or (schema is None and is_builtin_type(first)):
        name = canonical_type(words)
        if name == "double precision" and float_precision is not None and float_precision <= 24:
            name = "real"
        return _TypeInfo(name + suffix, None, first in SERIAL_TYPES and not array, pos)
    if first in EXTENSION_TYPES:
        ext = ObjectRef(EXTENSION, None, EXTENSION_TYPES[first])
        return _TypeInfo(first + suffix, ext, False, pos)
    resolved = script.resolve(qualified[-1:] + [first]) if qualified else script.resolve([first])
    if resolved is None:
        return _TypeInfo(first + suffix, None, False, pos)
    type_schema, type_name = resolved
    shown = type_name if type_schema == script.creation_schema() else f"{type_schema}.{type_name}"
    return _TypeInfo(shown + suffix, ObjectRef(TYPE, type_schema, type_name), False, pos)


def _type_end(tokens: list[Token], i: int, stops: frozenset[str]) -> int:
    """Index just after a type starting at ``i`` in a column or argument list."""
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.is_punct(",") or tok.is_punct(")") or tok.is_punct(";"):
            return i
        if tok.kind == WORD and tok.upper in stops:
            if tok.upper == "WITH" and i + 1 < n and tokens[i + 1].is_word("TIME"):
                i += 1
                continue
            return i
        if tok.is_punct("(") or tok.is_punct("["):
            i = matching_paren(tokens, i) + 1
            continue
        if tok.kind == OP and tok.text not in ("%",):
            return i
        i += 1
    return i


_COLUMN_STOPS = frozenset(
    [
        "CONSTRAINT",
        "NOT",
        "NULL",
        "DEFAULT",
        "PRIMARY",
        "UNIQUE",
        "CHECK",
        "REFERENCES",
        "GENERATED",
        "COLLATE",
        "COMPRESSION",
        "STORAGE",
        "DEFERRABLE",
        "INITIALLY",
        "USING",
        "WITH",
    ]
)
_ROUTINE_OPTION_WORDS = frozenset(
    [
        "LANGUAGE",
        "AS",
        "IMMUTABLE",
        "STABLE",
        "VOLATILE",
        "STRICT",
        "CALLED",
        "SECURITY",
        "PARALLEL",
        "COST",
        "ROWS",
        "SET",
        "LEAKPROOF",
        "NOT",
        "WINDOW",
        "TRANSFORM",
        "SUPPORT",
        "RETURN",
        "BEGIN",
        "EXTERNAL",
        "RETURNS",
    ]
)

# --- small token helpers ---------------------------------------------------------


def read_name(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """A dotted name at ``i``: its folded parts and the index after it."""
    names: list[str] = []
    n = len(tokens)
    while i < n and tokens[i].is_ident:
        names.append(tokens[i].name)
        if i + 2 < n and tokens[i + 1].is_punct(".") and tokens[i + 2].is_ident:
            i += 2
            continue
        i += 1
        break
    return names, i


def _names_in_string(text: str) -> list[str]:
    tokens = tokenize(text)
    names, _ = read_name(tokens, 0)
    return names


def _path_from_string(text: str) -> list[str]:
    schemas = []
    for part in text.split(","):
        part = part.strip()
        if part.startswith('"') and part.endswith('"') and len(part) >= 2:
            schemas.append(part[1:-1])
        elif part:
            schemas.append(fold(part, False))
    return schemas


def _skip_words(tokens: list[Token], i: int, *words: str) -> int:
    while i < len(tokens) and tokens[i].is_word(*words):
        i += 1
    return i


def _at(tokens: list[Token], i: int, *words: str) -> bool:
    """True when the words at ``i`` are ``words`` in order."""
    if i + len(words) > len(tokens):
        return False
    return all(tokens[i + k].is_word(w) for k, w in enumerate(words))


def _kind_at(
    tokens: list[Token], i: int, kinds: dict[tuple[str, ...], str]
) -> tuple[str, int] | None:
    """The object kind written at ``i`` (``MATERIALIZED VIEW`` …) and its word count."""
    for words, kind in kinds.items():
        if _at(tokens, i, *words):
            return kind, len(words)
    return None


def _find_word(tokens: list[Token], start: int, *words: str) -> int:
    """Index of the first of ``words`` outside parentheses, or -1."""
    depth = 0
    for j in range(start, len(tokens)):
        tok = tokens[j]
        if tok.kind == PUNCT:
            if tok.text in "([":
                depth += 1
            elif tok.text in ")]":
                depth -= 1
        elif depth == 0 and tok.kind == WORD and tok.upper in words:
            return j
    return -1


def _cte_names(tokens: list[Token]) -> frozenset[str]:
    names: set[str] = set()
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if not tok.is_ident or i == 0:
            continue
        prev = tokens[i - 1]
        if not (prev.is_word("WITH", "RECURSIVE") or prev.is_punct(",")):
            continue
        j = i + 1
        if j < n and tokens[j].is_punct("("):
            j = matching_paren(tokens, j) + 1
        if not (j < n and tokens[j].is_word("AS")):
            continue
        j = _skip_words(tokens, j + 1, "NOT", "MATERIALIZED")
        if j < n and tokens[j].is_punct("("):
            names.add(tok.name)
    return frozenset(names)


_FROM_SYNTAX_OWNERS = frozenset({"EXTRACT", "SUBSTRING", "TRIM", "OVERLAY", "NORMALIZE"})
_NOT_RELATIONS = frozenset(
    [
        "SELECT",
        "VALUES",
        "WHERE",
        "GROUP",
        "ORDER",
        "LIMIT",
        "OFFSET",
        "ON",
        "SET",
        "RETURNING",
        "WITH",
        "LATERAL",
        "ROWS",
        "CURRENT",
    ]
)
_ALIAS_STOPS = frozenset(
    [
        "WHERE",
        "JOIN",
        "ON",
        "LEFT",
        "RIGHT",
        "INNER",
        "FULL",
        "CROSS",
        "NATURAL",
        "GROUP",
        "ORDER",
        "LIMIT",
        "OFFSET",
        "UNION",
        "EXCEPT",
        "INTERSECT",
        "HAVING",
        "WINDOW",
        "FOR",
        "USING",
        "SET",
        "RETURNING",
        "FETCH",
        "TABLESAMPLE",
        "WITH",
        "WHEN",
        "THEN",
        "LOOP",
        "DO",
        "AND",
        "OR",
        "VALUES",
        "SELECT",
        "DEFAULT",
        "OVERRIDING",
        "ON",
        "INTO",
        "END",
        "ELSE",
    ]
)


def _skip_alias(tokens: list[Token], j: int) -> int:
    n = len(tokens)
    if j < n and tokens[j].is_word("TABLESAMPLE"):
        j += 2
        if j < n and tokens[j].is_punct("("):
            j = matching_paren(tokens, j) + 1
        if j < n and tokens[j].is_word("REPEATABLE") and j + 1 < n:
            j = matching_paren(tokens, j + 1) + 1
    if j < n and tokens[j].is_word("AS"):
        j += 1
    if j < n and tokens[j].is_ident and tokens[j].upper not in _ALIAS_STOPS:
        j += 1
        if j < n and tokens[j].is_punct("("):
            j = matching_paren(tokens, j) + 1
    return j


def _from_is_syntax(tokens: list[Token], i: int, owners: list[str]) -> bool:
    """FROM that is part of an expression (``extract(x FROM y)``, ``IS DISTINCT FROM``)."""
    if owners and owners[-1] in _FROM_SYNTAX_OWNERS:
        return True
    if i >= 2 and tokens[i - 1].is_word("DISTINCT") and tokens[i - 2].is_word("IS", "NOT"):
        return True
    return i >= 1 and tokens[i - 1].is_word("REVOKE", "FETCH", "MOVE")


def _is_update_target(tokens: list[Token], i: int) -> bool:
    if i > 0 and tokens[i - 1].is_word("FOR", "DO", "KEY", "ON", "NO", "OF", "THEN"):
        return False
    return i + 1 < len(tokens) and tokens[i + 1].is_ident and not tokens[i + 1].is_word("SET")


def _starts_query(tokens: list[Token], i: int) -> bool:
    """``TABLE name`` as a query (not ``CREATE TABLE``, ``LOCK TABLE``, …)."""
    return i == 0 or tokens[i - 1].is_punct("(") or tokens[i - 1].is_word("UNION", "EXCEPT")


_SIGNATURE_WORDS = frozenset(
    {
        "pg_get_function_identity_arguments",
        "pg_get_function_arguments",
        "proargtypes",
        "pronargs",
        "proallargtypes",
        "regprocedure",
        "oidvectortypes",
    }
)


def _statement_end(tokens: list[Token], i: int) -> int:
    """Index of the ``;`` ending the PL/pgSQL statement at ``i`` (or the end)."""
    depth = 0
    for j in range(i, len(tokens)):
        tok = tokens[j]
        if tok.kind != PUNCT:
            continue
        if tok.text in "([":
            depth += 1
        elif tok.text in ")]":
            depth -= 1
        elif tok.text == ";" and depth <= 0:
            return j
    return len(tokens)


# --- CREATE ---------------------------------------------------------------------


def _create(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    i = _skip_words(tokens, 1, "OR", "REPLACE")
    temp = False
    while i < len(tokens) and tokens[i].is_word(
        "GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED", "RECURSIVE", "UNIQUE", "CONSTRAINT"
    ):
        temp = temp or tokens[i].is_word("TEMP", "TEMPORARY")
        i += 1
    if i >= len(tokens):
        return
    word = tokens[i].upper
    if word == "TABLE":
        _create_table(script, tokens, i + 1, ctx, temp, TABLE)
    elif word == "FOREIGN" and _at(tokens, i + 1, "TABLE"):
        _create_table(script, tokens, i + 2, ctx, temp, FOREIGN_TABLE)
    elif word == "VIEW":
        _create_view(script, tokens, i + 1, ctx, temp, VIEW)
    elif word == "MATERIALIZED" and _at(tokens, i + 1, "VIEW"):
        _create_view(script, tokens, i + 2, ctx, temp, MATVIEW)
    elif word == "INDEX":
        _create_index(script, tokens, i + 1, ctx)
    elif word == "SEQUENCE":
        _create_sequence(script, tokens, i + 1, ctx, temp)
    elif word == "TYPE":
        _create_type(script, tokens, i + 1, ctx)
    elif word == "DOMAIN":
        _create_domain(script, tokens, i + 1, ctx)
    elif word == "SCHEMA":
        _create_schema(script, tokens, i + 1, ctx)
    elif word in ("FUNCTION", "PROCEDURE"):
        _create_routine(script, tokens, i + 1, ctx, FUNCTION if word == "FUNCTION" else PROCEDURE)
    elif word == "TRIGGER":
        _create_trigger(script, tokens, i + 1, ctx)
    elif word == "EXTENSION":
        _create_extension(script, tokens, i + 1, ctx)
    elif word in ("POLICY", "RULE"):
        _create_policy_or_rule(script, tokens, i + 1, ctx, POLICY if word == "POLICY" else RULE)
    elif word == "EVENT" and _at(tokens, i + 1, "TRIGGER"):
        j = _find_word(tokens, i, "EXECUTE")
        if j != -1:
            _require_routine(script, tokens, j + 2, ctx, args="")


def _if_not_exists(tokens: list[Token], i: int) -> int:
    return i + 3 if _at(tokens, i, "IF", "NOT", "EXISTS") else i


def _if_exists(tokens: list[Token], i: int) -> tuple[bool, int]:
    if _at(tokens, i, "IF", "EXISTS"):
        return True, i + 2
    return False, i


@dataclass
class _TableBuild:
    """What a CREATE TABLE (or ALTER TABLE ADD) is making, for implicit names."""

    ref: ObjectRef | None
    columns: list[str] = field(default_factory=list)
    #: True when ``columns`` are all the table's columns (CREATE TABLE).
    complete: bool = False

    @property
    def qualified(self) -> str | None:
        return self.ref.qualified if self.ref else None


def _new_relation(
    script: _Script, tokens: list[Token], i: int, ctx: _Ctx, temp: bool, kind: str
) -> tuple[list[str], int, ObjectRef | None, int] | None:
    """The relation a CREATE names at ``i`` (after ``IF NOT EXISTS``): its name parts,
    position, reference (None when temporary) and the index after the name. Its
    schema is required; None when no name follows."""
    i = _if_not_exists(tokens, i)
    if i >= len(tokens) or not tokens[i].is_ident:
        return None
    pos = tokens[i].pos
    names, i = read_name(tokens, i)
    if temp:
        script.temp_names.add(names[-1])
    ref = None if temp else script.relation(names, kind)
    script.need_schema(ref, pos, ctx)
    return names, pos, ref, i


def _create_table(
    script: _Script, tokens: list[Token], i: int, ctx: _Ctx, temp: bool, kind: str
) -> None:
    created = _new_relation(script, tokens, i, ctx, temp, kind)
    if created is None:
        return
    names, name_pos, ref, i = created
    build = _TableBuild(ref)
    n = len(tokens)
    as_at = _find_word(tokens, i, "AS")
    if as_at != -1 and not _at(tokens, i, "PARTITION", "OF") and not _at(tokens, i, "OF"):
        if i < n and tokens[i].is_punct("("):
            close = matching_paren(tokens, i)
            build.columns = [t.name for t in split_first_idents(tokens[i + 1 : close])]
        query = tokens[as_at + 1 :]
        if query and query[0].is_word("EXECUTE"):
            return
        script.query(_strip_with_data(query), ctx)
        script.emit(PROVIDE, ref, name_pos, ctx)
        _provide_columns(script, build, [], ctx)
        return
    elements: list[list[Token]] = []
    if _at(tokens, i, "PARTITION", "OF"):
        parent_names, j = read_name(tokens, i + 2)
        if parent_names:
            script.emit(REQUIRE, script.relation(parent_names), tokens[i + 2].pos, ctx)
        i = j
    elif _at(tokens, i, "OF"):
        script.type_of(tokens[i + 1 : i + 2], ctx)
        i += 2
    if i < n and tokens[i].is_punct("("):
        close = matching_paren(tokens, i)
        elements = split_at(tokens[i + 1 : close], ",")
        i = close + 1
    if _at(tokens, i, "INHERITS") and i + 1 < n and tokens[i + 1].is_punct("("):
        close = matching_paren(tokens, i + 1)
        for part in split_at(tokens[i + 2 : close], ","):
            parent_names, _ = read_name(part, 0)
            script.emit(REQUIRE, script.relation(parent_names), part[0].pos, ctx)
    build.complete = not any(e and e[0].is_word("LIKE") for e in elements)
    _table_elements(script, build, elements, ctx, name_pos)


def split_first_idents(tokens: list[Token]) -> list[Token]:
    return [part[0] for part in split_at(tokens, ",") if part and part[0].is_ident]


def _strip_with_data(query: list[Token]) -> list[Token]:
    j = _find_word(query, 0, "WITH")
    while j != -1:
        if _at(query, j + 1, "DATA") or _at(query, j + 1, "NO", "DATA"):
            return query[:j]
        j2 = _find_word(query, j + 1, "WITH")
        j = j2
    return query


_TABLE_CONSTRAINT_HEADS = frozenset(
    {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"}
)


def _table_elements(
    script: _Script, build: _TableBuild, elements: list[list[Token]], ctx: _Ctx, pos: int
) -> None:
    """Columns, LIKE sources and constraints of CREATE TABLE, in PostgreSQL's order:
    what they need, the table, its columns, then the names it invents."""
    columns: list[tuple[list[Token], _TypeInfo | None]] = []
    constraints: list[list[Token]] = []
    for element in elements:
        head = element[0]
        if head.is_word("LIKE"):
            like_names, _ = read_name(element, 1)
            if like_names:
                script.emit(REQUIRE, script.relation(like_names), element[1].pos, ctx)
        elif head.is_word("NOT") and _at(element, 1, "NULL"):
            continue  # PostgreSQL 18 table-level NOT NULL col
        elif head.kind == WORD and head.upper in _TABLE_CONSTRAINT_HEADS:
            constraints.append(element)
        elif head.is_ident:
            build.columns.append(head.name)
            info = None
            if len(element) > 1 and not _at(element, 1, "WITH", "OPTIONS"):
                end = _type_end(element, 1, _COLUMN_STOPS)
                info = script.type_of(element[1:end], ctx)
            columns.append((element, info))
    script.emit(PROVIDE, build.ref, pos, ctx)
    _provide_columns(script, build, [c for c, _ in columns], ctx)
    for element, info in columns:
        _column_constraints(script, build, element, info, ctx)
    for element in constraints:
        _table_constraint(script, build, element, ctx)


def _provide_columns(
    script: _Script, build: _TableBuild, elements: list[list[Token]], ctx: _Ctx
) -> None:
    if build.ref is None:
        return
    positions = {e[0].name: e[0].pos for e in elements}
    for column in build.columns:
        ref = _column_ref(build.ref, column)
        script.emit(PROVIDE, ref, positions.get(column, 0), ctx, parent=build.qualified)


def _column_ref(table: ObjectRef, column: str) -> ObjectRef:
    return ObjectRef(COLUMN, table.schema, column, table=table.qualified)


def _constraint_ref(table: ObjectRef, name: str) -> ObjectRef:
    return ObjectRef(CONSTRAINT, table.schema, name, table=table.qualified)


def _column_constraints(
    script: _Script,
    build: _TableBuild,
    element: list[Token],
    info: _TypeInfo | None,
    ctx: _Ctx,
) -> None:
    column = element[0].name
    if info is not None and info.serial:
        _implicit_sequence(script, build, column, element[0].pos, ctx)
    script.expression_refs(element, ctx)
    explicit: str | None = None
    j = 1
    n = len(element)
    while j < n:
        tok = element[j]
        if tok.is_punct("("):
            j = matching_paren(element, j) + 1
            continue
        if tok.is_word("CONSTRAINT") and j + 1 < n:
            explicit = element[j + 1].name
            j += 2
            continue
        if _at(element, j, "PRIMARY", "KEY"):
            _key_constraint(script, build, "pkey", [column], explicit, tok.pos, ctx)
            explicit = None
        elif tok.is_word("UNIQUE"):
            _key_constraint(script, build, "key", [column], explicit, tok.pos, ctx)
            explicit = None
        elif tok.is_word("CHECK"):
            body = element[j + 2 : matching_paren(element, j + 1)] if j + 1 < n else []
            _check_constraint(script, build, body, explicit, tok.pos, ctx)
            explicit = None
        elif tok.is_word("REFERENCES"):
            _foreign_key(script, build, [column], element, j, explicit, ctx)
            explicit = None
        elif tok.is_word("IDENTITY"):
            _implicit_sequence(script, build, column, element[0].pos, ctx)
        j += 1


def _implicit_sequence(
    script: _Script, build: _TableBuild, column: str, pos: int, ctx: _Ctx
) -> None:
    if build.ref is None:
        return
    taken = script.relation_names.get(build.ref.schema or "", set())
    name = choose_name(build.ref.name, column, "seq", taken)
    ref = ObjectRef(SEQUENCE, build.ref.schema, name)
    script.emit(PROVIDE, ref, pos, ctx, parent=build.qualified)


def _key_constraint(
    script: _Script,
    build: _TableBuild,
    label: str,
    columns: list[str],
    explicit: str | None,
    pos: int,
    ctx: _Ctx,
) -> None:
    if build.ref is None:
        return
    schema = build.ref.schema or ""
    taken = _EitherSet(
        script.relation_names.get(schema, set()), script.constraint_names.get(schema, set())
    )
    if explicit is not None:
        name = explicit
    elif label == "pkey":
        name = choose_name(build.ref.name, None, "pkey", taken)
    else:
        name = choose_name(build.ref.name, index_name_addition(columns), label, taken)
    parent = build.qualified
    script.emit(PROVIDE, ObjectRef(INDEX, build.ref.schema, name), pos, ctx, parent=parent)
    script.emit(PROVIDE, _constraint_ref(build.ref, name), pos, ctx, parent=parent)


_EXPRESSION_WORDS = frozenset(
    {
        "AND",
        "OR",
        "NOT",
        "IS",
        "NULL",
        "TRUE",
        "FALSE",
        "IN",
        "BETWEEN",
        "LIKE",
        "ILIKE",
        "SIMILAR",
        "TO",
        "CASE",
        "WHEN",
        "THEN",
        "ELSE",
        "END",
        "ARRAY",
        "ANY",
        "ALL",
        "SOME",
        "CAST",
        "AS",
        "DISTINCT",
        "FROM",
        "ESCAPE",
        "COLLATE",
        "VALUE",
        "CURRENT_DATE",
        "CURRENT_TIMESTAMP",
        "LOCALTIMESTAMP",
        "CURRENT_USER",
        "SESSION_USER",
        "INTERVAL",
    }
)


def _expression_columns(body: list[Token]) -> set[str]:
    """Identifiers in an expression that can only be column references: not
    keywords, not function names, not types after ``::``, not string prefixes."""
    columns: set[str] = set()
    for k, tok in enumerate(body):
        if not tok.is_ident or tok.word in _EXPRESSION_WORDS:
            continue
        if k + 1 < len(body) and (body[k + 1].is_punct("(") or body[k + 1].is_punct(".")):
            continue
        if k > 0 and (body[k - 1].kind == OP and body[k - 1].text == "::"):
            continue
        if k > 0 and body[k - 1].is_word("AS"):
            continue
        columns.add(tok.name)
    return columns


@dataclass(frozen=True)
class _EitherSet:
    """Names taken in either of two sets, without copying them."""

    first: set[str]
    second: set[str]

    def __contains__(self, name: object) -> bool:
        return name in self.first or name in self.second


def _check_constraint(
    script: _Script,
    build: _TableBuild,
    body: list[Token],
    explicit: str | None,
    pos: int,
    ctx: _Ctx,
) -> None:
    script.expression_refs(body, ctx)
    if build.ref is None:
        return
    if explicit is not None:
        name = explicit
    else:
        used = _expression_columns(body)
        if build.complete:
            used &= set(build.columns)
        column = next(iter(used)) if len(used) == 1 else None
        taken = script.constraint_names.get(build.ref.schema or "", set())
        name = choose_name(build.ref.name, column, "check", taken)
    script.emit(PROVIDE, _constraint_ref(build.ref, name), pos, ctx, parent=build.qualified)


def _foreign_key(
    script: _Script,
    build: _TableBuild,
    columns: list[str],
    element: list[Token],
    at: int,
    explicit: str | None,
    ctx: _Ctx,
) -> None:
    """``REFERENCES target`` at ``element[at]``: require the target, name the constraint."""
    if at + 1 >= len(element):
        return
    target_names, _ = read_name(element, at + 1)
    target = script.relation(target_names)
    if build.ref is not None and target == build.ref:
        target = None  # a table referring to itself needs nothing more
    script.emit(REQUIRE, target, element[at + 1].pos, ctx)
    if build.ref is None:
        return
    if explicit is not None:
        name = explicit
    else:
        taken = script.constraint_names.get(build.ref.schema or "", set())
        name = choose_name(build.ref.name, index_name_addition(columns), "fkey", taken)
    script.emit(
        PROVIDE, _constraint_ref(build.ref, name), element[at].pos, ctx, parent=build.qualified
    )


def _table_constraint(script: _Script, build: _TableBuild, element: list[Token], ctx: _Ctx) -> None:
    explicit = None
    j = 0
    if element[0].is_word("CONSTRAINT") and len(element) > 2:
        explicit = element[1].name
        j = 2
    head = element[j]
    if _at(element, j, "PRIMARY", "KEY"):
        if _at(element, j + 2, "USING", "INDEX"):
            _constraint_using_index(script, build, element, j + 4, explicit, ctx, "pkey")
            return
        _key_constraint(
            script, build, "pkey", _paren_columns(element, j + 2), explicit, head.pos, ctx
        )
    elif head.is_word("UNIQUE"):
        k = _find_paren(element, j + 1)
        if _at(element, j + 1, "USING", "INDEX"):
            _constraint_using_index(script, build, element, j + 3, explicit, ctx, "key")
            return
        _key_constraint(script, build, "key", _paren_columns(element, k), explicit, head.pos, ctx)
    elif head.is_word("CHECK"):
        k = _find_paren(element, j + 1)
        body = element[k + 1 : matching_paren(element, k)] if k < len(element) else []
        _check_constraint(script, build, body, explicit, head.pos, ctx)
    elif head.is_word("FOREIGN"):
        k = _find_paren(element, j + 1)
        columns = _paren_columns(element, k)
        ref_at = _find_word(element, k, "REFERENCES")
        if ref_at != -1:
            _foreign_key(script, build, columns, element, ref_at, explicit, ctx)
    elif head.is_word("EXCLUDE"):
        k = _find_paren(element, j + 1)
        columns = []
        if k < len(element):
            close = matching_paren(element, k)
            for part in split_at(element[k + 1 : close], ","):
                columns.append(_index_element_name(part))
        _key_constraint(script, build, "excl", columns, explicit, head.pos, ctx)


def _constraint_using_index(
    script: _Script,
    build: _TableBuild,
    element: list[Token],
    at: int,
    explicit: str | None,
    ctx: _Ctx,
    label: str,
) -> None:
    """``ADD CONSTRAINT c PRIMARY KEY USING INDEX i``: the index takes the constraint's name."""
    if build.ref is None or at >= len(element):
        return
    index = ObjectRef(INDEX, build.ref.schema, element[at].name)
    name = explicit or index.name
    if name != index.name:
        new = ObjectRef(INDEX, build.ref.schema, name)
        script.emit(RENAME, index, element[at].pos, ctx, new=new, parent=build.qualified)
    else:
        script.emit(REQUIRE, index, element[at].pos, ctx)
    script.emit(
        PROVIDE, _constraint_ref(build.ref, name), element[at].pos, ctx, parent=build.qualified
    )


def _find_paren(tokens: list[Token], i: int) -> int:
    while i < len(tokens) and not tokens[i].is_punct("("):
        i += 1
    return i


def _paren_columns(tokens: list[Token], i: int) -> list[str]:
    if i >= len(tokens) or not tokens[i].is_punct("("):
        return []
    close = matching_paren(tokens, i)
    return [t.name for t in split_first_idents(tokens[i + 1 : close])]


# --- CREATE VIEW / INDEX / SEQUENCE / TYPE / DOMAIN / SCHEMA / EXTENSION --------------


def _create_view(
    script: _Script, tokens: list[Token], i: int, ctx: _Ctx, temp: bool, kind: str
) -> None:
    created = _new_relation(script, tokens, i, ctx, temp, kind)
    if created is None:
        return
    names, name_pos, ref, i = created
    as_at = _find_word(tokens, i, "AS")
    recursive = any(t.is_word("RECURSIVE") for t in tokens[:3])
    hidden = frozenset({names[-1]}) if recursive else frozenset()
    if as_at != -1:
        script.query(_strip_with_data(tokens[as_at + 1 :]), ctx, hidden)
    script.emit(PROVIDE, ref, name_pos, ctx)


def _create_index(script: _Script, tokens: list[Token], i: int, ctx: _Ctx) -> None:
    # PostgreSQL names an unnamed unique index …_idx too; only constraints get …_key.
    i = _skip_words(tokens, i, "CONCURRENTLY")
    i = _if_not_exists(tokens, i)
    n = len(tokens)
    explicit_tok: Token | None = None
    if i < n and tokens[i].is_ident and not tokens[i].is_word("ON"):
        explicit_tok = tokens[i]
        _, i = read_name(tokens, i)
    if not _at(tokens, i, "ON"):
        return
    i = _skip_words(tokens, i + 1, "ONLY")
    if i >= n:
        return
    table_tok = tokens[i]
    table_names, i = read_name(tokens, i)
    table = script.relation(table_names)
    script.emit(REQUIRE, table, table_tok.pos, ctx)
    paren = _find_paren(tokens, i)
    elements = []
    if paren < n:
        close = matching_paren(tokens, paren)
        elements = split_at(tokens[paren + 1 : close], ",")
        include = _find_word(tokens, close + 1, "INCLUDE")
        if include != -1 and include + 1 < n:
            include_close = matching_paren(tokens, include + 1)
            elements += split_at(tokens[include + 2 : include_close], ",")
        script.expression_refs(tokens[paren:], ctx)
    for element in elements:
        for tok in element:
            ext = EXTENSION_OPCLASSES.get(tok.name) if tok.is_ident else None
            if ext:
                script.emit(REQUIRE, ObjectRef(EXTENSION, None, ext), tok.pos, ctx)
    if table is None:
        return
    if explicit_tok is not None:
        name = explicit_tok.name
        pos = explicit_tok.pos
    else:
        columns = index_column_names(_index_element_name(e) for e in elements)
        taken = script.relation_names.get(table.schema or "", set())
        name = choose_name(table.name, index_name_addition(columns), "idx", taken)
        pos = tokens[0].pos
    script.emit(PROVIDE, ObjectRef(INDEX, table.schema, name), pos, ctx, parent=table.qualified)


def _index_element_name(element: list[Token]) -> str:
    """The name PostgreSQL gives an index column (FigureIndexColname), or "expr"."""
    if not element:
        return "expr"
    if element[0].is_punct("("):
        inner = element[1 : matching_paren(element, 0)]
        name, _ = _figure_colname(inner)
        return name or "expr"
    name, _ = _figure_colname(_index_element_core(element))
    return name or "expr"


def _index_element_core(element: list[Token]) -> list[Token]:
    """The expression or column of an index element, without opclass/ordering."""
    if element[0].is_ident:
        j = read_name(element, 0)[1]
        if j < len(element) and element[j].is_punct("("):
            return element[: matching_paren(element, j) + 1]
        return element[:j]
    return element


_FIGURE_WORDS = {
    "COALESCE": "coalesce",
    "GREATEST": "greatest",
    "LEAST": "least",
    "NULLIF": "nullif",
    "ROW": "row",
    "ARRAY": "array",
    "EXISTS": "exists",
}
_INTERNAL_TYPE_NAMES = {
    "integer": "int4",
    "int": "int4",
    "smallint": "int2",
    "bigint": "int8",
    "real": "float4",
    "float": "float8",
    "double": "float8",
    "boolean": "bool",
    "decimal": "numeric",
    "character": "bpchar",
    "char": "bpchar",
    "varchar": "varchar",
    "timestamptz": "timestamptz",
}


def _figure_colname(tokens: list[Token]) -> tuple[str | None, int]:
    """PostgreSQL's FigureColnameInternal for the shapes index expressions take:
    (name, strength), strength 2 for a column or function name, 1 for a guess."""
    while (
        len(tokens) >= 2
        and tokens[0].is_punct("(")
        and matching_paren(tokens, 0) == len(tokens) - 1
    ):
        tokens = tokens[1:-1]
    if not tokens:
        return None, 0
    cast = _last_cast(tokens)
    if cast is not None:
        inner, type_tokens = tokens[:cast], tokens[cast + 1 :]
        name, strength = _figure_colname(inner)
        if strength > 1:
            return name, strength
        type_name = _cast_type_name(type_tokens)
        return (type_name, 1) if type_name else (name, strength)
    first = tokens[0]
    if first.is_word("CASE"):
        return "case", 1
    if first.kind == WORD and first.upper in _FIGURE_WORDS:
        j = 1
        if (
            j < len(tokens)
            and tokens[j].is_punct("(")
            and matching_paren(tokens, j) == len(tokens) - 1
        ):
            return _FIGURE_WORDS[first.upper], 2
    if first.is_ident:
        names, j = read_name(tokens, 0)
        if j == len(tokens):
            return names[-1], 2
        if tokens[j].is_punct("(") and matching_paren(tokens, j) == len(tokens) - 1:
            return names[-1], 2
    return None, 0


def _last_cast(tokens: list[Token]) -> int | None:
    """Index of a top-level ``::`` whose type runs to the end."""
    depth = 0
    found = None
    for j, tok in enumerate(tokens):
        if tok.kind == PUNCT and tok.text in "([":
            depth += 1
        elif tok.kind == PUNCT and tok.text in ")]":
            depth -= 1
        elif depth == 0 and tok.kind == OP:
            found = j if tok.text == "::" else None
    return found


def _cast_type_name(tokens: list[Token]) -> str | None:
    words = [t for t in tokens if t.is_ident]
    if not words:
        return None
    first = words[0].name
    if len(words) > 1 and first in ("timestamp", "time"):
        if any(t.is_word("WITH") for t in words):
            return first + "tz"
        return first
    if first == "character" and any(t.is_word("VARYING") for t in words):
        return "varchar"
    if first == "double":
        return "float8"
    return _INTERNAL_TYPE_NAMES.get(first, first)


def _create_sequence(script: _Script, tokens: list[Token], i: int, ctx: _Ctx, temp: bool) -> None:
    created = _new_relation(script, tokens, i, ctx, temp, SEQUENCE)
    if created is None or temp:
        return
    _, name_pos, ref, i = created
    script.emit(PROVIDE, ref, name_pos, ctx)
    _owned_by(script, tokens, i, ctx)


def _owned_by(script: _Script, tokens: list[Token], i: int, ctx: _Ctx) -> None:
    j = _find_word(tokens, i, "OWNED")
    if j == -1 or not _at(tokens, j + 1, "BY") or j + 2 >= len(tokens):
        return
    names, _ = read_name(tokens, j + 2)
    if len(names) >= 2:
        script.emit(REQUIRE, script.relation(names[:-1]), tokens[j + 2].pos, ctx)


def _create_type(script: _Script, tokens: list[Token], i: int, ctx: _Ctx) -> None:
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    name_tok = tokens[i]
    names, i = read_name(tokens, i)
    ref = script.schema_object(names, TYPE)
    script.need_schema(ref, name_tok.pos, ctx)
    n = len(tokens)
    if _at(tokens, i, "AS") and i + 1 < n and tokens[i + 1].is_punct("("):
        close = matching_paren(tokens, i + 1)
        for attribute in split_at(tokens[i + 2 : close], ","):
            if len(attribute) > 1:
                end = _type_end(attribute, 1, frozenset({"COLLATE"}))
                script.type_of(attribute[1:end], ctx)
    elif _at(tokens, i, "AS", "RANGE") and i + 2 < n:
        close = matching_paren(tokens, i + 2)
        for option in split_at(tokens[i + 3 : close], ","):
            if option and option[0].is_word("SUBTYPE") and len(option) > 2:
                script.type_of(option[2:], ctx)
        script.emit(PROVIDE, ref, name_tok.pos, ctx)
        if ref is not None:
            multirange = ObjectRef(TYPE, ref.schema, multirange_name(ref.name))
            script.emit(PROVIDE, multirange, name_tok.pos, ctx)
        return
    script.emit(PROVIDE, ref, name_tok.pos, ctx)


def _create_domain(script: _Script, tokens: list[Token], i: int, ctx: _Ctx) -> None:
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    name_tok = tokens[i]
    names, i = read_name(tokens, i)
    ref = script.schema_object(names, DOMAIN)
    script.need_schema(ref, name_tok.pos, ctx)
    i = _skip_words(tokens, i, "AS")
    end = _type_end(tokens, i, _COLUMN_STOPS)
    script.type_of(tokens[i:end], ctx)
    script.expression_refs(tokens[end:], ctx)
    script.emit(PROVIDE, ref, name_tok.pos, ctx)


def _create_schema(script: _Script, tokens: list[Token], i: int, ctx: _Ctx) -> None:
    i = _if_not_exists(tokens, i)
    if _at(tokens, i, "AUTHORIZATION"):
        i += 1
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    script.emit(PROVIDE, ObjectRef(SCHEMA, None, tokens[i].name), tokens[i].pos, ctx)


def _create_extension(script: _Script, tokens: list[Token], i: int, ctx: _Ctx) -> None:
    i = _if_not_exists(tokens, i)
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    name_tok = tokens[i]
    j = _find_word(tokens, i + 1, "SCHEMA")
    if j != -1 and j + 1 < len(tokens) and tokens[j + 1].is_ident:
        schema = tokens[j + 1].name
        if schema not in BUILTIN_SCHEMAS:
            script.emit(REQUIRE, ObjectRef(SCHEMA, None, schema), tokens[j + 1].pos, ctx)
    script.emit(PROVIDE, ObjectRef(EXTENSION, None, name_tok.name), name_tok.pos, ctx)


def _create_policy_or_rule(
    script: _Script, tokens: list[Token], i: int, ctx: _Ctx, kind: str
) -> None:
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    name_tok = tokens[i]
    word = "ON" if kind == POLICY else "TO"
    j = _find_word(tokens, i + 1, word)
    if j == -1 or j + 1 >= len(tokens):
        return
    table = script.relation(read_name(tokens, j + 1)[0])
    script.emit(REQUIRE, table, tokens[j + 1].pos, ctx)
    hidden = frozenset({"new", "old"}) if kind == RULE else frozenset()
    script.query(tokens[j + 2 :], ctx, hidden)
    if table is not None:
        ref = ObjectRef(kind, table.schema, name_tok.name, table=table.qualified)
        script.emit(PROVIDE, ref, name_tok.pos, ctx, parent=table.qualified)


# --- CREATE FUNCTION / PROCEDURE / TRIGGER -------------------------------------------


def _create_routine(script: _Script, tokens: list[Token], i: int, ctx: _Ctx, kind: str) -> None:
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    name_tok = tokens[i]
    names, i = read_name(tokens, i)
    if i >= len(tokens) or not tokens[i].is_punct("("):
        return
    close = matching_paren(tokens, i)
    args = _signature(script, tokens[i + 1 : close], ctx, kind, require=True)
    resolved = script.resolve(names)
    if resolved is None:
        return
    ref = ObjectRef(kind, resolved[0], resolved[1], args=args)
    script.need_schema(ref, name_tok.pos, ctx)
    rest = tokens[close + 1 :]
    _routine_returns(script, rest, ctx)
    language = _routine_language(rest)
    _routine_body(script, rest, language, ctx)
    script.emit(PROVIDE, ref, name_tok.pos, ctx)


def _signature(
    script: _Script, tokens: list[Token], ctx: _Ctx, kind: str, *, require: bool
) -> str | None:
    """The normalized argument types of a routine's parameter list."""
    shown: list[str] = []
    unknown = False
    for arg in split_at(tokens, ","):
        mode = "IN"
        if arg and arg[0].is_word("IN", "OUT", "INOUT", "VARIADIC"):
            mode = arg[0].upper
            arg = arg[1:]
        default = next(
            (
                k
                for k, t in enumerate(arg)
                if t.is_word("DEFAULT") or (t.kind == OP and t.text == "=")
            ),
            len(arg),
        )
        arg = arg[:default]
        if len(arg) >= 2 and arg[1].is_word("IN", "OUT", "INOUT", "VARIADIC"):
            mode = arg[1].upper
            arg = [arg[0], *arg[2:]]
        type_tokens = arg[1:] if _has_parameter_name(arg) else arg
        info = script.type_of(type_tokens, ctx, require=require)
        if mode == "OUT" and kind == FUNCTION:
            continue
        if info.display is None:
            unknown = True
        else:
            shown.append(info.display)
    return None if unknown else ", ".join(shown)


def _has_parameter_name(arg: list[Token]) -> bool:
    if len(arg) < 2 or not arg[0].is_ident:
        return False
    second = arg[1]
    if second.is_punct(".") or second.is_punct("(") or second.is_punct("["):
        return False
    if second.kind == OP:
        return False
    if second.is_word("ARRAY"):
        return False
    if arg[0].kind == WORD and second.kind == WORD:
        continuations = TYPE_CONTINUATIONS.get(arg[0].name, frozenset())
        if second.name in continuations:
            return False
    return True


def _routine_returns(script: _Script, rest: list[Token], ctx: _Ctx) -> None:
    j = _find_word(rest, 0, "RETURNS")
    if j == -1 or j + 1 >= len(rest):
        return
    if rest[j + 1].is_word("TABLE") and j + 2 < len(rest):
        close = matching_paren(rest, j + 2)
        for column in split_at(rest[j + 3 : close], ","):
            if len(column) > 1:
                script.type_of(column[1:], ctx)
        return
    end = j + 1
    while end < len(rest) and not (
        rest[end].kind == WORD and rest[end].upper in _ROUTINE_OPTION_WORDS - {"SET"}
    ):
        if rest[end].is_punct("("):
            end = matching_paren(rest, end)
        end += 1
    script.type_of(rest[j + 1 : end], ctx)


def _routine_language(rest: list[Token]) -> str:
    j = _find_word(rest, 0, "LANGUAGE")
    if j != -1 and j + 1 < len(rest):
        tok = rest[j + 1]
        return tok.text.lower() if tok.kind in (STRING, QIDENT) else tok.name
    return "sql"  # the default for SQL-standard bodies (BEGIN ATOMIC, RETURN)


def _routine_body(script: _Script, rest: list[Token], language: str, ctx: _Ctx) -> None:
    """Requirements of a body PostgreSQL checks at creation (SQL language only)."""
    if language != "sql":
        return
    body_ctx = replace(ctx, body=True, plpgsql=False)
    atomic = _find_word(rest, 0, "BEGIN")
    if atomic != -1 and _at(rest, atomic + 1, "ATOMIC"):
        _body_statements(script, rest[atomic + 2 :], body_ctx, always=True)
        return
    ret = _find_word(rest, 0, "RETURN")
    if ret != -1 and not _at(rest, ret + 1, "NEXT") and not _at(rest, ret + 1, "QUERY"):
        script.query(rest[ret + 1 :], body_ctx)
        return
    as_at = _find_word(rest, 0, "AS")
    if as_at == -1 or as_at + 1 >= len(rest) or rest[as_at + 1].kind not in (STRING, DOLLAR):
        return
    if not script.check_function_bodies:
        return
    body = rest[as_at + 1]
    inner = tokenize(ctx.statement.text, body.body_pos, body.body_end)
    if body.kind == STRING and "''" in ctx.statement.text[body.body_pos : body.body_end]:
        inner = tokenize(body.text)  # escaped quotes: positions only approximate
        inner = [replace(t, pos=body.body_pos) for t in inner]
    _body_statements(script, inner, body_ctx, always=False)


_UTILITY_HEADS = frozenset(
    [
        "CREATE",
        "ALTER",
        "DROP",
        "GRANT",
        "REVOKE",
        "COMMENT",
        "TRUNCATE",
        "SET",
        "RESET",
        "DO",
        "CALL",
        "COPY",
        "REFRESH",
        "LOCK",
        "VACUUM",
        "ANALYZE",
        "CLUSTER",
        "REINDEX",
    ]
)


def _body_statements(script: _Script, tokens: list[Token], ctx: _Ctx, *, always: bool) -> None:
    statements = split_at(tokens, ";")
    if statements and statements[-1] and statements[-1][-1].is_word("END"):
        statements[-1] = statements[-1][:-1]
    statements = [s for s in statements if s]
    # PostgreSQL only checks a SQL body whose statements are all queries: a
    # utility statement could create what the later ones use.
    if not always and any(s[0].kind == WORD and s[0].upper in _UTILITY_HEADS for s in statements):
        return
    for statement in statements:
        script.query(statement, ctx)


def _create_trigger(script: _Script, tokens: list[Token], i: int, ctx: _Ctx) -> None:
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    name_tok = tokens[i]
    on = _find_word(tokens, i + 1, "ON")
    if on == -1 or on + 1 >= len(tokens):
        return
    table_names, j = read_name(tokens, on + 1)
    table = script.relation(table_names)
    script.emit(REQUIRE, table, tokens[on + 1].pos, ctx)
    if _at(tokens, j, "FROM") and j + 1 < len(tokens):
        script.emit(REQUIRE, script.relation(read_name(tokens, j + 1)[0]), tokens[j + 1].pos, ctx)
    execute = _find_word(tokens, j, "EXECUTE")
    if execute != -1:
        _require_routine(script, tokens, execute + 2, ctx, args="")
    if table is not None:
        ref = ObjectRef(TRIGGER, table.schema, name_tok.name, table=table.qualified)
        script.emit(PROVIDE, ref, name_tok.pos, ctx, parent=table.qualified)


def _require_routine(
    script: _Script, tokens: list[Token], i: int, ctx: _Ctx, *, args: str | None
) -> None:
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    names, _ = read_name(tokens, i)
    resolved = script.resolve(names)
    if resolved is None or resolved[0] in CATALOG_SCHEMAS:
        return
    ref = ObjectRef(FUNCTION, resolved[0], resolved[1], args=args)
    script.emit(REQUIRE, ref, tokens[i].pos, ctx)


# --- ALTER -------------------------------------------------------------------------

_ALTER_RELATION_KINDS = {
    ("TABLE",): TABLE,
    ("VIEW",): VIEW,
    ("MATERIALIZED", "VIEW"): MATVIEW,
    ("INDEX",): INDEX,
    ("SEQUENCE",): SEQUENCE,
    ("FOREIGN", "TABLE"): FOREIGN_TABLE,
}


def _alter(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    for words, kind in _ALTER_RELATION_KINDS.items():
        if _at(tokens, 1, *words):
            _alter_relation(script, tokens, 1 + len(words), ctx, kind)
            return
    if len(tokens) < 3:
        return
    word = tokens[1].upper
    if word in ("TYPE", "DOMAIN"):
        _alter_type(script, tokens, ctx, TYPE if word == "TYPE" else DOMAIN)
    elif word in ("FUNCTION", "PROCEDURE", "ROUTINE"):
        _alter_routine(script, tokens, ctx, PROCEDURE if word == "PROCEDURE" else FUNCTION)
    elif word == "SCHEMA":
        _alter_unqualified(script, tokens, ctx, SCHEMA)
    elif word == "EXTENSION":
        _alter_unqualified(script, tokens, ctx, EXTENSION)
    elif word in ("TRIGGER", "POLICY"):
        _alter_table_scoped(script, tokens, ctx, TRIGGER if word == "TRIGGER" else POLICY)
    elif word == "DEFAULT" and _at(tokens, 2, "PRIVILEGES"):
        j = _find_word(tokens, 3, "SCHEMA")
        if j != -1 and j + 1 < len(tokens):
            for tok in split_first_idents(tokens[j + 1 :]):
                if tok.name not in BUILTIN_SCHEMAS:
                    script.emit(REQUIRE, ObjectRef(SCHEMA, None, tok.name), tok.pos, ctx)


def _alter_relation(script: _Script, tokens: list[Token], i: int, ctx: _Ctx, kind: str) -> None:
    if _at(tokens, i, "ALL", "IN"):
        return
    if_exists, i = _if_exists(tokens, i)
    i = _skip_words(tokens, i, "ONLY")
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    name_tok = tokens[i]
    names, i = read_name(tokens, i)
    ref = script.relation(names, kind)
    if ref is None:
        return
    if i < len(tokens) and tokens[i].kind == OP and tokens[i].text == "*":
        i += 1
    actions = split_at(tokens[i:], ",")
    renamed = _relation_rename(script, ref, actions, name_tok, ctx, if_exists)
    if renamed:
        return
    script.emit(ALTER, ref, name_tok.pos, ctx, if_exists=if_exists)
    build = _TableBuild(ref)
    for action in actions:
        _alter_action(script, build, action, ctx)


def _relation_rename(
    script: _Script,
    ref: ObjectRef,
    actions: list[list[Token]],
    name_tok: Token,
    ctx: _Ctx,
    if_exists: bool,
) -> bool:
    """RENAME TO / SET SCHEMA of a relation; True when that was the action."""
    if len(actions) != 1:
        return False
    action = actions[0]
    new: ObjectRef | None = None
    if _at(action, 0, "RENAME", "TO") and len(action) > 2:
        new = replace(ref, name=action[2].name)
    elif _at(action, 0, "SET", "SCHEMA") and len(action) > 2:
        schema = action[2].name
        if schema not in BUILTIN_SCHEMAS:
            script.emit(REQUIRE, ObjectRef(SCHEMA, None, schema), action[2].pos, ctx)
        new = replace(ref, schema=schema)
    if new is None:
        return False
    script.emit(RENAME, ref, name_tok.pos, ctx, new=new, if_exists=if_exists)
    return True


def _alter_action(script: _Script, build: _TableBuild, action: list[Token], ctx: _Ctx) -> None:
    table = build.ref
    if table is None or not action:
        return
    head = action[0].upper
    if head == "ADD":
        _alter_add(script, build, action, ctx)
    elif head == "DROP":
        _alter_drop(script, table, action, ctx)
    elif head == "RENAME":
        _alter_rename(script, table, action, ctx)
    elif head == "ALTER":
        _alter_column(script, build, action, ctx)
    elif head in ("ATTACH", "DETACH") and _at(action, 1, "PARTITION") and len(action) > 2:
        child = script.relation(read_name(action, 2)[0])
        script.emit(REQUIRE, child, action[2].pos, ctx)
    elif head in ("INHERIT", "NO") and len(action) > 1:
        at = 1 if head == "INHERIT" else 2
        if at < len(action):
            parent = script.relation(read_name(action, at)[0])
            script.emit(REQUIRE, parent, action[at].pos, ctx)
    elif head in ("ENABLE", "DISABLE"):
        j = _find_word(action, 1, "TRIGGER")
        if j != -1 and j + 1 < len(action) and not action[j + 1].is_word("ALL", "USER"):
            trigger = ObjectRef(TRIGGER, table.schema, action[j + 1].name, table=table.qualified)
            script.emit(REQUIRE, trigger, action[j + 1].pos, ctx)
    elif head == "OWNED" and _at(action, 1, "BY"):
        _owned_by(script, action, 0, ctx)
    else:
        script.expression_refs(action, ctx)


def _alter_add(script: _Script, build: _TableBuild, action: list[Token], ctx: _Ctx) -> None:
    table = build.ref
    assert table is not None
    j = 1
    if j < len(action) and action[j].kind == WORD and action[j].upper in _TABLE_CONSTRAINT_HEADS:
        if action[j].is_word("LIKE"):
            return
        _table_constraint(script, build, action[j:], ctx)
        return
    j = _skip_words(action, j, "COLUMN")
    j = _if_not_exists(action, j)
    if j >= len(action) or not action[j].is_ident:
        return
    column = action[j:]
    end = _type_end(column, 1, _COLUMN_STOPS)
    info = script.type_of(column[1:end], ctx)
    build.columns.append(column[0].name)
    script.emit(
        PROVIDE, _column_ref(table, column[0].name), column[0].pos, ctx, parent=table.qualified
    )
    _column_constraints(script, build, column, info, ctx)


def _alter_drop(script: _Script, table: ObjectRef, action: list[Token], ctx: _Ctx) -> None:
    constraint = _at(action, 1, "CONSTRAINT")
    j = 2 if constraint or _at(action, 1, "COLUMN") else 1
    if_exists, j = _if_exists(action, j)
    if j >= len(action) or not action[j].is_ident:
        return
    cascade = any(t.is_word("CASCADE") for t in action[j + 1 :])
    name = action[j].name
    ref = _constraint_ref(table, name) if constraint else _column_ref(table, name)
    script.emit(
        DROP,
        ref,
        action[j].pos,
        ctx,
        if_exists=if_exists,
        cascade=cascade,
        parent=table.qualified,
    )


def _alter_rename(script: _Script, table: ObjectRef, action: list[Token], ctx: _Ctx) -> None:
    constraint = _at(action, 1, "CONSTRAINT")
    j = 2 if constraint or _at(action, 1, "COLUMN") else 1
    if j + 2 >= len(action) or not action[j + 1].is_word("TO"):
        return
    old, new = action[j].name, action[j + 2].name
    make = _constraint_ref if constraint else _column_ref
    script.emit(
        RENAME, make(table, old), action[j].pos, ctx, new=make(table, new), parent=table.qualified
    )


def _alter_column(script: _Script, build: _TableBuild, action: list[Token], ctx: _Ctx) -> None:
    j = _skip_words(action, 1, "COLUMN")
    if j >= len(action):
        return
    column_tok = action[j]
    type_at = _find_word(action, j + 1, "TYPE")
    if type_at != -1:
        end = _type_end(action, type_at + 1, _COLUMN_STOPS)
        script.type_of(action[type_at + 1 : end], ctx)
    if _find_word(action, j + 1, "IDENTITY") != -1 and _at(action, j + 1, "ADD"):
        _implicit_sequence(script, build, column_tok.name, column_tok.pos, ctx)
    script.expression_refs(action, ctx)


def _alter_type(script: _Script, tokens: list[Token], ctx: _Ctx, kind: str) -> None:
    if_exists, i = _if_exists(tokens, 2)
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    name_tok = tokens[i]
    names, i = read_name(tokens, i)
    ref = script.schema_object(names, kind)
    if ref is None:
        return
    if _at(tokens, i, "RENAME", "TO") and i + 2 < len(tokens):
        new = replace(ref, name=tokens[i + 2].name)
        script.emit(RENAME, ref, name_tok.pos, ctx, new=new, if_exists=if_exists)
        return
    if _at(tokens, i, "SET", "SCHEMA") and i + 2 < len(tokens):
        new = replace(ref, schema=tokens[i + 2].name)
        script.emit(RENAME, ref, name_tok.pos, ctx, new=new, if_exists=if_exists)
        return
    script.emit(ALTER, ref, name_tok.pos, ctx, if_exists=if_exists)
    if _at(tokens, i, "ADD", "ATTRIBUTE") or _at(tokens, i, "ALTER", "ATTRIBUTE"):
        type_at = i + 3 if tokens[i].is_word("ADD") else _find_word(tokens, i + 3, "TYPE") + 1
        if type_at > 0:
            end = _type_end(tokens, type_at, frozenset({"COLLATE", "CASCADE", "RESTRICT"}))
            script.type_of(tokens[type_at:end], ctx)


def _alter_routine(script: _Script, tokens: list[Token], ctx: _Ctx, kind: str) -> None:
    if_exists, i = _if_exists(tokens, 2)
    ref, i = _routine_ref(script, tokens, i, ctx, kind)
    if ref is None:
        return
    pos = tokens[2 if not if_exists else 4].pos
    if _at(tokens, i, "RENAME", "TO") and i + 2 < len(tokens):
        new = replace(ref, name=tokens[i + 2].name)
        script.emit(RENAME, ref, pos, ctx, new=new, if_exists=if_exists)
    elif _at(tokens, i, "SET", "SCHEMA") and i + 2 < len(tokens):
        new = replace(ref, schema=tokens[i + 2].name)
        script.emit(RENAME, ref, pos, ctx, new=new, if_exists=if_exists)
    else:
        script.emit(ALTER, ref, pos, ctx, if_exists=if_exists)


def _routine_ref(
    script: _Script, tokens: list[Token], i: int, ctx: _Ctx, kind: str
) -> tuple[ObjectRef | None, int]:
    """``name`` or ``name(args)`` at ``i``: the routine and the index after it."""
    if i >= len(tokens) or not tokens[i].is_ident:
        return None, i
    names, i = read_name(tokens, i)
    args = None
    if i < len(tokens) and tokens[i].is_punct("("):
        close = matching_paren(tokens, i)
        args = _signature(script, tokens[i + 1 : close], ctx, kind, require=False)
        i = close + 1
    resolved = script.resolve(names)
    if resolved is None or resolved[0] in CATALOG_SCHEMAS:
        return None, i
    return ObjectRef(kind, resolved[0], resolved[1], args=args), i


def _alter_unqualified(script: _Script, tokens: list[Token], ctx: _Ctx, kind: str) -> None:
    if_exists, i = _if_exists(tokens, 2)
    if i >= len(tokens) or not tokens[i].is_ident:
        return
    ref = ObjectRef(kind, None, tokens[i].name)
    if kind == SCHEMA and _at(tokens, i + 1, "RENAME", "TO") and i + 3 < len(tokens):
        new = ObjectRef(kind, None, tokens[i + 3].name)
        script.emit(RENAME, ref, tokens[i].pos, ctx, new=new)
        return
    script.emit(ALTER, ref, tokens[i].pos, ctx, if_exists=if_exists)


def _alter_table_scoped(script: _Script, tokens: list[Token], ctx: _Ctx, kind: str) -> None:
    if_exists, i = _if_exists(tokens, 2)
    if i + 2 >= len(tokens) or not tokens[i].is_ident or not tokens[i + 1].is_word("ON"):
        return
    table_names, j = read_name(tokens, i + 2)
    table = script.relation(table_names)
    if table is None:
        return
    ref = ObjectRef(kind, table.schema, tokens[i].name, table=table.qualified)
    if _at(tokens, j, "RENAME", "TO") and j + 2 < len(tokens):
        new = replace(ref, name=tokens[j + 2].name)
        script.emit(RENAME, ref, tokens[i].pos, ctx, new=new, parent=table.qualified)
        return
    script.emit(ALTER, ref, tokens[i].pos, ctx, if_exists=if_exists, parent=table.qualified)


# --- DROP ---------------------------------------------------------------------------

_DROP_KINDS = {
    **_ALTER_RELATION_KINDS,
    ("TYPE",): TYPE,
    ("DOMAIN",): DOMAIN,
    ("SCHEMA",): SCHEMA,
    ("EXTENSION",): EXTENSION,
    ("FUNCTION",): FUNCTION,
    ("PROCEDURE",): PROCEDURE,
    ("ROUTINE",): FUNCTION,
    ("TRIGGER",): TRIGGER,
    ("POLICY",): POLICY,
    ("RULE",): RULE,
}


def _drop(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    found = _kind_at(tokens, 1, _DROP_KINDS)
    if found is None:
        return
    kind, width = found
    i = _skip_words(tokens, 1 + width, "CONCURRENTLY")
    if_exists, i = _if_exists(tokens, i)
    cascade = any(t.is_word("CASCADE") for t in tokens[i:])
    items = tokens[i:]
    while items and items[-1].is_word("CASCADE", "RESTRICT"):
        items = items[:-1]
    flags = {"if_exists": if_exists, "cascade": cascade}
    if kind in (TRIGGER, POLICY, RULE):
        if len(items) >= 3 and items[1].is_word("ON"):
            table = script.relation(read_name(items, 2)[0])
            if table is not None:
                ref = ObjectRef(kind, table.schema, items[0].name, table=table.qualified)
                script.emit(DROP, ref, items[0].pos, ctx, parent=table.qualified, **flags)
        return
    for item in split_at(items, ","):
        if not item or not item[0].is_ident:
            continue
        if kind in (SCHEMA, EXTENSION):
            ref: ObjectRef | None = ObjectRef(kind, None, item[0].name)
        elif kind in (FUNCTION, PROCEDURE):
            ref, _ = _routine_ref(script, item, 0, ctx, kind)
        elif kind in (TYPE, DOMAIN):
            ref = script.schema_object(read_name(item, 0)[0], kind)
        else:
            ref = script.relation(read_name(item, 0)[0], kind)
        script.emit(DROP, ref, item[0].pos, ctx, **flags)
        if ref is not None and ref.schema is not None:
            script.relation_names.get(ref.schema, set()).discard(ref.name)


# --- COMMENT, GRANT, TRUNCATE, COPY, CALL, LOCK, REFRESH, SET ----------------------------

_COMMENT_KINDS = {**_DROP_KINDS, ("COLUMN",): COLUMN, ("CONSTRAINT",): CONSTRAINT}


def _comment(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    if not _at(tokens, 1, "ON"):
        return
    found = _kind_at(tokens, 2, _COMMENT_KINDS)
    if found is None:
        return
    kind, width = found
    i = 2 + width
    if i >= len(tokens):
        return
    _require_named(script, tokens, i, ctx, kind)


def _require_named(script: _Script, tokens: list[Token], i: int, ctx: _Ctx, kind: str) -> None:
    """Require the object of ``kind`` named at ``i`` (as COMMENT ON writes it)."""
    tok = tokens[i]
    if kind in (SCHEMA, EXTENSION):
        script.emit(REQUIRE, ObjectRef(kind, None, tok.name), tok.pos, ctx)
    elif kind in (FUNCTION, PROCEDURE):
        ref, _ = _routine_ref(script, tokens, i, ctx, kind)
        script.emit(REQUIRE, ref, tok.pos, ctx)
    elif kind == COLUMN:
        names, _ = read_name(tokens, i)
        if len(names) >= 2:
            script.emit(REQUIRE, script.relation(names[:-1]), tok.pos, ctx)
    elif kind in (TRIGGER, POLICY, RULE, CONSTRAINT):
        if i + 2 < len(tokens) and tokens[i + 1].is_word("ON"):
            table = script.relation(read_name(tokens, i + 2)[0])
            if kind == CONSTRAINT or table is None:
                script.emit(REQUIRE, table, tokens[i + 2].pos, ctx)
            else:
                ref = ObjectRef(kind, table.schema, tok.name, table=table.qualified)
                script.emit(REQUIRE, ref, tok.pos, ctx)
    elif kind in (TYPE, DOMAIN):
        script.emit(REQUIRE, script.schema_object(read_name(tokens, i)[0], kind), tok.pos, ctx)
    else:
        script.emit(REQUIRE, script.relation(read_name(tokens, i)[0], kind), tok.pos, ctx)


_GRANT_KINDS = {
    "TABLE": TABLE,
    "SEQUENCE": SEQUENCE,
    "FUNCTION": FUNCTION,
    "PROCEDURE": PROCEDURE,
    "ROUTINE": FUNCTION,
    "SCHEMA": SCHEMA,
    "TYPE": TYPE,
    "DOMAIN": DOMAIN,
}


def _grant(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    on = _find_word(tokens, 1, "ON")
    if on == -1 or on + 1 >= len(tokens):
        return
    end_word = "TO" if tokens[0].is_word("GRANT") else "FROM"
    end = _find_word(tokens, on + 1, end_word)
    target = tokens[on + 1 : end if end != -1 else len(tokens)]
    if not target:
        return
    if target[0].is_word("ALL") and len(target) > 1 and target[1].upper.endswith("S"):
        j = _find_word(target, 1, "SCHEMA")
        for tok in split_first_idents(target[j + 1 :]) if j != -1 else []:
            if tok.name not in BUILTIN_SCHEMAS:
                script.emit(REQUIRE, ObjectRef(SCHEMA, None, tok.name), tok.pos, ctx)
        return
    kind = TABLE
    if target[0].kind == WORD and target[0].upper in _GRANT_KINDS:
        kind = _GRANT_KINDS[target[0].upper]
        target = target[1:]
    elif target[0].is_word("DATABASE", "LANGUAGE", "LARGE", "TABLESPACE", "FOREIGN", "PARAMETER"):
        return
    for item in split_at(target, ","):
        if item and item[0].is_ident:
            _require_named(script, item, 0, ctx, kind)


def _truncate(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    i = _skip_words(tokens, 1, "TABLE")
    items = tokens[i:]
    stop = _find_word(items, 0, "RESTART", "CONTINUE", "CASCADE", "RESTRICT")
    if stop != -1:
        items = items[:stop]
    for item in split_at(items, ","):
        item = item[1:] if item and item[0].is_word("ONLY") else item
        if item and item[0].is_ident:
            script.emit(REQUIRE, script.relation(read_name(item, 0)[0]), item[0].pos, ctx)


def _copy(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    if len(tokens) < 2:
        return
    if tokens[1].is_punct("("):
        script.query(tokens[2 : matching_paren(tokens, 1)], ctx)
    elif tokens[1].is_ident:
        script.emit(REQUIRE, script.relation(read_name(tokens, 1)[0]), tokens[1].pos, ctx)


def _call(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    if len(tokens) < 2 or not tokens[1].is_ident:
        return
    names, _ = read_name(tokens, 1)
    resolved = script.resolve(names)
    if resolved is not None and resolved[0] not in CATALOG_SCHEMAS:
        script.emit(REQUIRE, ObjectRef(PROCEDURE, resolved[0], resolved[1]), tokens[1].pos, ctx)
    script.expression_refs(tokens, ctx)


def _lock(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    i = _skip_words(tokens, 1, "TABLE", "ONLY")
    stop = _find_word(tokens, i, "IN", "NOWAIT")
    for item in split_at(tokens[i : stop if stop != -1 else len(tokens)], ","):
        if item and item[0].is_ident:
            script.emit(REQUIRE, script.relation(read_name(item, 0)[0]), item[0].pos, ctx)


def _refresh(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    if not _at(tokens, 1, "MATERIALIZED", "VIEW"):
        return
    i = _skip_words(tokens, 3, "CONCURRENTLY")
    if i < len(tokens) and tokens[i].is_ident:
        ref = script.relation(read_name(tokens, i)[0], MATVIEW)
        script.emit(REQUIRE, ref, tokens[i].pos, ctx)


def _set(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    i = _skip_words(tokens, 1, "SESSION", "LOCAL")
    if i >= len(tokens):
        return
    setting = tokens[i].text.lower()
    values = tokens[i + 2 :] if i + 1 < len(tokens) else []
    if setting == "search_path":
        if values and values[0].is_word("DEFAULT"):
            script.set_search_path(["public"])
            return
        schemas = []
        for part in split_at(values, ","):
            if part and part[0].kind in (WORD, QIDENT, STRING):
                schemas.append(part[0].name if part[0].kind != STRING else part[0].text)
        script.set_search_path(schemas)
    elif setting == "check_function_bodies" and values:
        script.check_function_bodies = values[0].text.lower() not in ("false", "off", "0", "no")


def _reset(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    if _at(tokens, 1, "SEARCH_PATH") or _at(tokens, 1, "ALL"):
        script.set_search_path(["public"])


def _query_statement(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    script.query(tokens, ctx)


def _explain(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    j = next((k for k, t in enumerate(tokens) if t.is_word(*_QUERY_HEADS)), -1)
    if j > 0:
        script.query(tokens[j:], ctx)


# --- DO blocks -------------------------------------------------------------------------


def _do(script: _Script, tokens: list[Token], ctx: _Ctx) -> None:
    body = next((t for t in tokens[1:] if t.kind in (DOLLAR, STRING)), None)
    if body is None:
        return
    language = "plpgsql"
    j = _find_word(tokens, 1, "LANGUAGE")
    if j != -1 and j + 1 < len(tokens):
        language = tokens[j + 1].name if tokens[j + 1].is_ident else tokens[j + 1].text.lower()
    if language != "plpgsql":
        return
    inner = _body_tokens(ctx, body)
    _PlpgsqlWalker(script, replace(ctx, plpgsql=True)).walk(inner)


def _body_tokens(ctx: _Ctx, body: Token) -> list[Token]:
    raw = ctx.statement.text[body.body_pos : body.body_end]
    if body.kind == STRING and raw != body.text:
        # Quotes doubled inside a quoted body: read the unescaped text, keeping
        # positions near the body so lines stay right.
        return [replace(t, pos=body.body_pos + min(t.pos, len(raw))) for t in tokenize(body.text)]
    return tokenize(ctx.statement.text, body.body_pos, body.body_end)


_QUIET_RAISE_LEVELS = frozenset({"NOTICE", "WARNING", "INFO", "LOG", "DEBUG"})
_NOTHING_STATEMENTS = frozenset(
    {"NULL", "EXIT", "CONTINUE", "GET", "CLOSE", "FETCH", "MOVE", "COMMIT", "ROLLBACK"}
)
_QUERY_HEADS = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE")


class _PlpgsqlWalker:
    """Follows a PL/pgSQL block: control flow, guards and the SQL it runs."""

    def __init__(self, script: _Script, ctx: _Ctx) -> None:
        self.script = script
        self.ctx = ctx
        self.frames: list[_Frame] = []

    def work_done(self) -> int:
        return len(self.script.effects) + self.script.dynamic_count

    def current_ctx(self) -> _Ctx:
        guarded = self.ctx.guarded or any(
            f.if_frame is not None and f.if_frame.guards_current_branch() for f in self.frames
        )
        return replace(self.ctx, guarded=guarded)

    def innermost_if(self) -> _IfFrame | None:
        for frame in reversed(self.frames):
            if frame.kind == "if":
                return frame.if_frame
            if frame.kind == "block":
                return None
        return None

    def walk(self, tokens: list[Token]) -> None:
        i = 0
        n = len(tokens)
        while i < n:
            tok = tokens[i]
            word = tok.upper
            if tok.kind == OP and tok.text.startswith("<<"):
                i = self._after_label(tokens, i)
            elif word == "DECLARE":
                begin = _find_word(tokens, i + 1, "BEGIN")
                self.script.expression_refs(tokens[i + 1 : begin], self.current_ctx())
                i = begin if begin != -1 else n
            elif word == "BEGIN":
                self.frames.append(_Frame("block"))
                i += 1
            elif word == "END":
                i = self._end(tokens, i)
            elif word in ("IF", "ELSIF", "ELSEIF"):
                i = self._if(tokens, i)
            elif word == "ELSE":
                self._else()
                i += 1
            elif word in ("EXCEPTION", "LOOP"):
                if word == "LOOP":
                    self.frames.append(_Frame("loop"))
                i += 1
            elif word == "WHEN":
                then = _find_word(tokens, i + 1, "THEN")
                i = then + 1 if then != -1 else n
            elif word == "CASE":
                self.frames.append(_Frame("case"))
                when = _find_word(tokens, i + 1, "WHEN")
                i = when if when != -1 else n
            elif word in ("FOR", "FOREACH", "WHILE"):
                loop = _find_word(tokens, i + 1, "LOOP")
                stop = loop if loop != -1 else n
                in_at = _find_word(tokens, i + 1, "IN")
                start = in_at + 1 if in_at != -1 and in_at < stop else i + 1
                self.script.query(tokens[start:stop], self.current_ctx())
                self.frames.append(_Frame("loop"))
                i = stop + 1
            else:
                end = _statement_end(tokens, i)
                self.statement(tokens[i:end])
                i = end + 1

    def _after_label(self, tokens: list[Token], i: int) -> int:
        for j in range(i, len(tokens)):
            if tokens[j].kind == OP and tokens[j].text.endswith(">>"):
                return j + 1
        return len(tokens)

    def _end(self, tokens: list[Token], i: int) -> int:
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        wanted = "block"
        if nxt is not None and nxt.is_word("IF", "LOOP", "CASE"):
            wanted = {"IF": "if", "LOOP": "loop", "CASE": "case"}[nxt.upper]
        while self.frames:
            frame = self.frames.pop()
            if frame.kind == "if" and frame.if_frame is not None:
                self._close_if(frame.if_frame)
            if frame.kind == wanted:
                break
        return _statement_end(tokens, i) + 1

    def _if(self, tokens: list[Token], i: int) -> int:
        then = _find_word(tokens, i + 1, "THEN")
        stop = then if then != -1 else len(tokens)
        condition = tokens[i + 1 : stop]
        if tokens[i].is_word("IF"):
            self.script.query(condition, self.current_ctx())
            frame = _IfFrame(
                line=self.ctx.line(tokens[i].pos),
                polarity=_guard_polarity(condition),
                work_at_start=self.work_done(),
            )
            self.frames.append(_Frame("if", frame))
        else:
            self._else()
            self.script.query(condition, self.current_ctx())
        return stop + 1

    def _else(self) -> None:
        frame = self.innermost_if()
        if frame is not None and not frame.in_else:
            frame.in_else = True
            frame.work_at_else = self.work_done()

    def _close_if(self, frame: _IfFrame) -> None:
        if frame.polarity <= 0:
            return
        end = self.work_done()
        else_start = frame.work_at_else if frame.work_at_else is not None else end
        then_work = else_start - frame.work_at_start
        else_work = end - else_start
        if then_work > 0 and else_work == 0 and not frame.else_is_loud:
            self.script.find(
                GUARDED_SKIP,
                frame.line,
                "the work under this existence test is skipped without an error when the "
                "object is missing: the migration then succeeds having done nothing",
                "fail loudly (RAISE EXCEPTION in the ELSE branch) or create the object in "
                "an earlier migration",
                self.ctx,
            )

    def statement(self, tokens: list[Token]) -> None:
        if not tokens:
            return
        ctx = self.current_ctx()
        head = tokens[0].upper
        if head == "RAISE":
            level = tokens[1].upper if len(tokens) > 1 else ""
            frame = self.innermost_if()
            if frame is not None and frame.in_else and level not in _QUIET_RAISE_LEVELS:
                frame.else_is_loud = True
        elif head in _NOTHING_STATEMENTS:
            return
        elif head == "RETURN":
            if _at(tokens, 1, "QUERY"):
                self.script.query(tokens[2:], ctx)
        elif head == "PERFORM":
            self.script.query(tokens[1:], ctx)
        elif head == "EXECUTE":
            self._execute(tokens, ctx)
        elif head in ("OPEN", "ASSERT"):
            self.script.query(tokens[1:], ctx)
        elif len(tokens) > 1 and _is_assignment(tokens):
            self.script.query(tokens, ctx)
        else:
            self.script.run(tokens, ctx)

    def _execute(self, tokens: list[Token], ctx: _Ctx) -> None:
        stop = _find_word(tokens, 1, "INTO", "USING")
        expression = tokens[1 : stop if stop != -1 else len(tokens)]
        if len(expression) == 1 and expression[0].kind in (STRING, DOLLAR):
            inner = _body_tokens(ctx, expression[0])
            for piece in split_at(inner, ";"):
                self.script.run(piece, replace(ctx, plpgsql=False))
            return
        line = ctx.line(tokens[0].pos)
        self.script.dynamic_count += 1
        self.script.dynamic_lines.append(line)
        self.script.find(
            DYNAMIC_SQL,
            line,
            "EXECUTE runs SQL built at run time: what it creates or needs is not checked",
            "prefer static SQL, or check by hand what this statement touches",
            ctx,
        )


def _is_assignment(tokens: list[Token]) -> bool:
    for tok in tokens[:6]:
        if tok.kind == OP and tok.text == ":=":
            return True
    return len(tokens) > 1 and tokens[1].kind == OP and tokens[1].text == "="


def _guard_polarity(condition: list[Token]) -> int:
    """+1 when the condition is true only if a catalog object exists, -1 when
    only if it is missing, 0 when it is not an existence test."""
    words = [t.text.lower() for t in condition if t.kind in (WORD, QIDENT)]
    catalog = any(
        w.startswith("pg_") or w == "information_schema" or w.startswith("to_reg") for w in words
    )
    if not catalog:
        return 0
    for k, tok in enumerate(condition):
        if tok.is_word("NOT") and k + 1 < len(condition) and condition[k + 1].is_word("EXISTS"):
            return -1
        if tok.is_word("IS") and k + 1 < len(condition) and condition[k + 1].is_word("NULL"):
            return -1
    return 1


_HANDLERS = {
    "CREATE": _create,
    "ALTER": _alter,
    "DROP": _drop,
    "COMMENT": _comment,
    "GRANT": _grant,
    "REVOKE": _grant,
    "TRUNCATE": _truncate,
    "COPY": _copy,
    "CALL": _call,
    "LOCK": _lock,
    "REFRESH": _refresh,
    "SET": _set,
    "RESET": _reset,
    "DO": _do,
    "EXPLAIN": _explain,
    **{head: _query_statement for head in _QUERY_HEADS},
}
