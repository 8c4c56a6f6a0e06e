"""Sections: the layout's report-wide sections must find their templates and texts."""

from __future__ import annotations

from pathlib import Path

from ..errors import Finding
from ..models import LANGS, LangText, LayoutManifest
from ..project import Project
from ..sources import MAX_TEXT_BYTES, FileTooLarge, UnsafeFile, YamlDocument, read_limited
from .sanity import markdown_image_message, markdown_images


def check(project: Project, manifest: LayoutManifest) -> list[Finding]:
    """Every editorial text ``texts:`` names is a file in the project, and holds no
    Markdown image syntax (which would print literally).

    (A section whose text ``texts:`` does not name is left out of the book.)
    """
    config = project.config
    if config is None:
        return []
    findings = []
    for name, given in config.texts.items():
        paths = (
            [((name, lang), getattr(given, lang)) for lang in LANGS if getattr(given, lang)]
            if isinstance(given, LangText)
            else [((name,), given)]
        )
        for path, relative in paths:
            target = (project.root / relative).resolve()
            if not target.is_relative_to(project.root) or not target.is_file():
                findings.append(
                    project.config_doc.finding(
                        ("texts", *path),
                        "text-missing",
                        f"{relative}: no such file in the project; write it or correct the path",
                    )
                )
                continue
            try:
                text = read_limited(target, MAX_TEXT_BYTES, project.root).decode("utf-8")
            except FileTooLarge:
                findings.append(
                    project.config_doc.finding(
                        ("texts", *path),
                        "text-too-large",
                        f"{relative}: over {MAX_TEXT_BYTES:,} bytes, far more than a section"
                        " prints; shorten it, or split it into several sections' texts",
                    )
                )
                continue
            except (OSError, UnicodeDecodeError, UnsafeFile):
                continue  # reported, with the reason, when the section is typeset
            findings += _text_images(project, target, text)
    return findings


def _text_images(project: Project, target: Path, text: str) -> list[Finding]:
    """``markdown-image`` findings for an editorial Markdown file, at their line and column."""
    located = YamlDocument(project.display(target), text)
    return [
        Finding(
            located.file,
            *located.position_of(index),
            "",
            "markdown-image",
            "warning",
            markdown_image_message(alt, path, in_profile=False),
        )
        for index, _, alt, path in markdown_images(text)
    ]
