"""Build stage: orchestration. Reads as its pipeline, in order.

load -> validate -> for each edition: assemble every city's HTML (its page numbers are
known from the layout's page budget) -> typeset and write each city (worker processes,
content-addressed cache) -> cover and contents -> the book -> report.

The print book is stitched from the city PDFs with one copy of each font (see stitch.py).
The screen book is written by one WeasyPrint call over all pages, so that its PDF/UA
structure tree stays whole.
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

from .assemble import BookTemplates, Edition, printed_paragraphs
from .cache import Entry, PageCache, environment_key, forget_fonts
from .errors import Finding, FindingsError, UserError, has_errors, sort_findings
from .files import OutputLedger, Staging
from .finish import check_icc_profile, convert_image_to_cmyk, finish_print
from .layouts import Layout
from .models import Lang, LayoutManifest, ReportConfig
from .preflight import preflight
from .project import City, Project, load_project
from .sources import dotted
from .stitch import Bookmark, FontUnionCache, Link, stitch
from .typeset import (
    Overflow,
    PageTask,
    PdfMeta,
    render_to_budget,
    run_task,
    set_metadata,
    typesetter_for,
)
from .validate import check_project, strict

T = TypeVar("T")
R = TypeVar("R")
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
    jobs: int = 0
    """Worker processes for typesetting; 0 means one per core."""
    cache: bool = True
    """Reuse typeset pages from ``<out>/.cache`` when nothing they depend on changed."""
    marks: bool = False
    """Draw crop marks (outside the bleed) on the print edition."""
    pdf_x: Literal["4", "1a"] = "4"
    """PDF/X standard of the print edition."""
    pdf_a: bool = False
    """Write the screen edition as PDF/A-2a (archival, tagged) instead of PDF/UA-1."""


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
    written: bool = True
    """False when the file was already current and left as it was."""


@dataclass
class BuildResult:
    """What a build wrote and what it noticed."""

    outputs: list[Output]
    """Every PDF written, book first within an edition."""
    warnings: list[Finding]
    """Warnings that did not stop the build."""
    seconds: float
    """Wall time of the build."""
    typeset: int = 0
    """Documents typeset by this build."""
    from_cache: int = 0
    """Documents taken from the cache."""
    recovered: int = 0
    """Documents typeset again after a worker crashed or a cache entry was corrupt."""
    removed: int = 0
    """City PDFs removed because their city is no longer in the project."""
    collected: int = 0
    """Cache entries removed because no document of this whole-book build used them."""


def build(
    project_dir: Path | None, options: BuildOptions, progress: ProgressHook | None = None
) -> BuildResult:
    """Validate the project and write its editions; raise on any error, writing nothing bad."""
    started = time.perf_counter()
    forget_fonts()  # a --watch process sees fonts that changed since the last build
    project = load_project(project_dir)
    findings, layout = check_project(project, placeholder_severity="error")
    if options.strict:
        findings = strict(findings)
    if has_errors(findings):
        raise FindingsError(
            "the project has errors; nothing was built", sort_findings(findings), project.root
        )
    config = project.config
    assert config is not None and layout is not None  # no errors: both loaded
    if "print" in options.editions:
        check_icc_profile(layout.icc_profile)
    selected = _select(project, options.cities)
    out = options.out if options.out.is_absolute() else project.root / options.out
    options = replace(options, out=out)
    result = BuildResult([], [f for f in findings if f.severity == "warning"], 0.0)
    for name in options.editions:
        edition = Edition(name=name, lang=options.lang or config.lang)
        target = _output_dir(out / name)
        book = BookBuilder(project, config, layout, edition, options, progress)
        book.cache.sweep()
        book.write(target, selected, result)
    result.seconds = time.perf_counter() - started
    return result


def _select(project: Project, slugs: list[str]) -> list[City]:
    if not slugs:
        return project.cities
    known = {c.slug: c for c in project.cities}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise UserError(
            f"no profile for city {', '.join(unknown)}; known: {', '.join(known)}", exit_code=2
        )
    return [known[s] for s in dict.fromkeys(slugs)]


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


def build_timestamp() -> str:
    """ISO time for PDF metadata: ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Job:
    """A document to typeset unless the cache has it: its key, and how to make its task."""

    name: str
    """Anchor prefix (a city's slug), or '' / 'contents'."""
    key: str
    """Cache key."""
    task: Callable[[], PageTask]
    """Makes the task (assembling the HTML) when the document must be typeset."""

    @staticmethod
    def ready(task: PageTask) -> Job:
        """A job for a task made already (cover and contents: their HTML is their key)."""
        return Job(task.name, task.output.stem, lambda: task)


