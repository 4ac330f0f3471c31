"""The whole-build fingerprint: when nothing that matters changed, a build does nothing.

`.portfolio/manifest.json` remembers each input's size and mtime with its sha256 (so unchanged
files are not hashed again, as git's index does) and the fingerprint of the last good build.
The fingerprint covers content (never mtimes alone), so a fresh clone still gets the fast path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..model.errors import Diagnostic
from .keys import FORMAT, BuildKeys
from .store import Record, State


class Manifest:
    def __init__(self, root: Path) -> None:
        self.record = Record(State(root).manifest, f"manifest:{FORMAT}")
        data = self.record.data
        hashes = data.get("hashes")
        self.hashes: dict[str, Any] = hashes if isinstance(hashes, dict) else {}
        self.fingerprint = str(data.get("fingerprint", ""))
        self.marker = str(data.get("marker", ""))
        warnings = data.get("warnings")
        # the last good build's warnings, repeated by a build that has nothing to do
        self.warnings: list[Diagnostic] = [
            Diagnostic(str(w[0]), w[1] if isinstance(w[1], str) else None,
                       w[2] if isinstance(w[2], int) else None)
            for w in (warnings if isinstance(warnings, list) else [])
            if isinstance(w, list) and len(w) == 3]
        self._new_hashes: dict[str, dict[str, Any]] = {}
        theme = data.get("theme_files")
        # the theme's files by absolute path: [size, mtime_ns, sha256] (keys.tree_digest)
        self.theme_files: dict[str, Any] = theme if isinstance(theme, dict) else {}

    def sha(self, root: Path, rel: str) -> str:
        """The content hash of a file, re-using the last one when size and mtime match."""
        full = root / rel
        try:
            stat = full.stat()
        except OSError:
            return "missing"
        known = self.hashes.get(rel)
        if isinstance(known, dict) and known.get("size") == stat.st_size and \
                known.get("mtime_ns") == stat.st_mtime_ns and isinstance(known.get("sha256"), str):
            digest = known["sha256"]
        else:
            try:
                digest = hashlib.sha256(full.read_bytes()).hexdigest()
            except OSError:
                return "unreadable"
        self._new_hashes[rel] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                                 "sha256": digest}
        return digest

    def compute(self, root: Path, inputs: list[str], keys: BuildKeys,
                extra: dict[str, Any]) -> str:
        """The fingerprint of this build: its keys, its options and every input's content."""
        digest = hashlib.sha256(json.dumps([keys.code, keys.theme, keys.config, extra],
                                           sort_keys=True, default=str).encode())
        for rel in sorted(inputs):
            digest.update(f"{rel}\0{self.sha(root, rel)}\n".encode())
        return digest.hexdigest()

    def save(self, fingerprint: str, marker: str, warnings: list[Diagnostic]) -> None:
        self.record.save({"fingerprint": fingerprint, "marker": marker,
                          "warnings": [[d.message, d.path, d.line] for d in warnings],
                          "theme_files": self.theme_files,
                          "hashes": dict(sorted(self._new_hashes.items()))})


def marker_digest(marker: Path) -> str:
    """A digest of the output's marker file: proves the output is still the one we wrote."""
    try:
        return hashlib.sha256(marker.read_bytes()).hexdigest()
    except OSError:
        return ""


def build_inputs(root: Path, config_path: Path | None, documents: list[str],
                 assets: list[str]) -> list[str]:
    inputs = [*documents, *assets]
    if config_path is not None:
        inputs.append(os.path.relpath(config_path, root))
    return inputs


def today_key() -> str:
    """Future-dated posts appear when their day comes, so the date is part of the fingerprint."""
    return os.environ.get("SOURCE_DATE_EPOCH") or dt.date.today().isoformat()
