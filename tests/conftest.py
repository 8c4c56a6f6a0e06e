"""Shared fixtures: sample projects built from dicts, and one rendered sample book per session."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from scireport.cli import app

REPO = Path(__file__).resolve().parent.parent

CONFIG: dict[str, Any] = {
    "title": "Smart Cities Index Report",
    "year": 2022,
    "organisations": ["DTTM", "ISi Lab", "IfM Engage"],
    "contact": {"email": "index@example.org", "phone": "+82 2 2123 0000", "place": "Seoul"},
    "copyright": "© 2022 the authors",
    "lang": "ko",
    "index": {
        "areas": yaml.safe_load((REPO / "scireport.yaml").read_text("utf-8"))["index"]["areas"]
    },
}

SEOUL_EXAMPLE = """\
# yaml-language-server: $schema=../schema/profile.schema.json
city: Seoul
country: The Republic of Korea
native_name: 서울
lang: ko
about:
  area_km2: 605
  population: 10190000
  national_share_pct: 20
  text: 서울은 대한민국 인구의 5분의 1이 모여 사는 수도이자 메가시티다.
headline: |
  모두를 위한 디지털 도시,
  데이터로 움직이는 서울
subtitle: 여섯 갈래의 스마트 인프라로 시민의 디지털 기본권을 넓히다
body: |
  서울시는 통신망, 센서, 데이터 저장소를 하나의 도시 플랫폼으로 묶고 있다.

  가상 서울 디지털 트윈은 도시계획과 안전 관리에 쓰인다.
initiatives:
  - name: S-Net
    text: 공공 와이파이와 자가망으로 도시 전역을 잇는 통신 기반
scores:
  urban_intelligence: 4.5
sources:
  - Smart Cities Index Report 2022 (DTTM, ISi Lab, IfM Engage)
"""
"""The profile example from the core issue, verbatim: it must validate as written."""


def write_tree(root: Path, files: dict[str, Any]) -> None:
    """Create files under ``root``: str/bytes values are written as is, dicts as YAML."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")


ProjectFactory = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path) -> ProjectFactory:
    """Return a factory: ``make_project({"profiles/x.yaml": ...}, config=...)`` -> project dir.

    The project gets the repository's default layout; ``config`` overrides CONFIG keys.
    """

    def factory(files: dict[str, Any] | None = None, **config: Any) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        shutil.copytree(REPO / "layouts", root / "layouts", dirs_exist_ok=True)
        write_tree(root, {"scireport.yaml": {**CONFIG, **config}})
        (root / "profiles").mkdir(exist_ok=True)
        write_tree(root, files or {})
        return root

    return factory


LONGEST_FIRST = (
    "test_incremental.py",
    "test_reliability_build.py",
    "test_editions.py",
    "test_build.py",
    "test_press.py",
    "test_preview.py",
    "test_fidelity.py",
    "test_index_build.py",
    "test_edits.py",
    "test_tagged.py",
)
"""The test files that take the most CPU (measured with the suite), handed to the xdist
workers first (``--no-loadscope-reorder``) so that no long file starts last and keeps one
worker busy while the other idles. Only the order depends on it, never a result."""


@pytest.fixture(scope="session", autouse=True)
def own_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The session keeps its parsed profiles in a folder of its own, not the user's."""
    before = os.environ.get("SCIREPORT_CACHE_DIR")
    os.environ["SCIREPORT_CACHE_DIR"] = str(tmp_path_factory.mktemp("parse-cache"))
    yield
    if before is None:
        os.environ.pop("SCIREPORT_CACHE_DIR", None)
    else:
        os.environ["SCIREPORT_CACHE_DIR"] = before


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a built sample book as slow; run the longest files first."""
    for item in items:
        if {"built_sample", "built_three"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: files stay whole


@contextmanager
def _shared(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """A folder shared by every xdist worker of the session, held under a lock.

    Yields the folder and whether it is ready (made by another worker already); the caller
    makes it when it is not, and it counts as ready once the block ends without error.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the session's folder, above each worker's own
    folder, ready = base / name, base / f"{name}.ready"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = ready.exists()
        yield folder, done
        if not done:
            ready.touch()


