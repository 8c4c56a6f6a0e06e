"""Write docs/rules.md from the rule registries (validation rules and preflight's).

Usage: ``python scripts/rules_doc.py`` (rewrites docs/rules.md) or
``python scripts/rules_doc.py --check`` (exit 1 when docs/rules.md is stale).
"""

from __future__ import annotations

import sys
from pathlib import Path

from scireport.checks.rules import FAMILIES, INTRO, VALIDATION_RULES
from scireport.preflight import RULES

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"

PDF_INTRO = """## PDF checks (preflight)

`scireport preflight` and every `build` report these on the written PDFs, with the page
instead of the line. See "Sending it to the press" in the README for what they verify.
Each row is one check of preflight's registry (`src/scireport/preflight/rules/`); several
checks may share a rule id.

| rule | editions | severity | what it checks |
|---|---|---|---|
"""


def render() -> str:
    """The text of docs/rules.md."""
    parts = [INTRO]
    for family in FAMILIES:
        parts.append(f"## {family.title}\n{family.intro}")
        for rule in VALIDATION_RULES:
            if rule.family == family.title:
                parts.append(f"### `{rule.id}`{rule.note}\n{rule.doc}")
    parts.append(PDF_INTRO)
    for unit in RULES:
        editions = ", ".join(unit.editions)
        parts.append(f"| `{unit.id}` | {editions} | {unit.severity} | {unit.doc} |\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    """Rewrite docs/rules.md, or with ``--check`` only say whether it is up to date."""
    text = render()
    if "--check" in argv:
        if DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is stale: run python scripts/rules_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
