"""Issue 15, "Nothing stuck, nothing lost": damaged caches, unreadable, special and looping
files, symlinked themes, read-only output folders, output collisions, reproducible notebooks."""

from __future__ import annotations

import base64
import builtins
import errno
import io
import json
import os
import sys
from pathlib import Path

import pytest

from generator.build import build
from generator.output import writer

from .helpers_reliability import (
    CONFIG,
    GOOD_POST,
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

# root reads and writes whatever the modes say: simulated below
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
FIFOS = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="Windows has no named pipes")


def _small_site(root: Path) -> Path:
    return make(root, {"content/posts/good.md": GOOD_POST, "content/about.md": "# About\n\nMe.\n",
                       "content/posts/other.md": "---\ntitle: Other\ndate: 2024-01-03\n---\nO.\n"},
                CONFIG)


def _built(root: Path) -> dict[str, str]:
    """Build the site into its `_site/` (a good build); returns the output's fingerprint."""
    assert_clean(cli("build", cwd=root), 0)
    return digest(root / "_site")


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _cache_site(root: Path) -> Path:
    figure = {"output_type": "display_data", "metadata": {},
              "data": {"image/png": base64.b64encode(_png()).decode(), "text/plain": "<Figure>"}}
    return make(root, {
        "content/posts/a.md": "---\ntitle: Post A\ndate: 2024-01-01\n---\n\nAlpha text.\n",
        "content/posts/b.md": "---\ntitle: Post B\ndate: 2024-01-02\n---\n\nBeta text.\n",
        "projects/chart.ipynb": nb([md_cell("# Chart"), code_cell("plot()", [figure])]),
    }, CONFIG)


def _damage(path: Path, how: str, old: bytes = b"") -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[:-8])  # its end: an entry's HTML, a figure's last chunk
    elif old:  # the same length, other bytes, where a reader would see them
        assert data.count(old) == 1
        path.write_bytes(data.replace(old, bytes(b ^ 0x01 for b in old)))
    else:
        path.write_bytes(bytes(b ^ 0xFF for b in data[:64]) + data[64:])


@pytest.mark.parametrize("where", ["in place", "fresh output"])
@pytest.mark.parametrize("how", ["truncated", "overwritten"])
@pytest.mark.parametrize("what", ["entry", "blob"])
def test_wrong_pages_from_a_damaged_cache(tmp_path: Path, what: str, how: str,
                                          where: str) -> None:
    root = _cache_site(tmp_path / "s")
    out = tmp_path / "site"
    build(root, out_dir=out)
    cache = root / ".portfolio/cache"
    if what == "entry":  # the HTML part of post A's entry (its JSON line is checked apart)
        [target] = [p for p in cache.glob("entries/*/*") if b"Alpha text" in p.read_bytes()]
        _damage(target, how, b"<p>Alpha text")
    else:  # the notebook's figure
        [target] = [p for p in cache.glob("blobs/*/*") if p.read_bytes() == _png()]
        _damage(target, how)
    # post B is post A's neighbour: its new title re-renders A's page, from the cache
    (root / "content/posts/b.md").write_text(
        "---\ntitle: Post Bee\ndate: 2024-01-02\n---\n\nBeta text.\n")
    if where == "fresh output":  # a cache restored on CI, without the last output: all copied
        out = tmp_path / "fresh"
    build(root, out_dir=out)
    ref = _cache_site(tmp_path / "ref")
    (ref / "content/posts/b.md").write_text((root / "content/posts/b.md").read_text())
    build(ref, out_dir=tmp_path / "cold", use_cache=False)
    assert digest(out) == digest(tmp_path / "cold")
    assert "Alpha text" in (out / "blog/a/index.html").read_text()
    # the damaged file was replaced: the next build from the cache is right too
    build(root, out_dir=tmp_path / "again", force=True)
    assert digest(tmp_path / "again") == digest(tmp_path / "cold")


def test_wrong_pages_from_a_damaged_cache_json_line(tmp_path: Path) -> None:
    root = _cache_site(tmp_path / "s")
    build(root, out_dir=tmp_path / "site")
    [entry] = [p for p in (root / ".portfolio/cache").glob("entries/*/*")
               if b"Alpha text" in p.read_bytes()]
    _damage(entry, "overwritten", b"Post A")  # the title, in the JSON: still valid JSON
    build(root, out_dir=tmp_path / "fresh")
    assert "Post A" in (tmp_path / "fresh/blog/a/index.html").read_text()
    assert "Qnst A" not in (tmp_path / "fresh/blog/a/index.html").read_text()


