"""Finishing the print PDF (boxes, crop marks, metadata) and preparing CMYK images and profiles.

Every claim is checked from outside: poppler's pdfinfo and pdftoppm, qpdf --check, the
appended content stream parsed on its own, and rendered pixels.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageStat

from scireport.errors import UserError
from scireport.finish import (
    MARK_LENGTH_MM,
    check_icc_profile,
    convert_image_to_cmyk,
    finish_print,
)
from scireport.preflight import preflight

CMYK_ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
SRGB_ICC = Path("/usr/share/color/icc/ghostscript/srgb.icc")
TRIM = (100.0, 140.0)
BLEED = 3.0
PT = 72 / 25.4
DPI = 127  # 10 mm is exactly 50 pixels: finished and raw renders line up
CSS = f"""
@color-profile device-cmyk {{
  components: cyan, magenta, yellow, black; src: url({CMYK_ICC.as_uri()}) }}
@page {{ size: {TRIM[0]}mm {TRIM[1]}mm; margin: 10mm; bleed: {BLEED}mm }}
body {{ margin: 0; font-family: 'Noto Sans CJK KR'; color: device-cmyk(0 0 0 1) }}
.band {{ background: device-cmyk(1 0.5 0 0); height: 30mm; margin: -13mm -13mm 4mm -13mm }}
"""
HTML = (
    f"<html lang=ko><head><title>raw</title><style>{CSS}</style></head><body>"
    "<div class=band></div><p>서울 Seoul</p><p style='break-before: page'>Page two</p>"
    "</body></html>"
)
TITLE = "Smart Cities Index Report 2022"
AUTHORS = ["DTTM", "IfM Engage"]


def finish(
    path: Path, *, marks: bool = True, trim: tuple[float, float] = TRIM, bleed: float = BLEED
) -> None:
    """finish_print with this file's title, authors and language."""
    finish_print(
        path, trim_mm=trim, bleed_mm=bleed, marks=marks, title=TITLE, authors=AUTHORS, lang="ko"
    )


@dataclass
class Finished:
    """The same WeasyPrint PDF/X-4 file: raw, finished with marks, finished without."""

    folder: Path
    raw: Path
    marks: Path
    plain: Path
    x1a: Path


@pytest.fixture(scope="session")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Finished:
    import weasyprint

    folder = tmp_path_factory.mktemp("finish")
    raw = folder / "raw.pdf"
    weasyprint.HTML(string=HTML).write_pdf(raw, pdf_variant="pdf/x-4")
    marks, plain = folder / "marks.pdf", folder / "plain.pdf"
    shutil.copy(raw, marks)
    shutil.copy(raw, plain)
    finish(marks, marks=True)
    finish(plain, marks=False)
    x1a = folder / "x1a.pdf"
    weasyprint.HTML(string=HTML).write_pdf(x1a, pdf_variant="pdf/x-1a")
    finish(x1a, marks=True)
    return Finished(folder, raw, marks, plain, x1a)


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=False)


def pdfinfo_boxes(path: Path, pages: int = 2) -> dict[int, dict[str, tuple[float, ...]]]:
    result = run("pdfinfo", "-box", "-f", "1", "-l", str(pages), path)
    assert result.returncode == 0, result.stderr
    boxes: dict[int, dict[str, tuple[float, ...]]] = {}
    for match in re.finditer(r"Page\s+(\d+) (\w+Box):\s+(.+)", result.stdout):
        boxes.setdefault(int(match.group(1)), {})[match.group(2)] = tuple(
            float(v) for v in match.group(3).split()
        )
    return boxes


def _numbers(operands: Iterable[object]) -> list[float]:
    return [float(v) for v in operands if isinstance(v, int | float | Decimal)]


def grown(box: tuple[float, ...], mm: float) -> tuple[float, float, float, float]:
    d = mm * PT
    return (box[0] - d, box[1] - d, box[2] + d, box[3] + d)


def render(path: Path, stem: Path, page: int = 1) -> Image.Image:
    result = run("pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), "-png",
                 "-singlefile", path, stem)  # fmt: skip
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return Image.open(stem.with_suffix(".png")).convert("RGB")


# --------------------------------------------------------------------------- boxes


