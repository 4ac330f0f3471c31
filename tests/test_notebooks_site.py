"""Notebooks inside a whole site: links, attachments, local images, thumbnails, TOC, format
versions, kernel languages, page weight, and the example site."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from PIL import Image

from .helpers_notebooks import (
    CONFIG,
    build_site,
    code,
    display,
    image_b64,
    md,
    nb,
    png_bytes,
    soup,
    stream,
    write,
)

REPO = Path(__file__).resolve().parent.parent
POST = ("---\ntitle: A post\ndate: 2024-01-02\n---\n\n"
        "See [the model](../../projects/02-model.ipynb).\n")


def test_links_between_notebooks_and_posts_are_rewritten(tmp_path):
    first = nb(md("# First\n\n[next](02-model.ipynb), [post](../content/posts/x.md), "
                  "[anchor](02-model.ipynb#results)"), untitled=True)
    second = nb(md("# Model\n\n## Results\n\nback to [first](01-first.ipynb)"), untitled=True)
    root = write(tmp_path / "s", {"projects/01-first.ipynb": first,
                                  "projects/02-model.ipynb": second,
                                  "content/posts/x.md": POST}, CONFIG)
    out = build_site(root)
    hrefs = [a["href"] for a in soup(out / "projects/01-first/index.html")
             .select(".prose a:not(.heading-anchor)")]
    assert hrefs[0] == "/repo/projects/02-model/"
    assert hrefs[2] == "/repo/projects/02-model/#results"
    assert hrefs[1].startswith("/repo/") and "@@" not in hrefs[1]
    assert (out / hrefs[1].removeprefix("/repo/") / "index.html").exists()
    back = soup(out / "projects/02-model/index.html").select_one(".prose a[href$='01-first/']")
    assert back is not None
    post_link = soup(out / hrefs[1].removeprefix("/repo/") / "index.html").select_one(
        ".prose a[href*='02-model']")
    assert post_link["href"] == "/repo/projects/02-model/"
    assert (out / "projects/02-model/index.html").exists()
    assert soup(out / "projects/02-model/index.html").select_one("#results") is not None


def test_cell_attachments_are_written_as_files(tmp_path):
    cell = md("![diagram](attachment:diagram.png)")
    data = image_b64()
    cell["attachments"] = {"diagram.png": {"image/png": data}}
    root = write(tmp_path / "s", {"projects/nb.ipynb": nb(cell)}, CONFIG)
    out = build_site(root)
    page = soup(out / "projects/nb/index.html")
    img = page.select_one(".prose img")
    assert not img["src"].startswith(("attachment:", "data:")) and img["alt"] == "diagram"
    assert "/" not in img["src"]  # beside the page, whatever the base path
    assert (out / "projects/nb" / img["src"]).read_bytes() == base64.b64decode(data)


def test_markdown_data_uri_images_become_files(tmp_path):
    data = image_b64()
    root = write(tmp_path / "s", {"projects/nb.ipynb": nb(md(
        f"![pasted](data:image/png;base64,{data})"))}, CONFIG)
    out = build_site(root)
    html = (out / "projects/nb/index.html").read_text()
    assert "base64" not in html
    src = soup(out / "projects/nb/index.html").select_one(".prose img")["src"]
    assert (out / "projects/nb" / src).read_bytes() == base64.b64decode(data)


def test_local_images_referenced_from_markdown_cells_are_copied(tmp_path):
    root = write(tmp_path / "s", {"projects/demo/nb.ipynb": nb(md("![pipeline](img/p.png)")),
                                  "projects/demo/img/p.png": png_bytes()}, CONFIG)
    out = build_site(root)
    src = soup(out / "projects/nb/index.html").select_one(".prose img")["src"]
    assert src.startswith("/repo/")
    assert (out / src.removeprefix("/repo/")).read_bytes() == png_bytes()


def test_thumbnail_is_resized_and_used_for_card_and_og_image(tmp_path):
    big = base64.b64encode(png_bytes(1600, 1000)).decode()
    book = nb(md("# T"), code("x", stream("no image yet")),
              code("plot()", display({"image/png": big})))
    root = write(tmp_path / "s", {"projects/nb.ipynb": book}, CONFIG)
    out = build_site(root)
    card = soup(out / "projects/index.html").select_one(".card img")
    assert card["src"].startswith("/repo/projects/nb/thumbnail.")
    thumb = out / card["src"].removeprefix("/repo/")
    with Image.open(thumb) as image:  # 16:10 fitted whole on the card's 16:9, never cropped
        assert image.size == (640, 360)
    og = soup(out / "projects/nb/index.html").find("meta", property="og:image")
    assert og["content"] == "https://tester.github.io" + card["src"]
    first = thumb.read_bytes()
    out2 = build_site(write(tmp_path / "s2", {"projects/nb.ipynb": book}, CONFIG))
    assert (out2 / card["src"].removeprefix("/repo/")).read_bytes() == first


def test_thumbnail_module_is_deterministic_and_small():
    from generator.readers.thumbnails import make_thumbnail

    data = png_bytes(2000, 1200)
    ext, first = make_thumbnail(data)
    assert make_thumbnail(data) == (ext, first)
    with Image.open(io.BytesIO(first)) as image:
        assert image.size == (640, 360)  # the card's ratio: padded, not cropped
    assert make_thumbnail(b"not an image") is None


def test_front_matter_image_wins_over_thumbnail(tmp_path):
    book = nb(code("x", display({"image/png": image_b64()})),
              metadata={"portfolio": {"title": "T", "image": "cover.png"}})
    root = write(tmp_path / "s", {"projects/nb.ipynb": book, "projects/cover.png": png_bytes()},
                 CONFIG)
    out = build_site(root)
    assert soup(out / "projects/index.html").select_one(".card img")["src"] == \
        "/repo/projects/cover.png"


def test_heading_anchors_and_toc(tmp_path):
    book = nb(md("## Data\n\ntext"), md("## Model\n\n### Loss"), md("## Model"),
              metadata={"portfolio": {"title": "T", "toc": True}})
    root = write(tmp_path / "s", {"projects/nb.ipynb": book}, CONFIG)
    page = soup(build_site(root) / "projects/nb/index.html")
    ids = [h["id"] for h in page.select(".prose h2, .prose h3")]
    assert ids == ["Data", "Model", "Loss", "Model-2"]  # the ids Jupyter gives them
    toc = [a["href"] for a in page.select(".toc a")]
    assert toc == ["#Data", "#Model", "#Loss", "#Model-2"]
    assert page.select_one("#Model a.heading-anchor")["href"] == "#Model"
    # the lower-case anchors of earlier builds still lead to the same headings
    assert [page.select_one(f"#{a}").parent["id"] for a in ("data", "model", "loss")] == \
        ["Data", "Model", "Loss"]


def test_no_toc_unless_asked(tmp_path):
    root = write(tmp_path / "s", {"projects/nb.ipynb": nb(md("## Data"), md("## Model"))}, CONFIG)
    assert soup(build_site(root) / "projects/nb/index.html").select(".toc a") == []


V3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "old"}, "worksheets": [{
    "cells": [{"cell_type": "heading", "level": 1, "source": ["Old notebook"], "metadata": {}},
              {"cell_type": "code", "language": "python", "input": ["print('v3 output')"],
               "prompt_number": 1, "metadata": {}, "collapsed": False,
               "outputs": [{"output_type": "stream", "stream": "stdout",
                            "text": ["v3 output\n"]},
                           {"output_type": "display_data", "png": image_b64(),
                            "metadata": {}}]}], "metadata": {}}]}


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5])
def test_v4_minor_versions_render(tmp_path, minor):
    book = nb(md("# Minor"), code("print(1)", stream(f"minor-{minor}")), minor=minor,
              untitled=True)
    book.nbformat_minor = minor
    text = nbformat.writes(book, version=4).replace('"nbformat_minor": 5',
                                                     f'"nbformat_minor": {minor}')
    root = write(tmp_path / "s", {"projects/nb.ipynb": text}, CONFIG)
    page = soup(build_site(root) / "projects/nb/index.html")
    assert f"minor-{minor}" in page.select_one(".prose").get_text()


def test_v3_renders_and_no_source_is_ever_rewritten(tmp_path):
    import json

    root = write(tmp_path / "s", {"projects/old.ipynb": json.dumps(V3),
                                  "projects/new.ipynb": nb(md("# New"), minor=4, untitled=True)},
                 CONFIG)
    files = sorted(root.glob("projects/*.ipynb"))
    before = [(p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in files]
    out = build_site(root)
    page = soup(out / "projects/old/index.html")
    assert page.h1.text == "Old notebook" and "v3 output" in page.select_one(".prose").get_text()
    assert page.select_one(".prose img")["src"].endswith(".png")
    after = [(p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in files]
    assert before == after
    first = (out / "projects/old/index.html").read_bytes()
    assert (build_site(root) / "projects/old/index.html").read_bytes() == first


@pytest.mark.parametrize("meta, keyword_class", [
    ({"language_info": {"name": "R", "pygments_lexer": "r"},
      "kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}, "r"),
    ({"language_info": {"name": "julia"},
      "kernelspec": {"name": "julia-1.9", "language": "julia", "display_name": "Julia"}}, "julia"),
    ({"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}, "r"),
])
def test_kernel_language_lexer(tmp_path, meta, keyword_class):
    source = ("f <- function(x) { x + 1 }" if keyword_class == "r"
              else "function f(x)\n    x + 1\nend")
    book = nb(md("# L"), code(source), untitled=True)
    book.metadata = meta
    root = write(tmp_path / "s", {"projects/nb.ipynb": book}, CONFIG)
    pre = soup(build_site(root) / "projects/nb/index.html").select_one(".input_area pre")
    keywords = [s.text for s in pre.select("span.k, span.kd, span.kr, span.kc")]
    assert "function" in keywords
    assert "ipython" not in str(pre.parent.get("class", ""))


def test_unknown_kernel_language_is_plain_text_not_an_error(tmp_path):
    book = nb(md("# L"), code("frobnicate!"), untitled=True)
    book.metadata = {"language_info": {"name": "no-such-language"}}
    root = write(tmp_path / "s", {"projects/nb.ipynb": book}, CONFIG)
    assert "frobnicate!" in soup(build_site(root) / "projects/nb/index.html").get_text()


def test_page_weight_no_inline_css_no_base64(tmp_path):
    book = nb(md("# W"), code("x", display({"image/png": image_b64(), "text/plain": "f"})),
              code("y", display({"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>"})),
              untitled=True)
    root = write(tmp_path / "s", {"projects/nb.ipynb": book}, CONFIG)
    html = (build_site(root) / "projects/nb/index.html").read_text()
    page = soup(Path(tmp_path / "s/_site/projects/nb/index.html"))
    assert page.find("style") is None and "base64" not in html and "data:image" not in html
    assert len(html.encode()) < 40_000


def _example(tmp_path) -> Path:
    dest = tmp_path / "example"
    dest.mkdir()
    shutil.copy(REPO / "portfolio.yml", dest)
    for name in ("content", "projects"):
        shutil.copytree(REPO / name, dest / name)
    return dest


def test_example_site_shows_fold_plotly_and_math(tmp_path):
    root = _example(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--out",
                           str(tmp_path / "out")], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    pages = {p.parent.name: soup(p) for p in out.glob("projects/*/index.html")}
    assert any(p.select("details.nb-fold") for p in pages.values())
    assert pages["digits-knn"].select(".plotly-output script[type]")
    assert any(p.select(".math") for p in pages.values())
    for page in pages.values():
        assert "data:image" not in str(page)

