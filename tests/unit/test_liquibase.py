"""Liquibase's changelogs read as Liquibase runs them: the order its includes
give, each changeset a migration, its rollback the down section, and what
Liquibase leaves out (other databases, ignored changesets) left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from migtui.core.graph import analyze_dir
from migtui.core.layouts import load

MASTER = """<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
{body}
</databaseChangeLog>
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def formatted(*changesets: str) -> str:
    return "--liquibase formatted sql\n\n" + "\n".join(changesets)


def problems(root: Path, kind: str | None = None) -> list:
    found = analyze_dir(root).problems
    return [p for p in found if kind is None or p.kind == kind]


def test_formatted_sql_files_alone_run_in_path_order(tmp_path: Path) -> None:
    # includeAll's order is the files' paths as text: sub/005 runs after 010
    write(
        tmp_path,
        "sub/005_orders.sql",
        formatted(
            "--changeset ada:orders\nCREATE TABLE orders (id int, user_id int REFERENCES users);"
        ),
    )
    write(
        tmp_path,
        "010_users.sql",
        formatted("--changeset ada:users\nCREATE TABLE users (id int PRIMARY KEY);"),
    )
    result = load(tmp_path)
    assert result.layout == "liquibase"
    assert [(m.version.raw, m.name) for m in result.migrations] == [("1", "users"), ("2", "orders")]
    assert problems(tmp_path, "missing_prerequisite") == []


def test_a_changeset_runs_to_the_next_and_its_rollback_lines_are_its_down(tmp_path: Path) -> None:
    write(
        tmp_path,
        "changelog.sql",
        formatted(
            "--changeset ada:1\nCREATE TABLE a (id int);\n--rollback DROP TABLE a;\n",
            "--changeset ada:2 runInTransaction:false\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n"
            "--rollback DROP INDEX CONCURRENTLY a_id;\n",
        ),
    )
    first, second = load(tmp_path).migrations
    assert "CREATE TABLE a" in first.up.text and "CREATE INDEX" not in first.up.text
    assert first.up.start_line == 4
    assert first.down.text.strip() == "DROP TABLE a;" and first.down.start_line == 5
    assert first.transactional and not second.transactional
    assert second.down.text.strip() == "DROP INDEX CONCURRENTLY a_id;"
    assert problems(tmp_path) == []


def test_a_changeset_without_rollback_cannot_be_rolled_back(tmp_path: Path) -> None:
    write(tmp_path, "changelog.sql", formatted("--changeset ada:1\nCREATE TABLE a (id int);\n"))
    [warning] = problems(tmp_path, "missing_down")
    assert "--rollback" in warning.hint


def test_a_rollback_block_and_a_rollback_naming_another_changeset(tmp_path: Path) -> None:
    write(
        tmp_path,
        "changelog.sql",
        formatted(
            "--changeset ada:make\nCREATE TABLE a (id int);\n"
            "/* liquibase rollback\nDROP TABLE a;\n*/\n",
            "--changeset ada:unmake\nDROP TABLE a;\n--rollback changesetId:make changesetAuthor:ada\n",
        ),
    )
    make, unmake = load(tmp_path).migrations
    assert make.down.text.strip() == "DROP TABLE a;"
    assert unmake.down.text == make.up.text  # rolling back "unmake" runs "make" again
    assert problems(tmp_path) == []


def test_other_databases_ignored_changesets_and_ignored_lines_are_left_out(tmp_path: Path) -> None:
    write(
        tmp_path,
        "changelog.sql",
        formatted(
            "--changeset ada:oracle dbms:oracle\nCREATE TABLE dual_x (id number(10));\n",
            "--changeset ada:pg dbms:postgresql,h2\nCREATE TABLE a (id int);\n"
            "--ignoreLines:start\nthis is not SQL at all\n--ignoreLines:end\n",
            "--changeset ada:not-pg dbms:!postgresql\nCREATE TABLE b (id number);\n",
            "--changeset ada:skipped ignore:true\nCREATE TABLE c (id number);\n",
        ),
    )
    assert [m.name for m in load(tmp_path).migrations] == ["pg"]
    assert problems(tmp_path, "syntax_error") == []


