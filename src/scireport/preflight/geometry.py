"""Page geometry: transformation matrices, page boxes and their sizes in millimetres."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pikepdf

from ..pdfobjects import inherited
from .base import Unreadable

MM = 72 / 25.4
"""PDF points per millimetre."""

BOX_TOLERANCE_MM = 0.05
"""Rounding slack when comparing page boxes."""

SIZE_TOLERANCE_MM = 0.5
"""Slack when comparing the trimmed page size with the layout's."""

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def mul(m1: Matrix, m2: Matrix) -> Matrix:
    """``m1 × m2``: apply ``m1`` first, then ``m2`` (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def matrix(values: Any) -> Matrix | None:
    """Six finite numbers as a matrix, None when they are not."""
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        return None
    if len(numbers) != 6 or not all(math.isfinite(n) for n in numbers):
        return None
    return (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])


def box(value: Any) -> Box | None:
    """A box array as (left, bottom, right, top), None when absent."""
    if value is None:
        return None
    try:
        x1, y1, x2, y2 = (float(v) for v in value)
    except (TypeError, ValueError):
        raise Unreadable("a page box is not four numbers") from None
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def inside(inner: Box, outer: Box) -> bool:
    """Whether box ``inner`` lies inside ``outer`` (with rounding slack)."""
    slack = BOX_TOLERANCE_MM * MM
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def mm(points: float) -> float:
    """Points to millimetres."""
    return points / MM


def fmt(value: float) -> str:
    """Millimetres for a message: ``3`` or ``2.5``."""
    text = f"{value:.1f}"
    return text.rstrip("0").rstrip(".") if abs(value - round(value)) < 0.05 else text


@dataclass
class PageBoxes:
    """The boxes of one page, in points."""

    media: Box
    crop: Box
    bleed: Box
    trim: Box
    has_trim: bool
    has_bleed: bool
    rotate: int


def page_boxes(page: pikepdf.Dictionary) -> PageBoxes:
    """The page's boxes, inherited ones and defaults resolved."""
    media = box(inherited(page, "/MediaBox"))
    if media is None:
        raise Unreadable("the page has no MediaBox")
    crop = box(inherited(page, "/CropBox")) or media
    bleed = box(page.get("/BleedBox"))
    trim = box(page.get("/TrimBox"))
    rotate = inherited(page, "/Rotate")
    try:
        turns = int(rotate) % 360 if rotate is not None else 0
    except (TypeError, ValueError):
        turns = 0
    return PageBoxes(
        media=media,
        crop=crop,
        bleed=bleed or crop,
        trim=trim or crop,
        has_trim=trim is not None,
        has_bleed=bleed is not None,
        rotate=turns,
    )


def signature(boxes: PageBoxes) -> str:
    """The trimmed size and bleed of a page, as compared between pages."""
    trim_w, trim_h = mm(boxes.trim[2] - boxes.trim[0]), mm(boxes.trim[3] - boxes.trim[1])
    bleeds = (
        boxes.trim[0] - boxes.bleed[0],
        boxes.trim[1] - boxes.bleed[1],
        boxes.bleed[2] - boxes.trim[2],
        boxes.bleed[3] - boxes.trim[3],
    )
    bleed = "/".join(fmt(mm(b)) for b in bleeds)
    return f"trim {trim_w:.1f} × {trim_h:.1f} mm, bleed {bleed} mm"
