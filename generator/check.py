"""Check a site as a visitor and as a reviewer would: links, anchors, alt text, leaks, sizes,
and notebooks that will not run for someone who clicks "Open in Colab".

`site_findings` runs on the in-memory outputs of a build (cheap checks on every build, all of
them under `--strict`); `check_site` renders the site exactly as `build` would and checks it.
Every finding names the source file, and the line or cell where it is known.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
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
_LOCAL_PATH = re.compile(r"""(?<![\w.])(/Users/[^\s'"]+|/home/[^\s'"]+|[A-Za-z]:\\\\?[^\s'"]+)""")
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif")


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

    def __init__(self, ids: list[str], links: list, images: list) -> None:
        self.ids = set(ids)
        self.links = [tuple(x) for x in links]
        self.images = [tuple(x) for x in images]


def _parse_all(files: dict[str, bytes], root: Path | None,
               full: bool = True) -> dict[str, _Parsed]:
    """Parse every HTML page, re-using last build's results for pages whose bytes are the same.

    Parsing is most of the checks' cost, and one edit changes only a few pages.
    """
    import hashlib
    import json

    from .cache import code_digest

    store = root / ".portfolio" / "pages.json" if root is not None else None
    try:
        saved = json.loads(store.read_text("utf-8")) if store is not None else {}
        memo = saved.get("pages") if saved.get("code") == code_digest() else {}
        memo = memo if isinstance(memo, dict) else {}
    except (OSError, ValueError, AttributeError):
        memo = {}
    used: dict[str, list] = {}
    pages: dict[str, _Parsed] = {}
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        key = hashlib.sha1(data).hexdigest() + ("" if full else "-links")
        entry = memo.get(key)
        if not (isinstance(entry, list) and len(entry) == 3):
            if full:  # alt text needs the element structure: the real HTML parser
                page = _parse(data)
                entry = [sorted(page.ids), page.links, page.images]
            else:
                ids, links = _scan(data)
                entry = [sorted(set(ids)), links, []]
        used[key] = entry
        try:
            pages[path] = _Parsed(*entry)
        except (TypeError, ValueError):
            page = _parse(data)
            pages[path] = _Parsed(sorted(page.ids), page.links, page.images)
    if store is not None and used.keys() != memo.keys():
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            tmp = store.with_suffix(".tmp")
            tmp.write_text(json.dumps({"code": code_digest(), "pages": used}), "utf-8")
            tmp.replace(store)
        except OSError:
            pass  # only slower next time
    return pages


def source_map(site: Any) -> dict[str, str]:
    """Output path -> the source file that produced it (pages and their assets)."""
    out: dict[str, str] = {}
    if site is None:
        return out
    for doc in site.documents:
        out[doc.url + "index.html"] = doc.source.rel_path
        for asset in doc.rendered.assets:
            out[doc.url + asset.path] = doc.source.rel_path
    return out


def _line_of(root: Path | None, source: str, needle: str) -> int | None:
    """The first line of the source file that mentions `needle` (for a finding's line)."""
    if root is None or not needle or not source.endswith((".md", ".markdown")):
        return None
    try:
        text = (root / source).read_text("utf-8", "replace")
    except OSError:
        return None
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def link_findings(files: Mapping[str, bytes], base_path: str, sources: Mapping[str, str],
                  root: Path | None = None,
                  pages: Mapping[str, _Page] | None = None) -> list[Finding]:
    """Every internal link, anchor and asset must resolve under the base path."""
    pages = pages or {p: _parse(d) for p, d in files.items() if p.endswith(".html")}
    found: list[Finding] = []
    for path in sorted(pages):
        where = sources.get(path, path)
        for value, line in pages[path].links:
            problem, target = _resolve(path, value, base_path, files, pages)
            if problem:
                found.append(Finding(where, f"{problem} (in {path}, line {line})",
                                     _line_of(root, where, target), target))
    return found


def _resolve(page: str, value: str, base: str, files: Mapping[str, bytes],
             pages: Mapping[str, _Page]) -> tuple[str, str]:
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


def alt_findings(pages: Mapping[str, _Page], sources: Mapping[str, str]) -> list[Finding]:
    """Images a screen reader cannot describe (decorative ones, inside aria-hidden, are fine)."""
    found = []
    for path in sorted(pages):
        for src, alt, line in pages[path].images:
            if alt is None or not alt.strip():
                name = src.rsplit("/", 1)[-1]
            found.append(Finding(sources.get(path, path), f"image '{name}' has no alt text "
                                 f"(in {path}, line {line})", target=name))
    return found


def audit_files(files: Mapping[str, bytes], root: Path) -> list[Diagnostic]:
    """Leaks that must never be published: template syntax, tracebacks, local paths."""
    found: list[Diagnostic] = []
    secrets = {str(root.resolve()), str(root)}
    home = str(Path.home())
    if len(home) > 5:
        secrets.add(home)
    for path in sorted(files):
        if not path.endswith((".html", ".xml", ".txt", ".json", ".js", ".css")):
            continue
        text = files[path].decode("utf-8", "replace")
        for secret in sorted(secrets):
            if secret + "/" in text:
                found.append(Diagnostic(f"the build folder or home folder path ({secret}) "
                                        "appears in the output", path))
                break
        if not path.endswith((".html", ".xml")):
            continue
        visible = _LITERAL.sub("", text)  # code and notebook output may show anything
        for needle, what in _LEAKS:
            if needle in visible:
                found.append(Diagnostic(f"{what} appears in the output", path))
    return found


def budget_findings(sizes: Mapping[str, int], sources: Mapping[str, str], page_kb: int,
                    image_kb: int) -> list[Finding]:
    """Pages and images over the size budget (slow on a phone; GitHub Pages limits)."""
    found = []
    for path in sorted(sizes):
        size = sizes[path]
        if path.endswith(".html") and size > page_kb * 1024:
            found.append(Finding(sources.get(path, path), f"page {path} is {_size(size)}, over "
                                 f"the page budget of {page_kb} KB (budget_page_kb)"))
        elif path.lower().endswith(IMAGE_EXTS) and size > image_kb * 1024:
            found.append(Finding(sources.get(path, path), f"image {path} is {_size(size)}, over "
                                 f"the image budget of {image_kb} KB (budget_image_kb)"))
    return found


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n / 1024:.0f} KB"


