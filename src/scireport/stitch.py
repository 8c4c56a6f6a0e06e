"""Write stage for the print book: stitch typeset PDFs into one book, one copy of each font.

Cities are typeset and written one PDF each (in parallel, and cached). The book is then
made from those PDFs' pages instead of being typeset again. Each city PDF embeds its own
subset of every font. WeasyPrint writes each glyph on a page as its id in the original font
(Identity-H, CIDToGIDMap Identity), so the book subsets each font's original file once
more with HarfBuzz, over the union of the glyph ids every part uses and with the ids kept,
embeds that program once (CFF-based and TrueType faces alike) and points every page's font
at it: the book weighs about what a single-document PDF weighs. The original is found by
the font's PostScript name with fontconfig (or among the layout's ``@font-face`` files) and
must match the embedded subset's identity; a font without one keeps each part's program.
Bookmarks and contents links are added with explicit page destinations.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pikepdf

from .pdfobjects import repoint
from .structure import StructureMerger, TaggedBook
from .weasy import hb_subset


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


_W_TOKEN = re.compile(rb"[\[\]]|[^\s\[\]]+")


def _width(token: bytes) -> int | Decimal:
    """A number of a /W array as pikepdf gives it: an int, or a Decimal for a real."""
    return int(token) if token.lstrip(b"-").isdigit() else Decimal(token.decode("ascii"))


def _widths(descendant: Any) -> dict[int, Any]:
    """Glyph id -> width, read from a CID font's /W array.

    Read from the array written out as text, in one call, rather than item by item
    through pikepdf (half the time, for the some thousand fonts of a 500-city book):
    ``c [w1 w2 ...]`` gives glyphs c, c+1... their widths, ``c_first c_last w`` one width
    to a run of glyphs.
    """
    array = descendant.get("/W")
    return {} if array is None else _widths_in(bytes(array.unparse()))


def _widths_in(text: bytes) -> dict[int, Any]:
    """Glyph id -> width, read from a /W array written out as ``text`` (see :func:`_widths`)."""
    tokens = _W_TOKEN.findall(text)[1:-1]  # within the outer [ ]
    found: dict[int, Any] = {}
    i = 0
    while i < len(tokens):
        first = int(tokens[i])
        if tokens[i + 1] == b"[":
            end = tokens.index(b"]", i + 2)
            found.update({first + n: _width(t) for n, t in enumerate(tokens[i + 2 : end])})
            i = end + 1
        else:
            width = _width(tokens[i + 2])
            found.update(dict.fromkeys(range(first, int(tokens[i + 1]) + 1), width))
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


def share_font_dicts(pdf: pikepdf.Pdf, plan: FontPlan | None = None) -> None:
    """Give each font program one dictionary: widths and ToUnicode maps merged.

    Fonts are grouped by name, program *and* encoding, so only fonts whose program is
    shared are merged, and never two that map codes to glyphs differently (WeasyPrint
    writes a CMap instead of Identity-H for a part that shows a .notdef glyph, as code
    ``<ffff>``: read as Identity-H that code would name another glyph). A font left with
    each part's program keeps one dictionary per part. A ``/CIDSet`` (PDF/X-1a) is
    rewritten to list every glyph of the merged widths. The CID fonts ``plan`` read (and
    emptied of their /W, named by their :data:`WIDTHS_MARK`, which is removed) get their
    widths from it: the union for the merged, their own for the others.
    """

    def widths_of(font: Any, descendant: Any) -> dict[int, Any]:
        mark = descendant.get(WIDTHS_MARK)
        if mark is None or plan is None:
            return _widths(descendant)
        return plan.unions[(str(font.BaseFont), _encoding_key(font.get("/Encoding")))]

    by_name: dict[tuple[str, Any, str], list[Any]] = {}
    for page in pdf.pages:
        for font in _fonts(page.obj.get("/Resources")):
            found = _font_file(font.DescendantFonts[0].FontDescriptor)
            program = found[1].objgen if found is not None else None
            key = (str(font.BaseFont), program, _encoding_key(font.get("/Encoding")))
            fonts = by_name.setdefault(key, [])
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
            widths.update(widths_of(font, font.DescendantFonts[0]))
            pairs.update(_BFCHAR.findall(_bfchar_part(font.ToUnicode.read_bytes())))
            canonical[font.objgen] = first
        first.DescendantFonts[0].W = _widths_array(widths)
        first.ToUnicode = pdf.make_stream(_to_unicode(pairs))
        descriptor = first.DescendantFonts[0].FontDescriptor
        if "/CIDSet" in descriptor:
            descriptor.CIDSet = pdf.make_stream(_cid_set(widths))
    for fonts in by_name.values():
        for font in fonts:
            descendant = font.DescendantFonts[0]
            mark = descendant.get(WIDTHS_MARK)
            if mark is None:
                continue
            if font.objgen not in canonical and plan is not None:  # kept: its own widths
                descendant.W = _widths_array(_widths_in(plan.texts[int(mark)]))
            del descendant[WIDTHS_MARK]
    for page in pdf.pages:
        resources: Any = page.obj.get("/Resources")
        page_fonts: Any = resources.get("/Font") if resources is not None else None
        if page_fonts is None:
            continue
        for key, font in list(page_fonts.items()):
            if font.objgen in canonical:
                page_fonts[key] = canonical[font.objgen]


def _encoding_key(encoding: Any) -> str:
    """What tells two fonts' encodings apart: the name, or the CMap's bytes' digest."""
    if isinstance(encoding, pikepdf.Stream):
        return hashlib.sha256(encoding.read_bytes()).hexdigest()
    return str(encoding)


