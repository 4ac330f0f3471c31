"""Shared fixtures: inline sites (txtar-style), the example site, and a no-network guard."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import socket
import textwrap
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent

# nbconvert is not imported here: the test process converts notebooks as a fresh CLI process
# does (in a worker pool, readers/batch.py), not as a warm `portfolio serve` would.


def write_site(root: Path, spec: str) -> Path:
    """Write exactly the files of a txtar-like string: `-- path --` lines start each file.

    Nothing is added: a site needs its own `-- portfolio.yml --` section, and without one the
    build reports the missing config as it would to a user. A path may appear only once."""
    spec = textwrap.dedent(spec)
    current: str | None = None
    lines: list[str] = []
    seen: set[str] = set()

    def flush() -> None:
        if current is not None:
            if current in seen:
                raise ValueError(f"{current} appears twice in the site spec")
            seen.add(current)
            target = root / current
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(lines).strip("\n") + "\n", "utf-8")

    for line in spec.splitlines():
        if line.startswith("-- ") and line.rstrip().endswith(" --"):
            flush()
            current, lines = line[3:-3].strip(), []
        else:
            lines.append(line)
    flush()
    return root


def notebook(cells: list[dict], metadata: dict | None = None, minor: int = 5) -> str:
    """A small nbformat-4 notebook as JSON text, with fixed cell ids."""
    out = []
    for index, cell in enumerate(cells):
        cell = dict(cell)
        cell.setdefault("metadata", {})
        if minor >= 5:
            cell.setdefault("id", f"c{index}")
        if cell["cell_type"] == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        out.append(cell)
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"}}
    meta.update(metadata or {})
    return json.dumps({"cells": out, "metadata": meta, "nbformat": 4, "nbformat_minor": minor},
                      indent=1)


@pytest.fixture
def make_site(tmp_path: Path):
    """`make_site(spec)` writes an inline site and returns its root."""
    def make(spec: str = "", name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        return write_site(root, spec)
    return make


def copy_example(dest: Path) -> Path:
    """A copy of the repository's example site (config, content, projects)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "portfolio.yml", dest / "portfolio.yml")
    for name in ("content", "projects"):
        shutil.copytree(REPO / name, dest / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return dest


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site built once per session into `<tmp>/out` (read-only for tests)."""
    from generator.build import build

    root = copy_example(tmp_path_factory.mktemp("example") / "site")
    out = root.parent / "out"
    build(root, out_dir=out)
    return out


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the network: only loopback connections are allowed."""
    real_connect = socket.socket.connect

    def guarded(self, address):  # type: ignore[no-untyped-def]
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")
                                          or host.startswith("/")):
            raise OSError(f"network access in tests is not allowed: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def browser_missing(reason: str) -> None:
    """Skip a browser test with a reason; under CI it must not be skipped, so it fails."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this must not be skipped)")
    pytest.skip(reason)


@contextlib.contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (never a browser download)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        browser_missing("chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_missing("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves a built site under one prefix only, as GitHub Pages serves a project site; any
    other path, and a missing file, gets the site's own 404 page."""

    prefix = "/"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if not self.path.startswith(self.prefix):
            self.send_error(404)
            return
        self.path = "/" + self.path[len(self.prefix):]
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve_site(directory: Path, prefix: str) -> Iterator[str]:
    """Serve the built site in `directory` at http://127.0.0.1:PORT`prefix`; yields that URL."""
    handler_class = type("Handler", (_SiteHandler,), {"prefix": prefix})
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


EXAMPLE_PREFIX = "/portfolio/"  # the example site's base path on GitHub Pages


@pytest.fixture(scope="session")
def site_url(example_build: Path) -> Iterator[str]:
    """The example site served at http://127.0.0.1:PORT/portfolio/ (for the browser tests)."""
    with serve_site(example_build, EXAMPLE_PREFIX) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium for a module's browser tests; each test makes its own context. Per
    module, not per session: Playwright's sync API runs one instance at a time, and other
    tests launch their own (`chromium_browser()`)."""
    with chromium_browser() as launched:
        yield launched
