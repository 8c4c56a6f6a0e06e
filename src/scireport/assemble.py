"""Assemble stage: profiles + layout -> HTML documents (cover, contents, one per city).

Profile text is data: it is escaped, never used as template source, and its light
Markdown is rendered with raw HTML disabled. Korean words are kept whole here: WeasyPrint
breaks Hangul between any two syllables and ignores ``word-break: keep-all``, so inside each
space-separated word that holds Hangul a WORD JOINER (U+2060) stands between every two
characters, across inline markup too.
"""

from __future__ import annotations

import html
import re
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from .charts import ChartColours, ChartFont, as_html, bars, radar
from .data import CityData
from .errors import UserError
from .index import ALL, CityScore, IndexResult
from .layouts import Layout
from .models import (
    HANGUL,
    WORD_JOINER,
    CityProfile,
    FieldPath,
    IndexSpec,
    Lang,
    LangText,
    ReportConfig,
    Section,
    pick,
    text_language,
)
from .plan import CITIES, Edition, EditionPlan, section_key
from .sources import MAX_TEXT_BYTES, FileTooLarge, UnsafeFile, read_limited

_SPACE = re.compile(r"(\s+)")
_SAFE_HREF = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"')]+")


BREAK_HERE = "\u200b"
"""U+200B ZERO WIDTH SPACE: allows a line break where it stands, invisibly."""

MAX_KEPT_TAGS = 24
"""Inline tags one kept word may span before a break is allowed after the last of them.

A word glued to thousands of inline elements (``**가**나`` repeated, links without spaces)
would otherwise be one unbreakable run, and WeasyPrint lays such a run out in quadratic
time: 2,000 glued pairs took 108 s. No real word holds this many tags.
"""


def _join_word(pieces: list[tuple[bool, str]]) -> str:
    """Render one word's pieces (is_text, value) to HTML, joined against breaks if Korean.

    Text pieces are escaped; in a word holding Hangul every pair of neighbouring
    characters (across inline tags too) gets a word joiner, so WeasyPrint, which would
    otherwise break between any two syllables, keeps the word whole. It is invisible and
    costs nothing in layout (a no-wrap span per word tripled the layout time).
    """
    korean = any(is_text and HANGUL.search(value) for is_text, value in pieces)
    out: list[str] = []
    seen_text = False
    for is_text, value in pieces:
        if not is_text:
            out.append(value)
            continue
        if korean:
            value = WORD_JOINER.join(value)
            if seen_text:
                value = WORD_JOINER + value
        seen_text = True
        out.append(str(escape(value)))
    return "".join(out)


def keep_words(text: str | None) -> Markup:
    """Escape plain ``text`` and keep each Hangul word on one line."""
    if not text:
        return Markup("")
    out = []
    for part in _SPACE.split(text):
        if not part or part.isspace():
            out.append(" " if part else "")
        else:
            out.append(_join_word([(True, part)]))
    return Markup("".join(out))


def in_language(
    markup: Markup, text_lang: Lang | None, edition_lang: Lang, tag: str = "span"
) -> Markup:
    """Mark ``markup`` with its language when it is not the edition's (a fallback)."""
    if not markup or text_lang is None or text_lang == edition_lang:
        return markup
    return Markup(f'<{tag} lang="{text_lang}">') + markup + Markup(f"</{tag}>")


