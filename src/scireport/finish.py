"""Finish stage: turn WeasyPrint's print PDF into what a press expects, and prepare CMYK inputs.

WeasyPrint (70) writes a PDF/X file whose MediaBox and BleedBox are the trimmed page plus the
CSS bleed, with crop marks (if asked for) in RGB. :func:`finish_print` rewrites the page boxes
(TrimBox = the trimmed page, BleedBox = trim + bleed, MediaBox = BleedBox, or larger to hold
crop marks), draws crop marks in registration colour (all four inks, DeviceCMYK) outside the
BleedBox, and makes the metadata and PDF/X identification consistent without touching the
output intent.

:func:`overprint_black_text` makes solid black text (DeviceCMYK 0 0 0 1) overprint, as presses
expect, and :func:`store_images_once` keeps one copy of each identical image (both editions:
:func:`finish_screen` runs it alone on a screen PDF).

:func:`convert_image_to_cmyk` converts RGB raster images to CMYK with the print edition's
output profile (Pillow's ImageCms, i.e. LittleCMS) so no RGB reaches the print edition, and
:func:`check_icc_profile` refuses a profile that is missing or not CMYK.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from .errors import UserError
from .files import replacing, write_atomically
from .models import WORD_JOINER
from .pdfobjects import inherited, repoint

MM = 72 / 25.4
"""PDF points per millimetre."""

MARK_OFFSET_MM = 3.0
"""Gap between the bleed edge and the start of each crop mark (at least 2 mm)."""
MARK_LENGTH_MM = 6.0
"""Length of each crop mark."""
SLUG_MM = MARK_OFFSET_MM + MARK_LENGTH_MM + 1.0
"""How far the MediaBox reaches beyond the BleedBox when crop marks are drawn (10 mm)."""
MARK_WIDTH_PT = 0.25
"""Stroke width of the crop marks (a hairline)."""
MARK_COLOUR = "1 1 1 1 K"
"""Registration colour: the marks print on all four plates."""

TRIM_TOLERANCE_MM = 0.5
"""Slack between the layout's trimmed size and the TrimBox WeasyPrint wrote."""

PDFX_NS = "http://www.npes.org/pdfx/ns/id/"
JPEG_SUFFIXES = (".jpg", ".jpeg")

Box = tuple[float, float, float, float]


# --------------------------------------------------------------------------- finish_print


def finish_print(
    path: Path,
    *,
    trim_mm: tuple[float, float],
    bleed_mm: float,
    marks: bool,
    title: str,
    authors: list[str],
    lang: str,
    document_key: str = "",
    images: bool = True,
) -> None:
    """Finish the print PDF at ``path`` in place: page boxes, crop marks and metadata.

    Every page gets TrimBox = the trimmed page (``trim_mm`` = width, height; WeasyPrint's
    TrimBox is kept and checked against it), BleedBox = trim + ``bleed_mm`` on every side, and
    MediaBox = CropBox = BleedBox, or, with ``marks``, BleedBox + 10 mm with crop marks drawn
    in registration colour (``1 1 1 1 K``) starting 3 mm outside the BleedBox; the page's own
    content is then clipped to the BleedBox so nothing but the marks prints beyond it.
    Title, authors and language are set in the document info, the XMP metadata and the
    catalog; a PDF/X identification found in either place is written to both, with Trapped
    False. A PDF/X-4 file's XMP DocumentID (random when WeasyPrint wrote it) is derived from
    ``document_key`` (the title without one): the same file gets the same id on every build
    and two files never share one. The output intent is left as it is. Raises UserError
    when the file is not a PDF or its pages do not match ``trim_mm`` and ``bleed_mm``. The
    file is replaced atomically. Identical images are stored once unless ``images`` is
    False (no image can repeat: :func:`images_may_repeat`).
    """
    if bleed_mm < 0:
        raise ValueError("bleed_mm cannot be negative")
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        raise UserError(f"{path}: cannot open the PDF to finish it: {exc}") from None
    with pdf:
        overprint_black_text(pdf)
        if images:
            store_images_once(pdf)
        clean_outline(pdf)
        for number, page in enumerate(pdf.pages, start=1):
            _finish_page(pdf, page, number, path, trim_mm, bleed_mm, marks)
        _set_metadata(pdf, title, authors, lang, document_key or title)
        if "/ID" in pdf.trailer:  # qpdf keeps the first half; let it come from the content
            del pdf.trailer["/ID"]
        with replacing(path) as tmp:
            pdf.save(tmp, deterministic_id=True)


