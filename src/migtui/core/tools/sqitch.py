"""sqitch: its registry schema ``sqitch``; ``changes`` has a row per deployed
change (named by an id sqitch computes from the plan: a SHA-1 of the change's
project, name, parent, planner, date, dependencies and note) with the SHA-1 of
its deploy script, ``dependencies`` and ``tags`` go with it, and ``events``
logs every deploy, revert and failure. migtui reads it, and writes a deploy or
a revert the way sqitch does, ids included, so ``sqitch status`` and
``sqitch deploy`` agree with what migtui ran.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from migtui.core.model import (
    SCHEMA,
    TABLE,
    Migration,
    ObjectRef,
    Problem,
    Section,
)
from migtui.core.project import MigrationInfo
from migtui.core.tools.base import Sql, ToolLedger, ToolRun, ToolState
from migtui.core.tools.reading import (
    Read,
    Source,
    Where,
    read_source,
    whole_file,
)
from migtui.core.versions import Version


class Sqitch(ToolLedger):
    tool = "sqitch"
    layout = "sqitch"
    table = "sqitch.changes"
    columns = frozenset({"change_id", "script_hash", "change", "project"})

    def key(self, info: MigrationInfo) -> str:
        return info.migration.name

    def select(self, table: str) -> str:
        events = _sibling(table, "events")
        return (
            f"SELECT change_id, change, script_hash, committed_at::text, 'deploy' FROM {table}"
            f" UNION ALL SELECT e.change_id, e.change, NULL, e.committed_at::text, e.event"
            f" FROM {events} e WHERE e.event = 'fail' AND NOT EXISTS"
            f" (SELECT 1 FROM {table} c WHERE c.change_id = e.change_id)"
        )

    def states(self, rows, infos, root=None):
        ids = _ids_by_version(root) if root is not None else {}
        deployed = {r[0]: r for r in rows if r[4] == "deploy"}
        by_name = {r[1]: r for r in rows if r[4] == "deploy"}
        failed_ids = {r[0] for r in rows if r[4] == "fail"}
        failed_names = {r[1] for r in rows if r[4] == "fail"}
        out: dict[str, ToolState] = {}
        for info in infos:
            change_id = ids.get(info.version)
            # the plan's id names the change exactly (a reworked change has one
            # per rework); without the plan, its name does
            row = deployed.get(change_id) if change_id else by_name.get(self.key(info))
            if row is None:
                gone = change_id in failed_ids if change_id else self.key(info) in failed_names
                if gone:
                    out[info.version] = ToolState(applied=False, failed=True)
                continue
            stored = row[2]
            up = info.migration.up
            matches = None
            if stored and up is not None:
                try:
                    matches = hashlib.sha1(up.path.read_bytes()).hexdigest() == stored
                except OSError:
                    matches = None
            out[info.version] = ToolState(
                applied=True, checksum=stored, matches=matches, applied_at=row[3]
            )
        return out

    def record(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        entry = _entry_for(run.root, info)
        schema = _sibling(table, "")[:-1]
        who = _committer()
        up = info.migration.up
        try:
            script_hash = hashlib.sha1(up.path.read_bytes()).hexdigest() if up else None
        except OSError:
            script_hash = None
        planned = (entry.planned_at, entry.planner_name, entry.planner_email)
        sql: list[Sql] = [
            (
                f"INSERT INTO {schema}.projects (project, uri, creator_name, creator_email)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (entry.project, entry.uri, *who),
            ),
            (
                f"INSERT INTO {table} (change_id, script_hash, change, project, note,"
                " committer_name, committer_email, planned_at, planner_name, planner_email)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (entry.id, script_hash, entry.name, entry.project, entry.note, *who, *planned),
            ),
        ]
        for dependency in entry.requires:
            other_project, change = _dependency_target(dependency, entry.project)
            sql.append(
                (
                    f"INSERT INTO {schema}.dependencies (change_id, type, dependency,"
                    f" dependency_id) SELECT %s, 'require', %s, change_id FROM {table}"
                    " WHERE project = %s AND change = %s ORDER BY committed_at DESC LIMIT 1",
                    (entry.id, dependency, other_project, change),
                )
            )
        for dependency in entry.conflicts:
            sql.append(
                (
                    f"INSERT INTO {schema}.dependencies (change_id, type, dependency)"
                    " VALUES (%s, 'conflict', %s)",
                    (entry.id, dependency),
                )
            )
        for tag in entry.tags:
            sql.append(
                (
                    f"INSERT INTO {schema}.tags (tag_id, tag, project, change_id, note,"
                    " committer_name, committer_email, planned_at, planner_name, planner_email)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        tag.id,
                        f"@{tag.name}",
                        entry.project,
                        entry.id,
                        tag.note,
                        *who,
                        tag.planned_at,
                        tag.planner_name,
                        tag.planner_email,
                    ),
                )
            )
        sql.append(_event(schema, "deploy", entry, who))
        return sql

    def forget(self, table: str, info: MigrationInfo, run: ToolRun) -> list[Sql]:
        entry = _entry_for(run.root, info)
        schema = _sibling(table, "")[:-1]
        return [
            (f"DELETE FROM {schema}.tags WHERE change_id = %s", (entry.id,)),
            (f"DELETE FROM {schema}.dependencies WHERE change_id = %s", (entry.id,)),
            (f"DELETE FROM {table} WHERE change_id = %s", (entry.id,)),
            _event(schema, "revert", entry, _committer()),
        ]


def _sibling(table: str, name: str) -> str:
    """Another table of the registry that holds ``table``."""
    return table.rsplit(".", 1)[0] + "." + name if "." in table else name


def _event(schema: str, event: str, entry: _Entry, who: tuple[str, str]) -> Sql:
    return (
        f"INSERT INTO {schema}.events (event, change_id, change, project, note, requires,"
        " conflicts, tags, committer_name, committer_email, planned_at, planner_name,"
        " planner_email) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            event,
            entry.id,
            entry.name,
            entry.project,
            entry.note,
            list(entry.requires),
            list(entry.conflicts),
            [f"@{t.name}" for t in entry.tags],
            *who,
            entry.planned_at,
            entry.planner_name,
            entry.planner_email,
        ),
    )


def _committer() -> tuple[str, str]:
    """Who deploys, as sqitch guesses when no user.name is configured."""
    import getpass
    import socket

    user = getpass.getuser()
    return user, f"{user}@{socket.gethostname()}"


def _dependency_target(dependency: str, project: str) -> tuple[str, str]:
    """(project, change) a ``[dependency]`` names: ``other:change@tag`` → other, change."""
    other, _, rest = dependency.rpartition(":")
    change = rest.split("@", 1)[0]
    return other or project, change


# -- the ids sqitch gives changes and tags


_PLAN_LINE = re.compile(
    r"^(?P<op>[+-]?)(?P<name>@?[^\s\[\]@#:%+-][^\s\[\]@#:%]*)\s*"
    r"(?:\[(?P<deps>[^\]]*)\]\s*)?"
    r"(?P<date>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\s+"
    r"(?P<planner>[^<]*?)\s*<(?P<email>[^>]*)>\s*(?:#\s*(?P<note>.*))?$"
)


@dataclass(frozen=True)
class _Tag:
    id: str
    name: str
    note: str
    planned_at: str
    planner_name: str
    planner_email: str


@dataclass(frozen=True)
class _Entry:
    """A change of the plan as sqitch's registry records it."""

    id: str
    name: str
    project: str
    uri: str | None
    note: str
    planned_at: str
    planner_name: str
    planner_email: str
    requires: tuple[str, ...]
    conflicts: tuple[str, ...]
    tags: tuple[_Tag, ...]


