"""`portfolio serve`: a real server in a subprocess, real HTTP, real edits on disk."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import render_in_memory
from generator.commands.livereload import ReloadHub, event_stream, inject, relevant, worth_naming
from generator.commands.serve_http import resolve

from .helpers_serve import (
    POST,
    SITE_CONFIG,
    Server,
    fetch,
    make_serve_site,
    notebook_json,
    poll,
    raw_get,
    save,
)

POST_PATH = "content/posts/2026-01-05-first-post.md"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_serve_site(tmp_path / "site")


@pytest.fixture
def server(site: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    srv = Server(site, env={"TMPDIR": str(tmp)})
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def find_post_url(server: Server) -> str:
    """The post's URL, as the blog index links it (permalink rules are not this test's topic)."""
    status, _, body = fetch(server.url + "blog/")
    assert status == 200, body
    links = [a["href"] for a in BeautifulSoup(body, "html.parser").find_all("a", href=True)
             if "first-post" in a["href"]]
    assert links, body
    return server.origin + links[0]


# ---- serving -----------------------------------------------------------------------------------

def test_serves_at_the_base_path_and_redirects_root(server: Server, site: Path) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/portfolio/"
    status, headers, body = fetch(server.url)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    soup = BeautifulSoup(body, "html.parser")
    assert soup.find("link", rel="stylesheet")["href"].startswith("/portfolio/")
    css = fetch(server.origin + soup.find("link", rel="stylesheet")["href"])
    assert css[0] == 200 and css[1]["Content-Type"].startswith("text/css")

    status, headers, _ = fetch(server.origin + "/")
    assert status == 302 and headers["Location"] == "/portfolio/"
    status, headers, _ = fetch(server.origin + "/portfolio")
    assert status == 302 and headers["Location"] == "/portfolio/"
    status, headers, _ = fetch(server.url + "about")
    assert status == 302 and headers["Location"] == "/portfolio/about/"
    assert fetch(server.origin + "/about/")[0] == 404  # not mounted at the root

    status, _, body = fetch(server.url + "no/such/page/")
    assert status == 404 and "portfolio-livereload" in body  # the theme's 404, reloading too


def test_reload_script_only_in_responses(server: Server, site: Path) -> None:
    _, _, body = fetch(server.url)
    scripts = BeautifulSoup(body, "html.parser").find_all("script",
                                                          attrs={"data-portfolio-livereload": True})
    assert len(scripts) == 1
    assert body.index("data-portfolio-livereload") < body.rindex("</body>")
    assert not (site / "_site").exists()  # serving never touches the deploy folder
    built = render_in_memory(site, drafts=True)
    assert not any(b"__portfolio__" in data for data in built.values())


def test_head_and_host_header(server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("HEAD", "/portfolio/")
    response = conn.getresponse()
    assert response.status == 200 and int(response.getheader("Content-Length")) > 0
    assert response.read() == b""
    conn.close()
    # DNS rebinding: another site's name pointing at 127.0.0.1 must not read the drafts
    status, _, _ = fetch(server.url, headers={"Host": f"evil.example:{server.port}"})
    assert status == 403


@pytest.mark.parametrize("target", [
    "/portfolio/../pyproject.toml",
    "/portfolio/%2e%2e/%2e%2e/etc/passwd",
    "/portfolio/%2E%2E%2f%2E%2E%2fetc%2fpasswd",
    "/portfolio/..%5c..%5cetc%5cpasswd",
    "/portfolio//etc/passwd",
    "/portfolio/./index.html",
    "/portfolio/%00index.html",
    "//evil.com/..%2f..",
    "//evil.com/",
    "/portfolio//evil.com/",
    "/../../etc/passwd",
])
def test_traversal_and_open_redirect_probes(server: Server, target: str) -> None:
    status, headers, body = raw_get(server.port, target)
    assert status == 404, (target, status, headers)
    assert not headers.get("Location", "").startswith("//")
    assert b"root:" not in body and b"[build-system]" not in body


def test_symlinks_out_of_the_served_folder_are_404(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "blog").mkdir(parents=True)
    (out / "index.html").write_text("home")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (out / "leak.txt").symlink_to(secret)
    (out / "dir-leak").symlink_to(tmp_path)
    (out / "ok.txt").symlink_to(out / "index.html")  # inside: fine
    assert resolve("/r/leak.txt", "/r/", out).kind == "missing"
    assert resolve("/r/dir-leak/secret.txt", "/r/", out).kind == "missing"
    assert resolve("/r/ok.txt", "/r/", out).kind == "file"
    assert resolve("/r/", "/r/", out).path == os.path.realpath(out / "index.html")
    assert resolve("/r/blog", "/r/", out).path == "/r/blog/"
    assert resolve("/r/blog?x=1#y", "/r/", out).kind == "redirect"
    assert resolve("/", "/", out).kind == "file"
    assert resolve("//", "/", out).kind == "missing"
    assert resolve("/__portfolio__/events", "/r/", out).kind == "events"


# ---- live reload -------------------------------------------------------------------------------

def test_edit_shows_new_content(server: Server, site: Path) -> None:
    url = find_post_url(server)
    assert "The original sentence." in fetch(url)[2]
    save(site / POST_PATH, POST.replace("The original sentence.", "An edited sentence."))
    poll(lambda: "An edited sentence." in fetch(url)[2], what="the edited post")
    assert "Changed: " + POST_PATH in server.output()


def test_event_stream_sends_reload_after_an_edit(server: Server, site: Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/__portfolio__/events")
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"

    def event() -> tuple[str, str]:
        fields: dict[str, str] = {}
        while True:
            line = response.readline().decode().rstrip("\n")
            if not line:
                if "event" in fields:
                    return fields["event"], fields["data"]
                continue
            if not line.startswith(":"):
                key, _, value = line.partition(": ")
                fields[key] = value

    name, first = event()
    assert name == "hello"
    save(site / POST_PATH, POST.replace("original", "reloaded"))
    name, second = event()
    assert name == "reload" and int(second) > int(first)
    conn.close()


def test_broken_edit_shows_error_page_then_recovers(server: Server, site: Path) -> None:
    url = find_post_url(server)
    broken = POST.replace("tags: [testing]", "tags: [testing")
    save(site / POST_PATH, broken)

    def error_shown() -> bool:
        status, _, body = fetch(url)
        return status == 500 and "The site did not build" in body

    poll(error_shown, what="the error page")
    status, _, body = fetch(server.url)  # every page shows it, with the reload script
    soup = BeautifulSoup(body, "html.parser")
    text = soup.find("pre", class_="portfolio-error").get_text()
    assert POST_PATH in text
    assert f"{POST_PATH}:4" in text or f"{POST_PATH}:5" in text  # the file and its line
    assert soup.find("script", attrs={"data-portfolio-livereload": True}) is not None
    assert server.proc.poll() is None  # still running

    save(site / POST_PATH, POST.replace("The original sentence.", "Fixed again."))
    poll(lambda: "Fixed again." in fetch(url)[2] and fetch(url)[0] == 200,
         what="the site to come back")


def test_error_page_escapes_the_message(server: Server, site: Path) -> None:
    save(site / "content/about.md", "---\ntitle: <script>alert(1)</script>\ndate: [\n---\nx\n")
    poll(lambda: fetch(server.url)[0] == 500, what="the error page")
    body = fetch(server.url)[2]
    assert "<script>alert(1)" not in body


def test_config_edit_rebuilds(server: Server, site: Path) -> None:
    config = site / "portfolio.yml"
    save(config, config.read_text().replace("Serve Test", "Renamed Site"))
    poll(lambda: "Renamed Site" in fetch(server.url)[2], what="the new site title")


def test_new_theme_folder_is_watched_and_template_errors_show(server: Server,
                                                              site: Path) -> None:
    """`themes/` does not exist at start: creating it is noticed, and a template error shows."""
    from generator.site.themes import default_theme_dir

    base = (default_theme_dir() / "templates/base.html").read_text()
    override = site / "themes/default/templates/base.html"
    override.parent.mkdir(parents=True)
    save(override, base.replace("</main>", "<p>THEME-OVERRIDE</p></main>"))
    poll(lambda: "THEME-OVERRIDE" in fetch(server.url)[2], what="the site theme")

    save(override, base.replace("</main>", "{% if %}</main>"))
    poll(lambda: fetch(server.url)[0] == 500, what="the template error page")
    text = BeautifulSoup(fetch(server.url)[2], "html.parser").find("pre").get_text()
    assert re.search(r"themes/default/templates/base\.html:\d+", text), text

    save(override, base.replace("</main>", "<p>THEME-FIXED</p></main>"))
    poll(lambda: "THEME-FIXED" in fetch(server.url)[2], what="the fixed theme")


def test_build_while_serving_is_independent(server: Server, site: Path) -> None:
    """`portfolio build` next to a running server: its own output, the lock, no mixing."""
    import subprocess
    import sys

    save(site / POST_PATH, POST.replace("original", "concurrent"))
    done = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=site,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    built = (site / "_site").rglob("index.html")
    assert not any("__portfolio__" in p.read_text() for p in built)
    poll(lambda: "concurrent" in fetch(find_post_url(server))[2], what="the served edit")


def test_editor_temp_files_do_not_rebuild(site: Path) -> None:
    assert relevant(site, str(site / "content/posts/x.md"))
    assert relevant(site, str(site / "portfolio.yml"))
    assert relevant(site, str(site / "themes/mine/templates/base.html"))
    for name in ("content/.x.md.swp", "content/x.md~", "content/#x.md#", "content/.#x.md",
                 "projects/.~nb.ipynb", "projects/.ipynb_checkpoints/nb-checkpoint.ipynb",
                 "content/4913", "_site/index.html", ".portfolio/cache/x", "README.md",
                 ".git/index"):
        assert not relevant(site, str(site / name)), name


def test_notebook_save_shows_new_outputs(tmp_path: Path) -> None:
    site = make_serve_site(tmp_path / "nbsite", notebook=True)
    with Server(site) as srv:
        srv.wait_ready()
        url = srv.url + "projects/tiny/"
        assert "OUTPUT-ONE" in fetch(url)[2]
        # JupyterLab saves atomically: a hidden temp file, then a rename over the notebook
        temp = site / "projects/.~tiny.ipynb"
        temp.write_text(notebook_json("OUTPUT-TWO\n"))
        os.replace(temp, site / "projects/tiny.ipynb")
        poll(lambda: "OUTPUT-TWO" in fetch(url)[2], what="the new notebook output")


# ---- drafts, host, port, stopping ---------------------------------------------------------------

def test_drafts_shown_by_default_hidden_with_no_drafts(tmp_path: Path) -> None:
    site = make_serve_site(tmp_path / "d")
    (site / "content/posts/2026-01-07-wip.md").write_text(
        "---\ntitle: Work in progress\ndraft: true\n---\n\nNot yet.\n")
    with Server(site) as srv:
        srv.wait_ready()
        body = fetch(srv.url + "blog/")[2]
        assert "Work in progress" in body
    with Server(site, "--no-drafts") as srv:
        srv.wait_ready()
        assert "Work in progress" not in fetch(srv.url + "blog/")[2]


def test_host_all_interfaces_warns(site: Path) -> None:
    with Server(site, "--host", "0.0.0.0") as srv:
        srv.wait_ready()
        assert srv.url.startswith("http://127.0.0.1:")
        poll(lambda: "other computers on your network" in "".join(srv.err), what="warning")
        assert fetch(srv.url)[0] == 200


def test_port_in_use_is_a_clear_message(site: Path) -> None:
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "generator", "serve", "--port", str(port)],
                              cwd=site, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"port {port} is already in use" in done.stderr
    assert f"--port {port + 1}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (site / "_site").exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly(site: Path, tmp_path: Path, sig: int) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    srv = Server(site, env={"TMPDIR": str(tmp)})
    try:
        srv.wait_ready()
        assert any(p.name.startswith("portfolio-serve-") for p in tmp.iterdir())
        assert srv.stop(sig) == 0
    finally:
        srv.stop(signal.SIGKILL)
    assert "Stopped." in srv.output()
    assert "Traceback" not in srv.output()
    assert list(tmp.iterdir()) == []  # the private build folder is gone


def test_outside_a_site_is_a_clean_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "generator", "serve", "--port", "0"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "portfolio init" in done.stderr
    assert "Traceback" not in done.stderr


# ---- pieces ------------------------------------------------------------------------------------

def test_inject_places_the_script_before_the_last_body_end() -> None:
    page = b"<html><body><p>x</p><pre>&lt;/body&gt;</pre></BODY ></html>"
    out = inject(page, 7)
    assert out.index(b"data-portfolio-livereload") < out.index(b"</BODY >")
    assert b'"7"' in out
    assert inject(b"<p>fragment</p>", 1).startswith(b"<p>fragment</p><script")


def test_event_stream_wakes_on_bump_and_ends_on_close() -> None:
    hub = ReloadHub()
    chunks: list[bytes] = []
    thread = threading.Thread(target=event_stream, args=(hub, chunks.append),
                              kwargs={"keepalive": 0.05})
    thread.start()
    poll(lambda: bool(chunks), timeout=5, what="hello")
    hub.bump()
    poll(lambda: any(b"event: reload\ndata: 1" in c for c in chunks), timeout=5, what="reload")
    hub.close()
    thread.join(5)
    assert not thread.is_alive()
    assert chunks[0].startswith(b"retry: 1000\nevent: hello\ndata: 0")


def test_the_log_names_saved_files_not_an_editors_temporary_ones(tmp_path: Path) -> None:
    """`sed -i` saves through `sedAb12Cd` beside the file: it came and went, so it is not
    named; a deleted post still is."""
    (tmp_path / "content/posts").mkdir(parents=True)
    (tmp_path / "content/posts/x.md").write_text("# X\n")
    changed = ["content/posts/sedAb12Cd", "content/posts/x.md", "content/posts/gone.md"]
    assert worth_naming(tmp_path, changed) == ["content/posts/x.md", "content/posts/gone.md"]
    assert worth_naming(tmp_path, ["content/posts/sedAb12Cd"]) == []


def test_a_burst_of_notebook_misses_right_after_start_does_not_hang(tmp_path: Path) -> None:
    """A change that invalidates many notebooks (here the `notebooks:` options) saved the
    moment the server is up: serve used to import nbconvert in a second thread then, and a
    build forking its worker pool during that import left the workers waiting for ever."""
    root = tmp_path / "site"
    (root / "projects").mkdir(parents=True)
    config = SITE_CONFIG + "notebooks:\n  output_max_lines: 400\n"
    (root / "portfolio.yml").write_text(config)
    for index in range(6):
        (root / f"projects/nb-{index}.ipynb").write_text(notebook_json(f"OUT-{index}\n"))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with Server(root, env={"TMPDIR": str(tmp)}) as srv:
        srv.wait_ready()
        save(root / "portfolio.yml", config.replace("output_max_lines: 400",
                                                    "output_max_lines: 300"))
        (root / "projects/nb-5.ipynb").write_text(notebook_json("OUT-EDITED\n"))
        poll(lambda: "OUT-EDITED" in fetch(srv.url + "projects/nb-5/")[2], timeout=60,
             what="the rebuild after the burst")
        assert "Build failed" not in srv.output() and "Traceback" not in srv.output()
