"""Typeset stage: HTML -> WeasyPrint pages; page-budget fit and missing-glyph capture.

WeasyPrint is imported lazily (it costs about 0.4 s), one FontConfiguration is shared by
every document (memory stays flat), and every resource is fetched through
:class:`ProjectFetcher`, which reads only files inside the allowed folders.
"""

from __future__ import annotations

import gc
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

import pikepdf

from . import weasy
from .files import file_stamps
from .models import WORD_JOINER


@dataclass
class Overflow:
    """How a city's content overruns its page budget."""

    pages: int
    """Pages the content actually takes."""
    budget: int
    """Pages the layout allows."""
    first_id: str | None
    """Id of the first marked element that starts past the budget (e.g. ``seoul--body-4``)."""
    extra_fraction: float
    """Roughly how many pages do not fit (1.4 = one full page and 40% of another)."""


@dataclass
class FetchLog:
    """Resources WeasyPrint asked for and was refused."""

    refused: list[str] = field(default_factory=list)
    """URLs refused because they point outside the allowed folders or use the network."""
    fetched: list[str] = field(default_factory=list)
    """Files served (stylesheets, fonts, images): the pages depend on them."""
    warnings: list[str] = field(default_factory=list)
    """WeasyPrint's warnings while laying out (e.g. an ``@font-face`` it cannot load)."""


def make_fetcher(allowed: list[Path], log: FetchLog) -> Any:
    """Return a URLFetcher that serves only files under ``allowed`` folders/files."""
    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in allowed]

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        """Fetches project files only: no network, nothing outside the project."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            """Fetch ``url`` if it is a file inside an allowed folder, else refuse it."""
            parsed = urlparse(url)
            if parsed.scheme == "data":  # self-contained (the charts): nothing is read
                return super().fetch(url, headers)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path == root or path.is_relative_to(root) for root in roots):
                    log.fetched.append(str(path))
                    return super().fetch(url, headers)
            log.refused.append(url)
            raise ValueError(f"scireport reads only project files; refused {url}")

    return ProjectFetcher(allowed_protocols=["file", "data"])


def preload() -> None:
    """Import WeasyPrint now (about 0.5 s), e.g. before forking typesetting workers: forked
    workers then share its pages instead of each importing it again."""
    import weasyprint  # noqa: F401


class Typesetter:
    """Renders HTML strings to WeasyPrint documents and writes them as PDF.

    WeasyPrint is imported and the shared FontConfiguration made on first use, so that a
    process can fork its workers before it has touched Pango.
    """

    def __init__(self, allowed: list[Path]) -> None:
        self.allowed = allowed
        self.fetch_log = FetchLog()
        self._font_config: Any = None
        self._fetcher: Any = None
        self.stylesheets = weasy.LinkedStylesheets(self.fetch_log)
        """The layout's stylesheets, parsed once for every document of this process."""

    @property
    def font_config(self) -> Any:
        """The FontConfiguration shared by every document of this process."""
        if self._font_config is None:
            from weasyprint.text.fonts import FontConfiguration

            self._font_config = FontConfiguration()
        return self._font_config

    @property
    def fetcher(self) -> Any:
        """The URL fetcher that reads only allowed files."""
        if self._fetcher is None:
            self._fetcher = make_fetcher(self.allowed, self.fetch_log)
        return self._fetcher

    def render(self, html: str, base_dir: Path) -> Any:
        """Lay out ``html`` (relative URLs resolve against ``base_dir``); return a Document."""
        from weasyprint import HTML

        with weasy.capture_log() as messages, self.stylesheets.reused():
            document = HTML(
                string=html, base_url=base_dir.as_uri() + "/", url_fetcher=self.fetcher
            ).render(font_config=self.font_config)
        self.fetch_log.warnings += messages
        return document

    def write(self, document: Any, target: Path | BinaryIO, **options: Any) -> list[str]:
        """Write ``document`` to ``target``; return WeasyPrint's warnings from the write.

        Streams are compressed at level 1 (see :class:`~.weasy.FastZlib`).
        """
        return weasy.write_pdf(document, target, **options)


def _field_anchors(page: Any, slug: str) -> list[tuple[float, str]]:
    return sorted(
        (pos[1], name)
        for name, pos in page.anchors.items()
        if name.startswith(f"{slug}--") and name != f"{slug}--end"
    )


