"""Check a built site as a visitor and as a reviewer would: links, anchors, alt text, leaks,
sizes, and notebooks that will not run for someone who clicks "Open in Colab".

`site_findings` runs on the outputs of a build: the cheap checks on every build, all of them
under `--strict` and in `portfolio check`. Every finding names the source file, and the line or
cell where it is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ..model.config import Config
from ..model.documents import Output, Site
from ..model.errors import Diagnostic
from .links import Finding, alt_findings, link_findings
from .notebooks import notebook_findings
from .pages import audit_files, scan_pages

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif")


def source_map(site: Site | None) -> dict[str, str]:
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


def site_findings(config: Config, outputs: Iterable[Output], site: Site | None, code: str, *,
                  full: bool = False, known: Iterable[Diagnostic] = (),
                  git: bool = True) -> list[Diagnostic]:
    """The build's own checks over its outputs; `full` adds alt text and notebook checks
    (`git`: also whether each notebook a badge opens is committed). `code` is portfolio's
    code digest, which the checks' memos are valid for.

    Pages kept from the last build (no bytes in memory) are checked from what was remembered
    about them, or read from the output folder when nothing was."""
    outputs = list(outputs)
    sizes = {o.path: len(o.data) if o.data is not None else _stat(o.src) for o in outputs}
    listing = {o.path: o for o in outputs}
    generated = {o.path: o for o in outputs if o.data is not None or o.kept}
    sources = source_map(site)
    root = config.root
    pages, leaks = scan_pages(generated, root, code, full=full)
    findings = link_findings(listing, config.base_path, sources, pages, root, code)
    findings += budget_findings(sizes, sources, config.budget_page_kb, config.budget_image_kb)
    if full:
        findings += alt_findings(pages, sources)
    known = list(known)
    out = [f.diagnostic() for f in findings if not _already(f, known)]
    out += leaks  # pages; then the other generated text files (feed, sitemap, css)
    out += audit_files({p: o.data for p, o in generated.items()
                        if o.data is not None and not p.endswith(".html")}, config.root)
    if full and site is not None:
        out += notebook_findings(config, site, git=git)
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
