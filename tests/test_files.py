"""Atomic writes and the ledger of written outputs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scireport.errors import Finding
from scireport.files import OutputLedger, Staging, write_atomically


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"good")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_atomically(target, broken)
    assert target.read_bytes() == b"good" and os.listdir(tmp_path) == ["report.pdf"]


def test_staging_commits_together_or_not_at_all(tmp_path: Path) -> None:
    staging = Staging()
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    staging.new(a).write_bytes(b"A")
    staging.new(b).write_bytes(b"B")
    staging.discard()
    assert os.listdir(tmp_path) == []
    staging.new(a).write_bytes(b"A")
    staging.commit()
    assert a.read_bytes() == b"A"


PPI = Finding("print/cities/ours.pdf", None, None, "", "pdf-image-ppi", "warning", "low", 2)


def test_ledger_knows_current_files_and_removes_only_its_own_stale_ones(tmp_path: Path) -> None:
    folder = tmp_path / "cities"
    folder.mkdir()
    ours, gone, touched, theirs = (folder / f"{n}.pdf" for n in ("ours", "gone", "touched", "x"))
    ledger = OutputLedger(tmp_path / "outputs.json", tmp_path)
    for file in (ours, gone, touched):
        file.write_bytes(b"pdf")
        ledger.record(file, "stamp-1", 2, [PPI.as_dict()])
    theirs.write_bytes(b"the editor's")
    ledger.save()

    reread = OutputLedger(tmp_path / "outputs.json", tmp_path)
    record = reread.current(ours, "stamp-1")
    assert record is not None and record.pages == 2 and record.findings[0]["rule"]
    assert reread.current(ours, "stamp-2") is None  # made from something else now
    touched.write_bytes(b"edited by hand")
    assert reread.current(touched, "stamp-1") is None
    assert reread.remove_stale(folder, keep={ours}) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["ours.pdf", "touched.pdf", "x.pdf"]
    ledger.save()
    moved = tmp_path.parent / f"{tmp_path.name}-moved"
    shutil.copytree(tmp_path, moved)  # the project moved: its ledger still knows its files
    assert OutputLedger(moved / "outputs.json", moved).current(moved / "cities/ours.pdf", "stamp-1")


def test_a_damaged_ledger_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "outputs.json").write_text("[not a ledger")
    assert OutputLedger(tmp_path / "outputs.json", tmp_path).records == {}
