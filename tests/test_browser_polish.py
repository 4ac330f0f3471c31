"""Issue 14's polish, as a visitor sees it: folds that say "Hide code" while open, titles that
never break at a hyphen, "On this page" closed on a phone and open beside the text on a wide
screen (with no layout shift), and a "Feed" link that opens a readable page (/feed/: the
address to copy into a feed reader, and the latest entries), while feed.xml stays plain Atom.

The HTML checks read the example build with BeautifulSoup; the browser checks drive Debian's
chromium through Playwright with the network blocked, as tests/test_browser_theme.py does.
Screenshots go to $POLISH_SHOTS when it is set (CI keeps that folder).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build

from .conftest import browser_missing

pytestmark = pytest.mark.browser

PREFIX = "/portfolio/"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
ATOM = "{http://www.w3.org/2005/Atom}"
KNN = "projects/digits-knn/"
FOLDS = "projects/linear-regression-from-scratch/"
TOC = "projects/iris-eda/"  # a page with "On this page" and no math (KaTeX shifts on its own)
FOLLOW = "feed/"  # what the footer's "Feed" opens


def _soup(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / path / "index.html").read_text("utf-8"), "html.parser")


def expect(locator):  # type: ignore[no-untyped-def]
    """Playwright's `expect` (it waits), imported only where a browser runs."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


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


def test_feed_is_plain_atom(example_build: Path) -> None:
    """No XSLT (chromium is removing it): feed.xml is Atom for feed readers, and a browser is
    sent to the follow page (/feed/) instead."""
    data = (example_build / "feed.xml").read_bytes()
    assert b"<?xml-stylesheet" not in data
    assert not (example_build / "assets" / "feed.xsl").exists()
    feed = ET.fromstring(data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Ada Example"
    entries = feed.findall(f"{ATOM}entry")
    assert entries and all(e.find(f"{ATOM}link").get("href").startswith("https://")
                           for e in entries)


def test_follow_page_lists_what_the_feed_has(example_build: Path) -> None:
    page = _soup(example_build, FOLLOW)
    feed = ET.parse(example_build / "feed.xml").getroot()
    assert page.select_one("h1").get_text() == "Follow this site"
    assert "This is a web feed: copy its address into your feed reader to follow new posts " \
        "and projects." in page.select_one(".lede").get_text()
    assert page.select_one("code#feed-address").get_text() == \
        feed.find(f"{ATOM}link[@rel='self']").get("href")
    raw = page.select_one('a[type="application/atom+xml"]')
    assert raw["href"] == PREFIX + "feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    items = page.select(".feed-entries .post-item")
    assert len(items) == len(entries)
    origin = "https://ada-learns.github.io"
    for item, entry in zip(items, entries, strict=True):
        link = item.select_one("h3 a")
        assert origin + link["href"] == entry.find(f"{ATOM}link").get("href")
        assert link.get_text() == entry.findtext(f"{ATOM}title")
        assert item.select_one("time")["datetime"] == entry.findtext(f"{ATOM}published")[:10]
        assert item.select_one(".summary").get_text() == entry.findtext(f"{ATOM}summary")
    # indexable (no robots meta), but a utility page: not in the sitemap
    assert page.select_one('meta[name="robots"]') is None
    assert f"{origin}{PREFIX}{FOLLOW}" not in (example_build / "sitemap.xml").read_text("utf-8")


@pytest.mark.parametrize("url", ["https://tester.github.io/", "https://tester.github.io/repo/"])
def test_follow_page_follows_the_base_path(make_site, tmp_path, url) -> None:  # type: ignore[no-untyped-def]
    root = make_site(f"""
-- portfolio.yml --
title: Test Site
url: {url}
author:
  name: Test Author
-- content/posts/2024-01-01-first.md --
---
title: First
summary: The first post.
---
Hello.
""")
    out = tmp_path / "out"
    build(root, out_dir=out)
    base = url.removeprefix("https://tester.github.io")
    data = (out / "feed.xml").read_bytes()
    assert b"<?xml-stylesheet" not in data
    assert ET.fromstring(data).tag == f"{ATOM}feed"
    home = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    footer = home.select_one("footer.site-footer")
    assert footer.find("a", string="Feed")["href"] == base + FOLLOW
    assert home.select_one('link[rel="alternate"][type="application/atom+xml"]')["href"] == \
        base + "feed.xml"
    page = _soup(out, FOLLOW)
    assert page.select_one("code#feed-address").get_text() == url + "feed.xml"
    assert page.select_one('a[type="application/atom+xml"]')["href"] == base + "feed.xml"
    assert [a.get_text() for a in page.select(".feed-entries h3 a")] == ["First"]
    assert page.select_one(".feed-entries h3 a")["href"] == base + "blog/first/"
    assert page.select_one(".feed-entries .summary").get_text() == "The first post."


# ------------------------------------------------------------------ in the browser

CLS = """window.__cls = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({type: 'layout-shift', buffered: true});"""


@pytest.fixture
def new_page(browser, site_url):  # type: ignore[no-untyped-def]
    """`new_page(**context_options)`: a page that measures layout shift, network blocked; the
    requests that failed are in `page.failed`."""
    contexts = []
    origin = site_url.split(PREFIX)[0]

    def make(**options):  # type: ignore[no-untyped-def]
        context = browser.new_context(**options)
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
def test_follow_page_copies_the_feed_address(new_page, site_url, example_build, viewport,
                                             scheme) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=viewport, color_scheme=scheme,
                    permissions=["clipboard-read", "clipboard-write"])
    page.goto(site_url + FOLLOW, wait_until="load")
    address = ET.parse(example_build / "feed.xml").getroot() \
        .find(f"{ATOM}link[@rel='self']").get("href")
    code = page.locator("code#feed-address")
    assert code.inner_text().replace("\n", "") == address
    box = code.bounding_box()  # the address stays in its box, whole words per line
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    button = page.locator(".copy-button")
    assert _ax_name(page, button.element_handle()) == "Copy address"
    below = page.locator(".feed-help").bounding_box()
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == address
    expect(page.get_by_role("status")).to_have_text("Copied to your clipboard.")
    assert page.locator(".feed-help").bounding_box() == below  # said without moving the page
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.evaluate("window.__cls") == 0
    assert page.failed == []
    _shot(page, f"follow-{viewport['width']}-{scheme}")
    expect(button).to_have_text("Copy address", timeout=5000)  # and back, a moment later
    assert page.locator(".feed-help").bounding_box() == below


