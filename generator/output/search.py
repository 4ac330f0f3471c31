"""The search index: Pagefind run over the staged site just before the swap.

Pagefind (the `pagefind` package with its `bin` extra, which ships the binary) reads the
staged site's HTML and writes `pagefind/` beside it: the index, in small fragments the browser
fetches as it searches, and Pagefind's own UI (`pagefind-ui.js`, `.css`), which the theme's
search page loads from the site itself (under the base path, offline, no CDN). Only what the
document templates mark `data-pagefind-body` is indexed: posts, projects and every chapter of
them, and plain pages; never the lists, tags or the 404.

`writer.publish` calls a `SearchIndex` with the staging folder (`before_swap`), so the live
site never has pages without their index. Pagefind indexes every page again each time (about
0.1 s for the example site, 0.8 s for 200 posts and 20 notebooks on 2 cores; it has no
incremental mode), so a no-op build never gets here, and when no HTML page changed since the
last build (an image edited, say: the sha1s of the pages, which the outputs carry, tell) the
live site's index is the same one, and its files are hard-linked into the staging tree. What
the last index was is remembered in `.portfolio/search.json`; nothing there is trusted: a
missing or changed file only means Pagefind runs again.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterable
from pathlib import Path

from ..incremental.store import Record, State
from ..model.documents import Output
from ..model.errors import PortfolioError

SUBDIR = "pagefind"  # the index's folder in the site (site/routes.py reserves it)
TIMEOUT = 600  # seconds: Pagefind indexes thousands of pages a second; this means it hangs
# Pagefind's other UIs: the theme uses pagefind-ui.js, so these are not published
UNUSED = ("pagefind-component-ui.css", "pagefind-component-ui.js", "pagefind-modular-ui.css",
          "pagefind-modular-ui.js", "pagefind-highlight.js")
INSTALL_HINT = ("Pagefind comes with portfolio: reinstall it (pip install notebook-portfolio), "
                "or install it alone with pip install 'pagefind[bin]'; or turn search off "
                "with 'search: false' in portfolio.yml")
# the readers' markup that is not words: heading permalinks ("#"), TeX source (KaTeX draws it)
EXCLUDE = (".heading-anchor", ".math")
RECORD_FORMAT = "search-1"  # and the flags below: change it when they change


class SearchError(PortfolioError):
    """The search index could not be built (no Pagefind binary, or Pagefind failed)."""


def find_pagefind() -> Path | None:
    """The Pagefind binary: `PAGEFIND_BINARY_PATH`, the one the `pagefind_bin` package ships
    (or its extended build), or one on the PATH; None when there is none."""
    env = os.environ.get("PAGEFIND_BINARY_PATH")
    if env:
        return Path(env)
    for module in ("pagefind_bin_extended", "pagefind_bin"):
        try:  # imported, not `pagefind.service`, which costs an asyncio import
            return Path(importlib.import_module(module).get_executable())
        except (ImportError, OSError, AttributeError):
            continue
    for name in ("pagefind_extended", "pagefind"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def require_pagefind() -> Path:
    """The binary, or a `SearchError` that says how to get it (checked before rendering)."""
    binary = find_pagefind()
    if binary is None or not binary.is_file() or not os.access(binary, os.X_OK):
        where = f" (not an executable file: {binary})" if binary is not None else ""
        raise SearchError(f"search is on, but the Pagefind binary was not found{where}",
                          "portfolio.yml", hint=INSTALL_HINT)
    return binary


def pages_digest(outputs: Iterable[Output], binary: Path) -> str:
    """What the index depends on: every HTML page's bytes (by sha1) and the binary."""
    digest = hashlib.sha1(RECORD_FORMAT.encode())
    try:
        st = binary.stat()
        digest.update(f"{binary}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    except OSError:
        digest.update(str(binary).encode())
    for output in sorted(outputs, key=lambda o: o.path):
        if not output.path.endswith(".html"):
            continue
        sha1 = output.digest
        if not sha1 and output.data is not None:
            sha1 = hashlib.sha1(output.data).hexdigest()
        elif not sha1 and output.src is not None:
            try:
                sha1 = hashlib.sha1(output.src.read_bytes()).hexdigest()
            except OSError:
                sha1 = "?"
        digest.update(f"{output.path}\0{sha1}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class SearchIndex:
    """Called with the staging folder: puts `pagefind/` in it, returns the files it added."""

    def __init__(self, root: Path, out: Path, outputs: list[Output], code: str,
                 binary: Path, *, reuse: bool = True) -> None:
        clash = next((o.path for o in outputs
                      if o.path == SUBDIR or o.path.startswith(SUBDIR + "/")), None)
        if clash:
            raise SearchError(f"{clash} would be overwritten by the search index, which is "
                              f"published in {SUBDIR}/", clash,
                              hint=f"rename the {SUBDIR}/ folder, or set 'search: false'")
        self.out, self.binary = out, binary
        self.record = Record(State(root).search, code)
        self.reuse = reuse  # False (--force, --no-cache): always index again
        self.digest = pages_digest(outputs, binary)
        self.files: dict[str, int] = {}  # the index's files (site-relative) and their sizes
        self.ran = False  # Pagefind ran in this build (rather than last build's index kept)

    def __call__(self, staging: Path) -> list[str]:
        target = staging / SUBDIR
        _remove(target)  # a spare tree's old index: its files may be the live site's inodes
        if not (self.reuse and self._carry_over(staging)):
            _remove(target)
            self._run(staging)
        return sorted(self.files)

    def save(self) -> None:
        """Remember this index (after the swap: it is the live site's now)."""
        self.record.save({"digest": self.digest, "out": str(self.out), "files": self.files})

    def _carry_over(self, staging: Path) -> bool:
        """Hard-link the live site's index when the pages it indexed are unchanged."""
        data = self.record.data
        files = data.get("files")
        if data.get("digest") != self.digest or data.get("out") != str(self.out) or \
                not isinstance(files, dict) or not files:
            return False
        for rel, size in files.items():
            if not (isinstance(rel, str) and rel.startswith(SUBDIR + "/") and ".." not in rel
                    and isinstance(size, int)):
                return False
            try:
                st = os.lstat(self.out / rel)
            except OSError:
                return False
            if not stat.S_ISREG(st.st_mode) or st.st_size != size:
                return False
        try:
            for rel in files:
                dest = staging / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(self.out / rel, dest, follow_symlinks=False)
                except OSError:
                    shutil.copy2(self.out / rel, dest, follow_symlinks=False)
        except OSError:
            return False
        self.files = dict(files)
        return True

    def _run(self, staging: Path) -> None:
        command = [str(self.binary), "--site", str(staging), "--output-subdir", SUBDIR,
                   "--silent", *(f for selector in EXCLUDE
                                 for f in ("--exclude-selectors", selector))]
        try:
            done = subprocess.run(command, cwd=staging, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, errors="replace",
                                  timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise SearchError(f"Pagefind did not finish indexing the site in {TIMEOUT} s",
                              hint="set 'search: false' in portfolio.yml to build without "
                                   "search, and report this") from None
        except OSError as exc:
            raise SearchError(f"could not run Pagefind ({self.binary}): "
                              f"{exc.strerror or exc}", hint=INSTALL_HINT) from None
        if done.returncode != 0:
            lines = [line.strip() for line in (done.stderr + done.stdout).splitlines()
                     if line.strip()]
            said = "; ".join(dict.fromkeys(lines[-4:])) or "no message"
            raise SearchError(f"Pagefind failed (exit code {done.returncode}): {said}",
                              hint="set 'search: false' in portfolio.yml to build without "
                                   "search")
        target = staging / SUBDIR
        for name in UNUSED:
            (target / name).unlink(missing_ok=True)
        self.files = {path.relative_to(staging).as_posix(): path.stat().st_size
                      for path in target.rglob("*") if path.is_file()}
        self.ran = True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
