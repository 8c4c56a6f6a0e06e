"""Colour in a print file: CMYK only, and what the claimed PDF/X version allows."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import listing
from ..facts import DocumentFacts
from ..registry import Hit, rule


@rule("pdf-pdfx", editions=("print",))
def pdfx_transparency(facts: DocumentFacts) -> Iterator[Hit]:
    """No transparency (opacity, soft masks, blend modes, alpha channels) in PDF/X-1a or
    PDF/X-3."""
    version = facts.pdfx_version or ""
    if not version.startswith(("PDF/X-1", "PDF/X-3")):
        return
    for page in facts.pages:
        if page.content is not None and page.content.transparency:
            yield Hit(
                f"{version} forbids transparency, found: {listing(page.content.transparency)};"
                " remove opacity and alpha from the layout or write PDF/X-4",
                page.number,
            )


@rule("pdf-pdfx", editions=("print",))
def pdfx_calibrated(facts: DocumentFacts) -> Iterator[Hit]:
    """No ICC-based or CIE colour in PDF/X-1a (DeviceCMYK, gray and spot only)."""
    version = facts.pdfx_version or ""
    if not version.startswith("PDF/X-1"):
        return
    for page in facts.pages:
        if page.content is not None and page.content.calibrated:
            yield Hit(
                f"{version} allows only DeviceCMYK, gray and spot colours, found ICC/CIE"
                f" colour in: {listing(page.content.calibrated)}; write PDF/X-4 instead",
                page.number,
            )


@rule("pdf-rgb", editions=("print",))
def rgb(facts: DocumentFacts) -> Iterator[Hit]:
    """No RGB colour operator, colour space, image, shading or transparency group in a
    print file (forms and tiling patterns included)."""
    for page in facts.pages:
        if page.content is not None and page.content.rgb:
            yield Hit(
                f"RGB colour used: {listing(page.content.rgb)}; a print file must be"
                " CMYK: use device-cmyk() colours and convert images with the output profile",
                page.number,
            )
