"""Write stage for the screen book: one whole structure tree from the tagged parts.

The screen book is stitched from the cached, tagged (PDF/UA or PDF/A-2a) part PDFs like the
print book (see stitch.py). Each part has a structure tree of its own: a StructTreeRoot
holding one Document element, a ParentTree mapping each page's marked content (MCIDs) and
each annotation back to its element. :class:`StructureMerger` makes one tree of them:

- the book (opened from the first part) keeps its StructTreeRoot and Document element;
  every later part's top elements are appended to that Document, in book order, their /P
  pointing at it;
- pikepdf copies a foreign object with one map per source file, so once a part's pages are
  in the book, copying its structure elements points their /Pg at the copied pages (each
  one is checked);
- every key of a part's ParentTree is moved past those already used (pages' /StructParents
  and annotations' /StructParent with it); ``/ParentTreeNextKey`` is set;
- table header ids (/ID, and the /Headers that name them) get the part's number, so that
  two parts' tables never share an id, and the book gets the IDTree that resolves them
  (WeasyPrint writes none); RoleMap and ClassMap entries are merged;
- a part whose /Lang differs from the book's gives its top elements that /Lang.

The links between parts (contents and ranking to a city or section) cannot be resolved
when a part is typeset alone: WeasyPrint then tags the ``<a>`` as a Link element with its
text but writes no annotation. ``weasy.py`` marks each such element with its anchor
(:data:`~.weasy.LINK_MARK`); :meth:`StructureMerger.link` adds the Link annotation and the
OBJR that ties it to that very element, so the reading order stays the one of the HTML.

:func:`mark_untagged_as_artifacts` runs on each tagged part as it is typeset (before it is
cached): the running headers and page numbers WeasyPrint tags outside the tree become
artifacts, so every MCID of the book is reached from exactly one element.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pikepdf

from .weasy import LINK_MARK


@dataclass(frozen=True)
class TaggedBook:
    """How a tagged (screen) book is stitched."""

    title: str
    """The book's title, written in the document information and the XMP ``dc:title``."""


class BookLink(Protocol):
    """A link between two pages of the book (``stitch.Link``)."""

    @property
    def page(self) -> int:
        """0-based index of the page holding the link."""

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """x0, y0, x1, y1 in PDF points."""

    @property
    def target(self) -> int:
        """0-based index of the page the link jumps to."""

    @property
    def anchor(self) -> str:
        """The anchor's name."""


def _numbers(node: Any) -> Iterator[tuple[int, Any]]:
    """Every (key, value) of a number tree, flat (``/Nums`` and ``/Kids`` alike)."""
    if node is None:
        return
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids") or []:
        yield from _numbers(kid)


def _kids(element: Any) -> list[Any]:
    """The /K of a structure element as a list (it may be one object or absent)."""
    k = element.get("/K")
    if k is None:
        return []
    if isinstance(k, pikepdf.Array):
        return list(k)
    return [k]


def _is_element(obj: Any) -> bool:
    """Is ``obj`` a structure element (not an MCID, a marked-content or object reference)?"""
    return isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") not in ("/MCR", "/OBJR")


def _top_elements(root: Any) -> tuple[Any, list[Any]]:
    """The Document element of a structure tree root, and its child elements."""
    tops = [k for k in _kids(root) if _is_element(k)]
    documents = [k for k in tops if k.get("/S") == "/Document"]
    if len(documents) != 1 or len(tops) != 1:
        raise ValueError("a tagged part must have one Document element at its root")
    document = documents[0]
    return document, [k for k in _kids(document) if _is_element(k)]


def _unresolved_link(element: Any) -> bool:
    """Is ``element`` a Link element with no annotation (no OBJR among its kids)?"""
    return element.get("/S") == "/Link" and not any(
        isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR" for k in _kids(element)
    )


def _headed(element: Any) -> Any | None:
    """The attributes of ``element`` when they name table headers (/Headers), else None."""
    attributes = element.get("/A")
    headed = isinstance(attributes, pikepdf.Dictionary) and "/Headers" in attributes
    return attributes if headed else None


def _needs_visit(element: Any) -> bool:
    """Does :meth:`StructureMerger._visit` change or keep anything of ``element``? (The
    same tests as that method's, in its order: a change there is a change here.)"""
    return (
        "/ID" in element
        or _headed(element) is not None
        or LINK_MARK in element
        or _unresolved_link(element)
    )


