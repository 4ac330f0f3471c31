"""background.Forked: a computation in a forked child, with the same answer in every case."""

from __future__ import annotations

import os
import signal

import pytest

from generator.util.background import Forked

PARENT = os.getpid()


def _encode(value: list[int]) -> list[int]:
    return value


def test_the_child_computes_and_the_parent_gets_the_value() -> None:
    job = Forked(lambda: [os.getpid(), 2, 3], _encode, list)
    value = job.result()
    assert value[1:] == [2, 3]
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert value[0] != PARENT  # it really ran in a child


def test_a_child_that_dies_is_replaced_by_the_same_computation_here() -> None:
    def fn() -> list[int]:
        if os.getpid() != PARENT:
            os.kill(os.getpid(), signal.SIGKILL)  # a crash in the child
        return [os.getpid()]

    assert Forked(fn, _encode, list).result() == [PARENT]


def test_a_child_that_raises_is_replaced_too() -> None:
    def fn() -> list[int]:
        if os.getpid() != PARENT:
            raise RuntimeError("boom")
        return [1]

    assert Forked(fn, _encode, list).result() == [1]


def test_without_fork_it_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.platform", "win32")
    job = Forked(lambda: [os.getpid()], _encode, list)
    assert job.pid is None and job.result() == [PARENT]


def test_cancel_reaps_the_child() -> None:
    job = Forked(lambda: [1], _encode, list)
    pid = job.pid
    job.cancel()
    if pid is not None:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
