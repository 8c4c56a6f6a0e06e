"""Write stage for the print book: stitch typeset PDFs into one book, one copy of each font.

Cities are typeset and written one PDF each (in parallel, and cached). The book is then
made from those PDFs' pages instead of being typeset again. Each city PDF embeds its own
subset of every font; WeasyPrint subsets with the original glyph ids kept, so the subsets
of one font are compatible with one subset holding the union of their glyphs. The book
embeds that union once and points every page's font at it, so it weighs about what a
single-document PDF weighs. Bookmarks and contents links are added with explicit page
destinations.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pikepdf

from .files import write_bytes, write_text
from .structure import StructureMerger, TaggedBook


@dataclass(frozen=True)
class Link:
    """A link rectangle on a book page that jumps to another book page."""

    page: int
    """0-based index of the page holding the link."""
    rect: tuple[float, float, float, float]
    """x0, y0, x1, y1 in PDF points (origin bottom-left of the MediaBox)."""
    target: int
    """0-based index of the page the link jumps to."""
    anchor: str = ""
    """The anchor it links to (a tagged book ties the link to the element tagged for it)."""


@dataclass(frozen=True)
class Bookmark:
    """An outline entry."""

    title: str
    """Text shown in the reader's bookmarks panel."""
    page: int
    """0-based index of the page it opens."""
    level: int = 1
    """Depth in the outline (1: top level); a deeper entry nests under the one before."""


def _fonts(resources: Any) -> Iterator[Any]:
    """Yield every Type0 font dictionary reachable from page resources (forms included)."""
    if resources is None:
        return
    for font in (resources.get("/Font") or {}).values():
        if font.get("/Subtype") == "/Type0":
            yield font
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts(xobject.get("/Resources"))


def _used_gids(descendant: Any) -> set[int]:
    """Glyph ids a CID font uses, read from its /W widths array."""
    return set(_widths(descendant))


def _widths(descendant: Any) -> dict[int, Any]:
    """Glyph id -> width, read from a CID font's /W array."""
    found: dict[int, Any] = {}
    items = list(descendant.get("/W") or [])
    i = 0
    while i < len(items):
        first, nxt = int(items[i]), items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            found.update({first + n: w for n, w in enumerate(nxt)})
            i += 2
        else:
            found.update({gid: items[i + 2] for gid in range(first, int(nxt) + 1)})
            i += 3
    return found


def _widths_array(widths: dict[int, Any]) -> pikepdf.Array:
    """A /W array for ``widths``, one run per stretch of consecutive glyph ids."""
    out: list[Any] = []
    run: list[Any] = []
    start = previous = -2
    for gid in sorted(widths):
        if gid != previous + 1 and run:
            out += [start, pikepdf.Array(run)]
            run = []
        if not run:
            start = gid
        run.append(widths[gid])
        previous = gid
    if run:
        out += [start, pikepdf.Array(run)]
    return pikepdf.Array(out)


