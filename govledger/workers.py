"""Pools of forked worker processes that die with the process that made them.

A forked worker starts with its parent's memory at no cost (the modules, the inputs, a key),
which is why the bulk sealing and the benchmark fork. But a forked child outlives its parent
by default: after a ``kill -9`` of the parent it would wait for work forever (holding whatever
it inherited). Each worker here asks the kernel to kill it when its parent dies
(``PR_SET_PDEATHSIG``, Linux), and exits at once if the parent is already gone. Locks are not
inherited anyway (:mod:`ledger.locks`). Linux ties the signal to the thread that forked: the
pool starts its workers in the calling thread, which stays in the ``with`` block until they end.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_PR_SET_PDEATHSIG = 1

CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def _die_with_parent(parent: int) -> None:
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except AttributeError:  # not Linux: no death signal to ask for
        return
    if prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _start(parent: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    _die_with_parent(parent)
    initializer(*initargs)


def forked_pool(
    processes: int, initializer: Callable[..., None], *initargs: Any
) -> ProcessPoolExecutor:
    """A pool of ``processes`` forked workers, each set up by ``initializer(*initargs)`` (in the
    child, so nothing is pickled), that die with this process."""
    return ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start,
        initargs=(os.getpid(), initializer, initargs),
    )
