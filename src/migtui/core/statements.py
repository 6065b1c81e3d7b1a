"""Splitting a script into statements with exact source spans.

PostgreSQL's own grammar (pglast, libpg_query's PostgreSQL 18 parser) finds
the statements: their boundaries, their parse trees, and whether each is
transaction control or must run outside a transaction. When the grammar
refuses a script, the tolerant path takes over: psql meta-commands and
``COPY … FROM STDIN`` data are blanked, comments and quoted text are masked
(same length, newlines kept) so sqlparse can split what remains without a
semicolon ever hiding in a string, and each piece is parsed alone. A piece the
grammar still refuses keeps PostgreSQL's message, so the analysis can report
it at its line and column while the rest of the script is still read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from migtui.core.grammar import parse_tree, parser
from migtui.core.model import Statement

_BEGIN_KINDS = frozenset({"TRANS_STMT_BEGIN", "TRANS_STMT_START"})
_COMMIT_KINDS = frozenset({"TRANS_STMT_COMMIT"})

_NO_TRANSACTION = re.compile(
    r"""^(
        CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY
      | DROP\s+INDEX\s+CONCURRENTLY
      | REINDEX\b.*\bCONCURRENTLY
      | VACUUM\b
      | CREATE\s+DATABASE\b
      | DROP\s+DATABASE\b
      | ALTER\s+SYSTEM\b
      | CREATE\s+TABLESPACE\b
      | DROP\s+TABLESPACE\b
      | ALTER\s+TABLE\b.*\bDETACH\s+PARTITION\b.*\bCONCURRENTLY
      | CREATE\s+SUBSCRIPTION\b
      | DROP\s+SUBSCRIPTION\b
    )""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\x80-\uffff][A-Za-z_0-9\x80-\uffff]*)?\$")
_GOOSE_BEGIN = re.compile(r"^\s*--\s*\+goose\s+StatementBegin\b", re.IGNORECASE)
_GOOSE_END = re.compile(r"^\s*--\s*\+goose\s+StatementEnd\b", re.IGNORECASE)
#: The line ending a goose or sql-migrate block, which ends its statement
#: whether or not a semicolon does.
_BLOCK_END = re.compile(r"^[ \t]*--[ \t]*\+(?:goose|migrate)[ \t]+StatementEnd\b.*$", re.I | re.M)


