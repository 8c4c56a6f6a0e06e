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
    assert (code, found) == (1, [("data-sheet", "data/scores.xlsx:None:None", "error")])
    assert "sheets: Other" in cli("validate", "-p", root, "--no-layout").output


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
    """data-empty, data-syntax, data-too-large, data-duplicate-column, data-range and
    index-not-declared, each alone and word for word as docs/rules.md shows them."""
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
            csv(HEADER, f"seoul,{FULL}", f"busan,{FULL}").encode() + b"x" * 21 * 1024 * 1024,
            ["data/scores.csv the table is over the 20,971,520-byte limit [data-too-large]"],
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
    # No population in the profiles, so that data-range is not also a data-conflict.
    profiles = {name: {**text, "about": {"area_km2": 605}} for name, text in PROFILES.items()}
    for table, expected in cases:
        root = make_project({**profiles, "data/scores.csv": table}, index=index_config())
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
