"""Preflight rule families, one module each; importing them fills the registry."""

from ..registry import RULES
from . import colour, file, fonts, geometry, glyphs, images, metadata, pdfx, press, screen

FAMILIES = (file, glyphs, colour, press, images, geometry, fonts, pdfx, metadata, screen)
"""The families, in the order their findings are reported."""

_ORDER = [module.__name__.rsplit(".", 1)[-1] for module in FAMILIES]
RULES.sort(key=lambda unit: _ORDER.index(unit.family))  # stable: units keep their order

__all__ = ["FAMILIES"]
