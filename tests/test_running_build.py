"""Running builds, as Hugo tests them: one process builds a site, an existing template is
edited, the same process builds again, and every page must show the edit (none the old
template, none a mix of old and new output), then the same after a content edit.

These guard generator/incremental/keys.py: the theme digest is computed for each build, never
remembered for the life of the process. When it was remembered, two builds in one process (the
API called twice, or `portfolio serve`) did not see a template edit, and a later post edit
re-rendered only that post, so the site mixed the old and the new template.
"""

from __future__ import annotations

import hashlib
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from bs4 import BeautifulSoup

from generator.build import build, render_in_memory

from .helpers_serve import Server, fetch, poll, save

SITE = """
-- portfolio.yml --
title: Running Build
url: https://tester.github.io/repo/
author:
  name: Test Author
github:
  owner: tester
  repo: repo
  branch: main
theme: mine
-- themes/mine/templates/base.html --
{% extends "!default/base.html" %}
{% block extra_head %}<meta name="x-theme" content="one">{% endblock %}
-- content/posts/2024-01-01-first.md --
---
title: First
tags: [a]
---
The first post.
-- content/posts/2024-01-02-second.md --
---
title: Second
tags: [a, b]
---
The second post.
-- content/about.md --
---
title: About
---
About this site.
"""

# Only posts render through post.html: its override adds a second marker to them alone.
POST_TEMPLATE = """
-- themes/mine/templates/post.html --
{% extends "!default/post.html" %}
{% block extra_head %}{{ super() }}<meta name="x-post" content="one">{% endblock %}
"""

BASE = "themes/mine/templates/base.html"
POST_HTML = "themes/mine/templates/post.html"
FIRST = "content/posts/2024-01-01-first.md"
POSTS = {"blog/first/index.html", "blog/second/index.html"}
# pages of every kind the site has: home, 404, page, posts, blog list, tags, gallery
EXPECTED = POSTS | {"index.html", "404.html", "about/index.html", "blog/index.html",
                    "tags/index.html", "tags/a/index.html", "tags/b/index.html",
                    "projects/index.html"}


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) by `new` in an existing file, as an editor saves."""
    text = path.read_text()
    assert old in text, (path, old)
    save(path, text.replace(old, new))


def markers(html: str, name: str) -> list[str]:
    """The `content` of every `<meta name=NAME>` of a page."""
    soup = BeautifulSoup(html, "html.parser")
    return [m.get("content", "") for m in soup.find_all("meta", attrs={"name": name})]


def pages(out: Path) -> dict[str, str]:
    """Every HTML page of a built site, by path under `out`."""
    found = {p.relative_to(out).as_posix(): p.read_text("utf-8") for p in out.rglob("*.html")}
    assert set(found) >= EXPECTED, sorted(EXPECTED - set(found))
    return found


def assert_everywhere(found: dict[str, str], theme: str, post: str | None = None) -> None:
    """Every page shows x-theme `theme` once; posts show x-post `post`, other pages none."""
    wrong = {path: markers(html, "x-theme") for path, html in found.items()
             if markers(html, "x-theme") != [theme]}
    assert not wrong, f"pages not showing x-theme={theme!r}: {wrong}"
    for path, html in found.items():
        want = [post] if post is not None and path in POSTS else []
        assert markers(html, "x-post") == want, (path, markers(html, "x-post"), want)


def tree(out: Path) -> dict[str, str]:
    """Every file of a built site, {path: sha256}."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def cold_tree(root: Path, scratch: Path) -> dict[str, str]:
    """Build a copy of `root`'s sources afresh (no cache, no previous output)."""
    shutil.copytree(root, scratch / "site",
                    ignore=shutil.ignore_patterns(".portfolio", "_site"))
    build(scratch / "site", out_dir=scratch / "out", use_cache=False)
    return tree(scratch / "out")


# ---- the API: several builds in one process -------------------------------------------------

def test_base_template_edit_reaches_every_page_in_one_process(make_site, tmp_path):
    root = make_site(SITE)
    out = tmp_path / "out"
    first = build(root, out_dir=out)
    assert not first.up_to_date
    assert_everywhere(pages(out), "one")
    assert build(root, out_dir=out).up_to_date  # the fast path is live in this process

    edit(root / BASE, 'content="one"', 'content="two"')
    second = build(root, out_dir=out)
    assert not second.up_to_date
    assert_everywhere(pages(out), "two")
    assert tree(out) == cold_tree(root, tmp_path / "cold-two")

    # a content edit after the template edit: that post is rendered again, and the pages kept
    # from the previous build must be the new template's, not the first build's
    edit(root / FIRST, "The first post.", "The first post, edited.")
    third = build(root, out_dir=out)
    assert not third.up_to_date
    found = pages(out)
    assert "The first post, edited." in found["blog/first/index.html"]
    assert_everywhere(found, "two")

    edit(root / BASE, 'content="two"', 'content="one"')
    fourth = build(root, out_dir=out)
    assert not fourth.up_to_date
    found = pages(out)
    assert_everywhere(found, "one")
    assert "The first post, edited." in found["blog/first/index.html"]
    assert tree(out) == cold_tree(root, tmp_path / "cold-one")


