"""The preview's builder: one warm process that rebuilds on every save, pixels first.

A saved change starts a build in this process (WeasyPrint stays imported, typeset parts
stay cached). As soon as the changed cities are typeset and checked, the builder's
``ready`` hook renders their pages from the page cache and pushes them to the browsers;
the rest of that build (finishing and preflighting the PDFs, stitching the book) then
goes on in a background process forked from this one, which tells this one of the book's
other parts (a section whose pages changed is shown too) and of the outcome (ready, or
the findings of preflight). A save while it runs kills it and starts a new build at once,
so the next pixels never wait for the last book; killing is safe because a build stages
everything and commits only at its end, and the next build sweeps what a killed one left.

Every build is handed over so, the first one too (a cold first build typesets here, with
worker processes, and shows its pages when the background build reports the whole book);
one whose changed cities cannot be swapped into the pages shown (pages added or removed)
shows them only then.
"""

from __future__ import annotations

import os
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import FindingsError, UserError
from .session import Session

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from ..build import BuildOptions, PagesReady


NICENESS = 10
"""How much lower the background build's priority is than the preview's."""


class Superseded(BaseException):
    """A newer change was saved: the build under way stops (a newer one follows)."""


class Handed(BaseException):
    """The changed pages are shown: the rest of the build goes on in the background."""


class Live:
    """Builds on every saved change and keeps the session's pages current."""

    def __init__(self, root: Path, options: BuildOptions, session: Session) -> None:
        self.root = root
        self.options = options
        self.session = session
        self.dirty = threading.Event()
        """Set by the watcher when a file changed since the last build started."""
        self.finisher: BaseProcess | None = None
        self.reader: threading.Thread | None = None

    def run(self, stop: threading.Event) -> None:
        """Build, then build again on every saved change, until ``stop`` is set."""
        import watchfiles

        from ..build import watched

        relevant = watched(self.root, self.options)

        def follow() -> None:
            # a change is yielded after 20 ms without another (step), 50 ms at most
            changes = watchfiles.watch(
                self.root, watch_filter=relevant, stop_event=stop, debounce=50, step=20
            )
            for _ in changes:
                self.dirty.set()

        threading.Thread(target=follow, daemon=True, name="preview-watch").start()
        first = True
        try:
            while not stop.is_set():
                self.dirty.clear()
                self.once()
                if first:
                    warm_up()
                first = False
                while not self.dirty.wait(0.2):
                    if stop.is_set():
                        return
        finally:
            self.stop_finisher()

    def once(self) -> None:
        """One build: show its pages as soon as they are typeset, then report its outcome."""
        from ..build import build

        generation = self.session.started()
        self.stop_finisher()

        def progress(message: str, done: int, total: int) -> None:
            if self.dirty.is_set():  # a newer save: this build's pages would be stale
                raise Superseded

        def ready(event: PagesReady) -> None:
            self.session.show(event, generation)
            if self.dirty.is_set():
                raise Superseded
            if not event.whole:  # the cities are typeset: the rest goes on in the background
                raise Handed

        try:
            result = build(self.root, self.options, progress, ready)
        except Handed:
            self.start_finisher(generation)
        except Superseded:
            pass
        except UserError as exc:
            findings = exc.findings if isinstance(exc, FindingsError) else []
            self.session.failed(exc.message, findings, generation)
        else:
            self.session.report(result, generation)

    def start_finisher(self, generation: int) -> None:
        """Go on with the build in a forked process; show what it tells as it comes."""
        import multiprocessing

        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe(duplex=False)
        process = context.Process(
            target=finish_in_background,
            args=(self.root, self.options, theirs, os.getpid()),
            name="preview-finish",
        )
        process.start()
        theirs.close()
        self.finisher = process
        self.reader = threading.Thread(
            target=self.listen, args=(ours, process, generation), daemon=True
        )
        self.reader.start()

    def listen(self, conn: Connection, process: BaseProcess, generation: int) -> None:
        """Show the background build's pages and outcome (while no newer build started)."""
        session = self.session
        try:
            while True:
                try:
                    message: tuple[Any, ...] = conn.recv()
                except (EOFError, OSError):
                    break
                if message[0] == "pages":
                    try:
                        session.show(message[1], generation)
                    except UserError as exc:  # a page PDFium cannot render
                        session.failed(exc.message, [], generation)
                elif message[0] == "done":
                    session.report(message[1], generation)
                    return
                elif message[0] == "failed":
                    session.failed(message[1], message[2], generation)
                    return
            process.join()
            if process.exitcode not in (0, -9):  # -9: killed for a newer build
                session.failed(
                    f"the build stopped unexpectedly (exit {process.exitcode}); see the terminal",
                    [],
                    generation,
                )
        finally:
            conn.close()

    def stop_finisher(self) -> None:
        """Kill the background build, if one runs, and wait for it and its reader."""
        if self.finisher is not None:
            if self.finisher.is_alive():
                self.finisher.kill()
            self.finisher.join()
            self.finisher = None
        if self.reader is not None:
            self.reader.join()
            self.reader = None


def warm_up() -> None:
    """Import WeasyPrint and write a small Korean page now, while nothing is saved.

    A first build from a warm cache typesets nothing, so without this the first saved
    change would pay, before its pixels, for the import (about 0.6 s) and for what
    WeasyPrint, Pango and HarfBuzz set up on their first page (about 0.3 s). A change
    saved meanwhile waits for it.
    """
    import io
    import sys

    if "weasyprint" in sys.modules:  # the first build typeset: all of it is set up
        return
    import weasyprint

    page = '<p style="font-family: sans-serif">서울 Seoul <b>스마트시티</b></p>'
    weasyprint.HTML(string=page).write_pdf(io.BytesIO())


def finish_in_background(root: Path, options: BuildOptions, conn: Connection, parent: int) -> None:
    """The background process: build (typeset parts come from the cache) and tell ``conn``."""
    from ..build import build
    from ..processes import worker_started

    worker_started(parent)  # dies with the preview, leaves Ctrl-C to it
    os.nice(NICENESS)  # the browser fetching the new pixels goes first

    def ready(event: PagesReady) -> None:
        if event.whole:
            conn.send(("pages", event))

    try:
        result = build(root, options, ready=ready)
    except UserError as exc:
        findings = exc.findings if isinstance(exc, FindingsError) else []
        conn.send(("failed", exc.message, findings))
    else:
        conn.send(("done", result))
    finally:
        conn.close()