def site_findings(config: Any, outputs: Iterable[Output], site: Any, *, full: bool = False,
                  known: Iterable[Diagnostic] = ()) -> list[Diagnostic]:
    """The build's own checks over its outputs; `full` adds alt text and notebook checks."""
    outputs = list(outputs)
    files = {o.path: o.data for o in outputs if o.data is not None}
    sizes = {o.path: len(o.data) if o.data is not None else _stat(o.src) for o in outputs}
    listing: dict[str, bytes] = {o.path: b"" for o in outputs}
    listing.update(files)
    sources = source_map(site)
    pages = _parse_all(files, getattr(config, "root", None), full=full)
    findings = link_findings(listing, config.base_path, sources, config.root, pages)
    findings += budget_findings(sizes, sources, config.budget_page_kb,
                                getattr(config, "budget_image_kb", 2048))
    if full:
        findings += alt_findings(pages, sources)
    known = list(known)
    out = [f.diagnostic() for f in findings if not _already(f, known)]
    out += audit_files(files, config.root)
    if full and site is not None:
        out += notebook_findings(config, site)
    return out


def _already(finding: Finding, known: list[Diagnostic]) -> bool:
    """The readers already reported this target for this source (e.g. a broken .md link)."""
    name = finding.target.rsplit("/", 1)[-1]
    return bool(name) and any(d.path == finding.path and name in d.message for d in known)


