"""Publish a built site to GitHub Pages as a commit on a branch (`gh-pages`), with git plumbing.

The user's working tree, index and current branch are never touched: the site's files are hashed
straight into the object store, staged in a temporary index (`GIT_INDEX_FILE`), committed with
`commit-tree` and the branch is moved with `update-ref`. No checkout, no worktree.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ..model.errors import DeployError
from ..util.git import GitMissing, run_git

MIB = 1024 * 1024
WARN_FILE_BYTES = 50 * MIB  # GitHub warns on a push with a file above this
MAX_FILE_BYTES = 100 * MIB  # GitHub rejects a push with a file above this
MAX_TOTAL_BYTES = 1024 * MIB  # GitHub Pages: a published site may be no larger than 1 GB
FALLBACK_IDENTITY = {"name": "portfolio", "email": "portfolio@localhost"}
REMOTE_MOVED = "remote {branch} changed; fetch or use --force"
_MODE = "100644"  # one mode for every file: the tree depends on the bytes, not on umask or chmod


@dataclass(frozen=True)
class DeployResult:
    """What `publish` did, or on a dry run would do."""

    commit: str | None  # the branch tip after the deploy; None on a dry run
    files: int
    bytes: int
    pushed: bool
    changed: bool  # False: the tree equals the branch's, so no commit was made
    warnings: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()  # every published path (POSIX, sorted): the dry-run listing


@dataclass(frozen=True)
class _File:
    path: str  # POSIX path inside the published tree
    source: Path
    size: int


def publish(
    site_dir: Path,
    repo_dir: Path,
    *,
    branch: str = "gh-pages",
    remote: str = "origin",
    message: str | None = None,
    cname: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    push: bool = True,
    version: str | None = None,
    ignore_version: bool = False,
    badges_branch: str | None = None,
) -> DeployResult:
    """Commit the built `site_dir` to `branch` of the repo at `repo_dir`, then push it to `remote`.

    Refuses (DeployError) symlinks and oversized files, a branch that a worktree has checked out,
    a missing remote, a remote branch with commits the local one lacks (unless `force`), and a
    branch last deployed by a newer portfolio (unless `ignore_version`). `dry_run` writes nothing.
    `badges_branch`: the branch the notebooks' Colab and GitHub links open, warned about when
    it is not pushed to `remote` (the links would show a 404 or an older notebook).
    """
    site_dir, repo_dir = Path(site_dir), Path(repo_dir)
    version = version or _tool_version()
    if not site_dir.is_dir():
        raise DeployError("nothing to publish: the site folder does not exist", path=site_dir,
                          hint="run `portfolio build` first")
    _check_repo(repo_dir, branch)
    files = _collect(site_dir)
    if not files:
        # An empty deploy would "succeed" and blank the live site.
        raise DeployError("nothing to publish: the site folder is empty", path=site_dir,
                          hint="run `portfolio build` first")
    warnings = _check_sizes(files, site_dir)
    if not any(f.path == "index.html" for f in files):
        warnings.append("no index.html at the site root: the home page will be a 404")

    have_remote = remote in _git(repo_dir, "remote").stdout.split()
    if push and not have_remote:
        msg = f"no git remote named {remote!r}"
        if not dry_run:
            raise DeployError(msg, path=repo_dir,
                              hint=f"git remote add {remote} https://github.com/USER/REPO.git")
        warnings.append(msg + ": a real deploy would fail")
    remote_tip = None
    if have_remote:
        remote_tip = _remote_tip(repo_dir, remote, branch, fetch=push and not dry_run)
    local_tip = _rev(repo_dir, f"refs/heads/{branch}")
    if remote_tip and local_tip and not force and not _is_ancestor(repo_dir, remote_tip, local_tip):
        raise DeployError(REMOTE_MOVED.format(branch=branch), path=repo_dir,
                          hint=f"`git fetch {remote} {branch}:{branch}` to adopt the remote "
                               f"{branch}, or --force to overwrite it")
    parent = local_tip or remote_tip
    if parent and not ignore_version:
        _check_version(repo_dir, parent, version)
    source, dirty = _source_state(repo_dir)
    if dirty:
        shown = ", ".join(dirty[:10]) + (f" (+{len(dirty) - 10} more)" if len(dirty) > 10 else "")
        warnings.append(f"uncommitted changes in the source repo: {shown}")
    if badges_branch:
        note = unpushed(repo_dir, badges_branch, remote)
        if note:
            warnings.append(note)

    with tempfile.TemporaryDirectory(prefix="portfolio-deploy-") as tmp:
        files = _with_generated(files, Path(tmp), cname)
        shas = _hash(repo_dir, files, write=not dry_run)
        entries = {f.path: (_MODE, sha) for f, sha in zip(files, shas, strict=True)}
        changed = parent is None or entries != _tree_entries(repo_dir, parent)
        result = DeployResult(commit=None, files=len(files), bytes=sum(f.size for f in files),
                              pushed=False, changed=changed, warnings=tuple(warnings),
                              paths=tuple(sorted(entries)))
        if dry_run:
            return result
        tip = parent
        if changed:
            tree = _write_tree(repo_dir, entries, Path(tmp) / "index")
            text = message or f"Deploy {source}{'-dirty' if dirty else ''} with portfolio {version}"
            tip = _commit(repo_dir, tree, parent, text)
            _git(repo_dir, "update-ref", "-m", f"portfolio deploy: {text}",
                 f"refs/heads/{branch}", tip, local_tip or "")

    # Push whenever the remote lacks our tip: that also retries a deploy whose push failed.
    pushed = push and tip != remote_tip
    if pushed:
        _push(repo_dir, remote, branch, lease=(remote_tip or "") if force else None)
    return replace(result, commit=tip, pushed=pushed)


def unpushed(repo: Path, branch: str, remote: str) -> str | None:
    """Why the notebooks' badges would open a missing or older notebook, or None.

    Compares the local branch with `remote`'s copy as last fetched (no network here)."""
    local = _rev(repo, f"refs/heads/{branch}")
    pushed = _rev(repo, f"refs/remotes/{remote}/{branch}")
    if pushed is None:
        return (f"branch '{branch}' is not on {remote}: the notebooks' Open in Colab and GitHub "
                f"links point at it and will show 'not found' (git push {remote} {branch})")
    if local is not None and local != pushed:
        ahead = _git(repo, "rev-list", "--count", f"{pushed}..{local}", check=False)
        count = ahead.stdout.strip()
        if count.isdigit() and int(count) > 0:
            return (f"{count} commit{'s' * (count != '1')} on '{branch}' not pushed to {remote}:"
                    f" the notebooks' Colab and GitHub links show the pushed version "
                    f"(git push {remote} {branch})")
    return None


