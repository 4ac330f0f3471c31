"""`portfolio peers pull`: download each peer's `learning.json` into `content/peers/`.

A peer (`peers:` in portfolio.yml) is another learner's portfolio site; it publishes its
learning path at `URL/learning.json`. Each copy is validated as the build reads it, then
written as `content/peers/SLUG.json` (whole or not at all) with the day it was fetched. The
copies are committed with the site, so a build never needs the network and always gives the
same pages. A peer that cannot be reached, or sends a bad file, keeps its last copy.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..model.config import Peer, load_config
from ..model.errors import PortfolioError
from ..sources.peers import PEERS_DIR, first_problem, is_peer_file, parse_copy, peer_rel
from .learn import TIMEOUT, FetchError, fetch

State = Literal["updated", "unchanged", "kept", "missing"]
_VOLATILE = ("fetched", "generated")  # what changes when nothing in the path does
WORKERS = 4  # peers fetched at once


@dataclass
class Pulled:
    """What happened to one peer."""

    peer: Peer
    state: State  # kept: the last copy stays (and `problem` says why); missing: no copy at all
    tracks: int = 0
    items: int = 0
    problem: str = ""  # "could not reach URL: reason" or "refused URL: reason"
    since: str = ""  # the day of the copy that was kept

    @property
    def line(self) -> str:
        """The one line the command prints for the peer."""
        if self.state in ("updated", "unchanged"):
            return f"{self.peer.slug}: {self.tracks} track{'s' * (self.tracks != 1)}, " \
                   f"{self.items} item{'s' * (self.items != 1)} ({self.state})"
        kept = f"kept the copy from {self.since}" if self.since else "kept the last copy"
        return f"{self.peer.slug}: {self.problem}; " + \
            (kept if self.state == "kept" else "no copy yet")


@dataclass
class PullReport:
    pulled: list[Pulled]
    strays: list[str]  # copies in content/peers/ of peers no longer configured

    @property
    def ok(self) -> bool:
        """Every peer has a copy (fresh or kept): the exit status is 0."""
        return all(p.state != "missing" for p in self.pulled)


def pull_peers(root: Path, *, timeout: float = TIMEOUT,
               today: dt.date | None = None) -> PullReport:
    """Fetch every configured peer's learning.json into `root/content/peers/`."""
    config = load_config(root)
    if not config.peers:
        raise PortfolioError("portfolio.yml lists no peers: nothing to pull", "portfolio.yml",
                             hint="add  peers: [{name: Ada, url: https://ada.github.io/ml/}]")
    day = (today or dt.date.today()).isoformat()
    with ThreadPoolExecutor(min(WORKERS, len(config.peers))) as pool:
        answers = list(pool.map(lambda peer: _download(peer, timeout), config.peers))
    pulled = [_store(config.root, peer, answer, day)
              for peer, answer in zip(config.peers, answers, strict=True)]
    wanted = {peer_rel(peer.slug) for peer in config.peers}
    folder = config.root / PEERS_DIR
    strays = sorted(f"{PEERS_DIR}/{p.name}" for p in folder.glob("*.json")
                    if is_peer_file(f"{PEERS_DIR}/{p.name}")
                    and f"{PEERS_DIR}/{p.name}" not in wanted) if folder.is_dir() else []
    return PullReport(pulled, strays)


def _download(peer: Peer, timeout: float) -> str | PortfolioError:
    """The text of the peer's learning.json, or the error (the threads never raise)."""
    try:
        return fetch(peer.url + "learning.json", timeout, agent="peers pull")
    except PortfolioError as exc:
        return exc


def _store(root: Path, peer: Peer, answer: str | PortfolioError, day: str) -> Pulled:
    url = peer.url + "learning.json"
    target = root / peer_rel(peer.slug)
    old = _old_copy(target)
    if isinstance(answer, PortfolioError):
        if isinstance(answer, FetchError) and not answer.reached:
            return _failed(peer, f"could not reach {url}: {answer.reason}", old, target)
        reason = answer.reason if isinstance(answer, FetchError) else answer.message
        return _failed(peer, f"refused {url}: {reason}", old, target)
    try:
        path, data = parse_copy(answer, url)
    except PortfolioError as exc:
        message, line = first_problem(exc)
        where = f" (line {line})" if line and line > 1 else ""
        return _failed(peer, f"refused {url}: {message}{where}", old, target)
    tracks, items = len(path.tracks), len(path.items())
    fresh = {key: value for key, value in data.items() if key not in _VOLATILE}
    if old is not None and {k: v for k, v in old.items() if k not in _VOLATILE} == fresh:
        return Pulled(peer, "unchanged", tracks, items)
    text = json.dumps({"fetched": day, **fresh, **({"generated": data["generated"]}
                                                   if "generated" in data else {})},
                      indent=2, ensure_ascii=False) + "\n"
    try:
        _write(target, text)
    except OSError as exc:
        return _failed(peer, f"cannot write {peer_rel(peer.slug)}: {exc.strerror or exc}",
                       old, target)
    return Pulled(peer, "updated", tracks, items)


def _old_copy(target: Path) -> dict[str, Any] | None:
    """The copy there is, as JSON (None if there is none, or it is not JSON)."""
    try:
        data = json.loads(target.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _failed(peer: Peer, problem: str, old: dict[str, Any] | None, target: Path) -> Pulled:
    if not target.is_file():
        return Pulled(peer, "missing", problem=problem)
    since = old.get("fetched") if old else None
    if not isinstance(since, str):  # a copy put there by hand: the day it was written
        since = dt.date.fromtimestamp(target.stat().st_mtime).isoformat()
    return Pulled(peer, "kept", problem=problem, since=since)


def _write(target: Path, text: str) -> None:
    """Write then rename: a reader sees the old copy or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, "utf-8")
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
