"""An edit's build: the books first under --watch, both editions' cities typeset together,
and the preflight facts store kept exactly to what the written files use.

Every build here is real (the sample project cut to three cities, both editions, warm
caches from :func:`conftest.built_three`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pikepdf
import pytest
from conftest import log_writes, warm_copy, writes_logged

import scireport.build
from scireport.build import BookBuilder, BuildOptions, Output, build
from scireport.errors import Finding, FindingsError
from scireport.layouts import load_layout
from scireport.preflight import preflight
from scireport.preflight.digest import PageDigester
from scireport.preflight.facts import facts_salt
from scireport.preflight.store import FactsStore
from scireport.project import load_config
from scireport.stitch import FontPlan

BOTH = ["print", "screen"]


def _edit(root: Path) -> None:
    profile = root / "profiles" / "seoul.yaml"
    text = profile.read_text("utf-8")
    edited = text.replace("서울의 스마트시티", "서울 스마트시티", 1)
    assert edited != text
    profile.write_text(edited, "utf-8")


def test_books_first_puts_each_book_in_place_before_any_city_pdf(
    warm_three: Path, built_three: Path, tmp_path: Path
) -> None:
    other = warm_copy(built_three, tmp_path / "together")
    for root in (warm_three, other):
        build(root, BuildOptions(editions=BOTH))  # the ledgers name the files where they are
        _edit(root)
    order: list[Output] = []
    first = build(warm_three, BuildOptions(editions=BOTH, books_first=True), written=order.append)
    for edition in BOTH:  # the editions are written at once, each its book first
        assert [o.kind for o in order if o.edition == edition] == ["book", "city"]
    assert sorted(str(o.path.relative_to(warm_three)) for o in order if o.kind == "city") == [
        "build/print/cities/seoul.pdf",
        "build/screen/cities/seoul.pdf",
    ]
    together = build(other, BuildOptions(editions=BOTH))
    # the same files, byte for byte (SOURCE_DATE_EPOCH is set), and the same counts
    for path in ("print/report.pdf", "screen/report.pdf", "print/cities/seoul.pdf"):
        assert (warm_three / "build" / path).read_bytes() == (other / "build" / path).read_bytes()
    assert (first.typeset, first.from_cache) == (together.typeset, together.from_cache)
    assert first.typeset == 2  # one city, each edition once


def _in_a_forked_process(book: BookBuilder, edition: str, main: int) -> bool:
    return book.edition.name == edition and os.getpid() != main


def test_an_edition_written_in_a_forked_process_hands_back_its_refusal(
    warm_three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen edition is written in a forked process: its error (a preflight refusal
    here) is raised in the build's process, whole, and the print edition is written."""
    _edit(warm_three)
    main, real = os.getpid(), BookBuilder.write
    refusal = Finding("build/screen/report.pdf", None, None, "", "pdf-ua", "error", "no", 3)

    def write(self: BookBuilder, *args: object, **kwargs: object) -> None:
        if _in_a_forked_process(self, "screen", main):
            raise FindingsError("preflight found problems", [refusal], warm_three)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(BookBuilder, "write", write)
    books = {e: warm_three / "build" / e / "report.pdf" for e in BOTH}
    before = {e: path.read_bytes() for e, path in books.items()}
    with pytest.raises(FindingsError) as raised:
        build(warm_three, BuildOptions(editions=BOTH))
    assert raised.value.findings == [refusal] and raised.value.root == warm_three
    assert str(raised.value) == "preflight found problems"
    assert books["screen"].read_bytes() == before["screen"]
    assert books["print"].read_bytes() != before["print"]  # the edit is in the print book
    assert not list((warm_three / "build").rglob(".*.part"))  # nothing staged is left


