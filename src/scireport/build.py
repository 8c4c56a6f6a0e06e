"""Build stage: orchestration. Reads as its pipeline, in order.

load -> validate -> for each edition: assemble every city's HTML (its page numbers are
known from the layout's page budget) -> typeset and write each city (worker processes,
content-addressed cache) -> cover and contents -> the book -> report.

Both books are stitched from the cached part PDFs with one copy of each font (see
stitch.py); the screen book's parts are tagged, and their structure trees are merged into
one whole PDF/UA tree (see structure.py), so an unchanged city is never typeset again.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import importlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

from .assemble import BookTemplates, printed_paragraphs
from .cache import (
    Entry,
    ImageCache,
    PageCache,
    environment_key,
    forget_fonts,
    known_fonts,
    learn_fonts,
    refresh_fonts,
)
from .checks.fit import overflow_finding
from .checks.suite import check_project, load_project_layout, strict
from .data import ReportData, published_rows, report_data
from .errors import Finding, FindingsError, UserError, has_errors, sort_findings
from .files import OutputLedger, Staging, folder_lock, sweep_parts, write_atomically
from .finish import (
    check_icc_profile,
    convert_image_to_cmyk,
    finish_print,
    finish_screen,
    images_may_repeat,
    overprint_black_text,
    survey_images,
)
from .index import IndexResult
from .layouts import Layout
from .models import Lang, LayoutManifest
from .plan import CITIES, Edition, EditionPlan, section_key
from .preflight import preflight
from .preflight.store import FactsStore
from .preflight.store import now as facts_now
from .processes import forked, give_back_memory, parallel, settle
from .project import City, Project, languages_to_build, load_project
from .sources import dotted
from .stitch import Bookmark, KeptParts, Link, stitch
from .structure import TaggedBook, mark_untagged_as_artifacts, survey_structure
from .typeset import (
    BIG_DOCUMENT_PAGES,
    FONT_SUFFIXES,
    PageTask,
    PdfMeta,
    comparable,
    preload,
    run_task,
)

EditionName = Literal["print", "screen"]
E = TypeVar("E")
ProgressHook = Callable[[str, int, int], None]
"""Called as ``hook(message, done, total)`` while a build runs."""


@dataclass(frozen=True)
class ReadyPart:
    """One typeset part of the book (a city, section or blank page) as the page cache has it."""

    key: str
    """The plan's key: a city's slug, ``@name`` for a section, ``@blank-<page>``."""
    kind: Literal["section", "city", "blank"]
    """What it is."""
    name: str
    """The section's name or the city's slug ('' for a blank page)."""
    title: str | None
    """Its first bookmark, as the book's outline has it (the city's name as printed, a
    section's title), None when it has none (a back cover)."""
    start: int
    """Its first book page."""
    pages: int
    """How many pages it has."""
    pdf: Path
    """Its typeset PDF in the page cache (read it, never change it)."""
    sha256: str
    """SHA-256 of that PDF: what the part looks like."""


@dataclass(frozen=True)
class PagesReady:
    """Typeset pages ready to look at, before the edition's PDFs are finished and checked.

    Sent twice by a whole-book build: once its cities are typeset and checked (``whole``
    False: the selected cities only), then with every part of the book (``whole`` True),
    before the book is stitched. A build of chosen cities sends only the first.
    """

    edition: str
    """``print`` or ``screen``."""
    lang: str
    """The edition's language."""
    parts: list[ReadyPart]
    """The parts, in book order."""
    whole: bool
    """Every part of the book (True) or the typeset cities only."""
    finish: Callable[[Path], None] | None
    """Finishes a copy of a part's PDF in place as the edition's PDFs are finished (page
    boxes), so that it looks as its pages will in the book; None when nothing is done."""


PagesHook = Callable[[PagesReady], None]
"""Called with each :class:`PagesReady` of a build."""
WrittenHook = Callable[["Output"], None]
"""Told of each output the moment it is in place (``--watch``: the book a save changed)."""


@dataclass
class BuildOptions:
    """What ``scireport build`` was asked to do."""

    out: Path = Path("build")
    """Output folder (relative paths are taken from the project folder)."""
    cities: list[str] = field(default_factory=list)
    """Slugs to build alone (their city PDFs only); empty builds the whole book."""
    editions: list[EditionName] = field(default_factory=lambda: ["print"])
    """Editions to write."""
    langs: list[str] = field(default_factory=list)
    """Languages to build (``ko``, ``en``, ``all``); empty builds the main one (see
    :func:`languages_to_build`)."""
    allow_fallback: bool = False
    """Print a text missing in the language being built in another language (a warning)
    instead of refusing the build."""
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
    standalone: bool = False
    """Also write each city alone for the city itself: a short cover, pages numbered from 1
    (``DIR/<edition>/standalone/<slug>.pdf``)."""
    books_first: bool = False
    """Write each edition's book, replaced as soon as it passes preflight, before its city
    PDFs (what ``--watch`` does: the book a save changed is there soonest); editions
    written in one process write all their books first (see :func:`write_books`).
    Without it an edition's files are replaced together, or none of them."""
    warm: bool = False
    """This process builds again and again (``--watch``): the few cities an edit needs are
    typeset here, where WeasyPrint stays imported and warm, not in new workers that would
    each import it again; the fonts fontconfig knows are looked up again between builds
    (:func:`~.cache.refresh_fonts`, see :func:`watch`), not as each starts."""


@dataclass
class Output:
    """One PDF written by a build."""

    path: Path
    """Where it was written."""
    pages: int
    """Number of pages."""
    edition: str
    """``print`` or ``screen``."""
    kind: Literal["book", "city", "standalone"]
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
    published: list[Path] = field(default_factory=list)
    """The index's data files written for the web site (``data/index.csv``, ``.json``)."""
    left_out: list[str] = field(default_factory=list)
    """Slugs of the draft cities left out of the book."""


FACTS_SLACK_S = 1.0
"""How much older than a build's start a facts entry must be before that build may collect
it (file times come from a coarser clock than ``time.time()``)."""


def build(
    project_dir: Path | None,
    options: BuildOptions,
    progress: ProgressHook | None = None,
    ready: PagesHook | None = None,
    written: WrittenHook | None = None,
    writers: EditionWriters | None = None,
) -> BuildResult:
    """Validate the project and write its editions; raise on any error, writing nothing bad.

    ``ready`` is told of typeset pages as soon as they can be looked at (see
    :class:`PagesReady`); an exception it raises stops the build, writing nothing.
    ``written`` is told of each PDF as soon as it has replaced the previous one.
    ``writers`` are the warm processes of a build that runs again and again (``--watch``)
    that may write some of its editions (see :func:`write_books`).
    """
    started = time.perf_counter()
    if writers is not None and project_dir is not None:
        writers.look_ahead(project_dir, options)  # they typeset while this build checks
    # Fonts may have changed since the last build: a warm process looks them up again while
    # it checks the project (fontconfig's calls wait on other processes), others forget them.
    fonts = (
        threading.Thread(target=refresh_fonts, name="fonts", daemon=True) if options.warm else None
    )
    if fonts is not None:
        fonts.start()
    else:
        forget_fonts()
    everything = load_project(project_dir)
    langs = languages_to_build(everything.config, options.langs)
    findings, layout = check_apart(
        everything,
        apart=not options.warm and len(everything.cities) >= CHECKS_APART_CITIES,
        placeholder_severity="error",
        langs=langs,
        translation_severity="warning" if options.allow_fallback else "error",
    )
    project, set_aside = _buildable(everything, options.cities)
    findings = [replace(f, severity="warning") if f.file in set_aside else f for f in findings]
    if options.strict:
        findings = strict(findings)
    if has_errors(findings):
        if fonts is not None:
            fonts.join()
        raise FindingsError(
            "the project has errors; nothing was built", sort_findings(findings), project.root
        )
    if not options.warm:  # what the checks freed, before workers are forked (a warm
        give_back_memory()  # process forks few, and a full collection took it 23 ms)
    config = project.config
    assert config is not None and layout is not None  # no errors: both loaded
    if "print" in options.editions:
        check_icc_profile(layout.icc_profile)
    selected = _select(project, options.cities)
    out = project.root / options.out  # an absolute --out stays as it is
    options = replace(options, out=out)
    result = BuildResult([], [f for f in findings if f.severity == "warning"], 0.0)
    built = {c.slug for c in project.cities}
    result.left_out = [c.slug for c in everything.cities if c.slug not in built]
    data = report_data(project)
    if fonts is not None:
        fonts.join()  # (before the builders key their pages by the fonts' files)
    with folder_lock(out):  # one build at a time per output folder
        books = [
            edition_book(
                project, layout, data, Edition(name, lang), options, progress, ready, written
            )
            for lang in langs
            for name in options.editions
        ]
        try:
            for book, target in books:
                book.sweep(target)  # what a killed build staged and never moved into place
            write_books(books, selected, result, writers)
        finally:  # interrupted: the workers are dead, sweep what they were writing
            for book, target in books:
                book.sweep(target)
        if data.index is not None and not options.cities:
            result.published = publish_index(project, data.index, out / "data")
    result.seconds = time.perf_counter() - started
    return result


