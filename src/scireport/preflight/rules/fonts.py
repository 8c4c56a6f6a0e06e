"""Fonts: every font used is embedded, and subset."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import pages_text
from ..facts import DocumentFacts
from ..registry import Hit, rule


@rule("pdf-font-embed")
def font_embed(facts: DocumentFacts) -> Iterator[Hit]:
    """Every font the text uses is embedded (an error otherwise) and subset (a warning
    otherwise; Type 3 fonts excepted)."""
    for key, info in facts.fonts.items():
        pages = facts.font_pages.get(key, [])
        where = pages_text(pages, facts.total) if pages else ""
        first = pages[0] if pages else None
        if not info.embedded:
            yield Hit(
                f"font {info.name} is not embedded (used {where}); the press would"
                " substitute another font: embed it (WeasyPrint embeds installed fonts)",
                first,
            )
        elif not info.subset and info.kind != "type3":
            yield Hit(
                f"font {info.name} is embedded whole, not subset (used {where});"
                " subsetting keeps the file small and avoids licensing trouble",
                first,
                "warning",
            )
