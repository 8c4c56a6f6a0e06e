"""Time ``scireport build --edition both``: cold, and after one profile edit (median of N).

Usage: ``python benchmarks/bench_editions.py SRC_DIR PROJECT_KIND [RUNS]`` where
``SRC_DIR`` is the ``src`` folder whose scireport is timed (so two checkouts can be
compared with one virtualenv) and ``PROJECT_KIND`` is ``sample3`` (three cities of the
repository's sample) or ``w50`` (``workload.make_project(root, 50)``). Prints JSON.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))


def make(root: Path, kind: str) -> list[Path]:
    """Write the project ``kind`` under ``root``; return its profiles."""
    if kind == "w50":
        from workload import make_project

        return make_project(root, 50)
    from conftest import copy_sample

    copy_sample(root, ("seoul", "amsterdam", "busan"))
    return sorted((root / "profiles").glob("*.yaml"))


def run(src: str, root: Path) -> tuple[float, float]:
    """One ``build --edition both`` in a fresh process; its wall and CPU time (the build's
    processes, workers included)."""
    env = {**os.environ, "PYTHONPATH": src}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scireport", "build", "--edition", "both", "-p", str(root)],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu


def main() -> None:
    """Time cold and edited builds; print the medians and the load average."""
    src, kind = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    from workload import edit_profile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        profiles = make(root, kind)
        cold, edited = [], []
        for _ in range(runs):
            shutil.rmtree(root / "build", ignore_errors=True)
            cold.append(run(src, root))
        for n in range(runs):
            edit_profile(profiles[len(profiles) // 2], seed=10 + n)
            edited.append(run(src, root))
    print(
        json.dumps(
            {
                "src": src,
                "project": kind,
                "cold": [round(w, 2) for w, _ in cold],
                "edited": [round(w, 2) for w, _ in edited],
                "cold cpu": [round(c, 2) for _, c in cold],
                "edited cpu": [round(c, 2) for _, c in edited],
                "cold median": round(statistics.median(w for w, _ in cold), 2),
                "edited median": round(statistics.median(w for w, _ in edited), 2),
                "load": os.getloadavg(),
            }
        )
    )


if __name__ == "__main__":
    main()
