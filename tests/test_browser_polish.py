"""Issue 14's polish, as a visitor sees it: folds that say "Hide code" while open, titles that
never break at a hyphen, "On this page" closed on a phone and open beside the text on a wide
screen (with no layout shift), and a feed that opens as a readable page.

The HTML checks read the example build with BeautifulSoup; the browser checks drive Debian's
chromium through Playwright with the network blocked, as tests/test_browser_theme.py does.
Screenshots go to $POLISH_SHOTS when it is set (CI keeps that folder).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build

from .conftest import browser_missing, chromium_browser, serve_site

pytestmark = pytest.mark.browser

PREFIX = "/portfolio/"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
ATOM = "{http://www.w3.org/2005/Atom}"
KNN = "projects/digits-knn/"
FOLDS = "projects/linear-regression-from-scratch/"
TOC = "projects/iris-eda/"  # a page with "On this page" and no math (KaTeX shifts on its own)


def _soup(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path / "index.html").read_text("utf-8"), "html.parser")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("POLISH_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


# ------------------------------------------------------------------ the built HTML and feed

def test_fold_summaries_carry_both_words(example_build: Path) -> None:
    summaries = [s for p in example_build.rglob("index.html")
                 for s in BeautifulSoup(p.read_text("utf-8"), "html.parser")
                 .select("details.nb-fold > summary")]
    assert summaries
    for summary in summaries:
        show, hide = summary.select(".nb-fold-label > span")
        assert show.get_text() in ("Show code", "Show output", "Show cell"), show
        assert hide.get_text() == show.get_text().replace("Show", "Hide")
        # without the theme's CSS (a feed reader, a text browser) it reads "Show code" alone
        assert hide.has_attr("hidden") and not show.has_attr("hidden")
        assert summary.has_attr("data-pagefind-ignore")


def test_hyphenated_title_words_are_kept_whole_and_copy_the_same(example_build: Path) -> None:
    h1 = _soup(example_build, KNN).select_one("h1")
    assert [s.get_text() for s in h1.select("span.nobreak")] == ["k-nearest"]
    assert h1.get_text() == "Handwritten digits with k-nearest neighbours"
    other = _soup(example_build, "projects/iris-eda/").select_one("h1")
    assert not other.select("span.nobreak")


def test_toc_is_closed_in_the_html(example_build: Path) -> None:
    nav = _soup(example_build, TOC).select_one("nav.toc")
    details = nav.select_one("details")
    assert not details.has_attr("open")
    script = details.find_next_sibling()
    assert script.name == "script" and "(min-width: 78rem)" in script.string


def test_feed_points_at_its_stylesheet_and_stays_atom(example_build: Path) -> None:
    data = (example_build / "feed.xml").read_bytes()
    head = data.split(b"<feed", 1)[0].decode()
    assert '<?xml-stylesheet type="text/xsl" href="/portfolio/assets/feed.xsl"?>' in head
    feed = ET.fromstring(data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Ada Example"
    entries = feed.findall(f"{ATOM}entry")
    assert entries and all(e.find(f"{ATOM}link").get("href").startswith("https://")
                           for e in entries)
    xsl = ET.parse(example_build / "assets" / "feed.xsl").getroot()
    assert xsl.tag == "{http://www.w3.org/1999/XSL/Transform}stylesheet"


@pytest.mark.parametrize(("url", "href"), [("https://tester.github.io/", "/assets/feed.xsl"),
                                           ("https://tester.github.io/repo/",
                                            "/repo/assets/feed.xsl")])
def test_feed_stylesheet_follows_the_base_path(make_site, tmp_path, url, href) -> None:  # type: ignore[no-untyped-def]
    root = make_site(f"""
-- portfolio.yml --
title: Test Site
url: {url}
author:
  name: Test Author
