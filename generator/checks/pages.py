"""Scan the built pages: their ids, links and images, and leaks that must never be published
(template syntax, tracebacks, local paths of this machine).

Every build runs this, so it is fast: pages are scanned with regular expressions (the real HTML
parser only under `--strict`, for alt text), and each page's scan is remembered in
`.portfolio/pages.json` by the sha1 of its bytes, so a page the build kept from the last one
(incremental/reuse.py) is never read again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..incremental.store import Record, State
from ..model.documents import Output
from ..model.errors import Diagnostic

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_LITERAL = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1\s*>"
                      # TeX writes `{{n}\choose{2}}`: math is not template syntax
                      r"""|<(span|div) class="math\b[^"]*">.*?</\2\s*>""", re.DOTALL | re.I)
# A template expression closes as it opens (`{{ page.title }}`, `{% include x %}`); TeX's
# `{{n}\choose{2}}` in a summary or a meta description does not.
_TEMPLATE = (re.compile(r"\{\{[^{}]*\}\}"), re.compile(r"\{%[^{}]*%\}"))
_LEAKS = (("{{", "unrendered template syntax '{{'"), ("{%", "unrendered template syntax '{%'"),
          ("Undefined", "a template variable rendered as 'Undefined'"),
          ("Traceback (most recent call last)", "a Python traceback"),
          ("file://", "a file:// URL (works only on your machine)"),
          ('="None"', "an attribute rendered as 'None'"),
          ("data-portfolio-livereload", "serve's live-reload script"))




class _Page(HTMLParser):
    """Collects ids, link-like attributes and images of one HTML page, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []
        self.images: list[tuple[str, str | None, int]] = []  # src, alt, line
        self._stack: list[tuple[str, bool]] = []  # open elements: (tag, hidden from a11y?)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        line = self.getpos()[0]
        for key in ("id", "name") if tag in ("a", "section", "div", "span") else ("id",):
            if values.get(key):
                self.ids.add(values[key])
        for key in ("href", "src", "action", "formaction", "poster"):
            if key in values and not (tag == "link" and values.get("rel") in ("canonical",)):
                self.links.append((values[key].strip(), line))
        if "srcset" in values:
            for part in values["srcset"].split(","):
                if part.strip():
                    self.links.append((part.strip().split()[0], line))
        hidden = values.get("aria-hidden") == "true" or values.get("role") == "presentation"
        if tag == "img":
            alt = values.get("alt")
            hidden = hidden or any(h for _, h in self._stack)
            in_content = any(t in ("main", "article") for t, _ in self._stack)
            # alt="" marks a decorative image (an avatar beside the name): fine outside content
            if not hidden and (alt is None or (in_content and not alt.strip())):
                self.images.append((values.get("src", ""), alt, line))
        if tag not in _VOID:
            self._stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        for depth in range(len(self._stack) - 1, -1, -1):  # tolerate unclosed elements
            if self._stack[depth][0] == tag:
                del self._stack[depth:]
                break


def _parse(data: bytes) -> _Page:
    page = _Page()
    page.feed(data.decode("utf-8", "replace"))
    page.close()
    return page

_SKIP_BLOCKS = re.compile(r"(<(script|style)\b[^>]*>)(.*?)(</\2\s*>)|<!--.*?-->",
                          re.DOTALL | re.IGNORECASE)
_LINK_ATTR = re.compile(
    r"""\s(id|name|href|src|action|formaction|poster|srcset|rel)\s*=\s*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")


def _scan(data: bytes) -> tuple[list[str], list[tuple[str, int]]]:
    """Ids and link-like attributes, with lines: what the link check needs, found by regular
    expressions (many times faster than HTMLParser, which visits every highlighted token; every
    build runs this). Script and style bodies are blanked first, so data inside them is never
    mistaken for markup; text content cannot hold `attr="` because quotes are escaped there."""
    import bisect
    import html

    text = data.decode("utf-8", "replace")
    text = _SKIP_BLOCKS.sub(lambda m: (m.group(1) or "") + "\n" * m.group(0).count("\n")
                            + (m.group(4) or ""), text)
    tags: dict[int, dict[str, str]] = {}
    for match in _LINK_ATTR.finditer(text):
        start = text.rfind("<", 0, match.start())
        if start < 0 or text.find(">", start, match.start()) != -1:
            continue  # not inside a tag
        value = match.group(2) if match.group(2) is not None else \
            match.group(3) if match.group(3) is not None else match.group(4)
        tags.setdefault(start, {}).setdefault(match.group(1).lower(), html.unescape(value))
    newlines = [m.start() for m in re.finditer("\n", text)]
    ids: list[str] = []
    links: list[tuple[str, int]] = []
    for start in sorted(tags):
        attrs = tags[start]
        name = _TAG_NAME.match(text, start)
        tag = name.group(1).lower() if name else ""
        line = bisect.bisect_left(newlines, start) + 1
        for key in ("id", "name") if tag in ("a", "section", "div", "span") else ("id",):
            if attrs.get(key):
                ids.append(attrs[key])
        for key in ("href", "src", "action", "formaction", "poster"):
            if key in attrs and not (tag == "link" and attrs.get("rel") == "canonical"):
                links.append((attrs[key].strip(), line))
        for part in attrs.get("srcset", "").split(","):
            if part.strip():
                links.append((part.strip().split()[0], line))
    return ids, links

