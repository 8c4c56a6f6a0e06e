"""Images (exist, stay inside the project, decode, enough pixels) and glyph coverage."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ProjectFactory
from PIL import Image

from scireport.checks import glyphs

Cli = Callable[..., Any]

PROFILE = """\
city: Seoul
country: The Republic of Korea
about:
  population: 9500000
headline: 데이터로 움직이는 서울
body: |
  서울시는 통신망과 센서를 묶는다.

  둘째 문단은 여기서 시작한다.
sources:
  - Statistics Korea
"""
"""A clean profile; images and odd characters are added per test (images from line 13)."""


def run(cli: Cli, root: Path) -> tuple[int, list[dict[str, Any]]]:
    """Validate ``root`` without the page-fit check; return the exit code and findings."""
    result = cli("validate", "--project", root, "--no-layout", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def image(path: Path, size: tuple[int, int], fmt: str = "PNG", **save: Any) -> bytes:
    """Write an image of ``size`` pixels; return its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (30, 90, 160)).save(path, fmt, **save)
    return path.read_bytes()


def with_images(*entries: str) -> str:
    """PROFILE plus an ``images`` list of the given ``- path: ...`` entries."""
    return PROFILE + "images:\n" + "".join(f"  - {entry}\n" for entry in entries)


def where(finding: dict[str, Any]) -> tuple[int, int, str, str, str]:
    return (
        finding["line"],
        finding["column"],
        finding["path"],
        finding["rule"],
        finding["severity"],
    )


@pytest.fixture(autouse=True)
def fresh_font_caches() -> Iterator[None]:
    """Each test resolves fonts itself (the caches live for the process)."""
    saved = (dict(glyphs._FONT_FILES), dict(glyphs._COVERAGE), dict(glyphs._CHARSETS))
    yield
    caches = (glyphs._FONT_FILES, glyphs._COVERAGE, glyphs._CHARSETS)
    for cache, old in zip(caches, saved, strict=True):
        cache.clear()
        cache.update(old)


# --- images -----------------------------------------------------------------------------------


