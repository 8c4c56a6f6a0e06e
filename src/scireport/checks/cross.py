"""Checks across profiles: the same city twice, shared text and text about another city.

Duplicated text is found with hashed word shingles: every run of :data:`SHINGLE_WORDS`
consecutive words of every paragraph is hashed once, the hashes seen in more than one
profile are collected with set operations, and only the paragraphs holding such a hash
are looked at closely. The work grows with the amount of text, not with the number of
pairs of profiles.

Wrong-city detection reuses those words: each distinct word of the project is matched
once against an index of every city's names, so a profile only counts the few names that
may occur in it, never every other city's.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate, compress, count

from ..errors import Finding
from ..models import CityProfile
from ..project import City, Project
from ..sources import PathKey, Position, dotted
from .sanity import text_fields

SHINGLE_WORDS = 8
"""Words per shingle: runs shorter than this are never compared."""
MIN_SHARED_WORDS = 12
"""A shared run of words this long is duplicated text (shorter runs only count when they
make up a whole paragraph of at least :data:`SHINGLE_WORDS` words)."""
BOILERPLATE_PROFILES = 3
"""A run of words found in more profiles than this is the report's boilerplate, not a copy."""
_SKIPPED_FIELDS = {"city", "country", "sources"}
"""Fields that are names or citations, not prose: never compared or counted."""

_WORD = re.compile(r"\w+")
_ASCII_WORD = re.compile(r"[0-9a-z_]+")
_TOKEN = re.compile(r"\S+")
_NO_NAMES: frozenset[str] = frozenset()
_FIELD_BREAK = "\n\x00\n"
"""Between two fields in one string: no name or word can run across it."""
_FIELD_WORD = _FIELD_BREAK.strip()
"""The word :data:`_FIELD_BREAK` makes between two fields' words."""
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def check(project: Project) -> list[Finding]:
    """Run every cross-profile check: same slug or city, duplicated text, wrong city."""
    cities = [c for c in project.cities if c.profile is not None]
    texts = [_tokenise(city) for city in cities]
    return (
        duplicate_ids(project)
        + slugs_and_order(project)
        + duplicated_text(texts)
        + wrong_city(texts)
    )


def slugs_and_order(project: Project) -> list[Finding]:
    """Slugs taken from file names must be usable; ``order`` must name known cities once."""
    from ..models import SLUG_RE

    findings = []
    for city in project.cities:
        if not SLUG_RE.match(city.slug):
            findings.append(
                city.doc.finding(
                    (),
                    "slug-invalid",
                    f"the file name gives the slug {city.slug!r}, which is not lowercase ASCII"
                    " letters, digits and hyphens: rename the file or set slug:",
                )
            )
    if project.config is None:
        return findings
    known = {city.slug for city in project.cities}
    seen: set[str] = set()
    for i, slug in enumerate(project.config.order):
        if slug in seen:
            message = f"{slug!r} is listed twice in order: remove one"
        elif slug not in known and not project.partial:
            close = difflib.get_close_matches(slug, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            message = f"no profile has the slug {slug!r}{hint}"
        else:
            seen.add(slug)
            continue
        seen.add(slug)
        findings.append(project.config_doc.finding(("order", i), "config-order", message))
    return findings


def duplicate_ids(project: Project) -> list[Finding]:
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
                    f"city {city.profile.city!r} already has a profile: {seen_name[name]};"
                    " merge the two profiles or delete one",
                )
            )
        seen_name.setdefault(name, city.doc.file)
    return findings


def prose(profile: CityProfile) -> list[tuple[PathKey, str]]:
    """The profile's own writing: every text field except names and sources."""
    return [(path, text) for path, text in text_fields(profile) if path[0] not in _SKIPPED_FIELDS]


def paragraphs(text: str) -> list[tuple[int, str]]:
    """Split ``text`` at blank lines; return each paragraph with its index in ``text``."""
    out: list[tuple[int, str]] = []
    start = 0
    for blank in (*_BLANK_LINE.finditer(text), None):
        end = blank.start() if blank else len(text)
        chunk = text[start:end]
        stripped = chunk.lstrip()
        if stripped.strip():
            out.append((start + len(chunk) - len(stripped), stripped.rstrip()))
        if blank:
            start = blank.end()
    return out


# --- duplicated text ----------------------------------------------------------------------


