"""Build stage: orchestration. Reads as its pipeline, in order.

load -> validate -> for each edition: assemble + typeset every city (fit to its page
budget), the contents and the cover -> write each city's PDF and the book atomically
-> finish for print or screen -> preflight what was written.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from .assemble import BookTemplates, Edition
from .errors import Finding, FindingsError, UserError, has_errors, sort_findings
from .layouts import Layout, load_layout
from .models import Lang, ReportConfig
from .project import City, Project, load_project
from .typeset import Typesetter, find_overflow, notdef_chars
from .validate import check_project, strict

EditionName = Literal["print", "screen"]
ProgressHook = Callable[[str, int, int], None]
"""Called as ``hook(message, done, total)`` while a build runs."""


@dataclass
class BuildOptions:
    """What ``scireport build`` was asked to do."""

    out: Path = Path("build")
    """Output folder (relative paths are taken from the project folder)."""
    cities: list[str] = field(default_factory=list)
    """Slugs to build alone (their city PDFs only); empty builds the whole book."""
    editions: list[EditionName] = field(default_factory=lambda: ["print"])
    """Editions to write."""
    lang: Lang | None = None
    """Language of the edition; None uses ``scireport.yaml``'s ``lang``."""
    allow_overflow: bool = False
    """Let a city run past its page budget (with a warning) instead of failing."""
    strict: bool = False
    """Treat warnings as errors."""


@dataclass
class Output:
    """One PDF written by a build."""

    path: Path
    """Where it was written."""
    pages: int
    """Number of pages."""
    edition: str
    """``print`` or ``screen``."""
    kind: Literal["book", "city"]
    """The whole book or one city alone."""


@dataclass
class BuildResult:
    """What a build wrote and what it noticed."""

    outputs: list[Output]
    """Every PDF written, book first within an edition."""
    warnings: list[Finding]
    """Warnings that did not stop the build."""
    seconds: float
    """Wall time of the build."""


@dataclass
class RenderedCity:
    """A city typeset for one edition."""

    city: City
    """The city."""
    document: Any
    """Its WeasyPrint Document (exactly its budget of pages unless overflow is allowed)."""
    start_page: int
    """Book page number of its first page."""


def build(
    project_dir: Path | None, options: BuildOptions, progress: ProgressHook | None = None
) -> BuildResult:
    """Validate the project and write its editions; raise on any error, writing nothing bad."""
    started = time.perf_counter()
    project = load_project(project_dir)
    findings = check_project(project, placeholder_severity="error")
    if options.strict:
        findings = strict(findings)
    if has_errors(findings):
        raise FindingsError(
            "the project has errors; nothing was built", sort_findings(findings), project.root
        )
    config = project.config
    assert config is not None  # no errors means the settings validated
    layout = load_layout(project.root, config.layout)
    selected = _select(project, options.cities)
    out = options.out if options.out.is_absolute() else project.root / options.out
    typesetter = Typesetter(allowed=[project.root, *layout.dirs, layout.icc_profile])
    outputs: list[Output] = []
    warnings = [f for f in findings if f.severity == "warning"]
    for name in options.editions:
        edition = Edition(name=name, lang=options.lang or config.lang)
        target = _output_dir(out / name)
        book = BookBuilder(project, config, layout, edition, typesetter, progress)
        outputs += book.write(target, selected, options, warnings)
    return BuildResult(outputs, warnings, time.perf_counter() - started)


def _select(project: Project, slugs: list[str]) -> list[City]:
    if not slugs:
        return project.cities
    known = {c.slug: c for c in project.cities}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise UserError(
            f"no profile for city {', '.join(unknown)}; known: {', '.join(known)}", exit_code=2
        )
    return [known[s] for s in slugs]