def _screen_process_dies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the process other than this one that writes the screen edition die at once."""
    main, real = os.getpid(), BookBuilder.write

    def write(self: BookBuilder, *args: object, **kwargs: object) -> None:
        if _in_a_forked_process(self, "screen", main):
            os._exit(9)  # killed (out of memory, say) before it wrote anything
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(BookBuilder, "write", write)


def test_an_edition_whose_process_died_is_written_by_the_build_itself(
    warm_three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(warm_three)
    _screen_process_dies(monkeypatch)
    told: list[Output] = []
    result = build(warm_three, BuildOptions(editions=BOTH), written=told.append)
    written = {(o.edition, o.kind) for o in result.outputs if o.written}
    assert written == {(e, k) for e in BOTH for k in ("book", "city")}
    assert {(o.edition, o.kind) for o in told} == written
    assert result.typeset == 2


def _digests(paths: list[Path], edition: str) -> set[str]:
    found = set()
    for path in paths:
        with pikepdf.open(path) as pdf:
            digester = PageDigester(facts_salt(edition))
            for page in pdf.pages:
                keyed = digester.page(page.obj)
                assert keyed is not None  # every page the build writes can be cached
                found.add(keyed[0])
    return found


def test_the_facts_store_holds_what_the_written_files_use_and_gives_their_findings(
    warm_three: Path,
) -> None:
    long_ago = time.time() - 600  # the last build ended well before this one starts
    for entry in (warm_three / "build" / ".cache").glob("*/facts/*.facts"):
        os.utime(entry, (long_ago, long_ago))
    _edit(warm_three)
    build(warm_three, BuildOptions(editions=BOTH))
    manifest = load_layout(warm_three, load_config(warm_three)[0].layout).manifest
    for edition in BOTH:
        folder = warm_three / "build" / edition
        book = folder / "report.pdf"
        store = next((warm_three / "build" / ".cache").glob(f"{edition}-*/facts"))
        files = [book, *sorted((folder / "cities").glob("*.pdf"))]
        # the stale pages (Seoul before the edit) were collected, nothing in use was
        assert {p.stem for p in store.glob("*.facts")} == {d[:40] for d in _digests(files, edition)}
        warm = FactsStore(store)
        assert preflight(book, edition=edition, manifest=manifest, store=warm) == preflight(
            book, edition=edition, manifest=manifest
        )
        assert warm.misses == 0


def _edit_barcelona(root: Path) -> None:
    profile = root / "profiles" / "barcelona.yaml"
    text = profile.read_text("utf-8")
    profile.write_text(text.replace("body: |\n  ", "body: |\n  바뀐 문장이다. ", 1), "utf-8")


@pytest.mark.parametrize("edition", ["print", "screen"])
def test_kept_parts_give_the_book_a_fresh_stitch_gives_a_part_twice_included(
    warm_three: Path, tmp_path: Path, edition: str
) -> None:
    """Print and tagged screen parts alike: a book stitched from parts kept open (as the
    last book left them, structure trees included) is the book a fresh stitch gives."""
    from scireport.stitch import KeptParts, stitch
    from scireport.structure import TaggedBook

    cache = warm_three / "build" / ".cache" / f"{edition}-ko"
    parts = sorted(cache.glob("*.pdf"))[:4]
    parts.append(parts[-1])  # the same part twice in one book
    tagged = TaggedBook("Book") if edition == "screen" else None
    keep = KeptParts()
    try:
        fresh, first, second = (tmp_path / f"{n}.pdf" for n in ("fresh", "first", "second"))
        stitch(parts, fresh, bookmarks=[], links=[], tagged=tagged)
        stitch(parts, first, bookmarks=[], links=[], keep=keep, tagged=tagged)  # keeps them
        assert len(keep.parts) == 3  # the first part is the book itself; the repeat once
        stitch(parts, second, bookmarks=[], links=[], keep=keep, tagged=tagged)  # kept ones
        assert first.read_bytes() == fresh.read_bytes() == second.read_bytes()
    finally:
        keep.close()


WARM_BOTH = BuildOptions(editions=BOTH, books_first=True, warm=True)


def test_a_warm_writer_writes_the_screen_edition_and_the_books_are_a_cold_builds(
    warm_three: Path, built_three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under --watch a warm process of its own writes the screen edition after each edit, at
    the same time as the build writes the print one. Each keeps its book's parts open from
    one build to the next, taken as the last book left them (in this process, the print
    book's: replayed). Both books and the city PDFs are those a cold build writes, and the
    writer holds no lock between builds (each build takes the output folder's)."""
    from scireport.build import EditionWriters

    log = tmp_path / "writes.log"
    log_writes(log, monkeypatch)
    replayed: list[object] = []
    replay = FontPlan.replay
    monkeypatch.setattr(FontPlan, "replay", lambda *a: replayed.append(a) or replay(*a))
    writers = EditionWriters()
    try:
        build(warm_three, WARM_BOTH, writers=writers)  # no writer yet: this process writes
        assert writers.wanted == 1 and not writers.writers
        writers.start()
        [writer] = writers.running()
        log.unlink()
        told: list[Output] = []
        for edit in (_edit, _edit_barcelona):
            edit(warm_three)
            result = build(warm_three, WARM_BOTH, writers=writers, written=told.append)
            assert result.typeset == 2  # one city, each edition once (one in each process)
            assert {(o.edition, o.kind) for o in result.outputs if o.written} == {
                (e, k) for e in BOTH for k in ("book", "city")
            }
            writers.start()
        [kept] = [k for folder, k in scireport.build.KEPT.items() if warm_three in folder.parents]
        assert len(kept.parts) > 3 and len(replayed) >= len(kept.parts) - 1
        assert writers.running() == [writer]  # the same process, build after build
        assert {(o.edition, o.kind) for o in told} == {
            (e, k) for e in BOTH for k in ("book", "city")
        }
        assert writes_logged(log) == {("print", os.getpid()), ("screen", writer.process.pid)}
    finally:
        writers.close()
        for parts in scireport.build.KEPT.values():
            parts.close()
        scireport.build.KEPT.clear()
    assert not writer.alive()
    cold = warm_copy(built_three, tmp_path / "cold")
    _edit(cold)
    _edit_barcelona(cold)
    build(cold, BuildOptions(editions=BOTH))
    for path in ("print/report.pdf", "screen/report.pdf", "screen/cities/barcelona.pdf"):
        assert (warm_three / "build" / path).read_bytes() == (cold / "build" / path).read_bytes()


