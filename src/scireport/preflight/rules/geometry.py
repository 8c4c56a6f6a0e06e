"""Page geometry: boxes present and nested, enough bleed, one size on every page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..base import pages_text
from ..facts import DocumentFacts
from ..geometry import BOX_TOLERANCE_MM, SIZE_TOLERANCE_MM, PageBoxes, fmt, inside, mm, signature
from ..registry import Hit, rule

DEFAULT_MIN_BLEED_MM = 3.0
"""Smallest bleed accepted without a layout."""


def _geometry(facts: DocumentFacts) -> dict[int, PageBoxes]:
    return {page.number: page.boxes for page in facts.pages if page.boxes is not None}


def _grouped(problems: dict[str, list[int]], total: int) -> Iterator[Hit]:
    """One hit per message, naming the pages it applies to when there are several."""
    for message, numbers in problems.items():
        where = f" ({pages_text(numbers, total)})" if len(numbers) > 1 else ""
        yield Hit(message + where, numbers[0])


@rule("pdf-boxes", editions=("print",))
def boxes(facts: DocumentFacts) -> Iterator[Hit]:
    """Every page has a TrimBox inside a BleedBox inside the MediaBox, and every page has
    the same trim size and bleed."""
    geometry = _geometry(facts)
    if not geometry:
        return
    problems: dict[str, list[int]] = {}
    for number, page in geometry.items():
        if not page.has_trim:
            problems.setdefault(
                "no TrimBox: the press cannot tell where to cut;"
                " write the PDF as PDF/X (pdf_variant='pdf/x-4') with @page bleed",
                [],
            ).append(number)
        if not page.has_bleed:
            problems.setdefault(
                "no BleedBox: set @page { bleed: 3mm } so the bleed area is declared", []
            ).append(number)
        if not inside(page.trim, page.bleed):
            problems.setdefault("the TrimBox is not inside the BleedBox", []).append(number)
        if not inside(page.bleed, page.media):
            problems.setdefault("the BleedBox is not inside the MediaBox", []).append(number)
    signatures = {number: signature(page) for number, page in geometry.items()}
    common, _ = Counter(signatures.values()).most_common(1)[0]
    for number, found in signatures.items():
        if found != common:
            problems.setdefault(
                f"page geometry ({found}) differs from the other pages ({common});"
                " every page of a print file needs the same trim size and bleed",
                [],
            ).append(number)
    yield from _grouped(problems, facts.total)


@rule("pdf-bleed", editions=("print",))
def bleed(facts: DocumentFacts) -> Iterator[Hit]:
    """The bleed on every side is at least the layout's ``min_bleed_mm`` (3 mm without a
    layout)."""
    min_bleed = facts.manifest.page.min_bleed_mm if facts.manifest else DEFAULT_MIN_BLEED_MM
    problems: dict[str, list[int]] = {}
    for number, page in _geometry(facts).items():
        sides = {
            "left": page.trim[0] - page.bleed[0],
            "bottom": page.trim[1] - page.bleed[1],
            "right": page.bleed[2] - page.trim[2],
            "top": page.bleed[3] - page.trim[3],
        }
        short = {side: mm(value) for side, value in sides.items()}
        if min(short.values()) >= min_bleed - BOX_TOLERANCE_MM:
            continue
        if len({round(v, 1) for v in short.values()}) == 1:
            amount = f"{fmt(next(iter(short.values())))} mm on every side"
        else:
            amount = ", ".join(f"{s} {fmt(v)} mm" for s, v in short.items())
        problems.setdefault(
            f"the bleed is {amount}; the press needs at least {fmt(min_bleed)} mm:"
            f" set @page {{ bleed: {fmt(min_bleed)}mm }} (layout page.bleed_mm) and"
            " run backgrounds that touch the edge into it",
            [],
        ).append(number)
    yield from _grouped(problems, facts.total)


@rule("pdf-page-size")
def page_size(facts: DocumentFacts) -> Iterator[Hit]:
    """The trimmed page size is the layout's (checked only against a layout)."""
    if facts.manifest is None:
        return
    want_w, want_h = facts.manifest.page.width_mm, facts.manifest.page.height_mm
    wrong: dict[str, list[int]] = {}
    for number, page in _geometry(facts).items():
        width = mm(page.trim[2] - page.trim[0])
        height = mm(page.trim[3] - page.trim[1])
        if page.rotate in (90, 270):
            width, height = height, width
        if abs(width - want_w) > SIZE_TOLERANCE_MM or abs(height - want_h) > SIZE_TOLERANCE_MM:
            wrong.setdefault(f"{width:.1f} × {height:.1f} mm", []).append(number)
    for size, numbers in wrong.items():
        yield Hit(
            f"the trimmed page is {size} {pages_text(numbers, facts.total)} but the layout"
            f" {facts.manifest.name!r} sets {fmt(want_w)} × {fmt(want_h)} mm;"
            " check @page size in the layout's CSS",
            numbers[0],
        )
