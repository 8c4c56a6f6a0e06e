"""Typeset stage: HTML -> WeasyPrint pages; page-budget fit and missing-glyph capture.

WeasyPrint is imported lazily (it costs about 0.4 s), one FontConfiguration is shared by
every document (memory stays flat), and every resource is fetched through
:class:`ProjectFetcher`, which reads only files inside the allowed folders.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

NOTDEF_RE = re.compile(r'\.notdef glyph rendered .*"(.)" \(U\+([0-9A-F]+)\)')


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


def make_fetcher(allowed: list[Path], log: FetchLog) -> Any:
    """Return a URLFetcher that serves only files under ``allowed`` folders/files."""
    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in allowed]

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        """Fetches project files only: no network, nothing outside the project."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            """Fetch ``url`` if it is a file inside an allowed folder, else refuse it."""
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path == root or path.is_relative_to(root) for root in roots):
                    return super().fetch(url, headers)
            log.refused.append(url)
            raise ValueError(f"scireport reads only project files; refused {url}")

    return ProjectFetcher(allowed_protocols=["file"])


@contextmanager
def capture_weasyprint_log() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors (e.g. .notdef glyphs) while the block runs."""
    messages: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collector(level=logging.WARNING)
    previous = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def notdef_chars(messages: list[str]) -> list[str]:
    """Return the characters WeasyPrint drew as .notdef, from its log messages."""
    found = []
    for message in messages:
        match = NOTDEF_RE.search(message)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


class Typesetter:
    """Renders HTML strings to WeasyPrint documents and writes them as PDF."""

    def __init__(self, allowed: list[Path]) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.fetch_log = FetchLog()
        self.fetcher = make_fetcher(allowed, self.fetch_log)

    def render(self, html: str, base_dir: Path) -> Any:
        """Lay out ``html`` (relative URLs resolve against ``base_dir``); return a Document."""
        from weasyprint import HTML

        document = HTML(
            string=html, base_url=base_dir.as_uri() + "/", url_fetcher=self.fetcher
        ).render(font_config=self.font_config)
        return document

    def write(self, document: Any, target: Path, **options: Any) -> list[str]:
        """Write ``document`` to ``target``; return WeasyPrint's warnings from the write."""
        with capture_weasyprint_log() as messages:
            document.write_pdf(target, **options)
        return messages


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
