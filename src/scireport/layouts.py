"""Layouts: find a layout folder, read its manifest, build its Jinja2 environment.

Jinja2 is imported when a template is first wanted, not when a layout is loaded:
``validate --no-layout`` reads the manifest only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FindingsError, UserError, has_errors
from .models import Lang, LayoutManifest
from .schema import validate_model
from .sources import load_yaml

if TYPE_CHECKING:
    import jinja2

MANIFEST_NAME = "layout.yaml"


@dataclass
class Layout:
    """A loaded layout: its manifest, folders (own first, then parents) and templates."""

    manifest: LayoutManifest
    """The validated ``layout.yaml``."""
    dirs: list[Path]
    """Layout folders, this layout's first, then each parent it extends."""
    parents: dict[str, Path] = field(default_factory=dict)
    """Each parent layout's folder by its name (templates name them ``default/city.html``)."""

    @functools.cached_property
    def env(self) -> jinja2.Environment:
        """Sandboxed Jinja2 environment: autoescape on, undefined variables are errors.

        One per set of folders in a process: a process that builds again and again
        (``--watch``, the preview) compiles each template once, not on every build (Jinja
        compiles a template again when its file changes).
        """
        key = (tuple(self.dirs), tuple(sorted(self.parents.items())))
        if key not in _ENVIRONMENTS:
            while len(_ENVIRONMENTS) >= KEPT_ENVIRONMENTS:  # the longest unused goes
                del _ENVIRONMENTS[next(iter(_ENVIRONMENTS))]
            _ENVIRONMENTS[key] = self._environment()
        _ENVIRONMENTS[key] = _ENVIRONMENTS.pop(key)  # the most recently used last
        return _ENVIRONMENTS[key]

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its Jinja2 environment (a process makes its own: see :attr:`env`),
        which cannot be pickled: a layout is handed to a warm writer (build.WriteRequest)."""
        state = dict(self.__dict__)
        state.pop("env", None)
        return state

    def _environment(self) -> jinja2.Environment:
        import jinja2

        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(d)) for d in self.dirs]
        if self.parents:
            by_name = {name: jinja2.FileSystemLoader(str(d)) for name, d in self.parents.items()}
            loaders.append(jinja2.PrefixLoader(by_name))
        return _environment_class()(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

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


MAX_RANGE = 10_000
"""Longest ``range()`` a template may make: a book has tens of cities, not millions."""


def _bounded_range(*args: int) -> range:
    """``range`` for templates, refusing more than :data:`MAX_RANGE` items."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        from jinja2.exceptions import SecurityError

        raise SecurityError(
            f"range() of {len(numbers):,} items is over the {MAX_RANGE:,}-item limit for templates"
        )
    return numbers


_ENVIRONMENTS: dict[tuple[Any, ...], jinja2.Environment] = {}
"""The Jinja2 environment of each set of layout folders (see :attr:`Layout.env`), the most
recently used last."""
KEPT_ENVIRONMENTS = 4
"""Environments a process keeps (one per layout it builds with; a test run builds
hundreds of projects in one process)."""


@functools.cache
def _environment_class() -> type[jinja2.Environment]:
    """The sandboxed environment class, made when Jinja2 is first needed."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class LayoutEnvironment(SandboxedEnvironment):
        """A sandboxed Jinja2 environment: no attribute tricks, bounded ``range``.

        Templates come from a designer, not from the code, so they are run like untrusted
        code: ``{{ ''.__class__ }}`` and friends are refused, and ``range`` is bounded.
        Runaway recursion (a macro calling itself) ends in a RecursionError, which
        ``render_template`` reports as a template error.
        """

        intercepted_binops = frozenset({"*", "**"})

        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.globals["range"] = _bounded_range

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            """Refuse ``*`` and ``**`` whose result would be huge (``'x' * 10**9``, ``9**9**9``)."""
            if operator == "**" and isinstance(right, int) and abs(right) > 1000:
                raise SecurityError(f"power with exponent {right:,} is too large for a template")
            if operator == "*":
                for seq, times in ((left, right), (right, left)):
                    sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                    if sized and len(seq) * times > MAX_RANGE * 100:
                        raise SecurityError("repeated text or list is too long for a template")
            return super().call_binop(context, operator, left, right)

    return LayoutEnvironment


def load_layout(project_root: Path, name: str) -> Layout:
    """Load ``layouts/<name>`` (and the layouts it extends) from the project."""
    dirs: list[Path] = []
    manifests: list[LayoutManifest] = []
    current: str | None = name
    layouts = (project_root / "layouts").resolve()
    while current is not None:
        folder = project_root / "layouts" / current
        manifest_path = folder / MANIFEST_NAME
        if not folder.resolve().is_relative_to(layouts) or folder.resolve() == layouts:
            raise UserError(
                f"layout {current!r} lies outside the project's layouts/ folder; name a"
                " folder of layouts/"
            )
        _refuse_links_out(folder, project_root)
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
        doc = load_yaml(manifest_path, f"layouts/{current}/{MANIFEST_NAME}", inside=project_root)
        manifest, findings = None, list(doc.findings)
        if doc.data is not None:
            manifest, schema_findings = validate_model(LayoutManifest, doc)
            findings += schema_findings
        if manifest is None or has_errors(findings):
            raise FindingsError(f"layout {current!r} has errors in its manifest", findings)
        dirs.append(folder)
        manifests.append(manifest)
        current = manifest.extends
    parents = {m.name: d for d, m in zip(dirs[1:], manifests[1:], strict=True)}
    return Layout(manifest=_merged(manifests), dirs=dirs, parents=parents)


def _refuse_links_out(folder: Path, project_root: Path) -> None:
    """Refuse a layout holding a symlink to a file outside the project."""
    if not folder.is_dir():
        return
    inside = project_root.resolve()
    for path in folder.rglob("*"):
        if path.is_symlink() and not path.resolve().is_relative_to(inside):
            shown = path.relative_to(project_root) if path.is_relative_to(project_root) else path
            raise UserError(
                f"{shown} links to a file outside the project; copy the file into the layout"
            )


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
