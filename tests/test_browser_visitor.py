"""Every page type as a visitor meets it: Debian's chromium, light and dark, 375 and 1280 px.

For each page of the example site (served under its GitHub Pages base path, network blocked):
no axe-core violation of any impact, no console error, no failed request, no sideways scroll
of the page, `width` and `height` on every image, and cumulative layout shift 0 (measured in
the page with a `PerformanceObserver`, to Lighthouse's three decimals). A screenshot of each
is written to `screenshots/` (or `$PORTFOLIO_SCREENSHOTS`), which CI keeps, to be looked at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PREFIX = "/portfolio/"
REPO = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("PORTFOLIO_SCREENSHOTS") or REPO / "screenshots")
# one of each page type, the later issues' pages included
PAGES = {
    "home": "", "gallery": "projects/", "notebook": "projects/iris-eda/",
    "notebook-traceback": "projects/linear-regression-from-scratch/",
    "notebook-plotly": "projects/digits-knn/", "markdown-project": "projects/sentiment-api/",
    "blog": "blog/", "post-math": "blog/gradient-descent-by-hand/",
    "post-figures": "blog/bias-and-variance-in-pictures/", "tags": "tags/",
    "tag": "tags/numpy/", "page": "about/", "resume": "resume/", "learning": "learning/",
    "timeline": "timeline/", "now": "now/", "search": "search/", "follow": "feed/",
    "404": "no/such/page/",
}
SIZES = {"phone": {"width": 375, "height": 812}, "laptop": {"width": 1280, "height": 800}}

# Sum of layout shifts not caused by input, since the page started; resolved once the fonts
# are in and two frames have been drawn after that.
CLS = """() => new Promise(resolve => {
  let total = 0;
  const seen = [];
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      if (!e.hadRecentInput) {
        total += e.value;
        seen.push((e.sources || []).map(s => s.node ? (s.node.className || s.node.nodeName) : "?"));
      }
    }
  }).observe({type: "layout-shift", buffered: true});
  document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(
    () => setTimeout(() => resolve({total, seen}), 100))));
})"""


@pytest.fixture(scope="module")
def axe():  # type: ignore[no-untyped-def]
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        from .conftest import browser_missing

        browser_missing("axe-playwright-python is not installed (pip install -e '.[test]')")
    return Axe()


def _visit(browser: Any, site_url: str, path: str, size: str, scheme: str) -> dict[str, Any]:
    context = browser.new_context(viewport=SIZES[size], color_scheme=scheme,
                                  device_scale_factor=1)
    origin = site_url.split(PREFIX)[0]
    blocked: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(origin):
            r.continue_()
        else:  # a page that needs the network fails here: it would fail offline too
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    seen: dict[str, Any] = {"console": [], "failed": [], "blocked": blocked}
    wanted = site_url + path

    def console(message: Any) -> None:
        # the 404 page's own status is logged as an error: that one is the point of the page
        own = message.location.get("url") == wanted and "status of 404" in message.text
        if message.type == "error" and not (path.startswith("no/such") and own):
            seen["console"].append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: seen["console"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    response = page.goto(site_url + path, wait_until="load")
    seen["status"] = response.status if response else None
    seen["page"], seen["context"] = page, context
    return seen


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_type_works_for_a_visitor(browser, axe, site_url, kind: str, size: str,  # type: ignore[no-untyped-def]
                                             scheme: str) -> None:
    seen = _visit(browser, site_url, PAGES[kind], size, scheme)
    page = seen["page"]
    try:
        assert seen["status"] == (404 if kind == "404" else 200)
        shift = page.evaluate(CLS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        # a full-page picture shows every figure: lazy ones load as if scrolled to
        page.evaluate("""() => Promise.all([...document.images].map(i => {
            i.loading = "eager";
            return i.complete ? null : new Promise(r => { i.onload = i.onerror = r; });
        }))""")
        page.screenshot(path=str(SHOTS / f"{kind}-{size}-{scheme}.png"), full_page=True)
        results = axe.run(page).response
        violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                      for v in results["violations"]]
        assert violations == [], violations
        assert seen["console"] == [] and seen["failed"] == [], seen
        assert seen["blocked"] == [], "the page asks the network for " + str(seen["blocked"])
        widths = page.evaluate("[document.documentElement.scrollWidth,"
                               " document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
        unsized = page.evaluate("[...document.images].filter(i => !i.getAttribute('width')"
                                " || !i.getAttribute('height')).map(i => i.src)")
        assert unsized == [], unsized
        # 0 as Lighthouse reports it (three decimals): a formula's glyphs may narrow by a pixel
        # when a KaTeX font arrives after the first paint on a loaded machine (about 6e-5)
        assert round(shift["total"], 3) == 0, shift
    finally:
        seen["context"].close()


def test_every_figure_says_what_it_shows(browser, site_url) -> None:  # type: ignore[no-untyped-def]
    """Alt text from the figure's title, caption or section, never one phrase for all."""
    seen = _visit(browser, site_url, PAGES["notebook"], "laptop", "light")
    try:
        alts = seen["page"].evaluate(
            "[...document.querySelectorAll('.output_png img')].map(i => i.alt)")
    finally:
        seen["context"].close()
    assert len(alts) >= 3
    assert len(set(alts)) == len(alts), alts
    assert "Output of a notebook cell" not in alts
    assert any(alt.startswith("Figure in “") for alt in alts) or all(alts), alts


def test_math_is_typeset_before_the_page_is_shown(browser, site_url) -> None:  # type: ignore[no-untyped-def]
    """Finished KaTeX in the HTML; no typesetting script, only the fonts the formulas use."""
    requested: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("request", lambda r: requested.append(r.url))
    try:
        page.goto(site_url + PAGES["post-math"], wait_until="load")
        page.wait_for_timeout(200)
        assert page.locator(".math .katex").count() >= 3
        assert "\\(" not in page.locator(".prose").inner_text()
        assert not [u for u in requested if u.endswith(("katex.min.js", "auto-render.min.js"))]
        fonts = {u.rsplit("/", 1)[1] for u in requested if u.endswith(".woff2")}
        assert "KaTeX_Main-Regular.woff2" in fonts
        assert len(fonts) < 8, fonts  # of KaTeX's twenty
    finally:
        context.close()
