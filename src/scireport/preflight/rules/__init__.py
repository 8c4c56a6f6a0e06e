"""Preflight rule families, one module each; importing them fills the registry in order."""

from . import colour, file, fonts, geometry, glyphs, images, metadata, pdfx, screen

FAMILIES = (file, glyphs, colour, images, geometry, fonts, pdfx, metadata, screen)
"""The families, in the order their findings are reported."""

__all__ = ["FAMILIES"]