class SplitError(ValueError):
    """The text cannot be split: an unterminated quote or comment."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class SplitResult:
    statements: tuple[Statement, ...]
    #: True when the whole script sat inside one BEGIN … COMMIT, which was removed
    #: from ``statements`` (the runner's own transaction takes its place).
    wrapped: bool = False
    #: Lines of the removed BEGIN and COMMIT, for messages.
    wrapper_lines: tuple[int, int] | None = None


def mask(text: str, start_line: int = 1) -> tuple[str, list[tuple[int, int]]]:
    """Blank comments and quoted contents; return the masked text and the
    (start, end) character spans of psql meta-command lines.

    Raises SplitError for a quote or comment that never ends.
    """
    out = list(text)
    meta: list[tuple[int, int]] = []
    n = len(text)
    i = 0
    at_line_start = True

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    def line_at(pos: int) -> int:
        return start_line + text.count("\n", 0, pos)

    while i < n:
        c = text[i]
        if at_line_start and c == "\\":
            end = text.find("\n", i)
            end = n if end == -1 else end
            meta.append((i, end))
            blank(i, end)
            i = end
            continue
        if c == "\n":
            at_line_start = True
            i += 1
            continue
        if c in " \t\r":
            i += 1
            continue
        at_line_start = False
        if c == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            blank(i, end)
            i = end
        elif c == "/" and text.startswith("/*", i):
            j = _comment_end(text, i, n)
            if j is None:
                raise SplitError("block comment /* is never closed", line_at(i))
            blank(i, j)
            i = j
        elif c == "'":
            escapes = i > 0 and text[i - 1] in "eE" and (i < 2 or not _is_ident(text[i - 2]))
            j = i + 1
            while True:
                if j >= n:
                    raise SplitError("string literal ' is never closed", line_at(i))
                if escapes and text[j] == "\\":
                    j += 2
                    continue
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            blank(i + 1, j)
            i = j + 1
        elif c == '"':
            j = text.find('"', i + 1)
            while j != -1 and text.startswith('""', j):
                j = text.find('"', j + 2)
            if j == -1:
                raise SplitError('quoted identifier " is never closed', line_at(i))
            for k in range(i + 1, j):
                if text[k] not in "\n":
                    out[k] = "x"
            i = j + 1
        elif c == "$" and (i == 0 or not _is_ident(text[i - 1])):
            m = _DOLLAR_TAG.match(text, i)
            if not m:
                i += 1
                continue
            tag = m.group(0)
            end = text.find(tag, m.end())
            if end == -1:
                raise SplitError(f"dollar quote {tag} is never closed", line_at(i))
            blank(m.end(), end)
            i = end + len(tag)
        else:
            i += 1
    return "".join(out), meta


def _is_ident(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or ch == "$"


#: Sections larger than this are split by the scanner and parsed statement by
#: statement, so a huge data file never becomes one huge parse tree.
#: psql meta-commands that only print, time or format what psql shows: under
#: migtui, which sends the SQL itself, they change nothing and are passed over.
_PSQL_DISPLAY = frozenset(
    {"echo", "qecho", "warn", "timing", "pset", "a", "t", "x", "H", "f", "C", "T", "o", "out"}
    | {"conninfo", "h", "help", "l", "l+", "list"}
)
#: psql's ``\\d`` commands (``\\dt``, ``\\d+ t``…) describe objects: they only print.
_PSQL_DESCRIBE = re.compile(r"d[A-Za-z]*\+?")
#: psql variables that change which statements run or how a failure is handled:
#: a script that sets them is not run as psql would run it.
_PSQL_BEHAVIOUR = frozenset({"AUTOCOMMIT", "ON_ERROR_ROLLBACK", "SINGLELINE", "SINGLESTEP"})
_PSQL_TRUE = frozenset({"on", "true", "yes", "1", "t", "y", "tr", "tru", "ye", ""})
_PSQL_FALSE = frozenset({"off", "of", "false", "no", "0", "f", "fa", "fal", "fals", "n"})
_PSQL_COMMAND = re.compile(r"\\([A-Za-z+]+)\s*(.*)$", re.S)


def psql_inert(command: str, section: str) -> bool:
    """True for a psql meta-command line that changes nothing when migtui runs
    the file: ``\\set ON_ERROR_STOP on`` (migtui stops at the first error
    anyway), a display setting, an ``\\echo``, or a variable the SQL never
    substitutes. ``section`` is the text it stands in, to look for ``:name``."""
    found = _PSQL_COMMAND.match(command.strip())
    if found is None:
        return False
    name, rest = found.group(1), found.group(2).split()
    if name in _PSQL_DISPLAY or _PSQL_DESCRIBE.fullmatch(name):
        return True
    if name == "encoding":  # the file is read as UTF-8, and sent so
        return len(rest) == 1 and rest[0].replace("-", "").upper() == "UTF8"
    if name not in ("set", "unset") or not rest:
        return False
    variable = rest[0]
    if variable == "ON_ERROR_STOP":
        # stopping at the first error is what migtui does; going on past one is not
        return name == "set" and "".join(rest[1:]).lower() in _PSQL_TRUE
    if variable in _PSQL_BEHAVIOUR:
        # psql's defaults: each statement on its own, errors not rolled back to a savepoint
        value = "".join(rest[1:]).lower()
        default = _PSQL_TRUE if variable == "AUTOCOMMIT" else _PSQL_FALSE
        return name == "unset" or value in default
    # a variable of the script's own, or a display one (ECHO, QUIET, VERBOSITY…):
    # inert unless the SQL substitutes it (``:name``, ``:'name'``, ``:"name"``)
    return re.search(rf"(?<!:):['\"]?{re.escape(variable)}\b", section) is None


_WHOLE_PARSE_LIMIT = 1_000_000
_COPY_FROM_STDIN = re.compile(
    r"\bCOPY\b[^;]*?\bFROM\s+STDIN\b[^;]*;[ \t]*\r?\n", re.IGNORECASE | re.DOTALL
)
_NO_TRANSACTION_NODES = frozenset(
    {
        "VacuumStmt",
        "CreatedbStmt",
        "DropdbStmt",
        "AlterSystemStmt",
        "CreateTableSpaceStmt",
        "DropTableSpaceStmt",
        "CreateSubscriptionStmt",
        "DropSubscriptionStmt",
    }
)
#: Node types that may have to run outside a transaction, depending on options.
_MAYBE_NO_TRANSACTION = _NO_TRANSACTION_NODES | {
    "IndexStmt",
    "DropStmt",
    "ReindexStmt",
    "AlterTableStmt",
}


def split(
    text: str,
    *,
    start_line: int = 1,
    start_offset: int = 0,
    goose: bool = False,
    inner_blocks: bool = False,
) -> SplitResult:
    """Split a script into statements, each with its parse tree.

    With ``inner_blocks=True`` (Prisma, whose generated scripts wrap enum
    changes in their own ``BEGIN; … COMMIT;``), every balanced BEGIN … COMMIT
    inside the script is absorbed like a whole-script one: the runner's one
    transaction takes its place.

    ``start_line``/``start_offset`` place the script in its file, so every
    statement carries file lines and file byte offsets. With ``goose=True``
    (goose, sql-migrate), ``-- +goose StatementBegin`` … ``StatementEnd``
    markers are checked to pair up; the statements inside a block are split
    like any others, so each has its own line, and the block's last one ends
    at its ``StatementEnd``, with or without a semicolon, as the tools end it.

    Raises SplitError for a quote, comment or goose block that never ends.
    """
    ends: set[int] = set()
    if goose:
        _check_goose_blocks(text, start_line)
        ended = _BLOCK_END.sub(_ended, text)
        if ended != text:
            ends = {m.start() for m in _BLOCK_END.finditer(text)}  # (where each ";" is)
            text = ended
    data = text.encode("utf-8")
    pieces = _parse_whole(data) if len(data) <= _WHOLE_PARSE_LIMIT else _parse_large(text)
    if pieces is None:
        pieces = _parse_tolerant(text, start_line)
        if ends:
            _unended(pieces, data, ends)
    return _unwrap(_statements(data, pieces, start_line, start_offset), inner_blocks)


@dataclass
class _Piece:
    start: int  # byte span in the script
    end: int
    category: str = "sql"
    tree: dict | None = None
    tree_base: int = 0
    error: tuple[str, int] | None = None


def _parse_whole(data: bytes) -> list[_Piece] | None:
    """Every statement of a script the grammar accepts whole; None if it refuses."""
    try:
        parsed = parse_tree(data.decode("utf-8"))
    except (parser.ParseError, RecursionError):
        return None
    return _pieces_of(parsed, data, 0, len(data))


#: A data statement: INSERT INTO t [(columns)] VALUES …, without a subquery.
_DATA_INSERT = re.compile(
    r"INSERT\s+INTO\s+(?:\"(?:[^\"]|\"\")+\"|[\w$]+)(?:\s*\.\s*(?:\"(?:[^\"]|\"\")+\"|[\w$]+))?"
    r"\s*(?:\([^()]*\))?\s*VALUES\b",
    re.IGNORECASE,
)
_MERGE_LIMIT = 8


def _parse_large(text: str) -> list[_Piece] | None:
    """A big section, statement by statement: PostgreSQL's scanner finds the
    statements, and the grammar parses each. Data statements (``INSERT … VALUES``
    of constants) have only their head parsed, once per distinct head: their
    values are the server's to check. None when the scanner refuses the text
    or it holds psql meta-commands (the tolerant path handles those)."""
    try:
        parts = parser.split(text, with_parser=False)
    except parser.ParseError:
        return None
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in parts:
        at = text.find(part, pos)
        if at == -1:
            return None
        start = _first_token(text, at, at + len(part))
        end = at + len(part)
        pos = end
        if start >= end:
            continue
        if text.startswith("\\", start):
            return None
        spans.append((start, end))
    to_byte = _ByteMap(text)
    heads: dict[str, dict | None] = {}
    pieces: list[_Piece] = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        body = text[start:end]
        match = _DATA_INSERT.match(body, 0, 4096)
        if match and "select" not in body.lower():
            head = body[: match.end()] + " (DEFAULT)"
            if head not in heads:
                parsed = _parse_text(head)
                heads[head] = parsed[0]["stmt"] if parsed else None
            if heads[head] is not None:
                pieces.append(_with_semicolon(text, _Piece(start, end, tree=heads[head]), to_byte))
                i += 1
                continue
        # a BEGIN ATOMIC body is split by the scanner at its inner semicolons:
        # join the next pieces until the grammar accepts the whole
        for extra in range(min(_MERGE_LIMIT, len(spans) - i)):
            end = spans[i + extra][1]
            parsed = _parse_text(text[start:end])
            if parsed is not None and len(parsed) <= 1:
                break
        else:
            end = spans[i][1]
            extra = 0
            parsed = _parse_text(text[start:end])
        piece = _Piece(start, end)
        if parsed is None:
            piece.error = _refusal(text[start:end])
        elif parsed:
            piece.tree = parsed[0]["stmt"]
            piece.tree_base = parsed[0].get("stmt_location", 0)
        pieces.append(_with_semicolon(text, piece, to_byte))
        i += extra + 1
    return pieces


def _comment_end(text: str, at: int, end: int) -> int | None:
    """Just past the block comment opening at ``at`` (they nest); None if it never closes."""
    depth, at = 1, at + 2
    while at < end and depth:
        if text.startswith("/*", at):
            depth, at = depth + 1, at + 2
        elif text.startswith("*/", at):
            depth, at = depth - 1, at + 2
        else:
            at += 1
    return None if depth else at


def _first_token(text: str, at: int, end: int) -> int:
    """Skip the blanks and comments the scanner keeps before a statement."""
    while at < end:
        if text[at] in " \t\r\n":
            at += 1
        elif text.startswith("--", at):
            newline = text.find("\n", at, end)
            at = end if newline == -1 else newline + 1
        elif text.startswith("/*", at):
            found = _comment_end(text, at, end)
            at = end if found is None else found
        else:
            break
    return at


def _with_semicolon(text: str, piece: _Piece, to_byte) -> _Piece:
    """Character span → byte span, taking the ``;`` that ends the statement."""
    end = piece.end
    if text.startswith(";", end):
        end += 1
    piece.start, piece.end = to_byte(piece.start), to_byte(end)
    return piece


def _parse_text(text: str) -> list | None:
    try:
        return parse_tree(text).get("stmts", [])
    except (parser.ParseError, RecursionError):
        return None


def _refusal(text: str) -> tuple[str, int]:
    try:
        parser.parse_sql_json(text)
    except parser.ParseError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        position = exc.args[1] + 1 if len(exc.args) > 1 and exc.args[1] is not None else 1
        return message, position
    return "the statement cannot be read", 1


def _pieces_of(parsed: dict, data: bytes, lo: int, hi: int) -> list[_Piece]:
    """The statements of one parse, as spans of ``data`` (the parse covered lo:hi)."""
    out = []
    for raw in parsed.get("stmts", ()):
        start = lo + raw.get("stmt_location", 0)
        length = raw.get("stmt_len", 0)
        end = start + length if length else hi
        end = _trim_end(data, start, end)
        if end < hi and data[end : end + 1] == b";":
            end += 1
        out.append(_Piece(start, end, tree=raw["stmt"], tree_base=start - lo))
    return out


def _trim_end(data: bytes, start: int, end: int) -> int:
    """Drop trailing blanks and whole-line ``--`` comments from a statement's end."""
    while True:
        while end > start and data[end - 1 : end] in (b" ", b"\t", b"\r", b"\n"):
            end -= 1
        line_start = data.rfind(b"\n", start, end) + 1
        if line_start > start and data[line_start:end].lstrip().startswith(b"--"):
            end = line_start
            continue
        return end


