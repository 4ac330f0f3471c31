"""Helpers for the `portfolio serve` tests: a small site, a server subprocess, polling fetches."""

from __future__ import annotations

import http.client
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

SITE_CONFIG = """\
title: Serve Test
url: https://tester.github.io/portfolio/
author:
  name: Test Author
github:
  owner: tester
  repo: portfolio
  branch: main
"""

POST = """\
---
title: First post
date: 2026-01-05
tags: [testing]
---

The original sentence.
"""

ABOUT = """\
---
title: About
---

About this site.
"""


def notebook_json(output_text: str) -> str:
    """A small notebook whose one code cell has saved stream output `output_text`."""
    import json

    return json.dumps({
        "cells": [
            {"cell_type": "raw", "id": "c0", "metadata": {},
             "source": "---\ntitle: Tiny notebook\ndate: 2026-01-06\n---"},
            {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1,
             "source": "print('hi')",
             "outputs": [{"output_type": "stream", "name": "stdout", "text": output_text}]},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5})


def make_serve_site(root: Path, *, notebook: bool = False) -> Path:
    """portfolio.yml, one post, one page (and a notebook project if asked)."""
    (root / "content/posts").mkdir(parents=True)
    (root / "portfolio.yml").write_text(SITE_CONFIG)
    (root / "content/posts/2026-01-05-first-post.md").write_text(POST)
    (root / "content/about.md").write_text(ABOUT)
    if notebook:
        (root / "projects").mkdir()
        (root / "projects/tiny.ipynb").write_text(notebook_json("OUTPUT-ONE\n"))
    return root


def save(path: Path, text: str) -> None:
    """Write like an editor does, and make sure the mtime moves even on coarse clocks."""
    path.write_text(text)
    stamp = time.time()
    os.utime(path, (stamp, stamp))


class Server:
    """`python -m generator serve` in a subprocess; its stdout and stderr collected by threads."""

    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--port", "0", *args], cwd=root,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"})
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()
        self.url = ""

    def _pump(self, stream, sink: list[str]) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            sink.append(line)
            self.lines.put(line)

    def wait_ready(self, timeout: float = 60) -> str:
        """Wait for 'Serving at URL' and return the URL."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.out:
                if line.startswith("Serving at "):
                    self.url = line.split()[-1]
                    return self.url
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"server did not start:\n{self.output()}")

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 0

    def output(self) -> str:
        return "".join(self.out) + "\n--- stderr ---\n" + "".join(self.err)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(NoRedirect)


def fetch(url: str, *, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """GET without following redirects: (status, headers, body text)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8",
                                                                                    "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")


def raw_get(port: int, target: str) -> tuple[int, dict[str, str], bytes]:
    """Send a request target exactly as given (no client-side normalisation of `..`)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", target, skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def poll(check: Callable[[], bool], timeout: float = 20, what: str = "condition") -> None:
    """Retry `check` until it holds (builds take a moment); fail with `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
