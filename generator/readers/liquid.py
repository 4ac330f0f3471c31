"""Jekyll/fastpages Liquid in a Markdown body, translated to our own equivalents.

A post moved from a Jekyll or fastpages blog still holds the Liquid its old site ran before
Markdown. What has an equivalent here is translated, before markdown-it parses the body:

| Liquid                                                       | becomes                        |
|--------------------------------------------------------------|--------------------------------|
| `{% include alert.html text="..." %}`, `warning.html`        | a `> [!WARNING]` callout       |
| `{% include info.html text="..." %}`, `note.html`            | a `> [!NOTE]` callout          |
| `{% include tip.html ... %}`, `important.html`               | `> [!TIP]`, `> [!IMPORTANT]`   |
| `{% twitter URL %}`, `{% include twitter.html content=.. %}` | a blockquote linking the post  |
| `{% youtube ID-or-URL %}`, `{% include youtube.html .. %}`   | an embed (youtube-nocookie)    |
| `{{ site.baseurl }}/x`, `{{ site.url }}{{ site.baseurl }}/x` | `/x` under the base path       |
| `{% raw %}...{% endraw %}`                                   | the markers go, the text stays |

(`text=` or `content=`, in single or double quotes.) Code blocks and code spans are never
touched: people write about Liquid. Anything else (`{% capture %}`, `{% include image.html %}`)
stays as written, and the page check warns about it as before. The file gets one notice saying
what was translated. No third-party script is added: a tweet becomes a link, a video an iframe
on YouTube's no-cookie domain (under `safe`, where raw HTML is escaped, a link to it).

A base-path link becomes the readers' link placeholder (`model/links.py`) of its path, which
the renderer turns into that path under the base path, in Markdown and raw HTML alike; a
root-relative `/x` would miss the base path of a project site.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from ..model.links import placeholder

NOTICE = "translated Jekyll/fastpages Liquid: "

_TOKEN = re.compile(
    r"\{%-?\s*(?P<tag>(?:(?!\{%|%\}).)*?)\s*-?%\}"
    r"|(?P<site>(?:\{\{-?\s*site\.url\s*-?\}\}\s*)?\{\{-?\s*site\.baseurl\s*-?\}\})",
    re.DOTALL)
_CALLOUTS = {"alert": "WARNING", "warning": "WARNING", "info": "NOTE", "note": "NOTE",
             "tip": "TIP", "important": "IMPORTANT"}
_INCLUDE = re.compile(r"include\s+([\w-]+)\.html(?:\s+(.*))?", re.DOTALL)
_PARAM = re.compile(r"""(?<![\w.-])(?:text|content)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PATH = re.compile(r"""/[^\s"'<>()\[\]{}]*""")  # what follows `{{ site.baseurl }}`
_URL_END = ("", ")", '"', "'", ">", " ", "\t", "\n")
_CONTAINER = re.compile(r"(?P<quote>[ \t>]*)(?P<item>(?:[-*+]|\d{1,9}[.)])[ \t]+)?")
_NOT_LAZY = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]|#{1,6}[ \t]|```|~~~|\n|$)")
_TWEET = re.compile(r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<user>\w{1,15})?"
                    r"(?P<status>/status(?:es)?/\d+)?[^\s\"'<>()\[\]]*")
_NOT_USERS = {"i", "intent", "search", "hashtag", "home", "share"}
_VIDEO_ID = re.compile(r"[\w-]{11}")
_VIDEO_URL = re.compile(
    r"https?://(?:(?:www\.|m\.)?youtube(?:-nocookie)?\.com/(?:watch\?(?:[^\s\"'<>]*&)?v=|"
    r"embed/|shorts/|live/|v/)|youtu\.be/)(?P<id>[\w-]{11})(?P<rest>[^\s\"'<>]*)")
_START = re.compile(r"[?&#](?:t|start)=(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?(?!\w)")
_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")

Found = tuple[int, int, str, str]  # start, end, replacement, what it was (for the notice)


