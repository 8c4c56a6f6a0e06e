"""Contracts of the WeasyPrint and pydyf internals scireport uses (all in scireport.weasy).

Each test fails when a WeasyPrint release changes what scireport relies on; the last one
fails when a module other than scireport/weasy.py reaches into those internals.
"""

from __future__ import annotations

import inspect
import io
import re
import zlib
from importlib.metadata import version
from pathlib import Path

import pikepdf
import pytest
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont

from scireport import weasy

SRC = Path(__file__).resolve().parents[1] / "src" / "scireport"
CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_INDEX = 1  # Noto Sans CJK KR in the collection
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _render(html: str) -> object:
    import weasyprint

    return weasyprint.HTML(string=html).render()


def test_the_pinned_major_is_installed() -> None:
    assert version("weasyprint").split(".")[0] == "70"


def test_notdef_log_message_is_recognised() -> None:
    document = _render("<p style=\"font-family: 'Noto Sans CJK KR'\">a\U000f0001b</p>")
    with weasy.capture_log() as messages:
        document.write_pdf()  # type: ignore[attr-defined]
    assert weasy.notdef_chars(messages) == ["\U000f0001"]


def test_write_pdf_restores_pydyf(tmp_path: Path) -> None:
    import pydyf

    weasy.write_pdf(_render("<p>x</p>"), tmp_path / "a.pdf")
    assert pydyf.zlib is zlib


def test_write_pdf_compresses_at_level_one(tmp_path: Path) -> None:
    document = _render("<p>" + "서울 " * 400 + "</p>")
    fast, slow = tmp_path / "fast.pdf", tmp_path / "slow.pdf"
    weasy.write_pdf(document, fast)
    document.write_pdf(slow)  # type: ignore[attr-defined]
    assert fast.stat().st_size > slow.stat().st_size  # level 1 packs less than level 9


def test_an_output_profile_is_compressed_once_as_level_one_does(tmp_path: Path) -> None:
    """The contract: pydyf compresses a stream with ``zlib.compressobj(...)``, one
    ``compress`` of its whole data, then ``flush``; a colour profile is one such stream."""
    import pydyf

    source = inspect.getsource(pydyf.Stream)
    assert "compressobj = zlib.compressobj(" in source
    assert "compressobj.compress(stream)" in source and "compressobj.flush()" in source
    icc = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
    css = f"@color-profile device-cmyk {{ components: c, m, y, k; src: url({icc.as_uri()}) }}"
    html = f"<style>{css}</style><p style='color: device-cmyk(0 0 0 1)'>x</p>"
    weasy._PROFILES.clear()
    for name in ("a.pdf", "b.pdf"):
        weasy.write_pdf(_render(html), tmp_path / name, pdf_variant="pdf/x-4")
    profile = icc.read_bytes()
    assert list(weasy._PROFILES) == [profile]  # compressed once, for both files
    for name in ("a.pdf", "b.pdf"):
        with pikepdf.open(tmp_path / name) as pdf:
            streams = [
                o for o in pdf.objects
                if isinstance(o, pikepdf.Stream) and o.read_bytes() == profile
            ]  # fmt: skip
            assert streams and streams[0].read_raw_bytes() == zlib.compress(profile, 1)
    packer = weasy.FastZlib.compressobj()
    data = b"not a profile " * 100
    assert zlib.decompress(packer.compress(data) + packer.flush()) == data


def test_laid_out_text_leaves_margin_boxes_out() -> None:
    css = "@page { @bottom-center { content: 'FOOTER' } }"
    document = _render(f"<style>{css}</style><p>Body text</p><p>more</p>")
    text = "".join(weasy.laid_out_text(document))
    assert "Body text" in text and "more" in text and "FOOTER" not in text


def test_pages_show_the_original_fonts_glyph_ids(tmp_path: Path) -> None:
    """The stitcher re-subsets the original font file with the ids kept: the codes on the
    pages must be the original font's glyph ids (Identity-H, CIDToGIDMap Identity)."""
    words = "서울 부산"
    path = tmp_path / "subset.pdf"
    document = _render(f"<p style=\"font-family: 'Noto Sans CJK KR'\">{words}</p>")
    document.write_pdf(path)  # type: ignore[attr-defined]
    original = TTFont(CJK, fontNumber=CJK_INDEX, lazy=True)
    cmap = original.getBestCmap()
    wanted = {original.getGlyphID(cmap[ord(c)]) for c in words}
    with pikepdf.open(path) as pdf:
        font = next(iter(pdf.pages[0].Resources.Font.values()))
        assert str(font.Encoding) == "/Identity-H"
        descendant = font.DescendantFonts[0]
        assert str(descendant.get("/CIDToGIDMap", "/Identity")) == "/Identity"
        shown = set()
        for operands, op in pikepdf.parse_content_stream(pdf.pages[0]):
            if str(op) == "TJ":
                for piece in operands[0]:
                    if isinstance(piece, pikepdf.String):
                        raw = bytes(piece)
                        shown |= {int.from_bytes(raw[i : i + 2]) for i in range(0, len(raw), 2)}
    assert shown == wanted  # the codes shown are the original font's glyph ids


