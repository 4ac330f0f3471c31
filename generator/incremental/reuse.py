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
from typing import Any

from ..model.documents import Output
from .keys import FORMAT
from .store import Record, State


class PreviousOutputs:
    """What the last build wrote into `out`, by output path."""

    def __init__(self, root: Path, out: Path, code: str, enabled: bool = True) -> None:
        self.record = Record(State(root).outputs if enabled else None,
                             f"outputs:{FORMAT}:{code}")
        self.out = out
        outs = self.record.data.get("outs")
        outs = outs if isinstance(outs, dict) else {}
        # other output folders, most recent last (serve alternates two)
        self.others: dict[str, Any] = {k: v for k, v in outs.items() if isinstance(v, dict)}
        files = self.others.pop(str(out), {})
        self.files: dict[str, Any] = files if isinstance(files, dict) else {}
        self.enabled = enabled

    def keep(self, path: str, key: str) -> Output | None:
        """The page at `path` from the last build, if it was rendered from `key` and is intact."""
        entry = self.files.get(path)
        if not (isinstance(entry, dict) and entry.get("key") == key):
            return None
        try:
            st = os.lstat(self.out / path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or (st.st_size, st.st_mtime_ns, st.st_ino) != (
                entry.get("size"), entry.get("mtime_ns"), entry.get("inode")):
            return None  # edited, replaced or gone since: render it again
        return Output(path, src=self.out / path, key=key, kept=True,
                      digest=str(entry.get("sha1", "")))

    def save(self, outputs: Iterable[Output], skip: set[str] | None = None) -> None:
        """Remember the pages just published (call after the swap: stats are of the live files).

        `skip`: paths where a file of the user's took the place of ours (writer's carry-over)."""
        if not self.enabled:
            return
        files: dict[str, dict[str, Any]] = {}
        for output in outputs:
            if not output.key or (skip and output.path in skip):
                continue
            try:
                st = os.lstat(self.out / output.path)
            except OSError:
                continue
            files[output.path] = {"key": output.key, "sha1": output.digest, "size": st.st_size,
                                  "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}
        outs = dict(list(self.others.items())[-2:])  # the two most recent other folders
        outs[str(self.out)] = files
        self.record.save({"outs": outs})


def page_key(*parts: object) -> str:
    """A digest of a page's inputs; values JSON cannot hold (dates) are written as `str()`."""
    blob = json.dumps(parts, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()
