"""The build benchmark's own machinery: the profiled names exist, memory is measured, the
targets are judged as written (the benchmark itself is ``make bench``, never run here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from buildbench.children import TIMED, resolve  # noqa: E402
from buildbench.measure import MB, Measured, StepFailed, run_measured  # noqa: E402
from buildbench.steps import Step  # noqa: E402
from buildbench.targets import Verdict, verdicts  # noqa: E402


def test_every_profiled_function_exists() -> None:
    for target in TIMED:
        assert callable(resolve(target)[2]), target


def test_a_profiled_function_that_is_gone_stops_the_benchmark() -> None:
    with pytest.raises(StepFailed, match="scireport.stitch:union_font no longer exists"):
        resolve("scireport.stitch:union_font")


def test_peak_memory_counts_the_children(tmp_path: Path) -> None:
    """A parent holding little and a child holding 120 MB: the tree's peak counts both."""
    child = "b = bytearray(120 * 1024 * 1024); import time; time.sleep(0.6)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    run = run_measured([sys.executable, "-c", parent], tmp_path, 60)
    assert run.peak_pss > 120 * MB and run.peak_rss >= run.peak_pss
    assert run.max_rss > 120 * MB and run.cpu_seconds > 0


def test_a_failing_step_says_what_failed(tmp_path: Path) -> None:
    with pytest.raises(StepFailed, match="exit 3"):
        run_measured([sys.executable, "-c", "raise SystemExit(3)"], tmp_path, 60)


def _step(workload: str, name: str, *seconds: float, pss: float = 100) -> Step:
    from buildbench.measure import Run

    runs = [Run([name], s, s, 0, int(pss * MB), 0, 0.0, "", "") for s in seconds]
    return Step(workload, name, Measured(runs), None)


def test_targets_use_medians_and_say_met_or_not() -> None:
    steps = [
        _step("W50", "naive", 10, 10, 10),
        _step("W50", "cold", 7, 30, 7),  # one slow run: the median is 7
        _step("W50", "cold both", 16, 14, 15),
        _step("W500", "cold", 70, 70, 70, pss=420),
    ]
    targets, _ = verdicts(steps)
    found = {v.what: v for v in targets}
    assert found["W50 cold, print / naive (time)"].verdict == "met"  # 0.7 ≤ 0.75
    assert found["W50 cold, --edition both / naive print (time)"].verdict == "met"  # 1.5
    assert found["W500 cold, peak PSS of all processes"].verdict == "NOT met"
    assert found["W500 / W50 cold peak PSS"].shown == "4.20×"
    assert found["W500 validate --no-layout (time)"].verdict == "not measured"
    assert len(targets) == 9
    assert Verdict("x", 1.0, "×", 1.0, strict=True).verdict == "NOT met"
