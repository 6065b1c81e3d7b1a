"""Splitting a script into statements with exact source spans.

sqlparse does the splitting. Before it sees the text, comments and the insides
of quoted strings are blanked out (same length, newlines kept), so that nested
block comments, ``E'…\\'…'`` strings and dollar quotes can never hide or invent
a semicolon; the spans sqlparse finds are then cut from the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlparse.engine import FilterStack

from migtui.core.model import Statement

_TRANSACTION_HEADS = (
    "BEGIN",
    "START TRANSACTION",
    "COMMIT",
    "END",
    "ROLLBACK",
    "ABORT",
    "SAVEPOINT",
    "RELEASE",
    "PREPARE TRANSACTION",
)
_BEGIN_HEADS = ("BEGIN", "START TRANSACTION")
_COMMIT_HEADS = ("COMMIT", "END")

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
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            if depth:
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


def head_words(masked: str, count: int = 3) -> str:
    """The first ``count`` words of a masked statement, upper-cased."""
    words = re.findall(r"[A-Za-z_][A-Za-z_0-9]*", masked[:200])
    return " ".join(w.upper() for w in words[:count])


def split(
    text: str,
    *,
    start_line: int = 1,
    start_offset: int = 0,
    goose: bool = False,
) -> SplitResult:
    """Split a script into statements.

    ``start_line``/``start_offset`` place the script in its file, so every
    statement carries file lines and file byte offsets. With ``goose=True``,
    ``-- +goose StatementBegin`` … ``StatementEnd`` blocks are one statement
    each, as goose runs them.
    """
    chunks: list[tuple[int, int, bool]] = []  # (start, end, whole_block)
    chunks = _goose_chunks(text, start_line) if goose else [(0, len(text), False)]

    spans: list[tuple[int, int, str, str]] = []  # (start, end, category, masked body)
    for a, b, whole in chunks:
        part = text[a:b]
        masked, meta = mask(part, start_line + text.count("\n", 0, a))
        found = [(a + s, a + e, "psql", masked[s:e]) for s, e in meta]
        if whole:
            s, e = _trim(masked, 0, len(masked))
            if s < e:
                found.append((a + s, a + e, "sql", masked[s:e]))
        else:
            pos = 0
            # sqlparse's splitter alone: its grouping pass is not needed here
            for stmt in FilterStack().run(masked):
                piece = str(stmt)
                if not masked.startswith(piece, pos):
                    found_at = masked.find(piece, pos)
                    pos = found_at if found_at != -1 else pos
                s, e = _trim(masked, pos, pos + len(piece))
                pos += len(piece)
                if s < e and masked[s:e].strip(" \t\r\n;"):
                    found.append((a + s, a + e, "sql", masked[s:e]))
        spans.extend(sorted(found))

    statements: list[Statement] = []
    heads: list[str] = []
    line = start_line
    line_pos = 0
    byte_pos = start_offset
    char_pos = 0
    for index, (s, e, category, masked_body) in enumerate(spans):
        # advance line and byte counters incrementally: files can be large
        line += text.count("\n", line_pos, s)
        line_pos = s
        byte_pos += len(text[char_pos:s].encode("utf-8"))
        char_pos = s
        body = text[s:e]
        start_byte = byte_pos
        end_byte = start_byte + len(body.encode("utf-8"))
        end_line = line + body.count("\n")
        head = head_words(masked_body)
        heads.append(head)
        if (
            category == "sql"
            and _starts_with(head, _TRANSACTION_HEADS)
            and not head.startswith("BEGIN ATOMIC")
        ):
            category = "transaction"
        statements.append(
            Statement(
                text=body,
                start_line=line,
                end_line=end_line,
                start_offset=start_byte,
                end_offset=end_byte,
                index=index,
                category=category,
                no_transaction=bool(_NO_TRANSACTION.match(masked_body.strip())),
            )
        )

    return _unwrap(statements, heads)


def _starts_with(head: str, heads: tuple[str, ...]) -> bool:
    return any(head == h or head.startswith(h + " ") for h in heads)


def _trim(masked: str, s: int, e: int) -> tuple[int, int]:
    while s < e and masked[s] in " \t\r\n":
        s += 1
    while e > s and masked[e - 1] in " \t\r\n":
        e -= 1
    return s, e


def _goose_chunks(text: str, start_line: int) -> list[tuple[int, int, bool]]:
    chunks: list[tuple[int, int, bool]] = []
    pos = 0
    block_start: int | None = None
    block_line = 0
    offset = 0
    for lineno, raw in enumerate(text.splitlines(keepends=True), start=start_line):
        if _GOOSE_BEGIN.match(raw) and block_start is None:
            chunks.append((pos, offset, False))
            block_start, block_line = offset + len(raw), lineno
        elif _GOOSE_END.match(raw) and block_start is not None:
            chunks.append((block_start, offset, True))
            block_start = None
            pos = offset + len(raw)
        offset += len(raw)
    if block_start is not None:
        raise SplitError("-- +goose StatementBegin has no StatementEnd", block_line)
    chunks.append((pos, len(text), False))
    return [c for c in chunks if c[0] < c[1]]


def _unwrap(statements: list[Statement], heads: list[str]) -> SplitResult:
    sql = [(s, h) for s, h in zip(statements, heads, strict=True) if s.category != "psql"]
    if len(sql) >= 2:
        (first, first_head), (last, last_head) = sql[0], sql[-1]
        if (
            first.category == "transaction"
            and _starts_with(first_head, _BEGIN_HEADS)
            and last.category == "transaction"
            and _starts_with(last_head, _COMMIT_HEADS)
        ):
            kept = [s for s in statements if s is not first and s is not last]
            renumbered = tuple(
                Statement(
                    text=s.text,
                    start_line=s.start_line,
                    end_line=s.end_line,
                    start_offset=s.start_offset,
                    end_offset=s.end_offset,
                    index=i,
                    category=s.category,
                    no_transaction=s.no_transaction,
                )
                for i, s in enumerate(kept)
            )
            return SplitResult(renumbered, True, (first.start_line, last.start_line))
    return SplitResult(tuple(statements))