def _parse_tolerant(text: str, start_line: int) -> list[_Piece]:
    """Split what the grammar refuses whole: meta-commands apart, each piece alone."""
    masked, meta = mask(text, start_line)
    copy_data: set[int] = set()
    masked = _blank_copy_data(text, masked, meta, copy_data)
    # masking keeps every character's length in characters, not bytes: work in
    # characters here, and convert each span once
    to_byte = _ByteMap(text)
    pieces = [
        _Piece(to_byte(s), to_byte(e), "copy_data" if s in copy_data else "psql")
        for s, e in meta
        if s in copy_data or not psql_inert(text[s:e], text)
    ]
    blanked = list(text)
    for s, e in meta:
        blanked[s:e] = " " * (e - s)
    clean = "".join(blanked)
    spans: list[tuple[int, int]] = []
    pos = 0
    from sqlparse.engine import FilterStack  # only for SQL the grammar refused

    # sqlparse's splitter alone: its grouping pass is not needed here
    for stmt in FilterStack().run(masked):
        piece = str(stmt)
        found_at = masked.find(piece, pos)
        pos = found_at if found_at != -1 else pos
        s, e = _trim(masked, pos, pos + len(piece))
        pos += len(piece)
        if s < e and masked[s:e].strip(" \t\r\n;"):
            spans.append((s, e))
    for s, e in spans:
        chunk = clean[s:e]
        bs = to_byte(s)
        try:
            parsed = parse_tree(chunk)
        except RecursionError:  # nested deeper than a tree can be read: text only
            pieces.append(_Piece(bs, to_byte(e)))
            continue
        except parser.ParseError as exc:
            message = str(exc.args[0]) if exc.args else str(exc)
            position = exc.args[1] + 1 if len(exc.args) > 1 and exc.args[1] is not None else 1
            pieces.append(_Piece(bs, to_byte(e), error=(message, position)))
            continue
        chunk_bytes = chunk.encode("utf-8")
        found = _pieces_of(parsed, chunk_bytes, 0, len(chunk_bytes))
        for p in found:
            p.tree_base = p.start
            p.start += bs
            p.end += bs
        if not found:
            continue
        pieces.extend(found)
    pieces.sort(key=lambda p: p.start)
    return pieces


