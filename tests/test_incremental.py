"""Fast builds stay correct: parallel = serial, exact invalidation, crash and corruption repair."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    CONFIG,
    REPO,
    THREE,
    copy_sample,
    log_writes,
    start_pages,
    write_tree,
    writes_logged,
)

import scireport.build
import scireport.cache
import scireport.typeset
from scireport.build import BuildOptions, build

CITIES = THREE
CITY_NAMES = ["Seoul", "Amsterdam", "Barcelona"]
SECTIONS = 7
"""Documents of the sample layout besides the cities: cover, contents, introduction,
ranking, methodology, the blank page that lets the first city open a spread, back cover."""
FRONT_PAGES, BACK_PAGES = 7, 1
"""Pages before the first city (the ranking takes two; one blank) and after the last."""
PARENT = os.getpid()


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """Three sample cities with the repository's settings and layout."""
    return copy_sample(tmp_path / "project", CITIES)


def run(root: Path, **options: object) -> scireport.build.BuildResult:
    return build(root, BuildOptions(**options))  # type: ignore[arg-type]


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def fonts(path: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return sorted(line.split()[0].split("+")[-1] for line in out.stdout.splitlines()[2:])


def test_parallel_cached_build_equals_serial_clean_build(warm_three: Path) -> None:
    """The session's build (parallel, elsewhere), built again from its cache, is byte for
    byte a serial clean build here, in both editions: builds are reproducible."""
    small_project = warm_three  # built cold with --jobs 2 into build/, in another folder
    cached = run(small_project, out=Path("build"), jobs=2)
    assert cached.typeset == 0 and cached.from_cache == len(CITIES) + SECTIONS
    both = ["print", "screen"]
    serial = run(small_project, out=Path("ser"), jobs=1, cache=False, editions=both)
    assert serial.typeset == 2 * (len(CITIES) + SECTIONS)
    for edition in both:
        for name in ("report.pdf", *(f"cities/{slug}.pdf" for slug in CITIES)):
            one = (small_project / "build" / edition / name).read_bytes()
            two = (small_project / "ser" / edition / name).read_bytes()
            assert one == two, f"{edition}/{name} differs"
    book = small_project / "ser/print/report.pdf"
    assert len(set(fonts(book))) == len(fonts(book))  # each font once
    assert len(page_texts(book)) - 1 == FRONT_PAGES + 2 * len(CITIES) + BACK_PAGES


@pytest.fixture
def two_cities(tmp_path: Path) -> Path:
    """Two sample profiles, no index data: the smallest book with every kind of part."""
    root = tmp_path / "two"
    shutil.copytree(REPO / "layouts", root / "layouts")
    write_tree(root, {"scireport.yaml": CONFIG})
    for slug in ("seoul", "amsterdam"):
        write_tree(root, {f"profiles/{slug}.yaml": (REPO / f"profiles/{slug}.yaml").read_text()})
    return root


def test_each_kind_of_input_invalidates_what_it_should(two_cities: Path, monkeypatch) -> None:
    small_project = two_cities
    everything = run(small_project, jobs=1).typeset
    profile = small_project / "profiles" / "amsterdam.yaml"
    profile.write_text(
        profile.read_text("utf-8").replace("암스테르담은", "암스테르담 시는", 1), "utf-8"
    )
    assert (run(small_project, jobs=1).typeset, run(small_project, jobs=1).typeset) == (1, 0)

    assert everything >= 4  # cover, contents, two cities, back cover
    edits = {
        "layouts/default/city.html": ("</article>", "<p>.</p></article>"),
        "layouts/default/style.css": ("font-size: 17pt", "font-size: 17.5pt"),
        "scireport.yaml": ("year: 2022", "year: 2023"),
    }
    for name, (old, new) in edits.items():
        path = small_project / name
        path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
        assert run(small_project, jobs=1).typeset == everything, name

    monkeypatch.setattr(scireport.cache, "font_files", lambda family: ("a-newer-font.otf:1:2",))
    assert run(small_project, jobs=1).typeset == everything


def crashing_run_task(task: scireport.typeset.PageTask, **options: Any) -> dict[str, object]:
    """Kill the worker that gets Amsterdam; run normally in the parent process."""
    if task.name == "amsterdam" and os.getpid() != PARENT:
        os._exit(1)
    return ORIGINAL_RUN_TASK(task, **options)


ORIGINAL_RUN_TASK = scireport.typeset.run_task


def test_a_crashed_worker_is_detected_and_its_city_rebuilt(
    small_project: Path, monkeypatch
) -> None:
    monkeypatch.setattr(scireport.typeset, "run_task", crashing_run_task)
    monkeypatch.setattr(scireport.build, "run_task", crashing_run_task)
    result = run(small_project, jobs=2)
    assert result.recovered >= 1
    book = page_texts(small_project / "build/print/report.pdf")
    assert any("AMSTERDAM" in page for page in book)
    assert len(book) - 1 == FRONT_PAGES + 2 * len(CITIES) + BACK_PAGES


def test_a_corrupted_cache_entry_is_rebuilt_not_used(warm_three: Path) -> None:
    small_project = warm_three
    entries = sorted((small_project / "build/.cache/print-ko").glob("*.pdf"))
    assert entries
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2])
    result = run(small_project, jobs=1)
    assert result.recovered == len(entries) and result.typeset == len(entries)
    assert "SEOUL" in "".join(page_texts(small_project / "build/print/report.pdf"))


def test_one_city_alone(small_project: Path) -> None:
    result = run(small_project, cities=["barcelona"], jobs=1)
    assert [o.path.name for o in result.outputs] == ["barcelona.pdf"]
    assert not (small_project / "build/print/report.pdf").exists()
    text = page_texts(small_project / "build/print/cities/barcelona.pdf")
    page = start_pages(small_project)["barcelona"]
    assert "BARCELONA" in text[0] and re.search(rf"\b{page}\b", text[0])  # its book page


