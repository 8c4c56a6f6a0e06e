"""A content-addressed cache of typeset PDFs under the output folder.

An entry's key is a hash of everything that can change the PDF: the document's HTML (which
holds the profile's text, the report settings, the labels and the page number), every file
of the layout, the fonts the layout names (file, size and time), the images the page uses,
the ICC profile, the PDF options, and the scireport and WeasyPrint versions. A stale entry
can therefore never match. Each entry stores the SHA-256 of its PDF, and the PDF's size and
modification time: when both are unchanged the file is taken as written (no re-hashing of a
225 MB cache at W500); otherwise it is hashed, and an entry whose bytes no longer match (a
corrupted or truncated file) is thrown away and typeset again. A build of the whole book
removes the entries it did not use (:meth:`PageCache.collect`).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from . import __version__, weasy
from .files import file_stamps, move_into_place, write_text


@dataclass(frozen=True)
class Entry:
    """A cached PDF and what is known about it."""

    pdf: Path
    """The cached PDF file."""
    pages: int
    """Its page count."""
    meta: dict[str, Any]
    """What typesetting reported (overflow, missing glyphs, refused fetches, links)."""


def digest_files(paths: list[Path], root: Path | None = None) -> str:
    """SHA-256 over the names and bytes of ``paths`` (missing files count as missing).

    Names inside ``root`` are hashed relative to it, so that a key does not change when
    the project is moved or copied to another folder (reproducible builds).
    """
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(_portable_name(path, root).encode())
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


def _portable_name(path: Path, root: Path | None) -> str:
    if root is not None and path.is_relative_to(root):
        return f"<project>/{path.relative_to(root)}"
    return str(path)


def font_files(family: str) -> tuple[str, ...]:
    """Files fontconfig uses for ``family`` (all styles), with size and time, for cache keys.

    Remembered until :func:`forget_fonts` (a build calls it as it starts) or
    :func:`refresh_fonts` (a warm build, while it checks the project), so that each build
    sees the fonts installed or changed since the last.
    """
    found = _LISTED.get(family)
    if found is None:
        found = _LISTED[family] = _list_font_files(family)
    return found


def _list_font_files(family: str) -> tuple[str, ...]:
    try:
        listing = subprocess.run(
            ["fc-list", family, "file"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return ()
    files = sorted({line.split(":")[0].strip() for line in listing.splitlines() if line.strip()})
    described = []
    for name in files:
        try:
            stat = os.stat(name)
            described.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            described.append(f"{name}:missing")
    return tuple(described)


_LISTED: dict[str, tuple[str, ...]] = {}
"""What :func:`font_files` learnt, by family."""


def forget_fonts() -> None:
    """Forget what :func:`font_files` learnt: fonts may have changed since."""
    _LISTED.clear()


def refresh_fonts() -> None:
    """Learn again what :func:`font_files` learnt, for every family it was asked about (a
    warm build runs it in a thread while it checks the project: three ``fc-list`` calls
    took 13 ms of a W50 save)."""
    fresh = {family: _list_font_files(family) for family in list(_LISTED)}
    _LISTED.clear()
    _LISTED.update(fresh)


def known_fonts() -> dict[str, tuple[str, ...]]:
    """What :func:`font_files` knows now (handed to a warm writer with its request)."""
    return dict(_LISTED)


def learn_fonts(known: dict[str, tuple[str, ...]]) -> None:
    """Know ``known`` (:func:`known_fonts` of the build) and nothing else."""
    _LISTED.clear()
    _LISTED.update(known)


def _stat(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


RECORD_FORMAT = 2
"""What a cache record holds; raised when it gains a field the build relies on, so older
entries are misses (2: the outline entries, ``bookmarks``)."""


def environment_key(
    layout_dirs: list[Path], fonts: list[str], extra: list[Path], root: Path | None = None
) -> str:
    """Hash of what every page depends on besides its HTML: layout files, fonts, versions.

    Files inside ``root`` (the project) are named relative to it.
    """
    layout_files = [p for d in layout_dirs for p in d.rglob("*") if p.is_file()]
    parts = {
        "layout": digest_files(layout_files, root),
        "extra": digest_files(extra, root),
        "fonts": [font_files(f) for f in fonts],
        "scireport": __version__,
        "weasyprint": version("weasyprint"),
        "tagging": weasy.TAGGING,
        "format": RECORD_FORMAT,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class PageCache:
    """Typeset PDFs by key, under ``folder`` (``<out>/.cache/<edition>``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rebuilt_corrupt: list[str] = []
        """Keys whose entries were found corrupted and thrown away."""
        self.used: set[str] = set()
        """Names (file stems) of the entries looked up or stored by this build."""

    def sweep(self) -> None:
        """Remove what an interrupted or crashed build left half-written."""
        for leftover in self.folder.glob("*.part"):
            leftover.unlink(missing_ok=True)

    def key(
        self,
        html: str,
        environment: str,
        options: dict[str, Any],
        images: list[Path],
        root: Path | None = None,
    ) -> str:
        """The key of a document: its HTML plus everything else it depends on.

        Where ``root`` (the project folder) appears in the HTML it is replaced by a
        placeholder, and images are named relative to it, so that the same project gives
        the same keys (and so the same PDF ids) wherever it lies.
        """
        if root is not None:
            html = html.replace(root.as_uri(), "<project>").replace(str(root), "<project>")
        h = hashlib.sha256()
        h.update(html.encode())
        h.update(environment.encode())
        h.update(json.dumps(options, sort_keys=True, default=str).encode())
        h.update(digest_files(images, root).encode())
        return h.hexdigest()

    def path(self, key: str) -> Path:
        """Where the PDF of ``key`` lives (or will)."""
        return self.folder / f"{key[:40]}.pdf"

    def lookup(self, key: str) -> Entry | None:
        """Return the intact entry for ``key``, or None (a corrupted one is removed)."""
        pdf, meta_path = self.path(key), self.path(key).with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
            unchanged = isinstance(meta, dict) and meta.get("stat") == _stat(pdf)
            intact = unchanged or (
                isinstance(meta, dict)
                and hashlib.sha256(pdf.read_bytes()).hexdigest() == meta.get("sha256")
            )
        except (OSError, ValueError):
            return None
        if not intact or not _well_formed(meta):
            self.rebuilt_corrupt.append(key)
            pdf.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            return None
        fetched = meta.get("fetched", {})
        if file_stamps(list(fetched)) != fetched:  # a stylesheet, font or image changed
            return None
        self.used.add(pdf.stem)
        return Entry(pdf, meta["pages"], meta)

    def store(self, key: str, produced: Path, pages: int, meta: dict[str, Any]) -> Entry:
        """Move the PDF at ``produced`` into the cache under ``key``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        pdf = self.path(key)
        data = produced.read_bytes()
        record = {**meta, "pages": pages, "sha256": hashlib.sha256(data).hexdigest()}
        record["stat"] = _stat(produced)  # a rename keeps size and time
        move_into_place(produced, pdf)
        self.used.add(pdf.stem)
        write_text(pdf.with_suffix(".json"), json.dumps(record, default=_plain))
        return Entry(pdf, pages, record)

    def collect(self, keep: set[str]) -> int:
        """Remove the entries whose names are not in ``keep``; return how many went."""
        removed = 0
        for pdf in self.folder.glob("*.pdf"):
            if pdf.stem in keep:
                continue
            pdf.unlink(missing_ok=True)
            pdf.with_suffix(".json").unlink(missing_ok=True)
            removed += 1
        for meta in self.folder.glob("*.json"):  # a record whose PDF is gone
            unused = meta.stem not in keep and meta.name != "outputs.json"
            if unused and not meta.with_suffix(".pdf").exists():
                meta.unlink(missing_ok=True)
        return removed


def _well_formed(meta: dict[str, Any]) -> bool:
    """Does a cache entry's record hold what the build reads from it, with the right types?"""
    fetched = meta.get("fetched", {})
    lists = ("missing", "notdef", "refused", "bad_fonts", "links")
    overflow = meta.get("overflow")
    return (
        type(meta.get("pages")) is int
        and meta["pages"] >= 0
        and isinstance(fetched, dict)
        and all(isinstance(v, list) for v in fetched.values())
        and all(isinstance(meta.get(name, []), list) for name in lists)
        and all(isinstance(item, str) for name in lists[:4] for item in meta.get(name, []))
        and all(_is_link(link) for link in meta.get("links", []))
        and isinstance(meta.get("outside", []), list)
        and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
            for pair in meta.get("outside", [])
        )
        and (overflow is None or _is_overflow(overflow))
        and isinstance(meta.get("anchors", {}), dict)
        and isinstance(meta.get("bookmarks", []), list)
        and all(_is_bookmark(mark) for mark in meta.get("bookmarks", []))
        and _is_survey(meta.get("structure", []))
        and isinstance(meta.get("images", []), list)
        and all(isinstance(digest, str) for digest in meta.get("images", []))
    )


