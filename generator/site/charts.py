"""Static SVG charts, drawn at build time: no JavaScript, colours from CSS classes (so dark
mode and forced colours restyle them), a `<title>` on every cell or bar for its tooltip, and a
text alternative (`role="img"`, `<title>` and `<desc>`) for the chart as a whole.

- `heatmap_svg`: a contribution calendar, one column a week (Monday on top), one cell a day,
  shaded by how much was published that day (levels 0-4).
- `monthly_svg`: per month, two bars: items studied against things shipped.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

LEVELS = 5  # 0 (nothing) to 4 (four things or more in a day)
CELL, STEP = 11, 14  # a day's square and the distance between squares
LEFT, TOP = 30, 18  # room for the weekday and month labels
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")


def level(count: int) -> int:
    return min(count, LEVELS - 1)


def _attr(text: str) -> str:
    return escape(text, quote=True)


def heatmap_svg(days: list[tuple[dt.date, list[str]]], weeks: int, summary: str,
                chart_id: str = "activity") -> str:
    """`days`: every day of the calendar from its first Monday to today, each with the
    descriptions of what was published that day."""
    width, height = LEFT + weeks * STEP + 12, TOP + 7 * STEP  # room for the last label
    start = days[0][0] if days else dt.date(1970, 1, 5)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap-svg" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
           f'<title id="{chart_id}-title">Activity in the last 12 months</title>',
           f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
           '<g class="hm-labels" aria-hidden="true">']
    last_label = -3
    for week in range(weeks):
        monday = start + dt.timedelta(weeks=week)
        first = next((monday + dt.timedelta(days=d) for d in range(7)
                      if (monday + dt.timedelta(days=d)).day == 1), None)
        if week == 0 and monday.day <= 8:
            first = monday  # the partial month the calendar opens with, when it has room
        if first is not None and week - last_label >= 3:
            out.append(f'<text x="{LEFT + week * STEP}" y="{TOP - 6}">'
                       f'{SHORT_MONTHS[first.month - 1]}</text>')
            last_label = week
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        out.append(f'<text x="0" y="{TOP + row * STEP + CELL - 1}">{name}</text>')
    out.append('</g><g class="hm-cells">')
    for day, published in days:
        week, row = (day - start).days // 7, day.weekday()
        count = len(published)
        when = f"{SHORT_MONTHS[day.month - 1]} {day.day}, {day.year}"
        what = "; ".join(published) if published else "nothing published"
        out.append(f'<rect class="hm-cell hm-{level(count)}" x="{LEFT + week * STEP}" '
                   f'y="{TOP + row * STEP}" width="{CELL}" height="{CELL}" rx="2" '
                   f'data-date="{day.isoformat()}" data-count="{count}">'
                   f'<title>{escape(when)}: {escape(what)}</title></rect>')
    out.append("</g></svg>")
    return "".join(out)


# the monthly chart
GROUP, BAR, PLOT, BASE, LABELS = 50, 17, 120, 20, 34  # widths and heights in px


def monthly_svg(rows: list[dict[str, Any]], summary: str, chart_id: str = "balance") -> str:
    """`rows`: one per month, oldest first, with `month` (its first day), `studied`,
    `shipped`, and the titles behind each count (`studied_titles`, `shipped_titles`)."""
    width = 2 * 8 + len(rows) * GROUP
    height = BASE + PLOT + LABELS
    top = max([1, *(max(r["studied"], r["shipped"]) for r in rows)])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="balance-svg" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
           f'<title id="{chart_id}-title">Items studied and things shipped, per month</title>',
           f'<desc id="{chart_id}-desc">{escape(summary)}</desc>']
    floor = BASE + PLOT
    out.append(f'<line class="bal-axis" x1="4" x2="{width - 4}" y1="{floor + 0.5}" '
               f'y2="{floor + 0.5}"/>')
    for index, row in enumerate(rows):
        x0 = 8 + index * GROUP + (GROUP - 2 * BAR - 4) / 2
        month: dt.date = row["month"]
        name = f"{SHORT_MONTHS[month.month - 1]} {month.year}"
        out.append(f'<g class="bal-month" data-month="{month.isoformat()[:7]}">')
        for offset, key, css, word in ((0, "studied", "bal-in", "studied"),
                                       (BAR + 4, "shipped", "bal-out", "shipped")):
            value = int(row[key])
            bar = round(PLOT * value / top, 1)
            x = x0 + offset
            titles = row.get(f"{key}_titles") or []
            noun = ("item" if key == "studied" else "thing") + ("s" if value != 1 else "")
            tip = f"{name}: {value} {noun} {word}" + (f" ({'; '.join(titles)})" if titles
                                                       else "")
            out.append(f'<rect class="{css}" x="{x}" y="{floor - bar}" width="{BAR}" '
                       f'height="{max(bar, 0)}" rx="2" data-value="{value}">'
                       f'<title>{escape(tip)}</title></rect>')
            if value:
                out.append(f'<text class="bal-value" x="{x + BAR / 2}" y="{floor - bar - 5}" '
                           f'text-anchor="middle" aria-hidden="true">{value}</text>')
        centre = 8 + index * GROUP + GROUP / 2
        out.append(f'<text class="bal-label" x="{centre}" y="{floor + 16}" '
                   f'text-anchor="middle">{SHORT_MONTHS[month.month - 1]}</text>')
        if index == 0 or month.month == 1:
            out.append(f'<text class="bal-year" x="{centre}" y="{floor + 30}" '
                       f'text-anchor="middle">{month.year}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
