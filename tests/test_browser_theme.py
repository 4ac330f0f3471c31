"""The default theme in a real browser: Playwright driving Debian's chromium.

The example site is built once and served under `/portfolio/`, the base path it has on GitHub
Pages, by a tiny server that 404s everything outside it (with the site's own 404.html, as Pages
does). Skips locally when chromium or Playwright is missing; under CI it fails instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PREFIX = "/portfolio/"
PHONE = {"width": 375, "height": 812}
PAGES = [
    "", "projects/", "projects/iris-eda/", "projects/linear-regression-from-scratch/",
    "projects/digits-knn/", "projects/sentiment-api/", "blog/", "blog/gradient-descent-by-hand/",
    "tags/", "tags/numpy/", "about/", "404.html", "resume/", "learning/", "timeline/", "now/",
    "search/",
]
IRIS_COLAB = ("https://colab.research.google.com/github/ada-learns/portfolio/blob/main/"
              "projects/iris-eda/iris-eda.ipynb")




def _local_only(context, site_url: str, plotly_js: Path | None = None) -> None:  # type: ignore[no-untyped-def]
    """Block the network (MathJax, plotly CDNs); optionally serve plotly.js from a local file."""
    def route(r):  # type: ignore[no-untyped-def]
        url = r.request.url
        if url.startswith(site_url.split(PREFIX)[0]):
            r.continue_()
        elif plotly_js is not None and url.startswith("https://cdn.plot.ly/"):
            r.fulfill(path=str(plotly_js), content_type="application/javascript")
        else:
            r.abort()
    context.route("**/*", route)


@pytest.fixture
def new_page(browser, site_url):  # type: ignore[no-untyped-def]
    """`new_page(**context_options)`: a page in a fresh, network-isolated browser context."""
    contexts = []

    def make(plotly_js: Path | None = None, **options):  # type: ignore[no-untyped-def]
        context = browser.new_context(**options)
        contexts.append(context)
        _local_only(context, site_url, plotly_js)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_horizontal_scroll_on_a_phone(new_page, site_url, path, scheme) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=PHONE, device_scale_factor=2, color_scheme=scheme)
    response = page.goto(site_url + path)
    assert response is not None and response.status == 200
    widths = page.evaluate("[document.documentElement.scrollWidth,"
                           " document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{path} scrolls sideways at 375 px: {widths}"
    # the stylesheet really loaded under the base path (unstyled pages would also pass the above)
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).position") \
        in ("sticky", "static")
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"


def test_wide_code_and_tables_scroll_inside_their_own_box(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=PHONE)
    page.goto(site_url + "projects/iris-eda/")
    overflowing = page.evaluate("""() => [...document.querySelectorAll(
        '.prose pre, .prose table, .output_subarea')].filter(e => e.scrollWidth > e.clientWidth)
        .map(e => getComputedStyle(e).overflowX)""")
    assert overflowing, "expected some wide code or tables on the iris page at 375 px"
    assert set(overflowing) <= {"auto", "scroll"}


def test_dark_mode_changes_the_page_colours(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    colours = {}
    for scheme in ("light", "dark"):
        page = new_page(color_scheme=scheme)
        page.goto(site_url + "projects/linear-regression-from-scratch/")
        colours[scheme] = page.evaluate("""() => {
            const bg = (sel) => getComputedStyle(document.querySelector(sel)).backgroundColor;
            return {body: bg('body'), text: getComputedStyle(document.body).color,
                    code: bg('.input_area .highlight'), figure: bg('.output_png img')};
        }""")
    assert colours["light"]["body"] != colours["dark"]["body"]
    assert colours["light"]["text"] != colours["dark"]["text"]
    assert colours["light"]["code"] != colours["dark"]["code"]  # Pygments' dark style applies

    def luminance(rgb: str) -> float:
        r, g, b = (int(v) for v in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert luminance(colours["dark"]["body"]) < 60 < luminance(colours["light"]["body"])
    # white matplotlib figures sit on a light card in dark mode instead of glaring on black
    assert luminance(colours["dark"]["figure"]) > 200


def test_show_code_fold_opens_on_click(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(site_url + "projects/linear-regression-from-scratch/")
    fold = page.locator("details.nb-fold").first
    code = fold.locator(".input_area")
    assert fold.get_attribute("open") is None
    assert not code.is_visible()
    fold.locator("summary").click()
    assert fold.get_attribute("open") is not None
    assert code.is_visible()


def test_colab_badge_points_at_the_notebook(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(site_url + "projects/iris-eda/")
    badge = page.get_by_role("link", name="Open in Colab")
    assert badge.get_attribute("href") == IRIS_COLAB
    assert page.get_by_role("link", name="Download .ipynb").get_attribute("href") == \
        PREFIX + "projects/iris-eda/iris-eda.ipynb"


def test_navigation_works_under_the_base_path(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(site_url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    page.wait_for_url(site_url + "projects/")
    assert page.get_by_role("heading", level=1).inner_text() == "Projects"
    assert page.locator(".card").count() >= 3
    # a card's title link leads to its project page, still under /portfolio/
    page.get_by_role("link", name="Exploring the Iris data set", exact=True).click()
    page.wait_for_url(site_url + "projects/iris-eda/")
    assert page.locator(".prose.notebook .cell").count() > 5
    current = page.locator(".site-nav a.active")
    assert current.inner_text() == "Projects"


def test_404_page_is_styled_at_any_depth(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    response = page.goto(site_url + "no/such/page/here/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    # absolute, base-prefixed asset links: the stylesheet applies even four levels deep
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"
    page.get_by_role("link", name="Go to the home page").click()
    page.wait_for_url(site_url)


def test_skip_link_and_focus_ring_are_visible(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(site_url)
    skip = page.locator(".skip-link")
    assert skip.bounding_box()["y"] < 0  # hidden off-screen until focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    # it slides into view (a short transition), then stays there while focused
    page.wait_for_function("document.querySelector('.skip-link').getBoundingClientRect().top >= 0")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_plotly_fallback_is_honest_when_plotly_cannot_load(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.route("**/plotly.min.js", lambda route: route.abort())
    page.goto(site_url + "projects/digits-knn/")
    outputs = page.locator(".plotly-output")
    assert outputs.count() >= 1
    outputs.first.scroll_into_view_if_needed()  # plotly.js is fetched when a chart is near
    page.wait_for_selector(".plotly-note")
    note = outputs.first.locator(".plotly-note").inner_text()
    if outputs.first.locator(".plotly-fallback img").count():
        assert note == ("Interactive chart: it could not load here, so this is the image the "
                        "notebook saved.")
    else:  # no image was saved: say so, and where to run it, not "showing the saved image"
        assert note.startswith("Interactive chart: it could not load here"), note
        assert "saved image" not in note
        assert outputs.first.locator(".plotly-note a").get_attribute("href", timeout=1000) \
            .startswith("https://colab.research.google.com/")
    assert outputs.first.locator(".plotly-fallback").get_attribute("hidden") is None


def test_plotly_is_loaded_once_from_the_site_when_a_chart_is_near(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    requested: list[str] = []
    page = new_page(viewport=PHONE, color_scheme="dark")
    page.on("request", lambda r: requested.append(r.url) if "plot" in r.url else None)
    page.goto(site_url + "projects/digits-knn/")
    # the notebook's own `import "https://cdn.plot.ly/..."` is gone from the page
    assert "cdn.plot.ly" not in page.content()
    assert not [u for u in requested if u.endswith("plotly.min.js")], "fetched before needed"
    page.locator(".plotly-output").first.scroll_into_view_if_needed()
    page.wait_for_selector(".plotly-output.is-live", timeout=20_000)
    for chart in page.locator(".plotly-output").all():
        chart.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    assert [u for u in requested if u.endswith("plotly.min.js")] == [
        site_url + "assets/plotly.min.js"]
    first = page.locator(".plotly-output").first
    assert first.locator(".plotly-figure .main-svg").count() >= 1
    assert first.locator(".plotly-fallback").get_attribute("hidden") is not None
    # dark mode: the chart's text takes the theme's light text colour, not plotly's dark grey
    font = page.evaluate("document.querySelector('.plotly-figure')._fullLayout.font.color")
    assert font.lower() == page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--text').trim()").lower()
    # on a phone: the legend sits below the plot and no mode bar covers the title
    layout = page.evaluate("document.querySelector('.plotly-figure')._fullLayout.legend")
    if layout:
        assert layout.get("orientation") == "h"
    assert page.locator(".plotly-output .modebar").count() == 0
    # a fixed-width figure shrinks to the phone instead of widening the page
    widths = page.evaluate("[document.documentElement.scrollWidth,"
                           " document.documentElement.clientWidth]")
    assert widths[0] <= widths[1]


def test_resume_prints_without_navigation_and_with_link_addresses(new_page, site_url) -> None:  # type: ignore[no-untyped-def]
    """Print to PDF gives a résumé, not a web page: no header, footer or buttons, no dark
    background even in dark mode, and each project link's address written out."""
    page = new_page(color_scheme="dark")
    page.goto(site_url + "resume/")
    assert page.is_visible(".site-header") and page.is_visible("[data-print]")
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", "[data-print]", ".skip-link"):
        assert not page.is_visible(hidden), hidden
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    after = page.evaluate("""() => getComputedStyle(document.querySelector(
        '#resume-projects ~ .resume-entry a[data-print-url], .resume-entry a[data-print-url]'),
        '::after').content""")
    assert "https://ada-learns.github.io/portfolio/projects/" in after
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, f"the example's résumé prints on {pages} A4 pages"