class _ByteMap:
    """Character offset → byte offset in a text, cheap for ASCII."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self.last = (0, 0)  # (character, byte) of the previous answer

    def __call__(self, pos: int) -> int:
        if self.ascii:
            return pos
        char, byte = self.last if pos >= self.last[0] else (0, 0)
        byte += len(self.text[char:pos].encode("utf-8"))
        self.last = (pos, byte)
        return byte


def _blank_copy_data(text: str, masked: str, meta: list[tuple[int, int]], data: set[int]) -> str:
    """``COPY … FROM STDIN;`` is followed by data up to a ``\\.`` line: not SQL.
    The data's spans join ``meta``; their starts are added to ``data``."""
    for m in _COPY_FROM_STDIN.finditer(masked):
        end = next((s for s, _ in meta if s >= m.end()), None)
        if end is None:
            continue
        masked = masked[: m.end()] + _blank(masked[m.end() : end]) + masked[end:]
        meta[:] = [(s, e) for s, e in meta if s != end] + [(m.end(), _line_end(text, end))]
        data.add(m.end())
    meta.sort()
    return masked


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end == -1 else end


def _blank(part: str) -> str:
    return "".join(c if c == "\n" else " " for c in part)


def _statements(
    data: bytes, pieces: list[_Piece], start_line: int, start_offset: int
) -> list[Statement]:
    statements: list[Statement] = []
    line = start_line
    line_pos = 0
    for index, p in enumerate(pieces):
        line += data.count(b"\n", line_pos, p.start)
        line_pos = p.start
        body_bytes = data[p.start : p.end]
        body = body_bytes.decode("utf-8", errors="replace")
        category = p.category
        node = next(iter(p.tree)) if p.tree else None
        if node == "TransactionStmt" and p.tree[node].get("kind") not in _SAVEPOINT_KINDS:
            category = "transaction"  # (a savepoint works inside the migration's own)
        statements.append(
            Statement(
                text=body,
                start_line=line,
                end_line=line + body_bytes.count(b"\n"),
                start_offset=start_offset + p.start,
                end_offset=start_offset + p.end,
                index=index,
                category=category,
                no_transaction=_no_transaction(p.tree, body),
                tree=p.tree,
                tree_base=p.tree_base,
                syntax_error=p.error,
            )
        )
    return statements


