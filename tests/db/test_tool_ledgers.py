"""A database the layout's own tool has been migrating: migtui reads that
tool's ledger for the states, continues where the tool stopped, and writes
the tool's rows as the tool would, so the tool run next agrees."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from migtui.core.graph import analyze_dir
from migtui.db import ledger
from migtui.db.runner import Runner, RunOptions

USERS = "CREATE TABLE users (id int PRIMARY KEY);"
POSTS = "CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);"
TAGS = "CREATE TABLE tags (id int PRIMARY KEY, post_id int REFERENCES posts);"
UNDO = {"users": "DROP TABLE users;", "posts": "DROP TABLE posts;", "tags": "DROP TABLE tags;"}


def _native(version: str, name: str, up: str) -> tuple[str, str]:
    return f"{version}_{name}.sql", f"-- migrate:up\n{up}\n-- migrate:down\n{UNDO[name]}\n"


def folder_for(layout: str, root: Path) -> Path:
    steps = [("users", USERS), ("posts", POSTS), ("tags", TAGS)]
    files: dict[str, str] = {}
    for number, (name, up) in enumerate(steps, 1):
        if layout == "native":
            files.update([_native(f"2024010100000{number}", name, up)])
        elif layout == "golang-migrate":
            files[f"{number}_{name}.up.sql"] = up + "\n"
            files[f"{number}_{name}.down.sql"] = UNDO[name] + "\n"
        elif layout == "goose":
            files[f"0000{number}_{name}.sql"] = (
                f"-- +goose Up\n{up}\n-- +goose Down\n{UNDO[name]}\n"
            )
        elif layout == "flyway":
            files[f"V{number}__{name}.sql"] = up + "\n"
            files[f"U{number}__{name}.sql"] = UNDO[name] + "\n"
        elif layout == "diesel":
            files[f"2024-01-01-00000{number}_{name}/up.sql"] = up + "\n"
            files[f"2024-01-01-00000{number}_{name}/down.sql"] = UNDO[name] + "\n"
        elif layout == "sqitch":
            files[f"deploy/{name}.sql"] = up + "\n"
            files[f"revert/{name}.sql"] = UNDO[name] + "\n"
        elif layout == "prisma":
            files[f"2024010100000{number}_{name}/migration.sql"] = f"-- CreateTable\n{up}\n"
            files[f"2024010100000{number}_{name}/down.sql"] = UNDO[name] + "\n"
        elif layout == "sqlx":
            files[f"2024010100000{number}_{name}.up.sql"] = up + "\n"
            files[f"2024010100000{number}_{name}.down.sql"] = UNDO[name] + "\n"
        elif layout == "tern":
            files[f"00{number}_{name}.sql"] = (
                f"{up}\n---- create above / drop below ----\n{UNDO[name]}\n"
            )
        elif layout == "node-pg-migrate":
            files[f"170000000000{number}_{name}.sql"] = (
                f"-- Up Migration\n{up}\n\n-- Down Migration\n{UNDO[name]}\n"
            )
        elif layout == "pop":
            files[f"2024010100000{number}_{name}.postgres.up.sql"] = up + "\n"
            files[f"2024010100000{number}_{name}.mysql.up.sql"] = "-- MySQL's own\n"
            files[f"2024010100000{number}_{name}.down.sql"] = UNDO[name] + "\n"
        elif layout == "graphile-migrate":
            previous = f"sha1:{number - 1}" if number > 1 else "-"
            files[f"00000{number}.sql"] = (
                f"--! Previous: {previous}\n--! Hash: sha1:{number}\n\n{up}\n"
            )
        elif layout == "shmig":
            files[f"163916000{number}-{name}.sql"] = (
                f"-- ====  UP  ====\nBEGIN;\n{up}\nCOMMIT;\n-- ==== DOWN ====\n{UNDO[name]}\n"
            )
        elif layout == "postgrator":
            files[f"00{number}.do.{name}.sql"] = up + "\n"
            files[f"00{number}.undo.{name}.sql"] = UNDO[name] + "\n"
        elif layout == "db-migrate":
            files[f"2024010100000{number}-{name}.js"] = "exports.up = function (db) {};\n"
            files[f"sqls/2024010100000{number}-{name}-up.sql"] = up + "\n"
            files[f"sqls/2024010100000{number}-{name}-down.sql"] = UNDO[name] + "\n"
        elif layout == "migratus":
            files[f"2024010100000{number}-{name}.up.sql"] = up + "\n"
            files[f"2024010100000{number}-{name}.down.sql"] = UNDO[name] + "\n"
        elif layout == "refinery":  # up only, U for the last: refinery's unversioned kind
            files[f"{'U' if number == 3 else 'V'}{number}__{name}.sql"] = up + "\n"
        elif layout == "sql-migrate":
            files[f"{number}_{name}.sql"] = (
                f"-- +migrate Up\n{up}\n-- +migrate Down\n{UNDO[name]}\n"
            )
    if layout == "supabase":  # where the Supabase CLI keeps them
        (root / "supabase").mkdir(parents=True, exist_ok=True)
        (root / "supabase" / "config.toml").write_text('project_id = "blog"\n')
        root = root / "supabase" / "migrations"
        for number, (name, up) in enumerate(steps, 1):
            files[f"2024010100000{number}_{name}.sql"] = up + "\n"
    if layout == "drizzle":  # drizzle-kit's files, listed by its journal
        entries = []
        for n, (name, up) in enumerate(steps):
            files[f"000{n}_{name}.sql"] = up + "\n"
            entries.append(
                f'{{"idx": {n}, "version": "7", "when": {WHEN[n]}, "tag": "000{n}_{name}",'
                ' "breakpoints": true}'
            )
        files["meta/_journal.json"] = (
            '{"version": "7", "dialect": "postgresql", "entries": [' + ", ".join(entries) + "]}"
        )
    if layout == "liquibase":  # a master changelog including one formatted SQL file per step
        includes = "".join(
            f'  <include file="changes/00{n}_{name}.sql" relativeToChangelogFile="true"/>\n'
            for n, (name, _) in enumerate(steps, 1)
        )
        files["db.changelog-master.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog\n'
            '    xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
            f"{includes}</databaseChangeLog>\n"
        )
        for n, (name, up) in enumerate(steps, 1):
            files[f"changes/00{n}_{name}.sql"] = (
                f"--liquibase formatted sql\n--changeset ada:{name}\n{up}\n"
                f"--rollback {UNDO[name]}\n"
            )
    if layout == "prisma":
        files["migration_lock.toml"] = 'provider = "postgresql"\n'
    if layout in ("sqlx", "refinery"):  # a Rust crate: its Cargo.toml sits above the folder
        (root.parent / "Cargo.toml").parent.mkdir(parents=True, exist_ok=True)
        (root.parent / "Cargo.toml").write_text(f'[dependencies]\n{layout} = "0.8"\n')
    if layout == "sqitch":
        plan = "%syntax-version=1.0.0\n%project=blog\n\n"
        plan += "".join(
            f"{name} 2024-01-01T00:00:0{n}Z Ada <ada@example.com> # {name}\n"
            for n, (name, _) in enumerate(steps, 1)
        )
        files["sqitch.plan"] = plan
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


#: drizzle-kit's moment of generating each migration (its journal's "when").
WHEN = (1717000000000, 1717100000000, 1717200000000)

# What each tool leaves in a database after running the first migration:
# its ledger table, created as the tool creates it, and its row.
TOOL_FIRST_RUN = {
    "tern": """
        CREATE TABLE public.schema_version (version int4 NOT NULL);
        INSERT INTO public.schema_version (version) VALUES (1);
    """,
    "node-pg-migrate": """
        CREATE TABLE "public"."pgmigrations" (id SERIAL PRIMARY KEY,
            name varchar(255) NOT NULL, run_on timestamp NOT NULL);
        INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('1700000000001_users', NOW());
    """,
    # popx (Ory): its transactional table; a row per version
    "pop": """
        CREATE TABLE schema_migration (version VARCHAR (48) NOT NULL,
            version_self INT NOT NULL DEFAULT 0);
        CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version);
        INSERT INTO schema_migration (version) VALUES ('20240101000001');
    """,
    # drizzle-orm's migrate(): the file's SHA-256 and the journal's "when"
    "drizzle": """
        CREATE SCHEMA IF NOT EXISTS drizzle;
        CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (
            id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
        INSERT INTO drizzle.__drizzle_migrations (hash, created_at)
            VALUES ({sha256}, 1717000000000);
    """,
    "supabase": """
        CREATE SCHEMA IF NOT EXISTS supabase_migrations;
        CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (
            version text NOT NULL PRIMARY KEY, statements text[], name text);
        INSERT INTO supabase_migrations.schema_migrations VALUES
            ('20240101000001', ARRAY['CREATE TABLE users (id int PRIMARY KEY)'], 'users');
    """,
    # Liquibase started from the project's root records the path it was given
    "liquibase": """
        CREATE TABLE public.databasechangelog (id VARCHAR(255) NOT NULL,
            author VARCHAR(255) NOT NULL, filename VARCHAR(255) NOT NULL,
            dateexecuted TIMESTAMP WITHOUT TIME ZONE NOT NULL, orderexecuted INTEGER NOT NULL,
            exectype VARCHAR(10) NOT NULL, md5sum VARCHAR(35), description VARCHAR(255),
            comments VARCHAR(255), tag VARCHAR(255), liquibase VARCHAR(20),
            contexts VARCHAR(255), labels VARCHAR(255), deployment_id VARCHAR(10));
        CREATE TABLE public.databasechangeloglock (id INTEGER NOT NULL, locked BOOLEAN NOT NULL,
            lockgranted TIMESTAMP WITHOUT TIME ZONE, lockedby VARCHAR(255),
            CONSTRAINT databasechangeloglock_pkey PRIMARY KEY (id));
        INSERT INTO databasechangelog VALUES ('users', 'ada',
            'src/main/resources/db/changes/001_users.sql', now(), 1, 'EXECUTED',
            '9:0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'sql', '', NULL, '4.29.2', NULL, NULL,
            '1234567890');
    """,
    # Graphile Migrate: its schema and tables as it makes them, and the first file's row
    "graphile-migrate": """
        create schema if not exists graphile_migrate;
        create table if not exists graphile_migrate.migrations (
          hash text primary key,
          previous_hash text references graphile_migrate.migrations,
          filename text not null,
          date timestamptz not null default now()
        );
        create table if not exists graphile_migrate.current (
          filename text primary key default 'current.sql',
          content text not null,
          date timestamptz not null default now()
        );
        insert into graphile_migrate.migrations(hash, previous_hash, filename)
            values ('sha1:1', null, '000001.sql');
    """,
    # shmig: its table as its first run makes it, and the row of its first migration
    "shmig": """
        CREATE TABLE "shmig_version"(version int not null primary key);
        INSERT INTO "shmig_version"(version) VALUES (1639160001);
    """,
    # Postgrator: its table as its first run makes it, and the row of its first migration
    "postgrator": """
        CREATE TABLE schemaversion (version BIGINT PRIMARY KEY, name TEXT DEFAULT '',
            md5 TEXT DEFAULT '', run_at TIMESTAMP WITH TIME ZONE DEFAULT now());
        INSERT INTO schemaversion (version, name, md5) VALUES (1, 'users', 'x');
    """,
    # db-migrate: its table as its first run makes it, and the row of its first migration
    "db-migrate": """
        CREATE TABLE migrations (id SERIAL PRIMARY KEY, name VARCHAR (255) NOT NULL,
            run_on TIMESTAMP NOT NULL);
        INSERT INTO migrations (name, run_on) VALUES ('/20240101000001-users', now());
    """,
    # Migratus: its table as its first connect makes it, and the row of its first migration
    "migratus": """
        CREATE TABLE schema_migrations (id BIGINT UNIQUE NOT NULL, applied TIMESTAMP,
            description VARCHAR(1024));
        INSERT INTO schema_migrations VALUES (20240101000001, now(), 'users');
    """,
    "golang-migrate": """
        CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
        INSERT INTO schema_migrations VALUES (1, false);
    """,
    "goose": """
        CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL,
            is_applied boolean NOT NULL, tstamp timestamp NULL DEFAULT now(), PRIMARY KEY (id));
        INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true);
    """,
    "flyway": """
        CREATE TABLE "public"."flyway_schema_history" (
            "installed_rank" INT NOT NULL PRIMARY KEY, "version" VARCHAR(50),
            "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL,
            "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER,
            "installed_by" VARCHAR(100) NOT NULL,
            "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
            "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL);
        INSERT INTO flyway_schema_history VALUES
            (1, '1', 'users', 'SQL', 'V1__users.sql', {checksum}, 'ci', now(), 12, true);
    """,
    "diesel": """
        CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL,
            run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
        INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000001');
    """,
    "sqitch": """
        CREATE SCHEMA sqitch;
        CREATE TABLE sqitch.changes (change_id text PRIMARY KEY, script_hash text,
            change text NOT NULL, project text NOT NULL, note text NOT NULL DEFAULT '',
            committed_at timestamptz NOT NULL DEFAULT clock_timestamp());
        CREATE TABLE sqitch.events (event text NOT NULL, change_id text NOT NULL,
            change text NOT NULL, project text NOT NULL,
            committed_at timestamptz NOT NULL DEFAULT clock_timestamp());
        INSERT INTO sqitch.changes (change_id, script_hash, change, project)
            VALUES ({change_id}, {sha1}, 'users', 'blog');
        INSERT INTO sqitch.events VALUES ('deploy', {change_id}, 'users', 'blog');
    """,
    "prisma": """
        CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) NOT NULL,
            "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
            "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
            "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
            "applied_steps_count" INTEGER NOT NULL DEFAULT 0,
            CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id"));
        INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name,
            applied_steps_count) VALUES ('a1', {sha256}, now(), '20240101000001_users', 1);
    """,
    "sql-migrate": """
        CREATE TABLE gorp_migrations (id varchar(255) NOT NULL PRIMARY KEY,
            applied_at timestamptz NULL);
        INSERT INTO gorp_migrations VALUES ('1_users.sql', now());
    """,
    # refinery: its table as its first run makes it, and the row of its first migration
    "refinery": """
        CREATE TABLE IF NOT EXISTS refinery_schema_history (version int4 PRIMARY KEY,
            name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255));
        INSERT INTO refinery_schema_history VALUES
            (1, 'users', '2024-01-01T00:00:00Z', {refinery});
    """,
    "sqlx": """
        CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
            installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL,
            checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL);
        INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
            VALUES (20240101000001, 'users', true, {sha384}, 1000);
    """,
}

# The tool's own reading of its ledger: what it would say is applied.
TOOL_APPLIED = {
    "golang-migrate": "SELECT version::text || CASE WHEN dirty THEN ' dirty' ELSE '' END"
    " FROM schema_migrations",
    "goose": "SELECT version_id::text FROM (SELECT DISTINCT ON (version_id) version_id, is_applied"
    " FROM goose_db_version ORDER BY version_id, id DESC) t WHERE is_applied AND version_id > 0"
    " ORDER BY 1",
    "flyway": "SELECT version || ':' || checksum FROM flyway_schema_history WHERE success"
    " ORDER BY installed_rank",
    "diesel": "SELECT version FROM __diesel_schema_migrations ORDER BY 1",
    "prisma": "SELECT migration_name || ':' || left(checksum, 8) FROM _prisma_migrations"
    " WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name",
    "sqlx": "SELECT version::text || ':' || left(encode(checksum, 'hex'), 8) FROM _sqlx_migrations"
    " WHERE success ORDER BY version",
    "sql-migrate": "SELECT id FROM gorp_migrations ORDER BY id",
    "liquibase": "SELECT id || ':' || exectype || ':' || orderexecuted || ':' || filename"
    " FROM databasechangelog ORDER BY orderexecuted",
    "tern": "SELECT version::text FROM public.schema_version",
    "shmig": "SELECT version::text FROM shmig_version ORDER BY version",
    "graphile-migrate": "SELECT filename || ':' || hash || ':' || coalesce(previous_hash, '-')"
    " FROM graphile_migrate.migrations ORDER BY filename",
    "migratus": "SELECT id || ':' || description FROM schema_migrations WHERE id <> -1"
    " AND applied IS NOT NULL ORDER BY id",
    "pop": "SELECT version FROM schema_migration ORDER BY version",
    "node-pg-migrate": "SELECT name FROM pgmigrations ORDER BY id",
    "db-migrate": "SELECT name FROM migrations ORDER BY id",
    "refinery": "SELECT version || ':' || name || ':' || checksum FROM refinery_schema_history"
    " ORDER BY version",
    "postgrator": "SELECT version || ':' || name || ':' || md5 FROM schemaversion ORDER BY 1",
    "drizzle": "SELECT created_at::text || ':' || left(hash, 8) FROM drizzle.__drizzle_migrations"
    " ORDER BY id",
    "supabase": "SELECT version || ':' || name || ':' || cardinality(statements)"
    " FROM supabase_migrations.schema_migrations ORDER BY version",
}


#: The layouts whose tool's rows migtui writes (sqitch's registry has its own tests).
WRITTEN_LIKE_THE_TOOL = [
    "refinery",
    "db-migrate",
    "postgrator",
    "golang-migrate",
    "goose",
    "flyway",
    "diesel",
    "prisma",
    "sqlx",
    "sql-migrate",
    "liquibase",
    "supabase",
    "tern",
    "drizzle",
    "pop",
    "node-pg-migrate",
    "migratus",
    "shmig",
    "graphile-migrate",
]


def _first_run(dsn: str, layout: str, root: Path) -> None:
    import hashlib

    from migtui.core.tools.flyway import checksum

    first = {
        "prisma": "20240101000001_users/migration.sql",
        "sqlx": "20240101000001_users.up.sql",
        "drizzle": "0000_users.sql",
    }.get(layout)
    data = (root / first).read_bytes() if first else b""
    change_id = "NULL"
    if layout == "sqitch":  # the id sqitch gives the plan's first change
        from migtui.core.tools.sqitch import registry_entries

        change_id = f"'{registry_entries(root)[0].id}'"
    sql = TOOL_FIRST_RUN[layout].format(
        change_id=change_id,
        refinery=f"'{_refinery_sum(root, 1, 'users')}'" if layout == "refinery" else "NULL",
        sha256=f"'{hashlib.sha256(data).hexdigest()}'",
        sha384=f"'\\x{hashlib.sha384(data).hexdigest()}'::bytea",
        checksum=checksum((root / "V1__users.sql").read_bytes()) if layout == "flyway" else 0,
        sha1=(
            "'" + hashlib.sha1((root / "deploy/users.sql").read_bytes()).hexdigest() + "'"
            if layout == "sqitch"
            else "NULL"
        ),
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(USERS)
        conn.execute(sql)


def _refinery_sum(root: Path, number: int, name: str) -> str:
    """The checksum refinery keeps: SipHash-1-3, zero key, of Rust's hashing of
    the name, the version (i32) and the file's text. Worked out here with
    CPython's own SipHash-1-3 (``hash`` of bytes, zero key under
    PYTHONHASHSEED=0), apart from migtui's code."""
    import subprocess
    import sys

    prefix = "U" if number == 3 else "V"
    text = (root / f"{prefix}{number}__{name}.sql").read_bytes()
    data = name.encode() + b"\xff" + number.to_bytes(4, "little") + text + b"\xff"
    found = subprocess.run(
        [sys.executable, "-c", f"print(hash({data!r}) % 2**64)"],
        env={"PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


def _applied_by_tool(dsn: str, layout: str) -> list[str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [r[0] for r in conn.execute(TOOL_APPLIED[layout]).fetchall()]


def _run(dsn, analysis, action="apply", **kwargs):
    runner = Runner(dsn, analysis, options=RunOptions(), emit=lambda e: None)
    return runner.apply(**kwargs) if action == "apply" else runner.rollback(**kwargs)


def _states(dsn, analysis, table=None):
    with psycopg.connect(dsn, autocommit=True) as conn:
        return ledger.read_state(conn, analysis, table)


@pytest.mark.parametrize(
    "layout",
    ["sqitch", *WRITTEN_LIKE_THE_TOOL],
)
def test_the_tools_ledger_decides_the_states(pg_dsn, tmp_path, layout):
    root = folder_for(layout, tmp_path / "m")
    _first_run(pg_dsn, layout, root)
    analysis = analyze_dir(root)
    state = _states(pg_dsn, analysis)
    tool = {
        "prisma": "Prisma",
        "liquibase": "Liquibase",
        "supabase": "Supabase CLI",
        "migratus": "Migratus",
        "graphile-migrate": "Graphile Migrate",
        "postgrator": "Postgrator",
    }.get(layout, layout)
    assert analysis.layout == layout
    assert state.tool is not None and state.tool.tool.tool == tool
    assert tool in state.source
    states = [s.state for s in state.statuses]
    assert states == ["applied", "pending", "pending"]
    first = state.statuses[0]
    assert first.applied_by == tool and first.note is None


@pytest.mark.parametrize(
    "layout",
    WRITTEN_LIKE_THE_TOOL,
)
def test_apply_continues_where_the_tool_stopped_and_writes_its_rows(pg_dsn, tmp_path, layout):
    root = folder_for(layout, tmp_path / "m")
    _first_run(pg_dsn, layout, root)
    analysis = analyze_dir(root)

    result = _run(pg_dsn, analysis)
    assert result.outcome == "done"
    assert len(result.applied) == 2  # the first was the tool's; it did not run again
    after_apply = _applied_by_tool(pg_dsn, layout)
    assert [s.state for s in _states(pg_dsn, analysis).statuses] == ["applied"] * 3

    result = _run(pg_dsn, analysis, "rollback", steps=1)
    if layout == "supabase":  # it has no down migrations: nothing to roll back with
        assert result.outcome == "refused"
        assert after_apply == [
            f"2024010100000{n}:{m}:1" for n, m in ((1, "users"), (2, "posts"), (3, "tags"))
        ]
        return
    if layout == "graphile-migrate":  # no down migrations; each row as it writes it
        assert result.outcome == "refused"
        assert after_apply == [
            "000001.sql:sha1:1:-",
            "000002.sql:sha1:2:sha1:1",
            "000003.sql:sha1:3:sha1:2",
        ]
        return
    if layout == "refinery":  # no down migrations; each row as refinery writes it
        assert result.outcome == "refused"
        assert after_apply == [
            f"{n}:{m}:{_refinery_sum(root, n, m)}"
            for n, m in ((1, "users"), (2, "posts"), (3, "tags"))
        ]
        return
    if layout == "drizzle":  # no down migrations either; each row as drizzle-orm writes it
        import hashlib

        assert result.outcome == "refused"
        assert after_apply == [
            f"{WHEN[n]}:" + hashlib.sha256((root / f"000{n}_{m}.sql").read_bytes()).hexdigest()[:8]
            for n, m in enumerate(("users", "posts", "tags"))
        ]
        return
    assert result.outcome == "done"
    after_rollback = _applied_by_tool(pg_dsn, layout)
    assert [s.state for s in _states(pg_dsn, analysis).statuses] == [
        "applied",
        "applied",
        "pending",
    ]

    from migtui.core.tools.flyway import checksum

    expected = {
        "golang-migrate": (["3"], ["2"]),
        "goose": (["1", "2", "3"], ["1", "2"]),
        "tern": (["3"], ["2"]),
        "shmig": (["1639160001", "1639160002", "1639160003"], ["1639160001", "1639160002"]),
        "migratus": (
            ["20240101000001:users", "20240101000002:posts", "20240101000003:tags"],
            ["20240101000001:users", "20240101000002:posts"],
        ),
        "node-pg-migrate": (
            ["1700000000001_users", "1700000000002_posts", "1700000000003_tags"],
            ["1700000000001_users", "1700000000002_posts"],
        ),
        "db-migrate": (
            ["/20240101000001-users", "/20240101000002-posts", "/20240101000003-tags"],
            ["/20240101000001-users", "/20240101000002-posts"],
        ),
        "postgrator": (
            ["1:users:x", *(_postgrator_row(root, n, m) for n, m in ((2, "posts"), (3, "tags")))],
            ["1:users:x", _postgrator_row(root, 2, "posts")],
        ),
        "pop": (
            ["20240101000001", "20240101000002", "20240101000003"],
            ["20240101000001", "20240101000002"],
        ),
        "diesel": (
            ["20240101000001", "20240101000002", "20240101000003"],
            ["20240101000001", "20240101000002"],
        ),
        "sql-migrate": (
            ["1_users.sql", "2_posts.sql", "3_tags.sql"],
            ["1_users.sql", "2_posts.sql"],
        ),
    }
    # the first row kept as Liquibase wrote it, the next numbered after it, and
    # the path each records starting as Liquibase's own row does
    liquibase = [
        f"{m}:EXECUTED:{n}:src/main/resources/db/changes/00{n}_{m}.sql"
        for n, m in [(1, "users"), (2, "posts"), (3, "tags")]
    ]
    expected["liquibase"] = (liquibase, liquibase[:2])
    import hashlib

    def digest(name: str, algorithm: str) -> str:
        return hashlib.new(algorithm, (root / name).read_bytes()).hexdigest()[:8]

    steps = [(1, "users"), (2, "posts"), (3, "tags")]
    if layout == "prisma":
        prisma = [
            f"2024010100000{n}_{m}:" + digest(f"2024010100000{n}_{m}/migration.sql", "sha256")
            for n, m in steps
        ]
        expected["prisma"] = (prisma, prisma[:2])
    if layout == "sqlx":
        sqlx = [
            f"2024010100000{n}:" + digest(f"2024010100000{n}_{m}.up.sql", "sha384")
            for n, m in steps
        ]
        expected["sqlx"] = (sqlx, sqlx[:2])
    if layout == "flyway":
        sums = [
            checksum((root / f"V{n}__{m}.sql").read_bytes())
            for n, m in [(1, "users"), (2, "posts"), (3, "tags")]
        ]
        lines = [f"{n}:{s}" for n, s in zip((1, 2, 3), sums, strict=True)]
        expected["flyway"] = (lines, lines[:2])
    assert (after_apply, after_rollback) == expected[layout]


def test_golang_migrate_dirty_and_flyway_failed_show_as_dirty(pg_dsn, tmp_path):
    root = folder_for("golang-migrate", tmp_path / "g")
    _first_run(pg_dsn, "golang-migrate", root)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("UPDATE schema_migrations SET version = 2, dirty = true")
    analysis = analyze_dir(root)
    assert [s.state for s in _states(pg_dsn, analysis).statuses] == ["applied", "dirty", "pending"]
    result = _run(pg_dsn, analysis)
    assert result.outcome == "refused"  # a dirty step is settled first, as golang-migrate does


def test_flyway_failed_row_and_drifted_file(pg_dsn, tmp_path):
    root = folder_for("flyway", tmp_path / "f")
    _first_run(pg_dsn, "flyway", root)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO flyway_schema_history VALUES"
            " (2, '2', 'posts', 'SQL', 'V2__posts.sql', 0, 'ci', now(), 3, false)"
        )
    (root / "V1__users.sql").write_text(USERS + "\n-- edited after it ran\n")
    analysis = analyze_dir(root)
    assert [s.state for s in _states(pg_dsn, analysis).statuses] == [
        "drifted",
        "dirty",
        "pending",
    ]


def test_flyway_baseline_counts_every_version_up_to_it(pg_dsn, tmp_path):
    root = folder_for("flyway", tmp_path / "f")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(USERS)
        conn.execute(POSTS)
        conn.execute(TOOL_FIRST_RUN["flyway"].split("INSERT")[0])
        conn.execute(
            "INSERT INTO flyway_schema_history VALUES"
            " (1, '2', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL,"
            " 'ci', now(), 0, true)"
        )
    analysis = analyze_dir(root)
    assert [s.state for s in _states(pg_dsn, analysis).statuses] == [
        "applied",
        "applied",
        "pending",
    ]


def test_a_folded_flyway_history_starts_a_new_database_from_its_baseline(pg_dsn, tmp_path):
    """V1 and V2 folded into B2__base.sql: applied to flyway's empty history,
    the baseline runs first and is written as flyway writes one (SQL_BASELINE),
    then V3 (SQL); read back, both are applied."""
    from migtui.core.tools.flyway import checksum

    root = tmp_path / "f"
    root.mkdir()
    (root / "B2__base.sql").write_text("CREATE TABLE users (id int PRIMARY KEY, email text);\n")
    (root / "V3__index.sql").write_text("CREATE INDEX users_email ON users (email);\n")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(TOOL_FIRST_RUN["flyway"].split("INSERT")[0])
    analysis = analyze_dir(root)
    assert not analysis.errors

    assert _run(pg_dsn, analysis).outcome == "done"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT version, type, script, checksum FROM flyway_schema_history"
            " ORDER BY installed_rank"
        ).fetchall()
    assert rows == [
        ("2", "SQL_BASELINE", "B2__base.sql", checksum((root / "B2__base.sql").read_bytes())),
        ("3", "SQL", "V3__index.sql", checksum((root / "V3__index.sql").read_bytes())),
    ]
    assert [s.state for s in _states(pg_dsn, analysis).statuses] == ["applied", "applied"]


def test_a_renamed_ledger_is_found_or_configured(pg_dsn, tmp_path):
    root = folder_for("golang-migrate", tmp_path / "g")
    _first_run(pg_dsn, "golang-migrate", root)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA ops")
        conn.execute("ALTER TABLE schema_migrations SET SCHEMA ops")
        conn.execute("ALTER TABLE ops.schema_migrations RENAME TO db_versions")
    analysis = analyze_dir(root)
    state = _states(pg_dsn, analysis)
    assert state.tool is not None and state.tool.how == "renamed"
    assert "ops.db_versions" in " ".join(state.notes)
    assert [s.state for s in state.statuses] == ["applied", "pending", "pending"]

    configured = _states(pg_dsn, analysis, "ops.db_versions")
    assert configured.tool is not None and configured.tool.how == "configured"

    from migtui.db.tools import ToolLedgerError

    with pytest.raises(ToolLedgerError, match="no such table"):
        _states(pg_dsn, analysis, "ops.nothing_here")


@pytest.mark.parametrize("layout", ["golang-migrate", "flyway", "prisma", "sqlx"])
def test_the_tools_own_lock_held_refuses_naming_it(pg_dsn, tmp_path, layout):
    from migtui.core.tools import for_layout

    root = folder_for(layout, tmp_path / "m")
    _first_run(pg_dsn, layout, root)
    analysis = analyze_dir(root)
    database = psycopg.conninfo.conninfo_to_dict(pg_dsn)["dbname"]
    tool = for_layout(layout)[0]
    key = tool.lock_key(database, "public", tool.table)
    with psycopg.connect(pg_dsn, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s::bigint)", (key,))
        result = _run(pg_dsn, analysis)
    assert result.outcome == "refused"
    assert f"{tool.tool} holds its migration lock" in result.message
    assert _run(pg_dsn, analysis).outcome == "done"


def test_a_prisma_migration_rolls_back_only_with_a_down_written_by_hand(pg_dsn, tmp_path):
    root = folder_for("prisma", tmp_path / "p")
    (root / "20240101000003_tags" / "down.sql").unlink()
    _first_run(pg_dsn, "prisma", root)
    analysis = analyze_dir(root)
    assert analysis.warnings == ()  # Prisma writes no downs: not a warning per migration
    assert _run(pg_dsn, analysis).outcome == "done"
    result = _run(pg_dsn, analysis, "rollback", steps=1)
    assert result.outcome == "refused" and "Prisma writes no down migrations" in result.message


def test_prisma_failed_migration_is_dirty_and_held_lock_refuses(pg_dsn, tmp_path):
    root = folder_for("prisma", tmp_path / "p")
    _first_run(pg_dsn, "prisma", root)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs)"
            " VALUES ('a2', 'x', '20240101000002_posts', 'relation already exists')"
        )
    analysis = analyze_dir(root)
    assert [s.state for s in _states(pg_dsn, analysis).statuses] == ["applied", "dirty", "pending"]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM _prisma_migrations WHERE id = 'a2'")
    with psycopg.connect(pg_dsn, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(72707369)")
        result = _run(pg_dsn, analysis)
    assert result.outcome == "refused" and "Prisma holds its migration lock" in result.message


def test_an_sqlx_ledger_is_found_for_a_folder_read_as_golang_migrate(pg_dsn, tmp_path):
    """Without its Cargo.toml, sqlx's pairs read as golang-migrate's: the
    database's ledger still says whose they are."""
    root = folder_for("sqlx", tmp_path / "crate" / "migrations")
    (tmp_path / "crate" / "Cargo.toml").unlink()
    _first_run(pg_dsn, "sqlx", root)
    analysis = analyze_dir(root)
    assert analysis.layout == "golang-migrate"
    state = _states(pg_dsn, analysis)
    assert state.tool is not None and state.tool.tool.tool == "sqlx"
    assert [s.state for s in state.statuses] == ["applied", "pending", "pending"]


@pytest.mark.parametrize("applied", [True, False])
def test_resolving_a_dirty_golang_migrate_version_settles_its_ledger_too(pg_dsn, tmp_path, applied):
    from migtui.db.resolve import resolve

    root = folder_for("golang-migrate", tmp_path / "g")
    _first_run(pg_dsn, "golang-migrate", root)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(POSTS)
        conn.execute("UPDATE schema_migrations SET version = 2, dirty = true")
    analysis = analyze_dir(root)
    resolve(pg_dsn, analysis, "2", applied=applied)
    assert _applied_by_tool(pg_dsn, "golang-migrate") == (["2"] if applied else ["1"])
    expected = "applied" if applied else "pending"
    assert [s.state for s in _states(pg_dsn, analysis).statuses][1] == expected


CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"


@pytest.mark.skipif(not (CORPORA / "openmeter").is_dir(), reason="../shared/corpora is absent")
def test_openmeters_renamed_golang_migrate_ledger_is_found(pg_dsn):
    """openmeter runs golang-migrate with its ledger named schema_om."""
    root = CORPORA / "openmeter" / "tools" / "migrate" / "migrations"
    analysis = analyze_dir(root)
    tenth = analysis.migrations[9].migration.version.raw
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE schema_om (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)"
        )
        conn.execute("INSERT INTO schema_om VALUES (%s, false)", (int(tenth),))
    state = _states(pg_dsn, analysis)
    assert state.tool is not None and (state.tool.table, state.tool.how) == ("schema_om", "renamed")
    states = [s.state for s in state.statuses]
    assert states[:10] == ["applied"] * 10 and set(states[10:]) == {"pending"}


