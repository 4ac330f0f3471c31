"""Front matter from every place the field puts it, and one order of precedence."""

from __future__ import annotations

import json

import pytest

from generator.model.errors import BuildFailed
from generator.sources.nbfront import notebook_front_matter

from .helpers_notebooks import CONFIG, build_site, code, md, nb, raw, render, soup, stream, write


def _meta(book) -> tuple[dict, int | None, str]:
    raw_meta, carrier, heading = notebook_front_matter(json.loads(json.dumps(book)), "x.ipynb")
    return raw_meta.data, carrier, heading


def _page(tmp_path, book):
    body, page, _ = render(tmp_path, book, CONFIG)
    return body, page


def test_quarto_raw_cell(tmp_path):
    book = nb(raw("---\ntitle: Raw Title\ntags: [ml, viz]\nsummary: From raw\n---"),
              md("Body text"), untitled=True)
    body, page = _page(tmp_path, book)
    assert page.h1.text == "Raw Title"
    assert [a.text for a in page.select(".doc-header .tag")] == ["ml", "viz"]
    assert "title:" not in body.get_text() and "Body text" in body.get_text()


def test_myst_markdown_cell(tmp_path):
    book = nb(md("---\ntitle: MyST Title\ndate: '2024-03-01'\n---"), md("Body"), untitled=True)
    body, page = _page(tmp_path, book)
    assert page.h1.text == "MyST Title" and "2024" in page.select_one("time")["datetime"]
    assert "MyST Title" not in body.get_text()


def test_metadata_portfolio(tmp_path):
    book = nb(md("Body"), metadata={"portfolio": {"title": "Meta Title", "tags": ["a"]}})
    _, page = _page(tmp_path, book)
    assert page.h1.text == "Meta Title" and page.select_one(".doc-header .tag").text == "a"


def test_fastpages_first_markdown_cell(tmp_path):
    book = nb(md('# "Fast Title"\n> "A fast summary"\n\n- toc: true\n- badges: false\n'
                 "- categories: [deep-learning, fastai]\n"),
              md("## Section one\n\ntext"), code("1", stream("1")), untitled=True)
    body, page = _page(tmp_path, book)
    assert page.h1.text == "Fast Title"
    assert page.select_one(".lede").text == "A fast summary"
    assert [a.text for a in page.select(".doc-header .tag")] == ["deep-learning", "fastai"]
    assert page.select_one(".badge-colab") is None  # badges: false
    assert page.select_one("nav.toc, .toc") is not None  # toc: true
    assert "- toc" not in body.get_text() and "Fast Title" not in body.get_text()


def test_nikola_metadata(tmp_path):
    book = nb(md("Body"), metadata={"nikola": {"title": "Nikola Title", "slug": "nik"}},
              untitled=True)
    root = write(tmp_path / "site", {"projects/x.ipynb": book}, CONFIG)
    out = build_site(root)
    assert soup(out / "projects/nik/index.html").h1.text == "Nikola Title"


def test_first_heading_is_the_title_and_not_repeated(tmp_path):
    book = nb(md("# Heading Title\n\nIntro prose."), code("1", stream("1")), untitled=True)
    body, page = _page(tmp_path, book)
    assert page.h1.text == "Heading Title"
    assert body.find("h1") is None and "Intro prose." in body.get_text()


def test_precedence_first_cell_over_metadata_over_fastpages_over_nikola():
    book = nb(raw("---\ntitle: From raw\n---"), md("x"),
              metadata={"portfolio": {"title": "From portfolio", "summary": "S-portfolio"},
                        "nikola": {"title": "From nikola", "summary": "S-nikola",
                                   "slug": "from-nikola"}})
    data, carrier, _ = _meta(book)
    assert data["title"] == "From raw" and carrier == 0
    assert data["summary"] == "S-portfolio" and data["slug"] == "from-nikola"
    fast = nb(md("# Fast\n> fast summary\n- image: x.png"),
              metadata={"portfolio": {"summary": "S-portfolio"}, "nikola": {"image": "n.png"}},
              untitled=True)
    data, carrier, _ = _meta(fast)
    assert (data["title"], data["summary"], data["image"], carrier) == \
        ("Fast", "S-portfolio", "x.png", 0)


def test_ordinary_first_markdown_cell_is_not_front_matter():
    book = nb(md("# Title\n\nSome prose that is not a key list."), untitled=True)
    data, carrier, heading = _meta(book)
    assert data == {} and carrier is None and heading == "Title"


def test_bad_yaml_in_raw_cell_is_a_clean_error(tmp_path):
    book = nb(raw("---\ntitle: [unclosed\n---"), md("x"), untitled=True)
    root = write(tmp_path / "site", {"projects/x.ipynb": book}, CONFIG)
    with pytest.raises(BuildFailed) as info:
        build_site(root)
    [err] = info.value.errors
    assert "projects/x.ipynb" in str(err.path) and "cell 1" in str(err.path) + err.message