#: Transaction statements that work inside a transaction and end none.
_SAVEPOINT_KINDS = frozenset(
    {"TRANS_STMT_SAVEPOINT", "TRANS_STMT_RELEASE", "TRANS_STMT_ROLLBACK_TO"}
)


def _no_transaction(tree: dict | None, body: str) -> bool:
    """PostgreSQL refuses to run this statement inside a transaction block."""
    if tree is None:
        return bool(_NO_TRANSACTION.match(body.strip()))
    node = next(iter(tree))
    if node not in _MAYBE_NO_TRANSACTION:
        return False
    fields = tree[node]
    if node == "VacuumStmt":
        return bool(fields.get("is_vacuumcmd"))  # ANALYZE alone runs in a transaction
    if node in _NO_TRANSACTION_NODES:
        return True
    if node in ("IndexStmt", "DropStmt"):
        return bool(fields.get("concurrent"))
    if node == "ReindexStmt":
        return any(
            p.get("DefElem", {}).get("defname") == "concurrently" for p in fields.get("params", ())
        )
    if node == "AlterTableStmt":
        for cmd in fields.get("cmds", ()):
            spec = cmd.get("AlterTableCmd", {}).get("def", {}).get("PartitionCmd", {})
            if spec.get("concurrent"):
                return True
    return False


