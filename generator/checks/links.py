"""Every internal link, anchor and asset of the built site must resolve under the base path,
and every image in the content must have alt text.

Absolute links (the menu, the stylesheet) are on every page: each is resolved once per build.
When no page's ids and no output path changed since the last build, a page whose bytes and
source file are unchanged has the same findings as then (`.portfolio/links.json`).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..incremental.store import Record, State
from ..model.errors import Diagnostic
from .pages import PageScan

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Finding:
    """One problem: where it comes from, what it is, and the raw target (to avoid duplicates)."""

    path: str
    message: str
    line: int | None = None
    target: str = ""

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.message, self.path, self.line)


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
                  pages: Mapping[str, PageScan], root: Path | None = None,
                  code: str = "") -> list[Finding]:
    """Every internal link, anchor and asset must resolve under the base path.

    `files` only needs the output paths as keys. Absolute links (the menu, the stylesheet) are
    on every page: each is resolved once per build. When no page's ids and no output path
    changed since the last build, a page whose bytes and source file are unchanged has the
    same findings as then (`.portfolio/links.json`).
    """
    record = _links_memo(root, files, pages, base_path, code)
    memo = record.data
    used: dict[str, Any] = {}
    found: list[Finding] = []
    absolute: dict[str, tuple[str, str]] = {}
    texts: dict[str, str] = {}  # source files read for line numbers
    for path in sorted(pages):
        where = sources.get(path, path)
        page = pages[path]
        key = f"{path}\0{page.digest}\0{_stat_key(root, where)}" if page.digest else ""
        entries = memo.get(key) if key else None
        if not (isinstance(entries, list) and all(
                isinstance(e, dict) and isinstance(e.get("message"), str) for e in entries)):
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
                    entries.append({"message": f"{problem} (in {path}, line {line})",
                                    "line": _line_of(root, where, target, texts),
                                    "target": target})
        if key:
            used[key] = entries
        found += [Finding(where, e["message"], e.get("line") if isinstance(e.get("line"), int)
                          else None, str(e.get("target", ""))) for e in entries]
    if used != memo:
        record.save(used)
    return found


def _stat_key(root: Path | None, source: str) -> str:
    """Size and mtime of a source file: findings name its lines, which an edit may move."""
    try:
        st = os.stat(root / source) if root is not None else None
    except OSError:
        return "-"
    return f"{st.st_size}:{st.st_mtime_ns}" if st is not None else "-"


def _links_memo(root: Path | None, files: Mapping[str, object], pages: Mapping[str, PageScan],
                base_path: str, code: str) -> Record:
    """Last build's findings by page, if they still hold: the same code, base path, output
    paths, and ids on every page (what links from other pages resolve against)."""
    if root is None:
        return Record(None, "")
    digest = hashlib.sha1(f"{code}\0{base_path}\0".encode())
    digest.update("\0".join(sorted(files)).encode("utf-8", "surrogatepass"))
    for path in sorted(pages):
        digest.update(("\n" + "\0".join(sorted(pages[path].ids))).encode("utf-8",
                                                                        "surrogatepass"))
    return Record(State(root).links_memo, digest.hexdigest())


def _resolve(page: str, value: str, base: str, files: Mapping[str, object],
             pages: Mapping[str, PageScan]) -> tuple[str, str]:
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


def alt_findings(pages: Mapping[str, PageScan], sources: Mapping[str, str]) -> list[Finding]:
    """Images a screen reader cannot describe (decorative ones, inside aria-hidden, are fine).

    The parser lists only such images, so every one listed is a finding."""
    found = []
    for path in sorted(pages):
        for src, _alt, line in pages[path].images:
            name = src.rsplit("/", 1)[-1]
            found.append(Finding(sources.get(path, path), f"image '{name}' has no alt text "
                                 f"(in {path}, line {line})", target=name))
    return found