@dataclass(eq=False)
class _Paragraph:
    """One paragraph of one text field, with the hashes of its shingles in order."""

    city: City
    path: PathKey
    number: int
    """1-based paragraph number within the field (0 when the field has one paragraph)."""
    field_text: str
    start: int
    """Index of the paragraph in ``field_text``."""
    hashes: list[int] = field(default_factory=list)

    def where(self) -> str:
        """``body.ko, paragraph 2`` (or just the field when it has one paragraph)."""
        return dotted(self.path) + (f", paragraph {self.number}" if self.number else "")

    def position(self, word: int = 0) -> Position:
        """Where the paragraph's ``word``-th word (0: its start) is in the profile's source."""
        end = self.field_text.find("\n\n", self.start)
        text = self.field_text[self.start : end if end >= 0 else len(self.field_text)]
        found = None
        for number, match in enumerate(_TOKEN.finditer(text)):
            found = match
            if number == word:
                break
        if found is None or word == 0:
            index, length = 0, len(text.split(maxsplit=1)[0]) if text.strip() else 1
        else:
            index, length = found.span()[0], len(found.group())
        return self.city.doc.locate_in_value(self.path, self.field_text, self.start + index, length)


def _shingles(words: list[str]) -> list[int]:
    """Hash every run of SHINGLE_WORDS consecutive words, in order."""
    runs = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)
    return list(map(hash, runs))


@dataclass(eq=False)
class _Text:
    """A profile's prose, read once for both text checks."""

    city: City
    fields: list[tuple[PathKey, str]]
    """The prose fields (see :func:`prose`)."""
    stream: list[int]
    """The shingle hash at each word of the prose read as one run of words (the fields
    separated by a word of their own, so no shingle spans two fields; some span two
    paragraphs of a field: harmless)."""
    words: set[str]
    """Every word of the profile's prose, case-folded."""
    joined: str
    """The prose fields in one string, separated by :data:`_FIELD_BREAK`."""
    starts: list[int]
    """Index in ``joined`` where each field starts."""
    layout: list[tuple[int, int, int, int, int]]
    """Every paragraph long enough to shingle: (field number, paragraph number, index in
    the field's text, index of its first word in the run, its number of words)."""

    def field_at(self, index: int) -> tuple[PathKey, str, int]:
        """The field holding ``joined[index]``: its path, text and the index in that text."""
        number = bisect.bisect_right(self.starts, index) - 1
        path, text = self.fields[number]
        return path, text, index - self.starts[number]

    def paragraphs(self) -> list[_Paragraph]:
        """Every paragraph long enough to shingle, with its own shingles (the slow path):
        the hashes of the run that lie wholly inside the paragraph, hashed once."""
        out = []
        for field_number, number, start, first, words in self.layout:
            path, text = self.fields[field_number]
            hashes = self.stream[first : first + words - SHINGLE_WORDS + 1]
            out.append(_Paragraph(self.city, path, number, text, start, hashes))
        return out


def _tokenise(city: City) -> _Text:
    """Read a profile's prose as one run of words: its words and shingle hashes.

    Words are what lies between spaces, case-folded, punctuation and all: a copy made
    word for word has the same words, and splitting at spaces is twice as fast as a
    regex (this is the hot loop of validate). Each paragraph is split on its own (the
    words are the same as the whole field's: paragraphs part at blank lines), so the
    slow path of :func:`duplicated_text` finds its shingles in the run, not hashing again.
    """
    assert city.profile is not None
    fields = prose(city.profile)
    joined = _FIELD_BREAK.join(text for _, text in fields)
    starts = list(accumulate((len(text) + len(_FIELD_BREAK) for _, text in fields), initial=0))
    tokens: list[str] = []
    layout = []
    for field_number, (_, text) in enumerate(fields):
        if field_number:
            tokens.append(_FIELD_WORD)
        parts = paragraphs(text)
        for number, (start, para) in enumerate(parts, 1):
            words = para.casefold().split()
            if len(words) >= SHINGLE_WORDS:
                layout.append(
                    (field_number, number if len(parts) > 1 else 0, start, len(tokens), len(words))
                )
            tokens += words
    stream = _shingles(tokens)
    return _Text(city, fields, stream, set(tokens), joined, starts[:-1], layout)


def _longest_run(positions: list[int]) -> tuple[int, int]:
    """Start and length of the longest run of consecutive integers in sorted ``positions``."""
    best_start, best = 0, 0
    start, previous = 0, -2
    for pos in positions:
        if pos != previous + 1:
            start = pos
        if pos - start + 1 > best:
            best_start, best = start, pos - start + 1
        previous = pos
    return best_start, best


