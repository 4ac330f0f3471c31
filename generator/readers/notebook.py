"""Notebooks to HTML fragments with nbconvert, from their saved outputs (never executed here).

The exporter is configured in code (no user Jupyter config), uses our `portfolio` template that
extends nbconvert's `basic`, extracts every image output to a file, and renders Markdown cells
with the same markdown-it pipeline as posts. nbconvert is imported lazily: only a notebook that
actually needs converting pays for it.
"""

from __future__ import annotations

import copy
import hashlib
import re
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model.documents import Asset, Heading
from ..model.errors import SourceError, brief, clip
from ..model.links import LINK_PREFIX, LINK_SUFFIX
from ..model.urls import relative_target
from . import nboutputs
from .directives import apply_directives
from .markdown import AnchorSet, render_markdown
from .thumbnails import mark_quarto

_EXT = nboutputs.EXT


class _Shared(dict):
    """Per-conversion state for our filters. nbconvert deep-copies `resources` before
    templating; without this, what the filters gather (TOC, links, math) would be lost."""

    def __deepcopy__(self, memo: dict) -> _Shared:
        return self


class NotebookResult:
    """The pieces of a converted notebook that the `Rendered` record needs."""

    def __init__(self) -> None:
        self.html = ""
        self.toc: list[Heading] = []
        self.words = 0
        self.summary = ""
        self.has_math = False
        self.has_plotly = False
        self.scripts: tuple[str, ...] = ()  # JavaScript libraries the page must load
        self.thumbnail = ""
        self.links: list[tuple[str, int]] = []
        self.assets: list[Asset] = []
        self.warnings: list[tuple[str, int | None]] = []


@lru_cache(maxsize=4)
def _exporter(template_dirs: tuple[str, ...]):
    """One exporter per process and theme: building it costs more than converting a notebook."""
    from nbconvert.exporters import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbformat import NotebookNode
    from traitlets.config import Config as TraitletsConfig

    class PortfolioExporter(HTMLExporter):
        """`HTMLExporter` without the BeautifulSoup re-parse of the whole page.

        Our template writes `alt` and `tabindex` itself; re-parsing cost a quarter of the time.
        """

        # str, like HTMLExporter's own override, which nbconvert marks `ignore[override]` too
        def from_notebook_node(  # type: ignore[override]
                self, nb: NotebookNode, resources: dict[str, Any] | None = None,
                **kw: Any) -> tuple[str, dict[str, Any]]:
            self.register_filter("highlight_code",
                                 Highlight2HTML(pygments_lexer=kernel_lexer(nb), parent=self))
            resources = self._init_resources(resources)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    config = TraitletsConfig()
    config.HTMLExporter.template_name = "portfolio"
    config.HTMLExporter.extra_template_basedirs = list(template_dirs)
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.sanitize_html = False
    config.TemplateExporter.exclude_input_prompt = True
    exporter = PortfolioExporter(config=config)
    exporter.register_filter("markdown2html", _markdown_filter())
    exporter.register_filter("clean_html", _clean_html_filter())
    exporter.register_filter("filter_data_type", _data_type_filter())
    exporter.register_filter("latex_html", nboutputs.latex_html)
    exporter.register_filter("is_vega", nboutputs.is_vega)
    exporter.register_filter("ansi2html", nboutputs.ansi_html)  # also in nbconvert's blocks
    exporter.register_filter("table_html", nboutputs.table_html)
    exporter.register_filter("output_html", nboutputs.output_html)
    exporter.register_filter("get_metadata", get_metadata)
    return exporter


def get_metadata(output, key: str, mimetype: str | None = None):
    """nbconvert's `get_metadata`, minus its crash when metadata in the wild is a list."""
    meta = output.get("metadata") if isinstance(output, dict) else None
    if not isinstance(meta, dict):
        return None
    scoped = meta.get(mimetype) if mimetype else None
    if isinstance(scoped, dict) and key in scoped:
        return scoped[key]
    return meta.get(key)


