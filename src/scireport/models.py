"""The data scireport reads: city profiles, the report's settings and layout manifests.

Every field carries a docstring; pydantic turns them into the descriptions of the
JSON Schema (``scireport schema``), the comments of ``new-city`` skeletons and the
reference in the README, so the three never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")

SCORE_MAX = 5.0
"""Top of the index's assessment scale (scores run from 0 to this)."""

AREAS: tuple[str, ...] = (
    "service_innovation",
    "urban_intelligence",
    "urban_sustainability",
    "urban_openness",
    "infra_integration",
    "urban_innovation",
    "collaborative_partnership",
    "smart_city_governance",
)
"""The eight assessment areas of the index, in the report's order."""

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


class Scores(Model):
    """Assessment scores, one per area of the index, from 0 to 5."""

    service_innovation: float | None = Field(None, ge=0, le=SCORE_MAX)
    """Service Innovation score."""
    urban_intelligence: float | None = Field(None, ge=0, le=SCORE_MAX)
    """Urban Intelligence score."""
    urban_sustainability: float | None = Field(None, ge=0, le=SCORE_MAX)
    """Urban Sustainability score."""
    urban_openness: float | None = Field(None, ge=0, le=SCORE_MAX)
    """Urban Openness score."""
    infra_integration: float | None = Field(None, ge=0, le=SCORE_MAX)
    """Infra Integration score."""
    urban_innovation: float | None = Field(None, ge=0, le=SCORE_MAX)
    """Urban Innovation score."""
    collaborative_partnership: float | None = Field(None, ge=0, le=SCORE_MAX)
    """Collaborative Partnership score."""
    smart_city_governance: float | None = Field(None, ge=0, le=SCORE_MAX)
    """Smart City Governance score."""


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
    scores: Scores = Scores()
    """Assessment scores by area."""
    images: list[Image] = []
    """Pictures for the city's pages."""
    sources: list[str] = []
    """Public sources of the facts and figures (name each one)."""

    def printed_texts(self, lang: Lang | None = None) -> Iterator[tuple[FieldPath, str]]:
        """Every printed text field as (field path, text): the one enumeration of them.

        Without ``lang``, every language version of a bilingual field, its path ending in
        the language (``("headline", "en")``); with ``lang``, the text an edition in that
        language prints (:func:`pick`), at the field's own path. Empty fields are left out.
        """
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
        for path, value in fields:
            if lang is not None:
                text = pick(value, lang, self.lang)
                if text:
                    yield path, text
            elif isinstance(value, str):
                yield path, value
            elif isinstance(value, LangText):
                for choice in ("ko", "en"):
                    version = getattr(value, choice)
                    if version is not None:
                        yield (*path, choice), version


class Contact(Model):
    """Contact details printed in every footer."""

    email: str
    """Contact e-mail address."""
    phone: str
    """Contact telephone number, international form preferred (+82 2 ...)."""
    place: str
    """Postal place (institution and city)."""

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


class ReportConfig(Model):
    """The report's settings, read from ``scireport.yaml``."""

    title: str = Field(min_length=1)
    """Report title, on the cover and in every footer."""
    subtitle: str | None = None
    """Line under the title on the cover."""
    year: int = Field(ge=1990, le=2100)
    """Edition year."""
    organisations: list[str] = Field(min_length=1)
    """Organisations publishing the report, in the order printed."""
    contact: Contact
    """Contact details for the footer."""
    copyright: str = Field(min_length=1)
    """Copyright line for the footer."""
    lang: Lang = "ko"
    """Default language of the edition (``build --lang`` overrides it)."""
    layout: str = "default"
    """Name of the layout folder under ``layouts/``."""
    profiles: str = "profiles"
    """Folder holding the city profiles, relative to the project."""
    order: list[str] = []
    """City slugs in print order; cities not listed follow by English name."""


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
