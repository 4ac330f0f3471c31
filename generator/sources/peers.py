"""Other learners' learning paths, as `portfolio peers pull` keeps them: `content/peers/
SLUG.json`, one a peer (`peers:` in portfolio.yml), each that peer's published
`learning.json` plus the day it was fetched (`"fetched": "2026-05-01"`).

The copies are committed with the site, so a build reads them and never the network. One
validator serves both sides: what `pull` downloads and what the build reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..model.errors import BuildFailed, PortfolioError, SourceError
from ..model.learning import FORMAT, LearningPath

PEERS_DIR = "content/peers"


def peer_rel(slug: str) -> str:
    """Where the copy of the peer with this slug is kept."""
    return f"{PEERS_DIR}/{slug}.json"


def is_peer_file(rel: str) -> bool:
    """`content/peers/NAME.json`: a peer's copy (a data file, never a page or an asset)."""
    parts = rel.split("/")
    return len(parts) == 3 and parts[0] == "content" and parts[1] == "peers" \
        and parts[2].lower().endswith(".json")


@dataclass(frozen=True)
class PeerCopy:
    """One file of content/peers/: its learning path, or why it could not be read."""

    slug: str
    rel: str
    path: LearningPath | None = None
    fetched: str = ""  # YYYY-MM-DD, the day `pull` wrote it
    author: str = ""  # `author.name` of their learning.json
    problem: str = ""  # why `path` is None
    line: int | None = None  # where, in the file


def parse_copy(text: str, name: str) -> tuple[LearningPath, dict[str, Any]]:
    """A peer's learning.json validated (`name` names it in errors): JSON, of the format
    `portfolio-learning`, of a version this portfolio reads, with valid tracks and items.
    Returns the path and the JSON object; raises `PortfolioError` (`BuildFailed` listing
    every problem of the fields)."""
    from .learning import parse_learning  # not on a no-op build, which only discovers

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not valid JSON: {exc.msg}", name, exc.lineno) from None
    if not isinstance(data, dict) or "format" not in data:
        raise SourceError(f"not a learning.json: no \"format\": \"{FORMAT}\" in it", name, 1,
                          hint="a portfolio site publishes its learning path as learning.json")
    return parse_learning(text, name), data


def first_problem(exc: PortfolioError) -> tuple[str, int | None]:
    """An error as one message and its line: the first of a `BuildFailed`, with how many
    more there are."""
    if isinstance(exc, BuildFailed) and exc.errors:
        more = exc.total - 1
        return exc.errors[0].message + (f" (and {more} more problem{'s' * (more != 1)})"
                                        if more > 0 else ""), exc.errors[0].line
    return exc.message, exc.line


def author_of(data: dict[str, Any]) -> str:
    author = data.get("author")
    name = author.get("name") if isinstance(author, dict) else None
    return name.strip() if isinstance(name, str) else ""


def read_copy(root: Path, rel: str) -> PeerCopy:
    """The copy at `root/rel` (a problem, never an exception, when it cannot be read)."""
    slug = PurePosixPath(rel).stem
    try:
        text = (root / rel).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return PeerCopy(slug, rel, problem=f"not UTF-8 text (at byte {exc.start})")
    except OSError as exc:
        return PeerCopy(slug, rel, problem=f"cannot read: {exc.strerror or exc}")
    try:
        path, data = parse_copy(text, rel)
    except PortfolioError as exc:
        problem, line = first_problem(exc)
        return PeerCopy(slug, rel, problem=problem, line=line)
    fetched = data.get("fetched")
    return PeerCopy(slug, rel, path, fetched if isinstance(fetched, str) else "",
                    author_of(data))


def read_copies(root: Path, rels: list[str]) -> dict[str, PeerCopy]:
    """Every copy in content/peers/, by slug (the build picks the configured ones)."""
    return {copy.slug: copy for copy in (read_copy(root, rel) for rel in sorted(rels))}
