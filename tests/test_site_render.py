"""Assembling and rendering whole sites: URLs, collections, themes, base paths."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from generator.build import build, render_in_memory
from generator.model.errors import BuildFailed

# The config part of the sites here (tests about a config key show their own).
CONFIG = """
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
"""

POSTS = """
-- content/posts/2024-01-01-one.md --
---
title: One
tags: [Deep Learning, python]
---
Body one.
-- content/posts/2024-02-01-two.md --
---
title: Two
tags: [python]
---
Body two.
-- content/posts/2024-03-01-three.md --
# Three from heading
Body three.
-- content/about.md --
---
title: About me
---
Hi.
-- projects/app.md --
---
title: App
summary: A web app.
repo: someone/app
demo: https://someone.github.io/app/
---
An app.
"""


def page(files: dict[str, bytes], path: str) -> BeautifulSoup:
    return BeautifulSoup(files[path].decode(), "html.parser")


def test_urls_titles_and_dates(make_site):
    files = render_in_memory(make_site(CONFIG + POSTS))
    assert {"blog/one/index.html", "blog/two/index.html", "blog/three-from-heading/index.html"} \
        - set(files) == {"blog/three-from-heading/index.html"}
    assert "blog/three/index.html" in files  # slug from the file name, not the title
    assert page(files, "blog/three/index.html").h1.get_text() == "Three from heading"
    assert "about/index.html" in files and "projects/app/index.html" in files
    dates = [t["datetime"] for t in page(files, "blog/index.html").select(".post-item time")]
    assert dates == ["2024-03-01", "2024-02-01", "2024-01-01"]


def test_pagination(make_site):
    root = make_site("""
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
posts_per_page: 2
""" + POSTS)
    files = render_in_memory(root)
    assert "blog/page/2/index.html" in files and "blog/page/3/index.html" not in files
    second = page(files, "blog/page/2/index.html")
    assert second.select_one("a[rel=prev]")["href"] == "/repo/blog/"
    assert len(second.select(".post-item")) == 1


def test_tag_pages_list_posts_and_projects(make_site):
    files = render_in_memory(make_site(CONFIG + POSTS))
    python = page(files, "tags/python/index.html")
    assert {a.get_text() for a in python.select(".post-item a")} >= {"One", "Two"}
    assert "tags/deep-learning/index.html" in files
    tags = page(files, "tags/index.html")
    assert tags.find("a", href="/repo/tags/python/")


def test_markdown_project_links_repo_and_demo(make_site):
    files = render_in_memory(make_site(CONFIG + POSTS))
    app = page(files, "projects/app/index.html")
    hrefs = {a["href"] for a in app.select("a.badge")}
    assert {"https://github.com/someone/app", "https://someone.github.io/app/"} <= hrefs
    assert not app.select("a.badge-colab")


def test_root_site_has_no_base_prefix(make_site):
    root = make_site("""
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
""" + POSTS)
    files = render_in_memory(root, base_url="https://ada.dev/")
    home = page(files, "index.html")
    assert home.find("link", rel="stylesheet")["href"] == "/assets/style.css"
    assert files["CNAME"] == b"ada.dev\n"


def test_prev_next_links(make_site):
    files = render_in_memory(make_site(CONFIG + POSTS))
    two = page(files, "blog/two/index.html")
    assert two.select_one("a[rel=prev]")["href"] == "/repo/blog/one/"
    assert two.select_one("a[rel=next]")["href"] == "/repo/blog/three/"


def test_relative_links_between_sources_resolve(make_site):
    root = make_site(CONFIG + POSTS + """
-- content/posts/2024-04-01-four.md --
---
title: Four
---
See [one](2024-01-01-one.md), [the app](../../projects/app.md) and [gone](nope.md).
""")
    files = render_in_memory(root)
    four = page(files, "blog/four/index.html")
    hrefs = [a["href"] for a in four.select(".prose a")]
    assert "/repo/blog/one/" in hrefs and "/repo/projects/app/" in hrefs


def test_duplicate_urls_name_both_sources(make_site):
    root = make_site(CONFIG + POSTS + """
-- content/posts/2024-05-01-dup.md --
---
title: Dup
slug: one
---
x
""")
    with pytest.raises(BuildFailed) as info:
        build(root)
    text = str(info.value.errors[0])
    assert "2024-05-01-dup.md" in text and "2024-01-01-one.md" in text


def test_user_theme_overrides_and_extends_default(make_site):
    root = make_site("""
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
theme: mine
-- themes/mine/templates/page.html --
{% extends "!default/page.html" %}
{% block title %}CUSTOM {{ doc.title }}{% endblock %}
""" + POSTS)
    files = render_in_memory(root)
    assert page(files, "about/index.html").title.get_text() == "CUSTOM About me"


def test_template_error_names_template_and_line(make_site):
    root = make_site("""
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
theme: mine
-- themes/mine/templates/page.html --
{% extends "!default/page.html" %}
{% block title %}{{ doc.no_such_field }}{% endblock %}
""" + POSTS)
    with pytest.raises(Exception) as info:
        build(root)
    err = info.value
    assert "themes/mine/templates/page.html" in str(err) and ":2" in str(err)
    assert "no_such_field" in str(err)


def test_missing_theme_is_a_config_error(make_site):
    root = make_site("""
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
theme: nope
""" + POSTS)
    with pytest.raises(Exception, match="theme 'nope' not found"):
        build(root)


def test_colab_path_includes_the_site_folder_inside_the_repository(make_site, tmp_path):
    from .conftest import notebook

    root = make_site("""
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
github:
  owner: tester
  repo: repo
  branch: main
""" + POSTS)
    (root / "projects" / "nb.ipynb").write_text(notebook([{"cell_type": "markdown",
                                                           "source": "# NB\ntext"}]))
    (root.parent / ".git").mkdir()  # the site is the `site/` folder of a repository
    files = render_in_memory(root)
    colab = page(files, "projects/nb/index.html").select_one("a.badge-colab")["href"]
    assert colab.endswith("/tester/repo/blob/main/site/projects/nb.ipynb")


def test_a_site_without_portfolio_yml_reports_it(make_site):
    """`make_site` writes only what the spec holds: no config means the user's error."""
    from generator.model.errors import ConfigError

    root = make_site(POSTS)
    assert not (root / "portfolio.yml").exists()
    with pytest.raises(ConfigError) as info:
        build(root)
    assert "portfolio.yml" in str(info.value) and "portfolio init" in info.value.hint
