"""`width` and `height` on every image of a page, read from the image at build time.

A browser reserves an image's box from these attributes before the file arrives, so a page
does not grow while its figures load (cumulative layout shift 0); the stylesheet's
`height: auto` keeps the ratio when a figure is scaled down. The size comes from the file the
page links to: a notebook's extracted figure, a thumbnail or title card, or a static file of
the site, read by Pillow (only the header) or, for SVG, from its root element.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import unquote, urlsplit

# a source of an output file's bytes: a path to read, or the bytes themselves
Source = Path | bytes
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\s(src|width|height)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""",
                   re.IGNORECASE)
_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE)
_LENGTH = re.compile(r"^\s*([\d.]+)\s*(px|pt)?\s*$")


class ImageSizes:
    """Fills in missing `width`/`height` on `<img>` tags, from the files the site publishes.

    `lookup(output_path)` gives the file behind an output path (None: not ours, e.g. an
    external URL or a file of the user's)."""

    def __init__(self, base: str, lookup: Callable[[str], Source | None]) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.lookup = lookup
        self._memo: dict[str, tuple[int, int] | None] = {}

    def fill(self, html: str, page_path: str) -> str:
        if "<img" not in html:
            return html
        folder = PurePosixPath(page_path).parent.as_posix()
        return _IMG.sub(lambda m: self._one(m[0], folder), html)

    def _one(self, tag: str, folder: str) -> str:
        attrs = {m[1].lower(): next(g for g in m.groups()[1:] if g is not None)
                 for m in _ATTR.finditer(tag)}
        if "width" in attrs and "height" in attrs or "src" not in attrs:
            return tag
        size = self.size(self._output_path(attrs["src"], folder))
        if size is None:
            return tag
        width, height = size
        given_w, given_h = _number(attrs.get("width")), _number(attrs.get("height"))
        if given_w:  # `<img width="250">`: the height that keeps the ratio
            extra = f' height="{round(given_w * height / width)}"'
        elif given_h:
            extra = f' width="{round(given_h * width / height)}"'
        else:
            extra = f' width="{width}" height="{height}"'
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + extra + tag[end:]

    def _output_path(self, src: str, folder: str) -> str | None:
        parts = urlsplit(src.replace("&amp;", "&"))
        if parts.scheme or parts.netloc or not parts.path:
            return None
        path = unquote(parts.path)
        if path.startswith("/"):
            if not path.startswith(self.base):
                return None
            return path[len(self.base):]
        joined = PurePosixPath(folder, path).as_posix() if folder not in ("", ".") else path
        out: list[str] = []
        for part in joined.split("/"):
            if part == "..":
                if not out:
                    return None
                out.pop()
            elif part not in ("", "."):
                out.append(part)
        return "/".join(out)

    def size(self, output_path: str | None) -> tuple[int, int] | None:
        """The pixel size of the image published at `output_path`, or None."""
        if output_path is None:
            return None
        if output_path not in self._memo:
            source = self.lookup(output_path)
            self._memo[output_path] = image_size(source) if source is not None else None
        return self._memo[output_path]


def image_size(source: Source) -> tuple[int, int] | None:
    """(width, height) of a raster image or an SVG with a size; None when unreadable."""
    try:
        if isinstance(source, Path):
            with source.open("rb") as handle:
                head = handle.read(4096)
                if _SVG_ROOT.search(head) or head.lstrip()[:5] in (b"<?xml", b"<svg "):
                    return _svg_size(head + handle.read(60000))
                handle.seek(0)
                return _raster_size(handle)
        if _SVG_ROOT.search(source[:4096]):
            return _svg_size(source)
        return _raster_size(io.BytesIO(source))
    except (OSError, ValueError):
        return None


def _raster_size(source: IO[bytes]) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as image:  # reads the header only
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def _svg_size(data: bytes) -> tuple[int, int] | None:
    """From the root's width and height (px or pt), else its viewBox."""
    match = _SVG_ROOT.search(data)
    if match is None:
        return None
    root = match[0].decode("utf-8", "replace")
    found = {m[1].lower(): next(g for g in m.groups()[1:] if g is not None)
             for m in re.finditer(r"""\s(width|height|viewBox)\s*=\s*(?:"([^"]*)"|'([^']*)')""",
                                  root, re.IGNORECASE)}
    width, height = _css_px(found.get("width")), _css_px(found.get("height"))
    if width and height:
        return round(width), round(height)
    box = (found.get("viewbox") or "").replace(",", " ").split()
    try:
        w, h = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        return None
    return (round(w), round(h)) if w > 0 and h > 0 else None


def _css_px(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    if match is None:
        return None
    number = float(match[1])
    return number * 4 / 3 if match[2] == "pt" else number


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number and number > 0 else None
