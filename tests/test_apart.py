"""Work done in a process of its own so that what it allocates goes with it: the checks
of a build, a big document's typesetting, and the stitching of a big book once the workers
are gone. Each gives what it gave in this process, and a process that died costs time,
never a result."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import scireport.build
from scireport.build import BuildOptions, build, check_apart
from scireport.checks.suite import check_project
from scireport.errors import FindingsError
from scireport.processes import parallel
from scireport.project import load_project


def test_the_checks_apart_find_what_they_find_here(warm_three: Path) -> None:
    profile = warm_three / "profiles" / "seoul.yaml"
    profile.write_text(
        profile.read_text("utf-8").replace("population: 9509458", "population: -5", 1), "utf-8"
    )
    project = load_project(warm_three)
    here, layout = check_project(project, placeholder_severity="error")
    apart, loaded = check_apart(project, apart=True, placeholder_severity="error")
    assert apart == here and here  # the same located findings, in the same order
    assert loaded is not None and layout is not None and loaded.dirs == layout.dirs


def test_checks_whose_process_died_are_run_here(
    warm_three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main, real = os.getpid(), scireport.build.check_project

    def check(*args: object, **kwargs: object) -> object:
        if os.getpid() != main:
            os._exit(9)  # killed before it could answer
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scireport.build, "check_project", check)
    findings, layout = check_apart(load_project(warm_three), apart=True)
    assert layout is not None and not [f for f in findings if f.severity == "error"]


def test_an_error_of_the_checks_apart_is_raised_here(
    warm_three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def check(*args: object, **kwargs: object) -> object:
        raise FindingsError("refused", [], warm_three)

    monkeypatch.setattr(scireport.build, "check_project", check)
    with pytest.raises(FindingsError, match="refused"):
        check_apart(load_project(warm_three), apart=True)


def test_alone_runs_even_one_item_in_a_worker_of_its_own() -> None:
    done: list[tuple[int, int]] = []
    parallel(abs, [-os.getpid()], 2, lambda item, pid: done.append((item, pid)))
    assert done == [(-os.getpid(), os.getpid())]  # one item: run here
    done.clear()
    parallel(_pid, [1, 2], 2, lambda item, pid: done.append((item, pid)), alone=True)
    assert len({pid for _, pid in done}) == 1 and done[0][1] != os.getpid()


def _pid(_: int) -> int:
    return os.getpid()


def test_a_big_book_stitched_after_its_cities_is_the_same_book(
    warm_three: Path, built_three: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With BIG_BOOK_PAGES at 1 every book is big: stitched once the city PDFs are
    finished and checked, it is the book stitched while they were."""
    for name in ("report.pdf", "cities/seoul.pdf"):
        (warm_three / "build" / "print" / name).unlink()
    monkeypatch.setattr(scireport.build, "BIG_BOOK_PAGES", 1)
    result = build(warm_three, BuildOptions())
    written = [o.path.name for o in result.outputs if o.written]
    assert written == ["report.pdf", "seoul.pdf"] and result.typeset == 0
    for name in ("report.pdf", "cities/seoul.pdf"):
        built = (built_three / "build" / "print" / name).read_bytes()
        assert (warm_three / "build" / "print" / name).read_bytes() == built