def _git(repo: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in `repo` with C-locale messages (we match some); failures become DeployError."""
    # a push or fetch of a large site over a slow network may take minutes; nothing else does
    timeout = 1800.0 if args[0] in ("push", "fetch") else 120.0
    try:
        proc = run_git(repo, *args, stdin=stdin, env=env, timeout=timeout)
    except GitMissing as exc:
        raise DeployError(str(exc), hint="install git") from None
    if check and proc.returncode != 0:
        raise DeployError(f"git {args[0]} failed: {_reason(proc.stderr)}", path=repo)
    return proc


def _reason(stderr: str) -> str:
    """The line of git's stderr that says what went wrong."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("fatal:", "error:")):
            return ln.split(":", 1)[1].strip()
    return lines[-1] if lines else "unknown error"


def _rev(repo: Path, ref: str) -> str | None:
    proc = _git(repo, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
    return proc.stdout.strip() or None


def _is_ancestor(repo: Path, older: str, newer: str) -> bool:
    proc = _git(repo, "merge-base", "--is-ancestor", older, newer, check=False)
    if proc.returncode > 1:
        raise DeployError(f"git merge-base failed: {_reason(proc.stderr)}", path=repo)
    return proc.returncode == 0


def _check_repo(repo: Path, branch: str) -> None:
    """Refuse a non-repo, a bad branch name, and a branch that some worktree has checked out."""
    if not repo.is_dir() or _git(repo, "rev-parse", "--git-dir", check=False).returncode != 0:
        raise DeployError("not a git repository", path=repo,
                          hint="run `git init` and add your GitHub repo as a remote")
    if _git(repo, "check-ref-format", "--branch", branch, check=False).returncode != 0:
        raise DeployError(f"{branch!r} is not a valid branch name", path=repo)
    # Moving a checked-out branch would leave that working tree looking modified.
    worktrees = _git(repo, "worktree", "list", "--porcelain").stdout.splitlines()
    if f"branch refs/heads/{branch}" in worktrees:
        raise DeployError(f"branch {branch} is checked out; deploying would change that work tree",
                          path=repo, hint="switch to your source branch, e.g. `git switch main`")


def _collect(site_dir: Path) -> list[_File]:
    """Every file to publish, in path order; refuses symlinks and special files (S7, D5)."""
    found: list[_File] = []

    def walk(folder: Path, prefix: str) -> None:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            # .git may be carried over by the build; .portfolio* at the root is its marker/manifest.
            if entry.name == ".git" or (not prefix and entry.name.startswith(".portfolio")):
                continue
            where = Path(entry.path)
            if entry.is_symlink():
                # Following it could publish anything (~/.ssh/id_rsa); ghp-import would.
                raise DeployError("the site holds a symlink; refusing to publish what it points to",
                                  path=where, hint="replace it with a copy of the file")
            if "\n" in entry.name or "\r" in entry.name:
                raise DeployError("a file name holds a line break", path=where)
            if entry.is_dir(follow_symlinks=False):
                walk(where, f"{prefix}{entry.name}/")
            elif entry.is_file(follow_symlinks=False):
                size = entry.stat(follow_symlinks=False).st_size
                found.append(_File(prefix + entry.name, where, size))
            else:
                raise DeployError("not a regular file (a socket, fifo or device)", path=where)

    walk(site_dir, "")
    return found


def _check_sizes(files: list[_File], site_dir: Path) -> list[str]:
    """GitHub's limits (D5): an error above the hard ones, a warning above 50 MB."""
    warnings = []
    for f in files:
        if f.size > MAX_FILE_BYTES:
            raise DeployError(f"{_mb(f.size)} is over GitHub's {_mb(MAX_FILE_BYTES)} file limit",
                              path=f.source, hint="host it elsewhere, e.g. a GitHub release")
        if f.size > WARN_FILE_BYTES:
            warnings.append(f"{f.path}: {_mb(f.size)} is over GitHub's recommended "
                            f"{_mb(WARN_FILE_BYTES)} per file")
    total = sum(f.size for f in files)
    if total > MAX_TOTAL_BYTES:
        raise DeployError(f"the site is {_mb(total)}, over GitHub Pages' {_mb(MAX_TOTAL_BYTES)} "
                          "limit", path=site_dir)
    return warnings


def _mb(size: int) -> str:
    return f"{size / MIB:.0f} MB"


def _with_generated(files: list[_File], tmp: Path, cname: str | None) -> list[_File]:
    """Add `.nojekyll` (serve `_`-prefixed dirs) and `CNAME`; ours replace the site's."""
    generated = {".nojekyll": ""}
    if cname is not None:
        domain = cname.strip()
        if "." not in domain or not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?",
                                                 domain):
            raise DeployError(f"{cname!r} is not a domain name",
                              hint="give a bare domain such as www.example.com: no scheme or path")
        generated["CNAME"] = domain + "\n"
    extra = []
    for name, text in generated.items():
        (tmp / name).write_text(text, encoding="ascii")
        extra.append(_File(name, tmp / name, len(text)))
    return sorted([f for f in files if f.path not in generated] + extra, key=lambda f: f.path)


def _hash(repo: Path, files: list[_File], *, write: bool) -> list[str]:
    """Blob ids of the files, in order; `--no-filters`: the bytes as built, whatever autocrlf."""
    args = ["hash-object", *(["-w"] if write else []), "--no-filters", "--stdin-paths"]
    stdin = "".join(f"{f.source}\n" for f in files)
    return _git(repo, *args, stdin=stdin).stdout.split()


def _tree_entries(repo: Path, commit: str) -> dict[str, tuple[str, str]]:
    """path -> (mode, blob id) of every file in `commit`: equal listings mean equal trees."""
    out = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit).stdout
    entries = {}
    for record in filter(None, out.split("\0")):
        meta, path = record.split("\t", 1)
        mode, _kind, sha = meta.split()
        entries[path] = (mode, sha)
    return entries


