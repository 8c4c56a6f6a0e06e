"""Small pikepdf helpers that the stitcher and the finisher share."""

from __future__ import annotations

from typing import Any

import pikepdf


def repoint(
    pdf: pikepdf.Pdf,
    replace: dict[tuple[int, int], Any],
    objects: list[Any] | None = None,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Make every reference in ``pdf`` to an object in ``replace`` (by object and generation
    number) point at its replacement instead: in every object, stream dictionary and the
    trailer (or only in ``objects``, when the caller knows no other object refers to
    them). Values under the dictionary keys in ``skip`` are not searched (the caller knows
    they cannot hold such a reference). The objects replaced are left unreferenced, so
    saving drops them."""

    def visit(container: Any) -> None:
        if isinstance(container, pikepdf.Stream):
            container = container.stream_dict
        items = (
            container.items() if isinstance(container, pikepdf.Dictionary) else enumerate(container)
        )
        for key, value in list(items):
            if key in skip or not isinstance(
                value, pikepdf.Stream | pikepdf.Dictionary | pikepdf.Array
            ):
                continue
            if value.is_indirect:
                if value.objgen in replace:
                    container[key] = replace[value.objgen]
            else:
                visit(value)

    for obj in pdf.objects if objects is None else objects:
        if isinstance(obj, pikepdf.Stream | pikepdf.Dictionary | pikepdf.Array):
            visit(obj)
    if objects is None:
        visit(pdf.trailer)


def inherited(page: pikepdf.Dictionary, key: str) -> Any:
    """A page attribute, looked up the page tree (MediaBox, CropBox, Resources, Rotate)."""
    node: Any = page
    for _ in range(64):
        if node is None:
            return None
        value = node.get(key)
        if value is not None:
            return value
        node = node.get("/Parent")
    return None
