"""Command line: parse, call one library function, print with Rich, set the exit code.

Errors are handled at one boundary (:class:`ErrorBoundary`): a UserError prints one red
message and exits with its code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup
from typer.exceptions import TyperException

from . import __version__
from .errors import FindingsError, UserError, has_errors
from .models import Lang

out = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)
"""Nothing a user wrote is read as Rich markup or emoji codes: it goes through ``_safe``."""


def _safe(text: object) -> str:
    """User text (a message, a path) for a markup string: brackets and controls literal."""
    from .reporting import markup_free

    return markup_free(str(text), keep_newlines=True)


class ErrorBoundary(TyperGroup):
    """The one place user errors become messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; turn UserErrors into a message and an exit code."""
        try:
            return super().invoke(ctx)
        except FindingsError as exc:
            from .reporting import print_human

            print_human(err, exc.findings, exc.root)
            err.print(f"[red]error:[/] {_safe(exc.message)}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except UserError as exc:
            err.print(f"[red]error:[/] {_safe(exc.message)}", soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # a full disk, a vanished folder: the machine, not a bug
            where = f"{exc.filename}: " if exc.filename else ""
            err.print(
                f"[red]error:[/] {_safe(where)}{_safe(exc.strerror or exc)};"
                " nothing half-written was kept",
                soft_wrap=True,
            )
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("[red]interrupted[/]: nothing half-written was kept")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, TyperException):
            raise  # Typer's own exits and usage errors
        except Exception as exc:  # a bug in scireport: one line here, the details in a file
            import os

            if os.environ.get("SCIREPORT_DEBUG"):
                raise
            report = _crash_report(exc)
            err.print(
                f"[red]internal error:[/] {_safe(type(exc).__name__)}: {_safe(exc)}. This is a"
                f" bug in scireport, not a problem of your project; the details are in"
                f" {_safe(report)}: please send that file to the maintainers"
                " (SCIREPORT_DEBUG=1 prints them here). Nothing half-written was kept.",
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_INTERNAL) from None


EXIT_INTERNAL = 70
"""Exit code of an internal error (a bug), ``EX_SOFTWARE`` of sysexits.h."""


def _crash_report(exc: Exception) -> str:
    """Write ``exc``'s traceback, the version and the command line to a new file in the
    system's temporary folder; return its path."""
    import sys
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile(
        "w", prefix="scireport-crash-", suffix=".txt", delete=False, encoding="utf-8"
    ) as report:
        report.write(f"scireport {__version__}, Python {sys.version.split()[0]}\n")
        report.write(f"command: {sys.argv!r}\n\n")
        report.write("".join(traceback.format_exception(exc)))
    return report.name


app = typer.Typer(
    cls=ErrorBoundary,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    help="Turn city profiles into a print-ready city index report.",
)

ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-p",
        help="Project folder (holding scireport.yaml).",
        show_default="current folder",
    ),
]


OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
"""The output folder of build, clean and preview (relative to the project)."""


class Format(StrEnum):
    """Output formats for findings."""

    human = "human"
    json = "json"
    github = "github"


class PdfX(StrEnum):
    """PDF/X standards for the print edition."""

    x4 = "4"
    x1a = "1a"


class PdfEdition(StrEnum):
    """What a PDF is checked for."""

    print = "print"
    screen = "screen"


class EditionChoice(StrEnum):
    """Editions ``build`` can write."""

    print = "print"
    screen = "screen"
    both = "both"


