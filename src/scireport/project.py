"""Load stage: find the project, read ``scireport.yaml`` and every city profile."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Finding, UserError
from .models import LANGS, CityProfile, Lang, ReportConfig
from .schema import validate_model
from .sources import ParseCache, YamlDocument, load_yaml
from .tables import Table, not_a_table_file, read_table

CONFIG_NAME = "scireport.yaml"


@dataclass
class City:
    """One profile file: its parsed document and, when valid, its model."""

    slug: str
    """The city's id: the profile's ``slug`` field or its file name."""
    path: Path
    """Absolute path of the profile file."""
    doc: YamlDocument
    """The parsed YAML with positions."""
    profile: CityProfile | None
    """The validated profile, or None when it has schema errors."""


@dataclass
class Project:
    """Everything read from a project folder."""

    root: Path
    """The folder holding ``scireport.yaml``."""
    config_doc: YamlDocument
    """``scireport.yaml`` as parsed."""
    config: ReportConfig | None
    """The validated settings, or None when they have errors."""
    cities: list[City] = field(default_factory=list)
    """Every profile found, in print order."""
    findings: list[Finding] = field(default_factory=list)
    """YAML and schema findings from loading."""
    tables: dict[str, Table] = field(default_factory=dict)
    """The index's data tables as read: ``data`` (this edition) and ``previous``."""
    partial: bool = False
    """Only some profiles were loaded (``validate FILE``): rules about the whole set of
    cities (a table row with no profile, a group naming an unloaded city) do not apply."""

    def display(self, path: Path) -> str:
        """Return ``path`` relative to the project root when inside it."""
        return display_path(path, self.root)