def parallel(
    function: Callable[[T], R], items: list[T], jobs: int, done: Callable[[T, R], None]
) -> int:
    """Run ``function`` on ``items`` in worker processes, calling ``done`` as each finishes.

    Runs in this process for a single item or ``jobs`` 1. An item whose worker died is run
    again here, so a crash costs time, never a page. Returns how many were run again.
    """
    workers = min(jobs or os.cpu_count() or 1, len(items))
    if workers <= 1:
        for item in items:
            done(item, function(item))
        return 0
    lost: list[T] = []
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(function, item): item for item in items}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool:
                lost.append(futures[future])
                continue
            done(futures[future], result)
    for item in lost:
        done(item, function(item))
    return len(lost)


@dataclass(frozen=True)
class FinishJob:
    """A staged PDF to finish for the press (print) and preflight, in a worker process."""

    staged: Path
    """The staged file."""
    final: str
    """Where it goes once every check has passed."""
    stamp: str
    """What it was made from (see ``BookBuilder.output_stamp``)."""
    shown: str
    """The final path as findings name it."""
    pages: int
    """Expected page count."""
    edition: str
    """``print`` or ``screen``."""
    manifest: LayoutManifest
    """The layout's manifest (page size, bleed, image limits)."""
    marks: bool
    """Draw crop marks."""
    title: str
    """Document title."""
    authors: tuple[str, ...]
    """Organisations."""
    lang: str
    """Document language."""


def finish_and_check(job: FinishJob) -> list[Finding]:
    """Finish a staged print PDF for the press, then preflight it; return the findings."""
    page = job.manifest.page
    if job.edition == "print":
        finish_print(
            job.staged,
            trim_mm=(page.width_mm, page.height_mm),
            bleed_mm=page.bleed_mm,
            marks=job.marks,
            title=job.title,
            authors=list(job.authors),
            lang=job.lang,
        )
    found = preflight(job.staged, edition=job.edition, manifest=job.manifest, pages=job.pages)
    return [replace(f, file=job.shown) for f in found]


