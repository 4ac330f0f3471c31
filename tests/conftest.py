"""Shared fixtures: inline sites (txtar-style), the example site, and a no-network guard."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import textwrap
from collections.abc import Iterator
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