def edition_book(
    project: Project,
    layout: Layout,
    data: ReportData,
    edition: Edition,
    options: BuildOptions,
    progress: ProgressHook | None = None,
    ready: PagesHook | None = None,
    written: WrittenHook | None = None,
) -> tuple[BookBuilder, Path]:
    """The builder of one edition (and language) of a checked project, and its output folder
    (``<out>/print``, ``<out>/screen-en``...), made writable."""
    config = project.config
    assert config is not None  # a checked project
    folder = edition.name if edition.lang == config.main_lang else f"{edition.name}-{edition.lang}"
    target = _output_dir(options.out / folder)
    plan = EditionPlan(project, config, layout, edition, options.out, data)
    return BookBuilder(plan, options, progress, ready, written), target


CHECKS_APART_CITIES = 100
"""Cities from which a build (not a warm one) checks its project in a forked process."""


def check_apart(
    project: Project, *, apart: bool, **options: Any
) -> tuple[list[Finding], Layout | None]:
    """:func:`~.checks.suite.check_project` in a forked process (``apart``), its findings
    handed back.

    What the checks allocate stays in that process and goes with it: run here, they left
    30 MB of a 500-city project's memory in pieces this process could not give back (4 MB
    of a 50-city one), which the workers forked later then shared and the stitching sat on
    top of. The layout is loaded here again once the checks passed it. Not ``apart`` (a
    small project, or a process that builds again and again), or where processes cannot be
    forked, the checks run here.
    """
    if not apart or "fork" not in multiprocessing.get_all_start_methods():
        return check_project(project, **options)

    def run(sending: Any) -> None:
        try:
            findings, layout = check_project(project, **options)
            sending.send(("done", findings, layout is not None))
        except BaseException as exc:  # handed back whole: raised here
            sending.send(("failed", _portable(exc, "checks")))

    child, receiving = forked(run, "checks")
    try:
        reply = receiving.recv()
    except EOFError:  # it died: check here
        reply = None
    finally:
        receiving.close()
        child.join()
    if reply is None:
        return check_project(project, **options)
    if reply[0] == "failed":
        raise reply[1]
    _, findings, loaded = reply
    layout = load_project_layout(project)[0] if loaded else None
    if loaded and layout is None:  # changed since the checks loaded it: say why
        return check_project(project, **options)
    return findings, layout


FEW_TYPESET = 1
"""Documents typeset per core and edition up to which a build writes its editions at the
same time (see :func:`write_books`)."""


def few(documents: int, cores: int, editions: int) -> bool:
    """Are ``documents`` to typeset few enough for ``editions`` to be written at the same
    time, one process each (:data:`FEW_TYPESET` a core and edition)?"""
    return documents <= FEW_TYPESET * cores * editions


Books = list[tuple["BookBuilder", Path]]
"""Editions to write: each one's builder and its output folder."""


