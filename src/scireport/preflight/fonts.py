"""Fonts: embedded CMaps, and which shown codes draw the .notdef glyph."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from .base import Unreadable
from .streams import StreamReader

SUBSET_RE = re.compile(r"^[A-Z]{6}\+")


def hex_bytes(token: bytes) -> bytes | None:
    """The bytes of a PDF hex string token (``<48 65>``), None if it is not one."""
    if not token.startswith(b"<"):
        return None
    digits = re.sub(rb"\s", b"", token[1:-1])
    if len(digits) % 2:
        digits += b"0"
    try:
        return bytes.fromhex(digits.decode("ascii"))
    except ValueError:
        return None


@dataclass
class CMap:
    """An embedded CMap: byte codes to CIDs (or to Unicode for a ToUnicode CMap)."""

    spaces: list[tuple[bytes, bytes]] = field(default_factory=list)
    single: dict[bytes, int | str] = field(default_factory=dict)
    ranges: list[tuple[bytes, bytes, int | bytes]] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes) -> CMap:
        """Read the codespace ranges and code mappings of a CMap program."""
        cmap = cls()
        tokens: list[bytes] = re.findall(rb"<[0-9A-Fa-f\s]*>|\[|\]|[^\s<>\[\]]+", data)
        mode = b""
        operands: list[bytes] = []
        for token in tokens:
            if token.startswith(b"begin") or token.startswith(b"end"):
                mode = token if token.startswith(b"begin") else b""
                operands = []
                continue
            if mode == b"begincodespacerange":
                operands.append(token)
                if len(operands) == 2:
                    lo, hi = hex_bytes(operands[0]), hex_bytes(operands[1])
                    if lo is not None and hi is not None and len(lo) == len(hi):
                        cmap.spaces.append((lo, hi))
                    operands = []
            elif mode in (b"begincidchar", b"beginbfchar"):
                operands.append(token)
                if len(operands) == 2:
                    code = hex_bytes(operands[0])
                    if code is not None:
                        target = hex_bytes(operands[1])
                        if target is not None:
                            cmap.single[code] = target.decode("utf-16-be", "replace")
                        elif operands[1].isdigit():
                            cmap.single[code] = int(operands[1])
                    operands = []
            elif mode in (b"begincidrange", b"beginbfrange"):
                if token == b"[":  # bfrange with an array of targets: skip it
                    mode = b"skip-array"
                    continue
                operands.append(token)
                if len(operands) == 3:
                    lo, hi = hex_bytes(operands[0]), hex_bytes(operands[1])
                    start: int | bytes | None = hex_bytes(operands[2])
                    if start is None and operands[2].isdigit():
                        start = int(operands[2])
                    if lo is not None and hi is not None and start is not None:
                        cmap.ranges.append((lo, hi, start))
                    operands = []
            elif mode == b"skip-array" and token == b"]":
                mode = b"beginbfrange"
                operands = []
        return cmap

    def codes(self, data: bytes) -> Iterator[bytes]:
        """Split a shown string into codes by the codespace ranges (2 bytes if none)."""
        lengths = sorted({len(lo) for lo, _ in self.spaces}) or [2]
        position = 0
        while position < len(data):
            for size in lengths:
                piece = data[position : position + size]
                if len(piece) == size and any(
                    len(lo) == size
                    and all(a <= c <= b for a, b, c in zip(lo, hi, piece, strict=True))
                    for lo, hi in self.spaces
                ):
                    break
            else:
                size = lengths[0]
            yield data[position : position + size]
            position += size

    def lookup(self, code: bytes) -> int | str | None:
        """The CID (int) or Unicode text (str) mapped to ``code``, None when unmapped."""
        if code in self.single:
            return self.single[code]
        number = int.from_bytes(code, "big")
        for lo, hi, start in self.ranges:
            if len(lo) == len(code) and int.from_bytes(lo, "big") <= number <= int.from_bytes(
                hi, "big"
            ):
                offset = number - int.from_bytes(lo, "big")
                if isinstance(start, int):
                    return start + offset
                base = bytearray(start)
                if base:
                    base[-1] = (base[-1] + offset) & 0xFF
                return bytes(base).decode("utf-16-be", "replace")
        return None


@dataclass
class FontInfo:
    """What preflight needs to know about one font resource."""

    name: str
    embedded: bool
    subset: bool
    kind: str
    """``type0``, ``type3`` or ``simple``."""
    encoding: CMap | None = None
    """Embedded CMap of a Type0 font; None for Identity-H/V (code = CID, 2 bytes)."""
    identity: bool = False
    cid_to_gid: bytes | None = None
    notdef_codes: frozenset[int] = frozenset()
    """Byte codes a simple font maps to /.notdef through its Differences."""
    to_unicode: CMap | None = None

    def notdefs(self, data: bytes) -> Iterator[bytes]:
        """Yield the codes of ``data`` that show the .notdef glyph."""
        if self.kind == "simple":
            for byte in data:
                if byte in self.notdef_codes:
                    yield bytes([byte])
            return
        if self.kind != "type0" or not (self.identity or self.encoding):
            return
        if self.identity and self.cid_to_gid is None:  # the common case: search, not loop
            start = data.find(b"\x00\x00")
            while start != -1:
                if start % 2 == 0:
                    yield data[start : start + 2]
                    start = data.find(b"\x00\x00", start + 2)
                else:
                    start = data.find(b"\x00\x00", start + 1)
            return
        if self.identity:
            codes: Iterable[bytes] = (data[i : i + 2] for i in range(0, len(data) - 1, 2))
        else:
            assert self.encoding is not None
            codes = self.encoding.codes(data)
        for code in codes:
            if self.identity:
                cid: int | str | None = int.from_bytes(code, "big")
            else:
                assert self.encoding is not None
                cid = self.encoding.lookup(code)
            if not isinstance(cid, int) or cid == 0:
                yield code
            elif self.cid_to_gid is not None:
                gid = self.cid_to_gid[2 * cid : 2 * cid + 2]
                if len(gid) == 2 and gid == b"\x00\x00":
                    yield code

    def codes(self, data: bytes) -> list[bytes]:
        """Split a shown string into the font's codes (one per glyph drawn)."""
        if self.kind == "simple" or self.kind == "type3":
            return [data[i : i + 1] for i in range(len(data))]
        if self.encoding is not None and not self.identity:
            return list(self.encoding.codes(data))
        return [data[i : i + 2] for i in range(0, len(data) - 1, 2)]

    def text(self, data: bytes) -> str:
        """The Unicode text of a shown string by the font's ToUnicode ('' where unmapped)."""
        return "".join(self.text_of(code) or "" for code in self.codes(data))

    def text_of(self, code: bytes) -> str | None:
        """The Unicode text the font's ToUnicode gives ``code``, if any."""
        if self.to_unicode is None:
            return None
        value = self.to_unicode.lookup(code)
        return value if isinstance(value, str) and value else None


