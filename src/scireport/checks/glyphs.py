"""Glyph checks: every character of every printed text is in one of the layout's fonts.

A character no font of the layout covers prints as an empty box (or, with fontconfig's
fallback, in a font the designer did not choose). Each family is resolved to its font
file with one ``fc-match`` call, which also returns the charset fontconfig computed from
the font's character map (the very coverage Pango consults when WeasyPrint lays text
out). When fc-match gives no charset, the file's cmap is read with fontTools instead
(identical for Noto Sans CJK KR, and about 90 ms slower for its 65,000 glyphs). Both are
cached for the life of the process.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import Finding, Severity
from ..project import CONFIG_NAME, Project
from ..sources import PathKey, YamlDocument, load_yaml
from .sanity import text_fields

FC_MATCH_TIMEOUT_S = 10
"""Longest wait for ``fc-match`` (a cold fontconfig cache can take a few seconds)."""

_FONT_FILES: dict[str, tuple[str, int] | str] = {}
"""Cache: family -> (font file, face index), or why it could not be resolved."""
_CHARSETS: dict[tuple[str, int], frozenset[str]] = {}
"""fontconfig's charset of each font file fc-match returned, when it gave one."""
_COVERAGE: dict[tuple[str, int], frozenset[str] | str] = {}
"""Cache: (font file, face index) -> characters it maps to a glyph, or why it is unreadable."""
_RANGES: dict[tuple[str, int], tuple[tuple[int, int], ...]] = {}
"""The ranges of code points of each charset in :data:`_CHARSETS`, as fontconfig gave them."""


@dataclass
class Coverage:
    """The characters the layout's fonts cover, and the fonts that could not be used."""

    chars: frozenset[str] = frozenset()
    """Union of the characters covered by every usable font."""
    ranges: tuple[tuple[int, int], ...] | None = None
    """The same as ranges of code points (first, last), sorted and merged, when every
    usable font's coverage came from fontconfig (as ranges); None otherwise."""
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    """(index in ``fonts``, family, what is wrong) for each unusable family."""


def exempt(char: str) -> bool:
    """True for characters that print no glyph: whitespace and format controls (ZWJ, ...)."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def font_file(family: str) -> tuple[str, int] | str:
    """Resolve ``family`` to (font file, face index) with fc-match, or say what is wrong."""
    if family not in _FONT_FILES:
        _FONT_FILES[family] = _fc_match(family)
    return _FONT_FILES[family]


def _fc_match(family: str) -> tuple[str, int] | str:
    pattern = "".join("\\" + c if c in "\\-:," else c for c in family)
    try:
        result = subprocess.run(
            ["fc-match", "--format", "%{file}\t%{index}\t%{family}\t%{charset}\n", pattern],
            capture_output=True,
            text=True,
            timeout=FC_MATCH_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        return "fc-match (fontconfig) is not installed, so fonts cannot be checked"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"fc-match failed: {exc}"
    parts = result.stdout.splitlines()[0].split("\t") if result.stdout.strip() else []
    if result.returncode != 0 or len(parts) != 4:
        return f"fc-match found no font for {family!r}"
    path, index, names, charset = parts
    wanted = family.casefold()
    if wanted not in (n.strip().casefold() for n in names.split(",")):
        return (
            f"font family {family!r} is not installed (fontconfig would use {names.split(',')[0]}"
            " instead); install it or name an installed family"
        )
    try:
        face = int(index) & 0xFFFF  # the high bits number a variable font's named instance
    except ValueError:
        face = 0
    ranges = charset_ranges(charset)
    if ranges:
        _CHARSETS[(path, face)] = chars_of(ranges)
        _RANGES[(path, face)] = ranges
    return path, face


def charset_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """Code point ranges (first, last) of a fontconfig charset (``20-7e a0 ac00-d7a3``);
    empty if malformed."""
    ranges = []
    try:
        for part in text.split():
            low, _, high = part.partition("-")
            ranges.append((int(low, 16), int(high or low, 16)))
    except ValueError:
        return ()
    return tuple(ranges)


def chars_of(ranges: tuple[tuple[int, int], ...]) -> frozenset[str]:
    """Every character of the code point ``ranges``."""
    chars: set[str] = set()
    for low, high in ranges:
        chars.update(map(chr, range(low, high + 1)))
    return frozenset(chars)


def covered_chars(path: str, face: int) -> frozenset[str] | str:
    """Characters the font maps to a real glyph (not .notdef), or why it cannot be read."""
    key = (path, face)
    if key not in _COVERAGE:
        _COVERAGE[key] = _CHARSETS.get(key) or read_cmap(path, face)
    return _COVERAGE[key]


def read_cmap(path: str, face: int) -> frozenset[str] | str:
    """Characters the font file's cmap maps to a real glyph, read with fontTools."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=face, lazy=True) as font:
            # Numbered glyph names: fontTools would otherwise build every glyph's real name
            # (slow for a CJK font's 65,000 glyphs) just to fill in the character map.
            glyphs = font["maxp"].numGlyphs
            font.setGlyphOrder([f"g{i}" for i in range(glyphs)])
            cmap = font.getBestCmap() or {}
            return frozenset(chr(code) for code, name in cmap.items() if name != "g0")
    except Exception as exc:  # fontTools raises many kinds of errors for broken fonts.
        return f"cannot read font file {path}: {exc or type(exc).__name__}"


