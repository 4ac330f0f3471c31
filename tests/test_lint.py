"""The code stays ruff-clean and mypy-clean (both tools' settings are in pyproject.toml)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import REPO


def test_ruff_is_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extras)")
    proc = subprocess.run([ruff, "check", "--no-cache", str(REPO)], capture_output=True,
                          text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr


def test_mypy_is_clean():
    """`mypy` with the project's settings (`[tool.mypy]`: the files, the Python version and
    the checks) passes. Skipped where mypy is missing, except under CI, where that fails."""
    if importlib.util.find_spec("mypy") is None:
        reason = "mypy is not installed (it comes with the test extras)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so this must not be skipped)")
        pytest.skip(reason)
    # no cache written into the checkout, like ruff's --no-cache above
    proc = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", os.devnull],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
