"""Helpers for the reliability tests: tiny sites, CLI runs, and output fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner, Result

REPO = Path(__file__).resolve().parent.parent

# The shared tiny site's portfolio.yml; tests pass it (or their own) to `make` themselves.
CONFIG = """\
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
github:
  owner: tester
  repo: repo
  branch: main
"""

GOOD_POST = "---\ntitle: Good post\ndate: 2024-01-02\ntags: [ok]\n---\n\nHello *world*.\n"


def make(root: Path, files: dict[str, str | bytes], config: str | None) -> Path:
    """Write a site: its `config` (the text of portfolio.yml, or None for no portfolio.yml)
    and `files`, which maps site-relative paths to text or bytes. Nothing else is written."""
    root.mkdir(parents=True, exist_ok=True)
    if config is not None:
        assert "portfolio.yml" not in files, "pass portfolio.yml as `config`"
        (root / "portfolio.yml").write_text(config, "utf-8")
    for rel, body in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            target.write_bytes(body)
        else:
            target.write_text(body, "utf-8")
    return root


def nb(cells: list[dict], metadata: dict | None = None, minor: int = 5, **top) -> str:
    """A small nbformat-4 notebook as JSON text."""
    out = []
    for index, cell in enumerate(cells):
        cell = {"metadata": {}, **cell}
        if minor >= 5:
            cell.setdefault("id", f"c{index}")
        if cell["cell_type"] == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        out.append(cell)
    data = {"cells": out, "metadata": metadata or {"language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": minor, **top}
    return json.dumps(data, indent=1)


def md_cell(text: str) -> dict:
    return {"cell_type": "markdown", "source": text}


def code_cell(text: str, outputs: list | None = None, count: int | None = 1) -> dict:
    return {"cell_type": "code", "source": text, "outputs": outputs or [],
            "execution_count": count}


def cli(*args: str, cwd: Path | None = None) -> Result:
    """Run the CLI in-process (never raising); `cwd` is the folder to run it in."""
    from generator.cli import cli as group

    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return runner.invoke(group, list(args), catch_exceptions=True)
    finally:
        os.chdir(old)


def assert_clean(result: Result, code: int = 1) -> str:
    """The run failed (or not) with the expected code and no Python traceback; returns output."""
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text, text
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {result.exception}")
    assert result.exit_code == code, (result.exit_code, text)
    return text


def run_module(*args: str, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m generator ...` as a subprocess."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file below `folder` (relative POSIX path -> hex)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def leftovers(parent: Path) -> list[str]:
    """Staging or old-site folders left beside an output folder."""
    return sorted(p.name for p in parent.iterdir() if ".staging-" in p.name or ".old-" in p.name)


# -- processes: what a build started, and whether any of it outlived the build ----------------

def can_list_processes() -> bool:
    """Whether `descendants` can see a process's children here: Linux's /proc, or `pgrep -P`
    (macOS, the BSDs). Windows has neither (and no SIGKILL to test with)."""
    if sys.platform.startswith("linux") and Path("/proc/self/stat").is_file():
        return True
    import shutil

    return sys.platform != "win32" and shutil.which("pgrep") is not None


def _children(pid: int) -> set[int]:
    if sys.platform.startswith("linux"):
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # it ended while we looked
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:  # field 4: the parent
                found.add(int(entry.name))
        return found
    listed = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return {int(word) for word in listed.stdout.split()}


def descendants(pid: int) -> set[int]:
    """Every process below `pid`: its children, theirs, and so on."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in _children(pending.pop()) - found:
            found.add(child)
            pending.append(child)
    return found


def alive(pid: int) -> bool:
    """Is `pid` a running process (a zombie, ended but not yet reaped, is not)?"""
    if sys.platform.startswith("linux"):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat[stat.rindex(")") + 2] != "Z"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user's
        return True
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return state.stdout.strip()[:1] not in ("", "Z")


def watch_processes(proc: subprocess.Popen, seconds: float) -> set[int]:
    """Wait `seconds` (or until `proc` ends), noting every process `proc` has below it."""
    seen: set[int] = set()
    deadline = time.monotonic() + seconds
    while proc.poll() is None:
        seen |= descendants(proc.pid)
        if time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    return seen


def assert_none_left(pids: set[int], within: float = 5.0) -> None:
    """None of `pids` is alive once `within` seconds have passed."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.05)
    left = sorted(pid for pid in pids if alive(pid))
    assert left == [], f"processes outlived their build: {left}"
