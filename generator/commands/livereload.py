"""Live reload for `portfolio serve`: the change hub, the injected script, and the file watcher.

The script goes into HTML *responses* only, never into files: the built site on disk is exactly
what `portfolio build` would publish.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

EVENTS_PATH = "/__portfolio__/events"
WATCHED_DIRS = ("content", "projects", "themes")
# folders whose changes never mean "rebuild": our own output and caches, Jupyter's autosaves
_IGNORED_DIRS = {".portfolio", "_site", ".ipynb_checkpoints", ".git", "__pycache__",
                 "node_modules", ".venv", ".mypy_cache", ".pytest_cache", ".hypothesis"}
# editor and Jupyter temp files: vim (.swp, 4913, x~), emacs (#x#, .#x), JupyterLab's atomic
# save (.~x), JetBrains (___jb_tmp___), Office (~$x), generic .tmp/.part/.crswap
_IGNORED_NAME = re.compile(r"(^\.~|^~\$|^\.#|^#.*#$|~$|\.sw[a-z]$|^4913$|\.tmp$|\.part$|"
                           r"\.crswap$|___jb_(tmp|old)___$|^\.DS_Store$)")
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

_SCRIPT = """<script data-portfolio-livereload>
(() => {
  // Added by `portfolio serve` only; never part of the built site.
  const built = "%s";
  const events = new EventSource("%s");
  const check = (event) => { if (event.data !== built) { events.close(); location.reload(); } };
  events.addEventListener("hello", check);
  events.addEventListener("reload", check);
})();
</script>
"""


class ReloadHub:
    """A build counter that open tabs wait on; every change bumps it and wakes them all."""

    def __init__(self) -> None:
        self.version = 0
        self.closed = False
        self._cond = threading.Condition()

    def bump(self) -> int:
        with self._cond:
            self.version += 1
            self._cond.notify_all()
            return self.version

    def wait(self, seen: int, timeout: float) -> int | None:
        """The new version once it differs from `seen`; None on timeout or when closing."""
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen or self.closed, timeout)
            return None if self.closed or self.version == seen else self.version

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


def inject(html: bytes, version: int) -> bytes:
    """`html` with the reload script before the last `</body>` (or at the end)."""
    script = (_SCRIPT % (version, EVENTS_PATH)).encode()
    matches = list(_BODY_END.finditer(html))
    if not matches:
        return html + script
    at = matches[-1].start()
    return html[:at] + script + html[at:]


def event_stream(hub: ReloadHub, write: Callable[[bytes], None], *,
                 keepalive: float = 15.0) -> None:
    """Feed one Server-Sent Events client until it disconnects or the hub closes."""
    seen = hub.version
    write(f"retry: 1000\nevent: hello\ndata: {seen}\n\n".encode())
    while not hub.closed:
        version = hub.wait(seen, keepalive)
        if version is None:
            write(b": keep-alive\n\n")  # a dead client shows up as a write error here
            continue
        seen = version
        write(f"event: reload\ndata: {version}\n\n".encode())


def relevant(root: Path, path: str) -> bool:
    """Whether a changed path can change the site."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return False
    if not parts:
        return False
    if len(parts) == 1:
        return parts[0] == "portfolio.yml"
    if parts[0] not in WATCHED_DIRS:
        return False
    return not any(p in _IGNORED_DIRS for p in parts) and not _IGNORED_NAME.search(parts[-1])


def worth_naming(root: Path, changed: list[str]) -> list[str]:
    """The changed paths a person saved: those that exist, or that were sources (deleted).

    An editor that saves through a temporary file (`sed -i`'s `sedAb12Cd`, some IDEs' `x.tmp2`)
    makes a file appear and vanish; naming it in the log would only puzzle."""
    return [p for p in changed if (root / p).exists() or Path(p).suffix]


class Watcher:
    """Calls `on_change(paths)` (site-relative POSIX paths) for every batch of relevant changes.

    Two watchfiles threads: one recursive over `content/`, `projects/` and `themes/`, re-listed
    every `poll` seconds so a folder created later is picked up; one without recursion over the
    root for `portfolio.yml` (which survives editors that save by rename), so that a big `.venv`
    beside the site costs no watches.
    """

    def __init__(self, root: Path, on_change: Callable[[set[str]], None], *,
                 poll: float = 1.0) -> None:
        self.root, self.on_change, self.poll = root, on_change, poll
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(rec,), daemon=True,
                                         name=f"portfolio-watch-{rec}") for rec in (True, False)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _dirs(self) -> list[str]:
        return [str(self.root / d) for d in WATCHED_DIRS if (self.root / d).is_dir()]

    def _run(self, recursive: bool) -> None:
        import watchfiles

        def keep(_change: object, path: str) -> bool:
            return relevant(self.root, path)

        while not self.stop.is_set():
            paths = self._dirs() if recursive else [str(self.root)]
            if not paths:
                self.stop.wait(self.poll)
                continue
            for changes in watchfiles.watch(
                    *paths, watch_filter=keep, recursive=recursive, stop_event=self.stop,
                    debounce=400, step=50, yield_on_timeout=True,
                    rust_timeout=int(self.poll * 1000)):
                if changes:
                    self.on_change({Path(p).relative_to(self.root).as_posix()
                                    for _, p in changes})
                if recursive and self._dirs() != paths:
                    # a watched folder appeared or went: its first files may predate the
                    # new watch, so count it as a change
                    self.on_change(set(WATCHED_DIRS) & {Path(p).name for p in
                                                        set(self._dirs()) ^ set(paths)})
                    break
