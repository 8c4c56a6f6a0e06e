"""One pass over a PDF: the facts preflight's rules judge, collected page by page.

Each page's content streams (and the forms and tiling patterns they draw) are walked once;
every operator goes to its handler through :data:`ContentWalker.HANDLERS`. The rules never
read content themselves: they look at :class:`PageFacts` and :class:`DocumentFacts`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import re
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pikepdf

from ..models import LayoutManifest
from ..pdfobjects import inherited
from .base import MAX_DOCUMENT_OPERATORS, MAX_OPERATORS, READ_ERRORS, Oversized, short
from .colour import (
    PROCESS_INKS,
    calibrated,
    colour_kind,
    ink_names,
    resource,
    rgb_group,
    transparent_gstate,
)
from .digest import PageDigester
from .fonts import FontInfo, font_info
from .geometry import IDENTITY, Matrix, PageBoxes, matrix, mm, mul, page_boxes
from .store import FactsStore
from .streams import StreamReader

LIMIT_MARGIN_BYTES = 1024 * 1024
"""Bytes the document-wide inflation budget must have left for facts taken from the store
to stand (see :meth:`ContentWalker.within_limits`)."""

MAX_DEPTH = 12
"""Deepest nesting of form XObjects / patterns followed."""

PDFX_NS = "http://www.npes.org/pdfx/ns/id/"
PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
DC_NS = "http://purl.org/dc/elements/1.1/"
PDF_NS = "http://ns.adobe.com/pdf/1.3/"

ObjKey = tuple[int, int] | int

_OPERATOR_LIKE = re.compile(rb"[A-Za-z'\"*]+")
"""Runs of characters an operator is made of: there are at least as many as operators."""


Inks = tuple[tuple[str, float], ...]
"""The inks a colour prints, each with its coverage from 0 to 1 (inks at 0 left out)."""


@dataclass(frozen=True)
class Fill:
    """The fill colour text is shown in."""

    space: str | None = None
    """The colour space as the content named it (a name or an array, as PDF syntax), None
    for DeviceGray."""
    values: tuple[float, ...] = (0.0,)
    """The colour's components as given."""
    inks: Inks | None = (("K", 1.0),)
    """What it prints: ink -> coverage; None when unknown (RGB, Lab, patterns, indexed)."""
    device_cmyk: bool = False
    """Whether the colour is DeviceCMYK, the space overprint mode 1 applies to."""

    @property
    def solid_black(self) -> bool:
        """100 % K and no other ink, in DeviceCMYK (what presses overprint)."""
        return self.device_cmyk and self.inks == (("K", 1.0),)

    def describe(self) -> str:
        """The inks as a press reads them: ``K 90 %``, ``C 100 % M 62 % K 18 %``."""
        if self.inks is None:
            return "an unknown mix of inks"
        if not self.inks:
            return "no ink (paper white)"
        return " ".join(f"{name} {value * 100:.0f} %" for name, value in self.inks)


@dataclass(frozen=True)
class TextRun:
    """One text-showing operator: how large, in which colour, and what it shows."""

    size_pt: float
    """The type size as printed (the font size scaled by the text and current matrices)."""
    fill: Fill
    """The fill colour."""
    overprint: bool
    """Whether the fill overprints with overprint mode 1 (``/op true`` and ``/OPM 1``)."""
    glyphs: int
    """Glyphs shown."""
    font: FontInfo
    """The font, which turns ``codes`` into text."""
    codes: bytes
    """The shown strings, joined."""

    @property
    def text(self) -> str:
        """The text shown (by the font's ToUnicode)."""
        return self.font.text(self.codes)


@dataclass
class ContentFacts:
    """What one page's content uses."""

    rgb: list[str] = field(default_factory=list)
    """RGB colour operators, spaces, images, shadings and blending spaces used."""
    notdef: Counter[str] = field(default_factory=Counter)
    """Font name -> how many shown codes draw .notdef."""
    notdef_text: dict[str, list[str]] = field(default_factory=dict)
    """Font name -> the characters (from ToUnicode) drawn as .notdef."""
    images: dict[str, tuple[float, int, int, float, float]] = field(default_factory=dict)
    """Image label -> (lowest ppi, px width, px height, placed width mm, height mm)."""
    damage: list[str] = field(default_factory=list)
    """What the content parser complained about (e.g. a stream that ends early)."""
    transparency: list[str] = field(default_factory=list)
    """Transparency used (forbidden in PDF/X-1a and PDF/X-3)."""
    calibrated: list[str] = field(default_factory=list)
    """ICC-based or CIE colour spaces used (forbidden in PDF/X-1a)."""
    oversized: list[str] = field(default_factory=list)
    """Streams not read, or content not walked, because they pass preflight's limits."""
    text: list[TextRun] = field(default_factory=list)
    """Every visible text run, in the order it is drawn (forms included)."""