def test_not_reproducible_notebook_45_without_cell_ids(tmp_path: Path) -> None:
    book = json.loads(nb([md_cell("# Old tool"), code_cell("print(1)"), md_cell("The end.")]))
    for cell in book["cells"]:
        del cell["id"]  # nbformat 4.5 as older tools wrote it: no ids
    assert book["nbformat_minor"] == 5
    pages = []
    for name in ("one", "two"):
        root = make(tmp_path / name, {"projects/old.ipynb": json.dumps(book)}, CONFIG)
        build(root, out_dir=root / "_site", use_cache=False)
        pages.append(digest(root / "_site"))
        build(root, out_dir=root / "_site", use_cache=False, force=True)
        pages.append(digest(root / "_site"))
    assert pages[0] == pages[1] == pages[2] == pages[3]
    assert "Old tool" in (tmp_path / "one/_site/projects/old/index.html").read_text()


def _deny(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    """Reading `target` (a file) or listing it (a folder) fails as after `chmod 000`."""
    def denied(path: object) -> bool:  # (shutil.rmtree lists folders by descriptor)
        return isinstance(path, (str, Path)) and os.path.abspath(path) == str(target)

    if not ROOT:
        target.chmod(0)
        return
    real_open, real_scandir, real_listdir = builtins.open, os.scandir, os.listdir

    def fake_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if denied(file):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    def listing(real):  # type: ignore[no-untyped-def]
        def fake(path="."):  # type: ignore[no-untyped-def]
            if denied(path):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
            return real(path)
        return fake

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)  # Path.read_bytes
    monkeypatch.setattr(os, "scandir", listing(real_scandir))  # os.walk
    monkeypatch.setattr(os, "listdir", listing(real_listdir))  # Path.iterdir


@pytest.mark.parametrize("what, words", [
    ("content/posts", "content/posts/: cannot read the folder: Permission denied"),
    ("content/posts/good.md", "content/posts/good.md: cannot read the file: Permission denied"),
    ("content/posts/new.png", "content/posts/new.png: Permission denied"),
    ("portfolio.yml", "portfolio.yml: cannot read the file: Permission denied"),
])
def test_silently_dropped_content_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             what: str, words: str) -> None:
    root = _small_site(tmp_path / "s")
    before = _built(root)
    # an edit, so the build is not "up to date" (an unreadable file unchanged since the last
    # build needs no reading: its page is still right), and a new image, never published
    (root / "content/posts/new.png").write_bytes(_png())
    (root / "content/posts/other.md").write_text(
        "---\ntitle: Other\ndate: 2024-01-03\n---\n![a chart](new.png)\n")
    target = root / what
    try:
        with monkeypatch.context() as m:
            _deny(m, target)
            text = assert_clean(cli("build", cwd=root), 1)
    finally:
        target.chmod(0o755 if target.is_dir() else 0o644)
    assert words in text, text
    assert "internal error" not in text and "bug in portfolio" not in text
    assert digest(root / "_site") == before
    assert leftovers(root) == []


