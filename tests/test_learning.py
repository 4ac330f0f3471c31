"""The learning path: content/learning.yml validated, the /learning/ page, the "came out of"
links on posts and projects, /learning.json and `portfolio learn fork`."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build
from generator.model.errors import BuildFailed
from generator.sources.learning import parse_learning

from .helpers_reliability import assert_clean, cli, make

CONFIG = """\
title: Learning in public
url: https://learner.github.io/ml/
author:
  name: Ada Learner
menu:
  - {title: Blog, url: /blog/}
  - {title: About, url: /about/}
"""

LEARNING = """\
title: What I am learning
intro: Three tracks, in order.
tracks:
  - name: Foundations
    summary: The maths first.
    items:
      - title: Machine Learning Specialization
        id: ml-spec
        kind: course
        by: DeepLearning.AI
        link: https://www.coursera.org/specializations/machine-learning-introduction
        status: done
        started: 2026-01
        finished: 2026-03-02
        notes: The labs were the point.
        posts: [content/posts/2026-03-10-notes.md, https://medium.com/@ada/my-notes]
        projects: [projects/digits.md]
      - title: Mathematics for Machine Learning
        kind: book
        status: in progress
        started: 2026-03-15
      - title: Elements of Statistical Learning
        kind: book
        status: planned
      - title: A dropped course
        kind: course
        status: dropped
        started: 2026-02-01
        finished: 2026-02-20
  - name: Deep learning
    items:
      - title: Practical Deep Learning for Coders
        id: fast-ai-part-1
        kind: course
        status: In-Progress
        started: 2026-04-01
      - title: Attention Is All You Need
        kind: paper
        status: planned
"""


def post(title: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\n{extra}---\n\nText about {title}.\n"


def site(tmp_path: Path, learning: str | None = LEARNING, name: str = "s",
         now: bool = True) -> Path:
    files: dict[str, str | bytes] = {
        "content/posts/2026-03-04-gradients.md": post("Gradients", "learned_from: ml-spec\n"),
        "content/posts/2026-03-10-notes.md": post("Course notes"),
        "content/posts/2026-04-20-lesson-one.md": post(
            "Lesson one", "learned_from: [fast-ai-part-1, mathematics-for-machine-learning]\n"),
        "projects/digits.md": post("Digits", "date: 2026-03-20\n"
                                   "learned_from: Attention Is All You Need\n"),  # a title
        "content/about.md": post("About"),
    }
    if now:
        files["content/now.md"] = post("Now")
    if learning is not None:
        files["content/learning.yml"] = learning
    return make(tmp_path / name, files, CONFIG)


def soup_of(root: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_site" / rel).read_text("utf-8"), "html.parser")


@pytest.fixture(autouse=True)
def build_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1777593600")  # 2026-05-01 00:00 UTC


def test_learning_page_shows_progress_now_next_and_what_came_out(tmp_path):
    root = site(tmp_path)
    build(root)
    page = soup_of(root, "learning/index.html")
    assert page.h1.get_text() == "What I am learning"
    bars = page.select("[role=progressbar]")
    assert [(b["aria-valuenow"], b["aria-valuemax"]) for b in bars] == [("1", "3"), ("0", "2")]
    # the label is visible text, and names the track
    counts = [c.get_text() for c in page.select(".progress-count")]
    assert counts == ["1 of 3 done", "0 of 2 done"]
    assert page.find(id=bars[0]["aria-labelledby"]).get_text() == "Foundations"
    assert "1 dropped" in page.select(".track-count")[0].get_text()
    now = [a.get_text() for a in page.select("#now-title ~ ul .mini-title")]
    assert now == ["Mathematics for Machine Learning", "Practical Deep Learning for Coders"]
    following = [a.get_text() for a in page.select("#next-title ~ ul .mini-title")]
    assert following == ["Elements of Statistical Learning", "Attention Is All You Need"]
    item = page.find(id="item-ml-spec")
    assert item.select_one(".pill").get_text() == "Done"  # the status is text, not colour
    assert item.select_one(".item-title a")["href"].startswith("https://www.coursera.org/")
    assert "Jan 2026 – Mar 2, 2026" in item.select_one(".item-meta").get_text()
    outcomes = [(li.select_one(".outcome-kind").get_text(), li.a.get_text(), li.a["href"])
                for li in item.select(".item-outcomes li")]
    # what names it (learned_from) and what it lists, by date; other addresses last
    assert outcomes == [("Post", "Gradients", "/ml/blog/gradients/"),
                        ("Post", "Course notes", "/ml/blog/notes/"),
                        ("Project", "Digits", "/ml/projects/digits/"),
                        ("medium.com", "medium.com/@ada/my-notes",
                         "https://medium.com/@ada/my-notes")]
    assert page.find(id="item-fast-ai-part-1").select_one(".pill").get_text() == "In progress"
    # the balance line: 12 weeks before 2026-05-01
    assert "Last 12 weeks: 4 items studied, 4 things shipped." in \
        page.select_one(".learning-balance").get_text(" ", strip=True)
    nav = [(a.get_text(), a["href"]) for a in page.select(".site-nav a")]
    titles = [t for t, _ in nav]
    assert ("Learning", "/ml/learning/") in nav and ("Now", "/ml/now/") in nav
    assert titles.index("Blog") < titles.index("Learning") < titles.index("About") < \
        titles.index("Now")
    sitemap = (root / "_site/sitemap.xml").read_text("utf-8")
    assert "/ml/learning/</loc>" in sitemap and "/ml/timeline/</loc>" in sitemap


def test_a_post_shows_the_item_it_came_from_with_a_link_back(tmp_path):
    root = site(tmp_path)
    build(root)
    page = soup_of(root, "blog/lesson-one/index.html")
    box = page.select_one(".learned-from")
    titles = [(a.get_text(), a["href"]) for a in box.select(".learned-from-title")]
    assert titles == [("Practical Deep Learning for Coders", "/ml/learning/#item-fast-ai-part-1"),
                      ("Mathematics for Machine Learning",
                       "/ml/learning/#item-mathematics-for-machine-learning")]
    # an item that lists a post in `posts:` is shown on that post too
    notes = soup_of(root, "blog/notes/index.html").select_one(".learned-from")
    assert notes.select_one(".learned-from-title").get_text() == \
        "Machine Learning Specialization"
    assert notes.select_one(".learned-from-link")["href"].startswith("https://www.coursera")
    digits = soup_of(root, "projects/digits/index.html").select(".learned-from-title")
    assert [a.get_text() for a in digits] == ["Attention Is All You Need",  # what it names
                                              "Machine Learning Specialization"]  # lists it
    assert soup_of(root, "about/index.html").select_one(".learned-from") is None


def test_editing_learning_yml_rebuilds_the_pages_that_show_it(tmp_path):
    root = site(tmp_path)
    build(root)
    assert build(root).up_to_date
    (root / "content/learning.yml").write_text(
        LEARNING.replace("title: Practical Deep Learning for Coders", "title: fast.ai part 1"))
    assert not build(root).up_to_date
    box = soup_of(root, "blog/lesson-one/index.html").select_one(".learned-from")
    assert box.select_one(".learned-from-title").get_text() == "fast.ai part 1"
    assert "fast.ai part 1" in (root / "_site/learning/index.html").read_text("utf-8")


def test_no_learning_yml_means_no_learning_page_and_no_menu_link(tmp_path):
    root = site(tmp_path, learning=None, now=False)
    report = build(root)
    assert not (root / "_site/learning").exists()
    assert not (root / "_site/learning.json").exists()
    nav = [a.get_text() for a in soup_of(root, "index.html").select(".site-nav a")]
    assert "Learning" not in nav and "Now" not in nav
    assert "/ml/learning/" not in (root / "_site/sitemap.xml").read_text("utf-8")
    # the timeline is made from posts and projects alone
    assert (root / "_site/timeline/index.html").is_file()
    # a post naming an item is warned about
    assert any("no content/learning.yml" in d.message for d in report.diagnostics)


def test_an_unknown_learned_from_is_a_warning_naming_the_post_and_fails_strict(tmp_path):
    root = site(tmp_path)
    (root / "content/posts/2026-03-04-gradients.md").write_text(
        post("Gradients", "learned_from: ml-specc\n"))
    report = build(root)
    found = [str(d) for d in report.diagnostics if "learned_from" in d.message]
    assert found == ["content/posts/2026-03-04-gradients.md: learned_from: 'ml-specc' is not "
                     "an item of content/learning.yml (did you mean 'ml-spec'?)"]
    text = assert_clean(cli("build", "--strict", cwd=root), 1)
    assert "ml-specc" in text


def test_a_listed_post_that_does_not_exist_is_a_warning_with_its_line(tmp_path):
    root = site(tmp_path, LEARNING.replace("projects: [projects/digits.md]",
                                           "projects: [projects/nope.md]"))
    report = build(root)
    assert any(str(d).startswith("content/learning.yml:7: 'projects/nope.md' (listed under "
                                 "'Machine Learning Specialization') is not a post or project")
               for d in report.diagnostics), [str(d) for d in report.diagnostics]


ITEM = "tracks:\n  - name: T\n    items:\n      - title: A\n"


@pytest.mark.parametrize("text, expected", [
    (ITEM + "        status: finished\n",
     "content/learning.yml:5: status: 'finished' is not a status: write planned, in progress, "
     "done or dropped"),
    (ITEM + "        kind: blog\n",
     "content/learning.yml:5: kind: 'blog' is not a kind: write course, book, paper, tutorial, "
     "video, project or other"),
    (ITEM + "        started: 2026\n",
     "content/learning.yml:5: started: 2026 is not a date: write YYYY-MM-DD or YYYY-MM"),
    (ITEM + "        started: 2026-13\n",
     "content/learning.yml:5: started: '2026-13' is not a date"),
    (ITEM + "        started: 2026-03-01\n        finished: 2026-02-01\n",
     "content/learning.yml:6: finished: 2026-02-01 is before started: 2026-03-01"),
    (ITEM + "        stauts: done\n", "content/learning.yml:5: unknown field 'stauts' in an item"),
    (ITEM + "  - name: U\n    items:\n      - title: B\n        id: a\n",
     "content/learning.yml:7: two items have the id 'a' (lines 4 and 7)"),
    (ITEM + "        id: Not An Id\n", "content/learning.yml:5: id: 'Not An Id' is not an id"),
    (ITEM + "        link: www.example.com\n",
     "content/learning.yml:5: link: 'www.example.com' is not a web address"),
    ("tracks:\n  - items:\n      - title: A\n", "content/learning.yml:2: a track needs a 'name:'"),
    ("tracks:\n  - name: T\n    items:\n      - kind: book\n",
     "content/learning.yml:4: an item needs a 'title:'"),
    ("tracks: yes\n", "content/learning.yml:1: tracks: must be a list"),
    ("title: x\n", "content/learning.yml:1: no 'tracks:' list"),
    ("just text\n", "content/learning.yml:1: must be a mapping with a 'tracks:' list"),
    ("tracks:\n  - name: 'open\n", "content/learning.yml:2: "),
    ('{"format": "portfolio-learning", "version": 2, "tracks": []}\n',
     "content/learning.yml:1: version: 2 is newer than this portfolio reads"),
])
def test_a_bad_learning_yml_is_a_clear_error_naming_file_line_and_allowed_values(
        tmp_path, text, expected):
    root = site(tmp_path, learning=text)
    with pytest.raises(BuildFailed) as failed:
        build(root)
    messages = [str(e) for e in failed.value.errors]
    assert any(m.startswith(expected) for m in messages), messages
    out = assert_clean(cli("build", cwd=root), 1)
    assert expected.split(": ")[0] in out
    assert not (root / "_site").exists()


def test_a_typo_gets_a_suggestion_and_every_problem_is_reported_at_once(tmp_path):
    root = site(tmp_path, ITEM + "        stauts: done\n        kind: blog\n"
                                 "      - title: B\n        status: soon\n")
    out = assert_clean(cli("build", cwd=root), 1)
    assert "hint: did you mean 'status'?" in out
    assert "content/learning.yml:6: kind: 'blog'" in out
    assert "content/learning.yml:8: status: 'soon'" in out


def test_keep_going_builds_the_rest_when_learning_yml_is_bad(tmp_path):
    root = site(tmp_path, ITEM + "        status: finished\n")
    text = assert_clean(cli("build", "--keep-going", cwd=root), 1)
    assert "content/learning.yml:5" in text and "no content/learning.yml" not in text
    assert (root / "_site/blog/gradients/index.html").is_file()
    assert not (root / "_site/learning").exists()


def test_learning_json_is_versioned_and_round_trips_with_learning_yml(tmp_path):
    root = site(tmp_path)
    build(root)
    text = (root / "_site/learning.json").read_text("utf-8")
    doc = json.loads(text)
    assert (doc["format"], doc["version"]) == ("portfolio-learning", 1)
    assert doc["source"] == "https://learner.github.io/ml/learning.json"
    assert doc["author"] == {"name": "Ada Learner", "url": "https://learner.github.io/ml/"}
    first = doc["tracks"][0]["items"][0]
    assert first["id"] == "ml-spec" and first["status"] == "done"
    assert (first["started"], first["finished"]) == ("2026-01", "2026-03-02")
    assert first["posts"] == [
        {"title": "Gradients", "url": "https://learner.github.io/ml/blog/gradients/"},
        {"title": "Course notes", "url": "https://learner.github.io/ml/blog/notes/"},
        {"title": "", "url": "https://medium.com/@ada/my-notes"}]
    assert first["projects"] == [{"title": "Digits",
                                  "url": "https://learner.github.io/ml/projects/digits/"}]
    assert doc["tracks"][0]["items"][1]["finished"] is None
    assert doc["tracks"][1]["items"][0]["status"] == "in-progress"  # "In-Progress" in the yml
    # read back, the JSON is the same curriculum as the YAML
    original = parse_learning(LEARNING, "content/learning.yml")
    again = parse_learning(text, "learning.json")
    fields = ("id", "title", "kind", "status", "url", "by", "started", "finished", "notes")
    assert [[getattr(i, f) for f in fields] for _, i in again.items()] == \
        [[getattr(i, f) for f in fields] for _, i in original.items()]
    assert [(t.name, t.summary) for t in again.tracks] == \
        [(t.name, t.summary) for t in original.tracks]
    assert (again.title, again.intro) == (original.title, original.intro)
    # ... and a site whose data file is that learning.json publishes the same learning.json
    other = site(tmp_path, learning=None, name="copy")
    (other / "content/learning.json").write_text(text, "utf-8")
    build(other)
    assert json.loads((other / "_site/learning.json").read_text("utf-8")) == doc


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A built site served over HTTP from 127.0.0.1: (its URL, its root)."""
    root = site(tmp_path, name="theirs")
    build(root)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    handler = functools.partial(Quiet, directory=str(root / "_site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", root
    finally:
        server.shutdown()
        server.server_close()


def test_learn_fork_from_a_url_resets_progress_and_never_overwrites(tmp_path, served):
    url, theirs = served
    mine = make(tmp_path / "mine", {"content/posts/2026-04-02-hi.md": post("Hi")}, CONFIG)
    text = assert_clean(cli("learn", "fork", url + "learning.json", cwd=mine), 0)
    assert "Wrote content/learning.yml: 2 tracks, 6 items, every one planned." in text
    written = (mine / "content/learning.yml").read_text("utf-8")
    assert written.startswith(f"# Learning path forked from {url}learning.json (Ada Learner's)")
    assert "# their notes: The labs were the point." in written
    forked = parse_learning(written, "content/learning.yml")
    source = parse_learning(LEARNING, "content/learning.yml")
    assert [(i.id, i.title, i.kind, i.url) for _, i in forked.items()] == \
        [(i.id, i.title, i.kind, i.url) for _, i in source.items()]
    assert {i.status for _, i in forked.items()} == {"planned"}
    assert all(not (i.started or i.finished or i.posts or i.projects or i.notes)
               for _, i in forked.items())
    assert forked.intro == "" and forked.title == "What I am learning"
    build(mine)
    page = soup_of(mine, "learning/index.html")
    assert [b["aria-valuenow"] for b in page.select("[role=progressbar]")] == ["0", "0"]
    # a second fork refuses to replace the file, then --force replaces it
    (mine / "content/learning.yml").write_text(written + "# my own edit\n")
    out = assert_clean(cli("learn", "fork", url + "learning.json", cwd=mine), 1)
    assert "already" in out and "--force" in out
    assert (mine / "content/learning.yml").read_text("utf-8").endswith("# my own edit\n")
    out = assert_clean(cli("learn", "fork", url + "learning.json", "--force", cwd=mine), 0)
    assert out.startswith("Replaced content/learning.yml")
    assert not (mine / "content/learning.yml").read_text("utf-8").endswith("# my own edit\n")


def test_learn_fork_from_a_learning_yml_file_and_a_site_folder(tmp_path):
    theirs = site(tmp_path, name="theirs")
    for n, source in enumerate([str(theirs / "content/learning.yml"), str(theirs)]):
        mine = make(tmp_path / f"mine{n}", {}, CONFIG)
        assert_clean(cli("learn", "fork", source, cwd=mine), 0)
        forked = parse_learning((mine / "content/learning.yml").read_text("utf-8"), "x")
        assert len(forked.items()) == 6 and forked.by_id()["fast-ai-part-1"].status == "planned"


def test_learn_fork_failures_are_one_clear_message(tmp_path, served):
    url, _ = served
    mine = make(tmp_path / "mine", {}, CONFIG)
    out = assert_clean(cli("learn", "fork", url + "nope.json", cwd=mine), 1)
    assert f"cannot fetch {url}nope.json: HTTP 404" in out
    out = assert_clean(cli("learn", "fork", "http://127.0.0.1:9/learning.json", cwd=mine), 1)
    assert "cannot fetch http://127.0.0.1:9/learning.json" in out
    out = assert_clean(cli("learn", "fork", str(tmp_path / "missing.yml"), cwd=mine), 1)
    assert "no such file" in out
    out = assert_clean(cli("learn", "fork", "ftp://example.com/l.json", cwd=mine), 2)
    assert "http(s) URL" in out
    bad = tmp_path / "bad.yml"
    bad.write_text(ITEM + "        status: someday\n")
    out = assert_clean(cli("learn", "fork", str(bad), cwd=mine), 1)
    assert f"{bad}:5: status: 'someday' is not a status" in out
    assert not (mine / "content/learning.yml").exists()


def test_learn_fork_times_out_with_a_message(tmp_path, monkeypatch):
    import socket

    from generator.commands import learn
    from generator.model.errors import PortfolioError

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(PortfolioError, match="no answer in 0.3 s"):
            learn.fork_learning(make(tmp_path / "m", {}, CONFIG),
                                f"http://127.0.0.1:{listener.getsockname()[1]}/learning.json",
                                timeout=0.3)
    finally:
        listener.close()
