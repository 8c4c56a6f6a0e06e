"""What the measured child processes run: ``bench_build.py --child NAME ARGS...``.

- ``naive HTML BASE_URL PDF``: one WeasyPrint render and write of the whole book;
- ``typst SOURCE PDF FONT_DIR``: Typst compiling the same book;
- ``watch PROJECT PROFILE OUT EDITIONS``: ``build --watch`` in-process, three saves timed;
- ``profile MODE PROJECT OUT STATS [build options]``: one build, timed by stage or profiled.

Each prints its figures as one line of JSON, last.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .measure import StepFailed

WATCH_SAVES = 3
"""Saves timed in one ``build --watch`` process (their median is reported)."""


def child_watch(project: str, profile: str, out: str = "build", editions: str = "print") -> None:
    """Run ``build --watch`` in-process; time saving one profile until the books are rewritten.

    ``editions`` is ``print`` or ``both``. Prints the first (cold or warm) build's time and
    each save's, from the file write to the moment the last of the books (the print book,
    or both) is in place (``save to book s``), and to the watcher's report of the whole
    build, city PDFs included (``save to report s``), with the CPU time the process and
    its workers used from the save to the report (``save CPU s``). Against a scireport
    whose ``watch`` tells of no written file, the book's time is the report's.
    """
    from workload import edit_profile

    from scireport.build import BuildOptions, watch

    reports: list[float] = []
    cpu: list[float] = []
    books: list[tuple[float, str]] = []

    def cpu_now() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    arrived = threading.Condition()
    stop = threading.Event()
    errors: list[str] = []

    def report(result: Any) -> None:
        with arrived:
            reports.append(time.perf_counter())
            cpu.append(cpu_now())
            arrived.notify_all()
        if not hasattr(result, "outputs"):
            errors.append(str(result))

    def written(output: Any) -> None:
        if output.kind == "book":
            books.append((time.perf_counter(), output.edition))

    def wait(count: int) -> None:
        with arrived:
            if not arrived.wait_for(lambda: len(reports) >= count, timeout=600):
                raise SystemExit("watch did not report in time")

    chosen: Any = ["print", "screen"] if editions == "both" else [editions]
    options = BuildOptions(out=Path(out), editions=chosen)
    started = time.perf_counter()
    thread = threading.Thread(
        target=watch,
        args=(Path(project), options, report),
        kwargs={"stop": stop, "written": written}
        if "written" in inspect.signature(watch).parameters
        else {"stop": stop},
        daemon=True,
    )
    thread.start()
    wait(1)
    first = reports[0] - started
    saves, whole, used = [], [], []
    wanted = set(chosen)
    told = "written" in inspect.signature(watch).parameters
    for n in range(WATCH_SAVES):
        time.sleep(0.5)
        saved, mark, spent = time.perf_counter(), len(books), cpu_now()
        edit_profile(Path(profile), seed=10 + n)
        wait(n + 2)
        done_at: dict[str, float] = {}
        for at, edition in books[mark:]:
            done_at.setdefault(edition, at)
        if not told:
            done_at = dict.fromkeys(wanted, reports[n + 1])
        if not wanted <= set(done_at):
            raise SystemExit(f"save {n + 1}: not every book was rewritten ({sorted(done_at)})")
        saves.append(round(max(done_at[e] for e in wanted) - saved, 3))
        whole.append(round(reports[n + 1] - saved, 3))
        used.append(round(cpu[n + 1] - spent, 3))
    stop.set()
    thread.join(timeout=30)
    if errors:
        raise SystemExit(f"watch reported an error: {errors[0]}")
    print(
        json.dumps(
            {
                "first build s": round(first, 3),
                "save to book s": saves,
                "median save to book s": statistics.median(saves),
                "save to report s": whole,
                "median save to report s": statistics.median(whole),
                "save CPU s": used,
                "median save CPU s": statistics.median(used),
            }
        )
    )


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
    "scireport.project:load_project",
    "scireport.checks.suite:check_project",
    "scireport.layouts:load_layout",
    "scireport.assemble:BookTemplates.city",
    "scireport.typeset:Typesetter.render",
    "scireport.typeset:Typesetter.write",
    "scireport.stitch:stitch",
    "scireport.finish:finish_print",
    "scireport.preflight:preflight",
    "scireport.build:finish_and_check",
)
"""Functions the profile times one by one (``module:attribute``, where each is defined).
A name that no longer resolves stops the benchmark before any step runs."""


def resolve(target: str) -> tuple[Any, str, Any]:
    """(owner, attribute name, function) of ``module:Owner.name``; StepFailed if it is gone."""
    module_name, _, dotted = target.partition(":")
    try:
        owner: Any = importlib.import_module(module_name)
        *path, name = dotted.split(".")
        for part in path:
            owner = getattr(owner, part)
        return owner, name, getattr(owner, name)
    except (ImportError, AttributeError) as exc:
        raise StepFailed(
            f"the profiled function {target} no longer exists ({exc}): update TIMED in"
            " benchmarks/buildbench/children.py"
        ) from exc


def add_timer(target: str, timings: dict[str, list[list[float]]]) -> None:
    """Wrap ``target`` so each call's duration (and pages, if any) is recorded.

    The wrapper replaces the function where it is defined and in every scireport module
    already holding it (``from .stitch import stitch``), so top-level and lazy imports alike
    call it.
    """
    owner, name, original = resolve(target)
    calls = timings.setdefault(target.partition(":")[2], [])

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = original(*args, **kwargs)
        pages = getattr(result, "pages", None)
        calls.append([time.perf_counter() - started, len(pages) if isinstance(pages, list) else 0])
        return result

    setattr(owner, name, timed)
    if isinstance(owner, type(sys)):
        for module in list(sys.modules.values()):
            ours = module is not None and module.__name__.startswith("scireport")
            if ours and getattr(module, name, None) is original:
                setattr(module, name, timed)


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
    from scireport.cli import app

    timings: dict[str, list[list[float]]] = {}
    if mode == "timers":
        for target in TIMED:
            add_timer(target, timings)
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


CHILDREN = {"naive": child_naive, "typst": child_typst, "profile": child_profile,
            "watch": child_watch}  # fmt: skip
"""``--child`` names and what they run."""
