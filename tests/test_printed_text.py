"""One enumeration of printed text (CityProfile.printed_texts), with paths as tuples."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import SEOUL_EXAMPLE, ProjectFactory

from scireport.assemble import printed_paragraphs
from scireport.build import dropped_finding
from scireport.checks.sanity import text_fields
from scireport.models import CityProfile
from scireport.project import load_project


def _seoul(**changes: object) -> CityProfile:
    data = yaml.safe_load(SEOUL_EXAMPLE)
    data.update(changes)
    return CityProfile.model_validate(data)


def test_every_language_version_has_its_own_path() -> None:
    profile = _seoul(headline={"ko": "서울", "en": "Seoul"})
    texts = dict(profile.printed_texts())
    assert texts[("headline", "ko")] == "서울" and texts[("headline", "en")] == "Seoul"
    assert texts[("initiatives", 0, "name")] == "S-Net"
    assert texts[("sources", 0)].startswith("Smart Cities")
    assert text_fields(profile) == list(profile.printed_texts())


def test_an_edition_gets_the_text_it_prints() -> None:
    profile = _seoul(headline={"ko": "서울", "en": "Seoul"})
    assert dict(profile.printed_texts("en"))[("headline",)] == "Seoul"
    assert dict(profile.printed_texts("ko"))[("headline",)] == "서울"


def test_body_paragraphs_are_numbered_under_the_body_path() -> None:
    labels = [label for label, _ in printed_paragraphs(_seoul(), "ko")]
    assert ((("body",), 1)) in labels and ((("body",), 2)) in labels
    assert (("about", "text"), None) in labels


def test_a_dropped_paragraph_is_located_from_its_tuple_path(make_project: ProjectFactory) -> None:
    root: Path = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    city = load_project(root, []).cities[0]
    stored = json.loads(json.dumps([(("initiatives", 0, "text"), None), (("body",), 2)]))
    first, second = (dropped_finding(city, label) for label in stored)
    assert first.path == "initiatives[0].text" and first.line is not None
    assert "initiatives[0].text is not on the typeset pages" in first.message
    assert second.path == "body" and "paragraph 2 of body" in second.message
