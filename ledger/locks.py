"""Single-owner locks on files, which no forked child inherits.

``flock`` locks belong to the open file description, and a forked child shares its parent's:
a child that outlives its parent (a worker of a process pool when the parent is killed with
SIGKILL) would keep the lock, and the data dir, until someone kills it. Every lock taken here is
closed in each forked child right after the fork (the parent's lock is unaffected: it is
released only when its last descriptor closes). The kernel releases a lock when its owner dies,
``kill -9`` included.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from ledger.exceptions import BackendUnavailable

_held: set[int] = set()


def lock_exclusively(path: Path, in_use: str) -> int:
    """Take the exclusive lock on ``path`` (created if missing) and return its descriptor, or
    raise :class:`BackendUnavailable` with ``in_use`` at once if another process holds it."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise BackendUnavailable(in_use) from None
    _held.add(descriptor)
    return descriptor


def release(descriptor: int) -> None:
    """Release a lock from :func:`lock_exclusively` (closing its descriptor)."""
    _held.discard(descriptor)
    os.close(descriptor)


def _close_in_child() -> None:
    for descriptor in list(_held):
        # The child's copy only: the parent keeps its own descriptor and the lock.
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)
