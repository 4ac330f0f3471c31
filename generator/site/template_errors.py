"""A theme's mistake as a `TemplateError` naming the template file and its line.

Jinja rewrites traceback frames to template lines, so the deepest frame whose file is a
template is where a template raised (`{{ 1/0 }}`, a missing key); a template that includes or
extends itself recurses until Python's stack runs out, and the line to blame is the statement
that enters a template already being rendered; a template that is not UTF-8 fails in the
loader, whose frame holds the file's name.
"""

from __future__ import annotations

import sys
from itertools import pairwise
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


# the name Jinja gives the rewritten frame of a template's top level (jinja2.debug)
_TOP_LEVEL = "top-level template code"


def _template_frame(tb: TracebackType | None, template: str,
                    recursion: bool) -> tuple[str, int | None]:
    """The deepest template frame; in a recursion, the statement that closes the cycle, else
    the deepest frame outside the packaged theme (the cycle passes through both, and the
    site's own template is the one to fix)."""
    found: tuple[str, int | None] = (template, None)
    theirs: tuple[str, int | None] | None = None
    frames: list[tuple[str, int, str]] = []  # (file, line, Jinja's location name), outermost first
    packaged = str(default_theme_dir())
    while tb is not None:
        code = tb.tb_frame.f_code
        name = code.co_filename
        if name.endswith((".html", ".xml", ".j2")):
            found = (name, tb.tb_lineno)
            frames.append((name, tb.tb_lineno, code.co_name))
            if recursion and not name.startswith(packaged):
                theirs = found
        tb = tb.tb_next
    if recursion:
        cycle = _reentry(frames, packaged)
        if cycle is not None:
            return cycle
    return theirs or found


def _reentry(frames: list[tuple[str, int, str]], packaged: str) -> tuple[str, int] | None:
    """The `{% include %}` or `{% extends %}` that starts rendering a template already being
    rendered further up the stack: the outermost one outside the packaged theme (else the
    outermost one). None when the frames show no such statement (a macro calling itself)."""
    entered = {name for name, _, location in frames[:1] if location == _TOP_LEVEL}
    first: tuple[str, int] | None = None
    for (name, line, _), (target, _, location) in pairwise(frames):
        if location != _TOP_LEVEL:
            continue
        if target in entered:
            if not name.startswith(packaged):
                return name, line
            first = first or (name, line)
        entered.add(target)
    return first


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