def test_contexts_given_in_the_properties_choose_changesets(tmp_path: Path) -> None:
    body = formatted(
        '--changeset ada:pub context:"pub"\nCREATE TABLE p (id int);\n',
        '--changeset ada:sub context:"sub"\nCREATE TABLE s (id int);\n',
        "--changeset ada:any\nCREATE TABLE x (id int);\n",
    )
    write(tmp_path, "changelog.sql", body)
    # without contexts given, Liquibase runs every changeset
    assert [m.name for m in load(tmp_path).migrations] == ["pub", "sub", "any"]
    write(tmp_path, "liquibase.properties", "contexts=pub\n")
    assert [m.name for m in load(tmp_path).migrations] == ["pub", "any"]


def test_placeholders_take_values_from_properties_environment_and_changelog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OWNER_ROLE", "app_owner")
    write(tmp_path, "liquibase.properties", "changeLogFile=master.xml\nparameter.schema=app\n")
    write(
        tmp_path,
        "master.xml",
        MASTER.format(
            body='  <property name="table" value="users"/>\n'
            '  <property name="schema" value="ignored"/>\n'
            '  <include file="one.sql" relativeToChangelogFile="true"/>'
        ),
    )
    write(
        tmp_path,
        "one.sql",
        formatted(
            "--changeset ada:1\nCREATE SCHEMA ${schema};\nCREATE TABLE ${schema}.${table} (id int);\n"
            "CREATE ROLE ${OWNER_ROLE};\n--rollback DROP TABLE ${schema}.${table};\n"
        ),
    )
    [m] = load(tmp_path).migrations
    assert "CREATE TABLE app.users" in m.up.text and "CREATE ROLE app_owner" in m.up.text
    assert "DROP TABLE app.users" in m.down.text
    assert problems(tmp_path, "parse_error") == []


def test_a_placeholder_without_a_value_is_one_error_at_its_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "changelog.sql",
        formatted(
            "--changeset ada:1\n-- made for ${commented_out}\nCREATE ROLE ${NO_SUCH_ROLE_X1};\n"
            "GRANT USAGE ON SCHEMA public TO ${NO_SUCH_ROLE_X1};\n"
        ),
    )
    errors = [p for p in problems(tmp_path) if p.severity.value == "error"]
    assert [(p.kind, p.line) for p in errors] == [("parse_error", 5)]
    assert "${NO_SUCH_ROLE_X1}" in errors[0].message and "commented_out" not in errors[0].message
    assert "export NO_SUCH_ROLE_X1=" in errors[0].hint


