"""The edition plan: what one edition will typeset and where, known before any typesetting.

Cheap to make (no WeasyPrint, no hashing): the sections in book order with their page
budgets, every city's first page, the folders WeasyPrint may read and the geometry the
fit checks need. The build and ``validate``'s fit check both work from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from .data import ReportData
from .index import IndexResult
from .layouts import Layout
from .models import Lang, ReportConfig, Section
from .project import City, Project

CITIES = "cities"
"""Name of the section holding the city pages."""


def section_key(name: str) -> str:
    """The key of a section among a book's parts (``@ranking``; cities use their slugs)."""
    return f"@{name}"


@dataclass(frozen=True)
class Part:
    """One part of the book: a section, a city, or a blank page before a city."""

    key: str
    """Its key: ``@name`` for a section, the slug for a city, ``@blank-<page>`` for a blank."""
    kind: Literal["section", "city", "blank"]
    """What it is."""
    start: int
    """Its first book page."""
    pages: int
    """How many pages it takes."""
    section: Section | None = None
    """The section, for a section."""
    city: City | None = None
    """The city, for a city."""


@dataclass(frozen=True)
class Edition:
    """What one build renders: print (CMYK, bleed) or screen (RGB, tagged), in a language."""

    name: str
    """``print`` or ``screen``."""
    lang: Lang
    """Language the edition prints."""


@dataclass(frozen=True)
class EditionPlan:
    """One edition of one project: its parts, their page budgets and first pages."""

    project: Project
    """The loaded project."""
    config: ReportConfig
    """Its validated settings."""
    layout: Layout
    """The loaded layout."""
    edition: Edition
    """Which edition and language."""
    out: Path
    """The build's output folder (absolute)."""
    data: ReportData = ReportData()
    """The data tables' numbers and the computed index."""

    @property
    def index(self) -> IndexResult | None:
        """The computed index, when the project declares one."""
        return self.data.index

    @property
    def cities(self) -> list[City]:
        """Every city of the book, in print order."""
        return self.project.cities

    @cached_property
    def sections(self) -> list[Section]:
        """The layout's sections in book order, less those the project gives nothing for.

        A section that needs the index is printed only when there is one; a section that
        prints an editorial text only when ``texts:`` names it.
        """
        has_index = self.config.index is not None
        return [
            s
            for s in self.layout.manifest.sections
            if (has_index or not s.needs_index) and (s.text is None or s.text in self.config.texts)
        ]

    @property
    def budget(self) -> int:
        """Pages each city takes."""
        return self.layout.manifest.pages_per_city

    @property
    def content_top(self) -> float:
        """Top margin in CSS pixels (where content starts on a page)."""
        return self.layout.manifest.page.margin_mm[0] * 96 / 25.4

    @property
    def cache_folder(self) -> Path:
        """This edition's cache of typeset documents."""
        return self.out / ".cache" / f"{self.edition.name}-{self.edition.lang}"

    @property
    def image_folder(self) -> Path:
        """Where the print edition's CMYK copies of images are kept."""
        return self.out / ".cache" / "cmyk"

    @cached_property
    def allowed(self) -> tuple[Path, ...]:
        """Folders and files WeasyPrint may read: the project, the layouts, the ICC profile."""
        layout = self.layout
        return (self.project.root, *layout.dirs, layout.icc_profile, self.image_folder)

    def listed(self) -> list[Section]:
        """Sections with a line in the contents: those with a title, less the cover and the
        contents themselves (every titled section has a bookmark)."""
        return [
            s
            for s in self.sections
            if s.title is not None and s.name not in ("cover", "contents", CITIES)
        ]

    @cached_property
    def contents_pages(self) -> int:
        """Pages the contents take: one line per listed section and per city."""
        lines = len(self.listed()) + len(self.cities)
        return max(1, math.ceil(lines / self.layout.manifest.toc_entries_per_page))

    @property
    def rows(self) -> int:
        """Rows of a section that lists every city: the index's cities (those it ranks and
        those it lists unranked), or the book's cities when the report has no index."""
        return len(self.index.cities) if self.index is not None else len(self.cities)

    def section_budget(self, section: Section) -> int:
        """Pages ``section`` takes: the contents as their lines need, a section listing
        every city (``rows_per_page``) as its rows need, any other its ``pages``."""
        if section.name == "contents":
            return self.contents_pages
        return section.budget(self.rows)

    def parts(self, pages: Mapping[str, int] | None = None) -> list[Part]:
        """Every part of the book in order, with its first page and page count.

        ``pages`` gives page counts known to differ from the budgets (a city allowed to
        overflow); every later part moves accordingly. With the layout's ``spread``, each
        city opens on a left-hand (even) page, after a blank page where needed.
        """
        known = pages or {}
        spread = self.layout.manifest.spread
        parts: list[Part] = []
        page = 1
        for section in self.sections:
            if section.name != CITIES:
                key = section_key(section.name)
                count = known.get(key, self.section_budget(section))
                parts.append(Part(key, "section", page, count, section=section))
                page += count
                continue
            for city in self.cities:
                if spread and page % 2 == 1:
                    parts.append(Part(f"@blank-{page}", "blank", page, 1))
                    page += 1
                count = known.get(city.slug, self.budget)
                parts.append(Part(city.slug, "city", page, count, city=city))
                page += count
        return parts

    def start_pages(self, pages: Mapping[str, int] | None = None) -> dict[str, int]:
        """First book page of every part: section keys (``@name``), blanks and city slugs.

        The ``cities`` section's key gives the page its first city (or blank) starts on.
        """
        parts = self.parts(pages)
        starts = {part.key: part.start for part in parts}
        starts[section_key(CITIES)] = next((p.start for p in parts if p.kind != "section"), 1)
        return starts
