"""Warnings a user can act on: how many were not printed and where they all are, every one
with -v, the count again on a build with nothing to do, and `check`'s report on stdout."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli

CONFIG = """\
title: Warnings
url: https://learner.github.io/ml/
author:
  name: A Learner
"""


def site_with_warnings(root: Path, count: int) -> Path:
    """`count` posts, each with one broken link (a warning apiece)."""
    (root / "content/posts").mkdir(parents=True)
    (root / "portfolio.yml").write_text(CONFIG, "utf-8")
    for index in range(count):
        day = f"2024-{index // 28 + 1:02d}-{index % 28 + 1:02d}"
        (root / f"content/posts/{day}-post-{index}.md").write_text(
            f"---\ntitle: Post {index}\n---\nSee [this](missing-{index}.md).\n", "utf-8")
    return root


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args, "--site", str(root)])
    return result.exit_code, result.stdout, result.stderr


def test_a_long_list_of_warnings_says_how_many_were_not_shown(tmp_path: Path) -> None:
    root = site_with_warnings(tmp_path / "site", 31)
    code, _, err = run(root, "build")
    assert code == 0, err
    assert err.count("warning: ") == 30
    assert "1 more warning not shown" in err and "run with -v" in err
    listing = root / ".portfolio/warnings.txt"
    assert "warnings.txt" in err
    lines = listing.read_text("utf-8").splitlines()
    assert len(lines) == 31 and all("broken link" in line for line in lines)

    code, out, err = run(root, "build")  # nothing changed: the count, not the list
    assert code == 0 and "up to date" in out
    assert "31 warnings from the last build (run with -v" in err
    assert "warning: " not in err

    code, out, err = run(root, "build", "-v")  # every one, even with nothing to build
    assert code == 0 and err.count("warning: ") == 31


def test_verbose_prints_every_warning_and_a_clean_build_removes_the_list(tmp_path: Path) -> None:
    root = site_with_warnings(tmp_path / "site", 33)
    code, _, err = run(root, "build", "--verbose")
    assert code == 0 and err.count("warning: ") == 33 and "not shown" not in err
    for post in (root / "content/posts").glob("*.md"):
        post.write_text(post.read_text("utf-8").replace("[this](missing", "this (missing"),
                        "utf-8")
    code, _, err = run(root, "build")
    assert code == 0 and "warning" not in err
    assert not (root / ".portfolio/warnings.txt").exists()


def test_strict_counts_errors_plainly(tmp_path: Path) -> None:
    root = site_with_warnings(tmp_path / "site", 2)
    code, _, err = run(root, "build", "--strict")
    assert code == 1
    assert "Build failed: 2 errors." in err and "error(s)" not in err


def test_check_prints_its_report_on_stdout(tmp_path: Path) -> None:
    root = site_with_warnings(tmp_path / "site", 2)
    code, out, _ = run(root, "check", "--no-git")
    assert code == 0
    assert out.count("broken link") >= 2 and "problems found." in out