def _cid_set(cids: dict[int, Any]) -> bytes:
    """A CIDSet stream's bytes: bit ``n`` (most significant first) set for each CID ``n``."""
    bits = bytearray((max(cids, default=0) + 8) // 8)
    for cid in cids:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return bytes(bits)


def _bfchar_part(cmap: bytes) -> bytes:
    """The bfchar sections of a CMap (other sections hold no glyph mappings we merge)."""
    return b"\n".join(re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL))


def _font_file(descriptor: Any) -> tuple[str, Any] | None:
    for key in ("/FontFile3", "/FontFile2"):
        if key in descriptor:
            return key, descriptor[key]
    return None


FC_LIST_TIMEOUT_S = 10
"""How long fontconfig may take to name the files of one font."""

_IDENTITIES: dict[tuple[str, int, int, int], tuple[str, bytes] | None] = {}
"""(file, face, size, mtime) -> identity of that face (see :func:`font_identity`)."""


def font_identity(face: Any) -> tuple[str, bytes] | None:
    """What tells an OpenType face apart, and survives subsetting: its PostScript name and
    its ``head`` table's revision, units per em and dates (None when it has neither)."""
    import uharfbuzz as hb

    head = face.reference_table("head").data
    name = face.get_name(hb.OTNameIdPredefined.POSTSCRIPT_NAME)
    if len(head) < 36 or not name:
        return None
    return str(name), bytes(head[4:8] + head[18:36])


def _file_identity(path: Path, index: int) -> tuple[str, bytes] | None:
    """The identity of face ``index`` of the font file ``path`` (None: unreadable)."""
    import uharfbuzz as hb

    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), index, stat.st_size, stat.st_mtime_ns)
    if key not in _IDENTITIES:
        try:
            _IDENTITIES[key] = font_identity(hb.Face(hb.Blob.from_file_path(path), index))
        except hb.HarfBuzzError:
            _IDENTITIES[key] = None
    return _IDENTITIES[key]


def _fontconfig_files(postscript_name: str) -> list[tuple[Path, int]]:
    """The (file, face) fontconfig knows under ``postscript_name``."""
    pattern = "".join("\\" + c if c in "\\-:," else c for c in postscript_name)
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{index}\n", f":postscriptname={pattern}"],
            capture_output=True,
            text=True,
            timeout=FC_LIST_TIMEOUT_S,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in listing.splitlines():
        path, _, index = line.partition("\t")
        if path and index.isdigit():
            found.append((Path(path), int(index) & 0xFFFF))  # high bits: a named instance
    return found


def _face_count(path: Path) -> int:
    import uharfbuzz as hb

    try:
        return int(hb.Face(hb.Blob.from_file_path(path)).count)
    except hb.HarfBuzzError:
        return 0


def find_source(program: bytes, extra: Sequence[Path] = ()) -> tuple[Path, int] | None:
    """The original font file (and face) an embedded font ``program`` was subset from.

    Looked up by PostScript name with fontconfig, then among ``extra`` (the layout's
    ``@font-face`` files); a candidate counts only when its identity matches the program's
    (:func:`font_identity`). None when there is no such file (a WOFF, a font since removed).
    """
    import uharfbuzz as hb

    identity = font_identity(hb.Face(program))
    if identity is None:
        return None
    candidates = _fontconfig_files(identity[0])
    candidates += [(p, i) for p in extra for i in range(_face_count(p))]
    for path, index in candidates:
        if _file_identity(path, index) == identity:
            return path, index
    return None