_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def _to_unicode(pairs: dict[bytes, bytes]) -> bytes:
    """A ToUnicode CMap mapping each glyph code in ``pairs`` to its text."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    codes = sorted(pairs)
    for i in range(0, len(codes), 100):
        chunk = codes[i : i + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        lines += [b"<" + code + b"> <" + pairs[code] + b">" for code in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def share_font_dicts(pdf: pikepdf.Pdf) -> None:
    """Give each font program one dictionary: widths and ToUnicode maps merged.

    Fonts are grouped by name *and* program, so only fonts whose program is shared
    (the CFF unions) are merged; a TrueType font keeps one dictionary per city.
    """
    by_name: dict[tuple[str, Any], list[Any]] = {}
    for page in pdf.pages:
        for font in _fonts(page.obj.get("/Resources")):
            found = _font_file(font.DescendantFonts[0].FontDescriptor)
            program = found[1].objgen if found is not None else None
            fonts = by_name.setdefault((str(font.BaseFont), program), [])
            if all(font.objgen != other.objgen for other in fonts):
                fonts.append(font)
    canonical: dict[tuple[int, int], Any] = {}
    for fonts in by_name.values():
        if len(fonts) < 2 or any("/ToUnicode" not in f for f in fonts):
            continue
        first = fonts[0]
        widths: dict[int, Any] = {}
        pairs: dict[bytes, bytes] = {}
        for font in fonts:
            widths.update(_widths(font.DescendantFonts[0]))
            pairs.update(_BFCHAR.findall(_bfchar_part(font.ToUnicode.read_bytes())))
            canonical[font.objgen] = first
        first.DescendantFonts[0].W = _widths_array(widths)
        first.ToUnicode = pdf.make_stream(_to_unicode(pairs))
    for page in pdf.pages:
        resources: Any = page.obj.get("/Resources")
        page_fonts: Any = resources.get("/Font") if resources is not None else None
        if page_fonts is None:
            continue
        for key, font in list(page_fonts.items()):
            if font.objgen in canonical:
                page_fonts[key] = canonical[font.objgen]


def _bfchar_part(cmap: bytes) -> bytes:
    """The bfchar sections of a CMap (other sections hold no glyph mappings we merge)."""
    return b"\n".join(re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL))


def _font_file(descriptor: Any) -> tuple[str, Any] | None:
    for key in ("/FontFile3", "/FontFile2"):
        if key in descriptor:
            return key, descriptor[key]
    return None


class _Index:
    """A CFF INDEX read lazily: only the offsets of the items asked for are decoded."""

    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        self.count = int.from_bytes(data[pos : pos + 2], "big")
        self.size = data[pos + 2] if self.count else 0
        self.offsets_at = pos + 3
        self.base = self.offsets_at + (self.count + 1) * self.size - 1

    def _offset(self, i: int) -> int:
        at = self.offsets_at + i * self.size
        return int.from_bytes(self.data[at : at + self.size], "big")

    def items(self) -> list[bytes]:
        """Every item's bytes, decoding the offsets in one pass."""
        size, at, data = self.size, self.offsets_at, self.data
        if not self.count:
            return []
        raw = data[at : at + (self.count + 1) * size]
        if size in (1, 2, 4):
            offsets = struct.unpack(f">{self.count + 1}{' BH I'[size]}", raw)
        else:
            offsets = tuple(
                int.from_bytes(raw[i : i + size], "big") for i in range(0, len(raw), size)
            )
        base = self.base
        return [data[base + offsets[i] : base + offsets[i + 1]] for i in range(self.count)]

    def span(self, i: int) -> tuple[int, int]:
        """Start and end of item ``i`` in the data."""
        return self.base + self._offset(i), self.base + self._offset(i + 1)

    def end(self) -> int:
        """Position just after the INDEX."""
        return self.base + self._offset(self.count) if self.count else self.offsets_at - 1


def raw_charstrings(font_data: bytes) -> tuple[bytes, _Index] | None:
    """Locate the CharStrings of an OpenType/CFF font: (CFF table bytes, its INDEX)."""
    tables = int.from_bytes(font_data[4:6], "big")
    for n in range(tables):
        record = font_data[12 + 16 * n : 28 + 16 * n]
        if record[:4] == b"CFF ":
            offset = int.from_bytes(record[8:12], "big")
            length = int.from_bytes(record[12:16], "big")
            cff = font_data[offset : offset + length]
            top_dicts = _Index(cff, _Index(cff, cff[2]).end())
            start, end = top_dicts.span(0)
            found = [ops for op, ops in _dict_operands(cff[start:end]) if op == 17 and ops]
            if not found:
                return None
            charstrings_at = found[0][-1][0]
            return cff, _Index(cff, charstrings_at)
    return None


