"""The analysis on real histories: the bundled chain, its scenarios, the layout
fixtures and long histories that all apply cleanly on PostgreSQL must raise no
false alarm; the two broken scenarios must raise exactly their one fault.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from migtui.core.graph import analyze_dir
from migtui.core.layouts import LAYOUTS as READ_LAYOUTS
from migtui.core.project import Analysis

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "sql" / "migrations"
SCENARIOS = REPO / "sql" / "scenarios"
HISTORIES = REPO / "tests" / "fixtures" / "histories"
LAYOUTS = REPO / "tests" / "fixtures" / "layouts"

BROKEN_SCENARIOS = {"missing-prerequisite", "out-of-order"}
CLEAN_SCENARIOS = sorted(
    p.name for p in SCENARIOS.iterdir() if p.is_dir() and p.name not in BROKEN_SCENARIOS
)
CLEAN_LAYOUTS = sorted(
    p.name for p in LAYOUTS.iterdir() if p.is_dir() and p.name != "broken-native"
)


def describe(analysis: Analysis) -> str:
    return "\n".join(
        f"{p.severity} {p.kind} {p.migration} {p.file}:{p.line} {p.message}"
        for p in analysis.problems
    )


def edge_objects(analysis: Analysis, source: str, target: str) -> tuple[str, ...] | None:
    for e in analysis.edges:
        if (e.source, e.target) == (source, target):
            return e.objects
    return None


# -- no false alarms -----------------------------------------------------------------------


def test_bundled_chain_has_no_errors() -> None:
    analysis = analyze_dir(BUNDLED)
    assert analysis.errors == (), describe(analysis)
    assert len(analysis.migrations) == 18


@pytest.mark.parametrize("scenario", CLEAN_SCENARIOS)
def test_clean_scenarios_have_no_errors(scenario: str) -> None:
    analysis = analyze_dir(SCENARIOS / scenario)
    assert analysis.errors == (), describe(analysis)


@pytest.mark.parametrize("history", ["rebalancer-long", "notifier-goose"])
def test_real_histories_have_no_errors(history: str) -> None:
    analysis = analyze_dir(HISTORIES / history)
    assert analysis.migrations
    assert analysis.errors == (), describe(analysis)


@pytest.mark.parametrize("layout", CLEAN_LAYOUTS)
def test_layout_fixtures_have_no_errors(layout: str) -> None:
    analysis = analyze_dir(_fixture(layout))
    assert analysis.migrations
    assert analysis.errors == (), describe(analysis)


def test_layout_fixtures_cover_every_layout() -> None:
    detected = {analyze_dir(_fixture(name)).layout for name in CLEAN_LAYOUTS}
    # every layout migtui reads has a fixture, clean and detected as itself
    assert detected == set(READ_LAYOUTS)


def _fixture(layout: str) -> Path:
    """A layout's fixture folder (Supabase's sits where its CLI keeps it)."""
    path = LAYOUTS / layout
    return path / "supabase" / "migrations" if layout == "supabase" else path


def test_rebalancer_partition_made_at_run_time_is_only_a_warning() -> None:
    """The monthly partitions are created with EXECUTE format(…); archiving one later
    cannot be proven, so it is an unknown origin naming the dynamic migration."""
    analysis = analyze_dir(HISTORIES / "rebalancer-long")
    unknown = [p for p in analysis.warnings if p.kind == "unknown_origin"]
    assert unknown, describe(analysis)
    assert all("20220701090000" in p.message for p in unknown)


# -- the broken scenarios ------------------------------------------------------------------


def test_missing_prerequisite_is_exactly_the_two_tables_of_0014() -> None:
    analysis = analyze_dir(SCENARIOS / "missing-prerequisite")

    assert sorted((p.kind, p.migration, p.object) for p in analysis.errors) == [
        ("missing_prerequisite", "0014", "table public.proposal_moves"),
        ("missing_prerequisite", "0014", "table public.rebalancing_proposals"),
    ]
    assert all("0013_5" in p.hint for p in analysis.errors)
    assert all(p.file == "0014_rebalancing_concurrency_linkage.sql" for p in analysis.errors)
    blocked = [i.version for i in analysis.migrations if i.blocked]
    assert blocked == ["0014"]


def test_missing_prerequisite_points_at_the_first_use() -> None:
    analysis = analyze_dir(SCENARIOS / "missing-prerequisite")
    path = SCENARIOS / "missing-prerequisite" / "0014_rebalancing_concurrency_linkage.sql"
    lines = path.read_text(encoding="utf-8").splitlines()

    for problem in analysis.errors:
        table = problem.object.removeprefix("table public.")
        first = next(
            n
            for n, text in enumerate(lines, start=1)
            if table in text and not text.lstrip().startswith("--")
        )
        assert problem.line == first, problem


def test_out_of_order_names_the_later_migration() -> None:
    analysis = analyze_dir(SCENARIOS / "out-of-order")

    assert analysis.errors, describe(analysis)
    assert {p.kind for p in analysis.errors} == {"out_of_order"}
    assert {p.migration for p in analysis.errors} == {"0014"}
    assert all("0015" in p.message and "0015" in p.hint for p in analysis.errors)


# -- the edges an operator expects in the bundled chain ------------------------------------


def test_base_tables_feed_0014() -> None:
    objects = edge_objects(analyze_dir(BUNDLED), "0013_5", "0014")
    assert objects is not None
    assert "table public.proposal_moves" in objects
    assert "table public.rebalancing_proposals" in objects


def test_0014_trigger_depends_on_calendar_events_new() -> None:
    analysis = analyze_dir(BUNDLED)
    assert "table public.calendar_events_new" in edge_objects(analysis, "0008", "0014")
    assert analysis.get("0014").depends_on == ("0008", "0013_5")


def test_base_tables_depend_on_users() -> None:
    objects = edge_objects(analyze_dir(BUNDLED), "0002", "0013_5")
    assert objects is not None and "table public.users" in objects


def test_bundled_chain_runs_in_natural_version_order() -> None:
    versions = [i.version for i in analyze_dir(BUNDLED).migrations]
    assert versions.index("0013") < versions.index("0013_5") < versions.index("0014")
    assert "0007" not in versions


def test_every_edge_points_forward_in_the_bundled_chain() -> None:
    analysis = analyze_dir(BUNDLED)
    order = {info.version: n for n, info in enumerate(analysis.migrations)}
    assert analysis.edges
    assert all(order[e.source] < order[e.target] for e in analysis.edges)


# -- a generated long history --------------------------------------------------------------


def test_generated_long_history_has_no_false_alarms(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))

    root = generate(tmp_path / "long", 300)
    analysis = analyze_dir(root)

    assert len(analysis.migrations) == 300
    assert analysis.errors == (), describe(analysis)
    # most migrations build on an earlier one: the graph is not empty
    assert len(analysis.edges) > 250