def _version(value: bool) -> None:
    if value:
        out.print(f"scireport {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Turn city profiles into a print-ready city index report."""


@app.command("new-city")
def new_city_command(
    name: Annotated[str, typer.Argument(help="English name of the city, e.g. 'Los Angeles'.")],
    country: Annotated[str, typer.Option("--country", help="English name of the country.")],
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the profile's text: ko or en.")
    ] = "ko",
    slug: Annotated[
        str | None, typer.Option("--slug", help="File name id (default: from NAME).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing profile.")] = False,
    project: ProjectOption = None,
) -> None:
    """Scaffold profiles/<slug>.yaml with every field and a comment on each."""
    from .scaffold import new_city

    path = new_city(project, name, country, lang=_lang(lang), slug=slug, force=force)
    out.print(f"wrote {_safe(path)}: fill in the fields marked TODO, then run scireport validate")


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Profiles or folders (default: all).")
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="human, json or github.")
    ] = Format.human,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    no_layout: Annotated[
        bool, typer.Option("--no-layout", help="Skip the page-fit check (faster).")
    ] = False,
    lang: Annotated[
        list[str] | None,
        typer.Option("--lang", help="Check translations for ko, en or all (default: main)."),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Check scireport.yaml and the profiles; report every problem with file:line:col."""
    from .project import find_root
    from .validate import validate as run_validate

    root = find_root(project)
    findings = run_validate(
        root, paths or None, layout=not no_layout, strict_mode=strict, langs=lang
    )
    _report_findings(findings, fmt, root)


@app.command()
def build(
    out_dir: OutOption = Path("build"),
    cities: Annotated[
        list[str] | None, typer.Option("--city", help="Build only this city (repeatable).")
    ] = None,
    edition: Annotated[
        EditionChoice, typer.Option("--edition", help="print, screen or both.")
    ] = EditionChoice.print,
    lang: Annotated[
        list[str] | None,
        typer.Option("--lang", help="Language: ko, en or all (default: the main one)."),
    ] = None,
    allow_fallback: Annotated[
        bool,
        typer.Option("--allow-fallback", help="Print missing translations in the other language."),
    ] = False,
    allow_overflow: Annotated[
        bool, typer.Option("--allow-overflow", help="Let a city run past its page budget.")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).", min=0)
    ] = 0,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Typeset everything again.")] = False,
    watch: Annotated[bool, typer.Option("--watch", help="Rebuild on every saved change.")] = False,
    marks: Annotated[
        bool, typer.Option("--marks", help="Crop marks on the print edition.")
    ] = False,
    pdf_x: Annotated[
        PdfX, typer.Option("--pdf-x", help="PDF/X standard for print: 4 or 1a.")
    ] = PdfX.x4,
    pdf_a: Annotated[
        bool, typer.Option("--pdf-a", help="Screen edition as PDF/A-2a (archival, tagged).")
    ] = False,
    standalone: Annotated[
        bool,
        typer.Option("--standalone", help="Also each city alone: a cover, pages from 1."),
    ] = False,
    project: ProjectOption = None,
) -> None:
    """Validate, then write the book and each city's PDF for the press and/or the screen."""
    from .build import BuildOptions
    from .build import build as run_build
    from .build import watch as run_watch

    editions: list[Any] = ["print", "screen"] if edition is EditionChoice.both else [edition.value]
    options = BuildOptions(
        out=out_dir,
        cities=cities or [],
        editions=editions,
        langs=lang or [],
        allow_fallback=allow_fallback,
        allow_overflow=allow_overflow,
        strict=strict,
        jobs=jobs,
        cache=not no_cache,
        marks=marks,
        pdf_x=pdf_x.value,
        pdf_a=pdf_a,
        standalone=standalone,
    )
    if watch:
        err.print("watching for changes; press Ctrl-C to stop")
        run_watch(project, options, _print_result)
        return
    hook, stop = _progress_hook()
    try:
        result = run_build(project, options, progress=hook)
    finally:
        stop()
    _print_result(result)


def _print_result(result: Any) -> None:
    """Print what a build wrote (or, under --watch, the error that stopped it)."""
    from .errors import FindingsError

    if isinstance(result, UserError):
        if isinstance(result, FindingsError):
            from .reporting import print_human

            print_human(err, result.findings, result.root)
        err.print(f"[red]error:[/] {_safe(result.message)}", soft_wrap=True)
        return
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {_safe(warning)}", soft_wrap=True)
    for output in result.outputs:
        done = "wrote" if output.written else "unchanged"
        out.print(f"{done} {_safe(output.path)} ({output.pages} pages)", soft_wrap=True)
    if result.left_out:
        out.print(
            f"left out of the book (draft: true): {', '.join(result.left_out)}",
            markup=False,
            emoji=False,
        )
    if result.removed:
        out.print(f"removed {result.removed} PDFs of cities no longer in the project")
    pages = sum(o.pages for o in result.outputs if o.kind == "book")
    out.print(
        f"built {len(result.outputs)} PDFs ({pages} book pages) in {result.seconds:.2f} s:"
        f" {result.typeset} typeset, {result.from_cache} from cache"
        + (
            f", {result.recovered} typeset again after a crash or corrupt cache"
            if result.recovered
            else ""
        ),
        soft_wrap=True,
    )


@app.command()
def clean(
    out_dir: OutOption = Path("build"),
    outputs: Annotated[
        bool,
        typer.Option("--outputs", help="Also remove the PDFs and index files builds wrote."),
    ] = False,
    project: ProjectOption = None,
) -> None:
    """Remove the build caches (and with --outputs what builds wrote); the next build is cold."""
    from .clean import clean_output
    from .project import display_path, find_root

    root = find_root(project)
    folder = root / out_dir  # an absolute --out stays as it is
    result = clean_output(folder, outputs=outputs)
    for path in result.kept:
        out.print(f"kept {_safe(display_path(path, root))}: changed since it was built")
    what = "caches and outputs" if outputs else "caches (the PDFs stay)"
    out.print(
        f"removed {result.files} files, {result.bytes / 1e6:.1f} MB: {what}"
        + (f"; {len(result.outputs)} outputs" if outputs else ""),
        soft_wrap=True,
    )


@app.command()
def preview(
    port: Annotated[int, typer.Option("--port", help="Port (0: any free one).", min=0)] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    cities: Annotated[
        list[str] | None, typer.Option("--city", help="Show only this city (repeatable).")
    ] = None,
    edition: Annotated[
        PdfEdition, typer.Option("--edition", help="print or screen.")
    ] = PdfEdition.print,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the edition: ko or en.")
    ] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="Open it in a browser.")] = False,
    out_dir: OutOption = Path("build/.preview"),
    project: ProjectOption = None,
) -> None:
    """Show the book in a browser, rebuilt and updated on every saved change."""
    from .preview.server import serve

    say = partial(err.print, markup=False, highlight=False, soft_wrap=True)
    serve(
        project,
        out=out_dir,
        cities=cities or [],
        edition=edition.value,
        langs=[_lang(lang)] if lang else [],
        host=host,
        port=port,
        open_browser=open_browser,
        say=say,
    )


