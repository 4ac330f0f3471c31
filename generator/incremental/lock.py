"""One build at a time per site: a lock file under `.portfolio/` held for the whole build."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from ..model.errors import OutputError
from .store import STATE_DIR, State


@contextlib.contextmanager
def build_lock(root: Path, wait: float = 30.0) -> Iterator[None]:
    """Hold `.portfolio/build.lock`; wait up to `wait` seconds for another build to finish."""
    path = State(root).lock
    try:
        path.parent.mkdir(exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115 - held across the yield
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
                                      f"{STATE_DIR}/build.lock",
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
