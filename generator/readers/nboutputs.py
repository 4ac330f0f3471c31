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
    out.setdefault("metadata", {}).setdefault("filenames", {})[mime] = filename
    out["data"][mime] = ""  # the bytes live in the file now; keep the key for `choose`


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
    for c, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "markdown" and "base64," in cell.get("source", ""):
            cell["source"] = _DATA_URI.sub(partial(_uri_to_file, stem=f"inline_{c}", needs=needs),
                                           cell["source"])
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
