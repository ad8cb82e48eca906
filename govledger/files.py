"""Files: durable writes (a file appears whole or not at all, and survives a crash once written)
and the one reader of the files a user names on the command line (JSON nesting bounded)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from govledger.errors import InvalidInput
from govledger.jsonlimits import check_nesting, load_json


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


def read_input(path: Path) -> bytes:
    """The content of a file the user named; a file that cannot be read is one clear error."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None


def read_json_input(path: Path) -> bytes:
    """The content of a JSON file the user named, its nesting checked (the caller parses it,
    by its own rules)."""
    content = read_input(path)
    check_nesting(content, str(path))
    return content


def read_json(path: Path) -> Any:
    """A JSON file the user named, parsed once its nesting is known to be bounded."""
    return load_json(read_input(path), str(path))
