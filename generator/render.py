"""From a `Site` and a theme to the list of `Output` files: a pure function of its arguments.

Every link a template emits goes through `url()`, which adds the base path, so the same site
works at a domain root and under `https://USER.github.io/REPO/`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from markupsafe import Markup

from .cache import blob_digest, code_digest
from .documents import Asset, Document, Output, Site
from .errors import Diagnostic, TemplateError
from .feeds import atom_feed, sitemap
from .readers.highlight import pygments_css
from .readers.markdown import LINK_PREFIX, LINK_SUFFIX
from .reuse import PreviousOutputs, page_key
from .sources import asset_url_path
from .urls import (
    absolute_url,
    is_safe_url,
    notebook_links,
    relative_target,
    repo_url,
    slugify,
    url_for,
)

_PLACEHOLDER = re.compile(re.escape(LINK_PREFIX) + r"(.*?)" + re.escape(LINK_SUFFIX))
MATHJAX = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
PLOTLY = "https://cdn.plot.ly/plotly-2.35.2.min.js"


class Renderer:
    """Holds the per-build lookups (URLs of sources and assets) while rendering pages."""

    def __init__(self, site: Site, env: jinja2.Environment, asset_paths: list[str],
                 static: dict[str, Path], previous: PreviousOutputs | None = None,
                 theme_digest: str = "") -> None:
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
        site_context = self.site_context()
        now_year = (site.build_date or dt.datetime(1970, 1, 1)).year
        env.globals.update(url=self.url, absolute_url=self.absolute_url, site=site_context,
                           now_year=now_year)
        env.filters.update(url=self.url, absolute_url=self.absolute_url, date=_format_date)
        # What every page depends on besides its own context: a change here renders them all.
        self.base_key = page_key(code_digest(), theme_digest, self.config.digest(),
                                 site_context, now_year)

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
            "menu": [{"title": m.title, "url": self.url(m.url)} for m in config.menu],
            "github": config.github, "feed_url": self.url("feed.xml"),
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
        from .sanitize import scrub_urls

        return scrub_urls(_PLACEHOLDER.sub(replace, html))  # S3: even in raw HTML

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
        ctx: dict[str, Any] = {
            "title": meta.title, "url": self.url(doc.url), "path": doc.url, "kind": doc.kind,
            "date": meta.date, "updated": meta.updated, "summary": meta.summary or
            doc.rendered.summary, "tags": [{"name": t, "url": self.url(f"tags/{slugify(t)}/")}
                                           for t in meta.tags],
            "reading_time": doc.reading_time, "is_notebook": doc.is_notebook,
            "featured": meta.featured, "draft": meta.draft, "toc": list(doc.rendered.toc)
            if meta.toc else [], "has_math": doc.rendered.has_math,
            "has_plotly": doc.rendered.has_plotly, "scripts": list(doc.rendered.scripts),
            "image": self._image(doc),
            "demo_url": meta.demo if is_safe_url(meta.demo) else "",
            "repo_url": repo_url(meta.repo) if meta.repo and doc.source.format == "markdown"
            else "", "colab_url": "", "github_url": "", "download_url": "",
            "extra": dict(meta.extra),
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

    def _image(self, doc: Document) -> str:
        image = doc.meta.image
        if image:
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
        if doc.rendered.thumbnail:
            return self.url(doc.url + doc.rendered.thumbnail)
        return ""

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
        except jinja2.TemplateError as exc:
            raise _template_error(exc, template) from None
        data = html.encode("utf-8")
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
        content-addressed blob is the same."""
        path = doc.url + asset.path
        digest = blob_digest(asset.src) if asset.src is not None else None
        if self.previous is None or digest is None:
            return Output(path, data=asset.data, src=asset.src)
        key = "blob:" + digest
        return self.previous.keep(path, key) or Output(path, src=asset.src, key=key)

    def render(self) -> list[Output]:
        site, outputs = self.site, []
        views = {doc.url: self.doc_context(doc) for doc in site.documents}
        self._view_keys = {id(view): "view:" + page_key(view) for view in views.values()}
        for doc in site.documents:
            view = views[doc.url]
            older, newer = site.neighbours.get(doc.url, (None, None))
            template = {"post": "post.html", "project": "project.html"}.get(doc.kind, "page.html")
            body_key = [doc.rendered.digest(), self.link_report(doc)]
            outputs.append(self.page(
                template, doc.url + "index.html", doc=view,
                content=lambda doc=doc: self.resolve_links(doc, doc.rendered.body()),
                content_key=body_key,
                older=views[older.url] if older else None,
                newer=views[newer.url] if newer else None))
            outputs += [self.asset(doc, asset) for asset in doc.rendered.assets]
        posts = [views[d.url] for d in site.posts]
        projects = [views[d.url] for d in site.projects]
        featured = [p for p in projects if p["featured"]] or projects[:3]
        outputs.append(self.page("home.html", "index.html", featured=featured[:6],
                                 posts=posts[:5], projects=projects))
        outputs += self._paginated(posts)
        outputs.append(self.page("gallery.html", "projects/index.html", projects=projects))
        tags = [{"name": name, "slug": slug, "url": self.url(f"tags/{slug}/"),
                 "count": len(docs)} for name, slug, docs in site.tags]
        outputs.append(self.page("tags.html", "tags/index.html", tags=tags))
        for name, slug, docs in site.tags:
            outputs.append(self.page("tag.html", f"tags/{slug}/index.html", tag=name,
                                     items=[views[d.url] for d in docs]))
        outputs.append(self.page("404.html", "404.html"))
        outputs.append(Output("feed.xml", data=atom_feed(site, self.resolve_links)))
        outputs.append(Output("sitemap.xml", data=sitemap(site)))
        robots = f"User-agent: *\nAllow: /\n\nSitemap: {self.absolute_url('sitemap.xml')}\n"
        outputs.append(Output("robots.txt", data=robots.encode()))
        outputs.append(Output(".nojekyll", data=b""))
        if self.config.cname:
            outputs.append(Output("CNAME", data=(self.config.cname + "\n").encode()))
        css = pygments_css(self.config.pygments_style, ":root") + "\n@media " \
            "(prefers-color-scheme: dark) {\n" + pygments_css(
                self.config.pygments_dark_style, ":root") + "\n}\n"
        outputs.append(Output("assets/pygments.css", data=css.encode()))
        outputs += [Output(path, src=src) for path, src in self.static.items()]
        outputs += [Output(asset_url_path(rel), src=self.config.root / rel)
                    for rel in self.asset_paths]
        return outputs

    def _paginated(self, posts: list[dict[str, Any]]) -> list[Output]:
        per = self.config.posts_per_page
        total = max(1, math.ceil(len(posts) / per))
        out = []
        for number in range(1, total + 1):
            path = "blog/" if number == 1 else f"blog/page/{number}/"
            prev_path = None if number == 1 else ("blog/" if number == 2 else
                                                  f"blog/page/{number - 1}/")
            next_path = f"blog/page/{number + 1}/" if number < total else None
            pager = {"number": number, "total": total,
                     "prev_url": self.url(prev_path) if prev_path else None,
                     "next_url": self.url(next_path) if next_path else None}
            out.append(self.page("list.html", path + "index.html",
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


def _template_error(exc: jinja2.TemplateError, template: str) -> TemplateError:
    """Name the template file and line: Jinja rewrites traceback frames to template lines."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(f"template syntax error: {exc.message}",
                             _short(exc.filename or exc.name or template), exc.lineno)
    filename, line = template, None
    tb = sys.exc_info()[2] or exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".j2")):
            filename, line = name, tb.tb_lineno
        tb = tb.tb_next
    return TemplateError(f"template error: {exc}", _short(filename), line)


def _short(path: str) -> str:
    parts = Path(path).parts
    if "themes" in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index("themes"):])
    return Path(path).name


def render_site(site: Site, env: jinja2.Environment, asset_paths: list[str],
                static: dict[str, Path], previous: PreviousOutputs | None = None,
                theme_digest: str = "") -> tuple[list[Output], list[Diagnostic]]:
    renderer = Renderer(site, env, asset_paths, static, previous, theme_digest)
    outputs = renderer.render()
    return outputs, renderer.diagnostics
