"""RELIABILITY.md "Security" S1-S9: hostile input, secrets and private work."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import build

from .helpers_reliability import (
    CONFIG,
    GOOD_POST,
    assert_clean,
    cli,
    code_cell,
    digest,
    make,
    md_cell,
    nb,
)

_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data:text/html|data:image/svg)", re.I)
_URL_ATTRS = ("href", "src", "action", "formaction", "srcset", "poster", "xlink:href")


def _pages(out: Path) -> dict[str, BeautifulSoup]:
    return {p.relative_to(out).as_posix(): BeautifulSoup(p.read_text(), "html.parser")
            for p in out.rglob("*.html")}


def _scripty(soup: BeautifulSoup) -> list[str]:
    """Script-capable constructs: script/iframe/object/embed elements and on* handlers."""
    found = []
    for tag in soup.find_all(True):
        if tag.name in ("script", "iframe", "object", "embed", "style", "base", "form"):
            if tag.name == "script" and (tag.get("src", "").startswith(("https://cdn.", "/repo/"))
                                         or tag.get("type") == "application/ld+json"):
                continue  # the theme's own scripts
            found.append(str(tag)[:80])
        found += [f"{tag.name}[{a}]" for a in tag.attrs if a.lower().startswith("on")]
    return found


def _bad_urls(soup: BeautifulSoup) -> list[str]:
    found = []
    for tag in soup.find_all(True):
        for attr in _URL_ATTRS:
            value = tag.get(attr)
            if value and _BAD_SCHEME.match(re.sub(r"[\x00-\x20]", "", str(value))):
                found.append(f"{tag.name}[{attr}]={value!r}")
    return found


@pytest.mark.parametrize("slug", ["../../../tmp/pwn", "..\\..\\x", "/etc/x", "%2e%2e/x",
                                  "x/../../y", "a\0b", "C:x", "../public-evil/x"])
def test_S1_slugs_cannot_escape(tmp_path: Path, slug: str) -> None:
    quoted = slug.replace("\\", "\\\\").replace("\0", "\\0")
    root = make(tmp_path / "s", {"content/posts/x.md": f'---\ntitle: X\ndate: 2024-01-01\n'
                                 f'slug: "{quoted}"\npermalink: "{quoted}"\nurl: "{quoted}"\n'
                                 f'---\nbody\n'}, CONFIG)
    result = cli("build", "--out", str(tmp_path / "public"), cwd=root)
    if result.exit_code == 1:  # rejected with a clean error ...
        text = assert_clean(result, 1)
        assert "content/posts/x.md" in text and "slug" in text
        assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # nothing written anywhere
    else:  # ... or re-rooted inside the output, like Jekyll ("/etc/x" -> blog/etc/x/)
        assert_clean(result, 0)
        base = os.path.realpath(tmp_path / "public") + os.sep
        assert all(os.path.realpath(p).startswith(base) for p in (tmp_path / "public").rglob("*"))
        assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "s"]


def test_S1_every_written_file_is_inside_the_output(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": '---\ntitle: X\ndate: 2024-01-01\n'
                                 'permalink: "../../evil/x"\nurl: "/etc/x"\n---\nbody\n'}, CONFIG)
    out = tmp_path / "out"
    build(root, out_dir=out)
    base = os.path.realpath(out) + os.sep
    for path in out.rglob("*"):
        assert os.path.realpath(path).startswith(base), path
    assert [p.name for p in tmp_path.iterdir() if p.name not in ("s", "out")] == []


_HOSTILE_MD = """\
<script>alert(1)</script>

<img src=x onerror="alert(2)">

<a href="javascript:alert(3)">a</a> <iframe src="https://evil.example"></iframe>

<style>body{display:none}</style>

