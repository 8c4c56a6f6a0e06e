"""The data scireport reads: city profiles, the report's settings and layout manifests.

Every field carries a docstring; pydantic turns them into the descriptions of the
JSON Schema (``scireport schema``), the comments of ``new-city`` skeletons and the
reference in the README, so the three never drift apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")

AREA_ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
"""An assessment area's id: snake_case, as used for table columns and profile ``scores``."""

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
"""Hangul syllables and jamo."""

WORD_JOINER = "\u2060"
"""U+2060 WORD JOINER: what the assemble stage puts between the syllables of a Hangul word
so that WeasyPrint never breaks it; never part of an outline label or a bookmark."""

PLACEHOLDER = "TODO"
"""Text starting with this marks a field still to fill (warning in validate, error in build)."""

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{5,22}$")


class Model(BaseModel):
    """Base of every input model: unknown fields are errors, docstrings become descriptions."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class LangText(Model):
    """A text given in one or both languages of the report."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    ko: str | None = None
    """The Korean text."""
    en: str | None = None
    """The English text."""

    @model_validator(mode="after")
    def _one_language(self) -> LangText:
        if self.ko is None and self.en is None:
            raise ValueError("give the text in at least one language (ko: or en:)")
        return self


Text = Annotated[str | LangText, Field(union_mode="left_to_right")]
"""A text field: plain text in the profile's language, or ``{ko: ..., en: ...}``."""


def pick(text: str | LangText | None, lang: Lang, fallback: Lang) -> str | None:
    """Return ``text`` in ``lang``, else in ``fallback``, else in any language it has."""
    if text is None or isinstance(text, str):
        return text
    for choice in (lang, fallback, *LANGS):
        value = getattr(text, choice)
        if value is not None:
            return str(value)
    return None


def printed_texts(
    fields: Iterable[tuple[FieldPath, str | LangText | None]], lang: Lang | None, own: Lang
) -> Iterator[tuple[FieldPath, str]]:
    """The texts of printed ``fields`` (path, value) as (field path, text).

    Without ``lang``, every language version of a bilingual field, its path ending in the
    language (``("headline", "en")``); with ``lang``, the text an edition in that language
    prints (:func:`pick`, falling back to ``own``), at the field's own path, empty texts
    left out. Profiles and settings both enumerate their printed text through this.
    """
    for path, value in fields:
        if lang is not None:
            text = pick(value, lang, own)
            if text:
                yield path, text
        elif isinstance(value, str):
            yield path, value
        elif isinstance(value, LangText):
            for choice in LANGS:
                version = getattr(value, choice)
                if version is not None:
                    yield (*path, choice), version


def text_language(value: str | LangText | None, lang: Lang, own: Lang | None) -> Lang | None:
    """The language ``value`` is printed in for an edition in ``lang``.

    ``own`` is the language of plain text (a profile's ``lang``); plain text of the
    settings (``own`` None) counts as Korean when it holds Hangul, else as language-neutral
    (None: names of organisations and places print alike in every language).
    """
    if value is None:
        return None
    if isinstance(value, str):
        if own is not None:
            return own
        return "ko" if HANGUL.search(value) else None
    if getattr(value, lang) is not None:
        return lang
    return next(choice for choice in LANGS if getattr(value, choice) is not None)


def all_texts(text: str | LangText | None) -> list[str]:
    """Return every language version of ``text``."""
    if text is None:
        return []
    if isinstance(text, str):
        return [text]
    return [v for v in (text.ko, text.en) if v is not None]


class About(Model):
    """The ABOUT block: key facts about the city. Every fact is optional."""

    area_km2: float | None = Field(None, gt=0)
    """Area of the city in square kilometres."""
    population: int | None = Field(None, gt=0)
    """Number of inhabitants."""
    national_population: int | None = Field(None, gt=0)
    """Population of the whole country, used to check ``national_share_pct``."""
    national_share_pct: float | None = Field(None, ge=0, le=100)
    """Share of the national population living in the city, in percent."""
    land_use_pct: dict[str, Annotated[float, Field(ge=0, le=100)]] | None = None
    """Optional breakdown of the area by use, in percent (must sum to at most 100)."""
    text: Text | None = None
    """A short paragraph introducing the city."""


class Initiative(Model):
    """A named programme of the city's smart-city strategy."""

    name: str = Field(min_length=1)
    """The programme's name as printed (e.g. ``S-Net``)."""
    text: Text
    """One or two sentences on what it does."""