-- content/posts/2024-01-01-first.md --
---
title: First
---
Hello.
""")
    out = tmp_path / "out"
    build(root, out_dir=out)
    data = (out / "feed.xml").read_bytes()
    assert f'<?xml-stylesheet type="text/xsl" href="{href}"?>'.encode() in data
    assert (out / "assets" / "feed.xsl").is_file()
    ET.fromstring(data)


# ------------------------------------------------------------------ in the browser

@pytest.fixture(scope="module")
def site_url(example_build: Path) -> Iterator[str]:
    with serve_site(example_build, PREFIX) as url:
        yield url


@pytest.fixture(scope="module")
def polish_browser():  # type: ignore[no-untyped-def]
    with chromium_browser() as browser:
        yield browser


CLS = """window.__cls = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({type: 'layout-shift', buffered: true});"""


@pytest.fixture
def new_page(polish_browser, site_url):  # type: ignore[no-untyped-def]
    """`new_page(**context_options)`: a page that measures layout shift, network blocked; the
    requests that failed are in `page.failed`."""
    contexts = []
    origin = site_url.split(PREFIX)[0]

    def make(**options):  # type: ignore[no-untyped-def]
        context = polish_browser.new_context(**options)
        contexts.append(context)
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(origin)
                      else r.abort())
        context.add_init_script(CLS)
        page = context.new_page()
        page.failed = []
        page.on("requestfailed", lambda r: page.failed.append(r.url))
        page.on("response", lambda r: page.failed.append(r.url) if r.status >= 400 else None)
        return page

    yield make
    for context in contexts:
        context.close()


def _ax_name(page, element) -> str:  # type: ignore[no-untyped-def]
    """The accessible name Chromium gives an element (what a screen reader announces)."""
    element.evaluate("(e) => { window.__ax = e; }")
    cdp = page.context.new_cdp_session(page)
    obj = cdp.send("Runtime.evaluate", {"expression": "window.__ax"})["result"]["objectId"]
    nodes = cdp.send("Accessibility.getPartialAXTree",
                     {"objectId": obj, "fetchRelatives": False})["nodes"]
    cdp.detach()
    return next(n["name"]["value"] for n in nodes if not n.get("ignored"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_fold_reads_hide_code_while_open(new_page, site_url, scheme) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=PHONE, device_scale_factor=2, color_scheme=scheme)
    page.goto(site_url + FOLDS)
    fold = page.locator("details.nb-fold").first
    summary = fold.locator("summary")
    summary.scroll_into_view_if_needed()
    closed = summary.bounding_box()
    assert _ax_name(page, summary.element_handle()) == "Show code"
    assert summary.inner_text() == "Show code"
    summary.click()
    assert fold.get_attribute("open") is not None
    assert _ax_name(page, summary.element_handle()) == "Hide code"
    assert summary.inner_text() == "Hide code"
    opened = summary.bounding_box()
    assert [opened[k] for k in ("x", "y", "width")] == [closed[k] for k in ("x", "y", "width")]
    _shot(page, f"fold-open-{scheme}")
    summary.click()
    assert _ax_name(page, summary.element_handle()) == "Show code"


BREAKS_AFTER_HYPHEN = """(el) => {
  const out = []; let top = null, prev = '';
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node; (node = walk.nextNode()); ) for (let i = 0; i < node.data.length; i++) {
    const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
    const rect = r.getClientRects()[0]; if (!rect) continue;
    if (top !== null && rect.top > top + 2 && prev === '-') out.push(node.data.slice(0, i));
    top = rect.top; prev = node.data[i];
  }
  return out; }"""


@pytest.mark.parametrize("width", [320, 360, 375, 390, 414, 768, 1024, 1280])
def test_title_never_breaks_at_a_hyphen(new_page, site_url, width) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport={"width": width, "height": 800})
    page.goto(site_url + KNN)
    h1 = page.locator("h1")
    assert h1.evaluate(BREAKS_AFTER_HYPHEN) == []
    # the word is kept whole, but the title still wraps (no overflow, no single long line)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 375:
        assert h1.bounding_box()["height"] > 80  # three lines, as before
        _shot(page, "title-375")


@pytest.mark.parametrize("path", ["", "projects/", "blog/"])
def test_card_titles_never_break_at_a_hyphen(new_page, site_url, path) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=PHONE)
    page.goto(site_url + path)
    for title in page.locator(".card-title").all():
        assert title.evaluate(BREAKS_AFTER_HYPHEN) == [], title.inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("viewport", "is_open"), [(PHONE, False), (DESKTOP, True)])
def test_toc_closed_on_a_phone_open_beside_the_text(new_page, site_url, viewport, is_open,
                                                    scheme) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=viewport, color_scheme=scheme)
    page.goto(site_url + TOC, wait_until="load")
    page.wait_for_timeout(500)
    details = page.locator("nav.toc details")
    assert (details.get_attribute("open") is not None) is is_open
    assert page.locator("nav.toc ul").is_visible() is is_open
    assert page.evaluate("window.__cls") == 0
    assert page.failed == []
    if not is_open:  # the first screen is the article, and the closed box opens on a tap
        toc = page.locator("nav.toc")
        assert toc.bounding_box()["height"] < 60
        toc.scroll_into_view_if_needed()
        box = toc.bounding_box()
        page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] - 6)
        assert page.locator("nav.toc ul").is_visible()
    _shot(page, f"toc-{viewport['width']}-{scheme}")


def test_toc_follows_the_layout_when_the_window_is_resized(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=DESKTOP)
    page.goto(site_url + TOC)
    details = page.locator("nav.toc details")
    assert details.get_attribute("open") is not None
    page.set_viewport_size(PHONE)
    page.wait_for_function("!document.querySelector('nav.toc details').open")
    page.set_viewport_size(DESKTOP)
    page.wait_for_function("document.querySelector('nav.toc details').open")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP])
def test_feed_opens_as_a_readable_page(new_page, site_url, example_build, viewport,
                                       scheme) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=viewport, color_scheme=scheme)
    response = page.goto(site_url + "feed.xml")
    # the test server sends .xml as application/xml, as GitHub Pages does; chromium also
    # transforms it when it comes as application/atom+xml
    assert response.headers["content-type"] == "application/xml"
    if page.evaluate("typeof XSLTProcessor") == "undefined":
        pytest.fail("this chromium no longer applies XSLT: feed.xml shows as raw XML under a "
                    "'cannot be formatted' notice")
    assert page.evaluate("document.documentElement.nodeName").lower() == "html"
    assert page.locator("h1").inner_text() == "Ada Example"
    assert "This is a web feed: copy its address into your feed reader" in \
        page.locator(".note").inner_text()
    feed = ET.parse(example_build / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    links = page.locator("li h3 a")
    assert links.count() == len(entries)
    for i, entry in enumerate(entries):
        assert links.nth(i).get_attribute("href") == entry.find(f"{ATOM}link").get("href")
        assert links.nth(i).inner_text() == entry.findtext(f"{ATOM}title")
    assert page.locator("li time").first.inner_text().count(",") == 1  # "Oct 20, 2026"
    assert page.locator("li .summary").count() == len(entries)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.failed == []
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(248, 250, 252)") is (scheme == "light")
    page.evaluate("document.querySelector('xslt-warning-banner')?.remove()")
    _shot(page, f"feed-{viewport['width']}-{scheme}")


@pytest.fixture(scope="module")
def axe():  # type: ignore[no-untyped-def]
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        browser_missing("axe-playwright-python is not installed (pip install -e '.[test]')")
    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP])
@pytest.mark.parametrize(("path", "click"), [(FOLDS, "details.nb-fold > summary"),
                                             (TOC, "nav.toc summary"), ("feed.xml", None)])
def test_no_axe_violation_once_opened(new_page, site_url, axe, path, click, viewport,
                                      scheme) -> None:  # type: ignore[no-untyped-def]
    """The states a visitor clicks into (an open fold, the TOC toggled) and the feed page."""
    page = new_page(viewport=viewport, color_scheme=scheme)
    page.goto(site_url + path)
    if click:
        page.locator(click).first.click()
    page.evaluate("document.querySelector('xslt-warning-banner')?.remove()")  # the browser's own
    violations = axe.run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
