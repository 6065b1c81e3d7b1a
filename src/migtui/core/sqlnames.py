"""SQL's lexical layer, as PostgreSQL sees it: tokens with their positions,
identifier folding, canonical type names, the builtin types, the types
extensions bring, and the names the server invents for indexes, constraints
and sequences nobody named.

The object analysis walks tokens, not text: comments vanish, string literals
and dollar-quoted bodies are single tokens (so SQL inside them can never be
mistaken for the statement's own), and each token knows where it starts so
effects can name the line of the word that named the object.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass

#: NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes.
MAX_IDENTIFIER_BYTES = 63

#: Schemas that always exist; objects in them are never a prerequisite.
BUILTIN_SCHEMAS = frozenset({"public", "pg_catalog", "information_schema", "pg_toast"})
#: Schemas whose objects are the server's own catalog.
CATALOG_SCHEMAS = frozenset({"pg_catalog", "information_schema"})

# Type names as pg_type spells them in pg_catalog, plus the SQL spellings the
# grammar maps onto them (int, decimal, character varying, …).
_CATALOG_TYPES = """
aclitem any anyarray anycompatible anycompatiblearray anycompatiblemultirange
anycompatiblenonarray anycompatiblerange anyelement anyenum anymultirange anynonarray
anyrange bit bool box bpchar bytea char cid cidr circle cstring date datemultirange
daterange event_trigger fdw_handler float4 float8 gtsvector index_am_handler inet int2
int2vector int4 int4multirange int4range int8 int8multirange int8range internal interval
json jsonb jsonpath language_handler line lseg macaddr macaddr8 money name numeric
nummultirange numrange oid oidvector path pg_brin_bloom_summary
pg_brin_minmax_multi_summary pg_ddl_command pg_dependencies pg_lsn pg_mcv_list
pg_ndistinct pg_node_tree pg_snapshot point polygon record refcursor regclass
regcollation regconfig regdictionary regnamespace regoper regoperator regproc
regprocedure regrole regtype table_am_handler text tid time timestamp timestamptz timetz
trigger tsm_handler tsmultirange tsquery tsrange tstzmultirange tstzrange tsvector
txid_snapshot unknown uuid varbit varchar void xid xid8 xml
"""
_SQL_TYPE_WORDS = """
int integer smallint bigint real float double decimal dec boolean character varying
national nchar serial serial4 bigserial serial8 smallserial serial2 setof
"""
BUILTIN_TYPES = frozenset(_CATALOG_TYPES.split()) | frozenset(_SQL_TYPE_WORDS.split())

#: Words that continue a multi-word type name after its first word.
TYPE_CONTINUATIONS: dict[str, frozenset[str]] = {
    "double": frozenset({"precision"}),
    "character": frozenset({"varying"}),
    "char": frozenset({"varying"}),
    "nchar": frozenset({"varying"}),
    "national": frozenset({"character", "char", "varying"}),
    "bit": frozenset({"varying"}),
    "timestamp": frozenset({"with", "without", "time", "zone"}),
    "time": frozenset({"with", "without", "time", "zone"}),
    "interval": frozenset({"year", "month", "day", "hour", "minute", "second", "to"}),
}

#: The spelling format_type() gives, keyed by every spelling the grammar accepts.
_CANONICAL = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "serial": "integer",
    "serial4": "integer",
    "int2": "smallint",
    "smallint": "smallint",
    "smallserial": "smallint",
    "serial2": "smallint",
    "int8": "bigint",
    "bigint": "bigint",
    "bigserial": "bigint",
    "serial8": "bigint",
    "float8": "double precision",
    "double precision": "double precision",
    "float": "double precision",
    "float4": "real",
    "real": "real",
    "bool": "boolean",
    "boolean": "boolean",
    "decimal": "numeric",
    "dec": "numeric",
    "numeric": "numeric",
    "varchar": "character varying",
    "character varying": "character varying",
    "char varying": "character varying",
    "national character varying": "character varying",
    "nchar varying": "character varying",
    "char": "character",
    "character": "character",
    "bpchar": "character",
    "nchar": "character",
    "national character": "character",
    "varbit": "bit varying",
    "bit varying": "bit varying",
    "timestamptz": "timestamp with time zone",
    "timestamp with time zone": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "timestamp without time zone": "timestamp without time zone",
    "timetz": "time with time zone",
    "time with time zone": "time with time zone",
    "time": "time without time zone",
    "time without time zone": "time without time zone",
}

#: Types that come with an extension: a column of this type needs the extension.
EXTENSION_TYPES: dict[str, str] = {
    "citext": "citext",
    "hstore": "hstore",
    "ltree": "ltree",
    "lquery": "ltree",
    "ltxtquery": "ltree",
    "cube": "cube",
    "earth": "earthdistance",
    "seg": "seg",
    "isbn": "isn",
    "isbn13": "isn",
    "issn": "isn",
    "issn13": "isn",
    "ismn": "isn",
    "ismn13": "isn",
    "ean13": "isn",
    "upc": "isn",
    "vector": "vector",
    "halfvec": "vector",
    "sparsevec": "vector",
    "geometry": "postgis",
    "geography": "postgis",
    "box2d": "postgis",
    "box3d": "postgis",
    "raster": "postgis_raster",
    "lo": "lo",
    "intbig_gkey": "intarray",
}

#: Operator classes that come with an extension (``USING gin (name gin_trgm_ops)``).
EXTENSION_OPCLASSES: dict[str, str] = {
    "gin_trgm_ops": "pg_trgm",
    "gist_trgm_ops": "pg_trgm",
    "gin__int_ops": "intarray",
    "gist__int_ops": "intarray",
    "gist__intbig_ops": "intarray",
    "gin_hstore_ops": "hstore",
    "gist_hstore_ops": "hstore",
    "vector_l2_ops": "vector",
    "vector_ip_ops": "vector",
    "vector_cosine_ops": "vector",
    "vector_l1_ops": "vector",
    "halfvec_l2_ops": "vector",
    "halfvec_ip_ops": "vector",
    "halfvec_cosine_ops": "vector",
}

SERIAL_TYPES = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})


def fold(word: str, quoted: bool) -> str:
    """An identifier as PostgreSQL stores it: unquoted ones lower-cased (ASCII
    only, as the server does), then cut to 63 bytes."""
    name = word if quoted else _ascii_lower(word)
    return truncate_identifier(name)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(word: str) -> str:
    return word.lower() if word.isascii() else word.translate(_ASCII_LOWER)


def truncate_identifier(name: str, limit: int = MAX_IDENTIFIER_BYTES) -> str:
    """Cut a name to ``limit`` bytes without splitting a character."""
    data = name.encode("utf-8")
    if len(data) <= limit:
        return name
    return data[:limit].decode("utf-8", errors="ignore")


def canonical_type(words: Iterable[str]) -> str:
    """The format_type() spelling of a builtin type written as ``words``
    (already folded, typmods and array brackets removed)."""
    words = [w for w in words if w]
    if words and words[0] == "interval":
        return "interval"
    text = " ".join(words)
    return _CANONICAL.get(text, text)


def is_builtin_type(name: str) -> bool:
    return name in BUILTIN_TYPES


def multirange_name(range_name: str) -> str:
    """The multirange type PostgreSQL creates alongside ``CREATE TYPE … AS RANGE``."""
    at = range_name.find("range")
    if at == -1:
        return truncate_identifier(range_name + "_multirange")
    return truncate_identifier(range_name[:at] + "multirange" + range_name[at + 5 :])


def make_object_name(name1: str, name2: str | None, label: str | None) -> str:
    """PostgreSQL's makeObjectName: ``name1_name2_label`` cut to 63 bytes by
    shortening the longer of the two names first, so the label survives."""
    one = name1.encode("utf-8")
    two = name2.encode("utf-8") if name2 is not None else b""
    overhead = (1 if name2 is not None else 0) + (len(label) + 1 if label else 0)
    room = MAX_IDENTIFIER_BYTES - overhead
    n1, n2 = len(one), len(two)
    while n1 + n2 > room:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [one[:n1].decode("utf-8", errors="ignore")]
    if name2 is not None:
        parts.append(two[:n2].decode("utf-8", errors="ignore"))
    if label:
        parts.append(label)
    return "_".join(parts)


def choose_name(name1: str, name2: str | None, label: str, taken: Container[str]) -> str:
    """PostgreSQL's ChooseRelationName: the first of ``…_label``, ``…_label1``, …
    not in ``taken``."""
    attempt = 0
    modlabel = label
    while True:
        name = make_object_name(name1, name2, modlabel)
        if name not in taken:
            return name
        attempt += 1
        modlabel = f"{label}{attempt}"


def index_name_addition(columns: Iterable[str]) -> str:
    """PostgreSQL's ChooseIndexNameAddition: column names joined with ``_``,
    stopping once the result is a full identifier long."""
    out = ""
    for name in columns:
        if out:
            out += "_"
        out += truncate_identifier(name)
        if len(out.encode("utf-8")) >= MAX_IDENTIFIER_BYTES + 1:
            break
    return out


def index_column_names(names: Iterable[str]) -> list[str]:
    """PostgreSQL's ChooseIndexColumnNames: repeated names get 1, 2, … appended."""
    chosen: list[str] = []
    for orig in names:
        current = orig
        suffix = 1
        while current in chosen:
            tail = str(suffix)
            current = truncate_identifier(orig, MAX_IDENTIFIER_BYTES - len(tail)) + tail
            suffix += 1
        chosen.append(current)
    return chosen


