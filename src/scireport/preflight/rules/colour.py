"""Colour in a print file: CMYK only, and what the claimed PDF/X version allows."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import DocumentFacts
from ..registry import Hit, listed_per_page, rule


@rule("pdf-pdfx", editions=("print",))
def pdfx_transparency(facts: DocumentFacts) -> Iterator[Hit]:
    """No transparency (opacity, soft masks, blend modes, alpha channels) in PDF/X-1a or
    PDF/X-3."""
    version = facts.pdfx_version or ""
    if not version.startswith(("PDF/X-1", "PDF/X-3")):
        return
    for number, found in listed_per_page(facts, lambda content: content.transparency):
        yield Hit(
            f"{version} forbids transparency, found: {found};"
            " remove opacity and alpha from the layout or write PDF/X-4",
            number,
        )


@rule("pdf-pdfx", editions=("print",))
def pdfx_calibrated(facts: DocumentFacts) -> Iterator[Hit]:
    """No ICC-based or CIE colour in PDF/X-1a (DeviceCMYK, gray and spot only)."""
    version = facts.pdfx_version or ""
    if not version.startswith("PDF/X-1"):
        return
    for number, found in listed_per_page(facts, lambda content: content.calibrated):
        yield Hit(
            f"{version} allows only DeviceCMYK, gray and spot colours, found ICC/CIE"
            f" colour in: {found}; write PDF/X-4 instead",
            number,
        )


@rule("pdf-rgb", editions=("print",))
def rgb(facts: DocumentFacts) -> Iterator[Hit]:
    """No RGB colour operator, colour space, image, shading or transparency group in a
    print file (forms and tiling patterns included)."""
    for number, found in listed_per_page(facts, lambda content: content.rgb):
        yield Hit(
            f"RGB colour used: {found}; a print file must be"
            " CMYK: use device-cmyk() colours and convert images with the output profile",
            number,
        )