class _WordWriter:
    """Builds inline HTML word by word, so that Korean words can be joined across tags."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.word: list[tuple[bool, str]] = []
        self.tags = 0

    def text(self, content: str) -> None:
        for part in _SPACE.split(content):
            if not part:
                continue
            if part.isspace():
                self.boundary(" ")
            else:
                self.word.append((True, part))

    def html(self, markup: str) -> None:
        self.word.append((False, markup))
        self.tags += 1
        if self.tags >= MAX_KEPT_TAGS:
            self.boundary(BREAK_HERE)

    def boundary(self, separator: str) -> None:
        self.out.append(_join_word(self.word))
        self.word = []
        self.tags = 0
        self.out.append(separator)

    def result(self) -> str:
        self.boundary("")
        return "".join(self.out)


_INLINE_TAGS = {"strong": "strong", "em": "em", "s": "s"}


def render_inline(children: Sequence[Token]) -> str:
    """Render markdown-it inline tokens to HTML with Hangul words kept whole."""
    writer = _WordWriter()
    for token in children:
        kind = token.type
        if kind == "text":
            writer.text(token.content)
        elif kind == "softbreak":
            writer.boundary(" ")
        elif kind == "hardbreak":
            writer.boundary("<br>")
        elif kind == "code_inline":
            writer.html("<code>")
            writer.text(token.content)
            writer.html("</code>")
        elif kind.endswith(("_open", "_close")) and kind.split("_")[0] in _INLINE_TAGS:
            tag = _INLINE_TAGS[kind.split("_")[0]]
            writer.html(f"<{tag}>" if kind.endswith("_open") else f"</{tag}>")
        elif kind == "link_open":
            href = str(token.attrGet("href") or "")
            safe = _SAFE_HREF.match(href)
            writer.html(f'<a href="{html.escape(href)}">' if safe else "<a>")
        elif kind == "link_close":
            writer.html("</a>")
        else:  # anything else (raw HTML is disabled) prints as its literal text
            writer.text(token.content)
    return writer.result()


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    md.disable(["image", "html_inline", "html_block"])
    return md


_MD = _markdown()


def render_markdown(text: str | None, id_prefix: str) -> Markup:
    """Render profile Markdown to HTML; each top-level block gets an id for fit diagnosis."""
    if not text:
        return Markup("")
    tokens = _MD.parse(text)
    number = 0
    for token in tokens:
        if token.level == 0 and token.nesting == 1:
            number += 1
            token.attrSet("id", f"{id_prefix}-{number}")
    rendered: list[str] = []
    for token in tokens:
        if token.type == "inline":
            rendered.append(render_inline(token.children or []))
        else:
            rendered.append(_MD.renderer.renderToken([token], 0, _MD.options, {}))  # type: ignore[attr-defined]
    return Markup("".join(rendered))


def linkify(text: str) -> Markup:
    """Escape ``text`` and turn the web addresses in it into links."""
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(str(keep_words(text[last : match.start()])))
        url = match.group(0)
        out.append(f'<a href="{html.escape(url)}">{escape(url)}</a>')
        last = match.end()
    out.append(str(keep_words(text[last:])))
    return Markup("".join(out))


def format_number(value: float | int) -> str:
    """Format a figure with thousands separators, dropping a trailing .0."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def city_context(
    slug: str,
    profile: CityProfile,
    lang: Lang,
    labels: dict[str, str],
    data: CityData | None = None,
) -> dict[str, Any]:
    """Return the template variables for one city, every text escaped and word-kept.

    ``data`` holds the numbers the data table gives (ABOUT facts); they fill the figures
    the profile leaves out. A figure given in both is a ``data-conflict``: a build only
    runs when the two agree.
    """

    def text(value: Any) -> str | None:
        return pick(value, lang, profile.lang)

    def kept(value: Any) -> Markup:
        """A plain text field, kept whole and marked with its language when a fallback."""
        return in_language(keep_words(text(value)), text_language(value, lang, profile.lang), lang)

    about = profile.about
    table = data.about if data else {}
    area = about.area_km2 if about.area_km2 is not None else table.get("area_km2")
    population = about.population if about.population is not None else table.get("population")
    national = (
        about.national_population
        if about.national_population is not None
        else table.get("national_population")
    )
    share = about.national_share_pct
    if share is None and population and national:
        share = round(100 * population / national, 1)
    facts = []
    if area is not None:
        facts.append((labels["area"], f"{format_number(area)} km²"))
    if population is not None:
        facts.append((labels["population"], format_number(int(population))))
    if share is not None:
        facts.append((labels["share"], f"{format_number(share)}%"))
    headline = (text(profile.headline) or "").strip("\n")
    headline_lang = text_language(profile.headline, lang, profile.lang)
    body = render_markdown(text(profile.body), f"{slug}--body")
    return {
        "slug": slug,
        "id": f"city-{slug}",
        "name": profile.city,
        "country": profile.country,
        "native_name": keep_words(profile.native_name),
        "lang": lang,
        "facts": facts,
        "about_text": kept(about.text),
        "headline_lines": [
            in_language(keep_words(line), headline_lang, lang) for line in headline.splitlines()
        ],
        "subtitle": kept(profile.subtitle),
        "body": in_language(body, text_language(profile.body, lang, profile.lang), lang, "div"),
        "initiatives": [
            {"name": keep_words(item.name), "text": kept(item.text), "index": i}
            for i, item in enumerate(profile.initiatives)
        ],
        "images": [
            {
                "path": image.path,
                "caption": kept(image.caption),
                "credit": image.credit,
                "width_mm": image.width_mm,
            }
            for image in profile.images
        ],
        "sources": [linkify(source) for source in profile.sources],
        "index": None,
    }


