"""Run one process and measure it: wall and CPU time, peak RSS and PSS of its process tree."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

MB = 1024 * 1024


class StepFailed(Exception):
    """A measured step exited non-zero, wrote nothing, or the benchmark cannot go on."""


class TreeSampler(threading.Thread):
    """Samples the summed RSS and PSS of a process and all its descendants until stopped.

    RSS every ``interval`` seconds; PSS, which counts the pages forked workers share with
    their parent once, every fifth sample (psutil reads ``smaps``, about 1 ms a process).
    """

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def tree(self) -> list[psutil.Process]:
        """The process and its descendants alive now."""
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return []

    def sample(self) -> None:
        """Take one sample and keep the peaks."""
        processes = self.tree()
        rss = pss = 0
        full = self.samples % 5 == 0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                if full:
                    info = process.memory_full_info()
                    rss += info.rss
                    pss += info.pss
                else:
                    rss += process.memory_info().rss
        self.peak_rss = max(self.peak_rss, rss)
        if full:
            self.peak_pss = max(self.peak_pss, pss)
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
    cpu_seconds: float
    """User + system CPU time of the process and the descendants it waited for."""
    peak_rss: int
    """Peak of the summed RSS of the process and its descendants, in bytes (sampled)."""
    peak_pss: int
    """Peak of the summed PSS of the process and its descendants, in bytes (sampled)."""
    max_rss: int
    """Largest RSS any single process of the tree reached, in bytes (kernel figure)."""
    load: float
    """One-minute load average when it started (other work on the machine skews times)."""
    stdout: str
    """What it printed."""
    stderr: str
    """What it printed to stderr."""


def load_average() -> float:
    """The one-minute load average now."""
    return os.getloadavg()[0]


def run_measured(command: list[str], cwd: Path, timeout: float) -> Run:
    """Run ``command`` in ``cwd``, measuring time and memory; raise StepFailed on error."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        load = load_average()
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
    return Run(
        command=command,
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss=sampler.peak_rss,
        peak_pss=sampler.peak_pss,
        max_rss=usage.ru_maxrss * 1024,
        load=load,
        stdout=stdout,
        stderr=stderr,
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


@dataclass
class Measured:
    """The runs of one step, repeated, and their medians."""

    runs: list[Run] = field(default_factory=list)
    """Every timed run, in order."""

    def median(self, what: str) -> float:
        """The median of attribute ``what`` (``seconds``, ``peak_pss``...) over the runs."""
        return float(statistics.median(getattr(run, what) for run in self.runs))

    def spread(self, what: str) -> tuple[float, float]:
        """The smallest and largest ``what`` over the runs."""
        values = [float(getattr(run, what)) for run in self.runs]
        return min(values), max(values)
