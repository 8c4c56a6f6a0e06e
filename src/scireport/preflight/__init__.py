"""Preflight stage: an independent inspection of a written PDF, ours or anyone's.

It reads the file with pikepdf only (nothing from the build is trusted) and reports what a
press or an accessibility checker would reject: page boxes and bleed, page size and count,
fonts embedded and subset, no ``.notdef`` glyph shown, for print a PDF/X output intent and
identification, no RGB, no transparency or ICC colour where the PDF/X version forbids it
and the resolution of every placed image; for screen tags, language, bookmarks and PDF/UA.

How it is built:

- :mod:`.facts` reads the file once, page by page (content operators dispatched through a
  table), into :class:`~.facts.DocumentFacts`; every stream is read through
  :class:`~.streams.StreamReader`, which bounds what it inflates;
- :mod:`.registry` holds the rule units; :mod:`.rules` has one module per rule family,
  each unit declaring its id, editions, severity and check.

Every problem is a :class:`~scireport.errors.Finding` with a ``pdf-`` rule id; a file that is
not a PDF, or is damaged, gives a ``pdf-unreadable`` finding, never a traceback.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pikepdf

from ..errors import Finding
from ..models import LayoutManifest
from . import rules as _rules  # noqa: F401  (fills the registry)
from .base import READ_ERRORS, Report, short
from .facts import NotCached, collect
from .registry import RULES, Rule, run
from .store import FactsStore

__all__ = ["RULES", "Rule", "preflight", "preflight_files"]


def preflight(
    path: Path,
    *,
    edition: str = "print",
    manifest: LayoutManifest | None = None,
    pages: int | None = None,
    store: Path | FactsStore | None = None,
) -> list[Finding]:
    """Inspect the PDF at ``path`` as a press (``print``) or a screen reader (``screen``) would.

    ``manifest`` (a layout's) supplies the minimum bleed, the trimmed page size and the image
    resolution limits; without it the defaults are 3 mm bleed and 150/300 ppi and the page
    size is not checked. ``pages`` is the expected page count, when the caller knows it.
    ``store`` is a folder of page facts (or a :class:`~.store.FactsStore` on one): pages
    read before, in this file or another, are not read again, and the findings are the
    same as without it.
    Returns the findings (empty when the file passes); never raises for a bad file.
    """
    if edition not in ("print", "screen"):
        raise ValueError(f"edition must be 'print' or 'screen', not {edition!r}")
    if store is not None:
        try:
            facts = store if isinstance(store, FactsStore) else FactsStore(store)
            return _inspect(path, edition, manifest, pages, facts)
        except NotCached:
            pass  # damaged, or near a limit: read as if there were no store
    return _inspect(path, edition, manifest, pages, None)


def _inspect(
    path: Path,
    edition: str,
    manifest: LayoutManifest | None,
    pages: int | None,
    store: FactsStore | None,
) -> list[Finding]:
    report = Report(str(path))
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        report.add("pdf-unreadable", "error", "the PDF is encrypted; send an unencrypted file")
        return report.findings
    except FileNotFoundError:
        report.add("pdf-unreadable", "error", "no such file; check the path")
        return report.findings
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        report.add(
            "pdf-unreadable",
            "error",
            f"not a readable PDF ({short(exc)}); export the file again as PDF",
        )
        return report.findings
    with pdf:
        try:
            facts = collect(pdf, edition, manifest, pages, store)
        except READ_ERRORS as exc:
            report.add(
                "pdf-unreadable",
                "error",
                f"part of the file cannot be read ({short(exc)}); export the PDF again",
            )
        else:
            run(facts, report)
        damage = [w for w in pdf.get_warnings() if w]
        if damage:
            listing = "; ".join(short(w) for w in damage[:3])
            report.add(
                "pdf-unreadable",
                "warning",
                f"the file is damaged ({listing}); export it again before sending it on",
            )
    return report.findings


def preflight_files(
    files: list[Path], edition: str, project_dir: Path | None, *, strict: bool = False
) -> list[Finding]:
    """Preflight ``files``; inside a project, against its layout's page size and bleed."""
    from ..layouts import load_layout
    from ..project import CONFIG_NAME, find_root, load_config

    manifest = None
    if ((project_dir or Path.cwd()) / CONFIG_NAME).is_file():  # inside a project
        root = find_root(project_dir)
        config = load_config(root)[0]  # the settings only: the profiles do not matter here
        if config is not None:
            manifest = load_layout(root, config.layout).manifest
    findings = [f for path in files for f in preflight(path, edition=edition, manifest=manifest)]
    if strict:
        findings = [replace(f, severity="error") for f in findings]
    return findings
