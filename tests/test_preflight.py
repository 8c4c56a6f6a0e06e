"""Preflight: its verdicts on PDFs made here, checked against poppler and qpdf on the same files.

The PDFs are made once per session: a naive WeasyPrint file (RGB, no bleed), a good CMYK
PDF/X-4 file finished with crop marks, files with low-resolution images, a missing glyph,
an unembedded font, RGB hidden in a form XObject and an inline image, mixed page sizes,
tagged and untagged screen files, and files that are not PDFs at all.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from scireport.errors import Finding
from scireport.finish import finish_print
from scireport.models import LayoutManifest, PageSpec
from scireport.preflight import preflight

CMYK_ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
TRIM = (100.0, 140.0)
PT = 72 / 25.4
PRINT_CSS = f"""
@color-profile device-cmyk {{
  components: cyan, magenta, yellow, black; src: url({CMYK_ICC.as_uri()}) }}
@page {{ size: {TRIM[0]}mm {TRIM[1]}mm; margin: 10mm; bleed: 3mm }}
body {{ margin: 0; font-family: 'Noto Sans CJK KR'; color: device-cmyk(0 0 0 1) }}
.band {{ background: device-cmyk(1 0.5 0 0); height: 20mm; margin: -13mm -13mm 4mm -13mm }}
img {{ display: block }}
"""
MANIFEST = LayoutManifest(
    name="test",
    page=PageSpec(width_mm=TRIM[0], height_mm=TRIM[1], margin_mm=(10, 10, 10, 10)),
)


@dataclass
class Samples:
    """Paths of the sample PDFs (and their expected page counts)."""

    folder: Path
    naive: Path
    good: Path
    good_pages: int
    images: Path
    notdef: Path
    identity_notdef: Path
    unembedded: Path
    hidden_rgb: Path
    mixed: Path
    screen: Path
    screen_naive: Path
    text: Path
    truncated: Path
    empty: Path


def _html(body: str, css: str = PRINT_CSS, lang: str = "en", title: str = "Sample") -> str:
    return (
        f'<html lang="{lang}"><head><title>{title}</title><style>{css}</style></head>'
        f"<body>{body}</body></html>"
    )


def _finish(path: Path) -> None:
    finish_print(
        path, trim_mm=TRIM, bleed_mm=3, marks=True, title="Sample", authors=["A"], lang="en"
    )


def _cmyk_jpeg(path: Path, size: tuple[int, int]) -> Path:
    Image.new("CMYK", size, (0, 200, 200, 0)).save(path, quality=90)
    return path


def _crafted_page(pdf: pikepdf.Pdf) -> pikepdf.Page:
    pdf.add_blank_page(page_size=(TRIM[0] * PT, TRIM[1] * PT))
    return pdf.pages[-1]


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    import weasyprint

    folder = tmp_path_factory.mktemp("preflight")
    rgb_png = folder / "low.png"
    Image.new("RGB", (60, 40), (200, 30, 30)).save(rgb_png)

    naive = folder / "naive.pdf"
    weasyprint.HTML(
        string=f"<p style='color: rgb(200 0 0)'>Hello naive</p>"
        f"<img src='{rgb_png.as_uri()}' style='width: 60mm'>"
        "<div style='height: 20mm; background: linear-gradient(red, blue)'></div>"
    ).write_pdf(naive)

    good_html = _html(
        "<div class=band></div><p>Hello 서울 print</p><p style='break-before: page'>Page two</p>"
    )
    good = folder / "good.pdf"
    weasyprint.HTML(string=good_html).write_pdf(good, pdf_variant="pdf/x-4")
    raw = folder / "raw.pdf"  # the same, unfinished: WeasyPrint's own boxes, no title
    raw.write_bytes(good.read_bytes())
    _finish(good)

    low = _cmyk_jpeg(folder / "low.jpg", (60, 40))  # 60 mm wide: 25 ppi
    mid = _cmyk_jpeg(folder / "mid.jpg", (600, 400))  # 80 mm wide: 190 ppi
    high = _cmyk_jpeg(folder / "high.jpg", (1200, 800))  # 60 mm wide: 508 ppi
    images = folder / "images.pdf"
    weasyprint.HTML(
        string=_html(
            f"<img src='{low.as_uri()}' style='width: 60mm'>"
            f"<img src='{mid.as_uri()}' style='width: 80mm'>"
            f"<img src='{high.as_uri()}' style='width: 60mm; break-before: page'>"
        )
    ).write_pdf(images, pdf_variant="pdf/x-4")
    _finish(images)

    notdef = folder / "notdef.pdf"
    weasyprint.HTML(string=_html("<p>Linear B \U00010000 here</p>")).write_pdf(
        notdef, pdf_variant="pdf/x-4"
    )
    _finish(notdef)

    identity_notdef = folder / "identity-notdef.pdf"
    with pikepdf.open(raw) as pdf:
        page = pdf.pages[0]
        name = next(iter(page.obj.Resources.Font.keys()))
        assert str(page.obj.Resources.Font[name].Encoding) == "/Identity-H"
        page.contents_add(pdf.make_stream(f"BT {name} 12 Tf 20 20 Td <0000> Tj ET".encode()))
        pdf.save(identity_notdef)
    _finish(identity_notdef)

    unembedded = folder / "unembedded.pdf"
    with pikepdf.open(good) as pdf:
        page = pdf.pages[0]
        helvetica = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type1,
                BaseFont=pikepdf.Name.Helvetica,
                Encoding=pikepdf.Name.WinAnsiEncoding,
            )
        )
        page.obj.Resources.Font.Helv = helvetica
        page.contents_add(pdf.make_stream(b"BT /Helv 12 Tf 20 40 Td (Hello) Tj ET"))
        pdf.save(unembedded)

    hidden_rgb = folder / "hidden-rgb.pdf"
    with pikepdf.new() as pdf:
        page = _crafted_page(pdf)
        image = pdf.make_stream(
            bytes(100 * 100 * 3),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=100,
            Height=100,
            ColorSpace=pikepdf.Name.DeviceRGB,
            BitsPerComponent=8,
        )
        form = pdf.make_stream(
            b"q 72 0 0 72 0 0 cm /Im1 Do Q",
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=[0, 0, 1000, 1000],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im1=image)),
        )
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm1=form))
        inline = b"BI /W 4 /H 4 /CS /RGB /BPC 8 ID " + bytes(48) + b" EI"
        page.obj.Contents = pdf.make_stream(
            b"q 2 0 0 2 10 10 cm /Fm1 Do Q\nq 36 0 0 36 200 200 cm " + inline + b" Q\n"
        )
        pdf.save(hidden_rgb)

    mixed = folder / "mixed.pdf"
    weasyprint.HTML(
        string=_html(
            "<p>A5-ish</p><p style='page: wide; break-before: page'>wide</p>",
            css=PRINT_CSS + "@page wide { size: 140mm 100mm }",
        )
    ).write_pdf(mixed, pdf_variant="pdf/x-4")

    screen = folder / "screen.pdf"
    weasyprint.HTML(
        string=_html(
            "<h1>Seoul</h1><p>서울</p><h1 style='break-before: page'>Busan</h1>",
            css="body { font-family: 'Noto Sans CJK KR' }",
            lang="ko",
        )
    ).write_pdf(screen, pdf_variant="pdf/ua-1")
    screen_naive = folder / "screen-naive.pdf"
    weasyprint.HTML(string="<p>No tags</p>").write_pdf(screen_naive)

    text = folder / "notes.pdf"
    text.write_text("this is not a PDF\n")
    truncated = folder / "truncated.pdf"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    empty = folder / "empty.pdf"
    empty.write_bytes(b"")
    return Samples(
        folder, naive, good, 2, images, notdef, identity_notdef, unembedded, hidden_rgb,
        mixed, screen, screen_naive, text, truncated, empty,
    )  # fmt: skip


# --------------------------------------------------------------------------- helpers


def rules(findings: list[Finding], severity: str | None = None) -> set[str]:
    return {f.rule for f in findings if severity is None or f.severity == severity}


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=False)


def pdfinfo_boxes(path: Path, pages: int) -> dict[int, dict[str, tuple[float, ...]]]:
    """Per-page boxes as poppler reports them (``pdfinfo -box -f 1 -l N``)."""
    result = run("pdfinfo", "-box", "-f", "1", "-l", str(pages), path)
    assert result.returncode == 0, result.stderr
    boxes: dict[int, dict[str, tuple[float, ...]]] = {}
    for match in re.finditer(r"Page\s+(\d+) (\w+Box):\s+(.+)", result.stdout):
        values = tuple(float(v) for v in match.group(3).split())
        boxes.setdefault(int(match.group(1)), {})[match.group(2)] = values
    return boxes


def pdffonts(path: Path) -> list[dict[str, str]]:
    """Fonts as poppler's pdffonts lists them: name, emb, sub."""
    result = run("pdffonts", path)
    assert result.returncode == 0, result.stderr
    fonts = []
    for line in result.stdout.splitlines()[2:]:
        match = re.search(r"(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
        assert match, line
        fonts.append({"name": line.split()[0], "emb": match.group(1), "sub": match.group(2)})
    return fonts


def pdfimages(path: Path) -> list[dict[str, str]]:
    """Images as ``pdfimages -list`` reports them (page, width, height, color, x-ppi)."""
    result = run("pdfimages", "-list", path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[0].split()
    return [dict(zip(header, line.split(), strict=False)) for line in lines[2:]]


# --------------------------------------------------------------------------- the naive file


def test_naive_pdf_gets_the_findings_it_deserves(samples: Samples) -> None:
    findings = preflight(samples.naive)
    assert {"pdf-rgb", "pdf-bleed", "pdf-output-intent", "pdf-pdfx", "pdf-image-ppi"} <= rules(
        findings, "error"
    )
    rgb = next(f for f in findings if f.rule == "pdf-rgb")
    assert rgb.page == 1 and "rg" in rgb.message and "image" in rgb.message
    assert "shading" in rgb.message  # the CSS gradient
    for finding in findings:
        assert finding.file == str(samples.naive)
        assert (finding.line, finding.column, finding.path) == (None, None, "")
        assert finding.rule.startswith("pdf-")


def test_naive_verdicts_agree_with_poppler(samples: Samples) -> None:
    boxes = pdfinfo_boxes(samples.naive, 1)[1]
    assert boxes["BleedBox"] == boxes["TrimBox"]  # no bleed at all, as preflight says
    bleed = next(f for f in preflight(samples.naive) if f.rule == "pdf-bleed")
    assert "0 mm" in bleed.message and "3 mm" in bleed.message
    image = pdfimages(samples.naive)[0]
    assert image["color"] == "rgb" and int(image["x-ppi"]) == 25
    ppi = next(f for f in preflight(samples.naive) if f.rule == "pdf-image-ppi")
    assert "25 ppi" in ppi.message and ppi.severity == "error"
    assert "Tagged:          no" in run("pdfinfo", samples.naive).stdout


# --------------------------------------------------------------------------- the good file


def test_good_cmyk_pdfx4_passes(samples: Samples) -> None:
    findings = preflight(samples.good, manifest=MANIFEST, pages=samples.good_pages)
    assert findings == []


def test_good_verdict_agrees_with_poppler_and_qpdf(samples: Samples) -> None:
    boxes = pdfinfo_boxes(samples.good, samples.good_pages)
    assert len(boxes) == samples.good_pages
    for page in boxes.values():
        trim, bleed, media = page["TrimBox"], page["BleedBox"], page["MediaBox"]
        assert trim == pytest.approx((0, 0, TRIM[0] * PT, TRIM[1] * PT), abs=0.01)
        for side in range(4):
            sign = -1 if side < 2 else 1
            assert (bleed[side] - trim[side]) * sign == pytest.approx(3 * PT, abs=0.01)
            assert (media[side] - bleed[side]) * sign >= 10 * PT - 0.01
    assert boxes[1] == boxes[2]
    fonts = pdffonts(samples.good)
    assert fonts and all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts)
    assert run("qpdf", "--check", samples.good).returncode == 0
    info = run("pdfinfo", samples.good).stdout
    assert "PDF subtype:    PDF/X-4" in info
    rendered = run("pdftoppm", "-r", "30", "-png", samples.good, samples.folder / "good")
    assert rendered.returncode == 0 and rendered.stderr == ""


def test_weasyprint_pdfx4_with_a_colour_profile_passes_unfinished(samples: Samples) -> None:
    """Unfinished, only the overprint of its black text is missing (finishing sets it)."""
    findings = preflight(samples.folder / "raw.pdf", manifest=MANIFEST)
    assert {(f.rule, f.severity, f.page) for f in findings} == {
        ("pdf-overprint", "warning", 1),
        ("pdf-overprint", "warning", 2),
    }
    assert "“Hello 서울 print”" in findings[0].message
    boxes = pdfinfo_boxes(samples.folder / "raw.pdf", 1)[1]
    assert boxes["MediaBox"] == boxes["BleedBox"] != boxes["TrimBox"]


# --------------------------------------------------------------------------- small type


SMALL_TYPE = _html(
    "<p style='font-size: 9pt; color: device-cmyk(0 0 0 0.9)'>Body in K90</p>"
    "<p style='font-size: 7pt; color: device-cmyk(1 0.62 0 0.18)'>Label in three inks</p>"
    "<p style='font-size: 9pt; color: device-cmyk(1 0 0 0)'>Solid cyan, one ink</p>"
    "<p style='font-size: 18pt; color: device-cmyk(0.5 0.3 0 0.1)'>Large tinted heading</p>"
    "<p style='font-size: 11pt; break-before: page'>Solid black on page two</p>"
)


@pytest.fixture(scope="module")
def small_type(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import weasyprint

    path = tmp_path_factory.mktemp("small-type") / "small.pdf"
    weasyprint.HTML(string=SMALL_TYPE).write_pdf(path, pdf_variant="pdf/x-4")
    _finish(path)
    return path


def test_small_type_in_a_tint_or_in_several_inks_is_a_warning(small_type: Path) -> None:
    findings = [f for f in preflight(small_type, manifest=MANIFEST) if f.rule != "pdf-overprint"]
    by_rule = {f.rule: f for f in findings}
    assert set(by_rule) == {"pdf-small-text-tint", "pdf-small-text-inks"}
    tint, inks = by_rule["pdf-small-text-tint"], by_rule["pdf-small-text-inks"]
    assert tint.severity == inks.severity == "warning" and tint.page == inks.page == 1
    # K90 and the three-ink label are tints; the solid cyan and the 18 pt heading are not
    assert "K 90 %" in tint.message and "C 100 % M 62 % K 18 %" in tint.message
    assert "Body in K90" in tint.message and "Solid cyan" not in tint.message
    assert "Large tinted" not in tint.message and "Large tinted" not in inks.message
    assert inks.message.startswith("19 glyphs under 12 pt (from 7.0 pt)")  # the label only
    assert "(C 100 % M 62 % K 18 %), e.g. “Label in three inks”" in inks.message


def test_small_type_limits_come_from_the_manifest(small_type: Path) -> None:
    from scireport.models import PressSpec

    lower = MANIFEST.model_copy(
        update={"press": PressSpec(solid_text_below_pt=8, one_ink_text_below_pt=0)}
    )
    findings = [f for f in preflight(small_type, manifest=lower) if f.rule != "pdf-overprint"]
    assert [(f.rule, f.page) for f in findings] == [("pdf-small-text-tint", 1)]
    assert "under 8 pt" in findings[0].message and "Body" not in findings[0].message


def test_black_text_overprints_once_finished(samples: Samples, small_type: Path) -> None:
    """Finishing turns overprint on for 100 % K text only: the cyan and tints knock out."""
    from scireport.preflight.facts import collect

    with pikepdf.open(small_type) as pdf:
        runs = [r for page in collect(pdf, "print", None, None).pages for r in page.content.text]
    black = [(r.text, r.overprint) for r in runs if r.fill.solid_black]
    assert black == [("Solid black on page two", True)]
    assert not any(r.overprint for r in runs if not r.fill.solid_black)
    assert "pdf-overprint" not in rules(preflight(small_type, manifest=MANIFEST))
    assert "pdf-overprint" not in rules(preflight(samples.good, manifest=MANIFEST))


# --------------------------------------------------------------------------- geometry


def test_page_size_and_count_against_the_manifest(samples: Samples) -> None:
    a4 = LayoutManifest(name="a4")
    findings = preflight(samples.good, manifest=a4, pages=5)
    size = next(f for f in findings if f.rule == "pdf-page-size")
    assert "100.0 × 140.0 mm" in size.message and "210 × 297 mm" in size.message
    assert "on every page" in size.message
    count = next(f for f in findings if f.rule == "pdf-page-count")
    assert "2 pages but 5" in count.message
    page_size = run("pdfinfo", samples.good).stdout
    assert "357.165 x 470.551 pts" in page_size  # media = trim + 2 × 13 mm


def test_mixed_page_sizes_are_found_where_poppler_sees_them(samples: Samples) -> None:
    boxes = pdfinfo_boxes(samples.mixed, 2)
    assert boxes[1]["TrimBox"] != boxes[2]["TrimBox"]
    findings = preflight(samples.mixed, manifest=MANIFEST)
    differs = [f for f in findings if f.rule == "pdf-boxes"]
    assert [f.page for f in differs] == [2] or [f.page for f in differs] == [1]
    assert "differs" in differs[0].message
    size = next(f for f in findings if f.rule == "pdf-page-size")
    assert size.page == 2 and "140.0 × 100.0 mm" in size.message


def test_bleed_minimum_comes_from_the_manifest(samples: Samples) -> None:
    generous = LayoutManifest(
        name="big-bleed",
        page=PageSpec(
            width_mm=TRIM[0],
            height_mm=TRIM[1],
            margin_mm=(10, 10, 10, 10),
            bleed_mm=5,
            min_bleed_mm=5,
        ),
    )
    bleed = [f for f in preflight(samples.good, manifest=generous) if f.rule == "pdf-bleed"]
    assert len(bleed) == 1 and "3 mm on every side" in bleed[0].message
    assert "at least 5 mm" in bleed[0].message and "on every page" in bleed[0].message


def test_nesting_is_checked(samples: Samples, tmp_path: Path) -> None:
    broken = tmp_path / "nesting.pdf"
    with pikepdf.open(samples.good) as pdf:
        pdf.pages[0].obj.TrimBox = pikepdf.Array([-20, -20, 283, 396])
        pdf.save(broken)
    findings = [f for f in preflight(broken) if f.rule == "pdf-boxes"]
    nesting = [f for f in findings if "TrimBox is not inside the BleedBox" in f.message]
    assert [f.page for f in nesting] == [1]
    assert any("differs from the other pages" in f.message for f in findings)


# --------------------------------------------------------------------------- images


def test_image_resolution_matches_pdfimages(samples: Samples) -> None:
    listed = pdfimages(samples.images)
    assert [int(i["page"]) for i in listed] == [1, 1, 2]
    assert all(i["color"] == "cmyk" for i in listed)
    findings = [f for f in preflight(samples.images) if f.rule == "pdf-image-ppi"]
    assert [(f.page, f.severity) for f in findings] == [(1, "error"), (1, "warning")]
    measured = [int(re.findall(r"only (\d+) ppi", f.message)[0]) for f in findings]
    for ours, poppler in zip(measured, listed[:2], strict=True):
        assert abs(ours - int(poppler["x-ppi"])) <= 1
    assert int(listed[2]["x-ppi"]) > 300  # the third image passes, and preflight agrees
    assert "(below 150)" in findings[0].message and "(below 300)" in findings[1].message
    assert not rules(preflight(samples.images), "error") - {"pdf-image-ppi"}


def test_image_limits_come_from_the_manifest(samples: Samples) -> None:
    lenient = LayoutManifest(
        name="lenient",
        page=MANIFEST.page,
        image_min_ppi=(20, 100),
    )
    findings = preflight(samples.images, manifest=lenient)
    assert [f for f in findings if f.rule == "pdf-image-ppi"] == [
        f for f in findings if f.rule == "pdf-image-ppi" and f.severity == "warning"
    ]
    assert len([f for f in findings if f.rule == "pdf-image-ppi"]) == 1


def test_rgb_inside_forms_and_inline_images_is_found(samples: Samples) -> None:
    findings = preflight(samples.hidden_rgb)
    rgb = next(f for f in findings if f.rule == "pdf-rgb")
    assert "image Im1 (100×100 px, RGB)" in rgb.message
    assert "inline image (4×4 px, RGB)" in rgb.message
    ppi = {f.message.split(" (")[0]: f for f in findings if f.rule == "pdf-image-ppi"}
    assert "only 50 ppi" in ppi["image Im1"].message  # 100 px over 2 in (form scaled × 2)
    assert "only 8 ppi" in ppi["image inline image"].message  # 4 px over half an inch
    listed = pdfimages(samples.hidden_rgb)
    assert sorted(int(i["x-ppi"]) for i in listed) == [8, 50]
    assert {i["color"] for i in listed} == {"rgb"}


# --------------------------------------------------------------------------- fonts and glyphs


def test_missing_glyph_found_in_custom_cmap(samples: Samples) -> None:
    findings = preflight(samples.notdef)
    notdef = [f for f in findings if f.rule == "pdf-notdef"]
    assert len(notdef) == 1 and notdef[0].page == 1 and notdef[0].severity == "error"
    assert "1 missing glyph" in notdef[0].message
    assert "Noto-Sans-CJK-KR" in notdef[0].message
    assert pdffonts(samples.notdef)[0]["emb"] == "yes"


def test_missing_glyph_found_as_code_zero_in_identity_h(samples: Samples) -> None:
    notdef = [f for f in preflight(samples.identity_notdef) if f.rule == "pdf-notdef"]
    assert len(notdef) == 1 and notdef[0].page == 1
    assert "Identity-H" in run("pdffonts", samples.identity_notdef).stdout
    assert [f for f in preflight(samples.good) if f.rule == "pdf-notdef"] == []


def test_unembedded_font_agrees_with_pdffonts(samples: Samples) -> None:
    fonts = {f["name"]: f for f in pdffonts(samples.unembedded)}
    assert fonts["Helvetica"]["emb"] == "no"
    findings = [f for f in preflight(samples.unembedded) if f.rule == "pdf-font-embed"]
    assert len(findings) == 1 and findings[0].severity == "error"
    assert "Helvetica is not embedded" in findings[0].message and findings[0].page == 1


# --------------------------------------------------------------------------- screen


def test_screen_edition_passes_when_tagged(samples: Samples) -> None:
    assert preflight(samples.screen, edition="screen") == []
    info = run("pdfinfo", samples.screen).stdout
    assert "Tagged:          yes" in info


def test_screen_edition_findings_for_an_untagged_file(samples: Samples) -> None:
    findings = preflight(samples.screen_naive, edition="screen")
    assert {"pdf-tags", "pdf-lang", "pdf-bookmarks"} <= rules(findings, "error")
    assert "pdf-ua" in rules(findings, "warning")
    assert "pdf-rgb" not in rules(findings)  # RGB is right on screen
    assert "Tagged:          no" in run("pdfinfo", samples.screen_naive).stdout


@pytest.mark.parametrize(("variant", "expected"), [("pdf/x-1a", 2), ("pdf/x-4", 0)])
def test_transparency_is_refused_in_pdfx1a_only(
    tmp_path: Path, variant: str, expected: int
) -> None:
    import weasyprint

    path = tmp_path / "opacity.pdf"
    html = _html("<div class=band style='opacity: 0.5'></div><p>half</p>")
    weasyprint.HTML(string=html).write_pdf(path, pdf_variant=variant)
    _finish(path)
    findings = errors(preflight(path, manifest=MANIFEST))
    assert len(findings) == expected
    if expected:
        assert {f.rule for f in findings} == {"pdf-pdfx"}
        assert "forbids transparency" in findings[0].message
        assert "ICC" in findings[1].message


def test_print_file_checked_as_screen(samples: Samples) -> None:
    assert "pdf-tags" in rules(preflight(samples.good, edition="screen"))


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("name", ["text", "empty"])
def test_not_a_pdf_is_a_finding(samples: Samples, name: str) -> None:
    path = getattr(samples, name)
    findings = preflight(path)
    assert [(f.rule, f.severity) for f in findings] == [("pdf-unreadable", "error")]
    assert run("qpdf", "--check", path).returncode != 0


def test_missing_file_is_a_finding(tmp_path: Path) -> None:
    findings = preflight(tmp_path / "nowhere.pdf")
    assert [f.rule for f in findings] == ["pdf-unreadable"]
    assert "no such file" in findings[0].message


def test_damaged_file_never_raises(samples: Samples) -> None:
    findings = preflight(samples.truncated)
    assert "pdf-unreadable" in rules(findings)
    assert run("qpdf", "--check", samples.truncated).returncode != 0


def test_damaged_content_stream_is_reported_per_page(samples: Samples, tmp_path: Path) -> None:
    broken = tmp_path / "broken-stream.pdf"
    with pikepdf.open(samples.good) as pdf:
        garbage = pdf.make_stream(b"not deflate data")
        garbage.Filter = pikepdf.Name.FlateDecode
        pdf.pages[1].obj.Contents = garbage
        pdf.save(broken)
    findings = preflight(broken)
    page = [f for f in findings if f.rule == "pdf-unreadable" and f.page == 2]
    assert len(page) == 1 and page[0].severity == "error"
    assert not [f for f in findings if f.page == 1]
    assert run("qpdf", "--check", broken).returncode != 0


def test_unknown_edition_is_a_programming_error(samples: Samples) -> None:
    with pytest.raises(ValueError):
        preflight(samples.good, edition="web")


# --------------------------------------------------------------------------- hostile files


def _bomb(path: Path, inflated: int, unit: bytes = b"q Q\n") -> Path:
    """A one-page PDF whose content stream inflates to ``inflated`` bytes of ``unit``."""
    pdf = pikepdf.new()
    _crafted_page(pdf)
    packer = zlib.compressobj(9)
    chunk = unit * (1 << 20 // len(unit))
    raw = b"".join(packer.compress(chunk) for _ in range(inflated // len(chunk))) + packer.flush()
    stream = pikepdf.Stream(pdf, raw)
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
    pdf.save(path, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return path


def test_content_stream_bomb_is_a_finding(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.pdf", 30 << 20)
    assert bomb.stat().st_size < 60_000
    findings = [f for f in preflight(bomb) if f.rule == "pdf-oversized"]
    assert len(findings) == 1 and findings[0].page == 1 and findings[0].severity == "error"
    assert "inflates to more than 4,194,304 bytes" in findings[0].message


def test_a_bomb_is_read_in_bounded_memory(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "big-bomb.pdf", 96 << 20)
    script = (
        "import re, sys; from scireport.preflight import preflight;"
        "rules = {f.rule for f in preflight(sys.argv[1])};"
        "peak = re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1);"
        "print('pdf-oversized' in rules, peak)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(bomb)], capture_output=True, text=True, check=True
    )
    found, peak_kb = result.stdout.split()
    assert found == "True"
    assert int(peak_kb) < 200_000  # qpdf would inflate 96 MB, and parsing it takes gigabytes


def test_millions_of_tiny_operators_are_refused_unparsed(tmp_path: Path) -> None:
    crowded = _bomb(tmp_path / "crowded.pdf", 3 << 20, unit=b"q\n")  # under the byte limit
    findings = [f for f in preflight(crowded) if f.rule == "pdf-oversized"]
    assert len(findings) == 1 and "more than 200,000 operators" in findings[0].message


def test_forms_drawing_forms_are_bounded(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    page = _crafted_page(pdf)
    inner = None
    for level in range(10):  # each form draws the one below ten times: 10^10 draws
        body = b"0 0 1 1 re f\n" if inner is None else b"/X Do\n" * 10
        form = pdf.make_stream(body, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form)
        form.BBox = pikepdf.Array([0, 0, 10, 10])
        if inner is not None:
            form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=inner))
        inner = form
        del level
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=inner))
    page.obj.Contents = pdf.make_stream(b"/X Do\n")
    pdf.save(tmp_path / "fan-out.pdf")
    findings = [f for f in preflight(tmp_path / "fan-out.pdf") if f.rule == "pdf-oversized"]
    assert len(findings) == 1 and "operators" in findings[0].message