def _is_survey(paths: Any) -> bool:
    """Is ``paths`` a structure survey (``structure.survey_structure``): lists of indexes?"""
    return isinstance(paths, list) and all(
        isinstance(path, list) and path and all(type(i) is int and i >= 0 for i in path)
        for path in paths
    )


def _is_bookmark(mark: Any) -> bool:
    return (
        isinstance(mark, list)
        and len(mark) == 3
        and type(mark[0]) is int
        and type(mark[1]) is int
        and isinstance(mark[2], str)
    )


def _is_link(link: Any) -> bool:
    return (
        isinstance(link, list)
        and len(link) == 3
        and type(link[0]) is int
        and isinstance(link[1], list)
        and len(link[1]) == 4
        and all(isinstance(v, int | float) for v in link[1])
        and isinstance(link[2], str)
    )


def _is_overflow(value: Any) -> bool:
    if not isinstance(value, dict) or set(value) != {
        "pages",
        "budget",
        "first_id",
        "extra_fraction",
    }:
        return False
    return (
        type(value["pages"]) is int
        and type(value["budget"]) is int
        and isinstance(value["first_id"], str | None)
        and isinstance(value["extra_fraction"], int | float)
    )


class ImageCache:
    """Converted (CMYK) copies of images, under ``folder`` (``<out>/.cache/cmyk``).

    Each copy is stored with the SHA-256 of its bytes, its size and its modification time
    beside it; a copy whose size and time are unchanged is taken as written (as the page
    cache does), any other is hashed, and one whose bytes no longer match (truncated,
    substituted) is made again, never printed.
    """

    def __init__(self, folder: Path, use: bool = True) -> None:
        self.folder = folder
        self.use = use
        """False (``--no-cache``): every copy is made again."""
        self.made: set[Path] = set()
        """Copies made by this build (so verified once, not on every lookup)."""

    def get(self, key: str, make: Callable[[Path], None]) -> Path:
        """The intact copy for ``key``, made with ``make(path)`` when missing or damaged."""
        target = self.folder / f"{key[:32]}.jpg"
        record = target.with_suffix(".sha256")
        if target in self.made or (self.use and self._intact(target, record)):
            return target
        self.folder.mkdir(parents=True, exist_ok=True)
        make(target)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        write_text(record, " ".join([digest, *map(str, _stat(target))]))
        self.made.add(target)
        return target

    @staticmethod
    def _intact(target: Path, record: Path) -> bool:
        try:
            expected, *stamp = record.read_text("ascii").split()
            if stamp == [str(v) for v in _stat(target)]:
                return True
            return hashlib.sha256(target.read_bytes()).hexdigest() == expected
        except (OSError, ValueError):
            return False


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return str(value)
