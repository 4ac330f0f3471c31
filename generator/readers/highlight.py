"""Syntax highlighting with Pygments, shared by Markdown fences and notebook code cells.

Lexers and the formatter are built once per process: looking them up is a large part of a
small code block's cost.
"""

from __future__ import annotations

import html
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)
_ALIASES = {"ipython": "ipython3", "py": "python", "sh": "bash", "shell": "bash",
            "console": "console", "jl": "julia", "r": "r"}


@lru_cache(maxsize=64)
def lexer_for(name: str) -> Lexer | None:
    """A Pygments lexer for a fence info string or kernel language, or None for plain text."""
    name = (name or "").strip().lower()
    if not name or name in ("text", "plain", "output", "none"):
        return None
    try:
        return get_lexer_by_name(_ALIASES.get(name, name), stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


def highlight_block(code: str, lang: str) -> str:
    """A `<div class="highlight">` block; unknown languages are escaped, not guessed."""
    lexer = lexer_for(lang)
    label = f' data-lang="{html.escape(lang)}"' if lang else ""
    if lexer is None:
        return f'<div class="highlight"{label}><pre><code>{html.escape(code)}</code></pre></div>\n'
    out = highlight(code, lexer, _FORMATTER)
    return out.replace('<div class="highlight">', f'<div class="highlight"{label}>', 1)
