"""Thumbnails are chosen, not blind crops: the author's pick (a `thumbnail` tag, or `image:`),
else the largest figure, fitted whole at the card's ratio; a project with no figure gets a
title card drawn for it. Each test builds a real site written here and reads what it wrote."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image, ImageDraw

from generator.build import build
from generator.readers import thumbnails
from generator.site import cards

from .helpers_reliability import CONFIG, code_cell, make, md_cell, nb

REPO = Path(__file__).resolve().parent.parent
RED, GREEN, BLUE, WHITE = (220, 30, 30), (30, 160, 60), (40, 70, 220), (255, 255, 255)


def png(width: int, height: int, color=WHITE, bands: dict | None = None) -> bytes:
    """A PNG of `color`, with optional solid `bands` ({"top": (px, colour), ...})."""
    image = Image.new("RGB", (width, height), color)
    pen = ImageDraw.Draw(image)
    for side, (size, fill) in (bands or {}).items():
        box = {"top": (0, 0, width, size), "bottom": (0, height - size, width, height),
               "left": (0, 0, size, height), "right": (width - size, 0, width, height)}[side]
        pen.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=fill)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def figure(data: bytes, mime: str = "image/png") -> dict:
    value = data.decode() if mime == "image/svg+xml" else base64.b64encode(data).decode()
    return {"output_type": "display_data", "data": {mime: value}, "metadata": {}}


def plot(*outputs: dict, tags: tuple[str, ...] = (), source: str = "plot()") -> dict:
    cell = code_cell(source, list(outputs))
    cell["metadata"] = {"tags": list(tags)} if tags else {}
    return cell


def notebook(*cells: dict, title: str = "A notebook", tags: tuple[str, ...] = ()) -> str:
    return nb([md_cell(f"# {title}\n\nSome words."), *cells],
              {"language_info": {"name": "python"},
               "portfolio": {"title": title, "tags": list(tags)}})


def site(root: Path, files: dict[str, str | bytes]) -> Path:
    build(make(root, files, CONFIG))
    return root / "_site"


def card_img(out: Path, title: str) -> dict:
    """The gallery card of `title`: its image's attributes."""
    gallery = BeautifulSoup((out / "projects/index.html").read_text("utf-8"), "html.parser")
    card = next(c for c in gallery.select(".card") if c.select_one(".card-title").get_text(
        strip=True) == title)
    img = card.select_one(".card-media img")
    assert img is not None, card.select_one(".card-media")
    return dict(img.attrs)


def opened(out: Path, src: str) -> Image.Image:
    with Image.open(out / src.removeprefix("/repo/")) as image:
        image.load()
        return image.convert("RGB")


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], slack: int = 40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel[:3], colour, strict=True))


def test_thumbnails_and_title_cards_are_made_at_the_themes_card_ratio() -> None:
    css = (REPO / "themes/default/static/style.css").read_text("utf-8")
    rule = re.search(r"\.card-media \{([^}]*)\}", css)
    assert rule is not None
    ratio = re.search(r"aspect-ratio:\s*(\d+)\s*/\s*(\d+)", rule[1])
    assert ratio is not None
    width, height = int(ratio[1]), int(ratio[2])
    for size in (thumbnails.CARD_SIZE, cards.GRID, cards.SIZE):
        assert size[0] * height == size[1] * width, size


def test_a_tall_figure_is_padded_not_cropped(tmp_path: Path) -> None:
    # a figure three times taller than wide: a red title band on top, blue axis at the bottom
    tall = png(300, 900, bands={"top": (60, RED), "bottom": (60, BLUE)})
    wide = png(1800, 300, bands={"left": (90, RED), "right": (90, BLUE)})
    out = site(tmp_path / "s", {"projects/tall.ipynb": notebook(plot(figure(tall)),
                                                                 title="Tall"),
                                "projects/wide.ipynb": notebook(plot(figure(wide)),
                                                                title="Wide")})
    image = opened(out, card_img(out, "Tall")["src"])
    assert image.size == (640, 360)
    assert near(image.getpixel((320, 4)), RED)  # the title is still there...
    assert near(image.getpixel((320, 355)), BLUE)  # ...and so is the x axis
    assert image.getpixel((60, 180)) == WHITE  # padded at the sides with the figure's white
    assert image.getpixel((600, 10)) == WHITE
    image = opened(out, card_img(out, "Wide")["src"])
    assert image.size == (640, 360)
    assert near(image.getpixel((8, 180)), RED) and near(image.getpixel((631, 180)), BLUE)
    assert image.getpixel((320, 20)) == WHITE and image.getpixel((320, 340)) == WHITE
    assert "fit-contain" not in card_img(out, "Wide").get("class", [])  # 16:9: cover is exact