def finish_screen(path: Path, *, images: bool = True) -> None:
    """Finish the screen PDF at ``path`` in place: each identical image stored once (unless
    ``images`` is False: none can repeat, see :func:`images_may_repeat`), and the outline's
    labels without the word joiners that keep Korean words whole in print.

    The structure tree, metadata and everything else are kept as WeasyPrint wrote them.
    Raises UserError when the file is not a PDF. The file is replaced atomically, and left
    alone when there is nothing to change.
    """
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        raise UserError(f"{path}: cannot open the PDF to finish it: {exc}") from None
    with pdf:
        shared = store_images_once(pdf) if images else 0
        if clean_outline(pdf) or shared:
            with replacing(path) as tmp:
                pdf.save(tmp, deterministic_id=True)


def _finish_page(
    pdf: pikepdf.Pdf,
    page: pikepdf.Page,
    number: int,
    path: Path,
    trim_mm: tuple[float, float],
    bleed_mm: float,
    marks: bool,
) -> None:
    media = _box(page.obj.get("/MediaBox") or page.mediabox)
    trim = _box(page.obj.get("/TrimBox")) if page.obj.get("/TrimBox") is not None else None
    width, height = trim_mm[0] * MM, trim_mm[1] * MM
    if trim is None:  # centre the trimmed page in the MediaBox
        cx, cy = (media[0] + media[2]) / 2, (media[1] + media[3]) / 2
        trim = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
    got_w, got_h = (trim[2] - trim[0]) / MM, (trim[3] - trim[1]) / MM
    if abs(got_w - trim_mm[0]) > TRIM_TOLERANCE_MM or abs(got_h - trim_mm[1]) > TRIM_TOLERANCE_MM:
        raise UserError(
            f"{path}: page {number} is {got_w:.1f} × {got_h:.1f} mm but the layout's page is"
            f" {trim_mm[0]:g} × {trim_mm[1]:g} mm; make @page size in the layout's CSS match"
            " layout.yaml"
        )
    bleed = _grow(trim, bleed_mm * MM)
    slack = 0.05 * MM
    if not (
        media[0] <= bleed[0] + slack
        and media[1] <= bleed[1] + slack
        and media[2] >= bleed[2] - slack
        and media[3] >= bleed[3] - slack
    ):
        laid_out = min(
            trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3]
        )
        raise UserError(
            f"{path}: page {number} was laid out with {max(laid_out, 0) / MM:.1f} mm of bleed"
            f" but {bleed_mm:g} mm is asked for; set @page {{ bleed: {bleed_mm:g}mm }}"
        )
    outer = _grow(bleed, SLUG_MM * MM) if marks else bleed
    page.obj.TrimBox = _array(trim)
    page.obj.BleedBox = _array(bleed)
    page.obj.MediaBox = _array(outer)
    page.obj.CropBox = _array(outer)
    if "/ArtBox" in page.obj:
        del page.obj["/ArtBox"]
    if marks:
        clip = f"q {_num(bleed[0])} {_num(bleed[1])} {_num(bleed[2] - bleed[0])}"
        clip += f" {_num(bleed[3] - bleed[1])} re W n\n"
        page.contents_add(pdf.make_stream(clip.encode("ascii")), prepend=True)
        page.contents_add(pdf.make_stream(b"Q\n" + crop_marks(trim, bleed_mm)))


def crop_marks(trim: Box, bleed_mm: float) -> bytes:
    """Content stream drawing eight crop marks around ``trim`` (points), outside the bleed.

    Each corner gets a horizontal and a vertical hairline on the trim lines, from
    ``bleed + 3 mm`` to ``bleed + 9 mm`` away from the trimmed page, in registration colour.
    """
    x0, y0, x1, y1 = trim
    near = (bleed_mm + MARK_OFFSET_MM) * MM
    far = (bleed_mm + MARK_OFFSET_MM + MARK_LENGTH_MM) * MM
    lines: list[tuple[float, float, float, float]] = []
    for x, xdir in ((x0, -1), (x1, 1)):
        for y, ydir in ((y0, -1), (y1, 1)):
            lines.append((x + xdir * near, y, x + xdir * far, y))  # horizontal, on y
            lines.append((x, y + ydir * near, x, y + ydir * far))  # vertical, on x
    ops = [f"q {MARK_WIDTH_PT:g} w 0 J 0 j [] 0 d {MARK_COLOUR}"]
    ops += [f"{_num(a)} {_num(b)} m {_num(c)} {_num(d)} l S" for a, b, c, d in lines]
    ops.append("Q")
    return ("\n".join(ops) + "\n").encode("ascii")


