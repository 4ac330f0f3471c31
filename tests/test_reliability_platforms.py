"""Nothing stuck on any platform: a killed build leaves no process and no lock behind, the
build runs where `fcntl` and `fork` do not exist (Windows), with a spawned pool, the site is
swapped in by two renames where `renameat2` is missing, and where neither `fcntl` nor `msvcrt`
exists a lock left by a dead build is taken over."""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import build
from generator.incremental import lock
from generator.model.errors import OutputError
from generator.output import spare, writer

from .helpers_reliability import (
    CONFIG,
    GOOD_POST,
    REPO,
    assert_clean,
    cli,
    code_cell,
    digest,
    leftovers,
    make,
    md_cell,
    nb,
    run_module,
)


def _notebook_site(root: Path, count: int) -> Path:
    files: dict[str, str | bytes] = {
        f"projects/nb-{i:02d}.ipynb": nb([md_cell(f"# Notebook {i}\n\nText {i}."),
                                          code_cell(f"print({i})")])
        for i in range(count)}
    files["content/posts/2024-01-02-post.md"] = "# A post\n\nWords.\n"
    return make(root, files, CONFIG)


def _children(pid: int) -> list[int]:
    """The PIDs whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"  # a zombie is gone, only not reaped yet


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_build_leaves_no_worker_and_no_lock_behind(tmp_path: Path) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: the build converts in process, there is no pool to leave")
    root = _notebook_site(tmp_path / "s", 12)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    build = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=root, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and build.poll() is None:
        workers = _children(build.pid)
        if len(workers) >= 2:
            break
        time.sleep(0.02)
    assert workers, "the build finished before its worker pool could be seen"
    os.kill(build.pid, signal.SIGKILL)  # a closed laptop lid, an OOM kill, a CI timeout
    build.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)], "workers outlived their build"
    started = time.monotonic()
    again = run_module("build", cwd=root)
    assert again.returncode == 0, again.stderr
    assert time.monotonic() - started < 25  # no 30-second wait for a lock nobody holds
    assert "was interrupted" in again.stderr + again.stdout
    assert (root / "_site/projects/nb-11/index.html").is_file()


def test_the_build_runs_without_fcntl_and_fork(tmp_path: Path) -> None:
    """As on Windows: no `fcntl` module, no `os.fork`. The lock falls back, the pool spawns,
    the checks run in process, and the site is the same as a normal build's."""
    root = _notebook_site(tmp_path / "s", 3)
    normal = run_module("build", "--out", str(tmp_path / "normal"), cwd=root,
                        env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert normal.returncode == 0, normal.stderr
    script = ("import os, sys\n"
              "sys.modules['fcntl'] = None  # import fcntl raises ImportError\n"
              "del os.fork\n"
              "from generator.build import build\n"
              "from generator.readers import batch\n"
              "batch.MIN_MARKDOWN_FOR_POOL = 1  # a pool even for this small site\n"
              "build(sys.argv[1], out_dir=sys.argv[2], use_cache=False)\n"
              "assert 'fcntl' not in sys.modules or sys.modules['fcntl'] is None\n")
    done = subprocess.run([sys.executable, "-c", script, str(root), str(tmp_path / "bare")],
                          env={**os.environ, "PYTHONPATH": str(REPO),
                               "SOURCE_DATE_EPOCH": "1700000000"},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert digest(tmp_path / "bare") == digest(tmp_path / "normal")


# -- renameat2 unavailable: the two-rename swap ------------------------------------------------

class _NoRenameat2:
    """A libc as `ctypes.CDLL(None)` gives it, without `renameat2` (glibc before 2.28, musl,
    macOS), or with one the file system refuses (EINVAL: no RENAME_EXCHANGE there)."""

    def __init__(self, how: str) -> None:
        self.how = how

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        if name != "renameat2" or self.how == "missing":
            raise AttributeError(name)
        return lambda *args: -1


@pytest.mark.parametrize("spare_tree", [True, False], ids=["spare-tree", "fresh-staging"])
@pytest.mark.parametrize("how", ["missing", "refused"])
def test_renameat2_fallback_swaps_in_the_new_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  how: str, spare_tree: bool) -> None:
    """Without renameat2 a rebuild swaps the new site in with two renames (old site aside,
    new site in, old site removed): the edit is live, nothing of the old site is left."""
    root = make(tmp_path / "s", {"content/posts/a.md": GOOD_POST,
                                 "content/posts/b.md": GOOD_POST.replace("Good post", "Gone"),
                                 "content/about.md": "# About\n\nOld words.\n"}, CONFIG)
    out = tmp_path / "site"
    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: _NoRenameat2(how))
    monkeypatch.setattr(ctypes, "get_errno", lambda: errno.EINVAL)
    if not spare_tree:  # as on macOS and Windows: a fresh staging folder each build
        monkeypatch.setattr(writer, "spare_dir", lambda root, out: None)
    swaps: list[bool] = []
    renames: list[tuple[str, str]] = []
    real_exchange, real_rename = spare.exchange, os.rename

    def exchange(a: Path, b: Path) -> bool:
        swaps.append(real_exchange(a, b))
        return swaps[-1]

    def rename(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        renames.append((os.fspath(src), os.fspath(dst)))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(writer, "exchange", exchange)
    monkeypatch.setattr(os, "rename", rename)
    build(root, out_dir=out)
    assert swaps == [] and [dst for _, dst in renames] == [str(out)]  # a first build: one rename
    old_inode = out.stat().st_ino
    for generation in range(2):  # the second also shows the first left a usable state
        renames.clear()
        (root / "content/about.md").write_text(f"# About\n\nNew words {generation}.\n")
        (root / "content/posts/b.md").unlink(missing_ok=True)
        build(root, out_dir=out)
        assert swaps[-1] is False  # renameat2 was tried, and unavailable
        assert len(renames) == 2, renames  # the fallback: old site aside, then new site in
        (aside_from, aside), (staged, live) = renames
        assert aside_from == str(out) and Path(aside).parent == out.parent
        assert Path(aside).name.startswith(f".{out.name}.old-")
        assert live == str(out) and staged != aside
        assert not os.path.lexists(aside) and not os.path.lexists(staged)  # the old site gone
        assert f"New words {generation}." in (out / "about/index.html").read_text("utf-8")
        assert "Old words" not in (out / "about/index.html").read_text("utf-8")
        assert not (out / "blog/b").exists()  # the deleted post's page went with the old site
        assert (out / "blog/a/index.html").is_file()
        assert out.stat().st_ino != old_inode  # a new folder, not the old one rewritten
        old_inode = out.stat().st_ino
        assert leftovers(out.parent) == [] and leftovers(root) == []
    monkeypatch.undo()  # a normal cold build of the same sources: the same site
    cold = tmp_path / "cold"
    build(root, out_dir=cold, use_cache=False)
    assert digest(out) == digest(cold)


# -- the lock where neither fcntl nor msvcrt exists ----------------------------------------------

def _dead_pid() -> int:
    """The PID of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.skipif(sys.platform == "win32", reason="the PID fallback asks POSIX os.kill(pid, 0) "
                    "whether the holder runs; Windows always has msvcrt and never uses it")
def test_stale_lock_of_a_dead_pid_is_taken_over_without_fcntl_or_msvcrt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither `fcntl` nor `msvcrt`: the lock is the PID in `.portfolio/build.lock`. One left by
    a build that died is taken over at once, with a notice naming it; one of a live build is
    waited for and then refused."""
    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` raises ImportError
    monkeypatch.setitem(sys.modules, "msvcrt", None)
    assert lock._locking() == "pid"
    root = make(tmp_path / "s", {"content/posts/a.md": GOOD_POST}, CONFIG)
    build(root, out_dir=root / "_site")  # makes .portfolio/ and leaves an empty lock file
    path = root / ".portfolio/build.lock"
    assert path.read_text() == ""
    dead = _dead_pid()
    path.write_text(str(dead))  # a build killed with -9 leaves its PID behind
    started = time.monotonic()
    with lock.build_lock(root, wait=5) as notice:
        assert time.monotonic() - started < 2  # taken over, not waited for
        assert notice is not None and f"PID {dead}" in notice and "interrupted" in notice
        assert "stale lock was taken over" in notice
        assert path.read_text() == str(os.getpid())  # now ours
    assert path.read_text() == ""  # released when the build ends
    # through a whole build, as a user sees it: the notice is reported and the site built
    path.write_text(str(_dead_pid()))
    (root / "content/about.md").write_text("# About\n\nAfter the takeover.\n")
    text = assert_clean(cli("build", cwd=root), 0)
    assert "was interrupted; its stale lock was taken over" in text, text
    assert "After the takeover." in (root / "_site/about/index.html").read_text("utf-8")
    assert path.read_text() == ""
    # a live holder is not taken over: the next build waits, then names it
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        path.write_text(str(holder.pid))
        with pytest.raises(OutputError, match=rf"lock held by PID {holder.pid}\)"), \
                lock.build_lock(root, wait=0.3):
            pass
        assert path.read_text() == str(holder.pid)  # untouched
    finally:
        holder.kill()
        holder.wait()
