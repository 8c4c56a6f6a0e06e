"""Press craft in a print file: small type in solid single inks, black text overprinted.

A press screens a tint into dots, so small type in K 90 % breaks up at its edges, and type
printed in several inks shows every misregistration of the plates; solid 100 % K text is
expected to overprint (no white gap around it when the plates move). The size limits come
from the layout manifest's ``press:`` (default 12 pt).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ...models import PressSpec
from ..base import short
from ..facts import DocumentFacts, TextRun
from ..registry import Hit, rule

SIZE_SLACK_PT = 0.01
"""Rounding slack: 12 pt type written as 11.9998 pt is not under 12 pt."""

SAMPLE_CHARS = 40
"""Characters of the text quoted in a finding."""


def _press(facts: DocumentFacts) -> PressSpec:
    return facts.manifest.press if facts.manifest is not None else PressSpec()


def _sample(runs: list[TextRun]) -> str:
    text = ""
    for run in runs:
        text += run.text + " "
        if len(text) >= SAMPLE_CHARS:
            break
    return short(text.strip() or "(text without a Unicode mapping)", SAMPLE_CHARS)


def _small_text(
    facts: DocumentFacts, below: float, bad: Callable[[TextRun], bool], what: str, fix: str
) -> Iterator[Hit]:
    """One hit per page: the glyphs under ``below`` pt for which ``bad`` holds."""
    if below <= 0:
        return
    for page in facts.pages:
        if page.content is None:
            continue
        runs = [r for r in page.content.text if r.size_pt < below - SIZE_SLACK_PT and bad(r)]
        if not runs:
            continue
        glyphs = sum(r.glyphs for r in runs)
        colours: dict[str, int] = {}
        for run in runs:
            colours[run.fill.describe()] = colours.get(run.fill.describe(), 0) + run.glyphs
        named = ", ".join(c for c, _ in sorted(colours.items(), key=lambda item: -item[1])[:3]) + (
            f" and {len(colours) - 3} more" if len(colours) > 3 else ""
        )
        smallest = min(r.size_pt for r in runs)
        yield Hit(
            f"{glyphs} glyphs under {below:g} pt (from {smallest:.1f} pt) are printed {what}"
            f" ({named}), e.g. “{_sample(runs)}”; {fix}",
            page.number,
        )


def _tint(run: TextRun) -> bool:
    inks = run.fill.inks
    return bool(inks) and any(value < 0.995 for _, value in inks or ())


def _several_inks(run: TextRun) -> bool:
    return run.fill.inks is not None and len(run.fill.inks) > 1


@rule("pdf-small-text-tint", editions=("print",), severity="warning")
def small_text_tint(facts: DocumentFacts) -> Iterator[Hit]:
    """Text under the layout's ``press.solid_text_below_pt`` (12 pt) is printed in solid inks
    (100 %), not in a tint the press would screen into dots."""
    yield from _small_text(
        facts,
        _press(facts).solid_text_below_pt,
        _tint,
        "in a tint",
        "the press screens tints, so small type breaks up: set it in 100 % K"
        " (device-cmyk(0 0 0 1)) or another solid ink, and keep tints for large type, rules"
        " and areas",
    )


@rule("pdf-small-text-inks", editions=("print",), severity="warning")
def small_text_inks(facts: DocumentFacts) -> Iterator[Hit]:
    """Text under the layout's ``press.one_ink_text_below_pt`` (12 pt) is printed in one ink,
    where misregistration of the plates cannot show."""
    yield from _small_text(
        facts,
        _press(facts).one_ink_text_below_pt,
        _several_inks,
        "in more than one ink",
        "any misregistration of the plates blurs it: set it in 100 % K or one other ink,"
        " and keep mixed colours for large type, rules and areas",
    )


@rule("pdf-overprint", editions=("print",), severity="warning")
def black_text_overprints(facts: DocumentFacts) -> Iterator[Hit]:
    """Solid black text (DeviceCMYK 0 0 0 1) overprints (``/op true`` with ``/OPM 1``), as
    presses expect, so no paper shows around it when the plates move."""
    for page in facts.pages:
        if page.content is None:
            continue
        runs = [r for r in page.content.text if r.fill.solid_black and not r.overprint]
        if runs:
            yield Hit(
                f"{sum(r.glyphs for r in runs)} glyphs of 100 % K text do not overprint, e.g."
                f" “{_sample(runs)}”; black text should overprint (an ExtGState with /OP true"
                " /op true /OPM 1), or a white gap shows around it where the plates move"
                " (scireport build sets it)",
                page.number,
            )
