"""The screen edition: what screen readers and PDF/UA checkers need."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from ..facts import DC_NS, PDFUA_NS, DocumentFacts
from ..registry import Hit, rule


@rule("pdf-tags", editions=("screen",))
def tags(facts: DocumentFacts) -> Iterator[Hit]:
    """The PDF is tagged: a structure tree and MarkInfo /Marked true."""
    root = facts.pdf.Root
    mark_info = root.get("/MarkInfo")
    marked = isinstance(mark_info, pikepdf.Dictionary) and bool(mark_info.get("/Marked"))
    if root.get("/StructTreeRoot") is None or not marked:
        yield Hit(
            "the PDF is not tagged (no structure tree or MarkInfo /Marked true); screen"
            " readers cannot follow it: write it with pdf_variant='pdf/ua-1'"
        )


@rule("pdf-lang", editions=("screen",))
def lang(facts: DocumentFacts) -> Iterator[Hit]:
    """The document declares its language (/Lang in the catalog)."""
    value = facts.pdf.Root.get("/Lang")
    if value is None or not str(value).strip():
        yield Hit(
            "no document language (/Lang); screen readers will guess the pronunciation:"
            " set <html lang> or the metadata language"
        )


@rule("pdf-bookmarks", editions=("screen",))
def bookmarks(facts: DocumentFacts) -> Iterator[Hit]:
    """An outline (bookmarks) with at least one entry."""
    outlines = facts.pdf.Root.get("/Outlines")
    if not isinstance(outlines, pikepdf.Dictionary) or outlines.get("/First") is None:
        yield Hit(
            "the PDF has no bookmarks; readers cannot jump to a city:"
            " give headings a bookmark-level"
        )


@rule("pdf-ua", editions=("screen",), severity="warning")
def pdf_ua(facts: DocumentFacts) -> Iterator[Hit]:
    """The file claims PDF/UA (a warning otherwise) and then has what PDF/UA requires:
    dc:title in XMP and ViewerPreferences /DisplayDocTitle (errors)."""
    if not facts.xmp_values(PDFUA_NS, "part"):
        yield Hit(
            "the file does not claim PDF/UA (no pdfuaid:part in XMP);"
            " write it with pdf_variant='pdf/ua-1'"
        )
        return
    if not facts.xmp_values(DC_NS, "title"):
        yield Hit("PDF/UA needs dc:title in the XMP metadata; set the title", severity="error")
    prefs = facts.pdf.Root.get("/ViewerPreferences")
    if not isinstance(prefs, pikepdf.Dictionary) or not prefs.get("/DisplayDocTitle"):
        yield Hit("PDF/UA needs ViewerPreferences /DisplayDocTitle true", severity="error")