def translate(text: str, *, safe: bool = False, line_offset: int = 0
              ) -> tuple[str, list[tuple[str, int | None]]]:
    """The Markdown body with its known Liquid translated, and a notice of what was (one, at
    the line of the first translation counted from `line_offset`; none if nothing was)."""
    if "{%" not in text and "{{" not in text:
        return text, []
    guarded = _code_ranges(text, safe)
    starts = [start for start, _ in guarded]
    edits: list[tuple[int, int, str]] = []
    done: Counter[str] = Counter()
    first = len(text)
    opened: re.Match[str] | None = None  # an open `{% raw %}`
    for match in _TOKEN.finditer(text):
        at = bisect.bisect_right(starts, match.start()) - 1
        if at >= 0 and match.start() < guarded[at][1]:
            continue  # in code
        tag = (match["tag"] or "").strip()  # its text as written (a callout's may have lines)
        word = " ".join(tag.split())
        if opened is not None:
            if word == "endraw":  # what was in between stays as written, untranslated
                edits += [(opened.start(), opened.end(), ""), (match.start(), match.end(), "")]
                done["raw"] += 1
                first, opened = min(first, opened.start()), None
            continue
        if word == "raw":
            if edits and match.start() < edits[-1][1]:
                continue  # on the line of a block just translated: left as written
            opened = match  # if never closed, left as written (Jekyll refuses it too)
            continue
        found = _base_path(text, match) if match["site"] else _tag(text, match, tag, safe)
        if found is None or (edits and found[0] < edits[-1][1]):
            continue  # unknown, or a second block on one line: left as written
        edits.append(found[:3])
        done[found[3]] += 1
        first = min(first, match.start())
    if not edits:
        return text, []
    line = line_offset + text.count("\n", 0, first) + 1
    for start, end, new in reversed(edits):
        text = text[:start] + new + text[end:]
    listed = ", ".join(f"{count} × {name}" for name, count in done.items())
    return text, [(NOTICE + listed, line)]


def _base_path(text: str, match: re.Match[str]) -> Found | None:
    """`{{ site.baseurl }}/images/x.png` -> the placeholder of `images/x.png`."""
    name = "site.baseurl"
    path = _PATH.match(text, match.end())
    if path is None:
        if text[match.end():match.end() + 1] not in _URL_END:
            return None  # `{{ site.baseurl }}{% post_url x %}`: not ours to guess
        return match.start(), match.end(), placeholder(""), name
    target, sep, rest = re.split(r"([?#])", path[0] + "#", maxsplit=1)
    tail = (sep + rest)[:-1] if rest else ""
    return match.start(), path.end(), placeholder(target.lstrip("/")) + tail, name


def _tag(text: str, match: re.Match[str], tag: str, safe: bool) -> Found | None:
    """A `{% ... %}` tag we know, as the Markdown it becomes."""
    include = _INCLUDE.fullmatch(tag)
    words = tag.split(None, 1) + [""]
    kind = include[1].lower() if include else words[0]
    name = f"include {kind}.html" if include else kind
    value = _param(include[2] or "") if include else words[1]
    if value is None:
        return None
    if include and kind in _CALLOUTS:
        value = translate(value, safe=safe)[0]  # `{{ site.baseurl }}` in the text, too
        body = [f"[!{_CALLOUTS[kind]}]"] + [line.strip() for line in value.strip().split("\n")]
        lines = [f"> {line}" if line else ">" for line in body]
    elif kind == "twitter":
        lines = _tweet(value)
    elif kind == "youtube":
        lines = _video(value, safe)
    else:
        return None
    if not lines:
        return None
    start, end, new = _block(text, match.start(), match.end(), lines)
    return start, end, new, name


def _param(params: str) -> str | None:
    found = _PARAM.search(params)
    if found is None:
        return None
    return found[1] if found[1] is not None else found[2]


def _tweet(value: str) -> list[str]:
    """`{% twitter https://twitter.com/user/status/1 %}` -> a quoted link to the post."""
    found = _TWEET.search(value)
    if found is None:
        return []
    user = found["user"] if found["user"] and found["user"].lower() not in _NOT_USERS else ""
    handle = f"@{user}".replace("_", "\\_")
    if found["status"]:
        label = f"Post by {handle} on X (Twitter)" if user else "A post on X (Twitter)"
    elif user:
        label = f"{handle} on X (Twitter)"
    else:
        return []
    return [f"> [{label}]({found[0]})"]


