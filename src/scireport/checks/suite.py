"""Every check family that needs no typesetting, run over a loaded project.

Used by ``validate`` and by ``build`` (which refuses to run on any error).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import Finding, FindingsError, UserError
from ..models import Lang
from ..project import CONFIG_NAME, Project
from . import sanity

if TYPE_CHECKING:
    from ..layouts import Layout


def check_project(
    project: Project,
    *,
    placeholder_severity: str = "warning",
    langs: list[Lang] | None = None,
    translation_severity: str = "error",
) -> tuple[list[Finding], Layout | None]:
    """Run the checks that need no typesetting: YAML, schema, plausibility, across profiles,
    and, against the layout's manifest, images and glyphs.

    ``langs`` are the languages to be printed (default: the main one): a text missing in
    one of them is a ``missing-translation`` finding of ``translation_severity``.

    Returns the findings and the layout, loaded once for every stage after (None when it
    cannot load: that is then among the findings).
    """
    from .. import data
    from . import cross, translations

    findings = list(project.findings)
    for city in project.cities:
        if city.profile is None:
            continue
        severity = "warning" if city.profile.draft else placeholder_severity
        findings += sanity.placeholders(city.doc, city.profile, severity=severity)
        findings += sanity.plausibility(city.doc, city.profile)
        findings += sanity.markdown_image_findings(city.doc, city.profile)
    findings += cross.check(project)
    if project.config is not None:
        wanted = langs or [project.config.main_lang]
        findings += translations.check(project, wanted, translation_severity)
    findings += data.join(project)[1]
    layout, problems = load_project_layout(project)
    findings += problems
    if layout is not None:
        from . import assets, glyphs, sections

        findings += assets.check(project, layout.manifest)
        findings += sections.check(project, layout.manifest)
        findings += glyphs.check(project, layout.manifest.fonts, layout.dirs)
    return findings, layout


def load_project_layout(project: Project) -> tuple[Layout | None, list[Finding]]:
    """Load the project's layout; a layout that cannot load becomes findings, not an error."""
    if project.config is None:
        return None, []
    from ..layouts import load_layout

    try:
        return load_layout(project.root, project.config.layout), []
    except FindingsError as exc:
        return None, list(exc.findings)
    except UserError as exc:
        return None, [
            project.config_doc.finding(
                ("layout",),
                "layout-error",
                f"{exc.message}; fix the layout or set {CONFIG_NAME}'s layout: to one that exists",
            )
        ]


def strict(findings: list[Finding]) -> list[Finding]:
    """Turn every warning into an error (``--strict``)."""
    return [replace(f, severity="error") for f in findings]
