"""Assemble the `Site` from every read document: URLs, collections, tags, neighbours.

This runs on every build from the full document set (never cached), which is what keeps list
pages, tags and previous/next links right after any edit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..model.documents import Document, Meta, Rendered, Site, Source
from ..model.errors import PortfolioError, SourceError
from ..model.urls import is_safe_slug, slugify
from ..sources.discover import asset_url_path
from ..sources.frontmatter import date_from_filename, folder_title
from .routes import DOCUMENT_DIRS, OWN_FILES, OWN_FOLDERS, RESERVED, reserved_by

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
    folder_index = stem.lower() in ("index", "readme", "main") and len(path.parts) > 2
    if source.role == "overview" or (folder_index and source.role != "chapter"):
        stem = path.parent.name
    return slugify(date_from_filename(stem)[1])


def document_url(source: Source, slug: str) -> str:
    """The URL path of a document, relative to the base path."""
    if source.group:  # a project of several notebooks: projects/NAME/ and its chapters
        base = f"{DOCUMENT_DIRS['project']}/{slugify(source.group.split('/')[-1])}/"
        if source.role == "overview":
            return base
        path = PurePosixPath(source.rel_path)
        below = "".join(f"{slugify(p)}/" for p in path.parent.parts[2:])
        if path.stem.lower() == "index" and below:
            return base + below  # projects/NAME/part-1/index.ipynb is the page of part-1
        return f"{base}{below}{slug}/"
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


def make_documents(reads: list[tuple[Source, Meta, Rendered]], root: Path
                   ) -> tuple[list[Document], list[PortfolioError]]:
    """Give every document read its slug and URL; an unsafe slug is an error for that one.

    A project of several notebooks without an overview file gets one made from its folder's
    name and its first chapter."""
    documents: list[Document] = []
    errors: list[PortfolioError] = []
    for source, meta, rendered in reads:
        try:
            documents.append(make_document(source, meta, rendered))
        except PortfolioError as exc:
            errors.append(exc)
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.source.group:
            groups.setdefault(doc.source.group, []).append(doc)
    for folder, members in sorted(groups.items()):
        if any(d.source.role == "overview" for d in members):
            continue
        chapters = order_chapters(members)
        source = Source(folder + "/", root / folder, "project", "folder", group=folder,
                        role="overview")
        meta = Meta(title=folder_title(folder.split("/")[-1]),
                    date=max((d.date for d in chapters if d.date), default=None),
                    summary=chapters[0].meta.summary or chapters[0].rendered.summary,
                    tags=tuple(dict.fromkeys(t for d in chapters for t in d.meta.tags)))
        documents.append(make_document(source, meta, Rendered(html="")))
    return documents, errors


def natural_key(path: str) -> tuple[tuple[int, int, str], ...]:
    """Sort `01.2-a` before `01.10-b` and `chapter-9` before `chapter-10`, as a reader does."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t.lower())
                 for t in re.split(r"(\d+)", path) if t)


def explicit_order(doc: Document) -> tuple[int, int]:
    """Documents with an `order:` come first, by it; the rest after them (`order: 1` means
    first, not after every document that has none)."""
    return (0, doc.meta.order) if doc.meta.order else (1, 0)


def order_chapters(chapters: list[Document]) -> list[Document]:
    """A project's chapters in reading order: `order:` first, then the file path (numbers
    compared as numbers)."""
    return sorted((d for d in chapters if d.source.role == "chapter"),
                  key=lambda d: (*explicit_order(d), natural_key(d.source.rel_path)))


_SLUG_HINT = "give it another 'slug:' in its front matter"


def check_collisions(documents: list[Document], assets: Collection[str] = ()
                     ) -> tuple[list[Document], list[PortfolioError]]:
    """Two sources that would write the same page (also when only the case differs), or a page
    that would be a folder where the site, another page or a static file (`assets`) has a
    file: the error names both, and only the first is kept (so `--keep-going` builds the
    rest). Checked before anything is rendered or written."""
    errors: list[PortfolioError] = []
    seen: dict[str, Document] = {}
    for doc in documents:
        key = doc.url.lower()
        first = key.split("/", 1)[0]
        if doc.kind == "page" and (first in RESERVED or doc.url == ""):
            taken = reserved_by(first or "index.html")
            errors.append(SourceError(f"the page URL /{doc.url} is reserved for the site's own "
                                      f"pages: it collides with {taken}", doc.source.rel_path,
                                      hint=_SLUG_HINT))
            continue
        own = next((f for f in OWN_FOLDERS if key.startswith(f)), None)
        if own is not None:  # e.g. a post with `slug: page/2`, and the blog's second page
            errors.append(SourceError(f"the URL /{doc.url} collides with the site's own pages "
                                      f"/{OWN_FOLDERS[own]}", doc.source.rel_path,
                                      hint=_SLUG_HINT))
            continue
        if key in seen:
            other = seen[key]
            errors.append(SourceError(
                f"{doc.source.rel_path} and {other.source.rel_path} would both be published "
                f"at /{doc.url}", doc.source.rel_path,
                hint="give one of them another 'slug:' in its front matter"))
        else:
            seen[key] = doc
    crossing = _through_files(list(seen.values()), assets)
    crossing.update(_figures_over_files(list(seen.values()), assets))
    errors += crossing.values()
    return [d for d in seen.values() if d.url not in crossing], errors