def _dict_operands(data: bytes) -> list[tuple[int, list[tuple[int, int, int]]]]:
    """Tokenise a CFF DICT: (operator, [(value, start, end) of each integer operand])."""
    found: list[tuple[int, list[tuple[int, int, int]]]] = []
    operands: list[tuple[int, int, int]] = []
    i = 0
    while i < len(data):
        b0 = data[i]
        start = i
        if b0 <= 21:
            op = b0 if b0 != 12 else 1200 + data[i + 1]
            i += 1 if b0 != 12 else 2
            found.append((op, operands))
            operands = []
            continue
        if b0 == 28:
            value, i = int.from_bytes(data[i + 1 : i + 3], "big", signed=True), i + 3
        elif b0 == 29:
            value, i = int.from_bytes(data[i + 1 : i + 5], "big", signed=True), i + 5
        elif b0 == 30:
            i += 1
            while i < len(data) and (data[i] & 0x0F) != 0x0F and (data[i] >> 4) != 0x0F:
                i += 1
            i += 1
            value = 0
        elif 32 <= b0 <= 246:
            value, i = b0 - 139, i + 1
        elif 247 <= b0 <= 250:
            value, i = (b0 - 247) * 256 + data[i + 1] + 108, i + 2
        elif 251 <= b0 <= 254:
            value, i = -(b0 - 251) * 256 - data[i + 1] - 108, i + 2
        else:
            value, i = 0, i + 1
        operands.append((value, start, i))
    return found


_OFFSET_OPS = {15, 16, 17, 1236, 1237}
"""Top DICT operators whose operand is an offset: charset, Encoding, CharStrings, FDArray,
FDSelect (Private, 18, carries [size, offset])."""


def _shift_offsets(cff: bytearray, start: int, end: int, after: int, delta: int) -> bool:
    """Add ``delta`` to every offset beyond ``after`` in the DICT at cff[start:end], in place.

    Only 5-byte integers can change in place; returns False when another encoding is met.
    """
    for op, operands in _dict_operands(bytes(cff[start:end])):
        if op in _OFFSET_OPS and operands or op == 18 and len(operands) == 2:
            value, first, last = operands[-1]
            if value > after:
                if cff[start + first] != 29:
                    return False
                new = (value + delta).to_bytes(4, "big", signed=True)
                cff[start + first + 1 : start + last] = new
    return True


def _index_bytes(items: list[bytes]) -> bytes:
    """Encode a CFF INDEX holding ``items``."""
    total = sum(len(item) for item in items) + 1
    size = 1 if total < 1 << 8 else 2 if total < 1 << 16 else 3 if total < 1 << 24 else 4
    offsets = [1]
    for item in items:
        offsets.append(offsets[-1] + len(item))
    head = len(items).to_bytes(2, "big") + bytes([size])
    return head + b"".join(o.to_bytes(size, "big") for o in offsets) + b"".join(items)


def _checksum(data: bytes) -> int:
    """OpenType table checksum: the sum of big-endian 32-bit words (``data`` is padded)."""
    return sum(struct.unpack(f">{len(data) // 4}I", data))


def _with_table(font: bytes, tag: bytes, table: bytes) -> bytes:
    """Return the sfnt ``font`` with table ``tag`` replaced (offsets and checksums redone)."""
    count = int.from_bytes(font[4:6], "big")
    records = []
    for n in range(count):
        record = font[12 + 16 * n : 28 + 16 * n]
        offset, length = int.from_bytes(record[8:12], "big"), int.from_bytes(record[12:16], "big")
        data = table if record[:4] == tag else font[offset : offset + length]
        if record[:4] == b"head":
            data = data[:8] + b"\0\0\0\0" + data[12:]
        records.append((record[:4], data))
    position = 12 + 16 * count
    directory, body = [], []
    head_at = None
    for name, data in records:
        padded = data + b"\0" * (-len(data) % 4)
        checksum = _checksum(padded)
        directory.append(
            name
            + (checksum & 0xFFFFFFFF).to_bytes(4, "big")
            + position.to_bytes(4, "big")
            + len(data).to_bytes(4, "big")
        )
        if name == b"head":
            head_at = position
        body.append(padded)
        position += len(padded)
    whole = bytearray(font[:12] + b"".join(directory) + b"".join(body))
    if head_at is not None:
        total = _checksum(bytes(whole))
        whole[head_at + 8 : head_at + 12] = ((0xB1B0AFBA - total) & 0xFFFFFFFF).to_bytes(4, "big")
    return bytes(whole)


