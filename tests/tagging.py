"""Facts about a tagged PDF's structure tree, read with pikepdf, for the tests to compare.

:func:`tree_facts` walks the whole tree from the StructTreeRoot once and checks, as it
goes, what a whole tree needs (raising AssertionError with what is wrong): one Document
element, every element's /P its parent, every /Pg one of the file's pages, every MCID
of every page's content reached from exactly one element, the ParentTree mapping each
page's MCIDs and each annotation back to the element holding it, and every Link
annotation tied to a Link element by an OBJR.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf


@dataclass
class TreeFacts:
    """What a structure tree holds, page by page."""

    pages: int = 0
    types: list[Counter[str]] = field(default_factory=list)
    """Per page: how many elements of each type (by /Pg)."""
    alts: list[list[str]] = field(default_factory=list)
    """Per page: the /Alt of each Figure, in tree order."""
    langs: list[list[str]] = field(default_factory=list)
    """Per page: the /Lang of each element that has one, in tree order."""
    scopes: list[list[str]] = field(default_factory=list)
    """Per page: the /Scope of each header cell that has one, in tree order."""
    links: list[list[str]] = field(default_factory=list)
    """Per page: the /Contents of each Link annotation tied to an element, in tree order."""
    ids: Counter[str] = field(default_factory=Counter)
    """How many elements carry each /ID."""
    headers: set[str] = field(default_factory=set)
    """Every id a table cell's /Headers names."""


def _kids(element: Any) -> list[Any]:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def content_mcids(pdf: pikepdf.Pdf, page: pikepdf.Page) -> list[int]:
    """The MCIDs of the marked content in the page's content stream."""
    found = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC" and len(operands) == 2:
            props = operands[1]
            if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                found.append(int(props.MCID))
            elif isinstance(props, pikepdf.Name):
                resource = page.obj.Resources.Properties[props]
                if "/MCID" in resource:
                    found.append(int(resource.MCID))
    return found


def _numbers(node: Any) -> dict[int, Any]:
    found: dict[int, Any] = {}
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            found[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids") or []:
        found.update(_numbers(kid))
    return found


def tree_facts(path: Path, *, artifacts: bool = True) -> TreeFacts:
    """Walk the structure tree of the PDF at ``path``; check it is whole (see the module).

    ``artifacts=False`` lets content that no element reaches pass (what WeasyPrint 70 does
    with margin boxes, and so the screen book before scireport made them artifacts).
    """
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        facts = TreeFacts(pages=len(pdf.pages))
        for name in ("types", "alts", "langs", "scopes", "links"):
            setattr(facts, name, [Counter() if name == "types" else [] for _ in pdf.pages])
        root = pdf.Root.StructTreeRoot
        tops = _kids(root)
        assert len(tops) == 1 and tops[0].S == "/Document", "one Document element"
        reached: dict[tuple[int, int], tuple[int, int]] = {}  # (page, mcid) -> element
        objrs: dict[tuple[int, int], tuple[int, int]] = {}  # annotation -> element
        stack = [(tops[0], root)]
        seen: set[tuple[int, int]] = set()
        while stack:
            element, parent = stack.pop()
            assert element.objgen not in seen, "an element is in the tree twice"
            seen.add(element.objgen)
            assert element.P.objgen == parent.objgen, f"{element.S}: /P is not its parent"
            page = pages[element.Pg.objgen] if "/Pg" in element else None
            assert "/Pg" not in element or page is not None, "/Pg on no page of the file"
            kind = str(element.S)
            if page is not None:
                facts.types[page][kind] += 1
                if kind == "/Figure":
                    facts.alts[page].append(str(element.get("/Alt", "")))
                if "/Lang" in element:
                    facts.langs[page].append(str(element.Lang))
                attributes = element.get("/A")
                if isinstance(attributes, pikepdf.Dictionary) and "/Scope" in attributes:
                    facts.scopes[page].append(str(attributes.Scope))
                if isinstance(attributes, pikepdf.Dictionary) and "/Headers" in attributes:
                    facts.headers.update(str(h) for h in attributes.Headers)
            if "/ID" in element:
                facts.ids[str(element.ID)] += 1
            children = []
            for kid in _kids(element):
                if isinstance(kid, int):
                    assert page is not None, "an MCID in an element with no page"
                    key = (page, int(kid))
                    assert key not in reached, f"MCID {kid} of page {page} reached twice"
                    reached[key] = element.objgen
                elif kid.get("/Type") == "/MCR":
                    mcr_page = pages[(kid.Pg if "/Pg" in kid else element.Pg).objgen]
                    key = (mcr_page, int(kid.MCID))
                    assert key not in reached, f"MCID {kid.MCID} of page {mcr_page} reached twice"
                    reached[key] = element.objgen
                elif kid.get("/Type") == "/OBJR":
                    objrs[kid.Obj.objgen] = element.objgen
                    if kind == "/Link" and page is not None:
                        facts.links[page].append(str(kid.Obj.get("/Contents", "")))
                else:
                    children.append((kid, element))
            stack += reversed(children)
        tree = _numbers(root.ParentTree)
        next_key = int(root.get("/ParentTreeNextKey", 0))
        assert "/ParentTreeNextKey" not in root or next_key > max(tree), "ParentTreeNextKey"
        for n, page in enumerate(pdf.pages):
            mcids = content_mcids(pdf, page)
            in_tree = sorted(m for p, m in reached if p == n)
            if not artifacts:
                mcids = [m for m in mcids if (n, m) in reached]
            assert sorted(mcids) == in_tree, (
                f"page {n + 1}: the MCIDs in its content and in the tree differ"
            )
            if mcids:
                mapped = tree[int(page.obj.StructParents)]
                for mcid in mcids:
                    assert mapped[mcid].objgen == reached[(n, mcid)], (
                        f"page {n + 1}: ParentTree entry of MCID {mcid} is not its element"
                    )
            for annotation in page.obj.get("/Annots") or []:
                if annotation.get("/Subtype") != "/Link":
                    continue
                assert "/StructParent" in annotation, f"page {n + 1}: a Link with no StructParent"
                element = tree[int(annotation.StructParent)]
                assert element.S == "/Link", f"page {n + 1}: a link mapped to a {element.S}"
                assert objrs.get(annotation.objgen) == element.objgen, (
                    f"page {n + 1}: a Link annotation with no OBJR from its element"
                )
                assert "/Contents" in annotation, f"page {n + 1}: a Link with no /Contents"
        return facts


def page_texts(path: Path) -> list[str]:
    """The text of each page, as pdftotext extracts it."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]
