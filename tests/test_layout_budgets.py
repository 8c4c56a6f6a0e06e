"""Section budgets: the default layout's ranking grows with the number of cities, and a
designer's bad budget is a finding in layout.yaml, at its line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, ProjectFactory

from scireport.assemble import BookTemplates
from scireport.data import report_data
from scireport.layouts import load_layout
from scireport.plan import Edition, EditionPlan
from scireport.project import load_project
from scireport.typeset import typesetter_for

sys.path.insert(0, str(REPO / "benchmarks"))
from workload import make_project as make_cities  # noqa: E402

MANIFEST = "layouts/default/layout.yaml"


def ranking_plan(root: Path) -> tuple[EditionPlan, Any]:
    """The print edition plan of the project at ``root`` and its ranking section."""
    project = load_project(root)
    assert project.config is not None
    layout = load_layout(project.root, project.config.layout)
    edition = Edition(name="print", lang=project.config.main_lang)
    plan = EditionPlan(
        project, project.config, layout, edition, root / "build", report_data(project)
    )
    return plan, next(s for s in plan.sections if s.name == "ranking")


@pytest.mark.parametrize(
    ("cities", "budget"),
    [
        (50, 3),  # the 2025 report: 34 + 16 rows, then the leaders
        pytest.param(34, 2, marks=pytest.mark.slow),  # a full first page
        pytest.param(35, 3, marks=pytest.mark.slow),  # one row over it
        pytest.param(74, 3, marks=pytest.mark.slow),  # 34 + 40: a full second page
        pytest.param(75, 4, marks=pytest.mark.slow),
    ],
)
def test_the_default_rankings_budget_is_the_pages_its_rows_take(
    tmp_path: Path, cities: int, budget: int
) -> None:
    """The ranking of ``cities`` cities, typeset with the default layout, takes exactly its
    budget: no overflow (the build would fail) and no padding (a blank page in the book)."""
    make_cities(tmp_path, cities, seed=3, body_chars=120)
    plan, ranking = ranking_plan(tmp_path)
    assert plan.rows == cities
    assert plan.section_budget(ranking) == budget
    html = BookTemplates(plan).section(ranking, plan.start_pages())
    pages = typesetter_for(plan.allowed).render(html, plan.layout.root).pages
    assert len(pages) == budget


def test_the_budget_follows_the_index_and_a_fixed_budget_stays(
    make_project: ProjectFactory,
) -> None:
    root = make_project()
    make_cities(root, 120, seed=5, body_chars=60)
    plan, ranking = ranking_plan(root)
    assert (ranking.rows_per_page, ranking.first_page_rows, ranking.extra_pages) == (40, 34, 1)
    assert plan.section_budget(ranking) == 1 + 3 + 1  # 34 + 40 + 40 + 6 rows, the leaders
    manifest = root / MANIFEST
    data = yaml.safe_load(manifest.read_text("utf-8"))
    entry = next(e for e in data["sections"] if isinstance(e, dict) and e["name"] == "ranking")
    for key in ("rows_per_page", "first_page_rows", "extra_pages"):
        del entry[key]
    entry["pages"] = 2
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    plan, ranking = ranking_plan(root)
    assert plan.section_budget(ranking) == 2  # the designer fixed it


def test_extra_pages_0_is_the_default_written_out_and_no_finding(
    make_project: ProjectFactory, cli: Any
) -> None:
    root = make_project()
    manifest = root / MANIFEST
    text = manifest.read_text("utf-8")
    manifest.write_text(
        text.replace("    text: introduction\n", "    text: introduction\n    extra_pages: 0\n", 1),
        "utf-8",
    )
    result = cli("validate", "--project", root, "--no-layout", "--format", "json")
    assert not [f for f in json.loads(result.stdout) if f["file"] == MANIFEST], result.output


def value_at(text: str, key: str, after: str) -> tuple[int, int]:
    """1-based line and column of the value of the first ``key:`` after ``after``."""
    index = text.index(f"{key}: ", text.index(after)) + len(key) + 2
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


@pytest.mark.parametrize(
    ("old", "new", "key", "rule", "words"),
    [
        (  # both a fixed and a following budget
            "    rows_per_page: 40 ",
            "    pages: 2\n    rows_per_page: 40 ",
            "rows_per_page",
            "schema-value",
            "keep one of them",
        ),
        (
            "    rows_per_page: 40 ",
            "    rows_per_page: 0 ",
            "rows_per_page",
            "schema-range",
            "greater than or equal to 1",
        ),
        (  # extra pages for a section whose budget is fixed
            "    text: introduction\n",
            "    text: introduction\n    extra_pages: 1\n",
            "extra_pages",
            "schema-value",
            "add rows_per_page",
        ),
        (  # the contents' pages come from toc_entries_per_page
            "  - name: contents\n",
            "  - name: contents\n    rows_per_page: 30\n",
            "rows_per_page",
            "schema-value",
            "toc_entries_per_page",
        ),
    ],
)
def test_a_bad_budget_is_a_finding_at_its_line_in_layout_yaml(
    make_project: ProjectFactory, cli: Any, old: str, new: str, key: str, rule: str, words: str
) -> None:
    root = make_project()
    manifest = root / MANIFEST
    text = manifest.read_text("utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    manifest.write_text(text, "utf-8")
    result = cli("validate", "--project", root, "--no-layout", "--format", "json")
    assert result.exit_code == 1, result.output
    [finding] = [f for f in json.loads(result.stdout) if f["file"] == MANIFEST]
    assert (finding["line"], finding["column"]) == value_at(text, key, new.splitlines()[0])
    assert finding["rule"] == rule and words in finding["message"], finding
    assert finding["path"].startswith("sections[") and finding["path"].endswith(f"].{key}")