[x](javascript:alert(4)) [y](JAVASCRIPT:alert(5)) [z](&#106;avascript:alert(6))
[w]( javascript:alert(7)) [v](vbscript:msgbox) [u](data:text/html;base64,PHNjcmlwdD4=)
![i](data:image/svg+xml;base64,PHN2Zz4=)
"""


def test_S2_raw_html_is_escaped_under_safe(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"content/posts/x.md": "---\ntitle: X\ndate: 2024-01-01\n---\n"
                                 + _HOSTILE_MD}, config=CONFIG + "safe: true\n")
    out = root / "_site"
    build(root, out_dir=out)
    soup = BeautifulSoup((out / "blog/x/index.html").read_text(), "html.parser")
    article = soup.find("main") or soup
    assert _scripty(article) == []
    assert "&lt;script&gt;alert(1)" in (out / "blog/x/index.html").read_text()


def test_S2_per_document_safe(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/x.md": "---\ntitle: X\ndate: 2024-01-01\nsafe: true\n---\n" + _HOSTILE_MD,
        "content/posts/mine.md": "---\ntitle: M\ndate: 2024-01-01\n---\n"
        "<div class=kept>ok</div>\n"}, CONFIG)
    build(root, out_dir=root / "_site")
    pages = _pages(root / "_site")
    assert _scripty(pages["blog/x/index.html"].find("main")) == []
    assert pages["blog/mine/index.html"].find("div", class_="kept") is not None  # trusted: raw


def test_S3_dangerous_schemes_never_reach_href_or_src(tmp_path: Path) -> None:
    front = ('---\ntitle: X\ndate: 2024-01-01\ndemo: "javascript:alert(1)"\n'
             'image: "javascript:alert(2)"\nrepo: " JaVaScRiPt:alert(3)"\n'
             'external_url: "vbscript:x"\n---\n')
    nb_front = {"portfolio": {"title": "N", "demo": "data:text/html,<script>x</script>",
                              "image": "&#106;avascript:alert(1)"}}
    root = make(tmp_path / "s", {
        "content/posts/x.md": front + _HOSTILE_MD,
        "projects/p.md": front.replace("date: 2024-01-01\n", "") + "# P\n",
        "projects/n.ipynb": nb([md_cell("[a](javascript:alert(9)) " + _HOSTILE_MD)],
                               metadata=nb_front)},
        config=CONFIG)  # a javascript: author link is portfolio.yml's error now (parsing tests)
    for safe in ("", "safe: true\n"):
        (root / "portfolio.yml").write_text((root / "portfolio.yml").read_text() + safe)
        build(root, out_dir=root / "_site")
        for name, soup in _pages(root / "_site").items():
            assert _bad_urls(soup) == [], name
        feed = (root / "_site/feed.xml").read_text()
        assert "javascript:alert(1)" not in re.sub(r"&lt;.*?&gt;", "", feed).split("<content")[0]


def test_S4_hostile_front_matter_is_escaped_everywhere(tmp_path: Path) -> None:
    front = ('---\ntitle: "<script>alert(1)</script>"\ndate: 2024-01-01\n'
             'summary: "\\" onmouseover=\\"alert(2)"\ndescription: "\\" onfocus=\\"x"\n'
             'tags: ["</a><script>alert(3)</script>", "ok"]\n---\nbody\n')
    root = make(tmp_path / "s", {"content/posts/x.md": front, "projects/p.md": front},
                config=CONFIG.replace("Test Site", "<b>Site</b>\\\" onload=\\\"x"))
    out = root / "_site"
    build(root, out_dir=out)
    for name, soup in _pages(out).items():
        assert _scripty(soup) == [], name
        for tag in soup.find_all(True):
            assert not any(a.lower().startswith("on") for a in tag.attrs), (name, tag)
    from xml.etree import ElementTree
    for feed in ("feed.xml", "sitemap.xml"):
        ElementTree.fromstring((out / feed).read_bytes())  # well-formed: every value escaped
    assert "<script>alert(1)</script>" not in (out / "feed.xml").read_text()
    home = (out / "blog/x/index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home


def test_S5_content_is_never_a_template_and_yaml_tags_are_refused(tmp_path: Path) -> None:
    ssti = "{{ cycler.__init__.__globals__.os.popen('id').read() }} {% include '/etc/passwd' %}"
    root = make(tmp_path / "s", {
        "content/posts/x.md": f"---\ntitle: X\ndate: 2024-01-01\n---\n{ssti}\n",
        "projects/n.ipynb": nb([md_cell(f"# N\n\n{ssti}"), code_cell(ssti)])}, CONFIG)
    out = root / "_site"
    build(root, out_dir=out)
    for page in ("blog/x/index.html", "projects/n/index.html"):
        text = BeautifulSoup((out / page).read_text(), "html.parser").get_text()
        assert ".os.popen('id').read() }}" in text and "{% include '/etc/passwd' %}" in text
        assert "root:" not in text and "uid=" not in text
    (root / "content/posts/y.md").write_text(
        "---\ntitle: !!python/object/apply:os.system ['touch pwned']\ndate: 2024-01-01\n---\n")
    text = assert_clean(cli("build", cwd=root), 1)
    assert "content/posts/y.md:2:" in text and "!!python" in text
    assert not (root / "pwned").exists()


_HOSTILE_OUTPUTS = [
    {"output_type": "display_data", "metadata": {},
     "data": {"text/html": "<script>alert(1)</script><b onmouseover='x()'>t</b>"
              "<img src=x onerror='y()'><a href='javascript:z()'>l</a>",
              "text/plain": "t"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"application/javascript": "alert(2)", "text/plain": "js"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(3)"
              "</script></svg>", "text/plain": "svg"}},
    {"output_type": "execute_result", "execution_count": 1, "metadata": {},
     "data": {"text/html": "<iframe src='https://evil.example'></iframe>"
              "<table><tr><td>kept</td></tr></table>", "text/plain": "t"}},
]


def test_S6_untrusted_notebook_outputs_are_sanitised(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {"projects/n.ipynb": nb(
        [md_cell("# N\n\n<script>alert(0)</script>"), code_cell("show()", _HOSTILE_OUTPUTS)],
        metadata={"portfolio": {"safe": True}})}, CONFIG)
    out = root / "_site"
    build(root, out_dir=out)
    soup = BeautifulSoup((out / "projects/n/index.html").read_text(), "html.parser")
    assert _scripty(soup.find("main")) == []
    assert _bad_urls(soup) == []
    assert soup.find("td", string="kept") is not None  # tables survive sanitising
    for svg in (out / "projects/n").glob("*.svg"):
        assert b"<script" not in svg.read_bytes()


def test_S7_symlinks_out_of_the_site_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY----- secret")
    root = make(tmp_path / "s", {"content/posts/x.md": GOOD_POST,
                                 "themes/t/templates/.keep": ""},
                config=CONFIG + "theme: t\n")
    (root / "content/key.png").symlink_to(secret)
    (root / "content/posts/root").symlink_to("/")
    (root / "projects").mkdir()
    (root / "projects/outside.ipynb").symlink_to(secret)
    (root / "themes/t/static").mkdir()
    (root / "themes/t/static/key.css").symlink_to(secret)
    result = cli("build", cwd=root)
    text = assert_clean(result, 1)  # the theme link is refused; the content links skipped
    assert "key.css" in text and "outside the site" in text
    (root / "themes/t/static/key.css").unlink()
    text = assert_clean(cli("build", cwd=root), 0)
    assert "symlink points outside the site; skipped" in text
    for path in (root / "_site").rglob("*"):
        assert not path.is_symlink()
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path


def test_S8_secrets_drafts_and_future_posts_are_never_published(tmp_path: Path) -> None:
    root = make(tmp_path / "s", {
        "content/posts/x.md": GOOD_POST,
        "content/.env": "TOKEN=s3cret", "content/posts/.env": "TOKEN=s3cret",
        "content/.DS_Store": "junk", "content/posts/x.md~": "backup s3cret",
        "content/.ipynb_checkpoints/x-checkpoint.md": "# s3cret\n",
        "content/__pycache__/x.md": "# s3cret\n", "content/drafts/wip.md": "# s3cret\n",
        "content/_drafts/wip.md": "# s3cret\n", "content/.git/config": "s3cret",
        "content/posts/draft.md": "---\ntitle: s3cret draft\ndate: 2024-01-01\ndraft: true\n---\n",
        "content/posts/future.md": "---\ntitle: s3cret future\ndate: 2999-01-01\n---\n",
        "projects/.ipynb_checkpoints/n-checkpoint.ipynb": nb([md_cell("# s3cret")])}, CONFIG)
    out = root / "_site"
    build(root, out_dir=out)
    names = set(digest(out))
    assert not any(n.startswith(".") and n not in (".nojekyll", ".portfolio-build")
                   for n in names), names
    for name in names:
        assert b"s3cret" not in (out / name).read_bytes(), name
    # published, then marked draft: it disappears from the next build
    (root / "content/posts/x.md").write_text(GOOD_POST.replace("tags", "draft: true\ntags"))
    build(root, out_dir=out)
    assert not (out / "blog/x").exists()
    assert "Good post" not in (out / "feed.xml").read_text()
    assert "blog/x/" not in (out / "sitemap.xml").read_text()


def test_S9_serve_is_local_and_traversal_safe(tmp_path: Path) -> None:
    import http.client
    import inspect
    import threading

    serve = pytest.importorskip("generator.commands.serve")
    assert inspect.signature(serve.serve).parameters["host"].default == "127.0.0.1"
    root = make(tmp_path / "s", {"content/posts/x.md": GOOD_POST}, CONFIG)
    out = tmp_path / "out"
    build(root, out_dir=out)
    before = digest(out)
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    (out / "blog/leak.txt").symlink_to(tmp_path / "secret.txt")
    state = serve.SiteState(root=root, drafts=False, base_path="/repo/", out_dir=out)
    server = serve.bind("127.0.0.1", 0, state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        paths = ["/../secret.txt", "/%2e%2e/%2e%2e/secret.txt", "/repo/../../secret.txt",
                 "/repo/%2e%2e/%2e%2e/secret.txt", "//evil.com/..%2f..%2fsecret.txt",
                 "/repo/blog/leak.txt", "/repo/..%2f..%2fsecret.txt", "/repo/blog/x/"]
        codes = []
        for path in paths:
            conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            codes.append(response.status)
            assert b"TOP SECRET" not in body, path
            assert not (response.getheader("Location") or "").startswith("//"), path
            conn.close()
        assert codes[-1] == 200  # the real page is served
    finally:
        server.shutdown()
        server.server_close()
    (out / "blog/leak.txt").unlink()
    assert digest(out) == before  # serving never writes into the output
