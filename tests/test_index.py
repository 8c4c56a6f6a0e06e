"""The index computation on a hand-computed table with ties and missing cells."""

from __future__ import annotations

import pytest

from scireport.index import AreaWeight, competition_ranks, compute_index, weighted_mean

AREAS = [AreaWeight("a"), AreaWeight("b"), AreaWeight("c", weight=2)]
NAMES = {"x": "Xian", "y": "Yokohama", "z": "Zurich", "w": "Wellington", "v": "Vienna"}
SCORES = {
    "x": {"a": 4, "b": 2, "c": 3},  # (4 + 2 + 2*3) / 4 = 3.00
    "y": {"a": 3, "b": 3, "c": 3},  # 3.00: tied with x
    "z": {"a": 5, "c": 4},  # b missing: (5 + 2*4) / 3 = 4.33
    "w": {"a": 2, "b": 1, "c": 1},  # (2 + 1 + 2) / 4 = 1.25
    "v": {},  # no score at all: unranked
}
PREVIOUS = {
    "x": {"a": 4, "b": 4, "c": 4},  # 4.00: first
    "q": {"a": 3, "b": 3, "c": 3},  # 3.00: second, gone since
    "y": {"a": 2, "b": 2, "c": 2},  # 2.00: third
}


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return compute_index(
        AREAS,
        SCORES,
        NAMES,
        groups={"g": ["x", "w"]},
        previous=PREVIOUS,
        previous_year=2021,
    )


def test_overall_is_the_weighted_mean_of_the_areas_a_city_has() -> None:
    assert weighted_mean(SCORES["x"], AREAS, 2) == 3.0
    assert weighted_mean(SCORES["z"], AREAS, 2) == 4.33
    assert weighted_mean({}, AREAS, 2) is None


def test_ties_share_a_rank_and_are_listed_by_name(result) -> None:  # type: ignore[no-untyped-def]
    assert [(c.slug, c.rank, c.overall) for c in result.cities] == [
        ("z", 1, 4.33),
        ("x", 2, 3.0),
        ("y", 2, 3.0),
        ("w", 4, 1.25),
        ("v", None, None),
    ]
    assert result.ranked == 4
    ranks = competition_ranks({"p": 1, "q": 2, "r": 2, "s": 3, "t": 2}, {})
    assert ranks == {"s": 1, "q": 2, "r": 2, "t": 2, "p": 5}
    assert list(ranks) == ["s", "q", "r", "t", "p"]


def test_area_ranks_skip_cities_without_the_area(result) -> None:  # type: ignore[no-untyped-def]
    by = result.by_slug
    assert {s: by[s].area_ranks.get("b") for s in "xyzw"} == {"x": 2, "y": 1, "z": None, "w": 3}
    assert {s: by[s].area_ranks["c"] for s in "xyzw"} == {"x": 2, "y": 2, "z": 1, "w": 4}
    assert [c.slug for c in result.leaders["c"]] == ["z", "x", "y", "w"]


def test_averages_of_all_cities_and_of_groups(result) -> None:  # type: ignore[no-untyped-def]
    everyone = result.averages["all"]
    assert everyone["a"] == 3.5  # (4 + 3 + 5 + 2) / 4
    assert everyone["b"] == 2.0  # (2 + 3 + 1) / 3: z has none
    assert everyone["c"] == 2.75
    assert everyone["overall"] == pytest.approx((3 + 3 + 4.33 + 1.25) / 4, abs=0.005)
    assert result.averages["g"]["overall"] == pytest.approx(2.12, abs=0.005)  # (3 + 1.25) / 2


def test_changes_since_the_previous_edition(result) -> None:  # type: ignore[no-untyped-def]
    by = result.by_slug
    assert (by["x"].previous_rank, by["x"].rank_change) == (1, -1)
    assert (by["y"].previous_rank, by["y"].rank_change) == (3, 1)
    assert by["y"].score_change == pytest.approx(1.0)
    assert by["z"].new and by["w"].new and not by["x"].new
    assert by["z"].rank_change is None
    assert result.previous_year == 2021


def test_without_a_previous_edition_nobody_is_new() -> None:
    plain = compute_index(AREAS, SCORES, NAMES)
    assert not any(c.new for c in plain.cities)
    assert all(c.rank_change is None for c in plain.cities)
