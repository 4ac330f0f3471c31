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
    wheel = next(tmp_path.glob("notebook_portfolio-*.whl"))
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


def test_distribution_name_home_page_and_footer_agree(tmp_path: Path):
    """`portfolio` on PyPI is somebody else's: the wheel is notebook-portfolio, its home page
    is [project.urls] Homepage, and every page's "Built with" links there."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: hatchling (a test extra) brings tomli
        import tomli as tomllib  # type: ignore[no-redef]
    from bs4 import BeautifulSoup

    from generator import DISTRIBUTION, HOMEPAGE, __version__
    from generator.build import build

    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] == DISTRIBUTION == "notebook-portfolio"
    assert project["urls"]["Homepage"] == HOMEPAGE
    assert project["scripts"] == {"portfolio": "generator.cli:main"}
    from importlib import metadata

    assert metadata.version(DISTRIBUTION) == __version__  # the installed one is this checkout
    (tmp_path / "portfolio.yml").write_text("title: T\nurl: https://a.github.io/r/\n"
                                            "author:\n  name: A\n", "utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content/about.md").write_text("# About\n\nHi.\n", "utf-8")
    build(tmp_path)
    soup = BeautifulSoup((tmp_path / "_site/about/index.html").read_text("utf-8"), "html.parser")
    built_with = soup.select_one(".site-footer").find("a", string="portfolio")
    assert built_with is not None and built_with["href"] == HOMEPAGE


def test_release_workflow_publishes_with_trusted_publishing_only():
    import yaml

    wf = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text("utf-8"))
    assert wf["permissions"] == {"contents": "read"}  # nothing writes but the publish job
    jobs = wf["jobs"]
    assert jobs["test"]["needs"] == "build" and jobs["publish"]["needs"] == "test"
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    assert jobs["publish"]["environment"]["name"] == "pypi"
    assert jobs["publish"]["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "password" not in str(jobs["publish"])  # no API token
    smoke = next(s for s in jobs["test"]["steps"] if "init smoke-site" in s.get("run", ""))
    assert "dist/*.whl" in smoke["run"] and "portfolio build --strict" in smoke["run"]
