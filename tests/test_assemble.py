"""Assembly: profile text is data, Korean words are kept whole, Markdown nests cleanly."""

from __future__ import annotations

from scireport.assemble import keep_words, render_markdown


def test_keep_words_wraps_hangul_words_and_escapes() -> None:
    html = str(keep_words("서울의 <b>{{ 7*7 }}</b> S-Net"))
    assert html.startswith('<span class="kw">서울의</span> ')
    assert "&lt;b&gt;{{" in html
    assert "S-Net" in html and '<span class="kw">S-Net' not in html


def test_markdown_closes_and_reopens_tags_at_word_boundaries() -> None:
    html = str(render_markdown("모두를 **위한 디지털**도시 *강조*", "x--body"))
    assert '<p id="x--body-1">' in html
    assert '<span class="kw"><strong>위한</strong></span>' in html
    assert '<span class="kw"><strong>디지털</strong>도시</span>' in html


def test_markdown_refuses_raw_html_and_unsafe_links() -> None:
    html = str(render_markdown("<script>x</script> [a](javascript:alert(1)) ![i](x.png)", "x"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.split("href")[-1] if "href" in html else True
    assert "<img" not in html


def test_markdown_lists_and_paragraph_ids() -> None:
    html = str(render_markdown("첫 문단\n\n- 하나\n- 둘\n\n셋째", "c--body"))
    assert 'id="c--body-1"' in html and 'id="c--body-2"' in html and 'id="c--body-3"' in html
    assert "<ul" in html and "<li>" in html
