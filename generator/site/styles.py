"""The stylesheet the site makes itself: the Pygments colours of code blocks, light and dark.

Code is highlighted by the readers (readers/highlight.py) into `.highlight` classes; only the
colours are the site's, so changing `pygments_style` re-renders no document.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8)
def pygments_css(style: str, scope: str) -> str:
    """The CSS rules of a Pygments style, scoped under `scope` (e.g. a dark-mode selector)."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style, cssclass="highlight").get_style_defs(f"{scope} .highlight")


def code_css(light: str, dark: str) -> bytes:
    """`assets/pygments.css`: the light style, and the dark one under prefers-color-scheme."""
    css = pygments_css(light, ":root") + "\n@media (prefers-color-scheme: dark) {\n" + \
        pygments_css(dark, ":root") + "\n}\n"
    return css.encode()
