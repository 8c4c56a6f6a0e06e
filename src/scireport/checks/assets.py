"""Asset checks: every image a profile names exists, stays in the project and prints sharply."""

from __future__ import annotations

import math
import warnings
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import Finding
from ..models import Image, LayoutManifest
from ..project import City, Project

MM_PER_INCH = 25.4
FORMATS = {"PNG", "JPEG"}
"""Image formats a profile may use."""
_EXIF_ORIENTATION = 0x0112
_ROTATED = {5, 6, 7, 8}
"""EXIF orientations that turn the picture a quarter turn (width and height swap)."""


def check(project: Project, manifest: LayoutManifest) -> list[Finding]:
    """Check every image of every valid profile against the layout's resolution limits."""
    findings: list[Finding] = []
    root = project.root.resolve()
    for city in project.cities:
        if city.profile is None:
            continue
        for index, image in enumerate(city.profile.images):
            findings += check_image(city, index, image, root, manifest.image_min_ppi)
    return findings


def check_image(
    city: City, index: int, image: Image, root: Path, min_ppi: tuple[int, int]
) -> list[Finding]:
    """Check one image: where it is, that it decodes, and its resolution at its printed size."""
    path = ("images", index, "path")

    def problem(rule: str, message: str, severity: str = "error") -> list[Finding]:
        return [city.doc.finding(path, rule, message, severity=severity)]

    given = image.path
    if PurePosixPath(given).is_absolute() or PureWindowsPath(given).is_absolute():
        return problem(
            "asset-outside",
            f"{given} is an absolute path; copy the image into the project and give its path"
            " relative to the project folder (e.g. images/seoul.jpg)",
        )
    try:
        target = (root / given).resolve()
        outside = not target.is_relative_to(root)
        exists = not outside and target.is_file()
    except (OSError, ValueError, RuntimeError) as exc:  # NUL byte, name too long, link loop
        return problem(
            "asset-missing",
            f"{given!r} is not a usable file path ({exc}); give the image's path relative"
            " to the project folder, e.g. images/seoul.jpg",
        )
    if outside:
        return problem(
            "asset-outside",
            f"{given} points outside the project folder; copy the image into the project"
            " (e.g. images/) and give that path",
        )
    if not exists:
        return problem(
            "asset-missing",
            f"image {given} does not exist in the project; check the path (it is relative"
            " to the project folder) or add the file",
        )
    size = _decoded_size(target)
    if isinstance(size, str):
        return problem("asset-unreadable", f"image {given} cannot be used: {size}")
    width_px, _ = size
    ppi = width_px / (image.width_mm / MM_PER_INCH)
    error_ppi, warn_ppi = min_ppi
    if ppi >= warn_ppi:
        return []
    wanted = error_ppi if ppi < error_ppi else warn_ppi
    need = math.ceil(image.width_mm * wanted / MM_PER_INCH)
    widest = math.floor(width_px * MM_PER_INCH / wanted)
    better = (
        f" ({math.ceil(image.width_mm * warn_ppi / MM_PER_INCH)} px for {warn_ppi} ppi)"
        if wanted != warn_ppi
        else ""
    )
    return problem(
        "asset-resolution",
        f"image {given} is {width_px} px wide, printed {image.width_mm:g} mm wide: {ppi:.0f}"
        f" ppi, below {wanted} ppi; use an image at least {need} px wide{better} or print"
        f" it at most {widest} mm wide (width_mm)",
        "error" if wanted == error_ppi else "warning",
    )


def _decoded_size(path: Path) -> tuple[int, int] | str:
    """Decode the image; return its upright (width, height) in pixels, or what is wrong."""
    from PIL import Image as PILImage
    from PIL import ImageFile

    shown = str(path)
    # WeasyPrint, once imported, tells Pillow to accept truncated files; a check must not.
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as img:
                if img.format not in FORMATS:
                    return f"it is {img.format or 'an unknown format'}; save it as PNG or JPEG"
                width, height = img.size
                if img.format == "JPEG":
                    # Decoding a scaled-down draft still reads every byte of the file.
                    img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
                img.load()
                orientation = img.getexif().get(_EXIF_ORIENTATION)
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError):
        return "it has too many pixels to be a photo for print; scale it down"
    except Exception as exc:  # Pillow raises many kinds of errors for broken files.
        reason = (str(exc) or type(exc).__name__).replace(f" '{shown}'", "").replace(shown, "")
        return f"it is not a readable PNG or JPEG ({reason}); export it again"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    if orientation in _ROTATED:
        width, height = height, width
    return width, height