def test_follow_page_selects_the_address_when_the_clipboard_is_refused(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=PHONE)
    page.add_init_script("navigator.clipboard.writeText = () => Promise.reject(new Error('no'))")
    page.goto(site_url + FOLLOW, wait_until="load")
    page.locator(".copy-button").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("press Ctrl+C")
    assert status.is_visible()
    assert page.locator(".copy-button").inner_text() == "Copy address"
    code = page.locator("code#feed-address")
    assert page.evaluate("getSelection().toString()") == code.inner_text().replace("\n", "")


def test_follow_page_works_without_javascript(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    """The button would do nothing: it is not shown, and the address is text to select."""
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto(site_url + FOLLOW)
    assert not page.locator(".copy-button").is_visible()
    code = page.locator("code#feed-address")
    code.click()  # one click selects the whole address (user-select: all)
    assert page.evaluate("getSelection().toString()") == code.inner_text().replace("\n", "")
    assert page.locator('a[type="application/atom+xml"]').is_visible()


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
                                             (TOC, "nav.toc summary"),
                                             (FOLLOW, ".copy-button")])
def test_no_axe_violation_once_opened(new_page, site_url, axe, path, click, viewport,
                                      scheme) -> None:  # type: ignore[no-untyped-def]
    """The states a visitor clicks into (an open fold, the TOC toggled, the feed's address
    copied)."""
    page = new_page(viewport=viewport, color_scheme=scheme,
                    permissions=["clipboard-read", "clipboard-write"])
    page.goto(site_url + path, wait_until="load")
    page.locator(click).first.click()
    if path == FOLLOW:
        expect(page.locator(click)).to_have_text("Copied")
    violations = axe.run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
