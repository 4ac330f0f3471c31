"""What the learner did, when: posts and projects published, learning items started and
finished, as one list of events. The home page's heatmap, the `/timeline/` page and the
learning page's study-versus-ship chart and balance line are all read from it.

"Today" is the build date (`SOURCE_DATE_EPOCH`), so the last twelve months of a reproducible
build are the same on every machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model.documents import Site
from ..model.learning import LearningPath, month_only
from . import charts

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# what an event is, as the timeline says it
KIND_LABELS = {"post": "Post", "project": "Project", "started": "Started",
               "finished": "Finished", "dropped": "Dropped"}
SHIPPED = ("post", "project")  # exhaling: what the learner made
HEATMAP_KINDS = ("post", "project", "finished")  # what the home page's calendar counts


@dataclass(frozen=True)
class Event:
    day: dt.date
    kind: str  # a key of KIND_LABELS
    title: str
    path: str  # site-relative URL path (the learning page's anchor for learning events)
    detail: str = ""  # a learning item's kind and track
    item: str = ""  # the learning item's id, for learning events
    month_only: bool = False  # the learning.yml date gave only the month


def site_today(site: Site) -> dt.date:
    """The build's date: `SOURCE_DATE_EPOCH` when set, else today (UTC, as build.py does)."""
    stamp = site.build_date or dt.datetime.now(dt.timezone.utc)
    return stamp.date()


def events(site: Site) -> list[Event]:
    """Every dated post, project and learning milestone, oldest first."""
    out = [Event(d.date, d.kind, d.title, d.url) for d in (*site.posts, *site.projects)
           if d.date is not None]
    path = site.data.get("learning")
    if isinstance(path, LearningPath):
        for track, item in path.items():
            detail = f"{item.kind.capitalize()} · {track.name}" if item.kind != "other" \
                else track.name
            anchor = f"learning/#item-{item.id}"
            if item.start_date:
                out.append(Event(item.start_date, "started", item.title, anchor, detail,
                                 item.id, month_only(item.started)))
            if item.finish_date and item.status in ("done", "dropped"):
                kind = "finished" if item.status == "done" else "dropped"
                out.append(Event(item.finish_date, kind, item.title, anchor, detail, item.id,
                                 month_only(item.finished)))
    order = list(KIND_LABELS)
    return sorted(out, key=lambda e: (e.day, order.index(e.kind), e.title.lower()))


def month_label(day: dt.date, short: bool = False) -> str:
    name = MONTHS[day.month - 1]
    return f"{name[:3] if short else name} {day.year}"


def day_label(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1][:3]} {day.day}, {day.year}"


def describe(event: Event) -> str:
    """One event as a tooltip says it: 'Post: Bias and variance, in pictures'."""
    when = f" ({month_label(event.day)})" if event.month_only else ""
    label = "Finished" if event.kind == "finished" else KIND_LABELS[event.kind]
    return f"{label}: {event.title}{when}"


def heatmap_window(today: dt.date) -> tuple[dt.date, int]:
    """The calendar's first day (a Monday, 52 weeks before this week's) and its number of
    weeks (53: this week is the last column)."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - dt.timedelta(weeks=52), 53


def heatmap(site: Site, url: Callable[[str], str]) -> dict[str, Any]:
    """The home page's calendar: the SVG, its text alternative, and the counts."""
    today = site_today(site)
    start, weeks = heatmap_window(today)
    counted = [e for e in events(site) if e.kind in HEATMAP_KINDS and start <= e.day <= today]
    by_day: dict[dt.date, list[str]] = {}
    for event in counted:
        by_day.setdefault(event.day, []).append(describe(event))
    days = [(start + dt.timedelta(days=n), by_day.get(start + dt.timedelta(days=n), []))
            for n in range((today - start).days + 1)]
    counts = {kind: sum(1 for e in counted if e.kind == kind) for kind in HEATMAP_KINDS}
    parts = [_plural(counts["post"], "post"), _plural(counts["project"], "project"),
             _plural(counts["finished"], "finished learning item")]
    summary = (f"{len(counted)} thing{'s' * (len(counted) != 1)} published from "
               f"{day_label(start)} to {day_label(today)}: {_and(parts)}")
    busiest = max(by_day.items(), key=lambda kv: (len(kv[1]), kv[0]), default=None)
    if busiest and len(busiest[1]) > 1:
        summary += f"; the busiest day was {day_label(busiest[0])}, with {len(busiest[1])}"
    summary += "."
    return {"svg": charts.heatmap_svg(days, weeks, summary), "summary": summary,
            "total": len(counted), "counts": counts, "active_days": len(by_day),
            "timeline_url": url("timeline/"), "levels": charts.LEVELS}


def monthly(site: Site, months: int = 12) -> list[dict[str, Any]]:
    """The last `months` months (oldest first): items studied (started or finished in the
    month, each item once) and things shipped (posts and projects)."""
    today = site_today(site)
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    rows = []
    all_events = events(site)
    for first in firsts:
        inside = [e for e in all_events if (e.day.year, e.day.month) == (first.year, first.month)
                  and e.day <= today]
        studied = sorted({e.title for e in inside if e.kind in ("started", "finished",
                                                                  "dropped")}, key=str.lower)
        studied_ids = {e.item for e in inside if e.kind in ("started", "finished", "dropped")}
        shipped = [e.title for e in inside if e.kind in SHIPPED]
        rows.append({"month": first, "label": month_label(first, short=True),
                     "long_label": month_label(first), "studied": len(studied_ids),
                     "shipped": len(shipped), "studied_titles": studied,
                     "shipped_titles": shipped})
    return rows


def balance(site: Site, weeks: int = 12) -> dict[str, Any]:
    """The last `weeks` weeks in one line: items studied against things shipped."""
    today = site_today(site)
    since = today - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
    inside = [e for e in events(site) if since <= e.day <= today]
    studied = len({e.item for e in inside if e.item})
    shipped = sum(1 for e in inside if e.kind in SHIPPED)
    text = (f"last {weeks} weeks: {_plural(studied, 'item')} studied, "
            f"{_plural(shipped, 'thing')} shipped")
    return {"studied": studied, "shipped": shipped, "since": since, "weeks": weeks,
            "text": text}


def timeline(site: Site, url: Callable[[str], str]) -> list[dict[str, Any]]:
    """Every event grouped by month, newest month and newest event first."""
    groups: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for event in reversed(events(site)):
        groups.setdefault((event.day.year, event.day.month), []).append({
            "day": event.day, "kind": event.kind, "label": KIND_LABELS[event.kind],
            "title": event.title, "url": url(event.path), "detail": event.detail,
            "month_only": event.month_only,
            "when": month_label(event.day, short=True) if event.month_only
            else day_label(event.day)})
    return [{"label": month_label(dt.date(year, month, 1)), "id": f"{year}-{month:02d}",
             "events": items} for (year, month), items in groups.items()]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
