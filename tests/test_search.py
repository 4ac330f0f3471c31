"""Full-text search (issue 13): Pagefind indexes the staged site before the swap; the search
page and the header's link load its UI from the site itself, under the base path, offline.

The index covers posts, projects (every chapter) and pages, never lists, tags or the 404; a
no-op build does not run Pagefind, a one-post edit does, and an edit that changes no page
keeps last build's index; `search: false` makes no index and no link; a missing binary is
one clear error. The browser tests search a word of one post at /repo/search/.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build
from generator.output import search

from .conftest import chromium_browser, serve_site
from .helpers_reliability import CONFIG, assert_clean, cli, make

WORD = "quokka"  # in one post only


def notebook(title: str, text: str) -> str:
    return json.dumps({
        "cells": [{"cell_type": "markdown", "id": "m1", "metadata": {},
                   "source": [f"# {title}\n\n", text]}],
        "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5})


SITE: dict[str, str | bytes] = {
    "content/posts/2024-01-02-animals.md": "---\ntitle: Animals of Rottnest\ndate: 2024-01-02\n"
                                         f"tags: [zoo]\n---\n\nThe {WORD} smiles at visitors.\n",
    "content/posts/2024-02-03-plants.md": "---\ntitle: Plants\ndate: 2024-02-03\ntags: [zoo]\n"
                                        "---\n\nBanksia flowers in winter.\n\n## Seeds\n\n"
                                        "Fire opens the cones.\n",
    "content/about.md": "---\ntitle: About me\n---\n\nI study marsupials.\n",
    "projects/course/01-start.ipynb": notebook("Course start", "Wombats dig burrows."),
    "projects/course/02-next.ipynb": notebook("Course next", "Numbats eat termites."),
    "content/files/dot.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",  # in no page
}
DOCS = {"blog/animals/", "blog/plants/", "about/", "projects/course/",  # a project's overview
        "projects/course/01-start/", "projects/course/02-next/"}  # and its chapters


def site(root: Path, extra: str = "") -> Path:
    return make(root, dict(SITE), CONFIG + extra)


def indexed(out: Path) -> dict[str, str]:
    """The pages in the Pagefind index: URL -> indexed text (its fragments, gzipped JSON)."""
    found = {}
    for fragment in (out / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        found[record["url"]] = record["content"]
    return found


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every time Pagefind really runs (rather than last build's index being kept)."""
    calls: list[Path] = []
    real = search.SearchIndex._run

    def counted(self: search.SearchIndex, staging: Path) -> None:
        calls.append(staging)
        real(self, staging)

    monkeypatch.setattr(search.SearchIndex, "_run", counted)
    return calls


def test_the_index_holds_every_document_and_nothing_else(tmp_path: Path, runs) -> None:
    root = site(tmp_path / "site")
    report = build(root)
    out = root / "_site"
    assert len(runs) == 1
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    assert (out / "pagefind" / "pagefind-ui.css").is_file()
    assert not (out / "pagefind" / "pagefind-component-ui.js").exists()  # unused UIs go
    assert {d.url for d in report.site.documents} == DOCS
    # Pagefind's URLs are below the site's root; the UI adds the base path (/repo/)
    pages = indexed(out)
    assert set(pages) == {"/" + url for url in DOCS}
    assert WORD in pages["/blog/animals/"]
    assert "Numbats" in pages["/projects/course/02-next/"]  # a chapter is a page of its own
    assert "#" not in pages["/blog/plants/"]  # no heading permalinks
    assert "Blog" not in pages["/blog/plants/"]  # nor the eyebrow or the date line
    # only documents carry the body marker: lists, tags, the home, the 404 are not indexed
    for path in sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")):
        if path.startswith("pagefind/"):
            continue
        url = path.removesuffix("index.html")
        assert ("data-pagefind-body" in (out / path).read_text("utf-8")) == (url in DOCS), path
    # the index's files are ours: listed in the marker, so the next build may replace them
    marker = json.loads((out / ".portfolio-build").read_text("utf-8"))
    assert "pagefind/pagefind-entry.json" in marker["files"]


