"""Run one pure computation in a forked child while this process goes on with its own work.

The build checks its pages (links, leaks) while it writes them: the check is CPU work, the
writing mostly waits for the disk, and a machine has more than one core. The child sees the
build's data through fork's copy-on-write (nothing is pickled on the way in) and sends its
result back as JSON. Where fork is unavailable, or the child fails in any way, the computation
simply runs here when its result is asked for: the answer is always the same, only later.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Forked(Generic[T]):
    """`fn()` started in a child process; `result()` waits for it."""

    def __init__(self, fn: Callable[[], T], encode: Callable[[T], Any],
                 decode: Callable[[Any], T]) -> None:
        self.fn, self.decode = fn, decode
        self.pid: int | None = None
        self.fd = -1
        if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
            return  # fork is unsafe on macOS and absent on Windows: computed in process
        try:
            read, write = os.pipe()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:  # the child: compute, send, and leave without running any cleanup
            status = 1
            try:
                os.close(read)
                data = json.dumps(encode(fn())).encode("utf-8", "surrogatepass")
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            except BaseException:  # noqa: BLE001 - the parent recomputes; never a 2nd traceback
                pass
            finally:
                os._exit(status)
        os.close(write)
        self.pid, self.fd = pid, read

    def result(self) -> T:
        if self.pid is None:
            return self.fn()
        with os.fdopen(self.fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if status == 0 and data:
            try:
                return self.decode(json.loads(data))
            except (ValueError, TypeError, KeyError):
                pass
        return self.fn()

    def cancel(self) -> None:
        """Stop the child (the build failed or was interrupted)."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass
        self.pid = None
