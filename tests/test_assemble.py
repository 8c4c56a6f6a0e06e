"""Assembly: profile text is data, Korean words are kept whole, Markdown nests cleanly."""

from __future__ import annotations

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
