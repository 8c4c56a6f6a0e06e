"""Layouts: find a layout folder, read its manifest, build its Jinja2 environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from .checks.schema import validate_model
from .errors import FindingsError, UserError, has_errors
from .models import Lang, LayoutManifest
from .sources import load_yaml

MANIFEST_NAME = "layout.yaml"


@dataclass
class Layout:
    """A loaded layout: its manifest, folders (own first, then parents) and templates."""

    manifest: LayoutManifest
    """The validated ``layout.yaml``."""
    dirs: list[Path]
    """Layout folders, this layout's first, then each parent it extends."""
    env: jinja2.Environment
    """Jinja2 environment: autoescape on, undefined variables are errors."""

    @property
    def root(self) -> Path:
        """This layout's own folder."""
        return self.dirs[0]

    def resolve(self, relative: str) -> Path | None:
        """Find a file by layout-relative path, searching this layout then its parents."""
        for folder in self.dirs:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        return None

    def labels(self, lang: Lang) -> dict[str, str]:
        """The fixed words the templates print (ABOUT, contents...), in ``lang``."""
        return dict(self.manifest.labels.get(lang) or {})

    @property
    def icc_profile(self) -> Path:
        """Absolute path of the CMYK ICC profile named by the manifest."""
        given = Path(self.manifest.icc_profile)
        if given.is_absolute():
            return given
        return self.resolve(str(given)) or self.root / given


def load_layout(project_root: Path, name: str) -> Layout:
    """Load ``layouts/<name>`` (and the layouts it extends) from the project."""
    dirs: list[Path] = []
    manifests: list[LayoutManifest] = []
    current: str | None = name
    while current is not None:
        folder = project_root / "layouts" / current
        manifest_path = folder / MANIFEST_NAME
        if folder in dirs:
            raise UserError(f"layouts/{current}: layouts extend each other in a loop")
        if not manifest_path.is_file():
            available = sorted(
                p.name
                for p in (project_root / "layouts").glob("*")
                if (p / MANIFEST_NAME).is_file()
            )
            raise UserError(
                f"unknown layout {current!r}: layouts/{current}/{MANIFEST_NAME} does not exist"
                f" (available: {', '.join(available) or 'none'})"
            )
        doc = load_yaml(manifest_path, f"layouts/{current}/{MANIFEST_NAME}")
        manifest, findings = None, list(doc.findings)
        if doc.data is not None:
            manifest, schema_findings = validate_model(LayoutManifest, doc)
            findings += schema_findings
        if manifest is None or has_errors(findings):
            raise FindingsError(f"layout {current!r} has errors in its manifest", findings)
        dirs.append(folder)
        manifests.append(manifest)
        current = manifest.extends
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(d)) for d in dirs]
    parents = {
        m.name: jinja2.FileSystemLoader(str(d))
        for d, m in zip(dirs[1:], manifests[1:], strict=True)
    }
    if parents:
        loaders.append(jinja2.PrefixLoader(parents))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Layout(manifest=_merged(manifests), dirs=dirs, env=env)


def _merged(manifests: list[LayoutManifest]) -> LayoutManifest:
    """The child manifest, with whatever it does not set (and its labels, colours) inherited."""
    fields: dict[str, object] = {}
    colours: dict[str, tuple[float, float, float, float]] = {}
    labels: dict[str, dict[str, str]] = {}
    for manifest in reversed(manifests):
        fields.update({name: getattr(manifest, name) for name in manifest.model_fields_set})
        colours.update(manifest.colours)
        for lang, table in manifest.labels.items():
            labels.setdefault(lang, {}).update(table)
    fields.update(colours=colours, labels=labels, name=manifests[0].name)
    return LayoutManifest.model_validate(fields)