def test_a_prisma_migration_that_sets_its_isolation_level_runs_with_it(pg_dsn, tmp_path):
    """Prisma leaves transactions to the script: BEGIN; SET TRANSACTION …; … COMMIT;"""
    root = tmp_path / "p"
    (root / "20240101000001_backfill").mkdir(parents=True)
    (root / "migration_lock.toml").write_text('provider = "postgresql"\n')
    (root / "20240101000001_backfill" / "migration.sql").write_text(
        "-- Prisma does not wrap migrations in a transaction.\nBEGIN;\n"
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n"
        "CREATE TABLE iso AS SELECT current_setting('transaction_isolation') AS level;\n"
        "COMMIT;\n"
    )
    analysis = analyze_dir(root)
    assert analysis.errors == ()
    assert _run(pg_dsn, analysis).outcome == "done"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert conn.execute("SELECT level FROM iso").fetchone()[0] == "repeatable read"


ATLAS_REVISIONS = """
    CREATE SCHEMA atlas_schema_revisions;
    CREATE TABLE atlas_schema_revisions.atlas_schema_revisions (
      "version" character varying NOT NULL, "description" character varying NOT NULL,
      "type" bigint NOT NULL DEFAULT 2, "applied" bigint NOT NULL DEFAULT 0,
      "total" bigint NOT NULL DEFAULT 0, "executed_at" timestamptz NOT NULL,
      "execution_time" bigint NOT NULL, "error" text NULL, "error_stmt" text NULL,
      "hash" character varying NOT NULL, "partial_hashes" jsonb NULL,
      "operator_version" character varying NOT NULL, PRIMARY KEY ("version"));
    INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES
      ('.atlas_cloud_identifiers', '', 2, 0, 0, now(), 0, NULL, NULL, '', NULL, 'Atlas CLI v0.30'),
      ('20240101000001', 'users', 2, 1, 1, now(), 1000, NULL, NULL, 'h', NULL, 'Atlas CLI v0.30'),
      ('20240101000002', 'posts', 2, 1, 2, now(), 1000, 'boom', 'CREATE …', 'h', NULL, 'x');
"""


