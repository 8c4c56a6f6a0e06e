"""Page images for the preview: typeset PDFs rendered to PNG with PDFium (pypdfium2).

PDFium renders in this process: measured on a two-page city PDF of the W50 workload, 0.37 s
against 1.69 s for poppler's ``pdftoppm`` (same machine, same load, 96 dpi).

The preview renders each part of the book (a city, a section) from the PDF the builder
typeset into its page cache, not from the stitched book: the part is there as soon as it is
typeset, while the book is stitched, finished and preflighted after. The part's PDF is
first finished as the edition's PDFs are (page boxes: see :func:`scireport.finish.
finish_print`), so that its pages are pixel for pixel the book's pages (a test checks it).
The finished copy is kept under ``<folder>/sources/`` (named by the typeset PDF's SHA-256),
from which the sharper image is rendered when the page is zoomed.

Each page image is named by the SHA-256 of its PNG bytes, so a page that looks the same
after a rebuild keeps its URL and the browser never fetches it again. Whatever the current
pages no longer use is pruned (:meth:`PageRenderer.prune`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError

SCREEN_DPI = 96
"""Resolution of the page images: one CSS pixel per image pixel at 100 %."""
ZOOM_DPI = 192
"""Resolution of the sharper image shown when the page is zoomed."""
IMAGE_NAME = re.compile(r"^(?P<digest>[0-9a-f]{20})(?P<zoom>@2x)?\.png$")
"""The only file names the server hands out: a page digest, optionally ``@2x``."""


@dataclass(frozen=True)
class PageImage:
    """One rendered page."""

    digest: str
    """SHA-256 (first 20 hex digits) of the PNG: the image's name and version."""
    width: int
    """Width in pixels at ``SCREEN_DPI``."""
    height: int
    """Height in pixels at ``SCREEN_DPI``."""


class PageRenderer:
    """Renders typeset PDFs' pages to content-named PNG files under one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.images = folder / "images"
        self.sources = folder / "sources"
        for path in (self.images, self.sources):
            path.mkdir(parents=True, exist_ok=True)
        self.origin: dict[str, tuple[Path, int]] = {}
        """Page digest -> (kept PDF, 1-based page) it was rendered from."""
        self.lock = threading.Lock()

    def source(self, sha256: str) -> Path:
        """Where the finished copy of the typeset PDF with this SHA-256 is kept."""
        return self.sources / f"{sha256[:32]}.pdf"

    def part(
        self, pdf: Path, sha256: str, finish: Callable[[Path], None] | None
    ) -> list[PageImage]:
        """Every page of the typeset PDF ``pdf`` (whose SHA-256 is ``sha256``), rendered.

        ``finish`` is applied to a copy first (the edition's finishing of page boxes).
        """
        kept = self.source(sha256)
        if not kept.exists():
            self._keep(pdf, kept, finish)
        images = [self._store(data) for data in self._draw_pages(kept, None, SCREEN_DPI)]
        self.remember(kept, images)
        return images

    def remember(self, kept: Path, images: list[PageImage]) -> None:
        """Note that ``images`` are the pages of ``kept`` (to render them sharper on zoom)."""
        for number, image in enumerate(images, start=1):
            self.origin[image.digest] = (kept, number)

    def has(self, image: PageImage) -> bool:
        """Is ``image`` on disk (still servable)?"""
        return (self.images / f"{image.digest}.png").is_file()

    def prune(self, sources: Iterable[Path], images: Iterable[PageImage]) -> int:
        """Remove every kept PDF and image but ``sources`` and ``images``; return how many."""
        keep_sources = {path.name for path in sources}
        digests = {image.digest for image in images}
        keep_images = {f"{d}.png" for d in digests} | {f"{d}@2x.png" for d in digests}
        removed = 0
        for folder, keep in ((self.sources, keep_sources), (self.images, keep_images)):
            for path in folder.iterdir():
                if path.name in keep or path.suffix == ".part" and _young(path):
                    continue  # a .part is an image or copy being written right now
                path.unlink(missing_ok=True)
                removed += 1
        self.origin = {d: o for d, o in self.origin.items() if d in digests}
        return removed

    def _store(self, data: bytes) -> PageImage:
        digest = hashlib.sha256(data).hexdigest()[:20]
        target = self.images / f"{digest}.png"
        if not target.exists():
            _write(target, data)
        return PageImage(digest, *png_size(data))

    def _keep(self, pdf: Path, kept: Path, finish: Callable[[Path], None] | None) -> None:
        """Keep a copy of ``pdf`` at ``kept``, finished by ``finish``."""
        fd, name = tempfile.mkstemp(dir=kept.parent, suffix=".part")
        os.close(fd)
        tmp = Path(name)
        try:
            if finish is None:
                try:  # the cache replaces files by renaming: a link keeps these bytes
                    tmp.unlink()
                    os.link(pdf, tmp)
                except OSError:  # another file system, or links refused: a copy does
                    shutil.copyfile(pdf, tmp)
            else:
                shutil.copyfile(pdf, tmp)
                finish(tmp)
            os.replace(tmp, kept)
        finally:
            tmp.unlink(missing_ok=True)

    def _draw_pages(self, pdf: Path, numbers: list[int] | None, dpi: int) -> list[bytes]:
        """PNG bytes of the pages ``numbers`` (1-based; None: all) of ``pdf`` at ``dpi``."""
        return draw_pages(pdf, numbers, dpi, self.lock)

    def zoomed(self, digest: str) -> Path | None:
        """The sharper (``ZOOM_DPI``) image of a page rendered before; None if unknown."""
        target = self.images / f"{digest}@2x.png"
        if target.exists():
            return target
        origin = self.origin.get(digest)
        if origin is None or not origin[0].exists():
            return None
        pdf, number = origin
        _write(target, self._draw_pages(pdf, [number], ZOOM_DPI)[0])
        return target


def draw_pages(
    pdf: Path, numbers: list[int] | None, dpi: int, lock: threading.Lock | None = None
) -> list[bytes]:
    """PNG bytes of the pages ``numbers`` (1-based; None: all) of ``pdf`` at ``dpi``.

    The preview's page images are made by this function, so a test can render any PDF
    (the book) exactly as the preview does and compare.
    """
    import pypdfium2

    # PDFium is not thread-safe: a renderer passes its lock (one page at a time); a
    # caller without one (a test, a script) renders alone
    with lock or contextlib.nullcontext():
        try:
            document = pypdfium2.PdfDocument(str(pdf))
        except pypdfium2.PdfiumError as exc:
            raise UserError(f"cannot render {pdf} for the preview: {exc}") from None
        try:
            pages = []
            for number in numbers or range(1, len(document) + 1):
                image = document[number - 1].render(scale=dpi / 72).to_pil()
                buffer = io.BytesIO()
                image.save(buffer, "PNG", compress_level=1)
                pages.append(buffer.getvalue())
            return pages
        finally:
            document.close()


def _young(path: Path) -> bool:
    """Was ``path`` changed in the last minute?"""
    try:
        return time.time() - path.stat().st_mtime < 60
    except OSError:
        return False


def _write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically (a browser never reads half an image)."""
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as tmp:
        tmp.write(data)
    os.replace(tmp.name, target)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height
