"""Discover a site's inputs: posts, pages, projects and the static files beside them.

Kind comes from location (`content/posts/` -> post, other `content/` -> page, `projects/` ->
project), format from the extension. Hidden files, `_`-folders, editor backups, checkpoints and
symlinks that leave the site are never picked up, so they can never be published.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..model.documents import Kind, Source

ASSET_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".pdf",
                    ".mp4", ".webm", ".mp3"}
_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", "node_modules", "drafts"}  # S8


@dataclass
class Inventory:
    """Everything found: documents to read, static files to copy, and what was skipped."""

    documents: list[Source] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)  # POSIX paths relative to the site root
    files: set[str] = field(default_factory=set)  # every file seen, for link checking
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, message)
    data: list[str] = field(default_factory=list)  # the site's data files (content/resume.yml)


def _hidden(name: str) -> bool:
    return name.startswith((".", "_")) or name.endswith(("~", ".bak", ".swp")) \
        or name in _SKIP_DIRS


_BUILD_DIRS = {"_build", "_site", "_freeze", "_output", "_static", "_templates", "_drafts"}


def _note_private(folder: Path, root: Path, inv: Inventory) -> None:
    """A `_folder` is skipped on purpose (Jekyll's convention), but one holding posts or
    notebooks was probably meant to be published: say so once, instead of silently."""
    name = folder.name
    if not name.startswith("_") or name in _SKIP_DIRS or name in _BUILD_DIRS \
            or folder.is_symlink():
        return
    count = 0
    for _dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS]
        count += sum(1 for f in filenames if f.lower().endswith((".md", ".ipynb")))
        if count > 999:
            break
    if count:
        what = f"{count} Markdown file{'s' * (count != 1)} or notebook{'s' * (count != 1)}"
        inv.warnings.append((folder.relative_to(root).as_posix() + "/",
                             f"folder skipped: names starting with '_' are private; rename it "
                             f"to publish its {what}"))


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except OSError:
        return False


def _walk(top: Path, root: Path, exclude: tuple[str, ...], inv: Inventory) -> list[str]:
    """Sorted POSIX paths of the visible files below `top`, relative to `root`."""
    found: list[str] = []
    if not top.is_dir():
        return found
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            full = here / name
            if _hidden(name):
                _note_private(full, root, inv)
                continue
            if full.is_symlink():
                if _inside(full, real_root):  # os.walk does not follow links: walk it here
                    found.extend(_walk(full, root, exclude, inv))
                else:
                    inv.warnings.append((full.relative_to(root).as_posix(),
                                         "symlink points outside the site; skipped"))
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if _hidden(name):
                continue
            full = here / name
            rel = full.relative_to(root).as_posix()
            if any(fnmatch.fnmatch(rel, pattern) for pattern in exclude):
                continue
            if full.is_symlink() and not _inside(full, real_root):
                inv.warnings.append((rel, "symlink points outside the site; skipped"))
                continue
            found.append(rel)
    return sorted(found)


def discover(root: Path, formats: Mapping[str, str], exclude: tuple[str, ...] = ()) -> Inventory:
    """Find every source under `content/` and `projects/`, sorted by path.

    `formats` maps a file extension to the reader of its format (the readers' registry)."""
    inv = Inventory()
    for rel in _walk(root / "content", root, exclude, inv) + _walk(root / "projects", root,
                                                                     exclude, inv):
        inv.files.add(rel)
        suffix = Path(rel).suffix.lower()
        parts = rel.split("/")
        named = formats.get(parts[-1].lower()) if parts[0] == "projects" else None
        if named is not None:  # project.yml: describes the folder it is in
            if len(parts) == 3:
                inv.documents.append(Source(rel, root / rel, "project", named))
        elif suffix in formats:
            fmt = formats[suffix]
            kind: Kind
            if parts[0] == "projects":
                kind = "project"
            elif len(parts) > 2 and parts[1] == "posts":
                if parts[-1].lower() == "readme.md":
                    inv.warnings.append((rel, "skipped: a README describes the folder; it is "
                                              "not a post"))
                    continue
                kind = "post"
            else:
                kind = "page"
            inv.documents.append(Source(rel, root / rel, kind, fmt))
        elif rel.lower() in DATA_FILES:
            inv.data.append(rel)
        elif suffix in ASSET_EXTENSIONS:
            inv.assets.append(rel)
        elif suffix in _OTHER_FORMATS:
            inv.warnings.append((rel, f"skipped: portfolio does not read {suffix} files "
                                      "(Markdown .md and notebooks .ipynb are read)"))
    inv.documents = group_projects(sorted(inv.documents, key=lambda s: s.rel_path), inv)
    inv.assets.sort()
    return inv


# Data files the site reads besides its documents (each with a reader of its own in sources/)
DATA_FILES = {f"content/{name}.{ext}" for name in ("resume", "learning")
              for ext in ("yml", "yaml", "json")}
_OTHER_FORMATS = {".rst", ".rmd", ".qmd", ".txt", ".docx", ".doc", ".odt", ".org", ".adoc",
                  ".tex", ".html", ".htm", ".textile", ".pages"}
OVERVIEW_NAMES = ("index.ipynb", "index.md", "readme.md", "project.yml")  # by preference


def group_projects(sources: list[Source], inv: Inventory) -> list[Source]:
    """Mark the projects that are folders of several notebooks (or Markdown chapters).

    A folder `projects/NAME/` holding two or more documents (at any depth) is one project:
    its documents are chapters, and an `index.ipynb`, `index.md` or `README.md` directly in
    it is the project's overview. A folder with one document stays a project of its own, as
    is a file directly in `projects/`; a README there describes the folder and is skipped."""
    folders: dict[str, list[Source]] = {}
    for source in sources:
        parts = source.rel_path.split("/")
        if source.kind == "project" and len(parts) > 2:
            folders.setdefault("/".join(parts[:2]), []).append(source)
    marked: dict[str, Source] = {}
    skipped: set[str] = set()
    for folder, members in folders.items():
        top = {s.rel_path.rsplit("/", 1)[-1].lower(): s for s in members
               if s.rel_path.count("/") == 2}
        overview = next((top[n] for n in OVERVIEW_NAMES if n in top), None)
        readmes = [s for s in members if s.rel_path.rsplit("/", 1)[-1].lower() in
                   ("readme.md", "project.yml") and s is not overview]
        chapters = [s for s in members if s is not overview and s not in readmes]
        if len(chapters) < 2:  # a project of its own, as it always was
            readmes += [overview] if overview is not None and overview.rel_path.lower() \
                .endswith(("readme.md", "project.yml")) else []
            for readme in readmes:
                inv.warnings.append((readme.rel_path, "skipped: it describes the folder, "
                                     "which holds one notebook; it is not a page of its own"))
                skipped.add(readme.rel_path)
            continue
        for readme in readmes:
            inv.warnings.append((readme.rel_path, "skipped: the project's overview is "
                                 f"{overview.rel_path if overview else 'made'}; this file is "
                                 "not a chapter"))
            skipped.add(readme.rel_path)
        if overview is not None:
            marked[overview.rel_path] = replace(overview, group=folder, role="overview")
        for chapter in chapters:
            marked[chapter.rel_path] = replace(chapter, group=folder, role="chapter")
    out = []
    for source in sources:
        if source.rel_path in skipped:
            continue
        if source.kind == "project" and source.rel_path.count("/") == 1 and \
                source.rel_path.lower() == "projects/readme.md":
            inv.warnings.append((source.rel_path, "skipped: a README describes the folder; it "
                                 "is not a project"))
            continue
        out.append(marked.get(source.rel_path, source))
    return out


def asset_url_path(rel: str) -> str:
    """Where a static file under content/ or projects/ is published (content/ is dropped)."""
    return rel[len("content/"):] if rel.startswith("content/") else rel
