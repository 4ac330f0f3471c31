"""Slugs, base-path URLs and launch links."""

from __future__ import annotations

import pytest

from generator.model.urls import (
    absolute_url,
    is_safe_slug,
    is_safe_url,
    notebook_links,
    relative_target,
    slugify,
    url_for,
)


@pytest.mark.parametrize("text,slug", [
    ("Hello, World!", "hello-world"),
    ("  What I learned from Andrew Ng's course ", "what-i-learned-from-andrew-ng-s-course"),
    ("Café — résumé", "cafe-resume"),
    ("Глубокое обучение", "глубокое-обучение"),
    ("???", "untitled"),
    ("a__b--c", "a-b-c"),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_url_for_adds_base_path_once():
    assert url_for("/repo/", "blog/x/") == "/repo/blog/x/"
    assert url_for("/repo/", "/blog/") == "/repo/blog/"
    assert url_for("/", "blog/") == "/blog/"
    assert url_for("/repo/", "") == "/repo/"
    assert url_for("/repo/", "https://x.org/a") == "https://x.org/a"
    assert url_for("/repo/", "mailto:a@b.c") == "mailto:a@b.c"
    assert url_for("/repo/", "#top") == "#top"
    assert absolute_url("https://u.github.io", "/repo/", "feed.xml") == \
        "https://u.github.io/repo/feed.xml"


def test_notebook_links_are_percent_encoded_per_segment():
    links = notebook_links("ada", "ml", "main", "projects/my nb/01 eda.ipynb")
    assert links["colab"] == ("https://colab.research.google.com/github/ada/ml/blob/main/"
                              "projects/my%20nb/01%20eda.ipynb")
    assert links["github"] == "https://github.com/ada/ml/blob/main/projects/my%20nb/01%20eda.ipynb"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:x", " javascript:x",
                                 "java\tscript:x", "vbscript:x", "data:text/html,<b>",
                                 "data:image/svg+xml,<svg>"])
def test_unsafe_urls(url):
    assert not is_safe_url(url)


def test_safe_urls_and_slugs():
    assert is_safe_url("https://x.org") and is_safe_url("/a/b") and is_safe_url("img.png")
    assert is_safe_slug("my-post") and is_safe_slug("notes/my-post")
    for bad in ("../x", "/etc/x", "a/../../b", "C:x", "a\\b", "", "A B"):
        assert not is_safe_slug(bad)


def test_relative_target():
    assert relative_target("content/posts/a.md", "b.md") == "content/posts/b.md"
    assert relative_target("content/posts/a.md", "../../projects/x.ipynb") == "projects/x.ipynb"
    assert relative_target("content/posts/a.md", "../../../etc/passwd") is None
    assert relative_target("content/posts/a.md", "https://x.org") is None
    assert relative_target("content/posts/a.md", "/abs") is None
