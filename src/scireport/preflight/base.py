"""What every part of preflight shares: the collected findings, limits and wording helpers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pikepdf

from ..errors import Finding, Severity

MAX_LISTED = 6
"""Items named in one finding's message before ``and N more``."""

MAX_STREAM_BYTES = 4 * 1024 * 1024
"""Most bytes one stream (content, form, CMap, metadata) may inflate to before preflight
stops reading it. The densest page of the sample book has 30 KB of content."""

MAX_DOCUMENT_BYTES = 512 * 1024 * 1024
"""Most bytes all streams of one file may inflate to, together."""

MAX_OPERATORS = 200_000
"""Most content operators walked for one page, forms drawn several times counted each time
(the sample book's busiest page has about 600). Parsing costs about 5 µs and 500 bytes
per operator, so a page costs at most about a second and 100 MB."""

MAX_DOCUMENT_OPERATORS = 5_000_000
"""Most content operators walked for the whole file."""


class Unreadable(Exception):
    """Raised inside the inspection when a structure cannot be read."""


class Oversized(Unreadable):
    """A stream inflates past its limit, or a page draws too many operators."""


READ_ERRORS: tuple[type[BaseException], ...] = (
    pikepdf.PdfError,
    Unreadable,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    RuntimeError,
    ZeroDivisionError,
    OverflowError,
)
"""Errors pikepdf or malformed objects raise while preflight walks a damaged file."""


def short(value: object, limit: int = 160) -> str:
    """``value`` as one line of at most ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pages_text(pages: list[int], total: int) -> str:
    """``on every page`` / ``on page 3`` / ``on pages 1-4, 7``."""
    if total > 1 and len(pages) == total:
        return "on every page"
    if len(pages) == 1:
        return f"on page {pages[0]}"
    runs: list[str] = []
    start = prev = pages[0]
    for number in [*pages[1:], -1]:
        if number == prev + 1:
            prev = number
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = number
    return "on pages " + ", ".join(runs)


def listing(items: Iterable[str]) -> str:
    """The distinct ``items``, comma separated, at most :data:`MAX_LISTED` of them."""
    unique = list(dict.fromkeys(items))
    shown = ", ".join(unique[:MAX_LISTED])
    if len(unique) > MAX_LISTED:
        shown += f" and {len(unique) - MAX_LISTED} more"
    return shown


@dataclass
class Report:
    """Collects findings about one file."""

    file: str
    """The file's path as the caller gave it."""
    findings: list[Finding] = field(default_factory=list)
    """Findings so far, in the order they were added."""

    def add(self, rule: str, severity: Severity, message: str, page: int | None = None) -> None:
        """Add one finding about the file (``page`` is 1-based, None for the whole file)."""
        self.findings.append(
            Finding(
                file=self.file,
                line=None,
                column=None,
                path="",
                rule=rule,
                severity=severity,
                message=message,
                page=page,
            )
        )
