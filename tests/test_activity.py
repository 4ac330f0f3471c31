"""Activity: the home page's calendar heatmap, the study-versus-ship chart on the learning
page, and the /timeline/ page. The SVGs are parsed as XML: cells, titles and counts."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build

from .conftest import chromium_browser, copy_example, serve_site
from .helpers_reliability import digest, make

SVG = "{http://www.w3.org/2000/svg}"
EPOCH = "1777593600"  # 2026-05-01 00:00 UTC, a Friday: the calendar opens on 2025-04-28
CONFIG = """\
title: Activity
url: https://learner.github.io/ml/
author:
  name: Ada Learner
"""
LEARNING = """\
tracks:
  - name: Foundations
    items:
      - title: ML course
        kind: course
        status: done
        started: 2026-01-10
        finished: 2026-03-04
      - title: Stats book
        kind: book
        status: in progress
        started: 2026-04
      - title: Old book
        status: done
        started: 2024-01-01
        finished: 2024-02-01
"""


def post(title: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\n{extra}---\n\nText.\n"


FILES: dict[str, str | bytes] = {
    "content/posts/2026-03-04-first.md": post("First post"),
    "content/posts/2026-04-30-late.md": post("Late post"),
    "content/posts/2025-12-24-winter.md": post("Winter post"),
    "content/posts/2024-06-01-ancient.md": post("Ancient post"),  # before the calendar
    "content/posts/2026-06-01-future.md": post("Future post"),  # after the build date
    "projects/model.md": post("A model", "date: 2026-03-04\n"),
    "projects/undated.md": post("Undated project"),
    "content/learning.yml": LEARNING,
}


@pytest.fixture(autouse=True)
def build_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def page(root: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_site" / rel).read_text("utf-8"), "html.parser")


def svg_of(soup: BeautifulSoup, css: str) -> ET.Element:
    """The inline SVG as XML (it must be well-formed on its own)."""
    node = soup.select_one(css)
    assert node is not None, css
    return ET.fromstring(str(node))


def test_home_heatmap_has_a_cell_per_day_with_titles_and_counts(tmp_path):
    root = make(tmp_path / "s", FILES, CONFIG)
    build(root)
    home = page(root, "index.html")
    svg = svg_of(home, "svg.heatmap-svg")
    assert svg.get("role") == "img"
    labelled = svg.get("aria-labelledby").split()
    ids = {e.get("id"): e for e in svg.iter() if e.get("id")}
    assert [ids[i].tag for i in labelled] == [SVG + "title", SVG + "desc"]
    cells = svg.findall(f".//{SVG}rect")
    assert len(cells) == 369  # 2025-04-28 (a Monday, 52 weeks back) to 2026-05-01
    assert cells[0].get("data-date") == "2025-04-28" and cells[-1].get("data-date") == \
        "2026-05-01"
    assert len({c.get("x") for c in cells}) == 53  # weeks
    assert len({c.get("y") for c in cells}) == 7  # days, Monday on top
    by_day = {c.get("data-date"): c for c in cells}
    busy = by_day["2026-03-04"]
    assert busy.get("data-count") == "3" and "hm-3" in busy.get("class")
    assert busy.find(SVG + "title").text == \
        "Mar 4, 2026: Post: First post; Project: A model; Finished: ML course"
    assert by_day["2025-12-24"].find(SVG + "title").text == "Dec 24, 2025: Post: Winter post"
    assert "hm-1" in by_day["2025-12-24"].get("class")
    quiet = by_day["2026-01-10"]  # starting a course is not publishing anything
    assert quiet.get("data-count") == "0" and "hm-0" in quiet.get("class")
    assert quiet.find(SVG + "title").text == "Jan 10, 2026: nothing published"
    assert sum(int(c.get("data-count")) for c in cells) == 5  # not the ancient, not the future
    assert {c.get("class").split()[1] for c in cells} <= {f"hm-{n}" for n in range(5)}
    months = [t.text for t in svg.findall(f".//{SVG}text")]
    assert months[:3] == ["May", "Jun", "Jul"] and "Mon" in months  # 28 Apr: no room
    desc = ids[labelled[1]].text
    assert desc.startswith("5 things published from Apr 28, 2025 to May 1, 2026: 3 posts, "
                           "1 project and 1 finished learning item; the busiest day was "
                           "Mar 4, 2026, with 3.")
    # the text alternative is also on the page, and the box scrolls on its own, by keyboard
    assert desc in home.select_one(".heatmap figcaption").get_text()
    region = home.select_one(".heatmap .chart-scroll")
    assert region["role"] == "region" and region["tabindex"] == "0" and region["aria-label"]
    assert home.select_one("#activity-title ~ a, .section-head a[href='/ml/timeline/']")


def test_the_calendar_follows_the_build_date_and_is_reproducible(tmp_path, monkeypatch):
    root = make(tmp_path / "s", FILES, CONFIG)
    build(root, out_dir=tmp_path / "one")
    build(root, out_dir=tmp_path / "two", force=True)
    one, two = digest(tmp_path / "one"), digest(tmp_path / "two")
    for rel in ("index.html", "timeline/index.html", "learning/index.html", "learning.json"):
        assert one[rel] == two[rel], rel
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 2 * 365 * 86400))
    build(root, out_dir=tmp_path / "later")
    later = BeautifulSoup((tmp_path / "later/index.html").read_text("utf-8"), "html.parser")
    assert later.select_one("svg.heatmap-svg") is None  # nothing in the last 12 months
    timeline = (tmp_path / "later/timeline/index.html").read_text("utf-8")
    assert "First post" in timeline  # the timeline keeps everything


def test_the_study_and_ship_chart_counts_each_month(tmp_path):
    root = make(tmp_path / "s", FILES, CONFIG)
    build(root)
    soup = page(root, "learning/index.html")
    svg = svg_of(soup, "svg.balance-svg")
    assert svg.get("role") == "img" and svg.find(SVG + "desc").text.startswith(
        "Over the last 12 months, 3 items studied (started or finished) and 4 things shipped")
    months = svg.findall(f"{SVG}g")
    assert [g.get("data-month") for g in months][:2] == ["2025-06", "2025-07"]
    assert months[-1].get("data-month") == "2026-05" and len(months) == 12
    values = {g.get("data-month"): [(r.get("class"), int(r.get("data-value")))
                                    for r in g.findall(SVG + "rect")] for g in months}
    assert values["2026-03"] == [("bal-in", 1), ("bal-out", 2)]  # ML course; post + project
    assert values["2026-01"] == [("bal-in", 1), ("bal-out", 0)]  # ML course started
    assert values["2026-04"] == [("bal-in", 1), ("bal-out", 1)]  # Stats book; late post
    assert values["2025-12"] == [("bal-in", 0), ("bal-out", 1)]
    assert values["2025-06"] == [("bal-in", 0), ("bal-out", 0)]
    titles = [t.text for t in months[-3].iter(SVG + "title")]  # March 2026
    assert titles == ["Mar 2026: 1 item studied (ML course)",
                      "Mar 2026: 2 things shipped (First post; A model)"]
    # the tallest bar fills the plot; an empty month has no bar
    heights = {r.get("data-value"): float(r.get("height")) for r in svg.iter(SVG + "rect")}
    assert heights["2"] == 120 and heights["0"] == 0
    # the data table for screen readers has the same numbers
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])]
            for tr in soup.select(".learning-chart table tbody tr")]
    assert rows[-3] == ["March 2026", "1", "2"] and len(rows) == 12
    balance = soup.select_one(".learning-balance strong").get_text()
    assert balance == "Last 12 weeks: 2 items studied, 3 things shipped."


def test_timeline_groups_posts_projects_and_milestones_by_month_newest_first(tmp_path):
    root = make(tmp_path / "s", FILES, CONFIG)
    build(root)
    soup = page(root, "timeline/index.html")
    months = [h.contents[0].strip() for h in soup.select(".timeline-month h2")]
    assert months[:4] == ["April 2026", "March 2026", "January 2026", "December 2025"]
    assert months[-1] == "January 2024"
    march = soup.select(".timeline-month")[1]
    events = [(li.select_one(".ev-kind").get_text(), li.select_one(".ev-title a").get_text())
              for li in march.select(".timeline-event")]
    assert events == [("Finished", "ML course"), ("Project", "A model"),
                      ("Post", "First post")]
    started = soup.select(".timeline-month")[0].select(".ev-started")[0]
    assert started.a["href"] == "/ml/learning/#item-stats-book"
    assert started.time.get_text() == "Apr 2026"  # the file gave only the month
    assert "Course · Foundations" in march.select_one(".ev-finished .ev-detail").get_text()
    assert "Future post" not in str(soup) and "Undated project" not in str(soup)
    assert [a["href"] for a in soup.select(".timeline-months a")][0] == "#m-2026-04"
    assert soup.select_one("svg.heatmap-svg") is not None


# -- in a browser: phone width and dark mode --------------------------------------------------

PREFIX = "/portfolio/"


@pytest.fixture(scope="module")
def example_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site, built on 2 Dec 2026, served under /portfolio/ as on GitHub Pages."""
    root = copy_example(tmp_path_factory.mktemp("activity") / "site")
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1796212800"
    try:
        build(root, out_dir=root.parent / "serve" / "portfolio")
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old

    with serve_site(root.parent / "serve" / "portfolio", PREFIX) as url:
        yield url


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    with chromium_browser() as launched:
        yield launched