@dataclass
class PageFacts:
    """One page: its boxes and what its content uses, or why they could not be read."""

    number: int
    """1-based page number."""
    boxes: PageBoxes | None = None
    """The page boxes (None when they cannot be read)."""
    content: ContentFacts | None = None
    """What the content uses (None when it cannot be read)."""
    error: str | None = None
    """Why the page could not be read, if it could not."""


@dataclass
class DocumentFacts:
    """Everything the rules judge about one open PDF."""

    pdf: pikepdf.Pdf
    """The open file, for catalog-level rules (output intents, tags, outlines)."""
    edition: str
    """``print`` or ``screen``: which rules apply."""
    manifest: LayoutManifest | None
    """The layout's page size, bleed and image limits, when known."""
    expected_pages: int | None
    """The page count the caller expects, when known."""
    reader: StreamReader
    """Reads every stream of the file within the size limits."""
    pages: list[PageFacts] = field(default_factory=list)
    """Every page, in order."""
    fonts: dict[ObjKey, FontInfo] = field(default_factory=dict)
    """Every font the content selects, by object."""
    font_pages: dict[ObjKey, list[int]] = field(default_factory=dict)
    """Pages each font is used on."""
    xmp: ET.Element | None = None
    """The parsed XMP metadata packet, if any."""

    @property
    def total(self) -> int:
        """Page count."""
        return len(self.pages)

    def xmp_values(self, namespace: str, local: str) -> list[str]:
        """Values of an XMP property written as an element or as an attribute."""
        if self.xmp is None:
            return []
        tag = f"{{{namespace}}}{local}"
        values = []
        for element in self.xmp.iter():
            if element.tag == tag:
                text = "".join(element.itertext()).strip()
                if text:
                    values.append(text)
            if tag in element.attrib:
                values.append(element.attrib[tag].strip())
        return values

    def info(self, key: str) -> str | None:
        """A value of the document information dictionary, as text."""
        try:
            info = self.pdf.trailer.get("/Info")
            value = info.get(key) if isinstance(info, pikepdf.Dictionary) else None
        except pikepdf.PdfError:
            return None
        if value is None:
            return None
        return str(value).lstrip("/") if isinstance(value, pikepdf.Name) else str(value)

    @property
    def pdfx_version(self) -> str | None:
        """The PDF/X version the file claims (XMP first, then the info dictionary)."""
        in_xmp = self.xmp_values(PDFX_NS, "GTS_PDFXVersion")
        return in_xmp[0] if in_xmp else self.info("/GTS_PDFXVersion")

    @property
    def title(self) -> str | None:
        """The document title (dc:title, then Info /Title)."""
        titles = self.xmp_values(DC_NS, "title")
        return titles[0] if titles else self.info("/Title")


class NotCached(Exception):
    """The facts store cannot stand in for reading this file (qpdf found damage, or a
    document-wide limit came near): read it afresh, without the store."""


def collect(
    pdf: pikepdf.Pdf,
    edition: str,
    manifest: LayoutManifest | None,
    expected_pages: int | None,
    store: FactsStore | None = None,
) -> DocumentFacts:
    """Read the facts of ``pdf`` in one pass over its pages.

    With ``store``, a page whose digest (:mod:`.digest`) is in it is not walked: its
    content facts come from the store, bound to this file's fonts; every page walked is
    stored. Raises :class:`NotCached` when the file must be read without the store (open
    it anew: the warnings qpdf gave are spent).
    """
    facts = DocumentFacts(pdf, edition, manifest, expected_pages, StreamReader())
    facts.xmp = _read_xmp(pdf, facts.reader)
    walker = ContentWalker(facts)
    digester = PageDigester(facts_salt(edition)) if store is not None else None
    found: list[tuple[str, tuple[Any, ...]]] = []
    hits = 0
    for number, page in enumerate(pdf.pages, start=1):
        page_facts = PageFacts(number)
        facts.pages.append(page_facts)
        try:
            page_facts.boxes = page_boxes(page.obj)
            if digester is None or store is None:
                page_facts.content = walker.page(page, number)
                continue
            keyed = digester.page(page.obj)
            if pdf.get_warnings():
                raise NotCached("qpdf found damage")
            record = store.get(keyed[0]) if keyed is not None else None
            content = walker.cached(record, keyed[1], number) if keyed and record else None
            if content is not None:
                hits += 1
            else:
                content = walker.page(page, number)
                if pdf.get_warnings():
                    raise NotCached("qpdf found damage")
                if keyed is not None and not content.oversized:
                    made = walker.record(content, keyed[1])
                    if made is not None:
                        found.append((keyed[0], made))
            page_facts.content = content
        except READ_ERRORS as exc:
            page_facts.error = short(exc)
    if digester is not None and store is not None:
        if pdf.get_warnings() or (hits and not walker.within_limits()):
            raise NotCached("read the file afresh")
        for digest, made in found:
            store.put(digest, made)
    return facts


