"""The analysis cache: a second run reads only what changed, and never trusts
an entry written for other files."""

from __future__ import annotations

from pathlib import Path

from migtui.core import graph
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
