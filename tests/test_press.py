"""Print production from the outside: rendered pages, layout and ICC errors, the preflight CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SEOUL_EXAMPLE, copy_sample, start_pages
from fontcheck import compare_glyphs
from PIL import Image, ImageChops, ImageStat

REFERENCE = REPO / "tests" / "reference" / "seoul-print-p1.png"
"""Page 1 of the sample's print seoul.pdf at 30 dpi; after a deliberate layout change that moves
pixels, regenerate it with `python scripts/reference_image.py` and look at it."""


def render(pdf: Path, page: int, out: Path) -> Image.Image:
    result = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0 and not result.stderr, result.stderr
    return Image.open(f"{out}.png").convert("RGB")


def test_city_page_matches_the_reference_rendering(built_sample: Path, tmp_path: Path) -> None:
    page = render(built_sample / "print" / "cities" / "seoul.pdf", 1, tmp_path / "seoul")
    reference = Image.open(REFERENCE).convert("RGB")
    assert page.size == reference.size
    difference = ImageStat.Stat(ImageChops.difference(page, reference)).mean
    assert max(difference) < 4, difference  # a moved block or lost text costs far more


def test_broken_layout_fails_the_reference(make_project, cli, tmp_path: Path) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    css = root / "layouts" / "default" / "style.css"
    css.write_text(css.read_text("utf-8") + "\n.about { margin-left: 60mm }\n", "utf-8")
    assert cli("build", "-p", root).exit_code == 0
    page = render(root / "build" / "print" / "cities" / "seoul.pdf", 1, tmp_path / "broken")
    reference = Image.open(REFERENCE).convert("RGB")
    assert max(ImageStat.Stat(ImageChops.difference(page, reference)).mean) > 4


def test_sample_print_edition_passes_preflight_and_qpdf(built_books: dict[str, Path], cli) -> None:
    for edition, out in built_books.items():
        book = out / edition / "report.pdf"
        result = cli("preflight", book, "--edition", edition, "--format", "json", "-p", REPO)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == []
        assert subprocess.run(["qpdf", "--check", str(book)], capture_output=True).returncode == 0
    info = subprocess.run(
        ["pdfinfo", str(built_books["print"] / "print" / "report.pdf")],
        capture_output=True,
        text=True,
    ).stdout
    assert "PDF/X-4" in info
    screen = subprocess.run(
        ["pdfinfo", str(built_books["screen"] / "screen" / "report.pdf")],
        capture_output=True,
        text=True,
    ).stdout
    assert "Tagged:          yes" in screen


def test_impossible_page_geometry_is_a_clear_error(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    manifest = root / "layouts" / "default" / "layout.yaml"
    data = yaml.safe_load(manifest.read_text("utf-8"))
    data["page"]["margin_mm"] = [150, 18, 160, 18]
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = cli("build", "-p", root)
    assert result.exit_code == 1
    assert "layouts/default/layout.yaml" in result.output
    assert "margins leave no room" in result.output and "Traceback" not in result.output


def test_missing_or_rgb_icc_profile_is_a_clear_error(make_project, cli) -> None:
    for profile in ("/nonexistent/profile.icc", "/usr/share/color/icc/ghostscript/default_rgb.icc"):
        root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
        manifest = root / "layouts" / "default" / "layout.yaml"
        data = yaml.safe_load(manifest.read_text("utf-8"))
        data["icc_profile"] = profile
        manifest.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        result = cli("build", "-p", root)
        assert result.exit_code == 1, profile
        assert profile in result.output and "Traceback" not in result.output
        assert not (root / "build" / "print" / "report.pdf").exists()


def test_preflight_of_a_file_that_is_not_a_pdf(tmp_path: Path, cli) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_text("not a pdf")
    result = cli("preflight", fake, "-p", tmp_path)
    assert result.exit_code == 1 and "pdf-unreadable" in result.output


def test_book_pages_render_like_the_city_pdfs(built_sample: Path, tmp_path: Path) -> None:
    """The stitched book's shared fonts draw every glyph each city PDF draws."""
    book = built_sample / "print" / "report.pdf"
    starts = start_pages(built_sample.parent)
    cities = ["seoul", "amsterdam", "barcelona", "helsinki", "los-angeles", "new-york", "singapore"]
    for slug in cities:
        for offset in (0, 1):
            alone = render(built_sample / "print" / "cities" / f"{slug}.pdf", 1 + offset,
                           tmp_path / f"{slug}-{offset}")  # fmt: skip
            in_book = render(book, starts[slug] + offset, tmp_path / f"book-{slug}-{offset}")
            difference = ImageStat.Stat(ImageChops.difference(alone, in_book)).mean
            assert max(difference) < 0.5, (slug, offset, difference)


