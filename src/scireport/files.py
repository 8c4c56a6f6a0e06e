"""Atomic file writes: a failed or interrupted write never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path``; move it over ``path`` when the block succeeds.

    On any failure (or interruption) the temporary file is removed and ``path`` is left as
    it was.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` then move ``tmp`` over ``path``; a failure leaves ``path`` as it was."""
    with replacing(path) as tmp:
        write(tmp)


class Staging:
    """Files written beside their targets, checked, then moved into place together.

    A build stages every PDF it writes; only when all of them pass preflight are they
    moved over the previous ones. Otherwise (or on any exception) the staged files are
    removed and every previous PDF stays as it was.
    """

    def __init__(self) -> None:
        self.files: list[tuple[Path, Path]] = []
        """Pairs of (staged temporary file, final path)."""

    def new(self, final: Path) -> Path:
        """Return a temporary path to write the future ``final`` to."""
        fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
        os.close(fd)
        self.files.append((Path(name), final))
        return Path(name)

    def commit(self) -> None:
        """Move every staged file over its target."""
        for tmp, final in self.files:
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, final)
        self.files = []

    def discard(self) -> None:
        """Remove every staged file that was not committed."""
        for tmp, _ in self.files:
            tmp.unlink(missing_ok=True)
        self.files = []


def file_stamps(paths: list[str]) -> dict[str, list[int]]:
    """Size and modification time of each file, to tell later whether it changed."""
    stamps = {}
    for name in sorted(set(paths)):
        try:
            info = Path(name).stat()
        except OSError:
            continue
        stamps[name] = [info.st_size, info.st_mtime_ns]
    return stamps
