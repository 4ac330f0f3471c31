"""The error model: every problem a user can cause is a `PortfolioError` that names its file.

The CLI turns these into one line each (`path:line:col: message`), with a hint where one helps,
and never a traceback unless `--debug` is given.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_ERRORS = 50  # like Hugo: report many problems at once, but not a wall of thousands

_BRIEF = reprlib.Repr()
_BRIEF.maxstring, _BRIEF.maxlong, _BRIEF.maxother, _BRIEF.maxlevel = 60, 40, 60, 3
_BRIEF.maxlist = _BRIEF.maxdict = 4


def brief(value: Any) -> str:
    """`repr(value)`, cut short: a message quotes a 400-digit number or a long list in part."""
    return _BRIEF.repr(value)


def clip(text: str, limit: int = 200) -> str:
    """A library's message cut to `limit` characters (it may quote a whole notebook cell)."""
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


class PortfolioError(Exception):
    """Base class of every error that is the user's to fix (exit code 1)."""

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        col: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.col = col
        self.hint = hint

    def __reduce__(self):  # keep path/line/hint when sent back from a worker process
        return (_rebuild, (type(self), self.message, self.path, self.line, self.col, self.hint))

    def location(self) -> str:
        """`path:line:col`, as far as it is known."""
        if not self.path:
            return ""
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return loc

    def __str__(self) -> str:
        loc = self.location()
        return f"{loc}: {self.message}" if loc else self.message


def _rebuild(cls: type[PortfolioError], message: str, path: str | None, line: int | None,
             col: int | None, hint: str | None) -> PortfolioError:
    error = PortfolioError.__new__(cls)
    PortfolioError.__init__(error, message, path, line, col, hint)
    return error


class ConfigError(PortfolioError):
    """`portfolio.yml` is missing, malformed or invalid."""


class SourceError(PortfolioError):
    """A post, page or notebook cannot be read."""


class TemplateError(PortfolioError):
    """A theme template failed to compile or render."""


class OutputError(PortfolioError):
    """The output folder cannot be written safely (refused, disk full, permission denied)."""


class DeployError(PortfolioError):
    """Publishing to GitHub Pages was refused or failed."""


class UsageError(PortfolioError):
    """A command was called wrongly; the CLI maps it to exit code 2."""


class CacheDamaged(PortfolioError):
    """A file of the build cache is not what was stored (truncated, overwritten or gone): the
    build discards it and converts its source again (`build.render_outputs`)."""

    def __init__(self, file: Path) -> None:
        super().__init__("a file of the build cache is damaged; it was removed, run the build "
                         "again", str(file))
        self.file = file


class BuildFailed(PortfolioError):
    """One or more documents failed; carries every error (capped at `MAX_ERRORS`)."""

    def __init__(self, errors: list[PortfolioError], total: int | None = None, *,
                 published: bool = False) -> None:
        self.errors = errors[:MAX_ERRORS]
        self.total = total if total is not None else len(errors)
        self.published = published  # True under --keep-going: the valid pages were written
        super().__init__(f"{self.total} error(s); " + (
            "every other page was written" if published else "the site was not written"))

    def outcome(self) -> str:
        """What happened to the output folder, for the CLI's last line."""
        if self.published:
            return "Every other page was built and written (--keep-going); fix the errors " \
                   "above before publishing."
        return "Nothing was written: the previous site was left as it was."


@dataclass(frozen=True)
class Diagnostic:
    """A warning with its place: shown after the build, an error under `--strict`."""

    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        loc = self.path or ""
        if loc and self.line is not None:
            loc += f":{self.line}"
        return f"{loc}: {self.message}" if loc else self.message


def format_error(err: PortfolioError) -> str:
    """Render an error for a terminal or serve's error page: location, message, hint."""
    lines = [str(err)]
    if err.hint:
        lines.append(f"  hint: {err.hint}")
    cause = err.__cause__
    seen = 0
    while cause is not None and seen < 3 and not isinstance(cause, PortfolioError):
        text = str(cause).strip().splitlines()
        if text:
            lines.append(f"  reason: {text[0]}")
        cause = cause.__cause__
        seen += 1
    return "\n".join(lines)