def _box(value: Any) -> Box:
    x1, y1, x2, y2 = (float(v) for v in value)
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _grow(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _array(box: Box) -> pikepdf.Array:
    return pikepdf.Array([float(_num(v)) for v in box])


def _set_metadata(
    pdf: pikepdf.Pdf, title: str, authors: list[str], lang: str, document_key: str
) -> None:
    info = pdf.docinfo
    info_version = info.get("/GTS_PDFXVersion")
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        if "xmpMM:DocumentID" in meta:
            meta["xmpMM:DocumentID"] = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, document_key)}"
        xmp_version = meta.get(f"{{{PDFX_NS}}}GTS_PDFXVersion")
        version = str(xmp_version or info_version or "") or None
        meta["dc:title"] = title
        if authors:
            meta["dc:creator"] = list(authors)
        meta["dc:language"] = [lang]
        if version:
            if not xmp_version:
                meta[f"{{{PDFX_NS}}}GTS_PDFXVersion"] = version
            if str(meta.get("pdf:Trapped", "")) != "True":
                meta["pdf:Trapped"] = "False"
    info["/Title"] = pikepdf.String(title)
    if authors:
        info["/Author"] = pikepdf.String(", ".join(authors))
    if version:
        info["/GTS_PDFXVersion"] = pikepdf.String(version)
        if str(info.get("/Trapped", "")) != "/True":
            info["/Trapped"] = pikepdf.Name("/False")
    pdf.Root.Lang = pikepdf.String(lang)


def clean_outline(pdf: pikepdf.Pdf) -> int:
    """Drop word joiners from the outline's labels (WeasyPrint copies them from the heading
    text, and a screen reader would spell ``들\u2060어``); return how many labels changed."""
    root = pdf.Root.get("/Outlines")
    if not isinstance(root, pikepdf.Dictionary):
        return 0
    changed = 0
    stack, seen = [root.get("/First")], set()
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary) or item.objgen in seen:
            continue
        seen.add(item.objgen)
        title = str(item.get("/Title", ""))
        if WORD_JOINER in title:
            item.Title = pikepdf.String(title.replace(WORD_JOINER, ""))
            changed += 1
        stack += [item.get("/First"), item.get("/Next")]
    return changed


# --------------------------------------------------------------------------- overprint

OVERPRINT_ON = "/scireportOP1"
"""ExtGState resource name that turns fill and stroke overprint on, in mode 1."""
OVERPRINT_OFF = "/scireportOP0"
"""ExtGState resource name that turns overprint off again."""

_TEXT_SHOWS = frozenset({"Tj", "TJ", "'", '"'})
_PAINTS = frozenset({"f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "Do"})
_SOLID_BLACK = (0.0, 0.0, 0.0, 1.0)


def overprint_black_text(pdf: pikepdf.Pdf) -> int:
    """Make every solid black text run (DeviceCMYK 0 0 0 1) overprint; return how many.

    Each page's content (and every form it draws) is rewritten so that an ExtGState with
    ``/OP true /op true /OPM 1`` is in force when 100 % K text is shown, and one with overprint
    off before anything else is painted: only the black text overprints, so on screen and in
    any renderer that does not simulate overprint the page looks exactly as before, and on
    press the black plate prints over what lies beneath instead of knocking it out (with mode
    1 the zero C, M and Y of the black leave those plates alone).

    Both states are added to the resources of every page done, which marks it done: a page
    whose resources hold them already is not read again (the build does this once per typeset
    part, in the worker, so finishing a book of cached parts costs nothing here).
    """
    todo = [page for page in pdf.pages if not _overprint_done(page.obj)]
    if not todo:
        return 0
    on = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, OP=True, op=True, OPM=1))
    off = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, OP=False, op=False))
    done: set[tuple[int, int]] = set()
    runs = 0
    for page in todo:
        runs += _overprint_content(pdf, page.obj, inherited(page.obj, "/Resources"), on, off, done)
    for page in todo:
        resources = inherited(page.obj, "/Resources")
        if resources is None:
            resources = page.obj.Resources = pikepdf.Dictionary()
        if resources.get("/ExtGState") is None:
            resources.ExtGState = pikepdf.Dictionary()
        resources.ExtGState[OVERPRINT_ON] = on
        resources.ExtGState[OVERPRINT_OFF] = off
    return runs