_SUBSETS: dict[tuple[str, int], tuple[tuple[int, int], frozenset[int], bytes]] = {}
"""(file, face) -> the file's (size, mtime), the glyph ids and the program of the last
subset made of it (see :func:`subset_font`)."""


def subset_font(source: tuple[Path, int], gids: set[int]) -> bytes:
    """The font program of face ``source`` holding the glyphs ``gids`` at their own ids.

    The last subset of each face is kept: a process that stitches again and again
    (``--watch``) mostly asks for the same glyphs after an edit (15 to 20 ms a face).
    """
    import uharfbuzz as hb

    stat = source[0].stat()
    key, stamp, wanted = (
        (str(source[0]), source[1]),
        (stat.st_size, stat.st_mtime_ns),
        frozenset(gids),
    )
    kept = _SUBSETS.get(key)
    if kept is not None and kept[0] == stamp and kept[1] == wanted:
        return kept[2]
    face = hb.Face(hb.Blob.from_file_path(source[0]), source[1])
    # the .notdef outline too: WeasyPrint keeps it when a character had no glyph
    data = hb_subset(face, gids, hinting=False, notdef=True)
    if not data:
        raise ValueError(f"HarfBuzz could not subset {source[0]} (face {source[1]})")
    _SUBSETS[key] = (stamp, wanted, data)
    return data


FONT_MARK = "/ScireportFont"
"""Key set on an emptied font program: the font name whose shared program replaces it."""
WIDTHS_MARK = "/ScireportWidths"
"""Key set on a part's CID font while the book is stitched: where :class:`FontPlan` keeps
its widths (:attr:`FontPlan.texts`)."""
SAME_MARK = "/ScireportSame"
"""Key set on an emptied duplicate stream: the digest of the stream it repeats."""


def _font_programs(pdf: pikepdf.Pdf) -> Iterator[tuple[Any, Any, str, Any]]:
    """(Type0 font, its CID font, ``/FontFile3`` or ``/FontFile2``, its program) per font."""
    for page in pdf.pages:
        for font in _fonts(page.obj.get("/Resources")):
            descendant = font.DescendantFonts[0]
            found = _font_file(descendant.FontDescriptor)
            if found is not None:
                yield font, descendant, found[0], found[1]


@dataclass
class SharedFont:
    """A font the book embeds once: subset anew from its original file."""

    source: tuple[Path, int]
    """The original font file and face."""
    key: str
    """``/FontFile3`` (CFF-based OpenType) or ``/FontFile2`` (TrueType)."""
    attributes: dict[str, str]
    """Attributes of its program stream (``/Subtype``)."""
    gids: set[int] = field(default_factory=set)
    """Glyph ids the book's pages use."""


@dataclass(frozen=True)
class TakenFont:
    """One font of a part as :meth:`FontPlan.take` found it, before emptying it."""

    name: str
    """The font's name."""
    encoding: str
    """Its encoding (see :func:`_encoding_key`)."""
    text: bytes
    """Its /W array, written out."""
    widths: dict[int, Any]
    """Glyph id -> width, read from it."""
    objgen: tuple[int, int]
    """The CID font's object number in the part."""


@dataclass
class Taken:
    """What :meth:`FontPlan.take` recorded of one part's fonts."""

    shared: dict[str, tuple[tuple[Path, int], str, dict[str, str]] | None] = field(
        default_factory=dict
    )
    """Each font name the part uses -> how the book shares it (a :class:`SharedFont`'s
    source, key and attributes; None: not shared)."""
    fonts: list[TakenFont] = field(default_factory=list)
    """The fonts whose programs and widths were taken out."""


