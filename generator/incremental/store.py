"""Where a site's build state lives, and the one way it is written.

Everything a build leaves for the next one is under `.portfolio/` in the site root, and every
store is named here: the reader cache, the manifest (no-op check), the pages of the last build
(page reuse), the checks' memos, the spare output tree, the compiled templates, the drawn
title cards, the last search index, the last build's warnings and the lock.
Nothing in it is trusted: a missing, damaged or foreign file only makes the next build slower.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

STATE_DIR = ".portfolio"


class State:
    """The paths of a site's build state (nothing is created until a store writes)."""

    __slots__ = ("root",)

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def cache(self) -> Path:
        return self.dir / "cache"  # reader results: entries and blobs (cache.py)

    @property
    def manifest(self) -> Path:
        return self.dir / "manifest.json"  # input hashes and the last fingerprint

    @property
    def outputs(self) -> Path:
        return self.dir / "outputs.json"  # the last build's pages and their keys (reuse.py)

    @property
    def pages_memo(self) -> Path:
        return self.dir / "pages.json"  # each page's scan, by the sha1 of its bytes

    @property
    def links_memo(self) -> Path:
        return self.dir / "links.json"  # each page's link findings

    @property
    def spare(self) -> Path:
        return self.dir / "spare"  # the site before last, reused as the next staging tree

    @property
    def templates(self) -> Path:
        return self.dir / "jinja"  # compiled templates (Jinja's bytecode cache)

    @property
    def cards(self) -> Path:
        return self.dir / "cards"  # drawn title cards, by what they show (site/cards.py)

    @property
    def search(self) -> Path:
        return self.dir / "search.json"  # the last search index: its pages' digest, its files

    @property
    def warnings(self) -> Path:
        return self.dir / "warnings.txt"  # every warning of the last build, for people

    @property
    def lock(self) -> Path:
        return self.dir / "build.lock"


def atomic_write(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, then one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Record:
    """A JSON object in one file, valid only while its `stamp` is the same.

    The stamp names what the content depends on besides its own keys (portfolio's code, the
    format of the record, ...): a record written under another stamp reads as empty."""

    def __init__(self, path: Path | None, stamp: str) -> None:
        self.path, self.stamp = path, stamp
        self.data: dict[str, Any] = {}
        if path is None:
            return
        try:
            saved = json.loads(path.read_text("utf-8"))
            data = saved.get("data") if saved.get("stamp") == stamp else {}
            self.data = data if isinstance(data, dict) else {}
        except (OSError, ValueError, AttributeError):
            pass  # no record, or a damaged one: start empty

    def save(self, data: dict[str, Any], *, compact: bool = True) -> None:
        """Replace the record (never raises: an unwritable state folder only costs speed)."""
        if self.path is None:
            return
        text = json.dumps({"stamp": self.stamp, "data": data}, ensure_ascii=False,
                          separators=(",", ":") if compact else None, default=str)
        try:
            atomic_write(self.path, text.encode("utf-8", "surrogatepass"))
        except OSError:
            pass
        self.data = data