def _overprint_done(page: Any) -> bool:
    resources = inherited(page, "/Resources")
    states = resources.get("/ExtGState") if resources is not None else None
    return isinstance(states, pikepdf.Dictionary) and OVERPRINT_OFF in states


def _overprint_content(
    pdf: pikepdf.Pdf,
    owner: Any,
    resources: Any,
    on: Any,
    off: Any,
    done: set[tuple[int, int]],
) -> int:
    """Rewrite the content of ``owner`` (a page or a form XObject); return the runs turned on."""
    if owner.objgen != (0, 0):
        if owner.objgen in done:
            return 0
        done.add(owner.objgen)
    runs = 0
    xobjects = resources.get("/XObject") if resources is not None else None
    if isinstance(xobjects, pikepdf.Dictionary):
        for xobject in xobjects.values():
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
                inner = xobject.get("/Resources") or resources
                runs += _overprint_content(pdf, xobject, inner, on, off, done)
    if isinstance(owner, pikepdf.Stream):
        instructions = pikepdf.parse_content_stream(owner)
    else:
        if owner.get("/Contents") is None:
            return runs
        instructions = pikepdf.parse_content_stream(pikepdf.Page(owner))
    rewritten, turned_on = _with_overprint(instructions, resources)
    if rewritten is None:
        return runs
    if resources is None:
        resources = owner.Resources = pikepdf.Dictionary()
    if resources.get("/ExtGState") is None:
        resources.ExtGState = pikepdf.Dictionary()
    resources.ExtGState[OVERPRINT_ON] = on
    resources.ExtGState[OVERPRINT_OFF] = off
    data = pikepdf.unparse_content_stream(rewritten)
    if isinstance(owner, pikepdf.Stream):
        owner.write(data)
    else:
        owner.Contents = pdf.make_stream(data)
    return runs + turned_on


def _with_overprint(instructions: list[Any], resources: Any) -> tuple[list[Any] | None, int]:
    """``instructions`` with overprint switched on for black text and off around other
    painting; None when nothing needs to change. Also returns the runs switched on."""
    space: str | None = "/DeviceGray"
    values: tuple[float, ...] = (0.0,)
    overprint = False
    stack: list[tuple[str | None, tuple[float, ...], bool]] = []
    out: list[Any] = []
    changed, turned_on = False, 0
    gstates = resources.get("/ExtGState") if resources is not None else None

    def switch(to: bool) -> None:
        nonlocal overprint, changed
        name = OVERPRINT_ON if to else OVERPRINT_OFF
        out.append(pikepdf.ContentStreamInstruction([pikepdf.Name(name)], pikepdf.Operator("gs")))
        overprint, changed = to, True

    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            if overprint:
                switch(False)
            out.append(instruction)
            continue
        op = str(instruction.operator)
        operands = list(instruction.operands)
        if op == "q":
            stack.append((space, values, overprint))
        elif op == "Q":
            if stack:
                space, values, overprint = stack.pop()
        elif op == "cs" and operands:
            space = str(operands[0])
            values = (0.0, 0.0, 0.0, 1.0) if space == "/DeviceCMYK" else (0.0,)
        elif op in ("sc", "scn"):
            values = _numbers(operands)
        elif op == "k":
            space, values = "/DeviceCMYK", _numbers(operands)
        elif op in ("g", "rg"):
            space, values = ("/DeviceGray" if op == "g" else "/DeviceRGB"), ()
        elif op == "gs" and operands:
            name = str(operands[0])
            if name == OVERPRINT_ON:
                overprint = True
            elif name == OVERPRINT_OFF:
                overprint = False
            elif isinstance(gstates, pikepdf.Dictionary):
                state = gstates.get(name)
                if isinstance(state, pikepdf.Dictionary):
                    fill = state.get("/op", state.get("/OP"))
                    if fill is not None:
                        overprint = bool(fill) and _numbers([state.get("/OPM", 0)]) == (1.0,)
        elif op in _TEXT_SHOWS:
            black = space == "/DeviceCMYK" and values == _SOLID_BLACK
            if black != overprint:
                switch(black)
                turned_on += black
        elif op in _PAINTS and overprint:
            switch(False)
        out.append(instruction)
    return (out if changed else None), turned_on