def _object_id(kind: str, info: str) -> str:
    """sqitch's ids: a SHA-1 over ``<kind> <length>\\0<info>``, as git names objects."""
    data = info.encode("utf-8")
    return hashlib.sha1(f"{kind} {len(data)}".encode() + b"\0" + data).hexdigest()


#: The plan's file: sqitch's, or pgpm's (the same format under its own name)
PLAN_FILES = ("sqitch.plan", "pgpm.plan")


def plan_file(root: Path) -> Path:
    """The project's plan: ``sqitch.plan``, else pgpm's ``pgpm.plan``."""
    for name in PLAN_FILES:
        if (root / name).is_file():
            return root / name
    return root / PLAN_FILES[0]


def registry_entries(root: Path) -> list[_Entry]:
    """Every change of ``root``'s sqitch.plan, in order, with the ids sqitch gives it."""
    try:
        text = plan_file(root).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    project, uri = "", None
    entries: list[dict] = []
    parent: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("%"):
            key, _, value = line[1:].partition("=")
            if key.strip() == "project":
                project = value.strip()
            elif key.strip() == "uri":
                uri = value.strip()
            continue
        found = _PLAN_LINE.match(line)
        if found is None or found.group("op") == "-":
            continue
        note = (found.group("note") or "").strip()
        planner = found.group("planner").strip()
        email = found.group("email").strip()
        date = found.group("date")
        if found.group("name").startswith("@"):
            if not entries:
                continue
            owner = entries[-1]
            info = [f"project {project}"] + ([f"uri {uri}"] if uri else [])
            info += [f"tag {found.group('name')}", f"change {owner['id']}"]
            info += [f"planner {planner} <{email}>", f"date {date}"]
            info += ["", note] if note else []
            tag = _Tag(
                _object_id("tag", "\n".join(info)),
                found.group("name")[1:],
                note,
                date,
                planner,
                email,
            )
            owner["tags"].append(tag)
            continue
        deps = (found.group("deps") or "").split()
        requires = [d for d in deps if not d.startswith("!")]
        conflicts = [d[1:] for d in deps if d.startswith("!")]
        info = [f"project {project}"] + ([f"uri {uri}"] if uri else [])
        info += [f"change {found.group('name')}"]
        info += [f"parent {parent}"] if parent else []
        info += [f"planner {planner} <{email}>", f"date {date}"]
        if requires:
            info += ["requires", *(f"  + {d}" for d in requires)]
        if conflicts:
            info += ["conflicts", *(f"  - {d}" for d in conflicts)]
        info += ["", note] if note else []
        change_id = _object_id("change", "\n".join(info))
        entries.append(
            {
                "id": change_id,
                "name": found.group("name"),
                "project": project,
                "uri": uri,
                "note": note,
                "planned_at": date,
                "planner_name": planner,
                "planner_email": email,
                "requires": tuple(requires),
                "conflicts": tuple(conflicts),
                "tags": [],
            }
        )
        parent = change_id
    return [_Entry(**{**e, "tags": tuple(e["tags"])}) for e in entries]