def _programs(path: Path) -> dict[str, bytes]:
    """Every embedded font program of ``path`` by base font name (subset tag removed)."""
    found = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
                found[str(font.BaseFont).split("+")[-1]] = stream.read_bytes()
    return found


def test_subset_once_gives_weasyprints_glyphs_in_one_pass(tmp_path: Path) -> None:
    """The contract: ``Font.subset(to_unicode, hinting)`` and the attributes it reads."""
    import weasyprint.pdf.fonts as fonts

    assert list(inspect.signature(fonts.Font.subset).parameters) == [
        "self", "to_unicode", "hinting"
    ]  # fmt: skip
    html = (
        "<p style=\"font-family: 'Noto Sans CJK KR'\">서울 부산 Seoul 2022</p>"
        "<p style=\"font-family: 'Noto Sans CJK KR'; font-weight: bold\">인천 \U000f0001</p>"
    )
    ours, theirs = tmp_path / "ours.pdf", tmp_path / "theirs.pdf"
    weasy.write_pdf(_render(html), ours)
    _render(html).write_pdf(theirs)  # type: ignore[attr-defined]
    assert fonts.Font.subset is not weasy.subset_once  # put back after the write
    mine, wanted = _programs(ours), _programs(theirs)
    assert mine.keys() == wanted.keys() and len(mine) == 2
    original = TTFont(CJK, fontNumber=CJK_INDEX, lazy=True)
    cmap = original.getBestCmap()
    for name, program in mine.items():
        a, b = TTFont(io.BytesIO(program)), TTFont(io.BytesIO(wanted[name]))
        a_glyphs, b_glyphs = a.getGlyphSet(), b.getGlyphSet()
        assert len(a.getGlyphOrder()) == len(b.getGlyphOrder())  # ids kept, same last id
        codes = {cmap[ord(c)] for c in "서울부산Seoul2022인천"}
        used = {b.getGlyphName(original.getGlyphID(c)) for c in codes} | {".notdef"}
        assert len(used) > 10
        for glyph in sorted(used & set(b.getGlyphOrder())):
            pen_a, pen_b = RecordingPen(), RecordingPen()
            a_glyphs[glyph].draw(pen_a)
            b_glyphs[glyph].draw(pen_b)
            assert pen_a.value == pen_b.value, (name, glyph)


def _font_programs(path: Path) -> list[bytes]:
    """Every embedded font program of ``path``, wherever it is referenced from."""
    with pikepdf.open(path) as pdf:
        return sorted(
            stream.read_bytes()
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
            for key in ("/FontFile2", "/FontFile3")
            if (stream := obj.get(key)) is not None
        )


def test_fonts_are_not_copied_when_they_are_subset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract: ``Font.__init__`` copies the font file through the module's
    ``get_hb_object_data(self.hb_face)``, and the rest reads it as ``font.file_content``."""
    import weasyprint.pdf.fonts as fonts
    import weasyprint.text.fonts as text_fonts

    assert "self.file_content = get_hb_object_data(self.hb_face)" in inspect.getsource(
        fonts.Font.__init__
    )
    assert fonts.get_hb_object_data is text_fonts.get_hb_object_data
    read = text_fonts.get_hb_object_data
    sizes: list[int] = []

    def counted(*args: object) -> object:
        data = read(*args)
        sizes.append(len(data) if isinstance(data, bytes) else 0)
        return data

    monkeypatch.setattr(text_fonts, "get_hb_object_data", counted)
    html = "<p style=\"font-family: 'Noto Sans CJK KR'\">서울 <b>부산</b></p>"
    ours, theirs = tmp_path / "ours.pdf", tmp_path / "theirs.pdf"
    weasy.write_pdf(_render(html), ours)
    assert max(sizes, default=0) < 1_000_000  # never the 19 MB file
    assert (
        "file_content" not in vars(fonts.Font) and fonts.Font.__init__.__module__ == fonts.__name__
    )
    monkeypatch.undo()
    _render(html).write_pdf(theirs)  # type: ignore[attr-defined]
    mine, wanted = _programs(ours), _programs(theirs)
    assert mine.keys() == wanted.keys() and len(mine) == 2
    for name, program in mine.items():
        _same_glyphs(program, wanted[name])


def test_fonts_are_subset_from_their_files_mapped_once(tmp_path: Path) -> None:
    """``pango_fc_font_get_pattern`` names each font's file (fontconfig's pattern), whose
    face is kept for the process; without it, Pango's face is subset: the same programs."""
    html = "<p style=\"font-family: 'Noto Sans CJK KR'\">서울 <b>부산</b> 2022</p>"
    weasy._FACES.clear()
    weasy.write_pdf(_render(html), tmp_path / "files.pdf")
    assert {path for path, _ in weasy._FACES} >= {
        str(CJK),
        str(CJK.with_name("NotoSansCJK-Bold.ttc")),
    }
    assert all(index == CJK_INDEX for path, index in weasy._FACES if "CJK" in path)
    kept = dict(weasy._FACES)
    weasy.write_pdf(_render(html), tmp_path / "again.pdf")
    assert all(weasy._FACES[key][1] is face for key, (_, face) in kept.items())  # reused
    file_face = weasy._file_face
    try:
        weasy._file_face = lambda source, glyphs: None  # type: ignore[assignment]
        weasy.write_pdf(_render(html), tmp_path / "pango.pdf")
    finally:
        weasy._file_face = file_face  # type: ignore[assignment]
    files, pango = _programs(tmp_path / "files.pdf"), _programs(tmp_path / "pango.pdf")
    assert files.keys() == pango.keys() and len(files) == 2
    for name, program in files.items():
        _same_glyphs(program, pango[name])


