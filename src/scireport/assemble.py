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
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from .errors import UserError
from .layouts import Layout
from .models import AREAS, CityProfile, FieldPath, Lang, ReportConfig, pick

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_SPACE = re.compile(r"(\s+)")
_SAFE_HREF = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"')]+")


WORD_JOINER = "\u2060"
"""U+2060 WORD JOINER: forbids a line break between the characters it stands between."""


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


class _WordWriter:
    """Builds inline HTML word by word, so that Korean words can be joined across tags."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.word: list[tuple[bool, str]] = []

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

    def boundary(self, separator: str) -> None:
        self.out.append(_join_word(self.word))
        self.word = []
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


@dataclass(frozen=True)
class Edition:
    """What one build renders: print (CMYK, bleed) or screen (RGB, tagged), in a language."""

    name: str
    """``print`` or ``screen``."""
    lang: Lang
    """Language the edition prints."""


def city_context(
    slug: str, profile: CityProfile, lang: Lang, labels: dict[str, str]
) -> dict[str, Any]:
    """Return the template variables for one city, every text escaped and word-kept."""

    def text(value: Any) -> str | None:
        return pick(value, lang, profile.lang)

    about = profile.about
    facts = []
    if about.area_km2 is not None:
        facts.append((labels["area"], f"{format_number(about.area_km2)} km²"))
    if about.population is not None:
        facts.append((labels["population"], format_number(about.population)))
    if about.national_share_pct is not None:
        facts.append((labels["share"], f"{format_number(about.national_share_pct)}%"))
    scores = [
        {"key": key, "label": labels.get(key, key.replace("_", " ").title()), "value": value}
        for key in AREAS
        if (value := getattr(profile.scores, key)) is not None
    ]
    headline = (text(profile.headline) or "").strip("\n")
    return {
        "slug": slug,
        "id": f"city-{slug}",
        "name": profile.city,
        "country": profile.country,
        "native_name": profile.native_name,
        "lang": lang if _has(profile, lang) else profile.lang,
        "facts": facts,
        "about_text": keep_words(text(about.text)),
        "headline_lines": [keep_words(line) for line in headline.splitlines()],
        "subtitle": keep_words(text(profile.subtitle)),
        "body": render_markdown(text(profile.body), f"{slug}--body"),
        "initiatives": [
            {"name": keep_words(item.name), "text": keep_words(text(item.text)), "index": i}
            for i, item in enumerate(profile.initiatives)
        ],
        "scores": scores,
        "images": [
            {
                "path": image.path,
                "caption": keep_words(text(image.caption)),
                "credit": image.credit,
                "width_mm": image.width_mm,
            }
            for image in profile.images
        ],
        "sources": [linkify(source) for source in profile.sources],
    }


def _has(profile: CityProfile, lang: Lang) -> bool:
    body = profile.body
    return (
        getattr(body, lang, None) is not None if not isinstance(body, str) else profile.lang == lang
    )


def report_context(config: ReportConfig, layout: Layout, edition: Edition) -> dict[str, Any]:
    """Return the variables every template sees: report settings, labels, edition."""
    return {
        "report": config,
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
    except jinja2.TemplateError as exc:
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")
        ]
        where = (
            f"{_template_path(layout, frames[-1].filename)}:{frames[-1].lineno}"
            if frames
            else f"layouts/{layout.manifest.name}/{name}"
        )
        raise UserError(f"{where}: template error: {exc}") from None


def _template_path(layout: Layout, filename: str) -> str:
    path = Path(filename)
    for folder in layout.dirs:
        try:
            return f"layouts/{folder.name}/{path.resolve().relative_to(folder.resolve())}"
        except ValueError:
            continue
    return filename


@dataclass
class BookTemplates:
    """Renders the book's HTML documents for one edition of one project."""

    layout: Layout
    """The layout whose templates are used."""
    config: ReportConfig
    """The report's settings."""
    edition: Edition
    """Which edition and language."""
    project_root: Path
    """Project folder; images are resolved against it."""

    @cached_property
    def _shared(self) -> dict[str, Any]:
        return report_context(self.config, self.layout, self.edition)

    def _context(self, start_page: int | None) -> dict[str, Any]:
        context = dict(self._shared)
        if start_page is not None:
            context["page_css"] += Markup(f"\n@page :first {{ counter-reset: page {start_page} }}")
        return context

    def cover(self) -> str:
        """HTML of the cover page."""
        return render_template(self.layout, "cover.html", self._context(None))

    def contents(self, entries: list[dict[str, Any]], start_page: int) -> str:
        """HTML of the table of contents (entries: slug, name, native_name, country, page)."""
        context = self._context(start_page)
        context["entries"] = entries
        return render_template(self.layout, "contents.html", context)

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
        labels = self.layout.labels(self.edition.lang)
        context = self._context(start_page)
        city = city_context(slug, profile, self.edition.lang, labels)
        for image in city["images"]:
            source = (image_files or {}).get(image["path"], self.project_root / image["path"])
            image["src"] = source.as_uri()
        context["city"] = city
        return render_template(self.layout, "city.html", context)


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
