"""Sections: the layout's report-wide sections must find their templates and texts."""

from __future__ import annotations

from ..errors import Finding
from ..models import LANGS, LangText, LayoutManifest
from ..project import Project


def check(project: Project, manifest: LayoutManifest) -> list[Finding]:
    """Every editorial text ``texts:`` names is a file in the project.

    (A section whose text ``texts:`` does not name is left out of the book.)
    """
    config = project.config
    if config is None:
        return []
    findings = []
    for name, given in config.texts.items():
        paths = (
            [((name, lang), getattr(given, lang)) for lang in LANGS if getattr(given, lang)]
            if isinstance(given, LangText)
            else [((name,), given)]
        )
        for path, relative in paths:
            target = (project.root / relative).resolve()
            if not target.is_relative_to(project.root) or not target.is_file():
                findings.append(
                    project.config_doc.finding(
                        ("texts", *path),
                        "text-missing",
                        f"{relative}: no such file in the project; write it or correct the path",
                    )
                )
    return findings