@FIFOS
def test_a_hang_fifo_among_the_posts(tmp_path: Path) -> None:
    root = _small_site(tmp_path / "s")
    os.mkfifo(root / "content/posts/pipe.md")
    os.mkfifo(root / "content/posts/pipe.png")
    result = run_module("build", cwd=root, timeout=60)  # a hang fails here, not forever
    assert result.returncode == 0, result.stderr
    text = result.stdout + result.stderr
    assert "content/posts/pipe.md: skipped: a named pipe (FIFO), not a regular file" in text
    assert "content/posts/pipe.png: skipped: a named pipe" in text
    assert (root / "_site/blog/good/index.html").is_file()
    assert not (root / "_site/blog/pipe").exists() and not (root / "_site/posts").exists()
    # a named pipe in a theme: never read to digest the theme, refused when it is published
    os.mkfifo(make(root, {"themes/mine/static/x.txt": "x"}, None) / "themes/mine/static/p.css")
    (root / "portfolio.yml").write_text(CONFIG + "theme: mine\n")
    result = run_module("build", cwd=root, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "themes/mine/static/p.css" in result.stderr and "named pipe" in result.stderr
    assert "Traceback" not in result.stderr


def test_symlink_loop_in_content(tmp_path: Path) -> None:
    root = _small_site(tmp_path / "s")
    before = _built(root)
    (root / "content/loop").symlink_to("loop")  # a link to itself
    (root / "content/notes").mkdir()
    (root / "content/notes/pic.png").write_bytes(_png())
    (root / "content/notes/again").symlink_to("../notes")  # a folder holding a link to itself
    text = assert_clean(cli("build", cwd=root), 1)
    assert "content/loop: symlink loop: the link leads back to itself" in text, text
    assert "content/notes/again: symlink loop: the link leads back to content/notes/" in text
    assert "internal error" not in text
    assert digest(root / "_site") == before
    # two folders linking to each other
    (root / "content/loop").unlink()
    (root / "content/notes/again").unlink()
    (root / "content/a").mkdir()
    (root / "content/a/to-b").symlink_to("../b")
    (root / "content/b").mkdir()
    (root / "content/b/to-a").symlink_to("../a")
    text = assert_clean(cli("build", cwd=root), 1)
    assert "content/a/to-b/to-a: symlink loop: the link leads back to content/a/" in text, text
    assert "content/b/to-a/to-b: symlink loop: the link leads back to content/b/" in text, text
    assert digest(root / "_site") == before


@pytest.mark.parametrize("kind", ["template", "static", "nbconvert"])
def test_symlinked_theme_file_outside_the_site(tmp_path: Path, kind: str) -> None:
    root = _small_site(tmp_path / "s")
    page = '{{% extends "!default/page.html" %}}{{% block after_doc %}}{}{{% endblock %}}\n'
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "page.html").write_text(page.format("SECRET-TEMPLATE"))
    (secret / "secret.css").write_text("SECRET-STATIC\n")
    (secret / "index.html.j2").write_text("{%- extends 'basic/index.html.j2' -%}SECRET-NB\n")
    # a link that stays in the site is fine
    make(root, {"shared/page.html": page.format("INSIDE-OK")}, None)
    (root / "themes/mine/templates").mkdir(parents=True)
    (root / "themes/mine/templates/page.html").symlink_to(root / "shared/page.html")
    (root / "portfolio.yml").write_text(CONFIG + "theme: mine\n")
    before = _built(root)
    assert "INSIDE-OK" in (root / "_site/about/index.html").read_text()
    if kind == "template":
        link, target = root / "themes/mine/templates/page.html", secret / "page.html"
        link.unlink()
        words = "themes/mine/templates/page.html: refusing to use the template page.html: it " \
                f"points to {target.resolve()}, outside the site"
    elif kind == "static":
        link, target = root / "themes/mine/static/secret.css", secret / "secret.css"
        link.parent.mkdir()
        words = f"{link}: refusing to publish assets/secret.css"
    else:  # nbconvert reads these itself: checked before any notebook is converted
        link, target = root / "themes/mine/nbconvert/index.html.j2", secret / "index.html.j2"
        link.parent.mkdir()
        words = "themes/mine/nbconvert/index.html.j2: refusing to use the nbconvert template: " \
                f"it points to {target.resolve()}, outside the site"
    link.symlink_to(target)
    text = assert_clean(cli("build", cwd=root), 1)
    assert words in text, text
    assert digest(root / "_site") == before
    assert not any(b"SECRET" in (root / "_site" / rel).read_bytes() for rel in before)


