"""The wheel carries the default theme (it lives outside the package in the repository)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO


@pytest.mark.slow
def test_wheel_contains_default_theme(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("portfolio-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = REPO / "themes" / "default"
    expected = {"generator/themes/default/" + p.relative_to(theme).as_posix()
                for p in theme.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert expected and expected <= names
    assert "generator/cli.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "portfolio = generator.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_default_theme_found_from_editable_install():
    from generator.site.themes import default_theme_dir

    assert (default_theme_dir() / "templates" / "base.html").is_file()
