"""Compare the glyphs a PDF draws with the original font files' glyphs (used by tests)."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont


def _codes(content: Any, resources: Any, fonts: dict[tuple[int, int], set[int]]) -> None:
    """Add the 2-byte codes each Type0 font shows in ``content`` (forms followed)."""
    font_dicts = resources.get("/Font") or {}
    current = None
    for operands, op in pikepdf.parse_content_stream(content):
        name = str(op)
        if name == "Tf":
            current = font_dicts.get(str(operands[0]))
        elif name in ("Tj", "TJ", "'", '"') and current is not None:
            if current.get("/Subtype") != "/Type0":
                continue
            pieces = operands[-1] if name == "TJ" else [operands[-1]]
            shown = fonts.setdefault(current.objgen, set())
            for piece in pieces:
                if isinstance(piece, pikepdf.String):
                    raw = bytes(piece)
                    shown.update(int.from_bytes(raw[i : i + 2]) for i in range(0, len(raw), 2))
        elif name == "Do":
            xobject = (resources.get("/XObject") or {}).get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                _codes(xobject, xobject.get("/Resources") or resources, fonts)


def _font_dicts(pdf: pikepdf.Pdf) -> Iterator[Any]:
    def walk(resources: Any) -> Iterator[Any]:
        if resources is None:
            return
        yield from (resources.get("/Font") or {}).values()
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form":
                yield from walk(xobject.get("/Resources"))

    for page in pdf.pages:
        yield from walk(page.obj.get("/Resources"))


def source_font(postscript_name: str, files: dict[str, Path] | None = None) -> TTFont:
    """The font file ``files`` names for ``postscript_name``, else the installed one
    fontconfig knows under that name."""
    if files and postscript_name in files:
        return TTFont(files[postscript_name], lazy=True)
    listing = subprocess.run(
        ["fc-list", "--format", "%{file}\t%{index}\n", f":postscriptname={postscript_name}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    path, index = listing.splitlines()[0].split("\t")
    return TTFont(path, fontNumber=int(index), lazy=True)


def _drawing(font: TTFont, name: str) -> tuple[Any, int]:
    glyphs = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyphs)
    glyphs[name].draw(pen)
    return pen.value, font["hmtx"][name][0]


def compare_glyphs(path: Path, files: dict[str, Path] | None = None) -> dict[str, int]:
    """Check that every glyph ``path`` draws is the source font's glyph of that id.

    Each code a page shows in a Type0 font is drawn from the embedded program (by CID
    through a CID-keyed CFF's charset, else by glyph id) and from the original font file
    (by glyph id: what WeasyPrint shaped); outlines (components decomposed) and advances
    must be identical. ``files`` names the source of fonts fontconfig does not know (by
    PostScript name). Returns the number of glyphs compared per font name.
    """
    compared: dict[str, int] = {}
    with pikepdf.open(path) as pdf:
        used: dict[tuple[int, int], set[int]] = {}
        for page in pdf.pages:
            _codes(page, page.obj.get("/Resources") or pikepdf.Dictionary(), used)
        fonts = {font.objgen: font for font in _font_dicts(pdf) if font.objgen in used}
        for objgen, codes in used.items():
            descriptor = fonts[objgen].DescendantFonts[0].FontDescriptor
            stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            assert stream is not None, f"{path}: {fonts[objgen].BaseFont} is not embedded"
            embedded = TTFont(io.BytesIO(stream.read_bytes()), lazy=True)
            source = source_font(embedded["name"].getDebugName(6), files)
            cid_keyed = "CFF " in embedded and hasattr(embedded["CFF "].cff.topDictIndex[0], "ROS")
            order, source_order = embedded.getGlyphOrder(), source.getGlyphOrder()
            for code in sorted(codes):
                if code >= len(source_order):
                    continue  # WeasyPrint's stand-in code for a character no font has
                name = f"cid{code:05d}" if cid_keyed and code else order[code]
                assert _drawing(embedded, name) == _drawing(source, source_order[code]), (
                    f"{path}: {fonts[objgen].BaseFont} glyph {code} differs from the source"
                )
            key = str(fonts[objgen].BaseFont).split("+")[-1]
            compared[key] = compared.get(key, 0) + len(codes)
    return compared
