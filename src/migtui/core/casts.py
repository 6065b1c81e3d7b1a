"""What PostgreSQL converts between its built-in types without being asked.

Two statements depend on it, and PostgreSQL refuses both with 42804:

- ``ALTER COLUMN … TYPE`` without ``USING`` converts the column's values the
  way an assignment does: with an implicit or an assignment cast, or, to a
  string type, through the type's text form. ``text`` to ``bigint`` has none.
- A foreign key needs an equality between the two columns' types: one of the
  referenced key's operator family (``int4`` and ``int8`` are both in
  ``integer_ops``), or an implicit cast of the referencing type to the
  referenced one (``int4`` to ``numeric``, but not back).

The tables are PostgreSQL 18's own (``pg_cast`` and the btree operator
families of ``pg_amop``) for the types below. An enum the folder makes is
judged too, written ``enum:schema.name`` (see ``enum``): it has no cast but
its text form, and compares only with itself. Any other type (a domain, an
array, an extension's type) is not judged: every function here then answers
None.
"""

from __future__ import annotations

#: Spellings the parser leaves as written, and the type each one is.
_ALIASES = {
    "serial": "int4",
    "serial4": "int4",
    "bigserial": "int8",
    "serial8": "int8",
    "smallserial": "int2",
    "serial2": "int2",
    "int": "int4",
    "integer": "int4",
    "smallint": "int2",
    "bigint": "int8",
    "boolean": "bool",
    "real": "float4",
    "decimal": "numeric",
}

#: Each built-in type judged here, and its btree operator family: types of one
#: family compare with each other (``varchar`` uses ``text``'s).
FAMILIES = {
    "int2": "integer",
    "int4": "integer",
    "int8": "integer",
    "numeric": "numeric",
    "float4": "float",
    "float8": "float",
    "text": "text",
    "varchar": "text",
    "name": "text",
    "bpchar": "bpchar",
    "uuid": "uuid",
    "bool": "bool",
    "date": "datetime",
    "timestamp": "datetime",
    "timestamptz": "datetime",
    "time": "time",
    "timetz": "timetz",
    "interval": "interval",
    "jsonb": "jsonb",
    "json": "",  # no btree family: no key can be made of it
    "bytea": "bytea",
    "inet": "network",
    "cidr": "network",
    "money": "money",
    "oid": "oid",
    "bit": "bit",
    "varbit": "varbit",
    "macaddr": "macaddr",
    "xml": "",
}


def _pairs(text: str) -> frozenset[tuple[str, str]]:
    """``"a>b c>d"``: the casts from a to b and from c to d."""
    return frozenset(
        (source, target) for source, _, target in (p.partition(">") for p in text.split())
    )


#: Casts PostgreSQL applies implicitly (pg_cast.castcontext 'i').
_IMPLICIT = _pairs(
    "bit>varbit varbit>bit cidr>inet int4>oid int2>oid int8>oid text>bpchar text>varchar "
    "varchar>bpchar varchar>text bpchar>text bpchar>varchar bpchar>name text>name "
    "varchar>name name>text date>timestamp date>timestamptz timestamp>timestamptz "
    "float4>float8 int2>float4 int2>float8 int2>int4 int2>int8 int2>numeric int4>float4 "
    "int4>float8 int4>int8 int4>numeric int8>float4 int8>float8 int8>numeric "
    "numeric>float4 numeric>float8 time>interval time>timetz"
)

#: Casts PostgreSQL applies on assignment (castcontext 'a'), besides the implicit ones.
_ASSIGNMENT = _pairs(
    "float4>int2 float4>int4 float4>int8 float4>numeric float8>float4 float8>int2 "
    "float8>int4 float8>int8 float8>numeric int4>int2 int8>int2 int8>int4 numeric>int2 "
    "numeric>int4 numeric>int8 int4>money int8>money numeric>money money>numeric "
    "inet>cidr interval>time oid>int4 oid>int8 timestamp>date timestamp>time "
    "timestamptz>date timestamptz>time timestamptz>timestamp timestamptz>timetz "
    "timetz>time json>jsonb jsonb>json name>bpchar name>varchar"
)

#: Casts PostgreSQL makes only when asked (castcontext 'e'), besides the others.
_EXPLICIT = _pairs(
    "bit>int4 bit>int8 bool>int4 int4>bool int4>bit int8>bit bpchar>xml text>xml varchar>xml "
    "bytea>int2 bytea>int4 bytea>int8 int2>bytea int4>bytea int8>bytea jsonb>bool "
    "jsonb>float4 jsonb>float8 jsonb>int2 jsonb>int4 jsonb>int8 jsonb>numeric"
)

