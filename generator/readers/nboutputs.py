"""Notebook outputs before templating: pick one mimetype per output, extract images to files.

nbconvert's own `ExtractOutputPreprocessor` writes GIF and WebP as base64 text and crashes on
corrupt base64, and its `DataTypeFilter` knows no Vega or unknown types. So this module picks
the mimetype of every output once (the template asks `choose()` again through a filter, which
gives the same answer), decodes the images it will show into files, moves `data:` URIs out of
HTML outputs and Markdown cells, and notes which JavaScript libraries the page must load.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLOTLY = "application/vnd.plotly.v1+json"
UNKNOWN = "application/x-portfolio-unknown"
_VEGA = re.compile(r"^application/vnd\.vega(lite)?\.v(\d+)(\.\d+)*\+json$")
EXT = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg",
       "image/gif": ".gif", "image/webp": ".webp"}
RASTER = ("image/png", "image/jpeg", "image/gif", "image/webp")
# What JupyterLab would show first; JavaScript above HTML as nbconvert does (Bokeh's loader).
PRIORITY = (
    WIDGET_VIEW, PLOTLY, "vega", "application/javascript", "text/html", "text/markdown",
    "image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp", "text/latex",
    "text/plain",
)
_DATA_URI = re.compile(
    r"data:(image/(?:png|jpeg|jpg|gif|webp|svg\+xml));base64,([A-Za-z0-9+/=\s]{16,}?)(?=[\"')\s])")


def is_vega(mime: str) -> bool:
    return bool(_VEGA.match(mime))


def vega_major(mime: str) -> int:
    """The Vega major version a spec needs (Vega-Lite 5 runs on Vega 5, Vega-Lite 6 on 6)."""
    match = _VEGA.match(mime)
    return int(match[2]) if match else 0


def choose(data: dict[str, Any], widget_models: frozenset[str] | set[str]) -> str:
    """The one mimetype of an output bundle to show; `UNKNOWN` only if nothing is usable.

    A widget view is shown only when the notebook saved that widget's state: otherwise its
    `text/plain` fallback (never an empty box). Unknown mimetypes fall back to any text type
    or JSON, which can always be shown as text.
    """
    for wanted in PRIORITY:
        if wanted == "vega":
            specs = sorted((m for m in data if is_vega(m)), key=lambda m: (m.find("lite") < 0, m))
            if specs:
                return specs[0]
            continue
        if wanted in data:
            if wanted == WIDGET_VIEW and not _has_state(data[wanted], widget_models):
                continue
            return wanted
    for mime in sorted(data):
        if mime != WIDGET_VIEW and (mime.startswith("text/") or mime.endswith("json")):
            return mime
    return UNKNOWN


def _has_state(view: Any, models: frozenset[str] | set[str]) -> bool:
    return isinstance(view, dict) and view.get("model_id") in models


def widget_models(nb_metadata: dict[str, Any]) -> tuple[frozenset[str], str]:
    """Model ids with saved state, and the html-manager flavour their versions need."""
    widgets = nb_metadata.get("widgets")  # free-form metadata: any JSON at all
    state = widgets.get(WIDGET_STATE) if isinstance(widgets, dict) else None
    models = state.get("state") if isinstance(state, dict) else None
    if not isinstance(models, dict):
        return frozenset(), ""
    versions = {str(m.get("model_module_version", "")) for m in models.values()
                if isinstance(m, dict) and m.get("model_module") == "@jupyter-widgets/controls"}
    flavour = "widgets7" if any(v.startswith("1.") for v in versions) else "widgets8"
    return frozenset(models), flavour


@dataclass
class Needs:
    """What a page needs besides its HTML: files, libraries, and math."""

    files: dict[str, bytes] = field(default_factory=dict)
    scripts: set[str] = field(default_factory=set)
    has_math: bool = False
    has_plotly: bool = False
    warnings: list[tuple[str, int | None]] = field(default_factory=list)


def _decode(mime: str, value: Any) -> bytes | None:
    if isinstance(value, list):
        value = "".join(str(v) for v in value)
    if mime == "image/svg+xml":  # SVG is stored as text, everything else as base64
        return value.encode("utf-8") if isinstance(value, str) else None
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(re.sub(r"\s+", "", value), validate=True)
    except (binascii.Error, ValueError):
        return None


def _extract(name: str, mime: str, value: Any, out: dict, needs: Needs, cell_no: int) -> None:
    raw = _decode(mime, value)
    if raw is None:
        needs.warnings.append((f"cell {cell_no}: {mime} output is not valid base64; skipped",
                               None))
        return
    filename = name + EXT[mime]
    needs.files[filename] = raw
    meta = out.setdefault("metadata", {})
    meta.setdefault("filenames", {})[mime] = filename
    if mime in RASTER:
        _sizes(name, mime, raw, meta, needs)
    out["data"][mime] = ""  # the bytes live in the file now; keep the key for `choose`


def _sizes(name: str, mime: str, raw: bytes, meta: dict[str, Any], needs: Needs) -> None:
    """The figure's pixel size (unless the notebook gave its display size) and, for a large
    one, smaller copies beside it with the `srcset` that offers them (readers/figures.py)."""
    from .figures import sizes_and_copies

    size, copies = sizes_and_copies(raw, mime)
    if size is None:
        return
    scoped = meta.get(mime) if isinstance(meta.get(mime), dict) else None
    given = scoped if scoped is not None else meta
    if not (isinstance(given.get("width"), (int, float)) and given.get("width")):
        meta[mime] = {**(scoped or {}), "width": size[0], "height": size[1]}
    elif not given.get("height"):
        given["height"] = round(given["width"] * size[1] / size[0])
    if copies:
        entries = []
        for width, data in copies:
            small = f"{name}-{width}w{EXT[mime]}"
            needs.files[small] = data
            entries.append(f"{small} {width}w")
        meta["portfolio_srcset"] = ", ".join([*entries, f"{name}{EXT[mime]} {size[0]}w"])


def _uri_to_file(match: re.Match[str], stem: str, needs: Needs) -> str:
    mime = "image/jpeg" if match[1] == "image/jpg" else match[1]
    raw = _decode("base64", match[2])
    if raw is None:
        return match[0]
    filename = f"{stem}-{hashlib.sha256(raw).hexdigest()[:10]}{EXT[mime]}"
    needs.files[filename] = raw
    return filename


def scan(nb: Any) -> Needs:
    """Pick each output's mimetype, extract what will be shown, and note what the page needs."""
    needs = Needs()
    models, flavour = widget_models(nb.metadata)
    heading = ""
    for c, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "markdown":
            heading = last_heading(str(cell.get("source", ""))) or heading
        if cell.get("cell_type") == "markdown" and "base64," in cell.get("source", ""):
            cell["source"] = _DATA_URI.sub(partial(_uri_to_file, stem=f"inline_{c}", needs=needs),
                                           cell["source"])
        if cell.get("outputs"):
            # plotly's `fig.show()` set-up (`import "https://cdn.plot.ly/..."`): the page loads
            # plotly.js itself, once, and an empty box would be left
            cell["outputs"] = [o for o in cell["outputs"] if not _plotly_loader(o)]
        figures = [o for o in cell.get("outputs", []) or [] if isinstance(o.get("data"), dict)
                   and any(m in o["data"] for m in EXT)]
        for out, alt in zip(figures, alt_texts(cell, len(figures), heading), strict=True):
            out.setdefault("metadata", {})["portfolio_alt"] = alt
        for o, out in enumerate(cell.get("outputs", []) or []):
            data = out.get("data")
            if out.get("output_type") not in ("display_data", "execute_result") or not data:
                continue
            mime = choose(data, models)
            name = f"output_{c}_{o}"
            if mime in EXT:
                _extract(name, mime, data[mime], out, needs, c + 1)
            elif mime in (PLOTLY, WIDGET_VIEW) or is_vega(mime):
                for fallback in RASTER:  # the static image the chart falls back to
                    if fallback in data:
                        _extract(name, fallback, data[fallback], out, needs, c + 1)
                        break
            if mime == PLOTLY:
                needs.has_plotly = True
            elif is_vega(mime):
                needs.scripts.add("vega6" if vega_major(mime) >= 6 else "vega5")
            elif mime == WIDGET_VIEW:
                needs.scripts.add(flavour)
            elif mime == "text/latex":
                needs.has_math = True
            elif mime == "text/html" and isinstance(data[mime], str) and "base64," in data[mime]:
                data[mime] = _DATA_URI.sub(partial(_uri_to_file, stem=name, needs=needs),
                                           data[mime])
    if "vega6" in needs.scripts:
        needs.scripts.discard("vega5")  # one Vega per page; Vega-Lite 6 also reads v5 specs
    return needs


