"""`portfolio init` and `portfolio new`: create a starter site, posts and projects.

Nothing here ever overwrites a file the user has: `init` lists what exists and stops unless
forced, and `new` refuses a name that is taken.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..model.errors import PortfolioError, UsageError
from ..model.urls import slugify
from ..util.git import GitMissing, run_git

STARTER = Path(__file__).parent / "starter"
# starter files stored under another name: a dot-file or a live portfolio.yml inside the package
# would be picked up by tools (git, hatch, `portfolio` itself) as if it were real
_RENAMES = {"gitignore": ".gitignore", "portfolio.yml.tmpl": "portfolio.yml"}
WORKFLOW = ".github/workflows/pages.yml"


class ScaffoldError(PortfolioError):
    """A file that `init` or `new` would create already exists."""


@dataclass(frozen=True)
class GitHubInfo:
    """What the git remote says about where the site will be published."""

    owner: str
    repo: str
    branch: str = "main"

    @property
    def user_site(self) -> bool:
        """A `USER.github.io` repository is published at the domain root."""
        return self.repo.lower() == f"{self.owner.lower()}.github.io"

    @property
    def url(self) -> str:
        host = f"https://{self.owner.lower()}.github.io/"
        return host if self.user_site else f"{host}{self.repo}/"


@dataclass
class InitResult:
    root: Path
    created: list[str] = field(default_factory=list)  # POSIX paths relative to root
    github: GitHubInfo | None = None
    workflow: bool = False  # whether the Pages workflow was written
    notes: list[str] = field(default_factory=list)  # things the user should check


_REMOTE = re.compile(
    r"^(?:https?://(?:[^@/]+@)?github\.com/|ssh://git@github\.com/|git@github\.com:)"
    r"(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$")


def parse_remote(url: str) -> tuple[str, str] | None:
    """(owner, repo) from a GitHub remote URL in HTTPS or SSH form; None for anything else."""
    match = _REMOTE.match(url.strip())
    return (match["owner"], match["repo"]) if match else None


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = run_git(folder, *args, timeout=10)
    except GitMissing:
        return None  # no git installed: init still works, without the pre-filled repo
    return done.stdout.strip() if done.returncode == 0 else None


def detect_github(folder: Path) -> GitHubInfo | None:
    """Owner, repo and branch from `origin` and the current branch, if `folder` is in git."""
    remote = _git(folder, "remote", "get-url", "origin")
    parsed = parse_remote(remote) if remote else None
    if parsed is None:
        return None
    branch = _git(folder, "rev-parse", "--abbrev-ref", "HEAD")
    # a fresh repository has no commit yet ("HEAD" and an error); a detached HEAD says "HEAD"
    if not branch or branch == "HEAD":
        branch = _git(folder, "symbolic-ref", "--short", "HEAD") or "main"
    return GitHubInfo(parsed[0], parsed[1], branch)


def _yaml_str(value: str) -> str:
    """A double-quoted YAML scalar that reads back as exactly `value`."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True,
                          width=1 << 30).removesuffix("\n...\n").rstrip("\n")


def _config_text(folder: Path, github: GitHubInfo | None) -> str:
    template = string.Template((STARTER / "portfolio.yml.tmpl").read_text("utf-8"))
    author = _git(folder, "config", "user.name") or ""
    if github:
        url = f"url: {github.url}"
        links = f"  links:\n    GitHub: https://github.com/{github.owner}"
        repo = (f"github:\n  owner: {_yaml_str(github.owner)}\n  repo: {_yaml_str(github.repo)}"
                f"\n  branch: {_yaml_str(github.branch)}")
    else:
        # no url: served at the root locally; the Pages workflow supplies the real one
        url = "# url: https://USER.github.io/REPO/"
        links = "  links: {}  # for example {GitHub: https://github.com/USER}"
        repo = "# github:\n#   owner: USER\n#   repo: REPO\n#   branch: main"
    title = f"{author} · ML portfolio" if author else "My ML portfolio"
    return template.substitute(title=_yaml_str(title), url=url,
                               author=_yaml_str(author or "Your Name"), links=links, github=repo)


