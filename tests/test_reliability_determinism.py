"""RELIABILITY.md "Determinism" R1-R4: the same sources give the same bytes, anywhere."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from generator.build import build

from .conftest import copy_example
from .helpers_reliability import CONFIG, GOOD_POST, code_cell, digest, make, md_cell, nb, run_module


def _build(root: Path, out: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    result = run_module("build", "--out", str(out), cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    return digest(out)


def test_R1_two_builds_are_identical(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "site")
    first = _build(root, tmp_path / "a")
    shutil.rmtree(root / ".portfolio", ignore_errors=True)  # no cache: a cold second build
    assert _build(root, tmp_path / "b") == first


def test_R2_other_path_tz_locale_hashseed_mtimes_and_order(tmp_path: Path) -> None:
    one = copy_example(tmp_path / "one" / "site")
    reference = _build(one, tmp_path / "out1", {"TZ": "UTC", "LC_ALL": "C",
                                                "PYTHONHASHSEED": "0"})
    # another folder, files created in reverse order, every mtime touched
    two = tmp_path / "elsewhere" / "deeper" / "clone"
    files = sorted(p for p in one.rglob("*") if p.is_file() and ".portfolio" not in p.parts)
    for path in reversed(files):
        target = two / path.relative_to(one)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        os.utime(target, (1_000_000_000, 1_000_000_000))
    other = _build(two, tmp_path / "out2", {"TZ": "Pacific/Chatham", "LC_ALL": "de_DE.UTF-8",
                                            "PYTHONHASHSEED": "12345"})
    assert other == reference
    assert not any(str(two).encode() in (tmp_path / "out2" / name).read_bytes()
                   for name in other)


def test_R3_notebooks_without_ids_get_stable_ones(tmp_path: Path) -> None:
    v44 = nb([md_cell("# No ids"), code_cell("print(1)", [{"output_type": "stream",
                                                           "name": "stdout", "text": "1\n"}]),
              md_cell("## Section")], minor=4)
    v3 = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                     "worksheets": [{"cells": [
                         {"cell_type": "markdown", "source": "# Old", "metadata": {}},
                         {"cell_type": "code", "language": "python", "input": "2",
                          "prompt_number": 1, "metadata": {}, "outputs": []}]}]})
    root = make(tmp_path / "s", {"projects/a.ipynb": v44, "projects/b.ipynb": v3}, CONFIG)
    pages = set()
    for run in range(5):
        out = tmp_path / f"out{run}"
        build(root, out_dir=out, use_cache=False)
        pages.add((out / "projects/a/index.html").read_bytes()
                  + (out / "projects/b/index.html").read_bytes())
    assert len(pages) == 1
    assert json.loads((root / "projects/a.ipynb").read_text())["nbformat_minor"] == 4


def test_R4_no_wall_clock_unless_source_date_epoch(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": GOOD_POST,
                                 "content/posts/y.md": GOOD_POST.replace("Good post", "Twin"),
                                 "content/posts/a.md": GOOD_POST.replace("Good post", "Alpha")},
                CONFIG)
    plain = _build(root, tmp_path / "a", {"SOURCE_DATE_EPOCH": ""})
    import time
    year = time.strftime("%Y").encode()
    for name in plain:  # pages, feed and sitemap carry no build time
        if name.endswith((".html", ".xml")):
            assert year not in (tmp_path / "a" / name).read_bytes(), name
    stamped = _build(root, tmp_path / "b", {"SOURCE_DATE_EPOCH": "1700000000"})
    assert stamped == _build(root, tmp_path / "c", {"SOURCE_DATE_EPOCH": "1700000000"})
    # equal dates: a stable tiebreak by slug (a, x, y), newest first by date only
    listing = (tmp_path / "a/blog/index.html").read_text()
    order = [listing.index(t) for t in ("Alpha", "Good post", "Twin")]
    assert order == sorted(order) or order == sorted(order, reverse=True)
    (root / "content/posts/z.md").write_text("---\ntitle: Z\n---\nno date\n")
    result = run_module("build", "--strict", "--out", str(tmp_path / "d"), cwd=root,
                        env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 1, result.stderr
    assert "content/posts/z.md:1: no date and not committed to git: using today, 2023-11-14" \
        in result.stderr