#: Casts that depend on a setting (TimeZone, DateStyle, lc_monetary …), so are not
#: IMMUTABLE: an index or a generated column may not use them (42P17).
_NOT_IMMUTABLE = _pairs(
    "bpchar>date bpchar>interval bpchar>money bpchar>time bpchar>timestamp bpchar>timestamptz "
    "bpchar>timetz bpchar>xml date>bpchar date>name date>text date>timestamptz date>varchar "
    "int4>money int8>money interval>bpchar interval>name interval>text interval>varchar "
    "money>bpchar money>name money>numeric money>text money>varchar name>date name>interval "
    "name>money name>time name>timestamp name>timestamptz name>timetz name>xml numeric>money "
    "text>date text>interval text>money text>time text>timestamp text>timestamptz text>timetz "
    "text>xml time>timetz timestamp>bpchar timestamp>name timestamp>text timestamp>timestamptz "
    "timestamp>varchar timestamptz>bpchar timestamptz>date timestamptz>name timestamptz>text "
    "timestamptz>time timestamptz>timestamp timestamptz>timetz timestamptz>varchar "
    "varchar>date varchar>interval varchar>money varchar>time varchar>timestamp "
    "varchar>timestamptz varchar>timetz varchar>xml"
)

#: Every type converts to these through its text form, on assignment.
_STRING_TYPES = frozenset({"text", "varchar", "bpchar", "name"})


#: How SQL usually spells the types whose catalog names are terse.
_SPELLED = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "bool": "boolean",
    "float4": "real",
    "float8": "double precision",
    "bpchar": "char",
}


_ENUM = "enum:"


def enum(qualified: str) -> str:
    """How the functions here name the enum ``qualified`` (``public.mood``)."""
    return _ENUM + qualified


def _judged(name: str) -> bool:
    return name in FAMILIES or name.startswith(_ENUM)


def spelled(name: str) -> str:
    """A type as a message shows it: ``bigint``, not ``int8``."""
    return name.removeprefix(_ENUM) if name.startswith(_ENUM) else _SPELLED.get(name, name)


def builtin(names: list[str]) -> str:
    """The built-in type a parsed type name stands for (``["pg_catalog",
    "int4"]``, ``["bigserial"]``), or "" for any other."""
    if not names or (len(names) > 1 and names[0] != "pg_catalog") or len(names) > 2:
        return ""
    name = names[-1].lower()
    name = _ALIASES.get(name, name)
    return name if name in FAMILIES else ""


def assigns(source: str, target: str) -> bool | None:
    """Whether a value of ``source`` converts to ``target`` on assignment (as
    ``ALTER COLUMN … TYPE`` without ``USING`` does); None when either is not judged."""
    if not (_judged(source) and _judged(target)):
        return None
    return (
        source == target
        or target in _STRING_TYPES
        or (source, target) in _IMPLICIT
        or (source, target) in _ASSIGNMENT
    )


#: The types pg_catalog's ``min``, ``max``, ``sum`` and ``avg`` take (besides
#: enums and arrays for ``min`` and ``max``); another type must convert to one
#: of them implicitly (varchar to text, int2 to int4…).
_AGGREGATED = {
    "min": frozenset(
        [
            "bpchar",
            "int8",
            "int4",
            "int2",
            "oid",
            "float4",
            "float8",
            "date",
            "time",
            "timetz",
            "money",
            "timestamp",
            "timestamptz",
            "interval",
            "text",
            "numeric",
            "bytea",
            "inet",
        ]
    ),
    "sum": frozenset(["numeric", "interval", "money", "float8", "float4", "int2", "int8", "int4"]),
    "avg": frozenset(["int2", "float4", "float8", "interval", "numeric", "int8", "int4"]),
}
_AGGREGATED["max"] = _AGGREGATED["min"]


def aggregates(name: str, type_name: str) -> bool | None:
    """Whether pg_catalog's aggregate ``name`` (min, max, sum, avg) takes a
    value of ``type_name``; None when not judged."""
    takes = _AGGREGATED.get(name)
    if takes is None or not _judged(type_name):
        return None
    if type_name.startswith(_ENUM):
        return name in ("min", "max")
    return type_name in takes or any((type_name, t) in _IMPLICIT for t in takes)


def unite(a: str, b: str) -> bool | None:
    """Whether a column of a set operation (``UNION``…) whose branches give
    ``a`` and ``b`` has a type: the same, or one converting to the other
    implicitly (integer and bigint, date and timestamptz, text and varchar;
    not integer and text, nor uuid and text: 42804). None when not judged."""
    if not (_judged(a) and _judged(b)) or not (FAMILIES.get(a) and FAMILIES.get(b)):
        return None
    return a == b or (a, b) in _IMPLICIT or (b, a) in _IMPLICIT


def cast_exists(source: str, target: str) -> bool | None:
    """Whether ``value::target`` exists for a value of ``source`` (a cast, or
    the text form: any type to a string type, a string type to any type);
    None when either is not judged."""
    if not (_judged(source) and _judged(target)):
        return None
    return bool(assigns(source, target) or source in _STRING_TYPES or (source, target) in _EXPLICIT)