def _stat(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def notebook_findings(config: Any, site: Any) -> list[Diagnostic]:
    """Notebooks that will not run for a visitor: not pushed, local paths, unexecuted, errors."""
    from .nbfront import cell_text, cells_of, load_json

    found: list[Diagnostic] = []
    notebooks = [d for d in site.documents if d.is_notebook]
    for doc in notebooks:
        rel = doc.source.rel_path
        try:
            nb = load_json(doc.source.abs_path.read_bytes(), rel)
        except Exception:  # the build reported it already
            continue
        counts: list[tuple[int, int]] = []
        unrun: list[int] = []
        for index, cell in enumerate(cells_of(nb), start=1):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            text = cell_text(cell) if "source" in cell else str(cell.get("input", ""))
            for offset, line in enumerate(text.splitlines(), start=1):
                match = _LOCAL_PATH.search(line)
                if match:
                    found.append(Diagnostic(f"cell {index}, line {offset}: absolute local path "
                                            f"{match[1]!r} will not exist on Colab", rel))
            count = cell.get("execution_count", cell.get("prompt_number"))
            if isinstance(count, int):
                counts.append((index, count))
            elif text.strip():
                unrun.append(index)
            tags = (cell.get("metadata") or {}).get("tags") or []
            for output in cell.get("outputs") or []:
                if isinstance(output, dict) and output.get("output_type") in ("error", "pyerr") \
                        and "raises-exception" not in tags:
                    found.append(Diagnostic(f"cell {index}: error output left in "
                                            f"({output.get('ename', 'Error')}: "
                                            f"{str(output.get('evalue', ''))[:60]})", rel))
        if unrun:
            listed = ", ".join(str(i) for i in unrun[:10])
            found.append(Diagnostic(f"{len(unrun)} code cell(s) never run (cells {listed}); "
                                    "run all cells and save", rel))
        for (a, ca), (b, cb) in zip(counts, counts[1:], strict=False):
            if cb <= ca:
                found.append(Diagnostic(f"cells ran out of order (cell {a} is [{ca}], cell {b} "
                                        f"is [{cb}]); restart the kernel and run all", rel))
                break
    if config.github.configured and notebooks:
        found += git_findings(config, notebooks)
    return found


def git_findings(config: Any, notebooks: list[Any]) -> list[Diagnostic]:
    """Each notebook a badge links to must be in git at the branch the badge names."""
    found: list[Diagnostic] = []
    trees: dict[str, dict[str, str] | None] = {}
    for doc in notebooks:
        if not doc.meta.badges or doc.meta.repo:
            continue  # no badge, or a notebook in another repository we cannot see
        branch = doc.meta.branch or config.github.branch
        if branch not in trees:
            trees[branch] = _ls_tree(config.root, branch)
            if trees[branch] is None:
                found.append(Diagnostic(f"branch '{branch}' not found in the git repository: "
                                        "the Open in Colab links will not work until it is "
                                        "pushed", "portfolio.yml"))
        tree = trees[branch]
        if tree is None:
            continue
        path = doc.meta.path or doc.source.rel_path
        rel = doc.source.rel_path
        if path not in tree:
            found.append(Diagnostic(f"not committed to '{branch}': Open in Colab will show "
                                    "'notebook not found' (git add, commit and push it)", rel))
            continue
        data = doc.source.abs_path.read_bytes()
        blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        if not doc.meta.path and tree[path] != blob:
            found.append(Diagnostic(f"changed since the last commit on '{branch}': Colab "
                                    "opens the committed version", rel))
    return found


def _ls_tree(root: Path, branch: str) -> dict[str, str] | None:
    """{path: blob id} of `branch` (or `origin/branch`), paths from the repository root."""
    for ref in (branch, f"origin/{branch}"):
        try:
            proc = subprocess.run(["git", "-C", str(root), "ls-tree", "-r", "--full-tree", ref],
                                  capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
        if proc.returncode == 0:
            prefix = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-prefix"],
                                    capture_output=True, text=True).stdout.strip()
            tree = {}
            for line in proc.stdout.splitlines():
                meta, _, name = line.partition("\t")
                if name.startswith(prefix):
                    tree[name[len(prefix):]] = meta.split()[-1]
            return tree
    return None


def check_site(root: Path, *, base_url: str | None = None, drafts: bool = False,
               git: bool = True) -> list[Diagnostic]:
    """Render the site in memory exactly as `build` would, and check everything."""
    from .build import render_outputs
    from .cache import Cache
    from .config import load_config

    config = load_config(root, overrides={"url": base_url} if base_url else {})
    outputs, report = render_outputs(config, drafts=drafts, cache=Cache(config.root))
    findings = list(report.diagnostics)
    site = getattr(report, "site", None)
    findings += site_findings(config, outputs, site, full=True, known=findings)
    if not git:
        findings = [f for f in findings if "commit" not in f.message
                    and "git repository" not in f.message]
    return findings