@app.command("preflight")
def preflight_command(
    files: Annotated[list[Path], typer.Argument(help="PDF files to inspect.")],
    edition: Annotated[
        PdfEdition, typer.Option("--edition", help="print or screen.")
    ] = PdfEdition.print,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="human, json or github.")
    ] = Format.human,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    project: ProjectOption = None,
) -> None:
    """Inspect any PDF as a press or a screen reader would: boxes, fonts, colour, images, tags."""
    from .preflight import preflight_files

    findings = preflight_files(files, edition.value, project, strict=strict)
    _report_findings(findings, fmt, None)


@app.command()
def schema(
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the schema files.")
    ] = Path("schema"),
    project: ProjectOption = None,
) -> None:
    """Write the JSON Schemas of profiles and scireport.yaml (for editors)."""
    from .project import find_root
    from .scaffold import write_schemas

    folder = out_dir if out_dir.is_absolute() else find_root(project) / out_dir
    for path in write_schemas(folder):
        out.print(f"wrote {_safe(path)}", soft_wrap=True)


def _report_findings(findings: list[Any], fmt: Format, root: Path | None) -> None:
    """Print findings in ``fmt`` and exit: 1 when any is an error, else 0."""
    from .reporting import as_github, as_json, print_human, summary

    if fmt is Format.json:
        out.print(as_json(findings), soft_wrap=True, markup=False, emoji=False)
    elif fmt is Format.github:
        if findings:
            out.print(as_github(findings), soft_wrap=True, markup=False, emoji=False)
    else:
        print_human(out, findings, root)
        out.print(summary(findings))
    raise typer.Exit(1 if has_errors(findings) else 0)


def _lang(value: str) -> Lang:
    if value not in ("ko", "en"):
        raise UserError(f"unknown language {value!r}: use ko or en", exit_code=2)
    return "ko" if value == "ko" else "en"


def _progress_hook() -> tuple[Any, Any]:
    """A Rich progress bar on a terminal (and its stop function); nothing when redirected."""
    if not err.is_terminal:
        return None, lambda: None
    from rich.progress import Progress

    progress = Progress(console=err, transient=True)
    task = progress.add_task("building", total=None)
    progress.start()

    def hook(message: str, done: int, total: int) -> None:
        progress.update(task, description=_safe(message), completed=done, total=total)

    return hook, progress.stop
