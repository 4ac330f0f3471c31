"""Learning with others: the peers of `peers:` in portfolio.yml on the `/learning/` page.

Their paths are the copies `portfolio peers pull` keeps in `content/peers/` (read by
`sources/peers.py`), never the network. Each of the learner's own tracks lists the peers on it
(a track of the same name, or one sharing an item: the same id or the same link) and how far
along they are; an item a peer has done (or is on) says so; a "Learning with" section lists
them all. No `peers:`, nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..model.documents import Site
from ..model.errors import Diagnostic
from ..model.learning import LearningItem, LearningPath, Track, parse_day
from ..model.urls import slugify

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PeerPath:
    """A configured peer with the copy of their path."""

    name: str
    url: str  # their site, ending in /
    slug: str
    path: LearningPath
    fetched: str = ""  # YYYY-MM-DD

    @property
    def learning_url(self) -> str:
        return self.url + "learning/"


_memo: list[tuple[Site, tuple[list[PeerPath], list[Diagnostic]]]] = []


def peers_of(site: Site) -> tuple[list[PeerPath], list[Diagnostic]]:
    """The configured peers that have a readable copy, and warnings about the rest."""
    if _memo and _memo[0][0] is site:
        return _memo[0][1]
    found = _peers(site)
    _memo[:] = [(site, found)]
    return found


def _peers(site: Site) -> tuple[list[PeerPath], list[Diagnostic]]:
    copies = site.data.get("peers") or {}
    out: list[PeerPath] = []
    notes: list[Diagnostic] = []
    for peer in site.config.peers:
        copy = copies.get(peer.slug)
        shown = peer.name or peer.host
        if copy is None:
            notes.append(Diagnostic(f"peer '{shown}' ({peer.url}) has no copy in content/peers/ "
                                    "yet: run portfolio peers pull", "portfolio.yml"))
        elif copy.path is None:
            notes.append(Diagnostic(f"{copy.problem}; peer '{shown}' is left out (run "
                                    "portfolio peers pull to fetch it again)", copy.rel,
                                    copy.line))
        else:
            out.append(PeerPath(peer.name or copy.author or peer.host, peer.url, peer.slug,
                                copy.path, copy.fetched))
    wanted = {peer.slug for peer in site.config.peers}
    for slug, copy in sorted(copies.items()):
        if slug not in wanted:
            notes.append(Diagnostic("not a peer in portfolio.yml (peers:): ignored; delete the "
                                    "file, or add the peer back", copy.rel))
    if site.config.peers and "learning" not in site.data and not _has_learning_file(site):
        notes.append(Diagnostic("peers: are shown on the learning page, and the site has no "
                                "content/learning.yml", "portfolio.yml"))
    return out, notes


def _has_learning_file(site: Site) -> bool:
    from ..sources.learning import find_learning  # one that failed to read (--keep-going)

    return find_learning(site.config.root) is not None


def _link_key(url: str) -> str:
    """A link compared loosely: no scheme, no `www.`, no trailing slash or fragment."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    return host + parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")


def _same(mine: LearningItem, theirs: LearningItem) -> bool:
    return mine.id == theirs.id or bool(mine.url and theirs.url and
                                        _link_key(mine.url) == _link_key(theirs.url))


def matching_track(own: Track, path: LearningPath) -> tuple[int, Track] | None:
    """The peer's track (its number, from 1) that matches `own`: one of the same name first,
    else the one sharing the most items; None if none does."""
    name = slugify(own.name)
    best: tuple[tuple[bool, int], int, Track] | None = None
    for number, track in enumerate(path.tracks, 1):
        shared = sum(1 for theirs in track.items if any(_same(m, theirs) for m in own.items))
        score = (slugify(track.name) == name, shared)
        if score > (False, 0) and (best is None or score > best[0]):
            best = (score, number, track)
    return (best[1], best[2]) if best else None


def on_track(own: Track, peers: list[PeerPath]) -> list[dict[str, Any]]:
    """The peers on the learner's track `own`, for its "Also on this track" list."""
    out = []
    for peer in peers:
        match = matching_track(own, peer.path)
        if match is None:
            continue
        number, track = match
        out.append({"name": peer.name, "url": f"{peer.learning_url}#track-{number}",
                    "done": track.done, "total": track.counted,
                    "now": [item.title for item in track.items if item.status == "in-progress"],
                    "track": track.name if slugify(track.name) != slugify(own.name) else ""})
    return out


def on_item(item: LearningItem, peers: list[PeerPath]) -> list[dict[str, Any]]:
    """The peers who did the item (or are on it now): the same id, or the same link."""
    out = []
    for peer in peers:
        theirs = next((i for _, i in peer.path.items() if _same(item, i)), None)
        if theirs is not None and theirs.status in ("done", "in-progress"):
            out.append({"name": peer.name, "status": theirs.status,
                        "url": f"{peer.learning_url}#item-{theirs.id}"})
    return out


def peers_section(path: LearningPath, peers: list[PeerPath]) -> list[dict[str, Any]]:
    """Every peer, for the page's "Learning with" section."""
    out = []
    for peer in peers:
        shared = [(number, track.name) for number, track in enumerate(path.tracks, 1)
                  if matching_track(track, peer.path) is not None]
        tracks = peer.path.tracks
        out.append({"name": peer.name, "url": peer.url, "learning_url": peer.learning_url,
                    "host": urlsplit(peer.url).netloc.removeprefix("www.") +
                    urlsplit(peer.url).path.rstrip("/"),
                    "tracks": len(tracks), "done": sum(t.done for t in tracks),
                    "total": sum(t.counted for t in tracks),
                    "shared": [{"name": name, "anchor": f"track-{number}"}
                               for number, name in shared],
                    "as_of": _day_text(peer.fetched)})
    return out


def _day_text(text: str) -> str:
    day = parse_day(text)
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}" if day else ""