def _starter_files(today: dt.date) -> dict[str, Path]:
    """Destination path (relative, POSIX) -> starter file."""
    files: dict[str, Path] = {}
    for path in sorted(STARTER.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(STARTER).as_posix()
        name = _RENAMES.get(rel, rel).replace("DATE-", f"{today.isoformat()}-")
        files[name] = path
    return files


def init_site(folder: Path, *, force: bool = False, today: dt.date | None = None) -> InitResult:
    """Create a ready-to-build site in `folder`; refuse if any of its files exist (unless force)."""
    folder = Path(folder).absolute()
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError("exists and is not a folder", folder)
    today = today or dt.date.today()
    files = _starter_files(today)
    try:
        from .workflow import WORKFLOW_PATH, write_workflow
    except ImportError:  # the deploy feature is optional at this layer
        with_workflow, planned = False, sorted(files)
    else:
        with_workflow, planned = True, sorted([*files, WORKFLOW_PATH.as_posix()])
    existing = [rel for rel in planned if (folder / rel).exists() or (folder / rel).is_symlink()]
    if existing and not force:
        create = [rel for rel in planned if rel not in existing]
        raise ScaffoldError(
            "these files already exist, so nothing was written:\n"
            + "".join(f"  exists:  {rel}\n" for rel in existing)
            + "".join(f"  create:  {rel}\n" for rel in create).rstrip("\n"),
            folder, hint="run init in an empty folder, or pass --force to overwrite them")
    folder.mkdir(parents=True, exist_ok=True)
    github = detect_github(folder)
    result = InitResult(folder, github=github)
    for rel, src in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()  # --force: replace the link itself, never write through it
        if rel == "portfolio.yml":
            target.write_text(_config_text(folder, github), "utf-8", newline="\n")
        else:
            # the sample notebook is dated the day the site is made, like the sample post
            data = src.read_bytes().replace(b"date: 2026-01-01", f"date: {today}".encode())
            target.write_bytes(data)
        result.created.append(rel)
    if with_workflow:
        from .workflow import default_install

        install, note = default_install(folder)
        if note:
            result.notes.append(note)
        write_workflow(folder, force=True, branch=github.branch if github else "main",
                       base_url_in_config=github is not None, install=install)
        result.workflow = True
        result.created.append(WORKFLOW_PATH.as_posix())
    result.created.sort()
    return result


def _claim(path: Path, text: str) -> Path:
    """Create `path` with `text`, failing if it exists (even if it appeared a moment ago)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError("already exists; nothing was written", path,
                            hint="pick another title or name, or edit the existing file") from None
    return path


def new_post(root: Path, title: str, *, today: dt.date | None = None) -> Path:
    """Create `content/posts/YYYY-MM-DD-slug.md`, a draft with its front matter filled in."""
    if not title.strip():
        raise UsageError("the post needs a title, e.g. portfolio new post \"What I learned\"")
    today = today or dt.date.today()
    path = Path(root) / "content" / "posts" / f"{today.isoformat()}-{slugify(title)}.md"
    text = (f"---\ntitle: {_yaml_str(title.strip())}\ndate: {today.isoformat()}\ntags: []\n"
            "draft: true\n---\n\nWrite your post here. Remove `draft: true` above to publish "
            "it.\n")
    return _claim(path, text)


def _project_title(name: str, slug: str) -> str:
    return slug.replace("-", " ").capitalize() if name.strip() == slug else name.strip()


def new_project(root: Path, name: str, *, markdown: bool = False,
                today: dt.date | None = None) -> Path:
    """Create `projects/NAME.ipynb` (front matter in a first raw cell) or `projects/NAME.md`."""
    if not name.strip():
        raise UsageError("the project needs a name, e.g. portfolio new project iris-knn")
    today = today or dt.date.today()
    slug = slugify(name)
    title = _project_title(name, slug)
    front = (f"---\ntitle: {_yaml_str(title)}\ndate: {today.isoformat()}\nsummary: \"\"\n"
             "tags: []\ndraft: true\n")
    folder = Path(root) / "projects"
    if markdown:
        text = (front + "repo: \"\"  # OWNER/REPO of the project's code\n"
                "demo: \"\"  # a URL where it runs, if any\n---\n\n"
                "What the project does, how you built it, and what you learned.\n")
        return _claim(folder / f"{slug}.md", text)
    return _claim(folder / f"{slug}.ipynb", _notebook_json(front + "---", title))


def _notebook_json(front: str, title: str) -> str:
    """A valid nbformat 4.5 notebook: front-matter raw cell, a Markdown cell, an empty code cell."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

    cells = [new_raw_cell(front),
             new_markdown_cell("What this notebook explores, and why. (The title and date are "
                               "in the first cell; edit them there.)"),
             new_code_cell("")]
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index}"  # readable, stable ids instead of random ones
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"
