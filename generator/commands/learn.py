"""`portfolio learn fork SOURCE`: start a learning path from someone else's.

SOURCE is a `learning.json` (as a portfolio site publishes it) or a `learning.yml`, as a local
file, a site folder, or an http(s) URL. The fork keeps the tracks and items (titles, kinds,
links, authors); every status goes back to planned, and the other learner's dates, posts,
projects, intro and notes are left out (their notes stay as YAML comments, to read). It is
written as `content/learning.yml`, never over an existing learning path without `force`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..model.errors import PortfolioError, UsageError
from ..model.learning import KINDS, LearningPath
from ..sources.learning import LEARNING_FILES, find_learning, parse_learning
from ..util.yamllines import YamlProblem, load_with_lines

TARGET = "content/learning.yml"
TIMEOUT = 15.0  # seconds, for a URL
MAX_BYTES = 2 * 1024 * 1024  # a curriculum is kilobytes; refuse to download a whole site


class FetchError(PortfolioError):
    """A URL that gave no learning path: `reason` is what went wrong, `reached` whether the
    server answered (a body too large) or not (no connection, a timeout, an HTTP error)."""

    def __init__(self, url: str, reason: str, hint: str | None = None, *,
                 reached: bool = False) -> None:
        super().__init__(f"cannot fetch {url}: {reason}", hint=hint)
        self.url, self.reason, self.reached = url, reason, reached


@dataclass
class Forked:
    path: Path
    source: str
    tracks: int
    items: int
    replaced: str | None = None  # the learning-path file that was there before
    notes: list[str] = field(default_factory=list)


def fork_learning(root: Path, source: str, *, force: bool = False,
                  timeout: float = TIMEOUT, today: dt.date | None = None) -> Forked:
    """Write `root/content/learning.yml` from the learning path at `source`."""
    existing = find_learning(root)
    if existing and not force:
        raise PortfolioError("the site has a learning path already: the fork would replace it",
                             existing,
                             hint="pass --force to replace it (the old file is not kept)")
    text, name = read_source(source, timeout)
    path = parse_learning(text, name)  # its problems name the source, with their lines
    if not path.tracks:
        raise PortfolioError("the learning path has no tracks: nothing to fork", name)
    written = render_yaml(reset(path), _header(source, _author(text), today), path)
    target = root / TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(written, "utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise PortfolioError(f"cannot write: {exc.strerror or exc}", TARGET) from None
    notes = []
    if existing and existing != TARGET:
        notes.append(f"{existing} is still there; {TARGET} is read first, so delete "
                     f"{existing} if you no longer want it")
    return Forked(target, source, len(path.tracks), len(path.items()),
                  existing if existing else None, notes)


def read_source(source: str, timeout: float = TIMEOUT) -> tuple[str, str]:
    """The text at `source` (a URL, a file, or a site folder) and the name errors give it."""
    if re.match(r"^https?://", source, re.I):
        return fetch(source, timeout), source
    if re.match(r"^[a-z][a-z0-9+.-]*://", source, re.I):
        raise UsageError(f"cannot fork from '{source}': give an http(s) URL or a file",
                         hint="such as https://USER.github.io/REPO/learning.json")
    path = Path(source).expanduser()
    if path.is_dir():
        found = find_learning(path) or next((n for n in ("learning.json", "learning.yml")
                                             if (path / n).is_file()), None)
        if found is None:
            raise PortfolioError(f"no learning path in the folder '{source}'",
                                 hint="looked for " + ", ".join(LEARNING_FILES))
        path = path / found
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PortfolioError(f"no such file: {source}",
                             hint="give a learning.json or learning.yml, or its URL") from None
    except OSError as exc:
        raise PortfolioError(f"cannot read {source}: {exc.strerror or exc}") from None
    return _text(data, source), str(path)


def fetch(url: str, timeout: float = TIMEOUT, agent: str = "learn fork") -> str:
    """The text at an http(s) URL, at most MAX_BYTES; `FetchError` when there is none."""
    request = urllib.request.Request(url, headers={
        "User-Agent": f"portfolio ({agent})",
        "Accept": "application/json, application/yaml, text/yaml, text/plain;q=0.9, */*;q=0.5"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        hint = "is the URL right? A site publishes it at https://USER.github.io/REPO/" \
            "learning.json" if exc.code == 404 else None
        raise FetchError(url, f"HTTP {exc.code} {exc.reason}", hint=hint) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _timed_out(url, timeout) from None
        shown = getattr(reason, "strerror", None) or reason
        raise FetchError(url, str(shown), hint="check the address and your connection") \
            from None
    except TimeoutError:  # socket.timeout: the answer stopped half-way
        raise _timed_out(url, timeout) from None
    except (OSError, ValueError) as exc:
        raise FetchError(url, str(exc)) from None
    if len(data) > MAX_BYTES:
        raise FetchError(url, f"larger than {MAX_BYTES // 1048576} MB, which no learning path "
                         "is", reached=True)
    return _text(data, url)


def _timed_out(url: str, timeout: float) -> FetchError:
    return FetchError(url, f"no answer in {timeout:g} s",
                      hint="try again, or download the file and fork it")


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PortfolioError(f"{name} is not UTF-8 text (at byte {exc.start})") from None


def reset(path: LearningPath) -> LearningPath:
    """The curriculum without the other learner's progress: every item planned, no dates, no
    posts or projects, no notes; no intro."""
    tracks = tuple(replace(track, items=tuple(
        replace(item, status="planned", started="", finished="", notes="", posts=(),
                projects=()) for item in track.items)) for track in path.tracks)
    return replace(path, tracks=tracks, intro="", rel_path=TARGET)


def _author(text: str) -> str:
    """`author.name` of a learning.json, for the header comment."""
    try:
        data, _ = load_with_lines(text)
    except YamlProblem:
        return ""
    author = data.get("author") if isinstance(data, dict) else None
    return str(author.get("name") or "") if isinstance(author, dict) else ""


def _header(source: str, author: str, today: dt.date | None) -> list[str]:
    whose = f" ({author}'s)" if author else ""
    day = (today or dt.date.today()).isoformat()
    return [f"Learning path forked from {source}{whose}",
            f"with `portfolio learn fork` on {day}.",
            "Every status is reset to planned; their dates, posts and projects are left out",
            "(their notes are kept as comments). As you go, set for each item:",
            "  status: planned, in progress, done or dropped",
            "  started: and finished: YYYY-MM-DD (or YYYY-MM)",
            "  posts: and projects: what came out of it (content/posts/....md, projects/...),",
            "  or write `learned_from: ID` in the front matter of the post or project.",
            "kind: is one of " + ", ".join(KINDS) + "."]


def scalar(value: Any) -> str:
    """`value` as a one-line YAML scalar, quoted only when YAML needs it."""
    if not isinstance(value, str):
        return json.dumps(value)
    if "\n" in value or "\r" in value:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML one too
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1 << 20)
    return dumped.split("\n...", 1)[0].rstrip("\n")


def render_yaml(path: LearningPath, header: list[str] | None = None,
                original: LearningPath | None = None) -> str:
    """`path` as a readable learning.yml; `original`'s notes become comments."""
    notes = {item.id: item.notes for _, item in (original or path).items()} if original \
        else {}
    lines = [f"# {line}".rstrip() for line in header or []]
    if path.title:
        lines.append(f"title: {scalar(path.title)}")
    if path.intro:
        lines.append(f"intro: {scalar(path.intro)}")
    lines.append("tracks:")
    for track in path.tracks:
        lines.append(f"  - name: {scalar(track.name)}")
        if track.summary:
            lines.append(f"    summary: {scalar(track.summary)}")
        lines.append("    items:" if track.items else "    items: []")
        for item in track.items:
            if notes.get(item.id):
                lines += ["      # their notes: " + part.strip()
                          for part in notes[item.id].splitlines() if part.strip()]
            lines.append(f"      - title: {scalar(item.title)}")
            fields = [("id", item.id), ("kind", item.kind), ("by", item.by),
                      ("link", item.url), ("status", item.status_label),
                      ("started", item.started), ("finished", item.finished),
                      ("notes", item.notes)]
            lines += [f"        {key}: {scalar(value)}" for key, value in fields if value]
            for key, refs in (("posts", item.posts), ("projects", item.projects)):
                if refs:
                    lines.append(f"        {key}:")
                    lines += [f"          - {scalar(ref)}" for ref in refs]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
