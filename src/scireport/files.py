"""Atomic file writes: a failed or interrupted write never leaves a half-written file."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


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


@dataclass
class Written:
    """What an earlier build recorded about an output file it wrote."""

    stamp: str
    """What the file was made from (cache entries and finishing options)."""
    size: int
    """Its size when written."""
    mtime_ns: int
    """Its modification time when written."""
    pages: int
    """Its page count."""
    findings: list[dict[str, Any]] = field(default_factory=list)
    """Its preflight findings, as JSON objects."""


class OutputLedger:
    """Which output files earlier builds wrote, from what, and what preflight said of them.

    A file is *current* when it is the very file written from the same stamp, untouched
    since (same size and time): a build then leaves it as it is and replays its findings.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: dict[str, Written] = {}
        try:
            data = json.loads(path.read_text("utf-8"))
            self.records = {name: Written(**record) for name, record in data.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            self.records = {}

    def current(self, file: Path, stamp: str) -> Written | None:
        """The record of ``file`` if it was written from ``stamp`` and not touched since."""
        record = self.records.get(str(file))
        try:
            info = file.stat()
        except OSError:
            return None
        if record and (record.stamp, record.size, record.mtime_ns) == (
            stamp,
            info.st_size,
            info.st_mtime_ns,
        ):
            return record
        return None

    def record(self, file: Path, stamp: str, pages: int, findings: list[dict[str, Any]]) -> None:
        """Note that ``file`` was just written from ``stamp``."""
        info = file.stat()
        self.records[str(file)] = Written(stamp, info.st_size, info.st_mtime_ns, pages, findings)

    def remove_stale(self, folder: Path, keep: set[Path]) -> int:
        """Delete files of ``folder`` this ledger wrote, untouched since, not in ``keep``."""
        stale = [
            Path(name)
            for name, record in self.records.items()
            if Path(name).parent == folder
            and Path(name) not in keep
            and self.current(Path(name), record.stamp)
        ]
        for file in stale:
            file.unlink(missing_ok=True)
            del self.records[str(file)]
        return len(stale)

    def save(self) -> None:
        """Write the ledger next to the cache."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {name: asdict(record) for name, record in self.records.items()}
        self.path.write_text(json.dumps(data), "utf-8")
