"""Benchmark `scireport validate --no-layout` against check-jsonschema on 500 profiles.

Generates realistic city profiles (about 3,500 characters of Korean body text each, every
profile's text its own so the cross-profile checks stay clean, plus initiatives and
scores) into a temporary project, then times, taking turns, five runs each (medians):

- ``scireport validate --no-layout`` (YAML, schema, plausibility, cross-profile, images
  and glyph checks, every finding located), with the profiles parsed by the previous run
  kept (the everyday case: an editor changes one profile between two runs, or none) and
  with nothing kept (a new cache folder for each run);
- ``check-jsonschema --schemafile <exported profile schema> <files>`` (schema only).

With ``--baseline`` another scireport (an older checkout's) takes its turns too. Prints a
small table and writes the figures to benchmarks/RESULTS-validate.md.
Run with ``make bench-validate`` or ``.venv/bin/python benchmarks/bench_validate.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from scireport.models import CityProfile, json_schema

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = REPO / "benchmarks" / "RESULTS-validate.md"

OURS = "scireport validate --no-layout"

BODY_CHARS = 3500
"""Korean body text per profile, as the issue asks (validate without layout has no budget)."""


def generate(root: Path, count: int, seed: int, body_chars: int) -> list[Path]:
    """Write a project with ``count`` profiles under ``root``; return the profile files."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from workload import make_project

    return make_project(root, count, seed, body_chars=body_chars)


Command = tuple[list[str], Callable[[], dict[str, str]]]
"""A command line and the environment of each of its runs."""


def same_env() -> dict[str, str]:
    """This process's environment."""
    return dict(os.environ)


def timed(command: Command, expect: set[int]) -> tuple[float, float, str]:
    """Run ``command`` once: its wall time, its CPU time (user + system) and its output."""
    argv, env = command
    environment = env()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=environment)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = done.stdout + done.stderr
    if done.returncode not in expect:
        raise SystemExit(f"{argv[0]} exited {done.returncode}:\n{output[-3000:]}")
    return wall, cpu, output


def interleaved(
    runs: int, commands: dict[str, Command], expect: set[int]
) -> tuple[dict[str, list[tuple[float, float]]], dict[str, str]]:
    """Run every command ``runs`` times, taking turns (A B A B...): each one's (wall, CPU)
    times and its last output. One untimed run of each first (bytecode, disk cache)."""
    for command in commands.values():
        timed(command, expect)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    outputs = {}
    for _ in range(runs):
        for name, command in commands.items():
            wall, cpu, outputs[name] = timed(command, expect)
            times[name].append((wall, cpu))
    return times, outputs


