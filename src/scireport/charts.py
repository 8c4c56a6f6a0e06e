"""Charts: vector graphics drawn from the data, in the colours the caller gives.

The functions return a :class:`Chart`: its drawing as SVG and its labels. :func:`as_html`
places the drawing as an ``<img>`` with alternative text (WeasyPrint draws it as vectors
and tags it as a Figure with its /Alt in the screen edition) and the labels as text over
it. Colours are CSS colour strings: the assemble stage passes the layout's colours as
``device-cmyk()`` for the print edition and as RGB for the screen, so a print chart has no
RGB in it.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class ChartColours:
    """CSS colours of a chart's parts."""

    series: str
    """The main series (the city): its outline."""
    fill: str
    """The inside of the main series' polygon (opaque: PDF/X-1a allows no transparency)."""
    reference: str
    """The reference series (the average)."""
    grid: str
    """Grid lines and axes."""
    text: str
    """Labels."""


@dataclass(frozen=True)
class ChartFont:
    """The type of a chart's labels."""

    family: str
    """CSS font family list."""
    size_pt: float
    """Label size in points."""


@dataclass(frozen=True)
class Label:
    """A chart label, placed over the drawing as HTML text (SVG text would be drawn in
    transparency groups, which PDF/X-1a forbids, and would not be tagged text)."""

    x: float
    """Anchor point from the chart's left edge, in mm."""
    y: float
    """Baseline of the first line from the chart's top edge, in mm."""
    anchor: str
    """``start``, ``middle`` or ``end``: which side of the text stands at ``x``."""
    lines: tuple[str, ...]
    """The label's lines."""


@dataclass(frozen=True)
class Chart:
    """A chart: its drawing as SVG and its labels."""

    svg: str
    """The drawing (shapes only)."""
    width_mm: float
    """Width of the drawing."""
    height_mm: float
    """Height of the drawing."""
    labels: tuple[Label, ...]
    """Text placed over the drawing."""
    font: ChartFont
    """The labels' type."""
    colour: str
    """The labels' colour."""


def _points(values: Sequence[float], radius: float, cx: float, cy: float) -> str:
    count = len(values)
    coords = []
    for i, fraction in enumerate(values):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        r = radius * max(0.0, min(1.0, fraction))
        coords.append(f"{cx + r * math.cos(angle):.2f},{cy + r * math.sin(angle):.2f}")
    return " ".join(coords)


def _label_lines(label: str, limit: int = 6) -> list[str]:
    """Split a long label at its middle space so that it takes two short lines."""
    if len(label) <= limit or " " not in label:
        return [label]
    middle = len(label) / 2
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return [label[:cut], label[cut + 1 :]]


def radar(
    values: Sequence[float | None],
    labels: Sequence[str],
    *,
    scale: tuple[float, float],
    colours: ChartColours,
    font: ChartFont,
    reference: Sequence[float | None] | None = None,
    width_mm: float = 70,
) -> Chart:
    """A radar chart: one spoke per label, ``values`` as a filled polygon, ``reference``
    (e.g. the average) as a dashed outline, and a ring for every whole step of ``scale``.

    A missing value is drawn at the centre. Sizes are in millimetres (the SVG's units).
    Every shape names its fill, even lines: WeasyPrint paints an unset fill in RGB black.
    Nothing is transparent: the city's area is painted first, the grid over it.
    """
    count = len(labels)
    if count < 3:
        raise ValueError("a radar chart needs at least three areas")
    low, high = scale
    span = high - low

    def fraction(value: float | None) -> float:
        return 0.0 if value is None else (value - low) / span

    height = width_mm * 0.86
    cx, cy = width_mm / 2, height / 2
    line_mm = font.size_pt * 0.3528 * 1.15
    radius = min(width_mm * 0.25, height / 2 - 2.6 * line_mm)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_mm:g}mm"'
        f' height="{height:.2f}mm" viewBox="0 0 {width_mm:g} {height:.2f}">'
    ]
    shape = _points([fraction(v) for v in values], radius, cx, cy)
    parts.append(f'<polygon points="{shape}" fill="{colours.fill}" stroke="none"/>')
    steps = max(1, round(span)) if span >= 1 else 4
    for step in range(1, steps + 1):
        ring = _points([step / steps] * count, radius, cx, cy)
        parts.append(
            f'<polygon points="{ring}" fill="none" stroke="{colours.grid}" stroke-width="0.15"/>'
        )
    for i in range(count):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        parts.append(
            f'<line x1="{cx:.2f}" y1="{cy:.2f}" x2="{x:.2f}" y2="{y:.2f}"'
            f' fill="none" stroke="{colours.grid}" stroke-width="0.15"/>'
        )
    if reference is not None:
        outline = _points([fraction(v) for v in reference], radius, cx, cy)
        parts.append(
            f'<polygon points="{outline}" fill="none" stroke="{colours.reference}"'
            ' stroke-width="0.35" stroke-dasharray="1 0.6"/>'
        )
    parts.append(
        f'<polygon points="{shape}" fill="none" stroke="{colours.series}" stroke-width="0.5"/>'
    )
    placed = []
    for i, label in enumerate(labels):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        x = cx + (radius + 2.2) * math.cos(angle)
        y = cy + (radius + 2.2) * math.sin(angle)
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        lines = tuple(_label_lines(label))
        first = y + line_mm * (0.35 - (len(lines) - 1) * (0.5 - 0.5 * sin))
        placed.append(Label(round(x, 2), round(first, 2), anchor, lines))
    parts.append("</svg>")
    return Chart("".join(parts), width_mm, round(height, 2), tuple(placed), font, colours.text)


