"""A content-addressed cache of reader results under `.portfolio/cache/`.

Keys are digests of the source's bytes, its path and kind, the reader, the config keys that
reader uses, the theme's nbconvert templates (for notebooks), and the versions of portfolio and
its rendering libraries: never mtimes, so the cache survives a fresh clone and an
`actions/cache` restore. Values are JSON plus content-addressed blobs for extracted files (no
pickle). A corrupt entry is a miss; entries the last build did not touch are pruned.

Nothing read is trusted: an entry's JSON line carries its own sha1 and the entry's size, and a
blob's size is in the entry (checked on `get`, one stat); the HTML is checked against its sha1
when a page reads it (`Rendered.body`) and a blob against its name when it is published
(`verified_blob`). A mismatch there raises `CacheDamaged`: the build discards the file and
converts the source again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ..model.documents import Asset, Heading, Meta, Rendered
from ..model.errors import CacheDamaged
from .store import State, atomic_write


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
        self.dir = State(root).cache
        self.enabled = enabled
        self.thorough = False  # verify the HTML and blobs on `get` too (after damage was seen)
        self.touched: set[str] = set()
        self.blobs_touched: set[str] = set()

    @staticmethod
    def key(data: bytes, *parts: str) -> str:
        digest = hashlib.sha256(data)
        for part in parts:
            digest.update(b"\0" + part.encode())
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        """One file per entry: the sha1 of the JSON, a space and the JSON on one line, then
        the HTML (read only when it is needed)."""
        return self.dir / "entries" / key[:2] / f"{key}.entry"

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
            with open(path, "rb") as handle:
                line = handle.readline()
                size = os.fstat(handle.fileno()).st_size
                html = handle.read() if self.thorough else b""
            check, _, head = line.rstrip(b"\n").partition(b" ")
            if hashlib.sha1(head).hexdigest().encode() != check:
                return None  # truncated or overwritten: a miss
            data = json.loads(head)
            if size != len(line) + data["rendered"].pop("html_size") or (self.thorough and
                    hashlib.sha1(html).hexdigest() != data["rendered"]["html_sha1"]):
                return None
            meta = _meta_from_json(data["meta"])
            assets = []
            for item in data["rendered"].pop("assets"):
                blob = self._blob(item["blob"])
                if not _sized(blob, item["size"]) or (self.thorough and not _intact(blob)):
                    return None
                assets.append(Asset(item["path"], src=blob))
                self.blobs_touched.add(item["blob"])
            rendered = data["rendered"]
            rendered["toc"] = tuple(Heading(**h) for h in rendered["toc"])
            for name in ("links", "warnings"):
                rendered[name] = tuple(tuple(x) for x in rendered[name])
            rendered["scripts"] = tuple(rendered.get("scripts", ()))
            # The HTML stays on disk until a page needs it: most rebuilds keep most pages.
            result = Rendered(**{**rendered, "html": ""}, assets=tuple(assets),
                              html_file=path, html_offset=len(line))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing or corrupt: a miss, never a crash
        self.touched.add(key)
        return meta, result

    def put(self, key: str, meta: Meta, rendered: Rendered) -> Rendered:
        """Store a result; returns it with its assets pointing at blobs (not held in memory).

        Safe to call from a worker process: it only writes files; the build process then
        `adopt`s what the worker stored."""
        if not self.enabled:
            return rendered
        try:
            assets, stored = [], []
            for asset in rendered.assets:
                data = asset.data if asset.data is not None else \
                    (asset.src.read_bytes() if asset.src else b"")
                digest = hashlib.sha256(data).hexdigest()
                blob = self._blob(digest)
                if not _sized(blob, len(data)):
                    atomic_write(blob, data)
                self.blobs_touched.add(digest)
                assets.append({"path": asset.path, "blob": digest, "size": len(data)})
                stored.append(Asset(asset.path, src=blob))
            body = {f.name: getattr(rendered, f.name) for f in fields(Rendered)
                    if f.name not in ("assets", "html", "html_file", "html_offset")}
            body["toc"] = [asdict(h) for h in rendered.toc]
            body["assets"] = assets
            body["html_sha1"] = rendered.digest()
            html = rendered.html.encode("utf-8", "surrogatepass")
            body["html_size"] = len(html)
            head = json.dumps({"meta": _meta_to_json(meta), "rendered": body}, default=str,
                              ensure_ascii=False).encode("utf-8", "surrogatepass")
            check = hashlib.sha1(head).hexdigest().encode()  # one line: JSON escapes \n
            atomic_write(self._entry(key), check + b" " + head + b"\n" + html)
            self.touched.add(key)
            return Rendered(**{**{f.name: getattr(rendered, f.name) for f in fields(Rendered)},
                               "assets": tuple(stored), "html_sha1": body["html_sha1"]})
        except OSError:
            return rendered  # a read-only or full disk: build on without the cache

    def adopt(self, key: str, rendered: Rendered) -> None:
        """Count an entry a worker stored as used by this build (so pruning keeps it)."""
        if self.enabled and rendered.html_sha1:
            self.touched.add(key)
            self.blobs_touched.update(a.src.name for a in rendered.assets if a.src is not None)

    def discard(self, path: Path) -> None:
        """Remove a damaged entry or blob (`CacheDamaged`): its source is converted again."""
        try:
            if path.resolve().is_relative_to(self.dir.resolve()):
                path.unlink(missing_ok=True)
        except OSError:
            pass

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
                if path.name.split(".", 1)[0] not in keep:
                    try:
                        path.unlink()
                        removed += 1
                    except OSError:
                        pass
        return removed


def _sized(path: Path, size: int) -> bool:
    """A regular file of `size` bytes (a truncated or half-written blob is not)."""
    try:
        st = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == size


def _intact(path: Path) -> bool:
    """Do a blob's bytes still have the sha256 it is named by?"""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == blob_digest(path)
    except OSError:
        return False


def verified_blob(path: Path) -> Path:
    """`path`, a blob about to be published, if it is intact; otherwise `CacheDamaged`."""
    if blob_digest(path) is not None and not _intact(path):
        raise CacheDamaged(path)
    return path


def blob_digest(path: Path) -> str | None:
    """The sha256 a cache blob is named by, or None for any other file."""
    if len(path.name) == 64 and path.parent.parent.name == "blobs" and \
            path.parent.name == path.name[:2]:
        return path.name
    return None