def _numbers(operands: list[Any]) -> tuple[float, ...]:
    """The operands as numbers; () when one is not a number (a pattern name)."""
    try:
        return tuple(float(v) for v in operands)
    except (TypeError, ValueError):
        return ()


# --------------------------------------------------------------------------- images


def survey_images(pdf: pikepdf.Pdf) -> dict[str, Any]:
    """The SHA-256 of each image's data as stored in a part (``{"images": [...]}``, sorted),
    taken as the part is typeset, before it is cached.

    Two images :func:`store_images_once` finds identical have the same data, so the same
    digest: a book whose parts' digests are all different has no image to store once, and
    its finishing need not look at its objects (in W50's tagged screen book, 15,000 of
    them: 58 ms, to find no image at all)."""
    images = [
        hashlib.sha256(obj.read_raw_bytes()).hexdigest()
        for obj in pdf.objects
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
    ]
    return {"images": sorted(images)}


def images_may_repeat(parts: Sequence[Sequence[str] | None]) -> bool:
    """Might a PDF made of parts with these image digests (:func:`survey_images`; None: a
    part not surveyed) hold an image twice?"""
    if any(digests is None for digests in parts):
        return True
    every = [digest for digests in parts if digests is not None for digest in digests]
    return len(every) != len(set(every))


def store_images_once(pdf: pikepdf.Pdf) -> int:
    """Point every reference to an image identical to an earlier one at that one.

    Images are the same when their stream data (as stored) and their dictionaries (soft
    masks compared by their own digests) are byte for byte the same. The duplicates are no
    longer referenced, so saving the file leaves them out. Returns how many were dropped.
    """
    canonical: dict[str, Any] = {}
    replace: dict[tuple[int, int], Any] = {}
    images = [
        obj
        for obj in pdf.objects
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
    ]
    digests: dict[tuple[int, int], str] = {}

    def digest(obj: Any, depth: int = 0) -> str:
        """A digest of ``obj`` as stored: streams by their raw data and dictionary, indirect
        objects they refer to (soft masks, ICC profiles) by their own content."""
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            known = digests.get(obj.objgen)
            if known is not None:
                return known
        h = hashlib.sha256()
        if depth > 8:
            h.update(repr(obj.objgen if isinstance(obj, pikepdf.Object) else obj).encode())
        elif isinstance(obj, pikepdf.Stream):
            h.update(b"stream" + obj.read_raw_bytes())
            details = obj.stream_dict
            for key in sorted(set(details.keys()) - {"/Length"}):
                h.update(f"{key}={digest(details[key], depth + 1)}".encode())
        elif isinstance(obj, pikepdf.Dictionary):
            for name in sorted(obj.keys()):
                h.update(f"<{name}={digest(obj[name], depth + 1)}>".encode())
        elif isinstance(obj, pikepdf.Array):
            h.update(f"[{','.join(digest(item, depth + 1) for item in obj)}]".encode())
        elif isinstance(obj, pikepdf.Object):
            h.update(obj.unparse())
        else:
            h.update(repr(obj).encode())
        value = h.hexdigest()
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            digests[obj.objgen] = value
        return value

    for image in images:
        first = canonical.setdefault(digest(image), image)
        if first.objgen != image.objgen:
            replace[image.objgen] = first
    if not replace:
        return 0

    repoint(pdf, replace)
    return len(replace)


def check_icc_profile(path: Path) -> None:
    """Raise UserError unless ``path`` is a readable ICC profile for a CMYK colour space."""
    if not path.is_file():
        raise UserError(
            f"ICC profile {path} not found; install it (Debian: libgs-common gives"
            " /usr/share/color/icc/ghostscript/default_cmyk.icc) or fix icc_profile in"
            " layout.yaml"
        )
    try:
        profile = ImageCms.getOpenProfile(str(path))
    except (ImageCms.PyCMSError, OSError, ValueError) as exc:
        raise UserError(f"{path} is not an ICC profile ({exc}); give a CMYK .icc file") from None
    space = str(profile.profile.xcolor_space).strip()
    if space != "CMYK":
        raise UserError(
            f"{path} is an ICC profile for {space or 'an unknown colour space'}, not CMYK;"
            " the print edition needs a CMYK output profile (e.g. default_cmyk.icc)"
        )


