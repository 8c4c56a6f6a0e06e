"""``scireport preview``: the real command as a process, its HTTP surface and a real browser.

One preview server runs for the whole module (a two-city project under a temporary folder,
on a free loopback port); Debian's Chromium, driven by Playwright, looks at it. The browser
tests are marked ``browser``.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CONFIG, REPO

from scireport.preview.chromium import launch

SCIREPORT = str(Path(sys.executable).parent / "scireport")


class Server:
    """A ``scireport preview`` process and what it has said on stderr."""

    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [SCIREPORT, "preview", "--port", "0", "--project", str(root), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        line = self.wait_for_line("preview at ")
        self.url = line.split("preview at ", 1)[1].split()[0]
        self.host, self.port = self.url.removeprefix("http://").rstrip("/").rsplit(":", 1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            if self.process.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no {text!r} from scireport preview: {self.lines}")

    def get(self, path: str) -> tuple[int, bytes]:
        """GET ``path`` sent exactly as written (no client-side normalising)."""
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        try:
            connection.putrequest("GET", path, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def state(self) -> dict[str, Any]:
        status, body = self.get("/state")
        assert status == 200
        result: dict[str, Any] = json.loads(body)
        return result

    def wait_ready(self, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if state["status"] == "ready":
                return state
            time.sleep(0.1)
        raise AssertionError(f"preview never ready: {self.lines}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(timeout=5)
        return self.process.returncode


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two cities of the sample project with the tests' settings."""
    root = tmp_path_factory.mktemp("preview")
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "profiles").mkdir()
    for slug in ("seoul", "amsterdam"):
        shutil.copy(REPO / "profiles" / f"{slug}.yaml", root / "profiles" / f"{slug}.yaml")
    (root / "scireport.yaml").write_text(yaml.safe_dump(CONFIG, allow_unicode=True), "utf-8")
    return root


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[Server]:
    running = Server(project)
    try:
        running.wait_ready()
        yield running
    finally:
        code = running.stop()
    assert code == 0, running.lines
    assert any("preview stopped" in line for line in running.lines), running.lines


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.goto(server.url)
    tab.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('figure.page img')];"
        " return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0); }"
    )
    yield tab
    context.close()


def test_binds_loopback_and_says_so(server: Server) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert any("this machine only" in line for line in server.lines)


def test_serves_its_page_assets_and_images(server: Server) -> None:
    state = server.state()
    assert server.get("/")[0] == 200
    assert server.get("/assets/app.js")[0] == 200
    assert server.get("/assets/app.css")[0] == 200
    digest = state["pages"][0]["digest"]
    status, image = server.get(f"/pages/{digest}.png")
    assert status == 200 and image.startswith(b"\x89PNG")
    status, sharp = server.get(f"/pages/{digest}@2x.png")
    from scireport.preview.render import png_size

    assert status == 200 and abs(png_size(sharp)[0] - 2 * png_size(image)[0]) <= 2


@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/assets/../render.py",
        "/assets/../../build.py",
        "/assets/%2e%2e/server.py",
        "/assets/%2e%2e%2fserver.py",
        "/assets/..%2F..%2F..%2Fpyproject.toml",
        "/pages/..%2F..%2Fprint%2Freport.pdf",
        "/pages/%2e%2e/sources",
        "/assets/index.html",
        "/assets//etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        "/static/app.js",
        "/pages/0123456789abcdef0123.png",
        "/scireport.yaml",
        "/profiles/seoul.yaml",
    ],
)
def test_no_path_outside_its_own(server: Server, path: str) -> None:
    assert server.get(path)[0] == 404


