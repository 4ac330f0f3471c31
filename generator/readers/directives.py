"""Cell directives from every dialect of the field, mapped onto one model in one pass.

| intent            | fastpages / nbdev1          | Quarto                 | MyST tag / JupyterLab          |
|-------------------|-----------------------------|------------------------|--------------------------------|
| remove cell       | `#hide`                     | `#| include: false`    | `remove-cell`                  |
| remove input      | `#hide_input`, meta hide_input | `#| echo: false`    | `remove-input`                 |
| remove output     | `#hide_output`              | `#| output: false`     | `remove-output`                |
| fold input        | `#collapse`, `#collapse-hide` | `#| code-fold: true` | `hide-input`, `source_hidden`  |
| fold input, open  | `#collapse-show`            | `#| code-fold: show`   |                                |
| fold output       | `#collapse_output`          |                        | `hide-output`, `outputs_hidden`|
| fold whole cell   |                             |                        | `hide-cell`                    |
| drop stderr       |                             | `#| warning: false`    | `remove-stderr`                |

Quarto reads its own `hide-*` tags as *remove*; we follow MyST, where `hide-*` folds and
`remove-*` removes, because folding loses nothing a reader might want.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_FLAG = re.compile(
    r"^\s*#\s*\|?\s*(hide|hide[_-]input|hide[_-]output|collapse|collapse[_-]hide|"
    r"collapse[_-]show|collapse[_-]output|collapse[_-]input|default_exp|export|exports)\s*$",
    re.IGNORECASE)
_QUARTO = re.compile(r"^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$")


@dataclass
class CellPlan:
    """What to do with one cell."""

    remove: bool = False
    remove_input: bool = False
    remove_output: bool = False
    remove_stderr: bool = False
    fold_input: str = ""  # "" | "closed" | "open"
    fold_output: str = ""
    fold_cell: str = ""
    alt: str = ""  # Quarto `#| fig-alt:`, else `#| fig-cap:`: the figure's alt text


def _truthy(value: str) -> bool | str:
    value = value.strip().strip("'\"").lower()
    if value in ("true", "yes"):
        return True
    if value in ("false", "no"):
        return False
    return value


def plan_cell(cell: dict[str, Any]) -> tuple[CellPlan, str]:
    """Read a cell's directives; return the plan and its source without directive lines."""
    plan = CellPlan()
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    meta = cell.get("metadata") or {}
    tags = {str(t).lower() for t in meta.get("tags", []) or []}
    kept: list[str] = []
    for line in source.split("\n"):
        flag = _FLAG.match(line)
        if flag:
            _apply_flag(plan, flag[1].lower().replace("-", "_"))
            continue
        option = _QUARTO.match(line) if cell.get("cell_type") == "code" else None
        if option:
            key = option[1].lower()
            _apply_quarto(plan, key, option[2] if key.startswith("fig-") else _truthy(option[2]))
            continue
        kept.append(line)
    new_source = "\n".join(kept)
    if len(kept) != len(source.split("\n")):
        new_source = new_source.lstrip("\n")
    _apply_tags(plan, tags)
    jupyter_meta = meta.get("jupyter")
    jupyter: dict[str, Any] = jupyter_meta if isinstance(jupyter_meta, dict) else {}
    if jupyter.get("source_hidden"):
        plan.fold_input = plan.fold_input or "closed"
    if jupyter.get("outputs_hidden"):
        plan.fold_output = plan.fold_output or "closed"
    if meta.get("hide_input") is True:
        plan.remove_input = True
    return plan, new_source


def _apply_flag(plan: CellPlan, flag: str) -> None:
    if flag == "hide":
        plan.remove = True
    elif flag == "hide_input":
        plan.remove_input = True
    elif flag == "hide_output":
        plan.remove_output = True
    elif flag in ("collapse", "collapse_hide", "collapse_input"):
        plan.fold_input = "closed"
    elif flag == "collapse_show":
        plan.fold_input = "open"
    elif flag == "collapse_output":
        plan.fold_output = "closed"
    # nbdev export flags (`#export`, `#default_exp`) are build instructions: drop the line only


def _apply_quarto(plan: CellPlan, key: str, value: bool | str) -> None:
    if key == "include" and value is False:
        plan.remove = True
    elif key == "echo" and value is False:
        plan.remove_input = True
    elif key == "echo" and value == "fenced":
        pass
    elif key == "output" and value is False:
        plan.remove_output = True
    elif key == "code-fold":
        if value is True:
            plan.fold_input = "closed"
        elif value == "show":
            plan.fold_input = "open"
    elif key == "warning" and value is False:
        plan.remove_stderr = True
    elif key in ("fig-alt", "fig-cap") and isinstance(value, str) and value and (
            key == "fig-alt" or not plan.alt):
        plan.alt = value.strip().strip("'\"")


def _apply_tags(plan: CellPlan, tags: set[str]) -> None:
    plan.remove |= bool(tags & {"remove-cell", "remove_cell"})
    plan.remove_input |= bool(tags & {"remove-input", "remove_input", "hide_input"})
    plan.remove_output |= bool(tags & {"remove-output", "remove_output"})
    plan.remove_stderr |= "remove-stderr" in tags
    if tags & {"hide-input"}:
        plan.fold_input = plan.fold_input or "closed"
    if tags & {"hide-output"}:
        plan.fold_output = plan.fold_output or "closed"
    if tags & {"hide-cell"}:
        plan.fold_cell = "closed"


def apply_directives(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Strip directive lines, drop removed cells and outputs, and note folds in metadata."""
    kept = []
    for cell in cells:
        plan, source = plan_cell(cell)
        if plan.remove:
            continue
        cell["source"] = source
        meta = cell.setdefault("metadata", {})
        if cell.get("cell_type") == "code":
            outputs = cell.get("outputs", [])
            if plan.remove_output:
                outputs = []
            elif plan.remove_stderr:
                outputs = [o for o in outputs
                           if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            cell["outputs"] = outputs
        meta["portfolio"] = {
            "remove_input": plan.remove_input, "fold_input": plan.fold_input,
            "fold_output": plan.fold_output, "fold_cell": plan.fold_cell,
        }
        if plan.alt:
            meta["portfolio"]["alt"] = plan.alt
        kept.append(cell)
    return kept
