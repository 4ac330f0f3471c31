"""RELIABILITY.md "Faults" F1-F8: nothing lost, nothing partial, whatever goes wrong."""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import build
from generator.incremental.lock import build_lock
from generator.model.errors import BuildFailed, OutputError, PortfolioError

from .helpers_reliability import (
    CONFIG,
    GOOD_POST,
    REPO,
    assert_clean,
    assert_none_left,
    can_list_processes,
    cli,
    code_cell,
    digest,
    leftovers,
    make,
    md_cell,
    nb,
    watch_processes,
)


def _site(root: Path, posts: int = 6) -> Path:
    files = {f"content/posts/p{i:03}.md": f"---\ntitle: Post {i}\ndate: 2024-01-{i % 28 + 1:02}\n"
             f"tags: [t{i % 5}]\n---\n\n# Part\n\nText {i}.\n\n![a chart](chart.png)\n"
             for i in range(posts)}
    files["content/posts/chart.png"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    files["content/about.md"] = "# About\n\nMe.\n"
    return make(root, files, CONFIG)


class _Faults:
    """Fail the k-th file write (open for writing, or a copy) with `code`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, k: int, code: int) -> None:
        self.k, self.code, self.count, self.hit = k, code, 0, None
        real_open, real_copy = builtins.open, shutil.copyfile

        def tick(path: object) -> None:
            self.count += 1
            if self.count == self.k:
                self.hit = str(path)
                raise OSError(self.code, os.strerror(self.code))

        def fake_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
            if any(c in mode for c in "wax+"):
                tick(file)
            return real_open(file, mode, *args, **kwargs)

        def fake_copy(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
            tick(dst)
            return real_copy(src, dst, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(shutil, "copyfile", fake_copy)


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "disk full while writing"),
                                         (errno.EACCES, "permission denied while writing")])
def test_F1_F2_write_fails_at_every_k(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      code: int, words: str) -> None:
    root = _site(tmp_path / "s")
    out = tmp_path / "site"
    build(root, out_dir=out, use_cache=False)
    old = digest(out)
    (root / "content/posts/p000.md").write_text(GOOD_POST)
    with monkeypatch.context() as m:
        counter = _Faults(m, 0, code)
        build(root, out_dir=tmp_path / "count", use_cache=False)
    failures = 0
    for k in range(1, counter.count + 1):
        with monkeypatch.context() as m:
            faults = _Faults(m, k, code)
            try:
                build(root, out_dir=out, use_cache=False)
            except PortfolioError as exc:
                failures += 1
                assert words in str(exc) and "site/" in str(exc), (k, faults.hit, str(exc))
                assert "Traceback" not in str(exc)
            else:  # only a write outside the site may fail quietly (the lock file)
                assert ".staging-" not in str(faults.hit), (k, faults.hit)
                old = digest(out)
        assert digest(out) == old, f"write {k} ({faults.hit}) damaged the live site"
        assert leftovers(tmp_path) == [], k
    assert failures >= counter.count - 2  # every write of the site was tried and reported
    build(root, out_dir=out, use_cache=False)
    assert (out / "blog/p000/index.html").is_file()


def test_F2_output_file_not_readable(tmp_path: Path) -> None:
    root = _site(tmp_path / "s")
    out = tmp_path / "site"
    build(root, out_dir=out)
    (out / "index.html").chmod(0)
    (root / "content/about.md").write_text("# About\n\nChanged.\n")
    build(root, out_dir=out)  # our own old file: replaced whatever its mode
    assert "Changed." in (out / "about/index.html").read_text()


def _slow_site(root: Path) -> Path:
    root = _site(root, posts=400)
    _write_notebook(root, "First")
    return root


def _write_notebook(root: Path, label: str) -> None:
    """A notebook that changes with every edit: converting it starts the build's worker pool
    (readers/batch.py), so a kill can find workers to leave behind."""
    make(root, {"projects/nb.ipynb": nb([md_cell(f"# Notebook\n\n{label}."),
                                        code_cell("print(1)")])}, None)


def _retitle(root: Path, title: str) -> None:
    """Change the site's title: every page shows it, so the next build renders every page
    (an edit to one post would be kept to a few pages, too quick to interrupt)."""
    config = root / "portfolio.yml"
    lines = config.read_text().splitlines()
    config.write_text("\n".join(f"title: {title}" if line.startswith("title:") else line
                                for line in lines) + "\n")


def _build_command(out: Path) -> tuple[list[str], dict[str, str]]:
    return ([sys.executable, "-m", "generator", "build", "--out", str(out)],
            {**os.environ, "PYTHONPATH": str(REPO)})


def _spawn_edited(root: Path, out: Path, label: str) -> subprocess.Popen[str]:
    """Edit the site (about page and title, so every page re-renders) and start a build."""
    (root / "content/about.md").write_text(f"# About\n\n{label}.\n")
    _write_notebook(root, label)
    _retitle(root, label)
    return _spawn(root, out)


def _spawn(root: Path, out: Path) -> subprocess.Popen[str]:
    command, env = _build_command(out)
    return subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _rebuild(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command, env = _build_command(out)
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)


def _lock_holder(root: Path) -> str:
    """The PID in the build lock file: a build's while it runs, empty once it has ended."""
    try:
        return (root / ".portfolio/build.lock").read_text().strip()
    except FileNotFoundError:
        return ""


_PROCESSES = "lists processes through /proc or pgrep, and sends POSIX signals"


@pytest.mark.slow
@pytest.mark.skipif(not can_list_processes(), reason=_PROCESSES)
def test_F3_ctrl_c_mid_build(tmp_path: Path) -> None:
    root = _slow_site(tmp_path / "s")
    out = tmp_path / "site"
    build(root, out_dir=out)
    old = digest(out)
    rng = random.Random(3)
    for trial in range(4):
        proc = _spawn_edited(root, out, f"Version {trial}")
        workers = watch_processes(proc, rng.uniform(0.3, 2.0))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert_none_left(workers)  # an interrupted build stops its workers too
        now = digest(out)
        if proc.returncode == -signal.SIGINT:
            # Ctrl-C after the interpreter began to exit (the build had finished): Python has
            # put back the default handler by then, so the signal ends the process silently.
            # The site must be the complete new one.
            assert err == "" and f"Version {trial}." in (out / "about/index.html").read_text()
        elif proc.returncode != 0:
            assert proc.returncode in (1, 130) and "Aborted" in err, (proc.returncode, err)
            assert "Traceback" not in err, err
            if now != old:  # Ctrl-C landed after the swap: the complete new site is live
                assert f"Version {trial}." in (out / "about/index.html").read_text()
                assert set(now) == set(old)
        assert leftovers(tmp_path) == []
        assert _rebuild(root, out).returncode == 0
        old = digest(out)
        assert f"Version {trial}." in (out / "about/index.html").read_text()


@pytest.mark.slow
@pytest.mark.skipif(not can_list_processes(), reason=_PROCESSES)
def test_F4_kill_9_at_random_points(tmp_path: Path) -> None:
    """SIGKILL to the build alone (not its process group): its workers must die with it, the
    lock it held must not outlive it, and the next build must succeed at once."""
    root = _slow_site(tmp_path / "s")
    out = tmp_path / "site"
    build(root, out_dir=out)
    old = digest(out)
    rng = random.Random(4)
    outcomes = {"old": 0, "new": 0}
    with_workers = 0
    for trial in range(20):
        proc = _spawn_edited(root, out, f"Kill {trial}")
        workers = watch_processes(proc, rng.uniform(0.2, 2.5))
        with contextlib.suppress(ProcessLookupError):  # (it may have finished already)
            os.kill(proc.pid, signal.SIGKILL)  # the build only: a closed lid, an OOM kill
        try:
            proc.wait(timeout=60)
            assert_none_left(workers)
            try:  # the pipes end only when every process of the build (seen or not) is gone
                proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail("a process of the killed build still holds its output pipes")
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # leave no stray worker if one failed
        with_workers += bool(workers)
        held = _lock_holder(root) == str(proc.pid)  # killed while holding the lock
        now = digest(out)
        if now == old:
            outcomes["old"] += 1
        else:  # the kill came after the swap: the new site is complete
            assert f"Kill {trial}." in (out / "about/index.html").read_text()
            assert len(now) == len(old)
            outcomes["new"] += 1
        stale = leftovers(tmp_path)
        started = time.monotonic()
        result = _rebuild(root, out)
        assert result.returncode == 0, result.stderr
        assert time.monotonic() - started < 25, "waited for the lock of a killed build"
        if stale:
            assert "interrupted build" in result.stderr
        if held:
            assert f"previous build (PID {proc.pid}) was interrupted" in result.stderr, \
                result.stderr
        assert _lock_holder(root) == ""  # the rebuild let go of the lock when it ended
        assert leftovers(tmp_path) == []
        assert f"Kill {trial}." in (out / "about/index.html").read_text()
        old = digest(out)
    assert outcomes["old"] > 0
    if (os.cpu_count() or 1) > 1:  # one CPU: notebooks convert in process, no pool to leave
        assert with_workers >= 5, f"only {with_workers} of 20 kills found workers to check"


def test_F4_stale_folders_of_others_are_left_alone(tmp_path: Path) -> None:
    root = _site(tmp_path / "s")
    out = tmp_path / "site"
    theirs = tmp_path / ".site.staging-notours"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("mine")
    ours = tmp_path / ".site.staging-abc"
    ours.mkdir()
    (ours / ".portfolio-staging").touch()
    build(root, out_dir=out)
    assert (theirs / "keep.txt").read_text() == "mine"
    assert not ours.exists()


def test_F4_killed_between_renames_restores_old_site(tmp_path: Path) -> None:
    root = _site(tmp_path / "s")
    out = tmp_path / "site"
    build(root, out_dir=out)
    old = digest(out)
    out.rename(tmp_path / ".site.old-x1")  # the state after the first rename of a swap
    assert build(root, out_dir=out).diagnostics is not None
    assert digest(out) == old


def test_F5_two_builds_at_once(tmp_path: Path) -> None:
    root = _site(tmp_path / "s", posts=60)
    ref = tmp_path / "ref"
    build(_site(tmp_path / "s2", posts=60), out_dir=ref)
    out = tmp_path / "site"
    procs = [_spawn(root, out) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert digest(out) == digest(ref)  # no interleaving: exactly one clean build
    assert leftovers(tmp_path) == []


def test_F5_lock_held_gives_clean_error(tmp_path: Path) -> None:
    """Another process holds the lock (a build in progress): a clean error naming its PID."""
    root = _site(tmp_path / "s")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from generator.incremental.lock import build_lock\n"
         "with build_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n"
         "    time.sleep(60)\n", str(root)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputError, match=rf"build in progress \(lock held by PID "
                                              rf"{holder.pid}\)"), build_lock(root, wait=0.3):
            pass
    finally:
        holder.kill()
        holder.wait()
    # the holder died without letting go: the system released its lock, and the next build
    # says that one was interrupted
    with build_lock(root, wait=1) as interrupted:
        assert interrupted is not None and f"PID {holder.pid}" in interrupted


def _bad_notebook_site(root: Path) -> Path:
    # valid nbformat, but nbconvert's ExtractOutputPreprocessor raises a TypeError on it
    broken = {"output_type": "display_data", "metadata": {"filenames": "oops"},
              "data": {"image/png": "iVBORw0KGgo=", "text/plain": "fig"}}
    return make(root, {"content/posts/good.md": GOOD_POST,
                       "projects/ok.ipynb": nb([md_cell("# Fine"), code_cell("1")]),
                       "projects/x.ipynb": nb([md_cell("# Broken"),
                                               code_cell("plot()", [broken])])}, CONFIG)


def test_F6_notebook_fails_inside_nbconvert(tmp_path: Path) -> None:
    root = _bad_notebook_site(tmp_path / "s")
    out = root / "_site"
    (root / "projects/x.ipynb").rename(root / "x.ipynb.bak")
    build(root, out_dir=out)
    old = digest(out)
    (root / "x.ipynb.bak").rename(root / "projects/x.ipynb")
    text = assert_clean(cli("build", cwd=root), 1)
    assert "projects/x.ipynb" in text and "Nothing was written" in text
    assert digest(out) == old
    text = assert_clean(cli("build", "--keep-going", cwd=root), 1)
    assert "1 error." in text and "projects/x.ipynb" in text and "--keep-going" in text
    assert "previous site was left" not in text
    assert (out / "projects/ok/index.html").is_file()
    assert (out / "blog/good/index.html").is_file()
    assert not (out / "projects/x/index.html").exists()


@pytest.mark.parametrize("where", ["content", "root", "parent", "slash", "home", "dotdot",
                                   "symlink", "inside", "projects"])
def test_F7_dangerous_output_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     where: str) -> None:
    root = _site(tmp_path / "proj" / "s")
    monkeypatch.setenv("HOME", str(tmp_path / "proj"))
    (root / "link").symlink_to(root / "content")
    outs = {"content": "content", "root": ".", "parent": str(root.parent), "slash": "/",
            "home": str(tmp_path / "proj"), "dotdot": "..", "symlink": "link",
            "inside": "content/posts/out", "projects": "projects"}
    before = digest(tmp_path / "proj")
    for args in (["build", "--out", outs[where]], ["build", "--out", outs[where], "--force"]):
        text = assert_clean(cli(*args, cwd=root), 1)
        assert "refusing to use" in text, text
        real_out = os.path.realpath(root / outs[where])
        assert real_out in text and os.path.realpath(root) in text, text
    (root / "portfolio.yml").write_text((root / "portfolio.yml").read_text()
                                        + f"output: {outs[where]}\n")
    assert_clean(cli("build", cwd=root), 1)
    assert digest(tmp_path / "proj") == {**before, "s/portfolio.yml":
                                         digest(tmp_path / "proj")["s/portfolio.yml"]}


