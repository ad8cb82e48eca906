"""Data-dir locks are never inherited: a forked child that lives on holds none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ledger.exceptions import BackendUnavailable
from ledger.locks import lock_exclusively, release


def test_a_forked_child_that_lives_on_does_not_hold_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "data.lock"
    descriptor = lock_exclusively(path, "in use")
    with pytest.raises(BackendUnavailable, match="in use"):
        lock_exclusively(path, "in use")
    reader, writer = os.pipe()
    started_reader, started_writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child: say it runs, wait until told, then go
        os.close(writer)
        os.write(started_writer, b"!")
        os.read(reader, 1)
        os._exit(0)
    os.close(reader)
    os.close(started_writer)
    assert os.read(started_reader, 1) == b"!"
    os.close(started_reader)
    try:
        release(descriptor)
        # The child still runs, yet the lock is free: it never had the descriptor.
        again = lock_exclusively(path, "in use")
        release(again)
    finally:
        os.close(writer)
        os.waitpid(child, 0)