@functools.cache
def facts_salt(edition: str) -> bytes:
    """What page facts depend on besides the page: the edition (a screen file's walk
    skips the print rules' operators) and the code that reads them (these modules)."""
    h = hashlib.sha256(f"scireport-facts:{edition}:".encode())
    folder = Path(__file__).parent
    for name in ("base", "colour", "digest", "facts", "fonts", "geometry", "streams"):
        h.update((folder / f"{name}.py").read_bytes())
    return h.digest()


def _read_xmp(pdf: pikepdf.Pdf, reader: StreamReader) -> ET.Element | None:
    try:
        stream = pdf.Root.get("/Metadata")
        if not isinstance(stream, pikepdf.Stream):
            return None
        return ET.fromstring(reader.read(stream))
    except (pikepdf.PdfError, ET.ParseError, ValueError, Oversized):
        return None


def key_of(obj: Any) -> ObjKey:
    """A key naming a PDF object: its object number, or its identity if direct."""
    objgen = obj.objgen
    return objgen if objgen != (0, 0) else id(obj)


@dataclass
class GState:
    """The part of the graphics state preflight follows: CTM, font, fill and overprint."""

    ctm: Matrix = IDENTITY
    font: FontInfo | None = None
    font_size: float = 0.0
    """The size ``Tf`` set (text space units)."""
    render: int = 0
    """The text rendering mode (``Tr``): 3 and 7 draw nothing."""
    fill: Fill = Fill()
    """The fill colour (initially DeviceGray black)."""
    fill_space: Any = None
    """The fill colour space ``cs`` set (None: DeviceGray)."""
    overprint: bool = False
    """Fill overprint (``/op``, or ``/OP`` when no ``/op`` is given)."""
    overprint_mode: int = 0
    """Overprint mode (``/OPM``)."""


@dataclass
class Frame:
    """One content stream being walked: its resources, state and place in the nesting."""

    resources: Any
    base: Matrix
    depth: int
    active: frozenset[ObjKey]
    state: GState = field(default_factory=GState)
    stack: list[GState] = field(default_factory=list)
    text_matrix: Matrix = IDENTITY
    """The text matrix (``Tm``; ``Td`` and the like only move it, so its scale holds)."""


Handler = Callable[["ContentWalker", Frame, list[Any]], None]


