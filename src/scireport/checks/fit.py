"""Fit: each city's content must fit the layout's page budget (findings from layout results)."""

from __future__ import annotations

from ..errors import Finding
from ..project import City
from ..sources import PathKey


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


def overflow_finding(
    city: City, first_id: str | None, extra_fraction: float, budget: int, severity: str
) -> Finding:
    """A finding naming the city, the field where the overflow starts and how much is over.

    ``first_id`` is the anchor where the overflow starts, ``extra_fraction`` roughly how
    many pages do not fit, ``budget`` the pages the layout allows.
    """
    path, where = anchor_path(city.slug, first_id)
    name = city.profile.city if city.profile else city.slug
    return city.doc.finding(
        path,
        "fit-overflow",
        f"{name} runs about {extra_fraction:g} page(s) over its"
        f" {budget}-page budget, from {where}: shorten the text"
        " (or build with --allow-overflow)",
        severity=severity,
    )