@pytest.mark.parametrize("what", ["_site", "site folder", "unreadable _site"])
def test_read_only_site_or_site_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       what: str) -> None:
    root = _small_site(tmp_path / "s")
    out = root / "_site"
    before = _built(root)
    (root / "content/about.md").write_text("# About\n\nChanged.\n")
    words = f"could not replace {out}: Permission denied"
    if what == "unreadable _site":
        words = f"could not use {out}: Permission denied"
        _deny(monkeypatch, out)
    elif not ROOT:
        (out if what == "_site" else root).chmod(0o555)
    else:  # what the kernel says then: renameat2 refuses the swap, a rename the move
        real_rename, real_replace = os.rename, os.replace

        def refused(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
            if out.name in (Path(src).name, Path(dst).name):
                raise PermissionError(errno.EACCES, "Permission denied", str(src))
            return (real_replace if kwargs.pop("replace", False) else real_rename)(
                src, dst, *args, **kwargs)

        def exchange(a: Path, b: Path) -> bool:
            if what == "site folder" or not sys.platform.startswith("linux"):
                return False  # no renameat2: the plain renames are refused instead
            raise PermissionError(errno.EACCES, "Permission denied", str(b))

        monkeypatch.setattr(os, "rename", refused)
        monkeypatch.setattr(os, "replace", lambda s, d: refused(s, d, replace=True))
        monkeypatch.setattr(writer, "exchange", exchange)
    try:
        text = assert_clean(cli("build", cwd=root), 1)
    finally:
        monkeypatch.undo()
        (root if what == "site folder" else out).chmod(0o755)
    assert words in text, text
    assert digest(out) == before
    assert leftovers(root) == []
    assert_clean(cli("build", cwd=root), 0)
    assert "Changed." in (out / "about/index.html").read_text()


@pytest.mark.parametrize("name, body, words", [
    ("content/posts/x.md", "---\ntitle: X\ndate: 2024-03-03\nslug: page/2\n---\nx\n",
     "content/posts/x.md: the URL /blog/page/2/ collides with the site's own pages "
     "/blog/page/{number}/index.html"),
    ("content/posts/x.md", "---\ntitle: X\ndate: 2024-03-03\nslug: page\n---\nx\n",
     "content/posts/x.md: the URL /blog/page/ collides with the site's own pages "
     "/blog/page/{number}/index.html"),
    ("content/posts/x.md", "---\ntitle: X\ndate: 2024-03-03\nslug: index.html\n---\nx\n",
     "content/posts/x.md: the URL /blog/index.html/ collides with /blog/index.html, the "
     "site's own page"),
    ("projects/x.md", "---\ntitle: X\nslug: index.html\n---\nx\n",
     "projects/x.md: the URL /projects/index.html/ collides with /projects/index.html, the "
     "site's own page"),
    ("content/x.md", "---\nslug: about/index.html\n---\n# X\n",
     "content/x.md: the URL /about/index.html/ collides with /about/index.html, the page of "
     "content/about.md"),
    ("content/x.md", "---\nslug: posts/pic.png\n---\n# X\n",
     "content/x.md: the URL /posts/pic.png/ collides with /posts/pic.png, the file "
     "content/posts/pic.png"),
    ("content/blog.md", "# Blog\n", "content/blog.md: the page URL /blog/ is reserved for the "
     "site's own pages: it collides with /blog/index.html"),
    ("content/tags/x.md", "# X\n", "content/tags/x.md: the page URL /tags/x/ is reserved"),
])
def test_output_collisions_name_the_source(tmp_path: Path, name: str, body: str,
                                           words: str) -> None:
    root = _small_site(tmp_path / "s")
    (root / "portfolio.yml").write_text(CONFIG + "posts_per_page: 1\n")
    (root / "content/posts/pic.png").write_bytes(_png())
    before = _built(root)
    make(root, {name: body}, None)
    text = assert_clean(cli("build", cwd=root), 1)
    assert words in text, text
    assert "Is a directory" not in text and "two outputs" not in text
    assert digest(root / "_site") == before
    assert_clean(cli("build", "--keep-going", cwd=root), 1)  # the rest is built
    assert (root / "_site/blog/good/index.html").is_file()


def test_output_collision_notebook_figure_over_a_static_file(tmp_path: Path) -> None:
    root = _cache_site(tmp_path / "s")
    before = _built(root)
    figures = sorted(p.name for p in (root / "_site/projects/chart").glob("*.png"))
    assert figures, "the notebook's figure is extracted beside its page"
    make(root, {f"projects/chart/{figures[0]}": _png()}, None)
    text = assert_clean(cli("build", cwd=root), 1)
    assert (f"projects/chart.ipynb: its output /projects/chart/{figures[0]} would overwrite "
            f"the file projects/chart/{figures[0]}") in text, text
    assert "two outputs" not in text
    assert digest(root / "_site") == before
    text = assert_clean(cli("build", "--keep-going", cwd=root), 1)  # the rest is built
    assert "two outputs" not in text
    assert (root / "_site/blog/a/index.html").is_file()


@FIFOS
def test_a_hang_fifo_as_portfolio_yml(tmp_path: Path) -> None:
    root = tmp_path / "s"
    root.mkdir()
    os.mkfifo(root / "portfolio.yml")
    for command in ("build", "check"):
        result = run_module(command, cwd=root, timeout=60)  # a hang fails here, not forever
        assert result.returncode == 1, result.stderr
        assert "portfolio.yml: not a regular file (a named pipe, socket or device)" in \
            result.stderr, result.stderr
        assert "Traceback" not in result.stderr
