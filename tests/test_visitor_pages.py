"""Issue 14 in the built HTML: image sizes and srcset, alt text, math typeset at build time
with only its fonts, readable tracebacks, accessible tables, plotly loaded once."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from bs4 import BeautifulSoup

from generator.build import build
from generator.readers import nboutputs
from generator.site.styles import code_css

from .helpers_reliability import CONFIG, code_cell, make, md_cell, nb


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _figure(width: int, height: int, **metadata: object) -> dict:
    return {"output_type": "display_data", "metadata": metadata,
            "data": {"image/png": base64.b64encode(_png(width, height)).decode(),
                     "text/plain": "<Figure>"}}


def _page(root: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_site" / url / "index.html").read_text("utf-8"), "html.parser")


def test_every_image_gets_its_size_from_the_file(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/p.md": "---\ntitle: P\ndate: 2024-01-01\n---\n\n![A chart](chart.png)\n\n"
                              '<img src="chart.png" width="150" alt="Half">\n\n'
                              "![Far](https://example.org/x.png)\n",
        "content/posts/chart.png": _png(300, 200),
        "content/posts/shape.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="72pt" '
                                   'height="36pt"></svg>',
        "content/about.md": "# About\n\n![Shape](posts/shape.svg)\n",
    }, CONFIG)
    build(root)
    images = {i["alt"]: i for i in _page(root, "blog/p").select(".prose img")}
    assert (images["A chart"]["width"], images["A chart"]["height"]) == ("300", "200")
    assert (images["Half"]["width"], images["Half"]["height"]) == ("150", "100")  # the ratio
    assert "width" not in images["Far"].attrs  # not ours to measure
    shape = _page(root, "about").select_one(".prose img")
    assert (shape["width"], shape["height"]) == ("96", "48")  # pt are 4/3 px


def test_notebook_figures_alt_text_sizes_and_srcset(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"projects/figs.ipynb": nb([
        md_cell("# Figures\n\n## Loss over time"),
        code_cell("plt.plot(loss)", [_figure(400, 300)]),
        code_cell('plt.title("Accuracy by epoch")\nplt.plot(acc)', [_figure(400, 300)]),
        code_cell("#| fig-cap: Confusion matrix of the test set\nshow()", [_figure(400, 300)]),
        code_cell("big()", [_figure(2000, 1000)]),
        code_cell("retina()", [_figure(1280, 960, **{"image/png": {"width": 640}})]),
    ])}, CONFIG)
    build(root)
    images = _page(root, "projects/figs").select(".output_png img")
    assert [i["alt"] for i in images[:3]] == [
        "Figure in “Loss over time”", "Accuracy by epoch", "Confusion matrix of the test set"]
    assert all(i.get("width") and i.get("height") for i in images)
    big = images[3]
    assert (big["width"], big["height"]) == ("2000", "1000")
    assert big["srcset"] == "output_4_0-640w.png 640w, output_4_0-1280w.png 1280w, " \
        "output_4_0.png 2000w"
    out = root / "_site/projects/figs"
    from PIL import Image

    assert Image.open(out / "output_4_0-640w.png").size == (640, 320)
    retina = images[4]  # the display size the notebook gave, and the height that goes with it
    assert (retina["width"], retina["height"]) == ("640", "480")
    assert "output_5_0-640w.png 640w" in retina["srcset"]


def test_math_is_typeset_at_build_time_with_only_its_fonts(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/m.md": "---\ntitle: M\ndate: 2024-01-01\n---\n\n"
                              "Inline $\\mathbb{E}[x]$ and\n\n$$\\sum_{i=1}^n x_i^2$$\n\n"
                              "and a formula KaTeX refuses: $\\notamacro{x}$.\n",
        "content/posts/plain.md": "---\ntitle: Plain\ndate: 2024-01-02\n---\n\nCosts $5.\n",
    }, CONFIG)
    build(root)
    page = _page(root, "blog/m")
    maths = page.select(".math")
    assert maths[0].select_one(".katex .katex-mathml math")  # MathML for screen readers too
    assert maths[1].select_one(".katex-display")
    assert maths[2].get_text() == "\\(\\notamacro{x}\\)"  # left for the browser's KaTeX
    fonts = [link["href"] for link in page.select('head link[rel="preload"][as="font"]')]
    assert fonts[0] == "/repo/assets/katex/fonts/KaTeX_Main-Regular.woff2"
    assert "/repo/assets/katex/fonts/KaTeX_AMS-Regular.woff2" in fonts  # \mathbb
    assert "/repo/assets/katex/fonts/KaTeX_Fraktur-Regular.woff2" not in fonts
    assert page.select_one('head link[href$="katex.min.css"]')
    assert not page.select('script[src$="katex.min.js"]')  # math.js fetches it only if needed
    plain = _page(root, "blog/plain")
    assert not plain.select('link[href*="katex"]') and not plain.select('script[src$="math.js"]')


def test_tracebacks_keep_readable_colours_and_tables_are_labelled(tmp_path: Path) -> None:
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad shape",
             "traceback": ["\x1b[38;5;241m# a comment\x1b[0m \x1b[1;38;5;28mdef\x1b[0m",
                           "\x1b[31mValueError\x1b[0m: bad shape"]}
    frame = ('<table class="dataframe"><thead><tr><th></th><th>a</th></tr></thead>'
             "<tbody><tr><th>0</th><td>1</td></tr></tbody></table>")
    table = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
             "data": {"text/html": frame, "text/plain": "df"}}
    root = make(tmp_path / "s", {"projects/t.ipynb": nb([
        code_cell("boom()", [error]), code_cell("df", [table]), code_cell("df", [table])])},
        CONFIG)
    build(root)
    page = _page(root, "projects/t")
    spans = page.select(".output_error pre span[style]")
    assert spans and all("--ansi-fg:" in s["style"] and "color: rgb" not in s["style"]
                         for s in spans)
    assert "ValueError" in page.select_one(".output_error").get_text()
    regions = page.select(".nb-table-scroll")
    assert [r["aria-label"] for r in regions] == ["Table 1", "Table 2"]  # each its own name
    corner = regions[0].select_one("thead tr").contents[0]
    assert corner.name == "td"  # an empty header cell says nothing to a screen reader
    assert regions[0].select_one("thead th").get_text() == "a"


def test_plotly_set_up_output_is_dropped_and_plotly_loaded_once(tmp_path: Path) -> None:
    loader = {"output_type": "display_data", "metadata": {}, "data": {
        "text/html": '<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: '
                     "'local'};</script>\n"
                     '<script type="module">import "https://cdn.plot.ly/plotly-3.0.1.min"'
                     "</script>", "text/plain": ""}}
    chart = {"output_type": "display_data", "metadata": {}, "data": {
        "application/vnd.plotly.v1+json": {"data": [{"y": [1, 2]}], "layout": {}},
        "text/plain": "Figure"}}
    mine = {"output_type": "display_data", "metadata": {}, "data": {
        "text/html": "<b>my own plot summary</b>", "text/plain": ""}}
    root = make(tmp_path / "s", {"projects/p.ipynb": nb([
        code_cell("import plotly", [loader]), code_cell("fig.show()", [chart, mine])])}, CONFIG)
    build(root)
    html = (root / "_site/projects/p/index.html").read_text("utf-8")
    assert "cdn.plot.ly" not in html and "PlotlyConfig" not in html
    assert "my own plot summary" in html
    page = BeautifulSoup(html, "html.parser")
    scripts = page.select("script[data-plotly]")
    assert len(scripts) == 1
    plotly = scripts[0]["data-plotly"]
    if plotly.startswith("/"):  # the installed plotly package's copy, published once
        assert plotly == "/repo/assets/plotly.min.js"
        assert (root / "_site/assets/plotly.min.js").stat().st_size > 1_000_000
    assert "Figure" in page.select_one(".plotly-fallback").get_text()


def test_loader_detection_leaves_other_html_alone() -> None:
    def out(html: str) -> dict:
        return {"output_type": "display_data", "data": {"text/html": html}}

    assert nboutputs._plotly_loader(out('<script src="https://cdn.plot.ly/plotly-2.js">'
                                        "</script>"))
    assert not nboutputs._plotly_loader(out("<div>plot</div><script>draw()</script>"))
    assert not nboutputs._plotly_loader(out('<script>Plotly.newPlot("x", [])</script>'))


def test_code_boxes_take_the_page_background_in_their_own_kind_of_style() -> None:
    css = code_css("default", "github-dark").decode()
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    assert ":root .highlight { background: var(--code-bg); }" in light
    assert ":root .highlight { background: var(--code-bg); }" in dark
    # a dark style chosen for light mode keeps its own background: its colours need it
    css = code_css("monokai", "default").decode()
    assert "var(--code-bg)" not in css


def test_real_notebook_outputs_get_alt_titles_https_and_quiet_javascript(tmp_path: Path) -> None:
    """What Lighthouse found on a site of real notebooks (IPython's own examples)."""
    rich = {"output_type": "display_data", "metadata": {}, "data": {"text/html":
            '<img src="http://example.org/logo.png"><iframe src="https://www.youtube.com/'
            'embed/x"></iframe><audio controls src="http://example.org/a.wav"></audio>',
            "text/plain": ""}}
    legacy = {"output_type": "display_data", "metadata": {}, "data": {
        "application/javascript": "IPython.notebook.kernel.execute('x = 1');",
        "text/plain": ""}}
    root = make(tmp_path / "s", {"projects/r.ipynb": nb([
        code_cell("Image(url=...)", [rich]), code_cell("Javascript(...)", [legacy])])},
        CONFIG)
    build(root)
    page = _page(root, "projects/r")
    image = page.select_one(".output_html img")
    assert image["alt"] == "Image from a notebook output"
    assert image["src"] == "https://example.org/logo.png"  # GitHub Pages is https
    assert page.select_one(".output_html iframe")["title"]
    assert page.select_one(".output_html audio")["src"].startswith("https://")
    script = page.select_one(".output_javascript script").get_text()
    assert "try {" in script and "needs the live notebook" in script
    home = BeautifulSoup((root / "_site/index.html").read_text("utf-8"), "html.parser")
    assert home.select_one('meta[name="description"]')["content"] == \
        "Test Site: projects, notebooks and posts by Test Author."