_DOLLARS = re.compile(r"^\s*\$\$(.*)\$\$\s*$|^\s*\$(.*)\$\s*$", re.DOTALL)


def latex_for_mathjax(text: Any) -> str:
    """`$x$` / `$$x$$` from `text/latex` outputs in the `\\(...\\)` / `\\[...\\]` delimiters
    that the theme's KaTeX auto-render looks for; `\\begin{...}` environments pass as they are."""
    if isinstance(text, list):
        text = "".join(str(t) for t in text)
    text = str(text)
    match = _DOLLARS.match(text)
    if match and match[1] is not None:
        return f"\\[{match[1].strip()}\\]"
    if match and match[2] is not None:
        return f"\\({match[2].strip()}\\)"
    return text


_INLINE_COLOUR = re.compile(r'style="((?:background-)?color: rgb\(\d+,\d+,\d+\)(?:; )?)+"')


def ansi_html(text: str) -> str:
    """nbconvert's `ansi2html`, with the 256-colour and true-colour codes of IPython's
    tracebacks as CSS variables instead of fixed colours: the stylesheet mixes them with the
    text colour, so `#5f8787` on the error box stays readable (4.5:1) in light and dark."""
    from nbconvert.filters.ansi import ansi2html

    def variables(match: re.Match[str]) -> str:
        inner = match.group(0)[7:-1].replace("background-color:", "--ansi-bg:")
        return 'style="' + re.sub(r"(?<![-\w])color:", "--ansi-fg:", inner) + '"'

    return _INLINE_COLOUR.sub(variables, ansi2html(text))


