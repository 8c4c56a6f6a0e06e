"""``scireport clean``: remove what builds keep between runs, and on request what they wrote.

A build keeps its caches under ``<out>/.cache`` (typeset pages per edition and language,
CMYK copies of images, the ledger of outputs) and the preview keeps its page
images under ``<out>/.preview``. A whole-book build already removes the page-cache entries it
no longer uses; :func:`clean_output` removes all of it, so that the next build starts cold,
and with ``outputs`` also the PDFs and index files the ledgers say a build wrote, as long as
nobody changed them since. A file the ledgers do not know, or one edited by hand, is never
removed. The folder's build lock is held, so nothing is removed under a running build.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError
from .files import LOCK_NAME, OutputLedger, folder_lock, sweep_parts

CACHE = ".cache"
"""The folder under the output folder where builds keep their caches."""
PREVIEW = ".preview"
"""The folder under the output folder where the preview keeps its page images."""
PUBLISHED = ("data/index.csv", "data/index.json")
"""Files a build publishes beside the PDFs (the computed index)."""


@dataclass
class CleanResult:
    """What :func:`clean_output` removed and what it kept."""

    files: int = 0
    """Files removed."""
    bytes: int = 0
    """Bytes they took."""
    outputs: list[Path] = field(default_factory=list)
    """Output files (PDFs, index files) removed."""
    kept: list[Path] = field(default_factory=list)
    """Output files kept because they changed since the build that wrote them."""


def clean_output(out: Path, *, outputs: bool = False) -> CleanResult:
    """Remove the caches under ``out`` (and with ``outputs`` the files builds wrote there).

    Raises UserError when ``out`` is not a folder a build wrote, or while another build
    holds its lock.
    """
    if not out.is_dir():
        raise UserError(f"{out}: no such output folder; nothing to clean")
    if (
        not (out / CACHE).is_dir()
        and not (out / PREVIEW).is_dir()
        and not (out / LOCK_NAME).exists()
    ):
        raise UserError(
            f"{out}: not an output folder of scireport (no {CACHE} in it); nothing was removed"
        )
    result = CleanResult()
    with folder_lock(out):
        if outputs:
            _remove_outputs(out, result)
        _remove_tree(out / CACHE, result)
        if (out / PREVIEW).is_dir():
            with folder_lock(out / PREVIEW):  # not under a preview's build
                _remove_tree(out / PREVIEW, result, keep=LOCK_NAME)
        for folder in [out, *(p for p in out.rglob("*") if p.is_dir())]:
            result.files += sweep_parts(folder)
    return result


def _remove_outputs(out: Path, result: CleanResult) -> None:
    """Remove the outputs every ledger under ``out`` records, untouched since written."""
    for ledger_path in sorted((out / CACHE).glob("*/outputs.json")):
        ledger = OutputLedger(ledger_path, out)
        for path, record in ledger.files():
            if not path.exists():
                continue
            if ledger.current(path, record.stamp) is None:
                result.kept.append(path)
                continue
            result.bytes += path.stat().st_size
            path.unlink()
            result.files += 1
            result.outputs.append(path)
    for name in PUBLISHED:
        path = out / name
        if path.is_file():
            result.bytes += path.stat().st_size
            path.unlink()
            result.files += 1
            result.outputs.append(path)
    folders = sorted((p for p in out.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts))
    for folder in folders:  # edition folders left empty
        if CACHE not in folder.parts and PREVIEW not in folder.parts and not any(folder.iterdir()):
            folder.rmdir()


def _remove_tree(folder: Path, result: CleanResult, keep: str = "") -> None:
    """Remove what ``folder`` holds (all of it but ``keep``, if given) and count it."""
    if not folder.is_dir():
        return
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.name != keep:
            result.files += 1
            result.bytes += path.stat().st_size
    if not keep:
        shutil.rmtree(folder)
        return
    for child in folder.iterdir():
        if child.name == keep:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