def test_atlas_revisions_decide_the_states_and_atlas_keeps_writing_them(pg_dsn, tmp_path):
    root = tmp_path / "m"
    root.mkdir()
    for n, (name, up) in enumerate([("users", USERS), ("posts", POSTS), ("tags", TAGS)], 1):
        (root / f"2024010100000{n}_{name}.sql").write_text(up + "\n")
    (root / "atlas.sum").write_text("h1:x=\n")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(USERS)
        conn.execute(ATLAS_REVISIONS)
    analysis = analyze_dir(root)
    assert analysis.layout == "atlas"
    state = _states(pg_dsn, analysis)
    assert state.tool is not None and state.tool.tool.tool == "Atlas"
    # applied 1 of 2 statements, with an error: stopped half way
    assert [s.state for s in state.statuses] == ["applied", "dirty", "pending"]
    assert "20240101000002" in _run(pg_dsn, analysis).message  # settle it first
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM atlas_schema_revisions.atlas_schema_revisions WHERE error > ''")
    result = _run(pg_dsn, analysis)
    assert result.outcome == "refused"
    assert "Atlas" in result.message and "reads but does not write" in result.message


def test_supabases_platform_objects_are_needed_from_a_target_that_is_not_supabase(pg_dsn, tmp_path):
    """On Supabase, auth.users exists before the first migration; a plain
    PostgreSQL target lacks it, and the apply would fail there."""
    from migtui.core.catalog import CatalogSnapshot
    from migtui.core.graph import analyze
    from migtui.core.layouts import load
    from migtui.db.catalog import read_catalog

    root = tmp_path / "supabase" / "migrations"
    root.mkdir(parents=True)
    (root.parent / "config.toml").write_text('project_id = "x"\n')
    (root / "20240101000000_profiles.sql").write_text(
        "create table profiles (id uuid primary key references auth.users);\n"
    )
    loaded = load(root)
    assert analyze(loaded).errors == ()  # offline: the platform makes auth.users
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        catalog = read_catalog(conn)
    assert isinstance(catalog, CatalogSnapshot)
    [error] = analyze(loaded, catalog=catalog).errors
    assert (error.kind, error.object) == ("missing_prerequisite", "table auth.users")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA auth; CREATE TABLE auth.users (id uuid PRIMARY KEY)")
        catalog = read_catalog(conn)
    assert analyze(loaded, catalog=catalog).errors == ()