class Image(Model):
    """A picture printed on the city's page."""

    path: str = Field(min_length=1)
    """Image file, relative to the project folder (PNG or JPEG)."""
    caption: Text | None = None
    """Caption printed under the image."""
    credit: str | None = None
    """Who took or owns the image."""
    width_mm: float = Field(80, gt=0, le=400)
    """Printed width in millimetres (used to check the image has enough pixels)."""


FieldPath = tuple[str | int, ...]
"""A field's place in a profile: ``("initiatives", 0, "name")``."""


class CityProfile(Model):
    """One city's profile: everything printed on its pages."""

    city: str = Field(min_length=1)
    """English name of the city, printed in capitals in the page header."""
    country: str = Field(min_length=1)
    """English name of the country, printed under the city."""
    native_name: str | None = None
    """The city's name in Korean (used in Korean text and to recognise the city)."""
    aliases: list[str] = []
    """Other names the city goes by (used to recognise it in text)."""
    slug: str | None = Field(None, pattern=SLUG_RE.pattern)
    """File-name id of the city (lowercase ASCII and hyphens); defaults to the file name."""
    lang: Lang = "ko"
    """Language in which the profile's plain-text fields are written."""
    about: About = About()
    """The ABOUT block: area, population, national share and a short text."""
    headline: Text
    """Bold headline; its line breaks are kept."""
    subtitle: Text | None = None
    """One line under the headline."""
    body: Text
    """The main text: paragraphs separated by blank lines, light Markdown (no HTML)."""
    initiatives: list[Initiative] = []
    """Named programmes of the city's strategy."""
    scores: dict[str, Annotated[float, Field(ge=0)]] = {}
    """Assessment scores by area id (see ``index.areas`` in scireport.yaml); for small
    projects only: a city's scores normally come from the table ``index.data`` names."""
    images: list[Image] = []
    """Pictures for the city's pages."""
    sources: list[str] = []
    """Public sources of the facts and figures (name each one)."""
    draft: bool = False
    """Work in progress: ``validate`` reports its placeholders as warnings and ``build``
    leaves the city out of the book (``build --city`` still makes its PDF for review)."""

    def printed_fields(self) -> list[tuple[FieldPath, str | LangText | None]]:
        """Every printed field with its path, as given (plain or bilingual, or None)."""
        fields: list[tuple[FieldPath, str | LangText | None]] = [
            (("city",), self.city),
            (("country",), self.country),
            (("about", "text"), self.about.text),
            (("headline",), self.headline),
            (("subtitle",), self.subtitle),
            (("body",), self.body),
        ]
        for i, item in enumerate(self.initiatives):
            fields += [(("initiatives", i, "name"), item.name)]
            fields += [(("initiatives", i, "text"), item.text)]
        fields += [(("images", i, "caption"), im.caption) for i, im in enumerate(self.images)]
        fields += [(("sources", i), source) for i, source in enumerate(self.sources)]
        return fields

    def translated_fields(self) -> list[tuple[FieldPath, str | LangText | None]]:
        """The printed fields an edition prints in its own language: not the names (city,
        country, initiative names) nor the sources, which print as written."""
        return [
            (path, value)
            for path, value in self.printed_fields()
            if path[0] not in ("city", "country", "sources") and path[-1] != "name"
        ]

    def printed_texts(self, lang: Lang | None = None) -> Iterator[tuple[FieldPath, str]]:
        """Every printed text field as (field path, text): the one enumeration of them
        (see :func:`printed_texts`; plain text is in the profile's ``lang``)."""
        return printed_texts(self.printed_fields(), lang, self.lang)


class Contact(Model):
    """Contact details printed in every footer."""

    email: str
    """Contact e-mail address."""
    phone: str
    """Contact telephone number, international form preferred (+82 2 ...)."""
    place: Text
    """Postal place (institution and city), in one or both languages."""

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not EMAIL_RE.match(value):
            raise ValueError(f"{value!r} is not an e-mail address (name@example.org)")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not PHONE_RE.match(value):
            raise ValueError(f"{value!r} is not a phone number (digits, spaces, + ( ) - .)")
        return value


class IndexArea(Model):
    """One assessment area of the index."""

    id: str = Field(pattern=AREA_ID_RE.pattern)
    """The area's id (snake_case): its column in the data table and its key in ``scores``."""
    label: LangText
    """The area's printed name, ``{ko: ..., en: ...}``."""
    weight: float = Field(1, gt=0)
    """Weight of the area in the overall index (a weighted mean of the area scores)."""


class IndexGroup(Model):
    """A named set of cities whose average the report shows (e.g. the Korean cities)."""

    label: Text
    """The group's printed name."""
    cities: list[str] = Field(min_length=1)
    """Slugs of the group's cities."""


