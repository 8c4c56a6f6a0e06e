"""The screen edition is stitched from cached tagged parts and keeps one whole structure tree.

Before, the screen book was typeset again as one WeasyPrint document on every build
(``BookBuilder.write_tagged_book``). :func:`one_document_book` keeps that path here, so the
stitched book is compared with what it replaced: the same pages, text per page, elements
per page and type, /Alt, /Lang, /Scope and links, in the same order.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import THREE, start_pages, warm_copy
from tagging import TreeFacts, page_texts, tree_facts

import scireport.typeset
from scireport import weasy
from scireport.build import BookBuilder, BuildOptions, build
from scireport.stitch import Bookmark, Link, stitch
from scireport.structure import TaggedBook

CITIES = THREE


def one_document_book(root: Path, target: Path) -> int:
    """Write the screen book of the project at ``root`` the old way: every part laid out
    again and written by one WeasyPrint call (what ``write_tagged_book`` did)."""
    from scireport.data import report_data
    from scireport.layouts import load_layout
    from scireport.plan import Edition, EditionPlan
    from scireport.project import load_project
    from scireport.typeset import render_to_budget, set_metadata, typesetter_for

    project = load_project(root)
    assert project.config is not None
    layout = load_layout(root, project.config.layout)
    edition = Edition("screen", project.config.lang)
    plan = EditionPlan(
        project, project.config, layout, edition, root / "build", report_data(project)
    )
    builder = BookBuilder(plan, BuildOptions(editions=["screen"]), None)
    starts = plan.start_pages()
    typesetter = typesetter_for(plan.allowed)
    others = {task.name: task for task in builder.section_tasks(starts)}
    documents = []
    for part in plan.parts():
        if part.kind == "city":
            assert part.city is not None
            task = builder.city_task(part.city, part.start)
        else:
            task = others[part.key]
        documents.append(render_to_budget(typesetter, task)[0])
    pages = [page for document in documents for page in document.pages]
    book = documents[0].copy(pages)
    set_metadata(book, builder.pdf_meta())
    weasy.write_pdf(book, target, pdf_variant="pdf/ua-1")
    return len(pages)


@pytest.fixture(scope="module")
def three_cities(tmp_path_factory: pytest.TempPathFactory, built_three: Path) -> Path:
    """A warm copy of the session's three-city build, built again for the screen with the
    standalone PDFs, and beside it the book as one WeasyPrint document
    (``old-report.pdf``); returns the project."""
    root = warm_copy(built_three, tmp_path_factory.mktemp("tagged") / "project")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        build(root, BuildOptions(editions=["screen"], standalone=True))
        one_document_book(root, root / "old-report.pdf")
    return root


def compared(facts: TreeFacts) -> dict[str, object]:
    return {
        "pages": facts.pages,
        "types": facts.types,
        "alts": facts.alts,
        "langs": facts.langs,
        "scopes": facts.scopes,
        "links": [len(links) for links in facts.links],  # WeasyPrint describes a link by
        # its anchor's name (city-seoul); the stitched book by the title of the page it opens
    }


def test_stitched_screen_book_is_the_one_document_book(three_cities: Path) -> None:
    stitched = three_cities / "build" / "screen" / "report.pdf"
    old = three_cities / "old-report.pdf"
    new_facts = tree_facts(stitched)
    old_facts = tree_facts(old, artifacts=False)  # WeasyPrint leaves margin boxes untagged
    assert compared(new_facts) == compared(old_facts)
    assert page_texts(stitched) == page_texts(old)
    assert sum(len(links) for links in new_facts.links) == 12 + len(CITIES)  # contents, ranking
    assert any(facts.get("/Figure") for facts in new_facts.types)  # the charts
    assert all(alt.strip() for alts in new_facts.alts for alt in alts)
    assert any(new_facts.scopes)
    assert all(count == 1 for count in new_facts.ids.values())  # ids stay unique per part
    with pytest.raises(AssertionError, match="MCIDs in its content"):
        tree_facts(old)  # what the stitched book fixes: untagged running headers


def test_stitched_screen_book_is_a_valid_pdf_ua_file(three_cities: Path) -> None:
    stitched = three_cities / "build" / "screen" / "report.pdf"
    check = subprocess.run(["qpdf", "--check", str(stitched)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(stitched) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True and root.ViewerPreferences.DisplayDocTitle is True
        assert str(root.Lang) == "ko"
        tree = root.StructTreeRoot
        assert int(tree.ParentTreeNextKey) > 0
        names = tree.IDTree.Names  # every header id a cell names resolves to its TH
        ids = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        assert ids and all(element.S == "/TH" for element in ids.values())
        assert list(ids) == sorted(ids)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
            assert xmp.get("dc:title") == "Smart Cities Index Report 2022"
        assert str(pdf.docinfo.Title) == "Smart Cities Index Report 2022"
        assert not any(weasy.LINK_MARK in obj for obj in pdf.objects
                       if isinstance(obj, pikepdf.Dictionary))  # fmt: skip
    assert tree_facts(stitched).headers <= set(ids)


def test_contents_links_are_tagged_where_the_html_has_them(three_cities: Path) -> None:
    with pikepdf.open(three_cities / "build" / "screen" / "report.pdf") as pdf:
        starts = {p.obj.objgen: n for n, p in enumerate(pdf.pages)}
        contents = pdf.pages[1]
        links = [a for a in contents.obj.Annots if a.Subtype == "/Link"]
        assert len(links) == 12
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for annotation in links:
            element = tree[int(annotation.StructParent)]
            assert element.S == "/Link" and element.P.S in ("/TH", "/TD")  # in its cell
            assert element.K[0].Type == "/OBJR" and element.K[0].Obj.objgen == annotation.objgen
            assert any(isinstance(k, int) for k in element.K)  # with its text
            assert annotation.Dest[0].objgen in starts
        # a link says where it goes: the outline title of the page it opens
        titles = {str(a.Contents) for a in links}
        assert {"들어가며", "스마트시티 지수 순위", "SEOUL", "AMSTERDAM"} <= titles, titles
        assert not any("\u2060" in title or title.startswith("city-") for title in titles)
        seoul = [a for a in links if str(a.Contents) == "SEOUL"]
        first = start_pages(three_cities, "screen")["seoul"] - 1
        assert len(seoul) == 2 and {starts[a.Dest[0].objgen] for a in seoul} == {first}


def test_screen_outline_is_the_print_outline(built_three: Path) -> None:
    def titles(path: Path) -> list[tuple[str, int]]:
        with pikepdf.open(path) as pdf:
            pages = {p.obj.objgen: n for n, p in enumerate(pdf.pages)}
            with pdf.open_outline() as outline:
                return [(i.title, pages[i.destination[0].objgen]) for i in outline.root]

    screen = titles(built_three / "build" / "screen" / "report.pdf")
    assert screen == titles(built_three / "build" / "print" / "report.pdf")
    assert len(screen) == 5 + len(THREE)  # cover, contents, three sections, the cities


def test_screen_book_and_cities_have_whole_trees(built_three: Path) -> None:
    out = built_three / "build"
    book = out / "screen" / "report.pdf"
    facts = tree_facts(book)
    assert facts.pages == 7 + 2 * len(THREE) + 1
    with pikepdf.open(out / "print" / "report.pdf") as printed:
        print_links = sum(len(p.obj.get("/Annots") or []) for p in printed.pages)
    assert sum(len(links) for links in facts.links) == print_links
    for city in sorted((out / "screen" / "cities").glob("*.pdf")):
        tree_facts(city)
    check = subprocess.run(["qpdf", "--check", str(book)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_standalone_screen_city_is_stitched_from_cached_parts(
    three_cities: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = three_cities / "build" / "screen" / "standalone" / "seoul.pdf"
    facts = tree_facts(alone)
    assert facts.pages == 3  # a cover, then the city's two pages
    assert facts.types[1]["/Art"] == 1 and "SEOUL" in page_texts(alone)[1]
    with pikepdf.open(alone) as pdf:
        title = "Seoul · Smart Cities Index Report 2022"
        assert str(pdf.docinfo.Title) == title
        with pdf.open_metadata() as xmp:
            assert xmp.get("dc:title") == title and xmp.get("pdfuaid:part") == "1"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the cache keys of the fixture
    alone.unlink()

    def no_layout(*args: object) -> None:
        raise AssertionError("laid out again")

    monkeypatch.setattr(scireport.typeset.Typesetter, "render", no_layout)
    again = build(three_cities, BuildOptions(editions=["screen"], standalone=True))
    assert again.typeset == 0 and alone.exists()  # written again from the cached parts
    tree_facts(alone)


def test_one_edit_typesets_one_city_and_restitches_the_tree(
    warm_three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = warm_three / "profiles" / "barcelona.yaml"
    text = profile.read_text("utf-8")
    profile.write_text(text.replace("body: |\n  ", "body: |\n  바뀐 문장이다. ", 1), "utf-8")
    laid_out: list[str] = []
    render = scireport.typeset.Typesetter.render

    def counted(self: scireport.typeset.Typesetter, html: str, base_dir: Path) -> object:
        laid_out.append(html)
        return render(self, html, base_dir)

    monkeypatch.setattr(scireport.typeset.Typesetter, "render", counted)
    result = build(warm_three, BuildOptions(editions=["screen"]))
    assert result.typeset == 1 and result.from_cache > 1
    assert laid_out and all("<title>Barcelona ·" in html for html in laid_out)  # it alone
    book = warm_three / "build" / "screen" / "report.pdf"
    tree_facts(book)
    assert "바뀐 문장이다" in "".join(page_texts(book))


def _part(tmp_path: Path, name: str, html: str) -> Path:
    from weasyprint import HTML

    target = tmp_path / f"{name}.pdf"
    weasy.write_pdf(HTML(string=html).render(), target, pdf_variant="pdf/ua-1")
    return target


def _stitched(tmp_path: Path, marks: bool) -> Path:
    """Two parts, the first linking to an anchor of no part, then to one of the second."""
    first = _part(
        tmp_path,
        "first",
        '<html lang="ko"><title>책</title><p>차례</p>'
        '<p><a href="#nowhere">없음</a></p><p><a href="#far">멀리</a></p></html>',
    )
    second = _part(
        tmp_path, "second", '<html lang="en"><title>Book</title><h1 id="far">Far</h1></html>'
    )
    if not marks:  # a part cached before links were marked
        with pikepdf.open(first, allow_overwriting_input=True) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary) and weasy.LINK_MARK in obj:
                    del obj[weasy.LINK_MARK]
            pdf.save(first)
    book = tmp_path / "book.pdf"
    stitch(
        [first, second],
        book,
        bookmarks=[Bookmark("책", 0), Bookmark("Far", 1)],
        links=[Link(0, (72.0, 700.0, 120.0, 720.0), 1, "far")],
        tagged=TaggedBook("Book"),
    )
    return book


def _linked_elements(book: Path) -> list[bool]:
    """For each Link element of the book, in tree order: does it hold an OBJR?"""
    found = []
    with pikepdf.open(book) as pdf:
        stack = [pdf.Root.StructTreeRoot.K[0]]
        while stack:
            element = stack.pop()
            kids = list(element.K) if isinstance(element.K, pikepdf.Array) else [element.K]
            if element.S == "/Link":
                found.append(any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                                 for k in kids))  # fmt: skip
            stack += reversed([k for k in kids if isinstance(k, pikepdf.Dictionary)
                               and k.get("/Type") not in ("/MCR", "/OBJR")])  # fmt: skip
    return found


def test_a_link_is_tied_to_the_element_tagged_for_its_anchor(tmp_path: Path) -> None:
    book = _stitched(tmp_path, marks=True)
    facts = tree_facts(book)
    assert facts.links == [["Far"], []]
    assert _linked_elements(book) == [False, True]  # #nowhere stays as WeasyPrint left it
    assert facts.langs[1][:1] == ["en"]  # the second part's top element: its language
    with pikepdf.open(book) as pdf:
        assert str(pdf.Root.Lang) == "ko"
        document = pdf.Root.StructTreeRoot.K[0]
        assert [k.P.objgen for k in document.K] == [document.objgen] * len(document.K)


def test_a_part_cached_before_marks_still_gets_its_links_tagged(tmp_path: Path) -> None:
    book = _stitched(tmp_path, marks=False)
    assert tree_facts(book).links == [["Far"], []]
    assert _linked_elements(book) == [True, False]  # in order: the best it can do


def test_a_surveyed_part_is_stitched_as_a_walked_one(
    warm_three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The survey taken as a part is typeset (where the elements stitching changes are)
    gives the book that walking every part's whole tree gives, byte for byte."""
    import scireport.build

    calls: list[tuple[list[Path], dict[str, object]]] = []
    real = scireport.build.stitch

    def captured(parts: list[Path], target: Path, **options: object) -> int:
        calls.append((parts, options))
        return real(parts, target, **options)

    monkeypatch.setattr(scireport.build, "stitch", captured)
    (warm_three / "build" / "screen" / "report.pdf").unlink()
    build(warm_three, BuildOptions(editions=["screen"]))
    [(parts, options)] = calls
    surveys = options.pop("surveys")
    assert isinstance(surveys, list) and None not in surveys  # every part has one
    surveyed, walked = tmp_path / "surveyed.pdf", tmp_path / "walked.pdf"
    real(parts, surveyed, surveys=surveys, **options)  # type: ignore[arg-type]
    real(parts, walked, **options)  # type: ignore[arg-type]
    assert surveyed.read_bytes() == walked.read_bytes()
    wrong = [[[999]] for _ in surveys]  # a survey of another part: that part is walked
    real(parts, tmp_path / "wrong.pdf", surveys=wrong, **options)  # type: ignore[arg-type]
    assert (tmp_path / "wrong.pdf").read_bytes() == walked.read_bytes()
