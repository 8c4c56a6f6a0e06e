"""Index data: the data tables joined with the profiles, one source per value.

A city's area scores (and its ABOUT numbers) come from the row of the table
``index.data`` names, or for a small project from the profile's ``scores:``. Joining
checks every cell on the way and reports each problem where it stands (``data-*`` and
``index-*`` rules): the same pass serves ``validate`` (the findings) and ``build`` (the
values).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Finding
from .index import AreaWeight, IndexResult, compute_index
from .models import IndexSpec
from .project import City, Project
from .tables import Cell, Table, number_in

ABOUT_COLUMNS: dict[str, bool] = {
    "area_km2": False,
    "population": True,
    "national_population": True,
}
"""ABOUT facts a table may carry, and whether each must be a whole number."""

INFO_COLUMNS = ("city", "country", "name", "native_name", "notes")
"""Columns a table may carry for the people reading it; scireport ignores them."""


@dataclass(frozen=True)
class CityData:
    """One city's numbers, wherever each came from."""

    scores: dict[str, float]
    """Area id -> score (areas without a score are absent)."""
    about: dict[str, float]
    """ABOUT facts given by the table (``area_km2``, ``population``, ...)."""


@dataclass(frozen=True)
class IndexInputs:
    """Everything the index is computed from."""

    spec: IndexSpec
    """The methodology from ``scireport.yaml``."""
    cities: dict[str, CityData]
    """This edition's numbers by slug (cities of the project only)."""
    previous: dict[str, dict[str, float]] | None = None
    """The previous edition's area scores by slug, or None without ``index.previous``."""
    previous_year: int | None = None
    """Year of the previous edition."""


@dataclass
class _Row:
    """A table row that names a city."""

    slug: str
    cells: dict[str, Cell]


