"""Checks of `portfolio.yml` values beyond their types, each reported with its key's line.

GitHub names and the branch must be ones GitHub and git accept (they end up in URLs and in
git commands); links must not be `javascript:`-like (the page would drop them without a word);
the theme is a folder name under `themes/`; the output folder is never the home folder or the
site's own. `key_line` finds a key's line for problems found after loading (a Pygments style).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..util.yamllines import YamlProblem, load_with_lines
from .urls import is_safe_url

Report = Callable[[tuple[str, ...], str, str | None], None]  # keys, message, hint

_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?")
_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")
_REF_BAD = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")


def check_values(report: Report, root: Path, data: Any, *, author: dict[str, Any],
                 links: dict[Any, Any], github: dict[str, Any],
                 menu: list[Any], theme: Any) -> None:
    """Report every bad value; `data` is the file's own top level (before --out and such)."""
    owner, repo = github.get("owner"), github.get("repo")
    if isinstance(owner, str) and not _OWNER.fullmatch(owner):
        report(("github", "owner"), f"'github.owner' is not a GitHub user or organisation "
               f"name: {owner!r}", "letters, digits and single hyphens (up to 39), as in "
               "https://github.com/OWNER/REPO")
    if isinstance(repo, str) and (not _REPO.fullmatch(repo) or repo in (".", "..")):
        report(("github", "repo"), f"'github.repo' is not a GitHub repository name: {repo!r}",
               "letters, digits, '.', '-' and '_' (up to 100), as in "
               "https://github.com/OWNER/REPO")
    branch = github.get("branch")
    if isinstance(branch, str):
        why = branch_problem(branch)
        if why:
            report(("github", "branch"), f"'github.branch' is not a name git accepts: "
                   f"{branch!r} ({why})", "for example  branch: main")
    for index, item in enumerate(menu):
        url = item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and not is_safe_url(url):
            report(("menu", str(index), "url"), f"menu item '{item.get('title')}' links to a "
                   f"script URL ({url[:40]!r})", "menu links must be pages or http(s) addresses")
    for label, target in links.items():
        if isinstance(target, str) and not is_safe_url(target):
            report(("author", "links", str(label)), f"author link '{label}' is a script URL "
                   f"({target[:40]!r})", "links must be http(s) or mailto: addresses")
    avatar = author.get("avatar")
    if isinstance(avatar, str) and not is_safe_url(avatar):
        report(("author", "avatar"), f"'author.avatar' is a script URL ({avatar[:40]!r})",
               "the path of an image in the site, or an https:// address")
    if isinstance(theme, str) and theme != "default" and (
            re.search(r"[/\\:\x00]", theme) or theme in ("", ".", "..") or theme[0] == "~"):
        report(("theme",), f"'theme' must be the name of a folder under themes/, not {theme!r}",
               "put the theme in themes/NAME/ and write  theme: NAME  (or theme: default)")
    output = data.get("output") if isinstance(data, dict) else None
    if isinstance(output, str):
        why = output_problem(root, output)
        if why:
            report(("output",), f"refusing 'output: {output}': {why}",
                   "use a folder of its own, such as  output: _site")


def branch_problem(name: str) -> str | None:
    """Why git would refuse `name` as a branch (git check-ref-format's rules), or None."""
    if not name:
        return "it is empty"
    bad = _REF_BAD.search(name)
    if bad:
        what = bad[0]
        shown = "a space" if what == " " else "a control character" if what < " " or \
            what == "\x7f" else f"'{what}'"
        return f"it contains {shown}"
    if name.startswith(("-", "/")) or name.endswith(("/", ".", ".lock")) or name == "@":
        return "it starts with '-' or '/', or ends with '/', '.' or '.lock'"
    if any(part.startswith(".") or part.endswith(".lock") for part in name.split("/")):
        return "a part of it starts with '.' or ends with '.lock'"
    return None


def output_problem(root: Path, value: str) -> str | None:
    """Why the output folder `value` (relative to the site, `~` expanded) would destroy work."""
    try:
        path = Path(value).expanduser()
    except RuntimeError:  # `~` with no home folder to expand it to
        return "'~' cannot be expanded here (no home folder is known)"
    real_out = Path(os.path.realpath(root / path))
    real_root = Path(os.path.realpath(root))
    try:
        home = Path(os.path.realpath(Path.home()))
    except RuntimeError:
        home = None
    if real_out == home:
        return "it is your home folder"
    if real_out == real_root:
        return "it is the site's own folder"
    if real_root.is_relative_to(real_out):
        return "it holds the site's own folder"
    return None


def key_line(path: Path | None, keys: tuple[str, ...]) -> int | None:
    """The line of `keys` in the config file at `path` (None when it cannot be told)."""
    if path is None:
        return None
    try:
        _, lines = load_with_lines(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, YamlProblem):
        return None
    return lines.get(keys)
