"""The page-level checks of a built site: links, anchors and assets under the base path, alt
text, and leaks that must never be published (template syntax, tracebacks, local paths).

Every build runs the link and leak checks, so they are fast: pages are scanned with regular
expressions (the real HTML parser only under `--strict`, for alt text), and each page's scan is
remembered in `.portfolio/pages.json` by the sha1 of its bytes, so a page the build kept from
the last one (reuse.py) is never read again.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from .documents import Output
from .errors import Diagnostic

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_LITERAL = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1\s*>", re.DOTALL | re.I)
_LEAKS = (("{{", "unrendered template syntax '{{'"), ("{%", "unrendered template syntax '{%'"),
          ("Undefined", "a template variable rendered as 'Undefined'"),
          ("Traceback (most recent call last)", "a Python traceback"),
          ("file://", "a file:// URL (works only on your machine)"),
          ('="None"', "an attribute rendered as 'None'"),
          ("data-portfolio-livereload", "serve's live-reload script"))


@dataclass(frozen=True)
class Finding:
    """One problem: where it comes from, what it is, and the raw target (to avoid duplicates)."""

    path: str
    message: str
    line: int | None = None
    target: str = ""

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.message, self.path, self.line)


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


class _Parsed:
    """What `_Page` collected, as plain data that can be stored between builds."""

    def __init__(self, ids: list[str], links: list, images: list, digest: str = "") -> None:
        self.digest = digest  # sha1 of the page's bytes, when known
        self.ids = set(ids)
        self.links = [tuple(x) for x in links]
        self.images = [tuple(x) for x in images]



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
        found += [f"{what} appears in the output" for needle, what in _LEAKS if needle in visible]
    return found


def scan_pages(outputs: Mapping[str, Output], root: Path | None, full: bool = True
               ) -> tuple[dict[str, _Parsed], list[Diagnostic]]:
    """Scan every HTML page (links, ids; images under `full`) and audit it for leaks.

    Results are remembered by the sha1 of the page's bytes: one edit changes only a few pages,
    and a page kept from the last build is never read at all.
    """
    from .cache import code_digest

    secrets = _secrets(root)
    store = _Memo(root, "pages.json", code_digest() + "\0" + "\0".join(secrets))
    memo = store.entries
    used: dict[str, list] = {}
    pages: dict[str, _Parsed] = {}
    leaks: list[Diagnostic] = []
    keyed: list[tuple[str, Output, str, str]] = []
    for path, output in outputs.items():
        if path.endswith(".html"):
            digest = output.digest or hashlib.sha1(output.data or b"").hexdigest()
            keyed.append((path, output, digest, digest + ("" if full else "-links")))
    todo = [(path, output, key) for path, output, _, key in keyed
            if not (isinstance(memo.get(key), list) and len(memo[key]) == 4)]
    fresh = _scan_many(todo, full, secrets)
    for path, output, digest, key in keyed:
        entry = fresh.get(key) or memo[key]
        used[key] = entry
        try:
            pages[path] = _Parsed(*entry[:3], digest=digest)
            leaks += [Diagnostic(str(message), path) for message in entry[3]]
        except (TypeError, ValueError):
            page = _parse(_page_bytes(output))
            pages[path] = _Parsed(sorted(page.ids), page.links, page.images)
    store.save(used)
    return pages, leaks


class _Memo:
    """Results by key in `.portfolio/NAME`, valid only while `stamp` (what they depend on
    besides the key) is the same. A missing or damaged file is an empty memo."""

    def __init__(self, root: Path | None, name: str, stamp: str) -> None:
        self.path = root / ".portfolio" / name if root is not None else None
        self.stamp = stamp
        self.entries: dict = {}
        if self.path is None:
            return
        try:
            saved = json.loads(self.path.read_text("utf-8"))
            entries = saved.get("entries") if saved.get("stamp") == stamp else {}
            self.entries = entries if isinstance(entries, dict) else {}
        except (OSError, ValueError, AttributeError):
            pass

    def save(self, used: dict) -> None:
        """Keep exactly the entries this build used (written only when they changed)."""
        if self.path is None or used.keys() == self.entries.keys():
            return
        from .cache import _atomic_write

        try:
            _atomic_write(self.path, json.dumps({"stamp": self.stamp, "entries": used}).encode())
        except OSError:
            pass  # only slower next time


PARALLEL_SCAN_FROM = 64  # pages to scan before half of them go to a second process


def _scan_one(path: str, output: Output, full: bool, secrets: list[str]) -> list:
    """[ids, links, images, leaks] of one page."""
    data = _page_bytes(output)
    if full:  # alt text needs the element structure: the real HTML parser
        page = _parse(data)
        entry: list = [sorted(page.ids), page.links, page.images]
    else:
        ids, links = _scan(data)
        entry = [sorted(set(ids)), links, []]
    entry.append(_leaks(path, data.decode("utf-8", "replace"), secrets))
    return entry


def _scan_many(todo: list[tuple[str, Output, str]], full: bool,
               secrets: list[str]) -> dict[str, list]:
    """Scan pages by key; with many, half of them in a forked process (the other core)."""
    def scan(part: list[tuple[str, Output, str]]) -> dict[str, list]:
        return {key: _scan_one(path, output, full, secrets) for path, output, key in part}

    if len(todo) < PARALLEL_SCAN_FROM:
        return scan(todo)
    from .background import Forked

    other = Forked(lambda: scan(todo[1::2]), lambda value: value, dict)
    here = scan(todo[0::2])
    return {**here, **other.result()}


def _line_of(root: Path | None, source: str, needle: str,
             texts: dict[str, str] | None = None) -> int | None:
    """The first line of the source file that mentions `needle` (for a finding's line)."""
    if root is None or not needle or not source.endswith((".md", ".markdown")):
        return None
    texts = {} if texts is None else texts
    if source not in texts:
        try:
            texts[source] = (root / source).read_text("utf-8", "replace")
        except OSError:
            texts[source] = ""
    text = texts[source]
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def link_findings(files: Mapping[str, object], base_path: str, sources: Mapping[str, str],
                  root: Path | None = None,
                  pages: Mapping[str, _Parsed] | None = None) -> list[Finding]:
    """Every internal link, anchor and asset must resolve under the base path.

    `files` only needs the output paths as keys. Absolute links (the menu, the stylesheet) are
    on every page: each is resolved once per build. When no page's ids and no output path
    changed since the last build, a page whose bytes and source file are unchanged has the
    same findings as then (`.portfolio/links.json`).
    """
    if pages is None:
        pages = {p: _parse(d) for p, d in files.items()  # type: ignore[arg-type]
                 if p.endswith(".html")}
    store = _links_memo(root, files, pages, base_path)
    memo = store.entries
    used: dict[str, list] = {}
    found: list[Finding] = []
    absolute: dict[str, tuple[str, str]] = {}
    texts: dict[str, str] = {}  # source files read for line numbers
    for path in sorted(pages):
        where = sources.get(path, path)
        page = pages[path]
        key = f"{path}\0{page.digest}\0{_stat_key(root, where)}" if page.digest else ""
        entries = memo.get(key) if key else None
        if not (isinstance(entries, list) and all(
                isinstance(e, list) and len(e) == 3 and isinstance(e[0], str) for e in entries)):
            entries = []  # not remembered, or a damaged memo: check this page
            for value, line in page.links:
                if value.startswith("/") and not value.startswith("//") and path != "404.html":
                    known = absolute.get(value)
                    if known is None:
                        known = absolute[value] = _resolve(path, value, base_path, files, pages)
                    problem, target = known
                else:
                    problem, target = _resolve(path, value, base_path, files, pages)
                if problem:
                    entries.append([f"{problem} (in {path}, line {line})",
                                    _line_of(root, where, target, texts), target])
        if key:
            used[key] = entries
        found += [Finding(where, m, n if isinstance(n, int) else None, str(t))
                  for m, n, t in entries]
    store.save(used)
    return found


def _stat_key(root: Path | None, source: str) -> str:
    """Size and mtime of a source file: findings name its lines, which an edit may move."""
    try:
        st = os.stat(root / source) if root is not None else None
    except OSError:
        return "-"
    return f"{st.st_size}:{st.st_mtime_ns}" if st is not None else "-"


def _links_memo(root: Path | None, files: Mapping[str, object], pages: Mapping[str, _Parsed],
                base_path: str) -> _Memo:
    """Last build's findings by page, if they still hold: the same code, base path, output
    paths, and ids on every page (what links from other pages resolve against)."""
    from .cache import code_digest

    if root is None:
        return _Memo(None, "links.json", "")
    digest = hashlib.sha1(f"{code_digest()}\0{base_path}\0".encode())
    digest.update("\0".join(sorted(files)).encode("utf-8", "surrogatepass"))
    for path in sorted(pages):
        digest.update(("\n" + "\0".join(sorted(pages[path].ids))).encode("utf-8",
                                                                        "surrogatepass"))
    return _Memo(root, "links.json", digest.hexdigest())


def _resolve(page: str, value: str, base: str, files: Mapping[str, object],
             pages: Mapping[str, _Parsed]) -> tuple[str, str]:
    """('' , '') when `value` resolves; else (problem, the raw target to look for)."""
    if not value or value == "#" or _SCHEME.match(value) or value.startswith("//"):
        return "", ""
    raw, _, fragment = value.partition("#")
    raw = raw.split("?", 1)[0]
    if not raw:
        if fragment and fragment not in pages[page].ids:
            return f"no heading or anchor '#{fragment}' on this page", "#" + fragment
        return "", ""
    if raw.startswith("/"):
        if not raw.startswith(base):
            return (f"link '{value}' is outside the site's base path {base} (it breaks on "
                    "GitHub Pages; link relative to the page instead)", raw)
        target = unquote(raw[len(base):])
    elif page == "404.html":
        return (f"relative link '{value}' in 404.html breaks when the page is served at depth",
                raw)
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(raw)))
        if target.startswith(".."):
            return f"link '{value}' points above the site's root", raw
        target = "" if target == "." else target + ("/" if raw.endswith("/") else "")
    if target == "" or target.endswith("/"):
        target += "index.html"
    if target not in files:
        if target + "/index.html" in files:
            target += "/index.html"
        else:
            return f"broken link to '{value}'", raw.rsplit("/", 1)[-1] if "/" in raw else raw
    if fragment and target in pages and fragment not in pages[target].ids:
        return f"no heading or anchor '#{fragment}' in {target}", "#" + fragment
    return "", ""


def alt_findings(pages: Mapping[str, _Parsed], sources: Mapping[str, str]) -> list[Finding]:
    """Images a screen reader cannot describe (decorative ones, inside aria-hidden, are fine).

    The parser lists only such images, so every one listed is a finding."""
    found = []
    for path in sorted(pages):
        for src, _alt, line in pages[path].images:
            name = src.rsplit("/", 1)[-1]
            found.append(Finding(sources.get(path, path), f"image '{name}' has no alt text "
                                 f"(in {path}, line {line})", target=name))
    return found


def audit_files(files: Mapping[str, bytes], root: Path) -> list[Diagnostic]:
    """Leaks that must never be published: template syntax, tracebacks, local paths."""
    secrets = _secrets(root)
    return [Diagnostic(message, path) for path in sorted(files)
            if path.endswith((".html", ".xml", ".txt", ".json", ".js", ".css"))
            for message in _leaks(path, files[path].decode("utf-8", "replace"), secrets)]
