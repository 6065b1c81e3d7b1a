"""flyway's ``${name}`` placeholders: read and run with the values flyway would use,
and a placeholder without one said once, at its line, instead of syntax errors."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from migtui.core.graph import analyze_dir
from migtui.db.runner import Runner, RunOptions


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


HISTORY = {
    "db/migration/V1__schema.sql": (
        "-- owned by ${flyway:user}? no: by the app\n"
        "CREATE SCHEMA ${appSchema};\n"
        "CREATE TABLE ${appSchema}.assets (id int PRIMARY KEY, note text);\n"
    ),
    "db/migration/V2__grant.sql": (
        "ALTER TABLE ${appSchema}.assets ADD COLUMN kind text DEFAULT '${defaultKind}';\n"
        "COMMENT ON TABLE ${appSchema}.assets IS 'made by ${flyway:filename}';\n"
    ),
}


def problems(root: Path) -> list[tuple[str, str, int | None]]:
    found = analyze_dir(root, layout="flyway").problems
    return [(p.kind, p.file, p.line) for p in found if p.kind != "missing_down"]


def test_values_from_flyway_conf_and_the_environment(tmp_path, monkeypatch):
    project = write(tmp_path, {**HISTORY, "flyway.conf": "flyway.placeholders.appSchema=app\n"})
    root = project / "db" / "migration"
    monkeypatch.setenv("FLYWAY_PLACEHOLDERS_DEFAULTKIND", "sensor")
    # the comment's ${flyway:user} has no value: flyway refuses the script, so do we
    assert problems(root) == [("parse_error", "V1__schema.sql", 1)]
    (root / "V1__schema.sql").write_text(HISTORY["db/migration/V1__schema.sql"].split("\n", 1)[1])
    assert problems(root) == []
    analysis = analyze_dir(root, layout="flyway")
    [v1, v2] = analysis.migrations
    assert "table app.assets" in [str(r) for r in v1.provides]
    assert (str(v2.requires[0].ref), v2.requires[0].met_by) == ("table app.assets", "1")
    assert "DEFAULT 'sensor'" in v2.sections["up"].statements[0].text


def test_toml_above_the_folder_and_the_environment_over_it(tmp_path, monkeypatch):
    project = write(
        tmp_path,
        {
            **HISTORY,
            "flyway.toml": '[flyway]\nlocations = ["filesystem:db/migration"]\n'
            '[flyway.placeholders]\nappSchema = "from_toml"\ndefaultKind = "x"\n',
        },
    )
    root = project / "db" / "migration"
    (root / "V1__schema.sql").write_text(HISTORY["db/migration/V1__schema.sql"].split("\n", 1)[1])
    assert problems(root) == []
    monkeypatch.setenv("FLYWAY_PLACEHOLDERS_APPSCHEMA", "from_env")
    [v1, _] = analyze_dir(root, layout="flyway").migrations
    assert "schema from_env" in [str(r) for r in v1.provides]


def test_a_placeholder_without_a_value_is_one_error_at_its_line(tmp_path):
    root = write(tmp_path, HISTORY)
    (root / "db/migration/V1__schema.sql").write_text(
        "CREATE SCHEMA app;\n\nCREATE TABLE ${appSchema}.assets (id int);\n"
    )
    found = analyze_dir(root / "db" / "migration", layout="flyway").problems
    errors = [p for p in found if str(p.severity) == "error"]
    assert [(p.kind, p.file, p.line) for p in errors] == [
        ("parse_error", "V1__schema.sql", 3),
        ("parse_error", "V2__grant.sql", 1),
    ]
    assert "${appSchema}" in errors[0].message
    assert "flyway.placeholders.appSchema" in errors[0].hint
    assert "placeholders ${appSchema}, ${defaultKind} have no value" in errors[1].message


def test_replacement_turned_off_leaves_the_text_as_written(tmp_path):
    root = write(
        tmp_path,
        {
            "V1__js.sql": "CREATE TABLE t (tpl text DEFAULT 'Hello ${name}');\n",
            "flyway.conf": "flyway.placeholderReplacement=false\n",
        },
    )
    assert problems(root) == []
    [v1] = analyze_dir(root, layout="flyway").migrations
    assert "${name}" in v1.sections["up"].statements[0].text


@pytest.mark.db
def test_apply_runs_the_replaced_sql(tmp_path, pg_dsn):
    project = write(
        tmp_path,
        {
            **HISTORY,
            "flyway.conf": "flyway.placeholders.appSchema=app\nflyway.placeholders.defaultKind=meter\n",
        },
    )
    root = project / "db" / "migration"
    (root / "V1__schema.sql").write_text(HISTORY["db/migration/V1__schema.sql"].split("\n", 1)[1])
    analysis = analyze_dir(root, layout="flyway")
    result = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda event: None).apply()
    assert result.outcome == "done", result.message
    with psycopg.connect(pg_dsn) as conn:
        conn.execute("INSERT INTO app.assets (id) VALUES (1)")
        assert conn.execute("SELECT kind FROM app.assets").fetchone() == ("meter",)
        comment = conn.execute("SELECT obj_description('app.assets'::regclass)").fetchone()
        assert comment == ("made by V2__grant.sql",)


def test_spring_boots_application_properties_above_the_folder(tmp_path):
    # src/main/resources/application.properties above src/main/resources/db/migration
    project = write(
        tmp_path,
        {
            **{f"src/main/resources/{k}": v for k, v in HISTORY.items()},
            "src/main/resources/application.properties": "spring.datasource.url=jdbc:x\n"
            "spring.flyway.placeholders.appSchema=shop\n"
            "spring.flyway.placeholders.defaultKind=widget\n",
        },
    )
    root = project / "src/main/resources/db/migration"
    (root / "V1__schema.sql").write_text(HISTORY["db/migration/V1__schema.sql"].split("\n", 1)[1])
    assert problems(root) == []
    [v1, _] = analyze_dir(root, layout="flyway").migrations
    assert "table shop.assets" in [str(r) for r in v1.provides]


@pytest.mark.db
def test_flyways_default_schema_is_where_unqualified_names_land(tmp_path, pg_dsn):
    # flyway makes the schema, and puts it first on the search path while it migrates
    root = write(
        tmp_path,
        {
            "flyway.conf": "flyway.schemas=shop\n",
            "V1__tables.sql": "CREATE TABLE orders (id int PRIMARY KEY);\n",
            "V2__more.sql": "ALTER TABLE shop.orders ADD COLUMN total numeric;\n"
            "CREATE INDEX orders_total_idx ON orders (total);\n"
            "SELECT gen_random_uuid();\n",  # public's functions still resolve
        },
    )
    analysis = analyze_dir(root, layout="flyway")
    assert problems(root) == []
    assert analysis.search_path == ("shop", "public")
    assert "table shop.orders" in [str(r) for r in analysis.migrations[0].provides]
    result = Runner(pg_dsn, analysis, options=RunOptions(), emit=lambda event: None).apply()
    assert result.outcome == "done", result.message
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('shop.orders_total_idx')").fetchone()[0]
        assert conn.execute("SELECT to_regclass('public.orders')").fetchone() == (None,)
        # the next session is the user's own again
        assert conn.execute("SHOW search_path").fetchone() == ('"$user", public',)