def _video(value: str, safe: bool) -> list[str]:
    """`{% youtube ID %}` or a YouTube URL -> a responsive embed from youtube-nocookie.com."""
    found = _VIDEO_URL.search(value)
    bare = value.strip().strip("\"'")
    if found is not None:
        video, rest = found["id"], found["rest"]
    elif _VIDEO_ID.fullmatch(bare):
        video, rest = bare, ""
    else:
        return []
    seconds = 0
    if (start := _START.search(rest)) is not None:
        hours, minutes, secs = (int(part or 0) for part in start.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    if safe:  # raw HTML is escaped: a link instead
        at = f"&t={seconds}s" if seconds else ""
        return [f"[Watch the video on YouTube](https://www.youtube.com/watch?v={video}{at})"]
    query = f"?start={seconds}" if seconds else ""
    return [f'<div class="embed embed-video"><iframe src="https://www.youtube-nocookie.com/'
            f'embed/{video}{query}" title="YouTube video {video}" loading="lazy" '
            'allow="clipboard-write; encrypted-media; picture-in-picture; web-share" '
            'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe></div>']


def _block(text: str, start: int, end: int, lines: list[str]) -> tuple[int, int, str]:
    """Replace the line(s) holding `text[start:end]` with `lines` (blocks of Markdown), in the
    same container (blockquote, list item) and apart from the text around them."""
    head = text.rfind("\n", 0, start) + 1
    tail = text.find("\n", end)
    tail = len(text) if tail < 0 else tail
    lead, after = text[head:start], text[end:tail].strip()
    box = _CONTAINER.match(lead)
    assert box is not None  # it matches the empty string
    quote, item = box["quote"], box["item"] or ""
    cont = quote + " " * len(item)
    blank = cont.rstrip()
    out: list[str] = []
    if lead[box.end():].strip():  # text before it on the line: its own paragraph
        out += [lead.rstrip(), blank]
        lead = cont
    elif not item and head and _quotes(_previous_line(text, head)) > quote.count(">"):
        out.append(blank)  # a blockquote ends above: `> [!NOTE]` would join it
    out.append(lead + lines[0])
    out += [cont + line for line in lines[1:]]
    if after:
        out += [blank, cont + after]
    elif tail < len(text) and not _NOT_LAZY.match(text, tail + 1):
        out.append(blank)  # a paragraph below would be read as part of the block
    return head, tail, "\n".join(out)


def _previous_line(text: str, head: int) -> str:
    return text[text.rfind("\n", 0, head - 1) + 1:head - 1]


def _quotes(line: str) -> int:
    box = _CONTAINER.match(line)
    return box["quote"].count(">") if box and line.strip() else 0


def _code_ranges(text: str, safe: bool) -> list[tuple[int, int]]:
    """The character ranges of code blocks and code spans, sorted: never translated."""
    from .markdown import code_lines

    offsets = [0] + [m.end() for m in re.finditer("\n", text)] + [len(text)]
    blocks = sorted((offsets[min(a, len(offsets) - 1)], offsets[min(b, len(offsets) - 1)])
                    for a, b in code_lines(text, safe))
    ranges: list[tuple[int, int]] = []
    free = 0
    for lo, hi in blocks + [(len(text), len(text))]:
        if lo > free:
            ranges += _code_spans(text, free, lo)
        if hi > lo:
            ranges.append((lo, hi))
        free = max(free, hi)
    return ranges


def _code_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Backtick code spans in `text[lo:hi]` (CommonMark: a run of n backticks up to the next
    run of exactly n, within one paragraph; a backslash before the run escapes it)."""
    spans: list[tuple[int, int]] = []
    at = lo
    while (tick := _BACKTICKS.search(text, at, hi)) is not None:
        slashes = 0
        while tick.start() - slashes > lo and text[tick.start() - slashes - 1] == "\\":
            slashes += 1
        if slashes % 2:
            at = tick.start() + 1
            continue
        stop = _BLANK_LINE.search(text, tick.end(), hi)
        limit = stop.start() if stop else hi
        size = len(tick[0])
        close = next((m for m in _BACKTICKS.finditer(text, tick.end(), limit)
                      if len(m[0]) == size), None)
        if close is None:
            at = tick.end()
            continue
        spans.append((tick.start(), close.end()))
        at = close.end()
    return spans
