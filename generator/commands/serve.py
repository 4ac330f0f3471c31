"""`portfolio serve`: build into a private folder, serve it at the base path, rebuild on change.

The site is served where GitHub Pages will serve it (`/REPO/`), so base-path mistakes show
locally. Builds go to a temporary folder of their own (never `_site/`, so a deploy is never
disturbed), alternating between two copies so that a request never meets a half-swapped site.
A failed build keeps the server up and turns every page into an error page until the next
good save.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import signal
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

from ..model.errors import BuildFailed, PortfolioError, format_error
from .livereload import Watcher, worth_naming
from .serve_http import SiteState, make_handler


class ServeError(PortfolioError):
    """The server cannot start (port in use, bad host)."""


Log = Callable[[str], None]


class Builder:
    """Runs builds one at a time into two alternating folders; coalesces bursts of changes."""

    def __init__(self, state: SiteState, workdir: Path, info: Log, warn: Log) -> None:
        self.state, self.workdir, self.info, self.warn = state, workdir, info, warn
        self.pending = threading.Event()
        self.stop = threading.Event()
        self.changed: set[str] = set()
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="portfolio-build")

    def request(self, paths: set[str]) -> None:
        with self._lock:
            self.changed |= paths
        self.pending.set()

    def _loop(self) -> None:
        # nbconvert is imported here, in the thread that builds, never beside a build: a
        # build forks its worker pool, and a fork while another thread holds the import locks
        # leaves the workers waiting for ever. A save during the import waits for it.
        _warm_notebooks(self.state.root)
        while not self.stop.is_set():
            if not self.pending.wait(0.5):
                continue
            self.pending.clear()
            with self._lock:
                changed, self.changed = sorted(self.changed), set()
            changed = worth_naming(self.state.root, changed)
            if not changed:
                continue  # only an editor's temporary files came and went
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more"
                                              if len(changed) > 3 else "")
            self.info(f"Changed: {shown}")
            self.build_once()

    def build_once(self) -> bool:
        """Build, then publish the result (pages or an error page) to open tabs."""
        from ..build import build
        from ..model.config import load_config

        state = self.state
        # write into the copy that is not being served
        out = next(self.workdir / n for n in ("site-a", "site-b")
                   if self.workdir / n != state.out_dir)
        started = time.perf_counter()
        try:
            # no search index: Pagefind would index every page again on every save
            report = build(state.root, out_dir=out, drafts=state.drafts, search=False)
        except PortfolioError as exc:
            errors = exc.errors if isinstance(exc, BuildFailed) else [exc]
            state.error = "\n\n".join(format_error(e) for e in errors)
            self.warn(f"Build failed; the browser shows the error until the next good save.\n"
                      f"{state.error}")
            state.hub.bump()
            return False
        except Exception as exc:  # a bug, not the user's fault: keep serving, show it
            state.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.warn(f"Build crashed (please report this):\n{traceback.format_exc()}")
            state.hub.bump()
            return False
        with contextlib.suppress(PortfolioError):
            base = load_config(state.root).base_path
            if base != state.base_path:
                self.info(f"The base path is now {base}")
            state.base_path = base
        state.out_dir, state.error = out, None
        for diagnostic in report.diagnostics:
            self.warn(f"warning: {diagnostic}")
        counts = ", ".join(_plural(n, word) for n, word in (
            (report.posts, "post"), (report.projects, "project"), (report.pages, "page")))
        self.info(f"Built {counts} in {time.perf_counter() - started:.1f} s")
        state.hub.bump()
        return True


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def bind(host: str, port: int, state: SiteState) -> ThreadingHTTPServer:
    """The listening server; a busy port is a clear `ServeError`, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET

    class Server(ThreadingHTTPServer):
        address_family = family
        daemon_threads = True  # open event streams must not keep Ctrl-C waiting
        allow_reuse_address = True

    try:
        return Server((host, port), make_handler(state, host))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} is already in use (another 'portfolio serve'?)",
                             hint=f"stop the other server, or use another port: "
                                  f"portfolio serve --port {port + 1}") from None
        if exc.errno == errno.EACCES:
            raise ServeError(f"no permission to listen on port {port}",
                             hint="ports below 1024 need root; use --port 8000") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="check --host (127.0.0.1 for this computer only)") from None


def display_url(host: str, port: int, base_path: str) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{base_path}"


def serve(root: Path, *, host: str = "127.0.0.1", port: int = 8000, drafts: bool = True,
          open_browser: bool = False, info: Log = print, warn: Log = print) -> None:
    """Serve the site in `root` until Ctrl-C (or SIGTERM); return normally then."""
    root = Path(root).absolute()
    state = SiteState(root, drafts)
    from ..model.config import load_config

    search = False
    with contextlib.suppress(PortfolioError):
        config = load_config(root)
        state.base_path, search = config.base_path, config.search
    server = bind(host, port, state)  # before the first build: a busy port fails at once
    workdir = Path(tempfile.mkdtemp(prefix="portfolio-serve-"))
    builder = Builder(state, workdir, info, warn)
    watcher = Watcher(root, builder.request)
    previous = _stop_on_sigterm()
    try:
        if host not in ("127.0.0.1", "localhost", "::1"):
            warn(f"warning: serving on {host}: other computers on your network can see this "
                 "site, drafts included. Use --host 127.0.0.1 to keep it to yourself.")
        watcher.start()  # before the first build, so no early edit is missed
        info(f"Building {root.name} (drafts {'shown' if drafts else 'hidden'})...")
        builder.build_once()
        url = display_url(host, server.server_address[1], state.base_path)
        info(f"Serving at {url}")
        info("Watching portfolio.yml, content/, projects/ and themes/; press Ctrl-C to stop.")
        if search:
            info("Search is left out of previews, to keep rebuilds quick: 'portfolio build' "
                 "makes it.")
        builder.thread.start()
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        state.hub.close()
        builder.stop.set()
        watcher.close()
        server.server_close()
        if builder.thread.is_alive():
            builder.thread.join(timeout=30)  # let a build under way finish its swap
        shutil.rmtree(workdir, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    info("Stopped.")


def _warm_notebooks(root: Path) -> None:
    """Import nbconvert once, before the first rebuild: a notebook saved later is then
    converted in this process in a fraction of a second, instead of in a worker that imports
    it again."""
    if any(next(root.glob(f"{folder}/**/*.ipynb"), None) for folder in ("projects", "content")):
        with contextlib.suppress(Exception):
            import nbconvert.exporters  # noqa: F401


_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


def _stop_on_sigterm() -> _Handler:
    """Make SIGTERM stop the server like Ctrl-C, so the temporary build folder is removed."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)
