"""new-city: write a profile skeleton generated from the CityProfile model.

Every field appears with its docstring as a comment, so the skeleton, the JSON Schema
and the model cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from .errors import UserError
from .files import write_text
from .models import PLACEHOLDER, SLUG_RE, CityProfile, Lang
from .project import find_root, slugify

SCHEMA_REF = "../schema/profile.schema.json"


def _placeholder(name: str) -> str:
    return f"{PLACEHOLDER}: {name.replace('_', ' ')}"


def _examples(city: str, country: str, lang: Lang, slug: str) -> dict[str, Any]:
    """Values for fields whose skeleton value is not simply a placeholder or empty."""
    return {
        "city": city,
        "country": country,
        "slug": slug,
        "lang": lang,
        "headline": f"{_placeholder('headline, first line')}\n{_placeholder('second line')}\n",
        "body": f"{_placeholder('first paragraph')}\n\n{_placeholder('second paragraph')}\n",
        "initiatives": [
            {"name": _placeholder("programme name"), "text": _placeholder("what it does")}
        ],
        "sources": [_placeholder("name the public source of each figure")],
        "images": [],
        "aliases": [],
    }


def _scalar(value: Any) -> str:
    if isinstance(value, str) and "\n" in value:
        return "|\n" + "".join(f"  {line}\n" for line in value.splitlines()).rstrip("\n")
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000)
    return dumped.strip().removesuffix("...").strip()


def _lines(model: type[BaseModel], examples: dict[str, Any], indent: str) -> list[str]:
    lines: list[str] = []
    for name, info in model.model_fields.items():
        description = " ".join((info.description or "").split())
        lines.append(f"{indent}# {description}")
        nested = info.annotation if isinstance(info.annotation, type) else None
        if name in examples:
            value = examples[name]
            if isinstance(value, list) and value and isinstance(value[0], dict):
                lines.append(f"{indent}{name}:")
                for item in value:
                    first = True
                    for key, item_value in item.items():
                        prefix = "- " if first else "  "
                        lines.append(f"{indent}  {prefix}{key}: {_scalar(item_value)}")
                        first = False
            else:
                rendered = _scalar(value)
                if rendered.startswith("|"):
                    rendered = rendered.replace("\n", "\n" + indent)
                lines.append(f"{indent}{name}: {rendered}")
        elif nested is not None and issubclass(nested, BaseModel):
            lines.append(f"{indent}{name}:")
            lines += _lines(nested, {"text": _placeholder(f"{name} text")}, indent + "  ")
        elif info.is_required():
            lines.append(f"{indent}{name}: {_scalar(_placeholder(name))}")
        else:
            lines.append(f"{indent}{name}: {_scalar(info.default)}")
    return lines


def skeleton(city: str, country: str, lang: Lang, slug: str) -> str:
    """Return the YAML text of a new profile with every field and a comment on each."""
    lines = [f"# yaml-language-server: $schema={SCHEMA_REF}"]
    lines += _lines(CityProfile, _examples(city, country, lang, slug), "")
    return "\n".join(lines) + "\n"


def new_city(
    project_dir: Path | None,
    city: str,
    country: str,
    *,
    lang: Lang = "ko",
    slug: str | None = None,
    force: bool = False,
) -> Path:
    """Write ``profiles/<slug>.yaml`` for a new city; return its path."""
    root = find_root(project_dir)
    slug = slug if slug is not None else slugify(city)
    if not slug or not SLUG_RE.match(slug):
        raise UserError(
            f"slug {slug!r} is not usable as a file name: use lowercase ASCII letters, digits"
            " and hyphens (pass --slug)",
            exit_code=2,
        )
    folder = root / _profiles_folder(root)
    target = (folder / f"{slug}.yaml").resolve()
    if not target.is_relative_to(folder.resolve()):
        raise UserError(f"{slug!r} would be written outside {folder.name}/", exit_code=2)
    if target.exists() and not force:
        raise UserError(
            f"{folder.name}/{slug}.yaml already exists; edit it, choose another --slug,"
            " or pass --force to overwrite it"
        )
    folder.mkdir(parents=True, exist_ok=True)
    write_text(target, skeleton(city, country, lang, slug))
    return target


def _profiles_folder(root: Path) -> str:
    from .project import CONFIG_NAME
    from .sources import load_yaml

    data = load_yaml(root / CONFIG_NAME).data
    folder = data.get("profiles") if isinstance(data, dict) else None
    return folder if isinstance(folder, str) and folder else "profiles"


def write_schemas(folder: Path) -> list[Path]:
    """Write the JSON Schemas of the profile and of scireport.yaml into ``folder``."""
    from .models import ReportConfig, json_schema

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in (("profile", CityProfile), ("config", ReportConfig)):
        path = folder / f"{name}.schema.json"
        text = json.dumps(json_schema(model), indent=2, ensure_ascii=False) + "\n"
        write_text(path, text)
        written.append(path)
    return written
