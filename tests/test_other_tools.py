"""Content written for other tools builds: JupyterLab's 4.4 notebooks with cell ids, empty
notebooks, Markdown without a title, Material for MkDocs' blog front matter, and Jekyll's HTML
in summaries. Bad input of each kind is one clear error naming the file, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from generator.build import RecordingReporter, build
from generator.model.documents import Document
from generator.model.errors import BuildFailed

from .helpers_reliability import make

CONFIG = """\
title: Learning in public
url: https://learner.github.io/ml/
author:
  name: A Learner
github:
  owner: learner
  repo: ml
  branch: main
"""


def cell(kind: str, source: str, cid: str | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        made.update(execution_count=1, outputs=[
            {"output_type": "stream", "name": "stdout", "text": [f"out of {source}\n"]}])
    if cid is not None:
        made["id"] = cid
    return made


def notebook(cells: list[dict[str, Any]], minor: int = 5, **metadata: object) -> str:
    return json.dumps({"cells": cells, "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        **metadata}, "nbformat": 4, "nbformat_minor": minor}, indent=1)


def page(out: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url / "index.html").read_text("utf-8"), "html.parser")


def only_error(excinfo: pytest.ExceptionInfo[BuildFailed]) -> str:
    errors = excinfo.value.errors
    assert len(errors) == 1, errors
    return str(errors[0])


def document(report: Any, rel_path: str) -> Document:
    assert report.site is not None
    return next(d for d in report.site.documents if d.source.rel_path == rel_path)


# 1. nbformat 4.4 notebooks with cell ids; ids filled deterministically

LAB_44 = notebook([cell("markdown", "# Lab notebook\n\nSaved by JupyterLab.", "a1b2-c3"),
                   cell("code", "print(44)", "d4e5_f6")], minor=4)


def test_a_44_notebook_with_cell_ids_builds_and_is_never_rewritten(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {"projects/lab.ipynb": LAB_44}, CONFIG)
    before = (root / "projects/lab.ipynb").read_bytes()
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    assert not report.diagnostics, report.diagnostics
    doc = page(out, "projects/lab")
    assert doc.h1 is not None and doc.h1.get_text(strip=True) == "Lab notebook"
    assert "out of print(44)" in doc.get_text()
    assert (root / "projects/lab.ipynb").read_bytes() == before
    assert (out / "projects/lab/lab.ipynb").read_bytes() == before  # the download, as saved


def test_missing_and_repeated_cell_ids_are_filled_the_same_way_every_time(
        tmp_path: Path) -> None:
    from generator.readers.notebook import upgrade

    books = {
        # 4.5 without ids: nbformat's validator would give random ones
        "projects/no-ids.ipynb": notebook([cell("markdown", "# No ids\n\nText."),
                                           cell("code", "1 + 1")]),
        "projects/twice.ipynb": notebook([cell("markdown", "# Twice\n\nText.", "same"),
                                          cell("code", "2 + 2", "same")]),
        "projects/old.ipynb": notebook([cell("markdown", "# Old\n\nText."),
                                        cell("code", "3 + 3")], minor=4),
        "projects/mixed.ipynb": notebook([cell("markdown", "# Mixed\n\nText.", "kept"),
                                          cell("code", "4 + 4")], minor=4),
    }
    for rel, text in books.items():
        first, second = (upgrade(json.loads(text), rel) for _ in range(2))
        ids = [c.id for c in first.cells]
        assert ids == [c.id for c in second.cells] and len(set(ids)) == len(ids), rel
        assert first.nbformat_minor == 5
    assert upgrade(json.loads(books["projects/mixed.ipynb"]), "m").cells[0].id == "kept"

    root = make(tmp_path / "site", books, CONFIG)
    outputs = []
    for name in ("one", "two"):
        out = tmp_path / name
        build(root, out_dir=out, force=True, use_cache=False)
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes()
                        for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert {"projects/no-ids/index.html", "projects/old/index.html"} <= set(outputs[0])
    for rel, text in books.items():
        assert (root / rel).read_text("utf-8") == text  # nothing was written back


def test_a_bad_cell_id_is_one_error_naming_the_file_and_cell(tmp_path: Path) -> None:
    bad = notebook([cell("markdown", "# Bad\n\nText.", "ok"),
                    cell("code", "1", "has spaces")], minor=4)
    root = make(tmp_path / "site", {"projects/bad-id.ipynb": bad}, CONFIG)
    with pytest.raises(BuildFailed) as excinfo:
        build(root, out_dir=tmp_path / "out")
    message = only_error(excinfo)
    assert "projects/bad-id.ipynb" in message and "cell 2" in message
    assert "Traceback" not in message


# 2. empty notebooks

def test_an_empty_notebook_is_a_page_with_its_title(tmp_path: Path) -> None:
    empty = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    root = make(tmp_path / "site", {
        "projects/02-empty_start.ipynb": json.dumps(empty),
        "projects/lab-empty.ipynb": json.dumps({**empty, "nbformat_minor": 4}),
        "projects/named.ipynb": json.dumps({**empty, "metadata": {"title": "Named in Jupyter"}}),
        "projects/ours.ipynb": json.dumps({**empty, "metadata": {"portfolio": {
            "title": "Ours", "summary": "Nothing yet."}}}),
        "content/posts/2024-03-04-nothing-yet.ipynb": json.dumps(empty),
    }, CONFIG)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    assert not report.failed
    titles = {url: page(out, url).h1.get_text(strip=True)  # type: ignore[union-attr]
              for url in ("projects/02-empty-start", "projects/lab-empty", "projects/named",
                          "projects/ours", "blog/nothing-yet")}
    assert titles == {"projects/02-empty-start": "Empty start", "projects/lab-empty": "Lab empty",
                      "projects/named": "Named in Jupyter", "projects/ours": "Ours",
                      "blog/nothing-yet": "Nothing yet"}
    cards = [a.get_text(strip=True) for a in page(out, "projects").select(".card-title a")]
    assert sorted(cards) == ["Empty start", "Lab empty", "Named in Jupyter", "Ours"]


# 3. Markdown without a title or heading

def test_a_markdown_post_without_a_title_is_titled_by_its_file_name(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {
        "content/posts/2024-05-01-what-i-learned-today.md": "---\ntags: [ml]\n---\n"
                                                            "Gradient descent, slowly.\n",
        "content/posts/2024-05-02-bundle/index.md": "---\ndate: 2024-05-02\n---\nProse.\n",
        "content/posts/2024-05-03-headed.md": "# A real heading\n\nText.\n",
    }, CONFIG)
    out = tmp_path / "out"
    reporter = RecordingReporter()
    report = build(root, out_dir=out, reporter=reporter)
    assert page(out, "blog/what-i-learned-today").h1.get_text(  # type: ignore[union-attr]
        strip=True) == "What i learned today"
    assert page(out, "blog/bundle").h1.get_text(strip=True) == "Bundle"  # type: ignore[union-attr]
    assert page(out, "blog/headed").h1.get_text(  # type: ignore[union-attr]
        strip=True) == "A real heading"
    warned = sorted(d.path for d in report.diagnostics if "no title" in d.message)
    assert warned == ["content/posts/2024-05-01-what-i-learned-today.md",
                      "content/posts/2024-05-02-bundle/index.md"]
    assert [d.path for d in reporter.diagnostics if "no title" in d.message]
    message = next(d for d in report.diagnostics if "no title" in d.message).message
    assert "'What i learned today'" in message and "file name" in message

    with pytest.raises(BuildFailed) as excinfo:  # a warning: --strict fails on it
        build(root, out_dir=tmp_path / "strict", strict=True, force=True)
    assert any("2024-05-01-what-i-learned-today.md" in str(e) and "no title" in str(e)
               for e in excinfo.value.errors)


def test_an_empty_title_is_still_an_error_naming_the_line(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {
        "content/posts/2024-05-01-blank.md": "---\ndate: 2024-05-01\ntitle: ''\n---\nText.\n",
    }, CONFIG)
    with pytest.raises(BuildFailed) as excinfo:
        build(root, out_dir=tmp_path / "out")
    assert only_error(excinfo).startswith("content/posts/2024-05-01-blank.md:3: 'title' is empty")


# 4. Material for MkDocs' blog front matter

MATERIAL = """\
---
title: Notes on attention
date:
  created: 2024-01-02
  updated: 2024-02-03