def coverage(fonts: list[str]) -> Coverage:
    """Resolve the layout's font families and merge what they cover."""
    result = Coverage()
    covers: list[frozenset[str]] = []
    ranges: list[tuple[int, int]] | None = []
    for index, family in enumerate(fonts):
        found = font_file(family)
        if isinstance(found, str):
            result.problems.append((index, family, found))
            continue
        covered = covered_chars(*found)
        if isinstance(covered, str):
            result.problems.append((index, family, covered))
            continue
        covers.append(covered)
        known = _RANGES.get(found) if covered is _CHARSETS.get(found) else None
        ranges = None if ranges is None or known is None else ranges + list(known)
    # One font (the common case) is its own union: no copy of its 45,000 characters.
    result.chars = covers[0] if len(covers) == 1 else frozenset[str]().union(*covers)
    result.ranges = None if ranges is None else _merged(ranges)
    return result


def _merged(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted ``ranges`` with overlapping and adjacent ones joined."""
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(high, out[-1][1]))
        else:
            out.append((low, high))
    return tuple(out)


@lru_cache(maxsize=8)
def uncovered_pattern(chars: frozenset[str]) -> re.Pattern[str]:
    """A regex matching any character outside ``chars`` that is not whitespace.

    Only the Basic Multilingual Plane goes into the character class (with a character
    above U+FFFF in it, ``re`` falls back to a slow list of ranges), so every character
    above U+FFFF matches: a match is a candidate, checked against ``chars`` itself.
    """
    codes = sorted(code for code in map(ord, chars) if code <= 0xFFFF)
    ranges = []
    start = previous = -2
    for code in (*codes, -1):
        if code != previous + 1:
            if start >= 0:
                ranges.append((start, previous))
            start = code
        previous = code
    return ranges_pattern(tuple(ranges))


@lru_cache(maxsize=8)
def ranges_pattern(ranges: tuple[tuple[int, int], ...]) -> re.Pattern[str]:
    """:func:`uncovered_pattern` of the characters of sorted, merged code point ``ranges``."""
    parts = []
    for start, end in ranges:
        if start > 0xFFFF:
            break
        end = min(end, 0xFFFF)
        low, high = re.escape(chr(start)), re.escape(chr(end))
        parts.append(low if start == end else f"{low}-{high}")
    return re.compile(f"[^{''.join(parts)}\\s]")


def check(project: Project, fonts: list[str], layout_dirs: list[Path]) -> list[Finding]:
    """Report every printed character that none of the layout's ``fonts`` covers."""
    cover = coverage(fonts)
    findings = _font_problems(project, cover, layout_dirs)
    if len(cover.problems) == len(fonts):
        return findings  # nothing to check against
    sources: list[tuple[YamlDocument, list[tuple[PathKey, str]]]] = []
    if project.config is not None:
        sources.append((project.config_doc, list(project.config.printed_texts())))
    for city in project.cities:
        if city.profile is not None:
            sources.append((city.doc, text_fields(city.profile)))
    uncovered = (
        uncovered_pattern(cover.chars) if cover.ranges is None else ranges_pattern(cover.ranges)
    )
    families = ", ".join(fonts)
    for doc, texts in sources:
        if not uncovered.search("\n".join(text for _, text in texts)):
            continue  # the common case: one regex scan of the whole document
        for path, text in texts:
            missing = sorted(c for c in set(text) - cover.chars if not exempt(c))
            for char in missing:
                at = doc.locate_in_value(path, text, text.index(char))
                name = unicodedata.name(char, "")
                findings.append(
                    doc.finding(
                        path,
                        "glyph-missing",
                        f"character {char!r} (U+{ord(char):04X}{' ' + name if name else ''})"
                        f" is in none of the layout's fonts ({families}) and would print as"
                        " an empty box; replace it, or add a font that has it to the layout",
                        at=at,
                    )
                )
    return findings


def _font_problems(project: Project, cover: Coverage, layout_dirs: list[Path]) -> list[Finding]:
    """Findings for families that could not be resolved, at ``fonts`` in the manifest."""
    if not cover.problems:
        return []
    doc = _manifest_with_fonts(project.root, layout_dirs)
    out = []
    for index, _family, problem in cover.problems:
        severity: Severity = "warning" if "not installed, so" in problem else "error"
        if doc is None:
            out.append(
                Finding(CONFIG_NAME, 1, 1, "layout", "glyph-font-missing", severity, problem)
            )
        else:
            path = ("fonts", index) if ("fonts", index) in doc.values else ()
            out.append(doc.finding(path, "glyph-font-missing", problem, severity=severity))
    return out


def _manifest_with_fonts(root: Path, layout_dirs: list[Path]) -> YamlDocument | None:
    """The first manifest of the layout chain that sets ``fonts``."""
    from ..layouts import MANIFEST_NAME
    from ..project import display_path

    first = None
    for folder in layout_dirs:
        path = folder / MANIFEST_NAME
        doc = load_yaml(path, display_path(path, root))
        first = first or doc
        if ("fonts",) in doc.values:
            return doc
    return first
