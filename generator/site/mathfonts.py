"""Preload exactly the KaTeX fonts a page's formulas use, read off the typeset HTML.

Math is typeset at build time (readers/tex.py), so the classes in the page say which fonts
its glyphs will need: those, and no others, are fetched with the page's HTML instead of when
the browser first lays the formula out; a font that arrives late would move the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

FONTS = "assets/katex/fonts/KaTeX_{}.woff2"
# KaTeX class -> the font its glyphs are drawn in (katex.min.css)
_BY_CLASS = {
    "mathnormal": "Math-Italic", "mathit": "Main-Italic", "mathbf": "Main-Bold",
    "boldsymbol": "Math-BoldItalic", "amsrm": "AMS-Regular", "mathbb": "AMS-Regular",
    "mathcal": "Caligraphic-Regular", "mathfrak": "Fraktur-Regular",
    "mathscr": "Script-Regular", "mathsf": "SansSerif-Regular", "mathtt": "Typewriter-Regular",
    "small-op": "Size1-Regular", "large-op": "Size2-Regular", "size1": "Size1-Regular",
    "size2": "Size2-Regular", "size3": "Size3-Regular", "size4": "Size4-Regular",
}
_CLASSES = re.compile(r'class="([^"]*)"')


def used_fonts(html: str) -> list[str]:
    """The KaTeX fonts (file stems) that typeset math in `html` draws with, Main first."""
    start = html.find('class="katex"')
    if start < 0:
        return []
    found = {"Main-Regular"}
    for match in _CLASSES.finditer(html, start):
        for name in match[1].split():
            font = _BY_CLASS.get(name)
            if font is not None and not (name.startswith("size") and "delimsizing" not in
                                         match[1]):
                found.add(font)
    return sorted(found, key=lambda f: (f != "Main-Regular", f))


def preload_math_fonts(html: str, url: Callable[[str], str]) -> str:
    """`html` with a `<link rel="preload">` for each font its math uses, in the head."""
    fonts = used_fonts(html)
    end = html.find("</head>")
    if not fonts or end < 0:
        return html
    links = "".join(f'<link rel="preload" href="{url(FONTS.format(f))}" as="font" '
                    'type="font/woff2" crossorigin>\n' for f in fonts)
    return html[:end] + links + html[end:]
