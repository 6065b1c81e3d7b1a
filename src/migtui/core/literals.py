"""Whether PostgreSQL reads a quoted literal as a value of a built-in type.

A quoted literal given a column's type (``DEFAULT 'NULL'`` for an integer,
``'uuid_generate_v4()'`` for a uuid) is read by the type's input function when
the statement is parsed: one it refuses fails the statement, whatever the data
(22P02; 22003 when an integer is out of range). The rules here are
PostgreSQL 18's for the types below, held to the server sample by sample in a
DB test; every other type is not judged (None).
"""

from __future__ import annotations

import re

_BLANKS = " \t\n\v\f\r"
#: The magnitude of each integer type's most negative value.
_RANGES = {"int2": 2**15, "int4": 2**31, "int8": 2**63}
_BASES = {"0x": 16, "0o": 8, "0b": 2}
_BOOLEAN_WORDS = ("true", "false", "yes", "no", "on", "off")
_UUID_GROUPS = re.compile(r"[0-9a-fA-F]{4}")


def _integer(text: str, kind: str) -> str:
    """int2in/int4in/int8in: blanks around, a sign, decimal digits (or 0x, 0o,
    0b and theirs), an underscore only between digits (or after the prefix).
    As PostgreSQL does, a value growing past the type's range is out of range
    (22003) at once, before what follows is looked at."""
    bound, i, end = _RANGES[kind], 0, len(text)
    while i < end and text[i] in _BLANKS:
        i += 1
    negative = i < end and text[i] == "-"
    i += i < end and text[i] in "+-"
    base = _BASES.get(text[i : i + 2].lower(), 10)
    prefixed = base != 10
    i += 2 * prefixed
    value, digits = 0, 0
    while i < end:
        char = text[i]
        if char.isascii() and char.isalnum() and int(char, 36) < base:
            if value > bound // base:
                return "22003"
            value, digits, i = value * base + int(char, 36), digits + 1, i + 1
        elif char == "_" and (digits or prefixed):
            nxt = text[i + 1 : i + 2]
            if not (nxt.isascii() and nxt.isalnum() and int(nxt, 36) < base):
                return "22P02"
            i += 1
        else:
            break
    while i < end and text[i] in _BLANKS:
        i += 1
    if not digits or i != end:
        return "22P02"
    return "" if value <= bound - (not negative) else "22003"


def _boolean(text: str) -> str:
    word = text.strip(_BLANKS).lower()
    if word in ("1", "0"):
        return ""
    if not word:
        return "22P02"
    # a unique beginning of a word: 'o' could be 'on' or 'off'
    starts = [w for w in _BOOLEAN_WORDS if w.startswith(word)]
    return "" if len(starts) == 1 or word in _BOOLEAN_WORDS else "22P02"


def _uuid(text: str) -> str:
    body = text
    if body.startswith("{"):
        if not body.endswith("}"):
            return "22P02"
        body = body[1:-1]
    if len(body.replace("-", "")) != 32 or body.startswith("-") or body.endswith("-"):
        return "22P02"
    # a hyphen may follow any group of four digits, and only such a group
    pos = 0
    while pos < len(body):
        if not _UUID_GROUPS.match(body, pos):
            return "22P02"
        pos += 4
        if pos < len(body) and body[pos] == "-":
            pos += 1
    return ""


def refused(kind: str, text: str) -> str | None:
    """The SQLSTATE ``'text'::kind`` fails with, "" when it is read, None when
    ``kind`` is not judged here."""
    if kind in _RANGES:
        return _integer(text, kind)
    if kind == "bool":
        return _boolean(text)
    if kind == "uuid":
        return _uuid(text)
    return None