def test_boxes_with_marks(finished: Finished) -> None:
    trim = (0.0, 0.0, TRIM[0] * PT, TRIM[1] * PT)
    for page in pdfinfo_boxes(finished.marks).values():
        assert page["TrimBox"] == pytest.approx(trim, abs=0.01)
        assert page["BleedBox"] == pytest.approx(grown(trim, BLEED), abs=0.01)
        assert page["MediaBox"] == pytest.approx(grown(trim, BLEED + 10), abs=0.01)
        assert page["CropBox"] == page["MediaBox"]


def test_boxes_without_marks(finished: Finished) -> None:
    trim = (0.0, 0.0, TRIM[0] * PT, TRIM[1] * PT)
    for page in pdfinfo_boxes(finished.plain).values():
        assert page["TrimBox"] == pytest.approx(trim, abs=0.01)
        assert page["BleedBox"] == pytest.approx(grown(trim, BLEED), abs=0.01)
        assert page["MediaBox"] == page["BleedBox"] == page["CropBox"]


def test_finished_files_pass_preflight_and_outside_tools(finished: Finished) -> None:
    for path in (finished.marks, finished.plain, finished.x1a):
        assert [f for f in preflight(path) if f.severity == "error"] == [], path
        assert run("qpdf", "--check", path).returncode == 0
        fonts = run("pdffonts", path).stdout.splitlines()[2:]
        assert fonts and all(re.search(r"yes\s+yes\s+yes", line) for line in fonts)
    assert preflight(finished.marks) == []


def test_a_trimbox_is_made_when_missing(tmp_path: Path) -> None:
    path = tmp_path / "no-trim.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=((TRIM[0] + 6) * PT, (TRIM[1] + 6) * PT))
        pdf.save(path)
    finish(path, marks=False)
    page = pdfinfo_boxes(path, 1)[1]
    assert page["TrimBox"] == pytest.approx((3 * PT, 3 * PT, 103 * PT, 143 * PT), abs=0.01)
    assert page["BleedBox"] == pytest.approx(page["MediaBox"], abs=0.01)


# --------------------------------------------------------------------------- crop marks


def test_crop_marks_stream_lies_outside_the_bleed(finished: Finished) -> None:
    with pikepdf.open(finished.marks) as pdf:
        for page in pdf.pages:
            bleed = [float(v) for v in page.obj.BleedBox]
            keep_out = grown(tuple(bleed), 2.0)  # marks start at least 2 mm past the bleed edge
            contents = page.obj.Contents
            assert isinstance(contents, pikepdf.Array)
            last = pikepdf.parse_content_stream(contents[len(contents) - 1])
            ops = [(str(i.operator), _numbers(i.operands)) for i in last]
            names = [op for op, _ in ops]
            assert ("K", [1.0, 1.0, 1.0, 1.0]) in ops  # registration: all four inks
            assert not {"rg", "RG", "cs", "CS", "sc", "scn", "SC", "SCN"} & set(names)
            points = [args for op, args in ops if op in ("m", "l")]
            assert len(points) == 16  # eight lines
            for (x1, y1), (x2, y2) in zip(points[::2], points[1::2], strict=True):
                assert x1 == x2 or y1 == y2
                overlaps_x = min(x1, x2) < keep_out[2] and max(x1, x2) > keep_out[0]
                overlaps_y = min(y1, y2) < keep_out[3] and max(y1, y2) > keep_out[1]
                assert not (overlaps_x and overlaps_y), (x1, y1, x2, y2)
                assert {x1, y1} & {0.0, round(TRIM[0] * PT, 4), round(TRIM[1] * PT, 4)}