class ContentWalker:
    """Walks content streams for :class:`ContentFacts`, one handler per operator."""

    HANDLERS: dict[str, Handler] = {}
    """Content operator -> its handler; operators not listed change nothing preflight follows."""

    PRINT_ONLY = frozenset({"rg", "g", "k", "sc", "RG", "gs", "cs", "CS", "sh"})
    """Operators whose handlers only feed print rules (colour, inks, transparency,
    overprint): a screen file's walk skips them."""

    def __init__(self, facts: DocumentFacts) -> None:
        self.facts = facts
        self.print = facts.edition == "print"
        """Whether the print rules' facts are collected (text runs, colour)."""
        self.handlers = (
            self.HANDLERS
            if self.print
            else {op: h for op, h in self.HANDLERS.items() if op not in self.PRINT_ONLY}
        )
        """The handlers this file's edition needs."""
        self.scratch = pikepdf.new()
        self.content = ContentFacts()
        self.number = 0
        self.operators = 0
        self.document_operators = 0
        self.parsed: dict[ObjKey, list[Any]] = {}
        self.info_keys: dict[int, ObjKey] = {}
        """``id()`` of each :class:`FontInfo` in ``facts.fonts`` -> its key."""
        self.page_fonts: list[ObjKey] = []
        """The fonts the page selects, in the order of their first use (for its record)."""
        self.run_fonts: list[ObjKey] = []
        """The font of each text run of the page, in order."""
        self.notdef_codes: list[tuple[ObjKey, bytes]] = []
        """Each code of the page that draws .notdef, with its font, in order."""
        self.page_start = 0
        """What the document's inflation budget had left when the page's walk began."""
        self.font_bytes = 0
        """Bytes the page's fonts took to read (fonts are read afresh, not recorded)."""
        self.page_parse = 0
        """The longest content the page parsed, in bytes."""
        self.max_parse = 0
        """The longest content any page parsed (or, cached, had parsed), in bytes."""

    def page(self, page: pikepdf.Page, number: int) -> ContentFacts:
        """Walk one page's content streams (and the forms and patterns they use)."""
        self.content, self.number, self.operators = ContentFacts(), number, 0
        self.parsed = {}
        self.page_fonts, self.run_fonts, self.notdef_codes = [], [], []
        self.font_bytes = self.page_parse = 0
        self.page_start = self.facts.reader.left
        resources = inherited(page.obj, "/Resources")
        if rgb_group(page.obj, resources):
            self.content.rgb.append("the page's transparency blending space")
        contents = page.obj.get("/Contents")
        if contents is None:
            return self.content
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        try:
            data = b"\n".join(self.facts.reader.read(s) for s in streams)
        except Oversized as exc:
            self.content.oversized.append(f"the page's content: {exc}")
            return self.content
        frame = Frame(resources, IDENTITY, 0, frozenset())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                self.walk(data, frame)
            except Oversized as exc:
                self.content.oversized.append(str(exc))
        self.content.damage += [short(w.message) for w in caught]
        return self.content

    # ------------------------------------------------------------- the facts store

    def record(
        self, content: ContentFacts, fonts: dict[bytes, tuple[int, int]]
    ) -> tuple[Any, ...] | None:
        """The page just walked as plain data for the facts store (see :meth:`cached`);
        ``fonts`` are the fonts its digest reached. None when a font it uses was not."""
        digest_of: dict[ObjKey, bytes] = {key: digest for digest, key in fonts.items()}
        if any(key not in digest_of for key in self.page_fonts):
            return None
        slot = {key: number for number, key in enumerate(self.page_fonts)}
        fills: dict[Fill, int] = {}
        runs = tuple(
            (r.size_pt, fills.setdefault(r.fill, len(fills)), r.overprint, r.glyphs, slot[k],
             r.codes)
            for r, k in zip(content.text, self.run_fonts, strict=True)
        )  # fmt: skip
        used = self.facts.reader.left
        return (
            tuple(digest_of[key] for key in self.page_fonts),
            tuple(content.rgb),
            tuple(content.damage),
            tuple(content.transparency),
            tuple(content.calibrated),
            tuple((slot[key], code) for key, code in self.notdef_codes),
            tuple((label, *value) for label, value in content.images.items()),
            tuple((f.space, f.values, f.inks, f.device_cmyk) for f in fills),
            runs,
            (self.page_start - used - self.font_bytes, self.operators, self.page_parse),
        )

    def cached(
        self, record: Any, fonts: dict[bytes, tuple[int, int]], number: int
    ) -> ContentFacts | None:
        """The facts of page ``number`` from its ``record``, its fonts those of this file
        (``fonts``: by digest), as :meth:`page` would have found them; None when the
        record does not fit (the page is then walked)."""
        try:
            (font_digests, rgb, damage, transparency, calibrated, notdefs, images, fills,
             runs, (read, operators, parsed)) = record  # fmt: skip
            keys = [fonts[digest] for digest in font_digests]
        except (TypeError, ValueError, KeyError):
            return None
        infos = []
        try:
            for key in keys:  # read as the walk would, in the order of first use
                info = self.facts.fonts.get(key)
                if info is None:
                    info = font_info(self.facts.pdf.get_object(key), self.facts.reader)
                    self.facts.fonts[key] = info
                    self.info_keys[id(info)] = key
                infos.append(info)
            content = ContentFacts(
                rgb=list(rgb),
                damage=list(damage),
                transparency=list(transparency),
                calibrated=list(calibrated),
            )
            for slot, code in notdefs:
                font = infos[slot]
                content.notdef[font.name] += 1
                text = font.text_of(code)
                if text:
                    content.notdef_text.setdefault(font.name, []).append(text)
            content.images = {label: tuple(value) for label, *value in images}
            shown = [Fill(*fill) for fill in fills]
            content.text = [
                TextRun(size, shown[fill], overprint, glyphs, infos[slot], codes)
                for size, fill, overprint, glyphs, slot, codes in runs
            ]
        except READ_ERRORS:  # Oversized among them
            return None  # walked instead: the walk meets the same problem where it would
        for key in keys:
            pages = self.facts.font_pages.setdefault(key, [])
            if not pages or pages[-1] != number:
                pages.append(number)
        self.facts.reader.left -= read
        self.document_operators += operators
        self.max_parse = max(self.max_parse, parsed)
        return content

    def within_limits(self) -> bool:
        """Whether no document-wide limit came near: facts taken from the store are then
        what walking the pages would have found."""
        return (
            self.facts.reader.left >= LIMIT_MARGIN_BYTES
            and self.document_operators + self.max_parse <= MAX_DOCUMENT_OPERATORS
        )

    def parse(self, data: bytes) -> list[Any]:
        """The instructions of the content ``data``, within the operator budgets.

        The operators are counted from above before parsing (every run of letters may be
        one), so that a stream of millions of tiny operators is refused unparsed.
        """
        left = min(MAX_OPERATORS - self.operators, MAX_DOCUMENT_OPERATORS - self.document_operators)
        if len(data) // 2 > left and sum(1 for _ in _OPERATOR_LIKE.finditer(data)) > left:
            raise self._too_many()
        self.page_parse = max(self.page_parse, len(data))
        self.max_parse = max(self.max_parse, len(data))
        instructions = pikepdf.parse_content_stream(pikepdf.Stream(self.scratch, data))
        if len(instructions) > left:
            raise self._too_many()
        return instructions

    def _too_many(self) -> Oversized:
        if self.document_operators + MAX_OPERATORS > MAX_DOCUMENT_OPERATORS:
            return Oversized(f"the file draws more than {MAX_DOCUMENT_OPERATORS:,} operators")
        return Oversized(f"the page draws more than {MAX_OPERATORS:,} operators")

    def walk(self, data: bytes | list[Any], frame: Frame) -> None:
        """Dispatch every operator of the content ``data`` (or its parsed instructions)."""
        instructions = self.parse(data) if isinstance(data, bytes) else data
        self.operators += len(instructions)
        self.document_operators += len(instructions)
        handlers = self.handlers
        for instruction in instructions:
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                self.inline_image(instruction.iimage, frame)
                continue
            handler = handlers.get(str(instruction.operator))
            if handler is not None:
                handler(self, frame, list(instruction.operands))

    def nested(self, obj: pikepdf.Stream, resources: Any, base: Matrix, frame: Frame) -> None:
        """Walk a form or tiling pattern drawn from ``frame``, once per nesting path."""
        key = key_of(obj)
        if frame.depth >= MAX_DEPTH or key in frame.active:
            return
        instructions = self.parsed.get(key)
        if instructions is None:
            try:
                instructions = self.parsed[key] = self.parse(self.facts.reader.read(obj))
            except Oversized as exc:
                self.content.oversized.append(f"a form or pattern: {exc}")
                return
        else:
            left = MAX_OPERATORS - self.operators
            if len(instructions) > min(left, MAX_DOCUMENT_OPERATORS - self.document_operators):
                raise self._too_many()
        self.walk(
            instructions,
            Frame(
                resources,
                base,
                frame.depth + 1,
                frame.active | {key},
                replace(frame.state, ctm=base),  # a form inherits the graphics state
            ),
        )

    # ----------------------------------------------------------------- operators

    def op_save(self, frame: Frame, operands: list[Any]) -> None:
        """``q``: push the graphics state."""
        frame.stack.append(replace(frame.state))

    def op_restore(self, frame: Frame, operands: list[Any]) -> None:
        """``Q``: pop the graphics state."""
        if frame.stack:
            frame.state = frame.stack.pop()

    def op_concat(self, frame: Frame, operands: list[Any]) -> None:
        """``cm``: concatenate a matrix to the CTM."""
        value = matrix(operands)
        if value is not None:
            frame.state.ctm = mul(value, frame.state.ctm)

    def op_font(self, frame: Frame, operands: list[Any]) -> None:
        """``Tf``: select a font (and note the page it is used on)."""
        if not operands:
            return
        font = resource(frame.resources, "/Font", str(operands[0]))
        if not isinstance(font, pikepdf.Dictionary):
            frame.state.font = None
            return
        key = key_of(font)
        info = self.facts.fonts.get(key)
        if info is None:
            before = self.facts.reader.left
            info = self.facts.fonts[key] = font_info(font, self.facts.reader)
            self.font_bytes += before - self.facts.reader.left
            self.info_keys[id(info)] = key
        pages = self.facts.font_pages.setdefault(key, [])
        if not pages or pages[-1] != self.number:
            pages.append(self.number)
            self.page_fonts.append(key)
        frame.state.font = info
        try:
            frame.state.font_size = float(operands[1]) if len(operands) > 1 else 0.0
        except (TypeError, ValueError):
            frame.state.font_size = 0.0

    def op_begin_text(self, frame: Frame, operands: list[Any]) -> None:
        """``BT``: the text matrix starts as the identity."""
        frame.text_matrix = IDENTITY

    def op_text_matrix(self, frame: Frame, operands: list[Any]) -> None:
        """``Tm``: set the text matrix."""
        value = matrix(operands)
        if value is not None:
            frame.text_matrix = value

    def op_render_mode(self, frame: Frame, operands: list[Any]) -> None:
        """``Tr``: the text rendering mode."""
        with contextlib.suppress(IndexError, TypeError, ValueError):
            frame.state.render = int(operands[0])

    def record_text(self, frame: Frame, data: bytes) -> None:
        """Note a text run: size as printed, fill colour, overprint, glyphs and codes."""
        state = frame.state
        font = state.font
        if font is None or state.render in (3, 7) or not data:
            return
        a, b, c, d, _, _ = mul(frame.text_matrix, state.ctm)
        size = abs(state.font_size) * math.sqrt(abs(a * d - b * c))
        glyphs = len(data) // 2 if font.kind == "type0" and font.identity else len(font.codes(data))
        overprint = state.overprint and state.overprint_mode == 1
        self.content.text.append(TextRun(size, state.fill, overprint, glyphs, font, data))
        self.run_fonts.append(self.info_keys[id(font)])

    def op_show(self, frame: Frame, operands: list[Any]) -> None:
        """``Tj``, ``TJ``, ``'``, ``"``: note the text run, count the codes that draw .notdef."""
        font = frame.state.font
        if font is None or not operands:
            return
        data = _shown(operands[-1])
        if self.print:  # text runs feed the press rules only
            self.record_text(frame, data)
        if font.identity and font.cid_to_gid is None and b"\x00\x00" not in data:
            return  # the common case: a glyph id 0 needs two zero bytes somewhere
        for code in font.notdefs(data):  # each string holds whole codes: joined they split alike
            self.notdef_codes.append((self.info_keys[id(font)], code))
            self.content.notdef[font.name] += 1
            text = font.text_of(code)
            if text:
                self.content.notdef_text.setdefault(font.name, []).append(text)

    def op_rgb_fill(self, frame: Frame, operands: list[Any]) -> None:
        """``rg``: an RGB fill colour."""
        self.content.rgb.append("fill colour (rg)")
        frame.state.fill_space = pikepdf.Name.DeviceRGB
        frame.state.fill = Fill("/DeviceRGB", _numbers(operands), None)

    def op_gray_fill(self, frame: Frame, operands: list[Any]) -> None:
        """``g``: a DeviceGray fill colour."""
        frame.state.fill_space = None
        frame.state.fill = _fill(None, _numbers(operands), frame.resources)

    def op_cmyk_fill(self, frame: Frame, operands: list[Any]) -> None:
        """``k``: a DeviceCMYK fill colour."""
        frame.state.fill_space = pikepdf.Name.DeviceCMYK
        frame.state.fill = _fill(pikepdf.Name.DeviceCMYK, _numbers(operands), frame.resources)

    def op_fill_colour(self, frame: Frame, operands: list[Any]) -> None:
        """``sc``/``scn`` with numbers: a fill colour in the current fill space."""
        space = frame.state.fill_space
        frame.state.fill = _fill(space, _numbers(operands), frame.resources)

    def op_rgb_stroke(self, frame: Frame, operands: list[Any]) -> None:
        """``RG``: an RGB stroke colour."""
        self.content.rgb.append("stroke colour (RG)")

    def op_gstate(self, frame: Frame, operands: list[Any]) -> None:
        """``gs``: an ExtGState, which may make drawing transparent or set overprint."""
        if not operands:
            return
        gstate = resource(frame.resources, "/ExtGState", str(operands[0]))
        why = transparent_gstate(gstate)
        if why:
            self.content.transparency.append(why)
        if isinstance(gstate, pikepdf.Dictionary):
            fill_op = gstate.get("/op", gstate.get("/OP"))
            if fill_op is not None:
                frame.state.overprint = bool(fill_op)
            mode = gstate.get("/OPM")
            if mode is not None:
                frame.state.overprint_mode = int(mode)

    def _colour_space(self, frame: Frame, operands: list[Any], which: str, op: str) -> None:
        if not operands:
            return
        if calibrated(operands[0], frame.resources):
            self.content.calibrated.append(f"colour space {short(operands[0], 40)}")
        if colour_kind(operands[0], frame.resources) == "rgb":
            self.content.rgb.append(f"{which} colour space {short(operands[0], 40)} ({op})")

    def op_fill_space(self, frame: Frame, operands: list[Any]) -> None:
        """``cs``: a fill colour space (its initial colour: full ink, or black)."""
        self._colour_space(frame, operands, "fill", "cs")
        if not operands:
            return
        space = operands[0]
        if str(space) in ("/DeviceGray", "/G"):
            space = None
        frame.state.fill_space = space
        names = ink_names(space, frame.resources) if space is not None else (("K",), True)
        if names is None or names[1]:
            initial: tuple[float, ...] = (0.0,)  # gray 0 is black; unknown spaces: no inks
        elif names[0] == PROCESS_INKS:
            initial = (0.0, 0.0, 0.0, 1.0)
        else:
            initial = (1.0,) * len(names[0])  # a Separation or DeviceN starts at full tint
        frame.state.fill = _fill(space, initial, frame.resources)

    def op_stroke_space(self, frame: Frame, operands: list[Any]) -> None:
        """``CS``: a stroke colour space."""
        self._colour_space(frame, operands, "stroke", "CS")

    def op_fill_pattern_colour(self, frame: Frame, operands: list[Any]) -> None:
        """``scn``: a fill colour, or a pattern to walk."""
        if operands and isinstance(operands[-1], pikepdf.Name):
            frame.state.fill = Fill(_label(frame.state.fill_space), (), None)
            self.op_pattern_colour(frame, operands)
        else:
            self.op_fill_colour(frame, operands)

    def op_pattern_colour(self, frame: Frame, operands: list[Any]) -> None:
        """``scn``/``SCN`` with a pattern name: walk the pattern."""
        if not operands or not isinstance(operands[-1], pikepdf.Name):
            return
        pattern = resource(frame.resources, "/Pattern", str(operands[-1]))
        if pattern is None:
            return
        pattern_type = pattern.get("/PatternType")
        if pattern_type is not None and int(pattern_type) == 2:
            shading = pattern.get("/Shading")
            if (
                isinstance(shading, pikepdf.Dictionary)
                and colour_kind(shading.get("/ColorSpace"), frame.resources) == "rgb"
            ):
                self.content.rgb.append("shading pattern")
            return
        if not isinstance(pattern, pikepdf.Stream):
            return
        placed = matrix(pattern.get("/Matrix", [1, 0, 0, 1, 0, 0])) or IDENTITY
        inner = pattern.get("/Resources") or frame.resources
        self.nested(pattern, inner, mul(placed, frame.base), frame)

    def op_shading(self, frame: Frame, operands: list[Any]) -> None:
        """``sh``: paint a shading."""
        if not operands:
            return
        shading = resource(frame.resources, "/Shading", str(operands[0]))
        if shading is not None and colour_kind(shading.get("/ColorSpace"), frame.resources) == (
            "rgb"
        ):
            self.content.rgb.append(f"shading {short(operands[0], 40)}")

    def op_xobject(self, frame: Frame, operands: list[Any]) -> None:
        """``Do``: draw an image or a form."""
        if not operands:
            return
        name = str(operands[0])
        xobject = resource(frame.resources, "/XObject", name)
        if xobject is None:
            return
        label = name.lstrip("/")
        subtype = str(xobject.get("/Subtype", ""))
        resources, content = frame.resources, self.content
        if subtype == "/Image":
            if xobject.get("/ImageMask"):
                return
            width, height = int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
            if colour_kind(xobject.get("/ColorSpace"), resources) == "rgb":
                content.rgb.append(f"image {label} ({width}×{height} px, RGB)")
            if calibrated(xobject.get("/ColorSpace"), resources):
                content.calibrated.append(f"image {label}")
            if xobject.get("/SMask") is not None or xobject.get("/SMaskInData"):
                content.transparency.append(f"image {label} with an alpha channel")
            self.placed(label, width, height, frame.state.ctm)
        elif subtype == "/Form":
            if frame.depth >= MAX_DEPTH or key_of(xobject) in frame.active:
                return
            if rgb_group(xobject, resources):
                content.rgb.append(f"transparency group of form {label}")
            group = xobject.get("/Group")
            if isinstance(group, pikepdf.Dictionary) and str(group.get("/S")) == "/Transparency":
                content.transparency.append(f"transparency group {label}")
                if calibrated(group.get("/CS"), resources):
                    content.calibrated.append(f"blending space of {label}")
            placed = matrix(xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])) or IDENTITY
            inner = xobject.get("/Resources") or resources
            self.nested(xobject, inner, mul(placed, frame.state.ctm), frame)

    # ----------------------------------------------------------------- images

    def inline_image(self, image: Any, frame: Frame) -> None:
        """An inline image (``BI ... ID ... EI``): its colour and resolution."""
        try:
            if image.image_mask:
                return
            width, height = int(image.width), int(image.height)
            space = image.colorspace
        except (AttributeError, ValueError, TypeError, NotImplementedError, pikepdf.PdfError):
            return
        if isinstance(space, str) and space.startswith("/"):
            space = pikepdf.Name(space)
        if colour_kind(space, frame.resources) == "rgb":
            self.content.rgb.append(f"inline image ({width}×{height} px, RGB)")
        self.placed("inline image", width, height, frame.state.ctm)

    def placed(self, label: str, width: int, height: int, ctm: Matrix) -> None:
        """Note the resolution of an image of ``width`` × ``height`` px placed by ``ctm``."""
        a, b, c, d, _, _ = ctm
        placed_w, placed_h = math.hypot(a, b), math.hypot(c, d)
        if width <= 0 or height <= 0 or placed_w < 1e-6 or placed_h < 1e-6:
            return
        ppi = min(width / (placed_w / 72), height / (placed_h / 72))
        previous = self.content.images.get(label)
        if previous is None or ppi < previous[0]:
            self.content.images[label] = (ppi, width, height, mm(placed_w), mm(placed_h))


