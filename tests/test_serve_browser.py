"""An open page reloads itself after an edit: Playwright driving Debian's chromium.

Skips locally when chromium (or Playwright) is missing; under CI it fails instead, because CI
installs chromium (`.ci/run`) and a silent skip there would hide a broken live reload.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import chromium_browser
from .helpers_serve import POST, Server, make_serve_site, save

pytestmark = pytest.mark.browser

POST_PATH = "content/posts/2026-01-05-first-post.md"




@pytest.fixture
def chromium():  # type: ignore[no-untyped-def]
    with chromium_browser() as browser:
        yield browser


def test_open_page_reloads_itself_after_an_edit(chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site = make_serve_site(tmp_path / "site")
    with Server(site) as srv:
        srv.wait_ready()
        page = chromium.new_page()
        # the test only talks to the local server: anything else is a bug
        page.route("**/*", lambda route: route.continue_()
                   if route.request.url.startswith(srv.origin) else route.abort())
        page.goto(srv.url + "blog/")
        page.get_by_role("link", name="First post").first.click()
        page.wait_for_selector("text=The original sentence.")
        page.evaluate("window.__marker = 'before-reload'")

        save(site / POST_PATH, POST.replace("The original sentence.", "Live edit arrived."))
        page.wait_for_selector("text=Live edit arrived.", timeout=30_000)
        # it was a real reload of the page, not the test navigating
        assert page.evaluate("window.__marker") is None

        broken = POST.replace("tags: [testing]", "tags: [testing")
        save(site / POST_PATH, broken)
        page.wait_for_selector("text=The site did not build", timeout=30_000)
        assert POST_PATH in page.inner_text("pre.portfolio-error")

        save(site / POST_PATH, POST.replace("The original sentence.", "Back to normal."))
        page.wait_for_selector("text=Back to normal.", timeout=30_000)
        assert srv.proc.poll() is None
