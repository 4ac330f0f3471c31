"""Title cards: the image of a project that has no figure and no image of its own.

A card shows the project's title (wrapped, at most three lines, an ellipsis after that) and
up to three of its tags on a deep gradient whose colour comes from the title, drawn with
Pillow and the font Pillow bundles (`ImageFont.load_default(size)`, FreeType), so nothing is
vendored and the same title always gives the same bytes. That font spells ASCII and little
more: accents are dropped ("Café" is drawn "Cafe"), and a title in another script (Greek, CJK)
leaves the card without a title, never with boxes (the card's text below names it anyway).
It is exactly the size of a thumbnail (the card's 16:9), so the gallery crops nothing.

Drawing costs tens of milliseconds, so a card is kept under `.portfolio/cards/`, keyed by
everything it shows and portfolio's code: the next build copies it instead of drawing it.
"""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..incremental.reuse import PreviousOutputs
from ..incremental.store import State, atomic_write
from ..model.documents import Document, Output

FILENAME = "title-card.png"  # beside the document's page, like a notebook's thumbnail
# laid out on a 640x360 grid (16:9, the theme's `.card-media` aspect-ratio, as thumbnails
# are) and drawn at SCALE times that, so its text stays sharp on a high-density screen
GRID = (640, 360)
SCALE = 2
SIZE = (GRID[0] * SCALE, GRID[1] * SCALE)
FORMAT = 1  # bump when the drawing changes in a way the code digest would not show
MARGIN = 44
# (font size, lines): the first that holds the whole title; a short title is set large
TITLE_SIZES = ((60, 2), (52, 2), (44, 3), (38, 3))
TAG_SIZE = 22
WARM = (251, 146, 60)  # the placeholder's warm glow, as a small bar above the title
# (top-left, bottom-right): deep shades around the theme's accent (#4338ca); white text on
# each is at least 7:1, so the cards read the same in the light and the dark theme
PALETTE = (
    ((67, 56, 202), (30, 27, 75)),  # indigo, the accent itself
    ((91, 33, 182), (46, 16, 101)),  # violet
    ((29, 78, 216), (23, 37, 84)),  # blue
    ((15, 118, 110), (19, 78, 74)),  # teal
    ((51, 65, 85), (15, 23, 42)),  # slate
    ((134, 25, 143), (74, 4, 78)),  # plum
)
# what the bundled font lacks, in letters it has (accents are dropped by NFKD first)
_SPELLED = str.maketrans({"–": "-", "—": "-", "‐": "-", "−": "-", "•": "·", "×": "x",
                          "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae",
                          "Æ": "AE", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "€": "EUR",
                          "\u00a0": " "})


def chosen_figure(doc: Document, chapters: Sequence[Document]) -> str:
    """The site-relative path of the figure a card shows (the one the notebook reader chose),
    "" for none: a project of several notebooks without one shows its first chapter's."""
    if doc.rendered.thumbnail:
        return doc.url + doc.rendered.thumbnail
    for chapter in chapters:
        if chapter.rendered.thumbnail and not chapter.meta.image:
            return chapter.url + chapter.rendered.thumbnail
    return ""


class TitleCards:
    """The title cards of one build, as outputs; drawn only when the memo has none."""

    def __init__(self, folder: Path | None, code: str,
                 previous: PreviousOutputs | None = None) -> None:
        self.folder, self.code, self.previous = folder, code, previous

    @classmethod
    def of_build(cls, state: State, code: str, previous: PreviousOutputs | None) -> TitleCards:
        """The cards of a build: remembered in `state` unless the build ignores what earlier
        builds left (--force, use_cache=False, render_in_memory: `previous` off or None)."""
        enabled = previous is not None and previous.enabled
        return cls(state.cards if enabled else None, code, previous)

    def output(self, doc: Document) -> Output | None:
        """The card of `doc` (its title and tags) beside its page, or None when Pillow cannot
        draw text (no FreeType)."""
        path, title, tags = doc.url + FILENAME, doc.title, doc.meta.tags
        key = card_key(title, tags, self.code)
        out_key = "card:" + key
        if self.previous is not None:
            kept = self.previous.keep(path, out_key)
            if kept is not None:
                return kept
        stem = hashlib.sha256(path.encode()).hexdigest()[:12]  # one memo file a page
        memo = self.folder / f"{stem}-{key[:24]}.png" if self.folder is not None else None
        if memo is not None and memo.is_file():
            return Output(path, src=memo, key=out_key)
        data = draw(title, tuple(tags))
        if data is None:
            return None
        if memo is None:
            return Output(path, data=data, key=out_key)
        try:
            atomic_write(memo, data)
            for old in memo.parent.glob(f"{stem}-*.png"):  # this page's cards of other titles
                if old != memo:
                    old.unlink(missing_ok=True)
        except OSError:  # an unwritable state folder only costs a redraw next time
            pass
        return Output(path, data=data, key=out_key)