@dataclass
class FontPlan:
    """The fonts of the parts of a book, by font name, and the glyphs the parts use."""

    extra: Sequence[Path] = ()
    """Font files besides fontconfig's where originals may be found (``@font-face``)."""
    shared: dict[str, SharedFont | None] = field(default_factory=dict)
    """Font name -> how the book shares it; None: no original found, each part keeps its
    own program."""
    unions: dict[tuple[str, str], dict[int, Any]] = field(default_factory=dict)
    """(font name, encoding) -> the widths of every glyph the parts use in that font."""
    texts: list[bytes] = field(default_factory=list)
    """The /W array of each CID font read by :meth:`take`, as text, by the
    :data:`WIDTHS_MARK` it left on the font (for a font :func:`share_font_dicts` does not
    merge with others: it gets its own widths back)."""

    def take(self, pdf: pikepdf.Pdf) -> Taken:
        """Record the fonts of one part and empty the programs the book will share; return
        what was recorded (to :meth:`replay` on the part, kept open, for the next book).

        The widths of each such font are taken out of the part too (an empty /W until
        :func:`share_font_dicts` writes them back): copied into the book, the arrays of
        500 cities' fonts held 150 MB, and took a fifth of the stitching's time.
        """
        taken = Taken()
        for font, descendant, key, stream in _font_programs(pdf):
            if FONT_MARK in stream:
                continue  # already seen on another page of this part
            name = str(font.BaseFont)
            if name not in self.shared:
                source = find_source(bytes(stream.read_bytes()), self.extra)
                attributes = {k: str(stream[k]) for k in ("/Subtype",) if k in stream}
                self.shared[name] = source and SharedFont(source, key, attributes)
            shared = self.shared[name]
            how = None if shared is None else (shared.source, shared.key, shared.attributes)
            taken.shared.setdefault(name, how)
            if shared is None or shared.key != key:
                continue
            array = descendant.get("/W")
            text = bytes(array.unparse()) if array is not None else b"[]"
            font_widths = TakenFont(name, _encoding_key(font.get("/Encoding")), text,
                                    _widths_in(text), descendant.objgen)  # fmt: skip
            taken.fonts.append(font_widths)
            self._record(font_widths, descendant)
            descendant.W = pikepdf.Array()
            stream.write(b"")
            stream[FONT_MARK] = pikepdf.String(name)
        return taken

    def _record(self, font: TakenFont, descendant: Any) -> None:
        """Add the glyphs and widths of one part's font; mark it with where they are."""
        shared = self.shared[font.name]
        assert shared is not None  # only a shared font's widths are taken
        shared.gids.update(font.widths)
        self.unions.setdefault((font.name, font.encoding), {}).update(font.widths)
        descendant[WIDTHS_MARK] = len(self.texts)
        self.texts.append(font.text)

    def replay(self, taken: Taken, pdf: pikepdf.Pdf) -> None:
        """Record the fonts of a part :meth:`take` emptied for an earlier book (kept open
        since, see :class:`KeptParts`) as take recorded them then."""
        for name, found in taken.shared.items():
            if name not in self.shared:
                self.shared[name] = found and SharedFont(*found)
        for font in taken.fonts:
            self._record(font, pdf.get_object(font.objgen))

    def programs(self) -> dict[str, tuple[bytes, SharedFont]]:
        """One program per shared font, subset from its original over every part's glyphs."""
        return {
            name: (subset_font(shared.source, shared.gids), shared)
            for name, shared in self.shared.items()
            if shared is not None
        }


def install_fonts(book: pikepdf.Pdf, planned: dict[str, tuple[bytes, SharedFont]]) -> None:
    """Point every emptied font program of ``book`` at its shared program, embedded once."""
    streams: dict[str, Any] = {}
    for page in book.pages:
        for font in _fonts(page.obj.get("/Resources")):
            descriptor = font.DescendantFonts[0].FontDescriptor
            found = _font_file(descriptor)
            if found is None or FONT_MARK not in found[1]:
                continue
            name = str(found[1][FONT_MARK])
            if name not in streams:
                data, shared = planned[name]
                stream = pikepdf.Stream(book, data)
                for key, value in shared.attributes.items():
                    stream[key] = pikepdf.Name(value)
                if found[0] == "/FontFile2":
                    stream.Length1 = len(data)
                streams[name] = book.make_indirect(stream)
            descriptor[found[0]] = streams[name]


def _shareable(obj: Any) -> bool:
    return isinstance(obj, pikepdf.Stream) and ("/N" in obj or obj.get("/Subtype") == "/Image")


def _digest(obj: Any) -> str:
    return hashlib.sha256(repr(_stream_key(obj)).encode()).hexdigest()


NO_STREAM_KEYS = frozenset({"/W", "/W2", "/Widths", "/K", "/ParentTree", "/Nums"})
"""Keys whose values never refer to a profile or an image (glyph widths, the structure
tree's kids and parent tree), so :meth:`Originals.share` does not search them."""


