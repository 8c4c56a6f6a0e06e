"""Bad input never crashes validate: random bytes and random YAML give findings, located.

Also: the exported JSON Schema and the validator agree on valid and invalid profiles.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import CONFIG, REPO, SEOUL_EXAMPLE, write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scireport.errors import Finding
from scireport.models import CityProfile, json_schema
from scireport.schema import validate_model
from scireport.sources import parse_yaml
from scireport.validate import validate

AREAS = [
    a["id"] for a in yaml.safe_load((REPO / "scireport.yaml").read_text("utf-8"))["index"]["areas"]
]
"""The sample report's area ids (areas belong to the settings, not to the schema)."""

Cli = Callable[..., Any]

FAST = settings(
    max_examples=150,
    deadline=2000,  # ms per example: a hang or a quadratic blow-up fails the test
    suppress_health_check=[HealthCheck.too_slow],
)

TOKENS = [
    "city", "country", "about", "population", "area_km2", "body", "headline", "initiatives",
    "scores", "images", "path", "sources", "ko", "en", "서울", "Seoul", "TODO", ":", ": ",
    "- ", "\n", "\n  ", "  ", "\t", "#", "'", '"', "|", ">", "{", "}", "[", "]", ",", "&a ",
    "*a", "!!python/object:os.system ", "!!binary ", "!!set ", "!!bool ", "!!timestamp ",
    "!!int ", "!!map ", "? ", "<<: ", "---\n", "...\n", "%YAML 1.1\n", "~", "null", "yes",
    "0x1F", "1e9999", "-5", "605.2", "2022-13-45", "\\", "\\u00e9", "\u2028", "\ufeff", "\x85",
    "🙂", "ก",
]  # fmt: skip
yamlish = st.lists(st.sampled_from(TOKENS) | st.text(max_size=6), max_size=80).map("".join)
"""Text that looks like YAML often enough to reach every stage of the loader."""

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["ko", "en", "name", "text", "path", "x"]), children, max_size=3
        )
    ),
    max_leaves=12,
)
profiles = st.fixed_dictionaries(
    {"city": st.text(min_size=1, max_size=12), "country": st.text(max_size=12)},
    optional={
        "headline": values,
        "body": values,
        "about": st.dictionaries(
            st.sampled_from(["population", "area_km2", "national_share_pct", "text", "popluation"]),
            values,
            max_size=4,
        ),
        "scores": st.dictionaries(
            st.sampled_from([*AREAS, "urban_inteligence"]), values, max_size=3
        ),
        "initiatives": st.lists(values, max_size=3),
        "images": st.lists(values, max_size=2),
        "lang": st.sampled_from(["ko", "en", "fr", 1]),
        "sources": values,
    },
)
"""Profile-shaped data with random values, dumped as YAML."""


def assert_located(findings: list[Finding], file: str) -> None:
    """Every finding names its file, a real line and column, a rule and what to do."""
    for f in findings:
        assert f.file == file
        assert isinstance(f.line, int) and f.line >= 1, f
        assert isinstance(f.column, int) and f.column >= 1, f
        assert f.rule and f.severity in ("error", "warning") and f.message, f


def parse_and_validate(raw: bytes) -> None:
    doc = parse_yaml(raw, "profiles/x.yaml")
    assert_located(doc.findings, "profiles/x.yaml")
    if doc.data is not None:
        _, findings = validate_model(CityProfile, doc)
        assert_located(findings, "profiles/x.yaml")
        lines = max(1, doc.text.count("\n") + 1)
        assert all(f.line is not None and f.line <= lines for f in findings)


@FAST
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_loader(raw: bytes) -> None:
    parse_and_validate(raw)


@FAST
@given(yamlish)
def test_random_yamlish_text_never_crashes_the_loader(text: str) -> None:
    parse_and_validate(text.encode("utf-8", "surrogatepass"))


