"""Preview benchmark: from saving one profile to the new page in a real browser, against Typst.

Run ``.venv/bin/python benchmarks/bench_preview.py`` (``make bench-preview``). On the W50
workload (50 generated cities, see workload.py) it measures, in one run:

1. ``typst``: Typst's whole-book compile of the same content (bench_build.py's template and
   child process), median of 5 processes;
2. ``first page, warm``: ``scireport preview`` started on a project whose preview cache is
   warm (a previous preview built and rendered it), until the first page's image is loaded
   in Chromium, median of 5 starts;
3. ``save to pixels``: with the preview open in Chromium on the edited city's page, one
   profile saved (one sentence changed, ``workload.edit_profile``) until that city's new
   page image is loaded in the browser, median of 5 edits.

The browser is Debian's Chromium driven by Playwright. The figures, with the 1-minute load
average when each step started and ended, are printed and written to the ``Preview`` section of
benchmarks/RESULTS.md (``--results`` to write elsewhere).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from bench_build import FONT_DIR, machine, typst_sources  # noqa: E402
from workload import edit_profile, make_project  # noqa: E402

from scireport.preview.chromium import launch  # noqa: E402

SCIREPORT = str(Path(sys.executable).parent / "scireport")
RUNS = 5
START = "<!-- bench-preview: start -->"
END = "<!-- bench-preview: end -->"


class Preview:
    """A ``scireport preview`` process on a free port."""

    def __init__(self, root: Path) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [SCIREPORT, "preview", "--port", "0", "--project", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.url_ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._read, daemon=True).start()
        if not self.url_ready.wait(120):
            raise SystemExit(f"preview did not start: {self.lines}")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            found = re.search(r"preview at (\S+)", line)
            if found and not self.url:
                self.url = found.group(1)
                self.url_ready.set()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def load() -> float:
    return round(os.getloadavg()[0], 2)


def typst_runs(root: Path) -> tuple[list[float], str]:
    """Wall seconds of ``RUNS`` Typst whole-book compiles (own processes), and the load."""
    source = typst_sources(root, root / "bench/typst")
    command = [sys.executable, str(HERE / "bench_build.py"), "--child", "typst", str(source)]
    command += [str(root / "bench/typst/book.pdf"), FONT_DIR]
    subprocess.run(command, check=True, capture_output=True)  # warm-up, untimed
    at_start, times = load(), []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times, f"{at_start}–{load()}"


FIRST_LOADED = (
    "() => { const i = document.querySelector('figure.page img');"
    " return !!i && i.complete && i.naturalWidth > 0 && !!i.dataset.loaded; }"
)


def first_page_runs(browser: Any, root: Path) -> tuple[list[float], str]:
    """Seconds from starting ``scireport preview`` (warm cache) to page 1 shown, ``RUNS`` times."""
    at_start, times = load(), []
    for _ in range(RUNS):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        tab = context.new_page()
        preview = Preview(root)
        try:
            tab.goto(preview.url)
            tab.wait_for_function(FIRST_LOADED, timeout=120_000, polling=10)
            times.append(time.perf_counter() - preview.started)
        finally:
            context.close()
            preview.stop()
    return times, f"{at_start}–{load()}"


def save_to_pixels_runs(browser: Any, root: Path, profile: Path) -> tuple[list[float], str]:
    """Seconds from saving ``profile`` to its city's new page image loaded, ``RUNS`` times."""
    preview = Preview(root)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(preview.url)
        tab.wait_for_function(FIRST_LOADED, timeout=300_000)
        state = tab.evaluate("fetch('/state').then((r) => r.json())")
        name = re.search(r"^city: (.+)$", profile.read_text(encoding="utf-8"), re.M)
        assert name is not None
        wanted = name.group(1).strip('"').casefold()  # the outline has it as printed
        entry = next(e for e in state["nav"] if e["title"].casefold() == wanted)
        count = sum(1 for p in state["pages"] if p["label"] == entry["title"])
        figures = [entry["page"] + i for i in range(count)]
        tab.locator(f"#page-{entry['page']}").scroll_into_view_if_needed()
        started_load, times = load(), []
        for n in range(RUNS):
            time.sleep(1.0)
            old = tab.evaluate(
                f"{json.dumps(figures)}.map((n) =>"
                " document.querySelector(`#page-${n} img`).dataset.loaded)"
            )
            started = time.perf_counter()
            edit_profile(profile, seed=20 + n)
            tab.wait_for_function(
                f"() => {{ const old = {json.dumps(old)};"
                f" const imgs = {json.dumps(figures)}.map((n) =>"
                " document.querySelector(`#page-${n} img`));"
                " return imgs.some((img, k) => img.dataset.loaded !== old[k])"
                " && imgs.every((img) => img.complete"
                " && img.dataset.loaded === img.dataset.digest);"
                " }",
                timeout=120_000,
                polling=10,
            )
            times.append(time.perf_counter() - started)
        loads = f"{started_load}–{load()}"
    finally:
        context.close()
        preview.stop()
    return times, loads


