"""Plausibility checks on one profile: facts that are valid types but cannot be right."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Finding
from ..models import PLACEHOLDER, CityProfile
from ..sources import PathKey, YamlDocument

MAX_DENSITY = 60_000
"""Inhabitants per km² above which a city's figures are implausible (densest cities: ~45,000)."""
MIN_DENSITY = 1
"""Inhabitants per km² below which a city's figures are implausible."""
SHARE_TOLERANCE_PCT = 0.6
"""Allowed gap (percentage points) between the given and the computed national share."""


def text_fields(profile: CityProfile) -> list[tuple[PathKey, str]]:
    """Every text of the profile with its field path (both languages of bilingual fields)."""
    return list(profile.printed_texts())


MARKDOWN_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?[^)\n]*\)")
"""Markdown's image syntax ``![alt](path "title")``, which the body does not render."""
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
"""A Markdown code span, where ``![...](...)`` is text meant to be shown."""


def markdown_images(text: str) -> Iterator[tuple[int, int, str, str]]:
    """Every ``![alt](path)`` of the Markdown ``text`` outside code spans:
    (index, length, alt text, path)."""
    blanked = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)
    for match in MARKDOWN_IMAGE.finditer(blanked):
        yield match.start(), len(match.group(0)), match.group(1), match.group(2)


def markdown_image_message(alt: str, path: str, *, in_profile: bool = True) -> str:
    """What a ``markdown-image`` finding says: why, and the ``images:`` entry to write."""
    entry = f"images: [{{path: {path or '...'}" + (f", caption: {alt}" if alt else "") + "}]"
    where = "the profile's" if in_profile else "a city profile's"
    return (
        f"![{alt}]({path}) would print literally: Markdown images are not rendered in the text;"
        f" remove it and list the picture under {where} images: ({entry})"
    )


def markdown_image_findings(doc: YamlDocument, profile: CityProfile) -> list[Finding]:
    """Report Markdown image syntax in the profile's Markdown field (the body), where it
    would print as written, at its line and column."""
    findings = []
    for path, text in text_fields(profile):
        if path[0] != "body":
            continue
        for index, length, alt, target in markdown_images(text):
            findings.append(
                doc.finding(
                    path,
                    "markdown-image",
                    markdown_image_message(alt, target),
                    severity="warning",
                    at=doc.locate_in_value(path, text, index, length),
                )
            )
    return findings


def placeholders(doc: YamlDocument, profile: CityProfile, *, severity: str) -> list[Finding]:
    """Report fields still holding a ``TODO`` placeholder from ``new-city``."""
    return [
        doc.finding(path, "placeholder", "still a placeholder: write this text", severity=severity)
        for path, text in text_fields(profile)
        if text.strip().startswith(PLACEHOLDER)
    ]


def plausibility(doc: YamlDocument, profile: CityProfile) -> list[Finding]:
    """Check the ABOUT figures against each other and against what cities on Earth reach."""
    findings = []
    about = profile.about
    if about.area_km2 and about.population:
        density = about.population / about.area_km2
        if not MIN_DENSITY <= density <= MAX_DENSITY:
            findings.append(
                doc.finding(
                    ("about", "population"),
                    "sanity-density",
                    f"population {about.population:,} on {about.area_km2:,} km² is"
                    f" {density:,.0f} people/km², outside {MIN_DENSITY}-{MAX_DENSITY:,}:"
                    " check the units (km², not ha or m²) and the figures",
                )
            )
    if about.population and about.national_population:
        if about.population > about.national_population:
            findings.append(
                doc.finding(
                    ("about", "national_population"),
                    "sanity-share",
                    "the city's population is larger than the national population:"
                    " check both figures and their years",
                )
            )
        elif about.national_share_pct is not None:
            computed = 100 * about.population / about.national_population
            if abs(computed - about.national_share_pct) > SHARE_TOLERANCE_PCT:
                findings.append(
                    doc.finding(
                        ("about", "national_share_pct"),
                        "sanity-share",
                        f"national share {about.national_share_pct}% does not match"
                        f" population / national population = {computed:.1f}%: correct the"
                        " population, the national population or the share",
                    )
                )
    if about.land_use_pct and sum(about.land_use_pct.values()) > 100.05:
        total = sum(about.land_use_pct.values())
        findings.append(
            doc.finding(
                ("about", "land_use_pct"),
                "sanity-sum",
                f"the shares add up to {total:g}%, more than 100%: correct the shares",
            )
        )
    if about.area_km2 is None and about.population is None and about.national_share_pct is None:
        findings.append(
            doc.finding(
                ("about",),
                "about-no-facts",
                "the ABOUT block has no figures: give at least area_km2 or population",
                severity="warning",
                key=True,
            )
        )
    if not profile.sources:
        findings.append(
            doc.finding(
                ("sources",),
                "sources-missing",
                "no sources: name where the figures come from",
                severity="warning",
            )
        )
    return findings
