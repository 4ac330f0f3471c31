"""Nothing stuck on any platform: a killed build leaves no process and no lock behind, and
the build runs where `fcntl` and `fork` do not exist (Windows), with a spawned pool."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers_reliability import CONFIG, REPO, code_cell, digest, make, md_cell, nb, run_module


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
