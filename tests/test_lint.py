"""The code stays ruff-clean (the project's lint rules are in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import REPO


def test_ruff_is_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extras)")
    proc = subprocess.run([ruff, "check", "--no-cache", str(REPO)], capture_output=True,
                          text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
