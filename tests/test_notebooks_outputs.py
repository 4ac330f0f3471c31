"""Every kind of output a notebook saves: images as files, HTML, Markdown, LaTeX, JS charts,
widgets, errors, streams, raw cells, and mimetypes we do not know."""

from __future__ import annotations

import base64
import json

import pytest

from generator.readers.nboutputs import choose

from .helpers_notebooks import (
    CONFIG,
    code,
    display,
    error,
    image_b64,
    md,
    nb,
    raw,
    render,
    stream,
)

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>'


@pytest.mark.parametrize("mime, fmt, ext", [("image/png", "PNG", ".png"),
                                            ("image/jpeg", "JPEG", ".jpg"),
                                            ("image/gif", "GIF", ".gif"),
                                            ("image/webp", "WEBP", ".webp")])
def test_raster_images_are_files_with_real_bytes(tmp_path, mime, fmt, ext):
    data = image_b64(fmt)
    body, page, out = render(tmp_path, nb(code("plot()", display({mime: data,
                                                                  "text/plain": "<Figure>"}))),
                             CONFIG)
    [img] = body.select("img")
    assert img["src"].endswith(ext) and img["loading"] == "lazy" and img["alt"]
    assert (out / "projects/nb" / img["src"]).read_bytes() == base64.b64decode(data)
    assert "<Figure>" not in body.get_text()
    assert "base64" not in str(page) and "data:" not in str(page)


def test_svg_is_a_file_never_inlined(tmp_path):
    body, page, out = render(tmp_path, nb(code("svg()", display({"image/svg+xml": SVG}))), CONFIG)
    assert body.find("svg") is None and body.find("circle") is None
    [img] = body.select(".output_svg img")
    assert img["src"].endswith(".svg")
    assert (out / "projects/nb" / img["src"]).read_text() == SVG
    assert "data:image" not in str(page)


def test_png_width_height_metadata_is_kept(tmp_path):
    output = display({"image/png": image_b64()}, {"image/png": {"width": 320, "height": 200}})
    body, _, _ = render(tmp_path, nb(code("x", output)), CONFIG)
    [img] = body.select("img")
    assert (img["width"], img["height"]) == ("320", "200")


def test_alt_text_from_output_metadata(tmp_path):
    output = display({"image/png": image_b64()}, {"image/png": {"alt": "Loss curve"}})
    body, _, _ = render(tmp_path, nb(code("x", output)), CONFIG)
    assert body.select_one("img")["alt"] == "Loss curve"


def test_corrupt_base64_is_a_warning_not_a_crash(tmp_path):
    body, _, _ = render(tmp_path, nb(code("x", display({"image/png": "not*base64!",
                                                        "text/plain": "fallback"}))), CONFIG)
    assert body.select("img") == [] or all(i.get("src") for i in body.select("img"))


def test_pandas_table_scrolls_sideways(tmp_path):
    table = "<table class='dataframe'><tr><th>a</th></tr><tr><td>1</td></tr></table>"
    body, _, _ = render(tmp_path, nb(code("df", display({"text/html": table,
                                                         "text/plain": "a 1"}, result=True))),
                        CONFIG)
    wrapper = body.select_one(".nb-table-scroll")
    assert wrapper is not None and wrapper.find("table", class_="dataframe") is not None
    assert "a 1" not in body.get_text()


def test_html_with_script_passes_through_when_trusted(tmp_path):
    html = "<div id='x'>chart</div><script>window.X = 1;</script>"
    body, _, _ = render(tmp_path, nb(code("HTML()", display({"text/html": html}))), CONFIG)
    assert body.find("script", string="window.X = 1;") is not None


def test_safe_mode_strips_scripts_from_html_outputs(tmp_path):
    html = "<div id='x'>chart</div><script>window.X = 1;</script>"
    book = nb(md("# T"), code("HTML()", display({"text/html": html})),
              metadata={"portfolio": {"safe": True}})
    body, _, _ = render(tmp_path, book, CONFIG)
    assert body.find("script") is None and "chart" in body.get_text()