class Originals:
    """The ICC profiles and images of the book's first part, which later parts share.

    Each later part's copies of them are emptied before its pages are copied in
    (:func:`hollow_repeats`) and pointed at the first part's right after (:meth:`share`),
    among that part's copies only: nothing else can refer to them.
    """

    def __init__(self, book: pikepdf.Pdf) -> None:
        self.digests: set[str] = set()
        """The digest of every profile and image of the first part."""
        self.canonical: dict[str, Any] = {}
        """Digest -> the first part's (non-empty) stream with it."""
        repeated: dict[tuple[int, int], Any] = {}
        shareable = [obj for obj in book.objects if _shareable(obj)]
        for obj in shareable:
            digest = _digest(obj)
            self.digests.add(digest)
            if obj.read_raw_bytes():
                self.canonical.setdefault(digest, obj)
        for obj in shareable:  # the first part's own repeats
            original = self.canonical.get(_digest(obj))
            if original is not None and original.objgen != obj.objgen:
                repeated[obj.objgen] = original
        if repeated:
            repoint(book, repeated)

    def share(self, book: pikepdf.Pdf, first: int, *, load: bool = True) -> None:
        """Load into memory the data of every stream copied into ``book`` since object
        number ``first`` (an empty marker made just before), so the part it came from can
        be closed (not with ``load`` False: it stays open until the book is saved), and
        point the emptied repeats among them at the originals.

        qpdf numbers the objects it copies in after the book's last one, and copies a
        stream's data only when the book is saved: the copies are the objects numbered
        between the marker and a second one made now (both unreferenced, so saving drops
        them).
        """
        last = book.make_indirect(pikepdf.Dictionary()).objgen[0]
        copies = [book.get_object((number, 0)) for number in range(first + 1, last)]
        repeated: dict[tuple[int, int], Any] = {}
        for obj in copies:
            if not isinstance(obj, pikepdf.Stream):
                continue
            if SAME_MARK in obj:
                original = self.canonical.get(str(obj[SAME_MARK]))
                del obj[SAME_MARK]
                if original is not None:
                    repeated[obj.objgen] = original
            if not load:
                continue
            raw = obj.read_raw_bytes()
            codec: Any = obj.get("/Filter"), obj.get("/DecodeParms")
            obj.write(raw, filter=codec[0], decode_parms=codec[1])
        if repeated:
            searched = [obj for obj in copies if obj is not None]
            repoint(book, repeated, searched, skip=NO_STREAM_KEYS)


@dataclass
class _Kept:
    """A part kept open, as the last book that used it left it."""

    pdf: pikepdf.Pdf
    """The part, its fonts taken and its repeats hollowed."""
    taken: Taken
    """What was taken of its fonts."""
    hollowed: frozenset[str]
    """The digests its repeats were hollowed against (the first part's)."""


class KeptParts:
    """Parts kept open between the books of a process that stitches again and again
    (``--watch``): opening a part, taking its fonts, hollowing its repeats and loading its
    data into the book took 0.1 s of W50's 0.18 s print stitch (0.13 s of the tagged
    screen book's 0.40), and after an edit one part in 55 is new. A part kept is taken as
    the last book left it (:meth:`FontPlan.replay`), and read from when the book is saved;
    a tagged part's structure tree is copied from it again (what merging changes is
    changed in the book's copy: :class:`~.structure.StructureMerger`).

    Parts are known by path, size, time and inode (a page cache entry is never changed in
    place); a book of more than ``limit`` parts keeps none open (500 cities' would hold
    too much memory) and the parts no book used last are closed.
    """

    def __init__(self, limit: int = 128) -> None:
        self.limit = limit
        """Most parts a book may have for its parts to be kept."""
        self.parts: dict[tuple[str, int, int, int], _Kept] = {}
        """The parts kept open, by path and stat."""

    @staticmethod
    def key(path: Path) -> tuple[str, int, int, int]:
        """What tells a part file apart: its path, size, time and inode."""
        stat = path.stat()
        return str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino

    def get(self, key: tuple[str, int, int, int], hollowed: frozenset[str]) -> _Kept | None:
        """The part known by ``key`` (:meth:`key`) kept open, if it was hollowed against
        ``hollowed``."""
        kept = self.parts.get(key)
        return kept if kept is not None and kept.hollowed == hollowed else None

    def keep_only(self, used: dict[tuple[str, int, int, int], _Kept]) -> None:
        """Keep the parts of the last book (``used``), close the others."""
        for key, kept in self.parts.items():
            if used.get(key) is not kept:
                kept.pdf.close()
        self.parts = used

    def close(self) -> None:
        """Close every part kept open."""
        self.keep_only({})


