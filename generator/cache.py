"""A content-addressed cache of reader results under `.portfolio/cache/`.

Keys are digests of the source's bytes, its path and kind, the reader, the config keys that
reader uses, the theme's nbconvert templates (for notebooks), and the versions of portfolio and
its rendering libraries: never mtimes, so the cache survives a fresh clone and an
`actions/cache` restore. Values are JSON plus content-addressed blobs for extracted files (no
pickle). A corrupt entry is a miss; entries the last build did not touch are pruned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from .documents import Asset, Heading, Meta, Rendered

FORMAT = 3  # bump when the stored layout changes
_LIBRARIES = ("nbconvert", "nbformat", "markdown-it-py", "mdit-py-plugins", "Pygments", "Jinja2",
              "Pillow", "nbclient")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Versions of portfolio's rendering libraries and a digest of portfolio's own code.

    Hashing our own source means an edited checkout (same version number) never serves stale
    entries; it costs about a millisecond.
    """
    from importlib import metadata

    from . import __version__

    digest = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none;".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _meta_to_json(meta: Meta) -> dict[str, Any]:
    data = asdict(meta)
    for key in ("date", "updated"):
        if data[key] is not None:
            data[key] = data[key].isoformat()
    data["extra"] = [[k, v] for k, v in meta.extra]
    return data


def _meta_from_json(data: dict[str, Any]) -> Meta:
    for key in ("date", "updated"):
        if data.get(key):
            data[key] = dt.date.fromisoformat(data[key])
    data["tags"] = tuple(data.get("tags", ()))
    data["extra"] = tuple((k, v) for k, v in data.get("extra", ()))
    known = {f.name for f in fields(Meta)}
    return Meta(**{k: v for k, v in data.items() if k in known})


class Cache:
    """Reader results by key; `touched` records what this build used, for pruning."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.dir = root / ".portfolio" / "cache"
        self.enabled = enabled
        self.touched: set[str] = set()
        self.blobs_touched: set[str] = set()

    @staticmethod
    def key(data: bytes, *parts: str) -> str:
        digest = hashlib.sha256(data)
        for part in parts:
            digest.update(b"\0" + part.encode())
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.dir / "entries" / key[:2] / f"{key}.json"

    def _blob(self, digest: str) -> Path:
        return self.dir / "blobs" / digest[:2] / digest

    def has(self, key: str) -> bool:
        """Is there an entry for `key`? (One stat; `get` may still find it corrupt.)"""
        return self.enabled and self._entry(key).is_file()

    def get(self, key: str) -> tuple[Meta, Rendered] | None:
        if not self.enabled:
            return None
        path = self._entry(key)
        try:
            data = json.loads(path.read_text("utf-8"))
            meta = _meta_from_json(data["meta"])
            assets = []
            for item in data["rendered"].pop("assets"):
                blob = self._blob(item["blob"])
                if not blob.is_file():
                    return None
                assets.append(Asset(item["path"], src=blob))
                self.blobs_touched.add(item["blob"])
            rendered = data["rendered"]
            rendered["toc"] = tuple(Heading(**h) for h in rendered["toc"])
            for name in ("links", "warnings"):
                rendered[name] = tuple(tuple(x) for x in rendered[name])
            rendered["scripts"] = tuple(rendered.get("scripts", ()))
            html_file = path.with_suffix(".html")
            if not html_file.is_file():
                return None
            # The HTML stays on disk until a page needs it: most rebuilds keep most pages.
            result = Rendered(**{**rendered, "html": ""}, assets=tuple(assets),
                              html_file=html_file)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing or corrupt: a miss, never a crash
        self.touched.add(key)
        return meta, result

    def put(self, key: str, meta: Meta, rendered: Rendered) -> Rendered:
        """Store a result; returns it with its assets pointing at blobs (not held in memory)."""
        if not self.enabled:
            return rendered
        try:
            assets, stored = [], []
            for asset in rendered.assets:
                data = asset.data if asset.data is not None else \
                    (asset.src.read_bytes() if asset.src else b"")
                digest = hashlib.sha256(data).hexdigest()
                blob = self._blob(digest)
                if not blob.is_file():
                    _atomic_write(blob, data)
                self.blobs_touched.add(digest)
                assets.append({"path": asset.path, "blob": digest})
                stored.append(Asset(asset.path, src=blob))
            body = {f.name: getattr(rendered, f.name) for f in fields(Rendered)
                    if f.name not in ("assets", "html", "html_file")}
            body["toc"] = [asdict(h) for h in rendered.toc]
            body["assets"] = assets
            body["html_sha1"] = rendered.digest()
            blob = json.dumps({"meta": _meta_to_json(meta), "rendered": body},
                              default=str, ensure_ascii=False)
            entry = self._entry(key)
            _atomic_write(entry.with_suffix(".html"), rendered.html.encode("utf-8",
                                                                          "surrogatepass"))
            _atomic_write(entry, blob.encode("utf-8"))  # last: an entry is whole or missing
            self.touched.add(key)
            return Rendered(**{**{f.name: getattr(rendered, f.name) for f in fields(Rendered)},
                               "assets": tuple(stored), "html_sha1": body["html_sha1"]})
        except OSError:
            return rendered  # a read-only or full disk: build on without the cache

    def prune(self) -> int:
        """Delete entries and blobs this build did not use. Returns how many were removed."""
        if not self.enabled or not self.dir.is_dir():
            return 0
        removed = 0
        for folder, keep in ((self.dir / "entries", self.touched),
                             (self.dir / "blobs", self.blobs_touched)):
            if not folder.is_dir():
                continue
            for path in folder.glob("*/*"):
                if path.name.split(".", 1)[0] not in keep:  # key.json and key.html alike
                    try:
                        path.unlink()
                        removed += 1
                    except OSError:
                        pass
        return removed


def _atomic_write(path: Path, data: bytes) -> None:
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
