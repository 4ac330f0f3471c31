"""The whole-build fingerprint: when nothing that matters changed, a build does nothing.

`.portfolio/manifest.json` remembers each input's `(size, mtime_ns) -> sha256` (so unchanged
files are not re-hashed, as git's index does) and the fingerprint of the last good build. The
fingerprint covers content (never mtimes alone), so a fresh clone still gets the fast path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .cache import _atomic_write, code_digest


class Manifest:
    def __init__(self, root: Path) -> None:
        self.path = root / ".portfolio" / "manifest.json"
        self.hashes: dict[str, list] = {}
        self.fingerprint = ""
        self.marker = ""
        try:
            data = json.loads(self.path.read_text("utf-8"))
            self.hashes = dict(data.get("hashes", {}))
            self.fingerprint = str(data.get("fingerprint", ""))
            self.marker = str(data.get("marker", ""))
        except (OSError, ValueError, AttributeError):
            pass
        self._new_hashes: dict[str, list] = {}

    def sha(self, root: Path, rel: str) -> str:
        """The content hash of a file, re-using the last one when size and mtime match."""
        full = root / rel
        try:
            stat = full.stat()
        except OSError:
            return "missing"
        known = self.hashes.get(rel)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            digest = known[2]
        else:
            digest = hashlib.sha256(full.read_bytes()).hexdigest()
        self._new_hashes[rel] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def compute(self, root: Path, inputs: list[str], extra: dict[str, Any]) -> str:
        digest = hashlib.sha256(code_digest().encode())
        digest.update(json.dumps(extra, sort_keys=True, default=str).encode())
        for rel in sorted(inputs):
            digest.update(f"{rel}\0{self.sha(root, rel)}\n".encode())
        return digest.hexdigest()

    def save(self, fingerprint: str, marker: str) -> None:
        data = {"fingerprint": fingerprint, "marker": marker,
                "hashes": dict(sorted(self._new_hashes.items()))}
        try:
            _atomic_write(self.path, json.dumps(data, indent=0).encode())
        except OSError:
            pass  # the next build is just slower


def marker_digest(out: Path) -> str:
    """A digest of the output's marker: proves the output is still the one we wrote."""
    try:
        return hashlib.sha256((out / ".portfolio-build").read_bytes()).hexdigest()
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
