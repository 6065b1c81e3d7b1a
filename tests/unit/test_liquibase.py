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
    assert warning.line == 3 and "changeset ada:1" in warning.message  # at its header


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
    assert [m.name for m in result.migrations] == ["1", "2", "3", "4", "a", "b"]
    second, third = result.migrations[1:3]
    assert second.up.start_line == 5
    assert second.down.text.strip().startswith("ALTER TABLE users DROP")
    # Liquibase's createTable, read as the SQL it amounts to, at its line; its
    # rollback is the one Liquibase derives
    assert third.up.text.strip() == "CREATE TABLE orders (id int);" and third.up.start_line == 9
    assert third.down.text.strip() == "DROP TABLE orders;"
    assert third.run_by == "Liquibase" and second.run_by == ""
    # orders is made there: the sqlFile change after it needs nothing more
    assert [p.kind for p in analyze_dir(folder).problems if p.kind != "missing_down"] == []

    # a change migtui does not know runs unseen, like a code migration
    write(
        tmp_path,
        "db/changelog/more/c.xml",
        MASTER.format(
            body='<changeSet id="c" author="al">\n<customChange class="x.Y"/>\n</changeSet>'
        ),
    )
    result = load(folder)
    assert result.code_migrations == (("7", "more/c.xml"),)
    [code] = [p for p in analyze_dir(folder).problems if p.kind == "code_migration"]
    assert "customChange" in code.message and code.line == 3


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


def test_a_changeset_in_liquibases_own_types_is_checked_but_left_to_liquibase(
    tmp_path: Path,
) -> None:
    from migtui.core.plan import build_apply_plan

    write(
        tmp_path,
        "changelog.xml",
        MASTER.format(
            body="""  <changeSet id="1" author="a"><sql>CREATE TABLE a (id int)</sql></changeSet>
  <changeSet id="2" author="a">
    <createTable tableName="b"><column name="id" type="int"/></createTable>
  </changeSet>"""
        ),
    )
    analysis = analyze_dir(tmp_path)
    plan = build_apply_plan(analysis, [])
    [blocker] = plan.blockers
    assert (blocker.version, blocker.kind) == ("2", "run_by_tool")
    assert "liquibase update-count" in blocker.hint
    assert not build_apply_plan(analysis, [], to="1").refused


JHIPSTER_LIKE = """  <changeSet id="1" author="jhipster">
    <createTable tableName="jhi_user">
      <column name="id" type="bigint" autoIncrement="true">
        <constraints primaryKey="true" nullable="false"/>
      </column>
      <column name="login" type="varchar(50)">
        <constraints unique="true" nullable="false" uniqueConstraintName="ux_user_login"/>
      </column>
      <column name="activated" type="boolean" valueBoolean="false" defaultValueBoolean="false"/>
      <column name="created_date" type="timestamp" defaultValueComputed="now()"/>
    </createTable>
    <createTable tableName="jhi_authority">
      <column name="name" type="varchar(50)"><constraints primaryKey="true"/></column>
    </createTable>
    <createTable tableName="jhi_user_authority">
      <column name="user_id" type="bigint"><constraints nullable="false"/></column>
      <column name="authority_name" type="varchar(50)"><constraints nullable="false"/></column>
    </createTable>
    <addPrimaryKey columnNames="user_id, authority_name" tableName="jhi_user_authority"/>
    <addForeignKeyConstraint baseColumnNames="authority_name" baseTableName="jhi_user_authority"
        constraintName="fk_authority_name" referencedColumnNames="name"
        referencedTableName="jhi_authority"/>
    <createIndex indexName="idx_user_login" tableName="jhi_user" unique="true">
      <column name="login" type="varchar(50)"/>
    </createIndex>
    <createSequence sequenceName="sequence_generator" startValue="1050" incrementBy="50"/>
  </changeSet>
  <changeSet id="2" author="jhipster">
    <addColumn tableName="jhi_user">
      <column name="email" type="varchar(191)"/>
      <column name="lang_key" type="varchar(10)" defaultValue="en"/>
    </addColumn>
    <renameColumn tableName="jhi_user" oldColumnName="lang_key" newColumnName="language"/>
    <addNotNullConstraint tableName="jhi_user" columnName="email" defaultNullValue="x@y"/>
    <insert tableName="jhi_authority"><column name="name" value="ROLE_ADMIN"/></insert>
    <createView viewName="admins">SELECT u.login FROM jhi_user u
      JOIN jhi_user_authority ua ON ua.user_id = u.id WHERE ua.authority_name = 'ROLE_ADMIN'</createView>
  </changeSet>
  <changeSet id="3" author="jhipster">
    <addForeignKeyConstraint baseColumnNames="user_id" baseTableName="jhi_user_authority"
        constraintName="fk_user_id" referencedColumnNames="id" referencedTableName="jhi_users"/>
  </changeSet>"""