def kernel_lexer(nb) -> str | None:
    """The Pygments lexer of the notebook's language (R, Julia, ...), not always Python."""
    info = nb.metadata.get("language_info") or {}
    spec = nb.metadata.get("kernelspec") or {}
    name = info.get("pygments_lexer") or info.get("name") or spec.get("language")
    if isinstance(info.get("codemirror_mode"), dict) and not name:
        name = info["codemirror_mode"].get("name")
    if not isinstance(name, str) or not name:
        return None
    return name if _known_lexer(name) else None


@lru_cache(maxsize=32)
def _known_lexer(name: str) -> bool:
    """Can nbconvert highlight with `name`? Unknown names would make it raise."""
    if name in ("ipython2", "ipython3"):
        # nbconvert imports these from IPython itself (and falls back to Python without it);
        # asking Pygments would scan every installed package's plugins, ~0.3 s a build.
        return True
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        get_lexer_by_name(name)
    except ClassNotFound:
        return False  # plain text is better than a failed page
    return True


def _data_type_filter():
    import jinja2

    @jinja2.pass_context
    def filter_data_type(context, data) -> list[str]:
        return [nboutputs.choose(data, context["resources"]["portfolio"]["widget_models"])]

    return filter_data_type


def _clean_html_filter():
    """Identity for the author's own notebooks; under `safe: true`, nh3 (readers/sanitize)."""
    import jinja2

    @jinja2.pass_context
    def clean_html(context, text) -> str:
        if context["resources"]["portfolio"]["safe"]:
            from .sanitize import clean_html as sanitise  # nh3: nbconvert's own is bleach

            return sanitise(text)
        return text

    return clean_html


def _markdown_filter():
    import jinja2

    @jinja2.pass_context
    def markdown2html(context, source: str) -> str:
        state: dict[str, Any] = context["resources"]["portfolio"]
        cell = context.get("cell")
        if cell is not None and cell.get("attachments"):
            source = _attachments(source, cell, state)
        result = render_markdown(source, state["source"], anchors=state["anchors"],
                                 safe=state["safe"])
        _keep_local(result, state)
        state["result"].toc.extend(result.toc)
        state["result"].words += result.words
        state["result"].has_math |= result.has_math
        state["result"].links.extend(result.links)
        state["result"].warnings.extend(result.warnings)
        if result.summary and not state["result"].summary:
            state["result"].summary = result.summary
        return result.html

    return markdown2html


def _keep_local(result, state: dict) -> None:
    """Files this page writes beside itself (attachments, pasted `data:` images) are linked
    as plain relative names: the link rewriter would resolve them against the source folder."""
    for name in state["local_files"]:
        target = relative_target(state["source"], name)
        placeholder = f"{LINK_PREFIX}{target}{LINK_SUFFIX}"
        if target and placeholder in result.html:
            result.html = result.html.replace(placeholder, name)
            result.links = [link for link in result.links if link[0] != target]


def _attachments(source: str, cell: dict, state: dict) -> str:
    """Write `attachment:name` images as files beside the page and point the links at them."""
    import base64

    for name, bundle in (cell.get("attachments") or {}).items():
        for mime, data in bundle.items():
            if mime in _EXT:
                raw = data.encode() if mime == "image/svg+xml" else base64.b64decode(data)
                digest = hashlib.sha256(raw).hexdigest()[:10]
                stem = re.sub(r"[^A-Za-z0-9._-]", "-", Path(name).stem)[:40] or "attachment"
                filename = f"attachment-{stem}-{digest}{_EXT[mime]}"
                state["result"].assets.append(Asset(filename, data=raw))
                state["local_files"].add(filename)
                source = source.replace(f"attachment:{name}", filename)
                break
    return source


