"""The page cache: a size-and-time fast path before hashing, and no entries left unused."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import copy_sample

import scireport.cache
from scireport.build import BuildOptions, build
from scireport.cache import PageCache


def _entry(cache: PageCache, tmp_path: Path, key: str, data: bytes = b"%PDF-1.7 x") -> Path:
    produced = tmp_path / f"{key}.part"
    produced.write_bytes(data)
    return cache.store(key, produced, 1, {"fetched": {}}).pdf


def test_an_unchanged_entry_is_not_hashed_again(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "cache")
    pdf = _entry(cache, tmp_path, "a" * 64)
    record = pdf.with_suffix(".json")
    meta = json.loads(record.read_text())
    meta["sha256"] = "0" * 64  # a hash that no longer matches: only a re-hash would see it
    record.write_text(json.dumps(meta))
    assert cache.lookup("a" * 64) is not None  # size and time unchanged: taken as written


def test_a_changed_entry_is_hashed_and_thrown_away(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "cache")
    pdf = _entry(cache, tmp_path, "b" * 64)
    stat = pdf.stat()
    pdf.write_bytes(b"%PDF-1.7 y")  # same size, new content
    os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert cache.lookup("b" * 64) is None
    assert cache.rebuilt_corrupt == ["b" * 64] and not pdf.exists()


def test_collect_keeps_only_the_entries_in_use(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "cache")
    kept = _entry(cache, tmp_path, "c" * 64)
    gone = _entry(cache, tmp_path, "d" * 64)
    (cache.folder / "outputs.json").write_text("{}")
    assert cache.collect({kept.stem}) == 1
    assert kept.exists() and kept.with_suffix(".json").exists()
    assert not gone.exists() and not gone.with_suffix(".json").exists()
    assert (cache.folder / "outputs.json").exists()


def test_fonts_are_looked_up_again_by_each_build_and_handed_to_a_writer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build forgets what fontconfig said (a warm one asks again while it checks); what
    the build knows is what a warm writer is handed."""
    asked: list[list[str]] = []
    run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: asked.append(args) or run(args, **kw))
    scireport.cache.forget_fonts()
    found = scireport.cache.font_files("Noto Sans CJK KR")
    assert found and scireport.cache.font_files("Noto Sans CJK KR") == found
    assert asked == [["fc-list", "Noto Sans CJK KR", "file"]]  # once, then remembered
    scireport.cache.refresh_fonts()  # asked again, now
    assert len(asked) == 2 and scireport.cache.known_fonts() == {"Noto Sans CJK KR": found}
    scireport.cache.forget_fonts()
    assert scireport.cache.known_fonts() == {}
    scireport.cache.learn_fonts({"Noto Sans CJK KR": ("a-font.otf:1:2",)})
    assert scireport.cache.font_files("Noto Sans CJK KR") == ("a-font.otf:1:2",)
    assert len(asked) == 2
    scireport.cache.forget_fonts()


def test_a_whole_book_build_leaves_only_live_entries(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "project", ("seoul", "amsterdam"))
    build(root, BuildOptions(jobs=1))
    folder = root / "build" / ".cache" / "print-ko"
    before = sorted(p.name for p in folder.glob("*.pdf"))
    profile = root / "profiles" / "amsterdam.yaml"
    profile.write_text(profile.read_text("utf-8").replace("Amsterdam", "Amsterdam ", 1))
    result = build(root, BuildOptions(jobs=1))
    after = sorted(p.name for p in folder.glob("*.pdf"))
    assert result.collected >= 1 and len(after) == len(before)
    assert len(list(folder.glob("*.json"))) == len(after) + 1  # and outputs.json