def write_books(
    books: Books, selected: list[City], result: BuildResult, writers: EditionWriters | None = None
) -> None:
    """Write every edition (and language) of the build: its book and its city PDFs.

    After an edit (a few documents to typeset, :data:`FEW_TYPESET` a core per edition)
    with two cores or more, the editions are written at the same time: each edition's
    writing is then mostly its book's stitching, which one process does alone. (A build
    that typesets more has as many city PDFs to finish, which the workers of one edition
    at a time keep every core busy with: at the same time, they took 3.3 s more CPU and
    95 MB more memory for W50's two editions.) This process writes the first group of
    editions, another process each further group (as many groups as cores).

    That other process is one of ``writers`` when the build has them (``--watch``): a warm
    process, which typesets its editions' cities itself, at the same time as this one
    typesets its own, and keeps its books' parts open from one build to the next. Else it
    is forked once this process has typeset every edition's cities (:func:`typeset_ahead`),
    with all that was loaded and typeset so far. Either tells this one of its progress and
    of each file it puts in place (``written``) as it goes, then hands back what it wrote
    and warned of, or its error, which is raised here once this process's own editions are
    written (this process's error comes first: every process finishes what it started, so
    no edition is left half replaced). One that died is written again here: a crash costs
    time, never a page. A build told of its typeset pages (``ready``, the preview) writes
    its editions one after the other.
    """
    options = books[0][0].options
    cores = options.jobs or os.cpu_count() or 1
    groups = edition_groups(books, cores)
    forks = "fork" in multiprocessing.get_all_start_methods()
    told = any(book.ready is not None for book, _ in books)
    apart = len(groups) >= 2 and forks and not told
    # One edition typesets its cities as it is written: it need not look them up first.
    several = len(books) > 1
    todo = [(book, job) for book, _ in books for job in book.uncached(selected)] if several else []
    if writers is not None and apart:
        writers.wanted = len(groups) - 1  # (started between builds: see EditionWriters)
        running = writers.running()
        if few(len(todo), cores, len(books)) and len(running) >= len(groups) - 1:
            share = max(1, cores // len(groups))  # each process typesets on its share
            for book, _ in books:
                book.options = replace(book.options, jobs=share)
            mine = {id(book) for book, _ in groups[0]}
            typeset_ahead([item for item in todo if id(item[0]) in mine], result)
            others = [
                EditionProcess(group, selected, result, writer=writer)
                for group, writer in zip(groups[1:], running, strict=False)
            ]
            _write_beside(others, groups[0], selected, result)
            return
    typeset_ahead(todo, result)
    if not apart or not few(result.typeset, cores, len(books)):
        write_group(books, selected, result)
        return
    others = [EditionProcess(group, selected, result) for group in groups[1:]]
    _write_beside(others, groups[0], selected, result)


def edition_groups(editions: list[E], cores: int) -> list[list[E]]:
    """The groups of ``editions`` (in the build's order) that are written at the same time,
    one a process, as many as ``cores`` (see :func:`write_books`): the first is the build's
    own, group n the n-th warm writer's."""
    return [editions[n::cores] for n in range(min(cores, len(editions)))]


def _write_beside(
    others: list[EditionProcess], books: Books, selected: list[City], result: BuildResult
) -> None:
    """Write ``books`` here while ``others`` write theirs; then take what they wrote."""
    try:
        write_group(books, selected, result)
    except BaseException as exc:
        for other in others:
            other.wait(interrupt=isinstance(exc, KeyboardInterrupt))
        raise
    for other in others:
        other.wait()
    for other in others:
        other.hand_back(result)


def write_group(books: Books, selected: list[City], result: BuildResult) -> None:
    """Write ``books`` one after the other (their books first, under books_first)."""
    options = books[0][0].options
    if options.books_first and not options.cities:
        for book, target in books:
            book.write(target, selected, result, parts="book")
        for book, target in books:
            book.write(target, selected, result, parts="cities")
    else:
        for book, target in books:
            book.write(target, selected, result)


KEPT: dict[Path, KeptParts] = {}
"""The parts each edition's book keeps open in a process that builds again and again
(:attr:`BuildOptions.warm`), by the edition's cache folder (see stitch.KeptParts)."""

BIG_BOOK_PAGES = 400
"""Pages from which an edition stitches its book after its city PDFs are finished and
checked, not while its workers do that: stitching and checking a 1,038-page book took this
process from 81 to 174 MB while a worker at 82 MB finished the cities (W50's 108 pages
gain 0.5 s by the overlap, W500's 1,038 lose 0.5 s of 74 without it)."""

COUNTS = ("typeset", "from_cache", "recovered", "removed", "collected")
"""The counters of a :class:`BuildResult` an edition's writing adds to."""


class EditionProcess:
    """Another process writing a group of editions for this build (see :func:`write_books`):
    forked for it, or one of the warm ``writer`` processes of ``--watch``."""

    def __init__(
        self,
        books: Books,
        selected: list[City],
        result: BuildResult,
        writer: EditionWriter | None = None,
    ) -> None:
        self.books = books
        self.selected = selected
        self.writer = writer
        self.reply: tuple[Any, ...] | None = None
        """What the process handed back: ``("done", outputs, warnings, counts)`` or
        ``("failed", error)``; None while it runs, or when it died."""
        self.hook_error: Exception | None = None
        """The first error a progress or written hook raised here (the listener reads on:
        a reply left unread would be taken for the next build's)."""
        if writer is None:
            run = partial(_write_and_reply, books, selected, result)
            self.process, receiving = forked(run, "edition writer")
        else:
            self.process, receiving = writer.process, writer.receiving
        request = writer.request(books, selected) if writer is not None else None
        self.listener = threading.Thread(
            target=self._listen, args=(receiving, request), daemon=True, name="edition listener"
        )
        self.listener.start()

    def _listen(self, receiving: Any, request: WriteRequest | None = None) -> None:
        """In this process: send a writer its ``request``, then pass on the other process's
        progress and written files until its reply."""
        if self.writer is not None and request is not None and not self.writer.send(request):
            return  # no reply will come (see hand_back)
        try:
            while True:
                try:
                    message = receiving.recv()
                except (EOFError, OSError):  # it died without a reply
                    return
                if message[0] not in ("progress", "written"):
                    self.reply = message
                    return
                book = self.books[message[1]][0]
                hook = book.progress if message[0] == "progress" else book.written
                try:
                    if hook is not None:
                        hook(*message[2])
                except Exception as exc:  # raised once the reply is in (see hand_back)
                    self.hook_error = self.hook_error or exc
        finally:
            if self.writer is None:  # a writer's pipe serves its next builds
                receiving.close()

    def wait(self, *, interrupt: bool = False) -> None:
        """Wait for the other process's reply, and for a forked one to end
        (``interrupt``: Ctrl-C it first, as a terminal would have)."""
        if interrupt and self.process.pid is not None and self.process.is_alive():
            with contextlib.suppress(OSError):
                os.kill(self.process.pid, signal.SIGINT)
        if self.writer is None:
            self.process.join()
        self.listener.join()

    def hand_back(self, result: BuildResult) -> None:
        """Add what the process wrote to ``result``, or raise its error; write the editions
        here if it died."""
        if self.reply is None:
            for book, target in self.books:
                book.sweep(target)
            write_group(self.books, self.selected, result)
            return
        if self.reply[0] == "failed":
            raise self.reply[1]
        if self.hook_error is not None:
            raise self.hook_error
        _, outputs, warnings, added = self.reply
        result.outputs += outputs
        said = {w for w in result.warnings if w.rule == "glyph-font-unusable"}
        result.warnings += [w for w in warnings if w not in said]  # another edition said it
        for name, n in zip(COUNTS, added, strict=True):
            setattr(result, name, getattr(result, name) + n)


def _write_and_reply(
    books: Books,
    selected: list[City],
    result: BuildResult,
    sending: Any,
    counted: Callable[[BuildResult], None] | None = None,
) -> None:
    """In another process: write ``books``, telling the build of progress and written files
    as it goes (through ``sending``), then send it what was written, or the error
    (``counted`` adds to the counts first)."""
    outputs, warnings = len(result.outputs), len(result.warnings)
    counts = [getattr(result, name) for name in COUNTS]
    for index, (book, _) in enumerate(books):
        book.progress = partial(_tell, sending, "progress", index)
        if book.written is not None:
            book.written = partial(_tell, sending, "written", index)
    try:
        write_group(books, selected, result)
        if counted is not None:
            counted(result)
        added = [getattr(result, name) - n for name, n in zip(COUNTS, counts, strict=True)]
        reply: tuple[Any, ...] = (
            "done", result.outputs[outputs:], result.warnings[warnings:], added,
        )  # fmt: skip
    except BaseException as exc:  # handed back whole: raised in the build's process
        names = ", ".join(book.edition.name for book, _ in books)
        reply = ("failed", _portable(exc, f"writing the {names} edition"))
    sending.send(reply)


@dataclass(frozen=True)
class WriteRequest:
    """What a warm writer is asked to write: the checked project, and which editions."""

    project: Project
    """The project as this build loaded and checked it."""
    layout: Layout
    """Its layout."""
    data: ReportData
    """The index data of the report."""
    editions: tuple[Edition, ...]
    """The editions (and languages) to write, in order."""
    options: BuildOptions
    """The build's options (``out`` absolute)."""
    cities: tuple[str, ...]
    """The slugs of the selected cities."""
    written: bool
    """Whether the build is told of each file put in place."""
    fonts: dict[str, tuple[str, ...]]
    """The font files the build found for each family (:func:`~.cache.known_fonts`)."""


class EditionWriter:
    """A warm process that writes editions for a build that runs again and again
    (``--watch``), one request a build: forked between builds, it keeps what it loaded,
    imported and opened (its books' parts: :data:`KEPT`) from one request to the next."""

    def __init__(self) -> None:
        requests, self.requests = multiprocessing.Pipe(duplex=False)
        self.process, self.receiving = forked(partial(_serve, requests), "edition writer")
        requests.close()

    def request(self, books: Books, selected: list[City]) -> WriteRequest:
        """The request to write ``books`` (the build's builders for them), which the build
        sends (:meth:`send`); the build lets go of their kept parts now (the writer reads
        them from now on, see :func:`_serve`)."""
        first = books[0][0]
        for book, _ in books:
            kept = KEPT.pop(book.plan.cache_folder, None)
            if kept is not None:
                kept.close()
        return WriteRequest(
            first.project, first.layout, first.plan.data,
            tuple(book.edition for book, _ in books), first.options,
            tuple(city.slug for city in selected), first.written is not None, known_fonts(),
        )  # fmt: skip

    def send(self, request: WriteRequest) -> bool:
        """Send ``request``; False when it cannot be (the writer died, or the request would
        not pickle), the writer then ended: the build writes those editions itself.

        Sent from the listener thread: the pipe holds less than a request, and a writer
        typesetting ahead of the checks reads it only once that is done."""
        try:
            self.requests.send(("write", request))
        except Exception:  # noqa: BLE001 (see above)
            self.close()
            return False
        return True

    def look_ahead(self, root: Path, options: BuildOptions, group: int) -> None:
        """Tell the writer a build of ``root`` has started, whose editions' group number
        ``group`` it may be asked to write (see :func:`_typeset_ahead_of_checks`)."""
        with contextlib.suppress(OSError):  # it died: the build finds out when it asks
            self.requests.send(("ahead", root, options, group))

    def alive(self) -> bool:
        """Is the process still running?"""
        return bool(self.process.is_alive())

    def close(self) -> None:
        """Ask the process to end and wait for it (a few seconds, then it is killed)."""
        with contextlib.suppress(OSError):
            self.requests.send(None)
        self.requests.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.receiving.close()


def _serve(requests: Any, sending: Any) -> None:
    """In a warm writer: write what each request asks, until told to stop (None), the build
    is gone, or Ctrl-C.

    The writer starts with the parts the build kept open (:data:`KEPT`, forked with it):
    the build lets go of an edition's as it first asks the writer for that edition, so
    that no two processes read one part's file (whose offset they share) at once."""
    ahead: dict[Path, set[str]] = {}  # what it typeset as the build started, by cache folder
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the build ends, and so does this
        while True:
            try:
                request = requests.recv()
            except (EOFError, OSError):  # the build is gone
                return
            if request is None:
                return
            if request[0] == "ahead":
                ahead = _typeset_ahead_of_checks(*request[1:])
                continue
            _answer(request[1], sending, ahead)
            ahead = {}
            settle()


def _answer(request: WriteRequest, sending: Any, ahead: dict[Path, set[str]]) -> None:
    """In a warm writer: write what ``request`` asks and reply (see :func:`_write_and_reply`);
    an error in making its builders is the reply too. The pages typeset ahead of the
    checks (``ahead``: cache entries by cache folder) are taken from the cache and counted
    as typeset by this build when it uses them."""
    try:
        learn_fonts(request.fonts)  # the build's, looked up as it checked the project
        books = [
            edition_book(request.project, request.layout, request.data, edition,
                         request.options, written=_nothing if request.written else None)
            for edition in request.editions
        ]  # fmt: skip
        known = {city.slug: city for city in request.project.cities}
        selected = [known[slug] for slug in request.cities]
    except Exception as exc:
        sending.send(("failed", _portable(exc, "preparing the editions")))
        return
    for book, _ in books:
        book.ahead = ahead.get(book.plan.cache_folder, set())

    def counted(result: BuildResult) -> None:
        result.typeset += sum(len(book.ahead & book.cache.used) for book, _ in books)

    _write_and_reply(books, selected, BuildResult([], [], 0.0), sending, counted)


AHEAD_SUFFIX = ".ahead"
"""What a page typeset ahead of the checks is written as before it joins the cache (not
``.part``: the build sweeps those from the cache as it takes its lock)."""


def _typeset_ahead_of_checks(root: Path, options: BuildOptions, group: int) -> dict[Path, set[str]]:
    """In a warm writer, as a build starts: typeset the cities its editions' caches lack
    (group number ``group`` of the build's editions, see :func:`write_books`), while the
    build loads and checks the project; return the cache entries made, by cache folder.

    The writer would otherwise wait for the checks (0.06 s of a W50 save) before it
    typeset its city. Only a few are typeset (:data:`FEW_TYPESET` a core and edition, as
    :func:`write_books` asks of a writer), into the page cache alone, which is keyed by
    everything a page is made of: a project the checks refuse costs CPU, never a page. A
    best effort: a project this cannot read is left to the build to report.
    """
    made: dict[Path, set[str]] = {}
    try:
        project, _ = _buildable(load_project(root), options.cities)
        layout, _ = load_project_layout(project)
        if project.config is None or layout is None:
            return made
        cores = options.jobs or os.cpu_count() or 1
        langs = languages_to_build(project.config, options.langs)
        editions = [Edition(name, lang) for lang in langs for name in options.editions]
        groups = edition_groups(editions, cores)
        selected = _select(project, options.cities)
        if group >= len(groups) or any(city.profile is None for city in selected):
            return made
        out = replace(options, out=project.root / options.out)
        data = report_data(project)
        books = [edition_book(project, layout, data, e, out)[0] for e in groups[group]]
        todo = [(book, job) for book in books for job in book.uncached(selected)]
        if not few(len(todo), cores, len(books)):
            return made
        for book in books:  # what a writer killed while it typeset ahead left
            for leftover in book.cache.folder.glob(f"*{AHEAD_SUFFIX}"):
                leftover.unlink(missing_ok=True)
        for book, job in todo:
            slot = book.cache.path(job.key)
            produced = slot.with_suffix(AHEAD_SUFFIX)
            meta = TYPESETTERS[book.edition.name](replace(job.task(), output=produced))
            book.cache.store(slot.stem, produced, meta["pages"], meta)
            made.setdefault(book.plan.cache_folder, set()).add(slot.stem)
    except Exception:  # noqa: BLE001 (see above: the build reports what is wrong)
        return made
    return made


def _nothing(*_: Any) -> None:
    """A hook that does nothing (replaced by one that tells the build)."""


class EditionWriters:
    """The warm writers (:class:`EditionWriter`) of a build that runs again and again: as
    many as its last build wanted (one a further group of editions, see
    :func:`write_books`).

    They are started by :meth:`start` between builds, never during one: a process forked
    while the build holds its output folder's lock would hold it too, for as long as it
    lives."""

    def __init__(self) -> None:
        self.writers: list[EditionWriter] = []
        """The writers started."""
        self.wanted = 0
        """How many writers the last build could have used."""

    def running(self) -> list[EditionWriter]:
        """The writers still running."""
        return [writer for writer in self.writers if writer.alive()]

    def look_ahead(self, root: Path, options: BuildOptions) -> None:
        """Tell each writer a build has started (writer n may be asked for group n + 1)."""
        for group, writer in enumerate(self.running(), 1):
            writer.look_ahead(root, options, group)

    def start(self) -> None:
        """Start as many writers as the last build wanted (and end those it did not, or
        that died)."""
        running = self.running()
        for writer in self.writers:
            if writer not in running or running.index(writer) >= self.wanted:
                writer.close()
        self.writers = running[: self.wanted]
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        while len(self.writers) < self.wanted:
            try:
                self.writers.append(EditionWriter())
            except OSError:  # no process to spare (fork refused): the build writes them all
                return

    def close(self) -> None:
        """End every writer."""
        for writer in self.writers:
            writer.close()
        self.writers = []


def _tell(sending: Any, kind: str, index: int, *args: Any) -> None:
    """Send one message of a forked edition process to its parent."""
    sending.send((kind, index, args))


def _portable(error: BaseException, doing: str) -> BaseException:
    """``error`` as it can cross back to the parent process: itself when it pickles (a
    UserError, Ctrl-C), else a RuntimeError naming it and what the process was ``doing``,
    with its traceback as a note."""
    import pickle
    import traceback

    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # any failure to pickle: the error is described instead
        portable = RuntimeError(f"{type(error).__name__}: {error} ({doing})")
        portable.add_note("".join(traceback.format_exception(error)))
        return portable


def publish_index(project: Project, index: IndexResult, folder: Path) -> list[Path]:
    """Write the computed index as ``index.csv`` and ``index.json`` for the report's site."""
    rows = published_rows(project, index)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = folder / "index.csv", folder / "index.json"

    def write_csv(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["slug"])
            writer.writeheader()
            writer.writerows(rows)

    def write_json(tmp: Path) -> None:
        tmp.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", "utf-8")

    write_atomically(csv_path, write_csv)
    write_atomically(json_path, write_json)
    return [csv_path, json_path]


def is_draft(city: City) -> bool:
    """Is ``city`` marked ``draft: true`` (read from the YAML when its profile is invalid)?"""
    if city.profile is not None:
        return city.profile.draft
    data = city.doc.data
    return isinstance(data, dict) and data.get("draft") is True


def _buildable(project: Project, slugs: list[str]) -> tuple[Project, set[str]]:
    """The project as this build makes it, and the profile files whose errors it sets aside.

    Drafts are left out of the book (unless named with ``--city``); with ``--city``, the
    other cities' problems are reported but do not stop the build. Either way their
    findings become warnings.
    """
    drafts = {c.slug for c in project.cities if is_draft(c) and c.slug not in slugs}
    aside = {c.doc.file for c in project.cities if c.slug in drafts}
    if slugs:
        aside |= {c.doc.file for c in project.cities if c.slug not in slugs}
    if not drafts:
        return project, aside
    kept = [c for c in project.cities if c.slug not in drafts]
    return replace(project, cities=kept), aside


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
    if not epoch:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        if not epoch.strip().isdigit():
            raise ValueError
        moment = datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError):
        shown = epoch if len(epoch) <= 40 else epoch[:40] + "…"
        raise UserError(
            f"SOURCE_DATE_EPOCH={shown!r} is not a time: set it to a whole number of seconds"
            " since 1970 before the year 10000 (e.g. $(git log -1 --format=%ct)), or unset it",
            exit_code=2,
        ) from None
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
    pages: int = 0
    """Its page budget, when known before its task is made (0: not known)."""

    @staticmethod
    def ready(task: PageTask) -> Job:
        """A job for a task made already (cover and contents: their HTML is their key)."""
        return Job(task.name, task.output.stem, lambda: task, task.budget)


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
    facts: str | None = None
    """The edition's store of page facts preflight reads pages from (None: none)."""
    images: bool = True
    """Whether finishing looks for identical images to store once (False: its parts'
    surveys show none repeats, see :func:`~.finish.images_may_repeat`)."""


