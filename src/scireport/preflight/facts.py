"""One pass over a PDF: the facts preflight's rules judge, collected page by page.

Each page's content streams (and the forms and tiling patterns they draw) are walked once;
every operator goes to its handler through :data:`ContentWalker.HANDLERS`. The rules never
read content themselves: they look at :class:`PageFacts` and :class:`DocumentFacts`.
"""

from __future__ import annotations

import contextlib
import math
import re
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pikepdf

from ..models import LayoutManifest
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
from .fonts import FontInfo, font_info
from .geometry import IDENTITY, Matrix, PageBoxes, inherited, matrix, mm, mul, page_boxes
from .streams import StreamReader

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

    space: Any = None
    """The colour space as the content named it (a name or an array), None for DeviceGray."""
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


def collect(
    pdf: pikepdf.Pdf,
    edition: str,
    manifest: LayoutManifest | None,
    expected_pages: int | None,
) -> DocumentFacts:
    """Read the facts of ``pdf`` in one pass over its pages."""
    facts = DocumentFacts(pdf, edition, manifest, expected_pages, StreamReader())
    facts.xmp = _read_xmp(pdf, facts.reader)
    walker = ContentWalker(facts)
    for number, page in enumerate(pdf.pages, start=1):
        page_facts = PageFacts(number)
        facts.pages.append(page_facts)
        try:
            page_facts.boxes = page_boxes(page.obj)
            page_facts.content = walker.page(page, number)
        except READ_ERRORS as exc:
            page_facts.error = short(exc)
    return facts


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

    def page(self, page: pikepdf.Page, number: int) -> ContentFacts:
        """Walk one page's content streams (and the forms and patterns they use)."""
        self.content, self.number, self.operators = ContentFacts(), number, 0
        self.parsed = {}
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

    def parse(self, data: bytes) -> list[Any]:
        """The instructions of the content ``data``, within the operator budgets.

        The operators are counted from above before parsing (every run of letters may be
        one), so that a stream of millions of tiny operators is refused unparsed.
        """
        left = min(MAX_OPERATORS - self.operators, MAX_DOCUMENT_OPERATORS - self.document_operators)
        if len(data) // 2 > left and sum(1 for _ in _OPERATOR_LIKE.finditer(data)) > left:
            raise self._too_many()
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
            info = self.facts.fonts[key] = font_info(font, self.facts.reader)
        pages = self.facts.font_pages.setdefault(key, [])
        if not pages or pages[-1] != self.number:
            pages.append(self.number)
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
            self.content.notdef[font.name] += 1
            text = font.text_of(code)
            if text:
                self.content.notdef_text.setdefault(font.name, []).append(text)

    def op_rgb_fill(self, frame: Frame, operands: list[Any]) -> None:
        """``rg``: an RGB fill colour."""
        self.content.rgb.append("fill colour (rg)")
        frame.state.fill_space = pikepdf.Name.DeviceRGB
        frame.state.fill = Fill(pikepdf.Name.DeviceRGB, _numbers(operands), None)

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
            frame.state.fill = Fill(frame.state.fill_space, (), None)
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
    device_cmyk = space is not None and str(space) in ("/DeviceCMYK", "/CMYK")
    names = ink_names(space, resources) if space is not None else (("K",), True)
    if names is None:
        return Fill(space, values, None, device_cmyk)
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
    return Fill(space, values, inks, device_cmyk)


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
