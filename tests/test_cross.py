"""Checks across profiles: duplicated text (hashed shingles) and text about the wrong city."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, SEOUL_EXAMPLE, ProjectFactory

from scireport.checks import cross
from scireport.project import load_project

Cli = Callable[..., Any]

SEOUL = (REPO / "profiles" / "seoul.yaml").read_text("utf-8")
LOS_ANGELES = (REPO / "profiles" / "los-angeles.yaml").read_text("utf-8")
SEOUL_KO_BODY: str = yaml.safe_load(SEOUL)["body"]["ko"]


def run(cli: Cli, root: Path) -> tuple[int, list[dict[str, Any]]]:
    """Validate ``root`` without the page-fit check; return the exit code and findings.

    Profiles in English next to Korean ones lack a Korean translation; that rule is not the
    subject here, so its findings are left out (and the exit code follows the rest).
    """
    result = cli("validate", "--project", root, "--no-layout", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    found = [f for f in json.loads(result.stdout) if f["rule"] != "missing-translation"]
    return int(any(f["severity"] == "error" for f in found)), found


def position(text: str, needle: str, start: str = "") -> tuple[int, int]:
    """1-based line and column of ``needle`` in ``text`` (searching after ``start``)."""
    index = text.index(needle, text.index(start) if start else 0)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def la_carrying_seoul_text() -> str:
    """The sample Los Angeles profile with its body replaced by Seoul's, word for word."""
    start = LOS_ANGELES.index("body: |\n")
    end = LOS_ANGELES.index("initiatives:")
    body = "".join(f"  {line}\n" if line else "\n" for line in SEOUL_KO_BODY.splitlines())
    return LOS_ANGELES[:start] + "body: |\n" + body + LOS_ANGELES[end:]


def profile(city: str, native: str, body: str, **extra: Any) -> dict[str, Any]:
    """A small valid profile as data."""
    return {
        "city": city,
        "country": "Testland",
        "native_name": native,
        "about": {"population": 1_000_000},
        "headline": f"{native} 이야기",
        "body": body,
        "sources": ["Smart Cities Index Report 2022 (DTTM, ISi Lab, IfM Engage)"],
        **extra,
    }


# --- the failure this tool exists to prevent -----------------------------------------------


def test_los_angeles_carrying_seouls_text_fails_with_both_problems(
    cli: Cli, make_project: ProjectFactory
) -> None:
    la = la_carrying_seoul_text()
    root = make_project({"profiles/seoul.yaml": SEOUL, "profiles/los-angeles.yaml": la})
    code, findings = run(cli, root)
    assert code == 1

    paragraphs = [p for p in SEOUL_KO_BODY.split("\n\n") if p.strip()]
    la_lines = [position(la, p[:30], "body: |")[0] for p in paragraphs]
    seoul_lines = [position(SEOUL, p[:30], "body:")[0] for p in paragraphs]
    duplicated = [
        f for f in findings if f["rule"] == "cross-duplicate-text" and "los-angeles" in f["file"]
    ]
    assert [(f["line"], f["column"], f["path"]) for f in duplicated] == [
        (line, 3, "body") for line in la_lines
    ]
    for number, (finding, seoul_line) in enumerate(zip(duplicated, seoul_lines, strict=True), 1):
        assert finding["severity"] == "error"
        assert f"paragraph {number} repeats" in finding["message"]
        assert (
            f"profiles/seoul.yaml:{seoul_line} (body.ko, paragraph {number})" in finding["message"]
        )

    # The other side is told too, so whichever file the editor opens names the copy.
    in_seoul = [f for f in findings if f["file"] == "profiles/seoul.yaml"]
    assert [(f["line"], f["column"], f["rule"]) for f in in_seoul] == [
        (line, 5, "cross-duplicate-text") for line in seoul_lines
    ]
    assert f"profiles/los-angeles.yaml:{la_lines[0]} (body, paragraph 1)" in in_seoul[0]["message"]

    wrong = [f for f in findings if f["rule"] == "cross-wrong-city"]
    assert len(wrong) == 1
    first_seoul = position(la, "서울", "body: |")
    assert (wrong[0]["file"], wrong[0]["line"], wrong[0]["column"]) == (
        "profiles/los-angeles.yaml",
        *first_seoul,
    )
    assert wrong[0]["path"] == "body"
    assert "names Seoul (profiles/seoul.yaml)" in wrong[0]["message"]
    assert "Los Angeles only 2" in wrong[0]["message"]


