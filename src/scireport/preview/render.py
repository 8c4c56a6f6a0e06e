"""Page images for the preview: the builder's PDFs rendered to PNG with poppler's pdftoppm.

Each page image is named by the SHA-256 of its PNG bytes, so a page that looks the same
after a rebuild keeps its URL and the browser never fetches it again. A PDF is rendered
only when its bytes are new: what each PDF's pages became is remembered (in memory and in
``<folder>/renders/``), so a warm start renders nothing. The PDF itself is kept as a hard
link under ``<folder>/sources/`` (the builder replaces files by renaming, so the link keeps
the old bytes), from which a sharper image is rendered when the page is zoomed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
from dataclasses import asdict, dataclass
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
    """Renders PDFs' pages to content-named PNG files under one folder."""

    def __init__(self, folder: Path, pdftoppm: str | None = None) -> None:
        self.folder = folder
        self.images = folder / "images"
        self.sources = folder / "sources"
        self.renders = folder / "renders"
        for path in (self.images, self.sources, self.renders):
            path.mkdir(parents=True, exist_ok=True)
        found = pdftoppm or shutil.which("pdftoppm")
        if found is None:
            raise UserError(
                "scireport preview needs poppler's pdftoppm: install poppler-utils"
                " (make setup does)"
            )
        self.pdftoppm = found
        self.origin: dict[str, tuple[Path, int]] = {}
        """Page digest -> (kept PDF, 1-based page) it was rendered from."""
        self.digests: dict[tuple[str, int, int], str] = {}
        """(path, size, mtime) -> SHA-256 of the file, so unchanged files are not read."""
        self.lock = threading.Lock()

    def file_digest(self, path: Path) -> str:
        """SHA-256 of ``path``'s bytes (remembered while its size and time stay the same)."""
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in self.digests:
            with path.open("rb") as handle:
                self.digests[key] = hashlib.file_digest(handle, "sha256").hexdigest()
        return self.digests[key]

    def pages(self, pdf: Path, first: int = 1, last: int | None = None) -> list[PageImage]:
        """The images of pages ``first``..``last`` of ``pdf`` (all from ``first`` if None)."""
        digest = self.file_digest(pdf)
        record = self.renders / f"{digest[:32]}-{first}-{last or 'end'}.json"
        kept = self.sources / f"{digest[:32]}.pdf"
        images = self._recorded(record)
        if images is None:
            self._keep(pdf, kept)
            images = self._render(kept, first, last)
            record.write_text(json.dumps([asdict(i) for i in images]), encoding="utf-8")
        for number, image in enumerate(images, start=first):
            self.origin.setdefault(image.digest, (kept, number))
        return images

    def _recorded(self, record: Path) -> list[PageImage] | None:
        try:
            images = [PageImage(**i) for i in json.loads(record.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            return None
        if all((self.images / f"{i.digest}.png").is_file() for i in images):
            return images
        return None

    def _keep(self, pdf: Path, kept: Path) -> None:
        if kept.exists():
            return
        try:
            os.link(pdf, kept)
        except OSError:  # another file system, or links refused: a copy does as well
            shutil.copyfile(pdf, kept)

    def _render(self, pdf: Path, first: int, last: int | None) -> list[PageImage]:
        with tempfile.TemporaryDirectory(dir=self.folder) as scratch:
            command = [self.pdftoppm, "-png", "-r", str(SCREEN_DPI), "-f", str(first)]
            if last is not None:
                command += ["-l", str(last)]
            self._run([*command, str(pdf), str(Path(scratch) / "p")])
            # pdftoppm pads page numbers to the width of the last one: sort by number
            files = sorted(Path(scratch).glob("p-*.png"), key=lambda p: int(p.stem[2:]))
            images = []
            for file in files:
                data = file.read_bytes()
                digest = hashlib.sha256(data).hexdigest()[:20]
                target = self.images / f"{digest}.png"
                if not target.exists():
                    os.replace(file, target)
                images.append(PageImage(digest, *png_size(data)))
        return images

    def zoomed(self, digest: str) -> Path | None:
        """The sharper (``ZOOM_DPI``) image of a page rendered before; None if unknown."""
        target = self.images / f"{digest}@2x.png"
        if target.exists():
            return target
        origin = self.origin.get(digest)
        if origin is None or not origin[0].exists():
            return None
        pdf, number = origin
        with self.lock, tempfile.TemporaryDirectory(dir=self.folder) as scratch:
            if target.exists():
                return target
            prefix = Path(scratch) / "z"
            page = str(number)
            self._run(
                [self.pdftoppm, "-png", "-r", str(ZOOM_DPI), "-f", page, "-l", page]
                + ["-singlefile", str(pdf), str(prefix)]
            )
            os.replace(prefix.with_suffix(".png"), target)
        return target

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise UserError(
                f"pdftoppm could not render {command[-2]}: {done.stderr.strip() or done.returncode}"
            )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height