def test_the_search_page_and_link_are_under_the_base_path(tmp_path: Path) -> None:
    root = site(tmp_path / "site")
    build(root)
    out = root / "_site"
    home = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    link = home.select_one("header a.search-link")
    assert link is not None and link["href"] == "/repo/search/"
    assert link.get_text(strip=True) == "Search"
    page = BeautifulSoup((out / "search/index.html").read_text("utf-8"), "html.parser")
    box = page.select_one("#search")
    assert box is not None and box["data-bundle"] == "/repo/pagefind/"
    assert page.select_one("script[src='/repo/assets/search.js']") is not None
    # indexable (the page itself, not results; Lighthouse SEO), but not in the sitemap
    assert page.select_one("meta[name=robots]") is None
    assert "search/" not in (out / "sitemap.xml").read_text("utf-8")
    # nothing from a CDN: Pagefind's UI comes from the site's own folder
    script = (out / "assets/search.js").read_text("utf-8")
    assert "pagefind-ui.js" in script and "http" not in script


def test_search_false_makes_no_index_and_no_link(tmp_path: Path, runs,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "find_pagefind", lambda: None)  # not even looked for
    root = site(tmp_path / "site", "search: false\n")
    build(root)
    out = root / "_site"
    assert runs == []
    assert not (out / "pagefind").exists()
    assert not (out / "search").exists()
    assert "search-link" not in (out / "index.html").read_text("utf-8")
    assert "/repo/search/" not in (out / "blog/animals/index.html").read_text("utf-8")


def test_turning_search_off_removes_the_index(tmp_path: Path) -> None:
    root = site(tmp_path / "site")
    build(root)
    assert (root / "_site/pagefind").is_dir()
    (root / "portfolio.yml").write_text(CONFIG + "search: false\n", "utf-8")
    build(root)
    assert not (root / "_site/pagefind").exists()
    assert not (root / "_site/search").exists()


def test_a_missing_binary_is_one_clear_error(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "find_pagefind", lambda: None)
    root = site(tmp_path / "site")
    text = assert_clean(cli("build", cwd=root), 1)
    assert "Pagefind binary was not found" in text
    assert "pip install" in text and "search: false" in text
    assert not (root / "_site").exists()  # refused before rendering anything