#: The types whose input refuses the empty string '' (22P02; 22007 for dates and
#: times): numbers, booleans, addresses, json, uuid, dates and times, and enums.
_EMPTY_REFUSED = {
    **dict.fromkeys(
        [
            "bool",
            "cidr",
            "float4",
            "float8",
            "inet",
            "int2",
            "int4",
            "int8",
            "json",
            "jsonb",
            "macaddr",
            "numeric",
            "oid",
            "uuid",
        ],
        "22P02",
    ),
    **dict.fromkeys(["date", "interval", "time", "timestamp", "timestamptz", "timetz"], "22007"),
}


def empty_refused(target: str) -> str | None:
    """The SQLSTATE ``''::target`` fails with, "" when it does not fail, None
    when ``target`` is not judged."""
    if target.startswith(_ENUM):
        return "22P02"
    if target not in FAMILIES:
        return None
    return _EMPTY_REFUSED.get(target, "")


#: The object identifier types whose input and output read the catalog.
REG_TYPES = frozenset(
    {
        "regclass",
        "regconfig",
        "regdictionary",
        "regtype",
        "regproc",
        "regprocedure",
        "regoper",
        "regoperator",
        "regnamespace",
        "regrole",
        "regcollation",
    }
)
_TEXTS = frozenset({"text", "varchar", "bpchar", "name"})


#: Types whose length or precision may grow without the table being rewritten
#: (their typmod coercion is a no-op then: varchar_support, numeric_support …).
_WIDENED_IN_PLACE = frozenset({"varchar", "numeric", "time", "timetz", "timestamp", "timestamptz"})
#: Changes PostgreSQL makes without touching a row: the two types share their
#: binary form (``pg_cast`` method ``b``), written without a length or precision.
_RELABELLED = frozenset({("varchar", "text"), ("text", "varchar")})


def rewrites(
    source: str,
    source_mods: tuple[int, ...] | None,
    target: str,
    target_mods: tuple[int, ...] | None,
) -> bool | None:
    """Whether ``ALTER COLUMN … TYPE`` without USING, from ``source`` (with its
    typmods as written) to ``target``, rewrites the table and its indexes
    (None when not judged). ``varchar(20)`` to ``varchar(40)`` or ``text``,
    ``numeric(10,2)`` to ``numeric(12,2)`` only change the catalog."""
    if not source or not target or source_mods is None or target_mods is None:
        return None
    if source == target:
        if source_mods == target_mods or not target_mods:
            return False  # the same type, or its unconstrained form
        if source not in _WIDENED_IN_PLACE or not source_mods:
            return True
        if source == "numeric":
            scale = source_mods[1] if len(source_mods) > 1 else 0
            if (target_mods[1] if len(target_mods) > 1 else 0) != scale:
                return True
        return target_mods[0] < source_mods[0]
    return not ((source, target) in _RELABELLED and not target_mods)


def cast_immutable(source: str, target: str) -> bool | None:
    """Whether ``value::target`` of a ``source`` value is IMMUTABLE (an index
    or a generated column may use it); None when either is not judged. An
    enum's label, and an object identifier's name, are read from the catalog
    both ways: between them and text no cast is."""
    for one, other in ((source, target), (target, source)):
        if one in _TEXTS and (other.startswith(_ENUM) or other in REG_TYPES):
            return False
    if source not in FAMILIES or target not in FAMILIES:
        return None
    return (source, target) not in _NOT_IMMUTABLE


def key_equality(referencing: str, referenced: str) -> bool | None:
    """Whether a foreign key from a column of ``referencing`` type to one of
    ``referenced`` type can compare them; None when either is not judged."""
    if not (_judged(referencing) and _judged(referenced)):
        return None
    if referencing.startswith(_ENUM) or referenced.startswith(_ENUM):
        return referencing == referenced
    family = FAMILIES[referenced]
    return bool(
        referencing == referenced
        or (family and FAMILIES[referencing] == family)
        or (referencing, referenced) in _IMPLICIT
    )


#: The built-in types each index access method has a default operator class
#: for (PostgreSQL 18's, with the types binary-coercible to one: varchar uses
#: text's, cidr inet's). An index on a column of another type needs the
#: operator class named (42704).
_NO_DEFAULT = {"json", "xml"}
_DEFAULT_OPCLASS = {
    "btree": frozenset(FAMILIES) - _NO_DEFAULT,
    "hash": frozenset(FAMILIES) - _NO_DEFAULT - {"money", "bit", "varbit"},
    "brin": frozenset(FAMILIES) - _NO_DEFAULT - {"bool", "jsonb", "money"},
    "gin": frozenset({"jsonb"}),
    "gist": frozenset(),
    "spgist": frozenset({"text", "varchar", "inet", "cidr"}),
}


def default_opclass(method: str, type_name: str) -> bool | None:
    """Whether an index ``USING method`` on a column of ``type_name`` finds an
    operator class by itself; None when either is not judged."""
    known = _DEFAULT_OPCLASS.get(method)
    if known is None or not _judged(type_name):
        return None
    if type_name.startswith(_ENUM):
        return method in ("btree", "hash")  # anyenum's
    return type_name in known
