"""The steps of a workload, each run several times, and the benchmark that runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .measure import MB, Measured, StepFailed, pdf_pages, run_measured
from .workloads import FONT_DIR, Workload, prepare

BENCH = Path(__file__).resolve().parent.parent
REPO = BENCH.parent
ENTRY = BENCH / "bench_build.py"
BIN = Path(sys.executable).parent
SCIREPORT = str(BIN / "scireport")


@dataclass
class Spec:
    """What one step runs, and what it does untimed before each run."""

    name: str
    """The step's name in the tables (``cold``, ``edited both``...)."""
    command: list[str]
    """The measured command (run in the workload's folder)."""
    output: Path | None
    """The PDF it must write (pages and size are reported); None for validate."""
    note: str = ""
    """What the tables say about it."""
    before: Callable[[int], None] | None = None
    """Called with the run's number before each timed run (clean a folder, edit a profile)."""
    warmups: int = 0
    """Untimed runs first (to warm a cache the step is about)."""
    repeats: int | None = None
    """Timed runs (None: the benchmark's ``repeats``)."""


@dataclass
class Step:
    """One measured step of one workload: its runs and what it wrote."""

    workload: str
    """``W50`` or ``W500``."""
    name: str
    """The step's name."""
    measured: Measured
    """Its timed runs."""
    output: Path | None
    """The PDF it wrote, if any."""
    pages: int = 0
    """Pages of ``output``."""
    size: int = 0
    """Size of ``output`` in bytes (after the last run)."""
    phases: list[dict[str, Any]] = field(default_factory=list)
    """What each run's child reported as JSON (naive, Typst, watch)."""
    note: str = ""
    """What else the tables say."""

    def median(self, what: str = "seconds") -> float:
        """Median of ``what`` over the runs."""
        return self.measured.median(what)

    def phase_median(self, key: str) -> float | None:
        """Median of a figure the child reported (None if none did)."""
        import statistics

        values = [p[key] for p in self.phases if key in p]
        return float(statistics.median(values)) if values else None


def w500_mode() -> str:
    """Which W500 steps run: ``targets`` (default: those with a target), ``all``, or ``0``."""
    mode = os.environ.get("BENCH_W500", "targets").strip().lower() or "targets"
    if mode not in ("0", "targets", "all"):
        raise StepFailed(f"BENCH_W500={mode!r}: use 0, targets or all")
    return mode


def specs(w: Workload, full: bool) -> list[Spec]:
    """The steps of workload ``w``; ``full`` False keeps only those with a target."""
    from workload import edit_profile

    py, entry = sys.executable, str(ENTRY)
    root = w.root
    build = [SCIREPORT, "build", "--project", str(root), "--out", "build"]
    both = [SCIREPORT, "build", "--project", str(root), "--out", "build-both", "--edition", "both"]
    book, both_book = root / "build/print/report.pdf", root / "build-both/screen/report.pdf"
    slug = w.edited.stem
    layout_url = (root / "layouts/default").as_uri() + "/"
    naive_pdf, typst_pdf = root / "bench/naive.pdf", root / "bench/typst/book.pdf"
    validate = [SCIREPORT, "validate", "--project", str(root)]

    def clean(folder: str) -> Callable[[int], None]:
        return lambda _: shutil.rmtree(root / folder, ignore_errors=True)

    def edit(seed: int) -> Callable[[int], None]:
        return lambda n: edit_profile(w.edited, seed=seed + n)

    naive = Spec(
        "naive",
        [py, entry, "--child", "naive", str(w.html), layout_url, str(naive_pdf)],
        naive_pdf,
        "one HTML document, one WeasyPrint render + write_pdf (PDF/X-4)",
    )
    cold = Spec("cold", build, book, "print edition, default --jobs", before=clean("build"))
    no_layout = Spec("validate --no-layout", [*validate, "--no-layout"], None)
    if not full:
        return [cold, no_layout]
    watch = [py, entry, "--child", "watch", str(root), str(w.edited)]
    return [
        naive,
        cold,
        Spec("edited", build, book, f"one sentence of {slug}.yaml changed", before=edit(1)),
        Spec("city", [*build, "--city", slug], root / f"build/print/cities/{slug}.pdf",
             f"--city {slug}"),
        Spec("cold both", both, both_book, "--edition both (print and screen books, 2×"
             f"{w.cities} city PDFs)", before=clean("build-both")),
        Spec("edited both", both, both_book, f"--edition both, one sentence of {slug}.yaml"
             " changed", before=edit(20)),
        Spec("watch", [*watch, "build", "print"], book, "build --watch (print), warm process:"
             " save one profile -> print book rewritten", repeats=1),
        Spec("watch both", [*watch, "build-both", "both"], both_book, "build --watch --edition"
             " both: save one profile -> both books rewritten", repeats=1),
        Spec("typst", [py, entry, "--child", "typst", str(w.typst), str(typst_pdf), FONT_DIR],
             typst_pdf, "typst.compile, same text, 2 pages per city"),
        no_layout,
        Spec("validate", validate, None, "with the page-fit check, the build's cache warm",
             warmups=1),
    ]  # fmt: skip


def jobs_specs(w: Workload) -> list[Spec]:
    """Cold builds with one and two workers (``--jobs-steps``)."""
    out = []
    for jobs in (1, 2):
        target = f"bench/jobs{jobs}"
        command = [SCIREPORT, "build", "--project", str(w.root), "--out", target]
        out.append(
            Spec(f"cold --jobs {jobs}", [*command, "--jobs", str(jobs)],
                 w.root / target / "print/report.pdf",
                 before=lambda _, t=target: shutil.rmtree(w.root / t, ignore_errors=True))
        )  # fmt: skip
    return out


