"""Build benchmark: scireport against one big WeasyPrint document and against Typst.

Run ``.venv/bin/python benchmarks/bench_build.py`` (``make bench-build``); ``--quick`` skips
W500. For each workload (W50: 50 generated city profiles, W500: 500; see workload.py) it
measures, one after the other in one run:

1. ``naive``: the whole book (cover, contents, every city) as one HTML document built
   from scireport's own templates and CSS, laid out and written by a single WeasyPrint
   call, the way a user would do it by hand;
2. ``cold``: ``scireport build`` into an empty output folder (print edition);
3. ``edited``: ``scireport build`` again after one sentence of one profile changed;
4. ``city``: ``scireport build --city <slug>``;
5. ``typst``: Typst (the ``typst`` package) compiling the same cities and text with a
   simple two-pages-per-city template in Noto Sans CJK KR;

and, on W50 when ``scireport build`` has ``--jobs``, ``cold`` with ``--jobs 1`` and 2.

Every step runs as its own process: wall and CPU time are measured around it, memory by
sampling the resident set size (every 10 ms) and the proportional set size (every 50 ms)
of the process and all its descendants (the peaks of their sums) and by the kernel's
``ru_maxrss`` (the largest single process), pages with ``pdfinfo``. The table and the
ratios the issue sets targets for are printed with Rich and written, with a description
of the machine, to benchmarks/RESULTS.md (``--quick`` writes bench-out/build/RESULTS.md
instead, so that a quick run never replaces the full figures).

``--profile`` adds two cold W50 builds in one process (``--jobs 1``): one with the main
stages timed one by one (true wall times), one under cProfile (top functions). A failing
step prints its output; the benchmark then exits with status 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCIREPORT = str(BIN / "scireport")
FONT_DIR = "/usr/share/fonts/opentype/noto"
FONT_FAMILY = "Noto Sans CJK KR"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


class StepFailed(Exception):
    """A measured step exited non-zero or wrote nothing."""


# --- measuring a process --------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc/PID/task/*/children)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                out += [int(p) for p in handle.read().split()]
        except OSError:
            continue
    return out


def _rss(pid: int) -> int:
    """Resident set size of ``pid`` in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    """Proportional set size of ``pid`` in bytes (shared pages split between their users)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed RSS (and PSS) of a process and its descendants until stopped.

    RSS every ``interval`` seconds (cheap); PSS, which does not count the pages forked
    workers share with their parent twice, every fifth sample (reading it costs ~1 ms).
    """

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.peak_pss = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        """Take one sample and keep the peaks."""
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo += _children(pid)
        self.peak = max(self.peak, sum(_rss(pid) for pid in pids))
        if self.samples % 5 == 0:
            self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in pids))
        self.samples += 1

    def run(self) -> None:
        """Sample every ``interval`` seconds."""
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop_event.set()
        self.join()


@dataclass
class Run:
    """One process run: how long it took and how much memory it held."""

    command: list[str]
    """The command as run."""
    seconds: float
    """Wall time from start to exit."""
    peak_rss: int
    """Peak of the summed RSS of the process and its descendants, in bytes (sampled)."""
    peak_pss: int
    """Peak of the summed PSS of the process and its descendants, in bytes (sampled)."""
    max_rss: int
    """Largest RSS any single process of the tree reached, in bytes (kernel figure)."""
    cpu_seconds: float
    """User + system CPU time of the process and the descendants it waited for."""
    load: float
    """One-minute load average when it started (other work on the machine skews times)."""
    stdout: str
    """What it printed."""
    stderr: str
    """What it printed to stderr."""


