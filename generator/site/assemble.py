"""Assemble the `Site` from every read document: URLs, collections, tags, neighbours.

This runs on every build from the full document set (never cached), which is what keeps list
pages, tags and previous/next links right after any edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from ..model.documents import Document, Meta, Rendered, Site, Source
from ..model.errors import PortfolioError, SourceError
from ..model.urls import is_safe_slug, slugify
from ..sources.frontmatter import date_from_filename
from .routes import DOCUMENT_DIRS, RESERVED

if TYPE_CHECKING:
    from ..model.config import Config



@dataclass
class _TagGroup:
    """One tag while grouping: its name as first written, and its documents in order."""

    name: str
    docs: list[Document] = field(default_factory=list)


def document_slug(source: Source, meta: Meta) -> str:
    """The slug from front matter, else from the file name (date prefix and index names dropped)."""
    if meta.slug:
        slug = meta.slug.strip("/")
        if not is_safe_slug(slug):
            raise SourceError(f"unsafe slug {meta.slug!r}: use lower-case letters, digits and "
                              "dashes", source.rel_path, hint="for example: slug: my-first-model")
        return slug
    path = PurePosixPath(source.rel_path)
    stem = path.stem
    if stem.lower() in ("index", "readme", "main") and len(path.parts) > 2:
        stem = path.parent.name
    return slugify(date_from_filename(stem)[1])


def document_url(source: Source, slug: str) -> str:
    """The URL path of a document, relative to the base path."""
    if source.kind in DOCUMENT_DIRS:
        return f"{DOCUMENT_DIRS[source.kind]}/{slug}/"
    parent = PurePosixPath(source.rel_path).parent.parts[1:]  # below content/
    if slug == "index" and not parent:
        return ""
    prefix = "/".join(slugify(p) for p in parent)
    if parent and PurePosixPath(source.rel_path).stem.lower() == "index" \
            and slug == slugify(parent[-1]):
        return f"{prefix}/"  # content/a/index.md is the page /a/, like a.md (B4 checks both)
    return f"{prefix}/{slug}/" if prefix else f"{slug}/"


def make_document(source: Source, meta: Meta, rendered: Rendered) -> Document:
    slug = document_slug(source, meta)
    return Document(source, meta, slug, document_url(source, slug), rendered)


def make_documents(reads: list[tuple[Source, Meta, Rendered]]
                   ) -> tuple[list[Document], list[PortfolioError]]:
    """Give every document read its slug and URL; an unsafe slug is an error for that one."""
    documents: list[Document] = []
    errors: list[PortfolioError] = []
    for source, meta, rendered in reads:
        try:
            documents.append(make_document(source, meta, rendered))
        except PortfolioError as exc:
            errors.append(exc)
    return documents, errors


def check_collisions(documents: list[Document]) -> list[PortfolioError]:
    """Two sources that would write the same page (also when only the case differs)."""
    errors: list[PortfolioError] = []
    seen: dict[str, Document] = {}
    for doc in documents:
        key = doc.url.lower()
        first = key.split("/", 1)[0]
        if doc.kind == "page" and (first in RESERVED or doc.url == ""):
            errors.append(SourceError(f"the page URL /{doc.url} is reserved for the site's own "
                                      "pages", doc.source.rel_path,
                                      hint="give it another slug: in front matter"))
            continue
        if key in seen:
            other = seen[key]
            errors.append(SourceError(
                f"{doc.source.rel_path} and {other.source.rel_path} would both be published "
                f"at /{doc.url}", doc.source.rel_path,
                hint="give one of them another 'slug:' in its front matter"))
        else:
            seen[key] = doc
    return errors


def assemble(config: Config, documents: list[Document], *, today: dt.date, drafts: bool = False,
             build_date: dt.datetime | None = None) -> Site:
    """Drop drafts and future posts, sort, group by tag, link neighbours."""
    visible = [d for d in documents
               if (drafts or not d.meta.draft)
               and (drafts or d.kind != "post" or d.date is None or d.date <= today)]
    posts = sorted((d for d in visible if d.kind == "post"),
                   key=lambda d: (d.date or dt.date.min, d.slug), reverse=True)
    projects = sorted((d for d in visible if d.kind == "project"),
                      key=lambda d: (not d.meta.featured, d.meta.order,
                                     -(d.date or dt.date.min).toordinal(), d.title.lower()))
    pages = sorted((d for d in visible if d.kind == "page"), key=lambda d: d.url)
    by_tag: dict[str, _TagGroup] = {}
    for doc in [*posts, *projects]:
        for tag in doc.meta.tags:
            slug = slugify(tag)
            by_tag.setdefault(slug, _TagGroup(tag)).docs.append(doc)
    tags = tuple((group.name, slug, tuple(group.docs)) for slug, group in sorted(by_tag.items()))
    neighbours: dict[str, tuple[Document | None, Document | None]] = {}
    for index, doc in enumerate(posts):
        newer = posts[index - 1] if index > 0 else None
        older = posts[index + 1] if index + 1 < len(posts) else None
        neighbours[doc.url] = (older, newer)
    return Site(config=config, documents=tuple([*posts, *projects, *pages]), posts=tuple(posts),
                projects=tuple(projects), pages=tuple(pages), tags=tags, build_date=build_date,
                neighbours=neighbours)
