"""A theme's mistake as a `TemplateError` naming the template file and its line.

Jinja rewrites traceback frames to template lines, so the deepest frame whose file is a
template is where a template raised (`{{ 1/0 }}`, a missing key); a template that includes or
extends itself recurses until Python's stack runs out; a template that is not UTF-8 fails in
the loader, whose frame holds the file's name.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType

import jinja2

from ..model.errors import TemplateError, clip
from .themes import default_theme_dir

# what rendering a theme's template can raise because of the template itself
RENDER_ERRORS = (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, AttributeError,
                 ValueError, RecursionError)


def template_error(exc: BaseException, template: str) -> TemplateError:
    """Name the template file and line of `exc`, raised rendering `template`."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(f"template syntax error: {exc.message}",
                             short(exc.filename or exc.name or template), exc.lineno)
    tb = sys.exc_info()[2] or exc.__traceback__
    if isinstance(exc, UnicodeDecodeError):
        loaded = _loaded_file(tb)
        line = exc.object[:exc.start].count(b"\n") + 1 if loaded else None
        return TemplateError(f"not UTF-8 text (byte {exc.start})", short(loaded or template),
                             line, hint="save the template as UTF-8 in your editor")
    filename, line = _template_frame(tb, template, isinstance(exc, RecursionError))
    if isinstance(exc, RecursionError):
        return TemplateError("template error: endless recursion (does a template include, "
                             "import or extend itself?)", short(filename), line,
                             hint="a template must not {% include %} or {% extends %} itself, "
                                  "directly or through another one")
    return TemplateError(f"template error: {clip(str(exc))}", short(filename), line)


def _template_frame(tb: TracebackType | None, template: str,
                    recursion: bool) -> tuple[str, int | None]:
    """The deepest template frame; in a recursion, the deepest outside the packaged theme
    (the cycle passes through both, and the site's own template is the one to fix)."""
    found: tuple[str, int | None] = (template, None)
    theirs: tuple[str, int | None] | None = None
    packaged = str(default_theme_dir())
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".j2")):
            found = (name, tb.tb_lineno)
            if recursion and not name.startswith(packaged):
                theirs = found
        tb = tb.tb_next
    return theirs or found


def _loaded_file(tb: TracebackType | None) -> str | None:
    """The file a Jinja loader was reading when the traceback ended (its `get_source`)."""
    found = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "get_source" and isinstance(frame.f_locals.get("filename"),
                                                               str):
            found = frame.f_locals["filename"]
        tb = tb.tb_next
    return found


def short(path: str) -> str:
    """`themes/NAME/templates/x.html` for a site's theme, else the file's name."""
    parts = Path(path).parts
    if "themes" in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index("themes"):])
    return Path(path).name