def test_sharp_images_are_clean(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project(
        {"profiles/seoul.yaml": with_images("path: images/a.png", "path: images/b.jpg")}
    )
    image(root / "images" / "a.png", (1000, 600))  # 80 mm at 317 ppi
    image(root / "images" / "b.jpg", (1000, 600), "JPEG")
    assert run(cli, root) == (0, [])


def test_missing_image(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": with_images("path: images/nope.png")})
    code, [finding] = run(cli, root)
    assert code == 1
    assert where(finding) == (13, 11, "images[0].path", "asset-missing", "error")
    assert "images/nope.png" in finding["message"]


@pytest.mark.parametrize("given", ["../outside.png", "/etc/hostname", "images/../../outside.png"])
def test_image_outside_the_project(cli: Cli, make_project: ProjectFactory, given: str) -> None:
    root = make_project({"profiles/seoul.yaml": with_images(f"path: {given}")})
    image(root.parent / "outside.png", (2000, 1000))
    code, [finding] = run(cli, root)
    assert where(finding) == (13, 11, "images[0].path", "asset-outside", "error")


def test_symlink_escaping_the_project(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": with_images("path: images/link.png")})
    image(root.parent / "secret.png", (2000, 1000))
    (root / "images").mkdir()
    (root / "images" / "link.png").symlink_to(root.parent / "secret.png")
    code, [finding] = run(cli, root)
    assert where(finding) == (13, 11, "images[0].path", "asset-outside", "error")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x03", "not a readable PNG or JPEG"),
        (b"this is not a picture", "not a readable PNG or JPEG"),
        (None, "save it as PNG or JPEG"),
    ],
)
def test_unreadable_image(
    cli: Cli, make_project: ProjectFactory, content: bytes | None, says: str
) -> None:
    root = make_project({"profiles/seoul.yaml": with_images("path: images/x.png")})
    target = root / "images" / "x.png"
    if content is None:
        image(target, (2000, 1000), "GIF")
    else:
        target.parent.mkdir()
        target.write_bytes(content)
    code, [finding] = run(cli, root)
    assert where(finding) == (13, 11, "images[0].path", "asset-unreadable", "error")
    assert says in finding["message"]


def test_truncated_jpeg_is_unreadable(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": with_images("path: images/x.jpg")})
    data = image(root / "images" / "x.jpg", (2000, 1000), "JPEG")
    (root / "images" / "x.jpg").write_bytes(data[: len(data) // 2])
    code, [finding] = run(cli, root)
    assert finding["rule"] == "asset-unreadable"


def test_resolution_warning_and_error(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project(
        {
            "profiles/seoul.yaml": with_images(
                "path: images/ok.png",
                "path: images/soft.png",
                "{path: images/blurry.png, width_mm: 120}",
            )
        }
    )
    image(root / "images" / "ok.png", (945, 500))  # 80 mm: 300.04 ppi
    image(root / "images" / "soft.png", (800, 500))  # 80 mm: 254 ppi
    image(root / "images" / "blurry.png", (600, 500))  # 120 mm: 127 ppi
    code, findings = run(cli, root)
    assert code == 1
    assert [where(f) for f in findings] == [
        (14, 11, "images[1].path", "asset-resolution", "warning"),
        (15, 12, "images[2].path", "asset-resolution", "error"),
    ]
    assert "254 ppi, below 300 ppi" in findings[0]["message"]
    assert "at least 945 px" in findings[0]["message"]
    assert "127 ppi, below 150 ppi" in findings[1]["message"]
    assert "at least 709 px" in findings[1]["message"]


def test_resolution_limits_come_from_the_layout(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": with_images("path: images/soft.png")})
    manifest = root / "layouts" / "default" / "layout.yaml"
    manifest.write_text(manifest.read_text("utf-8") + "image_min_ppi: [100, 200]\n", "utf-8")
    image(root / "images" / "soft.png", (800, 500))  # 254 ppi: fine for this layout
    assert run(cli, root) == (0, [])


def test_exif_rotation_swaps_width_and_height(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": with_images("path: images/portrait.jpg")})
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown turned a quarter: 500 px wide when printed
    image(root / "images" / "portrait.jpg", (1200, 500), "JPEG", exif=exif.tobytes())
    code, [finding] = run(cli, root)
    assert finding["rule"] == "asset-resolution"
    assert "500 px wide" in finding["message"]


# --- glyphs -----------------------------------------------------------------------------------


def test_uncovered_character_is_located_inside_a_block_scalar(
    cli: Cli, make_project: ProjectFactory
) -> None:
    content = PROFILE.replace("둘째 문단은 여기서", "둘째 문단은 🙂 여기서")
    code, [finding] = run(cli, make_project({"profiles/seoul.yaml": content}))
    assert code == 1
    assert where(finding) == (9, 10, "body", "glyph-missing", "error")
    assert "'🙂' (U+1F642 SLIGHTLY SMILING FACE)" in finding["message"]
    assert "Noto Sans CJK KR" in finding["message"]


def test_each_uncovered_character_is_reported_once_per_field(
    cli: Cli, make_project: ProjectFactory
) -> None:
    content = PROFILE.replace("headline: 데이터로", "headline: ก ก ₿ 데이터로")
    code, findings = run(cli, make_project({"profiles/seoul.yaml": content}))
    assert [(f["line"], f["column"], f["message"][:18]) for f in findings] == [
        (5, 11, "character 'ก' (U+0"),
        (5, 15, "character '₿' (U+2"),
    ]


def test_uncovered_character_in_the_settings(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": PROFILE}, title="Smart Cities ₿ Report")
    code, [finding] = run(cli, root)
    assert (finding["file"], finding["path"], finding["rule"]) == (
        "scireport.yaml",
        "title",
        "glyph-missing",
    )
    lines = (root / "scireport.yaml").read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("title:"))
    assert (finding["line"], finding["column"]) == (line, 21)


def test_whitespace_and_invisible_format_characters_are_exempt(
    cli: Cli, make_project: ProjectFactory
) -> None:
    content = PROFILE.replace(
        "headline: 데이터로 움직이는 서울", 'headline: "데이터\\u200d로\\u00a0\\u2060\\t서울"'
    )
    assert run(cli, make_project({"profiles/seoul.yaml": content})) == (0, [])


def test_a_second_layout_font_covers_what_the_first_lacks(
    cli: Cli, make_project: ProjectFactory
) -> None:
    content = PROFILE.replace("headline: 데이터로", "headline: ა ∰ 데이터로")
    root = make_project({"profiles/seoul.yaml": content})
    assert len(run(cli, root)[1]) == 2
    manifest = root / "layouts" / "default" / "layout.yaml"
    text = manifest.read_text("utf-8").replace(
        "fonts: [Noto Sans CJK KR]", "fonts: [Noto Sans CJK KR, DejaVu Sans]"
    )
    manifest.write_text(text, "utf-8")
    assert run(cli, root) == (0, [])


def test_a_layout_font_that_is_not_installed(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": PROFILE})
    manifest = root / "layouts" / "default" / "layout.yaml"
    text = manifest.read_text("utf-8").replace(
        "fonts: [Noto Sans CJK KR]", "fonts: [Noto Sans CJK KR, Imaginary Serif]"
    )
    manifest.write_text(text, "utf-8")
    code, [finding] = run(cli, root)
    assert code == 1
    assert (finding["file"], finding["line"], finding["column"], finding["path"]) == (
        "layouts/default/layout.yaml",
        11,
        27,
        "fonts[1]",
    )
    assert finding["rule"] == "glyph-font-missing"
    assert "'Imaginary Serif' is not installed" in finding["message"]


def test_without_fontconfig_glyphs_are_skipped_with_a_warning(
    cli: Cli, make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    glyphs._FONT_FILES.clear()

    def no_fc_match(*args: Any, **kwargs: Any) -> Any:
        raise FileNotFoundError("fc-match")

    monkeypatch.setattr(subprocess, "run", no_fc_match)
    content = PROFILE.replace("headline: 데이터로", "headline: 🙂 데이터로")
    code, [finding] = run(cli, make_project({"profiles/seoul.yaml": content}))
    assert (finding["rule"], finding["severity"], finding["path"]) == (
        "glyph-font-missing",
        "warning",
        "fonts[0]",
    )
    assert code == 0


def test_fontconfig_charset_matches_the_fonttools_cmap() -> None:
    found = glyphs.font_file("Noto Sans CJK KR")
    assert not isinstance(found, str), found
    via_fontconfig = glyphs._CHARSETS[found]
    via_fonttools = glyphs.read_cmap(*found)
    assert via_fontconfig == via_fonttools
    assert {"서", "울", "A", "·"} <= via_fonttools


def test_the_pattern_from_fontconfigs_ranges_is_the_one_from_the_characters() -> None:
    """The check builds its regex from fontconfig's ranges (no sort of 45,000 characters):
    the same regex as from the characters themselves, for one font and for two."""
    for fonts in (["Noto Sans CJK KR"], ["Noto Sans CJK KR", "DejaVu Sans"]):
        cover = glyphs.coverage(fonts)
        assert not cover.problems and cover.ranges, fonts
        assert cover.chars == glyphs.chars_of(cover.ranges)
        pattern = glyphs.ranges_pattern(cover.ranges)
        assert pattern.pattern == glyphs.uncovered_pattern.__wrapped__(cover.chars).pattern
    assert (
        glyphs.ranges_pattern(((0x20, 0x7E), (0xAC00, 0x10FFFF))).pattern
        == (
            glyphs.uncovered_pattern.__wrapped__(
                glyphs.chars_of(((0x20, 0x7E), (0xAC00, 0x10FFFF)))
            )
        ).pattern
    )


def test_a_fontconfig_charset_is_read_as_its_characters() -> None:
    assert glyphs.chars_of(glyphs.charset_ranges("20-22 ac00 ")) == frozenset(' !"\uac00')
    assert glyphs.charset_ranges("zz-top") == ()  # malformed: none


def test_unreadable_font_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    problem = glyphs.read_cmap(str(bad), 0)
    assert isinstance(problem, str) and "cannot read font file" in problem


@pytest.mark.parametrize(
    "given",
    ['"images/a\\0.png"', '"' + "x" * 300 + '/a.png"', "images/loop.png", "images/"],
)
def test_unusable_paths_are_findings(cli: Cli, make_project: ProjectFactory, given: str) -> None:
    root = make_project({"profiles/seoul.yaml": with_images(f"path: {given}")})
    (root / "images").mkdir()
    (root / "images" / "loop.png").symlink_to(root / "images" / "loop.png")
    code, [finding] = run(cli, root)
    assert code == 1
    assert (finding["line"], finding["column"], finding["rule"]) == (13, 11, "asset-missing")


def test_truncated_image_is_unreadable_even_after_weasyprint_is_imported(
    cli: Cli, make_project: ProjectFactory
) -> None:
    import weasyprint  # noqa: F401  (it sets ImageFile.LOAD_TRUNCATED_IMAGES = True)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    root = make_project({"profiles/seoul.yaml": with_images("path: images/x.png")})
    data = image(root / "images" / "x.png", (2000, 1000))
    (root / "images" / "x.png").write_bytes(data[: len(data) - 30])
    code, [finding] = run(cli, root)
    assert finding["rule"] == "asset-unreadable"
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # left as WeasyPrint wants it