def display_path(path: Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` when inside it, else as given.

    ``root`` is taken as already resolved (``find_root`` returns it so).
    """
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def real_path(path: Path, real_folder: Path) -> Path:
    """``path.resolve()``, without walking every folder of the path again when ``path`` is
    a plain file (not a symlink) in the folder whose resolved path is ``real_folder``."""
    in_folder = path.parent == real_folder or path.parent.resolve() == real_folder
    return real_folder / path.name if in_folder and not path.is_symlink() else path.resolve()


def slugify(name: str) -> str:
    """Return an ASCII, lowercase, hyphenated slug for an English city name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def find_root(project: Path | None) -> Path:
    """Return the project folder: ``project`` if given, else the current folder."""
    root = (project or Path.cwd()).resolve()
    if not (root / CONFIG_NAME).is_file():
        where = f"in {root}" if project else "in the current folder"
        raise UserError(
            f"no {CONFIG_NAME} {where}: run scireport from the project folder"
            " or pass --project DIR",
            exit_code=2,
        )
    return root


def profile_files(root: Path, folder: str, paths: list[Path] | None) -> list[Path]:
    """List the profile files to read: ``paths`` (files or folders) or the profiles folder."""
    targets = paths or [root / folder]
    files: list[Path] = []
    for target in targets:
        target = target if target.is_absolute() else Path.cwd() / target
        if target.is_dir():
            files.extend(sorted(p for p in target.iterdir() if p.suffix in {".yaml", ".yml"}))
        elif target.is_file():
            files.append(target)
        else:
            raise UserError(
                f"{display_path(target, root)}: no such file or folder"
                + (f"; create {folder}/ with scireport new-city" if not paths else ""),
                exit_code=2,
            )
    return files


def load_config(root: Path) -> tuple[ReportConfig | None, YamlDocument, list[Finding]]:
    """Read ``scireport.yaml`` of the project at ``root`` (no profiles): the settings (None
    when they are not valid), their document, and every YAML and schema finding."""
    config_doc = load_yaml(root / CONFIG_NAME, CONFIG_NAME, inside=root)
    findings = list(config_doc.findings)
    config = None
    if config_doc.data is not None:
        config, schema_findings = validate_model(ReportConfig, config_doc)
        findings += schema_findings
    return config, config_doc, findings


def load_project(project: Path | None = None, paths: list[Path] | None = None) -> Project:
    """Read the project's settings and profiles, collecting every YAML and schema finding."""
    root = find_root(project)
    config, config_doc, findings = load_config(root)
    folder = config.profiles if config else "profiles"
    if not paths and not (root / folder).resolve().is_relative_to(root):
        findings.append(
            config_doc.finding(
                ("profiles",),
                "file-outside-project",
                f"profiles: {folder!r} lies outside the project folder; scireport reads only"
                " files inside the project: name a folder inside it",
            )
        )
        return Project(root, config_doc, config, [], findings)
    cities = []
    cache = ParseCache.for_project(root)
    real_folder = (root / folder).resolve()
    prefix = str(root).rstrip(os.sep) + os.sep  # what display_path takes away, as a string
    for path in profile_files(root, folder, paths):
        real = real_path(path, real_folder)
        shown = real_str[len(prefix) :] if (real_str := str(real)).startswith(prefix) else str(path)
        doc = load_yaml(path, shown, inside=None if paths else root, real=real, cache=cache)
        findings += doc.findings
        profile = None
        if doc.data is not None:
            profile, schema_findings = validate_model(CityProfile, doc)
            findings += schema_findings
        slug = (profile.slug if profile and profile.slug else None) or path.stem
        cities.append(City(slug=slug, path=path, doc=doc, profile=profile))
    cache.save(prune=not paths)
    order = config.order if config else []
    cities.sort(key=lambda c: print_key(c, order))
    tables = load_tables(root, config_doc, config)
    findings += [f for table in tables.values() for f in table.findings]
    return Project(root, config_doc, config, cities, findings, tables, partial=bool(paths))


def load_tables(
    root: Path, config_doc: YamlDocument, config: ReportConfig | None
) -> dict[str, Table]:
    """Read the data tables ``index:`` names: ``data`` and, if given, ``previous``.

    A path outside the project is not read: its table is empty, with a finding located at
    the path in ``scireport.yaml``.
    """
    index = config.index if config else None
    if index is None:
        return {}
    wanted: dict[str, tuple[tuple[str, ...], str, str | None]] = {}
    if index.data:
        wanted["data"] = (("index",), index.data, index.sheet)
    if index.previous:
        wanted["previous"] = (("index", "previous"), index.previous.data, index.previous.sheet)
    tables = {}
    for name, (section, relative, sheet) in wanted.items():
        path = (root / relative).resolve()
        problem = None
        if not path.is_relative_to(root):
            problem = (
                f"{relative} is outside the project folder: keep data tables in the"
                " project (e.g. data/scores.csv)"
            )
        else:
            problem = _not_a_table(path, relative, root)
        if problem:
            table = Table(file=relative)
            table.findings.append(config_doc.finding((*section, "data"), "data-path", problem))
        else:

            def at_setting(
                setting: str, rule: str, message: str, key: tuple[str, ...] = section
            ) -> Finding:
                return config_doc.finding((*key, setting), rule, message)

            table = read_table(path, display_path(path, root), sheet, at_setting)
        tables[name] = table
    return tables


def _not_a_table(path: Path, relative: str, root: Path) -> str | None:
    """Why the table path ``relative`` (resolved: ``path``) names no table file, and what
    to do; None when it names a regular file. Never opens it (a FIFO would block)."""
    what = not_a_table_file(path)
    if what is None:
        return None
    if what == "no such file":
        return f"{relative}: no such file; create it or correct the path"
    if what == "a folder":
        try:
            entries = list(path.iterdir())
        except OSError:
            entries = []
        tables = sorted(
            entry.name
            for entry in entries
            if entry.suffix.lower() in {".csv", ".xlsx"} and not_a_table_file(entry) is None
        )
        folder = display_path(path, root)
        named = ", ".join(f"{folder}/{table}" for table in tables[:3])
        more = ", ..." if len(tables) > 3 else ""
        hint = f" ({named}{more})" if tables else " (a .csv or .xlsx file)"
        return f"{relative} is a folder, not a table: name the table file in it{hint}"
    return (
        f"{relative} is {what}, not a file: scireport reads a table only from a regular"
        " file; save the table as a .csv or .xlsx file and name that file here"
    )


def print_key(city: City, order: list[str]) -> tuple[int, str]:
    """Sort key for print order: listed slugs first, in order, then by English name."""
    if city.slug in order:
        return (order.index(city.slug), "")
    name = city.profile.city if city.profile else city.slug
    return (len(order), slugify(name))


def languages_to_build(config: ReportConfig | None, asked: list[str]) -> list[Lang]:
    """The languages a build prints: ``asked`` (``all``: every declared one), else the main.

    A report that declares ``languages`` builds only those; one that does not may build
    either language (its main one is ``lang``).
    """
    if config is None:
        return []
    declared = config.langs
    if not asked:
        return [config.main_lang]
    if "all" in asked:
        return declared
    chosen: list[Lang] = []
    for lang in dict.fromkeys(asked):
        if lang not in LANGS:
            raise UserError(f"unknown language {lang!r}: use ko, en or all", exit_code=2)
        if config.languages and lang not in config.languages:
            raise UserError(
                f"{lang} is not one of the report's languages ({', '.join(declared)}):"
                " add it to languages: in scireport.yaml",
                exit_code=2,
            )
        chosen.append("ko" if lang == "ko" else "en")
    return chosen