def test_every_glyph_in_the_books_is_the_source_fonts_glyph(built_books: dict[str, Path]) -> None:
    """Outlines and advances of every glyph drawn, print and screen books and a city PDF,
    against the original font files (not only renders at 30 dpi)."""
    for pdf in ("print/report.pdf", "screen/report.pdf", "print/cities/seoul.pdf"):
        compared = compare_glyphs(built_books[pdf.split("/")[0]] / pdf)
        assert set(compared) == {"Noto-Sans-CJK-KR", "Noto-Sans-CJK-KR-Bold"}, (pdf, compared)
        assert min(compared.values()) > 50, (pdf, compared)


@pytest.fixture(scope="module")
def font_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two cities built in English with a TrueType body font (DejaVu Sans, known to
    fontconfig) and city names in an @font-face font fontconfig does not know (a renamed
    copy of DejaVu Sans in the layout's folder); returns the project."""
    from fontTools.ttLib import TTFont
    from typer.testing import CliRunner

    from scireport.cli import app

    root = copy_sample(tmp_path_factory.mktemp("fonts") / "project", ("seoul", "singapore"))
    manifest = root / "layouts" / "default" / "layout.yaml"
    data = yaml.safe_load(manifest.read_text("utf-8"))
    data["fonts"] = ["DejaVu Sans", "Noto Sans CJK KR"]
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    fonts_dir = root / "layouts" / "default" / "fonts"
    fonts_dir.mkdir()
    brand = TTFont("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    for record in brand["name"].names:
        if record.nameID in (1, 3, 4, 6, 16):
            record.string = "ScireportBrand"
    brand.save(fonts_dir / "Brand.ttf")
    css = root / "layouts" / "default" / "style.css"
    css.write_text(
        css.read_text("utf-8") + "\n@font-face { font-family: Brand; src: url(fonts/Brand.ttf) }"
        "\n.city-name { font-family: Brand, var(--fonts) }\n",
        "utf-8",
    )
    result = CliRunner().invoke(app, ["build", "-p", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    return root


def test_truetype_fonts_are_shared_in_the_book_too(font_book: Path, tmp_path: Path) -> None:
    """A layout with a TrueType (glyf) font: the stitched book still draws every glyph."""
    out = font_book / "build" / "print-en"
    fonts = subprocess.run(
        ["pdffonts", str(out / "report.pdf")], capture_output=True, text=True
    ).stdout
    assert "DejaVu" in fonts and "CID TrueType" in fonts
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert len(names) == len(set(names)), fonts  # one program per face, TrueType included
    brand = {"ScireportBrand": font_book / "layouts" / "default" / "fonts" / "Brand.ttf"}
    assert compare_glyphs(out / "report.pdf", brand).get("DejaVu-Sans", 0) > 20
    starts = start_pages(font_book)
    for slug in ("seoul", "singapore"):
        alone = render(out / "cities" / f"{slug}.pdf", 2, tmp_path / slug)
        in_book = render(out / "report.pdf", starts[slug] + 1, tmp_path / "b")
        assert max(ImageStat.Stat(ImageChops.difference(alone, in_book)).mean) < 0.5, slug


def test_a_layouts_own_font_file_is_shared_in_the_book(font_book: Path) -> None:
    """An @font-face font fontconfig does not know: the stitcher finds its original among
    the files the layout fetched, and the book embeds it once with the source's glyphs."""
    book = font_book / "build" / "print-en" / "report.pdf"
    listed = subprocess.run(["pdffonts", str(book)], capture_output=True, text=True).stdout
    names = [line.split()[0] for line in listed.splitlines()[2:]]
    assert sum("Brand" in name for name in names) == 1, listed  # one program for both cities
    brand = font_book / "layouts" / "default" / "fonts" / "Brand.ttf"
    compared = compare_glyphs(book, {"ScireportBrand": brand})
    assert sum(n for name, n in compared.items() if "Brand" in name) >= 10, compared


def test_pdf_x1a_with_marks_and_pdf_a_screen(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    result = cli("build", "-p", root, "--edition", "both", "--pdf-x", "1a", "--marks", "--pdf-a")
    assert result.exit_code == 0, result.output
    printed = subprocess.run(
        ["pdfinfo", "-box", str(root / "build" / "print" / "report.pdf")],
        capture_output=True,
        text=True,
    ).stdout
    assert "PDF/X-1" in printed
    assert (root / "build" / "print" / "report.pdf").read_bytes().startswith(b"%PDF-1.4")
    media = [float(v) for v in printed.split("MediaBox:")[1].split()[:4]]
    bleed = [float(v) for v in printed.split("BleedBox:")[1].split()[:4]]
    assert media[0] < bleed[0] - 20  # room for the crop marks outside the bleed
    screen = root / "build" / "screen" / "report.pdf"
    import pikepdf

    with pikepdf.open(screen) as pdf:
        metadata = pdf.Root.Metadata.read_bytes()
        assert b"pdfaid:part" in metadata or b"pdfaid:part=" in metadata
        assert "/StructTreeRoot" in pdf.Root  # PDF/A-2a is tagged too
    assert cli("preflight", root / "build" / "print" / "report.pdf", "-p", root).exit_code == 0