class DataTable(Model):
    """A data table: a CSV or XLSX file with one row per city."""

    data: str = Field(min_length=1)
    """The table file, relative to the project folder (``.csv`` or ``.xlsx``)."""
    sheet: str | None = None
    """For an XLSX file: the sheet to read (default: the first)."""


class PreviousEdition(DataTable):
    """The previous edition's table, for the change since then."""

    year: int = Field(ge=1990, le=2100)
    """Year of the previous edition."""


class IndexSpec(Model):
    """The index: its scale, its areas, its groups and the tables its scores come from."""

    scale: tuple[float, float] = (0, 5)
    """Lowest and highest score of the assessment scale."""
    precision: int = Field(2, ge=0, le=4)
    """Decimals of the overall index; cities are ranked on the index rounded so."""
    areas: list[IndexArea] = Field(min_length=1)
    """The assessment areas, in print order."""
    groups: dict[str, IndexGroup] = {}
    """Named groups of cities for group averages, by group id."""
    data: str | None = None
    """The table of this edition's scores (CSV or XLSX, relative to the project): a
    ``slug`` column, one column per area id and optionally ``area_km2``, ``population``,
    ``national_population``."""
    sheet: str | None = None
    """For an XLSX ``data`` file: the sheet to read (default: the first)."""
    previous: PreviousEdition | None = None
    """The previous edition's table and year, for rank and score changes."""

    @model_validator(mode="after")
    def _consistent(self) -> IndexSpec:
        low, high = self.scale
        if low >= high:
            raise ValueError(f"scale: the lowest score {low:g} must be below the highest {high:g}")
        ids = [area.id for area in self.areas]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"area ids must be unique; repeated: {', '.join(repeated)}")
        return self

    def area_ids(self) -> list[str]:
        """The area ids in print order."""
        return [area.id for area in self.areas]


class ReportConfig(Model):
    """The report's settings, read from ``scireport.yaml``."""

    title: Text
    """Report title, on the cover and in every footer (``{ko: ..., en: ...}`` for both)."""
    subtitle: Text | None = None
    """Line under the title on the cover."""
    year: int = Field(ge=1990, le=2100)
    """Edition year."""
    organisations: list[Text] = Field(min_length=1)
    """Organisations publishing the report, in the order printed."""
    contact: Contact
    """Contact details for the footer."""
    copyright: Text
    """Copyright line for the footer."""
    lang: Lang = "ko"
    """The report's main language when ``languages`` is not given."""
    languages: list[Lang] = []
    """The report's languages, the main one first (default: ``[lang]``); ``build --lang``
    picks one, ``--lang all`` builds every one."""
    layout: str = "default"
    """Name of the layout folder under ``layouts/``."""
    profiles: str = "profiles"
    """Folder holding the city profiles, relative to the project."""
    order: list[str] = []
    """City slugs in print order; cities not listed follow by English name."""
    index: IndexSpec | None = None
    """The index: areas, scale, groups and the data tables (none: profiles only)."""
    texts: dict[str, Text] = {}
    """Editorial texts for the layout's text sections, by name: a Markdown file path
    relative to the project, per language if needed (``{ko: texts/intro.ko.md, ...}``)."""

    @model_validator(mode="after")
    def _languages(self) -> ReportConfig:
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("languages: each language once")
        if self.languages and "lang" in self.model_fields_set and self.lang != self.languages[0]:
            raise ValueError(
                f"lang is {self.lang!r} but languages starts with {self.languages[0]!r}:"
                " the first of languages is the main one; drop lang or make them agree"
            )
        for name in ("title", "copyright"):
            if not (pick(getattr(self, name), self.main_lang, self.main_lang) or "").strip():
                raise ValueError(f"{name} cannot be empty")
        return self

    def printed_fields(self) -> list[tuple[tuple[str | int, ...], str | LangText]]:
        """Every printed text of the settings with its field path (cover, footers)."""
        fields: list[tuple[tuple[str | int, ...], str | LangText]] = [(("title",), self.title)]
        if self.subtitle is not None:
            fields.append((("subtitle",), self.subtitle))
        fields += [(("organisations", i), name) for i, name in enumerate(self.organisations)]
        fields += [
            (("contact", "email"), self.contact.email),
            (("contact", "phone"), self.contact.phone),
            (("contact", "place"), self.contact.place),
            (("copyright",), self.copyright),
        ]
        return fields

    def printed_texts(self, lang: Lang | None = None) -> Iterator[tuple[FieldPath, str]]:
        """Every printed text of the settings as (field path, text), like a profile's
        (:func:`printed_texts`; plain text falls back to the main language)."""
        return printed_texts(self.printed_fields(), lang, self.main_lang)

    def text(self, value: str | LangText | None, lang: Lang) -> str:
        """A settings text in ``lang`` (else in the main language, else any it has)."""
        return pick(value, lang, self.main_lang) or ""

    @property
    def main_lang(self) -> Lang:
        """The report's main language (its editions go to ``DIR/<edition>/``)."""
        return self.languages[0] if self.languages else self.lang

    @property
    def langs(self) -> list[Lang]:
        """Every language of the report, the main one first."""
        return list(self.languages) or [self.lang]