def test_a_failing_pagefind_keeps_the_old_site(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = site(tmp_path / "site")
    build(root)
    before = (root / "_site/blog/animals/index.html").read_bytes()
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: the index exploded' >&2\nexit 3\n", "utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(search, "find_pagefind", lambda: fake)
    (root / "content/posts/2024-01-02-animals.md").write_text(
        "---\ntitle: Animals\ndate: 2024-01-02\n---\n\nChanged.\n", "utf-8")
    text = assert_clean(cli("build", cwd=root), 1)
    assert "Pagefind failed (exit code 3): Error: the index exploded" in text
    assert (root / "_site/blog/animals/index.html").read_bytes() == before
    assert (root / "_site/pagefind/pagefind-ui.js").is_file()


def test_only_a_changed_page_runs_pagefind_again(tmp_path: Path, runs) -> None:
    root = site(tmp_path / "site")
    out = root / "_site"
    build(root)
    assert len(runs) == 1
    entry = (out / "pagefind/pagefind-entry.json").stat().st_ino

    assert build(root).up_to_date  # a no-op build stops before the index
    assert len(runs) == 1

    (root / "content/files/dot.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'>"
                                                "</svg>\n", "utf-8")  # no page changes
    report = build(root)
    assert not report.up_to_date and len(runs) == 1
    assert (out / "pagefind/pagefind-entry.json").stat().st_ino == entry  # the same file
    assert WORD in indexed(out)["/blog/animals/"]

    post = root / "content/posts/2024-02-03-plants.md"
    post.write_text(post.read_text("utf-8").replace("Banksia", "Eucalyptus"), "utf-8")
    build(root)
    assert len(runs) == 2
    assert "Eucalyptus" in indexed(out)["/blog/plants/"]
    assert build(root, force=True) and len(runs) == 3  # --force indexes again


def test_a_damaged_record_or_index_only_costs_a_run(tmp_path: Path, runs) -> None:
    root = site(tmp_path / "site")
    out = root / "_site"
    build(root)
    entry = next((out / "pagefind/fragment").iterdir())
    entry.unlink()  # the live index lost a file: it cannot be carried over
    (root / "content/files/dot.svg").write_text("<svg/>\n", "utf-8")
    build(root)
    assert len(runs) == 2 and len(indexed(out)) == len(DOCS)
    (root / ".portfolio/search.json").write_text("{not json", "utf-8")
    (root / "content/files/dot.svg").write_text("<svg><g/></svg>\n", "utf-8")
    build(root)
    assert len(runs) == 3 and len(indexed(out)) == len(DOCS)


def test_the_index_is_reproducible(tmp_path: Path) -> None:
    """Byte-identical indexes from the same pages (Pagefind 1.x writes its filter files in a
    random order, so the theme marks the kind as a meta, never a `data-pagefind-filter`)."""
    indexes = []
    for n in range(3):
        root = site(tmp_path / f"site{n}")
        build(root, use_cache=False)
        folder = root / "_site/pagefind"
        indexes.append({p.relative_to(folder).as_posix(): p.read_bytes()
                        for p in sorted(folder.rglob("*")) if p.is_file()})
    assert indexes[0] == indexes[1] == indexes[2]
    assert "data-pagefind-filter" not in (root / "_site/blog/animals/index.html").read_text()


def test_serve_previews_leave_search_out(tmp_path: Path, runs) -> None:
    from generator.commands.serve import Builder
    from generator.commands.serve_http import SiteState

    root = site(tmp_path / "site")
    state = SiteState(root, drafts=True)
    notes: list[str] = []
    assert Builder(state, tmp_path / "work", notes.append, notes.append).build_once(), notes
    assert state.out_dir is not None and runs == []
    assert not (state.out_dir / "pagefind").exists()
    assert not (state.out_dir / "search").exists()
    assert "search-link" not in (state.out_dir / "index.html").read_text("utf-8")


def test_a_content_folder_named_pagefind_is_refused(tmp_path: Path) -> None:
    root = make(tmp_path / "site", {**SITE, "content/pagefind/logo.svg": "<svg/>\n"}, CONFIG)
    text = assert_clean(cli("build", cwd=root), 1)
    assert "pagefind/logo.svg would be overwritten by the search index" in text


# -- in a browser -------------------------------------------------------------------------
PREFIX = "/repo/"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = site(tmp_path_factory.mktemp("search") / "site")
    build(root)
    with serve_site(root / "_site", PREFIX) as url:
        yield url[:-len(PREFIX)]  # the origin: the tests add the base path


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    with chromium_browser() as launched:
        yield launched


@pytest.fixture
def offline_page(browser, served):  # type: ignore[no-untyped-def]
    """A page that reaches the test server only: search must work offline."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(served)
                  else r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, errors
    context.close()


@pytest.mark.browser
def test_search_finds_a_word_of_one_post_under_the_base_path(offline_page, served) -> None:  # type: ignore[no-untyped-def]
    page, errors = offline_page
    page.goto(served + PREFIX)
    page.focus("header a.search-link")  # the header's link, from the keyboard
    page.keyboard.press("Enter")
    page.wait_for_url(served + PREFIX + "search/")
    page.wait_for_selector(".pagefind-ui__search-input")
    page.keyboard.type(WORD)  # the search box has the focus
    first = page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    links = [a.get_attribute("href") for a in page.query_selector_all(
        ".pagefind-ui__result-title .pagefind-ui__result-link")]
    assert links == ["/repo/blog/animals/"], links
    assert first.inner_text() == "Animals of Rottnest"
    first.click()
    page.wait_for_url(served + "/repo/blog/animals/")
    assert errors == []


@pytest.mark.browser
def test_a_query_in_the_address_searches_at_once(offline_page, served) -> None:  # type: ignore[no-untyped-def]
    page, errors = offline_page
    page.goto(served + PREFIX + "search/?q=numbats")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    links = [a.get_attribute("href") for a in page.query_selector_all(
        ".pagefind-ui__result-title .pagefind-ui__result-link")]
    assert links == ["/repo/projects/course/02-next/"], links
    widths = page.evaluate("[document.documentElement.scrollWidth,"
                           " document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the search page scrolls sideways at 390 px: {widths}"
    assert errors == []


def test_pagefind_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """The binary the `pagefind[bin]` dependency ships, or PAGEFIND_BINARY_PATH."""
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    binary = search.require_pagefind()
    assert os.access(binary, os.X_OK)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/nonexistent/pagefind")
    with pytest.raises(search.SearchError, match="not an executable file"):
        search.require_pagefind()
