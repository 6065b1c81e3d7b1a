"""Random folders — odd names, markers, encodings, links, cut-off files — never
make `check` or `show` end in a traceback: a clear message and exit 0, 1 or 2."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migtui.cli import main

NAMES = st.sampled_from(
    [
        "0001_a.sql",
        "0002_b.sql",
        "0002-c.sql",
        "0013_5_d.sql",
        "1_e.up.sql",
        "1_e.down.sql",
        "2_f.up.sql",
        "V1__g.sql",
        "V1.1__h.sql",
        "U1__g.sql",
        "R__view.sql",
        "00001_i.sql",
        "README.md",
        "notes.sql",
        "schema.sql",
        "x.sql",
        "0003_.sql",
        "0004_j.SQL",
        "2024-01-01-000000_k/up.sql",
        "2024-01-01-000000_k/down.sql",
        "sqitch.plan",
        "deploy/a.sql",
        "20240101000000_l/migration.sql",
        "migration_lock.toml",
        "atlas.sum",
        "flyway.conf",
        "2023-10-16.0.add-x.sql",
        "20230222172540-uid-1.sql",
    ]
)
PIECES = st.sampled_from(
    [
        "-- migrate:up\n",
        "-- migrate:down\n",
        "-- migrate:verify\n",
        "-- migrate:upp\n",
        "-- +goose Up\n",
        "-- +goose Down\n",
        "-- +goose StatementBegin\n",
        "-- +goose StatementEnd\n",
        "CREATE TABLE t (id int);\n",
        "ALTER TABLE t ADD x int;\n",
        "DROP TABLE t;\n",
        "SELECT 'unterminated\n",
        "/* open comment\n",
        "$$ body\n",
        "DO $$ BEGIN RAISE NOTICE 'x'; END $$;\n",
        "COPY t FROM STDIN;\n1\n\\.\n",
        "\\i other.sql\n",
        "BEGIN;\n",
        "COMMIT;\n",
        "-- requires: 0001 nope\n",
        "%project=p\n",
        "a 2024-01-01T00:00:00Z A <a@x> # x\n",
        "CREATE INDEX ON t (\n",
        "-- +migrate Up\n",
        "-- +migrate Down notransaction\n",
        "-- +migrate StatementBegin\n",
        "---- create above / drop below ----\n",
        "-- atlas:txmode none\n",
        "CREATE TABLE ${schema}.t (id int);\n",
        "flyway.placeholders.schema=app\nflyway.schemas=app\n",
        "CREATE SCHEMA migtui;\nGRANT SELECT ON t TO reader;\n",
        "CREATE TABLE t (id int);\nCREATE TABLE t (id int);\n",
        "\\restrict abc\n",
    ]
)
CONTENT = st.one_of(
    st.lists(PIECES, max_size=8).map(lambda parts: "".join(parts).encode()),
    st.binary(max_size=64),
    st.just(b"\xff\xfe-- migrate:up\nSELECT 1;\n"),
    st.just(b"CREATE TABLE \x00 t;"),
)
FOLDER = st.dictionaries(NAMES, st.one_of(CONTENT, st.just(None)), max_size=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(folder=FOLDER)
def test_check_and_show_end_with_a_message_never_a_traceback(folder):
    root = Path(tempfile.mkdtemp(prefix="migtui-fuzz-"))
    try:
        for name, data in folder.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if data is None:  # a link to nothing
                path.symlink_to(root / "nowhere" / name)
            else:
                path.write_bytes(data)
        runner = CliRunner()
        for args in (["check", "--dir", str(root)], ["show", "0001", "--dir", str(root)]):
            result = runner.invoke(main, args, env={"MIGTUI_NO_CACHE": "1"})
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                args,
                folder,
                result.output,
            )
            assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
            assert "Traceback" not in result.output
    finally:
        shutil.rmtree(root, ignore_errors=True)
