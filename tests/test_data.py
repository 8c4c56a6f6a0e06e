"""Data tables: every rule with its exact location, CSV and XLSX, and the bad-input paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import CONFIG, ProjectFactory

Cli = Any
AREAS = [a["id"] for a in CONFIG["index"]["areas"]]


def profile(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "city": name,
        "country": "Somewhere",
        "headline": "h",
        "body": "b",
        "about": {"population": 1000000},
        "sources": ["A census"],
        **extra,
    }


PROFILES = {
    "profiles/seoul.yaml": profile("Seoul"),
    "profiles/busan.yaml": profile("Busan"),
}


def index_config(**extra: Any) -> dict[str, Any]:
    return {**CONFIG["index"], "data": "data/scores.csv", **extra}


def findings(cli: Cli, root: Path) -> tuple[int, list[tuple[str, str, str]]]:
    """Exit code and (rule, location, severity) of every finding of validate --no-layout."""
    result = cli("validate", "-p", root, "--no-layout", "--format", "json")
    data = json.loads(result.output)
    places = []
    for f in data:
        where = (
            f"{f['file']}:{f['cell']}" if "cell" in f else f"{f['file']}:{f['line']}:{f['column']}"
        )
        places.append((f["rule"], where, f["severity"]))
    return result.exit_code, places


def csv(*rows: str) -> str:
    return "\n".join(rows) + "\n"


HEADER = "slug," + ",".join(AREAS)
FULL = ",".join(["4"] * len(AREAS))


def test_a_clean_table_gives_no_finding(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project(
        {**PROFILES, "data/scores.csv": csv(HEADER, f"seoul,{FULL}", f"busan,{FULL}")},
        index=index_config(),
    )
    assert findings(cli, root) == (0, [])


def test_each_table_rule_at_its_cell(cli: Cli, make_project: ProjectFactory) -> None:
    header = "slug,service_innovation,urban_inteligence,city"
    table = csv(
        header,
        "seoul,4.5,3,Seoul",  # line 2
        "seoul,4,4,Seoul",  # line 3: second row for seoul
        "tokio,4,4,Tokyo",  # line 4: unknown slug
        "busan,,4,Busan",  # line 5: blank score
        "incheon,x,,",  # line 6: unknown slug again
    )
    root = make_project({**PROFILES, "data/scores.csv": table}, index=index_config())
    code, found = findings(cli, root)
    assert code == 1
    assert ("data-unknown-column", "data/scores.csv:1:3", "error") in found
    assert ("data-duplicate-row", "data/scores.csv:3:1", "error") in found
    assert ("data-unknown-slug", "data/scores.csv:4:1", "error") in found
    assert ("data-blank-cell", "data/scores.csv:5:2", "warning") in found
    result = cli("validate", "-p", root, "--no-layout")
    assert "did you mean 'urban_intelligence'" in result.output
    assert "first at data/scores.csv:2:1" in result.output


def test_values_outside_the_scale_and_not_numbers(cli: Cli, make_project: ProjectFactory) -> None:
    table = csv("slug,service_innovation,urban_intelligence", "seoul,5.5,4,5", 'busan,4,"4,5"')
    root = make_project({**PROFILES, "data/scores.csv": table}, index=index_config())
    code, found = findings(cli, root)
    assert code == 1
    assert ("data-out-of-scale", "data/scores.csv:2:2", "error") in found
    assert ("data-not-number", "data/scores.csv:3:3", "error") in found
    assert "use a point for decimals" in cli("validate", "-p", root, "--no-layout").output


def test_header_without_slug(cli: Cli, make_project: ProjectFactory) -> None:
    table = csv("city,service_innovation", "Seoul,4")
    root = make_project({**PROFILES, "data/scores.csv": table}, index=index_config())
    assert findings(cli, root) == (1, [("data-no-slug", "data/scores.csv:1:1", "error")])


def test_a_city_with_no_row(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project(
        {**PROFILES, "data/scores.csv": csv(HEADER, f"seoul,{FULL}")}, index=index_config()
    )
    code, found = findings(cli, root)
    assert (code, found) == (1, [("data-missing-city", "data/scores.csv:None:None", "error")])
    assert "no row for busan (Busan)" in cli("validate", "-p", root, "--no-layout").output


def test_a_value_in_table_and_profile_has_one_source(
    cli: Cli, make_project: ProjectFactory
) -> None:
    seoul = (
        "city: Seoul\ncountry: Korea\nheadline: h\nbody: b\n"
        "scores:\n  service_innovation: 3.5\n  urban_intelligence: 4\n"
        "about: {population: 1000000}\nsources: [A census]\n"
    )
    table = csv("slug,service_innovation,urban_intelligence", "seoul,4.5,4", "busan,4,4")
    root = make_project(
        {**PROFILES, "profiles/seoul.yaml": seoul, "data/scores.csv": table},
        index=index_config(),
    )
    code, found = findings(cli, root)
    assert code == 1
    assert ("data-conflict", "profiles/seoul.yaml:6:23", "error") in found
    assert ("data-conflict", "profiles/seoul.yaml:7:23", "warning") in found  # the same value
    assert "4.5 in data/scores.csv:2:2" in cli("validate", "-p", root, "--no-layout").output


def test_profile_scores_must_name_declared_areas(cli: Cli, make_project: ProjectFactory) -> None:
    seoul = (
        "city: Seoul\ncountry: Korea\nheadline: h\nbody: b\nscores:\n  urban_inteligence: 4\n"
        "about: {population: 1000000}\nsources: [A census]\n"
    )
    root = make_project({"profiles/seoul.yaml": seoul})
    code, found = findings(cli, root)
    assert (code, found) == (1, [("index-unknown-area", "profiles/seoul.yaml:6:3", "error")])


def test_groups_name_known_cities(cli: Cli, make_project: ProjectFactory) -> None:
    groups = {"korea": {"label": "Korea", "cities": ["seoul", "pusan"]}}
    root = make_project(
        {**PROFILES, "data/scores.csv": csv(HEADER, f"seoul,{FULL}", f"busan,{FULL}")},
        index=index_config(groups=groups),
    )
    code, found = findings(cli, root)
    assert code == 1 and [f[0] for f in found] == ["index-unknown-city"]
    assert "did you mean 'busan'" in cli("validate", "-p", root, "--no-layout").output


def write_xlsx(path: Path, rows: list[list[Any]], sheet: str = "Scores") -> None:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def test_xlsx_findings_name_sheet_and_cell(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project(PROFILES, index=index_config(data="data/scores.xlsx"))
    write_xlsx(
        root / "data" / "scores.xlsx",
        [
            ["slug", "service_innovation", "urban_intelligence"],
            ["seoul", 4.5, 7],
            ["busan", "=1+2", None],
        ],
    )
    code, found = findings(cli, root)
    assert code == 1
    assert ("data-out-of-scale", "data/scores.xlsx:Scores!C2", "error") in found
    assert ("data-not-number", "data/scores.xlsx:Scores!B3", "error") in found
    assert ("data-blank-cell", "data/scores.xlsx:Scores!C3", "warning") in found
    output = cli("validate", "-p", root, "--no-layout").output
    assert "no stored result" in output and "Traceback" not in output


def test_an_xlsx_table_is_read_twice_only_for_formulas_without_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook is read again (for its formulas) only when a cell has no saved value."""
    from scireport.tables import read_table

    opened: list[bool] = []
    original = openpyxl.load_workbook

    def counting(*args: Any, **kwargs: Any) -> Any:
        opened.append(kwargs["data_only"])
        return original(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counting)
    plain, formula = tmp_path / "plain.xlsx", tmp_path / "formula.xlsx"
    write_xlsx(plain, [["slug", "service_innovation"], ["seoul", 4.5], ["busan", 3.1]])
    write_xlsx(formula, [["slug", "service_innovation"], ["seoul", 4.5], ["busan", "=1+2"]])
    assert not read_table(plain, "plain.xlsx").findings and opened == [True]
    opened.clear()
    table = read_table(formula, "formula.xlsx")
    assert opened == [True, False]
    assert [cell.value for cell in table.rows[1]] == ["busan", "=1+2"]


