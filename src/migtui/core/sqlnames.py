"""Names as PostgreSQL spells and invents them: identifier folding, the
format_type() spelling of builtin types, the builtin types themselves, the
types and operator classes extensions bring, and the names the server chooses
for indexes, constraints and sequences nobody named (checked against
PostgreSQL 18).
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

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

#: Functions of extensions the embedded server does not ship (so the shipped
#: index does not know them): a call of one needs its extension.
EXTENSION_FUNCTIONS: dict[str, str] = {
    **dict.fromkeys(
        [
            "uuid_generate_v1",
            "uuid_generate_v1mc",
            "uuid_generate_v3",
            "uuid_generate_v4",
            "uuid_generate_v5",
            "uuid_nil",
            "uuid_ns_dns",
            "uuid_ns_url",
            "uuid_ns_oid",
            "uuid_ns_x500",
        ],
        "uuid-ossp",
    ),
    **dict.fromkeys(
        [
            "crypt",
            "gen_salt",
            "digest",
            "hmac",
            "encrypt",
            "decrypt",
            "encrypt_iv",
            "decrypt_iv",
            "gen_random_bytes",
            "pgp_sym_encrypt",
            "pgp_sym_decrypt",
            "pgp_sym_encrypt_bytea",
            "pgp_sym_decrypt_bytea",
            "pgp_pub_encrypt",
            "pgp_pub_decrypt",
            "pgp_pub_encrypt_bytea",
            "pgp_pub_decrypt_bytea",
            "pgp_key_id",
            "armor",
            "dearmor",
            "pgp_armor_headers",
            "fips_mode",
            # also pg_catalog's since PostgreSQL 13: pgcrypto's own is found
            # only as public.gen_random_uuid()
            "gen_random_uuid",
        ],
        "pgcrypto",
    ),
}
#: Schemas that extensions the embedded server does not ship make of their
#: own, whatever schema they are created in (pg_cron's ``cron``): what else
#: they make is not known by name.
EXTENSION_SCHEMAS: dict[str, tuple[str, ...]] = {
    "pg_cron": ("cron",),
    "pg_net": ("net",),
    "pgsodium": ("pgsodium", "pgsodium_masks"),
    "supabase_vault": ("vault",),
    "pgmq": ("pgmq",),
    "pg_graphql": ("graphql", "graphql_public"),
    "timescaledb": (
        "_timescaledb_cache",
        "_timescaledb_catalog",
        "_timescaledb_config",
        "_timescaledb_functions",
        "_timescaledb_internal",
        "timescaledb_experimental",
        "timescaledb_information",
    ),
    "postgis_topology": ("topology",),
    "postgis_tiger_geocoder": ("tiger", "tiger_data"),
    "citus": ("citus", "citus_internal"),
    "pg_repack": ("repack",),
}
#: Extensions whose every object ``EXTENSION_FUNCTIONS`` names: what else a
#: migration needs, they do not make.
EXTENSIONS_NAMED_IN_FULL = frozenset({"uuid-ossp", "pgcrypto"})

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

#: Columns every table has without naming them (PostgreSQL's system columns).
#: The collations every PostgreSQL 18 database has, whatever its platform.
BUILTIN_COLLATIONS = frozenset(
    {"default", "C", "POSIX", "ucs_basic", "unicode", "pg_c_utf8", "pg_unicode_fast"}
)
#: A locale's name as initdb imports them, from the platform's locales (``en_US``,
#: ``en_US.utf8``, ``de_DE@euro``, ``C.UTF-8``) or ICU's (``de-DE-x-icu``,
#: ``und-u-ks-level2``): which of them a server has depends on its machine.
_LOCALE_NAME = re.compile(
    r"(?:[a-z]{2,3}|und|C)"
    r"(?:[-_][A-Z][a-z]{3})?"  # script: sr_Latn
    r"(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?"  # region: en_US, es-419
    r"(?:[-_][A-Za-z0-9]{4,8})*"  # variants: ca_ES_valencia
    r"(?:-u(?:-[a-z0-9]{2,8})+)?"  # ICU keywords: -u-ks-level2
    r"(?:-x-icu)?"
    r"(?:\.[A-Za-z0-9_-]+)?"  # encoding: .utf8, .ISO-8859-1
    r"(?:@[A-Za-z0-9]+)?"  # modifier: @euro
)
#: The aliases glibc's locale.alias gives languages, which initdb may import.
_LOCALE_ALIASES = frozenset(
    [
        "bokmal",
        "catalan",
        "croatian",
        "czech",
        "danish",
        "dansk",
        "deutsch",
        "dutch",
        "eesti",
        "estonian",
        "finnish",
        "french",
        "galego",
        "galician",
        "german",
        "greek",
        "hebrew",
        "hrvatski",
        "hungarian",
        "icelandic",
        "italian",
        "japanese",
        "korean",
        "lithuanian",
        "norwegian",
        "nynorsk",
        "polish",
        "portuguese",
        "romanian",
        "russian",
        "slovak",
        "slovene",
        "slovenian",
        "spanish",
        "swedish",
        "thai",
        "turkish",
    ]
)


def system_collation(name: str) -> bool:
    """Whether a collation of that name may be the server's own: a built-in
    one, or a locale's that initdb imports on some platforms. A name of
    neither kind (``case_insensitive``) must be made first."""
    return (
        name in BUILTIN_COLLATIONS
        or name in _LOCALE_ALIASES
        or _LOCALE_NAME.fullmatch(name) is not None
    )


SYSTEM_COLUMNS = frozenset({"ctid", "xmin", "xmax", "cmin", "cmax", "tableoid", "oid"})
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
