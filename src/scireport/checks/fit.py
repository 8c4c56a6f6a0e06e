"""Fit: each city's content must fit the layout's page budget."""

from __future__ import annotations

from ..errors import Finding
from ..layouts import Layout
from ..project import City, Project
from ..sources import PathKey
from ..typeset import Overflow


def anchor_path(slug: str, anchor: str | None) -> tuple[PathKey, str]:
    """Map a template anchor id (``seoul--body-4``) to a field path and a readable name."""
    if not anchor:
        return (), "the end of the page"
    name = anchor.removeprefix(f"{slug}--")
    field, _, number = name.rpartition("-")
    if field and number.isdigit():
        if field == "body":
            return ("body",), f"body paragraph {number}"
        return (field, int(number) - 1), f"{field} item {number}"
    return (name,), name


def overflow_finding(city: City, overflow: Overflow, severity: str) -> Finding:
    """A finding naming the city, the field where the overflow starts and how much is over."""
    path, where = anchor_path(city.slug, overflow.first_id)
    name = city.profile.city if city.profile else city.slug
    return city.doc.finding(
        path,
        "fit-overflow",
        f"{name} runs about {overflow.extra_fraction:g} page(s) over its"
        f" {overflow.budget}-page budget, from {where}: shorten the text"
        " (or build with --allow-overflow)",
        severity=severity,
    )


def check(project: Project, layout: Layout) -> list[Finding]:
    """Lay out every valid city (print edition, nothing written) and report overflows."""
    from ..assemble import Edition
    from ..build import BookBuilder, BuildOptions
    from ..typeset import find_overflow, typesetter_for

    if project.config is None:
        return []
    edition = Edition(name="print", lang=project.config.lang)
    builder = BookBuilder(project, project.config, layout, edition, BuildOptions(), None)
    typesetter = typesetter_for(builder.allowed)
    starts = builder.start_pages({})
    findings = []
    for city in project.cities:
        if city.profile is None:
            continue
        html = builder.templates.city(city.slug, city.profile, starts[city.slug])
        document = typesetter.render(html, layout.root)
        overflow = find_overflow(document, city.slug, builder.budget, builder.content_top)
        if overflow is not None:
            findings.append(overflow_finding(city, overflow, "error"))
    return findings
