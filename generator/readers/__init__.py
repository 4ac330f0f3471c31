"""Readers: one source file in, its validated `Meta` and `Rendered` body out.

The registry below is the one place that knows which file extensions are documents and which
reader reads them: discovery asks it which files to pick up, the batch asks it how to read
each one. A reader's module is imported only when a source of its format is read, so a build
whose documents all come from the cache imports neither markdown-it-py nor nbconvert.

To add a format: write `read_FORMAT(source, data, config, template_dirs)` returning
`(Meta, Rendered)` (or None to skip an empty file), and add a `Reader` here.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..model.config import Config
    from ..model.documents import Meta, Rendered, Source

Result = tuple["Meta", "Rendered"] | None


class Reader(NamedTuple):
    name: str  # the `Source.format` of what it reads
    extensions: tuple[str, ...]  # lower-case, with the dot
    function: str  # "module:function", imported on first use


READERS: tuple[Reader, ...] = (
    Reader("markdown", (".md", ".markdown"), "generator.readers.formats:read_markdown"),
    Reader("notebook", (".ipynb",), "generator.readers.formats:read_notebook"),
    # a project folder's own description (title, summary, tags, image): only by this name
    Reader("project-yaml", ("project.yml",), "generator.readers.formats:read_project_yaml"),
)
FORMATS: dict[str, str] = {ext: r.name for r in READERS for ext in r.extensions}
# `extensions` that start with a letter are whole file names (project.yml), not suffixes
_BY_NAME = {r.name: r for r in READERS}


def reader_for(name: str) -> Callable[..., Any]:
    module, _, function = _BY_NAME[name].function.partition(":")
    return getattr(import_module(module), function)


def read_source(config: Config, source: Source, data: bytes,
                template_dirs: tuple[str, ...] = ()) -> Result:
    """Read one source with the reader of its format; None for a file to skip (empty)."""
    result: Result = reader_for(source.format)(source, data, config, template_dirs)
    return result