def run_measured(command: list[str], cwd: Path, timeout: float) -> Run:
    """Run ``command`` in ``cwd``, measuring wall time and memory; raise StepFailed on error."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open("/proc/loadavg") as handle:
            load = float(handle.read().split()[0])
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=cwd, stdout=out, stderr=err, env=env, start_new_session=True
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            sampler.stop()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        why = "timed out" if proc.returncode == -signal.SIGKILL else f"exit {proc.returncode}"
        raise StepFailed(
            f"{' '.join(command)} failed ({why}) in {cwd}\n--- stdout\n{stdout[-4000:]}"
            f"\n--- stderr\n{stderr[-8000:]}"
        )
    cpu = usage.ru_utime + usage.ru_stime
    return Run(
        command,
        seconds,
        sampler.peak,
        sampler.peak_pss,
        usage.ru_maxrss * 1024,
        cpu,
        load,
        stdout,
        stderr,
    )


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def pdf_pages(path: Path) -> int:
    """Number of pages of a PDF, from pdfinfo."""
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False)
    match = re.search(r"^Pages:\s+(\d+)", result.stdout, re.MULTILINE)
    if result.returncode != 0 or match is None:
        raise StepFailed(f"pdfinfo {path} failed: {result.stderr.strip()}")
    return int(match.group(1))


# --- child processes: the naive WeasyPrint call and Typst ------------------------------------


def child_watch(project: str, profile: str) -> None:
    """Run ``build --watch`` in-process; time saving one profile until the book is rewritten.

    Prints the phases as JSON: the first (cold) build and each of three edits, from the
    file write to the watcher's report of the rewritten book.
    """
    import threading

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from workload import edit_profile

    from scireport.build import BuildOptions, watch

    reports: list[float] = []
    arrived = threading.Condition()
    stop = threading.Event()

    def report(result: Any) -> None:
        with arrived:
            reports.append(time.perf_counter())
            arrived.notify_all()
        if not hasattr(result, "outputs"):
            print(f"watch reported an error: {result}", file=sys.stderr)

    def wait(count: int) -> None:
        with arrived:
            if not arrived.wait_for(lambda: len(reports) >= count, timeout=600):
                raise SystemExit("watch did not report in time")

    started = time.perf_counter()
    thread = threading.Thread(
        target=watch, args=(Path(project), BuildOptions(out=Path("build")), report),
        kwargs={"stop": stop}, daemon=True,
    )  # fmt: skip
    thread.start()
    wait(1)
    phases: dict[str, Any] = {"first build s": round(reports[0] - started, 3)}
    edits = []
    for n in range(3):
        time.sleep(0.5)
        saved = time.perf_counter()
        edit_profile(Path(profile), seed=10 + n)
        wait(n + 2)
        edits.append(round(reports[n + 1] - saved, 3))
    stop.set()
    thread.join(timeout=30)
    phases["save to book s"] = edits
    phases["best save to book s"] = min(edits)
    print(json.dumps(phases))


def child_naive(html_path: str, base_url: str, target: str) -> None:
    """Lay out and write one HTML document with WeasyPrint; print phase timings as JSON."""
    started = time.perf_counter()
    import weasyprint

    imported = time.perf_counter()
    html = Path(html_path).read_text(encoding="utf-8")
    document = weasyprint.HTML(string=html, base_url=base_url).render()
    rendered = time.perf_counter()
    document.write_pdf(target, pdf_variant="pdf/x-4")
    written = time.perf_counter()
    print(
        json.dumps(
            {
                "import": imported - started,
                "render": rendered - imported,
                "write": written - rendered,
                "pages": len(document.pages),
            }
        )
    )


def child_typst(source: str, target: str, font_dir: str) -> None:
    """Compile a Typst file to PDF with only ``font_dir``'s fonts; print timings as JSON."""
    started = time.perf_counter()
    import typst

    imported = time.perf_counter()
    typst.compile(
        source,
        output=target,
        root=str(Path(source).parent),
        font_paths=[font_dir],
        ignore_system_fonts=True,
    )
    print(json.dumps({"import": imported - started, "compile": time.perf_counter() - imported}))


TIMED = (
    "scireport.build:load_project",
    "scireport.build:check_project",
    "scireport.build:load_layout",
    "scireport.assemble:BookTemplates.city",
    "scireport.typeset:Typesetter.render",
    "scireport.typeset:Typesetter.write",
    "scireport.build:stitch",
    "scireport.build:BookBuilder.finish_and_check",
)
"""Functions the profile times one by one (``module:attribute``); missing ones are skipped."""


def _add_timer(target: str, timings: dict[str, list[list[float]]]) -> None:
    """Wrap ``module:Owner.name`` so each call's duration (and pages, if any) is recorded."""
    import functools
    import importlib

    module_name, _, dotted = target.partition(":")
    try:
        owner: Any = importlib.import_module(module_name)
        *path, name = dotted.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)
    except (ImportError, AttributeError):
        return
    calls = timings.setdefault(dotted, [])

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = original(*args, **kwargs)
        pages = getattr(result, "pages", None)
        calls.append([time.perf_counter() - started, len(pages) if isinstance(pages, list) else 0])
        return result

    setattr(owner, name, timed)


def child_profile(mode: str, project: str, out: str, stats: str, *extra: str) -> None:
    """Run ``scireport build`` in this process and print where its time went, as JSON.

    ``mode`` is ``timers`` (only the functions of TIMED are timed: wall times stay true) or
    ``cprofile`` (the whole build under cProfile, written to ``stats``). ``extra`` are more
    build options: ``--jobs 1`` keeps the typesetting in this process, where both see it.
    """
    import cProfile

    started = time.perf_counter()
    import weasyprint  # noqa: F401  (its import time is reported apart)

    import_seconds = time.perf_counter() - started
    timings: dict[str, list[list[float]]] = {}
    if mode == "timers":
        for target in TIMED:
            _add_timer(target, timings)
    from scireport.cli import app

    profiler = cProfile.Profile()
    started = time.perf_counter()
    if mode == "cprofile":
        profiler.enable()
    try:
        app(["build", "--project", project, "--out", out, *extra], standalone_mode=False)
    finally:
        profiler.disable()
    total = time.perf_counter() - started
    if mode == "cprofile":
        profiler.dump_stats(stats)
    print(json.dumps({"import_weasyprint": import_seconds, "build": total, "timers": timings}))


# --- preparing the inputs of the naive and Typst runs ----------------------------------------


