"""Preflight stage: an independent inspection of a written PDF, ours or anyone's.

It reads the file with pikepdf only (nothing from the build is trusted) and reports what a
press or an accessibility checker would reject:

- page boxes: TrimBox inside BleedBox inside MediaBox, enough bleed on every side, the same
  geometry on every page, the trimmed size and page count the layout expects;
- fonts embedded and subset, no ``.notdef`` glyph shown (content streams are parsed,
  form XObjects and tiling patterns included);
- print: a PDF/X output intent with a CMYK profile, a PDF/X identification (with Trapped and
  a title), no RGB anywhere (colour operators, colour spaces, images, shadings, transparency
  groups), no transparency in PDF/X-1a and X-3, no ICC/CIE colour in PDF/X-1a, and the
  effective resolution of every placed image;
- screen: tags (StructTreeRoot, MarkInfo), document language, bookmarks, PDF/UA markers.

Every problem is a :class:`~scireport.errors.Finding` with a ``pdf-`` rule id; a file that is
not a PDF, or is damaged, gives a ``pdf-unreadable`` finding, never a traceback.
"""

from __future__ import annotations

import math
import re
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from .errors import Finding, Severity
from .models import LayoutManifest

MM = 72 / 25.4
"""PDF points per millimetre."""

BOX_TOLERANCE_MM = 0.05
"""Rounding slack when comparing page boxes."""

SIZE_TOLERANCE_MM = 0.5
"""Slack when comparing the trimmed page size with the layout's."""

DEFAULT_MIN_BLEED_MM = 3.0
DEFAULT_PPI = (150, 300)
MAX_DEPTH = 12
"""Deepest nesting of form XObjects / patterns followed."""
MAX_LISTED = 6
"""Items named in one finding's message before ``and N more``."""

PDFX_NS = "http://www.npes.org/pdfx/ns/id/"
PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
DC_NS = "http://purl.org/dc/elements/1.1/"
PDF_NS = "http://ns.adobe.com/pdf/1.3/"

_SUBSET_RE = re.compile(r"^[A-Z]{6}\+")
_TEXT_OPS = {"Tj", "TJ", "'", '"'}
_PAINTING_COLOUR_OPS = {"rg": "fill colour (rg)", "RG": "stroke colour (RG)"}

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class _Unreadable(Exception):
    """Raised inside the inspection when a structure cannot be read."""


# Errors pikepdf or malformed objects raise while we walk a damaged file.
_READ_ERRORS: tuple[type[BaseException], ...] = (
    pikepdf.PdfError,
    _Unreadable,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    RuntimeError,
    ZeroDivisionError,
    OverflowError,
)


def preflight(
    path: Path,
    *,
    edition: str = "print",
    manifest: LayoutManifest | None = None,
    pages: int | None = None,
) -> list[Finding]:
    """Inspect the PDF at ``path`` as a press (``print``) or a screen reader (``screen``) would.

    ``manifest`` (a layout's) supplies the minimum bleed, the trimmed page size and the image
    resolution limits; without it the defaults are 3 mm bleed and 150/300 ppi and the page
    size is not checked. ``pages`` is the expected page count, when the caller knows it.
    Returns the findings (empty when the file passes); never raises for a bad file.
    """
    if edition not in ("print", "screen"):
        raise ValueError(f"edition must be 'print' or 'screen', not {edition!r}")
    report = _Report(str(path))
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        report.add("pdf-unreadable", "error", "the PDF is encrypted; send an unencrypted file")
        return report.findings
    except FileNotFoundError:
        report.add("pdf-unreadable", "error", "no such file; check the path")
        return report.findings
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        report.add(
            "pdf-unreadable",
            "error",
            f"not a readable PDF ({_short(exc)}); export the file again as PDF",
        )
        return report.findings
    with pdf:
        _Inspector(pdf, report, edition, manifest, pages).run()
        damage = [w for w in pdf.get_warnings() if w]
        if damage:
            listing = "; ".join(_short(w) for w in damage[:3])
            report.add(
                "pdf-unreadable",
                "warning",
                f"the file is damaged ({listing}); export it again before sending it on",
            )
    return report.findings


