"""Reading a migration folder in any of twenty-three layouts into ``Migration`` values.

Here: detecting the layout, and the checks every layout gets (duplicate
versions, empty up, missing down, code migrations). Each tool's own reader
lives in its module in ``core.tools`` (``core.tools.reading`` holds what they
share: decoding files — UTF-8, BOM stripped, the first bad byte named — and
placing every section in its file, line and byte offset). A broken file
becomes a ``Problem``; it never stops the rest of the folder being read.

Naming rules:

* ``native`` (dbmate-compatible): ``0001_users.sql``, ``0013_5_base_tables.sql``,
  ``20240101120000_add_x.sql``, ``20240101120000-add-x.sql``. The version is the
  leading run of digit groups joined by ``_``: every all-digit group right after
  the first number belongs to the version, so ``0013_5_base_tables`` is version
  ``0013_5``, name ``base_tables`` (and ``0001_2024_cleanup`` is version
  ``0001_2024``). A ``-`` after the version starts the name, as dbmate allows.
  Sections: ``-- migrate:up [transaction:false]``, ``-- migrate:down``,
  ``-- migrate:verify``; a file without markers is all up. ``0001_x.rollback.sql``
  (or ``0001_x.down.sql``) beside ``0001_x.sql`` is its down section.
* ``golang-migrate``: ``1_users.up.sql`` and ``1_users.down.sql``.
* ``goose``: ``00001_users.sql`` with ``-- +goose Up`` / ``-- +goose Down``;
  ``00002_x.go`` Go migrations run between them (reported, and listed in
  ``LoadResult.code_migrations``).
* ``diesel``: folders ``2024-01-01-120000_users/`` (or ``20170309122510_users/``)
  holding ``up.sql``, ``down.sql`` and maybe ``metadata.toml``. The version is
  the folder name before the first ``_`` with dashes removed, as diesel records it,
  and versions order as text, as diesel orders them.
* ``flyway``: ``V1__x.sql``, ``V1.1__x.sql``, ``V1_1__x.sql`` (``_`` in a version
  is ``.``), ``U1__x.sql`` undoes V1, ``R__x.sql`` are repeatables. A repeatable's
  version text is ``R__<description>``; it sorts after every numbered version.
  Subfolders are read too, as flyway does. Java migrations (``V3__x.java``,
  ``V3__x.class``) run between the scripts (reported, and listed in
  ``LoadResult.code_migrations``).
* ``sqitch``: ``sqitch.plan`` with ``deploy/``, ``revert/``, ``verify/`` scripts.
  The version is the change's position in the plan (``1``, ``2``, …).
* ``prisma``: folders ``20240101120000_name/`` holding ``migration.sql`` (and,
  written by hand, ``down.sql``). The version is the folder's whole name, as
  Prisma knows it, ordered as text.
* ``sqlx``: ``20240101120000_name.sql``, or ``.up.sql``/``.down.sql`` pairs, in a
  crate that depends on sqlx; ``-- no-transaction`` as the first line runs a
  file outside a transaction.
* ``sql-migrate``: ``1_users.sql`` with ``-- +migrate Up`` / ``-- +migrate Down``
  (``notransaction`` after either runs it outside a transaction).
* ``atlas``: ``20240101120000_name.sql`` beside an ``atlas.sum``, all up;
  ``-- atlas:txmode none`` runs a file outside a transaction.

* ``tern``: ``001_name.sql`` with the up SQL above ``---- create above / drop
  below ----`` and the down SQL under it (``---- tern: disable-tx ----`` first
  runs it outside a transaction).
* ``supabase``: ``supabase/migrations/20240101120000_name.sql`` beside the CLI's
  ``supabase/config.toml`` (or, without it, timestamped files with no dbmate
  markers; anywhere, such files that use the platform's auth objects or API roles
  and never make its ``auth`` schema), all up; the platform's own schemas, tables and roles
  (``auth.users``, ``storage.objects``, ``anon`` …) exist before the first.
* ``node-pg-migrate``: ``1700000000000_name.sql`` with ``-- Up Migration`` and
  ``-- Down Migration`` lines (see ``core.tools.node_pg_migrate``); its JavaScript and
  TypeScript migrations run between them, unseen.
* ``pop``: ``20191100000001000000_name.postgres.up.sql`` (and ``.down.sql``); a file
  for another database (``.mysql.``, ``.sqlite3.``, ``.cockroach.``) never runs, one
  without a database runs when PostgreSQL has none of its own (see ``core.tools.pop``).
* ``drizzle``: ``0000_name.sql`` files listed, in their run order, by
  ``meta/_journal.json`` (drizzle-kit's journal); all up. The version is the
  file name's leading number (see ``core.tools.drizzle``).
* ``migratus``: ``20240101120000-name.up.sql`` and ``.down.sql`` (a dash after the
  id); ``-- :disable-transaction`` first runs a file outside a transaction, ``.edn``
  migrations run between them, unseen (see ``core.tools.migratus``).
* ``db-migrate``: ``20240101120000-name.js`` files whose SQL is
  ``sqls/20240101120000-name-up.sql`` and ``-down.sql`` (see ``core.tools.db_migrate``);
  a JavaScript migration without them runs between them, unseen.
* ``postgrator``: ``001.do.name.sql`` and ``001.undo.name.sql`` (see
  ``core.tools.postgrator``); its ``.do.js`` migrations run between them, unseen.
* ``refinery``: ``V1__name.sql`` and ``U2__name.sql`` in a crate that depends on
  refinery (see ``core.tools.refinery``), all up; its ``.rs`` migrations run between
  them, unseen.
* ``shmig``: ``1639160000-name.sql`` with ``-- ====  UP  ====`` and
  ``-- ==== DOWN ====`` lines (see ``core.tools.shmig``).
* ``graphile-migrate``: ``committed/000001.sql`` files starting with ``--! Previous:``
  and ``--! Hash:`` lines, all up, placeholders replaced (see ``core.tools.graphile_migrate``).
* ``yoyo``: ``<id>.sql`` files (any name: yoyo orders them by name and by their
  ``-- depends:`` lines) beside a ``yoyo.ini``, or carrying those lines; ``<id>.rollback.sql``
  undoes each (see ``core.tools.yoyo``).
* ``liquibase``: a changelog (XML, YAML or JSON) that includes formatted SQL
  files (``--liquibase formatted sql``, ``--changeset author:id``), or such files
  alone; each changeset is a migration, its version its place in the run order
  (see ``core.tools.liquibase``).

Every layout but sqitch also reads ``-- requires: 0008 0013_5`` comment lines
(in the header or the up section) as declared prerequisites.

Each layout's tool creates its own ledger before the first migration runs (and
diesel some helpers too): those objects are ``LoadResult.assumed``.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from migtui.core.flyway_config import custom_naming
from migtui.core.folder import LayoutError
from migtui.core.model import (
    Migration,
    ObjectRef,
    Problem,
    Severity,
)
from migtui.core.tools import (
    MODULES,
    atlas,
    db_migrate,
    dbmate,
    diesel,
    drizzle,
    flyway,
    golang_migrate,
    goose,
    graphile_migrate,
    liquibase,
    migratus,
    node_pg_migrate,
    pop,
    postgrator,
    prisma,
    refinery,
    shmig,
    sqitch,
    sql_migrate,
    sqlx,
    supabase,
    tern,
    yoyo,
)
from migtui.core.tools.reading import (
    PREREAD,
    Read,
    Where,
    files_in,
    folders_in,
    has_sql,
    relative,
)
from migtui.core.versions import Version, version_for

LAYOUTS = tuple(m.LAYOUT for m in MODULES)

#: What each layout's own tool creates before the first migration runs: its
#: ledger table (and diesel's helpers), so a migration that reads or alters it
#: needs nothing.
TOOL_OBJECTS: dict[str, tuple[ObjectRef, ...]] = {m.LAYOUT: m.ASSUMED for m in MODULES}
#: What a layout's platform makes (Supabase's ``auth.users``…), among the
#: above: there only when the target is that platform.
PLATFORM_OBJECTS: dict[str, tuple[ObjectRef, ...]] = {
    m.LAYOUT: getattr(m, "PLATFORM", ()) for m in MODULES
}


@dataclass(frozen=True)
class LoadResult:
    """A migration folder as read from disk."""

    layout: str
    root: Path
    #: In run order: natural version order (sqitch: plan order).
    migrations: tuple[Migration, ...]
    #: Flyway's R__ migrations, which run after the numbered ones whenever they change.
    repeatables: tuple[Migration, ...]
    problems: tuple[Problem, ...]
    #: Objects the layout's own tool creates before the first migration runs: its
    #: ledger table (and diesel's helpers).
    assumed: tuple[ObjectRef, ...] = ()
    #: Migrations written in code (goose ``.go``, flyway Java), in version order, as
    #: (version as text, file relative to root). They run in version order between
    #: the SQL migrations, and migtui cannot see what they create.
    code_migrations: tuple[tuple[str, str], ...] = ()
    #: The search_path each migration starts with, as the layout's tool runs it
    #: (flyway puts its default schema first).
    search_path: tuple[str, ...] = ("public",)
    #: The environment's variables the reading looked up, and their values.
    environment: tuple[tuple[str, str | None], ...] = ()
    #: Those of ``assumed`` that the layout's platform makes, not its tool: a
    #: target that is not that platform lacks them.
    platform: tuple[ObjectRef, ...] = ()


def detect_layout(root: Path) -> str:
    """The layout of the migrations in ``root``.

    Raises LayoutError naming the folder when it is missing or nothing in it
    looks like migrations.
    """
    root = Path(root)
    _check_folder(root)
    found = _detect(root)
    if found is None:
        deeper = _liquibase_below(root)
        if deeper is not None:
            raise LayoutError(
                f"{root}: no migrations here, but a Liquibase changelog is in {deeper}: "
                "point --dir at that folder"
            )
        nested = _nested_migration_folder(root)
        suggestion = f"; did you mean {nested}?" if nested is not None else ""
        raise LayoutError(
            f"{root}: no migrations found; expected files like 0001_name.sql (native/dbmate), "
            "1_name.up.sql (golang-migrate), V1__name.sql (flyway), "
            f"2024-01-01-120000_name/up.sql (diesel) or a sqitch.plan{suggestion}"
        )
    return found


def load(root: Path, layout: str | None = None) -> LoadResult:
    """Read every migration in ``root``, detecting the layout unless one is given."""
    root = Path(root)
    _check_folder(root)
    token = PREREAD.set({})
    try:
        if layout is None:
            layout = detect_layout(root)
        elif layout not in LAYOUTS:
            raise LayoutError(
                f"{root}: unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}"
            )
        read = _READERS[layout](root)
    finally:
        PREREAD.reset(token)
    if not read.migrations and not read.repeatables:
        said = any(p.severity is Severity.ERROR for p in read.problems)
        _refuse_forced_mismatch(root, layout, said=said)
    return _finish(root, layout, read)


_LAYOUT_SHAPES = {m.LAYOUT: m.SHAPE for m in MODULES}


def _check_folder(root: Path) -> None:
    if not root.exists():
        raise LayoutError(f"{root}: migration folder does not exist")
    if not root.is_dir():
        raise LayoutError(f"{root}: is a file, not a migration folder")
    try:
        next(root.iterdir(), None)
    except OSError as exc:
        raise LayoutError(f"{root}: migration folder cannot be read ({exc.strerror})") from exc


def _mostly_plain(files: list[Path], pairs: int) -> bool:
    """More numbered .sql files that are no up or down file, and carry no
    tool's markers, than versions in up/down pairs: sqlx runs both kinds side
    by side, where golang-migrate would never run the plain ones."""
    plain = [
        p
        for p in files
        if sqlx.SQLX_NAME.match(p.name) and not golang_migrate.GOLANG_NAME.match(p.name)
    ]
    if len(plain) <= pairs:
        return False
    return not (dbmate.has_markers(plain) or goose.looks_like_goose(plain))


def _detect(root: Path) -> str | None:
    if any((root / name).is_file() for name in sqitch.PLAN_FILES):
        return "sqitch"
    files = files_in(root)
    if liquibase.looks_like_liquibase(root, files) is not None:
        return "liquibase"
    if supabase.looks_like_supabase(root):
        return "supabase"
    if drizzle.looks_like_drizzle(root):
        return "drizzle"
    if (root / "migration_lock.toml").is_file() or any(
        prisma.PRISMA_FOLDER.match(p.name) and (p / "migration.sql").is_file()
        for p in folders_in(root)
    ):
        return "prisma"
    if any(
        diesel.DIESEL_FOLDER.match(p.name) and (p / "up.sql").is_file() for p in folders_in(root)
    ):
        return "diesel"
    names = [p.name for p in files]
    if any(refinery.REFINERY_NAME.match(n) for n in names) and refinery.uses_refinery(root):
        return "refinery"  # named like flyway's, in a Rust crate that depends on refinery
    if any(flyway.NAMING.any(n) for n in names):
        return "flyway"
    naming = custom_naming(root) if any("__" in n for n in names) else None
    if naming is not None and any(naming.any(n) for n in names):
        return "flyway"  # named as its configuration says (an empty V prefix)
    if not files and _flyway_in_subfolders(root):
        return "flyway"
    if sqlx.uses_sqlx(root) and any(sqlx.SQLX_NAME.match(n) for n in names):
        return "sqlx"
    if pop.looks_like_pop(files):
        return "pop"
    if migratus.looks_like_migratus(files):
        return "migratus"
    if db_migrate.looks_like_db_migrate(root, files):
        return "db-migrate"
    if postgrator.looks_like_postgrator(files):
        return "postgrator"
    # (a version with only a down file is no pair: 0001_x.down.sql beside a plain
    # 0001_x.sql undoes it, as the native reader takes it)
    pairs = {
        m.group(1)
        for n in names
        if (m := golang_migrate.GOLANG_NAME.match(n)) and m.group(3) == "up"
    }
    if pairs and _mostly_plain(files, len(pairs)):
        return "sqlx"  # sqlx's simple files beside its reversible pairs
    if pairs:
        return "golang-migrate"
    if yoyo.looks_like_yoyo(root, files):
        return "yoyo"
    versioned = [p for p in files if dbmate.DBMATE_NAME.match(p.name)]
    if not versioned:
        return None
    if goose.looks_like_goose(versioned):
        return "goose"
    if shmig.looks_like_shmig(versioned):
        return "shmig"
    if graphile_migrate.looks_like_graphile_migrate(versioned):
        return "graphile-migrate"
    if tern.looks_like_tern(versioned):
        return "tern"
    if node_pg_migrate.looks_like_node_pg_migrate(versioned):
        return "node-pg-migrate"
    if sql_migrate.looks_like_sql_migrate(versioned):
        return "sql-migrate"
    # Atlas keeps an atlas.sum beside any format it writes (golang-migrate's
    # pairs, goose's, flyway's…): only plain files without markers are its own
    if (root / atlas.SUM_FILE).is_file() and not dbmate.has_markers(versioned):
        return "atlas"
    if supabase.looks_like_supabase_without_config(root, versioned):
        return "supabase"
    if supabase.looks_like_supabase_by_content(versioned):
        return "supabase"
    return "native"


_NOT_MIGRATION_FOLDERS = frozenset({"node_modules", "venv", "target", "build", "dist"})


def _flyway_in_subfolders(root: Path) -> bool:
    """A flyway location (``db/migration``) whose scripts all sit in folders
    below it (``0.0.1/V0.0.1.1__init.sql``): flyway reads a location's
    subfolders too."""
    if root.name not in ("migration", "migrations"):
        return False
    found = False
    for path in root.rglob("*.sql"):
        if any(part in _NOT_MIGRATION_FOLDERS for part in path.relative_to(root).parts):
            continue
        if not flyway.NAMING.any(path.name):
            return False
        found = True
    return found


def _nested_migration_folder(root: Path, depth: int = 2) -> Path | None:
    """A folder a level or two down that holds migrations (``db/migrations``),
    for a better message when the project root was given instead."""
    if depth == 0:
        return None
    try:
        children = [p for p in folders_in(root) if p.name not in _NOT_MIGRATION_FOLDERS]
    except OSError:
        return None
    for child in children:
        try:
            if _detect(child) is not None:
                return child
        except OSError:
            continue
    for child in children:
        if (found := _nested_migration_folder(child, depth - 1)) is not None:
            return found
    return None


def _liquibase_below(root: Path, depth: int = 5) -> Path | None:
    """The folder of a Liquibase changelog (or formatted SQL) up to five
    levels below ``root`` (Spring keeps it in ``src/main/resources/db/changelog``),
    for a message when the project's root was given."""
    looked = 0
    for folder, dirs, files in os.walk(root):
        level = len(Path(folder).relative_to(root).parts)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d not in _NOT_MIGRATION_FOLDERS
        )
        if level >= depth:
            dirs[:] = []
        for name in sorted(files):
            looked += 1
            if looked > 5000:
                return None
            lowered = name.lower()
            path = Path(folder) / name
            if "changelog" in lowered and path.suffix in (".xml", ".yaml", ".yml", ".json"):
                return path.parent
            if level and path.suffix == ".sql":
                try:
                    with path.open("rb") as f:
                        head = f.read(200).lower()
                except OSError:
                    continue
                if b"--liquibase formatted sql" in head:
                    return path.parent
    return None