def _same_glyphs(a: bytes, b: bytes) -> None:
    """Two font programs have the same glyphs: ids, outlines and advances."""
    font_a, font_b = TTFont(io.BytesIO(a)), TTFont(io.BytesIO(b))
    assert font_a.getGlyphOrder() == font_b.getGlyphOrder()
    glyphs_a, glyphs_b = font_a.getGlyphSet(), font_b.getGlyphSet()
    for name in font_a.getGlyphOrder():
        pen_a, pen_b = RecordingPen(), RecordingPen()
        glyphs_a[name].draw(pen_a)
        glyphs_b[name].draw(pen_b)
        assert pen_a.value == pen_b.value, name
        assert glyphs_a[name].width == glyphs_b[name].width, name


def test_a_font_read_whole_is_read_when_asked(tmp_path: Path) -> None:
    """A font a PDF form field uses is embedded whole (WeasyPrint does not subset it): its
    bytes are read from the face when the write asks for them."""
    html = "<input value='Seoul' style=\"font-family: 'DejaVu Sans'\">"  # a small font
    ours, theirs = tmp_path / "ours.pdf", tmp_path / "theirs.pdf"
    import weasyprint

    weasy.write_pdf(weasyprint.HTML(string=html).render(pdf_forms=True), ours, pdf_forms=True)
    weasyprint.HTML(string=html).write_pdf(theirs, pdf_forms=True)
    programs = _font_programs(ours)
    assert programs == _font_programs(theirs)
    assert max(len(p) for p in programs) == DEJAVU.stat().st_size  # the whole file


LINKED_CSS = """
@page { size: 100mm 80mm; margin: 12mm; @bottom-center { content: counter(page, letters) } }
@page :first { margin-top: 20mm }
@counter-style letters { system: alphabetic; symbols: "A" "B" "C"; }
p { color: rgb(200, 0, 0); font-size: 14pt }
p::after { content: counter(item, letters); counter-increment: item }
"""


def _laid_out(path: Path) -> list[tuple[list[float], bytes]]:
    with pikepdf.open(path) as pdf:
        return [([float(v) for v in page.mediabox], page.Contents.read_bytes())
                for page in pdf.pages]  # fmt: skip


def test_a_linked_stylesheet_is_parsed_once_and_lays_out_the_same(tmp_path: Path) -> None:
    """The contract: ``find_stylesheets`` makes a ``<link>``ed sheet with the module's
    ``CSS(url=..., page_rules=, layers=, counter_style=, color_profiles=, font_config=,
    url_fetcher=, media_type=)``, and the cascade reads ``page_rules`` off each sheet."""
    import weasyprint
    import weasyprint.css as css
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    source = inspect.getsource(css.find_stylesheets)
    assert "yield CSS(" in source and "url=href" in source and "page_rules=page_rules" in source
    assert "sheet.page_rules" in inspect.getsource(css.StyleFor.add_page_declarations)
    sheet = tmp_path / "style.css"
    sheet.write_text(LINKED_CSS, "utf-8")
    html = (
        f"<link rel=stylesheet href='{sheet.as_uri()}'>"
        "<style>@page { @top-center { content: 'head' } }</style>" + "<p>서울 Seoul</p>" * 30
    )
    log = type("Log", (), {"fetched": [], "refused": []})()
    reuse = weasy.LinkedStylesheets(log)
    config, fetcher = FontConfiguration(), URLFetcher()
    parsed = []
    parse = weasyprint.CSS.__init__

    def counted(self: object, *args: object, **kwargs: object) -> None:
        parsed.append(kwargs.get("url"))
        parse(self, *args, **kwargs)

    weasyprint.CSS.__init__ = counted  # type: ignore[method-assign]
    try:
        outputs = []
        for n in range(3):
            if n == 2:  # the file changes: parsed again
                sheet.write_text(LINKED_CSS.replace("14pt", "15pt"), "utf-8")
            with reuse.reused():
                document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(
                    font_config=config
                )
            assert css.CSS is weasyprint.CSS  # put back
            document.write_pdf(tmp_path / f"reused-{n}.pdf")
            plain = weasyprint.HTML(string=html, url_fetcher=fetcher).render(font_config=config)
            plain.write_pdf(tmp_path / f"plain-{n}.pdf")
            outputs.append(len(document.pages))
            assert _laid_out(tmp_path / f"reused-{n}.pdf") == _laid_out(tmp_path / f"plain-{n}.pdf")
    finally:
        weasyprint.CSS.__init__ = parse  # type: ignore[method-assign]
    linked = [url for url in parsed if url == sheet.as_uri()]
    assert len(linked) == 2 + 3  # once, again when the file changed; every plain render
    assert len(outputs) == 3 and outputs[0] > 1


