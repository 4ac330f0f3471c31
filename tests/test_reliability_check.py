"""`portfolio check` and `build --strict`: what a visitor and a reviewer would trip over."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .helpers_reliability import CONFIG, assert_clean, cli, code_cell, make, md_cell, nb


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME":
                        "t", "GIT_COMMITTER_EMAIL": "t@x", "PATH": "/usr/bin:/bin"})


def test_check_notebooks_that_will_not_run_in_colab(tmp_path: Path) -> None:
    error = {"output_type": "error", "ename": "NameError", "evalue": "x is not defined",
             "traceback": []}
    bad = nb([md_cell("# Bad"), code_cell("df = read('/Users/ada/data.csv')", count=2),
              code_cell("y = 1", count=1), code_cell("z = 2", count=None),
              code_cell("x", [error], count=3)])
    good = nb([md_cell("# Good"), code_cell("1", count=1)])
    root = make(tmp_path / "s", {"projects/bad.ipynb": bad, "projects/good.ipynb": good,
                                 "projects/new.ipynb": good}, CONFIG)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "projects/bad.ipynb", "projects/good.ipynb", "portfolio.yml")
    _git(root, "commit", "-q", "-m", "x")
    (root / "projects/good.ipynb").write_text(good.replace('"1"', '"2"'))
    text = assert_clean(cli("check", "--strict", cwd=root), 1)
    assert "projects/bad.ipynb: cell 2, line 1: absolute local path '/Users/ada/data.csv'" in text
    assert "projects/bad.ipynb: 1 code cell(s) never run (cells 4)" in text
    assert "projects/bad.ipynb: cells ran out of order (cell 2 is [2], cell 3 is [1])" in text
    assert "projects/bad.ipynb: cell 5: error output left in (NameError" in text
    assert "projects/new.ipynb: not committed to 'main'" in text
    assert "projects/good.ipynb: changed since the last commit on 'main'" in text
    assert "projects/good.ipynb: cell" not in text
    assert_clean(cli("check", cwd=root), 0)  # findings without --strict: a report, exit 0
    assert_clean(cli("build", "--strict", cwd=root), 1)
    assert not (root / "_site").exists()


def test_check_links_alt_budget_and_404_depth(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/x.md": "---\ntitle: X\ndate: 2024-01-01\n---\n\n## Real\n\n"
        "[ok](#real) [bad](#nope) [up](/elsewhere/) ![](pic.png)\n\n" + "word " * 30_000,
        "content/posts/pic.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 3000,
        "themes/t/templates/404.html": "{% extends '!default/404.html' %}{% block content %}"
        "<a href='blog/'>blog</a>{% endblock %}"},
        config=CONFIG + "theme: t\nbudget_page_kb: 100\n")
    text = assert_clean(cli("check", "--strict", "--no-git", cwd=root), 1)
    assert "content/posts/x.md:" in text and "'#nope'" in text
    assert "#real" not in text.replace("'#nope'", "")
    assert "'/elsewhere/' is outside the site's base path /repo/" in text
    assert "image 'pic.png' has no alt text" in text
    assert "over the page budget of 100 KB" in text
    assert "relative link 'blog/' in 404.html breaks when the page is served at depth" in text


def test_check_clean_example_site_has_no_findings(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": "---\ntitle: X\ndate: 2024-01-01\n---\n"
                                 "\n## A\n\n[a](#a) and [about](../about.md)\n",
                                 "content/about.md": "# About\n\n![me](me.png)\n",
                                 "content/me.png": b"\x89PNG\r\n\x1a\n"}, CONFIG)
    text = assert_clean(cli("check", "--strict", "--no-git", cwd=root), 0)
    assert "No problems found." in text


def test_fast_link_scan_agrees_with_the_html_parser(example_build):
    """Every build scans links with regular expressions; `check --strict` parses HTML. On the
    example site (notebooks, plotly JSON in scripts, math, tables) both see the same."""
    from generator.checks.pages import _parse, _scan

    pages = sorted(example_build.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        data = page.read_bytes()
        ids, links = _scan(data)
        parsed = _parse(data)
        assert set(ids) == parsed.ids, page
        assert sorted(links) == sorted(parsed.links), page
