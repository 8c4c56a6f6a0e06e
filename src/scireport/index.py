"""The index: overall scores, ranks, averages, leaders and changes, computed from data.

Plain functions of their inputs, computed once per build. The overall index of a city is
the weighted mean of the area scores it has, rounded to the index's precision; cities are
ranked on that rounded value so that two cities printed alike share their rank. Ties share
a rank (standard competition ranking: 1, 2, 2, 4) and tied cities are listed by English
name. A city with no score at all is unranked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

ALL = "all"
"""The group id of the average of every ranked city."""


@dataclass(frozen=True)
class AreaWeight:
    """An area as the computation needs it."""

    id: str
    """The area's id."""
    weight: float = 1.0
    """Its weight in the overall index."""


@dataclass(frozen=True)
class CityScore:
    """One city's place in the index."""

    slug: str
    """The city's slug."""
    name: str
    """Its English name (ties are listed by it)."""
    overall: float | None
    """Overall index, rounded to the precision; None when the city has no score."""
    rank: int | None
    """Overall rank (1 is the highest index); None when unranked."""
    scores: dict[str, float]
    """Area id -> score, for the areas it has."""
    area_ranks: dict[str, int]
    """Area id -> rank among the cities scored in that area."""
    previous_overall: float | None = None
    """The previous edition's overall index."""
    previous_rank: int | None = None
    """The previous edition's rank."""
    new: bool = False
    """True when there is a previous edition and the city was not in it."""

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous edition (negative: places lost)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def score_change(self) -> float | None:
        """Change of the overall index since the previous edition."""
        if self.overall is None or self.previous_overall is None:
            return None
        return self.overall - self.previous_overall


@dataclass(frozen=True)
class IndexResult:
    """The whole index of one edition."""

    areas: tuple[AreaWeight, ...]
    """The areas, in print order."""
    cities: tuple[CityScore, ...]
    """Every city: ranked ones by rank (ties by name), then unranked ones by name."""
    averages: dict[str, dict[str, float | None]]
    """Group id (``all`` and each declared group) -> area id or ``overall`` -> average."""
    leaders: dict[str, tuple[CityScore, ...]]
    """Area id -> the cities scored in it, by area rank (ties by name)."""
    ranked: int = 0
    """How many cities have an overall rank."""
    previous_year: int | None = None
    """Year of the previous edition, when there is one."""
    by_slug: dict[str, CityScore] = field(default_factory=dict)
    """The cities by slug."""


def weighted_mean(
    scores: Mapping[str, float], areas: Sequence[AreaWeight], precision: int
) -> float | None:
    """The weighted mean of the areas ``scores`` has, rounded; None when it has none."""
    present = [(area.weight, scores[area.id]) for area in areas if area.id in scores]
    if not present:
        return None
    total = sum(weight for weight, _ in present)
    return round(sum(weight * value for weight, value in present) / total, precision)


def competition_ranks(values: Mapping[str, float], names: Mapping[str, str]) -> dict[str, int]:
    """Rank keys by value, highest first; equal values share a rank (1, 2, 2, 4).

    The returned dict is ordered by rank, ties by ``names``.
    """
    order = sorted(values, key=lambda key: (-values[key], names.get(key, key), key))
    ranks: dict[str, int] = {}
    for position, key in enumerate(order, start=1):
        previous = order[position - 2] if position > 1 else None
        if previous is not None and values[previous] == values[key]:
            ranks[key] = ranks[previous]
        else:
            ranks[key] = position
    return ranks


def _mean(values: Sequence[float], precision: int) -> float | None:
    return round(sum(values) / len(values), precision) if values else None


def compute_index(
    areas: Sequence[AreaWeight],
    scores: Mapping[str, Mapping[str, float]],
    names: Mapping[str, str],
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    previous: Mapping[str, Mapping[str, float]] | None = None,
    previous_year: int | None = None,
    precision: int = 2,
) -> IndexResult:
    """Compute the index of one edition.

    ``scores``: slug -> area id -> score for every city of the edition (a city may lack
    areas, or have none). ``names``: slug -> English name, to order ties. ``groups``:
    group id -> slugs, for group averages. ``previous``: the previous edition's scores
    (its cities may differ), for rank and score changes.
    """
    areas = tuple(areas)
    overall = {
        slug: value
        for slug, given in scores.items()
        if (value := weighted_mean(given, areas, precision)) is not None
    }
    ranks = competition_ranks(overall, names)
    area_ranks: dict[str, dict[str, int]] = {
        area.id: competition_ranks(
            {slug: round(s[area.id], precision) for slug, s in scores.items() if area.id in s},
            names,
        )
        for area in areas
    }
    old_overall: dict[str, float] = {}
    old_ranks: dict[str, int] = {}
    if previous is not None:
        old_overall = {
            slug: value
            for slug, given in previous.items()
            if (value := weighted_mean(given, areas, precision)) is not None
        }
        old_ranks = competition_ranks(old_overall, names)
    cities = {
        slug: CityScore(
            slug=slug,
            name=names.get(slug, slug),
            overall=overall.get(slug),
            rank=ranks.get(slug),
            scores=dict(given),
            area_ranks={a.id: area_ranks[a.id][slug] for a in areas if slug in area_ranks[a.id]},
            previous_overall=old_overall.get(slug),
            previous_rank=old_ranks.get(slug),
            new=previous is not None and slug not in previous,
        )
        for slug, given in scores.items()
    }
    unranked = sorted((s for s in cities if s not in ranks), key=lambda s: names.get(s, s))
    ordered = tuple(cities[slug] for slug in [*ranks, *unranked])
    members = {ALL: list(scores), **{g: list(m) for g, m in (groups or {}).items()}}
    averages: dict[str, dict[str, float | None]] = {}
    for group, slugs in members.items():
        inside = [cities[s] for s in slugs if s in cities]
        row: dict[str, float | None] = {
            area.id: _mean([c.scores[area.id] for c in inside if area.id in c.scores], precision)
            for area in areas
        }
        row["overall"] = _mean([c.overall for c in inside if c.overall is not None], precision)
        averages[group] = row
    leaders = {area.id: tuple(cities[slug] for slug in area_ranks[area.id]) for area in areas}
    return IndexResult(
        areas=areas,
        cities=ordered,
        averages=averages,
        leaders=leaders,
        ranked=len(ranks),
        previous_year=previous_year,
        by_slug=cities,
    )