CONTRAST = """(selectors) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = {};
  for (const sel of selectors) {
    const el = document.querySelector(sel);
    if (!el) { out[sel] = null; continue; }
    const style = getComputedStyle(el);
    const fg = rgb(el instanceof SVGElement ? style.fill : style.color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
    out[sel] = (a + 0.05) / (b + 0.05);
  }
  return out;
}"""
READABLE = {
    "learning/": [".pill-done", ".pill-in-progress", ".pill-planned", ".item-meta",
                  ".progress-count", ".outcome-kind", ".bal-label", ".ev-kind", ".mini-meta"],
    "timeline/": [".ev-post .ev-kind", ".ev-project .ev-kind", ".ev-started .ev-kind",
                  ".ev-detail", ".hm-labels text"],
    "": [".hm-labels text", ".heatmap-caption"],
}


@pytest.mark.browser
@pytest.mark.parametrize("path", ["learning/", "timeline/", ""])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_new_pages_fit_a_phone_and_stay_readable_in_dark_mode(browser, example_url, path,
                                                              scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    try:
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            example_url.split(PREFIX)[0]) else r.abort())
        tab = context.new_page()
        response = tab.goto(example_url + path)
        assert response is not None and response.status == 200
        widths = tab.evaluate("[document.documentElement.scrollWidth,"
                              " document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"/{path} scrolls sideways at 390 px: {widths}"
        # a chart wider than the phone scrolls inside its own box, opened on the newest end
        boxes = tab.evaluate("""() => [...document.querySelectorAll('.chart-scroll')].map(b => {
            const rects = b.querySelectorAll('svg rect'), last = rects[rects.length - 1];
            const box = b.getBoundingClientRect(), cell = last.getBoundingClientRect();
            return [getComputedStyle(b).overflowX, b.scrollWidth > b.clientWidth,
                    cell.right <= box.right + 1 && cell.left >= box.left - 1];
        })""")
        assert boxes and all(box == ["auto", True, True] for box in boxes), boxes
        ratios = tab.evaluate(CONTRAST, READABLE[path])
        for selector, ratio in ratios.items():
            assert ratio is not None, f"{selector} missing on /{path}"
            assert ratio >= 4.5, f"{selector} on /{path} ({scheme}): contrast {ratio:.2f}"
        if scheme == "dark":
            if path != "learning/":  # an active day stands out from an empty one
                levels = tab.evaluate("""() => ['.hm-0', ':not(.hm-0)'].map(s => getComputedStyle(
                    document.querySelector('.hm-cell' + s)).fill)""")
                assert levels[0] != levels[1]
            assert tab.evaluate("getComputedStyle(document.body).backgroundColor") == \
                "rgb(12, 16, 23)"
    finally:
        context.close()
