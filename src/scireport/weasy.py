"""The one door to WeasyPrint's and pydyf's internals.

scireport uses WeasyPrint's public API (``HTML``, ``Document``, ``FontConfiguration``,
``URLFetcher``) where it can. What it needs beyond that lives here, and only here, each with
a contract test in ``tests/test_weasy.py`` that fails when a WeasyPrint release changes it
(the project pins ``weasyprint>=70,<71``; a test also greps ``src/`` so that no other module
imports these internals):

- :data:`NOTDEF_RE`: the wording of WeasyPrint's log message for a missing glyph (missing
  glyphs are only logged, during ``write_pdf()``);
- :func:`write_pdf`: swaps ``pydyf.zlib`` for a level-1 compressor (:class:`FastZlib`, which
  also compresses a repeated ICC profile stream once per process; pydyf's
  ``compressobj``/``compress``/``flush`` calls), ``weasyprint.pdf.fonts.Font.subset`` for
  :func:`subset_once` (one HarfBuzz pass over the font's file, mapped once per process and
  found through fontconfig's pattern of the Pango font, ``pango_fc_font_get_pattern``,
  which it declares on WeasyPrint's FFI; or over the face Pango holds), and makes
  ``Font.file_content`` read on demand instead of copied in ``Font.__init__`` through the
  module's ``get_hb_object_data`` (:func:`_font_bytes_on_demand`);
- :class:`LinkedStylesheets`: stands in for ``weasyprint.css.CSS`` (the name
  ``find_stylesheets`` calls) while documents are laid out, so that a ``<link>``ed sheet is
  parsed once per process and its side effects on each document (``page_rules``, counter
  styles, colour profiles, warnings) replayed;
- :func:`laid_out_text`: the text boxes of each page's areas, read from ``Page._page_box``;
- :func:`text_outside`: text boxes past their column or clip, from the same box tree
  (``formatting_structure.boxes``, ``layout.absolute.AbsolutePlaceholder``);
- :func:`_tag_languages_and_scopes`: wraps ``weasyprint.pdf.tags._build_box_tree`` while a
  PDF is written, so that a tagged element whose HTML element has a ``lang`` attribute gets
  its ``/Lang`` and a header cell with ``scope`` its ``/Scope`` (WeasyPrint 70 writes
  neither: only the document's language), and a Link element whose ``<a href="#...">``
  points outside the document (WeasyPrint then writes no annotation) its anchor, as
  :data:`LINK_MARK`, so that the stitcher can tie the book's link to that element.

The stitcher relies on nothing private in the fonts: it reads the glyph ids WeasyPrint
writes on the pages (public PDF semantics, checked by a test here) and subsets the original
font files itself with HarfBuzz.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

NOTDEF_RE = re.compile(r'\.notdef glyph rendered .*"(.)" \(U\+([0-9A-F]+)\)')
"""WeasyPrint 70's warning for a character no font has (``weasyprint/draw/text.py``)."""


@contextmanager
def capture_log(*, levels: bool = False) -> Iterator[list[Any]]:
    """Collect WeasyPrint's warnings and errors (e.g. .notdef glyphs) while the block runs:
    their texts, or with ``levels`` (level, text) pairs."""
    messages: list[Any] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = record.getMessage()
            messages.append((record.levelno, text) if levels else text)

    logger = logging.getLogger("weasyprint")
    handler = Collector(level=logging.WARNING)
    previous = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def notdef_chars(messages: list[str]) -> list[str]:
    """Return the characters WeasyPrint drew as .notdef, from its log messages."""
    found = []
    for message in messages:
        match = NOTDEF_RE.search(message)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


class FastZlib:
    """Stands in for ``zlib`` inside pydyf while a PDF is written.

    pydyf compresses every stream at level 9; on the sparse CJK font subsets WeasyPrint
    embeds (original glyph ids kept), level 1 writes a city 25% faster for files about
    2% larger. Measured on the sample cities: 180 ms against 119 ms per city PDF. The
    print edition's output profile (the same 187 KB in every part) is compressed once per
    process (:class:`_Level1`).
    """

    @staticmethod
    def compress(data: bytes, level: int = 9) -> bytes:
        """Compress ``data`` at level 1."""
        return zlib.compress(data, 1)

    @staticmethod
    def compressobj(level: int = 9) -> Any:
        """A level-1 compressor."""
        return _Level1()