def test_rendered_marks_and_bleed(finished: Finished) -> None:
    image = render(finished.marks, finished.folder / "marks")
    scale = DPI / 25.4  # pixels per mm
    margin = BLEED + 10  # mm from the trim edge to the media edge
    width, height = image.size
    assert width == pytest.approx((TRIM[0] + 2 * margin) * scale, abs=1)
    assert height == pytest.approx((TRIM[1] + 2 * margin) * scale, abs=1)
    gray = image.convert("L")
    pixels = gray.tobytes()
    trim_px = (margin * scale, margin * scale, width - margin * scale, height - margin * scale)

    def outside(x: int, y: int, mm: float) -> bool:
        d = (BLEED + mm) * scale
        return x < trim_px[0] - d or x > trim_px[2] + d or y < trim_px[1] - d or y > trim_px[3] + d

    dark = []
    for y in range(height):
        for x in range(width):
            if pixels[y * width + x] < 200 and outside(x, y, 0.3):
                dark.append((x, y))
                assert outside(x, y, 2.0), (x, y)  # nothing within 2 mm of the bleed edge
                on_trim_line = (
                    min(abs(x - t) for t in (trim_px[0], trim_px[2])) <= 2
                    or min(abs(y - t) for t in (trim_px[1], trim_px[3])) <= 2
                )
                assert on_trim_line, (x, y)
    assert len(dark) > 8 * 0.9 * MARK_LENGTH_MM * scale  # all eight marks are there
    # the band runs into the bleed (kept) and stops at the bleed edge (clipped)
    centre = width // 2
    in_bleed = round(trim_px[1] - (BLEED - 0.5) * scale)
    past_bleed = round(trim_px[1] - (BLEED + 0.5) * scale)
    r, g, b = image.getpixel((centre, in_bleed))  # type: ignore[misc]
    assert b > 150 and r < 100  # the band's blue
    assert pixels[past_bleed * width + centre] > 250


def test_finishing_leaves_the_artwork_unchanged(finished: Finished) -> None:
    raw = render(finished.raw, finished.folder / "raw")
    marked = render(finished.marks, finished.folder / "marks-compare")
    slug = round(10 * DPI / 25.4)  # 50 px
    cropped = marked.crop((slug, slug, slug + raw.width, slug + raw.height))
    difference = ImageStat.Stat(ImageChops.difference(raw, cropped)).mean
    assert max(difference) < 1.0


# --------------------------------------------------------------------------- metadata


def test_metadata_and_pdfx_identification(finished: Finished) -> None:
    info = run("pdfinfo", finished.marks).stdout
    assert "Title:           Smart Cities Index Report 2022" in info
    assert "Author:          DTTM, IfM Engage" in info
    assert "PDF subtype:    PDF/X-4" in info  # poppler reads the Info identification
    assert re.search(r"PDF version:\s+1.6", info)
    with pikepdf.open(finished.marks) as pdf, pikepdf.open(finished.raw) as raw:
        assert str(pdf.Root.Lang) == "ko"
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        assert str(pdf.docinfo.Trapped) == "/False"
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert "<pdf:Trapped>False</pdf:Trapped>" in xmp
        meta = pdf.open_metadata()
        assert meta["dc:title"] == TITLE
        assert meta["dc:creator"] == AUTHORS
        assert meta["dc:language"] == {"ko"} or meta["dc:language"] == ["ko"]
        intent, before = pdf.Root.OutputIntents[0], raw.Root.OutputIntents[0]
        assert str(intent.S) == "/GTS_PDFX"
        assert intent.DestOutputProfile.read_bytes() == before.DestOutputProfile.read_bytes()
        assert int(intent.DestOutputProfile.N) == 4


def test_pdfx1a_identification_stays_consistent(finished: Finished) -> None:
    info = run("pdfinfo", finished.x1a).stdout
    assert "PDF subtype:    PDF/X-1a:2003" in info and re.search(r"PDF version:\s+1.4", info)
    with pikepdf.open(finished.x1a) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "PDF/X-1a:2003</pdfxid:GTS_PDFXVersion>" in xmp
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1a:2003"


def test_finishing_is_reproducible(finished: Finished, tmp_path: Path) -> None:
    copies = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for copy in copies:
        shutil.copy(finished.raw, copy)
        finish(copy, marks=True)
    assert copies[0].read_bytes() == copies[1].read_bytes()


# --------------------------------------------------------------------------- refusals


def test_not_a_pdf_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("not a pdf")
    with pytest.raises(UserError, match="notes.pdf"):
        finish(path, marks=True)
    assert path.read_text() == "not a pdf"


def test_wrong_trim_size_is_refused_and_nothing_written(finished: Finished, tmp_path: Path) -> None:
    path = tmp_path / "copy.pdf"
    shutil.copy(finished.raw, path)
    before = path.read_bytes()
    with pytest.raises(UserError, match=r"page 1 is 100.0 × 140.0 mm .* 210 × 297 mm"):
        finish(path, trim=(210, 297))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.pdf"]


