"""The preflight rule registry: every check is a small unit that declares what it is.

A rule unit has a stable id (``pdf-rgb``), the editions it applies to, its usual severity
and a check: a function of the :class:`~.facts.DocumentFacts` that yields :class:`Hit`
objects. Several units may share an id (``pdf-pdfx`` is checked in the metadata and in the
content). The units register themselves with :func:`rule` when their family module is
imported; :func:`run` applies those of an edition, in registration order, and
``docs/rules.md`` lists them (``scripts/rules_doc.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..errors import Severity
from .base import READ_ERRORS, Report, listing, short
from .facts import ContentFacts, DocumentFacts

EDITIONS = ("print", "screen")


@dataclass(frozen=True)
class Hit:
    """One problem a check found."""

    message: str
    """What is wrong and what to do."""
    page: int | None = None
    """1-based page, None for the whole file."""
    severity: Severity | None = None
    """When it differs from the rule's usual severity."""


Check = Callable[[DocumentFacts], Iterable[Hit]]


def listed_per_page(
    facts: DocumentFacts, items: Callable[[ContentFacts], Iterable[str]]
) -> Iterator[tuple[int, str]]:
    """The page number and the :func:`~.base.listing` of ``items`` for each page whose
    content has any (``lambda content: content.rgb``)."""
    for page in facts.pages:
        found = list(items(page.content)) if page.content is not None else []
        if found:
            yield page.number, listing(found)


@dataclass(frozen=True)
class Rule:
    """One registered check."""

    id: str
    """The rule id findings carry (``pdf-...``)."""
    editions: tuple[str, ...]
    """The editions (``print``, ``screen``) the check runs for."""
    severity: Severity
    """The severity of its findings unless a hit says otherwise."""
    check: Check
    """The check itself."""
    family: str
    """The module (rule family) it belongs to."""

    @property
    def doc(self) -> str:
        """What the check verifies: its docstring, on one line."""
        return " ".join((self.check.__doc__ or "").split())


RULES: list[Rule] = []
"""Every rule unit, in the order findings are reported."""


def rule(
    rule_id: str, *, editions: tuple[str, ...] = EDITIONS, severity: Severity = "error"
) -> Callable[[Check], Check]:
    """Register the decorated check as a rule unit with id ``rule_id``."""
    if not rule_id.startswith("pdf-"):
        raise ValueError(f"preflight rule ids start with 'pdf-', not {rule_id!r}")
    unknown = set(editions) - set(EDITIONS)
    if unknown:
        raise ValueError(f"unknown editions {sorted(unknown)}")

    def register(check: Check) -> Check:
        family = check.__module__.rsplit(".", 1)[-1]
        RULES.append(Rule(rule_id, tuple(editions), severity, check, family))
        return check

    return register


def run(facts: DocumentFacts, report: Report) -> None:
    """Apply every rule of ``facts.edition``; a check that cannot read the file says so."""
    for unit in RULES:
        if facts.edition not in unit.editions:
            continue
        try:
            for hit in unit.check(facts):
                report.add(unit.id, hit.severity or unit.severity, hit.message, page=hit.page)
        except READ_ERRORS as exc:
            report.add(
                "pdf-unreadable",
                "error",
                f"part of the file cannot be read ({short(exc)}); export the PDF again",
            )
