"""What the benchmark prints and writes: the machine, the steps' medians, the targets."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Any

from .measure import MB
from .steps import Step, short
from .targets import Verdict, verdicts

HEADERS = ["workload", "step", "runs", "wall s", "(min-max)", "CPU s", "pages",
           "peak PSS MB (all)", "peak RSS MB (all)", "max RSS MB (1 proc)", "PDF MB", "load",
           "notes"]  # fmt: skip
"""Columns of the steps table: medians over the runs."""
NUMERIC = {h for h in HEADERS if h not in ("workload", "step", "notes", "(min-max)")}


def table_rows(steps: list[Step]) -> list[list[str]]:
    """The steps table's cells, one row per step, medians of its runs."""
    rows = []
    for s in steps:
        low, high = s.measured.spread("seconds")
        rows.append([
            s.workload, s.name, str(len(s.measured.runs)), f"{s.median():.2f}",
            f"{low:.2f}-{high:.2f}", f"{s.median('cpu_seconds'):.2f}",
            str(s.pages) if s.pages else "", f"{s.median('peak_pss') / MB:.0f}",
            f"{s.median('peak_rss') / MB:.0f}", f"{s.median('max_rss') / MB:.0f}",
            f"{s.size / MB:.2f}" if s.size else "", f"{s.median('load'):.1f}",
            s.note + watch_note(s),
        ])  # fmt: skip
    return rows


def watch_note(step: Step) -> str:
    """For a watch step: the median save-to-book time, which is what it measures."""
    save = step.phase_median("median save to book s")
    whole = step.phase_median("median save to report s")
    cpu = step.phase_median("median save CPU s")
    if save is None:
        return ""
    more = [f"whole build, city PDFs too: {whole:.2f} s"] if whole else []
    more += [f"CPU {cpu:.2f} s"] if cpu else []
    return f": {save:.2f} s" + (f" ({'; '.join(more)})" if more else "")


def phase_rows(steps: list[Step]) -> list[list[str]]:
    """Where the single-document WeasyPrint and the Typst time goes (medians)."""
    rows = []
    for s in steps:
        med = s.phase_median
        if s.name == "naive" and s.phases:
            pages = max(1, int(med("pages") or 1))
            imported, render, write = med("import") or 0, med("render") or 0, med("write") or 0
            rows.append([s.workload, "naive (WeasyPrint)", f"{imported:.2f}",
                         f"{render:.2f} ({1000 * render / pages:.1f} ms/page)",
                         f"{write:.2f} ({1000 * write / pages:.1f} ms/page)",
                         f"{s.median() - imported - render - write:.2f}"])  # fmt: skip
        elif s.name == "typst" and s.phases:
            imported, compiled = med("import") or 0, med("compile") or 0
            rows.append([s.workload, "typst", f"{imported:.2f}",
                         f"{compiled:.2f} ({1000 * compiled / max(1, s.pages):.1f} ms/page)",
                         "-", f"{s.median() - imported - compiled:.2f}"])  # fmt: skip
    return rows


PHASE_HEADERS = ["workload", "run", "import s", "layout s", "write PDF s",
                 "rest s (interpreter, I/O)"]  # fmt: skip
"""Typst's compile is layout and PDF together: it is shown under layout."""


def verdict_rows(found: list[Verdict]) -> list[list[str]]:
    """(what, value, target, verdict) cells."""
    return [[v.what, v.shown, v.target, v.verdict] for v in found]


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


def print_results(
    console: Any, steps: list[Step], profile: dict[str, Any], notes: list[str]
) -> None:
    """Print the tables with Rich: the steps, issue 11's targets, the other ratios."""
    from rich.table import Table

    table = Table(title="scireport build benchmark (medians)")
    for header in HEADERS:
        table.add_column(header, justify="right" if header in NUMERIC else "left")
    for row in table_rows(steps):
        table.add_row(*row)
    console.print(table)
    targets, others = verdicts(steps)
    for title, found in (("issue 11 targets", targets), ("other ratios", others)):
        ratio_table = Table(title=title)
        for header in ("ratio", "value", "target", ""):
            ratio_table.add_column(header)
        for what, value, target, verdict in verdict_rows(found):
            colour = {"met": "green", "NOT met": "red", "not measured": "yellow"}.get(verdict)
            ratio_table.add_row(what, value, target, f"[{colour}]{verdict}[/]" if colour else "")
        console.print(ratio_table)
    for note in notes:
        console.print(note)
    phases = phase_rows(steps)
    if phases:
        phase_table = Table(title="where the time goes (single document / Typst, medians)")
        for header in PHASE_HEADERS:
            phase_table.add_column(header)
        for row in phases:
            phase_table.add_row(*row)
        console.print(phase_table)
    if profile:
        for line in profile_lines(profile):
            console.print(line, markup=False, highlight=False)