def _refuse_forced_mismatch(root: Path, layout: str, said: bool = False) -> None:
    """A forced layout that finds nothing where another layout fits, or among
    SQL files of other names, is a mistake (unless the reader said why:
    ``said``); an empty folder is a new project, and fine."""
    found = _detect(root)
    if found is not None and found != layout:
        raise LayoutError(
            f"{root}: no {layout} migrations here ({_LAYOUT_SHAPES[layout]}); "
            f"the folder looks like {found}"
        )
    if found is None and (nested := _nested_migration_folder(root)) is not None:
        raise LayoutError(
            f"{root}: no {layout} migrations here ({_LAYOUT_SHAPES[layout]}); "
            f"did you mean {nested}?"
        )
    sql = [p.name for p in root.iterdir() if p.suffix == ".sql" and p.is_file()]
    if sql and not said:
        # SQL files, none of them this layout's: not a new project
        shown = ", ".join(sorted(sql)[:3]) + (" …" if len(sql) > 3 else "")
        raise LayoutError(
            f"{root}: no {layout} migrations here ({_LAYOUT_SHAPES[layout]}), but "
            f"{len(sql)} .sql file{'s' * (len(sql) != 1)} named otherwise ({shown})"
        )


_READERS = {m.LAYOUT: m.read for m in MODULES}

