"""Issue 15: input that crashed the build, or was accepted silently and wrong.

Each case is one clear message naming the file (and line), exit code 1 from the CLI, never a
traceback, and the previous `_site/` left byte-identical.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build

from .helpers_reliability import (
    CONFIG,
    GOOD_POST,
    assert_clean,
    cli,
    code_cell,
    digest,
    make,
    md_cell,
    nb,
)

_NB = nb([md_cell("# A notebook\n\ntext"), code_cell("print(1)")])


def _site(tmp_path: Path, config: str = CONFIG, files: dict[str, str] | None = None) -> Path:
    """A good site, built once: the previous `_site/` every failing case must leave alone."""
    root = make(tmp_path / "s", {"content/posts/good.md": GOOD_POST, **(files or {})}, config)
    assert_clean(cli("build", cwd=root), 0)
    return root


def _fails(root: Path, files: dict[str, str | bytes] | None = None, config: str | None = None,
           ) -> str:
    """Write `files` (and `config`) over the built site, build: exit 1, one clean message,
    `_site/` untouched. Returns the output."""
    before = digest(root / "_site")
    make(root, files or {}, config)
    text = assert_clean(cli("build", cwd=root), 1)
    assert digest(root / "_site") == before
    return text


def _line(text: str, where: str) -> str:
    """The one error line that starts with `where` (a file, or file:line)."""
    found = sorted({line for line in text.splitlines() if line.startswith(where)})  # out+err
    assert len(found) == 1, text
    assert len(found[0]) < 200, found[0]  # no value quoted in full
    return found[0]


# -- 1. internal errors: now a message naming the file ------------------------------------------

@pytest.mark.parametrize("front", [
    "x: " + "[" * 500 + "]" * 500,
    "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 500)),
    "x: " + "{a: " * 500 + "1" + "}" * 500,
], ids=["lists", "block-mappings", "flow-mappings"])
def test_front_matter_nested_500_levels_deep(tmp_path: Path, front: str) -> None:
    root = _site(tmp_path)
    text = _fails(root, {"content/posts/deep.md": f"---\ntitle: D\ndate: 2024-01-01\n{front}\n"
                                                  "---\nbody\n"})
    assert "nested more than 50 levels deep" in _line(text, "content/posts/deep.md:"), text


def test_portfolio_yml_nested_500_levels_deep(tmp_path: Path) -> None:
    root = _site(tmp_path)
    text = _fails(root, config=CONFIG + "skills:\n  python: " + "[" * 500 + "]" * 500 + "\n")
    assert "nested more than 50 levels deep" in _line(text, "portfolio.yml:10:"), text  # python:


def test_front_matter_nested_50_levels_is_fine(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": "---\ntitle: X\ndate: 2024-01-01\nx: "
                                 + "[" * 49 + "]" * 49 + "\n---\nbody\n"}, CONFIG)
    build(root, out_dir=root / "_site")


def test_notebook_nested_thousands_of_levels_deep(tmp_path: Path) -> None:
    root = _site(tmp_path)
    for depth in (500, 50_000):
        text = _fails(root, {"projects/deep.ipynb": nb(
            [md_cell("# D")], metadata={"x": "DEEP"}).replace('"DEEP"', "[" * depth
                                                             + "]" * depth)})
        assert "nested more than 100 levels deep" in _line(text, "projects/deep.ipynb"), text


def test_notebook_with_a_400_digit_number(tmp_path: Path) -> None:
    root = _site(tmp_path)
    huge = "9" * 400
    text = _fails(root, {"projects/big.ipynb": _NB.replace('"nbformat": 4', f'"nbformat": {huge}')})
    line = _line(text, "projects/big.ipynb:1: unsupported notebook format version 9999")
    assert "..." in line, line
    # valid JSON, valid nbformat: a long execution count is only a number
    make(root, {"projects/big.ipynb": _NB.replace('"execution_count": 1',
                                                  f'"execution_count": {huge}')}, None)
    assert_clean(cli("build", cwd=root), 0)
    # past the 4300 digits Python reads: a clean message with the line, not a ValueError
    lines = _NB.replace('"execution_count": 1', '"execution_count": ' + "9" * 5000)
    number_line = lines[:lines.index("9" * 5000)].count("\n") + 1
    text = _fails(root, {"projects/big.ipynb": lines})
    assert "a number too long to read" in _line(text, f"projects/big.ipynb:{number_line}:"), text
    text = _fails(root, {"projects/big.ipynb": _NB, "content/posts/big.md":
                         f"---\ntitle: B\ndate: 2024-01-01\norder: {'9' * 5000}\n---\nb\n"})
    assert "a number too long to read" in _line(text, "content/posts/big.md:4:"), text


@pytest.mark.parametrize("minor", ['"5"', "4.5", "-1", "true", "null"])
def test_notebook_with_a_string_nbformat_minor(tmp_path: Path, minor: str) -> None:
    root = _site(tmp_path)
    text = _fails(root, {"projects/m.ipynb": _NB.replace('"nbformat_minor": 5',
                                                         f'"nbformat_minor": {minor}')})
    _line(text, "projects/m.ipynb:1: 'nbformat_minor' must be a whole number, not ")


@pytest.mark.parametrize("key", ["pygments_style", "pygments_dark_style"])
def test_unknown_pygments_style(tmp_path: Path, key: str) -> None:
    root = _site(tmp_path)
    text = _fails(root, config=CONFIG + f"{key}: monokia\n")
    assert f"unknown Pygments style 'monokia' for '{key}'" in _line(text, "portfolio.yml:9:")
    hint = text.split("hint:", 1)[1]
    assert "monokai" in hint and "default" in hint, text  # the close match, and a few others


@pytest.mark.parametrize("theme", ["/etc", "/tmp", "../s", "themes/t", "~", ".", "a\\b"])
def test_theme_set_to_an_absolute_path(tmp_path: Path, theme: str) -> None:
    root = _site(tmp_path)
    (tmp_path / "s/themes/t/templates").mkdir(parents=True)
    text = _fails(root, config=CONFIG + f"theme: {json.dumps(theme)}\n")
    assert "'theme' must be the name of a folder under themes/" in \
        _line(text, "portfolio.yml:9:"), text


@pytest.mark.parametrize("body, needle, line", [
    (b"<p>caf\xe9</p>\n{{ content }}", "not UTF-8 text (byte 6)", 1),
    ("{% extends 'base.html' %}\n{% block content %}{{ 1/0 }}{% endblock %}",
     "template error: division by zero", 2),
    ("{% extends 'base.html' %}\n{% block content %}\n{% include 'post.html' %}"
     "{% endblock %}", "endless recursion", 3),
    ("{% extends 'post.html' %}", "endless recursion", 1),
    ("{% extends 'base.html' %}\n{% block content %}{{ doc.title.nope.x }}{% endblock %}",
     "template error:", 2),
], ids=["not-utf8", "raises", "includes-itself", "extends-itself", "undefined"])
def test_theme_template_that_fails(tmp_path: Path, body: str | bytes, needle: str,
                                   line: int) -> None:
    root = _site(tmp_path, CONFIG + "theme: t\n",
                 {"themes/t/templates/post.html": "{% extends 'base.html' %}"})
    text = _fails(root, {"themes/t/templates/post.html": body})
    found = _line(text, f"themes/t/templates/post.html:{line}: ")
    assert needle in found, text
    assert "internal error" not in text and "bug in portfolio" not in text, text


@pytest.mark.parametrize("files, where", [
    ({"post.html": "<main>\n\n{% include 'post.html' %}\n</main>"}, "post.html:3: "),
    ({"post.html": "{% extends 'base.html' %}{% block content %}{% include 'a.html' %}"
                   "{% endblock %}",
      "a.html": "a\n{% include 'b.html' %}", "b.html": "b\n\n\n{% include 'a.html' %}"},
     "b.html:4: "),
], ids=["includes-itself-at-top-level", "includes-itself-through-another"])
def test_theme_template_that_includes_itself_names_the_include_line(
        tmp_path: Path, files: dict[str, str], where: str) -> None:
    """The line is the `{% include %}` that closes the cycle, not wherever the stack ran out."""
    root = _site(tmp_path, CONFIG + "theme: t\n",
                 {"themes/t/templates/post.html": "{% extends 'base.html' %}"})
    text = _fails(root, {f"themes/t/templates/{name}": body for name, body in files.items()})
    assert "endless recursion" in _line(text, f"themes/t/templates/{where}"), text
    assert "internal error" not in text and "bug in portfolio" not in text, text


def test_theme_template_included_not_utf8_is_named(tmp_path: Path) -> None:
    root = _site(tmp_path, CONFIG + "theme: t\n", {
        "themes/t/templates/post.html": "{% extends 'base.html' %}{% block content %}"
                                        "{% include 'part.html' %}{% endblock %}",
        "themes/t/templates/part.html": "ok"})
    text = _fails(root, {"themes/t/templates/part.html": b"line one\n\xff\n"})
    assert "not UTF-8 text" in _line(text, "themes/t/templates/part.html:2: "), text


# -- 2. accepted silently, and wrong -------------------------------------------------------------

def test_duplicate_key_in_portfolio_yml(tmp_path: Path) -> None:
    root = _site(tmp_path)
    text = _fails(root, config=CONFIG + "title: Again\n")
    line = _line(text, "portfolio.yml:9:1: ")
    assert "duplicate key 'title' (first on line 1)" in line, text
    nested = CONFIG.replace("  branch: main\n", "  branch: main\n  owner: other\n")
    text = _fails(root, config=nested)
    assert "duplicate key 'owner' (first on line 6)" in _line(text, "portfolio.yml:9:"), text


@pytest.mark.parametrize("front, where", [
    ("title: A\ndate: 2024-01-01\ntitle: B\n", "content/posts/dup.md:4:1: "),
    ("title: A\ndate: 2024-01-01\ntags: {a: 1, a: 2}\n", "content/posts/dup.md:4:"),
    ("title: A\ndate: 2024-01-01\n'date': 2024-02-02\n", "content/posts/dup.md:4:1: "),
])
def test_duplicate_key_in_front_matter(tmp_path: Path, front: str, where: str) -> None:
    root = _site(tmp_path)
    text = _fails(root, {"content/posts/dup.md": f"---\n{front}---\nbody\n"})
    assert re.search(r"duplicate key '(title|a|date)' \(first on line \d\)",
                     _line(text, where)), text


def test_duplicate_key_in_notebook_front_matter_cell(tmp_path: Path) -> None:
    root = _site(tmp_path)
    text = _fails(root, {"projects/dup.ipynb": nb([md_cell("---\ntitle: A\ntitle: B\n---")])})
    assert "duplicate key 'title' (first on line 1)" in _line(text, "projects/dup.ipynb"), text


@pytest.mark.parametrize("key, value", [
    ("owner", "a/b"), ("owner", "a b"), ("owner", ".."), ("owner", "-x"), ("owner", "x-"),
    ("owner", "x" * 40), ("repo", "a/b"), ("repo", "a b"), ("repo", ".."), ("repo", "."),
    ("repo", "x" * 101), ("repo", "../../etc"),
])
def test_github_owner_or_repo_with_a_slash_space_or_dotdot(tmp_path: Path, key: str,
                                                           value: str) -> None:
    root = _site(tmp_path)
    text = _fails(root, config=CONFIG.replace(f"  {key}: {'tester' if key == 'owner' else 'repo'}",
                                              f"  {key}: {json.dumps(value)}"))
    line = {"owner": 6, "repo": 7}[key]
    assert f"'github.{key}' is not a GitHub" in _line(text, f"portfolio.yml:{line}: "), text


@pytest.mark.parametrize("owner, repo", [("a", "a"), ("tester-2", "my.site_v2-x"),
                                         ("X" * 39, "r" * 100), ("a-b-c", ".github")])
def test_github_names_github_accepts(tmp_path: Path, owner: str, repo: str) -> None:
    root = make(tmp_path / "s", {"content/posts/good.md": GOOD_POST},
                CONFIG.replace("owner: tester", f"owner: {owner}")
                .replace("repo: repo", f"repo: {repo}"))
    build(root, out_dir=root / "_site")


@pytest.mark.parametrize("branch", ["a b", "a..b", "a~1", "a^", "a:b", "a?", "a*", "a[b",
                                    "a\\\\b", "a@{1}", "-x", "/x", "x/", "x.lock", "", "x.",
                                    "a//b", "a/.b", "\\t"])
def test_github_branch_with_characters_git_refuses(tmp_path: Path, branch: str) -> None:
    root = _site(tmp_path)
    text = _fails(root, config=CONFIG.replace("branch: main", f'branch: "{branch}"'))
    assert "'github.branch' is not a name git accepts" in _line(text, "portfolio.yml:8: "), text


@pytest.mark.parametrize("branch", ["main", "gh-pages", "release/v1.2", "feature_x", "v1.0"])
def test_github_branch_names_git_accepts(tmp_path: Path, branch: str) -> None:
    root = make(tmp_path / "s", {"content/posts/good.md": GOOD_POST},
                CONFIG.replace("branch: main", f"branch: {branch}"))
    build(root, out_dir=root / "_site")


@pytest.mark.parametrize("section, where", [
    ("menu:\n  - title: Home\n    url: /\n  - title: Evil\n    url: javascript:alert(1)\n",
     "portfolio.yml:13: menu item 'Evil'"),
    ("menu:\n  - title: Evil\n    url: ' VBScript:msgbox'\n", "portfolio.yml:11: menu item"),
    ("menu:\n  - title: Evil\n    url: data:text/html,<script>x</script>\n",
     "portfolio.yml:11: menu item"),
])
def test_menu_link_with_a_script_url(tmp_path: Path, section: str, where: str) -> None:
    root = _site(tmp_path)
    text = _fails(root, config=CONFIG + section)
    assert "script URL" in _line(text, where), text


@pytest.mark.parametrize("extra, where", [
    ("  links:\n    GitHub: https://github.com/tester\n    Evil: javascript:alert(1)\n",
     "portfolio.yml:7: author link 'Evil'"),
    ("  links:\n    Evil: 'data:text/html;base64,PHNjcmlwdD4='\n", "portfolio.yml:6: author"),
    ("  avatar: javascript:alert(1)\n", "portfolio.yml:5: 'author.avatar'"),
])
def test_author_link_with_a_script_url(tmp_path: Path, extra: str, where: str) -> None:
    root = _site(tmp_path)
    text = _fails(root, config=CONFIG.replace("  name: Test Author\n",
                                              "  name: Test Author\n" + extra))
    assert "script URL" in _line(text, where), text


def test_safe_menu_and_author_links_still_build(tmp_path: Path) -> None:
    config = CONFIG.replace("  name: Test Author\n", "  name: Test Author\n  links:\n"
                            "    Mail: mailto:me@example.com\n    Web: https://example.com\n") \
        + "menu:\n  - title: Blog\n    url: /blog/\n  - title: Out\n    url: https://x.org/\n"
    root = make(tmp_path / "s", {"content/posts/good.md": GOOD_POST}, config)
    build(root, out_dir=root / "_site")
    page = (root / "_site/index.html").read_text()
    assert "mailto:me@example.com" in page and "https://x.org/" in page


@pytest.mark.parametrize("output, why", [("~", "it is your home folder"),
                                         ("~/", "it is your home folder"),
                                         (".", "it is the site's own folder"),
                                         ("./", "it is the site's own folder"),
                                         ("..", "it holds the site's own folder")])
def test_output_tilde_is_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         output: str, why: str) -> None:
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    (home / "notes/keep.txt").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    root = _site(tmp_path)
    text = _fails(root, config=CONFIG + f"output: {json.dumps(output)}\n")
    assert f"refusing 'output: {output}': {why}" in _line(text, "portfolio.yml:9: "), text
    assert digest(home) == {"notes/keep.txt": digest(home)["notes/keep.txt"]}
    assert not (root / "~").exists()  # never a folder literally named '~'


def test_output_under_the_home_folder_is_expanded(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    root = make(tmp_path / "s", {"content/posts/good.md": GOOD_POST},
                CONFIG + "output: ~/www/portfolio\n")
    assert_clean(cli("build", cwd=root), 0)
    assert (tmp_path / "home/www/portfolio/blog/good/index.html").is_file()
    assert not (root / "~").exists()


# -- 3. script URLs through raw HTML -------------------------------------------------------------

@pytest.mark.parametrize("tag", [
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<meta http-equiv=refresh content='0; URL=\"javascript:alert(1)\"'>",
    '<meta http-equiv="Refresh" content="0javascript:alert(1)">',
    '<meta http-equiv="refresh" content="1,data:text/html;base64,PHNjcmlwdD4=">',
    '<meta content="0;url=java&#x09;script:alert(1)" http-equiv="refresh">',
])
def test_meta_refresh_to_a_javascript_url(tmp_path: Path, tag: str) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": GOOD_POST + "\n" + tag + "\n",
                                 "projects/n.ipynb": nb([md_cell("# N\n\n" + tag)])}, CONFIG)
    for safe in ("", "safe: true\n"):
        (root / "portfolio.yml").write_text(CONFIG + safe)
        build(root, out_dir=root / "_site")
        for name in ("blog/x/index.html", "projects/n/index.html"):
            assert _script_attributes((root / "_site" / name).read_text()) == [], (safe, name)
        [post] = _feed_contents(root / "_site/feed.xml")
        assert "refresh" in post.lower() or safe, post  # the tag is there, its URL is not
        assert _script_attributes(post) == [], post


def _feed_contents(feed: Path) -> list[str]:
    """The HTML of each entry's content in an Atom feed."""
    atom = "{http://www.w3.org/2005/Atom}"
    return [c.text or "" for c in ET.parse(feed).getroot().iter(f"{atom}content")]