def duplicated_text(texts: list[_Text]) -> list[Finding]:
    """Report paragraphs (or long runs of words) that two profiles share, in both files."""
    seen: set[int] = set()
    shared: set[int] = set()
    for text in texts:  # one pass of C-level set operations
        shared |= seen.intersection(text.stream)
        seen.update(text.stream)
    if not shared:
        return []  # no shingle is in two profiles
    profiles_with: Counter[int] = Counter()
    for text in texts:
        profiles_with.update(shared.intersection(text.stream))
    shared -= {h for h, n in profiles_with.items() if n > BOILERPLATE_PROFILES}
    first: dict[int, _Paragraph] = {}
    findings: list[Finding] = []
    for text in texts:
        if shared.isdisjoint(text.stream):
            continue
        for para in text.paragraphs():
            if shared.isdisjoint(para.hashes):
                continue
            matches: dict[int, tuple[_Paragraph, list[int]]] = {}
            hashes = para.hashes
            for i in compress(count(), map(shared.__contains__, hashes)):  # C-level filter
                owner = first.setdefault(hashes[i], para)
                if owner.city is not para.city:
                    matches.setdefault(id(owner), (owner, []))[1].append(i)
            for owner, positions in matches.values():
                first_at, run = _longest_run(positions)
                words = run + SHINGLE_WORDS - 1
                whole = run >= min(len(para.hashes), len(owner.hashes))
                if words >= MIN_SHARED_WORDS or whole:
                    owner_at = owner.hashes.index(para.hashes[first_at])
                    findings += _pair((para, first_at), (owner, owner_at), words)
    return findings


def _pair(here: tuple[_Paragraph, int], there: tuple[_Paragraph, int], words: int) -> list[Finding]:
    """One finding in each of the two files, at the shared run's first word, each naming
    the other file and line."""
    spots = [(para, para.position(word)) for para, word in (here, there)]
    out = []
    for (mine, pos), (other, other_pos) in (spots, spots[::-1]):
        out.append(
            mine.city.doc.finding(
                mine.path,
                "cross-duplicate-text",
                f"{'paragraph ' + str(mine.number) if mine.number else 'this text'} repeats"
                f" {words} words of {other.city.doc.file}:{other_pos.line} ({other.where()})"
                " word for word; each city's profile needs its own text: rewrite one of them",
                at=pos,
            )
        )
    return out


# --- wrong city ---------------------------------------------------------------------------


@dataclass
class _Names:
    """Every city's names, indexed for a quick look-up from a profile's words.

    Each name is indexed by its longest word (``angeles`` for City of Los Angeles): an
    ASCII word must occur whole in a profile's word (``seoul's``, ``la의``), any other at the
    start of one (``서울은``), looked up by its first two letters. Each distinct word of the
    project is classified once, so a profile costs a few set operations.
    """

    by_word: dict[str, set[str]] = field(default_factory=dict)
    """Names by their longest word, when it is ASCII (case-folded)."""
    by_prefix: dict[str, set[str]] = field(default_factory=dict)
    """Names by the first two letters of their longest word, when it is not ASCII."""
    keys: dict[str, str] = field(default_factory=dict)
    """Name -> its longest word, for the names in :attr:`by_prefix`."""
    owners: dict[str, set[int]] = field(default_factory=dict)
    """Name -> indexes of the cities it names."""
    naming: dict[str, frozenset[str]] = field(default_factory=dict)
    """Profile word -> the names it may be part of (only words that may be)."""
    known: set[str] = field(default_factory=set)
    """Profile words already classified."""

    def add(self, name: str, owner: int) -> None:
        """Index ``name`` as a name of city number ``owner``."""
        words = _WORD.findall(name.casefold())
        if not words or len(name.strip()) < 2:
            return
        key = max(words, key=len)
        if key.isascii():
            self.by_word.setdefault(key, set()).add(name)
        elif len(key) >= 2:
            self.by_prefix.setdefault(key[:2], set()).add(name)
            self.keys[name] = key
        else:
            return
        self.owners.setdefault(name, set()).add(owner)

    def candidates(self, words: set[str]) -> set[str]:
        """Names that may occur in a text made of (case-folded) ``words``.

        A name occurs only where its longest word starts a run of letters: a name looked up
        by its first two letters counts only when the whole word starts the run (most
        Korean words that share two letters with a city's name are not that name).
        """
        new = words - self.known
        if new:
            self.known |= new
            keys = self.keys
            for word in new:
                found: set[str] = set()
                if word.isalnum() and min(word) > "\x7f":
                    # The common case, checked in C: one run of letters, none of them ASCII
                    # (서울은): the run is the word, and it holds no ASCII word.
                    runs = [word]
                else:
                    runs = _WORD.findall(word)
                    for run in _ASCII_WORD.findall(word):
                        found |= self.by_word.get(run, _NO_NAMES)
                for run in runs:
                    for name in self.by_prefix.get(run[:2], _NO_NAMES):
                        if run.startswith(keys[name]):
                            found.add(name)
                if found:
                    self.naming[word] = frozenset(found)
        out: set[str] = set()
        for word in words & self.naming.keys():
            out |= self.naming[word]
        return out