_EMPTY_HEADER = re.compile(r"<th(\s[^>]*)?>(\s|&nbsp;)*</th>")


def table_html(html: str) -> str:
    """An empty header cell (pandas' corner above the index) as a plain cell: a header with
    no text tells a screen reader nothing (axe `empty-table-header`)."""
    return _EMPTY_HEADER.sub(lambda m: f"<td{m.group(1) or ''}></td>", html)


_IMG_OR_FRAME = re.compile(r"<(img|iframe)\b([^>]*)>", re.IGNORECASE)
_INSECURE_SRC = re.compile(r"""(\ssrc\s*=\s*["']?)http://""", re.IGNORECASE)


def output_html(html: str) -> str:
    """What real notebooks' HTML outputs leave out, filled in: `alt` on an image
    (`IPython.display.Image(url=...)`), a `title` on an embed (a YouTube video), and https
    for what they load over http (a page on GitHub Pages is https: the browser would refuse
    or upgrade it anyway)."""
    html = _INSECURE_SRC.sub(r"\1https://", html)  # <img>, <audio>, <source>, <script>
    if "<img" not in html and "<iframe" not in html:
        return html

    def fix(match: re.Match[str]) -> str:
        tag, attrs = match[1].lower(), match[2]
        if tag == "img" and not re.search(r"\salt\s*=", attrs, re.IGNORECASE):
            attrs = ' alt="Image from a notebook output"' + attrs
        elif tag == "iframe" and not re.search(r"\stitle\s*=", attrs, re.IGNORECASE):
            attrs = ' title="Embedded content from a notebook output"' + attrs
        return f"<{match[1]}{attrs}>"

    return _IMG_OR_FRAME.sub(fix, html)