def _stable_ids(cells: list[dict], path: str) -> None:
    """Cells without ids get ids derived from the path and position, never random ones."""
    used: set[str] = set()
    for index, cell in enumerate(cells):
        cid = cell.get("id")
        if not isinstance(cid, str) or not cid or cid in used:
            cid = hashlib.sha1(f"{path}:{index}".encode()).hexdigest()[:8]
            cell["id"] = cid
        used.add(cid)


def _validated(nbformat, data: dict[str, Any], major: int, path: str):
    nb = nbformat.from_dict(data)
    if major < 4:
        nbformat.v3.rwbase.rejoin_lines(nb)
        nb = nbformat.convert(nb, 4)
    else:
        nbformat.v4.rwbase.rejoin_lines(nb)  # multi-line strings arrive as lists
        _as_45_if_ids(nb, path)
    nbformat.validate(nb)  # before ids are added: a 4.0-4.4 notebook has none
    if major < 4:  # convert() gave the cells random uuid ids: derive stable ones (R3)
        for cell in nb.cells:
            cell.pop("id", None)
    _stable_ids(nb.cells, path)
    nb.nbformat_minor = max(5, int(nb.get("nbformat_minor") or 0))  # cell ids are 4.5
    return nb


def _as_45_if_ids(nb: Any, path: str) -> None:
    """Cell ids are nbformat 4.5, but JupyterLab writes them into 4.4 notebooks too (and
    Jupyter and nbconvert accept them): such a notebook is read as 4.5, in memory only. A 4.5
    notebook's missing or repeated ids are filled here, before nbformat's validator would fill
    them with random ones (the same file must give the same page)."""
    cells, minor = nb.get("cells"), nb.get("nbformat_minor")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells) or \
            not isinstance(minor, int) or isinstance(minor, bool):
        return  # the validator names what is wrong
    if minor < 5 and not any("id" in cell for cell in cells):
        return  # a plain 4.0-4.4 notebook: validated as it is, ids added after
    nb["nbformat_minor"] = max(5, minor)
    _stable_ids(cells, path)


def upgrade(nb_json: dict[str, Any], path: str):
    """Upgrade to v4 and validate, in memory only: the source file is never rewritten."""
    import nbformat
    from nbformat.validator import ValidationError

    data = copy.deepcopy(nb_json)
    major, minor = data.get("nbformat"), data.get("nbformat_minor", 0)
    if not isinstance(major, int) or major < 3 or major > 4:
        raise SourceError(f"unsupported notebook format version {brief(major)}", path, 1,
                          hint="re-save the notebook with a current Jupyter")
    if not isinstance(minor, int) or isinstance(minor, bool) or minor < 0:
        raise SourceError(f"'nbformat_minor' must be a whole number, not {brief(minor)}", path,
                          1, hint="re-save the notebook with a current Jupyter")
    try:
        with warnings.catch_warnings():  # nbformat warns about ids we add ourselves below
            warnings.simplefilter("ignore")
            nb = _validated(nbformat, data, major, path)
    except ValidationError as exc:
        where = list(getattr(exc, "absolute_path", []) or [])
        cell = f" in cell {where[1] + 1}" if len(where) > 1 and where[0] == "cells" else \
            (" at " + ".".join(str(w) for w in where) if where else "")
        raise SourceError(f"not a valid notebook{cell}: {clip(exc.message)}", path,
                          hint="open and re-save it in Jupyter to repair it") from None
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        raise SourceError(f"not a valid notebook: {type(exc).__name__}: {clip(str(exc))}",
                          path) from None
    return nb


def prepare(nb: Any, path: str, drop_cell: int | None,
            run: Callable[[Any], Any] | None = None, drop_title: str = ""):
    """Run an upgraded notebook if asked (every cell, before directives remove any); then
    drop the front-matter cell, the H1 that repeats the page title, and apply the cell
    directives. A plain JSON dict is upgraded first."""
    if not hasattr(nb, "cells"):
        nb = upgrade(nb, path)
    if run is not None:
        nb = run(nb)
    cells = [c for i, c in enumerate(nb.cells) if i != drop_cell]
    if drop_title:
        cells = _drop_title(cells, drop_title)
    mark_quarto(cells)  # before the directives drop the `#|` lines
    nb.cells = apply_directives(cells)
    return nb