def test_post_template_edit_changes_posts_and_keeps_other_pages_right(make_site, tmp_path):
    root = make_site(SITE + POST_TEMPLATE)
    out = tmp_path / "out"
    build(root, out_dir=out)
    before = pages(out)
    assert_everywhere(before, "one", post="one")

    edit(root / POST_HTML, 'content="one"', 'content="two"')
    report = build(root, out_dir=out)
    assert not report.up_to_date
    after = pages(out)
    assert_everywhere(after, "one", post="two")
    for path in set(after) - POSTS:  # pages that do not use post.html read as before
        assert after[path] == before[path], path
    assert tree(out) == cold_tree(root, tmp_path / "cold-two")

    edit(root / "content/posts/2024-01-02-second.md", "The second post.", "Second, edited.")
    assert not build(root, out_dir=out).up_to_date
    found = pages(out)
    assert "Second, edited." in found["blog/second/index.html"]
    assert_everywhere(found, "one", post="two")

    edit(root / POST_HTML, 'content="two"', 'content="one"')
    assert not build(root, out_dir=out).up_to_date
    assert_everywhere(pages(out), "one", post="one")
    assert tree(out) == cold_tree(root, tmp_path / "cold-one")

    (root / POST_HTML).unlink()  # the override goes: posts fall back to the default post.html
    assert not build(root, out_dir=out).up_to_date
    assert_everywhere(pages(out), "one", post=None)


# ---- `portfolio serve`: the same over HTTP -----------------------------------------------------

def page_urls(srv: Server, root: Path) -> dict[str, str]:
    """Every page of the site, {name: served URL}: the sitemap's URLs, and every HTML file a
    build of the site folder makes (the 404 page is not in the sitemap)."""
    status, _, body = fetch(srv.url + "sitemap.xml")
    assert status == 200, body
    canonical = "https://tester.github.io/repo/"
    locs = [node.text or "" for node in ET.fromstring(body).iter()
            if node.tag.endswith("}loc")]
    assert locs and all(loc.startswith(canonical) for loc in locs), locs
    urls = {loc[len(canonical):] or "/": srv.url + loc[len(canonical):] for loc in locs}
    built = [p for p in render_in_memory(root, drafts=True) if p.endswith(".html")
             and p != "search/index.html"]  # serve leaves search out (test_search.py)
    assert set(built) >= EXPECTED, sorted(EXPECTED - set(built))
    for path in built:
        pretty = path.removesuffix("index.html")
        urls.setdefault(pretty or "/", srv.url + (pretty or path))
    assert len(urls) == len(built), (sorted(urls), sorted(built))  # the sitemap lists no extra
    return urls


def served_markers(url: str) -> list[str]:
    status, _, body = fetch(url)
    return markers(body, "x-theme") if status == 200 else [f"HTTP {status}"]


def assert_served_everywhere(urls: dict[str, str], theme: str) -> None:
    wrong = {name: shown for name, url in sorted(urls.items())
             if (shown := served_markers(url)) != [theme]}
    assert not wrong, f"served pages not showing x-theme={theme!r}: {wrong}"


def test_serve_template_edit_then_post_edit_serves_no_mixed_pages(make_site, tmp_path):
    root = make_site(SITE)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    srv = Server(root, env={"TMPDIR": str(tmp)})
    try:
        srv.wait_ready()
        assert srv.url.startswith("http://127.0.0.1:") and srv.url.endswith("/repo/")
        urls = page_urls(srv, root)
        post_url = urls["blog/first/"]
        assert_served_everywhere(urls, "one")

        edit(root / BASE, 'content="one"', 'content="two"')
        poll(lambda: served_markers(srv.url) == ["two"], what="the edited template")
        edit(root / FIRST, "The first post.", "The first post, edited.")
        poll(lambda: "The first post, edited." in fetch(post_url)[2], what="the edited post")
        assert_served_everywhere(urls, "two")

        edit(root / BASE, 'content="two"', 'content="one"')
        poll(lambda: served_markers(srv.url) == ["one"], what="the template edited back")
        assert_served_everywhere(urls, "one")
        assert "The first post, edited." in fetch(post_url)[2]
        assert "Build failed" not in srv.output() and "Traceback" not in srv.output()
    finally:
        srv.stop()
    assert srv.proc.returncode == 0, srv.output()