def find_overflow(document: Any, slug: str, budget: int, content_top: float) -> Overflow | None:
    """Return how ``document`` overruns ``budget`` pages, or None when it fits.

    The field named is the one that crosses into the first page past the budget: the
    last marked element on the last allowed page, unless a marked element starts at the
    very top of the next page (``content_top`` is the top margin in CSS pixels).
    """
    pages = document.pages
    if len(pages) <= budget:
        return None
    next_page = _field_anchors(pages[budget], slug)
    last_allowed = _field_anchors(pages[budget - 1], slug)
    first_id = None
    if next_page and (next_page[0][0] <= content_top + 4 or not last_allowed):
        first_id = next_page[0][1]
    elif last_allowed:
        first_id = last_allowed[-1][1]
    last = pages[-1]
    end = last.anchors.get(f"{slug}--end")
    fraction = 1.0
    if end is not None and last.height:
        fraction = max(0.05, min(1.0, end[1] / last.height))
    return Overflow(
        pages=len(pages),
        budget=budget,
        first_id=first_id,
        extra_fraction=round(len(pages) - budget - 1 + fraction, 1),
    )


def pad_html(html: str, fillers: int) -> str:
    """Add ``fillers`` blank pages at the end of a document (the layout styles ``.filler``)."""
    return html.replace("</body>", '<div class="filler"></div>' * fillers + "</body>", 1)


@dataclass(frozen=True)
class PdfMeta:
    """Document metadata written into a PDF."""

    title: str
    """Document title."""
    authors: tuple[str, ...]
    """Organisations, written as authors."""
    lang: str
    """Document language."""
    timestamp: str
    """Creation and modification time (ISO 8601)."""


@dataclass(frozen=True)
class PageTask:
    """One document to typeset and write, self-contained so a worker process can run it."""

    name: str
    """Anchor prefix of the document (a city's slug), or '' for cover and contents."""
    html: str
    """The document's HTML."""
    base_dir: Path
    """Folder that relative URLs resolve against (the layout's)."""
    allowed: tuple[Path, ...]
    """Folders and files WeasyPrint may read."""
    budget: int
    """Pages the document must take (0: as many as it needs)."""
    content_top: float
    """Top margin in CSS pixels (for overflow diagnosis)."""
    output: Path
    """Where to write the PDF."""
    options: tuple[tuple[str, Any], ...]
    """WeasyPrint write options."""
    meta: PdfMeta
    """Metadata to write."""
    expected: tuple[tuple[Any, str], ...] = ()
    """(label, text) of every paragraph that must be found on the pages (labels: JSON data)."""


_TYPESETTERS: dict[tuple[Path, ...], Typesetter] = {}


def typesetter_for(allowed: tuple[Path, ...]) -> Typesetter:
    """The process's Typesetter for ``allowed`` (one FontConfiguration per process)."""
    if allowed not in _TYPESETTERS:
        _TYPESETTERS[allowed] = Typesetter(list(allowed))
    return _TYPESETTERS[allowed]


def render_to_budget(typesetter: Typesetter, task: PageTask) -> tuple[Any, Overflow | None]:
    """Lay out ``task``'s HTML: padded with blank pages up to its budget, or its overflow."""
    document = typesetter.render(task.html, task.base_dir)
    overflow = None
    if task.budget:
        overflow = find_overflow(document, task.name, task.budget, task.content_top)
        if overflow is None and len(document.pages) < task.budget:
            padded = pad_html(task.html, task.budget - len(document.pages))
            document = typesetter.render(padded, task.base_dir)
    return document, overflow


def set_metadata(document: Any, meta: PdfMeta) -> None:
    """Write title, authors, language and dates into a WeasyPrint document's metadata."""
    target = document.metadata
    target.title = meta.title
    target.authors = list(meta.authors)
    target.lang = meta.lang
    target.created = target.modified = meta.timestamp
    target.generator = "scireport"


BIG_DOCUMENT_PAGES = 8
"""Pages from which a document is big: typeset in a worker of its own (see
build.BookBuilder.typeset), its layout collected before its PDF is opened (run_task)."""

PartPass = Callable[[Any], int]
"""A change made to a typeset part before it is cached: called with the part open as a
``pikepdf.Pdf``, returns how many things it changed (0: none)."""
PartSurvey = Callable[[Any], dict[str, Any]]
"""What is read of a typeset part (after its passes) to keep with it in the cache: called
with the part open as a ``pikepdf.Pdf``, returns entries for the task's results."""


