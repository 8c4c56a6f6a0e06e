"""Colour: what family a colour space is, and what makes drawing transparent."""

from __future__ import annotations

from typing import Any

import pikepdf

from .base import short


def colour_kind(space: Any, resources: Any, depth: int = 0) -> str:
    """Classify a colour space: rgb, cmyk, gray, lab, spot, pattern or unknown."""
    if depth > 8 or space is None:
        return "unknown"
    if isinstance(space, pikepdf.Name):
        name = str(space)
        simple = {
            "/DeviceRGB": "rgb",
            "/RGB": "rgb",
            "/DeviceCMYK": "cmyk",
            "/CMYK": "cmyk",
            "/DeviceGray": "gray",
            "/G": "gray",
            "/Pattern": "pattern",
        }
        if name in simple:
            return simple[name]
        named = resource(resources, "/ColorSpace", name)
        return colour_kind(named, resources, depth + 1) if named is not None else "unknown"
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family == "/ICCBased" and len(space) > 1:
            components = space[1].get("/N")
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(
                int(components) if components is not None else 0, "unknown"
            )
        if family == "/CalRGB":
            return "rgb"
        if family == "/CalGray":
            return "gray"
        if family == "/Lab":
            return "lab"
        if family in ("/Indexed", "/I") and len(space) > 1:
            return colour_kind(space[1], resources, depth + 1)
        if family in ("/Separation", "/DeviceN"):
            return "spot"
        if family == "/Pattern":
            return "pattern"
        return colour_kind(space[0], resources, depth + 1)
    return "unknown"


def calibrated(space: Any, resources: Any, depth: int = 0) -> bool:
    """Whether a colour space is ICC-based or CIE-based (not allowed in PDF/X-1a)."""
    if depth > 8 or space is None:
        return False
    if isinstance(space, pikepdf.Name):
        named = resource(resources, "/ColorSpace", str(space))
        return named is not None and calibrated(named, resources, depth + 1)
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family in ("/ICCBased", "/Lab", "/CalRGB", "/CalGray"):
            return True
        if family in ("/Indexed", "/I") and len(space) > 1:
            return calibrated(space[1], resources, depth + 1)
    return False


def transparent_gstate(gstate: Any) -> str | None:
    """What in an ExtGState makes drawing transparent, or None."""
    if not isinstance(gstate, pikepdf.Dictionary):
        return None
    for key in ("/ca", "/CA"):
        value = gstate.get(key)
        if value is not None and float(value) < 1:
            return f"opacity {float(value):g}"
    mask = gstate.get("/SMask")
    if mask is not None and str(mask) != "/None":
        return "soft mask"
    blend = gstate.get("/BM")
    if blend is not None and str(blend) not in ("/Normal", "/Compatible", "[/Normal]"):
        return f"blend mode {short(blend, 20)}"
    return None


def rgb_group(obj: Any, resources: Any) -> bool:
    """Whether ``obj`` (a page or form) has a transparency group blending in RGB."""
    group = obj.get("/Group")
    if not isinstance(group, pikepdf.Dictionary) or group.get("/CS") is None:
        return False
    return colour_kind(group.get("/CS"), resources) == "rgb"


def resource(resources: Any, category: str, name: str) -> Any:
    """The resource ``name`` of ``category`` (``/Font``, ``/XObject``...), or None."""
    if resources is None:
        return None
    group = resources.get(category)
    if group is None or not isinstance(group, pikepdf.Dictionary):
        return None
    return group.get(name)


PROCESS_INKS = ("C", "M", "Y", "K")
"""The four process inks, in the order DeviceCMYK gives their values."""


def ink_names(space: Any, resources: Any, depth: int = 0) -> tuple[tuple[str, ...], bool] | None:
    """The inks a colour space's components print: (names, inverted), or None.

    CMYK spaces give C, M, Y, K; gray spaces K, ``inverted`` (a gray value of 0 is full
    black); a Separation its colorant, a DeviceN its colorants. RGB, Lab, patterns and
    indexed spaces give None: their inks are not known from the values alone.
    """
    if depth > 8 or space is None:
        return None
    if isinstance(space, pikepdf.Name):
        name = str(space)
        if name in ("/DeviceCMYK", "/CMYK"):
            return PROCESS_INKS, False
        if name in ("/DeviceGray", "/G"):
            return ("K",), True
        named = resource(resources, "/ColorSpace", name)
        return ink_names(named, resources, depth + 1) if named is not None else None
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family == "/Separation" and len(space) > 1:
            colorant = str(space[1]).lstrip("/")
            return ((PROCESS_INKS if colorant == "All" else (colorant,)), False)
        if family == "/DeviceN" and len(space) > 1 and isinstance(space[1], pikepdf.Array):
            return tuple(str(n).lstrip("/") for n in space[1]), False
        kind = colour_kind(space, resources, depth)
        if family in ("/ICCBased", "/CalGray") and kind == "cmyk":
            return PROCESS_INKS, False
        if family in ("/ICCBased", "/CalGray") and kind == "gray":
            return ("K",), True
    return None
