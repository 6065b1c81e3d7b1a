"""A long history read on two processes gives the analysis one process gives:
the same migrations, problems, edges and hints, in the same order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migtui.core import parallel
from migtui.core.graph import analyze_dir


def write_history(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        body = f"CREATE TABLE t{n} (id int PRIMARY KEY, prev int REFERENCES t{n - 1});"
        if n == 1:
            body = "CREATE TABLE t1 (id int PRIMARY KEY);"
        if n % 97 == 0:  # a mistake now and then: a table nothing makes
            body += f"\nALTER TABLE missing_{n} ADD COLUMN x int;"
        # and a down section that fails
        down = f"DROP TABLE nosuch_{n};" if n % 89 == 0 else f"DROP TABLE t{n};"
        (root / f"{n:05d}_t{n}.sql").write_text(
            f"-- migrate:up\n{body}\nCREATE INDEX t{n}_prev ON t{n} (prev);\n"
            f"-- migrate:down\n{down}\n"
        )
    return root


@pytest.mark.skipif(not parallel.can_fork(), reason="forking is off on this machine")
def test_two_processes_read_a_history_as_one_does(tmp_path, monkeypatch):
    root = write_history(tmp_path / "h", parallel.LEAST * 2)
    together = analyze_dir(root)
    monkeypatch.setenv("MIGTUI_NO_PARALLEL", "1")
    alone = analyze_dir(root)
    assert together.errors  # the history has mistakes to find
    assert together.problems == alone.problems
    assert together.migrations == alone.migrations
    assert together.edges == alone.edges
    assert together.hints == alone.hints


def test_a_child_that_fails_costs_only_time():
    parent = os.getpid()

    def square(n: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return n * n

    items = list(range(parallel.LEAST * 2))
    assert parallel.map_halves(square, items) == [n * n for n in items]


def test_short_lists_are_read_in_process():
    parent = os.getpid()
    assert parallel.map_halves(lambda n: os.getpid(), list(range(10))) == [parent] * 10