def main() -> None:
    """Generate the profiles, time both tools, print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--body-chars", type=int, default=BODY_CHARS)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another scireport executable (an older checkout's), timed in turn with this one",
    )
    parser.add_argument(
        "--layouts",
        type=Path,
        help="a layouts/ folder to use instead of this checkout's (one the baseline reads too)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update the results file")
    args = parser.parse_args()
    # Measured processes read and write bytecode, as an installed scireport does (a sandbox
    # may set PYTHONDONTWRITEBYTECODE: every start would then compile every module again).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        root = Path(tmp) / "project"
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        files = generate(root, args.profiles, args.seed, args.body_chars)
        if args.layouts:
            shutil.rmtree(root / "layouts")
            shutil.copytree(args.layouts, root / "layouts")
        schema = Path(tmp) / "profile.schema.json"
        schema.write_text(json.dumps(json_schema(CityProfile)), "utf-8")
        chars = sum(len(f.read_text("utf-8")) for f in files)
        body = sum(len(yaml.safe_load(f.read_text("utf-8"))["body"]) for f in files)
        loads = [os.getloadavg()[0]]

        def validate_with(scireport: Path) -> list[str]:
            return [str(scireport), "validate", "--no-layout", "--project", str(root)]

        caches = Path(tmp) / "caches"

        def warm_cache() -> dict[str, str]:
            return {**os.environ, "SCIREPORT_CACHE_DIR": str(caches / "warm")}

        def new_cache() -> dict[str, str]:  # the first run after a change to every profile
            caches.mkdir(exist_ok=True)
            return {**os.environ, "SCIREPORT_CACHE_DIR": tempfile.mkdtemp(dir=caches)}

        ours = validate_with(BIN / "scireport")
        commands: dict[str, Command] = {
            f"{OURS} (parsed profiles cached)": (ours, warm_cache),
            f"{OURS} (nothing cached)": (ours, new_cache),
        }
        if args.baseline:
            commands[f"baseline: {OURS}"] = (validate_with(args.baseline), same_env)
        json_out = {
            name: ([*argv, "--format", "json"], env) for name, (argv, env) in commands.items()
        }
        times, outputs = interleaved(args.runs, json_out, {0, 1})
        for name, output in outputs.items():
            findings = json.loads(output[: output.rindex("]") + 1])
            if findings:
                shown = "\n".join(
                    f"{f['file']}:{f['line']} {f['rule']} {f['message']}" for f in findings
                )
                raise SystemExit(f"{name}: the profiles should validate clean:\n{shown[:3000]}")
        jsonschema_cmd = [str(BIN / "check-jsonschema"), "--schemafile", str(schema)]
        check_cmd: Command = ([*jsonschema_cmd, *map(str, files)], same_env)
        theirs, _ = interleaved(args.runs, {"check": check_cmd}, {0})
        loads.append(os.getloadavg()[0])

    def median(values: list[float]) -> float:
        return statistics.median(values)

    def row(name: str, runs: list[tuple[float, float]], what: str) -> str:
        walls = [w for w, _ in runs]
        cpu = median([c for _, c in runs])
        return (
            f"| `{name}` | {median(walls):.3f} | {min(walls):.3f}-{max(walls):.3f}"
            f" | {cpu:.3f} | {what} |"
        )

    checks = "YAML, schema, plausibility, cross, assets, glyphs"
    ours = median([w for w, _ in times[f"{OURS} (parsed profiles cached)"]])
    cold = median([w for w, _ in times[f"{OURS} (nothing cached)"]])
    check = median([w for w, _ in theirs["check"]])
    table = [
        f"| tool | median of {args.runs} (s) | min-max (s) | CPU s (median) | checks |",
        "|---|---:|---|---:|---|",
        *(row(name, runs, checks) for name, runs in times.items()),
        row("check-jsonschema --schemafile", theirs["check"], "schema only, no line numbers"),
    ]
    ratio = ours / check
    summary = (
        f"{args.profiles} profiles, {chars / args.profiles / 1000:.1f} kB each"
        f" ({body / args.profiles:,.0f} characters of body text);"
        f" scireport / check-jsonschema = {ratio:.2f}"
        f" ({'faster' if ratio < 1 else 'slower'})"
    )
    if args.baseline:
        base = median([w for w, _ in times[f"baseline: {OURS}"]])
        summary += f"; this / baseline = {ours / base:.2f} cached, {cold / base:.2f} not"
    if args.profiles == 500:
        verdict = " and ".join(
            f"{'met' if seconds < 1 else 'NOT met'} {how}"
            for how, seconds in (("cached", ours), ("with nothing cached", cold))
        )
        summary += f"; target (under 1 s for 500 profiles): {verdict}"
    print("\n".join(table))
    print(summary)
    if args.no_write:
        return
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" load average (1 min) {loads[0]:.1f} at the start and {loads[1]:.1f} at the end"
    )
    command = shlex.join(["benchmarks/bench_validate.py", *sys.argv[1:]])
    RESULTS.write_text(
        "# validate benchmark\n\n"
        f"Generated by `{command}` (`make bench-validate`) on"
        f" {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine}. Each command runs"
        " once untimed, then the commands take turns; the processes write bytecode as an"
        " installed scireport does.\n\n" + "\n".join(table) + f"\n\n{summary}\n",
        "utf-8",
    )
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