def _ended(marker: re.Match) -> str:
    """A block's end marker as a semicolon, the same size in bytes, so that
    every statement keeps its file offsets and lines (an empty statement
    after one that had its own semicolon is nothing to the grammar)."""
    return ";".ljust(len(marker.group().encode("utf-8")))


def _unended(pieces: list[_Piece], data: bytes, ends: set[int]) -> None:
    """A statement the grammar refuses at the semicolon that stands for its
    block's end marker: as the tool sends it, without one, PostgreSQL says
    so at the end of its text (``syntax error at end of input``)."""
    for p in pieces:
        if p.error is None or not p.error[0].startswith("syntax error at or near"):
            continue
        text = data[p.start : p.end].decode("utf-8", errors="replace")
        at = p.error[1] - 1  # (PostgreSQL's positions count characters from 1)
        if at < len(text) and text[at] == ";" and len(data[: p.start].decode()) + at in ends:
            p.error = ("syntax error at end of input", len(text[:at].rstrip()) + 1)


def _check_goose_blocks(text: str, start_line: int) -> None:
    open_line = None
    for lineno, raw in enumerate(text.splitlines(), start=start_line):
        if _GOOSE_BEGIN.match(raw) and open_line is None:
            open_line = lineno
        elif _GOOSE_END.match(raw) and open_line is not None:
            open_line = None
    if open_line is not None:
        raise SplitError("-- +goose StatementBegin has no StatementEnd", open_line)


def _trim(masked: str, s: int, e: int) -> tuple[int, int]:
    while s < e and masked[s] in " \t\r\n":
        s += 1
    while e > s and masked[e - 1] in " \t\r\n":
        e -= 1
    return s, e


def _unwrap(statements: list[Statement], inner_blocks: bool = False) -> SplitResult:
    if inner_blocks:
        pairs = _inner_blocks(statements)
        if pairs:
            dropped = {id(s) for pair in pairs for s in pair}
            kept = [s for s in statements if id(s) not in dropped]
            renumbered = tuple(replace(s, index=i) for i, s in enumerate(kept))
            first = pairs[0]
            return SplitResult(renumbered, True, (first[0].start_line, first[1].start_line))
    # One BEGIN and the script's last statement a COMMIT: what comes before
    # the BEGIN runs in the same transaction (the tool's own, or the one the
    # BEGIN opens on a server that warns it is already in one), so the runner's
    # one transaction takes the pair's place. Work after a COMMIT would not.
    sql = [s for s in statements if s.category != "psql"]
    control = [s for s in sql if s.category == "transaction"]
    if len(control) == 2 and sql[-1] is control[1]:
        first, last = control
        if _transaction_kind(first) in _BEGIN_KINDS and _transaction_kind(last) in _COMMIT_KINDS:
            kept = [s for s in statements if s is not first and s is not last]
            renumbered = tuple(replace(s, index=i) for i, s in enumerate(kept))
            return SplitResult(renumbered, True, (first.start_line, last.start_line))
    return SplitResult(tuple(statements))


def _inner_blocks(statements: list[Statement]) -> list[tuple[Statement, Statement]]:
    """Each BEGIN with the COMMIT that closes it, when every transaction
    statement of the script is one of such pairs (anything else — a
    ROLLBACK, a BEGIN never closed — leaves the script as it is)."""
    pairs: list[tuple[Statement, Statement]] = []
    opened: Statement | None = None
    for statement in statements:
        kind = _transaction_kind(statement)
        if statement.category != "transaction":
            continue
        if kind in _BEGIN_KINDS and opened is None:
            opened = statement
        elif kind in _COMMIT_KINDS and opened is not None:
            pairs.append((opened, statement))
            opened = None
        else:
            return []
    return pairs if opened is None else []


def _transaction_kind(statement: Statement) -> str | None:
    if statement.category != "transaction" or not statement.tree:
        return None
    return statement.tree["TransactionStmt"].get("kind")


