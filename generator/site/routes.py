"""The site's own pages and files: one table that the renderer, the sitemap and the check for
reserved URLs all read, so a new page type is added in one place.

A document's URL comes from its kind (`assemble.document_url`); everything else the site
publishes is listed here. Paths are relative to the base path, POSIX, without a leading `/`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

# The template of a document's page, and the folder its page is published under, by its kind
# (a plain page takes its path below content/).
DOCUMENT_TEMPLATES = {"post": "post.html", "project": "project.html", "page": "page.html"}
DOCUMENT_DIRS = {"post": "blog", "project": "projects"}


class Route(NamedTuple):
    """One page or file the site makes itself."""

    name: str  # how the renderer refers to it
    path: str  # the output file
    template: str = ""  # the Jinja template, for pages
    in_sitemap: bool = False
    needs: str = ""  # made only when the site has this data file (`Site.data`)


HOME = Route("home", "index.html", "home.html", in_sitemap=True)
BLOG = Route("blog", "blog/index.html", "list.html", in_sitemap=True)
BLOG_PAGE = Route("blog-page", "blog/page/{number}/index.html", "list.html")
GALLERY = Route("gallery", "projects/index.html", "gallery.html", in_sitemap=True)
TAGS = Route("tags", "tags/index.html", "tags.html", in_sitemap=True)
TAG = Route("tag", "tags/{slug}/index.html", "tag.html", in_sitemap=True)
NOT_FOUND = Route("404", "404.html", "404.html")
FEED = Route("feed", "feed.xml")
# what the footer's "Feed" opens: the feed's address to copy, and its latest entries; out of
# the sitemap (a utility page) but indexable
FOLLOW = Route("follow", "feed/index.html", "feed.html")
SITEMAP = Route("sitemap", "sitemap.xml")
ROBOTS = Route("robots", "robots.txt")
NOJEKYLL = Route("nojekyll", ".nojekyll")
CNAME = Route("cname", "CNAME")
PYGMENTS_CSS = Route("pygments-css", "assets/pygments.css")
RESUME = Route("resume", "resume/index.html", "resume.html", in_sitemap=True)
RESUME_JSON = Route("resume-json", "resume.json")
SEARCH = Route("search", "search/index.html", "search.html")  # with `search: true`
PAGEFIND = Route("pagefind", "pagefind/")  # the index, written by output/search.py
LEARNING = Route("learning", "learning/index.html", "learning.html", in_sitemap=True,
                 needs="learning")
LEARNING_JSON = Route("learning-json", "learning.json", needs="learning")
TIMELINE = Route("timeline", "timeline/index.html", "timeline.html", in_sitemap=True)

ROUTES: tuple[Route, ...] = (HOME, BLOG, BLOG_PAGE, GALLERY, TAGS, TAG, NOT_FOUND, FEED, FOLLOW,
                             SITEMAP, ROBOTS, NOJEKYLL, CNAME, PYGMENTS_CSS, RESUME,
                             RESUME_JSON, SEARCH, PAGEFIND, LEARNING, LEARNING_JSON, TIMELINE)
ASSETS_DIR = "assets"  # the theme's static files (and the Pygments CSS) are published here

# Templates that render a whole page (compiled early, while documents convert).
PAGE_TEMPLATES: tuple[str, ...] = tuple(dict.fromkeys(
    [*DOCUMENT_TEMPLATES.values(), *(r.template for r in ROUTES if r.template)]))

# First URL segments a plain page (content/NAME.md) may not take.
RESERVED: frozenset[str] = frozenset(
    {r.path.split("/", 1)[0] for r in ROUTES} | {ASSETS_DIR, *DOCUMENT_DIRS.values()})

# The site's own files, and the folders of its numbered or named pages (blog/page/2/,
# tags/python/): a document published at one of them, or inside one, collides with it.
OWN_FILES: frozenset[str] = frozenset(
    r.path for r in ROUTES if "{" not in r.path and not r.path.endswith("/"))
OWN_FOLDERS: dict[str, str] = {
    r.path.split("{", 1)[0]: r.path for r in ROUTES if "{" in r.path or r.path.endswith("/")}


def reserved_by(first: str) -> str:
    """What of the site's own takes the first URL segment `first` (for error messages)."""
    route = next((r.path for r in ROUTES if r.path.split("/", 1)[0] == first), None)
    if route is not None:
        return "/" + route
    kinds = {folder: kind for kind, folder in DOCUMENT_DIRS.items()}
    if first in kinds:
        return f"/{first}/, where the {kinds[first]}s are published"
    return f"/{first}/, the theme's files" if first == ASSETS_DIR else f"/{first}"


def page_url(route: Route, **values: object) -> str:
    """The URL path of a page route (its folder, with a trailing slash; "" for the home)."""
    path = route.path.format(**values)
    return path[:-len("index.html")] if path.endswith("index.html") else path


def output_path(route: Route, **values: object) -> str:
    return route.path.format(**values)


def sitemap_urls(tag_slugs: list[str], data: Collection[str] = ()) -> list[str]:
    """The site's own pages that belong in the sitemap (documents are added by the caller);
    `data`: the data files the site has (a route that `needs` another is not made)."""
    urls: list[str] = []
    for route in ROUTES:
        if not route.in_sitemap or (route.needs and route.needs not in data):
            continue
        if "{slug}" in route.path:
            urls += [page_url(route, slug=slug) for slug in tag_slugs]
        else:
            urls.append(page_url(route))
    return urls