def naive_html(root: Path) -> str:
    """The whole book as one HTML document, from scireport's templates and the layout's CSS."""
    from scireport.assemble import BookTemplates, Edition
    from scireport.layouts import load_layout
    from scireport.project import load_project

    project = load_project(root)
    config = project.config
    if config is None:
        raise StepFailed(f"{root}: scireport.yaml does not validate")
    layout = load_layout(project.root, config.layout)
    templates = BookTemplates(layout, config, Edition(name="print", lang=config.lang), root)
    cities = [c for c in project.cities if c.profile is not None]
    per_page = layout.manifest.toc_entries_per_page
    budget = layout.manifest.pages_per_city
    first = 2 + max(1, math.ceil(len(cities) / per_page))
    entries, articles = [], []
    for i, city in enumerate(cities):
        assert city.profile is not None
        page = first + i * budget
        entries.append(
            {
                "slug": city.slug,
                "name": city.profile.city,
                "native_name": city.profile.native_name,
                "country": city.profile.country,
                "page": page,
            }
        )
        articles.append(
            _between(templates.city(city.slug, city.profile, page), "<article", "</article>")
        )
    contents = templates.contents(entries, 2)
    head = _between(contents, "<head>", "</head>")
    head = re.sub(r"@page :first \{ counter-reset: page \d+ \}", "", head)
    extra = (
        "<style>.cover-page { page: cover } .contents-page, article.city"
        " { break-before: page }</style>"
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{config.lang}">',
            head.replace("</head>", extra + "</head>"),
            '<body class="edition-print">',
            _between(contents, '<footer class="page-footer">', "</footer>"),
            _between(templates.cover(), '<section class="cover-page">', "</section>"),
            _between(contents, '<section class="contents-page">', "</section>"),
            *articles,
            "</body>",
            "</html>",
        ]
    )


def _between(html: str, start: str, end: str) -> str:
    """The first ``start``...``end`` span of ``html``, both included."""
    i = html.find(start)
    j = html.find(end, i)
    if i < 0 or j < 0:
        raise StepFailed(f"the layout's HTML has no {start}...{end}: update naive_html()")
    return html[i : j + len(end)]


TYPST_TEMPLATE = r"""
#let data = json("book.json")
#let accent = cmyk(100%, 62%, 0%, 18%)
#let light = cmyk(12%, 5%, 0%, 0%)
#let muted = cmyk(0%, 0%, 0%, 60%)
#let ink = cmyk(0%, 0%, 0%, 90%)
#let report = data.report
#set document(title: report.title + " " + str(report.year), author: report.organisations)
#set text(font: "FONT", size: 9.6pt, lang: "ko", fill: ink)
#set par(justify: true, leading: 0.75em, spacing: 2.4mm)
#set page(
  paper: "a4",
  margin: (top: 20mm, right: 18mm, bottom: 26mm, left: 18mm),
  footer: context {
    set text(6.6pt, fill: muted)
    grid(columns: (1fr, auto), gutter: 4mm,
      [#text(fill: ink, weight: "bold")[
         #report.title #report.year · #report.organisations.join(" · ")] \
       #report.labels.contact: #report.contact.email · #report.contact.phone ·
       #report.contact.place \
       #report.copyright],
      text(9pt, weight: "bold", fill: accent, counter(page).display()))
  },
)
#let words(runs) = for run in runs {
  if run.at(1) { text(fill: accent, weight: "bold", run.at(0)) } else { run.at(0) }
}

#page(footer: none)[
  #place(top + left, dx: -18mm, dy: -20mm, rect(width: 210mm, height: 120mm, fill: accent))
  #v(30mm)
  #text(28pt, weight: "bold", fill: white, str(report.year))
  #par(justify: false, leading: 0.3em, text(30pt, weight: "bold", fill: white, report.title))
  #v(60mm)
  #for org in report.organisations [#text(10pt, weight: "bold", org) \ ]
  #text(8pt, fill: muted, report.copyright)
]

#for chunk in data.contents [
  #text(22pt, weight: "bold", fill: accent, report.labels.contents)
  #v(6mm)
  #table(
    columns: (42mm, 28mm, 1fr, 12mm), stroke: (x, y) => (bottom: 0.3pt + muted),
    inset: (x: 0pt, y: 1.6mm),
    ..chunk.map(e => (
      text(weight: "bold", fill: accent, link(label("city-" + e.slug), upper(e.name))),
      text(fill: muted, e.native), text(8pt, fill: muted, e.country),
      align(right, text(weight: "bold", str(e.page))),
    )).flatten()
  )
  #pagebreak()
]

#for city in data.cities [
  #place(top + left, dx: -18mm, dy: -20mm, rect(width: 210mm, height: 50mm, fill: accent))
  #block(height: 30mm, below: 6mm)[
    #v(2mm)
    #heading(level: 1, outlined: true,
      text(30pt, weight: "bold", fill: white, tracking: 0.04em, upper(city.name)))
    #label("city-" + city.slug)
    #text(10pt, weight: "bold", fill: light, upper(city.country))
  ]
  #block(fill: light, inset: (x: 5mm, y: 4mm), width: 100%, below: 6mm)[
    #text(10pt, weight: "bold", fill: accent)[ABOUT] #h(2mm)
    #text(10pt, weight: "bold", city.native)
    #v(1mm)
    #grid(columns: city.facts.len(), column-gutter: 8mm,
      ..city.facts.map(f => [#text(7.5pt, fill: muted, f.at(0)) \
        #text(13pt, weight: "bold", fill: accent, f.at(1))]))
    #v(1mm)
    #text(9pt, city.about)
  ]
  #block(below: 2mm, text(17pt, weight: "bold", city.headline.join("\n")))
  #block(below: 5mm, text(11pt, fill: accent, city.subtitle))
  #for para in city.body [#par(words(para))]
  #v(5mm)
  #block(breakable: false)[
    #text(10pt, weight: "bold", fill: accent, report.labels.initiatives)
    #line(length: 100%, stroke: 0.6pt + accent)
    #for item in city.initiatives [
      #text(weight: "bold", fill: accent, item.at(0)) #item.at(1) \
    ]
  ]
  #v(5mm)
  #block(breakable: false)[
    #text(10pt, weight: "bold", fill: accent, report.labels.scores)
    #line(length: 100%, stroke: 0.6pt + accent)
    #set text(8.5pt)
    #table(columns: (45mm, 1fr, 10mm), stroke: none, inset: (x: 0pt, y: 0.6mm),
      ..city.scores.map(s => (s.at(0),
        pad(x: 2mm, box(width: s.at(1) / 5 * 100%, height: 3mm, fill: accent)),
        align(right, text(weight: "bold", str(s.at(1)))))).flatten())
  ]
  #v(5mm)
  #block(breakable: false, text(7pt, fill: muted)[
    #text(8pt, weight: "bold", fill: accent, report.labels.sources) \
    #for source in city.sources [#source \ ]
  ])
  #pagebreak(to: "PARITY", weak: true)
]
"""


