"""Branch deploy with real git: a source repo whose `origin` is a local bare repo (no network)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.commands import deploy
from generator.commands.deploy import REMOTE_MOVED, publish
from generator.model.errors import DeployError

VERSION = "9.9.9"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # binary, with CR/LF bytes that must survive
SITE = {
    "index.html": b"<h1>home</h1>\n",
    "about/index.html": b"<h1>about</h1>\r\n",
    "projects/demo/index.html": b"<h1>demo</h1>\n",
    "assets/img/logo.png": PNG,
    "_static/site.css": b"body{}\n",  # `_`-prefixed: served only thanks to .nojekyll
}
PUBLISHED = sorted([*SITE, ".nojekyll"])


def git(cwd: Path, *args: str) -> str:
    """Git as a test user; deploy itself is run without any identity configured."""
    proc = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"git {args}: {proc.stderr}"
    return proc.stdout.strip()


@contextmanager
def refused(pattern: str) -> Iterator[pytest.ExceptionInfo[DeployError]]:
    """Expect a DeployError whose message (not its path, which holds the test's name) matches."""
    with pytest.raises(DeployError) as exc:
        yield exc
    assert re.search(pattern, exc.value.message), exc.value.message


@pytest.fixture(autouse=True)
def no_git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git config and no identity variables, as on a fresh machine."""
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_DIR", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)


@dataclass
class Env:
    src: Path  # the user's source repo, on branch main
    origin: Path  # a bare repo standing in for GitHub
    site: Path  # a built site

    def remote_tip(self, branch: str = "gh-pages") -> str | None:
        proc = subprocess.run(["git", "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
                              cwd=self.origin, capture_output=True, text=True, check=False)
        return proc.stdout.strip() or None

    def clone_pages(self, dest: Path) -> Path:
        git(dest.parent, "clone", "-q", "--branch", "gh-pages", str(self.origin), dest.name)
        return dest


def write_site(site: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)


def tree_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


@pytest.fixture
def env(tmp_path: Path) -> Env:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    src = tmp_path / "src"
    git(tmp_path, "init", "-q", "-b", "main", str(src))
    git(src, "config", "core.autocrlf", "true")  # must not rewrite the site's CRLF bytes
    write_site(src, {"portfolio.yml": b"title: t\n", "content/hello.md": b"# hi\n",
                     ".gitignore": b"_site/\n"})
    git(src, "add", ".")
    git(src, "commit", "-q", "-m", "source")
    git(src, "remote", "add", "origin", str(origin))
    git(src, "push", "-q", "origin", "main")
    site = tmp_path / "site"
    write_site(site, SITE)
    # What the build leaves beside the site, and must not be published (S8).
    write_site(site, {".portfolio-build": b"", ".portfolio-manifest.json": b"{}",
                      ".git/config": b"[core]\n"})
    return Env(src=src, origin=origin, site=site)


def test_D4_publishes_site_with_nojekyll_and_cname(env: Env, tmp_path: Path) -> None:
    result = publish(env.site, env.src, cname=" www.example.com ", version=VERSION)

    assert result.changed and result.pushed
    assert result.commit == env.remote_tip() == git(env.src, "rev-parse", "gh-pages")
    assert result.paths == tuple(sorted([*PUBLISHED, "CNAME"]))
    assert result.files == len(SITE) + 2
    assert result.bytes == sum(map(len, SITE.values())) + len("www.example.com\n")
    pages = env.clone_pages(tmp_path / "pages")
    assert tree_files(pages) == {**SITE, ".nojekyll": b"", "CNAME": b"www.example.com\n"}
    assert not (pages / ".portfolio-build").exists()


def test_D1_commit_message_has_source_sha_and_version(env: Env) -> None:
    source = git(env.src, "rev-parse", "HEAD")
    result = publish(env.site, env.src, version=VERSION)
    assert result.warnings == ()
    assert git(env.origin, "log", "-1", "--format=%B", "gh-pages") == (
        f"Deploy {source} with portfolio {VERSION}")
    # Works with no git identity anywhere: the fallback one is used.
    assert git(env.origin, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "gh-pages") == (
        "portfolio <portfolio@localhost>|portfolio <portfolio@localhost>")


def test_D1_dirty_source_is_marked_and_warned(env: Env) -> None:
    (env.src / "content/hello.md").write_text("# changed\n", encoding="utf-8")
    (env.src / "content/new.md").write_text("# new\n", encoding="utf-8")
    source = git(env.src, "rev-parse", "HEAD")
    result = publish(env.site, env.src, version=VERSION)
    assert git(env.origin, "log", "-1", "--format=%B", "gh-pages") == (
        f"Deploy {source}-dirty with portfolio {VERSION}")
    [warning] = result.warnings
    assert "content/hello.md" in warning and "content/new.md" in warning


def test_message_override_and_repo_without_commits(env: Env, tmp_path: Path) -> None:
    publish(env.site, env.src, message="my deploy", version=VERSION)
    assert git(env.origin, "log", "-1", "--format=%B", "gh-pages") == "my deploy"
    fresh = tmp_path / "fresh"
    git(tmp_path, "init", "-q", "-b", "main", str(fresh))
    publish(env.site, fresh, push=False, version=VERSION)
    assert git(fresh, "log", "-1", "--format=%B", "gh-pages") == (
        f"Deploy no-commit with portfolio {VERSION}")


def test_R1_unchanged_deploy_makes_no_commit(env: Env) -> None:
    first = publish(env.site, env.src, version=VERSION)
    for p in env.site.rglob("*"):
        os.utime(p, (0, 0))  # mtimes are not content
    again = publish(env.site, env.src, version=VERSION)
    assert (again.changed, again.pushed, again.commit) == (False, False, first.commit)
    assert git(env.origin, "rev-list", "--count", "gh-pages") == "1"


def test_S8_next_deploy_replaces_the_tree(env: Env, tmp_path: Path) -> None:
    first = publish(env.site, env.src, version=VERSION)
    (env.site / "about/index.html").unlink()  # e.g. a post marked draft: it must disappear
    (env.site / "index.html").write_bytes(b"<h1>home v2</h1>\n")
    second = publish(env.site, env.src, version=VERSION)
    assert second.changed and second.pushed
    assert git(env.origin, "rev-parse", "gh-pages^") == first.commit  # history grows by one
    files = tree_files(env.clone_pages(tmp_path / "pages"))
    assert "about/index.html" not in files
    assert files["index.html"] == b"<h1>home v2</h1>\n"


def test_D2_remote_moved_refused(env: Env, tmp_path: Path) -> None:
    first = publish(env.site, env.src, version=VERSION)
    other = env.clone_pages(tmp_path / "other")
    (other / "theirs.html").write_text("someone else's\n", encoding="utf-8")
    git(other, "add", ".")
    git(other, "commit", "-q", "-m", "foreign")
    git(other, "push", "-q", "origin", "gh-pages")
    foreign = env.remote_tip()
    (env.site / "index.html").write_bytes(b"<h1>mine</h1>\n")

    with pytest.raises(DeployError) as exc:
        publish(env.site, env.src, version=VERSION)
    assert exc.value.message == REMOTE_MOVED.format(branch="gh-pages")
    assert exc.value.message == "remote gh-pages changed; fetch or use --force"
    assert env.remote_tip() == foreign  # nothing pushed
    assert git(env.src, "rev-parse", "gh-pages") == first.commit  # nor committed locally

    forced = publish(env.site, env.src, force=True, version=VERSION)
    assert forced.pushed and env.remote_tip() == forced.commit
    assert git(env.origin, "rev-parse", "gh-pages^") == first.commit
    assert "theirs.html" not in tree_files(env.clone_pages(tmp_path / "after"))


def test_D2_user_tree_index_and_branch_untouched(env: Env) -> None:
    (env.src / "content/staged.md").write_text("# staged\n", encoding="utf-8")
    git(env.src, "add", "content/staged.md")
    (env.src / "content/hello.md").write_text("# edited, unstaged\n", encoding="utf-8")
    (env.src / "notes.txt").write_text("untracked\n", encoding="utf-8")

    def snapshot() -> tuple:
        return (git(env.src, "symbolic-ref", "HEAD"), git(env.src, "rev-parse", "HEAD"),
                git(env.src, "status", "--porcelain"), git(env.src, "diff", "--cached"),
                git(env.src, "ls-files", "--stage"), tree_files(env.src))

    before = snapshot()
    publish(env.site, env.src, cname="example.com", version=VERSION)
    assert snapshot() == before
    assert before[0] == "refs/heads/main"


def test_D2_checked_out_branch_refused(env: Env) -> None:
    git(env.src, "switch", "-q", "-c", "gh-pages")
    with refused("checked out"):
        publish(env.site, env.src, version=VERSION)
    assert env.remote_tip() is None


def test_fresh_clone_builds_on_the_remote_branch(env: Env, tmp_path: Path) -> None:
    first = publish(env.site, env.src, version=VERSION)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(env.origin), "clone")  # no local gh-pages here
    (env.site / "index.html").write_bytes(b"<h1>from the clone</h1>\n")
    second = publish(env.site, clone, version=VERSION)
    assert second.pushed and env.remote_tip() == second.commit
    assert git(env.origin, "rev-parse", "gh-pages^") == first.commit  # no force needed


def test_S7_symlink_in_site_refused(env: Env, tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY\n", encoding="utf-8")
    (env.site / "assets/key").symlink_to(secret)
    with refused("symlink") as exc:
        publish(env.site, env.src, version=VERSION)
    assert exc.value.path == str(env.site / "assets/key")
    assert env.remote_tip() is None
    (env.site / "assets/key").unlink()
    (env.site / "root").symlink_to("/", target_is_directory=True)
    with refused("symlink"):
        publish(env.site, env.src, dry_run=True, version=VERSION)


def test_D5_size_gates(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    big = env.site / "assets/huge.bin"
    with big.open("wb") as fh:
        fh.truncate(deploy.MAX_FILE_BYTES + 1)  # sparse: no disk, no hashing before refusal
    with refused("file limit") as exc:
        publish(env.site, env.src, version=VERSION)
    assert exc.value.path == str(big)
    big.unlink()

    monkeypatch.setattr(deploy, "WARN_FILE_BYTES", 1000)
    result = publish(env.site, env.src, dry_run=True, version=VERSION)
    assert [w.split(":")[0] for w in result.warnings] == ["assets/img/logo.png"]

    monkeypatch.setattr(deploy, "MAX_TOTAL_BYTES", 1000)
    with refused("over GitHub Pages"):
        publish(env.site, env.src, version=VERSION)
    assert env.remote_tip() is None


def test_dry_run_lists_files_and_writes_nothing(env: Env) -> None:
    def state() -> tuple[str, str]:
        return git(env.src, "for-each-ref"), git(env.src, "count-objects", "-v")

    before = state()
    result = publish(env.site, env.src, cname="example.com", dry_run=True, version=VERSION)
    assert result.paths == tuple(sorted([*PUBLISHED, "CNAME"]))
    assert (result.commit, result.pushed, result.changed) == (None, False, True)
    assert state() == before  # no ref, no object
    assert env.remote_tip() is None

    publish(env.site, env.src, version=VERSION)
    assert publish(env.site, env.src, dry_run=True, version=VERSION).changed is False


def test_missing_remote_is_a_clear_error(env: Env) -> None:
    git(env.src, "remote", "remove", "origin")
    with refused("no git remote named 'origin'") as exc:
        publish(env.site, env.src, version=VERSION)
    assert "git remote add origin" in (exc.value.hint or "")
    local = publish(env.site, env.src, push=False, version=VERSION)  # commit only: fine
    assert local.commit == git(env.src, "rev-parse", "gh-pages") and not local.pushed


def test_not_a_git_repo(env: Env, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with refused("not a git repository"):
        publish(env.site, plain, version=VERSION)
    with refused("does not exist"):
        publish(tmp_path / "no-site", env.src, version=VERSION)


def test_empty_site_and_bad_cname_refused(env: Env, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with refused("empty"):
        publish(empty, env.src, version=VERSION)
    with refused("not a domain"):
        publish(env.site, env.src, cname="https://example.com/", version=VERSION)
    assert env.remote_tip() is None


def test_rejected_push_is_clean_and_retried(env: Env) -> None:
    hook = env.origin / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'no deploys today' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    with refused("push to origin failed: .*pre-receive hook declined"):
        publish(env.site, env.src, version=VERSION)
    local = git(env.src, "rev-parse", "gh-pages")
    hook.unlink()
    retry = publish(env.site, env.src, version=VERSION)  # nothing changed, but unpushed
    assert (retry.changed, retry.pushed, retry.commit) == (False, True, local)
    assert env.remote_tip() == local


def test_D1_newer_tool_version_refused(env: Env) -> None:
    publish(env.site, env.src, version="2.0.0")
    (env.site / "index.html").write_bytes(b"<h1>older tool</h1>\n")
    with refused("newer than this 1.5.0") as exc:
        publish(env.site, env.src, version="1.5.0")
    assert "--ignore-version" in (exc.value.hint or "")
    assert publish(env.site, env.src, version="1.5.0", ignore_version=True).pushed


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="Windows: no pipes, no line breaks in names")
def test_odd_entries_refused(env: Env) -> None:
    (env.site / "a\nb.html").write_bytes(b"x")
    with refused("line break"):
        publish(env.site, env.src, version=VERSION)
    (env.site / "a\nb.html").unlink()
    os.mkfifo(env.site / "pipe")
    with refused("not a regular file"):
        publish(env.site, env.src, version=VERSION)
    assert env.remote_tip() is None


def test_deploy_warns_when_the_badges_branch_is_not_pushed(env: Env) -> None:
    def warnings(branch: str) -> list[str]:
        return [w for w in publish(env.site, env.src, push=False, badges_branch=branch).warnings
                if "not pushed" in w or "is not on" in w]

    assert warnings("main") == []  # main is pushed: the badges work
    (env.src / "content/more.md").write_text("# more\n", encoding="utf-8")
    git(env.src, "add", ".")
    git(env.src, "commit", "-q", "-m", "more")
    assert len(warnings("main")) == 1 and "1 commit on 'main' not pushed" in warnings("main")[0]
    missing = warnings("dev")
    assert len(missing) == 1 and "branch 'dev' is not on origin" in missing[0]
    git(env.src, "push", "-q", "origin", "main")
    git(env.src, "fetch", "-q", "origin")
    assert warnings("main") == []