class BookBuilder:
    """Typesets and writes one edition of the book."""

    def __init__(
        self,
        project: Project,
        config: ReportConfig,
        layout: Layout,
        edition: Edition,
        options: BuildOptions,
        progress: ProgressHook | None,
    ) -> None:
        self.project = project
        self.config = config
        self.layout = layout
        self.edition = edition
        self.options = options
        self.cache = PageCache(options.out / ".cache" / f"{edition.name}-{edition.lang}")
        self.templates = BookTemplates(layout, config, edition, project.root)
        self.progress = progress or (lambda message, done, total: None)
        self.budget = layout.manifest.pages_per_city
        self.content_top = layout.manifest.page.margin_mm[0] * 96 / 25.4
        self.image_folder = options.out / ".cache" / "cmyk"
        self.allowed = (project.root, *layout.dirs, layout.icc_profile, self.image_folder)
        self.environment = environment_key(layout.dirs, layout.manifest.fonts, [layout.icc_profile])
        self.timestamp = build_timestamp()

    # -- planning ---------------------------------------------------------------------

    def contents_pages(self) -> int:
        """Pages the table of contents takes, from the manifest's entries per page."""
        per_page = self.layout.manifest.toc_entries_per_page
        return max(1, math.ceil(len(self.project.cities) / per_page))

    def start_pages(self, pages: dict[str, int]) -> dict[str, int]:
        """Book page number of each city's first page (``pages``: known page counts)."""
        starts, page = {}, 2 + self.contents_pages()
        for city in self.project.cities:
            starts[city.slug] = page
            page += pages.get(city.slug, self.budget)
        return starts

    def pdf_options(self) -> dict[str, Any]:
        """WeasyPrint write options for this edition."""
        if self.edition.name == "print":
            return {"pdf_variant": f"pdf/x-{self.options.pdf_x}"}
        return {"pdf_variant": "pdf/a-2a" if self.options.pdf_a else "pdf/ua-1"}

    def task(self, name: str, html: str, budget: int, key: str | None = None) -> PageTask:
        """A typesetting task whose output goes to the cache slot of its key.

        Without ``key``, the key is made from the HTML itself (cover and contents).
        """
        options = self.pdf_options()
        if key is None:
            key = self.cache.key(html, self.environment, self.key_options(budget), [])
        return PageTask(
            name=name,
            html=html,
            base_dir=self.layout.root,
            allowed=self.allowed,
            budget=budget,
            content_top=self.content_top,
            output=self.cache.path(key).with_suffix(".part"),
            options=tuple(sorted(options.items())),
            meta=self.pdf_meta(),
        )

    def pdf_meta(self) -> PdfMeta:
        """The metadata every PDF of this edition carries."""
        title = f"{self.config.title} {self.config.year}"
        return PdfMeta(title, tuple(self.config.organisations), self.edition.lang, self.timestamp)

    def city_key(self, city: City, start: int) -> str:
        """Cache key of ``city`` typeset from page ``start``, from what its pages are made of.

        The profile's and the settings' text, the page number and the edition stand in for
        the HTML (the layout, fonts and versions are in the environment key), so that an
        unchanged city is found in the cache without assembling its HTML.
        """
        assert city.profile is not None
        images = [self.project.root / image.path for image in city.profile.images]
        inputs = [
            str(self.project.root),
            city.slug,
            city.doc.text,
            self.project.config_doc.text,
            start,
            self.edition.name,
            self.edition.lang,
        ]
        return self.cache.key(json.dumps(inputs), self.environment, self.key_options(), images)

    def key_options(self, budget: int | None = None) -> dict[str, Any]:
        """The options a typeset PDF depends on besides its content."""
        fixed = {"date": self.timestamp} if os.environ.get("SOURCE_DATE_EPOCH") else {}
        pages = self.budget if budget is None else budget
        return {**self.pdf_options(), **fixed, "budget": pages}

    def city_task(self, city: City, start: int, key: str | None = None) -> PageTask:
        """The task typesetting ``city`` from book page ``start`` (``key``: its cache key)."""
        assert city.profile is not None
        converted = {}
        if self.edition.name == "print":
            converted = {
                i.path: self.cmyk_image(self.project.root / i.path) for i in city.profile.images
            }
        html = self.templates.city(city.slug, city.profile, start, converted)
        expected = tuple(printed_paragraphs(city.profile, self.edition.lang))
        task = self.task(city.slug, html, self.budget, key=key or self.city_key(city, start))
        return replace(task, expected=expected)

    def city_jobs(self, cities: list[City], starts: dict[str, int]) -> list[Job]:
        """Typesetting jobs for ``cities``: keys now, HTML only for those not cached."""
        jobs = []
        for city in cities:
            key = self.city_key(city, starts[city.slug])
            jobs.append(Job(city.slug, key, partial(self.city_task, city, starts[city.slug], key)))
        return jobs

    def cmyk_image(self, source: Path) -> Path:
        """The print edition's copy of ``source``, converted to CMYK with the layout's profile."""
        digest = hashlib.sha256(source.read_bytes() + self.layout.icc_profile.read_bytes())
        target = self.image_folder / f"{digest.hexdigest()[:32]}.jpg"
        if not target.exists():
            self.image_folder.mkdir(parents=True, exist_ok=True)
            convert_image_to_cmyk(source, target, self.layout.icc_profile)
        return target

    # -- typesetting ------------------------------------------------------------------

    def typeset(self, jobs: list[Job], result: BuildResult) -> dict[str, Entry]:
        """Typeset ``jobs`` (cached ones are reused); return entries by job name."""
        entries: dict[str, Entry] = {}
        todo = []
        for job in jobs:
            entry = self.cache.lookup(job.key) if self.options.cache else None
            if entry is not None:
                entries[job.name] = entry
                result.from_cache += 1
            else:
                todo.append(job.task())
        result.recovered += len(self.cache.rebuilt_corrupt)
        self.cache.rebuilt_corrupt.clear()
        total = len(jobs)

        def done(task: PageTask, meta: dict[str, Any]) -> None:
            entries[task.name] = self.cache.store(
                task.output.stem, task.output, meta["pages"], meta
            )
            result.typeset += 1
            label = task.name or "contents"
            self.progress(
                f"{self.edition.name}: {label} ({result.from_cache} from cache)",
                len(entries),
                total,
            )

        if todo:
            self.cache.folder.mkdir(parents=True, exist_ok=True)
        result.recovered += parallel(run_task, todo, self.options.jobs, done)
        return entries

    def check(self, entries: dict[str, Entry], cities: list[City], result: BuildResult) -> None:
        """Fail on overflow, missing glyphs or refused files; keep allowed overflow as warning."""
        from .checks.fit import overflow_finding

        errors: list[Finding] = []
        refused = sorted({url for e in entries.values() for url in e.meta.get("refused", [])})
        if refused:
            raise UserError(
                "the layout or a profile refers to files outside the project:"
                f" {', '.join(refused)}; copy them into the project"
                " (nothing was fetched or written)"
            )
        missing = sorted({c for e in entries.values() for c in e.meta.get("notdef", [])})
        if missing:
            listing = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
            raise UserError(
                f"characters with no glyph in the layout's fonts: {listing};"
                " run scireport validate to find where they are (nothing was written)"
            )
        for city in cities:
            for label in entries[city.slug].meta.get("missing", []):
                errors.append(dropped_finding(city, label))
            overflow = entries[city.slug].meta.get("overflow")
            if overflow:
                severity = "warning" if self.options.allow_overflow else "error"
                finding = overflow_finding(city, Overflow(**overflow), severity)
                (errors if severity == "error" else result.warnings).append(finding)
        if errors:
            raise FindingsError(
                "the typeset pages have problems; nothing was written",
                errors,
                self.project.root,
            )

    # -- writing ----------------------------------------------------------------------

    def write(self, target: Path, selected: list[City], result: BuildResult) -> None:
        """Typeset and write this edition: each selected city, and the book when all are.

        Every new PDF is staged, finished for the press (print) and preflighted, in worker
        processes; only when none has an error are they moved over the previous ones. A PDF
        whose inputs have not changed since it was written is left as it is.
        """
        starts = self.start_pages({})
        entries = self.typeset(self.city_jobs(selected, starts), result)
        pages = {slug: entry.pages for slug, entry in entries.items()}
        if self.start_pages(pages) != starts:  # allowed overflow moved later cities
            starts = self.start_pages(pages)
            entries = self.typeset(self.city_jobs(selected, starts), result)
        self.check(entries, selected, result)
        staging = Staging()
        ledger = OutputLedger(self.cache.folder / "outputs.json")
        try:
            outputs, jobs = self.stage_cities(target, selected, entries, staging, ledger)
            checked: dict[str, list[Finding]] = {}

            def finished(job: FinishJob, findings: list[Finding]) -> None:
                checked[job.final] = findings

            parallel(finish_and_check, jobs, self.options.jobs, finished)
            if self.whole_book(selected):  # after the workers: they fork
                book, job = self.stage_book(target, entries, starts, staging, ledger, result)
                outputs.insert(0, book)
                if job is not None:
                    jobs.append(job)
                    finished(job, finish_and_check(job))
            # Files left as they were keep the findings their preflight had.
            for output in outputs:
                if not output.written:
                    record = ledger.records[str(output.path)]
                    checked[str(output.path)] = [Finding(**f) for f in record.findings]
            found = [f for o in outputs for f in checked[str(o.path)]]
            if self.options.strict:
                found = strict(found)
            if has_errors(found):
                raise FindingsError(
                    "preflight found problems in the PDFs; nothing was replaced",
                    sort_findings(found),
                    self.project.root,
                )
            staging.commit()
        finally:
            staging.discard()
        for job in jobs:
            findings = [f.as_dict() for f in checked[job.final]]
            ledger.record(Path(job.final), job.stamp, job.pages, findings)
        if self.whole_book(selected):  # cities gone from the project: their PDFs go too
            keep = {o.path for o in outputs}
            result.removed += ledger.remove_stale(target / "cities", keep)
            result.collected += self.cache.collect(self.cache.used)
        ledger.save()
        result.warnings += found
        result.outputs += outputs

    def whole_book(self, selected: list[City]) -> bool:
        """Is this build writing every city (and so the book)?"""
        return {c.slug for c in selected} == {c.slug for c in self.project.cities}

    def stage_cities(
        self,
        target: Path,
        cities: list[City],
        entries: dict[str, Entry],
        staging: Staging,
        ledger: OutputLedger,
    ) -> tuple[list[Output], list[FinishJob]]:
        """Stage each city's PDF that changed; return every city output and the new ones' jobs."""
        outputs, jobs = [], []
        for city in cities:
            final, entry = target / "cities" / f"{city.slug}.pdf", entries[city.slug]
            stamp = self.output_stamp(entry)
            current = ledger.current(final, stamp) is not None
            outputs.append(Output(final, entry.pages, self.edition.name, "city", not current))
            if current:
                continue  # written, finished and checked from this very entry before
            tmp = staging.new(final)
            shutil.copyfile(entry.pdf, tmp)
            name = city.profile.city if city.profile else city.slug
            jobs.append(self.finish_job(tmp, final, entry.pages, name, stamp))
        return outputs, jobs

    def stage_book(
        self,
        target: Path,
        entries: dict[str, Entry],
        starts: dict[str, int],
        staging: Staging,
        ledger: OutputLedger,
        result: BuildResult,
    ) -> tuple[Output, FinishJob | None]:
        """Stage the book unless it is current; return its output and its job (if staged)."""
        final = target / "report.pdf"
        cities = self.project.cities
        toc = self.toc(cities, starts)
        front = self.front_matter(toc, result)
        self.check_front(front)
        stamp = self.book_stamp([front[""], front["contents"], *(entries[c.slug] for c in cities)])
        record = ledger.current(final, stamp)
        if record is not None:
            return Output(final, record.pages, self.edition.name, "book", written=False), None
        tmp = staging.new(final)
        count = self.write_book(tmp, cities, entries, starts, front, toc)
        job = self.finish_job(tmp, final, count, None, stamp)
        return Output(final, count, self.edition.name, "book"), job

    def book_stamp(self, parts: list[Entry]) -> str:
        """What the book derives from: every part's cache entry and the finishing options."""
        digest = hashlib.sha256("".join(e.meta["sha256"] for e in parts).encode()).hexdigest()
        return f"{digest}:{self.options.marks}:{self.options.pdf_x}:{self.options.pdf_a}"

    def output_stamp(self, entry: Entry) -> str:
        """What a finished city PDF derives from: its cache entry and the finishing options."""
        return f"{entry.meta['sha256']}:{self.options.marks}:{self.options.pdf_x}"

    def finish_job(
        self, staged: Path, final: Path, pages: int, city: str | None, stamp: str
    ) -> FinishJob:
        """The finishing and preflight of a staged PDF that will become ``final``."""
        title = self.pdf_meta().title
        return FinishJob(
            staged=staged,
            final=str(final),
            stamp=stamp,
            shown=self.project.display(final),
            pages=pages,
            edition=self.edition.name,
            manifest=self.layout.manifest,
            marks=self.options.marks,
            title=f"{city} · {title}" if city else title,
            authors=tuple(self.config.organisations),
            lang=self.edition.lang,
        )

    def toc(self, cities: list[City], starts: dict[str, int]) -> list[dict[str, Any]]:
        """Contents lines: slug, names, country and first page of each city."""
        return [
            {
                "slug": c.slug,
                "name": c.profile.city if c.profile else c.slug,
                "native_name": c.profile.native_name if c.profile else None,
                "country": c.profile.country if c.profile else "",
                "page": starts[c.slug],
            }
            for c in cities
        ]

    def check_front(self, front: dict[str, Entry]) -> None:
        """Fail when cover or contents take other page counts than the page numbers assume."""
        manifest = f"layouts/{self.layout.manifest.name}/layout.yaml"
        if front[""].pages != 1:
            raise UserError(
                f"the cover takes {front[''].pages} pages; it must take one: shorten it in"
                f" layouts/{self.layout.manifest.name}/cover.html or its CSS"
            )
        planned = self.contents_pages()
        if front["contents"].pages != planned:
            per_page = self.layout.manifest.toc_entries_per_page
            raise UserError(
                f"the contents take {front['contents'].pages} pages but page numbers were"
                f" planned for {planned} ({per_page} entries per page,"
                f" toc_entries_per_page in {manifest}): set it to what one page holds"
            )

    def front_matter(self, toc: list[dict[str, Any]], result: BuildResult) -> dict[str, Entry]:
        """Typeset (or take from the cache) the cover and the contents."""
        cover = self.task("", self.templates.cover(), 0)
        contents = self.task("contents", self.templates.contents(toc, 2), 0)
        return self.typeset([Job.ready(cover), Job.ready(contents)], result)

    def write_book(
        self,
        path: Path,
        cities: list[City],
        entries: dict[str, Entry],
        starts: dict[str, int],
        front: dict[str, Entry],
        toc: list[dict[str, Any]],
    ) -> int:
        """Write the whole book (cover, contents, every city) to ``path``; return its pages."""
        self.progress(f"{self.edition.name}: writing report.pdf", len(cities), len(cities))
        if self.edition.name == "screen":
            return self.write_tagged_book(path, cities, starts, toc)
        parts = [front[""].pdf, front["contents"].pdf, *(entries[c.slug].pdf for c in cities)]
        first_page = {c.slug: starts[c.slug] - 1 for c in cities}
        links = [
            Link(1 + page, rect, first_page[anchor.removeprefix("city-")])
            for page, rect, anchor in front["contents"].meta.get("links", [])
            if anchor.removeprefix("city-") in first_page
        ]
        marks = [Bookmark(self.layout.labels(self.edition.lang).get("contents", "Contents"), 1)]
        marks += [
            Bookmark(c.profile.city if c.profile else c.slug, first_page[c.slug]) for c in cities
        ]
        # Unions are remembered per layout, fonts and fetched files: a changed font file
        # (the system's or the project's) never reuses a union made from the old one.
        fetched = sorted({(n, tuple(s)) for p in [*front.values(), *entries.values()]
                          for n, s in p.meta.get("fetched", {}).items()})  # fmt: skip
        key = hashlib.sha256(f"{self.environment}{fetched}".encode()).hexdigest()[:20]
        fonts = FontUnionCache(self.cache.folder / "fonts" / key)
        return stitch(
            parts,
            path,
            bookmarks=marks,
            links=links,
            font_cache=fonts,
            pdf_1_4=self.options.pdf_x == "1a",
        )

    def write_tagged_book(
        self, path: Path, cities: list[City], starts: dict[str, int], toc: list[dict[str, Any]]
    ) -> int:
        """Write the book with one WeasyPrint call, keeping its PDF/UA structure whole."""
        typesetter = typesetter_for(self.allowed)
        base = self.layout.root
        cover = typesetter.render(self.templates.cover(), base)
        documents = [typesetter.render(self.templates.contents(toc, 2), base)]
        for city in cities:
            documents.append(
                render_to_budget(typesetter, self.city_task(city, starts[city.slug]))[0]
            )
        pages = [*cover.pages, *(p for d in documents for p in d.pages)]
        book = cover.copy(pages)
        set_metadata(book, self.pdf_meta())
        typesetter.write(book, path, **self.pdf_options())
        return len(pages)