def test_padding_takes_the_figures_own_border_colour() -> None:
    grey = (238, 238, 238)
    ext, data = thumbnails.make_thumbnail(png(200, 400, grey, {"top": (10, RED)}))
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (640, 360)
        assert near(image.convert("RGB").getpixel((10, 180)), grey, 3)
    # a transparent figure stays transparent around: the card's own background shows
    clear = Image.new("RGBA", (100, 300), (0, 0, 0, 0))
    ImageDraw.Draw(clear).rectangle((20, 20, 80, 280), fill=(*GREEN, 255))
    buffer = io.BytesIO()
    clear.save(buffer, "PNG")
    ext, data = thumbnails.make_thumbnail(buffer.getvalue())
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "RGBA" and image.getpixel((10, 10))[3] == 0
        assert near(image.getpixel((320, 180)), GREEN)


@pytest.mark.parametrize("how", ["thumbnail", "nbsphinx-thumbnail", "quarto"])
def test_a_cell_tagged_thumbnail_wins_over_a_larger_figure(tmp_path: Path, how: str) -> None:
    tagged = plot(figure(png(320, 180, BLUE)), tags=() if how == "quarto" else (how,),
                  source="#| thumbnail: true\nplot()" if how == "quarto" else "plot()")
    book = notebook(plot(figure(png(1280, 720, GREEN))), tagged,
                    plot(figure(png(960, 540, RED))))
    out = site(tmp_path / "s", {"projects/nb.ipynb": book})
    image = opened(out, card_img(out, "A notebook")["src"])
    assert near(image.getpixel((320, 180)), BLUE)
    page = (out / "projects/nb/index.html").read_text("utf-8")
    assert "#| thumbnail" not in page  # the option line is gone, as Quarto's others are


def test_otherwise_the_largest_figure_wins_and_the_first_of_equals(tmp_path: Path) -> None:
    largest = notebook(plot(figure(png(400, 300, RED))), plot(figure(png(900, 600, GREEN)),
                                                              figure(png(640, 360, BLUE))),
                       title="Largest")
    equals = notebook(plot(figure(png(500, 300, RED))), plot(figure(png(300, 500, BLUE))),
                      title="Equals")
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="2000">'
           b'<rect width="2000" height="2000" fill="#1e40af"/></svg>')
    raster_first = notebook(plot(figure(svg, "image/svg+xml")), plot(figure(png(64, 36, RED))),
                            title="Raster")
    only_svg = notebook(plot(figure(svg, "image/svg+xml")), title="Vector")
    out = site(tmp_path / "s", {"projects/largest.ipynb": largest,
                                "projects/equals.ipynb": equals,
                                "projects/raster.ipynb": raster_first,
                                "projects/vector.ipynb": only_svg})
    assert near(opened(out, card_img(out, "Largest")["src"]).getpixel((320, 180)), GREEN)
    assert near(opened(out, card_img(out, "Equals")["src"]).getpixel((320, 180)), RED)
    # an SVG only when there is no raster figure; shown whole, as its ratio is unknown
    assert near(opened(out, card_img(out, "Raster")["src"]).getpixel((320, 180)), RED)
    vector = card_img(out, "Vector")
    assert vector["src"] == "/repo/projects/vector/output_1_0.svg"
    assert vector["class"] == ["fit-contain", "fit-svg"]


def test_the_authors_image_wins_and_is_shown_whole(tmp_path: Path) -> None:
    book = nb([plot(figure(png(1280, 720, GREEN)))],
              {"portfolio": {"title": "Covered", "image": "cover.png"}})
    out = site(tmp_path / "s", {"projects/nb.ipynb": book,
                                "projects/cover.png": png(300, 300, BLUE)})
    img = card_img(out, "Covered")
    assert img["src"] == "/repo/projects/cover.png"
    assert img["class"] == ["fit-contain", "fit-author"]


def test_a_notebook_without_figures_gets_a_title_card(tmp_path: Path) -> None:
    book = notebook(code_cell("print(42)"), title="Customer churn with gradient boosting",
                    tags=("classification", "xgboost", "tabular", "fourth"))
    app = "---\ntitle: Recipe web app\ntags: [flask]\ndemo: https://example.com\n---\nAn app.\n"
    out = site(tmp_path / "s", {"projects/churn.ipynb": book, "projects/app.md": app})
    gallery = (out / "projects/index.html").read_text("utf-8")
    assert "card-placeholder" not in gallery  # no big letter
    img = card_img(out, "Customer churn with gradient boosting")
    assert img["src"] == "/repo/projects/churn/title-card.png"
    assert "class" not in img  # made at the card's ratio: nothing to contain
    with Image.open(out / "projects/churn/title-card.png") as image:
        assert image.format == "PNG" and image.size == (1280, 720)  # 16:9, sharp at 2x
        card = image.convert("RGB").resize(cards.GRID)
    # the title is drawn in white on a dark background (the text occupies part of the top)
    top = card.crop((44, 70, 596, 200))
    white = sum(1 for y in range(0, top.height, 2) for x in range(0, top.width, 2)
                if min(top.getpixel((x, y))) > 230)
    assert 300 < white < top.width * top.height // 8
    assert max(card.getpixel((600, 20))) < 160  # a deep background, white text reads on it
    assert (out / "projects/churn/title-card.png").read_bytes() == cards.draw(
        "Customer churn with gradient boosting", ("classification", "xgboost", "tabular"))
    page = BeautifulSoup((out / "projects/churn/index.html").read_text("utf-8"), "html.parser")
    assert page.find("meta", property="og:image")["content"] == \
        "https://tester.github.io/repo/projects/churn/title-card.png"
    assert card_img(out, "Recipe web app")["src"] == "/repo/projects/app/title-card.png"