def _cff_union(base: bytes, extra: dict[int, bytes]) -> bytes | None:
    """Put the charstrings ``extra`` (by glyph id) into the CFF font ``base``, bytewise.

    The CharStrings INDEX is rebuilt where it was and every offset to what follows it is
    moved along. Returns None when the font is laid out in a way this cannot patch (the
    caller then merges with fontTools).
    """
    located = raw_charstrings(base)
    if located is None:
        return None
    cff, charstrings = located
    at, end = charstrings.offsets_at - 3, charstrings.end()
    items = charstrings.items()
    for gid, charstring in extra.items():
        items[gid] = charstring
    index = _index_bytes(items)
    delta = len(index) - (end - at)
    patched = bytearray(cff)
    names = _Index(cff, cff[2])
    top = _Index(cff, names.end())
    start, stop = top.span(0)
    if not _shift_offsets(patched, start, stop, at, delta):
        return None
    for op, operands in _dict_operands(cff[start:stop]):
        if op == 1236 and operands:  # FDArray: each font DICT names its Private DICT
            fonts = _Index(cff, operands[-1][0])
            for n in range(fonts.count):
                if not _shift_offsets(patched, *fonts.span(n), at, delta):
                    return None
        if op == 18 and len(operands) == 2:
            pass  # a Private DICT's own Subrs offset is relative to it: unchanged
    table = bytes(patched[:at]) + index + bytes(patched[end:])
    return _with_table(base, b"CFF ", table)


def _union_bytewise(
    base: bytes, base_gids: set[int], others: list[tuple[Callable[[], bytes], set[int]]]
) -> bytes | None:
    """The union of CFF subsets made by patching bytes (None: not a CFF font we can patch)."""
    located = raw_charstrings(base)
    if located is None:
        return None
    count = located[1].count
    have = set(base_gids)
    extra: dict[int, bytes] = {}
    for read, gids in others:
        missing = [g for g in gids - have if g < count]
        if not missing:
            continue
        other = raw_charstrings(read())
        if other is None:
            return None
        table, spans = other
        for gid in missing:
            if gid < spans.count:
                extra[gid] = table[slice(*spans.span(gid))]
        have.update(missing)
    return _cff_union(base, extra) if extra else base


def union_font(subsets: list[tuple[Callable[[], bytes], set[int]]]) -> bytes:
    """Merge CFF subsets of one font (original glyph ids kept) into one with all glyphs.

    The subset using the highest glyph id is the base (it has the most glyph slots);
    each glyph it lacks is copied, as raw charstring bytes, from a subset that uses it
    (CFF charstrings carry their own advance; the PDF's /W widths govern placement).
    TrueType subsets are never merged: their composite glyphs and hinted metrics make a
    union unsafe, so each city keeps its own program (see :func:`_font_programs`).
    """
    from fontTools.misc.psCharStrings import T2CharString
    from fontTools.ttLib import TTFont

    ranked = sorted(subsets, key=lambda item: max(item[1], default=-1), reverse=True)
    read_base, base_gids = ranked[0]
    base_data = read_base()
    fast = _union_bytewise(base_data, base_gids, ranked[1:])
    if fast is not None:
        return fast
    base = TTFont(io.BytesIO(base_data), recalcBBoxes=False, recalcTimestamp=False, lazy=True)
    order = base.getGlyphOrder()
    have = set(base_gids)
    cff = base["CFF "].cff.topDictIndex[0]
    for read, gids in ranked[1:]:
        missing = sorted(g for g in gids - have if g < len(order))
        if not missing:
            continue
        located = raw_charstrings(read())
        if located is None:
            raise ValueError("a subset of a CFF font has no CFF table")
        table, spans = located
        charstrings = cff.CharStrings
        for gid in missing:
            if gid < spans.count:
                start, end = spans.span(gid)
                index = charstrings.charStrings[order[gid]]
                old = charstrings.charStringsIndex[index]
                charstrings.charStringsIndex[index] = T2CharString(
                    bytecode=table[start:end], private=old.private, globalSubrs=old.globalSubrs
                )
        have.update(missing)
    out = io.BytesIO()
    base.save(out)
    return out.getvalue()