_HEX_STRING = re.compile(rb"<([0-9A-Fa-f\s]*)>")


def _shown(operand: Any) -> bytes:
    """The strings a text-showing operator shows, joined (the numbers of ``TJ`` left out).

    WeasyPrint writes ``TJ`` arrays of hex strings: those are read from the array's own
    syntax in one go; anything else (literal strings) piece by piece.
    """
    if isinstance(operand, pikepdf.String):
        return bytes(operand)
    if not isinstance(operand, pikepdf.Array):
        return b""
    raw = operand.unparse()
    if b"(" not in raw:
        pieces = [re.sub(rb"\s", b"", h) for h in _HEX_STRING.findall(raw)]
        if all(len(h) % 2 == 0 for h in pieces):
            return bytes.fromhex(b"".join(pieces).decode("ascii"))
    return b"".join(bytes(p) for p in operand if isinstance(p, pikepdf.String))


def _numbers(operands: list[Any]) -> tuple[float, ...]:
    values = []
    for operand in operands:
        try:
            values.append(float(operand))
        except (TypeError, ValueError):
            continue
    return tuple(values)


def _fill(space: Any, values: tuple[float, ...], resources: Any) -> Fill:
    """The fill colour ``values`` give in ``space`` (None: DeviceGray)."""
    label = _label(space)
    device_cmyk = label in ("/DeviceCMYK", "/CMYK")
    names = ink_names(space, resources) if space is not None else (("K",), True)
    if names is None:
        return Fill(label, values, None, device_cmyk)
    colorants, inverted = names
    if inverted:
        values = tuple(1 - v for v in values)
    if len(values) == 1 and len(colorants) > 1:
        values = values * len(colorants)
    inks = tuple(
        (name, round(min(max(value, 0.0), 1.0), 4))
        for name, value in zip(colorants, values, strict=False)
        if value > 0.0005
    )
    return Fill(label, values, inks, device_cmyk)


