"""Pages of the last build that can be kept as they are, instead of rendered and written again.

Each rendered page has a key: a digest of everything it was rendered from (its template and
the theme, portfolio's code, the config, the page's context). `.portfolio/outputs.json`
remembers, for each page of the last good build, that key, the sha1 of its bytes and how the
file looked on disk (size, mtime, inode). A page whose key is unchanged and whose file in the
output folder is untouched is hard-linked into the next staging folder: one edited post
re-renders that post and the list pages that show it, not the whole site.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .cache import _atomic_write, code_digest
from .documents import Output

FORMAT = 2


class PreviousOutputs:
    """What the last build wrote into `out`, by output path."""

    def __init__(self, root: Path, out: Path, enabled: bool = True) -> None:
        self.store = root / ".portfolio" / "outputs.json"
        self.out = out
        self.files: dict[str, list] = {}
        self.others: dict[str, dict] = {}  # other output folders (serve alternates two)
        if not enabled:
            return
        try:
            data = json.loads(self.store.read_text("utf-8"))
            if data.get("format") == FORMAT and data.get("code") == code_digest():
                outs = data.get("outs")
                self.others = {k: v for k, v in outs.items() if isinstance(v, dict)} \
                    if isinstance(outs, dict) else {}
                self.files = self.others.pop(str(out), {})
        except (OSError, ValueError, AttributeError):
            pass  # no memory of the last build: render everything

    def keep(self, path: str, key: str) -> Output | None:
        """The page at `path` from the last build, if it was rendered from `key` and is intact."""
        entry = self.files.get(path)
        if not (isinstance(entry, list) and len(entry) == 5 and entry[0] == key):
            return None
        full = self.out / path
        try:
            st = os.lstat(full)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or [st.st_size, st.st_mtime_ns, st.st_ino] != entry[2:]:
            return None  # edited, replaced or gone since: render it again
        return Output(path, src=full, key=key, kept=True, digest=str(entry[1]))

    def save(self, outputs: Iterable[Output], skip: set[str] | None = None) -> None:
        """Remember the pages just published (call after the swap: stats are of the live files).

        `skip`: paths where a file of the user's took the place of ours (writer's carry-over)."""
        files: dict[str, list] = {}
        for output in outputs:
            if not output.key or (skip and output.path in skip):
                continue
            try:
                st = os.lstat(self.out / output.path)
            except OSError:
                continue
            files[output.path] = [output.key, output.digest, st.st_size, st.st_mtime_ns,
                                  st.st_ino]
        outs = dict(list(self.others.items())[-2:])  # the two most recent other folders
        outs[str(self.out)] = files
        data = {"format": FORMAT, "code": code_digest(), "outs": outs}
        try:
            _atomic_write(self.store, json.dumps(data, separators=(",", ":")).encode())
        except OSError:
            pass  # the next build renders everything: slower, never wrong


def page_key(*parts: object) -> str:
    """A digest of a page's inputs; values JSON cannot hold (dates) are written as `str()`."""
    blob = json.dumps(parts, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()