def _short(value: object, limit: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Report:
    """Collects findings about one file."""

    file: str
    findings: list[Finding] = field(default_factory=list)

    def add(self, rule: str, severity: Severity, message: str, page: int | None = None) -> None:
        self.findings.append(
            Finding(
                file=self.file,
                line=None,
                column=None,
                path="",
                rule=rule,
                severity=severity,
                message=message,
                page=page,
            )
        )


def _pages_text(pages: list[int], total: int) -> str:
    """``on every page`` / ``on page 3`` / ``on pages 1-4, 7``."""
    if total > 1 and len(pages) == total:
        return "on every page"
    if len(pages) == 1:
        return f"on page {pages[0]}"
    runs: list[str] = []
    start = prev = pages[0]
    for number in [*pages[1:], -1]:
        if number == prev + 1:
            prev = number
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = number
    return "on pages " + ", ".join(runs)


def _listing(items: Iterable[str]) -> str:
    unique = list(dict.fromkeys(items))
    shown = ", ".join(unique[:MAX_LISTED])
    if len(unique) > MAX_LISTED:
        shown += f" and {len(unique) - MAX_LISTED} more"
    return shown


# --------------------------------------------------------------------------- geometry


def _mul(m1: Matrix, m2: Matrix) -> Matrix:
    """``m1 × m2``: apply ``m1`` first, then ``m2`` (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _matrix(values: Any) -> Matrix | None:
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError):
        return None
    if len(numbers) != 6 or not all(math.isfinite(n) for n in numbers):
        return None
    return (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])


def _inherited(page: pikepdf.Dictionary, key: str) -> Any:
    """A page attribute, looked up the page tree (MediaBox, CropBox, Resources, Rotate)."""
    node: Any = page
    for _ in range(64):
        if node is None:
            return None
        value = node.get(key)
        if value is not None:
            return value
        node = node.get("/Parent")
    return None


def _box(value: Any) -> Box | None:
    if value is None:
        return None
    try:
        x1, y1, x2, y2 = (float(v) for v in value)
    except (TypeError, ValueError):
        raise _Unreadable("a page box is not four numbers") from None
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _inside(inner: Box, outer: Box) -> bool:
    slack = BOX_TOLERANCE_MM * MM
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def _mm(points: float) -> float:
    return points / MM


def _fmt(mm: float) -> str:
    return f"{mm:.1f}".rstrip("0").rstrip(".") if abs(mm - round(mm)) < 0.05 else f"{mm:.1f}"


@dataclass
class _PageBoxes:
    media: Box
    crop: Box
    bleed: Box
    trim: Box
    has_trim: bool
    has_bleed: bool
    rotate: int


def _page_boxes(page: pikepdf.Dictionary) -> _PageBoxes:
    media = _box(_inherited(page, "/MediaBox"))
    if media is None:
        raise _Unreadable("the page has no MediaBox")
    crop = _box(_inherited(page, "/CropBox")) or media
    bleed = _box(page.get("/BleedBox"))
    trim = _box(page.get("/TrimBox"))
    rotate = _inherited(page, "/Rotate")
    try:
        turns = int(rotate) % 360 if rotate is not None else 0
    except (TypeError, ValueError):
        turns = 0
    return _PageBoxes(
        media=media,
        crop=crop,
        bleed=bleed or crop,
        trim=trim or crop,
        has_trim=trim is not None,
        has_bleed=bleed is not None,
        rotate=turns,
    )


# --------------------------------------------------------------------------- colour


def _colour_kind(space: Any, resources: Any, depth: int = 0) -> str:
    """Classify a colour space: rgb, cmyk, gray, lab, spot, pattern or unknown."""
    if depth > 8 or space is None:
        return "unknown"
    if isinstance(space, pikepdf.Name):
        name = str(space)
        simple = {
            "/DeviceRGB": "rgb",
            "/RGB": "rgb",
            "/DeviceCMYK": "cmyk",
            "/CMYK": "cmyk",
            "/DeviceGray": "gray",
            "/G": "gray",
            "/Pattern": "pattern",
        }
        if name in simple:
            return simple[name]
        named = _resource(resources, "/ColorSpace", name)
        return _colour_kind(named, resources, depth + 1) if named is not None else "unknown"
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family == "/ICCBased" and len(space) > 1:
            components = space[1].get("/N")
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(
                int(components) if components is not None else 0, "unknown"
            )
        if family == "/CalRGB":
            return "rgb"
        if family == "/CalGray":
            return "gray"
        if family == "/Lab":
            return "lab"
        if family in ("/Indexed", "/I") and len(space) > 1:
            return _colour_kind(space[1], resources, depth + 1)
        if family in ("/Separation", "/DeviceN"):
            return "spot"
        if family == "/Pattern":
            return "pattern"
        return _colour_kind(space[0], resources, depth + 1)
    return "unknown"


def _calibrated(space: Any, resources: Any, depth: int = 0) -> bool:
    """Whether a colour space is ICC-based or CIE-based (not allowed in PDF/X-1a)."""
    if depth > 8 or space is None:
        return False
    if isinstance(space, pikepdf.Name):
        named = _resource(resources, "/ColorSpace", str(space))
        return named is not None and _calibrated(named, resources, depth + 1)
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family in ("/ICCBased", "/Lab", "/CalRGB", "/CalGray"):
            return True
        if family in ("/Indexed", "/I") and len(space) > 1:
            return _calibrated(space[1], resources, depth + 1)
    return False


def _transparent_gstate(gstate: Any) -> str | None:
    """What in an ExtGState makes drawing transparent, or None."""
    if not isinstance(gstate, pikepdf.Dictionary):
        return None
    for key in ("/ca", "/CA"):
        value = gstate.get(key)
        if value is not None and float(value) < 1:
            return f"opacity {float(value):g}"
    mask = gstate.get("/SMask")
    if mask is not None and str(mask) != "/None":
        return "soft mask"
    blend = gstate.get("/BM")
    if blend is not None and str(blend) not in ("/Normal", "/Compatible", "[/Normal]"):
        return f"blend mode {_short(blend, 20)}"
    return None


def _rgb_group(obj: Any, resources: Any) -> bool:
    """Whether ``obj`` (a page or form) has a transparency group blending in RGB."""
    group = obj.get("/Group")
    if not isinstance(group, pikepdf.Dictionary) or group.get("/CS") is None:
        return False
    return _colour_kind(group.get("/CS"), resources) == "rgb"


def _resource(resources: Any, category: str, name: str) -> Any:
    if resources is None:
        return None
    group = resources.get(category)
    if group is None or not isinstance(group, pikepdf.Dictionary):
        return None
    return group.get(name)


# --------------------------------------------------------------------------- fonts


def _hex(token: bytes) -> bytes | None:
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
class _CMap:
    """An embedded CMap: byte codes to CIDs (or to Unicode for a ToUnicode CMap)."""

    spaces: list[tuple[bytes, bytes]] = field(default_factory=list)
    single: dict[bytes, int | str] = field(default_factory=dict)
    ranges: list[tuple[bytes, bytes, int | bytes]] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes) -> _CMap:
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
                    lo, hi = _hex(operands[0]), _hex(operands[1])
                    if lo is not None and hi is not None and len(lo) == len(hi):
                        cmap.spaces.append((lo, hi))
                    operands = []
            elif mode in (b"begincidchar", b"beginbfchar"):
                operands.append(token)
                if len(operands) == 2:
                    code = _hex(operands[0])
                    if code is not None:
                        target = _hex(operands[1])
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
                    lo, hi = _hex(operands[0]), _hex(operands[1])
                    start: int | bytes | None = _hex(operands[2])
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
class _FontInfo:
    """What preflight needs to know about one font resource."""

    name: str
    embedded: bool
    subset: bool
    kind: str
    """``type0``, ``type3`` or ``simple``."""
    encoding: _CMap | None = None
    """Embedded CMap of a Type0 font; None for Identity-H/V (code = CID, 2 bytes)."""
    identity: bool = False
    cid_to_gid: bytes | None = None
    notdef_codes: frozenset[int] = frozenset()
    """Byte codes a simple font maps to /.notdef through its Differences."""
    to_unicode: _CMap | None = None

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

    def text_of(self, code: bytes) -> str | None:
        """The Unicode text the font's ToUnicode gives ``code``, if any."""
        if self.to_unicode is None:
            return None
        value = self.to_unicode.lookup(code)
        return value if isinstance(value, str) and value else None


def _font_info(font: Any) -> _FontInfo:
    subtype = str(font.get("/Subtype", ""))
    base = str(font.get("/BaseFont", "")).lstrip("/") or "(unnamed)"
    to_unicode = None
    if isinstance(font.get("/ToUnicode"), pikepdf.Stream):
        try:
            to_unicode = _CMap.parse(font.ToUnicode.read_bytes())
        except pikepdf.PdfError:
            to_unicode = None
    if subtype == "/Type3":
        return _FontInfo(base, True, True, "type3", to_unicode=to_unicode)
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or len(descendants) == 0:
            raise _Unreadable(f"font {base} has no descendant font")
        descendant = descendants[0]
        name = str(descendant.get("/BaseFont", "")).lstrip("/") or base
        descriptor = descendant.get("/FontDescriptor")
        encoding = font.get("/Encoding")
        identity = isinstance(encoding, pikepdf.Name) and str(encoding) in (
            "/Identity-H",
            "/Identity-V",
        )
        cmap = _CMap.parse(encoding.read_bytes()) if isinstance(encoding, pikepdf.Stream) else None
        gid_map = descendant.get("/CIDToGIDMap")
        cid_to_gid = gid_map.read_bytes() if isinstance(gid_map, pikepdf.Stream) else None
        return _FontInfo(
            name,
            _has_font_file(descriptor),
            bool(_SUBSET_RE.match(name)),
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
    return _FontInfo(
        base,
        _has_font_file(font.get("/FontDescriptor")),
        bool(_SUBSET_RE.match(base)),
        "simple",
        notdef_codes=frozenset(notdef),
        to_unicode=to_unicode,
    )


def _has_font_file(descriptor: Any) -> bool:
    if not isinstance(descriptor, pikepdf.Dictionary):
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


# --------------------------------------------------------------------------- content


@dataclass
class _GState:
    """The part of the graphics state preflight follows: CTM and current font."""

    ctm: Matrix = IDENTITY
    font: _FontInfo | None = None


@dataclass
class _PageScan:
    """What one page's content uses."""

    rgb: list[str] = field(default_factory=list)
    notdef: Counter[str] = field(default_factory=Counter)
    notdef_text: dict[str, list[str]] = field(default_factory=dict)
    images: dict[str, tuple[float, int, int, float, float]] = field(default_factory=dict)
    """Image label -> (lowest ppi, px width, px height, placed width mm, height mm)."""
    damage: list[str] = field(default_factory=list)
    """What the content parser complained about (e.g. a stream that ends early)."""
    transparency: list[str] = field(default_factory=list)
    """Transparency used (forbidden in PDF/X-1a and PDF/X-3)."""
    calibrated: list[str] = field(default_factory=list)
    """ICC-based or CIE colour spaces used (forbidden in PDF/X-1a)."""


def _key(obj: Any) -> tuple[int, int] | int:
    objgen = obj.objgen
    return objgen if objgen != (0, 0) else id(obj)


class _Inspector:
    """Runs every check on an open PDF and adds findings to a report."""

    def __init__(
        self,
        pdf: pikepdf.Pdf,
        report: _Report,
        edition: str,
        manifest: LayoutManifest | None,
        pages: int | None,
    ) -> None:
        self.pdf = pdf
        self.report = report
        self.edition = edition
        self.manifest = manifest
        self.expected_pages = pages
        self.fonts: dict[tuple[int, int] | int, _FontInfo] = {}
        self.font_pages: dict[tuple[int, int] | int, list[int]] = {}
        limits = manifest.image_min_ppi if manifest else DEFAULT_PPI
        self.ppi_error, self.ppi_warning = limits
        self.xmp = self._read_xmp()
        in_xmp = self._xmp_values(PDFX_NS, "GTS_PDFXVersion")
        self.pdfx_version = in_xmp[0] if in_xmp else self._info("/GTS_PDFXVersion")

    def run(self) -> None:
        """Run every check for the edition; a check that cannot read the file reports it."""
        checks = [self.check_pages, self.check_fonts]
        if self.edition == "print":
            checks += [self.check_output_intent, self.check_pdfx]
        else:
            checks += [self.check_tags, self.check_lang, self.check_bookmarks, self.check_ua]
        checks.append(self.check_title)
        for check in checks:
            try:
                check()
            except _READ_ERRORS as exc:
                self.report.add(
                    "pdf-unreadable",
                    "error",
                    f"part of the file cannot be read ({_short(exc)}); export the PDF again",
                )

    # ----------------------------------------------------------------- metadata

    def _read_xmp(self) -> ET.Element | None:
        try:
            stream = self.pdf.Root.get("/Metadata")
            if not isinstance(stream, pikepdf.Stream):
                return None
            return ET.fromstring(stream.read_bytes())
        except (pikepdf.PdfError, ET.ParseError, ValueError):
            return None

    def _xmp_values(self, namespace: str, local: str) -> list[str]:
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

    def _info(self, key: str) -> str | None:
        try:
            info = self.pdf.trailer.get("/Info")
            value = info.get(key) if isinstance(info, pikepdf.Dictionary) else None
        except pikepdf.PdfError:
            return None
        if value is None:
            return None
        return str(value).lstrip("/") if isinstance(value, pikepdf.Name) else str(value)

    # ----------------------------------------------------------------- pages

    def check_pages(self) -> None:
        """Boxes, bleed, size and every page's content (colour, glyphs, images)."""
        total = len(self.pdf.pages)
        if total == 0:
            self.report.add("pdf-page-count", "error", "the PDF has no pages")
            return
        if self.expected_pages is not None and total != self.expected_pages:
            self.report.add(
                "pdf-page-count",
                "error",
                f"the PDF has {total} pages but {self.expected_pages} were expected;"
                " rebuild it from the project",
            )
        geometry: dict[int, _PageBoxes] = {}
        for number, page in enumerate(self.pdf.pages, start=1):
            try:
                geometry[number] = _page_boxes(page.obj)
                scan = self.scan_page(page, number)
            except _READ_ERRORS as exc:
                self.report.add(
                    "pdf-unreadable",
                    "error",
                    f"the page cannot be read ({_short(exc)}); export the PDF again",
                    page=number,
                )
                continue
            self.report_scan(scan, number)
        self.check_boxes(geometry, total)
        self.check_size(geometry, total)

    def check_boxes(self, geometry: dict[int, _PageBoxes], total: int) -> None:
        """Box presence, nesting, bleed and sameness (print edition)."""
        if self.edition != "print" or not geometry:
            return
        problems: dict[tuple[str, str], list[int]] = {}

        def note(rule: str, message: str, number: int) -> None:
            problems.setdefault((rule, message), []).append(number)

        min_bleed = self.manifest.page.min_bleed_mm if self.manifest else DEFAULT_MIN_BLEED_MM
        for number, boxes in geometry.items():
            if not boxes.has_trim:
                note(
                    "pdf-boxes",
                    "no TrimBox: the press cannot tell where to cut;"
                    " write the PDF as PDF/X (pdf_variant='pdf/x-4') with @page bleed",
                    number,
                )
            if not boxes.has_bleed:
                note(
                    "pdf-boxes",
                    "no BleedBox: set @page { bleed: 3mm } so the bleed area is declared",
                    number,
                )
            if not _inside(boxes.trim, boxes.bleed):
                note("pdf-boxes", "the TrimBox is not inside the BleedBox", number)
            if not _inside(boxes.bleed, boxes.media):
                note("pdf-boxes", "the BleedBox is not inside the MediaBox", number)
            sides = {
                "left": boxes.trim[0] - boxes.bleed[0],
                "bottom": boxes.trim[1] - boxes.bleed[1],
                "right": boxes.bleed[2] - boxes.trim[2],
                "top": boxes.bleed[3] - boxes.trim[3],
            }
            short = {side: _mm(value) for side, value in sides.items()}
            if min(short.values()) < min_bleed - BOX_TOLERANCE_MM:
                if len({round(v, 1) for v in short.values()}) == 1:
                    amount = f"{_fmt(next(iter(short.values())))} mm on every side"
                else:
                    amount = ", ".join(f"{s} {_fmt(v)} mm" for s, v in short.items())
                note(
                    "pdf-bleed",
                    f"the bleed is {amount}; the press needs at least {_fmt(min_bleed)} mm:"
                    f" set @page {{ bleed: {_fmt(min_bleed)}mm }} (layout page.bleed_mm) and"
                    " run backgrounds that touch the edge into it",
                    number,
                )
        signatures = {number: self._signature(boxes) for number, boxes in geometry.items()}
        common, _ = Counter(signatures.values()).most_common(1)[0]
        for number, signature in signatures.items():
            if signature != common:
                note(
                    "pdf-boxes",
                    f"page geometry ({signature}) differs from the other pages ({common});"
                    " every page of a print file needs the same trim size and bleed",
                    number,
                )
        for (rule, message), numbers in problems.items():
            where = f" ({_pages_text(numbers, total)})" if len(numbers) > 1 else ""
            self.report.add(rule, "error", message + where, page=numbers[0])

    @staticmethod
    def _signature(boxes: _PageBoxes) -> str:
        trim_w, trim_h = _mm(boxes.trim[2] - boxes.trim[0]), _mm(boxes.trim[3] - boxes.trim[1])
        bleeds = (
            boxes.trim[0] - boxes.bleed[0],
            boxes.trim[1] - boxes.bleed[1],
            boxes.bleed[2] - boxes.trim[2],
            boxes.bleed[3] - boxes.trim[3],
        )
        bleed = "/".join(_fmt(_mm(b)) for b in bleeds)
        return f"trim {trim_w:.1f} × {trim_h:.1f} mm, bleed {bleed} mm"

    def check_size(self, geometry: dict[int, _PageBoxes], total: int) -> None:
        """Trimmed page size against the layout's."""
        if self.manifest is None:
            return
        want_w, want_h = self.manifest.page.width_mm, self.manifest.page.height_mm
        wrong: dict[str, list[int]] = {}
        for number, boxes in geometry.items():
            width = _mm(boxes.trim[2] - boxes.trim[0])
            height = _mm(boxes.trim[3] - boxes.trim[1])
            if boxes.rotate in (90, 270):
                width, height = height, width
            if abs(width - want_w) > SIZE_TOLERANCE_MM or abs(height - want_h) > SIZE_TOLERANCE_MM:
                wrong.setdefault(f"{width:.1f} × {height:.1f} mm", []).append(number)
        for size, numbers in wrong.items():
            self.report.add(
                "pdf-page-size",
                "error",
                f"the trimmed page is {size} {_pages_text(numbers, total)} but the layout"
                f" {self.manifest.name!r} sets {_fmt(want_w)} × {_fmt(want_h)} mm;"
                " check @page size in the layout's CSS",
                page=numbers[0],
            )

    # ----------------------------------------------------------------- content

    def scan_page(self, page: pikepdf.Page, number: int) -> _PageScan:
        """Walk one page's content streams (and the forms and patterns they use)."""
        scan = _PageScan()
        resources = _inherited(page.obj, "/Resources")
        if _rgb_group(page.obj, resources):
            scan.rgb.append("the page's transparency blending space")
        if page.obj.get("/Contents") is None:
            return scan
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self._walk(page, resources, IDENTITY, scan, number, 0, set())
        scan.damage += [_short(w.message) for w in caught]
        return scan

    def _walk(
        self,
        content: Any,
        resources: Any,
        base: Matrix,
        scan: _PageScan,
        number: int,
        depth: int,
        active: set[tuple[int, int] | int],
    ) -> None:
        state = _GState(ctm=base)
        stack: list[_GState] = []
        for instruction in pikepdf.parse_content_stream(content):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                self._inline_image(instruction.iimage, resources, state.ctm, scan)
                continue
            operands, op = instruction.operands, str(instruction.operator)
            if op == "q":
                stack.append(_GState(state.ctm, state.font))
            elif op == "Q":
                if stack:
                    state = stack.pop()
            elif op == "cm":
                matrix = _matrix(operands)
                if matrix is not None:
                    state.ctm = _mul(matrix, state.ctm)
            elif op == "Tf" and operands:
                state.font = self._font(resources, operands[0], number)
            elif op in _TEXT_OPS and state.font is not None and operands:
                self._text(operands[-1], state.font, scan)
            elif op in _PAINTING_COLOUR_OPS:
                scan.rgb.append(_PAINTING_COLOUR_OPS[op])
            elif op == "gs" and operands:
                gstate = _resource(resources, "/ExtGState", str(operands[0]))
                why = _transparent_gstate(gstate)
                if why:
                    scan.transparency.append(why)
            elif op in ("cs", "CS") and operands:
                if _calibrated(operands[0], resources):
                    scan.calibrated.append(f"colour space {_short(operands[0], 40)}")
                if _colour_kind(operands[0], resources) == "rgb":
                    which = "fill" if op == "cs" else "stroke"
                    scan.rgb.append(f"{which} colour space {_short(operands[0], 40)} ({op})")
            elif op in ("scn", "SCN") and operands and isinstance(operands[-1], pikepdf.Name):
                pattern = _resource(resources, "/Pattern", str(operands[-1]))
                if pattern is not None:
                    self._pattern(pattern, resources, base, scan, number, depth, active)
            elif op == "sh" and operands:
                shading = _resource(resources, "/Shading", str(operands[0]))
                if (
                    shading is not None
                    and _colour_kind(shading.get("/ColorSpace"), resources) == "rgb"
                ):
                    scan.rgb.append(f"shading {_short(operands[0], 40)}")
            elif op == "Do" and operands:
                xobject = _resource(resources, "/XObject", str(operands[0]))
                if xobject is not None:
                    self._xobject(
                        str(operands[0]), xobject, resources, state.ctm, scan, number, depth, active
                    )

    def _font(self, resources: Any, name: Any, number: int) -> _FontInfo | None:
        font = _resource(resources, "/Font", str(name))
        if not isinstance(font, pikepdf.Dictionary):
            return None
        key = _key(font)
        info = self.fonts.get(key)
        if info is None:
            info = self.fonts[key] = _font_info(font)
        pages = self.font_pages.setdefault(key, [])
        if not pages or pages[-1] != number:
            pages.append(number)
        return info

    @staticmethod
    def _text(operand: Any, font: _FontInfo, scan: _PageScan) -> None:
        if font.identity and font.cid_to_gid is None and isinstance(operand, pikepdf.Array):
            # Fast path: WeasyPrint writes hex strings; a glyph id 0 needs "0000" somewhere.
            raw = operand.unparse()
            if b"(" not in raw and b"0000" not in raw:
                return
        pieces = operand if isinstance(operand, pikepdf.Array) else [operand]
        for piece in pieces:
            if not isinstance(piece, pikepdf.String):
                continue
            for code in font.notdefs(bytes(piece)):
                scan.notdef[font.name] += 1
                text = font.text_of(code)
                if text:
                    scan.notdef_text.setdefault(font.name, []).append(text)

    def _pattern(
        self,
        pattern: Any,
        resources: Any,
        base: Matrix,
        scan: _PageScan,
        number: int,
        depth: int,
        active: set[tuple[int, int] | int],
    ) -> None:
        pattern_type = pattern.get("/PatternType")
        if pattern_type is not None and int(pattern_type) == 2:
            shading = pattern.get("/Shading")
            if (
                isinstance(shading, pikepdf.Dictionary)
                and _colour_kind(shading.get("/ColorSpace"), resources) == "rgb"
            ):
                scan.rgb.append("shading pattern")
            return
        key = _key(pattern)
        if not isinstance(pattern, pikepdf.Stream) or depth >= MAX_DEPTH or key in active:
            return
        matrix = _matrix(pattern.get("/Matrix", [1, 0, 0, 1, 0, 0])) or IDENTITY
        inner = pattern.get("/Resources") or resources
        self._walk(pattern, inner, _mul(matrix, base), scan, number, depth + 1, active | {key})

    def _xobject(
        self,
        name: str,
        xobject: Any,
        resources: Any,
        ctm: Matrix,
        scan: _PageScan,
        number: int,
        depth: int,
        active: set[tuple[int, int] | int],
    ) -> None:
        subtype = str(xobject.get("/Subtype", ""))
        if subtype == "/Image":
            if xobject.get("/ImageMask"):
                return
            width, height = int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
            if _colour_kind(xobject.get("/ColorSpace"), resources) == "rgb":
                scan.rgb.append(f"image {name.lstrip('/')} ({width}×{height} px, RGB)")
            if _calibrated(xobject.get("/ColorSpace"), resources):
                scan.calibrated.append(f"image {name.lstrip('/')}")
            if xobject.get("/SMask") is not None or xobject.get("/SMaskInData"):
                scan.transparency.append(f"image {name.lstrip('/')} with an alpha channel")
            self._placed(name.lstrip("/"), width, height, ctm, scan)
        elif subtype == "/Form":
            key = _key(xobject)
            if depth >= MAX_DEPTH or key in active:
                return
            if _rgb_group(xobject, resources):
                scan.rgb.append(f"transparency group of form {name.lstrip('/')}")
            group = xobject.get("/Group")
            if isinstance(group, pikepdf.Dictionary) and str(group.get("/S")) == "/Transparency":
                scan.transparency.append(f"transparency group {name.lstrip('/')}")
                if _calibrated(group.get("/CS"), resources):
                    scan.calibrated.append(f"blending space of {name.lstrip('/')}")
            matrix = _matrix(xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])) or IDENTITY
            inner = xobject.get("/Resources") or resources
            self._walk(xobject, inner, _mul(matrix, ctm), scan, number, depth + 1, active | {key})

    def _inline_image(self, image: Any, resources: Any, ctm: Matrix, scan: _PageScan) -> None:
        try:
            if image.image_mask:
                return
            width, height = int(image.width), int(image.height)
            space = image.colorspace
        except (AttributeError, ValueError, TypeError, NotImplementedError, pikepdf.PdfError):
            return
        if isinstance(space, str) and space.startswith("/"):
            space = pikepdf.Name(space)
        if _colour_kind(space, resources) == "rgb":
            scan.rgb.append(f"inline image ({width}×{height} px, RGB)")
        self._placed("inline image", width, height, ctm, scan)

    @staticmethod
    def _placed(label: str, width: int, height: int, ctm: Matrix, scan: _PageScan) -> None:
        a, b, c, d, _, _ = ctm
        placed_w, placed_h = math.hypot(a, b), math.hypot(c, d)
        if width <= 0 or height <= 0 or placed_w < 1e-6 or placed_h < 1e-6:
            return
        ppi = min(width / (placed_w / 72), height / (placed_h / 72))
        previous = scan.images.get(label)
        if previous is None or ppi < previous[0]:
            scan.images[label] = (ppi, width, height, _mm(placed_w), _mm(placed_h))

    def report_scan(self, scan: _PageScan, number: int) -> None:
        """Turn what one page uses into findings."""
        add = self.report.add
        if scan.damage:
            add(
                "pdf-unreadable",
                "warning",
                f"the page's content is damaged ({_listing(scan.damage)}); export the PDF again",
                page=number,
            )
        for font, count in scan.notdef.items():
            chars = scan.notdef_text.get(font, [])
            named = ": " + _listing(f"{c!r} (U+{ord(c[0]):04X})" for c in chars) if chars else ""
            add(
                "pdf-notdef",
                "error",
                f"{count} missing glyph(s) (.notdef) in font {font}{named};"
                " use a font that has these characters, or remove them from the text",
                page=number,
            )
        if self.edition != "print":
            return
        version = self.pdfx_version or ""
        if scan.transparency and version.startswith(("PDF/X-1", "PDF/X-3")):
            add(
                "pdf-pdfx",
                "error",
                f"{version} forbids transparency, found: {_listing(scan.transparency)};"
                " remove opacity and alpha from the layout or write PDF/X-4",
                page=number,
            )
        if scan.calibrated and version.startswith("PDF/X-1"):
            add(
                "pdf-pdfx",
                "error",
                f"{version} allows only DeviceCMYK, gray and spot colours, found ICC/CIE"
                f" colour in: {_listing(scan.calibrated)}; write PDF/X-4 instead",
                page=number,
            )
        if scan.rgb:
            add(
                "pdf-rgb",
                "error",
                f"RGB colour used: {_listing(scan.rgb)}; a print file must be"
                " CMYK: use device-cmyk() colours and convert images with the output profile",
                page=number,
            )
        for label, (ppi, width, height, mm_w, mm_h) in scan.images.items():
            if ppi >= self.ppi_warning:
                continue
            severity: Severity = "error" if ppi < self.ppi_error else "warning"
            limit = self.ppi_error if severity == "error" else self.ppi_warning
            need = math.ceil(width * limit / ppi)
            add(
                "pdf-image-ppi",
                severity,
                f"image {label} ({width}×{height} px) is printed"
                f" {mm_w:.0f} × {mm_h:.0f} mm, only {ppi:.0f} ppi (below {limit});"
                f" supply it at least {need} px wide or print it smaller",
                page=number,
            )

    # ----------------------------------------------------------------- fonts

    def check_fonts(self) -> None:
        """Every font used is embedded (error) and subset (warning)."""
        total = len(self.pdf.pages)
        for key, info in self.fonts.items():
            pages = self.font_pages.get(key, [])
            where = _pages_text(pages, total) if pages else ""
            if not info.embedded:
                self.report.add(
                    "pdf-font-embed",
                    "error",
                    f"font {info.name} is not embedded (used {where}); the press would"
                    " substitute another font: embed it (WeasyPrint embeds installed fonts)",
                    page=pages[0] if pages else None,
                )
            elif not info.subset and info.kind != "type3":
                self.report.add(
                    "pdf-font-embed",
                    "warning",
                    f"font {info.name} is embedded whole, not subset (used {where});"
                    " subsetting keeps the file small and avoids licensing trouble",
                    page=pages[0] if pages else None,
                )

    # ----------------------------------------------------------------- print

    def check_output_intent(self) -> None:
        """A PDF/X output intent with an embedded CMYK (N=4) profile."""
        intents = self.pdf.Root.get("/OutputIntents")
        add = self.report.add
        if not isinstance(intents, pikepdf.Array) or len(intents) == 0:
            add(
                "pdf-output-intent",
                "error",
                "no output intent: the press cannot tell which CMYK printing condition the"
                " colours are for; write PDF/X with @color-profile device-cmyk"
                " { ... src: url(<CMYK .icc>) }",
            )
            return
        pdfx = [i for i in intents if str(i.get("/S", "")) == "/GTS_PDFX"]
        if not pdfx:
            add(
                "pdf-output-intent",
                "error",
                "the output intents include none for PDF/X (/S /GTS_PDFX);"
                " write the file as PDF/X with a CMYK profile",
            )
            return
        if len(pdfx) > 1:
            add("pdf-output-intent", "error", "more than one PDF/X output intent; keep one")
        intent = pdfx[0]
        profile = intent.get("/DestOutputProfile")
        if not isinstance(profile, pikepdf.Stream):
            if intent.get("/DestOutputProfileRef") is None:
                add(
                    "pdf-output-intent",
                    "error",
                    "the PDF/X output intent embeds no ICC profile (DestOutputProfile);"
                    " give @color-profile device-cmyk a CMYK .icc file",
                )
            return
        components = profile.get("/N")
        header = profile.read_bytes()[:20]
        space = header[16:20] if len(header) >= 20 else b""
        if (components is not None and int(components) != 4) or space not in (b"CMYK", b""):
            found = space.decode("ascii", "replace").strip() or f"N={components}"
            add(
                "pdf-output-intent",
                "error",
                f"the output intent's profile is {found}, not CMYK: a print file needs a"
                " CMYK output profile (e.g. Ghostscript's default_cmyk.icc)",
            )

    def check_pdfx(self) -> None:
        """A PDF/X identification in XMP (pdfxid) or the Info dictionary, and Trapped set."""
        add = self.report.add
        in_xmp = self._xmp_values(PDFX_NS, "GTS_PDFXVersion")
        in_info = self._info("/GTS_PDFXVersion")
        if self.pdf.is_encrypted:
            add("pdf-pdfx", "error", "the file is encrypted; PDF/X forbids encryption")
        if not in_xmp and not in_info:
            add(
                "pdf-pdfx",
                "error",
                "the file does not claim PDF/X (no GTS_PDFXVersion in the XMP metadata or the"
                " document info); write it with pdf_variant='pdf/x-4'",
            )
            return
        version = in_xmp[0] if in_xmp else str(in_info)
        if in_xmp and in_info and in_info != in_xmp[0]:
            add(
                "pdf-pdfx",
                "error",
                f"the PDF/X version differs between XMP ({in_xmp[0]}) and the document info"
                f" ({in_info}); make them agree",
            )
        if version.startswith("PDF/X-4") and not in_xmp:
            add(
                "pdf-pdfx",
                "error",
                "PDF/X-4 must be identified in the XMP metadata (pdfxid:GTS_PDFXVersion)",
            )
        trapped_info = self._info("/Trapped")
        trapped_xmp = self._xmp_values(PDF_NS, "Trapped")
        values = [v for v in (trapped_info, *trapped_xmp) if v is not None]
        if not values or any(v not in ("True", "False") for v in values):
            add(
                "pdf-pdfx",
                "error",
                f"{version} needs Trapped set to True or False (found"
                f" {', '.join(values) or 'nothing'}); set Trapped /False",
            )
        if not self._title():
            add(
                "pdf-pdfx",
                "error",
                f"{version} needs a document title (dc:title / Title); set the title",
            )

    def _title(self) -> str | None:
        titles = self._xmp_values(DC_NS, "title")
        return titles[0] if titles else self._info("/Title")

    def check_title(self) -> None:
        """A document title: a warning unless PDF/X or PDF/UA make it an error elsewhere."""
        if self._title():
            return
        if self.edition == "print" and (
            self._xmp_values(PDFX_NS, "GTS_PDFXVersion") or self._info("/GTS_PDFXVersion")
        ):
            return
        if self.edition == "screen" and self._xmp_values(PDFUA_NS, "part"):
            return
        self.report.add(
            "pdf-metadata",
            "warning",
            "the document has no title; set it (metadata title) so viewers show it",
        )

    # ----------------------------------------------------------------- screen

    def check_tags(self) -> None:
        """A tagged PDF: structure tree and MarkInfo /Marked true."""
        root = self.pdf.Root
        mark_info = root.get("/MarkInfo")
        marked = isinstance(mark_info, pikepdf.Dictionary) and bool(mark_info.get("/Marked"))
        if root.get("/StructTreeRoot") is None or not marked:
            self.report.add(
                "pdf-tags",
                "error",
                "the PDF is not tagged (no structure tree or MarkInfo /Marked true); screen"
                " readers cannot follow it: write it with pdf_variant='pdf/ua-1'",
            )

    def check_lang(self) -> None:
        """The document language (/Lang in the catalog)."""
        lang = self.pdf.Root.get("/Lang")
        if lang is None or not str(lang).strip():
            self.report.add(
                "pdf-lang",
                "error",
                "no document language (/Lang); screen readers will guess the pronunciation:"
                " set <html lang> or the metadata language",
            )

    def check_bookmarks(self) -> None:
        """An outline (bookmarks) with at least one entry."""
        outlines = self.pdf.Root.get("/Outlines")
        if not isinstance(outlines, pikepdf.Dictionary) or outlines.get("/First") is None:
            self.report.add(
                "pdf-bookmarks",
                "error",
                "the PDF has no bookmarks; readers cannot jump to a city:"
                " give headings a bookmark-level",
            )

    def check_ua(self) -> None:
        """PDF/UA identification and what it requires of the metadata."""
        parts = self._xmp_values(PDFUA_NS, "part")
        if not parts:
            self.report.add(
                "pdf-ua",
                "warning",
                "the file does not claim PDF/UA (no pdfuaid:part in XMP);"
                " write it with pdf_variant='pdf/ua-1'",
            )
            return
        if not self._xmp_values(DC_NS, "title"):
            self.report.add(
                "pdf-ua", "error", "PDF/UA needs dc:title in the XMP metadata; set the title"
            )
        prefs = self.pdf.Root.get("/ViewerPreferences")
        if not isinstance(prefs, pikepdf.Dictionary) or not prefs.get("/DisplayDocTitle"):
            self.report.add(
                "pdf-ua",
                "error",
                "PDF/UA needs ViewerPreferences /DisplayDocTitle true",
            )


def preflight_files(
    files: list[Path], edition: str, project_dir: Path | None, *, strict: bool = False
) -> list[Finding]:
    """Preflight ``files``; inside a project, against its layout's page size and bleed."""
    from dataclasses import replace

    from .layouts import load_layout
    from .project import CONFIG_NAME, find_root, load_project

    manifest = None
    here = project_dir or Path.cwd()
    if (here / CONFIG_NAME).is_file():
        project = load_project(find_root(project_dir), [])
        if project.config is not None:
            manifest = load_layout(project.root, project.config.layout).manifest
    findings = [f for path in files for f in preflight(path, edition=edition, manifest=manifest)]
    if strict:
        findings = [replace(f, severity="error") for f in findings]
    return findings
