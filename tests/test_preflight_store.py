"""The facts store: a book preflighted with page facts kept from before gives the findings a
cold preflight gives, pages read before are not read again, and a page that changed is.

The books are real: parts typeset by WeasyPrint as PDF/X-4, stitched by the build's
stitcher (fonts subset anew over every part's glyphs) and finished for the press.
"""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest

from scireport.finish import finish_print
from scireport.preflight import facts as facts_module
from scireport.preflight import preflight
from scireport.preflight.store import FORMAT, FactsStore
from scireport.stitch import stitch

CMYK_ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
TRIM = (100.0, 140.0)
CSS = f"""
@color-profile device-cmyk {{
  components: cyan, magenta, yellow, black; src: url({CMYK_ICC.as_uri()}) }}
@page {{ size: {TRIM[0]}mm {TRIM[1]}mm; margin: 10mm; bleed: 3mm }}
body {{ margin: 0; font-family: 'Noto Sans CJK KR'; color: device-cmyk(0 0 0 1) }}
.band {{ background: device-cmyk(1 0.5 0 0); height: 20mm; margin: -13mm -13mm 4mm -13mm }}
.tint {{ color: device-cmyk(0 0 0 0.6); font-size: 7pt }}
"""
PARTS = [
    "<div class=band></div><h1>서울</h1><p>스마트 도시 전략: S-Net, S-Dot, S-Data.</p>",
    "<h1>부산</h1><p class=tint>작은 회색 글자</p><p style='break-before: page'>둘째 쪽</p>",
    "<h1>인천</h1><p>송도 국제도시의 데이터 플랫폼.</p>",
    "<h1>대구</h1><p>도시 통합 관제 센터.</p>",
]
CHANGED = (  # the third part, edited: RGB text and a character no font has (.notdef)
    "<h1>인천</h1><p>송도 국제도시의 데이터 플랫폼.</p>"
    "<p style='color: rgb(200 0 0)'>새 문장 \U00010000 끝</p>"
)


def _part(folder: Path, name: str, body: str) -> Path:
    import weasyprint

    path = folder / f"{name}.pdf"
    html = f"<html lang=ko><head><style>{CSS}</style></head><body>{body}</body></html>"
    weasyprint.HTML(string=html).write_pdf(path, pdf_variant="pdf/x-4")
    return path


def _book(parts: list[Path], target: Path) -> Path:
    stitch(parts, target, bookmarks=[], links=[])
    finish_print(
        target, trim_mm=TRIM, bleed_mm=3, marks=True, title="Book", authors=["A"], lang="ko"
    )
    return target


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[int]]:
    """The book, the book with its third part edited, and the edited part's pages."""
    folder = tmp_path_factory.mktemp("facts-books")
    parts = [_part(folder, f"part{n}", body) for n, body in enumerate(PARTS)]
    edited = [*parts[:2], _part(folder, "part2-edited", CHANGED), parts[3]]
    before = _book(parts, folder / "book.pdf")
    after = _book(edited, folder / "book-edited.pdf")
    with pikepdf.open(parts[0]) as a, pikepdf.open(parts[1]) as b:
        first = len(a.pages) + len(b.pages) + 1
    with pikepdf.open(edited[2]) as changed:
        pages = list(range(first, first + len(changed.pages)))
    return before, after, pages


def test_warm_store_gives_the_cold_findings_and_reads_only_the_changed_pages(
    books: tuple[Path, Path, list[int]], tmp_path: Path
) -> None:
    before, after, changed = books
    store = FactsStore(tmp_path / "facts")
    cold_before = preflight(before, edition="print")
    assert any(f.rule == "pdf-small-text-tint" for f in cold_before)  # facts worth keeping
    assert preflight(before, edition="print", store=store) == cold_before
    total = len(pikepdf.open(before).pages)
    assert (store.hits, store.misses) == (0, total)

    warm = FactsStore(store.folder)
    assert preflight(before, edition="print", store=warm) == cold_before
    assert (warm.hits, warm.misses) == (total, 0)  # not one page walked

    edited = FactsStore(store.folder)
    cold_after = preflight(after, edition="print")
    assert preflight(after, edition="print", store=edited) == cold_after
    # the edit's findings, on the edited pages, with the characters named (ToUnicode)
    seen = {(f.rule, f.page, f.message) for f in cold_before}
    new = [f for f in cold_after if (f.rule, f.page, f.message) not in seen]
    assert {f.rule for f in new} >= {"pdf-rgb", "pdf-notdef"}
    assert all(f.page in changed for f in new), (new, changed)
    notdef = next(f for f in new if f.rule == "pdf-notdef")
    assert "U+10000" in notdef.message
    # every other page came from the store, though the book's fonts were subset anew
    assert edited.misses == len(changed)
    assert edited.hits == len(pikepdf.open(after).pages) - len(changed)
    # and the edited pages' facts, taken from the store in turn, give their findings
    again = FactsStore(store.folder)
    assert preflight(after, edition="print", store=again) == cold_after
    assert again.misses == 0