# --- tokens ---------------------------------------------------------------

WORD = "word"
QIDENT = "qident"
STRING = "string"
DOLLAR = "dollar"
NUMBER = "number"
OP = "op"
PUNCT = "punct"
PARAM = "param"

_WORD_RE = re.compile(r"[A-Za-z_\x80-\U0010ffff][A-Za-z_0-9$\x80-\U0010ffff]*")
_NUMBER_RE = re.compile(r"(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?")
_PARAM_RE = re.compile(r"\$\d+")
_DOLLAR_RE = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][A-Za-z_0-9\x80-\U0010ffff]*)?\$")
_OP_CHARS = set("+-*/<>=~!@#%^&|`?")
_STRING_PREFIXES = {"E", "e", "B", "b", "X", "x", "N", "n", "U&", "u&"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    #: Words and punctuation as written; the contents of strings, quoted
    #: identifiers and dollar-quoted bodies without their quotes.
    text: str
    #: Offset of the token in the text it was read from.
    pos: int
    #: For strings and dollar bodies: where the contents begin and end.
    body_pos: int = 0
    body_end: int = 0
    #: Words upper-cased once, for keyword tests; "" for every other kind.
    word: str = ""

    @property
    def upper(self) -> str:
        return self.word

    @property
    def is_ident(self) -> bool:
        return self.kind in (WORD, QIDENT)

    @property
    def name(self) -> str:
        """The identifier as PostgreSQL folds it."""
        return fold(self.text, self.kind == QIDENT)

    def is_word(self, *words: str) -> bool:
        return self.word in words if self.word else False

    def is_punct(self, char: str) -> bool:
        return self.kind == PUNCT and self.text == char


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]``; never raises (an unterminated quote runs
    to the end)."""
    end = len(text) if end is None else end
    tokens: list[Token] = []
    i = start
    while i < end:
        c = text[i]
        if c in " \t\r\n\f":
            i += 1
        elif c == "-" and text.startswith("--", i):
            nl = text.find("\n", i, end)
            i = end if nl == -1 else nl
        elif c == "/" and text.startswith("/*", i):
            i = _skip_block_comment(text, i, end)
        elif c == "'":
            i = _read_string(text, i, end, i, False, tokens)
        elif c == '"':
            i = _read_quoted_ident(text, i, end, tokens)
        elif c == "$":
            i = _read_dollar(text, i, end, tokens)
        elif c.isdigit() or (c == "." and i + 1 < end and text[i + 1].isdigit()):
            m = _NUMBER_RE.match(text, i, end)
            stop = m.end() if m else i + 1
            tokens.append(Token(NUMBER, text[i:stop], i))
            i = stop
        elif c in "(),;[].":
            tokens.append(Token(PUNCT, c, i))
            i += 1
        elif c == ":":
            if text.startswith("::", i) or text.startswith(":=", i):
                tokens.append(Token(OP, text[i : i + 2], i))
                i += 2
            else:
                tokens.append(Token(PUNCT, c, i))
                i += 1
        elif c in _OP_CHARS:
            j = i
            while j < end and text[j] in _OP_CHARS:
                if text.startswith("--", j) or text.startswith("/*", j):
                    break
                j += 1
            j = max(j, i + 1)
            tokens.append(Token(OP, text[i:j], i))
            i = j
        else:
            m = _WORD_RE.match(text, i, end)
            if not m:
                tokens.append(Token(OP, c, i))
                i += 1
                continue
            word = m.group(0)
            stop = m.end()
            if word in _STRING_PREFIXES and stop < end and text[stop] == "'":
                i = _read_string(text, stop, end, i, word in ("E", "e"), tokens)
            elif word in ("U", "u") and text.startswith("&'", stop):
                i = _read_string(text, stop + 1, end, i, False, tokens)
            else:
                tokens.append(Token(WORD, word, i, word=word.upper()))
                i = stop
    return tokens


def _skip_block_comment(text: str, i: int, end: int) -> int:
    depth, j = 1, i + 2
    while j < end and depth:
        if text.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif text.startswith("*/", j):
            depth, j = depth - 1, j + 2
        else:
            j += 1
    return j


def _read_string(
    text: str, quote: int, end: int, token_start: int, escapes: bool, tokens: list[Token]
) -> int:
    parts: list[str] = []
    j = quote + 1
    while j < end:
        ch = text[j]
        if escapes and ch == "\\" and j + 1 < end:
            parts.append(_unescape(text[j + 1]))
            j += 2
            continue
        if ch == "'":
            if j + 1 < end and text[j + 1] == "'":
                parts.append("'")
                j += 2
                continue
            break
        parts.append(ch)
        j += 1
    tokens.append(Token(STRING, "".join(parts), token_start, quote + 1, min(j, end)))
    return j + 1


def _unescape(ch: str) -> str:
    return {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(ch, ch)


def _read_quoted_ident(text: str, i: int, end: int, tokens: list[Token]) -> int:
    parts: list[str] = []
    j = i + 1
    while j < end:
        if text[j] == '"':
            if j + 1 < end and text[j + 1] == '"':
                parts.append('"')
                j += 2
                continue
            break
        parts.append(text[j])
        j += 1
    tokens.append(Token(QIDENT, "".join(parts), i))
    return j + 1


def _read_dollar(text: str, i: int, end: int, tokens: list[Token]) -> int:
    m = _PARAM_RE.match(text, i, end)
    if m:
        tokens.append(Token(PARAM, m.group(0), i))
        return m.end()
    m = _DOLLAR_RE.match(text, i, end)
    if not m:
        tokens.append(Token(OP, "$", i))
        return i + 1
    tag = m.group(0)
    close = text.find(tag, m.end(), end)
    stop = end if close == -1 else close
    tokens.append(Token(DOLLAR, text[m.end() : stop], i, m.end(), stop))
    return end if close == -1 else close + len(tag)


def split_at(tokens: list[Token], char: str = ";") -> list[list[Token]]:
    """Pieces of ``tokens`` separated by ``char`` outside parentheses."""
    pieces: list[list[Token]] = []
    current: list[Token] = []
    depth = 0
    for tok in tokens:
        if tok.kind == PUNCT:
            if tok.text in "([":
                depth += 1
            elif tok.text in ")]":
                depth = max(0, depth - 1)
            elif tok.text == char and depth == 0:
                pieces.append(current)
                current = []
                continue
        current.append(tok)
    pieces.append(current)
    return [p for p in pieces if p]


def matching_paren(tokens: list[Token], i: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``i`` (len(tokens) if unclosed)."""
    depth = 0
    for j in range(i, len(tokens)):
        tok = tokens[j]
        if tok.kind != PUNCT:
            continue
        if tok.text in "([":
            depth += 1
        elif tok.text in ")]":
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)
