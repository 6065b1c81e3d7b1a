"""The analysis cache: a second run reads only what changed, and never trusts
an entry written for other files."""

from __future__ import annotations

from pathlib import Path

from migtui.core import cache, graph
from migtui.core.graph import analyze_dir


def write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text)


def test_a_second_run_reuses_the_reading_and_sees_an_edited_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "migrations"
    folder.mkdir()
    write(folder, "0001_t.sql", "CREATE TABLE t (id int);\n")
    write(folder, "0002_u.sql", "ALTER TABLE t ADD COLUMN note text;\n")

    read = []
    real_read = graph._Walker._read
    monkeypatch.setattr(
        graph._Walker, "_read", lambda self, m: read.append(m.id) or real_read(self, m)
    )

    first = analyze_dir(folder, cache=True)
    assert first.errors == () and read == ["0001", "0002"]

    read.clear()
    again = analyze_dir(folder, cache=True)
    assert read == []  # nothing parsed again
    assert [i.provides for i in again.migrations] == [i.provides for i in first.migrations]

    write(folder, "0002_u.sql", "ALTER TABLE nosuch ADD COLUMN note text;\n")
    edited = analyze_dir(folder, cache=True)
    assert read == ["0002"]
    assert [p.object for p in edited.errors] == ["table public.nosuch"]


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MIGTUI_NO_CACHE", "1")
    folder = tmp_path / "migrations"
    folder.mkdir()
    write(folder, "0001_t.sql", "CREATE TABLE t (id int);\n")
    analyze_dir(folder, cache=True)
    assert not (tmp_path / "cache").exists()


def test_a_damaged_cache_file_is_read_as_empty(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(cache))
    folder = tmp_path / "migrations"
    folder.mkdir()
    write(folder, "0001_t.sql", "SELECT * FROM nosuch;\n")
    analyze_dir(folder, cache=True)
    for f in cache.iterdir():
        f.write_bytes(b"not a pickle")
    assert [p.object for p in analyze_dir(folder, cache=True).errors] == ["table public.nosuch"]


def _age(folder: Path, seconds: float = 60) -> None:
    """Make every file look written a while ago, as a folder between edits does."""
    import os
    import time

    then = time.time() - seconds
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (then, then))


def test_an_unchanged_folder_is_not_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_RACY_NS", 0)  # as if the files were written a while ago
    folder = tmp_path / "migrations"
    folder.mkdir()
    write(folder, "0001_t.sql", "CREATE TABLE t (id int);\n")
    write(folder, "0002_u.sql", "ALTER TABLE nosuch ADD COLUMN note text;\n")
    _age(folder)

    from migtui.core import layouts

    loads = []
    real_load = layouts.load
    monkeypatch.setattr(layouts, "load", lambda *a: loads.append(a) or real_load(*a))

    first = analyze_dir(folder, cache=True)
    again = analyze_dir(folder, cache=True)
    assert len(loads) == 1  # the second run opened no migration
    assert [p.object for p in again.errors] == ["table public.nosuch"]
    assert again.problems == first.problems
    assert [i.version for i in again.migrations] == ["0001", "0002"]
    assert again.migrations[1].sections["up"].statements[0].start_line == 1

    # other options are another analysis
    assumed = analyze_dir(folder, cache=True, assume=["table public.nosuch"])
    assert len(loads) == 2 and assumed.errors == ()