def _ids_by_version(root: Path) -> dict[str, str]:
    """migtui's version of each change (its position in the plan) → sqitch's id."""
    return {str(n): e.id for n, e in enumerate(registry_entries(root), 1)}


def _entry_for(root: Path | None, info: MigrationInfo) -> _Entry:
    entries = registry_entries(root) if root is not None else []
    position = int(info.migration.version.raw)
    if not 0 < position <= len(entries) or entries[position - 1].name != info.migration.name:
        raise ValueError(f"change {info.migration.name} is not in sqitch.plan as read")
    return entries[position - 1]


# -- the layout

#: The layout name migtui gives this tool's folders.
LAYOUT = "sqitch"
#: How its folders look, for messages.
SHAPE = "a sqitch.plan file"
#: What to do about a migration without a down section.
DOWN_HINT = "add a revert/ script for the change"


# -- reading its folders

#: The registry sqitch creates in the target before deploying anything.
SQITCH_REGISTRY = (
    ObjectRef(SCHEMA, None, "sqitch"),
    *(
        ObjectRef(TABLE, "sqitch", name)
        for name in ("releases", "projects", "changes", "tags", "dependencies", "events")
    ),
)


_SQITCH_DATE = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
_SQITCH_CHANGE = re.compile(
    r"^(?P<op>[+-]?)(?P<name>[^\s\[\]@#:%+-][^\s\[\]@#:%]*)\s*"
    r"(?:\[(?P<deps>[^\]]*)\]\s*)?"
    rf"(?P<date>{_SQITCH_DATE})\s+[^<]*<[^>]*>\s*(?:#.*)?$"
)
_SQITCH_TAG = re.compile(rf"^@(?P<name>[^\s@#:%]+)\s+{_SQITCH_DATE}\s+[^<]*<[^>]*>\s*(?:#.*)?$")


@dataclass(frozen=True)
class _PlanChange:
    name: str
    deps: tuple[str, ...]
    line: int
    position: int  # 1-based among changes: the version


@dataclass(frozen=True)
class _PlanTag:
    name: str
    line: int
    after: int  # how many changes come before the tag


@dataclass(frozen=True)
class _Plan:
    project: str | None
    changes: tuple[_PlanChange, ...]
    tags: tuple[_PlanTag, ...]


def read(root: Path) -> Read:
    read = Read()
    where = Where(root, plan_file(root))
    source = read_source(where)
    if isinstance(source, Problem):
        read.problems.append(source)
        return read
    plan = _parse_plan(source, where, read.problems)
    latest: dict[str, str] = {}  # change name -> version of its newest occurrence so far
    at_tag: dict[str, dict[str, str]] = {}  # tag -> that mapping as it was at the tag
    for change in plan.changes:
        for tag in plan.tags:
            if tag.after == change.position - 1:
                at_tag[tag.name] = dict(latest)
        script = _sqitch_script_name(change, plan, where, read.problems)
        if not _inside(root, script):
            message = f"change {change.name} names scripts outside the project folder"
            hint = "name changes without '..' or a leading '/': their scripts live in deploy/"
            read.problems.append(where.problem("parse_error", message, hint, change.line))
            continue
        requires = _sqitch_requires(change, plan.project, latest, at_tag, where, read.problems)
        read.migrations.append(_sqitch_migration(root, change, script, requires))
        latest[change.name] = str(change.position)
    return read