def _table(
    headers: list[str], rows: list[list[str]], numeric: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    return [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if h in numeric else "---" for h in headers) + "|",
        *("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows),
    ]


def write_results(
    path: Path,
    steps: list[Step],
    profile: dict[str, Any],
    *,
    command: str,
    seconds: float,
    loads: tuple[float, float],
    repeats: int,
    notes: list[str],
) -> None:
    """Write RESULTS.md: the machine and its load, the medians, the targets, the commands."""
    from workload import BODY_CHARS

    targets, others = verdicts(steps)
    met = sum(v.verdict == "met" for v in targets)
    lines = [
        "# Build benchmark results",
        "",
        f"Written by `{command}` on {time.strftime('%Y-%m-%d %H:%M %Z')} in {seconds:.0f} s."
        f" Every step is its own process, run {repeats}× (unless its row says otherwise), one"
        " after the other; every figure is the median of its runs.",
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in machine().items()),
        f"- Load average (1 min) at the start and the end: {loads[0]:.2f}, {loads[1]:.2f}",
        "",
        f"## Issue 11 targets: {met} of {len(targets)} met",
        "",
        *_table(["target", "value", "limit", ""], verdict_rows(targets)),
        "",
        *notes,
        "",
        "## Steps",
        "",
        *_table(HEADERS, table_rows(steps), NUMERIC),
        "",
        "Wall s is measured around the process (the median, then the fastest and slowest"
        " run); CPU s is its user + system time with the workers it waited for. Peak PSS"
        " (all) is the peak of the summed proportional memory of the process and every"
        " descendant (pages shared by forked workers counted once), sampled with psutil every"
        " 50 ms; peak RSS (all) the same for resident memory, every 10 ms; max RSS (1 proc)"
        " the kernel's figure for the largest single process. PDF MB is the book (the screen"
        " book for the `both` steps, that city's PDF for `city`). Load is the 1-minute load"
        " average when the runs started: the machine is shared, and a load above 0 means"
        " other work competed for its cores. A watch step is one process that saves a"
        " profile three times; its figure is the median save-to-book time.",
        "",
        "Measured processes read and write Python bytecode under the output folder"
        " (`PYTHONPYCACHEPREFIX`). One untimed `build --city` and one Typst compile warm the"
        " caches first; `validate` with layout runs once untimed to warm the build's cache.",
        "",
        "## Other ratios",
        "",
        *_table(["ratio", "value", "target", ""], verdict_rows(others)),
        "",
    ]
    phases = phase_rows(steps)
    if phases:
        lines += ["## Where the time goes", "", *_table(PHASE_HEADERS, phases), ""]
    if profile:
        lines += ["## Profile of a cold W50 build", "", "```", *profile_lines(profile), "```", ""]
    lines += [
        "## Commands",
        "",
        "The workloads come from `benchmarks/workload.py` (`make_project(root, n, seed=0)`):"
        f" {BODY_CHARS:,} characters of generated Korean body text per city, 4-6 initiatives,"
        " all eight scores, 2-3 sources. Paths are under the benchmark's output folder;"
        " `python` and `scireport` are the venv's.",
        "",
        "```",
        *(f"{s.workload} {s.name}: {' '.join(short(c) for c in s.measured.runs[0].command)}"
          for s in steps if s.measured.runs),
        "```",
        "",
    ]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + kept_sections(path), encoding="utf-8")


PREVIEW_SECTION = ("<!-- bench-preview: start -->", "<!-- bench-preview: end -->")
"""Markers of the section ``bench_preview.py`` keeps in the same file (left as it is)."""


def kept_sections(path: Path) -> str:
    """The preview benchmark's section of the results file at ``path``, if it has one."""
    start, end = PREVIEW_SECTION
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start not in text or end not in text:
        return ""
    return "\n" + text[text.index(start) : text.index(end) + len(end)] + "\n"