def _label(space: Any) -> str | None:
    """A colour space as :attr:`Fill.space` names it."""
    if space is None:
        return None
    return str(space) if isinstance(space, pikepdf.Name) else short(space, 200)


ContentWalker.HANDLERS = {
    "q": ContentWalker.op_save,
    "Q": ContentWalker.op_restore,
    "cm": ContentWalker.op_concat,
    "Tf": ContentWalker.op_font,
    "Tj": ContentWalker.op_show,
    "TJ": ContentWalker.op_show,
    "'": ContentWalker.op_show,
    '"': ContentWalker.op_show,
    "BT": ContentWalker.op_begin_text,
    "Tm": ContentWalker.op_text_matrix,
    "Tr": ContentWalker.op_render_mode,
    "rg": ContentWalker.op_rgb_fill,
    "g": ContentWalker.op_gray_fill,
    "k": ContentWalker.op_cmyk_fill,
    "sc": ContentWalker.op_fill_colour,
    "RG": ContentWalker.op_rgb_stroke,
    "gs": ContentWalker.op_gstate,
    "cs": ContentWalker.op_fill_space,
    "CS": ContentWalker.op_stroke_space,
    "scn": ContentWalker.op_fill_pattern_colour,
    "SCN": ContentWalker.op_pattern_colour,
    "sh": ContentWalker.op_shading,
    "Do": ContentWalker.op_xobject,
}
