"""Assembly: profile text is data, Korean words are kept whole, Markdown nests cleanly."""

from __future__ import annotations

from pathlib import Path

from scireport.assemble import WORD_JOINER, keep_words, render_markdown

J = WORD_JOINER


def test_keep_words_joins_hangul_words_and_escapes() -> None:
    html = str(keep_words("서울의 <b>{{ 7*7 }}</b> S-Net이 S-Net"))
    assert html.startswith(f"서{J}울{J}의 &lt;b&gt;{{{{ 7*7 }}}}&lt;/b&gt; ")
    assert html.endswith(f"S{J}-{J}N{J}e{J}t{J}이 S-Net")


def test_markdown_joins_words_across_inline_tags() -> None:
    html = str(render_markdown("모두를 **위한 디지털**도시 *강조*", "x--body"))
    assert '<p id="x--body-1">' in html
    assert f"<strong>위{J}한 디{J}지{J}털</strong>{J}도{J}시" in html
    assert f"<em>강{J}조</em>" in html


def test_markdown_refuses_raw_html_and_unsafe_links() -> None:
    html = str(render_markdown("<script>x</script> [a](javascript:alert(1)) ![i](x.png)", "x"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.split("href")[-1] if "href" in html else True
    assert "<img" not in html


def test_markdown_lists_and_paragraph_ids() -> None:
    html = str(render_markdown("첫 문단\n\n- 하나\n- 둘\n\n셋째", "c--body"))
    assert 'id="c--body-1"' in html and 'id="c--body-2"' in html and 'id="c--body-3"' in html
    assert "<ul" in html and "<li>" in html


def test_a_process_compiles_a_layout_template_again_only_when_it_changed(tmp_path: Path) -> None:
    """Two loads of one layout share one Jinja2 environment (a watching build compiles
    its templates once), and a template edited between builds is the edited one."""
    import os
    import shutil

    from conftest import REPO

    from scireport.layouts import load_layout

    shutil.copytree(REPO / "layouts", tmp_path / "layouts")
    first, second = load_layout(tmp_path, "default"), load_layout(tmp_path, "default")
    assert first is not second and first.env is second.env
    template = tmp_path / "layouts" / "default" / "probe.html"
    template.write_text("one {{ n }}", "utf-8")
    assert first.env.get_template("probe.html").render(n=1) == "one 1"
    template.write_text("two {{ n }}", "utf-8")
    later = os.stat(template).st_mtime + 1  # an editor's save, a moment later
    os.utime(template, (later, later))
    assert load_layout(tmp_path, "default").env.get_template("probe.html").render(n=2) == "two 2"
    # A layout whose environment was made pickles without it (handed to a warm writer),
    # and the copy makes its own.
    import pickle

    copy = pickle.loads(pickle.dumps(first))
    assert copy.dirs == first.dirs and "env" not in copy.__dict__
    assert copy.env.get_template("probe.html").render(n=3) == "two 3"
