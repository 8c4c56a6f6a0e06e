"""The index in built books: ranking pages, city pages with charts, published data."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import yaml
from conftest import copy_sample, start_pages

from scireport.build import BuildOptions, build

Cli = Any


def pdftext(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = ["-f", str(first), "-l", str(last or first)] if first else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def published(out: Path) -> list[dict[str, str]]:
    with (out / "data" / "index.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_ranking_pages_show_the_computed_index(built_sample: Path, sample_project: Path) -> None:
    starts = start_pages(sample_project)
    book = built_sample / "print" / "report.pdf"
    ranking = pdftext(book, starts["@ranking"])
    rows = published(built_sample)
    top = rows[0]
    assert top["rank"] == "1" and f"{float(top['index']):.2f}" in ranking
    assert top["city"].upper() in ranking
    # ties share a rank: every rank printed is a published rank
    ranks = [int(r["rank"]) for r in rows]
    assert ranks == sorted(ranks)
    for row in rows:
        assert row["city"].upper() in ranking
    leaders = pdftext(book, starts["@ranking"] + 1)
    assert "영역별 선도 도시" in leaders and "도시 지능" in leaders


def test_each_city_page_has_its_rank_and_chart(built_sample: Path, sample_project: Path) -> None:
    starts = start_pages(sample_project)
    rows = {r["slug"]: r for r in published(built_sample)}
    count = len(rows)
    for slug in ("seoul", "singapore"):
        text = pdftext(built_sample / "print" / "report.pdf", starts[slug], starts[slug] + 1)
        assert f"{count}개 도시 중 {rows[slug]['rank']}위" in text
        assert f"{float(rows[slug]['index']):.2f}" in text
        assert "서비스 혁신" in text  # area labels around the chart and in the table


def test_published_index_matches_the_table(built_sample: Path, sample_project: Path) -> None:
    rows = published(built_sample)
    table = {
        r["slug"]: r
        for r in csv.DictReader((sample_project / "data" / "scores.csv").open(encoding="utf-8"))
    }
    config = yaml.safe_load((sample_project / "scireport.yaml").read_text("utf-8"))
    areas = [a["id"] for a in config["index"]["areas"]]
    assert {r["slug"] for r in rows} == set(table)
    for row in rows:
        mean = sum(float(table[row["slug"]][a]) for a in areas) / len(areas)
        assert abs(float(row["index"]) - mean) < 0.006
    data = json.loads((built_sample / "data" / "index.json").read_text("utf-8"))
    assert [d["slug"] for d in data] == [r["slug"] for r in rows]
    assert {"rank_change", "previous_rank", "index_change"} <= set(data[0])


def test_print_edition_has_no_rgb_even_with_charts(built_sample: Path, cli: Cli) -> None:
    for pdf in [built_sample / "print" / "report.pdf", built_sample / "print" / "cities"]:
        files = sorted(pdf.glob("*.pdf")) if pdf.is_dir() else [pdf]
        result = cli("preflight", *files, "--format", "json")
        assert result.exit_code == 0, result.output
        assert "pdf-rgb" not in result.output
    with pikepdf.open(built_sample / "print" / "cities" / "seoul.pdf") as pdf:
        images = [
            x
            for page in pdf.pages
            for x in page.Resources.get("/XObject", {}).values()
            if x.get("/Subtype") == "/Image"
        ]
        assert not images, "the chart is vector paths, not a picture"
        drawn = b"".join(page.Contents.read_bytes() for page in pdf.pages)
        assert b"0.12 0.05 0 0 scn" in drawn  # the radar's area, in the layout's CMYK tint


def figures(pdf: pikepdf.Pdf) -> list[str]:
    """The /Alt of every Figure in the structure tree."""
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid)
            elif kids is not None:
                walk(kids)

    walk(pdf.Root.StructTreeRoot)
    return found


def test_screen_charts_are_tagged_figures_stating_the_values(built_three: Path) -> None:
    screen = built_three / "build" / "screen"
    with pikepdf.open(screen / "cities" / "seoul.pdf") as pdf:
        alts = [a for a in figures(pdf) if "레이더" in a]
    assert len(alts) == 1
    alt = alts[0]
    assert "서비스 혁신 4.20점" in alt and "평균" in alt
    with pikepdf.open(screen / "report.pdf") as pdf:
        assert sum("레이더" in a for a in figures(pdf)) == len(list(screen.glob("cities/*.pdf")))


def test_a_ninth_area_appears_everywhere_without_code(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "project", ("seoul", "amsterdam", "barcelona"))
    config = yaml.safe_load((root / "scireport.yaml").read_text("utf-8"))
    config["index"]["areas"].append(
        {"id": "digital_equity", "label": {"ko": "디지털 형평성", "en": "Digital Equity"}}
    )
    (root / "scireport.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    table = root / "data" / "scores.csv"
    lines = table.read_text("utf-8").splitlines()
    values = {"seoul": "4.9", "amsterdam": "3.1", "barcelona": "2.2"}
    lines = [lines[0] + ",digital_equity"] + [
        f"{ln},{values[ln.split(',')[0]]}" for ln in lines[1:]
    ]
    table.write_text("\n".join(lines) + "\n", "utf-8")
    build(root, BuildOptions(jobs=2))
    build(root, BuildOptions(jobs=1, editions=["screen"], cities=["seoul"]))
    out = root / "build"
    starts = start_pages(root)
    book = out / "print" / "report.pdf"
    assert "디지털 형평성" in pdftext(book, starts["@ranking"] + 1)  # leaders
    assert "디지털 형평성" in pdftext(book, starts["@methodology"])
    assert "디지털 형평성" in pdftext(book, starts["seoul"], starts["seoul"] + 1)
    rows = {r["slug"]: r for r in published(out)}
    assert rows["seoul"]["digital_equity"] == "4.9" and rows["seoul"]["digital_equity_rank"] == "1"
    with pikepdf.open(out / "screen" / "cities" / "seoul.pdf") as pdf:
        assert any("디지털 형평성 4.90점" in a for a in figures(pdf))


def test_an_index_of_two_areas_draws_bars_not_a_radar(tmp_path: Path) -> None:
    """A radar needs three spokes: with two areas each city page gets a bar chart, and the
    screen edition's figure says so."""
    root = copy_sample(tmp_path / "project", ("seoul", "amsterdam"))
    config = yaml.safe_load((root / "scireport.yaml").read_text("utf-8"))
    config["index"]["areas"] = config["index"]["areas"][:2]
    kept = [area["id"] for area in config["index"]["areas"]]
    (root / "scireport.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    for table in (root / "data").glob("*.csv"):  # this edition's and the previous one's
        rows = list(csv.DictReader(table.open(encoding="utf-8")))
        columns = [c for c in rows[0] if c in ("slug", "city", *kept)]
        with table.open("w", encoding="utf-8", newline="") as out_file:
            writer = csv.DictWriter(out_file, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    build(root, BuildOptions(jobs=1, editions=["screen"], cities=["seoul"]))
    with pikepdf.open(root / "build" / "screen" / "cities" / "seoul.pdf") as pdf:
        alts = figures(pdf)
    assert any(a.startswith("Seoul의 영역별 점수 막대 차트") for a in alts), alts
    assert not any("레이더" in a for a in alts)


def test_editing_one_cell_changes_the_index_pages_and_data(warm_three: Path) -> None:
    root = warm_three
    first = build(root, BuildOptions(jobs=1))
    assert (first.typeset, first.from_cache) == (0, 3 + 7)  # with the blank before the cities
    out = root / "build"
    before = {r["slug"]: r for r in published(out)}
    table = root / "data" / "scores.csv"
    lines = table.read_text("utf-8").splitlines()
    lines = [ln if not ln.startswith("barcelona,") else "barcelona,Barcelona," + ",".join(
        ["5.0"] * 8) for ln in lines]  # fmt: skip
    table.write_text("\n".join(lines) + "\n", "utf-8")
    again = build(root, BuildOptions(jobs=1))
    # the three cities (their averages moved), the ranking and the methodology's group
    # averages; not the cover, contents, introduction, blank page or back cover
    assert (again.typeset, again.from_cache) == (3 + 2, 5)
    after = {r["slug"]: r for r in published(out)}
    assert before["barcelona"]["rank"] != "1" and after["barcelona"]["rank"] == "1"
    assert after["barcelona"]["index"] == "5.0"
    ranking = pdftext(out / "print" / "report.pdf", start_pages(root)["@ranking"])
    assert ranking.index("BARCELONA") < ranking.index("SEOUL")
    unchanged = build(root, BuildOptions(jobs=1))
    assert unchanged.typeset == 0