def typst_sources(root: Path, folder: Path) -> Path:
    """Write book.typ and book.json (same cities and text as the project) into ``folder``."""
    import yaml

    config = yaml.safe_load((root / "scireport.yaml").read_text(encoding="utf-8"))
    layout = yaml.safe_load((root / "layouts/default/layout.yaml").read_text(encoding="utf-8"))
    labels = layout["labels"][config.get("lang", "ko")]
    per_page = layout["toc_entries_per_page"]
    budget = layout["pages_per_city"]
    profiles = sorted((root / "profiles").glob("*.yaml"))
    cities = []
    for path in profiles:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        about = data.get("about", {})
        facts = []
        if about.get("area_km2") is not None:
            facts.append([labels["area"], f"{_number(about['area_km2'])} km²"])
        if about.get("population") is not None:
            facts.append([labels["population"], _number(about["population"])])
        if about.get("national_share_pct") is not None:
            facts.append([labels["share"], f"{_number(about['national_share_pct'])}%"])
        cities.append(
            {
                "slug": path.stem,
                "name": data["city"],
                "country": data["country"],
                "native": data.get("native_name") or "",
                "facts": facts,
                "about": about.get("text", ""),
                "headline": data["headline"].strip("\n").splitlines(),
                "subtitle": data.get("subtitle", ""),
                "body": [_runs(p) for p in re.split(r"\n\s*\n", data["body"].strip())],
                "initiatives": [[i["name"], i["text"]] for i in data.get("initiatives", [])],
                "scores": [
                    [labels.get(key, key), value] for key, value in data.get("scores", {}).items()
                ],
                "sources": data.get("sources", []),
            }
        )
    cities.sort(key=lambda c: c["name"].casefold())
    contents_pages = max(1, math.ceil(len(cities) / per_page))
    first = 2 + contents_pages
    entries = [
        {
            "slug": c["slug"],
            "name": c["name"],
            "native": c["native"],
            "country": c["country"],
            "page": first + i * budget,
        }
        for i, c in enumerate(cities)
    ]
    book = {
        "report": {**config, "labels": labels},
        "contents": [entries[i : i + per_page] for i in range(0, len(entries), per_page)],
        "cities": cities,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "book.json").write_text(json.dumps(book, ensure_ascii=False), encoding="utf-8")
    parity = "odd" if first % 2 else "even"
    source = TYPST_TEMPLATE.replace("FONT", FONT_FAMILY).replace("PARITY", parity)
    (folder / "book.typ").write_text(source, encoding="utf-8")
    return folder / "book.typ"


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _runs(paragraph: str) -> list[list[Any]]:
    """A Markdown paragraph as (text, bold) runs: only ``**bold**`` is used by the workload."""
    parts = paragraph.replace("\n", " ").split("**")
    return [[part, i % 2 == 1] for i, part in enumerate(parts) if part]


# --- the benchmark ---------------------------------------------------------------------------


@dataclass
class Step:
    """One measured step of one workload."""

    workload: str
    """``W50`` or ``W500``."""
    name: str
    """naive, cold, edited, city, typst, cold --jobs N."""
    run: Run
    """The measured process run."""
    output: Path
    """The PDF it wrote (the book, or the one city's PDF)."""
    pages: int
    """Pages of ``output``."""
    size: int
    """Size of ``output`` in bytes."""
    phases: dict[str, Any] = field(default_factory=dict)
    """Timings the child reported (naive and Typst)."""
    note: str = ""
    """What else was written."""