def typeset_for_press(task: PageTask) -> dict[str, Any]:
    """Typeset one part of the print edition (:func:`run_task`) and make its solid black
    text overprint before it is cached (in the same open of the PDF), so the city PDFs and
    the book made of it need no second pass (finishing sees the parts are done); note its
    images' digests (:func:`~.finish.survey_images`)."""
    return run_task(task, passes=(overprint_black_text,), surveys=(survey_images,))


def typeset_for_screen(task: PageTask) -> dict[str, Any]:
    """Typeset one part of the (tagged) screen edition (:func:`run_task`) and mark the
    margin content WeasyPrint leaves outside the structure tree as artifacts, before it is
    cached (in the same open of the PDF); note where the elements are that stitching it
    into a book changes (:func:`~.structure.survey_structure`), and its images' digests."""
    surveys = (survey_structure, survey_images)
    return run_task(task, passes=(mark_untagged_as_artifacts,), surveys=surveys)


TYPESETTERS: dict[str, Callable[[PageTask], dict[str, Any]]] = {
    "print": typeset_for_press,
    "screen": typeset_for_screen,
}
"""How each edition typesets a part."""


def typeset_part(item: tuple[str, PageTask]) -> dict[str, Any]:
    """Typeset one part of the edition named first (see :data:`TYPESETTERS`)."""
    edition, task = item
    return TYPESETTERS[edition](task)