def _element_at(tops: Sequence[Any], path: Sequence[int]) -> Any:
    """The element at ``path``: an index into ``tops``, then into each element's /K
    (IndexError or ValueError: there is none)."""
    if not path:
        raise ValueError("an empty path")
    element = tops[path[0]]
    for index in path[1:]:
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Array):
            element = kids[index]
        elif index == 0 and kids is not None:  # a /K of one kid
            element = kids
        else:
            raise IndexError(index)
    if not _is_element(element):
        raise ValueError("a tagged part's survey names no structure element")
    return element


def survey_structure(pdf: pikepdf.Pdf) -> dict[str, Any]:
    """Where in a tagged part's tree the elements are that stitching it into a book changes
    (``{"structure": [path, ...]}``, each path an index into the Document's child elements,
    then into each element's /K, in the order a walk of the tree meets them).

    Taken as the part is typeset, before it is cached (in the same open of the PDF), so
    that :meth:`StructureMerger.add` visits some dozens of elements a city instead of
    walking some three hundred. Every element's /Pg is checked here to be one of the
    part's pages; a part that fails that, or has no single Document, gets no survey (and
    is walked, and refused, when stitched).
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return {}
    try:
        _, tops = _top_elements(root)
    except ValueError:
        return {}
    pages = {page.obj.objgen for page in pdf.pages}
    found: list[list[int]] = []
    stack: list[tuple[Any, list[int]]] = [(top, [n]) for n, top in enumerate(tops)][::-1]
    while stack:
        element, path = stack.pop()
        if "/Pg" in element and element.Pg.objgen not in pages:
            return {}
        if _needs_visit(element):
            found.append(path)
        kids = _kids(element)
        stack += [(k, [*path, n]) for n, k in enumerate(kids) if _is_element(k)][::-1]
    return {"structure": found}


@dataclass
class _Pending:
    """A Link element that WeasyPrint tagged without an annotation (its anchor was in
    another part)."""

    page: int
    """0-based book page of the element."""
    anchor: str | None
    """The anchor it links to (None: an element written before links were marked)."""
    element: Any
    """The Link structure element."""


class StructureMerger:
    """Merges the structure trees of a book's parts as their pages are stitched."""

    def __init__(self, book: pikepdf.Pdf, tagged: TaggedBook) -> None:
        self.book = book
        self.tagged = tagged
        root = book.Root.get("/StructTreeRoot")
        if root is None:
            raise ValueError("the first part of a tagged book has no structure tree")
        self.root = root
        self.document, tops = _top_elements(root)
        self.lang = str(book.Root.get("/Lang", ""))
        self.entries: list[tuple[int, Any]] = list(_numbers(root.get("/ParentTree")))
        self.next_key = max(
            [int(root.get("/ParentTreeNextKey", 0))] + [key + 1 for key, _ in self.entries]
        )
        self.parts = 0
        self.pending: dict[int, list[_Pending]] = {}
        """The Link elements without an annotation on each book page, in tree order."""
        self.ids: dict[str, Any] = {}
        """Element of each /ID (the IDTree that table cells' /Headers resolve through)."""
        self.marked: list[Any] = []
        """Every element carrying :data:`~.weasy.LINK_MARK` (removed when finished)."""
        self._walk(tops, 0, 0, len(book.pages))

    def add(
        self, part: pikepdf.Pdf, start: int, survey: Sequence[Sequence[int]] | None = None
    ) -> None:
        """Append the structure of ``part``, whose pages are book pages ``start``... now.

        Call it while ``part`` is open, after its pages were copied into the book. With
        ``survey`` (:func:`survey_structure` of this very part), only the elements it names
        are looked at; without, the whole tree is walked.
        """
        self.parts += 1
        book = self.book
        root = part.Root.get("/StructTreeRoot")
        if root is None:
            raise ValueError("a part of a tagged book has no structure tree")
        document, tops = _top_elements(root)
        for top in tops:  # copied without its parents: it gets the book's Document
            if "/P" in top:  # (gone from a part kept open since the last book)
                del top["/P"]
        offset = self.next_key
        tree = root.get("/ParentTree")
        entries: list[tuple[int, Any]] = []
        if tree is not None:
            if not tree.is_indirect:  # (kept so: a part kept open is merged again)
                tree = root.ParentTree = part.make_indirect(tree)
            entries = list(_numbers(book.copy_foreign(tree)))
        copied = [book.copy_foreign(top if top.is_indirect else part.make_indirect(top))
                  for top in tops]  # fmt: skip
        part_next = max([int(root.get("/ParentTreeNextKey", 0))] + [key + 1 for key, _ in entries])
        self.entries += [(key + offset, value) for key, value in entries]
        self.next_key = offset + part_next
        for page in book.pages[start:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots") or []:
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        lang = part.Root.get("/Lang")
        kids = self.document.get("/K")
        if not isinstance(kids, pikepdf.Array):
            kids = self.document.K = pikepdf.Array(_kids(self.document))
        for top in copied:
            top.P = self.document
            if lang is not None and str(lang) != self.lang and "/Lang" not in top:
                top.Lang = pikepdf.String(str(lang))
            kids.append(top)
        self._merge_maps(root)
        if survey is None:
            self._walk(copied, self.parts, start, len(book.pages))
            return
        try:
            elements = [_element_at(copied, path) for path in survey]
        except (IndexError, ValueError):  # not this part's survey: walk it
            self._walk(copied, self.parts, start, len(book.pages))
            return
        pages = self._pages(start, len(book.pages))
        for element in elements:
            self._visit(element, self.parts, pages)

    def _merge_maps(self, root: Any) -> None:
        """Add the part's RoleMap and ClassMap entries the book does not have yet."""
        for key in ("/RoleMap", "/ClassMap"):
            theirs = root.get(key)
            if theirs is None:
                continue
            if key not in self.root:
                self.root[key] = pikepdf.Dictionary()
            ours = self.root[key]
            for name, value in theirs.items():
                if name not in ours:
                    ours[name] = self.book.copy_foreign(value) if value.is_indirect else value

    def _pages(self, first: int, end: int) -> dict[tuple[int, int], int]:
        """Book page index of each page object of book pages first..end-1."""
        return {page.obj.objgen: n for n, page in enumerate(self.book.pages[first:end], first)}

    def _walk(self, elements: list[Any], part: int, first: int, end: int) -> None:
        """:meth:`_visit` every element of part number ``part`` (book pages first..end-1)."""
        pages = self._pages(first, end)
        stack = list(reversed(elements))
        while stack:
            element = stack.pop()
            self._visit(element, part, pages)
            stack += reversed([k for k in _kids(element) if _is_element(k)])

    def _visit(self, element: Any, part: int, pages: Mapping[tuple[int, int], int]) -> None:
        """Check and adjust one element of part number ``part`` (on one of ``pages``).

        Its /Pg must be one of the part's pages in the book; table ids get the part's
        number; a Link element without an annotation is kept for :meth:`link`. What it
        looks for, :func:`_needs_visit` looks for too (a surveyed part is visited only
        where that said yes).
        """
        page = None
        if "/Pg" in element:
            page = pages.get(element.Pg.objgen)
            if page is None:
                raise ValueError(
                    f"a structure element of part {part + 1} is on no page of that part"
                )
        if "/ID" in element:
            element.ID = pikepdf.String(f"p{part}-{element.ID}")
            self.ids[str(element.ID)] = element
        attributes = _headed(element)
        if attributes is not None:
            attributes.Headers = pikepdf.Array(
                [pikepdf.String(f"p{part}-{h}") for h in attributes.Headers]
            )
        if LINK_MARK in element:
            self.marked.append(element)
        if _unresolved_link(element):
            mark = element.get(LINK_MARK)
            anchor = str(mark) if mark is not None else None
            if page is not None:
                self.pending.setdefault(page, []).append(_Pending(page, anchor, element))

    def link(self, link: BookLink, titles: Mapping[int, str] | None = None) -> None:
        """Add ``link`` as a Link annotation, tied to the Link element tagged for it.

        Its ``/Contents`` (what a screen reader says of the link) is the outline title of
        the page it opens, or of the last page before it with one (``titles``: outline
        titles by 0-based page), else the page's number.

        The element is the first one left on the link's page for its anchor (links to
        one anchor follow the HTML's order, as the elements do); one tagged before links
        were marked is taken in order; with none, a Link element is added at the end.
        """
        book = self.book
        page = book.pages[link.page]
        on_page = self.pending.get(link.page, [])
        found = next((p for p in on_page if p.anchor == link.anchor), None) or next(
            (p for p in on_page if p.anchor is None), None
        )
        if found is not None:
            on_page.remove(found)
            element = found.element
        else:
            element = book.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.StructElem, S=pikepdf.Name.Link, P=self.document,
                    Pg=page.obj, K=pikepdf.Array(),
                )
            )  # fmt: skip
            self.document.K.append(element)
        key = self.next_key
        self.next_key += 1
        annotation = book.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=pikepdf.Array(list(link.rect)),
                BS=pikepdf.Dictionary(W=0),
                Border=pikepdf.Array([0, 0, 0]),
                Contents=pikepdf.String(_description(link.target, titles or {})),
                Dest=pikepdf.Array([book.pages[link.target].obj, pikepdf.Name.Fit]),
                StructParent=key,
            )
        )
        if "/Annots" not in page.obj:
            page.obj.Annots = pikepdf.Array()
        page.obj.Annots.append(annotation)
        reference = book.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annotation, Pg=page.obj)
        )
        element.K = pikepdf.Array([reference, *_kids(element)])
        self.entries.append((key, element))

    def finish(self, links: Iterable[BookLink], titles: Mapping[int, str] | None = None) -> None:
        """Add the links (described by ``titles``, see :meth:`link`), write the ParentTree
        and the book's title."""
        for link in links:
            self.link(link, titles)
        for element in self.marked:
            del element[LINK_MARK]
        nums: list[Any] = []
        for key, value in sorted(self.entries, key=lambda item: item[0]):
            nums += [key, value]
        self.root.ParentTree = self.book.make_indirect(pikepdf.Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = self.next_key
        if self.ids:
            names: list[Any] = []
            for name in sorted(self.ids, key=lambda text: text.encode("utf-8")):
                names += [pikepdf.String(name), self.ids[name]]
            self.root.IDTree = self.book.make_indirect(pikepdf.Dictionary(Names=names))
        self.root.K = pikepdf.Array([self.document])
        self.book.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        preferences = self.book.Root.get("/ViewerPreferences")
        if not isinstance(preferences, pikepdf.Dictionary):
            preferences = self.book.Root.ViewerPreferences = pikepdf.Dictionary()
        preferences.DisplayDocTitle = True
        with self.book.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:title"] = self.tagged.title
        self.book.docinfo.Title = pikepdf.String(self.tagged.title)


def mark_untagged_as_artifacts(pdf: pikepdf.Pdf) -> int:
    """Mark the content that no element of the tree reaches as artifacts; return how many.

    WeasyPrint 70 tags the text of margin boxes (running headers, page numbers) with
    MCIDs and elements that it leaves out of the tree: content neither reachable from the
    structure tree nor an artifact, which PDF/UA forbids. Each such ``BDC`` becomes
    ``/Artifact BMC`` and its ParentTree entry null.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
    reached: set[tuple[int, int]] = set()
    stack = [k for k in _kids(root) if _is_element(k)]
    while stack:
        element = stack.pop()
        page = pages.get(element.Pg.objgen) if "/Pg" in element else None
        for kid in _kids(element):
            if isinstance(kid, int) and page is not None:
                reached.add((page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                owner = kid.Pg if "/Pg" in kid else element.get("/Pg")
                if owner is not None and owner.objgen in pages:
                    reached.add((pages[owner.objgen], int(kid.MCID)))
            elif _is_element(kid):
                stack.append(kid)
    tree = dict(_numbers(root.get("/ParentTree")))
    changed = 0
    for n, sheet in enumerate(pdf.pages):
        instructions = pikepdf.parse_content_stream(sheet)
        orphans = 0
        for i, instruction in enumerate(instructions):
            operands, operator = instruction.operands, instruction.operator
            if str(operator) != "BDC" or len(operands) != 2:
                continue
            props = operands[1]
            if not isinstance(props, pikepdf.Dictionary) or "/MCID" not in props:
                continue
            mcid = int(props.MCID)
            if (n, mcid) in reached:
                continue
            instructions[i] = pikepdf.ContentStreamInstruction(
                [pikepdf.Name.Artifact], pikepdf.Operator("BMC")
            )
            orphans += 1
            mapped = tree.get(int(sheet.obj.get("/StructParents", -1)))
            if isinstance(mapped, pikepdf.Array) and mcid < len(mapped):
                mapped[mcid] = None
        if orphans:
            sheet.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
            changed += orphans
    return changed


def _description(target: int, titles: Mapping[int, str]) -> str:
    """What a link to page ``target`` (0-based) opens: the outline title of that page or of
    the last page before it with one; else the page's number."""
    before = [page for page in titles if page <= target]
    return titles[max(before)] if before else str(target + 1)