def hollow_repeats(part: pikepdf.Pdf, originals: set[str]) -> None:
    """Empty the ICC profiles and images of ``part`` that the book holds already.

    Done before the part's pages are copied into the book, so a profile repeated by 500
    city PDFs is not copied 500 times; :meth:`Originals.share` points the copies at it.
    """
    for obj in part.objects:
        if _shareable(obj) and (digest := _digest(obj)) in originals:
            obj.write(b"")
            obj[SAME_MARK] = pikepdf.String(digest)


def _stream_key(stream: Any) -> tuple[str, str]:
    meta = {k: repr(v) for k, v in stream.items() if k != "/Length"}
    return hashlib.sha256(stream.read_raw_bytes()).hexdigest(), repr(sorted(meta.items()))


def stitch(
    parts: list[Path],
    target: Path,
    *,
    bookmarks: list[Bookmark],
    links: list[Link],
    font_files: Sequence[Path] = (),
    pdf_1_4: bool = False,
    tagged: TaggedBook | None = None,
    surveys: Sequence[Sequence[Sequence[int]] | None] = (),
    keep: KeptParts | None = None,
) -> int:
    """Write the pages of ``parts`` in order as one PDF at ``target``; return its page count.

    Document-level data (output intent, metadata, language) comes from the first part.
    ``font_files`` are font files besides fontconfig's where the originals of the fonts may
    be found (the layout's ``@font-face`` files). ``pdf_1_4`` writes PDF 1.4 without object
    streams (what PDF/X-1a requires). With ``tagged``, the parts' structure trees are merged
    into one (see structure.py) and the links are tagged; ``surveys`` are what was
    surveyed of each part's structure tree when it was typeset (None, or a part past the
    list's end: its whole tree is walked). ``keep`` keeps the parts open for the next
    book, and uses those kept from the last (a book of at most its limit).
    """
    fonts = FontPlan(tuple(font_files))
    book = pikepdf.open(parts[0])
    try:
        tree = StructureMerger(book, tagged) if tagged is not None else None
        originals = Originals(book)
        fonts.take(book)
        if keep is not None and len(parts) > keep.limit:
            keep.close()
            keep = None
        used: dict[tuple[str, int, int, int], _Kept] = {}
        hollowed = frozenset(originals.digests)
        for number, path in enumerate(parts[1:], 1):  # one part open at a time (unless kept)
            key = KeptParts.key(path) if keep is not None else None
            if key in used:  # the same part twice in one book: kept once
                key = None
            kept = keep.get(key, hollowed) if keep is not None and key is not None else None
            part = kept.pdf if kept is not None else pikepdf.open(path)
            try:
                if kept is not None:
                    fonts.replay(kept.taken, part)
                else:
                    taken = fonts.take(part)
                    hollow_repeats(part, originals.digests)
                    if key is not None:
                        kept = _Kept(part, taken, hollowed)
                if kept is not None and key is not None:
                    used[key] = kept
                start = len(book.pages)
                first = book.make_indirect(pikepdf.Dictionary()).objgen[0]
                book.pages.extend(part.pages)
                if tree is not None:
                    tree.add(part, start, surveys[number] if number < len(surveys) else None)
                originals.share(book, first, load=kept is None)
            finally:
                if kept is None:
                    part.close()
        install_fonts(book, fonts.programs())
        share_font_dicts(book, fonts)
        _outline(book, bookmarks)
        if tree is not None:
            titles: dict[int, str] = {}
            for mark in bookmarks:  # a page's first (outermost) entry describes it
                titles.setdefault(mark.page, mark.title)
            tree.finish(links, titles)
        else:
            _links(book, links)
        if "/Names" in book.Root and "/Dests" in book.Root.Names:
            del book.Root.Names["/Dests"]
        book.save(  # PDF/X-1a allows PDF 1.4 only: no object streams
            target,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable
            if pdf_1_4
            else pikepdf.ObjectStreamMode.generate,
            force_version="1.4" if pdf_1_4 else "",
            deterministic_id=True,
        )
        return len(book.pages)
    finally:
        book.close()
        if keep is not None:
            keep.keep_only(used)


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
