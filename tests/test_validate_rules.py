"""One test per validation rule: a fixture that triggers it and the exact place asserted."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SEOUL_EXAMPLE, ProjectFactory
from ruleids import emitted_rule_ids

from scireport.checks.fit import overflow_finding
from scireport.errors import Finding
from scireport.project import load_project

Cli = Callable[..., Any]

VALID = """\
city: Seoul
country: The Republic of Korea
native_name: 서울
about:
  area_km2: 605
  population: 9500000
headline: 데이터로 움직이는 서울
body: 서울시는 통신망과 센서를 하나의 도시 플랫폼으로 묶고 있다.
sources:
  - Statistics Korea
"""
"""A minimal clean profile; tests replace or add lines to break one rule at a time."""


def run(cli: Cli, root: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    """Validate ``root`` without the page-fit check; return the exit code and findings."""
    result = cli("validate", "--project", root, "--no-layout", "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def only(findings: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    """The single finding of ``rule`` (fails, listing all findings, if not exactly one)."""
    hits = [f for f in findings if f["rule"] == rule]
    assert len(hits) == 1, findings
    return hits[0]


def place(finding: dict[str, Any]) -> tuple[str, int, int, str]:
    """(file, line, column, path) of a finding."""
    return finding["file"], finding["line"], finding["column"], finding["path"]


def check_rule(
    cli: Cli,
    make_project: ProjectFactory,
    content: str | bytes,
    rule: str,
    where: tuple[int, int, str],
    **config: Any,
) -> dict[str, Any]:
    """Write ``content`` as profiles/x.yaml, validate, and assert ``rule`` fires at ``where``."""
    root = make_project({"profiles/x.yaml": content}, **config)
    code, findings = run(cli, root)
    finding = only(findings, rule)
    assert place(finding) == ("profiles/x.yaml", *where)
    assert set(finding) == {"file", "line", "column", "path", "rule", "severity", "message"}
    if finding["severity"] == "error":
        assert code == 1
    return finding


# --- clean projects -------------------------------------------------------------------------


def test_minimal_profile_is_clean(cli: Cli, make_project: ProjectFactory) -> None:
    code, findings = run(cli, make_project({"profiles/seoul.yaml": VALID}))
    assert (code, findings) == (0, [])


def test_issue_seoul_example_validates_clean(cli: Cli, make_project: ProjectFactory) -> None:
    code, findings = run(cli, make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE}))
    assert (code, findings) == (0, [])


def test_repository_sample_project_validates_clean_with_layout(cli: Cli) -> None:
    result = cli("validate", "--project", REPO)
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.stdout


# --- YAML level ---------------------------------------------------------------------------


def test_yaml_bom(cli: Cli, make_project: ProjectFactory) -> None:
    check_rule(cli, make_project, b"\xef\xbb\xbf" + VALID.encode(), "yaml-bom", (1, 1, ""))


def test_yaml_encoding_points_at_the_bad_byte(cli: Cli, make_project: ProjectFactory) -> None:
    raw = VALID.replace("Seoul", "Se\udcffoul", 1).encode("utf-8", "surrogateescape")
    finding = check_rule(cli, make_project, raw, "yaml-encoding", (1, 9, ""))
    assert "0xff" in finding["message"]


def test_yaml_encoding_control_character(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("country: The", "country: \x07The")
    finding = check_rule(cli, make_project, content, "yaml-encoding", (2, 10, ""))
    assert "U+0007" in finding["message"]


def test_yaml_empty(cli: Cli, make_project: ProjectFactory) -> None:
    check_rule(cli, make_project, "# nothing yet\n\n", "yaml-empty", (1, 1, ""))


def test_yaml_tab_indentation(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("  population", "\tpopulation")
    check_rule(cli, make_project, content, "yaml-tab", (6, 1, ""))


def test_tab_inside_a_text_is_not_indentation(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("body: 서울시는", "body: |\n  서울시는\tㄱ\n \t\n  둘째")
    code, findings = run(cli, make_project({"profiles/x.yaml": content}))
    assert not [f for f in findings if f["rule"] == "yaml-tab"], findings


def test_yaml_syntax(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("  - Statistics Korea", "  - [Statistics Korea")
    finding = check_rule(cli, make_project, content, "yaml-syntax", (11, 1, ""))
    assert "started at line 10, column 5" in finding["message"]


def test_yaml_not_mapping(cli: Cli, make_project: ProjectFactory) -> None:
    check_rule(cli, make_project, "- Seoul\n- Busan\n", "yaml-not-mapping", (1, 1, ""))


def test_yaml_tag_refuses_python_objects(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("country: The", "country: !!python/object/apply:os.system [echo] #")
    finding = check_rule(cli, make_project, content, "yaml-tag", (2, 10, "country"))
    assert "python/object/apply:os.system" in finding["message"]


def test_yaml_duplicate_key_names_both_lines(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID + "city: Busan\n"
    finding = check_rule(cli, make_project, content, "yaml-duplicate-key", (11, 1, "city"))
    assert "line 1" in finding["message"]


def test_yaml_alias_bomb_fails_fast(cli: Cli, make_project: ProjectFactory) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    check_rule(cli, make_project, "\n".join(lines) + "\n", "yaml-alias-bomb", (1, 1, ""))


def test_yaml_too_large(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID + "# " + "x" * (1024 * 1024) + "\n"
    check_rule(cli, make_project, content, "yaml-too-large", (1, 1, ""))


def test_yaml_key_must_be_text(cli: Cli, make_project: ProjectFactory) -> None:
    check_rule(cli, make_project, VALID + "? [a, b]\n: 1\n", "yaml-key", (11, 3, ""))


def test_file_unreadable(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": VALID})
    (root / "profiles" / "folder.yaml").mkdir()
    code, findings = run(cli, root)
    finding = only(findings, "file-unreadable")
    assert place(finding) == ("profiles/folder.yaml", 1, 1, "")


# --- schema level -------------------------------------------------------------------------


def test_schema_required(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("headline: 데이터로 움직이는 서울\n", "")
    check_rule(cli, make_project, content, "schema-required", (1, 1, "headline"))


def test_schema_required_in_a_list_item(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID + "initiatives:\n  - text: 공공 와이파이\n"
    check_rule(cli, make_project, content, "schema-required", (12, 5, "initiatives[0].name"))


def test_schema_unknown_field_suggests(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("  population", "  popluation")
    finding = check_rule(
        cli, make_project, content, "schema-unknown-field", (6, 3, "about.popluation")
    )
    assert "did you mean 'population'?" in finding["message"]


def test_schema_unknown_language_in_text(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("body: 서울시는", "body:\n  de: 서울시는")
    finding = check_rule(cli, make_project, content, "schema-unknown-field", (9, 3, "body.de"))
    assert "ko, en" in finding["message"]


def test_schema_range(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("area_km2: 605", "area_km2: -605")
    check_rule(cli, make_project, content, "schema-range", (5, 13, "about.area_km2"))


def test_score_outside_the_index_scale(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID + "scores:\n  urban_openness: 7.5\n"
    finding = check_rule(
        cli, make_project, content, "data-out-of-scale", (12, 19, "scores.urban_openness")
    )
    assert "7.5" in finding["message"]


def test_schema_length(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("city: Seoul", 'city: ""')
    check_rule(cli, make_project, content, "schema-length", (1, 7, "city"))


def test_schema_enum_language(cli: Cli, make_project: ProjectFactory) -> None:
    finding = check_rule(cli, make_project, VALID + "lang: fr\n", "schema-enum", (11, 7, "lang"))
    assert "'fr'" in finding["message"]


def test_schema_pattern_slug(cli: Cli, make_project: ProjectFactory) -> None:
    finding = check_rule(
        cli, make_project, VALID + "slug: Seoul City\n", "schema-pattern", (11, 7, "slug")
    )
    assert "los-angeles" in finding["message"]


def test_schema_value_text_needs_a_language(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("headline: 데이터로 움직이는 서울", "headline: {}")
    check_rule(cli, make_project, content, "schema-value", (7, 11, "headline"))


def test_schema_type(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("population: 9500000", "population: many")
    check_rule(cli, make_project, content, "schema-type", (6, 15, "about.population"))


@pytest.mark.parametrize(
    ("field", "value", "line", "column"),
    [("email", "index-at-example.org", 2, 10), ("phone", "call us", 3, 10)],
)
def test_schema_config_contact(
    cli: Cli, make_project: ProjectFactory, field: str, value: str, line: int, column: int
) -> None:
    contact = {"email": "index@example.org", "phone": "+82 2 2123 0000", "place": "Seoul"}
    root = make_project({"profiles/seoul.yaml": VALID}, contact={**contact, field: value})
    code, findings = run(cli, root)
    finding = only(findings, "schema-value")
    assert place(finding) == ("scireport.yaml", line, column, f"contact.{field}")
    assert value in finding["message"]


# --- plausibility -------------------------------------------------------------------------


def test_sanity_density(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("area_km2: 605", "area_km2: 6.05")
    finding = check_rule(cli, make_project, content, "sanity-density", (6, 15, "about.population"))
    assert "km²" in finding["message"]


def test_sanity_share(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace(
        "  population: 9500000\n",
        "  population: 9500000\n  national_population: 51600000\n  national_share_pct: 40\n",
    )
    finding = check_rule(
        cli, make_project, content, "sanity-share", (8, 23, "about.national_share_pct")
    )
    assert "18.4%" in finding["message"]


def test_sanity_sum(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace(
        "  population: 9500000\n", "  population: 9500000\n  land_use_pct: {green: 60, homes: 50}\n"
    )
    check_rule(cli, make_project, content, "sanity-sum", (7, 17, "about.land_use_pct"))


def test_about_no_facts_is_a_warning(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("  area_km2: 605\n  population: 9500000\n", "  text: 서울은 수도다.\n")
    finding = check_rule(cli, make_project, content, "about-no-facts", (4, 1, "about"))
    assert finding["severity"] == "warning"


def test_sources_missing_is_a_warning(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("sources:\n  - Statistics Korea\n", "")
    finding = check_rule(cli, make_project, content, "sources-missing", (1, 1, "sources"))
    assert finding["severity"] == "warning"


def test_placeholder(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("headline: 데이터로 움직이는 서울", "headline: 'TODO: headline'")
    finding = check_rule(cli, make_project, content, "placeholder", (7, 11, "headline"))
    assert finding["severity"] == "warning"


def test_markdown_image_at_its_line_and_column(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace(
        "body: 서울시는 통신망과 센서를 하나의 도시 플랫폼으로 묶고 있다.\n",
        "body: |\n  서울시는 통신망과 센서를 묶고 있다.\n\n"
        "  지도를 보라: ![지도](images/seoul-map.png) 그리고 `![코드](x.png)` 는 글자다.\n",
    )
    finding = check_rule(cli, make_project, content, "markdown-image", (11, 11, "body"))
    assert finding["severity"] == "warning"
    assert "![지도](images/seoul-map.png) would print literally" in finding["message"]
    assert "images: [{path: images/seoul-map.png, caption: 지도}]" in finding["message"]


def test_markdown_image_in_an_editorial_text(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project(
        {"profiles/seoul.yaml": VALID, "texts/intro.md": "# 들어가며\n\n첫 문단.\n\n![](a.png)\n"},
        texts={"introduction": "texts/intro.md"},
    )
    code, findings = run(cli, root)
    finding = only(findings, "markdown-image")
    assert place(finding) == ("texts/intro.md", 5, 1, "")
    assert "a city profile's images:" in finding["message"]


# --- across profiles (the text checks are in test_cross.py) ---------------------------------


def test_cross_duplicate_slug(cli: Cli, make_project: ProjectFactory) -> None:
    busan = VALID.replace("city: Seoul", "city: Busan").replace("서울", "부산")
    root = make_project(
        {"profiles/seoul.yaml": VALID, "profiles/busan.yaml": busan + "slug: seoul\n"}
    )
    code, findings = run(cli, root)
    finding = only(findings, "cross-duplicate-slug")
    assert place(finding) == ("profiles/seoul.yaml", 1, 1, "")
    assert "profiles/busan.yaml" in finding["message"]


def test_cross_duplicate_city(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": VALID, "profiles/seoul-2.yaml": VALID})
    code, findings = run(cli, root)
    finding = only(findings, "cross-duplicate-city")
    assert place(finding) == ("profiles/seoul.yaml", 1, 7, "city")
    assert "profiles/seoul-2.yaml" in finding["message"]


# --- layout -------------------------------------------------------------------------------


def test_layout_error_is_a_finding(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/seoul.yaml": VALID}, layout="glossy")
    code, findings = run(cli, root)
    finding = only(findings, "layout-error")
    lines = (root / "scireport.yaml").read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("layout:"))
    assert place(finding) == ("scireport.yaml", line, 9, "layout")
    assert "glossy" in finding["message"]
    assert code == 1


def test_broken_layout_manifest_is_reported_not_raised(
    cli: Cli, make_project: ProjectFactory
) -> None:
    root = make_project({"profiles/seoul.yaml": VALID})
    manifest = root / "layouts" / "default" / "layout.yaml"
    text = manifest.read_text("utf-8").replace("pages_per_city: 2", "pages_per_city: 0")
    manifest.write_text(text, "utf-8")
    code, findings = run(cli, root)
    assert code == 1
    finding = only(findings, "schema-range")
    assert place(finding) == ("layouts/default/layout.yaml", 9, 17, "pages_per_city")


def test_fit_overflow_names_the_field(make_project: ProjectFactory) -> None:
    project = load_project(make_project({"profiles/seoul.yaml": VALID}))
    city = project.cities[0]
    finding = overflow_finding(city, "seoul--body-1", 1.4, 2, "error")
    assert (finding.line, finding.column, finding.path, finding.rule) == (
        8,
        7,
        "body",
        "fit-overflow",
    )
    assert "1.4 page" in finding.message and "Seoul" in finding.message


# --- output and exit codes ----------------------------------------------------------------


def test_strict_turns_warnings_into_errors(cli: Cli, make_project: ProjectFactory) -> None:
    content = VALID.replace("sources:\n  - Statistics Korea\n", "")
    root = make_project({"profiles/x.yaml": content})
    assert run(cli, root)[0] == 0
    code, findings = run(cli, root, "--strict")
    assert code == 1
    assert only(findings, "sources-missing")["severity"] == "error"


def test_human_output_shows_the_line_and_a_caret(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/x.yaml": VALID.replace("  population", "  popluation")})
    result = cli("validate", "--project", root, "--no-layout")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "profiles/x.yaml:6:3" in line)
    assert lines[at + 1].split("|", 1)[1] == "   popluation: 9500000"
    assert lines[at + 2].split("|", 1)[1] == "   ^"


def test_github_annotations(cli: Cli, make_project: ProjectFactory) -> None:
    root = make_project({"profiles/x.yaml": VALID.replace("  population", "  popluation")})
    result = cli("validate", "--project", root, "--no-layout", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "::error file=profiles/x.yaml,line=6,col=3,title=schema-unknown-field about.popluation::"
    )


def test_usage_errors_exit_2(cli: Cli, make_project: ProjectFactory, tmp_path: Path) -> None:
    root = make_project({"profiles/x.yaml": VALID})
    assert cli("validate", "--project", root, "--format", "xml").exit_code == 2
    assert cli("validate", "--project", tmp_path / "nowhere").exit_code == 2


def test_a_missing_text_file_is_found_at_its_path(cli: Cli, make_project: ProjectFactory) -> None:
    texts = {"introduction": {"ko": "texts/introduction.ko.md", "en": "texts/introduction.en.md"}}
    root = make_project(
        {"profiles/x.yaml": VALID, "texts/introduction.ko.md": "# 들어가며\n\n본문.\n"}, texts=texts
    )
    result = cli("validate", "-p", root, "--no-layout", "--format", "json")
    found = [str(Finding(**f)) for f in json.loads(result.output)]
    assert result.exit_code == 1
    assert [line.split(" ", 1)[1] for line in found] == [
        "texts.introduction.en: texts/introduction.en.md: no such file in the project;"
        " write it or correct the path [text-missing]"
    ]
    assert found[0].startswith("scireport.yaml:")


def test_a_text_file_over_the_limit_is_refused_at_its_path(
    cli: Cli, make_project: ProjectFactory
) -> None:
    texts = {"introduction": {"ko": "texts/introduction.ko.md"}}
    huge = "# 들어가며\n\n" + "본문. " * 60_000  # about 480 KB
    root = make_project({"profiles/x.yaml": VALID, "texts/introduction.ko.md": huge}, texts=texts)
    result = cli("validate", "-p", root, "--no-layout", "--format", "json")
    found = [str(Finding(**f)) for f in json.loads(result.output)]
    assert result.exit_code == 1
    assert [line.split(" ", 1)[1] for line in found] == [
        "texts.introduction.ko: texts/introduction.ko.md: over 262,144 bytes, far more than a"
        " section prints; shorten it, or split it into several sections' texts [text-too-large]"
    ]
    assert found[0].startswith("scireport.yaml:")
    built = cli("build", "-p", root)
    assert built.exit_code == 1 and "text-too-large" in built.output
    assert not (root / "build" / "print" / "report.pdf").exists()


# --- documentation ------------------------------------------------------------------------


def test_every_rule_is_documented() -> None:
    ids = set(emitted_rule_ids()[0])  # every id a finding of src/ can carry (tests/ruleids.py)
    assert {"yaml-tab", "schema-range", "cross-wrong-city", "glyph-missing", "data-path"} <= ids
    documented = set(
        re.findall(r"^### `([a-z-]+)`", (REPO / "docs" / "rules.md").read_text("utf-8"), re.M)
    )
    assert ids - documented == set(), "rules used in src but missing from docs/rules.md"
    assert documented - ids == set(), "rules documented in docs/rules.md but no longer used"
