"""Optional notebook execution with nbclient, before rendering. Off by default.

Turned on site-wide (`notebooks: {execute: true}` in portfolio.yml) or per notebook
(`execute: true` in its front matter, which also wins when it says `false`). The notebook runs
in the kernel its metadata names, in its own folder, with the configured timeout. A failing
cell is a `SourceError` naming the notebook and the cell number, unless `allow_errors: true`.

Execution depends only on the notebook's content and these options, which are all part of
the reader cache key, so an unchanged notebook is never run twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model.config import NotebookOptions
from ..model.documents import Meta, Source
from ..model.errors import SourceError


def runner(meta: Meta, notebooks: NotebookOptions,
           source: Source) -> Callable[[Any], Any] | None:
    """A function that executes a notebook node, or None when execution is off."""
    wanted = meta.execute if meta.execute is not None else notebooks.execute
    if not wanted:
        return None
    timeout = notebooks.timeout or 600
    allow = meta.allow_errors if meta.allow_errors is not None else notebooks.allow_errors
    cwd = str(source.abs_path.parent)
    return lambda nb: execute(nb, source.rel_path, cwd=cwd, timeout=timeout, allow_errors=allow)


def execute(nb: Any, path: str, *, cwd: str, timeout: int = 600,
            allow_errors: bool = False) -> Any:
    """Run every cell of `nb` in place and return it."""
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    kernel = (nb.metadata.get("kernelspec") or {}).get("name") or "python3"
    started: list[int] = []  # the last one is the cell that failed or timed out
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel, allow_errors=allow_errors,
        resources={"metadata": {"path": cwd}}, record_timing=False,
        on_cell_execute=lambda cell, cell_index, **_: started.append(cell_index),
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        cell = f"cell {started[-1] + 1}" if started else "a cell"
        name = getattr(exc, "ename", "") or "error"
        value = str(getattr(exc, "evalue", "") or "")[:200]
        raise SourceError(f"executing the notebook failed in {cell}: {name}: {value}", path,
                          hint="fix the cell, or set `allow_errors: true` to publish the "
                               "error output") from None
    except CellTimeoutError:
        cell = f"cell {started[-1] + 1}" if started else "a cell"
        raise SourceError(f"executing the notebook timed out after {timeout} s in {cell}",
                          path, hint="raise `notebooks: {timeout: ...}` in portfolio.yml") from None
    except NoSuchKernel:
        raise SourceError(f"cannot execute: no Jupyter kernel named '{kernel}' is installed",
                          path, hint="install it (e.g. `pip install ipykernel`) or turn "
                                     "`execute` off") from None
    except DeadKernelError as exc:
        raise SourceError(f"the kernel died while executing: {exc}", path) from None
    except RuntimeError as exc:  # kernel failed to start
        raise SourceError(f"cannot execute: {exc}", path) from None
    return nb