@dataclass
class _Join:
    """The state of one join: its findings as they are found."""

    project: Project
    spec: IndexSpec
    findings: list[Finding] = field(default_factory=list)

    def rows(self, table: Table, *, current: bool) -> dict[str, _Row] | None:
        """Check ``table``'s header and rows; return its rows by slug (None: unusable)."""
        if not table.header:
            if not table.findings:
                self.findings.append(
                    table.finding(None, "data-empty", "the table is empty: add a header row")
                )
            return None
        columns = table.columns()
        if "slug" not in columns:
            self.findings.append(
                table.finding(
                    table.header[0],
                    "data-no-slug",
                    "the header has no 'slug' column: add one naming each row's city"
                    " by its slug (the profile's file name, e.g. seoul)",
                )
            )
            return None
        known = ["slug", *self.spec.area_ids(), *ABOUT_COLUMNS, *INFO_COLUMNS]
        used: dict[str, int] = {}
        for index, cell in enumerate(table.header):
            name = cell.text.lower()
            if not name:
                continue
            if name in used:
                self.findings.append(
                    table.finding(
                        cell,
                        "data-duplicate-column",
                        f"column {name!r} appears twice: keep one",
                    )
                )
                continue
            used[name] = index
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(known)
                self.findings.append(
                    table.finding(
                        cell,
                        "data-unknown-column",
                        f"unknown column {cell.text!r}; {hint} (areas are declared in"
                        " scireport.yaml's index.areas)",
                    )
                )
        slugs = [city.slug for city in self.project.cities]
        rows: dict[str, _Row] = {}
        first_cell: dict[str, Cell] = {}
        for cells in table.rows:
            slug_cell = table.cell(cells, used["slug"])
            slug = slug_cell.text
            if not slug:
                self.findings.append(
                    table.finding(
                        slug_cell, "data-blank-cell", "this row has no slug: name its city"
                    )
                )
                continue
            if slug in first_cell:
                self.findings.append(
                    table.finding(
                        slug_cell,
                        "data-duplicate-row",
                        f"{slug!r} has a second row here (first at"
                        f" {_place(table, first_cell[slug])}): keep one row per city",
                    )
                )
                continue
            first_cell[slug] = slug_cell
            if slug not in slugs and current and not self.project.partial:
                close = difflib.get_close_matches(slug, slugs, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.findings.append(
                    table.finding(
                        slug_cell,
                        "data-unknown-slug",
                        f"no profile has the slug {slug!r}{hint}",
                    )
                )
                continue
            if slug not in slugs:
                continue  # another city's row, not loaded this time
            row = _Row(slug, {})
            for name, index in used.items():
                if name != "slug" and name not in INFO_COLUMNS and name in known:
                    row.cells[name] = table.cell(cells, index)
            rows[slug] = row
        return rows

    def numbers(
        self,
        table: Table,
        row: _Row,
        *,
        current: bool,
        given: Mapping[str, float] | None = None,
    ) -> CityData:
        """The numbers of ``row``, each cell checked against the scale or its kind.

        ``given``: the scores the city's profile gives (a blank cell for one of them is not
        a missing score).
        """
        given = given or {}
        low, high = self.spec.scale
        scores: dict[str, float] = {}
        about: dict[str, float] = {}
        blank: list[tuple[str, Cell]] = []
        for name, cell in row.cells.items():
            value, problem = number_in(cell)
            if problem:
                self.findings.append(table.finding(cell, "data-not-number", problem))
                continue
            if name in ABOUT_COLUMNS:
                if value is None:
                    continue
                whole = ABOUT_COLUMNS[name]
                if value <= 0 or (whole and not value.is_integer()):
                    kind = "a whole number above 0" if whole else "a number above 0"
                    self.findings.append(
                        table.finding(cell, "data-range", f"{name} must be {kind}, got {cell.text}")
                    )
                    continue
                about[name] = value
            elif value is None:
                if name not in given:
                    blank.append((name, cell))
            elif not low <= value <= high:
                self.findings.append(
                    table.finding(
                        cell,
                        "data-out-of-scale",
                        f"{shown(value)} is outside the scale {shown(low)} to {shown(high)}",
                    )
                )
            else:
                scores[name] = value
        if current:
            self.blank_scores(table, row, blank, unranked=not given)
        return CityData(scores, about)

    def blank_scores(
        self, table: Table, row: _Row, blank: list[tuple[str, Cell]], *, unranked: bool
    ) -> None:
        """Warn of blank scores: each one, or the row once when the city has no score at all
        (``unranked``: nor does its profile give one)."""
        areas = [name for name in row.cells if name not in ABOUT_COLUMNS]
        if unranked and blank and len(blank) == len(areas):
            first = blank[0][1]
            self.findings.append(
                table.finding(
                    first,
                    "data-blank-cell",
                    f"{row.slug} has no score in any area: it is left unranked; fill its"
                    " cells if the scores exist",
                    severity="warning",
                )
            )
            return
        for name, cell in blank:
            self.findings.append(
                table.finding(
                    cell,
                    "data-blank-cell",
                    f"{row.slug} has no {name} score: the index averages its other"
                    " areas; fill the cell if the score exists",
                    severity="warning",
                )
            )

    def profile_scores(self, city: City) -> dict[str, float]:
        """The scores a profile gives, checked against the declared areas and the scale."""
        assert city.profile is not None
        low, high = self.spec.scale
        areas = self.spec.area_ids()
        given: dict[str, float] = {}
        for area, value in city.profile.scores.items():
            if area not in areas:
                close = difflib.get_close_matches(area, areas, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else "areas: " + ", ".join(areas)
                self.findings.append(
                    city.doc.finding(
                        ("scores", area),
                        "index-unknown-area",
                        f"{area!r} is not an area of the index; {hint}",
                        key=True,
                    )
                )
            elif not low <= value <= high:
                self.findings.append(
                    city.doc.finding(
                        ("scores", area),
                        "data-out-of-scale",
                        f"{shown(value)} is outside the scale {shown(low)} to {shown(high)}",
                    )
                )
            else:
                given[area] = value
        return given

    def one_source(
        self,
        city: City,
        table: Table,
        row: _Row,
        given: dict[str, float],
        read: dict[str, float],
        section: str,
    ) -> None:
        """Report values the profile gives (``given``) that the table's row gives too.

        ``read`` holds the row's values that passed their checks: a cell already reported
        (not a number, out of scale, out of range) is not compared as well.
        """
        for name, value in given.items():
            cell = row.cells.get(name)
            number = read.get(name)
            if cell is None or number is None:
                continue
            place = _place(table, cell)
            if abs(number - value) > 1e-9:
                message = (
                    f"{shown(value)} here, but {shown(number)} in {place}: a value has one"
                    " source; remove it from the profile or correct the table"
                )
                severity = "error"
            else:
                message = f"also given in {place}: remove it from the profile (one source)"
                severity = "warning"
            self.findings.append(
                city.doc.finding((section, name), "data-conflict", message, severity=severity)
            )

    def groups(self) -> None:
        """Every city a group names must have a profile."""
        if self.project.partial:
            return
        slugs = [city.slug for city in self.project.cities]
        for group, spec in self.spec.groups.items():
            for i, slug in enumerate(spec.cities):
                if slug not in slugs:
                    close = difflib.get_close_matches(slug, slugs, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    self.findings.append(
                        self.project.config_doc.finding(
                            ("index", "groups", group, "cities", i),
                            "index-unknown-city",
                            f"group {group!r} names {slug!r}, which no profile has{hint}",
                        )
                    )


def shown(value: float) -> str:
    """A number as a person writes it: thousands grouped, and every digit it has.

    ``9500000`` is ``9,500,000`` and ``9500000.5`` is ``9,500,000.5``: two different numbers
    never read the same (the shortest text that gives the value back, as ``repr``).
    """
    number = float(value)
    if number.is_integer() and abs(number) < 1e21:
        return f"{int(number):,}"
    return f"{number:,}"


def _place(table: Table, cell: Cell) -> str:
    """Where ``cell`` stands, as a user reads it."""
    return table.finding(cell, "", "").location()


def _valid_cities(project: Project) -> Iterator[City]:
    return (city for city in project.cities if city.profile is not None)


def join(project: Project) -> tuple[IndexInputs | None, list[Finding]]:
    """Join the tables with the profiles: the index's inputs and every problem found.

    Returns None for the inputs when ``scireport.yaml`` declares no index.
    """
    config = project.config
    spec = config.index if config else None
    if spec is None:
        return None, [
            city.doc.finding(
                ("scores",),
                "index-not-declared",
                "scores are given but scireport.yaml declares no index: add an index:"
                " section with its areas",
                key=True,
                severity="warning",
            )
            for city in _valid_cities(project)
            if city.profile is not None and city.profile.scores
        ]
    state = _Join(project, spec)
    state.groups()
    table = project.tables.get("data")
    rows = state.rows(table, current=True) if table is not None else None
    cities: dict[str, CityData] = {}
    for city in _valid_cities(project):
        assert city.profile is not None
        given = state.profile_scores(city)
        row = rows.get(city.slug) if rows is not None else None
        if row is None or table is None:
            if rows is not None and table is not None and not given:
                name = city.profile.city
                state.findings.append(
                    table.finding(
                        None,
                        "data-missing-city",
                        f"no row for {city.slug} ({name}): add one with its scores; to leave"
                        f" the city unranked, add a row with the slug {city.slug} and blank"
                        " scores",
                    )
                )
            cities[city.slug] = CityData(given, {})
            continue
        numbers = state.numbers(table, row, current=True, given=given)
        state.one_source(city, table, row, given, numbers.scores, "scores")
        about = city.profile.about
        state.one_source(
            city,
            table,
            row,
            {
                name: float(value)
                for name in ABOUT_COLUMNS
                if (value := getattr(about, name)) is not None
            },
            numbers.about,
            "about",
        )
        cities[city.slug] = CityData({**given, **numbers.scores}, numbers.about)
    previous = None
    year = spec.previous.year if spec.previous else None
    old = project.tables.get("previous")
    if old is not None:
        previous = {
            slug: state.numbers(old, row, current=False).scores
            for slug, row in (state.rows(old, current=False) or {}).items()
        }
    return IndexInputs(spec, cities, previous, year), state.findings


@dataclass(frozen=True)
class ReportData:
    """What the data tables give a build: the index and each city's numbers."""

    index: IndexResult | None = None
    """The computed index (None: the project declares no index)."""
    cities: dict[str, CityData] = field(default_factory=dict)
    """Each city's numbers by slug."""


def report_data(project: Project) -> ReportData:
    """The project's index, computed from the joined data, and each city's numbers.

    Cells with problems are left out; ``validate`` reports them (``build`` refuses to run
    on errors, so a build computes from clean data).
    """
    inputs, _ = join(project)
    if inputs is None:
        return ReportData()
    spec = inputs.spec
    names = {city.slug: city.profile.city for city in project.cities if city.profile is not None}
    index = compute_index(
        [AreaWeight(area.id, area.weight) for area in spec.areas],
        {slug: data.scores for slug, data in inputs.cities.items()},
        names,
        groups={group: spec.cities for group, spec in spec.groups.items()},
        previous=inputs.previous,
        previous_year=inputs.previous_year,
        precision=spec.precision,
    )
    return ReportData(index, inputs.cities)


def published_rows(project: Project, index: IndexResult) -> list[dict[str, Any]]:
    """The index as rows for the report's web site (``data/index.csv`` and ``.json``).

    Columns: slug, city, country, index, rank, then each area's score and rank, then the
    previous rank, the rank change and the score change (``new`` for new entrants).
    """
    countries = {c.slug: c.profile.country for c in project.cities if c.profile is not None}
    rows = []
    for score in index.cities:
        row: dict[str, Any] = {
            "slug": score.slug,
            "city": score.name,
            "country": countries.get(score.slug, ""),
            "index": score.overall,
            "rank": score.rank,
        }
        for area in index.areas:
            row[area.id] = score.scores.get(area.id)
            row[f"{area.id}_rank"] = score.area_ranks.get(area.id)
        if index.previous_year is not None:
            change = score.score_change
            row["previous_rank"] = score.previous_rank
            row["rank_change"] = "new" if score.new else score.rank_change
            row["index_change"] = None if change is None else round(change, 6)
        rows.append(row)
    return rows