def test_drizzle_migration_merged_late_with_an_older_when_is_pending(pg_dsn, tmp_path):
    """drizzle-orm runs a migration only when its "when" is newer than its newest
    row's: one merged from a branch with an older "when" is never run by it.
    migtui shows it pending, behind applied ones, and a changed file as drifted."""
    import json

    root = folder_for("drizzle", tmp_path / "m")
    _first_run(pg_dsn, "drizzle", root)
    analysis = analyze_dir(root)
    assert _run(pg_dsn, analysis).outcome == "done"  # posts and tags, after drizzle's users
    (root / "0003_branch.sql").write_text("CREATE TABLE branch (id int);\n")
    journal = json.loads((root / "meta/_journal.json").read_text())
    journal["entries"].append({"idx": 3, "when": WHEN[1] + 1, "tag": "0003_branch"})
    (root / "meta/_journal.json").write_text(json.dumps(journal))
    (root / "0000_users.sql").write_text(USERS + "\n-- edited after it ran\n")
    analysis = analyze_dir(root)
    assert [s.state for s in _states(pg_dsn, analysis).statuses] == [
        "drifted",
        "applied",
        "applied",
        "pending",
    ]


def test_pop_counts_a_long_version_applied_by_its_legacy_fourteen_digits(pg_dsn, tmp_path):
    """popx (Ory Kratos, Hydra) took over pop's 14-digit versions: a row of the
    first fourteen digits stands for the longer version, as popx reads it."""
    root = tmp_path / "m"
    root.mkdir()
    (root / "20191100000001000000_users.postgres.up.sql").write_text(USERS + "\n")
    (root / "20191100000001000000_users.mysql.up.sql").write_text("-- MySQL's own\n")
    (root / "20191100000002000000_posts.postgres.up.sql").write_text(POSTS + "\n")
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(USERS)
        conn.execute("CREATE TABLE schema_migration (version VARCHAR (14) NOT NULL)")
        conn.execute("INSERT INTO schema_migration VALUES ('20191100000001')")
    analysis = analyze_dir(root)
    assert analysis.layout == "pop"
    assert [s.state for s in _states(pg_dsn, analysis).statuses] == ["applied", "pending"]


def _postgrator_row(root: Path, number: int, name: str) -> str:
    """The row Postgrator writes: its version, name and the MD5 of the file it ran."""
    import hashlib

    path = root / f"00{number}.do.{name}.sql"
    data = path.read_bytes() if path.exists() else b""  # (another layout's folder)
    return f"{number}:{name}:{hashlib.md5(data, usedforsecurity=False).hexdigest()}"
