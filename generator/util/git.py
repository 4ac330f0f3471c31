"""The one way portfolio runs git: C-locale messages, a timeout, and no traceback when git is
missing. Callers decide what a failure means for them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

TIMEOUT = 120.0  # seconds; a push over a slow network is the longest call


class GitMissing(Exception):
    """git is not installed, or not on PATH."""


def run_git(repo: Path, *args: str, stdin: str | None = None,
            env: dict[str, str] | None = None,
            timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """`git -C repo ARGS...`; never raises for git's own failures (read `returncode`).

    A hung git (a credential prompt, a dead network) counts as a failure after `timeout`."""
    full_env = {**os.environ, "LC_ALL": "C", **(env or {})}
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], input=stdin, capture_output=True, env=full_env,
            text=True, encoding="utf-8", errors="surrogateescape", check=False,
            timeout=timeout)
    except FileNotFoundError:
        raise GitMissing("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(exc.cmd, 124, "", f"fatal: git {args[0]} timed out "
                                           f"after {timeout:.0f} s")
    except OSError as exc:
        return subprocess.CompletedProcess(["git", *args], 126, "", f"fatal: {exc}")
