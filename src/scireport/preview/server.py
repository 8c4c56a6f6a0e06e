"""``scireport preview``: the book in a browser, rebuilt and pushed on every saved change.

The web server (Starlette on uvicorn) runs in a second thread and starts first, with the
pages the last preview showed (:meth:`.session.Session.restore`); only then is the builder
imported. The builder runs in the main thread (:mod:`.live`: one warm process, pixels
first, the book finished in the background); each change of what is shown (pages,
contents, findings) is pushed to every open browser by Server-Sent Events. The page
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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import UserError
from .render import IMAGE_NAME
from .session import Say, Session

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {"app.js": "text/javascript", "app.css": "text/css"}
"""The only files served from ``static/`` besides the page itself."""


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
    *,
    out: Path = Path("build/.preview"),
    cities: list[str] | None = None,
    edition: str = "print",
    langs: list[str] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    say: Say = print,
) -> None:
    """Serve the live preview until interrupted: build, then rebuild and push on every save.

    The server is up, showing the last preview's pages, before the builder (and so
    WeasyPrint) is imported.
    """
    import uvicorn

    root = (project_dir or Path.cwd()).resolve()
    # project.CONFIG_NAME, not imported here: the server is up before pydantic is loaded
    if not (root / "scireport.yaml").is_file():
        from ..project import find_root

        find_root(project_dir)  # raises the error that says so
    folder = root / out  # an absolute --out stays as it is
    view = Session.view_name(edition, langs or [], cities or [])
    session = Session(folder, edition, view, say)
    session.alone = bool(cities)
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
    restored = session.restore()
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
    if restored:
        pages = len(session.state.state["pages"])
        say(f"showing the last preview's {pages} pages until the first build is done")
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    stop = threading.Event()
    try:
        from ..build import BuildOptions
        from .live import Live

        options = BuildOptions(
            out=out,
            cities=list(cities or []),
            editions=["screen" if edition == "screen" else "print"],
            langs=list(langs or []),
        )
        Live(root, options, session).run(stop)
    except KeyboardInterrupt:
        say("preview stopped")
    finally:
        stop.set()
        session.state.close()
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
