"""Read a notebook's JSON and gather its front matter from every convention of the field.

This runs for every notebook on every cold read, so it uses `json` only: nbformat and nbconvert
are imported later, and only when a notebook must actually be converted.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..model.errors import SourceError
from .frontmatter import RawMeta, parse_yaml_block

_FASTPAGES_KV = re.compile(r"^-\s+([A-Za-z_][\w-]*)\s*:\s*(.*)$")


def load_json(data: bytes, path: str) -> dict[str, Any]:
    """Parse notebook bytes; a bad file is a `SourceError` with line and a hint."""
    if not data.strip():
        raise SourceError("the notebook file is empty", path, 1,
                          hint="open and save it again in Jupyter, or delete it")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text (bad byte at offset {exc.start})", path) from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = "the file is cut short or hand-edited; restore it from git or re-save it"
        if re.search(r"^(<<<<<<<|=======|>>>>>>>)", text, re.MULTILINE):
            hint = "it holds git merge-conflict markers (<<<<<<< ======= >>>>>>>): resolve the " \
                   "conflict, e.g. with nbdime, then build again"
        raise SourceError(f"not valid JSON: {exc.msg}", path, exc.lineno, exc.colno,
                          hint=hint) from None
    except RecursionError:
        raise SourceError(f"nested more than {MAX_DEPTH} levels deep", path) from None
    except ValueError:  # Python reads numbers of up to 4300 digits
        long = re.search(r"\d{4301}", text)
        raise SourceError("a number too long to read (over 4300 digits)", path,
                          text.count("\n", 0, long.start()) + 1 if long else None) from None
    if _too_deep(nb, MAX_DEPTH):
        raise SourceError(f"nested more than {MAX_DEPTH} levels deep", path,
                          hint="no notebook Jupyter writes is nested this deeply")
    if not isinstance(nb, dict) or "cells" not in nb and "worksheets" not in nb:
        raise SourceError("valid JSON but not a Jupyter notebook (no 'cells')", path, 1)
    if "cells" not in nb and not (isinstance(nb["worksheets"], list)
                                  and all(isinstance(w, dict) for w in nb["worksheets"])):
        raise SourceError("valid JSON but not a Jupyter notebook ('worksheets' is not a list "
                          "of worksheets)", path, 1)
    return nb


MAX_DEPTH = 100  # lists and objects inside each other; a plot's JSON needs a dozen or so


def _too_deep(value: Any, limit: int) -> bool:
    """More than `limit` levels of lists and objects (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        items = current.values() if isinstance(current, dict) else current \
            if isinstance(current, list) else None
        if items is None:
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in items if isinstance(item, (dict, list)))
    return False


def cell_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return str(source) if source is not None else ""


def cells_of(nb: dict[str, Any]) -> list[dict[str, Any]]:
    """The cells of a v4 notebook, or of a v3 notebook's first worksheet."""
    cells = nb.get("cells")
    if cells is None:
        sheets = nb.get("worksheets") or [{}]
        cells = sheets[0].get("cells", []) if isinstance(sheets[0], dict) else []
    return cells if isinstance(cells, list) else []


def _yaml_cell(text: str) -> str | None:
    """The YAML between `---` fences if the whole cell is a front-matter block."""
    stripped = text.strip()
    if not stripped.startswith("---"):
        return None
    match = re.fullmatch(r"---[ \t]*\n(.*?)\n?(---|\.\.\.)[ \t]*", stripped, re.DOTALL)
    return match[1] if match else None


def _fastpages(text: str, path: str) -> dict[str, Any] | None:
    lines = [ln.rstrip() for ln in text.strip().splitlines()]
    if not lines or not lines[0].startswith("# "):
        return None
    data: dict[str, Any] = {"title": lines[0][2:].strip().strip('"')}
    rest = [ln for ln in lines[1:] if ln.strip()]
    kv_lines = []
    for line in rest:
        if line.startswith(">"):
            data.setdefault("summary", line[1:].strip().strip('"'))
        elif _FASTPAGES_KV.match(line):
            kv_lines.append(line[1:].strip())
        else:
            return None  # prose: an ordinary Markdown cell, not fastpages front matter
    if kv_lines:
        parsed, _ = parse_yaml_block("\n".join(kv_lines), path)
        data.update({k: v for k, v in parsed.items() if k not in data})
    if len(data) == 1:
        return None  # just a heading
    return data


def notebook_front_matter(nb: dict[str, Any], path: str) -> tuple[RawMeta, int | None, str]:
    """Merge front matter from every convention of the field; per key, the first place wins:

    1. the first cell, if it is only a `---` YAML block: a raw cell (Quarto) or a Markdown
       cell (MyST / Jupyter Book);
    2. `metadata.portfolio` in the notebook's JSON (our own; Edit > Notebook metadata);
    3. the fastpages / nbdev first Markdown cell: `# Title`, `> summary`, `- key: value`;
    4. `metadata.nikola` (Nikola's strings);
    5. the title only: the first `# Heading` of a Markdown cell (or a v3 heading cell), else
       the notebook's `metadata.title` (what nbconvert titles its page with).

    The cell that carried 1 or 3 is not shown on the page. Returns the raw meta, the index of
    the cell that carried it (to drop from the page), and the text of the first H1 heading
    or `metadata.title` (for the title fallback).
    """
    cells = cells_of(nb)
    layers: list[tuple[dict[str, Any], dict[tuple[str, ...], int]]] = []
    carrier: int | None = None
    first = cells[0] if cells and isinstance(cells[0], dict) else None
    fastpages = None
    if first is not None:
        text = cell_text(first)
        block = _yaml_cell(text)
        kind = first.get("cell_type")
        if block is not None and kind in ("raw", "markdown"):
            data, _ = parse_yaml_block(block, f"{path} (cell 1)")
            layers.append((data, {}))
            carrier = 0
        elif kind == "markdown":
            fastpages = _fastpages(text, f"{path} (cell 1)")
            if fastpages:
                carrier = 0
    nb_meta = nb.get("metadata")
    meta: dict[str, Any] = nb_meta if isinstance(nb_meta, dict) else {}
    for key in ("portfolio",):
        if isinstance(meta.get(key), dict):
            layers.append((meta[key], {}))
    if fastpages:
        layers.append((fastpages, {}))
    if isinstance(meta.get("nikola"), dict):
        layers.append((meta["nikola"], {}))
    merged: dict[str, Any] = {}
    for data, _ in layers:
        for key, value in data.items():
            merged.setdefault(str(key), value)
    heading = ""
    for index, cell in enumerate(cells):
        if index == carrier or not isinstance(cell, dict):
            continue
        if cell.get("cell_type") == "heading" and cell.get("level") == 1:  # nbformat v3
            heading = cell_text(cell).strip()
            break
        if cell.get("cell_type") == "markdown":
            match = re.search(r"^#\s+(.+?)\s*#*\s*$", cell_text(cell), re.MULTILINE)
            if match:
                heading = match[1].strip()
                break
    if not heading and isinstance(meta.get("title"), str):
        heading = meta["title"].strip()  # the notebook's own `metadata.title` (nbconvert's)
    return RawMeta(merged, {}), carrier, heading