def bars(
    values: Sequence[float | None],
    labels: Sequence[str],
    *,
    scale: tuple[float, float],
    colours: ChartColours,
    font: ChartFont,
    reference: Sequence[float | None] | None = None,
    width_mm: float = 70,
) -> Chart:
    """A bar chart, for an index of one or two areas (a radar needs three spokes): one
    bar per label from the bottom of ``scale``, ``reference`` as a dashed mark across
    each bar, the label to the left. A missing value draws an empty bar."""
    low, high = scale
    span = high - low
    line_mm = font.size_pt * 0.3528 * 1.15
    row_mm, bar_mm = 3 * line_mm, 1.6 * line_mm
    left, right = width_mm * 0.38, width_mm - 1
    height = row_mm * len(labels)

    def x_of(value: float) -> float:
        return left + (right - left) * min(1.0, max(0.0, (value - low) / span))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_mm:g}mm"'
        f' height="{height:.2f}mm" viewBox="0 0 {width_mm:g} {height:.2f}">'
    ]
    placed = []
    for i, label in enumerate(labels):
        top = i * row_mm + (row_mm - bar_mm) / 2
        value = values[i]
        if value is not None:
            parts.append(
                f'<rect x="{left:.2f}" y="{top:.2f}" width="{x_of(value) - left:.2f}"'
                f' height="{bar_mm:.2f}" fill="{colours.fill}" stroke="{colours.series}"'
                ' stroke-width="0.5"/>'
            )
        parts.append(
            f'<rect x="{left:.2f}" y="{top:.2f}" width="{right - left:.2f}" height="{bar_mm:.2f}"'
            f' fill="none" stroke="{colours.grid}" stroke-width="0.15"/>'
        )
        mark = reference[i] if reference is not None else None
        if mark is not None:
            x, y1, y2 = x_of(mark), top - 0.8, top + bar_mm + 0.8
            parts.append(
                f'<line x1="{x:.2f}" y1="{y1:.2f}" x2="{x:.2f}" y2="{y2:.2f}"'
                f' fill="none" stroke="{colours.reference}" stroke-width="0.35"'
                ' stroke-dasharray="1 0.6"/>'
            )
        lines = tuple(_label_lines(label, limit=12))
        first = top + bar_mm / 2 + line_mm * (0.35 - (len(lines) - 1) / 2)
        placed.append(Label(0.0, round(first, 2), "start", lines))
    parts.append("</svg>")
    return Chart("".join(parts), width_mm, round(height, 2), tuple(placed), font, colours.text)


def as_html(chart: Chart, alt: str, css_class: str = "chart") -> Markup:
    """The chart as HTML: its drawing as an ``<img>`` with ``alt`` as alternative text and
    its labels as positioned text over it (label lines that are Markup stay as they are)."""
    data = base64.b64encode(chart.svg.encode("utf-8")).decode("ascii")
    size = chart.font.size_pt
    line_mm = size * 0.3528 * 1.15
    out = [
        f'<div class="{html.escape(css_class)}" style="position: relative;'
        f' width: {chart.width_mm:g}mm; height: {chart.height_mm:g}mm">'
        f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}"'
        f' style="position: absolute; left: 0; top: 0; width: {chart.width_mm:g}mm;'
        f' height: {chart.height_mm:g}mm">'
    ]
    box = 30.0
    for label in chart.labels:
        if label.anchor == "start":
            left, align = label.x, "left"
        elif label.anchor == "end":
            left, align = label.x - box, "right"
        else:
            left, align = label.x - box / 2, "center"
        top = label.y - line_mm * 0.8
        text = "<br>".join(str(escape(line)) for line in label.lines)
        out.append(
            f'<div class="chart-label" style="position: absolute; left: {left:.2f}mm;'
            f" top: {top:.2f}mm; width: {box:g}mm; text-align: {align};"
            f" font-size: {size:g}pt; line-height: {line_mm:.2f}mm;"
            f' color: {chart.colour}">{text}</div>'
        )
    out.append("</div>")
    return Markup("".join(out))
