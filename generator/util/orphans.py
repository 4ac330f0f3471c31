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


def die_with_parent() -> None:
    """Call in a freshly started worker: exit as soon as the parent process is gone."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # no libc (musl builds, sandboxes): poll only
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if sys.platform == "win32":
        return

    def watch() -> None:
        while True:
            time.sleep(POLL_SECONDS)
            if os.getppid() != parent:  # re-parented: the build is gone
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
