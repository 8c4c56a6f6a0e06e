"""Worker processes: the pools that typeset and check, and the processes a build forks.

Every process here is forked from the build (where the system can fork), so it starts with
what the build has loaded and imported, and it dies with the build, even under ``kill -9``
(:func:`die_with`). Ctrl-C is the build's to handle: the pools' workers ignore it and are
stopped by the build. ``docs/architecture.md`` ("Processes of a build") says which
processes a build starts and why.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")


def parallel(
    function: Callable[[A], R],
    items: Sequence[T],
    jobs: int,
    done: Callable[[T, R], None],
    *,
    make: Callable[[T], A] | None = None,
    before_fork: Callable[[], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
    alone: bool = False,
) -> int:
    """Run ``function`` on each item (or on ``make(item)``, made when it is handed out) in
    worker processes, calling ``done(item, result)`` as each finishes.

    ``alone`` runs the items one after the other in one worker, forked even for one item,
    which ends with them: a big document leaves the memory it took in the process that
    typeset it.

    Runs in this process for a single item or ``jobs`` 1. Items are handed out in their
    order (put the longest first), a few at a time: this process holds only the arguments
    and results of those in flight. ``before_fork`` runs here before the workers are forked
    (an import they all need, whose pages they then share). ``meanwhile`` runs here while
    the workers run (one fewer: this process has work), once they have every item; ``done``
    is called after it returns (in this process alone, after the items). An item whose
    worker died is run again here, so a crash costs time, never a page. Returns how many
    were run again.
    """
    argument: Callable[[T], A] = make or (lambda item: item)  # type: ignore[assignment,return-value]
    cores = jobs or os.cpu_count() or 1
    spare = cores - 1 if meanwhile is not None else cores  # this process works meanwhile
    workers = 1 if alone else min(spare, len(items))
    if cores <= 1 or workers < 1 or (workers == 1 and meanwhile is None and not alone):
        for item in items:
            done(item, function(argument(item)))
        if meanwhile is not None:
            meanwhile()
        return 0
    if before_fork is not None:
        before_fork()
    lost: list[T] = []
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=worker_started,
        initargs=(os.getpid(),),
    )
    waiting = iter(items)
    running: dict[Future[R], T] = {}

    def hand_out() -> None:
        for item in waiting:
            try:
                running[pool.submit(_collected, function, argument(item))] = item
            except BrokenProcessPool:
                lost.append(item)
                continue
            return

    settled = gc.get_freeze_count() > 0  # (see settle: left frozen, for this build)
    gc.freeze()  # a worker's collections then leave the pages it shares with this process
    try:
        hand_out()  # the workers are forked here
        _thaw(settled)
        for _ in range(len(items) if meanwhile is not None else 2 * workers - 1):
            hand_out()
        if meanwhile is not None:
            meanwhile()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                item = running.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    lost.append(item)
                    continue
                done(item, result)
                hand_out()
    except BaseException:  # Ctrl-C or an error: stop the workers now, do not wait for them
        _kill_workers(pool)
        raise
    finally:
        _thaw(settled)
    pool.shutdown(wait=True)
    give_back_memory()  # what the results in flight took, before the next stage
    lost += waiting  # never handed out: the pool broke
    for item in lost:
        done(item, function(argument(item)))
    return len(lost)


def _collected(function: Callable[[A], R], argument: A) -> R:
    """``function(argument)`` in a worker, then the garbage it left collected at once.

    The workers run without the cyclic garbage collector between items (see
    :func:`worker_started`): WeasyPrint makes millions of objects a document, which the
    collector traversed again and again while it ran; one collection after each document
    finds the same garbage for less work (about 3% of a worker's time) and leaves less
    memory behind."""
    try:
        return function(argument)
    finally:
        gc.collect()


def give_back_memory() -> None:
    """Hand the memory this process has freed back to the system (glibc's ``malloc_trim``;
    nothing elsewhere). Python and glibc keep freed blocks for reuse: checking a 500-city
    project left about 35 MB so, which forked workers would then share and the book's
    stitching would sit on top of."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _thaw(settled: bool) -> None:
    """Unfreeze what was frozen for a fork, unless the process was settled before it (then
    :func:`settle` unfreezes it all, between builds)."""
    if not settled:
        gc.unfreeze()


def settle() -> None:
    """Between the builds of a process that builds again and again (``--watch``): collect
    its garbage, then freeze what is left (``gc.freeze``), so that the next build's
    collections pass over it. What a build keeps (WeasyPrint's fonts and caches, the kept
    parts, the project) made each full collection of W50's warm process take 45 ms, one
    every other save; frozen, 12 ms. Unfrozen first, nothing frozen is kept past the next
    settling (a fork in between, :func:`forked` or :func:`parallel`, leaves it frozen)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


MMAP_THRESHOLD = 1 << 20
"""Allocations from this size up are mapped on their own and given back when freed (glibc
``M_MMAP_THRESHOLD``), in the workers. glibc's default threshold rises to the largest block
freed, up to 32 MB: after the first document, WeasyPrint's font and page buffers came from
the heap and stayed there, about 80 MB a worker."""


def worker_started(parent: int) -> None:
    """Initialise a worker process: it dies with ``parent`` and leaves Ctrl-C to it.

    Ctrl-C reaches every process of the terminal's group: the workers ignore it and the
    main process stops them, so that an interrupted worker is never mistaken for a
    crashed one and its task run again. Large blocks are mapped apart
    (:data:`MMAP_THRESHOLD`), and garbage is collected after each item, not while it runs
    (:func:`_collected`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()  # collected after each item instead (see _collected)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD (glibc)
    die_with(parent)


def die_with(parent: int) -> None:
    """Make this (forked) process die when ``parent`` does.

    On Linux the kernel kills it when its parent dies (``PR_SET_PDEATHSIG``), even under
    ``kill -9``; elsewhere a watchdog thread notices the parent is gone within a second.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch_parent, daemon=True, name="parent-watchdog").start()


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` at once: cancel what has not started and kill the running workers."""
    pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.kill()
    for child in multiprocessing.active_children():
        child.join(timeout=5)


def forked(target: Callable[[Any], None], name: str) -> tuple[Any, Any]:
    """Start ``target(sending)`` in a forked process that dies with this one; return the
    process and the end of its pipe this process receives on (``sending``: the other end).

    The garbage collector is frozen while it forks, as for the workers: the process's
    collections then leave the pages it shares with this one alone."""
    receiving, sending = multiprocessing.Pipe(duplex=False)
    parent = os.getpid()

    def run() -> None:
        die_with(parent)
        with sending:
            target(sending)

    process = multiprocessing.get_context("fork").Process(target=run, name=name)
    settled = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        process.start()
    finally:
        _thaw(settled)
    sending.close()
    return process, receiving
