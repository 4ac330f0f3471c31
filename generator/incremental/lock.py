"""One build at a time per site: a lock file under `.portfolio/` held for the whole build.

The lock is a POSIX record lock (`lockf`) or, on Windows, `msvcrt.locking`: both belong to
the process that took them, so the worker processes a build forks never hold it, and it is
released by the system the moment the build dies, however it dies (`kill -9`, an OOM kill, a
closed laptop lid). The file holds the build's PID while it runs and is emptied when it ends,
so a PID still there when the next build takes the lock means that build was interrupted.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..model.errors import OutputError
from .store import STATE_DIR, State


def _locking() -> str:
    """Which kind of lock this platform has: "fcntl" (POSIX), "msvcrt" (Windows), or "pid"
    (neither: a PID in the file, and a holder that is no longer running counts as gone)."""
    for name in ("fcntl", "msvcrt"):
        try:
            __import__(name)
        except ImportError:
            continue
        return name
    return "pid"


def _try_lock(handle: IO[str]) -> bool:
    """Take the lock on the file's first byte without waiting; False if another has it."""
    kind = _locking()
    if kind == "msvcrt":
        import msvcrt

        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    if kind == "fcntl":
        import fcntl

        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
        except OSError:  # EAGAIN or EACCES, by platform
            return False
        return True
    holder = _holder(handle)
    return not holder.isdigit() or int(holder) == os.getpid() or not _running(int(holder))


def _running(pid: int) -> bool:
    if sys.platform == "win32":  # there, os.kill(pid, 0) would end the process (and Windows
        return True              # always has msvcrt, so this fallback is never used there)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but is somebody else's
        return True
    return True


def _unlock(handle: IO[str]) -> None:
    kind = _locking()
    if kind == "msvcrt":
        import msvcrt

        handle.seek(0)
        with contextlib.suppress(OSError):
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    elif kind == "fcntl":
        import fcntl

        with contextlib.suppress(OSError):
            fcntl.lockf(handle, fcntl.LOCK_UN, 1, 0)


@contextlib.contextmanager
def build_lock(root: Path, wait: float = 30.0) -> Iterator[str | None]:
    """Hold `.portfolio/build.lock`; wait up to `wait` seconds for another build to finish.

    Yields a notice when the last build that held the lock was interrupted (else None)."""
    path = State(root).lock
    try:
        path.parent.mkdir(exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held across the yield
    except OSError:
        yield None  # a read-only site folder: nothing to lock against, the writer will report
        return
    with handle:
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise OutputError(f"build in progress (lock held by PID {_holder(handle)})",
                                  f"{STATE_DIR}/build.lock",
                                  hint="wait for the other build, or stop it") from None
            time.sleep(0.1)
        previous = _holder(handle)
        how = ("its stale lock was taken over" if _locking() == "pid" else
               "its lock was released when it stopped")
        notice = (f"the previous build (PID {previous}) was interrupted; {how}"
                  if previous.isdigit() and int(previous) != os.getpid() else None)
        _write(handle, str(os.getpid()))
        try:
            yield notice
        finally:
            _write(handle, "")
            _unlock(handle)


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    return handle.read(32).strip() or "?"


def _write(handle: IO[str], text: str) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(text)
    handle.flush()