_PROFILES: dict[bytes, bytes] = {}
"""ICC profiles compressed in this process (a few: the layouts' output profiles)."""


def _is_icc_profile(data: bytes) -> bool:
    """Does ``data`` look like an ICC profile (its size first, ``acsp`` at byte 36)?"""
    return len(data) >= 128 and data[36:40] == b"acsp" and int.from_bytes(data[:4]) == len(data)


class _Level1:
    """``zlib.compressobj(1)``, except that a stream that is one whole ICC profile (as pydyf
    writes a colour profile: one ``compress`` call, then ``flush``) is compressed once per
    process: every part of the print edition embeds the same output profile, which took
    about 6 ms a part to compress. The bytes are those level 1 gives."""

    def __init__(self) -> None:
        self._zlib = zlib.compressobj(1)
        self._profile: bytes | None = None
        self._fed = False

    def compress(self, data: bytes) -> bytes:
        """Compress ``data`` (held back when it is a whole ICC profile)."""
        if not self._fed and _is_icc_profile(data):
            self._fed, self._profile = True, bytes(data)
            return b""
        self._fed = True
        held, self._profile = self._profile, None
        return (self._zlib.compress(held) if held else b"") + self._zlib.compress(data)

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        """The rest of the compressed stream."""
        profile, self._profile = self._profile, None
        if profile is None or mode != zlib.Z_FINISH:
            return (self._zlib.compress(profile) if profile else b"") + self._zlib.flush(mode)
        packed = _PROFILES.get(profile)
        if packed is None:
            packed = self._zlib.compress(profile) + self._zlib.flush()
            if len(_PROFILES) >= 4:
                _PROFILES.clear()
            _PROFILES[profile] = packed
        return packed


SUBSET_DROPPED = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH",
                  "PCLT", "SVG ")  # fmt: skip
"""Tables WeasyPrint 70's subsets drop (``weasyprint/pdf/fonts.py``); :func:`hb_subset`
drops the same."""


def hb_subset(face: Any, gids: Iterable[int], *, hinting: bool, notdef: bool) -> bytes:
    """The program of HarfBuzz ``face`` cut to ``gids``, as WeasyPrint 70 subsets a font.

    Every glyph keeps its id (the codes WeasyPrint writes on the pages are those ids), CFF is
    desubroutinized, unknown tables pass through, :data:`SUBSET_DROPPED` go; hinting goes
    unless ``hinting``, and the .notdef outline stays with ``notdef``. Ids past the face's
    last glyph (WeasyPrint's stand-ins for missing characters) are left out. Returns b""
    when HarfBuzz cannot subset the face.
    """
    import uharfbuzz as hb

    wanted = hb.SubsetInput()
    wanted.glyph_set.update(sorted(g for g in gids if g < face.glyph_count))
    flags = (
        hb.SubsetFlags.RETAIN_GIDS
        | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
        | hb.SubsetFlags.DESUBROUTINIZE
    )
    if not hinting:
        flags |= hb.SubsetFlags.NO_HINTING
    if notdef:
        flags |= hb.SubsetFlags.NOTDEF_OUTLINE
    wanted.flags = flags
    dropped = wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    dropped.update(int.from_bytes(tag.encode(), "big") for tag in SUBSET_DROPPED)
    subset = hb.subset(face, wanted)
    return bytes(subset.blob.data) if subset is not None else b""


def subset_once(font: Any, to_unicode: dict[int, str], hinting: bool) -> None:
    """Subset WeasyPrint's ``font`` to the glyph ids in ``to_unicode``, in one HarfBuzz pass.

    Same result as WeasyPrint 70's ``Font.subset`` (see :func:`hb_subset`), but one
    ``hb-subset`` call instead of two, without WeasyPrint's copy of the 65,536 glyph ids it
    keeps, and from a face kept for the process (:func:`_file_face`: the font file mapped
    into memory, shared by every worker, its tables read and checked once) rather than a
    copy of the file's bytes made for every font of every document. Without the file (a
    font fontconfig does not name), the face Pango holds is subset with WeasyPrint's
    HarfBuzz bindings; when HarfBuzz cannot subset it, WeasyPrint subsets it.
    """
    if not to_unicode:
        return
    face = _file_face(font.__dict__.get("_scireport_file"), font.glyph_count)
    if face is not None:
        program = hb_subset(face, to_unicode, hinting=hinting, notdef=bool(font.missing))
    else:
        program = _subset_pango_face(font, to_unicode, hinting)
    if not program:
        return _WEASYPRINT_SUBSET(font, to_unicode, hinting)  # type: ignore[no-any-return]
    font.file_content = program


