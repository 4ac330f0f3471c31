"""A notebook's card thumbnail: the figure chosen for it, fitted whole at the card's ratio.

The figure: a cell the author tagged `thumbnail` (or nbsphinx's `nbsphinx-thumbnail`, or
Quarto-style `#| thumbnail: true`) gives its first image; else the largest raster figure by
pixel area (the first of equals); an SVG only when there is no raster figure.

The gallery card and the page's `og:image` use it, so a page with a 3 MB plot does not make
the gallery download 3 MB. It is padded, never cropped, onto a canvas of exactly the card's
aspect ratio (`.card-media` in the theme's style.css), so CSS `object-fit: cover` has nothing
to cut: titles and axis labels stay whole. The padding is the figure's own border colour (white
for a matplotlib figure), so the figure looks placed, not boxed. The same input always gives
the same bytes (no timestamps, no metadata), so rebuilds are byte-identical.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

CARD_SIZE = (640, 360)  # 16:9, the `.card-media` aspect-ratio of the default theme
MAX_UPSCALE = 2.0  # a small figure is enlarged at most this much (more is only blur)
MAX_PIXELS = 64_000_000  # refuse decompression bombs instead of allocating gigabytes
NEUTRAL = (242, 244, 248)  # the theme's --surface-2: padding when the border has no one colour
THUMBNAIL_TAGS = frozenset({"thumbnail", "nbsphinx-thumbnail"})
_QUARTO = re.compile(r"^\s*#\|\s*thumbnail\s*:\s*(true|yes)\s*$", re.IGNORECASE | re.MULTILINE)
_OUTPUT = re.compile(r"^output_(\d+)_(\d+)")


def mark_quarto(cells: list[Any]) -> None:
    """Give cells with a `#| thumbnail: true` line the `thumbnail` tag: the directive pass
    drops every `#|` line before the outputs are scanned."""
    for cell in cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "code" and "thumbnail" in source and _QUARTO.search(source):
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            if isinstance(tags, list) and "thumbnail" not in tags:
                tags.append("thumbnail")


def _tagged(cell: Any) -> bool:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return isinstance(tags, list) and bool({str(t).lower() for t in tags} & THUMBNAIL_TAGS)


def candidates(names: list[str], files: dict[str, bytes], cells: list[Any]) -> list[str]:
    """The output files to try as the thumbnail, best first: the tagged cells' images (in
    order), then the raster figures from largest to smallest, then the SVGs.

    `names` are the output files in page order, named `output_{cell}_{n}` after the cell's
    index in `cells` (nboutputs.scan)."""
    tagged = {c for c, cell in enumerate(cells) if _tagged(cell)}
    first = [n for n in names if (m := _OUTPUT.match(n)) and int(m[1]) in tagged]
    sized = []
    for order, name in enumerate(names):
        if not name.endswith(".svg"):
            size = image_size(files[name])
            if size is not None:
                sized.append((-size[0] * size[1], order, name))
    rasters = [name for _, _, name in sorted(sized)]
    svgs = [n for n in names if n.endswith(".svg")]
    return list(dict.fromkeys(first + rasters + svgs))


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the image's header (nothing is decoded), or None."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            SyntaxError):
        return None


def _webp_ok() -> bool:
    from PIL import features

    return bool(features.check("webp"))


def make_thumbnail(data: bytes, size: tuple[int, int] = CARD_SIZE) -> tuple[str, bytes] | None:
    """`(extension, bytes)` of the figure fitted whole on a `size` canvas, or None if Pillow
    can't read it.

    WebP when Pillow has it (a fraction of PNG's size for plots), else PNG. Animated GIFs use
    their first frame. A figure of the card's ratio fills the canvas; any other is centred on
    its own border colour.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.seek(0)
            image.load()
            frame = image.convert("RGBA" if _has_alpha(image) else "RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            SyntaxError):
        return None
    frame = fit(frame, size)
    buffer = io.BytesIO()
    if _webp_ok():
        # method 4 takes twice as long for thumbnails about 5% smaller: not worth a cold build
        frame.save(buffer, "WEBP", quality=82, method=2)
        return ".webp", buffer.getvalue()
    frame.save(buffer, "PNG", optimize=True)
    return ".png", buffer.getvalue()


def fit(frame: Any, size: tuple[int, int]) -> Any:
    """`frame` scaled to fit inside `size` (never cropped) and centred on a canvas of `size`,
    filled with the colour of the frame's border."""
    from PIL import Image

    width, height = size
    scale = min(width / frame.width, height / frame.height, MAX_UPSCALE)
    scaled = (max(1, min(width, round(frame.width * scale))),
              max(1, min(height, round(frame.height * scale))))
    fill = border_colour(frame)
    if scaled != frame.size:
        frame = frame.resize(scaled, Image.Resampling.LANCZOS)
    if frame.size == size:
        return frame
    if frame.mode == "RGBA" and len(fill) == 3:
        fill = (*fill, 255)
    canvas = Image.new(frame.mode, size, fill)
    canvas.paste(frame, ((width - frame.width) // 2, (height - frame.height) // 2))
    return canvas


def border_colour(frame: Any) -> tuple[int, ...]:
    """The most common colour of the frame's outermost pixels (near colours counted together,
    so JPEG noise does not split a white border); transparent when most of the border is;
    the theme's neutral grey when no colour holds a third of it."""
    w, h = frame.size
    strips = [frame.crop(box) for box in ((0, 0, w, 1), (0, h - 1, w, h), (0, 0, 1, h),
                                          (w - 1, 0, w, h))]
    step = len(frame.mode)  # RGB or RGBA: one byte a band
    raw = b"".join(s.tobytes() for s in strips)
    pixels = [tuple(raw[i:i + step]) for i in range(0, len(raw), step)]
    if frame.mode == "RGBA":
        clear = sum(1 for p in pixels if p[3] < 16)
        if clear * 2 >= len(pixels):
            return (0, 0, 0, 0)
        pixels = [p[:3] for p in pixels if p[3] >= 16]
    buckets: Counter[tuple[int, ...]] = Counter(tuple(c >> 4 for c in p[:3]) for p in pixels)
    bucket, count = min(buckets.items(), key=lambda item: (-item[1], item[0]))
    if count * 3 < len(pixels):
        return NEUTRAL
    exact = Counter(p[:3] for p in pixels if tuple(c >> 4 for c in p[:3]) == bucket)
    return min(exact.items(), key=lambda item: (-item[1], item[0]))[0]


def _has_alpha(image: Any) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and
                                                  "transparency" in image.info)
