"""RELIABILITY.md "Bad input" B1-B11: one clear error each, never a traceback or half a site."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build
from generator.model.errors import BuildFailed, PortfolioError

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


def _errors(root: Path, **kw) -> list[str]:
    with pytest.raises(PortfolioError) as info:
        build(root, out_dir=root / "_site", **kw)
    exc = info.value
    return [str(e) for e in exc.errors] if isinstance(exc, BuildFailed) else [str(exc)]


def test_B1_unclosed_list_in_front_matter(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/x.md": "---\ntitle: X\ndate: 2024-01-01\ntags: [a, b\n---\nbody\n",
        "content/posts/good.md": GOOD_POST}, CONFIG)
    result = cli("build", "--keep-going", cwd=root)
    text = assert_clean(result, 1)
    assert "content/posts/x.md:5:1: invalid front matter" in text or \
        "content/posts/x.md:4:" in text, text
    assert "']'" in text  # the hint says what to close
    assert (root / "_site/blog/good/index.html").is_file()  # others unaffected


def test_B1_impossible_date(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": "---\ntitle: X\ndate: 2024-13-45\n---\nb\n"},
                CONFIG)
    [error] = _errors(root)
    assert error.startswith("content/posts/x.md:3: invalid front matter"), error
    text = assert_clean(cli("build", cwd=root), 1)
    assert "hint:" in text and "quote" in text


@pytest.mark.parametrize("front, needle", [
    ("- a\n- b", "not a list"),
    ("just text", "not a single value"),
    ("title: X\ndate: 2024-01-01\nslug: 0123", "'slug' must be text"),
    ("title: NO\ndate: 2024-01-01", "'title' must be text"),
    ("title: ''\ndate: 2024-01-01", "'title' is empty"),
    ("title: X\ndate: 2024-01-01\ndraft: maybe", "'draft' must be true or false"),
    ("title: X\ndate: 2024-01-01\ntags: {a: 1}", "'tags' must be a list"),
])
def test_B2_wrong_shapes_and_types(tmp_path: Path, front: str, needle: str) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": f"---\n{front}\n---\nbody\n"}, CONFIG)
    [error] = _errors(root)
    assert error.startswith("content/posts/x.md:"), error
    assert needle.replace("not a list", "not a list") in error or needle in error, error
    assert not (root / "_site").exists()  # silent coercion is never published


def test_B2_quote_hint_and_empty_block(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": "---\ntitle: NO\ndate: 2024-01-01\n---\n"},
                CONFIG)
    text = assert_clean(cli("build", cwd=root), 1)
    assert "content/posts/x.md:2:" in text and "quotes" in text
    empty = make(tmp_path / "e", {"content/about.md": "---\n---\n# About me\n\nhi\n"}, CONFIG)
    build(empty, out_dir=empty / "_site")
    assert "About me" in (empty / "_site/about/index.html").read_text()


def test_B3_bom_crlf_and_final_newline_variants_are_identical(tmp_path: Path) -> None:
    text = "---\ntitle: T\ndate: 2024-01-01\n---\n\nPara one.\n\n- a\n- b\n"
    variants = {"lf": text.encode(), "bom": b"\xef\xbb\xbf" + text.encode(),
                "crlf": text.replace("\n", "\r\n").encode(), "nofinal": text.rstrip("\n").encode()}
    pages = set()
    for name, data in variants.items():
        root = make(tmp_path / name, {"content/posts/t.md": data}, CONFIG)
        build(root, out_dir=root / "_site")
        pages.add((root / "_site/blog/t/index.html").read_bytes())
    assert len(pages) == 1


def test_B3_unterminated_latin1_and_empty(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/open.md": "---\ntitle: T\ndate: 2024-01-01\nbody\n",
        "content/posts/latin.md": "---\ntitle: café\n---\n".encode("latin-1"),
        "content/posts/empty.md": b"",
        "content/posts/good.md": GOOD_POST}, CONFIG)
    errors = _errors(root)
    assert any(e.startswith("content/posts/open.md:1: front matter starts with '---' but is "
                            "never closed") for e in errors), errors
    assert any(e.startswith("content/posts/latin.md:2: not UTF-8") and "offset 14" in e
               for e in errors), errors
    assert len(errors) == 2  # the empty file is a warning, not an error
    text = assert_clean(cli("build", "--keep-going", cwd=root), 1)
    assert "UnicodeDecodeError" not in text
    assert "content/posts/empty.md: empty file" in text


@pytest.mark.parametrize("files", [
    {"content/posts/a.md": "---\ntitle: A\ndate: 2024-01-01\nslug: same\n---\n",
     "content/posts/b.md": "---\ntitle: B\ndate: 2024-01-01\nslug: same\n---\n"},
    {"content/a.md": "# A\n", "content/a/index.md": "# A too\n"},
    {"projects/Demo.md": "# One\n", "projects/demo.md": "# Two\n"},
])
def test_B4_two_sources_one_url(tmp_path: Path, files: dict[str, str]) -> None:
    root = make(tmp_path / "s", files, CONFIG)
    errors = _errors(root)
    names = sorted(files)
    assert any(names[0] in e and names[1] in e for e in errors), errors
    assert not (root / "_site").exists()


@pytest.mark.parametrize("data, needle", [
    ('{\n "cells": [],\n<<<<<<< HEAD\n "nbformat": 4,\n=======\n "nbformat": 3,\n>>>>>>> x\n}',
     "merge-conflict"),
    ('{"cells": [', "cut short"),
    ("", "empty"),
])
def test_B5_conflict_truncated_empty_notebook(tmp_path: Path, data: str, needle: str) -> None:
    root = make(tmp_path / "s", {"projects/x.ipynb": data}, CONFIG)
    text = assert_clean(cli("build", cwd=root), 1)
    assert "projects/x.ipynb:" in text and needle in text, text
    if needle == "merge-conflict":
        assert "projects/x.ipynb:3:1: not valid JSON" in text


@pytest.mark.parametrize("data, needle", [
    ("[]", "not a Jupyter notebook"),
    ("{}", "not a Jupyter notebook"),
    ('{"nbformat": 4}', "not a Jupyter notebook"),
    ('{"cells": [{"cell_type": "code", "source": "1", "metadata": {}, "execution_count": 1}],'
     ' "metadata": {}, "nbformat": 4, "nbformat_minor": 4}', "cell 1"),
])
def test_B6_json_that_is_not_a_notebook(tmp_path: Path, data: str, needle: str) -> None:
    root = make(tmp_path / "s", {"projects/x.ipynb": data}, CONFIG)
    [error] = _errors(root)
    assert error.startswith("projects/x.ipynb") and needle in error, error
    if needle == "cell 1":
        assert "outputs" in error
    assert_clean(cli("build", cwd=root), 1)


def test_B7_old_notebooks_render_and_are_never_rewritten(tmp_path: Path) -> None:
    v3 = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "old"},
                     "worksheets": [{"cells": [
                         {"cell_type": "heading", "level": 1, "source": "Old notebook",
                          "metadata": {}},
                         {"cell_type": "code", "language": "python", "input": "print(42)",
                          "prompt_number": 1, "metadata": {},
                          "outputs": [{"output_type": "stream", "stream": "stdout",
                                       "text": "42\n"}]}]}]})
    v44 = nb([md_cell("# No ids"), code_cell("1 + 1")], minor=4)
    root = make(tmp_path / "s", {"projects/v3.ipynb": v3, "projects/v44.ipynb": v44}, CONFIG)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.glob("projects/*")}
    build(root, out_dir=root / "_site")
    html = (root / "_site/projects/v3/index.html").read_text()
    assert "Old notebook" in html and "42" in html
    assert "No ids" in (root / "_site/projects/v44/index.html").read_text()
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.glob("projects/*")}
    assert before == after


def test_B8_huge_output_warns_and_finishes(tmp_path: Path) -> None:
    big = {"output_type": "stream", "name": "stdout",
           "text": ("line of output " * 6 + "\n") * 120_000}  # ~11 MB
    root = make(tmp_path / "s", {"projects/big.ipynb": nb([md_cell("# Big"),
                                                           code_cell("spam()", [big])])},
                config=CONFIG + "budget_page_kb: 100\n")
    started = time.monotonic()
    result = cli("build", cwd=root)
    elapsed = time.monotonic() - started
    text = assert_clean(result, 0)
    assert "projects/big/index.html" in text and "budget" in text, text
    assert elapsed < 60  # generous: this is not a speed test, only "it finishes"


def test_B9_pathological_input(tmp_path: Path) -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    root = make(tmp_path / "s", {
        "content/posts/bomb.md": f"---\ntitle: B\ndate: 2024-01-01\n{bomb}---\n",
        "content/posts/nest.md": "---\ntitle: N\ndate: 2024-01-01\n---\n" + "[" * 50_000
        + "\n\n" + ">" * 50_000 + "\n\n" + "*" * 50_000 + "\n",
        "content/posts/huge.md": "---\ntitle: H\ndate: 2024-01-01\n---\n"
        + ("Words about gradient descent, again and again. " * 10 + "\n\n") * 21_000}, CONFIG)
    result = cli("build", "--keep-going", cwd=root)
    text = assert_clean(result, 1)
    assert "content/posts/bomb.md:4:4: invalid front matter: YAML anchors" in text, text
    assert "RecursionError" not in text
    assert (root / "_site/blog/nest/index.html").is_file()
    assert (root / "_site/blog/huge/index.html").stat().st_size > 10_000_000
    assert "*b" not in (root / "_site/feed.xml").read_text()  # no alias reached the output


def test_B10_undefined_variable_in_theme(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/x.md": GOOD_POST,
        "themes/mine/templates/post.html": "{% extends '!default/post.html' %}\n"
        "{% block content %}\n<p>{{ doc.nope }}</p>\n{% endblock %}\n"},
        config="title: T\nauthor: {name: A}\ntheme: mine\n")
    text = assert_clean(cli("build", cwd=root), 1)
    assert "themes/mine/templates/post.html:3:" in text and "nope" in text, text
    assert not (root / "_site").exists()


def test_B10_audit_of_a_good_build(tmp_path: Path) -> None:
    from generator.checks.findings import audit_files

    root = make(tmp_path / "s", {"content/posts/x.md": GOOD_POST}, CONFIG)
    out = root / "_site"
    build(root, out_dir=out)
    files = {p: (out / p).read_bytes() for p in digest(out)}
    assert audit_files(files, root) == []
    leak = str(root / "content").encode()
    bad = dict(files, **{"x.html": b"<p>{{ page.title }}</p><p>" + leak + b"</p>"})
    problems = [d.message for d in audit_files(bad, root)]
    assert any("{{" in m for m in problems) and any("build folder" in m for m in problems)


def test_B11_broken_links_anchors_images_and_root_paths(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": (
        "---\ntitle: X\ndate: 2024-01-01\n---\n\n"
        "[x](../posts/missing.md)\n\n[y](#no-such-heading)\n\n![pic](img/missing.png)\n\n"
        "[z](/assets/x.css)\n")}, CONFIG)
    result = cli("build", cwd=root)
    text = assert_clean(result, 0)
    for needle in ("missing.md", "#no-such-heading", "img/missing.png", "/assets/x.css"):
        assert needle in text and "content/posts/x.md" in text, (needle, text)
    strict = assert_clean(cli("build", "--strict", cwd=root), 1)
    assert strict.count("content/posts/x.md") >= 4, strict
    # the page that was built without --strict is still the one being served
    soup = BeautifulSoup((root / "_site/blog/x/index.html").read_text(), "html.parser")
    assert soup.find("h1") is not None


def test_B1_unclosed_list_points_at_where_it_opened(tmp_path):
    """`tags: [a, b` on line 3: the error names line 3, column 7 (where '[' is), 1-based."""
    from generator.build import build
    from generator.model.errors import BuildFailed

    root = tmp_path / "site"
    (root / "content" / "posts").mkdir(parents=True)
    (root / "portfolio.yml").write_text("title: T\nauthor: {name: A}\n")
    (root / "content/posts/2024-01-01-x.md").write_text("---\ntitle: X\ntags: [a, b\n---\nB\n")
    with pytest.raises(BuildFailed) as info:
        build(root)
    error = info.value.errors[0]
    assert (error.path, error.line, error.col) == ("content/posts/2024-01-01-x.md", 3, 7)
    assert "]" in error.hint


def test_a_private_folder_with_notebooks_is_named_not_silently_skipped(tmp_path: Path) -> None:
    """`projects/_examples/` is skipped (Jekyll's `_` convention), but a folder of notebooks
    there was probably meant to be published: one warning says why it is missing."""
    from generator.build import RecordingReporter

    root = make(tmp_path / "s", {"content/posts/x.md": GOOD_POST,
                                 "projects/_examples/a.ipynb": "{}",
                                 "projects/_examples/b.ipynb": "{}",
                                 "projects/_build/c.ipynb": "{}",
                                 "content/_drafts/d.md": "# D\n"}, CONFIG)
    reporter = RecordingReporter()
    build(root, reporter=reporter)
    messages = [(d.path, d.message) for d in reporter.diagnostics if "private" in d.message]
    assert messages == [("projects/_examples/", "folder skipped: names starting with '_' are "
                         "private; rename it to publish its 2 Markdown files or notebooks")]
    assert not (root / "_site/projects/_examples").exists()
