"""Validate stage: run every check family over a loaded project and collect findings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .checks import sanity
from .errors import Finding, sort_findings
from .project import Project, load_project


def check_project(project: Project, *, placeholder_severity: str = "warning") -> list[Finding]:
    """Run the checks that need no layout: YAML, schema, plausibility, across profiles."""
    from .checks import cross

    findings = list(project.findings)
    for city in project.cities:
        if city.profile is None:
            continue
        findings += sanity.placeholders(city.doc, city.profile, severity=placeholder_severity)
        findings += sanity.plausibility(city.doc, city.profile)
    findings += cross.check(project)
    return findings


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
    project = load_project(project_dir, paths)
    findings = check_project(project)
    if layout and project.config is not None:
        from .checks import fit

        findings += fit.check(project)
    if strict_mode:
        findings = strict(findings)
    return sort_findings(findings)
