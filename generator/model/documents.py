"""The data model of a build, as plain frozen records with no I/O.

Config -> [Source] -> [Document] -> Site -> [Output]: each stage takes the previous one's records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .config import Config

Kind = Literal["post", "project", "page"]
Role = Literal["", "overview", "chapter"]
Format = str  # a reader's name: the registry in `readers/` maps file extensions to them


@dataclass(frozen=True)
class Source:
    """One input file: where it is, what it is, and how to read it."""

    rel_path: str  # POSIX, relative to the site root
    abs_path: Path
    kind: Kind
    format: Format
    # A project of several notebooks is a folder under projects/: its sources carry the
    # folder (`group`, e.g. "projects/course-a") and their `role` in it.
    group: str = ""
    role: Role = ""


@dataclass(frozen=True)
class Meta:
    """Validated front matter. Unknown keys are kept in `extra` (and warned about)."""

    title: str
    date: dt.date | None = None
    updated: dt.date | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    draft: bool = False
    slug: str = ""
    image: str = ""
    featured: bool = False
    badges: bool = True
    repo: str = ""  # owner/name of another repository holding the notebook
    branch: str = ""
    path: str = ""  # the notebook's path in that repository
    demo: str = ""
    toc: bool = False
    safe: bool | None = None
    execute: bool | None = None
    allow_errors: bool | None = None
    order: int = 0
    # headline results, `results: [{label: Test accuracy, value: 98.4%}]`: (label, value)
    results: tuple[tuple[str, str], ...] = ()
    learned_from: tuple[str, ...] = ()  # ids of learning-path items this came out of
    extra: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Asset:
    """A file a document brings along: extracted notebook output or a copied local image."""

    path: str  # output path relative to the document's folder (POSIX)
    data: bytes | None = None
    src: Path | None = None


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Rendered:
    """What a reader produces; this is what the cache stores."""

    html: str
    toc: tuple[Heading, ...] = ()
    summary: str = ""  # plain text, for cards and feeds when front matter has none
    words: int = 0
    thumbnail: str = ""  # a document-relative asset path, e.g. the first output image
    has_math: bool = False
    has_plotly: bool = False
    scripts: tuple[str, ...] = ()  # JS libraries a notebook page needs: vega5, widgets8, ...
    links: tuple[tuple[str, int], ...] = ()  # relative links to other sources, with lines
    assets: tuple[Asset, ...] = ()
    warnings: tuple[tuple[str, int | None], ...] = ()
    html_file: Path | None = None  # where the cache keeps `html`, when it was not loaded
    html_offset: int = 0  # ... and where in that file it starts
    html_sha1: str = ""

    def body(self) -> str:
        """The HTML, read from the cache only when a page is actually rendered; verified
        against its sha1 (CacheDamaged: the build converts the source again)."""
        if self.html_file is None:
            return self.html
        import hashlib
        try:
            with open(self.html_file, "rb") as handle:
                handle.seek(self.html_offset)
                data = handle.read()
        except OSError:
            data = None
        if data is None or hashlib.sha1(data).hexdigest() != self.html_sha1:
            from .errors import CacheDamaged
            raise CacheDamaged(self.html_file)
        return data.decode("utf-8", "surrogatepass")

    def digest(self) -> str:
        """sha1 of the HTML, without reading it when the cache knows it."""
        if self.html_sha1:
            return self.html_sha1
        import hashlib
        return hashlib.sha1(self.html.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Document:
    source: Source
    meta: Meta
    slug: str
    url: str  # site-relative URL path without the base path, e.g. "blog/my-post/"
    rendered: Rendered

    @property
    def kind(self) -> Kind:
        return self.source.kind

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def date(self) -> dt.date | None:
        return self.meta.date

    @property
    def reading_time(self) -> int:
        """Minutes at 220 words a minute, at least one."""
        return max(1, round(self.rendered.words / 220))

    @property
    def is_notebook(self) -> bool:
        return self.source.format == "notebook"


@dataclass(frozen=True)
class Site:
    config: Config
    documents: tuple[Document, ...]
    posts: tuple[Document, ...]
    projects: tuple[Document, ...]
    pages: tuple[Document, ...]
    tags: tuple[tuple[str, str, tuple[Document, ...]], ...]  # (tag, slug, documents)
    build_date: dt.datetime | None = None
    neighbours: dict[str, tuple[Document | None, Document | None]] = field(default_factory=dict)
    # Projects of several notebooks: each overview's chapters in reading order (by the
    # overview's URL), each chapter's project, and its (previous, next) chapters.
    chapters: dict[str, tuple[Document, ...]] = field(default_factory=dict)
    project_of: dict[str, Document] = field(default_factory=dict)
    chapter_nav: dict[str, tuple[Document | None, Document | None]] = field(
        default_factory=dict)
    # the data files, read (sources/data.py): {"resume": {...JSON Resume...}, ...}
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Output:
    """A file of the built site: bytes to write, or a source file to copy."""

    path: str  # POSIX, relative to the output root
    data: bytes | None = None
    src: Path | None = None
    key: str = ""  # what the page was rendered from, so the next build can keep it (reuse.py)
    kept: bool = False  # `src` is this same page in the previous output: hard-link it
    digest: str = ""  # sha1 of the bytes, when known without reading them (kept pages)
