"""Document metadata every edition needs."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import PDFUA_NS, DocumentFacts
from ..registry import Hit, rule


@rule("pdf-metadata", severity="warning")
def title(facts: DocumentFacts) -> Iterator[Hit]:
    """The document has a title (left to ``pdf-pdfx`` and ``pdf-ua`` when the file claims
    PDF/X or PDF/UA, which make it an error)."""
    if facts.title:
        return
    if facts.edition == "print" and facts.pdfx_version:
        return
    if facts.edition == "screen" and facts.xmp_values(PDFUA_NS, "part"):
        return
    yield Hit("the document has no title; set it (metadata title) so viewers show it")
