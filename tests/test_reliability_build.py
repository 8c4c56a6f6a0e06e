"""Hostile, broken and interrupted builds (issue 14), run as a user runs them: subprocesses."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import CONFIG, REPO, SEOUL_EXAMPLE, warm_copy, write_tree

from scireport.assemble import MAX_KEPT_TAGS, WORD_JOINER, render_markdown
from scireport.files import LOCK_NAME

SAMPLE = ("seoul", "amsterdam", "barcelona", "helsinki")


def one_city(root: Path, cities: int = 1) -> Path:
    """A project with the first ``cities`` sample profiles."""
    shutil.copytree(REPO / "layouts", root / "layouts")
    write_tree(root, {"scireport.yaml": CONFIG})
    (root / "profiles").mkdir()
    for slug in SAMPLE[:cities]:
        shutil.copy(REPO / "profiles" / f"{slug}.yaml", root / "profiles" / f"{slug}.yaml")
    return root


def scireport(*args: object, **kwargs: object) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "scireport", *map(str, args)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs
    )


def edit(profile: Path) -> None:
    """Change a profile's text a little (its pages must be typeset again)."""
    text = profile.read_text("utf-8")
    profile.write_text(text.replace("subtitle: ", "subtitle: 새 ", 1), "utf-8")


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def valid_pdf(path: Path) -> bool:
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    return done.returncode == 0


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-city project built once (under umask 022) with a leftover of a killed build."""
    root = one_city(tmp_path_factory.mktemp("built"), cities=2)
    for folder in ("build/print", "build/print/cities"):
        (root / folder).mkdir(parents=True)
        (root / folder / ".report.pdf.x8k2.part").write_bytes(b"half")
    old = os.umask(0o022)
    try:
        done = scireport("build", "-p", root, "-j", "1").communicate(timeout=120)
    finally:
        os.umask(old)
    assert "built" in done[0], done
    return root


def test_outputs_are_readable_by_others_and_leftovers_are_swept(built: Path) -> None:
    out = built / "build"
    files = [
        out / "print/report.pdf",
        *sorted((out / "print/cities").glob("*.pdf")),
        out / ".cache/print-ko/outputs.json",
        *sorted((out / ".cache/print-ko").glob("*.json")),
        *sorted((out / ".cache/print-ko/fonts").rglob("*.*")),
    ]
    assert len(files) >= 6
    assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o644 for f in files}
    assert not list(out.rglob("*.part"))


def test_three_concurrent_builds_one_writes_the_others_refuse(built: Path) -> None:
    edit(built / "profiles/seoul.yaml")
    runs = [scireport("build", "-p", built, "-j", "1") for _ in range(3)]
    results = [(run.wait(timeout=180), *run.communicate()) for run in runs]
    winners = [r for r in results if r[0] == 0]
    assert winners, results
    for code, _, stderr in results:
        if code != 0:
            assert code == 1 and "another build is writing to" in stderr, stderr
            assert stderr.strip().count("\n") == 0 and "Traceback" not in stderr
    assert valid_pdf(built / "build/print/report.pdf")
    again = scireport("build", "-p", built, "-j", "1").communicate(timeout=120)[0]
    assert "0 typeset" in again  # no mismatched entry left to re-typeset


def test_workers_die_with_the_main_process(tmp_path: Path) -> None:
    root = one_city(tmp_path, cities=4)
    run = scireport("build", "-p", root, "-j", "2", "--no-cache")
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and run.poll() is None:
        workers = {p for p in children(run.pid) if alive(p)}
        time.sleep(0.05)
    assert len(workers) >= 2, "the build never started its workers"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in workers)


@pytest.mark.parametrize("delay", [0.1, 0.5, 1.0])
def test_ctrl_c_stops_promptly_with_exit_130_and_intact_pdfs(
    built_three: Path, tmp_path: Path, delay: float
) -> None:
    """Ctrl-C ``delay`` seconds into the build (counted from when it holds its folder's
    lock: on a busy machine Python alone can take most of a second to start, and a signal
    before it runs scireport's code kills it as it would any program)."""
    root = warm_copy(built_three, tmp_path / "p")  # the session's three-city build
    edit(root / "profiles/amsterdam.yaml")
    run = scireport("build", "-p", root, "-j", "2", "--no-cache", start_new_session=True)
    lock, deadline = root / "build" / LOCK_NAME, time.monotonic() + 60
    while run.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if lock.read_text().strip() == str(run.pid):
                break
        time.sleep(0.02)
    time.sleep(delay)
    if run.poll() is not None:
        pytest.skip("the build ended before the signal")
    os.killpg(run.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    try:
        code = run.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        pytest.fail("the build did not stop within 15 s of Ctrl-C")
    stderr = run.communicate()[1]
    assert code == 130, stderr
    assert "Traceback" not in stderr
    time.sleep(0.5)
    assert not [p for p in children(run.pid) if alive(p)]
    for pdf in (root / "build/print").rglob("*.pdf"):
        assert valid_pdf(pdf), pdf
    assert not list((root / "build/print").rglob("*.part"))


def test_the_same_project_in_two_folders_gives_the_same_pdfs(tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    one, two = one_city(tmp_path / "one"), one_city(tmp_path / "elsewhere" / "two")
    for root in (one, two):
        done = scireport("build", "-p", root, "-j", "1", env=env).communicate(timeout=120)
        assert "built" in done[0], done
    for name in ("report.pdf", "cities/seoul.pdf"):
        a = (one / "build/print" / name).read_bytes()
        b = (two / "build/print" / name).read_bytes()
        assert a == b, name


def test_a_bad_source_date_epoch_stops_the_cli_with_one_line(tmp_path: Path) -> None:
    root = one_city(tmp_path)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "garbage"}
    code = scireport("build", "-p", root, env=env)
    stdout, stderr = code.communicate(timeout=60)
    assert code.returncode == 2 and "SOURCE_DATE_EPOCH='garbage' is not a time" in stderr
    assert "Traceback" not in stderr


# -- templates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{{ 1/0 }}", "division by zero"),
        ("{{ '%d' | format('x') }}", "template error"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "recursion too deep"),
        ("{% for i in range(10**8) %}{{ i }}{% endfor %}", "over the 10,000-item limit"),
        ("{{ 'x' * 10**9 }}", "too long for a template"),
        ("{{ ''.__class__.__mro__ }}", "template error"),
    ],
)
def test_template_runtime_errors_are_one_located_line(
    make_project, cli, line: str, expected: str
) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    city = root / "layouts/default/city.html"
    lines = city.read_text("utf-8").splitlines()
    lines.insert(4, line)
    city.write_text("\n".join(lines) + "\n", "utf-8")
    result = cli("build", "-p", root)
    assert result.exit_code == 1, result.output
    assert re.search(r"layouts/default/city\.html:5: template error: ", result.output), (
        result.output
    )
    assert expected in result.output and "Traceback" not in result.output


