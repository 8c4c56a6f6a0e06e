"""Validate: every check over a loaded project, and the page fit from the build's typesetting.

``validate`` sits beside ``build``: its fit check typesets through the build's cache and
worker processes, so a warm cache makes it nearly free and a cold one warms the build.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .checks.suite import check_project, strict
from .errors import Finding, sort_findings
from .project import Project, languages_to_build, load_project

if TYPE_CHECKING:
    from .layouts import Layout


def fit_findings(project: Project, layout: Layout, jobs: int = 0) -> list[Finding]:
    """Typeset every valid city (print edition, into the build's cache) and report overflows.

    Cities already in the cache cost a lookup; the others are typeset in ``jobs`` worker
    processes and kept, so the next build finds them.
    """
    from .build import BookBuilder, BuildOptions, BuildResult
    from .checks.fit import overflow_finding
    from .data import report_data
    from .files import folder_lock
    from .plan import Edition, EditionPlan

    config = project.config
    assert config is not None
    edition = Edition(name="print", lang=config.main_lang)
    plan = EditionPlan(
        project, config, layout, edition, project.root / "build", report_data(project)
    )
    builder = BookBuilder(plan, BuildOptions(jobs=jobs), None)
    cities = [city for city in project.cities if city.profile is not None]
    with folder_lock(project.root / "build", wait=600):  # the cache is the build's: take turns
        jobs_ = builder.city_jobs(cities, plan.start_pages())
        entries = builder.typeset(jobs_, BuildResult([], [], 0))
    findings = []
    for city in cities:
        overflow = entries[city.slug].meta.get("overflow")
        if overflow:
            findings.append(
                overflow_finding(
                    city,
                    overflow["first_id"],
                    overflow["extra_fraction"],
                    overflow["budget"],
                    "error",
                )
            )
    return findings


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


def validate(
    project_dir: Path | None = None,
    paths: list[Path] | None = None,
    *,
    layout: bool = True,
    strict_mode: bool = False,
    langs: list[str] | None = None,
) -> list[Finding]:
    """Check the project's settings and profiles; return every finding, sorted.

    ``langs`` are the languages whose translations are checked (as ``build --lang`` takes
    them; default: the main language).
    """
    with _no_gc_pauses():
        project = load_project(project_dir, paths)
        wanted = languages_to_build(project.config, langs or [])
        findings, loaded = check_project(project, langs=wanted)
    if layout and loaded is not None and project.config is not None:
        findings += fit_findings(project, loaded)
    if strict_mode:
        findings = strict(findings)
    return sort_findings(findings)