def test_html_output_data_uri_images_become_files(tmp_path):
    data = image_b64()
    html = f'<p>see</p><img src="data:image/png;base64,{data}">'
    body, page, out = render(tmp_path, nb(code("x", display({"text/html": html}))), CONFIG)
    [img] = body.select(".output_html img")
    assert not img["src"].startswith("data:")
    assert (out / "projects/nb" / img["src"]).read_bytes() == base64.b64decode(data)
    assert "base64" not in str(page)


def test_markdown_and_latex_outputs_and_math_detection(tmp_path):
    book = nb(code("Markdown()", display({"text/markdown": "**bold** and $a_i * b_i$"})),
              code("Math()", display({"text/latex": "$$x_1^2 * y_2$$", "text/plain": "x"})))
    body, page, _ = render(tmp_path, book, CONFIG)
    assert body.select_one(".output_markdown strong").text == "bold"
    inline = body.select_one(".output_markdown .math")
    assert _tex(inline) == "a_i * b_i"  # `_` and `*` not turned into <em>
    latex = body.select_one(".output_latex")
    assert _tex(latex) == "x_1^2 * y_2" and latex.select_one(".katex-display")
    assert page.find("link", href=lambda h: h and h.endswith("katex.min.css"))


def _tex(element) -> str:  # type: ignore[no-untyped-def]
    """The TeX of typeset math (KaTeX keeps it in the MathML's annotation)."""
    note = element.select_one('annotation[encoding="application/x-tex"]')
    assert note is not None, f"not typeset at build time: {element}"
    return note.get_text()


def test_latex_output_alone_loads_math(tmp_path):
    body, page, _ = render(tmp_path, nb(md("no math here"), code(
        "x", display({"text/latex": r"\begin{align}a&=b\end{align}", "text/plain": "x"}))), CONFIG)
    assert r"\begin{align}" in _tex(body.select_one(".output_latex"))
    assert page.find("link", href=lambda h: h and h.endswith("katex.min.css"))


def test_no_math_no_math_library(tmp_path):
    _, page, _ = render(tmp_path, nb(md("plain prose, 5 dollars"), code("1", stream("1"))), CONFIG)
    srcs = " ".join(s.get("src") or "" for s in page.find_all("script"))
    assert "katex" not in srcs and "mathjax" not in srcs.lower()


def test_math_in_markdown_cells_is_not_mangled(tmp_path):
    body, _, _ = render(tmp_path, nb(md("Loss $L = \\sum_i w_i * x_i$ and\n\n"
                                         "$$\\hat{y}_j = a_1 * b_2$$\n\n"
                                         "\\begin{align}\na_1 &= b_1\n\\end{align}")), CONFIG)
    maths = [_tex(m) for m in body.select(".math")]
    assert "L = \\sum_i w_i * x_i" in maths
    assert any("a_1 * b_2" in m for m in maths)
    assert any("\\begin{align}" in m for m in maths)
    assert body.find("em") is None


def test_plotly_with_png_fallback_and_library_once(tmp_path):
    fig = {"data": [{"type": "bar", "y": [1, 2]}], "layout": {}}
    bundle = {"application/vnd.plotly.v1+json": fig, "image/png": image_b64(),
              "text/html": "<div>plotly html</div>"}
    body, page, out = render(tmp_path, nb(code("fig", display(bundle)), code("fig2",
                                                                              display(bundle))),
                             CONFIG)
    charts = body.select(".plotly-output")
    assert len(charts) == 2
    script = charts[0].find("script", type="application/vnd.plotly.v1+json")
    assert json.loads(script.string) == fig
    img = charts[0].select_one(".plotly-fallback img")
    assert (out / "projects/nb" / img["src"]).is_file()
    # one loader per page (assets/notebook.js fetches plotly.js once, when a chart is near)
    loaders = page.find_all("script", attrs={"data-plotly": True})
    assert len(loaders) == 1 and loaders[0]["data-plotly"].endswith("plotly.min.js")
    assert not [s for s in page.find_all("script", src=True) if "plotly" in s["src"]]


@pytest.mark.parametrize("mime, lib", [("application/vnd.vegalite.v5+json", "vega-lite@5"),
                                       ("application/vnd.vegalite.v4+json", "vega-lite@5"),
                                       ("application/vnd.vega.v5+json", "vega@5"),
                                       ("application/vnd.vegalite.v6+json", "vega-lite@6")])
