"""Rebuilds keep unchanged pages (reuse.py) and stage into the spare tree (spare.py): a rebuild
must always equal a cold build of the same sources, whatever happened in between."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import RecordingReporter, build

from .conftest import notebook, write_site
from .test_cache import SITE as CACHE_SITE
from .test_cache import tree

# The config part of every site here (tests that change the config show their own).
CONFIG = """
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
"""

SITE = CACHE_SITE + """
-- content/posts/2024-01-03-third.md --
---
title: Third
tags: [c]
---
Third post.
"""


def inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino
            for p in out.rglob("*.html") if p.is_file()}


def cold_tree(root: Path, scratch: Path) -> dict[str, str]:
    """A cold build of `root`'s sources in a fresh folder, without any cache."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    shutil.copy2(root / "portfolio.yml", scratch / "portfolio.yml")
    for name in ("content", "projects", "themes"):
        if (root / name).exists():
            shutil.copytree(root / name, scratch / name)
    build(scratch, use_cache=False)
    return tree(scratch / "_site")


def add_notebook(root: Path, text: str = "1") -> Path:
    path = root / "projects" / "nb.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    png = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAA"
           "AABJRU5ErkJggg==")
    path.write_text(notebook([
        {"cell_type": "raw", "source": "---\ntitle: NB\n---"},
        {"cell_type": "code", "source": f"print({text})", "execution_count": 1,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": f"{text}\n"},
                     {"output_type": "display_data", "metadata": {},
                      "data": {"image/png": png, "text/plain": "<Figure>"}}]},
    ]))
    return path


def test_one_edit_rewrites_only_pages_that_show_it(make_site, tmp_path):
    root = make_site(CONFIG + SITE)
    add_notebook(root)
    build(root)
    before = inodes(root / "_site")
    post = root / "content/posts/2024-01-03-third.md"
    post.write_text(post.read_text().replace("Third post.", "Third post, edited."))
    build(root)
    after = inodes(root / "_site")
    changed = {p for p in after if after[p] != before.get(p)}
    assert "blog/third/index.html" in changed
    # pages that do not show the post are the very same files as before
    assert "about/index.html" not in changed and "projects/nb/index.html" not in changed
    assert "tags/a/index.html" not in changed
    assert len(changed) < len(after) / 2, changed
    assert tree(root / "_site") == cold_tree(root, tmp_path / "cold")


def test_title_change_reaches_neighbours_lists_and_tags(make_site, tmp_path):
    root = make_site(CONFIG + SITE)
    build(root)
    post = root / "content/posts/2024-01-02-second.md"
    post.write_text(post.read_text().replace("title: Second", "title: Renamed second"))
    build(root)
    out = root / "_site"
    for page in ("blog/first/index.html", "blog/third/index.html", "blog/index.html",
                 "tags/a/index.html", "tags/b/index.html", "index.html"):
        assert "Renamed second" in (out / page).read_text(), page
    assert tree(out) == cold_tree(root, tmp_path / "cold")


def test_theme_edit_rerenders_every_page(make_site, tmp_path):
    root = make_site(CONFIG + SITE)
    build(root)
    before = inodes(root / "_site")
    write_site(root, """
-- themes/mine/templates/base.html --
{% extends "!default/base.html" %}
{% block extra_head %}<meta name="x-theme" content="mine">{% endblock %}
""")
    config = root / "portfolio.yml"
    config.write_text(config.read_text() + "theme: mine\n")
    build(root)
    after = inodes(root / "_site")
    assert all(after[p] != before.get(p) for p in after)
    assert all('content="mine"' in (root / "_site" / p).read_text() for p in after)
    assert tree(root / "_site") == cold_tree(root, tmp_path / "cold")


def test_editing_an_existing_theme_template_rerenders_every_page(make_site, tmp_path):
    """An edit to a template of the theme in use shows on every page of the next build in
    the same process (the theme's digest was once kept for the life of the process)."""
    root = make_site("""
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
theme: mine
-- themes/mine/templates/base.html --
{% extends "!default/base.html" %}
{% block extra_head %}<meta name="x-theme" content="before-edit">{% endblock %}
""" + SITE)
    add_notebook(root)
    build(root)
    out = root / "_site"

    def theme_values() -> dict[str, list[str]]:
        return {p.relative_to(out).as_posix():
                [m.get("content") for m in BeautifulSoup(p.read_text("utf-8"), "html.parser")
                 .find_all("meta", attrs={"name": "x-theme"})]
                for p in sorted(out.rglob("*.html"))}

    first = theme_values()
    assert first and all(v == ["before-edit"] for v in first.values()), first
    template = root / "themes/mine/templates/base.html"
    template.write_text(template.read_text().replace("before-edit", "after-edit"))
    report = build(root)
    assert not report.up_to_date
    second = theme_values()
    assert second.keys() == first.keys()
    assert all(v == ["after-edit"] for v in second.values()), second
    assert tree(out) == cold_tree(root, tmp_path / "cold")


def test_hand_edited_output_page_is_rendered_again(make_site):
    root = make_site(CONFIG + SITE)
    build(root)
    about = root / "_site/about/index.html"
    good = about.read_text()
    with about.open("a") as handle:  # an edit in place, as some editors save
        handle.write("<p>scribbled</p>")
    (root / "content/posts/2024-01-01-first.md").write_text(
        "---\ntitle: First\ntags: [a]\n---\nChanged.\n")
    build(root)
    assert about.read_text() == good


