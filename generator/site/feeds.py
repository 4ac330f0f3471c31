"""The Atom feed and the sitemap, built with ElementTree so that every value is escaped."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable

from ..model.documents import Document, Site
from ..model.urls import absolute_url
from .routes import FEED, sitemap_urls

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_LIMIT = 20  # the feed's entries (the follow page lists the same ones)


def _stamp(day: dt.date | None) -> str:
    day = day or dt.date(1970, 1, 1)
    return f"{day.isoformat()}T00:00:00Z"


def _changed(doc: Document) -> dt.date | None:
    """When a document last changed: its `updated` date, else its `date`."""
    return doc.meta.updated or doc.date


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return (b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")
            + b"\n")


def feed_entries(site: Site, limit: int = FEED_LIMIT) -> list[Document]:
    """The feed's entries: the dated posts and projects, the last changed first."""
    return sorted((d for d in (*site.posts, *site.projects) if d.date is not None),
                  key=lambda d: (_changed(d), d.url), reverse=True)[:limit]


def atom_feed(site: Site, body: Callable[[Document, str], str],
              limit: int = FEED_LIMIT) -> bytes:
    """The latest posts and projects as Atom, with absolute URLs and full content.

    `body(doc, html)` gives a post's HTML as its page shows it (links resolved)."""
    config = site.config
    origin, base = config.site_origin, config.base_path
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = config.title
    if config.description:
        ET.SubElement(feed, f"{{{ATOM}}}subtitle").text = config.description
    home = absolute_url(origin, base, "")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = home
    ET.SubElement(feed, f"{{{ATOM}}}link", href=home)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self",
                  href=absolute_url(origin, base, FEED.path))
    entries = feed_entries(site, limit)
    newest = max(filter(None, map(_changed, entries)), default=None)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _stamp(newest)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = config.author.name
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "portfolio"
    for doc in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = absolute_url(origin, base, doc.url)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = doc.title
        ET.SubElement(entry, f"{{{ATOM}}}link", href=url)
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _stamp(doc.date)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(_changed(doc))
        for tag in doc.meta.tags:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=tag)
        summary = doc.meta.summary or doc.rendered.summary
        if summary:
            ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
        if doc.kind == "post":
            content = ET.SubElement(entry, f"{{{ATOM}}}content", type="html")
            content.text = body(doc, doc.rendered.body())
    return _xml(feed)


def sitemap(site: Site) -> bytes:
    config = site.config
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    paths: list[tuple[str, dt.date | None]] = [
        (url, None) for url in sitemap_urls([slug for _, slug, _ in site.tags], site.data)]
    paths += [(d.url, _changed(d)) for d in site.documents]
    for path, day in sorted(set(paths), key=lambda p: p[0]):
        node = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(node, f"{{{SITEMAP}}}loc").text = absolute_url(config.site_origin,
                                                                     config.base_path, path)
        if day:
            ET.SubElement(node, f"{{{SITEMAP}}}lastmod").text = day.isoformat()
    return _xml(urlset)