class Bench:
    """Runs the steps of each workload, ``repeats`` times each, and keeps the results."""

    def __init__(self, out: Path, console: Any, repeats: int, only: set[str] | None = None) -> None:
        self.out = out
        self.only = only
        """The steps to run (``--steps``); None runs them all."""
        self.console = console
        self.repeats = repeats
        self.steps: list[Step] = []
        self.skipped: list[str] = []
        self.profile_data: dict[str, Any] = {}

    def run(self, w: Workload, spec: Spec) -> Step:
        """Run one step: warm-ups, then its timed runs; check what it wrote."""
        self.console.print(f"  {w.label} {spec.name}: {' '.join(short(c) for c in spec.command)}")
        for _ in range(spec.warmups):
            run_measured(spec.command, w.root, w.timeout)
        step = Step(w.label, spec.name, Measured(), spec.output, note=spec.note)
        for n in range(spec.repeats or self.repeats):
            if spec.before is not None:
                spec.before(n)
            run = run_measured(spec.command, w.root, w.timeout)
            step.measured.runs.append(run)
            last = run.stdout.strip().splitlines()[-1:] if run.stdout.strip() else []
            if last and last[0].startswith("{"):
                step.phases.append(json.loads(last[0]))
            self.console.print(
                f"    {run.seconds:.2f} s, CPU {run.cpu_seconds:.2f} s, peak PSS"
                f" {run.peak_pss / MB:.0f} MB (RSS {run.peak_rss / MB:.0f} MB), load {run.load:.1f}"
            )
        if spec.output is not None:
            if not spec.output.is_file():
                raise StepFailed(f"{spec.name}: {spec.output} was not written")
            step.pages, step.size = pdf_pages(spec.output), spec.output.stat().st_size
        saves = step.phase_median("median save to book s")
        if saves is not None:
            step.note += f" (median of {len(step.phases[-1]['save to book s'])} saves)"
        self.steps.append(step)
        return step

    def workload(self, n: int, seed: int, *, full: bool = True, jobs: bool = False) -> None:
        """Generate a workload of ``n`` cities and run its steps."""
        self.console.rule(f"W{n}: {n} cities" + ("" if full else " (the steps with a target)"))
        w = prepare(self.out, n, seed)
        self.console.print(f"  generated {w.root}")
        if n <= 50:  # warm the OS page cache and the bytecode caches once, untimed
            slug = w.edited.stem
            warm = [SCIREPORT, "build", "--project", str(w.root), "--city", slug]
            run_measured([*warm, "--out", "bench/warmup"], w.root, w.timeout)
            run_measured([sys.executable, str(ENTRY), "--child", "typst", str(w.typst),
                          str(w.root / "bench/w.pdf"), FONT_DIR], w.root, w.timeout)  # fmt: skip
        for spec in specs(w, full) + (jobs_specs(w) if jobs and n <= 50 else []):
            if self.only is None or spec.name in self.only:
                self.run(w, spec)
        cold = self.find(w.label, "cold")
        if cold is not None:
            cold.note += "; " + city_files(w.root / "build/print/cities")

    def find(self, workload: str, name: str) -> Step | None:
        """The step called ``name`` of ``workload``, if it ran."""
        return next((s for s in self.steps if s.workload == workload and s.name == name), None)

    def profile(self, seed: int) -> None:
        """Time the stages of one cold W50 build, then profile another with cProfile."""
        import pstats

        root = self.out / "w50"
        if not root.exists():
            prepare(self.out, 50, seed)
        self.console.rule("profile: cold W50 builds in one process (timers, then cProfile)")
        stats_path = root / "bench/build.pstats"
        data: dict[str, Any] = {"jobs": "--jobs 1"}
        for mode in ("timers", "cprofile"):
            out = root / f"bench/profile-{mode}"
            shutil.rmtree(out, ignore_errors=True)
            command = [sys.executable, str(ENTRY), "--child", "profile", mode, str(root),
                       str(out), str(stats_path), "--jobs", "1"]  # fmt: skip
            run = run_measured(command, root, 900)
            data[mode] = json.loads(run.stdout.strip().splitlines()[-1])
            self.console.print(f"  {mode}: build {data[mode]['build']:.2f} s")
        stats = pstats.Stats(str(stats_path))
        rows = []
        for (filename, line, name), row in stats.stats.items():  # type: ignore[attr-defined]
            _, calls, own, cumulative, _ = row
            rows.append((cumulative, own, calls, f"{short_path(filename)}:{line}({name})"))
        data["top_cumulative"] = sorted(rows, reverse=True)[:25]
        data["scireport"] = sorted(
            (r for r in rows if r[3].startswith("scireport/") and r[0] >= 0.1), reverse=True
        )
        data["top_own"] = sorted(rows, key=lambda r: r[1], reverse=True)[:20]
        self.profile_data = data


def city_files(folder: Path) -> str:
    """How many city PDFs ``folder`` holds and their size."""
    files = list(folder.glob("*.pdf"))
    total = sum(f.stat().st_size for f in files)
    return f"also {len(files)} city PDFs, {total / MB:.1f} MB in all"


def short(part: str) -> str:
    """A command word without the venv's or the repository's folder."""
    for prefix in (str(BIN) + "/", str(REPO) + "/"):
        if part.startswith(prefix):
            return part[len(prefix) :]
    return part


def short_path(filename: str) -> str:
    """A source file's name from its package on (for the profile)."""
    for marker in ("site-packages/", "/src/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def scireport_has(option: str) -> bool:
    """Does ``scireport build`` have ``option``?"""
    shown = subprocess.run([SCIREPORT, "build", "--help"], capture_output=True, text=True)
    return option in shown.stdout
