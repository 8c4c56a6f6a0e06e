"""Editions a team can trust: drafts, builds of one city, spreads, languages, standalone PDFs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml
from conftest import copy_sample

Cli = Any
CITIES = ("seoul", "amsterdam", "barcelona")


def pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_draft_is_left_out_and_blocks_no_other_city(tmp_path: Path, cli: Cli) -> None:
    root = copy_sample(tmp_path / "project", CITIES)
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
    tmp_path: Path, cli: Cli
) -> None:
    root = copy_sample(tmp_path / "project", CITIES)
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
        assert page_of[marks["Seoul"][0].objgen] == starts["seoul"]
    blank = subprocess.run(
        ["pdftotext", "-f", blanks[0][7:], "-l", blanks[0][7:], str(book), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert blank == [blanks[0][7:]]  # numbered, no footer text
