"""What the preview shows: the book's parts as page images, and the state pushed to browsers.

A :class:`Session` keeps the parts of the book being shown (each city and section, with its
page images), updates them from the builder's :class:`~scireport.build.PagesReady` events
(only parts whose typeset PDF changed are rendered again) and publishes the new state to
every open browser. The parts shown are saved under ``<out>/.pages/`` so that the next
``scireport preview`` shows them at once, before its first build has finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Finding
from ..files import write_text
from .render import SCREEN_DPI, PageImage, PageRenderer

if TYPE_CHECKING:
    from ..build import BuildResult, PagesReady, ReadyPart

Say = Callable[[str], None]
SAVED_VERSION = 1
"""Version of the saved view's format (``.pages/view-*.json``)."""
UNTITLED = {"cover": "Cover"}
"""Navigation titles of sections the layout gives no title (others: their name)."""


class PreviewState:
    """What the browsers are shown, and the queues of the browsers listening for changes."""

    def __init__(self, edition: str) -> None:
        self.state: dict[str, Any] = {
            "version": 0,
            "status": "building",
            "stale": False,
            "message": "building the book…",
            "edition": edition,
            "pages": [],
            "nav": [],
            "findings": [],
            "error": None,
            "warnings": [],
            "seconds": None,
            "time": None,
        }
        self.listeners: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.lock = threading.Lock()

    def publish(self, **changes: Any) -> None:
        """Change the state (from any thread) and push it to every open browser."""
        with self.lock:
            self.state = {
                **self.state,
                **changes,
                "version": self.state["version"] + 1,
                "time": datetime.now().strftime("%H:%M:%S"),
            }
            state = self.state
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._broadcast, state)

    def _broadcast(self, state: dict[str, Any] | None) -> None:
        for queue in self.listeners:
            queue.put_nowait(state)

    def close(self) -> None:
        """End every open event stream (the server is stopping)."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._broadcast, None)


def finding_json(finding: Finding) -> dict[str, Any]:
    """A finding as the page shows it: its ``file:line:col`` and its fields."""
    return {"location": finding.location(), **finding.as_dict()}


@dataclass
class Shown:
    """One part of the book as the preview shows it."""

    key: str
    """The plan's key (a city's slug, ``@name``, ``@blank-<page>``)."""
    kind: str
    """``city``, ``section`` or ``blank``."""
    name: str
    """The city's slug or the section's name."""
    title: str | None
    """Its outline title; None when it has none."""
    start: int
    """Its first book page."""
    sha256: str
    """SHA-256 of the typeset PDF its images were rendered from."""
    images: list[PageImage] = field(default_factory=list)
    """Its pages."""

    @property
    def pages(self) -> int:
        """How many pages it has."""
        return len(self.images)

    def label(self) -> str | None:
        """What the navigation calls it (None for a blank page)."""
        if self.kind == "blank":
            return None
        if self.title:
            return self.title
        return UNTITLED.get(self.name, self.name.replace("-", " ").replace("_", " ").capitalize())


def pages_and_nav(parts: list[Shown]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The pages as the browser shows them (each labelled with its part) and the contents.

    Every part but a blank page has an entry in the contents (a section the layout gives no
    title, such as the cover or the back cover, is named after the section); a blank page
    takes the label of the part before it.
    """
    pages: list[dict[str, Any]] = []
    nav: list[dict[str, Any]] = []
    label = ""
    for part in parts:
        own = part.label()
        if own is not None:
            label = own
            nav.append({"title": own, "page": len(pages) + 1})
        pages += [{**asdict(image), "label": label} for image in part.images]
    return pages, nav


