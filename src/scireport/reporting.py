"""Render findings for people (with the offending line), for JSON and for GitHub."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from .errors import Finding
from .sources import UnsafeFile, read_limited

_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional overrides: they make a terminal show text in another order than it is."""


def plain(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` safe to print on a terminal: control characters shown as escapes.

    An escape sequence in a profile (ESC ``]0;...``) would otherwise retitle the window,
    move the cursor or hide the rest of the line. Newlines stay only with ``keep_newlines``.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif unicodedata.category(char) == "Cc" or char in _BIDI:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def markup_free(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` for a Rich markup string: control characters escaped, brackets literal."""
    return escape(plain(text, keep_newlines=keep_newlines))


def summary(findings: list[Finding]) -> str:
    """Return ``N errors, M warnings`` (or ``no problems``)."""
    counts = Counter(f.severity for f in findings)
    if not findings:
        return "no problems found"
    parts = [f"{counts['error']} error{'s' * (counts['error'] != 1)}"]
    parts.append(f"{counts['warning']} warning{'s' * (counts['warning'] != 1)}")
    return ", ".join(parts)


def as_json(findings: list[Finding]) -> str:
    """Findings as a JSON array of objects (file, line, column, path, rule, severity, message).

    Every control character is written as a ``\\u`` escape (DEL and the C1 range too,
    which JSON would allow raw), so the output is safe to show on a terminal.
    """
    text = json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2)
    return _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_RAW_CONTROLS = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def as_github(findings: list[Finding]) -> str:
    """Findings as GitHub Actions workflow annotations, one per line."""

    def clean(text: str) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return plain(text)

    def prop(text: str) -> str:  # a property value also ends at a comma or a colon
        return clean(text).replace(":", "%3A").replace(",", "%2C")

    lines = []
    for f in findings:
        place = f"file={prop(f.file)}"
        if f.line is not None:
            place += f",line={f.line},col={f.column or 1}"
        title = f"{f.rule} {f.path}".strip()
        lines.append(f"::{f.severity} {place},title={prop(title)}::{clean(f.message)}")
    return "\n".join(lines)


def print_human(console: Console, findings: list[Finding], root: Path | None) -> None:
    """Print findings grouped by file, each with its source line and a caret, like a compiler."""
    sources: dict[str, list[str]] = {}
    current = None
    for f in findings:
        if f.file != current:
            current = f.file
            console.print(f"[bold]{markup_free(f.file)}[/]", soft_wrap=True)
        colour = "red" if f.severity == "error" else "yellow"
        path = f" {markup_free(f.path)}:" if f.path else ""
        console.print(
            f"  [{colour}]{markup_free(f.location())}[/]{path} {markup_free(f.message)}"
            f" [dim]\\[{f.rule}][/]",
            highlight=False,
            soft_wrap=True,
        )
        if f.line is None or root is None:
            continue
        if f.file not in sources:
            try:  # the same rules as loading: nothing outside the project is echoed
                raw = read_limited(root / f.file, inside=root)
                sources[f.file] = raw.decode("utf-8").splitlines()
            except (OSError, UnicodeDecodeError, UnsafeFile):
                sources[f.file] = []
        lines = sources[f.file]
        if 0 < f.line <= len(lines):
            line = lines[f.line - 1]
            column = (f.column or 1) - 1
            if f.file.endswith(".csv"):  # a table's column is a field number
                column = field_offset(line, column)
            text, caret = excerpt(line, column)
            console.print(
                f"  [dim]{f.line:>5} |[/] {markup_free(text)}", highlight=False, crop=True
            )
            console.print(f"  [dim]      |[/] {' ' * caret}[{colour}]^[/]")


def field_offset(line: str, field: int) -> int:
    """Index in a CSV ``line`` where its 0-based ``field`` starts (quotes respected)."""
    quoted = False
    current = 0
    for index, char in enumerate(line):
        if current == field:
            return index
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            current += 1
            if current == field:
                return index + 1
    return len(line)


def _cells(text: str) -> int:
    """Terminal columns ``text`` takes (Hangul and other wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def excerpt(line: str, column: int, width: int = 70) -> tuple[str, int]:
    """Cut a long source line to about ``width`` terminal columns around ``column``.

    Returns the text to show and the caret's position in terminal columns, so that the
    caret lands under the right character even after wide characters such as Hangul.
    """
    start = column
    while start > 0 and _cells(line[start - 1 : column]) < width // 3:
        start -= 1
    end = start
    while end < len(line) and _cells(line[start : end + 1]) <= width:
        end += 1
    prefix = "…" if start else ""
    suffix = "…" if end < len(line) else ""
    return prefix + line[start:end] + suffix, len(prefix) + _cells(line[start:column])