@dataclass
class _Mention:
    """Where a city is first named in a profile, and how often."""

    count: int
    path: PathKey
    text: str
    index: int
    length: int


def _names_of(profile: CityProfile) -> list[str]:
    return [profile.city, *([profile.native_name] if profile.native_name else []), *profile.aliases]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _is_latin_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _spans(name: str, text: str) -> list[tuple[int, int]]:
    """Where ``name`` occurs in ``text`` (exact case; any whitespace between its words)."""
    first, *rest = name.split()
    out = []
    find = text.find
    at = find(first)
    while at >= 0:
        end = at + len(first)
        for part in rest:
            after = end
            while after < len(text) and text[after].isspace():
                after += 1
            if after == end or not text.startswith(part, after):
                break
            end = after + len(part)
        else:
            out.append((at, end))
        at = find(first, at + 1)
    return out


def _matches(candidates: set[str], text: str) -> list[tuple[int, int, str]]:
    """Mentions (start, end, name) of ``candidates`` in ``text``; the longest name wins.

    A name must start a word; a name ending in a Latin letter or digit must not run on
    into more Latin letters or digits (LAPD is not LA). Korean particles may follow any
    name: 서울은, 서울의, LA의.
    """
    found = []
    for name in candidates:
        ascii_end = name[-1].isascii()
        for start, end in _spans(name, text):
            if start > 0 and _is_word_char(text[start - 1]):
                continue
            if ascii_end and end < len(text) and _is_latin_word_char(text[end]):
                continue
            found.append((start, end, name))
    found.sort(key=lambda item: (item[0], item[0] - item[1]))
    kept = []
    last_end = -1
    for start, end, name in found:
        if start >= last_end:
            kept.append((start, end, name))
            last_end = end
    return kept


def wrong_city(texts: list[_Text]) -> list[Finding]:
    """Report a profile whose text names another profile's city more often than its own."""
    names = _Names()
    for index, text in enumerate(texts):
        assert text.city.profile is not None
        for name in _names_of(text.city.profile):
            names.add(name, index)
    findings: list[Finding] = []
    for index, text in enumerate(texts):
        candidates = names.candidates(text.words)
        if not any(names.owners[n] - {index} for n in candidates):
            continue
        mentions: dict[int, _Mention] = {}
        for start, end, name in _matches(candidates, text.joined):
            owners = names.owners[name]
            for owner in {index} if index in owners else owners:
                if owner in mentions:
                    mentions[owner].count += 1
                else:
                    path, field_text, local = text.field_at(start)
                    mentions[owner] = _Mention(1, path, field_text, local, end - start)
        own = mentions.pop(index, None)
        own_count = own.count if own else 0
        if not mentions:
            continue
        other, mention = max(mentions.items(), key=lambda item: (item[1].count, -item[0]))
        if mention.count <= own_count:
            continue
        findings.append(_wrong_city_finding(text.city, texts[other].city, mention, own_count))
    return findings


def _wrong_city_finding(city: City, other: City, mention: _Mention, own_count: int) -> Finding:
    assert city.profile is not None and other.profile is not None
    doc = city.doc
    pos = doc.locate_in_value(mention.path, mention.text, mention.index, mention.length)
    named = mention.text[mention.index : mention.index + mention.length]
    return doc.finding(
        mention.path,
        "cross-wrong-city",
        f"the text names {other.profile.city} ({other.doc.file}) {mention.count} times, first"
        f" here ({named!r}), but {city.profile.city} only {own_count}; it looks like"
        f" {other.profile.city}'s text: write {city.profile.city}'s own",
        at=pos,
    )