class Session:
    """One preview: the parts shown, updated from the builder's events and published."""

    def __init__(self, out: Path, edition: str, view: str, say: Say) -> None:
        self.say = say
        self.renderer = PageRenderer(out / ".pages")
        self.saved = out / ".pages" / f"view-{view}.json"
        self.state = PreviewState(edition)
        self.alone = False
        """Showing chosen cities only (``--city``): each city's event is the whole view."""
        self.parts: list[Shown] = []
        self.lock = threading.Lock()
        self.generation = 0
        """Raised by each new build: events of an older one are ignored."""

    @staticmethod
    def view_name(edition: str, langs: list[str], cities: list[str]) -> str:
        """A file-name-safe name of what is shown (edition, languages, chosen cities)."""
        text = json.dumps([edition, langs, cities])
        return f"{edition}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"

    # -- the last good pages, kept on disk ---------------------------------------------

    def restore(self) -> bool:
        """Show the pages the last preview of this view showed, if all are still on disk."""
        try:
            data = json.loads(self.saved.read_text(encoding="utf-8"))
            if data.get("version") != SAVED_VERSION or data.get("dpi") != SCREEN_DPI:
                return False
            parts = [
                Shown(**{**p, "images": [PageImage(**i) for i in p["images"]]})
                for p in data["parts"]
            ]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return False
        if not parts or not all(self.renderer.has(i) for p in parts for i in p.images):
            return False
        for part in parts:
            self.renderer.remember(self.renderer.source(part.sha256), part.images)
        with self.lock:
            if self.parts:  # a build was quicker
                return False
            self.parts = parts
        pages, nav = pages_and_nav(parts)
        self.state.publish(
            status="building",
            message="the last preview's pages; checking for changes…",
            pages=pages,
            nav=nav,
        )
        return True

    def save(self) -> None:
        """Keep the parts shown for the next preview of this view."""
        data = {
            "version": SAVED_VERSION,
            "dpi": SCREEN_DPI,
            "parts": [asdict(p) for p in self.parts],
        }
        # a full disk or a read-only folder: the next preview starts without them
        with contextlib.suppress(OSError):
            write_text(self.saved, json.dumps(data))

    # -- the builder's events ----------------------------------------------------------

    def started(self) -> int:
        """A build starts: events of the builds before it no longer count; say so."""
        with self.lock:
            self.generation += 1
            generation = self.generation
        if generation > 1:  # the first is announced by the initial state
            self.state.publish(status="building", message="rebuilding…")
        return generation

    def show(self, event: PagesReady, generation: int) -> bool:
        """Show the parts of ``event`` (rendering those that changed); False if it cannot.

        A whole book (or, with ``--city``, the chosen cities) replaces what is shown. The
        cities alone of a whole-book build are shown when the book around them is the one
        shown (same parts, same pages): the changed cities' pages are swapped in.
        """
        with self.lock:
            if generation != self.generation:
                return False
            # --city naming every city builds the whole book: its sections come after
            book = any(part.kind != "city" for part in self.parts)
            if event.whole or self.alone and not book:
                base: dict[str, Shown] = {}
                order = [part.key for part in event.parts]
            else:
                base = {part.key: part for part in self.parts}
                order = [part.key for part in self.parts]
                if not self.parts or not all(
                    p.key in base and base[p.key].start == p.start and base[p.key].pages == p.pages
                    for p in event.parts
                ):
                    return False
            known = {part.sha256: part for part in self.parts}
            new = {p.key: self._render(p, known, event) for p in event.parts}
            parts = [new.get(key) or base[key] for key in order]
            changed = [p.title or p.name for p in event.parts if p.sha256 not in known]
            self.parts = parts
            self.save()
            self.renderer.prune(
                [self.renderer.source(p.sha256) for p in parts],
                [i for p in parts for i in p.images],
            )
        pages, nav = pages_and_nav(parts)
        what = changed[0] if len(changed) == 1 else f"{len(pages)} pages"
        self.state.publish(
            status="building",
            stale=False,
            message=f"{what} typeset; finishing and checking the PDFs…",
            pages=pages,
            nav=nav,
            findings=[],
            error=None,
        )
        return True

    def _render(self, part: ReadyPart, known: dict[str, Shown], event: PagesReady) -> Shown:
        """The part as shown: its images rendered unless the same PDF is shown already."""
        same = known.get(part.sha256)
        if same is not None and all(self.renderer.has(i) for i in same.images):
            images = same.images
        else:
            images = self.renderer.part(part.pdf, part.sha256, event.finish)
        return Shown(part.key, part.kind, part.name, part.title, part.start, part.sha256, images)

    def report(self, result: BuildResult, generation: int) -> None:
        """A build finished: the pages shown are the book's; publish its warnings."""
        if generation != self.generation:
            return
        warnings = [finding_json(w) for w in result.warnings]
        pages = len(self.state.state["pages"])
        self.state.publish(
            status="ready",
            stale=False,
            message=f"{pages} pages built in {result.seconds:.2f} s",
            findings=[],
            error=None,
            warnings=warnings,
            seconds=round(result.seconds, 3),
        )
        self.say(f"built {pages} pages in {result.seconds:.2f} s; the browser is up to date")

    def failed(self, message: str, findings: list[Finding], generation: int) -> None:
        """Publish an error: its findings shown, the last good pages kept and marked stale."""
        if generation != self.generation:
            return
        kept = bool(self.state.state["pages"])
        self.state.publish(
            status="failed",
            stale=kept,
            message=message,
            findings=[finding_json(f) for f in findings],
            error=message,
        )
        shown = "; ".join(str(f) for f in findings[:3])
        more = f" (+{len(findings) - 3} more)" if len(findings) > 3 else ""
        self.say(f"error: {message}{': ' + shown + more if shown else ''}")