def ordinal(number: int, lang: Lang) -> str:
    """``number`` as a rank: 1st, 2nd, 3rd, 11th in English; 1위 in Korean."""
    if lang == "ko":
        return f"{number}위"
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def score_text(value: float | None, precision: int) -> str:
    """A score as printed (``–`` when there is none)."""
    return "–" if value is None else f"{value:.{precision}f}"


def change_context(score: CityScore, precision: int, labels: dict[str, str]) -> dict[str, Any]:
    """How a city moved since the previous edition: kind (up, down, same, new, none), text."""
    if score.new:
        return {"kind": "new", "text": labels.get("new", "NEW"), "places": None, "score": None}
    places = score.rank_change
    if places is None:
        return {"kind": "none", "text": "", "places": None, "score": None}
    kind = "up" if places > 0 else "down" if places < 0 else "same"
    arrow = {"up": "▲", "down": "▼", "same": "="}[kind]
    shown = f"{arrow}{abs(places)}" if places else arrow
    delta = score.score_change
    return {
        "kind": kind,
        "text": shown,
        "places": places,
        "score": None if delta is None else f"{delta:+.{precision}f}",
    }


DEFAULT_CHART_ALT = "Radar chart of {name}'s scores ({low:g} to {high:g}): {values}"
"""Alternative text of a radar chart when the layout has no ``chart_alt`` label."""
DEFAULT_BARS_ALT = "Bar chart of {name}'s scores ({low:g} to {high:g}): {values}"
"""Alternative text of the bar chart drawn instead of a radar for an index of one or two
areas, when the layout has no ``bars_alt`` label."""