def run_task(
    task: PageTask, passes: Sequence[PartPass] = (), surveys: Sequence[PartSurvey] = ()
) -> dict[str, Any]:
    """Typeset and write one document; return what happened as plain data.

    The PDF WeasyPrint writes is opened once for every change made to it before it is
    cached (``passes``: the edition's, see build.TYPESETTERS) and saved once, only when one
    of them changed something; ``surveys`` then read it (their entries join the results).

    Keys: ``pages``, ``missing`` (labels of expected paragraphs not found on the pages),
    ``overflow`` (None or the Overflow's fields), ``notdef`` (characters
    drawn as .notdef), ``refused`` (URLs not fetched), ``outside`` (text past its text
    area, see :func:`~.weasy.text_outside`), ``bad_fonts`` (font files that could not be loaded),
    ``links`` (internal links: page
    index, rectangle in PDF points, anchor), ``anchors`` (anchor -> page index) and
    ``bookmarks`` (the outline entries the layout's CSS asks for: page index, level, label).
    """
    typesetter = typesetter_for(task.allowed)
    log = typesetter.fetch_log
    log.refused.clear()  # the log is the process's: it speaks of this task only
    log.fetched.clear()
    log.warnings.clear()
    document, overflow = render_to_budget(typesetter, task)
    set_metadata(document, task.meta)
    options = dict(task.options)
    written = io.BytesIO()
    messages = typesetter.write(document, written, **options)
    laid_out = printed_text(document)
    found = {
        "pages": len(document.pages),
        "missing": [label for label, text in task.expected if comparable(text) not in laid_out],
        "overflow": None if overflow is None else overflow.__dict__,
        "notdef": weasy.notdef_chars(messages),
        "refused": list(log.refused),
        "fetched": file_stamps(log.fetched),
        "links": page_links(document),
        "outside": [list(pair) for pair in weasy.text_outside(document)],
        "bad_fonts": unusable_fonts(log),
        "anchors": {
            name: index for index, page in enumerate(document.pages) for name in page.anchors
        },
        "bookmarks": page_bookmarks(document),
    }
    # A big document's layout goes before its PDF is opened for the passes: for W500's
    # 17-page ranking the two together made the peak of the whole build. (A worker collects
    # its garbage after each document; a small one's layout can wait for that.)
    big = len(document.pages) >= BIG_DOCUMENT_PAGES
    del document, laid_out
    if big:
        gc.collect()
    return save_part(written.getvalue(), task.output, passes, surveys) | found


def save_part(
    pdf: bytes, target: Path, passes: Sequence[PartPass], surveys: Sequence[PartSurvey] = ()
) -> dict[str, Any]:
    """Write the part ``pdf`` to ``target``, changed by ``passes`` (one open, one save);
    return what ``surveys`` read of it as written."""
    if not passes and not surveys:
        target.write_bytes(pdf)
        return {}
    with pikepdf.open(io.BytesIO(pdf)) as part:
        if sum(change(part) for change in passes):
            part.save(target, compress_streams=True, deterministic_id=True)
        else:
            target.write_bytes(pdf)
        surveyed: dict[str, Any] = {}
        for survey in surveys:
            surveyed |= survey(part)
        return surveyed


_NOT_COMPARED = re.compile(r"[^\w]|_", re.UNICODE)


def comparable(text: str) -> str:
    """``text`` reduced to its letters and digits, case folded, to compare source and print."""
    return _NOT_COMPARED.sub("", text).casefold()


def printed_text(document: Any) -> str:
    """All text laid out in the page areas of ``document``, as :func:`comparable` reduces it."""
    return comparable("".join(weasy.laid_out_text(document)))


FONT_SUFFIXES = {".otf", ".ttf", ".ttc", ".otc", ".woff", ".woff2"}


def unusable_fonts(log: FetchLog) -> list[str]:
    """Font files WeasyPrint was served but could not load (it silently used another font).

    Only looked for when WeasyPrint said an ``@font-face`` cannot be loaded: each font file
    it fetched is then opened with fontTools, and those that fail are named.
    """
    if not any("cannot be loaded" in m or "Failed to load font" in m for m in log.warnings):
        return []
    from fontTools.ttLib import TTCollection, TTFont

    bad = []
    for name in dict.fromkeys(log.fetched):
        path = Path(name)
        if path.suffix.lower() not in FONT_SUFFIXES:
            continue
        try:
            if path.suffix.lower() in {".ttc", ".otc"}:
                TTCollection(name).close()
            else:
                with TTFont(name, lazy=False) as font:
                    font.getGlyphOrder()
                    font["cmap"]
        except Exception:  # fontTools raises many kinds for a damaged file
            bad.append(name)
    return bad


def page_bookmarks(document: Any) -> list[tuple[int, int, str]]:
    """The outline entries of ``document`` (CSS ``bookmark-level``): page index, level and
    label as printed, without the word joiners that keep Korean words whole."""
    return [
        (index, int(level), " ".join(str(label).replace(WORD_JOINER, "").split()))
        for index, page in enumerate(document.pages)
        for level, label, *_ in page.bookmarks
    ]


def page_links(document: Any) -> list[tuple[int, tuple[float, float, float, float], str]]:
    """Internal links of ``document``: (page index, PDF rectangle in points, anchor name)."""
    found = []
    for index, page in enumerate(document.pages):
        height = page.height * 0.75
        for kind, target, (x0, y0, x1, y1), *_ in page.links:  # corners, in CSS pixels
            if kind == "internal":
                rect = (x0 * 0.75, height - y1 * 0.75, x1 * 0.75, height - y0 * 0.75)
                found.append((index, rect, str(target)))
    return found