def _write_tree(repo: Path, entries: dict[str, tuple[str, str]], index: Path) -> str:
    """Stage `entries` in a private index file, so the user's index is never read or written."""
    env = {"GIT_INDEX_FILE": str(index)}
    info = "".join(f"{mode} {sha}\t{path}\0" for path, (mode, sha) in entries.items())
    _git(repo, "update-index", "-z", "--index-info", stdin=info, env=env)
    return _git(repo, "write-tree", env=env).stdout.strip()


def _commit(repo: Path, tree: str, parent: str | None, message: str) -> str:
    """`commit-tree`, with a fallback identity so that a machine with no git config can deploy."""
    env = {}
    for key, value in FALLBACK_IDENTITY.items():
        if not _git(repo, "config", f"user.{key}", check=False).stdout.strip():
            for role in ("AUTHOR", "COMMITTER"):
                var = f"GIT_{role}_{key.upper()}"
                env[var] = os.environ.get(var) or value
    args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"]
    return _git(repo, *args, stdin=message + "\n", env=env).stdout.strip()


def _remote_tip(repo: Path, remote: str, branch: str, *, fetch: bool) -> str | None:
    """The remote branch's tip: fetched fresh when `fetch`, else the last one seen."""
    tracking = f"refs/remotes/{remote}/{branch}"
    if fetch:
        proc = _git(repo, "fetch", "--no-tags", remote, f"+refs/heads/{branch}:{tracking}",
                    check=False)
        if proc.returncode != 0:
            if "couldn't find remote ref" in proc.stderr:
                return None  # first deploy: the remote has no such branch yet
            raise DeployError(f"cannot fetch {branch} from {remote}: {_reason(proc.stderr)}",
                              path=repo, hint="check the network and your access to the repo")
    return _rev(repo, tracking)


