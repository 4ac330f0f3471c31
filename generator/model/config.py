"""Find, parse and validate `portfolio.yml` into a frozen `Config`.

Every problem is reported with the key and its line, all at once: a missing required key, a
value of the wrong type, or an unknown key (with the closest known key as a hint).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..util.yamllines import YamlProblem, load_with_lines
from .configvalues import check_values
from .errors import BuildFailed, ConfigError, PortfolioError
from .urls import slugify

CONFIG_NAME = "portfolio.yml"


@dataclass(frozen=True)
class Author:
    name: str
    bio: str = ""
    avatar: str = ""
    email: str = ""
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RepoInfo:
    owner: str = ""
    repo: str = ""
    branch: str = "main"

    @property
    def configured(self) -> bool:
        return bool(self.owner and self.repo)


@dataclass(frozen=True)
class MenuItem:
    title: str
    url: str


@dataclass(frozen=True)
class NotebookOptions:
    execute: bool = False
    timeout: int = 600
    allow_errors: bool = False
    output_max_lines: int = 400


@dataclass(frozen=True)
class Peer:
    """Another learner's site (`peers:`): its base URL (ending in `/`) and the name shown."""

    name: str  # as configured, else "" (the page then uses their learning.json's author)
    url: str
    slug: str  # content/peers/SLUG.json: the slug of the name, else of the host

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").removeprefix("www.")


@dataclass(frozen=True)
class Config:
    root: Path
    title: str
    author: Author
    description: str = ""
    url: str = ""
    language: str = "en"
    github: RepoInfo = field(default_factory=RepoInfo)
    theme: str = "default"
    menu: tuple[MenuItem, ...] = ()
    posts_per_page: int = 10
    output: str = "_site"
    safe: bool = False
    notebooks: NotebookOptions = field(default_factory=NotebookOptions)
    exclude: tuple[str, ...] = ()
    pygments_style: str = "default"
    pygments_dark_style: str = "github-dark"  # comments at 6:1, not 3:1
    budget_page_kb: int = 10240
    budget_image_kb: int = 2048
    path: Path | None = None
    repo_prefix: str = ""  # the site's folder inside its git repository ("" at the top)
    # the résumé's skills: a skill and the tags that show it (`scikit-learn: [sklearn]`)
    skills: tuple[tuple[str, tuple[str, ...]], ...] = ()
    search: bool = True  # a Pagefind index of the posts, projects and pages (`/search/`)
    peers: tuple[Peer, ...] = ()  # other learners' sites, shown on the learning page

    @property
    def base_path(self) -> str:
        """The URL path the site is served under: `/` for a domain root, `/REPO/` otherwise."""
        path = urlsplit(self.url).path if self.url else "/"
        return "/" + path.strip("/") + "/" if path.strip("/") else "/"

    @property
    def site_origin(self) -> str:
        """`https://host` without the path, or '' when no url is configured."""
        if not self.url:
            return ""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def cname(self) -> str | None:
        """A custom domain gets a CNAME file; `*.github.io` does not need one."""
        if not self.url:
            return None
        host = urlsplit(self.url).hostname or ""
        if not host or host.endswith(".github.io") or host in {"localhost", "127.0.0.1"}:
            return None
        return host

    @property
    def output_dir(self) -> Path:
        return (self.root / Path(self.output).expanduser()).absolute()  # `output: ~/www/site`

    def digest(self, *parts: str) -> str:
        """A stable digest of the named config fields, for cache keys (all fields if none)."""
        data = {k: v for k, v in _plain(self).items() if not parts or k in parts}
        data.pop("root", None)
        data.pop("path", None)
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _plain(obj: Any) -> Any:
    if hasattr(obj, "__dataclass_fields__"):
        return {k: _plain(getattr(obj, k)) for k in obj.__dataclass_fields__}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    return obj


# key: (type, required, default). Nested tables are validated by their own schema.
_TOP: dict[str, tuple[type | tuple[type, ...], bool]] = {
    "title": (str, True), "description": (str, False), "url": (str, False),
    "language": (str, False), "author": (dict, True), "github": (dict, False),
    "theme": (str, False), "menu": (list, False), "posts_per_page": (int, False),
    "output": (str, False), "safe": (bool, False), "notebooks": (dict, False),
    "exclude": (list, False), "pygments_style": (str, False),
    "pygments_dark_style": (str, False), "budget_page_kb": (int, False),
    "budget_image_kb": (int, False), "skills": (dict, False), "search": (bool, False),
    "peers": (list, False),
}
_AUTHOR = {"name": (str, True), "bio": (str, False), "avatar": (str, False),
           "email": (str, False), "links": (dict, False)}
