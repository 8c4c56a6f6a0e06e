"""Building real PDFs: the sample book, each city alone, both editions, and the error paths."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import SEOUL_EXAMPLE, start_pages

from scireport.models import CityProfile, all_texts


def pdftext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]


def test_book_has_cover_contents_and_every_city(built_sample: Path, sample_project: Path) -> None:
    profiles = sorted((sample_project / "profiles").glob("*.yaml"))
    book = built_sample / "print" / "report.pdf"
    starts = start_pages(sample_project)
    # cover, contents, introduction, ranking (2 pages), methodology, a blank page so that
    # the first city opens a spread, the cities, back cover
    assert starts["@introduction"] == 3 and starts["@ranking"] == 4
    assert starts["@methodology"] == 6 and starts["@blank-7"] == 7 and starts["seoul"] == 8
    assert pages(book) == 7 + 2 * len(profiles) + 1
    text = pdftext(book)
    assert "Smart Cities Index Report" in text and "2022" in text
    for name in ("SEOUL", "LOS ANGELES", "NEW YORK", "SINGAPORE", "BARCELONA", "AMSTERDAM"):
        assert name in text
    assert "서울" in text and "THE REPUBLIC OF KOREA" in text
    # Seoul comes first (scireport.yaml order), the rest by English name; contents give pages
    first_city = pdftext(book, "-f", "8", "-l", "8")
    assert "SEOUL" in first_city
    contents = pdftext(book, "-layout", "-f", "2", "-l", "2")
    assert re.search(r"SEOUL .* 8$", contents, re.MULTILINE)
    assert re.search(r"AMSTERDAM .* 10$", contents, re.MULTILINE)
    assert re.search(r"들어가며 .* 3$", contents, re.MULTILINE)
    assert re.search(r"스마트시티 지수 순위 .* 4$", contents, re.MULTILINE)


def test_each_city_alone_with_book_page_numbers(built_books: dict[str, Path]) -> None:
    for edition, out in built_books.items():
        seoul = out / edition / "cities" / "seoul.pdf"
        assert pages(seoul) == 2
        text = pdftext(seoul, "-f", "1", "-l", "1")
        assert "SEOUL" in text and "LOS ANGELES" not in text
        assert re.search(r"^8$", text, re.MULTILINE)  # first city starts on book page 8


def test_fonts_are_embedded_and_subset(built_sample: Path) -> None:
    out = subprocess.run(
        ["pdffonts", str(built_sample / "print" / "report.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = out.splitlines()[2:]
    assert rows
    assert any("Noto-Sans-CJK-KR" in row for row in rows)
    for row in rows:
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row


def test_no_korean_word_is_split_across_lines(built_sample: Path, sample_project: Path) -> None:
    words: set[str] = set()
    strip = ".,·()\"'“”‘’:;!?%-"
    for path in (sample_project / "profiles").glob("*.yaml"):
        profile = CityProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        texts = [
            *all_texts(profile.about.text),
            *all_texts(profile.headline),
            *all_texts(profile.subtitle),
            *all_texts(profile.body),
            *(t for i in profile.initiatives for t in all_texts(i.text)),
            profile.native_name or "",
        ]
        for text in texts:
            words.update(w.strip(strip).replace("*", "") for w in text.split())
    layout = yaml.safe_load((sample_project / "layouts/default/layout.yaml").read_text("utf-8"))
    config = yaml.safe_load((sample_project / "scireport.yaml").read_text("utf-8"))
    labels = [label for table in layout["labels"].values() for label in table.values()]
    labels += [area["label"]["ko"] for area in config["index"]["areas"]]
    for label in labels:
        words.update(w.strip(strip) for w in label.split())
    words.update(f"{n}{unit}" for n in range(2100) for unit in ("위", "개", "년"))
    hangul = re.compile(r"[가-힣]")
    checked = 0
    for pdf in (built_sample / "print" / "cities").glob("*.pdf"):
        text = pdftext(pdf)
        assert "\u2060" not in text
        for line in text.splitlines():
            for token in line.split():
                token = token.strip(strip)
                if hangul.search(token):
                    checked += 1
                    assert token in words, f"{pdf.name}: {token!r} is part of a split word"
    assert checked > 1000


def test_print_has_bleed_and_cmyk_intent_screen_has_neither(
    built_books: dict[str, Path],
) -> None:
    def boxes(path: Path) -> dict[str, list[float]]:
        out = subprocess.run(
            ["pdfinfo", "-box", str(path)], capture_output=True, text=True, check=True
        ).stdout
        return {
            m.group(1): [float(v) for v in m.group(2).split()]
            for m in re.finditer(r"^(\w+Box):\s+(.*)$", out, re.MULTILINE)
        }

    printed = boxes(built_books["print"] / "print" / "report.pdf")
    trim, bleed = printed["TrimBox"], printed["BleedBox"]
    assert round(trim[0] - bleed[0], 1) == pytest.approx(8.5, abs=0.1)  # 3 mm
    screen = boxes(built_books["screen"] / "screen" / "report.pdf")
    assert screen["TrimBox"] == screen["MediaBox"]


def test_profile_text_is_printed_literally(make_project, cli) -> None:
    hostile = SEOUL_EXAMPLE.replace(
        "가상 서울 디지털 트윈은", "{{ 7*7 }} <b>굵게</b> {% raw %} 가상 서울 디지털 트윈은"
    )
    root = make_project({"profiles/seoul.yaml": hostile})
    result = cli("build", "-p", root)
    assert result.exit_code == 0, result.output
    text = pdftext(root / "build" / "print" / "cities" / "seoul.pdf")
    assert "{{ 7*7 }}" in text and "<b>굵게</b>" in text and "{% raw %}" in text
    assert "49" not in text


def test_overflow_fails_naming_the_field_and_keeps_the_good_pdf(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    assert cli("build", "-p", root).exit_code == 0
    good = (root / "build" / "print" / "report.pdf").read_bytes()
    long_body = "\n\n".join(f"서울 문단 {i} " + "도시 데이터 플랫폼 " * 60 for i in range(12))
    profile = yaml.safe_load(SEOUL_EXAMPLE)
    profile["body"] = long_body
    (root / "profiles" / "seoul.yaml").write_text(
        yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8"
    )
    result = cli("build", "-p", root)
    assert result.exit_code == 1
    assert "fit-overflow" in result.output and "body paragraph" in result.output
    assert "nothing was written" in result.output
    assert (root / "build" / "print" / "report.pdf").read_bytes() == good
    assert not list((root / "build" / "print").glob(".*.part"))
    allowed = cli("build", "-p", root, "--allow-overflow")
    assert allowed.exit_code == 0, allowed.output
    assert "warning" in allowed.output
    assert pages(root / "build" / "print" / "report.pdf") > 4


def test_template_error_names_the_file_and_line(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    city = root / "layouts" / "default" / "city.html"
    city.write_text(
        city.read_text("utf-8").replace("{% block body %}", "{% block body %}{{ nope }}")
    )
    result = cli("build", "-p", root)
    assert result.exit_code == 1
    assert re.search(
        r"layouts/default/city\.html:\d+: template error: 'nope' is undefined", result.output
    )
    city.write_text("{% block x %}")
    result = cli("build", "-p", root)
    assert (
        result.exit_code == 1
        and "layouts/default/city.html:1: template syntax error" in result.output
    )


def test_designer_overrides_one_block(make_project, cli) -> None:
    root = make_project(
        {
            "profiles/seoul.yaml": SEOUL_EXAMPLE,
            "layouts/custom/layout.yaml": {"name": "custom", "extends": "default"},
            "layouts/custom/city.html": '{% extends "default/city.html" %}'
            "{% block headline %}<p>OVERRIDDEN HEADLINE</p>{{ super() }}{% endblock %}",
        },
        layout="custom",
    )
    result = cli("build", "-p", root)
    assert result.exit_code == 0, result.output
    text = pdftext(root / "build" / "print" / "cities" / "seoul.pdf")
    assert "OVERRIDDEN HEADLINE" in text and "SEOUL" in text and "S-Net" in text


def test_files_outside_the_project_are_not_fetched(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    css = root / "layouts" / "default" / "style.css"
    css.write_text('@import url("file:///etc/hostname");\n' + css.read_text("utf-8"))
    result = cli("build", "-p", root)
    assert result.exit_code == 1
    assert "file:///etc/hostname" in result.output and "outside the project" in result.output


def test_unwritable_output_folder(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    (root / "blocked").write_text("a file, not a folder")
    result = cli("build", "-p", root, "--out", "blocked")
    assert result.exit_code == 1 and "cannot write to" in result.output


def test_images_are_cmyk_in_print_and_rgb_on_screen(make_project, cli) -> None:
    from PIL import Image as Picture

    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    (root / "images").mkdir()
    Picture.new("RGB", (1200, 700), (30, 120, 200)).save(root / "images" / "seoul.png")
    profile = yaml.safe_load(SEOUL_EXAMPLE)
    profile["images"] = [{"path": "images/seoul.png", "caption": "서울", "width_mm": 90}]
    (root / "profiles" / "seoul.yaml").write_text(
        yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8"
    )
    result = cli("build", "-p", root, "--edition", "both")
    assert result.exit_code == 0, result.output

    def images(edition: str) -> list[list[str]]:
        out = subprocess.run(
            ["pdfimages", "-list", str(root / "build" / edition / "report.pdf")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [line.split() for line in out.splitlines()[2:]]

    (printed,) = images("print")
    (screen,) = images("screen")
    assert printed[5] == "cmyk" and screen[5] == "rgb"
    assert int(printed[12]) >= 300  # x-ppi at 90 mm wide


def test_content_the_layout_drops_fails_the_build(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    css = root / "layouts" / "default" / "style.css"
    css.write_text(
        css.read_text("utf-8") + "\n.about-text { display: none }\n.body p + p { display: none }\n"
    )
    result = cli("build", "-p", root)
    assert result.exit_code == 1
    assert "profiles/seoul.yaml:10:9 about.text: about.text is not on the typeset pages" in (
        result.output
    )
    assert "paragraph 2 of body is not on the typeset pages" in result.output
    assert "[fit-dropped]" in result.output
    assert not (root / "build" / "print" / "report.pdf").exists()


def test_validate_lays_out_through_the_build_cache(make_project, cli) -> None:
    profile = yaml.safe_load(SEOUL_EXAMPLE)
    profile["body"] = "\n\n".join(f"서울 문단 {i} " + "도시 데이터 플랫폼 " * 60 for i in range(12))
    root = make_project(
        {
            "profiles/seoul.yaml": yaml.safe_dump(profile, allow_unicode=True),
            "profiles/busan.yaml": SEOUL_EXAMPLE.replace("city: Seoul", "city: Busan")
            .replace("서울", "부산")
            .replace("native_name: 부산", "native_name: 부산광역시"),
        }
    )
    result = cli("validate", "-p", root, "--format", "json")
    overflow = [f for f in json.loads(result.output) if f["rule"] == "fit-overflow"]
    assert result.exit_code == 1 and [f["file"] for f in overflow] == ["profiles/seoul.yaml"]
    assert overflow[0]["path"] == "body" and overflow[0]["line"] is not None
    cached = list((root / "build" / ".cache" / "print-ko").glob("*.pdf"))
    assert len(cached) == 2  # both cities, kept for the build
    again = cli("validate", "-p", root, "--format", "json")
    assert again.output == result.output
    assert sorted((root / "build" / ".cache" / "print-ko").glob("*.pdf")) == sorted(cached)
