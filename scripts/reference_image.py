"""Regenerate tests/reference/seoul-print-p1.png, the rendering tests/test_press.py compares to.

Builds the repository's sample project (print edition) into a temporary folder and renders
page 1 of ``print/cities/seoul.pdf`` with the very command the test uses (pdftoppm, 30 dpi,
PNG). Run it when a deliberate change of the default layout moves pixels, look at the new
image, and commit it with the change:

    .venv/bin/python scripts/reference_image.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "tests" / "reference" / "seoul-print-p1.png"


def main() -> int:
    """Build the sample, render the page and write the reference; return the exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "sample"
        for name in ("layouts", "texts", "profiles", "data"):
            shutil.copytree(REPO / name, project / name)
        shutil.copy(REPO / "scireport.yaml", project / "scireport.yaml")
        scireport = Path(sys.executable).parent / "scireport"
        subprocess.run(
            [str(scireport), "build", "--edition", "print", "--project", str(project),
             "--out", "out"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        out = Path(tmp) / "seoul"
        subprocess.run(
            ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", "-singlefile",
             str(project / "out" / "print" / "cities" / "seoul.pdf"), str(out)],
            check=True,
        )  # fmt: skip
        shutil.copy(f"{out}.png", REFERENCE)
    print(f"wrote {REFERENCE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