def typeset_ahead(todo: list[tuple[BookBuilder, Job]], result: BuildResult) -> None:
    """Typeset the cities no edition's cache has (``todo``: :meth:`BookBuilder.uncached` of
    each edition), every edition's in one pool of workers.

    After an edit each edition has one city to typeset: in a new process together they
    take one city's time on two cores, not two, and this process need not import
    WeasyPrint at all. A process that has imported WeasyPrint already, or will build
    again (:attr:`BuildOptions.warm`), typesets as many cities as it has workers here
    instead: a forked worker would import and warm up its own (1.8 s of CPU against 0.7
    for an edit's two cities at W50). When only one edition has anything to typeset, it
    is left to that edition (as it was). Each edition then finds its cities in its cache.
    """
    books = list({id(book): book for book, _ in todo}.values())
    if len(books) < 2:
        return
    options = books[0].options
    jobs = options.jobs
    warm = options.warm or "weasyprint" in sys.modules
    if warm and len(todo) <= (jobs or os.cpu_count() or 1):
        jobs = 1  # typeset here (see above)
    for book in books:
        book.cache.folder.mkdir(parents=True, exist_ok=True)

    def done(item: tuple[BookBuilder, Job], meta: dict[str, Any]) -> None:
        item[0].stored(item[1], meta, result)

    def make(item: tuple[BookBuilder, Job]) -> tuple[str, PageTask]:
        return item[0].edition.name, item[1].task()  # assembled when handed out

    result.recovered += parallel(typeset_part, todo, jobs, done, make=make)


def press_finisher(
    manifest: LayoutManifest, marks: bool, title: str, authors: Sequence[str], lang: str
) -> Callable[..., None]:
    """:func:`~.finish.finish_print` with the layout's page and these settings: call it with
    the PDF's path (and, for an output, its ``document_key``)."""
    page = manifest.page
    return partial(
        finish_print,
        trim_mm=(page.width_mm, page.height_mm),
        bleed_mm=page.bleed_mm,
        marks=marks,
        title=title,
        authors=list(authors),
        lang=lang,
    )


def finish_and_check(job: FinishJob) -> list[Finding]:
    """Finish a staged PDF (print: for the press; screen: images stored once), then preflight
    it; return the findings."""
    if job.edition == "print":
        key = ":".join(("scireport", job.lang, job.title, *Path(job.final).parts[-2:]))
        finisher = press_finisher(job.manifest, job.marks, job.title, job.authors, job.lang)
        finisher(job.staged, document_key=key, images=job.images)
    else:
        finish_screen(job.staged, images=job.images)
    store = Path(job.facts) if job.facts is not None else None
    found = preflight(
        job.staged, edition=job.edition, manifest=job.manifest, pages=job.pages, store=store
    )
    return [replace(f, file=job.shown) for f in found]