class FontUnionCache:
    """Remembers the last union made for each font, reused while it covers what is needed."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _index(self) -> dict[str, Any]:
        if self.folder is None:
            return {}
        try:
            data = json.loads((self.folder / "unions.json").read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def get(self, name: str, needed: set[int]) -> bytes | None:
        """Return a cached union of ``name`` covering ``needed`` glyphs, if one is intact."""
        entry: Any = self._index().get(name)
        if self.folder is None or not _union_entry(entry) or not needed <= set(entry["gids"]):
            return None
        try:
            data = (self.folder / Path(entry["file"]).name).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == entry["sha256"] else None

    def put(self, name: str, gids: set[int], data: bytes) -> None:
        """Store ``data`` as the union of ``name`` for ``gids``."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(data).hexdigest()
        file = f"{digest[:20]}.font"
        write_bytes(self.folder / file, data)
        index = self._index()
        index[name] = {"gids": sorted(gids), "file": file, "sha256": digest}
        write_text(self.folder / "unions.json", json.dumps(index))


def _union_entry(entry: Any) -> bool:
    """Is ``entry`` a well-formed record of the union cache (a tampered one is a miss)?"""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("gids"), list)
        and all(type(g) is int for g in entry["gids"])
        and isinstance(entry.get("file"), str)
        and isinstance(entry.get("sha256"), str)
    )


FONT_MARK = "/ScireportFont"
"""Key set on an emptied font program: the font name whose union replaces it."""
SAME_MARK = "/ScireportSame"
"""Key set on an emptied duplicate stream: the digest of the stream it repeats."""


def _font_programs(pdf: pikepdf.Pdf) -> Iterator[tuple[str, Any, Any]]:
    """(font name, its CID font, its program) for every embedded CFF-based CID font.

    Only these are shared across the book; TrueType programs stay with their pages.
    """
    for page in pdf.pages:
        for font in _fonts(page.obj.get("/Resources")):
            descendant = font.DescendantFonts[0]
            found = _font_file(descendant.FontDescriptor)
            if found is not None and found[0] == "/FontFile3":
                yield str(font.BaseFont), descendant, found[1]


def _font_bytes(path: Path, name: str) -> bytes:
    """The program of font ``name`` embedded in the PDF at ``path``."""
    with pikepdf.open(path) as pdf:
        for found, _, stream in _font_programs(pdf):
            if found == name:
                return bytes(stream.read_bytes())
    raise ValueError(f"{path}: no font {name}")


@dataclass
class FontPlan:
    """The fonts of the parts of a book: which glyphs each part uses, by font name."""

    usage: dict[str, dict[Path, set[int]]] = field(default_factory=dict)
    """Font name -> part -> glyph ids it uses."""
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    """Font name -> attributes of its program stream (``/Subtype``)."""

    def note(self, path: Path, pdf: pikepdf.Pdf) -> None:
        """Record the fonts of the part at ``path`` (read from its /W widths)."""
        for name, descendant, stream in _font_programs(pdf):
            gids = self.usage.setdefault(name, {}).setdefault(path, set())
            gids.update(_used_gids(descendant))
            if name not in self.attributes:
                self.attributes[name] = {k: str(stream[k]) for k in ("/Subtype",) if k in stream}

    def programs(self, cache: FontUnionCache) -> dict[str, Any]:
        """One program per font: the cached union, or a new one merged from the parts."""
        planned: dict[str, Any] = {}
        for name, by_part in self.usage.items():
            needed = set().union(*by_part.values())
            data = cache.get(name, needed) if len(by_part) > 1 else None
            if data is None:
                readers: list[tuple[Callable[[], bytes], set[int]]] = [
                    (partial(_font_bytes, path, name), gids) for path, gids in by_part.items()
                ]
                data = union_font(readers) if len(readers) > 1 else readers[0][0]()
                if len(readers) > 1:
                    cache.put(name, needed, data)
            planned[name] = (data, self.attributes[name])
        return planned