_FACES: dict[tuple[str, int], tuple[tuple[int, int], Any]] = {}
"""HarfBuzz faces over font files, by (path, face index): (size and time of the file, face)."""


def _file_face(source: tuple[str, int] | None, glyphs: int) -> Any:
    """The kept HarfBuzz face of ``source`` (path, index), None when there is none or it is
    not the font Pango used (another number of glyphs). The file is mapped, not copied."""
    import uharfbuzz as hb

    if source is None:
        return None
    try:
        stat = os.stat(source[0])
    except OSError:
        return None
    stamp = (stat.st_size, stat.st_mtime_ns)
    kept = _FACES.get(source)
    if kept is None or kept[0] != stamp:
        try:
            face = hb.Face(hb.Blob.from_file_path(source[0]), source[1])
        except (hb.HarfBuzzError, OSError, ValueError):
            return None
        _FACES[source] = kept = (stamp, face)
    face = kept[1]
    return face if face.glyph_count == glyphs else None


def _font_file(pango_font: Any) -> tuple[str, int] | None:
    """The file and face index fontconfig names for ``pango_font``, or None.

    WeasyPrint 70 declares the fontconfig calls (``FcPatternGetString``) but not
    ``pango_fc_font_get_pattern``; it is declared here, once, on WeasyPrint's own FFI.
    """
    global _PATTERN_DECLARED
    import cffi  # type: ignore[import-untyped]
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2

    if not _PATTERN_DECLARED:
        with contextlib.suppress(cffi.CDefError):  # a WeasyPrint that declares them
            ffi.cdef(
                "FcPattern * pango_fc_font_get_pattern (PangoFcFont *font);"
                " FcResult FcPatternGetInteger (FcPattern *p, const char *object, int n,"
                " int *i);"
            )
        _PATTERN_DECLARED = True
    try:
        pattern = pangoft2.pango_fc_font_get_pattern(ffi.cast("PangoFcFont *", pango_font))
        name, index = ffi.new("FcChar8 **"), ffi.new("int *")
        if pattern == ffi.NULL or fontconfig.FcPatternGetString(pattern, b"file", 0, name):
            return None
        if fontconfig.FcPatternGetInteger(pattern, b"index", 0, index):
            index[0] = 0
        return os.fsdecode(ffi.string(name[0])), index[0] & 0xFFFF
    except (AttributeError, TypeError, ffi.error):
        return None


_PATTERN_DECLARED = False


def _subset_pango_face(font: Any, gids: Iterable[int], hinting: bool) -> bytes:
    """:func:`hb_subset` of ``font.hb_face``, through WeasyPrint's HarfBuzz bindings."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    if not harfbuzz_subset:
        return b""
    wanted = harfbuzz_subset.hb_subset_input_create_or_fail()
    if wanted == ffi.NULL:
        return b""
    wanted = ffi.gc(wanted, harfbuzz_subset.hb_subset_input_destroy)
    kept = sorted(g for g in gids if g < font.glyph_count)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_glyph_set(wanted),
        ffi.new(f"hb_codepoint_t[{len(kept)}]", kept),
        len(kept),
    )
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
        | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(wanted, flags)
    tags = sorted(harfbuzz.hb_tag_from_string(t.encode(), -1) for t in SUBSET_DROPPED)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(wanted, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG),
        ffi.new(f"hb_codepoint_t[{len(tags)}]", tags),
        len(tags),
    )
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, wanted)
    if face == ffi.NULL:
        return b""
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    return get_hb_object_data(face) or b""


_WEASYPRINT_SUBSET: Any = None
"""WeasyPrint's own ``Font.subset``, kept for the faces HarfBuzz cannot subset."""

_NOT_READ = object()
"""Stands for a font's bytes that have not been read yet (see :func:`_font_bytes_on_demand`)."""