def watch(
    project_dir: Path | None,
    options: BuildOptions,
    report: Callable[[BuildResult | UserError], None],
    *,
    stop: Any = None,
    progress: ProgressHook | None = None,
) -> None:
    """Build, then build again on every saved change; report each result or user error.

    Runs until interrupted (or until the ``stop`` event is set). The process stays warm:
    WeasyPrint stays imported and typeset cities stay cached, so a one-profile edit costs
    one city's typesetting plus the stitching of the book.
    """
    import watchfiles

    from .project import find_root

    root = find_root(project_dir)
    out = (options.out if options.out.is_absolute() else root / options.out).resolve()

    def relevant(change: Any, path: str) -> bool:
        candidate = Path(path).resolve()
        return not candidate.is_relative_to(out) and not candidate.name.startswith(".")

    def once() -> None:
        try:
            report(build(root, options, progress))
        except UserError as exc:
            report(exc)

    once()
    for _changes in watchfiles.watch(root, watch_filter=relevant, stop_event=stop, debounce=50):
        once()


def dropped_finding(city: City, label: Any) -> Finding:
    """A finding for a paragraph of ``city`` that is nowhere on its typeset pages.

    ``label`` is what :func:`~.assemble.printed_paragraphs` gave the paragraph, (field path,
    paragraph number or None), as it comes back from the cache's JSON (lists for tuples).
    """
    raw_path, number = label if isinstance(label, list | tuple) and len(label) == 2 else ((), None)
    path = tuple(raw_path) if isinstance(raw_path, list | tuple) else ()
    field = dotted(path) or "a field"
    what = f"paragraph {number} of {field}" if number else field
    return city.doc.finding(
        path,
        "fit-dropped",
        f"{what} is not on the typeset pages: the layout hides or cuts it;"
        " check the template and CSS for this field",
    )