def test_vega_and_altair_render_with_fallback(tmp_path, mime, lib):
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "mark": "bar"}
    bundle = {mime: spec, "image/png": image_b64(), "text/plain": "alt.Chart(...)"}
    body, page, out = render(tmp_path, nb(code("chart", display(bundle)),
                                          code("chart", display(bundle))), CONFIG)
    boxes = body.select(".vega-output")
    assert len(boxes) == 2
    assert json.loads(boxes[0].find("script", type=mime).string) == spec
    assert boxes[0].select_one(".vega-fallback img") is not None
    srcs = [s["src"] for s in page.find_all("script", src=True)]
    assert sum(lib in s for s in srcs) == 1
    assert sum("vega-embed" in s for s in srcs) == 1
    assert any(s.endswith("assets/nb-vega.js") for s in srcs)
    assert (out / "assets/nb-vega.js").is_file()


def test_vega_without_image_falls_back_to_text(tmp_path):
    bundle = {"application/vnd.vegalite.v5+json": {"mark": "point"}, "text/plain": "CHART-TXT"}
    body, _, _ = render(tmp_path, nb(code("chart", display(bundle))), CONFIG)
    assert body.select_one(".vega-fallback pre").get_text() == "CHART-TXT"


def test_bokeh_outputs_pass_through(tmp_path):
    loader = {"application/javascript": "window.BOKEH_LOADED = element.id;",
              "application/vnd.bokehjs_load.v0+json": ""}
    show = {"text/html": '<div id="bk1"></div><script>window.BK = 1;</script>',
            "application/vnd.bokehjs_exec.v0+json": ""}
    body, _, _ = render(tmp_path, nb(code("output_notebook()", display(loader)),
                                     code("show(p)", display(show, {
                                         "application/vnd.bokehjs_exec.v0+json": {"id": "1"}}))),
                        CONFIG)
    js = body.select_one(".output_javascript")
    assert js["id"] and f"getElementById('{js['id']}')" in js.script.string
    assert "BOKEH_LOADED" in js.script.string
    assert body.find("script", string="window.BK = 1;") is not None
    assert body.select_one("#bk1") is not None


def test_javascript_ids_are_stable_across_builds(tmp_path):
    book = nb(code("js", display({"application/javascript": "1;"})))
    first, _, _ = render(tmp_path / "a", book, CONFIG)
    second, _, _ = render(tmp_path / "b", book, CONFIG)
    assert str(first) == str(second)


WIDGET = {"model_id": "abc123", "version_major": 2, "version_minor": 0}
STATE = {"application/vnd.jupyter.widget-state+json": {
    "version_major": 2, "version_minor": 0,
    "state": {"abc123": {"model_name": "IntSliderModel",
                         "model_module": "@jupyter-widgets/controls",
                         "model_module_version": "2.0.0", "state": {"value": 3}}}}}


def test_widget_with_saved_state_uses_html_manager(tmp_path):
    bundle = {"application/vnd.jupyter.widget-view+json": WIDGET, "text/plain": "IntSlider(3)"}
    body, page, out = render(tmp_path, nb(code("slider", display(bundle)),
                                          metadata={"widgets": STATE}), CONFIG)
    view = body.find("script", type="application/vnd.jupyter.widget-view+json")
    assert json.loads(view.string) == WIDGET
    state = page.find_all("script", type="application/vnd.jupyter.widget-state+json")
    assert len(state) == 1 and "abc123" in state[0].string
    assert body.select_one(".output_widget_view .nb-fallback").get_text() == "IntSlider(3)"
    srcs = [s["src"] for s in page.find_all("script", src=True)]
    assert sum("@jupyter-widgets/html-manager@^1" in s for s in srcs) == 1
    assert (out / "assets/nb-widgets.js").is_file()