@dataclass(frozen=True)
class IndexView:
    """Builds the index's template data for one edition (texts in its language, kept whole)."""

    index: IndexResult
    """The computed index."""
    spec: IndexSpec
    """Its methodology (area labels, scale, groups)."""
    lang: Lang
    """The edition's language."""
    labels: dict[str, str]
    """The layout's labels in that language."""
    profiles: dict[str, CityProfile]
    """Profiles by slug (native names, countries)."""
    colours: ChartColours
    """Chart colours for this edition."""
    font: ChartFont
    """Chart label type."""
    radar_mm: float = 64
    """Width of a city's radar chart."""

    def area_label(self, area_id: str) -> str:
        """An area's printed name in the edition's language."""
        for area in self.spec.areas:
            if area.id == area_id:
                return pick(area.label, self.lang, "en") or area_id
        return area_id

    def score(self, value: float | None) -> str:
        """A score as printed."""
        return score_text(value, self.spec.precision)

    def entry(self, score: CityScore) -> dict[str, Any]:
        """One city's line in a ranking."""
        profile = self.profiles.get(score.slug)
        return {
            "slug": score.slug,
            "rank": score.rank,
            "name": score.name,
            "native_name": keep_words(profile.native_name if profile else None),
            "country": profile.country if profile else "",
            "overall": self.score(score.overall),
            "value": score.overall,
            "change": change_context(score, self.spec.precision, self.labels),
        }

    @cached_property
    def context(self) -> dict[str, Any]:
        """The ``index`` variable every template sees."""
        index, spec = self.index, self.spec
        averages = {}
        for group, row in index.averages.items():
            label = self.labels.get("average_all", "All cities")
            if group != ALL:
                label = pick(spec.groups[group].label, self.lang, "en") or group
            averages[group] = {
                "id": group,
                "label": keep_words(label),
                "overall": self.score(row.get("overall")),
                "areas": {area: self.score(value) for area, value in row.items()},
                "count": len(spec.groups[group].cities) if group != ALL else len(index.cities),
            }
        return {
            "areas": [
                {"id": a.id, "label": keep_words(self.area_label(a.id)), "weight": f"{a.weight:g}"}
                for a in spec.areas
            ],
            "ranking": [self.entry(c) for c in index.cities],
            "count": index.ranked,
            "scale": spec.scale,
            "average": averages[ALL],
            "groups": [averages[g] for g in spec.groups],
            "leaders": [
                {
                    "id": a.id,
                    "label": keep_words(self.area_label(a.id)),
                    "cities": [
                        {
                            **self.entry(c),
                            "area_rank": c.area_ranks[a.id],
                            "score": self.score(c.scores[a.id]),
                        }
                        for c in index.leaders[a.id]
                        if c.area_ranks[a.id] <= 3
                    ],
                }
                for a in spec.areas
            ],
            "previous_year": index.previous_year,
        }

    def city(self, slug: str, name: str) -> dict[str, Any] | None:
        """The ``city.index`` variable: rank, scores against the average, the radar chart."""
        score = self.index.by_slug.get(slug)
        if score is None or score.rank is None:
            return None
        average = self.index.averages[ALL]
        areas = [
            {
                "id": a.id,
                "label": keep_words(self.area_label(a.id)),
                "value": self.score(score.scores.get(a.id)),
                "number": score.scores.get(a.id),
                "rank": score.area_ranks.get(a.id),
                "average": self.score(average.get(a.id)),
            }
            for a in self.spec.areas
        ]
        count = self.index.ranked
        rank_text = self.labels.get("rank_of", "{rank} of {count}").format(
            rank=ordinal(score.rank, self.lang), count=count
        )
        return {
            "rank": score.rank,
            "rank_text": keep_words(rank_text),
            "count": count,
            "overall": self.score(score.overall),
            "average": self.score(average.get("overall")),
            "areas": areas,
            "change": change_context(score, self.spec.precision, self.labels),
            "chart": self.radar_chart(
                [score.scores.get(a.id) for a in self.spec.areas],
                [average.get(a.id) for a in self.spec.areas],
                name,
            ),
        }

    def radar_chart(
        self,
        values: list[float | None],
        reference: list[float | None] | None = None,
        name: str = "",
        labels: list[str] | None = None,
    ) -> Markup:
        """A radar chart of ``values`` by area (``reference``: the average), as an image."""
        areas = labels or [self.area_label(a.id) for a in self.spec.areas]
        draw = radar if len(areas) >= 3 else bars  # a radar needs three spokes
        chart = draw(
            values,
            areas,
            scale=self.spec.scale,
            colours=self.colours,
            font=self.font,
            reference=reference,
            width_mm=self.radar_mm,
        )
        kept = replace(
            chart,
            labels=tuple(
                replace(label, lines=tuple(keep_words(line) for line in label.lines))
                for label in chart.labels
            ),
        )
        parts = []
        for i, label in enumerate(areas):
            value = self.score(values[i])
            if reference is not None:
                template = self.labels.get("chart_value_vs", "{area} {value} (average {average})")
                parts.append(
                    template.format(area=label, value=value, average=self.score(reference[i]))
                )
            else:
                parts.append(f"{label} {value}")
        low, high = self.spec.scale
        if draw is radar:
            alt, kind = self.labels.get("chart_alt", DEFAULT_CHART_ALT), "radar"
        else:
            alt, kind = self.labels.get("bars_alt", DEFAULT_BARS_ALT), "bars"
        return as_html(
            kept,
            alt.format(name=name, low=low, high=high, values="; ".join(parts)),
            f"chart {kind}",
        )