class Bench:
    """Runs the steps, keeps the results."""

    def __init__(self, out: Path, console: Any) -> None:
        self.out = out
        self.console = console
        self.steps: list[Step] = []
        self.jobs = (
            "--jobs"
            in subprocess.run(
                [SCIREPORT, "build", "--help"], capture_output=True, text=True, check=True
            ).stdout
        )
        self.profile_data: dict[str, Any] = {}

    def step(
        self,
        workload: str,
        name: str,
        command: list[str],
        cwd: Path,
        output: Path,
        timeout: float,
        note: str = "",
    ) -> Step:
        """Run one step, check its PDF, record and return it."""
        self.console.print(f"  {workload} {name}: {' '.join(_short(c) for c in command)}")
        run = run_measured(command, cwd, timeout)
        if not output.is_file():
            raise StepFailed(f"{name}: {output} was not written\n{run.stdout}\n{run.stderr}")
        phases: dict[str, Any] = {}
        last = run.stdout.strip().splitlines()[-1:] if run.stdout.strip() else []
        if last and last[0].startswith("{"):
            phases = json.loads(last[0])
        step = Step(
            workload, name, run, output, pdf_pages(output), output.stat().st_size, phases, note
        )
        self.steps.append(step)
        self.console.print(
            f"    {run.seconds:.2f} s, {step.pages} pages, peak {run.peak_rss / MB:.0f} MB"
            f" (largest process {run.max_rss / MB:.0f} MB), {step.size / MB:.1f} MB"
        )
        return step

    def workload(self, n: int, seed: int) -> None:
        """Generate a workload of ``n`` cities and measure every step on it."""
        from workload import edit_profile, make_project

        label = f"W{n}"
        timeout = 120 + 6 * n
        root = self.out / label.lower()
        if root.exists():
            shutil.rmtree(root)
        self.console.rule(f"{label}: {n} cities")
        started = time.perf_counter()
        profiles = make_project(root, n, seed)
        scratch = root / "bench"
        scratch.mkdir()
        html = scratch / "naive.html"
        html.write_text(naive_html(root), encoding="utf-8")
        typ = typst_sources(root, scratch / "typst")
        self.console.print(f"  generated in {time.perf_counter() - started:.1f} s: {root}")
        here = Path(__file__).resolve()
        py = sys.executable
        layout_url = (root / "layouts/default").as_uri() + "/"
        build = [SCIREPORT, "build", "--project", str(root), "--out", "build"]
        book = root / "build/print/report.pdf"
        slug = profiles[len(profiles) // 2].stem

        if n <= 50:  # warm the page cache and bytecode caches once, untimed
            run_measured([*build, "--city", slug, "--out", "bench/warmup"], root, timeout)
            run_measured(
                [py, str(here), "--child", "typst", str(typ), str(scratch / "w.pdf"), FONT_DIR],
                root,
                timeout,
            )

        naive_pdf = scratch / "naive.pdf"
        self.step(
            label,
            "naive",
            [py, str(here), "--child", "naive", str(html), layout_url, str(naive_pdf)],
            root,
            naive_pdf,
            timeout,
            "one HTML document, one WeasyPrint render + write_pdf (PDF/X-4)",
        )
        shutil.rmtree(root / "build", ignore_errors=True)
        cold = self.step(label, "cold", build, root, book, timeout)
        default_jobs = "default --jobs (one worker per core); " if self.jobs else ""
        cold.note = default_jobs + _city_files(root / "build/print/cities")
        edit_profile(profiles[len(profiles) // 2])
        self.step(
            label, "edited", build, root, book, timeout, f"one sentence of {slug}.yaml changed"
        )
        city_pdf = root / f"build/print/cities/{slug}.pdf"
        self.step(
            label, "city", [*build, "--city", slug], root, city_pdf, timeout, f"--city {slug}"
        )
        watch_step = self.step(
            label,
            "watch edit",
            [py, str(here), "--child", "watch", str(root), str(profiles[len(profiles) // 2])],
            root,
            book,
            timeout,
            "build --watch, warm process: save one profile -> book rewritten (best of 3)",
        )
        best = watch_step.phases.get("best save to book s")
        if best is not None:
            watch_step.note += f": {best:.2f} s"
        typst_pdf = scratch / "typst/book.pdf"
        self.step(
            label,
            "typst",
            [py, str(here), "--child", "typst", str(typ), str(typst_pdf), FONT_DIR],
            root,
            typst_pdf,
            timeout,
            "typst.compile, same text, 2 pages per city",
        )
        if self.jobs and n <= 50:
            for jobs in (1, 2):
                target = f"bench/jobs{jobs}"
                command = [*build[:-1], target, "--jobs", str(jobs)]
                self.step(
                    label,
                    f"cold --jobs {jobs}",
                    command,
                    root,
                    root / target / "print/report.pdf",
                    timeout,
                )

    def profile(self, seed: int) -> None:
        """Time the stages of one cold W50 build, then profile another with cProfile."""
        import pstats

        root = self.out / "w50"
        if not root.exists():
            from workload import make_project

            make_project(root, 50, seed)
        self.console.rule("profile: cold W50 builds in one process (timers, then cProfile)")
        stats_path = root / "bench/build.pstats"
        here = str(Path(__file__).resolve())
        data: dict[str, Any] = {"jobs": "--jobs 1" if self.jobs else "(no --jobs option)"}
        for mode in ("timers", "cprofile"):
            out = root / f"bench/profile-{mode}"
            shutil.rmtree(out, ignore_errors=True)
            command = [sys.executable, here, "--child", "profile", mode, str(root), str(out)]
            command.append(str(stats_path))
            if self.jobs:
                command += ["--jobs", "1"]
            run = run_measured(command, root, 900)
            data[mode] = json.loads(run.stdout.strip().splitlines()[-1])
            self.console.print(f"  {mode}: build {data[mode]['build']:.2f} s")
        stats = pstats.Stats(str(stats_path))
        rows = []
        for (filename, line, name), row in stats.stats.items():  # type: ignore[attr-defined]
            _, calls, own, cumulative, _ = row
            rows.append((cumulative, own, calls, f"{_short_path(filename)}:{line}({name})"))
        data["top_cumulative"] = sorted(rows, reverse=True)[:25]
        data["scireport"] = sorted(
            (r for r in rows if r[3].startswith("scireport/") and r[0] >= 0.1), reverse=True
        )
        data["top_own"] = sorted(rows, key=lambda r: r[1], reverse=True)[:20]
        self.profile_data = data


def _city_files(folder: Path) -> str:
    files = list(folder.glob("*.pdf"))
    total = sum(f.stat().st_size for f in files)
    return f"also {len(files)} city PDFs, {total / MB:.1f} MB in all"


def _short(part: str) -> str:
    for prefix in (str(BIN) + "/", str(REPO) + "/"):
        if part.startswith(prefix):
            return part[len(prefix) :]
    return part


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", "/src/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# --- reporting -------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """A description of this machine and the software measured."""
    import weasyprint

    cpu = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        total_kb = int(handle.readline().split()[1])
    try:
        import typst

        typst_version = typst.__version__
    except (ImportError, AttributeError):
        typst_version = "not installed"
    return {
        "CPU": f"{cpu} × {os.cpu_count()} (nproc {len(os.sched_getaffinity(0))})",
        "Memory": f"{total_kb / 1024 / 1024:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "WeasyPrint": weasyprint.__version__,
        "Typst (python package)": typst_version,
        "Pango": _pango_version(),
    }


def _pango_version() -> str:
    try:
        from weasyprint.text.ffi import pango

        number = int(pango.pango_version())
    except Exception:  # noqa: BLE001 (only a description)
        return "?"
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def find(steps: list[Step], workload: str, name: str) -> Step | None:
    """The step called ``name`` of ``workload``, if it ran."""
    return next((s for s in steps if s.workload == workload and s.name == name), None)


def ratios(steps: list[Step]) -> list[tuple[str, str, str, str]]:
    """(what, value, target, verdict) for every ratio the issue names."""
    out: list[tuple[str, str, str, str]] = []

    def add(what: str, value: float | None, target: float | None, unit: str = "×") -> None:
        if value is None:
            return
        shown = f"{value:.0f} MB" if unit == "MB" else f"{value:.2f}{unit}"
        if target is None:
            out.append((what, shown, "-", ""))
            return
        limit = f"≤ {target:.0f} MB" if unit == "MB" else f"≤ {target:g}{unit}"
        out.append((what, shown, limit, "met" if value <= target else "NOT met"))

    for label in ("W50", "W500"):
        naive, cold = find(steps, label, "naive"), find(steps, label, "cold")
        edited, typst_step = find(steps, label, "edited"), find(steps, label, "typst")
        city = find(steps, label, "city")
        if naive and cold:
            add(
                f"{label} cold / naive (time)",
                cold.run.seconds / naive.run.seconds,
                0.5 if label == "W50" else None,
            )
        if naive and cold:
            add(f"{label} cold / naive (CPU)", cold.run.cpu_seconds / naive.run.cpu_seconds, None)
        if cold and edited:
            add(
                f"{label} edited / cold (time)",
                edited.run.seconds / cold.run.seconds,
                0.15 if label == "W50" else None,
            )
        if cold and city:
            add(f"{label} --city / cold (time)", city.run.seconds / cold.run.seconds, None)
        watched = find(steps, label, "watch edit")
        if watched and typst_step and "best save to book s" in watched.phases:
            add(
                f"{label} watch save-to-book / Typst whole book (time)",
                watched.phases["best save to book s"] / typst_step.run.seconds,
                1.0 if label == "W50" else None,
            )
        if edited and typst_step:
            add(
                f"{label} edited / Typst whole book (time)",
                edited.run.seconds / typst_step.run.seconds,
                None,
            )
        if naive and cold:
            add(
                f"{label} book size / naive size",
                cold.size / naive.size,
                1.25 if label == "W50" else None,
            )
        if cold and label == "W500":
            add("W500 cold build peak RSS (all processes)", cold.run.peak_rss / MB, 400, "MB")
            add("W500 cold build peak PSS (all processes)", cold.run.peak_pss / MB, 400, "MB")
            small = find(steps, "W50", "cold")
            if small:
                add("W500 / W50 cold peak RSS", cold.run.peak_rss / small.run.peak_rss, None)
    return out


def table_rows(steps: list[Step]) -> list[list[str]]:
    """The main table's cells, one row per step."""
    return [
        [
            s.workload,
            s.name,
            f"{s.run.seconds:.2f}",
            f"{s.run.cpu_seconds:.2f}",
            str(s.pages),
            f"{s.run.peak_rss / MB:.0f}",
            f"{s.run.peak_pss / MB:.0f}",
            f"{s.run.max_rss / MB:.0f}",
            f"{s.size / MB:.2f}",
            f"{s.run.load:.1f}",
            s.note,
        ]
        for s in steps
    ]


HEADERS = [
    "workload",
    "step",
    "wall s",
    "CPU s",
    "pages",
    "peak RSS MB (all)",
    "peak PSS MB (all)",
    "max RSS MB (1 proc)",
    "PDF MB",
    "load",
    "notes",
]
NUMERIC = {h for h in HEADERS if h not in ("workload", "step", "notes")}


def phase_rows(steps: list[Step]) -> list[list[str]]:
    """Where the single-document WeasyPrint and the Typst time goes."""
    rows = []
    for s in steps:
        p = s.phases
        if s.name == "naive" and p:
            pages = max(1, int(p["pages"]))
            rows.append(
                [
                    s.workload,
                    "naive (WeasyPrint)",
                    f"{p['import']:.2f}",
                    f"{p['render']:.2f} ({1000 * p['render'] / pages:.1f} ms/page)",
                    f"{p['write']:.2f} ({1000 * p['write'] / pages:.1f} ms/page)",
                    f"{s.run.seconds - p['import'] - p['render'] - p['write']:.2f}",
                ]
            )
        elif s.name == "typst" and p:
            rows.append(
                [
                    s.workload,
                    "typst",
                    f"{p['import']:.2f}",
                    f"{p['compile']:.2f} ({1000 * p['compile'] / max(1, s.pages):.1f} ms/page)",
                    "-",
                    f"{s.run.seconds - p['import'] - p['compile']:.2f}",
                ]
            )
    return rows


PHASE_HEADERS = [  # Typst's compile is layout and PDF together: shown under layout
    "workload",
    "run",
    "import s",
    "layout s",
    "write PDF s",
    "rest s (interpreter, I/O)",
]


def print_results(console: Any, steps: list[Step], profile: dict[str, Any]) -> None:
    """Print the tables with Rich."""
    from rich.table import Table

    table = Table(title="scireport build benchmark")
    for header in HEADERS:
        table.add_column(header, justify="right" if header in NUMERIC else "left")
    for row in table_rows(steps):
        table.add_row(*row)
    console.print(table)
    ratio_table = Table(title="ratios (issue 5 targets)")
    for header in ("ratio", "value", "target", ""):
        ratio_table.add_column(header)
    for what, value, target, verdict in ratios(steps):
        colour = "green" if verdict == "met" else "red" if verdict else ""
        ratio_table.add_row(what, value, target, f"[{colour}]{verdict}[/]" if colour else "")
    console.print(ratio_table)
    phases = phase_rows(steps)
    if phases:
        phase_table = Table(title="where the time goes (single document / Typst)")
        for header in PHASE_HEADERS:
            phase_table.add_column(header)
        for row in phases:
            phase_table.add_row(*row)
        console.print(phase_table)
    if profile:
        for line in profile_lines(profile):
            console.print(line, markup=False, highlight=False)


def profile_lines(profile: dict[str, Any]) -> list[str]:
    """The profile's summary as plain lines."""
    timers = profile["timers"]
    lines = [
        f"Cold W50 build in one process ({profile['jobs']}), stages timed one by one:"
        f" build {timers['build']:.2f} s, after import weasyprint"
        f" {timers['import_weasyprint']:.2f} s",
        "  calls      s  ms/call  ms/page  function",
    ]
    for name, calls in timers["timers"].items():
        if not calls:
            continue
        seconds = sum(c[0] for c in calls)
        pages = sum(c[1] for c in calls)
        per_page = f"{1000 * seconds / pages:7.1f}" if pages else "      -"
        per_call = 1000 * seconds / len(calls)
        lines.append(f"  {len(calls):5d} {seconds:6.2f} {per_call:8.0f} {per_page}  {name}")
    lines += [
        "",
        f"Same build under cProfile: {profile['cprofile']['build']:.2f} s (cProfile slows"
        " Python code, not C code such as zlib or HarfBuzz).",
        "  scireport functions >= 0.1 s (cumulative s, own s, calls):",
    ]
    rows = profile["scireport"]
    lines += [f"    {c:7.2f} {t:7.2f} {n:8d}  {name}" for c, t, n, name in rows]
    lines.append("  top cumulative:")
    lines += [
        f"    {c:7.2f} {t:7.2f} {n:8d}  {name}" for c, t, n, name in profile["top_cumulative"]
    ]
    lines.append("  top own time:")
    lines += [f"    {c:7.2f} {t:7.2f} {n:8d}  {name}" for c, t, n, name in profile["top_own"]]
    return lines


def write_results(
    path: Path, steps: list[Step], profile: dict[str, Any], args: argparse.Namespace, seconds: float
) -> None:
    """Write RESULTS.md: machine, commands, the tables and the ratios."""
    lines = [
        "# Build benchmark results",
        "",
        f"Written by `benchmarks/bench_build.py{' --quick' if args.quick else ''}`"
        f" on {time.strftime('%Y-%m-%d %H:%M %Z')} in {seconds:.0f} s."
        " Every step is its own process, run one after the other; figures come from one run.",
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in machine().items()),
        "",
        "## Results",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---:" if h in NUMERIC else "---" for h in HEADERS) + "|",
        *("| " + " | ".join(row) + " |" for row in table_rows(steps)),
        "",
        "Wall s is measured around the process; CPU s is its user + system time with the"
        " workers it waited for. Peak RSS (all) is the peak of the summed resident memory of"
        " the process and every descendant, sampled every 10 ms; peak PSS (all) the same with"
        " pages shared between processes (forked workers) counted once, sampled every 50 ms;"
        " max RSS (1 proc) is the kernel's figure for the largest single process. PDF MB is"
        " the book (or, for `city`, that city's PDF). Load is the 1-minute load average when"
        " the step started: the machine is shared, and a load above 0 means other work"
        " competed for its cores.",
        "",
        "Measured processes read and write Python bytecode under the output folder"
        " (`PYTHONPYCACHEPREFIX`; the sandbox sets `PYTHONDONTWRITEBYTECODE`, which makes"
        " every start compile scireport's modules again, about 0.3 s). One untimed"
        " `build --city` and one Typst compile warm the caches first.",
        "",
        "## Ratios against the issue's targets",
        "",
        "| ratio | value | target | |",
        "|---|---:|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in ratios(steps)),
        "",
    ]
    phases = phase_rows(steps)
    if phases:
        lines += [
            "## Where the time goes",
            "",
            "| " + " | ".join(PHASE_HEADERS) + " |",
            "|---|---|---:|---|---|---:|",
            *("| " + " | ".join(row) + " |" for row in phases),
            "",
        ]
    if profile:
        lines += ["## Profile of a cold W50 build", "", "```", *profile_lines(profile), "```", ""]
    lines += [
        "## Commands",
        "",
        "The workloads come from `benchmarks/workload.py` (`make_project(root, n, seed=0)`):"
        f" {_body_chars():,} characters of generated Korean body text per city (the issue's"
        " 3,500 overflow the default layout's 2-page budget; 2,200 is the most that every"
        " city fits with), 4-6 initiatives, all eight scores, 2-3 sources. Paths are under"
        " the benchmark's output folder; `python` and `scireport` are the venv's.",
        "",
        "```",
        *(f"{s.workload} {s.name}: {' '.join(_short(c) for c in s.run.command)}" for s in steps),
        "```",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def _body_chars() -> int:
    from workload import BODY_CHARS

    return BODY_CHARS


def main() -> int:
    """Parse arguments, run the benchmark, print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="W50 only (skip W500)")
    parser.add_argument("--seed", type=int, default=0, help="workload seed (default 0)")
    parser.add_argument("--out", type=Path, default=REPO / "bench-out/build", help="scratch folder")
    parser.add_argument("--results", type=Path, help="results file (default benchmarks/RESULTS.md)")
    parser.add_argument("--profile", action="store_true", help="also profile one cold W50 build")
    args = parser.parse_args()
    from rich.console import Console

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 150)
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    # Measured processes read and write bytecode under the output folder, as an installed
    # scireport would (this sandbox sets PYTHONDONTWRITEBYTECODE: every start would then
    # compile scireport's modules again, about 0.3 s).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(args.out.resolve() / "pycache")
    bench = Bench(args.out.resolve(), console)
    if not bench.jobs:
        console.print("scireport build has no --jobs option: the --jobs runs are skipped")
    try:
        bench.workload(50, args.seed)
        if not args.quick:
            bench.workload(500, args.seed)
        if args.profile:
            bench.profile(args.seed)
    except StepFailed as exc:
        console.print(f"[red]benchmark step failed:[/] {exc}", markup=True, highlight=False)
        if bench.steps:
            print_results(console, bench.steps, {})
        return 1
    print_results(console, bench.steps, bench.profile_data)
    results = args.results or (
        args.out / "RESULTS.md" if args.quick else REPO / "benchmarks/RESULTS.md"
    )
    write_results(results, bench.steps, bench.profile_data, args, time.perf_counter() - started)
    console.print(f"wrote {results}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        children = {
            "naive": child_naive,
            "typst": child_typst,
            "profile": child_profile,
            "watch": child_watch,
        }
        children[sys.argv[2]](*sys.argv[3:])
        sys.exit(0)
    sys.exit(main())