def test_widget_without_state_shows_text_fallback(tmp_path):
    bundle = {"application/vnd.jupyter.widget-view+json": WIDGET, "text/plain": "IntSlider(3)"}
    body, page, _ = render(tmp_path, nb(code("slider", display(bundle))), CONFIG)
    assert body.find("script", type="application/vnd.jupyter.widget-view+json") is None
    assert "IntSlider(3)" in body.get_text()
    assert not any("html-manager" in s["src"] for s in page.find_all("script", src=True))


def test_widget_without_state_or_text_is_never_an_empty_box(tmp_path):
    bundle = {"application/vnd.jupyter.widget-view+json": WIDGET}
    body, _, _ = render(tmp_path, nb(code("slider", display(bundle))), CONFIG)
    assert body.select_one(".output_area").get_text(strip=True)


def test_error_traceback_ansi_colours_become_classes(tmp_path):
    tb = ["\x1b[0;31mZeroDivisionError\x1b[0m Traceback", "\x1b[1;32m----> 1\x1b[0m 1/0"]
    body, _, _ = render(tmp_path, nb(code("1/0", error("ZeroDivisionError", "boom", tb))), CONFIG)
    err = body.select_one(".output_error")
    assert err.select_one("span.ansi-red-fg").text == "ZeroDivisionError"
    assert err.select_one(".ansi-green-fg, .ansi-green-intense-fg, .ansi-bold") is not None
    assert "\x1b" not in str(body)


def test_stderr_is_styled_apart_from_stdout(tmp_path):
    body, _, _ = render(tmp_path, nb(code("x", stream("out text\n"),
                                          stream("warn text\n", "stderr"))), CONFIG)
    assert body.select_one(".output_stdout").get_text().strip() == "out text"
    assert body.select_one(".output_stderr").get_text().strip() == "warn text"


def test_long_output_is_capped_with_a_show_all_fold(tmp_path):
    text = "".join(f"line {i}\n" for i in range(1000))
    config = CONFIG + "notebooks:\n  output_max_lines: 50\n"
    body, _, _ = render(tmp_path, nb(code("x", stream(text))), config)
    first = body.select_one(".output_stdout > pre").get_text()
    assert "line 49" in first and "line 50\n" not in first
    more = body.select_one(".output_stdout details.nb-more")
    assert "Show all" in more.summary.text and "line 999" in more.get_text()


def test_raw_cells_html_and_markdown_pass_others_dropped(tmp_path):
    book = nb(md("# T"), raw("<b id='rawhtml'>RAW-HTML</b>", "text/html"),
              raw("*RAW-MD*", "text/markdown"), raw("\\section{RAW-TEX}", "text/latex"),
              raw("RAW-PLAIN"), raw(".. RAW-RST", "text/restructuredtext"))
    body, _, _ = render(tmp_path, book, CONFIG)
    text = body.get_text()
    assert body.select_one("#rawhtml").text == "RAW-HTML"
    assert body.find("em", string="RAW-MD") is not None
    assert "RAW-TEX" not in text and "RAW-PLAIN" not in text and "RAW-RST" not in text


@pytest.mark.parametrize("data, expected", [
    ({"application/x-weird": "zz", "text/plain": "plain"}, "text/plain"),
    ({"application/x-weird": "zz", "image/png": "AAAA", "text/plain": "p"}, "image/png"),
    ({"application/vnd.custom+json": {"a": 1}}, "application/vnd.custom+json"),
    ({"text/x-unknown": "tx"}, "text/x-unknown"),
    ({"application/octet-stream": "zz"}, "application/x-portfolio-unknown"),
])
def test_unknown_mimetypes_fall_back(data, expected):
    assert choose(data, frozenset()) == expected


def test_unknown_mimetypes_render_without_crash(tmp_path):
    book = nb(code("a", display({"application/x-weird": "zz", "text/plain": "PLAIN-A"})),
              code("b", display({"application/vnd.custom+json": {"k": "JSON-B"}})),
              code("c", display({"text/x-unknown": "TEXT-C"})),
              code("d", display({"application/octet-stream": "zz"})))
    body, _, _ = render(tmp_path, book, CONFIG)
    text = body.get_text()
    assert "PLAIN-A" in text and "JSON-B" in text and "TEXT-C" in text
    assert "application/octet-stream" in body.select_one(".output_unknown").get_text()