_TITLE_CALL = re.compile(
    r"""\b(?:set_title|title|suptitle|set_suptitle)\(\s*[rfbu]?(?:"([^"\n]+)"|'([^'\n]+)')""")
_TITLE_ARG = re.compile(r"""\btitle\s*=\s*[rfbu]?(?:"([^"\n]+)"|'([^'\n]+)')""")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MARKUP = re.compile(r"[*_`\[\]]|\]\([^)]*\)|\$[^$]*\$")


def figure_titles(source: str) -> list[str]:
    """The titles a cell gives its figures (`plt.title("...")`, `ax.set_title`, plotly's
    `title="..."`), in the order they appear."""
    found = [(m.start(), m[1] or m[2]) for pattern in (_TITLE_CALL, _TITLE_ARG)
             for m in pattern.finditer(source)]
    return [text.strip() for _, text in sorted(found) if text.strip() and "{" not in text]


def last_heading(markdown: str) -> str:
    """The text of the last heading of a Markdown cell, without its markup ('' if none)."""
    headings = _HEADING.findall(markdown)
    return re.sub(r"\s+", " ", _MARKUP.sub("", headings[-1])).strip() if headings else ""


def alt_texts(cell: dict[str, Any], count: int, heading: str) -> list[str]:
    """Alt text for each of a cell's `count` figures: its caption (`#| fig-alt`/`fig-cap`),
    else the title the code gives it, else the section it sits in."""
    plan = (cell.get("metadata") or {}).get("portfolio") or {}
    if isinstance(plan, dict) and plan.get("alt"):
        return [str(plan["alt"])] * count
    source = cell.get("source", "")
    titles = figure_titles("".join(source) if isinstance(source, list) else str(source))
    if titles:
        return titles if len(titles) == count else [titles[0]] * count
    return [f"Figure in “{heading}”" if heading else "Figure from a notebook cell"] * count


_PLOTLY_SCRIPT = re.compile(r"<script\b[^>]*>(?:(?!</script>).)*</script>", re.S | re.I)


def _plotly_loader(output: dict[str, Any]) -> bool:
    """Is `output` only plotly's loader: scripts that set PlotlyConfig or fetch plotly.js?"""
    data = output.get("data")
    html = data.get("text/html") if isinstance(data, dict) else None
    if isinstance(html, list):
        html = "".join(str(h) for h in html)
    if not isinstance(html, str) or "plot" not in html.lower() or len(html) > 4000:
        return False
    scripts = _PLOTLY_SCRIPT.findall(html)
    rest = _PLOTLY_SCRIPT.sub("", html)
    return bool(scripts) and not rest.strip() and all(
        "PlotlyConfig" in s or re.search(r"cdn\.plot\.ly|plotly[-.\w]*\.js|plotly-\d", s)
        for s in scripts)


def latex_html(text: Any) -> str:
    """A `text/latex` output typeset at build time (readers/tex.py) when it is one formula;
    otherwise its TeX, escaped, in the delimiters the browser's KaTeX looks for."""
    import html

    from .tex import typeset

    tex = latex_for_mathjax(text)
    done = None
    if tex.startswith(("\\[", "\\(")) and tex.endswith(("\\]", "\\)")):
        done = typeset(tex[2:-2], display=tex.startswith("\\["))
    elif tex.lstrip().startswith("\\begin{") and "$" not in tex:
        done = typeset(tex, display=True)
    return done or html.escape(tex)