def settings_context(config: ReportConfig, lang: Lang) -> dict[str, Any]:
    """The ``report`` variable: the settings' printed texts in ``lang``, kept whole.

    A text printed in another language than the edition's (a fallback) is marked with its
    language.
    """

    def kept(value: str | LangText | None) -> Markup:
        if value is None:
            return Markup("")
        return in_language(
            keep_words(config.text(value, lang)), text_language(value, lang, None), lang
        )

    return {
        "title": kept(config.title),
        "subtitle": kept(config.subtitle),
        "year": config.year,
        "organisations": [kept(name) for name in config.organisations],
        "contact": {
            "email": config.contact.email,
            "phone": config.contact.phone,
            "place": kept(config.contact.place),
        },
        "copyright": kept(config.copyright),
        "languages": config.langs,
    }


def report_context(config: ReportConfig, layout: Layout, edition: Edition) -> dict[str, Any]:
    """Return the variables every template sees: report settings, labels, edition."""
    return {
        "report": settings_context(config, edition.lang),
        "labels": layout.labels(edition.lang),
        "lang": edition.lang,
        "edition": edition.name,
        "page_css": Markup(page_css(layout, edition)),
        "stylesheets": [
            (folder / "style.css").as_uri()
            for folder in reversed(layout.dirs)
            if (folder / "style.css").is_file()
        ],
    }


def page_css(layout: Layout, edition: Edition) -> str:
    """CSS generated from the manifest: page geometry, colours as variables, colour profile."""
    page = layout.manifest.page
    top, right, bottom, left = page.margin_mm
    lines = []
    if edition.name == "print":
        icc = layout.icc_profile.as_uri()
        lines.append(
            "@color-profile device-cmyk { components: cyan, magenta, yellow, black;"
            f" src: url({icc}) }}"
        )
        bleed = f"bleed: {page.bleed_mm}mm;"
    else:
        bleed = ""
    lines.append(
        f"@page {{ size: {page.width_mm}mm {page.height_mm}mm;"
        f" margin: {top}mm {right}mm {bottom}mm {left}mm; {bleed} }}"
    )
    variables = [
        f"--{name}: {colour_css(cmyk, edition.name)};"
        for name, cmyk in layout.manifest.colours.items()
    ]
    variables.append(f"--bleed: {page.bleed_mm if edition.name == 'print' else 0}mm;")
    variables += [
        f"--margin-top: {top}mm;",
        f"--margin-right: {right}mm;",
        f"--margin-bottom: {bottom}mm;",
        f"--margin-left: {left}mm;",
        f"--page-width: {page.width_mm}mm;",
        "--fonts: " + ", ".join(f'"{family}"' for family in layout.manifest.fonts) + ";",
    ]
    lines.append(":root { " + " ".join(variables) + " }")
    return "\n".join(lines)


def colour_css(cmyk: tuple[float, float, float, float], edition: str) -> str:
    """A manifest colour as CSS: ``device-cmyk()`` for print, its sRGB equivalent for screen."""
    c, m, y, k = (v / 100 for v in cmyk)
    if edition == "print":
        return f"device-cmyk({c:g} {m:g} {y:g} {k:g})"
    r, g, b = (round(255 * (1 - v) * (1 - k)) for v in (c, m, y))
    return f"rgb({r} {g} {b})"


def render_template(layout: Layout, name: str, context: dict[str, Any]) -> str:
    """Render one layout template with ``context``; template mistakes become UserErrors."""
    try:
        return layout.env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = _template_path(layout, exc.filename or exc.name or name)
        raise UserError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise UserError(
            f"layouts/{layout.manifest.name}: template {exc.name!r} not found"
            f" (needed by {name}); add it or extend a layout that has it"
        ) from None
    except RecursionError as exc:
        where = _template_frame(layout, name, exc)
        raise UserError(
            f"{where}: template error: recursion too deep (a macro or include calls itself"
            " without end)"
        ) from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        # Runtime errors of the template's own expressions: {{ 1/0 }}, a bad format...
        where = _template_frame(layout, name, exc)
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{where}: template error: {message[:300]}") from None