def _script_attributes(html: str) -> list[str]:
    """Attributes holding a script-capable URL anywhere in their value (entities read)."""
    found = []
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if re.search(r"javascript:|vbscript:|data:text", re.sub(r"[\x00-\x20]", "", value),
                         re.IGNORECASE):
                found.append(f"{tag.name}[{name}]={value!r}")
    return found


def test_every_url_attribute_is_scrubbed(tmp_path: Path) -> None:
    hostile = ('<div>\n<a/href="javascript:alert(1)">a</a>'
               ' <a title="x"href="javascript:alert(2)">b</a>'
               ' <svg><set attributeName="href" to="javascript:alert(3)"/>'
               '<animate attributeName="href" values="https://ok;javascript:alert(4)"/></svg>'
               ' <a href="data&colon;text/html,alert(5)">c</a>'
               ' <blockquote cite="javascript:alert(6)">q</blockquote>'
               ' <table background="javascript:alert(7)"></table>'
               ' <a ping="https://ok javascript:alert(8)" href="/">d</a>\n</div>')
    root = make(tmp_path / "s", {"content/posts/x.md": GOOD_POST + "\n" + hostile + "\n"}, CONFIG)
    build(root, out_dir=root / "_site")
    page = (root / "_site/blog/x/index.html").read_text()
    assert _script_attributes(page) == [], page
    assert page.count('="#"') >= 7, page
    [post] = _feed_contents(root / "_site/feed.xml")
    assert _script_attributes(post) == [], post


def test_harmless_meta_and_links_are_kept(tmp_path: Path) -> None:
    kept = ('<meta http-equiv="refresh" content="5; url=https://example.com/next">'
            ' <a href="https://example.com/?a=1&amp;b=2">ok</a>'
            ' <span content="javascript: the good parts">book</span>')
    root = make(tmp_path / "s", {"content/posts/x.md": GOOD_POST + "\n" + kept + "\n"}, CONFIG)
    build(root, out_dir=root / "_site")
    page = (root / "_site/blog/x/index.html").read_text()
    assert 'content="5; url=https://example.com/next"' in page
    assert "https://example.com/?a=1&amp;b=2" in page
    assert 'content="javascript: the good parts"' in page  # text, not a refresh
