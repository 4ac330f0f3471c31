"""Keep script out of pages: URL scheme scrubbing (always) and notebook sanitising (`safe`).

Trust model: the author's own Markdown and notebooks are trusted (raw HTML, plotly), but a
`javascript:` URL is never useful, so it is scrubbed everywhere. Under `safe: true` (site-wide or
per document) notebook outputs are treated as hostile: script-capable MIME types are dropped and
HTML outputs are cleaned with nh3 (the Rust `ammonia` sanitiser; bleach, which nbconvert used,
is end-of-life upstream), keeping tables and formatting.
"""

from __future__ import annotations

from typing import Any

from ..model.links import scrub_urls

_DROP = ("application/javascript", "text/javascript", "application/x-javascript",
         "image/svg+xml", "application/vnd.jupyter.widget-view+json",
         "application/vnd.jupyter.widget-state+json", "application/vnd.plotly.v1+json",
         "application/vnd.bokehjs_exec.v0+json", "application/vnd.bokehjs_load.v0+json",
         "application/vnd.holoviews_exec.v0+json", "application/vnd.holoviews_load.v0+json")
_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
         "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
         "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
         "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
         "thead", "tr", "u", "ul", "var"}
_ATTRS = {"*": {"class", "title", "lang", "dir"}, "a": {"href", "title", "rel"},
          "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan", "align"},
          "th": {"colspan", "rowspan", "align", "scope"}, "ol": {"start"}}


def clean_html(markup: str) -> str:
    """HTML from a source we do not trust, reduced to formatting, tables, links and images:
    other tags are dropped (their text kept; script and style with their content)."""
    import nh3

    cleaned = nh3.clean(markup, tags=_TAGS, attributes=_ATTRS,
                        url_schemes={"http", "https", "mailto"}, strip_comments=True,
                        link_rel=None)
    return scrub_urls(cleaned)


def sanitize_notebook(nb: Any) -> list[tuple[str, int | None]]:
    """Strip script-capable outputs from an untrusted notebook, in place; report each cell."""
    warnings: list[tuple[str, int | None]] = []
    for index, cell in enumerate(nb.cells, start=1):
        removed: set[str] = set()
        for output in cell.get("outputs", []) or []:
            data = output.get("data")
            if not isinstance(data, dict):
                continue
            for mime in list(data):
                if mime in _DROP or "javascript" in mime:
                    del data[mime]
                    removed.add(mime)
                elif mime == "text/html":
                    text = data[mime] if isinstance(data[mime], str) else "".join(data[mime])
                    data[mime] = clean_html(text)
            if not data:
                data["text/plain"] = "[output removed: not allowed in safe mode]"
        attachments = cell.get("attachments") or {}
        for bundle in attachments.values():
            if isinstance(bundle, dict) and "image/svg+xml" in bundle:
                del bundle["image/svg+xml"]
                removed.add("image/svg+xml")
        if removed:
            warnings.append((f"safe mode: removed {', '.join(sorted(removed))} output from "
                             f"cell {index}", None))
    return warnings
