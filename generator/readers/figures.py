"""Smaller copies of a large notebook figure, for `srcset`: a phone downloads what it shows.

A figure saved at high resolution (`figure_format = "retina"`, `dpi=200`) is often 1,200 to
2,000 pixels wide and shown in a column of at most 760 CSS pixels: a phone of 375 pixels
needs a third of it. Pillow makes the copies once, when the notebook is converted (the
conversion is cached), in the figure's own format.
"""

from __future__ import annotations

import io

WIDTHS = (640, 1280)  # a phone's column at 1x and 2x (3x takes the original)
LARGE = 1000  # below this width, the original is small enough for every screen


def sizes_and_copies(raw: bytes, mime: str) -> tuple[tuple[int, int] | None,
                                                     list[tuple[int, bytes]]]:
    """The figure's pixel size, and `(width, bytes)` copies narrower than it (none for a
    figure under `LARGE` pixels, an animated one, or one Pillow cannot read)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as image:
            size = image.size
            if size[0] < LARGE or getattr(image, "is_animated", False) or \
                    mime not in ("image/png", "image/jpeg", "image/webp"):
                return size, []
            image.load()
            copies = []
            for width in WIDTHS:
                if width >= size[0] * 0.8:
                    break
                height = max(1, round(size[1] * width / size[0]))
                small = image.resize((width, height), Image.Resampling.LANCZOS)
                buffer = io.BytesIO()
                kind = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}[mime]
                if kind == "JPEG" and small.mode not in ("RGB", "L"):
                    small = small.convert("RGB")
                small.save(buffer, kind, **({"optimize": True} if kind == "PNG" else
                                            {"quality": 85}))
                copies.append((width, buffer.getvalue()))
            return size, copies
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None, []
