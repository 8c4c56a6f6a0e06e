"""`scireport clean`: caches go, outputs stay unless asked, nothing a user changed is lost."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CONFIG, REPO, warm_copy, write_tree

from scireport.files import folder_lock


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-city project (no index data) built in print once for the module."""
    from typer.testing import CliRunner

    from scireport.cli import app

    root = tmp_path_factory.mktemp("clean") / "p"
    write_tree(root, {"scireport.yaml": CONFIG})
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "profiles").mkdir()
    (root / "profiles/seoul.yaml").write_bytes((REPO / "profiles/seoul.yaml").read_bytes())
    result = CliRunner().invoke(app, ["build", "--project", str(root)])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A copy of :func:`built_once` to change, with a preview folder beside its PDFs."""
    root = warm_copy(built_once, tmp_path / "p")
    write_tree(root, {"build/.preview/.pages/images/p1.png": b"png"})
    return root


def test_clean_removes_the_caches_and_keeps_the_pdfs(built: Path, cli: Callable[..., Any]) -> None:
    pdfs = sorted((built / "build/print").rglob("*.pdf"))
    cached = [p for p in (built / "build/.cache").rglob("*") if p.is_file()]
    assert pdfs and cached
    result = cli("clean", "--project", built)
    assert result.exit_code == 0, result.output
    assert f"removed {len(cached) + 1} files" in result.output
    assert not (built / "build/.cache").exists()
    assert not (built / "build/.preview/.pages").exists()
    assert sorted((built / "build/print").rglob("*.pdf")) == pdfs
    rebuilt = cli("build", "--project", built)  # a cold build after a clean
    assert rebuilt.exit_code == 0 and " 0 from cache" in rebuilt.output, rebuilt.output


def test_clean_outputs_removes_what_builds_wrote_but_not_what_a_user_changed(
    built: Path, cli: Callable[..., Any]
) -> None:
    book, city = built / "build/print/report.pdf", built / "build/print/cities/seoul.pdf"
    mine = built / "build/print/notes.txt"
    mine.write_text("the editor's own file")
    city.write_bytes(city.read_bytes() + b"\n% touched by hand\n")
    result = cli("clean", "--outputs", "--project", built)
    assert result.exit_code == 0, result.output
    assert not book.exists()
    assert city.exists() and "kept build/print/cities/seoul.pdf" in result.output
    assert mine.read_text() == "the editor's own file"


def test_clean_refuses_a_folder_no_build_wrote_and_a_folder_being_built(
    built: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    stranger = built / "elsewhere"
    stranger.mkdir()
    (stranger / "keep.pdf").write_bytes(b"%PDF")
    result = cli("clean", "--outputs", "--out", stranger, "--project", built)
    assert result.exit_code == 1 and "not an output folder of scireport" in result.output
    assert (stranger / "keep.pdf").exists()
    with folder_lock(built / "build"):
        busy = cli("clean", "--project", built)
    assert busy.exit_code == 1 and "another build is writing" in busy.output
    assert (built / "build/.cache").is_dir()
    missing = cli("clean", "--out", tmp_path / "nowhere", "--project", built)
    assert missing.exit_code == 1 and "no such output folder" in missing.output
