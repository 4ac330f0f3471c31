"""Learning with others: `peers:` in portfolio.yml, `portfolio peers pull` (each peer's
learning.json into content/peers/, over a local HTTP server: no network), and the peers on
the /learning/ page. Off unless configured; a peer that cannot be reached keeps its copy."""

from __future__ import annotations

import functools
import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build
from generator.model.config import load_config
from generator.model.errors import BuildFailed, ConfigError

from .conftest import chromium_browser, serve_site
from .helpers_reliability import assert_clean, cli, make

CONFIG = """\
title: Learning in public
url: https://learner.github.io/ml/
author:
  name: Ada Learner
"""

MINE = """\
title: What I am learning
tracks:
  - name: Foundations
    items:
      - title: Machine Learning Specialization
        id: ml-spec
        status: done
        started: 2026-01
        finished: 2026-03-02
      - title: Mathematics for Machine Learning
        status: in progress
        started: 2026-03-15
  - name: Deep learning
    items:
      - title: Practical Deep Learning for Coders
        link: https://course.fast.ai/
        status: in progress
  - name: Statistics
    items:
      - title: Think Stats
        status: planned
"""

THEIRS = """\
title: Grace's path
tracks:
  - name: Foundations              # the same name as mine
    items:
      - title: Machine Learning Specialization
        id: ml-spec
        status: done
      - title: Linear Algebra Done Right
        status: done
      - title: Mathematics for Machine Learning    # the same id: the slug of the title
        status: in progress
      - title: Probability
      - title: A course given up
        status: dropped
  - name: Neural networks          # another name, but a link in common with my Deep learning
    items:
      - title: fast.ai part 1
        link: http://www.course.fast.ai
        status: done
      - title: CS231n
        status: planned
  - name: Reinforcement learning
    items:
      - title: Sutton and Barto
        status: in progress
"""


def peers_config(*entries: str) -> str:
    return CONFIG + "peers:\n" + "".join(f"  - {entry}\n" for entry in entries)


def soup_of(root: Path, rel: str = "learning/index.html") -> BeautifulSoup:
    return BeautifulSoup((root / "_site" / rel).read_text("utf-8"), "html.parser")


def text_of(node) -> str:  # type: ignore[no-untyped-def]
    return " ".join(node.get_text(" ").split())


@pytest.fixture(autouse=True)
def build_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1777593600")  # 2026-05-01 00:00 UTC