def test_xml_includes_sql_changes_and_liquibases_own_changes(tmp_path: Path) -> None:
    write(
        tmp_path,
        "db/changelog/db.changelog-master.xml",
        MASTER.format(
            body="""  <include file="db/changelog/changes/001.sql"/>
  <changeSet id="2" author="bob">
    <sql>ALTER TABLE users ADD COLUMN email text;</sql>
    <rollback>ALTER TABLE users DROP COLUMN email;</rollback>
  </changeSet>
  <changeSet id="3" author="bob">
    <createTable tableName="orders"><column name="id" type="int"/></createTable>
  </changeSet>
  <changeSet id="4" author="bob">
    <sqlFile path="changes/004.sql" relativeToChangelogFile="true"/>
  </changeSet>
  <includeAll path="more/" relativeToChangelogFile="true"/>"""
        ),
    )
    # not relative to the changelog: found from the classpath root above it
    write(
        tmp_path,
        "db/changelog/changes/001.sql",
        formatted("--changeset al:1\nCREATE TABLE users (id int);\n"),
    )
    write(tmp_path, "db/changelog/changes/004.sql", "ALTER TABLE orders ADD COLUMN total int;\n")
    write(
        tmp_path,
        "db/changelog/more/b.sql",
        formatted("--changeset al:b\nALTER TABLE users ADD b int;\n"),
    )
    write(
        tmp_path,
        "db/changelog/more/a.sql",
        formatted("--changeset al:a\nALTER TABLE users ADD a int;\n"),
    )
    folder = tmp_path / "db/changelog"
    result = load(folder)
    assert [m.name for m in result.migrations] == ["1", "2", "4", "a", "b"]
    second = result.migrations[1]
    assert second.up.start_line == 5 and second.down.text.strip().startswith(
        "ALTER TABLE users DROP"
    )
    assert result.code_migrations == (("3", "db.changelog-master.xml"),)
    found = analyze_dir(folder).problems
    [code] = [p for p in found if p.kind == "code_migration"]
    assert "createTable" in code.message and code.line == 8
    # orders comes from the createTable migtui cannot read: a warning, not an error
    [origin] = [p for p in found if p.object == "table public.orders"]
    assert origin.kind == "unknown_origin" and origin.severity.value == "warning"


def test_a_yaml_master_changelog(tmp_path: Path) -> None:
    write(
        tmp_path,
        "db.changelog-master.yaml",
        """databaseChangeLog:
  - include:
      file: changes/001.sql
      relativeToChangelogFile: true
  - changeSet:
      id: add-email
      author: bob
      changes:
        - sql:
            sql: ALTER TABLE users ADD COLUMN email text
      rollback:
        - sql:
            sql: ALTER TABLE users DROP COLUMN email
""",
    )
    write(
        tmp_path, "changes/001.sql", formatted("--changeset al:1\nCREATE TABLE users (id int);\n")
    )
    result = load(tmp_path)
    assert [m.name for m in result.migrations] == ["1", "add-email"]
    assert "ADD COLUMN email" in result.migrations[1].up.text
    assert "DROP COLUMN email" in result.migrations[1].down.text
    assert problems(tmp_path, "missing_prerequisite") == []


def test_a_missing_include_names_the_changelog_and_line(tmp_path: Path) -> None:
    write(tmp_path, "changelog.xml", MASTER.format(body='  <include file="nope.sql"/>'))
    [missing] = problems(tmp_path, "missing_file")
    assert missing.file == "changelog.xml" and missing.line == 3 and "nope.sql" in missing.message


def test_xml_that_is_not_well_formed_is_reported_not_raised(tmp_path: Path) -> None:
    write(tmp_path, "changelog.xml", MASTER.format(body="  <include file='a.sql'>"))
    [bad] = problems(tmp_path, "parse_error")
    assert bad.file == "changelog.xml" and bad.line is not None


def test_several_root_changelogs_are_read_together_with_a_warning(tmp_path: Path) -> None:
    for name in ("audit", "registry"):
        write(
            tmp_path,
            f"{name}-changelog.xml",
            MASTER.format(body=f'  <includeAll path="{name}/" relativeToChangelogFile="true"/>'),
        )
        write(
            tmp_path,
            f"{name}/001.sql",
            formatted(f"--changeset p:{name}\nCREATE TABLE {name} (id int);\n"),
        )
    result = load(tmp_path)
    assert [m.name for m in result.migrations] == ["audit", "registry"]
    [warning] = [p for p in result.problems if p.kind == "unrecognized_file"]
    assert "audit-changelog.xml" in warning.message and "registry-changelog.xml" in warning.message


def test_a_plain_sql_file_included_is_one_changeset(tmp_path: Path) -> None:
    write(
        tmp_path,
        "changelog.xml",
        MASTER.format(body='  <include file="init.sql" relativeToChangelogFile="true"/>'),
    )
    write(tmp_path, "init.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n")
    [m] = load(tmp_path).migrations
    assert m.name == "raw" and "CREATE TABLE b" in m.up.text
