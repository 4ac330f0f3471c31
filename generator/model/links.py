"""The contract for links between sources, and the URL scrubbing every page gets.

A reader cannot know where another source will be published (that is the site stage's
decision), so it writes a link to `posts/other.md` as a placeholder; the renderer swaps each
placeholder for the page's URL under the base path. Both sides use only this module, so the
site stage never imports a reader (nor markdown-it-py).
"""

from __future__ import annotations

import html as htmllib
import re

from .urls import is_safe_url

LINK_PREFIX = "@@portfolio:"  # placeholder for a source-relative link, resolved at render time
LINK_SUFFIX = "@@"
PLACEHOLDER = re.compile(re.escape(LINK_PREFIX) + r"(.*?)" + re.escape(LINK_SUFFIX))


def placeholder(target: str) -> str:
    """What a reader writes for a link to the source `target` (a site-root-relative path)."""
    return LINK_PREFIX + target + LINK_SUFFIX


_URL_ATTR = re.compile(
    r"""(?P<lead>\s(?:href|src|action|formaction|poster|xlink:href|srcset|data)\s*=\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s>"']+)""", re.IGNORECASE)

def scrub_urls(markup: str) -> str:
    """Replace `javascript:`/`vbscript:`/`data:text/html` URLs in attributes with `#`."""
    def replace(match: re.Match[str]) -> str:
        raw = match["value"]
        value = htmllib.unescape(raw.strip("\"'"))
        candidates = value.split(",") if "srcset" in match["lead"].lower() else [value]
        if all(is_safe_url(c.strip()) for c in candidates):
            return match[0]
        return f'{match["lead"]}"#"'
    if "script" not in markup.lower() and "data:" not in markup.lower() \
            and "&#" not in markup:
        return markup  # the common case: nothing that could be a dangerous scheme
    return _URL_ATTR.sub(replace, markup)
