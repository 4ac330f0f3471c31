"""The content-addressed cache and the no-op fingerprint (issue: fast builds)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from generator.build import RecordingReporter, build

from .conftest import notebook

# The config part of every site here (tests that change the config show their own).
CONFIG = """
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
"""

SITE = """
-- content/posts/2024-01-01-first.md --
---
title: First
tags: [a]
---
Hello **world**. See [the second](2024-01-02-second.md).
-- content/posts/2024-01-02-second.md --
---
title: Second
tags: [a, b]
---
```python
print("hi")
```
-- content/about.md --
# About
Me.
"""


def tree(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def add_notebook(root: Path) -> Path:
    path = root / "projects" / "nb.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(notebook([
        {"cell_type": "raw", "source": "---\ntitle: NB\n---"},
        {"cell_type": "code", "source": "print(1)", "execution_count": 1,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}]},
    ]))
    return path


def test_second_build_is_up_to_date_and_renders_nothing(make_site):
    root = make_site(CONFIG + SITE)
    add_notebook(root)
    first = RecordingReporter()
    build(root, reporter=first)
    assert len(first.rendered) == 4
    second = RecordingReporter()
    report = build(root, reporter=second)
    assert report.up_to_date
    assert second.rendered == [] and second.cached == []


def test_one_edit_renders_exactly_one_document(make_site):
    root = make_site(CONFIG + SITE)
    add_notebook(root)
    build(root)
    post = root / "content/posts/2024-01-02-second.md"
    post.write_text(post.read_text().replace("hi", "changed"))
    reporter = RecordingReporter()
    report = build(root, reporter=reporter)
    assert reporter.rendered == ["content/posts/2024-01-02-second.md"]
    assert report.cached == 3
    assert "changed" in (root / "_site/blog/second/index.html").read_text()


def test_touched_mtime_does_not_rerender(make_site):
    root = make_site(CONFIG + SITE)
    build(root)
    os.utime(root / "content/about.md", (1, 1))
    reporter = RecordingReporter()
    report = build(root, reporter=reporter)
    assert report.up_to_date and reporter.rendered == []


def test_cached_build_is_byte_identical_to_cold_build(make_site, tmp_path):
    root = make_site(CONFIG + SITE)
    add_notebook(root)
    build(root, out_dir=tmp_path / "cold", use_cache=False)
    build(root, out_dir=tmp_path / "warm1")  # fills the cache
    (root / "content/about.md").write_text("# About\nMe.\n\n")  # force a non-no-op build
    reporter = RecordingReporter()
    build(root, out_dir=tmp_path / "warm2", reporter=reporter)
    assert reporter.cached  # most documents really came from the cache
    (root / "content/about.md").write_text("# About\nMe.\n")
    build(root, out_dir=tmp_path / "warm3")
    assert tree(tmp_path / "cold") == tree(tmp_path / "warm3")


def test_corrupt_cache_entry_is_a_miss(make_site):
    root = make_site(CONFIG + SITE)
    build(root)
    for entry in (root / ".portfolio/cache/entries").rglob("*.entry"):
        entry.write_text("{not json")
    (root / "content/about.md").write_text("# About\nMe, again.\n")
    reporter = RecordingReporter()
    build(root, reporter=reporter)
    assert sorted(reporter.rendered) == sorted(
        ["content/about.md", "content/posts/2024-01-01-first.md",
         "content/posts/2024-01-02-second.md"])
    assert "Me, again." in (root / "_site/about/index.html").read_text()


def test_deleted_output_is_rebuilt_from_cache(make_site):
    root = make_site(CONFIG + SITE)
    build(root)
    import shutil
    shutil.rmtree(root / "_site")
    reporter = RecordingReporter()
    report = build(root, reporter=reporter)
    assert not report.up_to_date and reporter.rendered == [] and len(reporter.cached) == 3
    assert (root / "_site/blog/first/index.html").is_file()


def test_config_title_change_does_not_rerender_documents(make_site):
    root = make_site("""
-- portfolio.yml --
title: Test Site
url: https://tester.github.io/repo/
author:
  name: Test Author
""" + SITE)
    add_notebook(root)
    build(root)
    config = root / "portfolio.yml"
    config.write_text(config.read_text().replace("Test Site", "Renamed Site"))
    reporter = RecordingReporter()
    build(root, reporter=reporter)
    assert reporter.rendered == []
    assert "Renamed Site" in (root / "_site/index.html").read_text()


def test_stale_entries_are_pruned(make_site):
    root = make_site(CONFIG + SITE)
    build(root)
    entries = lambda: sorted((root / ".portfolio/cache/entries").rglob("*.entry"))  # noqa: E731
    assert len(entries()) == 3
    (root / "content/about.md").unlink()
    build(root)
    assert len(entries()) == 2
