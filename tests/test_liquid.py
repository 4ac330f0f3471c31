"""Jekyll/fastpages Liquid in posts (issue 12): callout includes, tweets, videos and
`{{ site.baseurl }}` become our own equivalents with one notice a file; Liquid in code, and
Liquid we do not know, stays as written. Also GitHub's `> [!NOTE]` alerts themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from generator.build import build
from generator.model.errors import BuildFailed
from generator.readers.liquid import NOTICE, translate
from generator.readers.markdown import render_markdown

from .helpers_reliability import CONFIG, assert_clean, cli, make, md_cell, nb

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

CALLOUTS = """\
---
title: Callouts
date: 2020-02-20
---

Before the callouts.

{% include alert.html text="Mind the **gap**." %}

{% include info.html text='Info, as a note.' %}
{% include tip.html content="Try `portfolio serve`." %}
{% include note.html content='A [linked](https://example.com) note.' %}
{%- include important.html content="Back up first." -%}
{% include warning.html content="A fastpages warning." %}

After the callouts.
"""

MEDIA = """\
---
title: Media
date: 2020-02-21
---

{% twitter https://twitter.com/fastdotai/status/1234567890 %}

{% youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s %}

{% youtube jNQXAC9IVRw %}

""" + ("{% include youtube.html content='<a href=\"https://youtu.be/9bZkp7q19f0\">"
       "https://youtu.be/9bZkp7q19f0</a>' %}\n")


def page(out: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url / "index.html").read_text("utf-8"), "html.parser")


def prose(out: Path, url: str) -> Tag:
    body = page(out, url).select_one(".prose")
    assert body is not None
    return body


def notices(report, rel: str) -> list:
    return [d for d in report.diagnostics if d.path == rel and d.message.startswith(NOTICE)]


def leaks(report, url: str) -> list[str]:
    return [d.message for d in report.diagnostics
            if d.path == f"{url}/index.html" and "unrendered template syntax" in d.message]


def test_fastpages_includes_become_callouts_of_their_kind(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {"content/posts/2020-02-20-callouts.md": CALLOUTS}, CONFIG)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    body = prose(out, "blog/callouts")
    found = [(box["class"][1].removeprefix("markdown-alert-"),
              box.select_one(".markdown-alert-title").get_text(strip=True),  # type: ignore
              " ".join(p.get_text(" ", strip=True) for p in box.select("p")[1:]))
             for box in body.select("div.markdown-alert")]
    assert found == [("warning", "Warning", "Mind the gap ."),
                     ("note", "Note", "Info, as a note."),
                     ("tip", "Tip", "Try portfolio serve ."),
                     ("note", "Note", "A linked note."),
                     ("important", "Important", "Back up first."),
                     ("warning", "Warning", "A fastpages warning.")]
    assert all(box["role"] == "note" for box in body.select("div.markdown-alert"))
    assert body.select_one(".markdown-alert-warning strong").get_text() == "gap"  # type: ignore
    assert body.select_one(".markdown-alert-tip code").get_text() == "portfolio serve"  # type: ignore
    assert body.select_one(".markdown-alert-note a")["href"] == "https://example.com"  # type: ignore
    paragraphs = [p.get_text() for p in body.find_all("p", recursive=False)]
    assert paragraphs == ["Before the callouts.", "After the callouts."]  # nothing swallowed
    assert "{%" not in body.get_text() and not leaks(report, "blog/callouts")
    [notice] = notices(report, "content/posts/2020-02-20-callouts.md")
    assert notice.line == 8  # the first include
    assert notice.message == (NOTICE + "1 × include alert.html, 1 × include info.html, "
                              "1 × include tip.html, 1 × include note.html, "
                              "1 × include important.html, 1 × include warning.html")


def test_a_tweet_becomes_a_link_and_a_video_a_nocookie_embed(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {"content/posts/2020-02-21-media.md": MEDIA}, CONFIG)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    html = (out / "blog/media/index.html").read_text("utf-8")
    body = prose(out, "blog/media")
    quote = body.select_one("blockquote a")
    assert quote is not None and quote["href"] == "https://twitter.com/fastdotai/status/1234567890"
    assert "@fastdotai" in quote.get_text()
    assert "platform.twitter.com" not in html and "widgets.js" not in html  # no third party JS
    frames = body.select(".embed-video > iframe")
    assert [f["src"] for f in frames] == [
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=65",
        "https://www.youtube-nocookie.com/embed/jNQXAC9IVRw",
        "https://www.youtube-nocookie.com/embed/9bZkp7q19f0"]
    for frame in frames:
        assert frame["title"].startswith("YouTube video") and frame["loading"] == "lazy"
        assert frame.has_attr("allowfullscreen")
    assert "youtube.com/embed" not in html  # only the no-cookie domain
    [notice] = notices(report, "content/posts/2020-02-21-media.md")
    assert notice.message == NOTICE + "1 × twitter, 2 × youtube, 1 × include youtube.html"
    assert not leaks(report, "blog/media")


def test_under_safe_a_video_is_a_link_and_callouts_still_render(tmp_path: Path) -> None:
    post = MEDIA.replace("title: Media", "title: Media\nsafe: true") + \
        "\n{% include tip.html content='Still a tip.' %}\n"
    root = make(tmp_path / "site", {"content/posts/2020-02-21-media.md": post}, CONFIG)
    out = tmp_path / "out"
    build(root, out_dir=out)
    body = prose(out, "blog/media")
    assert not body.select("iframe") and "&lt;iframe" not in str(body)
    links = [a["href"] for a in body.select("a") if "youtube" in a["href"]]
    assert links[0] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=65s" and len(links) == 3
    assert body.select_one(".markdown-alert-tip") is not None


def test_site_baseurl_resolves_under_a_project_sites_base_path(tmp_path: Path) -> None:
    post = ("---\ntitle: Base\ndate: 2020-03-01\n---\n\n"
            "![a chart]({{ site.baseurl }}/images/x.png)\n\n"
            '<img alt="raw" src="{{site.baseurl}}/images/x.png">\n\n'
            "[full]({{ site.url }}{{ site.baseurl }}/images/x.png#top) and "
            "[home]({{ site.baseurl }}/) and [bare]({{ site.baseurl }})\n")
    root = make(tmp_path / "site", {"content/posts/2020-03-01-base.md": post,
                                    "content/images/x.png": PNG}, CONFIG)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    body = prose(out, "blog/base")
    sources = [img["src"] for img in body.select("img")]
    assert sources == ["/repo/images/x.png", "/repo/images/x.png"]
    assert (out / "images/x.png").read_bytes() == PNG
    assert [a["href"] for a in body.select("a")] == ["/repo/images/x.png#top", "/repo/", "/repo/"]
    assert not [d for d in report.diagnostics if "base path" in d.message or "broken" in
                d.message], report.diagnostics
    [notice] = notices(report, "content/posts/2020-03-01-base.md")
    assert notice.message == NOTICE + "5 × site.baseurl" and notice.line == 6


def test_a_missing_base_path_target_is_reported_as_a_broken_link(tmp_path: Path) -> None:
    post = "---\ntitle: Gone\ndate: 2020-03-02\n---\n\n![gone]({{ site.baseurl }}/images/no.png)\n"
    root = make(tmp_path / "site", {"content/posts/2020-03-02-gone.md": post}, CONFIG)
    report = build(root, out_dir=tmp_path / "out")
    assert any("/repo/images/no.png" in d.message and d.path == "content/posts/2020-03-02-gone.md"
               for d in report.diagnostics), report.diagnostics


CODE = """\
---
title: Writing about Liquid
date: 2020-04-01
---

```liquid
{% include alert.html text="in a fence" %}
<img src="{{ site.baseurl }}/images/x.png">
```

~~~html
{% youtube dQw4w9WgXcQ %}
~~~

- a list item with a fence:

  ```
  {% include tip.html content="nested fence" %}
  ```

Inline: `{% include note.html content="inline" %}` and ``{{ site.baseurl }}/x``.

    {% include info.html text="indented code" %}
"""


def test_liquid_in_code_stays_verbatim_and_untranslated(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {"content/posts/2020-04-01-liquid.md": CODE}, CONFIG)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    body = prose(out, "blog/liquid")
    assert not body.select(".markdown-alert, iframe")
    code = [c.get_text() for c in body.select("pre code")]
    assert code[0] == ('{% include alert.html text="in a fence" %}\n'
                       '<img src="{{ site.baseurl }}/images/x.png">\n')
    assert code[1:] == ["{% youtube dQw4w9WgXcQ %}\n", '{% include tip.html content="nested '
                        'fence" %}\n', '{% include info.html text="indented code" %}\n']
    inline = [c.get_text() for c in body.select("p > code")]
    assert inline == ['{% include note.html content="inline" %}', "{{ site.baseurl }}/x"]
    assert "@@" not in str(body)
    assert not notices(report, "content/posts/2020-04-01-liquid.md")
    assert not leaks(report, "blog/liquid")  # code may show anything


def test_unknown_liquid_stays_verbatim_with_the_warning_it_had(tmp_path: Path) -> None:
    post = ("---\ntitle: Unknown\ndate: 2020-05-01\n---\n\n"
            "{% capture greeting %}Hello{% endcapture %}\n\n"
            "{% include image.html file=\"x.png\" %}\n\n"
            "{% include note.html %}\n\n"  # no text: nothing to put in a callout
            "{{ page.title }} and {{ site.baseurl }}{% post_url 2020-01-01-x %}\n")
    root = make(tmp_path / "site", {"content/posts/2020-05-01-unknown.md": post}, CONFIG)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    text = prose(out, "blog/unknown").get_text()
    for kept in ("{% capture greeting %}Hello{% endcapture %}",
                 '{% include image.html file="x.png" %}', "{% include note.html %}",
                 "{{ page.title }} and {{ site.baseurl }}{% post_url 2020-01-01-x %}"):
        assert kept in text
    assert sorted(leaks(report, "blog/unknown")) == [
        "unrendered template syntax '{%' appears in the output",
        "unrendered template syntax '{{' appears in the output"]
    assert not notices(report, "content/posts/2020-05-01-unknown.md")


def test_raw_markers_go_and_what_they_hold_stays_as_written(tmp_path: Path) -> None:
    post = ("---\ntitle: Raw\ndate: 2020-06-01\n---\n\n{% raw %}\n```\n{{ page.title }}\n"
            "{% include tip.html content=\"x\" %}\n```\n{% endraw %}\n\n"
            "{% include tip.html content='Translated.' %}\n")
    root = make(tmp_path / "site", {"content/posts/2020-06-01-raw.md": post}, CONFIG)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    body = prose(out, "blog/raw")
    assert body.select_one("pre code").get_text() == (  # type: ignore[union-attr]
        '{{ page.title }}\n{% include tip.html content="x" %}\n')
    assert "raw %}" not in str(body) and len(body.select(".markdown-alert-tip")) == 1
    [notice] = notices(report, "content/posts/2020-06-01-raw.md")
    assert notice.message == NOTICE + "1 × raw, 1 × include tip.html" and notice.line == 6


def test_the_notice_is_one_per_file_and_strict_fails_on_it_like_any_warning(
        tmp_path: Path) -> None:
    two = "---\ntitle: Two\ndate: 2020-07-02\n---\n\n" + \
        "\n\n".join(f'{{% include alert.html text="number {n}" %}}' for n in range(3)) + "\n"
    files = {"content/posts/2020-02-20-callouts.md": CALLOUTS,
             "content/posts/2020-07-02-two.md": two,
             "content/posts/2020-07-03-plain.md": "---\ntitle: Plain\ndate: 2020-07-03\n---\n"
                                                  "\nNo Liquid here.\n"}
    root = make(tmp_path / "site", files, CONFIG)
    report = build(root, out_dir=tmp_path / "out")
    counted = sorted(d.path for d in report.diagnostics if d.message.startswith(NOTICE))
    assert counted == ["content/posts/2020-02-20-callouts.md", "content/posts/2020-07-02-two.md"]
    [notice] = notices(report, "content/posts/2020-07-02-two.md")
    assert notice.message == NOTICE + "3 × include alert.html"
    assert len(prose(tmp_path / "out", "blog/two").select(".markdown-alert-warning")) == 3

    again = build(root, out_dir=tmp_path / "out")  # from the cache: still reported, once
    assert sorted(d.path for d in again.diagnostics if d.message.startswith(NOTICE)) == counted

    with pytest.raises(BuildFailed) as excinfo:  # a warning: --strict fails on it
        build(root, out_dir=tmp_path / "strict", strict=True, force=True)
    assert any("2020-07-02-two.md" in str(e) and NOTICE in str(e) for e in excinfo.value.errors)


def test_the_cli_shows_the_notice(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {"content/posts/2020-02-20-callouts.md": CALLOUTS}, CONFIG)
    text = assert_clean(cli("build", cwd=root), 0)
    assert ("content/posts/2020-02-20-callouts.md:8: translated Jekyll/fastpages Liquid: "
            "1 × include alert.html") in text
    assert "1 × include warning.html" in text
    assert_clean(cli("build", "--strict", "--out", str(tmp_path / "strict"), cwd=root), 1)


def test_github_alerts_render_in_posts_and_notebook_cells(tmp_path: Path) -> None:
    kinds = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
    alerts = "\n\n".join(f"> [!{kind}]\n> About {kind.lower()}." for kind in kinds)
    root = make(tmp_path / "site", {
        "content/posts/2020-08-01-alerts.md": "---\ntitle: Alerts\ndate: 2020-08-01\n---\n\n"
                                              + alerts + "\n\n> [!NOPE]\n> A quote.\n",
        "projects/book.ipynb": nb([md_cell("# Book\n\nIntro."), md_cell(alerts)]),
    }, CONFIG)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    assert not report.diagnostics, report.diagnostics
    for url in ("blog/alerts", "projects/book"):
        boxes = prose(out, url).select("div.markdown-alert[role=note]")
        assert [b.select_one(".markdown-alert-title").get_text() for b in boxes] == [  # type: ignore
            kind.capitalize() for kind in kinds], url
        assert [b.find_all("p")[1].get_text() for b in boxes] == [
            f"About {kind.lower()}." for kind in kinds]
    assert "[!NOPE]" in prose(out, "blog/alerts").select_one("blockquote").get_text()  # type: ignore


@pytest.mark.parametrize(("text", "selector", "outside"), [
    ("- one\n- {% include tip.html content='in a list' %}\n- three\n", "li .markdown-alert-tip",
     ["one", "three"]),
    ("> quoted\n{% include note.html content='after a quote' %}\n", "body > .markdown-alert-note",
     ["quoted"]),
    ("> {% include note.html content='in a quote' %}\n> more\n",
     "blockquote > .markdown-alert-note", ["more"]),
    ("Before {% include tip.html content='mid-line' %} after\n", "body > .markdown-alert-tip",
     ["Before", "after"]),
    ("{% include tip.html content='first' %}\nA paragraph right below.\n",
     "body > .markdown-alert-tip", ["A paragraph right below."]),
])
def test_a_callout_keeps_its_container_and_the_text_around_it(
        text: str, selector: str, outside: list[str]) -> None:
    translated, found = translate(text)
    assert len(found) == 1
    html = BeautifulSoup("<body>" + render_markdown(translated, "content/posts/a.md").html
                         + "</body>", "html.parser")
    box = html.select_one(selector)
    assert box is not None, html
    for words in outside:
        assert words not in box.get_text() and words in html.get_text()


def test_a_callout_text_over_several_lines_keeps_its_paragraphs() -> None:
    text = ('{% include note.html\n   content="First, with a [link]({{ site.baseurl }}/x/).\n\n'
            'Second." %}\n')
    translated, found = translate(text)
    html = BeautifulSoup(render_markdown(translated, "content/posts/a.md").html, "html.parser")
    box = html.select_one(".markdown-alert-note")
    assert box is not None
    assert [p.get_text() for p in box.select("p")] == ["Note", "First, with a link.", "Second."]
    assert box.select_one("a")["href"] == "@@portfolio:x/@@"  # type: ignore[index]
    assert found == [(NOTICE + "1 × include note.html", 1)]


def test_fastpages_blockquote_shortcuts_are_callouts_in_posts_and_notebooks(tmp_path: Path):
    """fastpages' and nbdev's `> Note: ...` (Tip, Warning, Important; also `**Note:**`) read
    as the same callouts as `> [!NOTE]`, in a post and in a notebook's Markdown cell."""
    post = ("---\ntitle: Shortcuts\ndate: 2020-02-20\n---\n\n> Note: First, a *note*.\n\n"
            "> **Warning:** the data is big.\n> Really big.\n\n> Just a quote: stays one.\n\n"
            "```\n> Tip: in code stays code\n```\n")
    root = make(tmp_path / "s", {
        "content/posts/2020-02-20-shortcuts.md": post,
        # (a quote right under the title cell's heading is fastpages' summary, not a callout)
        "projects/fp.ipynb": nb([md_cell("# A fastpages notebook\n\n> What it is about.\n"),
                                 md_cell("> Important: Run the cells in order.\n")]),
    }, CONFIG)
    build(root)
    soup = BeautifulSoup((root / "_site/blog/shortcuts/index.html").read_text("utf-8"),
                         "html.parser")
    alerts = soup.select(".prose .markdown-alert") or soup.select(".markdown-alert")
    assert [(a["class"][1], a.select_one(".markdown-alert-title").get_text(),
             " ".join(a.find_all("p")[1].get_text(" ", strip=True).split())) for a in alerts] == [
        ("markdown-alert-note", "Note", "First, a note ."),
        ("markdown-alert-warning", "Warning", "the data is big. Really big.")]
    assert soup.find("blockquote").get_text(strip=True) == "Just a quote: stays one."
    assert "> Tip: in code stays code" in soup.find("pre").get_text()
    page = BeautifulSoup((root / "_site/projects/fp/index.html").read_text("utf-8"),
                         "html.parser")
    alert = page.select_one(".markdown-alert-important")
    assert alert is not None and "Run the cells in order." in alert.get_text()
    # the summary is the callout's text, not its title
    listing = (root / "_site/blog/index.html").read_text("utf-8")
    assert "First, a note." in listing or "First, a <em>note</em>" in listing