_DOWN_HINTS = {m.LAYOUT: m.DOWN_HINT for m in MODULES}


#: What only another database's SQL has: MySQL's AUTO_INCREMENT, ENGINE=,
#: backquoted names in a CREATE TABLE; SQLite's AUTOINCREMENT and PRAGMA.
_OTHER_DIALECT = re.compile(
    r"\bAUTO_INCREMENT\b|\bENGINE\s*=\s*\w+|CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`"
    r"|\bAUTOINCREMENT\b|^\s*PRAGMA\s+\w+",
    re.IGNORECASE | re.MULTILINE,
)


def _refuse_other_dialect(root: Path, migrations: list[Migration]) -> None:
    """A folder of MySQL or SQLite migrations is refused whole, with one
    message, rather than with a syntax error for every statement. The first
    fifty migrations tell (another database's folder shows it from the start)."""
    ups = [m.up.text for m in migrations[:50] if m.up is not None]
    if len(ups) < 2:
        return
    foreign = [text for text in ups if _OTHER_DIALECT.search(text)]
    if len(foreign) * 2 >= len(ups):
        example = _OTHER_DIALECT.search(foreign[0]).group(0).strip()  # type: ignore[union-attr]
        raise LayoutError(
            f"{root}: {len(foreign)} of the first {len(ups)} migrations are written for another "
            f"database (e.g. {example!r}, which is MySQL's or SQLite's); migtui reads "
            "PostgreSQL migrations only"
        )