def copy_rows(statements: Sequence[Statement], index: int) -> str | None:
    """The rows written after ``statements[index]``, a ``COPY … FROM stdin``,
    up to its ``\\.`` line, as psql sends them; None when it is not one, or
    nothing follows it."""
    statement = statements[index]
    if statement.category == "copy_data" or not is_copy_from_stdin(statement):
        return None
    if index + 1 >= len(statements) or statements[index + 1].category != "copy_data":
        return None
    lines = statements[index + 1].text.split("\n")
    if lines and lines[-1].strip() == "\\.":
        lines.pop()
    return "".join(f"{line}\n" for line in lines)


def rows_of_a_copy(statements: Sequence[Statement], index: int) -> bool:
    """Whether ``statements[index]`` is the rows a ``COPY … FROM stdin`` just
    before it sends (``copy_rows``), not a statement of its own."""
    return (
        statements[index].category == "copy_data"
        and index > 0
        and copy_rows(statements, index - 1) is not None
    )


def is_copy_from_stdin(statement: Statement) -> bool:
    """``COPY … FROM stdin``: its rows come from the client, which only psql sends."""
    copy = (statement.tree or {}).get("CopyStmt")
    if not copy:
        return statement.category == "copy_data"
    return bool(copy.get("is_from") and not copy.get("filename") and not copy.get("is_program"))


_SET_TRANSACTION = re.compile(r"^(?:\s+|--[^\n]*\n|/\*.*?\*/)*SET\s+TRANSACTION\b", re.I | re.S)


#: A statement giving a role or a database a search_path of its own (``ALTER
#: ROLE app SET search_path TO app``), or taking it back (``RESET``), written
#: at a line's start: a new session takes it.
DEFAULT_PATH = re.compile(
    r"^[ \t]*ALTER\s+(?:ROLE|USER|DATABASE)\b[^;]*?\b(?:SET|RESET)\s+search_path\b[^;]*",
    re.I | re.M,
)


def is_set_transaction(statement: Statement) -> bool:
    """``SET TRANSACTION …`` (isolation level, read only): it must come before
    any other query of its transaction."""
    if statement.tree is not None:
        fields = statement.tree.get("VariableSetStmt")
        return bool(fields) and fields.get("name") == "TRANSACTION"
    return _SET_TRANSACTION.match(statement.text) is not None


def control_of(statement: Statement) -> str:
    """What a transaction statement does to the session's transaction:
    ``"begin"`` (BEGIN, START TRANSACTION), ``"commit"`` (COMMIT, END),
    ``"rollback"`` (ROLLBACK, ABORT), ``"other"`` (PREPARE TRANSACTION, COMMIT PREPARED, … AND CHAIN: none
    a migration can follow), and ``""`` for any other statement (savepoints
    included: they work inside whatever transaction is open)."""
    if statement.category != "transaction":
        return ""
    tree = statement.tree
    if tree is None:  # kept without its tree (the analysis cache): read it again
        found = split(statement.text).statements
        tree = found[0].tree if found else None
    fields = (tree or {}).get("TransactionStmt")
    if fields is None or fields.get("chain"):
        return "other"
    kind = fields.get("kind")
    if kind in _BEGIN_KINDS:
        return "begin"
    if kind == "TRANS_STMT_COMMIT":
        return "commit"
    if kind == "TRANS_STMT_ROLLBACK":
        return "rollback"
    return "other"


def controls_transactions(statements: Sequence[Statement]) -> bool:
    """A section that ends, and may open, transactions of its own in the middle:
    a ``COMMIT`` between two statements, ``COMMIT; … BEGIN;`` around work that
    must not share the tool's transaction (``CREATE INDEX CONCURRENTLY``, a new
    enum value used at once), a ``BEGIN … COMMIT`` block after other work.

    The team's tool runs such a file either as one string, where PostgreSQL
    keeps the statements outside the file's own blocks in implicit transactions
    that end at its ``COMMIT``, or inside a transaction of its own that the
    file's ``COMMIT`` ends early. Either way the work before a ``COMMIT`` stays
    when a later statement fails; the runner follows the file the same way
    (``Runner`` runs it outside a transaction of its own, the ledger row dirty
    until the end). Whole-file wrappers are gone by then (``split`` unwraps
    them); ``PREPARE TRANSACTION`` and ``AND CHAIN`` are never followed."""
    roles = [control_of(s) for s in statements if s.category == "transaction"]
    return bool(roles) and "other" not in roles
