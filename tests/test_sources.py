"""YAML loading: positions for every key and value, and every YAML-level problem located."""

from __future__ import annotations

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