def test_a_linked_stylesheet_with_layers_is_parsed_every_time(tmp_path: Path) -> None:
    import weasyprint

    sheet = tmp_path / "style.css"
    sheet.write_text("@layer base { p { color: red } } p { color: blue }", "utf-8")
    html = f"<link rel=stylesheet href='{sheet.as_uri()}'><p>x</p>"
    log = type("Log", (), {"fetched": [], "refused": []})()
    reuse = weasy.LinkedStylesheets(log)
    for _ in range(2):
        with reuse.reused():
            weasyprint.HTML(string=html).render()
    assert reuse.parsed == {}


INTERNAL = re.compile(
    r"^\s*(?:from|import)\s+(?:pydyf\b|weasyprint\.(?!urls\b|text\.fonts\b)[\w.]+)"
    r"|\._page_box\b|pydyf\.zlib",
    re.MULTILINE,
)


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: p.name)
def test_no_other_module_touches_weasyprint_internals(path: Path) -> None:
    if path.name == "weasy.py":
        assert INTERNAL.search(path.read_text())  # the pattern still finds what it looks for
        return
    assert INTERNAL.findall(path.read_text()) == [], f"{path}: use scireport.weasy instead"


def test_tagged_elements_carry_their_language_and_header_scopes(tmp_path: Path) -> None:
    """WeasyPrint 70 writes only the document's /Lang; weasy.write_pdf adds the rest."""
    import pikepdf
    from weasyprint import HTML

    from scireport import weasy

    html = (
        '<html lang="en"><body><p>Hello <span lang="ko">서울</span></p>'
        '<table><thead><tr><th scope="col">Area</th></tr></thead>'
        '<tbody><tr><th scope="row">Seoul</th><td>4</td></tr></tbody></table></body></html>'
    )
    target = tmp_path / "tagged.pdf"
    weasy.write_pdf(HTML(string=html).render(), target, pdf_variant="pdf/ua-1")
    found: list[tuple[str, str | None, str | None]] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                lang = node.get("/Lang")
                attributes = node.get("/A")
                scope = (
                    attributes.get("/Scope") if isinstance(attributes, pikepdf.Dictionary) else None
                )
                found.append(
                    (str(node.S), str(lang) if lang else None, str(scope) if scope else None)
                )
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    with pikepdf.open(target) as pdf:
        walk(pdf.Root.StructTreeRoot)
    assert ("/Span", "ko", None) in found
    assert ("/TH", None, "/Column") in found and ("/TH", None, "/Row") in found


def test_a_link_to_an_anchor_elsewhere_is_marked_with_its_anchor(tmp_path: Path) -> None:
    """WeasyPrint 70 tags an ``<a>`` whose anchor is missing as a Link element and writes
    no annotation; weasy.write_pdf names the anchor on that element (and only there)."""
    import pikepdf
    from weasyprint import HTML

    from scireport import weasy

    html = (
        '<html lang="en"><body><p><a href="#elsewhere">Far</a> <a href="#here">Near</a></p>'
        '<h1 id="here">Here</h1></body></html>'
    )
    target = tmp_path / "links.pdf"
    weasy.write_pdf(HTML(string=html).render(), target, pdf_variant="pdf/ua-1")
    with pikepdf.open(target) as pdf:
        links = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                 and o.get("/S") == "/Link"]  # fmt: skip
        annotations = list(pdf.pages[0].obj.get("/Annots") or [])
    assert len(links) == 2 and len(annotations) == 1  # the missing anchor: no annotation
    marks = [str(link.get(weasy.LINK_MARK, "")) for link in links]
    assert sorted(marks) == ["", "elsewhere"]
