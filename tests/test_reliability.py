"""Hostile, broken and interrupted cases (issue 14): each promise of the README's Reliability
section, tested at the unit level where a build is not needed."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import SEOUL_EXAMPLE

from scireport.build import build_timestamp
from scireport.cache import ImageCache, PageCache
from scireport.errors import Finding, UserError
from scireport.files import OutputLedger, folder_lock, replacing, sweep_parts, write_text
from scireport.reporting import as_github, as_json, plain, print_human
from scireport.sources import MAX_FILE_BYTES, UnsafeFile, load_yaml, parse_yaml, read_limited


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- one atomic writer -------------------------------------------------------------------


def test_atomic_writes_get_the_mode_a_user_expects(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "new.json", "{}")
        assert mode(tmp_path / "new.json") == 0o644
        kept = tmp_path / "kept.pdf"
        kept.write_bytes(b"old")
        kept.chmod(0o640)
        with replacing(kept) as tmp:
            tmp.write_bytes(b"new")
        assert mode(kept) == 0o640 and kept.read_bytes() == b"new"
    finally:
        os.umask(old)
    assert sorted(os.listdir(tmp_path)) == ["kept.pdf", "new.json"]


def test_two_writers_of_one_file_never_share_a_temporary_name(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    with replacing(target) as one, replacing(target) as two:
        assert one != two
        one.write_text("1")
        two.write_text("2")
    assert target.read_text() == "1"  # the outer block ends last


def test_leftover_part_files_are_swept(tmp_path: Path) -> None:
    (tmp_path / ".report.pdf.k2j3.part").write_bytes(b"half")
    (tmp_path / "report.pdf").write_bytes(b"good")
    assert sweep_parts(tmp_path) == 1
    assert os.listdir(tmp_path) == ["report.pdf"]


# -- caches: a bad entry is a miss -------------------------------------------------------


def _stored(tmp_path: Path) -> tuple[PageCache, str]:
    cache = PageCache(tmp_path / "cache")
    produced = tmp_path / "made.pdf"
    produced.write_bytes(b"%PDF-1.7 fake")
    key = "a" * 64
    cache.store(key, produced, 2, {"missing": [], "links": [], "fetched": {}})
    return cache, key


@pytest.mark.parametrize(
    "tamper",
    [
        {"pages": "two"},
        {"pages": -1},
        {"links": [[0, "x", "a"]]},
        {"missing": [3]},
        {"overflow": {"pages": 3}},
        {"fetched": {"/x": 5}},
        {"bookmarks": [[0, "1", "SEOUL"]]},
    ],
)
def test_a_tampered_cache_record_is_a_miss(tmp_path: Path, tamper: dict[str, object]) -> None:
    cache, key = _stored(tmp_path)
    assert cache.lookup(key) is not None
    meta_path = cache.path(key).with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    meta.update(tamper)
    meta_path.write_text(json.dumps(meta))
    assert cache.lookup(key) is None and cache.rebuilt_corrupt == [key]


def test_a_tampered_ledger_record_is_forgotten(tmp_path: Path) -> None:
    (tmp_path / "outputs.json").write_text(
        json.dumps(
            {
                "a.pdf": {"stamp": "s", "size": 1, "mtime_ns": 1, "pages": "two"},
                "b.pdf": {"stamp": "s", "size": 1, "mtime_ns": 1, "pages": 2,
                          "findings": [{"bogus": 1}]},
                "c.pdf": {"stamp": "s", "size": 1, "mtime_ns": 1, "pages": 2},
                "/etc/d.pdf": {"stamp": "s", "size": 1, "mtime_ns": 1, "pages": 2},
                "../e.pdf": {"stamp": "s", "size": 1, "mtime_ns": 1, "pages": 2},
            }
        )
    )  # fmt: skip
    assert list(OutputLedger(tmp_path / "outputs.json", tmp_path).records) == ["c.pdf"]


def test_the_image_cache_remakes_a_damaged_or_substituted_copy(tmp_path: Path) -> None:
    made: list[Path] = []

    def make(target: Path) -> None:
        made.append(target)
        target.write_bytes(b"converted image " * 100)

    first = ImageCache(tmp_path).get("k" * 64, make)
    again = ImageCache(tmp_path).get("k" * 64, make)
    assert again == first and len(made) == 1  # intact: reused
    first.write_bytes(first.read_bytes()[:500])  # truncated
    ImageCache(tmp_path).get("k" * 64, make)
    assert len(made) == 2 and first.read_bytes() == b"converted image " * 100
    ImageCache(tmp_path, use=False).get("k" * 64, make)  # --no-cache: made again
    assert len(made) == 3


# -- locks -------------------------------------------------------------------------------


def test_a_held_output_folder_is_refused_with_one_line(tmp_path: Path) -> None:
    with folder_lock(tmp_path), pytest.raises(UserError) as refused, folder_lock(tmp_path):
        pass
    assert "another build is writing to" in refused.value.message
    assert f"process {os.getpid()}" in refused.value.message
    with folder_lock(tmp_path):  # released
        pass


# -- SOURCE_DATE_EPOCH -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["garbage", "99999999999999", "-5", "1.5"])
def test_a_bad_source_date_epoch_is_one_clear_error(monkeypatch, value: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(UserError, match="SOURCE_DATE_EPOCH=.* is not a time"):
        build_timestamp()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_timestamp() == "2023-11-14T22:13:20Z"


# -- reading files -----------------------------------------------------------------------


def test_a_symlink_out_of_the_project_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "x.yaml").symlink_to(secret)
    doc = load_yaml(project / "x.yaml", "x.yaml", inside=project)
    assert [f.rule for f in doc.findings] == ["file-outside-project"]
    assert "hunter2" not in doc.text and "hunter2" not in str(doc.findings)


def test_devices_and_fifos_are_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo.yaml")
    import threading

    rules: dict[str, list[str]] = {}

    def load_both() -> None:
        for name in ("zero.yaml", "fifo.yaml"):
            rules[name] = [f.rule for f in load_yaml(tmp_path / name, name).findings]

    reader = threading.Thread(target=load_both, daemon=True)
    reader.start()
    reader.join(timeout=60)  # a blocking read of the FIFO would never return
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert rules == {"zero.yaml": ["file-not-regular"], "fifo.yaml": ["file-not-regular"]}


def test_the_size_limit_is_counted_while_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    with pytest.raises(UnsafeFile, match="over the"):
        read_limited(big)
    assert read_limited(big, MAX_FILE_BYTES + 1) == b"a" * (MAX_FILE_BYTES + 1)


def test_long_lists_are_not_alias_bombs_and_huge_numbers_get_a_plain_message() -> None:
    items = "items:\n" + "".join(f"  - {i}\n" for i in range(60_000))
    doc = parse_yaml(items.encode(), "x.yaml")
    assert doc.findings == [] and len(doc.data["items"]) == 60_000
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    for name, prev in zip("bcdefg", "abcdef", strict=True):
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    assert [f.rule for f in parse_yaml(bomb.encode(), "x.yaml").findings] == ["yaml-alias-bomb"]
    huge = parse_yaml(("n: " + "9" * 5001 + "\n").encode(), "x.yaml")
    (finding,) = huge.findings
    assert "too long to be a figure" in finding.message
    assert "set_int_max_str_digits" not in finding.message


# -- printing user text ------------------------------------------------------------------

HOSTILE = "\x1b]0;pwned\x07\x1b[2J root:x:0 :thumbs_up: [/x] [bold]Report [draft]\u202e"


def _finding(text: str) -> Finding:
    return Finding("profiles/[x].yaml", 1, 1, "about.text", "schema-type", "error", text)


def test_human_output_prints_user_text_literally_with_controls_escaped() -> None:
    from rich.console import Console

    console = Console(record=True, width=200, emoji=False, highlight=False)
    print_human(console, [_finding(HOSTILE)], None)
    shown = console.export_text()
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "\\x1b]0;pwned\\x07" in shown and "\\u202e" in shown
    for literal in ("root:x:0", ":thumbs_up:", "[/x]", "[bold]Report [draft]", "[x].yaml"):
        assert literal in shown


def test_json_and_github_outputs_carry_no_raw_controls() -> None:
    text = as_json([_finding(HOSTILE + "\x9b2J")])
    assert "\x1b" not in text and "\x9b" not in text and ":thumbs_up:" in text
    assert json.loads(text)[0]["message"] == HOSTILE + "\x9b2J"
    github = as_github([_finding(HOSTILE)])
    assert "\x1b" not in github and "\x07" not in github and github.count("\n") == 0
    assert plain("서울 Seoul") == "서울 Seoul"


def test_cli_messages_are_plain_text(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    result = cli("build", "-p", root, "--city", "[/x]", "--city", ":thumbs_up:")
    assert result.exit_code == 2
    assert "[/x]" in result.output and ":thumbs_up:" in result.output
    assert "Traceback" not in result.output


def test_a_disk_error_message_is_one_line_when_piped(make_project, cli, monkeypatch) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    deep = "a-very-long-folder-name-" * 6

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", f"/{deep}/report.pdf")

    monkeypatch.setattr("scireport.build.build", full)
    result = cli("build", "-p", root)
    assert result.exit_code == 1
    assert f"/{deep}/report.pdf: No space left on device" in result.output


def test_scaffolded_profiles_and_schemas_are_0644(make_project, cli) -> None:
    root = make_project({})
    old = os.umask(0o022)
    try:
        assert cli("new-city", "Busan", "--country", "Korea", "-p", root).exit_code == 0
        assert cli("schema", "-p", root, "--out", "schema").exit_code == 0
    finally:
        os.umask(old)
    written = [root / "profiles/busan.yaml", *sorted((root / "schema").glob("*.json"))]
    assert len(written) == 3
    assert {p.name: mode(p) for p in written} == {p.name: 0o644 for p in written}
    assert not list(root.rglob("*.part"))