def test_xlsx_sheet_by_name(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project(PROFILES, index=index_config(data="data/scores.xlsx", sheet="Index"))
    write_xlsx(root / "data" / "scores.xlsx", [["slug"], ["seoul"]], sheet="Other")
    code, found = findings(cli, root)
    lines = (root / "scireport.yaml").read_text("utf-8").splitlines()
    line = lines.index("  sheet: Index") + 1
    assert (code, found) == (1, [("data-sheet", f"scireport.yaml:{line}:10", "error")])
    assert "(its sheets: 'Other')" in cli("validate", "-p", root, "--no-layout").output


@pytest.mark.parametrize(
    ("name", "content", "rule", "words"),
    [
        ("scores.xlsx", b"this is not a workbook", "data-unreadable", "not a spreadsheet"),
        ("scores.csv", "slug,city\nseoul,Séoul\n".encode("latin-1"), "data-encoding", "UTF-8"),
        ("scores.csv", "slug\nseoul\n".encode("utf-16"), "data-encoding", "UTF-16"),
        ("scores.txt", b"slug\n", "data-format", ".csv"),
    ],
)
def test_unreadable_tables_get_one_clear_message(
    cli: Cli, make_project: ProjectFactory, name: str, content: bytes, rule: str, words: str
) -> None:
    root = make_project(
        {**PROFILES, f"data/{name}": content}, index=index_config(data=f"data/{name}")
    )
    code, found = findings(cli, root)
    assert code == 1 and [f[0] for f in found] == [rule]
    output = cli("validate", "-p", root, "--no-layout").output
    assert words in output and "Traceback" not in output


def test_table_outside_the_project_is_not_read(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project(PROFILES, index=index_config(data="../secret.csv"))
    (root.parent / "secret.csv").write_text("slug\nroot:x:0:0\n", "utf-8")
    code, found = findings(cli, root)
    assert code == 1 and [f[0] for f in found] == ["data-path"]
    assert "root:x" not in cli("validate", "-p", root, "--no-layout").output


def test_a_build_with_table_errors_is_refused_and_writes_nothing(
    cli: Cli, make_project: ProjectFactory
) -> None:
    table = csv(HEADER, f"seoul,{FULL}", "busan,9" + ",4" * (len(AREAS) - 1))
    root = make_project({**PROFILES, "data/scores.csv": table}, index=index_config())
    result = cli("build", "-p", root)
    assert result.exit_code == 1
    assert "data/scores.csv:3:2" in result.output and "nothing was built" in result.output
    assert not (root / "build" / "print" / "report.pdf").exists()
    assert not (root / "build" / "data").exists()


def test_validating_one_file_reports_nothing_about_cities_not_loaded(
    cli: Cli, make_project: ProjectFactory
) -> None:
    groups = {"korea": {"label": "Korea", "cities": ["seoul", "busan"]}}
    root = make_project(
        {**PROFILES, "data/scores.csv": csv(HEADER, f"seoul,{FULL}", f"busan,{FULL}")},
        index=index_config(groups=groups),
        order=["busan"],
    )
    result = cli(
        "validate", root / "profiles" / "seoul.yaml", "-p", root, "--no-layout", "-f", "json"
    )
    assert (result.exit_code, json.loads(result.output)) == (0, [])


def test_human_output_points_at_the_csv_field(cli: Cli, make_project: ProjectFactory) -> None:
    table = csv("slug,service_innovation,urban_intelligence", 'seoul,"4",9', "busan,4,4")
    root = make_project({**PROFILES, "data/scores.csv": table}, index=index_config())
    output = cli("validate", "-p", root, "--no-layout").output
    assert "data/scores.csv:2:3" in output
    line, caret = [ln for ln in output.splitlines() if "|" in ln][:2]
    assert line.index('seoul,"4",9') + len('seoul,"4",') == caret.index("^")


def finding_lines(cli: Cli, root: Path, *args: str) -> tuple[int, list[str]]:
    """Exit code and every finding of validate --no-layout as the CLI prints it."""
    from scireport.errors import Finding

    result = cli("validate", "-p", root, "--no-layout", "--format", "json", *args)
    return result.exit_code, [str(Finding(**f)) for f in json.loads(result.output)]


def test_empty_broken_huge_and_odd_tables_give_the_documented_findings(
    cli: Cli, make_project: ProjectFactory
) -> None:
    """data-empty, data-syntax, data-duplicate-column, data-range and index-not-declared,
    each alone and word for word as docs/rules.md shows them (data-too-large: below)."""
    cases: list[tuple[str | bytes, list[str]]] = [
        ("\n", ["data/scores.csv the table is empty: add a header row [data-empty]"]),
        (
            csv(
                f"{HEADER},notes",
                f"seoul,{FULL},",
                f"busan,{FULL},",
                f'tokyo,{FULL},"{"B" * 140_000}"',
            ),
            [
                "data/scores.csv:4:1 the CSV file cannot be read here: field larger than field"
                " limit (131072) [data-syntax]"
            ],
        ),
        (
            csv(f"{HEADER},{AREAS[0]}", f"seoul,{FULL},4", f"busan,{FULL},4"),
            [
                f"data/scores.csv:1:{len(AREAS) + 2} column '{AREAS[0]}' appears twice:"
                " keep one [data-duplicate-column]"
            ],
        ),
        (
            csv(f"{HEADER},population", f"seoul,{FULL},9500000.5", f"busan,{FULL},0"),
            [
                f"data/scores.csv:{line}:{len(AREAS) + 2} population must be a whole number"
                f" above 0, got {value} [data-range]"
                for line, value in ((2, "9500000.5"), (3, "0"))
            ],
        ),
    ]
    # The profiles give a population: a cell data-range reports is not a data-conflict too.
    for table, expected in cases:
        root = make_project({**PROFILES, "data/scores.csv": table}, index=index_config())
        code, found = finding_lines(cli, root)
        assert (code, found) == (1, expected)
    # scores: is line 7 of the dumped profile (keys sorted)
    scores = {"profiles/seoul.yaml": profile("Seoul", scores={AREAS[0]: 4.5})}
    root = make_project({**PROFILES, **scores}, index=None)
    code, found = finding_lines(cli, root)
    assert code == 0
    assert found == [
        "profiles/seoul.yaml:7:1 scores: scores are given but scireport.yaml declares no"
        " index: add an index: section with its areas [index-not-declared]"
    ]


# The example project of docs/rules.md's "Index data": its scireport.yaml and table are read
# from the document itself, so that each line below is checked word for word as shown there.
RULES_MD = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text("utf-8")
INDEX_DATA = RULES_MD[RULES_MD.index("## Index data") : RULES_MD.index("## Translations")]


def _block(first_line: str) -> str:
    start = INDEX_DATA.index(first_line + "\n") + len(first_line) + 1
    return INDEX_DATA[start : INDEX_DATA.index("```", start)]


DOC_CONFIG = _block("# scireport.yaml")
DOC_SCORES = _block("# data/scores.csv")


NATIVE = {"Seoul": "서울", "Busan": "부산"}


def doc_profile(name: str, area: str, population: str) -> str:
    """A valid profile; ``population`` is on line 6 (the docs' data-conflict example)."""
    return (
        f"city: {name}\ncountry: The Republic of Korea\nnative_name: {NATIVE[name]}\nabout:\n"
        f"  area_km2: {area}\n  population: {population}\n  text: 대한민국의 도시.\n"
        "headline: 데이터로 움직이는 도시\nbody: 도시 데이터 플랫폼을 운영한다.\n"
        "sources:\n  - Statistics Korea, Population and Housing Census\n"
    )


def doc_project(make_project: ProjectFactory, files: dict[str, str] | None = None) -> Path:
    """The docs' example project, with ``files`` (path -> text) changed."""
    tree: dict[str, Any] = {
        "scireport.yaml": DOC_CONFIG,
        "profiles/seoul.yaml": doc_profile("Seoul", "605.2", "9500000"),
        "profiles/busan.yaml": doc_profile("Busan", "770", "3300000"),
        "data/scores.csv": DOC_SCORES,
    }
    tree.update(files or {})
    return make_project(tree)


def documented(lines: list[str]) -> list[str]:
    """``lines``, each of which docs/rules.md must show word for word."""
    for line in lines:
        assert line in INDEX_DATA, f"not in docs/rules.md: {line}"
    return lines


def config_with(old: str, new: str) -> str:
    assert DOC_CONFIG.count(old) == 1
    return DOC_CONFIG.replace(old, new)


def test_the_docs_example_project_is_clean(cli: Cli, make_project: ProjectFactory) -> None:
    assert finding_lines(cli, doc_project(make_project)) == (0, [])


def test_a_conflict_prints_numbers_as_written(cli: Cli, make_project: ProjectFactory) -> None:
    """Thousands grouped and every digit: :g printed 9.5e+06 against 9.4e+06, and 605.2
    against 605.2001 or 9500000 against 9500000.5 as the same number twice."""
    table = DOC_SCORES.replace("slug,city,", "slug,city,population,")
    table = table.replace("seoul,Seoul,", "seoul,Seoul,9400000,").replace(
        "busan,Busan,", "busan,Busan,,"
    )
    root = doc_project(make_project, {"data/scores.csv": table})
    assert finding_lines(cli, root) == (
        1,
        documented(
            [
                "profiles/seoul.yaml:6:15 about.population: 9,500,000 here, but 9,400,000 in"
                " data/scores.csv:2:3: a value has one source; remove it from the profile or"
                " correct the table [data-conflict]"
            ]
        ),
    )
    for profile_area, table_area, shown in (
        ("605.2", "605.2001", "605.2 here, but 605.2001 in"),
        ("9500000", "9500000.5", "9,500,000 here, but 9,500,000.5 in"),
    ):
        table = DOC_SCORES.replace("slug,city,", "slug,city,area_km2,")
        table = table.replace("seoul,Seoul,", f"seoul,Seoul,{table_area},")
        table = table.replace("busan,Busan,", "busan,Busan,,")
        root = doc_project(
            make_project,
            {
                "data/scores.csv": table,
                "profiles/seoul.yaml": doc_profile("Seoul", profile_area, "9500000"),
            },
        )
        code, found = finding_lines(cli, root)
        conflicts = [line for line in found if line.endswith("[data-conflict]")]
        assert code == 1
        assert conflicts == [
            f"profiles/seoul.yaml:5:13 about.area_km2: {shown} data/scores.csv:2:3: a value has"
            " one source; remove it from the profile or correct the table [data-conflict]"
        ]


def test_a_score_outside_the_scale_is_printed_with_its_digits(
    cli: Cli, make_project: ProjectFactory
) -> None:
    table = DOC_SCORES.replace("seoul,Seoul,4.5,", "seoul,Seoul,5.0000001,")
    root = doc_project(make_project, {"data/scores.csv": table})
    assert finding_lines(cli, root) == (
        1,
        ["data/scores.csv:2:3 5.0000001 is outside the scale 0 to 5 [data-out-of-scale]"],
    )


def test_a_cell_already_reported_is_not_compared_with_the_profile(
    cli: Cli, make_project: ProjectFactory
) -> None:
    """The profiles give a population and scores; each bad cell is one finding, not two."""
    table = DOC_SCORES.replace("slug,city,", "slug,city,population,")
    table = table.replace("seoul,Seoul,", "seoul,Seoul,9500000.5,")
    table = table.replace("busan,Busan,", "busan,Busan,0,")
    root = doc_project(make_project, {"data/scores.csv": table})
    assert finding_lines(cli, root) == (
        1,
        documented(
            [
                "data/scores.csv:2:3 population must be a whole number above 0, got 9500000.5"
                " [data-range]",
                "data/scores.csv:3:3 population must be a whole number above 0, got 0 [data-range]",
            ]
        ),
    )
    # a score out of scale, or not a number, that the profile also gives
    scores = "scores:\n  urban_intelligence: 4.5\n  smart_city_governance: 4.3\n"
    table = DOC_SCORES.replace("seoul,Seoul,4.5,4.3", "seoul,Seoul,45,n/a")
    root = doc_project(
        make_project,
        {
            "data/scores.csv": table,
            "profiles/seoul.yaml": scores + doc_profile("Seoul", "605.2", "9500000"),
        },
    )
    assert finding_lines(cli, root) == (
        1,
        [
            "data/scores.csv:2:3 45 is outside the scale 0 to 5 [data-out-of-scale]",
            "data/scores.csv:2:4 'n/a' is not a number [data-not-number]",
        ],
    )


def test_a_missing_city_is_told_what_works_and_it_works(
    cli: Cli, make_project: ProjectFactory
) -> None:
    """The advice of data-missing-city, followed, silences it and leaves the city unranked."""
    from scireport.data import report_data
    from scireport.project import load_project

    table = "".join(line + "\n" for line in DOC_SCORES.splitlines() if not line.startswith("busan"))
    root = doc_project(make_project, {"data/scores.csv": table})
    assert finding_lines(cli, root) == (
        1,
        documented(
            [
                "data/scores.csv no row for busan (Busan): add one with its scores; to leave the"
                " city unranked, add a row with the slug busan and blank scores"
                " [data-missing-city]"
            ]
        ),
    )
    (root / "data" / "scores.csv").write_text(table + "busan,Busan,,\n", "utf-8")
    assert finding_lines(cli, root) == (
        0,
        documented(
            [
                "data/scores.csv:3:3 busan has no score in any area: it is left unranked; fill"
                " its cells if the scores exist [data-blank-cell]"
            ]
        ),
    )
    index = report_data(load_project(root)).index
    assert index is not None
    ranks = {city.slug: city.rank for city in index.cities}
    assert ranks == {"seoul": 1, "busan": None}
    # one blank score of two: the index averages the other one, as the warning says
    (root / "data" / "scores.csv").write_text(table + "busan,Busan,,3.8\n", "utf-8")
    assert finding_lines(cli, root) == (
        0,
        [
            "data/scores.csv:3:3 busan has no urban_intelligence score: the index averages its"
            " other areas; fill the cell if the score exists [data-blank-cell]"
        ],
    )
    # a blank cell for a score the profile gives is no missing score
    scores = "scores:\n  urban_intelligence: 3.9\n"
    (root / "profiles" / "busan.yaml").write_text(
        scores + doc_profile("Busan", "770", "3300000"), "utf-8"
    )
    assert finding_lines(cli, root) == (0, [])


def test_a_sheet_that_is_not_there_is_found_at_its_setting(
    cli: Cli, make_project: ProjectFactory
) -> None:
    rows = [["slug", "city", "urban_intelligence", "smart_city_governance"]]
    rows += [["seoul", "Seoul", 4.5, 4.3], ["busan", "Busan", 3.9, 3.8]]
    xlsx = "  data: data/scores.xlsx\n"
    cases = [
        (
            xlsx + "  sheet: Scores 2025\n",
            "scireport.yaml:18:10 index.sheet: data/scores.xlsx has no sheet 'Scores 2025'"
            " (its sheets: 'Scores'): name one of them, or remove the sheet: line to read the"
            " first sheet [data-sheet]",
        ),
        (
            xlsx + "  previous:\n    year: 2021\n    data: data/scores.xlsx\n"
            "    sheet: Scores 2021\n",
            "scireport.yaml:21:12 index.previous.sheet: data/scores.xlsx has no sheet"
            " 'Scores 2021' (its sheets: 'Scores'): name one of them, or remove the sheet:"
            " line to read the first sheet [data-sheet]",
        ),
    ]
    for setting, expected in cases:
        root = doc_project(
            make_project, {"scireport.yaml": config_with("  data: data/scores.csv\n", setting)}
        )
        write_xlsx(root / "data" / "scores.xlsx", rows)
        assert finding_lines(cli, root) == (1, documented([expected]))


def test_a_table_too_large_is_found_at_its_path_with_advice(
    cli: Cli, make_project: ProjectFactory
) -> None:
    big = DOC_SCORES + "x" * 22_000_000
    root = doc_project(make_project, {"data/scores.csv": big})
    assert finding_lines(cli, root) == (
        1,
        documented(
            [
                "scireport.yaml:17:9 index.data: data/scores.csv is over the 20,971,520-byte"
                " limit, and a table of 50 cities is a few kilobytes: check that this is the"
                " right file, and keep in it only the index's rows and columns [data-too-large]"
            ]
        ),
    )


def test_a_folder_or_a_pipe_named_as_the_table_is_said_to_be_one(
    cli: Cli, make_project: ProjectFactory
) -> None:
    import os
    import threading

    root = doc_project(
        make_project, {"scireport.yaml": config_with("data: data/scores.csv", "data: data")}
    )
    assert finding_lines(cli, root) == (
        1,
        documented(
            [
                "scireport.yaml:17:9 index.data: data is a folder, not a table: name the table"
                " file in it (data/scores.csv) [data-path]"
            ]
        ),
    )
    root = doc_project(make_project, {"scireport.yaml": DOC_CONFIG})
    (root / "data" / "scores.csv").unlink()
    os.mkfifo(root / "data" / "scores.csv")
    result: list[tuple[int, list[str]]] = []
    worker = threading.Thread(target=lambda: result.append(finding_lines(cli, root)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "validate blocked on the FIFO"
    assert result == [
        (
            1,
            documented(
                [
                    "scireport.yaml:17:9 index.data: data/scores.csv is a named pipe (FIFO), not"
                    " a file: scireport reads a table only from a regular file; save the table"
                    " as a .csv or .xlsx file and name that file here [data-path]"
                ]
            ),
        )
    ]
    # the previous edition's table, and a folder without a table in it
    (root / "data" / "scores.csv").unlink()
    (root / "data" / "scores.csv").write_text(DOC_SCORES, "utf-8")
    (root / "old").mkdir()
    (root / "scireport.yaml").write_text(
        DOC_CONFIG + "  previous:\n    year: 2021\n    data: old\n", "utf-8"
    )
    assert finding_lines(cli, root) == (
        1,
        [
            "scireport.yaml:20:11 index.previous.data: old is a folder, not a table: name the"
            " table file in it (a .csv or .xlsx file) [data-path]"
        ],
    )


def test_a_figure_the_profile_leaves_out_comes_from_the_table(
    cli: Cli, make_project: ProjectFactory
) -> None:
    """What the README says of ABOUT numbers: the table fills what a profile leaves out, and
    a figure given in both, differing, is an error that refuses the build."""
    from scireport.assemble import city_context
    from scireport.data import report_data
    from scireport.layouts import load_layout
    from scireport.project import load_project

    table = DOC_SCORES.replace("slug,city,", "slug,city,population,")
    table = table.replace("seoul,Seoul,", "seoul,Seoul,9400000,").replace(
        "busan,Busan,", "busan,Busan,,"
    )
    no_population = doc_profile("Seoul", "605.2", "9500000").replace("  population: 9500000\n", "")
    root = doc_project(
        make_project, {"data/scores.csv": table, "profiles/seoul.yaml": no_population}
    )
    assert finding_lines(cli, root) == (0, [])
    project = load_project(root)
    seoul = next(city for city in project.cities if city.slug == "seoul")
    assert seoul.profile is not None
    labels = load_layout(root, "default").labels("en")
    data = report_data(project).cities["seoul"]
    facts = dict(city_context("seoul", seoul.profile, "en", labels, data)["facts"])
    assert facts[labels["population"]] == "9,400,000"
    # both give it, and they differ: the build is refused
    root = doc_project(make_project, {"data/scores.csv": table})
    result = cli("build", "-p", root)
    assert result.exit_code == 1 and "nothing was built" in result.output
    assert "9,500,000 here, but 9,400,000 in data/scores.csv:2:3" in result.output


def test_read_table_alone_names_a_folder_or_a_pipe_and_never_opens_it(tmp_path: Path) -> None:
    """read_table called without load_tables' check (or after a race) says the same."""
    import os

    from scireport.tables import read_table

    (tmp_path / "folder.csv").mkdir()
    os.mkfifo(tmp_path / "pipe.csv")
    for name, what in (
        ("folder.csv", "it is a folder"),
        ("pipe.csv", "it is a named pipe (FIFO)"),
        ("gone.csv", "no such file"),
    ):
        table = read_table(tmp_path / name, f"data/{name}")
        assert [str(f) for f in table.findings] == [
            f"data/{name} cannot read the table: {what} [data-unreadable]"
        ]
