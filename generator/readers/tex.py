"""Math typeset at build time: the theme's own KaTeX, run in QuickJS (the `quickjs` package).

A page then holds finished KaTeX HTML (and its MathML, which screen readers read) instead of
TeX for a script to typeset after it is shown: no typesetting script on the page, nothing
moves when math appears, and the first screen is final. Only the stylesheet and the fonts
the formulas use are loaded (the browser fetches a KaTeX font when a glyph needs it).

Where QuickJS is not installed, or KaTeX refuses a formula, the TeX stays in the page with
its delimiters and `assets/math.js` typesets it in the browser, as before.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from typing import Any

from ..model.distribution import default_theme_dir

_LOCK = threading.Lock()  # a QuickJS context is not for two threads at once
# as assets/math.js would typeset it; an error leaves the formula to the browser
_OPTIONS = json.dumps({"throwOnError": True, "strict": "ignore", "output": "htmlAndMathml"})


@lru_cache(maxsize=1)
def _context() -> Any | None:
    try:
        import quickjs  # type: ignore[import-untyped]
    except ImportError:
        return None
    script = default_theme_dir() / "static" / "katex" / "katex.min.js"
    if not script.is_file():
        return None
    context = quickjs.Context()
    context.set_memory_limit(256 * 1024 * 1024)
    context.set_time_limit(10)  # seconds for one call: a formula never takes that long
    context.eval(script.read_text("utf-8"))
    context.eval("function render(tex, display, options) {"
                 " options.displayMode = display; return katex.renderToString(tex, options); }")
    return context


def typeset(tex: str, display: bool) -> str | None:
    """KaTeX's HTML for `tex`, or None (no QuickJS, or a formula KaTeX cannot typeset)."""
    with _LOCK:
        context = _context()
        if context is None:
            return None
        try:  # JSON text is a JavaScript literal: the TeX is data, never code
            html = context.eval(f"render({json.dumps(tex)}, {str(display).lower()}, {_OPTIONS})")
        except Exception:  # noqa: BLE001 - KaTeX's ParseError, a limit: the browser tries
            return None
    return html if isinstance(html, str) else None