@FAST
@given(profiles)
def test_random_profile_shaped_data_never_crashes_the_validator(data: dict[str, Any]) -> None:
    parse_and_validate(yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass"))


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the default layout and one profile slot, reused by every example."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(REPO / "layouts", root / "layouts")
    write_tree(root, {"scireport.yaml": CONFIG, "profiles/seoul.yaml": SEOUL_EXAMPLE})
    return root


@settings(max_examples=60, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=300) | yamlish.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_whole_validation_never_crashes(fuzz_project: Path, raw: bytes) -> None:
    (fuzz_project / "profiles" / "x.yaml").write_bytes(raw)
    findings = validate(fuzz_project, layout=False)
    for f in findings:
        assert f.line is not None and f.line >= 1 and f.column is not None and f.column >= 1


@settings(
    max_examples=8,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(raw=st.binary(max_size=200) | yamlish.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_cli_exits_0_or_1_with_json_findings(fuzz_project: Path, cli: Cli, raw: bytes) -> None:
    (fuzz_project / "profiles" / "x.yaml").write_bytes(raw)
    result = cli("validate", "--project", fuzz_project, "--no-layout", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for finding in json.loads(result.stdout):
        assert set(finding) == {"file", "line", "column", "path", "rule", "severity", "message"}
        assert finding["line"] >= 1 and finding["column"] >= 1


def test_a_billion_laughs_fails_fast() -> None:
    lines = ["a: &a [" + ", ".join(["lol"] * 10) + "]"]
    for i, name in enumerate("bcdefghij"):
        previous = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    doc = parse_yaml("\n".join(lines).encode(), "x.yaml")
    assert [f.rule for f in doc.findings] == ["yaml-alias-bomb"]


# --- JSON Schema and validator agree ---------------------------------------------------------

BASE: dict[str, Any] = {
    "city": "Seoul",
    "country": "Korea",
    "headline": "서울",
    "body": "서울은 수도다.",
}

VALID = {
    "minimal": BASE,
    "issue example": yaml.safe_load(SEOUL_EXAMPLE),
    **{
        f"sample {p.stem}": yaml.safe_load(p.read_text("utf-8"))
        for p in (REPO / "profiles").glob("*.yaml")
    },
    "bilingual": {**BASE, "body": {"ko": "서울", "en": "Seoul"}, "subtitle": {"en": "x"}},
    "whole float population": {**BASE, "about": {"population": 9500000.0}},
    "image": {**BASE, "images": [{"path": "a.png", "width_mm": 120, "caption": {"ko": "사진"}}]},
    "every score": {**BASE, "scores": dict.fromkeys(AREAS, 5)},
}
INVALID = {
    "missing city": {k: v for k, v in BASE.items() if k != "city"},
    "missing body": {k: v for k, v in BASE.items() if k != "body"},
    "unknown field": {**BASE, "popluation": 5},
    "unknown nested field": {**BASE, "about": {"popluation": 5}},
    "unknown language": {**BASE, "body": {"de": "x"}},
    "text with no language": {**BASE, "body": {}},
    "land use share over 100": {**BASE, "about": {"land_use_pct": {"green": 150}}},
    "negative population": {**BASE, "about": {"population": -1}},
    "zero area": {**BASE, "about": {"area_km2": 0}},
    "share over 100": {**BASE, "about": {"national_share_pct": 100.5}},
    "fractional population": {**BASE, "about": {"population": 9.5}},
    "population as text": {**BASE, "about": {"population": "9500000"}},
    "population as yes": {**BASE, "about": {"population": True}},
    "negative score": {**BASE, "scores": {"urban_openness": -0.5}},
    "score as text": {**BASE, "scores": {"urban_openness": "high"}},
    "language fr": {**BASE, "lang": "fr"},
    "bad slug": {**BASE, "slug": "Los Angeles"},
    "empty city": {**BASE, "city": ""},
    "headline as list": {**BASE, "headline": ["a", "b"]},
    "sources as text": {**BASE, "sources": "one"},
    "initiative without name": {**BASE, "initiatives": [{"text": "x"}]},
    "image too wide": {**BASE, "images": [{"path": "a.png", "width_mm": 401}]},
    "city as number": {**BASE, "city": 5},
}


@pytest.fixture(scope="module")
def schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(json.dumps(json_schema(CityProfile)))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def ours(data: dict[str, Any]) -> bool:
    """Does scireport accept ``data`` (as the YAML file it would be read from)?"""
    doc = parse_yaml(yaml.safe_dump(data, allow_unicode=True).encode(), "x.yaml")
    assert doc.findings == []
    model, findings = validate_model(CityProfile, doc)
    return model is not None and not findings


@pytest.mark.parametrize("name", VALID)
def test_schema_and_validator_accept(name: str, schema_validator: Any) -> None:
    data = VALID[name]
    assert ours(data), name
    assert schema_validator.is_valid(data), list(schema_validator.iter_errors(data))


@pytest.mark.parametrize("name", INVALID)
def test_schema_and_validator_reject(name: str, schema_validator: Any) -> None:
    data = INVALID[name]
    assert not ours(data), name
    assert not schema_validator.is_valid(data), name


def test_an_empty_value_at_the_end_of_a_file_is_found_on_its_last_line() -> None:
    """Found by Hypothesis: ``? city`` with no newline put the finding on line 2 of 1."""
    parse_and_validate(b"? city")
    parse_and_validate(b"city:")
