"""One build at a time per site: a lock file under `.portfolio/` held for the whole build."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError


@contextlib.contextmanager
def build_lock(root: Path, wait: float = 30.0) -> Iterator[None]:
    """Hold `.portfolio/build.lock`; wait up to `wait` seconds for another build to finish."""
    folder = root / ".portfolio"
    try:
        folder.mkdir(exist_ok=True)
        handle = open(folder / "build.lock", "a+")  # noqa: SIM115 - held across the yield
    except OSError:
        yield  # a read-only site folder: nothing to lock against, the writer will report
        return
    with handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    handle.seek(0)
                    pid = handle.read().strip() or "?"
                    raise OutputError(f"build in progress (lock held by PID {pid})",
                                      ".portfolio/build.lock",
                                      hint="wait for the other build, or stop it") from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
