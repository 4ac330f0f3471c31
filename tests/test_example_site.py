"""End to end: build the repository's example site as a user would, then check it as a visitor."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from generator.cli import cli

from .conftest import REPO, copy_example

BASE = "/portfolio/"
GITHUB = ("ada-learns", "portfolio", "main")


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def internal_targets(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    refs = [tag.get("href") for tag in soup.find_all(["a", "link"]) if tag.get("href")]
    refs += [tag.get("src") for tag in soup.find_all(["img", "script"]) if tag.get("src")]
    return [r for r in refs if not urlsplit(r).scheme and not r.startswith(("#", "mailto:"))]


def resolve(out: Path, url: str) -> Path | None:
    """Map a root-relative URL under the base path to a file of the built site."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(BASE):
        return None
    target = out / path[len(BASE):]
    if path.endswith("/"):
        target = target / "index.html"
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    # Given a fresh copy of the example site
    root = copy_example(tmp_path_factory.mktemp("e2e") / "site")
    # When it is built as a subprocess, as CI and users run it
    proc = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    return root / "_site", proc


def test_build_succeeds_and_reports(built):
    out, proc = built
    assert proc.returncode == 0, proc.stderr
    assert "Built" in proc.stdout and "projects" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert (out / "index.html").is_file()


def test_every_internal_link_and_asset_resolves_under_base_path(built):
    out, _ = built
    broken = []
    for page in html_pages(out):
        for ref in internal_targets(page):
            if ref.startswith("/"):
                target = resolve(out, ref)
                if target is None or not target.exists():
                    broken.append(f"{page.relative_to(out)} -> {ref}")
            else:  # page-relative (notebook outputs beside their page)
                target = (page.parent / unquote(ref.split("#")[0])).resolve()
                if not target.exists():
                    broken.append(f"{page.relative_to(out)} -> {ref}")
    assert broken == []


def test_project_pages_have_colab_and_github_links(built):
    out, _ = built
    owner, repo, branch = GITHUB
    notebooks = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "projects").rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in p.parts)
    assert len(notebooks) >= 3
    found = {}
    for page in (out / "projects").glob("*/index.html"):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        colab = soup.select_one("header a.badge-colab")
        github = soup.select_one("header a.badge-github")
        if colab:
            found[colab["href"]] = github["href"]
    for path in notebooks:
        colab = f"https://colab.research.google.com/github/{owner}/{repo}/blob/{branch}/{path}"
        assert colab in found, f"no Colab badge for {path}"
        assert found[colab] == f"https://github.com/{owner}/{repo}/blob/{branch}/{path}"


def test_notebook_download_is_the_source_notebook(built):
    out, _ = built
    page = out / "projects" / "iris-eda" / "index.html"
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    download = soup.select_one("a.badge-download")["href"]
    copied = resolve(out, download)
    assert copied.read_bytes() == (REPO / "projects/iris-eda/iris-eda.ipynb").read_bytes()


def test_no_base64_images_in_pages(built):
    out, _ = built
    for page in html_pages(out):
        assert "data:image" not in page.read_text("utf-8"), page


def test_feed_and_sitemap_are_xml_with_absolute_urls(built):
    out, _ = built
    feed = ET.parse(out / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert entries
    for entry in entries:
        assert entry.find("a:link", ns).get("href").startswith("https://ada-learns.github.io/portfolio/")
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://ada-learns.github.io/portfolio/projects/iris-eda/" in locs
    assert "Sitemap: https://ada-learns.github.io/portfolio/sitemap.xml" in \
        (out / "robots.txt").read_text()


def test_404_uses_absolute_base_path_links(built):
    out, _ = built
    soup = BeautifulSoup((out / "404.html").read_text("utf-8"), "html.parser")
    hrefs = [a["href"] for a in soup.find_all(["a", "link"]) if a.get("href")]
    local = [h for h in hrefs if not urlsplit(h).scheme and not h.startswith("#")]
    assert local and all(h.startswith(BASE) for h in local)
    assert (out / ".nojekyll").exists()
    assert not (out / "CNAME").exists()  # a github.io site needs none


def test_drafts_are_not_published(built):
    out, _ = built
    assert not (out / "blog" / "attention-from-scratch").exists()
    assert "attention-from-scratch" not in (out / "blog" / "index.html").read_text("utf-8")


def test_posts_have_neighbours_tags_and_reading_time(built):
    out, _ = built
    posts = sorted((out / "blog").glob("*/index.html"))
    assert len(posts) >= 4
    soup = BeautifulSoup(posts[0].read_text("utf-8"), "html.parser")
    assert soup.select_one("nav.neighbours a")
    assert "min read" in soup.select_one(".meta").get_text()
    tag = soup.select_one("ul.tags a")["href"]
    assert resolve(out, tag).exists()


def test_cli_runner_build_and_failed_build_keeps_old_site(tmp_path: Path):
    # Given a built example site
    root = copy_example(tmp_path / "site")
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--site", str(root)])
    assert result.exit_code == 0, result.output
    out = root / "_site"
    before = {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in out.rglob("*") if p.is_file()}
    # When a post gets broken front matter
    post = next((root / "content" / "posts").glob("*.md"))
    post.write_text("---\ntitle: Broken\ntags: [a, b\n---\nBody\n", "utf-8")
    result = runner.invoke(cli, ["build", "--site", str(root)])
    # Then the build fails with file and line, and the old site is byte-identical
    assert result.exit_code == 1
    assert f"content/posts/{post.name}:" in result.output
    assert "Traceback" not in result.output
    after = {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_help_and_version():
    for args in (["--help"], ["build", "--help"], ["--version"]):
        proc = subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0
        assert proc.stdout.strip()


def test_marker_lists_every_file(built):
    out, _ = built
    marker = json.loads((out / ".portfolio-build").read_text())
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(marker["files"]) == files - {".portfolio-build"}
    assert os.sep not in "".join(marker["files"]) or os.sep == "/"