def _drop_title(cells: list, title: str) -> list:
    """The page header shows the title already: remove a `# Title` line that repeats it."""
    heading = re.compile(r"^#[ \t]+" + re.escape(title) + r"[ \t]*#*[ \t]*$\n?", re.MULTILINE)
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        source, found = heading.subn("", cell.get("source", ""), count=1)
        if not found:
            return cells  # only the first Markdown cell can hold the title
        if source.strip():
            cell["source"] = source.lstrip("\n")
            return cells
        return cells[:index] + cells[index + 1:]
    return cells


def convert(nb, path: str, template_dirs: tuple[str, ...], *, safe: bool = False,
            output_max_lines: int = 400) -> NotebookResult:
    """Convert a prepared notebook to an HTML fragment plus its extracted files."""
    result = NotebookResult()
    if safe:  # not the author's own outputs: no script-capable MIME types (S6)
        from .sanitize import sanitize_notebook

        result.warnings.extend(sanitize_notebook(nb))
    exporter = _exporter(template_dirs)
    needs = nboutputs.scan(nb)
    models, _ = nboutputs.widget_models(nb.metadata)
    state = None
    if any(s.startswith("widgets") for s in needs.scripts):
        state = nb.metadata["widgets"][nboutputs.WIDGET_STATE]
    counter = iter(range(1, 1 << 30))
    resources = {
        "unique_key": "output",
        "portfolio": _Shared(source=path, anchors=AnchorSet(jupyter=True), safe=safe, result=result,
                             output_max_lines=output_max_lines, widget_models=models,
                             widget_state=state, local_files=set(needs.files),
                             next_id=lambda: f"nb-output-{next(counter)}",
                             next_table=iter(range(1, 1 << 30)).__next__),
    }
    try:
        with warnings.catch_warnings():
            # nbconvert warns once per process when IPython (its ipython3 lexer) is missing and
            # falls back to Python: the right result, and noise on every user's terminal
            warnings.filterwarnings("ignore", message=".*lexer unavailable.*")
            body, resources = exporter.from_notebook_node(nb, resources=resources)
    except SourceError:
        raise
    except RecursionError:
        raise SourceError("too deeply nested to render", path) from None
    except Exception as exc:  # nbconvert and Jinja raise many types; name the file
        raise SourceError(f"nbconvert failed: {type(exc).__name__}: {exc}", path) from exc
    for name in sorted(needs.files, key=_output_order):
        result.assets.append(Asset(name, data=needs.files[name]))
    result.thumbnail = _thumbnail(needs.files, nb.cells, result)
    result.has_plotly = needs.has_plotly
    result.has_math |= needs.has_math
    result.scripts = tuple(sorted(needs.scripts)) if not safe else ()
    result.warnings.extend(needs.warnings)
    result.html = body
    return result


def _thumbnail(files: dict[str, bytes], cells: list, result: NotebookResult) -> str:
    """The chosen figure (thumbnails.candidates), fitted at the card's ratio; an SVG is used
    as it is."""
    from .thumbnails import candidates, make_thumbnail

    shown = [n for n in sorted(files, key=_output_order) if n.startswith("output_")]
    for name in candidates(shown, files, cells):
        if name.endswith(".svg"):
            return name
        made = make_thumbnail(files[name])
        if made is not None:
            ext, data = made
            result.assets.append(Asset("thumbnail" + ext, data=data))
            return "thumbnail" + ext
    return ""


def _output_order(name: str) -> tuple[int, int, str]:
    match = re.search(r"_(\d+)_(\d+)\.", name)
    return (int(match[1]), int(match[2]), name) if match else (1 << 30, 0, name)