def test_a_changed_added_or_removed_file_is_seen(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_RACY_NS", 0)
    folder = tmp_path / "migrations"
    folder.mkdir()
    write(folder, "0001_t.sql", "CREATE TABLE t (id int);\n")
    _age(folder, 120)
    assert analyze_dir(folder, cache=True).errors == ()

    write(folder, "0002_u.sql", "ALTER TABLE nosuch ADD COLUMN note text;\n")
    _age(folder, 90)
    assert [p.object for p in analyze_dir(folder, cache=True).errors] == ["table public.nosuch"]

    # same size, older time than the cache: the time still differs from the signature's
    write(folder, "0002_u.sql", "ALTER TABLE t      ADD COLUMN note text;\n")
    _age(folder, 60)
    assert analyze_dir(folder, cache=True).errors == ()

    (folder / "0002_u.sql").unlink()
    _age(folder, 30)
    assert [i.version for i in analyze_dir(folder, cache=True).migrations] == ["0001"]


def test_a_file_written_a_moment_ago_is_read_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "migrations"
    folder.mkdir()
    write(folder, "0001_t.sql", "CREATE TABLE t (id int);\n")
    assert cache.folder_signature(folder) is None
    monkeypatch.setattr(cache, "_RACY_NS", 0)
    assert cache.folder_signature(folder) is not None


def test_check_prints_an_unchanged_folders_report_without_analysing_it(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from migtui.cli import main
    from migtui.core import folder as folder_module

    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_RACY_NS", 0)
    folder = tmp_path / "migrations"
    folder.mkdir()
    write(folder, "0001_t.sql", "-- migrate:up\nCREATE TABLE t (id int);\n")
    write(folder, "0002_u.sql", "-- migrate:up\nALTER TABLE nosuch ADD COLUMN note text;\n")
    _age(folder)

    def check() -> tuple[int, str]:
        result = CliRunner().invoke(main, ["check", "--dir", str(folder)])
        return result.exit_code, result.output.rsplit(" · ", 1)[0]  # without the time taken

    first = check()
    assert first[0] == 1 and "table public.nosuch" in first[1]
    calls = []
    real = folder_module.analyze_folder
    monkeypatch.setattr(
        folder_module, "analyze_folder", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    assert check() == first
    assert calls == []  # the report came from the cache

    write(folder, "0002_u.sql", "-- migrate:up\nALTER TABLE t ADD COLUMN note text;\n")
    _age(folder, 30)
    code, output = check()
    assert code == 0 and "nosuch" not in output and calls == [1]


def test_the_program_answers_first_and_its_next_run_finds_the_cache(tmp_path):
    """``migtui`` writes its caches after it has answered, in a child that
    outlives it; a run right after waits for that child and is served from
    what it wrote (no reader or parser imported)."""
    import os
    import subprocess
    import sys
    import time

    folder = tmp_path / "migrations"
    folder.mkdir()
    write(folder, "0001_t.sql", "-- migrate:up\nCREATE TABLE t (id int);\n")
    write(folder, "0002_u.sql", "-- migrate:up\nALTER TABLE nosuch ADD COLUMN note text;\n")
    time.sleep(2.1)  # a file changed in the last two seconds is never trusted to the cache
    env = dict(os.environ, MIGTUI_CACHE_DIR=str(tmp_path / "cache"))
    program = "import sys; from migtui.cli import program; program()"

    def run(*flags: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *flags, "-c", program, "check", "--dir", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    first = run()
    assert first.returncode == 1 and "table public.nosuch" in first.stdout
    second = run("-X", "importtime")
    assert second.returncode == 1
    assert second.stdout.rsplit(" · ", 1)[0] == first.stdout.rsplit(" · ", 1)[0]
    imported = {line.rsplit("|", 1)[-1].strip() for line in second.stderr.splitlines()}
    assert "migtui.core.graph" not in imported and "pglast" not in imported
    assert sorted(p.name for p in (tmp_path / "cache").glob("*.pickle"))


def test_deferred_writes_wait_for_the_end(tmp_path, monkeypatch):
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "migrations"
    folder.mkdir()
    write(folder, "0001_t.sql", "CREATE TABLE t (id int);\n")
    cache.defer_writes()
    try:
        analyze_dir(folder, cache=True)
        assert not list((tmp_path / "cache").glob("*.pickle"))  # nothing written yet
    finally:
        cache.write_deferred()
    monkeypatch.setattr(cache, "_waited", set())
    read = []
    real_read = graph._Walker._read
    monkeypatch.setattr(
        graph._Walker, "_read", lambda self, m: read.append(m.id) or real_read(self, m)
    )
    analyze_dir(folder, cache=True)  # waits for the writer, if one was forked
    assert read == []


def test_a_file_beside_the_folder_that_decides_its_layout_is_seen(tmp_path, monkeypatch):
    """Supabase's config.toml makes ``supabase/migrations`` a Supabase folder
    (auth.users is there before the first migration) even when its files are
    not timestamped as the CLI names them: adding or removing it changes the
    analysis a second run gives."""
    monkeypatch.setenv("MIGTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_RACY_NS", 0)
    folder = tmp_path / "supabase" / "migrations"
    folder.mkdir(parents=True)
    write(folder, "1_a.sql", "CREATE TABLE t (id uuid REFERENCES auth.users (id));\n")
    _age(folder, 120)
    assert [p.object for p in analyze_dir(folder, cache=True).errors] == ["table auth.users"]

    (tmp_path / "supabase" / "config.toml").write_text('project_id = "x"\n')
    assert analyze_dir(folder, cache=True).errors == ()

    (tmp_path / "supabase" / "config.toml").unlink()
    assert [p.object for p in analyze_dir(folder, cache=True).errors] == ["table auth.users"]
