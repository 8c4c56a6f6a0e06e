"""YAML loading: positions for every key and value, and every YAML-level problem located."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import SEOUL_EXAMPLE, ProjectFactory

from scireport.sources import MAX_FILE_BYTES, Position, parse_yaml


def rules(raw: bytes) -> list[tuple[str, int | None, int | None]]:
    doc = parse_yaml(raw, "p.yaml")
    return [(f.rule, f.line, f.column) for f in doc.findings]


def test_positions_of_keys_and_values() -> None:
    doc = parse_yaml(b"city: Seoul\nabout:\n  population: 5\nlist:\n  - a\n  - b\n", "p.yaml")
    assert doc.findings == []
    assert doc.values[("city",)] == Position(1, 7)
    assert doc.keys[("about", "population")] == Position(3, 3)
    assert doc.values[("about", "population")] == Position(3, 15)
    assert doc.values[("list", 1)] == Position(6, 5)
    assert doc.locate(("about", "population", "deeper")) == Position(3, 15)


def test_duplicate_key_names_both_lines() -> None:
    doc = parse_yaml(b"city: Seoul\ncountry: X\ncity: Busan\n", "p.yaml")
    (finding,) = doc.findings
    assert (finding.rule, finding.line, finding.column) == ("yaml-duplicate-key", 3, 1)
    assert "first at line 1" in finding.message


def test_object_building_tags_are_refused_without_constructing() -> None:
    raw = b"city: !!python/object/apply:os.system ['touch /tmp/pwned']\n"
    assert rules(raw) == [("yaml-tag", 1, 7)]


def test_billion_laughs_fails_fast() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    found = rules("\n".join(lines).encode())
    assert found[0][0] == "yaml-alias-bomb"


def test_syntax_error_has_position() -> None:
    assert rules(b"city: Seoul\nabout: [1, 2\nx: 1\n")[0][0] == "yaml-syntax"
    rule, line, _ = rules(b"a: 1\n b: 2\n")[0]
    assert (rule, line) == ("yaml-syntax", 2)


def test_tab_indentation() -> None:
    assert rules(b"about:\n\tpopulation: 1\n") == [("yaml-tab", 2, 1)]


def test_bom_encoding_empty_and_not_mapping() -> None:
    assert rules(b"\xef\xbb\xbfcity: x\n")[0][0] == "yaml-bom"
    assert rules(b"city: \xff\xfe\n") == [("yaml-encoding", 1, 7)]
    assert rules(b"") == [("yaml-empty", 1, 1)]
    assert rules(b"# only a comment\n") == [("yaml-empty", 1, 1)]
    assert rules(b"- a\n- b\n") == [("yaml-not-mapping", 1, 1)]


def test_size_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from scireport.sources import load_yaml

    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES + 1))
    assert load_yaml(big).findings[0].rule == "yaml-too-large"


def test_line_breaks_yaml_counts_but_editors_do_not_are_refused() -> None:
    for char in ("\x85", "\u2028", "\u2029"):
        found = rules(f"city: Seoul\ncountry: 'Korea{char}x'\n".encode())
        assert found == [("yaml-encoding", 2, 16)], char


# --- the cache of parsed profiles -------------------------------------------------------------


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the profiles parse_yaml really parses (by shown name)."""
    from scireport import sources

    parsed: list[str] = []
    original = sources.parse_yaml

    def counting(raw: bytes, shown: str) -> sources.YamlDocument:
        if shown.startswith("profiles/"):
            parsed.append(shown)
        return original(raw, shown)

    monkeypatch.setattr(sources, "parse_yaml", counting)
    return parsed


def _docs(root: Path) -> list[tuple[object, ...]]:
    from scireport.project import load_project

    return [
        (c.doc.file, c.doc.text, c.doc.data, c.doc.values, c.doc.keys, c.doc.findings)
        for c in load_project(root).cities
    ]


def test_a_profile_read_again_unchanged_is_not_parsed_again(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    duplicate = SEOUL_EXAMPLE.replace("lang: ko\n", "lang: ko\ncity: Seoul\n")
    root = make_project({"profiles/seoul.yaml": duplicate, "profiles/busan.yaml": BUSAN})
    before = set(root.rglob("*"))
    parsed = _parses(monkeypatch)
    first = _docs(root)
    assert sorted(parsed) == ["profiles/busan.yaml", "profiles/seoul.yaml"]
    parsed.clear()
    assert _docs(root) == first and parsed == []  # the same documents, findings included
    assert any(f.rule == "yaml-duplicate-key" for f in first[1][5])  # type: ignore[attr-defined]
    assert set(root.rglob("*")) == before  # kept outside the project
    cached = list(Path(os.environ["SCIREPORT_CACHE_DIR"]).rglob("*.marshal"))
    assert cached
    (root / "profiles/busan.yaml").write_text(BUSAN.replace("부산", "부산광역시"), "utf-8")
    assert _docs(root)[1] == first[1] and parsed == ["profiles/busan.yaml"]
    result = cli("validate", "--project", root, "--no-layout", "--format", "json")
    assert "yaml-duplicate-key" in result.stdout


def test_an_unreadable_or_foreign_cache_is_parsed_anew(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scireport import sources

    root = make_project({"profiles/busan.yaml": BUSAN})
    first = _docs(root)
    [path] = [p for p in Path(os.environ["SCIREPORT_CACHE_DIR"]).rglob("*.marshal")
              if sources.ParseCache.for_project(root.resolve()).path == p]  # fmt: skip
    parsed = _parses(monkeypatch)
    path.write_bytes(b"not marshal data")
    assert _docs(root) == first and parsed == ["profiles/busan.yaml"]
    parsed.clear()
    assert _docs(root) == first and parsed == []  # written back whole
    monkeypatch.setattr(sources, "MAX_NODES", sources.MAX_NODES - 1)  # other limits: other parse
    assert _docs(root) == first and parsed == ["profiles/busan.yaml"]


BUSAN = """\
city: Busan
country: The Republic of Korea
native_name: 부산
headline: 부산 이야기
body: 부산은 항구 도시다.
"""