@pytest.mark.parametrize("git_file", [False, True])
def test_F8_foreign_files_in_the_output(tmp_path: Path, git_file: bool) -> None:
    root = _site(tmp_path / "s")
    out = tmp_path / "site"
    out.mkdir()
    if git_file:
        (out / ".git").write_text("gitdir: ../.git/modules/site\n")
    else:
        (out / ".git").mkdir()
        (out / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "CNAME").write_text("example.org\n")
    (out / "README.md").write_text("# my pages\n")
    (out / "blog").mkdir()
    (out / "blog/notes.txt").write_text("mine\n")
    theirs = digest(out)
    text = assert_clean(cli("build", "--out", str(out), cwd=root), 1)
    assert "not built by portfolio" in text and "--force" in text
    assert digest(out) == theirs  # refused without touching anything
    assert_clean(cli("build", "--out", str(out), "--force", cwd=root), 0)
    for name, sha in theirs.items():
        assert digest(out)[name] == sha, name
    assert (out / "blog/p001/index.html").is_file()
    # a later build removes only what we wrote, and keeps theirs
    (root / "content/posts/p001.md").unlink()
    assert_clean(cli("build", "--out", str(out), cwd=root), 0)
    assert not (out / "blog/p001").exists()
    for name, sha in theirs.items():
        assert digest(out)[name] == sha, name
    assert (out / ".git").is_file() == git_file


def test_F8_failed_build_keeps_everything(tmp_path: Path) -> None:
    root = _site(tmp_path / "s")
    out = tmp_path / "site"
    build(root, out_dir=out)
    (out / "CNAME").write_text("example.org\n")
    before = digest(out)
    (root / "content/posts/bad.md").write_text("---\ntitle: [\n---\n")
    with pytest.raises(BuildFailed):
        build(root, out_dir=out)
    assert digest(out) == before