def test_liquibases_change_types_read_as_what_they_make(tmp_path: Path) -> None:
    write(tmp_path, "master.xml", MASTER.format(body=JHIPSTER_LIKE))
    analysis = analyze_dir(tmp_path)
    assert analysis.layout == "liquibase"
    assert [p.kind for p in analysis.problems if p.kind == "syntax_error"] == []
    first, second, third = analysis.migrations
    made = {str(r) for r in first.provides}
    assert {
        "table public.jhi_user",
        "table public.jhi_authority",
        "sequence public.sequence_generator",
        "index public.idx_user_login",
    } <= made
    assert "view public.admins" in {str(r) for r in second.provides}
    # the one real mistake: a foreign key to jhi_users, which nothing makes
    [error] = analysis.errors
    assert (error.kind, error.migration, error.object) == (
        "missing_prerequisite",
        "3",
        "table public.jhi_users",
    )
    assert error.file == "master.xml" and error.line == 42
    # the rollback Liquibase derives: the changes undone, last first
    down = first.migration.down.text
    assert down.index("DROP SEQUENCE sequence_generator") < down.index("DROP TABLE jhi_user;")
    # an insert Liquibase cannot undo by itself: changeset 2 has no rollback
    assert second.migration.down is None
    # each change's SQL on the change's own line
    lines = second.migration.up.text.split("\n")
    offset = second.migration.up.start_line
    assert "ADD COLUMN email" in lines[31 - offset] and "ADD COLUMN lang_key" in lines[31 - offset]


def test_a_yaml_changeset_in_liquibases_types(tmp_path: Path) -> None:
    write(
        tmp_path,
        "db.changelog-master.yaml",
        """databaseChangeLog:
  - changeSet:
      id: 1
      author: me
      changes:
        - createTable:
            tableName: person
            columns:
              - column:
                  name: id
                  type: uuid
                  constraints:
                    primaryKey: true
              - column:
                  name: team_id
                  type: bigint
                  constraints:
                    references: team(id)
                    foreignKeyName: fk_person_team
""",
    )
    analysis = analyze_dir(tmp_path)
    [error] = analysis.errors
    assert (error.kind, error.object) == ("missing_prerequisite", "table public.team")
    assert error.line == 3


def test_a_changeset_its_preconditions_may_skip_only_warns(tmp_path: Path) -> None:
    write(
        tmp_path,
        "changelog.sql",
        formatted(
            "--changeset a:1\nCREATE TABLE t (id int);\n",
            "--changeset a:2\n--preconditions onFail:MARK_RAN\n"
            "--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_tables"
            " WHERE tablename = 't'\nCREATE TABLE t (id int);\n",
            "--changeset a:3\nCREATE TABLE t (id int);\n",
        ),
    )
    found = {(p.migration, p.kind): p for p in problems(tmp_path, "already_exists")}
    assert found["2", "already_exists"].severity.value == "warning"
    assert "onFail MARK_RAN" in found["2", "already_exists"].message
    # without preconditions (or with onFail HALT, the default) it is an error
    assert found["3", "already_exists"].severity.value == "error"


def test_xml_preconditions_and_an_include_written_from_the_classpath_root(tmp_path: Path) -> None:
    write(
        tmp_path,
        "db/changelog/master.xml",
        MASTER.format(
            body="""  <include file="/db/changelog/one.xml"/>
  <changeSet id="2" author="a">
    <preConditions onFail="MARK_RAN"><not><tableExists tableName="t"/></not></preConditions>
    <createTable tableName="t"><column name="id" type="int"/></createTable>
  </changeSet>"""
        ),
    )
    write(
        tmp_path,
        "db/changelog/one.xml",
        MASTER.format(
            body='<changeSet id="1" author="a"><sql>CREATE TABLE t (id int)</sql></changeSet>'
        ),
    )
    found = problems(tmp_path / "db/changelog")
    assert [(p.kind, p.severity.value) for p in found if p.kind != "missing_down"] == [
        ("already_exists", "warning")
    ]


def test_placeholders_in_attributes_of_liquibases_changes(tmp_path: Path) -> None:
    write(
        tmp_path,
        "master.xml",
        """<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
    logicalFilePath="db/master.xml">
  <property name="autoIncrement" value="true" dbms="postgresql"/>
  <property name="autoIncrement" value="false"/>
  <property name="schema" value="app"/>
  <property name="now" value="now()"/>
  <changeSet id="1" author="a">
    <sql>CREATE SCHEMA ${schema}</sql>
    <createTable tableName="users" schemaName="${schema}">
      <column name="id" type="bigint" autoIncrement="${autoIncrement}"/>
      <column name="at" type="timestamp" defaultValueComputed="${now}"/>
    </createTable>
    <createIndex indexName="users_at" tableName="${schema}.users">
      <column name="at"/>
    </createIndex>
  </changeSet>
</databaseChangeLog>
""",
    )
    [m] = load(tmp_path).migrations
    assert "CREATE TABLE app.users (id bigint GENERATED BY DEFAULT AS IDENTITY" in m.up.text
    assert "DEFAULT now()" in m.up.text and "ON app.users (at)" in m.up.text
    assert problems(tmp_path, "missing_prerequisite") == []
    from migtui.core.tools.liquibase import changes

    assert changes(tmp_path)["1"].logical == "db/master.xml"