_GITHUB = {"owner": (str, True), "repo": (str, True), "branch": (str, False)}
_NOTEBOOKS = {"execute": (bool, False), "timeout": (int, False),
              "allow_errors": (bool, False), "output_max_lines": (int, False)}
_MENU = {"title": (str, True), "url": (str, True)}
_PEER = {"name": (str, False), "url": (str, False)}  # url is required: checked in _peers

_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false",
               dict: "a mapping (key: value lines)", list: "a list"}


def repo_prefix(root: Path) -> str:
    """Where the site sits in its git repository (`site/`), for Colab and GitHub links.

    Found by walking up to the folder holding `.git`, with no git subprocess; a site that is
    not in a repository (or is its top) gets ''.
    """
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            rel = root.relative_to(folder).as_posix()
            return "" if rel == "." else rel + "/"
    return ""


def find_root(start: Path) -> Path | None:
    """Walk up from `start` to the first folder holding `portfolio.yml`."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).exists():  # a pipe or a folder there is reported by load_config
            return folder
    return None


class _Checker:
    """Collects every config problem with its line, then raises them together."""

    def __init__(self, path: Path, display: str, lines: dict[tuple[str, ...], int]) -> None:
        self.path, self.display, self.lines = path, display, lines
        self.errors: list[PortfolioError] = []

    def error(self, keys: tuple[str, ...], message: str, hint: str | None = None) -> None:
        line = None
        for n in range(len(keys), 0, -1):
            line = self.lines.get(keys[:n])
            if line:
                break
        self.errors.append(ConfigError(message, self.display, line, None, hint))

    def table(self, data: Any, schema: dict, keys: tuple[str, ...]) -> dict[str, Any]:
        where = ".".join(keys) or "the top level"
        if not isinstance(data, dict):
            self.error(keys, f"'{where}' must be {_TYPE_NAMES[dict]}")
            return {}
        out: dict[str, Any] = {}
        hint: str | None
        for key, value in data.items():
            name = str(key)
            if name not in schema:
                close = difflib.get_close_matches(name, list(schema), n=1)
                hint = f"did you mean '{close[0]}'?" if close else \
                    "known keys: " + ", ".join(sorted(schema))
                self.error((*keys, name), f"unknown key '{'.'.join((*keys, name))}'", hint)
                continue
            expected, _ = schema[name]
            ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
            if not ok:
                got = "nothing" if value is None else type(value).__name__
                hint = "quote the value" if expected is str and value is not None else None
                self.error((*keys, name), f"'{'.'.join((*keys, name))}' must be "
                           f"{_TYPE_NAMES[expected]}, not {got}", hint)
                continue
            out[name] = value
        misspelt = {close for key in data if str(key) not in schema
                    for close in difflib.get_close_matches(str(key), list(schema), n=1)}
        for name, (_, required) in schema.items():
            if required and name not in data and name not in misspelt:  # one error per typo
                hint = f"add '{name}:' to {'the ' + '.'.join(keys) + ' section' if keys else ''}" \
                       f"{'portfolio.yml' if not keys else ''}"
                if name == "author":
                    hint = "add an 'author:' section with at least 'name: Your Name' under it"
                self.error(keys, f"missing required key '{'.'.join((*keys, name))}'", hint)
        return out


def _peers(check: _Checker, entries: list[Any]) -> tuple[Peer, ...]:
    """`peers:`: `- {name: Ada, url: https://ada.github.io/ml/}` or a bare URL."""
    out: list[Peer] = []
    numbers: list[int] = []  # each one's place in the list, for messages
    for index, item in enumerate(entries):
        keys = ("peers", str(index))
        entry = check.table({"url": item} if isinstance(item, str) else item, _PEER, keys)
        url, name = str(entry.get("url") or "").strip(), str(entry.get("name") or "").strip()
        who = f"peer {index + 1}" + (f" ({name})" if name else "")
        if "url" not in entry:
            if isinstance(item, dict) and "url" not in item:
                check.error(keys, f"{who} has no 'url:' (the address of their site)",
                            "for example  - {name: Ada, url: https://ada.github.io/ml/}")
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            check.error((*keys, "url"), f"the url of {who} must start with https:// (got "
                        f"{url!r})", "the address of their site, such as "
                        "https://ada.github.io/ml/")
            continue
        url = url.split("#", 1)[0].split("?", 1)[0]
        url = url.removesuffix("learning.json").rstrip("/") + "/"  # the site, not the file
        host = (parts.hostname or "").removeprefix("www.")
        peer = Peer(name, url, slugify(name) if name else slugify(host))
        for number, other in zip(numbers, out, strict=True):
            if other.url == peer.url or other.slug == peer.slug:
                what = "is the same site as" if other.url == peer.url else \
                    f"has the same file (content/peers/{peer.slug}.json) as"
                check.error(keys, f"{who} {what} peer {number}", "list each site once, and "
                            "give two peers on one host different names")
                break
        else:
            out.append(peer)
            numbers.append(index + 1)
    return tuple(out)


def load_config(root: Path, *, overrides: dict[str, Any] | None = None) -> Config:
    """Read `root/portfolio.yml`; raise `BuildFailed` with every problem found."""
    root = root.absolute()
    path = root / CONFIG_NAME
    display = CONFIG_NAME
    try:
        # A named pipe or device would block the read forever: read only a regular file.
        if path.exists() and not path.is_file() and not path.is_dir():
            raise ConfigError("not a regular file (a named pipe, socket or device)", display,
                              hint=f"replace it with a text file named {CONFIG_NAME}")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"no {CONFIG_NAME} in {root.name or root}", hint=(
            "run this in your site's folder, or create a portfolio.yml "
            "(portfolio init makes one)")) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", display) from None
    except OSError as exc:  # unreadable, or a folder
        raise ConfigError(f"cannot read the file: {exc.strerror or exc}", display) from None
    try:
        data, lines = load_with_lines(text)
    except YamlProblem as exc:
        raise ConfigError(exc.message, display, exc.line, exc.col, exc.hint) from None
    if data is None:
        data = {}
    check = _Checker(path, display, lines)
    top = check.table(data, _TOP, ())
    for key, value in (overrides or {}).items():
        if value is not None:
            top[key] = value

    author = check.table(top.get("author", {}), _AUTHOR, ("author",)) if "author" in top else {}
    links = author.pop("links", {}) or {}
    for label, target in links.items():
        if not isinstance(target, str):
            check.error(("author", "links", str(label)), f"link '{label}' must be a URL string")
    github = check.table(top["github"], _GITHUB, ("github",)) if "github" in top else {}
    notebooks = check.table(top["notebooks"], _NOTEBOOKS, ("notebooks",)) \
        if "notebooks" in top else {}
    menu: list[MenuItem] = []
    for index, item in enumerate(top.get("menu", [])):
        entry = check.table(item, _MENU, ("menu", str(index)))
        if "title" in entry and "url" in entry:
            menu.append(MenuItem(entry["title"], entry["url"]))
    url = top.get("url", "")
    if url and urlsplit(url).scheme not in ("http", "https"):
        check.error(("url",), f"'url' must start with https:// (got {url!r})",
                    "for example https://USER.github.io/REPO/")
    skills: list[tuple[str, tuple[str, ...]]] = []
    for name, aliases in (top.get("skills") or {}).items():
        if isinstance(aliases, str):
            aliases = [aliases]
        if aliases is None:
            aliases = []
        if not isinstance(aliases, list) or not all(
                isinstance(a, (str, int, float)) and not isinstance(a, bool) for a in aliases):
            check.error(("skills", str(name)), f"'skills.{name}' must be a list of the tags "
                        "that show it", f"for example  {name}: [{name}, ...]")
            continue
        skills.append((str(name), tuple(str(a) for a in aliases)))
    top["skills"] = tuple(skills)
    top["peers"] = _peers(check, top.get("peers") or [])
    check_values(check.error, root, data, author=author, links=links, github=github,
                 menu=top.get("menu", []), theme=top.get("theme"))
    if top.get("posts_per_page", 10) < 1:
        check.error(("posts_per_page",), "'posts_per_page' must be at least 1")
    if check.errors:
        if len(check.errors) == 1:
            raise check.errors[0]
        raise BuildFailed(check.errors)

    top.pop("author", None)
    top.pop("github", None)
    top.pop("notebooks", None)
    top.pop("menu", None)
    top["exclude"] = tuple(str(x) for x in top.get("exclude", ()))
    return Config(
        root=root, path=path, repo_prefix=repo_prefix(root),
        author=Author(**author, links=tuple((str(k), str(v)) for k, v in links.items())),
        github=RepoInfo(**github), notebooks=NotebookOptions(**notebooks), menu=tuple(menu),
        **top,
    )