class PageSpec(Model):
    """Page geometry of a layout."""

    width_mm: float = Field(210, gt=50, le=1200)
    """Trimmed page width in millimetres (A4: 210)."""
    height_mm: float = Field(297, gt=50, le=1200)
    """Trimmed page height in millimetres (A4: 297)."""
    margin_mm: tuple[float, float, float, float] = (18, 16, 24, 16)
    """Margins top, right, bottom, left, in millimetres."""
    bleed_mm: float = Field(3, ge=0, le=20)
    """Bleed around the trimmed page for the print edition, in millimetres."""
    min_bleed_mm: float = Field(3, ge=0, le=20)
    """Smallest bleed preflight accepts."""

    @model_validator(mode="after")
    def _margins_fit(self) -> PageSpec:
        top, right, bottom, left = self.margin_mm
        if min(self.margin_mm) < 0:
            raise ValueError("margins cannot be negative")
        if left + right >= self.width_mm or top + bottom >= self.height_mm:
            raise ValueError("margins leave no room for content on the page")
        if self.bleed_mm < self.min_bleed_mm:
            raise ValueError(f"bleed {self.bleed_mm} mm is below the minimum {self.min_bleed_mm}")
        return self


SPECIAL_SECTIONS = ("cover", "contents", "cities")
"""Section names with a meaning of their own: the cover, the contents and the city pages."""


class Section(Model):
    """One section of the book, in the order the layout prints them."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    """The section's name; ``cover``, ``contents`` and ``cities`` are the cover, the
    contents and the city pages, any other name is a page of the whole report."""
    template: str | None = None
    """Its template (default: ``<name>.html``; the cities use ``city.html``)."""
    pages: int | None = Field(None, ge=1, le=64)
    """Page budget, fixed: the section always takes this many pages, however many cities
    the report has (shorter ones are padded; default 1; ignored for the contents, whose
    pages follow from ``toc_entries_per_page``, and for the cities, which use
    ``pages_per_city``). A section listing every city sets ``rows_per_page`` instead."""
    rows_per_page: int | None = Field(None, ge=1, le=1000)
    """For a section that lists every city, a row each (the ranking): the rows a page
    holds. The budget then follows the number of cities: the pages their rows take, plus
    ``extra_pages``."""
    first_page_rows: int | None = Field(None, ge=1, le=1000)
    """With ``rows_per_page``: the rows the section's first page holds, when its title
    leaves room for fewer (default: ``rows_per_page``)."""
    extra_pages: int = Field(0, ge=0, le=64)
    """With ``rows_per_page``: the pages the section takes besides its rows (the ranking's
    page of leaders by area)."""
    title: LangText | None = None
    """Its name in the contents and the bookmarks (none: not listed)."""
    text: str | None = None
    """Name of an editorial text in scireport.yaml's ``texts`` that the section prints
    (the section is left out of a report whose ``texts`` does not name it)."""
    needs_index: bool = False
    """Print the section only when scireport.yaml declares an ``index`` (rankings)."""

    @field_validator("rows_per_page")
    @classmethod
    def _rows_or_pages(cls, value: int | None, info: ValidationInfo) -> int | None:
        name = info.data.get("name")
        if name == "contents":
            raise ValueError(
                "the contents' pages follow from toc_entries_per_page: set that instead"
            )
        if name == "cities":
            raise ValueError("the cities' pages are pages_per_city: set that instead")
        if info.data.get("pages") is not None:
            raise ValueError(
                "pages: fixes the budget and rows_per_page: makes it follow the number of"
                " cities: keep one of them"
            )
        return value

    @field_validator("first_page_rows", "extra_pages")
    @classmethod
    def _with_rows(cls, value: int | None, info: ValidationInfo) -> int | None:
        # (rows_per_page is missing from info.data when it is wrong itself: reported there;
        # extra_pages: 0, the default written out, adds nothing to any budget)
        given = value is not None and not (info.field_name == "extra_pages" and value == 0)
        if given and "rows_per_page" in info.data and not info.data["rows_per_page"]:
            raise ValueError(
                f"{info.field_name} counts with rows_per_page, which this section does not"
                " set: add rows_per_page, or give the whole budget as pages:"
            )
        return value

    def budget(self, rows: int) -> int:
        """Pages the section takes in a report listing ``rows`` cities."""
        if self.rows_per_page is None:
            return self.pages or 1
        first = self.first_page_rows or self.rows_per_page
        row_pages = 1 + max(0, math.ceil((rows - first) / self.rows_per_page))
        return row_pages + self.extra_pages

    @property
    def template_name(self) -> str:
        """The template file this section is rendered with."""
        if self.template:
            return self.template
        return "city.html" if self.name == "cities" else f"{self.name}.html"


class ChartStyle(Model):
    """How the layout draws charts: colours by name from ``colours``, sizes in mm and pt."""

    city: str = "accent"
    """Colour of the city's series (its outline)."""
    fill: str = "accent-light"
    """Colour of the area inside the city's series (opaque)."""
    average: str = "muted"
    """Colour of the average's series."""
    grid: str = "rule"
    """Colour of grid lines and axes."""
    text: str = "ink"
    """Colour of labels."""
    radar_mm: float = Field(64, gt=10, le=300)
    """Width of a radar chart."""
    label_pt: float = Field(6.5, gt=2, le=30)
    """Size of chart labels."""