def hollow_fonts(pdf: pikepdf.Pdf) -> None:
    """Empty the font programs of ``pdf``, marked with their names (the union replaces them)."""
    for name, _, stream in _font_programs(pdf):
        stream.write(b"")
        stream[FONT_MARK] = pikepdf.String(name)


def install_fonts(book: pikepdf.Pdf, planned: dict[str, Any]) -> None:
    """Point every font of ``book`` at its planned union program, embedded once."""
    streams: dict[str, Any] = {}
    for page in book.pages:
        for font in _fonts(page.obj.get("/Resources")):
            descriptor = font.DescendantFonts[0].FontDescriptor
            found = _font_file(descriptor)
            if found is None or FONT_MARK not in found[1]:
                continue
            name = str(found[1][FONT_MARK])
            if name not in streams:
                data, attributes = planned[name]
                shared = pikepdf.Stream(book, data)
                for key, value in attributes.items():
                    shared[key] = pikepdf.Name(value)
                if found[0] == "/FontFile2":
                    shared.Length1 = len(data)
                streams[name] = book.make_indirect(shared)
            descriptor[found[0]] = streams[name]


def _shareable(obj: Any) -> bool:
    return isinstance(obj, pikepdf.Stream) and ("/N" in obj or obj.get("/Subtype") == "/Image")


def _digest(obj: Any) -> str:
    return hashlib.sha256(repr(_stream_key(obj)).encode()).hexdigest()


def mark_originals(book: pikepdf.Pdf) -> set[str]:
    """Mark the book's ICC profiles and images with their digests; return the digests."""
    found = set()
    for obj in book.objects:
        if _shareable(obj):
            digest = _digest(obj)
            obj[SAME_MARK] = pikepdf.String(digest)
            found.add(digest)
    return found


def hollow_repeats(part: pikepdf.Pdf, originals: set[str]) -> None:
    """Empty the ICC profiles and images of ``part`` that the book holds already.

    Done before the part's pages are copied into the book, so a profile repeated by 500
    city PDFs is not copied 500 times; :func:`share_streams` points the copies at it.
    """
    for obj in part.objects:
        if _shareable(obj) and (digest := _digest(obj)) in originals:
            obj.write(b"")
            obj[SAME_MARK] = pikepdf.String(digest)


def _detach(obj: Any, seen: set[tuple[int, int]]) -> None:
    """Load into memory the data of every stream reachable from ``obj`` (not its parents),
    so the PDF it was copied from can be closed."""
    if isinstance(obj, pikepdf.Stream | pikepdf.Dictionary | pikepdf.Array) and obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        codec: Any = obj.get("/Filter"), obj.get("/DecodeParms")
        obj.write(raw, filter=codec[0], decode_parms=codec[1])
        _detach(obj.stream_dict, seen)
    elif isinstance(obj, pikepdf.Dictionary):
        for key, value in obj.items():
            if key not in ("/Parent", "/P", "/Dest"):
                _detach(value, seen)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            _detach(value, seen)


def _stream_key(stream: Any) -> tuple[str, str]:
    meta = {k: repr(v) for k, v in stream.items() if k != "/Length"}
    return hashlib.sha256(stream.read_raw_bytes()).hexdigest(), repr(sorted(meta.items()))