def _template_frame(layout: Layout, name: str, exc: BaseException) -> str:
    """``layouts/<name>/<file>:<line>`` of the innermost template line that raised ``exc``."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
    if frames:
        return f"{_template_path(layout, frames[-1].filename)}:{frames[-1].lineno}"
    return f"layouts/{layout.manifest.name}/{name}"


def _template_path(layout: Layout, filename: str) -> str:
    path = Path(filename)
    for folder in layout.dirs:
        try:
            return f"layouts/{folder.name}/{path.resolve().relative_to(folder.resolve())}"
        except ValueError:
            continue
    return filename


def text_path(config: ReportConfig, name: str, lang: Lang) -> str | None:
    """The project-relative Markdown file of editorial text ``name`` in ``lang``."""
    given = config.texts.get(name)
    return pick(given, lang, config.lang) if given is not None else None


def read_text_file(root: Path, relative: str) -> str:
    """Read an editorial Markdown file inside the project; a problem is a UserError."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise UserError(
            f"{relative}: no such file in the project (named in scireport.yaml's texts:)"
        )
    try:
        return read_limited(path, MAX_TEXT_BYTES).decode("utf-8")
    except FileTooLarge:
        raise UserError(f"{relative}: over {MAX_TEXT_BYTES:,} bytes; shorten it") from None
    except UnsafeFile as exc:
        raise UserError(f"{relative}: {exc.message}") from None
    except UnicodeDecodeError:
        raise UserError(f"{relative}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise UserError(f"{relative}: cannot read it: {exc.strerror or exc}") from None


@dataclass
class BookTemplates:
    """Renders the book's HTML documents for one edition of one project."""

    plan: EditionPlan
    """The edition: project, settings, layout, index and the tables' numbers."""

    @property
    def layout(self) -> Layout:
        """The layout whose templates are used."""
        return self.plan.layout

    @property
    def edition(self) -> Edition:
        """Which edition and language."""
        return self.plan.edition

    @cached_property
    def labels(self) -> dict[str, str]:
        """The layout's labels in the edition's language."""
        return self.layout.labels(self.edition.lang)

    @cached_property
    def index_view(self) -> IndexView | None:
        """The index's template data builder (None without an index)."""
        plan = self.plan
        spec = plan.config.index
        if plan.index is None or spec is None:
            return None
        manifest = self.layout.manifest
        style = manifest.charts

        def colour(name: str) -> str:
            cmyk = manifest.colours.get(name)
            if cmyk is None:
                raise UserError(
                    f"layouts/{manifest.name}/layout.yaml: charts name the colour {name!r},"
                    f" which colours: does not define"
                )
            return colour_css(cmyk, self.edition.name)

        return IndexView(
            index=plan.index,
            spec=spec,
            lang=self.edition.lang,
            labels=self.labels,
            profiles={c.slug: c.profile for c in plan.cities if c.profile is not None},
            colours=ChartColours(
                series=colour(style.city),
                fill=colour(style.fill),
                reference=colour(style.average),
                grid=colour(style.grid),
                text=colour(style.text),
            ),
            font=ChartFont(", ".join(manifest.fonts), style.label_pt),
            radar_mm=style.radar_mm,
        )

    @cached_property
    def _shared(self) -> dict[str, Any]:
        context = report_context(self.plan.config, self.layout, self.edition)
        view = self.index_view
        context["index"] = view.context if view else None
        context["radar_chart"] = view.radar_chart if view else None
        return context

    def _context(self, start_page: int | None) -> dict[str, Any]:
        context = dict(self._shared)
        if start_page is not None:
            context["page_css"] += Markup(f"\n@page :first {{ counter-reset: page {start_page} }}")
        return context

    def contents_entries(self, starts: dict[str, int]) -> list[dict[str, Any]]:
        """Lines of the contents: each listed section and each city, with its first page."""
        lang = self.edition.lang
        listed = self.plan.listed()
        entries: list[dict[str, Any]] = []
        for section in self.plan.sections:
            if section.name == CITIES:
                for city in self.plan.cities:
                    profile = city.profile
                    entries.append(
                        {
                            "kind": "city",
                            "slug": city.slug,
                            "anchor": f"city-{city.slug}",
                            "name": profile.city if profile else city.slug,
                            "native_name": keep_words(profile.native_name if profile else None),
                            "country": profile.country if profile else "",
                            "page": starts[city.slug],
                        }
                    )
            elif section in listed:
                title = pick(section.title, lang, "en") or section.name
                entries.append(
                    {
                        "kind": "section",
                        "slug": section.name,
                        "anchor": f"section-{section.name}",
                        "name": title,
                        "native_name": Markup(""),
                        "country": "",
                        "page": starts[section_key(section.name)],
                    }
                )
        return entries

    def section(self, section: Section, starts: dict[str, int]) -> str:
        """HTML of a section of the whole report (cover, contents, ranking, a text...)."""
        start = starts[section_key(section.name)]
        context = self._context(None if section.name == "cover" else start)
        entries = self.contents_entries(starts)
        title = pick(section.title, self.edition.lang, "en") if section.title else None
        context["entries"] = entries
        context["section"] = {
            "name": section.name,
            "id": f"section-{section.name}",
            "title": keep_words(title),
            "page": start,
            "pages": self.plan.section_budget(section),
        }
        context["text"] = Markup("")
        if section.text:
            relative = text_path(self.plan.config, section.text, self.edition.lang)
            if relative is None:
                raise UserError(
                    f"the section {section.name!r} prints the text {section.text!r}, which"
                    " scireport.yaml's texts: does not name"
                )
            source = read_text_file(self.plan.project.root, relative)
            context["text"] = render_markdown(source, f"@{section.name}--text")
        return render_template(self.layout, section.template_name, context)

    def city_cover(self, slug: str) -> str:
        """HTML of the cover of a city's PDF for the city itself (``build --standalone``)."""
        context = self._context(None)
        city = next(c for c in self.plan.cities if c.slug == slug)
        profile = city.profile
        assert profile is not None
        context["section"] = {"name": "city-cover", "id": f"cover-{slug}", "title": "", "page": 1}
        context["city"] = {
            "slug": slug,
            "name": profile.city,
            "country": profile.country,
            "native_name": keep_words(profile.native_name),
        }
        return render_template(self.layout, "city-cover.html", context)

    def blank(self, page: int) -> str:
        """HTML of a blank page numbered ``page`` (before a city that opens a spread)."""
        context = self._context(page)
        context["section"] = {"name": "blank", "id": f"blank-{page}", "title": "", "page": page}
        return render_template(self.layout, "blank.html", context)

    def city(
        self,
        slug: str,
        profile: CityProfile,
        start_page: int,
        image_files: dict[str, Path] | None = None,
    ) -> str:
        """HTML of one city's pages, numbered from ``start_page``.

        ``image_files`` maps a profile's image path to the file to print instead (the
        print edition's CMYK conversions).
        """
        context = self._context(start_page)
        data = self.plan.data.cities.get(slug)
        city = city_context(slug, profile, self.edition.lang, self.labels, data)
        if self.index_view is not None:
            city["index"] = self.index_view.city(slug, profile.city)
        root = self.plan.project.root
        for image in city["images"]:
            source = (image_files or {}).get(image["path"], root / image["path"])
            image["src"] = source.as_uri()
        context["city"] = city
        template = next(s for s in self.plan.sections if s.name == CITIES).template_name
        return render_template(self.layout, template, context)


_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def printed_paragraphs(
    profile: CityProfile, lang: Lang
) -> list[tuple[tuple[FieldPath, int | None], str]]:
    """Every paragraph a city's pages must show: ((field path, paragraph), text as printed).

    ``paragraph`` numbers the body's paragraphs from 1 (None for other fields). Markdown is
    rendered first, so a link shows its words and not its address; the build checks each
    one is found on the pages.
    """
    found: list[tuple[tuple[FieldPath, int | None], str]] = []
    for path, value in profile.printed_texts(lang):
        if path != ("body",):
            found.append(((path, None), value))
            continue
        for number, chunk in enumerate(_PARAGRAPH_BREAK.split(value.strip()), start=1):
            rendered = html.unescape(_TAG.sub(" ", str(render_markdown(chunk, "check"))))
            found.append(((path, number), rendered.replace(WORD_JOINER, "")))
    return found
