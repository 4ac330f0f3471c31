"""Card-sized thumbnails of a notebook's first image, with Pillow, as deterministic bytes.

The gallery card and the page's `og:image` use it, so a page with a 3 MB plot does not make
the gallery download 3 MB. The same input always gives the same bytes (no timestamps, no
metadata), so rebuilds are byte-identical and the cache stays valid.
"""

from __future__ import annotations

import io

CARD_WIDTH = 640
MAX_HEIGHT = 800
MAX_PIXELS = 64_000_000  # refuse decompression bombs instead of allocating gigabytes


def _webp_ok() -> bool:
    from PIL import features

    return bool(features.check("webp"))


def make_thumbnail(data: bytes, width: int = CARD_WIDTH) -> tuple[str, bytes] | None:
    """`(extension, bytes)` of a thumbnail at most `width` wide, or None if Pillow can't read it.

    WebP when Pillow has it (a fraction of PNG's size for plots), else PNG. Animated GIFs use
    their first frame. Images already small enough are re-encoded only to strip metadata.
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
    frame.thumbnail((width, MAX_HEIGHT), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if _webp_ok():
        frame.save(buffer, "WEBP", quality=82, method=4)
        return ".webp", buffer.getvalue()
    frame.save(buffer, "PNG", optimize=True)
    return ".png", buffer.getvalue()


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and
                                                  "transparency" in image.info)
