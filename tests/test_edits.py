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
from conftest import warm_copy

from scireport.build import BuildOptions, Output, build
from scireport.layouts import load_layout
from scireport.preflight import preflight
from scireport.preflight.digest import PageDigester
from scireport.preflight.facts import facts_salt
from scireport.preflight.store import FactsStore
from scireport.project import load_config

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
    assert [(o.kind, o.edition) for o in order[:2]] == [("book", "print"), ("book", "screen")]
    assert {o.kind for o in order[2:]} == {"city"}  # the edited city, in both editions
    assert sorted(str(o.path.relative_to(warm_three)) for o in order[2:]) == [
        "build/print/cities/seoul.pdf",
        "build/screen/cities/seoul.pdf",
    ]
    together = build(other, BuildOptions(editions=BOTH))
    # the same files, byte for byte (SOURCE_DATE_EPOCH is set), and the same counts
    for path in ("print/report.pdf", "screen/report.pdf", "print/cities/seoul.pdf"):
        assert (warm_three / "build" / path).read_bytes() == (other / "build" / path).read_bytes()
    assert (first.typeset, first.from_cache) == (together.typeset, together.from_cache)
    assert first.typeset == 2  # one city, each edition once


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
