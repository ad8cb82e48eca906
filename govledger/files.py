"""Durable file writes: a file appears whole or not at all, and survives a crash once written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_durably(path: Path, content: bytes, *, replace: bool) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same directory.

    The file is created readable by its owner only. With ``replace`` an existing file is replaced
    atomically; without it an existing file is left alone and :class:`FileExistsError` raised (a
    hard link, unlike a rename, refuses to overwrite). The data and the directory entry are both
    fsynced before returning.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    # The new entry is durable only once the directory itself reaches the disk.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