# -- hostile project paths ---------------------------------------------------------------


def test_profiles_and_layouts_outside_the_project_are_refused(make_project, cli, tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text(SEOUL_EXAMPLE, "utf-8")
    root = make_project({}, profiles=str(outside))
    result = cli("validate", "-p", root, "--no-layout")
    assert result.exit_code == 1 and "[file-outside-project]" in result.output
    root2 = tmp_path / "p2"
    one_city(root2)
    config = yaml.safe_load((root2 / "scireport.yaml").read_text())
    config["layout"] = "../../outside"
    (root2 / "scireport.yaml").write_text(yaml.safe_dump(config))
    result = cli("validate", "-p", root2)
    assert result.exit_code == 1 and "outside the project's layouts/ folder" in result.output
    (root2 / "profiles/passwd.yaml").symlink_to("/etc/passwd")
    result = cli("validate", "-p", root2, "--no-layout")
    assert "[file-outside-project]" in result.output and "root:x:0" not in result.output


# -- glued inline markup -----------------------------------------------------------------


@pytest.mark.parametrize("glued", ["**가**나" * 2000, "[a](b)" * 2370 + "word"])
def test_glued_inline_markup_never_makes_one_huge_unbreakable_run(glued: str) -> None:
    html = str(render_markdown(glued, "x"))
    # A run held together by word joiners (or with no break point at all) spans a bounded
    # number of tags: a break is allowed at least every MAX_KEPT_TAGS tags.
    runs = re.split(r"[\s\u200b]", html)
    assert max(r.count("<") for r in runs) <= 2 * MAX_KEPT_TAGS + 4
    assert WORD_JOINER in html or "가" not in glued


def test_an_unbreakable_word_wider_than_the_line_is_a_finding(make_project, cli) -> None:
    profile = yaml.safe_load(SEOUL_EXAMPLE)
    profile["subtitle"] = "짧은 말 " + "가나다라마바사아자차" * 7 + "카 끝"
    root = make_project({"profiles/seoul.yaml": profile})
    result = cli("build", "-p", root)
    assert result.exit_code == 1, result.output
    assert "subtitle: subtitle runs past its text area" in result.output
    assert "[fit-dropped]" in result.output
    assert not (root / "build/print/report.pdf").exists()


def test_text_clipped_by_the_layout_is_a_finding(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    with (root / "layouts/default/style.css").open("a", encoding="utf-8") as css:
        css.write("\np.subtitle { height: 2mm; overflow: hidden; }\n")
    result = cli("build", "-p", root)
    assert result.exit_code == 1 and "runs past its text area" in result.output, result.output


def test_a_corrupt_font_face_file_is_a_warning_naming_it(make_project, cli) -> None:
    root = make_project({"profiles/seoul.yaml": SEOUL_EXAMPLE})
    (root / "layouts/default/fonts").mkdir(exist_ok=True)
    (root / "layouts/default/fonts/Brand.otf").write_bytes(b"OTTO" + bytes(range(256)) * 8)
    with (root / "layouts/default/style.css").open("a", encoding="utf-8") as css:
        css.write(
            "\n@font-face { font-family: Brand; src: url(fonts/Brand.otf) }\n"
            ".city-country { font-family: Brand, var(--fonts); }\n"
        )
    result = cli("build", "-p", root, "--edition", "both")
    assert result.exit_code == 0, result.output
    assert "layouts/default/fonts/Brand.otf" in result.output
    assert "[glyph-font-unusable]" in result.output
    assert result.output.count("Brand.otf") == 1  # once, not once per edition or check