def _font_bytes_on_demand(fonts: Any) -> tuple[Any, Any]:
    """``Font.__init__`` without its copy of the font file, and ``Font.file_content`` read
    from the face when something asks for it.

    WeasyPrint 70 copies the whole font file into ``Font.file_content`` for every font of
    every document (a 19 MB Noto Sans CJK collection: about 4 ms and 19 MB a font), then
    replaces it with the subset. :func:`subset_once` subsets the face itself, so in a
    normal write the copy is never read; when something does read it (a font shown in a
    form, a variable or colour font, a fallback), it is read from the face then, as
    WeasyPrint would have done.
    """
    from weasyprint.text.fonts import get_hb_object_data

    init = fonts.Font.__init__

    def __init__(font: Any, pango_font: Any, *args: Any, **kwargs: Any) -> None:
        fonts.get_hb_object_data = lambda face, *more: (
            get_hb_object_data(face, *more) if more else _NOT_READ
        )
        try:
            init(font, pango_font, *args, **kwargs)
        finally:
            fonts.get_hb_object_data = get_hb_object_data
        font.__dict__["_scireport_file"] = _font_file(pango_font)

    def read(font: Any) -> Any:
        data = font.__dict__.get("_scireport_file_content", _NOT_READ)
        if data is _NOT_READ:
            data = font.__dict__["_scireport_file_content"] = get_hb_object_data(font.hb_face)
        return data

    def write(font: Any, data: Any) -> None:
        font.__dict__["_scireport_file_content"] = data

    return __init__, property(read, write)


def write_pdf(document: Any, target: Path | BinaryIO, **options: Any) -> list[str]:
    """Write ``document`` to ``target`` with streams at level 1; return WeasyPrint's warnings.

    Fonts are subset by :func:`subset_once`, and not copied first
    (:func:`_font_bytes_on_demand`). PDF/X-4 files get a random XMP DocumentID from
    WeasyPrint; the print edition's outputs get a fixed one when they are finished
    (``finish.finish_print``).
    """
    global _WEASYPRINT_SUBSET
    import pydyf
    import weasyprint.pdf.fonts as fonts
    import weasyprint.pdf.tags as tags

    slow_zlib, build_tree, two_passes = pydyf.zlib, tags._build_box_tree, fonts.Font.subset
    init = fonts.Font.__init__
    _WEASYPRINT_SUBSET = two_passes
    pydyf.zlib = FastZlib
    tags._build_box_tree = _tag_languages_and_scopes(build_tree)
    fonts.Font.subset = subset_once
    fonts.Font.__init__, fonts.Font.file_content = _font_bytes_on_demand(fonts)
    try:
        with capture_log() as messages:
            document.write_pdf(target, **options)
    finally:
        pydyf.zlib, tags._build_box_tree, fonts.Font.subset = slow_zlib, build_tree, two_passes
        fonts.Font.__init__ = init
        del fonts.Font.file_content
    return messages


LINK_MARK = "/ScireportLink"
"""Key set on a Link structure element whose internal link WeasyPrint could not resolve
(the anchor is in another part of the book): the anchor's name. ``structure.py`` ties the
book's annotation to the element and removes the key."""

TAGGING = 2
"""Version of what :func:`_tag_languages_and_scopes` adds to WeasyPrint's tags (a part
cached before a change is typeset again: ``cache.environment_key`` includes it)."""

SCOPES = {"col": "/Column", "row": "/Row", "colgroup": "/Column", "rowgroup": "/Row"}
"""HTML ``scope`` values as PDF table header scopes."""