class BookBuilder:
    """Typesets and writes one edition of the book, following its plan."""

    def __init__(
        self,
        plan: EditionPlan,
        options: BuildOptions,
        progress: ProgressHook | None,
        ready: PagesHook | None = None,
        written: WrittenHook | None = None,
    ) -> None:
        self.plan = plan
        self.ready = ready
        self.written = written
        self.project = plan.project
        self.config = plan.config
        self.layout = plan.layout
        self.edition = plan.edition
        self.options = options
        self.cache = PageCache(plan.cache_folder)
        self.templates = BookTemplates(plan)
        self.progress = progress or (lambda message, done, total: None)
        self.images = ImageCache(plan.image_folder, use=options.cache)
        self.environment = environment_key(
            self.layout.dirs,
            self.layout.manifest.fonts,
            [self.layout.icc_profile],
            self.project.root,
        )
        self.timestamp = build_timestamp()
        self.facts = FactsStore(plan.cache_folder / "facts") if options.cache else None
        """The page facts preflight keeps between files and builds (none with --no-cache)."""
        self.started = facts_now() - FACTS_SLACK_S
        """Facts entries older than this and not used by this build are collected."""
        self.pages: dict[str, int] = {}
        """Page counts that differ from the budgets (cities allowed to overflow)."""
        self.sections_made: dict[tuple[Any, ...], list[PageTask]] = {}
        """The sections' tasks made by :meth:`section_tasks`, by start pages and page counts."""
        self.seen: dict[str, Entry] = {}
        """Entries this build typeset or took from the cache, by key (counted once)."""
        self.prepared: tuple[dict[str, Entry], dict[str, int]] | None = None
        """The typeset cities and every part's first page, once :meth:`prepare` ran."""
        self.book_checked = False
        """Whether this build preflighted the book (so looked up every page's facts)."""
        self.ahead: set[str] = set()
        """Cache entries (file stems) :func:`typeset_ahead` typeset for this build."""
        self.city_keys: dict[tuple[str, int], str] = {}
        """Each city's cache key at a start page, once made (see :meth:`city_key`)."""

    # -- planning ---------------------------------------------------------------------

    def pdf_options(self) -> dict[str, Any]:
        """WeasyPrint write options for this edition."""
        if self.edition.name == "print":
            return {"pdf_variant": f"pdf/x-{self.options.pdf_x}"}
        return {"pdf_variant": "pdf/a-2a" if self.options.pdf_a else "pdf/ua-1"}

    def task(self, name: str, html: str, budget: int, key: str | None = None) -> PageTask:
        """A typesetting task whose output goes to the cache slot of its key.

        Without ``key``, the key is made from the HTML itself (the report's sections).
        """
        options = self.pdf_options()
        if key is None:
            options_key = self.key_options(budget)
            key = self.cache.key(html, self.environment, options_key, [], self.project.root)
        return PageTask(
            name=name,
            html=html,
            base_dir=self.layout.root,
            allowed=self.plan.allowed,
            budget=budget,
            content_top=self.plan.content_top,
            output=self.cache.path(key).with_suffix(".part"),
            options=tuple(sorted(options.items())),
            meta=self.pdf_meta(),
        )

    def pdf_meta(self) -> PdfMeta:
        """The metadata every PDF of this edition carries."""
        lang = self.edition.lang
        title = f"{self.config.text(self.config.title, lang)} {self.config.year}"
        return PdfMeta(title, self.authors(), lang, self.timestamp)

    def authors(self) -> tuple[str, ...]:
        """The organisations, in this edition's language, as the PDFs' authors."""
        return tuple(self.config.text(org, self.edition.lang) for org in self.config.organisations)

    def city_key(self, city: City, start: int) -> str:
        """Cache key of ``city`` typeset from page ``start``, from what its pages are made of.

        The profile's and the settings' text, the city's numbers and place in the index,
        the page number and the edition stand in for the HTML (the layout, fonts and
        versions are in the environment key), so that an unchanged city is found in the
        cache without assembling its HTML.
        """
        memo = (city.slug, start)
        if memo in self.city_keys:
            return self.city_keys[memo]
        assert city.profile is not None
        images = [self.project.root / image.path for image in city.profile.images]
        inputs = [
            city.slug,
            city.doc.text,
            self.project.config_doc.text,
            start,
            self.edition.name,
            self.edition.lang,
            self.city_numbers(city.slug),
        ]
        key = self.cache.key(
            json.dumps(inputs, default=str),
            self.environment,
            self.key_options(),
            images,
            self.project.root,
        )
        self.city_keys[memo] = key
        return key

    def city_numbers(self, slug: str) -> Any:
        """What a city's pages show of the data: its numbers, index entry and the averages."""
        data = self.plan.data
        index = data.index
        numbers = data.cities.get(slug)
        entry = index.by_slug.get(slug) if index else None
        return [
            numbers.about if numbers else None,
            asdict(entry) if entry else None,
            index.averages.get("all") if index else None,
            index.ranked if index else None,
        ]

    def key_options(self, budget: int | None = None) -> dict[str, Any]:
        """The options a typeset PDF depends on besides its content."""
        fixed = {"date": self.timestamp} if os.environ.get("SOURCE_DATE_EPOCH") else {}
        pages = self.plan.budget if budget is None else budget
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
        task = self.task(city.slug, html, self.plan.budget, key=key or self.city_key(city, start))
        meta = replace(task.meta, title=self.city_title(city.profile.city))
        return replace(task, expected=expected, meta=meta)

    def city_jobs(self, cities: list[City], starts: dict[str, int]) -> list[Job]:
        """Typesetting jobs for ``cities``: keys now, HTML only for those not cached."""
        jobs = []
        for city in cities:
            key = self.city_key(city, starts[city.slug])
            jobs.append(Job(city.slug, key, partial(self.city_task, city, starts[city.slug], key)))
        return jobs

    def section_jobs(self, starts: dict[str, int]) -> list[Job]:
        """:meth:`section_tasks` as jobs, the longest (most pages) first."""
        tasks = sorted(self.section_tasks(starts), key=lambda t: -t.budget)
        return [Job.ready(task) for task in tasks]

    def section_tasks(self, starts: dict[str, int]) -> list[PageTask]:
        """Typesetting tasks of the report's sections and blank pages (all but the cities).

        Made once per set of start pages (a build asks for them when it typesets, when it
        refreshes the cache and when it stages the book: the contents and the ranking grow
        with the cities)."""
        memo = (tuple(sorted(starts.items())), tuple(sorted(self.pages.items())))
        if memo not in self.sections_made:
            self.sections_made[memo] = self._section_tasks(starts)
        return self.sections_made[memo]

    def _section_tasks(self, starts: dict[str, int]) -> list[PageTask]:
        tasks = []
        for part in self.plan.parts(self.pages):
            if part.kind == "section":
                assert part.section is not None
                html = self.templates.section(part.section, starts)
                tasks.append(self.task(part.key, html, part.pages))
            elif part.kind == "blank":
                tasks.append(self.task(part.key, self.templates.blank(part.start), 1))
        return tasks

    def cmyk_image(self, source: Path) -> Path:
        """The print edition's copy of ``source``, converted to CMYK with the layout's profile."""
        digest = hashlib.sha256(source.read_bytes() + self.icc_digest)
        profile = self.layout.icc_profile
        return self.images.get(
            digest.hexdigest(), lambda target: convert_image_to_cmyk(source, target, profile)
        )

    @functools.cached_property
    def icc_digest(self) -> bytes:
        """SHA-256 of the layout's output profile (read once per build, not per image)."""
        return hashlib.sha256(self.layout.icc_profile.read_bytes()).digest()

    # -- typesetting ------------------------------------------------------------------

    def uncached(self, selected: list[City]) -> list[Job]:
        """The jobs of the selected cities the cache does not have (at the planned pages);
        their HTML is assembled only if they are typeset."""
        jobs = self.city_jobs(selected, self.plan.start_pages())
        found = (self.cache.lookup(job.key) if self.options.cache else None for job in jobs)
        return [job for job, entry in zip(jobs, found, strict=True) if entry is None]

    def stored(self, job: Job, meta: dict[str, Any], result: BuildResult) -> Entry:
        """Put the PDF ``job``'s task typeset into the cache (see :func:`typeset_ahead`)."""
        slot = self.cache.path(job.key)  # the task wrote slot.part (see task())
        entry = self.cache.store(slot.stem, slot.with_suffix(".part"), meta["pages"], meta)
        self.ahead.add(entry.pdf.stem)
        result.typeset += 1
        self.progress(f"{self.edition.name}: {job.name}", len(self.ahead), len(self.ahead))
        return entry

    def typeset(self, jobs: list[Job], result: BuildResult) -> dict[str, Entry]:
        """Typeset ``jobs`` (cached ones are reused); return entries by job name.

        The documents of :data:`BIG_DOCUMENT_PAGES` or more (a 500-city report's ranking
        and contents) are typeset first, one at a time, each in a worker of its own that
        then ends, the rest after them: a worker that typeset the 17-page ranking of 500 cities kept
        60 MB more to the end of the build (the peak of a W500 build: 325 MB in all, its
        two workers at 105 and 144 MB)."""
        entries: dict[str, Entry] = {}
        todo: list[Job] = []
        for job in jobs:
            name = self.cache.path(job.key).stem
            entry = self.seen.get(name)
            if entry is not None:  # typeset (or found) earlier in this build
                entries[job.name] = entry
                self.cache.used.add(name)
                continue
            ahead = name in self.ahead  # typeset by this build already (typeset_ahead)
            entry = self.cache.lookup(job.key) if self.options.cache or ahead else None
            if entry is not None:
                entries[job.name] = self.seen[name] = entry
                if not ahead:
                    result.from_cache += 1
            else:
                todo.append(job)
        result.recovered += len(self.cache.rebuilt_corrupt)
        self.cache.rebuilt_corrupt.clear()
        total = len(jobs)

        def done(job: Job, meta: dict[str, Any]) -> None:
            slot = self.cache.path(job.key)  # the task wrote slot.part (see task())
            entry = self.cache.store(slot.stem, slot.with_suffix(".part"), meta["pages"], meta)
            entries[job.name] = self.seen[slot.stem] = entry
            result.typeset += 1
            label = job.name or "contents"
            self.progress(
                f"{self.edition.name}: {label} ({result.from_cache} from cache)",
                len(entries),
                total,
            )

        if todo:
            self.cache.folder.mkdir(parents=True, exist_ok=True)
        function = TYPESETTERS[self.edition.name]
        big = [job for job in todo if job.pages >= BIG_DOCUMENT_PAGES]
        if big:  # first, each in a worker of its own (see above)
            todo = [job for job in todo if job.pages < BIG_DOCUMENT_PAGES]
            for one in big:
                result.recovered += parallel(
                    function, [one], self.options.jobs, done, make=lambda job: job.task(),
                    before_fork=preload, alone=True,
                )  # fmt: skip
        result.recovered += parallel(
            function, todo, self.options.jobs, done, make=lambda job: job.task(),
            before_fork=preload,
        )  # fmt: skip
        return entries

    def check(self, entries: dict[str, Entry], cities: list[City], result: BuildResult) -> None:
        """Fail on overflow, missing glyphs or refused files; keep allowed overflow as warning."""
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
        bad_fonts = sorted({f for e in entries.values() for f in e.meta.get("bad_fonts", [])})
        warned = {w.file for w in result.warnings if w.rule == "glyph-font-unusable"}
        result.warnings += [
            Finding(
                shown, None, None, "", "glyph-font-unusable", "warning",
                "this @font-face file cannot be loaded (damaged or not a font), so another"
                " font was used in its place; replace the file",
            )
            for shown in dict.fromkeys(self.project.display(Path(font)) for font in bad_fonts)
            if shown not in warned  # validation, or another edition, said it already
        ]  # fmt: skip
        for city in cities:
            for label in entries[city.slug].meta.get("missing", []):
                errors.append(dropped_finding(city, label))
            errors += outside_findings(
                city, entries[city.slug].meta.get("outside", []), self.edition.lang
            )
            overflow = entries[city.slug].meta.get("overflow")
            if overflow:
                severity = "warning" if self.options.allow_overflow else "error"
                finding = overflow_finding(
                    city,
                    overflow["first_id"],
                    overflow["extra_fraction"],
                    overflow["budget"],
                    severity,
                )
                (errors if severity == "error" else result.warnings).append(finding)
        if errors:
            raise FindingsError(
                "the typeset pages have problems; nothing was written",
                errors,
                self.project.root,
            )

    # -- writing ----------------------------------------------------------------------

    def sweep(self, target: Path) -> None:
        """Remove the half-written files of this edition: staged outputs, cache entries."""
        for staged in (target, target / "cities", target / "standalone"):
            sweep_parts(staged)
        self.cache.sweep()
        if self.facts is not None and self.facts.folder.is_dir():
            self.facts.sweep()

    def write(
        self,
        target: Path,
        selected: list[City],
        result: BuildResult,
        parts: Literal["all", "book", "cities"] = "all",
    ) -> None:
        """Typeset and write this edition: each selected city, and the book when all are.

        Every new PDF is staged, finished for the press (print) and preflighted, in worker
        processes; only when none has an error are they moved over the previous ones. A PDF
        whose inputs have not changed since it was written is left as it is. ``parts``
        ``book`` writes the book alone (and typesets what it needs), ``cities`` then the
        city PDFs (see :attr:`BuildOptions.books_first`).
        """
        if self.prepared is None:
            self.prepared = self.prepare(selected, result)
        entries, starts = self.prepared
        staging = Staging()
        ledger = OutputLedger(self.cache.folder / "outputs.json", self.plan.out)
        try:
            outputs: list[Output] = []
            jobs: list[FinishJob] = []
            if parts != "book":
                outputs, jobs = self.stage_cities(target, selected, entries, staging, ledger)
            if self.options.standalone and parts != "book":
                alone, alone_jobs = self.stage_standalone(target, selected, staging, ledger, result)
                outputs += alone
                jobs += alone_jobs
            checked: dict[str, list[Finding]] = {}

            def finished(job: FinishJob, findings: list[Finding]) -> None:
                checked[job.final] = findings

            whole = self.whole_book(selected) and parts != "cities"
            if whole:  # typeset before the workers below are forked (a city moved them)
                self.typeset([Job.ready(t) for t in self.section_tasks(starts)], result)
            book_jobs: list[FinishJob] = []

            def write_the_book() -> None:  # here, while the workers check the city PDFs
                book, job = self.stage_book(target, entries, starts, staging, ledger, result)
                outputs.insert(0, book)
                if job is not None:
                    book_jobs.append(job)
                    finished(job, finish_and_check(job))

            # A big book is stitched once the workers are gone (see BIG_BOOK_PAGES).
            together = whole and max(starts.values(), default=0) < BIG_BOOK_PAGES
            parallel(
                finish_and_check, jobs, self.options.jobs, finished,
                meanwhile=write_the_book if together else None,
            )  # fmt: skip
            if whole and not together:
                write_the_book()
            jobs += book_jobs
            # Files left as they were keep the findings their preflight had.
            for output in outputs:
                if not output.written:
                    record = ledger.recorded(output.path)
                    assert record is not None  # left as it was: it is current
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
            if self.written is not None:
                for output in outputs:
                    if output.written:
                        self.written(output)
        finally:
            staging.discard()
        for job in jobs:
            findings = [f.as_dict() for f in checked[job.final]]
            ledger.record(Path(job.final), job.stamp, job.pages, findings)
        self.book_checked |= any(o.kind == "book" and o.written for o in outputs)
        if self.whole_book(selected) and parts != "book":  # cities gone: their PDFs go too
            keep = {o.path for o in outputs}
            result.removed += ledger.remove_stale(target / "cities", keep)
            result.collected += self.cache.collect(self.cache.used)
            if self.facts is not None and self.book_checked:
                self.facts.collect(self.started)  # the book's pages were all looked up
        ledger.save()
        result.warnings += found
        result.outputs += outputs

    def prepare(
        self, selected: list[City], result: BuildResult
    ) -> tuple[dict[str, Entry], dict[str, int]]:
        """Typeset the selected cities (those not cached) and check them; return their
        entries and every part's first page."""
        starts = self.plan.start_pages()
        # The sections go with the cities when the book is written (the longest first:
        # one pool of workers, busy to the end); their page numbers are known already,
        # unless a city allowed to overflow moves them (then they are typeset again).
        sections = self.section_jobs(starts) if self.whole_book(selected) else []
        entries = self.typeset(sections + self.city_jobs(selected, starts), result)
        for section in sections:
            del entries[section.name]
        pages = {slug: entry.pages for slug, entry in entries.items()}
        if self.plan.start_pages(pages) != starts:  # allowed overflow moved later parts
            self.pages = pages
            starts = self.plan.start_pages(pages)
            for section in sections:  # their page numbers were wrong: not kept in the cache
                self.cache.used.discard(self.cache.path(section.key).stem)
            entries = self.typeset(self.city_jobs(selected, starts), result)
        self.check(entries, selected, result)
        self.announce(entries, whole=False)
        return entries, starts

    def whole_book(self, selected: list[City]) -> bool:
        """Is this build writing every city (and so the book)?"""
        return {c.slug for c in selected} == {c.slug for c in self.project.cities}

    def stage_standalone(
        self,
        target: Path,
        cities: list[City],
        staging: Staging,
        ledger: OutputLedger,
        result: BuildResult,
    ) -> tuple[list[Output], list[FinishJob]]:
        """Stage each city's PDF for the city itself: a cover, then its pages from 1."""
        folder = target / "standalone"
        folder.mkdir(parents=True, exist_ok=True)
        covers = [
            self.task(f"@cover-{c.slug}", self.templates.city_cover(c.slug), 1) for c in cities
        ]
        entries = self.typeset(
            [Job.ready(t) for t in covers] + self.city_jobs(cities, dict.fromkeys(
                (c.slug for c in cities), 1)),
            result,
        )  # fmt: skip
        self.check(entries, cities, result)
        outputs, jobs = [], []
        for city in cities:
            final = folder / f"{city.slug}.pdf"
            parts = [entries[f"@cover-{city.slug}"], entries[city.slug]]
            stamp = self.book_stamp(parts)
            pages = sum(part.pages for part in parts)
            current = ledger.current(final, stamp) is not None
            outputs.append(Output(final, pages, self.edition.name, "standalone", not current))
            if current:
                continue
            tmp = staging.new(final)
            name = city.profile.city if city.profile else city.slug
            stitch(
                [part.pdf for part in parts],
                tmp,
                surveys=[part.meta.get("structure") for part in parts],
                bookmarks=[
                    Bookmark(label, offset + index, level)
                    for offset, part in zip((0, parts[0].pages), parts, strict=True)
                    for index, level, label in part.meta.get("bookmarks", [])
                ],
                links=[],
                font_files=self.fetched_fonts(parts),
                pdf_1_4=self.options.pdf_x == "1a",
                tagged=self.tagged(self.city_title(name)),
            )
            jobs.append(self.finish_job(tmp, final, pages, name, stamp))
        return outputs, jobs

    def city_title(self, name: str) -> str:
        """The title of a PDF of one city: the city, then the report."""
        return f"{name} · {self.pdf_meta().title}"

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
        sections = self.typeset([Job.ready(t) for t in self.section_tasks(starts)], result)
        self.check_sections(sections)
        self.announce({**sections, **entries}, whole=True)
        parts = self.book_parts({**sections, **entries})
        stamp = self.book_stamp(parts)
        record = ledger.current(final, stamp)
        if record is not None:
            return Output(final, record.pages, self.edition.name, "book", written=False), None
        tmp = staging.new(final)
        count = self.write_book(tmp, {**sections, **entries}, starts)
        job = self.finish_job(tmp, final, count, None, stamp)
        job = replace(job, images=images_may_repeat([part.meta.get("images") for part in parts]))
        return Output(final, count, self.edition.name, "book"), job

    def announce(self, entries: dict[str, Entry], *, whole: bool) -> None:
        """Tell the ``ready`` hook of the typeset parts in ``entries`` (see PagesReady)."""
        if self.ready is None:
            return
        lang, parts = self.edition.lang, []
        for part in self.plan.parts(self.pages):
            entry = entries.get(part.key)
            if entry is None:
                continue
            # the title is the part's first bookmark, as the book's outline has it
            marks = sorted(entry.meta.get("bookmarks", []), key=lambda m: (m[1], m[0]))
            title = str(marks[0][2]) if marks else None
            if part.city is not None:
                name = part.city.slug
            else:
                name = part.section.name if part.section is not None else ""
            parts.append(ReadyPart(part.key, part.kind, name, title, part.start,
                                   entry.pages, entry.pdf, entry.meta["sha256"]))  # fmt: skip
        finish = None
        if self.edition.name == "print":
            finish = press_finisher(
                self.layout.manifest,
                self.options.marks,
                self.pdf_meta().title,
                self.authors(),
                lang,
            )
        self.ready(PagesReady(self.edition.name, lang, parts, whole, finish))

    def book_parts(self, entries: dict[str, Entry]) -> list[Entry]:
        """Every part of the book in order: sections, blank pages and cities."""
        return [entries[part.key] for part in self.plan.parts(self.pages)]

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
            title=self.city_title(city) if city else title,
            authors=self.authors(),
            lang=self.edition.lang,
            facts=str(self.facts.folder) if self.facts is not None else None,
        )

    def check_sections(self, sections: dict[str, Entry]) -> None:
        """Fail when a section takes more pages than its budget (the page numbers assume it)."""
        manifest = f"layouts/{self.layout.manifest.name}/layout.yaml"
        for section in self.plan.sections:
            if section.name == CITIES:
                continue
            entry = sections[section_key(section.name)]
            budget = self.plan.section_budget(section)
            if entry.pages == budget:
                continue
            template = f"layouts/{self.layout.manifest.name}/{section.template_name}"
            if section.name == "contents":
                per_page = self.layout.manifest.toc_entries_per_page
                raise UserError(
                    f"the contents take {entry.pages} pages but page numbers were"
                    f" planned for {budget} ({per_page} entries per page,"
                    f" toc_entries_per_page in {manifest}): set it to what one page holds"
                )
            if section.rows_per_page is not None:
                first = section.first_page_rows or section.rows_per_page
                raise UserError(
                    f"the section {section.name!r} takes {entry.pages} pages but its budget"
                    f" for {self.plan.rows} cities is {budget} ({first} rows on its first page,"
                    f" {section.rows_per_page} on the others, then extra_pages:"
                    f" {section.extra_pages}): set rows_per_page, first_page_rows and"
                    f" extra_pages in {manifest} to what the pages of {template} hold"
                )
            raise UserError(
                f"the section {section.name!r} takes {entry.pages} pages but its budget is"
                f" {budget}: shorten {template} or its CSS, or raise its pages: in {manifest}"
            )

    def anchor_pages(self, starts: dict[str, int]) -> dict[str, int]:
        """0-based book page of each linkable anchor: ``city-<slug>`` and ``section-<name>``."""
        pages = {f"city-{c.slug}": starts[c.slug] - 1 for c in self.plan.cities}
        for section in self.plan.sections:
            pages[f"section-{section.name}"] = starts[section_key(section.name)] - 1
        return pages

    def bookmarks(self, entries: dict[str, Entry], starts: dict[str, int]) -> list[Bookmark]:
        """The outline: what the layout's CSS bookmarks in each part, at its book page.

        Both editions' books are stitched with this outline, so they have one shape (cover,
        contents, sections, cities) and the labels as printed (without word joiners: see
        :func:`~.typeset.page_bookmarks`).
        """
        return [
            Bookmark(label, starts[part.key] - 1 + index, level)
            for part in self.plan.parts(self.pages)
            for index, level, label in entries[part.key].meta.get("bookmarks", [])
        ]

    def write_book(self, path: Path, entries: dict[str, Entry], starts: dict[str, int]) -> int:
        """Write the whole book to ``path``; return its pages."""
        cities = self.plan.cities
        self.progress(f"{self.edition.name}: writing report.pdf", len(cities), len(cities))
        anchors = self.anchor_pages(starts)
        links = []
        for part_key, entry in entries.items():
            first = starts[part_key] - 1
            links += [
                Link(first + page, rect, anchors[anchor], anchor)
                for page, rect, anchor in entry.meta.get("links", [])
                if anchor in anchors
            ]
        parts = self.book_parts(entries)
        keep = KEPT.setdefault(self.plan.cache_folder, KeptParts()) if self.options.warm else None
        return stitch(
            [entry.pdf for entry in parts],
            path,
            keep=keep,  # (stitch keeps the parts of a book of up to its limit)
            surveys=[entry.meta.get("structure") for entry in parts],
            bookmarks=self.bookmarks(entries, starts),
            links=links,
            font_files=self.fetched_fonts(list(entries.values())),
            pdf_1_4=self.options.pdf_x == "1a",
            tagged=self.tagged(self.pdf_meta().title),
        )

    def fetched_fonts(self, parts: list[Entry]) -> list[Path]:
        """The font files ``parts`` fetched (``@font-face``): where the stitcher may find the
        originals of fonts fontconfig does not know."""
        fetched = {name for part in parts for name in part.meta.get("fetched", {})}
        return [
            Path(name) for name in sorted(fetched) if Path(name).suffix.lower() in FONT_SUFFIXES
        ]

    def tagged(self, title: str) -> TaggedBook | None:
        """How a book of this edition titled ``title`` is tagged (None: print, untagged)."""
        return TaggedBook(title) if self.edition.name == "screen" else None


