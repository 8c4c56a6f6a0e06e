"""What a page's content facts depend on, as one digest (the key of the facts store).

A page's :class:`~.facts.ContentFacts` are a function of its content streams, the resources
they draw (fonts, images, forms, patterns, graphics states, colour spaces, shadings) and its
transparency group, and of nothing else: the boxes are read afresh on every preflight, and
so is every font's :class:`~.fonts.FontInfo`. :class:`PageDigester` hashes exactly that
input: streams by their raw (still encoded) bytes and their dictionaries, every object
reached from the resources, recursively. Of a font it hashes only what decides how shown
bytes split into glyphs and which draw ``.notdef`` (type, names, encoding, CID-to-GID map,
whether a program is embedded), not its program, widths or ToUnicode map: a stitched book
subsets each font anew over the glyphs of every part, and that must not make the unchanged
pages look new. The text of shown codes is looked up in the current font when a rule asks.

Keys that only number things for the structure tree (``/StructParent(s)``) are left out
(the screen book re-keys them when a part before changes its count), and so are
``/Length`` (the raw bytes are hashed) and ``/Parent``. A page whose resources form a
cycle, nest deeper than :data:`MAX_DEPTH`, use a direct font dictionary or two font
objects alike in every hashed respect gets no digest: it is always read afresh.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pikepdf

from ..pdfobjects import inherited
from .base import READ_ERRORS

MAX_DEPTH = 48
"""Deepest nesting of objects hashed; a page past it is not cached."""

SKIPPED_KEYS = frozenset({"/Length", "/Parent", "/StructParent", "/StructParents"})
"""Dictionary keys that do not change what preflight reads of the content."""

FONT_PROGRAMS = ("/FontFile", "/FontFile2", "/FontFile3")


ObjId = tuple[int, int]
"""An indirect object's number and generation."""


class Uncacheable(Exception):
    """The page's inputs cannot be hashed faithfully (it is read afresh instead)."""


DIGEST_ERRORS: tuple[type[BaseException], ...] = (Uncacheable, RecursionError, *READ_ERRORS)
"""What hashing a page may raise: the page is then not cached."""