class PressSpec(Model):
    """What preflight expects of small type in the print edition (sizes in pt, as printed).

    Small type in a tint is screened into dots by the press and breaks up; small type in
    several inks shows every misregistration of the plates. Both are warnings.
    """

    solid_text_below_pt: float = Field(12, ge=0, le=100)
    """Text smaller than this must be a solid ink (100 %), not a tint (``pdf-small-text-tint``);
    0 turns the check off."""
    one_ink_text_below_pt: float = Field(12, ge=0, le=100)
    """Text smaller than this must print in one ink (``pdf-small-text-inks``); 0 turns the
    check off."""


class LayoutManifest(Model):
    """A layout's ``layout.yaml``: geometry, fonts, colours, labels and the page budget."""

    name: str
    """Layout name (the folder name)."""
    description: str = ""
    """What the layout is for."""
    extends: str | None = None
    """Parent layout whose templates fill in what this one does not override."""
    page: PageSpec = PageSpec()
    """Page size, margins and bleed."""
    pages_per_city: int = Field(2, ge=1, le=16)
    """Page budget: every city occupies exactly this many pages."""
    spread: bool = False
    """Open every city on a left-hand (even) page so its pages face each other; a blank
    page (numbered, without footer text) is inserted where needed."""
    toc_entries_per_page: int = Field(30, ge=5, le=200)
    """Contents lines per page (sets how many pages the contents take)."""
    fonts: list[str] = Field(["Noto Sans CJK KR"], min_length=1)
    """Font families the layout uses; every printed character must be in one of them."""
    colours: dict[str, tuple[float, float, float, float]] = {}
    """Named colours as CMYK percentages; CSS uses them as ``var(--name)``."""
    icc_profile: str = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
    """CMYK ICC profile for the print edition's output intent (absolute or layout-relative)."""
    image_min_ppi: tuple[int, int] = (150, 300)
    """Image resolution limits: below the first is an error, below the second a warning."""
    labels: dict[Lang, dict[str, str]] = {}
    """Fixed words the templates print (ABOUT, contents, page...), per language."""
    sections: list[Section] = [Section(name=name) for name in SPECIAL_SECTIONS]
    """The book, section by section: must hold ``cities`` once."""
    charts: ChartStyle = ChartStyle()
    """Colours and sizes of the charts."""
    press: PressSpec = PressSpec()
    """Limits preflight applies to small type in the print edition."""

    @field_validator("sections", mode="before")
    @classmethod
    def _section_names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("sections")
    @classmethod
    def _sections(cls, value: list[Section]) -> list[Section]:
        names = [section.name for section in value]
        if names.count("cities") != 1:
            raise ValueError("sections must hold 'cities' exactly once")
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"section names must be unique; repeated: {', '.join(repeated)}")
        return value

    @field_validator("colours")
    @classmethod
    def _cmyk(
        cls, value: dict[str, tuple[float, float, float, float]]
    ) -> dict[str, tuple[float, float, float, float]]:
        for name, cmyk in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
                raise ValueError(f"colour name {name!r} must be lowercase letters, digits, '-'")
            if any(not 0 <= c <= 100 for c in cmyk):
                raise ValueError(f"colour {name}: CMYK values are percentages from 0 to 100")
        return value


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Return the JSON Schema of ``model`` as shipped in ``schema/``."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
