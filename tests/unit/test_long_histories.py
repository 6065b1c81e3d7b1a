"""Histories of thousands of migrations, each building on the one before.

Nothing that walks the dependency graph may recurse once per migration: a
chain longer than Python's recursion limit (1,000) must be analysed, checked
for cycles and drawn like any other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migtui.core.graph import analyze_dir
from migtui.core.project import Analysis
from migtui.report import graph_dot, graph_json, graph_mermaid
from migtui.tui.screens.graph_screen import layers

LENGTH = 10_000


def write_view_chain(root: Path, length: int, first_requires: str = "") -> Path:
    """Migration N creates view vN reading v(N-1): each needs the one before."""
    root.mkdir()
    for n in range(1, length + 1):
        up = (
            "CREATE VIEW v1 AS SELECT 1 AS x;"
            if n == 1
            else f"CREATE VIEW v{n} AS SELECT x FROM v{n - 1};"
        )
        header = first_requires if n == 1 else ""
        text = f"{header}-- migrate:up\n{up}\n-- migrate:down\nDROP VIEW v{n};\n"
        (root / f"{n:05d}_view_{n}.sql").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return analyze_dir(write_view_chain(tmp_path_factory.mktemp("chain") / "m", LENGTH))


def test_ten_thousand_migrations_each_needing_the_previous_are_analysed(chain: Analysis) -> None:
    assert chain.problems == ()
    assert len(chain.migrations) == LENGTH
    assert len(chain.edges) == LENGTH - 1
    assert chain.get("10000").depends_on == ("09999",)
    assert chain.dependents("00001") == ("00002",)


def test_a_cycle_around_a_long_chain_is_reported_once(tmp_path: Path) -> None:
    root = write_view_chain(tmp_path / "m", 2_000, first_requires="-- requires: 02000\n")
    cycles = [p for p in analyze_dir(root).problems if p.kind == "cycle"]

    assert len(cycles) == 1
    path = cycles[0].message.removeprefix("dependency cycle: ").split(" → ")
    assert path == [f"{n:05d}" for n in range(1, 2_001)] + ["00001"]


def test_the_graph_of_a_long_chain_is_drawn_in_every_format(chain: Analysis) -> None:
    assert len(graph_json(chain)["edges"]) == LENGTH - 1
    assert '"09999" -> "10000"' in graph_dot(chain)
    assert "m_09999 -->" in graph_mermaid(chain)


def test_the_consoles_layers_of_a_long_chain_are_one_migration_each(chain: Analysis) -> None:
    found = layers(chain)
    assert len(found) == LENGTH
    assert found[0] == ["00001"] and found[-1] == ["10000"]
