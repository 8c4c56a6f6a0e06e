"""Glyphs: no text drawn with the .notdef glyph (an empty box)."""

from __future__ import annotations

from collections.abc import Iterator

from ..base import listing
from ..facts import DocumentFacts
from ..registry import Hit, rule


@rule("pdf-notdef")
def notdef(facts: DocumentFacts) -> Iterator[Hit]:
    """No shown text draws the .notdef glyph (an empty box); names the characters, from
    the font's ToUnicode map, when it can."""
    for page in facts.pages:
        if page.content is None:
            continue
        for font, count in page.content.notdef.items():
            chars = page.content.notdef_text.get(font, [])
            named = ": " + listing(f"{c!r} (U+{ord(c[0]):04X})" for c in chars) if chars else ""
            yield Hit(
                f"{count} missing glyph(s) (.notdef) in font {font}{named};"
                " use a font that has these characters, or remove them from the text",
                page.number,
            )
