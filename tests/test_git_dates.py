"""A post with no date takes the date of the commit that added it, following renames."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup

from generator.build import build
from generator.sources.history import parse_log
from tests.helpers_reliability import CONFIG, assert_clean, cli, make


def _git(root: Path, *args: str, date: str = "2021-03-04T10:00:00+01:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
           "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def _date_of(page: Path) -> str:
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    time = soup.select_one(".doc-header time") or soup.select_one("time")
    assert time is not None, page
    return str(time["datetime"])[:10]


def test_an_undated_post_takes_the_date_of_the_commit_that_added_it(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "_posts/migrated.md": "---\ntitle: Migrated from Jekyll\n---\n\nOld words.\n",
        "content/posts/dated.md": "---\ntitle: Dated\ndate: 2024-05-06\n---\n\nHi.\n",
    }, CONFIG)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "first", date="2021-03-04T23:30:00-08:00")
    # moved into place in a later commit: the date it was first added is kept
    (root / "content/posts").mkdir(exist_ok=True)
    _git(root, "mv", "_posts/migrated.md", "content/posts/migrated.md")
    _git(root, "commit", "-qm", "move", date="2023-09-10T12:00:00+00:00")
    (root / "content/posts/fresh.md").write_text("# Not committed yet\n\nDraft words.\n")

    report = build(root, base_url=None)
    site = root / "_site"
    assert _date_of(site / "blog/migrated/index.html") == "2021-03-04"  # the author's own day
    assert _date_of(site / "blog/dated/index.html") == "2024-05-06"
    assert _date_of(site / "blog/fresh/index.html") == dt.datetime.now(dt.timezone.utc).date(
    ).isoformat()
    notes = {(d.path, d.message.split(" (")[0]) for d in report.diagnostics}
    assert ("content/posts/migrated.md", "no date: using 2021-03-04, when git first saw the "
            "file") in notes
    assert ("content/posts/fresh.md", "no date and not committed to git: using today, "
            + dt.datetime.now(dt.timezone.utc).date().isoformat()) in notes
    assert not any(d.path == "content/posts/dated.md" for d in report.diagnostics)
    # the title came from the heading; the blog lists it with the others, newest first
    listing = (site / "blog/index.html").read_text("utf-8")
    assert listing.index("Not committed yet") < listing.index("Dated") < listing.index(
        "Migrated from Jekyll")


def test_strict_fails_on_a_post_dated_from_git_and_names_the_file(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"content/posts/undated.md": "# Undated\n\nText.\n"}, CONFIG)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "first")
    text = assert_clean(cli("build", "--strict", cwd=root), 1)
    assert "content/posts/undated.md:1: no date: using 2021-03-04" in text
    assert not (root / "_site").exists()


def test_git_log_parsing_follows_renames_and_keeps_the_first_addition() -> None:
    log = ("\x012020-01-02\x00\nA\x00a.md\x00A\x00caf\u00e9 b.md\x00"
           "\x012021-05-06\x00\nR100\x00a.md\x00posts/a.md\x00A\x00c.md\x00"
           "\x012022-01-01\x00\nA\x00c.md\x00")
    assert parse_log(log) == {"a.md": dt.date(2020, 1, 2), "caf\u00e9 b.md": dt.date(2020, 1, 2),
                              "posts/a.md": dt.date(2020, 1, 2), "c.md": dt.date(2021, 5, 6)}
    assert parse_log("") == {} and parse_log("\x01not a date\x00\nA\x00x.md\x00") == {}