def convert_image_to_cmyk(src: Path, dst: Path, icc_profile: Path) -> None:
    """Write ``src`` as a CMYK JPEG at ``dst`` for the print edition.

    RGB (and palette) images are converted from their embedded RGB profile, else sRGB, to
    ``icc_profile`` (relative colorimetric with black-point compensation); transparency is
    flattened onto white. CMYK images keep their pixel values (a CMYK JPEG is copied byte for
    byte); greyscale images stay greyscale (they print on black only). ``dst`` must end in
    ``.jpg`` or ``.jpeg``: JPEG is the CMYK raster format WeasyPrint embeds. Raises UserError
    naming the file when ``src`` cannot be decoded or converted, or the profile is not CMYK.
    """
    if dst.suffix.lower() not in JPEG_SUFFIXES:
        raise ValueError(f"dst must be a .jpg file (CMYK is written as JPEG), not {dst.name}")
    check_icc_profile(icc_profile)
    try:
        with _strict_decoding(), Image.open(src) as opened:
            opened.load()
            image = _prepared(opened)
            embedded = opened.info.get("icc_profile")
            dpi = opened.info.get("dpi")
            profile: bytes | None = None
            if image is None or image.mode == "L":
                profile = None
            elif image.mode == "CMYK":  # pixel values kept, so is the profile they were made for
                profile = embedded
            else:
                image = _to_cmyk(image, embedded, icc_profile)
                profile = icc_profile.read_bytes()
    except FileNotFoundError:
        raise UserError(f"image {src} not found") from None
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        ImageCms.PyCMSError,
        OSError,
        ValueError,
        SyntaxError,
    ) as exc:
        raise UserError(
            f"image {src} cannot be decoded or converted to CMYK ({exc}); save it again as"
            " PNG or JPEG"
        ) from None
    if image is None:  # a CMYK JPEG: keep its bytes
        _write_atomically(dst, lambda tmp: shutil.copyfile(src, tmp))
        return
    options: dict[str, Any] = {"quality": 95, "subsampling": 0}
    if dpi:
        options["dpi"] = dpi
    if profile:
        options["icc_profile"] = profile
    result = image
    _write_atomically(dst, lambda tmp: result.save(tmp, "JPEG", **options))


_DECODING = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Make a truncated image an error while the block runs.

    Importing WeasyPrint sets Pillow's global ``LOAD_TRUNCATED_IMAGES``, which would turn a
    cut-off file into a silently grey-filled picture in the print edition.
    """
    with _DECODING:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _prepared(image: Image.Image) -> Image.Image | None:
    """Orientation applied and transparency flattened; None for a CMYK JPEG kept as is."""
    if image.mode == "CMYK":
        return None if image.format == "JPEG" else image.copy()
    oriented = ImageOps.exif_transpose(image) or image
    grey = oriented.mode in ("1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "F")
    if grey and oriented.mode not in ("LA", "La"):
        if oriented.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
            return oriented.point(lambda v: v / 256).convert("L")
        return oriented.convert("L")
    has_alpha = oriented.mode in ("RGBA", "LA", "La", "PA", "RGBa") or (
        "transparency" in oriented.info
    )
    if has_alpha:
        rgba = oriented.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(white, rgba)
        return flat.convert("L" if grey else "RGB")
    return oriented.convert("RGB")


def _to_cmyk(image: Image.Image, embedded: bytes | None, icc_profile: Path) -> Image.Image:
    source: ImageCms.ImageCmsProfile | None = None
    if embedded:
        try:
            candidate = ImageCms.ImageCmsProfile(BytesIO(embedded))
            if str(candidate.profile.xcolor_space).strip() == "RGB":
                source = candidate
        except (ImageCms.PyCMSError, OSError, ValueError):
            source = None
    if source is None:
        source = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    target = ImageCms.getOpenProfile(str(icc_profile))
    transform = ImageCms.buildTransform(
        source,
        target,
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
    converted = ImageCms.applyTransform(image, transform)
    assert converted is not None
    return converted


def _write_atomically(dst: Path, write: Callable[[Path], object]) -> None:
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(dst, write)
    except OSError as exc:
        raise UserError(f"cannot write {dst}: {exc.strerror or exc}") from None
