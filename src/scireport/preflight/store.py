"""The facts store: each page's content facts kept by the digest of what they come from.

A build preflights every PDF it writes, and most pages of a book after an edit are pages
it read before (the same city's pages in its own PDF or in the previous book). The store
keeps each page's :class:`~.facts.ContentFacts`, encoded by :mod:`.facts`, in one small
file named after the page's digest (:mod:`.digest`): ``<out>/.cache/<edition>/facts/``.

- A put is atomic (a temporary sibling renamed over the entry): workers preflighting city
  PDFs in parallel never see half an entry. An entry carries the SHA-256 of its payload,
  so a truncated or damaged one is a miss, never a wrong fact.
- Payloads are :mod:`marshal` data of plain values: loading one runs no code.
- A hit touches the entry; :meth:`FactsStore.collect` removes entries neither stored nor
  touched since a time (a whole-book build removes those none of its files used).

``scireport clean`` removes it with the rest of ``<out>/.cache``.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import tempfile
import time
from pathlib import Path
from typing import Any

FORMAT = b"scireport-facts-1\n"
"""The first bytes of every entry: a change of the encoding makes old entries misses."""


class FactsStore:
    """Encoded page facts by digest, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        """Lookups answered (for tests and the benchmark)."""
        self.misses = 0
        """Lookups not answered."""

    def path(self, digest: str) -> Path:
        """The entry of ``digest``."""
        return self.folder / f"{digest[:40]}.facts"

    def get(self, digest: str) -> Any | None:
        """The value stored for ``digest``, or None (missing, damaged, another format)."""
        path = self.path(digest)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        head, checksum = data[: len(FORMAT)], data[len(FORMAT) : len(FORMAT) + 32]
        payload = data[len(FORMAT) + 32 :]
        if head != FORMAT or hashlib.sha256(payload).digest() != checksum:
            self.misses += 1
            return None
        try:
            value = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            self.misses += 1
            return None
        if not isinstance(value, tuple) or len(value) != 2 or value[0] != digest:
            self.misses += 1
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used by this build: kept by collect()
        self.hits += 1
        return value[1]

    def put(self, digest: str, value: Any) -> None:
        """Store ``value`` (plain data :mod:`marshal` can write) for ``digest``, atomically.

        A store that cannot be written is no error: the facts are read afresh next time.
        """
        payload = marshal.dumps((digest, value))
        data = FORMAT + hashlib.sha256(payload).digest() + payload
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(name, self.path(digest))
        except OSError:
            Path(name).unlink(missing_ok=True)

    def collect(self, since: float) -> int:
        """Remove the entries neither stored nor used since ``since`` (a ``time.time()``);
        return how many went."""
        removed = 0
        try:
            entries = list(self.folder.glob("*.facts"))
        except OSError:
            return 0
        for entry in entries:
            try:
                if entry.stat().st_mtime < since:
                    entry.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    def sweep(self) -> None:
        """Remove what an interrupted put left (call it holding the build lock)."""
        for leftover in self.folder.glob(".*.part"):
            leftover.unlink(missing_ok=True)


def now() -> float:
    """The time :meth:`FactsStore.collect` compares entries' modification times with."""
    return time.time()
