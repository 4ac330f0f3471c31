"""The digests a build's incremental state is keyed by, computed once per build.

Every store below `.portfolio/` depends on some of these: the code of portfolio and its
libraries, every file of the theme, the config. They are computed at the start of each build
and passed down, never remembered by the process: two builds in one process (`serve`, or the
API called twice) with a template edited in between must see two theme digests.
"""

from __future__ import annotations

import hashlib
import os
import stat
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..model.config import Config

FORMAT = 5  # bump when a stored layout changes
_LIBRARIES = ("nbconvert", "nbformat", "markdown-it-py", "mdit-py-plugins", "Pygments", "Jinja2",
              "Pillow", "nbclient")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Versions of portfolio's rendering libraries and a digest of portfolio's own code.

    Hashing our own source means an edited checkout (same version number) never serves stale
    entries; it costs about a millisecond. Remembered for the process: its code cannot change.
    """
    from importlib import metadata

    from .. import __version__

    digest = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none;".encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def tree_digest(dirs: list[Path], memo: dict[str, Any] | None = None) -> str:
    """A digest of every file under `dirs` (names and bytes), in a stable order.

    With `memo` (path -> size, mtime and sha256 from the last build, as git's index keeps
    them), a file whose size and mtime are unchanged is not read again; `memo` is updated."""
    digest = hashlib.sha256()
    for top in dirs:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                digest.update(full.relative_to(top).as_posix().encode())
                digest.update(_file_sha(full, memo).encode())
    return digest.hexdigest()[:16]


def _file_sha(path: Path, memo: dict[str, Any] | None) -> str:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return "special"  # a named pipe would block the build: never read
        known = memo.get(str(path)) if memo is not None else None
        if isinstance(known, list) and known[:2] == [st.st_size, st.st_mtime_ns]:
            return str(known[2])
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"
    if memo is not None:
        memo[str(path)] = [st.st_size, st.st_mtime_ns, sha]
    return sha


class BuildKeys(NamedTuple):
    """What this build's outputs are a function of, besides each source's own bytes."""

    code: str  # portfolio's code and the versions of its libraries
    theme: str  # every file of every theme folder in use (templates, static, nbconvert)
    config: str  # the whole config
    readers: str  # the part of the config the readers use (a title edit converts nothing)

    @classmethod
    def compute(cls, config: Config, theme_dirs: list[Path],
                memo: dict[str, Any] | None = None) -> BuildKeys:
        return cls(code=code_digest(), theme=tree_digest(theme_dirs, memo),
                   config=config.digest(), readers=config.digest("safe", "notebooks"))