def test_warnings_of_kept_pages_are_repeated(make_site):
    root = make_site(CONFIG + SITE + """
-- content/posts/2024-01-04-broken.md --
---
title: Broken
---
A [missing](nothere.md) link and a <a href="../nowhere/">raw one</a>.

<p>Traceback (most recent call last)</p>
""")
    first = RecordingReporter()
    build(root, reporter=first)
    (root / "content/about.md").write_text("# About\nMe, edited.\n")
    second = RecordingReporter()
    build(root, reporter=second)
    messages = lambda r: sorted(d.message for d in r.diagnostics)  # noqa: E731
    assert any("nothere.md" in m for m in messages(first))
    assert any("nowhere" in m for m in messages(first))
    assert any("traceback" in m for m in messages(first))
    assert messages(second) == messages(first)


def test_deleted_and_added_posts(make_site, tmp_path):
    root = make_site(CONFIG + SITE)
    add_notebook(root)
    build(root)
    (root / "content/posts/2024-01-03-third.md").unlink()
    build(root)
    out = root / "_site"
    assert not (out / "blog/third").exists()
    assert tree(out) == cold_tree(root, tmp_path / "cold")
    (root / "content/posts/2024-02-01-fourth.md").write_text("---\ntitle: Fourth\n---\nNew.\n")
    add_notebook(root, "2")
    build(root)
    assert (out / "blog/fourth/index.html").is_file()
    assert tree(out) == cold_tree(root, tmp_path / "cold")


def test_a_tampered_spare_tree_is_repaired(make_site, tmp_path):
    """Whatever is in `.portfolio/spare` (junk, stale pages, a folder where a file goes, a
    symlink to a secret), the next build publishes exactly the site."""
    root = make_site(CONFIG + SITE)
    add_notebook(root)
    build(root)
    (root / "content/about.md").write_text("# About\nOne.\n")
    build(root)  # the old site is now the spare
    spare = root / ".portfolio/spare"
    assert (spare / ".portfolio-build").is_file()
    (spare / "junk.html").write_text("junk")
    (spare / "blog/first/index.html").unlink()
    (spare / "blog/first/index.html").mkdir()
    shutil.rmtree(spare / "tags")
    (spare / "blog/second/index.html").unlink()
    (spare / "blog/second/index.html").write_text("stale")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, spare / "assets/secret.txt")
    (root / "content/about.md").write_text("# About\nTwo.\n")
    build(root)
    out = root / "_site"
    assert tree(out) == cold_tree(root, tmp_path / "cold")
    assert not any(p.is_symlink() for p in out.rglob("*"))


def test_a_foreign_folder_at_the_spare_path_is_left_alone(make_site, tmp_path):
    root = make_site(CONFIG + SITE)
    build(root)
    spare = root / ".portfolio/spare"
    shutil.rmtree(spare, ignore_errors=True)
    spare.mkdir(parents=True)
    (spare / "mine.txt").write_text("mine")  # not ours: no marker
    (root / "content/about.md").write_text("# About\nThree.\n")
    build(root)
    assert (spare / "mine.txt").read_text() == "mine"
    assert tree(root / "_site") == cold_tree(root, tmp_path / "cold")


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edit_sequences_equal_cold_builds(make_site, tmp_path, seed):
    """Twelve random edits (add, delete, retitle, retag, reword, notebook, config): after each,
    the incremental build equals a cold build of the same sources, byte for byte."""
    import random

    rng = random.Random(seed)
    root = make_site(CONFIG + SITE)
    add_notebook(root)
    build(root)
    posts = root / "content/posts"
    for step in range(12):
        choice = rng.choice(["add", "delete", "title", "tags", "body", "notebook", "config"])
        existing = sorted(posts.glob("*.md"))
        if choice == "add" or len(existing) < 2:
            day = rng.randint(1, 28)
            (posts / f"2024-03-{day:02d}-p{step}.md").write_text(
                f"---\ntitle: Post {step}\ntags: [t{rng.randint(0, 3)}]\n---\nBody {step}.\n")
        elif choice == "delete":
            rng.choice(existing).unlink()
        elif choice in ("title", "tags", "body"):
            path = rng.choice(existing)
            text = path.read_text()
            if choice == "title":
                text = text.replace("title: ", f"title: R{step} ", 1)
            elif choice == "tags":
                text = text.replace("---\n", f"---\ntags: [n{step}]\n", 1) \
                    if "tags:" not in text else text.replace("tags: [", f"tags: [n{step}, ", 1)
            else:
                text += f"\nMore {step}.\n"
            path.write_text(text)
        elif choice == "notebook":
            add_notebook(root, str(step))
        else:
            config = root / "portfolio.yml"
            config.write_text(config.read_text().replace("title: ", f"title: S{step} ", 1))
        build(root)
        assert tree(root / "_site") == cold_tree(root, tmp_path / "cold"), (step, choice)


def test_the_summary_says_how_much_was_kept(make_site):
    from .helpers_reliability import cli

    root = make_site(CONFIG + SITE)
    first = cli("build", cwd=root)
    assert first.exit_code == 0, first.output
    assert "unchanged" not in first.output
    (root / "content/about.md").write_text("# About\nMe, edited.\n")
    second = cli("build", cwd=root)
    assert second.exit_code == 0, second.output
    line = next(x for x in second.output.splitlines() if x.startswith("Built"))
    assert " unchanged; 1 document converted, 3 from cache)" in line, line


def test_without_renameat2_each_build_stages_afresh(make_site, tmp_path, monkeypatch):
    """Elsewhere than Linux there is no spare tree; rebuilds still keep pages and equal cold
    builds."""
    monkeypatch.setattr("sys.platform", "darwin")
    root = make_site(CONFIG + SITE)
    build(root)
    (root / "content/about.md").write_text("# About\nElsewhere.\n")
    build(root)
    assert not (root / ".portfolio/spare").exists()
    assert not [p.name for p in root.iterdir() if ".staging-" in p.name or ".old-" in p.name]
    assert tree(root / "_site") == cold_tree(root, tmp_path / "cold")
