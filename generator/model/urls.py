"""Slugs, site URLs under the base path, and the GitHub / Colab links of a notebook."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from urllib.parse import quote

_SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9._~-]*(/[a-z0-9][a-z0-9._~-]*)*$")
_BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data(?!:image/(png|jpe?g|gif|webp)))\s*:",
                         re.IGNORECASE)


def slugify(text: str) -> str:
    """A URL-safe, lower-case slug; non-Latin text is kept as letters, not dropped."""
    text = unicodedata.normalize("NFKD", text)
    ascii_text = text.encode("ascii", "ignore").decode()
    if re.search(r"[a-zA-Z0-9]", ascii_text):
        text = ascii_text
    text = text.lower()
    text = re.sub(r"[^\w\s-]", " ", text)
    text = re.sub(r"[\s_-]+", "-", text).strip("-")
    return text[:80].strip("-") or "untitled"


def is_safe_slug(slug: str) -> bool:
    """A slug (or slug path) that cannot escape the output folder."""
    return bool(_SAFE_SLUG.match(slug)) and ".." not in slug.split("/")


def is_safe_url(url: str) -> bool:
    """False for `javascript:`-like URLs that must never reach an href or src."""
    cleaned = re.sub(r"[\x00-\x20]", "", url)
    return not _BAD_SCHEME.match(cleaned)


def url_for(base_path: str, path: str) -> str:
    """A root-relative URL with the base path: url_for('/repo/', 'blog/x/') -> '/repo/blog/x/'.

    Absolute URLs (with a scheme, `//`, `mailto:`) and fragments pass through unchanged.
    """
    if not path:
        return base_path
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", path) or path.startswith(("//", "#")):
        return path
    return base_path + path.lstrip("/")


def absolute_url(origin: str, base_path: str, path: str) -> str:
    """A full URL for feeds, sitemaps and canonical links."""
    return origin + url_for(base_path, path) if origin else url_for(base_path, path)


def relative_target(source_rel: str, link: str) -> str | None:
    """Resolve a relative link found in `source_rel` to a site-root-relative POSIX path."""
    if not link or link.startswith(("/", "#")) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(source_rel), link))
    if joined.startswith("../") or joined == "..":
        return None
    return joined


def notebook_links(owner: str, repo: str, branch: str, path: str) -> dict[str, str]:
    """Colab, GitHub and nbviewer links for a notebook path in a repository."""
    quoted = "/".join(quote(part) for part in path.split("/"))
    tail = f"{owner}/{repo}/blob/{quote(branch)}/{quoted}"
    return {
        "colab": f"https://colab.research.google.com/github/{tail}",
        "github": f"https://github.com/{tail}",
        "nbviewer": f"https://nbviewer.org/github/{tail}",
    }


def repo_url(owner_repo: str) -> str:
    return owner_repo if owner_repo.startswith(("http://", "https://")) \
        else f"https://github.com/{owner_repo}"