def test_the_real_sample_profiles_are_clean_together(
    cli: Cli, make_project: ProjectFactory
) -> None:
    files = {f"profiles/{p.name}": p.read_text("utf-8") for p in (REPO / "profiles").glob("*.yaml")}
    assert run(cli, make_project(files)) == (0, [])


def test_issue_example_next_to_the_sample_seoul_is_only_a_duplicate_city(
    cli: Cli, make_project: ProjectFactory
) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE, "profiles/seoul-2022.yaml": SEOUL})
    code, findings = run(cli, root)
    assert [f["rule"] for f in findings] == ["cross-duplicate-city"]


# --- duplicated text --------------------------------------------------------------------------

SHARED = "시민이 날마다 겪는 불편에서 출발해 데이터를 모으고 그 결과를 정책 설계에 곧바로 반영한다"
"""A 13-word run of Korean words."""


def two_profiles(body_a: str, body_b: str) -> dict[str, Any]:
    return {
        "profiles/a.yaml": profile("Alphaville", "알파빌", body_a),
        "profiles/b.yaml": profile("Betatown", "베타타운", body_b),
    }


def test_a_long_shared_run_inside_different_paragraphs_is_caught(
    cli: Cli, make_project: ProjectFactory
) -> None:
    body_a = f"알파빌은 항구 도시다. {SHARED}. 바다와 산이 가깝다."
    body_b = f"베타타운은 평야에 있다. 여기서도 {SHARED}. 겨울이 길다."
    root = make_project(two_profiles(body_a, body_b))
    code, findings = run(cli, root)
    assert code == 1
    a, b = ((root / "profiles" / n).read_text("utf-8") for n in ("a.yaml", "b.yaml"))
    # Each finding points at the first shared word, not just the paragraph.
    assert [(f["file"], f["line"], f["column"], f["rule"]) for f in findings] == [
        ("profiles/a.yaml", *position(a, "시민이"), "cross-duplicate-text"),
        ("profiles/b.yaml", *position(b, "시민이"), "cross-duplicate-text"),
    ]
    b_line = position(b, "시민이")[0]
    assert (
        f"this text repeats 13 words of profiles/b.yaml:{b_line} (body)" in findings[0]["message"]
    )


def test_short_shared_phrases_are_ignored(cli: Cli, make_project: ProjectFactory) -> None:
    eleven = " ".join(SHARED.split()[:11])
    body_a = f"알파빌은 항구 도시다. {eleven}. 바다와 산이 가깝다."
    body_b = f"베타타운은 평야에 있다. 여기서도 {eleven}. 겨울이 길다."
    assert run(cli, make_project(two_profiles(body_a, body_b))) == (0, [])


def test_a_whole_short_paragraph_shared_is_caught(cli: Cli, make_project: ProjectFactory) -> None:
    nine = " ".join(SHARED.split()[:9])
    files = two_profiles("알파빌은 항구 도시다.", "베타타운은 평야에 있다.")
    for name in files:
        files[name]["initiatives"] = [{"name": "Open Data", "text": nine}]
    root = make_project(files)
    code, findings = run(cli, root)
    a = (root / "profiles" / "a.yaml").read_text("utf-8")
    assert [(f["file"], f["path"], f["line"], f["column"]) for f in findings] == [
        ("profiles/a.yaml", "initiatives[0].text", *position(a, nine)),
        ("profiles/b.yaml", "initiatives[0].text", *position(a, nine)),
    ]


