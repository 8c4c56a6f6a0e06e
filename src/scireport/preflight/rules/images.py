"""Images: the effective resolution of every placed image in a print file."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ...errors import Severity
from ..facts import DocumentFacts
from ..registry import Hit, rule

DEFAULT_PPI = (150, 300)
"""Error and warning limits without a layout."""


@rule("pdf-image-ppi", editions=("print",))
def image_ppi(facts: DocumentFacts) -> Iterator[Hit]:
    """Every image is printed at the layout's resolution: below the first limit (150 ppi
    by default) an error, below the second (300 ppi) a warning."""
    ppi_error, ppi_warning = facts.manifest.image_min_ppi if facts.manifest else DEFAULT_PPI
    for page in facts.pages:
        if page.content is None:
            continue
        for label, (ppi, width, height, mm_w, mm_h) in page.content.images.items():
            if ppi >= ppi_warning:
                continue
            severity: Severity = "error" if ppi < ppi_error else "warning"
            limit = ppi_error if severity == "error" else ppi_warning
            need = math.ceil(width * limit / ppi)
            yield Hit(
                f"image {label} ({width}×{height} px) is printed"
                f" {mm_w:.0f} × {mm_h:.0f} mm, only {ppi:.0f} ppi (below {limit});"
                f" supply it at least {need} px wide or print it smaller",
                page.number,
                severity,
            )