def test_a_warm_writer_that_dies_is_replaced_and_its_edition_written_meanwhile(
    warm_three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer killed while it writes: the build writes the screen edition itself, and a
    new writer is started for the next build. (A writer's error is handed back as a forked
    edition process's is: test_an_edition_written_in_a_forked_process_hands_back_...)"""
    from scireport.build import EditionWriters

    _screen_process_dies(monkeypatch)
    writers = EditionWriters()
    writers.wanted = 1
    writers.start()
    [writer] = writers.running()
    screen = warm_three / "build" / "screen" / "report.pdf"
    before = screen.read_bytes()
    try:
        _edit(warm_three)
        result = build(warm_three, WARM_BOTH, writers=writers)
        assert {(o.edition, o.kind) for o in result.outputs if o.written} == {
            (e, k) for e in BOTH for k in ("book", "city")
        }
        assert screen.read_bytes() != before
        writers.start()
        [again] = writers.running()
        assert again is not writer and not writer.alive()
    finally:
        writers.close()
    assert not list((warm_three / "build").rglob(".*.part"))  # nothing staged is left


def test_warming_up_typesets_one_city_and_writes_nothing_to_the_output(
    warm_three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--watch`` warms its process up after the first build by typesetting one city
    again, into a temporary file: the output folder is left as it was. A project it cannot
    typeset is skipped without a word (the next build reports it)."""
    from scireport.build import TYPESETTERS, warm_up

    typeset: list[Path] = []
    real = TYPESETTERS["print"]

    def counting(task: object) -> dict[str, object]:
        typeset.append(task.output)  # type: ignore[attr-defined]
        return real(task)  # type: ignore[arg-type]

    monkeypatch.setitem(TYPESETTERS, "print", counting)
    files = {p: p.stat().st_mtime_ns for p in (warm_three / "build").rglob("*")}
    warm_up(warm_three, BuildOptions())
    assert len(typeset) == 1 and not typeset[0].exists()
    assert {p: p.stat().st_mtime_ns for p in (warm_three / "build").rglob("*")} == files
    (warm_three / "scireport.yaml").write_text("title: [", "utf-8")
    warm_up(warm_three, BuildOptions())  # nothing to typeset, nothing raised
    assert len(typeset) == 1


def test_a_warm_writer_typesets_ahead_of_the_checks_and_a_refused_project_costs_no_page(
    warm_three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer typesets its edited city as the build starts, before the project is
    checked: when the checks refuse the project, nothing is written (only the page cache
    gained the city), and the next build, the error mended, is written as any other."""
    from scireport.build import EditionWriters

    writers = EditionWriters()
    writers.wanted = 1
    writers.start()
    books = {e: warm_three / "build" / e / "report.pdf" for e in BOTH}
    before = {e: path.read_bytes() for e, path in books.items()}
    screen_cache = warm_three / "build" / ".cache" / "screen-ko"
    entries = set(screen_cache.glob("*.pdf"))
    profile = warm_three / "profiles" / "seoul.yaml"
    try:
        _edit(warm_three)
        good = profile.read_text("utf-8")
        broken = good.replace("headline:\n  ko: |\n    ", "headline:\n  ko: |\n    TODO ", 1)
        assert broken != good
        profile.write_text(broken, "utf-8")  # a placeholder: an error of the checks
        with pytest.raises(FindingsError):
            build(warm_three, WARM_BOTH, writers=writers)
        assert {e: path.read_bytes() for e, path in books.items()} == before
        deadline = time.monotonic() + 20  # (the build did not wait for it)
        while not set(screen_cache.glob("*.pdf")) - entries and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(set(screen_cache.glob("*.pdf")) - entries) == 1  # typeset all the same
        profile.write_text(good, "utf-8")
        result = build(warm_three, WARM_BOTH, writers=writers)
        assert result.typeset == 2  # each edition's city, once (the screen one ahead)
        assert books["screen"].read_bytes() != before["screen"]
        assert not list(screen_cache.glob("*.ahead"))
    finally:
        writers.close()