def _output_dir(folder: Path) -> Path:
    try:
        (folder / "cities").mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UserError(
            f"cannot write to {folder}: {exc.strerror or exc}; choose another --out"
        ) from None
    return folder


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` then move ``tmp`` over ``path``; a failure leaves ``path`` as it was."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def build_timestamp() -> str:
    """ISO time for PDF metadata: ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class BookBuilder:
    """Typesets and writes one edition of the book."""

    def __init__(
        self,
        project: Project,
        config: ReportConfig,
        layout: Layout,
        edition: Edition,
        typesetter: Typesetter,
        progress: ProgressHook | None,
    ) -> None:
        self.project = project
        self.config = config
        self.layout = layout
        self.edition = edition
        self.typesetter = typesetter
        self.templates = BookTemplates(layout, config, edition, project.root)
        self.progress = progress or (lambda message, done, total: None)
        self.budget = layout.manifest.pages_per_city
        self.content_top = layout.manifest.page.margin_mm[0] * 96 / 25.4

    def render(self, html: str) -> Any:
        """Lay out one HTML document against the layout folder."""
        return self.typesetter.render(html, self.layout.root)

    def contents_pages(self) -> int:
        """Pages the table of contents takes, from the manifest's entries per page."""
        per_page = self.layout.manifest.toc_entries_per_page
        return max(1, math.ceil(len(self.project.cities) / per_page))

    def render_city(self, city: City, start_page: int) -> tuple[Any, Finding | None]:
        """Typeset one city at ``start_page``, padded to its budget; report an overflow."""
        assert city.profile is not None
        document = self.render(self.templates.city(city.slug, city.profile, start_page))
        overflow = find_overflow(document, city.slug, self.budget, self.content_top)
        if overflow is None and len(document.pages) < self.budget:
            fillers = self.budget - len(document.pages)
            html = self.templates.city(city.slug, city.profile, start_page, fillers)
            document = self.render(html)
        if overflow is None:
            return document, None
        from .checks.fit import overflow_finding

        severity = "warning" if self.allow_overflow else "error"
        return document, overflow_finding(city, overflow, severity)

    allow_overflow = False

    def write(
        self,
        target: Path,
        selected: list[City],
        options: BuildOptions,
        warnings: list[Finding],
    ) -> list[Output]:
        """Typeset and write this edition: each selected city, and the book when all are."""
        self.allow_overflow = options.allow_overflow
        whole_book = len(selected) == len(self.project.cities)
        chosen = {c.slug for c in selected}
        total = len(selected) + (2 if whole_book else 0)
        rendered: list[RenderedCity] = []
        errors: list[Finding] = []
        page = 2 + self.contents_pages()
        for city in self.project.cities:
            if city.slug not in chosen:
                page += self.budget
                continue
            self.progress(
                f"{self.edition.name}: {city.profile.city if city.profile else city.slug}",
                len(rendered),
                total,
            )
            document, problem = self.render_city(city, page)
            if problem is not None:
                (errors if problem.severity == "error" else warnings).append(problem)
            rendered.append(RenderedCity(city, document, page))
            page += len(document.pages)
        if self.typesetter.fetch_log.refused:
            refused = ", ".join(sorted(set(self.typesetter.fetch_log.refused)))
            raise UserError(
                f"the layout or a profile refers to files outside the project: {refused};"
                " copy them into the project (nothing was fetched or written)"
            )
        if errors:
            raise FindingsError(
                "content does not fit its page budget; nothing was written",
                errors,
                self.project.root,
            )
        outputs: list[Output] = []
        for item in rendered:
            path = target / "cities" / f"{item.city.slug}.pdf"
            self.progress(f"{self.edition.name}: writing {path.name}", len(outputs), total)
            outputs.append(self.write_pdf(path, item.document, item.document.pages, "city"))
        if whole_book:
            self.progress(f"{self.edition.name}: contents and cover", len(rendered), total)
            cover = self.render(self.templates.cover())
            contents = self.render(self.templates.contents(self.toc_entries(rendered), 2))
            pages = [*cover.pages, *contents.pages]
            for item in rendered:
                pages += item.document.pages
            self.progress(f"{self.edition.name}: writing report.pdf", len(rendered) + 1, total)
            outputs.insert(0, self.write_pdf(target / "report.pdf", cover, pages, "book"))
        return outputs

    def toc_entries(self, rendered: list[RenderedCity]) -> list[dict[str, Any]]:
        """Contents lines: one per city with its first page."""
        return [
            {
                "slug": item.city.slug,
                "name": item.city.profile.city if item.city.profile else item.city.slug,
                "native_name": item.city.profile.native_name if item.city.profile else None,
                "country": item.city.profile.country if item.city.profile else "",
                "page": item.start_page,
            }
            for item in rendered
        ]

    def write_pdf(self, path: Path, document: Any, pages: list[Any], kind: str) -> Output:
        """Write ``pages`` (metadata from ``document``) to ``path`` atomically."""
        book = document.copy(pages)
        meta = book.metadata
        meta.title = f"{self.config.title} {self.config.year}"
        meta.authors = list(self.config.organisations)
        meta.lang = self.edition.lang
        meta.created = meta.modified = build_timestamp()
        meta.generator = "scireport"
        messages: list[str] = []

        def write(tmp: Path) -> None:
            messages.extend(self.typesetter.write(book, tmp, **self.pdf_options()))
            missing = notdef_chars(messages)
            if missing:
                listing = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
                raise UserError(
                    f"{path.name}: characters with no glyph in the layout's fonts: {listing};"
                    " run scireport validate to find where they are"
                )

        write_atomically(path, write)
        return Output(path, len(pages), self.edition.name, "book" if kind == "book" else "city")

    def pdf_options(self) -> dict[str, Any]:
        """WeasyPrint write options for this edition."""
        if self.edition.name == "print":
            return {"pdf_variant": "pdf/x-4"}
        return {"pdf_variant": "pdf/ua-1"}