def watch(
    project_dir: Path | None,
    options: BuildOptions,
    report: Callable[[BuildResult | UserError], None],
    *,
    stop: Any = None,
    progress: ProgressHook | None = None,
    written: WrittenHook | None = None,
) -> None:
    """Build, then build again on every saved change; report each result or user error.

    Runs until interrupted (or until the ``stop`` event is set). The process stays warm:
    WeasyPrint stays imported and typeset cities stay cached, so a one-profile edit costs
    one city's typesetting plus the stitching of the book. With more than one edition, a
    warm writer process (:class:`EditionWriters`) writes the further ones at the same time
    after an edit. Each edition's book is written first, replaced as soon as it passes
    preflight, and its city PDFs after it (:attr:`BuildOptions.books_first`); ``written``
    is told of each file put in place.
    """
    import watchfiles

    from .project import find_root

    root = find_root(project_dir)

    options = replace(options, books_first=True, warm=True)
    writers = EditionWriters()

    def once() -> None:
        try:
            report(build(root, options, progress, written=written, writers=writers))
        except UserError as exc:
            report(exc)

    def between_builds() -> None:
        settle()  # what the build left, out of the next one's collections
        writers.start()  # those the build wanted (or one that died), forked warm

    relevant = watched(root, options)
    changes = watchfiles.watch(
        root,
        watch_filter=relevant,
        stop_event=stop,
        debounce=50,
        step=WATCH_STEP_MS,
        yield_on_timeout=True,
        rust_timeout=200,
    )
    next(changes, None)  # the watcher is armed: a save during the first build is not lost
    try:
        once()
        # While nothing has changed: a first build that found every page cached never
        # imported WeasyPrint (0.4 to 0.8 s), and one whose workers typeset every page left
        # this process's fonts cold (the first save's city took 0.11 s more than the next).
        # The writers of further editions are forked warm.
        importlib.import_module("weasyprint")
        warm_up(root, options)
        between_builds()
        for batch in changes:
            if batch:  # an empty batch: nothing changed within rust_timeout
                once()
                between_builds()
    finally:
        writers.close()