def test_more_bleed_than_laid_out_is_refused(finished: Finished, tmp_path: Path) -> None:
    path = tmp_path / "copy.pdf"
    shutil.copy(finished.raw, path)
    with pytest.raises(UserError, match=r"laid out with 3.0 mm of bleed but 5 mm"):
        finish(path, bleed=5, marks=False)


# --------------------------------------------------------------------------- images


def test_rgb_image_converted_with_the_profile(tmp_path: Path) -> None:
    src, dst = tmp_path / "red.png", tmp_path / "red.jpg"
    Image.new("RGB", (40, 30), (220, 20, 30)).save(src, dpi=(300, 300))
    convert_image_to_cmyk(src, dst, CMYK_ICC)
    with Image.open(dst) as image:
        assert image.format == "JPEG" and image.mode == "CMYK" and image.size == (40, 30)
        c, m, y, k = image.getpixel((20, 15))  # type: ignore[misc]
        assert c < 40 and m > 200 and y > 200
        assert image.info.get("icc_profile") == CMYK_ICC.read_bytes()
        assert round(image.info["dpi"][0]) == 300


def test_converted_image_prints_without_rgb(tmp_path: Path) -> None:
    import weasyprint

    src, dst = tmp_path / "photo.png", tmp_path / "photo.jpg"
    Image.new("RGB", (1200, 800), (30, 120, 200)).save(src)
    convert_image_to_cmyk(src, dst, CMYK_ICC)
    pdf = tmp_path / "photo.pdf"
    weasyprint.HTML(
        string=f"<style>{CSS}</style><img src='{dst.as_uri()}' style='width: 60mm'>"
    ).write_pdf(pdf, pdf_variant="pdf/x-4")
    listing = run("pdfimages", "-list", pdf).stdout.splitlines()[2:]
    assert len(listing) == 1 and " cmyk " in listing[0]
    assert not [f for f in preflight(pdf) if f.rule == "pdf-rgb"]


def test_cmyk_jpeg_is_copied_as_it_is(tmp_path: Path) -> None:
    src, dst = tmp_path / "cmyk.jpg", tmp_path / "out" / "cmyk.jpg"
    Image.new("CMYK", (20, 20), (10, 200, 30, 5)).save(src, quality=80)
    convert_image_to_cmyk(src, dst, CMYK_ICC)
    assert dst.read_bytes() == src.read_bytes()


def test_cmyk_tiff_keeps_its_values(tmp_path: Path) -> None:
    src, dst = tmp_path / "cmyk.tif", tmp_path / "cmyk.jpg"
    Image.new("CMYK", (20, 20), (10, 200, 30, 5)).save(src)
    convert_image_to_cmyk(src, dst, CMYK_ICC)
    with Image.open(dst) as image:
        assert image.mode == "CMYK"
        values = image.getpixel((10, 10))
        assert all(abs(a - b) <= 3 for a, b in zip(values, (10, 200, 30, 5), strict=True))  # type: ignore[arg-type]


def test_transparency_flattened_on_white_and_grey_kept(tmp_path: Path) -> None:
    src, dst = tmp_path / "clear.png", tmp_path / "clear.jpg"
    Image.new("RGBA", (10, 10), (255, 0, 0, 0)).save(src)
    convert_image_to_cmyk(src, dst, CMYK_ICC)
    with Image.open(dst) as image:
        assert image.mode == "CMYK" and max(image.getpixel((5, 5))) <= 3  # type: ignore[arg-type]
    grey, grey_dst = tmp_path / "grey.png", tmp_path / "grey.jpg"
    Image.new("L", (10, 10), 128).save(grey)
    convert_image_to_cmyk(grey, grey_dst, CMYK_ICC)
    with Image.open(grey_dst) as image:
        assert image.mode == "L"


@pytest.mark.parametrize("content", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_undecodable_image_is_a_user_error(tmp_path: Path, content: bytes) -> None:
    src, dst = tmp_path / "broken.png", tmp_path / "broken.jpg"
    src.write_bytes(content)
    with pytest.raises(UserError, match="broken.png"):
        convert_image_to_cmyk(src, dst, CMYK_ICC)
    assert not dst.exists()


def test_truncated_image_is_a_user_error(tmp_path: Path) -> None:
    src, dst = tmp_path / "cut.png", tmp_path / "cut.jpg"
    Image.effect_noise((200, 200), 60).convert("RGB").save(src)
    src.write_bytes(src.read_bytes()[:400])
    with pytest.raises(UserError, match="cut.png"):
        convert_image_to_cmyk(src, dst, CMYK_ICC)
    assert list(tmp_path.iterdir()) == [src]


def test_missing_image_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="gone.png not found"):
        convert_image_to_cmyk(tmp_path / "gone.png", tmp_path / "gone.jpg", CMYK_ICC)


