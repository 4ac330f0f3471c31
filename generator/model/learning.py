"""The learning path (`content/learning.yml`): tracks of courses, books, papers and tutorials,
each with a status and the dates it was studied. Plain frozen records, no I/O.

The same records are read from `learning.yml` (sources/learning.py), published as
`/learning.json` (site/learning.py) and written back by `portfolio learn fork`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# canonical status -> how a person writes it (the page's pill, the YAML `portfolio` writes)
STATUSES: dict[str, str] = {"planned": "planned", "in-progress": "in progress",
                            "done": "done", "dropped": "dropped"}
# what the reader accepts for each status (case and separators are ignored)
STATUS_SPELLINGS: dict[str, str] = {"planned": "planned", "in progress": "in-progress",
                                    "in-progress": "in-progress", "in_progress": "in-progress",
                                    "done": "done", "dropped": "dropped"}
KINDS: tuple[str, ...] = ("course", "book", "paper", "tutorial", "video", "project", "other")
FORMAT = "portfolio-learning"  # the `format` field of learning.json
VERSION = 1  # its `version`; a reader refuses a newer one
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_day(text: str) -> dt.date | None:
    """`2026-05-14` -> that day; `2026-05` -> the first of May (None if neither)."""
    match = _DATE.match(text or "")
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        return None


def month_only(text: str) -> bool:
    """The date says only its month (`2026-05`)."""
    return bool(_DATE.match(text or "")) and len(text) == 7


@dataclass(frozen=True)
class LearningItem:
    """One course, book, paper or tutorial of a track."""

    id: str  # explicit `id:` or the slug of the title; unique in the file
    title: str
    kind: str = "other"  # one of KINDS
    status: str = "planned"  # a key of STATUSES
    url: str = ""  # `link:` in learning.yml
    by: str = ""  # author or provider
    started: str = ""  # YYYY-MM-DD or YYYY-MM
    finished: str = ""
    notes: str = ""
    posts: tuple[str, ...] = ()  # what came out of it: source paths or URLs, as written
    projects: tuple[str, ...] = ()
    line: int = 0  # where the item starts in the file

    @property
    def start_date(self) -> dt.date | None:
        return parse_day(self.started)

    @property
    def finish_date(self) -> dt.date | None:
        return parse_day(self.finished)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class Track:
    """A named group of items, in the order the learner takes them."""

    name: str
    items: tuple[LearningItem, ...] = ()
    summary: str = ""
    line: int = 0

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.status == "done")

    @property
    def counted(self) -> int:
        """The items progress is measured against: a dropped item is no longer to do."""
        return sum(1 for item in self.items if item.status != "dropped")


@dataclass(frozen=True)
class LearningPath:
    """The whole file."""

    tracks: tuple[Track, ...]
    title: str = ""
    intro: str = ""
    rel_path: str = "content/learning.yml"

    def items(self) -> list[tuple[Track, LearningItem]]:
        return [(track, item) for track in self.tracks for item in track.items]

    def by_id(self) -> dict[str, LearningItem]:
        return {item.id: item for _, item in self.items()}