class PageDigester:
    """Digests of the pages of one open file, each shared object hashed once."""

    def __init__(self, salt: bytes) -> None:
        self.salt = salt
        """What else the facts depend on (the edition, the facts' format)."""
        self.memo: dict[tuple[str, int, int], tuple[bytes, dict[bytes, ObjId]]] = {}
        """Each indirect object hashed so far: its digest and the fonts it reaches."""
        self.font_memo: dict[ObjId, bytes] = {}
        """Digest of each font dictionary hashed so far."""
        self.fonts: dict[bytes, ObjId] = {}
        """Font digest -> the font object, for the page being hashed."""
        self.reached: list[dict[bytes, ObjId]] = []
        """The fonts reached beneath each indirect object being hashed (innermost last)."""
        self.active: set[tuple[str, int, int]] = set()

    def page(self, page: Any) -> tuple[str, dict[bytes, ObjId]] | None:
        """The digest of ``page``'s content facts and the fonts its resources reach
        (font digest -> object id), or None when the page is not to be cached."""
        self.fonts, self.reached, self.active = {}, [], set()
        h = hashlib.sha256(self.salt)
        try:
            contents = page.get("/Contents")
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            h.update(b"C")
            for stream in streams:
                if contents is None:
                    break
                if not isinstance(stream, pikepdf.Stream):
                    raise Uncacheable("content that is not a stream")
                h.update(self.digest(stream, 0))
            h.update(b"R")
            h.update(self.resources(inherited(page, "/Resources"), 0))
            h.update(b"G")
            h.update(self.digest(page.get("/Group"), 0))
        except DIGEST_ERRORS:
            return None
        return h.hexdigest(), self.fonts

    def note_font(self, digest: bytes, key: ObjId) -> None:
        """Record that the page reaches font ``key`` (whose digest is ``digest``)."""
        if self.fonts.setdefault(digest, key) != key:
            raise Uncacheable("two fonts alike in every hashed respect")
        for reached in self.reached:
            reached[digest] = key

    def resources(self, resources: Any, depth: int) -> bytes:
        """The digest of a resource dictionary, fonts hashed as :meth:`font` does."""
        if not isinstance(resources, pikepdf.Dictionary):
            return self.digest(resources, depth)
        return self._memoised("r", resources, depth, self._resources)

    def _resources(self, resources: Any, depth: int) -> bytes:
        h = hashlib.sha256(b"res")
        for key in sorted(resources.keys()):
            value = resources[key]
            h.update(key.encode() + b"\0")
            if key == "/Font" and isinstance(value, pikepdf.Dictionary):
                for name in sorted(value.keys()):
                    h.update(name.encode() + b"\0" + self.font(value[name]))
            else:
                h.update(self.digest(value, depth + 1))
        return h.digest()

    def font(self, font: Any) -> bytes:
        """The digest of what preflight's walk reads of a font (see the module's docs)."""
        if not isinstance(font, pikepdf.Dictionary):
            return self.digest(font, 0)
        if not font.is_indirect:
            raise Uncacheable("a direct font dictionary")
        key = font.objgen
        digest = self.font_memo.get(key)
        if digest is None:
            h = hashlib.sha256(b"font")
            for name in ("/Subtype", "/BaseFont", "/Encoding"):
                h.update(name.encode() + self.digest(font.get(name), 1))
            descendants = font.get("/DescendantFonts")
            if isinstance(descendants, pikepdf.Array):
                h.update(b"D%d" % len(descendants))
                first = descendants[0] if len(descendants) else None
                if isinstance(first, pikepdf.Dictionary):
                    for name in ("/Subtype", "/BaseFont", "/CIDToGIDMap"):
                        h.update(name.encode() + self.digest(first.get(name), 1))
                    h.update(_embeds(first.get("/FontDescriptor")))
                else:
                    h.update(self.digest(first, 1))
            else:
                h.update(b"d" + self.digest(descendants, 1))
            h.update(_embeds(font.get("/FontDescriptor")))
            digest = self.font_memo[key] = h.digest()
        self.note_font(digest, key)
        return digest

    def digest(self, obj: Any, depth: int) -> bytes:
        """The digest of any object and of everything it refers to."""
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            return self._memoised("o", obj, depth, self._digest)
        return self._digest(obj, depth)

    def _memoised(self, kind: str, obj: Any, depth: int, compute: Any) -> bytes:
        if depth > MAX_DEPTH:
            raise Uncacheable("objects nested too deep")
        if not obj.is_indirect:
            return bytes(compute(obj, depth))
        key = (kind, *obj.objgen)
        known = self.memo.get(key)
        if known is not None:
            for font, where in known[1].items():
                self.note_font(font, where)
            return known[0]
        if key in self.active:
            raise Uncacheable("objects that refer to themselves")
        self.active.add(key)
        self.reached.append({})
        try:
            value: bytes = compute(obj, depth)
        finally:
            self.active.discard(key)
            reached = self.reached.pop()
        self.memo[key] = (value, reached)
        return value

    def _digest(self, obj: Any, depth: int) -> bytes:
        if depth > MAX_DEPTH:
            raise Uncacheable("objects nested too deep")
        h = hashlib.sha256()
        if isinstance(obj, pikepdf.Stream):
            h.update(b"S" + hashlib.sha256(obj.read_raw_bytes()).digest())
            self._dictionary(obj.stream_dict, depth, h)
        elif isinstance(obj, pikepdf.Dictionary):
            h.update(b"<<")
            self._dictionary(obj, depth, h)
        elif isinstance(obj, pikepdf.Array):
            h.update(b"[%d" % len(obj))
            for item in obj:
                h.update(self.digest(item, depth + 1))
        elif obj is None:
            h.update(b"null")
        else:  # names, strings, numbers, booleans: their PDF syntax
            unparsed = obj.unparse() if isinstance(obj, pikepdf.Object) else repr(obj).encode()
            h.update(type(obj).__name__.encode() + b":" + bytes(unparsed))
        return h.digest()

    def _dictionary(self, obj: Any, depth: int, h: Any) -> None:
        for key in sorted(obj.keys()):
            if key in SKIPPED_KEYS:
                continue
            h.update(key.encode() + b"\0")
            value = obj[key]
            if key == "/Resources":
                h.update(self.resources(value, depth + 1))
            else:
                h.update(self.digest(value, depth + 1))


def _embeds(descriptor: Any) -> bytes:
    """Which font programs a font descriptor embeds (not the programs themselves)."""
    if not isinstance(descriptor, pikepdf.Dictionary):
        return b"-"
    return b"".join(b"1" if key in descriptor else b"0" for key in FONT_PROGRAMS)
