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


# Every attribute a browser follows or loads as a URL (HTML and SVG, `<set to=...>` and
# `<animate values=...>` included), and `content`, for a `<meta http-equiv="refresh">`. An
# attribute needs no space before it: `<a/href=...>` and `<a title="x"href=...>` are links too.
_URL_ATTR = re.compile(
    r"""(?P<lead>(?<=[\s/"'])(?P<name>href|src|action|formaction|poster|xlink:href|srcset|"""
    r"""imagesrcset|data|background|cite|longdesc|usemap|codebase|classid|archive|profile|"""
    r"""manifest|icon|dynsrc|lowsrc|ping|content|values|from|to|by)\s*=\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s>"']+)""", re.IGNORECASE)
# a refresh's content: a delay, then the URL ("0;url=x", "0; URL='x'", "5, x", "0x")
_REFRESH = re.compile(r"\s*[\d.]+\s*[;,]?\s*(?:url\s*=\s*)?['\"]?(?P<url>.*)",
                      re.IGNORECASE | re.DOTALL)


def _candidates(name: str, value: str) -> list[str]:
    """The URLs an attribute's value holds."""
    name = name.lower()
    if name in ("srcset", "imagesrcset"):
        return value.split(",")
    if name in ("ping", "archive"):
        return value.replace(",", " ").split()
    if name == "values":
        return value.split(";")
    if name == "content":  # only a refresh's URL; other meta content is text
        match = _REFRESH.match(value)
        return [match["url"]] if match else []
    return [value]


def scrub_urls(markup: str) -> str:
    """Replace `javascript:`/`vbscript:`/`data:text/html` URLs in attributes with `#`."""
    def replace(match: re.Match[str]) -> str:
        value = htmllib.unescape(match["value"].strip("\"'"))
        if all(is_safe_url(c.strip()) for c in _candidates(match["name"], value)):
            return match[0]
        return f'{match["lead"]}"#"'
    lower = markup.lower()
    if "script" not in lower and "data" not in lower and "&" not in markup:
        return markup  # the common case: nothing that could be a dangerous scheme
    return _URL_ATTR.sub(replace, markup)
