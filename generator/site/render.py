"""From a `Site` and a theme to the list of `Output` files: a pure function of its arguments.

Every link a template emits goes through `url()`, which adds the base path, so the same site
works at a domain root and under `https://USER.github.io/REPO/`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from markupsafe import Markup

from ..incremental.cache import blob_digest, verified_blob
from ..incremental.keys import BuildKeys
from ..incremental.reuse import PreviousOutputs, page_key
from ..incremental.store import State
from ..model.distribution import HOMEPAGE
from ..model.documents import Asset, Document, Output, Site
from ..model.errors import Diagnostic
from ..model.links import PLACEHOLDER, scrub_urls
from ..model.urls import (
    absolute_url,
    is_safe_url,
    notebook_links,
    relative_target,
    repo_url,
    slugify,
    url_for,
)
from ..sources.discover import asset_url_path
from . import routes
from .activity import heatmap
from .assemble import chapter_parts
from .cards import TitleCards, chosen_figure
from .feeds import atom_feed, feed_entries, sitemap
from .images import ImageSizes, Source
from .learning import learned_from_links, learning_outputs, with_learning_links
from .mathfonts import preload_math_fonts
from .resume import resume_date, resume_outputs, with_resume_link
from .styles import code_css
from .template_errors import RENDER_ERRORS, template_error
from .themes import PLOTLY_CDN, PLOTLY_JS


class Renderer:
    """Holds the per-build lookups (URLs of sources and assets) while rendering pages."""

    def __init__(self, site: Site, env: jinja2.Environment, asset_paths: list[str],
                 static: dict[str, Path], keys: BuildKeys,
                 previous: PreviousOutputs | None = None) -> None:
        self.site, self.env, self.config = site, env, site.config
        self.previous = previous
        self._view_keys: dict[int, str] = {}
        self.base = self.config.base_path
        self.static = static
        self.diagnostics: list[Diagnostic] = []
        self.targets: dict[str, str] = {rel: asset_url_path(rel) for rel in asset_paths}
        for doc in site.documents:
            self.targets[doc.source.rel_path] = doc.url
        self.asset_paths = asset_paths
        self.cards = TitleCards.of_build(State(self.config.root), keys.code, previous)
        self.card_outputs: list[Output] = []  # the title cards the pages show
        self.files: dict[str, Source] = {**{asset_url_path(r): self.config.root / r
                                            for r in asset_paths}, **static}
        for doc in site.documents:
            self.files.update({doc.url + a.path: a.src or a.data or b"" for a in
                               doc.rendered.assets})
        self.images = ImageSizes(self.base, self.files.get)
        site_context = self.site_context()
        now_year = (site.build_date or dt.datetime(1970, 1, 1)).year
        env.globals.update(url=self.url, absolute_url=self.absolute_url, site=site_context,
                           now_year=now_year, generator={"name": "portfolio",
                                                         "url": HOMEPAGE})
        env.globals["plotly_js"] = self.url(PLOTLY_JS) if PLOTLY_JS in static else PLOTLY_CDN
        env.filters.update(url=self.url, absolute_url=self.absolute_url, date=_format_date,
                           resume_date=resume_date)
        # What every page depends on besides its own context: a change here renders them all.
        self.base_key = page_key(keys.code, keys.theme, keys.config, site_context, now_year)

    # -- helpers exposed to templates -------------------------------------------------------
    def url(self, path: str) -> str:
        if not is_safe_url(path):
            return "#"
        return url_for(self.base, path)

    def absolute_url(self, path: str) -> str:
        return absolute_url(self.config.site_origin, self.base, path)

    def site_context(self) -> dict[str, Any]:
        config = self.config
        author = config.author
        links = [{"name": name, "url": href if is_safe_url(href) else "#"}
                 for name, href in author.links]
        return {
            "title": config.title, "description": config.description, "url": config.url,
            "base_path": self.base, "language": config.language,
            "author": {"name": author.name, "bio": author.bio, "email": author.email,
                       "avatar": self._avatar(), "links": links},
            "menu": with_learning_links(self.site, with_resume_link([{
                "title": m.title, "url": self.url(m.url)} for m in config.menu],
                self.url("resume/")), self.url),
            "github": config.github, "feed_url": self.url(routes.FEED.path),
            "follow_url": self.url(routes.page_url(routes.FOLLOW)),
            "search_url": self.url(routes.page_url(routes.SEARCH)) if config.search else "",
        }

    def _avatar(self) -> str:
        avatar = self.config.author.avatar
        if not avatar or re.match(r"^https?://", avatar):
            return avatar
        rel = PurePosixPath(avatar).as_posix().lstrip("./")
        if rel in self.targets:
            return self.url(self.targets[rel])
        self.diagnostics.append(Diagnostic(f"author.avatar '{avatar}' not found", "portfolio.yml"))
        return ""

    # -- documents ----------------------------------------------------------------------------
    def resolve_links(self, doc: Document, html: str) -> str:
        """Turn the readers' link placeholders into base-path URLs."""
        def replace(match: re.Match[str]) -> str:
            target = match[1]
            if target in self.targets:
                return self.url(self.targets[target])
            return self.url(target)

        return scrub_urls(PLACEHOLDER.sub(replace, html))  # S3: even in raw HTML

    def body(self, doc: Document) -> str:
        """A document's HTML as its page shows it: read (from the cache) and links resolved."""
        return self.resolve_links(doc, doc.rendered.body())

    def link_report(self, doc: Document) -> list[tuple[str, str | None]]:
        """Where each of the document's links to other sources points (None: nowhere); warns
        about broken ones. This is all a page's body depends on besides its own HTML."""
        resolved = []
        for target, line in doc.rendered.links:
            url = self.targets.get(target)
            if url is None and not target.endswith(("/", "index.html")):
                self.diagnostics.append(Diagnostic(f"broken link to '{target}'",
                                                   doc.source.rel_path, line or None))
            resolved.append((target, url))
        return resolved

    def doc_context(self, doc: Document) -> dict[str, Any]:
        meta = doc.meta
        image, fit = self._image(doc)
        ctx: dict[str, Any] = {
            "title": meta.title, "url": self.url(doc.url), "path": doc.url, "kind": doc.kind,
            "date": meta.date, "updated": meta.updated, "summary": meta.summary or
            doc.rendered.summary, "tags": [{"name": t, "url": self._tag_url(slugify(t))}
                                           for t in meta.tags],
            "reading_time": doc.reading_time, "is_notebook": doc.is_notebook,
            "featured": meta.featured, "draft": meta.draft, "toc": list(doc.rendered.toc)
            if meta.toc else [], "has_math": doc.rendered.has_math,
            "has_plotly": doc.rendered.has_plotly, "scripts": list(doc.rendered.scripts),
            "image": image, "image_fit": fit, "results": list(meta.results),
            "demo_url": meta.demo if is_safe_url(meta.demo) else "",
            "repo_url": repo_url(meta.repo) if meta.repo and doc.source.format == "markdown"
            else "", "colab_url": "", "github_url": "", "download_url": "",
            "extra": dict(meta.extra),
            "chapter_count": len(self.site.chapters.get(doc.url, ())),
            # the page's own lede: only a summary the author wrote (an automatic one is the
            # body's first paragraph, which the reader is about to read anyway)
            "lede": meta.summary,
            "cover": bool(meta.image),  # the author chose the image: show it on the page
            "learned_from": learned_from_links(self.site, doc, self.url),
        }
        if doc.is_notebook:
            ctx["download_url"] = self.url(doc.url + PurePosixPath(doc.source.rel_path).name)
            links = self._notebook_links(doc)
            if links and meta.badges:
                ctx["colab_url"], ctx["github_url"] = links["colab"], links["github"]
        return ctx

    def _notebook_links(self, doc: Document) -> dict[str, str] | None:
        meta, gh = doc.meta, self.config.github
        if meta.repo:
            owner, _, name = meta.repo.partition("/")
            return notebook_links(owner, name, meta.branch or "main",
                                  meta.path or doc.source.rel_path)
        if not gh.configured:
            return None
        return notebook_links(gh.owner, gh.repo, meta.branch or gh.branch,
                              meta.path or self.config.repo_prefix + doc.source.rel_path)

    def _image(self, doc: Document) -> tuple[str, str]:
        """The card's image and its fit ("cover": at the card's ratio; "svg", "author": shown
        whole): the author's `image:`, else the chosen figure, else a project's title card."""
        if doc.meta.image:
            return self._author_image(doc, doc.meta.image), "author"
        figure = chosen_figure(doc, self.site.chapters.get(doc.url, ()))
        if figure:
            return self.url(figure), "svg" if figure.endswith(".svg") else "cover"
        # a card for what is shown as a card: projects, and chapters featured on their own
        card = self.cards.output(doc) if doc.kind == "project" and (
            doc.source.role != "chapter" or doc.meta.featured) else None
        if card is None:
            return "", "cover"
        self.card_outputs.append(card)
        self.files[card.path] = card.src or card.data or b""
        return self.url(card.path), "cover"

    def _author_image(self, doc: Document, image: str) -> str:
        if re.match(r"^https?://", image):
            return image
        if not is_safe_url(image):
            return ""
        target = relative_target(doc.source.rel_path, image)
        if target and target in self.targets:
            return self.url(self.targets[target])
        root_rel = image.lstrip("/")
        if root_rel in self.targets:
            return self.url(self.targets[root_rel])
        self.diagnostics.append(Diagnostic(f"image '{image}' not found", doc.source.rel_path))
        return ""

    def _chapters(self, doc: Document, views: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """What a project page of several notebooks shows besides its own body: the project
        (on a chapter), its chapters in order, and the chapters before and after this one."""
        site = self.site
        project = site.project_of.get(doc.url)
        members = site.chapters.get(project.url if project else doc.url, ())
        previous, following = site.chapter_nav.get(doc.url, (None, None))
        return {"project": views[project.url] if project else None,
                "chapters": [views[d.url] for d in members],
                "parts": [{"title": title, "chapters": [views[d.url] for d in docs]}
                          for title, docs in chapter_parts(members)],
                "chapter_number": next((n for n, d in enumerate(members, 1) if d is doc), 0),
                "prev_chapter": views[previous.url] if previous else None,
                "next_chapter": views[following.url] if following else None}

    # -- pages --------------------------------------------------------------------------------
    def page(self, template: str, path: str, *, content: Callable[[], str] | None = None,
             content_key: object = None, **context: Any) -> Output:
        """Render one page, or keep last build's file when nothing it shows has changed.

        `content` (the document body) is produced only when the page is rendered; its key is
        `content_key`, which must change whenever it would."""
        key = page_key(self.base_key, template, path, content_key, self._keyable(context))
        if self.previous is not None:
            kept = self.previous.keep(path, key)
            if kept is not None:
                return kept
        if content is not None:
            context["content"] = Markup(content())
        try:
            html = self.env.get_template(template).render(page_path=path, **context)
        except RENDER_ERRORS as exc:
            raise template_error(exc, template) from None  # a theme's mistake, by its line
        data = preload_math_fonts(self.images.fill(html, path), self.url).encode("utf-8")
        # the sha1 names the page for the checks' memo and for the next build's records
        return Output(path, data=data, key=key, digest=hashlib.sha1(data).hexdigest())

    def _keyable(self, value: Any) -> Any:
        """`value` with each document view replaced by its digest (views recur on many pages)."""
        if isinstance(value, dict):
            digest = self._view_keys.get(id(value))
            return digest or {k: self._keyable(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._keyable(v) for v in value]
        return value

    def asset(self, doc: Document, asset: Asset) -> Output:
        """A file a document brings (a notebook figure); kept from the last build when its
        content-addressed blob is the same (a blob copied anew is verified first)."""
        path = doc.url + asset.path
        digest = blob_digest(asset.src) if asset.src is not None else None
        if digest is None or asset.src is None:
            return Output(path, data=asset.data, src=asset.src)
        key = "blob:" + digest
        kept = self.previous.keep(path, key) if self.previous is not None else None
        return kept or Output(path, src=verified_blob(asset.src), key=key)

    def render(self) -> list[Output]:
        site, outputs = self.site, []
        views = {doc.url: self.doc_context(doc) for doc in site.documents}
        self._view_keys = {id(view): "view:" + page_key(view) for view in views.values()}
        for doc in site.documents:
            view = views[doc.url]
            older, newer = site.neighbours.get(doc.url, (None, None))
            template = routes.DOCUMENT_TEMPLATES[doc.kind]
            body_key = [doc.rendered.digest(), self.link_report(doc)]
            outputs.append(self.page(
                template, doc.url + "index.html", doc=view,
                content=partial(self.body, doc),
                content_key=body_key,
                older=views[older.url] if older else None,
                newer=views[newer.url] if newer else None,
                **self._chapters(doc, views)))
            outputs += [self.asset(doc, asset) for asset in doc.rendered.assets]
        outputs += self.card_outputs
        posts = [views[d.url] for d in site.posts]
        projects = [views[d.url] for d in site.projects]
        chapters = [views[d.url] for members in site.chapters.values() for d in members]
        # a chapter counts with its project, but can be featured on its own
        featured = [p for p in projects + chapters if p["featured"]] or projects[:3]
        outputs.append(self._route(routes.HOME, featured=featured[:6], posts=posts[:5],
                                   projects=projects, activity=heatmap(site, self.url)))
        outputs += self._paginated(posts)
        outputs.append(self._route(routes.GALLERY, projects=projects))
        tags = [{"name": name, "slug": slug, "url": self._tag_url(slug), "count": len(docs)}
                for name, slug, docs in site.tags]
        outputs.append(self._route(routes.TAGS, tags=tags))
        for name, slug, docs in site.tags:
            outputs.append(self._route(routes.TAG, {"slug": slug}, tag=name,
                                       items=[views[d.url] for d in docs]))
        outputs.append(self._route(routes.NOT_FOUND))
        if self.config.search:  # the index itself is made on the staged site (output/search.py)
            outputs.append(self._route(routes.SEARCH))
        outputs += resume_outputs(site, self._route, self.url, self.absolute_url)
        outputs += learning_outputs(site, self._route, self.url, self.absolute_url,
                                    self.diagnostics)
        outputs.append(Output(routes.FEED.path, data=atom_feed(site, self.resolve_links)))
        outputs.append(self._route(routes.FOLLOW, feed=self.absolute_url(routes.FEED.path),
                                   entries=[views[d.url] for d in feed_entries(site)]))
        outputs.append(Output(routes.SITEMAP.path, data=sitemap(site)))
        robots = "User-agent: *\nAllow: /\n\nSitemap: " \
            f"{self.absolute_url(routes.SITEMAP.path)}\n"
        outputs.append(Output(routes.ROBOTS.path, data=robots.encode()))
        outputs.append(Output(routes.NOJEKYLL.path, data=b""))
        if self.config.cname:
            outputs.append(Output(routes.CNAME.path, data=(self.config.cname + "\n").encode()))
        outputs.append(Output(routes.PYGMENTS_CSS.path, data=code_css(
            self.config.pygments_style, self.config.pygments_dark_style)))
        outputs += [Output(path, src=src) for path, src in self.static.items()]
        outputs += [Output(asset_url_path(rel), src=self.config.root / rel)
                    for rel in self.asset_paths]
        return outputs

    def _tag_url(self, slug: str) -> str:
        return self.url(routes.page_url(routes.TAG, slug=slug))

    def _route(self, route: routes.Route, values: dict[str, object] | None = None,
               **context: Any) -> Output:
        """One of the site's own pages (routes.py), rendered from its template."""
        return self.page(route.template, routes.output_path(route, **(values or {})), **context)

    def _paginated(self, posts: list[dict[str, Any]]) -> list[Output]:
        per = self.config.posts_per_page
        total = max(1, math.ceil(len(posts) / per))

        def route(number: int) -> routes.Route:
            return routes.BLOG if number == 1 else routes.BLOG_PAGE

        out = []
        for number in range(1, total + 1):
            prev_url = self.url(routes.page_url(route(number - 1), number=number - 1)) \
                if number > 1 else None
            next_url = self.url(routes.page_url(route(number + 1), number=number + 1)) \
                if number < total else None
            pager = {"number": number, "total": total, "prev_url": prev_url,
                     "next_url": next_url}
            out.append(self._route(route(number), {"number": number},
                                   posts=posts[(number - 1) * per:number * per], pager=pager))
        return out


def _format_date(value: dt.date | None, fmt: str = "long") -> str:
    """Locale-independent dates, so builds are byte-identical under any LC_ALL."""
    if value is None:
        return ""
    if fmt == "iso":
        return value.isoformat()
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
    if fmt == "short":
        return f"{months[value.month - 1][:3]} {value.day}, {value.year}"
    return f"{months[value.month - 1]} {value.day}, {value.year}"


def render_site(site: Site, env: jinja2.Environment, asset_paths: list[str],
                static: dict[str, Path], keys: BuildKeys,
                previous: PreviousOutputs | None = None) -> tuple[list[Output], list[Diagnostic]]:
    """Every file of the site, from the assembled site and the theme's environment."""
    renderer = Renderer(site, env, asset_paths, static, keys, previous)
    outputs = renderer.render()
    return outputs, renderer.diagnostics