def _tag_languages_and_scopes(build_tree: Any) -> Any:
    """Wrap WeasyPrint's structure-tree builder: ``/Lang`` and ``/Scope`` from the HTML,
    and :data:`LINK_MARK` on a Link element whose anchor is not in the document.

    The builder is a recursive generator called through its module name, so the wrapper
    sees every box; an element is annotated once, by the call for the box it was made for.
    """
    import pydyf

    done: set[int] = set()

    def build(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        for element in build_tree(box, parent, *args):
            if id(element) not in done:
                done.add(id(element))
                source = getattr(box, "_box", box)  # an absolutely positioned box
                node = getattr(source, "element", None)
                if node is not None and getattr(source, "element_tag", None) not in (
                    "html",
                    "body",
                ):
                    lang = node.get("lang")
                    if lang:
                        element["Lang"] = pydyf.String(lang)
                    scope = SCOPES.get(str(node.get("scope", "")).lower())
                    if scope and element.get("S") == "/TH" and "A" in element:
                        element["A"]["Scope"] = scope
                    href = str(node.get("href") or "")
                    if (
                        element.get("S") == "/Link"
                        and href.startswith("#")
                        and getattr(source, "link_annotation", None) is None
                    ):
                        element[LINK_MARK[1:]] = pydyf.String(href[1:])
            yield element

    return build


@dataclass
class _Parsed:
    """A linked stylesheet as parsed once, and what its parse did besides."""

    sheet: Any
    """The ``weasyprint.CSS``."""
    page_rules: list[Any]
    """The ``@page`` rules it added to the document's."""
    counter_styles: dict[str, Any]
    """The ``@counter-style`` rules it added."""
    color_profiles: dict[str, Any]
    """The ``@color-profile`` rules it added."""
    messages: list[tuple[int, str]]
    """WeasyPrint's warnings while parsing it (level, text)."""
    fetched: list[str]
    """What the fetch log's ``fetched`` got while parsing it (the sheet, fonts, profiles)."""
    refused: list[str]
    """What the fetch log's ``refused`` got."""
    stamps: list[tuple[str, int, int]]
    """(path, size, modification time) of each file fetched: the parse is good while they
    hold."""
    keep: tuple[Any, ...]
    """The font configuration and fetcher it was parsed with (their ids are in its key)."""


class LinkedStylesheets:
    """The stylesheets documents link (``<link rel=stylesheet href=...>``), parsed once per
    process and reused by every document that links them, while their files are unchanged.

    The layout's stylesheet took about 16 ms to parse for every document. WeasyPrint 70
    parses each ``<link>`` through ``weasyprint.css.CSS(url=...)`` inside
    ``find_stylesheets``; :meth:`reused` stands in for that name while a document is laid
    out. A parse has side effects on the document, which are replayed: the ``@page`` rules
    it adds to the document's list (which every author sheet reads as its ``page_rules``),
    its counter styles and colour profiles, its warnings, and the files it fetched (to
    ``log``, which has ``fetched`` and ``refused`` lists). ``@font-face`` rules are added
    to the shared font configuration once, which WeasyPrint does for later documents
    anyway. A sheet with ``@layer`` rules, or parsed with a matcher or layer of another
    sheet (``@import``), is parsed as before.
    """

    def __init__(self, log: Any) -> None:
        self.log = log
        self.parsed: dict[tuple[Any, ...], _Parsed] = {}

    @contextmanager
    def reused(self) -> Iterator[None]:
        """Reuse parsed linked stylesheets while the block lays out documents."""
        import weasyprint.css as css

        parse = css.CSS

        def factory(*args: Any, **kwargs: Any) -> Any:
            url = kwargs.get("url")
            if args or not isinstance(url, str) or kwargs.get("matcher") or kwargs.get("layer"):
                return parse(*args, **kwargs)
            config, fetcher = kwargs.get("font_config"), kwargs.get("url_fetcher")
            key = (url, kwargs.get("media_type"), id(config), id(fetcher))
            known = self.parsed.get(key)
            if known is None or not _unchanged(known.stamps):
                known = self._parse(parse, kwargs)
                if known is None:
                    return parse(**kwargs)
                self.parsed[key] = known
            return _replay(known, kwargs, self.log)

        css.CSS = factory
        try:
            yield
        finally:
            css.CSS = parse

    def _parse(self, parse: Any, kwargs: dict[str, Any]) -> _Parsed | None:
        """Parse a sheet on its own; None when it cannot be reused (layers)."""
        fetched, refused = len(self.log.fetched), len(self.log.refused)
        page_rules: list[Any] = []
        layers: list[Any] = []
        counter_styles: dict[str, Any] = {}
        color_profiles: dict[str, Any] = {}
        with capture_log(levels=True) as messages:  # the document's own capture sees them too
            sheet = parse(
                **{**kwargs, "page_rules": page_rules, "layers": layers,
                   "counter_style": counter_styles, "color_profiles": color_profiles}
            )  # fmt: skip
        got, lost = self.log.fetched[fetched:], self.log.refused[refused:]
        del self.log.fetched[fetched:], self.log.refused[refused:]  # _replay puts them back
        if layers:
            return None
        url = urlparse(kwargs["url"])
        files = [unquote(url.path)] if url.scheme == "file" else []
        return _Parsed(
            sheet, page_rules, counter_styles, color_profiles, list(messages), got, lost,
            _stamps(files + got), (kwargs.get("font_config"), kwargs.get("url_fetcher"))
        )  # fmt: skip


def _replay(known: _Parsed, kwargs: dict[str, Any], log: Any) -> Any:
    """The parsed sheet for one more document: its side effects done to that document."""
    sheet = copy.copy(known.sheet)
    page_rules = kwargs.get("page_rules")
    if page_rules is None:
        page_rules = []
    page_rules.extend(known.page_rules)
    sheet.page_rules = page_rules
    layers = kwargs.get("layers")
    sheet.layers = [] if layers is None else layers
    for mapping, added in (("counter_style", known.counter_styles),
                           ("color_profiles", known.color_profiles)):  # fmt: skip
        target = kwargs.get(mapping)
        if target is not None:
            target.update(added)
    for level, message in known.messages:
        logging.getLogger("weasyprint").log(level, "%s", message)
    log.fetched.extend(known.fetched)
    log.refused.extend(known.refused)
    return sheet


def _stamps(paths: list[str]) -> list[tuple[str, int, int]]:
    found = []
    for name in dict.fromkeys(paths):
        try:
            stat = os.stat(name)
        except OSError:
            found.append((name, -1, -1))
            continue
        found.append((name, stat.st_size, stat.st_mtime_ns))
    return found


def _unchanged(stamps: list[tuple[str, int, int]]) -> bool:
    return _stamps([name for name, _, _ in stamps]) == stamps


def laid_out_text(document: Any) -> Iterator[str]:
    """The text of every text box laid out in the page areas of ``document``, in order.

    Margin boxes (running headers and footers) are left out: they would cut paragraphs at
    page ends.
    """
    from weasyprint.formatting_structure.boxes import MarginBox, TextBox

    for page in document.pages:
        for area in page._page_box.children:
            if isinstance(area, MarginBox):
                continue
            for box in area.descendants():
                if isinstance(box, TextBox):
                    yield box.text


def text_outside(document: Any) -> list[tuple[str, str]]:
    """Text laid out past its text area: (id of the nearest marked element, the text).

    Two cases: a line holding a word wider than its column (a Korean word with no spaces
    is unbreakable, so it runs on past the measure and off the trim edge), and text cut
    off by a box with ``overflow: hidden``. Only text inside an element with an id counts
    (the templates mark each profile field so); running headers and footers are skipped.
    The text is cut to 40 characters.
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    found: list[tuple[str, str]] = []
    Clip = tuple[float, float, float, float]

    def walk(box: Any, anchor: str, right: float, clip: Clip) -> None:
        if isinstance(box, AbsolutePlaceholder):  # a positioned box has its own measure
            box = box._box
        element = getattr(box, "element", None)
        if element is not None and not isinstance(box, boxes.TextBox):
            anchor = element.get("id") or anchor
        if isinstance(box, boxes.TextBox):
            x0, y0 = box.position_x, box.position_y
            x1, y1 = x0 + box.width, y0 + box.height
            cut = x0 < clip[0] - 1 or y0 < clip[1] - 1 or x1 > clip[2] + 1 or y1 > clip[3] + 1
            if (x1 > right + 1 or cut) and anchor and box.text.strip():
                found.append((anchor, box.text.replace("\u2060", "")[:40]))
            return
        if isinstance(box, boxes.BlockContainerBox) and not isinstance(box, boxes.LineBox):
            right = box.content_box_x() + box.width
        if box.style["overflow"] != "visible" and isinstance(box, boxes.BlockContainerBox):
            x, y = box.padding_box_x(), box.padding_box_y()
            clip = (
                max(clip[0], x),
                max(clip[1], y),
                min(clip[2], x + box.padding_width()),
                min(clip[3], y + box.padding_height()),
            )
        for child in getattr(box, "children", ()):
            walk(child, anchor, right, clip)

    everywhere = (-1e9, -1e9, 1e9, 1e9)
    for page in document.pages:
        for area in page._page_box.children:
            if not isinstance(area, boxes.MarginBox):
                walk(area, "", 1e9, everywhere)
    return found
