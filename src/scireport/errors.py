"""Errors and findings: the two ways scireport tells a user something is wrong.

A :class:`UserError` stops a command with one clear message (no traceback); a
:class:`Finding` is one located problem among many, collected and reported together.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


class ScireportError(Exception):
    """Base class of every error scireport raises on purpose."""


class UserError(ScireportError):
    """A problem the user can fix: shown as one message and an exit code, never a traceback."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole, whatever the subclass's constructor takes: an error raised in a
        forked build process (another edition's, see build.write_books) crosses back."""
        return (_rebuilt, (type(self), self.args, self.__dict__))


def _rebuilt(
    kind: type[UserError], args: tuple[object, ...], state: dict[str, object]
) -> UserError:
    """A :class:`UserError` of ``kind`` with these ``args`` and attributes (unpickling)."""
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error


class FindingsError(UserError):
    """A command refused to go on because of findings (e.g. build with validation errors)."""

    def __init__(self, message: str, findings: list[Finding], root: Path | None = None) -> None:
        super().__init__(message, exit_code=1)
        self.findings = findings
        self.root = root
        """Project folder, to show the offending source lines."""


@dataclass(frozen=True)
class Finding:
    """One located problem in an input file or an output PDF."""

    file: str
    """Path of the file, relative to the project folder where possible."""
    line: int | None
    """1-based line of the problem in ``file`` (None when the file has no lines, e.g. a PDF)."""
    column: int | None
    """1-based column of the problem on ``line``."""
    path: str
    """Dotted field path inside the file (``about.population``), or '' for the whole file."""
    rule: str
    """Stable rule id (see docs/rules.md), e.g. ``schema-range``."""
    severity: Severity
    """``error`` stops a build; ``warning`` is reported (and is an error under ``--strict``)."""
    message: str
    """What is wrong and what to do about it."""
    page: int | None = None
    """1-based page number, for findings about a PDF."""
    cell: str | None = None
    """Spreadsheet cell with its sheet (``Scores!C7``), for findings about an XLSX table."""

    def as_dict(self) -> dict[str, object]:
        """Return the finding as a JSON-ready dict (``page`` and ``cell`` only when set)."""
        data = asdict(self)
        for optional in ("page", "cell"):
            if data[optional] is None:
                del data[optional]
        return data

    def location(self) -> str:
        """Return ``file:line:col`` (or ``file:Sheet!C7``, ``file:page N``, ``file``)."""
        if self.cell is not None:
            return f"{self.file}:{self.cell}"
        if self.line is not None:
            return f"{self.file}:{self.line}:{self.column or 1}"
        if self.page is not None:
            return f"{self.file}:page {self.page}"
        return self.file

    def __str__(self) -> str:
        path = f" {self.path}:" if self.path else ""
        return f"{self.location()}{path} {self.message} [{self.rule}]"


def has_errors(findings: list[Finding]) -> bool:
    """Return True when any finding is an error."""
    return any(f.severity == "error" for f in findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Return findings ordered by file, page, line and column, errors first within a spot."""
    return sorted(
        findings,
        key=lambda f: (f.file, f.page or 0, f.line or 0, f.column or 0, f.severity != "error"),
    )