def test_output_must_be_jpeg(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="jpg"):
        convert_image_to_cmyk(tmp_path / "a.png", tmp_path / "a.png", CMYK_ICC)


# --------------------------------------------------------------------------- ICC profiles


def test_cmyk_profile_accepted() -> None:
    check_icc_profile(CMYK_ICC)


def test_rgb_profile_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"srgb.icc is an ICC profile for RGB, not CMYK"):
        check_icc_profile(SRGB_ICC)
    src = tmp_path / "x.png"
    Image.new("RGB", (4, 4)).save(src)
    with pytest.raises(UserError, match="not CMYK"):
        convert_image_to_cmyk(src, tmp_path / "x.jpg", SRGB_ICC)


def test_missing_or_garbage_profile_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="nowhere.icc not found"):
        check_icc_profile(tmp_path / "nowhere.icc")
    garbage = tmp_path / "garbage.icc"
    garbage.write_bytes(b"definitely not a profile" * 10)
    with pytest.raises(UserError, match="garbage.icc is not an ICC profile"):
        check_icc_profile(garbage)


def test_the_document_id_follows_the_file_not_the_random_one_weasyprint_wrote(
    finished: Finished, tmp_path: Path
) -> None:
    def document_id(path: Path) -> str:
        with pikepdf.open(path) as pdf, pdf.open_metadata() as meta:
            return str(meta["xmpMM:DocumentID"])

    copies = {}
    for name, key in (("a", "print/report.pdf"), ("b", "print/report.pdf"), ("c", "seoul.pdf")):
        copies[name] = tmp_path / f"{name}.pdf"
        shutil.copy(finished.raw, copies[name])
        finish_print(copies[name], trim_mm=TRIM, bleed_mm=BLEED, marks=False, title=TITLE,
                     authors=AUTHORS, lang="ko", document_key=key)  # fmt: skip
    ids = {name: document_id(path) for name, path in copies.items()}
    assert ids["a"] == ids["b"] != ids["c"]
    assert ids["a"].startswith("xmp.did:") and ids["a"] != document_id(finished.raw)


def test_overprint_is_on_for_solid_black_text_only() -> None:
    """Black text overprints; a tinted path, an image and cyan text after it do not."""
    import pikepdf

    from scireport.finish import OVERPRINT_OFF, OVERPRINT_ON, overprint_black_text

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(
        b"q /DeviceCMYK cs 0 0 0 1 scn BT /F1 9 Tf 10 10 Td (black) Tj ET"
        b" 0.12 0.05 0 0 k 0 0 50 50 re f"
        b" 0 0 0 1 k BT (black again) Tj (and more) Tj ET 1 0 0 0 k BT (cyan) Tj ET Q"
        b" BT (gray black: not DeviceCMYK) Tj ET"
    )
    assert overprint_black_text(pdf) == 2
    ops = [
        (str(i.operator), [str(o) for o in i.operands]) for i in pikepdf.parse_content_stream(page)
    ]
    shows = [(n, o[0]) for n, (op, o) in enumerate(ops) if op == "Tj"]
    states = [(n, o[0]) for n, (op, o) in enumerate(ops) if op == "gs"]
    assert [s for _, s in states] == [OVERPRINT_ON, OVERPRINT_OFF, OVERPRINT_ON, OVERPRINT_OFF]
    assert states[0][0] < shows[0][0] < states[1][0] < [n for n, (op, _) in enumerate(ops)
                                                         if op == "f"][0]  # fmt: skip
    assert states[2][0] < shows[1][0] < shows[2][0] < states[3][0] < shows[3][0]
    on = page.Resources.ExtGState[OVERPRINT_ON]
    assert (bool(on.OP), bool(on.op), int(on.OPM)) == (True, True, 1)
    assert overprint_black_text(pdf) == 0  # done pages are left alone