def font_info(font: Any, reader: StreamReader) -> FontInfo:
    """What preflight needs of the font dictionary ``font`` (its CMaps read through ``reader``)."""
    subtype = str(font.get("/Subtype", ""))
    base = str(font.get("/BaseFont", "")).lstrip("/") or "(unnamed)"
    to_unicode = None
    if isinstance(font.get("/ToUnicode"), pikepdf.Stream):
        try:
            to_unicode = CMap.parse(reader.read(font.ToUnicode))
        except pikepdf.PdfError:
            to_unicode = None
    if subtype == "/Type3":
        return FontInfo(base, True, True, "type3", to_unicode=to_unicode)
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or len(descendants) == 0:
            raise Unreadable(f"font {base} has no descendant font")
        descendant = descendants[0]
        name = str(descendant.get("/BaseFont", "")).lstrip("/") or base
        descriptor = descendant.get("/FontDescriptor")
        encoding = font.get("/Encoding")
        identity = isinstance(encoding, pikepdf.Name) and str(encoding) in (
            "/Identity-H",
            "/Identity-V",
        )
        cmap = CMap.parse(reader.read(encoding)) if isinstance(encoding, pikepdf.Stream) else None
        gid_map = descendant.get("/CIDToGIDMap")
        cid_to_gid = reader.read(gid_map) if isinstance(gid_map, pikepdf.Stream) else None
        return FontInfo(
            name,
            has_font_file(descriptor),
            bool(SUBSET_RE.match(name)),
            "type0",
            encoding=cmap,
            identity=identity,
            cid_to_gid=cid_to_gid,
            to_unicode=to_unicode,
        )
    notdef: set[int] = set()
    encoding = font.get("/Encoding")
    if isinstance(encoding, pikepdf.Dictionary):
        differences = encoding.get("/Differences")
        code = 0
        for item in differences if isinstance(differences, pikepdf.Array) else []:
            if isinstance(item, pikepdf.Name):
                if str(item) == "/.notdef":
                    notdef.add(code)
                code += 1
            else:
                code = int(item)
    return FontInfo(
        base,
        has_font_file(font.get("/FontDescriptor")),
        bool(SUBSET_RE.match(base)),
        "simple",
        notdef_codes=frozenset(notdef),
        to_unicode=to_unicode,
    )


def has_font_file(descriptor: Any) -> bool:
    """Whether a font descriptor embeds a font program."""
    if not isinstance(descriptor, pikepdf.Dictionary):
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