def test_contents_links_and_bookmarks_point_at_the_cities(built_three: Path) -> None:
    import pikepdf

    small_project = built_three
    with pikepdf.open(small_project / "build/print/report.pdf") as pdf:
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert titles == [  # the layout's bookmarks: cover, contents, sections, cities as printed
            "Smart Cities Index Report", "목차", "들어가며", "스마트시티 지수 순위", "평가 방법",
            *(name.upper() for name in CITY_NAMES),
        ]  # fmt: skip
        annotations = [a for a in pdf.pages[1].Annots if a.Subtype == "/Link"]
        targets = {a.Dest[0].objgen for a in annotations}
        starts = start_pages(small_project)
        wanted = [starts[key] - 1 for key in ("@introduction", "@ranking", *CITIES)]
        assert {pdf.pages[i].objgen for i in wanted} <= targets
        width = float(pdf.pages[1].TrimBox[2])
        for annotation in annotations:  # one contents row each, on the page
            x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
            assert 0 <= x0 < x1 <= width and 0 < y1 - y0 < 30


def test_repeated_city_is_built_once(small_project: Path) -> None:
    result = run(small_project, cities=["seoul", "seoul"], jobs=2)
    assert [o.path.name for o in result.outputs] == ["seoul.pdf"]


def test_contents_longer_than_planned_is_refused(small_project: Path) -> None:
    from scireport.errors import UserError

    css = small_project / "layouts/default/style.css"
    css.write_text(css.read_text("utf-8") + "\n.toc td { padding: 40mm 0 }\n", "utf-8")
    with pytest.raises(UserError, match="toc_entries_per_page"):
        run(small_project, jobs=1)


@contextlib.contextmanager
def _watching(root: Path, options: BuildOptions) -> Iterator[Callable[[int], list[Any]]]:
    """``watch`` in a thread, stopped at the end; yields ``wait_for(count)``, which waits for
    that many reports and returns them all."""
    reports: list[Any] = []
    stop = threading.Event()
    arrived = threading.Condition()

    def report(result: object) -> None:
        with arrived:
            reports.append(result)
            arrived.notify_all()

    def wait_for(count: int) -> list[Any]:
        with arrived:
            assert arrived.wait_for(lambda: len(reports) >= count, timeout=60)
        return reports

    thread = threading.Thread(
        target=scireport.build.watch, args=(root, options, report), kwargs={"stop": stop}
    )
    thread.start()
    try:
        yield wait_for
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


def test_watch_rebuilds_on_save_and_reports_errors_without_exiting(warm_three: Path) -> None:
    from scireport.errors import UserError

    with _watching(warm_three, BuildOptions(jobs=1)) as wait_for:
        wait_for(1)
        profile = warm_three / "profiles" / "seoul.yaml"
        good = profile.read_text("utf-8")
        profile.write_text(good.replace("city: Seoul", "city: [Seoul"), "utf-8")
        assert isinstance(wait_for(2)[1], UserError)
        profile.write_text(good.replace("서울의 스마트시티", "서울 스마트시티", 1), "utf-8")
        assert getattr(wait_for(3)[2], "typeset", None) == 1


def test_watch_with_both_editions_writes_the_screen_one_in_its_warm_writer(
    warm_three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--watch --edition both``: after the first build a warm writer process is started,
    a save is written by both processes (the screen edition by the writer), and stopping
    the watch ends the writer."""
    import multiprocessing

    log = tmp_path / "writes.log"
    log_writes(log, monkeypatch)
    with _watching(warm_three, BuildOptions(jobs=2, editions=["print", "screen"])) as wait_for:
        wait_for(1)
        deadline = time.monotonic() + 30
        while not multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        [writer] = multiprocessing.active_children()
        log.unlink()
        profile = warm_three / "profiles" / "seoul.yaml"
        text = profile.read_text("utf-8")
        profile.write_text(text.replace("서울의 스마트시티", "서울 스마트시티", 1), "utf-8")
        result = wait_for(2)[1]
        assert result.typeset == 2  # one city of each edition, each in its own process
        assert {(o.edition, o.kind) for o in result.outputs if o.written} == {
            (e, k) for e in ("print", "screen") for k in ("book", "city")
        }
        assert writer.is_alive()
        assert writes_logged(log) == {("print", os.getpid()), ("screen", writer.pid)}
    assert not writer.is_alive()


def test_a_removed_city_disappears_from_the_book_and_its_pdf_is_deleted(
    warm_three: Path,
) -> None:
    small_project = warm_three
    run(small_project, jobs=1)  # the copy's outputs are current again (the ledger is here)
    mine = small_project / "build/print/cities/barcelona.pdf"
    assert mine.exists()
    (small_project / "build/print/cities/notes.pdf").write_bytes(b"the editor's own file")
    (small_project / "profiles/barcelona.yaml").unlink()
    for table in (small_project / "data").glob("*.csv"):  # its rows go with it
        rows = table.read_text("utf-8").splitlines(keepends=True)
        table.write_text("".join(r for r in rows if not r.startswith("barcelona,")), "utf-8")
    result = run(small_project, jobs=1)
    assert result.removed == 1 and not mine.exists()
    assert (small_project / "build/print/cities/notes.pdf").exists()  # not ours: kept
    book = page_texts(small_project / "build/print/report.pdf")
    assert len(book) - 1 == FRONT_PAGES + 2 * 2 + BACK_PAGES
    assert not any("BARCELONA" in p for p in book[FRONT_PAGES:])
