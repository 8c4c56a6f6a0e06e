"""Atomic file writes: a failed or interrupted write never leaves a half-written file."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from .errors import Finding, UserError


def _umask() -> int:
    """The process's umask (read by setting it and putting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _final_mode(path: Path) -> int:
    """The mode ``path`` should have: the mode of the file it replaces, else 0666 & ~umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def temporary_sibling(path: Path) -> Path:
    """Create an empty file with a unique name beside ``path`` (``.<name>.XXXX.part``)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    return Path(name)


def fsync_folder(folder: Path) -> None:
    """Flush ``folder``'s entries to disk, so that a rename in it survives a power cut."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename itself is still atomic
    finally:
        os.close(fd)


def move_into_place(tmp: Path, path: Path) -> None:
    """Flush ``tmp``, give it the mode ``path`` has (or a new file's), move it over ``path``.

    The move is one ``os.replace`` in the same folder: a reader sees the old file or the
    new one, never half of one. The folder is flushed after, so the move is durable.
    """
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.chmod(tmp, _final_mode(path))
    os.replace(tmp, path)
    fsync_folder(path.parent)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path``; move it over ``path`` when the block succeeds.

    This is the one way scireport writes a file. On any failure (or interruption) the
    temporary file is removed and ``path`` is left as it was. The result is readable as a
    user expects (0644 under umask 022, or the mode of the file it replaces).
    """
    tmp = temporary_sibling(path)
    try:
        yield tmp
        move_into_place(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` then move ``tmp`` over ``path``; a failure leaves ``path`` as it was."""
    with replacing(path) as tmp:
        write(tmp)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`replacing`)."""
    write_atomically(path, lambda tmp: tmp.write_bytes(data))


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, atomically (see :func:`replacing`)."""
    write_bytes(path, text.encode("utf-8"))


def sweep_parts(folder: Path) -> int:
    """Remove the ``.<name>.XXXX.part`` files an interrupted write left in ``folder``.

    Only call it while holding the folder's build lock: another build's staged files
    would otherwise be removed under it.
    """
    removed = 0
    for leftover in folder.glob(".*.part"):
        try:
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink()
                removed += 1
        except OSError:
            continue
    return removed


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
        tmp = temporary_sibling(final)
        self.files.append((tmp, final))
        return tmp

    def commit(self) -> None:
        """Move every staged file over its target."""
        for tmp, final in self.files:
            move_into_place(tmp, final)
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


def _written(record: Any) -> Written | None:
    """A ledger record read back, or None when it was damaged or tampered with."""
    if not isinstance(record, dict):
        return None
    try:
        written = Written(**record)
    except TypeError:
        return None
    numbers = (written.size, written.mtime_ns, written.pages)
    if not isinstance(written.stamp, str) or not all(type(n) is int for n in numbers):
        return None
    findings = written.findings
    if not isinstance(findings, list) or not all(isinstance(f, dict) for f in findings):
        return None
    try:
        [Finding(**f) for f in findings]
    except TypeError:
        return None
    return written


class OutputLedger:
    """Which output files earlier builds wrote, from what, and what preflight said of them.

    A file is *current* when it is the very file written from the same stamp, untouched
    since (same size and time): a build then leaves it as it is and replays its findings.
    Files are recorded by their path inside the output folder ``root``, so a project moved
    or copied elsewhere keeps its ledger (and ``clean --outputs`` still knows its files).
    """

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        """The ledger's JSON file."""
        self.root = root
        """The output folder the recorded paths are relative to."""
        self.records: dict[str, Written] = {}
        """Each recorded file's path inside ``root`` (POSIX form) and what was written."""
        try:
            data = json.loads(path.read_text("utf-8"))
            self.records = {
                name: written
                for name, record in data.items()
                if (written := _written(record)) is not None
                and not Path(name).is_absolute()
                and ".." not in Path(name).parts
            }
        except (OSError, ValueError, TypeError, AttributeError):
            self.records = {}

    def name(self, file: Path) -> str:
        """How ``file`` (a path under ``root``) is recorded."""
        return file.relative_to(self.root).as_posix()

    def files(self) -> Iterator[tuple[Path, Written]]:
        """Every recorded file, as a path under ``root``, with its record."""
        for name, record in self.records.items():
            yield self.root / name, record

    def recorded(self, file: Path) -> Written | None:
        """What was recorded for ``file``, whether or not it is current."""
        return self.records.get(self.name(file))

    def current(self, file: Path, stamp: str) -> Written | None:
        """The record of ``file`` if it was written from ``stamp`` and not touched since."""
        record = self.recorded(file)
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
        written = Written(stamp, info.st_size, info.st_mtime_ns, pages, findings)
        self.records[self.name(file)] = written

    def remove_stale(self, folder: Path, keep: set[Path]) -> int:
        """Delete files of ``folder`` this ledger wrote, untouched since, not in ``keep``."""
        stale = [
            file
            for file, record in self.files()
            if file.parent == folder and file not in keep and self.current(file, record.stamp)
        ]
        for file in stale:
            file.unlink(missing_ok=True)
            del self.records[self.name(file)]
        return len(stale)

    def save(self) -> None:
        """Write the ledger next to the cache."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {name: asdict(record) for name, record in self.records.items()}
        write_text(self.path, json.dumps(data))


LOCK_NAME = ".scireport.lock"
"""The lock file a build holds in its output folder."""


@contextmanager
def folder_lock(folder: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold ``folder``'s build lock while the block runs; refuse if another holds it.

    The lock is an ``flock`` on ``<folder>/.scireport.lock``: the system releases it when
    the build ends, however it ends (even under ``kill -9``), so a stale lock cannot stay.
    With ``wait``, wait up to that many seconds for the holder to finish before refusing.
    """
    import fcntl
    import time

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UserError(
            f"cannot write to {folder}: {exc.strerror or exc}; choose another --out"
        ) from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    _refuse(fd, folder)
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def _refuse(fd: int, folder: Path) -> NoReturn:
    """Raise the one-line error for a folder another build holds."""
    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    by = f" (process {holder})" if holder.isdigit() else ""
    raise UserError(
        f"another build is writing to {folder}{by}; wait for it to finish or choose another --out"
    )