def _figures_over_files(documents: list[Document], assets: Collection[str]
                        ) -> dict[str, PortfolioError]:
    """A notebook's extracted figure (`output_3_0.png`) at the path of a static file beside
    it: without this, the writer could only say that two outputs meet at one path."""
    files = {asset_url_path(rel).lower(): rel for rel in assets}
    found: dict[str, PortfolioError] = {}
    for doc in documents:
        for asset in doc.rendered.assets:
            rel = files.get(f"{doc.url}{asset.path}".lower())
            if rel is not None and doc.url not in found:
                found[doc.url] = SourceError(
                    f"its output /{doc.url}{asset.path} would overwrite the file {rel}",
                    doc.source.rel_path, hint=f"rename {rel}, or give the notebook another "
                    "'slug:'")
    return found


def _through_files(documents: list[Document], assets: Collection[str]
                   ) -> dict[str, PortfolioError]:
    """Documents whose page would be written inside a folder that is a file of the site (its
    own, another page, a document's figure, a static file), by URL: `slug: index.html`."""
    files = {path.lower(): "the site's own page" for path in OWN_FILES}
    for doc in documents:
        files[f"{doc.url}index.html".lower()] = f"the page of {doc.source.rel_path}"
        for asset in doc.rendered.assets:
            files.setdefault(f"{doc.url}{asset.path}".lower(), f"a file of {doc.source.rel_path}")
    for rel in assets:
        files.setdefault(asset_url_path(rel).lower(), f"the file {rel}")
    found: dict[str, PortfolioError] = {}
    for doc in documents:
        parts = doc.url.lower().rstrip("/").split("/")
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if folder in files:
                found[doc.url] = SourceError(
                    f"the URL /{doc.url} collides with /{folder}, {files[folder]}: a file "
                    "cannot also be a folder", doc.source.rel_path, hint=_SLUG_HINT)
                break
    return found


def assemble(config: Config, documents: list[Document], *, today: dt.date, drafts: bool = False,
             build_date: dt.datetime | None = None, data: dict[str, Any] | None = None) -> Site:
    """Drop drafts and future posts, sort, group by tag, link neighbours and chapters.

    A project of several notebooks counts once among the projects (its overview); its
    chapters are reached from it."""
    visible = [d for d in documents
               if (drafts or not d.meta.draft)
               and (drafts or d.kind != "post" or d.date is None or d.date <= today)]
    posts = sorted((d for d in visible if d.kind == "post"),
                   key=lambda d: (d.date or dt.date.min, d.slug), reverse=True)
    projects = sorted((d for d in visible if d.kind == "project"
                       and d.source.role != "chapter"),
                      key=lambda d: (*explicit_order(d), -(d.date or dt.date.min).toordinal(),
                                     natural_key(d.source.rel_path)))
    pages = sorted((d for d in visible if d.kind == "page"), key=lambda d: d.url)
    chapters: dict[str, tuple[Document, ...]] = {}
    project_of: dict[str, Document] = {}
    chapter_nav: dict[str, tuple[Document | None, Document | None]] = {}
    by_group: dict[str, list[Document]] = {}
    for doc in visible:
        if doc.source.role == "chapter":
            by_group.setdefault(doc.source.group, []).append(doc)
    for overview in projects:
        if overview.source.role != "overview":
            continue
        members = order_chapters(by_group.get(overview.source.group, []))
        chapters[overview.url] = tuple(members)
        for index, doc in enumerate(members):
            project_of[doc.url] = overview
            chapter_nav[doc.url] = (members[index - 1] if index > 0 else None,
                                    members[index + 1] if index + 1 < len(members) else None)
    in_order = [d for members in chapters.values() for d in members]
    by_tag: dict[str, _TagGroup] = {}
    for doc in [*posts, *projects, *in_order]:
        for tag in doc.meta.tags:
            slug = slugify(tag)
            by_tag.setdefault(slug, _TagGroup(tag)).docs.append(doc)
    tags = tuple((group.name, slug, tuple(group.docs)) for slug, group in sorted(by_tag.items()))
    neighbours: dict[str, tuple[Document | None, Document | None]] = {}
    for index, doc in enumerate(posts):
        newer = posts[index - 1] if index > 0 else None
        older = posts[index + 1] if index + 1 < len(posts) else None
        neighbours[doc.url] = (older, newer)
    return Site(config=config, documents=tuple([*posts, *projects, *in_order, *pages]),
                posts=tuple(posts), projects=tuple(projects), pages=tuple(pages), tags=tags,
                build_date=build_date, neighbours=neighbours, chapters=chapters,
                project_of=project_of, chapter_nav=chapter_nav, data=dict(data or {}))


def chapter_parts(members: tuple[Document, ...]) -> list[tuple[str, list[Document]]]:
    """A book's chapters grouped by the sub-folder they are in (`projects/book/02-models/..`
    is part 'Models'), in reading order; [] when all are in one folder (no parts to show)."""
    parts: list[tuple[str, list[Document]]] = []
    for doc in members:
        inner = doc.source.rel_path[len(doc.source.group) + 1:].split("/")[:-1]
        title = part_title(inner[0]) if inner else ""
        if parts and parts[-1][0] == title:
            parts[-1][1].append(doc)
        else:
            parts.append((title, [doc]))
    return parts if len(parts) > 1 else []


def part_title(folder: str) -> str:
    """`02-supervised_learning` -> 'Supervised learning': the number orders, the words name."""
    words = re.sub(r"^[\d\s._-]+(?=\D)", "", folder)
    words = re.sub(r"[_\s-]+", " ", words).strip()
    return words[:1].upper() + words[1:] if words else folder
