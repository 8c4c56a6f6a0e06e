"""Editions a team can trust: drafts, builds of one city, spreads, languages, standalone PDFs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml
from conftest import THREE, copy_sample

Cli = Any
CITIES = THREE


def pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_draft_is_left_out_and_blocks_no_other_city(warm_three: Path, cli: Cli) -> None:
    root = warm_three  # CITIES, built: only what the draft changes is typeset again
    profile = root / "profiles" / "barcelona.yaml"
    data = yaml.safe_load(profile.read_text("utf-8"))
    data.update(draft=True, subtitle="TODO: subtitle")
    profile.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    validated = cli("validate", "-p", root, "--no-layout", "--format", "json")
    assert validated.exit_code == 0 and '"placeholder"' in validated.output
    assert '"severity": "warning"' in validated.output
    built = cli("build", "-p", root)
    assert built.exit_code == 0, built.output
    assert "left out of the book (draft: true): barcelona" in built.output
    book = pdftext(root / "build" / "print" / "report.pdf")
    assert "AMSTERDAM" in book and "BARCELONA" not in book
    alone = cli("build", "-p", root, "--city", "barcelona")
    assert alone.exit_code == 0, alone.output
    assert "BARCELONA" in pdftext(root / "build" / "print" / "cities" / "barcelona.pdf")


def test_building_one_city_is_not_refused_for_another_citys_errors(
    warm_three: Path, cli: Cli
) -> None:
    root = warm_three
    (root / "build/print/report.pdf").unlink()  # what the refused whole build must not write
    broken = root / "profiles" / "amsterdam.yaml"
    broken.write_text(broken.read_text("utf-8").replace("city: Amsterdam", "city: [Amsterdam"))
    whole = cli("build", "-p", root)
    assert whole.exit_code == 1 and "profiles/amsterdam.yaml" in whole.output
    one = cli("build", "-p", root, "--city", "seoul")
    assert one.exit_code == 0, one.output
    assert "profiles/amsterdam.yaml" in one.output  # reported, as a warning
    assert (root / "build" / "print" / "cities" / "seoul.pdf").exists()
    assert not (root / "build" / "print" / "report.pdf").exists()


def test_every_city_opens_a_spread(built_sample: Path, sample_project: Path) -> None:
    """The default layout asks for spreads: each city starts on an even (left-hand) page."""
    import pikepdf
    from conftest import start_pages

    starts = start_pages(sample_project)
    slugs = [p.stem for p in (sample_project / "profiles").glob("*.yaml")]
    for slug in slugs:
        assert starts[slug] % 2 == 0, slug  # left-hand page, its second page faces it
    blanks = [key for key in starts if key.startswith("@blank-")]
    assert blanks and all(int(key.rsplit("-", 1)[1]) % 2 == 1 for key in blanks)
    book = built_sample / "print" / "report.pdf"
    with pikepdf.open(book) as pdf:
        with pdf.open_outline() as outline:
            marks = {item.title: item.destination for item in outline.root}
        page_of = {page.objgen: n + 1 for n, page in enumerate(pdf.pages)}
        assert page_of[marks["SEOUL"][0].objgen] == starts["seoul"]
    blank = subprocess.run(
        ["pdftotext", "-f", blanks[0][7:], "-l", blanks[0][7:], str(book), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert blank == [blanks[0][7:]]  # numbered, no footer text


def digests(folder: Path) -> dict[str, tuple[str, int]]:
    import hashlib

    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*.pdf"))
    }


def test_both_languages_in_one_run_and_neither_touches_the_other(tmp_path: Path, cli: Cli) -> None:
    root = copy_sample(tmp_path / "project", ("seoul",))  # Seoul is written in both
    result = cli("build", "-p", root, "--lang", "all")
    assert result.exit_code == 0, result.output
    out = root / "build"
    for folder in ("print", "print-en"):
        assert (out / folder / "report.pdf").exists(), folder
    assert not (out / "screen").exists()  # the other edition's languages are in its own test
    korean = pdftext(out / "print" / "report.pdf")
    english = pdftext(out / "print-en" / "report.pdf")
    assert (
        "스마트시티 지수 보고서" in korean and "City profiles of the Smart Cities Index" in english
    )
    assert "Contents" in english and "목차" in korean
    english_before = digests(out / "print-en")
    # an edit to the Korean text only: a Korean build rewrites Korean files, never English ones
    seoul = root / "profiles" / "seoul.yaml"
    seoul.write_text(seoul.read_text("utf-8").replace("서울의 스마트시티", "서울 스마트시티", 1))
    korean_before = digests(out / "print")
    again = cli("build", "-p", root, "--lang", "ko")
    assert again.exit_code == 0, again.output
    assert digests(out / "print") != korean_before
    assert digests(out / "print-en") == english_before
    import pikepdf

    for folder, lang in (("print", "ko"), ("print-en", "en")):
        with pikepdf.open(out / folder / "report.pdf") as pdf:
            assert str(pdf.Root.Lang) == lang, folder


def test_a_missing_translation_is_found_at_its_line_and_refused(tmp_path: Path, cli: Cli) -> None:
    root = copy_sample(tmp_path / "project", ("seoul", "amsterdam"))
    import json

    result = cli("validate", "-p", root, "--no-layout", "--lang", "en", "--format", "json")
    found = [f for f in json.loads(result.output) if f["rule"] == "missing-translation"]
    assert result.exit_code == 1 and found
    text = (root / "profiles" / "amsterdam.yaml").read_text("utf-8").splitlines()
    headline = next(f for f in found if f["path"] == "headline")
    assert headline["file"] == "profiles/amsterdam.yaml"
    assert text[headline["line"] - 1].startswith("headline:")
    assert not any(f["file"] == "profiles/seoul.yaml" for f in found)  # Seoul is bilingual
    main = cli("validate", "-p", root, "--no-layout", "--format", "json")
    assert main.exit_code == 0  # the Korean edition lacks nothing
    refused = cli("build", "-p", root, "--lang", "en")
    assert refused.exit_code == 1 and "missing-translation" in refused.output
    assert not (root / "build" / "print-en" / "report.pdf").exists()
    fallback = cli("build", "-p", root, "--lang", "en", "--allow-fallback")
    assert fallback.exit_code == 0, fallback.output
    assert "warning" in fallback.output and "missing-translation" in fallback.output
    assert "AMSTERDAM" in pdftext(root / "build" / "print-en" / "report.pdf")
    screen = cli("build", "-p", root, "--lang", "en", "--allow-fallback", "--edition", "screen")
    assert screen.exit_code == 0, screen.output
    import pikepdf

    languages: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/Lang" in node and "/S" in node:
                languages.add(str(node.Lang))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    with pikepdf.open(root / "build" / "screen-en" / "report.pdf") as pdf:
        assert str(pdf.Root.Lang) == "en"
    with pikepdf.open(root / "build" / "screen-en" / "cities" / "amsterdam.pdf") as pdf:
        assert str(pdf.Root.Lang) == "en"
        walk(pdf.Root.StructTreeRoot)
    assert "ko" in languages  # the Korean fallback text is marked as Korean
    undeclared = cli("build", "-p", root, "--lang", "fr")
    assert undeclared.exit_code == 2 and "ko, en or all" in undeclared.output


def test_standalone_city_pdfs_are_numbered_from_one(tmp_path: Path, cli: Cli) -> None:
    import pikepdf

    root = copy_sample(tmp_path / "project", ("seoul", "amsterdam"))
    result = cli("build", "-p", root, "--city", "amsterdam", "--edition", "both", "--standalone")
    assert result.exit_code == 0, result.output
    for edition in ("print", "screen"):
        alone = root / "build" / edition / "standalone" / "amsterdam.pdf"
        pages = subprocess.run(
            ["pdftotext", "-layout", str(alone), "-"], capture_output=True, text=True, check=True
        ).stdout.split("\f")
        assert "Smart Cities Index Report" in pages[0] and "AMSTERDAM" in pages[0]  # the cover
        for number, page in enumerate(pages[1:3], start=1):
            assert page.rstrip().splitlines()[-3].rstrip().endswith(str(number)), (edition, page)
        with pikepdf.open(alone) as pdf:
            assert len(pdf.pages) == 3
            assert str(pdf.docinfo.Title).startswith("Amsterdam")
        in_book = root / "build" / edition / "cities" / "amsterdam.pdf"
        first = subprocess.run(
            ["pdftotext", "-layout", "-l", "1", str(in_book), "-"], capture_output=True, text=True
        ).stdout
        assert "10" in first  # the book's own city PDF keeps its book page number


def test_every_pdf_is_titled_with_what_it_is(built_books: dict[str, Path]) -> None:
    import pikepdf

    for edition, out in built_books.items():
        with pikepdf.open(out / edition / "report.pdf") as pdf:
            assert str(pdf.docinfo.Title) == "Smart Cities Index Report 2022"
            assert "Smart Cities Index Report 2022" in pdf.open_metadata().get("dc:title", "")
        for path in (out / edition / "cities").glob("*.pdf"):
            with pikepdf.open(path) as pdf:
                title = str(pdf.docinfo.Title)
                assert title.endswith("· Smart Cities Index Report 2022"), (edition, path.name)
                assert title.split(" · ")[0].lower().replace(" ", "-") == path.stem
                assert title in pdf.open_metadata().get("dc:title", "")
