"""CLI through Typer's runner: every command, its exit codes and its error messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import REPO, SEOUL_EXAMPLE

from scireport.cli import app


def test_every_command_is_in_the_readme_with_help() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert f"scireport {name}" in readme, name
        assert command.help, name


def test_issue_example_validates_as_written(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    result = cli("validate", "--project", root, "--no-layout")
    assert result.exit_code == 0, result.output
    assert "no problems found" in result.output


def test_validate_reports_file_line_col_path_and_rule(make_project, cli) -> None:
    bad = SEOUL_EXAMPLE.replace("population: 10190000", "popluation: -5")
    root = make_project({"profiles/seoul.yaml": bad})
    result = cli("validate", "--project", root, "--no-layout")
    assert result.exit_code == 1
    assert (
        "profiles/seoul.yaml:8:3 about.popluation: unknown field 'popluation'; "
        "did you mean 'population'? [schema-unknown-field]" in result.output
    )
    as_json = json.loads(cli("validate", "-p", root, "--no-layout", "--format", "json").output)
    assert as_json[0] == {
        "file": "profiles/seoul.yaml",
        "line": 8,
        "column": 3,
        "path": "about.popluation",
        "rule": "schema-unknown-field",
        "severity": "error",
        "message": "unknown field 'popluation'; did you mean 'population'?",
    }


def test_validate_range_and_required(make_project, cli) -> None:
    bad = SEOUL_EXAMPLE.replace("area_km2: 605", "area_km2: -605").replace("city: Seoul\n", "")
    root = make_project({"profiles/seoul.yaml": bad})
    found = json.loads(cli("validate", "-p", root, "--no-layout", "-f", "json").output)
    by_rule = {f["rule"]: f for f in found}
    assert (
        by_rule["schema-range"]["line"] == 6 and by_rule["schema-range"]["path"] == "about.area_km2"
    )
    assert by_rule["schema-required"]["path"] == "city"


def test_malformed_yaml_is_located_without_traceback(make_project, cli) -> None:
    root = make_project({"profiles/x.yaml": "city: [Seoul\n"})
    result = cli("validate", "-p", root, "--no-layout")
    assert result.exit_code == 1
    assert "profiles/x.yaml:2:1" in result.output and "yaml-syntax" in result.output
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(tmp_path: Path, cli) -> None:
    result = cli("validate", "--project", tmp_path)
    assert result.exit_code == 2
    assert "no scireport.yaml" in result.output
    assert cli("validate", "--format", "xml", "-p", tmp_path).exit_code == 2


def test_new_city_writes_a_skeleton_that_validates_with_warnings(make_project, cli) -> None:
    root = make_project()
    result = cli("new-city", "Los Angeles", "--country", "The United States of America", "-p", root)
    assert result.exit_code == 0, result.output
    path = root / "profiles" / "los-angeles.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/profile.schema.json\n")
    assert "# English name of the city" in text
    found = json.loads(cli("validate", "-p", root, "--no-layout", "-f", "json").output)
    assert found and {f["severity"] for f in found} == {"warning"}
    assert "placeholder" in {f["rule"] for f in found}
    # every field of the schema is present
    from scireport.models import CityProfile

    for name in CityProfile.model_fields:
        assert re.search(rf"^{name}:", text, re.MULTILINE), name


def test_new_city_refuses_to_overwrite_and_escape(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    result = cli("new-city", "Seoul", "--country", "Korea", "-p", root)
    assert result.exit_code == 1
    assert "profiles/seoul.yaml already exists" in result.output
    assert (root / "profiles" / "seoul.yaml").read_text(encoding="utf-8") == SEOUL_EXAMPLE
    assert cli("new-city", "Seoul", "--country", "Korea", "-p", root, "--force").exit_code == 0
    escape = cli("new-city", "X", "--country", "Y", "--slug", "../../etc/x", "-p", root)
    assert escape.exit_code == 2 and not (root.parent / "etc").exists()


def test_build_refuses_placeholders(make_project, cli) -> None:
    root = make_project()
    cli("new-city", "Busan", "--country", "Korea", "-p", root)
    result = cli("build", "-p", root)
    assert result.exit_code == 1
    assert "still a placeholder" in result.output and "nothing was built" in result.output
    assert not (root / "build" / "print" / "report.pdf").exists()


def test_unknown_layout_and_city(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE}, layout="fancy")
    result = cli("build", "-p", root)
    assert result.exit_code == 1 and "unknown layout 'fancy'" in result.output
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE}, layout="default")
    result = cli("build", "-p", root, "--city", "paris")
    assert result.exit_code == 2 and "no profile for city paris" in result.output


def test_schema_command_matches_shipped_schema(tmp_path: Path, cli) -> None:
    result = cli("schema", "-p", REPO, "--out", tmp_path)
    assert result.exit_code == 0
    for name in ("profile", "config"):
        shipped = (REPO / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert (tmp_path / f"{name}.schema.json").read_text(encoding="utf-8") == shipped


def test_long_source_lines_are_cut_and_the_caret_counts_wide_characters() -> None:
    from scireport.reporting import excerpt

    line = "  text: " + "서울은 한강을 사이에 두고 " * 20
    shown, caret = excerpt(line, line.index("두고"))
    assert shown.startswith("…") and shown.endswith("…")
    assert len(shown) < 60
    before = shown[1 : shown.index("두고")]
    assert caret == 1 + sum(2 if "가" <= c <= "힣" else 1 for c in before)
    assert excerpt("city: Seoul", 6) == ("city: Seoul", 6)


def test_help_new_city_and_validate_without_layout_never_import_weasyprint(tmp_path: Path) -> None:
    """What an editor runs every minute starts fast: no WeasyPrint, fontTools, pydyf or web
    server (``preview --help`` included)."""
    import shutil
    import subprocess
    import sys

    project = tmp_path / "p"
    shutil.copytree(REPO / "layouts", project / "layouts")
    shutil.copy(REPO / "scireport.yaml", project / "scireport.yaml")
    shutil.copytree(REPO / "profiles", project / "profiles")
    shutil.copytree(REPO / "data", project / "data")
    shutil.copytree(REPO / "texts", project / "texts")
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom scireport.cli import app\n"
        f"p = {str(project)!r}\n"
        "for args in (['--help'], ['build', '--help'], ['preview', '--help'],"
        " ['validate', '--no-layout', '-p', p],"
        " ['new-city', 'Lyon', '--country', 'France', '--project', p]):\n"
        "    r = CliRunner().invoke(app, args)\n"
        "    assert r.exit_code == 0, (args, r.output)\n"
        "    assert args[0] != 'preview' or ('--port' in r.output and '--open' in r.output)\n"
        "names = ('weasyprint', 'pydyf', 'fontTools', 'uvicorn', 'starlette')\n"
        "print(sorted(m for m in names if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert (project / "profiles/lyon.yaml").exists()


def test_a_bug_is_one_line_and_a_report_file_not_a_traceback(
    make_project, cli, monkeypatch, tmp_path: Path
) -> None:
    import scireport.validate

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug planted by the test")

    monkeypatch.setattr(scireport.validate, "check_project", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.delenv("SCIREPORT_DEBUG", raising=False)
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    result = cli("validate", "--project", root, "--no-layout")
    assert result.exit_code == 70
    assert "Traceback" not in result.output
    assert "internal error: ZeroDivisionError: a bug planted by the test" in result.output
    (report,) = tmp_path.glob("scireport-crash-*.txt")
    assert str(report) in result.output.replace("\n", "")
    details = report.read_text("utf-8")
    assert "Traceback" in details and "a bug planted by the test" in details
    monkeypatch.setenv("SCIREPORT_DEBUG", "1")
    debug = cli("validate", "--project", root, "--no-layout")
    assert isinstance(debug.exception, ZeroDivisionError)