def write_section(path: Path, lines: list[str]) -> None:
    """Put the preview section into ``path``, replacing an earlier one."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = "\n".join([START, *lines, END])
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=0, help="workload seed (default 0)")
    parser.add_argument("--out", type=Path, default=REPO / "bench-out/preview", help="scratch")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md", help="results file")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(args.out.resolve() / "pycache")
    root = args.out.resolve() / "w50"
    if root.exists():
        shutil.rmtree(root)
    profiles = make_project(root, 50, args.seed)
    profile = profiles[len(profiles) // 2]
    began = time.perf_counter()
    print("typst whole-book compile ...", flush=True)
    typst, typst_load = typst_runs(root)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            print("cold preview (fills the cache), then save to pixels ...", flush=True)
            edits, edit_load = save_to_pixels_runs(browser, root, profile)
            print("first page with a warm cache ...", flush=True)
            firsts, first_load = first_page_runs(browser, root)
        finally:
            browser.close()
    rows = [
        ("Typst whole-book compile (process)", typst, typst_load),
        ("preview: save one profile -> new page image loaded", edits, edit_load),
        ("preview: start (warm cache) -> first page visible", firsts, first_load),
    ]
    ratio = statistics.median(edits) / statistics.median(typst)
    first = statistics.median(firsts)
    verdicts = [
        f"save-to-pixels / Typst compile: {ratio:.2f}× (target < 1×:"
        f" {'met' if ratio < 1 else 'NOT met'})",
        f"first page visible with a warm cache: {first:.2f} s (target ≤ 2 s:"
        f" {'met' if first <= 2 else 'NOT met'})",
    ]
    for what, times, at in rows:
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"{what}: median {statistics.median(times):.2f} s ({shown}); load {at}")
    print(*verdicts, sep="\n")
    lines = [
        "## Preview (`make bench-preview`)",
        "",
        f"Written by `benchmarks/bench_preview.py` on {time.strftime('%Y-%m-%d %H:%M %Z')}"
        f" in {time.perf_counter() - began:.0f} s; W50 ({len(profiles)} cities), print edition,"
        " Debian's Chromium headless via Playwright."
        f" Machine: {machine()['CPU']}; Python {platform_python()}.",
        "",
        "| step | median s | runs s | load (1 min, start–end) |",
        "|---|---:|---|---:|",
        *(
            f"| {what} | {statistics.median(t):.2f} | {', '.join(f'{x:.2f}' for x in t)} | {at} |"
            for what, t, at in rows
        ),
        "",
        *(f"- {v}" for v in verdicts),
        "",
        "Save to pixels runs from the profile's write to the edited city's new page images"
        " loaded in the browser: the watcher's debounce, loading and checking the project,"
        " typesetting the edited city, rendering its pages with PDFium from the page cache"
        " (finished as the book's pages are), the push by Server-Sent Events and the"
        " browser's fetch of the changed images only. The rest of that build (finishing and"
        " preflighting the PDFs, stitching the book) runs after the push in a background"
        " process, which the next save stops. First page runs from starting the"
        " `scireport preview` process to the first page image loaded; the preview's cache"
        " (`build/.preview`) is warm from the previous runs, and the pages the last preview"
        " showed are served before its first build ends. Typst runs as its own process"
        " (import and compile), as in bench_build.py.",
        "",
    ]
    write_section(args.results, lines)
    print(f"wrote {args.results}")
    return 0


def platform_python() -> str:
    return ".".join(map(str, sys.version_info[:3]))


if __name__ == "__main__":
    sys.exit(main())
