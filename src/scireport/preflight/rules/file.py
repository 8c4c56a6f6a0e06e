"""The file as a whole: page count, pages that cannot be read, streams too large to read."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import DocumentFacts
from ..registry import Hit, listed_per_page, rule


@rule("pdf-page-count")
def page_count(facts: DocumentFacts) -> Iterator[Hit]:
    """The PDF has pages, as many as the build expected."""
    if facts.total == 0:
        yield Hit("the PDF has no pages")
    elif facts.expected_pages is not None and facts.total != facts.expected_pages:
        yield Hit(
            f"the PDF has {facts.total} pages but {facts.expected_pages} were expected;"
            " rebuild it from the project"
        )


@rule("pdf-unreadable")
def unreadable_pages(facts: DocumentFacts) -> Iterator[Hit]:
    """Every page's boxes and content can be read (the file opens, is not encrypted)."""
    for page in facts.pages:
        if page.error is not None:
            yield Hit(f"the page cannot be read ({page.error}); export the PDF again", page.number)


@rule("pdf-unreadable", severity="warning")
def damaged_content(facts: DocumentFacts) -> Iterator[Hit]:
    """The content parser has nothing to complain about (e.g. a stream that ends early)."""
    for number, found in listed_per_page(facts, lambda content: content.damage):
        yield Hit(
            f"the page's content is damaged ({found}); export the PDF again",
            number,
        )


@rule("pdf-oversized")
def oversized(facts: DocumentFacts) -> Iterator[Hit]:
    """No stream inflates past 4 MiB (512 MiB for the whole file) and no page draws more
    than 200,000 operators (5 million for the file): preflight stops reading there, so a
    decompression bomb costs neither minutes nor gigabytes."""
    for number, found in listed_per_page(facts, lambda content: content.oversized):
        yield Hit(
            f"not checked past the limits: {found};"
            " a city page needs far less, so the file is damaged or hostile:"
            " export it again",
            number,
        )
