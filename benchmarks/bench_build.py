"""Build benchmark: scireport against one big WeasyPrint document and against Typst.

Run ``make bench`` (or ``.venv/bin/python benchmarks/bench_build.py``). For each workload
(W50: 50 generated city profiles; W500: 500; see workload.py) it runs, each step as its own
process and each ``BENCH_REPEATS`` times (default 3; medians reported):

- ``naive``: the whole book as one HTML document from scireport's own templates and CSS,
  laid out and written by a single WeasyPrint call, the way a user would do it by hand;
- ``cold`` / ``edited`` / ``city``: ``scireport build`` (print) into an empty folder, again
  after one sentence of one profile changed, and ``--city`` one city;
- ``cold both`` / ``edited both``: the same with ``--edition both``;
- ``watch`` / ``watch both``: ``build --watch`` in a warm process, three saves of one profile
  until the print book (or both books) are rewritten;
- ``typst``: Typst compiling the same cities and text (two pages per city);
- ``validate --no-layout`` and ``validate`` (page-fit check, build cache warm).

W500 runs only the steps with a target (cold, validate --no-layout) unless
``BENCH_W500=all``; ``BENCH_W500=0`` or ``--quick`` skips it. ``--jobs-steps`` adds cold
builds with ``--jobs 1`` and 2; ``--profile`` a cold W50 build timed by stage and one under
cProfile. Every target of issue 11 is printed as met or not met, and the figures are written
with the machine and its load to benchmarks/RESULTS.md (``--quick`` writes
bench-out/build/RESULTS.md, so a quick run never replaces the full figures). The modules are
in ``benchmarks/buildbench/``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from buildbench.children import CHILDREN, TIMED, resolve  # noqa: E402
from buildbench.measure import StepFailed, load_average  # noqa: E402
from buildbench.report import print_results, write_results  # noqa: E402
from buildbench.steps import REPO, Bench, w500_mode  # noqa: E402


def main() -> int:
    """Parse arguments, run the benchmark, print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="W50 only (skip W500)")
    parser.add_argument("--seed", type=int, default=0, help="workload seed (default 0)")
    parser.add_argument("--out", type=Path, default=REPO / "bench-out/build", help="scratch folder")
    parser.add_argument("--results", type=Path, help="results file (default benchmarks/RESULTS.md)")
    parser.add_argument("--profile", action="store_true", help="also profile one cold W50 build")
    parser.add_argument("--jobs-steps", action="store_true", help="also cold --jobs 1 and 2")
    parser.add_argument(
        "--steps",
        help="only these steps, comma separated (e.g. 'watch,edited both'); the targets of"
        " the others are not measured",
    )
    args = parser.parse_args()
    from rich.console import Console

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 150)
    try:
        repeats = int(os.environ.get("BENCH_REPEATS", "3"))
        mode = "0" if args.quick else w500_mode()
        if repeats < 1:
            raise ValueError
        if args.profile:
            for target in TIMED:  # fail before any step, not after minutes of them
                resolve(target)
    except ValueError:
        console.print("[red]BENCH_REPEATS must be a whole number of at least 1[/]")
        return 2
    except StepFailed as exc:
        console.print(f"[red]{exc}[/]", markup=True, highlight=False)
        return 1
    started, first_load = time.perf_counter(), load_average()
    args.out.mkdir(parents=True, exist_ok=True)
    # Measured processes read and write bytecode under the output folder, as an installed
    # scireport would (a sandbox may set PYTHONDONTWRITEBYTECODE: every start would then
    # compile scireport's modules again, about 0.3 s).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(args.out.resolve() / "pycache")
    os.environ["SCIREPORT_CACHE_DIR"] = str(args.out.resolve() / "parse-cache")  # not ~/.cache
    only = {name.strip() for name in args.steps.split(",")} if args.steps else None
    bench = Bench(args.out.resolve(), console, repeats, only)
    notes = []
    if mode == "0":
        notes.append("W500 was skipped (--quick or BENCH_W500=0): its targets are not measured.")
    if only is not None:
        notes.append(f"Only these steps ran (--steps): {', '.join(sorted(only))}.")
    elif mode == "targets":
        notes.append("W500 ran only the steps with a target (BENCH_W500=all runs them all).")
    try:
        bench.workload(50, args.seed, jobs=args.jobs_steps)
        if mode != "0":
            bench.workload(500, args.seed, full=mode == "all")
        if args.profile:
            bench.profile(args.seed)
    except StepFailed as exc:
        console.print(f"[red]benchmark step failed:[/] {exc}", markup=True, highlight=False)
        if bench.steps:
            print_results(console, bench.steps, {}, notes)
        return 1
    print_results(console, bench.steps, bench.profile_data, notes)
    results = args.results or (
        args.out / "RESULTS.md" if args.quick else REPO / "benchmarks/RESULTS.md"
    )
    command = shlex.join(["benchmarks/bench_build.py", *sys.argv[1:]])
    env = " ".join(
        f"{k}={os.environ[k]}" for k in ("BENCH_REPEATS", "BENCH_W500") if k in os.environ
    )
    write_results(
        results,
        bench.steps,
        bench.profile_data,
        command=f"{env} {command}".strip(),
        seconds=time.perf_counter() - started,
        loads=(first_load, load_average()),
        repeats=repeats,
        notes=notes,
    )
    console.print(f"wrote {results}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        CHILDREN[sys.argv[2]](*sys.argv[3:])
        sys.exit(0)
    sys.exit(main())