def share_streams(pdf: pikepdf.Pdf) -> None:
    """Point every emptied duplicate (see :func:`hollow_duplicates`) at its original."""
    canonical: dict[str, Any] = {}
    marked = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and SAME_MARK in o]
    for obj in marked:
        if obj.read_raw_bytes():
            canonical.setdefault(str(obj[SAME_MARK]), obj)
    replace = {
        obj.objgen: canonical[str(obj[SAME_MARK])]
        for obj in marked
        if canonical[str(obj[SAME_MARK])].objgen != obj.objgen
    }
    for obj in marked:
        del obj[SAME_MARK]
    if not replace:
        return

    def visit(container: Any) -> None:
        items = (
            container.items() if isinstance(container, pikepdf.Dictionary) else enumerate(container)
        )
        for key, value in list(items):
            if isinstance(value, pikepdf.Stream | pikepdf.Dictionary | pikepdf.Array):
                if value.is_indirect:
                    if value.objgen in replace:
                        container[key] = replace[value.objgen]
                else:
                    visit(value)

    for item in pdf.objects:
        if isinstance(item, pikepdf.Dictionary | pikepdf.Array):
            visit(item)
        elif isinstance(item, pikepdf.Stream):
            visit(item.stream_dict)
    visit(pdf.trailer)


def stitch(
    parts: list[Path],
    target: Path,
    *,
    bookmarks: list[Bookmark],
    links: list[Link],
    font_cache: FontUnionCache,
    pdf_1_4: bool = False,
    tagged: TaggedBook | None = None,
) -> int:
    """Write the pages of ``parts`` in order as one PDF at ``target``; return its page count.

    Document-level data (output intent, metadata, language) comes from the first part.
    ``pdf_1_4`` writes PDF 1.4 without object streams (what PDF/X-1a requires). With
    ``tagged``, the parts' structure trees are merged into one (see structure.py) and the
    links are tagged.
    """
    fonts = FontPlan()
    book = pikepdf.open(parts[0])
    try:
        tree = StructureMerger(book, tagged) if tagged is not None else None
        originals = mark_originals(book)
        fonts.note(parts[0], book)
        hollow_fonts(book)
        seen: set[tuple[int, int]] = set()
        for path in parts[1:]:  # one part open at a time: memory stays flat
            with pikepdf.open(path) as part:
                fonts.note(path, part)
                hollow_fonts(part)
                hollow_repeats(part, originals)
                start = len(book.pages)
                book.pages.extend(part.pages)
                if tree is not None:
                    tree.add(part, start)
                for page in book.pages[start:]:
                    _detach(page.obj, seen)
        planned = fonts.programs(font_cache)
        install_fonts(book, planned)
        share_font_dicts(book)
        share_streams(book)
        _outline(book, bookmarks)
        if tree is not None:
            tree.finish(links)
        else:
            _links(book, links)
        if "/Names" in book.Root and "/Dests" in book.Root.Names:
            del book.Root.Names["/Dests"]
        if pdf_1_4:  # PDF/X-1a allows PDF 1.4 only: no object streams
            book.save(
                target,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.disable,
                force_version="1.4",
                deterministic_id=True,
            )
        else:
            book.save(
                target,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                deterministic_id=True,
            )
        return len(book.pages)
    finally:
        book.close()


def _outline(book: pikepdf.Pdf, bookmarks: list[Bookmark]) -> None:
    with book.open_outline() as outline:
        outline.root.clear()
        parents: list[tuple[int, Any]] = []  # (level, item) of the open entries
        for mark in bookmarks:
            item = pikepdf.OutlineItem(mark.title, mark.page)
            while parents and parents[-1][0] >= mark.level:
                parents.pop()
            (parents[-1][1].children if parents else outline.root).append(item)
            parents.append((mark.level, item))


def _links(book: pikepdf.Pdf, links: list[Link]) -> None:
    for link in links:
        page = book.pages[link.page]
        annotation = book.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=pikepdf.Array(list(link.rect)),
                Border=pikepdf.Array([0, 0, 0]),
                Dest=pikepdf.Array([book.pages[link.target].obj, pikepdf.Name.Fit]),
            )
        )
        if "/Annots" not in page.obj:
            page.obj.Annots = pikepdf.Array()
        page.obj.Annots.append(annotation)