def _finish(root: Path, layout: str, read: Read) -> LoadResult:
    _refuse_other_dialect(root, read.migrations)
    if layout in ("sqitch", "drizzle"):
        ordered = list(read.migrations)  # the plan's (the journal's) order is the run order
    else:
        ordered = sorted(read.migrations, key=lambda m: (m.version.order, m.version.raw, m.name))
    # flyway's undo scripts are an edition's feature few projects use, and
    # sqlx's simple migrations have none: a folder with no down at all writes
    # none by design, like Prisma's
    undoes = layout not in ("flyway", "sqlx", "native") or any(m.down is not None for m in ordered)
    # a native folder whose downs are files of their own (0001_x.rollback.sql):
    # a migration without one is told to get one, named as the others are
    undo_file = next(
        (
            m.down.path.name[len(m.path.stem) :]
            for m in ordered
            if layout in ("native", "yoyo")
            and m.down is not None
            and m.down.path != m.path
            and m.down.path.name.startswith(m.path.stem)
        ),
        ".rollback.sql" if layout == "yoyo" else None,
    )
    migrations = tuple(_with_content_checks(m, root, undoes, undo_file) for m in ordered)
    repeatables = tuple(
        _with_content_checks(m, root) for m in sorted(read.repeatables, key=lambda m: m.version)
    )
    problems = [p for m in migrations + repeatables for p in m.read_problems]
    problems.extend(_duplicate_versions(migrations, root))
    problems.extend(read.problems)
    code = sorted(read.code, key=lambda c: (_code_version(c[0], layout), c[1]))
    if layout != "liquibase":  # its reader says what each such changeset holds
        problems.extend(_code_migration(root, layout, raw, path) for raw, path in code)
    return LoadResult(
        layout=layout,
        root=root,
        migrations=migrations,
        repeatables=repeatables,
        problems=tuple(problems),
        assumed=TOOL_OBJECTS[layout] + read.assumed,
        code_migrations=tuple((raw, relative(path, root)) for raw, path in code),
        search_path=read.search_path,
        environment=read.environment,
        platform=PLATFORM_OBJECTS[layout],
    )


