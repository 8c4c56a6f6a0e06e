"""Translations: every printed text must exist in the language being built.

A profile's plain text is in the profile's ``lang``; a bilingual ``{ko: ..., en: ...}`` text
has the languages it gives. Plain text of ``scireport.yaml`` prints in every language unless
it holds Hangul (then it is Korean). Names (city, country, initiative names) and sources
are not translated and not checked.
"""

from __future__ import annotations

from ..errors import Finding
from ..models import Lang, LangText, text_language
from ..project import Project

NAMES = {"ko": "Korean", "en": "English"}
"""Languages by their names, for messages."""


def _missing(value: str | LangText | None, lang: Lang, own: Lang | None) -> bool:
    if value is None:
        return False
    printed = text_language(value, lang, own)
    return printed is not None and printed != lang


def check(project: Project, langs: list[Lang], severity: str) -> list[Finding]:
    """A ``missing-translation`` finding for every printed text missing in one of ``langs``."""
    findings: list[Finding] = []
    hint = (
        "add it as {%s: ...} beside the text it has, or build with --allow-fallback to print"
        " the other language"
    )
    for lang in langs:
        config = project.config
        if config is not None:
            for path, value in config.printed_fields():
                if _missing(value, lang, None):
                    findings.append(
                        project.config_doc.finding(
                            path,
                            "missing-translation",
                            f"no {NAMES[lang]} text for the {lang} edition: " + hint % lang,
                            severity=severity,
                        )
                    )
        for city in project.cities:
            if city.profile is None:
                continue
            for field_path, text in city.profile.translated_fields():
                if _missing(text, lang, city.profile.lang):
                    findings.append(
                        city.doc.finding(
                            field_path,
                            "missing-translation",
                            f"no {NAMES[lang]} text for the {lang} edition: " + hint % lang,
                            severity=severity,
                        )
                    )
    return findings
