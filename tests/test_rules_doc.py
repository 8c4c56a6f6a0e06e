"""docs/rules.md is generated from the rule registries, and the registries are complete."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from scireport.checks.rules import FAMILIES, VALIDATION_RULES
from scireport.preflight import RULES

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "scireport"


def test_docs_rules_md_is_up_to_date() -> None:
    render = runpy.run_path(str(REPO / "scripts" / "rules_doc.py"))["render"]
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == render(), (
        "docs/rules.md is stale: run python scripts/rules_doc.py"
    )


def test_every_pdf_rule_is_documented() -> None:
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    emitted = set(re.findall(r'"(pdf-[a-z-]+)"', _source(SRC / "preflight")))
    assert emitted == {unit.id for unit in RULES}
    for rule_id in emitted:
        assert f"| `{rule_id}` |" in text


def test_validation_rules_are_registered_once_in_a_known_family() -> None:
    ids = [rule.id for rule in VALIDATION_RULES]
    assert len(ids) == len(set(ids))
    titles = {family.title for family in FAMILIES}
    assert all(rule.family in titles and rule.doc.strip() for rule in VALIDATION_RULES)


def test_every_rule_id_a_check_emits_is_registered() -> None:
    registered = {rule.id for rule in VALIDATION_RULES}
    source = "\n".join(_source(path) for path in SRC.iterdir() if path.name not in ("preflight",))
    emitted = {
        found
        for found in re.findall(r'"([a-z]+(?:-[a-z]+)+)"', source)
        if found.split("-")[0] in {rule.split("-")[0] for rule in registered}
        and not found.startswith("pdf-")
    }
    assert emitted - registered == set()


def _source(path: Path) -> str:
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files if f.suffix == ".py")
