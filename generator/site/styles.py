"""The stylesheet the site makes itself: the Pygments colours of code blocks, light and dark.

Code is highlighted by the readers (readers/highlight.py) into `.highlight` classes; only the
colours are the site's, so changing `pygments_style` re-renders no document.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from ..model.config import CONFIG_NAME, Config
from ..model.configvalues import key_line
from ..model.errors import ConfigError

_WELL_KNOWN = ("default", "friendly", "github-dark", "monokai", "one-dark", "solarized-light",
               "solarized-dark", "xcode")


def check_styles(config: Config) -> None:
    """Refuse an unknown `pygments_style` (or dark style) with its line and some valid names."""
    from pygments.styles import get_all_styles, get_style_by_name
    from pygments.util import ClassNotFound

    for key in ("pygments_style", "pygments_dark_style"):
        name = getattr(config, key)
        try:
            get_style_by_name(name)
        except ClassNotFound:
            known = sorted(get_all_styles())  # scans installed plugins: only on this error
            close = difflib.get_close_matches(name, known, n=3)
            shown = close + [s for s in _WELL_KNOWN if s in known and s not in close]
            raise ConfigError(f"unknown Pygments style {name!r} for '{key}'", CONFIG_NAME,
                              key_line(config.path, (key,)),
                              hint="valid styles include " + ", ".join(shown[:6]) +
                              f" ({len(known)} in all: https://pygments.org/styles/)") from None


@lru_cache(maxsize=8)
def pygments_css(style: str, scope: str) -> str:
    """The CSS rules of a Pygments style, scoped under `scope` (e.g. a dark-mode selector)."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style, cssclass="highlight").get_style_defs(f"{scope} .highlight")


def code_css(light: str, dark: str) -> bytes:
    """`assets/pygments.css`: the light style, and the dark one under prefers-color-scheme."""
    # Code boxes take the page's own code background where the style's is of the same kind
    # (light in light mode, dark in dark): Monokai's olive clashes with the palette, and the
    # token colours, made for a background like it, keep their contrast.
    own = " background: var(--code-bg);"
    css = pygments_css(light, ":root") + \
        (f"\n:root .highlight {{{own} }}" if _is_dark(light) is False else "") + \
        "\n@media (prefers-color-scheme: dark) {\n" + pygments_css(dark, ":root") + \
        (f"\n:root .highlight {{{own} }}" if _is_dark(dark) else "") + "\n}\n"
    return css.encode()


def _is_dark(style: str) -> bool | None:
    """Is the style's background dark (None: it sets none)?"""
    from pygments.styles import get_style_by_name

    colour = (get_style_by_name(style).background_color or "").lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    if len(colour) != 6:
        return None
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128
