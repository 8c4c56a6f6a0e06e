"""docs/rules.md is generated from the rule registries, and the registries are complete."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from ruleids import HYPHENATED, NOT_RULE_IDS, emitted_rule_ids, string_literals

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
    emitted, unresolved = emitted_rule_ids()
    assert not unresolved, "rule arguments not made of literals:\n" + "\n".join(unresolved)
    missing = sorted(set(emitted) - registered)
    assert not missing, f"{len(missing)} ids emitted but not registered in checks/rules.py: " + (
        "; ".join(f"{rule} ({', '.join(sorted(emitted[rule]))})" for rule in missing)
    )
    assert registered - set(emitted) == set(), "registered, but no check emits them"


def test_every_hyphenated_literal_is_a_rule_id_or_declared_not_one() -> None:
    """A rule id stored where the emission trace does not look (a table of ids, say) is
    still caught: any hyphenated literal must be registered or listed in NOT_RULE_IDS."""
    registered = {rule.id for rule in VALIDATION_RULES}
    strays = {
        (value, where)
        for value, where in string_literals()
        if HYPHENATED.fullmatch(value) and value not in registered | set(NOT_RULE_IDS)
    }
    assert not strays, "neither registered nor in NOT_RULE_IDS: " + "; ".join(
        f"{value} ({where})" for value, where in sorted(strays)
    )
    used = {value for value, _ in string_literals()}
    assert set(NOT_RULE_IDS) - used == set(), "NOT_RULE_IDS lists strings src no longer has"


def _source(path: Path) -> str:
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files if f.suffix == ".py")