hide:
  - navigation
  - toc
authors:
  - learner
categories:
  - Transformers
  - NLP
readtime: 7
---
Attention is a weighted average.
"""


def test_material_blog_front_matter(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {
        "content/posts/attention.md": MATERIAL,
        "content/posts/tagged.md": "---\ntitle: Tagged\ndate: {created: 2024-03-01}\n"
                                   "tags: [own]\ncategories: [Elsewhere]\nhide: [toc]\n---\n"
                                   "Text.\n",
    }, CONFIG)
    out = tmp_path / "out"
    report = build(root, out_dir=out)
    assert not report.diagnostics, report.diagnostics
    post = page(out, "blog/attention")
    times = [t["datetime"] for t in post.select(".meta time")]
    assert times[:2] == ["2024-01-02", "2024-02-03"]
    assert [a.get_text(strip=True) for a in post.select(".doc-header .tag")] == \
        ["Transformers", "NLP"]
    assert (out / "tags/transformers/index.html").is_file()
    listed = [a.get_text(strip=True) for a in page(out, "blog").select("a")]
    assert "Notes on attention" in listed and "Tagged" in listed  # hide: is not a draft

    meta = document(report, "content/posts/attention.md").meta
    assert str(meta.date) == "2024-01-02" and str(meta.updated) == "2024-02-03"
    assert not meta.draft and meta.tags == ("Transformers", "NLP")
    extra = dict(meta.extra)
    assert extra["authors"] == ["learner"] and extra["hide"] == ["navigation", "toc"]
    tagged = document(report, "content/posts/tagged.md").meta
    assert tagged.tags == ("own",) and dict(tagged.extra)["categories"] == ["Elsewhere"]
    assert str(tagged.date) == "2024-03-01" and tagged.updated is None


def test_hide_true_is_still_a_draft(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {
        "content/posts/2024-01-01-hidden.md": "---\ntitle: Hidden\nhide: true\n---\nText.\n",
        "content/posts/2024-01-02-shown.md": "---\ntitle: Shown\n---\nText.\n"}, CONFIG)
    out = tmp_path / "out"
    build(root, out_dir=out)
    assert not (out / "blog/hidden").exists() and (out / "blog/shown/index.html").is_file()


@pytest.mark.parametrize(("front", "line", "words"), [
    ("date:\n  updated: 2024-02-03\n", 3, "no 'created' date"),
    ("date:\n  created: someday\n", 4, "'date.created' is not a date"),
    ("date:\n  created: 2024-01-01\n  updated: [1, 2]\n", 5, "'date.updated' is not a date"),
])
def test_bad_material_dates_are_one_error_with_the_line(tmp_path: Path, front: str, line: int,
                                                        words: str) -> None:
    root = make(tmp_path / "site", {"content/posts/dates.md": f"---\ntitle: D\n{front}---\nx\n"},
                CONFIG)
    with pytest.raises(BuildFailed) as excinfo:
        build(root, out_dir=tmp_path / "out")
    message = only_error(excinfo)
    assert message.startswith(f"content/posts/dates.md:{line}: "), message
    assert words in message


# 5. HTML in a summary

def test_html_in_a_summary_is_shown_as_text(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {
        "content/posts/2024-01-01-bold.md": '---\ntitle: Bold\nsummary: "A <b>bold</b> idea '
                                            '&amp; <em>more</em>"\n---\nText.\n',
        "content/posts/2024-01-02-para.md": "---\ntitle: Para\ndescription: '<p>First.</p>"
                                            "<p>Second &lt;3</p>'\n---\nText.\n",
        "projects/card.md": '---\ntitle: Card\nsummary: "<a href=\'x\'>Linked</a> words"\n---\n'
                            "Text.\n",
        "content/posts/2024-01-03-plain.md": "---\ntitle: Plain\nsummary: a < b and c > d\n"
                                             "---\nText.\n",
        "content/posts/2024-01-04-generic.md": "---\ntitle: Generic\nsummary: Vec<T> beats "
                                               "List<int>\n---\nText.\n",
    }, CONFIG)
    out = tmp_path / "out"
    build(root, out_dir=out)
    post = page(out, "blog/bold")
    assert post.select_one(".lede").get_text() == "A bold idea & more"  # type: ignore[union-attr]
    for selector in ('meta[name="description"]', 'meta[property="og:description"]'):
        assert post.select_one(selector)["content"] == "A bold idea & more"  # type: ignore
    summaries = [p.get_text() for p in page(out, "blog").select(".summary")]
    assert "A bold idea & more" in summaries and "First. Second <3" in summaries
    assert "a < b and c > d" in summaries  # no tags in it: left as written
    assert "Vec<T> beats List<int>" in summaries  # not HTML elements
    assert [p.get_text() for p in page(out, "projects").select(".summary")] == ["Linked words"]
    for built in (out / "blog/index.html", out / "blog/bold/index.html", out / "feed.xml"):
        if built.is_file():
            text = built.read_text("utf-8")
            assert "&lt;b&gt;" not in text and "<b>bold" not in text, built
