"""Discover a site's inputs: posts, pages, projects and the static files beside them.

Kind comes from location (`content/posts/` -> post, other `content/` -> page, `projects/` ->
project), format from the extension. Hidden files, `_`-folders, editor backups, checkpoints and
symlinks that leave the site are never picked up, so they can never be published. Only regular
files are read (a named pipe would block the build): anything else is skipped with a warning. A
folder or file that cannot be listed or read, and a symlink loop, is an error naming it.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..model.documents import Kind, Source
from ..model.errors import PortfolioError, SourceError
from .peers import is_peer_file

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
    errors: list[PortfolioError] = field(default_factory=list)  # unreadable, symlink loops


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
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return False


def _unreadable(exc: OSError, root: Path) -> SourceError:
    path = Path(exc.filename) if exc.filename else root
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    return SourceError(f"cannot read the folder: {exc.strerror or exc}", rel + "/",
                       hint="check its permissions (ls -ld); every folder under content/ and "
                            "projects/ is read")


def _loop(rel: str, target: str) -> SourceError:
    return SourceError(f"symlink loop: the link leads back to {target}", rel,
                       hint="remove the link, or point it at a folder that does not contain it")


def _regular(full: Path, rel: str, real_root: Path, inv: Inventory) -> bool:
    """Is `full` a regular file to read (or a broken link, which its reader reports)? Anything
    else is reported: a link outside the site or a FIFO is skipped, a loop is an error."""
    link = False
    try:
        st = os.lstat(full)
        link = stat.S_ISLNK(st.st_mode)
        if link:
            st = os.stat(full)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            inv.errors.append(_loop(rel, "itself"))
            return False
        if not (link and exc.errno == errno.ENOENT):
            inv.errors.append(SourceError(f"cannot read the file: {exc.strerror or exc}", rel,
                                          hint="check its permissions (ls -l)"))
            return False
    if link and not _inside(full, real_root):
        inv.warnings.append((rel, "symlink points outside the site; skipped"))
        return False
    if link or stat.S_ISREG(st.st_mode):
        return True
    what = "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else \
        "a socket" if stat.S_ISSOCK(st.st_mode) else "a device or other special file"
    inv.warnings.append((rel, f"skipped: {what}, not a regular file"))
    return False


def _walk(top: Path, root: Path, exclude: tuple[str, ...], inv: Inventory,
          chain: tuple[Path, ...] = ()) -> list[str]:
    """Sorted POSIX paths of the visible files below `top`, relative to `root`.

    `chain`: the real folders walked through to get here, when a symlink was followed (a link
    back to one of them, or to a folder the current one is in, is a loop)."""
    found: list[str] = []
    if not top.is_dir():
        return found
    real_root = root.resolve()

    def unlisted(exc: OSError) -> None:  # os.walk would skip the folder without a word
        inv.errors.append(_unreadable(exc, root))

    for dirpath, dirnames, filenames in os.walk(top, onerror=unlisted):
        here = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            full = here / name
            if _hidden(name):
                _note_private(full, root, inv)
                continue
            try:
                if not full.is_symlink():
                    keep.append(name)
                    continue
                real = full.resolve()
                rel = full.relative_to(root).as_posix()
                if not real.is_relative_to(real_root):
                    inv.warnings.append((rel, "symlink points outside the site; skipped"))
                    continue
                walked = (*chain, here.resolve())
                if real in walked or walked[-1].is_relative_to(real):
                    inv.errors.append(_loop(rel, real.relative_to(real_root).as_posix() + "/"))
                else:  # os.walk does not follow links: walk it here
                    found.extend(_walk(full, root, exclude, inv, (*walked, real)))
            except (OSError, RuntimeError) as exc:
                inv.errors.append(_loop(full.relative_to(root).as_posix(), "itself")
                                  if isinstance(exc, RuntimeError) or
                                  exc.errno == errno.ELOOP else _unreadable(exc, root))
        dirnames[:] = keep
        for name in sorted(filenames):
            if _hidden(name):
                continue
            full = here / name
            rel = full.relative_to(root).as_posix()
            if any(fnmatch.fnmatch(rel, pattern) for pattern in exclude):
                continue
            if _regular(full, rel, real_root, inv):
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
        elif rel.lower() in DATA_FILES or is_peer_file(rel):  # a peer's copy: data, not a page
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
