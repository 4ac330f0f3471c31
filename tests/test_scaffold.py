"""`portfolio init` and `portfolio new`: real files, real git remotes, real builds."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import build
from generator.cli import cli
from generator.commands.scaffold import (
    STARTER,
    GitHubInfo,
    ScaffoldError,
    init_site,
    new_post,
    new_project,
    parse_remote,
)
from generator.model.config import load_config
from generator.sources.frontmatter import split_markdown

STARTER_FILES = {".gitignore", "portfolio.yml", "content/about.md", "projects/first-notebook.ipynb",
                 ".github/workflows/pages.yml"}


def git(folder: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(folder)}
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, env=env,
                          check=True)
    return done.stdout.strip()


def repo_with_remote(folder: Path, remote: str, branch: str = "main") -> Path:
    folder.mkdir(parents=True)
    git(folder, "init", "-q", "-b", branch)
    git(folder, "remote", "add", "origin", remote)
    return folder


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# ---- init ------------------------------------------------------------------------------------

def test_init_creates_a_site_that_builds(tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    result = CliRunner().invoke(cli, ["init", str(site)])
    assert result.exit_code == 0, result.output
    created = files_under(site)
    assert created >= STARTER_FILES
    posts = [p for p in created if p.startswith("content/posts/")]
    assert posts == [f"content/posts/{dt.date.today().isoformat()}-hello-world.md"]
    assert "_site/" in (site / ".gitignore").read_text().splitlines()
    assert ".portfolio/" in (site / ".gitignore").read_text().splitlines()
    assert "portfolio serve" in result.output
    nb = nbformat.read(site / "projects/first-notebook.ipynb", as_version=4)
    assert f"date: {dt.date.today().isoformat()}" in nb.cells[0].source

    report = build(site, out_dir=tmp_path / "out")
    assert (report.posts, report.projects, report.pages) == (1, 1, 1)
    page = BeautifulSoup((tmp_path / "out/projects/first-notebook/index.html").read_text(),
                         "html.parser")
    # the sample notebook carries real saved outputs: a table and a plot
    assert page.find("table") is not None
    assert any(img.get("src", "").endswith(".png") or img.get("src", "").startswith("data:image")
               for img in page.find_all("img"))


def test_starter_notebook_is_small_valid_and_executed() -> None:
    path = STARTER / "projects/first-notebook.ipynb"
    assert path.stat().st_size < 60_000
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "raw" and nb.cells[0].source.startswith("---")
    kinds = {o.output_type for c in nb.cells if c.cell_type == "code" for o in c.outputs}
    assert {"execute_result", "stream", "display_data"} <= kinds
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")


def test_init_cli_build_right_after_succeeds(tmp_path: Path) -> None:
    """The issue's promise, as a user types it: init, then build, in a subprocess."""
    site = tmp_path / "s"
    run = [sys.executable, "-m", "generator"]
    subprocess.run([*run, "init", str(site)], check=True, capture_output=True)
    done = subprocess.run([*run, "build"], cwd=site, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (site / "_site/index.html").is_file()
    assert "Traceback" not in done.stderr


def test_init_never_overwrites(tmp_path: Path) -> None:
    site = tmp_path / "s"
    (site / "content").mkdir(parents=True)
    (site / "content/about.md").write_text("my own words\n")
    result = CliRunner().invoke(cli, ["init", str(site)])
    assert result.exit_code == 1
    assert "exists:  content/about.md" in result.output
    assert "create:  portfolio.yml" in result.output
    assert "--force" in result.output
    assert "Traceback" not in result.output
    assert files_under(site) == {"content/about.md"}  # nothing written at all
    assert (site / "content/about.md").read_text() == "my own words\n"

    forced = CliRunner().invoke(cli, ["init", str(site), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "my own words" not in (site / "content/about.md").read_text()


def test_init_force_replaces_a_symlink_without_writing_through_it(tmp_path: Path) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    site = tmp_path / "s"
    site.mkdir()
    (site / ".gitignore").symlink_to(outside)
    init_site(site, force=True)
    assert outside.read_text() == "keep me"
    assert not (site / ".gitignore").is_symlink()


def test_init_into_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "afile"
    target.write_text("x")
    with pytest.raises(ScaffoldError):
        init_site(target)


@pytest.mark.parametrize(("remote", "expected"), [
    ("https://github.com/ada/portfolio.git", ("ada", "portfolio")),
    ("https://github.com/ada/portfolio", ("ada", "portfolio")),
    ("https://github.com/ada/portfolio/", ("ada", "portfolio")),
    ("https://token@github.com/ada/my.repo.git", ("ada", "my.repo")),
    ("git@github.com:ada/portfolio.git", ("ada", "portfolio")),
    ("ssh://git@github.com/ada/portfolio.git", ("ada", "portfolio")),
    ("https://gitlab.com/ada/portfolio.git", None),
    ("git@github.com:ada", None),
    ("/srv/git/portfolio.git", None),
])
def test_parse_remote(remote: str, expected: tuple[str, str] | None) -> None:
    assert parse_remote(remote) == expected


@pytest.mark.parametrize(("remote", "url", "base"), [
    ("https://github.com/Ada/ml-notes.git", "https://ada.github.io/ml-notes/", "/ml-notes/"),
    ("git@github.com:Ada/ml-notes.git", "https://ada.github.io/ml-notes/", "/ml-notes/"),
    ("git@github.com:Ada/ada.github.io.git", "https://ada.github.io/", "/"),
])
def test_init_prefills_github_from_the_remote(tmp_path: Path, remote: str, url: str,
                                              base: str) -> None:
    site = repo_with_remote(tmp_path / "repo", remote, branch="trunk")
    init_site(site)
    data = yaml.safe_load((site / "portfolio.yml").read_text())
    owner, repo = parse_remote(remote)  # type: ignore[misc]
    assert data["github"] == {"owner": owner, "repo": repo, "branch": "trunk"}
    assert data["url"] == url
    assert load_config(site).base_path == base
    workflow = yaml.safe_load((site / ".github/workflows/pages.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["trunk"]  # YAML 1.1 reads `on` as True
    build(site, out_dir=tmp_path / "out")
    page = (tmp_path / "out/projects/first-notebook/index.html").read_text()
    assert f"colab.research.google.com/github/{owner}/{repo}/blob/trunk/" in page


def test_init_without_git_leaves_url_out(tmp_path: Path) -> None:
    site = tmp_path / "plain"
    result = init_site(site)
    assert result.github is None
    config = load_config(site)
    assert config.url == "" and config.base_path == "/"
    assert not config.github.configured
    # the workflow then takes the base URL from configure-pages
    assert "steps.pages.outputs.base_url" in (site / ".github/workflows/pages.yml").read_text()


def test_github_info_user_site_is_case_insensitive() -> None:
    assert GitHubInfo("Ada", "ADA.github.io").url == "https://ada.github.io/"
    assert GitHubInfo("Ada", "notes").url == "https://ada.github.io/notes/"


# ---- new ----------------------------------------------------------------------------------------

@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    init_site(root)
    return root


def test_new_post_from_a_subfolder(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site / "content" / "posts")
    result = CliRunner().invoke(cli, ["new", "post", "Why I'm learning ML: part 1!"])
    assert result.exit_code == 0, result.output
    today = dt.date.today().isoformat()
    path = site / "content/posts" / f"{today}-why-i-m-learning-ml-part-1.md"
    assert path.is_file()
    assert path.name in result.output
    raw = split_markdown(path.read_text(), str(path))
    assert raw.data == {"title": "Why I'm learning ML: part 1!", "date": dt.date.today(),
                        "tags": [], "draft": True}

    again = CliRunner().invoke(cli, ["new", "post", "Why I'm learning ML: part 1!"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert "Traceback" not in again.output


def test_new_post_is_a_draft_served_but_not_built(site: Path, tmp_path: Path) -> None:
    new_post(site, "Draft in progress")
    assert build(site, out_dir=tmp_path / "pub").posts == 1  # only the sample post
    assert build(site, out_dir=tmp_path / "dev", drafts=True).posts == 2
    html = next((tmp_path / "dev/blog").rglob("draft-in-progress/index.html")).read_text()
    assert "draft-banner" in html


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(min_size=1, max_size=60).filter(lambda t: t.strip()))
def test_new_post_any_title_round_trips(tmp_path_factory: pytest.TempPathFactory,
                                        title: str) -> None:
    root = tmp_path_factory.mktemp("any")
    path = new_post(root, title, today=dt.date(2026, 1, 2))
    assert path.parent == root / "content/posts"
    assert path.name.startswith("2026-01-02-") and path.suffix == ".md"
    assert "/" not in path.name[len("2026-01-02-"):] and ".." not in path.stem
    raw = split_markdown(path.read_text("utf-8"), path.name)
    assert raw.data["title"] == title.strip()


def test_new_post_empty_title_is_a_usage_error(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site)
    result = CliRunner().invoke(cli, ["new", "post", "   "])
    assert result.exit_code == 2
    assert not list((site / "content/posts").glob("*--*"))


def test_new_outside_a_site_says_how_to_start(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["new", "post", "Hello"])
    assert result.exit_code == 1
    assert "portfolio init" in result.output
    assert not (tmp_path / "content").exists()


def test_new_project_notebook_is_valid_and_builds(site: Path, tmp_path: Path) -> None:
    path = new_project(site, "Iris k-NN: a baseline")
    assert path == site / "projects/iris-k-nn-a-baseline.ipynb"
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert [c.cell_type for c in nb.cells] == ["raw", "markdown", "code"]
    assert nb.cells[0].source.startswith("---\n") and nb.cells[0].source.endswith("---")
    front = yaml.safe_load(nb.cells[0].source.strip("-\n"))
    assert front["title"] == "Iris k-NN: a baseline" and front["draft"] is True
    assert nb.cells[2].source == "" and nb.cells[2].outputs == []
    assert nb.metadata.kernelspec.name == "python3"
    build(site, out_dir=tmp_path / "out", drafts=True)
    page = BeautifulSoup((tmp_path / "out/projects/iris-k-nn-a-baseline/index.html").read_text(),
                         "html.parser")
    assert "Iris k-NN: a baseline" in page.find("h1").get_text()


def test_new_project_slug_name_gets_a_readable_title(site: Path) -> None:
    path = new_project(site, "iris-knn")
    nb = json.loads(path.read_text())
    assert "title: \"Iris knn\"" in "".join(nb["cells"][0]["source"])


def test_new_project_markdown(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site / "projects")
    result = CliRunner().invoke(cli, ["new", "project", "sentiment-api", "--markdown"])
    assert result.exit_code == 0, result.output
    path = site / "projects/sentiment-api.md"
    raw = split_markdown(path.read_text(), "projects/sentiment-api.md")
    assert {"repo", "demo", "title", "date", "tags", "draft"} <= set(raw.data)
    build(site, out_dir=tmp_path / "out", drafts=True)
    assert (tmp_path / "out/projects/sentiment-api/index.html").is_file()
    again = CliRunner().invoke(cli, ["new", "project", "sentiment-api", "--markdown"])
    assert again.exit_code == 1 and "already exists" in again.output


def test_new_open_runs_the_editor(site: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "editor.log"
    editor = tmp_path / "fake-editor"
    editor.write_text(f"#!/bin/sh\necho \"$1\" >> {log}\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("VISUAL", str(editor))
    monkeypatch.chdir(site)
    result = CliRunner().invoke(cli, ["new", "post", "Opened", "--open"])
    assert result.exit_code == 0, result.output
    opened = Path(log.read_text().strip())
    assert opened.name.endswith("-opened.md") and opened.is_file()
