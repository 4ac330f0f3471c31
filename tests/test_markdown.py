"""The Markdown reader: highlighting, math, anchors, links, summaries."""

from __future__ import annotations

from bs4 import BeautifulSoup

from generator.readers.markdown import LINK_PREFIX, render_markdown


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_code_is_highlighted_by_pygments():
    result = render_markdown("```python\nprint('x')\n```\n", "content/posts/a.md")
    block = soup(result.html).select_one("div.highlight[data-lang=python]")
    assert block is not None and block.select_one("span.nb")  # `print` is a builtin


def test_unknown_language_is_escaped_not_guessed():
    result = render_markdown("```nosuchlang\n<b>x</b>\n```\n", "content/posts/a.md")
    assert "&lt;b&gt;" in result.html and "<b>x</b>" not in result.html


def test_math_is_not_mangled_and_is_detected():
    text = "Inline $x_i * y_j$ and\n\n$$\\sum_{i=1}^n a_i * b_i$$\n"
    result = render_markdown(text, "content/posts/a.md")
    assert result.has_math
    assert "<em>" not in result.html
    assert "x_i * y_j" in result.html and "\\sum_{i=1}^n a_i * b_i" in result.html


def test_amsmath_environment():
    result = render_markdown("\\begin{align}\na &= b_1\n\\end{align}\n", "content/posts/a.md")
    assert result.has_math and "\\begin{align}" in result.html


def test_headings_get_unique_anchors_and_toc():
    result = render_markdown("## Intro\n\ntext\n\n## Intro\n\n### Deep dive\n",
                             "content/posts/a.md")
    ids = [h["id"] for h in soup(result.html).find_all(["h2", "h3"])]
    assert ids == ["intro", "intro-2", "deep-dive"]
    assert [(h.level, h.anchor) for h in result.toc] == [(2, "intro"), (2, "intro-2"),
                                                          (3, "deep-dive")]


def test_relative_links_become_placeholders_with_lines():
    text = "para\n\n[next](2024-01-02-b.md#part) and ![fig](images/f.png)\n"
    result = render_markdown(text, "content/posts/a.md", line_offset=4)
    assert f'href="{LINK_PREFIX}content/posts/2024-01-02-b.md@@#part"' in result.html
    assert f'src="{LINK_PREFIX}content/posts/images/f.png@@"' in result.html
    assert ("content/posts/images/f.png", 7) in result.links


def test_javascript_links_are_dropped():
    result = render_markdown("[x](javascript:alert(1))\n", "content/posts/a.md")
    assert all("javascript" not in (a.get("href") or "") for a in soup(result.html).find_all("a"))


def test_tables_footnotes_tasklists():
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1].\n\n- [x] done\n\n[^1]: Footnote.\n"
    html = soup(render_markdown(text, "content/posts/a.md").html)
    assert html.find("table") and html.select("section.footnotes li")
    assert html.find("input", attrs={"type": "checkbox"})


def test_safe_mode_escapes_raw_html():
    text = "<script>alert(1)</script>\n\n<b>bold</b>\n"
    assert "<script>" in render_markdown(text, "a.md").html  # trusted by default
    assert "<script>" not in render_markdown(text, "a.md", safe=True).html


def test_summary_and_words():
    result = render_markdown("First *para* here.\n\nSecond para.\n", "a.md")
    assert result.summary == "First para here."
    assert result.words == 5