class PageScan:
    """What one page holds that the checks need, as plain data kept between builds."""

    def __init__(self, ids: list[str], links: list[Any], images: list[Any],
                 digest: str = "") -> None:
        self.digest = digest  # sha1 of the page's bytes, when known
        self.ids = set(ids)
        self.links: list[tuple[str, int]] = [(str(v), int(n)) for v, n in links]
        self.images: list[tuple[str, str | None, int]] = [(str(s), a, int(n))
                                                          for s, a, n in images]


def _page_bytes(output: Output) -> bytes:
    if output.data is not None:
        return output.data
    try:
        return output.src.read_bytes() if output.src is not None else b""
    except OSError:
        return b""


def _secrets(root: Path | None) -> list[str]:
    """Paths of this machine that must never appear in the output."""
    if root is None:
        return []
    found = {str(root.resolve()), str(root)}
    home = str(Path.home())
    if len(home) > 5:
        found.add(home)
    return sorted(found)


def _leaks(path: str, text: str, secrets: list[str]) -> list[str]:
    """What leaked into one generated file, as messages."""
    found = []
    for secret in secrets:
        if secret + "/" in text:
            found.append(f"the build folder or home folder path ({secret}) appears in the output")
            break
    if path.endswith((".html", ".xml")):
        visible = _LITERAL.sub("", text)  # code and notebook output may show anything
        found += [f"{what} appears in the output" for needle, what in _LEAKS if needle in visible
                  and (not needle.startswith("{") or
                       _TEMPLATE[needle == "{%"].search(visible))]
    return found

def scan_pages(outputs: Mapping[str, Output], root: Path | None, code: str, full: bool = True
               ) -> tuple[dict[str, PageScan], list[Diagnostic]]:
    """Scan every HTML page (links, ids; images under `full`) and audit it for leaks.

    Results are remembered by the sha1 of the page's bytes: one edit changes only a few pages,
    and a page kept from the last build is never read at all. `code` is portfolio's code
    digest (a new version may scan differently).
    """
    secrets = _secrets(root)
    record = Record(State(root).pages_memo if root is not None else None,
                    code + "\0" + "\0".join(secrets))
    memo = record.data
    used: dict[str, Any] = {}
    pages: dict[str, PageScan] = {}
    leaks: list[Diagnostic] = []
    keyed: list[tuple[str, Output, str, str]] = []
    for path, output in outputs.items():
        if path.endswith(".html"):
            digest = output.digest or hashlib.sha1(output.data or b"").hexdigest()
            keyed.append((path, output, digest, digest + ("" if full else "-links")))
    todo = [(path, output, key) for path, output, _, key in keyed if key not in memo]
    fresh = _scan_many(todo, full, secrets)
    for path, output, digest, key in keyed:
        entry = fresh.get(key) or memo[key]
        try:
            pages[path] = PageScan(entry["ids"], entry["links"], entry["images"], digest=digest)
            leaks += [Diagnostic(str(message), path) for message in entry["leaks"]]
            used[key] = entry
        except (TypeError, ValueError, KeyError):  # a damaged memo: scan this page again
            entry = _scan_one(path, output, full, secrets)
            pages[path] = PageScan(entry["ids"], entry["links"], entry["images"], digest=digest)
            leaks += [Diagnostic(str(message), path) for message in entry["leaks"]]
            used[key] = entry
    if used.keys() != memo.keys() or fresh:
        record.save(used)
    return pages, leaks


PARALLEL_SCAN_FROM = 64  # pages to scan before half of them go to a second process


def _scan_one(path: str, output: Output, full: bool, secrets: list[str]) -> dict[str, Any]:
    """The ids, links, images (under `full`) and leaks of one page."""
    data = _page_bytes(output)
    images: list[tuple[str, str | None, int]] = []
    if full:  # alt text needs the element structure: the real HTML parser
        page = _parse(data)
        ids, links, images = sorted(page.ids), page.links, page.images
    else:
        found, links = _scan(data)
        ids = sorted(set(found))
    return {"ids": ids, "links": links, "images": images,
            "leaks": _leaks(path, data.decode("utf-8", "replace"), secrets)}


def _scan_many(todo: list[tuple[str, Output, str]], full: bool,
               secrets: list[str]) -> dict[str, dict[str, Any]]:
    """Scan pages by key; with many, half of them in a forked process (the other core)."""
    def scan(part: list[tuple[str, Output, str]]) -> dict[str, dict[str, Any]]:
        return {key: _scan_one(path, output, full, secrets) for path, output, key in part}

    if len(todo) < PARALLEL_SCAN_FROM:
        return scan(todo)
    from ..util.background import Forked

    other = Forked(lambda: scan(todo[1::2]), lambda value: value, dict)
    here = scan(todo[0::2])
    return {**here, **other.result()}


def audit_files(files: Mapping[str, bytes], root: Path) -> list[Diagnostic]:
    """Leaks that must never be published: template syntax, tracebacks, local paths."""
    secrets = _secrets(root)
    return [Diagnostic(message, path) for path in sorted(files)
            if path.endswith((".html", ".xml", ".txt", ".json", ".js", ".css"))
            for message in _leaks(path, files[path].decode("utf-8", "replace"), secrets)]
