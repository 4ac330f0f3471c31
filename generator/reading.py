"""Read every source into a `Document`, collecting errors instead of stopping at the first.

This is the expensive stage of a build, so it is where caching and parallel notebook
conversion plug in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .documents import Document, Meta, Rendered, Source
from .errors import Diagnostic, PortfolioError, SourceError
from .site import make_document

if TYPE_CHECKING:
    from .build import Reporter
    from .config import Config


def read_source(config: Config, source: Source,
                template_dirs: tuple[str, ...]) -> tuple[Meta, Rendered] | None:
    """Read one source with the reader for its format; None for an empty Markdown file."""
    from .readers import read_markdown, read_notebook

    try:
        data = source.abs_path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", source.rel_path) from None
    if source.format == "notebook":
        return read_notebook(source, data, safe=config.safe, template_dirs=template_dirs,
                             output_max_lines=config.notebooks.output_max_lines)
    return read_markdown(source, data, safe=config.safe)


def read_documents(config: Config, sources: list[Source], template_dirs: tuple[str, ...],
                   reporter: Reporter) -> tuple[list[Document], list[PortfolioError],
                                                list[Diagnostic]]:
    documents: list[Document] = []
    errors: list[PortfolioError] = []
    diagnostics: list[Diagnostic] = []
    for source in sources:
        try:
            result = read_source(config, source, template_dirs)
            if result is None:
                diagnostics.append(Diagnostic("empty file; skipped", source.rel_path))
                continue
            meta, rendered = result
            documents.append(make_document(source, meta, rendered))
            diagnostics += [Diagnostic(msg, source.rel_path, line)
                            for msg, line in rendered.warnings]
        except PortfolioError as exc:
            errors.append(exc)
        except RecursionError:
            errors.append(SourceError("too deeply nested to render", source.rel_path))
        reporter.document(source, cached=False)
    return documents, errors, diagnostics