def test_screen_facts_are_kept_apart_from_print_facts(
    books: tuple[Path, Path, list[int]], tmp_path: Path
) -> None:
    before, _, _ = books
    store = FactsStore(tmp_path / "facts")
    preflight(before, edition="print", store=store)
    screen = FactsStore(store.folder)
    assert preflight(before, edition="screen", store=screen) == preflight(before, edition="screen")
    assert screen.hits == 0  # the screen walk skips the print operators: other facts


def test_a_damaged_entry_is_a_miss_not_a_fact(
    books: tuple[Path, Path, list[int]], tmp_path: Path
) -> None:
    before, _, _ = books
    store = FactsStore(tmp_path / "facts")
    preflight(before, edition="print", store=store)
    entries = sorted(store.folder.glob("*.facts"))
    entries[0].write_bytes(entries[0].read_bytes()[:-7])  # truncated
    entries[1].write_bytes(b"other" + entries[1].read_bytes())
    data = bytearray(entries[2].read_bytes())
    data[len(FORMAT) + 40] ^= 0xFF  # one byte of the payload
    entries[2].write_bytes(bytes(data))
    again = FactsStore(store.folder)
    assert preflight(before, edition="print", store=again) == preflight(before, edition="print")
    assert again.misses == 3


def test_a_damaged_file_is_read_as_without_a_store(
    books: tuple[Path, Path, list[int]], tmp_path: Path
) -> None:
    before, _, _ = books
    store = FactsStore(tmp_path / "facts")
    preflight(before, edition="print", store=store)  # every page known
    damaged = tmp_path / "damaged.pdf"
    data = before.read_bytes()
    damaged.write_bytes(data[: data.rindex(b"startxref")])  # no cross-reference table
    cold = preflight(damaged, edition="print")
    assert any(f.rule == "pdf-unreadable" for f in cold)  # qpdf reports the damage
    assert preflight(damaged, edition="print", store=FactsStore(store.folder)) == cold


def test_near_a_document_limit_the_store_stands_aside(
    books: tuple[Path, Path, list[int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Facts from the store stand only when no document-wide limit could have cut the walk
    short: with the limit lowered so that the walk stops part-way, the findings are the
    cold ones, not the stored pages' full facts."""
    before, _, _ = books
    store = FactsStore(tmp_path / "facts")
    preflight(before, edition="print", store=store)
    with pikepdf.open(before) as pdf:
        operators = len(pikepdf.parse_content_stream(pdf.pages[0]))
    monkeypatch.setattr(facts_module, "MAX_DOCUMENT_OPERATORS", operators * 3)
    cold = preflight(before, edition="print")
    assert any(f.rule == "pdf-oversized" for f in cold)
    assert preflight(before, edition="print", store=FactsStore(store.folder)) == cold


def test_collect_keeps_what_was_used_since(
    books: tuple[Path, Path, list[int]], tmp_path: Path
) -> None:
    before, after, changed = books
    store = FactsStore(tmp_path / "facts")
    preflight(before, edition="print", store=store)
    stale = sorted(store.folder.glob("*.facts"))
    for entry in stale:
        os.utime(entry, (1_000_000, 1_000_000))  # long ago
    since = 2_000_000.0
    preflight(after, edition="print", store=FactsStore(store.folder))
    removed = FactsStore(store.folder).collect(since)
    assert removed == len(changed)  # the edited part's old pages, and nothing else
    kept = FactsStore(store.folder)
    preflight(after, edition="print", store=kept)
    assert kept.misses == 0
