"""Check a site as a visitor and as a reviewer would: links, anchors, alt text, leaks, sizes,
and notebooks that will not run for someone who clicks "Open in Colab".

`site_findings` runs on the in-memory outputs of a build (cheap checks on every build, all of
them under `--strict`); `check_site` renders the site exactly as `build` would and checks it.
Every finding names the source file, and the line or cell where it is known.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .documents import Output
from .errors import Diagnostic
from .linkcheck import Finding, alt_findings, audit_files, link_findings, scan_pages

_LOCAL_PATH = re.compile(r"""(?<![\w.])(/Users/[^\s'"]+|/home/[^\s'"]+|[A-Za-z]:\\\\?[^\s'"]+)""")
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif")


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
    """The build's own checks over its outputs; `full` adds alt text and notebook checks.

    Pages kept from the last build (no bytes in memory) are checked from what was remembered
    about them, or read from the output folder when nothing was."""
    outputs = list(outputs)
    sizes = {o.path: len(o.data) if o.data is not None else _stat(o.src) for o in outputs}
    listing = {o.path: o for o in outputs}
    generated = {o.path: o for o in outputs if o.data is not None or o.kept}
    sources = source_map(site)
    root = getattr(config, "root", None)
    pages, leaks = scan_pages(generated, root, full=full)
    findings = link_findings(listing, config.base_path, sources, root, pages)
    findings += budget_findings(sizes, sources, config.budget_page_kb,
                                getattr(config, "budget_image_kb", 2048))
    if full:
        findings += alt_findings(pages, sources)
    known = list(known)
    out = [f.diagnostic() for f in findings if not _already(f, known)]
    out += leaks  # pages; then the other generated text files (feed, sitemap, css)
    out += audit_files({p: o.data for p, o in generated.items()
                        if o.data is not None and not p.endswith(".html")}, config.root)
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