def test_a_project_of_notebooks_shows_its_first_real_figure_else_its_own_card(
        tmp_path: Path) -> None:
    plain = notebook(code_cell("print(1)"), title="Intro")
    out = site(tmp_path / "s", {
        "projects/titanic/project.yml": "title: Titanic, start to finish\ntags: [kaggle]\n",
        "projects/titanic/1-eda.ipynb": plain,
        "projects/titanic/2-model.ipynb": notebook(code_cell("print(2)"), title="Model"),
        "projects/course/1-intro.ipynb": plain,
        "projects/course/2-plots.ipynb": notebook(plot(figure(png(640, 360, GREEN))),
                                                  title="Plots"),
    })
    img = card_img(out, "Titanic, start to finish")
    assert img["src"] == "/repo/projects/titanic/title-card.png"  # the project's, not Intro's
    assert (out / "projects/titanic/title-card.png").read_bytes() == cards.draw(
        "Titanic, start to finish", ("kaggle",))
    # a chapter is not a card (unless featured): no card drawn for it, 50 ms each saved
    assert not (out / "projects/titanic/1-eda/title-card.png").exists()
    # a chapter's real figure beats a title card drawn for the first chapter
    assert card_img(out, "Course")["src"] == "/repo/projects/course/2-plots/thumbnail.webp"


def test_cards_and_thumbnails_are_the_same_bytes_and_not_redrawn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []
    real = cards.draw

    def counting(title: str, tags: tuple[str, ...]) -> bytes | None:
        drawn.append(title)
        return real(title, tags)

    monkeypatch.setattr(cards, "draw", counting)
    files: dict[str, str | bytes] = {
        "projects/plain.ipynb": notebook(code_cell("print(1)"), title="Plain", tags=("sql",)),
        "projects/figure.ipynb": notebook(plot(figure(png(500, 700, WHITE,
                                                          {"top": (50, RED)}))),
                                          title="Figure"),
    }
    out = site(tmp_path / "a", files)
    assert drawn == ["Plain"]
    first = {p: (out / p).read_bytes() for p in ("projects/plain/title-card.png",
                                                 "projects/figure/thumbnail.webp")}
    root = tmp_path / "a"
    (root / "content/posts").mkdir(parents=True)
    (root / "content/posts/2024-01-01-new.md").write_text("---\ntitle: New\n---\nHi.\n")
    build(root)  # something changed, so the site is rendered again: the card is not
    build(root, out_dir=tmp_path / "elsewhere")  # no page to keep there: the memo serves it
    assert drawn == ["Plain"]
    for out_dir in (out, tmp_path / "elsewhere"):
        assert {p: (out_dir / p).read_bytes() for p in first} == first
    memo = root / ".portfolio/cards"
    assert len(list(memo.iterdir())) == 1
    # a fresh site elsewhere (no state at all) draws the very same bytes
    other = site(tmp_path / "b", files)
    assert {p: (other / p).read_bytes() for p in first} == first
    assert drawn == ["Plain", "Plain"]
    # a new title is a new card, and the page's old one leaves the memo
    (root / "projects/plain.ipynb").write_text(
        notebook(code_cell("print(1)"), title="Plain, renamed", tags=("sql",)))
    build(root)
    assert drawn[-1] == "Plain, renamed" and len(list(memo.iterdir())) == 1


def test_without_freetype_the_card_keeps_its_placeholder_letter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import features

    real = features.check
    monkeypatch.setattr(features, "check", lambda name: name != "freetype2" and real(name))
    out = site(tmp_path / "s", {"projects/plain.ipynb": notebook(code_cell("1"),
                                                                 title="Plain")})
    gallery = BeautifulSoup((out / "projects/index.html").read_text("utf-8"), "html.parser")
    assert gallery.select_one(".card-placeholder").get_text() == "P"
    assert not (out / "projects/plain/title-card.png").exists()


def test_title_cards_wrap_cut_and_spell_what_the_font_has() -> None:
    assert cards.printable("Café sales — déjà vu") == "Cafe sales - deja vu"
    assert cards.printable("Ελληνικά") == ""  # no boxes: the card goes without its title
    for title in ("x" * 300, "A very long title " * 12, "Ελληνικά δεδομένα", "S"):
        data = cards.draw(title, ("a-rather-long-tag-name", "b" * 80, "c", "d"))
        assert data is not None
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == cards.SIZE
    width = (cards.GRID[0] - 2 * cards.MARGIN) * cards.SCALE
    size, lines = cards._title_lines("A very long title " * 12, width)
    font = cards._font(size * cards.SCALE)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= width for line in lines)
    assert all(font.getlength(line) <= width for line in cards.wrap("y" * 200, font, width))
