"""Notebooks to HTML fragments with nbconvert, from their saved outputs (never executed here).

The exporter is configured in code (no user Jupyter config), uses our `portfolio` template that
extends nbconvert's `basic`, extracts every image output to a file, and renders Markdown cells
with the same markdown-it pipeline as posts. nbconvert is imported lazily: only a notebook that
actually needs converting pays for it.
"""

from __future__ import annotations

import copy
import hashlib
import posixpath
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..documents import Asset, Heading
from ..errors import SourceError
from .directives import apply_directives
from .markdown import AnchorSet, render_markdown

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif", "image/webp")
JS_TYPES = ("application/vnd.plotly.v1+json",)
DISPLAY_PRIORITY = [
    "application/vnd.jupyter.widget-view+json", *JS_TYPES, "text/html", "text/markdown",
    "image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp", "text/latex",
    "application/javascript", "text/plain",
]
_EXT = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg",
        "image/gif": ".gif", "image/webp": ".webp"}


class NotebookResult:
    """The pieces of a converted notebook that the `Rendered` record needs."""

    def __init__(self) -> None:
        self.html = ""
        self.toc: list[Heading] = []
        self.words = 0
        self.summary = ""
        self.has_math = False
        self.has_plotly = False
        self.thumbnail = ""
        self.links: list[tuple[str, int]] = []
        self.assets: list[Asset] = []
        self.warnings: list[tuple[str, int | None]] = []


@lru_cache(maxsize=4)
def _exporter(template_dirs: tuple[str, ...]):
    """One exporter per process and theme: building it costs more than converting a notebook."""
    from nbconvert.exporters import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from traitlets.config import Config as TraitletsConfig

    class PortfolioExporter(HTMLExporter):
        """`HTMLExporter` without the BeautifulSoup re-parse of the whole page.

        Our template writes `alt` and `tabindex` itself; re-parsing cost a quarter of the time.
        """

        def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name", None))
            self.register_filter("highlight_code",
                                 Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    config = TraitletsConfig()
    config.HTMLExporter.template_name = "portfolio"
    config.HTMLExporter.extra_template_basedirs = list(template_dirs)
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.sanitize_html = False
    config.TemplateExporter.exclude_input_prompt = True
    config.NbConvertBase.display_data_priority = DISPLAY_PRIORITY
    config.ExtractOutputPreprocessor.enabled = True
    config.ExtractOutputPreprocessor.extract_output_types = set(IMAGE_TYPES)
    exporter = PortfolioExporter(config=config)
    exporter.register_filter("markdown2html", _markdown_filter())
    exporter.register_filter("clean_html", lambda text: text)  # trusted: the author's own
    return exporter


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
        state["result"].toc.extend(result.toc)
        state["result"].words += result.words
        state["result"].has_math |= result.has_math
        state["result"].links.extend(result.links)
        state["result"].warnings.extend(result.warnings)
        if result.summary and not state["result"].summary:
            state["result"].summary = result.summary
        return result.html

    return markdown2html


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


def prepare(nb_json: dict[str, Any], path: str, drop_cell: int | None):
    """Upgrade and validate in memory (the file is never rewritten); apply cell directives."""
    import nbformat
    from nbformat.validator import ValidationError

    data = copy.deepcopy(nb_json)
    major = data.get("nbformat")
    if not isinstance(major, int) or major < 3 or major > 4:
        raise SourceError(f"unsupported notebook format version {major!r}", path, 1,
                          hint="re-save the notebook with a current Jupyter")
    try:
        nb = nbformat.from_dict(data)
        if major < 4:
            nbformat.v3.rwbase.rejoin_lines(nb)
            nb = nbformat.convert(nb, 4)
        else:
            nbformat.v4.rwbase.rejoin_lines(nb)  # multi-line strings arrive as lists
        _stable_ids(nb.cells, path)
        nbformat.validate(nb)
    except ValidationError as exc:
        where = list(getattr(exc, "absolute_path", []) or [])
        cell = f" in cell {where[1] + 1}" if len(where) > 1 and where[0] == "cells" else ""
        raise SourceError(f"not a valid notebook{cell}: {exc.message}", path,
                          hint="open and re-save it in Jupyter to repair it") from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise SourceError(f"not a valid notebook: {exc}", path) from None
    cells = [c for i, c in enumerate(nb.cells) if i != drop_cell]
    nb.cells = apply_directives(cells)
    return nb


def convert(nb, path: str, template_dirs: tuple[str, ...], *, safe: bool = False,
            output_max_lines: int = 400) -> NotebookResult:
    """Convert a prepared notebook to an HTML fragment plus its extracted files."""
    result = NotebookResult()
    exporter = _exporter(template_dirs)
    resources = {
        "unique_key": "output",
        "portfolio": {"source": path, "anchors": AnchorSet(), "safe": safe, "result": result,
                      "output_max_lines": output_max_lines},
    }
    try:
        body, resources = exporter.from_notebook_node(nb, resources=resources)
    except SourceError:
        raise
    except Exception as exc:  # nbconvert and Jinja raise many types; name the file
        raise SourceError(f"nbconvert failed: {type(exc).__name__}: {exc}", path) from exc
    outputs: dict[str, bytes] = resources.get("outputs", {})
    for name in sorted(outputs, key=_output_order):
        result.assets.append(Asset(name, data=outputs[name]))
    images = [n for n in sorted(outputs, key=_output_order)
              if posixpath.splitext(n)[1] in (".png", ".jpg", ".gif", ".webp", ".svg")]
    if images:
        result.thumbnail = images[0]
    result.has_plotly = "application/vnd.plotly.v1+json" in body or "plotly-figure" in body
    result.html = body
    return result


def _output_order(name: str) -> tuple[int, int, str]:
    match = re.search(r"_(\d+)_(\d+)\.", name)
    return (int(match[1]), int(match[2]), name) if match else (1 << 30, 0, name)