def card_key(title: str, tags: Sequence[str], code: str) -> str:
    """A digest of all a card depends on: what it shows, how it is drawn, and by what."""
    blob = json.dumps([FORMAT, code, title, list(tags)[:3], PALETTE, SIZE, SCALE, WARM],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def draw(title: str, tags: tuple[str, ...]) -> bytes | None:
    """The PNG bytes of a title card, or None when Pillow cannot draw text."""
    try:
        from PIL import Image, ImageDraw, features
    except ImportError:
        return None
    if not features.check("freetype2") or not printable("Aa"):
        return None  # Pillow without FreeType, or before 10.1 (no sized default font)
    text = printable(title)  # "" for a title the font cannot spell: the card has no title
    u = SCALE  # grid units to pixels
    width, height = GRID
    start, end = PALETTE[hashlib.sha256(title.encode("utf-8", "surrogatepass")).digest()[0]
                         % len(PALETTE)]
    image = _background(start, end).convert("RGBA")
    layer = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    cx, cy = round(width * 0.93) * u, round(height * 1.05) * u
    for radius in (120, 180, 240, 300):  # faint rings in the corner: a card, not a slide
        r = radius * u
        pen.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(255, 255, 255, 20), width=2 * u)
    pen.rounded_rectangle((MARGIN * u, MARGIN * u, (MARGIN + 40) * u, (MARGIN + 5) * u),
                          radius=3 * u, fill=(*WARM, 255))
    size, lines = _title_lines(text, (width - 2 * MARGIN) * u) if text else (0, [])
    y = (MARGIN + 26) * u
    for line in lines:
        # the bundled font has one weight: a hairline stroke makes it a semibold
        pen.text((MARGIN * u, y), line, font=_font(size * u), fill=(255, 255, 255, 255),
                 stroke_width=u, stroke_fill=(255, 255, 255, 255))
        y += round(size * 1.18) * u
    _tags(pen, [t for t in (printable(tag) for tag in tags[:3]) if t], width - 2 * MARGIN,
          height - MARGIN - 36)
    card = Image.alpha_composite(image, layer).convert("RGB")
    buffer = io.BytesIO()
    card.save(buffer, "PNG", compress_level=6)  # no text chunks, no time: the same bytes
    return buffer.getvalue()


def _background(start: tuple[int, int, int], end: tuple[int, int, int]) -> Any:
    """A 135° gradient from `start` to `end` with a soft warm glow at the top left, computed
    on a small grid and scaled up (a gradient has no detail to lose)."""
    from PIL import Image

    w, h = 64, 36
    pixels = bytearray()
    for y in range(h):
        for x in range(w):
            t = (x / (w - 1) + y / (h - 1)) / 2
            glow = max(0.0, 1 - ((x - 6) ** 2 + (y * 16 / 9 - 2) ** 2) ** 0.5 / 26) ** 2 * 0.22
            for a, b, warm in zip(start, end, WARM, strict=True):
                value = a + (b - a) * t
                pixels.append(round(value + (warm - value) * glow))
    return Image.frombytes("RGB", (w, h), bytes(pixels)).resize(SIZE, Image.Resampling.BICUBIC)


def _title_lines(text: str, width: int) -> tuple[int, list[str]]:  # width in pixels
    """The largest size at which the whole title fits (in two lines, or three when smaller);
    else the smallest, with the third line ending in an ellipsis."""
    for size, count in TITLE_SIZES:
        lines = wrap(text, _font(size * SCALE), width)
        if len(lines) <= count:
            return size, lines
    size, count = TITLE_SIZES[-1]
    font = _font(size * SCALE)
    return size, _ellipsized(wrap(text, font, width), font, width, count)


def wrap(text: str, font: Any, width: float) -> list[str]:
    """Words in lines no wider than `width`; a word wider than a line is cut where it must."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while font.getlength(word) > width:  # a URL, a long identifier
            cut = 1
            while cut < len(word) and font.getlength(word[:cut + 1]) <= width:
                cut += 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        joined = f"{line} {word}" if line else word
        if font.getlength(joined) <= width:
            line = joined
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _ellipsized(lines: list[str], font: Any, width: float, count: int) -> list[str]:
    last = " ".join(lines[count - 1:])
    while last and font.getlength(last + "…") > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    return lines[:count - 1] + [last.rstrip(" ,.;:-") + "…"]


def _tags(pen: Any, tags: list[str], width: int, top: int) -> None:
    """Tags as pills in a row, as the site shows them (`# name`); those that fit. `width` and
    `top` are in grid units."""
    u = SCALE
    font = _font(TAG_SIZE * u)
    x, top, right_edge = MARGIN * u, top * u, (MARGIN + width) * u
    for tag in tags:
        label = "# " + tag
        right = x + round(font.getlength(label)) + 30 * u
        if right > right_edge:
            break
        pen.rounded_rectangle((x, top, right, top + 36 * u), radius=18 * u,
                              fill=(255, 255, 255, 38))
        pen.text((x + 15 * u, top + 18 * u), label, font=font, fill=(255, 255, 255, 235),
                 anchor="lm")
        x = right + 10 * u


@lru_cache(maxsize=8)
def _font(size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def printable(text: str) -> str:
    """`text` in the letters of the bundled font (accents dropped, dashes made hyphens);
    "" when some letter has no stand-in there (Greek, CJK...): no tofu boxes on a card."""
    spelled = unicodedata.normalize("NFKD", " ".join(text.split())).translate(_SPELLED)
    spelled = "".join(c for c in spelled if not unicodedata.combining(c))
    return spelled if all(_has_glyph(c) for c in spelled) else ""


@lru_cache(maxsize=1024)
def _has_glyph(char: str) -> bool:
    try:
        font = _font(20)
    except (TypeError, OSError):  # Pillow before 10.1: load_default() takes no size
        return False
    if char == " ":
        return True
    missing = font.getmask("\uffff")  # the font's "no such glyph" box
    mask = font.getmask(char)
    return (mask.size, bytes(mask)) != (missing.size, bytes(missing))
