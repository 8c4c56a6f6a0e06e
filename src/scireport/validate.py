"""Validate stage: run every check family over a loaded project and collect findings."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .checks import sanity
from .errors import Finding, FindingsError, UserError, sort_findings
from .project import CONFIG_NAME, Project, load_project

if TYPE_CHECKING:
    from .layouts import Layout


def check_project(
    project: Project, *, placeholder_severity: str = "warning"
) -> tuple[list[Finding], Layout | None]:
    """Run the checks that need no typesetting: YAML, schema, plausibility, across profiles,
    and, against the layout's manifest, images and glyphs.

    Returns the findings and the layout, loaded once for every stage after (None when it
    cannot load: that is then among the findings).
    """
    from . import data
    from .checks import cross

    findings = list(project.findings)
    for city in project.cities:
        if city.profile is None:
            continue
        findings += sanity.placeholders(city.doc, city.profile, severity=placeholder_severity)
        findings += sanity.plausibility(city.doc, city.profile)
    findings += cross.check(project)
    findings += data.join(project)[1]
    layout, problems = load_project_layout(project)
    findings += problems
    if layout is not None:
        from .checks import assets, glyphs, sections

        findings += assets.check(project, layout.manifest)
        findings += sections.check(project, layout.manifest)
        findings += glyphs.check(project, layout.manifest.fonts, layout.dirs)
    return findings, layout


def fit_findings(project: Project, layout: Layout) -> list[Finding]:
    """Lay out every valid city (print edition, nothing written) and report overflows."""
    from .assemble import BookTemplates
    from .checks.fit import overflow_finding
    from .data import report_data
    from .plan import Edition, EditionPlan
    from .typeset import find_overflow, typesetter_for

    config = project.config
    assert config is not None
    edition = Edition(name="print", lang=config.lang)
    out = project.root / "build"
    plan = EditionPlan(project, config, layout, edition, out, report_data(project))
    templates = BookTemplates(plan)
    typesetter = typesetter_for(plan.allowed)
    starts = plan.start_pages()
    findings = []
    for city in project.cities:
        if city.profile is None:
            continue
        html = templates.city(city.slug, city.profile, starts[city.slug])
        document = typesetter.render(html, layout.root)
        overflow = find_overflow(document, city.slug, plan.budget, plan.content_top)
        if overflow is not None:
            findings.append(
                overflow_finding(
                    city, overflow.first_id, overflow.extra_fraction, overflow.budget, "error"
                )
            )
    return findings


def load_project_layout(project: Project) -> tuple[Layout | None, list[Finding]]:
    """Load the project's layout; a layout that cannot load becomes findings, not an error."""
    if project.config is None:
        return None, []
    from .layouts import load_layout

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


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading and checking.

    Loading builds hundreds of thousands of small objects that all stay alive until the
    end; the collector would walk them again and again for nothing (about a third of the
    time of ``validate --no-layout`` on 500 profiles). Reference counting still frees
    everything that is dropped; cycles wait until the collector is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def strict(findings: list[Finding]) -> list[Finding]:
    """Turn every warning into an error (``--strict``)."""
    return [replace(f, severity="error") for f in findings]


def validate(
    project_dir: Path | None = None,
    paths: list[Path] | None = None,
    *,
    layout: bool = True,
    strict_mode: bool = False,
) -> list[Finding]:
    """Check the project's settings and profiles; return every finding, sorted."""
    with _no_gc_pauses():
        project = load_project(project_dir, paths)
        findings, loaded = check_project(project)
    if layout and loaded is not None and project.config is not None:
        findings += fit_findings(project, loaded)
    if strict_mode:
        findings = strict(findings)
    return sort_findings(findings)