def warm_up(project_dir: Path, options: BuildOptions) -> None:
    """Typeset one city of the first edition here and throw it away, so that WeasyPrint's
    fonts and caches are as warm for a watching build's first save as for the next ones.

    Nothing is written to the output folder (the page goes to a temporary file). An
    optimisation only: a project this cannot typeset is skipped without a word, and the
    next build reports what is wrong with it.
    """
    try:
        project = load_project(project_dir)
        layout, _ = load_project_layout(project)
        cities = [city for city in project.cities if city.profile is not None]
        if project.config is None or layout is None or not cities:
            return
        edition = Edition(options.editions[0], project.config.main_lang)
        out = replace(options, out=project.root / options.out)
        book, _ = edition_book(project, layout, report_data(project), edition, out)
        with tempfile.TemporaryDirectory() as scratch:
            task = replace(book.city_task(cities[0], 1), output=Path(scratch) / "warm.pdf")
            TYPESETTERS[edition.name](task)
    except Exception:  # noqa: BLE001 (see above: the build that follows reports it)
        return


WATCH_STEP_MS = 15
"""How long a saved change must be the last one before a watching build starts (ms):
watchfiles' default of 50 made a save wait 50 to 100 ms; an editor writes a file in one
go, or renames a finished copy over it."""


def watched(root: Path, options: BuildOptions) -> Callable[[Any, str], bool]:
    """The filter of the changes a watching build follows: none in its output or hidden."""
    out = (root / options.out).resolve()

    def relevant(change: Any, path: str) -> bool:
        candidate = Path(path).resolve()
        return not candidate.is_relative_to(out) and not candidate.name.startswith(".")

    return relevant


def _label_path(label: Any) -> tuple[tuple[str | int, ...], str]:
    """The field path of a printed paragraph's label, and how to name it.

    A label is what :func:`~.assemble.printed_paragraphs` gives a paragraph, (field path,
    paragraph number or None), or that as it comes back from the cache's JSON (lists for
    tuples); the path is never parsed from a string.
    """
    raw_path, number = label if isinstance(label, list | tuple) and len(label) == 2 else ((), None)
    path = tuple(raw_path) if isinstance(raw_path, list | tuple) else ()
    field = dotted(path) or "a field"
    return path, f"paragraph {number} of {field}" if number else field


def outside_findings(city: City, outside: list[list[str]], lang: Lang) -> list[Finding]:
    """Findings for profile text of ``city`` laid out past its text area.

    ``outside`` holds (anchor id, text) pairs from ``text_outside``; a pair counts when it
    lies inside one of the city's marked fields and its text is the profile's (a layout's
    own label running over is the designer's, not the profile's).
    """
    if not outside or city.profile is None:
        return []
    printed = [(label, comparable(text)) for label, text in printed_paragraphs(city.profile, lang)]
    findings, seen = [], set()
    for anchor, text in outside:
        piece = comparable(text)
        if not anchor.startswith(f"{city.slug}--") or not piece:
            continue
        name = anchor.removeprefix(f"{city.slug}--")
        field = name.rpartition("-")[0] if name.rpartition("-")[2].isdigit() else name
        label = next(
            (lb for lb, whole in printed if lb[0][:1] == (field,) and piece in whole), None
        )
        if label is None or label in seen:
            continue
        seen.add(label)
        path, what = _label_path(label)
        findings.append(
            city.doc.finding(
                path,
                "fit-dropped",
                f"{what} runs past its text area and is cut off ({text[:20]!r}…): a word"
                " longer than the line, or a box too small for its text; add a space,"
                " shorten it or check the layout's CSS",
            )
        )
    return findings


def dropped_finding(city: City, label: Any) -> Finding:
    """A finding for a paragraph of ``city`` that is nowhere on its typeset pages."""
    path, what = _label_path(label)
    return city.doc.finding(
        path,
        "fit-dropped",
        f"{what} is not on the typeset pages: the layout hides or cuts it;"
        " check the template and CSS for this field",
    )
