"""`content/learning.yml` (or `.yaml`, or a `learning.json` as the site publishes it): the
learner's curriculum, validated. Every problem names the file, the line and what is allowed.

```yaml
title: What I am learning          # optional, and so is `intro:`
tracks:
  - name: Foundations
    items:
      - title: Machine Learning Specialization
        id: ml-specialization      # optional: the slug of the title
        kind: course               # course, book, paper, tutorial, video, project, other
        by: DeepLearning.AI
        link: https://www.coursera.org/specializations/machine-learning-introduction
        status: done               # planned, in progress, done, dropped
        started: 2026-05           # YYYY-MM-DD or YYYY-MM
        finished: 2026-07-28
        notes: The week on regularisation was the one that clicked.
        posts: [content/posts/2026-08-02-what-i-learned.md]   # paths or URLs
        projects: [projects/linear-regression-from-scratch.ipynb]
```
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

from ..model.errors import BuildFailed, PortfolioError, SourceError
from ..model.learning import (
    FORMAT,
    KINDS,
    STATUS_SPELLINGS,
    VERSION,
    LearningItem,
    LearningPath,
    Track,
    parse_day,
)
from ..model.urls import slugify
from ..util.yamllines import YamlProblem, load_with_lines

LEARNING_FILES = ("content/learning.yml", "content/learning.yaml", "content/learning.json")
MAX_PROBLEMS = 20
# `format`, `version`, `author`, `source`, `generated` are what /learning.json adds, and
# `fetched` what a peer's copy in content/peers/ adds (`portfolio peers pull`)
TOP_KEYS = ("title", "intro", "tracks", "format", "version", "author", "source", "generated",
            "fetched", "$schema")
TRACK_KEYS = ("name", "summary", "items")
ITEM_KEYS = ("title", "id", "kind", "status", "link", "url", "by", "started", "finished",
             "notes", "posts", "projects")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
STATUS_HINT = "planned, in progress, done or dropped"
KIND_HINT = ", ".join(KINDS[:-1]) + " or " + KINDS[-1]


def find_learning(root: Path) -> str | None:
    """The learning-path file of the site, if it has one (the first of LEARNING_FILES)."""
    return next((rel for rel in LEARNING_FILES if (root / rel).is_file()), None)


def load_learning(root: Path, rel: str) -> LearningPath:
    """Read and validate a learning-path file; raise `BuildFailed` listing every problem."""
    try:
        text = (root / rel).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text (at byte {exc.start})", rel,
                          hint="save the file as UTF-8") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}", rel) from None
    return parse_learning(text, rel)


def parse_learning(text: str, rel: str) -> LearningPath:
    """A learning path from the text of a learning.yml or learning.json (`rel` names it in
    errors)."""
    try:
        data, lines = load_with_lines(text)
    except YamlProblem as exc:
        raise SourceError(exc.message, rel, exc.line, hint=exc.hint) from None
    return _Reader(rel, lines).path(data)


class _Reader:
    """Validates one file's data, collecting every problem with its line."""

    def __init__(self, rel: str, lines: dict[tuple[str, ...], int]) -> None:
        self.rel, self.lines = rel, lines
        self.problems: list[SourceError] = []

    def line(self, path: tuple[str, ...]) -> int:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1

    def problem(self, message: str, path: tuple[str, ...], hint: str | None = None) -> None:
        self.problems.append(SourceError(message, self.rel, self.line(path), hint=hint))

    def path(self, data: Any) -> LearningPath:
        base: tuple[str, ...] = ("tracks",)
        if data is None:
            data = {}
        if isinstance(data, list):  # a bare list of tracks
            data, base = {"tracks": data}, ()
        if not isinstance(data, dict):
            raise SourceError("must be a mapping with a 'tracks:' list", self.rel, 1,
                              hint="see the example in the README's 'Learning path' section")
        self.unknown(data, TOP_KEYS, (), "the file")
        version = data.get("version", VERSION)
        if data.get("format", FORMAT) != FORMAT:
            self.problem(f"format: {data.get('format')!r} is not a learning path (expected "
                         f"{FORMAT!r})", ("format",))
        elif not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
            self.problem(f"version: {version!r} is newer than this portfolio reads "
                         f"(version {VERSION})", ("version",),
                         hint="upgrade portfolio to read this file")
        tracks_data = data.get("tracks")
        tracks: list[Track] = []
        if tracks_data is None:
            self.problem("no 'tracks:' list: a learning path is tracks of items", ())
        elif not isinstance(tracks_data, list):
            self.problem("tracks: must be a list of tracks (- name: ...)", ("tracks",))
        else:
            for index, entry in enumerate(tracks_data):
                track = self.track(entry, (*base, str(index)))
                if track is not None:
                    tracks.append(track)
        self.unique_ids(tracks)
        if self.problems:
            self.problems.sort(key=lambda e: (e.line or 0, e.message))
            raise BuildFailed(list[PortfolioError](self.problems[:MAX_PROBLEMS]))
        return LearningPath(tuple(tracks), title=self.text(data, "title", ()),
                            intro=self.text(data, "intro", ()), rel_path=self.rel)

    def unknown(self, data: dict[str, Any], allowed: tuple[str, ...], path: tuple[str, ...],
                what: str) -> None:
        for key in data:
            if str(key) not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else \
                    "the fields are: " + ", ".join(k for k in allowed if k != "$schema")
                self.problem(f"unknown field '{key}' in {what}", (*path, str(key)), hint=hint)

    def text(self, data: dict[str, Any], key: str, path: tuple[str, ...]) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
        self.problem(f"{key}: must be text, not {_shown(value)}", (*path, key))
        return ""

    def track(self, entry: Any, path: tuple[str, ...]) -> Track | None:
        if not isinstance(entry, dict):
            self.problem(f"a track must be a mapping (name: ..., items: [...]), not "
                         f"{_shown(entry)}", path)
            return None
        self.unknown(entry, TRACK_KEYS, path, "a track")
        name = self.text(entry, "name", path)
        if not name:
            self.problem("a track needs a 'name:'", path)
        items_data = entry.get("items") or []
        items: list[LearningItem] = []
        if not isinstance(items_data, list):
            self.problem(f"items of track '{name}': must be a list of items (- title: ...)",
                         (*path, "items"))
        else:
            for index, item_data in enumerate(items_data):
                item = self.item(item_data, (*path, "items", str(index)))
                if item is not None:
                    items.append(item)
        return Track(name, tuple(items), self.text(entry, "summary", path), self.line(path))

    def item(self, data: Any, path: tuple[str, ...]) -> LearningItem | None:
        if isinstance(data, str):  # `- Deep Learning (the book)`: a title alone
            data = {"title": data}
        if not isinstance(data, dict):
            self.problem(f"an item must be a mapping (title: ..., status: ...), not "
                         f"{_shown(data)}", path)
            return None
        self.unknown(data, ITEM_KEYS, path, "an item")
        title = self.text(data, "title", path)
        if not title:
            self.problem("an item needs a 'title:'", path)
        item_id = self.text(data, "id", path) or slugify(title or "untitled")
        if "id" in data and item_id and not _ID.match(item_id):
            self.problem(f"id: {item_id!r} is not an id: use lower-case letters, digits and "
                         f"hyphens (such as {slugify(item_id)!r})", (*path, "id"))
        status = self.choice(data, "status", path, STATUS_SPELLINGS, "planned", STATUS_HINT)
        kind = self.choice(data, "kind", path, {k: k for k in KINDS}, "other", KIND_HINT)
        started, finished = self.day(data, "started", path), self.day(data, "finished", path)
        first, last = parse_day(started), parse_day(finished)
        if first and last and last < first:
            self.problem(f"finished: {finished} is before started: {started}",
                         (*path, "finished"))
        link = self.text(data, "link", path) or self.text(data, "url", path)
        if link and not re.match(r"^https?://", link):
            self.problem(f"link: {link!r} is not a web address (https://...)", (*path, "link"
                         if "link" in data else "url"))
            link = ""
        return LearningItem(
            id=item_id, title=title, kind=kind, status=status, url=link,
            by=self.text(data, "by", path), started=started, finished=finished,
            notes=self.text(data, "notes", path), posts=self.refs(data, "posts", path),
            projects=self.refs(data, "projects", path), line=self.line(path))

    def choice(self, data: dict[str, Any], key: str, path: tuple[str, ...],
               allowed: dict[str, str], default: str, words: str) -> str:
        if data.get(key) is None:
            return default
        value = str(data[key]).strip().lower()
        spelled = re.sub(r"\s+", " ", value)
        if spelled in allowed:
            return allowed[spelled]
        self.problem(f"{key}: {data[key]!r} is not a {key}: write {words}", (*path, key))
        return default

    def day(self, data: dict[str, Any], key: str, path: tuple[str, ...]) -> str:
        value = data.get(key)
        if value is None or value == "":
            return ""
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        if parse_day(text) is None:
            self.problem(f"{key}: {value!r} is not a date: write YYYY-MM-DD or YYYY-MM",
                         (*path, key))
            return ""
        return text

    def refs(self, data: dict[str, Any], key: str, path: tuple[str, ...]) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, dict)):
            value = [value]
        if not isinstance(value, list):
            self.problem(f"{key}: must be a list of paths or URLs, not {_shown(value)}",
                         (*path, key))
            return ()
        out = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                entry = entry["url"]  # learning.json writes {title, url}
            if not isinstance(entry, str) or not entry.strip():
                self.problem(f"{key}: each entry is a path (content/posts/...) or a URL, not "
                             f"{_shown(entry)}", (*path, key, str(index)))
                continue
            out.append(entry.strip())
        return tuple(out)

    def unique_ids(self, tracks: list[Track]) -> None:
        seen: dict[str, LearningItem] = {}
        for track in tracks:
            for item in track.items:
                first = seen.setdefault(item.id, item)
                if first is not item:
                    self.problems.append(SourceError(
                        f"two items have the id '{item.id}' (lines {first.line} and "
                        f"{item.line})", self.rel, item.line,
                        hint="give one of them its own 'id:'"))


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