class Peer:
    """A peer's site served from a folder over HTTP on 127.0.0.1; `stop()` takes it down."""

    def __init__(self, folder: Path) -> None:
        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.folder = folder
        handler = functools.partial(Quiet, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/grace/"
        (folder / "grace").mkdir(parents=True, exist_ok=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.running = True

    def publish(self, body: str | bytes) -> None:
        target = self.folder / "grace/learning.json"
        target.write_bytes(body.encode() if isinstance(body, str) else body)

    def stop(self) -> None:
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.running = False


@pytest.fixture
def peer(tmp_path: Path) -> Iterator[Peer]:
    """Grace's site, publishing the learning.json her own portfolio build made."""
    theirs = make(tmp_path / "grace-site", {"content/learning.yml": THEIRS},
                  CONFIG.replace("Ada Learner", "Grace Hopper"))
    build(theirs)
    served = Peer(tmp_path / "served")
    served.publish((theirs / "_site/learning.json").read_bytes())
    try:
        yield served
    finally:
        served.stop()


def mine(tmp_path: Path, config: str, files: dict[str, str | bytes] | None = None) -> Path:
    return make(tmp_path / "mine", {"content/learning.yml": MINE, **(files or {})}, config)


def test_pull_then_build_shows_the_peer_on_matching_tracks_with_progress(tmp_path, peer):
    root = mine(tmp_path, peers_config(f"{{name: Grace, url: {peer.url}}}"))
    out = assert_clean(cli("peers", "pull", cwd=root), 0)
    assert "grace: 3 tracks, 8 items (updated)" in out
    copy = json.loads((root / "content/peers/grace.json").read_text("utf-8"))
    assert copy["format"] == "portfolio-learning" and re.match(r"\d{4}-\d\d-\d\d$",
                                                               copy["fetched"])
    assert copy["author"]["name"] == "Grace Hopper"
    before = (root / "content/peers/grace.json").read_bytes()
    assert "grace: 3 tracks, 8 items (unchanged)" in assert_clean(cli("peers", "pull",
                                                                      cwd=root), 0)
    assert (root / "content/peers/grace.json").read_bytes() == before  # nothing to commit

    report = build(root)
    assert not [d for d in report.diagnostics if "peer" in str(d)], report.diagnostics
    page = soup_of(root)
    foundations = page.find(id="track-1").find_parent("section")
    peers = foundations.select(".track-peers li")
    assert len(peers) == 1
    assert text_of(peers[0]) == "Grace 2 of 4 done Now: Mathematics for Machine Learning"
    assert peers[0].a["href"] == peer.url + "learning/#track-1"  # her track, on her page
    deep = page.find(id="track-2").find_parent("section").select(".track-peers li")
    assert [text_of(li) for li in deep] == ["Grace 1 of 2 done in “Neural networks”"]
    assert deep[0].a["href"] == peer.url + "learning/#track-2"
    statistics = page.find(id="track-3").find_parent("section")
    assert statistics.select(".track-peers") == []  # no peer on it: nothing at all
    # an item a peer did, or is on, says so in words
    assert text_of(page.find(id="item-ml-spec").select_one(".item-peers")) == "Grace did this"
    assert text_of(page.find(id="item-mathematics-for-machine-learning")
                   .select_one(".item-peers")) == "Grace is on it now"
    assert text_of(page.find(id="item-practical-deep-learning-for-coders")
                   .select_one(".item-peers")) == "Grace did this"
    assert page.find(id="item-think-stats").select_one(".item-peers") is None
    # "Learning with": every peer, linked to their site and their learning page
    section = page.find(id="peers-title").find_parent("section")
    card = section.select_one(".peer-card")
    assert card.select_one(".peer-name")["href"] == peer.url
    assert "3 of 7 done in 3 tracks" in text_of(card)
    assert "Also on Foundations and Deep learning" in text_of(card)
    assert [a["href"] for a in card.select(".peer-shared a")] == ["#track-1", "#track-2"]
    assert card.select_one(".peer-links a")["href"] == peer.url + "learning/"
    # a peer's copy is data: neither a page nor a published file; my learning.json is mine
    assert not (root / "_site/peers").exists()
    published = json.loads((root / "_site/learning.json").read_text("utf-8"))
    assert [t["name"] for t in published["tracks"]] == ["Foundations", "Deep learning",
                                                        "Statistics"]


def test_no_peers_configured_changes_nothing_and_pull_says_so(tmp_path):
    root = mine(tmp_path, CONFIG)
    build(root)
    page = soup_of(root)
    assert page.select(".track-peers, .item-peers, .learning-peers") == []
    out = assert_clean(cli("peers", "pull", cwd=root), 1)
    assert "portfolio.yml lists no peers" in out and "peers:" in out
    assert not (root / "content/peers").exists()


def test_peers_without_a_learning_path_are_a_warning(tmp_path):
    root = make(tmp_path / "s", {"content/about.md": "---\ntitle: About\n---\nHi.\n"},
                peers_config("https://grace.example.org/"))
    report = build(root)
    assert "portfolio.yml: peers: are shown on the learning page, and the site has no " \
        "content/learning.yml" in [str(d) for d in report.diagnostics]
    assert not (root / "_site/learning").exists()


def test_an_unreachable_peer_keeps_its_copy_and_the_build_still_shows_it(tmp_path, peer):
    root = mine(tmp_path, peers_config(f"{{name: Grace, url: {peer.url}}}"))
    assert_clean(cli("peers", "pull", cwd=root), 0)
    before = (root / "content/peers/grace.json").read_bytes()
    day = json.loads(before)["fetched"]
    peer.stop()
    out = assert_clean(cli("peers", "pull", "--timeout", "2", cwd=root), 0)
    assert f"grace: could not reach {peer.url}learning.json: " in out
    assert out.rstrip().endswith(f"; kept the copy from {day}")
    assert (root / "content/peers/grace.json").read_bytes() == before
    build(root)
    assert "2 of 4 done" in text_of(soup_of(root).select_one(".track-peers"))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_peer_with_no_copy_fails_pull_and_is_a_warning_in_the_build(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/"
    root = mine(tmp_path, peers_config(f"{{name: Grace, url: {url}}}"))
    out = assert_clean(cli("peers", "pull", cwd=root), 1)
    assert f"grace: could not reach {url}learning.json: " in out
    assert out.rstrip().endswith("; no copy yet")
    report = build(root)  # still builds
    notes = [str(d) for d in report.diagnostics if "peer" in d.message]
    assert notes == [f"portfolio.yml: peer 'Grace' ({url}) has no copy in content/peers/ yet: "
                     "run portfolio peers pull"]
    assert soup_of(root).select(".track-peers, .learning-peers") == []
    text = assert_clean(cli("build", "--strict", cwd=root), 1)  # a warning, so --strict fails
    assert "run portfolio peers pull" in text


BIG = '{"format": "portfolio-learning", "tracks": [], "pad": "' + "x" * (2 * 1024 * 1024) + '"}'


@pytest.mark.parametrize("body, problem", [
    ('{"format": "someone-else", "version": 1, "tracks": []}',
     "format: 'someone-else' is not a learning path"),
    ('{"format": "portfolio-learning", "version": 2, "tracks": []}',
     "version: 2 is newer than this portfolio reads"),
    ("{not json", "not valid JSON"),
    ("<!doctype html><title>Not found</title>", "not valid JSON"),
    ('{"tracks": []}', "not a learning.json"),
    ('{"format": "portfolio-learning", "version": 1, "tracks": [\n {"name": "T", "items": [\n'
     '  {"title": "A", "status": "finished"}]}]}', "status: 'finished' is not a status"),
    (BIG, "larger than 2 MB"),
    (b'{"format": "portfolio-learning", "title": "\xff"}', "not UTF-8 text"),
], ids=["format", "version", "not-json", "html", "no-format", "bad-item", "too-big", "bytes"])
def test_a_bad_learning_json_is_refused_and_the_old_copy_kept(tmp_path, peer, body, problem):
    root = mine(tmp_path, peers_config(f"{{name: Grace, url: {peer.url}}}"))
    assert_clean(cli("peers", "pull", cwd=root), 0)
    before = (root / "content/peers/grace.json").read_bytes()
    peer.publish(body)
    out = assert_clean(cli("peers", "pull", cwd=root), 0)
    assert f"grace: refused {peer.url}learning.json: " in out and problem in out, out
    assert "kept the copy from" in out
    assert (root / "content/peers/grace.json").read_bytes() == before


def test_a_bad_first_download_leaves_no_file_and_exits_1(tmp_path, peer):
    peer.publish("{not json")
    root = mine(tmp_path, peers_config(f"{{name: Grace, url: {peer.url}}}"))
    out = assert_clean(cli("peers", "pull", cwd=root), 1)
    assert "not valid JSON" in out and out.rstrip().endswith("; no copy yet")
    assert not (root / "content/peers/grace.json").exists()
    out = assert_clean(cli("peers", "pull", "--timeout", "0", cwd=root), 2)  # a usage error
    assert "--timeout" in out


def test_a_pulled_update_rebuilds_the_learning_page(tmp_path, peer):
    root = mine(tmp_path, peers_config(f"{{name: Grace, url: {peer.url}}}"))
    assert_clean(cli("peers", "pull", cwd=root), 0)
    build(root)
    assert build(root).up_to_date
    data = json.loads((peer.folder / "grace/learning.json").read_text("utf-8"))
    data["tracks"][0]["items"][3]["status"] = "done"  # Probability
    peer.publish(json.dumps(data))
    assert "(updated)" in assert_clean(cli("peers", "pull", cwd=root), 0)
    assert not build(root).up_to_date
    assert "3 of 4 done" in text_of(soup_of(root).select_one(".track-peers"))
    # a copy left from a peer no longer listed: pull says so (and leaves it to the learner)
    (root / "content/peers/old-friend.json").write_bytes(
        (root / "content/peers/grace.json").read_bytes())
    out = assert_clean(cli("peers", "pull", cwd=root), 0)
    assert "note: content/peers/old-friend.json is not a peer in portfolio.yml any more" in out
    assert (root / "content/peers/old-friend.json").is_file()


def test_copies_that_are_not_configured_or_are_broken_are_warnings(tmp_path):
    broken = '{"format": "portfolio-learning", "tracks": [\n  {"items": []}]}\n'
    good = json.dumps({"format": "portfolio-learning", "version": 1, "fetched": "2026-04-02",
                       "author": {"name": "Linus"},
                       "tracks": [{"name": "Statistics", "items": [
                           {"title": "Think Stats", "status": "done"}]}]})
    root = mine(tmp_path, peers_config("{name: Grace, url: https://grace.example.org/}",
                                       "https://linus.example.org/ml/"),
                {"content/peers/grace.json": broken, "content/peers/linus-example-org.json": good,
                 "content/peers/old-friend.json": good})
    report = build(root)
    notes = sorted(str(d) for d in report.diagnostics if "content/peers" in str(d))
    assert notes == [
        "content/peers/grace.json:2: a track needs a 'name:'; peer 'Grace' is left out (run "
        "portfolio peers pull to fetch it again)",
        "content/peers/old-friend.json: not a peer in portfolio.yml (peers:): ignored; delete "
        "the file, or add the peer back"]
    page = soup_of(root)
    # with no name in portfolio.yml, a peer is called what their learning.json says
    assert [text_of(li) for li in page.select(".track-peers li")] == ["Linus 1 of 1 done"]
    assert page.select_one(".peer-card .peer-name")["href"] == "https://linus.example.org/ml/"
    assert "As of Apr 2, 2026" in text_of(page.select_one(".peer-card"))
    assert text_of(page.find(id="item-think-stats").select_one(".item-peers")) == \
        "Linus did this"


@pytest.mark.parametrize("entry, expected", [
    ("{name: Grace}", "portfolio.yml:6: peer 1 (Grace) has no 'url:'"),
    ("{name: Grace, url: ftp://grace.example.org/}",
     "portfolio.yml:6: the url of peer 1 (Grace) must start with https://"),
    ("grace.example.org", "portfolio.yml:6: the url of peer 1 must start with https://"),
    ("{name: Grace, url: https://g.example.org/, site: x}",
     "portfolio.yml:6: unknown key 'peers.0.site'"),
])
def test_a_bad_peer_in_portfolio_yml_names_the_file_and_line(tmp_path, entry, expected):
    root = mine(tmp_path, peers_config(entry))
    with pytest.raises((ConfigError, BuildFailed)) as failed:
        load_config(root)
    errors = failed.value.errors if isinstance(failed.value, BuildFailed) else [failed.value]
    assert any(str(e).startswith(expected) for e in errors), [str(e) for e in errors]
    assert expected in assert_clean(cli("build", cwd=root), 1)
    assert expected in assert_clean(cli("peers", "pull", cwd=root), 1)


def test_peer_urls_are_site_addresses_and_two_peers_cannot_share_a_file(tmp_path):
    root = mine(tmp_path, peers_config("https://grace.example.org/ml/learning.json",
                                       "{name: Ada, url: 'https://ada.example.org'}"))
    peers = load_config(root).peers
    assert [(p.slug, p.url) for p in peers] == [("grace-example-org",
                                                 "https://grace.example.org/ml/"),
                                                ("ada", "https://ada.example.org/")]
    root = mine(tmp_path / "two", peers_config("{name: Ada, url: https://a.example.org/}",
                                               "{name: ada, url: https://b.example.org/}"))
    with pytest.raises(ConfigError, match="peer 2 .* has the same file .*ada.json.* as peer 1"):
        load_config(root)


@pytest.mark.browser
def test_the_learning_page_with_peers_fits_a_phone_in_dark_mode(tmp_path):
    long_name = "Grace Brewster Murray Hopper, Rear Admiral"
    copy = json.dumps({"format": "portfolio-learning", "version": 1, "fetched": "2026-04-02",
                       "tracks": [{"name": "Foundations", "items": [
                           {"id": "ml-spec", "title": "ML", "status": "done"},
                           {"title": "A very long title without spaces: " + "x" * 80,
                            "status": "in-progress"}]}]})
    root = mine(tmp_path, peers_config(f"{{name: '{long_name}', url: "
                                       "https://grace-hopper.example.org/a/long/path/to/"
                                       "her/machine-learning/portfolio/}"),
                {"content/peers/grace-brewster-murray-hopper-rear-admiral.json": copy})
    build(root)
    assert soup_of(root).select(".track-peers li")
    with serve_site(root / "_site", "/ml/") as url, chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      color_scheme="dark")
        page = context.new_page()
        assert page.goto(url + "learning/").status == 200
        widths = page.evaluate("[document.documentElement.scrollWidth,"
                               " document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"the learning page scrolls sideways at 390 px: {widths}"
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        context.close()
