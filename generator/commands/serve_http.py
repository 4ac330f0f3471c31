"""The HTTP side of `portfolio serve`: map a request to a file of the built site, safely.

Only files inside the served folder are ever read: `..` and `.` segments (also percent-encoded),
empty segments, NUL bytes, backslashes and symlinks that resolve outside give 404, and redirects
are built from the base path so that none can point to another host (`//evil.com`).
"""

from __future__ import annotations

import contextlib
import html
import mimetypes
import os
import shutil
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .livereload import EVENTS_PATH, ReloadHub, event_stream, inject

_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}


@dataclass
class SiteState:
    """What the server shows right now; swapped as a whole after every build."""

    root: Path
    drafts: bool
    base_path: str = "/"
    out_dir: Path | None = None  # the last good build, or None
    error: str | None = None  # the last build's error text, shown instead of pages
    hub: ReloadHub = field(default_factory=ReloadHub)


def error_page(message: str, version: int) -> bytes:
    """The page every HTML request gets while the site does not build."""
    body = (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Build failed - portfolio serve</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "h1{color:#b00020}pre{background:#fff4f4;border-left:4px solid #b00020;padding:1rem;"
        "white-space:pre-wrap;overflow-wrap:anywhere}</style></head><body>"
        "<h1>The site did not build</h1>"
        f"<pre class=\"portfolio-error\">{html.escape(message)}</pre>"
        "<p>Fix the file and save it: this page reloads by itself.</p></body></html>")
    return inject(body.encode(), version)


@dataclass(frozen=True)
class Route:
    """What to answer: a file, a redirect, the event stream, or not found."""

    kind: str  # "file" | "redirect" | "events" | "missing"
    path: str = ""  # the file, or the redirect's Location
    html: bool = False  # a page request (gets the error page while the build is broken)


def resolve(target: str, base_path: str, out_dir: Path | None) -> Route:
    """Route a raw request target (`/REPO/blog/?x=1`) to a file under `out_dir`."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    if path == EVENTS_PATH:
        return Route("events")
    decoded = unquote(path, errors="replace")
    last = decoded.rsplit("/", 1)[-1]
    page = last == "" or last.endswith((".html", ".htm")) or "." not in last
    missing = Route("missing")  # probes and strays: a plain 404, never the error page
    if not path.startswith("/") or "\x00" in decoded or "\\" in decoded:
        return missing
    base = unquote(base_path)
    if base != "/" and decoded in ("/", base.rstrip("/")):
        return Route("redirect", quote(base), html=True)
    if not decoded.startswith(base):
        return missing
    rel = decoded[len(base):]
    segments = rel.split("/")
    if segments[-1] == "":
        segments.pop()
    if any(s in ("", ".", "..") for s in segments):
        return missing
    if out_dir is None:  # no good build yet
        return Route("missing", html=page)
    real_out = os.path.realpath(out_dir)
    real = os.path.realpath(os.path.join(real_out, *segments))
    if os.path.commonpath([real_out, real]) != real_out:
        return missing  # a symlink (or anything else) that leads outside the site
    if os.path.isdir(real):
        if rel and not rel.endswith("/"):
            location = quote(base + rel + "/")
            # base starts with one "/" and no segment is empty, but never trust that blindly
            return Route("redirect", location, True) if not location.startswith("//") \
                else missing
        real = os.path.join(real, "index.html")
        page = True
    if not os.path.isfile(real):
        return Route("missing", html=page)
    return Route("file", real, html=page or real.endswith((".html", ".htm")))


def make_handler(state: SiteState, host: str) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to the server's state."""
    # Bound to this computer only: also refuse other Host names, so that a web page cannot
    # read the drafts through DNS rebinding.
    check_host = host in _LOOPBACK_NAMES

    class Handler(BaseHTTPRequestHandler):
        def version_string(self) -> str:
            return "portfolio-serve"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # the terminal shows builds, not every request

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def _answer(self, send_body: bool) -> None:
            if check_host and not self._host_ok():
                self._send(HTTPStatus.FORBIDDEN, b"Forbidden: unknown Host header\n",
                           "text/plain; charset=utf-8", send_body)
                return
            route = resolve(self.path, state.base_path, state.out_dir)
            if route.kind == "events":
                self._events()
            elif route.kind == "redirect":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", route.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif state.error is not None and route.html:
                body = error_page(state.error, state.hub.version)
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, body, "text/html; charset=utf-8",
                           send_body)
            elif route.kind == "file":
                self._file(route.path, HTTPStatus.OK, send_body)
            else:
                self._not_found(send_body)

        def _host_ok(self) -> bool:
            name = self.headers.get("Host", "")
            hostname = urlsplit(f"//{name}").hostname if name else None
            return hostname in _LOOPBACK_NAMES

        def _not_found(self, send_body: bool) -> None:
            page = state.out_dir / "404.html" if state.out_dir else None
            if page is not None and page.is_file():
                self._file(str(page), HTTPStatus.NOT_FOUND, send_body)
            else:
                self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8",
                           send_body)

        def _file(self, path: str, status: HTTPStatus, send_body: bool) -> None:
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            try:
                handle = open(path, "rb")  # noqa: SIM115 - closed below
            except OSError:  # swapped away by a rebuild a moment ago
                self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain", send_body)
                return
            with handle:
                if kind == "text/html":
                    body = inject(handle.read(), state.hub.version)
                    self._send(status, body, "text/html; charset=utf-8", send_body)
                    return
                if kind.startswith("text/") or kind in ("application/javascript",
                                                        "application/json", "image/svg+xml"):
                    kind += "; charset=utf-8"
                self.send_response(status)
                self._headers(kind, os.fstat(handle.fileno()).st_size)
                if send_body:
                    shutil.copyfileobj(handle, self.wfile)

        def _send(self, status: HTTPStatus, body: bytes, kind: str, send_body: bool) -> None:
            self.send_response(status)
            self._headers(kind, len(body))
            if send_body:
                self.wfile.write(body)

        def _headers(self, kind: str, length: int) -> None:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(length))
            self.send_header("Cache-Control", "no-store")  # an edit must show on reload
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.close_connection = True

            def write(data: bytes) -> None:
                self.wfile.write(data)
                self.wfile.flush()

            with contextlib.suppress(OSError):  # the tab was closed or reloaded
                event_stream(state.hub, write)

    return Handler
