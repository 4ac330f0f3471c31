"""Worker processes that end with the process that started them.

A build killed with SIGKILL runs no cleanup, and the workers of its pool would otherwise live
on, blocked on a queue no one writes to (seen alive minutes later, parent 1). Each worker
asks Linux to signal it when its parent dies (`PR_SET_PDEATHSIG`) and, on every POSIX system,
watches its parent's PID from a daemon thread; Windows ends a pool's workers with its job.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
POLL_SECONDS = 0.5


def die_with_parent(parent: int | None = None) -> None:
    """Call in a freshly started worker: exit as soon as the parent process is gone.

    `parent`: the PID of the process that started the pool, passed in by it. A build killed
    between the fork and this call has already left the worker re-parented (to PID 1): asked
    only now, `getppid()` would name the new parent and the worker would watch it forever."""
    parent = os.getppid() if parent is None else parent
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # no libc (musl builds, sandboxes): poll only
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if sys.platform == "win32":
        return
    if os.getppid() != parent:  # died before the signal was asked for: it will never come
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(POLL_SECONDS)
            if os.getppid() != parent:  # re-parented: the build is gone
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