def test_boilerplate_shared_by_many_profiles_is_ignored(
    cli: Cli, make_project: ProjectFactory
) -> None:
    names = [("Alphaville", "알파빌"), ("Betatown", "베타타운"), ("Gammaburg", "감마부르크")]
    names += [("Deltaport", "델타포트"), ("Epsilon City", "엡실론시티")]
    files = {
        f"profiles/{i}.yaml": profile(city, native, f"{native}은 특별하다.\n\n{SHARED}.\n")
        for i, (city, native) in enumerate(names)
    }
    assert len(files) > cross.BOILERPLATE_PROFILES
    assert run(cli, make_project(files)) == (0, [])


def test_shared_sources_are_not_duplicated_text(cli: Cli, make_project: ProjectFactory) -> None:
    files = two_profiles("알파빌은 항구 도시다.", "베타타운은 평야에 있다.")
    for name in files:
        files[name]["sources"] = [f"{SHARED} (Statistics Office, 2021 edition, table 3)"]
    assert run(cli, make_project(files)) == (0, [])


def test_paragraph_line_inside_a_folded_or_quoted_scalar(
    cli: Cli, make_project: ProjectFactory
) -> None:
    a = f'city: Alphaville\ncountry: T\nheadline: 알파\nbody: "알파빌은 항구다.\\n\\n{SHARED}"\n'
    b = f"city: Betatown\ncountry: T\nheadline: 베타\nbody: >\n  베타타운은 평야다.\n\n  {SHARED}\n"
    code, findings = run(cli, make_project({"profiles/a.yaml": a, "profiles/b.yaml": b}))
    dup = {f["file"]: f for f in findings if f["rule"] == "cross-duplicate-text"}
    assert (dup["profiles/a.yaml"]["line"], dup["profiles/a.yaml"]["column"]) == position(
        a, "시민이"
    )
    assert (dup["profiles/b.yaml"]["line"], dup["profiles/b.yaml"]["column"]) == position(
        b, "시민이"
    )


def test_only_profiles_sharing_shingles_are_read_closely(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        f"profiles/c{i}.yaml": profile(
            f"City{i}", f"도시{i}", f"도시{i}의 고유한 문장 번호 {i} " * 3
        )
        for i in range(30)
    }
    files["profiles/x.yaml"] = profile("Xcity", "엑스시", f"엑스시는 다르다. {SHARED}.")
    files["profiles/y.yaml"] = profile("Ycity", "와이시", f"와이시는 다르다. {SHARED}.")
    project = load_project(make_project(files))
    read: list[str] = []
    original = cross._Text.paragraphs

    def spy(self: cross._Text) -> list[Any]:
        read.append(self.city.slug)
        return original(self)

    monkeypatch.setattr(cross._Text, "paragraphs", spy)
    findings = cross.check(project)
    assert sorted(read) == ["x", "y"]
    assert [f.rule for f in findings] == ["cross-duplicate-text"] * 2


# --- wrong city -------------------------------------------------------------------------------


def test_wrong_city_by_english_name_and_alias(cli: Cli, make_project: ProjectFactory) -> None:
    busan = profile(
        "Busan",
        "부산",
        "Seoul's subway and Seoul's buses. The Seoul Metropolitan City plan. Busan waits.",
        lang="en",
    )
    seoul = profile("Seoul", "서울", "서울은 수도다.", aliases=["Seoul Metropolitan City"])
    root = make_project({"profiles/busan.yaml": busan, "profiles/seoul.yaml": seoul})
    code, findings = run(cli, root)
    assert code == 1
    [finding] = findings
    assert (finding["file"], finding["rule"], finding["path"]) == (
        "profiles/busan.yaml",
        "cross-wrong-city",
        "body",
    )
    text = (root / "profiles" / "busan.yaml").read_text("utf-8")
    assert (finding["line"], finding["column"]) == position(text, "Seoul's subway")
    assert "3 times" in finding["message"] and "Busan only 2" in finding["message"]


def test_naming_another_city_less_than_its_own_is_fine(
    cli: Cli, make_project: ProjectFactory
) -> None:
    busan = profile("Busan", "부산", "부산은 항구다. 부산과 서울을 잇는 고속철도가 있다.")
    seoul = profile("Seoul", "서울", "서울은 수도다.")
    assert run(cli, make_project({"profiles/busan.yaml": busan, "profiles/seoul.yaml": seoul})) == (
        0,
        [],
    )