def _parse_plan(source: Source, where: Where, problems: list[Problem]) -> _Plan:
    project: str | None = None
    changes: list[_PlanChange] = []
    tags: list[_PlanTag] = []
    for index, raw in enumerate(source.lines):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("%"):
            key, _, value = line[1:].partition("=")
            project = value.strip() if key.strip() == "project" else project
        elif tag := _SQITCH_TAG.match(line):
            tags.append(_PlanTag(tag.group("name"), index + 1, len(changes)))
        elif (change := _SQITCH_CHANGE.match(line)) and change.group("op") != "-":
            deps = tuple((change.group("deps") or "").split())
            changes.append(_PlanChange(change.group("name"), deps, index + 1, len(changes) + 1))
        else:
            message = f"not a change or tag line: {line[:60]}"
            hint = "write changes as: name [deps] 2024-01-01T00:00:00Z Your Name <you@example.com> # note"
            problems.append(where.problem("parse_error", message, hint, index + 1))
    return _Plan(project, tuple(changes), tuple(tags))


def _inside(root: Path, script: str) -> bool:
    """Whether every script of a change stays in the project's folders (a plan
    line like ``../../outside/x`` must never make migtui read another file)."""
    base = root.resolve()
    return all(
        (root / folder / f"{script}.sql").resolve().is_relative_to(base / folder)
        for folder in ("deploy", "revert", "verify")
    )


def _sqitch_script_name(
    change: _PlanChange, plan: _Plan, where: Where, problems: list[Problem]
) -> str:
    """A reworked change's older scripts are named ``name@tag.sql`` after the
    first tag that follows it; the newest keeps ``name.sql``."""
    later = next(
        (c for c in plan.changes if c.name == change.name and c.position > change.position), None
    )
    if later is None:
        return change.name
    following = next((t for t in plan.tags if t.after >= change.position), None)
    if following is None or following.after >= later.position:
        message = f"change {change.name} appears again on line {later.line} with no tag between"
        hint = "tag the plan before reworking a change (sqitch tag, then sqitch rework)"
        problems.append(
            replace(where, migration=str(later.position)).problem(
                "parse_error", message, hint, later.line
            )
        )
        return change.name
    return f"{change.name}@{following.name}"


def _sqitch_requires(
    change: _PlanChange,
    project: str | None,
    latest: dict[str, str],
    at_tag: dict[str, dict[str, str]],
    where: Where,
    problems: list[Problem],
) -> tuple[str, ...]:
    """Versions of the changes named in ``[deps]``; conflicts (``!x``) and other
    projects' changes are not prerequisites found in this folder."""
    requires: list[str] = []
    for dep in change.deps:
        if dep.startswith("!"):
            continue
        other_project, sep, name = dep.rpartition(":")
        if sep and other_project != project:
            continue
        name, _, tag = name.partition("@")
        known = at_tag.get(tag, {}) if tag else latest
        if name in known:
            requires.append(known[name])
            continue
        message = f"change {change.name} requires {dep}, which is not earlier in the plan"
        hint = "list only changes (or change@tag) planned before this one"
        problems.append(
            replace(where, migration=str(change.position)).problem(
                "parse_error", message, hint, change.line
            )
        )
    return tuple(requires)


def _sqitch_migration(
    root: Path, change: _PlanChange, script: str, requires: tuple[str, ...]
) -> Migration:
    version = str(change.position)
    deploy = root / "deploy" / f"{script}.sql"
    where = Where(root, deploy, version)
    problems: list[Problem] = []
    sections: dict[str, Section | None] = {}
    for kind, folder in (("up", "deploy"), ("down", "revert"), ("verify", "verify")):
        path = root / folder / f"{script}.sql"
        if path.is_file():
            sections[kind], _ = whole_file(kind, where.at(path), problems)
        elif kind == "up":
            message = f"deploy/{script}.sql is missing for change {change.name}"
            hint = f"add deploy/{script}.sql (sqitch add {change.name} creates it)"
            problems.append(where.problem("missing_file", message, hint))
    return Migration(
        Version(version),
        change.name,
        deploy,
        "sqitch",
        up=sections.get("up"),
        down=sections.get("down"),
        verify=sections.get("verify"),
        declared_requires=requires,
        read_problems=tuple(problems),
    )


#: What the tool creates in the target before the first migration runs.
ASSUMED: tuple[ObjectRef, ...] = SQITCH_REGISTRY
