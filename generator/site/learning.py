"""The learning path on the site: the `/learning/` page (progress per track, now, next, the
study-versus-ship chart and the milestones), `/learning.json` (the curriculum in a versioned
format others can fork), the `/timeline/` page, the "came out of" links on posts and projects,
and the header's "Learning" and "Now" links.

What came out of an item is what names it (`learned_from: ID` in front matter) plus what the
item lists itself (`posts:`, `projects:`: source paths, site URLs, or other web addresses).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..model.documents import Document, Output, Site
from ..model.errors import Diagnostic
from ..model.learning import FORMAT, VERSION, LearningItem, LearningPath, Track, parse_day
from ..model.urls import slugify
from . import activity, charts, routes
from .peers import on_item, on_track, peers_of, peers_section

MILESTONES = 10  # learning events the page lists, newest first
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Links:
    """Which documents came out of which items, and the problems found on the way."""

    outcomes: dict[str, list[Document | str]] = field(default_factory=dict)  # id -> docs, URLs
    sources: dict[str, list[LearningItem]] = field(default_factory=dict)  # doc URL -> items
    diagnostics: list[Diagnostic] = field(default_factory=list)


_memo: list[tuple[Site, Links]] = []  # the last site's links: every document page asks


def links_of(site: Site) -> Links:
    if _memo and _memo[0][0] is site:
        return _memo[0][1]
    found = _links(site)
    _memo[:] = [(site, found)]
    return found


def _links(site: Site) -> Links:
    path = site.data.get("learning")
    out = Links()
    items = path.by_id() if isinstance(path, LearningPath) else {}
    rel = path.rel_path if isinstance(path, LearningPath) else "content/learning.yml"
    by_place: dict[str, Document] = {}
    for doc in site.documents:
        by_place[doc.source.rel_path] = doc
        by_place[doc.url] = doc
    for item_id, item in items.items():
        found = out.outcomes.setdefault(item_id, [])
        for ref in (*item.posts, *item.projects):
            target = _resolve(site, ref, by_place)
            if target is None:
                out.diagnostics.append(Diagnostic(
                    f"'{ref}' (listed under '{item.title}') is not a post or project of this "
                    "site: write its path (content/posts/...md, projects/...) or its URL",
                    rel, item.line))
            elif target and target not in found:
                found.append(target)
    named_by: dict[str, list[str]] = {}  # doc URL -> the ids its learned_from names
    for doc in site.documents:
        for written in doc.meta.learned_from:  # an id, or an item's title
            item_id = written if written in items else slugify(written)
            if item_id not in items:
                item_id = written
                if isinstance(path, LearningPath):
                    close = difflib.get_close_matches(item_id, list(items), n=1)
                    out.diagnostics.append(Diagnostic(
                        f"learned_from: '{item_id}' is not an item of {rel}" +
                        (f" (did you mean '{close[0]}'?)" if close else ""),
                        doc.source.rel_path))
                elif "learning" not in site.data and not _has_learning_file(site):
                    out.diagnostics.append(Diagnostic(
                        f"learned_from: '{item_id}' names a learning-path item, but the site "
                        "has no content/learning.yml", doc.source.rel_path))
                continue
            named_by.setdefault(doc.url, []).append(item_id)
            if doc not in out.outcomes[item_id]:
                out.outcomes[item_id].append(doc)
    for found in out.outcomes.values():
        found.sort(key=lambda t: (isinstance(t, str), t.date if isinstance(t, Document) and
                                  t.date else parse_day("9999-12"), str(t)))
    for doc in site.documents:  # what it names first, in its order; then what lists it
        named = [items[i] for i in dict.fromkeys(named_by.get(doc.url, []))]
        named += [item for item_id, item in items.items() if item not in named and
                  any(t is doc for t in out.outcomes[item_id])]
        if named:
            out.sources[doc.url] = named
    return out


def _has_learning_file(site: Site) -> bool:
    from ..sources.learning import find_learning  # a file that failed to read (--keep-going)

    return find_learning(site.config.root) is not None


def _resolve(site: Site, ref: str, by_place: dict[str, Document]) -> Document | str | None:
    """A document of the site, another web address, "" for a file of the site that is not
    published (a draft, a future post), or None for nothing at all."""
    config = site.config
    text = ref.strip()
    home = config.site_origin + config.base_path
    if config.site_origin and text.startswith(home):
        text = text[len(home):]
    elif text.startswith(("http://", "https://")):
        return text
    text = text.removeprefix("./")
    if config.base_path != "/" and text.startswith(config.base_path):
        text = text[len(config.base_path):]
    text = text.lstrip("/")
    for key in (text, text.rstrip("/") + "/", text.removesuffix("index.html")):
        if key in by_place:
            return by_place[key]
    return "" if text and (config.root / text).is_file() else None


def date_text(started: str, finished: str, status: str) -> str:
    """'May 2026 – Jul 28, 2026', 'since May 2026', or ''."""
    def one(text: str) -> str:
        day = parse_day(text)
        if day is None:
            return ""
        month = f"{_MONTHS[day.month - 1]} {day.year}"
        return month if len(text) == 7 else f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"

    start, end = one(started), one(finished)
    if start and end:
        return start if start == end else f"{start} – {end}"
    if start:
        return f"since {start}" if status == "in-progress" else f"started {start}"
    return f"finished {end}" if end else ""


def _outcome(target: Document | str, url: Callable[[str], str]) -> dict[str, str]:
    if isinstance(target, Document):
        return {"title": target.title, "url": url(target.url), "kind": target.kind,
                "label": "Project" if target.kind == "project" else
                ("Post" if target.kind == "post" else "Page")}
    host = target.split("//", 1)[-1].split("/", 1)[0].removeprefix("www.")
    return {"title": target.split("//", 1)[-1].rstrip("/"), "url": target, "kind": "link",
            "label": host}


def item_view(track: Track, item: LearningItem, links: Links,
              url: Callable[[str], str]) -> dict[str, Any]:
    return {"id": item.id, "anchor": f"item-{item.id}", "title": item.title,
            "kind": item.kind, "status": item.status, "status_label": item.status_label,
            "url": item.url, "by": item.by, "notes": item.notes, "track": track.name,
            "host": item.url.split("//", 1)[-1].split("/", 1)[0].removeprefix("www."),
            "when": date_text(item.started, item.finished, item.status),
            "started": item.started, "finished": item.finished,
            "outcomes": [_outcome(t, url) for t in links.outcomes.get(item.id, [])],
            "page_url": url(f"learning/#item-{item.id}")}


def learning_view(site: Site, path: LearningPath, url: Callable[[str], str]) -> dict[str, Any]:
    """What the `/learning/` page shows."""
    links = links_of(site)
    peers, _ = peers_of(site)  # `peers:` in portfolio.yml, their copies in content/peers/
    tracks, now, up_next = [], [], []
    for number, track in enumerate(path.tracks, 1):
        items = [{**item_view(track, item, links, url), "peers": on_item(item, peers)}
                 for item in track.items]
        now += [i for i in items if i["status"] == "in-progress"]
        following = next((i for i in items if i["status"] == "planned"), None)
        if following:
            up_next.append(following)
        counted = track.counted
        tracks.append({"name": track.name, "summary": track.summary, "entries": items,
                       "anchor": f"track-{number}", "done": track.done, "total": counted,
                       "dropped": len(track.items) - counted, "peers": on_track(track, peers),
                       "percent": round(100 * track.done / counted) if counted else 0})
    rows = activity.monthly(site)
    studied = sum(r["studied"] for r in rows)
    shipped = sum(r["shipped"] for r in rows)
    summary = (f"Over the last 12 months, {studied} item{'s' * (studied != 1)} studied "
               f"(started or finished) and {shipped} thing{'s' * (shipped != 1)} shipped "
               "(posts and projects). The table below has the numbers per month.")
    milestones, left = [], MILESTONES  # the latest; the timeline page has them all
    for group in activity.timeline(site, url):
        shown = [e for e in group["events"] if e["kind"] in ("started", "finished", "dropped")]
        if shown and left > 0:
            milestones.append({**group, "events": shown[:left]})
            left -= len(shown[:left])
    return {"title": path.title or "Learning path", "intro": path.intro, "tracks": tracks,
            "now": now, "next": up_next, "balance": activity.balance(site),
            "chart": {"svg": charts.monthly_svg(rows, summary), "rows": rows,
                      "summary": summary},
            "milestones": milestones, "json_url": url(routes.LEARNING_JSON.path),
            "timeline_url": url(routes.page_url(routes.TIMELINE)),
            "peers": peers_section(path, peers),
            "done": sum(t["done"] for t in tracks), "total": sum(t["total"] for t in tracks)}


def learning_document(site: Site, path: LearningPath,
                      absolute_url: Callable[[str], str]) -> dict[str, Any]:
    """`/learning.json`, format `portfolio-learning` version 1 (README, "Learning path")."""
    links = links_of(site)

    def outcomes(item: LearningItem, kind: str) -> list[dict[str, str]]:
        out = []
        for target in links.outcomes.get(item.id, []):
            if isinstance(target, Document):
                if (target.kind == "project") == (kind == "projects"):
                    out.append({"title": target.title, "url": absolute_url(target.url)})
            elif target in (item.projects if kind == "projects" else item.posts):
                out.append({"title": "", "url": target})
        return out

    doc: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "title": path.title or "Learning path",
        "intro": path.intro,
        "author": {"name": site.config.author.name, "url": site.config.url},
        "source": absolute_url(routes.LEARNING_JSON.path) if site.config.url else "",
        "tracks": [{"name": track.name, "summary": track.summary, "items": [{
            "id": item.id, "title": item.title, "kind": item.kind, "status": item.status,
            "url": item.url, "by": item.by, "started": item.started or None,
            "finished": item.finished or None, "notes": item.notes,
            "posts": outcomes(item, "posts"), "projects": outcomes(item, "projects")}
            for item in track.items]} for track in path.tracks]}
    if site.build_date is not None:
        doc["generated"] = site.build_date.date().isoformat()
    return doc


def learned_from_links(site: Site, doc: Document, url: Callable[[str], str]
                       ) -> list[dict[str, Any]]:
    """The learning items a post or project came out of, for its page."""
    path = site.data.get("learning")
    if not isinstance(path, LearningPath):
        return []
    tracks = {item.id: track for track, item in path.items()}
    return [{**item_view(tracks[item.id], item, Links(), url), "outcomes": []}
            for item in links_of(site).sources.get(doc.url, [])]


def learning_outputs(site: Site, render_page: Callable[..., Output], url: Callable[[str], str],
                     absolute_url: Callable[[str], str],
                     diagnostics: list[Diagnostic]) -> list[Output]:
    """`/timeline/` always; `/learning/` and `/learning.json` when the site has a learning
    path. Problems with what items link to go to `diagnostics`."""
    import json

    diagnostics += links_of(site).diagnostics + peers_of(site)[1]
    out = [render_page(routes.TIMELINE, timeline=activity.timeline(site, url),
                       activity=activity.heatmap(site, url),
                       learning_url=url(routes.page_url(routes.LEARNING))
                       if isinstance(site.data.get("learning"), LearningPath) else "")]
    path = site.data.get("learning")
    if isinstance(path, LearningPath):
        text = json.dumps(learning_document(site, path, absolute_url), indent=2,
                          ensure_ascii=False) + "\n"
        out += [render_page(routes.LEARNING, learning=learning_view(site, path, url)),
                Output(routes.LEARNING_JSON.path, data=text.encode("utf-8"))]
    return out


def with_learning_links(site: Site, menu: list[dict[str, str]], url: Callable[[str], str]
                        ) -> list[dict[str, str]]:
    """The header's menu with "Learning" (when the site has a learning path, before "Résumé"
    or "About") and "Now" (when there is a page at /now/, last), unless already there."""
    urls = {item["url"] for item in menu}
    out = list(menu)
    learning = url(routes.page_url(routes.LEARNING))
    if isinstance(site.data.get("learning"), LearningPath) and learning not in urls:
        at = next((i for i, item in enumerate(out)
                   if item["title"].lower() in ("résumé", "resume", "about")), len(out))
        out.insert(at, {"title": "Learning", "url": learning})
    now = url("now/")
    if any(page.url == "now/" for page in site.pages) and now not in urls:
        out.append({"title": "Now", "url": now})
    return out