def copy_sample(root: Path, cities: tuple[str, ...] | None = None) -> Path:
    """Copy the repository's sample project to ``root``: all of it, or only ``cities``.

    With ``cities``, the data tables keep only those cities' rows and the groups only
    those cities, so the copy is a consistent project of its own.
    """
    root.mkdir(parents=True, exist_ok=True)
    for name in ("layouts", "texts"):
        shutil.copytree(REPO / name, root / name, dirs_exist_ok=True)
    (root / "profiles").mkdir(exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    config = yaml.safe_load((REPO / "scireport.yaml").read_text("utf-8"))
    for path in sorted((REPO / "profiles").glob("*.yaml")):
        if cities is None or path.stem in cities:
            shutil.copy(path, root / "profiles" / path.name)
    for path in sorted((REPO / "data").glob("*.csv")):
        lines = path.read_text("utf-8").splitlines(keepends=True)
        kept = [lines[0], *(ln for ln in lines[1:] if cities is None or ln.split(",")[0] in cities)]
        (root / "data" / path.name).write_text("".join(kept), "utf-8")
    if cities is not None:
        for group in config["index"].get("groups", {}).values():
            group["cities"] = [slug for slug in group["cities"] if slug in cities] or [cities[0]]
        config["order"] = [slug for slug in config.get("order", []) if slug in cities]
    if cities is None:
        shutil.copy(REPO / "scireport.yaml", root / "scireport.yaml")
    else:
        write_tree(root, {"scireport.yaml": config})
    return root


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's sample project (settings, profiles, layouts, data, texts)."""
    return copy_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project built once per session (shared by the xdist workers), print
    edition; returns the output folder. Tests read it, never change it. The screen edition
    is read from :func:`built_three` (see :func:`built_books`)."""
    with _shared(tmp_path_factory, "built-sample") as (root, ready):
        if not ready:
            shutil.rmtree(root, ignore_errors=True)
            copy_sample(root)
            result = CliRunner().invoke(
                app, ["build", "--edition", "print", "--project", str(root), "--out", "out"]
            )
            assert result.exit_code == 0, result.output
    return root / "out"


THREE = ("seoul", "amsterdam", "barcelona")
"""The cities of the small sample project most build tests start from."""


@pytest.fixture(scope="session")
def built_three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project cut to :data:`THREE`, built once per session in both editions
    (``--jobs 2``, ``SOURCE_DATE_EPOCH=1700000000``) into its ``build`` folder; returns the
    project. Tests read it, never change it: copy it with :func:`warm_copy` first."""
    from scireport.build import BuildOptions, build

    with _shared(tmp_path_factory, "built-three") as (root, ready):
        if not ready:
            shutil.rmtree(root, ignore_errors=True)
            copy_sample(root, THREE)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
                build(root, BuildOptions(jobs=2, editions=["print", "screen"]))
    return root


@pytest.fixture(scope="session")
def built_books(built_sample: Path, built_three: Path) -> dict[str, Path]:
    """The output folder to read each edition from: ``print`` is the whole sample
    (:func:`built_sample`), ``screen`` the three-city build (:func:`built_three`), so the
    session typesets the screen edition of three cities, not of thirteen."""
    return {"print": built_sample, "screen": built_three / "build"}


def warm_copy(built: Path, where: Path) -> Path:
    """Copy a built project (its ``build`` folder and caches included) to ``where``."""
    shutil.copytree(built, where, symlinks=True)
    return where


@pytest.fixture
def warm_three(built_three: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of :func:`built_three` to change: every page is in its cache (the test runs
    with the same ``SOURCE_DATE_EPOCH``, which is part of every cache key)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return warm_copy(built_three, tmp_path / "warm")


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Invoke the CLI in-process: ``cli("validate", "--project", dir)``."""
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, [str(a) for a in args])

    return invoke


def start_pages(root: Path, edition: str = "print") -> dict[str, int]:
    """First book page of every part of the project at ``root`` (``@cover``, a city slug...)."""
    from scireport.layouts import load_layout
    from scireport.plan import Edition, EditionPlan
    from scireport.project import load_project

    project = load_project(root)
    assert project.config is not None
    layout = load_layout(root, project.config.layout)
    plan = EditionPlan(
        project, project.config, layout, Edition(edition, project.config.lang), root / "build"
    )
    return plan.start_pages()


def log_writes(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Note in ``log`` which process writes each edition, one ``pid edition`` line a write (a
    process forked later, a warm writer, inherits it)."""
    from scireport.build import BookBuilder

    real = BookBuilder.write

    def write(self: BookBuilder, *args: Any, **kwargs: Any) -> None:
        with log.open("a", encoding="utf-8") as noted:
            noted.write(f"{os.getpid()} {self.edition.name}\n")
        real(self, *args, **kwargs)

    monkeypatch.setattr(BookBuilder, "write", write)


def writes_logged(log: Path) -> set[tuple[str, int]]:
    """Each (edition, pid) :func:`log_writes` noted."""
    return {(line.split()[1], int(line.split()[0])) for line in log.read_text().splitlines()}
