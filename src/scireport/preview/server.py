"""``scireport preview``: the book in a browser, rebuilt and pushed on every saved change.

The builder runs in the main thread as ``build --watch`` does (:func:`scireport.build.watch`,
one warm process); the web server (Starlette on uvicorn) runs in a second thread. After
each build the written PDFs are rendered to page images (:mod:`.render`) and the new state
(pages, contents, findings) is pushed to every open browser by Server-Sent Events. The page
(``static/``) swaps only the images whose name changed, so unchanged pages are not fetched
again and the reader keeps their place.

The server answers only its page, its two assets, the page images and the event stream;
every other path is a 404.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import socket
import threading
import time
import webbrowser
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..build import BuildOptions, BuildResult, watch
from ..errors import Finding, FindingsError, UserError
from .render import IMAGE_NAME, PageRenderer

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {"app.js": "text/javascript", "app.css": "text/css"}
"""The only files served from ``static/`` besides the page itself."""
Say = Callable[[str], None]


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


class Session:
    """One preview: the builder's reports turned into page images and published states."""

    def __init__(self, root: Path, options: BuildOptions, say: Say) -> None:
        self.root = root
        self.options = options
        self.edition = options.editions[0]
        self.say = say
        out = options.out if options.out.is_absolute() else root / options.out
        self.renderer = PageRenderer(out / ".pages")
        self.state = PreviewState(self.edition)
        self.building = False

    def progress(self, message: str, done: int, total: int) -> None:
        """Builder progress: tell the browsers a build is under way (once per build)."""
        if not self.building:
            self.building = True
            self.state.publish(status="building", message="rebuilding…")

    def report(self, result: BuildResult | UserError) -> None:
        """Publish one build's outcome: new pages, or the findings that stopped it."""
        self.building = False
        if isinstance(result, UserError):
            self.failed(result)
            return
        try:
            pages, nav = self.pages(result)
        except UserError as exc:
            self.failed(exc)
            return
        warnings = [finding_json(w) for w in result.warnings]
        self.state.publish(
            status="ready",
            stale=False,
            message=f"{len(pages)} pages built in {result.seconds:.2f} s",
            pages=pages,
            nav=nav,
            findings=[],
            warnings=warnings,
            seconds=round(result.seconds, 3),
        )
        self.say(f"built {len(pages)} pages in {result.seconds:.2f} s; the browser is up to date")

    def failed(self, error: UserError) -> None:
        """Publish an error: its findings shown, the last good pages kept and marked stale."""
        findings = error.findings if isinstance(error, FindingsError) else []
        kept = bool(self.state.state["pages"])
        self.state.publish(
            status="failed",
            stale=kept,
            message=error.message,
            findings=[finding_json(f) for f in findings],
        )
        shown = "; ".join(str(f) for f in findings[:3])
        more = f" (+{len(findings) - 3} more)" if len(findings) > 3 else ""
        self.say(f"error: {error.message}{': ' + shown + more if shown else ''}")

    def pages(self, result: BuildResult) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Every page of this edition as the page shows it, and the contents to navigate by.

        The book's pages come from its PDF (its bookmarks are the contents); with ``--city``
        there is no book, and each city's PDF is shown in turn.
        """
        outputs = [o for o in result.outputs if o.edition == self.edition]
        book = next((o for o in outputs if o.kind == "book"), None)
        pages: list[dict[str, Any]] = []
        nav: list[dict[str, Any]] = []
        if book is not None:
            images, marks = self.renderer.book(book.path)
            titles = {page: title for title, page in marks}
            if 1 not in titles:
                titles[1] = "Cover"
            label = ""
            for number, image in enumerate(images, start=1):
                if number in titles:
                    label = titles[number]
                    nav.append({"title": label, "page": number})
                pages.append({**asdict(image), "label": label})
            return pages, nav
        names = self.city_names()
        for city in (o for o in outputs if o.kind == "city"):
            label = names.get(city.path.stem, city.path.stem)
            nav.append({"title": label, "page": len(pages) + 1})
            images, _marks = self.renderer.book(city.path)
            pages += [{**asdict(image), "label": label} for image in images]
        return pages, nav

    def city_names(self) -> dict[str, str]:
        """English name of each city by slug (the PDFs are named by slug)."""
        from ..project import load_project

        project = load_project(self.root)
        return {c.slug: c.profile.city for c in project.cities if c.profile is not None}


def create_app(session: Session) -> Starlette:
    """The web application: the page, its assets, page images and the event stream."""
    state = session.state

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return Response("not found", status_code=404)
        return FileResponse(
            STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"}
        )

    async def page_image(request: Request) -> Response:
        match = IMAGE_NAME.match(request.path_params["name"])
        if match is None:
            return Response("not found", status_code=404)
        digest = match["digest"]
        if match["zoom"]:
            path = await run_in_threadpool(session.renderer.zoomed, digest)
        else:
            path = session.renderer.images / f"{digest}.png"
        if path is None or not path.is_file():
            return Response("not found", status_code=404)
        # Named by content: the same name is always the same picture.
        cache = {"Cache-Control": "public, max-age=31536000, immutable"}
        return FileResponse(path, media_type="image/png", headers=cache)

    async def current(request: Request) -> Response:
        return JSONResponse(state.state)

    async def events(request: Request) -> Response:
        from sse_starlette import EventSourceResponse

        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        state.listeners.add(queue)

        async def stream() -> AsyncIterator[dict[str, str]]:
            try:
                yield {"event": "state", "data": json.dumps(state.state)}
                while True:
                    update = await queue.get()
                    if update is None:
                        return
                    yield {"event": "state", "data": json.dumps(update)}
            finally:
                state.listeners.discard(queue)

        return EventSourceResponse(stream(), ping=15)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.loop = asyncio.get_running_loop()
        yield
        state.loop = None

    routes = [
        Route("/", index),
        Route("/assets/{name}", asset),
        Route("/pages/{name}", page_image),
        Route("/state", current),
        Route("/events", events),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port), or a clear error."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        return socket.create_server((host, port), family=family)
    except socket.gaierror:
        raise UserError(
            f"unknown host {host!r} for --host: use an address such as 127.0.0.1"
        ) from None
    except OSError as exc:
        raise UserError(
            f"cannot listen on {host}:{port}: {os.strerror(exc.errno) if exc.errno else exc};"
            " choose another --port"
        ) from None


def is_loopback(host: str) -> bool:
    """Is ``host`` reachable only from this machine?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    project_dir: Path | None,
    options: BuildOptions,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    say: Say = print,
) -> None:
    """Serve the live preview until interrupted: build, then rebuild and push on every save."""
    import uvicorn

    from ..project import find_root

    root = find_root(project_dir)
    session = Session(root, options, say)
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(session),
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise UserError(f"the preview server could not start on {host}:{bound}")
        time.sleep(0.01)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    if is_loopback(host):
        say(f"preview at {url} (this machine only; --host to serve others); Ctrl-C stops it")
    else:
        say(
            f"preview at {url}: listening on {host}, reachable from other machines; Ctrl-C stops it"
        )
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    stop = threading.Event()
    try:
        watch(root, options, session.report, stop=stop, progress=session.progress)
    except KeyboardInterrupt:
        say("preview stopped")
    finally:
        stop.set()
        session.state.close()
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
