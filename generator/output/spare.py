"""The spare tree: the site before last, kept so a rebuild stages only what changed.

A build is staged in a folder beside the live site and swapped in whole (writer.py). Creating
and deleting a folder per page is most of what a rebuild of a large site costs, so the folder
the swap takes out is not deleted: it stays in `.portfolio/spare/` and the next build brings it
up to date in place (unchanged pages are hard links to the live ones; changed files get new
inodes, so the live site never changes under a build) and swaps it in again.

Nothing in the spare is trusted: each build lists it and removes whatever it does not need, so
a spare left half-synced by a killed build is simply synced again.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
from pathlib import Path

from ..incremental.store import State


def spare_dir(root: Path, out: Path) -> Path | None:
    """Where the spare tree of `out` lives, or None where one cannot be swapped in."""
    if not sys.platform.startswith("linux"):  # the swap needs renameat2: elsewhere, a fresh
        return None                           # staging folder each build, as before
    home = State(root).dir
    try:
        home.mkdir(parents=True, exist_ok=True)
        if os.stat(home).st_dev != os.stat(out.parent).st_dev:
            return None  # a swap across file systems would be a copy
    except OSError:
        return None
    return State(root).spare


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux `renameat2(RENAME_EXCHANGE)`); False if unsupported.

    Refused for lack of permission, it raises: two plain renames would need no more rights
    than the folder they are in, and would replace a folder its owner made read-only."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EACCES, errno.EROFS):  # (EPERM may be a sandbox's: rename instead)
        raise OSError(code, os.strerror(code), str(b))
    return False


def usable(spare: Path, markers: tuple[str, ...]) -> bool:
    """A folder we made (it carries one of our markers), not a link to somewhere else."""
    return spare.is_dir() and not spare.is_symlink() and \
        any((spare / name).is_file() for name in markers)


def _listing(spare: Path) -> tuple[dict[str, os.stat_result], set[str]]:
    """Files (and symlinks) with their stat, and folders, relative to `spare`."""
    files: dict[str, os.stat_result] = {}
    dirs: set[str] = set()
    pending = [""]
    while pending:
        rel_dir = pending.pop()
        with os.scandir(spare / rel_dir if rel_dir else spare) as entries:
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_dir(follow_symlinks=False):
                    dirs.add(rel)
                    pending.append(rel)
                else:
                    files[rel] = entry.stat(follow_symlinks=False)
    return files, dirs


def _inside(rel: str, folders: set[str]) -> bool:
    """Is `rel` below one of `folders`?"""
    cut = rel.rfind("/")
    while cut > 0:
        rel = rel[:cut]
        if rel in folders:
            return True
        cut = rel.rfind("/")
    return False


def prune(spare: Path, wanted: set[str]) -> tuple[dict[str, int], set[str]]:
    """Remove from `spare` every file and folder the new site does not have (and symlinks,
    which only foreign files carried over can be: they are carried again).

    Returns the inodes of the files left (so unchanged pages need no writing) and the folders
    the new site needs that exist already (the writer makes the others)."""
    files, dirs = _listing(spare)
    needed: set[str] = set()
    for rel in wanted:
        cut = rel.rfind("/")
        while cut > 0 and rel[:cut] not in needed:
            needed.add(rel[:cut])
            cut = rel.rfind("/", 0, cut)
    removed = {rel for rel in dirs - needed}
    for rel in sorted(removed):
        if not _inside(rel, removed):
            shutil.rmtree(spare / rel)
    inodes: dict[str, int] = {}
    for rel, st in files.items():
        if _inside(rel, removed):
            continue
        if rel not in wanted or stat.S_ISLNK(st.st_mode):
            (spare / rel).unlink()
        else:
            inodes[rel] = st.st_ino
    return inodes, needed & dirs


def same_file(src: Path, inode: int | None) -> bool:
    """Is the live page `src` the very file the spare already holds?"""
    if inode is None:
        return False
    try:
        return os.lstat(src).st_ino == inode
    except OSError:
        return False