def _code_version(raw: str, layout: str) -> Version:
    return flyway.repeatable_version(raw[3:]) if raw.startswith("R__") else version_for(raw, layout)


_CODE_LANGUAGE = {
    ".go": "Go",
    ".java": "Java",
    ".kt": "Kotlin",
    ".class": "Java",
    ".fizz": "fizz",
    ".js": "JavaScript",
    ".cjs": "JavaScript",
    ".mjs": "JavaScript",
    ".ts": "TypeScript",
    ".cts": "TypeScript",
    ".mts": "TypeScript",
}


def _code_migration(root: Path, layout: str, raw: str, path: Path) -> Problem:
    """A migration written in code runs in its place among the SQL ones, unseen."""
    language = _CODE_LANGUAGE.get(path.suffix, "code")
    when = (
        "after the versioned migrations, whenever it changes"
        if raw.startswith("R__")
        else f"as version {raw}, in its place between the SQL migrations"
    )
    message = (
        f"{path.name} is a {language} migration: {layout} runs it {when}, "
        "and migtui cannot see what it does"
    )
    hint = (
        "if a later migration needs what it creates, add those objects to assume; "
        "or write the migration in SQL"
    )
    return Where(root, path, raw).problem("code_migration", message, hint)


def _with_content_checks(
    migration: Migration, root: Path, undoes: bool = True, undo_file: str | None = None
) -> Migration:
    """Add empty-up and missing-down warnings, unless a file could not be read
    or its sections found (then the error already says all there is to say)."""
    if any(p.kind in ("unreadable_file", "missing_file") for p in migration.read_problems):
        return migration
    own = relative(migration.path, root)
    if any(p.kind == "parse_error" and p.file == own for p in migration.read_problems):
        return migration  # its own file's sections could not be found
    where = Where(root, migration.path, str(migration.version))
    found: list[Problem] = []
    up = migration.up
    if up is None and migration.down is not None and has_sql(migration.down.text):
        message = (
            f"{migration.label} has a down section but no up section: applying it would "
            "record it as applied with nothing run"
        )
        hint = "write the up section (the change); the down section undoes it"
        found.append(where.at(migration.path).problem("missing_up", message, hint))
    elif (up is None or not has_sql(up.text)) and not pop.is_placeholder(migration):
        message = f"{migration.label} has no SQL to run in its up section"
        hint = "write the change, or delete the migration if it is not needed"
        line = up.start_line if up is not None else None
        found.append(
            where.at(up.path if up else migration.path).problem(
                "empty_migration", message, hint, line
            )
        )
    down = migration.down
    # Prisma, Atlas, Supabase and Drizzle write no down migrations at all: saying so for each would
    # be noise (a rollback says it when asked).
    no_downs_by_design = down is None and (
        migration.layout
        in ("prisma", "atlas", "supabase", "drizzle", "graphile-migrate", "refinery")
        or not undoes
    )
    if (
        not migration.repeatable
        and not no_downs_by_design
        and (down is None or not has_sql(down.text))
        # a reader that said it already, at its own line (Liquibase's changeset)
        and not any(p.kind == "missing_down" for p in migration.read_problems)
    ):
        if down is None:
            message = (
                f"{migration.label} has no down SQL: a rollback stops before it unless "
                "forced (`rollback --force` marks it pending and undoes nothing)"
            )
            hint = _DOWN_HINTS[migration.layout]
            if undo_file is not None:  # as the folder's other migrations are undone
                hint = f"add {migration.path.stem}{undo_file} beside it, undoing it"
        else:
            message = (
                f"{migration.label} has an empty down section: rolling it back only marks "
                "it pending and undoes nothing"
            )
            hint = "write the SQL that undoes the up section, if it made anything"
        line = down.start_line if down is not None else None
        found.append(
            where.at(down.path if down else migration.path).problem(
                "missing_down", message, hint, line
            )
        )
    if not found:
        return migration
    return replace(migration, read_problems=migration.read_problems + tuple(found))


def _duplicate_versions(migrations: tuple[Migration, ...], root: Path) -> list[Problem]:
    groups: dict[Version, list[Migration]] = defaultdict(list)
    for migration in migrations:
        groups[migration.version].append(migration)
    problems = []
    for group in (g for g in groups.values() if len(g) > 1):
        files = ", ".join(relative(m.path, root) for m in group)
        message = (
            f"version {group[0].version} is used by {len(group)} migrations: {files}; "
            f"{'migtui' if group[0].layout == 'native' else group[0].layout} records "
            "migrations by version, so they cannot all be applied"
        )
        hint = "give each migration its own version (renumber all but one)"
        where = Where(root, group[1].path, str(group[0].version))
        problems.append(where.problem("duplicate_version", message, hint))
    return problems