def test_longest_name_wins_new_york_is_not_york(cli: Cli, make_project: ProjectFactory) -> None:
    new_york = profile("New York", "뉴욕", "New York and New York again.", lang="en")
    york = profile("York", "요크", "요크는 성벽 도시다.")
    assert run(
        cli, make_project({"profiles/new-york.yaml": new_york, "profiles/york.yaml": york})
    ) == (0, [])


def test_names_inside_other_words_do_not_count(cli: Cli, make_project: ProjectFactory) -> None:
    la = profile(
        "Los Angeles",
        "로스앤젤레스",
        "LAPD and PLAN and LAND: 동서울 터미널과 서울대학교, 서울역, 서울숲. LA의 교통.",
        aliases=["LA"],
        lang="en",
    )
    seoul = profile("Seoul", "서울", "서울은 수도다.")
    code, findings = run(cli, make_project({"profiles/la.yaml": la, "profiles/seoul.yaml": seoul}))
    # 서울대학교, 서울역 and 서울숲 name Seoul (they start a word), 동서울 does not; LA의 is LA,
    # LAPD, PLAN and LAND are not; the headline (로스앤젤레스 이야기) counts for LA.
    [finding] = findings
    assert finding["rule"] == "cross-wrong-city"
    assert "3 times" in finding["message"] and "Los Angeles only 2" in finding["message"]


def test_paragraphs_keep_their_offsets() -> None:
    text = "첫째 문단.\n\n  둘째 문단\n이어진다.\n \n\n셋째."
    assert [(start, para) for start, para in cross.paragraphs(text)] == [
        (0, "첫째 문단."),
        (text.index("둘째"), "둘째 문단\n이어진다."),
        (text.index("셋째"), "셋째."),
    ]


def test_a_profiles_words_and_shingles_are_those_of_its_fields_read_whole(
    make_project: ProjectFactory,
) -> None:
    """_tokenise splits each paragraph on its own (so the slow path reuses its shingles):
    the words must be those of the whole prose split at once, whatever the white space
    (tabs, blank lines holding spaces, NEL, ideographic space) or the case folding (ß)."""
    body = (
        "STRASSE Straße 하나 둘 셋 넷 다섯 여섯 일곱 여덟.\n \t\n\n  아홉 열\u3000열하나 열둘"
        " 열셋 열넷 열다섯 열여섯\u0085열일곱\n\n짧다\n\n\n" + SHARED
    )
    extra = {"initiatives": [{"name": "하나", "text": ""}, {"name": "둘", "text": SHARED}]}
    root = make_project({"profiles/a.yaml": profile("Alphaville", "알파빌", body, **extra)})
    [city] = load_project(root).cities
    text = cross._tokenise(city)
    words = text.joined.casefold().split()
    assert text.stream == cross._shingles(words)
    assert text.words == set(words)
    paragraphs = text.paragraphs()
    assert len(paragraphs) == 4
    for para in paragraphs:
        shown = dict(cross.paragraphs(para.field_text))[para.start]
        assert para.hashes == cross._shingles(shown.casefold().split())


def test_file_name_slug_and_order_are_checked(make_project, cli) -> None:
    import json

    from conftest import SEOUL_EXAMPLE

    root = make_project(
        {
            "profiles/seoul.yaml": SEOUL_EXAMPLE,
            "profiles/São Paulo.yaml": SEOUL_EXAMPLE.replace(
                "city: Seoul", "city: Sao Paulo"
            ).replace("native_name: 서울", "native_name: 상파울루"),
        },
        order=["seoul", "seol", "seoul"],
    )
    found = json.loads(cli("validate", "-p", root, "--no-layout", "-f", "json").output)
    rules = {(f["file"], f["rule"], f["path"]) for f in found}
    assert ("profiles/São Paulo.yaml", "slug-invalid", "") in rules
    assert ("scireport.yaml", "config-order", "order[1]") in rules
    assert ("scireport.yaml", "config-order", "order[2]") in rules
    message = next(f["message"] for f in found if f["path"] == "order[1]")
    assert "did you mean 'seoul'" in message
