"""Checks across profiles: the same city twice."""

from __future__ import annotations

from ..errors import Finding
from ..project import Project


def check(project: Project) -> list[Finding]:
    """Report two profiles with the same slug or the same city name."""
    findings: list[Finding] = []
    seen_slug: dict[str, str] = {}
    seen_name: dict[str, str] = {}
    for city in project.cities:
        if city.slug in seen_slug:
            findings.append(
                city.doc.finding(
                    ("slug",) if city.profile and city.profile.slug else (),
                    "cross-duplicate-slug",
                    f"slug {city.slug!r} is also used by {seen_slug[city.slug]}; give each"
                    " city its own slug",
                )
            )
        seen_slug.setdefault(city.slug, city.doc.file)
        if city.profile is None:
            continue
        name = city.profile.city.casefold()
        if name in seen_name:
            findings.append(
                city.doc.finding(
                    ("city",),
                    "cross-duplicate-city",
                    f"city {city.profile.city!r} already has a profile: {seen_name[name]}",
                )
            )
        seen_name.setdefault(name, city.doc.file)
    return findings
