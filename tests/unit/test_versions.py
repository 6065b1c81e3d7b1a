"""Natural version order: the order migrations run in."""

from __future__ import annotations

import random

import pytest

from migtui.core.versions import Version, looks_like_version, version_for


def natural_sort(raw: list[str]) -> list[str]:
    return [str(v) for v in sorted(Version(r) for r in raw)]


def test_inserted_version_sorts_between_its_neighbours() -> None:
    expected = ["0001", "0013", "0013_5", "0014", "0100"]
    shuffled = expected[::-1]
    assert natural_sort(shuffled) == expected


def test_numbers_compare_as_numbers_not_as_text() -> None:
    # As text "1.10" < "1.2" and "10" < "9"; as versions they are not.
    assert natural_sort(["2", "1.10", "1.2", "1.1", "1"]) == ["1", "1.1", "1.2", "1.10", "2"]
    assert natural_sort(["10", "9", "100"]) == ["9", "10", "100"]


def test_timestamps_follow_sequential_numbers() -> None:
    versions = ["20240101120000", "0100", "20231231235959", "0001"]
    assert natural_sort(versions) == ["0001", "0100", "20231231235959", "20240101120000"]


def test_sorting_is_stable_under_any_input_order() -> None:
    expected = ["1", "1.1", "1.1.1", "1.2", "2", "2.0.1", "10"]
    rng = random.Random(7)
    for _ in range(20):
        shuffled = expected[:]
        rng.shuffle(shuffled)
        assert natural_sort(shuffled) == expected


def test_leading_zeros_do_not_make_a_different_version() -> None:
    assert Version("0014") == Version("14")
    assert hash(Version("0014")) == hash(Version("14"))
    assert Version("0014") != Version("0013_5")


def test_version_keeps_its_spelling() -> None:
    assert str(Version("0013_5")) == "0013_5"
    assert Version(" 0014 ").raw == "0014"


def test_version_names_itself_by_number() -> None:
    assert Version("0014").same_number("14")
    assert not Version("0014").same_number("0013_5")
    assert not Version("0014").same_number("users")


@pytest.mark.parametrize("raw", ["", "   ", "users", "R__views"])
def test_text_without_a_number_is_not_a_version(raw: str) -> None:
    with pytest.raises(ValueError):
        Version(raw)
    assert not looks_like_version(raw)


def test_diesel_versions_order_as_text_like_diesel() -> None:
    raw = ["20260120162913", "202511190914440000", "00000000000000", "20250601000000"]
    ordered = [str(v) for v in sorted(version_for(r, "diesel") for r in raw)]
    assert ordered == ["00000000000000", "20250601000000", "202511190914440000", "20260120162913"]
    # every other layout keeps the natural order
    assert [str(v) for v in sorted(version_for(r, "goose") for r in raw)][-1] == (
        "202511190914440000"
    )


def test_supabase_versions_order_as_the_cli_orders_its_file_names() -> None:
    # 20240101120000_a.sql sorts before 20240101_b.sql: "1" comes before "_"
    raw = ["20240101", "20240101120000", "20231231235959", "20240102"]
    ordered = [str(v) for v in sorted(version_for(r, "supabase") for r in raw)]
    assert ordered == ["20231231235959", "20240101120000", "20240101", "20240102"]
    assert ordered == [n.split("_")[0] for n in sorted(f"{r}_x.sql" for r in raw)]


def test_a_text_ordered_version_is_still_named_by_its_number() -> None:
    version = version_for("202511190914440000", "diesel")
    assert version == Version("202511190914440000")
    assert version.same_number("202511190914440000")
    assert {version: "x"}[Version("202511190914440000")] == "x"