def _push(repo: Path, remote: str, branch: str, *, lease: str | None) -> None:
    """Push the branch; with `lease` (force), overwrite only the tip we fetched, not a newer one."""
    ref = f"refs/heads/{branch}"
    args = ["push", "--porcelain", *([f"--force-with-lease={ref}:{lease}"] if lease is not None
                                    else []), remote, f"{ref}:{ref}"]
    proc = _git(repo, *args, check=False)
    if proc.returncode != 0:
        # --porcelain: "!<TAB>src:dst<TAB>[rejected] (non-fast-forward)" per refused ref.
        refused = [ln.rsplit("\t", 1)[-1] for ln in proc.stdout.splitlines() if ln[:1] == "!"]
        if any(r.startswith("[rejected]") for r in refused):  # non-fast-forward or stale lease
            raise DeployError(REMOTE_MOVED.format(branch=branch), path=repo,
                              hint="someone pushed meanwhile; deploy again, or use --force")
        reason = refused[0] if refused else _reason(proc.stderr)
        raise DeployError(f"push to {remote} failed: {reason}", path=repo,
                          hint="check your access to the repo (`git push` by hand shows more)")


def _source_state(repo: Path) -> tuple[str, list[str]]:
    """HEAD's id (or "no-commit") and the uncommitted paths, without refreshing the index."""
    head = _rev(repo, "HEAD") or "no-commit"
    status = _git(repo, "--no-optional-locks", "status", "--porcelain").stdout
    return head, [line[3:] for line in status.splitlines() if line.strip()]


def _check_version(repo: Path, parent: str, version: str) -> None:
    """D1: refuse to overwrite a deploy made by a newer portfolio (its output may differ)."""
    last = re.search(r"with portfolio (\S+)", _git(repo, "log", "-1", "--format=%B", parent).stdout)
    if last is None:
        return  # no deploy by portfolio yet
    ours, theirs = _version_key(version), _version_key(last.group(1))
    if ours and theirs and theirs > ours:
        raise DeployError(f"the last deploy used portfolio {last.group(1)}, newer than this "
                          f"{version}", path=repo,
                          hint="upgrade portfolio, or pass --ignore-version")


def _version_key(version: str) -> tuple[int, ...] | None:
    """(1, 2, 3) for "1.2.3rc1"; None for an unknown version ("0"), which skips the check."""
    match = re.match(r"\d+(\.\d+)*", version)
    key = tuple(int(p) for p in match.group(0).split(".")) if match else None
    return key if key and any(key) else None


def _tool_version() -> str:
    try:
        from generator import __version__

        return str(__version__)
    except ImportError:  # a partial checkout: "0" is unknown, which skips the version check
        return "0"