def test_port_in_use_is_a_clear_error(project: Path, cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("preview", "--port", str(port), "--project", project)
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "choose another --port" in result.output


@pytest.mark.browser
def test_browser_shows_every_page_and_the_contents(page: Any, server: Server) -> None:
    state = server.state()
    assert len(state["pages"]) >= 6  # cover, contents, two cities of two pages at least
    assert page.locator("figure.page").count() == len(state["pages"])
    titles = page.locator("#contents").inner_text()
    assert "SEOUL" in titles and "AMSTERDAM" in titles  # the outline: names as printed
    assert sum(1 for p in state["pages"] if p["label"] == "AMSTERDAM") == 2
    page.locator("#jump").fill("amst")
    assert page.locator("#contents li:not([hidden])").count() == 1


@pytest.mark.browser
def test_saved_change_updates_the_page_without_reload(
    page: Any, server: Server, project: Path
) -> None:
    before = server.state()
    digests = [p["digest"] for p in before["pages"]]
    first = next(e["page"] for e in before["nav"] if e["title"] == "AMSTERDAM")
    page.evaluate("window.notReloaded = true")
    page.locator("#contents a", has_text="AMSTERDAM").click()
    page.wait_for_timeout(200)
    top = page.evaluate(f"document.getElementById('page-{first}').getBoundingClientRect().top")
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/pages/" in r.url else None)
    page.evaluate(
        "window.seen = []; new EventSource('/events').addEventListener('state',"
        " (e) => window.seen.push(JSON.parse(e.data)))"
    )
    profile = project / "profiles/amsterdam.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("경제는 순환하게", "도시는 함께 바뀌게"), encoding="utf-8")
    try:
        page.wait_for_function(
            f"() => {{ const i = document.querySelector('#page-{first} img');"
            f" return i.dataset.loaded && i.dataset.loaded !== '{digests[first - 1]}'; }}",
            timeout=60_000,
        )
        after = server.state()
        assert page.evaluate("window.notReloaded") is True
        changed = {p["digest"] for p in after["pages"]} - set(digests)
        assert changed and after["pages"][first - 1]["digest"] in changed
        # only the changed pages' images were fetched again; Seoul's kept their URL
        assert {u.rsplit("/", 1)[1].removesuffix(".png") for u in fetched} <= changed
        seoul = [i for i, p in enumerate(after["pages"]) if p["label"] == "SEOUL"]
        assert seoul and all(after["pages"][i]["digest"] == digests[i] for i in seoul)
        now = page.evaluate(f"document.getElementById('page-{first}').getBoundingClientRect().top")
        assert abs(now - top) < 2  # the reader's place is kept
        # pixels first: the new page was pushed while the PDFs were still being finished
        new = after["pages"][first - 1]["digest"]
        pushed = page.evaluate("window.seen")
        assert any(
            s["status"] == "building" and s["pages"][first - 1]["digest"] == new for s in pushed
        ), [(s["status"], s["message"]) for s in pushed]
    finally:
        profile.write_text(text, encoding="utf-8")
        server.wait_ready()


@pytest.mark.browser
def test_broken_profile_shows_the_finding_then_clears(
    page: Any, server: Server, project: Path
) -> None:
    pages = len(server.state()["pages"])
    profile = project / "profiles/seoul.yaml"
    text = profile.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("  population:"))
    profile.write_text(text.replace("  population: 9509458", "  population: -5"), "utf-8")
    try:
        page.wait_for_selector("#findings:not([hidden])", timeout=60_000)
        shown = page.inner_text("#findings")
        assert f"profiles/seoul.yaml:{line}:" in shown
        assert "schema-range" in shown and "about.population" in shown
        assert "stale" in (page.get_attribute("#pages", "class") or "")
        assert page.locator("figure.page").count() == pages  # the last good pages stay
    finally:
        profile.write_text(text, encoding="utf-8")
    page.wait_for_selector("#findings", state="hidden", timeout=60_000)
    assert "stale" not in (page.get_attribute("#pages", "class") or "")
    assert page.locator("figure.page").count() == pages


def test_contents_name_every_part_the_back_cover_too(server: Server) -> None:
    state = server.state()
    nav = state["nav"]
    assert nav[0]["page"] == 1
    assert {
        "title": "목차",
        "page": 2,
    } in nav  # the sections' titles as the book's outline has them
    assert nav[-1] == {"title": "Back cover", "page": len(state["pages"])}
    assert state["pages"][-1]["label"] == "Back cover"
    assert [e["page"] for e in nav] == sorted(e["page"] for e in nav)


def test_shown_pages_are_the_books_pages(server: Server, project: Path) -> None:
    """Pages are rendered from the page cache, not the book: they must look the same."""
    from PIL import Image

    from scireport.preview.render import SCREEN_DPI, draw_pages

    state = (
        server.wait_ready()
    )  # after the edits above: their books were finished in the background
    book = project / "build/.preview/print/report.pdf"
    drawn = draw_pages(book, None, SCREEN_DPI)
    assert len(drawn) == len(state["pages"])
    for number, (data, page) in enumerate(zip(drawn, state["pages"], strict=True), start=1):
        status, shown = server.get(f"/pages/{page['digest']}.png")
        assert status == 200
        ours, theirs = (Image.open(io.BytesIO(d)) for d in (shown, data))
        assert ours.size == theirs.size and ours.tobytes() == theirs.tobytes(), f"page {number}"


def test_renders_no_page_uses_are_pruned(server: Server, project: Path) -> None:
    state = server.wait_ready()
    folder = project / "build/.preview/.pages"
    saved = json.loads(next(folder.glob("view-print-*.json")).read_text("utf-8"))
    sources = {f"{p['sha256'][:32]}.pdf" for p in saved["parts"]}
    assert {p.name for p in (folder / "sources").iterdir()} == sources
    digests = {p["digest"] for p in state["pages"]}
    images = {
        p.name.removesuffix(".png").removesuffix("@2x") for p in (folder / "images").iterdir()
    }
    assert images == digests  # the edited page's earlier images went with the edit


def test_open_starts_the_browser_on_the_url_and_shows_the_last_pages(
    server: Server, project: Path, tmp_path: Path
) -> None:
    """``--open`` runs $BROWSER with the URL; the pages the last preview showed come at once."""
    record = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {record}\n', encoding="utf-8")
    browser.chmod(0o755)
    shown = server.state()["pages"]
    env = {**os.environ, "BROWSER": str(browser)}
    second = Server(project, "--open", env=env)
    try:
        deadline = time.monotonic() + 30
        while not record.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert record.read_text(encoding="utf-8") == second.url
        restored = second.wait_for_line("the last preview's")
        assert f"showing the last preview's {len(shown)} pages" in restored
        assert not any("built " in line for line in second.lines[: second.lines.index(restored)])
        assert [p["digest"] for p in second.wait_ready()["pages"]] == [p["digest"] for p in shown]
    finally:
        assert second.stop() == 0, second.lines
